//! Process-level chores around the loop, as Redis 7.0 does them: `daemonize yes` (fork, the
//! parent exits 0, the child starts a new session and points stdin/stdout/stderr at
//! `/dev/null`), the `pidfile` (written after daemonizing, removed on a clean exit), and
//! upstart's readiness handshake (`SIGSTOP` to oneself).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where the pid goes when `daemonize yes` and no `pidfile` is configured (Redis writes
/// `/var/run/redis.pid`; ours is named after us).
pub const DEFAULT_PIDFILE: &str = "/var/run/rsentinel.pid";

/// Forks into the background. Returns in the child only; the parent exits with status 0.
/// Must be called while the process is single-threaded (before the reactor starts).
pub fn daemonize() -> io::Result<()> {
    // SAFETY: fork(2) in a single-threaded process; the child continues normally.
    match unsafe { libc::fork() } {
        -1 => return Err(io::Error::last_os_error()),
        0 => {}
        // SAFETY: _exit(2) ends the parent at once, without running destructors or atexit
        // handlers that belong to the child now.
        _ => unsafe { libc::_exit(0) },
    }
    // SAFETY: setsid(2) has no memory-safety preconditions.
    unsafe {
        libc::setsid();
    }
    let null = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    use std::os::fd::AsRawFd;
    for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO, libc::STDERR_FILENO] {
        // SAFETY: dup2(2) onto the standard descriptors from a valid open fd.
        if unsafe { libc::dup2(null.as_raw_fd(), fd) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A written pid file, removed by [`PidFile::remove`].
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Writes `<pid>\n` to `path` (relative to the current directory, i.e. `dir`).
    pub fn create(path: &Path) -> io::Result<PidFile> {
        let path = std::path::absolute(path)?;
        fs::write(&path, format!("{}\n", std::process::id()))?;
        Ok(PidFile { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Deletes the file (errors ignored, as Redis does).
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Upstart's handshake: stop ourselves so that upstart knows we are ready, then forget the
/// job variable. Returns false (nothing done) when `UPSTART_JOB` is not set.
pub fn upstart_handshake() -> bool {
    if std::env::var_os("UPSTART_JOB").is_none() {
        return false;
    }
    // SAFETY: raise(3) with a valid signal number.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    std::env::remove_var("UPSTART_JOB");
    true
}
