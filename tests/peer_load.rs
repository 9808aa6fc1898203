//! What a sentinel costs its redis-sentinel peer: the commands the peer processes from it
//! in 10 s, at rest and while the master is SDOWN for it alone (it keeps asking whether
//! the master is down; the peer never agrees), measured for rsentinel and for
//! redis-sentinel in the same position, side by side. rsentinel's re-asks are faster at
//! the start of a wait but back off to redis-sentinel's period: at most twice its count.

mod common;

use std::time::Duration;

use common::proc::start_sentinel;
use common::*;

const WINDOW: Duration = Duration::from_secs(10);

/// `total_commands_processed` of the peer (a sentinel's INFO has no commandstats).
fn commands_processed(port: u16) -> u64 {
    let text = Client::connect(port)
        .cmd(&["INFO", "stats"])
        .as_str()
        .unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Commands the peer processed from others during one window (the first of our own two
/// INFO calls is counted by the second: it is taken off).
fn window(peer: u16) -> u64 {
    let before = commands_processed(peer);
    std::thread::sleep(WINDOW);
    let after = commands_processed(peer);
    after.saturating_sub(before).saturating_sub(1)
}

fn flags(port: u16) -> String {
    Client::connect(port)
        .cmd(&["SENTINEL", "MASTER", "mymaster"])
        .field("flags")
        .unwrap_or_default()
}

/// Per window, commands a redis-sentinel peer processes from a sentinel of `kind`:
/// (at rest, while the master is SDOWN for that sentinel only).
fn load_on_peer(kind: Kind) -> (u64, u64) {
    let master = RedisServer::master();
    let mport = master.port();
    // The peer would take ten minutes to call the master down: it never agrees.
    let peer = RedisSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .down_after(600_000),
    );
    let us = start_sentinel(
        kind,
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .down_after(1000),
    );
    wait_until(Duration::from_secs(20), "the two sentinels to meet", || {
        [peer.port(), us.port()].iter().all(|&p| {
            Client::connect(p)
                .cmd(&["SENTINEL", "MASTER", "mymaster"])
                .field("num-other-sentinels")
                .as_deref()
                == Some("1")
        })
    });
    let rest = window(peer.port());
    master.stop();
    wait_until(Duration::from_secs(10), "SDOWN", || {
        flags(us.port()).contains("s_down")
    });
    let down = window(peer.port());
    let f = flags(us.port());
    master.cont();
    assert!(!f.contains("o_down"), "{kind:?} reached ODOWN alone: {f}");
    (rest, down)
}

#[test]
fn a_master_down_for_us_alone_costs_the_peer_at_most_twice_what_redis_sentinel_costs() {
    let (ours, theirs) = std::thread::scope(|s| {
        let a = s.spawn(|| load_on_peer(Kind::RSentinel));
        let b = s.spawn(|| load_on_peer(Kind::RedisSentinel));
        (a.join(), b.join())
    });
    let (Ok(ours), Ok(theirs)) = (ours, theirs) else {
        panic!("a measurement failed");
    };
    let (rest_a, down_a) = ours;
    let (rest_b, down_b) = theirs;
    eprintln!("commands processed by the redis-sentinel peer per {WINDOW:?}:");
    eprintln!("  at rest:         rsentinel {rest_a}, redis-sentinel {rest_b}");
    eprintln!("  SDOWN not ODOWN: rsentinel {down_a}, redis-sentinel {down_b}");
    assert!(rest_b > 0 && down_b > 0, "redis-sentinel sent nothing?");
    assert!(
        rest_a <= 2 * rest_b,
        "at rest: {rest_a} commands vs redis-sentinel's {rest_b}"
    );
    assert!(
        down_a <= 2 * down_b,
        "SDOWN-not-ODOWN: {down_a} commands vs redis-sentinel's {down_b}"
    );
}
