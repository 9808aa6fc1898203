//! Hostile clients against a running rsentinel: malformed and truncated RESP, huge declared
//! lengths, deep nesting, endless inline lines, binary garbage, a byte-at-a-time client,
//! thousands of idle connections, `maxclients`, and a pub/sub client that never reads while
//! events flood. Whatever arrives, rsentinel answers like Redis (or disconnects) and keeps
//! serving everyone else quickly, in bounded memory.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// A PING round trip this slow means the event loop stalled (the p99 bound; typical values
/// are 1-20 ms, but CI machines are shared and tests run in parallel).
const FAST: Duration = Duration::from_millis(150);

/// A sentinel with nothing to monitor (clients only).
fn lone(kind: Kind) -> Proc {
    proc_start(kind, SentinelConf::new().port(free_port()))
}

fn proc_start(kind: Kind, conf: SentinelConf) -> Proc {
    common::proc::start_sentinel(kind, conf)
}

fn connect(port: u16) -> TcpStream {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connect to {port}: {e}"));
    s.set_nodelay(true).expect("nodelay");
    s.set_write_timeout(Some(Duration::from_secs(5)))
        .expect("write timeout");
    s
}

/// What a server did with some bytes: everything it sent back, and whether it closed the
/// connection (EOF or reset) before `quiet` passed without a byte.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    reply: Vec<u8>,
    closed: bool,
}

fn exchange(port: u16, input: &[u8], quiet: Duration) -> Outcome {
    let mut s = connect(port);
    // A server that closes early may reset the rest of a big write: that is its answer.
    let _ = s.write_all(input);
    s.set_read_timeout(Some(quiet)).expect("read timeout");
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    let closed = loop {
        assert!(Instant::now() < deadline, "server kept talking for 10 s");
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break false
            }
            Err(_) => break true,
        }
    };
    Outcome { reply, closed }
}

fn show(o: &Outcome) -> String {
    format!(
        "{} (closed: {})",
        String::from_utf8_lossy(&o.reply).escape_debug(),
        o.closed
    )
}

/// VmRSS of a process in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// PING round trip on a fresh-enough connection.
fn ping_rtt(c: &mut Client) -> Duration {
    let t = Instant::now();
    let v = c.cmd(&["PING"]);
    let rtt = t.elapsed();
    assert_eq!(v, Value::Simple("PONG".into()));
    rtt
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(idx).copied().unwrap_or_default()
}

fn assert_serving(s: &mut Proc) {
    assert!(s.is_running(), "rsentinel died: {}", s.log_tail(20));
    let mut c = s.client();
    assert_eq!(c.cmd(&["PING"]), Value::Simple("PONG".into()));
    let log = s.read_log();
    assert!(!log.contains("panicked"), "rsentinel panicked:\n{log}");
}

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    // Sizes are chosen so that both servers have read every byte when they close (Redis
    // reads 16 KiB at a time; unread bytes would turn the close into a reset that may
    // destroy the error reply on its way).
    vec![
        ("non-numeric multibulk count", b"*abc\r\n".to_vec()),
        (
            "simple string where a bulk belongs",
            b"*1\r\n+PING\r\n".to_vec(),
        ),
        ("non-numeric bulk length", b"*1\r\n$abc\r\n".to_vec()),
        ("negative bulk length", b"*1\r\n$-5\r\n".to_vec()),
        ("multibulk count above INT_MAX", b"*3000000000\r\n".to_vec()),
        (
            "bulk length above 512 MiB",
            b"*1\r\n$600000000\r\n".to_vec(),
        ),
        ("deep nesting", b"*1\r\n".repeat(1000)),
        ("unbalanced quotes", b"PING \"abc\r\n".to_vec()),
        ("valid command then garbage", b"PING\r\n*x\r\n".to_vec()),
        ("endless inline line", vec![b'a'; 65537]),
        ("endless multibulk count", {
            let mut v = b"*".to_vec();
            v.extend(std::iter::repeat_n(b'1', 65536));
            v
        }),
        ("endless bulk length", {
            let mut v = b"*1\r\n$".to_vec();
            v.extend(std::iter::repeat_n(b'1', 65536));
            v
        }),
        (
            "truncated multibulk",
            b"*2\r\n$4\r\nPING\r\n$3\r\nab".to_vec(),
        ),
        ("NUL inside an inline command", b"PI\0NG\r\n".to_vec()),
        ("high bytes", (0x80u8..=0xff).collect()),
    ]
}

#[test]
fn malformed_requests_get_the_same_protocol_errors_and_closes_as_redis() {
    let reference = lone(Kind::RedisSentinel);
    let mut candidate = lone(compare::candidate_kind());
    let quiet = Duration::from_millis(400);
    let mut diffs = Vec::new();
    for (what, input) in inputs() {
        let a = exchange(reference.port(), &input, quiet);
        let b = exchange(candidate.port(), &input, quiet);
        if a != b {
            diffs.push(format!(
                "{what}:\n  redis-sentinel: {}\n  rsentinel:      {}",
                show(&a),
                show(&b)
            ));
        }
    }
    assert!(diffs.is_empty(), "differences:\n{}", diffs.join("\n"));
    // Spot-check the texts themselves, not only the agreement.
    let o = exchange(candidate.port(), &vec![b'a'; 65537], quiet);
    assert_eq!(
        o.reply,
        b"-ERR Protocol error: too big inline request\r\n".to_vec()
    );
    assert!(o.closed);
    let o = exchange(candidate.port(), b"*1\r\n$600000000\r\n", quiet);
    assert_eq!(
        o.reply,
        b"-ERR Protocol error: invalid bulk length\r\n".to_vec()
    );
    assert!(o.closed);
    assert_serving(&mut candidate);
}

/// Sends `input`, shuts the write side down (as `nc -N` does at the end of its input), and
/// returns everything the server sends until it closes.
fn exchange_half_closed(port: u16, input: &[u8]) -> Vec<u8> {
    let mut s = connect(port);
    s.write_all(input).expect("write requests");
    s.shutdown(std::net::Shutdown::Write)
        .expect("shutdown write");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let mut reply = Vec::new();
    s.read_to_end(&mut reply)
        .unwrap_or_else(|e| panic!("server neither replied nor closed: {e}"));
    reply
}

#[test]
fn a_client_that_half_closes_after_its_requests_still_gets_every_reply() {
    let reference = lone(Kind::RedisSentinel);
    let mut candidate = lone(compare::candidate_kind());
    let input = b"PING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\nPING hello\r\nSENTINEL MYID\r\n";
    let want = exchange_half_closed(reference.port(), b"PING\r\nPING hello\r\n");
    assert_eq!(want, b"+PONG\r\n$5\r\nhello\r\n".to_vec());
    let got = exchange_half_closed(candidate.port(), b"PING\r\nPING hello\r\n");
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want)
    );
    // Errors and longer replies too, byte for byte (run ids differ: compare shapes).
    let a = exchange_half_closed(reference.port(), input);
    let b = exchange_half_closed(candidate.port(), input);
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    assert!(
        b.starts_with(b"+PONG\r\n-ERR unknown command 'ECHO'"),
        "{b:?}"
    );
    assert_serving(&mut candidate);
}

#[test]
fn huge_declared_lengths_do_not_allocate_and_others_keep_being_served() {
    let mut s = lone(compare::candidate_kind());
    let pid = s.pid();
    let before = rss_kib(pid);
    // Legal but enormous declarations, then nothing: the server must wait without reserving.
    let mut held = Vec::new();
    for input in [
        b"*2000000000\r\n$4\r\nPING\r\n".to_vec(),
        b"*2\r\n$4\r\nAUTH\r\n$500000000\r\nabc".to_vec(),
        b"*1048576\r\n".to_vec(),
    ] {
        for _ in 0..4 {
            let mut c = connect(s.port());
            c.write_all(&input).expect("write");
            held.push(c);
        }
    }
    let mut c = s.client();
    for _ in 0..20 {
        assert!(ping_rtt(&mut c) < Duration::from_millis(500));
    }
    let after = rss_kib(pid);
    eprintln!("[robust] RSS with 12 huge pending declarations: {before} KiB -> {after} KiB");
    assert!(
        after < before + 64 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    drop(held);
    assert_serving(&mut s);
}

#[test]
fn random_binary_garbage_never_kills_the_server() {
    let mut s = lone(compare::candidate_kind());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut closed = 0;
    for round in 0..60 {
        let len = (next() % 3000) as usize + 1;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Half the rounds start like a request, to get past the first byte's dispatch.
        if round % 2 == 0 {
            bytes.splice(0..0, b"*3\r\n$8\r\nSENTINEL\r\n".iter().copied());
        }
        if exchange(s.port(), &bytes, Duration::from_millis(100)).closed {
            closed += 1;
        }
    }
    eprintln!("[robust] garbage: {closed}/60 connections closed by the server");
    assert_serving(&mut s);
}

#[test]
fn a_client_sending_one_byte_every_100ms_gets_correct_replies() {
    let s = lone(compare::candidate_kind());
    let mut c = connect(s.port());
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let req = b"*1\r\n$4\r\nPING\r\nPING x\r\n";
    for b in req {
        c.write_all(&[*b]).expect("write one byte");
        std::thread::sleep(Duration::from_millis(100));
    }
    let want = b"+PONG\r\n$1\r\nx\r\n";
    let mut got = vec![0u8; want.len()];
    c.read_exact(&mut got).expect("read both replies");
    assert_eq!(got, want.to_vec(), "{}", String::from_utf8_lossy(&got));
}

#[test]
fn a_pipeline_bigger_than_one_read_budget_is_answered_in_full() {
    // The reactor reads at most 1 MiB per readiness event; bytes already buffered beyond
    // that must still be processed without the client sending more.
    let mut s = lone(compare::candidate_kind());
    let mut c = connect(s.port());
    s.stop();
    c.set_nonblocking(true).expect("nonblocking");
    let cmd = b"PING\r\n";
    let target = 4 << 20;
    let mut sent = 0usize;
    let deadline = Instant::now() + Duration::from_secs(3);
    let pipeline = cmd.repeat(64 * 1024 / cmd.len());
    while sent < target && Instant::now() < deadline {
        let off = sent % pipeline.len();
        match c.write(&pipeline[off..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
                if Instant::now() + Duration::from_millis(2500) > deadline {
                    break; // the kernel holds all it will while the server is stopped
                }
            }
            Err(e) => panic!("write: {e}"),
        }
    }
    // Complete the last command so the count is exact.
    let partial = sent % cmd.len();
    c.set_nonblocking(false).expect("blocking");
    s.cont();
    if partial != 0 {
        c.write_all(&cmd[partial..])
            .expect("finish the last command");
        sent += cmd.len() - partial;
    }
    let want = sent / cmd.len();
    eprintln!("[robust] pipeline of {want} PINGs ({sent} bytes) buffered while stopped");
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let mut got = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0usize;
    while total < want * 7 {
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) => panic!(
                "after {} of {want} replies: {e} (the server stopped reading?)",
                total / 7
            ),
        }
        got = total / 7;
    }
    assert_eq!(got, want);
    assert_serving(&mut s);
}

/// Raise this process's open-file limit to at least `n` (up to the hard limit).
fn raise_nofile(n: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < n {
            lim.rlim_cur = n.min(lim.rlim_max);
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            let _ = libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        }
    }
    lim.rlim_cur
}

#[test]
fn five_thousand_idle_connections_leave_ping_fast() {
    let have = raise_nofile(12_000);
    if have < 5_300 {
        eprintln!("SKIP: open-file limit {have} < 5300 and cannot be raised");
        return;
    }
    let mut s = lone(compare::candidate_kind());
    let pid = s.pid();
    let rss0 = rss_kib(pid);
    let mut idle: Vec<Client> = Vec::with_capacity(5_000);
    for i in 0..5_000 {
        let c =
            Client::try_connect(s.port()).unwrap_or_else(|e| panic!("idle connection {i}: {e}"));
        idle.push(c);
    }
    let mut c = s.client();
    wait_until(Duration::from_secs(10), "5001 clients accepted", || {
        let info = c.cmd(&["INFO", "clients"]).as_str().unwrap_or_default();
        info.contains("connected_clients:5001\r\n")
    });
    let mut rtts: Vec<Duration> = (0..200).map(|_| ping_rtt(&mut c)).collect();
    let p99 = percentile(&mut rtts, 0.99);
    let rss = rss_kib(pid);
    eprintln!("[robust] 5000 idle connections: PING p99 {p99:?}, RSS {rss0} KiB -> {rss} KiB");
    assert!(p99 < FAST, "PING p99 {p99:?}");
    assert!(
        !s.read_log().contains("+tilt"),
        "accepting connections stalled the event loop into TILT"
    );
    // Spot-check that idle clients are real, served clients.
    for k in [0usize, 2_500, 4_999] {
        idle[k].send(&["PING"]);
        match idle[k].try_read_raw() {
            Ok((v, _)) => assert_eq!(v, Value::Simple("PONG".into()), "idle client {k}"),
            Err(e) => panic!(
                "idle client {k}: {e}\n{}",
                c.cmd(&["CLIENT", "LIST"])
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
    drop(idle);
    wait_until(Duration::from_secs(10), "idle clients gone", || {
        let info = c.cmd(&["INFO", "clients"]).as_str().unwrap_or_default();
        info.contains("connected_clients:1\r\n")
    });
    assert_serving(&mut s);
}

#[test]
fn connections_past_maxclients_get_the_redis_error_and_are_closed() {
    let mut s = proc_start(
        compare::candidate_kind(),
        SentinelConf::new().port(free_port()).line("maxclients 100"),
    );
    let mut accepted = Vec::new();
    for _ in 0..100 {
        let mut c = s.client();
        assert_eq!(c.cmd(&["PING"]), Value::Simple("PONG".into()));
        accepted.push(c);
    }
    for _ in 0..300 {
        let o = exchange(s.port(), b"", Duration::from_secs(2));
        assert_eq!(
            (o.reply.as_slice(), o.closed),
            (&b"-ERR max number of clients reached\r\n"[..], true),
            "{}",
            show(&o)
        );
    }
    // A freed slot is usable again.
    accepted.pop();
    wait_until(Duration::from_secs(5), "a slot to free up", || {
        let mut c = Client::connect(s.port());
        c.send(&["PING"]);
        matches!(c.try_read_raw(), Ok((Value::Simple(ref p), _)) if p == "PONG")
    });
    let info = accepted[0]
        .cmd(&["INFO", "stats"])
        .as_str()
        .unwrap_or_default();
    assert!(info.contains("rejected_connections:"), "{info}");
    drop(accepted);
    assert_serving(&mut s);
}

/// Moves a stopped-then-restarted sentinel's config file to tmpfs (through a symlink, which
/// rsentinel writes through), so that each `SENTINEL SET` save costs no disk fsync and events
/// can really flood. Removes the file on drop.
struct TmpfsConfig(std::path::PathBuf);

impl TmpfsConfig {
    fn move_config(s: &mut Proc) -> Option<TmpfsConfig> {
        let shm = std::path::Path::new("/dev/shm");
        if !shm.is_dir() {
            return None;
        }
        let target = shm.join(format!(
            "rsentinel-robust-{}-{}.conf",
            std::process::id(),
            s.port()
        ));
        s.kill9();
        std::fs::copy(s.config_path(), &target).ok()?;
        std::fs::remove_file(s.config_path()).ok()?;
        std::os::unix::fs::symlink(&target, s.config_path()).ok()?;
        s.restart();
        Some(TmpfsConfig(target))
    }
}

impl Drop for TmpfsConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_subscriber_that_never_reads_is_cut_off_at_its_output_limit_while_others_stay_fast() {
    let master = RedisServer::master();
    // A long master name makes every `+set` event ~4 KB, so the flood is a flood even with
    // a debug build saving the config on every SET.
    let name = format!("m{}", "x".repeat(4000));
    let mut s = RSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .line("client-output-buffer-limit pubsub 4mb 1mb 1")
            .monitor(&name, "127.0.0.1", master.port(), 2),
    );
    let _tmpfs = TmpfsConfig::move_config(&mut s);
    if _tmpfs.is_none() {
        eprintln!("[robust] /dev/shm unusable: events flood at disk-fsync speed");
    }
    let pid = s.pid();
    // The subscriber: confirms, then never reads again. A small receive buffer keeps the
    // kernel from absorbing the flood for it.
    let sub = {
        let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        sock.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let addr = SocketAddr::from(([127, 0, 0, 1], s.port()));
        sock.connect(&addr.into()).expect("connect subscriber");
        let mut t: TcpStream = sock.into();
        t.write_all(b"PSUBSCRIBE *\r\n").expect("psubscribe");
        t.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut confirm = [0u8; 256];
        let n = t.read(&mut confirm).expect("psubscribe confirmation");
        assert!(confirm[..n].starts_with(b"*3\r\n$10\r\npsubscribe\r\n"));
        t
    };
    let rss0 = rss_kib(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let port = s.port();
    let flood = {
        let stop = stop.clone();
        let name = name.clone();
        std::thread::spawn(move || {
            let mut c = Client::connect(port);
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // Small pipelines: each SET publishes one `+set` event and saves the config.
                for i in 0..4 {
                    let q = (2 + (n + i) % 3).to_string();
                    c.send(&["SENTINEL", "SET", &name, "quorum", &q]);
                }
                for _ in 0..4 {
                    assert_eq!(c.read(), Value::Simple("OK".into()));
                }
                n += 4;
            }
            n
        })
    };
    let mut c = s.client();
    let mut rtts = Vec::new();
    let mut peak = rss0;
    let mut cut_after = None;
    let t0 = Instant::now();
    // Until the subscriber is cut off (and at least 3 s of samples), at most 20 s.
    while t0.elapsed() < Duration::from_secs(20)
        && (cut_after.is_none() || t0.elapsed() < Duration::from_secs(3))
    {
        rtts.push(ping_rtt(&mut c));
        peak = peak.max(rss_kib(pid));
        if cut_after.is_none() && rtts.len() % 20 == 0 {
            let list = c.cmd(&["CLIENT", "LIST"]).as_str().unwrap_or_default();
            if !list.contains("psub=1") {
                cut_after = Some(t0.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    let events = flood.join().expect("flood thread");
    let p99 = percentile(&mut rtts, 0.99);
    let p50 = percentile(&mut rtts, 0.50);
    eprintln!(
        "[robust] flood: {events} +set events in {:?} to a subscriber that never reads \
         (cut off after {cut_after:?}); other client's PING p50 {p50:?} p99 {p99:?} over {} \
         samples; RSS {rss0} KiB -> peak {peak} KiB",
        t0.elapsed(),
        rtts.len()
    );
    drop(sub);
    assert!(
        cut_after.is_some(),
        "the subscriber was never disconnected ({events} events)"
    );
    assert!(
        s.read_log()
            .contains("scheduled to be closed ASAP for overcoming of output buffer limits"),
        "no log line for the disconnection"
    );
    assert!(p99 < FAST, "PING p99 {p99:?}");
    assert!(
        peak < rss0 + 16 * 1024,
        "RSS grew from {rss0} KiB to {peak} KiB"
    );
    assert_serving(&mut s);
}

#[test]
fn an_abusive_glob_pattern_does_not_stall_the_event_loop() {
    let master = RedisServer::master();
    let mut s = RSentinel::start(SentinelConf::new().port(free_port()).monitor(
        "mymaster",
        "127.0.0.1",
        master.port(),
        2,
    ));
    let pattern = format!("{}x", "*?".repeat(15));
    let mut sub = s.client();
    sub.psubscribe(&[&pattern]);
    let mut c = s.client();
    let t = Instant::now();
    // +set (and COMMAND LIST's names) against `*?*?...x`: exponential when backtracking.
    assert_eq!(
        c.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "1"]),
        Value::Simple("OK".into())
    );
    let v = c.cmd(&["COMMAND", "LIST", "FILTERBY", "PATTERN", &pattern]);
    assert!(v.as_array().is_some(), "{v:?}");
    assert!(ping_rtt(&mut c) < Duration::from_millis(500));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    assert_serving(&mut s);
}
