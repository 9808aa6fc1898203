//! A small, independent, blocking RESP2/RESP3 client used as a test oracle. It deliberately
//! shares no code with the crate's own parser/encoder.

use std::fmt;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::{ClientConfig, ClientConnection, StreamOwned};

/// Default connect/read/write timeout of a [`Client`].
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// One RESP reply, owned. Every wire form maps to exactly one variant, so two replies are
/// byte-for-byte equal iff their `Value`s are equal (`Double`/`BigNumber` keep their text).
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// `+text`
    Simple(String),
    /// `-text`
    Error(String),
    /// `:n`
    Int(i64),
    /// `$n` bulk string
    Bulk(Vec<u8>),
    /// `$-1` (RESP2 null bulk)
    NilBulk,
    /// `*-1` (RESP2 null array)
    NilArray,
    /// `*n`
    Array(Vec<Value>),
    /// `_` (RESP3 null)
    Null,
    /// `,text` (RESP3 double; text kept as sent)
    Double(String),
    /// `#t` / `#f`
    Bool(bool),
    /// `(digits`
    BigNumber(String),
    /// `=n` verbatim string: format (3 chars) and text
    Verbatim(String, Vec<u8>),
    /// `!n` blob error
    BlobError(Vec<u8>),
    /// `%n`
    Map(Vec<(Value, Value)>),
    /// `~n`
    Set(Vec<Value>),
    /// `>n`
    Push(Vec<Value>),
    /// `|n` attribute followed by the value it annotates
    Attribute(Vec<(Value, Value)>, Box<Value>),
    /// Placeholder written by masks (never produced by the parser).
    Masked(String),
}

impl Value {
    pub fn bulk(s: &str) -> Value {
        Value::Bulk(s.as_bytes().to_vec())
    }

    /// Text of a simple/bulk/verbatim/error string, lossily decoded.
    pub fn as_str(&self) -> Option<String> {
        match self {
            Value::Simple(s) | Value::Error(s) => Some(s.clone()),
            Value::Bulk(b) | Value::Verbatim(_, b) | Value::BlobError(b) => {
                Some(String::from_utf8_lossy(b).into_owned())
            }
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// Elements of an array, set or push.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(v) | Value::Set(v) | Value::Push(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_) | Value::BlobError(_))
    }

    /// Error text (without the leading `-`), or None.
    pub fn error(&self) -> Option<String> {
        match self {
            Value::Error(_) | Value::BlobError(_) => self.as_str(),
            _ => None,
        }
    }

    /// A field/value reply as pairs: a RESP3 map, or a RESP2 flat array of even length.
    pub fn to_pairs(&self) -> Option<Vec<(String, Value)>> {
        match self {
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| Some((k.as_str()?, v.clone())))
                .collect(),
            Value::Array(a) if a.len() % 2 == 0 => a
                .chunks(2)
                .map(|c| Some((c[0].as_str()?, c[1].clone())))
                .collect(),
            _ => None,
        }
    }

    /// Value of `field` in a field/value reply, as text.
    pub fn field(&self, field: &str) -> Option<String> {
        self.to_pairs()?
            .into_iter()
            .find(|(k, _)| k == field)
            .and_then(|(_, v)| v.as_str())
    }

    /// Re-encode as RESP bytes (inverse of the parser for every parsed value).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        fn agg(out: &mut Vec<u8>, tag: char, items: &[Value]) {
            out.extend_from_slice(format!("{tag}{}\r\n", items.len()).as_bytes());
            for i in items {
                i.encode_into(out);
            }
        }
        fn pairs(out: &mut Vec<u8>, tag: char, items: &[(Value, Value)]) {
            out.extend_from_slice(format!("{tag}{}\r\n", items.len()).as_bytes());
            for (k, v) in items {
                k.encode_into(out);
                v.encode_into(out);
            }
        }
        fn blob(out: &mut Vec<u8>, tag: char, b: &[u8]) {
            out.extend_from_slice(format!("{tag}{}\r\n", b.len()).as_bytes());
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        match self {
            Value::Simple(s) => out.extend_from_slice(format!("+{s}\r\n").as_bytes()),
            Value::Error(s) => out.extend_from_slice(format!("-{s}\r\n").as_bytes()),
            Value::Int(n) => out.extend_from_slice(format!(":{n}\r\n").as_bytes()),
            Value::Bulk(b) => blob(out, '$', b),
            Value::NilBulk => out.extend_from_slice(b"$-1\r\n"),
            Value::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Value::Array(a) => agg(out, '*', a),
            Value::Null => out.extend_from_slice(b"_\r\n"),
            Value::Double(d) => out.extend_from_slice(format!(",{d}\r\n").as_bytes()),
            Value::Bool(b) => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
            Value::BigNumber(d) => out.extend_from_slice(format!("({d}\r\n").as_bytes()),
            Value::Verbatim(f, b) => {
                let mut body = f.as_bytes().to_vec();
                body.push(b':');
                body.extend_from_slice(b);
                blob(out, '=', &body)
            }
            Value::BlobError(b) => blob(out, '!', b),
            Value::Map(m) => pairs(out, '%', m),
            Value::Set(a) => agg(out, '~', a),
            Value::Push(a) => agg(out, '>', a),
            Value::Attribute(m, v) => {
                pairs(out, '|', m);
                v.encode_into(out)
            }
            Value::Masked(s) => out.extend_from_slice(format!("+<{s}>\r\n").as_bytes()),
        }
    }

    /// Multi-line, indented rendering for assertion messages.
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        self.pretty_into(&mut s, 0);
        s
    }

    fn pretty_into(&self, s: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        let list = |s: &mut String, name: &str, items: &[Value]| {
            s.push_str(&format!("{pad}{name}({})\n", items.len()));
            for i in items {
                i.pretty_into(s, depth + 1);
            }
        };
        let map = |s: &mut String, name: &str, items: &[(Value, Value)]| {
            s.push_str(&format!("{pad}{name}({})\n", items.len()));
            for (k, v) in items {
                k.pretty_into(s, depth + 1);
                v.pretty_into(s, depth + 2);
            }
        };
        match self {
            Value::Array(a) => list(s, "array", a),
            Value::Set(a) => list(s, "set", a),
            Value::Push(a) => list(s, "push", a),
            Value::Map(m) => map(s, "map", m),
            Value::Attribute(m, v) => {
                map(s, "attribute", m);
                v.pretty_into(s, depth);
            }
            other => s.push_str(&format!("{pad}{other:?}\n")),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Simple(s) => write!(f, "+{s:?}"),
            Value::Error(s) => write!(f, "-{s:?}"),
            Value::Int(n) => write!(f, ":{n}"),
            Value::Bulk(b) => write!(f, "${:?}", String::from_utf8_lossy(b)),
            Value::NilBulk => write!(f, "$-1"),
            Value::NilArray => write!(f, "*-1"),
            Value::Null => write!(f, "_"),
            Value::Double(d) => write!(f, ",{d}"),
            Value::Bool(b) => write!(f, "#{}", if *b { 't' } else { 'f' }),
            Value::BigNumber(d) => write!(f, "({d}"),
            Value::Verbatim(fmt_, b) => write!(f, "={fmt_}:{:?}", String::from_utf8_lossy(b)),
            Value::BlobError(b) => write!(f, "!{:?}", String::from_utf8_lossy(b)),
            Value::Array(a) => f.debug_list().entries(a).finish(),
            Value::Set(a) => write!(f, "~{a:?}"),
            Value::Push(a) => write!(f, ">{a:?}"),
            Value::Map(m) => f
                .debug_map()
                .entries(m.iter().map(|(k, v)| (k, v)))
                .finish(),
            Value::Attribute(m, v) => write!(f, "|{m:?} {v:?}"),
            Value::Masked(s) => write!(f, "<{s}>"),
        }
    }
}

/// Render raw bytes readably (`\r\n` shown escaped) for assertion messages.
pub fn show_bytes(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

/// Encode a command as a RESP array of bulk strings.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A TLS session shared by a client's reading and writing halves (used from one thread).
#[derive(Clone)]
struct TlsHalf(Arc<Mutex<StreamOwned<ClientConnection, TcpStream>>>);

impl Read for TlsHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).read(buf)
    }
}

impl Write for TlsHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

/// A blocking RESP connection, over plain TCP or TLS.
pub struct Client {
    reader: BufReader<Box<dyn Read + Send>>,
    writer: Box<dyn Write + Send>,
    /// The socket underneath (timeouts, shutdown).
    sock: TcpStream,
    port: u16,
    /// Textual substitutions applied by the compare helpers to this side's replies (e.g. the
    /// side's own master port → `<master-port>`), longest first.
    pub subst: Vec<(String, String)>,
}

fn bad(msg: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, msg)
}

impl Client {
    /// Connect to 127.0.0.1:`port` with [`IO_TIMEOUT`] for connect, reads and writes.
    pub fn try_connect(port: u16) -> io::Result<Client> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        let writer = stream.try_clone()?;
        let sock = stream.try_clone()?;
        Ok(Client {
            reader: BufReader::new(Box::new(stream)),
            writer: Box::new(writer),
            sock,
            port,
            subst: Vec::new(),
        })
    }

    /// Connect to 127.0.0.1:`port` over TLS with `cfg` (the handshake completes here).
    pub fn try_connect_tls(port: u16, cfg: Arc<ClientConfig>) -> io::Result<Client> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        let sock = stream.try_clone()?;
        let name = rustls::pki_types::ServerName::IpAddress(addr.ip().into());
        let conn = ClientConnection::new(cfg, name).map_err(io::Error::other)?;
        let mut tls = StreamOwned::new(conn, stream);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        let half = TlsHalf(Arc::new(Mutex::new(tls)));
        Ok(Client {
            reader: BufReader::new(Box::new(half.clone())),
            writer: Box::new(half),
            sock,
            port,
            subst: Vec::new(),
        })
    }

    /// Connect or panic.
    pub fn connect(port: u16) -> Client {
        Client::try_connect(port).unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Change the read timeout (None = block forever; avoid that in tests).
    pub fn set_read_timeout(&mut self, t: Option<Duration>) {
        self.sock
            .set_read_timeout(t)
            .expect("set_read_timeout on a live socket");
    }

    /// Send one command (array of bulks) without reading the reply.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        self.send_raw(&encode_command(args));
    }

    /// Send raw bytes (inline commands, pipelines, garbage).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("write to 127.0.0.1:{}: {e}", self.port));
    }

    /// Read one reply, panicking on I/O or protocol errors.
    pub fn read(&mut self) -> Value {
        self.read_raw().0
    }

    /// Read one reply and the exact bytes it was made of.
    pub fn read_raw(&mut self) -> (Value, Vec<u8>) {
        let port = self.port;
        self.try_read_raw()
            .unwrap_or_else(|e| panic!("read reply from 127.0.0.1:{port}: {e}"))
    }

    /// Read one reply and its bytes; I/O errors (including timeouts) are returned.
    pub fn try_read_raw(&mut self) -> io::Result<(Value, Vec<u8>)> {
        let mut raw = Vec::new();
        let v = self.parse(&mut raw)?;
        Ok((v, raw))
    }

    /// Send a command and read its reply.
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Value {
        self.send(args);
        self.read()
    }

    /// Send a command and read its reply with the exact bytes.
    pub fn cmd_raw<A: AsRef<[u8]>>(&mut self, args: &[A]) -> (Value, Vec<u8>) {
        self.send(args);
        self.read_raw()
    }

    /// `HELLO 3`; returns the reply (a map on success).
    pub fn hello3(&mut self) -> Value {
        let v = self.cmd(&["HELLO", "3"]);
        assert!(
            matches!(v, Value::Map(_)),
            "HELLO 3 on port {} answered {v:?}",
            self.port
        );
        v
    }

    /// `SUBSCRIBE ch...`; returns the confirmations (one per channel).
    pub fn subscribe(&mut self, channels: &[&str]) -> Vec<Value> {
        self.multi_confirm("SUBSCRIBE", channels)
    }

    /// `PSUBSCRIBE pat...`; returns the confirmations (one per pattern).
    pub fn psubscribe(&mut self, patterns: &[&str]) -> Vec<Value> {
        self.multi_confirm("PSUBSCRIBE", patterns)
    }

    fn multi_confirm(&mut self, cmd: &str, names: &[&str]) -> Vec<Value> {
        let mut args = vec![cmd];
        args.extend_from_slice(names);
        self.send(&args);
        (0..names.len()).map(|_| self.read()).collect()
    }

    /// Next pub/sub message (RESP2 array or RESP3 push), or None if nothing arrives within
    /// `timeout`. The read timeout is restored to [`IO_TIMEOUT`] afterwards.
    pub fn next_message(&mut self, timeout: Duration) -> Option<Value> {
        self.set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
        let r = self.try_read_raw();
        self.set_read_timeout(Some(IO_TIMEOUT));
        match r {
            Ok((v, _)) => Some(v),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
            Err(e) => panic!("reading pub/sub message from 127.0.0.1:{}: {e}", self.port),
        }
    }

    /// True if the peer closed the connection (EOF) within `timeout`.
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        self.set_read_timeout(Some(timeout));
        let mut b = [0u8; 1];
        let r = self.reader.read(&mut b);
        self.set_read_timeout(Some(IO_TIMEOUT));
        matches!(r, Ok(0))
            || matches!(&r, Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof))
    }

    pub fn shutdown(&mut self) {
        let _ = self.sock.shutdown(Shutdown::Both);
    }

    fn line(&mut self, raw: &mut Vec<u8>) -> io::Result<String> {
        let mut buf = Vec::new();
        let n = self.reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        raw.extend_from_slice(&buf);
        if !buf.ends_with(b"\r\n") {
            return Err(bad(format!("line not ended by CRLF: {}", show_bytes(&buf))));
        }
        buf.truncate(buf.len() - 2);
        String::from_utf8(buf).map_err(|e| bad(format!("non-UTF-8 header line: {e}")))
    }

    fn blob(&mut self, len: &str, raw: &mut Vec<u8>) -> io::Result<Vec<u8>> {
        let n: usize = len
            .parse()
            .map_err(|_| bad(format!("bad blob length {len:?}")))?;
        let mut buf = vec![0u8; n + 2];
        self.reader.read_exact(&mut buf)?;
        raw.extend_from_slice(&buf);
        if !buf.ends_with(b"\r\n") {
            return Err(bad(format!("blob not ended by CRLF: {}", show_bytes(&buf))));
        }
        buf.truncate(n);
        Ok(buf)
    }

    fn count(len: &str) -> io::Result<usize> {
        len.parse()
            .map_err(|_| bad(format!("bad aggregate length {len:?}")))
    }

    fn parse(&mut self, raw: &mut Vec<u8>) -> io::Result<Value> {
        let line = self.line(raw)?;
        let (tag, rest) = line.split_at(line.chars().next().map_or(0, |c| c.len_utf8()));
        Ok(match tag {
            "+" => Value::Simple(rest.to_string()),
            "-" => Value::Error(rest.to_string()),
            ":" => Value::Int(
                rest.parse()
                    .map_err(|_| bad(format!("bad integer {rest:?}")))?,
            ),
            "$" if rest == "-1" => Value::NilBulk,
            "$" => Value::Bulk(self.blob(rest, raw)?),
            "*" if rest == "-1" => Value::NilArray,
            "*" => Value::Array(self.items(rest, raw)?),
            "_" if rest.is_empty() => Value::Null,
            "," => Value::Double(rest.to_string()),
            "#" if rest == "t" => Value::Bool(true),
            "#" if rest == "f" => Value::Bool(false),
            "(" => Value::BigNumber(rest.to_string()),
            "=" => {
                let b = self.blob(rest, raw)?;
                if b.len() < 4 || b[3] != b':' {
                    return Err(bad(format!("bad verbatim string {}", show_bytes(&b))));
                }
                Value::Verbatim(
                    String::from_utf8_lossy(&b[..3]).into_owned(),
                    b[4..].to_vec(),
                )
            }
            "!" => Value::BlobError(self.blob(rest, raw)?),
            "%" => Value::Map(self.pairs(rest, raw)?),
            "~" => Value::Set(self.items(rest, raw)?),
            ">" => Value::Push(self.items(rest, raw)?),
            "|" => {
                let attrs = self.pairs(rest, raw)?;
                Value::Attribute(attrs, Box::new(self.parse(raw)?))
            }
            _ => return Err(bad(format!("unknown RESP type line {line:?}"))),
        })
    }

    fn items(&mut self, len: &str, raw: &mut Vec<u8>) -> io::Result<Vec<Value>> {
        let n = Self::count(len)?;
        (0..n).map(|_| self.parse(raw)).collect()
    }

    fn pairs(&mut self, len: &str, raw: &mut Vec<u8>) -> io::Result<Vec<(Value, Value)>> {
        let n = Self::count(len)?;
        (0..n)
            .map(|_| Ok((self.parse(raw)?, self.parse(raw)?)))
            .collect()
    }
}
