//! Aborting a failover leaves no per-replica failover state behind.

use crate::config::load_str;
use crate::sentinel::{FailoverState, Sentinel, Settings};

fn core_with_two_replicas() -> Sentinel {
    let cfg = load_str(
        "sentinel myid 0123456789abcdef0123456789abcdef01234567\n\
         sentinel monitor m 127.0.0.1 6379 2\n\
         sentinel known-replica m 127.0.0.1 6380\n\
         sentinel known-replica m 127.0.0.1 6381\n",
    )
    .expect("config loads");
    let settings = Settings {
        port: 26379,
        requirepass: None,
    };
    Sentinel::new(&cfg.sentinel, settings, 1_000, 7)
}

#[test]
fn an_abort_out_of_reconf_slaves_clears_the_replicas_reconf_flags() {
    let mut core = core_with_two_replicas();
    let m = &mut core.masters[0];
    let promoted = m.replicas[0].common.uid;
    m.failover_state = FailoverState::ReconfSlaves;
    m.promoted = Some(promoted);
    m.replicas[0].promoted = true;
    let r = &mut m.replicas[1];
    r.reconf_sent = true;
    r.reconf_inprog = true;
    r.reconf_done = true;
    r.reconf_sent_time = 1_500;
    // A newer configuration epoch for the same address ends the failover this way.
    core.abort_failover(0, 2_000);
    let m = &core.masters[0];
    assert_eq!(m.failover_state, FailoverState::None);
    assert_eq!(m.promoted, None);
    for r in &m.replicas {
        assert!(
            !(r.promoted || r.reconf_sent || r.reconf_inprog || r.reconf_done),
            "{}: promoted {} sent {} inprog {} done {}",
            r.common.name,
            r.promoted,
            r.reconf_sent,
            r.reconf_inprog,
            r.reconf_done
        );
    }
}
