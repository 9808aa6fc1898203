//! Differential checks of the fast parsers against the [`reference`](super::reference) oracle,
//! shared by the property tests and the fuzz targets: each panics on any disagreement.

use super::frame::{parse_frame, ProtocolError};
use super::reference::{parse_requests, parse_value, Requests, Value};
use super::request::{RequestParser, PROTO_INLINE_MAX_SIZE};

type Owned = Result<Option<(Value, usize)>, ProtocolError>;

fn fast_frame(buf: &[u8]) -> Owned {
    parse_frame(buf).map(|o| o.map(|(f, n)| (Value::from_frame(&f), n)))
}

/// Checks [`parse_frame`] against the oracle on `data`, on every prefix of it (a stateless
/// parser fed split at every offset), and on the stream of consecutive frames in `data`.
/// Every prefix must give "incomplete" until the full answer is reached, then that answer.
pub fn check_frame_input(data: &[u8]) {
    let full = fast_frame(data);
    assert_eq!(full, parse_value(data), "fast vs oracle on {data:?}");
    let mut errored = false;
    for k in 0..=data.len() {
        let prefix = data.get(..k).unwrap_or_default();
        let got = fast_frame(prefix);
        assert_eq!(got, parse_value(prefix), "prefix {k} of {data:?}");
        match (&full, &got) {
            (Ok(Some((_, n))), Ok(None)) => assert!(k < *n, "prefix {k} of {data:?}"),
            (_, Ok(None)) => assert!(!errored, "error went away at prefix {k} of {data:?}"),
            (Ok(Some((v, n))), Ok(Some((w, m)))) => {
                assert!(k >= *n && v == w && n == m, "prefix {k} of {data:?}");
            }
            (Err(e), Err(f)) if e == f => errored = true,
            _ => panic!("prefix {k} gave {got:?}, whole input {full:?}: {data:?}"),
        }
    }
    let mut rest = data;
    loop {
        let got = fast_frame(rest);
        assert_eq!(got, parse_value(rest), "stream rest {rest:?}");
        match got {
            Ok(Some((_, n))) if n > 0 => rest = rest.get(n..).unwrap_or_default(),
            _ => break,
        }
    }
}

/// Feeds `chunks` one after another to a [`RequestParser`] the way the reactor does (append to
/// the read buffer, parse in a loop, drain what was consumed) and collects what it returns.
pub fn feed_requests<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    authenticated: bool,
) -> Requests {
    let mut parser = RequestParser::new();
    let mut rbuf = Vec::new();
    let mut out = Requests::default();
    for chunk in chunks {
        rbuf.extend_from_slice(chunk);
        let mut start = 0;
        loop {
            let view = rbuf.get(start..).unwrap_or_default();
            match parser.parse(view, authenticated) {
                Ok(Some(n)) => {
                    assert!(n > 0 && n <= view.len(), "consumed {n} of {}", view.len());
                    let args: Vec<Vec<u8>> = parser.args(view).map(<[u8]>::to_vec).collect();
                    assert_eq!(args.len(), parser.argc());
                    assert!(!args.is_empty(), "empty command returned");
                    out.commands.push(args);
                    start += n;
                }
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(
                        parser.parse(view, authenticated),
                        Err(e),
                        "error not sticky"
                    );
                    out.error = Some(e);
                    return out;
                }
            }
        }
        rbuf.drain(..start);
    }
    out
}

/// Checks [`RequestParser`] against the oracle with `data` fed whole, split in two at every
/// offset, and byte by byte. (Inputs above [`PROTO_INLINE_MAX_SIZE`] are only fed whole: how
/// bytes arrive decides whether a long unterminated line trips the limit, in Redis too.)
pub fn check_request_input(data: &[u8], authenticated: bool) {
    let oracle = parse_requests(data, authenticated);
    assert_eq!(
        feed_requests([data], authenticated),
        oracle,
        "whole {data:?}"
    );
    if data.len() > PROTO_INLINE_MAX_SIZE {
        return;
    }
    for k in 0..=data.len() {
        let (a, b) = data.split_at(k);
        let got = feed_requests([a, b], authenticated);
        assert_eq!(got, oracle, "split at {k}: {data:?}");
    }
    let got = feed_requests(data.chunks(1), authenticated);
    assert_eq!(got, oracle, "byte by byte: {data:?}");
}
