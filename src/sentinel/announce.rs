//! Host names and the addresses they stand for (sentinel.c's `sentinelAddr`, which keeps
//! both): what we announce for an address (`announceSentinelAddr`: the name with
//! `announce-hostnames yes`, else its IP), and whether two addresses are the same
//! instance (`sentinelAddrEqualsHostname`, `sentinelAddrOrHostnameEqual`).
//!
//! The core never resolves a name itself (it is sans-IO and the shell resolves off the
//! loop): a name's IP is the one the shell connected to for it ([`Sentinel::connected_to`]).
//! Until a name has been connected to once it is announced and compared as the name.

use std::borrow::Cow;
use std::net::IpAddr;

use super::{ConnId, Sentinel};

impl Sentinel {
    /// The shell's connection `conn` reached `remote` (the address the host name resolved
    /// to, or the literal itself).
    pub fn connected_to(&mut self, conn: ConnId, remote: IpAddr) {
        let Some(&(link, _)) = self.conns.get(&conn) else {
            return;
        };
        let Some(host) = self.links.get(link.0).map(|l| l.host.as_str()) else {
            return;
        };
        if host.parse::<IpAddr>().is_ok() {
            return;
        }
        match self
            .resolved
            .iter_mut()
            .find(|(name, _)| name.eq_ignore_ascii_case(host))
        {
            Some((_, ip)) => *ip = remote,
            None => {
                let name = host.to_string();
                self.resolved.push((name, remote));
            }
        }
    }

    /// The IP `host` stands for: itself if it is one, else what it resolved to last.
    pub fn ip_of(&self, host: &str) -> Option<IpAddr> {
        host.parse::<IpAddr>().ok().or_else(|| {
            self.resolved
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(host))
                .map(|(_, ip)| *ip)
        })
    }

    /// announceSentinelAddr: what replies, hellos and vote requests say for `host`.
    pub fn announce_host<'a>(&self, host: &'a str) -> Cow<'a, str> {
        if self.announce_hostnames || host.parse::<IpAddr>().is_ok() {
            return Cow::Borrowed(host);
        }
        match self.ip_of(host) {
            Some(ip) => Cow::Owned(ip.to_string()),
            None => Cow::Borrowed(host),
        }
    }

    /// Whether `theirs` (from a peer) names the same host as `ours`: the same name
    /// (case-insensitively), or the same address once both resolve.
    pub fn same_host(&self, ours: &str, theirs: &str) -> bool {
        if ours.eq_ignore_ascii_case(theirs) {
            return true;
        }
        match (self.ip_of(ours), self.ip_of(theirs)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}
