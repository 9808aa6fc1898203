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

/// Whether nobody can be elected in a round any more: even if every vote still unknown went
/// to the candidate who leads, it would have fewer than a majority of voters or fewer than
/// `quorum` votes. A vote, once cast in an epoch, never changes, so this is a proof that the
/// round is lost for everyone, not a guess.
pub fn unwinnable(leading_votes: u32, unknown_votes: u32, voters: u32, quorum: u32) -> bool {
    leading_votes.saturating_add(unknown_votes) < majority(voters).max(quorum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_is_unwinnable_only_when_no_unknown_votes_could_still_elect_the_leading_candidate() {
        // (leading votes, unknown votes, voters, quorum) -> unwinnable
        let table = [
            // 3 voters, quorum 3: a 2-1 split with every vote known cannot elect anyone.
            ((2, 0, 3, 3), true),
            // ... but one vote still unknown could make it 3.
            ((2, 1, 3, 3), false),
            // 3 voters, quorum 2: a three-way split (1-1-1) is lost; 2-1 has a winner.
            ((1, 0, 3, 2), true),
            ((2, 0, 3, 2), false),
            // 5 voters, quorum 2: majority 3 decides; two unknown votes keep 1 alive.
            ((1, 2, 5, 2), false),
            ((1, 1, 5, 2), true),
            // No vote known at all yet: never given up.
            ((0, 3, 3, 2), false),
            // Saturating: no overflow on absurd counts.
            ((u32::MAX, u32::MAX, 3, 2), false),
        ];
        for ((lead, unknown, voters, quorum), want) in table {
            assert_eq!(
                unwinnable(lead, unknown, voters, quorum),
                want,
                "lead {lead} unknown {unknown} voters {voters} quorum {quorum}"
            );
        }
    }

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
