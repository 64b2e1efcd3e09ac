//! Transactions and savepoints. A `Transaction` borrows its connection and derefs to it, so every
//! query method works inside it; opening one inside another makes a SAVEPOINT. Dropping one
//! without `commit` or `rollback` queues its rollback, which runs before the connection's next
//! request (Drop cannot wait on the network).

use std::ops::{Deref, DerefMut};

use crate::connection::Connection;
use crate::error::Result;

/// Transaction isolation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    /// `SERIALIZABLE`.
    Serializable,
    /// `REPEATABLE READ`.
    RepeatableRead,
    /// `READ COMMITTED` (PostgreSQL's default).
    ReadCommitted,
    /// `READ UNCOMMITTED` (PostgreSQL runs it as READ COMMITTED).
    ReadUncommitted,
}

impl IsolationLevel {
    fn sql(self) -> &'static str {
        match self {
            IsolationLevel::Serializable => "SERIALIZABLE",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
        }
    }
}

/// Options of a transaction, from [`Connection::build_transaction`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::IsolationLevel;
/// let tx = conn
///     .build_transaction()
///     .isolation(IsolationLevel::RepeatableRead)
///     .read_only(true)
///     .start()
///     .await?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[must_use = "a TransactionBuilder does nothing until `start` is awaited"]
pub struct TransactionBuilder<C: DerefMut<Target = Connection>> {
    conn: C,
    isolation: Option<IsolationLevel>,
    read_only: Option<bool>,
    deferrable: Option<bool>,
}

impl<C: DerefMut<Target = Connection>> TransactionBuilder<C> {
    /// A builder for a transaction on `conn`: a `&mut Connection`, or an owned pooled connection
    /// (the transaction then owns it and returns it to the pool when done).
    pub fn new(conn: C) -> TransactionBuilder<C> {
        TransactionBuilder {
            conn,
            isolation: None,
            read_only: None,
            deferrable: None,
        }
    }

    /// Sets the isolation level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// `READ ONLY` (true) or `READ WRITE` (false).
    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = Some(on);
        self
    }

    /// `DEFERRABLE` (meaningful for serializable read-only transactions).
    pub fn deferrable(mut self, on: bool) -> Self {
        self.deferrable = Some(on);
        self
    }

    /// Starts the transaction: `BEGIN ...`, or a SAVEPOINT inside an open transaction (where the
    /// options cannot apply and are refused by the server if given). Bounded by the connection's
    /// command timeout.
    pub async fn start(self) -> Result<Transaction<C>> {
        let mut conn = self.conn;
        let depth = conn.tx_depth() + 1;
        let (sql, set) = if depth == 1 {
            let mut sql = String::from("BEGIN");
            if let Some(level) = self.isolation {
                sql.push_str(" ISOLATION LEVEL ");
                sql.push_str(level.sql());
            }
            match self.read_only {
                Some(true) => sql.push_str(" READ ONLY"),
                Some(false) => sql.push_str(" READ WRITE"),
                None => {}
            }
            match self.deferrable {
                Some(true) => sql.push_str(" DEFERRABLE"),
                Some(false) => sql.push_str(" NOT DEFERRABLE"),
                None => {}
            }
            (sql, None)
        } else {
            let set = if self.isolation.is_some()
                || self.read_only.is_some()
                || self.deferrable.is_some()
            {
                // SET TRANSACTION inside a savepoint: the server reports what it cannot change.
                let mut set = String::from("SET TRANSACTION");
                if let Some(level) = self.isolation {
                    set.push_str(" ISOLATION LEVEL ");
                    set.push_str(level.sql());
                }
                if let Some(ro) = self.read_only {
                    set.push_str(if ro { " READ ONLY" } else { " READ WRITE" });
                }
                Some(set)
            } else {
                None
            };
            (format!("SAVEPOINT {}", savepoint_name(depth)), set)
        };
        conn.within_command_timeout(&sql, async |c: &mut Connection| {
            if let Some(set) = &set {
                c.simple_query(set).await?;
            }
            c.ready().await?;
            // Dropped after this point (or timed out), the connection rolls the new level back
            // itself: no `Transaction` exists yet to do it.
            c.begin(&sql, rollback_sql(depth)).await
        })
        .await?;
        conn.set_tx_depth(depth);
        Ok(Transaction {
            conn,
            depth,
            done: false,
        })
    }
}

/// An open transaction or savepoint. Derefs to the [`Connection`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let mut tx = conn.transaction().await?;
/// tx.execute("INSERT INTO t VALUES (1)", &[]).await?;
/// {
///     let mut sp = tx.transaction().await?; // SAVEPOINT
///     sp.execute("INSERT INTO t VALUES (2)", &[]).await?;
///     sp.rollback().await?; // only row 2 is undone
/// }
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[must_use = "a transaction is rolled back when dropped: call `commit`"]
pub struct Transaction<C: DerefMut<Target = Connection>> {
    conn: C,
    depth: usize,
    done: bool,
}

impl<C: DerefMut<Target = Connection>> Transaction<C> {
    /// Commits (or releases the savepoint).
    ///
    /// A transaction that failed on the server (a statement in it failed, even in a call whose
    /// future was dropped before its error was seen) cannot commit: the server rolls it back,
    /// and this returns [`Error::TransactionRolledBack`](crate::Error::TransactionRolledBack).
    ///
    /// Dropped (or timed out, under the connection's command timeout) before the COMMIT is sent
    /// (while earlier work is still being finished), the transaction is rolled back as if
    /// dropped; once sent, it completes on the server and the connection reads its answer
    /// before its next request.
    pub async fn commit(mut self) -> Result<()> {
        let sql = if self.depth == 1 {
            String::from("COMMIT")
        } else {
            format!("RELEASE SAVEPOINT {}", savepoint_name(self.depth))
        };
        let depth = self.depth;
        let done = &mut self.done;
        let tag = self
            .conn
            .within_command_timeout(&sql, async |c: &mut Connection| {
                c.ready().await?;
                // From here to the write there is no await: `done` is true exactly when COMMIT
                // goes out.
                *done = true;
                c.set_tx_depth(depth - 1);
                c.control(&sql).await
            })
            .await?;
        // The server answers COMMIT of a failed transaction with ROLLBACK, and no error.
        if self.depth == 1 && tag.command() == "ROLLBACK" {
            return Err(crate::Error::TransactionRolledBack);
        }
        Ok(())
    }

    /// Rolls back (to the savepoint, for a nested one).
    pub async fn rollback(mut self) -> Result<()> {
        let sql = rollback_sql(self.depth);
        let depth = self.depth;
        let done = &mut self.done;
        self.conn
            .within_command_timeout(&sql, async |c: &mut Connection| {
                c.ready().await?;
                *done = true;
                c.set_tx_depth(depth - 1);
                c.control(&sql).await
            })
            .await
            .map(drop)
    }

    /// 1 for the outer transaction, 2 and more for savepoints.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

impl<C: DerefMut<Target = Connection>> Drop for Transaction<C> {
    fn drop(&mut self) {
        if !self.done {
            self.conn.set_tx_depth(self.depth - 1);
            self.conn.queue_sql(&rollback_sql(self.depth));
        }
    }
}

impl<C: DerefMut<Target = Connection>> Deref for Transaction<C> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl<C: DerefMut<Target = Connection>> DerefMut for Transaction<C> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn savepoint_name(depth: usize) -> String {
    format!("quarry_savepoint_{depth}")
}

fn rollback_sql(depth: usize) -> String {
    if depth == 1 {
        String::from("ROLLBACK")
    } else {
        let name = savepoint_name(depth);
        format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
    }
}

impl<C: DerefMut<Target = Connection>> std::fmt::Debug for Transaction<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("depth", &self.depth)
            .field("connection", &*self.conn)
            .finish()
    }
}

impl<C: DerefMut<Target = Connection>> std::fmt::Debug for TransactionBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionBuilder")
            .field("isolation", &self.isolation)
            .field("read_only", &self.read_only)
            .field("deferrable", &self.deferrable)
            .finish_non_exhaustive()
    }
}
