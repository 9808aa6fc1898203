//! [`GenericOptions`]: the redis.conf directives that are not `sentinel ...` lines. The ones a
//! sentinel uses get typed fields; every other Redis 7.0 directive is validated as Redis does
//! and kept, in canonical form, only so that config rewrite can write it back.

use std::collections::BTreeMap;

use super::error::DirectiveError;
use super::num::yes_no;
use super::table::{self, Kind};
use super::values::{empty_is_null, is_multi_arg, parse_value};

/// The sentinel's own listening port default (redis-server's is 6379).
pub const SENTINEL_DEFAULT_PORT: u16 = 26379;

/// Commands of sentinel mode, the only names generic `rename-command` may rename.
pub const SENTINEL_COMMANDS: [&str; 15] = [
    "ping",
    "info",
    "role",
    "auth",
    "hello",
    "client",
    "acl",
    "command",
    "subscribe",
    "unsubscribe",
    "psubscribe",
    "punsubscribe",
    "publish",
    "sentinel",
    "shutdown",
];

/// `loglevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl LogLevel {
    /// A `loglevel` value, case-insensitively (the four Redis 7.0 knows).
    pub fn parse(s: &str) -> Option<LogLevel> {
        match s.to_ascii_lowercase().as_str() {
            "debug" => Some(LogLevel::Debug),
            "verbose" => Some(LogLevel::Verbose),
            "notice" => Some(LogLevel::Notice),
            "warning" => Some(LogLevel::Warning),
            _ => None,
        }
    }

    /// The name the config file and CONFIG GET use.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
        }
    }
}

/// `supervised`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervised {
    No,
    Upstart,
    Systemd,
    Auto,
}

/// Non-sentinel directives. `Default` is sentinel mode's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericOptions {
    pub port: u16,
    /// Addresses to listen on; a `-` prefix marks an optional one (default `* -::*`).
    pub bind: Vec<String>,
    pub protected_mode: bool,
    pub daemonize: bool,
    pub pidfile: Option<String>,
    /// `""` = standard output.
    pub logfile: String,
    pub loglevel: LogLevel,
    /// The working directory. [`super::load`] makes it absolute (as Redis, which `chdir`s while
    /// loading and writes `getcwd()` back); `None` only from [`super::load_str`] without `dir`.
    pub dir: Option<String>,
    pub requirepass: Option<String>,
    /// `user` lines, the words after `user`, in file order (for the ACL module).
    pub users: Vec<Vec<String>>,
    pub aclfile: String,
    pub acllog_max_len: u64,
    pub maxclients: u32,
    pub timeout: u32,
    pub tcp_keepalive: u32,
    pub tcp_backlog: u32,
    pub supervised: Supervised,
    pub bind_source_addr: Option<String>,
    /// Generic `rename-command <old> <new>` (our own commands; `new` empty = disabled).
    pub renamed_commands: Vec<(String, String)>,
    pub hz: u32,
    pub syslog_enabled: bool,
    pub syslog_ident: String,
    pub syslog_facility: String,
    pub unixsocket: Option<String>,
    pub unixsocketperm: u32,
    pub tls_port: u16,
    pub tls_replication: bool,
    /// Every other table directive that appeared: canonical name → canonical value (`None` =
    /// explicitly unset). `tls-*` files and the like are here.
    pub others: BTreeMap<String, Option<String>>,
}

impl Default for GenericOptions {
    fn default() -> Self {
        GenericOptions {
            port: SENTINEL_DEFAULT_PORT,
            bind: vec!["*".into(), "-::*".into()],
            protected_mode: false,
            daemonize: false,
            pidfile: None,
            logfile: String::new(),
            loglevel: LogLevel::Notice,
            dir: None,
            requirepass: None,
            users: Vec::new(),
            aclfile: String::new(),
            acllog_max_len: 128,
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            supervised: Supervised::No,
            bind_source_addr: None,
            renamed_commands: Vec::new(),
            hz: 10,
            syslog_enabled: false,
            syslog_ident: "redis".into(),
            syslog_facility: "local0".into(),
            unixsocket: None,
            unixsocketperm: 0,
            tls_port: 0,
            tls_replication: false,
            others: BTreeMap::new(),
        }
    }
}

fn yn(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

impl GenericOptions {
    /// The current canonical value of a table directive (by canonical name), `None` if unset.
    pub fn value(&self, name: &str) -> Option<String> {
        let s = |v: &Option<String>| v.clone();
        Some(match name {
            "port" => self.port.to_string(),
            // Each address as a config word: one with spaces or quotes must stay one word.
            "bind" => self
                .bind
                .iter()
                .map(|b| super::rewrite::word(b))
                .collect::<Vec<_>>()
                .join(" "),
            "protected-mode" => yn(self.protected_mode),
            "daemonize" => yn(self.daemonize),
            "pidfile" => return s(&self.pidfile),
            "logfile" => self.logfile.clone(),
            "loglevel" => match self.loglevel {
                LogLevel::Debug => "debug",
                LogLevel::Verbose => "verbose",
                LogLevel::Notice => "notice",
                LogLevel::Warning => "warning",
            }
            .into(),
            "dir" => return s(&self.dir),
            "requirepass" => return s(&self.requirepass),
            "aclfile" => self.aclfile.clone(),
            "acllog-max-len" => self.acllog_max_len.to_string(),
            "maxclients" => self.maxclients.to_string(),
            "timeout" => self.timeout.to_string(),
            "tcp-keepalive" => self.tcp_keepalive.to_string(),
            "tcp-backlog" => self.tcp_backlog.to_string(),
            "supervised" => match self.supervised {
                Supervised::No => "no",
                Supervised::Upstart => "upstart",
                Supervised::Systemd => "systemd",
                Supervised::Auto => "auto",
            }
            .into(),
            "bind-source-addr" => return s(&self.bind_source_addr),
            "hz" => self.hz.to_string(),
            "syslog-enabled" => yn(self.syslog_enabled),
            "syslog-ident" => self.syslog_ident.clone(),
            "syslog-facility" => self.syslog_facility.clone(),
            "unixsocket" => return s(&self.unixsocket),
            "unixsocketperm" => format!("{:o}", self.unixsocketperm),
            "tls-port" => self.tls_port.to_string(),
            "tls-replication" => yn(self.tls_replication),
            other => match self.others.get(other) {
                Some(v) => return v.clone(),
                None => {
                    let e = table::lookup(other)?;
                    if e.default.is_empty() && empty_is_null(e) {
                        return None;
                    }
                    super::values::canonical_default(e)
                }
            },
        })
    }

    /// Stores a validated canonical value for a table directive.
    fn set(&mut self, name: &str, v: Option<String>) {
        let text = v.clone().unwrap_or_default();
        let num = |t: &str| t.parse::<u64>().unwrap_or(0);
        let small = |t: &str| u32::try_from(num(t)).unwrap_or(u32::MAX);
        match name {
            "port" => self.port = u16::try_from(num(&text)).unwrap_or(0),
            "bind" => {
                self.bind = text
                    .split(' ')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "protected-mode" => self.protected_mode = text == "yes",
            "daemonize" => self.daemonize = text == "yes",
            "pidfile" => self.pidfile = v,
            "logfile" => self.logfile = text,
            "loglevel" => {
                self.loglevel = match text.as_str() {
                    "debug" => LogLevel::Debug,
                    "verbose" => LogLevel::Verbose,
                    "warning" => LogLevel::Warning,
                    _ => LogLevel::Notice,
                }
            }
            "dir" => self.dir = v,
            "requirepass" => self.requirepass = v,
            "aclfile" => self.aclfile = text,
            "acllog-max-len" => self.acllog_max_len = num(&text),
            "maxclients" => self.maxclients = small(&text),
            "timeout" => self.timeout = small(&text),
            "tcp-keepalive" => self.tcp_keepalive = small(&text),
            "tcp-backlog" => self.tcp_backlog = small(&text),
            "supervised" => {
                self.supervised = match text.as_str() {
                    "upstart" => Supervised::Upstart,
                    "systemd" => Supervised::Systemd,
                    "auto" => Supervised::Auto,
                    _ => Supervised::No,
                }
            }
            "bind-source-addr" => self.bind_source_addr = v,
            "hz" => self.hz = small(&text),
            "syslog-enabled" => self.syslog_enabled = text == "yes",
            "syslog-ident" => self.syslog_ident = text,
            "syslog-facility" => self.syslog_facility = text,
            "unixsocket" => self.unixsocket = v,
            "unixsocketperm" => self.unixsocketperm = u32::from_str_radix(&text, 8).unwrap_or(0),
            "tls-port" => self.tls_port = u16::try_from(num(&text)).unwrap_or(0),
            "tls-replication" => self.tls_replication = text == "yes",
            other => {
                self.others.insert(other.to_string(), v);
            }
        }
    }

    /// Applies one non-`sentinel` line (`argv[0]` already lowercased). `include` is handled by
    /// the loader; `sentinel` lines never come here.
    pub fn apply(&mut self, argv: &[String]) -> Result<(), DirectiveError> {
        let Some((name, args)) = argv.split_first() else {
            return Ok(());
        };
        if let Some(entry) = table::lookup(name) {
            let multi = is_multi_arg(entry.kind);
            if !multi && argv.len() != 2 {
                return Err(DirectiveError::WrongArgCount);
            }
            let split;
            let args: &[String] = match args {
                [one] if multi && !one.is_empty() => {
                    split = super::lexer::split_args(one.as_bytes())
                        .map_err(|_| DirectiveError::WrongArgCount)?
                        .into_iter()
                        .map(|w| String::from_utf8_lossy(&w).into_owned())
                        .collect::<Vec<_>>();
                    &split
                }
                _ => args,
            };
            let canonical = entry.alias_of.unwrap_or(entry.name);
            let current = self.value(canonical).unwrap_or_default();
            let v = parse_value(entry, args, &current)?;
            if entry.kind == Kind::Save {
                return Ok(()); // sentinel mode neither saves nor rewrites `save`
            }
            self.set(canonical, v);
            return Ok(());
        }
        if table::DEPRECATED
            .iter()
            .any(|(n, lo, hi)| n == name && (*lo..=*hi).contains(&argv.len()))
        {
            return Ok(());
        }
        match (name.as_str(), args) {
            ("rename-command", [old, new]) => self.rename_command(old, new),
            ("user", [_, ..]) => {
                self.users.push(args.to_vec());
                Ok(())
            }
            ("loadmodule", [_, ..]) => Ok(()),
            (n, _) if n.contains('.') => match args {
                [] => Err(DirectiveError::ModuleConfigWithoutValue),
                _ => Ok(()),
            },
            _ => Err(DirectiveError::BadDirective),
        }
    }

    /// Our command names after the generic `rename-command` lines so far.
    pub fn command_names(&self) -> Vec<String> {
        let mut names: Vec<String> = SENTINEL_COMMANDS.iter().map(|c| c.to_string()).collect();
        for (old, new) in &self.renamed_commands {
            names.retain(|n| !n.eq_ignore_ascii_case(old));
            if !new.is_empty() {
                names.push(new.to_ascii_lowercase());
            }
        }
        names
    }

    /// Whether `name` currently names one of our commands (after earlier renames).
    pub fn command_exists(&self, name: &str) -> bool {
        self.command_names()
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    fn rename_command(&mut self, old: &str, new: &str) -> Result<(), DirectiveError> {
        if !self.command_exists(old) {
            return Err(DirectiveError::NoSuchCommandToRename);
        }
        if !new.is_empty() && self.command_exists(new) {
            return Err(DirectiveError::RenameTargetExists);
        }
        self.renamed_commands
            .push((old.to_string(), new.to_string()));
        Ok(())
    }
}

/// Redis `yesnotoi` for callers outside this module.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    yes_no(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(line: &str) -> Result<GenericOptions, DirectiveError> {
        let mut g = GenericOptions::default();
        let words = super::super::lexer::split_args(line.as_bytes())
            .map_err(|_| DirectiveError::UnbalancedQuotes)?;
        let mut argv: Vec<String> = words
            .into_iter()
            .map(|w| String::from_utf8_lossy(&w).into_owned())
            .collect();
        if let Some(a) = argv.first_mut() {
            *a = a.to_ascii_lowercase();
        }
        g.apply(&argv).map(|()| g)
    }

    #[test]
    fn sentinel_defaults() {
        let g = GenericOptions::default();
        assert_eq!(g.port, 26379);
        assert!(!g.protected_mode);
        assert_eq!(g.bind, ["*", "-::*"]);
        assert_eq!(g.value("maxmemory").as_deref(), Some("0"));
        assert_eq!(g.value("pidfile"), None);
    }

    #[test]
    fn typed_options_are_set() {
        assert_eq!(apply("port 26380").map(|g| g.port), Ok(26380));
        assert_eq!(
            apply("bind 127.0.0.1 -::1").map(|g| g.bind),
            Ok(vec!["127.0.0.1".into(), "-::1".into()])
        );
        assert_eq!(
            apply("bind \"1.2.3.4 5.6.7.8\"").map(|g| g.bind.len()),
            Ok(2)
        );
        assert_eq!(
            apply("loglevel WARNING").map(|g| g.loglevel),
            Ok(LogLevel::Warning)
        );
        assert_eq!(
            apply("supervised systemd").map(|g| g.supervised),
            Ok(Supervised::Systemd)
        );
        assert_eq!(
            apply("slave-priority 5").map(|g| g.value("replica-priority")),
            Ok(Some("5".into()))
        );
        assert_eq!(
            apply("user default on nopass ~* &* +@all").map(|g| g.users.len()),
            Ok(1)
        );
    }

    #[test]
    fn harness_and_rewrite_lines_are_accepted() {
        for l in [
            "repl-diskless-sync-delay 0",
            "enable-protected-configs yes",
            "enable-debug-command yes",
            "logfile log.txt",
            "dir ./sentinel_1",
            "latency-tracking-info-percentiles 50 99 99.9",
            "dir \"/tmp\"",
            "list-max-ziplist-entries 5",
            "lua-replicate-commands yes",
            "loadmodule /x.so a b",
            "foo.bar 1",
            "save \"\"",
            "save 900 1 300 10",
            "tls-cert-file /x.crt",
            "bind",
        ] {
            assert!(apply(l).is_ok(), "{l}");
        }
    }

    #[test]
    fn unknown_and_malformed_directives_are_errors() {
        assert_eq!(apply("bogus x").err(), Some(DirectiveError::BadDirective));
        assert_eq!(apply("user").err(), Some(DirectiveError::BadDirective));
        assert_eq!(
            apply("foo.bar").err(),
            Some(DirectiveError::ModuleConfigWithoutValue)
        );
        assert_eq!(
            apply("lua-replicate-commands").err(),
            Some(DirectiveError::BadDirective)
        );
        assert_eq!(apply("port").err(), Some(DirectiveError::WrongArgCount));
    }

    #[test]
    fn rename_command_checks_our_command_table() {
        assert_eq!(
            apply("rename-command config foo").err(),
            Some(DirectiveError::NoSuchCommandToRename)
        );
        assert_eq!(
            apply("rename-command ping sentinel").err(),
            Some(DirectiveError::RenameTargetExists)
        );
        assert!(apply("rename-command PING \"\"").is_ok());
        let mut g = GenericOptions::default();
        let argv =
            |a: &str, b: &str| vec!["rename-command".to_string(), a.to_string(), b.to_string()];
        assert_eq!(g.apply(&argv("ping", "foo")), Ok(()));
        assert_eq!(g.apply(&argv("foo", "bar")), Ok(()));
        assert_eq!(
            g.apply(&argv("ping", "x")),
            Err(DirectiveError::NoSuchCommandToRename)
        );
    }
}
