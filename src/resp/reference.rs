//! Deliberately naive reference parsers (the test oracle): owned values, recursion, byte-by-byte
//! scanning, whole-buffer only. Obviously correct rather than fast; the zero-copy
//! [`parse_frame`](super::frame::parse_frame) and resumable
//! [`RequestParser`](super::request::RequestParser) must agree with them on every input.
//! Public (hidden) so the fuzz targets can use it; [`check_frame_input`] and
//! [`check_request_input`] are the differential checks shared by tests and fuzzing.

use super::frame::{Frame, ProtocolError, MAX_AGGREGATE_LEN, MAX_BULK_LEN, MAX_DEPTH};
use super::request::{
    RequestError, MAX_MULTIBULK_LEN, PROTO_INLINE_MAX_SIZE, PROTO_MAX_BULK_LEN,
    UNAUTH_MAX_BULK_LEN, UNAUTH_MAX_MULTIBULK_LEN,
};
use crate::config::lexer::split_args;

pub use super::differential::{check_frame_input, check_request_input, feed_requests};

/// An owned RESP value, mirroring [`Frame`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Set(Vec<Value>),
    Push(Vec<Value>),
    Boolean(bool),
    Double(Vec<u8>),
    BigNumber(Vec<u8>),
    Verbatim(Vec<u8>, Vec<u8>),
    BlobError(Vec<u8>),
}

impl Value {
    /// The owned copy of a borrowed frame.
    pub fn from_frame(f: &Frame<'_>) -> Value {
        let list = |v: &[Frame<'_>]| v.iter().map(Value::from_frame).collect();
        match f {
            Frame::Simple(b) => Value::Simple(b.to_vec()),
            Frame::Error(b) => Value::Error(b.to_vec()),
            Frame::Integer(n) => Value::Integer(*n),
            Frame::Bulk(b) => Value::Bulk(b.to_vec()),
            Frame::Null => Value::Null,
            Frame::Array(v) => Value::Array(list(v)),
            Frame::Map(v) => Value::Map(
                v.iter()
                    .map(|(k, v)| (Value::from_frame(k), Value::from_frame(v)))
                    .collect(),
            ),
            Frame::Set(v) => Value::Set(list(v)),
            Frame::Push(v) => Value::Push(list(v)),
            Frame::Boolean(b) => Value::Boolean(*b),
            Frame::Double(b) => Value::Double(b.to_vec()),
            Frame::BigNumber(b) => Value::BigNumber(b.to_vec()),
            Frame::Verbatim(f, b) => Value::Verbatim(f.to_vec(), b.to_vec()),
            Frame::BlobError(b) => Value::BlobError(b.to_vec()),
        }
    }

    /// Appends the RESP3 encoding (null as `_`). Line-typed values must not contain `\r`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let line = |out: &mut Vec<u8>, tag: u8, body: &[u8]| {
            out.push(tag);
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        };
        let blob = |out: &mut Vec<u8>, tag: u8, body: &[u8]| {
            line(out, tag, body.len().to_string().as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        };
        let list = |out: &mut Vec<u8>, tag: u8, items: &[Value]| {
            line(out, tag, items.len().to_string().as_bytes());
            items.iter().for_each(|v| v.encode(out));
        };
        match self {
            Value::Simple(b) => line(out, b'+', b),
            Value::Error(b) => line(out, b'-', b),
            Value::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Value::Bulk(b) => blob(out, b'$', b),
            Value::Null => line(out, b'_', b""),
            Value::Array(v) => list(out, b'*', v),
            Value::Set(v) => list(out, b'~', v),
            Value::Push(v) => list(out, b'>', v),
            Value::Map(v) => {
                line(out, b'%', v.len().to_string().as_bytes());
                for (k, v) in v {
                    k.encode(out);
                    v.encode(out);
                }
            }
            Value::Boolean(b) => line(out, b'#', if *b { b"t" } else { b"f" }),
            Value::Double(b) => line(out, b',', b),
            Value::BigNumber(b) => line(out, b'(', b),
            Value::Verbatim(f, b) => blob(out, b'=', &[&f[..], b":", b].concat()),
            Value::BlobError(b) => blob(out, b'!', b),
        }
    }
}

/// `string2ll` done the obvious way: canonical decimal text that `str::parse` accepts.
pub fn naive_int(s: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(s).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.starts_with('0') && text != "0" {
        return None;
    }
    text.parse().ok()
}

/// The line starting at `start` (ended by the first `\r`, which needs a `\n`) and the offset
/// after its `\r\n`.
fn line_at(buf: &[u8], start: usize) -> Result<Option<(Vec<u8>, usize)>, ProtocolError> {
    let mut i = start;
    while i < buf.len() {
        if buf[i] == b'\r' {
            return match buf.get(i + 1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some((buf[start..i].to_vec(), i + 2))),
                Some(_) => Err(ProtocolError::BadLineEnding),
            };
        }
        i += 1;
    }
    Ok(None)
}

/// Parses one value from the start of `buf`, like [`parse_frame`](super::frame::parse_frame).
pub fn parse_value(buf: &[u8]) -> Result<Option<(Value, usize)>, ProtocolError> {
    value_at(buf, 0, 0)
}

/// The value at `pos`, inside `depth` enclosing aggregates.
fn value_at(
    buf: &[u8],
    mut pos: usize,
    depth: usize,
) -> Result<Option<(Value, usize)>, ProtocolError> {
    loop {
        let Some(&tag) = buf.get(pos) else {
            return Ok(None);
        };
        if !b"+-:$*_%~>#,(=!|".contains(&tag) {
            return Err(ProtocolError::UnknownType(tag));
        }
        let Some((line, after)) = line_at(buf, pos + 1)? else {
            return Ok(None);
        };
        let value = match tag {
            b'+' => Value::Simple(line),
            b'-' => Value::Error(line),
            b':' => Value::Integer(naive_int(&line).ok_or(ProtocolError::InvalidInteger)?),
            b'_' if line.is_empty() => Value::Null,
            b'_' => return Err(ProtocolError::InvalidNull),
            b'#' if line == b"t" => Value::Boolean(true),
            b'#' if line == b"f" => Value::Boolean(false),
            b'#' => return Err(ProtocolError::InvalidBoolean),
            b',' => Value::Double(line),
            b'(' => Value::BigNumber(line),
            b'$' | b'=' | b'!' => {
                let n = naive_int(&line).ok_or(ProtocolError::InvalidLength)?;
                if n == -1 && tag == b'$' {
                    return Ok(Some((Value::Null, after)));
                }
                if n < 0 {
                    return Err(ProtocolError::InvalidLength);
                }
                if n as u64 > MAX_BULK_LEN as u64 {
                    return Err(ProtocolError::BulkTooLong);
                }
                let n = n as usize;
                if buf.len() < after + n + 2 {
                    return Ok(None);
                }
                if &buf[after + n..after + n + 2] != b"\r\n" {
                    return Err(ProtocolError::MissingBulkTerminator);
                }
                let payload = buf[after..after + n].to_vec();
                let end = after + n + 2;
                return Ok(Some((
                    match tag {
                        b'$' => Value::Bulk(payload),
                        b'!' => Value::BlobError(payload),
                        _ if payload.len() >= 4 && payload[3] == b':' => {
                            Value::Verbatim(payload[..3].to_vec(), payload[4..].to_vec())
                        }
                        _ => return Err(ProtocolError::InvalidVerbatim),
                    },
                    end,
                )));
            }
            _ => {
                let n = naive_int(&line).ok_or(ProtocolError::InvalidLength)?;
                if n == -1 && tag == b'*' {
                    return Ok(Some((Value::Null, after)));
                }
                if n < 0 {
                    return Err(ProtocolError::InvalidLength);
                }
                if n as u64 > MAX_AGGREGATE_LEN as u64 {
                    return Err(ProtocolError::AggregateTooLong);
                }
                if depth >= MAX_DEPTH {
                    return Err(ProtocolError::TooDeep);
                }
                let count = if tag == b'%' || tag == b'|' { 2 * n } else { n };
                let mut items = Vec::new();
                let mut p = after;
                for _ in 0..count {
                    let Some((v, next)) = value_at(buf, p, depth + 1)? else {
                        return Ok(None);
                    };
                    items.push(v);
                    p = next;
                }
                if tag == b'|' {
                    // An attribute annotates the value after it; drop it and parse that value.
                    pos = p;
                    continue;
                }
                let value = match tag {
                    b'*' => Value::Array(items),
                    b'~' => Value::Set(items),
                    b'>' => Value::Push(items),
                    _ => {
                        let mut pairs = Vec::new();
                        let mut it = items.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            pairs.push((k, v));
                        }
                        Value::Map(pairs)
                    }
                };
                return Ok(Some((value, p)));
            }
        };
        return Ok(Some((value, after)));
    }
}

/// What a whole input holds as client requests: the complete commands (empty requests left
/// out) and the protocol error that stopped parsing, if any. A trailing partial command is
/// simply absent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requests {
    pub commands: Vec<Vec<Vec<u8>>>,
    pub error: Option<RequestError>,
}

/// `strchr(buf + from, c)`: the first `c` at or after `from`, unless a NUL (or the end)
/// comes first.
fn c_strchr(buf: &[u8], from: usize, c: u8) -> Option<usize> {
    let mut i = from;
    while i < buf.len() && buf[i] != 0 {
        if buf[i] == c {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Redis's request reading, re-done naively on the whole input at once.
pub fn parse_requests(buf: &[u8], authenticated: bool) -> Requests {
    let mut out = Requests::default();
    match requests_into(buf, authenticated, &mut out.commands) {
        Ok(()) => {}
        Err(e) => out.error = Some(e),
    }
    out
}

fn requests_into(
    buf: &[u8],
    authenticated: bool,
    commands: &mut Vec<Vec<Vec<u8>>>,
) -> Result<(), RequestError> {
    let mut pos = 0;
    while pos < buf.len() {
        let unterminated_too_big = |pos: usize| buf.len() - pos > PROTO_INLINE_MAX_SIZE;
        if buf[pos] != b'*' {
            let Some(nl) = c_strchr(buf, pos, b'\n') else {
                return match unterminated_too_big(pos) {
                    true => Err(RequestError::TooBigInline),
                    false => Ok(()),
                };
            };
            let end = if nl > pos && buf[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            let words = split_args(&buf[pos..end]).map_err(|_| RequestError::UnbalancedQuotes)?;
            pos = nl + 1;
            if !words.is_empty() {
                commands.push(words);
            }
            continue;
        }
        let Some(cr) = c_strchr(buf, pos, b'\r') else {
            return match unterminated_too_big(pos) {
                true => Err(RequestError::TooBigMbulkCount),
                false => Ok(()),
            };
        };
        if cr == buf.len() - 1 {
            return Ok(());
        }
        let count = match naive_int(&buf[pos + 1..cr]) {
            Some(n) if n <= MAX_MULTIBULK_LEN => n,
            _ => return Err(RequestError::InvalidMultibulkLength),
        };
        if count > UNAUTH_MAX_MULTIBULK_LEN && !authenticated {
            return Err(RequestError::UnauthenticatedMultibulkLength);
        }
        pos = cr + 2;
        let mut args = Vec::new();
        for _ in 0..count.max(0) {
            let Some(cr) = c_strchr(buf, pos, b'\r') else {
                return match unterminated_too_big(pos) {
                    true => Err(RequestError::TooBigBulkCount),
                    false => Ok(()),
                };
            };
            if cr == buf.len() - 1 {
                return Ok(());
            }
            if buf[pos] != b'$' {
                return Err(RequestError::ExpectedDollar(buf[pos]));
            }
            let len = match naive_int(&buf[pos + 1..cr]) {
                Some(n) if (0..=PROTO_MAX_BULK_LEN).contains(&n) => n,
                _ => return Err(RequestError::InvalidBulkLength),
            };
            if len > UNAUTH_MAX_BULK_LEN && !authenticated {
                return Err(RequestError::UnauthenticatedBulkLength);
            }
            pos = cr + 2;
            let len = len as usize;
            if buf.len() - pos < len + 2 {
                return Ok(());
            }
            args.push(buf[pos..pos + len].to_vec());
            pos += len + 2;
        }
        if !args.is_empty() {
            commands.push(args);
        }
    }
    Ok(())
}
