//! Client-facing side: client bookkeeping, command dispatch and replies, pub/sub.
//! Sans-IO like the core: bytes in, bytes out, no sockets; what it needs from the outside
//! world (wall clock, CPU usage, saving the config) comes through [`Host`].

pub mod sentinel_cmd;

use crate::sentinel::{Millis, Sentinel};

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
