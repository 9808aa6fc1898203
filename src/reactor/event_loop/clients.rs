//! The reactor's client connections: accepting them, reading and parsing requests into the
//! server, flushing replies (the config is saved first when the core asked), closing.

use std::io;
use std::os::fd::AsRawFd;

use mio::{Interest, Token};

use super::{read_socket, watch_writable, Reactor, CLIENT_BASE};
use crate::reactor::net::{self, ReadOutcome};
use crate::reactor::transport::Transport;
use crate::resp::request::RequestParser;
use crate::resp::{Proto, ReplyWriter};
use crate::sentinel::Millis;
use crate::server::{ClientId, Ctx};

pub(super) struct ClientSock {
    pub(super) stream: Transport,
    pub(super) rbuf: Vec<u8>,
    pub(super) parser: RequestParser,
    pub(super) wbuf: Vec<u8>,
    pub(super) wpos: usize,
    pub(super) want_write: bool,
    /// When the pending output went over the soft limit (Redis `obuf_soft_limit_reached_time`).
    pub(super) soft_since: Option<Millis>,
}

/// Client sockets by the server's slab key (small integers): a vector, not a hash map —
/// this lookup is on every client event.
#[derive(Default)]
pub(super) struct ClientTable(Vec<Option<ClientSock>>);

impl ClientTable {
    pub(super) fn get(&self, key: &usize) -> Option<&ClientSock> {
        self.0.get(*key).and_then(Option::as_ref)
    }
    pub(super) fn get_mut(&mut self, key: &usize) -> Option<&mut ClientSock> {
        self.0.get_mut(*key).and_then(Option::as_mut)
    }
    pub(super) fn remove(&mut self, key: &usize) -> Option<ClientSock> {
        self.0.get_mut(*key).and_then(Option::take)
    }
    pub(super) fn insert(&mut self, key: usize, c: ClientSock) {
        if self.0.len() <= key {
            self.0.resize_with(key + 1, || None);
        }
        if let Some(slot) = self.0.get_mut(key) {
            *slot = Some(c);
        }
    }
}

impl Reactor {
    pub(super) fn accept(&mut self, idx: usize, now: Millis) {
        loop {
            let Some(listener) = self.listeners.get(idx) else {
                return;
            };
            let (mut stream, peer) = match listener.accept() {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                // The peer gave up before we accepted it: take the next one.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue
                }
                Err(e) => {
                    // Out of descriptors (EMFILE/ENFILE): the queued connections raise no
                    // new edge, so the clients cron tries every listener again each second.
                    log::warn!("Accepting client connection: {e}");
                    return;
                }
            };
            net::tune_accepted(&stream, self.tcp_keepalive);
            let local = stream.local_addr().unwrap_or(peer);
            let tls = idx >= self.first_tls_listener;
            if self.server.connected_clients() >= self.maxclients {
                // Over TLS the error could only go out after a handshake: just close (Redis
                // cannot write it there either).
                if !tls {
                    use std::io::Write;
                    let _ = stream.write(b"-ERR max number of clients reached\r\n");
                }
                self.server.stats.rejected_connections += 1;
                continue;
            }
            let mut stream = if tls {
                let Some(ctx) = &self.host.tls else { continue };
                match Transport::accept_tls(stream, &ctx.server) {
                    Ok(t) => t,
                    Err(e) => {
                        log::warn!("Error accepting a client connection: {e}");
                        continue;
                    }
                }
            } else {
                Transport::Plain(stream)
            };
            let id = self.server.accept(now, peer, local);
            self.server.set_fd(id, i64::from(stream.sock().as_raw_fd()));
            if self
                .poll
                .registry()
                .register(
                    stream.sock_mut(),
                    Token(CLIENT_BASE + id.0),
                    Interest::READABLE,
                )
                .is_err()
            {
                self.server.remove(id);
                continue;
            }
            self.clients.insert(
                id.0,
                ClientSock {
                    stream,
                    rbuf: Vec::new(),
                    parser: RequestParser::new(),
                    wbuf: Vec::new(),
                    wpos: 0,
                    want_write: false,
                    soft_since: None,
                },
            );
        }
    }

    pub(super) fn on_client_event(
        &mut self,
        key: usize,
        readable: bool,
        writable: bool,
        hangup: bool,
        now: Millis,
    ) {
        let id = ClientId(key);
        if writable {
            self.flush_client(id);
        }
        if !readable {
            return;
        }
        let Some(c) = self.clients.get_mut(&key) else {
            return;
        };
        let outcome = read_socket(
            &mut c.stream,
            &mut c.rbuf,
            &mut self.scratch,
            &mut self.read_again,
            CLIENT_BASE + key,
            hangup,
        );
        let n = match outcome {
            ReadOutcome::Open(n) | ReadOutcome::Closed(n) | ReadOutcome::Budget(n) => n,
        };
        self.server.stats.total_net_input_bytes += n as u64;
        self.server.stats.total_reads_processed += 1;
        if n > 0 {
            if let Some(cl) = self.server.client_mut(id) {
                cl.last_interaction = now;
            }
        }
        // A TLS handshake in progress may have records to send, and plaintext held back
        // until it completed may now go.
        let tls_output = c.stream.wants_write() || (c.stream.is_tls() && !c.wbuf.is_empty());
        if matches!(outcome, ReadOutcome::Closed(_)) {
            if let Some(e) = c.stream.tls_error() {
                let addr = c
                    .stream
                    .peer_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                log::debug!("Error accepting a client connection: {e} (addr={addr})");
            }
        }
        self.process_client_input(id, now);
        if tls_output {
            self.flush_client(id);
        }
        if matches!(outcome, ReadOutcome::Closed(_)) {
            // A client that sent its requests and then shut its side down (`nc -N`) still
            // gets the replies, as from Redis: write what we can, then close.
            self.flush_client(id);
            self.close_client(id);
        }
    }

    pub(super) fn process_client_input(&mut self, id: ClientId, now: Millis) {
        let Some(mut c) = self.clients.remove(&id.0) else {
            return;
        };
        let mut start = 0;
        loop {
            if self.server.close_requested(id) || self.server.client(id).is_none() {
                break;
            }
            let authenticated = self.server.client(id).is_some_and(|cl| cl.authenticated);
            let rest = c.rbuf.get(start..).unwrap_or_default();
            match c.parser.parse(rest, authenticated) {
                Ok(Some(n)) => {
                    // Most commands have a few arguments: those go on the stack.
                    let mut small: [&[u8]; 8] = [&[]; 8];
                    let big: Vec<&[u8]>;
                    let argc = c.parser.argc();
                    let args: &[&[u8]] = match small.get_mut(..argc) {
                        Some(slots) => {
                            for (slot, a) in slots.iter_mut().zip(c.parser.args(rest)) {
                                *slot = a;
                            }
                            slots
                        }
                        None => {
                            big = c.parser.args(rest).collect();
                            &big
                        }
                    };
                    let mut ctx = Ctx {
                        core: &mut self.core,
                        host: &mut self.host,
                        now,
                    };
                    self.server.execute(id, args, &mut ctx);
                    // Whatever the command is called (`rename-command acl ...`).
                    if self.server.users.take_changed() {
                        self.host.user_lines = self.server.users.config_lines();
                    }
                    start += n;
                }
                Ok(None) => break,
                Err(e) => {
                    let proto = self.server.client(id).map_or(Proto::Resp2, |cl| cl.proto);
                    e.write_reply(&mut ReplyWriter::new(self.server.output(id), proto));
                    if let Some(cl) = self.server.client_mut(id) {
                        cl.close_after_reply = true;
                    }
                    log::debug!("Protocol error ({e}) from client");
                    start = c.rbuf.len();
                    break;
                }
            }
        }
        c.rbuf.drain(..start.min(c.rbuf.len()));
        net::release_if_idle(&mut c.rbuf);
        self.clients.insert(id.0, c);
    }

    pub(super) fn flush_client(&mut self, id: ClientId) {
        self.persist_if_requested();
        let Some(c) = self.clients.get_mut(&id.0) else {
            return;
        };
        let out = self.server.output(id);
        let produced = out.len();
        if produced > 0 {
            if c.wbuf.is_empty() {
                // Nothing pending: take the reply's buffer instead of copying it.
                std::mem::swap(&mut c.wbuf, out);
                c.wpos = 0;
            } else {
                c.wbuf.append(out);
            }
            net::release_if_idle(out);
            self.server.stats.total_net_output_bytes += produced as u64;
        }
        // Limits apply to what was produced before the kernel takes any of it, as in Redis
        // (which checks when a reply is added).
        if self.over_output_limit(id) {
            return;
        }
        let Some(c) = self.clients.get_mut(&id.0) else {
            return;
        };
        let ok = c.stream.write_pending(&mut c.wbuf, &mut c.wpos);
        let pending = !c.wbuf.is_empty() || c.stream.wants_write();
        if !ok || (!pending && self.server.close_requested(id)) {
            self.close_client(id);
            return;
        }
        watch_writable(
            &self.poll,
            &mut c.stream,
            CLIENT_BASE + id.0,
            &mut c.want_write,
            pending,
        );
    }

    pub(super) fn close_client(&mut self, id: ClientId) {
        if let Some(mut c) = self.clients.remove(&id.0) {
            c.stream.close_notify();
            let _ = self.poll.registry().deregister(c.stream.sock_mut());
        }
        self.server.remove(id);
    }
}
