//! A vote that could not be persisted is never acknowledged. The config directory of a real
//! rsentinel is made immutable (`chattr +i`: even root can then create no file in it, so the
//! temporary file of every save fails, as on a full or read-only disk); a vote request then
//! gets "no vote" (`*`, epoch 0), the failure is logged with `-config-save-failed`, and after
//! `kill -9` and a restart the sentinel is still free to vote once in that epoch — where an
//! unsaved vote would have let it vote twice. Once the directory is writable again the save
//! is retried, `+config-save-ok` is logged and votes are given again. Meanwhile the systemd
//! STATUS line ends with `config-save:failing`.

mod common;
mod ops_util;

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

const CANDIDATE_X: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CANDIDATE_Y: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// Makes a directory immutable for as long as it lives.
struct Immutable(PathBuf);

impl Immutable {
    fn set(dir: &Path) -> Immutable {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "chattr +i {} failed (needs root and ext4)",
            dir.display()
        );
        Immutable(dir.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

fn vote(s: &Proc, mport: u16, epoch: u64, candidate: &str) -> (String, i64) {
    vote_on(s.port(), mport, epoch, candidate)
}

fn vote_on(port: u16, mport: u16, epoch: u64, candidate: &str) -> (String, i64) {
    let r = Client::connect(port).cmd(&[
        "SENTINEL",
        "IS-MASTER-DOWN-BY-ADDR",
        "127.0.0.1",
        &mport.to_string(),
        &epoch.to_string(),
        candidate,
    ]);
    let a = r.as_array().unwrap_or_default();
    let leader = a.get(1).and_then(Value::as_str).unwrap_or_default();
    let e = a.get(2).and_then(Value::as_int).unwrap_or(-1);
    (leader, e)
}

#[test]
fn a_vote_that_cannot_be_saved_is_refused_and_not_given_twice_after_a_restart() {
    let master = RedisServer::master();
    let mport = master.port();
    let mut s = RSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .down_after(5000),
    );
    let mut given: Vec<(String, i64)> = Vec::new();
    {
        let _frozen = Immutable::set(s.dir());
        let first = vote(&s, mport, 1, CANDIDATE_X);
        if first.0 != "*" {
            given.push(first.clone());
        }
        assert_eq!(
            first,
            ("*".to_string(), 0),
            "an unsaved vote was acknowledged"
        );
        assert!(
            s.read_log().contains("-config-save-failed"),
            "{}",
            s.log_tail(20)
        );
        // Still refused while saves fail.
        assert_eq!(vote(&s, mport, 1, CANDIDATE_X).0, "*");
        s.kill9();
    }
    s.restart();
    let second = vote(&s, mport, 1, CANDIDATE_Y);
    given.push(second.clone());
    assert_eq!(second, (CANDIDATE_Y.to_string(), 1));
    let in_epoch_1: Vec<&String> = given
        .iter()
        .filter(|(_, e)| *e == 1)
        .map(|(l, _)| l)
        .collect();
    assert_eq!(in_epoch_1, vec![CANDIDATE_Y], "one vote in epoch 1");
}

#[test]
fn saves_are_retried_and_votes_given_again_once_the_disk_is_back() {
    let master = RedisServer::master();
    let mport = master.port();
    let s = RSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .down_after(5000),
    );
    {
        let _frozen = Immutable::set(s.dir());
        assert_eq!(vote(&s, mport, 1, CANDIDATE_X).0, "*");
        // SENTINEL SET reports the failure as redis-sentinel does.
        let r = s
            .client()
            .cmd(&["SENTINEL", "SET", "mymaster", "quorum", "3"]);
        assert!(r.is_error(), "{r:?}");
    }
    wait_until(Duration::from_secs(10), "+config-save-ok", || {
        s.read_log().contains("+config-save-ok")
    });
    assert!(s
        .read_config()
        .contains("sentinel monitor mymaster 127.0.0.1"));
    assert!(s.read_config().contains(" 3\n"), "{}", s.read_config());
    assert_eq!(
        vote(&s, mport, 2, CANDIDATE_Y),
        (CANDIDATE_Y.to_string(), 2)
    );
    assert!(s.read_config().contains("sentinel current-epoch 2"));
}

/// The `STATUS=` lines received until one satisfies `done` or `timeout` passes.
fn status_until(
    sock: &UnixDatagram,
    timeout: Duration,
    done: impl Fn(&str) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        let _ = sock.set_read_timeout(Some(Duration::from_millis(50)));
        if let Ok(n) = sock.recv(&mut buf) {
            let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned();
            for line in text.lines().filter_map(|l| l.strip_prefix("STATUS=")) {
                got.push(line.to_string());
                if done(line) {
                    return got;
                }
            }
        }
    }
    got
}

#[test]
fn the_systemd_status_line_says_when_the_config_cannot_be_saved() {
    let sock_dir = ops_util::temp_dir("notify-save");
    let sock_path = sock_dir.join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).expect("bind notify socket");
    let sock_env = sock_path.to_string_lossy().into_owned();
    let master = RedisServer::master();
    let port = free_port();
    let s = ops_util::Sentinel::spawn(
        Kind::RSentinel,
        &ops_util::basic_conf(port, master.port()),
        port,
        &["--supervised", "systemd", "--daemonize", "no"],
        &[("NOTIFY_SOCKET", &sock_env)],
    );
    s.wait_ready();
    let ok = "masters:1 odown:0 failovers-in-progress:0 tilt:0";
    let seen = status_until(&sock, Duration::from_secs(10), |l| l == ok);
    assert_eq!(seen.last().map(String::as_str), Some(ok), "{seen:?}");
    {
        let _frozen = Immutable::set(&s.dir);
        assert_eq!(vote_on(port, master.port(), 1, CANDIDATE_X).0, "*");
        let failing = format!("{ok} config-save:failing");
        let seen = status_until(&sock, Duration::from_secs(10), |l| l == failing);
        assert_eq!(seen.last(), Some(&failing), "{seen:?}");
    }
    let seen = status_until(&sock, Duration::from_secs(10), |l| l == ok);
    assert_eq!(seen.last().map(String::as_str), Some(ok), "{seen:?}");
    let _ = std::fs::remove_dir_all(&sock_dir);
}
