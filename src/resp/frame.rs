//! [`Frame`]: one RESP2/RESP3 value borrowing its bytes from the connection's read buffer.

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
