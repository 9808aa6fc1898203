//! Fuzzes the hello parser, and the build → parse round trip: any hello that parses builds
//! back to the same bytes (numbers without leading zeros), and parses again to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsentinel::sentinel::hello::{build_hello, parse_hello};

fuzz_target!(|data: &[u8]| {
    let Ok(h) = parse_hello(data) else {
        return;
    };
    let mut out = Vec::new();
    build_hello(&mut out, &h);
    let back = parse_hello(&out).expect("a built hello parses");
    assert_eq!(back, h);
    let mut again = Vec::new();
    build_hello(&mut again, &back);
    assert_eq!(again, out);
    assert!(
        out.len() <= data.len(),
        "building never adds bytes (only drops leading zeros)"
    );
});
