//! What the sentinel costs while it waits: wake-ups (ticks) and commands per state, over
//! virtual time. sentinel.c ticks at 10–19 Hz and asks each peer about a down master once
//! per second; every extra wake-up or command here must buy a faster decision.

use super::harness::{master_info, peer, replica_info, replica_info_at, Remote, Scenario, MYID};

const B: &str = "b000000000000000000000000000000000000002";
const C: &str = "c000000000000000000000000000000000000003";
const M: &str = "10.0.0.1:6379";
const PB: &str = "10.0.0.2:26379";
const PC: &str = "10.0.0.3:26379";

/// The most wake-ups sentinel.c's 10–19 Hz timer has in `ms`.
fn redis_wakeups(ms: u64) -> usize {
    (ms / 1000 * 19) as usize
}

/// Us and two peers, quorum 2, down-after 1 s; the master with replicas 10.0.0.8 (priority
/// 10: the one promoted) and 10.0.0.9, everyone answering.
fn group() -> Scenario {
    let cfg = format!(
        "sentinel monitor mymaster 10.0.0.1 6379 2\n\
         sentinel down-after-milliseconds mymaster 1000\n\
         sentinel known-replica mymaster 10.0.0.8 6379\n\
         sentinel known-replica mymaster 10.0.0.9 6379\n\
         sentinel known-sentinel mymaster 10.0.0.2 26379 {B}\n\
         sentinel known-sentinel mymaster 10.0.0.3 26379 {C}\n"
    );
    let mut s = Scenario::new(&cfg, 1_000);
    s.at(
        M,
        Remote::Redis {
            info: master_info(&["10.0.0.8:6379", "10.0.0.9:6379"]),
        },
    );
    s.at(
        "10.0.0.8:6379",
        Remote::Redis {
            info: replica_info_at(M, false, 10),
        },
    );
    s.at(
        "10.0.0.9:6379",
        Remote::Redis {
            info: replica_info(M, false),
        },
    );
    s.at(PB, peer(false, None));
    s.at(PC, peer(false, None));
    s.run_until(5_000);
    s
}

fn asks(s: &Scenario, addr: &str, from: u64, to: u64) -> usize {
    s.sent_to(addr, &["SENTINEL", "is-master-down-by-addr"], from, to)
        .len()
}

#[test]
fn re_asks_back_off_to_the_ask_period_while_the_peers_do_not_agree() {
    let mut s = group();
    // Only we lose the master; the peers still reach it and say so.
    s.answering(M, false);
    let t = s.run_until_event("+sdown", "master mymaster", 10_000);
    s.run_until(t + 20_000);
    assert!(s.events_of("+odown").is_empty());
    // sentinel.c: 10 asks per peer in 10 s. Fast re-asks right after SDOWN, then 1/s.
    let first = asks(&s, PB, t, t + 10_000);
    assert!(
        first <= 20,
        "{first} asks to one peer in the first 10 s of SDOWN"
    );
    let later = asks(&s, PB, t + 10_000, t + 20_000);
    assert!(later <= 11, "{later} asks to one peer in the next 10 s");
    assert!(
        later >= 9,
        "the peer is still asked once per ask period: {later}"
    );
    let w = s.wakeups_in(t, t + 10_000);
    assert!(
        w <= redis_wakeups(10_000) + first,
        "{w} wake-ups in 10 s of SDOWN"
    );
}

#[test]
fn tilt_with_a_passed_sdown_deadline_ticks_at_the_normal_rate() {
    let mut s = group();
    // The master stops answering, then the process stalls for 3 s: TILT, with the
    // master's SDOWN deadline passed but not acted on until TILT ends.
    s.answering(M, false);
    s.stall_until(8_000);
    assert_eq!(s.events_of("+tilt").len(), 1, "{:?}", s.events);
    s.run_until(18_000);
    assert!(s.events_of("-tilt").is_empty());
    let w = s.wakeups_in(8_001, 18_001);
    assert!(w <= redis_wakeups(10_000), "{w} wake-ups in 10 s of TILT");
    // Only the periodic commands go out (nothing acts in TILT): no asks, and to each
    // instance what sentinel.c sends (PING, at most every half period while unanswered;
    // hello; INFO).
    assert_eq!(asks(&s, PB, 8_001, 18_001), 0);
    for addr in [M, "10.0.0.8:6379", "10.0.0.9:6379", PB, PC] {
        let n = s.sent_to(addr, &[], 8_001, 18_001).len();
        assert!(n <= 30, "{n} commands to {addr} in 10 s of TILT");
    }
}

#[test]
fn a_vote_for_another_sentinel_leaves_the_tick_at_its_normal_rate() {
    let mut s = group();
    // B asks for our vote first; then the master goes down for everyone.
    let r = s.peer_asks("10.0.0.1", 6379, 1, B);
    assert_eq!(r.leader.as_deref(), Some(B));
    s.answering(M, false);
    s.set(PB, peer(true, Some((B, 1))));
    s.set(PC, peer(true, Some((B, 1))));
    let t = s.run_until_event("+odown", "master mymaster", 10_000);
    s.run_until(t + 10_000);
    assert!(s.events_of("+try-failover").is_empty(), "{:?}", s.events);
    let w = s.wakeups_in(t + 1_000, t + 10_000);
    assert!(
        w <= redis_wakeups(9_000) + 9,
        "{w} wake-ups in 9 s after our vote for B"
    );
    // The peers are asked once per ask period (they said down: nothing to gather).
    let n = asks(&s, PB, t + 1_000, t + 10_000);
    assert!(n <= 10, "{n} asks to one peer in 9 s after our vote for B");
}

#[test]
fn a_syncing_replica_is_polled_with_backoff_during_reconfiguration() {
    let mut s = group();
    s.answering(M, false);
    s.set(PB, peer(true, Some((MYID, 1))));
    s.set(PC, peer(true, Some((MYID, 1))));
    s.run_until_event(
        "+failover-state-wait-promotion",
        "slave 10.0.0.8:6379",
        20_000,
    );
    s.set(
        "10.0.0.8:6379",
        Remote::Redis {
            info: master_info(&[]),
        },
    );
    let t = s.run_until_event("+slave-reconf-sent", "slave 10.0.0.9:6379", 25_000);
    // The other replica follows the new master but its sync takes long.
    s.set(
        "10.0.0.9:6379",
        Remote::Redis {
            info: replica_info("10.0.0.8:6379", true),
        },
    );
    s.run_until(t + 30_000);
    assert_eq!(
        s.events_about("+slave-reconf-inprog", "slave 10.0.0.9")
            .len(),
        1
    );
    assert!(s.events_of("+failover-end").is_empty(), "{:?}", s.events);
    // sentinel.c: one INFO per second to a replica during a failover, 30 in 30 s.
    let info = s.sent_to("10.0.0.9:6379", &["INFO"], t, t + 30_000).len();
    assert!(info <= 45, "{info} INFO to the syncing replica in 30 s");
    let late = s
        .sent_to("10.0.0.9:6379", &["INFO"], t + 20_000, t + 30_000)
        .len();
    assert!(
        (9..=11).contains(&late),
        "{late} INFO in the last 10 s: 1/s"
    );
    let w = s.wakeups_in(t, t + 30_000);
    assert!(
        w <= redis_wakeups(30_000) + info,
        "{w} wake-ups in 30 s of reconfiguration"
    );
}
