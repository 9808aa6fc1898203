//! Replica selection for promotion (§12) as a pure ranking: the caller describes each
//! replica ([`Candidate`]); [`select`] filters the ineligible and picks the best.

use std::cmp::Ordering;

/// What selection needs to know about one replica, gathered by the caller at time `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub sdown: bool,
    pub disconnected: bool,
    /// ms since the last acceptable PING reply.
    pub since_last_avail: u64,
    pub priority: u64,
    pub replica_announced: bool,
    /// ms since the last INFO reply (`u64::MAX` if never).
    pub since_info: u64,
    pub master_link_down_time: u64,
    pub repl_offset: u64,
    pub runid: Option<&'a str>,
}

/// The facts about the master and the timing knobs that bound eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// ms the master has been SDOWN (0 when it is not).
    pub master_sdown_for: u64,
    pub master_sdown: bool,
    pub down_after: u64,
    pub ping_period: u64,
    pub info_period: u64,
}

/// Why a replica is not eligible (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    Down,
    Disconnected,
    NoRecentPong,
    PriorityZero,
    NotAnnounced,
    StaleInfo,
    LinkDownTooLong,
}

/// Is this replica a candidate at all?
pub fn eligibility(c: &Candidate<'_>, l: &Limits) -> Result<(), Ineligible> {
    let max_link_down = l
        .master_sdown_for
        .saturating_add(l.down_after.saturating_mul(10));
    let info_validity = if l.master_sdown {
        l.ping_period * 5
    } else {
        l.info_period * 3
    };
    if c.sdown {
        Err(Ineligible::Down)
    } else if c.disconnected {
        Err(Ineligible::Disconnected)
    } else if c.since_last_avail > l.ping_period * 5 {
        Err(Ineligible::NoRecentPong)
    } else if c.priority == 0 {
        Err(Ineligible::PriorityZero)
    } else if !c.replica_announced {
        Err(Ineligible::NotAnnounced)
    } else if c.since_info > info_validity {
        Err(Ineligible::StaleInfo)
    } else if c.master_link_down_time > max_link_down {
        Err(Ineligible::LinkDownTooLong)
    } else {
        Ok(())
    }
}

/// Promotion order: lower priority first, then larger replication offset, then run id
/// compared case-insensitively with a missing run id last.
pub fn compare(a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    a.priority
        .cmp(&b.priority)
        .then(b.repl_offset.cmp(&a.repl_offset))
        .then_with(|| match (a.runid, b.runid) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
        })
}

/// Index of the best eligible candidate.
pub fn select(candidates: &[Candidate<'_>], limits: &Limits) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| eligibility(c, limits).is_ok())
        .min_by(|(_, a), (_, b)| compare(a, b))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy(runid: &'static str) -> Candidate<'static> {
        Candidate {
            sdown: false,
            disconnected: false,
            since_last_avail: 100,
            priority: 100,
            replica_announced: true,
            since_info: 500,
            master_link_down_time: 0,
            repl_offset: 1000,
            runid: Some(runid),
        }
    }

    const LIMITS: Limits = Limits {
        master_sdown_for: 2000,
        master_sdown: true,
        down_after: 1000,
        ping_period: 1000,
        info_period: 10_000,
    };

    #[test]
    fn ineligible_replicas_are_never_selected() {
        type Spoil = fn(&mut Candidate);
        let cases: [(Spoil, Ineligible); 7] = [
            (|c| c.sdown = true, Ineligible::Down),
            (|c| c.disconnected = true, Ineligible::Disconnected),
            (|c| c.since_last_avail = 5001, Ineligible::NoRecentPong),
            (|c| c.priority = 0, Ineligible::PriorityZero),
            (|c| c.replica_announced = false, Ineligible::NotAnnounced),
            (|c| c.since_info = 5001, Ineligible::StaleInfo),
            (
                |c| c.master_link_down_time = 12_001,
                Ineligible::LinkDownTooLong,
            ),
        ];
        for (spoil, why) in cases {
            let mut c = healthy("a");
            spoil(&mut c);
            assert_eq!(eligibility(&c, &LIMITS), Err(why));
            assert_eq!(select(&[c], &LIMITS), None);
        }
    }

    #[test]
    fn info_validity_is_longer_when_master_not_sdown() {
        let mut c = healthy("a");
        c.since_info = 20_000;
        let up = Limits {
            master_sdown: false,
            master_sdown_for: 0,
            ..LIMITS
        };
        assert_eq!(eligibility(&c, &up), Ok(()));
        assert_eq!(eligibility(&c, &LIMITS), Err(Ineligible::StaleInfo));
    }

    #[test]
    fn lower_priority_wins_then_offset_then_runid() {
        let mut a = healthy("bbb");
        let mut b = healthy("aaa");
        a.priority = 10;
        assert_eq!(select(&[b.clone(), a.clone()], &LIMITS), Some(1));
        a.priority = 100;
        a.repl_offset = 2000;
        assert_eq!(select(&[b.clone(), a.clone()], &LIMITS), Some(1));
        a.repl_offset = 1000;
        assert_eq!(
            select(&[a.clone(), b.clone()], &LIMITS),
            Some(1),
            "runid aaa < bbb"
        );
        b.runid = None;
        assert_eq!(
            select(&[b, a], &LIMITS),
            Some(1),
            "missing runid sorts last"
        );
    }

    #[test]
    fn runid_comparison_ignores_case() {
        let a = healthy("ABC");
        let b = healthy("abd");
        assert_eq!(compare(&a, &b), Ordering::Less);
    }
}
