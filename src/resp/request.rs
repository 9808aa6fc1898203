//! [`RequestParser`]: client requests as a Redis 7.0 server reads them (networking.c
//! `processInputBuffer`, `processMultibulkBuffer`, `processInlineBuffer`), resumable across
//! reads, with Redis's exact limits and error texts ([`RequestError`]).
//!
//! # Contract
//!
//! The caller keeps a read buffer and the offset `start` of its first unconsumed byte, and
//! after every read calls [`RequestParser::parse`] in a loop on `&rbuf[start..]`:
//!
//! ```
//! # use rsentinel::resp::request::RequestParser;
//! let mut parser = RequestParser::new();
//! let mut rbuf = b"PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$4\r\nPI".to_vec();
//! let mut start = 0;
//! let mut seen = Vec::new();
//! while let Some(n) = parser.parse(&rbuf[start..], true)? {
//!     let args: Vec<&[u8]> = parser.args(&rbuf[start..]).collect();
//!     seen.push(args.concat());
//!     start += n;
//! }
//! rbuf.drain(..start); // the partial `PI` command stays; the parser remembers its progress
//! assert_eq!(seen, [b"PING".to_vec(), b"ECHOhi".to_vec()]);
//! # Ok::<(), rsentinel::resp::request::RequestError>(())
//! ```
//!
//! While `parse` returns `Ok(None)` its progress is stored as offsets from the start of the
//! slice it was given, so the next call must pass a slice starting at the same byte (with
//! more bytes appended). `Ok(Some(n))` means a command with at least one argument is complete
//! in the first `n` bytes; its arguments stay readable through [`RequestParser::args`] until
//! the next `parse`, which must then be given the bytes after those `n`. Empty requests
//! (`*0`, `*-1`, blank inline lines) are skipped inside `parse`, as Redis does, and counted in
//! the `n` of the next command. After an `Err` the client must be closed (Redis replies with
//! `-ERR <error>` and closes); `parse` keeps returning that error.
//!
//! Multibulk arguments are ranges into the caller's buffer; inline arguments (which may be
//! unquoted by [`split_args`]) are copied into a scratch buffer owned by the parser. Both
//! vectors are reused from command to command. Like Redis (which uses `strchr` on its
//! NUL-terminated query buffer), a NUL byte hides any line end after it.

use std::fmt;
use std::ops::Range;

use memchr::memchr2;

use super::encode::ReplyWriter;
use super::num::parse_i64;
use crate::config::lexer::split_args;

/// `PROTO_INLINE_MAX_SIZE`: the longest inline line, or multibulk/bulk count line, that may
/// sit in the buffer without its terminator.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// Default `proto-max-bulk-len`.
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Largest multibulk count Redis 7.0 accepts (`INT_MAX`).
pub const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;
/// Largest multibulk count accepted before authentication.
pub const UNAUTH_MAX_MULTIBULK_LEN: i64 = 10;
/// Largest bulk length accepted before authentication.
pub const UNAUTH_MAX_BULK_LEN: i64 = 16384;
/// Redis preallocates at most this many argument slots from a multibulk count.
const ARGV_PREALLOC: usize = 1024;

/// A protocol error that ends the connection. `Display` gives the text Redis 7.0.15 sends
/// after `-ERR ` (checked against the real server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    /// An inline line longer than [`PROTO_INLINE_MAX_SIZE`] without a newline.
    TooBigInline,
    /// An inline line that [`split_args`] rejects.
    UnbalancedQuotes,
    /// A multibulk count that is not a decimal or above [`MAX_MULTIBULK_LEN`].
    InvalidMultibulkLength,
    /// A multibulk count above [`UNAUTH_MAX_MULTIBULK_LEN`] before authentication.
    UnauthenticatedMultibulkLength,
    /// A multibulk count line longer than [`PROTO_INLINE_MAX_SIZE`] without `\r`.
    TooBigMbulkCount,
    /// An argument header not starting with `$`; holds the byte found instead.
    ExpectedDollar(u8),
    /// A bulk length that is not a decimal, negative, or above [`PROTO_MAX_BULK_LEN`].
    InvalidBulkLength,
    /// A bulk length above [`UNAUTH_MAX_BULK_LEN`] before authentication.
    UnauthenticatedBulkLength,
    /// A bulk count line longer than [`PROTO_INLINE_MAX_SIZE`] without `\r`.
    TooBigBulkCount,
}

impl RequestError {
    /// The exact bytes Redis puts after `-ERR ` (before CR/LF are replaced by spaces); unlike
    /// `Display` this keeps a non-ASCII byte of [`RequestError::ExpectedDollar`] as is.
    pub fn message_bytes(&self) -> Vec<u8> {
        match *self {
            RequestError::ExpectedDollar(c) => {
                // Never NUL: a NUL hides the header's end, so no header is read.
                let mut m = b"Protocol error: expected '$', got '".to_vec();
                m.push(c);
                m.push(b'\'');
                m
            }
            _ => self.to_string().into_bytes(),
        }
    }

    /// Appends the reply Redis sends before closing: `-ERR <message>\r\n`.
    pub fn write_reply(&self, w: &mut ReplyWriter<'_>) {
        let mut text = b"ERR ".to_vec();
        text.extend_from_slice(&self.message_bytes());
        w.error_bytes(&text);
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            RequestError::TooBigInline => "too big inline request",
            RequestError::UnbalancedQuotes => "unbalanced quotes in request",
            RequestError::InvalidMultibulkLength => "invalid multibulk length",
            RequestError::UnauthenticatedMultibulkLength => "unauthenticated multibulk length",
            RequestError::TooBigMbulkCount => "too big mbulk count string",
            RequestError::ExpectedDollar(c) => {
                return write!(f, "Protocol error: expected '$', got '{}'", char::from(*c));
            }
            RequestError::InvalidBulkLength => "invalid bulk length",
            RequestError::UnauthenticatedBulkLength => "unauthenticated bulk length",
            RequestError::TooBigBulkCount => "too big bulk count string",
        };
        write!(f, "Protocol error: {text}")
    }
}

impl std::error::Error for RequestError {}

/// Where the parser is inside the current request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between requests: the next byte decides inline or multibulk.
    Start,
    /// Looking for the `\n` ending an inline line.
    Inline,
    /// Looking for the `\r` ending the `*<count>` line.
    MultibulkHeader,
    /// `left` arguments to go; `bulk` is the length of the current one once its header is read.
    Bulks { left: usize, bulk: Option<usize> },
    /// A protocol error was returned; the connection is finished.
    Failed(RequestError),
}

/// What a terminator search found.
enum Found {
    At(usize),
    /// A NUL hides everything after it (Redis's `strchr`); progress stays here forever.
    Nul,
    NotYet,
}

/// The resumable request parser of one client connection. See the module docs for the
/// calling contract.
#[derive(Debug, Clone)]
pub struct RequestParser {
    phase: Phase,
    /// Next unparsed byte, relative to the slice passed to `parse`.
    pos: usize,
    /// Where the current terminator search resumes (`>= pos`): bytes are scanned once.
    scan: usize,
    /// Argument ranges into the caller's buffer (multibulk) or `scratch` (inline).
    args: Vec<Range<usize>>,
    inline: bool,
    scratch: Vec<u8>,
    /// The last `parse` returned a command; the next one starts afresh at offset 0.
    ready: bool,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

/// First `needle` or NUL in `hay`. Headers (`*3`, `$23`) end within a few bytes, where a
/// plain scan beats memchr's setup; longer stretches (inline requests) go to memchr.
fn find_byte_or_nul(needle: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 16;
    let head = hay.get(..SHORT).unwrap_or(hay);
    if let Some(i) = head.iter().position(|&b| b == needle || b == 0) {
        return Some(i);
    }
    let tail = hay.get(SHORT..)?;
    memchr2(needle, 0, tail).map(|i| i + SHORT)
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser {
            phase: Phase::Start,
            pos: 0,
            scan: 0,
            args: Vec::new(),
            inline: false,
            scratch: Vec::new(),
            ready: false,
        }
    }

    /// Continues parsing `buf` (see the module docs): `Ok(Some(n))` when a command is complete
    /// in `buf[..n]`, `Ok(None)` when more bytes are needed. `authenticated` selects Redis's
    /// tighter pre-authentication limits when false.
    pub fn parse(
        &mut self,
        buf: &[u8],
        authenticated: bool,
    ) -> Result<Option<usize>, RequestError> {
        if self.ready {
            self.ready = false;
            self.pos = 0;
            self.scan = 0;
            self.args.clear();
        }
        let result = self.run(buf, authenticated);
        if let Err(e) = result {
            self.phase = Phase::Failed(e);
            self.args.clear();
        }
        result
    }

    /// Number of arguments of the command returned by the last `parse` (0 if there is none).
    pub fn argc(&self) -> usize {
        if self.ready {
            self.args.len()
        } else {
            0
        }
    }

    /// The arguments of the command returned by the last `parse`; `buf` must be the slice that
    /// call was given. Empty when no command is complete.
    pub fn args<'b>(&'b self, buf: &'b [u8]) -> Args<'b> {
        let src = if self.inline { &self.scratch[..] } else { buf };
        let ranges = if self.ready { &self.args[..] } else { &[] };
        Args {
            src,
            ranges: ranges.iter(),
        }
    }

    /// Argument `i` of the completed command, as [`RequestParser::args`].
    pub fn arg<'b>(&'b self, buf: &'b [u8], i: usize) -> Option<&'b [u8]> {
        self.args(buf).nth(i)
    }

    /// Appends the completed command's arguments to `out`, as [`RequestParser::args`].
    pub fn fill_args<'b>(&'b self, buf: &'b [u8], out: &mut Vec<&'b [u8]>) {
        out.extend(self.args(buf));
    }

    fn run(&mut self, buf: &[u8], authenticated: bool) -> Result<Option<usize>, RequestError> {
        loop {
            match self.phase {
                Phase::Failed(e) => return Err(e),
                Phase::Start => {
                    let Some(&first) = buf.get(self.pos) else {
                        return Ok(None);
                    };
                    self.scan = self.pos;
                    self.phase = if first == b'*' {
                        Phase::MultibulkHeader
                    } else {
                        Phase::Inline
                    };
                }
                Phase::Inline => {
                    if !self.inline_line(buf)? {
                        return Ok(None);
                    }
                    self.phase = Phase::Start;
                    if !self.args.is_empty() {
                        return Ok(Some(self.complete()));
                    }
                }
                Phase::MultibulkHeader => {
                    if !self.multibulk_header(buf, authenticated)? {
                        return Ok(None);
                    }
                }
                Phase::Bulks { left, bulk } => {
                    if !self.bulks(buf, authenticated, left, bulk)? {
                        return Ok(None);
                    }
                    self.phase = Phase::Start;
                    return Ok(Some(self.complete()));
                }
            }
        }
    }

    fn complete(&mut self) -> usize {
        self.ready = true;
        self.pos
    }

    /// Searches from `self.scan` for `needle`, stopping at a NUL like `strchr`.
    fn find(&mut self, buf: &[u8], needle: u8) -> Found {
        let from = self.scan.max(self.pos);
        match buf
            .get(from..)
            .and_then(|rest| find_byte_or_nul(needle, rest))
        {
            Some(i) => {
                let at = from + i;
                self.scan = at;
                if buf.get(at) == Some(&needle) {
                    Found::At(at)
                } else {
                    Found::Nul
                }
            }
            None => {
                self.scan = buf.len().max(from);
                Found::NotYet
            }
        }
    }

    /// True when the unterminated rest of `buf` exceeds the inline limit.
    fn too_big(&self, buf: &[u8]) -> bool {
        buf.len().saturating_sub(self.pos) > PROTO_INLINE_MAX_SIZE
    }

    /// `processInlineBuffer`: true once a whole line was split into `args` (maybe none).
    fn inline_line(&mut self, buf: &[u8]) -> Result<bool, RequestError> {
        let Found::At(nl) = self.find(buf, b'\n') else {
            return if self.too_big(buf) {
                Err(RequestError::TooBigInline)
            } else {
                Ok(false)
            };
        };
        let mut end = nl;
        if nl > self.pos && buf.get(nl - 1) == Some(&b'\r') {
            end = nl - 1;
        }
        let line = buf.get(self.pos..end).unwrap_or_default();
        let words = split_args(line).map_err(|_| RequestError::UnbalancedQuotes)?;
        self.pos = nl + 1;
        self.scan = self.pos;
        self.args.clear();
        self.scratch.clear();
        self.inline = true;
        for w in words {
            let start = self.scratch.len();
            self.scratch.extend_from_slice(&w);
            self.args.push(start..self.scratch.len());
        }
        Ok(true)
    }

    /// The `*<count>\r\n` line: true once it is read (the phase then says what follows).
    fn multibulk_header(&mut self, buf: &[u8], authenticated: bool) -> Result<bool, RequestError> {
        let Found::At(cr) = self.find(buf, b'\r') else {
            return if self.too_big(buf) {
                Err(RequestError::TooBigMbulkCount)
            } else {
                Ok(false)
            };
        };
        // Redis needs one more byte after `\r` and skips it without looking at it.
        if cr + 1 >= buf.len() {
            return Ok(false);
        }
        let digits = buf.get(self.pos + 1..cr).unwrap_or_default();
        let count = parse_i64(digits)
            .filter(|&n| n <= MAX_MULTIBULK_LEN)
            .ok_or(RequestError::InvalidMultibulkLength)?;
        if count > UNAUTH_MAX_MULTIBULK_LEN && !authenticated {
            return Err(RequestError::UnauthenticatedMultibulkLength);
        }
        self.pos = cr + 2;
        self.scan = self.pos;
        match usize::try_from(count) {
            Ok(left) if left > 0 => {
                self.args.clear();
                self.args.reserve(left.min(ARGV_PREALLOC));
                self.inline = false;
                self.phase = Phase::Bulks { left, bulk: None };
            }
            // `*0` and negative counts are empty requests: skipped.
            _ => self.phase = Phase::Start,
        }
        Ok(true)
    }

    /// The `$<len>\r\n<payload>\r\n` arguments: true once all `left` are read.
    fn bulks(
        &mut self,
        buf: &[u8],
        authenticated: bool,
        mut left: usize,
        mut bulk: Option<usize>,
    ) -> Result<bool, RequestError> {
        while left > 0 {
            let len = match bulk {
                Some(len) => len,
                None => match self.bulk_header(buf, authenticated)? {
                    Some(len) => len,
                    None => {
                        self.phase = Phase::Bulks { left, bulk };
                        return Ok(false);
                    }
                },
            };
            // The two bytes after the payload are skipped unchecked, as Redis does.
            if buf.len().saturating_sub(self.pos) < len + 2 {
                self.phase = Phase::Bulks {
                    left,
                    bulk: Some(len),
                };
                return Ok(false);
            }
            self.args.push(self.pos..self.pos + len);
            self.pos += len + 2;
            self.scan = self.pos;
            left -= 1;
            bulk = None;
        }
        Ok(true)
    }

    /// One `$<len>\r\n` header: its length, or `None` if it has not fully arrived.
    fn bulk_header(
        &mut self,
        buf: &[u8],
        authenticated: bool,
    ) -> Result<Option<usize>, RequestError> {
        let Found::At(cr) = self.find(buf, b'\r') else {
            return if self.too_big(buf) {
                Err(RequestError::TooBigBulkCount)
            } else {
                Ok(None)
            };
        };
        if cr + 1 >= buf.len() {
            return Ok(None);
        }
        let first = buf.get(self.pos).copied().unwrap_or_default();
        if first != b'$' {
            return Err(RequestError::ExpectedDollar(first));
        }
        let digits = buf.get(self.pos + 1..cr).unwrap_or_default();
        let len = parse_i64(digits)
            .filter(|n| (0..=PROTO_MAX_BULK_LEN).contains(n))
            .ok_or(RequestError::InvalidBulkLength)?;
        if len > UNAUTH_MAX_BULK_LEN && !authenticated {
            return Err(RequestError::UnauthenticatedBulkLength);
        }
        self.pos = cr + 2;
        self.scan = self.pos;
        usize::try_from(len)
            .map(Some)
            .map_err(|_| RequestError::InvalidBulkLength)
    }
}

/// Iterator over the arguments of a completed command.
#[derive(Debug, Clone)]
pub struct Args<'b> {
    src: &'b [u8],
    ranges: std::slice::Iter<'b, Range<usize>>,
}

impl<'b> Iterator for Args<'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        let r = self.ranges.next()?;
        // Only a caller passing a different buffer than documented could miss here.
        Some(self.src.get(r.clone()).unwrap_or_default())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ranges.size_hint()
    }
}

impl ExactSizeIterator for Args<'_> {}

#[cfg(test)]
mod tests {
    #[test]
    fn find_byte_or_nul_matches_naive_scan_at_every_position() {
        for len in 0..48 {
            for at in 0..=len {
                for stop in [b'\r', 0u8] {
                    let mut hay = vec![b'x'; len];
                    if let Some(b) = hay.get_mut(at) {
                        *b = stop;
                    }
                    let naive = hay.iter().position(|&b| b == b'\r' || b == 0);
                    assert_eq!(find_byte_or_nul(b'\r', &hay), naive, "len {len} at {at}");
                }
            }
        }
    }

    use super::*;
    use crate::resp::reference::feed_requests;

    fn whole(input: &[u8], auth: bool) -> (Vec<Vec<Vec<u8>>>, Option<RequestError>) {
        let r = feed_requests([input], auth);
        (r.commands, r.error)
    }

    fn cmds(list: &[&[&str]]) -> Vec<Vec<Vec<u8>>> {
        list.iter()
            .map(|c| c.iter().map(|a| a.as_bytes().to_vec()).collect())
            .collect()
    }

    fn error_of(input: &[u8], auth: bool) -> Option<RequestError> {
        whole(input, auth).1
    }

    #[test]
    fn liveness_probe_ping_crlf_lf_gives_one_ping() {
        assert_eq!(whole(b"PING\r\n\n", false), (cmds(&[&["PING"]]), None));
        assert_eq!(whole(b"PING\n", false), (cmds(&[&["PING"]]), None));
    }

    #[test]
    fn pipelined_multibulk_and_inline_commands_come_out_in_order() {
        let input = b"*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\nPING x\r\n*1\r\n$4\r\nINFO\r\n";
        let expected = cmds(&[&["ECHO", "a\r\n"], &["PING", "x"], &["INFO"]]);
        assert_eq!(whole(input, true), (expected, None));
    }

    #[test]
    fn empty_requests_are_skipped() {
        let input = b"*0\r\n*-1\r\n*-5\r\n\r\n\n   \t\r\n\rPING\r\n";
        assert_eq!(whole(input, false), (cmds(&[&["PING"]]), None));
    }

    #[test]
    fn inline_arguments_are_unquoted() {
        let input = b"SET \"a b\" 'c' \"\\x41\"\r\n";
        assert_eq!(
            whole(input, true),
            (cmds(&[&["SET", "a b", "c", "A"]]), None)
        );
    }

    #[test]
    fn bytes_after_bulk_payload_and_after_count_cr_are_not_checked() {
        // Observed on redis-server 7.0.15: both commands run.
        let input = b"*1\rX$4\r\nPINGxy*1\r\n$4\r\nPING\r\n";
        assert_eq!(whole(input, true), (cmds(&[&["PING"], &["PING"]]), None));
    }

    #[test]
    fn nul_hides_the_line_end_like_strchr() {
        assert_eq!(whole(b"PI\0NG\r\n", true), (vec![], None));
        assert_eq!(whole(b"*1\r\n\0a\r\n", true), (vec![], None));
        let mut big = b"PI\0NG\n".to_vec();
        big.resize(PROTO_INLINE_MAX_SIZE + 7, b'a');
        assert_eq!(error_of(&big, true), Some(RequestError::TooBigInline));
    }

    #[test]
    fn unterminated_lines_over_64k_are_errors_at_65537_bytes() {
        let k = PROTO_INLINE_MAX_SIZE;
        assert_eq!(error_of(&vec![b'a'; k], true), None);
        assert_eq!(
            error_of(&vec![b'a'; k + 1], true),
            Some(RequestError::TooBigInline)
        );
        let mut m = vec![b'1'; k + 1];
        m[0] = b'*';
        assert_eq!(error_of(&m[..k], true), None);
        assert_eq!(error_of(&m, true), Some(RequestError::TooBigMbulkCount));
        let mut b = b"*1\r\n".to_vec();
        b.push(b'$');
        b.resize(4 + k + 1, b'1');
        assert_eq!(error_of(&b[..b.len() - 1], true), None);
        assert_eq!(error_of(&b, true), Some(RequestError::TooBigBulkCount));
        // Byte by byte the limit trips as soon as 65537 bytes are buffered.
        let r = feed_requests(vec![b'a'; k + 5].chunks(1), true);
        assert_eq!(r.error, Some(RequestError::TooBigInline));
    }

    #[test]
    fn multibulk_counts_follow_redis_7_limits() {
        use RequestError::*;
        assert_eq!(error_of(b"*2147483647\r\n", true), None);
        assert_eq!(
            error_of(b"*2147483648\r\n", true),
            Some(InvalidMultibulkLength)
        );
        assert_eq!(error_of(b"*01\r\n", true), Some(InvalidMultibulkLength));
        assert_eq!(error_of(b"*+1\r\n", true), Some(InvalidMultibulkLength));
        assert_eq!(error_of(b"*\r\n", true), Some(InvalidMultibulkLength));
        assert_eq!(error_of(b"*10\r\n", false), None);
        assert_eq!(
            error_of(b"*11\r\n", false),
            Some(UnauthenticatedMultibulkLength)
        );
    }

    #[test]
    fn bulk_lengths_follow_redis_7_limits() {
        use RequestError::*;
        assert_eq!(error_of(b"*1\r\n$536870912\r\n", true), None);
        assert_eq!(
            error_of(b"*1\r\n$536870913\r\n", true),
            Some(InvalidBulkLength)
        );
        assert_eq!(error_of(b"*1\r\n$-1\r\n", true), Some(InvalidBulkLength));
        assert_eq!(error_of(b"*1\r\n$-0\r\n", true), Some(InvalidBulkLength));
        assert_eq!(error_of(b"*1\r\n$16384\r\n", false), None);
        assert_eq!(
            error_of(b"*1\r\n$16385\r\n", false),
            Some(UnauthenticatedBulkLength)
        );
        assert_eq!(error_of(b"*1\r\nX4\r\n", true), Some(ExpectedDollar(b'X')));
        assert_eq!(error_of(b"*1\r\n$1\r", true), None);
    }

    #[test]
    fn error_texts_match_redis_7_0_15() {
        let reply = |e: RequestError| {
            let mut out = Vec::new();
            e.write_reply(&mut ReplyWriter::new(&mut out, crate::resp::Proto::Resp2));
            out
        };
        use RequestError::*;
        let cases: [(RequestError, &[u8]); 10] = [
            (
                TooBigInline,
                b"-ERR Protocol error: too big inline request\r\n",
            ),
            (
                UnbalancedQuotes,
                b"-ERR Protocol error: unbalanced quotes in request\r\n",
            ),
            (
                InvalidMultibulkLength,
                b"-ERR Protocol error: invalid multibulk length\r\n",
            ),
            (
                UnauthenticatedMultibulkLength,
                b"-ERR Protocol error: unauthenticated multibulk length\r\n",
            ),
            (
                TooBigMbulkCount,
                b"-ERR Protocol error: too big mbulk count string\r\n",
            ),
            (
                ExpectedDollar(0xe9),
                b"-ERR Protocol error: expected '$', got '\xe9'\r\n",
            ),
            (
                ExpectedDollar(b'\r'),
                b"-ERR Protocol error: expected '$', got ' '\r\n",
            ),
            (
                InvalidBulkLength,
                b"-ERR Protocol error: invalid bulk length\r\n",
            ),
            (
                UnauthenticatedBulkLength,
                b"-ERR Protocol error: unauthenticated bulk length\r\n",
            ),
            (
                TooBigBulkCount,
                b"-ERR Protocol error: too big bulk count string\r\n",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(reply(e), text, "{e}");
        }
        assert_eq!(
            RequestError::ExpectedDollar(b'X').to_string(),
            "Protocol error: expected '$', got 'X'"
        );
    }

    #[test]
    fn unbalanced_quotes_end_the_connection_after_earlier_commands() {
        let r = whole(b"PING\r\nECHO \"a\"b\r\n", true);
        assert_eq!(
            r,
            (cmds(&[&["PING"]]), Some(RequestError::UnbalancedQuotes))
        );
    }

    #[test]
    fn partial_bulk_is_resumed_without_rescanning_from_the_start() {
        let mut p = RequestParser::new();
        let mut buf = b"*2\r\n$4\r\nECHO\r\n$5\r\nhel".to_vec();
        assert_eq!(p.parse(&buf, true), Ok(None));
        assert_eq!(p.argc(), 0);
        // The parser has remembered the first argument and the second's length.
        assert_eq!(p.args.len(), 1);
        assert_eq!(
            p.phase,
            Phase::Bulks {
                left: 1,
                bulk: Some(5)
            }
        );
        buf.extend_from_slice(b"lo\r\nPING\r\n");
        assert_eq!(p.parse(&buf, true), Ok(Some(25)));
        let args: Vec<&[u8]> = p.args(&buf).collect();
        assert_eq!(args, [&b"ECHO"[..], b"hello"]);
        assert_eq!(p.arg(&buf, 1), Some(&b"hello"[..]));
        let rest = &buf[25..];
        assert_eq!(p.parse(rest, true), Ok(Some(6)));
        let mut out = Vec::new();
        p.fill_args(rest, &mut out);
        assert_eq!(out, [&b"PING"[..]]);
    }
}
