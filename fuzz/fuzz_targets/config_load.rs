//! Fuzzes the config loader (lexer, generic and `sentinel` directives, three passes) on
//! arbitrary text. Whatever loads must survive the rewrite: `rewrite` of the loaded state over
//! the same text must load again, to the same (normalized) sentinel state and listener
//! settings, and so must a second rewrite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsentinel::config::{load_str, persist::normalized, rewrite};

fuzz_target!(|data: &[u8]| {
    let data = data.get(..data.len().min(4096)).unwrap_or_default();
    let text = String::from_utf8_lossy(data);
    let Ok(first) = load_str(&text) else {
        return;
    };
    let rewritten = rewrite(&text, &first.generic, &first.sentinel);
    let second = match load_str(&rewritten) {
        Ok(c) => c,
        Err(e) => panic!("rewrite produced a config that does not load: {e}\n--- input:\n{text}\n--- rewritten:\n{rewritten}"),
    };
    assert_eq!(
        second.sentinel,
        normalized(&first.sentinel),
        "sentinel state changed by rewrite\n--- input:\n{text}\n--- rewritten:\n{rewritten}"
    );
    assert_eq!(second.generic.port, first.generic.port);
    assert_eq!(second.generic.bind, first.generic.bind);
    assert_eq!(second.generic.protected_mode, first.generic.protected_mode);
    // A second rewrite (Redis's may differ in blank lines) still holds the same state.
    let again = rewrite(&rewritten, &second.generic, &second.sentinel);
    let third = match load_str(&again) {
        Ok(c) => c,
        Err(e) => panic!("second rewrite does not load: {e}\n--- input:\n{text}"),
    };
    assert_eq!(
        third.sentinel, second.sentinel,
        "second rewrite changed the state"
    );
});
