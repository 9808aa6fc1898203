//! HELLO, AUTH and the ACL subcommands sentinel answers today (WHOAMI, HELP, CAT, USERS,
//! LIST and GETUSER for nopass users, SAVE/LOAD errors). Everything goes through
//! [`UserDb`](crate::server::UserDb) so full ACL users can be added later.

use super::help_text::{ACL_CATEGORIES, ACL_HELP};
use super::{parse_i64, write_help};
use crate::resp::{Proto, ReplyWriter};
use crate::server::client::valid_client_name;
use crate::server::command_table::all_specs;
use crate::server::dispatch::{error_bytes, subcommand_syntax_error};
use crate::server::{ClientId, Server};

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
const NAME_ERR: &str = "ERR Client names cannot contain spaces, newlines or special characters.";

/// Authenticates `client` as `user` if the credentials check out.
fn authenticate(srv: &mut Server, id: ClientId, user: &[u8], pass: &[u8]) -> bool {
    if !srv.users.check(user, pass) {
        return false;
    }
    if let Some(c) = srv.client_mut(id) {
        c.authenticated = true;
        c.user = String::from_utf8_lossy(user).into_owned();
    }
    true
}

/// `AUTH [user] pass`.
pub fn auth(srv: &mut Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let (user, pass): (&[u8], &[u8]) = match args {
        [_, pass] => {
            if srv.users.default_is_nopass() {
                return w.error(
                    "ERR AUTH <password> called without any password configured for the default user. \
                     Are you sure your configuration is correct?",
                );
            }
            (b"default", pass)
        }
        [_, user, pass] => (user, pass),
        _ => return w.error("ERR syntax error"),
    };
    if authenticate(srv, id, user, pass) {
        w.ok();
    } else {
        w.error(WRONGPASS);
    }
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`: a 6-pair map in the new protocol.
pub fn hello(srv: &mut Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let mut proto = None;
    if let Some(v) = args.get(1) {
        let Some(ver) = parse_i64(v) else {
            return w.error("ERR Protocol version is not an integer or out of range");
        };
        proto = match ver {
            2 => Some(Proto::Resp2),
            3 => Some(Proto::Resp3),
            _ => return w.error("NOPROTO unsupported protocol version"),
        };
    }
    let mut creds: Option<(&[u8], &[u8])> = None;
    let mut name: Option<&[u8]> = None;
    let mut j = 2;
    while let Some(opt) = args.get(j) {
        let more = args.len() - 1 - j;
        if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
            if let (Some(u), Some(p)) = (args.get(j + 1), args.get(j + 2)) {
                creds = Some((u, p));
            }
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
            let n = args.get(j + 1).copied().unwrap_or_default();
            if !valid_client_name(n) {
                return w.error(NAME_ERR);
            }
            name = Some(n);
            j += 2;
        } else {
            let mut text = b"ERR Syntax error in HELLO option '".to_vec();
            text.extend_from_slice(opt);
            text.push(b'\'');
            return error_bytes(w, &text);
        }
    }
    let authenticated = srv.client(id).is_some_and(|c| c.authenticated);
    if !authenticated && creds.is_none() {
        return w.error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select the \
             RESP protocol version at the same time",
        );
    }
    if let Some((u, p)) = creds {
        if !authenticate(srv, id, u, p) {
            return w.error(WRONGPASS);
        }
    }
    let Some(c) = srv.client_mut(id) else {
        return;
    };
    if let Some(n) = name {
        c.name = if n.is_empty() { None } else { Some(n.to_vec()) };
    }
    if let Some(p) = proto {
        c.proto = p;
        w.proto = p;
    }
    let proto_num = if c.proto == Proto::Resp3 { 3 } else { 2 };
    let client_id = i64::try_from(c.id).unwrap_or(i64::MAX);
    w.map(6);
    w.bulk(b"server");
    w.bulk(b"redis");
    w.bulk(b"version");
    w.bulk(b"7.0.15");
    w.bulk(b"proto");
    w.integer(proto_num);
    w.bulk(b"id");
    w.integer(client_id);
    w.bulk(b"mode");
    w.bulk(b"sentinel");
    w.bulk(b"modules");
    w.array(0);
}

/// `ACL <sub>`.
pub fn acl(srv: &mut Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let sub = args
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    match sub.as_slice() {
        b"whoami" => {
            let user = srv.client(id).map(|c| c.user.clone()).unwrap_or_default();
            w.bulk(user.as_bytes());
        }
        b"help" => write_help(w, ACL_HELP),
        b"cat" => acl_cat(args, w),
        b"users" => {
            let names: Vec<&str> = srv.users.names().collect();
            w.array(names.len());
            for n in names {
                w.bulk(n.as_bytes());
            }
        }
        b"list" => acl_list(srv, w),
        b"getuser" => acl_getuser(srv, args, w),
        b"save" | b"load" => w.error(
            "ERR This Redis instance is not configured to use an ACL file. You may want to specify \
             users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a \
             Redis configuration file set) in order to store users in the Redis configuration.",
        ),
        // Not implemented yet: SETUSER, DELUSER, DRYRUN, GENPASS, LOG.
        _ => {
            let mut text = b"ERR ACL ".to_vec();
            text.extend_from_slice(&sub.to_ascii_uppercase());
            text.extend_from_slice(b" is not supported by this sentinel yet");
            error_bytes(w, &text);
        }
    }
}

/// `ACL CAT [category]`: the categories, or the commands (and subcommands) in one.
fn acl_cat(args: &[&[u8]], w: &mut ReplyWriter) {
    match args.len() {
        2 => {
            w.array(ACL_CATEGORIES.len());
            for c in ACL_CATEGORIES {
                w.bulk(c.as_bytes());
            }
        }
        3 => {
            let cat = args
                .get(2)
                .copied()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let Some(cat) = ACL_CATEGORIES.iter().find(|c| c.as_bytes() == cat) else {
                let mut text = b"ERR Unknown category '".to_vec();
                text.extend_from_slice(args.get(2).copied().unwrap_or_default());
                text.push(b'\'');
                return error_bytes(w, &text);
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
        _ => subcommand_syntax_error(w, args),
    }
}

/// `ACL LIST` for the users we have. Password hashes (SHA-256) are not produced yet, so a
/// user with passwords is listed with `#<redacted>`.
fn acl_list(srv: &Server, w: &mut ReplyWriter) {
    let names: Vec<String> = srv.users.names().map(str::to_string).collect();
    w.array(names.len());
    for n in names {
        let Some(u) = srv.users.get(n.as_bytes()) else {
            continue;
        };
        let state = if u.enabled { "on" } else { "off" };
        let pass = if u.nopass {
            "nopass".to_string()
        } else {
            "#<redacted>".to_string()
        };
        w.bulk(format!("user {} {state} {pass} ~* &* +@all", u.name).as_bytes());
    }
}

/// `ACL GETUSER name`: the user's description map, or null.
fn acl_getuser(srv: &Server, args: &[&[u8]], w: &mut ReplyWriter) {
    let Some(u) = args.get(2).and_then(|n| srv.users.get(n)) else {
        return w.null_bulk();
    };
    let mut flags = vec![if u.enabled { "on" } else { "off" }];
    if u.nopass {
        flags.push("nopass");
    }
    w.map(6);
    w.bulk(b"flags");
    w.set(flags.len());
    for f in flags {
        w.bulk(f.as_bytes());
    }
    w.bulk(b"passwords");
    w.array(0);
    w.bulk(b"commands");
    w.bulk(b"+@all");
    w.bulk(b"keys");
    w.bulk(b"~*");
    w.bulk(b"channels");
    w.bulk(b"&*");
    w.bulk(b"selectors");
    w.array(0);
}
