//! One simulated sentinel process: the real core ([`Sentinel`]) and the real client-facing
//! [`Server`], its config file as bytes ("disk"), and the shell duties of
//! `reactor::event_loop` done the same way: carry out actions, persist when the core asks
//! **before** any output leaves, then flush. A restart rebuilds the process from the last
//! persisted bytes only.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use crate::config::persist::normalized;
use crate::config::{load_str, rewrite, GenericOptions};
use crate::resp::request::RequestParser;
use crate::resp::{Proto, ReplyWriter};
use crate::sentinel::switches::TestSwitches;
use crate::sentinel::{Action, ConnId, Event, Input, Millis, Sentinel, Settings, Timing};
use crate::server::{self, ClientId, CpuUsage, Ctx, Host, SaveError, Server};

/// Why every save fails on a full disk.
const DISK_FULL: &str = "No space left on device (simulated full disk)";

/// What a step of the node asks the world to do, in order.
#[derive(Debug)]
pub enum NOut {
    Connect {
        conn: ConnId,
        host: String,
        port: u16,
    },
    Close(ConnId),
    /// Bytes on one of our outgoing connections.
    Send(ConnId, Vec<u8>),
    /// Reply bytes to a client of our server (by sim connection id).
    Reply(usize, Vec<u8>),
    /// Our server closes that client connection.
    CloseIn(usize),
    Event(Event),
    /// `Action::Exit`: the process dies now, after saving what it had to; nothing after
    /// it happened.
    Exit(i32),
    /// Invariant 5: what we wrote does not load back to the same state.
    BadConfig(String),
    /// We answered `SENTINEL is-master-down-by-addr` on this sim connection (the reply
    /// leaves with this step's output).
    DownReply(usize, DownReply),
    /// A vote left in a reply while the persisted config does not hold it.
    UnpersistedVote(String),
}

/// What one `SENTINEL is-master-down-by-addr` reply said, and what it was asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownReply {
    pub host: String,
    pub port: u16,
    pub down: bool,
    /// The vote in the reply (`None` for `*`) and its epoch.
    pub leader: Option<String>,
    pub epoch: u64,
}

impl DownReply {
    /// Parses the request's arguments and the reply's bytes (`*3 :down $leader :epoch`).
    fn parse(args: &[&[u8]], reply: &[u8]) -> Option<DownReply> {
        let is_cmd = args.len() == 6
            && args.first()?.eq_ignore_ascii_case(b"sentinel")
            && args.get(1)?.eq_ignore_ascii_case(b"is-master-down-by-addr");
        if !is_cmd {
            return None;
        }
        let text = |i: usize| String::from_utf8_lossy(args.get(i).copied().unwrap_or_default());
        let mut lines = reply
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        if lines.next()? != b"*3" {
            return None;
        }
        let down = lines.next()? == b":1";
        lines.next()?.strip_prefix(b"$")?;
        let leader = String::from_utf8_lossy(lines.next()?).into_owned();
        let epoch = std::str::from_utf8(lines.next()?.strip_prefix(b":")?)
            .ok()?
            .parse()
            .ok()?;
        Some(DownReply {
            host: text(2).into_owned(),
            port: text(3).parse().ok()?,
            down,
            leader: (leader != "*").then_some(leader),
            epoch,
        })
    }
}

/// Invariant `vote_reply_is_persisted`: the config on disk holds the vote `r` carries (the
/// epoch it was cast in as current-epoch, and as the asked-about master's leader-epoch).
fn vote_is_persisted(disk: &str, r: &DownReply) -> Result<(), String> {
    if r.leader.is_none() {
        return Ok(());
    }
    let cfg = load_str(disk).map_err(|e| format!("the persisted config does not load: {e}"))?;
    let s = &cfg.sentinel;
    let by_addr = s
        .masters
        .iter()
        .find(|m| m.host == r.host && m.port == r.port);
    let leader_epoch = match by_addr {
        Some(m) => m.leader_epoch,
        None => s.masters.iter().map(|m| m.leader_epoch).max().unwrap_or(0),
    };
    if s.current_epoch < r.epoch || leader_epoch < r.epoch {
        return Err(format!(
            "a vote for {:?} in epoch {} about {}:{} left while the disk holds current-epoch {} and leader-epoch {leader_epoch}",
            r.leader, r.epoch, r.host, r.port, s.current_epoch
        ));
    }
    Ok(())
}

/// The simulator's [`Host`]: the "disk" is the node's config text.
struct SimHost<'a> {
    now: Millis,
    disk_full: bool,
    disk: &'a mut String,
    out: &'a mut Vec<NOut>,
}

impl Host for SimHost<'_> {
    fn unix_time_us(&self) -> u64 {
        1_700_000_000_000_000 + self.now * 1000
    }
    fn cpu_usage(&self) -> CpuUsage {
        CpuUsage::default()
    }
    fn is_executable(&self, _path: &str) -> bool {
        false
    }
    fn save_config(&mut self, core: &Sentinel) -> Result<(), SaveError> {
        if self.disk_full {
            return Err(SaveError(DISK_FULL.into()));
        }
        match persist(self.disk, core) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.out.push(NOut::BadConfig(e.clone()));
                Err(SaveError(e))
            }
        }
    }
}

/// Rewrites the config text with the core's state and installs it if (like
/// `FileStore::save`) it loads back to the same state; otherwise keeps the old text.
fn persist(disk: &mut String, core: &Sentinel) -> Result<(), String> {
    let snap = core.snapshot();
    let text = rewrite(disk, &GenericOptions::default(), &snap);
    match load_str(&text) {
        Ok(cfg) if normalized(&cfg.sentinel) == normalized(&snap) => {
            *disk = text;
            Ok(())
        }
        Ok(cfg) => Err(format!(
            "config does not load back to the same state:\n{text}\nloaded {:?}\nexpected {:?}",
            normalized(&cfg.sentinel),
            normalized(&snap)
        )),
        Err(e) => Err(format!("config does not load: {e}\n{text}")),
    }
}

#[derive(Debug)]
pub struct SentinelNode {
    pub name: String,
    pub ip: String,
    pub port: u16,
    pub core: Option<Sentinel>,
    server: Option<Server>,
    /// The config file's bytes: the only thing that survives a crash.
    pub disk: String,
    /// Every save fails (a full disk) while set; the bytes stay as they were.
    pub disk_full: bool,
    pub inc: u64,
    /// A stalled process runs nothing until then.
    pub paused_until: Millis,
    pub timing: Timing,
    pub switches: TestSwitches,
    /// Our outgoing connections: core id → sim connection.
    pub out_conns: BTreeMap<ConnId, usize>,
    /// Clients of our server: sim connection → (client, parser).
    in_conns: BTreeMap<usize, (ClientId, RequestParser)>,
    /// `is-master-down-by-addr` replies of the step in progress (sim connection, reply).
    down_replies: Vec<(usize, DownReply)>,
}

impl SentinelNode {
    pub fn new(name: &str, ip: &str, port: u16, disk: String, timing: Timing) -> Self {
        SentinelNode {
            name: name.to_string(),
            ip: ip.to_string(),
            port,
            core: None,
            server: None,
            disk,
            disk_full: false,
            inc: 0,
            paused_until: 0,
            timing,
            switches: TestSwitches::default(),
            out_conns: BTreeMap::new(),
            in_conns: BTreeMap::new(),
            down_replies: Vec::new(),
        }
    }

    pub fn alive(&self) -> bool {
        self.core.is_some()
    }

    /// Starts the process from the persisted bytes.
    pub fn boot(&mut self, now: Millis, seed: u64, out: &mut Vec<NOut>) -> Result<(), String> {
        let cfg =
            load_str(&self.disk).map_err(|e| format!("restart: config does not load: {e}"))?;
        let mut core = Sentinel::new(
            &cfg.sentinel,
            Settings {
                port: self.port,
                requirepass: None,
            },
            now,
            seed,
        );
        core.timing = self.timing.clone();
        core.test_switches = self.switches;
        let settings = server::Settings {
            run_id: format!("{seed:040x}"),
            tcp_port: self.port,
            ..server::Settings::default()
        };
        self.server = Some(Server::new(settings, now));
        self.core = Some(core);
        self.inc += 1;
        self.out_conns.clear();
        self.in_conns.clear();
        self.down_replies.clear();
        self.after_core(now, out);
        Ok(())
    }

    pub fn crash(&mut self) {
        self.core = None;
        self.server = None;
        self.out_conns.clear();
        self.in_conns.clear();
        self.down_replies.clear();
    }

    /// A timer tick; returns when the next one is due.
    pub fn tick(&mut self, now: Millis, out: &mut Vec<NOut>) -> Option<Millis> {
        let core = self.core.as_mut()?;
        core.handle(now, Input::Tick);
        let next = core.next_tick_at(now);
        self.after_core(now, out);
        Some(next)
    }

    pub fn connected(&mut self, now: Millis, conn: ConnId, out: &mut Vec<NOut>) {
        let local_ip = self.ip.clone();
        if let Some(core) = self.core.as_mut() {
            core.handle(now, Input::Connected { conn, local_ip });
            self.after_core(now, out);
        }
    }

    pub fn closed(&mut self, now: Millis, conn: ConnId, out: &mut Vec<NOut>) {
        self.out_conns.remove(&conn);
        if let Some(core) = self.core.as_mut() {
            core.handle(now, Input::Closed { conn });
            self.after_core(now, out);
        }
    }

    /// Reply bytes arrived on an outgoing connection. Returns false on a protocol error
    /// (the caller closes the connection).
    pub fn frames(
        &mut self,
        now: Millis,
        conn: ConnId,
        rbuf: &mut Vec<u8>,
        out: &mut Vec<NOut>,
    ) -> bool {
        let Some(core) = self.core.as_mut() else {
            return true;
        };
        let (pos, ok) = match core.handle_reply_bytes(now, conn, rbuf) {
            Ok(pos) => (pos, true),
            Err(_) => (rbuf.len(), false),
        };
        rbuf.drain(..pos.min(rbuf.len()));
        self.after_core(now, out);
        ok
    }

    /// A peer connected to our listening port.
    pub fn accept(&mut self, now: Millis, sim_conn: usize, peer_ip: &str) {
        let Some(server) = self.server.as_mut() else {
            return;
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let peer = SocketAddr::new(ip(peer_ip), 40_000 + (sim_conn % 20_000) as u16);
        let local = SocketAddr::new(ip(&self.ip), self.port);
        let id = server.accept(now, peer, local);
        self.in_conns.insert(sim_conn, (id, RequestParser::new()));
    }

    pub fn client_gone(&mut self, sim_conn: usize) {
        if let (Some((id, _)), Some(server)) =
            (self.in_conns.remove(&sim_conn), self.server.as_mut())
        {
            server.remove(id);
        }
    }

    /// Command bytes from a client of our server, executed as the reactor does.
    pub fn server_input(
        &mut self,
        now: Millis,
        sim_conn: usize,
        rbuf: &mut Vec<u8>,
        out: &mut Vec<NOut>,
    ) {
        let (Some(core), Some(server)) = (self.core.as_mut(), self.server.as_mut()) else {
            return;
        };
        let Some((id, parser)) = self.in_conns.get_mut(&sim_conn) else {
            return;
        };
        let id = *id;
        let mut start = 0;
        loop {
            if server.close_requested(id) || server.client(id).is_none() {
                break;
            }
            let authenticated = server.client(id).is_some_and(|c| c.authenticated);
            let rest = rbuf.get(start..).unwrap_or_default();
            match parser.parse(rest, authenticated) {
                Ok(Some(n)) => {
                    let args: Vec<&[u8]> = parser.args(rest).collect();
                    let mut host = SimHost {
                        now,
                        disk_full: self.disk_full,
                        disk: &mut self.disk,
                        out,
                    };
                    let mut ctx = Ctx {
                        core,
                        host: &mut host,
                        now,
                    };
                    let before = server.output(id).len();
                    server.execute(id, &args, &mut ctx);
                    let reply = server.output(id).get(before..).unwrap_or_default();
                    if let Some(r) = DownReply::parse(&args, reply) {
                        self.down_replies.push((sim_conn, r));
                    }
                    start += n;
                }
                Ok(None) => break,
                Err(e) => {
                    let proto = server.client(id).map_or(Proto::Resp2, |c| c.proto);
                    e.write_reply(&mut ReplyWriter::new(server.output(id), proto));
                    if let Some(c) = server.client_mut(id) {
                        c.close_after_reply = true;
                    }
                    start = rbuf.len();
                    break;
                }
            }
        }
        rbuf.drain(..start.min(rbuf.len()));
        self.after_core(now, out);
    }

    /// The reactor's `after_core`: actions, then the save, then output.
    fn after_core(&mut self, now: Millis, out: &mut Vec<NOut>) {
        let (Some(core), Some(server)) = (self.core.as_mut(), self.server.as_mut()) else {
            return;
        };
        // As the reactor: a save can release held votes, whose step queues more.
        for round in 0..5 {
            while let Some(action) = core.poll_action() {
                match action {
                    Action::Connect { conn, host, port } => {
                        out.push(NOut::Connect { conn, host, port })
                    }
                    Action::Close { conn } => out.push(NOut::Close(conn)),
                    Action::Event(ev) => {
                        if ev.is_published() {
                            server.publish(ev.kind.as_bytes(), ev.text.as_bytes());
                        }
                        out.push(NOut::Event(ev));
                    }
                    Action::Exit(code) => {
                        // As the reactor (and sentinel.c): what led here is saved first;
                        // then the process is gone, with no output.
                        if core.take_save_request() && !self.disk_full {
                            if let Err(e) = persist(&mut self.disk, core) {
                                out.push(NOut::BadConfig(e));
                            }
                        }
                        out.push(NOut::Exit(code));
                        return;
                    }
                    Action::RunScript { id, .. } => core.script_exited(
                        now,
                        id,
                        crate::sentinel::scripts::ScriptExit::SpawnFailed,
                    ),
                    Action::KillScript { .. } => {}
                }
            }
            if round == 4 || !core.take_save_request() {
                break;
            }
            let result = if self.disk_full {
                Err(DISK_FULL.to_string())
            } else {
                persist(&mut self.disk, core)
            };
            if let Err(e) = &result {
                if !self.disk_full {
                    out.push(NOut::BadConfig(e.clone()));
                }
            }
            core.save_finished(now, result.as_ref().map(|_| ()).map_err(String::as_str));
        }
        // Only now may bytes leave: a vote is on disk before the peer hears of it.
        for (sim_conn, r) in std::mem::take(&mut self.down_replies) {
            if let Err(e) = vote_is_persisted(&self.disk, &r) {
                out.push(NOut::UnpersistedVote(format!("{}: {e}", self.name)));
            }
            out.push(NOut::DownReply(sim_conn, r));
        }
        core.drain_output(|conn, bytes| out.push(NOut::Send(conn, bytes.to_vec())));
        let ids: Vec<(usize, ClientId)> =
            self.in_conns.iter().map(|(s, (c, _))| (*s, *c)).collect();
        for (sim_conn, id) in ids {
            let buf = server.output(id);
            if !buf.is_empty() {
                out.push(NOut::Reply(sim_conn, std::mem::take(buf)));
            }
            if server.close_requested(id) {
                out.push(NOut::CloseIn(sim_conn));
            }
        }
        for id in server.take_killed() {
            if let Some((&s, _)) = self.in_conns.iter().find(|(_, (c, _))| *c == id) {
                out.push(NOut::CloseIn(s));
            }
        }
    }
}
