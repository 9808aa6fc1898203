//! The reactor's outgoing connections to masters, replicas and sentinels: connecting (host
//! names resolved off the loop thread), reading reply frames into the core, writing the
//! core's commands, and telling the core when a connection dies.

use std::io;
use std::net::{IpAddr, SocketAddr};

use mio::Interest;
use mio::Token;

use super::{read_socket, watch_writable, OutSock, Reactor, MAX_INSTANCE_BUFFER, OUT_BASE};
use crate::reactor::net::{self, ReadOutcome};
use crate::reactor::transport::Transport;
use crate::sentinel::{ConnId, Input, Millis};

impl Reactor {
    pub(super) fn connect(&mut self, conn: ConnId, host: &str, port: u16) {
        log::debug!("connecting {} to {host}:{port}", conn.0);
        match host.parse::<IpAddr>() {
            Ok(ip) => self.start_connect_with(conn, SocketAddr::new(ip, port), Vec::new(), None),
            Err(_) => {
                if self
                    .resolve_tx
                    .send((conn, host.to_string(), port))
                    .is_err()
                {
                    self.deferred.push((conn, None));
                } else {
                    self.resolving.insert(conn, Vec::new());
                }
            }
        }
    }

    pub(super) fn on_resolved(&mut self, _now: Millis) {
        while let Ok((conn, host, mut addrs)) = self.resolve_rx.try_recv() {
            // None: the core closed the connection while its name was being resolved.
            let Some(held) = self.resolving.remove(&conn) else {
                continue;
            };
            if addrs.is_empty() {
                self.deferred.push((conn, None));
            } else {
                let first = addrs.remove(0);
                self.start_connect_with(conn, first, addrs, Some(host));
                if let Some(o) = self.by_conn.get(&conn).and_then(|&k| self.outs.get_mut(k)) {
                    o.wbuf = held;
                }
            }
        }
    }

    /// Connects to `addr`; if that fails before the connection is up, `fallback` is tried
    /// in order before the core hears of a failure. With `tls-replication yes` the
    /// connection is TLS (`host`, when a name, is the server name indication).
    fn start_connect_with(
        &mut self,
        conn: ConnId,
        addr: SocketAddr,
        mut fallback: Vec<SocketAddr>,
        host: Option<String>,
    ) {
        let sock = match net::connect(addr, self.bind_source) {
            Ok(s) => s,
            Err(_) if !fallback.is_empty() => {
                let next = fallback.remove(0);
                return self.start_connect_with(conn, next, fallback, host);
            }
            Err(_) => {
                self.deferred.push((conn, None));
                return;
            }
        };
        let client_tls = self
            .host
            .tls
            .as_ref()
            .filter(|_| self.host.tls_settings.replication)
            .and_then(|t| t.client.as_ref());
        let mut stream = match client_tls {
            None => Transport::Plain(sock),
            Some(cfg) => {
                let name = host.as_deref().unwrap_or_default();
                match Transport::connect_tls(sock, cfg, name, addr) {
                    Ok(t) => t,
                    Err(e) => {
                        log::debug!(
                            "connection {} to {addr}: Failed to initialize TLS: {e}",
                            conn.0
                        );
                        self.deferred
                            .push((conn, Some("Failed to initialize TLS".into())));
                        return;
                    }
                }
            }
        };
        let entry = self.outs.vacant_entry();
        let key = entry.key();
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self
            .poll
            .registry()
            .register(stream.sock_mut(), Token(OUT_BASE + key), interest)
            .is_err()
        {
            self.deferred.push((conn, None));
            return;
        }
        entry.insert(OutSock {
            conn,
            stream,
            host,
            rbuf: Vec::new(),
            wbuf: Vec::new(),
            wpos: 0,
            established: false,
            want_write: true,
            fallback,
        });
        self.by_conn.insert(conn, key);
    }

    /// The core asked to close (no Closed input follows).
    pub(super) fn close_out(&mut self, conn: ConnId) {
        log::debug!("closing connection {}", conn.0);
        self.resolving.remove(&conn);
        if let Some(key) = self.by_conn.remove(&conn) {
            if let Some(mut o) = self.outs.try_remove(key) {
                o.stream.close_notify();
                let _ = self.poll.registry().deregister(o.stream.sock_mut());
            }
        }
    }

    /// The connection died on its own: tell the core.
    pub(super) fn lost_out(&mut self, key: usize) {
        if let Some(mut o) = self.outs.try_remove(key) {
            match o.stream.tls_error() {
                Some(e) => log::debug!("connection {} lost: TLS: {e}", o.conn.0),
                None => log::debug!("connection {} lost", o.conn.0),
            }
            let _ = self.poll.registry().deregister(o.stream.sock_mut());
            self.by_conn.remove(&o.conn);
            if !o.established && !o.fallback.is_empty() {
                // Not up yet and more addresses to try: the core keeps waiting; the bytes
                // it queued go with the next attempt.
                let next = o.fallback.remove(0);
                let (conn, wbuf) = (o.conn, std::mem::take(&mut o.wbuf));
                self.start_connect_with(conn, next, o.fallback, o.host);
                if let Some(n) = self.by_conn.get(&conn).and_then(|&k| self.outs.get_mut(k)) {
                    n.wbuf = wbuf;
                }
                return;
            }
            let error = o.stream.tls_error().map(|e| format!("TLS error: {e}"));
            self.deferred.push((o.conn, error));
        }
    }

    pub(super) fn on_out_event(
        &mut self,
        key: usize,
        readable: bool,
        writable: bool,
        hangup: bool,
        now: Millis,
    ) {
        let Some(o) = self.outs.get_mut(key) else {
            return;
        };
        if !o.established {
            if !(writable || readable) {
                return;
            }
            // A failed connect also answers NotConnected to peer_addr: look at the socket
            // error first; NotConnected without an error is a spurious wake-up.
            match o.stream.sock().take_error() {
                Ok(None) => {}
                _ => return self.lost_out(key),
            }
            let peer = match o.stream.sock().peer_addr() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::NotConnected => return,
                Err(_) => return self.lost_out(key),
            };
            o.established = true;
            let local_ip = o
                .stream
                .sock()
                .local_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            let conn = o.conn;
            self.core.handle(now, Input::Connected { conn, local_ip });
            // What a host name resolved to: announced and compared as sentinel.c does.
            self.core.connected_to(conn, peer.ip());
            self.flush_out(key);
        }
        if writable {
            self.flush_out(key);
        }
        if readable {
            self.read_out(key, hangup, now);
            // The handshake may have records to send, or may have just completed and
            // released the commands queued behind it.
            if self.outs.get(key).is_some_and(|o| {
                o.stream.wants_write() || (o.stream.is_tls() && !o.wbuf.is_empty())
            }) {
                self.flush_out(key);
            }
        }
    }

    pub(super) fn read_out(&mut self, key: usize, hangup: bool, now: Millis) {
        let Some(o) = self.outs.get_mut(key) else {
            return;
        };
        let outcome = read_socket(
            &mut o.stream,
            &mut o.rbuf,
            &mut self.scratch,
            &mut self.read_again,
            OUT_BASE + key,
            hangup,
        );
        let conn = o.conn;
        let mut rbuf = std::mem::take(&mut o.rbuf);
        let mut broken = false;
        let pos = match self.core.handle_reply_bytes(now, conn, &rbuf) {
            Ok(pos) => pos,
            Err(e) => {
                log::debug!("Protocol error from instance: {e}");
                broken = true;
                rbuf.len()
            }
        };
        rbuf.drain(..pos.min(rbuf.len()));
        if rbuf.len() > MAX_INSTANCE_BUFFER {
            broken = true;
        }
        if let Some(o) = self.outs.get_mut(key) {
            if o.conn == conn {
                o.rbuf = rbuf;
                net::release_if_idle(&mut o.rbuf);
            }
        }
        if broken || matches!(outcome, ReadOutcome::Closed(_)) {
            // Still ours (the core did not close it while handling the frames)?
            if self.outs.get(key).is_some_and(|o| o.conn == conn) {
                self.lost_out(key);
            }
        }
    }

    pub(super) fn flush_out(&mut self, key: usize) {
        self.persist_if_requested();
        let Some(o) = self.outs.get_mut(key) else {
            return;
        };
        if !o.established {
            return;
        }
        if !o.stream.write_pending(&mut o.wbuf, &mut o.wpos) {
            return self.lost_out(key);
        }
        let pending = !o.wbuf.is_empty() || o.stream.wants_write();
        watch_writable(
            &self.poll,
            &mut o.stream,
            OUT_BASE + key,
            &mut o.want_write,
            pending,
        );
    }
}
