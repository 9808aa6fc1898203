//! A deliberately broken core is caught within the default seed count (1,000): the bugs are
//! injected through `Sentinel::test_switches`, and the named invariant must fire.

use rsentinel::sentinel::switches::TestSwitches;
use rsentinel::sim::{run_seed, FaultMix, SimConfig};

/// The first seed (of 1,000, fault mixes rotating) whose run breaks an invariant, with the
/// invariant's name.
fn first_violation(switches: TestSwitches) -> Option<(u64, &'static str)> {
    let mixes = [
        FaultMix::Crash,
        FaultMix::All,
        FaultMix::None,
        FaultMix::Partition,
    ];
    (0..1_000u64).find_map(|seed| {
        let mut cfg = SimConfig::new(seed, mixes[(seed % 4) as usize]);
        cfg.switches = switches;
        run_seed(&cfg)
            .violations
            .first()
            .map(|v| (seed, v.invariant))
    })
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
    assert!(
        matches!(
            found,
            Some((_, "one_vote_per_epoch" | "epochs_never_decrease"))
        ),
        "{found:?}"
    );
}
