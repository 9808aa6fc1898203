//! A scenario harness for the core: one [`Sentinel`] on a manual clock, with scripted
//! instances at the other end of its connections. Connections open at once; commands are
//! answered in order, as each address's [`Remote`] says, right after the input that sent
//! them (zero latency) — unless the remote holds its replies, which then wait, in order,
//! until it is told to answer again. Every wake-up, command and event is recorded with its
//! time, so a test can say "master INFO says ...", "peer replies vote X epoch E", "tick until
//! T" and assert on what the core did.

use std::collections::{BTreeMap, VecDeque};

use crate::config::load_str;
use crate::resp::parse_frame;
use crate::sentinel::admin::DownReply;
use crate::sentinel::{Action, ConnId, Event, Input, Millis, Sentinel, Settings};

/// What answers at one address.
#[derive(Debug, Clone)]
pub enum Remote {
    /// A Redis instance: PONG to PING, `info` to INFO, +OK (or the usual reply) to the rest.
    Redis { info: String },
    /// Another sentinel: is-master-down-by-addr gets `down` and `vote` (leader run id and
    /// epoch; `None` is `*` with epoch 0).
    Sentinel {
        down: bool,
        vote: Option<(String, u64)>,
    },
}

/// A remote and whether it answers now (false: replies are held, in order).
#[derive(Debug, Clone)]
struct Endpoint {
    remote: Remote,
    answering: bool,
}

/// One command the core sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub at: Millis,
    pub addr: String,
    pub argv: Vec<String>,
}

impl Sent {
    /// True if the command starts with these words (compared case-insensitively).
    pub fn is(&self, words: &[&str]) -> bool {
        words.len() <= self.argv.len()
            && words
                .iter()
                .zip(&self.argv)
                .all(|(w, a)| w.eq_ignore_ascii_case(a))
    }
}

#[derive(Debug)]
struct OpenConn {
    addr: String,
    unanswered: VecDeque<Vec<String>>,
}

/// The core under test and the scripted world around it.
pub struct Scenario {
    pub core: Sentinel,
    pub now: Millis,
    endpoints: BTreeMap<String, Endpoint>,
    conns: BTreeMap<ConnId, OpenConn>,
    /// Every event, with its time.
    pub events: Vec<(Millis, Event)>,
    /// Every command sent, in order.
    pub sent: Vec<Sent>,
    /// The time of every tick (wake-up).
    pub wakeups: Vec<Millis>,
    /// Saves fail (a full disk) while set.
    pub disk_full: bool,
    next_tick: Millis,
}

/// The run id the scenario's own sentinel has.
pub const MYID: &str = "a000000000000000000000000000000000000001";

impl Scenario {
    /// A core loaded from `config` (the `sentinel myid` line is added) at time `now`.
    pub fn new(config: &str, now: Millis) -> Self {
        let text = format!("sentinel myid {MYID}\n{config}");
        let cfg = match load_str(&text) {
            Ok(c) => c,
            Err(e) => panic!("scenario config does not load: {e}"),
        };
        let settings = Settings {
            port: 26379,
            requirepass: None,
        };
        let core = Sentinel::new(&cfg.sentinel, settings, now, 7);
        let mut s = Scenario {
            core,
            now,
            endpoints: BTreeMap::new(),
            conns: BTreeMap::new(),
            events: Vec::new(),
            sent: Vec::new(),
            wakeups: Vec::new(),
            disk_full: false,
            next_tick: now,
        };
        s.pump();
        s
    }

    /// Puts `remote` at `addr` ("ip:port"), answering. Unknown addresses never answer.
    pub fn at(&mut self, addr: &str, remote: Remote) -> &mut Self {
        self.endpoints.insert(
            addr.to_string(),
            Endpoint {
                remote,
                answering: true,
            },
        );
        self.deliver();
        self
    }

    /// Changes what `addr` answers from now on (held replies too, when released).
    pub fn set(&mut self, addr: &str, remote: Remote) {
        if let Some(e) = self.endpoints.get_mut(addr) {
            e.remote = remote;
        }
        self.deliver();
    }

    /// `addr` stops answering (replies wait, in order) or answers again (held replies go).
    pub fn answering(&mut self, addr: &str, answering: bool) {
        if let Some(e) = self.endpoints.get_mut(addr) {
            e.answering = answering;
        }
        self.deliver();
    }

    /// Runs every tick the core asks for up to and including `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while self.next_tick <= t {
            self.now = self.now.max(self.next_tick);
            self.tick();
        }
        self.now = self.now.max(t);
    }

    /// The process stalls (no tick runs) until `t`, then ticks.
    pub fn stall_until(&mut self, t: Millis) {
        self.now = self.now.max(t);
        self.next_tick = self.now;
        self.run_until(self.now);
    }

    /// Runs until an event of `kind` about `about` has happened, checking every 10 ms up
    /// to `limit`; panics if it did not.
    pub fn run_until_event(&mut self, kind: &str, about: &str, limit: Millis) -> Millis {
        while self.events_about(kind, about).is_empty() {
            assert!(
                self.now < limit,
                "no {kind} {about} by {limit}: {:?}",
                self.events
            );
            self.run_until(self.now + 10);
        }
        self.events_about(kind, about)
            .first()
            .map_or(self.now, |(t, _)| *t)
    }

    /// One tick now (a wake-up); the core says when the next one is due.
    pub fn tick(&mut self) {
        self.wakeups.push(self.now);
        self.core.handle(self.now, Input::Tick);
        self.next_tick = self.core.next_tick_at(self.now);
        self.pump();
        self.deliver();
    }

    /// A peer asks us `SENTINEL is-master-down-by-addr ip port epoch runid`: our reply.
    pub fn peer_asks(&mut self, ip: &str, port: i64, epoch: u64, runid: &str) -> DownReply {
        let r = self
            .core
            .is_master_down_by_addr(self.now, ip, port, epoch, runid);
        self.pump();
        self.deliver();
        r
    }

    /// Events of this kind (`+odown`, ...) as (time, text).
    pub fn events_of(&self, kind: &str) -> Vec<(Millis, String)> {
        self.events
            .iter()
            .filter(|(_, e)| e.kind == kind)
            .map(|(t, e)| (*t, e.text.clone()))
            .collect()
    }

    /// Events of this kind whose text starts with `about` (`master mymaster 10.0.0.1`).
    pub fn events_about(&self, kind: &str, about: &str) -> Vec<(Millis, String)> {
        let mut v = self.events_of(kind);
        v.retain(|(_, t)| t.starts_with(about));
        v
    }

    /// Commands sent to `addr` starting with `words`, in `[from, to)`.
    pub fn sent_to(&self, addr: &str, words: &[&str], from: Millis, to: Millis) -> Vec<&Sent> {
        self.sent
            .iter()
            .filter(|c| c.addr == addr && c.is(words) && c.at >= from && c.at < to)
            .collect()
    }

    /// Wake-ups in `[from, to)`.
    pub fn wakeups_in(&self, from: Millis, to: Millis) -> usize {
        self.wakeups
            .iter()
            .filter(|&&t| t >= from && t < to)
            .count()
    }

    /// Carries out the core's actions (connections open at once) and collects its output.
    fn pump(&mut self) {
        loop {
            let mut progress = false;
            while let Some(a) = self.core.poll_action() {
                progress = true;
                match a {
                    Action::Connect { conn, host, port } => {
                        let addr = format!("{host}:{port}");
                        self.conns.insert(
                            conn,
                            OpenConn {
                                addr,
                                unanswered: VecDeque::new(),
                            },
                        );
                        let local_ip = "10.0.0.100".to_string();
                        self.core
                            .handle(self.now, Input::Connected { conn, local_ip });
                    }
                    Action::Close { conn } => {
                        self.conns.remove(&conn);
                    }
                    Action::Event(e) => self.events.push((self.now, e)),
                    Action::Exit(_) | Action::RunScript { .. } | Action::KillScript { .. } => {}
                }
            }
            // A save asked for is done before any output leaves (and fails on a full disk).
            if self.core.take_save_request() {
                progress = true;
                let result = if self.disk_full {
                    Err("No space left on device")
                } else {
                    Ok(())
                };
                self.core.save_finished(self.now, result);
            }
            let mut out: Vec<(ConnId, Vec<u8>)> = Vec::new();
            self.core
                .drain_output(|conn, bytes| out.push((conn, bytes.to_vec())));
            for (conn, bytes) in out {
                progress = true;
                let Some(c) = self.conns.get_mut(&conn) else {
                    continue;
                };
                let mut pos = 0;
                while let Ok(Some((frame, n))) = parse_frame(bytes.get(pos..).unwrap_or_default()) {
                    let argv: Vec<String> = frame
                        .as_elements()
                        .unwrap_or_default()
                        .iter()
                        .map(|f| String::from_utf8_lossy(f.as_bytes().unwrap_or_default()).into())
                        .collect();
                    self.sent.push(Sent {
                        at: self.now,
                        addr: c.addr.clone(),
                        argv: argv.clone(),
                    });
                    c.unanswered.push_back(argv);
                    pos += n;
                }
            }
            if !progress {
                return;
            }
        }
    }

    /// Answers every command whose remote answers now, in order per connection.
    fn deliver(&mut self) {
        loop {
            let mut progress = false;
            let ids: Vec<ConnId> = self.conns.keys().copied().collect();
            for id in ids {
                let reply = {
                    let Some(c) = self.conns.get(&id) else {
                        continue;
                    };
                    let Some(argv) = c.unanswered.front() else {
                        continue;
                    };
                    match self.endpoints.get(&c.addr) {
                        Some(e) if e.answering => reply_to(&e.remote, argv),
                        _ => continue,
                    }
                };
                if let Some(c) = self.conns.get_mut(&id) {
                    c.unanswered.pop_front();
                }
                match parse_frame(&reply) {
                    Ok(Some((frame, _))) => self.core.handle(
                        self.now,
                        Input::Frame {
                            conn: id,
                            frame: &frame,
                        },
                    ),
                    _ => panic!("harness built a bad reply: {reply:?}"),
                }
                self.pump();
                progress = true;
            }
            if !progress {
                return;
            }
        }
    }
}

fn bulk(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(format!("${}\r\n{s}\r\n", s.len()).as_bytes());
}

/// The reply bytes `remote` gives to `argv`.
fn reply_to(remote: &Remote, argv: &[String]) -> Vec<u8> {
    let cmd = argv
        .first()
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_default();
    let sub = argv
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = Vec::new();
    match (remote, cmd.as_str()) {
        (_, "PING") => out.extend_from_slice(b"+PONG\r\n"),
        (_, "PUBLISH") => out.extend_from_slice(b":1\r\n"),
        (_, "SUBSCRIBE") => {
            out.extend_from_slice(b"*3\r\n");
            bulk(&mut out, "subscribe");
            bulk(&mut out, argv.get(1).map_or("", |s| s.as_str()));
            out.extend_from_slice(b":1\r\n");
        }
        (Remote::Redis { info }, "INFO") => bulk(&mut out, info),
        (Remote::Sentinel { down, vote }, "SENTINEL") if sub == "is-master-down-by-addr" => {
            let (leader, epoch) = match vote {
                Some((l, e)) => (l.as_str(), *e),
                None => ("*", 0),
            };
            out.extend_from_slice(format!("*3\r\n:{}\r\n", u8::from(*down)).as_bytes());
            bulk(&mut out, leader);
            out.extend_from_slice(format!(":{epoch}\r\n").as_bytes());
        }
        _ => out.extend_from_slice(b"+OK\r\n"),
    }
    out
}

/// The INFO text of a master with these replicas ("ip:port").
pub fn master_info(replicas: &[&str]) -> String {
    let mut s = String::from(
        "# Server\r\nrun_id:1111111111111111111111111111111111111111\r\n# Replication\r\nrole:master\r\n",
    );
    s.push_str(&format!("connected_slaves:{}\r\n", replicas.len()));
    for (i, r) in replicas.iter().enumerate() {
        let (ip, port) = r.rsplit_once(':').unwrap_or((r, "6379"));
        s.push_str(&format!(
            "slave{i}:ip={ip},port={port},state=online,offset=100,lag=0\r\n"
        ));
    }
    s.push_str("master_repl_offset:100\r\n");
    s
}

/// The INFO text of a replica of `master` ("ip:port"), link up unless `link_down`, at
/// replica-priority 100.
pub fn replica_info(master: &str, link_down: bool) -> String {
    replica_info_at(master, link_down, 100)
}

/// [`replica_info`] with another replica-priority.
pub fn replica_info_at(master: &str, link_down: bool, priority: u32) -> String {
    let (ip, port) = master.rsplit_once(':').unwrap_or((master, "6379"));
    format!(
        "# Server\r\nrun_id:2222222222222222222222222222222222222222\r\n# Replication\r\nrole:slave\r\nmaster_host:{ip}\r\nmaster_port:{port}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:0\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:100\r\nslave_priority:{priority}\r\nslave_read_only:1\r\nconnected_slaves:0\r\n",
        if link_down { "down" } else { "up" }
    )
}

/// A sentinel peer's reply to is-master-down-by-addr.
pub fn peer(down: bool, vote: Option<(&str, u64)>) -> Remote {
    Remote::Sentinel {
        down,
        vote: vote.map(|(l, e)| (l.to_string(), e)),
    }
}

/// The usual scripted group: our master `mymaster` at 10.0.0.1:6379 (down-after 1 s) with one
/// replica at 10.0.0.9:6379, and the given peers (ip, run id) on port 26379, each answering
/// "not down, no vote" until told otherwise.
pub fn group(quorum: u32, peers: &[(&str, &str)]) -> Scenario {
    let mut cfg = format!(
        "sentinel monitor mymaster 10.0.0.1 6379 {quorum}\n\
         sentinel down-after-milliseconds mymaster 1000\n\
         sentinel known-replica mymaster 10.0.0.9 6379\n"
    );
    for (ip, runid) in peers {
        cfg.push_str(&format!(
            "sentinel known-sentinel mymaster {ip} 26379 {runid}\n"
        ));
    }
    let mut s = Scenario::new(&cfg, 1_000);
    s.at(
        "10.0.0.1:6379",
        Remote::Redis {
            info: master_info(&["10.0.0.9:6379"]),
        },
    );
    s.at(
        "10.0.0.9:6379",
        Remote::Redis {
            info: replica_info("10.0.0.1:6379", false),
        },
    );
    for (ip, _) in peers {
        s.at(&format!("{ip}:26379"), peer(false, None));
    }
    s
}
