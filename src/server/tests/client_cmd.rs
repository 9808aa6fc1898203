//! CLIENT subcommands: replies and error texts as redis-sentinel 7.0.15 gives them.

use super::{assert_bytes, Harness};

#[test]
fn client_id_setname_getname() {
    let mut h = Harness::new();
    let _first = h.connect();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "CLIENT ID"), b":2\r\n");
    assert_bytes(&h.cmd(c, "CLIENT GETNAME"), b"$-1\r\n");
    assert_bytes(&h.cmd(c, "CLIENT SETNAME foo"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT GETNAME"), b"$3\r\nfoo\r\n");
    assert_bytes(
        &h.run(c, &[b"CLIENT", b"SETNAME", b"a b"]),
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    assert_bytes(&h.run(c, &[b"CLIENT", b"SETNAME", b""]), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT GETNAME"), b"$-1\r\n");
}

#[test]
fn client_info_line_has_redis_7_0_fields_in_order() {
    let mut h = Harness::new();
    let c = h.connect();
    h.srv.set_fd(c, 11);
    h.now += 2_000;
    let expected: &[u8] = b"id=1 addr=127.0.0.1:40000 laddr=127.0.0.1:26379 fd=11 name= age=2 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 events=r cmd=client|info user=default redir=-1 resp=2\n";
    let mut want = format!("${}\r\n", expected.len()).into_bytes();
    want.extend_from_slice(expected);
    want.extend_from_slice(b"\r\n");
    assert_bytes(&h.cmd(c, "CLIENT INFO"), &want);
}

#[test]
fn client_info_and_list_are_verbatim_in_resp3() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "HELLO 3");
    h.srv.set_fd(c, 13);
    let info = String::from_utf8_lossy(&h.cmd(c, "CLIENT INFO")).into_owned();
    // Captured for id=29 (rbp is an approximation here, so it is left out of the comparison).
    let (header, rest) = info.split_once("\r\n").unwrap_or_default();
    assert_eq!(
        header
            .strip_prefix('=')
            .and_then(|n| n.parse::<usize>().ok()),
        Some(rest.len() - 2)
    );
    assert!(rest.starts_with("txt:id=1 addr=127.0.0.1:40000 laddr=127.0.0.1:26379 fd=13 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp="), "{info}");
    assert!(rest.ends_with(" obl=0 oll=0 omem=0 tot-mem=22298 events=r cmd=client|info user=default redir=-1 resp=3\n\r\n"), "{info}");
    let list = h.cmd(c, "CLIENT LIST");
    assert!(list.starts_with(b"="), "{}", String::from_utf8_lossy(&list));
}

#[test]
fn client_list_filters_by_type_and_id() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.cmd(sub, "HELLO 3 SETNAME subber");
    h.cmd(sub, "PSUBSCRIBE *");
    h.cmd(sub, "SUBSCRIBE x y");
    let fresh = h.connect();
    let me = h.connect();
    let all = String::from_utf8_lossy(&h.cmd(me, "CLIENT LIST")).into_owned();
    assert_eq!(all.matches("id=").count(), 3, "{all}");
    assert!(all.contains("id=1 addr=127.0.0.1:40000 laddr=127.0.0.1:26379 fd=-1 name=subber age=0 idle=0 flags=P db=0 sub=2 psub=1 ssub=0"));
    assert!(all.contains("cmd=subscribe user=default redir=-1 resp=3\n"));
    assert!(all.contains("id=2 addr=127.0.0.1:40001 laddr=127.0.0.1:26379 fd=-1 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=4 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=NULL user=default redir=-1 resp=2\n"));
    let _ = fresh;
    let pubsub = String::from_utf8_lossy(&h.cmd(me, "CLIENT LIST TYPE pubsub")).into_owned();
    assert!(pubsub.contains("id=1 ") && !pubsub.contains("id=2 ") && !pubsub.contains("id=3 "));
    assert_bytes(&h.cmd(me, "CLIENT LIST TYPE master"), b"$0\r\n\r\n");
    assert_bytes(&h.cmd(me, "CLIENT LIST ID 99999"), b"$0\r\n\r\n");
    let by_id = String::from_utf8_lossy(&h.cmd(me, "CLIENT LIST ID 2 3")).into_owned();
    assert!(by_id.contains("id=2 ") && by_id.contains("id=3 ") && !by_id.contains("id=1 "));
    assert_bytes(
        &h.cmd(me, "CLIENT LIST ID 1 2 x"),
        b"-ERR Invalid client ID\r\n",
    );
    assert_bytes(&h.cmd(me, "CLIENT LIST foo"), b"-ERR syntax error\r\n");
    assert_bytes(
        &h.cmd(me, "CLIENT LIST TYPE foo"),
        b"-ERR Unknown client type 'foo'\r\n",
    );
}

#[test]
fn client_kill_error_texts_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "CLIENT KILL 1.2.3.4:5"),
        b"-ERR No such client\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT KILL ID"), b"-ERR No such client\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL ID 999"), b":0\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT KILL ID x"),
        b"-ERR client-id should be greater than 0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT KILL TYPE foo"),
        b"-ERR Unknown client type 'foo'\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT KILL TYPE master"), b":0\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL TYPE replica"), b":0\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL TYPE slave"), b":0\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT KILL USER nobody"),
        b"-ERR No such user 'nobody'\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT KILL USER default"), b":0\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL FOO bar"), b"-ERR syntax error\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT KILL ID 1 SKIPME maybe"),
        b"-ERR syntax error\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT KILL ADDR 1.2.3.4:5"), b":0\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL LADDR 1.2.3.4:5"), b":0\r\n");
    assert_bytes(&h.cmd(c, "CLIENT KILL a b c"), b"-ERR syntax error\r\n");
    assert!(!h.srv.close_requested(c));
}

#[test]
fn client_kill_closes_others_at_once_and_self_after_reply() {
    let mut h = Harness::new();
    let victim = h.connect();
    h.cmd(victim, "SUBSCRIBE x");
    h.srv.publish(b"x", b"pending");
    let me = h.connect();
    assert_bytes(&h.cmd(me, "CLIENT KILL TYPE pubsub"), b":1\r\n");
    assert_eq!(h.srv.take_killed(), vec![victim]);
    assert!(h.srv.close_requested(victim));
    assert_bytes(h.srv.output(victim), b"");
    assert_bytes(&h.cmd(me, "CLIENT KILL ADDR 127.0.0.1:40001"), b":0\r\n");
    assert_bytes(&h.cmd(me, "CLIENT KILL USER default SKIPME no"), b":2\r\n");
    assert!(h.srv.close_requested(me));
    assert_eq!(h.srv.take_killed(), vec![victim]);
}

#[test]
fn client_kill_old_form_can_kill_oneself() {
    let mut h = Harness::new();
    let me = h.connect();
    assert_bytes(&h.cmd(me, "CLIENT KILL 127.0.0.1:40000"), b"+OK\r\n");
    assert!(h.srv.close_requested(me));
    assert!(h.srv.take_killed().is_empty());
    // Pipelined commands after the kill are not executed.
    assert_bytes(&h.cmd(me, "PING"), b"");
}

#[test]
fn client_misc_subcommands_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(&h.cmd(c, "CLIENT NO-EVICT on"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT NO-EVICT x"), b"-ERR syntax error\r\n");
    assert_bytes(&h.cmd(c, "CLIENT PAUSE 10"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT PAUSE 1 write"), b"+OK\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT PAUSE x"),
        b"-ERR timeout is not an integer or out of range\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT PAUSE 10 FOO"),
        b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT PAUSE -1"),
        b"-ERR timeout is negative\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT PAUSE 1 ALL x"),
        b"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT UNPAUSE"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "CLIENT GETREDIR"), b":-1\r\n");
    assert_bytes(&h.cmd(c, "CLIENT UNBLOCK 5"), b":0\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT UNBLOCK x"),
        b"-ERR value is not an integer or out of range\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT UNBLOCK 5 FOO"),
        b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT UNBLOCK 1 2 3"),
        b"-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
    );
    let help = h.cmd(c, "CLIENT HELP");
    assert!(help.starts_with(b"*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n"));
    assert!(help.ends_with(b"+HELP\r\n+    Prints this help.\r\n"));
}

#[test]
fn client_tracking_and_trackinginfo_match_redis() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKINGINFO"),
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT CACHING yes"),
        b"-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT TRACKING on"), b"+OK\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKINGINFO"),
        b"*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT TRACKING foo"), b"-ERR syntax error\r\n");
    assert_bytes(&h.cmd(c, "CLIENT CACHING x"), b"-ERR syntax error\r\n");
    assert_bytes(&h.cmd(c, "CLIENT TRACKING off"), b"+OK\r\n");
    h.cmd(c, "HELLO 3");
    assert_bytes(&h.cmd(c, "CLIENT TRACKING on BCAST"), b"+OK\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKINGINFO"),
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*1\r\n$0\r\n\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKING on OPTIN"),
        b"-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT TRACKING off"), b"+OK\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKING on REDIRECT 9999"),
        b"-ERR The client ID you want redirect to does not exist\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKING on FOO"),
        b"-ERR syntax error\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKING on PREFIX a"),
        b"-ERR PREFIX option requires BCAST mode to be enabled\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKING on OPTIN OPTOUT"),
        b"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n",
    );
    assert_bytes(&h.cmd(c, "CLIENT TRACKING on NOLOOP"), b"+OK\r\n");
    assert_bytes(
        &h.cmd(c, "CLIENT TRACKINGINFO"),
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
    );
}
