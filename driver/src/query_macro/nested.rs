//! Nested results, run-time side: a `query!` column built by `array_agg(ROW(...))` or
//! `array_agg(t)` (an array of composites), or by `json_agg(...)` / `jsonb_agg(...)`, read into
//! `Vec<Child>`; and the `#[quarry(nested)]` fields of a `query_as!` target ([`Rows`]). The fields were checked at build time (see [`fields`](super::fields)); here each
//! element becomes a `Child`: a composite through `FromRecord` (the element as a [`Record`]
//! whose columns are named as the query built them), a JSON object through serde.
//!
//! Every function returns the column as `Option<Vec<Option<Child>>>` or narrows it; the macro
//! composes them to the field's type, so NULLs the description allows become `None` and the
//! rest are errors naming the column.

use crate::error::{Error, Result};
use crate::from_record::FromRecord;
use crate::record::Record;

/// What was wrong with a nested column's value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NestedError {
    /// The column is NULL but its field is not an `Option`.
    #[error(
        "the column is NULL (an aggregate over no rows): make the field an `Option` or `coalesce(..., '{{}}')` in the SQL"
    )]
    NullColumn,
    /// An element is NULL but the field's elements are not `Option`s.
    #[error("element {index} is NULL: make the elements `Option`s")]
    NullElement {
        /// The element's index.
        index: usize,
    },
    /// A composite element has another number of fields than the query described.
    #[error("element {index} has {found} fields, the query described {expected}")]
    FieldCount {
        /// The element's index.
        index: usize,
        /// Fields described at build time.
        expected: usize,
        /// Fields in the value.
        found: usize,
    },
    /// An element did not make a child.
    #[error("element {index}: {source}")]
    Element {
        /// The element's index.
        index: usize,
        /// Why.
        source: crate::types::BoxError,
    },
}

/// Reads column `index` of an array of composites (`array_agg(ROW(...))`, `array_agg(t)`): each
/// element a `C` built by `FromRecord` from its fields, named `names` (the names the query
/// gave them, known at build time).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::{FromRecord, Record, query_macro::nested};
/// struct Pair { a: i32 }
/// impl FromRecord for Pair {
///     fn from_record(r: &Record) -> quarry_driver::Result<Pair> { Ok(Pair { a: r.get("a")? }) }
/// }
/// let row = conn.fetch_row("SELECT array_agg(ROW(x, 'b')) FROM generate_series(1, 2) x", &[]).await?.unwrap();
/// let pairs: Option<Vec<Option<Pair>>> = nested::composites(&row, 0, &["a", "b"])?;
/// assert_eq!(pairs.map(|p| p.len()), Some(2));
/// # Ok(()) }
/// ```
pub fn composites<C: FromRecord>(
    record: &Record,
    index: usize,
    names: &[&str],
) -> Result<Option<Vec<Option<C>>>> {
    read_composites(record, index, Some(names))
}

/// [`composites`], the elements named `names` or, without them, as their own type names them
/// (`f1`, `f2`, ... for an anonymous record).
fn read_composites<C: FromRecord>(
    record: &Record,
    index: usize,
    names: Option<&[&str]>,
) -> Result<Option<Vec<Option<C>>>> {
    let Some(elements) = record.get::<Option<Vec<Option<Record>>>>(index)? else {
        return Ok(None);
    };
    let mut children = Vec::with_capacity(elements.len());
    for (i, element) in elements.into_iter().enumerate() {
        let Some(element) = element else {
            children.push(None);
            continue;
        };
        let child = match names {
            None => C::from_record(&element),
            Some(names) => {
                let Some(named) = element.renamed(names) else {
                    return Err(error::<C>(
                        record,
                        index,
                        NestedError::FieldCount {
                            index: i,
                            expected: names.len(),
                            found: element.len(),
                        },
                    ));
                };
                C::from_record(&named)
            }
        };
        let child = child.map_err(|e| element_error::<C>(record, index, i, e))?;
        children.push(Some(child));
    }
    Ok(Some(children))
}

/// The names of the fields of the rows nested in a column, as `query_as!` hands them to a
/// target's `#[quarry(nested)]` fields (a `ROW(...)` does not carry them).
///
/// ```
/// use quarry_driver::query_macro::nested::Names;
/// let posts = Names { column: "posts", fields: &["id", "title"] };
/// assert_eq!(posts.fields[1], "title");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Names {
    /// The column.
    pub column: &'static str,
    /// Its rows' fields, in order.
    pub fields: &'static [&'static str],
}

/// The types a `#[quarry(nested)]` field can have: `Vec<C>`, `Vec<Option<C>>` and either in an
/// `Option` (a NULL column), `C` a [`FromRecord`] child. What `query_as!` allows is checked at
/// build time; here a NULL the type cannot hold is an error naming the column.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::{Record, query_macro::nested::Rows};
/// let row = conn.fetch_row("SELECT array_agg(ROW(1, 'a'))", &[]).await?.unwrap();
/// let pairs = <Vec<Record> as Rows>::read(&row, 0, Some(&["a", "b"]))?;
/// assert_eq!(pairs[0].get::<i32>("a")?, 1);
/// # Ok(()) }
/// ```
pub trait Rows: Sized {
    /// Reads column `index` of `record`, its elements' fields named `names` when given.
    fn read(record: &Record, index: usize, names: Option<&[&str]>) -> Result<Self>;
}

impl<C: FromRecord> Rows for Option<Vec<Option<C>>> {
    fn read(record: &Record, index: usize, names: Option<&[&str]>) -> Result<Self> {
        read_composites(record, index, names)
    }
}

impl<C: FromRecord> Rows for Option<Vec<C>> {
    fn read(record: &Record, index: usize, names: Option<&[&str]>) -> Result<Self> {
        match read_composites(record, index, names)? {
            Some(v) => Ok(Some(elements(v, record, index)?)),
            None => Ok(None),
        }
    }
}

impl<C: FromRecord> Rows for Vec<Option<C>> {
    fn read(record: &Record, index: usize, names: Option<&[&str]>) -> Result<Self> {
        not_null(read_composites(record, index, names)?, record, index)
    }
}

impl<C: FromRecord> Rows for Vec<C> {
    fn read(record: &Record, index: usize, names: Option<&[&str]>) -> Result<Self> {
        let v = not_null(read_composites(record, index, names)?, record, index)?;
        elements(v, record, index)
    }
}

/// Reads column `index`, a `json`/`jsonb` array (`json_agg(...)`), each element a `C` through
/// serde (a JSON `null` is `None`).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::query_macro::nested;
/// #[derive(serde::Deserialize)]
/// struct Tag { name: String }
/// let row = conn.fetch_row("SELECT json_agg(json_build_object('name', 'a'))", &[]).await?.unwrap();
/// let tags: Option<Vec<Option<Tag>>> = nested::json(&row, 0)?;
/// assert_eq!(tags.unwrap()[0].as_ref().unwrap().name, "a");
/// # Ok(()) }
/// ```
#[cfg(feature = "json")]
pub fn json<C: serde::de::DeserializeOwned>(
    record: &Record,
    index: usize,
) -> Result<Option<Vec<Option<C>>>> {
    let Some(crate::types::Json(elements)) =
        record.get::<Option<crate::types::Json<Vec<serde_json::Value>>>>(index)?
    else {
        return Ok(None);
    };
    let mut children = Vec::with_capacity(elements.len());
    for (i, element) in elements.into_iter().enumerate() {
        if element.is_null() {
            children.push(None);
            continue;
        }
        let child =
            serde_json::from_value(element).map_err(|e| element_error::<C>(record, index, i, e))?;
        children.push(Some(child));
    }
    Ok(Some(children))
}

/// The value of a column whose field is not an `Option`: NULL is an error naming the column.
///
/// ```
/// # fn demo(r: &quarry_driver::Record) -> quarry_driver::Result<()> {
/// use quarry_driver::query_macro::nested;
/// let v: Vec<Option<i32>> = nested::not_null(Some(vec![Some(1)]), r, 0)?;
/// # Ok(()) }
/// ```
pub fn not_null<T>(value: Option<T>, record: &Record, index: usize) -> Result<T> {
    value.ok_or_else(|| error::<T>(record, index, NestedError::NullColumn))
}

/// The elements of a column whose elements are not `Option`s: a NULL one is an error.
///
/// ```
/// # fn demo(r: &quarry_driver::Record) -> quarry_driver::Result<()> {
/// use quarry_driver::query_macro::nested;
/// let v: Vec<i32> = nested::elements(vec![Some(1)], r, 0)?;
/// # Ok(()) }
/// ```
pub fn elements<C>(elements: Vec<Option<C>>, record: &Record, index: usize) -> Result<Vec<C>> {
    elements
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            e.ok_or_else(|| error::<C>(record, index, NestedError::NullElement { index: i }))
        })
        .collect()
}

/// Element `element` of column `index` did not make a `C`: the one error both readers return.
#[cold]
fn element_error<C>(
    record: &Record,
    index: usize,
    element: usize,
    source: impl Into<crate::types::BoxError>,
) -> Error {
    error::<C>(
        record,
        index,
        NestedError::Element {
            index: element,
            source: source.into(),
        },
    )
}

#[cold]
fn error<C>(record: &Record, index: usize, source: NestedError) -> Error {
    let column = record.columns().get(index);
    Error::Decode {
        column: column.map_or_else(|| index.to_string(), |c| c.name().to_owned()),
        pg_type: column.map_or_else(String::new, |c| c.pg_type().to_string()),
        rust_type: std::any::type_name::<C>(),
        source: Box::new(source),
    }
}
