//! The tick (sentinel.c's `sentinelTimer`): TILT detection, then per master, its replicas and
//! its sentinels — reconnect, periodic commands (PING, INFO, hello), SDOWN — and for masters
//! the acting half (ODOWN, failover). Also how commands are queued on connections.

use super::event::instance_prefix;
use super::hello::{build_hello, Hello};
use super::link::{Conn, ConnKind, LinkId, Pending};
use super::timing::MAX_PENDING_COMMANDS;
use super::{Action, ConnId, InstRef, Level, Millis, Role, Sentinel};
use crate::resp::encode;

/// The hello channel (§5).
pub const HELLO_CHANNEL: &str = "__sentinel__:hello";

impl Sentinel {
    pub(super) fn timer(&mut self, now: Millis) {
        self.check_tilt(now);
        // By index: the tick never adds or removes masters (the switch comes after).
        for i in 0..self.masters.len() {
            self.handle_master_tick(i, now);
        }
        self.switch_masters_in_update_config(now);
        self.run_scripts(now);
        self.retry_failed_save(now);
    }

    fn check_tilt(&mut self, now: Millis) {
        if let Some(prev) = self.previous_time {
            let delta = now.checked_sub(prev);
            if delta.is_none_or(|d| d > self.timing.tilt_trigger) {
                self.tilt = true;
                self.tilt_start_time = now;
                self.event(Level::Warning, "+tilt", "#tilt mode entered".into());
            }
        }
        self.previous_time = Some(now);
    }

    /// The TILT gate of the acting half: false while TILT lasts; ends TILT once it expired.
    fn acting_allowed(&mut self, now: Millis) -> bool {
        if self.tilt {
            if now.saturating_sub(self.tilt_start_time) < self.timing.tilt_period {
                return false;
            }
            self.tilt = false;
            self.event(Level::Warning, "-tilt", "#tilt mode exited".into());
        }
        true
    }

    fn handle_master_tick(&mut self, i: usize, now: Millis) {
        let Some(uid) = self.masters.get(i).map(|m| m.common.uid) else {
            return;
        };
        let inst = InstRef::Master(uid);
        self.reconnect(inst, now);
        self.send_periodic(inst, now);
        if self.acting_allowed(now) {
            self.check_sdown(inst, now);
            self.acting_half(uid, now);
        }
        let mut r = 0;
        while let Some(replica) = self
            .masters
            .get(i)
            .and_then(|m| m.replicas.get(r))
            .map(|x| x.common.uid)
        {
            let inst = InstRef::Replica {
                master: uid,
                replica,
            };
            self.reconnect(inst, now);
            self.send_periodic(inst, now);
            if self.acting_allowed(now) {
                self.check_sdown(inst, now);
            }
            r += 1;
        }
        let mut p = 0;
        while let Some(sentinel) = self
            .masters
            .get(i)
            .and_then(|m| m.sentinels.get(p))
            .map(|x| x.common.uid)
        {
            let inst = InstRef::Sentinel {
                master: uid,
                sentinel,
            };
            self.reconnect(inst, now);
            self.send_periodic(inst, now);
            if self.acting_allowed(now) {
                self.check_sdown(inst, now);
            }
            p += 1;
        }
    }

    /// The link, down-after and address of an instance.
    pub(super) fn inst_common(&self, inst: InstRef) -> Option<&super::instance::Common> {
        match inst {
            InstRef::Master(m) => self.master_by_uid(m).map(|m| &m.common),
            InstRef::Replica { master, replica } => self
                .master_by_uid(master)
                .and_then(|m| m.replicas.iter().find(|r| r.common.uid == replica))
                .map(|r| &r.common),
            InstRef::Sentinel { master, sentinel } => self
                .master_by_uid(master)
                .and_then(|m| m.sentinels.iter().find(|p| p.common.uid == sentinel))
                .map(|p| &p.common),
        }
    }

    pub(super) fn inst_common_mut(
        &mut self,
        inst: InstRef,
    ) -> Option<&mut super::instance::Common> {
        match inst {
            InstRef::Master(m) => self.master_by_uid_mut(m).map(|m| &mut m.common),
            InstRef::Replica { master, replica } => self
                .master_by_uid_mut(master)
                .and_then(|m| m.replicas.iter_mut().find(|r| r.common.uid == replica))
                .map(|r| &mut r.common),
            InstRef::Sentinel { master, sentinel } => self
                .master_by_uid_mut(master)
                .and_then(|m| m.sentinels.iter_mut().find(|p| p.common.uid == sentinel))
                .map(|p| &mut p.common),
        }
    }

    fn master_of(&self, inst: InstRef) -> Option<&super::Master> {
        let uid = match inst {
            InstRef::Master(m)
            | InstRef::Replica { master: m, .. }
            | InstRef::Sentinel { master: m, .. } => m,
        };
        self.master_by_uid(uid)
    }

    /// `%@` for an instance (§6).
    pub(super) fn prefix(&self, inst: InstRef) -> String {
        let Some(m) = self.master_of(inst) else {
            return String::new();
        };
        // The configured address, as sentinel.c prints it (not the promoted one).
        let (mh, mp) = (self.announce_host(&m.common.host), m.common.port);
        match inst {
            InstRef::Master(_) => instance_prefix("master", &m.common.name, &mh, mp, None),
            InstRef::Replica { .. } | InstRef::Sentinel { .. } => {
                let Some(c) = self.inst_common(inst) else {
                    return String::new();
                };
                let kind = if matches!(inst, InstRef::Replica { .. }) {
                    "slave"
                } else {
                    "sentinel"
                };
                instance_prefix(
                    kind,
                    &c.name,
                    &self.announce_host(&c.host),
                    c.port,
                    Some((&m.common.name, &mh, mp)),
                )
            }
        }
    }

    /// Emits an event about an instance: `<kind> %@[ <suffix>]`.
    pub(super) fn inst_event(
        &mut self,
        level: Level,
        kind: &'static str,
        inst: InstRef,
        suffix: &str,
    ) {
        let mut text = self.prefix(inst);
        if !suffix.is_empty() {
            text.push(' ');
            text.push_str(suffix);
        }
        if level == Level::Warning {
            if let Some(path) = self
                .master_of(inst)
                .and_then(|m| m.notification_script.clone())
            {
                self.queue_script(vec![path, kind.to_string(), text.clone()]);
            }
        }
        self.event(level, kind, text);
    }

    /// The command name to send for `cmd` to this instance, after the master's renames.
    pub(super) fn mapped(&self, inst: InstRef, cmd: &str) -> String {
        match inst {
            InstRef::Sentinel { .. } => cmd.to_string(),
            _ => self
                .master_of(inst)
                .map(|m| m.map_command(cmd).to_string())
                .unwrap_or_else(|| cmd.to_string()),
        }
    }

    /// Queues a command on one connection of a link. Returns false if that connection is
    /// missing. `args[0]` must already be mapped through rename-command.
    pub(super) fn send(
        &mut self,
        link: LinkId,
        kind: ConnKind,
        pending: Pending,
        args: &[&[u8]],
    ) -> bool {
        let Some(l) = self.links.get_mut(link.0) else {
            return false;
        };
        let Some(conn) = l.conn_mut(kind) else {
            return false;
        };
        conn.pending.push_back(pending);
        let id = conn.id;
        if pending != Pending::Subscribe {
            l.pending_commands += 1;
        }
        let buf = self.output.entry(id).or_default();
        if buf.is_empty() {
            self.dirty.push(id);
        }
        encode::command(buf, args);
        true
    }

    fn new_conn(
        &mut self,
        link: LinkId,
        kind: ConnKind,
        inst: InstRef,
        now: Millis,
    ) -> Option<ConnId> {
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        let l = self.links.get_mut(link.0)?;
        let (host, port) = (l.host.clone(), l.port);
        match kind {
            ConnKind::Cmd => {
                l.cmd = Some(Conn::new(id, inst, now));
                l.pending_commands = 0;
            }
            ConnKind::PubSub => {
                l.pubsub = Some(Conn::new(id, inst, now));
                l.pc_last_activity = now;
            }
        }
        self.conns.insert(id, (link, kind));
        self.actions.push_back(Action::Connect {
            conn: id,
            host,
            port,
        });
        Some(id)
    }

    /// Credentials for an instance (§9.1): (user, pass).
    fn credentials(&self, inst: InstRef) -> Option<(Option<String>, String)> {
        match inst {
            InstRef::Sentinel { .. } => match &self.sentinel_pass {
                Some(p) => Some((self.sentinel_user.clone(), p.clone())),
                None => self.settings.requirepass.clone().map(|p| (None, p)),
            },
            _ => {
                let m = self.master_of(inst)?;
                m.auth_pass.clone().map(|p| (m.auth_user.clone(), p))
            }
        }
    }

    fn send_auth_and_name(&mut self, inst: InstRef, link: LinkId, kind: ConnKind) {
        if let Some((user, pass)) = self.credentials(inst) {
            let auth = self.mapped(inst, "AUTH");
            match user {
                Some(u) => self.send(
                    link,
                    kind,
                    Pending::Discard,
                    &[auth.as_bytes(), u.as_bytes(), pass.as_bytes()],
                ),
                None => self.send(
                    link,
                    kind,
                    Pending::Discard,
                    &[auth.as_bytes(), pass.as_bytes()],
                ),
            };
        }
        let client = self.mapped(inst, "CLIENT");
        let name = format!(
            "sentinel-{}-{}",
            self.myid.get(..8).unwrap_or(&self.myid),
            if kind == ConnKind::Cmd {
                "cmd"
            } else {
                "pubsub"
            }
        );
        self.send(
            link,
            kind,
            Pending::Discard,
            &[client.as_bytes(), b"SETNAME", name.as_bytes()],
        );
    }

    /// sentinelReconnectInstance: at most one attempt per ping period.
    fn reconnect(&mut self, inst: InstRef, now: Millis) {
        let Some(c) = self.inst_common(inst) else {
            return;
        };
        let link_id = c.link;
        if c.port == 0 {
            return;
        }
        let ping_period = self.timing.ping_period;
        let Some(link) = self.links.get_mut(link_id.0) else {
            return;
        };
        if !link.disconnected() {
            return;
        }
        if link
            .last_reconn_time
            .is_some_and(|t| now.saturating_sub(t) < ping_period)
        {
            return;
        }
        link.last_reconn_time = Some(now);
        let need_cmd = link.cmd.is_none();
        let need_pubsub = link.wants_pubsub && link.pubsub.is_none();
        if need_cmd && self.new_conn(link_id, ConnKind::Cmd, inst, now).is_some() {
            self.send_auth_and_name(inst, link_id, ConnKind::Cmd);
            self.send_ping(inst, now);
        }
        if need_pubsub
            && self
                .new_conn(link_id, ConnKind::PubSub, inst, now)
                .is_some()
        {
            self.send_auth_and_name(inst, link_id, ConnKind::PubSub);
            let sub = self.mapped(inst, "SUBSCRIBE");
            self.send(
                link_id,
                ConnKind::PubSub,
                Pending::Subscribe,
                &[sub.as_bytes(), HELLO_CHANNEL.as_bytes()],
            );
        }
    }

    pub(super) fn send_ping(&mut self, inst: InstRef, now: Millis) -> bool {
        let Some(link) = self.inst_common(inst).map(|c| c.link) else {
            return false;
        };
        if !self.send_named(inst, link, Pending::Ping(inst), "PING", &[]) {
            return false;
        }
        if let Some(l) = self.links.get_mut(link.0) {
            l.last_ping_time = now;
            if l.act_ping_time.is_none() {
                l.act_ping_time = Some(now);
            }
        }
        true
    }

    pub(super) fn send_info(&mut self, inst: InstRef) -> bool {
        let Some(link) = self.inst_common(inst).map(|c| c.link) else {
            return false;
        };
        self.send_named(inst, link, Pending::Info(inst), "INFO", &[])
    }

    /// The INFO period for an instance (§9.2).
    fn info_period_for(&self, inst: InstRef) -> u64 {
        if let InstRef::Replica { replica, .. } = inst {
            if let Some(m) = self.master_of(inst) {
                // Fast path: a failover is waiting on this replica's INFO.
                if let Some(period) = m
                    .replica_by_uid(replica)
                    .and_then(|r| self.waited_on_info_period(m, r))
                {
                    return period;
                }
                // sentinel.c: a link down time other than 0 — the -1000 of a replica that
                // never synced included — means the replica's INFO is worth following.
                let fast = m.o_down_since.is_some()
                    || m.failover_in_progress()
                    || m.replica_by_uid(replica)
                        .is_some_and(|r| r.master_link_down_time != 0);
                if fast {
                    return 1000;
                }
            }
        }
        self.timing.info_period
    }

    /// sentinelSendPeriodicCommands.
    fn send_periodic(&mut self, inst: InstRef, now: Millis) {
        let Some(c) = self.inst_common(inst) else {
            return;
        };
        let (link_id, down_after, last_pub) = (c.link, c.down_after, c.last_pub_time);
        let Some(link) = self.links.get(link_id.0) else {
            return;
        };
        if link.disconnected() || link.pending_commands >= MAX_PENDING_COMMANDS * link.refcount {
            return;
        }
        let (last_pong, last_ping) = (link.last_pong_time, link.last_ping_time);
        // One hello in flight at a time: last_pub_time moves only on a reply, so an
        // unanswered PUBLISH would be re-sent at every tick (sentinel.c: every 100 ms).
        let hello_in_flight = link.cmd.as_ref().is_some_and(|c| {
            c.pending
                .iter()
                .any(|p| matches!(p, Pending::Publish(i) if *i == inst))
        });
        let mut info_sent = false;
        if !matches!(inst, InstRef::Sentinel { .. }) {
            let refresh = match inst {
                InstRef::Master(_) => self.master_of(inst).map(|m| m.reported.info_refresh),
                InstRef::Replica { replica, .. } => self
                    .master_of(inst)
                    .and_then(|m| m.replica_by_uid(replica))
                    .map(|r| r.reported.info_refresh),
                InstRef::Sentinel { .. } => None,
            }
            .unwrap_or(0);
            // One INFO in flight at a time (sentinel.c re-sends it every tick while stale).
            let info_in_flight = link
                .cmd
                .as_ref()
                .is_some_and(|c| c.pending.iter().any(|p| matches!(p, Pending::Info(_))));
            if !info_in_flight
                && (refresh == 0 || now.saturating_sub(refresh) > self.info_period_for(inst))
            {
                self.send_info(inst);
                info_sent = true;
            }
        }
        let ping_period = down_after.min(self.timing.ping_period);
        let publish_period = self.timing.publish_period;
        let since_ping = now.saturating_sub(last_ping);
        let since_pong = now.saturating_sub(last_pong);
        let since_pub = now.saturating_sub(last_pub);
        let ping_due = since_pong > ping_period && since_ping > ping_period / 2;
        let hello_due = since_pub > publish_period && !hello_in_flight;
        // A PING and a hello (or INFO) that fall due close together leave in one write,
        // and their replies usually come back in one read: each pulls the other forward
        // once it is mostly due. At rest that is one send per instance per second instead
        // of 1.6 (periods stay within sentinel.c's: a PING at most every ping_period / 2,
        // a hello at least every publish_period; INFO is never moved).
        let ping_soon = since_pong > ping_period / 2 && since_ping > ping_period / 2;
        let hello_soon = since_pub > publish_period / 4 * 3;
        let ping = ping_due || ((hello_due || info_sent) && ping_soon);
        if ping {
            self.send_ping(inst, now);
        }
        if hello_due || (ping && hello_soon && !hello_in_flight) {
            self.send_hello(inst);
        }
    }

    /// sentinelSendHello: PUBLISH our hello on the instance's command connection.
    pub(super) fn send_hello(&mut self, inst: InstRef) -> bool {
        // Reused buffer (an early return below just drops its capacity).
        let mut payload = std::mem::take(&mut self.scratch);
        payload.clear();
        let Some(c) = self.inst_common(inst) else {
            return false;
        };
        let link_id = c.link;
        let Some(link) = self.links.get(link_id.0) else {
            return false;
        };
        if link.disconnected() {
            return false;
        }
        let local_ip = link.cmd.as_ref().and_then(|c| c.local_ip.as_deref());
        let Some(ip) = self.announce_ip.as_deref().or(local_ip) else {
            return false;
        };
        let port = if self.announce_port != 0 {
            self.announce_port
        } else {
            self.settings.port
        };
        let Some(m) = self.master_of(inst) else {
            return false;
        };
        let (mh, mp) = m.current_addr();
        let mh = self.announce_host(mh);
        build_hello(
            &mut payload,
            &Hello {
                sentinel_ip: ip.as_bytes(),
                sentinel_port: port,
                runid: self.myid.as_bytes(),
                current_epoch: self.current_epoch,
                master_name: m.common.name.as_bytes(),
                master_ip: mh.as_bytes(),
                master_port: mp,
                master_config_epoch: m.config_epoch,
            },
        );
        let sent = self.send_named(
            inst,
            link_id,
            Pending::Publish(inst),
            "PUBLISH",
            &[HELLO_CHANNEL.as_bytes(), &payload],
        );
        self.scratch = payload;
        sent
    }

    /// Queues `cmd` (renamed as the instance's master says) with `rest` on the instance's
    /// command connection, encoding straight into the connection's output buffer: the
    /// periodic commands allocate nothing in steady state.
    pub(super) fn send_named(
        &mut self,
        inst: InstRef,
        link: LinkId,
        pending: Pending,
        cmd: &str,
        rest: &[&[u8]],
    ) -> bool {
        let name = match inst {
            InstRef::Sentinel { .. } => cmd,
            InstRef::Master(m) | InstRef::Replica { master: m, .. } => {
                match self.master_index.get(&m).and_then(|&i| self.masters.get(i)) {
                    Some(master) => master.map_command(cmd),
                    None => cmd,
                }
            }
        };
        let Some(l) = self.links.get_mut(link.0) else {
            return false;
        };
        let Some(conn) = l.cmd.as_mut() else {
            return false;
        };
        conn.pending.push_back(pending);
        l.pending_commands += 1;
        let id = conn.id;
        let buf = self.output.entry(id).or_default();
        if buf.is_empty() {
            self.dirty.push(id);
        }
        let mut w = crate::resp::ReplyWriter::new(buf, crate::resp::Proto::Resp2);
        w.array(1 + rest.len());
        w.bulk(name.as_bytes());
        for r in rest {
            w.bulk(r);
        }
        true
    }

    /// sentinelCheckSubjectivelyDown, with idle-link recycling.
    pub(super) fn check_sdown(&mut self, inst: InstRef, now: Millis) {
        let Some(c) = self.inst_common(inst) else {
            return;
        };
        let (link_id, down_after, was_sdown) = (c.link, c.down_after, c.s_down_since.is_some());
        let min_reconnect = self.timing.min_link_reconnect_period;
        let publish_period = self.timing.publish_period;
        let Some(link) = self.links.get(link_id.0) else {
            return;
        };
        let elapsed = match link.act_ping_time {
            Some(t) => now.saturating_sub(t),
            None if link.disconnected() => now.saturating_sub(link.last_avail_time),
            None => 0,
        };
        let mut close = Vec::new();
        if let (Some(cc), Some(act)) = (&link.cmd, link.act_ping_time) {
            if now.saturating_sub(cc.since) > min_reconnect
                && now.saturating_sub(act) > down_after / 2
                && now.saturating_sub(link.last_pong_time) > down_after / 2
            {
                close.push(ConnKind::Cmd);
            }
        }
        if let Some(pc) = &link.pubsub {
            if now.saturating_sub(pc.since) > min_reconnect
                && now.saturating_sub(link.pc_last_activity) > publish_period.saturating_mul(3)
            {
                close.push(ConnKind::PubSub);
            }
        }
        for kind in close {
            self.close_conn(link_id, kind);
        }
        let mut down = elapsed > down_after;
        if let InstRef::Master(_) = inst {
            if self.test_switches.early_sdown {
                down |= now
                    .saturating_sub(self.links.get(link_id.0).map_or(now, |l| l.last_avail_time))
                    > down_after / 4;
            }
            if let Some(m) = self.master_of(inst) {
                if m.reported.role == Role::Slave
                    && now.saturating_sub(m.reported.role_time)
                        > down_after.saturating_add(self.timing.info_period.saturating_mul(2))
                {
                    down = true;
                }
                if let Some(since) = m.reboot_since {
                    if now.saturating_sub(since) > m.reboot_down_after {
                        down = true;
                    }
                }
            }
        }
        if down && !was_sdown {
            if let Some(c) = self.inst_common_mut(inst) {
                c.s_down_since = Some(now);
                c.last_sdown_start = now;
            }
            if let InstRef::Master(uid) = inst {
                if let Some(m) = self.master_by_uid_mut(uid) {
                    m.ask_phase_since = now;
                }
            }
            self.inst_event(Level::Warning, "+sdown", inst, "");
        } else if !down && was_sdown {
            if let Some(c) = self.inst_common_mut(inst) {
                c.s_down_since = None;
                c.script_kill_sent = false;
            }
            self.inst_event(Level::Warning, "-sdown", inst, "");
        }
    }

    /// Closes one connection of a link (it will be re-established by the tick).
    pub(super) fn close_conn(&mut self, link_id: LinkId, kind: ConnKind) {
        let Some(link) = self.links.get_mut(link_id.0) else {
            return;
        };
        let conn = match kind {
            ConnKind::Cmd => {
                link.pending_commands = 0;
                link.cmd.take()
            }
            ConnKind::PubSub => link.pubsub.take(),
        };
        if let Some(c) = conn {
            self.forget_conn(c.id);
            self.actions.push_back(Action::Close { conn: c.id });
        }
    }
}
