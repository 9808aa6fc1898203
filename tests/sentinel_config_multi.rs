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
