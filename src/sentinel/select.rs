//! Replica selection for promotion (sentinel.c's `sentinelSelectSlave`) as a pure ranking:
//! the caller describes each replica ([`Candidate`]); [`select`] filters the ineligible and
//! picks the best.
//!
//! Beyond sentinel.c: a sentinel that never saw the master reply (started after it died)
//! cannot know how long it has been down, and sentinel.c's staleness rule, which measures
//! from this sentinel's own SDOWN, then rejects every replica forever. In that case the
//! freshest candidate's own report of its link-down time stands in for the master's
//! downtime, so replicas that are all equally fresh stay eligible and one much staler than
//! its siblings is still excluded.

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
    /// `master_link_down_since_seconds` × 1000 as reported (-1000: never synced).
    pub master_link_down_time: i64,
    pub repl_offset: u64,
    pub runid: Option<&'a str>,
}

/// The facts about the master and the timing knobs that bound eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// ms the master has been SDOWN (0 when it is not).
    pub master_sdown_for: u64,
    pub master_sdown: bool,
    /// This sentinel had a reply from the master at its current address since it started:
    /// `master_sdown_for` then measures the master's downtime.
    pub master_seen: bool,
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

/// Is this replica a candidate, the link-down rule aside (see [`link_down_limit`])?
pub fn eligibility(c: &Candidate<'_>, l: &Limits) -> Result<(), Ineligible> {
    let info_validity = if l.master_sdown {
        l.ping_period.saturating_mul(5)
    } else {
        l.info_period.saturating_mul(3)
    };
    if c.sdown {
        Err(Ineligible::Down)
    } else if c.disconnected {
        Err(Ineligible::Disconnected)
    } else if c.since_last_avail > l.ping_period.saturating_mul(5) {
        Err(Ineligible::NoRecentPong)
    } else if c.priority == 0 {
        Err(Ineligible::PriorityZero)
    } else if !c.replica_announced {
        Err(Ineligible::NotAnnounced)
    } else if c.since_info > info_validity {
        Err(Ineligible::StaleInfo)
    } else {
        Ok(())
    }
}

/// The longest `master_link_down_time` a candidate may report: how long the master has
/// been down plus 10 × down-after. The downtime is our own SDOWN's age; when we never saw
/// the master reply, at least the freshest otherwise eligible candidate's link-down time.
pub fn link_down_limit(candidates: &[Candidate<'_>], l: &Limits) -> i64 {
    let mut down_for = l.master_sdown_for;
    if !l.master_seen {
        let freshest = candidates
            .iter()
            .filter(|c| eligibility(c, l).is_ok())
            .map(|c| u64::try_from(c.master_link_down_time).unwrap_or(0))
            .min();
        down_for = down_for.max(freshest.unwrap_or(0));
    }
    let limit = down_for.saturating_add(l.down_after.saturating_mul(10));
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Is this replica a candidate at all, given the whole group?
pub fn eligible(c: &Candidate<'_>, l: &Limits, link_down_limit: i64) -> Result<(), Ineligible> {
    eligibility(c, l)?;
    if c.master_link_down_time > link_down_limit {
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
    let limit = link_down_limit(candidates, limits);
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| eligible(c, limits, limit).is_ok())
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
        master_seen: true,
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
            let limit = link_down_limit(std::slice::from_ref(&c), &LIMITS);
            assert_eq!(eligible(&c, &LIMITS, limit), Err(why));
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

    /// (link-down times of the replicas, master seen, expected eligible) with the master
    /// SDOWN for 2 s and down-after 1 s: Redis's limit is 12 s.
    #[test]
    fn link_down_staleness_is_judged_from_the_freshest_replica_when_the_master_was_never_seen() {
        let cases: [(&[i64], bool, &[bool]); 8] = [
            // Seen: sentinel.c's absolute rule.
            (&[11_000, 12_000], true, &[true, true]),
            (&[12_001], true, &[false]),
            (&[60_000, 60_000], true, &[false, false]),
            // Never seen (restarted after the master died): all equally fresh fail over...
            (&[60_000, 60_000], false, &[true, true]),
            (&[60_000, 69_000], false, &[true, true]),
            // ...one much staler than its siblings is still excluded...
            (&[60_000, 70_001], false, &[true, false]),
            // ...and the absolute rule still admits what it admitted.
            (&[-1000, 12_000], false, &[true, true]),
            (&[0, 12_001], false, &[true, false]),
        ];
        for (downs, seen, want) in cases {
            let limits = Limits {
                master_seen: seen,
                ..LIMITS
            };
            let cands: Vec<Candidate> = downs
                .iter()
                .map(|&d| Candidate {
                    master_link_down_time: d,
                    ..healthy("a")
                })
                .collect();
            let limit = link_down_limit(&cands, &limits);
            let got: Vec<bool> = cands
                .iter()
                .map(|c| eligible(c, &limits, limit).is_ok())
                .collect();
            assert_eq!(got, want, "{downs:?} seen {seen}");
        }
    }

    #[test]
    fn an_ineligible_replica_does_not_set_the_freshness_baseline() {
        // The only fresher replica is down: it cannot vouch for the master's downtime.
        let limits = Limits {
            master_seen: false,
            ..LIMITS
        };
        let mut fresh_but_down = healthy("a");
        fresh_but_down.sdown = true;
        let mut stale = healthy("b");
        stale.master_link_down_time = 60_000;
        let cands = [fresh_but_down, stale];
        assert_eq!(select(&cands, &limits), Some(1));
    }

    #[test]
    fn periods_near_the_maximum_saturate_instead_of_overflowing() {
        let huge = Limits {
            ping_period: u64::MAX / 2,
            info_period: u64::MAX / 2,
            down_after: u64::MAX,
            master_sdown_for: u64::MAX,
            ..LIMITS
        };
        let mut c = healthy("a");
        c.since_info = u64::MAX - 1;
        c.master_link_down_time = i64::MAX;
        assert_eq!(select(&[c], &huge), Some(0));
    }
}
