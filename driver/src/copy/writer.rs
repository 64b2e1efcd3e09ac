//! Typed binary COPY FROM STDIN: [`BinaryCopyWriter`] encodes rows for the table's column types
//! and sends them in bounded chunks; `copy_records_to_table` drives it from an iterator or a
//! `Stream` of rows.

use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;

use super::columns::CopyColumns;
use super::options::CopyOptions;
use super::row::{CopyRow, encode_whole};
use super::sql::{ident, ident_list};
use super::staging::{self, Staging};
use super::{CopyError, CopyFormat};
use crate::connection::COPY_FLUSH;
use crate::error::Result;
use crate::statement::Column;
use crate::types::BoxError;
use crate::{Connection, Error};

/// The binary COPY signature, flags and header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// A binary COPY FROM STDIN in progress: write rows, then [`finish`](Self::finish).
///
/// Dropping it without `finish` aborts the COPY (before the connection's next request).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::CopyOptions;
/// let mut writer = conn.binary_copy_in("t", &CopyOptions::new().columns(["id", "name"])).await?;
/// for i in 0..1000 {
///     writer.write(&(i, format!("row {i}"))).await?;
/// }
/// let rows = writer.finish().await?;
/// # Ok(()) }
/// ```
pub struct BinaryCopyWriter<'c> {
    conn: &'c mut Connection,
    sql: String,
    columns: CopyColumns,
    pending: BytesMut,
    rows: u64,
    staging: Option<Staging>,
    ended: bool,
}

impl std::fmt::Debug for BinaryCopyWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinaryCopyWriter")
            .field("sql", &self.sql)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Starts a binary COPY into `table` (`options`: columns, schema, freeze, where; the format
    /// is binary whatever it says). Column types are learned from the table.
    pub async fn binary_copy_in(
        &mut self,
        table: &str,
        options: &CopyOptions,
    ) -> Result<BinaryCopyWriter<'_>> {
        BinaryCopyWriter::start(self, table, options).await
    }

    /// Copies rows (tuples of [`Encode`](crate::types::Encode) values, in `columns` order; all
    /// of the table's columns when empty) into `table` with binary COPY, keeping only rows for
    /// which the SQL condition `where_` holds. Returns the rows inserted.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let rows = (0..1_000_000).map(|i| (i, format!("name {i}"), f64::from(i) * 0.5));
    /// let n = conn.copy_records_to_table("t", rows, &["a", "b", "c"], None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_records_to_table<I>(
        &mut self,
        table: &str,
        records: I,
        columns: &[&str],
        where_: Option<&str>,
    ) -> Result<u64>
    where
        I: IntoIterator,
        I::Item: CopyRow,
    {
        let options = CopyOptions::for_records(columns, where_);
        self.copy_records_to_table_with(table, records, &options)
            .await
    }

    /// [`Connection::copy_records_to_table`] with [`CopyOptions`] (columns, schema, freeze, where).
    pub async fn copy_records_to_table_with<I>(
        &mut self,
        table: &str,
        records: I,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        I: IntoIterator,
        I::Item: CopyRow,
    {
        self.copy_records_within(None, table, records, options)
            .await
    }

    pub(crate) async fn copy_records_within<I>(
        &mut self,
        limit: Option<Duration>,
        table: &str,
        records: I,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        I: IntoIterator,
        I::Item: CopyRow,
    {
        let label = copy_label(table);
        self.limited_call(limit, &label, async |c: &mut Connection| {
            c.copy_records_now(table, records, options).await
        })
        .await
    }

    async fn copy_records_now<I>(
        &mut self,
        table: &str,
        records: I,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        I: IntoIterator,
        I::Item: CopyRow,
    {
        let mut writer = BinaryCopyWriter::start(self, table, options).await?;
        writer.send_pending().await?;
        let mut records = records.into_iter();
        loop {
            // Encode a chunk straight into one CopyData message of the connection's write
            // buffer, without awaiting, then send it.
            let buf = writer.conn.copy_buf();
            let frame = buf.len();
            buf.put_u8(b'd');
            buf.put_i32(0);
            let mut more = false;
            let mut failed = None;
            for record in records.by_ref() {
                if let Err(e) = encode_whole(&record, &mut writer.columns, writer.rows + 1, buf) {
                    failed = Some(Error::from(e));
                    break;
                }
                writer.rows += 1;
                if buf.len() - frame >= COPY_FLUSH {
                    more = true;
                    break;
                }
            }
            let len = i32::try_from(buf.len() - frame - 1).ok();
            match (len, buf.get_mut(frame + 1..frame + 5)) {
                (Some(len), Some(slot)) if len > 4 => slot.copy_from_slice(&len.to_be_bytes()),
                _ => buf.truncate(frame),
            }
            if let Some(e) = failed {
                writer.abort_with(&e).await?;
                return Err(e);
            }
            if let Err(e) = writer.conn.copy_in_flush(&writer.sql).await {
                writer.ended = true;
                return Err(e);
            }
            if !more {
                break;
            }
        }
        writer.finish().await
    }

    /// Copies a `Stream` of rows into `table` with binary COPY; an `Err` item aborts the COPY
    /// (nothing is inserted) and is returned as [`CopyError::Source`].
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::copy::CopyOptions;
    /// let rows = futures_util::stream::iter((0..10).map(|i| Ok::<_, std::io::Error>((i, "x"))));
    /// conn.copy_record_stream_to_table("t", rows, &CopyOptions::new().columns(["a", "b"])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_record_stream_to_table<S, R, E>(
        &mut self,
        table: &str,
        records: S,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<R, E>> + Send,
        R: CopyRow,
        E: Into<BoxError>,
    {
        let label = copy_label(table);
        self.limited_call(None, &label, async |c: &mut Connection| {
            c.copy_record_stream_now(table, records, options).await
        })
        .await
    }

    async fn copy_record_stream_now<S, R, E>(
        &mut self,
        table: &str,
        records: S,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<R, E>> + Send,
        R: CopyRow,
        E: Into<BoxError>,
    {
        let mut writer = BinaryCopyWriter::start(self, table, options).await?;
        let mut records = std::pin::pin!(records);
        while let Some(record) = records.next().await {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    let e: Error = CopyError::Source(e.into()).into();
                    writer.abort_with(&e).await?;
                    return Err(e);
                }
            };
            if let Err(e) = writer.write(&record).await {
                writer.abort_with(&e).await?;
                return Err(e);
            }
        }
        writer.finish().await
    }
}

/// What query loggers and tracing see for a typed COPY into `table`.
fn copy_label(table: &str) -> String {
    format!("COPY {table} FROM STDIN (FORMAT binary)")
}

impl<'c> BinaryCopyWriter<'c> {
    async fn start(
        conn: &'c mut Connection,
        table: &str,
        options: &CopyOptions,
    ) -> Result<BinaryCopyWriter<'c>> {
        let mut target = String::new();
        if let Some(schema) = options.schema_name() {
            target.push_str(&ident(schema, "schema")?);
            target.push('.');
        }
        target.push_str(&ident(table, "table")?);
        let select = if options.column_names().is_empty() {
            "*".to_owned()
        } else {
            ident_list(options.column_names(), "column")?
        };
        let given = options.column_type_list();
        let columns: Vec<Column> = if given.is_empty() {
            conn.describe_for_copy(&format!("SELECT {select} FROM {target} LIMIT 0"))
                .await?
                .columns()
                .to_vec()
        } else if given.len() == options.column_names().len() {
            options
                .column_names()
                .iter()
                .zip(given)
                .map(|(name, ty)| Column::named(name, Arc::clone(ty)))
                .collect()
        } else {
            return Err(CopyError::ColumnTypes {
                columns: options.column_names().len(),
                types: given.len(),
            }
            .into());
        };
        let names: Vec<String> = columns.iter().map(|c| c.name().to_owned()).collect();
        let staging = staging::plan(&target, &columns, options.where_condition())?;
        let columns = CopyColumns::new(columns);
        let sql = match &staging {
            Some(staging) => {
                conn.execute(staging.create.as_str(), &[]).await?;
                format!("COPY {} FROM STDIN (FORMAT binary)", staging.table)
            }
            None => {
                let opts = options.clone().format(CopyFormat::Binary).columns(names);
                opts.statement_from(table)?
            }
        };
        if let Err(e) = conn.start_copy_in(&sql).await {
            if let Some(staging) = &staging {
                conn.queue_sql(&staging.drop);
            }
            return Err(e);
        }
        let mut pending = BytesMut::with_capacity(COPY_FLUSH + COPY_FLUSH / 4);
        pending.put_slice(HEADER);
        Ok(BinaryCopyWriter {
            conn,
            sql,
            columns,
            pending,
            rows: 0,
            staging,
            ended: false,
        })
    }

    /// The COPY's columns, in the order row values go.
    pub fn columns(&self) -> &[Column] {
        self.columns.columns()
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Encodes and buffers one row, sending buffered rows when they pass 64 kB. A row that
    /// fails to encode is left out and the COPY stays open.
    pub async fn write<R: CopyRow + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.encode(row)?;
        if self.pending.len() >= COPY_FLUSH {
            self.send_pending().await?;
        }
        Ok(())
    }

    /// Ends the COPY and returns the rows inserted.
    pub async fn finish(mut self) -> Result<u64> {
        self.check_open()?;
        self.pending.put_i16(-1);
        self.send_pending().await?;
        self.ended = true;
        let tag = self.conn.copy_in_finish(&self.sql).await;
        let Some(staging) = self.staging.take() else {
            return Ok(tag?.rows());
        };
        let result = match tag {
            Ok(_) => self.conn.execute(staging.insert.as_str(), &[]).await,
            Err(e) => Err(e),
        };
        self.conn.queue_sql(&staging.drop);
        Ok(result?.rows())
    }

    /// Aborts the COPY (nothing is inserted), telling the server `reason`.
    pub async fn abort(mut self, reason: &str) -> Result<()> {
        self.check_open()?;
        self.ended = true;
        self.conn.copy_in_fail(reason).await
    }

    /// Aborts after `error` (an encoder or the source failed).
    async fn abort_with(&mut self, error: &Error) -> Result<()> {
        if self.ended || self.conn.is_closed() {
            return Ok(());
        }
        self.ended = true;
        self.conn
            .copy_in_fail(&format!("the client aborted the COPY: {error}"))
            .await
    }

    fn encode<R: CopyRow + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.check_open()?;
        encode_whole(row, &mut self.columns, self.rows + 1, &mut self.pending)?;
        self.rows += 1;
        Ok(())
    }

    async fn send_pending(&mut self) -> Result<()> {
        self.check_open()?;
        let result = self.conn.copy_in_data(&self.pending, &self.sql).await;
        self.pending.clear();
        if result.is_err() {
            // The server ended the COPY (bad data), or the connection failed.
            self.ended = true;
        }
        result
    }

    fn check_open(&self) -> Result<()> {
        if self.ended {
            return Err(CopyError::Ended.into());
        }
        Ok(())
    }
}

impl Drop for BinaryCopyWriter<'_> {
    fn drop(&mut self) {
        // The COPY itself is aborted by the connection's next `ready()` (its phase is CopyIn).
        if let Some(staging) = self.staging.take() {
            self.conn.queue_sql(&staging.drop);
        }
    }
}
