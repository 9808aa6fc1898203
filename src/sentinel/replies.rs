//! What arrives on instance connections: connection events, replies routed to the command
//! that asked (in order, as hiredis callbacks are), pub/sub hello messages, and hello
//! processing (§9.3, §9.4, §10.1).

use super::hello::parse_hello;
use super::link::{ConnKind, LinkId, Pending};
use super::wire_check::{
    check_host, epoch_jump_ok, runid_ok, HostRefusal, MAX_EPOCH_JUMP, MAX_SENTINELS_PER_MASTER,
};
use super::{ConnId, InstRef, Level, Millis, Sentinel};
use crate::config::KnownSentinel;
use crate::resp::Frame;

/// A parsed hello with its text fields as UTF-8.
struct HelloFields<'a> {
    sentinel_ip: &'a str,
    sentinel_port: u16,
    runid: &'a str,
    current_epoch: u64,
    master_name: &'a str,
    master_ip: &'a str,
    master_port: u16,
    master_config_epoch: u64,
}

impl Sentinel {
    pub(super) fn on_connected(&mut self, _now: Millis, conn: ConnId, local_ip: String) {
        let Some(&(link, kind)) = self.conns.get(&conn) else {
            return;
        };
        if let Some(c) = self.links.get_mut(link.0).and_then(|l| l.conn_mut(kind)) {
            c.established = true;
            c.local_ip = Some(local_ip);
        }
    }

    /// sentinelReconnectInstance's `-cmd-link-reconnection <instance> #<error>`.
    pub(super) fn on_failed(&mut self, conn: ConnId, error: &str) {
        if let Some(&(link, kind)) = self.conns.get(&conn) {
            let inst = self
                .links
                .get(link.0)
                .and_then(|l| l.conn(kind))
                .filter(|c| c.id == conn)
                .map(|c| c.inst);
            if let Some(inst) = inst {
                let what = match kind {
                    ConnKind::Cmd => "-cmd-link-reconnection",
                    ConnKind::PubSub => "-pubsub-link-reconnection",
                };
                self.inst_event(Level::Debug, what, inst, &format!("#{error}"));
            }
        }
        self.on_closed(conn);
    }

    pub(super) fn on_closed(&mut self, conn: ConnId) {
        let Some((link, kind)) = self.conns.remove(&conn) else {
            return;
        };
        self.output.remove(&conn);
        if let Some(l) = self.links.get_mut(link.0) {
            match kind {
                ConnKind::Cmd if l.cmd.as_ref().is_some_and(|c| c.id == conn) => {
                    l.cmd = None;
                    l.pending_commands = 0;
                }
                ConnKind::PubSub if l.pubsub.as_ref().is_some_and(|c| c.id == conn) => {
                    l.pubsub = None
                }
                _ => {}
            }
        }
    }

    pub(super) fn on_frame(&mut self, now: Millis, conn: ConnId, frame: &Frame<'_>) {
        let Some(&(link, kind)) = self.conns.get(&conn) else {
            return;
        };
        let Some(l) = self.links.get_mut(link.0) else {
            return;
        };
        if kind == ConnKind::PubSub {
            l.pc_last_activity = now;
        }
        let Some(c) = l.conn_mut(kind) else { return };
        let pending = c.pending.pop_front();
        if matches!(pending, Some(p) if p != Pending::Subscribe) {
            l.pending_commands = l.pending_commands.saturating_sub(1);
        }
        match pending {
            // A reply nobody asked for: on the command connection an error closes it
            // (hiredis); on the pub/sub connection it is a message.
            None if frame.is_error() => self.close_conn(link, kind),
            None if kind == ConnKind::PubSub => self.on_pubsub_message(now, frame),
            None => {}
            // A refused SUBSCRIBE (-NOAUTH, -NOPERM) drops the pub/sub connection.
            Some(Pending::Subscribe) if frame.is_error() => self.close_conn(link, kind),
            Some(Pending::Discard | Pending::Subscribe) => {}
            Some(Pending::Ping(inst)) => self.on_ping_reply(now, link, inst, frame),
            Some(Pending::Info(inst)) => {
                if let Some(text) = frame.as_bytes() {
                    self.on_info_reply(now, inst, text);
                }
            }
            Some(Pending::Publish(inst)) if !frame.is_error() => {
                if let Some(c) = self.inst_common_mut(inst) {
                    c.last_pub_time = now;
                }
            }
            Some(Pending::Publish(_)) => {}
            Some(Pending::IsMasterDown { master, generation }) => {
                let current = self
                    .master_by_uid(master)
                    .is_some_and(|m| m.addr_generation == generation);
                // A reply about the address the master had before a reset or switch says
                // nothing about the one it has now.
                if current {
                    self.on_is_master_down_reply(now, link, master, frame);
                    self.fast_step(master, now);
                }
            }
            // Fast path: the transaction ran; look at the instance's new role right away
            // instead of at the next INFO period.
            Some(Pending::Exec(inst)) => self.refresh_info(inst),
        }
    }

    /// sentinelPingReplyCallback (§9.3).
    fn on_ping_reply(&mut self, now: Millis, link: LinkId, inst: InstRef, frame: &Frame<'_>) {
        let text = match frame {
            Frame::Simple(t) | Frame::Error(t) => Some(*t),
            _ => None,
        };
        if let Some(t) = text {
            if t.starts_with(b"PONG") || t.starts_with(b"LOADING") || t.starts_with(b"MASTERDOWN") {
                if let Some(l) = self.links.get_mut(link.0) {
                    l.last_avail_time = now;
                    l.act_ping_time = None;
                }
                if t.starts_with(b"PONG") {
                    if let InstRef::Master(uid) = inst {
                        if let Some(m) = self.master_by_uid_mut(uid) {
                            m.reboot_since = None;
                        }
                    }
                }
            } else if t.starts_with(b"BUSY") {
                let sdown_no_kill = self
                    .inst_common(inst)
                    .is_some_and(|c| c.s_down_since.is_some() && !c.script_kill_sent);
                if sdown_no_kill {
                    let script = self.mapped(inst, "SCRIPT");
                    if self.send(
                        link,
                        ConnKind::Cmd,
                        Pending::Discard,
                        &[script.as_bytes(), b"KILL"],
                    ) {
                        if let Some(c) = self.inst_common_mut(inst) {
                            c.script_kill_sent = true;
                        }
                    }
                }
            }
        }
        if let Some(l) = self.links.get_mut(link.0) {
            l.last_pong_time = now;
        }
    }

    /// sentinelReceiveIsMasterDownReply (§10.1).
    fn on_is_master_down_reply(
        &mut self,
        now: Millis,
        link: LinkId,
        master: u64,
        frame: &Frame<'_>,
    ) {
        let Some(elems) = frame.as_elements() else {
            return;
        };
        let [Frame::Integer(down), leader, Frame::Integer(epoch)] = elems else {
            return;
        };
        let Some(leader) = leader.as_bytes() else {
            return;
        };
        let leader = String::from_utf8_lossy(leader).into_owned();
        let Some(m) = self.master_by_uid_mut(master) else {
            return;
        };
        let Some(p) = m.sentinels.iter_mut().find(|p| p.common.link == link) else {
            return;
        };
        p.last_master_down_reply_time = now;
        let newly_down = *down == 1 && !p.master_down;
        p.master_down = *down == 1;
        if leader != "*" {
            let epoch = u64::try_from(*epoch).unwrap_or(0);
            if p.leader_epoch != epoch {
                log::info!("{} voted for {} {}", p.common.name, leader, epoch);
            }
            p.leader = Some(leader);
            p.leader_epoch = epoch;
        }
        // Peers are turning: the others may follow soon, re-ask them fast again.
        if newly_down {
            m.ask_phase_since = now;
        }
    }

    /// sentinelReceiveHelloMessages: a `message` push on a pub/sub connection.
    fn on_pubsub_message(&mut self, now: Millis, frame: &Frame<'_>) {
        let Some([kind, _channel, payload]) = frame.as_elements() else {
            return;
        };
        if kind.as_bytes() != Some(b"message") {
            return;
        }
        let Some(payload) = payload.as_bytes() else {
            return;
        };
        if super::hello::mentions_runid(payload, self.myid.as_bytes()) {
            return;
        }
        self.process_hello(now, payload);
    }

    /// sentinelProcessHelloMessage (§9.4): from pub/sub or from a peer's PUBLISH to us.
    pub fn process_hello(&mut self, now: Millis, payload: &[u8]) {
        let Ok(h) = parse_hello(payload) else { return };
        let (Ok(sentinel_ip), Ok(runid), Ok(master_name), Ok(master_ip)) = (
            std::str::from_utf8(h.sentinel_ip),
            std::str::from_utf8(h.runid),
            std::str::from_utf8(h.master_name),
            std::str::from_utf8(h.master_ip),
        ) else {
            return;
        };
        let h = HelloFields {
            sentinel_ip,
            sentinel_port: h.sentinel_port,
            runid,
            current_epoch: h.current_epoch,
            master_name,
            master_ip,
            master_port: h.master_port,
            master_config_epoch: h.master_config_epoch,
        };
        let Some(idx) = self
            .masters
            .iter()
            .position(|m| m.common.name == h.master_name)
        else {
            return;
        };
        if let Err(why) = self.hello_acceptable(&h) {
            let level = self.refusal_log_level(now);
            log::log!(
                level,
                "Hello from {}:{} refused: {why}",
                h.sentinel_ip,
                h.sentinel_port
            );
            return;
        }
        let muid = self.masters[idx].common.uid;
        let known = self.masters[idx]
            .sentinels
            .iter()
            .find(|p| {
                p.common.host == h.sentinel_ip
                    && p.common.port == h.sentinel_port
                    && p.common.runid.as_deref() == Some(h.runid)
            })
            .map(|p| p.common.uid);
        let si = match known {
            Some(uid) => Some(uid),
            None => match self.hello_new_sentinel(idx, muid, &h, now) {
                Ok(si) => si,
                Err(()) => return,
            },
        };
        if h.current_epoch > self.current_epoch {
            self.current_epoch = h.current_epoch;
            self.request_save();
            self.event(Level::Warning, "+new-epoch", h.current_epoch.to_string());
        }
        if let Some(si) = si {
            self.hello_config_update(muid, si, &h, now);
        }
    }

    /// A hello from a sentinel not known at this address with this run id: it moved, or
    /// replaced another at this address, or is new (within [`MAX_SENTINELS_PER_MASTER`]).
    /// Its uid if it was added; `Err` when the hello must be dropped.
    fn hello_new_sentinel(
        &mut self,
        idx: usize,
        muid: u64,
        h: &HelloFields<'_>,
        now: Millis,
    ) -> Result<Option<u64>, ()> {
        // Address changed for a known run id?
        let removed = self.remove_sentinel_by_runid(idx, h.runid);
        if removed {
            let text = format!(
                "{} ip {} port {} for {}",
                self.prefix(InstRef::Master(muid)),
                h.sentinel_ip,
                h.sentinel_port,
                h.runid
            );
            self.event(Level::Notice, "+sentinel-address-switch", text);
        } else if let Some(other) = self.masters[idx]
            .sentinels
            .iter()
            .find(|p| p.common.host == h.sentinel_ip && p.common.port == h.sentinel_port)
            .map(|p| (p.common.uid, p.common.name.clone()))
        {
            // Another run id claims this address: the old one is gone (restarted
            // with a new id). Remove it from every master.
            self.inst_event(
                Level::Notice,
                "+sentinel-invalid-addr",
                InstRef::Sentinel {
                    master: muid,
                    sentinel: other.0,
                },
                "",
            );
            for i in 0..self.masters.len() {
                self.remove_sentinel_by_runid(i, &other.1);
            }
        }
        let Some(idx) = self.master_idx_by_uid(muid) else {
            return Err(());
        };
        if self.masters[idx].sentinels.len() >= MAX_SENTINELS_PER_MASTER {
            let level = self.refusal_log_level(now);
            log::log!(
                level,
                "Hello from {}:{} refused: master {} already has {} sentinels, \
                 the most hellos may add",
                h.sentinel_ip,
                h.sentinel_port,
                h.master_name,
                MAX_SENTINELS_PER_MASTER
            );
            return Err(());
        }
        let ks = KnownSentinel {
            host: h.sentinel_ip.to_string(),
            port: h.sentinel_port,
            runid: h.runid.to_string(),
        };
        let uid = self.add_sentinel(idx, &ks, now);
        if let Some(uid) = uid {
            let inst = InstRef::Sentinel {
                master: muid,
                sentinel: uid,
            };
            if !removed {
                self.inst_event(Level::Notice, "+sentinel", inst, "");
            } else {
                self.update_sentinel_address_in_all_masters(muid, uid);
            }
            self.request_save();
        }
        Ok(uid)
    }

    /// sentinelProcessHelloMessage's second half: a newer configuration from sentinel `si`.
    fn hello_config_update(&mut self, muid: u64, si: u64, h: &HelloFields<'_>, now: Millis) {
        let Some(idx) = self.master_idx_by_uid(muid) else {
            return;
        };
        if self.masters[idx].config_epoch < h.master_config_epoch {
            self.masters[idx].config_epoch = h.master_config_epoch;
            // A failover of ours older than the configuration in force is obsolete:
            // drop it before comparing addresses. Otherwise we adopt the newer epoch,
            // then finish the old failover under it and switch to our promoted replica:
            // two addresses with one config epoch, never reconciled.
            let m = &self.masters[idx];
            if m.failover_in_progress() && m.failover_epoch < h.master_config_epoch {
                self.abort_failover(idx, now);
            }
            let (old_host, old_port) = {
                let m = &self.masters[idx];
                (m.common.host.clone(), m.common.port)
            };
            // sentinelAddrEqualsHostname: the same address by name or by IP is no switch
            // (a redis-sentinel peer announces our `localhost` as 127.0.0.1).
            if h.master_port != old_port || !self.same_host(&old_host, h.master_ip) {
                self.inst_event(
                    Level::Warning,
                    "+config-update-from",
                    InstRef::Sentinel {
                        master: muid,
                        sentinel: si,
                    },
                    "",
                );
                let name = self.masters[idx].common.name.clone();
                let shown = self.announce_host(&old_host).into_owned();
                self.event(
                    Level::Warning,
                    "+switch-master",
                    format!(
                        "{name} {shown} {old_port} {} {}",
                        h.master_ip, h.master_port
                    ),
                );
                self.reset_master_and_change_address(muid, h.master_ip, h.master_port, now);
                self.client_reconfig_script(muid, "observer", &old_host, old_port);
            }
            self.request_save();
        }
        if let Some(m) = self.master_by_uid_mut(muid) {
            if let Some(p) = m.sentinels.iter_mut().find(|p| p.common.uid == si) {
                p.last_hello_time = now;
            }
        }
    }

    /// Whether a hello's values may enter our state: addresses and run ids the config
    /// loader accepts (sentinel.c's `createSentinelAddr`; otherwise every later save fails
    /// its parse-back check), and epochs within [`MAX_EPOCH_JUMP`] of ours.
    fn hello_acceptable(&self, h: &HelloFields<'_>) -> Result<(), String> {
        if self.test_switches.unchecked_wire_values {
            return Ok(());
        }
        if !runid_ok(h.runid) {
            return Err(format!("malformed run id {:?}", h.runid));
        }
        for host in [h.sentinel_ip, h.master_ip] {
            match check_host(host, self.resolve_hostnames) {
                Ok(()) => {}
                Err(HostRefusal::NameNotAllowed) => {
                    return Err(format!(
                        "Failed to resolve hostname '{host}' (resolve-hostnames is no)"
                    ))
                }
                Err(HostRefusal::Malformed) => return Err(format!("malformed address {host:?}")),
            }
        }
        for (what, epoch) in [
            ("current epoch", h.current_epoch),
            ("master config epoch", h.master_config_epoch),
        ] {
            if !epoch_jump_ok(self.current_epoch, epoch) {
                return Err(format!(
                    "{what} {epoch} is more than {MAX_EPOCH_JUMP} above our current epoch {}",
                    self.current_epoch
                ));
            }
        }
        Ok(())
    }

    /// Refused hellos are logged as warnings at most once a second (anyone who can PUBLISH
    /// on a monitored master could send thousands a second); the rest at debug level.
    fn refusal_log_level(&mut self, now: Millis) -> log::Level {
        if self
            .last_refusal_warning
            .is_some_and(|t| now.saturating_sub(t) < 1_000)
        {
            log::Level::Debug
        } else {
            self.last_refusal_warning = Some(now);
            log::Level::Warn
        }
    }

    /// Removes the sentinel with `runid` from master `idx`. True if one was removed.
    fn remove_sentinel_by_runid(&mut self, idx: usize, runid: &str) -> bool {
        let Some(m) = self.masters.get_mut(idx) else {
            return false;
        };
        let Some(pos) = m
            .sentinels
            .iter()
            .position(|p| p.common.runid.as_deref() == Some(runid))
        else {
            return false;
        };
        let p = m.sentinels.remove(pos);
        self.release_link(p.common.link);
        true
    }

    /// sentinelUpdateSentinelAddressInAllMasters: the sentinel `si` of master `muid` moved;
    /// entries for the same run id under other masters follow and share its link.
    fn update_sentinel_address_in_all_masters(&mut self, muid: u64, si: u64) {
        let Some(src) = self
            .masters
            .iter()
            .find(|m| m.common.uid == muid)
            .and_then(|m| m.sentinels.iter().find(|p| p.common.uid == si))
        else {
            return;
        };
        let (runid, host, port, link) = (
            src.common.runid.clone(),
            src.common.host.clone(),
            src.common.port,
            src.common.link,
        );
        let mut released = Vec::new();
        let mut count = 0;
        for m in self.masters.iter_mut().filter(|m| m.common.uid != muid) {
            for p in m.sentinels.iter_mut().filter(|p| p.common.runid == runid) {
                if p.common.host != host || p.common.port != port {
                    released.push(p.common.link);
                    p.common.host = host.clone();
                    p.common.port = port;
                    p.common.link = link;
                    count += 1;
                }
            }
        }
        if let Some(l) = self.links.get_mut(link.0) {
            l.refcount += count;
        }
        for l in released {
            self.release_link(l);
        }
        if count > 0 {
            self.inst_event(
                Level::Notice,
                "+sentinel-address-update",
                InstRef::Sentinel {
                    master: muid,
                    sentinel: si,
                },
                &format!("{count} additional matching instances"),
            );
        }
    }
}
