//! Client output-buffer limits (`client-output-buffer-limit <class> <hard> <soft> <secs>`),
//! decided as Redis 7.0's `checkClientOutputBufferLimits` does: a client is closed when its
//! pending output reaches the hard limit, or has stayed at or above the soft limit for more
//! than `secs`. 0 disables a limit. Sentinel has no replicas as clients, so only the `normal`
//! and `pubsub` classes apply (a client is `pubsub` while it has a subscription).

use crate::config::GenericOptions;
use crate::sentinel::Millis;

/// One class's limits, in bytes and seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_secs: u64,
}

impl BufferLimit {
    /// Whether a client using `used` bytes of output at `now` must be closed. `soft_since`
    /// is the client's own record of when it went over the soft limit.
    pub fn reached(&self, used: u64, now: Millis, soft_since: &mut Option<Millis>) -> bool {
        let hard = self.hard > 0 && used >= self.hard;
        let mut soft = self.soft > 0 && used >= self.soft;
        if soft {
            match *soft_since {
                None => {
                    *soft_since = Some(now);
                    soft = false;
                }
                Some(t) => soft = now.saturating_sub(t) > self.soft_secs.saturating_mul(1000),
            }
        } else {
            *soft_since = None;
        }
        hard || soft
    }
}

/// The limits of the two client classes a sentinel has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimits {
    pub normal: BufferLimit,
    pub pubsub: BufferLimit,
}

impl Default for ClientLimits {
    /// Redis's defaults: `normal 0 0 0`, `pubsub 32mb 8mb 60`.
    fn default() -> Self {
        ClientLimits {
            normal: BufferLimit::default(),
            pubsub: BufferLimit {
                hard: 32 << 20,
                soft: 8 << 20,
                soft_secs: 60,
            },
        }
    }
}

impl ClientLimits {
    /// From the canonical `client-output-buffer-limit` value (`normal h s t slave h s t
    /// pubsub h s t`, bytes), falling back to the defaults for anything unreadable.
    pub fn from_config(g: &GenericOptions) -> Self {
        let mut out = ClientLimits::default();
        let Some(v) = g.value("client-output-buffer-limit") else {
            return out;
        };
        let words: Vec<&str> = v.split(' ').collect();
        for chunk in words.chunks(4) {
            let [class, hard, soft, secs] = chunk else {
                continue;
            };
            let (Ok(hard), Ok(soft), Ok(soft_secs)) = (
                hard.parse::<u64>(),
                soft.parse::<u64>(),
                secs.parse::<u64>(),
            ) else {
                continue;
            };
            let lim = BufferLimit {
                hard,
                soft,
                soft_secs,
            };
            match *class {
                "normal" => out.normal = lim,
                "pubsub" => out.pubsub = lim,
                _ => {}
            }
        }
        out
    }

    pub fn for_client(&self, pubsub: bool) -> &BufferLimit {
        if pubsub {
            &self.pubsub
        } else {
            &self.normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_limit_closes_at_once() {
        let l = BufferLimit {
            hard: 100,
            soft: 0,
            soft_secs: 0,
        };
        let mut since = None;
        assert!(!l.reached(99, 0, &mut since));
        assert!(l.reached(100, 0, &mut since));
    }

    #[test]
    fn soft_limit_closes_only_after_staying_above_it() {
        let l = BufferLimit {
            hard: 0,
            soft: 10,
            soft_secs: 2,
        };
        let mut since = None;
        assert!(!l.reached(50, 1000, &mut since));
        assert!(!l.reached(50, 3000, &mut since));
        // Dropping below resets the clock.
        assert!(!l.reached(5, 3500, &mut since));
        assert!(!l.reached(50, 4000, &mut since));
        assert!(!l.reached(50, 6000, &mut since));
        assert!(l.reached(50, 6001, &mut since));
    }

    #[test]
    fn zero_means_unlimited() {
        let mut since = None;
        assert!(!BufferLimit::default().reached(u64::MAX, 0, &mut since));
    }

    #[test]
    fn config_value_is_read_per_class() {
        let mut g = GenericOptions::default();
        assert_eq!(ClientLimits::from_config(&g), ClientLimits::default());
        let argv: Vec<String> = ["client-output-buffer-limit", "pubsub", "1mb", "512kb", "5"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(g.apply(&argv), Ok(()));
        let l = ClientLimits::from_config(&g);
        assert_eq!(
            l.pubsub,
            BufferLimit {
                hard: 1 << 20,
                soft: 512 << 10,
                soft_secs: 5
            }
        );
        assert_eq!(l.normal, BufferLimit::default());
    }
}
