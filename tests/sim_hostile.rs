//! The `hostile` fault mix: forged hellos PUBLISHed on the master (host names, bad ports,
//! epochs at u64::MAX, unknown masters, bad run ids), a replica announcing a host name, and
//! full disks, on top of crashes. Every invariant holds over 250 seeds; and with the wire
//! checks switched off (`unchecked_wire_values`), or failed saves taken for good ones
//! (`ack_unsaved_votes`), the same inputs are caught by the existing invariants, which
//! proves they reach them.

use rsentinel::sentinel::switches::TestSwitches;
use rsentinel::sim::{run_seed, FaultMix, SimConfig};

#[test]
fn forged_hellos_host_names_and_full_disks_hold_every_invariant_over_250_seeds() {
    for seed in 4_000..4_250u64 {
        let cfg = SimConfig::new(seed, FaultMix::Hostile);
        let r = run_seed(&cfg);
        assert!(
            r.violations.is_empty(),
            "seed {seed}: {:?}\nreplay: {}",
            r.violations.first(),
            cfg.replay_command()
        );
    }
}

#[test]
fn unchecked_wire_values_are_caught_by_the_invariants() {
    let found = (4_000..4_250u64).find_map(|seed| {
        let mut cfg = SimConfig::new(seed, FaultMix::Hostile);
        cfg.switches = TestSwitches {
            unchecked_wire_values: true,
            ..TestSwitches::default()
        };
        run_seed(&cfg)
            .violations
            .first()
            .map(|v| (seed, v.invariant))
    });
    assert!(
        matches!(found, Some((_, "config_parses_back" | "liveness"))),
        "{found:?}"
    );
}

#[test]
fn votes_given_although_their_save_failed_are_caught() {
    let found = (4_000..4_250u64).find_map(|seed| {
        let mut cfg = SimConfig::new(seed, FaultMix::Hostile);
        cfg.switches = TestSwitches {
            ack_unsaved_votes: true,
            ..TestSwitches::default()
        };
        run_seed(&cfg)
            .violations
            .first()
            .map(|v| (seed, v.invariant))
    });
    assert!(
        matches!(
            found,
            Some((
                _,
                "vote_reply_is_persisted" | "one_vote_per_epoch" | "epochs_never_decrease"
            ))
        ),
        "{found:?}"
    );
}

/// Seeds where a replica announcing itself by host name (which the sentinels rightly never
/// list, as redis-sentinel with `resolve-hostnames no` cannot either) kept replicating from
/// the old master, now itself a replica: liveness waited for it to follow the new master,
/// which nobody would ever tell it to do.
#[test]
fn a_replica_the_sentinels_cannot_name_does_not_hold_up_liveness() {
    for seed in [1271, 16874, 17378] {
        let r = run_seed(&SimConfig::new(seed, FaultMix::Hostile));
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
    }
}

/// Seed 1951: a full disk held a sentinel's own vote until after the master (the one it
/// had just promoted) answered again; the save then worked, and the sentinel was elected
/// and failed over a master that answered, reconfiguring a replica back and forth
/// (commands_per_second_are_bounded fired). The round now ends when ODOWN does.
#[test]
fn a_master_that_answers_again_while_votes_wait_for_the_disk_is_not_failed_over() {
    let cfg = SimConfig::new(1951, FaultMix::Hostile);
    let r = run_seed(&cfg);
    assert!(
        r.violations.is_empty(),
        "{:?}\nreplay: {}",
        r.violations.first(),
        cfg.replay_command()
    );
}
