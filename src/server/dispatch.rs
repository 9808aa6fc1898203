//! Command dispatch, in Redis 7.0 `processCommand` order: `rename-command` translation,
//! lookup (unknown command / unknown subcommand), arity, authentication, the ACL permission
//! check (denials logged), the RESP2 subscribed-mode restriction; then the handler, the
//! counters and `CLIENT REPLY OFF|SKIP`.

use super::acl::log::LogEntry;
use super::acl::{Denial, LogReason};
use super::command_table::{self, CmdId, CommandSpec, Lookup};
use super::{client, commands, pubsub, sentinel_cmd, ClientId, Ctx, ReplyMode, Server};
use crate::resp::{Proto, ReplyWriter};

/// Runs `args` for client `id` and leaves the reply in its output buffer.
pub fn execute(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx) {
    let Some(c) = srv.clients.get_mut(id.0) else {
        return;
    };
    // Like Redis, nothing more is read from a client that is being closed.
    if args.is_empty() || c.close_after_reply {
        return;
    }
    c.last_interaction = ctx.now;
    c.cur_qbuf = client::multibulk_len(args);
    c.cur_argv_mem = args.iter().map(|a| a.len()).sum();
    c.cur_argc = args.len();
    if c.reply_mode == ReplyMode::SkipNext {
        c.reply_mode = ReplyMode::Skip;
    }
    let proto = c.proto;
    let mut out = std::mem::take(&mut c.output);
    let start = out.len();

    let mut w = ReplyWriter::new(&mut out, proto);
    match renamed(&srv.settings.renamed_commands, args) {
        Rename::Unchanged => run(srv, id, args, ctx, &mut w),
        Rename::To(original) => {
            let mut translated: Vec<&[u8]> = Vec::with_capacity(args.len());
            translated.push(original.as_bytes());
            translated.extend(args.iter().skip(1).copied());
            run(srv, id, &translated, ctx, &mut w);
        }
        Rename::Hidden => {
            set_last_cmd(srv, id, None);
            w.error_bytes(&unknown_command_text(args));
        }
    }

    if out.get(start) == Some(&b'-') {
        srv.stats.total_error_replies += 1;
    }
    let Some(c) = srv.clients.get_mut(id.0) else {
        return;
    };
    match c.reply_mode {
        ReplyMode::Off => out.truncate(start),
        ReplyMode::Skip => {
            out.truncate(start);
            c.reply_mode = ReplyMode::On;
        }
        ReplyMode::On | ReplyMode::SkipNext => {}
    }
    c.reply_peak = c.reply_peak.max(out.len() - start);
    // Anything queued for this client while its buffer was taken goes after the reply.
    let queued = std::mem::replace(&mut c.output, out);
    c.output.extend_from_slice(&queued);
}

/// What generic `rename-command` does to a command name.
enum Rename {
    Unchanged,
    /// The typed name is a new name: run the original command.
    To(String),
    /// The typed name was renamed away (or disabled): it does not exist.
    Hidden,
}

fn renamed(table: &[(String, String)], args: &[&[u8]]) -> Rename {
    let Some(name) = args.first() else {
        return Rename::Unchanged;
    };
    if table.is_empty() {
        return Rename::Unchanged;
    }
    if let Some((old, _)) = table
        .iter()
        .find(|(_, new)| !new.is_empty() && new.as_bytes().eq_ignore_ascii_case(name))
    {
        return Rename::To(old.clone());
    }
    if table
        .iter()
        .any(|(old, _)| old.as_bytes().eq_ignore_ascii_case(name))
    {
        return Rename::Hidden;
    }
    Rename::Unchanged
}

fn run(srv: &mut Server, id: ClientId, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let spec = match command_table::lookup_request(args) {
        Lookup::Found(spec) => spec,
        Lookup::UnknownCommand => {
            set_last_cmd(srv, id, None);
            return w.error_bytes(&unknown_command_text(args));
        }
        Lookup::UnknownSubcommand => {
            set_last_cmd(srv, id, None);
            return w.error_bytes(&unknown_subcommand_text(args));
        }
    };
    set_last_cmd(srv, id, Some(spec.name));
    if !spec.arity_ok(args.len()) {
        return w.error(&format!(
            "ERR wrong number of arguments for '{}' command",
            spec.name
        ));
    }
    let Some(c) = srv.clients.get(id.0) else {
        return;
    };
    if !c.authenticated && srv.users.auth_required_by_default() && !spec.has_flag("no_auth") {
        return w.error("NOAUTH Authentication required.");
    }
    if let Err(denial) = srv
        .users
        .check_command(&c.user, command_table::acl_spec(spec), args)
    {
        return deny(srv, id, spec, args, denial, ctx, w);
    }
    let Some(c) = srv.clients.get(id.0) else {
        return;
    };
    if c.is_pubsub() && c.proto == Proto::Resp2 && !allowed_in_resp2_pubsub(spec) {
        return w.error(&format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET \
             are allowed in this context",
            spec.name
        ));
    }
    srv.stats.total_commands_processed += 1;
    match spec.id {
        CmdId::Ping => commands::misc::ping(srv, id, args, w),
        CmdId::Info => commands::info::info(srv, args, ctx, w),
        CmdId::Role => commands::misc::role(ctx, w),
        CmdId::Auth => commands::hello_auth::auth(srv, id, args, ctx, w),
        CmdId::Hello => commands::hello_auth::hello(srv, id, args, ctx, w),
        CmdId::Client => commands::client_cmd::client(srv, id, args, ctx, w),
        CmdId::Acl => commands::acl_cmd::acl(srv, id, args, ctx, w),
        CmdId::Command => commands::command_cmd::command(args, w),
        CmdId::Subscribe => pubsub::subscribe(srv, id, args, w, false),
        CmdId::Psubscribe => pubsub::subscribe(srv, id, args, w, true),
        CmdId::Unsubscribe => pubsub::unsubscribe(srv, id, args, w, false),
        CmdId::Punsubscribe => pubsub::unsubscribe(srv, id, args, w, true),
        CmdId::Publish => pubsub::publish_command(args, ctx, w),
        CmdId::Sentinel => sentinel_cmd::sentinel(ctx, args, w),
        CmdId::Shutdown => commands::misc::shutdown(srv, args, w),
    }
}

/// An ACL denial: logged, then `-NOPERM` with Redis's text.
fn deny(
    srv: &mut Server,
    id: ClientId,
    spec: &CommandSpec,
    args: &[&[u8]],
    denial: Denial,
    ctx: &mut Ctx,
    w: &mut ReplyWriter,
) {
    match denial {
        Denial::Command => {
            acl_log_event(srv, id, LogReason::Command, spec.name.as_bytes(), None, ctx);
            w.error(&format!(
                "NOPERM this user has no permissions to run the '{}' command",
                spec.name
            ));
        }
        Denial::Channel(i) => {
            let channel = args.get(i).copied().unwrap_or_default();
            acl_log_event(srv, id, LogReason::Channel, channel, None, ctx);
            w.error(
                "NOPERM this user has no permissions to access one of the channels used as \
                 arguments",
            );
        }
    }
}

/// Adds an ACL log entry about client `id` (`username` defaults to the client's user).
pub(crate) fn acl_log_event(
    srv: &mut Server,
    id: ClientId,
    reason: LogReason,
    object: &[u8],
    username: Option<&[u8]>,
    ctx: &mut Ctx,
) {
    let Some(c) = srv.clients.get(id.0) else {
        return;
    };
    let mut client_info = String::new();
    c.write_info_line(ctx.now, &mut client_info);
    let username = username.map_or_else(|| c.user.clone(), <[u8]>::to_vec);
    srv.acl_log.add(LogEntry {
        count: 1,
        reason,
        object: object.to_vec(),
        username,
        ctime_ms: ctx.host.unix_time_us() / 1000,
        client_info,
    });
}

fn set_last_cmd(srv: &mut Server, id: ClientId, name: Option<&'static str>) {
    if let Some(c) = srv.clients.get_mut(id.0) {
        c.last_cmd = name;
    }
}

/// RESP2 clients in subscribed mode may only run these (QUIT/RESET do not exist here).
fn allowed_in_resp2_pubsub(spec: &CommandSpec) -> bool {
    matches!(
        spec.id,
        CmdId::Ping
            | CmdId::Subscribe
            | CmdId::Unsubscribe
            | CmdId::Psubscribe
            | CmdId::Punsubscribe
    )
}

/// C `%s` stops at a NUL byte; `%.Ns` also at N bytes.
fn c_str(bytes: &[u8], max: usize) -> &[u8] {
    let upto_nul = bytes.split(|&b| b == 0).next().unwrap_or_default();
    upto_nul.get(..max).unwrap_or(upto_nul)
}

/// `ERR unknown command '<name>', with args beginning with: '<a1>' '<a2>' `: the name is cut
/// at 128 bytes; arguments are added while the list is shorter than 128 bytes, each cut
/// to fit the remaining room.
pub(crate) fn unknown_command_text(args: &[&[u8]]) -> Vec<u8> {
    let mut list: Vec<u8> = Vec::new();
    for a in args.iter().skip(1) {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        list.push(b'\'');
        list.extend_from_slice(c_str(a, room));
        list.extend_from_slice(b"' ");
    }
    let mut text = b"ERR unknown command '".to_vec();
    text.extend_from_slice(c_str(args.first().copied().unwrap_or_default(), 128));
    text.extend_from_slice(b"', with args beginning with: ");
    text.extend_from_slice(&list);
    text
}

/// `ERR unknown subcommand '<sub>'. Try <CONTAINER> HELP.`
pub(crate) fn unknown_subcommand_text(args: &[&[u8]]) -> Vec<u8> {
    let container =
        c_str(args.first().copied().unwrap_or_default(), usize::MAX).to_ascii_uppercase();
    let mut text = b"ERR unknown subcommand '".to_vec();
    text.extend_from_slice(c_str(args.get(1).copied().unwrap_or_default(), 128));
    text.extend_from_slice(b"'. Try ");
    text.extend_from_slice(&container);
    text.extend_from_slice(b" HELP.");
    text
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CONTAINER> HELP.`
pub(crate) fn subcommand_syntax_error(w: &mut ReplyWriter, args: &[&[u8]]) {
    let container =
        c_str(args.first().copied().unwrap_or_default(), usize::MAX).to_ascii_uppercase();
    let mut text = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    text.extend_from_slice(c_str(args.get(1).copied().unwrap_or_default(), 128));
    text.extend_from_slice(b"'. Try ");
    text.extend_from_slice(&container);
    text.extend_from_slice(b" HELP.");
    w.error_bytes(&text);
}
