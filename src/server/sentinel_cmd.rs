//! The `SENTINEL` command family, `INFO sentinel`, `ROLE` and the hello `PUBLISH`: the
//! client commands that read or change the core. (Skeleton: filled in with the core.)

use super::Ctx;
use crate::resp::ReplyWriter;

/// `SENTINEL <sub> ...`; `args[0]` is `SENTINEL` itself.
pub fn sentinel(_ctx: &mut Ctx, args: &[&[u8]], w: &mut ReplyWriter) {
    let sub = args
        .get(1)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default();
    w.error(&format!(
        "ERR unknown subcommand '{sub}'. Try SENTINEL HELP."
    ));
}

/// Appends the `# Sentinel` INFO section (without a trailing blank line).
pub fn info_section(_ctx: &Ctx, out: &mut String) {
    out.push_str("# Sentinel\r\nsentinel_masters:0\r\n");
}

/// `PUBLISH __sentinel__:hello <payload>` from a peer: hand the hello to the core.
pub fn hello_from_peer(_ctx: &mut Ctx, _payload: &[u8]) {}
