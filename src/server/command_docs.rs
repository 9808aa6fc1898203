//! `COMMAND DOCS`: the documentation Redis 7.0.15 gives for the sentinel commands, embedded
//! as the RESP3 reply captured from the real binary (`data/command_docs.resp3`, a map of
//! command name → doc map). Entries are located with a small RESP3 walker and copied out;
//! RESP2 clients get them with maps and sets rewritten as flat arrays, which is exactly
//! what Redis sends them.

use crate::resp::{Proto, ReplyWriter};

static DOCS_RESP3: &[u8] = include_bytes!("data/command_docs.resp3");

/// One RESP3 value's header inside the blob.
struct Node {
    kind: u8,
    /// Element count for aggregates (pairs for maps), payload length for bulks.
    len: usize,
    /// Offset just past the header line.
    body: usize,
}

fn header(buf: &[u8], at: usize) -> Option<Node> {
    let kind = *buf.get(at)?;
    let rest = buf.get(at + 1..)?;
    let eol = rest.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(rest.get(..eol)?).ok()?;
    let len = match kind {
        b'*' | b'%' | b'~' | b'$' => line.parse().ok()?,
        _ => 0,
    };
    Some(Node {
        kind,
        len,
        body: at + 1 + eol + 2,
    })
}

/// Offset just past the value starting at `at`.
fn skip(buf: &[u8], at: usize) -> Option<usize> {
    let n = header(buf, at)?;
    match n.kind {
        b'$' => Some(n.body + n.len + 2),
        b'*' | b'~' | b'%' => {
            let count = if n.kind == b'%' { n.len * 2 } else { n.len };
            let mut pos = n.body;
            for _ in 0..count {
                pos = skip(buf, pos)?;
            }
            Some(pos)
        }
        _ => Some(n.body),
    }
}

/// The payload of a bulk string at `at`.
fn bulk_at(buf: &[u8], at: usize) -> Option<&[u8]> {
    let n = header(buf, at)?;
    if n.kind != b'$' {
        return None;
    }
    buf.get(n.body..n.body + n.len)
}

/// In the map at `at`, the offset of the value whose key equals `key` (ASCII
/// case-insensitively).
fn map_get(buf: &[u8], at: usize, key: &[u8]) -> Option<usize> {
    let n = header(buf, at)?;
    if n.kind != b'%' {
        return None;
    }
    let mut pos = n.body;
    for _ in 0..n.len {
        let value = skip(buf, pos)?;
        if bulk_at(buf, pos)?.eq_ignore_ascii_case(key) {
            return Some(value);
        }
        pos = skip(buf, value)?;
    }
    None
}

/// Offset of the doc map of `name` (`ping`, `client|list`), if documented.
fn find(name: &[u8]) -> Option<usize> {
    match name.iter().position(|&b| b == b'|') {
        None => map_get(DOCS_RESP3, 0, name),
        Some(bar) => {
            let container = map_get(DOCS_RESP3, 0, name.get(..bar)?)?;
            let subs = map_get(DOCS_RESP3, container, b"subcommands")?;
            map_get(DOCS_RESP3, subs, name)
        }
    }
}

/// Copies the value at `at` into `out`, in RESP3 as is, or rewritten for RESP2.
fn copy_value(at: usize, proto: Proto, out: &mut Vec<u8>) -> Option<()> {
    let end = skip(DOCS_RESP3, at)?;
    let bytes = DOCS_RESP3.get(at..end)?;
    if proto == Proto::Resp3 {
        out.extend_from_slice(bytes);
        return Some(());
    }
    let mut pos = at;
    while pos < end {
        let n = header(DOCS_RESP3, pos)?;
        match n.kind {
            b'%' => out.extend_from_slice(format!("*{}\r\n", n.len * 2).as_bytes()),
            b'~' => out.extend_from_slice(format!("*{}\r\n", n.len).as_bytes()),
            b'$' => {
                out.extend_from_slice(DOCS_RESP3.get(pos..n.body + n.len + 2)?);
                pos = n.body + n.len + 2;
                continue;
            }
            _ => out.extend_from_slice(DOCS_RESP3.get(pos..n.body)?),
        }
        pos = n.body;
    }
    Some(())
}

/// `COMMAND DOCS [name ...]`: all commands, or the named ones that exist (others skipped).
pub fn write_docs(names: &[&[u8]], w: &mut ReplyWriter) {
    if names.is_empty() {
        let _ = copy_value(0, w.proto, w.out);
        return;
    }
    let found: Vec<(String, usize)> = names
        .iter()
        .filter_map(|n| find(n).map(|at| (String::from_utf8_lossy(n).to_ascii_lowercase(), at)))
        .collect();
    w.map(found.len());
    for (name, at) in found {
        w.bulk(name.as_bytes());
        let _ = copy_value(at, w.proto, w.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(proto: Proto, names: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        write_docs(names, &mut ReplyWriter::new(&mut out, proto));
        out
    }

    #[test]
    fn all_docs_match_redis_in_both_protocols() {
        assert_eq!(docs(Proto::Resp3, &[]), DOCS_RESP3);
        assert_eq!(
            docs(Proto::Resp2, &[]),
            include_bytes!("testdata/command_docs.resp2")
        );
    }

    #[test]
    fn named_docs_skip_unknown_names() {
        let expected: &[u8] = b"*2\r\n$4\r\nping\r\n*10\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*1\r\n+optional\r\n";
        assert_eq!(docs(Proto::Resp2, &[b"ping", b"nosuch"]), expected);
        assert_eq!(docs(Proto::Resp3, &[b"nosuch"]), b"%0\r\n");
    }

    #[test]
    fn subcommand_docs_are_found_by_full_name() {
        let out = docs(Proto::Resp2, &[b"client|list"]);
        assert!(out.starts_with(
            b"*2\r\n$11\r\nclient|list\r\n*12\r\n$7\r\nsummary\r\n$34\r\nGet the list"
        ));
    }
}
