//! Choosing the replica to promote (sentinel.c's `sentinelFailoverSelectSlave`): the
//! candidates as [`select`] sees them, and the select-slave state of the failover.
//!
//! Beyond sentinel.c, which ranks on whatever INFO it last had: the failover asks every
//! replica for INFO when it starts, and selection waits until every replica that can answer
//! (connected, not SDOWN) has answered since. Ranking on older INFO let the first replica
//! to answer win over a better one whose INFO was a little slower: its last periodic INFO
//! (10 s period before ODOWN) was often older than the 5 × ping period that selection
//! accepts, so it was not a candidate at all. The wait is bounded by one ping period (or
//! down-after, if shorter): on a healthy network every reply is in long before, and a
//! replica that has not answered by then is ranked on the INFO it had, under sentinel.c's
//! own rules (too old, it is passed over) — a slow replica delays the failover by at most
//! the bound, and it cannot block it.

use super::link::Pending;
use super::select::{self, Candidate, Limits};
use super::{FailoverState, InstRef, Level, Millis, Sentinel};

#[cfg(test)]
mod tests;

impl Sentinel {
    /// The replica of master `i` to promote (its uid), as [`select`] ranks the candidates.
    pub(crate) fn select_replica(&self, i: usize, now: Millis) -> Option<u64> {
        let m = self.masters.get(i)?;
        let limits = Limits {
            master_sdown_for: m.common.s_down_since.map_or(0, |t| now.saturating_sub(t)),
            master_sdown: m.common.s_down_since.is_some(),
            master_seen: m.reported.info_refresh != 0
                || self.test_switches.staleness_from_own_sdown,
            down_after: m.common.down_after,
            ping_period: self.timing.ping_period,
            info_period: self.timing.info_period,
        };
        let candidates: Vec<Candidate> = m
            .replicas
            .iter()
            .map(|r| {
                let link = self.links.get(r.common.link.0);
                Candidate {
                    sdown: r.common.s_down_since.is_some(),
                    disconnected: link.is_none_or(|l| l.disconnected()),
                    since_last_avail: link
                        .map_or(u64::MAX, |l| now.saturating_sub(l.last_avail_time)),
                    priority: match r.slave_priority {
                        p if p > 0 && self.test_switches.select_ignores_priority => 1,
                        p => p,
                    },
                    replica_announced: r.replica_announced,
                    since_info: if r.reported.info_refresh == 0 {
                        u64::MAX
                    } else {
                        now.saturating_sub(r.reported.info_refresh)
                    },
                    master_link_down_time: r.master_link_down_time,
                    repl_offset: r.slave_repl_offset,
                    runid: r.common.runid.as_deref(),
                }
            })
            .collect();
        select::select(&candidates, &limits)
            .and_then(|k| m.replicas.get(k))
            .map(|r| r.common.uid)
    }

    pub(super) fn failover_select_slave(&mut self, i: usize, now: Millis) {
        let uid = self.masters[i].common.uid;
        let waited = now.saturating_sub(self.masters[i].failover_state_change_time);
        if !self.test_switches.select_without_fresh_info
            && waited < self.fresh_info_wait(i)
            && self.await_fresh_info(i)
        {
            return;
        }
        match self.select_replica(i, now) {
            // A fresh INFO is on its way: wait for it (bounded) rather than abort.
            None if self.replica_info_in_flight(i)
                && waited < self.timing.ping_period.saturating_mul(2) => {}
            None => {
                self.abort_failover_with(i, "-failover-abort-no-good-slave", now);
            }
            Some(r) => {
                let inst = InstRef::Replica {
                    master: uid,
                    replica: r,
                };
                self.inst_event(Level::Warning, "+selected-slave", inst, "");
                let m = &mut self.masters[i];
                if let Some(rep) = m.replicas.iter_mut().find(|x| x.common.uid == r) {
                    rep.promoted = true;
                }
                m.promoted = Some(r);
                m.failover_state = FailoverState::SendSlaveofNoone;
                m.failover_state_change_time = now;
                self.inst_event(
                    Level::Notice,
                    "+failover-state-send-slaveof-noone",
                    inst,
                    "",
                );
            }
        }
    }

    /// True while some replica of master `i` has an INFO reply on its way (whether or not
    /// selection would accept it): the fast path may reach selection before it lands.
    fn replica_info_in_flight(&self, i: usize) -> bool {
        self.masters.get(i).is_some_and(|m| {
            m.replicas.iter().any(|r| {
                self.links
                    .get(r.common.link.0)
                    .and_then(|l| l.cmd.as_ref())
                    .is_some_and(|c| c.pending.iter().any(|p| matches!(p, Pending::Info(_))))
            })
        })
    }

    /// How long selection may wait for the replicas' fresh INFO: one ping period, or
    /// down-after when shorter (a replica silent for longer is SDOWN and not waited for).
    fn fresh_info_wait(&self, i: usize) -> u64 {
        let down_after = self.masters.get(i).map_or(0, |m| m.common.down_after);
        self.timing.ping_period.min(down_after)
    }

    /// True while some replica of master `i` that can answer (connected, not SDOWN) has not
    /// had an INFO reply since the failover began; asks those without one in flight (a
    /// reconnection dropped the request).
    fn await_fresh_info(&mut self, i: usize) -> bool {
        let Some(m) = self.masters.get(i) else {
            return false;
        };
        let (uid, since) = (m.common.uid, m.failover_began);
        let waiting: Vec<u64> = m
            .replicas
            .iter()
            .filter(|r| {
                r.common.s_down_since.is_none()
                    && r.reported.info_refresh < since
                    && self
                        .links
                        .get(r.common.link.0)
                        .is_some_and(|l| !l.disconnected())
            })
            .map(|r| r.common.uid)
            .collect();
        for &replica in &waiting {
            self.refresh_info(InstRef::Replica {
                master: uid,
                replica,
            });
        }
        !waiting.is_empty()
    }
}
