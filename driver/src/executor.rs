//! `Executor`: what queries run on — a connection, a transaction, a pool — so that generic code
//! (the `query!` macros, helper functions) accepts any of them.

use std::future::Future;
use std::ops::DerefMut;

use crate::connection::{AsQuery, Connection, Param, Timed};
use crate::error::Result;
use crate::from_record::FromRecord;
use crate::record::Record;
use crate::stream::RowStream;
use crate::transaction::Transaction;
use crate::types::Decode;
use quarry_protocol::backend::CommandTag;

/// Something queries can run on: `&mut Connection`, `&mut Transaction`, `&Pool`, `&mut
/// PoolConnection`.
///
/// ```no_run
/// use quarry_driver::{Executor, Result};
///
/// async fn count_users(db: impl Executor) -> Result<i64> {
///     let row = db.fetch_row("SELECT count(*) FROM users", &[]).await?;
///     row.map_or(Ok(0), |r| r.get(0))
/// }
/// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<()> {
/// let n = count_users(&mut *conn).await?;
/// let mut tx = conn.transaction().await?;
/// let n = count_users(&mut tx).await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run queries",
    note = "pass `&mut conn`, `&mut tx`, `&pool` or `&mut pooled_conn`"
)]
pub trait Executor: Send + Sized {
    /// See [`Connection::execute`].
    fn execute<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<CommandTag>> + Send + 'a
    where
        Self: 'a;

    /// See [`Connection::fetch`].
    fn fetch<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
    where
        Self: 'a;

    /// See [`Connection::fetch_row`].
    fn fetch_row<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Option<Record>>> + Send + 'a
    where
        Self: 'a;

    /// See [`Connection::fetch_val`].
    fn fetch_val<'a, T>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<T>> + Send + 'a
    where
        T: for<'r> Decode<'r> + Send + 'a,
        Self: 'a;

    /// See [`Connection::fetch_stream`]: the rows as a `Stream`, nothing collected.
    /// (A pool implements it with [`RowStream::acquiring`].)
    fn fetch_stream<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> RowStream<'a>
    where
        Self: 'a;

    /// See [`Connection::execute_many`]: one statement for every parameter row, pipelined,
    /// atomic.
    fn execute_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<()>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a;

    /// See [`Connection::fetch_many`]: [`Executor::execute_many`] collecting every row returned.
    fn fetch_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a;

    /// See [`Connection::fetch_as`]: every row read into `T` (a tuple, a derived struct).
    fn fetch_as<'a, T>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Vec<T>>> + Send + 'a
    where
        T: FromRecord + Send + 'a,
        Self: 'a,
    {
        let rows = self.fetch(query, params);
        async move { rows.await?.iter().map(T::from_record).collect() }
    }

    /// See [`Connection::fetch_row_as`]: the first row, if any, read into `T`.
    fn fetch_row_as<'a, T>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Option<T>>> + Send + 'a
    where
        T: FromRecord + Send + 'a,
        Self: 'a,
    {
        let row = self.fetch_row(query, params);
        async move { row.await?.as_ref().map(T::from_record).transpose() }
    }
}

/// `Executor` for a mutable reference to anything that holds a connection: the calls go
/// straight to the [`Connection`] methods.
macro_rules! connection_executor {
    ($(impl$([$($generics:tt)*])? for $ty:ty;)+) => {$(
        impl$(<$($generics)*>)? Executor for $ty {
            fn execute<'a>(
                self,
                query: impl AsQuery + Send + 'a,
                params: &'a [Param<'a>],
            ) -> impl Future<Output = Result<CommandTag>> + Send + 'a
            where
                Self: 'a,
            {
                Connection::execute(self, query, params)
            }

            fn fetch<'a>(
                self,
                query: impl AsQuery + Send + 'a,
                params: &'a [Param<'a>],
            ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
            where
                Self: 'a,
            {
                Connection::fetch(self, query, params)
            }

            fn fetch_row<'a>(
                self,
                query: impl AsQuery + Send + 'a,
                params: &'a [Param<'a>],
            ) -> impl Future<Output = Result<Option<Record>>> + Send + 'a
            where
                Self: 'a,
            {
                Connection::fetch_row(self, query, params)
            }

            fn fetch_val<'a, T>(
                self,
                query: impl AsQuery + Send + 'a,
                params: &'a [Param<'a>],
            ) -> impl Future<Output = Result<T>> + Send + 'a
            where
                T: for<'r> Decode<'r> + Send + 'a,
                Self: 'a,
            {
                Connection::fetch_val(self, query, params)
            }

            fn execute_many<'a, I, R>(
                self,
                query: impl AsQuery + Send + 'a,
                rows: I,
            ) -> impl Future<Output = Result<()>> + Send + 'a
            where
                I: IntoIterator<Item = R> + Send + 'a,
                I::IntoIter: Send,
                R: AsRef<[Param<'a>]> + Send + 'a,
                Self: 'a,
            {
                Connection::execute_many(self, query, rows)
            }

            fn fetch_many<'a, I, R>(
                self,
                query: impl AsQuery + Send + 'a,
                rows: I,
            ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
            where
                I: IntoIterator<Item = R> + Send + 'a,
                I::IntoIter: Send,
                R: AsRef<[Param<'a>]> + Send + 'a,
                Self: 'a,
            {
                Connection::fetch_many(self, query, rows)
            }

            fn fetch_stream<'a>(
                self,
                query: impl AsQuery + Send + 'a,
                params: &'a [Param<'a>],
            ) -> RowStream<'a>
            where
                Self: 'a,
            {
                Connection::fetch_stream(self, query, params)
            }
        }
    )+};
}

connection_executor! {
    impl for &mut Connection;
    impl[C: DerefMut<Target = Connection> + Send] for &mut Transaction<C>;
    impl for &mut crate::pool::PoolConnection;
}

impl Executor for &crate::pool::Pool {
    async fn execute<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> Result<CommandTag>
    where
        Self: 'a,
    {
        crate::pool::Pool::execute(self, query, params).await
    }

    async fn fetch<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> Result<Vec<Record>>
    where
        Self: 'a,
    {
        crate::pool::Pool::fetch(self, query, params).await
    }

    async fn fetch_row<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> Result<Option<Record>>
    where
        Self: 'a,
    {
        crate::pool::Pool::fetch_row(self, query, params).await
    }

    async fn fetch_val<'a, T>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> Result<T>
    where
        T: for<'r> Decode<'r> + Send + 'a,
        Self: 'a,
    {
        crate::pool::Pool::fetch_val(self, query, params).await
    }

    fn execute_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<()>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a,
    {
        crate::pool::Pool::execute_many(self, query, rows)
    }

    fn fetch_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a,
    {
        crate::pool::Pool::fetch_many(self, query, rows)
    }

    fn fetch_stream<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> RowStream<'a>
    where
        Self: 'a,
    {
        RowStream::acquiring(self.acquire(), query, params)
    }
}

/// `conn.timeout(d)` runs a query within `d`, so `query!(...).fetch(conn.timeout(d))` works.
impl<'c> Executor for Timed<'c> {
    fn execute<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<CommandTag>> + Send + 'a
    where
        Self: 'a,
    {
        Timed::execute(self, query, params)
    }

    fn fetch<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
    where
        Self: 'a,
    {
        Timed::fetch(self, query, params)
    }

    fn fetch_row<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<Option<Record>>> + Send + 'a
    where
        Self: 'a,
    {
        Timed::fetch_row(self, query, params)
    }

    fn fetch_val<'a, T>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> impl Future<Output = Result<T>> + Send + 'a
    where
        T: for<'r> Decode<'r> + Send + 'a,
        Self: 'a,
    {
        Timed::fetch_val(self, query, params)
    }

    fn execute_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<()>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a,
    {
        Timed::execute_many(self, query, rows)
    }

    fn fetch_many<'a, I, R>(
        self,
        query: impl AsQuery + Send + 'a,
        rows: I,
    ) -> impl Future<Output = Result<Vec<Record>>> + Send + 'a
    where
        I: IntoIterator<Item = R> + Send + 'a,
        I::IntoIter: Send,
        R: AsRef<[Param<'a>]> + Send + 'a,
        Self: 'a,
    {
        Timed::fetch_many(self, query, rows)
    }

    fn fetch_stream<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> RowStream<'a>
    where
        Self: 'a,
    {
        Timed::fetch_stream(self, query, params)
    }
}
