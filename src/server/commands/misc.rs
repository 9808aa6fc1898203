//! PING, ROLE and SHUTDOWN.

use crate::resp::{Proto, ReplyWriter};
use crate::server::{ClientId, Ctx, Server};

/// `PING [msg]`; RESP2 clients in subscribed mode get `*2 pong <msg-or-empty>`.
pub fn ping(srv: &mut Server, id: ClientId, args: &[&[u8]], w: &mut ReplyWriter) {
    if args.len() > 2 {
        return w.error("ERR wrong number of arguments for 'ping' command");
    }
    let pubsub_resp2 = srv
        .client(id)
        .is_some_and(|c| c.is_pubsub() && c.proto == Proto::Resp2);
    if pubsub_resp2 {
        w.array(2);
        w.bulk(b"pong");
        w.bulk(args.get(1).copied().unwrap_or_default());
    } else {
        match args.get(1) {
            Some(msg) => w.bulk(msg),
            None => w.simple("PONG"),
        }
    }
}

/// `ROLE`: `sentinel` and the monitored master names.
pub fn role(ctx: &mut Ctx, w: &mut ReplyWriter) {
    let names: Vec<&str> = ctx.core.master_names().collect();
    w.array(2);
    w.bulk(b"sentinel");
    w.array(names.len());
    for n in names {
        w.bulk(n.as_bytes());
    }
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`. Sentinel never saves; a valid request
/// sets the shutdown flag and gets no reply (the process exits).
pub fn shutdown(srv: &mut Server, args: &[&[u8]], w: &mut ReplyWriter) {
    let (mut save, mut nosave, mut other, mut abort) = (false, false, false, false);
    for a in args.iter().skip(1) {
        match a.to_ascii_lowercase().as_slice() {
            b"nosave" => nosave = true,
            b"save" => save = true,
            b"now" | b"force" => other = true,
            b"abort" => abort = true,
            _ => return w.error("ERR syntax error"),
        }
    }
    if (abort && (save || nosave || other)) || (save && nosave) {
        return w.error("ERR syntax error");
    }
    if abort {
        return w.error("ERR No shutdown in progress.");
    }
    srv.shutdown = true;
}
