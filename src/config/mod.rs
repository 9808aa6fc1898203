//! The config file: the Redis lexer, generic and `sentinel` directives with Redis's fatal-error
//! format, the three-pass load order, CLI overrides, and the line-preserving atomic rewrite.
//!
//! - [`load`] / [`load_str`]: text → [`Config`] (or a [`ConfigError`] whose `Display` is Redis's
//!   fatal report); [`cli::parse_cli`]: the command line.
//! - [`rewrite::rewrite`]: the pure CONFIG REWRITE; [`persist::FileStore`]: the atomic,
//!   verified save.

pub mod cli;
pub mod error;
pub mod generic;
pub mod lexer;
pub mod load;
pub mod model;
pub mod num;
pub mod persist;
pub mod rewrite;
pub mod sentinel_directives;
pub mod sha256;
pub mod table;
pub mod values;

pub use cli::{parse_cli, Cli, CliError};
pub use error::{ConfigError, DirectiveError};
pub use generic::{GenericOptions, LogLevel, Supervised};
pub use load::{check_config_file, load, load_str, Config, StartupError};
pub use model::{KnownSentinel, MasterConfig, SentinelConfig};

pub use persist::{FileStore, SaveError};
pub use rewrite::rewrite;
