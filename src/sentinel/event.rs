//! Sentinel events (§6): each is logged, published on the channel named by its type, and —
//! at warning level, about an instance — handed to that master's notification script.

/// Log levels, in Redis's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Verbose,
    Notice,
    Warning,
}

/// One event, formatted as Redis formats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub level: Level,
    /// The event type, e.g. `+sdown`: also the pub/sub channel.
    pub kind: &'static str,
    /// The payload, e.g. `master mymaster 127.0.0.1 6379`.
    pub text: String,
}

impl Event {
    /// Debug-level events are logged but never published.
    pub fn is_published(&self) -> bool {
        self.level != Level::Debug
    }
}

/// The `%@` instance prefix: `<kind> <name> <ip> <port>` and, for a replica or sentinel,
/// ` @ <master-name> <master-ip> <master-port>`.
pub fn instance_prefix(
    kind: &str,
    name: &str,
    host: &str,
    port: u16,
    master: Option<(&str, &str, u16)>,
) -> String {
    match master {
        None => format!("{kind} {name} {host} {port}"),
        Some((mname, mhost, mport)) => {
            format!("{kind} {name} {host} {port} @ {mname} {mhost} {mport}")
        }
    }
}
