//! PING, ROLE, HELLO, AUTH, COMMAND and ACL replies, byte for byte as redis-sentinel 7.0.15.

use super::{assert_bytes, Harness};

const HELLO2_ID1: &[u8] = b"*12\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n";
const HELLO3_ID1: &[u8] = b"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n";

#[test]
fn ping_replies_pong_or_echoes() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "PING"), b"+PONG\r\n");
    assert_bytes(&h.cmd(c, "ping hi"), b"$2\r\nhi\r\n");
}

#[test]
fn role_lists_sentinel_and_master_names() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "ROLE"), b"*2\r\n$8\r\nsentinel\r\n*0\r\n");
}

#[test]
fn hello_replies_six_pairs_and_switches_protocol() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "HELLO"), HELLO2_ID1);
    assert_bytes(&h.cmd(c, "HELLO 3"), HELLO3_ID1);
    assert_bytes(&h.cmd(c, "CLIENT GETNAME"), b"_\r\n");
    assert_bytes(&h.cmd(c, "HELLO 2 SETNAME x"), HELLO2_ID1);
    assert_bytes(&h.cmd(c, "CLIENT GETNAME"), b"$1\r\nx\r\n");
}

#[test]
fn hello_errors_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "HELLO 4"),
        b"-NOPROTO unsupported protocol version\r\n",
    );
    assert_bytes(
        &h.cmd(c, "HELLO x"),
        b"-ERR Protocol version is not an integer or out of range\r\n",
    );
    assert_bytes(
        &h.cmd(c, "HELLO 3 FOO"),
        b"-ERR Syntax error in HELLO option 'FOO'\r\n",
    );
    assert_bytes(
        &h.cmd(c, "HELLO 2 AUTH a"),
        b"-ERR Syntax error in HELLO option 'AUTH'\r\n",
    );
    assert_bytes(
        &h.run(c, &[b"HELLO", b"2", b"SETNAME", b"a b"]),
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    assert_bytes(
        &h.cmd(c, "HELLO 2 AUTH nobody pw"),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    // A failed HELLO leaves the protocol alone.
    assert_bytes(&h.cmd(c, "HELLO 2 AUTH default pw"), HELLO2_ID1);
}

#[test]
fn auth_without_requirepass_follows_default_user_semantics() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "AUTH x"),
        b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
    assert_bytes(
        &h.cmd(c, "AUTH a b"),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert_bytes(&h.cmd(c, "AUTH default x"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "AUTH a b c"), b"-ERR syntax error\r\n");
}

#[test]
fn command_count_list_and_help_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "COMMAND COUNT"), b":15\r\n");
    assert_bytes(
        &h.cmd(c, "COMMAND LIST"),
        include_bytes!("../testdata/command_list.resp2"),
    );
    assert_bytes(
        &h.cmd(c, "COMMAND HELP"),
        include_bytes!("../testdata/command_help.resp2"),
    );
}

#[test]
fn command_info_matches_redis_in_both_protocols() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "COMMAND"),
        include_bytes!("../testdata/command.resp2"),
    );
    assert_bytes(
        &h.cmd(c, "COMMAND INFO ping sentinel"),
        include_bytes!("../testdata/command_info_ping_sentinel.resp2"),
    );
    assert_bytes(
        &h.cmd(c, "COMMAND INFO ping nosuch sentinel|set client|kill"),
        b"*4\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n$-1\r\n*10\r\n$12\r\nsentinel|set\r\n:-5\r\n*1\r\n+admin\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$11\r\nclient|kill\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n",
    );
    h.cmd(c, "HELLO 3");
    assert_bytes(
        &h.cmd(c, "COMMAND"),
        include_bytes!("../testdata/command.resp3"),
    );
    assert_bytes(&h.cmd(c, "COMMAND INFO nosuch"), b"*1\r\n_\r\n");
}

#[test]
fn command_list_filters_and_getkeys_errors_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "COMMAND LIST FILTERBY ACLCAT FAST"),
        b"*5\r\n$5\r\nhello\r\n$7\r\npublish\r\n$4\r\nping\r\n$4\r\nrole\r\n$4\r\nauth\r\n",
    );
    assert_bytes(&h.cmd(c, "COMMAND LIST FILTERBY MODULE x"), b"*0\r\n");
    assert_bytes(&h.cmd(c, "COMMAND LIST FILTERBY ACLCAT nosuch"), b"*0\r\n");
    assert_bytes(&h.cmd(c, "COMMAND LIST foo"), b"-ERR syntax error\r\n");
    assert_bytes(
        &h.cmd(c, "COMMAND LIST FILTERBY foo bar"),
        b"-ERR syntax error\r\n",
    );
    let clients = h.cmd(c, "COMMAND LIST FILTERBY PATTERN CLIENT*");
    assert!(
        clients.starts_with(b"*17\r\n$6\r\nclient\r\n"),
        "{}",
        String::from_utf8_lossy(&clients)
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYS foo bar"),
        b"-ERR Invalid command specified\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYS client x y"),
        b"-ERR Invalid command specified\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYS role x y"),
        b"-ERR The command has no key arguments\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYSANDFLAGS ping x"),
        b"-ERR The command has no key arguments\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYS publish a b"),
        b"-ERR The command has no key arguments\r\n",
    );
}

#[test]
fn command_docs_match_redis_in_both_protocols() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "COMMAND DOCS"),
        include_bytes!("../testdata/command_docs.resp2"),
    );
    h.cmd(c, "HELLO 3");
    assert_bytes(
        &h.cmd(c, "COMMAND DOCS"),
        include_bytes!("../data/command_docs.resp3"),
    );
    assert_bytes(&h.cmd(c, "COMMAND DOCS nosuch"), b"%0\r\n");
}

#[test]
fn acl_whoami_users_list_getuser_and_cat_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "ACL WHOAMI"), b"$7\r\ndefault\r\n");
    assert_bytes(&h.cmd(c, "ACL USERS"), b"*1\r\n$7\r\ndefault\r\n");
    assert_bytes(
        &h.cmd(c, "ACL LIST"),
        b"*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ACL GETUSER default"),
        b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n",
    );
    assert_bytes(&h.cmd(c, "ACL GETUSER nobody"), b"$-1\r\n");
    assert_bytes(
        &h.cmd(c, "ACL CAT"),
        b"*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n$5\r\nwrite\r\n$3\r\nset\r\n$9\r\nsortedset\r\n$4\r\nlist\r\n$4\r\nhash\r\n$6\r\nstring\r\n$6\r\nbitmap\r\n$11\r\nhyperloglog\r\n$3\r\ngeo\r\n$6\r\nstream\r\n$6\r\npubsub\r\n$5\r\nadmin\r\n$4\r\nfast\r\n$4\r\nslow\r\n$8\r\nblocking\r\n$9\r\ndangerous\r\n$10\r\nconnection\r\n$11\r\ntransaction\r\n$9\r\nscripting\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ACL CAT fast"),
        b"*5\r\n$5\r\nhello\r\n$7\r\npublish\r\n$4\r\nping\r\n$4\r\nrole\r\n$4\r\nauth\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ACL CAT pubsub"),
        b"*5\r\n$7\r\npublish\r\n$9\r\nsubscribe\r\n$11\r\nunsubscribe\r\n$10\r\npsubscribe\r\n$12\r\npunsubscribe\r\n",
    );
    assert_bytes(&h.cmd(c, "ACL CAT foo"), b"-ERR Unknown category 'foo'\r\n");
    assert_bytes(
        &h.cmd(c, "ACL CAT a b"),
        b"-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n",
    );
    let help = h.cmd(c, "ACL HELP");
    assert!(help
        .starts_with(b"*29\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
    h.cmd(c, "HELLO 3");
    assert_bytes(
        &h.cmd(c, "ACL GETUSER default"),
        b"%6\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n",
    );
}

#[test]
fn acl_save_and_load_report_no_acl_file() {
    let mut h = Harness::new();
    let c = h.connect();
    let expected: &[u8] = b"-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n";
    assert_bytes(&h.cmd(c, "ACL SAVE"), expected);
    assert_bytes(&h.cmd(c, "ACL LOAD"), expected);
}

#[test]
fn publish_accepts_only_hellos() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "PUBLISH foo bar"),
        b"-ERR Only HELLO messages are accepted by Sentinel instances.\r\n",
    );
    assert_bytes(&h.cmd(c, "PUBLISH __sentinel__:hello bar"), b":1\r\n");
}
