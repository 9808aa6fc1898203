//! TLS everywhere, with real processes and certificates made by the test with `openssl`:
//! a TLS-only group (port 0, tls-port, tls-replication yes, tls-auth-clients yes) that
//! discovers itself and fails over, read and written by `redis-cli --tls` and redis-py over
//! TLS; a mixed group with `redis-sentinel` over TLS; refusals on the TLS port (each as
//! `redis-sentinel` gives it) that leave other clients served; startup errors with Redis's
//! texts; certificates reloaded live.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::tls::{cli, spawn_tls, tls_redis_server, tls_redis_server_as, Certs, Pair};
use common::*;

const MASTER: &str = "m";

fn sentinel_conf(certs: &Certs, port: u16, master_port: u16, extra: &[&str]) -> String {
    let mut lines = vec!["bind 127.0.0.1".to_string()];
    lines.extend(certs.config_lines(port));
    lines.push(format!(
        "sentinel monitor {MASTER} 127.0.0.1 {master_port} 2"
    ));
    lines.push(format!("sentinel down-after-milliseconds {MASTER} 1000"));
    lines.push(format!("sentinel failover-timeout {MASTER} 10000"));
    lines.extend(extra.iter().map(|s| s.to_string()));
    lines.join("\n") + "\n"
}

/// `redis-cli` output of alternating field/value lines as a map.
fn fields(out: &str) -> HashMap<String, String> {
    let lines: Vec<&str> = out.lines().collect();
    lines
        .chunks(2)
        .filter_map(|c| match c {
            [k, v] => Some((k.to_string(), v.to_string())),
            _ => None,
        })
        .collect()
}

fn master_state(port: u16, args: &[String]) -> HashMap<String, String> {
    cli(port, args, &["SENTINEL", "MASTER", MASTER])
        .map(|o| fields(&o))
        .unwrap_or_default()
}

fn master_addr_port(port: u16, args: &[String]) -> Option<u16> {
    let out = cli(port, args, &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER]).ok()?;
    out.lines().nth(1)?.trim().parse().ok()
}

/// Every sentinel sees `replicas` replicas and `peers` other sentinels.
fn wait_discovered(sentinels: &[&Proc], args: &[String], replicas: usize, peers: usize) {
    let mut last = HashMap::new();
    let ok = poll_until(Duration::from_secs(40), || {
        sentinels.iter().all(|s| {
            last = master_state(s.port(), args);
            last.get("num-slaves").map(String::as_str) == Some(&replicas.to_string())
                && last.get("num-other-sentinels").map(String::as_str) == Some(&peers.to_string())
                && last.get("flags").map(String::as_str) == Some("master")
        })
    });
    assert!(
        ok,
        "group not discovered over TLS; last SENTINEL MASTER: {last:?}"
    );
}

/// Every sentinel names the same master, other than `old`; returns it.
fn wait_agreement(sentinels: &[&Proc], args: &[String], old: u16) -> u16 {
    let mut last = Vec::new();
    let ok = poll_until(Duration::from_secs(40), || {
        last = sentinels
            .iter()
            .map(|s| master_addr_port(s.port(), args))
            .collect();
        matches!(last.first(), Some(Some(p)) if *p != old && last.iter().all(|q| q == &Some(*p)))
    });
    assert!(ok, "no agreement on a new master over TLS: {last:?}");
    last.first().copied().flatten().unwrap_or_default()
}

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
    let state = master_state(sports[1], &args);
    assert_eq!(state.get("port"), Some(&new.to_string()), "{state:?}");
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

/// A raw TCP connection that sends `bytes`; true if the server closed it within `wait`.
fn closed_after_sending(port: u16, bytes: &[u8], wait: Duration) -> (bool, Vec<u8>) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (true, Vec::new());
    };
    let _ = s.write_all(bytes);
    let deadline = Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        match s.read(&mut buf) {
            Ok(0) => return (true, got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return (true, got),
        }
    }
    (false, got)
}

/// The outcomes of the bad clients on one sentinel's TLS port, as comparable words.
fn refusal_outcomes(port: u16, certs: &Certs) -> Vec<(&'static str, String)> {
    let ok = certs.cli_args(&certs.node);
    let no_cert = vec![
        "--tls".into(),
        "--cacert".into(),
        certs.ca.display().to_string(),
    ];
    let other_ca = certs.cli_args(&certs.other);
    let word = |r: Result<String, String>| match r {
        Ok(o) if o == "PONG" => "served".to_string(),
        Ok(o) => format!("answered {o}"),
        Err(_) => "refused".to_string(),
    };
    // A half-finished handshake (a TLS record header and a few bytes) held open while
    // the others come and go.
    let mut held = TcpStream::connect(("127.0.0.1", port)).expect("connect for the held handshake");
    held.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])
        .expect("write partial ClientHello");
    let mut out = vec![
        (
            "no client certificate",
            word(cli(port, &no_cert, &["PING"])),
        ),
        (
            "certificate from another CA",
            word(cli(port, &other_ca, &["PING"])),
        ),
    ];
    let (closed, got) = closed_after_sending(port, b"PING\r\n", Duration::from_secs(5));
    out.push((
        "plaintext PING",
        format!("closed={closed} pong={}", got.starts_with(b"+PONG")),
    ));
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (closed, _) = closed_after_sending(port, &garbage, Duration::from_secs(5));
    out.push(("garbage", format!("closed={closed}")));
    // Good clients are served while the handshake is held.
    let served = (0..5).all(|_| cli(port, &ok, &["PING"]).as_deref() == Ok("PONG"));
    out.push((
        "good clients while a handshake is held",
        format!("served={served}"),
    ));
    // `timeout 2` drops the stalled handshake like any idle client.
    let _ = held.set_read_timeout(Some(Duration::from_secs(10)));
    let mut b = [0u8; 64];
    let dropped = matches!(held.read(&mut b), Ok(0) | Err(_));
    out.push((
        "stalled handshake after the idle timeout",
        format!("dropped={dropped}"),
    ));
    out
}

#[test]
fn bad_clients_on_the_tls_port_are_refused_as_by_redis_sentinel_and_others_are_served() {
    let certs = Certs::generate();
    let ports = free_ports(3);
    let master = tls_redis_server(&certs, ports[0], None);
    let mut results = Vec::new();
    for (kind, port) in [(Kind::RedisSentinel, ports[1]), (Kind::RSentinel, ports[2])] {
        let conf = sentinel_conf(&certs, port, master.port(), &["timeout 2"]);
        let s = spawn_tls(kind, &conf, port);
        results.push(refusal_outcomes(port, &certs));
        assert!(s.log_tail(5).lines().count() > 0);
    }
    let ours = &results[1];
    assert_eq!(
        &results[0], ours,
        "redis-sentinel (left) vs rsentinel (right)"
    );
    let expect = [
        ("no client certificate", "refused"),
        ("certificate from another CA", "refused"),
        ("plaintext PING", "closed=true pong=false"),
        ("garbage", "closed=true"),
        ("good clients while a handshake is held", "served=true"),
        ("stalled handshake after the idle timeout", "dropped=true"),
    ];
    for ((what, got), (w, e)) in ours.iter().zip(expect) {
        assert_eq!((*what, got.as_str()), (w, e));
    }
}

fn start_fails_with(conf: &str, certs: &Certs) -> String {
    let path = certs.dir.join("bad.conf");
    std::fs::write(&path, conf).expect("write bad.conf");
    let mut child = std::process::Command::new(Kind::RSentinel.program())
        .arg(&path)
        .current_dir(&certs.dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn rsentinel");
    let deadline = Instant::now() + Duration::from_secs(10);
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("rsentinel output");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    log
}

#[test]
fn missing_or_unusable_tls_material_is_fatal_at_startup_with_redis_texts() {
    let certs = Certs::generate();
    let port = free_port();
    let base = format!(
        "port 0\ntls-port {port}\ntls-ca-cert-file {}\ntls-replication yes\n",
        certs.ca.display()
    );
    let log = start_fails_with(
        &format!("{base}tls-key-file {}\n", certs.node.key.display()),
        &certs,
    );
    assert!(log.contains("# No tls-cert-file configured!"), "{log}");
    assert!(
        log.contains("# Failed to configure TLS. Check logs for more info."),
        "{log}"
    );
    let log = start_fails_with(
        &format!(
            "{base}tls-cert-file /nonexistent.crt\ntls-key-file {}\n",
            certs.node.key.display()
        ),
        &certs,
    );
    assert!(
        log.contains("Failed to load certificate: /nonexistent.crt: No such file or directory"),
        "{log}"
    );
    let cert = format!("tls-cert-file {}\n", certs.node.cert.display());
    let log = start_fails_with(
        &format!("{base}{cert}tls-key-file /nonexistent.key\n"),
        &certs,
    );
    assert!(
        log.contains("Failed to load private key: /nonexistent.key"),
        "{log}"
    );
    let key = format!("tls-key-file {}\n", certs.node.key.display());
    let log = start_fails_with(&format!("{base}{cert}{key}tls-protocols TLSv1.9\n"), &certs);
    assert!(log.contains("Invalid tls-protocols specified."), "{log}");
    let log = start_fails_with(
        &format!("{base}{cert}{key}tls-ciphersuites BOGUS\n"),
        &certs,
    );
    assert!(
        log.contains("Failed to configure ciphersuites: BOGUS"),
        "{log}"
    );
    let log = start_fails_with(
        &format!("{base}{cert}{key}tls-dh-params-file /nonexistent.dh\n"),
        &certs,
    );
    assert!(
        log.contains("Failed to load /nonexistent.dh: No such file or directory"),
        "{log}"
    );
    let log = start_fails_with(
        &format!("port 0\ntls-port {port}\n{cert}{key}tls-auth-clients yes\n"),
        &certs,
    );
    assert!(
        log.contains("Either tls-ca-cert-file or tls-ca-cert-dir must be specified"),
        "{log}"
    );
    let log = start_fails_with("port 0\n", &certs);
    assert!(
        log.contains("Configured to not listen anywhere, exiting."),
        "{log}"
    );
}

#[test]
fn what_rustls_cannot_honour_is_named_in_the_log_and_the_rest_applies() {
    let certs = Certs::generate();
    let ports = free_ports(2);
    let master = tls_redis_server(&certs, ports[0], None);
    let extra = [
        "tls-protocols \"TLSv1 TLSv1.2 TLSv1.3\"",
        "tls-ciphers HIGH:!aNULL",
        "tls-prefer-server-ciphers yes",
    ];
    let s = spawn_tls(
        Kind::RSentinel,
        &sentinel_conf(&certs, ports[1], master.port(), &extra),
        ports[1],
    );
    let args = certs.cli_args(&certs.node);
    assert_eq!(cli(ports[1], &args, &["PING"]).as_deref(), Ok("PONG"));
    let log = s.read_log();
    assert!(log.contains("tls-protocols: TLSv1 ignored"), "{log}");
    assert!(log.contains("tls-ciphers: HIGH:!aNULL ignored"), "{log}");
    // The directives round-trip through the config rewrite.
    let _ = cli(ports[1], &args, &["SENTINEL", "FLUSHCONFIG"]);
    let conf = s.read_config();
    for l in [
        "tls-port",
        "tls-cert-file",
        "tls-replication yes",
        "tls-prefer-server-ciphers yes",
        "tls-ciphers",
    ] {
        assert!(conf.contains(l), "{l} missing after rewrite:\n{conf}");
    }
}

/// The subject of the certificate the server on `port` presents.
fn presented_subject(port: u16, certs: &Certs) -> String {
    let out = std::process::Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .arg("-cert")
        .arg(&certs.node.cert)
        .arg("-key")
        .arg(&certs.node.key)
        .arg("-CAfile")
        .arg(&certs.ca)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run openssl s_client");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find(|l| l.starts_with("subject="))
        .unwrap_or_default()
        .replace(' ', "")
}

/// Copies `pair` over the files the sentinel is configured with.
fn install(pair: &Pair, cert: &std::path::Path, key: &std::path::Path) {
    std::fs::copy(&pair.cert, cert).expect("copy cert");
    std::fs::copy(&pair.key, key).expect("copy key");
}

#[test]
fn certificates_are_reloaded_on_sighup_and_a_broken_file_is_refused_while_the_old_one_serves() {
    let certs = Certs::generate();
    let ports = free_ports(2);
    let master = tls_redis_server(&certs, ports[0], None);
    let (cert, key) = (certs.dir.join("live.crt"), certs.dir.join("live.key"));
    install(&certs.node, &cert, &key);
    let conf = sentinel_conf(&certs, ports[1], master.port(), &[])
        .replace(
            &certs.node.cert.display().to_string(),
            &cert.display().to_string(),
        )
        .replace(
            &certs.node.key.display().to_string(),
            &key.display().to_string(),
        );
    let s = spawn_tls(Kind::RSentinel, &conf, ports[1]);
    let args = certs.cli_args(&certs.node);
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=node");
    // A connection opened before the reload.
    let mut before = std::process::Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-connect",
            &format!("127.0.0.1:{}", ports[1]),
        ])
        .arg("-cert")
        .arg(&certs.node.cert)
        .arg("-key")
        .arg(&certs.node.key)
        .arg("-CAfile")
        .arg(&certs.ca)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn openssl s_client");

    let rotated = certs.issue("rotated", "rotated");
    install(&rotated, &cert, &key);
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(
        unsafe { libc::kill(s.pid() as libc::pid_t, libc::SIGHUP) },
        0
    );
    wait_until(Duration::from_secs(10), "reload logged", || {
        s.read_log()
            .contains("TLS certificates, keys and CA reloaded (SIGHUP)")
    });
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=rotated");
    assert_eq!(cli(ports[1], &args, &["PING"]).as_deref(), Ok("PONG"));

    // The connection from before still works on its own session.
    let mut stdin = before.stdin.take().expect("s_client stdin");
    stdin.write_all(b"PING\r\n").expect("write to s_client");
    let mut stdout = before.stdout.take().expect("s_client stdout");
    let mut got = [0u8; 7];
    let read = stdout.read_exact(&mut got);
    let _ = before.kill();
    let _ = before.wait();
    assert!(
        read.is_ok() && &got == b"+PONG\r\n",
        "old connection: {got:?}"
    );

    // A broken file is refused; the rotated certificate keeps serving.
    std::fs::write(&cert, b"not a certificate\n").expect("break the cert file");
    assert_eq!(
        unsafe { libc::kill(s.pid() as libc::pid_t, libc::SIGHUP) },
        0
    );
    wait_until(Duration::from_secs(10), "refusal logged", || {
        s.read_log().contains("TLS reload (SIGHUP) refused")
    });
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=rotated");
    assert_eq!(cli(ports[1], &args, &["PING"]).as_deref(), Ok("PONG"));
}

#[test]
fn a_master_whose_certificate_the_ca_did_not_sign_is_named_in_the_link_reconnection_event() {
    let certs = Certs::generate();
    let ports = free_ports(2);
    // The master presents a certificate from the CA nobody trusts (and trusts ours, so
    // only our side refuses).
    let master = tls_redis_server_as(&certs, ports[0], None, &certs.other);
    let conf = sentinel_conf(&certs, ports[1], master.port(), &["loglevel debug"]);
    let s = spawn_tls(Kind::RSentinel, &conf, ports[1]);
    let want = format!(
        "-cmd-link-reconnection master {MASTER} 127.0.0.1 {} #TLS error:",
        ports[0]
    );
    wait_until(Duration::from_secs(10), "the TLS failure named", || {
        s.read_log()
            .lines()
            .any(|l| l.contains(&want) && l.contains("UnknownIssuer"))
    });
    assert!(s.read_log().contains("-pubsub-link-reconnection master"));
    let state = master_state(ports[1], &certs.cli_args(&certs.node));
    assert_eq!(
        state.get("flags").map(String::as_str),
        Some("master,disconnected"),
        "{state:?}"
    );
}

#[test]
fn sentinel_config_set_replaces_certificates_persists_them_and_refuses_a_bad_file() {
    let certs = Certs::generate();
    let ports = free_ports(2);
    let master = tls_redis_server(&certs, ports[0], None);
    let mut s = spawn_tls(
        Kind::RSentinel,
        &sentinel_conf(&certs, ports[1], master.port(), &[]),
        ports[1],
    );
    let args = certs.cli_args(&certs.node);
    let rotated = certs.issue("rotated", "rotated");
    let (cert, key) = (
        rotated.cert.display().to_string(),
        rotated.key.display().to_string(),
    );
    // Certificate and key change together (one set of pairs, applied at once).
    let r = cli(
        ports[1],
        &args,
        &[
            "SENTINEL",
            "CONFIG",
            "SET",
            "tls-cert-file",
            &cert,
            "tls-key-file",
            &key,
        ],
    );
    assert_eq!(r.as_deref(), Ok("OK"));
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=rotated");
    let conf = s.read_config();
    assert!(
        conf.contains(&cert) && conf.contains(&key),
        "not persisted:\n{conf}"
    );

    // A missing file is refused with the reason; the rotated certificate keeps serving.
    let r = cli(
        ports[1],
        &args,
        &[
            "SENTINEL",
            "CONFIG",
            "SET",
            "tls-cert-file",
            "/nonexistent.crt",
        ],
    );
    let out = r.unwrap_or_else(|e| e);
    assert!(
        out.contains("Unable to update TLS configuration")
            && out.contains("Failed to load certificate: /nonexistent.crt"),
        "{out}"
    );
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=rotated");
    assert!(!s.read_config().contains("/nonexistent.crt"));

    // The persisted files are what a restart serves.
    s.restart();
    assert_eq!(presented_subject(ports[1], &certs), "subject=CN=rotated");
    assert_eq!(cli(ports[1], &args, &["PING"]).as_deref(), Ok("PONG"));
}

#[test]
fn instances_are_verified_against_the_ca_but_not_by_name_as_redis_does() {
    let certs = Certs::generate();
    let ports = free_ports(3);
    // The master's certificate names another host and no IP address: Redis (OpenSSL,
    // SSL_VERIFY_PEER without a host check) accepts it when reached by IP; so must we.
    let elsewhere = certs.issue_named_only("elsewhere", "elsewhere.example");
    let master = tls_redis_server_as(&certs, ports[0], None, &elsewhere);
    let args = certs.cli_args(&certs.node);
    for (kind, port) in [(Kind::RedisSentinel, ports[1]), (Kind::RSentinel, ports[2])] {
        let s = spawn_tls(kind, &sentinel_conf(&certs, port, master.port(), &[]), port);
        let mut state = HashMap::new();
        let ok = poll_until(Duration::from_secs(10), || {
            state = master_state(s.port(), &args);
            state.get("flags").map(String::as_str) == Some("master")
                && state.get("runid").is_some_and(|r| r.len() == 40)
        });
        assert!(ok, "{kind:?} did not link to the master: {state:?}");
    }
}

#[test]
fn a_ca_directory_is_read_for_trust_anchors() {
    let certs = Certs::generate();
    let ports = free_ports(2);
    let master = tls_redis_server(&certs, ports[0], None);
    let dir = certs.dir.join("cadir");
    std::fs::create_dir_all(&dir).expect("create cadir");
    std::fs::copy(&certs.ca, dir.join("ca.pem")).expect("copy ca");
    let conf = sentinel_conf(&certs, ports[1], master.port(), &[]).replace(
        &format!("tls-ca-cert-file {}", certs.ca.display()),
        &format!("tls-ca-cert-dir {}", dir.display()),
    );
    assert!(conf.contains("tls-ca-cert-dir"));
    let s = spawn_tls(Kind::RSentinel, &conf, ports[1]);
    let args = certs.cli_args(&certs.node);
    let ok = poll_until(Duration::from_secs(10), || {
        master_state(s.port(), &args)
            .get("flags")
            .map(String::as_str)
            == Some("master")
    });
    assert!(
        ok,
        "no link with the CA from a directory:\n{}",
        s.log_tail(20)
    );
    // Clients are verified against it too.
    let other = certs.cli_args(&certs.other);
    assert!(cli(ports[1], &other, &["PING"]).is_err());
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
