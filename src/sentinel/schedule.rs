//! When the core wants to run and to ask: the tick schedule (sentinel.c's 10–19 Hz timer,
//! plus the deadlines the fast path has), the re-ask schedule for is-master-down-by-addr,
//! and the INFO schedule of replicas a failover waits on.
//!
//! Fast re-asks and fast INFO only while they can still change the outcome, and with
//! backoff: each interval is the time the wait had lasted at the last request, from the
//! fast interval up to sentinel.c's period. A wait that lasts costs what sentinel.c's
//! costs, plus a handful of requests at its start. Every wake-up is for a deadline: a
//! periodic tick, a master that would turn SDOWN, a start jitter that ends, a request due,
//! the end of TILT, or one of the short failover states that act on timeouts.

use super::instance::{Master, Peer, Replica};
use super::link::Pending;
use super::{FailoverState, Millis, Sentinel};

/// Fastest re-ask interval while gathering a quorum or votes, capped by the ask period.
pub const FAST_ASK_MS: u64 = 25;
/// Fastest INFO interval for the replicas a failover is waiting on.
pub const FAST_INFO_MS: u64 = 50;
/// INFO interval for replicas during a failover (sentinel.c's), the backoff's ceiling.
pub const FAILOVER_INFO_MS: u64 = 1000;
/// Tick interval in the failover states that act on their own timeouts (fast path).
pub const FAST_TICK_MS: u64 = 10;

/// The backoff: the interval after a request made `waited` ms into a wait.
fn backoff(waited: u64, fast: u64, ceiling: u64) -> u64 {
    waited.clamp(fast.min(ceiling), ceiling)
}

/// True while asking peer `p` again soon can still change the outcome for master `m`:
/// before ODOWN, a peer that does not say down yet, if a quorum is possible at all; while
/// waiting for votes, a peer whose vote in our epoch we do not know yet.
fn fast_ask_useful(m: &Master, p: &Peer) -> bool {
    match m.failover_state {
        FailoverState::None => {
            let voices = u64::try_from(m.sentinels.len())
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            m.o_down_since.is_none() && !p.master_down && voices >= u64::from(m.quorum)
        }
        FailoverState::WaitStart => !(p.leader.is_some() && p.leader_epoch == m.failover_epoch),
        _ => false,
    }
}

impl Sentinel {
    /// When peer `p` of master `m` is to be asked next (while `m` is SDOWN).
    pub(super) fn ask_due(&self, m: &Master, p: &Peer) -> Millis {
        let period = self.timing.ask_period;
        let interval = if self.test_switches.ask_storm {
            self.test_switches.fast_ask_ms.unwrap_or(FAST_ASK_MS)
        } else if fast_ask_useful(m, p) {
            let fast = self.test_switches.fast_ask_ms.unwrap_or(FAST_ASK_MS);
            backoff(
                p.last_ask_time.saturating_sub(m.ask_phase_since),
                fast,
                period,
            )
        } else {
            period
        };
        p.last_ask_time.saturating_add(interval)
    }

    /// The INFO period of replica `r` of master `m` while a failover waits on it (the
    /// promoted one until it reports master, the others until they are reconfigured);
    /// `None` if none waits on it.
    pub(super) fn waited_on_info_period(&self, m: &Master, r: &Replica) -> Option<u64> {
        let since = if r.promoted && m.failover_state == FailoverState::WaitPromotion {
            m.failover_state_change_time
        } else if r.reconf_sent || r.reconf_inprog {
            r.reconf_sent_time
        } else {
            return None;
        };
        let waited = r.reported.info_refresh.saturating_sub(since);
        Some(backoff(waited, FAST_INFO_MS, FAILOVER_INFO_MS))
    }

    /// True while some master is in a failover state that acts on its own timeouts soon
    /// (selecting a replica, sending it SLAVEOF NO ONE): those tick fast.
    pub fn needs_fast_tick(&self) -> bool {
        !self.tilt
            && self.masters.iter().any(|m| {
                matches!(
                    m.failover_state,
                    FailoverState::SelectSlave | FailoverState::SendSlaveofNoone
                )
            })
    }

    /// When the next tick should run: at the sentinel's randomised 10–19 Hz, and not later
    /// than the next deadline of the fast path (see the module comment). In TILT nothing
    /// acts: the normal rate and TILT's end.
    pub fn next_tick_at(&mut self, now: Millis) -> Millis {
        let hz = 10 + self.rng.below(10);
        let mut at = now + 1000 / hz;
        if self.tilt {
            let end = self.tilt_start_time.saturating_add(self.timing.tilt_period);
            return at.min(end.max(now + 1));
        }
        if self.needs_fast_tick() {
            at = at.min(now + FAST_TICK_MS);
        }
        let durable = self.durable();
        for m in &self.masters {
            if let Some(t) = self.master_deadline(m, now, durable) {
                at = at.min(t.max(now + 1));
            }
        }
        at
    }

    /// The earliest deadline of master `m` after `now`, if it has one.
    fn master_deadline(&self, m: &Master, now: Millis, durable: bool) -> Option<Millis> {
        let mut at: Option<Millis> = None;
        let mut add = |t: Millis| at = Some(at.map_or(t, |a: Millis| a.min(t)));
        if m.common.s_down_since.is_none() {
            if let Some(l) = self.links.get(m.common.link.0) {
                let base = match l.act_ping_time {
                    Some(t) => Some(t),
                    None if l.disconnected() => Some(l.last_avail_time),
                    None => None,
                };
                if let Some(b) = base {
                    add(b.saturating_add(m.common.down_after).saturating_add(1));
                }
            }
        }
        if let Some(t) = m.start_not_before.filter(|&t| t > now) {
            add(t);
        }
        let asking = m.common.s_down_since.is_some()
            && match m.failover_state {
                FailoverState::None => true,
                // Vote requests wait for the epoch and our vote to be saved.
                FailoverState::WaitStart => durable,
                _ => false,
            };
        if asking {
            for p in &m.sentinels {
                let connected = self
                    .links
                    .get(p.common.link.0)
                    .is_some_and(|l| !l.disconnected());
                if connected {
                    add(self.ask_due(m, p));
                }
            }
        }
        for r in &m.replicas {
            let Some(period) = self.waited_on_info_period(m, r) else {
                continue;
            };
            let idle = self
                .links
                .get(r.common.link.0)
                .and_then(|l| l.cmd.as_ref())
                .is_some_and(|c| !c.pending.iter().any(|p| matches!(p, Pending::Info(_))));
            if idle {
                add(r
                    .reported
                    .info_refresh
                    .saturating_add(period)
                    .saturating_add(1));
            }
        }
        at
    }
}
