//! Pure quorum arithmetic (§9.7, §10.4): ODOWN counting and the leader tally. No state, no
//! I/O: the callers gather the facts, these functions decide.

/// ODOWN (§9.7): we count ourselves (we see the master SDOWN) plus every peer whose last
/// is-master-down reply said down. Returns `(count, odown)`.
pub fn odown(peers_saying_down: usize, quorum: u32) -> (u32, bool) {
    let count = u32::try_from(peers_saying_down)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    (count, count >= quorum)
}

/// Votes per candidate, in the order candidates were first seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    entries: Vec<(String, u32)>,
}

impl Tally {
    pub fn add(&mut self, candidate: &str) {
        match self.entries.iter_mut().find(|(c, _)| c == candidate) {
            Some((_, n)) => *n += 1,
            None => self.entries.push((candidate.to_string(), 1)),
        }
    }

    /// The candidate with most votes (the first one seen on ties) and its votes.
    pub fn winner(&self) -> Option<(&str, u32)> {
        let mut best: Option<(&str, u32)> = None;
        for (c, n) in &self.entries {
            if best.is_none_or(|(_, b)| *n > b) {
                best = Some((c.as_str(), *n));
            }
        }
        best
    }
}

/// The majority of `voters` (known sentinels + ourselves): `voters / 2 + 1`.
pub fn majority(voters: u32) -> u32 {
    voters / 2 + 1
}

/// A winner is the leader only with a majority of all voters AND at least `quorum` votes.
pub fn leader(winner: Option<(&str, u32)>, voters: u32, quorum: u32) -> Option<&str> {
    winner
        .filter(|&(_, votes)| votes >= majority(voters) && votes >= quorum)
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odown_needs_quorum_reports_including_ourselves() {
        // (peers saying down, quorum) -> (count, odown)
        let table = [
            (0, 1, (1, true)),
            (0, 2, (1, false)),
            (1, 2, (2, true)),
            (1, 3, (2, false)),
            (2, 3, (3, true)),
            (4, 3, (5, true)),
        ];
        for (peers, quorum, want) in table {
            assert_eq!(odown(peers, quorum), want, "peers={peers} quorum={quorum}");
        }
    }

    #[test]
    fn majority_is_more_than_half_of_voters() {
        for (voters, want) in [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)] {
            assert_eq!(majority(voters), want, "voters={voters}");
        }
    }

    #[test]
    fn leader_needs_majority_and_quorum() {
        // (votes for winner, voters, quorum) -> elected?
        let table = [
            (2, 3, 2, true),
            (2, 3, 3, false), // quorum above the votes
            (1, 3, 1, false), // no majority
            (3, 5, 2, true),
            (2, 5, 2, false), // 2 of 5 is no majority
            (3, 3, 3, true),
            (1, 1, 1, true), // a lone sentinel
        ];
        for (votes, voters, quorum, want) in table {
            let got = leader(Some(("a", votes)), voters, quorum).is_some();
            assert_eq!(got, want, "votes={votes} voters={voters} quorum={quorum}");
        }
        assert_eq!(leader(None, 3, 2), None);
    }

    #[test]
    fn tally_winner_is_most_voted_first_seen_on_ties() {
        let mut t = Tally::default();
        assert_eq!(t.winner(), None);
        for c in ["b", "a", "a", "b", "c"] {
            t.add(c);
        }
        assert_eq!(t.winner(), Some(("b", 2)));
        t.add("a");
        assert_eq!(t.winner(), Some(("a", 3)));
    }
}
