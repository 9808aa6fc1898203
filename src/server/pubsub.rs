//! Pub/sub: SUBSCRIBE/UNSUBSCRIBE/PSUBSCRIBE/PUNSUBSCRIBE with Redis's reply shapes (RESP2
//! arrays, RESP3 push frames), event fan-out ([`publish`]) and sentinel's PUBLISH, which
//! only accepts hellos on `__sentinel__:hello`.

use std::collections::BTreeSet;

use super::{sentinel_cmd, ClientId, Ctx, ReplyMode, Server};
use crate::resp::{Proto, ReplyWriter};

/// The channel peers publish hellos on.
pub const HELLO_CHANNEL: &[u8] = b"__sentinel__:hello";

/// Glob match for PSUBSCRIBE patterns (Redis `stringmatchlen`, case-sensitive), with
/// Redis 7.0.9+'s protection against abusive patterns: the former backtracking matcher
/// took exponential time on patterns like `*?*?*?…x`, stalling the event loop for minutes
/// on a single event or `COMMAND LIST FILTERBY PATTERN` (Redis's CVE-2022-36021).
pub fn pattern_matches(pattern: &[u8], s: &[u8]) -> bool {
    crate::glob::glob_match(pattern, s, false)
}

/// Distinct channels and patterns with at least one subscriber (INFO stats).
pub fn distinct_counts(srv: &Server) -> (usize, usize) {
    let mut channels = BTreeSet::new();
    let mut patterns = BTreeSet::new();
    for (_, c) in srv.clients.iter() {
        channels.extend(c.channels.iter());
        patterns.extend(c.patterns.iter());
    }
    (channels.len(), patterns.len())
}

fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `SUBSCRIBE ch...` / `PSUBSCRIBE pat...`: one `[kind, name, count]` frame per argument.
pub fn subscribe(
    srv: &mut Server,
    id: ClientId,
    args: &[&[u8]],
    w: &mut ReplyWriter,
    pattern: bool,
) {
    let Some(c) = srv.client_mut(id) else { return };
    let kind: &[u8] = if pattern { b"psubscribe" } else { b"subscribe" };
    for name in args.iter().skip(1) {
        let list = if pattern {
            &mut c.patterns
        } else {
            &mut c.channels
        };
        if !list.iter().any(|x| x == name) {
            list.push(name.to_vec());
        }
        let count = c.subscription_count();
        w.push(3);
        w.bulk(kind);
        w.bulk(name);
        w.integer(count_i64(count));
    }
}

/// `UNSUBSCRIBE [ch...]` / `PUNSUBSCRIBE [pat...]`: without arguments, from all (and a
/// single frame with a null name if there were none).
pub fn unsubscribe(
    srv: &mut Server,
    id: ClientId,
    args: &[&[u8]],
    w: &mut ReplyWriter,
    pattern: bool,
) {
    let Some(c) = srv.client_mut(id) else { return };
    let kind: &[u8] = if pattern {
        b"punsubscribe"
    } else {
        b"unsubscribe"
    };
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args.iter().skip(1).map(|a| a.to_vec()).collect()
    } else if pattern {
        c.patterns.clone()
    } else {
        c.channels.clone()
    };
    if names.is_empty() {
        w.push(3);
        w.bulk(kind);
        w.null_bulk();
        w.integer(count_i64(c.subscription_count()));
        return;
    }
    for name in names {
        let list = if pattern {
            &mut c.patterns
        } else {
            &mut c.channels
        };
        list.retain(|x| *x != name);
        let count = c.subscription_count();
        w.push(3);
        w.bulk(kind);
        w.bulk(&name);
        w.integer(count_i64(count));
    }
}

/// Sentinel's `PUBLISH channel message`: only hellos are accepted (and not re-published).
pub fn publish_command(args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let (Some(channel), Some(message)) = (args.get(1), args.get(2)) else {
        return w.error("ERR wrong number of arguments for 'publish' command");
    };
    if *channel != HELLO_CHANNEL {
        return w.error("ERR Only HELLO messages are accepted by Sentinel instances.");
    }
    sentinel_cmd::hello_from_peer(ctx, message);
    w.integer(1);
}

/// Fans an event out: `message` frames to channel subscribers first, then `pmessage`
/// frames for every matching pattern subscription. Returns the number of deliveries.
pub fn publish(srv: &mut Server, channel: &[u8], message: &[u8]) -> usize {
    let mut delivered = 0;
    for (_, c) in srv.clients.iter_mut() {
        if !c.channels.iter().any(|x| x == channel) {
            continue;
        }
        delivered += 1;
        if c.reply_mode == ReplyMode::On {
            let mut w = ReplyWriter::new(&mut c.output, c.proto);
            w.push(3);
            w.bulk(b"message");
            w.bulk(channel);
            w.bulk(message);
        }
    }
    for (_, c) in srv.clients.iter_mut() {
        let proto: Proto = c.proto;
        let silent = c.reply_mode != ReplyMode::On;
        for p in c.patterns.iter().filter(|p| pattern_matches(p, channel)) {
            delivered += 1;
            if silent {
                continue;
            }
            let mut w = ReplyWriter::new(&mut c.output, proto);
            w.push(4);
            w.bulk(b"pmessage");
            w.bulk(p);
            w.bulk(channel);
            w.bulk(message);
        }
    }
    delivered
}

#[cfg(test)]
mod tests {
    use super::pattern_matches as m;

    #[test]
    fn glob_handles_star_question_and_literals() {
        assert!(m(b"*", b"+sdown"));
        // Redis 7.0's stringmatchlen never matches an empty string (channels never are).
        assert!(!m(b"*", b""));
        assert!(m(b"+s*n", b"+sdown"));
        assert!(m(b"?sdown", b"-sdown"));
        assert!(!m(b"?sdown", b"sdown"));
        assert!(!m(b"+sdown", b"+sdown2"));
    }

    #[test]
    fn glob_handles_classes_ranges_negation_and_escapes() {
        assert!(m(b"[-+]sdown", b"+sdown"));
        assert!(m(b"[-+]sdown", b"-sdown"));
        assert!(!m(b"[-+]sdown", b"+odown"));
        assert!(m(b"[^a]x", b"bx"));
        assert!(!m(b"[^a]x", b"ax"));
        assert!(m(b"[a-c]", b"b"));
        assert!(m(b"[c-a]", b"b"));
        assert!(m(b"\\*", b"*"));
        assert!(!m(b"\\*", b"x"));
        assert!(m(b"[\\]]", b"]"));
    }
}

#[cfg(test)]
mod abuse_tests {
    use super::pattern_matches;
    use std::time::{Duration, Instant};

    #[test]
    fn an_abusive_pattern_is_matched_in_polynomial_time() {
        // `*?` repeated: a backtracking matcher tries C(30, 15) placements on a 30-byte
        // channel name; Redis 7.0.9+ (CVE-2022-36021) gives up on longer matches instead.
        let pattern = [b"*?".repeat(15), b"x".to_vec()].concat();
        let t = Instant::now();
        assert!(!pattern_matches(
            &pattern,
            b"+failover-state-wait-promotion"
        ));
        assert!(!pattern_matches(&pattern, &[b'a'; 64]));
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "took {:?}",
            t.elapsed()
        );
    }
}
