//! `MigrateError`: what can go wrong reading or applying migrations, each naming the file.

use std::path::PathBuf;

/// A migration problem. Every variant about a file names it; a failed migration also names the
/// line the server's error points at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The migrations folder is missing or cannot be listed.
    #[error("cannot read the migrations folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A migration file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A migration file is not UTF-8.
    #[error("{} is not UTF-8 (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// A `.sql` file in the folder is not named like a migration.
    #[error("{file}: {reason}")]
    MalformedName {
        /// The file name.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two files have the same version.
    #[error("{first} and {second} both have version {version}")]
    DuplicateVersion {
        /// The version.
        version: i64,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// An applied migration's file changed since it was applied.
    #[error(
        "{file} changed since it was applied (version {version}); restore it, or accept the new \
         content with `--accept-changed` (`RunOptions::accept_changed`)"
    )]
    Changed {
        /// The version.
        version: i64,
        /// The file.
        file: String,
    },
    /// The database has a migration applied whose file is gone.
    #[error("version {version} ({name}) is applied in the database, but no migration file has it")]
    MissingFile {
        /// The version.
        version: i64,
        /// The name it was applied under.
        name: String,
    },
    /// A revert needs a `.down.sql` file that does not exist.
    #[error("{file} has no {version}_{name}.down.sql to revert it with; nothing was reverted")]
    Irreversible {
        /// The version.
        version: i64,
        /// Its name.
        name: String,
        /// Its file.
        file: String,
    },
    /// A migration failed; everything before it stays applied, it and everything after is not.
    #[error("{file}{}: {source}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Failed {
        /// The file that failed.
        file: String,
        /// The line the server's error points at, when it says.
        line: Option<usize>,
        /// The server's error.
        source: Box<crate::Error>,
    },
    /// Talking to the database failed outside any one migration.
    #[error(transparent)]
    Database(Box<crate::Error>),
}

impl From<crate::Error> for MigrateError {
    fn from(error: crate::Error) -> MigrateError {
        MigrateError::Database(Box::new(error))
    }
}
