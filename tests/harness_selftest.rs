//! Tests of the test harness itself (tests/common): they pass with the reference binaries
//! alone, independently of rsentinel's progress.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::compare::diff_reply;
use common::proc::{pid_alive, wait_replica_link_up};
use common::*;

#[test]
fn master_replica_and_redis_sentinel_start_and_sentinel_discovers_the_replica() {
    let master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    wait_replica_link_up(replica.port(), Duration::from_secs(10));

    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", master.port(), 1)
        .down_after(1000);
    let sentinel = RedisSentinel::start(&conf);
    let mut c = sentinel.client();
    wait_until(
        Duration::from_secs(10),
        "sentinel to list the replica",
        || {
            let v = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
            v.as_array().is_some_and(|a| {
                a.len() == 1 && a[0].field("master-link-status").as_deref() == Some("ok")
            })
        },
    );
    assert_eq!(
        c.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
        Value::Array(vec![
            Value::bulk("127.0.0.1"),
            Value::bulk(&master.port().to_string())
        ])
    );
    // The sentinel rewrote its config (myid) in its own temp dir.
    assert!(sentinel.read_config().contains("sentinel myid "));
}

#[test]
fn ports_are_unique_across_threads_and_bindable() {
    let handles: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(|| free_ports(16)))
        .collect();
    let mut all = HashSet::new();
    for h in handles {
        for p in h.join().expect("allocator thread") {
            assert!(all.insert(p), "port {p} handed out twice");
            assert!(ports::bindable(p), "port {p} handed out but not bindable");
            assert!(
                (20000..32700).contains(&p),
                "port {p} outside the test range"
            );
        }
    }
    assert_eq!(all.len(), 128);
}

#[test]
fn port_blocks_are_consecutive_reserved_and_disjoint() {
    let a = free_port_block(5);
    let b = free_port_block(5);
    assert!(a + 5 <= b || b + 5 <= a, "blocks {a}+5 and {b}+5 overlap");
    for p in (a..a + 5).chain(b..b + 5) {
        assert!(
            ports::try_lock(p).is_none(),
            "port {p} of a block is not locked"
        );
        assert!(ports::bindable(p));
    }
    assert!(!free_ports(20)
        .iter()
        .any(|p| (a..a + 5).contains(p) || (b..b + 5).contains(p)));
}

#[test]
fn reserved_ports_are_locked_against_other_processes() {
    // flock locks belong to an open file description: a second open of the lock file, as
    // another process would do, must fail to lock while we hold the reservation.
    let p = free_port();
    assert!(
        ports::try_lock(p).is_none(),
        "lock file of reserved port {p} could be locked again"
    );
}

#[test]
fn dropping_a_process_kills_it_even_when_the_test_panics() {
    let pid = std::thread::spawn(|| {
        let m = RedisServer::master();
        let pid = m.pid();
        assert!(pid_alive(pid));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _keep = m;
            panic!("deliberate panic while holding a redis-server");
        }));
        assert!(r.is_err());
        pid
    })
    .join()
    .expect("thread");
    assert!(!pid_alive(pid), "redis-server pid {pid} survived its Proc");
}

#[test]
fn stop_cont_kill9_and_restart_control_the_process() {
    let mut m = RedisServer::master();
    let port = m.port();
    let pid = m.pid();

    m.stop();
    let mut c = m.client();
    c.set_read_timeout(Some(Duration::from_millis(300)));
    c.send(&["PING"]);
    assert!(c.try_read_raw().is_err(), "a SIGSTOPped server answered");
    m.cont();
    c.set_read_timeout(Some(client::IO_TIMEOUT));
    assert_eq!(c.read(), Value::Simple("PONG".into()));

    m.kill9();
    assert!(!pid_alive(pid));
    assert!(!m.is_running());
    m.restart();
    assert_ne!(m.pid(), pid);
    assert_eq!(m.port(), port);
    assert_eq!(m.client().cmd(&["PING"]), Value::Simple("PONG".into()));
    assert!(m.read_log().contains("[harness] restart"));
}

#[test]
fn resp_client_reads_resp3_types_and_exact_bytes() {
    let m = RedisServer::master();
    let mut c = m.client();
    c.hello3();
    let (v, raw) = c.cmd_raw(&["HELLO", "3"]);
    assert_eq!(v.encode(), raw, "re-encoding must give the bytes read");
    assert_eq!(v.field("mode").as_deref(), Some("standalone"));
    assert!(matches!(v, Value::Map(_)));
    let (v, raw) = c.cmd_raw(&["GET", "nosuchkey"]);
    assert_eq!((v, raw), (Value::Null, b"_\r\n".to_vec()));
    c.cmd(&["SET", "k", "1.5"]);
    let (v, raw) = c.cmd_raw(&["INCRBYFLOAT", "k", "1"]);
    assert_eq!(v.encode(), raw);
    c.subscribe(&["ch"]);
    let mut p = m.client();
    assert_eq!(p.cmd(&["PUBLISH", "ch", "hi"]), Value::Int(1));
    let msg = c
        .next_message(Duration::from_secs(5))
        .expect("pub/sub message");
    assert_eq!(
        msg,
        Value::Push(vec![
            Value::bulk("message"),
            Value::bulk("ch"),
            Value::bulk("hi")
        ])
    );
    assert!(c.next_message(Duration::from_millis(50)).is_none());
}

#[test]
fn compare_helpers_find_redis_sentinel_equal_to_itself_and_spot_differences() {
    let pair = Pair::start_kinds(Kind::RedisSentinel, Kind::RedisSentinel, |mport| {
        SentinelConf::new().monitor("mymaster", "127.0.0.1", mport, 2)
    });
    pair.wait_settled("mymaster");
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::instance(),
    );
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        &Mask::none(),
    );
    same_info(&mut a, &mut b, &["INFO"], &["redis_mode", "master0"]);
    // Without masks the run ids (different masters) must show up as a difference.
    let e = diff_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::none(),
    );
    assert!(e.is_err(), "unmasked SENTINEL MASTER compared equal");
    // And a plainly different reply is caught byte-wise.
    let e = common::compare::diff_values(
        &a,
        &b,
        "synthetic",
        (Value::Int(1), b":1\r\n".to_vec()),
        (Value::Int(2), b":2\r\n".to_vec()),
        &Mask::none(),
    );
    assert!(e.is_err());
}
