//! Choosing the replica to promote (sentinel.c's `sentinelFailoverSelectSlave`): the
//! candidates as [`select`] sees them, and the select-slave state of the failover.

use super::link::Pending;
use super::select::{self, Candidate, Limits};
use super::{FailoverState, InstRef, Level, Millis, Sentinel};

impl Sentinel {
    /// The replica of master `i` to promote (its uid), as [`select`] ranks the candidates.
    pub(crate) fn select_replica(&self, i: usize, now: Millis) -> Option<u64> {
        let m = self.masters.get(i)?;
        let limits = Limits {
            master_sdown_for: m.common.s_down_since.map_or(0, |t| now.saturating_sub(t)),
            master_sdown: m.common.s_down_since.is_some(),
            master_seen: m.reported.info_refresh != 0,
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
                    priority: r.slave_priority,
                    replica_announced: r.replica_announced,
                    since_info: if r.reported.info_refresh == 0 {
                        u64::MAX
                    } else {
                        now.saturating_sub(r.reported.info_refresh)
                    },
                    master_link_down_time: i64::try_from(r.master_link_down_time)
                        .unwrap_or(i64::MAX),
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
}
