//! The offline cache: one pretty-printed, deterministic JSON file per query,
//! `.quarry/query-<sha256 of the SQL>.json`, so builds without a database can type-check queries.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{FORMAT_VERSION, QueryDescription};

/// The cache directory's conventional name, at the workspace root.
pub const DIR_NAME: &str = ".quarry";

/// Errors reading or writing the cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// A file is not a valid description.
    #[error("{path} is not a valid query description: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A file was written by another format version.
    #[error(
        "{path} has format version {found}, this Quarry reads version {expected}: run `quarry prepare`"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this Quarry reads.
        expected: u32,
    },
}

/// The hex SHA-256 of a query's SQL: the cache key.
///
/// ```
/// let h = quarry_driver::describe::cache::hash("SELECT 1");
/// assert_eq!(h.len(), 64);
/// ```
pub fn hash(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file that holds the description of `sql` in `dir`.
pub fn path_for(dir: &Path, sql: &str) -> PathBuf {
    dir.join(format!("query-{}.json", hash(sql)))
}

/// Reads the description of `sql` from `dir`; `Ok(None)` when there is none.
pub fn read(dir: &Path, sql: &str) -> Result<Option<QueryDescription>, CacheError> {
    let path = path_for(dir, sql);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CacheError::Io { path, source }),
    };
    let description: QueryDescription =
        serde_json::from_str(&text).map_err(|source| CacheError::Invalid {
            path: path.clone(),
            source,
        })?;
    if description.version != FORMAT_VERSION {
        return Err(CacheError::Version {
            path,
            found: description.version,
            expected: FORMAT_VERSION,
        });
    }
    Ok(Some(description))
}

/// The exact bytes written for a description: pretty-printed JSON with a final newline.
pub fn render(description: &QueryDescription) -> String {
    let mut text = serde_json::to_string_pretty(description).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the description into `dir` (created if missing); returns the file's path. Writing the
/// same description twice produces the same bytes.
pub fn write(dir: &Path, description: &QueryDescription) -> Result<PathBuf, CacheError> {
    fs::create_dir_all(dir).map_err(|source| CacheError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let path = path_for(dir, &description.sql);
    fs::write(&path, render(description)).map_err(|source| CacheError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_deterministic() {
        let dir = std::env::temp_dir().join(format!("quarry-cache-test-{}", std::process::id()));
        let d = QueryDescription {
            version: FORMAT_VERSION,
            sql: "SELECT 1".into(),
            parameters: vec![],
            columns: vec![],
        };
        let path = write(&dir, &d).unwrap();
        let first = fs::read(&path).unwrap();
        write(&dir, &d).unwrap();
        assert_eq!(fs::read(&path).unwrap(), first);
        assert_eq!(read(&dir, "SELECT 1").unwrap(), Some(d));
        assert_eq!(read(&dir, "SELECT 2").unwrap(), None);
        fs::remove_dir_all(dir).unwrap();
    }
}
