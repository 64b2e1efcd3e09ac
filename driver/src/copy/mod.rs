//! COPY: bulk data in and out of tables, streamed in bounded memory.
//!
//! - Text, csv or binary data: [`Connection::copy_from_table`], [`Connection::copy_from_query`]
//!   (to any [`CopySink`]: an `AsyncWrite`, [`to_path`], [`to_fn`]), their `_stream` variants
//!   (a `Stream` of `Bytes`), and [`Connection::copy_to_table`] (from any [`CopySource`]: an
//!   `AsyncRead`, [`from_path`], [`from_stream`]). [`CopyOptions`] holds every COPY option.
//! - Typed rows: [`Connection::copy_records_to_table`] sends tuples (any [`CopyRow`]) in binary,
//!   encoded for the table's column types (custom codecs included);
//!   [`BinaryCopyWriter`] and [`BinaryCopyReader`] stream rows one at a time.
//!
//! A COPY aborted by its source fails with CopyFail; a dropped COPY future is aborted before the
//! connection's next request. Whole-COPY calls honour the connection's `command_timeout` and
//! [`Connection::timeout`] (see [`crate::Timed`]): when the limit passes the server is asked to
//! cancel, the COPY is aborted and the connection stays usable. A server error keeps the line it happened at ([`error_line`]).
//!
//! ```no_run
//! # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
//! use quarry_driver::copy::CopyOptions;
//! let rows = (1..=3).map(|i| (i, format!("name {i}"), f64::from(i) / 2.0));
//! conn.copy_records_to_table("t", rows, &["a", "b", "c"], None).await?;
//! let mut csv = Vec::new();
//! conn.copy_from_table("t", &mut csv, &CopyOptions::csv().header(true)).await?;
//! # Ok(()) }
//! ```

mod columns;
mod error;
mod options;
mod reader;
mod row;
mod sink;
mod source;
mod sql;
mod staging;
mod timed;
mod writer;

use std::time::Duration;

use futures_core::Stream;

pub use columns::{CopyColumns, encode_value};
pub use error::{CopyError, error_line};
pub use options::{CopyFormat, CopyOptions};
pub use reader::{BinaryCopyReader, BinaryRow};
pub use row::CopyRow;
pub use sink::{CopySink, ToFn, ToPath, to_fn, to_path};
pub use source::{CopySource, FromPath, FromStream, from_path, from_stream};
pub use writer::BinaryCopyWriter;

use crate::connection::{CopyOutItem, CopyStart, Param};
use crate::error::Result;
use crate::types::{Kind, PgType};
use crate::{Connection, Error};

impl Connection {
    /// Copies a table's rows (or `options.columns`) out to `output`; returns the row count.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::copy::CopyOptions;
    /// let mut out = Vec::new();
    /// let n = conn.copy_from_table("users", &mut out, &CopyOptions::csv().columns(["id"])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_from_table(
        &mut self,
        table: &str,
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        self.copy_from_table_within(None, table, output, options)
            .await
    }

    pub(crate) async fn copy_from_table_within(
        &mut self,
        limit: Option<Duration>,
        table: &str,
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        let sql = options.statement_to(table)?;
        self.limited_call(limit, &sql, async |c: &mut Connection| {
            c.copy_out_now(&sql, output).await
        })
        .await
    }

    /// Copies a query's result out to `output`; returns the row count. COPY takes no bind
    /// parameters, so `params` are inlined as literals the server itself quoted.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::copy::CopyOptions;
    /// let mut out = Vec::new();
    /// conn.copy_from_query("SELECT * FROM t WHERE id > $1", &[&10i32], &mut out, &CopyOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_from_query(
        &mut self,
        query: &str,
        params: &[Param<'_>],
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        self.copy_from_query_within(None, query, params, output, options)
            .await
    }

    pub(crate) async fn copy_from_query_within(
        &mut self,
        limit: Option<Duration>,
        query: &str,
        params: &[Param<'_>],
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        self.limited_call(limit, query, async |c: &mut Connection| {
            let query = c.inline_params(query, params).await?;
            let sql = options.statement_query(&query)?;
            c.copy_out_now(&sql, output).await
        })
        .await
    }

    /// Like [`Connection::copy_from_table`], the data as a `Stream` of chunks (a row each in
    /// text and csv). Dropping the stream early leaves the connection usable.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use futures_util::StreamExt;
    /// use quarry_driver::copy::CopyOptions;
    /// let mut rows = std::pin::pin!(conn.copy_from_table_stream("t", &CopyOptions::new()).await?);
    /// while let Some(chunk) = rows.next().await {
    ///     let chunk = chunk?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn copy_from_table_stream(
        &mut self,
        table: &str,
        options: &CopyOptions,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes>> + Send + '_> {
        let sql = options.statement_to(table)?;
        self.copy_out_stream(sql).await
    }

    /// Like [`Connection::copy_from_query`], the data as a `Stream` of chunks.
    pub async fn copy_from_query_stream(
        &mut self,
        query: &str,
        params: &[Param<'_>],
        options: &CopyOptions,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes>> + Send + '_> {
        let query = self.inline_params(query, params).await?;
        let sql = options.statement_query(&query)?;
        self.copy_out_stream(sql).await
    }

    /// Copies data from `source` into a table (text, csv or binary as `options` say); returns
    /// the row count. A source error aborts the COPY (nothing is inserted).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::copy::CopyOptions;
    /// let n = conn.copy_to_table("t", &b"1,a\n2,b\n"[..], &CopyOptions::csv()).await?;
    /// assert_eq!(n, 2);
    /// # Ok(()) }
    /// ```
    pub async fn copy_to_table(
        &mut self,
        table: &str,
        source: impl CopySource,
        options: &CopyOptions,
    ) -> Result<u64> {
        self.copy_to_table_within(None, table, source, options)
            .await
    }

    pub(crate) async fn copy_to_table_within(
        &mut self,
        limit: Option<Duration>,
        table: &str,
        source: impl CopySource,
        options: &CopyOptions,
    ) -> Result<u64> {
        let sql = options.statement_from(table)?;
        self.copy_in_raw_within(limit, &sql, source).await
    }

    /// Runs a `COPY ... FROM STDIN` statement written by hand, with data from `source`.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.copy_in_raw("COPY t FROM STDIN (FORMAT csv)", &b"1,a\n"[..]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_in_raw(&mut self, sql: &str, source: impl CopySource) -> Result<u64> {
        self.copy_in_raw_within(None, sql, source).await
    }

    pub(crate) async fn copy_in_raw_within(
        &mut self,
        limit: Option<Duration>,
        sql: &str,
        source: impl CopySource,
    ) -> Result<u64> {
        self.limited_call(limit, sql, async |c: &mut Connection| {
            c.copy_in_now(sql, source).await
        })
        .await
    }

    async fn copy_in_now(&mut self, sql: &str, mut source: impl CopySource) -> Result<u64> {
        self.start_copy_in(sql).await?;
        loop {
            match source.next_chunk().await {
                Ok(Some(chunk)) => {
                    // Bounded pieces: one huge chunk must not become one huge buffered message.
                    for piece in chunk.chunks(crate::connection::COPY_FLUSH) {
                        self.copy_in_data(piece, sql).await?;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.copy_in_fail(&format!("the client's COPY source failed: {e}"))
                        .await?;
                    return Err(CopyError::Source(e).into());
                }
            }
        }
        Ok(self.copy_in_finish(sql).await?.rows())
    }

    /// Runs a `COPY ... TO STDOUT` statement written by hand, its data going to `output`.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut out = Vec::new();
    /// conn.copy_out_raw("COPY t TO STDOUT", &mut out).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_out_raw(&mut self, sql: &str, output: impl CopySink) -> Result<u64> {
        self.copy_out_raw_within(None, sql, output).await
    }

    pub(crate) async fn copy_out_raw_within(
        &mut self,
        limit: Option<Duration>,
        sql: &str,
        output: impl CopySink,
    ) -> Result<u64> {
        self.limited_call(limit, sql, async |c: &mut Connection| {
            c.copy_out_now(sql, output).await
        })
        .await
    }

    async fn copy_out_now(&mut self, sql: &str, mut output: impl CopySink) -> Result<u64> {
        self.start_copy_out(sql).await?;
        let mut failed = None;
        loop {
            match self.copy_out_next(sql).await? {
                CopyOutItem::Data(data) => {
                    if failed.is_none()
                        && let Err(e) = output.write(data).await
                    {
                        // Keep reading (and dropping) the rest so the connection stays in step.
                        failed = Some(e);
                    }
                }
                CopyOutItem::Done(tag) => {
                    if let Some(e) = failed {
                        return Err(CopyError::Output(e).into());
                    }
                    output
                        .finish()
                        .await
                        .map_err(|e| Error::from(CopyError::Output(e)))?;
                    return Ok(tag.rows());
                }
            }
        }
    }

    /// Starts a COPY TO STDOUT and returns its data as a stream.
    async fn copy_out_stream(
        &mut self,
        sql: String,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes>> + Send + '_> {
        self.start_copy_out(&sql).await?;
        Ok(futures_util::stream::unfold(
            Some((self, sql)),
            |state| async move {
                let (conn, sql) = state?;
                match conn.copy_out_next(&sql).await {
                    Ok(CopyOutItem::Data(data)) => Some((Ok(data), Some((conn, sql)))),
                    Ok(CopyOutItem::Done(_)) => None,
                    Err(e) => Some((Err(e), None)),
                }
            },
        ))
    }

    /// Sends a COPY FROM STDIN statement; anything else is an error.
    pub(crate) async fn start_copy_in(&mut self, sql: &str) -> Result<()> {
        match self.copy_start(sql).await? {
            CopyStart::In => Ok(()),
            // A COPY TO left running is drained by the next request.
            CopyStart::Out | CopyStart::Other => Err(CopyError::NotCopy {
                expected: "FROM STDIN",
                sql: sql.to_owned(),
            }
            .into()),
        }
    }

    /// Sends a COPY TO STDOUT statement; anything else is an error.
    pub(crate) async fn start_copy_out(&mut self, sql: &str) -> Result<()> {
        match self.copy_start(sql).await? {
            CopyStart::Out => Ok(()),
            CopyStart::In => {
                self.copy_in_fail("not a COPY TO STDOUT").await?;
                Err(not_copy_out(sql))
            }
            CopyStart::Other => Err(not_copy_out(sql)),
        }
    }

    /// `query` with its `$n` placeholders replaced by the parameters as typed literals.
    async fn inline_params(&mut self, query: &str, params: &[Param<'_>]) -> Result<String> {
        if params.is_empty() {
            return Ok(query.to_owned());
        }
        let stmt = self.describe_for_copy(query).await?;
        if stmt.params().len() != params.len() {
            return Err(Error::ParamCount {
                expected: stmt.params().len(),
                found: params.len(),
                query: query.to_owned(),
            });
        }
        let types = stmt
            .param_types()
            .iter()
            .map(|ty| type_name(ty))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let columns: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, ty)| format!("quote_nullable(${}::{ty}::text)", i + 1))
            .collect();
        let sql = format!("SELECT {}", columns.join(", "));
        let row = self
            .fetch_row(sql.as_str(), params)
            .await?
            .ok_or(Error::RowNotFound { query: sql })?;
        let mut literals = Vec::with_capacity(types.len());
        for (i, ty) in types.iter().enumerate() {
            let literal: String = row.get(i)?;
            literals.push(format!("{literal}::{ty}"));
        }
        Ok(sql::inline_params(query, &literals))
    }
}

fn not_copy_out(sql: &str) -> Error {
    CopyError::NotCopy {
        expected: "TO STDOUT",
        sql: sql.to_owned(),
    }
    .into()
}

/// A type's qualified, quoted name for a cast (`"pg_catalog"."int4"`).
pub(crate) fn type_name(ty: &PgType) -> std::result::Result<String, CopyError> {
    let name = sql::ident(ty.name(), "type name")?;
    if ty.schema().is_empty() || matches!(ty.kind(), Kind::Unknown) {
        Ok(name)
    } else {
        Ok(format!(
            "{}.{name}",
            sql::ident(ty.schema(), "type schema")?
        ))
    }
}
