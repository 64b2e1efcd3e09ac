//! Typed binary COPY TO STDOUT: [`BinaryCopyReader`] parses the binary COPY stream into
//! [`BinaryRow`]s whose values decode with the column types of the table or query.

use bytes::{Buf, Bytes, BytesMut};

use super::CopyError;
use super::options::CopyOptions;
use super::sql::{ident, ident_list};
use crate::Connection;
use crate::connection::{CopyOutItem, Param};
use crate::error::Result;
use crate::statement::{Column, Statement};
use crate::types::{Decode, ValueRef};
use quarry_protocol::Format;

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// A binary COPY TO STDOUT in progress: read rows with [`next`](Self::next) until `None`.
///
/// Dropping it early leaves the connection usable (the rest is read and dropped before the
/// next request).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::CopyOptions;
/// let mut reader = conn.binary_copy_out("t", &CopyOptions::new().columns(["id", "name"])).await?;
/// while let Some(row) = reader.next().await? {
///     let id: i32 = row.get(0)?;
///     let name: Option<&str> = row.get(1)?;
/// }
/// # Ok(()) }
/// ```
pub struct BinaryCopyReader<'c> {
    conn: &'c mut Connection,
    sql: String,
    columns: Statement,
    buf: BytesMut,
    header_read: bool,
    done: bool,
}

impl std::fmt::Debug for BinaryCopyReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinaryCopyReader")
            .field("sql", &self.sql)
            .finish_non_exhaustive()
    }
}

/// One row of a binary COPY: its values with the column types.
#[derive(Debug, Clone)]
pub struct BinaryRow {
    data: Bytes,
    /// (start, length) of each value; length -1 for NULL.
    fields: Vec<(usize, i32)>,
    columns: Statement,
}

impl BinaryRow {
    /// Values in the row.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the row has no values.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Decodes the value at `index` (0-based).
    pub fn get<'r, T: Decode<'r>>(&'r self, index: usize) -> Result<T> {
        let column = self.columns.columns().get(index);
        let (Some(&(start, len)), Some(column)) = (self.fields.get(index), column) else {
            return Err(crate::Error::ColumnIndex {
                index,
                len: self.fields.len(),
            });
        };
        let bytes = match usize::try_from(len) {
            Ok(len) => self.data.get(start..start + len),
            Err(_) => None,
        };
        let ty = column.pg_type();
        let decode_error = |source| CopyError::Decode {
            column: index,
            pg_type: ty.to_string(),
            rust_type: T::rust_type(),
            source,
        };
        if !T::accepts(ty, Format::Binary) {
            return Err(crate::Error::ColumnType {
                column: column.name().to_owned(),
                pg_type: ty.to_string(),
                rust_type: T::rust_type(),
            });
        }
        T::decode(ValueRef::new(bytes, Format::Binary, ty)).map_err(|e| decode_error(e).into())
    }
}

impl Connection {
    /// Starts a binary COPY out of `table` (`options`: columns and schema).
    pub async fn binary_copy_out(
        &mut self,
        table: &str,
        options: &CopyOptions,
    ) -> Result<BinaryCopyReader<'_>> {
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
        let columns = self
            .describe_for_copy(&format!("SELECT {select} FROM {target} LIMIT 0"))
            .await?;
        let sql = format!("COPY (SELECT {select} FROM {target}) TO STDOUT (FORMAT binary)");
        BinaryCopyReader::start(self, sql, columns).await
    }

    /// Starts a binary COPY out of a query's result (`params` inlined as literals).
    pub async fn binary_copy_out_query(
        &mut self,
        query: &str,
        params: &[Param<'_>],
    ) -> Result<BinaryCopyReader<'_>> {
        let query = self.inline_params(query, params).await?;
        let columns = self.describe_for_copy(&query).await?;
        let sql = format!("COPY ({query}) TO STDOUT (FORMAT binary)");
        BinaryCopyReader::start(self, sql, columns).await
    }
}

impl<'c> BinaryCopyReader<'c> {
    async fn start(
        conn: &'c mut Connection,
        sql: String,
        columns: Statement,
    ) -> Result<BinaryCopyReader<'c>> {
        conn.start_copy_out(&sql).await?;
        Ok(BinaryCopyReader {
            conn,
            sql,
            columns,
            buf: BytesMut::new(),
            header_read: false,
            done: false,
        })
    }

    /// The columns of the rows.
    pub fn columns(&self) -> &[Column] {
        self.columns.columns()
    }

    /// The next row, or `None` at the end (the connection is then ready again).
    pub async fn next(&mut self) -> Result<Option<BinaryRow>> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(row) = self.parse()? {
                return Ok(Some(row));
            }
            match self.conn.copy_out_next(&self.sql).await {
                Ok(CopyOutItem::Data(data)) => {
                    if self.buf.is_empty() {
                        self.buf = BytesMut::from(data);
                    } else {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Ok(CopyOutItem::Done(_)) => {
                    self.done = true;
                    if !self.buf.is_empty() {
                        return Err(CopyError::Binary("data after the trailer").into());
                    }
                    return Ok(None);
                }
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
    }

    /// A whole row from the buffer, if one is there; the trailer ends the data.
    fn parse(&mut self) -> Result<Option<BinaryRow>, CopyError> {
        if !self.header_read {
            if self.buf.len() < SIGNATURE.len() + 8 {
                return Ok(None);
            }
            if !self.buf.starts_with(SIGNATURE) {
                return Err(CopyError::Binary("bad signature"));
            }
            let ext = self
                .buf
                .get(SIGNATURE.len() + 4..SIGNATURE.len() + 8)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(CopyError::Binary("bad header"))?;
            let total = SIGNATURE.len() + 8 + ext;
            if self.buf.len() < total {
                return Ok(None);
            }
            self.buf.advance(total);
            self.header_read = true;
        }
        let Some(count) = self.buf.get(..2).map(|b| i16::from_be_bytes([b[0], b[1]])) else {
            return Ok(None);
        };
        if count == -1 {
            self.buf.advance(2);
            return Ok(None);
        }
        let count =
            usize::try_from(count).map_err(|_| CopyError::Binary("negative field count"))?;
        let mut fields = Vec::with_capacity(count);
        let mut at = 2;
        for _ in 0..count {
            let Some(len) = self.buf.get(at..at + 4) else {
                return Ok(None);
            };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            at += 4;
            fields.push((at, len));
            if len > 0 {
                at += usize::try_from(len).map_err(|_| CopyError::Binary("bad length"))?;
            } else if len < -1 {
                return Err(CopyError::Binary("negative field length"));
            }
        }
        if self.buf.len() < at {
            return Ok(None);
        }
        let data = self.buf.split_to(at).freeze();
        Ok(Some(BinaryRow {
            data,
            fields,
            columns: self.columns.clone(),
        }))
    }
}
