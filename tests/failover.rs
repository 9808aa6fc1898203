//! Failover with real processes: a master, its replicas and three sentinels —
//! rsentinel, redis-sentinel or a mix — on loopback. `kill -9` the master, watch the group
//! agree on a promoted replica, the rest follow it, and nothing fail over twice.

mod common;

use std::time::{Duration, Instant};

use common::*;

const D: u64 = 1000;

fn rs(quorum: u32) -> SentinelSpec {
    SentinelSpec::new(Kind::RSentinel, quorum, D)
}

/// Events seen by a `PSUBSCRIBE *` client within `window`: (channel, payload).
fn collect_events(c: &mut Client, window: Duration) -> Vec<(String, String)> {
    let deadline = Instant::now() + window;
    let mut out = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Some(msg) = c.next_message(left) else {
            break;
        };
        if let Some(parts) = msg.as_array() {
            if parts.len() == 4 {
                let ch = parts[2].as_str().unwrap_or_default();
                let payload = parts[3].as_str().unwrap_or_default();
                out.push((ch, payload));
            }
        }
    }
    out
}

fn subscribe_all(port: u16) -> Client {
    let mut c = Client::connect(port);
    c.psubscribe(&["*"]);
    c
}

#[test]
fn kill9_master_promotes_a_replica_everyone_follows_and_configs_name_it() {
    let mut g = Group::start(2, &[rs(2), rs(2), rs(2)]);
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let new = g.wait_agreement_other_than(old, Duration::from_secs(20));
    g.wait_role_master(new, Duration::from_secs(10));
    let other = g
        .servers
        .iter()
        .map(|s| s.port())
        .find(|&p| p != old && p != new)
        .expect("a third server");
    g.wait_replicates_from(other, new, Duration::from_secs(20));
    // The old master comes back as a master: the sentinels convert it into a replica.
    g.server_by_port(old).restart();
    g.wait_replicates_from(old, new, Duration::from_secs(30));
    for s in &g.sentinels {
        let conf = s.read_config();
        assert!(
            conf.contains(&format!("sentinel monitor mymaster 127.0.0.1 {new} 2")),
            "config of sentinel {} does not name the new master:\n{conf}",
            s.port()
        );
    }
}

#[test]
fn manual_failover_promotes_the_only_replica_with_nonzero_priority() {
    let g = Group::start(2, &[rs(2), rs(2), rs(2)]);
    let (a, b) = (g.servers[1].port(), g.servers[2].port());
    Client::connect(a).cmd(&["CONFIG", "SET", "replica-priority", "0"]);
    // Wait until the sentinels' view of the priority is fresh (INFO every 10 s by default).
    let mut c = g.sentinels[0].client();
    assert!(poll_until(Duration::from_secs(25), || {
        c.cmd(&["SENTINEL", "REPLICAS", "mymaster"])
            .as_array()
            .is_some_and(|rs| {
                rs.iter().any(|r| {
                    r.field("port").as_deref() == Some(&a.to_string())
                        && r.field("slave-priority").as_deref() == Some("0")
                })
            })
    }));
    let reply = c.cmd(&["SENTINEL", "FAILOVER", "mymaster"]);
    assert_eq!(reply.as_str().as_deref(), Some("OK"), "{reply:?}");
    let new = g.wait_agreement_other_than(g.servers[0].port(), Duration::from_secs(20));
    assert_eq!(new, b, "the replica with priority 0 must never be promoted");
    g.wait_role_master(b, Duration::from_secs(10));
    g.wait_replicates_from(a, b, Duration::from_secs(20));
    Client::connect(a).cmd(&["CONFIG", "SET", "replica-priority", "100"]);
    // A second manual failover while one is in progress is refused.
    let again = c.cmd(&["SENTINEL", "FAILOVER", "nosuch"]);
    assert_eq!(
        again.error().as_deref(),
        Some("ERR No such master with that name")
    );
}

#[test]
fn no_failover_when_the_quorum_cannot_be_reached() {
    let mut g = Group::start(1, &[rs(3), rs(3), rs(3)]);
    g.sentinels[2].kill9();
    let mut events = subscribe_all(g.sentinels[0].port());
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let seen = collect_events(&mut events, Duration::from_millis(D + 3000));
    assert!(
        seen.iter().any(|(ch, _)| ch == "+sdown"),
        "expected +sdown, got {seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|(ch, _)| ch == "+odown" || ch == "+try-failover"),
        "no ODOWN without quorum: {seen:?}"
    );
    assert_eq!(g.master_port(0), Some(old));
}

#[test]
fn no_failover_when_a_majority_of_sentinels_is_down() {
    let mut g = Group::start(1, &[rs(1), rs(1), rs(1)]);
    g.sentinels[1].kill9();
    g.sentinels[2].kill9();
    let mut c = g.sentinels[0].client();
    c.cmd(&["SENTINEL", "DEBUG", "election-timeout", "1500"]);
    let mut events = subscribe_all(g.sentinels[0].port());
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let seen = collect_events(&mut events, Duration::from_millis(D + 5000));
    let kinds: Vec<&str> = seen.iter().map(|(c, _)| c.as_str()).collect();
    assert!(kinds.contains(&"+odown"), "quorum 1 gives ODOWN: {kinds:?}");
    assert!(kinds.contains(&"+try-failover"), "{kinds:?}");
    assert!(
        !kinds.contains(&"+elected-leader"),
        "1 vote of 3 is no majority: {kinds:?}"
    );
    assert!(kinds.contains(&"-failover-abort-not-elected"), "{kinds:?}");
    assert_eq!(g.master_port(0), Some(old));
}

#[test]
fn failover_works_with_quorum_equal_to_all_sentinels() {
    let mut g = Group::start(1, &[rs(3), rs(3), rs(3)]);
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let new = g.wait_agreement_other_than(old, Duration::from_secs(20));
    assert_eq!(new, g.servers[1].port());
}

/// After a failover the new master is healthy: no sentinel may mark it down, and each
/// failover produces exactly one `+switch-master` per sentinel, in one epoch.
#[test]
fn no_false_second_failover_after_a_promotion() {
    let mut g = Group::start(2, &[rs(2), rs(2), rs(2)]);
    let mut subs: Vec<Client> = g
        .sentinels
        .iter()
        .map(|s| subscribe_all(s.port()))
        .collect();
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let new = g.wait_agreement_other_than(old, Duration::from_secs(20));
    // Watch well past down-after and the ask-reply validity window (5 × ask period).
    std::thread::sleep(Duration::from_millis(6000));
    for (i, sub) in subs.iter_mut().enumerate() {
        let seen = collect_events(sub, Duration::from_millis(200));
        let switches: Vec<&(String, String)> =
            seen.iter().filter(|(c, _)| c == "+switch-master").collect();
        assert_eq!(
            switches.len(),
            1,
            "sentinel {i}: exactly one +switch-master: {seen:?}"
        );
        let new_down = seen.iter().any(|(c, p)| {
            (c == "+sdown" || c == "+odown")
                && p.starts_with("master mymaster")
                && p.contains(&format!(" {new}"))
        });
        assert!(
            !new_down,
            "sentinel {i} marked the healthy new master down: {seen:?}"
        );
        let epochs: Vec<&str> = seen
            .iter()
            .filter(|(c, _)| c == "+new-epoch")
            .map(|(_, p)| p.as_str())
            .collect();
        assert!(
            epochs.iter().all(|e| *e == "1"),
            "sentinel {i}: one epoch per failover: {epochs:?}"
        );
    }
}
