//! RESP benchmarks: pipelined client request parsing (MB/s and commands/s), frame parsing of
//! replies (an INFO bulk, a SENTINEL MASTER-like map) and encoding of a SENTINEL MASTER map.
//! Quick run: `cargo bench --bench resp -- --quick`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rsentinel::resp::encode::command;
use rsentinel::resp::{parse_frame, Proto, ReplyWriter, RequestParser};

/// One round of the mix a sentinel sees from clients and peers.
fn command_mix() -> Vec<Vec<Vec<u8>>> {
    let hello =
        b"127.0.0.1,26379,7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a,12,mymaster,127.0.0.1,6379,12";
    let as_args = |parts: &[&[u8]]| parts.iter().map(|p| p.to_vec()).collect::<Vec<_>>();
    vec![
        as_args(&[b"PING"]),
        as_args(&[b"SENTINEL", b"GET-MASTER-ADDR-BY-NAME", b"mymaster"]),
        as_args(&[b"INFO"]),
        as_args(&[b"PUBLISH", b"__sentinel__:hello", hello]),
        as_args(&[
            b"SENTINEL",
            b"is-master-down-by-addr",
            b"127.0.0.1",
            b"6379",
            b"12",
            b"7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a",
        ]),
    ]
}

fn pipelined_requests(rounds: usize) -> (Vec<u8>, usize) {
    let mix = command_mix();
    let mut buf = Vec::new();
    for _ in 0..rounds {
        for c in &mix {
            command(&mut buf, c);
        }
    }
    (buf, rounds * mix.len())
}

/// Parses every command in `buf`, touching each argument; returns the total argument bytes.
fn parse_all(parser: &mut RequestParser, buf: &[u8]) -> usize {
    let mut start = 0;
    let mut total = 0;
    while let Ok(Some(n)) = parser.parse(buf.get(start..).unwrap_or_default(), true) {
        let view = buf.get(start..).unwrap_or_default();
        total += parser.args(view).map(<[u8]>::len).sum::<usize>();
        start += n;
    }
    total
}

fn bench_requests(c: &mut Criterion) {
    let (buf, commands) = pipelined_requests(200);
    let mut group = c.benchmark_group("request_parse_pipelined_mix");
    let mut parser = RequestParser::new();
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("bytes", |b| {
        b.iter(|| parse_all(&mut parser, black_box(&buf)))
    });
    group.throughput(Throughput::Elements(commands as u64));
    group.bench_function("commands", |b| {
        b.iter(|| parse_all(&mut parser, black_box(&buf)))
    });
    let inline = b"PING\r\nSENTINEL get-master-addr-by-name mymaster\r\nINFO\r\n".repeat(200);
    group.throughput(Throughput::Elements(600));
    group.bench_function("inline_commands", |b| {
        b.iter(|| parse_all(&mut parser, black_box(&inline)))
    });
    group.finish();
}

/// A typical `INFO` reply from a replica (about 4 KB).
fn info_reply() -> Vec<u8> {
    let mut text = String::new();
    text.push_str("# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\narch_bits:64\r\nmultiplexing_api:epoll\r\nprocess_id:4242\r\nrun_id:7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a\r\ntcp_port:6380\r\nuptime_in_seconds:86400\r\n");
    text.push_str("\r\n# Clients\r\nconnected_clients:12\r\nblocked_clients:0\r\n");
    text.push_str("\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:0\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:123456789\r\nslave_repl_offset:123456789\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:0f9e8d7c6b5a49382716f5e4d3c2b1a098765432\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:123456789\r\n");
    for i in 0..60 {
        text.push_str(&format!("stat_field_{i}:{}\r\n", i * 7919));
    }
    let mut out = Vec::new();
    ReplyWriter::new(&mut out, Proto::Resp2).bulk(text.as_bytes());
    out
}

/// A SENTINEL MASTER reply body: 40 field/value pairs.
fn master_fields() -> Vec<(String, String)> {
    let mut fields = vec![
        ("name".to_string(), "mymaster".to_string()),
        ("ip".into(), "127.0.0.1".into()),
        ("port".into(), "6379".into()),
        (
            "runid".into(),
            "7b4c3b1f5d0e9a8c2f6e4d3b1a0c9e8f7d6c5b4a".into(),
        ),
        ("flags".into(), "master".into()),
    ];
    for i in fields.len()..40 {
        fields.push((format!("field-{i}"), (i * 1013).to_string()));
    }
    fields
}

fn encode_master(out: &mut Vec<u8>, proto: Proto, fields: &[(String, String)]) {
    let mut w = ReplyWriter::new(out, proto);
    w.map(fields.len());
    for (k, v) in fields {
        w.bulk(k.as_bytes());
        w.bulk(v.as_bytes());
    }
}

fn bench_frames(c: &mut Criterion) {
    let info = info_reply();
    let mut group = c.benchmark_group("frame_parse");
    group.throughput(Throughput::Bytes(info.len() as u64));
    group.bench_function("info_bulk_reply", |b| {
        b.iter(|| parse_frame(black_box(&info)).map(|o| o.map(|(_, n)| n)))
    });
    let mut master = Vec::new();
    encode_master(&mut master, Proto::Resp3, &master_fields());
    group.throughput(Throughput::Bytes(master.len() as u64));
    group.bench_function("sentinel_master_map", |b| {
        b.iter(|| parse_frame(black_box(&master)).map(|o| o.map(|(_, n)| n)))
    });
    group.finish();
}

fn bench_encode(c: &mut Criterion) {
    let fields = master_fields();
    let mut group = c.benchmark_group("encode_sentinel_master_map");
    let mut out = Vec::with_capacity(4096);
    for proto in [Proto::Resp2, Proto::Resp3] {
        out.clear();
        encode_master(&mut out, proto, &fields);
        group.throughput(Throughput::Bytes(out.len() as u64));
        group.bench_function(format!("{proto:?}"), |b| {
            b.iter(|| {
                out.clear();
                encode_master(&mut out, proto, black_box(&fields));
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_requests, bench_frames, bench_encode);
criterion_main!(benches);
