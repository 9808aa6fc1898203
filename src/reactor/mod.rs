//! The mio shell: listeners, client and instance sockets, the timer wheel, signals, scripts,
//! client limits, service-manager notification, daemonizing. It carries out what the sans-IO
//! core and server decide and feeds them what happens: bytes become parsed requests or reply
//! frames, readiness becomes connects and closes, time becomes ticks. Nothing here decides
//! anything about sentinel state.

pub mod daemon;
pub mod limits;
pub mod logging;
pub mod net;
pub mod notify;
pub mod scripts;
pub mod signals;
pub mod timer;
pub mod tls;
pub mod transport;

mod event_loop;

pub use event_loop::{Reactor, ReactorConfig, SaveFn};
pub use limits::ClientLimits;
