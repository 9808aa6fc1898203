//! Sentinels that cannot authenticate to each other: each has its own `requirepass`, so the
//! `AUTH <own requirepass>` they send to peers fails and the peers look down (CKQUORUM
//! fails) — until `SENTINEL CONFIG SET sentinel-user/sentinel-pass` names a user every one
//! of them knows. A mixed group: two rsentinels and one redis-sentinel.
//! Spec: shared/spec/redis-sentinel-7.0.md §9.1, §15 (tests 03-runtime-reconf, 09-acl-support).

mod common;

use std::time::Duration;

use common::client::Value;
use common::compare::candidate_kind;
use common::proc::start_sentinel;
use common::*;

struct Member {
    proc: Proc,
    pass: String,
}

impl Member {
    fn client(&self) -> Client {
        let mut c = self.proc.client();
        let ok = c.cmd(&["AUTH", self.pass.as_str()]);
        assert_eq!(ok, Value::Simple("OK".into()), "{:?}", self.proc);
        c
    }

    fn ckquorum(&self) -> Value {
        self.client().cmd(&["SENTINEL", "CKQUORUM", "mymaster"])
    }
}

#[test]
fn peers_with_unknown_passwords_reach_quorum_once_sentinel_user_and_pass_are_set() {
    let master = RedisServer::master();
    let ports = free_ports(3);
    let kinds = [candidate_kind(), candidate_kind(), Kind::RedisSentinel];
    let members: Vec<Member> = ports
        .iter()
        .zip(kinds)
        .enumerate()
        .map(|(i, (&port, kind))| {
            let pass = format!("own-pass-{i}");
            let conf = SentinelConf::new()
                .port(port)
                .monitor("mymaster", "127.0.0.1", master.port(), 2)
                .down_after(1500)
                .requirepass(&pass)
                .line("user peer on >peerpw ~* &* +@all");
            Member {
                proc: start_sentinel(kind, conf),
                pass,
            }
        })
        .collect();

    // Hellos travel through the master, so everyone learns of everyone...
    for m in &members {
        let mut c = m.client();
        wait_until(Duration::from_secs(20), "all sentinels discovered", || {
            c.cmd(&["SENTINEL", "SENTINELS", "mymaster"])
                .as_array()
                .is_some_and(|a| a.len() == 2)
        });
    }
    // ...but nobody can talk to a peer: the peers go subjectively down.
    for m in &members {
        let mut c = m.client();
        wait_until(Duration::from_secs(20), "peers seen down", || {
            let peers = c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]);
            peers.as_array().is_some_and(|a| {
                a.iter()
                    .all(|p| p.field("flags").is_some_and(|f| f.contains("s_down")))
            })
        });
        let r = m.ckquorum();
        assert!(
            r.error()
                .is_some_and(|e| e.starts_with("NOQUORUM 1 usable Sentinels.")),
            "{:?}: {r:?}",
            m.proc
        );
    }

    for m in &members {
        let mut c = m.client();
        for (param, value) in [("sentinel-user", "peer"), ("sentinel-pass", "peerpw")] {
            let r = c.cmd(&["SENTINEL", "CONFIG", "SET", param, value]);
            assert_eq!(r, Value::Simple("OK".into()), "{:?} {param}", m.proc);
        }
    }
    for m in &members {
        wait_until(Duration::from_secs(20), "CKQUORUM OK with 3 usable", || {
            m.ckquorum()
                == Value::Simple(
                    "OK 3 usable Sentinels. Quorum and failover authorization can be reached"
                        .into(),
                )
        });
    }
}
