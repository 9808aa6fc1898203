//! `sentinel ...` config lines (§4.1): which load pass each belongs to, and how each one
//! changes the [`SentinelConfig`] being built, with Redis 7.0.15's exact error for each failure.

use std::net::IpAddr;
use std::path::Path;

use super::error::DirectiveError;
use super::model::{KnownSentinel, MasterConfig, SentinelConfig};
use super::num::{c_atoi, c_strtoull, yes_no};

/// Sentinel lines are applied in three passes (§4.2): globals, then `monitor`, then the rest.
pub fn pass_of(directive: &str) -> usize {
    const GLOBALS: [&str; 9] = [
        "announce-ip",
        "announce-port",
        "deny-scripts-reconfig",
        "sentinel-user",
        "sentinel-pass",
        "current-epoch",
        "myid",
        "resolve-hostnames",
        "announce-hostnames",
    ];
    if GLOBALS.iter().any(|g| g.eq_ignore_ascii_case(directive)) {
        0
    } else if directive.eq_ignore_ascii_case("monitor") {
        1
    } else {
        2
    }
}

/// Sentinel directives another program spells differently, as (7.0 name, other name): the
/// other spelling loads as the 7.0 one, and a line written in it is rewritten in it, so the
/// file stays loadable by the program that wrote it. Lines added anew use the 7.0 name.
pub const SPELLINGS: &[(&str, &str)] = &[(
    "master-reboot-down-after-period",
    "primary-reboot-down-after-period",
)];

/// The 7.0 name of a sentinel directive (lower case), whichever spelling it is given in.
pub fn sentinel_directive_name(name: &str) -> &str {
    SPELLINGS
        .iter()
        .find(|(_, other)| *other == name)
        .map_or(name, |(canonical, _)| canonical)
}

/// `host:port`, or `[host]:port` for an IPv6 address (Redis `anetFormatAddr`), the key under
/// which Redis detects duplicate replicas.
pub fn format_addr(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Redis `createSentinelAddr` checks: port in 0..=65535, host an IP address unless
/// `resolve-hostnames yes` (names are then resolved later, by the core, never while loading).
fn check_addr(cfg: &SentinelConfig, host: &str, port: &str) -> Result<u16, DirectiveError> {
    let port = u16::try_from(c_atoi(port)).map_err(|_| DirectiveError::InvalidPort)?;
    if !cfg.resolve_hostnames && host.parse::<IpAddr>().is_err() {
        return Err(DirectiveError::CantResolve);
    }
    Ok(port)
}

/// Where script paths are checked for execute permission.
#[derive(Debug, Clone, Copy)]
pub enum ScriptCheck<'a> {
    /// Relative to the process's current directory.
    Cwd,
    /// Relative to this directory (the one Redis has `chdir`ed to while loading).
    From(&'a Path),
    /// Not checked (verifying our own rewrite: a script removed since must not block saves).
    Skip,
}

/// `access(path, X_OK)` as `check` says.
pub fn is_executable(path: &str, check: ScriptCheck<'_>) -> bool {
    let base = match check {
        ScriptCheck::Skip => return true,
        ScriptCheck::Cwd => None,
        ScriptCheck::From(b) => Some(b),
    };
    let full = match base {
        Some(b) if !path.starts_with('/') => b.join(path),
        _ => Path::new(path).to_path_buf(),
    };
    let Ok(c) = std::ffi::CString::new(full.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}

fn master<'a>(
    cfg: &'a mut SentinelConfig,
    name: &str,
) -> Result<&'a mut MasterConfig, DirectiveError> {
    cfg.masters
        .iter_mut()
        .find(|m| m.name == name)
        .ok_or(DirectiveError::NoSuchMaster)
}

fn positive_ms(v: &str) -> Result<u64, DirectiveError> {
    u64::try_from(c_atoi(v))
        .ok()
        .filter(|v| *v > 0)
        .ok_or(DirectiveError::NonPositiveTime)
}

/// Applies one `sentinel` line (`argv` without the leading `sentinel`). Script paths are checked
/// for execute permission relative to `base`.
pub fn apply(
    cfg: &mut SentinelConfig,
    argv: &[String],
    base: ScriptCheck<'_>,
) -> Result<(), DirectiveError> {
    use DirectiveError as E;
    let Some((dir, args)) = argv.split_first() else {
        return Err(E::UnrecognizedSentinel);
    };
    let d = dir.to_ascii_lowercase();
    let d = sentinel_directive_name(&d).to_string();
    match (d.as_str(), args) {
        ("monitor", [name, host, port, quorum]) => {
            let quorum = u32::try_from(c_atoi(quorum))
                .ok()
                .filter(|q| *q > 0)
                .ok_or(E::QuorumTooLow)?;
            let port = check_addr(cfg, host, port)?;
            if cfg.masters.iter().any(|m| m.name == *name) {
                return Err(E::DuplicateMaster);
            }
            cfg.masters
                .push(MasterConfig::new(name, host, port, quorum));
        }
        ("down-after-milliseconds", [name, ms]) => {
            let m = master(cfg, name)?;
            m.down_after_ms = positive_ms(ms)?;
        }
        ("failover-timeout", [name, ms]) => {
            let m = master(cfg, name)?;
            m.failover_timeout_ms = positive_ms(ms)?;
        }
        ("parallel-syncs", [name, n]) => master(cfg, name)?.parallel_syncs = i64::from(c_atoi(n)),
        ("notification-script", [name, path]) => {
            let m = master(cfg, name)?;
            if !is_executable(path, base) {
                return Err(E::NotificationScript);
            }
            m.notification_script = Some(path.clone());
        }
        ("client-reconfig-script", [name, path]) => {
            let m = master(cfg, name)?;
            if !is_executable(path, base) {
                return Err(E::ClientReconfigScript);
            }
            m.client_reconfig_script = Some(path.clone());
        }
        ("auth-pass", [name, pass]) => master(cfg, name)?.auth_pass = Some(pass.clone()),
        ("auth-user", [name, user]) => master(cfg, name)?.auth_user = Some(user.clone()),
        ("current-epoch", [e]) => cfg.current_epoch = cfg.current_epoch.max(c_strtoull(e)),
        ("myid", [id]) => {
            if id.len() != 40 {
                return Err(E::MalformedMyid);
            }
            cfg.myid = Some(id.clone());
        }
        ("config-epoch", [name, e]) => {
            let m = master(cfg, name)?;
            m.config_epoch = c_strtoull(e);
            let e = m.config_epoch;
            cfg.current_epoch = cfg.current_epoch.max(e);
        }
        ("leader-epoch", [name, e]) => master(cfg, name)?.leader_epoch = c_strtoull(e),
        ("known-slave" | "known-replica", [name, host, port]) => {
            master(cfg, name)?;
            let port = check_addr(cfg, host, port)?;
            let m = master(cfg, name)?;
            let key = format_addr(host, port);
            if m.known_replicas
                .iter()
                .any(|(h, p)| format_addr(h, *p) == key)
            {
                return Err(E::DuplicateReplica);
            }
            m.known_replicas.push((host.clone(), port));
        }
        ("known-sentinel", [_, _, _]) => {} // the old form without a run id is ignored
        ("known-sentinel", [name, host, port, runid]) => {
            master(cfg, name)?;
            let port = check_addr(cfg, host, port)?;
            let m = master(cfg, name)?;
            if m.known_sentinels.iter().any(|s| s.runid == *runid) {
                return Err(E::DuplicateSentinel);
            }
            m.known_sentinels.push(KnownSentinel {
                host: host.clone(),
                port,
                runid: runid.clone(),
            });
        }
        ("rename-command", [name, old, new]) => {
            let m = master(cfg, name)?;
            if m.renamed_commands
                .iter()
                .any(|(o, _)| o.eq_ignore_ascii_case(old))
            {
                return Err(E::DuplicateRename);
            }
            m.renamed_commands.push((old.clone(), new.clone()));
        }
        ("announce-ip", [ip]) => {
            if !ip.is_empty() {
                cfg.announce_ip = Some(ip.clone());
            }
        }
        // Redis keeps any int; a port outside 0..=65535 cannot be announced, so it is unset.
        ("announce-port", [p]) => cfg.announce_port = u16::try_from(c_atoi(p)).unwrap_or(0),
        ("deny-scripts-reconfig", [v]) => {
            cfg.deny_scripts_reconfig = yes_no(v).ok_or(E::DenyScriptsReconfig)?
        }
        ("sentinel-user", [u]) => {
            if !u.is_empty() {
                cfg.sentinel_user = Some(u.clone());
            }
        }
        ("sentinel-pass", [p]) => {
            if !p.is_empty() {
                cfg.sentinel_pass = Some(p.clone());
            }
        }
        ("resolve-hostnames", [v]) => {
            cfg.resolve_hostnames = yes_no(v).ok_or(E::ResolveHostnames)?
        }
        ("announce-hostnames", [v]) => {
            cfg.announce_hostnames = yes_no(v).ok_or(E::AnnounceHostnames)?
        }
        ("master-reboot-down-after-period", [name, ms]) => {
            let m = master(cfg, name)?;
            m.master_reboot_down_after_ms =
                u64::try_from(c_atoi(ms)).map_err(|_| E::NegativeTime)?;
        }
        _ => return Err(E::UnrecognizedSentinel),
    }
    Ok(())
}
