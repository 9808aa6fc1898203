//! The Redis argument lexer (`sdssplitargs` semantics), shared by config lines and inline
//! commands: whitespace-separated words, `"double"` quotes with `\n \r \t \b \a \xHH` escapes,
//! `'single'` quotes with only `\'`, and a closing quote that must end the word.

/// The line has an unterminated quote or a closing quote not followed by white space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbalancedQuotes;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits `line` into arguments. An empty or blank line gives an empty vector. Like
/// `sdssplitargs` on a C string, a NUL byte ends the line.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, UnbalancedQuotes> {
    // Without this, an unquoted NUL would end a word without being consumed, and the word
    // loop would push empty arguments forever (found by fuzz/config_load: out of memory).
    let line = match memchr::memchr(0, line) {
        Some(nul) => line.get(..nul).unwrap_or_default(),
        None => line,
    };
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Ok(args);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            let c = line.get(i).copied();
            if in_dq {
                match c {
                    None => return Err(UnbalancedQuotes),
                    Some(b'\\') => {
                        let next = line.get(i + 1).copied();
                        let hex = match (next, line.get(i + 2), line.get(i + 3)) {
                            (Some(b'x'), Some(&h), Some(&l)) => {
                                hex_val(h).and_then(|h| hex_val(l).map(|l| h * 16 + l))
                            }
                            _ => None,
                        };
                        if let Some(v) = hex {
                            cur.push(v);
                            i += 4;
                            continue;
                        }
                        match next {
                            Some(e) => {
                                cur.push(match e {
                                    b'n' => b'\n',
                                    b'r' => b'\r',
                                    b't' => b'\t',
                                    b'b' => 0x08,
                                    b'a' => 0x07,
                                    other => other,
                                });
                                i += 2;
                            }
                            None => return Err(UnbalancedQuotes),
                        }
                        continue;
                    }
                    Some(b'"') => {
                        // The closing quote must be followed by a space or the end.
                        if let Some(&after) = line.get(i + 1) {
                            if !is_space(after) {
                                return Err(UnbalancedQuotes);
                            }
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => cur.push(other),
                }
            } else if in_sq {
                match c {
                    None => return Err(UnbalancedQuotes),
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        cur.push(b'\'');
                        i += 2;
                        continue;
                    }
                    Some(b'\'') => {
                        if let Some(&after) = line.get(i + 1) {
                            if !is_space(after) {
                                return Err(UnbalancedQuotes);
                            }
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => cur.push(other),
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t' | 0) => break,
                    Some(b'"') => in_dq = true,
                    Some(b'\'') => in_sq = true,
                    Some(other) => cur.push(other),
                }
            }
            i += 1;
        }
        args.push(cur);
    }
}

/// Quotes `s` the way Redis writes a string it wants read back (`sdscatrepr`): always in
/// double quotes, with `\\ \" \n \r \t \a \b` escaped and other non-printables as `\xHH`.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_byte_ends_the_line_instead_of_looping_forever() {
        // fuzz/config_load regression: `leader-epoch mymC-co\x01\0\0...`.
        assert_eq!(
            split_args(b"sentinel leader-epoch mymC-co\x01\0\0\0mmand PING \"\""),
            Ok(vec![
                b"sentinel".to_vec(),
                b"leader-epoch".to_vec(),
                b"mymC-co\x01".to_vec()
            ])
        );
        assert_eq!(split_args(b"\0a b"), Ok(vec![]));
        assert_eq!(split_args(b"a \"b\0c\" d"), Err(UnbalancedQuotes));
        assert_eq!(split_args(b"a\0"), Ok(vec![b"a".to_vec()]));
    }

    fn split(s: &str) -> Result<Vec<String>, UnbalancedQuotes> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_words_split_on_whitespace() {
        assert_eq!(
            split("  sentinel monitor m 1.2.3.4 6379 2 ").unwrap(),
            ["sentinel", "monitor", "m", "1.2.3.4", "6379", "2"]
        );
        assert!(split("   ").unwrap().is_empty());
        assert!(split("").unwrap().is_empty());
    }

    #[test]
    fn double_quotes_with_escapes() {
        assert_eq!(
            split(r#"dir "/tmp/a b" "\x41\n""#).unwrap(),
            ["dir", "/tmp/a b", "A\n"]
        );
        assert_eq!(split(r#""""#).unwrap(), [""]);
    }

    #[test]
    fn single_quotes_only_escape_quote() {
        assert_eq!(split(r"'a\'b\n'").unwrap(), [r"a'b\n"]);
    }

    #[test]
    fn unbalanced_quotes_are_errors() {
        assert_eq!(split(r#""abc"#), Err(UnbalancedQuotes));
        assert_eq!(split(r#""abc"def"#), Err(UnbalancedQuotes));
        assert_eq!(split("'abc"), Err(UnbalancedQuotes));
        assert_eq!(split(r#""abc\"#), Err(UnbalancedQuotes));
    }

    #[test]
    fn repr_round_trips_through_split() {
        for s in [&b"plain"[..], b"a b", b"q\"uote\\", b"\x00\x01\xff\n", b""] {
            let r = repr(s);
            assert_eq!(split_args(r.as_bytes()).unwrap(), vec![s.to_vec()]);
        }
    }
}
