//! A simulated Redis instance, speaking RESP through the real request parser and reply
//! encoder: role and run id, replication id/offset that advances while a master takes
//! writes, `REPLICAOF`/`SLAVEOF` (a replica syncs after a delay; its link goes up and down
//! with reachability, maintained by the world), `replica-priority`, `replica-announced`,
//! `MULTI … EXEC`, `CONFIG REWRITE` (what a restart comes back with), `CLIENT KILL TYPE`,
//! `SUBSCRIBE`/`PUBLISH` fan-out, `AUTH`, `INFO` in Redis's format and `-LOADING` after a
//! restart.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::resp::request::RequestParser;
use crate::resp::{Proto, ReplyWriter};
use crate::sentinel::rng::Rng;
use crate::sentinel::Millis;

/// Bytes of replication stream a master produces per millisecond.
const WRITE_RATE: u64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RRole {
    Master,
    Replica { host: String, port: u16 },
}

#[derive(Debug, Default)]
struct RClient {
    parser: RequestParser,
    multi: Option<Vec<Vec<Vec<u8>>>>,
    pubsub: bool,
}

/// What executing input produced besides the replies on the calling connection.
#[derive(Debug)]
pub enum ROut {
    /// Reply bytes on a connection (the caller's or a subscriber's).
    Reply(usize, Vec<u8>),
    /// Close this connection (CLIENT KILL), after the replies already queued.
    Kill(usize),
    /// The instance just executed `SLAVEOF NO ONE` (caller's connection id).
    Promoted(usize),
    /// A role change worth a trace line.
    Note(String),
}

#[derive(Debug)]
pub struct RedisNode {
    pub name: String,
    pub ip: String,
    pub port: u16,
    pub alive: bool,
    pub inc: u64,
    pub run_id: String,
    pub role: RRole,
    /// The role a restart comes back with (the last `CONFIG REWRITE`, or the initial file).
    pub persisted_role: RRole,
    pub replid: String,
    /// Replication offset at `offset_at` (a master's grows with time).
    pub offset: u64,
    pub offset_at: Millis,
    pub priority: u64,
    pub announced: bool,
    /// `replica-announce-ip`: the address its master's INFO lists instead of `ip`.
    pub announce_ip: Option<String>,
    pub loading_until: Millis,
    /// Replica side: the link to its master is up; when it went down; when a sync started
    /// will complete.
    pub link_up: bool,
    pub link_down_since: Option<Millis>,
    pub sync_ready_at: Option<Millis>,
    /// Master side: replicas attached (ip, port, offset), maintained by the world.
    pub attached: Vec<(String, u16, u64)>,
    clients: BTreeMap<usize, RClient>,
}

fn hex40(rng: &mut Rng) -> String {
    rng.hex_id()
}

impl RedisNode {
    pub fn new(name: &str, ip: &str, port: u16, role: RRole, rng: &mut Rng) -> Self {
        RedisNode {
            name: name.to_string(),
            ip: ip.to_string(),
            port,
            alive: true,
            inc: 0,
            run_id: hex40(rng),
            persisted_role: role.clone(),
            role,
            replid: hex40(rng),
            offset: 0,
            offset_at: 0,
            priority: 100,
            announced: true,
            announce_ip: None,
            loading_until: 0,
            link_up: false,
            link_down_since: None,
            sync_ready_at: None,
            attached: Vec::new(),
            clients: BTreeMap::new(),
        }
    }

    pub fn is_master(&self) -> bool {
        self.role == RRole::Master
    }

    /// Can be promoted by a correct sentinel.
    pub fn eligible(&self) -> bool {
        self.priority != 0 && self.announced
    }

    /// The replication offset now.
    pub fn offset_now(&self, now: Millis) -> u64 {
        if self.is_master() && self.alive {
            self.offset + now.saturating_sub(self.offset_at) * WRITE_RATE
        } else {
            self.offset
        }
    }

    pub fn crash(&mut self) {
        self.alive = false;
        self.clients.clear();
        self.link_up = false;
        self.sync_ready_at = None;
        self.attached.clear();
    }

    pub fn restart(&mut self, now: Millis, rng: &mut Rng) {
        self.alive = true;
        self.inc += 1;
        self.run_id = hex40(rng);
        self.role = self.persisted_role.clone();
        self.offset_at = now;
        self.loading_until = now + rng.below(600);
        self.link_up = false;
        self.link_down_since = None;
        self.sync_ready_at = None;
    }

    pub fn accept(&mut self, conn: usize) {
        self.clients.insert(conn, RClient::default());
    }

    pub fn remove(&mut self, conn: usize) {
        self.clients.remove(&conn);
    }

    fn set_role(&mut self, role: RRole, now: Millis, rng: &mut Rng) {
        let was_master = self.is_master();
        self.offset = self.offset_now(now);
        self.offset_at = now;
        if role == RRole::Master && !was_master {
            self.replid = hex40(rng);
        }
        if role != self.role {
            self.link_up = false;
            self.sync_ready_at = None;
            self.link_down_since = None;
        }
        self.role = role;
    }

    /// Feeds bytes received on `conn`; returns replies and side effects in order.
    pub fn input(
        &mut self,
        now: Millis,
        conn: usize,
        rbuf: &mut Vec<u8>,
        rng: &mut Rng,
    ) -> Vec<ROut> {
        let mut out = Vec::new();
        let Some(mut c) = self.clients.remove(&conn) else {
            return out;
        };
        let mut start = 0;
        let mut killed_self = false;
        loop {
            let rest = rbuf.get(start..).unwrap_or_default();
            match c.parser.parse(rest, true) {
                Ok(Some(n)) => {
                    let args: Vec<Vec<u8>> = c.parser.args(rest).map(<[u8]>::to_vec).collect();
                    start += n;
                    let mut reply = Vec::new();
                    self.command(now, conn, &mut c, &args, &mut reply, &mut out, rng);
                    out.push(ROut::Reply(conn, reply));
                }
                Ok(None) => break,
                Err(_) => {
                    killed_self = true;
                    start = rbuf.len();
                    break;
                }
            }
        }
        rbuf.drain(..start.min(rbuf.len()));
        if killed_self {
            out.push(ROut::Kill(conn));
        } else {
            self.clients.insert(conn, c);
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn command(
        &mut self,
        now: Millis,
        conn: usize,
        c: &mut RClient,
        args: &[Vec<u8>],
        reply: &mut Vec<u8>,
        out: &mut Vec<ROut>,
        rng: &mut Rng,
    ) {
        let name = args
            .first()
            .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
            .unwrap_or_default();
        let mut w = ReplyWriter::new(reply, Proto::Resp2);
        if let Some(q) = c.multi.as_mut() {
            match name.as_str() {
                "EXEC" => {}
                "MULTI" => return w.error("ERR MULTI calls can not be nested"),
                _ => {
                    q.push(args.to_vec());
                    return w.simple("QUEUED");
                }
            }
        }
        let loading = now < self.loading_until;
        let allowed_loading = matches!(
            name.as_str(),
            "INFO"
                | "AUTH"
                | "CLIENT"
                | "SUBSCRIBE"
                | "PUBLISH"
                | "SLAVEOF"
                | "REPLICAOF"
                | "MULTI"
                | "EXEC"
                | "CONFIG"
        );
        if loading && !allowed_loading {
            return w.error("LOADING Redis is loading the dataset in memory");
        }
        let arg = |i: usize| {
            args.get(i)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .unwrap_or_default()
        };
        match name.as_str() {
            "PING" => w.simple("PONG"),
            "AUTH" => w.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
            "CLIENT" => match arg(1).to_ascii_uppercase().as_str() {
                "KILL" => {
                    let pubsub = arg(3).eq_ignore_ascii_case("pubsub");
                    let victims: Vec<usize> = self
                        .clients
                        .iter()
                        .filter(|(id, cl)| **id != conn && cl.pubsub == pubsub)
                        .map(|(id, _)| *id)
                        .collect();
                    w.integer(victims.len() as i64);
                    for v in victims {
                        self.clients.remove(&v);
                        out.push(ROut::Kill(v));
                    }
                }
                _ => w.ok(),
            },
            "CONFIG" => {
                if arg(1).eq_ignore_ascii_case("rewrite") {
                    self.persisted_role = self.role.clone();
                }
                w.ok()
            }
            "SLAVEOF" | "REPLICAOF" => {
                if arg(1).eq_ignore_ascii_case("no") && arg(2).eq_ignore_ascii_case("one") {
                    if !self.is_master() {
                        self.set_role(RRole::Master, now, rng);
                        out.push(ROut::Note(format!("{} SLAVEOF NO ONE: now master", self.name)));
                    }
                    out.push(ROut::Promoted(conn));
                    w.ok()
                } else {
                    let Ok(port) = arg(2).parse::<u16>() else {
                        return w.error("ERR Invalid master port");
                    };
                    let role = RRole::Replica {
                        host: arg(1),
                        port,
                    };
                    if role != self.role {
                        out.push(ROut::Note(format!(
                            "{} SLAVEOF {} {port}",
                            self.name,
                            arg(1)
                        )));
                        self.set_role(role, now, rng);
                    }
                    w.ok()
                }
            }
            "MULTI" => {
                c.multi = Some(Vec::new());
                w.ok()
            }
            "EXEC" => {
                let Some(queued) = c.multi.take() else {
                    return w.error("ERR EXEC without MULTI");
                };
                let mut parts = Vec::new();
                for q in &queued {
                    let mut r = Vec::new();
                    self.command(now, conn, c, q, &mut r, out, rng);
                    parts.push(r);
                }
                let mut w = ReplyWriter::new(reply, Proto::Resp2);
                w.array(parts.len());
                for p in parts {
                    reply.extend_from_slice(&p);
                }
            }
            "SUBSCRIBE" => {
                c.pubsub = true;
                for (i, ch) in args.iter().skip(1).enumerate() {
                    let mut w = ReplyWriter::new(reply, Proto::Resp2);
                    w.array(3);
                    w.bulk(b"subscribe");
                    w.bulk(ch);
                    w.integer(i as i64 + 1);
                }
            }
            "PUBLISH" => {
                let (Some(ch), Some(msg)) = (args.get(1), args.get(2)) else {
                    return w.error("ERR wrong number of arguments for 'publish' command");
                };
                let msgs = self.publish(ch, msg);
                w.integer(msgs.len() as i64);
                out.extend(msgs);
            }
            "INFO" => {
                let text = self.info(now);
                w.bulk(text.as_bytes())
            }
            _ => w.error(&format!("ERR unknown command '{}'", arg(0))),
        }
    }

    /// The `message` pushes a PUBLISH of `msg` on `ch` sends to the subscribed clients.
    pub fn publish(&self, ch: &[u8], msg: &[u8]) -> Vec<ROut> {
        let mut out = Vec::new();
        for (&s, _) in self.clients.iter().filter(|(_, cl)| cl.pubsub) {
            let mut m = Vec::new();
            let mut mw = ReplyWriter::new(&mut m, Proto::Resp2);
            mw.array(3);
            mw.bulk(b"message");
            mw.bulk(ch);
            mw.bulk(msg);
            out.push(ROut::Reply(s, m));
        }
        out
    }

    /// INFO in Redis 7.0's format (the sections sentinel reads).
    pub fn info(&self, now: Millis) -> String {
        let mut s = String::with_capacity(512);
        let _ = write!(
            s,
            "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nrun_id:{}\r\ntcp_port:{}\r\n\r\n# Persistence\r\nloading:{}\r\n\r\n# Replication\r\n",
            self.run_id,
            self.port,
            u8::from(now < self.loading_until)
        );
        let off = self.offset_now(now);
        match &self.role {
            RRole::Master => {
                let _ = write!(
                    s,
                    "role:master\r\nconnected_slaves:{}\r\n",
                    self.attached.len()
                );
                for (i, (ip, port, o)) in self.attached.iter().enumerate() {
                    let _ = write!(
                        s,
                        "slave{i}:ip={ip},port={port},state=online,offset={o},lag=0\r\n"
                    );
                }
            }
            RRole::Replica { host, port } => {
                let _ = write!(
                    s,
                    "role:slave\r\nmaster_host:{host}\r\nmaster_port:{port}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{off}\r\nslave_repl_offset:{off}\r\n",
                    if self.link_up { "up" } else { "down" },
                    if self.link_up { 0 } else { -1 },
                    u8::from(self.sync_ready_at.is_some() && !self.link_up),
                );
                if !self.link_up {
                    match self.link_down_since {
                        Some(t) => {
                            let _ = write!(
                                s,
                                "master_link_down_since_seconds:{}\r\n",
                                now.saturating_sub(t) / 1000
                            );
                        }
                        None => s.push_str("master_link_down_since_seconds:-1\r\n"),
                    }
                }
                let _ = write!(
                    s,
                    "slave_priority:{}\r\nslave_read_only:1\r\nreplica_announced:{}\r\nconnected_slaves:0\r\n",
                    self.priority,
                    u8::from(self.announced)
                );
            }
        }
        let _ = write!(
            s,
            "master_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:{off}\r\nsecond_repl_offset:-1\r\n",
            self.replid
        );
        s
    }
}
