//! Hash maps keyed by our own integer ids (connection ids, instance uids, link slots).
//! Those keys are counters we hand out, never bytes from the network, so SipHash's
//! flooding resistance buys nothing here; a multiplicative hash costs a few instructions
//! on the per-reply path instead of a few dozen.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's multiplier: odd, with well-spread bits.
const SEED: u64 = 0x517c_c1b7_2722_0a95;

/// The hasher behind [`IdMap`].
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A `HashMap` keyed by an internal integer id.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_spread_over_buckets_and_round_trip() {
        let mut m: IdMap<u64, u64> = IdMap::default();
        for i in 0..10_000u64 {
            m.insert(i, i * 3);
        }
        assert!((0..10_000u64).all(|i| m.get(&i) == Some(&(i * 3))));
        // Low bits (the bucket index) of consecutive ids differ.
        let low: std::collections::HashSet<u64> = (0..1024u64)
            .map(|i| {
                let mut h = IdHasher::default();
                h.write_u64(i);
                h.finish() & 1023
            })
            .collect();
        assert!(low.len() > 1000, "{} distinct of 1024", low.len());
    }
}
