//! The per-connection LRU of prepared statements, keyed by SQL text.
//!
//! The cache only decides; the connection closes what it evicts (`Close` is queued and sent with
//! the next request) and re-prepares what went stale.

use rand::Rng;
use std::time::{Duration, Instant};

use hashlink::LruCache;

use crate::statement::Statement;

/// Descriptions kept, at most, with the cache off.
const MAX_DESCRIBED: usize = 256;

pub(crate) struct StatementCache {
    entries: LruCache<String, (Statement, Instant)>,
    /// With the cache off: descriptions of unnamed statements (nothing kept on the server), so
    /// the next run of the same SQL can parse, bind and execute in one round trip.
    described: LruCache<String, Statement>,
    capacity: usize,
    max_lifetime: Duration,
    max_statement_size: usize,
    next_id: u64,
    /// A random tag in this connection's statement names: behind a transaction pooler another
    /// client's statement of the same name would otherwise run with this one's parameters; with
    /// the tag, the wrong backend answers "does not exist" instead.
    tag: u32,
}

impl StatementCache {
    pub(crate) fn new(
        capacity: usize,
        max_lifetime: Duration,
        max_statement_size: usize,
    ) -> StatementCache {
        StatementCache {
            entries: LruCache::new(capacity.max(1)),
            described: LruCache::new(if capacity == 0 { MAX_DESCRIBED } else { 1 }),
            capacity,
            max_lifetime,
            max_statement_size,
            next_id: 0,
            // The OS generator; it fails only where the OS has no randomness at all.
            tag: rand::TryRngCore::unwrap_err(rand::rngs::OsRng).random(),
        }
    }

    /// Whether `sql` should get a named, cached statement (else the unnamed statement is used).
    pub(crate) fn admits(&self, sql: &str) -> bool {
        self.capacity > 0 && sql.len() <= self.max_statement_size
    }

    /// Whether the cache is on (`statement_cache_size` > 0). Off, no statement is named: behind
    /// a transaction pooler a named statement may not exist, or be another client's, on the
    /// backend the next transaction lands on.
    pub(crate) fn is_on(&self) -> bool {
        self.capacity > 0
    }

    /// With the cache off, the last description of `sql` (an unnamed statement), if kept.
    pub(crate) fn described(&mut self, sql: &str) -> Option<Statement> {
        if self.capacity > 0 {
            return None;
        }
        self.described.get(sql).cloned()
    }

    /// With the cache off, keeps the description of an unnamed statement.
    pub(crate) fn remember_described(&mut self, stmt: &Statement) {
        if self.capacity == 0
            && stmt.name().is_empty()
            && stmt.sql().len() <= self.max_statement_size
        {
            self.described.insert(stmt.sql().to_owned(), stmt.clone());
        }
    }

    /// A fresh statement name, unique on this connection and, by its random tag, not shared
    /// with other connections.
    pub(crate) fn next_name(&mut self) -> String {
        self.next_id += 1;
        format!("quarry_{:08x}_{}", self.tag, self.next_id)
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
        self.described.remove(sql);
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
        self.described.clear();
        names
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
