//! Atomic, verified persistence of the sentinel state (placeholder, filled next).
