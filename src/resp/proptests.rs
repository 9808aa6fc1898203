//! Property-style tests of the fast RESP parsers against the reference oracle, driven by a
//! small deterministic PRNG (every failure replays from its case seed), plus encoder → parser
//! round trips for every [`Frame`] type and the parser limits.

use super::encode::{self, Proto, ReplyWriter};
use super::frame::{parse_frame, Frame, ProtocolError, MAX_AGGREGATE_LEN, MAX_DEPTH};
use super::reference::{check_frame_input, check_request_input, parse_value, Value};

/// SplitMix64: tiny, deterministic, good enough to drive generators.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Bytes biased towards protocol-significant ones.
    fn byte(&mut self) -> u8 {
        const SPECIAL: &[u8] = b"\r\n\0 \t\"'\\*$+-:_%~>#,(=!|0123456789x";
        if self.chance(40) {
            SPECIAL[self.below(SPECIAL.len())]
        } else if self.chance(80) {
            b'a' + self.below(26) as u8
        } else {
            self.next() as u8
        }
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.byte()).collect()
    }

    /// Bytes for a line-typed frame: anything but `\r`.
    fn line(&mut self, max: usize) -> Vec<u8> {
        let mut b = self.bytes(max);
        b.retain(|&c| c != b'\r');
        b
    }
}

fn gen_value(rng: &mut Rng, depth: usize) -> Value {
    let kinds = if depth >= 4 { 10 } else { 14 };
    match rng.below(kinds) {
        0 => Value::Simple(rng.line(12)),
        1 => Value::Error(rng.line(12)),
        2 => Value::Integer(match rng.below(3) {
            0 => rng.next() as i64,
            1 => rng.below(1000) as i64 - 500,
            _ => [i64::MIN, i64::MAX, 0][rng.below(3)],
        }),
        3 => Value::Bulk(rng.bytes(20)),
        4 => Value::Null,
        5 => Value::Boolean(rng.chance(50)),
        6 => Value::Double(rng.line(8)),
        7 => Value::BigNumber(rng.line(8)),
        8 => Value::Verbatim((0..3).map(|_| rng.byte()).collect(), rng.bytes(12)),
        9 => Value::BlobError(rng.bytes(12)),
        k => {
            let n = rng.below(4);
            if k == 10 {
                let pairs = (0..n)
                    .map(|_| (gen_value(rng, depth + 1), gen_value(rng, depth + 1)))
                    .collect();
                return Value::Map(pairs);
            }
            let items = (0..n).map(|_| gen_value(rng, depth + 1)).collect();
            match k {
                11 => Value::Array(items),
                12 => Value::Set(items),
                _ => Value::Push(items),
            }
        }
    }
}

/// Encodes `v` like [`Value::encode`] but with random null spellings and attributes.
fn encode_varied(rng: &mut Rng, v: &Value, out: &mut Vec<u8>) {
    if rng.chance(5) {
        out.extend_from_slice(b"|1\r\n+ttl\r\n:3\r\n");
    }
    let mut nested = |rng: &mut Rng, tag: &str, items: &[&Value], n: usize| {
        out.extend_from_slice(format!("{tag}{n}\r\n").as_bytes());
        for item in items {
            encode_varied(rng, item, out);
        }
    };
    match v {
        Value::Null => {
            let spelling: &[u8] = [&b"_\r\n"[..], b"$-1\r\n", b"*-1\r\n"][rng.below(3)];
            out.extend_from_slice(spelling);
        }
        Value::Array(items) => nested(rng, "*", &items.iter().collect::<Vec<_>>(), items.len()),
        Value::Set(items) => nested(rng, "~", &items.iter().collect::<Vec<_>>(), items.len()),
        Value::Push(items) => nested(rng, ">", &items.iter().collect::<Vec<_>>(), items.len()),
        Value::Map(pairs) => {
            let flat: Vec<&Value> = pairs.iter().flat_map(|(k, v)| [k, v]).collect();
            nested(rng, "%", &flat, pairs.len());
        }
        other => other.encode(out),
    }
}

fn corrupt(rng: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..=rng.below(2) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if at < data.len() => data[at] = rng.byte(),
            1 => data.insert(at, rng.byte()),
            2 if at < data.len() => {
                data.remove(at);
            }
            3 => data.truncate(at),
            _ => {
                let digits = rng.below(100_000).to_string();
                data.splice(at..at, digits.bytes());
            }
        }
    }
}

#[test]
fn frame_parser_agrees_with_oracle_on_random_valid_frames_fed_at_every_split() {
    for seed in 0..2000 {
        let mut rng = Rng(seed);
        let v = gen_value(&mut rng, 0);
        let mut data = Vec::new();
        encode_varied(&mut rng, &v, &mut data);
        let n = data.len();
        if rng.chance(30) {
            let extra = gen_value(&mut rng, 2);
            extra.encode(&mut data);
        }
        check_frame_input(&data);
        assert_eq!(parse_value(&data), Ok(Some((v, n))), "seed {seed}");
    }
}

#[test]
fn frame_parser_agrees_with_oracle_on_random_corrupted_frames() {
    for seed in 0..4000 {
        let mut rng = Rng(seed ^ 0xf00d);
        let v = gen_value(&mut rng, 0);
        let mut data = Vec::new();
        encode_varied(&mut rng, &v, &mut data);
        corrupt(&mut rng, &mut data);
        check_frame_input(&data);
    }
}

/// One request-ish piece: a command, an empty request, or junk.
fn gen_request_piece(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(10) {
        0..=4 => {
            let args: Vec<Vec<u8>> = (0..=rng.below(4)).map(|_| rng.bytes(16)).collect();
            encode::command(out, &args);
        }
        5 | 6 => {
            const WORDS: &[&[u8]] = &[
                b"PING",
                b"SENTINEL",
                b"\"a b\"",
                b"'x'",
                b"\"\\x41\\n\"",
                b"\"q",
                b"''",
                b"get-master-addr-by-name",
                b"\t",
                b"  ",
            ];
            for _ in 0..=rng.below(3) {
                out.extend_from_slice(WORDS[rng.below(WORDS.len())]);
                out.push(b' ');
            }
            out.extend_from_slice(if rng.chance(50) { b"\r\n" } else { b"\n" });
        }
        7 => out.extend_from_slice([&b"*0\r\n"[..], b"*-1\r\n", b"\r\n", b"\n"][rng.below(4)]),
        8 => out.extend_from_slice(format!("*{}\r\n", rng.below(14)).as_bytes()),
        _ => out.extend_from_slice(&rng.bytes(6)),
    }
}

#[test]
fn request_parser_agrees_with_oracle_on_random_pipelines_fed_at_every_split() {
    for seed in 0..3000 {
        let mut rng = Rng(seed ^ 0xbeef);
        let mut data = Vec::new();
        for _ in 0..=rng.below(4) {
            gen_request_piece(&mut rng, &mut data);
        }
        if rng.chance(40) {
            corrupt(&mut rng, &mut data);
        }
        check_request_input(&data, rng.chance(50));
    }
}

#[test]
fn request_parser_agrees_with_oracle_on_unauthenticated_size_limits() {
    for (count, len) in [(10, 16384), (11, 1), (1, 16385), (2, 20000)] {
        let mut data = format!("*{count}\r\n${len}\r\n").into_bytes();
        data.resize(data.len() + len + 2, b'x');
        check_request_input(&data, false);
        check_request_input(&data, true);
    }
}

fn roundtrip(bytes: &[u8]) -> Frame<'_> {
    match parse_frame(bytes) {
        Ok(Some((f, n))) if n == bytes.len() => f,
        other => panic!("{other:?} for {bytes:?}"),
    }
}

#[test]
fn every_frame_type_survives_encode_then_parse() {
    let frames = [
        Frame::Simple(b"OK"),
        Frame::Error(b"ERR no"),
        Frame::Integer(i64::MIN),
        Frame::Bulk(b"a\r\nb\0"),
        Frame::Null,
        Frame::Array(vec![Frame::Integer(1), Frame::Array(vec![]), Frame::Null]),
        Frame::Map(vec![(
            Frame::Bulk(b"k"),
            Frame::Set(vec![Frame::Boolean(false)]),
        )]),
        Frame::Set(vec![Frame::Bulk(b"x")]),
        Frame::Push(vec![Frame::Bulk(b"message"), Frame::Map(vec![])]),
        Frame::Boolean(true),
        Frame::Double(b"3.14"),
        Frame::BigNumber(b"-12345678901234567890"),
        Frame::Verbatim(b"txt", b"line1\r\nline2"),
        Frame::BlobError(b"SYNTAX bad\r\n"),
    ];
    for f in &frames {
        let mut out = Vec::new();
        encode::frame(&mut out, f);
        assert_eq!(&roundtrip(&out), f);
    }
}

#[test]
fn reply_writer_output_parses_back_in_both_protocols() {
    for proto in [Proto::Resp2, Proto::Resp3] {
        let mut out = Vec::new();
        let mut w = ReplyWriter::new(&mut out, proto);
        w.map(2);
        w.bulk(b"name");
        w.simple("mymaster");
        w.bulk(b"flags");
        w.array(5);
        w.integer(-7);
        w.null_bulk();
        w.null_array();
        w.boolean(true);
        w.verbatim("txt", b"v");
        let resp3 = proto == Proto::Resp3;
        let inner = vec![
            Frame::Integer(-7),
            Frame::Null,
            Frame::Null,
            if resp3 {
                Frame::Boolean(true)
            } else {
                Frame::Integer(1)
            },
            if resp3 {
                Frame::Verbatim(b"txt", b"v")
            } else {
                Frame::Bulk(b"v")
            },
        ];
        let pairs = [
            (Frame::Bulk(b"name"), Frame::Simple(b"mymaster")),
            (Frame::Bulk(b"flags"), Frame::Array(inner)),
        ];
        let expected = if resp3 {
            Frame::Map(pairs.to_vec())
        } else {
            Frame::Array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
        };
        assert_eq!(roundtrip(&out), expected, "{proto:?}");
    }
}

#[test]
fn nesting_deeper_than_128_is_rejected_without_recursion() {
    let ok = [&b"*1\r\n".repeat(MAX_DEPTH)[..], b":1\r\n"].concat();
    assert!(matches!(parse_frame(&ok), Ok(Some((_, n))) if n == ok.len()));
    let deep = [&b"*1\r\n".repeat(MAX_DEPTH + 1)[..], b":1\r\n"].concat();
    assert_eq!(parse_frame(&deep), Err(ProtocolError::TooDeep));
    let hostile = b"*1\r\n".repeat(100_000);
    assert_eq!(parse_frame(&hostile), Err(ProtocolError::TooDeep));
    let attrs = b"|0\r\n".repeat(100_000);
    assert_eq!(parse_frame(&attrs), Ok(None));
    assert_eq!(parse_value(&attrs), Ok(None));
}

#[test]
fn length_limits_are_typed_errors() {
    let agg = format!("*{}\r\n", MAX_AGGREGATE_LEN + 1);
    assert_eq!(
        parse_frame(agg.as_bytes()),
        Err(ProtocolError::AggregateTooLong)
    );
    assert_eq!(parse_frame(b"%1048576\r\n"), Ok(None));
    assert_eq!(
        parse_frame(b"$536870913\r\n"),
        Err(ProtocolError::BulkTooLong)
    );
    assert_eq!(parse_frame(b"$536870912\r\n"), Ok(None));
    assert_eq!(parse_frame(b"$-2\r\n"), Err(ProtocolError::InvalidLength));
    assert_eq!(parse_frame(b"%-1\r\n"), Err(ProtocolError::InvalidLength));
    assert_eq!(
        parse_frame(b"$3\r\nabcd\r\n"),
        Err(ProtocolError::MissingBulkTerminator)
    );
    assert_eq!(parse_frame(b"+a\rb\r\n"), Err(ProtocolError::BadLineEnding));
    assert_eq!(
        parse_frame(b"=2\r\nab\r\n"),
        Err(ProtocolError::InvalidVerbatim)
    );
    assert_eq!(parse_frame(b"?\r\n"), Err(ProtocolError::UnknownType(b'?')));
}

#[test]
fn incomplete_bulk_is_detected_from_its_header_alone() {
    // A header promising 100 MB with a few bytes of payload: no scan, just `None`.
    let mut data = b"$100000000\r\n".to_vec();
    data.extend_from_slice(&[b'\r'; 4096]);
    assert_eq!(parse_frame(&data), Ok(None));
}

#[test]
fn attributes_are_skipped_and_counted_as_consumed() {
    let data = b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n|0\r\n:5\r\n+next";
    let (f, n) = match parse_frame(data) {
        Ok(Some(x)) => x,
        other => panic!("{other:?}"),
    };
    assert_eq!(f, Frame::Array(vec![Frame::Integer(5)]));
    assert_eq!(n, data.len() - 5);
}
