//! Applying, reverting, baselining and listing migrations on a connection.
//!
//! Each migration runs in its own transaction that also records it, so a failure leaves the
//! database at the last good version — never "dirty". Concurrent runners (replicas starting at
//! once) are serialised by a transaction-scoped advisory lock taken inside each migration's
//! transaction, after which the runner checks again whether the migration is applied: each is
//! applied exactly once, and the lock is as safe through a transaction-mode pooler as on a direct
//! connection. A `-- quarry:no-transaction` migration cannot hold a transaction lock: it takes a
//! session-level advisory lock instead, which needs a session-mode connection.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{MigrateError, Migration, MigrationKind, Migrator};
use crate::Connection;
use crate::error::ErrorPosition;

/// The advisory lock key every runner agrees on ("quarry" in ASCII).
const LOCK_KEY: i64 = 0x7175_6172_7279;

const CREATE_TABLES: &str = "CREATE TABLE IF NOT EXISTS _quarry_migrations (
        version int8 PRIMARY KEY,
        name text NOT NULL,
        checksum bytea NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        duration_ms int8 NOT NULL,
        baseline bool NOT NULL DEFAULT false
    );
    CREATE TABLE IF NOT EXISTS _quarry_repeatable_migrations (
        name text PRIMARY KEY,
        checksum bytea NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        duration_ms int8 NOT NULL
    )";

/// How a run goes.
///
/// ```
/// use quarry_driver::migrate::RunOptions;
/// let options = RunOptions::new().target(20260101000000).dry_run(true);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    target: Option<i64>,
    dry_run: bool,
    accept_changed: bool,
}

impl RunOptions {
    /// Every pending migration, really applied.
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// Stops after this version (repeatable migrations only run on a run without a target).
    pub fn target(mut self, version: i64) -> Self {
        self.target = Some(version);
        self
    }

    /// Only reports what would be applied.
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// Accepts applied migrations whose file changed: their stored checksum is updated.
    pub fn accept_changed(mut self, on: bool) -> Self {
        self.accept_changed = on;
        self
    }
}

/// A migration a run applied (or, in a dry run, would apply), or a revert undid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Its version (`None` for a repeatable migration).
    pub version: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// How long it took (zero in a dry run, or when another runner applied it first).
    pub duration: Duration,
}

/// What [`Migrator::run_observed`] reports as a run goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// This migration is about to run.
    Starting(&'a Migration),
    /// This migration was applied (or, in a dry run, would be).
    Applied(&'a Applied),
}

/// Whether an applied migration's file still matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumState {
    /// The file is unchanged.
    Ok,
    /// The file changed since it was applied.
    Changed,
    /// The file is gone.
    MissingFile,
}

/// One row of `quarry migrate info`.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationInfo {
    /// Its version (`None` for a repeatable migration).
    pub version: Option<i64>,
    /// Its name.
    pub name: String,
    /// When it was applied, as the server prints it (`None`: pending).
    pub applied_at: Option<String>,
    /// How long it took, in milliseconds (`None`: pending).
    pub duration_ms: Option<i64>,
    /// Whether it was recorded by `baseline` rather than run.
    pub baseline: bool,
    /// The checksum's state, for applied ones.
    pub checksum: Option<ChecksumState>,
}

/// What the database has applied.
struct Recorded {
    name: String,
    checksum: Vec<u8>,
    applied_at: String,
    duration_ms: i64,
    baseline: bool,
}

impl Migrator {
    /// Applies pending migrations (see [`RunOptions`]); returns what was applied, in order.
    /// Validates first: an applied migration whose file changed or is gone is an error and
    /// nothing runs.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// use quarry_driver::migrate::{Migrator, RunOptions};
    /// let migrator = Migrator::from_dir("migrations")?;
    /// for applied in migrator.run_with(conn, &RunOptions::new()).await? {
    ///     println!("applied {} in {:?}", applied.file, applied.duration);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run_with(
        &self,
        conn: &mut Connection,
        options: &RunOptions,
    ) -> Result<Vec<Applied>, MigrateError> {
        self.run_observed(conn, options, |_| {}).await
    }

    /// [`Migrator::run_with`], telling `observe` as each migration starts and as it is applied
    /// (what `quarry migrate run` prints as it goes).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// use quarry_driver::migrate::{Migrator, Progress, RunOptions};
    /// let migrator = Migrator::from_dir("migrations")?;
    /// migrator
    ///     .run_observed(conn, &RunOptions::new(), |progress| {
    ///         if let Progress::Applied(m) = progress {
    ///             println!("applied {} in {:?}", m.file, m.duration);
    ///         }
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_observed(
        &self,
        conn: &mut Connection,
        options: &RunOptions,
        mut observe: impl FnMut(Progress<'_>),
    ) -> Result<Vec<Applied>, MigrateError> {
        ensure_tables(conn).await?;
        let recorded = recorded(conn).await?;
        self.validate(conn, &recorded, options.accept_changed)
            .await?;
        let pending: Vec<&Migration> = self
            .versioned()
            .filter(|m| m.version.is_some_and(|v| !recorded.contains_key(&v)))
            .filter(|m| match (options.target, m.version) {
                (Some(target), Some(v)) => v <= target,
                _ => true,
            })
            .collect();
        let repeatables: Vec<&Migration> = if options.target.is_some() {
            Vec::new()
        } else {
            let stored = recorded_repeatables(conn).await?;
            self.migrations
                .iter()
                .filter(|m| m.kind == MigrationKind::Repeatable)
                .filter(|m| stored.get(&m.name).map(Vec::as_slice) != Some(&m.checksum[..]))
                .collect()
        };
        let mut applied = Vec::new();
        for migration in pending.into_iter().chain(repeatables) {
            if options.dry_run {
                let entry = applied_entry(migration, Duration::ZERO);
                observe(Progress::Applied(&entry));
                applied.push(entry);
                continue;
            }
            observe(Progress::Starting(migration));
            let started = Instant::now();
            let ran = apply(conn, migration).await?;
            if ran {
                let entry = applied_entry(migration, started.elapsed());
                observe(Progress::Applied(&entry));
                applied.push(entry);
            }
        }
        Ok(applied)
    }

    /// Applies every pending migration: [`Migrator::run_with`] with default options, on a
    /// connection or a pool.
    ///
    /// ```no_run
    /// # async fn demo(pool: &quarry_driver::Pool) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
    /// migrator.run(pool).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run<'c>(
        &self,
        target: impl Into<super::Target<'c>>,
    ) -> Result<Vec<Applied>, MigrateError> {
        match target.into() {
            super::Target::Connection(conn) => self.run_with(conn, &RunOptions::new()).await,
            super::Target::Pool(pool) => {
                let mut conn = pool.acquire().await?;
                self.run_with(&mut conn, &RunOptions::new()).await
            }
        }
    }

    /// Reverts applied migrations, newest first, down to (not including) `target`; without a
    /// target, only the newest. Every one to revert must have a `.down.sql` (checked before
    /// anything runs); each revert runs in its own transaction with its record's removal.
    /// Repeatable migrations are applied again by the next run.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
    /// migrator.revert(conn, Some(0)).await?; // everything
    /// # Ok(()) }
    /// ```
    pub async fn revert(
        &self,
        conn: &mut Connection,
        target: Option<i64>,
    ) -> Result<Vec<Applied>, MigrateError> {
        ensure_tables(conn).await?;
        let recorded = recorded(conn).await?;
        let mut versions: Vec<i64> = recorded.keys().copied().rev().collect();
        match target {
            Some(target) => versions.retain(|v| *v > target),
            None => versions.truncate(1),
        }
        let mut plan = Vec::new();
        for version in versions {
            let Some(migration) = self.versioned().find(|m| m.version == Some(version)) else {
                let name = recorded
                    .get(&version)
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                return Err(MigrateError::MissingFile { version, name });
            };
            let Some((down_file, down_sql)) = &migration.down else {
                return Err(MigrateError::Irreversible {
                    version,
                    name: migration.name.clone(),
                    file: migration.file.clone(),
                });
            };
            plan.push((version, migration, down_file, down_sql));
        }
        let mut reverted = Vec::new();
        for (version, migration, down_file, down_sql) in plan {
            let started = Instant::now();
            let mut tx = conn.transaction().await?;
            lock(&mut tx).await?;
            let still: bool = tx
                .fetch_val(
                    "SELECT EXISTS (SELECT 1 FROM _quarry_migrations WHERE version = $1)",
                    &[&version],
                )
                .await?;
            if !still {
                tx.rollback().await?;
                continue;
            }
            if let Err(source) = tx.execute(down_sql.as_str(), &[]).await {
                return Err(failed(down_file, down_sql, source));
            }
            tx.execute(
                "DELETE FROM _quarry_migrations WHERE version = $1",
                &[&version],
            )
            .await?;
            // What repeatable migrations built may have gone with it (a view over a dropped
            // table): they are applied again by the next run.
            tx.execute("DELETE FROM _quarry_repeatable_migrations", &[])
                .await?;
            tx.commit().await?;
            reverted.push(applied_entry(migration, started.elapsed()));
        }
        Ok(reverted)
    }

    /// Records the database as being at `version` without running anything: every versioned
    /// migration up to it is marked applied (baseline), for adopting Quarry on an existing
    /// database.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
    /// migrator.baseline(conn, 20260101000000).await?;
    /// # Ok(()) }
    /// ```
    pub async fn baseline(
        &self,
        conn: &mut Connection,
        version: i64,
    ) -> Result<Vec<Applied>, MigrateError> {
        ensure_tables(conn).await?;
        let mut tx = conn.transaction().await?;
        lock(&mut tx).await?;
        let mut recorded = Vec::new();
        for migration in self.versioned() {
            let Some(v) = migration.version.filter(|v| *v <= version) else {
                continue;
            };
            let tag = tx
                .execute(
                    "INSERT INTO _quarry_migrations (version, name, checksum, duration_ms, baseline) \
                     VALUES ($1, $2, $3, 0, true) ON CONFLICT (version) DO NOTHING",
                    &[&v, &migration.name, &&migration.checksum[..]],
                )
                .await?;
            if tag.rows() == 1 {
                recorded.push(applied_entry(migration, Duration::ZERO));
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Every migration with its state in the database, plus applied versions whose file is gone.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<(), quarry_driver::migrate::MigrateError> {
    /// let migrator = quarry_driver::migrate::Migrator::from_dir("migrations")?;
    /// for m in migrator.info(conn).await? {
    ///     println!("{:?} {} {:?}", m.version, m.name, m.applied_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn info(&self, conn: &mut Connection) -> Result<Vec<MigrationInfo>, MigrateError> {
        ensure_tables(conn).await?;
        let mut recorded = recorded(conn).await?;
        let repeatables = recorded_repeatables_full(conn).await?;
        let mut rows = Vec::new();
        for migration in &self.migrations {
            let row = match migration.version {
                Some(version) => match recorded.remove(&version) {
                    Some(r) => MigrationInfo {
                        version: Some(version),
                        name: migration.name.clone(),
                        checksum: Some(if r.checksum == migration.checksum {
                            ChecksumState::Ok
                        } else {
                            ChecksumState::Changed
                        }),
                        applied_at: Some(r.applied_at),
                        duration_ms: Some(r.duration_ms),
                        baseline: r.baseline,
                    },
                    None => pending_info(migration),
                },
                None => match repeatables.get(&migration.name) {
                    Some((checksum, applied_at, duration_ms)) => MigrationInfo {
                        version: None,
                        name: migration.name.clone(),
                        checksum: Some(if checksum == &migration.checksum {
                            ChecksumState::Ok
                        } else {
                            ChecksumState::Changed
                        }),
                        applied_at: Some(applied_at.clone()),
                        duration_ms: Some(*duration_ms),
                        baseline: false,
                    },
                    None => pending_info(migration),
                },
            };
            rows.push(row);
        }
        for (version, r) in recorded {
            rows.push(MigrationInfo {
                version: Some(version),
                name: r.name,
                applied_at: Some(r.applied_at),
                duration_ms: Some(r.duration_ms),
                baseline: r.baseline,
                checksum: Some(ChecksumState::MissingFile),
            });
        }
        rows.sort_by_key(|r| (r.version.is_none(), r.version));
        Ok(rows)
    }

    fn versioned(&self) -> impl Iterator<Item = &Migration> {
        self.migrations
            .iter()
            .filter(|m| m.kind == MigrationKind::Versioned)
    }

    /// Applied migrations must match their files (or be accepted as changed).
    async fn validate(
        &self,
        conn: &mut Connection,
        recorded: &BTreeMap<i64, Recorded>,
        accept_changed: bool,
    ) -> Result<(), MigrateError> {
        for (version, r) in recorded {
            let Some(migration) = self.versioned().find(|m| m.version == Some(*version)) else {
                return Err(MigrateError::MissingFile {
                    version: *version,
                    name: r.name.clone(),
                });
            };
            if r.checksum != migration.checksum {
                if !accept_changed {
                    return Err(MigrateError::Changed {
                        version: *version,
                        file: migration.file.clone(),
                    });
                }
                conn.execute(
                    "UPDATE _quarry_migrations SET checksum = $2 WHERE version = $1",
                    &[version, &&migration.checksum[..]],
                )
                .await?;
            }
        }
        Ok(())
    }
}

fn pending_info(migration: &Migration) -> MigrationInfo {
    MigrationInfo {
        version: migration.version,
        name: migration.name.clone(),
        applied_at: None,
        duration_ms: None,
        baseline: false,
        checksum: None,
    }
}

fn applied_entry(migration: &Migration, duration: Duration) -> Applied {
    Applied {
        version: migration.version,
        name: migration.name.clone(),
        file: migration.file.clone(),
        duration,
    }
}

/// Creates the bookkeeping tables (under the lock: concurrent `CREATE TABLE IF NOT EXISTS` can
/// collide).
async fn ensure_tables(conn: &mut Connection) -> Result<(), MigrateError> {
    let mut tx = conn.transaction().await?;
    lock(&mut tx).await?;
    tx.execute(CREATE_TABLES, &[]).await?;
    tx.commit().await?;
    Ok(())
}

/// The transaction-scoped advisory lock every runner takes.
async fn lock(conn: &mut Connection) -> Result<(), MigrateError> {
    conn.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    Ok(())
}

async fn recorded(conn: &mut Connection) -> Result<BTreeMap<i64, Recorded>, MigrateError> {
    let rows = conn
        .fetch(
            "SELECT version, name, checksum, applied_at::text, duration_ms, baseline \
             FROM _quarry_migrations ORDER BY version",
            &[],
        )
        .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        out.insert(
            row.get(0)?,
            Recorded {
                name: row.get(1)?,
                checksum: row.get(2)?,
                applied_at: row.get(3)?,
                duration_ms: row.get(4)?,
                baseline: row.get(5)?,
            },
        );
    }
    Ok(out)
}

async fn recorded_repeatables(
    conn: &mut Connection,
) -> Result<BTreeMap<String, Vec<u8>>, MigrateError> {
    Ok(recorded_repeatables_full(conn)
        .await?
        .into_iter()
        .map(|(name, (checksum, _, _))| (name, checksum))
        .collect())
}

async fn recorded_repeatables_full(
    conn: &mut Connection,
) -> Result<BTreeMap<String, (Vec<u8>, String, i64)>, MigrateError> {
    let rows = conn
        .fetch(
            "SELECT name, checksum, applied_at::text, duration_ms FROM _quarry_repeatable_migrations",
            &[],
        )
        .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        out.insert(row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?));
    }
    Ok(out)
}

/// Applies one migration with its record; `false` when another runner applied it first.
async fn apply(conn: &mut Connection, migration: &Migration) -> Result<bool, MigrateError> {
    let started = Instant::now();
    if migration.no_transaction {
        return apply_outside_a_transaction(conn, migration, started).await;
    }
    let mut tx = conn.transaction().await?;
    lock(&mut tx).await?;
    if already_applied(&mut tx, migration).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Err(source) = tx.execute(migration.sql.as_str(), &[]).await {
        // Dropping `tx` rolls the migration back: nothing of it stays.
        return Err(failed(&migration.file, &migration.sql, source));
    }
    record(&mut tx, migration, started.elapsed()).await?;
    tx.commit().await?;
    Ok(true)
}

/// A `-- quarry:no-transaction` migration: run under a session advisory lock, recorded only
/// after it succeeded.
async fn apply_outside_a_transaction(
    conn: &mut Connection,
    migration: &Migration,
    started: Instant,
) -> Result<bool, MigrateError> {
    conn.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    let result = async {
        if already_applied(conn, migration).await? {
            return Ok(false);
        }
        if let Err(source) = conn.execute(migration.sql.as_str(), &[]).await {
            return Err(failed(&migration.file, &migration.sql, source));
        }
        record(conn, migration, started.elapsed()).await?;
        Ok(true)
    }
    .await;
    let unlocked = conn
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    let applied = result?;
    unlocked?;
    Ok(applied)
}

async fn already_applied(
    conn: &mut Connection,
    migration: &Migration,
) -> Result<bool, MigrateError> {
    Ok(match migration.version {
        Some(version) => {
            conn.fetch_val(
                "SELECT EXISTS (SELECT 1 FROM _quarry_migrations WHERE version = $1)",
                &[&version],
            )
            .await?
        }
        None => {
            conn.fetch_val(
                "SELECT EXISTS (SELECT 1 FROM _quarry_repeatable_migrations \
                 WHERE name = $1 AND checksum = $2)",
                &[&migration.name, &&migration.checksum[..]],
            )
            .await?
        }
    })
}

async fn record(
    conn: &mut Connection,
    migration: &Migration,
    took: Duration,
) -> Result<(), MigrateError> {
    let ms = i64::try_from(took.as_millis()).unwrap_or(i64::MAX);
    match migration.version {
        Some(version) => {
            conn.execute(
                "INSERT INTO _quarry_migrations (version, name, checksum, duration_ms) \
                 VALUES ($1, $2, $3, $4)",
                &[&version, &migration.name, &&migration.checksum[..], &ms],
            )
            .await?;
        }
        None => {
            conn.execute(
                "INSERT INTO _quarry_repeatable_migrations (name, checksum, duration_ms) \
                 VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE \
                 SET checksum = excluded.checksum, duration_ms = excluded.duration_ms, \
                 applied_at = now()",
                &[&migration.name, &&migration.checksum[..], &ms],
            )
            .await?;
        }
    }
    Ok(())
}

/// A failed migration's error, with the line of the file the server's error points at.
fn failed(file: &str, sql: &str, source: crate::Error) -> MigrateError {
    let line = source
        .as_db_error()
        .and_then(|db| match db.position() {
            Some(ErrorPosition::Original(position)) => Some(*position),
            _ => None,
        })
        .map(|position| line_of(sql, position));
    MigrateError::Failed {
        file: file.to_owned(),
        line,
        source: Box::new(source),
    }
}

/// The 1-based line of the 1-based character `position` of `sql`.
fn line_of(sql: &str, position: u32) -> usize {
    let chars = usize::try_from(position.saturating_sub(1)).unwrap_or(usize::MAX);
    1 + sql.chars().take(chars).filter(|c| *c == '\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_positions_become_lines() {
        let sql = "CREATE TABLE a(x int);\nCREATE TABLE b(y int);\nSELEC 1;\n";
        assert_eq!(line_of(sql, 1), 1);
        assert_eq!(line_of(sql, 47), 3);
        assert_eq!(line_of("é\nx", 3), 2);
    }
}
