//! The leader election: which votes count, and what the re-asks carry.

use super::harness::{group, peer, Scenario, MYID};

const B: &str = "b000000000000000000000000000000000000002";
const C: &str = "c000000000000000000000000000000000000003";
const D: &str = "d000000000000000000000000000000000000004";
const E: &str = "e000000000000000000000000000000000000005";

/// Us and four peers (five voters, majority 3), quorum 2; the master at 10.0.0.1:6379 with
/// one replica at 10.0.0.9:6379.
fn five_sentinels() -> Scenario {
    group(
        2,
        &[
            ("10.0.0.2", B),
            ("10.0.0.3", C),
            ("10.0.0.4", D),
            ("10.0.0.5", E),
        ],
    )
}

const PEERS: [&str; 4] = [
    "10.0.0.2:26379",
    "10.0.0.3:26379",
    "10.0.0.4:26379",
    "10.0.0.5:26379",
];

/// Runs until our failover of epoch 1 has started (the master stops answering at 3 s;
/// every peer says it is down).
fn start_epoch_1(s: &mut Scenario) -> u64 {
    s.run_until(3_000);
    s.answering("10.0.0.1:6379", false);
    for p in PEERS {
        s.set(p, peer(true, None));
    }
    let mut t = 3_000;
    while s.events_of("+try-failover").is_empty() {
        t += 10;
        assert!(t < 10_000, "no failover started: {:?}", s.events);
        s.run_until(t);
    }
    assert_eq!(s.core.current_epoch, 1);
    t
}

#[test]
fn votes_cast_in_a_later_epoch_do_not_elect_us_for_ours() {
    let mut s = five_sentinels();
    let t = start_epoch_1(&mut s);
    // B wins epoch 1: every peer voted for it.
    for p in PEERS {
        s.set(p, peer(true, Some((B, 1))));
    }
    s.run_until(t + 100);
    assert!(s.events_of("+elected-leader").is_empty());
    // D starts epoch 2 and asks us first: we vote for D in epoch 2.
    let t = s.now;
    let r = s.peer_asks("10.0.0.1", 6379, 2, D);
    assert_eq!((r.leader.as_deref(), r.leader_epoch), (Some(D), 2));
    // Some peers now hold votes for us in epoch 2 (they answered a re-ask of ours that
    // carried epoch 2): those are not votes for our failover of epoch 1.
    for p in [PEERS[0], PEERS[1], PEERS[3]] {
        s.set(p, peer(true, Some((MYID, 2))));
    }
    s.run_until(t + 2_000);
    assert!(
        s.events_of("+elected-leader").is_empty(),
        "elected for epoch 1 with votes of epoch 2: {:?}",
        s.events
    );
    // Every request for a vote carried our failover's epoch.
    let asked: Vec<String> = s
        .sent
        .iter()
        .filter(|c| c.is(&["SENTINEL", "is-master-down-by-addr"]))
        .filter(|c| c.argv.get(5).map(String::as_str) == Some(MYID))
        .filter_map(|c| c.argv.get(4).cloned())
        .collect();
    assert!(!asked.is_empty());
    assert!(
        asked.iter().all(|e| e == "1"),
        "asked with epochs {asked:?}"
    );
    // The overtaken wait ended at once instead of lingering until the election timeout.
    let aborts = s.events_of("-failover-abort-not-elected");
    assert!(
        aborts.first().is_some_and(|(at, _)| *at <= t + 200),
        "aborts {aborts:?} after the epoch moved on at {t}"
    );
}
