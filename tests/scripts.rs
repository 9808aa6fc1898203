//! Scripts (§14) with real processes: the notification script receives warning events, the
//! client-reconfig script receives the failover's addresses, neither inherits a descriptor
//! of ours; and `SENTINEL SIMULATE-FAILURE` crash points exit with code 99.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

/// A script that appends its arguments and the targets of its open descriptors (beyond
/// 0–2) to `log`.
fn write_script(dir: &Path, name: &str, log: &Path) -> PathBuf {
    let path = dir.join(name);
    let body = format!(
        "#!/usr/bin/env python3\nimport os, sys\nfds = []\nfor fd in os.listdir('/proc/self/fd'):\n    \
         try:\n        t = os.readlink('/proc/self/fd/' + fd)\n    except OSError:\n        continue\n    \
         if int(fd) > 2 and not t.startswith('/proc/'):\n        fds.append(fd + '=' + t)\n\
         open({:?}, 'a').write(' '.join(sys.argv[1:]) + ' |fds:' + ' '.join(fds) + '\\n')\n",
        log.display().to_string()
    );
    std::fs::write(&path, body).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Descriptor targets that would be rsentinel's own: sockets, epoll/eventfd, its files.
fn ours(target: &str) -> bool {
    target.starts_with("socket:")
        || target.starts_with("anon_inode:")
        || target.ends_with("log.txt")
        || target.ends_with(".conf")
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rsentinel-scripts-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

#[test]
fn scripts_get_events_and_failover_addresses_without_our_descriptors() {
    let dir = temp_dir("fo");
    let notes = dir.join("notifications.log");
    let reconf = dir.join("reconfig.log");
    let nscript = write_script(&dir, "notify.sh", &notes);
    let rscript = write_script(&dir, "reconfig.sh", &reconf);
    let master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let mut sentinels = Vec::new();
    for _ in 0..3 {
        let conf = SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", master.port(), 2)
            .down_after(1000)
            .failover_timeout(10_000)
            .notification_script(nscript.to_str().expect("utf8 path"))
            .client_reconfig_script(rscript.to_str().expect("utf8 path"));
        sentinels.push(RSentinel::start(&conf));
    }
    let g = Group {
        servers: vec![master, replica],
        sentinels,
    };
    g.wait_discovered(1, Duration::from_secs(20));
    let mut g = g;
    let (old, new) = (g.servers[0].port(), g.servers[1].port());
    g.servers[0].kill9();
    g.wait_agreement_other_than(old, Duration::from_secs(20));
    let ok = poll_until(Duration::from_secs(10), || {
        std::fs::read_to_string(&reconf).is_ok_and(|t| t.contains("leader start"))
            && std::fs::read_to_string(&notes).is_ok_and(|t| t.contains("+odown"))
    });
    let reconf_text = std::fs::read_to_string(&reconf).unwrap_or_default();
    let notes_text = std::fs::read_to_string(&notes).unwrap_or_default();
    assert!(
        ok,
        "scripts ran:\nreconfig:\n{reconf_text}\nnotifications:\n{notes_text}"
    );
    let leader_line = reconf_text
        .lines()
        .find(|l| l.contains(" leader start "))
        .unwrap_or_default();
    assert!(
        leader_line.starts_with(&format!(
            "mymaster leader start 127.0.0.1 {old} 127.0.0.1 {new} |"
        )),
        "client-reconfig-script argv: {leader_line}"
    );
    assert!(
        notes_text.contains("+sdown master mymaster 127.0.0.1"),
        "{notes_text}"
    );
    for line in reconf_text.lines().chain(notes_text.lines()) {
        let fds = line.split("|fds:").nth(1).unwrap_or_default();
        let leaked: Vec<&str> = fds
            .split_whitespace()
            .filter(|f| ours(f.split_once('=').map_or("", |x| x.1)))
            .collect();
        assert!(
            leaked.is_empty(),
            "a script inherited rsentinel's descriptors {leaked:?}: {line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pending_scripts_lists_a_running_script() {
    let dir = temp_dir("pending");
    let slow = dir.join("slow.sh");
    std::fs::write(&slow, "#!/bin/sh\nsleep 3\n").expect("write");
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let master = RedisServer::master();
    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", master.port(), 1)
        .notification_script(slow.to_str().expect("utf8"));
    let s = RSentinel::start(&conf);
    let mut c = s.client();
    // +set is a warning event: it queues the notification script.
    c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "2"]);
    let mut seen = None;
    let ok = poll_until(Duration::from_secs(3), || {
        let v = c.cmd(&["SENTINEL", "PENDING-SCRIPTS"]);
        let running = v.as_array().is_some_and(|jobs| {
            jobs.iter().any(|j| {
                j.field("flags").as_deref() == Some("running")
                    && j.field("retry-num").as_deref() == Some("1")
            })
        });
        seen = Some(v);
        running
    });
    assert!(ok, "PENDING-SCRIPTS shows the running job: {seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn simulate_failure_crash_after_election_exits_99() {
    let master = RedisServer::master();
    let replica = RedisServer::replica_of(master.port());
    wait_replica_link_up(replica.port(), Duration::from_secs(10));
    let conf = SentinelConf::new()
        .port(free_port())
        .monitor("mymaster", "127.0.0.1", master.port(), 1)
        .down_after(1000);
    let mut s = RSentinel::start(&conf);
    let mut c = s.client();
    assert!(poll_until(Duration::from_secs(10), || {
        c.cmd(&["SENTINEL", "MASTER", "mymaster"])
            .field("num-slaves")
            .as_deref()
            == Some("1")
    }));
    let r = c.cmd(&["SENTINEL", "SIMULATE-FAILURE", "CRASH-AFTER-ELECTION"]);
    assert_eq!(r.as_str().as_deref(), Some("OK"));
    let info = c.cmd(&["INFO", "sentinel"]).as_str().unwrap_or_default();
    assert!(info.contains("sentinel_simulate_failure_flags:1"), "{info}");
    let mut master = master;
    master.kill9();
    assert_eq!(
        s.wait_exit(Duration::from_secs(10)),
        Some(99),
        "{}",
        s.log_tail(20)
    );
    assert!(s.read_log().contains("+elected-leader"));
}
