//! What the core accepts from the wire (hellos, INFO, vote requests) before it lets a value
//! into state that is persisted: the same rules the config loader applies, so that every
//! save keeps loading back (sentinel.c's `createSentinelAddr`), plus bounds Redis lacks —
//! on how far one message may move an epoch, and on how many sentinels hellos may add.

use std::net::IpAddr;

/// How far above our current epoch one hello or vote request may take it (2^32).
///
/// redis-sentinel adopts any higher epoch, so one forged hello at `u64::MAX` ends failovers
/// for good (a failover needs `current + 1`). Real groups move their epoch by one per
/// failover attempt: even at one attempt per second, 2^32 is 136 years of failovers, so no
/// peer that follows the protocol is ever refused, while a forged epoch cannot get within
/// 2^32 of the end of the range without 2^32 separate messages each accepted in turn.
pub const MAX_EPOCH_JUMP: u64 = 1 << 32;

/// At most this many sentinels per master are added from hellos; more are refused (and
/// logged). Real groups have 3–7; anyone who can PUBLISH on a monitored master could
/// otherwise make us keep (and connect to, and save) any number of them.
pub const MAX_SENTINELS_PER_MASTER: usize = 64;

/// A sentinel run id as every sentinel makes it (40 characters; hex from Redis and from us).
pub fn runid_ok(runid: &str) -> bool {
    runid.len() == 40 && runid.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Why a host from the wire is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostRefusal {
    /// A name, while `resolve-hostnames no`: the loader would refuse it
    /// ("Can't resolve instance hostname.").
    NameNotAllowed,
    /// Not an IP address and not a host name (empty, spaces, quotes, too long...): the
    /// config rewrite could not write it back as one word.
    Malformed,
}

/// `host` as an instance address, checked as the loader checks `sentinel monitor`,
/// `known-replica` and `known-sentinel` hosts.
pub fn check_host(host: &str, resolve_hostnames: bool) -> Result<(), HostRefusal> {
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    if !is_host_name(host) {
        return Err(HostRefusal::Malformed);
    }
    if resolve_hostnames {
        Ok(())
    } else {
        Err(HostRefusal::NameNotAllowed)
    }
}

/// RFC 1123 host-name characters (plus `_`, which resolvers accept), 1–255 bytes.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// True when `epoch` is at most [`MAX_EPOCH_JUMP`] above `current`.
pub fn epoch_jump_ok(current: u64, epoch: u64) -> bool {
    epoch <= current.saturating_add(MAX_EPOCH_JUMP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_the_wire_follow_the_loader() {
        for ip in ["127.0.0.1", "::1", "fe80::1:2", "10.0.0.255"] {
            assert_eq!(check_host(ip, false), Ok(()), "{ip}");
            assert_eq!(check_host(ip, true), Ok(()), "{ip}");
        }
        for name in ["sentinel-b.example", "localhost", "replica_1.lan"] {
            assert_eq!(
                check_host(name, false),
                Err(HostRefusal::NameNotAllowed),
                "{name}"
            );
            assert_eq!(check_host(name, true), Ok(()), "{name}");
        }
        let long = "a".repeat(256);
        for bad in ["", "a b", "x\"y", "fe80::1%eth0 ", long.as_str(), "h\n"] {
            assert_eq!(
                check_host(bad, true),
                Err(HostRefusal::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn epochs_may_not_jump_by_more_than_two_to_the_32() {
        assert!(epoch_jump_ok(0, MAX_EPOCH_JUMP));
        assert!(!epoch_jump_ok(0, MAX_EPOCH_JUMP + 1));
        assert!(!epoch_jump_ok(5, u64::MAX));
        assert!(epoch_jump_ok(u64::MAX - 1, u64::MAX));
        assert!(epoch_jump_ok(7, 3));
    }

    #[test]
    fn run_ids_are_forty_alphanumerics() {
        assert!(runid_ok("3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54"));
        assert!(!runid_ok("3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc5"));
        assert!(!runid_ok("3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4c 54"));
        assert!(!runid_ok(""));
    }
}
