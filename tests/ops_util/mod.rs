//! Helpers for the `ops_*` tests: runs `rsentinel` (or `redis-sentinel`) with a chosen
//! environment and command line, in its own temp dir, killed by pid on drop (and, for a
//! daemonized process, by the pid its pid file names).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::proc::{pid_alive, probe_ping, tail};
use crate::common::Kind;

/// A started sentinel process.
pub struct Sentinel {
    pub child: Option<Child>,
    pub dir: PathBuf,
    pub port: u16,
    /// A daemonized process's pid, killed on drop too.
    pub daemon_pid: Option<u32>,
}

/// A fresh temp dir for one test process.
pub fn temp_dir(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join("rsentinel-test").join(format!(
        "{}-ops-{label}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

impl Sentinel {
    /// Writes `config` to `<dir>/sentinel.conf` and runs `<kind> sentinel.conf <args>` in
    /// `dir` with `env` added, stdout/stderr to `<dir>/out.txt`. Does not wait for readiness.
    pub fn spawn(kind: Kind, config: &str, port: u16, args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = temp_dir(if kind == Kind::RSentinel {
            "rs"
        } else {
            "redis"
        });
        fs::write(dir.join("sentinel.conf"), config).expect("write config");
        let out = fs::File::create(dir.join("out.txt")).expect("create out.txt");
        let err = out.try_clone().expect("dup");
        let mut cmd = Command::new(kind.program());
        cmd.arg(dir.join("sentinel.conf"))
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn sentinel");
        Sentinel {
            child: Some(child),
            dir,
            port,
            daemon_pid: None,
        }
    }

    /// Waits (bounded) until PING is answered.
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !probe_ping(self.port) {
            assert!(
                Instant::now() < deadline,
                "sentinel on {} not ready; output:\n{}\nlog:\n{}",
                self.port,
                self.output(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn output(&self) -> String {
        fs::read_to_string(self.dir.join("out.txt")).unwrap_or_default()
    }

    /// `<dir>/log.txt` when the config logs there.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("log.txt")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("running")
    }

    pub fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) on our own unreaped child.
        let rc = unsafe { libc::kill(self.pid() as libc::pid_t, sig) };
        assert_eq!(rc, 0);
    }

    /// Waits (bounded) for the child to exit; its exit code (None on timeout or by signal).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let c = self.child.as_mut()?;
            if let Ok(Some(st)) = c.try_wait() {
                self.child = None;
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(pid) = self.daemon_pid {
            if pid_alive(pid) {
                // SAFETY: kill(2) on the daemon this test started (its pid file named it).
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGKILL);
                }
            }
        }
        if std::thread::panicking() {
            eprintln!(
                "--- output ---\n{}\n--- log tail ---\n{}",
                self.output(),
                tail(&self.dir.join("log.txt"), 30)
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Minimal sentinel config on `port`, monitoring a master that may not exist.
pub fn basic_conf(port: u16, master_port: u16) -> String {
    format!("port {port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {master_port} 1\n")
}

/// Reads a file that may not exist yet.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}
