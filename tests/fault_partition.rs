//! A network partition between real processes, with network namespaces: every node (master,
//! two replicas, three rsentinels) runs in its own namespace behind a veth pair plugged
//! into a bridge; the partition moves the minority's plugs ({master, sentinel 1}) to a second
//! bridge, so open connections across it silently stall as in a real split.
//!
//! The minority never fails over; the majority does; after healing everyone converges on
//! the majority's master and the old master becomes its replica.
//!
//! Needs root (CAP_NET_ADMIN) and `ip`; skipped with a message otherwise.

mod common;

use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[track_caller]
fn must(args: &[&str]) {
    assert!(ip(args), "ip {} failed", args.join(" "));
}

/// One node: a namespace, its veth pair, its address and (once started) its process.
struct Node {
    ns: String,
    host_if: String,
    addr: String,
    dir: PathBuf,
    child: Option<Child>,
}

impl Node {
    fn spawn(&mut self, program: PathBuf, conf_name: &str, conf: &str) {
        std::fs::create_dir_all(&self.dir).expect("node dir");
        let conf_path = self.dir.join(conf_name);
        std::fs::write(&conf_path, conf).expect("write config");
        let log = std::fs::File::create(self.dir.join("log.txt")).expect("log");
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns])
            .arg(program)
            .arg(&conf_path)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log);
        // SAFETY: prctl only; the child dies with this (test) thread's process.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        self.child = Some(cmd.spawn().expect("spawn in namespace"));
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log.txt")).unwrap_or_default()
    }
}

/// The whole lab; torn down (processes, namespaces, bridges) on drop.
struct Lab {
    nodes: Vec<Node>,
    bridge_a: String,
    bridge_b: String,
    root: PathBuf,
}

impl Lab {
    fn new(names: &[&str]) -> Option<Lab> {
        let n = std::process::id() % 10_000;
        let id = format!("{n}");
        let subnet = 20 + (std::process::id() % 200);
        let bridge_a = format!("rsa{id}");
        let bridge_b = format!("rsb{id}");
        let root = std::env::temp_dir().join(format!("rsentinel-netns-{id}"));
        let mut lab = Lab {
            nodes: Vec::new(),
            bridge_a: bridge_a.clone(),
            bridge_b: bridge_b.clone(),
            root,
        };
        if !ip(&["link", "add", &bridge_a, "type", "bridge"]) {
            return None;
        }
        if !ip(&["link", "add", &bridge_b, "type", "bridge"]) {
            return None;
        }
        must(&[
            "addr",
            "add",
            &format!("10.213.{subnet}.254/24"),
            "dev",
            &bridge_a,
        ]);
        must(&["link", "set", &bridge_a, "up"]);
        must(&["link", "set", &bridge_b, "up"]);
        for (i, name) in names.iter().enumerate() {
            let ns = format!("rs{id}-{name}");
            let host_if = format!("rv{id}h{i}");
            let peer_if = format!("rv{id}p{i}");
            let addr = format!("10.213.{subnet}.{}", i + 1);
            if !ip(&["netns", "add", &ns]) {
                return None;
            }
            lab.nodes.push(Node {
                ns: ns.clone(),
                host_if: host_if.clone(),
                addr: addr.clone(),
                dir: lab.root.join(name),
                child: None,
            });
            must(&[
                "link", "add", &host_if, "type", "veth", "peer", "name", &peer_if,
            ]);
            must(&["link", "set", &peer_if, "netns", &ns]);
            must(&["link", "set", &host_if, "master", &bridge_a]);
            must(&["link", "set", &host_if, "up"]);
            must(&["netns", "exec", &ns, "ip", "link", "set", "lo", "up"]);
            must(&[
                "netns",
                "exec",
                &ns,
                "ip",
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                &peer_if,
            ]);
            must(&["netns", "exec", &ns, "ip", "link", "set", &peer_if, "up"]);
        }
        Some(lab)
    }

    /// Plug node `i` into bridge A (connected) or B (cut off with the other B nodes).
    fn plug(&self, i: usize, connected: bool) {
        let br = if connected {
            &self.bridge_a
        } else {
            &self.bridge_b
        };
        must(&["link", "set", &self.nodes[i].host_if, "master", br]);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            if let Some(mut c) = n.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
            if std::thread::panicking() {
                let log = n.log();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                eprintln!(
                    "--- {} ({}) ---\n{}",
                    n.ns,
                    n.addr,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            ip(&["netns", "del", &n.ns]);
        }
        ip(&["link", "del", &self.bridge_a]);
        ip(&["link", "del", &self.bridge_b]);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `redis-cli -h addr -p port --raw args...` stdout lines (empty on failure; 2 s timeout).
fn cli(addr: &str, port: u16, args: &[&str]) -> Vec<String> {
    let out = Command::new("timeout")
        .args([
            "2",
            "redis-cli",
            "-h",
            addr,
            "-p",
            &port.to_string(),
            "--raw",
        ])
        .args(args)
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A field of `SENTINEL MASTER mymaster` (`--raw` prints keys and values on alternate lines).
fn master_field(addr: &str, field: &str) -> Option<String> {
    let lines = cli(addr, 26379, &["SENTINEL", "MASTER", "mymaster"]);
    lines
        .chunks(2)
        .find(|kv| kv.first().map(String::as_str) == Some(field))
        .and_then(|kv| kv.get(1).cloned())
}

fn master_addr(sentinel: &str) -> Option<String> {
    let l = cli(
        sentinel,
        26379,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
    );
    l.first().cloned()
}

fn info_field(addr: &str, field: &str) -> Option<String> {
    cli(addr, 6379, &["INFO", "replication"])
        .iter()
        .find_map(|l| {
            l.trim_end()
                .strip_prefix(&format!("{field}:"))
                .map(str::to_string)
        })
}

#[test]
fn a_partitioned_minority_never_fails_over_the_majority_does_and_all_converge_after_healing() {
    let names = ["m", "r1", "r2", "s1", "s2", "s3"];
    let Some(mut lab) = Lab::new(&names) else {
        eprintln!(
            "SKIP: network namespaces / bridges not permitted here (needs root and CAP_NET_ADMIN)"
        );
        return;
    };
    let addrs: Vec<String> = lab.nodes.iter().map(|n| n.addr.clone()).collect();
    let (m, r1, r2) = (addrs[0].clone(), addrs[1].clone(), addrs[2].clone());
    for (i, addr) in addrs.iter().enumerate().take(3) {
        let mut conf = format!(
            "port 6379\nbind {addr}\nprotected-mode no\nsave \"\"\nappendonly no\n\
             repl-diskless-sync-delay 0\n"
        );
        if i > 0 {
            conf.push_str(&format!("replicaof {m} 6379\n"));
        }
        lab.nodes[i].spawn(Kind::RedisServer.program(), "redis.conf", &conf);
    }
    for r in [&r1, &r2] {
        wait_until(Duration::from_secs(15), "replica linked", || {
            info_field(r, "master_link_status").as_deref() == Some("up")
        });
    }
    for (i, addr) in addrs.iter().enumerate().skip(3) {
        let conf = format!(
            "port 26379\nbind {addr}\nsentinel monitor mymaster {m} 6379 2\n\
             sentinel down-after-milliseconds mymaster 1000\n\
             sentinel failover-timeout mymaster 6000\n"
        );
        lab.nodes[i].spawn(Kind::RSentinel.program(), "sentinel.conf", &conf);
    }
    for s in &addrs[3..6] {
        wait_until(
            Duration::from_secs(20),
            "sentinels and replicas discovered",
            || {
                master_field(s, "num-other-sentinels").as_deref() == Some("2")
                    && master_field(s, "num-slaves").as_deref() == Some("2")
            },
        );
    }

    // Split: {master, s1} | {r1, r2, s2, s3}.
    let t = Instant::now();
    lab.plug(0, false);
    lab.plug(3, false);
    let (s1, s2, s3) = (addrs[3].clone(), addrs[4].clone(), addrs[5].clone());
    let mut new_master = String::new();
    wait_until(
        Duration::from_secs(30),
        "the majority to fail over",
        || match master_addr(&s2) {
            Some(a) if a == r1 || a == r2 => {
                new_master = a;
                true
            }
            _ => false,
        },
    );
    let failover_took = t.elapsed();
    // Let the minority sit in the split a while longer: it must not act.
    if let Some(rest) = Duration::from_secs(6).checked_sub(t.elapsed()) {
        std::thread::sleep(rest);
    }
    let s1_log = lab.nodes[3].log();
    for ev in [
        "+try-failover",
        "+elected-leader",
        "+switch-master",
        "+odown",
    ] {
        assert!(
            !s1_log.contains(ev),
            "the minority sentinel logged {ev}:\n{s1_log}"
        );
    }
    assert_eq!(
        info_field(&m, "role").as_deref(),
        None,
        "the old master must be unreachable from outside its side"
    );

    // Heal.
    let healed = Instant::now();
    lab.plug(0, true);
    lab.plug(3, true);
    wait_until(Duration::from_secs(40), "everyone to converge", || {
        [&s1, &s2, &s3]
            .iter()
            .all(|s| master_addr(s).as_deref() == Some(new_master.as_str()))
            && info_field(&m, "role").as_deref() == Some("slave")
            && info_field(&m, "master_host").as_deref() == Some(new_master.as_str())
    });
    let epochs: Vec<Option<String>> = [&s1, &s2, &s3]
        .iter()
        .map(|s| master_field(s, "config-epoch"))
        .collect();
    assert!(
        epochs.iter().all(|e| e.is_some() && *e == epochs[0]),
        "config epochs differ after healing: {epochs:?}"
    );
    eprintln!(
        "[robust] partition: majority failed over in {failover_took:?}; converged {:?} after \
         healing (config epochs {epochs:?})",
        healed.elapsed()
    );
}
