//! What the sentinels make of a replica's link to its master, side by side with
//! redis-sentinel.

mod common;
use common::*;

use std::time::{Duration, Instant};

/// (master-link-down-time, info-refresh) of the only replica, once its INFO is in.
fn replica_fields(c: &mut Client) -> Option<(String, i64)> {
    let v = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
    let r = v.as_array()?.first()?;
    let refresh = r.field("info-refresh")?.parse().ok()?;
    if r.field("runid").is_none_or(|id| id.is_empty()) {
        return None;
    }
    Some((r.field("master-link-down-time")?, refresh))
}

#[test]
fn a_replica_that_never_synced_reports_minus_1000_and_is_polled_every_second() {
    let master = RedisServer::master();
    let nothing = free_port();
    // Points at a port where nothing listens: never synced, `master_link_down_since_seconds:-1`.
    let replica = RedisServer::master_with(&[&format!("replicaof 127.0.0.1 {nothing}")]);
    assert_eq!(
        redis_info_field(
            replica.port(),
            "replication",
            "master_link_down_since_seconds"
        )
        .as_deref(),
        Some("-1")
    );
    let conf = |port| {
        SentinelConf::new()
            .port(port)
            .monitor("mymaster", "127.0.0.1", master.port(), 2)
            .known_replica("127.0.0.1", replica.port())
    };
    let reference = RedisSentinel::start(conf(free_port()));
    let candidate = RSentinel::start(conf(free_port()));
    let mut clients = [reference.client(), candidate.client()];
    for (c, who) in clients.iter_mut().zip(["redis-sentinel", "rsentinel"]) {
        let mut got = None;
        wait_until(Duration::from_secs(15), "the replica's INFO", || {
            got = replica_fields(c);
            got.is_some()
        });
        assert_eq!(
            got.map(|g| g.0).as_deref(),
            Some("-1000"),
            "{who}: master-link-down-time"
        );
    }
    // A replica whose link is down is asked for INFO every second (the 10 s period is for
    // healthy ones): its info-refresh never grows past a little over 1 s.
    let mut oldest = [0i64; 2];
    let end = Instant::now() + Duration::from_secs(4);
    while Instant::now() < end {
        for (c, o) in clients.iter_mut().zip(oldest.iter_mut()) {
            if let Some((_, refresh)) = replica_fields(c) {
                *o = (*o).max(refresh);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        oldest.iter().all(|&o| o < 2_500),
        "oldest info-refresh (redis-sentinel, rsentinel): {oldest:?}"
    );
}
