//! Client limits against real processes, each checked on Debian's `redis-sentinel` first and
//! then on rsentinel: `maxclients`, `client-output-buffer-limit pubsub` (hard and soft) for a
//! subscriber that never reads, and the idle `timeout` (subscribers exempt).

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::Duration;

use common::proc::start_sentinel;
use common::{free_port, poll_until, wait_until, Client, Kind, Proc, SentinelConf};

const KINDS: [Kind; 2] = [Kind::RedisSentinel, Kind::RSentinel];

fn start(kind: Kind, lines: &[&str]) -> Proc {
    let mut conf =
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", free_port(), 2);
    for l in lines {
        conf = conf.line(*l);
    }
    start_sentinel(kind, &conf)
}

fn info_field(c: &mut Client, section: &str, field: &str) -> Option<String> {
    let text = c.cmd(&["INFO", section]).as_str().unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
}

#[test]
fn maxclients_refuses_with_redis_error_and_closes() {
    for kind in KINDS {
        let s = start(kind, &["maxclients 3"]);
        let mut a = s.client();
        wait_until(Duration::from_secs(5), "probe connections gone", || {
            info_field(&mut a, "clients", "connected_clients").as_deref() == Some("1")
        });
        let mut b = s.client();
        let mut c = s.client();
        assert_eq!(b.cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
        assert_eq!(c.cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
        let mut d = TcpStream::connect(("127.0.0.1", s.port())).expect("connect");
        d.set_read_timeout(Some(Duration::from_secs(5))).ok();
        let mut got = Vec::new();
        let _ = d.read_to_end(&mut got);
        assert_eq!(
            String::from_utf8_lossy(&got),
            "-ERR max number of clients reached\r\n",
            "{kind:?}"
        );
        assert_eq!(
            info_field(&mut a, "stats", "rejected_connections").as_deref(),
            Some("1"),
            "{kind:?}"
        );
        // A slot freed is a slot usable again.
        drop(b);
        wait_until(Duration::from_secs(5), "client gone", || {
            info_field(&mut a, "clients", "connected_clients").as_deref() == Some("2")
        });
        assert_eq!(s.client().cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
    }
}

/// A subscriber whose receive buffer is tiny, so unread output piles up in the sentinel.
fn lazy_subscriber(port: u16) -> TcpStream {
    let sock =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    sock.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    sock.connect(&addr.into()).expect("connect");
    let mut s: TcpStream = sock.into();
    use std::io::Write;
    s.write_all(b"PSUBSCRIBE *\r\n").expect("psubscribe");
    s
}

/// Roughly `n` × 10000 `+set` events (about 100 bytes each to a `*` subscriber).
fn flood_events(c: &mut Client, n: usize) {
    let mut args: Vec<&str> = vec!["SENTINEL", "SET", "mymaster"];
    for _ in 0..10_000 {
        args.extend(["quorum", "2"]);
    }
    for _ in 0..n {
        assert_eq!(c.cmd(&args).as_str().as_deref(), Some("OK"));
    }
}

fn pubsub_clients(c: &mut Client) -> usize {
    let list = c.cmd(&["CLIENT", "LIST"]).as_str().unwrap_or_default();
    list.lines().filter(|l| l.contains(" psub=1 ")).count()
}

fn closes_lazy_subscriber(kind: Kind, limit: &str) {
    let s = start(kind, &[limit]);
    let _sub = lazy_subscriber(s.port());
    let mut c = s.client();
    wait_until(Duration::from_secs(5), "subscriber registered", || {
        pubsub_clients(&mut c) == 1
    });
    flood_events(&mut c, 4);
    // Reading nothing, it must be dropped (hard: at once; soft: after its 1 s).
    let closed = poll_until(Duration::from_secs(10), || pubsub_clients(&mut c) == 0);
    assert!(closed, "{kind:?} {limit}: subscriber still connected");
    assert!(
        s.read_log()
            .contains(" for overcoming of output buffer limits."),
        "{kind:?}: no log line"
    );
    // Others are unaffected.
    assert_eq!(c.cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
}

#[test]
fn pubsub_hard_output_limit_closes_a_subscriber_that_never_reads() {
    for kind in KINDS {
        closes_lazy_subscriber(kind, "client-output-buffer-limit pubsub 512kb 0 0");
    }
}

#[test]
fn pubsub_soft_output_limit_closes_a_subscriber_that_stays_over_it() {
    for kind in KINDS {
        closes_lazy_subscriber(kind, "client-output-buffer-limit pubsub 0 256kb 1");
    }
}

#[test]
fn default_limits_keep_a_reading_subscriber() {
    let s = start(Kind::RSentinel, &[]);
    let mut sub = s.client();
    sub.psubscribe(&["*"]);
    let mut c = s.client();
    assert_eq!(
        c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "3"])
            .as_str()
            .as_deref(),
        Some("OK")
    );
    let m = sub.next_message(Duration::from_secs(5)).expect("event");
    assert!(format!("{m:?}").contains("+set"), "{m:?}");
}

#[test]
fn idle_timeout_closes_normal_clients_but_not_subscribers() {
    for kind in KINDS {
        let s = start(kind, &["timeout 1"]);
        let mut idle = s.client();
        let mut sub = s.client();
        assert_eq!(idle.cmd(&["PING"]).as_str().as_deref(), Some("PONG"));
        sub.subscribe(&["+set"]);
        assert!(idle.closed_within(Duration::from_secs(6)), "{kind:?}");
        // The subscriber, idle as long, is still served.
        let mut c = s.client();
        assert_eq!(
            c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "3"])
                .as_str()
                .as_deref(),
            Some("OK")
        );
        assert!(
            sub.next_message(Duration::from_secs(5)).is_some(),
            "{kind:?}: subscriber was closed"
        );
    }
}
