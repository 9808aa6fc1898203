//! What an INFO reply changes (sentinel.c's `sentinelRefreshInstanceInfo`, §9.5, §13):
//! the cached text, run id and reboots, replica discovery, the reported role, and — outside
//! TILT — promotion detection, keeping replicas in line and reconfiguration progress.

use super::info::{parse_info, InfoReport, Role as InfoRole};
use super::wire_check::{check_host, HostRefusal};
use super::{FailoverState, InstRef, Level, Millis, Role, Sentinel};

impl Sentinel {
    pub(super) fn on_info_reply(&mut self, now: Millis, inst: InstRef, text: &[u8]) {
        let report = parse_info(text);
        let cached = String::from_utf8_lossy(text).into_owned();
        match inst {
            InstRef::Master(uid) => self.master_info(now, uid, &report, cached),
            InstRef::Replica { master, replica } => {
                self.replica_info(now, master, replica, &report, cached)
            }
            InstRef::Sentinel { .. } => {}
        }
    }

    /// Records a run id; emits `+reboot` when it changed. Returns true on a reboot.
    fn note_runid(&mut self, inst: InstRef, run_id: Option<&[u8]>) -> bool {
        let Some(id) = run_id.and_then(|b| std::str::from_utf8(b).ok()) else {
            return false;
        };
        let Some(c) = self.inst_common_mut(inst) else {
            return false;
        };
        match &c.runid {
            None => {
                c.runid = Some(id.to_string());
                false
            }
            Some(old) if old != id => {
                c.runid = Some(id.to_string());
                self.inst_event(Level::Notice, "+reboot", inst, "");
                true
            }
            Some(_) => false,
        }
    }

    fn master_info(&mut self, now: Millis, uid: u64, report: &InfoReport<'_>, cached: String) {
        let inst = InstRef::Master(uid);
        let rebooted = self.note_runid(inst, report.run_id);
        let Some(i) = self.master_idx_by_uid(uid) else {
            return;
        };
        if rebooted && self.masters[i].reboot_down_after != 0 {
            self.masters[i].reboot_since = Some(now);
        }
        // Replica discovery happens only through the master's INFO.
        for r in &report.replicas {
            let Ok(host) = std::str::from_utf8(r.ip) else {
                continue;
            };
            // As the loader checks `known-replica`: a replica we could not save is not added
            // (sentinel.c's createSentinelAddr refuses it the same way).
            let checked = if self.test_switches.unchecked_wire_values {
                Ok(())
            } else {
                check_host(host, self.resolve_hostnames)
            };
            if let Err(why) = checked {
                let why = match why {
                    HostRefusal::NameNotAllowed => "resolve-hostnames is no",
                    HostRefusal::Malformed => "not an address",
                };
                log::warn!("Failed to resolve hostname '{host}' of a replica ({why})");
                continue;
            }
            if self.add_replica_announced(i, host, r.port, now) {
                self.request_save();
            }
        }
        let m = &mut self.masters[i];
        m.reported.info = Some(cached);
        m.reported.info_refresh = now;
        if let Some(role) = report.role.map(to_role) {
            if role != m.reported.role {
                m.reported.role = role;
                m.reported.role_time = now;
                self.role_change_event(inst, role);
            }
        }
        // A master reporting role slave gets no action here: it goes SDOWN after
        // down-after + 2 × info period (§9.6).
    }

    fn replica_info(
        &mut self,
        now: Millis,
        muid: u64,
        ruid: u64,
        report: &InfoReport<'_>,
        cached: String,
    ) {
        let inst = InstRef::Replica {
            master: muid,
            replica: ruid,
        };
        self.note_runid(inst, report.run_id);
        let Some(i) = self.master_idx_by_uid(muid) else {
            return;
        };
        let Some(r) = self.masters[i]
            .replicas
            .iter_mut()
            .find(|r| r.common.uid == ruid)
        else {
            return;
        };
        r.reported.info = Some(cached);
        r.reported.info_refresh = now;
        r.master_link_down_time = report.master_link_down_ms.unwrap_or(0);
        let role = report.role.map(to_role);
        if role == Some(Role::Slave) {
            if let Some(h) = report.master_host.and_then(|b| std::str::from_utf8(b).ok()) {
                if r.master_host.as_deref() != Some(h) {
                    r.master_host = Some(h.to_string());
                    r.slave_conf_change_time = now;
                }
            }
            if let Some(p) = report.master_port.and_then(|p| u16::try_from(p).ok()) {
                if r.master_port != p {
                    r.master_port = p;
                    r.slave_conf_change_time = now;
                }
            }
            if let Some(up) = report.master_link_up {
                r.master_link_up = up;
            }
            if let Some(p) = report.slave_priority {
                r.slave_priority = u64::try_from(p).unwrap_or(0);
            }
            if let Some(o) = report.slave_repl_offset {
                r.slave_repl_offset = o;
            }
            if let Some(a) = report.replica_announced {
                r.replica_announced = a != 0;
            }
        }
        if let Some(role) = role {
            if role != r.reported.role {
                r.reported.role = role;
                r.reported.role_time = now;
                if role == Role::Slave {
                    r.slave_conf_change_time = now;
                }
                self.role_change_event(inst, role);
            }
        }
        if self.tilt {
            return;
        }
        match role {
            Some(Role::Master) => self.replica_reports_master(now, i, ruid),
            Some(Role::Slave) => {
                self.replica_follows_wrong_master(now, i, ruid);
                let selecting = self
                    .masters
                    .get(i)
                    .is_some_and(|m| m.failover_state == FailoverState::SelectSlave);
                if self.reconf_progress(i, ruid) || selecting {
                    self.fast_step(muid, now);
                }
            }
            None => {}
        }
    }

    /// A known replica reports role master (§13): our promotion, or one to convert back.
    fn replica_reports_master(&mut self, now: Millis, i: usize, ruid: u64) {
        let m = &self.masters[i];
        let muid = m.common.uid;
        let Some(r) = m.replicas.iter().find(|r| r.common.uid == ruid) else {
            return;
        };
        if r.promoted && m.failover_state == FailoverState::WaitPromotion {
            self.on_promotion_confirmed(i, ruid, now);
            self.fast_step(muid, now);
            return;
        }
        let wait = self.timing.publish_period.saturating_mul(4);
        let no_down = no_down_for(r.common.last_sdown_start, 0, now, wait);
        if !r.promoted
            && self.master_looks_sane(i, now)
            && no_down
            && now.saturating_sub(r.reported.role_time) > wait
        {
            let (h, p) = (m.common.host.clone(), m.common.port);
            let inst = InstRef::Replica {
                master: muid,
                replica: ruid,
            };
            if self.send_slaveof(inst, Some((&h, p))) {
                self.inst_event(Level::Notice, "+convert-to-slave", inst, "");
            }
        }
    }

    /// A known replica replicates from another address than our master (§13).
    fn replica_follows_wrong_master(&mut self, now: Millis, i: usize, ruid: u64) {
        let m = &self.masters[i];
        let muid = m.common.uid;
        let Some(r) = m.replicas.iter().find(|r| r.common.uid == ruid) else {
            return;
        };
        let follows_ours = r.master_port == m.common.port
            && r.master_host.as_deref() == Some(m.common.host.as_str());
        if follows_ours {
            return;
        }
        let wait = m.failover_timeout;
        if self.master_looks_sane(i, now)
            && no_down_for(r.common.last_sdown_start, 0, now, wait)
            && now.saturating_sub(r.slave_conf_change_time) > wait
        {
            let (h, p) = (m.common.host.clone(), m.common.port);
            let inst = InstRef::Replica {
                master: muid,
                replica: ruid,
            };
            if self.send_slaveof(inst, Some((&h, p))) {
                self.inst_event(Level::Notice, "+fix-slave-config", inst, "");
            }
        }
    }

    /// RECONF_SENT → INPROG → DONE from the replica's INFO (§11.3). True if it moved.
    fn reconf_progress(&mut self, i: usize, ruid: u64) -> bool {
        let m = &self.masters[i];
        let muid = m.common.uid;
        let Some((ph, pp)) = m
            .promoted_replica()
            .map(|p| (p.common.host.clone(), p.common.port))
        else {
            return false;
        };
        let Some(r) = self.masters[i]
            .replicas
            .iter_mut()
            .find(|r| r.common.uid == ruid)
        else {
            return false;
        };
        let inst = InstRef::Replica {
            master: muid,
            replica: ruid,
        };
        let mut moved = false;
        if r.reconf_sent && r.master_host.as_deref() == Some(ph.as_str()) && r.master_port == pp {
            r.reconf_sent = false;
            r.reconf_inprog = true;
            moved = true;
            self.inst_event(Level::Notice, "+slave-reconf-inprog", inst, "");
        }
        let Some(r) = self.masters[i]
            .replicas
            .iter_mut()
            .find(|r| r.common.uid == ruid)
        else {
            return moved;
        };
        if r.reconf_inprog && r.master_link_up {
            r.reconf_inprog = false;
            r.reconf_done = true;
            moved = true;
            self.inst_event(Level::Notice, "+slave-reconf-done", inst, "");
        }
        moved
    }

    /// `+role-change` when the new role is the one our config expects for this instance,
    /// `-role-change` otherwise.
    fn role_change_event(&mut self, inst: InstRef, role: Role) {
        let expected = if matches!(inst, InstRef::Master(_)) {
            Role::Master
        } else {
            Role::Slave
        };
        let kind = if role == expected {
            "+role-change"
        } else {
            "-role-change"
        };
        self.inst_event(
            Level::Verbose,
            kind,
            inst,
            &format!("new reported role is {}", role.as_str()),
        );
    }

    /// sentinelMasterLooksSane.
    fn master_looks_sane(&self, i: usize, now: Millis) -> bool {
        let Some(m) = self.masters.get(i) else {
            return false;
        };
        m.reported.role == Role::Master
            && m.common.s_down_since.is_none()
            && m.o_down_since.is_none()
            && m.reported.info_refresh != 0
            && now.saturating_sub(m.reported.info_refresh)
                < self.timing.info_period.saturating_mul(2)
    }
}

fn to_role(r: InfoRole) -> Role {
    match r {
        InfoRole::Master => Role::Master,
        InfoRole::Slave => Role::Slave,
    }
}

/// sentinelRedisInstanceNoDownFor: not down (SDOWN or ODOWN) during the last `ms`.
fn no_down_for(last_sdown: Millis, last_odown: Millis, now: Millis, ms: u64) -> bool {
    let recent = last_sdown.max(last_odown);
    recent == 0 || now.saturating_sub(recent) > ms
}
