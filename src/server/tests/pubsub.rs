//! SUBSCRIBE family reply shapes and event fan-out, as redis-sentinel 7.0.15 sends them.

use super::{assert_bytes, Harness};

#[test]
fn subscribe_and_unsubscribe_reply_shapes_in_resp2() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "SUBSCRIBE a b"),
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PSUBSCRIBE * [-+]sdown"),
        b"*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:3\r\n*3\r\n$10\r\npsubscribe\r\n$9\r\n[-+]sdown\r\n:4\r\n",
    );
    assert_bytes(
        &h.cmd(c, "UNSUBSCRIBE"),
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:3\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PUNSUBSCRIBE"),
        b"*3\r\n$12\r\npunsubscribe\r\n$1\r\n*\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$9\r\n[-+]sdown\r\n:0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "UNSUBSCRIBE"),
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PUNSUBSCRIBE x"),
        b"*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "UNSUBSCRIBE x y"),
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\ny\r\n:0\r\n",
    );
}

#[test]
fn subscribe_replies_are_push_frames_in_resp3() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "HELLO 3");
    assert_bytes(
        &h.cmd(c, "SUBSCRIBE a b"),
        b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PSUBSCRIBE * [-+]sdown"),
        b">3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:3\r\n>3\r\n$10\r\npsubscribe\r\n$9\r\n[-+]sdown\r\n:4\r\n",
    );
    h.cmd(c, "UNSUBSCRIBE");
    h.cmd(c, "PUNSUBSCRIBE");
    assert_bytes(
        &h.cmd(c, "UNSUBSCRIBE"),
        b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n",
    );
    assert_bytes(
        &h.cmd(c, "PUNSUBSCRIBE"),
        b">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n",
    );
}

#[test]
fn resubscribing_the_same_channel_does_not_double_count() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "SUBSCRIBE a");
    assert_bytes(
        &h.cmd(c, "SUBSCRIBE a"),
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n",
    );
}

const SET_MSG: &[u8] = b"master mymaster 127.0.0.1 27610 quorum 2";

#[test]
fn publish_fans_out_message_then_pmessage_per_matching_pattern() {
    let mut h = Harness::new();
    let resp2 = h.connect();
    h.cmd(resp2, "PSUBSCRIBE [-+]set");
    h.cmd(resp2, "SUBSCRIBE +set");
    let resp3 = h.connect();
    h.cmd(resp3, "HELLO 3");
    h.cmd(resp3, "PSUBSCRIBE *");
    h.cmd(resp3, "SUBSCRIBE +set");
    let idle = h.connect();

    assert_eq!(h.srv.publish(b"+set", SET_MSG), 4);
    assert_bytes(
        &h.take(resp2),
        b"*3\r\n$7\r\nmessage\r\n$4\r\n+set\r\n$40\r\nmaster mymaster 127.0.0.1 27610 quorum 2\r\n*4\r\n$8\r\npmessage\r\n$7\r\n[-+]set\r\n$4\r\n+set\r\n$40\r\nmaster mymaster 127.0.0.1 27610 quorum 2\r\n",
    );
    assert_bytes(
        &h.take(resp3),
        b">3\r\n$7\r\nmessage\r\n$4\r\n+set\r\n$40\r\nmaster mymaster 127.0.0.1 27610 quorum 2\r\n>4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$4\r\n+set\r\n$40\r\nmaster mymaster 127.0.0.1 27610 quorum 2\r\n",
    );
    assert_bytes(&h.take(idle), b"");
}

#[test]
fn bracket_pattern_clients_get_sdown_events_but_not_odown() {
    let mut h = Harness::new();
    let all = h.connect();
    h.cmd(all, "PSUBSCRIBE *");
    let sdown = h.connect();
    h.cmd(sdown, "PSUBSCRIBE [-+]sdown");

    assert_eq!(h.srv.publish(b"+sdown", b"master m 127.0.0.1 6379"), 2);
    assert_eq!(h.srv.publish(b"-sdown", b"master m 127.0.0.1 6379"), 2);
    assert_eq!(
        h.srv
            .publish(b"+odown", b"master m 127.0.0.1 6379 #quorum 1/1"),
        1
    );
    let got = h.take(sdown);
    let expected = [
        b"*4\r\n$8\r\npmessage\r\n$9\r\n[-+]sdown\r\n$6\r\n+sdown\r\n$23\r\nmaster m 127.0.0.1 6379\r\n".as_slice(),
        b"*4\r\n$8\r\npmessage\r\n$9\r\n[-+]sdown\r\n$6\r\n-sdown\r\n$23\r\nmaster m 127.0.0.1 6379\r\n".as_slice(),
    ]
    .concat();
    assert_bytes(&got, &expected);
    let all_out = h.take(all);
    assert!(all_out.ends_with(b"$6\r\n+odown\r\n$35\r\nmaster m 127.0.0.1 6379 #quorum 1/1\r\n"));
}

#[test]
fn hello_publish_is_not_delivered_to_local_subscribers() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.cmd(sub, "SUBSCRIBE __sentinel__:hello");
    let peer = h.connect();
    assert_bytes(
        &h.cmd(
            peer,
            "PUBLISH __sentinel__:hello 127.0.0.1,26379,x,0,m,127.0.0.1,6379,0",
        ),
        b":1\r\n",
    );
    assert_bytes(&h.take(sub), b"");
}

#[test]
fn reply_off_clients_receive_no_messages() {
    let mut h = Harness::new();
    let c = h.connect();
    h.cmd(c, "HELLO 3");
    h.cmd(c, "SUBSCRIBE x");
    h.cmd(c, "CLIENT REPLY OFF");
    h.srv.publish(b"x", b"y");
    assert_bytes(&h.take(c), b"");
}
