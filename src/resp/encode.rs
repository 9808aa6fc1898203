//! Reply encoding for RESP2 and RESP3 into a caller-owned output buffer.
//!
//! [`ReplyWriter`] knows the client's protocol version and picks the right shape for the
//! few types that differ (maps, nulls, push frames); everything else is identical.

use std::io::Write as _;

use super::frame::Frame;

/// The protocol a client speaks: RESP2 by default, RESP3 after `HELLO 3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Proto {
    #[default]
    Resp2,
    Resp3,
}

/// Appends RESP replies to `out` in the client's protocol.
pub struct ReplyWriter<'a> {
    pub out: &'a mut Vec<u8>,
    pub proto: Proto,
}

impl<'a> ReplyWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>, proto: Proto) -> Self {
        ReplyWriter { out, proto }
    }

    fn header(&mut self, tag: u8, n: usize) {
        self.out.push(tag);
        let mut buf = itoa_buf();
        let s = fmt_u64(&mut buf, n as u64);
        self.out.extend_from_slice(s);
        self.out.extend_from_slice(b"\r\n");
    }

    /// `+text\r\n` — `text` must not contain CR or LF.
    pub fn simple(&mut self, text: &str) {
        self.out.push(b'+');
        self.out.extend_from_slice(text.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// `+OK\r\n`
    pub fn ok(&mut self) {
        self.out.extend_from_slice(b"+OK\r\n");
    }

    /// An error line. `text` is the whole line after `-` (e.g. `ERR no such key`); CR and LF
    /// in it are replaced by spaces, as Redis does.
    pub fn error(&mut self, text: &str) {
        self.error_bytes(text.as_bytes());
    }

    /// [`ReplyWriter::error`] for text that may not be UTF-8 (e.g. a byte echoed from input).
    pub fn error_bytes(&mut self, text: &[u8]) {
        self.out.push(b'-');
        for &b in text {
            self.out
                .push(if b == b'\r' || b == b'\n' { b' ' } else { b });
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// `:n\r\n`
    pub fn integer(&mut self, n: i64) {
        let _ = write!(self.out, ":{n}\r\n");
    }

    /// `$len\r\nbytes\r\n`
    pub fn bulk(&mut self, bytes: &[u8]) {
        self.header(b'$', bytes.len());
        self.out.extend_from_slice(bytes);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `n` (Sentinel sends numbers this way).
    pub fn bulk_uint(&mut self, n: u64) {
        let mut buf = itoa_buf();
        let digits = fmt_u64(&mut buf, n);
        self.bulk(digits);
    }

    /// Null bulk: `$-1` in RESP2, `_` in RESP3.
    pub fn null_bulk(&mut self) {
        match self.proto {
            Proto::Resp2 => self.out.extend_from_slice(b"$-1\r\n"),
            Proto::Resp3 => self.out.extend_from_slice(b"_\r\n"),
        }
    }

    /// Null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        match self.proto {
            Proto::Resp2 => self.out.extend_from_slice(b"*-1\r\n"),
            Proto::Resp3 => self.out.extend_from_slice(b"_\r\n"),
        }
    }

    /// Array header for `n` elements.
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n);
    }

    /// Map header for `n` key/value pairs: `%n` in RESP3, `*2n` in RESP2.
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.header(b'*', n * 2),
            Proto::Resp3 => self.header(b'%', n),
        }
    }

    /// Set header: `~n` in RESP3, `*n` in RESP2.
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.header(b'*', n),
            Proto::Resp3 => self.header(b'~', n),
        }
    }

    /// Push header (pub/sub messages): `>n` in RESP3, `*n` in RESP2.
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.header(b'*', n),
            Proto::Resp3 => self.header(b'>', n),
        }
    }

    /// Verbatim string in RESP3 (`=len\r\ntxt:...`), plain bulk in RESP2.
    pub fn verbatim(&mut self, format: &str, bytes: &[u8]) {
        match self.proto {
            Proto::Resp2 => self.bulk(bytes),
            Proto::Resp3 => {
                self.header(b'=', bytes.len() + 4);
                self.out.extend_from_slice(format.as_bytes());
                self.out.push(b':');
                self.out.extend_from_slice(bytes);
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    /// Boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn boolean(&mut self, v: bool) {
        match (self.proto, v) {
            (Proto::Resp3, true) => self.out.extend_from_slice(b"#t\r\n"),
            (Proto::Resp3, false) => self.out.extend_from_slice(b"#f\r\n"),
            (Proto::Resp2, true) => self.out.extend_from_slice(b":1\r\n"),
            (Proto::Resp2, false) => self.out.extend_from_slice(b":0\r\n"),
        }
    }
}

/// Encodes a command (array of bulk strings) as clients and sentinels send it.
pub fn command<A: AsRef<[u8]>>(out: &mut Vec<u8>, args: &[A]) {
    let mut w = ReplyWriter::new(out, Proto::Resp2);
    w.array(args.len());
    for a in args {
        w.bulk(a.as_ref());
    }
}

/// Encodes any [`Frame`] in RESP3 exactly as parsed (every null as `_`): for relaying frames
/// and for round-trip tests. Line-typed frames must not contain `\r`.
pub fn frame(out: &mut Vec<u8>, f: &Frame<'_>) {
    let mut w = ReplyWriter::new(out, Proto::Resp3);
    let line = |w: &mut ReplyWriter<'_>, tag: u8, body: &[u8]| {
        w.out.push(tag);
        w.out.extend_from_slice(body);
        w.out.extend_from_slice(b"\r\n");
    };
    let blob = |w: &mut ReplyWriter<'_>, tag: u8, parts: &[&[u8]]| {
        w.header(tag, parts.iter().map(|p| p.len()).sum());
        parts.iter().for_each(|p| w.out.extend_from_slice(p));
        w.out.extend_from_slice(b"\r\n");
    };
    match f {
        Frame::Simple(b) => line(&mut w, b'+', b),
        Frame::Error(b) => line(&mut w, b'-', b),
        Frame::Integer(n) => w.integer(*n),
        Frame::Bulk(b) => w.bulk(b),
        Frame::Null => w.null_bulk(),
        Frame::Array(v) | Frame::Set(v) | Frame::Push(v) => {
            let tag = match f {
                Frame::Set(_) => b'~',
                Frame::Push(_) => b'>',
                _ => b'*',
            };
            w.header(tag, v.len());
            v.iter().for_each(|e| frame(w.out, e));
        }
        Frame::Map(v) => {
            w.map(v.len());
            for (k, e) in v {
                frame(w.out, k);
                frame(w.out, e);
            }
        }
        Frame::Boolean(b) => w.boolean(*b),
        Frame::Double(b) => line(&mut w, b',', b),
        Frame::BigNumber(b) => line(&mut w, b'(', b),
        Frame::Verbatim(fmt, b) => blob(&mut w, b'=', &[fmt, b":", b]),
        Frame::BlobError(b) => blob(&mut w, b'!', &[b]),
    }
}

fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
}

/// The decimal digits of `n`, written at the end of `buf` (20 bytes hold any `u64`).
fn fmt_u64(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    while let Some(slot) = i.checked_sub(1).and_then(|j| buf.get_mut(j)) {
        i -= 1;
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(proto: Proto, f: impl FnOnce(&mut ReplyWriter)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut ReplyWriter::new(&mut out, proto));
        out
    }

    #[test]
    fn map_is_flat_array_in_resp2_and_map_in_resp3() {
        assert_eq!(enc(Proto::Resp2, |w| w.map(3)), b"*6\r\n");
        assert_eq!(enc(Proto::Resp3, |w| w.map(3)), b"%3\r\n");
    }

    #[test]
    fn nulls_differ_by_protocol() {
        assert_eq!(enc(Proto::Resp2, |w| w.null_array()), b"*-1\r\n");
        assert_eq!(enc(Proto::Resp2, |w| w.null_bulk()), b"$-1\r\n");
        assert_eq!(enc(Proto::Resp3, |w| w.null_array()), b"_\r\n");
    }

    #[test]
    fn numbers_as_bulk_strings() {
        assert_eq!(enc(Proto::Resp2, |w| w.bulk_uint(6390)), b"$4\r\n6390\r\n");
        assert_eq!(enc(Proto::Resp2, |w| w.bulk_uint(0)), b"$1\r\n0\r\n");
        for n in [7u64, 65535, u64::from(u32::MAX), u64::MAX] {
            let text = n.to_string();
            assert_eq!(
                enc(Proto::Resp2, |w| w.bulk_uint(n)),
                enc(Proto::Resp2, |w| w.bulk(text.as_bytes()))
            );
        }
    }

    #[test]
    fn error_text_has_crlf_replaced() {
        assert_eq!(
            enc(Proto::Resp2, |w| w.error("ERR a\r\nb")),
            b"-ERR a  b\r\n"
        );
    }

    #[test]
    fn command_is_array_of_bulks() {
        let mut out = Vec::new();
        command(&mut out, &["PING"]);
        assert_eq!(out, b"*1\r\n$4\r\nPING\r\n");
    }
}
