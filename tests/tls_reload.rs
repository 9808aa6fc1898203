//! TLS material reloaded without a restart (not in redis-sentinel): on SIGHUP and with
//! `SENTINEL CONFIG SET tls-cert-file ...` (persisted), new connections get the new
//! certificate, open ones keep theirs, and a broken file is refused while the old one serves.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::tls::*;
use common::*;

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
fn a_group_rotated_live_to_new_server_and_client_certificates_still_fails_over() {
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
    // Every sentinel gets a new server certificate and a new client certificate.
    for (i, s) in sentinels.iter().enumerate() {
        let server = certs.issue(&format!("server{i}"), &format!("server{i}"));
        let client = certs.issue(&format!("client{i}"), &format!("client{i}"));
        let paths =
            [&server.cert, &server.key, &client.cert, &client.key].map(|p| p.display().to_string());
        let set = [
            "SENTINEL",
            "CONFIG",
            "SET",
            "tls-cert-file",
            &paths[0],
            "tls-key-file",
            &paths[1],
            "tls-client-cert-file",
            &paths[2],
            "tls-client-key-file",
            &paths[3],
        ];
        assert_eq!(cli(s.port(), &args, &set).as_deref(), Ok("OK"));
        assert_eq!(
            presented_subject(s.port(), &certs),
            format!("subject=CN=server{i}")
        );
        let conf = s.read_config();
        assert!(paths.iter().all(|p| conf.contains(p.as_str())), "{conf}");
    }
    // The links made after the rotation (to the promoted replica's new role, the peers'
    // reconnections) use the new material; the group fails over as before.
    servers[0].kill9();
    let new = wait_agreement(&refs, &args, mport);
    assert!(rports.contains(&new), "promoted {new}");
    let other = rports
        .iter()
        .copied()
        .find(|&p| p != new)
        .unwrap_or_default();
    let ok = poll_until(Duration::from_secs(30), || {
        cli(other, &args, &["INFO", "replication"]).is_ok_and(|t| {
            t.contains(&format!("master_port:{new}")) && t.contains("master_link_status:up")
        })
    });
    assert!(ok, "the other replica follows {new}");
}
