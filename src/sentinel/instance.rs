//! Monitored instances (sentinel.c's `sentinelRedisInstance`): masters, their replicas and
//! the other sentinels that monitor them, with the state each keeps.

use super::link::LinkId;
use super::Millis;

/// The role an instance last reported in INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Slave,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Slave => "slave",
        }
    }
}

/// The failover state machine's states (§11.2), by their INFO/flags names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailoverState {
    #[default]
    None,
    WaitStart,
    SelectSlave,
    SendSlaveofNoone,
    WaitPromotion,
    ReconfSlaves,
    UpdateConfig,
}

impl FailoverState {
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverState::None => "none",
            FailoverState::WaitStart => "wait_start",
            FailoverState::SelectSlave => "select_slave",
            FailoverState::SendSlaveofNoone => "send_slaveof_noone",
            FailoverState::WaitPromotion => "wait_promotion",
            FailoverState::ReconfSlaves => "reconf_slaves",
            FailoverState::UpdateConfig => "update_config",
        }
    }
}

/// What every instance kind has.
#[derive(Debug, Clone)]
pub struct Common {
    /// Never reused: identifies the instance in pending replies across removals.
    pub uid: u64,
    /// Master: its name; replica: `ip:port`; sentinel: its run id.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub runid: Option<String>,
    pub link: LinkId,
    pub down_after: u64,
    pub s_down_since: Option<Millis>,
    /// When SDOWN last began (kept after it ends: "no down for" checks read it; 0 = never).
    pub last_sdown_start: Millis,
    /// Last successful hello PUBLISH to this instance.
    pub last_pub_time: Millis,
    pub script_kill_sent: bool,
}

/// What masters and replicas learn from INFO.
#[derive(Debug, Clone)]
pub struct Reported {
    /// The last INFO text (`SENTINEL INFO-CACHE`).
    pub info: Option<String>,
    /// When the last INFO reply arrived (0 = never).
    pub info_refresh: Millis,
    pub role: Role,
    pub role_time: Millis,
}

impl Reported {
    pub fn new(role: Role, now: Millis) -> Self {
        Reported {
            info: None,
            info_refresh: 0,
            role,
            role_time: now,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Replica {
    pub common: Common,
    pub reported: Reported,
    /// When the replica's reported master (host/port) last changed.
    pub slave_conf_change_time: Millis,
    /// `master_link_down_since_seconds` × 1000 (-1000: the replica never synced since it
    /// started, as Redis reports it).
    pub master_link_down_time: i64,
    pub slave_priority: u64,
    pub replica_announced: bool,
    pub master_host: Option<String>,
    pub master_port: u16,
    pub master_link_up: bool,
    pub slave_repl_offset: u64,
    pub promoted: bool,
    pub reconf_sent: bool,
    pub reconf_inprog: bool,
    pub reconf_done: bool,
    pub reconf_sent_time: Millis,
}

/// Another sentinel monitoring the same master.
#[derive(Debug, Clone)]
pub struct Peer {
    pub common: Common,
    /// It said the master is down in its last is-master-down-by-addr reply.
    pub master_down: bool,
    pub last_master_down_reply_time: Millis,
    /// When we last asked it about the master (bounds re-asking an unresponsive peer).
    pub last_ask_time: Millis,
    /// Its last reported vote for this master: (leader run id, epoch).
    pub leader: Option<String>,
    pub leader_epoch: u64,
    pub last_hello_time: Millis,
}

#[derive(Debug, Clone)]
pub struct Master {
    pub common: Common,
    pub reported: Reported,
    pub o_down_since: Option<Millis>,
    /// When ODOWN last began (kept after it ends; 0 = never).
    pub last_odown_start: Millis,
    /// Fast path: ODOWN was reached; our own failover may start at this time (random
    /// jitter so that sentinels seeing ODOWN together do not all ask for votes at once).
    pub start_not_before: Option<Millis>,
    pub quorum: u32,
    pub parallel_syncs: i64,
    pub failover_timeout: u64,
    pub notification_script: Option<String>,
    pub client_reconfig_script: Option<String>,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    pub reboot_down_after: u64,
    /// Run id changed while `reboot_down_after` ≠ 0: the time it was seen.
    pub reboot_since: Option<Millis>,
    /// (command lower-cased, renamed-to), in config order.
    pub renamed_commands: Vec<(String, String)>,
    pub config_epoch: u64,
    /// Our vote for this master: (leader run id, epoch).
    pub leader: Option<String>,
    pub leader_epoch: u64,
    pub failover_epoch: u64,
    pub failover_state: FailoverState,
    pub failover_state_change_time: Millis,
    pub failover_start_time: Millis,
    pub failover_delay_logged: Millis,
    /// Bumped by every reset (and so by every address change): an is-master-down reply
    /// to a request of an earlier generation was about another address and is dropped.
    pub addr_generation: u64,
    /// When the failover really began (`failover_start_time` carries the random delay
    /// before a retry): selection waits for replica INFO received since then.
    pub failover_began: Millis,
    /// When the current wait on the peers began (SDOWN, a peer newly saying down, a
    /// failover's start): re-asks back off from it (see `schedule`).
    pub ask_phase_since: Millis,
    pub force_failover: bool,
    /// uid of the replica selected for promotion.
    pub promoted: Option<u64>,
    pub replicas: Vec<Replica>,
    pub sentinels: Vec<Peer>,
}

impl Master {
    pub fn failover_in_progress(&self) -> bool {
        self.failover_state != FailoverState::None
    }

    pub fn replica_by_uid(&self, uid: u64) -> Option<&Replica> {
        self.replicas.iter().find(|r| r.common.uid == uid)
    }

    pub fn promoted_replica(&self) -> Option<&Replica> {
        self.promoted.and_then(|uid| self.replica_by_uid(uid))
    }

    /// The address clients should use: the promoted replica's once the failover reached
    /// reconf_slaves, else the configured one.
    pub fn current_addr(&self) -> (&str, u16) {
        if matches!(
            self.failover_state,
            FailoverState::ReconfSlaves | FailoverState::UpdateConfig
        ) {
            if let Some(r) = self.promoted_replica() {
                return (&r.common.host, r.common.port);
            }
        }
        (&self.common.host, self.common.port)
    }

    /// The command name to send for `cmd`, after `rename-command`.
    pub fn map_command<'a>(&'a self, cmd: &'a str) -> &'a str {
        self.renamed_commands
            .iter()
            .find(|(from, _)| from.eq_ignore_ascii_case(cmd))
            .map(|(_, to)| to.as_str())
            .unwrap_or(cmd)
    }
}

/// Formats a replica's name: `ip:port`, with IPv6 addresses bracketed.
pub fn addr_name(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
