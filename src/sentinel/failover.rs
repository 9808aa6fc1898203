//! The acting half: ODOWN, asking peers, the election and the failover state machine.
//! (Skeleton.)

use super::{InstRef, Millis, Sentinel};

impl Sentinel {
    pub(super) fn on_sdown(&mut self, _inst: InstRef, _now: Millis) {}

    pub(super) fn acting_half(&mut self, _uid: u64, _now: Millis) {}

    pub(super) fn switch_masters_in_update_config(&mut self, _now: Millis) {}

    pub(super) fn reset_master_and_change_address(
        &mut self,
        _muid: u64,
        _host: &str,
        _port: u16,
        _now: Millis,
    ) {
    }

    pub(super) fn client_reconfig_script(
        &mut self,
        _muid: u64,
        _role: &str,
        _from_host: &str,
        _from_port: u16,
    ) {
    }

    pub(super) fn on_info_reply(&mut self, now: Millis, inst: InstRef, text: &[u8]) {
        let text = String::from_utf8_lossy(text).into_owned();
        match inst {
            InstRef::Master(uid) => {
                if let Some(m) = self.masters.iter_mut().find(|m| m.common.uid == uid) {
                    m.reported.info = Some(text);
                    m.reported.info_refresh = now;
                }
            }
            InstRef::Replica { master, replica } => {
                if let Some(r) = self
                    .masters
                    .iter_mut()
                    .find(|m| m.common.uid == master)
                    .and_then(|m| m.replicas.iter_mut().find(|r| r.common.uid == replica))
                {
                    r.reported.info = Some(text);
                    r.reported.info_refresh = now;
                }
            }
            InstRef::Sentinel { .. } => {}
        }
    }
}
