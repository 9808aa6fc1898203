//! The invariants, each a named check, fed after every step of every process:
//!
//! 1. [`Checker::one_vote_per_epoch`]: a sentinel (by `myid`, across restarts) votes at most
//!    once per master and epoch. Only votes that became visible count: a step cut short by
//!    `Action::Exit` sent nothing, so its votes were never heard (what it saved first only
//!    binds the restarted sentinel).
//! 2. [`Checker::one_leader_per_epoch`]: at most one sentinel is elected per (master,
//!    failover epoch), and [`Checker::leader_has_majority_in_failover_epoch`]: the one
//!    elected holds a majority (and the quorum) of the visible votes cast *in the epoch of
//!    its failover*, whatever the current epoch is by then.
//! 3. [`Checker::epochs_never_decrease`]: current-epoch and config-epoch, as seen after each
//!    completed step, never decrease at a sentinel identity — across restarts too, which
//!    catches state that was exposed but not persisted.
//! 4. [`Checker::failover_needs_odown`] and [`Checker::promotion_is_eligible`]: a failover
//!    starts only from ODOWN (the sim never forces one); the promoted instance has
//!    priority > 0 and is announced. [`Checker::promoted_replica_is_the_best`] (in
//!    `select`): the replica selected is the best eligible one by Redis's ranking, given the
//!    INFO the leader had.
//! 5. `config_parses_back` (in `node`): every config written loads back to the same state;
//!    `vote_reply_is_persisted` (in `node`): a vote that leaves in a reply is in the
//!    persisted bytes at that moment.
//! 6. liveness, checked by the world (`World::converged`).
//! 7. [`Checker::odown_needs_quorum_of_sdown`] (in `odown`): ODOWN about an address needs
//!    down replies *about that address* from a quorum; `no_odown_of_reachable_master` (in
//!    the world's `reach`): no ODOWN or failover of a master the sentinel could reach.
//! 8. [`Checker::commands_per_second_are_bounded`] (in `rate`): commands each process sends
//!    each peer and instance stay within what the periods allow, in every state.

mod odown;
mod rate;
mod select;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::sentinel::{Event, Millis, Sentinel};

pub use rate::{count_commands, Bounds};

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

/// (myid, master name, epoch).
type VoteKey = (String, String, u64);

#[derive(Debug, Default)]
pub struct Checker {
    /// (myid, master, epoch) → candidate, for visible votes.
    votes: BTreeMap<VoteKey, String>,
    /// Votes of the step in progress.
    pending_votes: Vec<(VoteKey, String)>,
    /// (master, epoch) → elected myid.
    leaders: BTreeMap<(String, u64), String>,
    /// myid → (current epoch, config epoch per master) after its last completed step.
    epochs: BTreeMap<String, (u64, BTreeMap<String, u64>)>,
    /// (myid, master) → the master is ODOWN in its view (from its events).
    odown: BTreeMap<(String, String), bool>,
    /// Down replies and boots, for `odown_needs_quorum_of_sdown`.
    pub(super) downs: odown::DownReplies,
    /// Commands sent, for `commands_per_second_are_bounded`.
    pub(super) rate: rate::Rate,
    /// Failover (master, epoch)s tried and elected.
    pub tried: BTreeSet<(String, u64)>,
    pub elected: BTreeSet<(String, u64)>,
    pub violations: Vec<Violation>,
    /// (myid, master, replica name): SDOWN in that sentinel's view, as its events say so
    /// far (the core's state after a step may have moved on since a selection in it).
    replica_sdown: BTreeSet<(String, String, String)>,
}

/// The master an instance event is about: `master <name> …` or `… @ <name> <ip> <port>`.
pub(super) fn event_master(text: &str) -> Option<&str> {
    let mut it = text.split(' ');
    if it.next()? == "master" {
        return it.next();
    }
    let mut it = text.rsplit(' ');
    let (_, _, name) = (it.next()?, it.next()?, it.next()?);
    Some(name)
}

/// The address of a `master <name> <ip> <port>` event.
pub(super) fn event_master_addr(text: &str) -> Option<(&str, u16)> {
    let mut it = text.split(' ');
    if it.next()? != "master" {
        return None;
    }
    let _ = it.next()?;
    Some((it.next()?, it.next()?.parse().ok()?))
}

fn failover_epoch(core: &Sentinel, master: &str) -> u64 {
    core.masters
        .iter()
        .find(|m| m.common.name == master)
        .map_or(0, |m| m.failover_epoch)
}

impl Checker {
    pub(super) fn violate(&mut self, at: Millis, invariant: &'static str, detail: String) {
        self.violations.push(Violation {
            at,
            invariant,
            detail,
        });
    }

    /// One event of a step in progress at sentinel `myid`.
    pub fn on_event(&mut self, now: Millis, node: &str, core: &Sentinel, ev: &Event) {
        let myid = core.myid.as_str();
        let master = event_master(&ev.text).unwrap_or_default().to_string();
        match ev.kind {
            "+vote-for-leader" => self.vote_seen(core, &ev.text),
            "+elected-leader" => {
                let e = failover_epoch(core, &master);
                self.one_leader_per_epoch(now, node, myid, &master, e);
                self.leader_has_majority_in_failover_epoch(now, node, core, &master, e);
            }
            "+try-failover" => {
                let e = failover_epoch(core, &master);
                self.tried.insert((master.clone(), e));
                self.failover_needs_odown(now, node, myid, &master, e);
            }
            "+odown" => {
                self.odown.insert((myid.to_string(), master.clone()), true);
                self.odown_needs_quorum_of_sdown(now, node, core, &ev.text);
            }
            "-odown" => {
                self.odown.insert((myid.to_string(), master), false);
            }
            "+switch-master" => {
                let name = ev.text.split(' ').next().unwrap_or_default().to_string();
                self.replica_sdown
                    .retain(|(id, m, _)| !(id == myid && *m == name));
                self.odown.insert((myid.to_string(), name), false);
            }
            "+sdown" | "-sdown" if ev.text.starts_with("slave ") => {
                let replica = ev.text.split(' ').nth(1).unwrap_or_default().to_string();
                let key = (myid.to_string(), master, replica);
                if ev.kind == "+sdown" {
                    self.replica_sdown.insert(key);
                } else {
                    self.replica_sdown.remove(&key);
                }
            }
            "+selected-slave" => self.promoted_replica_is_the_best(now, node, core, &master),
            _ => {}
        }
    }

    /// A `+vote-for-leader <runid> <epoch>` event: the master is one whose vote it now is,
    /// preferably one with no vote on record yet in that epoch (the event does not name it).
    fn vote_seen(&mut self, core: &Sentinel, text: &str) {
        let mut it = text.split(' ');
        let cand = it.next().unwrap_or_default().to_string();
        let epoch = it.next().and_then(|e| e.parse().ok()).unwrap_or(0);
        let recorded = |m: &str| {
            let key = (core.myid.clone(), m.to_string(), epoch);
            self.votes.contains_key(&key) || self.pending_votes.iter().any(|(k, _)| *k == key)
        };
        let matching: Vec<String> = core
            .masters
            .iter()
            .filter(|m| m.leader.as_deref() == Some(cand.as_str()) && m.leader_epoch == epoch)
            .map(|m| m.common.name.clone())
            .collect();
        // No master shows this vote any more (the same step moved on, e.g. a switch reset
        // it): it cannot be told apart from a vote for another master, so it is not kept.
        let Some(master) = matching
            .iter()
            .find(|m| !recorded(m))
            .or(matching.first())
            .cloned()
        else {
            return;
        };
        self.pending_votes
            .push(((core.myid.clone(), master, epoch), cand));
    }

    /// Invariant 2a.
    fn one_leader_per_epoch(&mut self, now: Millis, node: &str, myid: &str, m: &str, e: u64) {
        self.elected.insert((m.to_string(), e));
        match self.leaders.get(&(m.to_string(), e)) {
            Some(other) if other != myid => {
                let d =
                    format!("{node} ({myid}) elected for {m} in epoch {e}, already won by {other}");
                self.violate(now, "one_leader_per_epoch", d);
            }
            Some(_) => {}
            None => {
                self.leaders.insert((m.to_string(), e), myid.to_string());
            }
        }
    }

    /// Invariant 2b: the visible votes for `core` in its failover's epoch (those of this
    /// step included) reach a majority of the sentinels it knows, and the quorum.
    fn leader_has_majority_in_failover_epoch(
        &mut self,
        now: Millis,
        node: &str,
        core: &Sentinel,
        master: &str,
        epoch: u64,
    ) {
        let Some(m) = core.masters.iter().find(|m| m.common.name == master) else {
            return;
        };
        if m.force_failover {
            return;
        }
        let voters = m.sentinels.len() + 1;
        let needed = (voters / 2 + 1).max(m.quorum as usize);
        let me = core.myid.as_str();
        let is_mine = |(id, mm, e): &VoteKey, cand: &String| {
            mm == master && *e == epoch && cand == me && !id.is_empty()
        };
        let mut voters_for: BTreeSet<&str> = self
            .votes
            .iter()
            .filter(|(k, c)| is_mine(k, c))
            .map(|((id, _, _), _)| id.as_str())
            .collect();
        voters_for.extend(
            self.pending_votes
                .iter()
                .filter(|(k, c)| is_mine(k, c))
                .map(|((id, _, _), _)| id.as_str()),
        );
        if voters_for.len() < needed {
            let d = format!(
                "{node} ({me}) elected for {master} in epoch {epoch} with {} of the {needed} votes needed cast in that epoch (current epoch {})",
                voters_for.len(),
                core.current_epoch
            );
            self.violate(now, "leader_has_majority_in_failover_epoch", d);
        }
    }

    /// Invariant 4a.
    fn failover_needs_odown(&mut self, now: Millis, node: &str, myid: &str, m: &str, e: u64) {
        let key = (myid.to_string(), m.to_string());
        if !self.odown.get(&key).copied().unwrap_or(false) {
            let d = format!("{node} started a failover of {m} in epoch {e} without ODOWN");
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
        for (key, cand) in std::mem::take(&mut self.pending_votes) {
            self.one_vote_per_epoch(now, node, key, cand);
        }
        self.epochs_never_decrease(now, node, core);
    }

    /// The step at `node` completed while its saves fail: its votes are visible and
    /// checked; its epochs, adopted in memory only, are not recorded (a restart may go back
    /// to the persisted ones, which is safe as long as no vote in the lost ones left).
    pub fn step_done_unpersisted(&mut self, now: Millis, node: &str) {
        for (key, cand) in std::mem::take(&mut self.pending_votes) {
            self.one_vote_per_epoch(now, node, key, cand);
        }
    }

    /// The step was cut short by a crash (`Action::Exit`): none of its output left the
    /// process.
    pub fn step_aborted(&mut self) {
        self.pending_votes.clear();
    }

    /// A sentinel (re)started at `now`: its view of ODOWN starts afresh.
    pub fn restarted(&mut self, myid: &str, now: Millis) {
        for ((id, _), v) in self.odown.iter_mut() {
            if id == myid {
                *v = false;
            }
        }
        self.replica_sdown.retain(|(id, _, _)| id != myid);
        self.downs.booted(myid, now);
    }

    /// Invariant 1.
    fn one_vote_per_epoch(&mut self, now: Millis, node: &str, key: VoteKey, cand: String) {
        match self.votes.get(&key) {
            Some(prev) => {
                let (myid, m, epoch) = &key;
                let d = format!(
                    "{node} ({myid}) voted twice for {m} in epoch {epoch}: for {prev}, then for {cand}"
                );
                self.violate(now, "one_vote_per_epoch", d);
            }
            None => {
                self.votes.insert(key, cand);
            }
        }
    }

    /// Invariant 3.
    fn epochs_never_decrease(&mut self, now: Millis, node: &str, core: &Sentinel) {
        let cur = core.current_epoch;
        if !self.epochs.contains_key(&core.myid) {
            self.epochs
                .insert(core.myid.clone(), (cur, BTreeMap::new()));
        }
        let Some(entry) = self.epochs.get_mut(&core.myid) else {
            return;
        };
        let mut bad = None;
        if cur < entry.0 {
            bad = Some(format!("current {} -> {cur}", entry.0));
        }
        entry.0 = cur;
        for m in &core.masters {
            let cfg = m.config_epoch;
            let prev = match entry.1.get_mut(&m.common.name) {
                Some(p) => std::mem::replace(p, cfg),
                None => {
                    entry.1.insert(m.common.name.clone(), cfg);
                    0
                }
            };
            if cfg < prev && bad.is_none() {
                bad = Some(format!("config of {} {prev} -> {cfg}", m.common.name));
            }
        }
        if let Some(b) = bad {
            let d = format!("{node} ({}) epochs went back: {b}", core.myid);
            self.violate(now, "epochs_never_decrease", d);
        }
    }

    /// Some failover epoch ended without an elected leader (a split or lost vote).
    pub fn split_vote(&self) -> bool {
        self.tried.iter().any(|e| !self.elected.contains(e))
    }
}
