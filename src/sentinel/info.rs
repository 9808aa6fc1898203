//! INFO reply parsing as a pure function (§9.5): [`parse_info`] turns the text of an
//! instance's INFO reply into an [`InfoReport`] holding exactly what Redis 7.0's
//! `sentinelRefreshInstanceInfo` reads, with its semantics. Acting on the report (`+reboot`,
//! `+slave`, role changes, §13 reactions) is the caller's job.
//!
//! Line rules, in Redis's words where they matter:
//! - the text ends at its first NUL byte (Redis treats it as a C string);
//! - lines end at `\n`, one `\r` before it is dropped. Redis splits on `\r\n` only; a bare
//!   `\n` never occurs in a real INFO reply, and treating it as a line end lets LF-only text
//!   (hand-written fixtures, proxies) parse the same way;
//! - `run_id:` is taken only from a line of at least 47 bytes, and is its 40 bytes after
//!   the colon (anything further is ignored);
//! - `slave<digit>` lines (at least 7 bytes) are read whatever the role: Redis reads them
//!   when *it* monitors the instance as a master, which the parser does not know. New
//!   format: `ip=` and `port=` found anywhere in the line, each value ending at the next
//!   `,`; old format (no `ip=` in the line): `<ip>,<port>,<more>` after the first `:`, two
//!   commas required. The port goes through C `atoi`; lines whose port is outside
//!   0..=65535 are dropped (Redis fails to create such an address);
//! - `master_link_down_since_seconds` (30 bytes, then any byte, then at least one more) is
//!   read whatever the role, as `strtoll(...) * 1000` (saturating here; Redis overflows).
//!   Redis 7.0 reports `-1` for a replica that never connected, giving -1000 ms;
//! - `role:master` / `role:slave` (prefix match) set the role for the following lines;
//!   `master_host:`, `master_port:`, `master_link_status:`, `slave_priority:`,
//!   `slave_repl_offset:`, `replica_announced:` are read only while the role is slave;
//! - for repeated lines the last one wins. Numbers follow glibc: `atoi` is `strtol`
//!   truncated to 32 bits, `strtoull` wraps negative input and saturates on overflow.
//!
//! Allocation: none per line; `replicas` allocates once when the first replica is seen.

use memchr::{memchr, memmem};

/// The role an instance reports in its INFO (`role:` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Slave,
}

/// A replica address announced on a master's `slave<N>:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaAddr<'a> {
    /// As written (an IPv4/IPv6 address or, with `replica-announce-ip`, a hostname);
    /// not validated.
    pub ip: &'a [u8],
    pub port: u16,
}

/// What sentinel reads from one INFO reply. `None` means "no such line" (for the
/// role-dependent fields: no such line while the role was slave).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InfoReport<'a> {
    /// The 40 bytes after `run_id:`.
    pub run_id: Option<&'a [u8]>,
    /// The role after the last line (Redis's `role`, 0 when `None`).
    pub role: Option<Role>,
    /// `slave<N>:` lines, in order (duplicates kept).
    pub replicas: Vec<ReplicaAddr<'a>>,
    /// `master_link_down_since_seconds` × 1000. Redis resets its field to 0 before each
    /// INFO, so `None` means 0.
    pub master_link_down_ms: Option<i64>,
    pub master_host: Option<&'a [u8]>,
    pub master_port: Option<i32>,
    /// `master_link_status:` is `up` (case-insensitive, whole value).
    pub master_link_up: Option<bool>,
    pub slave_priority: Option<i32>,
    pub slave_repl_offset: Option<u64>,
    pub replica_announced: Option<i32>,
}

/// Parses an INFO reply. Never fails: unknown, garbled or truncated lines are skipped.
pub fn parse_info(text: &[u8]) -> InfoReport<'_> {
    let text = match memchr(0, text) {
        Some(nul) => text.get(..nul).unwrap_or_default(),
        None => text,
    };
    let mut report = InfoReport::default();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match memchr(b'\n', rest) {
            Some(nl) => (rest.get(..nl).unwrap_or_default(), rest.get(nl + 1..)),
            None => (rest, None),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        apply_line(&mut report, line);
        rest = next.unwrap_or_default();
    }
    report
}

/// The bytes after `prefix` if `line` starts with it.
#[inline]
fn after<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)
}

fn apply_line<'a>(r: &mut InfoReport<'a>, l: &'a [u8]) {
    let slave = r.role == Some(Role::Slave);
    match l.first() {
        Some(b'r') => {
            if l.len() >= 47 {
                if let Some(v) = after(l, b"run_id:") {
                    r.run_id = v.get(..40);
                    return;
                }
            }
            if l.starts_with(b"role:master") {
                r.role = Some(Role::Master);
            } else if l.starts_with(b"role:slave") {
                r.role = Some(Role::Slave);
            } else if slave {
                if let Some(v) = after(l, b"replica_announced:") {
                    r.replica_announced = Some(c_atoi(v));
                }
            }
        }
        Some(b's') => {
            if l.len() >= 7 && l.starts_with(b"slave") && l.get(5).is_some_and(u8::is_ascii_digit) {
                if let Some(addr) = replica_line(l) {
                    r.replicas.push(addr);
                }
            } else if slave {
                if let Some(v) = after(l, b"slave_priority:") {
                    r.slave_priority = Some(c_atoi(v));
                } else if let Some(v) = after(l, b"slave_repl_offset:") {
                    r.slave_repl_offset = Some(c_strtoull(v));
                }
            }
        }
        Some(b'm') => {
            if l.len() >= 32 && l.starts_with(b"master_link_down_since_seconds") {
                let secs = c_strtol(l.get(31..).unwrap_or_default());
                r.master_link_down_ms = Some(secs.saturating_mul(1000));
            } else if slave {
                if let Some(v) = after(l, b"master_host:") {
                    r.master_host = Some(v);
                } else if let Some(v) = after(l, b"master_port:") {
                    r.master_port = Some(c_atoi(v));
                } else if let Some(v) = after(l, b"master_link_status:") {
                    r.master_link_up = Some(v.eq_ignore_ascii_case(b"up"));
                }
            }
        }
        _ => {}
    }
}

/// The bytes of `s` up to its first `,` (all of it when there is none).
#[inline]
fn until_comma(s: &[u8]) -> &[u8] {
    match memchr(b',', s) {
        Some(i) => s.get(..i).unwrap_or_default(),
        None => s,
    }
}

/// Address from a `slave<N>:` line, old or new format.
fn replica_line(l: &[u8]) -> Option<ReplicaAddr<'_>> {
    let (ip, port) = match memmem::find(l, b"ip=") {
        Some(i) => {
            let ip = until_comma(l.get(i + 3..)?);
            let p = memmem::find(l, b"port=")?;
            (ip, until_comma(l.get(p + 5..)?))
        }
        None => {
            let rest = l.get(memchr(b':', l)? + 1..)?;
            let c1 = memchr(b',', rest)?;
            let after_ip = rest.get(c1 + 1..)?;
            let c2 = memchr(b',', after_ip)?;
            (rest.get(..c1)?, after_ip.get(..c2)?)
        }
    };
    let port = u16::try_from(c_atoi(port)).ok()?;
    Some(ReplicaAddr { ip, port })
}

/// C `isspace` in the C locale.
#[inline]
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Leading whitespace, sign and digits as `strto*` see them: (negative, magnitude,
/// overflowed u64).
fn c_digits(s: &[u8]) -> (bool, u64, bool) {
    let mut i = 0;
    while s.get(i).copied().is_some_and(c_space) {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut mag: u64 = 0;
    let mut overflow = false;
    while let Some(&b) = s.get(i) {
        if !b.is_ascii_digit() {
            break;
        }
        match mag
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
        {
            Some(m) => mag = m,
            None => overflow = true,
        }
        i += 1;
    }
    (neg, mag, overflow)
}

/// glibc `strtol(s, NULL, 10)` on a 64-bit platform (saturating).
pub(crate) fn c_strtol(s: &[u8]) -> i64 {
    let (neg, mag, overflow) = c_digits(s);
    if neg {
        if overflow || mag > i64::MIN.unsigned_abs() {
            i64::MIN
        } else {
            0i64.wrapping_sub_unsigned(mag)
        }
    } else if overflow || mag > i64::MAX as u64 {
        i64::MAX
    } else {
        mag as i64
    }
}

/// glibc `atoi`: `strtol` truncated to `int`.
pub(crate) fn c_atoi(s: &[u8]) -> i32 {
    c_strtol(s) as i32
}

/// glibc `strtoull(s, NULL, 10)`: saturates on overflow, negates (wrapping) after `-`.
pub(crate) fn c_strtoull(s: &[u8]) -> u64 {
    let (neg, mag, overflow) = c_digits(s);
    if overflow {
        u64::MAX
    } else if neg {
        mag.wrapping_neg()
    } else {
        mag
    }
}

#[cfg(test)]
mod tests;
