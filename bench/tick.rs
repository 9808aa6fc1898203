//! One core tick (`Sentinel::handle(now, Input::Tick)`) over N monitored masters in steady
//! state, and the number of heap allocations per steady-state tick.
//!
//! A fake shell answers everything the core sends: `Connect` → `Input::Connected`, PING →
//! `+PONG`, INFO → a master's INFO, PUBLISH → `:1`, SUBSCRIBE → the subscribe push, anything
//! else → `+OK`. The core runs 30 virtual seconds at 10 Hz first, so every link is up and
//! every periodic command (PING 1 s, hello 2 s, INFO 10 s) has cycled. Only the `handle(Tick)`
//! call is timed; answering the replies happens between timed ticks.
//!
//! Run: `cargo bench --bench tick` (criterion timings for 100 / 1,000 / 5,000 masters, then
//! the allocation report). `cargo bench --bench tick -- --quick` for a short run;
//! `TICK_ALLOC_TRACE=1 cargo bench --bench tick -- alloc` also prints where the allocations of
//! one tick come from (first rsentinel frame of each allocation's backtrace).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rsentinel::config::load_str;
use rsentinel::resp::{parse_frame, Proto, ReplyWriter, RequestParser};
use rsentinel::sentinel::{Action, ConnId, Input, Millis, Sentinel, Settings};

// ------------------------------------------------------------------ counting allocator

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static TRACE: AtomicBool = AtomicBool::new(false);
static TRACES: Mutex<Vec<String>> = Mutex::new(Vec::new());

thread_local! {
    static IN_TRACE: Cell<bool> = const { Cell::new(false) };
}

fn record(size: usize) {
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
    if TRACE.load(Ordering::Relaxed) && !IN_TRACE.with(Cell::get) {
        IN_TRACE.with(|t| t.set(true));
        let bt = std::backtrace::Backtrace::force_capture().to_string();
        if let Ok(mut v) = TRACES.lock() {
            v.push(bt);
        }
        IN_TRACE.with(|t| t.set(false));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ------------------------------------------------------------------ fake shell

const TICK_MS: Millis = 100;

struct World {
    core: Sentinel,
    now: Millis,
    info: Vec<u8>,
    parser: RequestParser,
    outbox: Vec<(ConnId, Vec<u8>)>,
    replies: Vec<u8>,
    /// Instance port of every connection, and the pub/sub connection per port: a PUBLISH
    /// on an instance is delivered to its subscribers, as Redis does.
    conn_port: HashMap<ConnId, u16>,
    pubsub_of: HashMap<u16, ConnId>,
    pushes: Vec<(ConnId, Vec<u8>)>,
}

fn config_text(masters: usize) -> String {
    let mut text =
        String::from("port 26379\nsentinel myid 0123456789abcdef0123456789abcdef01234567\n");
    for i in 0..masters {
        let port = 10000 + i;
        text.push_str(&format!(
            "sentinel monitor m{i} 127.0.0.1 {port} 2\n\
             sentinel down-after-milliseconds m{i} 5000\n"
        ));
    }
    text
}

fn master_info() -> Vec<u8> {
    let text = "# Server\r\nredis_version:7.0.15\r\nrun_id:7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a\r\n\
                tcp_port:6379\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\
                master_failover_state:no-failover\r\nmaster_replid:0f9e8d7c6b5a49382716f5e4d3c2b1a098765432\r\n\
                master_repl_offset:0\r\n";
    let mut out = Vec::new();
    ReplyWriter::new(&mut out, Proto::Resp2).bulk(text.as_bytes());
    out
}

impl World {
    fn new(masters: usize) -> Self {
        let cfg = load_str(&config_text(masters)).expect("bench config loads");
        let settings = Settings {
            port: 26379,
            requirepass: None,
        };
        let core = Sentinel::new(&cfg.sentinel, settings, 1_000, 42);
        let mut w = World {
            core,
            now: 1_000,
            info: master_info(),
            parser: RequestParser::new(),
            outbox: Vec::new(),
            replies: Vec::new(),
            conn_port: HashMap::new(),
            pubsub_of: HashMap::new(),
            pushes: Vec::new(),
        };
        // 30 virtual seconds: every link up, every periodic command cycled.
        for _ in 0..300 {
            w.tick();
            w.serve();
        }
        w
    }

    fn tick(&mut self) {
        self.now += TICK_MS;
        self.core.handle(self.now, Input::Tick);
    }

    /// Carries out actions and answers every command the core queued.
    fn serve(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(a) = self.core.poll_action() {
                if let Action::Connect { conn, port, .. } = a {
                    progressed = true;
                    self.conn_port.insert(conn, port);
                    self.core.handle(
                        self.now,
                        Input::Connected {
                            conn,
                            local_ip: "127.0.0.1".into(),
                        },
                    );
                }
            }
            let outbox = &mut self.outbox;
            self.core
                .drain_output(|conn, bytes| outbox.push((conn, bytes.to_vec())));
            if self.outbox.is_empty() && self.pushes.is_empty() && !progressed {
                return;
            }
            for (conn, bytes) in std::mem::take(&mut self.outbox) {
                self.answer(conn, &bytes);
            }
            for (conn, bytes) in std::mem::take(&mut self.pushes) {
                self.deliver(conn, &bytes);
            }
        }
    }

    fn answer(&mut self, conn: ConnId, bytes: &[u8]) {
        let mut start = 0;
        self.replies.clear();
        while let Ok(Some(n)) = self.parser.parse(&bytes[start..], true) {
            let view = &bytes[start..];
            let cmd = self
                .parser
                .arg(view, 0)
                .unwrap_or_default()
                .to_ascii_uppercase();
            match cmd.as_slice() {
                b"PING" => self.replies.extend_from_slice(b"+PONG\r\n"),
                b"INFO" => self.replies.extend_from_slice(&self.info),
                b"PUBLISH" => {
                    self.replies.extend_from_slice(b":1\r\n");
                    let port = self.conn_port.get(&conn).copied().unwrap_or(0);
                    if let Some(&sub) = self.pubsub_of.get(&port) {
                        let mut push = Vec::new();
                        let mut w = ReplyWriter::new(&mut push, Proto::Resp2);
                        w.array(3);
                        w.bulk(b"message");
                        w.bulk(self.parser.arg(view, 1).unwrap_or_default());
                        w.bulk(self.parser.arg(view, 2).unwrap_or_default());
                        self.pushes.push((sub, push));
                    }
                }
                b"SUBSCRIBE" => {
                    let port = self.conn_port.get(&conn).copied().unwrap_or(0);
                    self.pubsub_of.insert(port, conn);
                    self.replies.extend_from_slice(
                        b"*3\r\n$9\r\nsubscribe\r\n$18\r\n__sentinel__:hello\r\n:1\r\n",
                    )
                }
                _ => self.replies.extend_from_slice(b"+OK\r\n"),
            }
            start += n;
        }
        let replies = std::mem::take(&mut self.replies);
        self.deliver(conn, &replies);
        self.replies = replies;
    }

    /// Feeds every frame in `bytes` to the core as arriving on `conn`.
    fn deliver(&mut self, conn: ConnId, replies: &[u8]) {
        let mut pos = 0;
        while let Ok(Some((frame, n))) = parse_frame(&replies[pos..]) {
            self.core.handle(
                self.now,
                Input::Frame {
                    conn,
                    frame: &frame,
                },
            );
            pos += n;
        }
    }
}

// ------------------------------------------------------------------ benches

fn bench_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick_steady_state");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    for masters in [100usize, 1_000, 5_000] {
        let mut w = World::new(masters);
        group.throughput(Throughput::Elements(masters as u64));
        group.bench_with_input(BenchmarkId::from_parameter(masters), &masters, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    w.now += TICK_MS;
                    let start = Instant::now();
                    w.core.handle(black_box(w.now), Input::Tick);
                    total += start.elapsed();
                    w.serve();
                }
                total
            })
        });
    }
    group.finish();
}

/// Allocations made by `handle(Tick)` alone over 100 steady-state ticks (10 virtual seconds,
/// one full INFO period), per tick: mean, min, max; and optionally where they come from.
fn alloc_report(_c: &mut Criterion) {
    for masters in [100usize, 1_000, 5_000] {
        let mut w = World::new(masters);
        let mut per_tick = Vec::new();
        let mut bytes = 0;
        for _ in 0..100 {
            w.now += TICK_MS;
            let (a0, b0) = (
                ALLOCS.load(Ordering::Relaxed),
                BYTES.load(Ordering::Relaxed),
            );
            w.core.handle(w.now, Input::Tick);
            per_tick.push(ALLOCS.load(Ordering::Relaxed) - a0);
            bytes += BYTES.load(Ordering::Relaxed) - b0;
            w.serve();
        }
        let total: u64 = per_tick.iter().sum();
        println!(
            "alloc/tick_steady_state/{masters}: {:.1} allocations per tick (min {}, max {}), \
             {:.0} bytes per tick, over 100 ticks (10 s virtual)",
            total as f64 / 100.0,
            per_tick.iter().min().unwrap_or(&0),
            per_tick.iter().max().unwrap_or(&0),
            bytes as f64 / 100.0
        );
        if masters == 100 && std::env::var_os("TICK_ALLOC_TRACE").is_some() {
            trace_sources(&mut w);
        }
    }
}

/// Captures a backtrace per allocation over 100 ticks (one INFO period) and groups them by the first frame in
/// rsentinel's core (skipping the allocator, alloc:: and core:: frames).
fn trace_sources(w: &mut World) {
    TRACES.lock().map(|mut v| v.clear()).ok();
    for _ in 0..100 {
        w.now += TICK_MS;
        TRACE.store(true, Ordering::SeqCst);
        w.core.handle(w.now, Input::Tick);
        TRACE.store(false, Ordering::SeqCst);
        w.serve();
    }
    let traces = std::mem::take(&mut *TRACES.lock().expect("trace lock"));
    let mut by_site: BTreeMap<String, u64> = BTreeMap::new();
    for bt in &traces {
        let mut frames = bt.lines().map(str::trim);
        let mut site = String::from("?");
        while let Some(line) = frames.next() {
            if line.contains("rsentinel::sentinel") || line.contains("rsentinel::resp") {
                let func = line.split_once(": ").map_or(line, |(_, f)| f);
                let loc = frames
                    .find(|l| l.starts_with("at "))
                    .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
                    .unwrap_or_default();
                site = format!("{func} ({loc})");
                break;
            }
        }
        *by_site.entry(site).or_default() += 1;
    }
    let mut sites: Vec<_> = by_site.into_iter().collect();
    sites.sort_by_key(|s| std::cmp::Reverse(s.1));
    println!(
        "allocation sources over 100 ticks at 100 masters ({} allocations):",
        traces.len()
    );
    for (site, n) in sites.iter().take(15) {
        println!("  {n:>6}  {site}");
    }
}

criterion_group!(benches, bench_tick, alloc_report);
criterion_main!(benches);
