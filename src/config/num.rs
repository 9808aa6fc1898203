//! The C and Redis number parsers whose exact leniency the config file depends on: `atoi`
//! (sentinel directives), `strtoull` (epochs), Redis's strict `string2ll` (generic integers)
//! and `memtoull` (memory values), plus the memory formatter used by config rewrite.

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Leading white space, an optional sign, then digits; returns (negative, magnitude saturated
/// at `u64::MAX`, whether any digit was seen).
fn c_prefix(s: &[u8]) -> (bool, u64, bool) {
    let mut i = 0;
    while s.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    let mut neg = false;
    match s.get(i) {
        Some(b'-') => {
            neg = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    let mut v: u64 = 0;
    let mut any = false;
    while let Some(&d) = s.get(i) {
        if !d.is_ascii_digit() {
            break;
        }
        any = true;
        v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        i += 1;
    }
    (neg, v, any)
}

/// glibc `atoi`: `(int) strtol(s, NULL, 10)`; garbage gives 0, overflow saturates the `long`
/// and is then truncated to 32 bits.
pub fn c_atoi(s: &str) -> i32 {
    let (neg, mag, _) = c_prefix(s.as_bytes());
    let long: i64 = if neg {
        if mag > i64::MAX as u64 {
            i64::MIN
        } else {
            -(mag as i64)
        }
    } else {
        i64::try_from(mag).unwrap_or(i64::MAX)
    };
    long as i32
}

/// glibc `strtoull(s, NULL, 10)`: garbage gives 0, overflow `u64::MAX`, a `-` negates modulo 2^64.
pub fn c_strtoull(s: &str) -> u64 {
    let (neg, mag, _) = c_prefix(s.as_bytes());
    if neg {
        mag.wrapping_neg()
    } else {
        mag
    }
}

/// Redis `string2ll`: optional `-`, no leading zeros, no `+`, no spaces, no overflow.
pub fn string2ll(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b == b"0" {
        return Some(0);
    }
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Redis `memtoull`: digits then an optional case-insensitive unit (`b k kb m mb g gb`).
pub fn memtoull(s: &str) -> Option<u64> {
    let split = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let val: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    val.checked_mul(mul)
}

/// How Redis rewrites a byte count: the largest of `gb`/`mb`/`kb` that divides it exactly.
pub fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * 1024 * 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// Redis `yesnotoi`.
pub fn yes_no(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_is_lenient_like_c() {
        assert_eq!(c_atoi("42"), 42);
        assert_eq!(c_atoi("  -7x"), -7);
        assert_eq!(c_atoi("abc"), 0);
        assert_eq!(c_atoi("+3"), 3);
        assert_eq!(c_atoi("99999999999999999999"), -1);
        assert_eq!(c_atoi("4294967296"), 0);
    }

    #[test]
    fn strtoull_saturates_and_negates() {
        assert_eq!(c_strtoull("7"), 7);
        assert_eq!(c_strtoull("zz"), 0);
        assert_eq!(c_strtoull("-1"), u64::MAX);
        assert_eq!(c_strtoull("999999999999999999999999"), u64::MAX);
    }

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll("0"), Some(0));
        assert_eq!(string2ll("-5"), Some(-5));
        assert_eq!(string2ll("0300"), None);
        assert_eq!(string2ll("-0"), None);
        assert_eq!(string2ll("+1"), None);
        assert_eq!(string2ll(" 1"), None);
        assert_eq!(string2ll(""), None);
        assert_eq!(string2ll("9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll("9223372036854775808"), None);
    }

    #[test]
    fn memory_units_parse_and_format() {
        assert_eq!(memtoull("1GB"), Some(1 << 30));
        assert_eq!(memtoull("1k"), Some(1000));
        assert_eq!(memtoull("2kb"), Some(2048));
        assert_eq!(memtoull("1x"), None);
        assert_eq!(memtoull("-1"), None);
        assert_eq!(format_memory(1 << 30), "1gb");
        assert_eq!(format_memory(67108864), "64mb");
        assert_eq!(format_memory(3000), "3000");
        assert_eq!(format_memory(0), "0");
    }
}
