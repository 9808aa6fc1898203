//! Free loopback ports that do not collide between parallel tests (threads of one test binary)
//! nor between parallel test binaries (separate processes, other worktrees, other engineers).
//!
//! Strategy:
//! - ports come from 20000..32700, below Linux's ephemeral range (32768..60999), so the
//!   outgoing connections of the servers we start never steal a port we handed out;
//! - a process-wide registry never hands the same port out twice in one process;
//! - across processes, a port is owned through an exclusive `flock` on
//!   `$TMPDIR/rsentinel-test-ports/<port>.lock`, held until this process exits (the kernel
//!   drops it even on SIGKILL, so no stale reservations);
//! - finally the port must be bindable right now on 127.0.0.1 and 0.0.0.0, which skips ports
//!   used by anything else (e.g. a redis-server listening on `*`).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

const FIRST: u16 = 20000;
const LAST: u16 = 32700;

struct Registry {
    taken: HashSet<u16>,
    /// Lock files held for the life of the process.
    locks: Vec<File>,
    next: u16,
}

fn registry() -> &'static Mutex<Registry> {
    static REG: OnceLock<Mutex<Registry>> = OnceLock::new();
    REG.get_or_init(|| {
        // Start at a pseudo-random place so that parallel binaries rarely contend.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let seed = (std::process::id().wrapping_mul(7919)) ^ nanos;
        let span = u32::from(LAST - FIRST);
        Mutex::new(Registry {
            taken: HashSet::new(),
            locks: Vec::new(),
            next: FIRST + (seed % span) as u16,
        })
    })
}

fn lock_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("rsentinel-test-ports");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Path of the lock file that owns `port` across processes.
pub fn lock_path(port: u16) -> PathBuf {
    lock_dir().join(format!("{port}.lock"))
}

/// Try to take an exclusive, non-blocking flock on the port's lock file.
pub fn try_lock(port: u16) -> Option<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(port))
        .ok()?;
    // SAFETY: flock on a valid open fd; no memory is passed.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    (rc == 0).then_some(file)
}

/// True if nothing listens on `port` right now (checked on 127.0.0.1 and the wildcard).
pub fn bindable(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok() && TcpListener::bind(("0.0.0.0", port)).is_ok()
}

/// One free loopback port, reserved for the rest of this process's life.
pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `n` free loopback ports (not necessarily consecutive), reserved for the rest of this
/// process's life. Panics if the range is exhausted.
pub fn free_ports(n: usize) -> Vec<u16> {
    let mut reg = registry().lock().unwrap_or_else(|p| p.into_inner());
    let span = usize::from(LAST - FIRST);
    let mut out = Vec::with_capacity(n);
    let mut tried = 0usize;
    while out.len() < n {
        assert!(
            tried < span,
            "no free test port left in {FIRST}..{LAST} (taken by this process: {})",
            reg.taken.len()
        );
        tried += 1;
        let port = reg.next;
        reg.next = if port + 1 >= LAST { FIRST } else { port + 1 };
        if reg.taken.contains(&port) {
            continue;
        }
        let Some(lock) = try_lock(port) else { continue };
        if !bindable(port) {
            continue; // drop the lock: someone outside our scheme uses it
        }
        reg.taken.insert(port);
        reg.locks.push(lock);
        out.push(port);
    }
    out
}

/// `n` consecutive free ports `base..base+n`, all reserved for the rest of this process's
/// life (for fixtures that number instances from a base port).
pub fn free_port_block(n: u16) -> u16 {
    assert!(n > 0 && n < 100, "unreasonable port block size {n}");
    let mut reg = registry().lock().unwrap_or_else(|p| p.into_inner());
    let span = usize::from(LAST - FIRST);
    for _ in 0..span {
        let base = reg.next;
        reg.next = if base + n >= LAST { FIRST } else { base + n };
        if base + n > LAST {
            continue;
        }
        let mut locks = Vec::new();
        for port in base..base + n {
            if reg.taken.contains(&port) {
                break;
            }
            match try_lock(port) {
                Some(l) if bindable(port) => locks.push(l),
                _ => break,
            }
        }
        if locks.len() == usize::from(n) {
            reg.taken.extend(base..base + n);
            reg.locks.extend(locks);
            return base;
        }
    }
    panic!("no block of {n} consecutive free test ports in {FIRST}..{LAST}");
}
