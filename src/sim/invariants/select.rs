//! `promoted_replica_is_the_best`: when a leader selects the replica to promote, that
//! replica is the best eligible one by Redis's ranking (`sentinelSelectSlave` and
//! `compareSlavesForPromotion`), judged from the leader's own view at that moment (its
//! INFO, its links). Written here independently of `sentinel::select`, so that a bug there
//! shows.

use std::cmp::Ordering;

use super::Checker;
use crate::sentinel::instance::{Master, Replica};
use crate::sentinel::{Millis, Sentinel};

/// Why `r` may not be promoted, if it may not (sentinelSelectSlave's filters). `sdown`: it
/// is SDOWN (as the sentinel's events said at the moment of selection); `max_link_down`:
/// the longest link-down time allowed (see [`max_link_down`]).
fn ineligible(
    core: &Sentinel,
    m: &Master,
    r: &Replica,
    sdown: bool,
    max_link_down: i64,
    now: Millis,
) -> Option<&'static str> {
    let t = &core.timing;
    let link = core.link(r.common.link);
    let master_sdown = m.common.s_down_since.is_some();
    let info_validity = if master_sdown {
        t.ping_period.saturating_mul(5)
    } else {
        t.info_period.saturating_mul(3)
    };
    if sdown {
        Some("down")
    } else if link.is_none_or(|l| {
        // A link (re)connected in this step may have been down at the selection: the
        // tick reconnects replicas after the master's failover step, as sentinel.c does.
        l.disconnected()
            || [&l.cmd, &l.pubsub]
                .into_iter()
                .flatten()
                .any(|c| c.since == now)
    }) {
        Some("disconnected")
    } else if link.is_none_or(|l| now.saturating_sub(l.last_avail_time) > t.ping_period * 5) {
        Some("no recent reply")
    } else if r.slave_priority == 0 {
        Some("priority 0")
    } else if !r.replica_announced {
        Some("not announced")
    } else if r.reported.info_refresh == 0
        || now.saturating_sub(r.reported.info_refresh) > info_validity
    {
        Some("stale INFO")
    } else if r.master_link_down_time > max_link_down {
        Some("link down too long")
    } else {
        None
    }
}

/// How long the master has been down plus 10 × down-after. The downtime is the master's
/// SDOWN age; beyond sentinel.c, a sentinel that never had a reply from the master uses at
/// least the smallest link-down time among the replicas otherwise eligible.
fn max_link_down(
    core: &Sentinel,
    m: &Master,
    sdown: &dyn Fn(&Replica) -> bool,
    now: Millis,
) -> i64 {
    let mut down_for = m.common.s_down_since.map_or(0, |s| now.saturating_sub(s));
    if m.reported.info_refresh == 0 {
        let freshest = m
            .replicas
            .iter()
            .filter(|r| ineligible(core, m, r, sdown(r), i64::MAX, now).is_none())
            .map(|r| u64::try_from(r.master_link_down_time).unwrap_or(0))
            .min();
        down_for = down_for.max(freshest.unwrap_or(0));
    }
    i64::try_from(down_for.saturating_add(m.common.down_after.saturating_mul(10)))
        .unwrap_or(i64::MAX)
}

/// compareSlavesForPromotion: lower priority, then larger offset, then the smaller run id
/// (case-insensitive), a missing run id last.
fn rank(a: &Replica, b: &Replica) -> Ordering {
    let runid = |r: &Replica| r.common.runid.as_ref().map(|s| s.to_ascii_lowercase());
    a.slave_priority
        .cmp(&b.slave_priority)
        .then(b.slave_repl_offset.cmp(&a.slave_repl_offset))
        .then_with(|| match (runid(a), runid(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
        })
}

impl Checker {
    /// Invariant 4c, at `core`'s `+selected-slave` event for `master`.
    pub(super) fn promoted_replica_is_the_best(
        &mut self,
        now: Millis,
        node: &str,
        core: &Sentinel,
        master: &str,
    ) {
        let Some(m) = core.masters.iter().find(|m| m.common.name == master) else {
            return;
        };
        let Some(chosen) = m.promoted_replica() else {
            return;
        };
        let sdown = |r: &Replica| {
            let key = (core.myid.clone(), master.to_string(), r.common.name.clone());
            self.replica_sdown.contains(&key)
        };
        let limit = max_link_down(core, m, &sdown, now);
        let best = m
            .replicas
            .iter()
            .filter(|r| ineligible(core, m, r, sdown(r), limit, now).is_none())
            .min_by(|a, b| rank(a, b));
        // A link may have been recycled after the selection, in the same step.
        let chosen_why = ineligible(core, m, chosen, sdown(chosen), limit, now)
            .filter(|why| *why != "disconnected");
        let detail = match (chosen_why, best) {
            (Some(why), _) => format!("{} is not eligible ({why})", chosen.common.name),
            (None, Some(b)) if rank(b, chosen) == Ordering::Less => format!(
                "{} (priority {}, offset {}) ranks below {} (priority {}, offset {})",
                chosen.common.name,
                chosen.slave_priority,
                chosen.slave_repl_offset,
                b.common.name,
                b.slave_priority,
                b.slave_repl_offset
            ),
            _ => return,
        };
        let d = format!("{node} selected for {master}: {detail}");
        self.violate(now, "promoted_replica_is_the_best", d);
    }
}
