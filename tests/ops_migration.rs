//! The README's migration recipe, run for real: in a group of three `redis-sentinel`s, one
//! is replaced by rsentinel (same port, its config file copied, `sentinel myid` included),
//! the group still counts three sentinels and `CKQUORUM` is OK everywhere, a failover then
//! works in the mixed group; and the way back (rsentinel's rewritten file under
//! `redis-sentinel`) works too.

mod common;

use std::time::Duration;

use common::proc::start_sentinel;
use common::{free_port, wait_until, Client, Kind, Proc, RedisServer, SentinelConf};

fn sentinel_ids(c: &mut Client) -> Vec<String> {
    let v = c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]);
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.field("runid"))
        .collect();
    ids.sort();
    ids
}

fn myid(c: &mut Client) -> String {
    c.cmd(&["SENTINEL", "MYID"]).as_str().unwrap_or_default()
}

/// Every sentinel knows exactly the other two, by the ids they report, and CKQUORUM is OK.
fn wait_group_whole(group: &[&Proc]) {
    let ids: Vec<String> = group.iter().map(|p| myid(&mut p.client())).collect();
    for (i, p) in group.iter().enumerate() {
        let mut c = p.client();
        let mut others: Vec<String> = ids
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, id)| id.clone())
            .collect();
        others.sort();
        wait_until(
            Duration::from_secs(15),
            &format!("{p:?} to know exactly the other two sentinels"),
            || sentinel_ids(&mut c) == others,
        );
        let ck = c.cmd(&["SENTINEL", "CKQUORUM", "mymaster"]);
        assert!(
            ck.as_str().is_some_and(|s| s.starts_with("OK 3 usable")),
            "{p:?}: {ck:?}"
        );
    }
}

/// The config text of a stopped sentinel, ready to start elsewhere on the same port.
fn stop_and_take_config(p: &mut Proc) -> String {
    assert_eq!(p.terminate(Duration::from_secs(10)), Some(0), "{p:?}");
    p.read_config()
}

#[test]
fn a_redis_sentinel_is_replaced_by_rsentinel_and_back_without_growing_the_group() {
    let master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    let conf = |port: u16| {
        SentinelConf::new()
            .port(port)
            .monitor("mymaster", "127.0.0.1", master.port(), 2)
            .down_after(1000)
            .failover_timeout(10_000)
    };
    let a = start_sentinel(Kind::RedisSentinel, conf(free_port()));
    let b = start_sentinel(Kind::RedisSentinel, conf(free_port()));
    let mut c = start_sentinel(Kind::RedisSentinel, conf(free_port()));
    wait_group_whole(&[&a, &b, &c]);
    let c_id = myid(&mut c.client());

    // Replace C by rsentinel: same port, same file (with its myid and known state).
    let text = stop_and_take_config(&mut c);
    assert!(text.contains(&format!("sentinel myid {c_id}")));
    let r = start_sentinel(Kind::RSentinel, &text);
    assert_eq!(myid(&mut r.client()), c_id);
    wait_group_whole(&[&a, &b, &r]);

    // The mixed group fails over.
    common::proc::wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let mut sub = r.client();
    sub.subscribe(&["+switch-master"]);
    drop(master);
    let m = sub
        .next_message(Duration::from_secs(30))
        .expect("+switch-master within 30 s");
    assert!(
        format!("{m:?}").contains(&format!("127.0.0.1 {}", replica.port())),
        "{m:?}"
    );
    for p in [&a, &b, &r] {
        let mut cl = p.client();
        wait_until(
            Duration::from_secs(15),
            "all agree on the new master",
            || {
                let v = cl.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
                format!("{v:?}").contains(&replica.port().to_string())
            },
        );
    }

    // And back: rsentinel's rewritten file runs under redis-sentinel.
    let mut r = r;
    let text = stop_and_take_config(&mut r);
    let back = start_sentinel(Kind::RedisSentinel, &text);
    assert_eq!(myid(&mut back.client()), c_id);
    wait_group_whole(&[&a, &b, &back]);
}
