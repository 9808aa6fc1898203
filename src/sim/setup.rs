//! The world's starting configuration: the Redis groups (one master and two replicas per
//! monitored master, with their replicas' eligibility drawn from the seed), the masters'
//! names, the timings of each mix, and the race mix's priority race.

use super::redis::{RRole, RedisNode};
use super::world::{World, REDIS_PORT};
use super::FaultMix;
use crate::sentinel::rng::Rng;
use crate::sentinel::Timing;

/// The group of Redis instances `g` (3 per master: `r{3g}` the master, then two replicas
/// at 10.0.`g+1`.x), with its replicas' eligibility drawn from `rng`.
pub(super) fn group(g: usize, rng: &mut Rng) -> Vec<RedisNode> {
    let master_ip = format!("10.0.{}.1", g + 1);
    let mut v: Vec<RedisNode> = (0..3)
        .map(|j| {
            let role = if j == 0 {
                RRole::Master
            } else {
                RRole::Replica {
                    host: master_ip.clone(),
                    port: REDIS_PORT,
                }
            };
            RedisNode::new(
                &format!("r{}", 3 * g + j),
                &format!("10.0.{}.{}", g + 1, j + 1),
                REDIS_PORT,
                role,
                rng,
            )
        })
        .collect();
    // Replica eligibility varies; one replica (the first) always stays eligible.
    if let Some(r1) = v.get_mut(1) {
        r1.priority = [100, 50, 10][rng.below(3) as usize % 3];
    }
    if let Some(r2) = v.get_mut(2) {
        match rng.below(8) {
            0 | 1 => r2.priority = 0,
            2 => r2.announced = false,
            3 => r2.priority = 1,
            _ => {}
        }
    }
    v
}

/// The name of master `g` in the sentinels' config.
pub fn group_name(g: usize) -> String {
    if g == 0 {
        "mymaster".to_string()
    } else {
        format!("master{g}")
    }
}

/// The simulator's timings: fast, so that a seed is a few seconds of virtual time. The race
/// mix keeps Redis's INFO period (10 s, longer than the 5 PING periods an INFO stays valid
/// while the master is down: a replica's INFO may be stale at ODOWN, as in production).
/// Not the multi mix: with every other fault too, sentinel.c's recovery from a master that
/// reports the replica role (down-after + 2 INFO periods) would outlast the liveness bound.
pub fn sim_timing(mix: FaultMix) -> Timing {
    Timing {
        info_period: if mix == FaultMix::Race { 10_000 } else { 2_000 },
        publish_period: 1_000,
        tilt_period: 5_000,
        slave_reconf_timeout: 3_000,
        min_link_reconnect_period: 3_000,
        ..Timing::default()
    }
}

impl World {
    /// In half of the groups: the better-priority replica (10, the other 100) answers every
    /// sentinel late, by a one-way delay of 40–200 ms, for the whole run.
    pub(super) fn priority_race(&mut self, groups: usize) {
        let n = self.n();
        for g in 0..groups {
            if self.rng.below(2) == 0 {
                continue;
            }
            let delay = 40 + self.rng.below(160);
            for (k, prio) in [(1, 10), (2, 100)] {
                if let Some(r) = self.redis.get_mut(3 * g + k) {
                    r.priority = prio;
                    r.announced = true;
                }
            }
            for s in 0..n {
                self.net.set_delay(n + 3 * g + 1, s, delay);
            }
        }
    }
}
