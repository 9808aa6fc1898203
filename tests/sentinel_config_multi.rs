//! `SENTINEL CONFIG SET/GET` with several parameters (Redis 7.2's form): all pairs are
//! validated before any is applied, and several patterns select the union of parameters.
//! The single-pair forms stay byte-identical to 7.0 (see compat_commands).

mod common;

use common::*;

#[test]
fn config_set_with_several_pairs_is_all_or_nothing() {
    let master = RedisServer::master();
    let s = RSentinel::start(SentinelConf::new().port(free_port()).monitor(
        "mymaster",
        "127.0.0.1",
        master.port(),
        1,
    ));
    let mut c = s.client();
    let r = c.cmd(&[
        "SENTINEL",
        "CONFIG",
        "SET",
        "announce-ip",
        "10.0.0.9",
        "announce-port",
        "99999",
    ]);
    assert_eq!(
        r.error().as_deref(),
        Some("ERR Invalid value '99999' to SENTINEL CONFIG SET 'announce-port'")
    );
    let r = c.cmd(&["SENTINEL", "CONFIG", "GET", "announce-ip", "announce-port"]);
    assert_eq!(
        r.field("announce-ip").as_deref(),
        Some(""),
        "nothing applied: {r:?}"
    );
    let r = c.cmd(&[
        "SENTINEL",
        "CONFIG",
        "SET",
        "announce-ip",
        "10.0.0.9",
        "announce-ip",
        "10.0.0.8",
    ]);
    assert_eq!(
        r.error().as_deref(),
        Some("ERR Duplicate argument 'announce-ip' to SENTINEL CONFIG SET")
    );
    let r = c.cmd(&[
        "SENTINEL",
        "CONFIG",
        "SET",
        "announce-ip",
        "10.0.0.9",
        "announce-port",
        "7000",
    ]);
    assert_eq!(r.as_str().as_deref(), Some("OK"));
    let r = c.cmd(&[
        "SENTINEL",
        "CONFIG",
        "GET",
        "announce-ip",
        "announce-port",
        "nosuch",
    ]);
    assert_eq!(r.field("announce-ip").as_deref(), Some("10.0.0.9"));
    assert_eq!(r.field("announce-port").as_deref(), Some("7000"));
    let conf = s.read_config();
    assert!(
        conf.contains("sentinel announce-ip \"10.0.0.9\"")
            || conf.contains("sentinel announce-ip 10.0.0.9"),
        "{conf}"
    );
    assert!(conf.contains("sentinel announce-port 7000"), "{conf}");
}

/// Redis 7.2's `SENTINEL CONFIG SET loglevel`: the running process logs at the new level at
/// once, and the config file is rewritten with it.
#[test]
fn config_set_loglevel_changes_what_is_logged_and_is_saved() {
    let master = RedisServer::master();
    let s = RSentinel::start(SentinelConf::new().port(free_port()).monitor(
        "mymaster",
        "127.0.0.1",
        master.port(),
        1,
    ));
    let mut c = s.client();
    // A client protocol error is logged at verbose level.
    let protocol_error = || {
        let mut bad = s.client();
        bad.send_raw(b"*x\r\n");
        let _ = bad.read_raw();
    };
    let logged = |s: &Proc| {
        s.read_log()
            .lines()
            .filter(|l| l.contains("Protocol error"))
            .count()
    };
    let ok = |r: common::Value| assert_eq!(r.error(), None, "{r:?}");
    protocol_error();
    ok(c.cmd(&["PING"]));
    assert_eq!(logged(&s), 0, "{}", s.log_tail(20));
    ok(c.cmd(&["SENTINEL", "CONFIG", "SET", "loglevel", "verbose"]));
    assert!(
        s.read_config().contains("\nloglevel verbose\n"),
        "{}",
        s.read_config()
    );
    let r = c.cmd(&["SENTINEL", "CONFIG", "GET", "loglevel"]);
    assert_eq!(r.field("loglevel").as_deref(), Some("verbose"), "{r:?}");
    protocol_error();
    wait_until(
        std::time::Duration::from_secs(10),
        "the verbose protocol-error line in the log",
        || logged(&s) == 1,
    );
    // Back to the default: quiet again, and the line written before now says so (a line
    // already in the file is updated in place, even to the default, as Redis does).
    ok(c.cmd(&["SENTINEL", "CONFIG", "SET", "loglevel", "notice"]));
    protocol_error();
    ok(c.cmd(&["PING"]));
    assert_eq!(logged(&s), 1, "{}", s.log_tail(20));
    assert!(
        s.read_config().contains("\nloglevel notice\n"),
        "{}",
        s.read_config()
    );
}
