//! The sans-IO sentinel core: instances, links, SDOWN/ODOWN, votes, epochs, the failover
//! state machine, replica selection, hello and INFO processing.
//!
//! It never touches a socket, the clock or a random source. The shell feeds it [`Input`]s
//! with the current time; it queues [`Action`]s and per-connection output bytes that the
//! shell carries out. The same code runs under the mio reactor and under the simulator.

pub mod hello;
pub mod info;

/// Milliseconds on the shell's monotonic clock (virtual in the simulator).
pub type Millis = u64;

/// One outgoing connection attempt. Never reused, so a late event for a closed
/// connection can never be mistaken for one on its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// The sentinel core. (Skeleton: filled in by the monitoring work.)
#[derive(Debug, Default)]
pub struct Sentinel {
    masters: Vec<String>,
}

impl Sentinel {
    /// Names of the monitored masters, in reply order.
    pub fn master_names(&self) -> impl Iterator<Item = &str> {
        self.masters.iter().map(String::as_str)
    }
}
