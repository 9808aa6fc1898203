//! The acting half (§9.7, §10, §11): ODOWN, asking peers, voting, the leader election and the
//! failover state machine, and the switch to the promoted replica.
//!
//! Fast path (beyond sentinel.c): the same per-master step that the tick runs is also run
//! when a reply enables progress (a peer's is-master-down answer, the promoted replica's
//! INFO, any replica's INFO while a replica is being selected; a transaction's EXEC asks for
//! INFO at once), the state machine advances through every state that is
//! ready in one step, peers are re-asked at a short interval that backs off to the ask
//! period while a quorum or votes are being gathered (`schedule`), and hellos go out at
//! once on a new configuration. The messages stay exactly
//! what `redis-sentinel` peers expect.

use super::link::{ConnKind, Pending};
use super::quorum::{self, Tally};
use super::timing::{ASK_REPLY_VALIDITY_PERIODS, MAX_DESYNC_MS};
use super::wire_check::{epoch_jump_ok, MAX_EPOCH_JUMP};
use super::{
    Action, FailoverState, InstRef, Level, Millis, Role, Sentinel, SIMFAILURE_CRASH_AFTER_ELECTION,
    SIMFAILURE_CRASH_AFTER_PROMOTION,
};

/// Random delay before our own failover starts after ODOWN (fast path de-synchronisation).
/// Chosen with the simulator (10k clean failovers each, 3 sentinels, D = 1000): jitter 60 ms
/// gave 0.14% split votes, 120 ms 0.05%, 200 ms 0.01%, for +15/+33 ms on the median. A
/// split vote costs a retry after 2 × failover-timeout (6 minutes by default), so 150 ms.
pub const START_JITTER_MS: u64 = 150;

/// After a split vote, a new round starts this long plus a random part of
/// `MAX_DESYNC_MS` later: long enough for the other candidates' requests of the lost round
/// to have been answered, so the sentinels do not retry in lockstep.
pub const SPLIT_RETRY_MIN_MS: u64 = 50;

/// What the votes of one round say: its leader, if any, and whether nobody can win it.
#[derive(Debug, Default)]
struct Election {
    leader: Option<String>,
    unwinnable: bool,
}

impl Sentinel {
    /// One acting step for master `uid`: the part of the tick after SDOWN, also run when a
    /// reply enables progress. Callers have passed the TILT gate.
    pub(super) fn acting_half(&mut self, uid: u64, now: Millis) {
        self.check_odown(uid, now);
        if self.start_failover_if_needed(uid, now) {
            self.ask_peers(uid, now, true);
        }
        self.run_state_machine(uid, now);
        self.ask_peers(uid, now, false);
    }

    /// Runs the acting step from a reply, unless TILT forbids acting.
    pub(super) fn fast_step(&mut self, uid: u64, now: Millis) {
        if self.tilt {
            return;
        }
        self.acting_half(uid, now);
        self.switch_masters_in_update_config(now);
    }

    fn idx(&self, uid: u64) -> Option<usize> {
        self.master_idx_by_uid(uid)
    }

    /// sentinelCheckObjectivelyDown.
    fn check_odown(&mut self, uid: u64, now: Millis) {
        let Some(i) = self.idx(uid) else { return };
        let m = &self.masters[i];
        let (count, odown) = if m.common.s_down_since.is_some() {
            quorum::odown(
                m.sentinels.iter().filter(|p| p.master_down).count(),
                if self.test_switches.odown_without_quorum {
                    1
                } else {
                    m.quorum
                },
            )
        } else {
            (0, false)
        };
        let was = m.o_down_since.is_some();
        let q = m.quorum;
        if odown && !was {
            let m = &mut self.masters[i];
            m.o_down_since = Some(now);
            m.last_odown_start = now;
            let start_jitter = self
                .test_switches
                .start_jitter_ms
                .unwrap_or(START_JITTER_MS);
            m.start_not_before = Some(now + self.rng.below(start_jitter));
            self.inst_event(
                Level::Warning,
                "+odown",
                InstRef::Master(uid),
                &format!("#quorum {count}/{q}"),
            );
        } else if !odown && was {
            let m = &mut self.masters[i];
            m.o_down_since = None;
            m.start_not_before = None;
            self.inst_event(Level::Warning, "-odown", InstRef::Master(uid), "");
        }
    }

    /// sentinelStartFailoverIfNeeded.
    fn start_failover_if_needed(&mut self, uid: u64, now: Millis) -> bool {
        let Some(i) = self.idx(uid) else { return false };
        let m = &self.masters[i];
        if m.o_down_since.is_none() || m.failover_in_progress() {
            return false;
        }
        // Its epoch and our vote could not be persisted: a failover is not ours to run.
        if self.save_failing() {
            return false;
        }
        if m.start_not_before.is_some_and(|t| now < t) {
            return false;
        }
        let retry_after = m.failover_timeout.saturating_mul(2);
        if now.saturating_sub(m.failover_start_time) < retry_after && m.failover_start_time != 0 {
            // The start jitter is served: nothing to wake up for until the retry delay
            // (a vote for another sentinel set it) has passed.
            self.masters[i].start_not_before = None;
            let m = &self.masters[i];
            if m.failover_delay_logged != m.failover_start_time {
                let wait = m
                    .failover_start_time
                    .saturating_add(retry_after)
                    .saturating_sub(now);
                log::warn!(
                    "Next failover delay: I will not start a failover before {} seconds from now",
                    wait / 1000
                );
                self.masters[i].failover_delay_logged = self.masters[i].failover_start_time;
            }
            return false;
        }
        self.start_failover(i, now)
    }

    /// sentinelStartFailover.
    /// Whether it started.
    pub(crate) fn start_failover(&mut self, i: usize, now: Millis) -> bool {
        // Epochs come from peers too: one announcing u64::MAX leaves no epoch to run in.
        let Some(next) = self.current_epoch.checked_add(1) else {
            log::warn!("current epoch is at its maximum: no failover can start");
            return false;
        };
        self.current_epoch = next;
        let epoch = self.current_epoch;
        let jitter = self.rng.below(MAX_DESYNC_MS);
        let Some(m) = self.masters.get_mut(i) else {
            return false;
        };
        m.failover_state = FailoverState::WaitStart;
        m.failover_state_change_time = now;
        m.failover_epoch = epoch;
        m.failover_start_time = now + jitter;
        m.failover_began = now;
        m.start_not_before = None;
        m.ask_phase_since = now;
        let uid = m.common.uid;
        let replicas: Vec<u64> = m.replicas.iter().map(|r| r.common.uid).collect();
        self.event(Level::Warning, "+new-epoch", epoch.to_string());
        self.inst_event(Level::Warning, "+try-failover", InstRef::Master(uid), "");
        // Fast path: selection needs fresh INFO from the replicas; ask now, not next period.
        for r in replicas {
            self.refresh_info(InstRef::Replica {
                master: uid,
                replica: r,
            });
        }
        true
    }

    /// Sends INFO unless one is already in flight on the instance's command connection.
    pub(super) fn refresh_info(&mut self, inst: InstRef) {
        let Some(link) = self.inst_common(inst).map(|c| c.link) else {
            return;
        };
        let in_flight = self
            .links
            .get(link.0)
            .and_then(|l| l.cmd.as_ref())
            .is_some_and(|c| c.pending.iter().any(|p| matches!(p, Pending::Info(_))));
        if !in_flight {
            self.send_info(inst);
        }
    }

    /// sentinelAskMasterStateToOtherSentinels.
    pub(super) fn ask_peers(&mut self, uid: u64, now: Millis, forced: bool) {
        let Some(i) = self.idx(uid) else { return };
        let ask_period = self.timing.ask_period;
        let validity = ask_period.saturating_mul(ASK_REPLY_VALIDITY_PERIODS);
        let durable = self.durable();
        let m = &mut self.masters[i];
        for p in m.sentinels.iter_mut() {
            if now.saturating_sub(p.last_master_down_reply_time) > validity {
                p.master_down = false;
                p.leader = None;
            }
        }
        if m.common.s_down_since.is_none() {
            return;
        }
        // Asking for votes waits until the epoch and our own vote are on disk (the shell
        // saves before any output leaves; `save_finished` then runs this step again).
        if m.failover_in_progress() && !durable {
            let uid = m.common.uid;
            if !self.deferred_asks.contains(&uid) {
                self.deferred_asks.push(uid);
            }
            return;
        }
        let (host, port) = (m.common.host.clone(), m.common.port);
        let generation = m.addr_generation;
        let runid = if m.failover_in_progress() {
            self.myid.clone()
        } else {
            "*".to_string()
        };
        // A vote request names the epoch of our failover, not whatever epoch we moved to
        // since (a vote for us in a later epoch is no vote for this failover).
        let epoch = if m.failover_in_progress() {
            m.failover_epoch
        } else {
            self.current_epoch
        }
        .to_string();
        let port_s = port.to_string();
        // Gathering a quorum or votes: re-asked soon, with backoff (see `schedule`).
        let m = &self.masters[i];
        let targets: Vec<(u64, super::LinkId)> = m
            .sentinels
            .iter()
            .filter(|p| forced || now >= self.ask_due(m, p))
            .map(|p| (p.common.uid, p.common.link))
            .collect();
        // announceSentinelAddr: peers look the master up by this (redis-sentinel by its IP
        // unless announce-hostnames is on).
        let host = self.announce_host(&host).into_owned();
        for (puid, link) in targets {
            let connected = self.links.get(link.0).is_some_and(|l| !l.disconnected());
            if !connected {
                continue;
            }
            let sent = self.send(
                link,
                ConnKind::Cmd,
                Pending::IsMasterDown {
                    master: uid,
                    generation,
                },
                &[
                    b"SENTINEL",
                    b"is-master-down-by-addr",
                    host.as_bytes(),
                    port_s.as_bytes(),
                    epoch.as_bytes(),
                    runid.as_bytes(),
                ],
            );
            if sent {
                if let Some(p) = self
                    .masters
                    .get_mut(i)
                    .and_then(|m| m.sentinels.iter_mut().find(|p| p.common.uid == puid))
                {
                    p.last_ask_time = now;
                }
            }
        }
    }

    /// sentinelVoteLeader (§10.3): vote for `candidate` in `req_epoch` unless we already
    /// voted in that epoch; returns our vote for this master.
    pub(crate) fn vote_leader(
        &mut self,
        i: usize,
        req_epoch: u64,
        candidate: &str,
        now: Millis,
    ) -> (Option<String>, u64) {
        let bugs = self.test_switches;
        if !epoch_jump_ok(self.current_epoch, req_epoch) {
            log::warn!(
                "Vote request for {candidate} in epoch {req_epoch} refused: more than \
                 {MAX_EPOCH_JUMP} above our current epoch {}",
                self.current_epoch
            );
            return self
                .masters
                .get(i)
                .map_or((None, 0), |m| (m.leader.clone(), m.leader_epoch));
        }
        if req_epoch > self.current_epoch {
            self.current_epoch = req_epoch;
            if !bugs.vote_without_persist {
                self.request_save();
            }
            self.event(Level::Warning, "+new-epoch", req_epoch.to_string());
        }
        let current = self.current_epoch;
        let jitter = self.rng.below(MAX_DESYNC_MS);
        // While saves fail no vote is given: it could not be kept across a restart.
        let failing = self.save_failing() && !bugs.vote_without_persist;
        let Some(m) = self.masters.get_mut(i) else {
            return (None, 0);
        };
        if (m.leader_epoch < req_epoch || bugs.vote_twice) && current <= req_epoch && !failing {
            let held = super::durability::UnsavedVote {
                master: m.common.uid,
                prev_leader: m.leader.replace(candidate.to_string()),
                prev_leader_epoch: m.leader_epoch,
                prev_failover_start_time: m.failover_start_time,
                event_text: format!("{candidate} {current}"),
            };
            m.leader_epoch = current;
            if candidate != self.myid {
                // Someone else will fail over: do not start our own for a while.
                m.failover_start_time = now + jitter;
            }
            if bugs.vote_without_persist {
                self.event(Level::Warning, "+vote-for-leader", held.event_text);
            } else {
                // Announced (and counted) once saved: `save_finished`.
                self.unsaved_votes.push(held);
                self.request_save();
            }
        }
        let m = &self.masters[i];
        (m.leader.clone(), m.leader_epoch)
    }

    /// sentinelGetLeader (§10.4): the leader for `epoch`, voting ourselves on the way. Only
    /// votes cast in `epoch` count (sentinel.c counts those of the current epoch, which may
    /// have moved on: votes of a later epoch would elect us for this one).
    fn get_leader(&mut self, i: usize, epoch: u64, now: Millis) -> Election {
        let Some(m) = self.masters.get(i) else {
            return Election::default();
        };
        let voters = u32::try_from(m.sentinels.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let quorum_needed = m.quorum;
        let mut tally = Tally::default();
        let mut known: u32 = 0;
        for p in &m.sentinels {
            if let Some(l) = &p.leader {
                if p.leader_epoch == epoch || self.test_switches.leader_counts_any_epoch {
                    tally.add(l);
                    known = known.saturating_add(1);
                }
            }
        }
        let candidate = tally
            .winner()
            .map(|(c, _)| c.to_string())
            .unwrap_or_else(|| self.myid.clone());
        let (my_vote, my_epoch) = self.vote_leader(i, epoch, &candidate, now);
        // A vote not on disk yet does not count (`save_finished` runs this step again).
        let uid = self.masters.get(i).map_or(0, |m| m.common.uid);
        if let Some(v) = my_vote.filter(|_| !self.vote_unsaved(uid)) {
            if my_epoch == epoch {
                tally.add(&v);
                known = known.saturating_add(1);
            }
        }
        let leading = tally.winner().map_or(0, |(_, n)| n);
        Election {
            leader: quorum::leader(tally.winner(), voters, quorum_needed).map(str::to_string),
            unwinnable: quorum::unwinnable(
                leading,
                voters.saturating_sub(known),
                voters,
                quorum_needed,
            ),
        }
    }

    /// sentinelFailoverStateMachine, advancing through every state that is ready now.
    fn run_state_machine(&mut self, uid: u64, now: Millis) {
        for _ in 0..8 {
            let Some(i) = self.idx(uid) else { return };
            let before = self.masters[i].failover_state;
            match before {
                FailoverState::None | FailoverState::UpdateConfig => return,
                FailoverState::WaitStart => self.failover_wait_start(i, now),
                FailoverState::SelectSlave => self.failover_select_slave(i, now),
                FailoverState::SendSlaveofNoone => self.failover_send_slaveof_noone(i, now),
                FailoverState::WaitPromotion => self.failover_wait_promotion(i, now),
                FailoverState::ReconfSlaves => self.failover_reconf_next_slave(i, now),
            }
            if self.idx(uid).map(|i| self.masters[i].failover_state) == Some(before) {
                return;
            }
        }
    }

    fn failover_wait_start(&mut self, i: usize, now: Millis) {
        let m = &self.masters[i];
        if m.common.s_down_since.is_none() && !m.force_failover {
            // The master answers us again (our own SDOWN ended) before we were elected:
            // failing it over now would replace a working master. sentinel.c goes on with
            // the election; we end the round. ODOWN alone is not enough: it can drop for a
            // moment while a peer's report changes, with the master still down.
            let uid = m.common.uid;
            self.inst_event(
                Level::Warning,
                "-failover-abort-master-up",
                InstRef::Master(uid),
                "",
            );
            self.abort_failover(i, now);
            return;
        }
        let epoch = self.masters[i].failover_epoch;
        let election = self.get_leader(i, epoch, now);
        let m = &self.masters[i];
        let uid = m.common.uid;
        // Elected needs our epoch and vote on disk: while saves fail we are not.
        let is_leader =
            election.leader.as_deref() == Some(self.myid.as_str()) && !self.save_failing();
        if !is_leader && !m.force_failover {
            let election_timeout = self.timing.election_timeout.min(m.failover_timeout);
            // A later epoch has begun (we voted in it or heard of it): a failover won in
            // ours now would only be superseded by that epoch's, so stop waiting; a new
            // attempt starts as any other does.
            let overtaken = self.current_epoch > epoch;
            if election.unwinnable && !overtaken {
                // A split vote: nobody can be elected in this epoch (and so nobody is
                // failing over in it). Try a new epoch after a random delay, instead of
                // sentinel.c's 2 x failover-timeout; a vote for another sentinel meanwhile
                // sets the usual retry delay again (vote_leader).
                self.abort_failover_with(i, "-failover-abort-not-elected", now);
                let delay = self.rng.below(MAX_DESYNC_MS);
                let m = &mut self.masters[i];
                m.failover_start_time = 0;
                m.start_not_before = Some(now.saturating_add(SPLIT_RETRY_MIN_MS + delay));
                return;
            }
            if overtaken
                || (now.saturating_sub(m.failover_start_time) > election_timeout
                    && now > m.failover_start_time)
            {
                self.abort_failover_with(i, "-failover-abort-not-elected", now);
            }
            return;
        }
        self.inst_event(Level::Warning, "+elected-leader", InstRef::Master(uid), "");
        if self.simulate_failure & SIMFAILURE_CRASH_AFTER_ELECTION != 0 {
            self.actions.push_back(Action::Exit(99));
            return;
        }
        let m = &mut self.masters[i];
        m.failover_state = FailoverState::SelectSlave;
        m.failover_state_change_time = now;
        self.inst_event(
            Level::Warning,
            "+failover-state-select-slave",
            InstRef::Master(uid),
            "",
        );
    }

    fn failover_send_slaveof_noone(&mut self, i: usize, now: Millis) {
        let m = &self.masters[i];
        let uid = m.common.uid;
        let Some(r) = m.promoted_replica() else {
            self.abort_failover(i, now);
            return;
        };
        let (ruid, link) = (r.common.uid, r.common.link);
        let inst = InstRef::Replica {
            master: uid,
            replica: ruid,
        };
        if self.links.get(link.0).is_none_or(|l| l.disconnected()) {
            if now.saturating_sub(m.failover_state_change_time) > m.failover_timeout {
                self.abort_failover_with(i, "-failover-abort-slave-timeout", now);
            }
            return;
        }
        if !self.send_slaveof(inst, None) {
            return;
        }
        self.inst_event(Level::Notice, "+failover-state-wait-promotion", inst, "");
        let m = &mut self.masters[i];
        m.failover_state = FailoverState::WaitPromotion;
        m.failover_state_change_time = now;
    }

    fn failover_wait_promotion(&mut self, i: usize, now: Millis) {
        let m = &self.masters[i];
        if now.saturating_sub(m.failover_state_change_time) > m.failover_timeout {
            self.abort_failover_with(i, "-failover-abort-slave-timeout", now);
        }
    }

    /// The promoted replica reported role master while we wait for it (§11.2).
    pub(super) fn on_promotion_confirmed(&mut self, i: usize, ruid: u64, now: Millis) {
        let uid = self.masters[i].common.uid;
        let (old_host, old_port) = (
            self.masters[i].common.host.clone(),
            self.masters[i].common.port,
        );
        let m = &mut self.masters[i];
        m.config_epoch = m.failover_epoch;
        m.failover_state = FailoverState::ReconfSlaves;
        m.failover_state_change_time = now;
        self.request_save();
        self.inst_event(
            Level::Warning,
            "+promoted-slave",
            InstRef::Replica {
                master: uid,
                replica: ruid,
            },
            "",
        );
        if self.simulate_failure & SIMFAILURE_CRASH_AFTER_PROMOTION != 0 {
            self.actions.push_back(Action::Exit(99));
            return;
        }
        self.inst_event(
            Level::Warning,
            "+failover-state-reconf-slaves",
            InstRef::Master(uid),
            "",
        );
        self.client_reconfig_script(uid, "leader", &old_host, old_port);
        self.force_hello(i);
    }

    /// sentinelForceHelloUpdateForMaster, fast: publish the new configuration right away to
    /// the master, its replicas and every peer.
    fn force_hello(&mut self, i: usize) {
        let Some(m) = self.masters.get(i) else { return };
        let uid = m.common.uid;
        let mut targets = vec![InstRef::Master(uid)];
        targets.extend(m.replicas.iter().map(|r| InstRef::Replica {
            master: uid,
            replica: r.common.uid,
        }));
        targets.extend(m.sentinels.iter().map(|p| InstRef::Sentinel {
            master: uid,
            sentinel: p.common.uid,
        }));
        for t in targets {
            if let Some(c) = self.inst_common_mut(t) {
                c.last_pub_time = 0;
            }
            self.send_hello(t);
        }
    }

    /// sentinelFailoverReconfNextSlave + sentinelFailoverDetectEnd (§11.3).
    fn failover_reconf_next_slave(&mut self, i: usize, now: Millis) {
        let reconf_timeout = self.timing.slave_reconf_timeout;
        let Some(m) = self.masters.get(i) else { return };
        let uid = m.common.uid;
        let Some((phost, pport)) = m
            .promoted_replica()
            .map(|r| (r.common.host.clone(), r.common.port))
        else {
            return;
        };
        let parallel = u64::try_from(m.parallel_syncs.max(1)).unwrap_or(1);
        let mut in_progress = m
            .replicas
            .iter()
            .filter(|r| r.reconf_sent || r.reconf_inprog)
            .count() as u64;
        let uids: Vec<u64> = m.replicas.iter().map(|r| r.common.uid).collect();
        for ruid in uids {
            if in_progress >= parallel {
                break;
            }
            let inst = InstRef::Replica {
                master: uid,
                replica: ruid,
            };
            let Some(r) = self.masters[i]
                .replicas
                .iter_mut()
                .find(|r| r.common.uid == ruid)
            else {
                continue;
            };
            if r.promoted || r.reconf_done {
                continue;
            }
            if r.reconf_sent && now.saturating_sub(r.reconf_sent_time) > reconf_timeout {
                r.reconf_sent = false;
                r.reconf_done = true;
                self.inst_event(Level::Notice, "-slave-reconf-sent-timeout", inst, "");
                continue;
            }
            if r.reconf_sent || r.reconf_inprog {
                continue;
            }
            let link = r.common.link;
            if self.links.get(link.0).is_none_or(|l| l.disconnected()) {
                continue;
            }
            if self.send_slaveof(inst, Some((&phost, pport))) {
                if let Some(r) = self.masters[i]
                    .replicas
                    .iter_mut()
                    .find(|r| r.common.uid == ruid)
                {
                    r.reconf_sent = true;
                    r.reconf_sent_time = now;
                }
                self.inst_event(Level::Notice, "+slave-reconf-sent", inst, "");
                in_progress += 1;
            }
        }
        self.failover_detect_end(i, now, &phost, pport);
    }

    fn failover_detect_end(&mut self, i: usize, now: Millis, phost: &str, pport: u16) {
        let Some(m) = self.masters.get(i) else { return };
        let uid = m.common.uid;
        if m.promoted_replica()
            .is_none_or(|r| r.common.s_down_since.is_some())
        {
            return;
        }
        let mut not_reconfigured = m
            .replicas
            .iter()
            .filter(|r| !r.promoted && !r.reconf_done && r.common.s_down_since.is_none())
            .count();
        let timeout = now.saturating_sub(m.failover_state_change_time) > m.failover_timeout;
        if timeout {
            not_reconfigured = 0;
            self.inst_event(
                Level::Warning,
                "+failover-end-for-timeout",
                InstRef::Master(uid),
                "",
            );
        }
        if not_reconfigured == 0 {
            self.inst_event(Level::Warning, "+failover-end", InstRef::Master(uid), "");
            let m = &mut self.masters[i];
            m.failover_state = FailoverState::UpdateConfig;
            m.failover_state_change_time = now;
        }
        if timeout {
            let targets: Vec<(u64, super::LinkId)> = self.masters[i]
                .replicas
                .iter()
                .filter(|r| !(r.promoted || r.reconf_done || r.reconf_sent))
                .map(|r| (r.common.uid, r.common.link))
                .collect();
            for (ruid, link) in targets {
                if self.links.get(link.0).is_none_or(|l| l.disconnected()) {
                    continue;
                }
                let inst = InstRef::Replica {
                    master: uid,
                    replica: ruid,
                };
                if self.send_slaveof(inst, Some((phost, pport))) {
                    self.inst_event(Level::Notice, "+slave-reconf-sent-be", inst, "");
                }
            }
        }
    }

    /// Emits `event` (a `-failover-abort-*`) about master `i`, then aborts its failover.
    pub(super) fn abort_failover_with(&mut self, i: usize, event: &'static str, now: Millis) {
        if let Some(uid) = self.masters.get(i).map(|m| m.common.uid) {
            self.inst_event(Level::Warning, event, InstRef::Master(uid), "");
        }
        self.abort_failover(i, now);
    }

    /// sentinelAbortFailover.
    pub(super) fn abort_failover(&mut self, i: usize, now: Millis) {
        let Some(m) = self.masters.get_mut(i) else {
            return;
        };
        m.failover_state = FailoverState::None;
        m.failover_state_change_time = now;
        m.force_failover = false;
        m.promoted = None;
        // sentinel.c never aborts past wait-promotion; we do (a newer configuration for
        // the same address ends our reconf-slaves), and no replica may keep a reconf flag:
        // it would be polled at the fast INFO rate forever and skipped by the next failover.
        for r in m.replicas.iter_mut() {
            r.promoted = false;
            r.reconf_sent = false;
            r.reconf_inprog = false;
            r.reconf_done = false;
        }
    }

    /// sentinelSendSlaveOf: the MULTI … EXEC transaction pointing `inst` at `to` (or NO ONE).
    pub(super) fn send_slaveof(&mut self, inst: InstRef, to: Option<(&str, u16)>) -> bool {
        let Some(link) = self.inst_common(inst).map(|c| c.link) else {
            return false;
        };
        if self.links.get(link.0).is_none_or(|l| l.cmd.is_none()) {
            return false;
        }
        let (host, port) = match to {
            Some((h, p)) => (h.to_string(), p.to_string()),
            None => ("NO".to_string(), "ONE".to_string()),
        };
        let multi = self.mapped(inst, "MULTI");
        let slaveof = self.mapped(inst, "SLAVEOF");
        let config = self.mapped(inst, "CONFIG");
        let client = self.mapped(inst, "CLIENT");
        let exec = self.mapped(inst, "EXEC");
        self.send(link, ConnKind::Cmd, Pending::Discard, &[multi.as_bytes()]);
        self.send(
            link,
            ConnKind::Cmd,
            Pending::Discard,
            &[slaveof.as_bytes(), host.as_bytes(), port.as_bytes()],
        );
        self.send(
            link,
            ConnKind::Cmd,
            Pending::Discard,
            &[config.as_bytes(), b"REWRITE"],
        );
        self.send(
            link,
            ConnKind::Cmd,
            Pending::Discard,
            &[client.as_bytes(), b"KILL", b"TYPE", b"normal"],
        );
        self.send(
            link,
            ConnKind::Cmd,
            Pending::Discard,
            &[client.as_bytes(), b"KILL", b"TYPE", b"pubsub"],
        );
        self.send(link, ConnKind::Cmd, Pending::Exec(inst), &[exec.as_bytes()])
    }

    /// After the tick loop (and on the fast path): masters whose failover reached
    /// update_config switch to the promoted replica (§11.4).
    pub(super) fn switch_masters_in_update_config(&mut self, now: Millis) {
        let ready: Vec<u64> = self
            .masters
            .iter()
            .filter(|m| m.failover_state == FailoverState::UpdateConfig)
            .map(|m| m.common.uid)
            .collect();
        for uid in ready {
            let Some(i) = self.idx(uid) else { continue };
            let m = &self.masters[i];
            let Some((nh, np)) = m
                .promoted_replica()
                .map(|r| (r.common.host.clone(), r.common.port))
            else {
                self.masters[i].failover_state = FailoverState::None;
                continue;
            };
            let (oh, op, name) = (m.common.host.clone(), m.common.port, m.common.name.clone());
            let oh = self.announce_host(&oh).into_owned();
            self.event(
                Level::Warning,
                "+switch-master",
                format!("{name} {oh} {op} {nh} {np}"),
            );
            self.reset_master_and_change_address(uid, &nh, np, now);
        }
    }

    /// sentinelResetMaster (§3.3). Peers' down reports and votes are forgotten too: they
    /// were about the old address (a stale `master_down` would make the new master ODOWN
    /// at its first hiccup — the false second failover of redis-sentinel), and so are the
    /// replies to requests still in flight (see `Master::addr_generation`).
    pub(crate) fn reset_master(&mut self, i: usize, keep_sentinels: bool, now: Millis) {
        let Some(m) = self.masters.get_mut(i) else {
            return;
        };
        let replicas = std::mem::take(&mut m.replicas);
        let sentinels = if keep_sentinels {
            Vec::new()
        } else {
            std::mem::take(&mut m.sentinels)
        };
        for p in m.sentinels.iter_mut() {
            p.master_down = false;
            p.leader = None;
            p.leader_epoch = 0;
        }
        // Replies still on their way were asked about the address before the reset.
        m.addr_generation = m.addr_generation.wrapping_add(1);
        m.common.s_down_since = None;
        m.o_down_since = None;
        m.start_not_before = None;
        m.common.script_kill_sent = false;
        m.leader = None;
        m.failover_state = FailoverState::None;
        m.failover_state_change_time = 0;
        m.failover_start_time = 0;
        m.force_failover = false;
        m.promoted = None;
        m.common.runid = None;
        m.reboot_since = None;
        m.reported.role = Role::Master;
        m.reported.role_time = now;
        m.reported.info_refresh = 0;
        let link = m.common.link;
        for r in replicas {
            self.release_link(r.common.link);
        }
        for p in sentinels {
            self.release_link(p.common.link);
        }
        self.close_link_conns(link);
        if let Some(l) = self.links.get_mut(link.0) {
            l.reset_timers(now);
            l.last_reconn_time = None;
        }
    }

    /// sentinelResetMasterAndChangeAddress (§11.4).
    pub(super) fn reset_master_and_change_address(
        &mut self,
        uid: u64,
        host: &str,
        port: u16,
        now: Millis,
    ) {
        let Some(i) = self.idx(uid) else { return };
        let m = &self.masters[i];
        let mut addrs: Vec<(String, u16)> = m
            .replicas
            .iter()
            .filter(|r| !(r.common.host == host && r.common.port == port))
            .map(|r| (r.common.host.clone(), r.common.port))
            .collect();
        if !(m.common.host == host && m.common.port == port) {
            addrs.push((m.common.host.clone(), m.common.port));
        }
        self.reset_master(i, true, now);
        let m = &mut self.masters[i];
        m.common.host = host.to_string();
        m.common.port = port;
        let link = m.common.link;
        if let Some(l) = self.links.get_mut(link.0) {
            l.host = host.to_string();
            l.port = port;
        }
        for (h, p) in addrs {
            self.add_replica_announced(i, &h, p, now);
        }
        self.request_save();
    }

    /// Adds a replica to master `i` and announces it with `+slave`; false if it was known.
    pub(super) fn add_replica_announced(
        &mut self,
        i: usize,
        host: &str,
        port: u16,
        now: Millis,
    ) -> bool {
        let Some(uid) = self.masters.get(i).map(|m| m.common.uid) else {
            return false;
        };
        match self.add_replica(i, host, port, now) {
            Some(replica) => {
                self.inst_event(
                    Level::Notice,
                    "+slave",
                    InstRef::Replica {
                        master: uid,
                        replica,
                    },
                    "",
                );
                true
            }
            None => false,
        }
    }

    /// Queues the client-reconfig script, if the master has one (§14).
    pub(super) fn client_reconfig_script(
        &mut self,
        uid: u64,
        role: &str,
        from_host: &str,
        from_port: u16,
    ) {
        let Some(m) = self.master_by_uid(uid) else {
            return;
        };
        let Some(path) = m.client_reconfig_script.clone() else {
            return;
        };
        let (to_host, to_port) = m.current_addr();
        let argv = vec![
            path,
            m.common.name.clone(),
            role.to_string(),
            "start".to_string(),
            from_host.to_string(),
            from_port.to_string(),
            to_host.to_string(),
            to_port.to_string(),
        ];
        self.queue_script(argv);
    }
}
