//! The fault schedule of a seed: what goes wrong and when, drawn from the seed before the run
//! starts. Every mix crashes the master once (so that a failover is needed); the others add
//! process crashes, `SIMULATE-FAILURE` crash points, partitions (symmetric, one-way, an
//! isolated node), connection resets, latency spikes and stalls. The race mixes add
//! one-way link delays, replies between sentinels held back across the expected switch,
//! and `SIMULATE-FAILURE` crash points armed during the run. At [`FAULTS_END`]
//! everything heals and every process is restarted (the crashed master only sometimes): from
//! then on the liveness invariant must be met.

use super::net::ProcId;
use super::FaultMix;
use crate::sentinel::rng::Rng;
use crate::sentinel::Millis;

/// No fault before this: the sentinels discover each other and the replicas.
pub const WARMUP: Millis = 2_500;
/// When the faults stop.
pub const FAULTS_END: Millis = 9_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Crash the Redis instance of group `.0` that currently has role master.
    CrashMaster(usize),
    Crash(ProcId),
    Restart(ProcId),
    /// Packets from `.0` to `.1` are lost (retransmitted later) / flow again.
    Cut(ProcId, ProcId),
    Heal(ProcId, ProcId),
    /// Reset every connection of a process: the accepting side sees the close, the
    /// connecting sentinel is not told (a half-open connection) and finds out by its own
    /// timeouts.
    Reset(ProcId),
    /// The sentinel process stops running for a while (then its clock jumps: TILT).
    Stall(ProcId, Millis),
    /// `SENTINEL SIMULATE-FAILURE` flags for a sentinel.
    SimulateFailure(ProcId, u8),
    /// Extra latency up to `.0` ms for `.1` ms.
    Spike(u64, Millis),
    /// A forged hello PUBLISHed on the current master (`hostile`).
    ForgedHello(super::hostile::ForgedHello),
    /// This Redis instance announces itself by host name (`replica-announce-ip`).
    AnnounceHostname(ProcId),
    /// Every save of this sentinel fails (full disk) until `DiskBack`.
    DiskFull(ProcId),
    DiskBack(ProcId),
    /// Every packet from `.0` to `.1` takes `.2` ms longer (0: back to normal).
    Delay(ProcId, ProcId, u64),
    /// End of the faults: heal, restart everything (the crashed master if `.0`).
    End {
        restart_master: bool,
    },
}

/// The faults of one seed, sorted by time.
fn span(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.below(hi.saturating_sub(lo).max(1))
}

/// The faults of one seed with `groups` masters (3 Redis instances each), sorted by time.
pub fn generate(
    rng: &mut Rng,
    mix: FaultMix,
    sentinels: usize,
    groups: usize,
) -> Vec<(Millis, Fault)> {
    let procs = sentinels + 3 * groups;
    let mut v = Vec::new();
    v.push((span(rng, WARMUP, 4_500), Fault::CrashMaster(0)));
    let crashes = matches!(
        mix,
        FaultMix::Crash | FaultMix::All | FaultMix::Hostile | FaultMix::Multi
    );
    let partitions = matches!(mix, FaultMix::Partition | FaultMix::All | FaultMix::Multi);
    if crashes {
        for _ in 0..rng.below(4) + 1 {
            let p = rng.below(procs as u64) as usize;
            let t = span(rng, WARMUP, FAULTS_END);
            v.push((t, Fault::Crash(p)));
            v.push((t + span(rng, 100, 4_000), Fault::Restart(p)));
        }
        if rng.below(3) == 0 {
            let s = rng.below(sentinels as u64) as usize;
            let flags = 1 + rng.below(2) as u8;
            v.push((span(rng, 0, WARMUP), Fault::SimulateFailure(s, flags)));
        }
    }
    if partitions {
        for _ in 0..rng.below(4) + 1 {
            let t = span(rng, WARMUP, FAULTS_END);
            let dur = span(rng, 200, 5_000);
            let mut pairs = Vec::new();
            match rng.below(3) {
                0 => {
                    // Symmetric: a random split into two sides.
                    let side: Vec<bool> = (0..procs).map(|_| rng.below(2) == 0).collect();
                    for a in 0..procs {
                        for b in 0..procs {
                            if side.get(a) != side.get(b) {
                                pairs.push((a, b));
                            }
                        }
                    }
                }
                1 => {
                    // One-way.
                    let a = rng.below(procs as u64) as usize;
                    let b = rng.below(procs as u64) as usize;
                    if a != b {
                        pairs.push((a, b));
                    }
                }
                _ => {
                    // One node isolated.
                    let a = rng.below(procs as u64) as usize;
                    for b in (0..procs).filter(|&b| b != a) {
                        pairs.push((a, b));
                        pairs.push((b, a));
                    }
                }
            }
            for (a, b) in pairs {
                v.push((t, Fault::Cut(a, b)));
                v.push((t + dur, Fault::Heal(a, b)));
            }
        }
        for _ in 0..rng.below(3) {
            let p = rng.below(procs as u64) as usize;
            v.push((span(rng, WARMUP, FAULTS_END), Fault::Reset(p)));
        }
        if rng.below(3) == 0 {
            let t = span(rng, WARMUP, FAULTS_END);
            v.push((t, Fault::Spike(span(rng, 10, 400), span(rng, 200, 3_000))));
        }
        if rng.below(3) == 0 {
            let s = rng.below(sentinels as u64) as usize;
            let t = span(rng, WARMUP, FAULTS_END - 4_000);
            v.push((t, Fault::Stall(s, span(rng, 2_100, 4_000))));
        }
    }
    if mix == FaultMix::Hostile {
        super::hostile::generate(rng, sentinels, 3 * groups, &mut v);
    }
    if matches!(mix, FaultMix::Race | FaultMix::Multi) {
        races(rng, &mut v, sentinels, procs, groups);
    }
    v.push((
        FAULTS_END,
        Fault::End {
            restart_master: rng.below(2) == 0,
        },
    ));
    v.retain(|(t, _)| *t <= FAULTS_END);
    v.sort_by_key(|(t, _)| *t);
    v
}

/// The race mixes' faults: the other groups' master crashes, one-way delays, a peer's
/// replies held back across the expected switch, `SIMULATE-FAILURE` crash points.
fn races(
    rng: &mut Rng,
    v: &mut Vec<(Millis, Fault)>,
    sentinels: usize,
    procs: usize,
    groups: usize,
) {
    let crash_at = v.first().map_or(WARMUP, |(t, _)| *t);
    for g in 1..groups {
        v.push((span(rng, WARMUP, 6_000), Fault::CrashMaster(g)));
    }
    for _ in 0..rng.below(3) {
        let a = rng.below(procs as u64) as usize;
        let b = rng.below(procs as u64) as usize;
        if a != b {
            let t = span(rng, WARMUP, FAULTS_END);
            let ms = span(rng, 20, 400);
            v.push((t, Fault::Delay(a, b, ms)));
            v.push((t + span(rng, 500, 5_000), Fault::Delay(a, b, 0)));
        }
    }
    // Replies from sentinel `a` to sentinel `b` held from around ODOWN until after the
    // switch: what `b` asked about the old address is answered late.
    if sentinels > 1 && rng.below(2) == 0 {
        let a = rng.below(sentinels as u64) as usize;
        let b = (a + 1 + rng.below(sentinels as u64 - 1) as usize) % sentinels;
        let t = crash_at + span(rng, 600, 1_600);
        v.push((t, Fault::Delay(a, b, span(rng, 500, 3_000))));
        v.push((t + span(rng, 1_000, 4_000), Fault::Delay(a, b, 0)));
    }
    for _ in 0..rng.below(3) {
        let s = rng.below(sentinels as u64) as usize;
        let flags = 1 + rng.below(3) as u8;
        v.push((
            span(rng, WARMUP, FAULTS_END),
            Fault::SimulateFailure(s, flags),
        ));
    }
}
