//! The timing knobs of §8, tunable at run time with `SENTINEL DEBUG` (process-global, not
//! persisted), and the fixed limits that are not.

/// Random delay added to failover start times to de-synchronise sentinels (fixed).
pub const MAX_DESYNC_MS: u64 = 1000;
/// Periodic commands stop while this many × refcount replies are outstanding (fixed).
pub const MAX_PENDING_COMMANDS: u32 = 100;
/// A hello/INFO/is-master-down reply older than this many ask periods is forgotten.
pub const ASK_REPLY_VALIDITY_PERIODS: u64 = 5;

/// `SENTINEL DEBUG` parameters, in the order `SENTINEL DEBUG` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    pub info_period: u64,
    pub ping_period: u64,
    pub ask_period: u64,
    pub publish_period: u64,
    pub default_down_after: u64,
    pub default_failover_timeout: u64,
    pub tilt_trigger: u64,
    pub tilt_period: u64,
    pub slave_reconf_timeout: u64,
    pub min_link_reconnect_period: u64,
    pub election_timeout: u64,
    pub script_max_runtime: u64,
    pub script_retry_delay: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            info_period: 10_000,
            ping_period: 1_000,
            ask_period: 1_000,
            publish_period: 2_000,
            default_down_after: 30_000,
            default_failover_timeout: 180_000,
            tilt_trigger: 2_000,
            tilt_period: 30_000,
            slave_reconf_timeout: 10_000,
            min_link_reconnect_period: 15_000,
            election_timeout: 10_000,
            script_max_runtime: 60_000,
            script_retry_delay: 30_000,
        }
    }
}

impl Timing {
    /// (reply name, value) pairs in `SENTINEL DEBUG` order.
    pub fn fields(&self) -> [(&'static str, u64); 13] {
        [
            ("INFO-PERIOD", self.info_period),
            ("PING-PERIOD", self.ping_period),
            ("ASK-PERIOD", self.ask_period),
            ("PUBLISH-PERIOD", self.publish_period),
            ("DEFAULT-DOWN-AFTER", self.default_down_after),
            ("DEFAULT-FAILOVER-TIMEOUT", self.default_failover_timeout),
            ("TILT-TRIGGER", self.tilt_trigger),
            ("TILT-PERIOD", self.tilt_period),
            ("SLAVE-RECONF-TIMEOUT", self.slave_reconf_timeout),
            ("MIN-LINK-RECONNECT-PERIOD", self.min_link_reconnect_period),
            ("ELECTION-TIMEOUT", self.election_timeout),
            ("SCRIPT-MAX-RUNTIME", self.script_max_runtime),
            ("SCRIPT-RETRY-DELAY", self.script_retry_delay),
        ]
    }

    /// The knob named `name` (lower-case `SENTINEL DEBUG` parameter), if any.
    pub fn knob_mut(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name.to_ascii_lowercase().as_str() {
            "info-period" => &mut self.info_period,
            "ping-period" => &mut self.ping_period,
            "ask-period" => &mut self.ask_period,
            "publish-period" => &mut self.publish_period,
            "default-down-after" => &mut self.default_down_after,
            "default-failover-timeout" => &mut self.default_failover_timeout,
            "tilt-trigger" => &mut self.tilt_trigger,
            "tilt-period" => &mut self.tilt_period,
            "slave-reconf-timeout" => &mut self.slave_reconf_timeout,
            "min-link-reconnect-period" => &mut self.min_link_reconnect_period,
            "election-timeout" => &mut self.election_timeout,
            "script-max-runtime" => &mut self.script_max_runtime,
            "script-retry-delay" => &mut self.script_retry_delay,
            _ => return None,
        })
    }
}
