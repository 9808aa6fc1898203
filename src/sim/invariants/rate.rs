//! `commands_per_second_are_bounded`: the commands one sentinel process sends to one peer
//! or instance, counted per simulated second, stay within what its periods allow, in every
//! state. Two bounds: any single second (bursts: a failover's transaction, a connect's
//! handshake, the fast re-asks while a quorum is gathered) and any [`WINDOW_S`] seconds in
//! a row (what may be sustained: PING every second, INFO every second at most, a hello,
//! `is-master-down-by-addr` once per second per master after a bounded burst of re-asks).

use std::collections::BTreeMap;

use super::Checker;
use crate::sentinel::Millis;

/// The sustained bound is checked over this many consecutive seconds.
pub const WINDOW_S: usize = 5;

/// The bounds for one target, given the number of masters the sentinel monitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub per_second: u32,
    pub per_window: u32,
}

impl Bounds {
    /// To a Redis instance (a master or replica of one master): PING, INFO and a hello
    /// each second at most, plus a failover's six-command transaction and an INFO after it,
    /// plus a reconnect's handshake.
    pub fn instance() -> Bounds {
        Bounds {
            per_second: 30,
            per_window: 60,
        }
    }

    /// To a peer sentinel, shared by `masters` masters: PING and a hello per second, and per
    /// master one `is-master-down-by-addr` per second after a burst of fast re-asks (one
    /// second's worth at 25 ms).
    pub fn peer(masters: usize) -> Bounds {
        let m = u32::try_from(masters.max(1)).unwrap_or(u32::MAX);
        Bounds {
            per_second: 10u32.saturating_add(m.saturating_mul(45)),
            per_window: 30u32.saturating_add(m.saturating_mul(60)),
        }
    }
}

/// Counts the complete RESP commands (`*N` arrays of bulk strings) in `bytes`.
pub fn count_commands(bytes: &[u8]) -> u32 {
    let mut n = 0;
    let mut rest = bytes;
    let line = |b: &[u8]| -> Option<(i64, usize)> {
        let end = memchr::memchr(b'\n', b)?;
        let num = std::str::from_utf8(b.get(1..end)?)
            .ok()?
            .trim_end()
            .parse()
            .ok()?;
        Some((num, end + 1))
    };
    while rest.first() == Some(&b'*') {
        let Some((args, used)) = line(rest) else {
            break;
        };
        rest = rest.get(used..).unwrap_or_default();
        for _ in 0..args {
            let Some((len, used)) = line(rest) else {
                return n;
            };
            let skip = used + usize::try_from(len).unwrap_or(0) + 2;
            rest = rest.get(skip..).unwrap_or_default();
        }
        n += 1;
    }
    n
}

/// Per (sender process, its incarnation, target process): the counts of the last seconds.
#[derive(Debug, Default)]
pub struct Rate {
    seconds: BTreeMap<(usize, u64, usize), (u64, [u32; WINDOW_S])>,
}

impl Checker {
    /// `n` commands from `(from, inc)` to `to` at `now`. A broken bound is returned (the
    /// caller names the processes and records it).
    pub fn commands_sent(
        &mut self,
        now: Millis,
        from: (usize, u64),
        to: usize,
        n: u32,
        bounds: Bounds,
    ) -> Option<String> {
        if n == 0 {
            return None;
        }
        let sec = now / 1000;
        let (last, ring) = self
            .rate
            .seconds
            .entry((from.0, from.1, to))
            .or_insert((sec, [0; WINDOW_S]));
        let gap = sec.saturating_sub(*last);
        for k in 1..=gap.min(WINDOW_S as u64) {
            if let Some(c) = ring.get_mut(((*last + k) % WINDOW_S as u64) as usize) {
                *c = 0;
            }
        }
        *last = sec;
        let slot = (sec % WINDOW_S as u64) as usize;
        if let Some(c) = ring.get_mut(slot) {
            *c = c.saturating_add(n);
        }
        let this = ring.get(slot).copied().unwrap_or(0);
        let window: u32 = ring.iter().sum();
        if this > bounds.per_second {
            Some(format!(
                "{this} in second {sec}, bound {}",
                bounds.per_second
            ))
        } else if window > bounds.per_window && sec >= WINDOW_S as u64 {
            Some(format!(
                "{window} in the {WINDOW_S} s up to second {sec}, bound {}",
                bounds.per_window
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_counted_whole() {
        let two = b"*1\r\n$4\r\nPING\r\n*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$3\r\nabc\r\n";
        assert_eq!(count_commands(two), 2);
        assert_eq!(count_commands(b""), 0);
    }

    #[test]
    fn a_sustained_rate_over_the_window_bound_is_caught() {
        let mut c = Checker::default();
        let b = Bounds {
            per_second: 10,
            per_window: 30,
        };
        for t in 0..10_000u64 {
            if t % 200 == 0 {
                if let Some(o) = c.commands_sent(t, (0, 1), 1, 1, b) {
                    c.violate(t, "commands_per_second_are_bounded", o);
                }
            }
        }
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        for t in 10_000..16_000u64 {
            if t % 100 == 0 {
                if let Some(o) = c.commands_sent(t, (0, 1), 1, 1, b) {
                    c.violate(t, "commands_per_second_are_bounded", o);
                }
            }
        }
        assert_eq!(
            c.violations.first().map(|v| v.invariant),
            Some("commands_per_second_are_bounded")
        );
    }
}
