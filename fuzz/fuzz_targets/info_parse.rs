//! Fuzzes the INFO parser: any bytes, never a panic; every borrowed field lies inside the
//! input, and parsing is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsentinel::sentinel::info::parse_info;

fn inside(outer: &[u8], inner: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}

fuzz_target!(|data: &[u8]| {
    let r = parse_info(data);
    if let Some(id) = r.run_id {
        assert_eq!(id.len(), 40);
        assert!(inside(data, id));
    }
    if let Some(h) = r.master_host {
        assert!(inside(data, h));
    }
    for rep in &r.replicas {
        assert!(inside(data, rep.ip));
    }
    assert_eq!(parse_info(data), r);
});
