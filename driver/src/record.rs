//! `Record`: one row as the server sent it, decoded lazily per column on `get`.
//!
//! A record keeps the DataRow's bytes (a cheap `Bytes` slice of the read buffer) and the column
//! offsets; values are decoded only when asked for, borrowing from the row where the Rust type
//! allows (`&str`, `&[u8]`).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::statement::Column;
use crate::types::{BoxError, CompositeError, Decode, Format, PgType, Value, ValueRef};
use quarry_protocol::ProtocolError;
use quarry_protocol::backend::DataRow;

/// A row returned by a query.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let row = conn.fetch_row("SELECT 1 AS id, 'Bob' AS name", &[]).await?.unwrap();
/// let id: i32 = row.get("id")?;
/// let name: &str = row.get(1)?;
/// println!("{row:?}"); // Record(id=1, name='Bob')
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Record {
    columns: Arc<[Column]>,
    body: Bytes,
    /// Where each column's length word starts in `body`, validated when the row arrived.
    offsets: Offsets,
}

/// Rows of up to this many columns keep their offsets inline: no allocation per row.
const INLINE_COLUMNS: usize = 12;

#[derive(Clone)]
enum Offsets {
    Inline { len: u8, at: [u32; INLINE_COLUMNS] },
    Heap(Box<[u32]>),
}

impl Offsets {
    #[inline]
    fn as_slice(&self) -> &[u32] {
        match self {
            Offsets::Inline { len, at } => &at[..usize::from(*len).min(INLINE_COLUMNS)],
            Offsets::Heap(at) => at,
        }
    }
}

/// Something that picks a column: its 0-based index or its name.
///
/// With duplicate names, a name picks the last column that has it (as asyncpg does); use the
/// index to reach the others.
pub trait ColumnIndex: fmt::Debug {
    /// The 0-based index of the column this refers to.
    fn index(&self, columns: &[Column]) -> Result<usize>;
}

impl ColumnIndex for usize {
    #[inline]
    fn index(&self, columns: &[Column]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(Error::ColumnIndex {
                index: *self,
                len: columns.len(),
            })
        }
    }
}

impl ColumnIndex for &str {
    #[inline]
    fn index(&self, columns: &[Column]) -> Result<usize> {
        columns
            .iter()
            .rposition(|c| c.name() == *self)
            .ok_or_else(|| Error::ColumnNotFound {
                name: (*self).to_owned(),
                available: columns
                    .iter()
                    .map(Column::name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl Record {
    /// Builds a record from a DataRow of a result described by `columns`, checking the row's
    /// framing once so that every later access is in bounds.
    pub(crate) fn from_row(columns: &Arc<[Column]>, row: DataRow) -> Result<Record, ProtocolError> {
        if row.len() != columns.len() {
            return Err(ProtocolError::ColumnCountMismatch {
                expected: columns.len(),
                found: row.len(),
            });
        }
        let offsets = if row.len() <= INLINE_COLUMNS {
            let mut at = [0u32; INLINE_COLUMNS];
            row.visit_columns(|i, pos| {
                if let Some(slot) = at.get_mut(i) {
                    *slot = pos;
                }
            })?;
            // In range: at most INLINE_COLUMNS (12) columns.
            #[allow(clippy::cast_possible_truncation)]
            let len = row.len() as u8;
            Offsets::Inline { len, at }
        } else {
            let mut at = Vec::with_capacity(row.len());
            row.visit_columns(|_, pos| at.push(pos))?;
            Offsets::Heap(at.into_boxed_slice())
        };
        Ok(Record {
            columns: columns.clone(),
            body: row.into_body(),
            offsets,
        })
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the row has no columns (`SELECT` with an empty target list).
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The columns' descriptions.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The raw bytes of a column (`None` for NULL).
    pub fn raw(&self, index: impl ColumnIndex) -> Result<Option<&[u8]>> {
        let i = index.index(&self.columns)?;
        Ok(self.raw_at(i))
    }

    /// Decodes a column into `T`; the error names the column and both types.
    #[inline]
    pub fn get<'r, T: Decode<'r>>(&'r self, index: impl ColumnIndex) -> Result<T> {
        let i = index.index(&self.columns)?;
        let column = &self.columns[i];
        if !T::accepts(column.pg_type(), column.format()) {
            return Err(column_type_error(column, T::rust_type()));
        }
        match T::decode(ValueRef::new(
            self.raw_at(i),
            column.format(),
            column.pg_type(),
        )) {
            Ok(value) => Ok(value),
            Err(source) => Err(decode_error(column, T::rust_type(), source)),
        }
    }

    /// The same as [`Record::get`], under the name sqlx and tokio-postgres give the accessor
    /// that returns a `Result`: a missing column, a wrong type and a failed decode are errors
    /// (a NULL is `Ok(None)` when `T` is an `Option`).
    ///
    /// ```no_run
    /// # fn demo(row: &quarry_driver::Record) -> quarry_driver::Result<()> {
    /// let name: Option<&str> = row.try_get("name")?;
    /// assert!(row.try_get::<i32>("no_such_column").is_err());
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn try_get<'r, T: Decode<'r>>(&'r self, index: impl ColumnIndex) -> Result<T> {
        self.get(index)
    }

    /// Decodes a column by its PostgreSQL type, without a static Rust type.
    #[inline]
    pub fn value(&self, index: impl ColumnIndex) -> Result<Value> {
        self.get(index)
    }

    /// The columns' values in order, decoded as [`Value`]s.
    pub fn values(&self) -> impl Iterator<Item = Result<Value>> + '_ {
        (0..self.len()).map(|i| self.value(i))
    }

    /// Pairs of column name and value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Result<Value>)> + '_ {
        self.columns
            .iter()
            .zip(self.values())
            .map(|(c, v)| (c.name(), v))
    }

    #[inline]
    fn raw_at(&self, i: usize) -> Option<&[u8]> {
        // The offsets and lengths were validated against the body in `from_row`; the checked
        // accessors below cannot fail for such a row, and a NULL is a length of -1.
        let pos = usize::try_from(*self.offsets.as_slice().get(i)?).ok()?;
        let word: [u8; 4] = self.body.get(pos..pos + 4)?.try_into().ok()?;
        let len = usize::try_from(i32::from_be_bytes(word)).ok()?;
        self.body.get(pos + 4..pos + 4 + len)
    }
}

/// A composite or anonymous record value (a column of a composite type, an element of
/// `array_agg(ROW(...))`) decodes into a `Record` whose columns are its fields, as asyncpg hands
/// out nested records: named after the composite type's fields, or `f1`, `f2`, ... for an
/// anonymous `record` (PostgreSQL's own names for them). The value is copied once.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::Record;
/// let row = conn.fetch_row("SELECT ROW(1, 'a') AS pair", &[]).await?.unwrap();
/// let pair: Record = row.get("pair")?;
/// assert_eq!((pair.get::<i32>("f1")?, pair.get::<&str>("f2")?), (1, "a"));
/// # Ok(()) }
/// ```
impl<'r> Decode<'r> for Record {
    fn accepts(ty: &PgType, format: Format) -> bool {
        format == Format::Binary
            && (ty.base_oid() == crate::types::oid::RECORD
                || crate::types::composite_fields(ty).is_some())
    }

    fn decode(value: ValueRef<'r>) -> std::result::Result<Self, BoxError> {
        Record::from_composite(value)
    }

    fn decode_copy(value: ValueRef<'_>) -> std::result::Result<Self, BoxError> {
        Record::from_composite(value)
    }
}

impl Record {
    /// The fields of a binary composite value as a record (see the `Decode` impl).
    fn from_composite(value: ValueRef<'_>) -> std::result::Result<Record, BoxError> {
        use crate::types::WireError;
        let ty = value.ty();
        if value.format() != Format::Binary {
            return Err(CompositeError::TextFormat {
                ty: ty.name().to_owned(),
            }
            .into());
        }
        let raw = value.non_null()?;
        let fields = crate::types::composite_fields(ty);
        let (count, mut reader) = crate::types::binary_record(raw, ty)?;
        // Each field is its type OID, then a length word and the bytes: the length words are
        // where a DataRow's are, so the record keeps the value's bytes and points at them.
        let mut columns = Vec::with_capacity(count.min(raw.len() / 8));
        let mut at = Vec::with_capacity(count.min(raw.len() / 8));
        for i in 0..count {
            let field_oid = reader.u32()?;
            let len_at = raw.len() - reader.remaining();
            reader.value()?;
            let (name, field_ty) = match fields.and_then(|f| f.get(i)) {
                Some(field) => (field.name.clone(), field.ty.clone()),
                None => (format!("f{}", i + 1), PgType::resolve(field_oid)),
            };
            let format = crate::types::element_format(&field_ty, Format::Binary);
            columns.push(Column::field(&name, field_ty, format));
            at.push(u32::try_from(len_at).map_err(|_| WireError::TooLarge {
                what: "record",
                len: raw.len(),
            })?);
        }
        reader.finish()?;
        let offsets = if at.len() <= INLINE_COLUMNS {
            let mut inline = [0u32; INLINE_COLUMNS];
            inline[..at.len()].copy_from_slice(&at);
            // In range: at most INLINE_COLUMNS (12) fields.
            #[allow(clippy::cast_possible_truncation)]
            let len = at.len() as u8;
            Offsets::Inline { len, at: inline }
        } else {
            Offsets::Heap(at.into_boxed_slice())
        };
        Ok(Record {
            columns: columns.into(),
            body: Bytes::copy_from_slice(raw),
            offsets,
        })
    }

    /// The same record with its columns renamed, in order: how the `query!` macros give the
    /// fields of an anonymous `ROW(...)` the names the query built it from.
    pub(crate) fn renamed(&self, names: &[&str]) -> Option<Record> {
        if names.len() != self.columns.len() {
            return None;
        }
        let columns: Vec<Column> = self
            .columns
            .iter()
            .zip(names)
            .map(|(c, name)| c.clone().renamed(name))
            .collect();
        Some(Record {
            columns: columns.into(),
            body: self.body.clone(),
            offsets: self.offsets.clone(),
        })
    }
}

// The errors of `Record::get`, kept out of its hot path.

#[cold]
#[inline(never)]
fn column_type_error(column: &Column, rust_type: &'static str) -> Error {
    Error::ColumnType {
        column: column.name().to_owned(),
        pg_type: column.pg_type().to_string(),
        rust_type,
    }
}

#[cold]
#[inline(never)]
fn decode_error(column: &Column, rust_type: &'static str, source: crate::types::BoxError) -> Error {
    Error::Decode {
        column: column.name().to_owned(),
        pg_type: column.pg_type().to_string(),
        rust_type,
        source,
    }
}

impl fmt::Debug for Record {
    /// Prints like asyncpg: `Record(id=1, name='Bob', dob=1984-03-01)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Record(")?;
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match value {
                Ok(v) => write!(f, "{name}={v}")?,
                Err(_) => write!(f, "{name}=<undecodable>")?,
            }
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    /// `(7, NULL)` as an anonymous record.
    const PAIR: [u8; 24] = [
        0, 0, 0, 2, 0, 0, 0, 23, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 23, 255, 255, 255, 255,
    ];

    #[test]
    fn a_record_value_is_a_record_of_its_fields() {
        let ty = PgType::resolve(oid::RECORD);
        let record = Record::decode(ValueRef::new(Some(&PAIR), Format::Binary, &ty)).unwrap();
        assert_eq!(record.get::<i32>("f1").unwrap(), 7);
        assert_eq!(record.get::<Option<i32>>(1).unwrap(), None);
        let named = record.renamed(&["a", "b"]).unwrap();
        assert_eq!(named.get::<i32>("a").unwrap(), 7);
        assert!(record.renamed(&["a"]).is_none());
    }

    #[test]
    fn a_cut_record_value_is_an_error() {
        let ty = PgType::resolve(oid::RECORD);
        for cut in 0..PAIR.len() {
            let value = ValueRef::new(Some(&PAIR[..cut]), Format::Binary, &ty);
            assert!(Record::decode(value).is_err(), "cut at {cut}");
        }
        let mut longer = PAIR.to_vec();
        longer.push(0);
        let value = ValueRef::new(Some(&longer), Format::Binary, &ty);
        assert!(Record::decode(value).is_err());
    }
}
