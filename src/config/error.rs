//! Config errors, each `Display`ing Redis 7.0.15's exact text: [`DirectiveError`] is the
//! message of one bad line, [`ConfigError`] the whole fatal report Redis prints to stderr.

use std::fmt;
use std::path::PathBuf;

/// The Redis version our fatal error banner names.
pub const REDIS_VERSION: &str = "7.0.15";

/// What is wrong with one config line (the last line of Redis's fatal report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveError {
    UnbalancedQuotes,
    BadDirective,
    WrongArgCount,
    NotYesNo,
    NotInteger,
    OutOfRange(i64, i64),
    NotMemory,
    NotMemoryOrPercent,
    NotOctal,
    NotOneOf(&'static [&'static str]),
    TooManyBindAddresses,
    /// A bind address with white space or quotes (rsentinel only: it could never be
    /// listened on, and it could not be written back as one word).
    InvalidBindAddress,
    InvalidSave,
    BufferLimitArgCount,
    BufferLimitClass,
    BufferLimitValue,
    OomScoreAdjRange,
    KeyspaceEventClass,
    InvalidMasterPort,
    PercentilesInvalid,
    PercentilesRange,
    /// `dir` could not be entered: the `strerror` text.
    Dir(String),
    NoSuchCommandToRename,
    RenameTargetExists,
    ModuleConfigWithoutValue,
    // `sentinel ...` lines
    QuorumTooLow,
    NonPositiveTime,
    NegativeTime,
    NotificationScript,
    ClientReconfigScript,
    DuplicateMaster,
    DuplicateReplica,
    DuplicateSentinel,
    CantResolve,
    InvalidPort,
    DuplicateRename,
    MalformedMyid,
    DenyScriptsReconfig,
    ResolveHostnames,
    AnnounceHostnames,
    UnrecognizedSentinel,
    NoSuchMaster,
}

impl fmt::Display for DirectiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DirectiveError::*;
        let s = match self {
            UnbalancedQuotes => "Unbalanced quotes in configuration line",
            BadDirective => "Bad directive or wrong number of arguments",
            WrongArgCount => "wrong number of arguments",
            NotYesNo => "argument must be 'yes' or 'no'",
            NotInteger => "argument couldn't be parsed into an integer",
            OutOfRange(lo, hi) => {
                return write!(f, "argument must be between {lo} and {hi} inclusive")
            }
            NotMemory => "argument must be a memory value",
            NotMemoryOrPercent => "argument must be a memory or percent value",
            NotOctal => "argument couldn't be parsed as an octal number",
            NotOneOf(list) => {
                return write!(
                    f,
                    "argument(s) must be one of the following: {}",
                    list.join(", ")
                )
            }
            TooManyBindAddresses => "Too many bind addresses specified.",
            InvalidBindAddress => "Invalid bind address (white space or quotes).",
            InvalidSave => "Invalid save parameters",
            BufferLimitArgCount => "Wrong number of arguments in buffer limit configuration.",
            BufferLimitClass => "Invalid client class specified in buffer limit configuration.",
            BufferLimitValue => {
                "Error in hard, soft or soft_seconds setting in buffer limit configuration."
            }
            OomScoreAdjRange => {
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
            }
            KeyspaceEventClass => "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
            InvalidMasterPort => "Invalid master port",
            PercentilesInvalid => "Invalid latency-tracking-info-percentiles parameters",
            PercentilesRange => {
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
            }
            Dir(reason) => reason,
            NoSuchCommandToRename => "No such command in rename-command",
            RenameTargetExists => "Target command name already exists",
            ModuleConfigWithoutValue => "Module config specified without value",
            QuorumTooLow => "Quorum must be 1 or greater.",
            NonPositiveTime => "negative or zero time parameter.",
            NegativeTime => "negative time parameter.",
            NotificationScript => "Notification script seems non existing or non executable.",
            ClientReconfigScript => {
                "Client reconfiguration script seems non existing or non executable."
            }
            DuplicateMaster => "Duplicate master name.",
            DuplicateReplica => "Duplicate hostname and port for replica.",
            DuplicateSentinel => "Duplicate runid for sentinel.",
            CantResolve => "Can't resolve instance hostname.",
            InvalidPort => "Invalid port number.",
            DuplicateRename => "Same command renamed multiple times with rename-command.",
            MalformedMyid => "Malformed Sentinel id in myid option.",
            DenyScriptsReconfig => {
                "Please specify yes or no for the deny-scripts-reconfig options."
            }
            ResolveHostnames => "Please specify yes or no for the resolve-hostnames option.",
            AnnounceHostnames => "Please specify yes or no for the announce-hostnames option.",
            UnrecognizedSentinel => "Unrecognized sentinel configuration statement.",
            NoSuchMaster => "No such master with specified name.",
        };
        f.write_str(s)
    }
}

impl std::error::Error for DirectiveError {}

/// Why a configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A bad line: `Display` is Redis's whole fatal report (starting and ending with a newline),
    /// meant for stderr before exiting with status 1.
    Line {
        /// 1-based line number in the text that was parsed (the file, then CLI overrides).
        line_no: usize,
        /// The line, trimmed of surrounding white space as Redis shows it.
        line: String,
        error: DirectiveError,
    },
    /// The config file (or an `include`d one) could not be read. Redis logs this line (at
    /// warning level) and exits 1.
    Open { path: PathBuf, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Line {
                line_no,
                line,
                error,
            } => write!(
                f,
                "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n\
                 Reading the configuration file, at line {line_no}\n>>> '{line}'\n{error}\n"
            ),
            ConfigError::Open { path, reason } => write!(
                f,
                "Fatal error, can't open config file '{}': {reason}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The C library's `strerror` text for an I/O error (`No such file or directory`), without
/// Rust's ` (os error N)` suffix.
pub fn strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let s = std::io::Error::from_raw_os_error(code).to_string();
            match s.rfind(" (os error ") {
                Some(i) => s.get(..i).unwrap_or(&s).to_string(),
                None => s,
            }
        }
        None => e.to_string(),
    }
}
