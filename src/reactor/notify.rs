//! systemd's service notification protocol (`sd_notify(3)`), written by hand: one datagram
//! per message to the unix socket named by `$NOTIFY_SOCKET` (a path, or `@name` for an
//! abstract socket). rsentinel sends `READY=1` once the config is loaded and the listeners
//! are up, `STATUS=<summary>` whenever the summary changes, `WATCHDOG=1` every half of
//! `$WATCHDOG_USEC`, and `STOPPING=1` on shutdown.
//!
//! Which mode applies follows the `supervised` directive as Redis 7.0 reads it: `systemd`
//! needs `$NOTIFY_SOCKET` (a warning otherwise), `auto` picks systemd when `$NOTIFY_SOCKET`
//! is set, `no` ignores the environment. `upstart` (Redis's `SIGSTOP` handshake) is handled
//! in `main`.
//!
//! Unlike Redis (which calls `sd_notify(0, …)`), the variables are **unset** once read, as
//! `sd_notify(1, …)` / `sd_watchdog_enabled(1, …)` do: notification and reconfig scripts are
//! our children and must not inherit a socket that speaks for the service. `WATCHDOG_PID`,
//! when set, must be our pid (otherwise the watchdog is someone else's, as in libsystemd).

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

use crate::config::Supervised;
use crate::sentinel::Sentinel;

/// Why `$NOTIFY_SOCKET` cannot be used.
#[derive(Debug)]
pub enum NotifyError {
    /// Neither an absolute path nor `@abstract`.
    BadAddress(String),
    /// Creating the socket or building the address failed.
    Io(io::Error),
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::BadAddress(a) => write!(f, "unsupported NOTIFY_SOCKET address '{a}'"),
            NotifyError::Io(e) => write!(f, "NOTIFY_SOCKET: {e}"),
        }
    }
}

impl std::error::Error for NotifyError {}

/// The notification variables of the environment, read (and removed) once at startup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyEnv {
    pub socket: Option<OsString>,
    pub watchdog_usec: Option<String>,
    pub watchdog_pid: Option<String>,
}

impl NotifyEnv {
    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID` and unsets them. Call while the
    /// process is still single-threaded.
    pub fn take() -> NotifyEnv {
        let get = |k: &str| {
            let v = std::env::var_os(k);
            std::env::remove_var(k);
            v
        };
        NotifyEnv {
            socket: get("NOTIFY_SOCKET").filter(|s| !s.is_empty()),
            watchdog_usec: get("WATCHDOG_USEC").map(|v| v.to_string_lossy().into_owned()),
            watchdog_pid: get("WATCHDOG_PID").map(|v| v.to_string_lossy().into_owned()),
        }
    }

    /// Whether this process is supervised by systemd under `mode` (Redis `redisIsSupervised`).
    pub fn systemd_mode(&self, mode: Supervised) -> bool {
        match mode {
            Supervised::Systemd | Supervised::Auto => self.socket.is_some(),
            Supervised::No | Supervised::Upstart => false,
        }
    }

    /// Watchdog period in microseconds, if the watchdog is enabled for process `pid`.
    pub fn watchdog_usec(&self, pid: u32) -> Option<u64> {
        let usec = self.watchdog_usec.as_deref()?.trim().parse::<u64>().ok()?;
        if usec == 0 {
            return None;
        }
        match self.watchdog_pid.as_deref() {
            Some(p) if p.trim().parse::<u32>().ok() != Some(pid) => None,
            _ => Some(usec),
        }
    }
}

/// Parses a `$NOTIFY_SOCKET` value.
fn parse_addr(raw: &OsString) -> Result<SocketAddr, NotifyError> {
    let bytes = raw.as_bytes();
    match bytes.first() {
        Some(b'@') => SocketAddr::from_abstract_name(bytes.get(1..).unwrap_or_default())
            .map_err(NotifyError::Io),
        Some(b'/') => SocketAddr::from_pathname(raw).map_err(NotifyError::Io),
        _ => Err(NotifyError::BadAddress(raw.to_string_lossy().into_owned())),
    }
}

/// An open notification channel to the service manager.
#[derive(Debug)]
pub struct Notifier {
    sock: UnixDatagram,
    addr: SocketAddr,
    watchdog_usec: Option<u64>,
    last_status: String,
}

impl Notifier {
    /// Opens the channel `env` names; `None` when there is none.
    pub fn open(env: &NotifyEnv, pid: u32) -> Result<Option<Notifier>, NotifyError> {
        let Some(raw) = env.socket.as_ref() else {
            return Ok(None);
        };
        let addr = parse_addr(raw)?;
        let sock = UnixDatagram::unbound().map_err(NotifyError::Io)?;
        Ok(Some(Notifier {
            sock,
            addr,
            watchdog_usec: env.watchdog_usec(pid),
            last_status: String::new(),
        }))
    }

    /// Sends one message (`KEY=value` lines). Failures are logged at debug level only: the
    /// service manager going away must not stop the sentinel.
    pub fn send(&self, msg: &str) {
        if let Err(e) = self.sock.send_to_addr(msg.as_bytes(), &self.addr) {
            log::debug!("sd_notify '{}' failed: {e}", msg.trim_end());
        }
    }

    pub fn ready(&self) {
        self.send("READY=1\n");
    }

    pub fn stopping(&self) {
        self.send("STOPPING=1\n");
    }

    pub fn watchdog(&self) {
        self.send("WATCHDOG=1\n");
    }

    /// Sends `STATUS=<line>` if it differs from the last one sent.
    pub fn status(&mut self, line: &str) {
        if line != self.last_status {
            self.send(&format!("STATUS={line}\n"));
            self.last_status = line.to_string();
        }
    }

    /// How often to send `WATCHDOG=1` (half the period systemd gave), in ms (at least 1).
    pub fn watchdog_interval_ms(&self) -> Option<u64> {
        self.watchdog_usec.map(|us| (us / 2000).max(1))
    }
}

/// The one-line summary for `STATUS=`: `masters:1 odown:0 failovers-in-progress:0 tilt:0`,
/// followed by ` config-save:failing` while the config cannot be saved (no vote is given
/// then).
pub fn status_line(core: &Sentinel) -> String {
    let odown = core
        .masters
        .iter()
        .filter(|m| m.o_down_since.is_some())
        .count();
    let failovers = core
        .masters
        .iter()
        .filter(|m| m.failover_in_progress())
        .count();
    let save = if core.save_failing() {
        " config-save:failing"
    } else {
        ""
    };
    format!(
        "masters:{} odown:{odown} failovers-in-progress:{failovers} tilt:{}{save}",
        core.masters.len(),
        u8::from(core.tilt)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(sock: Option<&str>, usec: Option<&str>, pid: Option<&str>) -> NotifyEnv {
        NotifyEnv {
            socket: sock.map(OsString::from),
            watchdog_usec: usec.map(str::to_string),
            watchdog_pid: pid.map(str::to_string),
        }
    }

    #[test]
    fn supervised_mode_follows_the_directive_and_the_socket() {
        let with = env(Some("/run/x"), None, None);
        let without = env(None, None, None);
        assert!(with.systemd_mode(Supervised::Systemd));
        assert!(with.systemd_mode(Supervised::Auto));
        assert!(!with.systemd_mode(Supervised::No));
        assert!(!with.systemd_mode(Supervised::Upstart));
        assert!(!without.systemd_mode(Supervised::Systemd));
        assert!(!without.systemd_mode(Supervised::Auto));
    }

    #[test]
    fn watchdog_needs_a_positive_period_and_our_pid() {
        assert_eq!(
            env(None, Some("200000"), None).watchdog_usec(7),
            Some(200_000)
        );
        assert_eq!(
            env(None, Some("200000"), Some("7")).watchdog_usec(7),
            Some(200_000)
        );
        assert_eq!(env(None, Some("200000"), Some("8")).watchdog_usec(7), None);
        assert_eq!(env(None, Some("0"), None).watchdog_usec(7), None);
        assert_eq!(env(None, Some("x"), None).watchdog_usec(7), None);
        assert_eq!(env(None, None, None).watchdog_usec(7), None);
    }

    #[test]
    fn addresses_are_paths_or_abstract_names() {
        assert!(parse_addr(&OsString::from("/run/systemd/notify")).is_ok());
        assert!(parse_addr(&OsString::from("@abstract")).is_ok());
        assert!(matches!(
            parse_addr(&OsString::from("relative")),
            Err(NotifyError::BadAddress(_))
        ));
    }

    #[test]
    fn status_says_when_the_config_cannot_be_saved() {
        let cfg =
            crate::config::load_str("sentinel monitor m 127.0.0.1 6379 1\n").expect("config loads");
        let mut core = Sentinel::new(&cfg.sentinel, Default::default(), 0, 1);
        let ok = "masters:1 odown:0 failovers-in-progress:0 tilt:0";
        assert_eq!(status_line(&core), ok);
        core.save_finished(5, Err("No space left on device"));
        assert_eq!(status_line(&core), format!("{ok} config-save:failing"));
        core.save_finished(6, Ok(()));
        assert_eq!(status_line(&core), ok);
    }

    #[test]
    fn status_is_sent_only_when_it_changes() {
        let dir = std::env::temp_dir().join(format!("rsentinel-notify-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("n.sock");
        let _ = std::fs::remove_file(&path);
        let rx = UnixDatagram::bind(&path).expect("bind a unix datagram socket in the temp dir");
        rx.set_nonblocking(true).expect("nonblocking");
        let e = env(path.to_str(), Some("1000000"), None);
        let Ok(Some(mut n)) = Notifier::open(&e, 1) else {
            panic!("notifier did not open");
        };
        assert_eq!(n.watchdog_interval_ms(), Some(500));
        n.status("a");
        n.status("a");
        n.status("b");
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(k) = rx.recv(&mut buf) {
            got.push(String::from_utf8_lossy(buf.get(..k).unwrap_or_default()).into_owned());
        }
        assert_eq!(got, vec!["STATUS=a\n", "STATUS=b\n"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
