//! Fuzzes the resumable request parser differentially against the naive reference oracle,
//! with the input fed whole, split in two at every offset, and byte by byte. The first byte
//! chooses whether the client is authenticated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsentinel::resp::reference::check_request_input;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let rest = rest.get(..rest.len().min(1024)).unwrap_or_default();
    check_request_input(rest, flags & 1 == 1);
});
