//! Timer wheel tests: behaviour tables, and random operation sequences checked step by step
//! against a `BTreeMap` oracle.

use super::*;
use std::collections::BTreeMap;

fn drain(w: &mut TimerWheel<u64>, now: u64) -> Vec<u64> {
    let mut out = Vec::new();
    w.advance(now, |v| out.push(v));
    out
}

#[test]
fn timer_fires_at_its_deadline_not_before() {
    let mut w = TimerWheel::new(1000);
    w.insert(1005, 1);
    assert_eq!(w.next_deadline(), Some(1005));
    assert_eq!(drain(&mut w, 1004), Vec::<u64>::new());
    assert_eq!(drain(&mut w, 1005), vec![1]);
    assert!(w.is_empty());
    assert_eq!(w.next_deadline(), None);
}

#[test]
fn timer_in_the_past_fires_on_next_advance() {
    let mut w = TimerWheel::new(5000);
    w.insert(10, 1);
    w.insert(5000, 2);
    assert_eq!(w.next_deadline(), Some(10));
    assert_eq!(drain(&mut w, 5000), vec![1, 2]);
}

#[test]
fn timer_cancel_removes_and_stale_ids_are_ignored() {
    let mut w = TimerWheel::new(0);
    let a = w.insert(100, 1);
    let b = w.insert(200, 2);
    assert_eq!(w.cancel(a), Some(1));
    assert_eq!(w.cancel(a), None);
    assert_eq!(w.next_deadline(), Some(200));
    assert_eq!(drain(&mut w, 300), vec![2]);
    // b's slab slot is reused by c: the stale id must not cancel c.
    let c = w.insert(400, 3);
    assert_eq!(w.cancel(b), None);
    assert_eq!(w.deadline(c), Some(400));
    assert_eq!(w.deadline(b), None);
    assert_eq!(drain(&mut w, 400), vec![3]);
}

#[test]
fn timer_far_deadlines_cascade_down_and_fire_in_order() {
    let mut w = TimerWheel::new(0);
    let deadlines = [
        1u64 << 35,
        70_000,
        64,
        4095,
        4096,
        63,
        1 << 24,
        262_143,
        262_144,
        1,
    ];
    for (i, d) in deadlines.iter().enumerate() {
        w.insert(*d, i as u64);
    }
    let mut fired = Vec::new();
    while let Some(next) = w.next_deadline() {
        let before = fired.len();
        w.advance(next, |v| fired.push(deadlines[v as usize]));
        assert!(fired.len() > before, "next_deadline {next} is exact");
    }
    let mut sorted = deadlines.to_vec();
    sorted.sort_unstable();
    assert_eq!(fired, sorted);
}

#[test]
fn timer_beyond_the_wheel_span_waits_in_overflow() {
    let mut w = TimerWheel::new(7);
    w.insert(u64::MAX, 1);
    w.insert(1 << 40, 2);
    w.insert(1 << 36, 3);
    assert_eq!(w.next_deadline(), Some(1 << 36));
    assert_eq!(drain(&mut w, (1 << 36) - 1), Vec::<u64>::new());
    assert_eq!(drain(&mut w, 1 << 36), vec![3]);
    assert_eq!(w.next_deadline(), Some(1 << 40));
    assert_eq!(drain(&mut w, (1 << 40) + 5), vec![2]);
    assert_eq!(drain(&mut w, u64::MAX - 1), Vec::<u64>::new());
    assert_eq!(drain(&mut w, u64::MAX), vec![1]);
}

#[test]
fn timer_time_going_backwards_fires_nothing() {
    let mut w = TimerWheel::new(1000);
    w.insert(1500, 1);
    assert_eq!(drain(&mut w, 10), Vec::<u64>::new());
    assert_eq!(w.now(), 1000);
    assert_eq!(drain(&mut w, 1500), vec![1]);
}

#[test]
fn timer_steady_state_reuses_slab_storage() {
    let mut w = TimerWheel::new(0);
    for round in 0..1000u64 {
        let id = w.insert(round * 10 + 5, round);
        if round % 2 == 0 {
            w.cancel(id);
        }
        drain(&mut w, round * 10 + 9);
    }
    assert!(
        w.entries.capacity() <= 4,
        "capacity {}",
        w.entries.capacity()
    );
}

// ---- oracle ------------------------------------------------------------------------------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A delay of random magnitude: mostly short, sometimes spanning several levels or the
    /// whole wheel.
    fn delay(&mut self) -> u64 {
        match self.below(10) {
            0 => 0,
            1..=4 => self.below(64),
            5 | 6 => self.below(5_000),
            7 => self.below(1 << 20),
            8 => self.below(1 << 30),
            _ => self.below(1 << 38),
        }
    }
}

/// Runs random inserts, cancels and advances; after every step the wheel must agree with a
/// `BTreeMap<(deadline, seq), TimerId>` on what fired, the next deadline and the size.
fn run_against_oracle(seed: u64, steps: usize, past_inserts: bool) {
    let mut rng = Rng(seed);
    let start = rng.below(1 << 40);
    let mut now = start;
    let mut w: TimerWheel<u64> = TimerWheel::new(now);
    let mut oracle: BTreeMap<(u64, u64), TimerId> = BTreeMap::new();
    let mut by_seq: BTreeMap<u64, (u64, TimerId)> = BTreeMap::new();
    let mut dead: Vec<TimerId> = Vec::new();
    let mut last_fired = 0u64;
    for seq in 0..steps as u64 {
        match rng.below(10) {
            0..=4 => {
                let deadline = match rng.below(20) {
                    0 if past_inserts => now.saturating_sub(rng.delay()),
                    1 => u64::MAX - rng.below(3),
                    _ => now.saturating_add(rng.delay()),
                };
                let id = w.insert(deadline, seq);
                oracle.insert((deadline, seq), id);
                by_seq.insert(seq, (deadline, id));
            }
            5 | 6 => {
                if rng.below(4) == 0 && !dead.is_empty() {
                    let id = dead[rng.below(dead.len() as u64) as usize];
                    assert_eq!(w.cancel(id), None, "stale id cancelled something");
                } else if let Some(&k) = by_seq
                    .keys()
                    .nth(rng.below(by_seq.len() as u64 + 1) as usize)
                {
                    let (deadline, id) = by_seq.remove(&k).unwrap_or_else(|| unreachable!());
                    oracle.remove(&(deadline, k));
                    assert_eq!(w.cancel(id), Some(k));
                    dead.push(id);
                }
            }
            _ => {
                now = now.saturating_add(rng.delay());
                let mut fired = Vec::new();
                w.advance(now, |v| fired.push(v));
                let mut expected = Vec::new();
                while let Some(entry) = oracle.first_entry() {
                    if entry.key().0 > now {
                        break;
                    }
                    let ((deadline, s), id) = entry.remove_entry();
                    by_seq.remove(&s);
                    dead.push(id);
                    expected.push((deadline, s));
                }
                let mut got: Vec<(u64, u64)> = fired
                    .iter()
                    .map(|s| {
                        (
                            expected
                                .iter()
                                .find(|e| e.1 == *s)
                                .map_or(u64::MAX, |e| e.0),
                            *s,
                        )
                    })
                    .collect();
                if !past_inserts {
                    for &(d, _) in &got {
                        assert!(
                            d >= last_fired,
                            "fired out of order: {d} after {last_fired}"
                        );
                        last_fired = d;
                    }
                }
                got.sort_unstable();
                assert_eq!(got, expected, "seed {seed:#x} step {seq} now {now}");
            }
        }
        assert_eq!(w.len(), oracle.len());
        assert_eq!(
            w.next_deadline(),
            oracle.keys().next().map(|k| k.0),
            "seed {seed:#x} step {seq}"
        );
    }
}

#[test]
fn timer_wheel_agrees_with_btreemap_oracle_on_random_operations() {
    for seed in 1..=40u64 {
        run_against_oracle(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 3_000, true);
    }
}

#[test]
fn timer_wheel_fires_in_deadline_order_when_no_deadline_is_in_the_past() {
    for seed in 1..=20u64 {
        run_against_oracle(seed.wrapping_mul(0xD1B5_4A32_D192_ED03), 3_000, false);
    }
}
