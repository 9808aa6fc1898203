//! Values from the wire that the config loader would refuse: a hello on a monitored master
//! naming a sentinel by host name, a replica whose `replica-announce-ip` is a name. With
//! `resolve-hostnames no` both sentinels drop them (sentinel.c's createSentinelAddr), list
//! nothing bogus, and keep saving their config.

mod common;

use std::time::Duration;

use common::*;

const FORGED_ID: &str = "5e1f0c0ffee0ddba11ca5cade0fbeefc0de00042";

fn conf(mport: u16) -> SentinelConf {
    SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", mport, 2)
        .down_after(5000)
}

/// `SENTINEL SET` is acknowledged and the change reaches the config file.
#[track_caller]
fn keeps_saving(s: &Proc, down_after: &str) {
    let mut c = s.client();
    let r = c.cmd(&[
        "SENTINEL",
        "SET",
        "mymaster",
        "down-after-milliseconds",
        down_after,
    ]);
    assert_eq!(r.as_str().as_deref(), Some("OK"), "{:?}: {r:?}", s.kind());
    let line = format!("sentinel down-after-milliseconds mymaster {down_after}");
    assert!(
        s.read_config().contains(&line),
        "{:?} did not save:\n{}\n{}",
        s.kind(),
        s.read_config(),
        s.log_tail(20)
    );
}

fn listed(s: &Proc, sub: &str, needle: &str) -> bool {
    let v = s.client().cmd(&["SENTINEL", sub, "mymaster"]);
    format!("{v:?}").contains(needle)
}

#[test]
fn a_hello_naming_a_sentinel_by_host_name_is_dropped_and_saves_go_on() {
    let master = RedisServer::master();
    let ours = RSentinel::start(conf(master.port()));
    let theirs = RedisSentinel::start(conf(master.port()));
    // Both are on the hello channel once they see each other.
    for s in [&ours, &theirs] {
        wait_until(Duration::from_secs(20), "peers discovered", || {
            s.client()
                .cmd(&["SENTINEL", "MASTER", "mymaster"])
                .field("num-other-sentinels")
                .as_deref()
                == Some("1")
        });
    }
    let forged = format!(
        "sentinel-b.example,26999,{FORGED_ID},0,mymaster,127.0.0.1,{},0",
        master.port()
    );
    let mut pubc = Client::connect(master.port());
    for _ in 0..3 {
        let n = pubc.cmd(&["PUBLISH", "__sentinel__:hello", &forged]);
        assert_eq!(n.as_int(), Some(2), "both sentinels subscribed");
        std::thread::sleep(Duration::from_millis(200));
    }
    for (s, v) in [(&ours, "4321"), (&theirs, "4321")] {
        assert!(
            !listed(s, "SENTINELS", "sentinel-b.example"),
            "{:?}",
            s.kind()
        );
        keeps_saving(s, v);
    }
}

#[test]
fn a_replica_announcing_a_host_name_is_not_added_and_saves_go_on() {
    let master = RedisServer::master();
    let replica =
        RedisServer::replica_of_with(master.port(), &["replica-announce-ip replica-1.example"]);
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let ours = RSentinel::start(conf(master.port()));
    let theirs = RedisSentinel::start(conf(master.port()));
    for s in [&ours, &theirs] {
        // INFO has been read (the master is known to be a master) at least twice.
        wait_until(Duration::from_secs(20), "master INFO read", || {
            s.client()
                .cmd(&["SENTINEL", "MASTER", "mymaster"])
                .field("role-reported")
                .as_deref()
                == Some("master")
        });
    }
    std::thread::sleep(Duration::from_millis(1500));
    for (s, v) in [(&ours, "4322"), (&theirs, "4322")] {
        assert!(
            !listed(s, "REPLICAS", "replica-1.example"),
            "{:?}",
            s.kind()
        );
        keeps_saving(s, v);
    }
}
