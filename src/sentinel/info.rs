//! INFO reply parsing as a pure function (§9.5).
