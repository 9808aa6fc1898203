//! rsentinel: a Redis Sentinel in Rust, a drop-in replacement for `redis-sentinel` 7.0.
//!
//! The rooms of the house (see `ARCHITECTURE.md`):
//! - [`resp`]: the RESP wire format — zero-copy parsing and reply encoding.
//! - [`config`]: the config file — lexer, directives, load order, rewrite, atomic persistence.
//! - [`sentinel`]: the sans-IO core — instances, links, SDOWN/ODOWN, votes, failover.
//! - [`server`]: client-facing commands, pub/sub, client bookkeeping (sans-IO too).
//! - [`reactor`]: the thin mio shell that carries out the core's and server's actions.
//! - `sim` (hidden): the deterministic simulator that drives the real core through faults.

pub mod config;
pub mod glob;
pub mod reactor;
pub mod resp;
pub mod sentinel;
pub mod server;
#[doc(hidden)]
pub mod sim;
