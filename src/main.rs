//! `rsentinel`: command-line entry point. Parses the command line, loads and checks the
//! config, moves to `dir`, settles supervision (systemd/upstart) and `daemonize`, sets up
//! logging, the pid file and listeners, builds the core and the server, runs the reactor.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;

use rsentinel::config::persist::FileStore;
use rsentinel::config::{self, check_config_file, parse_cli, Cli, LogLevel, Supervised};
use rsentinel::reactor::notify::{Notifier, NotifyEnv};
use rsentinel::reactor::tls::{self, TlsSettings};
use rsentinel::reactor::{daemon, logging, net, signals, ClientLimits, Reactor, ReactorConfig};
use rsentinel::sentinel::{self, Sentinel};
use rsentinel::server::{self, SaveError, Server};

mod demo;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.len() == 1 && args.first().is_some_and(|a| a == "demo") {
        std::process::exit(demo::run());
    }
    let code = match parse_cli(&args) {
        Err(e) => {
            eprintln!("{e}");
            1
        }
        Ok(Cli::Version) => {
            println!("{}", config::cli::version_line());
            0
        }
        Ok(Cli::Help) => {
            eprint!("{}", config::cli::USAGE);
            1
        }
        Ok(Cli::TestConfig { config, overrides }) => match config::load(&config, &overrides) {
            Ok(_) => {
                println!("Configuration file {} is OK", config.display());
                0
            }
            Err(e) => {
                eprint!("{e}");
                1
            }
        },
        Ok(Cli::Run {
            config,
            overrides,
            stdin,
        }) => run(config, overrides, stdin),
    };
    std::process::exit(code);
}

fn loglevel_name(l: LogLevel) -> &'static str {
    match l {
        LogLevel::Debug => "debug",
        LogLevel::Verbose => "verbose",
        LogLevel::Notice => "notice",
        LogLevel::Warning => "warning",
    }
}

/// `uname -s -r -m`, as INFO's `os` field shows it.
fn os_name() -> String {
    // SAFETY: utsname is plain data filled by uname(2); the fields are NUL-terminated.
    unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return "Linux".into();
        }
        let f = |p: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(p.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        format!("{} {} {}", f(&u.sysname), f(&u.release), f(&u.machine))
    }
}

fn run(config_path: Option<PathBuf>, mut overrides: String, stdin: bool) -> i32 {
    if stdin {
        let mut extra = String::new();
        let _ = std::io::stdin().read_to_string(&mut extra);
        overrides.push('\n');
        overrides.push_str(&extra);
    }
    if let Err(e) = check_config_file(config_path.as_deref()) {
        println!(
            "{}:X {} # {e}",
            std::process::id(),
            logging::redis_timestamp(signals::unix_time_us())
        );
        return 1;
    }
    let Some(path) = config_path else { return 1 };
    let cfg = match config::load(&path, &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return 1;
        }
    };
    let g = cfg.generic.clone();
    // Redis has moved to `dir` while loading, so a relative logfile or pidfile is under it.
    if let Some(dir) = &g.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("Can't chdir to '{dir}': {e}");
            return 1;
        }
    }
    let sup = supervision(g.supervised);
    let background = g.daemonize && !sup.supervised;
    if background {
        if let Err(e) = daemon::daemonize() {
            eprintln!("Can't daemonize: {e}");
            return 1;
        }
    }
    if let Err(e) = logging::init(&g.logfile, loglevel_name(g.loglevel)) {
        eprintln!("Can't open the log file: {e}");
        return 1;
    }
    for (warning, line) in &sup.log {
        if *warning {
            log::warn!("{line}");
        } else {
            log::info!("{line}");
        }
    }
    log::info!("oO0OoO0OoO0Oo rsentinel is starting oO0OoO0OoO0Oo");
    log::info!(
        "rsentinel version={} (Redis Sentinel 7.0.15 compatible), bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    log::info!("Configuration loaded");

    // Redis `tlsConfigure`, before anything listens: a TLS failure is fatal at startup.
    let tls_settings = TlsSettings::from_config(&g);
    let tls_context = if tls_settings.enabled() {
        match tls::configure(&tls_settings) {
            Ok(c) => {
                for n in &c.notices {
                    log::warn!("{n}");
                }
                Some(c.context)
            }
            Err(e) => {
                log::warn!("{e}");
                log::warn!("Failed to configure TLS. Check logs for more info.");
                return 1;
            }
        }
    } else {
        None
    };
    let now = signals::monotonic_ms();
    let seed = signals::os_random_u64();
    // Hellos announce the TLS port when links are TLS (sentinelSendHello); announce-port
    // still wins, in the core.
    let hello_port = if g.tls_replication && g.tls_port != 0 {
        g.tls_port
    } else {
        g.port
    };
    let settings = sentinel::Settings {
        port: hello_port,
        requirepass: g.requirepass.clone(),
    };
    let mut core = Sentinel::new(&cfg.sentinel, settings, now, seed);

    if g.port == 0 && g.tls_port == 0 {
        log::warn!("Configured to not listen anywhere, exiting.");
        return 1;
    }
    let mut all_listeners = Vec::new();
    for (port, kind) in [(g.port, "tcp"), (g.tls_port, "TLS")] {
        if port == 0 {
            all_listeners.push(Vec::new());
            continue;
        }
        match bind_all(&g.bind, port, g.tcp_backlog, kind) {
            Ok(l) => all_listeners.push(l),
            Err(msg) => {
                log::warn!("{msg}");
                return 1;
            }
        }
    }
    let tls_listeners = all_listeners.pop().unwrap_or_default();
    let listeners = all_listeners.pop().unwrap_or_default();
    let abs_path = cfg.path.clone();
    let server_settings = server::Settings {
        run_id: sentinel::rng::Rng::new(seed ^ 0x5eed).hex_id(),
        process_id: std::process::id(),
        // INFO tcp_port: Redis shows the TLS port when there is no plaintext one.
        tcp_port: if g.port != 0 { g.port } else { g.tls_port },
        executable: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        config_file: abs_path.display().to_string(),
        os: os_name(),
        hz: 10,
        maxclients: g.maxclients,
        requirepass: g.requirepass.clone().map(String::into_bytes),
        users: g.users.clone(),
        aclfile_configured: !g.aclfile.is_empty(),
        protected_mode: g.protected_mode,
        acl_seed: std::array::from_fn(|i| (signals::os_random_u64() >> (8 * (i % 8))) as u8),
        renamed_commands: g.renamed_commands.clone(),
    };
    let server = match Server::try_new(server_settings, now) {
        Ok(s) => s,
        Err(e) => {
            log::warn!("{e}");
            log::warn!("Critical error while loading ACLs. Exiting.");
            return 1;
        }
    };
    let mut store = FileStore::new(&abs_path);
    let mut generic = g.clone();
    let mut save = move |core: &Sentinel,
                         user_lines: &[String],
                         overrides: &[(String, String)]|
          -> Result<(), SaveError> {
        // Directives changed at run time (TLS files, loglevel: SENTINEL CONFIG SET).
        for (name, value) in overrides {
            let _ = generic.apply(&[name.clone(), value.clone()]);
        }
        // The live ACL users replace the `user` lines the file was loaded with.
        if !user_lines.is_empty() {
            generic.users = user_lines
                .iter()
                .filter_map(|l| config::lexer::split_args(l.as_bytes()).ok())
                .map(|words| {
                    words
                        .into_iter()
                        .skip(1)
                        .map(|w| String::from_utf8_lossy(&w).into_owned())
                        .collect()
                })
                .collect();
        }
        store
            .save(&generic, &core.snapshot())
            .map_err(|e| SaveError(e.to_string()))
    };
    if core.take_save_request() {
        let saved = save(&core, &[], &[]);
        core.save_finished(0, saved.as_ref().map(|_| ()).map_err(|e| e.0.as_str()));
        if let Err(e) = saved {
            log::warn!(
                "Sentinel config file {} could not be written: {}. Exiting...",
                abs_path.display(),
                e.0
            );
            return 1;
        }
    }
    let shown_port = if g.port != 0 { g.port } else { g.tls_port };
    log::info!("Running mode=sentinel, port={shown_port}.");
    log::warn!("Sentinel ID is {}", core.myid);
    core.announce_masters();
    let bind_source = g.bind_source_addr.as_deref().and_then(|a| a.parse().ok());
    let pidfile = if background || g.pidfile.is_some() {
        let path = g.pidfile.as_deref().unwrap_or(daemon::DEFAULT_PIDFILE);
        match daemon::PidFile::create(std::path::Path::new(path)) {
            Ok(p) => Some(p),
            Err(e) => {
                log::warn!("Failed to write PID file: {e}");
                None
            }
        }
    } else {
        None
    };
    let rc = ReactorConfig {
        listeners,
        tls_listeners,
        tls_settings,
        tls: tls_context,
        bind_source,
        tcp_keepalive: u64::from(g.tcp_keepalive),
        maxclients: g.maxclients as usize,
        timeout_secs: u64::from(g.timeout),
        limits: ClientLimits::from_config(&g),
        notifier: sup.notifier,
        save: Box::new(save),
    };
    let mut reactor = match Reactor::new(core, server, rc) {
        Ok(r) => r,
        Err(e) => {
            log::warn!("Failed to start the event loop: {e}");
            return 1;
        }
    };
    if sup.upstart {
        daemon::upstart_handshake();
    }
    let code = reactor.run();
    if code == 0 {
        if let Some(p) = pidfile {
            log::info!("Removing the pid file.");
            p.remove();
        }
        log::warn!("Sentinel is now ready to exit, bye bye...");
    }
    code
}

/// How the process is supervised, decided before logging starts (so the log lines wait).
struct Supervision {
    /// Supervised by systemd or upstart: `daemonize` is then ignored, as in Redis.
    supervised: bool,
    upstart: bool,
    notifier: Option<Notifier>,
    /// (is a warning, text) to log once logging is up.
    log: Vec<(bool, String)>,
}

/// Redis `redisIsSupervised`: `auto` looks for `UPSTART_JOB`, then `NOTIFY_SOCKET`.
fn supervision(mode: Supervised) -> Supervision {
    let mut s = Supervision {
        supervised: false,
        upstart: false,
        notifier: None,
        log: Vec::new(),
    };
    let has_upstart = std::env::var_os("UPSTART_JOB").is_some();
    let mode = match mode {
        Supervised::Auto if has_upstart => Supervised::Upstart,
        Supervised::Auto if std::env::var_os("NOTIFY_SOCKET").is_some() => Supervised::Systemd,
        m => m,
    };
    match mode {
        Supervised::Upstart if has_upstart => {
            s.log.push((
                false,
                "supervised by upstart, will stop to signal readiness.".into(),
            ));
            s.supervised = true;
            s.upstart = true;
        }
        Supervised::Upstart => s.log.push((
            true,
            "upstart supervision requested, but UPSTART_JOB not found!".into(),
        )),
        Supervised::Systemd => {
            let env = NotifyEnv::take();
            if !env.systemd_mode(Supervised::Systemd) {
                s.log.push((
                    true,
                    "systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!"
                        .into(),
                ));
                return s;
            }
            match Notifier::open(&env, std::process::id()) {
                Ok(n) => {
                    s.log.push((
                        false,
                        "Supervised by systemd. Please make sure you set appropriate values for \
                         TimeoutStartSec and TimeoutStopSec in your service unit."
                            .into(),
                    ));
                    s.supervised = true;
                    s.notifier = n;
                }
                Err(e) => s
                    .log
                    .push((true, format!("systemd supervision disabled: {e}"))),
            }
        }
        Supervised::No | Supervised::Auto => {}
    }
    s
}

fn bind_all(
    bind: &[String],
    port: u16,
    backlog: u32,
    kind: &str,
) -> Result<Vec<mio::net::TcpListener>, String> {
    let addrs = net::parse_bind(bind)?;
    let mut out = Vec::new();
    for a in addrs {
        match net::listen(a.ip, port, i32::try_from(backlog).unwrap_or(511)) {
            Ok(l) => out.push(l),
            Err(e) if a.optional => log::debug!("Skipping optional bind address {}: {e}", a.ip),
            Err(e) => {
                let shown = if a.ip.is_unspecified() && a.ip.is_ipv4() {
                    "*".to_string()
                } else {
                    a.ip.to_string()
                };
                return Err(format!(
                    "Warning: Could not create server TCP listening socket {shown}:{port}: {e}"
                ));
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "Failed listening on port {port} ({kind}), aborting."
        ));
    }
    Ok(out)
}
