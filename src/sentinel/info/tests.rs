//! Table tests for [`parse_info`] on INFO replies captured from Redis 7.0.15
//! (`tests/fixtures/info/`), plus a naive reference parser it must agree with on random,
//! mutated and truncated inputs.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/info/",
            $name
        ))
    };
}

const MASTER_2: &[u8] = fixture!("master_2_replicas.txt");
const MASTER_50: &[u8] = fixture!("master_50_replicas.txt");
const REPLICA_UP: &[u8] = fixture!("replica_up_ipv6_master.txt");
const REPLICA_DOWN: &[u8] = fixture!("replica_link_down.txt");
const REPLICA_NEVER: &[u8] = fixture!("replica_never_connected.txt");
const REPLICA_CHAINED: &[u8] = fixture!("replica_with_subreplica.txt");
const ALL: &[&[u8]] = &[
    MASTER_2,
    MASTER_50,
    REPLICA_UP,
    REPLICA_DOWN,
    REPLICA_NEVER,
    REPLICA_CHAINED,
];

fn addr(ip: &str, port: u16) -> ReplicaAddr<'_> {
    ReplicaAddr {
        ip: ip.as_bytes(),
        port,
    }
}

#[test]
fn info_master_with_two_replicas_lists_both_including_ipv6() {
    let r = parse_info(MASTER_2);
    assert_eq!(
        r.run_id,
        Some(&b"6246820bbc4d50c7dc47b68cdcd98d864cfe45f2"[..])
    );
    assert_eq!(r.role, Some(Role::Master));
    assert_eq!(
        r.replicas,
        vec![addr("127.0.0.1", 31392), addr("::1", 31393)]
    );
    assert_eq!(r.master_link_down_ms, None);
    assert_eq!(
        (r.master_host, r.master_port, r.master_link_up),
        (None, None, None)
    );
    assert_eq!(
        (r.slave_priority, r.slave_repl_offset, r.replica_announced),
        (None, None, None)
    );
}

#[test]
fn info_master_with_fifty_replicas_lists_them_in_order() {
    let r = parse_info(MASTER_50);
    assert_eq!(r.role, Some(Role::Master));
    let ports: Vec<u16> = r.replicas.iter().map(|a| a.port).collect();
    assert_eq!(ports, (31401..=31450).collect::<Vec<u16>>());
    assert!(r.replicas.iter().all(|a| a.ip == b"127.0.0.1"));
}

#[test]
fn info_replica_with_link_up_reports_master_and_replication_fields() {
    let r = parse_info(REPLICA_UP);
    assert_eq!(
        r.run_id,
        Some(&b"1042d58d2439b06548fedadabed39d1d1a5e50db"[..])
    );
    assert_eq!(r.role, Some(Role::Slave));
    assert_eq!(r.master_host, Some(&b"::1"[..]));
    assert_eq!(r.master_port, Some(31391));
    assert_eq!(r.master_link_up, Some(true));
    assert_eq!(r.master_link_down_ms, None);
    assert_eq!(r.slave_priority, Some(50));
    assert_eq!(r.slave_repl_offset, Some(82));
    assert_eq!(r.replica_announced, Some(1));
    assert!(r.replicas.is_empty());
}

#[test]
fn info_replica_with_link_down_reports_down_time_in_ms() {
    let r = parse_info(REPLICA_DOWN);
    assert_eq!(r.role, Some(Role::Slave));
    assert_eq!(r.master_link_up, Some(false));
    assert_eq!(r.master_link_down_ms, Some(2000));
    assert_eq!(r.master_port, Some(31391));
}

#[test]
fn info_replica_that_never_connected_reports_minus_one_second() {
    let r = parse_info(REPLICA_NEVER);
    assert_eq!(r.master_link_up, Some(false));
    assert_eq!(r.master_link_down_ms, Some(-1000));
    assert_eq!(r.slave_priority, Some(100));
}

#[test]
fn info_replica_with_its_own_replica_still_lists_it() {
    let r = parse_info(REPLICA_CHAINED);
    assert_eq!(r.role, Some(Role::Slave));
    assert_eq!(r.replicas, vec![addr("127.0.0.1", 31394)]);
}

#[test]
fn info_old_slave_format_is_parsed() {
    let r =
        parse_info(b"role:master\r\nslave0:10.0.0.1,6380,online\r\nslave1:::1,6381,send_bulk\r\n");
    assert_eq!(r.replicas, vec![addr("10.0.0.1", 6380), addr("::1", 6381)]);
    // The old format needs a comma after the port.
    assert!(parse_info(b"slave0:10.0.0.1,6380\r\n").replicas.is_empty());
    assert!(parse_info(b"slave0:10.0.0.1\r\n").replicas.is_empty());
    assert!(
        parse_info(b"slave0,10.0.0.1,6380,x\r\n")
            .replicas
            .is_empty(),
        "needs a colon"
    );
}

#[test]
fn info_new_slave_format_finds_ip_and_port_anywhere() {
    let r = parse_info(b"slave3:state=online,port=7000,ip=fe80::1\r\nslave4:ip=h,lag=0\r\n");
    assert_eq!(
        r.replicas,
        vec![addr("fe80::1", 7000)],
        "a line without port= is skipped"
    );
    let r = parse_info(b"slave0:ip=,port=abc,state=online\r\n");
    assert_eq!(
        r.replicas,
        vec![addr("", 0)],
        "atoi turns garbage into 0; caller validates"
    );
}

#[test]
fn info_slave_lines_need_a_digit_and_seven_bytes() {
    assert!(parse_info(b"slaveX:ip=a,port=1\r\n").replicas.is_empty());
    assert!(parse_info(b"slave0\r\n").replicas.is_empty());
    assert!(parse_info(b"slaves:ip=a,port=1\r\n").replicas.is_empty());
    assert_eq!(
        parse_info(b"slave9x:ip=a,port=1\r\n").replicas,
        vec![addr("a", 1)]
    );
}

#[test]
fn info_replica_ports_outside_u16_are_dropped() {
    let r =
        parse_info(b"slave0:ip=a,port=65536\r\nslave1:ip=b,port=-1\r\nslave2:ip=c,port=65535\r\n");
    assert_eq!(r.replicas, vec![addr("c", 65535)]);
    // glibc atoi truncates strtol's result to 32 bits: 2^32 + 6380 reads as 6380.
    assert_eq!(
        parse_info(b"slave0:ip=d,port=4294973676\r\n").replicas,
        vec![addr("d", 6380)]
    );
}

#[test]
fn info_role_dependent_fields_are_read_only_after_role_slave() {
    let text = b"master_host:early\r\nmaster_port:1\r\nrole:slave\r\nmaster_host:h1\r\n\
                 role:master\r\nmaster_host:late\r\nslave_priority:5\r\n";
    let r = parse_info(text);
    assert_eq!(r.master_host, Some(&b"h1"[..]));
    assert_eq!(r.master_port, None);
    assert_eq!(r.slave_priority, None);
    assert_eq!(r.role, Some(Role::Master), "the last role line wins");
}

#[test]
fn info_role_is_a_prefix_match() {
    assert_eq!(parse_info(b"role:masterful\r\n").role, Some(Role::Master));
    assert_eq!(parse_info(b"role:slaveish\r\n").role, Some(Role::Slave));
    assert_eq!(parse_info(b"role:replica\r\n").role, None);
    assert_eq!(
        parse_info(b"# Replication\r\nconnected_slaves:0\r\n").role,
        None
    );
}

#[test]
fn info_run_id_needs_47_bytes_and_takes_40() {
    let id = "0123456789abcdef0123456789abcdef01234567";
    let r = parse_info(format!("run_id:{id}trailing\r\n").as_bytes())
        .run_id
        .map(<[u8]>::to_vec);
    assert_eq!(r, Some(id.as_bytes().to_vec()));
    assert_eq!(
        parse_info(format!("run_id:{}\r\n", &id[..39]).as_bytes()).run_id,
        None
    );
    let r = parse_info(format!("run_id:a\r\nrun_id:{id}\r\n").as_bytes())
        .run_id
        .map(<[u8]>::len);
    assert_eq!(r, Some(40));
}

#[test]
fn info_master_link_status_up_is_case_insensitive_and_whole() {
    let status = |v: &str| {
        parse_info(format!("role:slave\r\nmaster_link_status:{v}\r\n").as_bytes()).master_link_up
    };
    assert_eq!(status("up"), Some(true));
    assert_eq!(status("UP"), Some(true));
    assert_eq!(status("uP"), Some(true));
    assert_eq!(status("up "), Some(false));
    assert_eq!(status("down"), Some(false));
    assert_eq!(status(""), Some(false));
}

#[test]
fn info_link_down_line_is_read_whatever_the_role_and_byte_30() {
    assert_eq!(
        parse_info(b"master_link_down_since_seconds:7\r\n").master_link_down_ms,
        Some(7000)
    );
    assert_eq!(
        parse_info(b"master_link_down_since_secondsX7\r\n").master_link_down_ms,
        Some(7000)
    );
    assert_eq!(
        parse_info(b"master_link_down_since_seconds:\r\n").master_link_down_ms,
        None
    );
    assert_eq!(
        parse_info(b"master_link_down_since_seconds:x\r\n").master_link_down_ms,
        Some(0)
    );
}

#[test]
fn info_huge_numbers_saturate_like_glibc() {
    let text = b"role:slave\r\nslave_repl_offset:99999999999999999999999\r\n\
                 master_link_down_since_seconds:9223372036854775807\r\n\
                 slave_priority:-5\r\nreplica_announced: +3x\r\nmaster_port:2147483648\r\n";
    let r = parse_info(text);
    assert_eq!(r.slave_repl_offset, Some(u64::MAX));
    assert_eq!(r.master_link_down_ms, Some(i64::MAX));
    assert_eq!(r.slave_priority, Some(-5));
    assert_eq!(r.replica_announced, Some(3));
    assert_eq!(
        r.master_port,
        Some(i32::MIN),
        "atoi truncates 2^31 to INT_MIN"
    );
    let r = parse_info(b"role:slave\r\nslave_repl_offset:-1\r\n");
    assert_eq!(
        r.slave_repl_offset,
        Some(u64::MAX),
        "strtoull wraps negative input"
    );
}

#[test]
fn info_lf_only_text_parses_like_crlf() {
    for text in ALL {
        let lf: Vec<u8> = text.iter().copied().filter(|&b| b != b'\r').collect();
        assert_eq!(parse_info(&lf), parse_info(text));
    }
}

#[test]
fn info_text_ends_at_the_first_nul() {
    let r = parse_info(b"role:slave\r\nmaster_port:1\0\r\nmaster_host:x\r\n");
    assert_eq!((r.master_port, r.master_host), (Some(1), None));
}

#[test]
fn info_garbage_and_empty_input_yield_an_empty_report() {
    assert_eq!(parse_info(b""), InfoReport::default());
    assert_eq!(parse_info(b"\r\n\r\n\n\r"), InfoReport::default());
    assert_eq!(
        parse_info(b"\xff\xfe:garbage\r\n:::\r\nrole\r\nmaster\r\n"),
        InfoReport::default()
    );
}

#[test]
fn info_truncated_replies_never_panic_and_keep_complete_lines() {
    let cut = MASTER_2.len() / 2;
    let r = parse_info(MASTER_2.get(..cut).unwrap_or_default());
    assert_eq!(r.run_id, parse_info(MASTER_2).run_id);
}

// ---- naive reference parser ----------------------------------------------------------------

/// A line-by-line transcription of `sentinelRefreshInstanceInfo` with deliberately dumb
/// helpers (windows search, i128 arithmetic), sharing no code with the parser.
fn reference(text: &[u8]) -> InfoReport<'_> {
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let mut r = InfoReport::default();
    let mut role = None;
    for raw in text.split(|&b| b == b'\n') {
        let l = if raw.last() == Some(&b'\r') {
            &raw[..raw.len() - 1]
        } else {
            raw
        };
        if l.len() >= 47 && &l[..7] == b"run_id:" {
            r.run_id = Some(&l[7..47]);
        }
        if l.len() >= 7 && &l[..5] == b"slave" && l[5].is_ascii_digit() {
            if let Some(a) = ref_replica(l) {
                r.replicas.push(a);
            }
        }
        if l.len() >= 32 && &l[..30] == b"master_link_down_since_seconds" {
            r.master_link_down_ms = Some(
                (ref_strtol(&l[31..]) * 1000).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            );
        }
        if l.len() >= 11 && &l[..11] == b"role:master" {
            role = Some(Role::Master);
        } else if l.len() >= 10 && &l[..10] == b"role:slave" {
            role = Some(Role::Slave);
        }
        if role == Some(Role::Slave) {
            let field = |p: &[u8]| {
                if l.len() >= p.len() && &l[..p.len()] == p {
                    Some(&l[p.len()..])
                } else {
                    None
                }
            };
            if let Some(v) = field(b"master_host:") {
                r.master_host = Some(v);
            }
            if let Some(v) = field(b"master_port:") {
                r.master_port = Some(ref_strtol(v) as i64 as i32);
            }
            if let Some(v) = field(b"master_link_status:") {
                r.master_link_up = Some(matches!(v, [b'u' | b'U', b'p' | b'P']));
            }
            if let Some(v) = field(b"slave_priority:") {
                r.slave_priority = Some(ref_strtol(v) as i64 as i32);
            }
            if let Some(v) = field(b"slave_repl_offset:") {
                r.slave_repl_offset = Some(ref_strtoull(v));
            }
            if let Some(v) = field(b"replica_announced:") {
                r.replica_announced = Some(ref_strtol(v) as i64 as i32);
            }
        }
    }
    r.role = role;
    r
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn upto_comma(s: &[u8]) -> &[u8] {
    &s[..s.iter().position(|&b| b == b',').unwrap_or(s.len())]
}

fn ref_replica(l: &[u8]) -> Option<ReplicaAddr<'_>> {
    let (ip, port) = if let Some(i) = find(l, b"ip=") {
        let p = find(l, b"port=")?;
        (upto_comma(&l[i + 3..]), upto_comma(&l[p + 5..]))
    } else {
        let colon = l.iter().position(|&b| b == b':')?;
        let fields: Vec<&[u8]> = l[colon + 1..].splitn(3, |&b| b == b',').collect();
        if fields.len() < 3 {
            return None;
        }
        (fields[0], fields[1])
    };
    let port = ref_strtol(port) as i64 as i32;
    u16::try_from(port)
        .ok()
        .map(|port| ReplicaAddr { ip, port })
}

/// (sign, digits value capped well above u64) as i128.
fn ref_number(s: &[u8]) -> (i128, bool) {
    let s: Vec<u8> = s
        .iter()
        .copied()
        .skip_while(|b| b" \t\n\x0b\x0c\r".contains(b))
        .collect();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let mut v: i128 = 0;
    for d in digits.iter().take_while(|b| b.is_ascii_digit()) {
        v = (v * 10 + i128::from(d - b'0')).min(1 << 100);
    }
    (if neg { -v } else { v }, neg)
}

fn ref_strtol(s: &[u8]) -> i128 {
    ref_number(s).0.clamp(i64::MIN as i128, i64::MAX as i128)
}

fn ref_strtoull(s: &[u8]) -> u64 {
    let (v, neg) = ref_number(s);
    let mag = v.unsigned_abs();
    if mag > u128::from(u64::MAX) {
        u64::MAX
    } else if neg {
        (mag as u64).wrapping_neg()
    } else {
        mag as u64
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&[u8]] = &[
    b"run_id:",
    b"0123456789abcdef0123456789abcdef01234567",
    b"role:master",
    b"role:slave",
    b"role:",
    b"slave0:",
    b"slave12:",
    b"slaveX:",
    b"slave_priority:",
    b"slave_repl_offset:",
    b"replica_announced:",
    b"master_host:",
    b"master_port:",
    b"master_link_status:",
    b"master_link_down_since_seconds:",
    b"master_link_down_since_seconds",
    b"ip=",
    b"port=",
    b"state=online",
    b",",
    b":",
    b"=",
    b"0",
    b"-1",
    b"6379",
    b"99999999999999999999999",
    b" 42",
    b"+7",
    b"-0",
    b"-9223372036854775808",
    b"4294973676",
    b"up",
    b"UP",
    b"Up ",
    b"down",
    b"::1",
    b"127.0.0.1",
    b"\0",
    b"\r",
    b"\n",
    b"\r\n",
    b"\r\n",
    b"\r\n",
    b"\xff",
    b"x",
];

#[test]
fn info_parser_agrees_with_reference_on_random_line_soup() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut text = Vec::new();
    for _ in 0..20_000 {
        text.clear();
        for _ in 0..rng.below(30) {
            text.extend_from_slice(PIECES[rng.below(PIECES.len())]);
        }
        assert_eq!(
            parse_info(&text),
            reference(&text),
            "{:?}",
            String::from_utf8_lossy(&text)
        );
    }
}

#[test]
fn info_parser_agrees_with_reference_on_mutated_fixtures() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..2_000 {
        let mut text = ALL[rng.below(ALL.len())].to_vec();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(text.len());
            match rng.below(3) {
                0 => text[at] = b"\r\n:,=09- x\0"[rng.below(11)],
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    text.splice(at..at, piece.iter().copied());
                }
                _ => text.truncate(at.max(1)),
            }
        }
        assert_eq!(parse_info(&text), reference(&text));
    }
}

#[test]
fn info_parser_agrees_with_reference_at_every_truncation_point() {
    for text in [MASTER_2, REPLICA_DOWN] {
        for cut in 0..=text.len() {
            let t = &text[..cut];
            assert_eq!(parse_info(t), reference(t), "cut at {cut}");
        }
    }
}
