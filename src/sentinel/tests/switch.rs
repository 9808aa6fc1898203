//! After a switch to a new master address: what is still believed about the old one.

use super::harness::{group, master_info, peer, Remote, Scenario};

const B: &str = "b000000000000000000000000000000000000002";
const C: &str = "c000000000000000000000000000000000000003";

/// Us and two peers, quorum 2; the master at 10.0.0.1:6379, its replica at 10.0.0.9:6379.
fn three_sentinels() -> Scenario {
    group(2, &[("10.0.0.2", B), ("10.0.0.3", C)])
}

#[test]
fn a_late_reply_about_the_old_address_is_dropped() {
    let mut s = three_sentinels();
    s.run_until(3_000);
    // The master stops answering us; we ask the peers, whose replies are slow to come.
    s.answering("10.0.0.1:6379", false);
    s.answering("10.0.0.2:26379", false);
    s.answering("10.0.0.3:26379", false);
    s.run_until(4_500);
    assert_eq!(
        s.events_about("+sdown", "master mymaster 10.0.0.1").len(),
        1
    );
    assert!(!s
        .sent_to(
            "10.0.0.2:26379",
            &["SENTINEL", "is-master-down-by-addr", "10.0.0.1"],
            0,
            4_501
        )
        .is_empty());
    // Meanwhile B failed over to 10.0.0.9 and tells us so.
    s.set(
        "10.0.0.9:6379",
        Remote::Redis {
            info: master_info(&["10.0.0.1:6379"]),
        },
    );
    let hello = format!("10.0.0.2,26379,{B},1,mymaster,10.0.0.9,6379,1");
    s.core.process_hello(s.now, hello.as_bytes());
    s.run_until(4_510);
    assert_eq!(s.events_of("+switch-master").len(), 1, "{:?}", s.events);
    // The replies about the old address arrive now: it was down.
    for p in ["10.0.0.2:26379", "10.0.0.3:26379"] {
        s.set(p, peer(true, None));
        s.answering(p, true);
        // What they say about the new master, which they reach.
        s.set(p, peer(false, None));
    }
    // The new master misses its PINGs for a moment (down-after is 1 s).
    s.run_until(5_000);
    s.answering("10.0.0.9:6379", false);
    s.run_until(7_000);
    s.answering("10.0.0.9:6379", true);
    s.run_until(9_000);
    let sdown = s.events_about("+sdown", "master mymaster 10.0.0.9");
    assert_eq!(sdown.len(), 1, "{:?}", s.events);
    let odown = s.events_about("+odown", "master mymaster 10.0.0.9");
    assert!(
        odown.is_empty(),
        "the new master is ODOWN on replies about the old one: {odown:?} (+sdown {sdown:?})"
    );
    assert!(s.events_of("+try-failover").is_empty(), "{:?}", s.events);
}
