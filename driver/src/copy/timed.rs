//! COPY within a time limit: [`Timed`] (from [`Connection::timeout`]) gets the whole-COPY calls.
//! When the limit passes the server is asked to cancel, an open COPY FROM STDIN is aborted with
//! CopyFail, and the call fails with [`Error::Timeout`](crate::Error::Timeout); the connection
//! stays usable.

use super::{CopyOptions, CopyRow, CopySink, CopySource};
use crate::connection::{Param, Timed};
use crate::error::Result;

impl Timed<'_> {
    /// [`Connection::copy_from_table`](crate::Connection::copy_from_table) within the timeout.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// use quarry_driver::copy::CopyOptions;
    /// let mut out = Vec::new();
    /// conn.timeout(Duration::from_secs(5)).copy_from_table("t", &mut out, &CopyOptions::csv()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_from_table(
        self,
        table: &str,
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        let (conn, limit) = self.into_parts();
        conn.copy_from_table_within(Some(limit), table, output, options)
            .await
    }

    /// [`Connection::copy_from_query`](crate::Connection::copy_from_query) within the timeout.
    pub async fn copy_from_query(
        self,
        query: &str,
        params: &[Param<'_>],
        output: impl CopySink,
        options: &CopyOptions,
    ) -> Result<u64> {
        let (conn, limit) = self.into_parts();
        conn.copy_from_query_within(Some(limit), query, params, output, options)
            .await
    }

    /// [`Connection::copy_to_table`](crate::Connection::copy_to_table) within the timeout.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// use quarry_driver::copy::CopyOptions;
    /// let data = &b"1,a\n2,b\n"[..];
    /// conn.timeout(Duration::from_secs(5)).copy_to_table("t", data, &CopyOptions::csv()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_to_table(
        self,
        table: &str,
        source: impl CopySource,
        options: &CopyOptions,
    ) -> Result<u64> {
        let (conn, limit) = self.into_parts();
        conn.copy_to_table_within(Some(limit), table, source, options)
            .await
    }

    /// [`Connection::copy_in_raw`](crate::Connection::copy_in_raw) within the timeout.
    pub async fn copy_in_raw(self, sql: &str, source: impl CopySource) -> Result<u64> {
        let (conn, limit) = self.into_parts();
        conn.copy_in_raw_within(Some(limit), sql, source).await
    }

    /// [`Connection::copy_out_raw`](crate::Connection::copy_out_raw) within the timeout.
    pub async fn copy_out_raw(self, sql: &str, output: impl CopySink) -> Result<u64> {
        let (conn, limit) = self.into_parts();
        conn.copy_out_raw_within(Some(limit), sql, output).await
    }

    /// [`Connection::copy_records_to_table`](crate::Connection::copy_records_to_table) within
    /// the timeout.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let rows = (0..1000).map(|i| (i, format!("name {i}")));
    /// conn.timeout(Duration::from_secs(5))
    ///     .copy_records_to_table("t", rows, &["a", "b"], None)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_records_to_table<I>(
        self,
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

    /// [`Connection::copy_records_to_table_with`](crate::Connection::copy_records_to_table_with)
    /// within the timeout.
    pub async fn copy_records_to_table_with<I>(
        self,
        table: &str,
        records: I,
        options: &CopyOptions,
    ) -> Result<u64>
    where
        I: IntoIterator,
        I::Item: CopyRow,
    {
        let (conn, limit) = self.into_parts();
        conn.copy_records_within(Some(limit), table, records, options)
            .await
    }
}
