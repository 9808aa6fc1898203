//! [`Frame`]: one RESP2/RESP3 value borrowing its bytes from the connection's read buffer, and
//! [`parse_frame`], the zero-copy parser for replies from Redis servers and peer sentinels.
//!
//! The parser is iterative (an explicit stack, never recursion), finds line ends with `memchr`,
//! decides that a bulk is incomplete from its header alone, and enforces [`MAX_BULK_LEN`],
//! [`MAX_AGGREGATE_LEN`] and [`MAX_DEPTH`] so hostile input cannot exhaust memory or stack.
//! A line ends at its first `\r`, which must be followed by `\n`. Lengths and integers follow
//! Redis's `string2ll` rules ([`super::num::parse_i64`]). RESP3 attributes (`|`) are parsed and
//! dropped. `,` doubles and `(` big numbers are kept as unvalidated text.

use std::fmt;

use memchr::memchr;

use super::num::parse_i64;

/// Largest accepted bulk payload (`$`, `=`, `!`): Redis's default `proto-max-bulk-len`.
pub const MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Largest accepted element count of one aggregate (pairs for maps and attributes).
pub const MAX_AGGREGATE_LEN: usize = 1024 * 1024;
/// Deepest accepted nesting of aggregates (attributes included).
pub const MAX_DEPTH: usize = 128;

/// One parsed RESP value. Strings borrow from the buffer they were parsed from; only the
/// element vectors of aggregates are allocated.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame<'a> {
    /// `+text`
    Simple(&'a [u8]),
    /// `-ERR text` (the whole line after `-`)
    Error(&'a [u8]),
    /// `:n`
    Integer(i64),
    /// `$n` with a payload
    Bulk(&'a [u8]),
    /// `$-1`, `*-1` and RESP3 `_`
    Null,
    /// `*n`
    Array(Vec<Frame<'a>>),
    /// RESP3 `%n`: key/value pairs in order
    Map(Vec<(Frame<'a>, Frame<'a>)>),
    /// RESP3 `~n`
    Set(Vec<Frame<'a>>),
    /// RESP3 `>n`
    Push(Vec<Frame<'a>>),
    /// RESP3 `#t` / `#f`
    Boolean(bool),
    /// RESP3 `,` — kept as text, callers rarely need the number
    Double(&'a [u8]),
    /// RESP3 `(` — kept as text
    BigNumber(&'a [u8]),
    /// RESP3 `=n` `fmt:payload`: (format, payload)
    Verbatim(&'a [u8], &'a [u8]),
    /// RESP3 `!n` blob error
    BlobError(&'a [u8]),
}

impl<'a> Frame<'a> {
    /// The bytes of a string-like frame (simple, bulk, verbatim payload), else `None`.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Frame::Simple(b) | Frame::Bulk(b) | Frame::Verbatim(_, b) => Some(b),
            _ => None,
        }
    }

    /// The elements of an array, set or push frame.
    pub fn as_elements(&self) -> Option<&[Frame<'a>]> {
        match self {
            Frame::Array(v) | Frame::Set(v) | Frame::Push(v) => Some(v),
            _ => None,
        }
    }

    /// True for `-` and `!` error frames.
    pub fn is_error(&self) -> bool {
        matches!(self, Frame::Error(_) | Frame::BlobError(_))
    }
}

/// Why a byte stream is not valid RESP. Every variant is final: more bytes cannot fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    /// The type byte is not one of `+ - : $ * _ % ~ > # , ( = ! |`.
    UnknownType(u8),
    /// A `\r` not followed by `\n`.
    BadLineEnding,
    /// A `:` line that is not a valid 64-bit decimal.
    InvalidInteger,
    /// A length that is not a decimal, or negative where `-1` (null) is not allowed.
    InvalidLength,
    /// A bulk length above [`MAX_BULK_LEN`].
    BulkTooLong,
    /// An aggregate length above [`MAX_AGGREGATE_LEN`].
    AggregateTooLong,
    /// Aggregates nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A bulk payload not followed by `\r\n`.
    MissingBulkTerminator,
    /// A `_` null with text after it.
    InvalidNull,
    /// A `#` boolean other than `#t` / `#f`.
    InvalidBoolean,
    /// A `=` verbatim string without its `xxx:` format prefix.
    InvalidVerbatim,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::UnknownType(b) => write!(f, "unknown RESP type byte 0x{b:02x}"),
            ProtocolError::BadLineEnding => f.write_str("CR not followed by LF"),
            ProtocolError::InvalidInteger => f.write_str("invalid integer"),
            ProtocolError::InvalidLength => f.write_str("invalid length"),
            ProtocolError::BulkTooLong => write!(f, "bulk length above {MAX_BULK_LEN}"),
            ProtocolError::AggregateTooLong => {
                write!(f, "aggregate length above {MAX_AGGREGATE_LEN}")
            }
            ProtocolError::TooDeep => write!(f, "aggregates nested deeper than {MAX_DEPTH}"),
            ProtocolError::MissingBulkTerminator => {
                f.write_str("bulk payload not followed by CRLF")
            }
            ProtocolError::InvalidNull => f.write_str("invalid null"),
            ProtocolError::InvalidBoolean => f.write_str("invalid boolean"),
            ProtocolError::InvalidVerbatim => f.write_str("invalid verbatim string"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Parses one frame from the start of `buf`.
///
/// `Ok(Some((frame, n)))`: a whole frame, made of the first `n` bytes (any attributes before it
/// included). `Ok(None)`: a valid prefix, call again with more bytes. `Err`: not RESP; the
/// connection cannot be resynchronised.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, ProtocolError> {
    let mut stack: Vec<Level<'_>> = Vec::new();
    let mut pos = 0usize;
    loop {
        let Some(&tag) = buf.get(pos) else {
            return Ok(None);
        };
        if !is_type_byte(tag) {
            return Err(ProtocolError::UnknownType(tag));
        }
        let Some((line, next)) = read_line(buf, pos + 1)? else {
            return Ok(None);
        };
        pos = next;
        let item = match tag {
            b'+' => Item::Value(Frame::Simple(line)),
            b'-' => Item::Value(Frame::Error(line)),
            b':' => Item::Value(Frame::Integer(
                parse_i64(line).ok_or(ProtocolError::InvalidInteger)?,
            )),
            b'_' if line.is_empty() => Item::Value(Frame::Null),
            b'_' => return Err(ProtocolError::InvalidNull),
            b'#' => match line {
                b"t" => Item::Value(Frame::Boolean(true)),
                b"f" => Item::Value(Frame::Boolean(false)),
                _ => return Err(ProtocolError::InvalidBoolean),
            },
            b',' => Item::Value(Frame::Double(line)),
            b'(' => Item::Value(Frame::BigNumber(line)),
            b'$' | b'=' | b'!' => match bulk_len(line, tag == b'$')? {
                None => Item::Value(Frame::Null),
                Some(len) => {
                    let Some(payload) = read_payload(buf, pos, len)? else {
                        return Ok(None);
                    };
                    pos = pos.saturating_add(len + 2);
                    Item::Value(match tag {
                        b'$' => Frame::Bulk(payload),
                        b'!' => Frame::BlobError(payload),
                        _ => verbatim(payload)?,
                    })
                }
            },
            _ => aggregate(tag, line, stack.len(), buf.len().saturating_sub(pos))?,
        };
        match item {
            Item::Value(v) => {
                if let Some(done) = deliver(&mut stack, v) {
                    return Ok(Some((done, pos)));
                }
            }
            Item::Open(level) => stack.push(level),
            Item::Nothing => {}
        }
    }
}

/// What one header produced.
enum Item<'a> {
    Value(Frame<'a>),
    Open(Level<'a>),
    /// An empty attribute: the value it annotates follows.
    Nothing,
}

/// An aggregate still collecting its elements. `left` counts elements (two per map pair).
enum Level<'a> {
    List {
        kind: u8,
        items: Vec<Frame<'a>>,
        left: usize,
    },
    Map {
        items: Vec<(Frame<'a>, Frame<'a>)>,
        key: Option<Frame<'a>>,
        left: usize,
    },
    Attribute {
        left: usize,
    },
}

impl<'a> Level<'a> {
    /// Takes one element; returns true when the aggregate is complete.
    fn accept(&mut self, v: Frame<'a>) -> bool {
        let left = match self {
            Level::List { items, left, .. } => {
                items.push(v);
                left
            }
            Level::Map { items, key, left } => {
                match key.take() {
                    None => *key = Some(v),
                    Some(k) => items.push((k, v)),
                }
                left
            }
            Level::Attribute { left } => left,
        };
        *left = left.saturating_sub(1);
        *left == 0
    }

    /// The finished frame; `None` for an attribute, which annotates and is dropped.
    fn finish(self) -> Option<Frame<'a>> {
        match self {
            Level::List {
                kind: b'~', items, ..
            } => Some(Frame::Set(items)),
            Level::List {
                kind: b'>', items, ..
            } => Some(Frame::Push(items)),
            Level::List { items, .. } => Some(Frame::Array(items)),
            Level::Map { items, .. } => Some(Frame::Map(items)),
            Level::Attribute { .. } => None,
        }
    }
}

fn is_type_byte(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b':'
            | b'$'
            | b'*'
            | b'_'
            | b'%'
            | b'~'
            | b'>'
            | b'#'
            | b','
            | b'('
            | b'='
            | b'!'
            | b'|'
    )
}

/// Hands a finished value to the innermost open aggregate, closing every aggregate it
/// completes. Returns the top-level frame once there is one.
fn deliver<'a>(stack: &mut Vec<Level<'a>>, mut v: Frame<'a>) -> Option<Frame<'a>> {
    loop {
        let Some(top) = stack.last_mut() else {
            return Some(v);
        };
        if !top.accept(v) {
            return None;
        }
        v = stack.pop()?.finish()?;
    }
}

/// The line starting at `start`, up to its `\r\n`, and the offset after it.
fn read_line(buf: &[u8], start: usize) -> Result<Option<(&[u8], usize)>, ProtocolError> {
    let Some(rest) = buf.get(start..) else {
        return Ok(None);
    };
    let Some(cr) = memchr(b'\r', rest) else {
        return Ok(None);
    };
    match rest.get(cr + 1) {
        None => Ok(None),
        Some(b'\n') => Ok(rest.get(..cr).map(|line| (line, start + cr + 2))),
        Some(_) => Err(ProtocolError::BadLineEnding),
    }
}

/// The payload length of a bulk header; `None` for the `$-1` null.
fn bulk_len(line: &[u8], null_allowed: bool) -> Result<Option<usize>, ProtocolError> {
    let n = parse_i64(line).ok_or(ProtocolError::InvalidLength)?;
    if n == -1 && null_allowed {
        return Ok(None);
    }
    let n = usize::try_from(n).map_err(|_| ProtocolError::InvalidLength)?;
    if n > MAX_BULK_LEN {
        return Err(ProtocolError::BulkTooLong);
    }
    Ok(Some(n))
}

/// The `len` payload bytes at `pos` once they and their CRLF have all arrived (checked from
/// the length alone, without scanning).
fn read_payload(buf: &[u8], pos: usize, len: usize) -> Result<Option<&[u8]>, ProtocolError> {
    let end = pos.saturating_add(len);
    if buf.len() < end.saturating_add(2) {
        return Ok(None);
    }
    if buf.get(end..end + 2) != Some(b"\r\n") {
        return Err(ProtocolError::MissingBulkTerminator);
    }
    Ok(buf.get(pos..end))
}

fn verbatim(payload: &[u8]) -> Result<Frame<'_>, ProtocolError> {
    match (payload.get(..3), payload.get(3), payload.get(4..)) {
        (Some(format), Some(b':'), Some(text)) => Ok(Frame::Verbatim(format, text)),
        _ => Err(ProtocolError::InvalidVerbatim),
    }
}

/// An aggregate header at nesting `depth`; `remaining` bytes follow it (bounds preallocation).
fn aggregate<'a>(
    tag: u8,
    line: &[u8],
    depth: usize,
    remaining: usize,
) -> Result<Item<'a>, ProtocolError> {
    let n = parse_i64(line).ok_or(ProtocolError::InvalidLength)?;
    if n == -1 && tag == b'*' {
        return Ok(Item::Value(Frame::Null));
    }
    let n = usize::try_from(n).map_err(|_| ProtocolError::InvalidLength)?;
    if n > MAX_AGGREGATE_LEN {
        return Err(ProtocolError::AggregateTooLong);
    }
    if depth >= MAX_DEPTH {
        return Err(ProtocolError::TooDeep);
    }
    // Every element takes at least 3 bytes (`_\r\n`): never reserve more than could arrive.
    let cap = n.min(remaining / 3);
    Ok(match tag {
        b'%' if n == 0 => Item::Value(Frame::Map(Vec::new())),
        b'%' => Item::Open(Level::Map {
            items: Vec::with_capacity(cap / 2),
            key: None,
            left: n * 2,
        }),
        b'|' if n == 0 => Item::Nothing,
        b'|' => Item::Open(Level::Attribute { left: n * 2 }),
        _ if n == 0 => Item::Value(empty_list(tag)),
        _ => Item::Open(Level::List {
            kind: tag,
            items: Vec::with_capacity(cap),
            left: n,
        }),
    })
}

fn empty_list<'a>(tag: u8) -> Frame<'a> {
    match tag {
        b'~' => Frame::Set(Vec::new()),
        b'>' => Frame::Push(Vec::new()),
        _ => Frame::Array(Vec::new()),
    }
}
