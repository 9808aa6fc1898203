//! The readable trace of one seed: one line per fault, core event and notable instance
//! change, stamped with the virtual time. Only recorded when asked for (a failing seed is
//! replayed with tracing on: the run is deterministic).

use crate::sentinel::Millis;

#[derive(Debug, Default)]
pub struct Trace {
    pub enabled: bool,
    pub lines: Vec<String>,
}

impl Trace {
    pub fn new(enabled: bool) -> Self {
        Trace {
            enabled,
            lines: Vec::new(),
        }
    }

    /// Records `who: what` at `now` (the closure runs only when tracing).
    pub fn log(&mut self, now: Millis, who: &str, what: impl FnOnce() -> String) {
        if self.enabled {
            self.lines.push(format!(
                "{:>6}.{:03} {who:<4} {}",
                now / 1000,
                now % 1000,
                what()
            ));
        }
    }
}
