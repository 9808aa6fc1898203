//! The config file: the Redis lexer, generic and `sentinel` directives with Redis's fatal-error
//! format, the three-pass load order, CLI overrides, and the line-preserving atomic rewrite.

pub mod lexer;
pub mod model;

pub use model::{KnownSentinel, MasterConfig, SentinelConfig};
