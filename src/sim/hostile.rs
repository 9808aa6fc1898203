//! Hostile and odd inputs from the wire, and full disks (the `hostile` fault mix): forged
//! hellos PUBLISHed on the current master's hello channel by "someone who can PUBLISH"
//! (host names while `resolve-hostnames no`, bad ports, epochs far above any real one,
//! unknown masters, malformed run ids), a replica announcing itself by host name
//! (`replica-announce-ip`), and a sentinel whose every save fails for a while. None of them
//! may make a config unloadable, a vote leave unsaved, or the group stop failing over.

use super::net::ProcId;
use super::schedule::{Fault, FAULTS_END, WARMUP};
use super::world::World;
use crate::sentinel::hello::HELLO_CHANNEL;
use crate::sentinel::rng::Rng;
use crate::sentinel::Millis;

/// A forged hello's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgedHello {
    /// A sentinel named by host name (refused: `resolve-hostnames no`).
    SentinelHostName,
    /// The master moved to a host name under a newer config epoch (refused likewise).
    MasterHostName,
    /// A sentinel port out of range (not a hello).
    BadPort,
    /// Current and config epoch at `u64::MAX` (refused: more than 2^32 above ours).
    HugeEpoch,
    /// A master nobody monitors (ignored).
    UnknownMaster,
    /// A run id no sentinel has (refused).
    BadRunId,
}

const KINDS: [ForgedHello; 6] = [
    ForgedHello::SentinelHostName,
    ForgedHello::MasterHostName,
    ForgedHello::BadPort,
    ForgedHello::HugeEpoch,
    ForgedHello::UnknownMaster,
    ForgedHello::BadRunId,
];

const FORGED_ID: &str = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

/// The payload of a forged hello about the master at `mip:mport`.
pub fn forged_payload(kind: ForgedHello, mip: &str, mport: u16) -> String {
    let m = u64::MAX;
    match kind {
        ForgedHello::SentinelHostName => {
            format!("sentinel-x.example,26379,{FORGED_ID},7,mymaster,{mip},{mport},7")
        }
        ForgedHello::MasterHostName => {
            format!("10.0.0.200,26379,{FORGED_ID},7,mymaster,master-x.example,{mport},7")
        }
        ForgedHello::BadPort => {
            format!("10.0.0.200,99999,{FORGED_ID},7,mymaster,{mip},{mport},7")
        }
        ForgedHello::HugeEpoch => {
            format!("10.0.0.200,26379,{FORGED_ID},{m},mymaster,10.0.1.9,{mport},{m}")
        }
        ForgedHello::UnknownMaster => {
            format!("10.0.0.200,26379,{FORGED_ID},7,othermaster,10.0.1.9,{mport},7")
        }
        ForgedHello::BadRunId => {
            format!("10.0.0.201,26379,not-a-run-id,0,mymaster,{mip},{mport},0")
        }
    }
}

/// The hostile part of a seed's schedule (drawn only for the `hostile` mix, so the other
/// mixes' schedules are unchanged).
pub fn generate(rng: &mut Rng, sentinels: usize, redis: usize, v: &mut Vec<(Millis, Fault)>) {
    let span = |rng: &mut Rng, lo: u64, hi: u64| lo + rng.below(hi.saturating_sub(lo).max(1));
    for _ in 0..rng.below(6) + 2 {
        let kind = KINDS[rng.below(KINDS.len() as u64) as usize % KINDS.len()];
        v.push((span(rng, 0, FAULTS_END), Fault::ForgedHello(kind)));
    }
    // The last replica (never the one that always stays eligible) names itself.
    if rng.below(2) == 0 && redis >= 3 {
        let p = sentinels + redis - 1;
        v.push((span(rng, 0, FAULTS_END), Fault::AnnounceHostname(p)));
    }
    for _ in 0..rng.below(3) + 1 {
        let s = rng.below(sentinels as u64) as usize;
        let t = span(rng, WARMUP, FAULTS_END);
        v.push((t, Fault::DiskFull(s)));
        v.push((t + span(rng, 100, 3_000), Fault::DiskBack(s)));
    }
}

impl World {
    /// Applies one of the faults above.
    pub(super) fn hostile_fault(&mut self, f: Fault) {
        match f {
            Fault::ForgedHello(kind) => {
                let n = self.n();
                let Some(j) = self.redis.iter().position(|r| r.alive && r.is_master()) else {
                    return;
                };
                let Some(r) = self.redis.get(j) else { return };
                let payload = forged_payload(kind, &r.ip, r.port);
                let outs = r.publish(HELLO_CHANNEL, payload.as_bytes());
                self.apply_redis(n + j, outs);
            }
            Fault::AnnounceHostname(p) => {
                if let Some(r) = p.checked_sub(self.n()).and_then(|j| self.redis.get_mut(j)) {
                    r.announce_ip = Some(format!("{}.example", r.name));
                }
                self.refresh_replication();
            }
            Fault::DiskFull(p) => self.set_disk_full(p, true),
            Fault::DiskBack(p) => self.set_disk_full(p, false),
            _ => {}
        }
    }

    pub(super) fn set_disk_full(&mut self, p: ProcId, full: bool) {
        if let Some(s) = self.sentinels.get_mut(p) {
            s.disk_full = full;
        }
    }
}
