//! Replica selection with real processes: `replica-priority` decides, even when the better
//! replica answers a little later than the others.

mod common;
use common::*;

use std::time::Duration;

/// One run: master M, replica A (priority 100) and replica B (priority 10) that the
/// sentinel reaches through a proxy delaying B's replies by 40 ms. M is SIGSTOPped while
/// the sentinel's last INFO from the replicas is 4.5–7 s old: at selection it is older than
/// the 5 s that ranking accepts, so the failover must rank on INFO it asks for. Returns
/// (B's announced port, the promoted port).
fn priority_race_run() -> (u16, u16) {
    let master = RedisServer::master();
    let a = RedisServer::replica_of_with(master.port(), &["replica-priority 100"]);
    let b = RedisServer::master_with(&["replica-priority 10"]);
    let proxy = DelayProxy::start(b.port(), Duration::from_millis(40));
    let mut bc = b.client();
    let proxy_port = proxy.port().to_string();
    for (k, v) in [
        ("replica-announce-ip", "127.0.0.1"),
        ("replica-announce-port", proxy_port.as_str()),
    ] {
        assert_eq!(
            bc.cmd(&["CONFIG", "SET", k, v]).as_str().as_deref(),
            Some("OK")
        );
    }
    bc.cmd(&["REPLICAOF", "127.0.0.1", &master.port().to_string()]);
    wait_replica_link_up(a.port(), Duration::from_secs(10));
    wait_replica_link_up(b.port(), Duration::from_secs(10));
    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", master.port(), 1)
        .down_after(1000)
        .failover_timeout(10_000);
    let s = RSentinel::start(&conf);
    let mut c = s.client();
    // B's INFO age, as the sentinel reports it (`info-refresh`, ms), once both are known.
    let mut b_info_age = || -> Option<i64> {
        let v = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
        let reps = v.as_array()?;
        let known = reps
            .iter()
            .filter(|r| {
                r.field("info-refresh")
                    .is_some_and(|x| x.parse::<i64>().is_ok())
            })
            .count();
        if known < 2 {
            return None;
        }
        reps.iter()
            .find(|r| r.field("port").as_deref() == Some(proxy_port.as_str()))
            .and_then(|r| r.field("info-refresh"))
            .and_then(|x| x.parse().ok())
    };
    wait_until(Duration::from_secs(30), "B's INFO 4.5-7 s old", || {
        b_info_age().is_some_and(|age| (4_500..7_000).contains(&age))
    });
    master.stop();
    let mut c = s.client();
    let mut promoted = 0;
    wait_until(Duration::from_secs(20), "a promotion", || {
        let v = c.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
        promoted = v
            .as_array()
            .and_then(|a| a.get(1))
            .and_then(|p| p.as_str())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        promoted != 0 && promoted != master.port()
    });
    master.cont();
    (proxy.port(), promoted)
}

#[test]
fn the_lower_priority_replica_is_promoted_though_its_info_comes_later() {
    // Five runs side by side (each is ~10 s of waiting for the INFO phase, not CPU).
    let results: Vec<(u16, u16)> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..5).map(|_| scope.spawn(priority_race_run)).collect();
        runs.into_iter()
            .map(|h| h.join().expect("run did not panic"))
            .collect()
    });
    let wrong: Vec<_> = results.iter().filter(|(b, p)| b != p).collect();
    assert!(
        wrong.is_empty(),
        "priority 100 promoted over priority 10 in {} of {} runs: {results:?}",
        wrong.len(),
        results.len()
    );
}
