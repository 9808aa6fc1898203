//! What the simulated network knows and the sentinels do not. For each (sentinel, Redis
//! instance) pair the world keeps the last moment the pair was *not* healthy: the instance
//! down, a cut in either direction, a reset of either end's connections (and the time it
//! may go unnoticed), one-way delays and a latency spike adding 2/5 of down-after to a
//! round trip, the sentinel stalled; and since when each instance has been a master.
//!
//! - `no_odown_of_reachable_master`: a sentinel that had the master healthy, as a master,
//!   for the whole of [`REACH_WINDOW`] cannot have gone without a reply for down-after, so
//!   it must not call it ODOWN, nor start failing it over.
//! - `promoted_replica_is_the_best_reachable`: see
//!   [`World::promoted_replica_is_the_best_reachable`].
//!
//! Also what the world feeds the checker from the wire: commands sent (counted per target)
//! and `is-master-down-by-addr` replies as they leave.

use super::invariants::{count_commands, Bounds};
use super::net::ProcId;
use super::node::DownReply;
use super::setup::sim_timing;
use super::world::{World, DOWN_AFTER};
use crate::sentinel::Millis;

/// Down-after without a reply is what SDOWN takes; on top of it, after a reset or a heal a
/// sentinel may wait up to one ping period to reconnect and re-ping, and retransmits
/// across a healed cut take up to 250 ms.
pub const REACH_WINDOW: Millis = 2 * DOWN_AFTER + 500;

impl World {
    /// Marks every pair that is not healthy now (called around every step).
    pub(super) fn note_reach(&mut self) {
        let now = self.now;
        let n = self.n();
        // Extra round-trip latency near down-after / 2 (the worst base latency added) makes a
        // PING outlast it: the sentinel recycles the link and may go SDOWN.
        let spike = if now < self.net.spike_until {
            2 * self.net.spike_ms
        } else {
            0
        };
        for (j, since) in self.master_since.iter_mut().enumerate() {
            match self.redis.get(j).is_some_and(|r| r.alive && r.is_master()) {
                true => {
                    since.get_or_insert(now);
                }
                false => *since = None,
            }
        }
        for s in 0..n {
            let paused = self.sentinels.get(s).map_or(0, |x| x.paused_until);
            for j in 0..self.redis.len() {
                let extra = spike + self.net.delay(s, j + n) + self.net.delay(j + n, s);
                let healthy = extra < DOWN_AFTER * 2 / 5
                    && self.redis.get(j).is_some_and(|r| r.alive)
                    && self.net.linked(s, j + n);
                let bad = if healthy { paused } else { now.max(paused) };
                if let Some(b) = self.reach_bad.get_mut(s).and_then(|row| row.get_mut(j)) {
                    *b = (*b).max(bad);
                }
            }
        }
    }

    /// Every pair with `p` as an end is unhealthy (its connections were reset) until the
    /// sentinel may have noticed: a reset is not reported to the connecting side (a
    /// half-open connection), which finds out when it recycles the link — after
    /// min-link-reconnect-period, at the next check, a PING period later at most.
    pub(super) fn reach_reset(&mut self, p: ProcId) {
        let (n, t) = (self.n(), sim_timing(self.cfg.faults));
        let now = self.now + t.min_link_reconnect_period + t.ping_period;
        for (s, row) in self.reach_bad.iter_mut().enumerate() {
            for (j, b) in row.iter_mut().enumerate() {
                if s == p || j + n == p {
                    *b = (*b).max(now);
                }
            }
        }
    }

    /// How long sentinel `s` has had Redis instance `j` reachable and alive, without a pause.
    fn healthy_for(&self, s: ProcId, j: usize) -> Millis {
        let bad = self.reach_bad.get(s).and_then(|row| row.get(j)).copied();
        self.now.saturating_sub(bad.unwrap_or(self.now))
    }

    /// Invariant `promoted_replica_is_the_best_reachable`, at sentinel `leader`'s
    /// `+selected-slave` event `text` (the moment of selection, not when `SLAVEOF NO ONE`
    /// lands, which a cut may delay): no other replica of its group that the leader
    /// monitors, had reachable and alive for [`REACH_WINDOW`], in sync with its master until
    /// at most 5 × down-after ago, and eligible, has a better (lower) `replica-priority`. Whatever the leader's INFO said,
    /// the priorities are the network's truth: a leader ranking on stale INFO fails this.
    pub(super) fn promoted_replica_is_the_best_reachable(&mut self, leader: ProcId, text: &str) {
        let mut it = text.split(' ').skip(2);
        let (Some(ip), Some(port)) = (it.next(), it.next().and_then(|p| p.parse::<u16>().ok()))
        else {
            return;
        };
        let Some(j) = self.redis.iter().position(|r| r.ip == ip && r.port == port) else {
            return;
        };
        let Some(chosen) = self.redis.get(j) else {
            return;
        };
        let Some(core) = self.sentinels.get(leader).and_then(|s| s.core.as_ref()) else {
            return;
        };
        let known = |ip: &str, port: u16| {
            core.masters.iter().any(|m| {
                m.replicas
                    .iter()
                    .any(|r| r.common.host == ip && r.common.port == port && r.promoted)
            })
        };
        if !known(&chosen.ip, chosen.port) {
            return;
        }
        let better = self.redis.iter().enumerate().find(|(k, r)| {
            *k != j
                && k / 3 == j / 3
                && r.eligible()
                && (r.link_up
                    || r.link_down_since
                        .is_some_and(|t| self.now.saturating_sub(t) < 5 * DOWN_AFTER))
                && !r.is_master()
                && r.priority < chosen.priority
                && self.healthy_for(leader, *k) > REACH_WINDOW
                && core.masters.iter().any(|m| {
                    m.replicas
                        .iter()
                        .any(|x| x.common.host == r.ip && x.common.port == r.port)
                })
        });
        if let Some((_, b)) = better {
            let d = format!(
                "{} promoted {} (priority {}) while {} (priority {}) was reachable and synced",
                self.proc_name(leader),
                chosen.name,
                chosen.priority,
                b.name,
                b.priority
            );
            self.violation("promoted_replica_is_the_best_reachable", d);
        }
    }

    /// Invariant at sentinel `p`'s `+odown` / `+try-failover` event `text`.
    pub(super) fn no_odown_of_reachable_master(&mut self, p: ProcId, kind: &str, text: &str) {
        let mut it = text.split(' ');
        let (Some("master"), Some(name), Some(host), Some(port)) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return;
        };
        let Ok(port) = port.parse::<u16>() else {
            return;
        };
        let Some(j) = self
            .redis
            .iter()
            .position(|r| r.ip == host && r.port == port)
        else {
            return;
        };
        let healthy_for = self.healthy_for(p, j);
        let master_for = self
            .master_since
            .get(j)
            .copied()
            .flatten()
            .map_or(0, |t| self.now.saturating_sub(t));
        let healthy_for = healthy_for.min(master_for);
        if healthy_for > REACH_WINDOW {
            let d = format!(
                "{} {kind} {name} at {host}:{port}, which it could reach for the last {healthy_for} ms",
                self.proc_name(p)
            );
            self.violation("no_odown_of_reachable_master", d);
        }
    }
}

impl World {
    /// Feeds `commands_per_second_are_bounded` with the bytes sentinel `p` sends on `id`.
    pub(super) fn count_commands(&mut self, p: ProcId, id: usize, bytes: &[u8]) {
        let Some(to) = self.net.conns.get(id).map(|c| c.server) else {
            return;
        };
        let n = count_commands(bytes);
        let masters = self
            .sentinels
            .get(p)
            .and_then(|s| s.core.as_ref())
            .map_or(1, |c| c.masters.len());
        let bounds = if to < self.n() {
            Bounds::peer(masters)
        } else {
            Bounds::instance()
        };
        let inc = self.inc(p);
        if let Some(o) = self
            .checker
            .commands_sent(self.now, (p, inc), to, n, bounds)
        {
            let d = format!("{} sent {} {o}", self.proc_name(p), self.proc_name(to));
            self.violation("commands_per_second_are_bounded", d);
        }
    }

    /// Sentinel `p` answered `is-master-down-by-addr` on sim connection `id` with `r`.
    pub(super) fn down_reply(&mut self, p: ProcId, id: usize, r: &DownReply) {
        let myid = |w: &World, q: ProcId| {
            w.sentinels
                .get(q)
                .and_then(|s| s.core.as_ref())
                .map(|c| c.myid.clone())
        };
        let Some(to) = self.net.conns.get(id).map(|c| c.client) else {
            return;
        };
        let (Some(from_id), Some(to_id)) = (myid(self, p), myid(self, to)) else {
            return;
        };
        self.checker
            .down_reply(self.now, &to_id, &from_id, &r.host, r.port, r.down);
    }
}
