//! Sockets: listeners for every `bind` address (socket2: reuseaddr, backlog, IPv6-only for
//! `::`), outgoing non-blocking connects (with `bind-source-addr`), and the read/write
//! helpers that loop until `WouldBlock`. Every descriptor is close-on-exec (socket2 and mio
//! set it).

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};

use mio::net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, Socket, Type};

/// One `bind` entry resolved to an address; `optional` for a `-` prefixed one.
#[derive(Debug, Clone)]
pub struct BindAddr {
    pub ip: IpAddr,
    pub optional: bool,
}

/// Parses Redis `bind` entries (`*` = any IPv4, `::*` = any IPv6, `-` prefix = optional).
pub fn parse_bind(entries: &[String]) -> Result<Vec<BindAddr>, String> {
    let mut out = Vec::new();
    for e in entries {
        let (optional, addr) = match e.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, e.as_str()),
        };
        let ip = match addr {
            "*" => IpAddr::from([0, 0, 0, 0]),
            "::*" => IpAddr::from([0u16; 8]),
            "localhost" => IpAddr::from([127, 0, 0, 1]),
            other => other
                .parse::<IpAddr>()
                .map_err(|_| format!("Invalid bind address '{other}'"))?,
        };
        out.push(BindAddr { ip, optional });
    }
    Ok(out)
}

/// A listening socket on `ip:port`.
pub fn listen(ip: IpAddr, port: u16, backlog: i32) -> io::Result<TcpListener> {
    let addr = SocketAddr::new(ip, port);
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    if ip.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(backlog)?;
    Ok(TcpListener::from_std(sock.into()))
}

/// Starts a non-blocking connect; completion shows up as a writable event.
pub fn connect(addr: SocketAddr, source: Option<IpAddr>) -> io::Result<TcpStream> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_tcp_nodelay(true)?;
    sock.set_keepalive(true)?;
    if let Some(src) = source {
        sock.bind(&SocketAddr::new(src, 0).into())?;
    }
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    Ok(TcpStream::from_std(sock.into()))
}

/// Configures an accepted client socket.
pub fn tune_accepted(stream: &TcpStream, keepalive_secs: u64) {
    let _ = stream.set_nodelay(true);
    if keepalive_secs > 0 {
        let sock = socket2::SockRef::from(stream);
        let ka =
            socket2::TcpKeepalive::new().with_time(std::time::Duration::from_secs(keepalive_secs));
        let _ = sock.set_tcp_keepalive(&ka);
    }
}

/// Outcome of reading a socket.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Still open and drained for now; `n` bytes appended.
    Open(usize),
    /// Still open but `limit` was reached: more may be waiting, and (edge-triggered) no
    /// new readiness event will say so. Read again soon.
    Budget(usize),
    /// The peer closed (or an error): `n` bytes appended before that.
    Closed(usize),
}

/// Bytes asked of the kernel per `read` (Redis's PROTO_IOBUF_LEN); the size of the
/// reactor's one scratch buffer.
pub const READ_CHUNK: usize = 16 * 1024;

/// Reads what the socket holds, appending it to `buf` through `scratch` (allocated and
/// zeroed once by the reactor; only the bytes read are copied).
///
/// A short read means the receive queue was empty at that moment; with epoll's
/// edge-triggered mode any later arrival raises a new event, so we stop there instead of
/// paying a second `read` that would only say `EAGAIN` (that halves the reads of a
/// request/reply client). When the event reported a hang-up or error (`hangup`), read on
/// to the end: the FIN already queued behind the data would raise no further event.
pub fn read_available(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    scratch: &mut [u8],
    limit: usize,
    hangup: bool,
) -> ReadOutcome {
    let mut total = 0;
    loop {
        if total >= limit {
            return ReadOutcome::Budget(total);
        }
        match stream.read(scratch) {
            Ok(0) => return ReadOutcome::Closed(total),
            Ok(n) => {
                buf.extend_from_slice(scratch.get(..n).unwrap_or_default());
                total += n;
                if n < scratch.len() && !hangup {
                    return ReadOutcome::Open(total);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Open(total),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return ReadOutcome::Closed(total),
        }
    }
}

/// Buffers emptied with more capacity than this are freed rather than kept: a sentinel
/// holds two connections per monitored instance, and keeping each one's largest INFO
/// reply (or a client's largest reply) allocated would cost kilobytes per instance.
pub const KEEP_IDLE_CAPACITY: usize = 4 * 1024;

/// Frees `buf`'s allocation if it is empty and larger than [`KEEP_IDLE_CAPACITY`].
pub fn release_if_idle(buf: &mut Vec<u8>) {
    if buf.is_empty() && buf.capacity() > KEEP_IDLE_CAPACITY {
        *buf = Vec::new();
    }
}

/// Writes as much of `buf[*pos..]` as the socket takes. Returns false on a write error.
/// When everything is written, `buf` is cleared and `*pos` reset.
pub fn write_pending(stream: &mut TcpStream, buf: &mut Vec<u8>, pos: &mut usize) -> bool {
    while *pos < buf.len() {
        match stream.write(buf.get(*pos..).unwrap_or_default()) {
            Ok(0) => return false,
            Ok(n) => *pos += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    if *pos >= buf.len() {
        buf.clear();
        *pos = 0;
        release_if_idle(buf);
    } else if *pos > 64 * 1024 && *pos * 2 > buf.len() {
        buf.drain(..*pos);
        *pos = 0;
    }
    true
}
