//! Lookup, arity, auth and subscribed-mode errors; counters; CLIENT REPLY.

use super::{assert_bytes, Harness};

#[test]
fn unknown_command_lists_args_up_to_128_bytes_like_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    let name = "x".repeat(200);
    let (a, b, cc) = ("a".repeat(60), "b".repeat(60), "c".repeat(60));
    let args: Vec<&[u8]> = vec![
        name.as_bytes(),
        a.as_bytes(),
        b.as_bytes(),
        cc.as_bytes(),
        b"d",
    ];
    let expected = format!(
        "-ERR unknown command '{}', with args beginning with: '{a}' '{b}' 'cc' \r\n",
        "x".repeat(128)
    );
    assert_bytes(&h.run(c, &args), expected.as_bytes());
}

#[test]
fn unknown_command_error_replaces_crlf_and_quit_is_unknown() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.run(c, &[b"foo", b"a\r\nb"]),
        b"-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n",
    );
    assert_bytes(
        &h.cmd(c, "QUIT"),
        b"-ERR unknown command 'QUIT', with args beginning with: \r\n",
    );
    assert_bytes(
        &h.cmd(c, "CONFIG GET x"),
        b"-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'x' \r\n",
    );
}

#[test]
fn unknown_subcommand_names_the_container_in_upper_case() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "client no-such"),
        b"-ERR unknown subcommand 'no-such'. Try CLIENT HELP.\r\n",
    );
    // Redis 7.2's NO-TOUCH is not served (SETINFO, also 7.2's, is: a deliberate difference).
    assert_bytes(
        &h.cmd(c, "CLIENT NO-TOUCH on"),
        b"-ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP.\r\n",
    );
    let long = "x\ny".repeat(50);
    let got = h.run(c, &[b"client", long.as_bytes()]);
    let captured = format!(
        "-ERR unknown subcommand '{}'. Try CLIENT HELP.\r\n",
        "x y".repeat(50).get(..128).unwrap_or("")
    );
    assert_bytes(&got, captured.as_bytes());
    assert_bytes(
        &h.cmd(c, "COMMAND FOO"),
        b"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ACL FOO"),
        b"-ERR unknown subcommand 'FOO'. Try ACL HELP.\r\n",
    );
}

#[test]
fn arity_errors_use_the_full_subcommand_name() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "sentinel set mymaster"),
        b"-ERR wrong number of arguments for 'sentinel|set' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "client kill"),
        b"-ERR wrong number of arguments for 'client|kill' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT"),
        b"-ERR wrong number of arguments for 'client' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ACL"),
        b"-ERR wrong number of arguments for 'acl' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PING a b"),
        b"-ERR wrong number of arguments for 'ping' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "ROLE x"),
        b"-ERR wrong number of arguments for 'role' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PUBLISH a"),
        b"-ERR wrong number of arguments for 'publish' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "SUBSCRIBE"),
        b"-ERR wrong number of arguments for 'subscribe' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND COUNT x"),
        b"-ERR wrong number of arguments for 'command|count' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "COMMAND GETKEYS ping"),
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n",
    );
}

#[test]
fn requirepass_allows_only_auth_and_hello_before_authentication() {
    let mut h = Harness::with_password("secret");
    let c = h.connect();
    assert_bytes(&h.cmd(c, "PING"), b"-NOAUTH Authentication required.\r\n");
    assert_bytes(
        &h.cmd(c, "SUBSCRIBE x"),
        b"-NOAUTH Authentication required.\r\n",
    );
    // Lookup and arity come first.
    assert_bytes(
        &h.cmd(c, "FOO"),
        b"-ERR unknown command 'FOO', with args beginning with: \r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT"),
        b"-ERR wrong number of arguments for 'client' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "AUTH"),
        b"-ERR wrong number of arguments for 'auth' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "HELLO 3"),
        b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
    );
    assert_bytes(
        &h.cmd(c, "AUTH x"),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert_bytes(
        &h.cmd(c, "AUTH default x"),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert_bytes(&h.cmd(c, "AUTH secret"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "PING"), b"+PONG\r\n");
}

#[test]
fn hello_with_auth_authenticates_and_switches_protocol() {
    let mut h = Harness::with_password("secret");
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "HELLO 3 AUTH default secret"),
        b"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n",
    );
    assert_bytes(&h.cmd(c, "ACL WHOAMI"), b"$7\r\ndefault\r\n");
}

#[test]
fn resp2_subscribed_clients_may_only_ping_and_subscribe() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "SUBSCRIBE a b");
    assert_bytes(&h.cmd(c, "PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_bytes(&h.cmd(c, "PING x"), b"*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT ID"),
        b"-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    assert_bytes(
        &h.cmd(c, "INFO"),
        b"-ERR Can't execute 'info': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PUBLISH __sentinel__:hello x"),
        b"-ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    h.cmd(c, "UNSUBSCRIBE");
    assert_bytes(&h.cmd(c, "PING"), b"+PONG\r\n");
}

#[test]
fn resp3_subscribed_clients_may_run_anything() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "HELLO 3");
    h.cmd(c, "SUBSCRIBE a b");
    assert_bytes(&h.cmd(c, "PING"), b"+PONG\r\n");
    assert_bytes(&h.cmd(c, "CLIENT ID"), b":1\r\n");
}

#[test]
fn counters_count_executed_commands_and_every_error_reply() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "PING");
    h.cmd(c, "FOO"); // rejected: error, not processed
    h.cmd(c, "AUTH x"); // executed, error
    h.cmd(c, "CLIENT NO-TOUCH on"); // rejected
    assert_eq!(h.srv.stats.total_commands_processed, 2);
    assert_eq!(h.srv.stats.total_error_replies, 3);
    assert_eq!(h.srv.stats.total_connections_received, 1);
}

#[test]
fn client_reply_off_and_skip_suppress_replies() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "CLIENT REPLY OFF"), b"");
    assert_bytes(&h.cmd(c, "PING"), b"");
    assert_bytes(&h.cmd(c, "CLIENT REPLY ON"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT REPLY SKIP"), b"");
    assert_bytes(&h.cmd(c, "PING"), b"");
    assert_bytes(&h.cmd(c, "PING"), b"+PONG\r\n");
    assert_bytes(&h.cmd(c, "CLIENT REPLY foo"), b"-ERR syntax error\r\n");
}

#[test]
fn shutdown_sets_the_flag_without_reply_and_validates_options() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "SHUTDOWN ABORT"),
        b"-ERR No shutdown in progress.\r\n",
    );
    assert_bytes(&h.cmd(c, "SHUTDOWN foo"), b"-ERR syntax error\r\n");
    assert_bytes(&h.cmd(c, "SHUTDOWN SAVE NOSAVE"), b"-ERR syntax error\r\n");
    assert_bytes(&h.cmd(c, "SHUTDOWN NOW ABORT"), b"-ERR syntax error\r\n");
    assert!(!h.srv.shutdown_requested());
    assert_bytes(&h.cmd(c, "SHUTDOWN NOSAVE NOW"), b"");
    assert!(h.srv.shutdown_requested());
}

#[test]
fn unknown_client_ids_are_ignored_without_panicking() {
    let mut h = Harness::new();
    let ghost = super::super::ClientId(999);
    assert_bytes(&h.cmd(ghost, "PING"), b"");
    assert!(!h.srv.close_requested(ghost));
    assert!(h.srv.remove(ghost).is_none());
}
