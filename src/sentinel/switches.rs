//! Test-only switches for the simulator: deliberately broken behaviour (to prove the
//! simulator's invariants catch it) and overrides of the fast-path jitter constants (to
//! measure alternatives). All off by default; the shell never sets them.

/// Knobs the deterministic simulator turns. `Default` is the real, correct core.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestSwitches {
    /// Bug: a vote (and the epoch it adopts) does not request a config save, so the vote
    /// reply may leave the process before the vote is on disk.
    pub vote_without_persist: bool,
    /// Bug: vote again in an epoch we already voted in (for whoever asks).
    pub vote_twice: bool,
    /// Bug: hello and INFO values enter the state unchecked (host names while
    /// `resolve-hostnames no`, any run id, any epoch jump), as before `wire_check`.
    pub unchecked_wire_values: bool,
    /// Bug: a failed save is treated as a successful one (held votes are given anyway), as
    /// before `durability`.
    pub ack_unsaved_votes: bool,
    /// Bug: a master is SDOWN a quarter of down-after after its last valid reply (so a
    /// healthy master flaps down between two PINGs).
    pub early_sdown: bool,
    /// Bug: our own SDOWN is enough for ODOWN (the peers' replies are not needed).
    pub odown_without_quorum: bool,
    /// Bug: the election counts the peers' votes whatever epoch they were cast in.
    pub leader_counts_any_epoch: bool,
    /// Bug: replica selection ignores `replica-priority` (offset and run id only).
    pub select_ignores_priority: bool,
    /// Bug: selection ranks the replicas on the INFO it has, without waiting for a fresh
    /// one from each (as sentinel.c does).
    pub select_without_fresh_info: bool,
    /// Bug: a replica's link-down time is judged against our own SDOWN's age only (as
    /// sentinel.c), also when we never saw the master reply.
    pub staleness_from_own_sdown: bool,
    /// Bug: peers are re-asked `is-master-down-by-addr` at the fast interval in every
    /// state, for as long as the master is SDOWN.
    pub ask_storm: bool,
    /// Override of `failover::START_JITTER_MS`.
    pub start_jitter_ms: Option<u64>,
    /// Override of `failover::FAST_ASK_MS`.
    pub fast_ask_ms: Option<u64>,
}
