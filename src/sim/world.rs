//! The world of one seed: processes (sentinels, then Redis instances), the network, the
//! event queue ordered by (virtual time, sequence), and the step loop. Each step runs one
//! event at one process and applies what it produced; invariants are checked as it goes.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::invariants::{Checker, Violation};
use super::net::{Net, Packet, ProcId};
use super::node::{NOut, SentinelNode};
use super::redis::{ROut, RedisNode};
use super::schedule::{self, Fault, FAULTS_END};
use super::setup::{group, group_name, sim_timing};
use super::trace::Trace;
use super::{FaultMix, SeedReport, SimConfig};
use crate::sentinel::rng::Rng;
use crate::sentinel::Millis;

/// After the faults end, the cluster must have converged within this long.
pub const LIVENESS_BOUND: Millis = 25_000;
/// …and stay converged this long.
pub(super) const STABLE_FOR: Millis = 1_000;
const CHECK_EVERY: Millis = 100;
const SENTINEL_PORT: u16 = 26379;
pub(super) const REDIS_PORT: u16 = 6379;
pub const DOWN_AFTER: Millis = 1_000;
const FAILOVER_TIMEOUT: Millis = 3_000;

#[derive(Debug)]
pub(super) enum Ev {
    Tick(ProcId, u64),
    ConnectDone(usize),
    Deliver(usize, bool),
    Fault(Fault),
    Check,
}

#[derive(Debug)]
struct Queued {
    at: Millis,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

pub struct World {
    pub(super) cfg: SimConfig,
    pub(super) now: Millis,
    pub(super) rng: Rng,
    queue: BinaryHeap<Reverse<Queued>>,
    seq: u64,
    pub(super) sentinels: Vec<SentinelNode>,
    pub(super) redis: Vec<RedisNode>,
    pub(super) net: Net,
    pub(super) checker: Checker,
    pub(super) trace: Trace,
    pub(super) steps: u64,
    pub(super) crashed_master: Option<ProcId>,
    pub(super) failover_from: Option<(Millis, (String, u16))>,
    pub(super) failover_ms: Option<Millis>,
    pub(super) faults_over: bool,
    pub(super) converged_since: Option<Millis>,
    pub(super) done: bool,
    /// [sentinel][redis]: the last moment the pair was not healthy (see `reach`).
    pub(super) reach_bad: Vec<Vec<Millis>>,
    /// [redis]: since when it has had the master role (`None`: it has not).
    pub(super) master_since: Vec<Option<Millis>>,
}

impl World {
    pub fn new(cfg: &SimConfig) -> World {
        let mut rng = Rng::new(cfg.seed ^ 0x5eed_5eed_0000_0001);
        let n = cfg.sentinels.clamp(1, 7);
        let groups = cfg.groups();
        let quorum = n / 2 + 1;
        let mut text = format!("port {SENTINEL_PORT}\n");
        for g in 0..groups {
            let name = group_name(g);
            text.push_str(&format!(
                "sentinel monitor {name} 10.0.{}.1 {REDIS_PORT} {quorum}\n\
                 sentinel down-after-milliseconds {name} {DOWN_AFTER}\n\
                 sentinel failover-timeout {name} {FAILOVER_TIMEOUT}\n",
                g + 1
            ));
        }
        let timing = sim_timing(cfg.faults);
        let sentinels: Vec<SentinelNode> = (0..n)
            .map(|i| {
                let mut s = SentinelNode::new(
                    &format!("s{i}"),
                    &format!("10.0.0.{}", i + 1),
                    SENTINEL_PORT,
                    text.clone(),
                    timing.clone(),
                );
                s.switches = cfg.switches;
                s
            })
            .collect();
        let mut redis = Vec::new();
        for g in 0..groups {
            redis.extend(group(g, &mut rng));
        }
        let procs = n + redis.len();
        let checker = Checker::default();
        let mut w = World {
            cfg: cfg.clone(),
            now: 0,
            rng,
            queue: BinaryHeap::new(),
            seq: 0,
            sentinels,
            redis,
            net: Net::new(procs),
            checker,
            trace: Trace::new(cfg.trace),
            steps: 0,
            crashed_master: None,
            failover_from: None,
            failover_ms: None,
            faults_over: false,
            converged_since: None,
            done: false,
            reach_bad: Vec::new(),
            master_since: Vec::new(),
        };
        w.reach_bad = vec![vec![0; w.redis.len()]; n];
        w.master_since = vec![None; w.redis.len()];
        let faults = schedule::generate(&mut w.rng, cfg.faults, n, groups);
        for (t, f) in faults {
            w.push(t, Ev::Fault(f));
        }
        if matches!(cfg.faults, FaultMix::Race | FaultMix::Multi) {
            w.priority_race(groups);
        }
        for p in 0..n {
            w.restart(p);
        }
        w.push(CHECK_EVERY, Ev::Check);
        w
    }

    pub(super) fn push(&mut self, at: Millis, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse(Queued {
            at,
            seq: self.seq,
            ev,
        }));
    }

    /// Runs to convergence, a violation or the deadline.
    pub fn run(mut self) -> SeedReport {
        // sentinel.c notices a master that reports the replica role after down-after + 2
        // INFO periods: a longer INFO period (the race mix's) lengthens recovery by as much.
        let info = sim_timing(self.cfg.faults).info_period;
        let bound = LIVENESS_BOUND + 2 * info.saturating_sub(sim_timing(FaultMix::All).info_period);
        let deadline = FAULTS_END + bound;
        while let Some(Reverse(q)) = self.queue.pop() {
            if q.at > deadline || self.done || !self.checker.violations.is_empty() {
                break;
            }
            self.now = q.at;
            self.steps += 1;
            // Before each step: what the previous one changed is marked, at this time.
            self.note_reach();
            self.step(q.ev);
        }
        if !self.done && self.checker.violations.is_empty() {
            let d = format!(
                "not converged {bound} ms after the faults ended: {}",
                self.describe()
            );
            self.violation("liveness", d);
        }
        for v in &self.checker.violations {
            self.trace.log(v.at, "!!", || v.to_string());
        }
        SeedReport {
            seed: self.cfg.seed,
            violations: self.checker.violations.clone(),
            failover_ms: self.failover_ms,
            split_vote: self.checker.split_vote(),
            multi_leader: self.checker.elected.len() > 1,
            virtual_ms: self.now,
            steps: self.steps,
            trace: std::mem::take(&mut self.trace.lines),
        }
    }

    pub(super) fn violation(&mut self, invariant: &'static str, detail: String) {
        self.checker.violations.push(Violation {
            at: self.now,
            invariant,
            detail,
        });
    }

    pub(super) fn n(&self) -> usize {
        self.sentinels.len()
    }

    pub(super) fn proc_name(&self, p: ProcId) -> String {
        match p.checked_sub(self.n()) {
            None => self.sentinels.get(p).map(|s| s.name.clone()),
            Some(j) => self.redis.get(j).map(|r| r.name.clone()),
        }
        .unwrap_or_default()
    }

    pub(super) fn proc_by_addr(&self, host: &str, port: u16) -> Option<ProcId> {
        if let Some(i) = self
            .sentinels
            .iter()
            .position(|s| s.ip == host && s.port == port)
        {
            return Some(i);
        }
        self.redis
            .iter()
            .position(|r| r.ip == host && r.port == port)
            .map(|j| j + self.n())
    }

    pub(super) fn alive(&self, p: ProcId) -> bool {
        match p.checked_sub(self.n()) {
            None => self.sentinels.get(p).is_some_and(SentinelNode::alive),
            Some(j) => self.redis.get(j).is_some_and(|r| r.alive),
        }
    }

    pub(super) fn inc(&self, p: ProcId) -> u64 {
        match p.checked_sub(self.n()) {
            None => self.sentinels.get(p).map_or(0, |s| s.inc),
            Some(j) => self.redis.get(j).map_or(0, |r| r.inc),
        }
    }

    pub(super) fn ip(&self, p: ProcId) -> String {
        match p.checked_sub(self.n()) {
            None => self.sentinels.get(p).map(|s| s.ip.clone()),
            Some(j) => self.redis.get(j).map(|r| r.ip.clone()),
        }
        .unwrap_or_default()
    }

    fn step(&mut self, ev: Ev) {
        match ev {
            Ev::Tick(p, inc) => {
                let Some(s) = self.sentinels.get_mut(p) else {
                    return;
                };
                if !s.alive() || s.inc != inc {
                    return;
                }
                if s.paused_until > self.now {
                    let at = s.paused_until;
                    return self.push(at, Ev::Tick(p, inc));
                }
                let mut out = Vec::new();
                let next = s.tick(self.now, &mut out);
                self.apply(p, out);
                if let Some(at) = next {
                    if self.sentinels.get(p).is_some_and(|s| s.inc == inc) {
                        self.push(at, Ev::Tick(p, inc));
                    }
                }
            }
            Ev::ConnectDone(id) => self.connect_done(id),
            Ev::Deliver(id, to_server) => self.deliver(id, to_server),
            Ev::Fault(f) => self.fault(f),
            Ev::Check => {
                self.refresh_replication();
                self.check_liveness();
                self.push(self.now + CHECK_EVERY, Ev::Check);
            }
        }
    }

    /// Applies what sentinel `p`'s step produced.
    pub(super) fn apply(&mut self, p: ProcId, out: Vec<NOut>) {
        let now = self.now;
        let who = self.proc_name(p);
        for o in out {
            match o {
                NOut::Connect { conn, host, port } => {
                    let target = self.proc_by_addr(&host, port);
                    let lat = self.net.latency(&mut self.rng, now);
                    let (server, server_inc, at) = match target {
                        Some(t) if self.net.linked(p, t) => (t, self.inc(t), now + 2 * lat + 1),
                        Some(t) => (t, self.inc(t), now + 1_000),
                        None => (p, u64::MAX, now + lat),
                    };
                    let client_inc = self.inc(p);
                    let id = self.net.open(p, client_inc, conn, server, server_inc, at);
                    if let Some(s) = self.sentinels.get_mut(p) {
                        s.out_conns.insert(conn, id);
                    }
                    self.push(at, Ev::ConnectDone(id));
                }
                NOut::Close(conn) => {
                    let Some(id) = self
                        .sentinels
                        .get_mut(p)
                        .and_then(|s| s.out_conns.remove(&conn))
                    else {
                        continue;
                    };
                    self.close_side(id, true);
                }
                NOut::Send(conn, bytes) => {
                    let Some(&id) = self.sentinels.get(p).and_then(|s| s.out_conns.get(&conn))
                    else {
                        continue;
                    };
                    self.count_commands(p, id, &bytes);
                    self.send(id, true, bytes);
                }
                NOut::DownReply(id, r) => self.down_reply(p, id, &r),
                NOut::UnpersistedVote(d) => self.violation("vote_reply_is_persisted", d),
                NOut::Reply(id, bytes) => self.send(id, false, bytes),
                NOut::CloseIn(id) => {
                    if let Some(s) = self.sentinels.get_mut(p) {
                        s.client_gone(id);
                    }
                    self.close_side(id, false);
                }
                NOut::Event(ev) => {
                    self.trace
                        .log(now, &who, || format!("{} {}", ev.kind, ev.text));
                    if let Some(core) = self.sentinels.get(p).and_then(|s| s.core.as_ref()) {
                        self.checker.on_event(now, &who, core, &ev);
                    }
                    if matches!(ev.kind, "+odown" | "+try-failover") {
                        self.no_odown_of_reachable_master(p, ev.kind, &ev.text);
                    }
                    if ev.kind == "+selected-slave" {
                        self.promoted_replica_is_the_best_reachable(p, &ev.text);
                    }
                }
                NOut::Exit(code) => {
                    self.trace
                        .log(now, &who, || format!("exit({code}) (simulated failure)"));
                    self.checker.step_aborted();
                    self.crash(p);
                    let at = now + 500 + self.rng.below(2_500);
                    self.push(at, Ev::Fault(Fault::Restart(p)));
                    return;
                }
                NOut::BadConfig(e) => self.violation("config_parses_back", format!("{who}: {e}")),
            }
        }
        if let Some(core) = self.sentinels.get(p).and_then(|s| s.core.as_ref()) {
            // While its saves fail (a full disk) a sentinel's epochs live in memory only
            // (no vote in them leaves): only its votes are checked then.
            if core.save_failing() {
                self.checker.step_done_unpersisted(now, &who);
            } else {
                self.checker.step_done(now, &who, core);
            }
        }
        self.measure_failover();
    }

    /// Queues bytes on a connection and schedules their delivery.
    pub(super) fn send(&mut self, id: usize, to_server: bool, bytes: Vec<u8>) {
        if let Some(at) = self
            .net
            .push(&mut self.rng, self.now, id, to_server, Packet::Data(bytes))
        {
            self.push(at, Ev::Deliver(id, to_server));
        }
    }

    /// One end closes (or crashes): a FIN follows its in-flight bytes; what was in flight
    /// towards it is lost.
    pub(super) fn close_side(&mut self, id: usize, client_side: bool) {
        let now = self.now;
        let at = self
            .net
            .push(&mut self.rng, now, id, client_side, Packet::Fin);
        if let Some(c) = self.net.conn(id) {
            if client_side {
                c.client_open = false;
                c.to_client.clear();
            } else {
                c.server_open = false;
                c.to_server.clear();
            }
        }
        if let Some(at) = at {
            self.push(at, Ev::Deliver(id, client_side));
        }
    }

    fn connect_done(&mut self, id: usize) {
        let now = self.now;
        let Some(c) = self.net.conns.get(id) else {
            return;
        };
        let (client, server, core_conn, sinc) = (c.client, c.server, c.core_conn, c.server_inc);
        if !c.client_open || c.established || self.inc(client) != c.client_inc {
            return;
        }
        let ok = self.alive(server) && self.inc(server) == sinc && self.net.linked(client, server);
        let mut out = Vec::new();
        if ok {
            if let Some(c) = self.net.conn(id) {
                c.established = true;
                c.server_open = true;
            }
            let client_ip = self.ip(client);
            match server.checked_sub(self.n()) {
                None => {
                    if let Some(s) = self.sentinels.get_mut(server) {
                        s.accept(now, id, &client_ip);
                    }
                }
                Some(j) => {
                    if let Some(r) = self.redis.get_mut(j) {
                        r.accept(id);
                    }
                }
            }
            if let Some(s) = self.sentinels.get_mut(client) {
                s.connected(now, core_conn, &mut out);
            }
        } else {
            if let Some(c) = self.net.conn(id) {
                c.client_open = false;
                c.to_server.clear();
            }
            if let Some(s) = self.sentinels.get_mut(client) {
                s.closed(now, core_conn, &mut out);
            }
        }
        self.apply(client, out);
    }

    fn deliver(&mut self, id: usize, to_server: bool) {
        let now = self.now;
        let Some(c) = self.net.conns.get(id) else {
            return;
        };
        let (src, dst) = if to_server {
            (c.client, c.server)
        } else {
            (c.server, c.client)
        };
        let dst_open = if to_server {
            c.server_open
        } else {
            c.client_open
        };
        if !dst_open {
            if to_server && !c.established && c.client_open {
                let at = c.connect_at.max(now + 1);
                return self.push(at, Ev::Deliver(id, to_server));
            }
            return;
        }
        if let Some(s) = self.sentinels.get(dst) {
            if s.paused_until > now {
                let at = s.paused_until;
                return self.push(at, Ev::Deliver(id, to_server));
            }
        }
        if !self.net.reachable(src, dst) {
            let at = now + 50 + self.rng.below(200);
            return self.push(at, Ev::Deliver(id, to_server));
        }
        let Some(c) = self.net.conn(id) else { return };
        let core_conn = c.core_conn;
        let mut fin = false;
        let mut data = Vec::new();
        let q = c.queue(to_server);
        while q.front().is_some_and(|(t, _)| *t <= now) {
            match q.pop_front() {
                Some((_, Packet::Data(b))) => data.extend_from_slice(&b),
                Some((_, Packet::Fin)) => {
                    fin = true;
                    q.clear();
                }
                None => break,
            }
        }
        let mut rbuf = if to_server {
            std::mem::take(&mut c.server_rbuf)
        } else {
            std::mem::take(&mut c.client_rbuf)
        };
        rbuf.extend_from_slice(&data);
        let n = self.n();
        if to_server {
            match dst.checked_sub(n) {
                None => {
                    let mut out = Vec::new();
                    if let Some(s) = self.sentinels.get_mut(dst) {
                        if !data.is_empty() {
                            s.server_input(now, id, &mut rbuf, &mut out);
                        }
                        if fin {
                            s.client_gone(id);
                        }
                    }
                    self.apply(dst, out);
                }
                Some(j) => {
                    if !data.is_empty() {
                        self.refresh_replication();
                        if let Some(r) = self.redis.get_mut(j) {
                            let outs = r.input(now, id, &mut rbuf, &mut self.rng);
                            self.apply_redis(dst, outs);
                        }
                    }
                    if fin {
                        if let Some(r) = self.redis.get_mut(j) {
                            r.remove(id);
                        }
                    }
                }
            }
            if let Some(c) = self.net.conn(id) {
                c.server_rbuf = rbuf;
                if fin {
                    c.server_open = false;
                }
            }
        } else {
            let mut out = Vec::new();
            let mut ok = true;
            if let Some(s) = self.sentinels.get_mut(dst) {
                if !data.is_empty() {
                    ok = s.frames(now, core_conn, &mut rbuf, &mut out);
                }
            }
            self.apply(dst, out);
            if let Some(c) = self.net.conn(id) {
                c.client_rbuf = rbuf;
            }
            if fin || !ok {
                let mut out = Vec::new();
                if let Some(c) = self.net.conn(id) {
                    c.client_open = false;
                }
                if let Some(s) = self.sentinels.get_mut(dst) {
                    if s.out_conns.remove(&core_conn).is_some() {
                        s.closed(now, core_conn, &mut out);
                    }
                }
                self.apply(dst, out);
            }
        }
    }

    pub(super) fn apply_redis(&mut self, p: ProcId, outs: Vec<ROut>) {
        let who = self.proc_name(p);
        for o in outs {
            match o {
                ROut::Reply(id, bytes) => self.send(id, false, bytes),
                ROut::Kill(id) => self.close_side(id, false),
                ROut::Promoted(id) => {
                    let by = self
                        .net
                        .conns
                        .get(id)
                        .map(|c| self.proc_name(c.client))
                        .unwrap_or_default();
                    let eligible = p
                        .checked_sub(self.n())
                        .and_then(|j| self.redis.get(j))
                        .is_some_and(RedisNode::eligible);
                    self.checker
                        .promotion_is_eligible(self.now, &who, eligible, &by);
                }
                ROut::Note(s) => self.trace.log(self.now, &who, || s),
            }
        }
    }
}
