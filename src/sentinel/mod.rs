//! The sans-IO sentinel core: instances, links, SDOWN/ODOWN, votes, epochs, the failover
//! state machine, replica selection, hello and INFO processing.
//!
//! It never touches a socket, the clock or a random source. The shell feeds it [`Input`]s
//! with the current time; it queues [`Action`]s and per-connection output bytes that the
//! shell carries out. The same code runs under the mio reactor and under the simulator.
//!
//! Replies only update state; decisions are made in the tick ([`Sentinel::handle`] with
//! [`Input::Tick`]), as in sentinel.c — except where the fast path acts on a reply at once.

pub mod event;
pub mod hello;
pub mod idmap;
pub mod info;
pub mod instance;
pub mod link;
pub mod rng;
pub mod timing;
pub mod wire_check;
#[cfg(test)]
mod wire_tests;

#[cfg(test)]
mod abort_tests;
pub mod admin;
mod announce;
mod build;
pub mod durability;
mod failover;
mod failover_select;
mod info_apply;
mod monitor;
pub mod quorum;
mod replies;
mod schedule;
pub mod scripts;
pub mod select;
#[doc(hidden)]
pub mod switches;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use slab::Slab;

pub use event::{Event, Level};
pub use instance::{FailoverState, Master, Peer, Replica, Role};
pub use link::{ConnKind, LinkId};
pub use timing::Timing;

use crate::resp::{parse_frame, Frame, ProtocolError};
use idmap::IdMap;
use link::Link;
use rng::Rng;

/// Milliseconds on the shell's monotonic clock (virtual in the simulator).
pub type Millis = u64;

/// One outgoing connection attempt. Never reused, so a late event for a closed
/// connection can never be mistaken for one on its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// What happened outside the core.
#[derive(Debug)]
pub enum Input<'a> {
    /// The periodic timer fired (sentinel.c's `sentinelTimer`).
    Tick,
    /// An outgoing connection is established; `local_ip` is our side's address.
    Connected { conn: ConnId, local_ip: String },
    /// An outgoing connection failed or was closed (by the peer, an error, or us).
    Closed { conn: ConnId },
    /// An outgoing connection failed for a reason worth naming (a TLS handshake error):
    /// a `-cmd-link-reconnection` / `-pubsub-link-reconnection` debug event names it, then
    /// as [`Input::Closed`].
    Failed { conn: ConnId, error: String },
    /// One complete reply or push frame arrived on a connection.
    Frame { conn: ConnId, frame: &'a Frame<'a> },
}

/// What the core asks the shell to do. Output bytes are not actions: the shell collects
/// them with [`Sentinel::drain_output`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a TCP connection and report [`Input::Connected`] or [`Input::Closed`] for it.
    Connect {
        conn: ConnId,
        host: String,
        port: u16,
    },
    /// Close a connection; no [`Input::Closed`] is expected for it.
    Close { conn: ConnId },
    /// Log the event and publish it to subscribed clients.
    Event(Event),
    /// Exit the process at once with this code (`SENTINEL SIMULATE-FAILURE`).
    Exit(i32),
    /// Spawn `argv[0]` with `argv` (no shell); report with [`Sentinel::script_started`] and
    /// [`Sentinel::script_exited`].
    RunScript { id: u64, argv: Vec<String> },
    /// SIGKILL the process of job `id`.
    KillScript { id: u64 },
}

/// Process-level settings the core needs but does not persist.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Our listening port: announced in hellos unless `announce-port` is set.
    pub port: u16,
    /// Our own `requirepass`, used towards peers when no `sentinel-pass` is set.
    pub requirepass: Option<String>,
}

/// Which instance a reply or event refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstRef {
    Master(u64),
    Replica { master: u64, replica: u64 },
    Sentinel { master: u64, sentinel: u64 },
}

/// Flags for `SENTINEL SIMULATE-FAILURE`.
pub const SIMFAILURE_CRASH_AFTER_ELECTION: u8 = 1;
pub const SIMFAILURE_CRASH_AFTER_PROMOTION: u8 = 2;

/// The sentinel core.
#[derive(Debug)]
pub struct Sentinel {
    pub myid: String,
    pub current_epoch: u64,
    pub announce_ip: Option<String>,
    pub announce_port: u16,
    pub deny_scripts_reconfig: bool,
    pub sentinel_user: Option<String>,
    pub sentinel_pass: Option<String>,
    pub resolve_hostnames: bool,
    pub announce_hostnames: bool,
    pub settings: Settings,
    pub timing: Timing,
    /// Monitored masters in config order.
    pub masters: Vec<Master>,
    pub tilt: bool,
    pub tilt_start_time: Millis,
    pub simulate_failure: u8,
    /// Simulator-only switches (injected bugs, jitter overrides); default off.
    #[doc(hidden)]
    pub test_switches: switches::TestSwitches,
    previous_time: Option<Millis>,
    links: Slab<Link>,
    link_owner: IdMap<usize, InstRef>,
    conns: IdMap<ConnId, (LinkId, ConnKind)>,
    next_conn: u64,
    next_uid: u64,
    rng: Rng,
    actions: VecDeque<Action>,
    /// Output bytes per connection, waiting for [`Sentinel::drain_output`].
    output: IdMap<ConnId, Vec<u8>>,
    dirty: Vec<ConnId>,
    save_requested: bool,
    /// The shell took a save request and has not reported it with `save_finished` yet.
    save_in_flight: bool,
    save_health: durability::SaveHealth,
    /// Votes waiting for their save (see [`durability`]).
    unsaved_votes: Vec<durability::UnsavedVote>,
    /// Masters whose vote requests waited for a save (sent, forced, once it worked).
    deferred_asks: Vec<u64>,
    scripts: scripts::Scripts,
    /// Master uid → index in `masters` (rebuilt when a master is removed).
    master_index: IdMap<u64, usize>,
    /// Host names and the IP the shell last connected to for each (see `announce`).
    resolved: Vec<(String, std::net::IpAddr)>,
    /// When a refused hello was last logged as a warning.
    last_refusal_warning: Option<Millis>,
    /// Reused buffer for hello payloads.
    scratch: Vec<u8>,
}

impl Sentinel {
    /// The next action for the shell, if any.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Hands every connection's queued output bytes to `f`, leaving the buffers empty.
    pub fn drain_output(&mut self, mut f: impl FnMut(ConnId, &[u8])) {
        for conn in self.dirty.drain(..) {
            if let Some(buf) = self.output.get_mut(&conn) {
                if !buf.is_empty() {
                    f(conn, buf);
                    buf.clear();
                }
            }
        }
    }

    /// True once since the last call if the persisted state changed and the config file
    /// must be rewritten. The shell saves it before any reply leaves the process, so a
    /// vote is on disk before the peer that asked for it hears of it, and reports the
    /// outcome with [`Sentinel::save_finished`].
    pub fn take_save_request(&mut self) -> bool {
        let take = std::mem::take(&mut self.save_requested);
        self.save_in_flight |= take;
        take
    }

    pub fn request_save(&mut self) {
        self.save_requested = true;
    }

    /// Processes one input at time `now`.
    pub fn handle(&mut self, now: Millis, input: Input<'_>) {
        match input {
            Input::Tick => self.timer(now),
            Input::Connected { conn, local_ip } => self.on_connected(now, conn, local_ip),
            Input::Closed { conn } => self.on_closed(conn),
            Input::Failed { conn, error } => self.on_failed(conn, &error),
            Input::Frame { conn, frame } => self.on_frame(now, conn, frame),
        }
    }

    /// Reply bytes that arrived on `conn`: every complete frame at the start of `buf` is
    /// handled, in order. Returns how many bytes that consumed (the rest is an incomplete
    /// frame, to be kept until more arrives), or the error that makes the connection
    /// unusable (the frames before it were handled; the caller closes the connection).
    pub fn handle_reply_bytes(
        &mut self,
        now: Millis,
        conn: ConnId,
        buf: &[u8],
    ) -> Result<usize, ProtocolError> {
        let mut pos = 0;
        while let Some((frame, n)) = parse_frame(buf.get(pos..).unwrap_or_default())? {
            self.on_frame(now, conn, &frame);
            pos += n;
        }
        Ok(pos)
    }

    /// Names of the monitored masters, in reply order.
    pub fn master_names(&self) -> impl Iterator<Item = &str> {
        self.masters.iter().map(|m| m.common.name.as_str())
    }

    pub fn master(&self, name: &str) -> Option<&Master> {
        self.masters.iter().find(|m| m.common.name == name)
    }

    pub fn master_mut(&mut self, name: &str) -> Option<&mut Master> {
        self.masters.iter_mut().find(|m| m.common.name == name)
    }

    fn master_idx_by_uid(&self, uid: u64) -> Option<usize> {
        self.master_index
            .get(&uid)
            .copied()
            .filter(|&i| self.masters.get(i).is_some_and(|m| m.common.uid == uid))
    }

    fn master_by_uid(&self, uid: u64) -> Option<&Master> {
        self.master_idx_by_uid(uid)
            .and_then(|i| self.masters.get(i))
    }

    fn master_by_uid_mut(&mut self, uid: u64) -> Option<&mut Master> {
        self.master_idx_by_uid(uid)
            .and_then(|i| self.masters.get_mut(i))
    }

    /// The link an instance uses.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id.0)
    }

    fn event(&mut self, level: Level, kind: &'static str, text: String) {
        self.actions
            .push_back(Action::Event(Event { level, kind, text }));
    }

    fn next_uid(&mut self) -> u64 {
        self.next_uid += 1;
        self.next_uid
    }
}
