//! Deterministic simulation of a sentinel deployment, in the spirit of TigerBeetle's
//! VOPR and FoundationDB's simulator: the **real** sentinel core and client-facing server of
//! several sentinels, simulated Redis instances speaking RESP, and a simulated network, all in
//! one thread, driven by one `u64` seed and a virtual millisecond clock.
//!
//! - [`world`]: the event queue and the step loop; applies faults.
//! - [`net`]: TCP-like connections (in order, latency, resets) and partitions.
//! - [`node`]: one sentinel process (core + server + in-memory config "disk").
//! - [`redis`]: one simulated Redis instance.
//! - [`setup`]: the Redis groups, master names and timings a seed starts from.
//! - [`schedule`]: the seeded fault schedule; [`faults`]: applying it; [`hostile`]: forged
//!   hellos, replicas announcing host names, full disks.
//! - [`cluster`]: replication links, sentinel agreement, failover time, liveness.
//! - [`invariants`]: the safety and liveness checks, run after every step; [`reach`]: the
//!   network's truth about which masters each sentinel could reach.
//! - [`trace`]: the readable event trace of a seed.
//!
//! Entry points: [`run_seed`] for one seed, [`Summary`] to aggregate many.

mod cluster;
mod faults;
mod hostile;
mod invariants;
mod net;
mod node;
mod reach;
mod redis;
mod schedule;
mod setup;
mod trace;
mod world;

use std::fmt;

pub use invariants::Violation;

use crate::sentinel::switches::TestSwitches;
use crate::sentinel::Millis;

/// Which faults a seed's schedule may contain. Every mix crashes the master once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMix {
    /// Only the master crash (clean failover timing).
    None,
    /// Process crashes and restarts (Redis and sentinels), `SIMULATE-FAILURE` crash points.
    Crash,
    /// Partitions (symmetric, one-way, isolated node), resets, latency spikes, stalls (TILT).
    Partition,
    /// Everything.
    All,
    /// Crashes plus forged hellos, replicas announcing host names and full disks.
    Hostile,
    /// Races: a better-priority replica behind a one-way delay (and Redis's 10 s INFO
    /// period), one-way delays, a peer's replies held back across the switch,
    /// `SIMULATE-FAILURE` crash points armed during the run.
    Race,
    /// Everything, the races too, with two masters monitored by the same sentinels.
    Multi,
}

impl FaultMix {
    pub fn parse(s: &str) -> Option<FaultMix> {
        Some(match s {
            "none" => FaultMix::None,
            "crash" => FaultMix::Crash,
            "partition" => FaultMix::Partition,
            "all" => FaultMix::All,
            "hostile" => FaultMix::Hostile,
            "race" => FaultMix::Race,
            "multi" => FaultMix::Multi,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            FaultMix::None => "none",
            FaultMix::Crash => "crash",
            FaultMix::Partition => "partition",
            FaultMix::All => "all",
            FaultMix::Hostile => "hostile",
            FaultMix::Race => "race",
            FaultMix::Multi => "multi",
        }
    }

    /// Every mix, in the order `--faults mixed` rotates through them.
    pub const ALL: [FaultMix; 7] = [
        FaultMix::None,
        FaultMix::Crash,
        FaultMix::Partition,
        FaultMix::All,
        FaultMix::Hostile,
        FaultMix::Race,
        FaultMix::Multi,
    ];
}

/// What one seed runs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub faults: FaultMix,
    /// Record a readable trace (slower).
    pub trace: bool,
    /// Switches set on every sentinel core (bugs, jitter overrides).
    pub switches: TestSwitches,
    /// Number of sentinels (clamped to 1–7; the fault mixes assume 3 or more).
    pub sentinels: usize,
}

impl SimConfig {
    /// How many masters (groups of 3 Redis instances) the sentinels monitor.
    pub fn groups(&self) -> usize {
        if self.faults == FaultMix::Multi {
            2
        } else {
            1
        }
    }

    pub fn new(seed: u64, faults: FaultMix) -> Self {
        SimConfig {
            seed,
            faults,
            trace: false,
            switches: TestSwitches::default(),
            sentinels: 3,
        }
    }

    /// The command line that replays this seed with a trace.
    pub fn replay_command(&self) -> String {
        let mut s = format!(
            "cargo run --release --bin rsentinel-sim -- --seed {} --faults {} --sentinels {} --trace",
            self.seed,
            self.faults.name(),
            self.sentinels
        );
        let sw = &self.switches;
        if let Some(j) = sw.start_jitter_ms {
            s.push_str(&format!(" --start-jitter {j}"));
        }
        if let Some(a) = sw.fast_ask_ms {
            s.push_str(&format!(" --fast-ask {a}"));
        }
        if sw.vote_without_persist {
            s.push_str(" --bug vote-without-persist");
        }
        for (on, name) in [
            (sw.vote_twice, "vote-twice"),
            (sw.early_sdown, "early-sdown"),
            (sw.odown_without_quorum, "odown-without-quorum"),
            (sw.leader_counts_any_epoch, "leader-counts-any-epoch"),
            (sw.select_ignores_priority, "select-ignores-priority"),
            (sw.ask_storm, "ask-storm"),
            (sw.select_without_fresh_info, "select-without-fresh-info"),
            (sw.staleness_from_own_sdown, "staleness-from-own-sdown"),
        ] {
            if on {
                s.push_str(&format!(" --bug {name}"));
            }
        }
        if sw.unchecked_wire_values {
            s.push_str(" --bug unchecked-wire-values");
        }
        if sw.ack_unsaved_votes {
            s.push_str(" --bug ack-unsaved-votes");
        }
        s
    }
}

/// The outcome of one seed.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub seed: u64,
    pub violations: Vec<Violation>,
    /// Master crash → every live sentinel names the same new master (virtual ms).
    pub failover_ms: Option<Millis>,
    /// Some failover epoch ended without an elected leader.
    pub split_vote: bool,
    /// Leaders were elected in more than one epoch (a redundant second failover).
    pub multi_leader: bool,
    /// Virtual time simulated.
    pub virtual_ms: Millis,
    /// Steps (events) processed.
    pub steps: u64,
    /// The readable trace, if asked for.
    pub trace: Vec<String>,
}

/// Runs one seed to completion.
pub fn run_seed(cfg: &SimConfig) -> SeedReport {
    world::World::new(cfg).run()
}

/// Aggregates seed reports.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub seeds: u64,
    pub failed_seeds: Vec<u64>,
    pub violations: u64,
    pub failover_ms: Vec<Millis>,
    pub split_votes: u64,
    pub multi_leaders: u64,
    pub virtual_ms: u64,
    pub steps: u64,
}

impl Summary {
    pub fn add(&mut self, r: &SeedReport) {
        self.seeds += 1;
        if !r.violations.is_empty() {
            self.failed_seeds.push(r.seed);
            self.violations += r.violations.len() as u64;
        }
        if let Some(f) = r.failover_ms {
            self.failover_ms.push(f);
        }
        self.split_votes += u64::from(r.split_vote);
        self.multi_leaders += u64::from(r.multi_leader);
        self.virtual_ms += r.virtual_ms;
        self.steps += r.steps;
    }

    pub fn merge(&mut self, o: Summary) {
        self.seeds += o.seeds;
        self.failed_seeds.extend(o.failed_seeds);
        self.violations += o.violations;
        self.failover_ms.extend(o.failover_ms);
        self.split_votes += o.split_votes;
        self.multi_leaders += o.multi_leaders;
        self.virtual_ms += o.virtual_ms;
        self.steps += o.steps;
    }

    /// The `q`-quantile (0..=1) of the failover times, if any.
    pub fn failover_quantile(&self, q: f64) -> Option<Millis> {
        let mut v = self.failover_ms.clone();
        v.sort_unstable();
        let n = v.len();
        if n == 0 {
            return None;
        }
        let k = ((n as f64 - 1.0) * q).round() as usize;
        v.get(k.min(n - 1)).copied()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = |x| {
            self.failover_quantile(x)
                .map_or("-".to_string(), |v| format!("{v}"))
        };
        let pct = |n: u64| 100.0 * n as f64 / self.seeds.max(1) as f64;
        write!(
            f,
            "seeds {} | violations {} in {} seeds | failover ms (n={}) p50 {} p90 {} p99 {} max {} | split-vote {:.2}% | multi-leader {:.2}% | virtual {:.0} s, {} steps",
            self.seeds,
            self.violations,
            self.failed_seeds.len(),
            self.failover_ms.len(),
            q(0.5),
            q(0.9),
            q(0.99),
            q(1.0),
            pct(self.split_votes),
            pct(self.multi_leaders),
            self.virtual_ms as f64 / 1000.0,
            self.steps
        )
    }
}
