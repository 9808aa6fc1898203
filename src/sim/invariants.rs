//! The invariants, each a named check, fed after every step of every process:
//!
//! 1. [`Checker::one_vote_per_epoch`]: a sentinel (by `myid`, across restarts) votes at most
//!    once per epoch. Only votes that became visible count: a step cut short by
//!    `Action::Exit` sent nothing, so its votes were never heard (what it saved first only
//!    binds the restarted sentinel).
//! 2. [`Checker::one_leader_per_epoch`]: at most one sentinel is elected per (master, epoch).
//! 3. [`Checker::epochs_never_decrease`]: current-epoch and config-epoch, as seen after each
//!    completed step, never decrease at a sentinel identity — across restarts too, which
//!    catches state that was exposed but not persisted.
//! 4. [`Checker::failover_needs_odown`] and [`Checker::promotion_is_eligible`]: a failover
//!    starts only from ODOWN (the sim never forces one); the promoted instance has
//!    priority > 0 and is announced.
//! 5. `config_parses_back` (in `node`): every config written loads back to the same state.
//! 6. liveness, checked by the world (`World::converged`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::sentinel::{Event, Millis, Sentinel};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub at: Millis,
    pub invariant: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}ms {}: {}", self.at, self.invariant, self.detail)
    }
}

#[derive(Debug, Default)]
pub struct Checker {
    /// (myid, epoch) → candidate, for visible votes.
    votes: BTreeMap<(String, u64), String>,
    /// Votes of the step in progress.
    pending_votes: Vec<(String, u64, String)>,
    /// epoch → elected myid.
    leaders: BTreeMap<u64, String>,
    /// myid → (current epoch, config epoch) after its last completed step.
    epochs: BTreeMap<String, (u64, u64)>,
    /// myid → the master is ODOWN in its view (from its events).
    odown: BTreeMap<String, bool>,
    /// Failover epochs tried and elected.
    pub tried: BTreeSet<u64>,
    pub elected: BTreeSet<u64>,
    pub violations: Vec<Violation>,
}

fn failover_epoch(core: &Sentinel) -> u64 {
    core.masters.first().map_or(0, |m| m.failover_epoch)
}

impl Checker {
    fn violate(&mut self, at: Millis, invariant: &'static str, detail: String) {
        self.violations.push(Violation {
            at,
            invariant,
            detail,
        });
    }

    /// One event of a step in progress at sentinel `myid`.
    pub fn on_event(&mut self, now: Millis, node: &str, core: &Sentinel, ev: &Event) {
        let myid = core.myid.as_str();
        match ev.kind {
            "+vote-for-leader" => {
                let mut it = ev.text.split(' ');
                let cand = it.next().unwrap_or_default().to_string();
                let epoch = it.next().and_then(|e| e.parse().ok()).unwrap_or(0);
                self.pending_votes.push((myid.to_string(), epoch, cand));
            }
            "+elected-leader" => self.one_leader_per_epoch(now, node, myid, failover_epoch(core)),
            "+try-failover" => {
                let e = failover_epoch(core);
                self.tried.insert(e);
                self.failover_needs_odown(now, node, myid, e);
            }
            "+odown" => {
                self.odown.insert(myid.to_string(), true);
            }
            "-odown" | "+switch-master" => {
                self.odown.insert(myid.to_string(), false);
            }
            _ => {}
        }
    }

    /// Invariant 2.
    fn one_leader_per_epoch(&mut self, now: Millis, node: &str, myid: &str, epoch: u64) {
        self.elected.insert(epoch);
        match self.leaders.get(&epoch) {
            Some(other) if other != myid => {
                let d = format!("{node} ({myid}) elected in epoch {epoch}, already won by {other}");
                self.violate(now, "one_leader_per_epoch", d);
            }
            Some(_) => {}
            None => {
                self.leaders.insert(epoch, myid.to_string());
            }
        }
    }

    /// Invariant 4a.
    fn failover_needs_odown(&mut self, now: Millis, node: &str, myid: &str, epoch: u64) {
        if !self.odown.get(myid).copied().unwrap_or(false) {
            let d = format!("{node} started a failover in epoch {epoch} without ODOWN");
            self.violate(now, "failover_needs_odown", d);
        }
    }

    /// Invariant 4b: `SLAVEOF NO ONE` reached an instance a correct sentinel must not pick.
    pub fn promotion_is_eligible(&mut self, now: Millis, instance: &str, eligible: bool, by: &str) {
        if !eligible {
            let d = format!("{by} promoted {instance}, which has priority 0 or is not announced");
            self.violate(now, "promotion_is_eligible", d);
        }
    }

    /// The step at `node` completed (its output left): its votes are visible; check
    /// invariants 1 and 3.
    pub fn step_done(&mut self, now: Millis, node: &str, core: &Sentinel) {
        for (myid, epoch, cand) in std::mem::take(&mut self.pending_votes) {
            self.one_vote_per_epoch(now, node, myid, epoch, cand);
        }
        self.epochs_never_decrease(now, node, core);
    }

    /// The step at `node` completed while its saves fail: its votes are visible and
    /// checked; its epochs, adopted in memory only, are not recorded (a restart may go back
    /// to the persisted ones, which is safe as long as no vote in the lost ones left).
    pub fn step_done_unpersisted(&mut self, now: Millis, node: &str) {
        for (myid, epoch, cand) in std::mem::take(&mut self.pending_votes) {
            self.one_vote_per_epoch(now, node, myid, epoch, cand);
        }
    }

    /// The step was cut short by a crash (`Action::Exit`): none of its output left the
    /// process.
    pub fn step_aborted(&mut self) {
        self.pending_votes.clear();
    }

    /// A sentinel restarted: its view of ODOWN starts afresh.
    pub fn restarted(&mut self, myid: &str) {
        self.odown.insert(myid.to_string(), false);
    }

    /// Invariant 1.
    fn one_vote_per_epoch(
        &mut self,
        now: Millis,
        node: &str,
        myid: String,
        epoch: u64,
        cand: String,
    ) {
        match self.votes.get(&(myid.clone(), epoch)) {
            Some(prev) => {
                let d = format!(
                    "{node} ({myid}) voted twice in epoch {epoch}: for {prev}, then for {cand}"
                );
                self.violate(now, "one_vote_per_epoch", d);
            }
            None => {
                self.votes.insert((myid, epoch), cand);
            }
        }
    }

    /// Invariant 3.
    fn epochs_never_decrease(&mut self, now: Millis, node: &str, core: &Sentinel) {
        let cur = core.current_epoch;
        let cfg = core.masters.first().map_or(0, |m| m.config_epoch);
        if let Some(&(pc, pcfg)) = self.epochs.get(&core.myid) {
            if cur < pc || cfg < pcfg {
                let d = format!(
                    "{node} ({}) epochs went back: current {pc} -> {cur}, config {pcfg} -> {cfg}",
                    core.myid
                );
                self.violate(now, "epochs_never_decrease", d);
            }
        }
        self.epochs.insert(core.myid.clone(), (cur, cfg));
    }

    /// Some failover epoch ended without an elected leader (a split or lost vote).
    pub fn split_vote(&self) -> bool {
        self.tried.iter().any(|e| !self.elected.contains(e))
    }
}
