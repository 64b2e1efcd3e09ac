//! Run-time support for the `query!` macro family: the value a macro expands to ([`Map`]) and the
//! compile-time parameter checks the expansion names ([`check`]).
//!
//! Every macro form (`query!`, `query_as!`, `query_scalar!`, the `_file` and `_unchecked`
//! variants) expands to one [`Map`]: the SQL, its parameters as [`Param`]s, and a function from a
//! [`Record`] to the typed row. One execution path runs them all on any [`Executor`]; the typed
//! surfaces (`fetch_one`, `fetch`, ...) only differ in how many rows they keep.

pub mod check;
pub mod fields;
pub mod nested;
mod stream;
mod table;
pub mod to_json;

pub use stream::TypedRows;

use std::future::Future;

use crate::connection::Param;
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::record::Record;
use quarry_protocol::backend::CommandTag;

/// A checked query with its parameters and its row mapping, as the `query!` macros build it.
///
/// Fields are public so the macros can build it with a struct literal (which keeps temporaries
/// in the arguments alive as long as the `Map`); write it through the macros, not by hand.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::query_macro::Map;
/// let id = 7i32;
/// let q = Map {
///     sql: "SELECT $1::int4 + 1",
///     params: [&id as quarry_driver::Param<'_>],
///     mapper: |r: &quarry_driver::Record| r.get::<i32>(0),
///     variants: None,
/// };
/// assert_eq!(q.fetch_one(&mut *conn).await?, 8);
/// # Ok(()) }
/// ```
#[must_use = "a query does nothing until it is run with `.execute()`, `.fetch_one()`, ..."]
pub struct Map<'q, const N: usize, F> {
    /// The SQL text.
    pub sql: &'static str,
    /// `$1`, `$2`, ... in order (for a query with optional fragments: every parameter of
    /// every fragment, in order of first use).
    pub params: [Param<'q>; N],
    /// Builds one typed row from a record.
    pub mapper: F,
    /// For a query with optional fragments or choices: the table of variants, and each
    /// choice's value.
    pub variants: Option<Chosen>,
}

/// The most fragments (optional or choices) a query may have.
pub const MAX_FRAGMENTS: usize = 6;

/// The variant table of a query with fragments, and the values of its choices.
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    /// Every variant, described at build time.
    pub table: &'static Variants,
    /// The value of each choice fragment (`{:sort => a | b}`), in order (the rest unused).
    pub choices: [usize; MAX_FRAGMENTS],
}

/// The variants of a `query!` with fragments, all described at build time: optional ones
/// (`{ AND name = :name }`, left out when one of their parameters is NULL) and choices
/// (`{:sort => name | created_at DESC}`, one alternative picked by a [`Choice`] value).
#[derive(Debug)]
pub struct Variants {
    /// The fragments in order of appearance.
    pub fragments: &'static [Fragment],
    /// Every combination: fragment `i`'s state is digit `i` of the index (mixed radix: 2 for an
    /// optional fragment, the number of alternatives for a choice; fragment 0 varies fastest).
    pub variants: &'static [Variant],
}

/// One fragment of a query with fragments.
#[derive(Debug)]
pub enum Fragment {
    /// Left in when none of these parameters (indexes in [`Map::params`]) is NULL.
    Optional(&'static [usize]),
    /// One of `count` alternatives, picked by choice value number `choice`.
    Choice {
        /// Index in [`Chosen::choices`].
        choice: usize,
        /// The number of alternatives.
        count: usize,
        /// The choice's name, for errors.
        name: &'static str,
    },
}

/// One combination of fragments: its SQL and which parameters it sends, in `$n` order.
#[derive(Debug)]
pub struct Variant {
    /// The SQL with the fragments of this combination.
    pub sql: &'static str,
    /// Indexes in [`Map::params`] of `$1`, `$2`, ...
    pub params: &'static [usize],
}

/// A value that picks one alternative of a choice fragment (`{:sort => id | name DESC}`):
/// `N` is the number of alternatives, checked at compile time for a
/// `#[derive(quarry::Choice)]` enum (its variants in order), at run time for a `usize`.
///
/// ```
/// use quarry_driver::query_macro::Choice;
/// assert_eq!(Choice::<3>::index(&2usize), 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot pick one of {N} alternatives",
    note = "derive `quarry::Choice` on a fieldless enum with exactly {N} variants (one per alternative, in order), or pass a `usize`"
)]
pub trait Choice<const N: usize> {
    /// The alternative picked, counting from 0.
    fn index(&self) -> usize;
}

impl<const N: usize> Choice<N> for usize {
    fn index(&self) -> usize {
        *self
    }
}

impl<const N: usize, T: Choice<N> + ?Sized> Choice<N> for &T {
    fn index(&self) -> usize {
        (**self).index()
    }
}

impl Variants {
    /// The variant for `params`' values and `choices`, and the parameters it sends.
    fn choose<'q>(
        &self,
        params: &[Param<'q>],
        choices: &[usize],
    ) -> Result<(&'static str, Vec<Param<'q>>)> {
        let mut index = 0usize;
        let mut stride = 1usize;
        for fragment in self.fragments {
            match fragment {
                Fragment::Optional(inside) => {
                    let present = inside
                        .iter()
                        .all(|&p| params.get(p).is_some_and(|param| !param.is_null()));
                    if present {
                        index += stride;
                    }
                    stride *= 2;
                }
                Fragment::Choice {
                    choice,
                    count,
                    name,
                } => {
                    let value = choices.get(*choice).copied().unwrap_or(usize::MAX);
                    if value >= *count {
                        return Err(Error::Encode {
                            position: *choice + 1,
                            rust_type: "usize",
                            pg_type: format!("a choice of {count}"),
                            source: format!(
                                "`{name}` is {value}, but its choice has {count} alternatives (0 to {})",
                                count - 1
                            )
                            .into(),
                        });
                    }
                    index += value * stride;
                    stride *= count;
                }
            }
        }
        // The table comes from the macro with the parameters: it always fits them.
        let broken = |query: &str| Error::ParamCount {
            expected: self.variants.len(),
            found: params.len(),
            query: query.to_owned(),
        };
        let variant = self.variants.get(index).ok_or_else(|| broken(""))?;
        let mut sent = Vec::with_capacity(variant.params.len());
        for &p in variant.params {
            sent.push(*params.get(p).ok_or_else(|| broken(variant.sql))?);
        }
        Ok((variant.sql, sent))
    }
}

impl<'q, const N: usize, F> Map<'q, N, F> {
    /// The SQL to run and its parameters: the query's own, or the variant its values choose.
    fn statement(&self) -> Result<(&'static str, std::borrow::Cow<'_, [Param<'q>]>)> {
        match self.variants {
            None => Ok((self.sql, std::borrow::Cow::Borrowed(&self.params[..]))),
            Some(chosen) => {
                let (sql, params) = chosen.table.choose(&self.params, &chosen.choices)?;
                Ok((sql, std::borrow::Cow::Owned(params)))
            }
        }
    }
}

// Spelled-out futures so their `Send` bound is part of the signature (spawnable queries).
#[allow(clippy::manual_async_fn)]
impl<'q, const N: usize, F, O> Map<'q, N, F>
where
    F: Fn(&Record) -> Result<O> + Send + Sync,
    O: Send,
{
    /// Runs the query and returns its command tag (`tag.rows()` is the number of rows affected).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// # let q = quarry_driver::query_macro::Map { sql: "DELETE FROM t", params: [], mapper: |_: &quarry_driver::Record| Ok(()), variants: None };
    /// let tag = q.execute(&mut *conn).await?;
    /// println!("{} rows deleted", tag.rows());
    /// # Ok(()) }
    /// ```
    pub fn execute<E: Executor + 'q>(
        self,
        executor: E,
    ) -> impl Future<Output = Result<CommandTag>> + Send + 'q
    where
        F: 'q,
    {
        async move {
            let (sql, params) = self.statement()?;
            executor.execute(sql, &params).await
        }
    }

    /// Runs the query and returns every row, typed (as [`Connection::fetch`] does untyped).
    ///
    /// [`Connection::fetch`]: crate::Connection::fetch
    pub fn fetch<E: Executor + 'q>(
        self,
        executor: E,
    ) -> impl Future<Output = Result<Vec<O>>> + Send + 'q
    where
        F: 'q,
    {
        async move {
            let (sql, params) = self.statement()?;
            let records = executor.fetch(sql, &params).await?;
            records.iter().map(&self.mapper).collect()
        }
    }

    /// Runs the query and returns its first row, or `None` when there is none (as
    /// [`Connection::fetch_row`](crate::Connection::fetch_row)).
    pub fn fetch_row<E: Executor + 'q>(
        self,
        executor: E,
    ) -> impl Future<Output = Result<Option<O>>> + Send + 'q
    where
        F: 'q,
    {
        async move {
            let (sql, params) = self.statement()?;
            let record = executor.fetch_row(sql, &params).await?;
            record.as_ref().map(&self.mapper).transpose()
        }
    }

    /// Runs the query and returns its first row; no row is [`Error::RowNotFound`].
    pub fn fetch_one<E: Executor + 'q>(
        self,
        executor: E,
    ) -> impl Future<Output = Result<O>> + Send + 'q
    where
        F: 'q,
    {
        async move {
            // The SQL that ran: for a query with fragments, the variant its values chose, not
            // the text with every fragment in.
            let (sql, params) = self.statement()?;
            let record = executor.fetch_row(sql, &params).await?;
            match record {
                Some(record) => (self.mapper)(&record),
                None => Err(Error::RowNotFound {
                    query: sql.to_owned(),
                }),
            }
        }
    }

    /// Runs the query and yields its rows as a [`Stream`](futures_core::Stream), read off the connection one by one
    /// (nothing is collected) and mapped as they arrive. Dropping the stream early is safe.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use futures_util::TryStreamExt;
    /// # let q = quarry_driver::query_macro::Map { sql: "SELECT 1", params: [], mapper: |r: &quarry_driver::Record| r.get::<i32>(0), variants: None };
    /// let mut rows = q.fetch_stream(&mut *conn);
    /// while let Some(n) = rows.try_next().await? {
    ///     println!("{n}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch_stream<E: Executor + 'q>(self, executor: E) -> TypedRows<'q, O>
    where
        F: 'q,
        O: 'q,
    {
        match self
            .variants
            .map(|chosen| chosen.table.choose(&self.params, &chosen.choices))
        {
            None => TypedRows::new(executor, self.sql, self.params, self.mapper),
            Some(Ok((sql, params))) => TypedRows::new(executor, sql, params, self.mapper),
            Some(Err(e)) => TypedRows::failed(e),
        }
    }
}

/// Reads column `index` as `T`, for the generated row structs: one monomorphic call site per
/// column type keeps the expansion small.
///
/// ```
/// # fn demo(r: &quarry_driver::Record) -> quarry_driver::Result<()> {
/// let id: i32 = quarry_driver::query_macro::column(r, 0)?;
/// # Ok(()) }
/// ```
pub fn column<T>(record: &Record, index: usize) -> Result<T>
where
    T: for<'r> crate::types::Decode<'r>,
{
    record.get(index)
}

/// The rows of a `VALUES :rows(..)` spread as a slice: a `Vec`, an array, a slice or a
/// reference to one.
///
/// ```
/// let rows = vec![(1, "a"), (2, "b")];
/// let ids: Vec<&i32> = quarry_driver::query_macro::rows(&rows).iter().map(|r| &r.0).collect();
/// assert_eq!(ids, [&1, &2]);
/// ```
pub fn rows<R, T>(rows: &R) -> &[T]
where
    R: AsRef<[T]> + ?Sized,
{
    rows.as_ref()
}

/// The crates whose types the generated row structs name, so a crate using `query!` needs no
/// direct dependency on them.
pub mod deps {
    #[cfg(feature = "chrono")]
    pub use chrono;
    #[cfg(feature = "rust_decimal")]
    pub use rust_decimal;
    #[cfg(feature = "json")]
    pub use serde_json;
    #[cfg(feature = "uuid")]
    pub use uuid;
}
