//! A sentinel group fixture: one real master, real replicas, and sentinels of chosen kinds
//! (rsentinel and/or redis-sentinel) monitoring `mymaster`, plus helpers to watch it converge.

use std::time::Duration;

use super::proc::{start_sentinel, Kind, Proc, RedisServer, SentinelConf};
use super::{free_port, poll_until, redis_info_field, Client};

pub struct Group {
    /// Redis servers, index 0 = the initial master.
    pub servers: Vec<Proc>,
    pub sentinels: Vec<Proc>,
}

/// How each sentinel is configured.
#[derive(Clone, Debug)]
pub struct SentinelSpec {
    pub kind: Kind,
    pub quorum: u32,
    pub down_after: u64,
    pub failover_timeout: u64,
}

impl SentinelSpec {
    pub fn new(kind: Kind, quorum: u32, down_after: u64) -> Self {
        SentinelSpec {
            kind,
            quorum,
            down_after,
            failover_timeout: 10_000,
        }
    }
}

impl Group {
    /// Master + `replicas` replicas + one sentinel per spec; waits until every sentinel
    /// sees all replicas and all other sentinels.
    pub fn start(replicas: usize, specs: &[SentinelSpec]) -> Group {
        let master = RedisServer::master();
        let mport = master.port();
        let mut servers = vec![master];
        for _ in 0..replicas {
            servers.push(RedisServer::replica_of(mport));
        }
        for s in servers.iter().skip(1) {
            super::wait_replica_link_up(s.port(), Duration::from_secs(10));
        }
        let sentinels = specs
            .iter()
            .map(|spec| {
                let conf = SentinelConf::new()
                    .port(free_port())
                    .monitor("mymaster", "127.0.0.1", mport, spec.quorum)
                    .down_after(spec.down_after)
                    .failover_timeout(spec.failover_timeout);
                start_sentinel(spec.kind, &conf)
            })
            .collect();
        let g = Group { servers, sentinels };
        g.wait_discovered(replicas, Duration::from_secs(20));
        g
    }

    pub fn wait_discovered(&self, replicas: usize, timeout: Duration) {
        let others = self.sentinels.len() - 1;
        let ok = poll_until(timeout, || {
            self.sentinels.iter().all(|s| {
                let Ok(mut c) = Client::try_connect(s.port()) else {
                    return false;
                };
                let m = c.cmd(&["SENTINEL", "MASTER", "mymaster"]);
                m.field("num-slaves").as_deref() == Some(&replicas.to_string())
                    && m.field("num-other-sentinels").as_deref() == Some(&others.to_string())
            })
        });
        assert!(
            ok,
            "group did not discover {replicas} replicas and {others} sentinels:\n{}",
            self.describe()
        );
    }

    pub fn master_port(&self, sentinel: usize) -> Option<u16> {
        let s = self.sentinels.get(sentinel)?;
        let mut c = Client::try_connect(s.port()).ok()?;
        let v = c.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
        v.as_array()?.get(1)?.as_str()?.parse().ok()
    }

    /// The port every live sentinel names, once they all agree on one other than `not`.
    pub fn wait_agreement_other_than(&self, not: u16, timeout: Duration) -> u16 {
        let mut agreed = None;
        let ok = poll_until(timeout, || {
            let ports: Vec<Option<u16>> = (0..self.sentinels.len())
                .map(|i| self.master_port(i))
                .collect();
            match ports.first().copied().flatten() {
                Some(p) if p != not && ports.iter().all(|x| *x == Some(p)) => {
                    agreed = Some(p);
                    true
                }
                _ => false,
            }
        });
        assert!(
            ok,
            "sentinels did not agree on a new master:\n{}",
            self.describe()
        );
        agreed.unwrap_or(0)
    }

    pub fn server_by_port(&mut self, port: u16) -> &mut Proc {
        self.servers
            .iter_mut()
            .find(|s| s.port() == port)
            .expect("known server port")
    }

    /// Waits until the server on `port` reports `role:master`.
    pub fn wait_role_master(&self, port: u16, timeout: Duration) {
        let ok = poll_until(timeout, || {
            redis_info_field(port, "replication", "role").as_deref() == Some("master")
        });
        assert!(ok, "{port} never reported role:master\n{}", self.describe());
    }

    /// Waits until the server on `port` replicates from `master` with its link up.
    pub fn wait_replicates_from(&self, port: u16, master: u16, timeout: Duration) {
        let ok = poll_until(timeout, || {
            redis_info_field(port, "replication", "master_port").as_deref()
                == Some(&master.to_string())
                && redis_info_field(port, "replication", "master_link_status").as_deref()
                    == Some("up")
        });
        assert!(
            ok,
            "{port} does not replicate from {master}\n{}",
            self.describe()
        );
    }

    /// Every sentinel lists every other one in `SENTINEL SENTINELS` with its run id, the
    /// loopback address and its port, and (until a failover) vote epoch 0.
    pub fn assert_peers_listed(&self) {
        let ids: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| {
                s.client()
                    .cmd(&["SENTINEL", "MYID"])
                    .as_str()
                    .unwrap_or_default()
            })
            .collect();
        for (i, s) in self.sentinels.iter().enumerate() {
            let reply = s.client().cmd(&["SENTINEL", "SENTINELS", "mymaster"]);
            let peers = reply.as_array().unwrap_or_default().to_vec();
            assert_eq!(
                peers.len(),
                self.sentinels.len() - 1,
                "sentinel {i} lists every peer: {reply:?}"
            );
            for (j, other) in self.sentinels.iter().enumerate().filter(|(j, _)| *j != i) {
                let p = peers
                    .iter()
                    .find(|p| p.field("runid").as_deref() == Some(ids[j].as_str()));
                let p = p.unwrap_or_else(|| panic!("sentinel {i} misses sentinel {j}: {reply:?}"));
                assert_eq!(p.field("port"), Some(other.port().to_string()));
                assert_eq!(p.field("ip").as_deref(), Some("127.0.0.1"));
            }
        }
    }

    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.sentinels.iter().enumerate() {
            out.push_str(&format!(
                "--- sentinel {i} ({:?}, port {}) log tail:\n{}\n",
                s.kind(),
                s.port(),
                s.log_tail(40)
            ));
        }
        out
    }
}
