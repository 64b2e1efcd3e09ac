//! The offline cache: one pretty-printed, deterministic JSON file per query,
//! `.quarry/query-<sha256 of the SQL>.json`, so builds without a database can type-check queries.
//! Also the collection files of `quarry prepare`: every build process appends the descriptions
//! its macros used to its own `collected-<pid>.jsonl`, one compact JSON object per line.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{FORMAT_VERSION, QueryDescription};

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
/// let h = quarry_describe::cache::hash("SELECT 1");
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

/// Appends `description` to this process's collection file in `dir` (created if missing), for
/// `quarry prepare`. One file per process, one line per description: appending is cheap where
/// creating or truncating a file per query is not, and one process's lines never interleave
/// with another's.
pub fn collect(dir: &Path, description: &QueryDescription) -> Result<(), CacheError> {
    let path = dir.join(format!("collected-{}.jsonl", std::process::id()));
    let io_error = |source| CacheError::Io {
        path: path.clone(),
        source,
    };
    let mut line = serde_json::to_string(description).map_err(|source| CacheError::Invalid {
        path: path.clone(),
        source,
    })?;
    line.push('\n');
    fs::create_dir_all(dir).map_err(|source| CacheError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io_error)?;
    file.write_all(line.as_bytes()).map_err(io_error)
}

/// Every description the build processes collected into `dir`, by SQL (the same query expanded
/// by several targets is collected once per target).
pub fn read_collected(dir: &Path) -> Result<Vec<QueryDescription>, CacheError> {
    let mut collected = Vec::new();
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(collected),
        Err(source) => {
            return Err(CacheError::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    for entry in listing {
        let entry = entry.map_err(|source| CacheError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("collected-") && name.ends_with(".jsonl")) {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|source| CacheError::Io {
            path: path.clone(),
            source,
        })?;
        for line in text.lines().filter(|line| !line.is_empty()) {
            let description = serde_json::from_str(line).map_err(|source| CacheError::Invalid {
                path: path.clone(),
                source,
            })?;
            collected.push(description);
        }
    }
    Ok(collected)
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

    #[test]
    fn collected_descriptions_read_back() {
        let dir = std::env::temp_dir().join(format!("quarry-collect-test-{}", std::process::id()));
        let d = |sql: &str| QueryDescription {
            version: FORMAT_VERSION,
            sql: sql.into(),
            parameters: vec![],
            columns: vec![],
        };
        collect(&dir, &d("SELECT 1")).unwrap();
        collect(&dir, &d("SELECT\n2")).unwrap();
        fs::write(dir.join("missing-x.sql"), "SELECT 3").unwrap();
        assert_eq!(
            read_collected(&dir).unwrap(),
            vec![d("SELECT 1"), d("SELECT\n2")]
        );
        fs::write(dir.join("collected-1.jsonl"), "{not json\n").unwrap();
        assert!(matches!(
            read_collected(&dir),
            Err(CacheError::Invalid { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
        assert!(read_collected(&dir).unwrap().is_empty());
    }
}
