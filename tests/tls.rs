//! TLS everywhere, with real processes and certificates made by the test with `openssl`:
//! a TLS-only group (port 0, tls-port, tls-replication yes, tls-auth-clients yes) that
//! discovers itself and fails over, read and written by `redis-cli --tls` and redis-py over
//! TLS; mixed groups with `redis-sentinel` over TLS; the client surface over TLS compared
//! with `redis-sentinel`'s. Refusals and startup errors: `tls_refusals.rs`; live reload:
//! `tls_reload.rs`.

mod common;

use std::time::Duration;

use common::tls::*;
use common::*;

const PY_SENTINEL: &str = r#"
import sys
from redis.sentinel import Sentinel
port, cert, key, ca, op = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
kw = dict(socket_timeout=5, socket_connect_timeout=5, ssl=True, ssl_certfile=cert,
          ssl_keyfile=key, ssl_ca_certs=ca, ssl_check_hostname=False)
s = Sentinel([("127.0.0.1", int(port))], sentinel_kwargs=dict(kw), **kw)
print("master", s.discover_master("m")[1])
print("state", s.sentinels[0].sentinel_master("m")["num-slaves"])
m = s.master_for("m", **kw)
if op == "write":
    m.set("k", sys.argv[6])
print("value", m.get("k").decode())
"#;

fn py_sentinel(port: u16, certs: &Certs, op: &str, value: &str) -> String {
    let (p, cert, key, ca) = (
        port.to_string(),
        certs.node.cert.display().to_string(),
        certs.node.key.display().to_string(),
        certs.ca.display().to_string(),
    );
    run_python(
        PY_SENTINEL,
        &[&p, &cert, &key, &ca, op, value],
        Duration::from_secs(30),
    )
}

#[test]
fn a_tls_only_group_discovers_itself_fails_over_and_serves_tls_clients_across_it() {
    let certs = Certs::generate();
    let args = certs.cli_args(&certs.node);
    let ports = free_ports(6);
    let (mport, rports, sports) = (ports[0], &ports[1..3], &ports[3..6]);
    let mut servers = vec![tls_redis_server(&certs, mport, None)];
    for &r in rports {
        servers.push(tls_redis_server(&certs, r, Some(mport)));
    }
    let sentinels: Vec<Proc> = sports
        .iter()
        .map(|&p| spawn_tls(Kind::RSentinel, &sentinel_conf(&certs, p, mport, &[]), p))
        .collect();
    let refs: Vec<&Proc> = sentinels.iter().collect();
    wait_discovered(&refs, &args, 2, 2);
    // Hellos announce the TLS port: the peers are listed on their tls-port.
    let peers = cli(sports[0], &args, &["SENTINEL", "SENTINELS", MASTER]).unwrap_or_default();
    for p in &sports[1..] {
        assert!(
            peers.lines().any(|l| l == p.to_string()),
            "peer tls-port {p} not listed: {peers}"
        );
    }
    // redis-py over TLS, through the sentinel, before the failover.
    let before = py_sentinel(sports[0], &certs, "write", "before");
    assert!(before.contains(&format!("master {mport}")), "{before}");
    assert!(
        before.contains("state 2") && before.contains("value before"),
        "{before}"
    );

    servers[0].kill9();
    let new = wait_agreement(&refs, &args, mport);
    assert!(
        rports.contains(&new),
        "promoted {new}, replicas were {rports:?}"
    );
    for s in &sentinels {
        let ok = poll_until(Duration::from_secs(10), || {
            s.read_config()
                .contains(&format!("sentinel monitor {MASTER} 127.0.0.1 {new} 2"))
        });
        assert!(
            ok,
            "config names the new master {new}:\n{}",
            s.read_config()
        );
    }
    // redis-cli --tls reads the sentinel; redis-py finds the new master and writes to it.
    // SENTINEL MASTER names the new address once the leader's failover ends (its replicas
    // reconfigured); until then it shows the old one with failover_in_progress, as Redis.
    let mut state = master_state(sports[1], &args);
    let switched = poll_until(Duration::from_secs(30), || {
        state = master_state(sports[1], &args);
        state.get("port") == Some(&new.to_string())
    });
    assert!(switched, "SENTINEL MASTER still names {state:?}, not {new}");
    let mut after = String::new();
    let ok = poll_until(Duration::from_secs(20), || {
        let out = std::panic::catch_unwind(|| py_sentinel(sports[2], &certs, "write", "after"));
        after = out.unwrap_or_default();
        after.contains(&format!("master {new}")) && after.contains("value after")
    });
    assert!(ok, "redis-py over TLS after the failover: {after}");
    let v = cli(new, &args, &["GET", "k"]);
    assert_eq!(v.as_deref(), Ok("after"));
}

/// A TLS group of `kinds` fails over once; with `leader`, that sentinel is made the only
/// one to see the failure early (quorum 1, shorter down-after), so it leads.
fn mixed_failover(kinds: [Kind; 3], leader: Option<usize>) {
    let certs = Certs::generate();
    let args = certs.cli_args(&certs.node);
    let ports = free_ports(6);
    let (mport, rports, sports) = (ports[0], &ports[1..3], &ports[3..6]);
    let mut servers = vec![tls_redis_server(&certs, mport, None)];
    for &r in rports {
        servers.push(tls_redis_server(&certs, r, Some(mport)));
    }
    let sentinels: Vec<Proc> = sports
        .iter()
        .zip(kinds)
        .map(|(&p, k)| spawn_tls(k, &sentinel_conf(&certs, p, mport, &[]), p))
        .collect();
    let refs: Vec<&Proc> = sentinels.iter().collect();
    wait_discovered(&refs, &args, 2, 2);
    if let Some(l) = leader {
        for (i, s) in sentinels.iter().enumerate() {
            let (q, d) = if i == l { ("1", "1000") } else { ("2", "6000") };
            let set = [
                "SENTINEL",
                "SET",
                MASTER,
                "quorum",
                q,
                "down-after-milliseconds",
                d,
            ];
            assert_eq!(cli(s.port(), &args, &set).as_deref(), Ok("OK"));
        }
    }
    servers[0].kill9();
    let new = wait_agreement(&refs, &args, mport);
    assert!(rports.contains(&new));
    // One failover: every sentinel ends on the same config epoch.
    let mut epochs = Vec::new();
    let ok = poll_until(Duration::from_secs(20), || {
        epochs = refs
            .iter()
            .map(|s| master_state(s.port(), &args).get("config-epoch").cloned())
            .collect();
        epochs.iter().all(|e| e.is_some() && *e == epochs[0])
    });
    assert!(ok, "config epochs differ: {epochs:?}");
    if let Some(l) = leader {
        let log = sentinels[l].read_log();
        assert!(
            log.contains("+elected-leader"),
            "the forced leader did not lead:\n{log}"
        );
    }
}

#[test]
fn a_mixed_tls_group_with_redis_sentinel_converges_on_one_failover() {
    mixed_failover(
        [Kind::RSentinel, Kind::RedisSentinel, Kind::RSentinel],
        None,
    );
}

#[test]
fn one_rsentinel_among_two_redis_sentinels_leads_a_failover_over_tls() {
    mixed_failover(
        [Kind::RSentinel, Kind::RedisSentinel, Kind::RedisSentinel],
        Some(0),
    );
}

const PY_SURFACE: &str = r#"
import sys, re, redis
port, cert, key, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
kw = dict(host="127.0.0.1", port=int(port), ssl=True, ssl_certfile=cert, ssl_keyfile=key,
          ssl_ca_certs=ca, ssl_check_hostname=False, socket_timeout=5)
def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)
r = redis.Redis(protocol=3, **kw)
h = r.execute_command("HELLO", "3")
print("hello", sorted(s(k) for k in h.keys()), s(h.get(b"proto", h.get("proto"))), s(h.get(b"mode", h.get("mode"))))
info = s(r.execute_command("CLIENT", "INFO"))
fields = dict(f.split("=", 1) for f in info.split())
print("client info fields", list(fields.keys()))
print("client info laddr is the tls port", fields["laddr"].endswith(":" + port))
print("client list lines", len(s(r.execute_command("CLIENT", "LIST")).strip().splitlines()))
print("acl setuser", r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "+@all", "~*", "&*"))
b = redis.Redis(protocol=2, username="bob", password="pw", **kw)
print("whoami", s(b.execute_command("ACL", "WHOAMI")))
try:
    redis.Redis(username="bob", password="bad", **kw).ping()
except Exception as e:
    print("bad auth", type(e).__name__, e)
p = b.pubsub()
p.subscribe("foo")
print("subscribe", p.get_message(timeout=2))
p.psubscribe("+*")
print("psubscribe", p.get_message(timeout=2))
print("master keys", sorted(b.sentinel_master("m").keys()))
print("info sections", re.findall(r"^# (\w+)", s(r.execute_command("INFO")), re.M))
"#;

#[test]
fn hello_auth_acl_pubsub_and_client_list_over_tls_answer_as_redis_sentinel_does() {
    let certs = Certs::generate();
    let ports = free_ports(3);
    let master = tls_redis_server(&certs, ports[0], None);
    let args = certs.cli_args(&certs.node);
    let mut transcripts = Vec::new();
    for (kind, port) in [(Kind::RedisSentinel, ports[1]), (Kind::RSentinel, ports[2])] {
        let s = spawn_tls(kind, &sentinel_conf(&certs, port, master.port(), &[]), port);
        wait_until(Duration::from_secs(10), "master linked", || {
            master_state(s.port(), &args)
                .get("flags")
                .map(String::as_str)
                == Some("master")
        });
        let (p, cert, key, ca) = (
            port.to_string(),
            certs.node.cert.display().to_string(),
            certs.node.key.display().to_string(),
            certs.ca.display().to_string(),
        );
        transcripts.push(run_python(
            PY_SURFACE,
            &[&p, &cert, &key, &ca],
            Duration::from_secs(30),
        ));
    }
    assert!(transcripts[0].contains("whoami bob"), "{}", transcripts[0]);
    assert_eq!(
        transcripts[0], transcripts[1],
        "redis-sentinel (left) vs rsentinel (right) over TLS"
    );
}

#[test]
fn tls_port_serves_alongside_the_plaintext_port() {
    let certs = Certs::generate();
    let ports = free_ports(3);
    let master = tls_redis_server(&certs, ports[0], None);
    let conf = sentinel_conf(&certs, ports[2], master.port(), &[])
        .replace("port 0\n", &format!("port {}\n", ports[1]));
    let s = RSentinel::start(&conf);
    let args = certs.cli_args(&certs.node);
    assert_eq!(cli(ports[1], &[], &["PING"]).as_deref(), Ok("PONG"));
    assert_eq!(cli(ports[2], &args, &["PING"]).as_deref(), Ok("PONG"));
    let info = cli(ports[2], &args, &["INFO", "server"]).unwrap_or_default();
    assert!(info.contains(&format!("tcp_port:{}", ports[1])), "{info}");
    drop(s);
}

#[test]
fn announce_port_still_wins_over_the_tls_port_in_hellos() {
    let certs = Certs::generate();
    let args = certs.cli_args(&certs.node);
    let ports = free_ports(4);
    let (mport, a, b, announced) = (ports[0], ports[1], ports[2], ports[3]);
    let master = tls_redis_server(&certs, mport, None);
    let extra = format!("sentinel announce-port {announced}");
    let _sa = spawn_tls(
        Kind::RSentinel,
        &sentinel_conf(&certs, a, mport, &[&extra]),
        a,
    );
    let _sb = spawn_tls(Kind::RSentinel, &sentinel_conf(&certs, b, mport, &[]), b);
    let mut listed = String::new();
    let ok = poll_until(Duration::from_secs(15), || {
        listed = cli(b, &args, &["SENTINEL", "SENTINELS", MASTER]).unwrap_or_default();
        listed.lines().any(|l| l == announced.to_string())
    });
    assert!(
        ok,
        "announce-port {announced} not what the peer lists: {listed}"
    );
    assert!(!listed.lines().any(|l| l == a.to_string()), "{listed}");
    drop(master);
}
