//! Pure core functions on the hot path: INFO parsing, hello parse/build/self-check, glob
//! matching (PSUBSCRIBE, ACL), and the reactor's timer wheel.
//! Quick run: `cargo bench --bench core -- --quick`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rsentinel::glob::glob_match;
use rsentinel::reactor::timer::TimerWheel;
use rsentinel::sentinel::hello::{build_hello, mentions_runid, parse_hello, Hello};
use rsentinel::sentinel::info::parse_info;

/// A master's INFO (all sections, two replicas), about 4 KB like Redis 7.0's.
fn master_info() -> Vec<u8> {
    let mut t = String::from(
        "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n\
         os:Linux 6.1.0 x86_64\r\narch_bits:64\r\nprocess_id:4242\r\n\
         run_id:7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a\r\ntcp_port:6379\r\n",
    );
    for i in 0..40 {
        t.push_str(&format!("server_field_{i}:{}\r\n", i * 31));
    }
    t.push_str(
        "\r\n# Replication\r\nrole:master\r\nconnected_slaves:2\r\n\
         slave0:ip=127.0.0.1,port=6380,state=online,offset=123456,lag=0\r\n\
         slave1:ip=127.0.0.1,port=6381,state=online,offset=123456,lag=1\r\n\
         master_failover_state:no-failover\r\n\
         master_replid:0f9e8d7c6b5a49382716f5e4d3c2b1a098765432\r\n\
         master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:123456\r\n",
    );
    for i in 0..60 {
        t.push_str(&format!("stat_field_{i}:{}\r\n", i * 7919));
    }
    t.into_bytes()
}

fn bench_info(c: &mut Criterion) {
    let info = master_info();
    let mut g = c.benchmark_group("info_parse");
    g.throughput(Throughput::Bytes(info.len() as u64));
    g.bench_function("master_2_replicas", |b| {
        b.iter(|| {
            let r = parse_info(black_box(&info));
            black_box(&r);
        })
    });
    g.finish();
}

fn bench_hello(c: &mut Criterion) {
    let payload: &[u8] =
        b"127.0.0.1,26379,7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a,12,mymaster,127.0.0.1,6379,12";
    let myid = b"0123456789abcdef0123456789abcdef01234567";
    let mut g = c.benchmark_group("hello");
    g.bench_function("parse", |b| {
        b.iter(|| parse_hello(black_box(payload)).map(|h| h.master_port))
    });
    g.bench_function("mentions_runid", |b| {
        b.iter(|| mentions_runid(black_box(payload), black_box(myid)))
    });
    let hello = parse_hello(payload).expect("valid hello");
    let mut out = Vec::with_capacity(128);
    g.bench_function("build", |b| {
        b.iter(|| {
            out.clear();
            build_hello(
                &mut out,
                black_box(&Hello {
                    sentinel_ip: hello.sentinel_ip,
                    sentinel_port: hello.sentinel_port,
                    runid: hello.runid,
                    current_epoch: hello.current_epoch,
                    master_name: hello.master_name,
                    master_ip: hello.master_ip,
                    master_port: hello.master_port,
                    master_config_epoch: hello.master_config_epoch,
                }),
            );
            out.len()
        })
    });
    g.finish();
}

fn bench_glob(c: &mut Criterion) {
    let mut g = c.benchmark_group("glob");
    let channel = b"+switch-master";
    g.bench_function("star", |b| {
        b.iter(|| glob_match(black_box(b"*"), black_box(channel), false))
    });
    g.bench_function("prefix_star", |b| {
        b.iter(|| glob_match(black_box(b"+switch*"), black_box(channel), false))
    });
    g.bench_function("class_and_question_nomatch", |b| {
        b.iter(|| glob_match(black_box(b"[-+]s?dow*"), black_box(channel), false))
    });
    g.bench_function("pathological_stars", |b| {
        b.iter(|| {
            glob_match(
                black_box(b"*a*a*a*a*a*a*b"),
                black_box(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                false,
            )
        })
    });
    g.finish();
}

fn bench_timer(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer_wheel");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("insert_1000_then_expire", |b| {
        let mut wheel: TimerWheel<u32> = TimerWheel::new(0);
        let mut now = 0u64;
        b.iter(|| {
            for i in 0..1000u32 {
                wheel.insert(now + 1 + u64::from(i % 200), i);
            }
            now += 200;
            let mut n = 0u32;
            wheel.advance(now, |_| n += 1);
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench_info, bench_hello, bench_glob, bench_timer);
criterion_main!(benches);
