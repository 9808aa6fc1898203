//! Scenario tests of the select-slave wait: one core on a manual clock, a master and two
//! replicas answered by a script (per-instance reply delay, or silence), no peers, quorum 1.

use std::collections::HashMap;

use crate::config::load_str;
use crate::resp::{parse_frame, Proto, ReplyWriter, RequestParser};
use crate::sentinel::{Action, ConnId, Input, Millis, Sentinel, Settings};

const MASTER: u16 = 6379;
/// Priority 100, answers at once.
const A: u16 = 6380;
/// Priority 10: the better candidate.
const B: u16 = 6381;

/// How a scripted instance answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// After this many ms.
    After(Millis),
    /// Never (a stopped process: connections open, nothing comes back).
    Silent,
}

struct World {
    core: Sentinel,
    now: Millis,
    next_tick: Millis,
    parser: RequestParser,
    conn_port: HashMap<ConnId, u16>,
    answer: HashMap<u16, Answer>,
    /// (delivery time, connection, reply bytes), in send order.
    in_flight: Vec<(Millis, ConnId, Vec<u8>)>,
    /// (time, kind, text) of every event.
    events: Vec<(Millis, &'static str, String)>,
    /// `master_link_down_since_seconds` that A and B report (`None`: link up).
    link_down: (Option<i64>, Option<i64>),
}

fn replica_info(port: u16, priority: u32, link_down_secs: Option<i64>) -> String {
    let link = match link_down_secs {
        None => "master_link_status:up\r\nmaster_last_io_seconds_ago:0\r\n".to_string(),
        Some(s) => format!("master_link_status:down\r\nmaster_link_down_since_seconds:{s}\r\n"),
    };
    format!(
        "# Server\r\nrun_id:{port:0>40}\r\ntcp_port:{port}\r\n\r\n# Replication\r\nrole:slave\r\n\
         master_host:127.0.0.1\r\nmaster_port:{MASTER}\r\n{link}\
         master_sync_in_progress:0\r\nslave_repl_offset:1000\r\n\
         slave_priority:{priority}\r\nslave_read_only:1\r\nreplica_announced:1\r\n\
         connected_slaves:0\r\n"
    )
}

fn master_info() -> String {
    format!(
        "# Server\r\nrun_id:{MASTER:0>40}\r\ntcp_port:{MASTER}\r\n\r\n# Replication\r\n\
         role:master\r\nconnected_slaves:2\r\n\
         slave0:ip=127.0.0.1,port={A},state=online,offset=1000,lag=0\r\n\
         slave1:ip=127.0.0.1,port={B},state=online,offset=1000,lag=0\r\n\
         master_repl_offset:1000\r\n"
    )
}

impl World {
    fn new(down_after: u64) -> World {
        World::with_config(down_after, "")
    }

    /// `extra`: more config lines (e.g. the `known-replica`s a restarted sentinel has).
    fn with_config(down_after: u64, extra: &str) -> World {
        let text = format!(
            "sentinel myid 0123456789abcdef0123456789abcdef01234567\n\
             sentinel monitor m 127.0.0.1 {MASTER} 1\n\
             sentinel down-after-milliseconds m {down_after}\n{extra}"
        );
        let cfg = load_str(&text).expect("test config loads");
        let settings = Settings {
            port: 26379,
            requirepass: None,
        };
        let mut core = Sentinel::new(&cfg.sentinel, settings, 1_000, 7);
        core.test_switches.start_jitter_ms = Some(1);
        let answer = [
            (MASTER, Answer::After(0)),
            (A, Answer::After(0)),
            (B, Answer::After(40)),
        ]
        .into_iter()
        .collect();
        World {
            core,
            now: 1_000,
            next_tick: 1_000,
            parser: RequestParser::new(),
            conn_port: HashMap::new(),
            answer,
            in_flight: Vec::new(),
            events: Vec::new(),
            link_down: (None, None),
        }
    }

    /// Runs the world until virtual time `end`: ticks when the core asks, replies when due.
    fn run_until(&mut self, end: Millis) {
        loop {
            let next_reply = self.in_flight.iter().map(|r| r.0).min();
            let at = next_reply.map_or(self.next_tick, |r| r.min(self.next_tick));
            if at > end {
                self.now = end;
                return;
            }
            self.now = at;
            if at >= self.next_tick {
                self.core.handle(self.now, Input::Tick);
                self.next_tick = self.core.next_tick_at(self.now);
            }
            let (due, later): (Vec<_>, Vec<_>) =
                self.in_flight.drain(..).partition(|r| r.0 <= self.now);
            self.in_flight = later;
            for (_, conn, bytes) in due {
                self.deliver(conn, &bytes);
            }
            self.serve();
        }
    }

    fn deliver(&mut self, conn: ConnId, bytes: &[u8]) {
        let mut pos = 0;
        while let Ok(Some((frame, n))) = parse_frame(bytes.get(pos..).unwrap_or_default()) {
            self.core.handle(
                self.now,
                Input::Frame {
                    conn,
                    frame: &frame,
                },
            );
            pos += n;
        }
        self.serve();
    }

    /// Carries out the core's actions and schedules the answers to what it sent.
    fn serve(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(a) = self.core.poll_action() {
                match a {
                    Action::Connect { conn, port, .. } => {
                        progressed = true;
                        self.conn_port.insert(conn, port);
                        self.core.handle(
                            self.now,
                            Input::Connected {
                                conn,
                                local_ip: "127.0.0.1".into(),
                            },
                        );
                    }
                    Action::Event(ev) => self.events.push((self.now, ev.kind, ev.text)),
                    _ => {}
                }
            }
            if self.core.take_save_request() {
                progressed = true;
                self.core.save_finished(self.now, Ok(()));
            }
            let mut out = Vec::new();
            self.core
                .drain_output(|conn, bytes| out.push((conn, bytes.to_vec())));
            if out.is_empty() && !progressed {
                return;
            }
            for (conn, bytes) in out {
                self.answer(conn, &bytes);
            }
        }
    }

    fn answer(&mut self, conn: ConnId, bytes: &[u8]) {
        let port = self.conn_port.get(&conn).copied().unwrap_or(0);
        let Some(Answer::After(delay)) = self.answer.get(&port).copied() else {
            return;
        };
        let mut replies = Vec::new();
        let mut start = 0;
        while let Ok(Some(n)) = self
            .parser
            .parse(bytes.get(start..).unwrap_or_default(), true)
        {
            let view = bytes.get(start..).unwrap_or_default();
            let cmd = self
                .parser
                .arg(view, 0)
                .unwrap_or_default()
                .to_ascii_uppercase();
            let mut w = ReplyWriter::new(&mut replies, Proto::Resp2);
            match cmd.as_slice() {
                b"PING" => w.simple("PONG"),
                b"INFO" => match port {
                    MASTER => w.bulk(master_info().as_bytes()),
                    A => w.bulk(replica_info(A, 100, self.link_down.0).as_bytes()),
                    _ => w.bulk(replica_info(B, 10, self.link_down.1).as_bytes()),
                },
                b"PUBLISH" => w.integer(1),
                b"SUBSCRIBE" => {
                    w.array(3);
                    w.bulk(b"subscribe");
                    w.bulk(b"__sentinel__:hello");
                    w.integer(1);
                }
                _ => w.simple("OK"),
            }
            start += n;
        }
        // Replies on one connection keep their order.
        let at = self
            .in_flight
            .iter()
            .filter(|r| r.1 == conn)
            .map(|r| r.0)
            .max()
            .unwrap_or(0)
            .max(self.now + delay);
        self.in_flight.push((at, conn, replies));
    }

    fn first(&self, kind: &str) -> Option<&(Millis, &'static str, String)> {
        self.events.iter().find(|e| e.1 == kind)
    }

    /// When the replica at `port` last had its INFO accepted.
    fn info_refresh(&self, port: u16) -> Millis {
        self.core
            .masters
            .first()
            .and_then(|m| m.replicas.iter().find(|r| r.common.port == port))
            .map_or(0, |r| r.reported.info_refresh)
    }
}

/// Runs until both replicas are known with an INFO, then stops the master at `stop_at`
/// (absolute) and runs until `end`.
fn stop_master_at(w: &mut World, stop_at: Millis, end: Millis) {
    w.run_until(stop_at);
    assert!(
        w.info_refresh(A) > 0 && w.info_refresh(B) > 0,
        "both replicas reported INFO"
    );
    w.answer.insert(MASTER, Answer::Silent);
    w.run_until(end);
}

fn selected(w: &World) -> Option<(Millis, u16)> {
    w.first("+selected-slave").map(|(t, _, text)| {
        let port = if text.contains(&format!("127.0.0.1:{B}")) {
            B
        } else {
            A
        };
        (*t, port)
    })
}

#[test]
fn selection_waits_for_the_fresh_info_of_every_reachable_replica() {
    // The replicas' INFO (10 s period) is ~5.5 s old when the failover starts: too old to
    // rank (5 × ping period). A answers the new INFO at once, B 40 ms later.
    let mut w = World::new(1_000);
    stop_master_at(&mut w, 5_500, 12_000);
    let (start, _, _) = w
        .first("+failover-state-select-slave")
        .cloned()
        .expect("failover reached select-slave");
    let (at, port) = selected(&w).expect("a replica was selected");
    assert_eq!(port, B, "priority 10 beats priority 100: {:?}", w.events);
    assert!(
        at >= start + 40,
        "selected at {at}, before B's INFO (failover at {start})"
    );
    assert!(at <= start + 100, "selected at {at}: waited past B's reply");
}

#[test]
fn a_replica_that_does_not_answer_in_time_is_ranked_on_the_info_it_had() {
    // B answers everything 1.5 s late: never SDOWN (down-after 2 s), but its INFO asked at
    // the failover's start comes after the wait's bound (one ping period). (master stopped
    // at, who is promoted): B's last INFO (at ~2.5 s) is still rankable at the bound, or it
    // is too old (5 × ping period) and B is passed over.
    for (stop_at, want) in [(2_600, B), (6_000, A)] {
        let mut w = World::new(2_000);
        w.answer.insert(B, Answer::After(1_500));
        stop_master_at(&mut w, stop_at, stop_at + 6_000);
        let (start, _, _) = w
            .first("+failover-state-select-slave")
            .cloned()
            .expect("failover reached select-slave");
        let (at, port) = selected(&w).expect("a replica was selected");
        assert_eq!(port, want, "stop at {stop_at}: {:?}", w.events);
        assert!(
            (start + 1_000..=start + 1_030).contains(&at),
            "stop at {stop_at}: selected at {at}, select-slave at {start}"
        );
    }
}

/// The master is silent from the start (this sentinel never saw it reply) and the
/// replicas report their link down for `downs` seconds; runs until 6 s.
fn started_after_the_master_died(downs: (i64, i64), sentinel_c_rule: bool) -> World {
    let known =
        format!("sentinel known-replica m 127.0.0.1 {A}\nsentinel known-replica m 127.0.0.1 {B}\n");
    let mut w = World::with_config(1_000, &known);
    w.core.test_switches.staleness_from_own_sdown = sentinel_c_rule;
    w.link_down = (Some(downs.0), Some(downs.1));
    w.answer.insert(MASTER, Answer::Silent);
    w.run_until(6_000);
    w
}

#[test]
fn under_sentinel_cs_rule_a_sentinel_started_after_the_master_died_never_fails_over() {
    // The scenario below, with the link-down limit measured from our own SDOWN only.
    let w = started_after_the_master_died((60, 60), true);
    assert!(w.first("+failover-state-select-slave").is_some());
    assert_eq!(selected(&w), None, "{:?}", w.events);
    assert!(w.first("-failover-abort-no-good-slave").is_some());
}

#[test]
fn a_sentinel_started_after_the_master_died_judges_staleness_from_the_freshest_replica() {
    // The replicas lost the master long ago: 60 s, far more than our SDOWN's age +
    // 10 × down-after. (A's, B's link-down seconds, who is promoted.)
    for (downs, want) in [
        ((60, 60), B),
        ((60, 69), B),
        // B is more than 10 × down-after staler than A: still excluded.
        ((60, 200), A),
        ((60, -1), B),
    ] {
        let w = started_after_the_master_died(downs, false);
        assert!(
            w.first("+failover-state-select-slave").is_some(),
            "{downs:?}"
        );
        assert_eq!(
            selected(&w).map(|s| s.1),
            Some(want),
            "{downs:?}: {:?}",
            w.events
        );
        assert!(
            w.first("-failover-abort-no-good-slave").is_none(),
            "{downs:?}"
        );
    }
}

#[test]
fn a_sentinel_that_saw_the_master_up_keeps_the_absolute_staleness_rule() {
    // The replicas were cut off from a master that kept running (we had its INFO): their
    // data is a minute old, and promoting one would lose that minute of writes.
    let mut w = World::new(1_000);
    w.link_down = (Some(60), Some(60));
    stop_master_at(&mut w, 2_000, 8_000);
    assert!(w.first("+failover-state-select-slave").is_some());
    assert_eq!(selected(&w), None, "{:?}", w.events);
    assert!(w.first("-failover-abort-no-good-slave").is_some());
}
