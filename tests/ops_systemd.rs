//! systemd integration: the notification protocol over a `NOTIFY_SOCKET` the test listens
//! on (path and abstract), the `supervised` directive, and `systemd-analyze verify` of
//! `dist/rsentinel.service`.

mod common;
mod ops_util;

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{free_port, Kind};
use ops_util::{basic_conf, temp_dir, Sentinel};

/// Collects datagrams until `done(messages)` holds or `timeout` passes.
fn collect(
    sock: &UnixDatagram,
    timeout: Duration,
    mut done: impl FnMut(&[String]) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !done(&got) && Instant::now() < deadline {
        let _ = sock.set_read_timeout(Some(Duration::from_millis(50)));
        if let Ok(n) = sock.recv(&mut buf) {
            let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned();
            got.extend(text.lines().map(str::to_string));
        }
    }
    got
}

fn count(msgs: &[String], m: &str) -> usize {
    msgs.iter().filter(|x| x.as_str() == m).count()
}

#[test]
fn notify_socket_gets_ready_status_watchdog_then_stopping_on_sigterm() {
    let dir = temp_dir("notify");
    let sock_path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).expect("bind notify socket");
    let port = free_port();
    let sock_env = sock_path.to_string_lossy().into_owned();
    let mut s = Sentinel::spawn(
        Kind::RSentinel,
        &basic_conf(port, free_port()),
        port,
        &["--supervised", "systemd", "--daemonize", "no"],
        &[("NOTIFY_SOCKET", &sock_env), ("WATCHDOG_USEC", "200000")],
    );
    let msgs = collect(&sock, Duration::from_secs(10), |m| {
        count(m, "READY=1") == 1 && count(m, "WATCHDOG=1") >= 3
    });
    assert_eq!(count(&msgs, "READY=1"), 1, "{msgs:?}");
    assert!(count(&msgs, "WATCHDOG=1") >= 3, "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m == "STATUS=masters:1 odown:0 failovers-in-progress:0 tilt:0"),
        "{msgs:?}"
    );
    // READY only once the listener is up: PING answers right away.
    s.wait_ready();
    s.signal(libc::SIGTERM);
    let msgs = collect(&sock, Duration::from_secs(10), |m| {
        count(m, "STOPPING=1") == 1
    });
    assert_eq!(count(&msgs, "STOPPING=1"), 1, "{msgs:?}");
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    let out = s.output();
    assert!(out.contains("Supervised by systemd."), "{out}");
    assert!(out.contains("systemd watchdog enabled"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn abstract_notify_socket_and_supervised_auto_are_honoured() {
    let name = format!("rsentinel-test-{}-{}", std::process::id(), free_port());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract name");
    let sock = UnixDatagram::bind_addr(&addr).expect("bind abstract socket");
    let port = free_port();
    let conf = format!("{}supervised auto\n", basic_conf(port, free_port()));
    let s = Sentinel::spawn(
        Kind::RSentinel,
        &conf,
        port,
        &[],
        &[("NOTIFY_SOCKET", &format!("@{name}"))],
    );
    let msgs = collect(&sock, Duration::from_secs(10), |m| count(m, "READY=1") == 1);
    assert_eq!(count(&msgs, "READY=1"), 1, "{msgs:?}");
    // No WATCHDOG_USEC: no watchdog pings.
    let more = collect(&sock, Duration::from_millis(600), |_| false);
    assert_eq!(count(&more, "WATCHDOG=1"), 0, "{more:?}");
    drop(s);
}

#[test]
fn supervised_no_ignores_notify_socket() {
    let dir = temp_dir("notify-no");
    let sock_path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).expect("bind notify socket");
    let port = free_port();
    let s = Sentinel::spawn(
        Kind::RSentinel,
        &basic_conf(port, free_port()),
        port,
        &[],
        &[("NOTIFY_SOCKET", &sock_path.to_string_lossy())],
    );
    s.wait_ready();
    let msgs = collect(&sock, Duration::from_millis(500), |_| false);
    assert!(msgs.is_empty(), "{msgs:?}");
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn supervised_systemd_without_notify_socket_warns_like_redis() {
    let port = free_port();
    let s = Sentinel::spawn(
        Kind::RSentinel,
        &basic_conf(port, free_port()),
        port,
        &["--supervised", "systemd"],
        &[],
    );
    s.wait_ready();
    let out = s.output();
    assert!(
        out.contains(
            "systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!"
        ),
        "{out}"
    );
}

#[test]
fn systemd_analyze_verify_accepts_the_unit_file() {
    let ok = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: systemd-analyze not installed (apt-get install systemd; .ci/run does)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let unit = std::fs::read_to_string(root.join("dist/rsentinel.service")).expect("unit file");
    assert!(unit.contains(
        "ExecStart=/usr/bin/rsentinel /etc/rsentinel/sentinel.conf --supervised systemd --daemonize no"
    ));
    // Verify checks that ExecStart's binary exists and that Documentation= man pages are
    // found: point it at the binary just built and at our man/ pages.
    let dir = temp_dir("unit");
    let copy = unit.replace("/usr/bin/rsentinel", env!("CARGO_BIN_EXE_rsentinel"));
    std::fs::write(dir.join("rsentinel.service"), copy).expect("write unit copy");
    for (sec, page) in [
        ("1", "rsentinel.1"),
        ("5", "rsentinel.conf.5"),
        ("7", "rsentinel-events.7"),
    ] {
        let d = dir.join("man").join(format!("man{sec}"));
        std::fs::create_dir_all(&d).expect("man dir");
        std::os::unix::fs::symlink(root.join("man").join(page), d.join(page)).expect("symlink");
    }
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.join("rsentinel.service"))
        .env("MANPATH", dir.join("man"))
        .output()
        .expect("run systemd-analyze");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.trim().is_empty(),
        "systemd-analyze verify: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
