//! Hello messages on `__sentinel__:hello`: building and parsing the 8-field payload (§5, §9.4).
//!
//! `<sentinel-ip>,<sentinel-port>,<sentinel-runid>,<current-epoch>,<master-name>,<master-ip>,
//! <master-port>,<master-config-epoch>`
//!
//! Parsing is zero-copy and never panics. Redis splits on every `,` and needs exactly 8
//! fields, then reads the numbers with `atoi`/`strtoull`, which turn garbage into 0 (a hello
//! with port `abc` would create a sentinel on port 0). We accept everything redis-sentinel
//! can send — its ports are printed with `%d`, its epochs with `%llu` — and reject the rest:
//! numbers must be one or more ASCII digits (leading zeros allowed), ports at most 65535,
//! epochs at most `u64::MAX`. The text fields are passed through as bytes (possibly empty);
//! whether an address resolves or a master name is known is the caller's business.

use std::fmt;

/// The channel hellos are published on.
pub const HELLO_CHANNEL: &[u8] = b"__sentinel__:hello";

/// One decoded hello payload, borrowing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello<'a> {
    pub sentinel_ip: &'a [u8],
    pub sentinel_port: u16,
    pub runid: &'a [u8],
    pub current_epoch: u64,
    pub master_name: &'a [u8],
    pub master_ip: &'a [u8],
    pub master_port: u16,
    pub master_config_epoch: u64,
}

/// Which numeric field of a hello was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloField {
    SentinelPort,
    CurrentEpoch,
    MasterPort,
    MasterConfigEpoch,
}

/// Why a payload is not a hello. Redis silently ignores such messages; so should callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloError {
    /// Not exactly 8 comma-separated fields (`found` is the number of fields seen).
    FieldCount { found: usize },
    /// A port or epoch that is not a plain in-range decimal number.
    BadNumber { field: HelloField },
}

impl fmt::Display for HelloField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HelloField::SentinelPort => "sentinel port",
            HelloField::CurrentEpoch => "current epoch",
            HelloField::MasterPort => "master port",
            HelloField::MasterConfigEpoch => "master config epoch",
        })
    }
}

impl fmt::Display for HelloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HelloError::FieldCount { found } => {
                write!(f, "hello has {found} comma-separated fields, expected 8")
            }
            HelloError::BadNumber { field } => write!(f, "hello has an invalid {field}"),
        }
    }
}

impl std::error::Error for HelloError {}

/// Strict decimal: at least one digit, digits only, no overflow.
fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

fn parse_port(s: &[u8], field: HelloField) -> Result<u16, HelloError> {
    parse_u64(s)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or(HelloError::BadNumber { field })
}

fn parse_epoch(s: &[u8], field: HelloField) -> Result<u64, HelloError> {
    parse_u64(s).ok_or(HelloError::BadNumber { field })
}

/// Decodes a hello payload (the third element of a `message` push).
pub fn parse_hello(payload: &[u8]) -> Result<Hello<'_>, HelloError> {
    let mut fields: [&[u8]; 8] = [&[]; 8];
    let mut found = 0usize;
    for (slot, field) in payload.split(|&b| b == b',').enumerate() {
        found = slot + 1;
        if let Some(dst) = fields.get_mut(slot) {
            *dst = field;
        }
    }
    let [sentinel_ip, port, runid, epoch, master_name, master_ip, master_port, config_epoch] =
        fields;
    if found != 8 {
        return Err(HelloError::FieldCount { found });
    }
    Ok(Hello {
        sentinel_ip,
        sentinel_port: parse_port(port, HelloField::SentinelPort)?,
        runid,
        current_epoch: parse_epoch(epoch, HelloField::CurrentEpoch)?,
        master_name,
        master_ip,
        master_port: parse_port(master_port, HelloField::MasterPort)?,
        master_config_epoch: parse_epoch(config_epoch, HelloField::MasterConfigEpoch)?,
    })
}

/// Appends `n` in decimal without allocating.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
}

/// Appends the payload for `hello` to `out` (no allocation beyond `out` growing).
///
/// Like Redis, the fields are written as they are: a master name containing `,` produces a
/// payload no sentinel will accept.
pub fn build_hello(out: &mut Vec<u8>, hello: &Hello<'_>) {
    out.extend_from_slice(hello.sentinel_ip);
    out.push(b',');
    push_u64(out, u64::from(hello.sentinel_port));
    out.push(b',');
    out.extend_from_slice(hello.runid);
    out.push(b',');
    push_u64(out, hello.current_epoch);
    out.push(b',');
    out.extend_from_slice(hello.master_name);
    out.push(b',');
    out.extend_from_slice(hello.master_ip);
    out.push(b',');
    push_u64(out, u64::from(hello.master_port));
    out.push(b',');
    push_u64(out, hello.master_config_epoch);
}

/// True when a received payload mentions `myid` and must be ignored as our own hello
/// (Redis: `strstr(payload, myid)`, which stops at a NUL byte and finds an empty id
/// everywhere).
pub fn mentions_runid(payload: &[u8], myid: &[u8]) -> bool {
    let text = match memchr::memchr(0, payload) {
        Some(nul) => payload.get(..nul).unwrap_or_default(),
        None => payload,
    };
    memchr::memmem::find(text, myid).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNID: &[u8] = b"3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54";

    fn sample() -> Hello<'static> {
        Hello {
            sentinel_ip: b"127.0.0.1",
            sentinel_port: 26390,
            runid: RUNID,
            current_epoch: 1,
            master_name: b"mymaster",
            master_ip: b"127.0.0.1",
            master_port: 6391,
            master_config_epoch: 1,
        }
    }

    #[test]
    fn hello_real_payload_is_parsed() {
        let payload =
            b"127.0.0.1,26390,3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54,1,mymaster,127.0.0.1,6391,1";
        assert_eq!(parse_hello(payload), Ok(sample()));
    }

    #[test]
    fn hello_payloads_captured_from_redis_sentinel_7_0_15_are_parsed() {
        let v6 = b"::1,31503,0fb84e5ba63faa36058696c9b0bd960d17d86d40,0,mymaster,::1,31501,0";
        let v4 = b"127.0.0.1,31502,c21a573bb0e9399064185f646b35a58aefeb9f00,0,mymaster,127.0.0.1,31501,0";
        let h6 = parse_hello(v6);
        assert_eq!(
            h6.map(|h| (h.sentinel_ip, h.sentinel_port, h.master_ip, h.master_port)),
            Ok((&b"::1"[..], 31503, &b"::1"[..], 31501))
        );
        let h4 = parse_hello(v4);
        assert_eq!(
            h4.map(|h| (
                h.runid,
                h.current_epoch,
                h.master_name,
                h.master_config_epoch
            )),
            Ok((
                &b"c21a573bb0e9399064185f646b35a58aefeb9f00"[..],
                0,
                &b"mymaster"[..],
                0
            ))
        );
        let mut out = Vec::new();
        for payload in [&v6[..], &v4[..]] {
            out.clear();
            if let Ok(h) = parse_hello(payload) {
                build_hello(&mut out, &h);
            }
            assert_eq!(out, payload, "byte-exact rebuild");
        }
    }

    #[test]
    fn hello_ipv6_addresses_are_plain_fields() {
        let h = parse_hello(b"::1,26379,abc,0,m,fe80::1:2,6379,18446744073709551615");
        assert_eq!(
            h.map(|h| (h.sentinel_ip, h.master_ip, h.master_config_epoch)),
            Ok((&b"::1"[..], &b"fe80::1:2"[..], u64::MAX))
        );
    }

    #[test]
    fn hello_build_then_parse_round_trips() {
        let mut out = Vec::new();
        let cases = [
            sample(),
            Hello {
                sentinel_port: 0,
                current_epoch: 0,
                master_config_epoch: 0,
                ..sample()
            },
            Hello {
                sentinel_ip: b"2001:db8::7",
                sentinel_port: u16::MAX,
                current_epoch: u64::MAX,
                master_name: b"name with spaces",
                master_ip: b"redis.example.com",
                master_port: 1,
                master_config_epoch: 10_000_000_000,
                ..sample()
            },
        ];
        for h in cases {
            out.clear();
            build_hello(&mut out, &h);
            assert_eq!(
                parse_hello(&out),
                Ok(h),
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
    }

    #[test]
    fn hello_build_writes_the_redis_layout() {
        let mut out = b"prefix:".to_vec();
        build_hello(&mut out, &sample());
        assert_eq!(
            out,
            b"prefix:127.0.0.1,26390,3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54,1,mymaster,127.0.0.1,6391,1"
        );
    }

    #[test]
    fn hello_with_wrong_field_count_is_rejected() {
        let cases: &[(&[u8], usize)] = &[
            (b"", 1),
            (b"a,1,r,1,m,h,1", 7),
            (b"a,1,r,1,m,h,1,1,", 9),
            (b"a,1,r,1,m,h,1,1,x,y", 10),
            (b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", 32),
        ];
        for &(payload, found) in cases {
            assert_eq!(parse_hello(payload), Err(HelloError::FieldCount { found }));
        }
    }

    #[test]
    fn hello_with_garbage_numbers_is_rejected() {
        use HelloField::*;
        let cases: &[(&[u8], HelloField)] = &[
            (b"a,,r,1,m,h,1,1", SentinelPort),
            (b"a,abc,r,1,m,h,1,1", SentinelPort),
            (b"a,65536,r,1,m,h,1,1", SentinelPort),
            (b"a,-1,r,1,m,h,1,1", SentinelPort),
            (b"a,+1,r,1,m,h,1,1", SentinelPort),
            (b"a, 1,r,1,m,h,1,1", SentinelPort),
            (b"a,1,r,1x,m,h,1,1", CurrentEpoch),
            (b"a,1,r,18446744073709551616,m,h,1,1", CurrentEpoch),
            (b"a,1,r,1,m,h,99999999999999999999999,1", MasterPort),
            (b"a,1,r,1,m,h,1,", MasterConfigEpoch),
            (b"a,1,r,1,m,h,1,1\r\n", MasterConfigEpoch),
        ];
        for &(payload, field) in cases {
            assert_eq!(parse_hello(payload), Err(HelloError::BadNumber { field }));
        }
    }

    #[test]
    fn hello_numbers_with_leading_zeros_are_accepted() {
        let h = parse_hello(b"a,026379,r,007,m,h,00001,0");
        assert_eq!(
            h.map(|h| (h.sentinel_port, h.current_epoch, h.master_port)),
            Ok((26379, 7, 1))
        );
    }

    #[test]
    fn hello_text_fields_may_be_empty_or_binary() {
        let h = parse_hello(b",1,\xff\x00,2,,,3,4");
        assert_eq!(
            h.map(|h| (h.sentinel_ip, h.runid, h.master_name)),
            Ok((&b""[..], &b"\xff\x00"[..], &b""[..]))
        );
    }

    #[test]
    fn hello_own_runid_is_detected_like_strstr() {
        let payload = b"127.0.0.1,26390,3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54,1,m,h,1,1";
        assert!(mentions_runid(payload, RUNID));
        assert!(!mentions_runid(payload, b"ffff"));
        assert!(mentions_runid(payload, b""));
        assert!(!mentions_runid(b"x\0ffff", b"ffff"), "stops at NUL");
    }

    #[test]
    fn hello_random_bytes_never_panic_and_valid_ones_round_trip() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let alphabet = b",0123456789a:-\xff";
        let mut out = Vec::new();
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            let payload: Vec<u8> = (0..len)
                .map(|i| alphabet[((x >> (i % 56)) as usize + i) % alphabet.len()])
                .collect();
            if let Ok(h) = parse_hello(&payload) {
                out.clear();
                build_hello(&mut out, &h);
                assert_eq!(parse_hello(&out), Ok(h));
            }
        }
    }
}
