//! The mio shell: listeners, client and instance sockets, the timer wheel, signals, scripts.

pub mod timer;
