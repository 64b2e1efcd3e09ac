//! The per-connection LRU of prepared statements, keyed by SQL text.
//!
//! The cache only decides; the connection closes what it evicts (`Close` is queued and sent with
//! the next request) and re-prepares what went stale.

use std::time::{Duration, Instant};

use hashlink::LruCache;

use crate::statement::Statement;

pub(crate) struct StatementCache {
    entries: LruCache<String, (Statement, Instant)>,
    capacity: usize,
    max_lifetime: Duration,
    max_statement_size: usize,
    next_id: u64,
}

impl StatementCache {
    pub(crate) fn new(
        capacity: usize,
        max_lifetime: Duration,
        max_statement_size: usize,
    ) -> StatementCache {
        StatementCache {
            entries: LruCache::new(capacity.max(1)),
            capacity,
            max_lifetime,
            max_statement_size,
            next_id: 0,
        }
    }

    /// Whether `sql` should get a named, cached statement (else the unnamed statement is used).
    pub(crate) fn admits(&self, sql: &str) -> bool {
        self.capacity > 0 && sql.len() <= self.max_statement_size
    }

    /// A fresh statement name, unique on this connection.
    pub(crate) fn next_name(&mut self) -> String {
        self.next_id += 1;
        format!("quarry_s{}", self.next_id)
    }

    /// The cached statement for `sql`, unless it outlived `max_lifetime` (then it is removed and
    /// returned as the second value so its server side can be closed).
    pub(crate) fn get(&mut self, sql: &str) -> (Option<Statement>, Option<Statement>) {
        match self.entries.get(sql) {
            Some((stmt, born))
                if born.elapsed() <= self.max_lifetime || self.max_lifetime.is_zero() =>
            {
                (Some(stmt.clone()), None)
            }
            Some(_) => (None, self.entries.remove(sql).map(|(s, _)| s)),
            None => (None, None),
        }
    }

    /// Caches `stmt`; returns the entry evicted to make room, if any.
    pub(crate) fn insert(&mut self, stmt: Statement) -> Option<Statement> {
        let evicted =
            if self.entries.len() >= self.capacity && !self.entries.contains_key(stmt.sql()) {
                self.entries.remove_lru().map(|(_, (s, _))| s)
            } else {
                None
            };
        self.entries
            .insert(stmt.sql().to_owned(), (stmt, Instant::now()));
        evicted
    }

    /// Forgets the statement for `sql` (after a stale-plan error); returns it for closing.
    pub(crate) fn remove(&mut self, sql: &str) -> Option<Statement> {
        self.entries.remove(sql).map(|(s, _)| s)
    }

    /// Empties the cache; returns the names of the statements to close on the server.
    pub(crate) fn clear(&mut self) -> Vec<String> {
        let names = self
            .entries
            .iter()
            .map(|(_, (stmt, _))| stmt.name().to_owned())
            .collect();
        self.entries.clear();
        names
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
