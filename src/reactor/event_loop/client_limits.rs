//! The reactor's client limits: output-buffer limits (checked after every flush and once a
//! second) and the idle `timeout` (once a second), as Redis's `clientsCron` applies them.
//! `maxclients` is checked where connections are accepted.

use super::Reactor;
use crate::reactor::signals;
use crate::sentinel::Millis;
use crate::server::ClientId;

impl Reactor {
    /// Pending output of a client: what the reactor holds plus what the server has queued.
    fn pending_output(&mut self, id: ClientId) -> u64 {
        let queued = self.server.output(id).len();
        let held = self
            .clients
            .get(&id.0)
            .map_or(0, |c| c.wbuf.len().saturating_sub(c.wpos));
        (queued + held) as u64
    }

    /// Closes client `id` if its output is over its class's limit; returns whether it did.
    pub(super) fn over_output_limit(&mut self, id: ClientId) -> bool {
        self.check_output_limit(id, signals::monotonic_ms(), false)
    }

    /// Redis's two log lines: "scheduled to be closed ASAP" when output is added, "closed"
    /// from the periodic check.
    fn check_output_limit(&mut self, id: ClientId, now: Millis, from_cron: bool) -> bool {
        let used = self.pending_output(id);
        let pubsub = self.server.client(id).is_some_and(|c| c.is_pubsub());
        let limit = *self.limits.for_client(pubsub);
        let Some(c) = self.clients.get_mut(&id.0) else {
            return false;
        };
        if !limit.reached(used, now, &mut c.soft_since) {
            return false;
        }
        let mut info = String::new();
        if let Some(cl) = self.server.client(id) {
            cl.write_info_line(now, &mut info);
        }
        let what = if from_cron {
            "closed"
        } else {
            "scheduled to be closed ASAP"
        };
        log::warn!("Client {info} {what} for overcoming of output buffer limits.");
        self.close_client(id);
        true
    }

    /// Once a second: soft output limits that expired, and idle clients (`timeout`; clients
    /// with subscriptions are exempt, as in Redis).
    pub(super) fn clients_cron(&mut self, now: Millis) {
        let ids: Vec<ClientId> = self.server.client_ids().collect();
        for id in ids {
            if self.check_output_limit(id, now, true) {
                continue;
            }
            if self.timeout_secs == 0 {
                continue;
            }
            let idle = self.server.client(id).is_some_and(|c| {
                !c.is_pubsub() && now.saturating_sub(c.last_interaction) / 1000 > self.timeout_secs
            });
            if idle {
                log::debug!("Closing idle client");
                self.close_client(id);
            }
        }
    }
}
