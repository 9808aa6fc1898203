//! `CLIENT <sub>`: ID, SETNAME, GETNAME, INFO, LIST, KILL (old and filter forms), HELP,
//! REPLY, NO-EVICT, PAUSE, UNPAUSE, GETREDIR, TRACKING, TRACKINGINFO, CACHING, UNBLOCK, and
//! Redis 7.2's SETINFO.
//! Arity was checked by dispatch from the table; the extra shape checks are Redis's own.

use super::help_text::CLIENT_HELP;
use super::{parse_i64, write_help};
use crate::resp::ReplyWriter;
use crate::server::client::{valid_client_name, ClientType, Tracking};
use crate::server::dispatch::subcommand_syntax_error;
use crate::server::{ClientId, Ctx, ReplyMode, Server};

const SYNTAX: &str = "ERR syntax error";

/// `CLIENT SETINFO lib-name|lib-ver <value>` as Redis 7.2's `clientSetinfoCommand` answers
/// it. The value is checked and accepted but not kept: 7.0.15's CLIENT LIST and CLIENT INFO
/// lines have no `lib-name=` / `lib-ver=` fields, and they stay byte-identical.
fn setinfo(attr: &[u8], value: &[u8], w: &mut ReplyWriter) {
    let attr_text = String::from_utf8_lossy(attr);
    if !attr.eq_ignore_ascii_case(b"lib-name") && !attr.eq_ignore_ascii_case(b"lib-ver") {
        return w.error(&format!("ERR Unrecognized option '{attr_text}'"));
    }
    if !valid_client_name(value) {
        return w.error(&format!(
            "ERR {attr_text} cannot contain spaces, newlines or special characters."
        ));
    }
    w.ok();
}

pub fn client(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let sub = args
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    match sub.as_slice() {
        b"id" => w.integer(
            srv.client(id)
                .map_or(0, |c| i64::try_from(c.id).unwrap_or(i64::MAX)),
        ),
        b"getname" => match srv.client(id).and_then(|c| c.name.clone()) {
            Some(n) => w.bulk(&n),
            None => w.null_bulk(),
        },
        b"setname" => {
            let name = arg(2);
            if !valid_client_name(name) {
                return w.error(
                    "ERR Client names cannot contain spaces, newlines or special characters.",
                );
            }
            if let Some(c) = srv.client_mut(id) {
                c.name = if name.is_empty() {
                    None
                } else {
                    Some(name.to_vec())
                };
            }
            w.ok();
        }
        b"setinfo" => setinfo(arg(2), arg(3), w),
        b"info" => {
            let mut line = String::new();
            if let Some(c) = srv.client(id) {
                c.write_info_line(ctx.now, &mut line);
            }
            line.push('\n');
            w.verbatim("txt", line.as_bytes());
        }
        b"list" => list(srv, args, ctx, w),
        b"kill" => kill(srv, id, args, w),
        b"help" => write_help(w, CLIENT_HELP),
        b"reply" => {
            let Some(c) = srv.client_mut(id) else { return };
            match arg(2).to_ascii_lowercase().as_slice() {
                b"on" => {
                    c.reply_mode = ReplyMode::On;
                    w.ok();
                }
                b"off" => c.reply_mode = ReplyMode::Off,
                b"skip" => {
                    if c.reply_mode != ReplyMode::Off {
                        c.reply_mode = ReplyMode::SkipNext;
                    }
                }
                _ => w.error(SYNTAX),
            }
        }
        b"no-evict" => {
            let on = match arg(2).to_ascii_lowercase().as_slice() {
                b"on" => true,
                b"off" => false,
                _ => return w.error(SYNTAX),
            };
            if let Some(c) = srv.client_mut(id) {
                c.no_evict = on;
            }
            w.ok();
        }
        b"pause" => pause(args, w),
        b"unpause" => w.ok(),
        b"getredir" => {
            let redir = srv.client(id).map_or(-1, |c| {
                if c.tracking.on {
                    i64::try_from(c.tracking.redirect).unwrap_or(-1)
                } else {
                    -1
                }
            });
            w.integer(redir);
        }
        b"tracking" => tracking(srv, id, args, w),
        b"trackinginfo" => trackinginfo(srv, id, w),
        b"caching" => caching(srv, id, args, w),
        b"unblock" => {
            if args.len() > 4 {
                return subcommand_syntax_error(w, args);
            }
            if parse_i64(arg(2)).is_none() {
                return w.error("ERR value is not an integer or out of range");
            }
            if args.len() == 4
                && !(arg(3).eq_ignore_ascii_case(b"timeout")
                    || arg(3).eq_ignore_ascii_case(b"error"))
            {
                return w.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            }
            // Nothing ever blocks in sentinel.
            w.integer(0);
        }
        _ => subcommand_syntax_error(w, args),
    }
}

/// `CLIENT LIST [TYPE t | ID id ...]`.
fn list(srv: &Server, args: &[&[u8]], ctx: &Ctx, w: &mut ReplyWriter) {
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    let mut out = String::new();
    if args.len() == 4 && arg(2).eq_ignore_ascii_case(b"type") {
        let Some(t) = ClientType::parse(arg(3)) else {
            return unknown_type(w, arg(3));
        };
        for (_, c) in srv.clients.iter().filter(|(_, c)| c.client_type() == t) {
            c.write_info_line(ctx.now, &mut out);
            out.push('\n');
        }
    } else if args.len() > 3 && arg(2).eq_ignore_ascii_case(b"id") {
        let mut ids = Vec::new();
        for a in args.iter().skip(3) {
            match parse_i64(a) {
                Some(n) => ids.push(n),
                None => return w.error("ERR Invalid client ID"),
            }
        }
        for want in ids {
            if let Some((_, c)) = srv
                .clients
                .iter()
                .find(|(_, c)| i64::try_from(c.id).ok() == Some(want))
            {
                c.write_info_line(ctx.now, &mut out);
                out.push('\n');
            }
        }
    } else if args.len() != 2 {
        return w.error(SYNTAX);
    } else {
        for (_, c) in srv.clients.iter() {
            c.write_info_line(ctx.now, &mut out);
            out.push('\n');
        }
    }
    w.verbatim("txt", out.as_bytes());
}

fn unknown_type(w: &mut ReplyWriter, name: &[u8]) {
    let mut text = b"ERR Unknown client type '".to_vec();
    text.extend_from_slice(name);
    text.push(b'\'');
    w.error_bytes(&text);
}

/// Filters of `CLIENT KILL`.
#[derive(Default)]
struct KillFilter<'a> {
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    ctype: Option<ClientType>,
    id: Option<u64>,
    user: Option<&'a [u8]>,
    skipme: bool,
}

/// `CLIENT KILL addr` (replies `+OK` / `-ERR No such client`) or
/// `CLIENT KILL <filter> <value> ...` (replies the number killed).
fn kill(srv: &mut Server, me: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let old_form = args.len() == 3;
    let mut f = KillFilter {
        skipme: true,
        ..KillFilter::default()
    };
    if old_form {
        f.addr = args.get(2).copied();
        f.skipme = false;
    } else if args.len() > 3 && args.len() % 2 == 0 {
        for pair in args.get(2..).unwrap_or_default().chunks(2) {
            let [opt, val] = pair else {
                return w.error(SYNTAX);
            };
            match opt.to_ascii_lowercase().as_slice() {
                b"id" => match parse_i64(val)
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|&n| n > 0)
                {
                    Some(n) => f.id = Some(n),
                    None => return w.error("ERR client-id should be greater than 0"),
                },
                b"type" => match ClientType::parse(val) {
                    Some(t) => f.ctype = Some(t),
                    None => return unknown_type(w, val),
                },
                b"addr" => f.addr = Some(val),
                b"laddr" => f.laddr = Some(val),
                b"user" => {
                    if srv.users.get(val).is_none() {
                        let mut text = b"ERR No such user '".to_vec();
                        text.extend_from_slice(val);
                        text.push(b'\'');
                        return w.error_bytes(&text);
                    }
                    f.user = Some(val);
                }
                b"skipme" => match val.to_ascii_lowercase().as_slice() {
                    b"yes" => f.skipme = true,
                    b"no" => f.skipme = false,
                    _ => return w.error(SYNTAX),
                },
                _ => return w.error(SYNTAX),
            }
        }
    } else {
        return w.error(SYNTAX);
    }

    let victims: Vec<usize> = srv
        .clients
        .iter()
        .filter(|(_, c)| f.addr.is_none_or_eq(c.addr().as_bytes()))
        .filter(|(_, c)| f.laddr.is_none_or_eq(c.laddr().as_bytes()))
        .filter(|(_, c)| f.ctype.is_none_or_eq(c.client_type()))
        .filter(|(_, c)| f.id.is_none_or_eq(c.id))
        .filter(|(_, c)| f.user.is_none_or_eq(&c.user))
        .filter(|(k, _)| !(f.skipme && *k == me.0))
        .map(|(k, _)| k)
        .collect();
    for &k in &victims {
        srv.disconnect(ClientId(k), me);
    }
    if old_form {
        if victims.is_empty() {
            w.error("ERR No such client");
        } else {
            w.ok();
        }
    } else {
        w.integer(i64::try_from(victims.len()).unwrap_or(i64::MAX));
    }
}

/// `None` matches anything; `Some(x)` only `x`.
trait MatchOpt<T> {
    fn is_none_or_eq(&self, v: T) -> bool;
}

impl<T: PartialEq> MatchOpt<T> for Option<T> {
    fn is_none_or_eq(&self, v: T) -> bool {
        self.as_ref().is_none_or(|x| *x == v)
    }
}

/// `CLIENT PAUSE timeout [WRITE|ALL]`: validated and acknowledged; sentinel has nothing
/// that a pause would hold back.
fn pause(args: &[&[u8]], w: &mut ReplyWriter) {
    if args.len() > 4 {
        return subcommand_syntax_error(w, args);
    }
    match args.get(2).and_then(|t| parse_i64(t)) {
        None => return w.error("ERR timeout is not an integer or out of range"),
        Some(t) if t < 0 => return w.error("ERR timeout is negative"),
        Some(_) => {}
    }
    if let Some(mode) = args.get(3) {
        if !(mode.eq_ignore_ascii_case(b"write") || mode.eq_ignore_ascii_case(b"all")) {
            return w.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
        }
    }
    w.ok();
}

/// `CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]`.
fn tracking(srv: &mut Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let mut new = Tracking {
        on: true,
        ..Tracking::default()
    };
    let mut j = 3;
    while let Some(opt) = args.get(j) {
        let next = args.get(j + 1);
        match (opt.to_ascii_lowercase().as_slice(), next) {
            (b"redirect", Some(v)) => {
                if new.redirect != 0 {
                    return w.error("ERR A client can only redirect to a single other client");
                }
                let Some(r) = parse_i64(v) else {
                    return w.error("ERR value is not an integer or out of range");
                };
                let exists = srv
                    .clients
                    .iter()
                    .any(|(_, c)| i64::try_from(c.id).ok() == Some(r));
                if !exists {
                    return w.error("ERR The client ID you want redirect to does not exist");
                }
                new.redirect = u64::try_from(r).unwrap_or(0);
                j += 1;
            }
            (b"prefix", Some(p)) => {
                new.prefixes.push(p.to_vec());
                j += 1;
            }
            (b"bcast", _) => new.bcast = true,
            (b"optin", _) => new.optin = true,
            (b"optout", _) => new.optout = true,
            (b"noloop", _) => new.noloop = true,
            _ => return w.error(SYNTAX),
        }
        j += 1;
    }
    let Some(c) = srv.client_mut(id) else { return };
    let mode = args
        .get(2)
        .copied()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match mode.as_slice() {
        b"on" => {
            if !new.bcast && !new.prefixes.is_empty() {
                return w.error("ERR PREFIX option requires BCAST mode to be enabled");
            }
            if c.tracking.on && c.tracking.bcast != new.bcast {
                return w.error(
                    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, \
                     and then re-enabling it with a different mode.",
                );
            }
            if new.bcast && (new.optin || new.optout) {
                return w.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
            }
            if new.optin && new.optout {
                return w.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
            }
            if (new.optin && c.tracking.optout) || (new.optout && c.tracking.optin) {
                return w.error(
                    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, \
                     and then re-enabling it with a different mode.",
                );
            }
            if new.bcast && new.prefixes.is_empty() {
                new.prefixes.push(Vec::new());
            }
            c.tracking = new;
        }
        b"off" => c.tracking = Tracking::default(),
        _ => return w.error(SYNTAX),
    }
    w.ok();
}

fn trackinginfo(srv: &Server, id: ClientId, w: &mut ReplyWriter) {
    let t = srv
        .client(id)
        .map(|c| c.tracking.clone())
        .unwrap_or_default();
    let mut flags: Vec<&str> = Vec::new();
    if !t.on {
        flags.push("off");
    } else {
        flags.push("on");
        for (set, name) in [
            (t.bcast, "bcast"),
            (t.optin, "optin"),
            (t.optout, "optout"),
            (t.noloop, "noloop"),
        ] {
            if set {
                flags.push(name);
            }
        }
    }
    w.map(3);
    w.bulk(b"flags");
    w.set(flags.len());
    for f in flags {
        w.bulk(f.as_bytes());
    }
    w.bulk(b"redirect");
    w.integer(if t.on {
        i64::try_from(t.redirect).unwrap_or(-1)
    } else {
        -1
    });
    w.bulk(b"prefixes");
    w.array(t.prefixes.len());
    for p in &t.prefixes {
        w.bulk(p);
    }
}

fn caching(srv: &Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    let t = srv
        .client(id)
        .map(|c| c.tracking.clone())
        .unwrap_or_default();
    if !t.on {
        return w.error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or \
             OPTOUT mode enabled",
        );
    }
    match args
        .get(2)
        .copied()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_slice()
    {
        b"yes" if t.optin => w.ok(),
        b"yes" => {
            w.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
        }
        b"no" if t.optout => w.ok(),
        b"no" => {
            w.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
        }
        _ => w.error(SYNTAX),
    }
}
