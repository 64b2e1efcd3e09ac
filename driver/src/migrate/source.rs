//! Migration files: their names (`<version>_<name>.sql`, `<version>_<name>.down.sql`,
//! `R__<name>.sql`), their contents and checksums, read from a folder or given embedded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::MigrateError;

/// The first line that makes a migration run outside a transaction (for statements such as
/// `CREATE INDEX CONCURRENTLY` that refuse to run inside one).
pub const NO_TRANSACTION_MARKER: &str = "-- quarry:no-transaction";

/// Whether a migration is versioned (applied once, in version order) or repeatable (applied
/// again whenever its content changes, after the versioned ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKind {
    /// `<version>_<name>.sql`.
    Versioned,
    /// `R__<name>.sql`.
    Repeatable,
}

/// One migration: its identity, its SQL (and the SQL that undoes it, when reversible).
///
/// ```
/// use quarry_driver::migrate::Migrator;
/// let migrator = Migrator::from_files([
///     ("0001_users.sql", "CREATE TABLE users(id int8 PRIMARY KEY);"),
///     ("0001_users.down.sql", "DROP TABLE users;"),
/// ])?;
/// let first = &migrator.migrations()[0];
/// assert_eq!((first.version(), first.name()), (Some(1), "users"));
/// assert!(first.is_reversible());
/// # Ok::<(), quarry_driver::migrate::MigrateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Migration {
    pub(super) kind: MigrationKind,
    pub(super) version: Option<i64>,
    pub(super) name: String,
    pub(super) file: String,
    pub(super) sql: String,
    pub(super) down: Option<(String, String)>,
    pub(super) checksum: [u8; 32],
    pub(super) no_transaction: bool,
}

impl Migration {
    /// Versioned or repeatable.
    pub fn kind(&self) -> MigrationKind {
        self.kind
    }

    /// The version (`None` for a repeatable migration).
    pub fn version(&self) -> Option<i64> {
        self.version
    }

    /// The name part of the file name (`create_users` for `0001_create_users.sql`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file name it was read from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The SQL it runs.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Whether a `.down.sql` file undoes it.
    pub fn is_reversible(&self) -> bool {
        self.down.is_some()
    }

    /// The `.down.sql` file that undoes it: (file name, SQL).
    pub fn down(&self) -> Option<(&str, &str)> {
        self.down
            .as_ref()
            .map(|(file, sql)| (file.as_str(), sql.as_str()))
    }

    /// SHA-256 of its content, with CRLF line ends and a byte-order mark normalised away.
    pub fn checksum(&self) -> &[u8; 32] {
        &self.checksum
    }

    /// Whether its first line is [`NO_TRANSACTION_MARKER`].
    pub fn runs_outside_a_transaction(&self) -> bool {
        self.no_transaction
    }
}

/// The checksum of a migration's content: SHA-256 of the text without a leading byte-order mark
/// and with every CRLF turned into LF, so the same file checked out on Windows matches.
pub fn checksum(content: &str) -> [u8; 32] {
    let text = normalise(content);
    Sha256::digest(text.as_bytes()).into()
}

fn normalise(content: &str) -> String {
    content
        .strip_prefix('\u{feff}')
        .unwrap_or(content)
        .replace("\r\n", "\n")
}

/// What a file name says it is.
enum FileName {
    Up { version: i64, name: String },
    Down { version: i64, name: String },
    Repeatable { name: String },
}

/// Parses a migration file name; `Ok(None)` for files that are not `.sql` (a README, say).
fn parse_file_name(file: &str) -> Result<Option<FileName>, MigrateError> {
    let Some(stem) = file.strip_suffix(".sql") else {
        return Ok(None);
    };
    let malformed = |reason: &str| MigrateError::MalformedName {
        file: file.to_owned(),
        reason: reason.to_owned(),
    };
    if let Some(name) = stem.strip_prefix("R__") {
        if name.is_empty() {
            return Err(malformed("a repeatable migration needs a name after `R__`"));
        }
        return Ok(Some(FileName::Repeatable {
            name: name.to_owned(),
        }));
    }
    let (stem, down) = match stem.strip_suffix(".down") {
        Some(stem) => (stem, true),
        None => (stem, false),
    };
    let Some((digits, name)) = stem.split_once('_') else {
        return Err(malformed(
            "expected `<version>_<name>.sql`, `<version>_<name>.down.sql` or `R__<name>.sql`",
        ));
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("the version before the first `_` must be digits"));
    }
    let version: i64 = digits
        .parse()
        .map_err(|_| malformed("the version does not fit in a 64-bit integer"))?;
    if name.is_empty() {
        return Err(malformed("a migration needs a name after its version"));
    }
    let name = name.to_owned();
    Ok(Some(if down {
        FileName::Down { version, name }
    } else {
        FileName::Up { version, name }
    }))
}

/// Builds the migration list from (file name, content) pairs: versioned ones in version order,
/// then repeatable ones by name. Every problem names its file.
pub(super) fn from_files<N, C>(
    files: impl IntoIterator<Item = (N, C)>,
) -> Result<Vec<Migration>, MigrateError>
where
    N: AsRef<str>,
    C: AsRef<str>,
{
    let mut ups: BTreeMap<i64, Migration> = BTreeMap::new();
    let mut downs: BTreeMap<i64, (String, String, String)> = BTreeMap::new();
    let mut repeatables: BTreeMap<String, Migration> = BTreeMap::new();
    for (file, content) in files {
        let (file, content) = (file.as_ref(), content.as_ref());
        match parse_file_name(file)? {
            None => {}
            Some(FileName::Up { version, name }) => {
                if let Some(first) = ups.get(&version) {
                    return Err(MigrateError::DuplicateVersion {
                        version,
                        first: first.file.clone(),
                        second: file.to_owned(),
                    });
                }
                ups.insert(
                    version,
                    migration(MigrationKind::Versioned, Some(version), name, file, content),
                );
            }
            Some(FileName::Down { version, name }) => {
                if let Some((first, _, _)) = downs.get(&version) {
                    return Err(MigrateError::DuplicateVersion {
                        version,
                        first: first.clone(),
                        second: file.to_owned(),
                    });
                }
                downs.insert(version, (file.to_owned(), name, normalise(content)));
            }
            Some(FileName::Repeatable { name }) => {
                repeatables.insert(
                    name.clone(),
                    migration(MigrationKind::Repeatable, None, name, file, content),
                );
            }
        }
    }
    for (version, (file, name, sql)) in downs {
        match ups.get_mut(&version) {
            Some(up) if up.name == name => up.down = Some((file, sql)),
            Some(up) => {
                return Err(MigrateError::MalformedName {
                    file,
                    reason: format!("its name differs from the migration it undoes, {}", up.file),
                });
            }
            None => {
                return Err(MigrateError::MalformedName {
                    file,
                    reason: format!("no `{version}_{name}.sql` migration for it to undo"),
                });
            }
        }
    }
    Ok(ups.into_values().chain(repeatables.into_values()).collect())
}

fn migration(
    kind: MigrationKind,
    version: Option<i64>,
    name: String,
    file: &str,
    content: &str,
) -> Migration {
    let sql = normalise(content);
    let no_transaction = sql.lines().next().map(str::trim_end) == Some(NO_TRANSACTION_MARKER);
    Migration {
        kind,
        version,
        name,
        file: file.to_owned(),
        checksum: checksum(content),
        sql,
        down: None,
        no_transaction,
    }
}

/// Reads every migration file of `dir`.
pub(super) fn read_dir(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MigrateError::Folder {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| MigrateError::Folder {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(MigrateError::MalformedName {
                file: path.display().to_string(),
                reason: "the file name is not UTF-8".to_owned(),
            });
        };
        if !file.ends_with(".sql") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| MigrateError::Read {
            path: path.clone(),
            source,
        })?;
        let content = String::from_utf8(bytes).map_err(|e| MigrateError::NotUtf8 {
            path: path.clone(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        files.push((file.to_owned(), content));
    }
    files.sort();
    from_files(files)
}

/// The migrations folder, seen from the current directory: see [`dir_for`].
pub fn default_dir() -> PathBuf {
    dir_for(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
}

/// The migrations folder, seen from `start` (the current directory for `quarry`, the crate's
/// directory for `quarry::migrate!()` and `#[quarry::test]`): `[migrations] path` of the nearest
/// `quarry.toml` in `start` or above (relative to that file), else `start/migrations`.
///
/// ```
/// let dir = quarry_driver::migrate::dir_for(std::path::Path::new("/nonexistent/app"));
/// assert_eq!(dir, std::path::Path::new("/nonexistent/app/migrations"));
/// ```
pub fn dir_for(start: &Path) -> PathBuf {
    for dir in start.ancestors() {
        let config = dir.join("quarry.toml");
        if let Some(path) = std::fs::read_to_string(&config)
            .ok()
            .and_then(|text| configured_path(&text))
        {
            return dir.join(path);
        }
    }
    start.join("migrations")
}

/// `path = "..."` under `[migrations]` of a `quarry.toml`, read without a TOML parser (the
/// driver has none): one `key = "value"` per line.
fn configured_path(text: &str) -> Option<String> {
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[migrations]";
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() == "path" {
            let value = value.trim();
            let value = value.split(" #").next().unwrap_or(value).trim();
            return value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_parsed_and_sorted() {
        let migrations = from_files([
            ("R__views.sql", "CREATE VIEW v AS SELECT 1;"),
            ("0002_b.sql", "SELECT 2;"),
            ("README.md", "not a migration"),
            ("0001_a.sql", "SELECT 1;"),
            ("0001_a.down.sql", "SELECT -1;"),
        ])
        .unwrap();
        let ids: Vec<_> = migrations
            .iter()
            .map(|m| (m.version, m.name.as_str()))
            .collect();
        assert_eq!(ids, [(Some(1), "a"), (Some(2), "b"), (None, "views")]);
        assert!(migrations[0].is_reversible());
        assert_eq!(migrations[2].kind(), MigrationKind::Repeatable);
    }

    #[test]
    fn bad_names_and_duplicates_name_the_file() {
        for file in [
            "1.sql",
            "x_users.sql",
            "0001_.sql",
            "R__.sql",
            "99999999999999999999_x.sql",
        ] {
            let err = from_files([(file, "SELECT 1")]).unwrap_err();
            assert!(err.to_string().contains(file), "{err}");
        }
        let err = from_files([("1_a.sql", ""), ("01_b.sql", "")]).unwrap_err();
        assert!(
            matches!(err, MigrateError::DuplicateVersion { version: 1, .. }),
            "{err}"
        );
        let err = from_files([("2_a.down.sql", "")]).unwrap_err();
        assert!(err.to_string().contains("2_a.down.sql"), "{err}");
    }

    #[test]
    fn checksums_ignore_crlf_and_a_bom() {
        assert_eq!(checksum("a\r\nb\r\n"), checksum("a\nb\n"));
        assert_eq!(checksum("\u{feff}a\n"), checksum("a\n"));
        assert_ne!(checksum("a\n"), checksum("b\n"));
    }

    #[test]
    fn the_no_transaction_marker_is_the_first_line() {
        let m = from_files([
            (
                "1_a.sql",
                "-- quarry:no-transaction\r\nCREATE INDEX CONCURRENTLY i ON t(x);",
            ),
            ("2_b.sql", "SELECT 1;\n-- quarry:no-transaction"),
        ])
        .unwrap();
        assert!(m[0].runs_outside_a_transaction());
        assert!(!m[1].runs_outside_a_transaction());
    }

    #[test]
    fn the_folder_comes_from_quarry_toml() {
        assert_eq!(
            configured_path("[types]\nx = \"y\"\n[migrations]\npath = \"db/migrations\" # here\n"),
            Some("db/migrations".to_owned())
        );
        assert_eq!(configured_path("[types]\npath = \"no\"\n"), None);
    }
}
