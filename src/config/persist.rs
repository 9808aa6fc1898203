//! Atomic, verified persistence of the config ([`FileStore::save`]): read the current file,
//! rewrite it, write a temporary file in the same directory, fsync it, parse it back and refuse
//! unless it loads to the same state, then rename it over the original and fsync the directory.
//! A crash at any moment leaves either the old file or the new one, never a mix, and we never
//! install a file that would not load again (beyond-redis item 5).

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::generic::GenericOptions;
use super::load::load_text;
use super::model::SentinelConfig;
use super::rewrite::rewrite;

/// Why a save failed. The original file is untouched unless the variant says otherwise.
#[derive(Debug)]
pub enum SaveError {
    /// The current file could not be read (a missing file is fine: it counts as empty).
    Read { path: PathBuf, source: io::Error },
    /// The temporary file could not be created, written or synced.
    Temp { path: PathBuf, source: io::Error },
    /// What we wrote does not load: the rewrite would have produced a broken config.
    Unloadable { path: PathBuf, error: ConfigError },
    /// What we wrote loads, but to a different state (e.g. an unrepresentable value).
    Mismatch { path: PathBuf, what: &'static str },
    /// Renaming the temporary file over the original failed.
    Rename {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
    /// The new file is in place, but the directory could not be fsynced.
    SyncDir { path: PathBuf, source: io::Error },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Read { path, source } => {
                write!(f, "can't read config file {}: {source}", path.display())
            }
            SaveError::Temp { path, source } => {
                write!(
                    f,
                    "can't write temporary config file {}: {source}",
                    path.display()
                )
            }
            SaveError::Unloadable { path, error } => write!(
                f,
                "rewritten config {} would not load, not installed: {}",
                path.display(),
                error.to_string().trim()
            ),
            SaveError::Mismatch { path, what } => write!(
                f,
                "rewritten config {} loads to a different {what}, not installed",
                path.display()
            ),
            SaveError::Rename { from, to, source } => {
                write!(
                    f,
                    "can't rename {} to {}: {source}",
                    from.display(),
                    to.display()
                )
            }
            SaveError::SyncDir { path, source } => {
                write!(
                    f,
                    "config saved but can't fsync directory {}: {source}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SaveError::Read { source, .. }
            | SaveError::Temp { source, .. }
            | SaveError::Rename { source, .. }
            | SaveError::SyncDir { source, .. } => Some(source),
            SaveError::Unloadable { error, .. } => Some(error),
            SaveError::Mismatch { .. } => None,
        }
    }
}

/// The config file on disk.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    seq: u64,
}

/// The state as it reads back from a file: empty strings that the loader ignores count as
/// unset, and the current epoch is at least every master's config epoch (the loader raises it).
pub fn normalized(s: &SentinelConfig) -> SentinelConfig {
    let mut n = s.clone();
    for v in [
        &mut n.announce_ip,
        &mut n.sentinel_user,
        &mut n.sentinel_pass,
    ] {
        if v.as_deref() == Some("") {
            *v = None;
        }
    }
    let max_config = n.masters.iter().map(|m| m.config_epoch).max().unwrap_or(0);
    n.current_epoch = n.current_epoch.max(max_config);
    n
}

impl FileStore {
    /// `path` should be absolute (the process may `chdir` after loading).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            path: path.into(),
            seq: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rewrites the file to hold `generic` and `sentinel`, atomically and verified.
    pub fn save(
        &mut self,
        generic: &GenericOptions,
        sentinel: &SentinelConfig,
    ) -> Result<(), SaveError> {
        // Write through a symlink to its target instead of replacing the link.
        let target = fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let old = match fs::read(&target) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(SaveError::Read {
                    path: target,
                    source,
                })
            }
        };
        let text = rewrite(&old, generic, sentinel);
        self.seq += 1;
        let mut tmp_name = target.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(format!(".tmp-{}-{}", std::process::id(), self.seq));
        let tmp = target.with_file_name(tmp_name);
        let result = write_synced(&tmp, text.as_bytes())
            .and_then(|()| verify(&tmp, generic, sentinel))
            .and_then(|()| {
                fs::rename(&tmp, &target).map_err(|source| SaveError::Rename {
                    from: tmp.clone(),
                    to: target.clone(),
                    source,
                })
            });
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| SaveError::SyncDir { path: dir, source })
    }
}

/// Creates `tmp` (mode 0644 minus the umask, like Redis), writes `bytes` and fsyncs.
fn write_synced(tmp: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let err = |source| SaveError::Temp {
        path: tmp.to_path_buf(),
        source,
    };
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(tmp)
        .map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)
}

/// Reads `tmp` back and checks that it loads to the state we meant to write.
fn verify(
    tmp: &Path,
    generic: &GenericOptions,
    sentinel: &SentinelConfig,
) -> Result<(), SaveError> {
    let path = tmp.to_path_buf();
    let bytes = fs::read(tmp).map_err(|source| SaveError::Temp {
        path: path.clone(),
        source,
    })?;
    let loaded = load_text(&String::from_utf8_lossy(&bytes), false).map_err(|error| {
        SaveError::Unloadable {
            path: path.clone(),
            error,
        }
    })?;
    let mismatch = |what| {
        Err(SaveError::Mismatch {
            path: path.clone(),
            what,
        })
    };
    if loaded.sentinel != normalized(sentinel) {
        return mismatch("sentinel state");
    }
    let g = &loaded.generic;
    if g.port != generic.port
        || g.bind != generic.bind
        || g.protected_mode != generic.protected_mode
    {
        return mismatch("port, bind or protected-mode");
    }
    Ok(())
}
