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

/// Implements [`Executor`] by delegation; each impl states only where its calls go.
///
/// `queries` names the type whose `execute`, `fetch`, `fetch_row` and `fetch_val` are called,
/// and the receiver handed to them; `batches` the same for `execute_many` and `fetch_many`;
/// `stream` is the body of `fetch_stream`. `$this` names `self` in the receivers (macro hygiene
/// keeps `self` itself from reaching them). A receiver that borrows `$this` is followed by `async`:
/// the call is then awaited inside an `async move` block that owns `$this`. Otherwise the
/// callee's own future is returned as it is, with no wrapper.
macro_rules! delegate_executor {
    (
        $(#[$meta:meta])*
        impl$([$($generics:tt)*])? for $ty:ty, $this:ident {
            queries: $($q:ident)::+ ($qrecv:expr) $($qmode:ident)?,
            batches: $($b:ident)::+ ($brecv:expr) $($bmode:ident)?,
            stream: |$squery:ident, $sparams:ident| $stream:expr $(,)?
        }
    ) => {
        $(#[$meta])*
        impl$(<$($generics)*>)? $crate::executor::Executor for $ty {
            fn execute<'a>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                params: &'a [$crate::connection::Param<'a>],
            ) -> impl ::std::future::Future<Output = $crate::error::Result<::quarry_protocol::backend::CommandTag>> + Send + 'a
            where
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($qmode)? $($q)::+::execute($qrecv, query, params))
            }

            fn fetch<'a>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                params: &'a [$crate::connection::Param<'a>],
            ) -> impl ::std::future::Future<Output = $crate::error::Result<Vec<$crate::record::Record>>> + Send + 'a
            where
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($qmode)? $($q)::+::fetch($qrecv, query, params))
            }

            fn fetch_row<'a>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                params: &'a [$crate::connection::Param<'a>],
            ) -> impl ::std::future::Future<Output = $crate::error::Result<Option<$crate::record::Record>>> + Send + 'a
            where
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($qmode)? $($q)::+::fetch_row($qrecv, query, params))
            }

            fn fetch_val<'a, T>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                params: &'a [$crate::connection::Param<'a>],
            ) -> impl ::std::future::Future<Output = $crate::error::Result<T>> + Send + 'a
            where
                T: for<'r> $crate::types::Decode<'r> + Send + 'a,
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($qmode)? $($q)::+::fetch_val($qrecv, query, params))
            }

            fn execute_many<'a, I, R>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                rows: I,
            ) -> impl ::std::future::Future<Output = $crate::error::Result<()>> + Send + 'a
            where
                I: IntoIterator<Item = R> + Send + 'a,
                I::IntoIter: Send,
                R: AsRef<[$crate::connection::Param<'a>]> + Send + 'a,
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($bmode)? $($b)::+::execute_many($brecv, query, rows))
            }

            fn fetch_many<'a, I, R>(
                self,
                query: impl $crate::connection::AsQuery + Send + 'a,
                rows: I,
            ) -> impl ::std::future::Future<Output = $crate::error::Result<Vec<$crate::record::Record>>> + Send + 'a
            where
                I: IntoIterator<Item = R> + Send + 'a,
                I::IntoIter: Send,
                R: AsRef<[$crate::connection::Param<'a>]> + Send + 'a,
                Self: 'a,
            {
                let $this = self;
                $crate::executor::delegate_executor!(@call $($bmode)? $($b)::+::fetch_many($brecv, query, rows))
            }

            fn fetch_stream<'a>(
                self,
                $squery: impl $crate::connection::AsQuery + Send + 'a,
                $sparams: &'a [$crate::connection::Param<'a>],
            ) -> $crate::stream::RowStream<'a>
            where
                Self: 'a,
            {
                let $this = self;
                $stream
            }
        }
    };
    (@call async $($path:ident)::+ ($($args:tt)*)) => {
        async move { $($path)::+($($args)*).await }
    };
    (@call $($path:ident)::+ ($($args:tt)*)) => {
        $($path)::+($($args)*)
    };
}

pub(crate) use delegate_executor;

delegate_executor! {
    /// The calls go straight to the [`Connection`] methods.
    impl for &mut Connection, this {
        queries: Connection(this),
        batches: Connection(this),
        stream: |query, params| Connection::fetch_stream(this, query, params),
    }
}

delegate_executor! {
    /// The calls go to the transaction's connection (a transaction derefs to it).
    impl[C: DerefMut<Target = Connection> + Send] for &mut Transaction<C>, this {
        queries: Connection(this),
        batches: Connection(this),
        stream: |query, params| Connection::fetch_stream(this, query, params),
    }
}

delegate_executor! {
    /// The calls go to the pooled connection (it derefs to it).
    impl for &mut crate::pool::PoolConnection, this {
        queries: Connection(this),
        batches: Connection(this),
        stream: |query, params| Connection::fetch_stream(this, query, params),
    }
}

delegate_executor! {
    /// Each call takes a connection from the pool (shortcut calls may share a pipeline).
    impl for &crate::pool::Pool, this {
        queries: crate::pool::Pool(this),
        batches: crate::pool::Pool(this),
        stream: |query, params| RowStream::acquiring(this.acquire(), query, params),
    }
}

delegate_executor! {
    /// `conn.timeout(d)` runs a query within `d`, so `query!(...).fetch(conn.timeout(d))` works.
    impl['c] for Timed<'c>, this {
        queries: Timed(this),
        batches: Timed(this),
        stream: |query, params| Timed::fetch_stream(this, query, params),
    }
}
