//! Hostnames (issue 7): with `resolve-hostnames yes` and `announce-hostnames yes`, replies,
//! events and hellos name `localhost`, as redis-sentinel's do; name resolution happens off
//! the event loop, so clients' PINGs are not delayed by it.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn conf(mport: u16) -> SentinelConf {
    SentinelConf::new()
        .line("sentinel resolve-hostnames yes")
        .line("sentinel announce-hostnames yes")
        .monitor("mymaster", "localhost", mport, 1)
        .down_after(1000)
}

#[test]
fn announced_hostnames_appear_in_replies_like_redis_sentinel() {
    let master = RedisServer::master_with(&["replica-announce-ip localhost"]);
    let replica = RedisServer::replica_of_with(master.port(), &["replica-announce-ip localhost"]);
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let ours = RSentinel::start(conf(master.port()).port(free_port()));
    let theirs = RedisSentinel::start(conf(master.port()).port(free_port()));
    let (mut a, mut b) = (theirs.client(), ours.client());
    for c in [&mut a, &mut b] {
        assert!(poll_until(Duration::from_secs(15), || {
            c.cmd(&["SENTINEL", "MASTER", "mymaster"])
                .field("num-slaves")
                .as_deref()
                == Some("1")
        }));
    }
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        &Mask::none(),
    );
    let ra = a.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
    let rb = b.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
    let first = |v: &Value, f: &str| {
        v.as_array()
            .and_then(|r| r.first())
            .and_then(|r| r.field(f))
    };
    assert_eq!(first(&rb, "ip").as_deref(), Some("localhost"), "{rb:?}");
    assert_eq!(first(&ra, "name"), first(&rb, "name"));
    assert_eq!(
        b.cmd(&["SENTINEL", "MASTER", "mymaster"])
            .field("ip")
            .as_deref(),
        Some("localhost")
    );
    // Our hellos on the master's channel name the master as localhost.
    let mut sub = Client::connect(master.port());
    sub.subscribe(&["__sentinel__:hello"]);
    let myid = b.cmd(&["SENTINEL", "MYID"]).as_str().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut ours_seen = None;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Some(m) = sub.next_message(left) else {
            break;
        };
        let payload = m
            .as_array()
            .and_then(|p| p.get(2))
            .and_then(|p| p.as_str())
            .unwrap_or_default();
        if payload.contains(&myid) {
            ours_seen = Some(payload);
            break;
        }
    }
    let payload = ours_seen.expect("a hello from rsentinel");
    let fields: Vec<&str> = payload.split(',').collect();
    assert_eq!(
        fields.get(5).copied(),
        Some("localhost"),
        "hello: {payload}"
    );
}

#[test]
fn resolving_a_bad_name_does_not_delay_client_replies() {
    let master = RedisServer::master();
    let s = RSentinel::start(conf(master.port()).port(free_port()).monitor(
        "ghost",
        "no-such-host.invalid",
        6379,
        1,
    ));
    let mut c = s.client();
    let mut worst = Duration::ZERO;
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end {
        let t = Instant::now();
        assert_eq!(c.cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
        worst = worst.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        worst < Duration::from_millis(250),
        "slowest PING took {worst:?}"
    );
    let ghost = c.cmd(&["SENTINEL", "MASTER", "ghost"]);
    assert!(
        ghost
            .field("flags")
            .unwrap_or_default()
            .contains("disconnected"),
        "{ghost:?}"
    );
}
