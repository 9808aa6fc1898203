//! Access control on the sentinel itself, side by side with Debian's `redis-sentinel`
//! 7.0.15: ACL users and rules, AUTH / HELLO AUTH, NOAUTH / WRONGPASS / NOPERM, the ACL log,
//! disconnections on DELUSER and CLIENT KILL USER, `requirepass`, protected mode.
//! Spec: shared/spec/redis-sentinel-7.0.md §2, §15.

mod common;

use std::io::Read;
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use common::client::Value;
use common::*;

/// Sorts the words of rule descriptions (`user ...` lines, GETUSER `commands`): the order of
/// single-command rules follows Redis's command dict, which is random per process.
fn sort_rule_words(v: &mut Value) {
    match v {
        Value::Bulk(b) => {
            let s = String::from_utf8_lossy(b).into_owned();
            if s.starts_with("user ") || s.starts_with("+@all") || s.starts_with("-@all") {
                let mut w: Vec<&str> = s.split(' ').collect();
                w.sort_unstable();
                *b = w.join(" ").into_bytes();
            }
        }
        Value::Array(a) | Value::Set(a) => a.iter_mut().for_each(sort_rule_words),
        Value::Map(m) => m.iter_mut().for_each(|(_, x)| sort_rule_words(x)),
        _ => {}
    }
}

fn rules_mask() -> Mask {
    Mask::none().with(sort_rule_words)
}

/// ACL LOG: ages and client lines differ between processes.
fn log_mask() -> Mask {
    Mask::fields(&["age-seconds", "client-info"])
}

fn both(pair: &Pair, f: impl Fn(&mut Client)) {
    let (mut a, mut b) = pair.clients();
    f(&mut a);
    f(&mut b);
}

#[test]
fn setuser_auth_whoami_list_and_getuser_match_redis_sentinel() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        vec!["ACL", "SETUSER", "u", ">pw", "+@all", "on"],
        vec![
            "ACL", "SETUSER", "v", "on", ">x", "-@all", "+ping", "~foo*", "&ch", "%R~bar",
        ],
        vec!["ACL", "SETUSER", "w", "+@all", "-sentinel"],
        vec![
            "ACL",
            "SETUSER",
            "w2",
            "-@all",
            "+sentinel",
            "-sentinel|masters",
            "+ping|x",
        ],
        vec!["ACL", "SETUSER", "r", "reset"],
        vec![
            "ACL",
            "SETUSER",
            "s",
            "on",
            "(+ping ~k*)",
            "(-@all",
            "+info)",
            "allkeys",
            "allchannels",
            "allcommands",
        ],
        vec![
            "ACL",
            "SETUSER",
            "h",
            "#2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
        ],
        vec![
            "ACL",
            "SETUSER",
            "h",
            "!2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
            ">a",
            ">b",
            "<a",
            "nopass",
        ],
        vec![
            "ACL",
            "SETUSER",
            "k",
            "%RW~a",
            "%W~b",
            "%R~b",
            "%R~c",
            "skip-sanitize-payload",
        ],
        vec!["ACL", "LIST"],
        vec!["ACL", "USERS"],
        vec!["ACL", "GETUSER", "u"],
        vec!["ACL", "GETUSER", "v"],
        vec!["ACL", "GETUSER", "w"],
        vec!["ACL", "GETUSER", "s"],
        vec!["ACL", "GETUSER", "k"],
        vec!["ACL", "GETUSER", "default"],
        vec!["ACL", "GETUSER", "nobody"],
        vec!["ACL", "WHOAMI"],
        vec!["AUTH", "u", "bad"],
        vec!["AUTH", "nouser", "bad"],
        vec!["AUTH", "bad"],
        vec!["AUTH", "u", "pw"],
        vec!["ACL", "WHOAMI"],
        vec!["ACL", "DRYRUN", "w", "SENTINEL", "MASTERS"],
        vec!["ACL", "DRYRUN", "w", "sentinel", "help"],
        vec!["ACL", "DRYRUN", "u", "SUBSCRIBE", "x"],
        vec!["ACL", "DRYRUN", "u", "PSUBSCRIBE", "x"],
        vec!["ACL", "DRYRUN", "u", "PUBLISH", "x", "y"],
        vec!["ACL", "DRYRUN", "v", "SUBSCRIBE", "ch", "x"],
        vec!["ACL", "DRYRUN", "w2", "PING", "X"],
        vec!["ACL", "DRYRUN", "w2", "PING"],
        vec!["ACL", "DRYRUN", "u", "PING"],
        vec!["ACL", "DRYRUN", "zz", "PING"],
        vec!["ACL", "DRYRUN", "u", "FOO"],
        vec!["ACL", "DRYRUN", "u", "SENTINEL", "FOO"],
        vec!["ACL", "DRYRUN", "u", "SENTINEL", "MASTER"],
    ] {
        same_reply(&mut a, &mut b, &args, &rules_mask());
    }
}

#[test]
fn setuser_errors_match_redis_sentinel() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let long_hash = "A".repeat(64);
    let hash = format!("#{long_hash}");
    let unhash = format!("!{}", "a".repeat(64));
    for args in [
        vec!["ACL", "SETUSER", "x", "#abc"],
        vec!["ACL", "SETUSER", "x", &hash],
        vec!["ACL", "SETUSER", "x", "<nope"],
        vec!["ACL", "SETUSER", "x", &unhash],
        vec!["ACL", "SETUSER", "x", "~*", "~foo"],
        vec!["ACL", "SETUSER", "x", "&*", "&foo"],
        vec!["ACL", "SETUSER", "x y"],
        vec!["ACL", "SETUSER", "x", "on", "(+ping", "~x"],
        vec!["ACL", "SETUSER", "x", "bogus"],
        vec!["ACL", "SETUSER", "x", "+@nocat"],
        vec!["ACL", "SETUSER", "x", "+nocmd"],
        vec!["ACL", "SETUSER", "x", "%X~a"],
        vec!["ACL", "SETUSER", "x", "~a b"],
        vec!["ACL", "SETUSER", "x", "+sentinel|"],
        vec!["ACL", "SETUSER", "x", "+sentinel|foo"],
        vec!["ACL", "SETUSER", "x", "+sentinel|masters|x"],
        vec!["ACL", "SETUSER", "x", "-ping|x"],
        // Nothing of a failed SETUSER is applied.
        vec!["ACL", "SETUSER", "x", "on", ">p", "bogus"],
        vec!["ACL", "LIST"],
        vec!["ACL", "SETUSER", "x"],
        vec!["ACL", "LIST"],
        vec!["ACL", "DELUSER", "default"],
        vec!["ACL", "DELUSER", "x", "zz"],
        vec!["ACL", "DELUSER"],
        vec!["ACL", "GENPASS", "0"],
        vec!["ACL", "GENPASS", "x"],
        vec!["ACL", "GENPASS", "4097"],
        vec!["ACL", "GENPASS", "1", "2"],
        vec!["ACL", "LOG", "x"],
        vec!["ACL", "LOG", "-1"],
        vec!["ACL", "LOG", "RESET"],
        vec!["ACL", "LOG", "1", "2"],
        vec!["ACL", "WHOAMI", "x"],
        vec!["ACL", "LIST", "x"],
        vec!["ACL", "CAT", "x", "y"],
        vec!["ACL", "CAT", "nocat"],
        vec!["ACL", "LOAD"],
        vec!["ACL", "SAVE"],
        vec!["ACL", "SAVE", "x"],
        vec!["ACL", "HELP"],
        vec!["ACL", "NOPE"],
    ] {
        same_reply(&mut a, &mut b, &args, &Mask::none());
    }
    same_set(&mut a, &mut b, &["ACL", "CAT", "admin"]);
    same_set(&mut a, &mut b, &["ACL", "CAT", "slow"]);
    for bits in ["5", "256", "4096"] {
        let (ra, rb) = (
            a.cmd(&["ACL", "GENPASS", bits]),
            b.cmd(&["ACL", "GENPASS", bits]),
        );
        let (sa, sb) = (
            ra.as_str().unwrap_or_default(),
            rb.as_str().unwrap_or_default(),
        );
        assert_eq!(sa.len(), sb.len(), "GENPASS {bits}");
        assert!(sb
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}

#[test]
fn default_off_needs_auth_as_another_user_and_hello_auth_works() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(
        &mut a,
        &mut b,
        &["ACL", "SETUSER", "u", ">pw", "+@all", "on"],
        &Mask::none(),
    );
    same_reply(
        &mut a,
        &mut b,
        &["ACL", "SETUSER", "default", "off"],
        &Mask::none(),
    );
    // Connections authenticated before keep working.
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
    let (mut c, mut d) = pair.clients();
    let id = Mask::fields(&["id"]);
    for args in [
        vec!["PING"],
        vec!["SENTINEL", "MASTERS"],
        vec!["SENTINEL"],
        vec!["ACL", "WHOAMI"],
        vec!["HELLO", "3"],
        vec!["HELLO", "3", "AUTH", "u", "wrong"],
        vec!["HELLO", "3", "AUTH", "default", ""],
        vec!["AUTH", "default", "x"],
        vec!["HELLO", "2", "AUTH", "u", "pw"],
        vec!["ACL", "WHOAMI"],
        vec!["PING"],
    ] {
        same_reply(&mut c, &mut d, &args, &id);
    }
    let (mut e, mut f) = pair.clients();
    same_reply(&mut e, &mut f, &["AUTH", "u", "pw"], &Mask::none());
    same_reply(&mut e, &mut f, &["HELLO", "3"], &id);
    same_reply(&mut e, &mut f, &["ACL", "WHOAMI"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["ACL", "SETUSER", "default", "on"],
        &Mask::none(),
    );
    same_reply(&mut a, &mut b, &["ACL", "LOG"], &log_mask());
    same_reply(&mut a, &mut b, &["ACL", "LOG", "1"], &log_mask());
}

#[test]
fn noperm_for_a_user_without_sentinel_is_logged_like_redis_sentinel() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let rules = [
        "ACL",
        "SETUSER",
        "n",
        "on",
        ">pw",
        "+@all",
        "-sentinel",
        "&news*",
    ];
    same_reply(&mut a, &mut b, &rules, &Mask::none());
    let (mut c, mut d) = pair.clients();
    for args in [
        vec!["AUTH", "n", "pw"],
        vec!["SENTINEL", "MASTERS"],
        vec!["SENTINEL", "MASTERS"],
        vec!["sentinel", "get-master-addr-by-name", "mymaster"],
        vec!["SENTINEL", "HELP"],
        vec!["SENTINEL"],
        vec!["SENTINEL", "nope"],
        vec!["PUBLISH", "other", "x"],
        vec!["PSUBSCRIBE", "news*", "other*"],
        vec!["SUBSCRIBE", "other"],
        vec!["PING"],
        vec!["ROLE"],
    ] {
        same_reply(&mut c, &mut d, &args, &Mask::none());
    }
    same_reply(&mut a, &mut b, &["ACL", "LOG"], &log_mask());
    same_reply(&mut a, &mut b, &["ACL", "LOG", "RESET"], &Mask::none());
    same_reply(&mut a, &mut b, &["ACL", "LOG"], &Mask::none());
    // Allowed channels still subscribe.
    same_reply(&mut c, &mut d, &["SUBSCRIBE", "news1"], &Mask::none());
}

#[test]
fn deluser_disconnects_its_clients_but_off_does_not_like_redis() {
    let pair = Pair::mymaster();
    for side in [&pair.reference, &pair.candidate] {
        let mut admin = side.client();
        assert_eq!(
            admin.cmd(&["ACL", "SETUSER", "u", ">pw", "+@all", "on"]),
            Value::Simple("OK".into())
        );
        let mut c = side.client();
        assert_eq!(c.cmd(&["AUTH", "u", "pw"]), Value::Simple("OK".into()));
        admin.cmd(&["ACL", "SETUSER", "u", "off"]);
        assert_eq!(
            c.cmd(&["PING"]),
            Value::Simple("PONG".into()),
            "{:?}",
            side.sentinel
        );
        admin.cmd(&["ACL", "SETUSER", "u", "on"]);
        let mut d = side.client();
        d.cmd(&["AUTH", "u", "pw"]);
        // The deleting client itself is authenticated as u: it gets its reply, then closes.
        assert_eq!(d.cmd(&["ACL", "DELUSER", "u", "zz"]), Value::Int(1));
        assert!(
            d.closed_within(Duration::from_secs(2)),
            "{:?}",
            side.sentinel
        );
        assert!(
            c.closed_within(Duration::from_secs(2)),
            "{:?}",
            side.sentinel
        );
        assert_eq!(admin.cmd(&["PING"]), Value::Simple("PONG".into()));
    }
}

#[test]
fn client_kill_user_matches_redis_sentinel() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(
        &mut a,
        &mut b,
        &["ACL", "SETUSER", "u2", "on", "nopass", "+@all"],
        &Mask::none(),
    );
    let (mut c1, mut d1) = pair.clients();
    let (mut c2, mut d2) = pair.clients();
    same_reply(&mut c1, &mut d1, &["AUTH", "u2", "x"], &Mask::none());
    same_reply(&mut c2, &mut d2, &["AUTH", "u2", "y"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "KILL", "USER", "u2"],
        &Mask::none(),
    );
    for c in [&mut c1, &mut d1, &mut c2, &mut d2] {
        assert!(c.closed_within(Duration::from_secs(2)));
    }
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "KILL", "USER", "nobody"],
        &Mask::none(),
    );
    let (mut e, mut f) = pair.clients();
    same_reply(&mut e, &mut f, &["PING"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "KILL", "USER", "default", "SKIPME", "yes"],
        &Mask::none(),
    );
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "KILL", "USER", "default", "SKIPME", "no"],
        &Mask::none(),
    );
    assert!(a.closed_within(Duration::from_secs(2)));
    assert!(b.closed_within(Duration::from_secs(2)));
}

#[test]
fn requirepass_sets_the_default_users_password_like_redis_sentinel() {
    let pair = Pair::start(|mport| {
        SentinelConf::new()
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .requirepass("foo")
            .line("user peer on >peerpw ~* &* +@all")
    });
    let (mut a, mut b) = pair.clients();
    for args in [
        vec!["PING"],
        vec!["ACL", "WHOAMI"],
        vec!["AUTH", "wrong"],
        vec!["AUTH", "foo"],
        vec!["ACL", "LIST"],
        vec!["ACL", "GETUSER", "default"],
        vec!["AUTH", "peer", "peerpw"],
        vec!["ACL", "WHOAMI"],
        vec!["ACL", "SETUSER", "default", "nopass"],
    ] {
        same_reply(&mut a, &mut b, &args, &Mask::none());
    }
    // A fresh connection needs no AUTH once default is nopass again.
    let (mut c, mut d) = pair.clients();
    same_reply(&mut c, &mut d, &["PING"], &Mask::none());
    same_reply(&mut c, &mut d, &["AUTH", "x"], &Mask::none());
    both(&pair, |c| {
        c.cmd(&["ACL", "SETUSER", "default", "resetpass"]);
    });
    let (mut e, mut f) = pair.clients();
    same_reply(&mut e, &mut f, &["PING"], &Mask::none());
    same_reply(&mut e, &mut f, &["HELLO"], &Mask::none());
}

/// A local non-loopback address of this host, if it has one.
fn non_loopback_ip() -> Option<IpAddr> {
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// Everything the server sends to a fresh connection (that sends `PING\r\n` if `ping`), up
/// to EOF (or reset) or 1 s.
fn first_bytes(ip: IpAddr, port: u16, ping: bool) -> Vec<u8> {
    let addr = SocketAddr::new(ip, port);
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return b"<connect failed>".to_vec();
    };
    if ping {
        let _ = std::io::Write::write_all(&mut s, b"PING\r\n");
    }
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => {
                out.extend_from_slice(b"<EOF>");
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                out.extend_from_slice(b"<EOF>");
                break;
            }
            Ok(n) => out.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(_) => break,
        }
    }
    out
}

#[test]
fn protected_mode_refuses_non_loopback_clients_while_default_has_no_password() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("no non-loopback address on this host; skipping");
        return;
    };
    let pair = Pair::start(|mport| {
        SentinelConf::new()
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .line("protected-mode yes")
            .line(format!("bind 127.0.0.1 {ip}"))
    });
    let ports = [
        pair.reference.sentinel.port(),
        pair.candidate.sentinel.port(),
    ];
    // The refusal is sent at once, before the client says anything, then the server closes.
    let outside = ports.map(|p| first_bytes(ip, p, false));
    assert!(outside[0].starts_with(b"-DENIED Redis is running in protected mode"));
    assert_eq!(
        String::from_utf8_lossy(&outside[0]),
        String::from_utf8_lossy(&outside[1])
    );
    let inside = ports.map(|p| first_bytes(IpAddr::from([127, 0, 0, 1]), p, true));
    assert_eq!(inside[0], inside[1]);
    assert!(inside[1].starts_with(b"+PONG\r\n"));
    both(&pair, |c| {
        c.cmd(&["ACL", "SETUSER", "default", ">x"]);
    });
    let outside = ports.map(|p| first_bytes(ip, p, true));
    assert_eq!(outside[0], outside[1]);
    assert!(outside[1].starts_with(b"-NOAUTH"));
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["AUTH", "x"], &Mask::none());
    let ra = a.cmd(&["INFO", "stats"]).as_str().unwrap_or_default();
    let rb = b.cmd(&["INFO", "stats"]).as_str().unwrap_or_default();
    for r in [ra, rb] {
        assert!(r.contains("rejected_connections:1\r\n"), "{r}");
    }
}

#[test]
fn revoking_channels_disconnects_subscribers_that_lost_them_like_redis() {
    let pair = Pair::mymaster();
    for side in [&pair.reference, &pair.candidate] {
        let mut admin = side.client();
        admin.cmd(&["ACL", "SETUSER", "u", "on", ">pw", "+@all", "&a*", "&b"]);
        let mut keeps = side.client();
        keeps.cmd(&["AUTH", "u", "pw"]);
        keeps.subscribe(&["b"]);
        let mut loses = side.client();
        loses.cmd(&["AUTH", "u", "pw"]);
        loses.subscribe(&["a1"]);
        // Still a superset: nobody is touched.
        admin.cmd(&["ACL", "SETUSER", "u", "&c"]);
        assert!(
            !loses.closed_within(Duration::from_millis(300)),
            "{:?}",
            side.sentinel
        );
        assert_eq!(
            admin.cmd(&["ACL", "SETUSER", "u", "resetchannels", "&b"]),
            Value::Simple("OK".into())
        );
        assert!(
            loses.closed_within(Duration::from_secs(2)),
            "{:?}",
            side.sentinel
        );
        assert!(
            !keeps.closed_within(Duration::from_millis(300)),
            "{:?}",
            side.sentinel
        );
    }
}

#[test]
fn a_user_name_that_is_not_utf8_authenticates_and_runs_commands_like_redis() {
    // Names are bytes: a client authenticated as "\xff" must be checked as "\xff" (not as
    // its lossy UTF-8 rendering, which names no user: every command was NOPERM).
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let name: &[u8] = b"u\xff";
    let m = Mask::none();
    same_reply(
        &mut a,
        &mut b,
        &[b"ACL".as_slice(), b"SETUSER", name, b"on", b">pw", b"+@all"],
        &m,
    );
    let ok = same_reply(&mut a, &mut b, &[b"AUTH".as_slice(), name, b"pw"], &m);
    assert_eq!(ok.as_str().as_deref(), Some("OK"));
    let pong = same_reply(&mut a, &mut b, &["PING"], &m);
    assert_eq!(pong.as_str().as_deref(), Some("PONG"));
    let who = same_reply(&mut a, &mut b, &["ACL", "WHOAMI"], &m);
    assert_eq!(who, Value::Bulk(name.to_vec()));
    // A sentinel command too (run ids differ: compare that neither is an error).
    let (ra, rb) = (a.cmd(&["SENTINEL", "MYID"]), b.cmd(&["SENTINEL", "MYID"]));
    assert!(!ra.is_error() && !rb.is_error(), "{ra:?} / {rb:?}");
}
