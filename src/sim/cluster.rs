//! What the world knows about the cluster as a whole: replication links between the
//! simulated instances, whether the sentinels agree on a master, the failover time, and the
//! liveness invariant (6).

use super::redis::RRole;
use super::setup::group_name;
use super::world::{World, STABLE_FOR};

impl World {
    /// Keeps the replicas' links, offsets and their masters' replica lists up to date.
    pub(super) fn refresh_replication(&mut self) {
        let now = self.now;
        let n = self.n();
        for j in 0..self.redis.len() {
            let Some(r) = self.redis.get(j) else { continue };
            let RRole::Replica { host, port } = &r.role else {
                continue;
            };
            if !r.alive {
                continue;
            }
            let target = self
                .redis
                .iter()
                .position(|t| t.ip == *host && t.port == *port);
            let ok = target.filter(|&k| {
                k != j
                    && self
                        .redis
                        .get(k)
                        .is_some_and(|t| t.alive && now >= t.loading_until)
                    && self.net.linked(j + n, k + n)
            });
            let master_off = ok
                .and_then(|k| self.redis.get(k))
                .map(|t| t.offset_now(now));
            let delay = 20 + self.rng.below(400);
            let Some(r) = self.redis.get_mut(j) else {
                continue;
            };
            match master_off {
                Some(off) if r.link_up => r.offset = off,
                Some(off) => match r.sync_ready_at {
                    None => r.sync_ready_at = Some(now + delay),
                    Some(t) if now >= t => {
                        r.link_up = true;
                        r.link_down_since = None;
                        r.offset = off;
                    }
                    Some(_) => {}
                },
                None => {
                    if r.link_up {
                        r.link_up = false;
                        r.link_down_since = Some(now);
                    }
                    r.sync_ready_at = None;
                }
            }
        }
        for k in 0..self.redis.len() {
            let mut att = Vec::new();
            if let Some(m) = self.redis.get(k).filter(|m| m.alive && m.is_master()) {
                for (j, r) in self.redis.iter().enumerate() {
                    let follows = matches!(&r.role, RRole::Replica { host, port } if *host == m.ip && *port == m.port);
                    if j != k && r.alive && follows && (r.link_up || r.sync_ready_at.is_some()) {
                        let ip = r.announce_ip.as_ref().unwrap_or(&r.ip);
                        att.push((ip.clone(), r.port, r.offset));
                    }
                }
            }
            if let Some(m) = self.redis.get_mut(k) {
                m.attached = att;
            }
        }
    }

    /// The address every live sentinel names for the first master, if they agree.
    pub(super) fn agreement(&self) -> Option<(String, u16)> {
        self.agreement_on(0)
    }

    /// The address every live sentinel names for master `g`, if they agree.
    pub(super) fn agreement_on(&self, g: usize) -> Option<(String, u16)> {
        let name = group_name(g);
        let mut addr: Option<(String, u16)> = None;
        for s in &self.sentinels {
            let Some(core) = s.core.as_ref() else {
                continue;
            };
            let m = core.masters.iter().find(|m| m.common.name == name)?;
            let (h, p) = m.current_addr();
            match &addr {
                None => addr = Some((h.to_string(), p)),
                Some((ah, ap)) if ah == h && *ap == p => {}
                Some(_) => return None,
            }
        }
        addr
    }

    pub(super) fn measure_failover(&mut self) {
        let Some((t0, old)) = &self.failover_from else {
            return;
        };
        let Some(addr) = self.agreement() else { return };
        if addr != *old
            && self
                .redis
                .iter()
                .any(|r| r.alive && r.is_master() && r.ip == addr.0 && r.port == addr.1)
        {
            self.failover_ms = Some(self.now - t0);
            self.failover_from = None;
        }
    }

    /// Invariant 6: for every master, all live sentinels name the same instance, it is a
    /// master, and every other live instance of its group replicates from it with its link
    /// up — except a replica that announces itself by host name: the sentinels never list
    /// it (nor does redis-sentinel with `resolve-hostnames no`), so none will reconfigure it.
    pub(super) fn converged(&self) -> bool {
        (0..self.redis.len() / 3).all(|g| self.converged_on(g))
    }

    fn converged_on(&self, g: usize) -> bool {
        let Some((h, p)) = self.agreement_on(g) else {
            return false;
        };
        let Some(m) = self.redis.iter().find(|r| r.ip == h && r.port == p) else {
            return false;
        };
        if !m.alive || !m.is_master() {
            return false;
        }
        self.redis
            .iter()
            .enumerate()
            .filter(|(j, r)| j / 3 == g && r.alive && !(r.ip == h && r.port == p))
            .filter(|(_, r)| {
                r.announce_ip
                    .as_deref()
                    .is_none_or(|a| a.parse::<std::net::IpAddr>().is_ok())
            })
            .all(|(_, r)| {
                r.link_up
                    && matches!(&r.role, RRole::Replica { host, port } if *host == h && *port == p)
            })
    }

    pub(super) fn check_liveness(&mut self) {
        if !self.faults_over {
            return;
        }
        if self.converged() {
            let since = *self.converged_since.get_or_insert(self.now);
            if self.now - since >= STABLE_FOR {
                self.done = true;
            }
        } else {
            self.converged_since = None;
        }
    }

    pub(super) fn describe(&self) -> String {
        let mut s = String::new();
        for n in &self.sentinels {
            match n
                .core
                .as_ref()
                .and_then(|c| c.masters.first().map(|m| (c, m)))
            {
                Some((c, m)) => {
                    let (h, p) = m.current_addr();
                    s.push_str(&format!(
                        "[{} names {h}:{p} epoch {} cfg {} state {:?} tilt {} sdown {} odown {}] ",
                        n.name,
                        c.current_epoch,
                        m.config_epoch,
                        m.failover_state,
                        c.tilt,
                        m.common.s_down_since.is_some(),
                        m.o_down_since.is_some()
                    ));
                }
                None => s.push_str(&format!("[{} down] ", n.name)),
            }
        }
        for r in &self.redis {
            s.push_str(&format!(
                "[{} alive {} role {:?} link {}] ",
                r.name, r.alive, r.role, r.link_up
            ));
        }
        s
    }
}
