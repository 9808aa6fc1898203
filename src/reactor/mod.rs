//! The mio shell: listeners, client and instance sockets, the timer wheel, signals, scripts.
//! It carries out what the sans-IO core and server decide and feeds them what happens:
//! bytes become parsed requests or reply frames, readiness becomes connects and closes,
//! time becomes ticks. Nothing here decides anything about sentinel state.

pub mod logging;
pub mod net;
pub mod scripts;
pub mod signals;
pub mod timer;

mod event_loop;

pub use event_loop::{ObufLimit, Reactor, ReactorConfig, SaveFn};
