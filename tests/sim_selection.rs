//! Simulator regression seeds for replica selection.

use rsentinel::sim::{run_seed, FaultMix, SimConfig};

/// A sentinel restarted long after the master died: its own SDOWN is young, the replicas'
/// link-down times are old, and Redis's absolute staleness rule rejected every replica,
/// so every later failover ended `-failover-abort-no-good-slave`. (The simulator's fault
/// schedules have changed since, and this seed no longer reaches that state even with the
/// bug switch `staleness_from_own_sdown`; the standing proof is the scripted scenario in
/// `sentinel::failover_select::tests`.)
#[test]
fn a_sentinel_restarted_after_the_master_died_still_fails_over() {
    let mut cfg = SimConfig::new(2214, FaultMix::All);
    cfg.sentinels = 3;
    let r = run_seed(&cfg);
    assert!(
        r.violations.is_empty(),
        "{:?}\nreplay: {}",
        r.violations,
        cfg.replay_command()
    );
    assert!(r.failover_ms.is_some(), "no failover completed");
}
