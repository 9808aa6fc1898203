//! The `SENTINEL` command family, `INFO sentinel`, `ROLE` and the hello `PUBLISH`: the
//! client commands that read or change the core. Arity was checked by the dispatcher.

use super::{command_table, Ctx};
use crate::resp::ReplyWriter;
use crate::sentinel::admin::{parse_i64, AdminError};
use crate::sentinel::instance::{Common, Master, Peer, Replica, Reported};
use crate::sentinel::{Millis, Sentinel};

const SAVE_FAILED: &str = "ERR Failed to save config file. Check server logs.";

const HELP: &[&str] = &[
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
];

fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

fn arg<'a>(args: &[&'a [u8]], i: usize) -> &'a [u8] {
    args.get(i).copied().unwrap_or_default()
}

/// Saves the config now, logs a failure and tells the core how it went.
fn save_now(ctx: &mut Ctx) -> bool {
    ctx.core.take_save_request();
    let result = ctx.host.save_config(ctx.core);
    if let Err(e) = &result {
        log::warn!(
            "WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
            e.0
        );
    }
    let result = result.as_ref().map(|_| ()).map_err(|e| e.0.as_str());
    ctx.core.save_finished(ctx.now, result);
    result.is_ok()
}

/// Saves the config and replies `+OK`, or the save error.
fn save_and_reply(ctx: &mut Ctx, w: &mut ReplyWriter) {
    if save_now(ctx) {
        w.ok()
    } else {
        w.error(SAVE_FAILED)
    }
}

/// `SENTINEL <sub> ...`; `args[0]` is `SENTINEL` itself.
pub fn sentinel(ctx: &mut Ctx, args: &[&[u8]], w: &mut ReplyWriter) {
    // Lowered on the stack (no allocation per command); "" matches no subcommand.
    let mut lower = [0u8; command_table::NAME_MAX];
    let sub = command_table::lowered(arg(args, 1), &mut lower)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("");
    let sub = command_table::sentinel_alias(sub).unwrap_or(sub);
    let now = ctx.now;
    let name = || text(arg(args, 2));
    match sub {
        "masters" => {
            w.array(ctx.core.masters.len());
            for m in &ctx.core.masters {
                write_master(ctx.core, m, now, w);
            }
        }
        "master" => match ctx.core.master(&name()) {
            Some(m) => write_master(ctx.core, m, now, w),
            None => w.error(&AdminError::NoSuchMaster.to_string()),
        },
        "replicas" | "slaves" => match ctx.core.master(&name()) {
            Some(m) => {
                let shown: Vec<&Replica> =
                    m.replicas.iter().filter(|r| r.replica_announced).collect();
                w.array(shown.len());
                for r in shown {
                    write_replica(ctx.core, r, now, w);
                }
            }
            None => w.error(&AdminError::NoSuchMaster.to_string()),
        },
        "sentinels" => match ctx.core.master(&name()) {
            Some(m) => {
                w.array(m.sentinels.len());
                for p in &m.sentinels {
                    write_peer(ctx.core, p, now, w);
                }
            }
            None => w.error(&AdminError::NoSuchMaster.to_string()),
        },
        "get-master-addr-by-name" => match ctx.core.master(&name()) {
            Some(m) => {
                let (h, p) = m.current_addr();
                w.array(2);
                w.bulk(ctx.core.announce_host(h).as_bytes());
                w.bulk_uint(u64::from(p));
            }
            None => w.null_array(),
        },
        "myid" => w.bulk(ctx.core.myid.as_bytes()),
        "help" => {
            w.array(HELP.len());
            for l in HELP {
                w.simple(l);
            }
        }
        "flushconfig" => save_and_reply(ctx, w),
        "monitor" => monitor(ctx, args, w),
        "remove" => match ctx.core.remove(&name()) {
            Ok(()) => save_and_reply(ctx, w),
            Err(e) => w.error(&e.to_string()),
        },
        "set" => {
            let rest = args.get(3..).unwrap_or_default();
            let host = &*ctx.host;
            let result = ctx
                .core
                .set_options(&name(), rest, &|p| host.is_executable(p));
            match result {
                Ok(()) => save_and_reply(ctx, w),
                Err(e) => {
                    if ctx.core.take_save_request() {
                        save_now(ctx);
                    }
                    w.error(&e.to_string());
                }
            }
        }
        "reset" => {
            let n = ctx.core.reset_matching(arg(args, 2), now);
            w.integer(i64::try_from(n).unwrap_or(i64::MAX));
        }
        "failover" => match ctx.core.force_failover(&name(), now) {
            Ok(()) => w.ok(),
            Err(e) => w.error(&e.to_string()),
        },
        "ckquorum" => ckquorum(ctx.core, &name(), w),
        "is-master-down-by-addr" => is_master_down(ctx, args, w),
        "info-cache" => info_cache(ctx.core, args.get(2..).unwrap_or_default(), now, w),
        "pending-scripts" => pending_scripts(ctx.core, now, w),
        "config" => config(ctx, args, w),
        "debug" => debug(ctx.core, args.get(2..).unwrap_or_default(), w),
        "simulate-failure" => simulate_failure(ctx.core, args.get(2..).unwrap_or_default(), w),
        _ => w.error(&format!(
            "ERR unknown subcommand '{}'. Try SENTINEL HELP.",
            truncate(&text(arg(args, 1)))
        )),
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(128).collect()
}

fn monitor(ctx: &mut Ctx, args: &[&[u8]], w: &mut ReplyWriter) {
    let Some(quorum) = parse_i64(arg(args, 5)) else {
        return w.error("ERR Invalid quorum");
    };
    let Some(port) = parse_i64(arg(args, 4)) else {
        return w.error("ERR Invalid port");
    };
    let (name, host) = (text(arg(args, 2)), text(arg(args, 3)));
    match ctx.core.monitor(ctx.now, &name, &host, port, quorum) {
        Ok(()) => save_and_reply(ctx, w),
        Err(e) => w.error(&e.to_string()),
    }
}

fn is_master_down(ctx: &mut Ctx, args: &[&[u8]], w: &mut ReplyWriter) {
    let int_err = "ERR value is not an integer or out of range";
    let Some(port) = parse_i64(arg(args, 3)) else {
        return w.error(int_err);
    };
    let Some(epoch) = parse_i64(arg(args, 4)) else {
        return w.error(int_err);
    };
    let runid = text(arg(args, 5));
    // A negative epoch would wrap to a huge one and poison current-epoch: refuse it when a
    // vote is asked for (redis-sentinel accepts it).
    let epoch = match u64::try_from(epoch) {
        Ok(e) => e,
        Err(_) if runid == "*" => 0,
        Err(_) => return w.error(int_err),
    };
    let mut reply =
        ctx.core
            .is_master_down_by_addr(ctx.now, &text(arg(args, 2)), port, epoch, &runid);
    // The vote (or the epoch it adopted) is on disk before the reply says so; if it cannot
    // be saved, the core rolled the vote back and no vote is given while saves fail.
    if ctx.core.take_save_request() {
        save_now(ctx);
    }
    if ctx.core.save_failing() {
        reply.leader = None;
        reply.leader_epoch = 0;
    }
    w.array(3);
    w.integer(i64::from(reply.down));
    match &reply.leader {
        Some(l) => w.bulk(l.as_bytes()),
        None => w.bulk(b"*"),
    }
    w.integer(i64::try_from(reply.leader_epoch).unwrap_or(i64::MAX));
}

fn ckquorum(core: &Sentinel, name: &str, w: &mut ReplyWriter) {
    let Some(m) = core.master(name) else {
        return w.error(&AdminError::NoSuchMaster.to_string());
    };
    let voters = m.sentinels.len() + 1;
    let usable = 1 + m
        .sentinels
        .iter()
        .filter(|p| p.common.s_down_since.is_none())
        .count();
    let no_quorum = usable < m.quorum as usize;
    let no_auth = usable < voters / 2 + 1;
    if !no_quorum && !no_auth {
        return w.simple(&format!(
            "OK {usable} usable Sentinels. Quorum and failover authorization can be reached"
        ));
    }
    let mut msg = format!("NOQUORUM {usable} usable Sentinels. ");
    if no_quorum {
        msg.push_str(
            "Not enough available Sentinels to reach the specified quorum for this master",
        );
    }
    if no_auth {
        if no_quorum {
            msg.push_str(". ");
        }
        msg.push_str(
            "Not enough available Sentinels to reach the majority and authorize a failover",
        );
    }
    w.error(&msg);
}

fn info_cache(core: &Sentinel, names: &[&[u8]], now: Millis, w: &mut ReplyWriter) {
    let masters: Vec<&Master> = names.iter().filter_map(|n| core.master(&text(n))).collect();
    w.array(masters.len() * 2);
    for m in masters {
        w.bulk(m.common.name.as_bytes());
        w.array(1 + m.replicas.len());
        let master_never = m.reported.info_refresh == 0;
        let entry = |w: &mut ReplyWriter, refresh: Millis, info: &Option<String>| {
            w.array(2);
            // Quirk kept: the "never refreshed" test for replicas looks at the master's field.
            w.integer(if master_never {
                0
            } else {
                i64::try_from(now.saturating_sub(refresh)).unwrap_or(0)
            });
            match info {
                Some(t) => w.bulk(t.as_bytes()),
                None => w.null_bulk(),
            }
        };
        entry(w, m.reported.info_refresh, &m.reported.info);
        for r in &m.replicas {
            entry(w, r.reported.info_refresh, &r.reported.info);
        }
    }
}

fn pending_scripts(core: &Sentinel, now: Millis, w: &mut ReplyWriter) {
    let jobs: Vec<_> = core.script_jobs().collect();
    w.array(jobs.len());
    for j in jobs {
        w.map(5);
        w.bulk(b"argv");
        w.array(j.argv.len());
        for a in &j.argv {
            w.bulk(a.as_bytes());
        }
        w.bulk(b"flags");
        w.bulk(if j.running { b"running" } else { b"scheduled" });
        w.bulk(b"pid");
        w.bulk_uint(u64::from(j.pid));
        if j.running {
            w.bulk(b"run-time");
            w.bulk_uint(now.saturating_sub(j.start_time));
        } else {
            w.bulk(b"run-delay");
            w.bulk_uint(j.start_time.saturating_sub(now));
        }
        w.bulk(b"retry-num");
        w.bulk_uint(u64::from(j.retry_num));
    }
}

/// Redis 7.2's `SENTINEL CONFIG SET/GET loglevel`: a shell-side setting, through [`Host`].
///
/// [`Host`]: super::Host
const LOGLEVEL: &str = "loglevel";

/// A `loglevel` value for SENTINEL CONFIG SET, or Redis's invalid-value error.
fn log_level(param: &str, value: &str) -> Result<crate::config::LogLevel, AdminError> {
    crate::config::LogLevel::parse(value).ok_or_else(|| AdminError::ConfigSetInvalidValue {
        param: param.to_string(),
        value: value.to_string(),
    })
}

fn is_tls_param(p: &str) -> bool {
    super::TLS_RELOADABLE.contains(&p)
}

/// Applies the TLS pairs of a `SENTINEL CONFIG SET` together; the error is the reply.
fn config_set_tls(ctx: &mut Ctx, pairs: Vec<(String, String)>) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    ctx.host.set_tls(&pairs).map_err(|e| {
        format!(
            "ERR CONFIG SET failed (possibly related to argument '{}') - Unable to update TLS \
             configuration: {e}",
            names.join("', '")
        )
    })
}

fn config(ctx: &mut Ctx, args: &[&[u8]], w: &mut ReplyWriter) {
    let op = text(arg(args, 2)).to_ascii_lowercase();
    let param = text(arg(args, 3)).to_ascii_lowercase();
    match (op.as_str(), args.len()) {
        ("set", 5) if is_tls_param(&param) => {
            match config_set_tls(ctx, vec![(param, text(arg(args, 4)).into_owned())]) {
                Ok(()) => save_and_reply(ctx, w),
                Err(e) => w.error(&e),
            }
        }
        ("set", 5) if param == LOGLEVEL => {
            match log_level(&text(arg(args, 3)), &text(arg(args, 4))) {
                Ok(level) => {
                    ctx.host.set_log_level(level);
                    save_and_reply(ctx, w)
                }
                Err(e) => w.error(&e.to_string()),
            }
        }
        ("set", 5) => match ctx
            .core
            .config_set(&text(arg(args, 3)), &text(arg(args, 4)))
        {
            Ok(()) => save_and_reply(ctx, w),
            Err(e) => w.error(&e.to_string()),
        },
        // Redis 7.2's form: several pairs, validated first, applied together.
        ("set", n) if n > 5 => config_set_many(ctx, args.get(3..).unwrap_or_default(), w),
        ("get", n) if n >= 4 => {
            let patterns = args.get(3..).unwrap_or_default();
            let mut pairs: Vec<_> = ctx
                .core
                .config_pairs()
                .into_iter()
                .filter(|(k, _)| {
                    patterns
                        .iter()
                        .any(|p| crate::glob::glob_match(p, k.as_bytes(), true))
                })
                .collect();
            // Redis 7.2 also matches `loglevel` by pattern; here only when asked by name,
            // so that `*` and the other patterns answer 7.0.15's six parameters.
            if patterns
                .iter()
                .any(|p| p.eq_ignore_ascii_case(LOGLEVEL.as_bytes()))
            {
                pairs.push((LOGLEVEL, ctx.host.log_level().name().to_string()));
            }
            w.map(pairs.len());
            for (k, v) in pairs {
                w.bulk(k.as_bytes());
                w.bulk(v.as_bytes());
            }
        }
        _ => w.error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."),
    }
}

/// `SENTINEL CONFIG SET p1 v1 p2 v2 ...` (7.2): nothing changes unless every pair is valid.
fn config_set_many(ctx: &mut Ctx, pairs: &[&[u8]], w: &mut ReplyWriter) {
    let mut seen: Vec<String> = Vec::new();
    for chunk in pairs.chunks(2) {
        let param = text(arg(chunk, 0)).to_ascii_lowercase();
        if seen.contains(&param) {
            return w.error(&format!(
                "ERR Duplicate argument '{param}' to SENTINEL CONFIG SET"
            ));
        }
        let Some(value) = chunk.get(1) else {
            return w.error(&format!("ERR Missing argument '{param}' value"));
        };
        // Validate on a scratch copy of the settings (TLS files: when applied, below).
        let mut probe = Sentinel::default();
        if param == LOGLEVEL {
            if let Err(e) = log_level(&text(arg(chunk, 0)), &text(value)) {
                return w.error(&e.to_string());
            }
        } else if !is_tls_param(&param) {
            if let Err(e) = probe.config_set(&param, &text(value)) {
                return w.error(&e.to_string());
            }
        }
        seen.push(param);
    }
    // The TLS files together (a certificate and its key change at once), before anything
    // else changes: if they are refused, nothing is.
    let tls: Vec<(String, String)> = pairs
        .chunks(2)
        .filter_map(|c| {
            let p = text(arg(c, 0)).to_ascii_lowercase();
            is_tls_param(&p).then(|| (p, text(arg(c, 1)).into_owned()))
        })
        .collect();
    if let Err(e) = config_set_tls(ctx, tls) {
        return w.error(&e);
    }
    for chunk in pairs.chunks(2) {
        let param = text(arg(chunk, 0)).to_ascii_lowercase();
        if param == LOGLEVEL {
            if let Ok(level) = log_level(&param, &text(arg(chunk, 1))) {
                ctx.host.set_log_level(level);
            }
            continue;
        }
        if is_tls_param(&param) {
            continue;
        }
        if let Err(e) = ctx
            .core
            .config_set(&text(arg(chunk, 0)), &text(arg(chunk, 1)))
        {
            return w.error(&e.to_string());
        }
    }
    save_and_reply(ctx, w);
}

fn debug(core: &mut Sentinel, pairs: &[&[u8]], w: &mut ReplyWriter) {
    if pairs.is_empty() {
        let fields = core.timing.fields();
        w.map(fields.len());
        for (k, v) in fields {
            w.bulk(k.as_bytes());
            w.bulk_uint(v);
        }
        return;
    }
    let mut j = 0;
    while j < pairs.len() {
        let name = text(arg(pairs, j));
        let Some(value) = pairs.get(j + 1) else {
            return w.error(&format!(
                "ERR Unknown option or number of arguments for SENTINEL DEBUG '{name}'"
            ));
        };
        let Some(knob) = core.timing.knob_mut(&name) else {
            return w.error(&format!(
                "ERR Unknown option or number of arguments for SENTINEL DEBUG '{name}'"
            ));
        };
        match parse_i64(value).filter(|&n| n > 0) {
            Some(n) => *knob = n as u64,
            None => {
                return w.error(&format!(
                    "ERR Invalid argument '{}' for SENTINEL DEBUG '{name}'",
                    text(value)
                ));
            }
        }
        j += 2;
    }
    w.ok();
}

fn simulate_failure(core: &mut Sentinel, opts: &[&[u8]], w: &mut ReplyWriter) {
    core.simulate_failure = 0;
    for o in opts {
        match text(o).to_ascii_lowercase().as_str() {
            "crash-after-election" => {
                core.simulate_failure |= crate::sentinel::SIMFAILURE_CRASH_AFTER_ELECTION
            }
            "crash-after-promotion" => {
                core.simulate_failure |= crate::sentinel::SIMFAILURE_CRASH_AFTER_PROMOTION
            }
            "help" => {
                w.array(2);
                w.bulk(b"crash-after-election");
                w.bulk(b"crash-after-promotion");
                return;
            }
            _ => return w.error("ERR Unknown failure simulation specified"),
        }
    }
    w.ok();
}

/// Counts the field/value pairs, then writes them: a RESP2 flat array or a RESP3 map.
struct Fields {
    pairs: Vec<(&'static str, String)>,
}

impl Fields {
    fn add(&mut self, k: &'static str, v: impl ToString) {
        self.pairs.push((k, v.to_string()));
    }
    fn write(self, w: &mut ReplyWriter) {
        w.map(self.pairs.len());
        for (k, v) in self.pairs {
            w.bulk(k.as_bytes());
            w.bulk(v.as_bytes());
        }
    }
}

fn common_fields(
    core: &Sentinel,
    c: &Common,
    flags: String,
    failover_state: Option<&str>,
    odown_since: Option<Millis>,
    now: Millis,
) -> Fields {
    let mut f = Fields {
        pairs: Vec::with_capacity(24),
    };
    let link = core.link(c.link);
    f.add("name", &c.name);
    f.add("ip", core.announce_host(&c.host));
    f.add("port", c.port);
    f.add("runid", c.runid.as_deref().unwrap_or(""));
    f.add("flags", flags);
    f.add(
        "link-pending-commands",
        link.map_or(0, |l| l.pending_commands),
    );
    f.add("link-refcount", link.map_or(1, |l| l.refcount));
    if let Some(s) = failover_state {
        f.add("failover-state", s);
    }
    f.add(
        "last-ping-sent",
        link.and_then(|l| l.act_ping_time)
            .map_or(0, |t| now.saturating_sub(t)),
    );
    f.add(
        "last-ok-ping-reply",
        link.map_or(0, |l| now.saturating_sub(l.last_avail_time)),
    );
    f.add(
        "last-ping-reply",
        link.map_or(0, |l| now.saturating_sub(l.last_pong_time)),
    );
    if let Some(t) = c.s_down_since {
        f.add("s-down-time", now.saturating_sub(t));
    }
    if let Some(t) = odown_since {
        f.add("o-down-time", now.saturating_sub(t));
    }
    f.add("down-after-milliseconds", c.down_after);
    f
}

fn flags_string(parts: &[(bool, &str)]) -> String {
    parts
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, s)| *s)
        .collect::<Vec<_>>()
        .join(",")
}

fn disconnected(core: &Sentinel, c: &Common) -> bool {
    core.link(c.link).is_none_or(|l| l.disconnected())
}

/// The fields masters and replicas both take from their INFO: `info-refresh`,
/// `role-reported`, `role-reported-time`.
fn add_reported(f: &mut Fields, r: &Reported, now: Millis) {
    let age = if r.info_refresh == 0 {
        0
    } else {
        now.saturating_sub(r.info_refresh)
    };
    f.add("info-refresh", age);
    f.add("role-reported", r.role.as_str());
    f.add("role-reported-time", now.saturating_sub(r.role_time));
}

fn write_master(core: &Sentinel, m: &Master, now: Millis, w: &mut ReplyWriter) {
    let c = &m.common;
    let flags = flags_string(&[
        (c.s_down_since.is_some(), "s_down"),
        (m.o_down_since.is_some(), "o_down"),
        (true, "master"),
        (disconnected(core, c), "disconnected"),
        (m.failover_in_progress(), "failover_in_progress"),
        (m.force_failover, "force_failover"),
        (c.script_kill_sent, "script_kill_sent"),
    ]);
    let state = m.failover_in_progress().then(|| m.failover_state.as_str());
    let mut f = common_fields(core, c, flags, state, m.o_down_since, now);
    add_reported(&mut f, &m.reported, now);
    f.add("config-epoch", m.config_epoch);
    f.add("num-slaves", m.replicas.len());
    f.add("num-other-sentinels", m.sentinels.len());
    f.add("quorum", m.quorum);
    f.add("failover-timeout", m.failover_timeout);
    f.add("parallel-syncs", m.parallel_syncs);
    if let Some(s) = &m.notification_script {
        f.add("notification-script", s);
    }
    if let Some(s) = &m.client_reconfig_script {
        f.add("client-reconfig-script", s);
    }
    f.write(w);
}

fn write_replica(core: &Sentinel, r: &Replica, now: Millis, w: &mut ReplyWriter) {
    let c = &r.common;
    let flags = flags_string(&[
        (c.s_down_since.is_some(), "s_down"),
        (true, "slave"),
        (disconnected(core, c), "disconnected"),
        (r.promoted, "promoted"),
        (r.reconf_sent, "reconf_sent"),
        (r.reconf_inprog, "reconf_inprog"),
        (r.reconf_done, "reconf_done"),
        (c.script_kill_sent, "script_kill_sent"),
    ]);
    let mut f = common_fields(core, c, flags, None, None, now);
    add_reported(&mut f, &r.reported, now);
    f.add("master-link-down-time", r.master_link_down_time);
    f.add(
        "master-link-status",
        if r.master_link_up { "ok" } else { "err" },
    );
    f.add("master-host", r.master_host.as_deref().unwrap_or("?"));
    f.add("master-port", r.master_port);
    f.add("slave-priority", r.slave_priority);
    f.add("slave-repl-offset", r.slave_repl_offset);
    f.add("replica-announced", u8::from(r.replica_announced));
    f.write(w);
}

fn write_peer(core: &Sentinel, p: &Peer, now: Millis, w: &mut ReplyWriter) {
    let c = &p.common;
    let flags = flags_string(&[
        (c.s_down_since.is_some(), "s_down"),
        (true, "sentinel"),
        (disconnected(core, c), "disconnected"),
        (p.master_down, "master_down"),
    ]);
    let mut f = common_fields(core, c, flags, None, None, now);
    f.add("last-hello-message", now.saturating_sub(p.last_hello_time));
    f.add("voted-leader", p.leader.as_deref().unwrap_or("?"));
    f.add("voted-leader-epoch", p.leader_epoch);
    f.write(w);
}

/// Appends the `# Sentinel` INFO section (without a trailing blank line).
pub fn info_section(ctx: &Ctx, out: &mut String) {
    use std::fmt::Write as _;
    let core = &*ctx.core;
    let tilt_since = if core.tilt {
        (ctx.now.saturating_sub(core.tilt_start_time) / 1000) as i64
    } else {
        -1
    };
    let jobs: Vec<_> = core.script_jobs().collect();
    let running = jobs.iter().filter(|j| j.running).count();
    let _ = write!(
        out,
        "# Sentinel\r\nsentinel_masters:{}\r\nsentinel_tilt:{}\r\nsentinel_tilt_since_seconds:{tilt_since}\r\n\
         sentinel_running_scripts:{running}\r\nsentinel_scripts_queue_length:{}\r\n\
         sentinel_simulate_failure_flags:{}\r\n",
        core.masters.len(),
        u8::from(core.tilt),
        jobs.len(),
        core.simulate_failure
    );
    for (i, m) in core.masters.iter().enumerate() {
        let status = if m.o_down_since.is_some() {
            "odown"
        } else if m.common.s_down_since.is_some() {
            "sdown"
        } else {
            "ok"
        };
        let _ = write!(
            out,
            "master{i}:name={},status={status},address={}:{},slaves={},sentinels={}\r\n",
            m.common.name,
            core.announce_host(&m.common.host),
            m.common.port,
            m.replicas.len(),
            m.sentinels.len() + 1
        );
    }
}

/// `PUBLISH __sentinel__:hello <payload>` from a peer: hand the hello to the core.
pub fn hello_from_peer(ctx: &mut Ctx, payload: &[u8]) {
    ctx.core.process_hello(ctx.now, payload);
}
