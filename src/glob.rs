//! Glob-style pattern matching with Redis 7.0's `stringmatchlen` semantics, used for
//! PSUBSCRIBE patterns and the `CONFIG GET` / `SENTINEL CONFIG GET` parameter patterns.
//!
//! Syntax: `*` (any run, possibly empty), `?` (any one byte), `[abc]`, `[^abc]`, ranges
//! `[a-z]` (a reversed range `[z-a]` means the same), `\x` (literal `x`, also inside
//! brackets). The matcher reproduces Redis's exact behaviour on odd patterns:
//! - an unterminated `[` class ends at the end of the pattern (`[abc` is `[abc]`,
//!   `[^` matches any single byte);
//! - a trailing lone `\` matches a literal `\`;
//! - inside brackets, `\x` compares `x` case-sensitively even in `nocase` mode;
//! - range bounds compare as *signed* C chars (bytes ≥ 0x80 are negative), reversed bounds
//!   are swapped before case folding, and folding is the C locale's (ASCII only);
//! - Redis reads one byte past the end of the pattern (its NUL terminator); here that byte
//!   is 0.
//!
//! Protection against abusive patterns mirrors Redis 7.0.9+: once a `*` has been tried
//! against every remaining suffix without success, no outer `*` retries longer matches
//! (matching is polynomial), and `*` recursion deeper than 1000 levels is a non-match.

/// Deepest `*` nesting tried before giving up with "no match" (Redis: `nesting > 1000`).
const MAX_NESTING: u32 = 1000;

/// True when `s` matches the glob `pattern`, exactly as Redis's `stringmatchlen`.
/// With `nocase`, ASCII letters compare case-insensitively.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_from(pattern, 0, s, 0, nocase, &mut skip_longer, 0)
}

/// The pattern byte at `i`, or 0 past the end (Redis's NUL terminator).
#[inline]
fn at(buf: &[u8], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

/// C-locale `tolower` on a byte.
#[inline]
fn fold(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

/// C-locale `tolower` on a signed char widened to int.
#[inline]
fn fold_signed(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[inline]
fn same(p: u8, c: u8, nocase: bool) -> bool {
    if nocase {
        fold(p) == fold(c)
    } else {
        p == c
    }
}

/// Matches `pat[pi..]` against `s[si..]`. `skip_longer` is shared by the whole call tree.
fn match_from(
    pat: &[u8],
    mut pi: usize,
    s: &[u8],
    mut si: usize,
    nocase: bool,
    skip_longer: &mut bool,
    nesting: u32,
) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let plen = pat.len();
    let slen = s.len();
    while pi < plen && si < slen {
        let sc = at(s, si);
        match at(pat, pi) {
            b'*' => {
                while pi < plen && at(pat, pi + 1) == b'*' {
                    pi += 1;
                }
                if plen - pi == 1 {
                    return true;
                }
                while si < slen {
                    if match_from(pat, pi + 1, s, si, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                }
                // The rest of the pattern matches no suffix: no outer `*` can do better by
                // consuming more, since that only leaves shorter suffixes.
                *skip_longer = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                pi += 1;
                let negate = at(pat, pi) == b'^';
                if negate {
                    pi += 1;
                }
                let mut matched = false;
                loop {
                    let rem = plen.saturating_sub(pi);
                    let pc = at(pat, pi);
                    if pc == b'\\' && rem >= 2 {
                        pi += 1;
                        if at(pat, pi) == sc {
                            matched = true;
                        }
                    } else if pc == b']' {
                        break;
                    } else if rem == 0 {
                        // Unterminated class: step back so the shared `pi += 1` below
                        // lands exactly on the end of the pattern.
                        pi = pi.saturating_sub(1);
                        break;
                    } else if rem >= 3 && at(pat, pi + 1) == b'-' {
                        // C compares `char`s, signed on the platforms Redis ships on.
                        let mut lo = i32::from(pc as i8);
                        let mut hi = i32::from(at(pat, pi + 2) as i8);
                        let mut c = i32::from(sc as i8);
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        if nocase {
                            lo = fold_signed(lo);
                            hi = fold_signed(hi);
                            c = fold_signed(c);
                        }
                        pi += 2;
                        if c >= lo && c <= hi {
                            matched = true;
                        }
                    } else if same(pc, sc, nocase) {
                        matched = true;
                    }
                    pi += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            first => {
                let mut pc = first;
                if first == b'\\' && plen - pi >= 2 {
                    pi += 1;
                    pc = at(pat, pi);
                }
                if !same(pc, sc, nocase) {
                    return false;
                }
                si += 1;
            }
        }
        pi += 1;
        if si == slen {
            while at(pat, pi) == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi >= plen && si == slen
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn glob_literal_and_wildcards_match_like_redis() {
        let cases: &[(&str, &str, bool)] = &[
            ("", "", true),
            ("", "a", false),
            ("a", "", false),
            ("*", "", false),
            ("**", "", false),
            ("?", "", false),
            ("*", "anything", true),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("abc", "abcd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*c", "ac", true),
            ("a*c", "abbbbc", true),
            ("a*c", "abbbbcd", false),
            ("a**", "a", true),
            ("a*b*", "ab", true),
            ("*a", "bba", true),
            ("*?", "", false),
            ("__sentinel__:*", "__sentinel__:hello", true),
            ("__sentinel__:*", "__sentinel__:", true),
            ("__sentinel__:*", "__sentinel_:hello", false),
            ("*", "+sdown", true),
        ];
        for &(p, s, want) in cases {
            assert_eq!(m(p, s), want, "pattern {p:?} string {s:?}");
        }
    }

    #[test]
    fn glob_bracket_classes_ranges_and_negation() {
        let cases: &[(&str, &str, bool)] = &[
            ("[-+]sdown", "+sdown", true),
            ("[-+]sdown", "-sdown", true),
            ("[-+]sdown", "sdown", false),
            ("[-+]sdown", "*sdown", false),
            // `+-]` is the range '+'..']': the class runs on to the end of the pattern.
            ("[+-]odown", "-odown", false),
            ("[+-]odown", "-", true),
            ("[abc]", "b", true),
            ("[abc]", "d", false),
            ("[^abc]", "d", true),
            ("[^abc]", "a", false),
            ("[a-c]x", "bx", true),
            ("[a-c]x", "dx", false),
            ("[c-a]x", "bx", true),
            // `a-]` is the range ']'..'a' (reversed): '-' is outside it.
            ("[a-]", "-", false),
            ("[a-]", "_", true),
            ("[a-]", "a", true),
            ("[]]", "]", false),
            ("[]", "a", false),
            ("[\\]]", "]", true),
            ("[\\-a]", "-", true),
            ("[abc", "c", true),
            ("[abc", "d", false),
            ("[^", "x", true),
            ("[", "x", false),
            ("x[", "x", false),
            ("[a-", "-", true),
            ("[a-", "b", false),
        ];
        for &(p, s, want) in cases {
            assert_eq!(m(p, s), want, "pattern {p:?} string {s:?}");
        }
    }

    #[test]
    fn glob_backslash_escapes_metacharacters() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\?b", "a?b"));
        assert!(!m("a\\?b", "axb"));
        assert!(m("\\[x]", "[x]"));
        assert!(m("\\", "\\"), "a trailing lone backslash is literal");
        assert!(m("a\\", "a\\"));
    }

    #[test]
    fn glob_nocase_folds_ascii_only() {
        assert!(glob_match(b"HeLLo*", b"hello world", true));
        assert!(!glob_match(b"HeLLo*", b"hello world", false));
        assert!(glob_match(b"[A-C]x", b"bX", true));
        assert!(glob_match(b"[^A-C]x", b"dx", true));
        assert!(!glob_match(b"\xC9", b"\xE9", true), "no Latin-1 folding");
        // Escaped bytes inside a class compare exactly, even with nocase.
        assert!(!glob_match(b"[\\A]", b"a", true));
        assert!(glob_match(b"[A]", b"a", true));
        // Reversed bounds are swapped before folding: Z(90)..a(97) folds to z..a, empty.
        assert!(!glob_match(b"[Z-a]", b"_", true));
        assert!(glob_match(b"[Z-a]", b"_", false));
    }

    #[test]
    fn glob_range_bounds_compare_as_signed_chars() {
        // 'a'..0xFF: 0xFF is -1 as a signed char, so the range is -1..='a' after the swap.
        assert!(glob_match(b"[a-\xFF]", b"\xFF", false));
        assert!(glob_match(b"[a-\xFF]", b"0", false));
        assert!(!glob_match(b"[a-\xFF]", b"b", false));
        assert!(!glob_match(b"[a-\xFF]", b"\x80", false));
        assert!(glob_match(b"[\x80-\xFF]", b"\xC0", false));
    }

    #[test]
    fn glob_binary_bytes_and_nul_are_ordinary() {
        assert!(glob_match(b"a\0b", b"a\0b", false));
        assert!(glob_match(b"a?b", b"a\0b", false));
        assert!(!glob_match(b"a\0", b"a", false));
    }

    #[test]
    fn glob_pathological_star_pattern_is_fast() {
        let pattern = "a*".repeat(60) + "b";
        let s = "a".repeat(5000);
        let t = std::time::Instant::now();
        assert!(!m(&pattern, &s));
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn glob_star_nesting_beyond_1000_is_no_match() {
        let s = "a".repeat(1200);
        assert!(m(&"*a".repeat(1000), &s));
        assert!(
            !m(&"*a".repeat(1001), &s),
            "nesting 1001 exceeds Redis's limit"
        );
        assert!(m(&"*".repeat(5000), &s), "consecutive stars collapse");
    }

    /// Exponential matcher without the skip and nesting protections: same answers.
    fn naive(p: &[u8], s: &[u8]) -> bool {
        super::match_from(p, 0, s, 0, false, &mut false, 0)
    }

    #[test]
    fn glob_skip_longer_optimisation_does_not_change_answers() {
        // Without the shared flag: reset it before each top-level call and compare with a
        // plain backtracking oracle on small random inputs.
        fn oracle(p: &[u8], s: &[u8]) -> bool {
            fn go(p: &[u8], pi: usize, s: &[u8], si: usize) -> bool {
                match p.get(pi) {
                    None => si == s.len(),
                    Some(b'*') => (si..=s.len()).any(|k| go(p, pi + 1, s, k)),
                    Some(b'?') => si < s.len() && go(p, pi + 1, s, si + 1),
                    Some(&c) => s.get(si) == Some(&c) && go(p, pi + 1, s, si + 1),
                }
            }
            go(p, 0, s, 0)
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = b"ab*?";
        for _ in 0..20_000 {
            let plen = (next() % 8) as usize;
            // Redis never matches an empty string against a non-empty pattern (the loop
            // never runs); the oracle does not model that, so strings are non-empty.
            let slen = 1 + (next() % 8) as usize;
            let p: Vec<u8> = (0..plen).map(|_| alphabet[(next() % 4) as usize]).collect();
            let s: Vec<u8> = (0..slen).map(|_| alphabet[(next() % 2) as usize]).collect();
            assert_eq!(naive(&p, &s), oracle(&p, &s), "{:?} {:?}", p, s);
        }
    }
}

/// Cross-check against a real `redis-server` (skipped when it is not installed): `KEYS
/// pattern` over a fixed key set must return exactly the keys [`glob_match`] accepts.
#[cfg(test)]
mod redis_cross_check {
    use super::glob_match;
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    struct Server(Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn command(w: &mut TcpStream, args: &[&[u8]]) -> std::io::Result<()> {
        let mut buf = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            buf.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            buf.extend_from_slice(a);
            buf.extend_from_slice(b"\r\n");
        }
        w.write_all(&buf)
    }

    fn line(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
        let mut l = Vec::new();
        r.read_until(b'\n', &mut l)?;
        l.truncate(l.len().saturating_sub(2));
        Ok(l)
    }

    fn int_after(l: &[u8]) -> i64 {
        std::str::from_utf8(l.get(1..).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(-1)
    }

    /// Reads a `*n` reply of bulk strings.
    fn read_keys(r: &mut impl BufRead) -> std::io::Result<Vec<Vec<u8>>> {
        let head = line(r)?;
        assert_eq!(
            head.first(),
            Some(&b'*'),
            "{}",
            String::from_utf8_lossy(&head)
        );
        let mut keys = Vec::new();
        for _ in 0..int_after(&head) {
            let len = usize::try_from(int_after(&line(r)?)).unwrap_or(0);
            let mut k = vec![0; len + 2];
            r.read_exact(&mut k)?;
            k.truncate(len);
            keys.push(k);
        }
        Ok(keys)
    }

    #[test]
    fn glob_agrees_with_real_redis_keys_command() -> std::io::Result<()> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let Ok(child) = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args([
                "--appendonly",
                "no",
                "--dir",
                &std::env::temp_dir().to_string_lossy(),
            ])
            .stdout(Stdio::null())
            .spawn()
        else {
            eprintln!("redis-server not installed: skipping");
            return Ok(());
        };
        let _server = Server(child);
        let start = Instant::now();
        let mut w = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(e) if start.elapsed() > Duration::from_secs(10) => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let mut r = BufReader::new(w.try_clone()?);
        let keys: Vec<Vec<u8>> = [
            &b"a"[..],
            b"b",
            b"ab",
            b"abc",
            b"abd",
            b"aXc",
            b"ABC",
            b"+sdown",
            b"-sdown",
            b"*sdown",
            b"sdown",
            b"__sentinel__:hello",
            b"__sentinel__:",
            b"__sentinel_:x",
            b"[x]",
            b"x]",
            b"\\",
            b"a\\b",
            b"*",
            b"?",
            b"-",
            b"^",
            b"]",
            b"a-z",
            b"\x80",
            b"\xFF",
            b"0",
            b"_",
            b"Z",
            b"z",
            b"`",
            b"a\0b",
            b"aaaa",
            b"aaab",
            b"a.b.c",
        ]
        .iter()
        .map(|k| k.to_vec())
        .chain(std::iter::once(b"a".repeat(1001)))
        .collect();
        for k in &keys {
            command(&mut w, &[b"SET", k, b"1"])?;
            assert_eq!(line(&mut r)?, b"+OK");
        }
        let mut patterns: Vec<Vec<u8>> = [
            &b"*"[..],
            b"?",
            b"??",
            b"a*",
            b"*b",
            b"a?c",
            b"a[bc]*",
            b"[-+]sdown",
            b"[+-]*",
            b"[^a]*",
            b"[^",
            b"[",
            b"[abc",
            b"[a-c]",
            b"[c-a]",
            b"[a-]",
            b"[]]",
            b"[\\]]",
            b"\\*",
            b"\\",
            b"*\\",
            b"a\\\\b",
            b"[\\-]",
            b"[a-\xFF]",
            b"[\x80-\xFF]",
            b"[Z-a]",
            b"__sentinel__:*",
            b"*:*",
            b"a*a*a*b",
            b"*a*",
            b"a\0?",
            b"a?b",
            b"[^-+]sdown",
            b"*[",
            b"**a",
            b"a.b*",
            b"[0-9]",
            b"?[]]",
            b"x]",
        ]
        .iter()
        .map(|p| p.to_vec())
        .collect();
        patterns.push(b"*a".repeat(1000));
        patterns.push(b"*a".repeat(1001));
        for p in &patterns {
            command(&mut w, &[b"KEYS", p])?;
            let mut got = read_keys(&mut r)?;
            got.sort();
            let mut want: Vec<Vec<u8>> = keys
                .iter()
                .filter(|k| glob_match(p, k, false))
                .cloned()
                .collect();
            want.sort();
            assert_eq!(got, want, "pattern {:?}", String::from_utf8_lossy(p));
        }
        Ok(())
    }
}
