//! The poll loop. Per readiness event: read, hand complete requests to the server and
//! complete reply frames to the core; after each batch of events (and after the timers
//! that fired): carry out the core's actions, save the config if the core asked (before any reply leaves the process), and
//! flush output. Client connections live in `clients`, outgoing instance connections in
//! `outbound`, client limits in `client_limits`.

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use mio::net::TcpListener;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};
use slab::Slab;

use super::limits::ClientLimits;
use super::logging;
use super::net::{self, ReadOutcome};
use super::notify::{self, Notifier};
use super::scripts::ScriptRunner;
use super::signals::{self, SignalPipe};
use super::timer::TimerWheel;
use super::tls::{self, TlsContext, TlsSettings};
use super::transport::Transport;
use crate::config::LogLevel;
use crate::sentinel::idmap::IdMap;
use crate::sentinel::scripts::ScriptExit;
use crate::sentinel::{Action, ConnId, Input, Level, Millis, Sentinel};
use crate::server::{ClientId, CpuUsage, Host, SaveError, Server};

mod client_limits;
mod clients;
mod outbound;

use clients::ClientTable;

const SIGNAL_TOKEN: Token = Token(1 << 20);
const WAKER_TOKEN: Token = Token((1 << 20) + 1);
const CLIENT_BASE: usize = 1 << 32;
const OUT_BASE: usize = 1 << 48;
/// Bytes read from one client per readiness event before others get a turn.
const READ_BUDGET: usize = 1 << 20;
/// Reply frames from instances larger than this close the connection.
const MAX_INSTANCE_BUFFER: usize = 64 << 20;
/// Period of the client checks (idle `timeout`, soft output-buffer limits).
const CLIENTS_CRON_MS: u64 = 1000;

/// Reads what a socket holds into `buf` (at most [`READ_BUDGET`] bytes); a socket that hit
/// the budget is queued under `token` to be read again on the next loop iteration, since an
/// edge-triggered poll will not report the bytes it still holds.
fn read_socket(
    stream: &mut Transport,
    buf: &mut Vec<u8>,
    scratch: &mut [u8],
    read_again: &mut Vec<usize>,
    token: usize,
    hangup: bool,
) -> ReadOutcome {
    let outcome = stream.read_available(buf, scratch, READ_BUDGET, hangup);
    if matches!(outcome, ReadOutcome::Budget(_)) {
        read_again.push(token);
    }
    outcome
}

/// Asks for writable events only while output is pending (`*watching` tracks what the
/// poller was last told, so the `epoll_ctl` happens only on a change).
fn watch_writable(
    poll: &Poll,
    stream: &mut Transport,
    token: usize,
    watching: &mut bool,
    pending: bool,
) {
    if pending == *watching {
        return;
    }
    *watching = pending;
    let interest = if pending {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::READABLE
    };
    let _ = poll
        .registry()
        .reregister(stream.sock_mut(), Token(token), interest);
}

/// Saves the core's state to the config file, with the live ACL users as `user` lines and
/// the generic directives changed at run time (`tls-cert-file` and friends, `loglevel`) as
/// given.
pub type SaveFn =
    Box<dyn FnMut(&Sentinel, &[String], &[(String, String)]) -> Result<(), SaveError>>;

/// What the shell needs from the config besides the core and server themselves.
pub struct ReactorConfig {
    pub listeners: Vec<TcpListener>,
    /// `tls-port` listeners (their clients speak TLS).
    pub tls_listeners: Vec<TcpListener>,
    /// The `tls-*` directives (kept to read the files again on reload).
    pub tls_settings: TlsSettings,
    /// The configured TLS material, when TLS is enabled.
    pub tls: Option<TlsContext>,
    pub bind_source: Option<IpAddr>,
    pub tcp_keepalive: u64,
    pub maxclients: usize,
    /// `timeout`: close clients idle for longer than this many seconds (0 = never).
    pub timeout_secs: u64,
    /// `client-output-buffer-limit`.
    pub limits: ClientLimits,
    /// The service manager's notification channel, when supervised by systemd.
    pub notifier: Option<Notifier>,
    pub save: SaveFn,
}

struct ShellHost {
    save: SaveFn,
    /// The server's users as `user ...` config lines, refreshed whenever a user changes.
    user_lines: Vec<String>,
    /// The `tls-*` directives (kept to read the files again on reload).
    tls_settings: TlsSettings,
    /// The TLS material new connections are made with, when TLS is enabled.
    tls: Option<TlsContext>,
    /// Generic directives set at run time (TLS files, `loglevel`), for the config rewrite.
    runtime_directives: Vec<(String, String)>,
}

impl ShellHost {
    /// Reads the TLS certificates, keys and CA again (`why` names the trigger in the log).
    /// New connections use the new material; existing ones keep theirs. On any error the
    /// material in use stays, and the error is returned.
    fn reload_tls(&mut self, settings: TlsSettings, why: &str) -> Result<(), String> {
        if !settings.enabled() {
            self.tls_settings = settings;
            return Ok(());
        }
        match tls::configure(&settings) {
            Ok(c) => {
                for n in &c.notices {
                    log::info!("{n}");
                }
                self.tls = Some(c.context);
                self.tls_settings = settings;
                log::info!("TLS certificates, keys and CA reloaded ({why})");
                Ok(())
            }
            Err(e) => {
                log::warn!("TLS reload ({why}) refused, the previous material stays in use: {e}");
                Err(e.to_string())
            }
        }
    }
}

impl Host for ShellHost {
    fn unix_time_us(&self) -> u64 {
        signals::unix_time_us()
    }
    fn cpu_usage(&self) -> CpuUsage {
        signals::cpu_usage()
    }
    fn save_config(&mut self, core: &Sentinel) -> Result<(), SaveError> {
        (self.save)(core, &self.user_lines, &self.runtime_directives)
    }
    fn set_tls(&mut self, pairs: &[(String, String)]) -> Result<(), String> {
        let mut s = self.tls_settings.clone();
        for (k, v) in pairs {
            s.set_file(k, v);
        }
        let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        self.reload_tls(s, &format!("SENTINEL CONFIG SET {}", names.join(" ")))?;
        for (k, v) in pairs {
            self.runtime_directives.retain(|(o, _)| o != k);
            self.runtime_directives.push((k.clone(), v.clone()));
        }
        Ok(())
    }
    fn log_level(&self) -> LogLevel {
        LogLevel::parse(super::logging::level()).unwrap_or(LogLevel::Notice)
    }
    fn set_log_level(&mut self, level: LogLevel) {
        super::logging::set_level(level.name());
        self.runtime_directives.retain(|(o, _)| o != "loglevel");
        self.runtime_directives
            .push(("loglevel".to_string(), level.name().to_string()));
    }
    fn is_executable(&self, path: &str) -> bool {
        let Ok(c) = std::ffi::CString::new(path) else {
            return false;
        };
        // SAFETY: c is a valid NUL-terminated string for access(2).
        unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
    }
}

struct OutSock {
    conn: ConnId,
    stream: Transport,
    /// The instance's host name when it has one (TLS server name indication).
    host: Option<String>,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
    wpos: usize,
    established: bool,
    want_write: bool,
    /// Further resolved addresses to try if this connect fails.
    fallback: Vec<SocketAddr>,
}

enum Timer {
    Tick,
    /// `WATCHDOG=1` to systemd.
    Watchdog,
    /// Idle and soft-limit checks of clients.
    ClientsCron,
}

/// The running process: sockets around a core and a server.
pub struct Reactor {
    poll: Poll,
    listeners: Vec<TcpListener>,
    /// Listeners from this index on are `tls-port` ones.
    first_tls_listener: usize,
    clients: ClientTable,
    outs: Slab<OutSock>,
    by_conn: IdMap<ConnId, usize>,
    pub core: Sentinel,
    pub server: Server,
    host: ShellHost,
    signals: SignalPipe,
    timers: TimerWheel<Timer>,
    scripts: ScriptRunner,
    resolve_tx: mpsc::Sender<(ConnId, String, u16)>,
    resolve_rx: mpsc::Receiver<(ConnId, String, Vec<SocketAddr>)>,
    /// Bytes the core queued for connections whose host name is still being resolved.
    resolving: IdMap<ConnId, Vec<u8>>,
    /// Connections that failed: reported to the core as closed (or failed, with the TLS
    /// error) after the current pass.
    deferred: Vec<(ConnId, Option<String>)>,
    bind_source: Option<IpAddr>,
    tcp_keepalive: u64,
    maxclients: usize,
    timeout_secs: u64,
    limits: ClientLimits,
    notifier: Option<Notifier>,
    shutdown: bool,
    /// The one buffer every socket read goes through (zeroed once, not per read).
    scratch: Box<[u8]>,
    /// Sockets (by token) that hit the read budget: read again on the next iteration, since
    /// an edge-triggered poll will not report the data they still hold.
    read_again: Vec<usize>,
    /// Instance connections given output in this pass (kept to reuse its allocation).
    to_flush: Vec<usize>,
}

impl Reactor {
    pub fn new(core: Sentinel, server: Server, cfg: ReactorConfig) -> io::Result<Reactor> {
        let poll = Poll::new()?;
        let mut listeners = cfg.listeners;
        let first_tls_listener = listeners.len();
        listeners.extend(cfg.tls_listeners);
        for (i, l) in listeners.iter_mut().enumerate() {
            poll.registry().register(l, Token(i), Interest::READABLE)?;
        }
        let signals = SignalPipe::install()?;
        poll.registry().register(
            &mut SourceFd(&signals.read_fd),
            SIGNAL_TOKEN,
            Interest::READABLE,
        )?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER_TOKEN)?);
        let (resolve_tx, rx) = mpsc::channel::<(ConnId, String, u16)>();
        let (tx, resolve_rx) = mpsc::channel();
        // Host names are resolved off the loop thread: a slow resolver never delays replies.
        std::thread::Builder::new()
            .name("resolver".into())
            .spawn(move || {
                for (conn, host, port) in rx {
                    // Every address, IPv4 first: `localhost` often lists ::1 first while
                    // servers listen on 127.0.0.1 only.
                    let mut addrs: Vec<SocketAddr> = (host.as_str(), port)
                        .to_socket_addrs()
                        .map(Iterator::collect)
                        .unwrap_or_default();
                    addrs.sort_by_key(|a| a.is_ipv6());
                    if tx.send((conn, host, addrs)).is_err() {
                        break;
                    }
                    let _ = waker.wake();
                }
            })?;
        let now = signals::monotonic_ms();
        let user_lines = server.users.config_lines();
        let mut timers = TimerWheel::new(now);
        timers.insert(now, Timer::Tick);
        timers.insert(now + CLIENTS_CRON_MS, Timer::ClientsCron);
        if let Some(ms) = cfg
            .notifier
            .as_ref()
            .and_then(Notifier::watchdog_interval_ms)
        {
            timers.insert(now, Timer::Watchdog);
            log::info!("systemd watchdog enabled: WATCHDOG=1 every {ms} ms");
        }
        Ok(Reactor {
            poll,
            listeners,
            first_tls_listener,
            clients: ClientTable::default(),
            outs: Slab::new(),
            by_conn: IdMap::default(),
            core,
            server,
            host: ShellHost {
                save: cfg.save,
                user_lines,
                tls_settings: cfg.tls_settings,
                tls: cfg.tls,
                runtime_directives: Vec::new(),
            },
            signals,
            timers,
            scripts: ScriptRunner::default(),
            resolve_tx,
            resolve_rx,
            resolving: IdMap::default(),
            deferred: Vec::new(),
            bind_source: cfg.bind_source,
            tcp_keepalive: cfg.tcp_keepalive,
            maxclients: cfg.maxclients,
            timeout_secs: cfg.timeout_secs,
            limits: cfg.limits,
            notifier: cfg.notifier,
            shutdown: false,
            scratch: vec![0u8; net::READ_CHUNK].into_boxed_slice(),
            read_again: Vec::new(),
            to_flush: Vec::new(),
        })
    }

    /// Runs until SIGTERM/SIGINT or SHUTDOWN. Returns the exit code.
    pub fn run(&mut self) -> i32 {
        let mut events = Events::with_capacity(1024);
        self.after_core(signals::monotonic_ms());
        if let Some(n) = self.notifier.as_mut() {
            n.status(&notify::status_line(&self.core));
            n.ready();
        }
        loop {
            let now = signals::monotonic_ms();
            let timeout = if self.read_again.is_empty() {
                self.timers
                    .next_deadline()
                    .map(|d| Duration::from_millis(d.saturating_sub(now)))
            } else {
                Some(Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    log::warn!("poll failed: {e}");
                    return 1;
                }
            }
            // One clock read and one pass over actions/saves/flushes per batch of events.
            let now = signals::monotonic_ms();
            for ev in events.iter() {
                let token = ev.token();
                if token == SIGNAL_TOKEN {
                    self.on_signals();
                } else if token == WAKER_TOKEN {
                    self.on_resolved(now);
                } else if token.0 < self.listeners.len() {
                    self.accept(token.0, now);
                } else {
                    // An error or hang-up (a refused connect reports only EPOLLERR|EPOLLHUP)
                    // must reach the read/write paths, which then see the failure.
                    let broken = ev.is_error() || ev.is_read_closed() || ev.is_write_closed();
                    let readable = ev.is_readable() || broken;
                    let writable = ev.is_writable() || broken;
                    self.on_socket_event(token.0, readable, writable, broken, now);
                }
                if self.shutdown {
                    break;
                }
            }
            for token in std::mem::take(&mut self.read_again) {
                self.on_socket_event(token, true, false, false, now);
            }
            self.after_core(now);
            let now = signals::monotonic_ms();
            while let Some(t) = self.timers.poll_expired(now) {
                match t {
                    Timer::Tick => {
                        for (id, exit) in self.scripts.reap() {
                            self.core.script_exited(now, id, exit);
                        }
                        self.core.handle(now, Input::Tick);
                        let at = self.core.next_tick_at(now);
                        self.timers.insert(at, Timer::Tick);
                        if let Some(n) = self.notifier.as_mut() {
                            n.status(&notify::status_line(&self.core));
                        }
                    }
                    Timer::Watchdog => {
                        if let Some(n) = &self.notifier {
                            n.watchdog();
                            if let Some(ms) = n.watchdog_interval_ms() {
                                self.timers.insert(now + ms, Timer::Watchdog);
                            }
                        }
                    }
                    Timer::ClientsCron => {
                        self.clients_cron(now);
                        // Connections left queued when accept failed (out of descriptors).
                        for idx in 0..self.listeners.len() {
                            self.accept(idx, now);
                        }
                        self.timers
                            .insert(now + CLIENTS_CRON_MS, Timer::ClientsCron);
                    }
                }
            }
            self.after_core(now);
            if self.shutdown || self.server.shutdown_requested() {
                // The caller removes the pid file and says goodbye; sentinel never saves here.
                log::warn!("User requested shutdown...");
                if let Some(n) = &self.notifier {
                    n.stopping();
                }
                return 0;
            }
        }
    }

    fn on_signals(&mut self) {
        for sig in self.signals.drain() {
            match sig {
                libc::SIGTERM | libc::SIGINT => {
                    let name = if sig == libc::SIGTERM {
                        "SIGTERM"
                    } else {
                        "SIGINT"
                    };
                    logging::signal_handler_line(&format!(
                        "Received {name} scheduling shutdown..."
                    ));
                    self.shutdown = true;
                }
                libc::SIGHUP => {
                    match logging::reopen() {
                        Ok(()) => log::info!("Received SIGHUP, log file reopened"),
                        Err(e) => log::warn!("Received SIGHUP, can't reopen the log file: {e}"),
                    }
                    if self.host.tls.is_some() {
                        let settings = self.host.tls_settings.clone();
                        let _ = self.host.reload_tls(settings, "SIGHUP");
                    }
                }
                _ => {}
            }
        }
    }

    /// Carries out the core's actions, persists if asked, then flushes every output.
    fn after_core(&mut self, now: Millis) {
        // A save can release held votes, whose step may queue more actions and another
        // save: a few rounds, then the output.
        for _ in 0..4 {
            self.carry_out_actions(now);
            if !self.persist_if_requested() {
                break;
            }
        }
        self.carry_out_actions(now);
        // Only now may replies leave: a vote is on disk before the peer hears of it.
        self.flush_core_output();
    }

    fn carry_out_actions(&mut self, now: Millis) {
        loop {
            for (conn, error) in std::mem::take(&mut self.deferred) {
                match error {
                    None => self.core.handle(now, Input::Closed { conn }),
                    Some(error) => self.core.handle(now, Input::Failed { conn, error }),
                }
            }
            let Some(action) = self.core.poll_action() else {
                break;
            };
            match action {
                Action::Connect { conn, host, port } => self.connect(conn, &host, port),
                Action::Close { conn } => self.close_out(conn),
                Action::Event(ev) => {
                    let line = format!("{} {}", ev.kind, ev.text);
                    match ev.level {
                        Level::Debug => log::trace!("{line}"),
                        Level::Verbose => log::debug!("{line}"),
                        Level::Notice => log::info!("{line}"),
                        Level::Warning => log::warn!("{line}"),
                    }
                    if ev.is_published() {
                        self.server.publish(ev.kind.as_bytes(), ev.text.as_bytes());
                    }
                }
                Action::Exit(code) => {
                    // As sentinel.c, which flushes the config when it votes and before
                    // +promoted-slave: the state that led to the crash point is saved first.
                    self.persist_if_requested();
                    log::warn!("Sentinel is simulating a failure: exiting with code {code}");
                    std::process::exit(code);
                }
                Action::RunScript { id, argv } => match self.scripts.spawn(id, &argv) {
                    Some(pid) => self.core.script_started(id, pid),
                    None => self.core.script_exited(now, id, ScriptExit::SpawnFailed),
                },
                Action::KillScript { id } => self.scripts.kill(id),
            }
        }
    }

    fn flush_core_output(&mut self) {
        // The core's bytes go straight into each connection's buffer (no copy in between);
        // the sockets are written after.
        let (resolving, by_conn, outs) = (&mut self.resolving, &self.by_conn, &mut self.outs);
        let to_flush = &mut self.to_flush;
        self.core.drain_output(|conn, bytes| {
            if let Some(held) = resolving.get_mut(&conn) {
                held.extend_from_slice(bytes);
            } else if let Some(&key) = by_conn.get(&conn) {
                if let Some(o) = outs.get_mut(key) {
                    o.wbuf.extend_from_slice(bytes);
                }
                to_flush.push(key);
            } else {
                log::debug!(
                    "dropping {} bytes for unknown connection {}",
                    bytes.len(),
                    conn.0
                );
            }
        });
        let mut to_flush = std::mem::take(&mut self.to_flush);
        for key in to_flush.drain(..) {
            self.flush_out(key);
        }
        self.to_flush = to_flush;
        // Only clients with new output (or a close to carry out): flushing all of them after
        // every event made accepting N connections cost O(N^2) (5,000 connections stalled
        // the loop for seconds, into TILT). Output the kernel did not take yet is flushed
        // on the socket's writable event.
        let ids: Vec<ClientId> = self.server.clients_to_flush().collect();
        for id in ids {
            self.flush_client(id);
        }
        for id in self.server.take_killed() {
            self.close_client(id);
        }
    }

    fn on_socket_event(
        &mut self,
        token: usize,
        readable: bool,
        writable: bool,
        hangup: bool,
        now: Millis,
    ) {
        if token >= OUT_BASE {
            self.on_out_event(token - OUT_BASE, readable, writable, hangup, now);
        } else if token >= CLIENT_BASE {
            self.on_client_event(token - CLIENT_BASE, readable, writable, hangup, now);
        }
    }

    /// Saves the config if the core asked, and tells it how that went; true if it saved
    /// (or tried). Called before any bytes leave the process, so a vote is on disk before
    /// the peer that asked for it can read the reply.
    fn persist_if_requested(&mut self) -> bool {
        if !self.core.take_save_request() {
            return false;
        }
        let now = signals::monotonic_ms();
        let result = self.host.save_config(&self.core);
        if let Err(e) = &result {
            log::warn!(
                "WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
                e.0
            );
        }
        self.core
            .save_finished(now, result.as_ref().map(|_| ()).map_err(|e| e.0.as_str()));
        true
    }
}
