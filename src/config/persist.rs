//! Atomic, verified persistence of the sentinel state. (Minimal stand-in until the verified
//! implementation lands: rewrite, temp file, fsync, rename.)

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::generic::GenericOptions;
use super::model::SentinelConfig;

#[derive(Debug)]
pub enum SaveError {
    Io(std::io::Error),
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Io(e) => write!(f, "{e}"),
        }
    }
}

pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn save(
        &mut self,
        generic: &GenericOptions,
        sentinel: &SentinelConfig,
    ) -> Result<(), SaveError> {
        let old = std::fs::read_to_string(&self.path).unwrap_or_default();
        let text = super::rewrite(&old, generic, sentinel);
        let tmp = self
            .path
            .with_extension(format!("tmp-{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(SaveError::Io)?;
        f.write_all(text.as_bytes()).map_err(SaveError::Io)?;
        f.sync_all().map_err(SaveError::Io)?;
        std::fs::rename(&tmp, &self.path).map_err(SaveError::Io)
    }
}
