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
