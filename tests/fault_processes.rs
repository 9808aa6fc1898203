//! Faults with real processes, observed through `PSUBSCRIBE *`: a hung master (SIGSTOP), a
//! master whose PING answers `-MISCONF` (down) or `-LOADING` (alive), PING renamed away on
//! the server, and the sentinel itself stalled for 3 s (TILT entered and left).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// Waits for a published event on channel `kind` whose payload contains `text`.
fn wait_event(sub: &mut Client, kind: &str, text: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Some(v) = sub.next_message(left) else {
            return false;
        };
        if let Some(a) = v.as_array() {
            let s: Vec<String> = a.iter().filter_map(|x| x.as_str()).collect();
            if s.len() == 4 && s[2] == kind && s[3].contains(text) {
                return true;
            }
        }
    }
    false
}

#[track_caller]
fn expect_event(sub: &mut Client, kind: &str, text: &str, timeout: Duration) {
    assert!(
        wait_event(sub, kind, text, timeout),
        "no `{kind} ...{text}...` event within {timeout:?}"
    );
}

fn one_sentinel(master_port: u16) -> (Proc, Client) {
    let s = RSentinel::start(
        SentinelConf::new()
            .port(free_port())
            .monitor("mymaster", "127.0.0.1", master_port, 1)
            .down_after(1000),
    );
    let mut sub = s.client();
    sub.psubscribe(&["*"]);
    (s, sub)
}

#[test]
fn a_stopped_master_goes_sdown_and_comes_back_when_continued() {
    let master = RedisServer::master();
    let (_s, mut sub) = one_sentinel(master.port());
    std::thread::sleep(Duration::from_millis(300));
    master.stop();
    expect_event(
        &mut sub,
        "+sdown",
        "master mymaster",
        Duration::from_secs(5),
    );
    master.cont();
    expect_event(
        &mut sub,
        "-sdown",
        "master mymaster",
        Duration::from_secs(5),
    );
}

#[test]
fn three_sentinels_fail_over_a_stopped_master() {
    let master = RedisServer::master();
    let replicas = [
        RedisServer::replica_of(master.port()),
        RedisServer::replica_of(master.port()),
    ];
    for r in &replicas {
        common::proc::wait_replica_link_up(r.port(), Duration::from_secs(10));
    }
    let sentinels: Vec<Proc> = (0..3)
        .map(|_| {
            RSentinel::start(
                SentinelConf::new()
                    .port(free_port())
                    .monitor("mymaster", "127.0.0.1", master.port(), 2)
                    .down_after(1000)
                    .failover_timeout(10_000),
            )
        })
        .collect();
    let mut c = sentinels[0].client();
    wait_until(
        Duration::from_secs(10),
        "sentinels and replicas discovered",
        || {
            let m = c.cmd(&["SENTINEL", "MASTER", "mymaster"]);
            m.field("num-other-sentinels").as_deref() == Some("2")
                && m.field("num-slaves").as_deref() == Some("2")
        },
    );
    let mut sub = sentinels[1].client();
    sub.psubscribe(&["*"]);
    let t = Instant::now();
    master.stop();
    expect_event(
        &mut sub,
        "+odown",
        "master mymaster",
        Duration::from_secs(10),
    );
    expect_event(
        &mut sub,
        "+switch-master",
        &format!("mymaster 127.0.0.1 {}", master.port()),
        Duration::from_secs(20),
    );
    let took = t.elapsed();
    let addr = c.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
    let port: u16 = addr
        .as_array()
        .and_then(|a| a.get(1)?.as_str()?.parse().ok())
        .unwrap_or(0);
    assert!(
        replicas.iter().any(|r| r.port() == port),
        "new master {addr:?} is not one of the replicas"
    );
    eprintln!("[robust] SIGSTOPped master failed over in {took:?}");
    master.cont();
    // The old master comes back as a replica of the new one (any sentinel may convert it;
    // Redis waits 8 s of it being up and reporting its role first).
    wait_until(
        Duration::from_secs(30),
        "old master reconfigured as a replica",
        || {
            let info = common::proc::redis_info(master.port(), "replication");
            let get = |k: &str| info.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
            get("role").as_deref() == Some("slave") && get("master_port") == Some(port.to_string())
        },
    );
}

/// A tiny fake Redis: answers PING with `ping_reply`, INFO with a master's INFO, SUBSCRIBE
/// with a confirmation and anything else with `+OK`. Stops on drop.
struct FakeMaster {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl FakeMaster {
    fn start(ping_reply: &'static str) -> FakeMaster {
        let port = free_port();
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind fake master");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let stop3 = stop2.clone();
                        std::thread::spawn(move || serve_fake(s, ping_reply, stop3));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakeMaster { port, stop }
    }
}

impl Drop for FakeMaster {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads one RESP array-of-bulks command; None on EOF/error.
fn read_command(r: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut line = String::new();
    r.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let n: usize = line.trim_end().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok().filter(|&n| n > 0)?;
        let len: usize = line.trim_end().strip_prefix('$')?.parse().ok()?;
        let mut buf = vec![0u8; len + 2];
        r.read_exact(&mut buf).ok()?;
        buf.truncate(len);
        args.push(String::from_utf8_lossy(&buf).into_owned());
    }
    Some(args)
}

fn serve_fake(s: TcpStream, ping_reply: &str, stop: Arc<AtomicBool>) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut w = match s.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut r = BufReader::new(s);
    let info = "# Server\r\nrun_id:fa4efa4efa4efa4efa4efa4efa4efa4efa4efa4e\r\n\
                # Replication\r\nrole:master\r\nconnected_slaves:0\r\n";
    while !stop.load(Ordering::Relaxed) {
        let Some(args) = read_command(&mut r) else {
            if r.buffer().is_empty() {
                // Timeout or EOF: keep serving until EOF proper.
                let mut probe = [0u8; 1];
                match r.get_ref().peek(&mut probe) {
                    Ok(0) => return,
                    _ => continue,
                }
            }
            return;
        };
        let cmd = args
            .first()
            .map(|a| a.to_ascii_uppercase())
            .unwrap_or_default();
        let reply = match cmd.as_str() {
            "PING" => format!("{ping_reply}\r\n"),
            "INFO" => format!("${}\r\n{info}\r\n", info.len()),
            "SUBSCRIBE" => {
                let ch = args.get(1).cloned().unwrap_or_default();
                format!("*3\r\n$9\r\nsubscribe\r\n${}\r\n{ch}\r\n:1\r\n", ch.len())
            }
            "PUBLISH" => ":0\r\n".to_string(),
            _ => "+OK\r\n".to_string(),
        };
        if w.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn a_master_answering_misconf_to_ping_goes_sdown() {
    let fake =
        FakeMaster::start("-MISCONF Errors writing to the AOF file: No space left on device");
    let (_s, mut sub) = one_sentinel(fake.port);
    expect_event(
        &mut sub,
        "+sdown",
        "master mymaster",
        Duration::from_secs(6),
    );
}

#[test]
fn a_master_answering_loading_to_ping_is_not_down() {
    let fake = FakeMaster::start("-LOADING Redis is loading the dataset in memory");
    let (s, mut sub) = one_sentinel(fake.port);
    assert!(
        !wait_event(
            &mut sub,
            "+sdown",
            "master mymaster",
            Duration::from_secs(3)
        ),
        "a LOADING master was declared down"
    );
    let flags = s
        .client()
        .cmd(&["SENTINEL", "MASTER", "mymaster"])
        .field("flags");
    assert_eq!(flags.as_deref(), Some("master"));
}

#[test]
fn a_master_with_ping_renamed_away_goes_sdown() {
    let master = RedisServer::master_with(&["rename-command PING \"\""]);
    let (_s, mut sub) = one_sentinel(master.port());
    expect_event(
        &mut sub,
        "+sdown",
        "master mymaster",
        Duration::from_secs(6),
    );
}

#[test]
fn a_sentinel_stalled_for_3s_enters_and_leaves_tilt() {
    let master = RedisServer::master();
    let (s, mut sub) = one_sentinel(master.port());
    let mut c = s.client();
    assert_eq!(
        c.cmd(&["SENTINEL", "DEBUG", "tilt-period", "1000"]),
        Value::Simple("OK".into())
    );
    std::thread::sleep(Duration::from_millis(300));
    s.stop();
    std::thread::sleep(Duration::from_secs(3));
    s.cont();
    expect_event(
        &mut sub,
        "+tilt",
        "#tilt mode entered",
        Duration::from_secs(3),
    );
    expect_event(
        &mut sub,
        "-tilt",
        "#tilt mode exited",
        Duration::from_secs(5),
    );
    // The hung time must not have been taken for a down master.
    let flags = c.cmd(&["SENTINEL", "MASTER", "mymaster"]).field("flags");
    assert_eq!(flags.as_deref(), Some("master"));
}
