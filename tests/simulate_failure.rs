//! `SENTINEL SIMULATE-FAILURE`: the crash comes after the state that led to it is saved,
//! as in sentinel.c (which flushes the config when it votes and before `+promoted-slave`).

mod common;
use common::proc::start_sentinel;
use common::*;

use std::time::Duration;

/// Kills the master of a 1-sentinel group (quorum 1) whose sentinel has the simulated
/// failure `flag`; returns the sentinel's exit code and the config it left.
fn crash_at(kind: Kind, flag: &str) -> (Option<i32>, String) {
    let mut master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", master.port(), 1)
        .down_after(500)
        .failover_timeout(10_000);
    let mut s = start_sentinel(kind, &conf);
    let mut c = s.client();
    wait_until(Duration::from_secs(20), "the replica is known", || {
        c.cmd(&["SENTINEL", "MASTER", "mymaster"])
            .field("num-slaves")
            .as_deref()
            == Some("1")
    });
    let reply = c.cmd(&["SENTINEL", "SIMULATE-FAILURE", flag]);
    assert_eq!(reply.as_str().as_deref(), Some("OK"), "{kind:?}");
    master.kill9();
    let code = s.wait_exit(Duration::from_secs(30));
    (code, s.read_config())
}

fn check(kind: Kind, flag: &str, wanted: &[&str]) {
    let (code, config) = crash_at(kind, flag);
    assert_eq!(code, Some(99), "{kind:?} {flag}: exit code");
    for line in wanted {
        assert!(
            config.lines().any(|l| l == *line),
            "{kind:?} {flag}: '{line}' not in the config it left:\n{config}"
        );
    }
}

#[test]
fn a_crash_after_the_election_leaves_the_self_vote_saved() {
    let wanted = [
        "sentinel current-epoch 1",
        "sentinel leader-epoch mymaster 1",
    ];
    check(Kind::RedisSentinel, "crash-after-election", &wanted);
    check(Kind::RSentinel, "crash-after-election", &wanted);
}

#[test]
fn a_crash_after_the_promotion_leaves_the_new_config_epoch_saved() {
    let wanted = [
        "sentinel current-epoch 1",
        "sentinel config-epoch mymaster 1",
    ];
    check(Kind::RedisSentinel, "crash-after-promotion", &wanted);
    check(Kind::RSentinel, "crash-after-promotion", &wanted);
}
