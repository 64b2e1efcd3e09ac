//! Migrations: a folder of SQL files applied in version order, each in its own transaction with
//! its record, so a failure never leaves the database "dirty".
//!
//! - `<version>_<name>.sql` applies a change; `<version>_<name>.down.sql` (optional) undoes it.
//! - `R__<name>.sql` is repeatable (views, functions): re-applied, after the versioned ones,
//!   whenever its content changes.
//! - A file whose first line is `-- quarry:no-transaction` runs outside a transaction (for
//!   `CREATE INDEX CONCURRENTLY`) and is recorded only after it succeeded.
//! - Applied migrations are recorded in `_quarry_migrations` with a SHA-256 checksum of their
//!   content (CRLF and a byte-order mark normalised); a changed file is an error naming it.
//! - Runners that start at once (replicas) apply each migration exactly once (see `run`'s
//!   locking, which works through a transaction-mode pooler too).
//!
//! The `quarry migrate` command and the `quarry::migrate!()` macro (files embedded at compile
//! time) use this module.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = quarry_driver::connect("postgresql://postgres@localhost/app").await?;
//! let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
//! migrator.run(&mut conn).await?;
//! # Ok(()) }
//! ```

mod error;
mod run;
mod source;

use std::path::Path;

pub use error::MigrateError;
pub use run::{Applied, ChecksumState, MigrationInfo, Progress, RunOptions};
pub use source::{Migration, MigrationKind, NO_TRANSACTION_MARKER, checksum, default_dir, dir_for};

use crate::{Connection, Pool};

/// A set of migrations, read from a folder or embedded, that can be applied to a database.
///
/// ```
/// use quarry_driver::migrate::Migrator;
/// let migrator = Migrator::from_files([("0001_init.sql", "CREATE TABLE t(id int8);")])?;
/// assert_eq!(migrator.migrations().len(), 1);
/// # Ok::<(), quarry_driver::migrate::MigrateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Migrator {
    migrations: Vec<Migration>,
}

impl Migrator {
    /// Reads every migration file of `dir`. A missing folder, a malformed file name, a
    /// duplicate version or a file that is not UTF-8 is an error naming it.
    ///
    /// ```no_run
    /// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
    /// # Ok::<(), quarry_driver::migrate::MigrateError>(())
    /// ```
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator, MigrateError> {
        Ok(Migrator {
            migrations: source::read_dir(dir.as_ref())?,
        })
    }

    /// Builds a migrator from (file name, content) pairs: what `quarry::migrate!()` embeds.
    /// Names that do not end in `.sql` are ignored.
    ///
    /// ```
    /// use quarry_driver::migrate::Migrator;
    /// let migrator = Migrator::from_files([("1_a.sql", "SELECT 1;"), ("R__v.sql", "SELECT 2;")])?;
    /// assert_eq!(migrator.migrations().len(), 2);
    /// # Ok::<(), quarry_driver::migrate::MigrateError>(())
    /// ```
    pub fn from_files<N, C>(
        files: impl IntoIterator<Item = (N, C)>,
    ) -> Result<Migrator, MigrateError>
    where
        N: AsRef<str>,
        C: AsRef<str>,
    {
        Ok(Migrator {
            migrations: source::from_files(files)?,
        })
    }

    /// The migrator `quarry::migrate!()` builds from the files it embedded and checked at
    /// compile time. Not for direct use: the pieces are trusted as given.
    #[doc(hidden)]
    pub fn embedded(migrations: &[EmbeddedMigration]) -> Migrator {
        Migrator {
            migrations: migrations
                .iter()
                .map(EmbeddedMigration::to_migration)
                .collect(),
        }
    }

    /// The migrations: versioned ones in version order, then repeatable ones by name.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }
}

/// One migration as `quarry::migrate!()` embeds it, every piece computed at compile time.
#[doc(hidden)]
#[derive(Debug)]
pub struct EmbeddedMigration {
    /// The version, `None` for a repeatable migration.
    pub version: Option<i64>,
    /// The name.
    pub name: &'static str,
    /// The file name.
    pub file: &'static str,
    /// The SQL (normalised).
    pub sql: &'static str,
    /// The `.down.sql` file name and SQL.
    pub down: Option<(&'static str, &'static str)>,
    /// The checksum.
    pub checksum: [u8; 32],
    /// Whether it runs outside a transaction.
    pub no_transaction: bool,
}

impl EmbeddedMigration {
    fn to_migration(&self) -> Migration {
        Migration {
            kind: if self.version.is_some() {
                MigrationKind::Versioned
            } else {
                MigrationKind::Repeatable
            },
            version: self.version,
            name: self.name.to_owned(),
            file: self.file.to_owned(),
            sql: self.sql.to_owned(),
            down: self.down.map(|(f, s)| (f.to_owned(), s.to_owned())),
            checksum: self.checksum,
            no_transaction: self.no_transaction,
        }
    }
}

/// What [`Migrator::run`] runs on: a connection, or a pool (one connection is taken from it).
///
/// ```no_run
/// # async fn demo(pool: &quarry_driver::Pool, conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
/// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
/// migrator.run(pool).await?;
/// migrator.run(conn).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Target<'c> {
    /// A connection.
    Connection(&'c mut Connection),
    /// A pool.
    Pool(&'c Pool),
}

impl<'c> From<&'c mut Connection> for Target<'c> {
    fn from(conn: &'c mut Connection) -> Target<'c> {
        Target::Connection(conn)
    }
}

impl<'c> From<&'c Pool> for Target<'c> {
    fn from(pool: &'c Pool) -> Target<'c> {
        Target::Pool(pool)
    }
}
