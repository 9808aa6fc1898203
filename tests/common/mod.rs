//! Shared test harness: real processes, free ports, an independent RESP client, and
//! differential comparison against Debian's `redis-sentinel`.
//!
//! Used by every integration test file through `mod common;`. Not every file uses every
//! helper, hence the `dead_code` allowance.
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! #[test]
//! fn sentinel_reports_the_master_address() {
//!     let master = RedisServer::master();                    // real redis-server, free port
//!     let conf = SentinelConf::new()
//!         .port(free_port())
//!         .monitor("mymaster", "127.0.0.1", master.port(), 1)
//!         .down_after(1000);
//!     let s = RSentinel::start(&conf);                        // or RedisSentinel::start
//!     let mut c = s.client();
//!     wait_until(Duration::from_secs(5), "master known", || {
//!         c.cmd(&["SENTINEL", "MASTER", "mymaster"]).field("flags").as_deref() == Some("master")
//!     });
//! }   // every process is SIGKILLed and reaped here, even if the test panicked
//!
//! #[test]
//! fn masters_reply_matches_redis_sentinel() {
//!     let pair = Pair::mymaster();                            // same config under both
//!     pair.wait_settled("mymaster");
//!     let (mut a, mut b) = pair.clients();                    // reference, candidate
//!     same_reply(&mut a, &mut b, &["SENTINEL", "MASTERS"], &Mask::instance());
//! }
//! ```
#![allow(dead_code, unused_imports)]

pub mod client;
pub mod compare;
pub mod delay;
pub mod group;
pub mod ports;
pub mod proc;
pub mod tls;

use std::time::{Duration, Instant};

pub use client::{Client, Value};
pub use compare::{same_info, same_raw, same_reply, same_set, Mask, Pair};
pub use delay::DelayProxy;
pub use group::{Group, SentinelSpec};
pub use ports::{free_port, free_port_block, free_ports};
pub use proc::{
    run_python, wait_replica_link_up, Kind, Proc, RSentinel, RedisSentinel, RedisServer,
    SentinelConf,
};

/// Poll `cond` every 20 ms until it holds; false if `timeout` passes first.
pub fn poll_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Poll `cond` until it holds; panic naming `what` if `timeout` passes first.
#[track_caller]
pub fn wait_until(timeout: Duration, what: &str, cond: impl FnMut() -> bool) {
    if !poll_until(timeout, cond) {
        panic!("timed out after {timeout:?} waiting for {what}");
    }
}

/// One field of `INFO <section>` from a server, or `None` if it cannot be reached.
pub fn redis_info_field(port: u16, section: &str, field: &str) -> Option<String> {
    let mut c = Client::try_connect(port).ok()?;
    let v = c.cmd(&["INFO", section]);
    let text = v.as_str()?;
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| *k == field)
        .map(|(_, v)| v.trim().to_string())
}
