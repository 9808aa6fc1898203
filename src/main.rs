//! `rsentinel`: command-line entry point. Parses the command line, loads and checks the
//! config, sets up logging and listeners, builds the core and the server, runs the reactor.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;

use rsentinel::config::persist::FileStore;
use rsentinel::config::{self, check_config_file, parse_cli, Cli, LogLevel};
use rsentinel::reactor::{logging, net, signals, ObufLimit, Reactor, ReactorConfig};
use rsentinel::sentinel::{self, Sentinel};
use rsentinel::server::{self, SaveError, Server};

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
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
/// One class of the canonical `client-output-buffer-limit` value
/// (`normal <hard> <soft> <secs> slave ... pubsub ...`).
fn obuf_limit(g: &config::GenericOptions, class: &str) -> ObufLimit {
    let value = g.value("client-output-buffer-limit").unwrap_or_default();
    let words: Vec<&str> = value.split_whitespace().collect();
    let n = |w: Option<&&str>| w.and_then(|w| config::num::memtoull(w)).unwrap_or(0);
    words
        .chunks(4)
        .find(|c| c.first().is_some_and(|w| w.eq_ignore_ascii_case(class)))
        .map(|c| ObufLimit {
            hard: n(c.get(1)),
            soft: n(c.get(2)),
            soft_secs: n(c.get(3)),
        })
        .unwrap_or_default()
}

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
    if let Err(e) = logging::init(&g.logfile, loglevel_name(g.loglevel)) {
        eprintln!("Can't open the log file: {e}");
        return 1;
    }
    if let Some(dir) = &g.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            log::warn!("Can't chdir to '{dir}': {e}");
            return 1;
        }
    }
    log::info!("oO0OoO0OoO0Oo rsentinel is starting oO0OoO0OoO0Oo");
    log::info!(
        "rsentinel version={} (Redis Sentinel 7.0.15 compatible), bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    log::info!("Configuration loaded");

    let now = signals::monotonic_ms();
    let seed = signals::os_random_u64();
    let settings = sentinel::Settings {
        port: g.port,
        requirepass: g.requirepass.clone(),
    };
    let mut core = Sentinel::new(&cfg.sentinel, settings, now, seed);

    let listeners = match bind_all(&g.bind, g.port, g.tcp_backlog) {
        Ok(l) => l,
        Err(msg) => {
            log::warn!("{msg}");
            return 1;
        }
    };
    let abs_path = cfg.path.clone();
    let server_settings = server::Settings {
        run_id: sentinel::rng::Rng::new(seed ^ 0x5eed).hex_id(),
        process_id: std::process::id(),
        tcp_port: g.port,
        executable: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        config_file: abs_path.display().to_string(),
        os: os_name(),
        hz: 10,
        maxclients: g.maxclients,
        requirepass: g.requirepass.clone().map(String::into_bytes),
    };
    let server = Server::new(server_settings, now);
    let mut store = FileStore::new(&abs_path);
    let generic = g.clone();
    let mut save = move |core: &Sentinel| -> Result<(), SaveError> {
        store
            .save(&generic, &core.snapshot())
            .map_err(|e| SaveError(e.to_string()))
    };
    if core.take_save_request() {
        if let Err(e) = save(&core) {
            log::warn!(
                "Sentinel config file {} could not be written: {}. Exiting...",
                abs_path.display(),
                e.0
            );
            return 1;
        }
    }
    log::info!("Running mode=sentinel, port={}.", g.port);
    log::warn!("Sentinel ID is {}", core.myid);
    core.announce_masters();
    let bind_source = g.bind_source_addr.as_deref().and_then(|a| a.parse().ok());
    let rc = ReactorConfig {
        listeners,
        bind_source,
        tcp_keepalive: u64::from(g.tcp_keepalive),
        maxclients: g.maxclients as usize,
        obuf_normal: obuf_limit(&g, "normal"),
        obuf_pubsub: obuf_limit(&g, "pubsub"),
        save: Box::new(save),
    };
    match Reactor::new(core, server, rc) {
        Ok(mut r) => r.run(),
        Err(e) => {
            log::warn!("Failed to start the event loop: {e}");
            1
        }
    }
}

fn bind_all(
    bind: &[String],
    port: u16,
    backlog: u32,
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
        return Err(format!("Failed listening on port {port} (tcp), aborting."));
    }
    Ok(out)
}
