//! Instance links (sentinel.c's `instanceLink`): a command connection and, for masters and
//! replicas, a pub/sub connection, with the ping/availability timers that SDOWN reads.
//! A sentinel's link is shared (refcounted) by every master entry that knows that sentinel.

use std::collections::VecDeque;

use super::{ConnId, InstRef, Millis};

/// Index of a link in the core's slab of links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnKind {
    Cmd,
    PubSub,
}

/// What the reply to a command we sent is for, in sending order (replies come in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// AUTH, CLIENT SETNAME, MULTI … EXEC, SCRIPT KILL: the reply is ignored.
    Discard,
    Ping(InstRef),
    Info(InstRef),
    Publish(InstRef),
    /// `SENTINEL is-master-down-by-addr` asked on behalf of the master with this uid,
    /// about its address of this `generation` (`Master::addr_generation`).
    IsMasterDown {
        master: u64,
        generation: u64,
    },
    /// `SUBSCRIBE __sentinel__:hello` on the pub/sub connection.
    Subscribe,
    /// The `EXEC` closing a SLAVEOF transaction: the fast path asks for INFO at once.
    Exec(InstRef),
}

/// One TCP connection of a link.
#[derive(Debug)]
pub struct Conn {
    pub id: ConnId,
    /// The shell reported the connection established.
    pub established: bool,
    /// When the connection was created (`cc_conn_time` / `pc_conn_time`).
    pub since: Millis,
    /// Replies we are waiting for, oldest first.
    pub pending: VecDeque<Pending>,
    /// Local IP of the socket once established (hello falls back to it).
    pub local_ip: Option<String>,
    /// The instance whose reconnect opened it (named by link events).
    pub inst: InstRef,
}

impl Conn {
    pub fn new(id: ConnId, inst: InstRef, now: Millis) -> Self {
        Conn {
            id,
            inst,
            established: false,
            since: now,
            pending: VecDeque::new(),
            local_ip: None,
        }
    }
}

/// A link to one instance address.
#[derive(Debug)]
pub struct Link {
    pub host: String,
    pub port: u16,
    /// Masters and replicas also need a pub/sub connection; sentinels do not.
    pub wants_pubsub: bool,
    /// How many instance entries share this link.
    pub refcount: u32,
    pub cmd: Option<Conn>,
    pub pubsub: Option<Conn>,
    /// Commands sent on this link still waiting for a reply.
    pub pending_commands: u32,
    /// When the oldest unanswered PING was sent (`None` = no PING pending).
    pub act_ping_time: Option<Millis>,
    /// When the last PING was sent.
    pub last_ping_time: Millis,
    /// When the last acceptable PING reply arrived.
    pub last_avail_time: Millis,
    /// When the last reply of any kind arrived.
    pub last_pong_time: Millis,
    /// When we last tried to reconnect.
    pub last_reconn_time: Option<Millis>,
    /// When the pub/sub connection last received anything.
    pub pc_last_activity: Millis,
}

impl Link {
    pub fn new(host: &str, port: u16, wants_pubsub: bool, now: Millis) -> Self {
        Link {
            host: host.to_string(),
            port,
            wants_pubsub,
            refcount: 1,
            cmd: None,
            pubsub: None,
            pending_commands: 0,
            act_ping_time: Some(now),
            last_ping_time: 0,
            last_avail_time: now,
            last_pong_time: now,
            last_reconn_time: None,
            pc_last_activity: now,
        }
    }

    /// `disconnected` flag: the command connection (or the pub/sub one where needed) is missing.
    pub fn disconnected(&self) -> bool {
        self.cmd.is_none() || (self.wants_pubsub && self.pubsub.is_none())
    }

    pub fn conn(&self, kind: ConnKind) -> Option<&Conn> {
        match kind {
            ConnKind::Cmd => self.cmd.as_ref(),
            ConnKind::PubSub => self.pubsub.as_ref(),
        }
    }

    pub fn conn_mut(&mut self, kind: ConnKind) -> Option<&mut Conn> {
        match kind {
            ConnKind::Cmd => self.cmd.as_mut(),
            ConnKind::PubSub => self.pubsub.as_mut(),
        }
    }

    /// Resets the ping timers as a master reset does (§3.3).
    pub fn reset_timers(&mut self, now: Millis) {
        self.act_ping_time = Some(now);
        self.last_ping_time = 0;
        self.last_avail_time = now;
        self.last_pong_time = now;
    }
}
