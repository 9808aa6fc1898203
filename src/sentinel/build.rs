//! Creating and releasing instances and their links, building the core from the config
//! file's state and taking a snapshot of it back for the rewrite.

use super::idmap::IdMap;
use super::instance::{addr_name, Common, Master, Peer, Replica, Reported, Role};
use super::link::{Link, LinkId};
use super::rng::Rng;
use super::{Action, InstRef, Millis, Sentinel, Settings, Timing};
use crate::config::{KnownSentinel, MasterConfig, SentinelConfig};

use std::collections::VecDeque;

use slab::Slab;

impl Sentinel {
    /// Builds the core from the loaded config. A missing `myid` is generated from `seed`'s
    /// generator and a save is requested at once (§1).
    pub fn new(config: &SentinelConfig, settings: Settings, now: Millis, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let (myid, save_requested) = match &config.myid {
            Some(id) => (id.clone(), false),
            None => (rng.hex_id(), true),
        };
        let mut s = Sentinel {
            myid,
            current_epoch: config.current_epoch,
            announce_ip: config.announce_ip.clone(),
            announce_port: config.announce_port,
            deny_scripts_reconfig: config.deny_scripts_reconfig,
            sentinel_user: config.sentinel_user.clone(),
            sentinel_pass: config.sentinel_pass.clone(),
            resolve_hostnames: config.resolve_hostnames,
            announce_hostnames: config.announce_hostnames,
            settings,
            timing: Timing::default(),
            masters: Vec::new(),
            tilt: false,
            tilt_start_time: 0,
            simulate_failure: 0,
            test_switches: Default::default(),
            previous_time: None,
            links: Slab::new(),
            link_owner: IdMap::default(),
            conns: IdMap::default(),
            next_conn: 0,
            next_uid: 0,
            rng,
            actions: VecDeque::new(),
            output: IdMap::default(),
            dirty: Vec::new(),
            save_requested,
            save_in_flight: false,
            save_health: Default::default(),
            unsaved_votes: Vec::new(),
            deferred_asks: Vec::new(),
            scripts: Default::default(),
            master_index: IdMap::default(),
            scratch: Vec::new(),
            resolved: Vec::new(),
            last_refusal_warning: None,
        };
        for mc in &config.masters {
            s.add_master(mc, now);
        }
        s
    }

    /// Adds a master with everything the config says about it. Returns its index.
    pub(crate) fn add_master(&mut self, mc: &MasterConfig, now: Millis) -> usize {
        let uid = self.next_uid();
        let link = self.new_link(&mc.host, mc.port, true, now);
        self.link_owner.insert(link.0, InstRef::Master(uid));
        let master = Master {
            common: Common {
                uid,
                name: mc.name.clone(),
                host: mc.host.clone(),
                port: mc.port,
                runid: None,
                link,
                down_after: mc.down_after_ms,
                s_down_since: None,
                last_sdown_start: 0,
                last_pub_time: 0,
                script_kill_sent: false,
            },
            reported: Reported::new(Role::Master, now),
            o_down_since: None,
            last_odown_start: 0,
            start_not_before: None,
            quorum: mc.quorum,
            parallel_syncs: mc.parallel_syncs,
            failover_timeout: mc.failover_timeout_ms,
            notification_script: mc.notification_script.clone(),
            client_reconfig_script: mc.client_reconfig_script.clone(),
            auth_pass: mc.auth_pass.clone(),
            auth_user: mc.auth_user.clone(),
            reboot_down_after: mc.master_reboot_down_after_ms,
            reboot_since: None,
            renamed_commands: mc.renamed_commands.clone(),
            config_epoch: mc.config_epoch,
            leader: None,
            leader_epoch: mc.leader_epoch,
            failover_epoch: 0,
            failover_state: Default::default(),
            failover_state_change_time: 0,
            failover_start_time: 0,
            failover_delay_logged: 0,
            addr_generation: 0,
            failover_began: 0,
            ask_phase_since: 0,
            force_failover: false,
            promoted: None,
            replicas: Vec::new(),
            sentinels: Vec::new(),
        };
        self.masters.push(master);
        let idx = self.masters.len() - 1;
        self.master_index.insert(uid, idx);
        for (host, port) in &mc.known_replicas {
            self.add_replica(idx, host, *port, now);
        }
        for ks in &mc.known_sentinels {
            self.add_sentinel(idx, ks, now);
        }
        idx
    }

    /// Adds a replica to master `idx` unless one with that address exists. Returns its uid.
    pub(crate) fn add_replica(
        &mut self,
        idx: usize,
        host: &str,
        port: u16,
        now: Millis,
    ) -> Option<u64> {
        let name = addr_name(host, port);
        let master = self.masters.get(idx)?;
        if master.replicas.iter().any(|r| r.common.name == name) {
            return None;
        }
        let (muid, down_after) = (master.common.uid, master.common.down_after);
        let uid = self.next_uid();
        let link = self.new_link(host, port, true, now);
        self.link_owner.insert(
            link.0,
            InstRef::Replica {
                master: muid,
                replica: uid,
            },
        );
        let replica = Replica {
            common: Common {
                uid,
                name,
                host: host.to_string(),
                port,
                runid: None,
                link,
                down_after,
                s_down_since: None,
                last_sdown_start: 0,
                last_pub_time: 0,
                script_kill_sent: false,
            },
            reported: Reported::new(Role::Slave, now),
            slave_conf_change_time: now,
            master_link_down_time: 0,
            slave_priority: 100,
            replica_announced: true,
            master_host: None,
            master_port: 0,
            master_link_up: false,
            slave_repl_offset: 0,
            promoted: false,
            reconf_sent: false,
            reconf_inprog: false,
            reconf_done: false,
            reconf_sent_time: 0,
        };
        self.masters.get_mut(idx)?.replicas.push(replica);
        Some(uid)
    }

    /// Adds a sentinel to master `idx`, sharing the link of an entry with the same run id
    /// under another master. Returns its uid.
    pub(crate) fn add_sentinel(
        &mut self,
        idx: usize,
        ks: &KnownSentinel,
        now: Millis,
    ) -> Option<u64> {
        let master = self.masters.get(idx)?;
        if master.sentinels.iter().any(|p| p.common.name == ks.runid) {
            return None;
        }
        let down_after = master.common.down_after;
        let shared = self
            .masters
            .iter()
            .flat_map(|m| m.sentinels.iter())
            .find(|p| {
                p.common.runid.as_deref() == Some(&ks.runid)
                    && p.common.host == ks.host
                    && p.common.port == ks.port
            })
            .map(|p| p.common.link);
        let link = match shared {
            Some(l) => {
                if let Some(link) = self.links.get_mut(l.0) {
                    link.refcount += 1;
                }
                l
            }
            None => self.new_link(&ks.host, ks.port, false, now),
        };
        let uid = self.next_uid();
        let peer = Peer {
            common: Common {
                uid,
                name: ks.runid.clone(),
                host: ks.host.clone(),
                port: ks.port,
                runid: Some(ks.runid.clone()),
                link,
                down_after,
                s_down_since: None,
                last_sdown_start: 0,
                last_pub_time: 0,
                script_kill_sent: false,
            },
            master_down: false,
            last_master_down_reply_time: now,
            last_ask_time: 0,
            leader: None,
            leader_epoch: 0,
            last_hello_time: now,
        };
        self.masters.get_mut(idx)?.sentinels.push(peer);
        Some(uid)
    }

    fn new_link(&mut self, host: &str, port: u16, wants_pubsub: bool, now: Millis) -> LinkId {
        LinkId(self.links.insert(Link::new(host, port, wants_pubsub, now)))
    }

    /// Drops one reference to a link; the last one closes its connections.
    pub(crate) fn release_link(&mut self, id: LinkId) {
        let Some(link) = self.links.get_mut(id.0) else {
            return;
        };
        link.refcount = link.refcount.saturating_sub(1);
        if link.refcount > 0 {
            return;
        }
        self.close_link_conns(id);
        self.links.remove(id.0);
        self.link_owner.remove(&id.0);
    }

    /// Closes both connections of a link (they will be re-established by the tick).
    pub(crate) fn close_link_conns(&mut self, id: LinkId) {
        let Some(link) = self.links.get_mut(id.0) else {
            return;
        };
        let conns: Vec<_> = [link.cmd.take(), link.pubsub.take()]
            .into_iter()
            .flatten()
            .collect();
        link.pending_commands = 0;
        for c in conns {
            self.forget_conn(c.id);
            self.actions.push_back(Action::Close { conn: c.id });
        }
    }

    pub(crate) fn forget_conn(&mut self, conn: super::ConnId) {
        self.conns.remove(&conn);
        self.output.remove(&conn);
    }

    /// Removes master `idx` and releases every link it holds.
    pub(crate) fn remove_master(&mut self, idx: usize) -> Option<Master> {
        if idx >= self.masters.len() {
            return None;
        }
        let m = self.masters.remove(idx);
        self.master_index = self
            .masters
            .iter()
            .enumerate()
            .map(|(i, m)| (m.common.uid, i))
            .collect();
        self.release_link(m.common.link);
        for r in &m.replicas {
            self.release_link(r.common.link);
        }
        for p in &m.sentinels {
            self.release_link(p.common.link);
        }
        Some(m)
    }

    /// The state to persist, as the config file holds it.
    pub fn snapshot(&self) -> SentinelConfig {
        SentinelConfig {
            myid: Some(self.myid.clone()),
            current_epoch: self.current_epoch,
            announce_ip: self.announce_ip.clone(),
            announce_port: self.announce_port,
            deny_scripts_reconfig: self.deny_scripts_reconfig,
            sentinel_user: self.sentinel_user.clone(),
            sentinel_pass: self.sentinel_pass.clone(),
            resolve_hostnames: self.resolve_hostnames,
            announce_hostnames: self.announce_hostnames,
            masters: self.masters.iter().map(master_snapshot).collect(),
        }
    }
}

fn master_snapshot(m: &Master) -> MasterConfig {
    let (host, port) = m.current_addr();
    let promoted_addr = (host != m.common.host || port != m.common.port).then_some((host, port));
    let mut known_replicas: Vec<(String, u16)> = m
        .replicas
        .iter()
        .map(|r| {
            // The replica at the current master address is written with the old master's
            // address instead (§4.6).
            if promoted_addr == Some((r.common.host.as_str(), r.common.port)) {
                (m.common.host.clone(), m.common.port)
            } else {
                (r.common.host.clone(), r.common.port)
            }
        })
        .collect();
    known_replicas.dedup();
    MasterConfig {
        name: m.common.name.clone(),
        host: host.to_string(),
        port,
        quorum: m.quorum,
        down_after_ms: m.common.down_after,
        failover_timeout_ms: m.failover_timeout,
        parallel_syncs: m.parallel_syncs,
        notification_script: m.notification_script.clone(),
        client_reconfig_script: m.client_reconfig_script.clone(),
        auth_pass: m.auth_pass.clone(),
        auth_user: m.auth_user.clone(),
        master_reboot_down_after_ms: m.reboot_down_after,
        config_epoch: m.config_epoch,
        leader_epoch: m.leader_epoch,
        known_replicas,
        known_sentinels: m
            .sentinels
            .iter()
            .filter_map(|p| {
                p.common.runid.as_ref().map(|runid| KnownSentinel {
                    host: p.common.host.clone(),
                    port: p.common.port,
                    runid: runid.clone(),
                })
            })
            .collect(),
        renamed_commands: m.renamed_commands.clone(),
    }
}

impl Default for Sentinel {
    /// A core with no masters and a fixed seed (tests and fuzzing).
    fn default() -> Self {
        Sentinel::new(
            &SentinelConfig::default(),
            Settings::default(),
            1_000_000,
            0,
        )
    }
}
