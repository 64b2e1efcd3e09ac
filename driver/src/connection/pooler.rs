//! Whether the connection reaches one server session of its own, or goes through a pooler
//! (pgbouncer and the like) that may hand each transaction to a different backend.
//!
//! Features that need a session of their own (`LISTEN`; SQL that outlives its transaction: a
//! session `SET`, a session advisory lock) ask [`Connection::require_own_session`]
//! first. The DSN's `pooler` setting can say what is there; by default (`pooler=auto`) it is
//! detected once per connection: a pooler announces a process id of its own at startup (it is
//! also its cancel key), which is never the backend's `pg_backend_pid()`.

use std::fmt;

use super::Connection;
use crate::config::Pooler;
use crate::error::{Error, Result};

/// Why Quarry believes a connection goes through a pooler that does not keep a session, as
/// [`Error::SessionFeatureThroughPooler`] reports it.
///
/// ```
/// use quarry_driver::PoolerSeen;
///
/// let seen = PoolerSeen::Detected { announced_pid: 1234567, backend_pid: 4242 };
/// assert!(seen.to_string().contains("pg_backend_pid() 4242"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolerSeen {
    /// The DSN says `pooler=transaction`.
    Declared,
    /// The process id announced at startup is not the backend's: something pools in between.
    Detected {
        /// The process id in the startup's BackendKeyData (the pooler's own cancel key).
        announced_pid: i32,
        /// What `pg_backend_pid()` answered.
        backend_pid: i32,
    },
}

impl fmt::Display for PoolerSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolerSeen::Declared => f.write_str("a transaction-mode pooler (pooler=transaction)"),
            PoolerSeen::Detected {
                announced_pid,
                backend_pid,
            } => write!(
                f,
                "a connection pooler such as pgbouncer (the process id announced at startup, \
                 {announced_pid}, is not the server's pg_backend_pid() {backend_pid})"
            ),
        }
    }
}

/// What is known about the path to the server, per connection.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PoolerState {
    /// The DSN's `pooler` setting.
    pub(super) declared: Pooler,
    /// The result of the detection, once run: `Some(None)` means a direct connection.
    detected: Option<Option<PoolerSeen>>,
}

impl PoolerState {
    pub(super) fn new(declared: Pooler) -> PoolerState {
        PoolerState {
            declared,
            detected: None,
        }
    }
}

impl Connection {
    /// Whether this connection goes through a connection pooler, as far as the `pooler` setting
    /// and the server tell: `pooler=transaction` or `session` answer `true` at once, `none`
    /// `false`; with `auto` (the default) one query compares `pg_backend_pid()` with the process
    /// id announced at startup (once per connection).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// if conn.behind_pooler().await? {
    ///     println!("no LISTEN here: connect to the server directly for notifications");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn behind_pooler(&mut self) -> Result<bool> {
        Ok(match self.pooler.declared {
            Pooler::Transaction | Pooler::Session => true,
            Pooler::None => false,
            Pooler::Auto => self.detect_pooler().await?.is_some(),
        })
    }

    /// Fails with [`Error::SessionFeatureThroughPooler`] when `feature` cannot work here: the DSN
    /// says `pooler=transaction`, or (with `pooler=auto`) a pooler is detected. `pooler=session`
    /// and `pooler=none` are believed.
    pub(crate) async fn require_own_session(&mut self, feature: &'static str) -> Result<()> {
        let seen = match self.pooler.declared {
            Pooler::Session | Pooler::None => None,
            Pooler::Transaction => Some(PoolerSeen::Declared),
            // In a failed transaction the server refuses every statement (the feature's too),
            // and would refuse the detection's query with the same error, naming the wrong
            // query: the statement goes out and gets its own refusal.
            Pooler::Auto
                if self.pooler.detected.is_none()
                    && self.tx_status == quarry_protocol::TransactionStatus::Failed =>
            {
                None
            }
            Pooler::Auto => self.detect_pooler().await?,
        };
        match seen {
            Some(pooler) => Err(Error::SessionFeatureThroughPooler { feature, pooler }),
            None => Ok(()),
        }
    }

    /// Refuses `query` before it is prepared when it would set state that outlives its
    /// transaction (see [`session_feature`]) and the connection goes through a pooler not
    /// declared `pooler=session` (asking the server once with `pooler=auto`). Called before the
    /// statement is described: the detection's query would drop the unnamed statement.
    pub(crate) async fn check_session_sql(&mut self, query: &impl super::AsQuery) -> Result<()> {
        if matches!(self.pooler.declared, Pooler::Session | Pooler::None) {
            return Ok(());
        }
        let feature = match query.statement() {
            Some(stmt) => stmt.0.session_feature,
            None => session_feature(query.sql()),
        };
        match feature {
            Some(feature) => self.require_own_session(feature).await,
            None => Ok(()),
        }
    }

    /// Whether [`Connection::require_own_session`] would ask the server now (`pooler=auto`, not
    /// asked yet).
    pub(crate) fn pooler_detection_pending(&self) -> bool {
        self.pooler.declared == Pooler::Auto && self.pooler.detected.is_none()
    }

    /// [`Connection::require_own_session`] for SQL that sets `feature` (state outliving its
    /// transaction, see [`session_feature`]), without asking the server: what the setting
    /// says and what a detection already found (a pipeline detects before it writes).
    pub(crate) fn check_session_feature_known(&self, feature: Option<&'static str>) -> Result<()> {
        let Some(feature) = feature else {
            return Ok(());
        };
        let seen = match self.pooler.declared {
            Pooler::Session | Pooler::None => None,
            Pooler::Transaction => Some(PoolerSeen::Declared),
            Pooler::Auto => self.pooler.detected.flatten(),
        };
        match seen {
            Some(pooler) => Err(Error::SessionFeatureThroughPooler { feature, pooler }),
            None => Ok(()),
        }
    }

    /// Runs the pooler detection now when `pooler=auto` has not run it and `needed`.
    pub(crate) async fn detect_pooler_if(&mut self, needed: bool) -> Result<()> {
        if needed && self.pooler.declared == Pooler::Auto && self.pooler.detected.is_none() {
            self.detect_pooler().await?;
        }
        Ok(())
    }

    async fn detect_pooler(&mut self) -> Result<Option<PoolerSeen>> {
        if let Some(known) = self.pooler.detected {
            return Ok(known);
        }
        // The simple protocol: no prepared statement, which through a transaction pooler with
        // the statement cache on could collide with another client's.
        let sql = "SELECT pg_catalog.pg_backend_pid()";
        let rows = self.simple_rows(sql).await?;
        let backend_pid = rows
            .first()
            .and_then(|row| row.first())
            .and_then(|value| value.as_deref())
            .and_then(|text| text.parse::<i32>().ok())
            .ok_or_else(|| Error::RowNotFound {
                query: sql.to_owned(),
            })?;
        Ok(self.note_backend_pid(backend_pid))
    }

    /// Records the detection from `pg_backend_pid()` as the server answered it: a process id
    /// other than the one announced at startup means a pooler stands in between.
    pub(super) fn note_backend_pid(&mut self, backend_pid: i32) -> Option<PoolerSeen> {
        let seen = (backend_pid != self.process_id).then_some(PoolerSeen::Detected {
            announced_pid: self.process_id,
            backend_pid,
        });
        if let Some(seen) = seen {
            tracing::debug!(target: "quarry", "connection goes through a pooler: {seen}");
        }
        self.pooler.detected = Some(seen);
        seen
    }
}

/// What in `sql` would outlive its transaction, as far as a lexical look can tell: a statement
/// `SET` that is not `SET LOCAL` (nor `SET TRANSACTION` / `SET CONSTRAINTS`, which end with the
/// transaction) — any statement of a multi-statement string, comments skipped — or a
/// session-level advisory lock (`pg_advisory_lock`, `pg_try_advisory_lock` and their `_shared`
/// forms; the `_xact_` ones are fine). A lock function's name inside a string literal counts
/// too (the check errs on the side of refusing).
pub(crate) fn session_feature(sql: &str) -> Option<&'static str> {
    for statement in statements(sql) {
        let mut words = words(statement);
        if words.next().is_some_and(|w| w.eq_ignore_ascii_case("SET")) {
            let scoped = words.next().is_some_and(|word| {
                ["LOCAL", "TRANSACTION", "CONSTRAINTS"]
                    .iter()
                    .any(|k| word.eq_ignore_ascii_case(k))
            });
            if !scoped {
                return Some("a session SET (SET LOCAL inside a transaction is fine)");
            }
        }
    }
    const LOCKS: [&[u8]; 2] = [b"pg_advisory_lock", b"pg_try_advisory_lock"];
    let bytes = sql.as_bytes();
    let locks = LOCKS.iter().any(|needle| {
        bytes
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
    });
    locks.then_some("a session advisory lock (pg_advisory_xact_lock is fine)")
}

/// The statements of `sql`: split at `;` outside quotes, comments and dollar-quoted bodies.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    let bytes = sql.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        i = match bytes[i] {
            b';' => {
                starts.push(i + 1);
                i + 1
            }
            b'\'' | b'"' => {
                let quote = bytes[i];
                let mut j = i + 1;
                while j < bytes.len() {
                    if bytes[j] == quote {
                        if bytes.get(j + 1) == Some(&quote) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    // E'..' strings: a backslash escapes (elsewhere it is an ordinary byte,
                    // and skipping one more byte only delays the end of the literal).
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                j + 1
            }
            b'$' => match dollar_tag(&sql[i..]) {
                Some(tag) => sql[i + tag.len()..]
                    .find(tag)
                    .map_or(bytes.len(), |p| i + tag.len() + p + tag.len()),
                None => i + 1,
            },
            _ => i + comment_len(&sql[i..]).unwrap_or(1),
        };
    }
    starts.push(bytes.len() + 1);
    let mut bounds = Vec::with_capacity(starts.len());
    for pair in starts.windows(2) {
        bounds.push(&sql[pair[0].min(sql.len())..(pair[1] - 1).min(sql.len())]);
    }
    bounds.into_iter()
}

/// A `$tag$` opening at the start of `s` (`$$` included); `None` for `$1` and the like.
fn dollar_tag(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('$')?;
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .bytes()
        .enumerate()
        .all(|(k, b)| b == b'_' || b.is_ascii_alphabetic() || (k > 0 && b.is_ascii_digit()));
    valid.then(|| &s[..end + 2])
}

/// The length of a comment at the start of `s`: `--` to the end of the line, or a (nested)
/// `/* */` block.
fn comment_len(s: &str) -> Option<usize> {
    if s.starts_with("--") {
        return Some(s.find('\n').map_or(s.len(), |p| p + 1));
    }
    if !s.starts_with("/*") {
        return None;
    }
    let bytes = s.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"/*" => {
                depth += 1;
                i += 2;
            }
            b"*/" => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    Some(s.len())
}

/// The words of a statement, skipping whitespace and comments.
fn words(statement: &str) -> impl Iterator<Item = &str> {
    let mut rest = statement;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start();
            match comment_len(rest) {
                Some(len) => rest = &rest[len..],
                None => break,
            }
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        let (word, after) = rest.split_at(len);
        rest = after;
        Some(word)
    })
}

#[cfg(test)]
mod tests {
    use super::session_feature;

    #[test]
    fn session_state_is_told_from_transaction_state() {
        for sql in [
            "SET search_path = app",
            "  set SESSION statement_timeout = 5",
            "/* x */ -- y\nSET work_mem='8MB'",
            "SELECT pg_advisory_lock(1)",
            "select PG_TRY_ADVISORY_LOCK_SHARED($1)",
        ] {
            assert!(session_feature(sql).is_some(), "{sql}");
        }
        for sql in [
            "SET LOCAL search_path = app",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "SET CONSTRAINTS ALL DEFERRED",
            "SELECT pg_advisory_xact_lock(1)",
            "SELECT pg_advisory_unlock_all()",
            "SELECT settings FROM t",
            "UPDATE t SET a = 1",
        ] {
            assert!(session_feature(sql).is_none(), "{sql}");
        }
    }
}

/// Statements an outside review found the lexical check taking wrongly.
#[cfg(test)]
mod regressions {
    use super::session_feature;

    /// A comment between `SET` and `LOCAL` (only leading comments are skipped) turns a
    /// transaction-scoped `SET LOCAL` into "a session SET", refused through a pooler.
    #[test]
    fn set_local_with_a_comment_is_not_a_session_set() {
        let sql = "SET /* for this transaction */ LOCAL statement_timeout = '5s'";
        assert_eq!(session_feature(sql), None, "{sql}");
    }

    /// A session SET after another statement in one simple-query string is not seen (the
    /// README promises a refusal for session SETs; only the string's first word is looked at).
    #[test]
    fn a_session_set_after_begin_is_seen() {
        for sql in [
            "BEGIN; SET search_path = app; COMMIT",
            "SELECT 1; SET search_path = app",
        ] {
            assert!(session_feature(sql).is_some(), "{sql}");
        }
    }
}
