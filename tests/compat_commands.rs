//! Differential tests of the client-facing command surface: each test runs the same config
//! under Debian's `redis-sentinel` 7.0.15 and under `rsentinel` (each monitoring its own real
//! master) and requires equal replies — byte for byte unless a mask says otherwise.
//! Spec: shared/spec/redis-sentinel-7.0.md §2–§4, §7; clients.md.
//!
//! `RSENTINEL_COMPARE_SELF=1 cargo test --test compat_commands` runs redis-sentinel on both
//! sides, which must pass: it checks the harness and masks rather than rsentinel.

mod common;

use std::time::Duration;

use common::client::{show_bytes, Value};
use common::compare::{candidate_kind, compare_tls, deliberate_difference};
use common::*;

fn settled() -> Pair {
    let pair = Pair::mymaster();
    pair.wait_settled("mymaster");
    pair
}

// ---------------------------------------------------------------------------------------
// PING, INFO, ROLE, HELLO, COMMAND, CLIENT

#[test]
fn ping_replies_match_with_and_without_message_and_inline() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
    same_reply(&mut a, &mut b, &["ping"], &Mask::none());
    same_reply(&mut a, &mut b, &["PING", "hello world"], &Mask::none());
    same_reply(&mut a, &mut b, &["PING", ""], &Mask::none());
    same_reply(&mut a, &mut b, &["PING", "a", "b"], &Mask::none());
    // Inline commands (the Redis test suite probes liveness with `PING\r\n\n`).
    same_raw(&mut a, &mut b, b"PING\r\n", 1, &Mask::none());
    same_raw(&mut a, &mut b, b"PING\r\n\n", 1, &Mask::none());
    same_raw(&mut a, &mut b, b"PING inline-msg\r\n", 1, &Mask::none());
    // Pipelined: three replies in order.
    same_raw(
        &mut a,
        &mut b,
        b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nPING\r\n$1\r\nx\r\nPING\r\n",
        3,
        &Mask::none(),
    );
    let (mut a3, mut b3) = pair.clients3();
    same_reply(&mut a3, &mut b3, &["PING"], &Mask::none());
    same_reply(&mut a3, &mut b3, &["PING", "m"], &Mask::none());
}

/// Values that must agree between implementations (others are volatile or build-specific).
const INFO_STABLE: &[&str] = &[
    "redis_version",
    "redis_mode",
    "arch_bits",
    "tcp_port",
    "configured_hz",
    "io_threads_active",
    "cluster_connections",
    "maxclients",
    "blocked_clients",
    "tracking_clients",
    "clients_in_timeout_table",
    "pubsub_channels",
    "pubsub_patterns",
    "sentinel_masters",
    "sentinel_tilt",
    "sentinel_tilt_since_seconds",
    "sentinel_running_scripts",
    "sentinel_scripts_queue_length",
    "sentinel_simulate_failure_flags",
    "master0",
];

#[test]
fn info_sections_field_names_and_stable_values_match() {
    let pair = settled();
    let (mut a, mut b) = pair.clients();
    for args in [
        vec!["INFO"],
        vec!["INFO", "default"],
        vec!["INFO", "all"],
        vec!["INFO", "everything"],
        vec!["INFO", "server"],
        vec!["INFO", "SERVER"],
        vec!["INFO", "clients"],
        vec!["INFO", "stats"],
        vec!["INFO", "cpu"],
        vec!["INFO", "sentinel"],
        vec!["INFO", "foo"],
        vec!["INFO", "server", "sentinel", "replication"],
        vec!["INFO", "sentinel", "server"],
        vec!["INFO", "memory", "persistence", "keyspace", "cluster"],
    ] {
        same_info(&mut a, &mut b, &args, INFO_STABLE);
    }
    let info = same_info(&mut a, &mut b, &["INFO"], INFO_STABLE);
    let titles: Vec<&str> = info.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Server", "Clients", "Stats", "CPU", "Sentinel"]);
    // INFO is a plain bulk string even under RESP3.
    let (mut a3, mut b3) = pair.clients3();
    same_info(&mut a3, &mut b3, &["INFO", "sentinel"], INFO_STABLE);
}

#[test]
fn role_matches() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["ROLE"], &Mask::none());
    same_reply(&mut a, &mut b, &["role"], &Mask::none());
    same_reply(&mut a, &mut b, &["ROLE", "x"], &Mask::none());
}

#[test]
fn hello_replies_match_for_each_protocol_and_reject_version_4() {
    let pair = Pair::mymaster();
    let id = Mask::fields(&["id"]);
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["HELLO"], &id);
    same_reply(&mut a, &mut b, &["HELLO", "2"], &id);
    same_reply(&mut a, &mut b, &["HELLO", "4"], &Mask::none());
    same_reply(&mut a, &mut b, &["HELLO", "1"], &Mask::none());
    same_reply(&mut a, &mut b, &["HELLO", "foo"], &Mask::none());
    same_reply(&mut a, &mut b, &["HELLO", "3", "SETNAME", "bad name"], &id);
    same_reply(&mut a, &mut b, &["HELLO", "3", "SETNAME", "cli"], &id);
    // Now RESP3: HELLO itself answers a map; CLIENT GETNAME sees the name.
    same_reply(&mut a, &mut b, &["HELLO"], &id);
    same_reply(&mut a, &mut b, &["CLIENT", "GETNAME"], &Mask::none());
    same_reply(&mut a, &mut b, &["HELLO", "3", "AUTH", "default"], &id);
    same_reply(&mut a, &mut b, &["HELLO", "3", "FOO"], &id);
    same_reply(&mut a, &mut b, &["HELLO", "2"], &id);
}

#[test]
fn command_count_is_15_and_matches() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let v = same_reply(&mut a, &mut b, &["COMMAND", "COUNT"], &Mask::none());
    assert_eq!(v, Value::Int(15));
}

#[test]
fn command_list_has_the_same_72_names() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let names = same_set(&mut a, &mut b, &["COMMAND", "LIST"]);
    assert_eq!(names.len(), 72);
    assert!(names.contains("sentinel|is-master-down-by-addr"));
}

#[test]
fn command_info_matches_for_single_commands() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["COMMAND", "INFO", "ping"], &Mask::none());
    same_reply(&mut a, &mut b, &["COMMAND", "INFO", "PING"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["COMMAND", "INFO", "role", "auth", "nosuch"],
        &Mask::none(),
    );
    same_reply(&mut a, &mut b, &["COMMAND", "INFO", "get"], &Mask::none());
    same_reply(&mut a, &mut b, &["COMMAND", "FOO"], &Mask::none());
    let (mut a3, mut b3) = pair.clients3();
    same_reply(
        &mut a3,
        &mut b3,
        &["COMMAND", "INFO", "ping"],
        &Mask::none(),
    );
}

#[test]
fn client_id_setname_getname_match() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    // Client ids count connections, which differ with probing: compare the type only.
    same_reply(&mut a, &mut b, &["CLIENT", "ID"], &Mask::none().ints());
    same_reply(&mut a, &mut b, &["CLIENT", "GETNAME"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "SETNAME", "app-1"],
        &Mask::none(),
    );
    same_reply(&mut a, &mut b, &["CLIENT", "GETNAME"], &Mask::none());
    same_reply(
        &mut a,
        &mut b,
        &["CLIENT", "SETNAME", "has space"],
        &Mask::none(),
    );
    same_reply(&mut a, &mut b, &["CLIENT", "SETNAME", ""], &Mask::none());
    same_reply(&mut a, &mut b, &["CLIENT", "GETNAME"], &Mask::none());
    same_reply(&mut a, &mut b, &["CLIENT", "SETNAME"], &Mask::none());
    same_reply(&mut a, &mut b, &["CLIENT", "FOO"], &Mask::none());
    same_reply(&mut a, &mut b, &["CLIENT"], &Mask::none());
}

#[test]
fn client_setinfo_is_accepted_as_redis_7_2_does_a_deliberate_difference() {
    // Every current client library sends these on connect (clients.md); 7.0 answers an
    // unknown-subcommand error (which the libraries ignore), rsentinel answers as Redis 7.2's
    // clientSetinfoCommand. CLIENT LIST / CLIENT INFO keep 7.0.15's fields either way.
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    deliberate_difference(
        &mut a,
        &mut b,
        &["CLIENT", "SETINFO", "LIB-NAME", "redis-py"],
        b"-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n",
        b"+OK\r\n",
    );
    deliberate_difference(
        &mut a,
        &mut b,
        &["CLIENT", "SETINFO", "LIB-VER", "8.1.0"],
        b"-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n",
        b"+OK\r\n",
    );
    deliberate_difference(
        &mut a,
        &mut b,
        &["CLIENT", "SETINFO", "lib-name", "two words"],
        b"-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n",
        b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n",
    );
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
    let info_keys = |c: &mut common::client::Client| -> Vec<String> {
        let (_, raw) = c.cmd_raw(&["CLIENT", "INFO"]);
        String::from_utf8_lossy(&raw)
            .split_whitespace()
            .filter_map(|f| f.split_once('=').map(|(k, _)| k.to_string()))
            .collect()
    };
    assert_eq!(info_keys(&mut a), info_keys(&mut b));
}

#[test]
fn valkey_primary_subcommands_answer_as_the_master_forms_a_deliberate_difference() {
    // Valkey 8 added primary-named spellings; 7.0 rejects them. rsentinel answers each one
    // exactly as the master-named form, from the same process.
    let pair = settled();
    let (mut a, mut b) = pair.clients();
    let pairs: [(&[&str], &[&str]); 4] = [
        (
            &["SENTINEL", "PRIMARY", "mymaster"],
            &["SENTINEL", "MASTER", "mymaster"],
        ),
        (&["SENTINEL", "PRIMARIES"], &["SENTINEL", "MASTERS"]),
        (
            &["SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", "mymaster"],
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        ),
        (
            &[
                "SENTINEL",
                "IS-PRIMARY-DOWN-BY-ADDR",
                "127.0.0.1",
                "1",
                "0",
                "*",
            ],
            &[
                "SENTINEL",
                "IS-MASTER-DOWN-BY-ADDR",
                "127.0.0.1",
                "1",
                "0",
                "*",
            ],
        ),
    ];
    let self_check = matches!(candidate_kind(), common::proc::Kind::RedisSentinel);
    for (alias, master_form) in pairs {
        let sub = alias.get(1).copied().unwrap_or_default();
        let unknown = format!("-ERR unknown subcommand '{sub}'. Try SENTINEL HELP.\r\n");
        let (_, ra) = a.cmd_raw(alias);
        assert_eq!(
            show_bytes(&ra),
            show_bytes(unknown.as_bytes()),
            "reference {alias:?}"
        );
        let (mut got, rb) = b.cmd_raw(alias);
        if self_check {
            assert_eq!(show_bytes(&rb), show_bytes(unknown.as_bytes()), "{alias:?}");
            continue;
        }
        // Timing fields (last-ping-reply, ...) may move between two requests: compare under
        // the instance mask.
        let mut want = b.cmd(master_form);
        Mask::instance().apply(&mut got);
        Mask::instance().apply(&mut want);
        assert_eq!(got, want, "{alias:?} vs {master_form:?}");
        assert!(!matches!(got, Value::Error(_)), "{alias:?}: {got:?}");
    }
    // As redis-cli users see it (the stable replies only). In the TLS-only mode the port is
    // TLS: the replies were compared over TLS above, and redis-cli --tls is tests/tls.rs's.
    if compare_tls() {
        return;
    }
    let port = pair.candidate.sentinel.port().to_string();
    let cli = |args: &[&str]| -> String {
        let out = std::process::Command::new("timeout")
            .args(["10", "redis-cli", "-p", port.as_str()])
            .args(args)
            .output();
        out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    for (alias, master_form) in [
        ("GET-PRIMARY-ADDR-BY-NAME", "GET-MASTER-ADDR-BY-NAME"),
        ("get-primary-addr-by-name", "get-master-addr-by-name"),
    ] {
        let want = cli(&["SENTINEL", master_form, "mymaster"]);
        let got = cli(&["SENTINEL", alias, "mymaster"]);
        if self_check {
            assert!(got.contains("unknown subcommand"), "{got}");
        } else {
            assert!(want.starts_with("127.0.0.1\n"), "{want}");
            assert_eq!(got, want);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Generic errors

#[test]
fn unknown_command_error_text_matches() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["FOO"], &Mask::none());
    same_reply(&mut a, &mut b, &["foo", "a", "b c"], &Mask::none());
    same_reply(&mut a, &mut b, &["CONFIG", "GET", "*"], &Mask::none());
    same_reply(&mut a, &mut b, &["GET", "k"], &Mask::none());
    // CR/LF in user input become spaces.
    same_reply(&mut a, &mut b, &["FOO", "a\r\nb"], &Mask::none());
    // Name truncated to 128 characters; the argument list stops once it reaches 128.
    let long_name = "x".repeat(200);
    same_reply(&mut a, &mut b, &[long_name.as_str(), "arg"], &Mask::none());
    let arg = "abcdefghij".repeat(3);
    let args: Vec<&str> = std::iter::once("NOPE")
        .chain(std::iter::repeat_n(arg.as_str(), 10))
        .collect();
    same_reply(&mut a, &mut b, &args, &Mask::none());
    let huge = "y".repeat(300);
    same_reply(&mut a, &mut b, &["NOPE", huge.as_str()], &Mask::none());
    same_raw(&mut a, &mut b, b"NOPE inline args\r\n", 1, &Mask::none());
    // The connection is still usable.
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
}

#[test]
fn arity_errors_name_the_full_command() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL"][..],
        &["sentinel"],
        &["SENTINEL", "SET", "mymaster"],
        &["SENTINEL", "SET", "mymaster", "quorum"],
        &["SENTINEL", "MASTER"],
        &["SENTINEL", "MASTERS", "extra"],
        &["SENTINEL", "MYID", "x"],
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME"],
        &["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0"],
        &["SENTINEL", "CONFIG", "GET"],
        &["SENTINEL", "INFO-CACHE"],
        &["SENTINEL", "SIMULATE-FAILURE"],
        &["AUTH"],
        &["PUBLISH", "ch"],
        &["SUBSCRIBE"],
        &["PSUBSCRIBE"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
}

#[test]
fn sentinel_unknown_subcommand_error_matches() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["SENTINEL", "FOO"], &Mask::none());
    same_reply(&mut a, &mut b, &["sentinel", "foo", "bar"], &Mask::none());
    same_reply(&mut a, &mut b, &["SENTINEL", "a\r\nb"], &Mask::none());
    let long = "z".repeat(200);
    same_reply(&mut a, &mut b, &["SENTINEL", long.as_str()], &Mask::none());
}

// ---------------------------------------------------------------------------------------
// SENTINEL subcommands

#[test]
fn sentinel_myid_is_a_stable_40_char_hex_id() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let ids = Mask::none().with(|v| {
        if let Value::Bulk(b) = v {
            assert_eq!(b.len(), 40, "myid length");
            assert!(b.iter().all(u8::is_ascii_hexdigit), "myid not hex: {b:?}");
            *v = Value::Masked("myid".into());
        }
    });
    same_reply(&mut a, &mut b, &["SENTINEL", "MYID"], &ids);
    let first = b.cmd(&["SENTINEL", "MYID"]);
    assert_eq!(b.cmd(&["SENTINEL", "myid"]), first);
    let id = first.as_str().expect("bulk id");
    assert!(pair.candidate.sentinel.read_config().contains(&id));
}

#[test]
fn sentinel_help_matches() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let v = same_reply(&mut a, &mut b, &["SENTINEL", "HELP"], &Mask::none());
    assert_eq!(v.as_array().map(<[Value]>::len), Some(49));
    same_reply(&mut a, &mut b, &["sentinel", "help"], &Mask::none());
}

#[test]
fn sentinel_config_get_matches_in_resp2_and_resp3() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for pat in [
        "*",
        "announce-*",
        "ANNOUNCE-IP",
        "resolve-hostnames",
        "nomatch",
        "*pass*",
    ] {
        same_reply(
            &mut a,
            &mut b,
            &["SENTINEL", "CONFIG", "GET", pat],
            &Mask::none(),
        );
    }
    let (mut a3, mut b3) = pair.clients3();
    same_reply(
        &mut a3,
        &mut b3,
        &["SENTINEL", "CONFIG", "GET", "*"],
        &Mask::none(),
    );
}

#[test]
fn sentinel_config_set_errors_match() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "CONFIG", "SET", "announce-port", "99999"][..],
        &["SENTINEL", "CONFIG", "SET", "announce-port", "-1"],
        &["SENTINEL", "CONFIG", "SET", "announce-port", "abc"],
        &["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"],
        &["SENTINEL", "CONFIG", "SET", "announce-hostnames", "1"],
        &["SENTINEL", "CONFIG", "SET", "foo", "bar"],
        &["SENTINEL", "CONFIG", "SET", "announce-port"],
        &["SENTINEL", "CONFIG", "FOO", "x"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
    // Nothing was changed by the errors.
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "CONFIG", "GET", "*"],
        &Mask::none(),
    );
}

#[test]
fn sentinel_config_set_success_is_visible_in_config_get() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "CONFIG", "SET", "announce-port", "7777"][..],
        &["SENTINEL", "CONFIG", "SET", "announce-ip", "10.1.2.3"],
        &["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes"],
        &["SENTINEL", "CONFIG", "SET", "sentinel-pass", "pw"],
        &["SENTINEL", "CONFIG", "GET", "*"],
        &["SENTINEL", "CONFIG", "SET", "announce-ip", ""],
        &["SENTINEL", "CONFIG", "GET", "announce-ip"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
    assert!(pair
        .candidate
        .sentinel
        .read_config()
        .contains("sentinel announce-port 7777"));
}

#[test]
fn sentinel_masters_and_master_match_in_resp2() {
    let pair = settled();
    let (mut a, mut b) = pair.clients();
    let m = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::instance(),
    );
    assert_eq!(m.to_pairs().map(|p| p.len()), Some(20));
    same_reply(&mut a, &mut b, &["SENTINEL", "MASTERS"], &Mask::instance());
    same_reply(&mut a, &mut b, &["sentinel", "masters"], &Mask::instance());
}

#[test]
fn sentinel_masters_and_master_are_maps_in_resp3() {
    let pair = settled();
    let (mut a, mut b) = pair.clients3();
    let m = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::instance(),
    );
    assert!(matches!(m, Value::Map(ref p) if p.len() == 20), "{m:?}");
    same_reply(&mut a, &mut b, &["SENTINEL", "MASTERS"], &Mask::instance());
}

#[test]
fn sentinel_master_of_unknown_name_errors() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for sub in [
        "MASTER",
        "REPLICAS",
        "SLAVES",
        "SENTINELS",
        "FAILOVER",
        "CKQUORUM",
        "REMOVE",
    ] {
        same_reply(&mut a, &mut b, &["SENTINEL", sub, "nosuch"], &Mask::none());
    }
    // Names are case-sensitive.
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "MYMASTER"],
        &Mask::none(),
    );
}

#[test]
fn get_master_addr_by_name_matches_and_answers_null_for_unknown() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let v = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        &Mask::none(),
    );
    assert_eq!(
        v,
        Value::Array(vec![Value::bulk("127.0.0.1"), Value::bulk("<master-port>")])
    );
    let nil = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"],
        &Mask::none(),
    );
    assert_eq!(nil, Value::NilArray);
    let (mut a3, mut b3) = pair.clients3();
    same_reply(
        &mut a3,
        &mut b3,
        &["SENTINEL", "get-master-addr-by-name", "mymaster"],
        &Mask::none(),
    );
    let nil = same_reply(
        &mut a3,
        &mut b3,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"],
        &Mask::none(),
    );
    assert_eq!(nil, Value::Null);
}

#[test]
fn sentinel_read_only_subcommands_match_for_a_lone_sentinel() {
    let pair = settled();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "REPLICAS", "mymaster"][..],
        &["SENTINEL", "SLAVES", "mymaster"],
        &["SENTINEL", "SENTINELS", "mymaster"],
        &["SENTINEL", "PENDING-SCRIPTS"],
        &["SENTINEL", "CKQUORUM", "mymaster"],
        &["SENTINEL", "FAILOVER", "mymaster"],
        &["SENTINEL", "RESET", "nosuch*"],
        &[
            "SENTINEL",
            "IS-MASTER-DOWN-BY-ADDR",
            "127.0.0.1",
            "1",
            "0",
            "*",
        ],
        &[
            "SENTINEL",
            "IS-MASTER-DOWN-BY-ADDR",
            "127.0.0.1",
            "x",
            "0",
            "*",
        ],
        &[
            "SENTINEL",
            "IS-MASTER-DOWN-BY-ADDR",
            "127.0.0.1",
            "1",
            "x",
            "*",
        ],
        &["SENTINEL", "FLUSHCONFIG"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::instance());
    }
}

#[test]
fn sentinel_set_errors_match_spec_4_4() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "SET", "nosuch", "quorum", "2"][..],
        &["SENTINEL", "SET", "mymaster", "quorum", "0"],
        &["SENTINEL", "SET", "mymaster", "quorum", "abc"],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "down-after-milliseconds",
            "0",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "down-after-milliseconds",
            "-5",
        ],
        &["SENTINEL", "SET", "mymaster", "failover-timeout", "x"],
        &["SENTINEL", "SET", "mymaster", "parallel-syncs", "0"],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "master-reboot-down-after-period",
            "-1",
        ],
        &["SENTINEL", "SET", "mymaster", "foo", "bar"],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "quorum",
            "2",
            "parallel-syncs",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "notification-script",
            "/bin/true",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "client-reconfig-script",
            "/bin/true",
        ],
        &["SENTINEL", "SET", "mymaster", "rename-command", "PING"],
        &["SENTINEL", "SET", "mymaster", "rename-command", "", "PONG"],
        &["SENTINEL", "SET", "mymaster", "rename-command", "PING", ""],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
}

#[test]
fn sentinel_set_applies_earlier_options_before_an_error() {
    let pair = settled();
    let (mut a, mut b) = pair.clients();
    for args in [
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "quorum",
            "3",
            "failover-timeout",
            "-1",
        ][..],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "down-after-milliseconds",
            "5000",
            "parallel-syncs",
            "4",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "auth-pass",
            "secret",
            "auth-user",
            "u",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "rename-command",
            "CONFIG",
            "MYCONFIG",
        ],
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "master-reboot-down-after-period",
            "100",
        ],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
    let m = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::instance().and_fields(&["flags"]),
    );
    assert_eq!(m.field("quorum").as_deref(), Some("3"));
    assert_eq!(m.field("down-after-milliseconds").as_deref(), Some("5000"));
    let conf = pair.candidate.sentinel.read_config();
    assert!(
        conf.contains("sentinel down-after-milliseconds mymaster 5000"),
        "{conf}"
    );
}

#[test]
fn sentinel_debug_lists_timers_and_validates_arguments() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let v = same_reply(&mut a, &mut b, &["SENTINEL", "DEBUG"], &Mask::none());
    assert_eq!(v.to_pairs().map(|p| p.len()), Some(13));
    for args in [
        &["SENTINEL", "DEBUG", "info-period", "0"][..],
        &["SENTINEL", "DEBUG", "ping-period", "abc"],
        &["SENTINEL", "DEBUG", "foo", "1"],
        &["SENTINEL", "DEBUG", "ping-period"],
        &[
            "SENTINEL",
            "DEBUG",
            "INFO-PERIOD",
            "5000",
            "ask-period",
            "-3",
        ],
        &[
            "SENTINEL",
            "DEBUG",
            "publish-period",
            "3000",
            "tilt-period",
            "40000",
        ],
        &["SENTINEL", "DEBUG"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
    let (mut a3, mut b3) = pair.clients3();
    same_reply(&mut a3, &mut b3, &["SENTINEL", "DEBUG"], &Mask::none());
}

#[test]
fn sentinel_monitor_errors_follow_the_spec_order() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "6379", "abc"][..],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "abc", "2"],
        &["SENTINEL", "MONITOR", "m2", "not-an-ip", "abc", "xyz"],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "6379", "0"],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "6379", "-1"],
        &[
            "SENTINEL",
            "MONITOR",
            "m2",
            "nosuchhost.invalid",
            "6379",
            "2",
        ],
        &["SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "6379", "2"],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "70000", "2"],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "-1", "2"],
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "6379"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
}

#[test]
fn sentinel_monitor_then_remove_a_second_master() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    // Port 1: nothing listens there, identical on both sides.
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MONITOR", "m2", "127.0.0.1", "1", "1"],
        &Mask::none(),
    );
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "m2"],
        &Mask::instance().and_fields(&["flags"]),
    );
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m2"],
        &Mask::none(),
    );
    assert!(pair
        .candidate
        .sentinel
        .read_config()
        .contains("sentinel monitor m2 127.0.0.1 1 1"));
    same_reply(&mut a, &mut b, &["SENTINEL", "REMOVE", "m2"], &Mask::none());
    same_reply(&mut a, &mut b, &["ROLE"], &Mask::none());
    same_reply(&mut a, &mut b, &["SENTINEL", "MASTER", "m2"], &Mask::none());
}

#[test]
fn simulate_failure_help_and_errors_match() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    for args in [
        &["SENTINEL", "SIMULATE-FAILURE", "HELP"][..],
        &["SENTINEL", "SIMULATE-FAILURE", "help"],
        &["SENTINEL", "SIMULATE-FAILURE", "foo"],
        &["SENTINEL", "SIMULATE-FAILURE", "crash-after-election"],
    ] {
        same_reply(&mut a, &mut b, args, &Mask::none());
    }
    same_info(
        &mut a,
        &mut b,
        &["INFO", "sentinel"],
        &["sentinel_simulate_failure_flags"],
    );
    same_reply(
        &mut a,
        &mut b,
        &[
            "SENTINEL",
            "SIMULATE-FAILURE",
            "CRASH-AFTER-PROMOTION",
            "crash-after-election",
        ],
        &Mask::none(),
    );
    same_info(
        &mut a,
        &mut b,
        &["INFO", "sentinel"],
        &["sentinel_simulate_failure_flags"],
    );
}

#[test]
fn info_cache_skips_unknown_masters() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let v = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "INFO-CACHE", "nosuch"],
        &Mask::none(),
    );
    assert_eq!(v, Value::Array(vec![]));
    same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "INFO-CACHE", "nosuch", "other"],
        &Mask::none(),
    );
}

// ---------------------------------------------------------------------------------------
// Pub/sub

#[test]
fn publish_is_refused_except_on_the_hello_channel() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["PUBLISH", "foo", "bar"], &Mask::none());
    same_reply(&mut a, &mut b, &["PUBLISH", "+sdown", "x"], &Mask::none());
    // A malformed hello is accepted (and ignored).
    same_reply(
        &mut a,
        &mut b,
        &["PUBLISH", "__sentinel__:hello", "garbage"],
        &Mask::none(),
    );
}

#[test]
fn subscribe_reply_shapes_match_in_resp2() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let none = Mask::none();
    same_reply(&mut a, &mut b, &["UNSUBSCRIBE"], &none);
    same_reply(&mut a, &mut b, &["PUNSUBSCRIBE"], &none);
    same_reply(&mut a, &mut b, &["SUBSCRIBE", "foo"], &none);
    a.send(&["SUBSCRIBE", "bar", "baz"]);
    b.send(&["SUBSCRIBE", "bar", "baz"]);
    compare::same_next(&mut a, &mut b, "SUBSCRIBE bar baz (1)", &none);
    compare::same_next(&mut a, &mut b, "SUBSCRIBE bar baz (2)", &none);
    same_reply(&mut a, &mut b, &["PSUBSCRIBE", "+s*"], &none);
    // PING in subscribed RESP2 mode is a two-element array.
    same_reply(&mut a, &mut b, &["PING"], &none);
    same_reply(&mut a, &mut b, &["PING", "m"], &none);
    // Other commands are refused in subscribed mode.
    same_reply(&mut a, &mut b, &["SENTINEL", "MASTERS"], &none);
    same_reply(&mut a, &mut b, &["ROLE"], &none);
    same_reply(&mut a, &mut b, &["UNSUBSCRIBE", "foo"], &none);
    same_reply(&mut a, &mut b, &["UNSUBSCRIBE", "nosuch"], &none);
    same_reply(&mut a, &mut b, &["PUNSUBSCRIBE", "+s*"], &none);
    a.send(&["UNSUBSCRIBE", "bar", "baz"]);
    b.send(&["UNSUBSCRIBE", "bar", "baz"]);
    compare::same_next(&mut a, &mut b, "UNSUBSCRIBE bar baz (1)", &none);
    compare::same_next(&mut a, &mut b, "UNSUBSCRIBE bar baz (2)", &none);
    // Back to normal mode.
    same_reply(&mut a, &mut b, &["PING"], &none);
    same_reply(&mut a, &mut b, &["ROLE"], &none);
}

#[test]
fn subscribe_reply_shapes_are_push_frames_in_resp3() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients3();
    let none = Mask::none();
    same_reply(&mut a, &mut b, &["UNSUBSCRIBE"], &none);
    let v = same_reply(&mut a, &mut b, &["SUBSCRIBE", "foo"], &none);
    assert!(matches!(v, Value::Push(_)), "{v:?}");
    same_reply(&mut a, &mut b, &["PSUBSCRIBE", "[-+]sdown"], &none);
    // RESP3 allows any command while subscribed.
    same_reply(&mut a, &mut b, &["PING"], &none);
    same_reply(&mut a, &mut b, &["ROLE"], &none);
    same_reply(&mut a, &mut b, &["UNSUBSCRIBE"], &none);
    same_reply(&mut a, &mut b, &["PUNSUBSCRIBE"], &none);
}

#[test]
fn sentinel_set_event_reaches_pattern_subscribers_in_both_protocols() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    let (mut a3, mut b3) = pair.clients3();
    let none = Mask::none();
    same_reply(&mut a, &mut b, &["PSUBSCRIBE", "+se?"], &none);
    same_reply(&mut a3, &mut b3, &["SUBSCRIBE", "+set"], &none);
    let (mut ca, mut cb) = pair.clients();
    same_reply(
        &mut ca,
        &mut cb,
        &["SENTINEL", "SET", "mymaster", "quorum", "1"],
        &none,
    );
    for c in [&mut a, &mut b, &mut a3, &mut b3] {
        assert!(
            c.next_message(Duration::from_secs(5)).is_some(),
            "no +set event on port {}",
            c.port()
        );
    }
    // Compare the message frames themselves with a second event.
    same_reply(
        &mut ca,
        &mut cb,
        &["SENTINEL", "SET", "mymaster", "auth-pass", "hidden"],
        &none,
    );
    let v = compare::same_next(&mut a, &mut b, "+set pmessage (RESP2)", &none);
    assert_eq!(
        v,
        Value::Array(vec![
            Value::bulk("pmessage"),
            Value::bulk("+se?"),
            Value::bulk("+set"),
            Value::bulk("master mymaster 127.0.0.1 <master-port> auth-pass ******"),
        ])
    );
    let v = compare::same_next(&mut a3, &mut b3, "+set message (RESP3)", &none);
    assert!(matches!(v, Value::Push(_)), "{v:?}");
}

// ---------------------------------------------------------------------------------------
// AUTH

#[test]
fn auth_without_requirepass_errors_match() {
    let pair = Pair::mymaster();
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["AUTH", "x"], &Mask::none());
    same_reply(&mut a, &mut b, &["AUTH", "default", "x"], &Mask::none());
    same_reply(&mut a, &mut b, &["AUTH", "nosuchuser", "x"], &Mask::none());
    same_reply(&mut a, &mut b, &["AUTH", "a", "b", "c"], &Mask::none());
    same_reply(&mut a, &mut b, &["PING"], &Mask::none());
}

#[test]
fn auth_with_requirepass_gates_commands_and_matches() {
    let pair = Pair::start(|mport| {
        SentinelConf::new()
            .requirepass("s3cret")
            .monitor("mymaster", "127.0.0.1", mport, 2)
    });
    let id = Mask::fields(&["id"]);
    let (mut a, mut b) = pair.clients();
    for args in [
        &["PING"][..],
        &["SENTINEL", "MASTERS"],
        &["ROLE"],
        &["SUBSCRIBE", "x"],
        &["HELLO", "3"],
        &["AUTH", "wrong"],
        &["AUTH", "default", "wrong"],
        &["HELLO", "3", "AUTH", "default", "wrong"],
        &["AUTH", "s3cret"],
        &["PING"],
        &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
    ] {
        same_reply(&mut a, &mut b, args, &id);
    }
    let (mut a, mut b) = pair.clients();
    same_reply(&mut a, &mut b, &["AUTH", "default", "s3cret"], &id);
    same_reply(&mut a, &mut b, &["ROLE"], &id);
    let (mut a, mut b) = pair.clients();
    same_reply(
        &mut a,
        &mut b,
        &["HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "c1"],
        &id,
    );
    same_reply(&mut a, &mut b, &["CLIENT", "GETNAME"], &id);
    same_raw(&mut a, &mut b, b"PING\r\n", 1, &id);
}

// ---------------------------------------------------------------------------------------
// Replicas

#[test]
fn sentinel_replicas_and_master_counts_match_with_two_replicas() {
    let pair = Pair::start_with_replicas(2, |mport| {
        SentinelConf::new().monitor("mymaster", "127.0.0.1", mport, 2)
    });
    pair.wait_settled("mymaster");
    let (mut a, mut b) = pair.clients();
    let m = same_reply(
        &mut a,
        &mut b,
        &["SENTINEL", "MASTER", "mymaster"],
        &Mask::instance(),
    );
    assert_eq!(m.field("num-slaves").as_deref(), Some("2"));
    // Replica order is dict order (random per process): compare each replica by name.
    for i in 0..2 {
        let name = |side: &compare::Side| format!("127.0.0.1:{}", side.replicas[i].port());
        let pick = |c: &mut Client, name: &str| -> Value {
            let all = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
            all.as_array()
                .and_then(|a| {
                    a.iter()
                        .find(|r| r.field("name").as_deref() == Some(name))
                        .cloned()
                })
                .unwrap_or_else(|| panic!("replica {name} not listed: {all:?}"))
        };
        let ra = pick(&mut a, &name(&pair.reference));
        let rb = pick(&mut b, &name(&pair.candidate));
        let mask = Mask::instance().and_fields(&["slave-repl-offset"]);
        let r = compare::diff_values(
            &a,
            &b,
            "one entry of SENTINEL REPLICAS",
            (ra.clone(), ra.encode()),
            (rb.clone(), rb.encode()),
            &mask,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.to_pairs().map(|p| p.len()), Some(21));
    }
    same_info(&mut a, &mut b, &["INFO", "sentinel"], &["master0"]);
}
