//! Hostnames: with `resolve-hostnames yes` and `announce-hostnames yes`, replies,
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
    let myid = b.cmd(&["SENTINEL", "MYID"]).as_str().unwrap_or_default();
    assert_eq!(
        hello_master_ip(master.port(), &myid).as_deref(),
        Some("localhost")
    );
}

/// The master address (field 6) of the next hello `myid` publishes on the master.
fn hello_master_ip(master_port: u16, myid: &str) -> Option<String> {
    let mut sub = Client::connect(master_port);
    sub.subscribe(&["__sentinel__:hello"]);
    let deadline = Instant::now() + Duration::from_secs(6);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let m = sub.next_message(left)?;
        let payload = m
            .as_array()
            .and_then(|p| p.get(2))
            .and_then(|p| p.as_str())
            .unwrap_or_default();
        if payload.contains(myid) {
            return payload.split(',').nth(5).map(str::to_string);
        }
    }
    None
}

/// `resolve-hostnames yes` only: a master configured by name is announced by its IP.
fn conf_resolve_only(mport: u16, quorum: u32) -> SentinelConf {
    SentinelConf::new()
        .port(free_port())
        .line("sentinel resolve-hostnames yes")
        .monitor("mymaster", "localhost", mport, quorum)
        .down_after(1000)
}

/// Until the sentinel has read the master's INFO (its run id is known): `role-reported`
/// says `master` from the start, so it proves no connection.
fn wait_master_reported(s: &Proc) {
    wait_until(Duration::from_secs(15), "master INFO read", || {
        s.client()
            .cmd(&["SENTINEL", "MASTER", "mymaster"])
            .field("runid")
            .is_some_and(|id| !id.is_empty())
    });
}

#[test]
fn without_announce_hostnames_a_master_named_localhost_is_announced_by_its_ip_like_redis_sentinel()
{
    let master = RedisServer::master();
    let theirs = RedisSentinel::start(conf_resolve_only(master.port(), 1));
    let ours = RSentinel::start(conf_resolve_only(master.port(), 1));
    wait_master_reported(&theirs);
    wait_master_reported(&ours);
    let (mut a, mut b) = (theirs.client(), ours.client());
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        &Mask::none(),
    );
    let ip = |c: &mut Client| c.cmd(&["SENTINEL", "MASTER", "mymaster"]).field("ip");
    assert_eq!(ip(&mut b), ip(&mut a));
    assert_eq!(ip(&mut b).as_deref(), Some("127.0.0.1"));
    let myid = b.cmd(&["SENTINEL", "MYID"]).as_str().unwrap_or_default();
    assert_eq!(
        hello_master_ip(master.port(), &myid).as_deref(),
        Some("127.0.0.1")
    );
}

#[test]
fn a_vote_request_naming_a_localhost_master_by_ip_or_name_is_answered_like_redis_sentinel() {
    let master = RedisServer::master();
    let mport = master.port().to_string();
    let theirs = RedisSentinel::start(conf_resolve_only(master.port(), 1));
    let ours = RSentinel::start(conf_resolve_only(master.port(), 1));
    wait_master_reported(&theirs);
    wait_master_reported(&ours);
    for (epoch, addr, runid) in [
        ("1", "127.0.0.1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ("2", "LOCALHOST", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
    ] {
        let cmd = [
            "SENTINEL",
            "IS-MASTER-DOWN-BY-ADDR",
            addr,
            &mport,
            epoch,
            runid,
        ];
        let (ra, rb) = (theirs.client().cmd(&cmd), ours.client().cmd(&cmd));
        assert_eq!(rb, ra, "{addr}");
        let leader = rb.as_array().and_then(|v| v.get(1)).and_then(Value::as_str);
        assert_eq!(leader.as_deref(), Some(runid), "{addr}: {rb:?}");
    }
}

#[test]
fn a_mixed_group_watching_a_master_named_localhost_counts_each_others_reports() {
    // Two sentinels, quorum 2: each one's ODOWN needs the other's down report, which
    // redis-sentinel asks for by IP and rsentinel by whatever it announces.
    let master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let theirs = RedisSentinel::start(conf_resolve_only(master.port(), 2));
    let ours = RSentinel::start(conf_resolve_only(master.port(), 2));
    for s in [&theirs, &ours] {
        wait_until(
            Duration::from_secs(20),
            "peer and replica discovered",
            || {
                let m = s.client().cmd(&["SENTINEL", "MASTER", "mymaster"]);
                m.field("num-other-sentinels").as_deref() == Some("1")
                    && m.field("num-slaves").as_deref() == Some("1")
            },
        );
    }
    let mut master = master;
    master.kill9();
    let want = replica.port().to_string();
    for s in [&theirs, &ours] {
        wait_until(
            Duration::from_secs(30),
            "failed over to the replica",
            || {
                let r = s
                    .client()
                    .cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
                r.as_array().and_then(|v| v.get(1)).and_then(Value::as_str) == Some(want.clone())
            },
        );
        assert!(
            s.read_log().contains("+odown"),
            "{:?} never saw ODOWN:\n{}",
            s.kind(),
            s.log_tail(30)
        );
    }
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
