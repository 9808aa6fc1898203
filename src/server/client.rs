//! One connected client: identity, protocol, authentication, subscriptions, reply mode,
//! pending output, and its `CLIENT LIST` line.

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::resp::Proto;
use crate::sentinel::Millis;

/// A client's handle: the slab key, which the reactor also uses as its mio token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub usize);

/// `CLIENT REPLY` state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// `CLIENT REPLY SKIP` was just run: the next command's reply is dropped.
    SkipNext,
    /// The reply of the command being executed is dropped.
    Skip,
}

/// `CLIENT TRACKING` state (kept for `CLIENT TRACKINGINFO`; sentinel has no keys to track).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracking {
    pub on: bool,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    pub redirect: u64,
    pub prefixes: Vec<Vec<u8>>,
}

/// How a client is classified by `CLIENT LIST TYPE` / `CLIENT KILL TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    Normal,
    Replica,
    Pubsub,
    Master,
}

impl ClientType {
    /// Redis `getClientTypeByName`.
    pub fn parse(name: &[u8]) -> Option<Self> {
        let n = name.to_ascii_lowercase();
        match n.as_slice() {
            b"normal" => Some(Self::Normal),
            b"slave" | b"replica" => Some(Self::Replica),
            b"pubsub" => Some(Self::Pubsub),
            b"master" => Some(Self::Master),
            _ => None,
        }
    }
}

/// State of one accepted connection.
#[derive(Debug)]
pub struct Client {
    /// Redis client id (`CLIENT ID`), from 1 upwards, never reused.
    pub id: u64,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// File descriptor shown by `CLIENT LIST` (`-1` until the reactor sets it).
    pub fd: i64,
    pub name: Option<Vec<u8>>,
    pub proto: Proto,
    pub authenticated: bool,
    /// ACL user name the client is authenticated as.
    pub user: Vec<u8>,
    /// Subscribed channels and patterns, in subscription order.
    pub channels: Vec<Vec<u8>>,
    pub patterns: Vec<Vec<u8>>,
    pub reply_mode: ReplyMode,
    pub tracking: Tracking,
    pub no_evict: bool,
    /// Reply bytes not yet written to the socket.
    pub output: Vec<u8>,
    pub created: Millis,
    pub last_interaction: Millis,
    /// Full name of the last command looked up (`cmd=` in CLIENT LIST).
    pub last_cmd: Option<&'static str>,
    /// Encoded size and argument bytes of the command being executed (CLIENT LIST qbuf/argv-mem).
    pub(crate) cur_qbuf: usize,
    pub(crate) cur_argv_mem: usize,
    pub(crate) cur_argc: usize,
    /// Largest reply produced so far (CLIENT LIST rbp, approximated).
    pub(crate) reply_peak: usize,
    /// Close once the pending output has been written (`CLIENT KILL` of oneself).
    pub close_after_reply: bool,
}

impl Client {
    pub(crate) fn new(
        id: u64,
        now: Millis,
        peer: SocketAddr,
        local: SocketAddr,
        authenticated: bool,
    ) -> Self {
        Client {
            id,
            peer,
            local,
            fd: -1,
            name: None,
            proto: Proto::Resp2,
            authenticated,
            user: b"default".to_vec(),
            channels: Vec::new(),
            patterns: Vec::new(),
            reply_mode: ReplyMode::On,
            tracking: Tracking::default(),
            no_evict: false,
            output: Vec::new(),
            created: now,
            last_interaction: now,
            last_cmd: None,
            cur_qbuf: 0,
            cur_argv_mem: 0,
            cur_argc: 0,
            reply_peak: 0,
            close_after_reply: false,
        }
    }

    /// Subscribed to at least one channel or pattern (Redis `CLIENT_PUBSUB`).
    pub fn is_pubsub(&self) -> bool {
        !self.channels.is_empty() || !self.patterns.is_empty()
    }

    /// Number of subscriptions (the count in subscribe/unsubscribe replies).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    pub fn client_type(&self) -> ClientType {
        if self.is_pubsub() {
            ClientType::Pubsub
        } else {
            ClientType::Normal
        }
    }

    /// `ip:port` of the peer as Redis prints it (`[v6]:port` for IPv6).
    pub fn addr(&self) -> String {
        self.peer.to_string()
    }

    pub fn laddr(&self) -> String {
        self.local.to_string()
    }

    /// Appends this client's `CLIENT LIST` line (without the trailing newline).
    pub fn write_info_line(&self, now: Millis, out: &mut String) {
        let age = now.saturating_sub(self.created) / 1000;
        let idle = now.saturating_sub(self.last_interaction) / 1000;
        let flags = if self.is_pubsub() { "P" } else { "N" };
        let name = self
            .name
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let started = self.last_cmd.is_some();
        let qbuf_free = if started {
            20474usize.saturating_sub(self.cur_qbuf)
        } else {
            4
        };
        let rbs = 1024;
        let rbp = self.reply_peak.min(rbs);
        let tot_mem = if started {
            22272 + self.cur_argv_mem + 8 * self.cur_argc
        } else {
            1800
        };
        let resp = match self.proto {
            crate::resp::Proto::Resp2 => 2,
            crate::resp::Proto::Resp3 => 3,
        };
        let redir: i64 = if self.tracking.on {
            i64::try_from(self.tracking.redirect).unwrap_or(-1)
        } else {
            -1
        };
        let _ = write!(
            out,
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db=0 sub={} psub={} ssub=0 \
             multi=-1 qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs={} rbp={} obl=0 oll=0 omem=0 \
             tot-mem={} events=r cmd={} user={} redir={} resp={}",
            self.id,
            self.addr(),
            self.laddr(),
            self.fd,
            name,
            age,
            idle,
            flags,
            self.channels.len(),
            self.patterns.len(),
            self.cur_qbuf,
            qbuf_free,
            self.cur_argv_mem,
            rbs,
            rbp,
            tot_mem,
            self.last_cmd.unwrap_or("NULL"),
            String::from_utf8_lossy(&self.user),
            redir,
            resp,
        );
    }
}

/// Size of `args` encoded as a RESP multibulk request (CLIENT LIST `qbuf`).
pub(crate) fn multibulk_len(args: &[&[u8]]) -> usize {
    let digits = |n: usize| n.to_string().len();
    let mut total = 1 + digits(args.len()) + 2;
    for a in args {
        total += 1 + digits(a.len()) + 2 + a.len() + 2;
    }
    total
}

/// Redis `validateClientName`: printable ASCII without spaces (`!`..=`~`).
pub(crate) fn valid_client_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibulk_len_matches_wire_size() {
        // "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n"
        assert_eq!(multibulk_len(&[b"CLIENT", b"INFO"]), 26);
    }

    #[test]
    fn client_names_reject_spaces_and_controls() {
        assert!(valid_client_name(b"foo-bar"));
        assert!(valid_client_name(b""));
        assert!(!valid_client_name(b"a b"));
        assert!(!valid_client_name(b"a\nb"));
    }
}
