//! Handlers of the client commands other than SENTINEL and pub/sub.

pub mod acl_cmd;
pub mod client_cmd;
pub mod command_cmd;
pub mod hello_auth;
pub mod help_text;
pub mod info;
pub mod misc;

use crate::resp::ReplyWriter;

/// Writes a help text as an array of status lines.
pub(crate) fn write_help(w: &mut ReplyWriter, lines: &[&str]) {
    w.array(lines.len());
    for l in lines {
        w.simple(l);
    }
}

/// Redis `string2ll`-style strict signed integer parse (no spaces, no `+`, no leading zeros).
pub(crate) fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(bytes).ok()?;
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if s == "-0" {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_i64;

    #[test]
    fn integers_parse_strictly_like_redis() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b"-7"), Some(-7));
        assert_eq!(parse_i64(b"007"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b"99999999999999999999"), None);
    }
}
