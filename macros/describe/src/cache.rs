//! The offline cache: one pretty-printed, deterministic JSON file per query,
//! `.quarry/query-<sha256 of the SQL>.json`, so builds without a database can type-check queries.
//! Also the collection files of `quarry prepare`: every build process appends the descriptions
//! its macros used to its own `collected-<pid>.jsonl`, one compact JSON object per line, and
//! records a query the offline cache lacks as `missing-<sha256>.sql`.
//!
//! This module is the only one that spells these names or reads and writes these files: the
//! macros and the CLI call it.

use std::collections::BTreeMap;
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

/// The name of the cache file that holds the description of `sql`: `query-<hash>.json`.
///
/// ```
/// let name = quarry_describe::cache::file_name("SELECT 1");
/// assert!(name.starts_with("query-") && name.ends_with(".json"));
/// ```
pub fn file_name(sql: &str) -> String {
    format!("{QUERY_PREFIX}{}{QUERY_SUFFIX}", hash(sql))
}

/// The file that holds the description of `sql` in `dir`.
pub fn path_for(dir: &Path, sql: &str) -> PathBuf {
    dir.join(file_name(sql))
}

/// `file name -> contents` of every description file in the cache directory `dir` (none when
/// `dir` does not exist).
pub fn entries(dir: &Path) -> Result<BTreeMap<String, String>, CacheError> {
    read_named(dir, QUERY_PREFIX, QUERY_SUFFIX)
}

/// What [`update`] did to a cache directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Update {
    /// Files written (new or changed).
    pub written: usize,
    /// Files already holding the same bytes.
    pub unchanged: usize,
    /// Stale files removed (descriptions of queries no longer used).
    pub removed: usize,
}

/// Makes the cache directory `dir` (created if missing) hold exactly `wanted`, a map
/// `file name -> contents` as [`file_name`] and [`render`] make them: writes what is new or
/// different, leaves what is the same, removes description files not in `wanted`.
pub fn update(dir: &Path, wanted: &BTreeMap<String, String>) -> Result<Update, CacheError> {
    let current = entries(dir)?;
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut update = Update::default();
    for (name, text) in wanted {
        if current.get(name) == Some(text) {
            update.unchanged += 1;
        } else {
            let path = dir.join(name);
            fs::write(&path, text).map_err(io_error(&path))?;
            update.written += 1;
        }
    }
    for name in current.keys().filter(|name| !wanted.contains_key(*name)) {
        let path = dir.join(name);
        fs::remove_file(&path).map_err(io_error(&path))?;
        update.removed += 1;
    }
    Ok(update)
}

/// The SQL of a description file's contents; `None` when the text is not a description.
///
/// ```
/// use quarry_describe::{cache, QueryDescription, FORMAT_VERSION};
///
/// let d = QueryDescription { version: FORMAT_VERSION, sql: "SELECT 1".into(), parameters: vec![], columns: vec![] };
/// assert_eq!(cache::sql_of(&cache::render(&d)).as_deref(), Some("SELECT 1"));
/// assert_eq!(cache::sql_of("not json"), None);
/// ```
pub fn sql_of(text: &str) -> Option<String> {
    serde_json::from_str::<QueryDescription>(text)
        .map(|d| d.sql)
        .ok()
}

/// Reads the description of `sql` from `dir`; `Ok(None)` when there is none.
pub fn read(dir: &Path, sql: &str) -> Result<Option<QueryDescription>, CacheError> {
    let path = path_for(dir, sql);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CacheError::Io { path, source }),
    };
    parse(path, &text).map(Some)
}

/// Parses the text of the cache file at `path` (named in errors) and checks its format version:
/// what [`read`] does once the file is read (and what the `offline_cache` fuzz target drives).
///
/// ```
/// use quarry_describe::cache;
/// assert!(cache::parse("x.json".into(), "not json").is_err());
/// ```
pub fn parse(path: PathBuf, text: &str) -> Result<QueryDescription, CacheError> {
    let description: QueryDescription =
        serde_json::from_str(text).map_err(|source| CacheError::Invalid {
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
    Ok(description)
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
    let path = dir.join(format!(
        "{COLLECTED_PREFIX}{}{COLLECTED_SUFFIX}",
        std::process::id()
    ));
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

/// Records in the collection directory `dir` (created if missing) that the offline cache has no
/// description of `sql`, for `quarry prepare --check --offline` to report.
pub fn record_missing(dir: &Path, sql: &str) -> Result<(), CacheError> {
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let path = dir.join(format!("{MISSING_PREFIX}{}{MISSING_SUFFIX}", hash(sql)));
    fs::write(&path, sql).map_err(io_error(&path))
}

/// The queries recorded by [`record_missing`] in `dir`: `cache file name it lacks -> SQL`.
pub fn read_missing(dir: &Path) -> Result<BTreeMap<String, String>, CacheError> {
    Ok(read_named(dir, MISSING_PREFIX, MISSING_SUFFIX)?
        .into_values()
        .map(|sql| (file_name(&sql), sql))
        .collect())
}

/// How many descriptions the build processes have collected into `dir` so far (for progress
/// output: unreadable files count as empty).
pub fn collected_count(dir: &Path) -> usize {
    let Ok(listing) = fs::read_dir(dir) else {
        return 0;
    };
    listing
        .filter_map(Result::ok)
        .filter(|entry| is_collected(&entry.file_name().to_string_lossy()))
        .filter_map(|entry| fs::read(entry.path()).ok())
        .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count())
        .sum()
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
        if !is_collected(&name) {
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

const QUERY_PREFIX: &str = "query-";
const QUERY_SUFFIX: &str = ".json";
const MISSING_PREFIX: &str = "missing-";
const MISSING_SUFFIX: &str = ".sql";
const COLLECTED_PREFIX: &str = "collected-";
const COLLECTED_SUFFIX: &str = ".jsonl";

fn is_collected(name: &str) -> bool {
    name.starts_with(COLLECTED_PREFIX) && name.ends_with(COLLECTED_SUFFIX)
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `name -> contents` of the files in `dir` named `<prefix>...<suffix>` (none if no `dir`).
fn read_named(
    dir: &Path,
    prefix: &str,
    suffix: &str,
) -> Result<BTreeMap<String, String>, CacheError> {
    let mut named = BTreeMap::new();
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(named),
        Err(e) => return Err(io_error(dir)(e)),
    };
    for entry in listing {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(suffix) {
            let path = entry.path();
            let text = fs::read_to_string(&path).map_err(io_error(&path))?;
            named.insert(name, text);
        }
    }
    Ok(named)
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

    #[test]
    fn missing_queries_are_keyed_by_the_file_they_lack() {
        let dir = std::env::temp_dir().join(format!("quarry-missing-test-{}", std::process::id()));
        record_missing(&dir, "SELECT 3").unwrap();
        let missing = read_missing(&dir).unwrap();
        assert_eq!(
            missing.into_iter().collect::<Vec<_>>(),
            vec![(file_name("SELECT 3"), "SELECT 3".to_owned())]
        );
        assert!(entries(&dir).unwrap().is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn update_adds_changes_and_removes() {
        let dir = std::env::temp_dir().join(format!("quarry-update-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("query-old.json"), "old").unwrap();
        fs::write(dir.join("query-same.json"), "same").unwrap();
        fs::write(dir.join("query-changed.json"), "before").unwrap();
        fs::write(dir.join("README"), "not an entry").unwrap();
        let wanted: BTreeMap<String, String> = [
            ("query-same.json", "same"),
            ("query-changed.json", "after"),
            ("query-new.json", "new"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let done = update(&dir, &wanted).unwrap();
        assert_eq!(
            done,
            Update {
                written: 2,
                unchanged: 1,
                removed: 1
            }
        );
        assert_eq!(entries(&dir).unwrap(), wanted);
        assert!(dir.join("README").exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
