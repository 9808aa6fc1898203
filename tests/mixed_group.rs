//! rsentinel and redis-sentinel in ONE group (how users migrate): they discover each other,
//! agree on epochs, and fail over ten times in a row whoever is elected — with the leader
//! forced to be an rsentinel once and a redis-sentinel once.

mod common;

use std::time::Duration;

use common::*;

const D: u64 = 1000;

fn specs(kinds: [Kind; 3]) -> Vec<SentinelSpec> {
    kinds.iter().map(|&k| SentinelSpec::new(k, 2, D)).collect()
}

fn set(g: &Group, i: usize, args: &[&str]) {
    let mut c = g.sentinels[i].client();
    let mut cmd = vec!["SENTINEL", "SET", "mymaster"];
    cmd.extend_from_slice(args);
    let r = c.cmd(&cmd);
    assert_eq!(r.as_str().as_deref(), Some("OK"), "{cmd:?} -> {r:?}");
}

/// Makes sentinel `leader` the one that detects the failure first and reaches ODOWN alone.
fn force_leader(g: &Group, leader: usize) {
    for i in 0..g.sentinels.len() {
        if i == leader {
            set(g, i, &["quorum", "1", "down-after-milliseconds", "1000"]);
        } else {
            set(g, i, &["quorum", "2", "down-after-milliseconds", "6000"]);
        }
    }
}

fn unforce(g: &Group) {
    for i in 0..g.sentinels.len() {
        set(g, i, &["quorum", "2", "down-after-milliseconds", "1000"]);
    }
}

/// Waits until the group is settled: every sentinel names the same master, it reports
/// role master, both other servers replicate from it, and every sentinel sees them as
/// healthy replicas of it. Returns that master's port.
fn wait_settled(g: &Group, round: usize) -> u16 {
    let mut last = String::new();
    let mut settled = None;
    let ok = poll_until(Duration::from_secs(45), || {
        let ports: Vec<Option<u16>> = (0..g.sentinels.len()).map(|i| g.master_port(i)).collect();
        let Some(m) = ports.first().copied().flatten() else {
            return false;
        };
        if !ports.iter().all(|p| *p == Some(m)) {
            last = format!("sentinels disagree: {ports:?}");
            return false;
        }
        if redis_info_field(m, "replication", "role").as_deref() != Some("master") {
            last = format!("{m} is not a master yet");
            return false;
        }
        for s in g.servers.iter().filter(|s| s.port() != m) {
            let mp = redis_info_field(s.port(), "replication", "master_port");
            let up = redis_info_field(s.port(), "replication", "master_link_status");
            if mp.as_deref() != Some(&m.to_string()) || up.as_deref() != Some("up") {
                last = format!(
                    "{} replicates from {mp:?} (link {up:?}), master is {m}",
                    s.port()
                );
                return false;
            }
        }
        let all_see = g.sentinels.iter().all(|s| {
            let Ok(mut c) = Client::try_connect(s.port()) else {
                return false;
            };
            let v = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
            last = format!("sentinel {} ({:?}): {}", s.port(), s.kind(), v.pretty());
            v.as_array().is_some_and(|rs| {
                rs.len() == 2
                    && rs.iter().all(|r| {
                        r.field("master-link-status").as_deref() == Some("ok")
                            && r.field("flags").as_deref() == Some("slave")
                            && r.field("master-port").as_deref() == Some(&m.to_string())
                    })
            })
        });
        settled = Some(m);
        all_see
    });
    assert!(
        ok,
        "round {round}: group did not settle; last seen {last}\n{}",
        g.describe()
    );
    settled.unwrap_or(0)
}

fn elected_count(p: &Proc) -> usize {
    p.read_log().matches("+elected-leader").count()
}

fn ten_failovers(kinds: [Kind; 3]) {
    let mut g = Group::start(2, &specs(kinds));
    g.assert_peers_listed();
    let rs = kinds
        .iter()
        .position(|k| *k == Kind::RSentinel)
        .expect("an rsentinel");
    let redis = kinds
        .iter()
        .position(|k| *k == Kind::RedisSentinel)
        .expect("a redis-sentinel");
    let mut extra_failovers = 0;
    // Each kind must be forced to lead at least once; a forcing that did not take (another
    // sentinel won the race anyway) is retried on the next round.
    let (mut rs_led, mut redis_led) = (false, false);
    for round in 0..10 {
        let forced = if round >= 2 && !rs_led {
            Some(rs)
        } else if round >= 2 && !redis_led {
            Some(redis)
        } else {
            None
        };
        if let Some(l) = forced {
            force_leader(&g, l);
        }
        let before: Vec<usize> = g.sentinels.iter().map(elected_count).collect();
        let old = g.master_port(0).expect("current master");
        if forced.is_some() {
            for s in &g.sentinels {
                let m = s.client().cmd(&["SENTINEL", "MASTER", "mymaster"]);
                eprintln!(
                    "round {round}: {:?} {} quorum={:?} down-after={:?} master={old}",
                    s.kind(),
                    s.port(),
                    m.field("quorum"),
                    m.field("down-after-milliseconds")
                );
            }
        }
        eprintln!(
            "round {round}: kill {old} at {:?}",
            std::time::SystemTime::now()
        );
        g.server_by_port(old).kill9();
        let new = g.wait_agreement_other_than(old, Duration::from_secs(30));
        g.wait_role_master(new, Duration::from_secs(10));
        if forced.is_some() {
            unforce(&g);
        }
        // Bring the dead node back as a replica of the new master.
        g.server_by_port(old).restart();
        Client::connect(old).cmd(&["REPLICAOF", "127.0.0.1", &new.to_string()]);
        let settled = wait_settled(&g, round);
        if settled != new {
            // redis-sentinel 7.0's known spurious second failover of a just-promoted
            // master; the group still converges on the higher epoch.
            extra_failovers += 1;
        }
        if let Some(l) = forced {
            if elected_count(&g.sentinels[l]) > before[l] {
                if l == rs {
                    rs_led = true;
                } else {
                    redis_led = true;
                }
            } else {
                eprintln!(
                    "round {round}: forced leader {l} ({:?}) was not elected; retrying\n{}",
                    kinds[l],
                    g.describe()
                );
            }
        }
    }
    assert!(
        rs_led,
        "rsentinel was never the forced leader\n{}",
        g.describe()
    );
    assert!(
        redis_led,
        "redis-sentinel was never the forced leader\n{}",
        g.describe()
    );
    let epochs: Vec<Option<String>> = g
        .sentinels
        .iter()
        .map(|s| {
            s.client()
                .cmd(&["SENTINEL", "MASTER", "mymaster"])
                .field("config-epoch")
        })
        .collect();
    assert!(
        epochs.windows(2).all(|w| w[0] == w[1]),
        "config epochs agree: {epochs:?}"
    );
    eprintln!("{kinds:?}: 10 failovers converged; spurious extra failovers by redis-sentinel: {extra_failovers}");
}

#[test]
fn two_redis_sentinels_and_one_rsentinel_fail_over_ten_times() {
    ten_failovers([Kind::RedisSentinel, Kind::RedisSentinel, Kind::RSentinel]);
}

#[test]
fn one_redis_sentinel_and_two_rsentinels_fail_over_ten_times() {
    ten_failovers([Kind::RSentinel, Kind::RedisSentinel, Kind::RSentinel]);
}
