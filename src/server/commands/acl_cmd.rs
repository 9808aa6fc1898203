//! `ACL <sub>`: SETUSER, DELUSER, GETUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN,
//! HELP, and LOAD/SAVE's error when no `aclfile` is configured — Redis 7.0.15's replies.

use super::help_text::{ACL_CATEGORIES, ACL_HELP};
use super::{parse_i64, write_help};
use crate::resp::ReplyWriter;
use crate::server::acl::selector::{channel_allowed, Denial};
use crate::server::acl::user::{merge_selector_args, valid_username};
use crate::server::acl::User;
use crate::server::command_table::{all_specs, lookup, Lookup};
use crate::server::dispatch::subcommand_syntax_error;
use crate::server::{ClientId, Ctx, Server};

const NO_ACLFILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may \
     want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming \
     you have a Redis configuration file set) in order to store users in the Redis configuration.";

/// `ACL <sub>` (arity already checked by dispatch).
pub fn acl(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let sub = args
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    match (sub.as_slice(), args.len()) {
        (b"setuser", 3..) => setuser(srv, id, args, w),
        (b"deluser", 3..) => deluser(srv, id, args, w),
        (b"getuser", 3) => getuser(srv, arg(2), w),
        (b"list", 2) => {
            let lines = srv.users.config_lines();
            w.array(lines.len());
            for l in lines {
                w.bulk(l.as_bytes());
            }
        }
        (b"users", 2) => {
            let names: Vec<Vec<u8>> = srv.users.users().map(|u| u.name.clone()).collect();
            w.array(names.len());
            for n in names {
                w.bulk(&n);
            }
        }
        (b"whoami", 2) => {
            let user = srv.client(id).map(|c| c.user.clone()).unwrap_or_default();
            w.bulk(&user);
        }
        (b"load" | b"save", _) if !srv.settings.aclfile_configured => w.error(NO_ACLFILE),
        (b"load" | b"save", 2) => w.error(
            "ERR ACL LOAD/SAVE with an aclfile is not supported by this sentinel; use `user` \
             directives in the sentinel config",
        ),
        (b"cat", 2) => {
            w.array(ACL_CATEGORIES.len());
            for c in ACL_CATEGORIES {
                w.bulk(c.as_bytes());
            }
        }
        (b"cat", 3) => acl_cat(arg(2), w),
        (b"genpass", 2 | 3) => genpass(srv, args, w),
        (b"log", 2 | 3) => log(srv, args, ctx, w),
        (b"dryrun", 4..) => dryrun(srv, args, w),
        (b"help", 2) => write_help(w, ACL_HELP),
        _ => subcommand_syntax_error(w, args),
    }
}

fn acl_cat(cat: &[u8], w: &mut ReplyWriter) {
    let lower = cat.to_ascii_lowercase();
    let Some(cat) = ACL_CATEGORIES.iter().find(|c| c.as_bytes() == lower) else {
        let mut text = b"ERR Unknown category '".to_vec();
        text.extend_from_slice(cat.get(..128).unwrap_or(cat));
        text.push(b'\'');
        return w.error_bytes(&text);
    };
    let names: Vec<&str> = all_specs()
        .filter(|s| s.in_category(cat))
        .map(|s| s.name)
        .collect();
    w.array(names.len());
    for n in names {
        w.bulk(n.as_bytes());
    }
}

/// `ACL SETUSER name rule...`: all rules are validated on a copy, then applied together.
fn setuser(srv: &mut Server, me: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let name = args.get(2).copied().unwrap_or_default();
    if !valid_username(name) {
        return w.error("ERR Usernames can't contain spaces or null characters");
    }
    let rules = args.get(3..).unwrap_or_default();
    let merged = match merge_selector_args(rules) {
        Ok(m) => m,
        Err(i) => {
            let mut text = b"ERR Unmatched parenthesis in acl selector starting at '".to_vec();
            text.extend_from_slice(rules.get(i).copied().unwrap_or_default());
            text.extend_from_slice(b"'.");
            return w.error_bytes(&text);
        }
    };
    let old = srv.users.get(name).cloned();
    let mut new = old.clone().unwrap_or_else(|| User::new(name));
    for op in &merged {
        if let Err(e) = new.apply(op) {
            let mut text = b"ERR Error in ACL SETUSER modifier '".to_vec();
            text.extend_from_slice(op);
            text.extend_from_slice(b"': ");
            text.extend_from_slice(e.text().as_bytes());
            return w.error_bytes(&text);
        }
    }
    if let Some(old) = &old {
        kill_pubsub_clients_if_needed(srv, me, &new, old);
    }
    srv.users.put(new);
    w.ok();
}

/// `ACLKillPubsubClientsIfNeeded`: when channel permissions shrink, the user's pub/sub
/// clients whose subscriptions are no longer allowed are disconnected.
fn kill_pubsub_clients_if_needed(srv: &mut Server, me: ClientId, new: &User, old: &User) {
    if new.selectors.iter().any(|s| s.allchannels) {
        return;
    }
    let upcoming: Vec<Vec<u8>> = new
        .selectors
        .iter()
        .flat_map(|s| s.channels.iter().cloned())
        .collect();
    let superset = old
        .selectors
        .iter()
        .flat_map(|s| s.channels.iter())
        .all(|c| upcoming.contains(c));
    if superset {
        return;
    }
    let name = old.name.as_slice();
    let victims: Vec<ClientId> = srv
        .client_ids()
        .filter(|&cid| {
            srv.client(cid).is_some_and(|c| {
                c.user == name
                    && c.is_pubsub()
                    && (c
                        .patterns
                        .iter()
                        .any(|p| !channel_allowed(&upcoming, p, true))
                        || c.channels
                            .iter()
                            .any(|ch| !channel_allowed(&upcoming, ch, false)))
            })
        })
        .collect();
    for cid in victims {
        srv.disconnect(cid, me);
    }
}

/// `ACL DELUSER name...`: `default` cannot go; clients of deleted users are disconnected.
fn deluser(srv: &mut Server, me: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let names = args.get(2..).unwrap_or_default();
    if names.iter().any(|n| *n == b"default") {
        return w.error("ERR The 'default' user cannot be removed");
    }
    let mut deleted = 0i64;
    for n in names {
        if srv.users.remove(n) {
            deleted += 1;
            let victims: Vec<ClientId> = srv
                .client_ids()
                .filter(|&cid| srv.client(cid).is_some_and(|c| c.user == *n))
                .collect();
            for cid in victims {
                if let Some(c) = srv.client_mut(cid) {
                    c.user = b"default".to_vec();
                    c.authenticated = false;
                }
                srv.disconnect(cid, me);
            }
        }
    }
    w.integer(deleted);
}

fn getuser(srv: &Server, name: &[u8], w: &mut ReplyWriter) {
    let Some(u) = srv.users.get(name) else {
        return w.null_bulk();
    };
    w.map(6);
    w.bulk(b"flags");
    let flags = u.flag_names();
    w.set(flags.len());
    for f in flags {
        w.bulk(f.as_bytes());
    }
    w.bulk(b"passwords");
    w.array(u.passwords.len());
    for p in &u.passwords {
        w.bulk(p.as_bytes());
    }
    let write_selector = |s: &crate::server::acl::Selector, w: &mut ReplyWriter| {
        w.bulk(b"commands");
        w.bulk(s.describe_commands().as_bytes());
        w.bulk(b"keys");
        w.bulk(s.keys_text().as_bytes());
        w.bulk(b"channels");
        w.bulk(s.channels_text().as_bytes());
    };
    if let Some(root) = u.root() {
        write_selector(root, w);
    }
    w.bulk(b"selectors");
    let others = u.selectors.get(1..).unwrap_or_default();
    w.array(others.len());
    for s in others {
        w.map(3);
        write_selector(s, w);
    }
}

/// `ACL GENPASS [bits]`: `(bits+3)/4` random hex characters (default 256 bits).
fn genpass(srv: &mut Server, args: &[&[u8]], w: &mut ReplyWriter) {
    let mut bits = 256i64;
    if let Some(b) = args.get(2) {
        match parse_i64(b) {
            Some(n) => bits = n,
            None => return w.error("ERR value is not an integer or out of range"),
        }
    }
    if !(1..=4096).contains(&bits) {
        return w.error(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a \
             positive number up to 4096",
        );
    }
    let chars = usize::try_from((bits + 3) / 4).unwrap_or(64);
    let hex = srv.random_hex(chars);
    w.bulk(hex.as_bytes());
}

/// `ACL LOG [count | RESET]`.
fn log(srv: &mut Server, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let mut count = 10usize;
    if let Some(a) = args.get(2) {
        if a.eq_ignore_ascii_case(b"reset") {
            srv.acl_log.reset();
            return w.ok();
        }
        match parse_i64(a) {
            Some(n) => count = usize::try_from(n).unwrap_or(0),
            None => return w.error("ERR value is not an integer or out of range"),
        }
    }
    let now_ms = ctx.host.unix_time_us() / 1000;
    srv.acl_log.write(count, now_ms, w);
}

/// `ACL DRYRUN user command [arg...]`: `+OK` or a bulk string saying what is denied.
fn dryrun(srv: &Server, args: &[&[u8]], w: &mut ReplyWriter) {
    let user = args.get(2).copied().unwrap_or_default();
    if srv.users.get(user).is_none() {
        let mut text = b"ERR User '".to_vec();
        text.extend_from_slice(user);
        text.extend_from_slice(b"' not found");
        return w.error_bytes(&text);
    }
    let cmd_args = args.get(3..).unwrap_or_default();
    let Lookup::Found(spec) = lookup(cmd_args) else {
        let mut text = b"ERR Command '".to_vec();
        text.extend_from_slice(cmd_args.first().copied().unwrap_or_default());
        text.extend_from_slice(b"' not found");
        return w.error_bytes(&text);
    };
    if !spec.arity_ok(cmd_args.len()) {
        return w.error(&format!(
            "ERR wrong number of arguments for '{}' command",
            spec.name
        ));
    }
    match srv.users.check_command(user, spec, cmd_args) {
        Ok(()) => w.ok(),
        Err(Denial::Command) => w.bulk(
            format!(
                "This user has no permissions to run the '{}' command",
                spec.name
            )
            .as_bytes(),
        ),
        Err(Denial::Channel(i)) => {
            let mut text = b"This user has no permissions to access the '".to_vec();
            text.extend_from_slice(cmd_args.get(i).copied().unwrap_or_default());
            text.extend_from_slice(b"' channel");
            w.bulk(&text);
        }
    }
}
