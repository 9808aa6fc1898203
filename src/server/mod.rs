//! Client-facing side: client bookkeeping, command dispatch and replies, pub/sub.
//! Sans-IO like the core: bytes in, bytes out, no sockets; what it needs from the outside
//! world (wall clock, CPU usage, saving the config, whether a script is executable) comes
//! through [`Host`].

pub mod acl;
pub mod client;
pub mod command_docs;
pub mod command_table;
mod commands;
mod dispatch;
pub mod pubsub;
pub mod sentinel_cmd;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;

use slab::Slab;

use crate::config::LogLevel;
use crate::sentinel::{Millis, Sentinel};

pub use acl::UserDb;
pub use client::{Client, ClientId, ClientType, ReplyMode};

/// CPU seconds used by the process (INFO cpu).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuUsage {
    pub sys: f64,
    pub user: f64,
    pub sys_children: f64,
    pub user_children: f64,
}

/// Why the config could not be saved (the reply is then
/// `-ERR Failed to save config file. Check server logs.`).
#[derive(Debug)]
pub struct SaveError(pub String);

/// What the server and core need from the process around them. The reactor implements it
/// with the real clock, `getrusage` and the config file; tests and the simulator fake it.
pub trait Host {
    /// Wall-clock time in microseconds since the Unix epoch (INFO `server_time_usec`).
    fn unix_time_us(&self) -> u64;
    /// CPU usage of the process so far.
    fn cpu_usage(&self) -> CpuUsage;
    /// Rewrites the config file with the core's current state, durably, before returning.
    fn save_config(&mut self, core: &Sentinel) -> Result<(), SaveError>;
    /// Whether `path` names an executable file (script paths, `access(X_OK)`).
    fn is_executable(&self, path: &str) -> bool;
    /// Sets TLS file directives (`tls-cert-file` and friends, see
    /// [`TLS_RELOADABLE`]) together and reloads the TLS material from them; on an error
    /// nothing changes. The new values are persisted by the next config save.
    fn set_tls(&mut self, pairs: &[(String, String)]) -> Result<(), String> {
        let _ = pairs;
        Err("TLS is not available".into())
    }
    /// The `loglevel` in force.
    fn log_level(&self) -> LogLevel {
        LogLevel::Notice
    }
    /// Changes the `loglevel` at once (`SENTINEL CONFIG SET loglevel`); the next config save
    /// writes it.
    fn set_log_level(&mut self, level: LogLevel) {
        let _ = level;
    }
}

/// The TLS directives `SENTINEL CONFIG SET` changes at run time (the material is reloaded:
/// new connections use it, existing ones keep theirs).
pub const TLS_RELOADABLE: [&str; 8] = [
    "tls-cert-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
];

/// Everything one command may touch besides the client that sent it.
pub struct Ctx<'a> {
    pub core: &'a mut Sentinel,
    pub host: &'a mut dyn Host,
    pub now: Millis,
}

/// Process facts the server reports but cannot find out itself (it is sans-IO).
#[derive(Debug, Clone)]
pub struct Settings {
    /// INFO `run_id`: 40 random hex chars per process (not the sentinel myid).
    pub run_id: String,
    pub process_id: u32,
    pub tcp_port: u16,
    /// INFO `executable` and `config_file` (absolute paths).
    pub executable: String,
    pub config_file: String,
    /// INFO `os` (`uname -s -r -m`).
    pub os: String,
    /// Current timer rate (INFO `hz`; sentinel re-randomises it to 10..19).
    pub hz: u32,
    pub maxclients: u32,
    /// `requirepass`: the default user's password; `None` = nopass.
    pub requirepass: Option<Vec<u8>>,
    /// The `user` directives (rule words after `user`), applied after `requirepass`.
    pub users: Vec<Vec<String>>,
    /// `aclfile` is set (ACL LOAD/SAVE then do not answer "not configured").
    pub aclfile_configured: bool,
    /// `protected-mode yes`: refuse non-loopback clients while `default` is nopass.
    pub protected_mode: bool,
    /// Secret seed for `ACL GENPASS` (SHA-256 in counter mode, like Redis).
    pub acl_seed: [u8; 32],
    /// Generic `rename-command <old> <new>` for our own commands (`new` empty = disabled).
    pub renamed_commands: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            run_id: "0".repeat(40),
            process_id: 0,
            tcp_port: 26379,
            executable: String::new(),
            config_file: String::new(),
            os: "Linux".to_string(),
            hz: 10,
            maxclients: 10000,
            requirepass: None,
            users: Vec::new(),
            aclfile_configured: false,
            protected_mode: false,
            acl_seed: [0; 32],
            renamed_commands: Vec::new(),
        }
    }
}

/// What a non-loopback client gets in protected mode (Redis 7.0.15's text, typo included).
const PROTECTED_MODE_DENIED: &[u8] =
    b"-DENIED Redis is running in protected mode because protected \
mode is enabled and no password is set for the default user. In this mode connections are only \
accepted from the loopback interface. If you want to connect from external computers to Redis you \
may adopt one of the following solutions: 1) Just disable protected mode sending the command \
'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same \
host the server is running, however MAKE SURE Redis is not publicly accessible from internet if \
you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just \
disable the protected mode by editing the Redis configuration file, and setting the protected \
mode option to 'no', and then restarting the server. 3) If you started the server manually just \
for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication \
password for the default user. NOTE: You only need to do one of the above things in order for \
the server to start accepting connections from the outside.\r\n";

/// Redis compares the peer's text form with `127.0.0.1` and `::1` only.
trait LoopbackLiteral {
    fn is_loopback_literal(&self) -> bool;
}

impl LoopbackLiteral for std::net::IpAddr {
    fn is_loopback_literal(&self) -> bool {
        match self {
            std::net::IpAddr::V4(a) => *a == std::net::Ipv4Addr::LOCALHOST,
            std::net::IpAddr::V6(a) => *a == std::net::Ipv6Addr::LOCALHOST,
        }
    }
}

/// Counters for INFO `stats`. The reactor bumps the I/O ones; the server the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub total_error_replies: u64,
    pub rejected_connections: u64,
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    pub client_recent_max_input_buffer: u64,
    pub client_recent_max_output_buffer: u64,
}

/// All client-facing state: the connected clients, the users, counters, shutdown flag.
#[derive(Debug)]
pub struct Server {
    clients: Slab<Client>,
    next_client_id: u64,
    pub settings: Settings,
    pub stats: Stats,
    pub users: UserDb,
    pub acl_log: acl::AclLog,
    genpass_counter: u64,
    started: Millis,
    shutdown: bool,
    killed: Vec<ClientId>,
    scratch: Vec<u8>,
}

impl Server {
    /// A server started at `now` (uptime is measured from it). If any `user` rule does not
    /// apply, all `user` directives are dropped and only `default` (with `requirepass`)
    /// remains (use [`Server::try_new`] to refuse such a config instead).
    pub fn new(settings: Settings, now: Millis) -> Self {
        let users = UserDb::from_config(settings.requirepass.clone(), &settings.users)
            .unwrap_or_else(|_| UserDb::with_default_password(settings.requirepass.clone()));
        Self::with_users(settings, users, now)
    }

    /// Like [`Server::new`], but a `user` directive that cannot be applied is an error
    /// (Redis exits at startup).
    pub fn try_new(settings: Settings, now: Millis) -> Result<Self, acl::LoadError> {
        let users = UserDb::from_config(settings.requirepass.clone(), &settings.users)?;
        Ok(Self::with_users(settings, users, now))
    }

    fn with_users(settings: Settings, users: UserDb, now: Millis) -> Self {
        Server {
            clients: Slab::new(),
            next_client_id: 1,
            settings,
            stats: Stats::default(),
            users,
            acl_log: acl::AclLog::default(),
            genpass_counter: 0,
            started: now,
            shutdown: false,
            killed: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Registers a new connection and returns its handle (the slab key).
    pub fn accept(&mut self, now: Millis, peer: SocketAddr, local: SocketAddr) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.stats.total_connections_received += 1;
        let authenticated = !self.users.auth_required_by_default();
        let key = self
            .clients
            .insert(Client::new(id, now, peer, local, authenticated));
        if self.settings.protected_mode
            && self.users.default_is_nopass()
            && !peer.ip().is_loopback_literal()
        {
            self.stats.rejected_connections += 1;
            if let Some(c) = self.clients.get_mut(key) {
                c.output.extend_from_slice(PROTECTED_MODE_DENIED);
                c.close_after_reply = true;
            }
        }
        ClientId(key)
    }

    /// Closes client `id` because of something client `me` did: `me` itself after its
    /// reply, another client at once (its pending output is dropped).
    pub(crate) fn disconnect(&mut self, id: ClientId, me: ClientId) {
        let Some(c) = self.clients.get_mut(id.0) else {
            return;
        };
        c.close_after_reply = true;
        if id != me {
            c.output.clear();
            if !self.killed.contains(&id) {
                self.killed.push(id);
            }
        }
    }

    /// `n` random lower-case hex characters: SHA-256 of the secret seed and a counter.
    pub(crate) fn random_hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n + 64);
        while out.len() < n {
            let mut block = self.settings.acl_seed.to_vec();
            block.extend_from_slice(&self.genpass_counter.to_le_bytes());
            self.genpass_counter = self.genpass_counter.wrapping_add(1);
            for b in crate::config::sha256::sha256(&block) {
                out.push_str(&format!("{b:02x}"));
            }
        }
        out.truncate(n);
        out
    }

    /// Runs one command from client `id`; the reply lands in that client's output buffer.
    pub fn execute(&mut self, id: ClientId, args: &[&[u8]], ctx: &mut Ctx) {
        dispatch::execute(self, id, args, ctx);
    }

    /// The client's pending output. The reactor writes from it and drains what was sent.
    /// An unknown id yields an empty scratch buffer (never a panic).
    pub fn output(&mut self, id: ClientId) -> &mut Vec<u8> {
        match self.clients.get_mut(id.0) {
            Some(c) => &mut c.output,
            None => {
                self.scratch.clear();
                &mut self.scratch
            }
        }
    }

    /// Whether the client must be closed once its output is flushed.
    pub fn close_requested(&self, id: ClientId) -> bool {
        self.clients.get(id.0).is_some_and(|c| c.close_after_reply)
    }

    /// Other clients disconnected (`CLIENT KILL`, or their user deleted or changed by
    /// `ACL DELUSER`/`SETUSER`) since the last call: close them now, without
    /// flushing (their output was already discarded).
    pub fn take_killed(&mut self) -> Vec<ClientId> {
        std::mem::take(&mut self.killed)
    }

    /// Forgets a closed connection.
    pub fn remove(&mut self, id: ClientId) -> Option<Client> {
        self.clients.try_remove(id.0)
    }

    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(id.0)
    }

    pub fn client_mut(&mut self, id: ClientId) -> Option<&mut Client> {
        self.clients.get_mut(id.0)
    }

    /// Records the file descriptor shown by `CLIENT LIST`.
    pub fn set_fd(&mut self, id: ClientId, fd: i64) {
        if let Some(c) = self.clients.get_mut(id.0) {
            c.fd = fd;
        }
    }

    /// Delivers an event to SUBSCRIBE/PSUBSCRIBE clients; returns how many got it.
    pub fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        pubsub::publish(self, channel, message)
    }

    /// `SHUTDOWN` was accepted: the shell should exit (sentinel never saves).
    pub fn shutdown_requested(&self) -> bool {
        self.shutdown
    }

    pub fn connected_clients(&self) -> usize {
        self.clients.len()
    }

    /// Clients with output waiting in the server or a pending close, in slab order: the
    /// ones the shell must flush after a step (idle clients cost one check each).
    pub fn clients_to_flush(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients
            .iter()
            .filter(|(_, c)| !c.output.is_empty() || c.close_after_reply)
            .map(|(k, _)| ClientId(k))
    }

    /// Handles of every connected client, in slab order.
    pub fn client_ids(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients.iter().map(|(k, _)| ClientId(k))
    }

    /// Milliseconds since the server started.
    pub fn uptime_ms(&self, now: Millis) -> Millis {
        now.saturating_sub(self.started)
    }
}
