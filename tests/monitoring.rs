//! Monitoring with real processes: discovery of replicas and peers through INFO
//! and hello gossip — compared field by field with redis-sentinel in one group — SDOWN events
//! for replicas and masters, and restarts that keep what was learned.

mod common;

use std::time::{Duration, Instant};

use common::*;

const D: u64 = 1000;

/// An instance description with the volatile values masked, as (field, value) pairs.
fn masked(v: &Value) -> Vec<(String, String)> {
    let mut v = v.clone();
    Mask::instance()
        .and_fields(&["slave-repl-offset"])
        .apply(&mut v);
    v.to_pairs()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_else(|| format!("{v:?}"))))
        .collect()
}

fn by_name(reply: &Value) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = reply
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.field("name").unwrap_or_default(), masked(e)))
        .collect();
    out.sort();
    out
}

fn next_event(
    c: &mut Client,
    channel: &str,
    needle: &str,
    timeout: Duration,
) -> Option<(String, Instant)> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let m = c.next_message(left)?;
        let parts = m.as_array().unwrap_or_default();
        let ch = parts.get(2).and_then(|v| v.as_str()).unwrap_or_default();
        let payload = parts.get(3).and_then(|v| v.as_str()).unwrap_or_default();
        if ch == channel && payload.contains(needle) {
            return Some((payload, Instant::now()));
        }
    }
    None
}

#[test]
fn three_rsentinels_discover_two_replicas_and_each_other() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, D);
    // Group::start asserts every sentinel reports 2 replicas and 2 other sentinels.
    let g = Group::start(2, &[spec(), spec(), spec()]);
    let info = g.sentinels[0]
        .client()
        .cmd(&["INFO", "sentinel"])
        .as_str()
        .unwrap_or_default();
    assert!(info.contains(",slaves=2,sentinels=3"), "{info}");
}

#[test]
fn replicas_and_sentinels_replies_match_redis_sentinel_field_by_field() {
    let g = Group::start(
        2,
        &[
            SentinelSpec::new(Kind::RedisSentinel, 2, D),
            SentinelSpec::new(Kind::RSentinel, 2, D),
            SentinelSpec::new(Kind::RSentinel, 2, D),
        ],
    );
    // Let both kinds refresh replica INFO at least once after discovery.
    std::thread::sleep(Duration::from_millis(1500));
    let mut redis = g.sentinels[0].client();
    let mut ours = g.sentinels[1].client();
    let a = by_name(&redis.cmd(&["SENTINEL", "REPLICAS", "mymaster"]));
    let b = by_name(&ours.cmd(&["SENTINEL", "REPLICAS", "mymaster"]));
    assert_eq!(a, b, "SENTINEL REPLICAS differs");
    // Both list sentinel 2: its entry must read the same from either side.
    let third = g.sentinels[2]
        .client()
        .cmd(&["SENTINEL", "MYID"])
        .as_str()
        .unwrap_or_default();
    let pick = |v: Value| {
        by_name(&v)
            .into_iter()
            .find(|(n, _)| *n == third)
            .map(|(_, f)| f)
    };
    let a = pick(redis.cmd(&["SENTINEL", "SENTINELS", "mymaster"]));
    let b = pick(ours.cmd(&["SENTINEL", "SENTINELS", "mymaster"]));
    assert!(a.is_some(), "redis-sentinel lists sentinel {third}");
    assert_eq!(a, b, "SENTINEL SENTINELS entry differs");
    // And the master description itself (num-other-sentinels, num-slaves, flags...).
    let ma = masked(&redis.cmd(&["SENTINEL", "MASTER", "mymaster"]));
    let mb = masked(&ours.cmd(&["SENTINEL", "MASTER", "mymaster"]));
    assert_eq!(ma, mb, "SENTINEL MASTER differs");
}

#[test]
fn mixed_groups_list_each_other_with_run_ids_addresses_and_epochs() {
    for kinds in [
        [Kind::RedisSentinel, Kind::RedisSentinel, Kind::RSentinel],
        [Kind::RedisSentinel, Kind::RSentinel, Kind::RSentinel],
    ] {
        let specs: Vec<SentinelSpec> = kinds.iter().map(|&k| SentinelSpec::new(k, 2, D)).collect();
        let g = Group::start(1, &specs);
        g.assert_peers_listed();
        for s in &g.sentinels {
            let reply = s.client().cmd(&["SENTINEL", "SENTINELS", "mymaster"]);
            for p in reply.as_array().unwrap_or_default() {
                assert_eq!(
                    p.field("voted-leader-epoch").as_deref(),
                    Some("0"),
                    "{kinds:?}"
                );
            }
            let m = s.client().cmd(&["SENTINEL", "MASTER", "mymaster"]);
            assert_eq!(m.field("config-epoch").as_deref(), Some("0"));
        }
    }
}

#[test]
fn killed_replica_is_reported_sdown_and_back_with_sdown_cleared() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, D);
    let mut g = Group::start(1, &[spec()]);
    let mut sub = g.sentinels[0].client();
    sub.psubscribe(&["*"]);
    let rport = g.servers[1].port();
    let t0 = Instant::now();
    g.servers[1].kill9();
    let (_, at) = next_event(
        &mut sub,
        "+sdown",
        &format!("slave 127.0.0.1:{rport}"),
        Duration::from_secs(5),
    )
    .expect("+sdown slave");
    // Within down-after plus one ping period (the replica's last PONG may be up to 1 s old
    // at the kill, so it can also come earlier than D).
    assert!(
        at.duration_since(t0) <= Duration::from_millis(D + 1000 + 300),
        "{:?}",
        at.duration_since(t0)
    );
    g.servers[1].restart();
    next_event(
        &mut sub,
        "-sdown",
        &format!("slave 127.0.0.1:{rport}"),
        Duration::from_secs(10),
    )
    .expect("-sdown slave");
}

#[test]
fn stopped_master_is_reported_sdown() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, D);
    let g = Group::start(1, &[spec()]);
    let mut sub = g.sentinels[0].client();
    sub.psubscribe(&["*"]);
    g.servers[0].stop();
    let got = next_event(
        &mut sub,
        "+sdown",
        "master mymaster",
        Duration::from_secs(5),
    );
    g.servers[0].cont();
    assert!(got.is_some(), "SIGSTOPped master must go SDOWN");
    next_event(
        &mut sub,
        "-sdown",
        "master mymaster",
        Duration::from_secs(5),
    )
    .expect("-sdown after SIGCONT");
}

#[test]
fn master_reporting_role_replica_goes_sdown_after_down_after_plus_two_info_periods() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 1, D);
    let g = Group::start(0, &[spec()]);
    let mut c = g.sentinels[0].client();
    c.cmd(&["SENTINEL", "DEBUG", "info-period", "200"]);
    let mut sub = g.sentinels[0].client();
    sub.psubscribe(&["*"]);
    // Point the master at a port nobody listens on: it now reports role:slave.
    Client::connect(g.servers[0].port()).cmd(&["REPLICAOF", "127.0.0.1", &free_port().to_string()]);
    next_event(
        &mut sub,
        "-role-change",
        "new reported role is slave",
        Duration::from_secs(3),
    )
    .expect("-role-change for the master");
    let t = Instant::now();
    next_event(
        &mut sub,
        "+sdown",
        "master mymaster",
        Duration::from_secs(5),
    )
    .expect("+sdown master");
    assert!(
        t.elapsed() >= Duration::from_millis(D),
        "not before down-after: {:?}",
        t.elapsed()
    );
}

#[test]
fn loading_reply_to_ping_counts_as_available() {
    // A master that answers PING with -LOADING is alive (§9.3): no SDOWN. redis-server
    // answers -LOADING while it loads a large RDB; simulate with a tiny fake server.
    use std::io::{Read, Write};
    use std::net::TcpListener;
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut s = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).to_ascii_uppercase();
                    let mut out = Vec::new();
                    for _ in text.matches("PING") {
                        out.extend_from_slice(
                            b"-LOADING Redis is loading the dataset in memory\r\n",
                        );
                    }
                    for _ in text.matches("SETNAME") {
                        out.extend_from_slice(b"+OK\r\n");
                    }
                    for _ in text.matches("SUBSCRIBE") {
                        out.extend_from_slice(
                            b"*3\r\n$9\r\nsubscribe\r\n$18\r\n__sentinel__:hello\r\n:1\r\n",
                        );
                    }
                    for _ in text.matches("INFO") {
                        out.extend_from_slice(
                            b"-LOADING Redis is loading the dataset in memory\r\n",
                        );
                    }
                    for _ in text.matches("PUBLISH") {
                        out.extend_from_slice(
                            b"-LOADING Redis is loading the dataset in memory\r\n",
                        );
                    }
                    if s.write_all(&out).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", port, 1)
        .down_after(D);
    let s = RSentinel::start(&conf);
    std::thread::sleep(Duration::from_millis(D + 1500));
    let m = s.client().cmd(&["SENTINEL", "MASTER", "mymaster"]);
    let flags = m.field("flags").unwrap_or_default();
    assert!(
        !flags.contains("s_down"),
        "LOADING is an acceptable PING reply: {flags}"
    );
}

#[test]
fn restart_keeps_replicas_peers_and_epochs_from_the_config_file() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, D);
    let mut g = Group::start(2, &[spec(), spec(), spec()]);
    // Bump the epoch through a failover so there is an epoch to keep.
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let new = g.wait_agreement_other_than(old, Duration::from_secs(20));
    let before = g.sentinels[0]
        .client()
        .cmd(&["SENTINEL", "MASTER", "mymaster"]);
    let epoch = before.field("config-epoch");
    g.sentinels[0].kill9();
    g.sentinels[0].restart();
    let mut c = g.sentinels[0].client();
    let after = c.cmd(&["SENTINEL", "MASTER", "mymaster"]);
    assert_eq!(after.field("port"), Some(new.to_string()));
    assert_eq!(after.field("config-epoch"), epoch);
    assert_eq!(after.field("num-slaves").as_deref(), Some("2"), "{after:?}");
    assert_eq!(
        after.field("num-other-sentinels").as_deref(),
        Some("2"),
        "{after:?}"
    );
    let info = c.cmd(&["INFO", "sentinel"]).as_str().unwrap_or_default();
    assert!(info.contains(&format!("address=127.0.0.1:{new}")), "{info}");
}

#[test]
fn restart_without_myid_does_not_inflate_the_others_sentinel_count() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, D);
    let mut g = Group::start(1, &[spec(), spec(), spec()]);
    g.sentinels[2].kill9();
    let path = g.sentinels[2].config_path().to_path_buf();
    let text = std::fs::read_to_string(&path).expect("config");
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("sentinel myid"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, without).expect("write config");
    g.sentinels[2].restart();
    // The new run id announces the old address: the others replace the old entry
    // (+sentinel-invalid-addr) instead of counting a fourth sentinel.
    std::thread::sleep(Duration::from_millis(3000));
    for i in 0..2 {
        let m = g.sentinels[i]
            .client()
            .cmd(&["SENTINEL", "MASTER", "mymaster"]);
        assert_eq!(
            m.field("num-other-sentinels").as_deref(),
            Some("2"),
            "sentinel {i}: {m:?}"
        );
    }
}
