//! A deliberately broken core is caught within the default seed count (1,000): the bugs are
//! injected through `Sentinel::test_switches`, and the named invariant must fire.

use rsentinel::sentinel::switches::TestSwitches;
use rsentinel::sim::{run_seed, FaultMix, SimConfig};

const MIXES: [FaultMix; 4] = [
    FaultMix::Crash,
    FaultMix::All,
    FaultMix::None,
    FaultMix::Partition,
];

/// The mixes `caught_by` rotates through: the race mixes too.
const ALL_MIXES: [FaultMix; 6] = [
    FaultMix::Crash,
    FaultMix::All,
    FaultMix::None,
    FaultMix::Partition,
    FaultMix::Race,
    FaultMix::Multi,
];

/// The first seed (of 1,000, fault mixes rotating) whose run breaks an invariant, with the
/// invariant's name.
fn first_violation(switches: TestSwitches) -> Option<(u64, &'static str)> {
    (0..1_000u64).find_map(|seed| {
        let mut cfg = SimConfig::new(seed, MIXES[(seed % 4) as usize]);
        cfg.switches = switches;
        run_seed(&cfg)
            .violations
            .first()
            .map(|v| (seed, v.invariant))
    })
}

/// The first seed (of 1,000, all six fault mixes rotating) whose run breaks `invariant` (a run
/// stops at its first violation, so a seed that breaks another one first does not count).
/// The same seed without the bug must not break it: the bug is what is caught.
fn caught_by(mut cfg: SimConfig, invariant: &str) -> Option<u64> {
    let breaks = |cfg: &SimConfig| {
        run_seed(cfg)
            .violations
            .iter()
            .any(|v| v.invariant == invariant)
    };
    (0..1_000u64).find(|&seed| {
        cfg.seed = seed;
        cfg.faults = ALL_MIXES[(seed % 6) as usize];
        let mut clean = cfg.clone();
        clean.switches = TestSwitches::default();
        breaks(&cfg) && !breaks(&clean)
    })
}

fn with(switches: TestSwitches) -> SimConfig {
    let mut cfg = SimConfig::new(0, FaultMix::None);
    cfg.switches = switches;
    cfg
}

#[test]
fn voting_twice_in_an_epoch_is_caught() {
    let found = first_violation(TestSwitches {
        vote_twice: true,
        ..TestSwitches::default()
    });
    assert_eq!(found.map(|f| f.1), Some("one_vote_per_epoch"), "{found:?}");
}

#[test]
fn a_vote_replied_before_it_is_persisted_is_caught() {
    let found = first_violation(TestSwitches {
        vote_without_persist: true,
        ..TestSwitches::default()
    });
    assert_eq!(
        found.map(|f| f.1),
        Some("vote_reply_is_persisted"),
        "{found:?}"
    );
}

#[test]
fn a_healthy_master_called_down_is_caught() {
    let cfg = with(TestSwitches {
        early_sdown: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "no_odown_of_reachable_master");
    assert!(found.is_some(), "never caught");
}

#[test]
fn odown_without_the_peers_saying_so_is_caught() {
    let cfg = with(TestSwitches {
        odown_without_quorum: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "odown_needs_quorum_of_sdown");
    assert!(found.is_some(), "never caught");
}

#[test]
fn a_leader_elected_with_votes_of_another_epoch_is_caught() {
    let cfg = with(TestSwitches {
        leader_counts_any_epoch: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "leader_has_majority_in_failover_epoch");
    assert!(found.is_some(), "never caught");
}

#[test]
fn promoting_a_replica_that_ranks_lower_is_caught() {
    let cfg = with(TestSwitches {
        select_ignores_priority: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "promoted_replica_is_the_best");
    assert!(found.is_some(), "never caught");
}

#[test]
fn re_asking_peers_fast_in_every_state_is_caught() {
    let cfg = with(TestSwitches {
        ask_storm: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "commands_per_second_are_bounded");
    assert!(found.is_some(), "never caught");
}

#[test]
fn ranking_on_stale_info_past_a_better_priority_replica_is_caught() {
    let cfg = with(TestSwitches {
        select_without_fresh_info: true,
        ..TestSwitches::default()
    });
    let found = caught_by(cfg, "promoted_replica_is_the_best_reachable");
    assert!(found.is_some(), "never caught");
}
