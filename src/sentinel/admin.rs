//! Changes requested by clients (`SENTINEL MONITOR / REMOVE / SET / RESET / FAILOVER /
//! CONFIG SET / IS-MASTER-DOWN-BY-ADDR`), as core operations with typed errors whose text is
//! Redis's. Whether a change must be persisted is signalled with [`Sentinel::request_save`].

use std::fmt;
use std::net::IpAddr;

use super::{InstRef, Level, Millis, Sentinel};
use crate::config::MasterConfig;
use crate::glob::glob_match;

/// An error reply of a `SENTINEL` subcommand; `Display` is the text after `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminError {
    NoSuchMaster,
    DuplicateMaster,
    InvalidPortNumber,
    InvalidAddress,
    QuorumTooSmall,
    InProgress,
    NoGoodSlave,
    /// `Invalid argument '<value>' for SENTINEL SET '<option>'`
    SetBadArgument {
        value: String,
        option: String,
    },
    /// `Unknown option or number of arguments for SENTINEL SET '<option>'`
    SetUnknownOption(String),
    ScriptsReconfigDenied,
    NotificationScriptNotExecutable,
    ReconfigScriptNotExecutable,
    ConfigSetInvalidValue {
        param: String,
        value: String,
    },
    ConfigSetInvalidParam(String),
    /// The current epoch is u64::MAX (a peer announced it): no epoch is left to fail over in.
    EpochExhausted,
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::NoSuchMaster => f.write_str("ERR No such master with that name"),
            AdminError::DuplicateMaster => f.write_str("ERR Duplicate master name."),
            AdminError::InvalidPortNumber => f.write_str("ERR Invalid port number."),
            AdminError::InvalidAddress => {
                f.write_str("ERR Invalid IP address or hostname specified")
            }
            AdminError::QuorumTooSmall => f.write_str("ERR Quorum must be 1 or greater."),
            AdminError::InProgress => f.write_str("INPROG Failover already in progress"),
            AdminError::NoGoodSlave => f.write_str("NOGOODSLAVE No suitable replica to promote"),
            AdminError::EpochExhausted => {
                f.write_str("ERR The current epoch is at its maximum: no failover can start")
            }
            AdminError::SetBadArgument { value, option } => {
                write!(
                    f,
                    "ERR Invalid argument '{value}' for SENTINEL SET '{option}'"
                )
            }
            AdminError::SetUnknownOption(o) => {
                write!(
                    f,
                    "ERR Unknown option or number of arguments for SENTINEL SET '{o}'"
                )
            }
            AdminError::ScriptsReconfigDenied => f.write_str(
                "ERR Reconfiguration of scripts path is denied for security reasons. Check the \
                 deny-scripts-reconfig configuration directive in your Sentinel configuration",
            ),
            AdminError::NotificationScriptNotExecutable => {
                f.write_str("ERR Notification script seems non existing or non executable")
            }
            AdminError::ReconfigScriptNotExecutable => f.write_str(
                "ERR Client reconfiguration script seems non existing or non executable",
            ),
            AdminError::ConfigSetInvalidValue { param, value } => {
                write!(
                    f,
                    "ERR Invalid value '{value}' to SENTINEL CONFIG SET '{param}'"
                )
            }
            AdminError::ConfigSetInvalidParam(p) => {
                write!(f, "ERR Invalid argument '{p}' to SENTINEL CONFIG SET")
            }
        }
    }
}

/// Strict Redis integer parsing (`string2ll`): optional `-`, no `+`, no spaces, no
/// leading zeros.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits {
        [] => return None,
        [b'0'] if !neg => return Some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        v = if neg {
            v.checked_mul(10)?.checked_sub(d)?
        } else {
            v.checked_mul(10)?.checked_add(d)?
        };
    }
    Some(v)
}

/// The answer to `SENTINEL IS-MASTER-DOWN-BY-ADDR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownReply {
    pub down: bool,
    pub leader: Option<String>,
    pub leader_epoch: u64,
}

impl Sentinel {
    /// Emits `+monitor` for every master (startup, §1).
    pub fn announce_masters(&mut self) {
        let uids: Vec<(u64, u32)> = self
            .masters
            .iter()
            .map(|m| (m.common.uid, m.quorum))
            .collect();
        for (uid, q) in uids {
            self.inst_event(
                Level::Warning,
                "+monitor",
                InstRef::Master(uid),
                &format!("quorum {q}"),
            );
        }
    }

    /// `SENTINEL MONITOR` after its argument parsing: checks and adds the master.
    pub fn monitor(
        &mut self,
        now: Millis,
        name: &str,
        host: &str,
        port: i64,
        quorum: i64,
    ) -> Result<(), AdminError> {
        if quorum <= 0 {
            return Err(AdminError::QuorumTooSmall);
        }
        if host.parse::<IpAddr>().is_err() && !self.resolve_hostnames {
            return Err(AdminError::InvalidAddress);
        }
        if self.master(name).is_some() {
            return Err(AdminError::DuplicateMaster);
        }
        let port = u16::try_from(port).map_err(|_| AdminError::InvalidPortNumber)?;
        let quorum = u32::try_from(quorum).unwrap_or(u32::MAX);
        let mut mc = MasterConfig::new(name, host, port, quorum);
        mc.down_after_ms = self.timing.default_down_after;
        mc.failover_timeout_ms = self.timing.default_failover_timeout;
        let idx = self.add_master(&mc, now);
        self.request_save();
        let uid = self.masters[idx].common.uid;
        self.inst_event(
            Level::Warning,
            "+monitor",
            InstRef::Master(uid),
            &format!("quorum {quorum}"),
        );
        Ok(())
    }

    /// `SENTINEL REMOVE`.
    pub fn remove(&mut self, name: &str) -> Result<(), AdminError> {
        let idx = self
            .masters
            .iter()
            .position(|m| m.common.name == name)
            .ok_or(AdminError::NoSuchMaster)?;
        let uid = self.masters[idx].common.uid;
        self.inst_event(Level::Warning, "-monitor", InstRef::Master(uid), "");
        self.remove_master(idx);
        self.request_save();
        Ok(())
    }

    /// `SENTINEL RESET <pattern>`: the number of masters reset.
    pub fn reset_matching(&mut self, pattern: &[u8], now: Millis) -> usize {
        let matching: Vec<u64> = self
            .masters
            .iter()
            .filter(|m| glob_match(pattern, m.common.name.as_bytes(), false))
            .map(|m| m.common.uid)
            .collect();
        for &uid in &matching {
            if let Some(i) = self.master_idx_by_uid(uid) {
                self.reset_master(i, false, now);
                self.inst_event(Level::Warning, "+reset-master", InstRef::Master(uid), "");
            }
        }
        matching.len()
    }

    /// `SENTINEL FAILOVER`: a forced failover (no election).
    pub fn force_failover(&mut self, name: &str, now: Millis) -> Result<(), AdminError> {
        let i = self
            .masters
            .iter()
            .position(|m| m.common.name == name)
            .ok_or(AdminError::NoSuchMaster)?;
        if self.masters[i].failover_in_progress() {
            return Err(AdminError::InProgress);
        }
        if self.select_replica(i, now).is_none() {
            return Err(AdminError::NoGoodSlave);
        }
        log::warn!("Executing user requested FAILOVER of '{name}'");
        if !self.start_failover(i, now) {
            return Err(AdminError::EpochExhausted);
        }
        self.masters[i].force_failover = true;
        let uid = self.masters[i].common.uid;
        self.fast_step(uid, now);
        Ok(())
    }

    /// `SENTINEL IS-MASTER-DOWN-BY-ADDR` (§10.2): our SDOWN view and, when asked, our vote.
    pub fn is_master_down_by_addr(
        &mut self,
        now: Millis,
        ip: &str,
        port: i64,
        epoch: u64,
        runid: &str,
    ) -> DownReply {
        let idx = self
            .masters
            .iter()
            .position(|m| i64::from(m.common.port) == port && self.same_host(&m.common.host, ip));
        let down = !self.tilt && idx.is_some_and(|i| self.masters[i].common.s_down_since.is_some());
        let (leader, leader_epoch) = match idx {
            Some(i) if runid != "*" => self.vote_leader(i, epoch, runid, now),
            _ => (None, 0),
        };
        DownReply {
            down,
            leader,
            leader_epoch,
        }
    }

    /// `SENTINEL SET <name> <option> <value> ...`. Options apply left to right; on the first
    /// error the earlier ones stay applied (and are persisted), as in Redis.
    pub fn set_options(
        &mut self,
        name: &str,
        args: &[&[u8]],
        is_executable: &dyn Fn(&str) -> bool,
    ) -> Result<(), AdminError> {
        let i = self
            .masters
            .iter()
            .position(|m| m.common.name == name)
            .ok_or(AdminError::NoSuchMaster)?;
        let uid = self.masters[i].common.uid;
        let mut j = 0;
        let mut result = Ok(());
        while j < args.len() {
            let option =
                String::from_utf8_lossy(args.get(j).copied().unwrap_or_default()).into_owned();
            let more = args.len() - j - 1;
            let value = |k: usize| {
                String::from_utf8_lossy(args.get(j + k).copied().unwrap_or_default()).into_owned()
            };
            let bad = |v: String| AdminError::SetBadArgument {
                value: v,
                option: option.clone(),
            };
            let positive = |v: &str| parse_i64(v.as_bytes()).filter(|&n| n > 0);
            let lower = option.to_ascii_lowercase();
            let step: Result<(usize, String), AdminError> = match lower.as_str() {
                "down-after-milliseconds" if more > 0 => {
                    let v = value(1);
                    positive(&v)
                        .map(|n| {
                            self.set_down_after(i, n as u64);
                            (1, v.clone())
                        })
                        .ok_or_else(|| bad(v))
                }
                "failover-timeout" if more > 0 => {
                    let v = value(1);
                    positive(&v)
                        .map(|n| {
                            self.masters[i].failover_timeout = n as u64;
                            (1, v.clone())
                        })
                        .ok_or_else(|| bad(v))
                }
                "parallel-syncs" if more > 0 => {
                    let v = value(1);
                    positive(&v)
                        .map(|n| {
                            self.masters[i].parallel_syncs = n;
                            (1, v.clone())
                        })
                        .ok_or_else(|| bad(v))
                }
                "quorum" if more > 0 => {
                    let v = value(1);
                    positive(&v)
                        .map(|n| {
                            self.masters[i].quorum = u32::try_from(n).unwrap_or(u32::MAX);
                            (1, v.clone())
                        })
                        .ok_or_else(|| bad(v))
                }
                // Valkey 8 spells it `primary-...`.
                "master-reboot-down-after-period" | "primary-reboot-down-after-period"
                    if more > 0 =>
                {
                    let v = value(1);
                    parse_i64(v.as_bytes())
                        .filter(|&n| n >= 0)
                        .map(|n| {
                            self.masters[i].reboot_down_after = n as u64;
                            (1, v.clone())
                        })
                        .ok_or_else(|| bad(v))
                }
                "notification-script" | "client-reconfig-script" if more > 0 => {
                    let v = value(1);
                    let notification = lower == "notification-script";
                    if self.deny_scripts_reconfig {
                        Err(AdminError::ScriptsReconfigDenied)
                    } else if !v.is_empty() && !is_executable(&v) {
                        Err(if notification {
                            AdminError::NotificationScriptNotExecutable
                        } else {
                            AdminError::ReconfigScriptNotExecutable
                        })
                    } else {
                        let slot = if notification {
                            &mut self.masters[i].notification_script
                        } else {
                            &mut self.masters[i].client_reconfig_script
                        };
                        *slot = (!v.is_empty()).then(|| v.clone());
                        Ok((1, v))
                    }
                }
                "auth-pass" | "auth-user" if more > 0 => {
                    let v = value(1);
                    let m = &mut self.masters[i];
                    let slot = if lower == "auth-pass" {
                        &mut m.auth_pass
                    } else {
                        &mut m.auth_user
                    };
                    *slot = (!v.is_empty()).then(|| v.clone());
                    self.drop_master_and_replica_links(i);
                    Ok((
                        1,
                        if lower == "auth-pass" {
                            "******".to_string()
                        } else {
                            v
                        },
                    ))
                }
                "rename-command" if more > 1 => {
                    let (old, new) = (value(1), value(2));
                    if old.is_empty() || new.is_empty() {
                        // Redis echoes the empty one.
                        Err(bad(if old.is_empty() { old } else { new }))
                    } else {
                        let m = &mut self.masters[i];
                        m.renamed_commands
                            .retain(|(from, _)| !from.eq_ignore_ascii_case(&old));
                        if !old.eq_ignore_ascii_case(&new) {
                            m.renamed_commands.push((old.clone(), new.clone()));
                        }
                        Ok((2, format!("{old} {new}")))
                    }
                }
                _ => Err(AdminError::SetUnknownOption(option.clone())),
            };
            match step {
                Ok((consumed, shown)) => {
                    self.request_save();
                    self.inst_event(
                        Level::Warning,
                        "+set",
                        InstRef::Master(uid),
                        &format!("{option} {shown}"),
                    );
                    j += consumed + 1;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        result
    }

    /// down-after-milliseconds also applies to the master's replicas and sentinels.
    fn set_down_after(&mut self, i: usize, ms: u64) {
        let m = &mut self.masters[i];
        m.common.down_after = ms;
        for r in m.replicas.iter_mut() {
            r.common.down_after = ms;
        }
        for p in m.sentinels.iter_mut() {
            p.common.down_after = ms;
        }
    }

    fn drop_master_and_replica_links(&mut self, i: usize) {
        let Some(m) = self.masters.get(i) else { return };
        let mut links = vec![m.common.link];
        links.extend(m.replicas.iter().map(|r| r.common.link));
        for l in links {
            self.close_link_conns(l);
        }
    }

    /// Drops every link to other sentinels (credentials towards them changed).
    fn drop_sentinel_links(&mut self) {
        let links: Vec<_> = self
            .masters
            .iter()
            .flat_map(|m| m.sentinels.iter().map(|p| p.common.link))
            .collect();
        for l in links {
            self.close_link_conns(l);
        }
    }

    /// Whether a master, replica or sentinel is known by a host name (not an IP address).
    fn any_host_name(&self) -> bool {
        let named = |h: &str| h.parse::<IpAddr>().is_err();
        self.masters.iter().any(|m| {
            named(&m.common.host)
                || m.replicas.iter().any(|r| named(&r.common.host))
                || m.sentinels.iter().any(|p| named(&p.common.host))
        })
    }

    /// `SENTINEL CONFIG SET <param> <value>` (7.0: one pair).
    pub fn config_set(&mut self, param: &str, value: &str) -> Result<(), AdminError> {
        let invalid = || AdminError::ConfigSetInvalidValue {
            param: param.to_string(),
            value: value.to_string(),
        };
        let yes_no = |v: &str| match v.to_ascii_lowercase().as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        match param.to_ascii_lowercase().as_str() {
            "resolve-hostnames" => {
                let yes = yes_no(value).ok_or_else(invalid)?;
                // The config would no longer load (and every save fails its check, so no
                // vote could be given): refused while an instance is named by host name.
                if !yes && self.any_host_name() {
                    return Err(invalid());
                }
                self.resolve_hostnames = yes;
            }
            "announce-hostnames" => self.announce_hostnames = yes_no(value).ok_or_else(invalid)?,
            "announce-ip" => self.announce_ip = (!value.is_empty()).then(|| value.to_string()),
            "announce-port" => {
                let p = parse_i64(value.as_bytes())
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or_else(invalid)?;
                self.announce_port = p;
            }
            "sentinel-user" => {
                self.sentinel_user = (!value.is_empty()).then(|| value.to_string());
                self.drop_sentinel_links();
            }
            "sentinel-pass" => {
                self.sentinel_pass = (!value.is_empty()).then(|| value.to_string());
                self.drop_sentinel_links();
            }
            _ => return Err(AdminError::ConfigSetInvalidParam(param.to_string())),
        }
        self.request_save();
        Ok(())
    }

    /// `SENTINEL CONFIG GET`: (name, value) in the fixed order of §4.5.
    pub fn config_pairs(&self) -> [(&'static str, String); 6] {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        [
            ("resolve-hostnames", yn(self.resolve_hostnames)),
            ("announce-hostnames", yn(self.announce_hostnames)),
            ("announce-ip", self.announce_ip.clone().unwrap_or_default()),
            ("announce-port", self.announce_port.to_string()),
            (
                "sentinel-user",
                self.sentinel_user.clone().unwrap_or_default(),
            ),
            (
                "sentinel-pass",
                self.sentinel_pass.clone().unwrap_or_default(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::parse_i64;
    use crate::config::load_str;
    use crate::sentinel::{Sentinel, Settings};

    #[test]
    fn no_failover_starts_once_a_peer_pushed_the_epoch_to_its_maximum() {
        let cfg = load_str(
            "sentinel monitor m 127.0.0.1 6379 2\nsentinel current-epoch 18446744073709551615\n",
        )
        .expect("config loads");
        let settings = Settings {
            port: 26379,
            requirepass: None,
        };
        let mut core = Sentinel::new(&cfg.sentinel, settings, 1_000, 7);
        assert_eq!(core.current_epoch, u64::MAX);
        // Was an overflow (a panic in debug builds, epoch 0 after a wrap in release).
        assert!(!core.start_failover(0, 2_000));
        assert_eq!(core.current_epoch, u64::MAX);
        assert!(core
            .masters
            .first()
            .is_some_and(|m| !m.failover_in_progress()));
    }

    #[test]
    fn integers_parse_like_redis_string2ll() {
        for (s, want) in [
            ("0", Some(0)),
            ("42", Some(42)),
            ("-7", Some(-7)),
            ("007", None),
            ("+1", None),
            (" 1", None),
            ("", None),
            ("-", None),
            ("-0", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("1x", None),
        ] {
            assert_eq!(parse_i64(s.as_bytes()), want, "{s:?}");
        }
    }
}
