//! A split vote: when the votes of an epoch show that nobody can be elected in it, the
//! round ends and a new one starts after a short random delay — not 2 × failover-timeout
//! later (six minutes by default) as in sentinel.c.

use super::harness::{group, peer, Scenario, MYID};

const B: &str = "b000000000000000000000000000000000000002";
const C: &str = "c000000000000000000000000000000000000003";
const PEERS: [&str; 2] = ["10.0.0.2:26379", "10.0.0.3:26379"];

/// Us and two peers, quorum 3 (every vote is needed), default failover-timeout (3 min).
fn three_sentinels_quorum_3() -> Scenario {
    group(3, &[("10.0.0.2", B), ("10.0.0.3", C)])
}

/// The master stops answering at 3 s; the peers call it down and have voted as `votes`
/// says in epoch 1. Returns the time of our `+try-failover` in epoch 1.
fn split_epoch_1(s: &mut Scenario, votes: [&str; 2]) -> u64 {
    s.run_until(3_000);
    s.answering("10.0.0.1:6379", false);
    for (p, v) in PEERS.iter().zip(votes) {
        s.set(p, peer(true, Some((v, 1))));
    }
    s.run_until_event("+try-failover", "master mymaster", 10_000)
}

#[test]
fn a_round_that_nobody_can_win_ends_and_a_new_epoch_is_tried_soon() {
    let mut s = three_sentinels_quorum_3();
    // B and C each voted for themselves in epoch 1: with quorum 3 nobody can be elected.
    let started = split_epoch_1(&mut s, [B, C]);
    let aborted = s.run_until_event("-failover-abort-not-elected", "master mymaster", 20_000);
    assert!(
        aborted < started + 1_000,
        "split round ended at {aborted}, started {started}"
    );
    // In the next epoch the peers vote for us.
    for p in PEERS {
        s.set(p, peer(true, Some((MYID, 2))));
    }
    let elected = s.run_until_event("+elected-leader", "master mymaster", 30_000);
    assert_eq!(s.core.current_epoch, 2);
    assert!(
        elected < aborted + 2_000,
        "retried at {elected} after the split round ended at {aborted}"
    );
}

#[test]
fn a_round_that_a_peer_can_still_win_is_not_ended_early() {
    let mut s = three_sentinels_quorum_3();
    // C's vote is still unknown (it answers `*`): B voted for itself, and we for us — C
    // could still give us the third vote, so the round waits for the election timeout.
    s.run_until(3_000);
    s.answering("10.0.0.1:6379", false);
    s.set(PEERS[0], peer(true, Some((B, 1))));
    s.set(PEERS[1], peer(true, None));
    let started = s.run_until_event("+try-failover", "master mymaster", 10_000);
    s.run_until(started + 5_000);
    assert!(
        s.events_of("-failover-abort-not-elected").is_empty(),
        "ended while C's vote could still elect us: {:?}",
        s.events
    );
}

#[test]
fn after_voting_for_another_sentinel_we_do_not_start_our_own_round_early() {
    let mut s = three_sentinels_quorum_3();
    s.run_until(3_000);
    s.answering("10.0.0.1:6379", false);
    for p in PEERS {
        s.set(p, peer(true, None));
    }
    // B asks first, before our own round starts: we vote for B in epoch 1.
    s.run_until(3_990);
    let r = s.peer_asks("10.0.0.1", 6379, 1, B);
    assert_eq!((r.leader.as_deref(), r.leader_epoch), (Some(B), 1));
    s.run_until(20_000);
    assert!(
        s.events_of("+try-failover").is_empty(),
        "started our own failover after voting for B: {:?}",
        s.events
    );
}

#[test]
fn a_master_that_answers_again_before_we_are_elected_is_not_failed_over() {
    let mut s = three_sentinels_quorum_3();
    s.run_until(3_000);
    s.answering("10.0.0.1:6379", false);
    // The peers call the master down and vote for us, but our disk is full: our own vote
    // is held until a save works, so we are not elected yet.
    s.disk_full = true;
    for p in PEERS {
        s.set(p, peer(true, Some((MYID, 1))));
    }
    let started = s.run_until_event("+try-failover", "master mymaster", 10_000);
    s.run_until(started + 300);
    assert!(s.events_of("+elected-leader").is_empty());
    // The master answers again; then the disk works again and our vote counts.
    s.answering("10.0.0.1:6379", true);
    s.run_until_event("-odown", "master mymaster", started + 5_000);
    s.disk_full = false;
    s.run_until(started + 15_000);
    assert!(
        s.events_of("+elected-leader").is_empty(),
        "a master that answers was failed over: {:?}",
        s.events
    );
    assert!(
        !s.events_of("-failover-abort-master-up").is_empty(),
        "the round did not end when the master answered again: {:?}",
        s.events
    );
}
