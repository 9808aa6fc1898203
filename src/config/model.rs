//! The sentinel state that lives in the config file ([`SentinelConfig`]): what the loader
//! produces from `sentinel ...` lines, what the core is built from, and what the core hands
//! back (as a snapshot) to be rewritten. The config module owns the text form both ways.

/// Defaults of per-master settings (§4.1).
pub const DEFAULT_DOWN_AFTER_MS: u64 = 30_000;
pub const DEFAULT_FAILOVER_TIMEOUT_MS: u64 = 180_000;
pub const DEFAULT_PARALLEL_SYNCS: i64 = 1;

/// Global `sentinel` directives plus every monitored master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelConfig {
    /// `sentinel myid` (40 chars); `None` until generated.
    pub myid: Option<String>,
    pub current_epoch: u64,
    /// `sentinel announce-ip`; `None` when unset or empty.
    pub announce_ip: Option<String>,
    /// `sentinel announce-port`; 0 = unset.
    pub announce_port: u16,
    pub deny_scripts_reconfig: bool,
    pub sentinel_user: Option<String>,
    pub sentinel_pass: Option<String>,
    pub resolve_hostnames: bool,
    pub announce_hostnames: bool,
    /// Masters in config order (the order used for replies and rewrites).
    pub masters: Vec<MasterConfig>,
}

impl Default for SentinelConfig {
    fn default() -> Self {
        SentinelConfig {
            myid: None,
            current_epoch: 0,
            announce_ip: None,
            announce_port: 0,
            deny_scripts_reconfig: true,
            sentinel_user: None,
            sentinel_pass: None,
            resolve_hostnames: false,
            announce_hostnames: false,
            masters: Vec::new(),
        }
    }
}

/// One `sentinel monitor` master and the per-master lines that refer to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterConfig {
    pub name: String,
    /// The master's current address (after a failover: the promoted replica's).
    pub host: String,
    pub port: u16,
    pub quorum: u32,
    pub down_after_ms: u64,
    pub failover_timeout_ms: u64,
    /// Not validated when loaded from the file (Redis quirk); `SENTINEL SET` requires > 0.
    pub parallel_syncs: i64,
    pub notification_script: Option<String>,
    pub client_reconfig_script: Option<String>,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    pub master_reboot_down_after_ms: u64,
    pub config_epoch: u64,
    pub leader_epoch: u64,
    /// `sentinel known-replica <name> <host> <port>`, in order.
    pub known_replicas: Vec<(String, u16)>,
    /// `sentinel known-sentinel <name> <host> <port> <runid>`, in order.
    pub known_sentinels: Vec<KnownSentinel>,
    /// `sentinel rename-command <name> <command> <renamed>`, in order.
    pub renamed_commands: Vec<(String, String)>,
}

impl MasterConfig {
    /// A master as `SENTINEL MONITOR` creates it: every setting at its default.
    pub fn new(name: &str, host: &str, port: u16, quorum: u32) -> Self {
        MasterConfig {
            name: name.to_string(),
            host: host.to_string(),
            port,
            quorum,
            down_after_ms: DEFAULT_DOWN_AFTER_MS,
            failover_timeout_ms: DEFAULT_FAILOVER_TIMEOUT_MS,
            parallel_syncs: DEFAULT_PARALLEL_SYNCS,
            notification_script: None,
            client_reconfig_script: None,
            auth_pass: None,
            auth_user: None,
            master_reboot_down_after_ms: 0,
            config_epoch: 0,
            leader_epoch: 0,
            known_replicas: Vec::new(),
            known_sentinels: Vec::new(),
            renamed_commands: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSentinel {
    pub host: String,
    pub port: u16,
    pub runid: String,
}
