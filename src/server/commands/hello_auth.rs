//! HELLO and AUTH: authentication against the ACL users (failures go to the ACL log) and
//! the protocol switch.

use super::parse_i64;
use crate::resp::{Proto, ReplyWriter};
use crate::server::acl::LogReason;
use crate::server::client::valid_client_name;
use crate::server::dispatch::acl_log_event;
use crate::server::{ClientId, Ctx, Server};

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
const NAME_ERR: &str = "ERR Client names cannot contain spaces, newlines or special characters.";

/// Authenticates `client` as `user` if the credentials check out (`ACLAuthenticateUser`);
/// a failure is logged with the command name as typed.
fn authenticate(
    srv: &mut Server,
    id: ClientId,
    args: &[&[u8]],
    (user, pass): (&[u8], &[u8]),
    ctx: &mut Ctx,
) -> bool {
    if !srv.users.check(user, pass) {
        let object = args.first().copied().unwrap_or_default();
        acl_log_event(srv, id, LogReason::Auth, object, Some(user), ctx);
        return false;
    }
    if let Some(c) = srv.client_mut(id) {
        c.authenticated = true;
        c.user = user.to_vec();
    }
    true
}

/// `AUTH [user] pass`.
pub fn auth(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
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
    if authenticate(srv, id, args, (user, pass), ctx) {
        w.ok();
    } else {
        w.error(WRONGPASS);
    }
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`: a 6-pair map in the new protocol.
pub fn hello(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
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
            return w.error_bytes(&text);
        }
    }
    let auth_required =
        srv.users.auth_required_by_default() && !srv.client(id).is_some_and(|c| c.authenticated);
    if auth_required && creds.is_none() {
        return w.error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select the \
             RESP protocol version at the same time",
        );
    }
    if let Some((u, p)) = creds {
        if !authenticate(srv, id, args, (u, p), ctx) {
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
