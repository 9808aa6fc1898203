//! Whether what the core decided is on disk yet. Nothing that depends on a save leaves the
//! process before that save succeeded: a vote is held (not counted, not announced with
//! `+vote-for-leader`, not asked for from peers) until the shell reports its save with
//! [`Sentinel::save_finished`]; a failed save rolls the held votes back, and while saves
//! fail no vote is given, no failover starts or proceeds, and the save is retried every
//! second. `-config-save-failed` / `+config-save-ok` mark the transitions.
//!
//! An epoch adopted in memory may stay adopted when its save fails: it is only a number
//! others already hold, and no vote in it is acknowledged until a save including it works.

use super::{Level, Millis, Sentinel};

/// How often a failing save is retried.
pub const SAVE_RETRY_MS: Millis = 1_000;

/// Whether the last save worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveHealth {
    #[default]
    Ok,
    /// Saves fail since `since`; the last attempt was at `last_try`.
    Failing { since: Millis, last_try: Millis },
}

/// A vote given in memory whose save has not been confirmed yet: what to restore if the
/// save fails, and the event to announce once it succeeds.
#[derive(Debug, Clone)]
pub(super) struct UnsavedVote {
    pub master: u64,
    pub prev_leader: Option<String>,
    pub prev_leader_epoch: u64,
    pub prev_failover_start_time: Millis,
    pub event_text: String,
}

impl Sentinel {
    pub fn save_health(&self) -> SaveHealth {
        self.save_health
    }

    /// True while the last save failed.
    pub fn save_failing(&self) -> bool {
        matches!(self.save_health, SaveHealth::Failing { .. })
    }

    /// True when everything decided so far is on disk: no save requested or in flight,
    /// no vote held, and the last save worked.
    pub(super) fn durable(&self) -> bool {
        !self.save_requested
            && !self.save_in_flight
            && self.unsaved_votes.is_empty()
            && !self.save_failing()
    }

    /// Our vote for master `uid` waits for its save.
    pub(super) fn vote_unsaved(&self, uid: u64) -> bool {
        self.unsaved_votes.iter().any(|v| v.master == uid)
    }

    /// The shell saved after [`Sentinel::take_save_request`]: `Ok` once the bytes are on
    /// disk, or why not. On success the held votes become real (announced, counted, and
    /// the masters waiting for them take their step now); on failure they are rolled back.
    pub fn save_finished(&mut self, now: Millis, result: Result<(), &str>) {
        self.save_in_flight = false;
        let result = if self.test_switches.ack_unsaved_votes {
            Ok(())
        } else {
            result
        };
        let held = std::mem::take(&mut self.unsaved_votes);
        match result {
            Ok(()) => {
                if let SaveHealth::Failing { since, .. } = self.save_health {
                    self.save_health = SaveHealth::Ok;
                    let secs = now.saturating_sub(since) / 1000;
                    self.event(
                        Level::Warning,
                        "+config-save-ok",
                        format!("config saved again after failing for {secs} s"),
                    );
                }
                let mut waiting = Vec::new();
                for v in held {
                    self.event(Level::Warning, "+vote-for-leader", v.event_text);
                    if !waiting.contains(&v.master) {
                        waiting.push(v.master);
                    }
                }
                // Failovers of ours that waited for the epoch or our vote to be saved.
                waiting.extend(
                    self.masters
                        .iter()
                        .filter(|m| m.failover_state == super::FailoverState::WaitStart)
                        .map(|m| m.common.uid)
                        .filter(|u| !waiting.contains(u))
                        .collect::<Vec<_>>(),
                );
                for uid in waiting {
                    self.fast_step(uid, now);
                }
                // Vote requests held back for the save go out now, not a re-ask period later.
                for uid in std::mem::take(&mut self.deferred_asks) {
                    if !self.tilt {
                        self.ask_peers(uid, now, true);
                    }
                }
            }
            Err(why) => {
                for v in held.into_iter().rev() {
                    if let Some(m) = self.master_by_uid_mut(v.master) {
                        m.leader = v.prev_leader;
                        m.leader_epoch = v.prev_leader_epoch;
                        m.failover_start_time = v.prev_failover_start_time;
                    }
                    log::warn!(
                        "Vote for {} not given: the config could not be saved",
                        v.event_text
                    );
                }
                match self.save_health {
                    SaveHealth::Ok => {
                        self.save_health = SaveHealth::Failing {
                            since: now,
                            last_try: now,
                        };
                        self.event(Level::Warning, "-config-save-failed", why.to_string());
                    }
                    SaveHealth::Failing { since, .. } => {
                        self.save_health = SaveHealth::Failing {
                            since,
                            last_try: now,
                        };
                    }
                }
            }
        }
    }

    /// From the tick: while saves fail, ask for another attempt once per [`SAVE_RETRY_MS`].
    pub(super) fn retry_failed_save(&mut self, now: Millis) {
        if let SaveHealth::Failing { last_try, .. } = self.save_health {
            if now.saturating_sub(last_try) >= SAVE_RETRY_MS {
                self.request_save();
            }
        }
    }
}
