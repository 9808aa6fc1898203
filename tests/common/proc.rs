//! Real processes for tests: `redis-server`, Debian's `redis-sentinel`, and our `rsentinel`.
//!
//! Every process runs in its own temp dir (config + `log.txt`), is probed with an inline PING
//! until it answers (bounded), and is killed by PID (SIGKILL + waitpid) when its [`Proc`] is
//! dropped — also while unwinding from a panic, in which case the tail of its log is printed
//! so the failing test's output shows what the process said.
//!
//! Safety net for a test binary that is itself killed: children are spawned from one
//! long-lived spawner thread with `PR_SET_PDEATHSIG = SIGKILL`, so they die with the test
//! process (the death signal is tied to the spawning *thread*, hence the dedicated thread: a
//! test may start processes from short-lived threads of its own).
//!
//! Environment:
//! - `RSENTINEL_TEST_KEEP=1`: keep temp dirs (paths are printed) for debugging.
//! - `RSENTINEL_BIN=/path`: run this binary instead of the freshly built `rsentinel`.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::client::Client;
use super::ports::free_port;

/// How long a process may take to answer its first PING.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a [`Proc`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    RedisServer,
    /// Debian's `redis-sentinel` 7.0.15 (the reference).
    RedisSentinel,
    /// Our binary.
    RSentinel,
}

impl Kind {
    pub fn program(self) -> PathBuf {
        match self {
            Kind::RedisServer => PathBuf::from("redis-server"),
            Kind::RedisSentinel => PathBuf::from("redis-sentinel"),
            Kind::RSentinel => std::env::var_os("RSENTINEL_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_rsentinel"))),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::RedisServer => "redis-server",
            Kind::RedisSentinel => "redis-sentinel",
            Kind::RSentinel => "rsentinel",
        }
    }
}

type SpawnJob = (Command, mpsc::Sender<io::Result<Child>>);

fn spawner() -> &'static Mutex<mpsc::Sender<SpawnJob>> {
    static TX: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    TX.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("test-process-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("start spawner thread");
        Mutex::new(tx)
    })
}

/// Spawn `cmd` so that the child gets SIGKILL when this test process dies.
fn spawn_tied(mut cmd: Command) -> io::Result<Child> {
    // SAFETY: prctl is async-signal-safe; the closure touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send((cmd, tx))
        .expect("spawner thread alive");
    rx.recv().expect("spawner thread answers")
}

fn keep_dirs() -> bool {
    std::env::var_os("RSENTINEL_TEST_KEEP").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Remove leftovers of test processes that died without cleaning up (SIGKILLed test
/// binaries): dirs named `<pid>-...` whose pid is gone and that are older than an hour (so
/// dirs kept with `RSENTINEL_TEST_KEEP` survive a while). Runs once per process.
fn prune_stale_dirs(root: &Path) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let Ok(entries) = fs::read_dir(root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600));
            if old && pid != std::process::id() && !pid_alive(pid) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    });
}

fn new_temp_dir(label: &str, port: u16) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    prune_stale_dirs(&std::env::temp_dir().join("rsentinel-test"));
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir()
        .join("rsentinel-test")
        .join(format!("{}-{n}-{label}-{port}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Last `n` lines of a file (empty if unreadable).
pub fn tail(path: &Path, n: usize) -> String {
    let Ok(text) = fs::read(path) else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// One started process, killed on drop.
pub struct Proc {
    kind: Kind,
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    config_path: PathBuf,
    log_path: PathBuf,
    extra_args: Vec<String>,
    /// Readiness probe replacing the inline PING (a TLS-only process answers no plaintext).
    probe: Option<fn(u16) -> bool>,
}

impl fmt::Debug for Proc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pid={:?} port={} dir={}",
            self.kind.label(),
            self.child.as_ref().map(|c| c.id()),
            self.port,
            self.dir.display()
        )
    }
}

impl Proc {
    /// Write `config` to `<tempdir>/<config_name>` and run `<program> <config> <extra_args>`
    /// in that dir; wait until it answers PING on `port`.
    pub fn spawn(
        kind: Kind,
        config_name: &str,
        config: &str,
        port: u16,
        extra_args: &[&str],
    ) -> Proc {
        Self::spawn_probed(kind, config_name, config, port, extra_args, None)
    }

    /// [`Proc::spawn`] with readiness judged by `probe(port)` instead of an inline PING.
    pub fn spawn_probed(
        kind: Kind,
        config_name: &str,
        config: &str,
        port: u16,
        extra_args: &[&str],
        probe: Option<fn(u16) -> bool>,
    ) -> Proc {
        let dir = new_temp_dir(kind.label(), port);
        let config_path = dir.join(config_name);
        fs::write(&config_path, config)
            .unwrap_or_else(|e| panic!("write {}: {e}", config_path.display()));
        if keep_dirs() {
            eprintln!(
                "[harness] {} on port {port}: {}",
                kind.label(),
                dir.display()
            );
        }
        let mut p = Proc {
            kind,
            child: None,
            port,
            log_path: dir.join("log.txt"),
            dir,
            config_path,
            extra_args: extra_args.iter().map(|s| s.to_string()).collect(),
            probe,
        };
        p.launch();
        p.wait_ready();
        p
    }

    fn launch(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .unwrap_or_else(|e| panic!("open {}: {e}", self.log_path.display()));
        let log2 = log.try_clone().expect("dup log fd");
        let mut cmd = Command::new(self.kind.program());
        cmd.arg(&self.config_path)
            .args(&self.extra_args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let child = spawn_tied(cmd).unwrap_or_else(|e| {
            panic!(
                "spawn {} ({}): {e}",
                self.kind.label(),
                self.kind.program().display()
            )
        });
        self.child = Some(child);
    }

    /// Poll with an inline `PING\r\n` until any `+`/`-` line comes back (a `-NOAUTH` counts:
    /// the process is up). Panics with the log tail if the process exits or the wait times out.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    let pid = child.id();
                    self.child = None;
                    panic!(
                        "{} (pid {pid}, port {}) exited with {status} before answering PING.\n\
                         config {}:\n{}\n--- log tail ({}) ---\n{}",
                        self.kind.label(),
                        self.port,
                        self.config_path.display(),
                        fs::read_to_string(&self.config_path).unwrap_or_default(),
                        self.log_path.display(),
                        tail(&self.log_path, 30)
                    );
                }
            }
            let ready = match self.probe {
                Some(p) => p(self.port),
                None => probe_ping(self.port),
            };
            if ready {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{} on port {} did not answer PING within {READY_TIMEOUT:?}\n--- log tail ({}) ---\n{}",
                    self.kind.label(),
                    self.port,
                    self.log_path.display(),
                    tail(&self.log_path, 30)
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// PID of the running process. Panics if it was killed.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(|c| c.id())
            .unwrap_or_else(|| panic!("{self:?} is not running"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Current text of the config file (sentinels rewrite it).
    pub fn read_config(&self) -> String {
        fs::read_to_string(&self.config_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", self.config_path.display()))
    }

    /// Current text of the log.
    pub fn read_log(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.log_path).unwrap_or_default()).into_owned()
    }

    /// Last `n` log lines.
    pub fn log_tail(&self, n: usize) -> String {
        tail(&self.log_path, n)
    }

    /// A new client connection to this process.
    pub fn client(&self) -> Client {
        Client::connect(self.port)
    }

    /// True while the child has not exited (it may be stopped).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Wait (bounded) for the process to exit on its own; returns its exit code, or None on
    /// timeout or death by signal.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let c = self.child.as_mut()?;
            if let Ok(Some(status)) = c.try_wait() {
                self.child = None;
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    fn signal(&self, sig: libc::c_int) {
        let pid = self.pid() as libc::pid_t;
        // SAFETY: plain kill(2) on our own child's PID (not yet reaped, so not reused).
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig}): {}", io::Error::last_os_error());
    }

    /// SIGKILL and reap. No-op if already dead.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait (bounded) for a clean exit; falls back to SIGKILL.
    pub fn terminate(&mut self, timeout: Duration) -> Option<i32> {
        self.child.as_ref()?;
        self.signal(libc::SIGTERM);
        let code = self.wait_exit(timeout);
        self.kill9();
        code
    }

    /// SIGSTOP: the process stays alive but answers nothing (a "hung" instance).
    pub fn stop(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// SIGCONT after [`Proc::stop`].
    pub fn cont(&self) {
        self.signal(libc::SIGCONT);
    }

    /// Kill (if running) and start again with the same config file (as the process left it),
    /// port, dir and log; waits until ready.
    pub fn restart(&mut self) {
        self.kill9();
        if let Ok(mut f) = OpenOptions::new().append(true).open(&self.log_path) {
            let _ = writeln!(f, "----- [harness] restart -----");
        }
        self.launch();
        self.wait_ready();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "--- [harness] {} port {} log tail ({}) ---\n{}\n--- end ---",
                self.kind.label(),
                self.port,
                self.log_path.display(),
                tail(&self.log_path, 25)
            );
        }
        if !keep_dirs() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// One inline-PING probe: true if a `+` or `-` line came back.
pub fn probe_ping(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = s.set_write_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut first = [0u8; 1];
    matches!(s.read(&mut first), Ok(1) if first[0] == b'+' || first[0] == b'-')
}

// ------------------------------------------------------------------------------------------
// redis-server

/// Namespace for starting `redis-server` instances.
pub struct RedisServer;

impl RedisServer {
    fn base_config(port: u16) -> String {
        format!(
            "port {port}\nbind 127.0.0.1\nprotected-mode no\ndaemonize no\nsave \"\"\n\
             appendonly no\nlogfile \"\"\nrepl-diskless-sync-delay 0\n"
        )
    }

    /// A master on a free port.
    pub fn master() -> Proc {
        Self::master_with(&[])
    }

    /// A master with extra redis.conf lines (e.g. `"requirepass foo"`).
    pub fn master_with(extra: &[&str]) -> Proc {
        let port = free_port();
        let mut conf = Self::base_config(port);
        for l in extra {
            conf.push_str(l);
            conf.push('\n');
        }
        Proc::spawn(Kind::RedisServer, "redis.conf", &conf, port, &[])
    }

    /// A replica of 127.0.0.1:`master_port` (does not wait for the sync; see
    /// [`wait_replica_link_up`]).
    pub fn replica_of(master_port: u16) -> Proc {
        Self::replica_of_with(master_port, &[])
    }

    pub fn replica_of_with(master_port: u16, extra: &[&str]) -> Proc {
        let mut lines = vec![format!("replicaof 127.0.0.1 {master_port}")];
        lines.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
        Self::master_with(&refs)
    }
}

/// `INFO <section>` of a redis-server as `field → value` pairs.
pub fn redis_info(port: u16, section: &str) -> Vec<(String, String)> {
    let v = Client::connect(port).cmd(&["INFO", section]);
    let text = v.as_str().unwrap_or_else(|| panic!("INFO answered {v:?}"));
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Wait (bounded) until the replica on `replica_port` reports `master_link_status:up`.
pub fn wait_replica_link_up(replica_port: u16, timeout: Duration) {
    super::wait_until(timeout, &format!("replica {replica_port} link up"), || {
        redis_info(replica_port, "replication")
            .iter()
            .any(|(k, v)| k == "master_link_status" && v == "up")
    });
}

// ------------------------------------------------------------------------------------------
// sentinels

fn port_from_config(conf: &str) -> u16 {
    conf.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next()?.eq_ignore_ascii_case("port"))
                .then(|| w.next()?.parse().ok())
                .flatten()
        })
        .next_back()
        .unwrap_or_else(|| panic!("sentinel config has no `port N` line:\n{conf}"))
}

/// Namespace for Debian's `redis-sentinel` (the reference implementation).
pub struct RedisSentinel;

impl RedisSentinel {
    /// Run `redis-sentinel <tmp>/sentinel.conf`; the port is taken from the config's `port` line.
    pub fn start(config: impl fmt::Display) -> Proc {
        let conf = config.to_string();
        Proc::spawn(
            Kind::RedisSentinel,
            "sentinel.conf",
            &conf,
            port_from_config(&conf),
            &[],
        )
    }
}

/// Namespace for our `rsentinel` binary.
pub struct RSentinel;

impl RSentinel {
    /// Run `rsentinel <tmp>/sentinel.conf`; the port is taken from the config's `port` line.
    pub fn start(config: impl fmt::Display) -> Proc {
        let conf = config.to_string();
        Proc::spawn(
            Kind::RSentinel,
            "sentinel.conf",
            &conf,
            port_from_config(&conf),
            &[],
        )
    }

    /// Run `rsentinel <tmp>/sentinel.conf --port <port>` (port given on the command line).
    pub fn start_with_port_arg(config: impl fmt::Display, port: u16) -> Proc {
        let p = port.to_string();
        Proc::spawn(
            Kind::RSentinel,
            "sentinel.conf",
            &config.to_string(),
            port,
            &["--port", &p],
        )
    }
}

/// Start a sentinel of the given kind (`RedisSentinel` or `RSentinel`).
pub fn start_sentinel(kind: Kind, config: impl fmt::Display) -> Proc {
    match kind {
        Kind::RedisSentinel => RedisSentinel::start(config),
        Kind::RSentinel => RSentinel::start(config),
        Kind::RedisServer => panic!("start_sentinel needs a sentinel kind"),
    }
}

/// Builder for sentinel config text. Per-master directives apply to the last `monitor`.
///
/// ```ignore
/// let conf = SentinelConf::new().port(p).monitor("mymaster", "127.0.0.1", mport, 2).down_after(1000);
/// let s = RedisSentinel::start(&conf);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SentinelConf {
    port: Option<u16>,
    lines: Vec<String>,
    master: Option<String>,
}

impl SentinelConf {
    pub fn new() -> Self {
        Self::default()
    }

    /// `port N` (written first).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    pub fn get_port(&self) -> Option<u16> {
        self.port
    }

    /// Any raw config line.
    pub fn line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    fn sentinel(self, rest: String) -> Self {
        self.line(format!("sentinel {rest}"))
    }

    fn per_master(self, directive: &str, value: impl fmt::Display) -> Self {
        let m = self
            .master
            .clone()
            .unwrap_or_else(|| panic!("sentinel {directive} needs a monitor() first"));
        self.sentinel(format!("{directive} {m} {value}"))
    }

    /// `sentinel monitor <name> <ip> <port> <quorum>`; later per-master calls apply to it.
    pub fn monitor(mut self, name: &str, ip: &str, port: u16, quorum: u32) -> Self {
        self.master = Some(name.to_string());
        self.sentinel(format!("monitor {name} {ip} {port} {quorum}"))
    }

    pub fn down_after(self, ms: u64) -> Self {
        self.per_master("down-after-milliseconds", ms)
    }

    pub fn failover_timeout(self, ms: u64) -> Self {
        self.per_master("failover-timeout", ms)
    }

    pub fn parallel_syncs(self, n: u32) -> Self {
        self.per_master("parallel-syncs", n)
    }

    pub fn auth_pass(self, pass: &str) -> Self {
        self.per_master("auth-pass", pass)
    }

    pub fn auth_user(self, user: &str) -> Self {
        self.per_master("auth-user", user)
    }

    pub fn master_reboot_down_after(self, ms: u64) -> Self {
        self.per_master("master-reboot-down-after-period", ms)
    }

    pub fn notification_script(self, path: &str) -> Self {
        self.per_master("notification-script", path)
    }

    pub fn client_reconfig_script(self, path: &str) -> Self {
        self.per_master("client-reconfig-script", path)
    }

    pub fn known_replica(self, ip: &str, port: u16) -> Self {
        self.per_master("known-replica", format!("{ip} {port}"))
    }

    pub fn known_sentinel(self, ip: &str, port: u16, runid: &str) -> Self {
        self.per_master("known-sentinel", format!("{ip} {port} {runid}"))
    }

    pub fn myid(self, id: &str) -> Self {
        self.sentinel(format!("myid {id}"))
    }

    pub fn current_epoch(self, epoch: u64) -> Self {
        self.sentinel(format!("current-epoch {epoch}"))
    }

    pub fn announce_ip(self, ip: &str) -> Self {
        self.sentinel(format!("announce-ip {ip}"))
    }

    pub fn announce_port(self, port: u16) -> Self {
        self.sentinel(format!("announce-port {port}"))
    }

    pub fn sentinel_user(self, user: &str) -> Self {
        self.sentinel(format!("sentinel-user {user}"))
    }

    pub fn sentinel_pass(self, pass: &str) -> Self {
        self.sentinel(format!("sentinel-pass {pass}"))
    }

    pub fn deny_scripts_reconfig(self, yes: bool) -> Self {
        self.sentinel(format!("deny-scripts-reconfig {}", yn(yes)))
    }

    pub fn resolve_hostnames(self, yes: bool) -> Self {
        self.sentinel(format!("resolve-hostnames {}", yn(yes)))
    }

    pub fn announce_hostnames(self, yes: bool) -> Self {
        self.sentinel(format!("announce-hostnames {}", yn(yes)))
    }

    /// `requirepass <pass>` (clients must AUTH).
    pub fn requirepass(self, pass: &str) -> Self {
        self.line(format!("requirepass {pass}"))
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

impl fmt::Display for SentinelConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.port {
            writeln!(f, "port {p}")?;
        }
        writeln!(f, "bind 127.0.0.1")?;
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// Is a process with this PID still there (zombies count as gone only once reaped)?
pub fn pid_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks existence/permission.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Open `path` for reading lines; used by tests that follow a log.
pub fn read_lines(path: &Path) -> Vec<String> {
    File::open(path)
        .map(|f| BufReader::new(f).lines().map_while(Result::ok).collect())
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------------
// external client programs

/// Run `python3 -c <code> <args...>` (e.g. a redis-py client) with a bounded wait; returns
/// its stdout. Panics with stdout/stderr if it fails or outlives `timeout` (then it is killed).
pub fn run_python(code: &str, args: &[&str], timeout: Duration) -> String {
    let dir = new_temp_dir("python", 0);
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(code)
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("create stdout file"))
        .stderr(File::create(&err_path).expect("create stderr file"));
    let mut child = spawn_tied(cmd).unwrap_or_else(|e| panic!("spawn python3: {e}"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Ok(Some(st)) = child.try_wait() {
            break Some(st);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = fs::read_to_string(&out_path).unwrap_or_default();
    let err = fs::read_to_string(&err_path).unwrap_or_default();
    if !keep_dirs() {
        let _ = fs::remove_dir_all(&dir);
    }
    match status {
        Some(st) if st.success() => out,
        Some(st) => panic!("python3 exited with {st}\n--- stdout:\n{out}\n--- stderr:\n{err}"),
        None => panic!("python3 still running after {timeout:?} (killed)\n--- stdout:\n{out}\n--- stderr:\n{err}"),
    }
}
