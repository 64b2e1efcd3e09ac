//! Server-side cursors: [`Connection::cursor`] binds a query to a named portal inside the open
//! transaction and [`Cursor`] reads it a batch at a time (`prefetch` rows per round trip), so a
//! result of any size is read in bounded memory.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::connection::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::quote_ident;
use crate::record::Record;
use crate::statement::Statement;
use crate::stream::RowStream;

/// Rows fetched per round trip when iterating, unless [`Cursor::set_prefetch`] says otherwise.
pub const DEFAULT_PREFETCH: u32 = 50;

static NEXT_PORTAL: AtomicU64 = AtomicU64::new(1);

/// A server-side cursor over a query's rows, open until the transaction ends (or
/// [`Cursor::close`]). From [`Connection::cursor`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use futures_util::StreamExt;
/// let mut tx = conn.transaction().await?;
/// let mut cursor = tx.cursor("SELECT * FROM generate_series(1, $1) AS n", &[&1_000_000i32]).await?;
/// let first_ten = cursor.fetch(10).await?;       // exactly 10 rows
/// cursor.forward(1000).await?;                    // skip 1000 on the server
/// let next = cursor.fetch_row().await?;           // row 1011
/// let mut rows = cursor.into_stream();            // the rest, 50 rows per round trip
/// while let Some(row) = rows.next().await {
///     let n: i32 = row?.get("n")?;
/// }
/// drop(rows);
/// tx.commit().await?;
/// # Ok(()) }
/// ```
pub struct Cursor<'c> {
    conn: &'c mut Connection,
    portal: String,
    stmt: Statement,
    prefetch: u32,
    buffer: VecDeque<Record>,
    /// The server may have more rows.
    more: bool,
    /// A fetch was abandoned midway (its future dropped): the position is lost.
    in_flight: bool,
}

impl Connection {
    /// Opens a server-side cursor over `query` in the current transaction. Outside a transaction
    /// it fails with [`Error::NoTransaction`] (the server would close the cursor at once).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut tx = conn.transaction().await?;
    /// let mut cursor = tx.cursor("SELECT * FROM big_table", &[]).await?;
    /// while let Some(row) = cursor.fetch_row().await? {
    ///     println!("{row:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn cursor(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Cursor<'_>> {
        let portal = format!(
            "quarry_cursor_{}",
            NEXT_PORTAL.fetch_add(1, Ordering::Relaxed)
        );
        let stmt = self.open_portal(&portal, &query, params).await?;
        Ok(Cursor {
            conn: self,
            portal,
            stmt,
            prefetch: DEFAULT_PREFETCH,
            buffer: VecDeque::new(),
            more: true,
            in_flight: false,
        })
    }
}

impl<'c> Cursor<'c> {
    /// Rows read per round trip by [`Cursor::fetch_row`] and the stream (at least 1).
    pub fn set_prefetch(&mut self, rows: u32) -> &mut Self {
        self.prefetch = rows.max(1);
        self
    }

    /// The name of the portal on the server (usable in SQL: `FETCH 5 FROM "name"`).
    pub fn name(&self) -> &str {
        &self.portal
    }

    /// The result columns.
    pub fn statement(&self) -> &Statement {
        &self.stmt
    }

    /// Reads up to `rows` rows from the server into the buffer.
    async fn fill(&mut self, rows: u32) -> Result<()> {
        if self.in_flight {
            return Err(Error::CursorInterrupted {
                cursor: self.portal.clone(),
            });
        }
        if !self.more || rows == 0 {
            return Ok(());
        }
        let max_rows = i32::try_from(rows).unwrap_or(i32::MAX);
        self.in_flight = true;
        let result = self
            .conn
            .fetch_portal(&self.portal, &self.stmt, max_rows, &mut self.buffer)
            .await;
        self.in_flight = false;
        match result {
            Ok(more) => {
                self.more = more;
                Ok(())
            }
            Err(e) => {
                self.more = false;
                Err(e)
            }
        }
    }

    /// The next `n` rows (fewer at the end).
    pub async fn fetch(&mut self, n: u32) -> Result<Vec<Record>> {
        let wanted = usize::try_from(n).unwrap_or(usize::MAX);
        let missing = wanted.saturating_sub(self.buffer.len());
        if missing > 0 {
            self.fill(u32::try_from(missing).unwrap_or(u32::MAX))
                .await?;
        }
        let take = wanted.min(self.buffer.len());
        Ok(self.buffer.drain(..take).collect())
    }

    /// The next row, or `None` at the end; reads `prefetch` rows per round trip.
    pub async fn fetch_row(&mut self) -> Result<Option<Record>> {
        if self.buffer.is_empty() {
            self.fill(self.prefetch).await?;
        }
        Ok(self.buffer.pop_front())
    }

    /// Skips `n` rows (`MOVE FORWARD` on the server: they are not sent); returns how many were
    /// skipped (fewer at the end).
    pub async fn forward(&mut self, n: u32) -> Result<u64> {
        if self.in_flight {
            return Err(Error::CursorInterrupted {
                cursor: self.portal.clone(),
            });
        }
        let wanted = usize::try_from(n).unwrap_or(usize::MAX);
        let from_buffer = wanted.min(self.buffer.len());
        self.buffer.drain(..from_buffer);
        let rest = n.saturating_sub(u32::try_from(from_buffer).unwrap_or(u32::MAX));
        let skipped = u64::try_from(from_buffer).unwrap_or(u64::MAX);
        if rest == 0 || !self.more {
            return Ok(skipped);
        }
        let sql = format!("MOVE FORWARD {rest} IN {}", quote_ident(&self.portal));
        self.in_flight = true;
        let moved = self
            .conn
            .within_command_timeout(&sql, async |c: &mut Connection| c.simple_query(&sql).await)
            .await;
        self.in_flight = false;
        let moved = moved?.rows();
        if moved < u64::from(rest) {
            self.more = false;
        }
        Ok(skipped + moved)
    }

    /// Closes the portal now (otherwise it lives until the transaction ends).
    pub async fn close(self) -> Result<()> {
        self.conn.close_portal(&self.portal).await
    }

    /// The remaining rows as a `Stream`, `prefetch` rows per round trip. Dropping it midway
    /// leaves the connection usable.
    pub fn into_stream(self) -> RowStream<'c> {
        RowStream::from_stream(futures_util::stream::unfold(
            Some(self),
            |cursor| async move {
                let mut cursor = cursor?;
                match cursor.fetch_row().await {
                    Ok(Some(row)) => Some((Ok(row), Some(cursor))),
                    Ok(None) => None,
                    Err(e) => Some((Err(e), None)),
                }
            },
        ))
    }
}

impl std::fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("name", &self.portal)
            .field("sql", &self.stmt.sql())
            .field("prefetch", &self.prefetch)
            .field("buffered", &self.buffer.len())
            .field("more", &self.more)
            .finish_non_exhaustive()
    }
}
