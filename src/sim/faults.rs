//! Faults applied to the world (crashes, restarts, cuts, resets, stalls, spikes, the end of
//! the faults) and process lifecycles.

use super::net::ProcId;
use super::schedule::Fault;
use super::world::{Ev, World};

impl World {
    pub(super) fn crash(&mut self, p: ProcId) {
        let name = self.proc_name(p);
        self.trace.log(self.now, &name, || "CRASH".into());
        for id in self.net.conns_of(p) {
            let Some(c) = self.net.conns.get(id) else {
                continue;
            };
            let client_side = c.client == p;
            self.close_side(id, client_side);
        }
        match p.checked_sub(self.n()) {
            None => {
                if let Some(s) = self.sentinels.get_mut(p) {
                    s.crash();
                }
            }
            Some(j) => {
                if let Some(r) = self.redis.get_mut(j) {
                    r.crash();
                }
            }
        }
    }

    pub(super) fn restart(&mut self, p: ProcId) {
        if self.alive(p) {
            return;
        }
        let now = self.now;
        let name = self.proc_name(p);
        self.trace.log(now, &name, || "START".into());
        match p.checked_sub(self.n()) {
            None => {
                let seed = self.rng.next_u64();
                let mut out = Vec::new();
                let Some(s) = self.sentinels.get_mut(p) else {
                    return;
                };
                if let Err(e) = s.boot(now, seed, &mut out) {
                    return self.violation("config_parses_back", format!("{name}: {e}"));
                }
                let inc = s.inc;
                if let Some(core) = s.core.as_ref() {
                    self.checker.restarted(&core.myid, now);
                }
                self.apply(p, out);
                self.push(now, Ev::Tick(p, inc));
            }
            Some(j) => {
                if let Some(r) = self.redis.get_mut(j) {
                    r.restart(now, &mut self.rng);
                }
            }
        }
    }

    pub(super) fn fault(&mut self, f: Fault) {
        let now = self.now;
        self.trace.log(now, "~~", || format!("{f:?}"));
        match f {
            Fault::CrashMaster(g) => {
                let Some(j) = self
                    .redis
                    .iter()
                    .enumerate()
                    .position(|(j, r)| j / 3 == g && r.alive && r.is_master())
                else {
                    return;
                };
                let p = j + self.n();
                if g == 0 && self.failover_from.is_none() && self.failover_ms.is_none() {
                    if let Some(addr) = self.agreement() {
                        if self
                            .redis
                            .get(j)
                            .is_some_and(|r| (r.ip.as_str(), r.port) == (addr.0.as_str(), addr.1))
                        {
                            self.failover_from = Some((now, addr));
                        }
                    }
                }
                if g == 0 {
                    self.crashed_master = Some(p);
                }
                self.crash(p);
            }
            Fault::Crash(p) => {
                if self.alive(p) {
                    self.crash(p);
                }
            }
            Fault::Restart(p) => self.restart(p),
            Fault::Cut(a, b) => self.net.set_cut(a, b, true),
            Fault::Heal(a, b) => self.net.set_cut(a, b, false),
            Fault::Reset(p) => {
                self.reach_reset(p);
                for id in self.net.conns_of(p) {
                    let established = self.net.conns.get(id).is_some_and(|c| c.established);
                    if established {
                        self.close_side(id, true);
                        self.close_side(id, false);
                    }
                }
            }
            Fault::Stall(p, ms) => {
                if let Some(s) = self.sentinels.get_mut(p) {
                    s.paused_until = now + ms;
                }
            }
            Fault::SimulateFailure(p, flags) => {
                if let Some(core) = self.sentinels.get_mut(p).and_then(|s| s.core.as_mut()) {
                    core.simulate_failure = flags;
                }
            }
            Fault::Delay(a, b, ms) => self.net.set_delay(a, b, ms),
            Fault::Spike(ms, dur) => {
                self.net.spike_ms = ms;
                self.net.spike_until = now + dur;
            }
            Fault::ForgedHello(_)
            | Fault::AnnounceHostname(_)
            | Fault::DiskFull(_)
            | Fault::DiskBack(_) => self.hostile_fault(f),
            Fault::End { restart_master } => {
                self.net.heal_all();
                for p in 0..self.n() {
                    self.set_disk_full(p, false);
                    // A crash point still armed is a fault too: it must not fire later.
                    if let Some(core) = self.sentinels.get_mut(p).and_then(|s| s.core.as_mut()) {
                        core.simulate_failure = 0;
                    }
                }
                self.faults_over = true;
                let procs = self.n() + self.redis.len();
                for p in 0..procs {
                    if restart_master || Some(p) != self.crashed_master {
                        self.restart(p);
                    }
                }
            }
        }
    }
}
