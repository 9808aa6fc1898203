//! Loading: config text → [`Config`], Redis's way. Lines are trimmed, comments and blank lines
//! skipped, words split like `sdssplitargs`; generic directives apply at once in file order,
//! `sentinel` lines are queued and applied after the whole text in three passes (§4.2), each
//! error naming its original line. Also the startup checks of §1 ([`check_config_file`]).

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::{strerror, ConfigError, DirectiveError};
use super::generic::GenericOptions;
use super::lexer::split_args;
use super::model::SentinelConfig;
use super::sentinel_directives::{self, pass_of, ScriptCheck};

/// A loaded configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub generic: GenericOptions,
    pub sentinel: SentinelConfig,
    /// The config file, absolute (empty from [`load_str`]).
    pub path: PathBuf,
}

/// Filesystem context: `Some` when loading a real file (then `dir` and `include` touch the
/// disk, as in Redis), `None` for [`load_str`].
struct Fs {
    /// Where Redis would be after the `dir` lines so far (it `chdir`s while loading).
    cwd: PathBuf,
    depth: usize,
}

struct Queued {
    pass: usize,
    line_no: usize,
    line: String,
    argv: Vec<String>,
}

struct Loader {
    check_scripts: bool,
    generic: GenericOptions,
    queue: Vec<Queued>,
    fs: Option<Fs>,
}

fn line_error(line_no: usize, line: &str, error: DirectiveError) -> ConfigError {
    ConfigError::Line {
        line_no,
        line: line.to_string(),
        error,
    }
}

impl Loader {
    fn text(&mut self, text: &str) -> Result<(), ConfigError> {
        for (i, raw) in text.split('\n').enumerate() {
            let line_no = i + 1;
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = split_args(line.as_bytes())
                .map_err(|_| line_error(line_no, line, DirectiveError::UnbalancedQuotes))?;
            let mut argv: Vec<String> = words
                .into_iter()
                .map(|w| String::from_utf8_lossy(&w).into_owned())
                .collect();
            let Some(first) = argv.first_mut() else {
                continue;
            };
            *first = first.to_ascii_lowercase();
            let err = |e| line_error(line_no, line, e);
            match argv.as_slice() {
                [s] if s == "sentinel" => {} // the mode flag (`--sentinel`)
                [s, rest @ ..] if s == "sentinel" => self.queue.push(Queued {
                    pass: rest.first().map_or(2, |d| pass_of(d)),
                    line_no,
                    line: line.to_string(),
                    argv: rest.to_vec(),
                }),
                [s, file] if s == "include" => self.include(file)?,
                [s, d] if s == "dir" => {
                    self.generic.apply(&argv).map_err(err)?;
                    if let Some(fs) = &mut self.fs {
                        let target = fs.cwd.join(d);
                        let real = std::fs::canonicalize(&target)
                            .map_err(|e| err(DirectiveError::Dir(strerror(&e))))?;
                        if !real.is_dir() {
                            let e = std::io::Error::from_raw_os_error(libc::ENOTDIR);
                            return Err(err(DirectiveError::Dir(strerror(&e))));
                        }
                        fs.cwd = real;
                    }
                }
                _ => self.generic.apply(&argv).map_err(err)?,
            }
        }
        Ok(())
    }

    fn include(&mut self, file: &str) -> Result<(), ConfigError> {
        let Some(fs) = &mut self.fs else {
            return Ok(());
        };
        let path = fs.cwd.join(file);
        fs.depth += 1;
        if fs.depth > 32 {
            let e = std::io::Error::from_raw_os_error(libc::ELOOP);
            return Err(ConfigError::Open {
                path,
                reason: strerror(&e),
            });
        }
        let bytes = std::fs::read(&path).map_err(|e| ConfigError::Open {
            path: PathBuf::from(file),
            reason: strerror(&e),
        })?;
        self.text(&String::from_utf8_lossy(&bytes))?;
        if let Some(fs) = &mut self.fs {
            fs.depth -= 1;
        }
        Ok(())
    }

    fn finish(mut self, path: PathBuf) -> Result<Config, ConfigError> {
        let mut sentinel = SentinelConfig::default();
        let base = self.fs.as_ref().map(|f| f.cwd.clone());
        let check = match (&base, self.check_scripts) {
            (_, false) => ScriptCheck::Skip,
            (Some(b), true) => ScriptCheck::From(b),
            (None, true) => ScriptCheck::Cwd,
        };
        for pass in 0..3 {
            for q in self.queue.iter().filter(|q| q.pass == pass) {
                sentinel_directives::apply(&mut sentinel, &q.argv, check)
                    .map_err(|e| line_error(q.line_no, &q.line, e))?;
            }
        }
        if let Some(cwd) = base {
            self.generic.dir = Some(cwd.to_string_lossy().into_owned());
        }
        Ok(Config {
            generic: self.generic,
            sentinel,
            path,
        })
    }
}

/// Parses config text without touching the disk except to check script permissions (`dir` is
/// taken as written, `include` lines are ignored).
pub fn load_str(text: &str) -> Result<Config, ConfigError> {
    load_text(text, true)
}

/// [`load_str`], optionally without the script permission checks.
pub(crate) fn load_text(text: &str, check_scripts: bool) -> Result<Config, ConfigError> {
    let mut l = Loader {
        check_scripts,
        generic: GenericOptions::default(),
        queue: Vec::new(),
        fs: None,
    };
    l.text(text)?;
    l.finish(PathBuf::new())
}

/// Loads `path` followed by `cli_overrides` (config lines built by [`super::cli::parse_cli`]),
/// as Redis does: relative `dir` and `include` paths are taken from the directory reached so
/// far (starting at the process's current directory), the resulting `generic.dir` is absolute,
/// and script paths are checked from there. The process's directory is not changed.
pub fn load(path: &Path, cli_overrides: &str) -> Result<Config, ConfigError> {
    let cwd = std::env::current_dir().map_err(|e| ConfigError::Open {
        path: path.to_path_buf(),
        reason: strerror(&e),
    })?;
    let abs = cwd.join(path);
    let bytes = std::fs::read(&abs).map_err(|e| ConfigError::Open {
        path: path.to_path_buf(),
        reason: strerror(&e),
    })?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if !cli_overrides.is_empty() {
        text.push('\n');
        text.push_str(cli_overrides);
    }
    let mut l = Loader {
        check_scripts: true,
        generic: GenericOptions::default(),
        queue: Vec::new(),
        fs: Some(Fs { cwd, depth: 0 }),
    };
    l.text(&text)?;
    l.finish(abs)
}

/// The §1 startup refusals; `Display` is the exact log line (the caller logs it at warning level
/// and exits 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartupError {
    NoConfigFile,
    NotWritable { path: PathBuf, reason: String },
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartupError::NoConfigFile => {
                f.write_str("Sentinel needs config file on disk to save state. Exiting...")
            }
            StartupError::NotWritable { path, reason } => write!(
                f,
                "Sentinel config file {} is not writable: {reason}. Exiting...",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StartupError {}

/// Sentinel refuses to start without a config file it can write (`access(path, W_OK)`).
pub fn check_config_file(path: Option<&Path>) -> Result<(), StartupError> {
    let Some(path) = path else {
        return Err(StartupError::NoConfigFile);
    };
    let not_writable = |e: std::io::Error| StartupError::NotWritable {
        path: path.to_path_buf(),
        reason: strerror(&e),
    };
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| not_writable(std::io::Error::from_raw_os_error(libc::EINVAL)))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == -1 {
        return Err(not_writable(std::io::Error::last_os_error()));
    }
    Ok(())
}
