//! Process life cycle against real processes: SIGTERM/SIGINT shut down cleanly with Redis's
//! log lines and leave the config alone, `daemonize yes` + `pidfile`, a pid file in the
//! foreground, SIGHUP reopening the log file (logrotate). Where Redis behaves the same, the
//! same assertions run against Debian's `redis-sentinel` first.

mod common;
mod ops_util;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{free_port, Client, Kind};
use ops_util::{basic_conf, read, Sentinel};

const MYID: &str = "0123456789abcdef0123456789abcdef01234567";

fn conf_with_log(port: u16) -> String {
    format!(
        "{}sentinel myid {MYID}\nlogfile log.txt\n",
        basic_conf(port, free_port())
    )
}

/// Index of the first line containing `needle`, panicking with the log otherwise.
fn line_of(log: &str, needle: &str) -> usize {
    log.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in log:\n{log}"))
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn clean_shutdown_on(kind: Kind, sig: libc::c_int, name: &str) {
    let port = free_port();
    let mut s = Sentinel::spawn(kind, &conf_with_log(port), port, &[], &[]);
    s.wait_ready();
    let conf_path = s.dir.join("sentinel.conf");
    let before = read(&conf_path);
    s.signal(sig);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0), "{kind:?}");
    let log = read(&s.dir.join("log.txt"));
    let a = line_of(&log, &format!("Received {name} scheduling shutdown..."));
    let b = line_of(&log, "# User requested shutdown...");
    let c = line_of(&log, "# Sentinel is now ready to exit, bye bye...");
    assert!(a < b && b < c, "{kind:?} order:\n{log}");
    // Redis writes this line from its signal handler, in its own shape.
    let line = log.lines().nth(a).unwrap_or_default();
    assert!(
        line.starts_with(&format!("{}:signal-handler (", s.pid_hint())),
        "{kind:?}: {line}"
    );
    assert_eq!(
        read(&conf_path),
        before,
        "{kind:?}: config rewritten on shutdown"
    );
}

trait PidHint {
    fn pid_hint(&self) -> String;
}

impl PidHint for Sentinel {
    /// The pid as the first log line shows it (the child is reaped by now).
    fn pid_hint(&self) -> String {
        read(&self.dir.join("log.txt"))
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

#[test]
fn sigterm_exits_zero_with_redis_log_lines_and_no_rewrite() {
    clean_shutdown_on(Kind::RedisSentinel, libc::SIGTERM, "SIGTERM");
    clean_shutdown_on(Kind::RSentinel, libc::SIGTERM, "SIGTERM");
}

#[test]
fn sigint_exits_zero_with_redis_log_lines_and_no_rewrite() {
    clean_shutdown_on(Kind::RedisSentinel, libc::SIGINT, "SIGINT");
    clean_shutdown_on(Kind::RSentinel, libc::SIGINT, "SIGINT");
}

fn daemonizes_with_pidfile(kind: Kind) {
    let port = free_port();
    let conf = format!("{}daemonize yes\npidfile run.pid\n", conf_with_log(port));
    let mut s = Sentinel::spawn(kind, &conf, port, &[], &[]);
    // The foreground process returns at once, successfully.
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0), "{kind:?}");
    let pidfile = s.dir.join("run.pid");
    wait_for("pid file", Duration::from_secs(10), || {
        read(&pidfile).ends_with('\n')
    });
    let pid: u32 = read(&pidfile).trim().parse().expect("pid in pid file");
    s.daemon_pid = Some(pid);
    s.wait_ready();
    let mut c = Client::connect(port);
    let info = c.cmd(&["INFO", "server"]).as_str().unwrap_or_default();
    assert!(info.contains(&format!("process_id:{pid}\r\n")), "{kind:?}");
    // A daemon has left the session of the shell that started it.
    // SAFETY: getsid(2) on a live pid.
    let sid = unsafe { libc::getsid(pid as libc::pid_t) };
    assert_eq!(
        sid, pid as libc::pid_t,
        "{kind:?}: daemon is a session leader"
    );
    // SAFETY: SIGTERM to the daemon this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
    wait_for("pid file removed", Duration::from_secs(10), || {
        !pidfile.exists()
    });
    wait_for("daemon gone", Duration::from_secs(10), || {
        !common::proc::pid_alive(pid)
    });
    let log = read(&s.dir.join("log.txt"));
    let a = line_of(&log, "* Removing the pid file.");
    let b = line_of(&log, "Sentinel is now ready to exit, bye bye...");
    assert!(a < b, "{kind:?}:\n{log}");
}

#[test]
fn daemonize_yes_writes_the_pidfile_and_removes_it_on_exit() {
    daemonizes_with_pidfile(Kind::RedisSentinel);
    daemonizes_with_pidfile(Kind::RSentinel);
}

#[test]
fn pidfile_is_written_in_the_foreground_too() {
    let port = free_port();
    let conf = format!("{}pidfile fg.pid\n", conf_with_log(port));
    let mut s = Sentinel::spawn(Kind::RSentinel, &conf, port, &[], &[]);
    s.wait_ready();
    let pidfile = s.dir.join("fg.pid");
    assert_eq!(read(&pidfile), format!("{}\n", s.pid()));
    s.signal(libc::SIGTERM);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(!pidfile.exists());
}

#[test]
fn sighup_reopens_the_log_file_after_logrotate_moved_it() {
    let port = free_port();
    let mut s = Sentinel::spawn(Kind::RSentinel, &conf_with_log(port), port, &[], &[]);
    s.wait_ready();
    let log = s.dir.join("log.txt");
    let rotated = s.dir.join("log.txt.1");
    wait_for("startup logged", Duration::from_secs(5), || {
        read(&log).contains("+monitor")
    });
    std::fs::rename(&log, &rotated).expect("rotate");
    s.signal(libc::SIGHUP);
    wait_for("new log file", Duration::from_secs(5), || {
        read(&log).contains("Received SIGHUP, log file reopened")
    });
    let mut c = Client::connect(port);
    assert_eq!(
        c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "2"])
            .as_str()
            .as_deref(),
        Some("OK")
    );
    wait_for("event in the new file", Duration::from_secs(5), || {
        read(&log).contains("+set master mymaster")
    });
    let old = read(&rotated);
    assert!(old.contains("+monitor") && !old.contains("+set"), "{old}");
    // Still running: SIGHUP is not a shutdown.
    assert!(s.wait_exit(Duration::from_millis(100)).is_none());
    let _ = Path::new(&rotated);
}
