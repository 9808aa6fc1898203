//! The command line, parsed like Redis 7.0.15's `main()`: `rsentinel <config> [--name value
//! ...]`. Options become config lines appended after the file (`--port 26380` → `port "26380"`,
//! `--sentinel announce-ip 1.2.3.4` → `sentinel "announce-ip" "1.2.3.4"`; a lone `--sentinel` is
//! the mode flag). `-v`/`--version` and `-h`/`--help` count only as the first argument, as in
//! Redis. `--test-config <file>` (ours) validates a config and exits.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use super::lexer::{repr, split_args};

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cli {
    /// Run the sentinel. `config` is `None` when the first argument starts with `-`; the caller
    /// must then refuse with [`super::StartupError::NoConfigFile`].
    Run {
        config: Option<PathBuf>,
        /// Config lines to append after the file (pass to [`super::load`]).
        overrides: String,
        /// A lone `-` first or last: Redis reads more config text from stdin.
        stdin: bool,
    },
    /// Print [`version_line`] and exit 0.
    Version,
    /// Print [`USAGE`] to stderr and exit 1 (as Redis does).
    Help,
    /// Load the file (and overrides), print the error if any, exit 0 or 1.
    TestConfig { config: PathBuf, overrides: String },
}

/// A command line that cannot be obeyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// `--test-config` without a file name.
    TestConfigWithoutFile,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::TestConfigWithoutFile => {
                f.write_str("--test-config needs a config file name")
            }
        }
    }
}

impl std::error::Error for CliError {}

/// Usage text (`-h`).
pub const USAGE: &str = "\
Usage: rsentinel /path/to/sentinel.conf [options] [-]
       rsentinel /path/to/sentinel.conf --test-config
       rsentinel --test-config /path/to/sentinel.conf [options]
       rsentinel -v or --version
       rsentinel -h or --help
       rsentinel demo      (a failover on loopback, to watch; needs redis-server)

Every option is a config directive given as --name value, appended after the file:
       rsentinel /etc/redis/sentinel.conf --port 26380
       rsentinel /etc/redis/sentinel.conf --sentinel announce-ip 1.2.3.4
       rsentinel /etc/redis/sentinel.conf --loglevel verbose
The config file is mandatory and must be writable: the sentinel saves its state there.
";

/// `-v`: a line shaped like `redis-server -v` (tools parse `v=`), naming us in `build=`.
pub fn version_line() -> String {
    format!(
        "Redis server v=7.0.15 sha=00000000:0 malloc=libc bits=64 build=rsentinel-{}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Parses the arguments after the program name.
pub fn parse_cli(args: &[OsString]) -> Result<Cli, CliError> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let first = args.first().map(String::as_str);
    match first {
        Some("-v" | "--version") => return Ok(Cli::Version),
        Some("-h" | "--help") => return Ok(Cli::Help),
        Some("--test-config") => {
            let config = args.get(1).ok_or(CliError::TestConfigWithoutFile)?;
            let (overrides, _) = options(args.get(2..).unwrap_or_default(), false);
            return Ok(Cli::TestConfig {
                config: PathBuf::from(config),
                overrides,
            });
        }
        _ => {}
    }
    let (config, rest) = match args.split_first() {
        Some((c, rest)) if !c.starts_with('-') => (Some(PathBuf::from(c)), rest),
        _ => (None, args.as_slice()),
    };
    let first_is_option = config.is_none();
    if rest.iter().any(|a| a == "--test-config") {
        let rest: Vec<String> = rest
            .iter()
            .filter(|a| *a != "--test-config")
            .cloned()
            .collect();
        let (overrides, _) = options(&rest, first_is_option);
        return match config {
            Some(config) => Ok(Cli::TestConfig { config, overrides }),
            None => Err(CliError::TestConfigWithoutFile),
        };
    }
    let (overrides, stdin) = options(rest, first_is_option);
    Ok(Cli::Run {
        config,
        overrides,
        stdin,
    })
}

/// Redis's option loop: returns the config text and whether stdin was requested.
fn options(args: &[String], starts_at_first: bool) -> (String, bool) {
    let mut out = String::new();
    let mut stdin = false;
    let mut handled_last = true;
    let n = args.len();
    for (j, a) in args.iter().enumerate() {
        let is_first = starts_at_first && j == 0;
        let next_is_option = args.get(j + 1).is_some_and(|x| x.starts_with("--"));
        if a == "-" && (is_first || j + 1 == n) {
            stdin = true;
        } else if handled_last && a.starts_with("--") {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(a.get(2..).unwrap_or_default());
            out.push(' ');
            let words = split_args(a.as_bytes()).map(|w| w.len()).unwrap_or(0);
            if words == 1 {
                handled_last = false;
                let save = a.eq_ignore_ascii_case("--save");
                let sentinel = a.eq_ignore_ascii_case("--sentinel");
                if save && (next_is_option || j + 1 == n) {
                    out.push_str("\"\"");
                    handled_last = next_is_option;
                } else if sentinel && next_is_option {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            out.push_str(&repr(a.as_bytes()));
            out.push(' ');
            handled_last = true;
        }
    }
    (out, stdin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Result<Cli, CliError> {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse_cli(&v)
    }

    fn run(config: Option<&str>, overrides: &str) -> Result<Cli, CliError> {
        Ok(Cli::Run {
            config: config.map(PathBuf::from),
            overrides: overrides.into(),
            stdin: false,
        })
    }

    #[test]
    fn options_become_quoted_config_lines() {
        assert_eq!(
            cli(&[
                "s.conf",
                "--port",
                "26380",
                "--sentinel",
                "announce-ip",
                "1.2.3.4"
            ]),
            run(
                Some("s.conf"),
                "port \"26380\" \nsentinel \"announce-ip\" \"1.2.3.4\" "
            )
        );
    }

    #[test]
    fn lone_sentinel_is_the_mode_flag() {
        assert_eq!(
            cli(&["s.conf", "--sentinel"]),
            run(Some("s.conf"), "sentinel ")
        );
        assert_eq!(
            cli(&["s.conf", "--sentinel", "--port", "1"]),
            run(Some("s.conf"), "sentinel \nport \"1\" ")
        );
    }

    #[test]
    fn value_may_start_with_dashes_after_a_bare_name() {
        assert_eq!(
            cli(&["s.conf", "--logfile", "--x"]),
            run(Some("s.conf"), "logfile \"--x\" ")
        );
        assert_eq!(
            cli(&["s.conf", "--save", "--port", "1"]),
            run(Some("s.conf"), "save \"\"\nport \"1\" ")
        );
        assert_eq!(cli(&["s.conf", "--port 7"]), run(Some("s.conf"), "port 7 "));
    }

    #[test]
    fn version_help_and_test_config() {
        assert_eq!(cli(&["-v"]), Ok(Cli::Version));
        assert_eq!(cli(&["--help"]), Ok(Cli::Help));
        assert_eq!(cli(&["s.conf", "-v"]), run(Some("s.conf"), "\"-v\" "));
        assert_eq!(
            cli(&["--test-config", "a.conf", "--port", "1"]),
            Ok(Cli::TestConfig {
                config: "a.conf".into(),
                overrides: "port \"1\" ".into()
            })
        );
        assert_eq!(
            cli(&["--test-config"]),
            Err(CliError::TestConfigWithoutFile)
        );
        assert!(version_line().starts_with("Redis server v=7.0.15 "));
    }

    #[test]
    fn no_config_file_when_first_argument_is_an_option() {
        assert_eq!(cli(&["--port", "1"]), run(None, "port \"1\" "));
        assert_eq!(cli(&[]), run(None, ""));
        assert_eq!(
            cli(&["s.conf", "-"]),
            Ok(Cli::Run {
                config: Some("s.conf".into()),
                overrides: String::new(),
                stdin: true
            })
        );
    }
}
