//! Generic `rename-command` renames (or disables) the sentinel's own commands, as in Redis.

mod common;

use common::*;

#[test]
fn renamed_and_disabled_commands_answer_like_redis_sentinel() {
    let pair = Pair::start(|mport| {
        SentinelConf::new()
            .monitor("mymaster", "127.0.0.1", mport, 2)
            .line("rename-command PING MYPING")
            .line("rename-command SHUTDOWN \"\"")
    });
    let (mut a, mut b) = pair.clients();
    for cmd in [
        &["MYPING"][..],
        &["ping"],
        &["PING", "x"],
        &["SHUTDOWN"],
        &["myping", "hello"],
    ] {
        same_reply(&mut a, &mut b, cmd, &Mask::none());
    }
}

#[test]
fn a_user_created_through_a_renamed_acl_command_is_saved_with_the_config() {
    let master = RedisServer::master();
    let s = RSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", master.port(), 2)
            .line("rename-command ACL MYACL"),
    );
    let mut c = s.client();
    let ok = c.cmd(&["MYACL", "SETUSER", "alice", "on", ">pw", "+@all"]);
    assert_eq!(ok.as_str().as_deref(), Some("OK"), "{ok:?}");
    // Any later save writes the users as they are now.
    let ok = c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "3"]);
    assert_eq!(ok.as_str().as_deref(), Some("OK"), "{ok:?}");
    let text = std::fs::read_to_string(s.config_path()).expect("read config");
    assert!(
        text.lines().any(|l| l.starts_with("user alice ")),
        "no `user alice` line in:\n{text}"
    );
}
