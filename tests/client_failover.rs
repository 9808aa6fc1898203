//! A real client across a failover: redis-py's `Sentinel(...).master_for()` keeps writing
//! through a `kill -9` of the master with no reconfiguration, finding the promoted replica
//! through the rsentinels.

mod common;

use std::time::Duration;

use common::*;

const WRITER: &str = r#"
import sys, time, json
from redis.sentinel import Sentinel
ports = [int(p) for p in sys.argv[1].split(",")]
duration = float(sys.argv[2])
s = Sentinel([("127.0.0.1", p) for p in ports], socket_timeout=0.5)
m = s.master_for("mymaster", socket_timeout=0.5)
start = time.time()
ok = fail = 0
last_ok = None
max_gap = 0.0
i = 0
while time.time() - start < duration:
    try:
        m.set("counter", i)
        now = time.time()
        if last_ok is not None:
            max_gap = max(max_gap, now - last_ok)
        last_ok = now
        ok += 1
    except Exception:
        fail += 1
        time.sleep(0.01)
    i += 1
    time.sleep(0.005)
host, port = s.discover_master("mymaster")
print(json.dumps({"ok": ok, "fail": fail, "max_gap_ms": int(max_gap * 1000), "master": port}))
"#;

#[test]
fn redis_py_master_for_keeps_writing_across_a_failover() {
    let spec = || SentinelSpec::new(Kind::RSentinel, 2, 1000);
    let mut g = Group::start(2, &[spec(), spec(), spec()]);
    let ports: Vec<String> = g.sentinels.iter().map(|s| s.port().to_string()).collect();
    let arg = ports.join(",");
    let writer =
        std::thread::spawn(move || run_python(WRITER, &[&arg, "8"], Duration::from_secs(30)));
    std::thread::sleep(Duration::from_millis(1500));
    let old = g.servers[0].port();
    g.servers[0].kill9();
    let new = g.wait_agreement_other_than(old, Duration::from_secs(20));
    let out = writer.join().expect("writer thread");
    let line = out.lines().last().unwrap_or_default().to_string();
    let field = |k: &str| -> i64 {
        let key = format!("\"{k}\": ");
        line.split(&key)
            .nth(1)
            .and_then(|r| r.split([',', '}']).next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    assert_eq!(
        field("master"),
        i64::from(new),
        "redis-py found the promoted master: {line}"
    );
    assert!(field("ok") > 100, "kept writing: {line}");
    // The outage is down-after plus detection and the library's retry; bound it loosely
    // here (the benchmark measures it precisely).
    assert!(
        field("max_gap_ms") < 6000,
        "writes resumed after the failover: {line}"
    );
    eprintln!("redis-py across failover: {line}");
}
