//! `COMMAND [COUNT|LIST|INFO|DOCS|GETKEYS|GETKEYSANDFLAGS|HELP]` over the sentinel table.

use super::help_text::COMMAND_HELP;
use super::write_help;
use crate::resp::ReplyWriter;
use crate::server::command_docs;
use crate::server::command_table::{self, find_by_fullname, CommandSpec, LIST_ORDER};
use crate::server::pubsub::pattern_matches;

pub fn command(args: &[&[u8]], w: &mut ReplyWriter) {
    let Some(sub) = args.get(1) else {
        return write_infos(w, command_table::COMMANDS.iter());
    };
    match sub.to_ascii_lowercase().as_slice() {
        b"count" => w.integer(i64::try_from(command_table::COMMANDS.len()).unwrap_or(0)),
        b"list" => list(args, w),
        b"info" => {
            if args.len() == 2 {
                return write_infos(w, command_table::COMMANDS.iter());
            }
            w.array(args.len() - 2);
            for name in args.iter().skip(2) {
                match find_by_fullname(name) {
                    Some(spec) => spec.write_info(w),
                    None => w.null_bulk(),
                }
            }
        }
        b"docs" => command_docs::write_docs(args.get(2..).unwrap_or_default(), w),
        b"getkeys" | b"getkeysandflags" => getkeys(args, w),
        _ => write_help(w, COMMAND_HELP),
    }
}

fn write_infos<'a>(w: &mut ReplyWriter, specs: impl ExactSizeIterator<Item = &'a CommandSpec>) {
    w.array(specs.len());
    for s in specs {
        s.write_info(w);
    }
}

/// `COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]`.
fn list(args: &[&[u8]], w: &mut ReplyWriter) {
    let names: Vec<&str> = match args {
        [_, _] => LIST_ORDER.to_vec(),
        [_, _, filterby, kind, value] if filterby.eq_ignore_ascii_case(b"filterby") => {
            match kind.to_ascii_lowercase().as_slice() {
                b"module" => Vec::new(),
                b"aclcat" => {
                    let cat = value.to_ascii_lowercase();
                    LIST_ORDER
                        .iter()
                        .copied()
                        .filter(|n| {
                            find_by_fullname(n.as_bytes())
                                .is_some_and(|s| s.acl.iter().any(|a| a.as_bytes() == cat))
                        })
                        .collect()
                }
                b"pattern" => LIST_ORDER
                    .iter()
                    .copied()
                    .filter(|n| pattern_matches_nocase(value, n.as_bytes()))
                    .collect(),
                _ => return w.error("ERR syntax error"),
            }
        }
        _ => return w.error("ERR syntax error"),
    };
    w.array(names.len());
    for n in names {
        w.bulk(n.as_bytes());
    }
}

/// COMMAND LIST patterns match case-insensitively.
fn pattern_matches_nocase(pattern: &[u8], name: &[u8]) -> bool {
    pattern_matches(&pattern.to_ascii_lowercase(), &name.to_ascii_lowercase())
}

/// None of the sentinel commands has key arguments (Redis checks that before the arity).
fn getkeys(args: &[&[u8]], w: &mut ReplyWriter) {
    match command_table::lookup(args.get(2..).unwrap_or_default()) {
        command_table::Lookup::Found(_) => w.error("ERR The command has no key arguments"),
        _ => w.error("ERR Invalid command specified"),
    }
}
