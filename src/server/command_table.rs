//! The sentinel-mode command table: the 15 commands and 57 subcommands Redis 7.0.15 serves
//! in sentinel mode, with arity, flags, ACL categories and tips exactly as `COMMAND INFO`
//! reports them, plus lookup (`CLIENT list` → `client|list`) used by dispatch.

use crate::resp::ReplyWriter;

/// Which handler runs a command (subcommands run their container's handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdId {
    Sentinel,
    Hello,
    Publish,
    Subscribe,
    Unsubscribe,
    Client,
    Psubscribe,
    Command,
    Shutdown,
    Ping,
    Info,
    Role,
    Punsubscribe,
    Acl,
    Auth,
}

/// One command or subcommand as `COMMAND INFO` describes it.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case full name: `ping`, `client|list`.
    pub name: &'static str,
    pub id: CmdId,
    /// Redis arity: positive = exact argc, negative = minimum argc.
    pub arity: i32,
    pub flags: &'static [&'static str],
    /// ACL categories without the leading `@`.
    pub acl: &'static [&'static str],
    pub tips: &'static [&'static str],
    pub subcommands: &'static [CommandSpec],
}

const fn spec(
    name: &'static str,
    id: CmdId,
    arity: i32,
    flags: &'static [&'static str],
    acl: &'static [&'static str],
    tips: &'static [&'static str],
    subcommands: &'static [CommandSpec],
) -> CommandSpec {
    CommandSpec {
        name,
        id,
        arity,
        flags,
        acl,
        tips,
        subcommands,
    }
}

impl CommandSpec {
    /// Whether `argc` arguments (command name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let arity = i64::from(self.arity);
        if arity > 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    pub fn in_category(&self, cat: &str) -> bool {
        self.acl.contains(&cat)
    }

    /// The `COMMAND INFO` entry (10 elements, Redis 7.0 layout).
    pub fn write_info(&self, w: &mut ReplyWriter) {
        w.array(10);
        w.bulk(self.name.as_bytes());
        w.integer(i64::from(self.arity));
        w.set(self.flags.len());
        for f in self.flags {
            w.simple(f);
        }
        w.integer(0);
        w.integer(0);
        w.integer(0);
        w.set(self.acl.len());
        for a in self.acl {
            w.simple(&format!("@{a}"));
        }
        w.set(self.tips.len());
        for t in self.tips {
            w.bulk(t.as_bytes());
        }
        w.set(0); // key specs
                  // Redis 7.0 sends an empty set for "no subcommands", an array otherwise.
        if self.subcommands.is_empty() {
            w.set(0);
        } else {
            w.array(self.subcommands.len());
        }
        for s in self.subcommands {
            s.write_info(w);
        }
    }
}

/// What a request names.
#[derive(Debug)]
pub enum Lookup {
    Found(&'static CommandSpec),
    /// `argv[0]` is not a command.
    UnknownCommand,
    /// `argv[0]` is a container but `argv[1]` is not one of its subcommands.
    UnknownSubcommand,
}

/// Top-level command by name, case-insensitively.
pub fn find_top(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut buf = [0u8; NAME_MAX];
    let name = lowered(name, &mut buf)?;
    COMMANDS.iter().find(|c| c.name.as_bytes() == name)
}

/// No command or subcommand name is longer.
pub const NAME_MAX: usize = 32;

/// `name` in lower case in `buf`, so the table compares plain bytes; `None` when longer
/// than any name.
pub fn lowered<'a>(name: &[u8], buf: &'a mut [u8; NAME_MAX]) -> Option<&'a [u8]> {
    let slot = buf.get_mut(..name.len())?;
    slot.copy_from_slice(name);
    slot.make_ascii_lowercase();
    Some(slot)
}

/// Resolves a request the way Redis 7.0 `lookupCommand` does: a container with at least
/// one argument resolves to its subcommand.
pub fn lookup(args: &[&[u8]]) -> Lookup {
    let Some(base) = args.first().and_then(|n| find_top(n)) else {
        return Lookup::UnknownCommand;
    };
    match args.get(1) {
        Some(sub) if !base.subcommands.is_empty() => {
            let mut buf = [0u8; NAME_MAX];
            let found = lowered(sub, &mut buf)
                .and_then(|sub| base.subcommands.iter().find(|s| sub_name_is(base, s, sub)));
            match found {
                Some(s) => Lookup::Found(s),
                None => Lookup::UnknownSubcommand,
            }
        }
        _ => Lookup::Found(base),
    }
}

/// Valkey's primary-named spellings of sentinel subcommands and the 7.0 subcommand each one
/// is. They are not in the table (COMMAND, COMMAND INFO and COMMAND DOCS stay as 7.0.15
/// serves them): a request using one runs, is checked (arity, ACL) and is shown (`cmd=` in
/// CLIENT LIST) as the master-named form.
static SENTINEL_ALIASES: &[(&str, &str)] = &[
    ("primary", "master"),
    ("primaries", "masters"),
    ("get-primary-addr-by-name", "get-master-addr-by-name"),
    ("is-primary-down-by-addr", "is-master-down-by-addr"),
];

/// The master-named subcommand a Valkey alias (lower case) stands for.
pub fn sentinel_alias(sub: &str) -> Option<&'static str> {
    SENTINEL_ALIASES
        .iter()
        .find(|(alias, _)| *alias == sub)
        .map(|(_, canonical)| *canonical)
}

/// Redis 7.2's `CLIENT SETINFO`, which every client library sends on connect. Like the
/// aliases it is not in the table, so COMMAND replies stay as 7.0.15's; the ACL checks it as
/// [`acl_spec`] says.
#[rustfmt::skip]
pub static CLIENT_SETINFO: CommandSpec =
    spec("client|setinfo", CmdId::Client, 4, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]);

/// The table entry whose ACL permission a request needs: itself, except `CLIENT SETINFO`
/// (not in the 7.0 table), which a user may run when allowed `CLIENT SETNAME`.
pub fn acl_spec(spec: &'static CommandSpec) -> &'static CommandSpec {
    if std::ptr::eq(spec, &CLIENT_SETINFO) {
        find_by_fullname(b"client|setname").unwrap_or(spec)
    } else {
        spec
    }
}

/// Resolves a client request: [`lookup`], plus the Valkey aliases of sentinel subcommands
/// and `CLIENT SETINFO`. Only the dispatcher uses it; `COMMAND GETKEYS` and the ACL rules
/// know the 7.0 names only.
pub fn lookup_request(args: &[&[u8]]) -> Lookup {
    let found = lookup(args);
    let (Lookup::UnknownSubcommand, Some(top), Some(sub)) = (&found, args.first(), args.get(1))
    else {
        return found;
    };
    let mut buf = [0u8; NAME_MAX];
    let sub = lowered(sub, &mut buf).and_then(|b| std::str::from_utf8(b).ok());
    if top.eq_ignore_ascii_case(b"client") && sub == Some("setinfo") {
        return Lookup::Found(&CLIENT_SETINFO);
    }
    match sub.and_then(sentinel_alias) {
        Some(c) if top.eq_ignore_ascii_case(b"sentinel") => lookup(&[top, c.as_bytes()]),
        _ => found,
    }
}

/// Command or subcommand by full name (`ping`, `client|list`), as COMMAND INFO accepts.
pub fn find_by_fullname(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        None => find_top(name),
        Some(bar) => {
            let (container, rest) = name.split_at(bar);
            let sub = rest.get(1..).unwrap_or_default();
            let base = find_top(container)?;
            let mut buf = [0u8; NAME_MAX];
            let sub = lowered(sub, &mut buf)?;
            base.subcommands.iter().find(|s| sub_name_is(base, s, sub))
        }
    }
}

/// Whether subcommand `spec` of `container` is called `sub` (lower case). The full name is
/// `container|sub`, so the part after the bar starts at a known offset: no search.
fn sub_name_is(container: &CommandSpec, spec: &CommandSpec, sub: &[u8]) -> bool {
    spec.name.as_bytes().get(container.name.len() + 1..) == Some(sub)
}

/// Every command and subcommand, containers followed by their subcommands.
pub fn all_specs() -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS
        .iter()
        .flat_map(|c| std::iter::once(c).chain(c.subcommands.iter()))
}

/// The 15 commands in the order Redis 7.0.15 lists them.
#[rustfmt::skip]
pub static COMMANDS: &[CommandSpec] = &[
    spec("sentinel", CmdId::Sentinel, -2, &["admin"], &["admin", "slow", "dangerous"], &[], SENTINEL_SUBS),
    spec("hello", CmdId::Hello, -1, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], &["fast", "connection"], &[], &[]),
    spec("publish", CmdId::Publish, 3, &["pubsub", "loading", "stale", "fast"], &["pubsub", "fast"], &[], &[]),
    spec("subscribe", CmdId::Subscribe, -2, &["pubsub", "noscript", "loading", "stale"], &["pubsub", "slow"], &[], &[]),
    spec("unsubscribe", CmdId::Unsubscribe, -1, &["pubsub", "noscript", "loading", "stale"], &["pubsub", "slow"], &[], &[]),
    spec("client", CmdId::Client, -2, &[], &["slow"], &[], CLIENT_SUBS),
    spec("psubscribe", CmdId::Psubscribe, -2, &["pubsub", "noscript", "loading", "stale"], &["pubsub", "slow"], &[], &[]),
    spec("command", CmdId::Command, -1, &["loading", "stale"], &["slow", "connection"], &["nondeterministic_output_order"], COMMAND_SUBS),
    spec("shutdown", CmdId::Shutdown, -1, &["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("ping", CmdId::Ping, -1, &["fast"], &["fast", "connection"], &["request_policy:all_shards", "response_policy:all_succeeded"], &[]),
    spec("info", CmdId::Info, -1, &["loading", "stale"], &["slow", "dangerous"], &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], &[]),
    spec("role", CmdId::Role, 1, &["noscript", "loading", "stale", "fast"], &["admin", "fast", "dangerous"], &[], &[]),
    spec("punsubscribe", CmdId::Punsubscribe, -1, &["pubsub", "noscript", "loading", "stale"], &["pubsub", "slow"], &[], &[]),
    spec("acl", CmdId::Acl, -2, &[], &["slow"], &[], ACL_SUBS),
    spec("auth", CmdId::Auth, -2, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], &["fast", "connection"], &[], &[]),
];

#[rustfmt::skip]
static SENTINEL_SUBS: &[CommandSpec] = &[
    spec("sentinel|flushconfig", CmdId::Sentinel, 2, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|info-cache", CmdId::Sentinel, -3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|is-master-down-by-addr", CmdId::Sentinel, 6, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|remove", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|debug", CmdId::Sentinel, -2, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|replicas", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|failover", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|myid", CmdId::Sentinel, 2, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|masters", CmdId::Sentinel, 2, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|monitor", CmdId::Sentinel, 6, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|sentinels", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|config", CmdId::Sentinel, -3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|pending-scripts", CmdId::Sentinel, 2, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|ckquorum", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|reset", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|slaves", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|simulate-failure", CmdId::Sentinel, -3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|get-master-addr-by-name", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|master", CmdId::Sentinel, 3, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|set", CmdId::Sentinel, -5, &["admin"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("sentinel|help", CmdId::Sentinel, 2, &["loading", "stale"], &["slow"], &[], &[]),
];

#[rustfmt::skip]
static CLIENT_SUBS: &[CommandSpec] = &[
    spec("client|unblock", CmdId::Client, -3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &[], &[]),
    spec("client|getname", CmdId::Client, 2, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|getredir", CmdId::Client, 2, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|no-evict", CmdId::Client, 3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &[], &[]),
    spec("client|trackinginfo", CmdId::Client, 2, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|caching", CmdId::Client, 3, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|info", CmdId::Client, 2, &["noscript", "loading", "stale"], &["slow", "connection"], &["nondeterministic_output"], &[]),
    spec("client|kill", CmdId::Client, -3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &[], &[]),
    spec("client|pause", CmdId::Client, -3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &[], &[]),
    spec("client|tracking", CmdId::Client, -3, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|help", CmdId::Client, 2, &["loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|setname", CmdId::Client, 3, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|unpause", CmdId::Client, 2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &[], &[]),
    spec("client|reply", CmdId::Client, 3, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|id", CmdId::Client, 2, &["noscript", "loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("client|list", CmdId::Client, -2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous", "connection"], &["nondeterministic_output"], &[]),
];

#[rustfmt::skip]
static COMMAND_SUBS: &[CommandSpec] = &[
    spec("command|help", CmdId::Command, 2, &["loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("command|getkeysandflags", CmdId::Command, -4, &["loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("command|count", CmdId::Command, 2, &["loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("command|getkeys", CmdId::Command, -4, &["loading", "stale"], &["slow", "connection"], &[], &[]),
    spec("command|docs", CmdId::Command, -2, &["loading", "stale"], &["slow", "connection"], &["nondeterministic_output_order"], &[]),
    spec("command|list", CmdId::Command, -2, &["loading", "stale"], &["slow", "connection"], &["nondeterministic_output_order"], &[]),
    spec("command|info", CmdId::Command, -2, &["loading", "stale"], &["slow", "connection"], &["nondeterministic_output_order"], &[]),
];

#[rustfmt::skip]
static ACL_SUBS: &[CommandSpec] = &[
    spec("acl|load", CmdId::Acl, 2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|list", CmdId::Acl, 2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|getuser", CmdId::Acl, 3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|users", CmdId::Acl, 2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|whoami", CmdId::Acl, 2, &["noscript", "loading", "stale"], &["slow"], &[], &[]),
    spec("acl|save", CmdId::Acl, 2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|dryrun", CmdId::Acl, -4, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|genpass", CmdId::Acl, -2, &["noscript", "loading", "stale"], &["slow"], &[], &[]),
    spec("acl|deluser", CmdId::Acl, -3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|cat", CmdId::Acl, -2, &["noscript", "loading", "stale"], &["slow"], &[], &[]),
    spec("acl|help", CmdId::Acl, 2, &["loading", "stale"], &["slow"], &[], &[]),
    spec("acl|setuser", CmdId::Acl, -3, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
    spec("acl|log", CmdId::Acl, -2, &["admin", "noscript", "loading", "stale"], &["admin", "slow", "dangerous"], &[], &[]),
];

/// `COMMAND LIST` in the order observed from Redis 7.0.15.
#[rustfmt::skip]
pub static LIST_ORDER: [&str; 72] = [
    "sentinel", "sentinel|flushconfig", "sentinel|info-cache", "sentinel|is-master-down-by-addr",
    "sentinel|remove", "sentinel|debug", "sentinel|replicas", "sentinel|failover",
    "sentinel|myid", "sentinel|masters", "sentinel|monitor", "sentinel|sentinels",
    "sentinel|config", "sentinel|pending-scripts", "sentinel|ckquorum", "sentinel|reset",
    "sentinel|slaves", "sentinel|simulate-failure", "sentinel|get-master-addr-by-name", "sentinel|master",
    "sentinel|set", "sentinel|help", "hello", "publish",
    "subscribe", "unsubscribe", "client", "client|unblock",
    "client|getname", "client|getredir", "client|no-evict", "client|trackinginfo",
    "client|caching", "client|info", "client|kill", "client|pause",
    "client|tracking", "client|help", "client|setname", "client|unpause",
    "client|reply", "client|id", "client|list", "psubscribe",
    "command", "command|help", "command|getkeysandflags", "command|count",
    "command|getkeys", "command|docs", "command|list", "command|info",
    "shutdown", "ping", "info", "role",
    "punsubscribe", "acl", "acl|load", "acl|list",
    "acl|getuser", "acl|users", "acl|whoami", "acl|save",
    "acl|dryrun", "acl|genpass", "acl|deluser", "acl|cat",
    "acl|help", "acl|setuser", "acl|log", "auth",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_15_commands_and_72_names() {
        assert_eq!(COMMANDS.len(), 15);
        assert_eq!(all_specs().count(), 72);
        let mut listed: Vec<&str> = LIST_ORDER.to_vec();
        let mut all: Vec<&str> = all_specs().map(|s| s.name).collect();
        listed.sort_unstable();
        all.sort_unstable();
        assert_eq!(listed, all);
    }

    #[test]
    fn lookup_resolves_subcommands_case_insensitively() {
        match lookup(&[b"Client", b"LIST"]) {
            Lookup::Found(s) => assert_eq!(s.name, "client|list"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(lookup(&[b"client"]), Lookup::Found(s) if s.name == "client"));
        assert!(matches!(
            lookup(&[b"client", b"nope"]),
            Lookup::UnknownSubcommand
        ));
        assert!(matches!(lookup(&[b"nope"]), Lookup::UnknownCommand));
        assert!(matches!(lookup(&[b"ping", b"x"]), Lookup::Found(s) if s.name == "ping"));
    }

    #[test]
    fn every_name_resolves_in_upper_and_lower_case() {
        for spec in all_specs() {
            assert!(
                spec.name.len() <= NAME_MAX,
                "{} longer than NAME_MAX",
                spec.name
            );
            let (top, sub) = spec.name.split_once('|').unwrap_or((spec.name, ""));
            for case in [str::to_ascii_lowercase, str::to_ascii_uppercase] {
                let args: Vec<String> = [top, sub]
                    .iter()
                    .filter(|a| !a.is_empty())
                    .map(|a| case(a))
                    .collect();
                let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                assert!(
                    matches!(lookup(&args), Lookup::Found(s) if s.name == spec.name),
                    "{args:?}"
                );
            }
        }
        // Longer than any name: unknown, not a panic.
        let long = [b'a'; 100];
        assert!(matches!(lookup(&[&long]), Lookup::UnknownCommand));
        assert!(matches!(
            lookup(&[b"sentinel", &long]),
            Lookup::UnknownSubcommand
        ));
    }

    #[test]
    fn valkey_primary_aliases_resolve_to_the_master_named_subcommands() {
        let cases: [(&[u8], &str); 4] = [
            (b"PRIMARY", "sentinel|master"),
            (b"primaries", "sentinel|masters"),
            (
                b"Get-Primary-Addr-By-Name",
                "sentinel|get-master-addr-by-name",
            ),
            (
                b"is-primary-down-by-addr",
                "sentinel|is-master-down-by-addr",
            ),
        ];
        for (sub, name) in cases {
            assert!(
                matches!(lookup_request(&[b"SENTINEL", sub]), Lookup::Found(s) if s.name == name),
                "{sub:?}"
            );
            // The 7.0 lookup (COMMAND GETKEYS, ACL rules) does not know them.
            assert!(matches!(
                lookup(&[b"sentinel", sub]),
                Lookup::UnknownSubcommand
            ));
        }
        // Only under SENTINEL, and unknown names stay unknown.
        assert!(matches!(
            lookup_request(&[b"client", b"primary"]),
            Lookup::UnknownSubcommand
        ));
        assert!(matches!(
            lookup_request(&[b"sentinel", b"primaryx"]),
            Lookup::UnknownSubcommand
        ));
        assert_eq!(all_specs().count(), 72);
    }

    #[test]
    fn fullname_lookup_accepts_container_pipe_sub() {
        assert_eq!(find_by_fullname(b"sentinel|SET").map(|s| s.arity), Some(-5));
        assert!(find_by_fullname(b"ping|x").is_none());
    }
}
