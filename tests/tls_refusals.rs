//! TLS refusals and checks with real processes: bad clients on the TLS port (each refused
//! as `redis-sentinel` refuses it, others served meanwhile), startup errors with Redis's
//! texts, what rustls cannot honour named in the log, instances verified against the CA
//! (not by name, as Redis), a CA directory, and the link event naming a TLS failure.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::tls::*;
use common::*;

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

/// Runs `kind` on `conf` until it exits (bounded); its exit code and output.
fn run_to_exit(kind: Kind, conf: &str, certs: &Certs) -> (Option<i32>, String) {
    let path = certs.dir.join("bad.conf");
    std::fs::write(&path, conf).expect("write bad.conf");
    let mut child = std::process::Command::new(kind.program())
        .arg(&path)
        .current_dir(&certs.dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sentinel");
    let deadline = Instant::now() + Duration::from_secs(10);
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("sentinel output");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), log)
}

#[test]
fn missing_or_unusable_tls_material_is_fatal_at_startup_with_redis_texts() {
    let certs = Certs::generate();
    let port = free_port();
    let base = format!(
        "port 0\ntls-port {port}\ntls-ca-cert-file {}\ntls-replication yes\n",
        certs.ca.display()
    );
    let cert = format!("tls-cert-file {}\n", certs.node.cert.display());
    let key = format!("tls-key-file {}\n", certs.node.key.display());
    let cases = [
        (format!("{base}{key}"), "# No tls-cert-file configured!"),
        (
            format!("{base}tls-cert-file /nonexistent.crt\n{key}"),
            "# Failed to load certificate: /nonexistent.crt: ",
        ),
        (
            format!("{base}{cert}tls-key-file /nonexistent.key\n"),
            "# Failed to load private key: /nonexistent.key: ",
        ),
        (
            format!("{base}{cert}{key}tls-protocols TLSv1.9\n"),
            "# Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', \
             'TLSv1.2' and 'TLSv1.3'.",
        ),
        (
            format!("{base}{cert}{key}tls-ciphersuites BOGUS\n"),
            "# Failed to configure ciphersuites: BOGUS",
        ),
        (
            format!("{base}{cert}{key}tls-dh-params-file /nonexistent.dh\n"),
            "# Failed to load /nonexistent.dh: No such file or directory",
        ),
        (
            format!("port 0\ntls-port {port}\n{cert}{key}tls-auth-clients yes\n"),
            "# Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, \
             tls-replication or tls-auth-clients are enabled!",
        ),
        (
            "port 0\n".to_string(),
            "# Configured to not listen anywhere, exiting.",
        ),
    ];
    for (conf, line) in &cases {
        // Debian's redis-sentinel with the same file says the same (the reason after a file
        // name is OpenSSL's there, the system's here), and both exit with status 1.
        for kind in [Kind::RedisSentinel, Kind::RSentinel] {
            let (code, log) = run_to_exit(kind, conf, &certs);
            assert_eq!(code, Some(1), "{kind:?} on:\n{conf}\n{log}");
            assert!(log.contains(line), "{kind:?} lacks {line:?}:\n{log}");
            if !line.contains("listen anywhere") {
                assert!(
                    log.contains("# Failed to configure TLS. Check logs for more info."),
                    "{kind:?}:\n{log}"
                );
            }
        }
    }
    // An encrypted key cannot be read by rustls (Redis decrypts it with the passphrase):
    // refused at startup, saying so.
    let enc = certs.dir.join("encrypted.key");
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-aes256", "-passout", "pass:secret", "-in"])
        .arg(&certs.node.key)
        .arg("-out")
        .arg(&enc)
        .output()
        .expect("run openssl pkey");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = format!(
        "{base}{cert}tls-key-file {}\ntls-key-file-pass secret\n",
        enc.display()
    );
    let (code, log) = run_to_exit(Kind::RSentinel, &conf, &certs);
    assert_eq!(code, Some(1), "{log}");
    let want = format!(
        "Failed to load private key: {}: the key is encrypted",
        enc.display()
    );
    assert!(log.contains(&want), "{log}");
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

#[test]
fn tls_auth_clients_optional_and_no_accept_clients_without_a_certificate_as_redis_sentinel() {
    let certs = Certs::generate();
    let ports = free_ports(5);
    let master = tls_redis_server(&certs, ports[0], None);
    let no_cert = vec![
        "--tls".into(),
        "--cacert".into(),
        certs.ca.display().to_string(),
    ];
    let other_ca = certs.cli_args(&certs.other);
    let mut outcomes = Vec::new();
    for (i, (kind, mode)) in [
        (Kind::RedisSentinel, "optional"),
        (Kind::RSentinel, "optional"),
        (Kind::RedisSentinel, "no"),
        (Kind::RSentinel, "no"),
    ]
    .into_iter()
    .enumerate()
    {
        let port = ports[i + 1];
        let conf = sentinel_conf(&certs, port, master.port(), &[])
            .replace("tls-auth-clients yes", &format!("tls-auth-clients {mode}"));
        let _s = spawn_tls(kind, &conf, port);
        outcomes.push((
            mode,
            cli(port, &no_cert, &["PING"]).is_ok(),
            cli(port, &other_ca, &["PING"]).is_ok(),
        ));
    }
    // optional: no certificate is fine, a bad one is refused; no: nothing is checked.
    assert_eq!(
        outcomes,
        [
            ("optional", true, false),
            ("optional", true, false),
            ("no", true, true),
            ("no", true, true)
        ]
    );
}
