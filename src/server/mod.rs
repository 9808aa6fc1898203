//! Client-facing side: client bookkeeping, command dispatch and replies, pub/sub.
//! Sans-IO like the core: bytes in, bytes out, no sockets; what it needs from the outside
//! world (wall clock, CPU usage, saving the config) comes through [`Host`].

pub mod client;
pub mod command_docs;
pub mod command_table;
mod commands;
mod dispatch;
pub mod pubsub;
pub mod sentinel_cmd;
#[cfg(test)]
mod tests;
pub mod users;

use std::net::SocketAddr;

use slab::Slab;

use crate::sentinel::{Millis, Sentinel};

pub use client::{Client, ClientId, ClientType, ReplyMode};
pub use users::UserDb;

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
}

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
    started: Millis,
    shutdown: bool,
    killed: Vec<ClientId>,
    scratch: Vec<u8>,
}

impl Server {
    /// A server started at `now` (uptime is measured from it).
    pub fn new(settings: Settings, now: Millis) -> Self {
        let users = UserDb::with_default_password(settings.requirepass.clone());
        Server {
            clients: Slab::new(),
            next_client_id: 1,
            settings,
            stats: Stats::default(),
            users,
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
        ClientId(
            self.clients
                .insert(Client::new(id, now, peer, local, authenticated)),
        )
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

    /// Other clients killed by `CLIENT KILL` since the last call: close them now, without
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
