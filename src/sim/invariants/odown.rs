//! `odown_needs_quorum_of_sdown`: a sentinel may count a peer towards ODOWN of a master
//! only on that peer's `is-master-down-by-addr` reply saying "down" **about the master's
//! address**, sent to this incarnation of the sentinel. The world records every reply as it
//! leaves the peer (so a reply delayed in the network is still on record); at `+odown` the
//! sentinel itself plus the peers with such a reply must make the quorum.

use std::collections::BTreeMap;

use super::{event_master_addr, Checker};
use crate::sentinel::{Millis, Sentinel};

/// A down reply older than this cannot be what a sentinel counts (the validity of a reply
/// is 5 ask periods, 5 s in the simulator; the rest covers a reply held in a cut link).
const DOWN_REPLY_WINDOW: Millis = 15_000;

/// (to myid, from myid, host, port) → when the last "down" reply left.
#[derive(Debug, Default)]
pub struct DownReplies {
    sent: BTreeMap<(String, String, String, u16), Millis>,
    /// myid → when it last (re)started.
    boots: BTreeMap<String, Millis>,
}

impl DownReplies {
    pub fn booted(&mut self, myid: &str, now: Millis) {
        self.boots.insert(myid.to_string(), now);
    }
}

impl Checker {
    /// `from` answered `to` that `host:port` is down (or not) at `now`.
    pub fn down_reply(
        &mut self,
        now: Millis,
        to: &str,
        from: &str,
        host: &str,
        port: u16,
        down: bool,
    ) {
        if down {
            let key = (to.to_string(), from.to_string(), host.to_string(), port);
            self.downs.sent.insert(key, now);
        }
    }

    /// Invariant 7a, at `core`'s `+odown` event (`text` names the master and its address).
    pub(super) fn odown_needs_quorum_of_sdown(
        &mut self,
        now: Millis,
        node: &str,
        core: &Sentinel,
        text: &str,
    ) {
        let Some((host, port)) = event_master_addr(text) else {
            return;
        };
        let name = text.split(' ').nth(1).unwrap_or_default();
        let Some(m) = core.masters.iter().find(|m| m.common.name == name) else {
            return;
        };
        let me = core.myid.as_str();
        let since = self
            .downs
            .boots
            .get(me)
            .copied()
            .unwrap_or(0)
            .max(now.saturating_sub(DOWN_REPLY_WINDOW));
        let peers = self
            .downs
            .sent
            .iter()
            .filter(|((to, from, h, p), at)| {
                to == me && from != me && h == host && *p == port && **at >= since
            })
            .count();
        if peers + 1 < m.quorum as usize {
            let d = format!(
                "{node} ({me}) ODOWN of {name} at {host}:{port} with {peers} peer(s) having said it is down, quorum {}",
                m.quorum
            );
            self.violate(now, "odown_needs_quorum_of_sdown", d);
        }
    }
}
