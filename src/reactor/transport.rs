//! One connection's byte pipe: plain TCP, or TLS over TCP (a rustls state machine fed by
//! the same non-blocking socket). Reads hand decrypted bytes to the caller's buffer and
//! writes take plaintext, so the RESP paths above never know which it is. A plain
//! connection holds no rustls state at all.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use mio::net::TcpStream;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};

use super::net::{self, ReadOutcome};

/// A TLS session on a socket.
pub struct TlsStream {
    sock: TcpStream,
    tls: Connection,
    /// The first TLS failure (bad certificate, alert from the peer, garbage), for logs.
    error: Option<String>,
}

/// A connection's transport.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl Transport {
    /// The server side of a TLS session on an accepted socket.
    pub fn accept_tls(sock: TcpStream, cfg: &Arc<ServerConfig>) -> Result<Transport, String> {
        let tls = ServerConnection::new(cfg.clone()).map_err(|e| e.to_string())?;
        Ok(Transport::Tls(Box::new(TlsStream {
            sock,
            tls: Connection::Server(tls),
            error: None,
        })))
    }

    /// The client side of a TLS session to `host` (its ClientHello waits for the connect).
    /// A host name is sent as SNI; an IP address is not (as Redis).
    pub fn connect_tls(
        sock: TcpStream,
        cfg: &Arc<ClientConfig>,
        host: &str,
        addr: SocketAddr,
    ) -> Result<Transport, String> {
        let name = match ServerName::try_from(host.to_string()) {
            Ok(n @ ServerName::DnsName(_)) => n,
            _ => ServerName::IpAddress(addr.ip().into()),
        };
        let tls = ClientConnection::new(cfg.clone(), name).map_err(|e| e.to_string())?;
        Ok(Transport::Tls(Box::new(TlsStream {
            sock,
            tls: Connection::Client(tls),
            error: None,
        })))
    }

    /// The socket underneath (registration, addresses, socket errors).
    pub fn sock(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => &t.sock,
        }
    }

    pub fn sock_mut(&mut self) -> &mut TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => &mut t.sock,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Transport::Tls(_))
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock().peer_addr()
    }

    /// The TLS failure that ended (or is ending) this connection, if any.
    pub fn tls_error(&self) -> Option<&str> {
        match self {
            Transport::Plain(_) => None,
            Transport::Tls(t) => t.error.as_deref(),
        }
    }

    /// Whether the handshake is still running (always false for plain TCP).
    pub fn handshaking(&self) -> bool {
        match self {
            Transport::Plain(_) => false,
            Transport::Tls(t) => t.tls.is_handshaking(),
        }
    }

    /// TLS records (handshake messages, alerts, encrypted output) waiting for the socket.
    pub fn wants_write(&self) -> bool {
        match self {
            Transport::Plain(_) => false,
            Transport::Tls(t) => t.tls.wants_write(),
        }
    }

    /// Reads what the socket holds, appending the (decrypted) bytes to `buf`; see
    /// [`net::read_available`].
    pub fn read_available(
        &mut self,
        buf: &mut Vec<u8>,
        scratch: &mut [u8],
        limit: usize,
        hangup: bool,
    ) -> ReadOutcome {
        match self {
            Transport::Plain(s) => net::read_available(s, buf, scratch, limit, hangup),
            Transport::Tls(t) => t.read_available(buf, scratch, limit),
        }
    }

    /// Writes as much of `buf[*pos..]` as the connection takes; see [`net::write_pending`].
    pub fn write_pending(&mut self, buf: &mut Vec<u8>, pos: &mut usize) -> bool {
        match self {
            Transport::Plain(s) => net::write_pending(s, buf, pos),
            Transport::Tls(t) => t.write_pending(buf, pos),
        }
    }

    /// Sends a TLS close_notify if the session is up (best effort, never blocks).
    pub fn close_notify(&mut self) {
        if let Transport::Tls(t) = self {
            if !t.tls.is_handshaking() {
                t.tls.send_close_notify();
                let _ = t.flush_tls();
            }
        }
    }
}

impl TlsStream {
    fn fail(&mut self, e: String) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Writes queued TLS records to the socket. Ok(true) = all written, Ok(false) = the
    /// socket is full (a writable event will follow).
    fn flush_tls(&mut self) -> io::Result<bool> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.sock) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Moves decrypted bytes into `buf`. Returns true when the peer closed the session.
    fn drain_plaintext(&mut self, buf: &mut Vec<u8>, scratch: &mut [u8]) -> (usize, bool) {
        let mut total = 0;
        loop {
            match self.tls.reader().read(scratch) {
                Ok(0) => return (total, true),
                Ok(n) => {
                    buf.extend_from_slice(scratch.get(..n).unwrap_or_default());
                    total += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return (total, false),
                Err(_) => return (total, true),
            }
        }
    }

    /// Ciphertext from the socket until it would block (edge-triggered: every byte the
    /// kernel holds must be taken now), decrypted into `buf`; handshake replies are sent
    /// as they are produced.
    fn read_available(
        &mut self,
        buf: &mut Vec<u8>,
        scratch: &mut [u8],
        limit: usize,
    ) -> ReadOutcome {
        let mut total = 0;
        loop {
            if total >= limit {
                return ReadOutcome::Budget(total);
            }
            let (drained, mut eof) = match self.tls.read_tls(&mut self.sock) {
                Ok(0) => (false, true),
                Ok(_) => (false, false),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => (true, false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.fail(e.to_string());
                    return ReadOutcome::Closed(total);
                }
            };
            if let Err(e) = self.tls.process_new_packets() {
                self.fail(e.to_string());
                // The alert rustls queued tells the peer why.
                let _ = self.flush_tls();
                return ReadOutcome::Closed(total);
            }
            let (n, closed) = self.drain_plaintext(buf, scratch);
            total += n;
            eof |= closed;
            if self.flush_tls().is_err() {
                return ReadOutcome::Closed(total);
            }
            if eof {
                return ReadOutcome::Closed(total);
            }
            if drained {
                return ReadOutcome::Open(total);
            }
        }
    }

    fn write_pending(&mut self, buf: &mut Vec<u8>, pos: &mut usize) -> bool {
        loop {
            let before = *pos;
            while *pos < buf.len() {
                match self.tls.writer().write(buf.get(*pos..).unwrap_or_default()) {
                    Ok(0) => break, // rustls's send buffer is full: flush first
                    Ok(n) => *pos += n,
                    Err(_) => return false,
                }
            }
            match self.flush_tls() {
                Err(e) => {
                    self.fail(e.to_string());
                    return false;
                }
                Ok(false) => break,
                // Everything taken, or nothing more taken (plaintext held until the
                // handshake completes): done for now.
                Ok(true) if *pos >= buf.len() || *pos == before => break,
                Ok(true) => {}
            }
        }
        if *pos >= buf.len() {
            buf.clear();
            *pos = 0;
            net::release_if_idle(buf);
        } else if *pos > 64 * 1024 && *pos * 2 > buf.len() {
            buf.drain(..*pos);
            *pos = 0;
        }
        true
    }
}
