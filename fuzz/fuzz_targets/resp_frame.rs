//! Fuzzes the zero-copy frame parser differentially against the naive reference oracle, on the
//! input, on every prefix of it (split feeding) and on the stream of frames it holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsentinel::resp::reference::check_frame_input;

fuzz_target!(|data: &[u8]| {
    // Every-prefix checking is quadratic: keep inputs short enough for many execs per second.
    let data = data.get(..data.len().min(1024)).unwrap_or_default();
    check_frame_input(data);
});
