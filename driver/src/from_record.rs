//! [`FromRecord`]: building a Rust value from a whole row, and the run-time helpers the
//! `#[derive(FromRecord)]` macro (in `quarry-macros`) expands to.
//!
//! The derive reads one column per field with [`Record::get`]; the helpers here add what the
//! macro cannot say in a few tokens: the field's name in decode errors, `try_from` conversions
//! and JSON columns.

use std::any::type_name;
use std::fmt;

use crate::error::{Error, Result};
use crate::record::Record;
use crate::types::{BoxError, Decode};

/// A Rust value built from a whole row, usually with `#[derive(FromRecord)]`.
///
/// ```no_run
/// use quarry_driver::{FromRecord, Record, Result};
///
/// struct User {
///     id: i32,
///     name: String,
/// }
///
/// impl FromRecord for User {
///     fn from_record(record: &Record) -> Result<Self> {
///         Ok(User { id: record.get("id")?, name: record.get("name")? })
///     }
/// }
///
/// # async fn demo(conn: &mut quarry_driver::Connection) -> Result<()> {
/// let row = conn.fetch_row("SELECT 1 AS id, 'Bob' AS name", &[]).await?.unwrap();
/// let user = User::from_record(&row)?;
/// assert_eq!(user.name, "Bob");
/// # Ok(()) }
/// ```
pub trait FromRecord: Sized {
    /// Builds the value from the row; errors name the column (and, when derived, the field).
    fn from_record(record: &Record) -> Result<Self>;

    /// [`from_record`](FromRecord::from_record) with the names of the fields of the rows nested
    /// in some columns, which `query_as!` knows at build time and a `ROW(...)` does not carry
    /// (derived for `#[quarry(nested)]` fields; others ignore them). Not a stable API.
    #[doc(hidden)]
    fn __from_record_nested(
        record: &Record,
        nested: &[crate::query_macro::nested::Names],
    ) -> Result<Self> {
        let _ = nested;
        Self::from_record(record)
    }
}

impl FromRecord for Record {
    fn from_record(record: &Record) -> Result<Self> {
        Ok(record.clone())
    }
}

/// A tuple reads the row's columns in order; the row must have exactly as many columns.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let users: Vec<(i32, String)> = conn.fetch_as("SELECT id, name FROM users", &[]).await?;
/// let first: Option<(i32, Option<String>)> =
///     conn.fetch_row_as("SELECT id, name FROM users WHERE id = $1", &[&1i32]).await?;
/// # Ok(()) }
/// ```
macro_rules! tuple_from_record {
    ($($len:literal => ($($t:ident $i:tt),+);)+) => {$(
        impl<$($t),+> FromRecord for ($($t,)+)
        where
            $($t: for<'r> Decode<'r>,)+
        {
            fn from_record(record: &Record) -> Result<Self> {
                if record.len() != $len {
                    return Err(Error::ColumnCount {
                        target: type_name::<Self>(),
                        expected: $len,
                        found: record.len(),
                    });
                }
                Ok(($(record.get::<$t>($i)?,)+))
            }
        }
    )+};
}

tuple_from_record! {
    1 => (A 0);
    2 => (A 0, B 1);
    3 => (A 0, B 1, C 2);
    4 => (A 0, B 1, C 2, D 3);
    5 => (A 0, B 1, C 2, D 3, E 4);
    6 => (A 0, B 1, C 2, D 3, E 4, F 5);
    7 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    8 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    9 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    10 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    11 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    12 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
    13 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
    14 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
    15 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
    16 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
}

/// Why one field of a derived [`FromRecord`] could not be filled: the codec's or conversion's
/// error, with the struct and field it concerns.
///
/// It is the `source` of the [`Error::Decode`] a derived `from_record` returns.
///
/// ```
/// use quarry_driver::from_record::FieldError;
/// let e = FieldError { target: "User", field: "age", source: "too large".into() };
/// assert_eq!(e.to_string(), "too large (while reading field User.age)");
/// ```
#[derive(Debug)]
pub struct FieldError {
    /// The Rust type being built.
    pub target: &'static str,
    /// The field being filled.
    pub field: &'static str,
    /// What went wrong.
    pub source: BoxError,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (while reading field {}.{})",
            self.source, self.target, self.field
        )
    }
}

impl std::error::Error for FieldError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Run-time support for `#[derive(FromRecord)]` and `#[derive(Type)]`; not a stable API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// The buffer type of [`crate::types::Encode::encode`], for derived code in crates that do not
    /// depend on `bytes` themselves.
    pub use bytes::BytesMut;

    /// Whether the row has a column with this name (for `#[quarry(default)]`).
    pub fn has_column(record: &Record, column: &str) -> bool {
        record.columns().iter().any(|c| c.name() == column)
    }

    /// Decodes `column` into `T`; decode errors also name the field.
    pub fn field<'r, T: Decode<'r>>(
        record: &'r Record,
        column: &str,
        target: &'static str,
        field: &'static str,
    ) -> Result<T> {
        record
            .get::<T>(column)
            .map_err(|e| with_field(e, target, field))
    }

    /// Decodes `column` into `S`, then converts it with `T::try_from` (`#[quarry(try_from = "S")]`).
    pub fn field_try_from<'r, S, T>(
        record: &'r Record,
        column: &str,
        target: &'static str,
        field: &'static str,
    ) -> Result<T>
    where
        S: Decode<'r>,
        T: TryFrom<S>,
        <T as TryFrom<S>>::Error: Into<BoxError>,
    {
        let value: S = self::field(record, column, target, field)?;
        T::try_from(value)
            .map_err(|e| decode_error(record, column, type_name::<T>(), target, field, e.into()))
    }

    /// Reads a column of nested rows, an array of composites (`#[quarry(nested)]`), into a
    /// `Vec` of children (see [`Rows`](crate::query_macro::nested::Rows)); `nested` may name the
    /// fields of the column's rows (else each element's own names are used).
    pub fn nested_field<T: crate::query_macro::nested::Rows>(
        record: &Record,
        column: &str,
        nested: &[crate::query_macro::nested::Names],
        target: &'static str,
        field: &'static str,
    ) -> Result<T> {
        use crate::record::ColumnIndex;
        let index = column.index(record.columns())?;
        let names = nested.iter().find(|n| n.column == column).map(|n| n.fields);
        T::read(record, index, names).map_err(|e| with_field(e, target, field))
    }

    /// Decodes a JSON column (json, jsonb, or any text) with serde (`#[quarry(json)]`). A NULL
    /// deserializes from JSON `null`, so `Option<T>` fields take NULLs.
    #[cfg(feature = "json")]
    pub fn json_field<T: serde::de::DeserializeOwned>(
        record: &Record,
        column: &str,
        target: &'static str,
        field: &'static str,
    ) -> Result<T> {
        use crate::record::ColumnIndex;
        use crate::types::{Format, oid};

        let i = column.index(record.columns())?;
        let Some(col) = record.columns().get(i) else {
            return Err(Error::ColumnIndex {
                index: i,
                len: record.len(),
            });
        };
        let ty = col.pg_type();
        let binary_jsonb = ty.oid() == oid::JSONB && col.format() == Format::Binary;
        let accepted = matches!(ty.oid(), oid::JSON | oid::JSONB)
            || oid::is_text_like(ty.oid())
            || col.format() == Format::Text;
        if !accepted {
            return Err(Error::ColumnType {
                column: column.to_owned(),
                pg_type: ty.to_string(),
                rust_type: type_name::<T>(),
            });
        }
        let parsed = match record.raw(i)? {
            None => T::deserialize(serde_json::Value::Null).map_err(BoxError::from),
            Some(bytes) => json_text(bytes, binary_jsonb)
                .and_then(|text| serde_json::from_slice(text).map_err(BoxError::from)),
        };
        parsed.map_err(|e| decode_error(record, column, type_name::<T>(), target, field, e))
    }

    /// The JSON text of a value: binary jsonb starts with a version byte (1).
    #[cfg(feature = "json")]
    pub(crate) fn json_text(
        bytes: &[u8],
        binary_jsonb: bool,
    ) -> std::result::Result<&[u8], BoxError> {
        if !binary_jsonb {
            return Ok(bytes);
        }
        match bytes.split_first() {
            Some((1, rest)) => Ok(rest),
            Some((version, _)) => Err(format!("unsupported jsonb format version {version}").into()),
            None => Err("empty jsonb value".into()),
        }
    }

    /// Adds the field to a decode error's source; other errors already say enough.
    fn with_field(error: Error, target: &'static str, field: &'static str) -> Error {
        match error {
            Error::Decode {
                column,
                pg_type,
                rust_type,
                source,
            } => Error::Decode {
                column,
                pg_type,
                rust_type,
                source: Box::new(FieldError {
                    target,
                    field,
                    source,
                }),
            },
            other => other,
        }
    }

    fn decode_error(
        record: &Record,
        column: &str,
        rust_type: &'static str,
        target: &'static str,
        field: &'static str,
        source: BoxError,
    ) -> Error {
        let pg_type = record
            .columns()
            .iter()
            .rfind(|c| c.name() == column)
            .map(|c| c.pg_type().to_string())
            .unwrap_or_default();
        Error::Decode {
            column: column.to_owned(),
            pg_type,
            rust_type,
            source: Box::new(FieldError {
                target,
                field,
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_error_names_struct_and_field() {
        let e = FieldError {
            target: "User",
            field: "age",
            source: "out of range".into(),
        };
        assert_eq!(e.to_string(), "out of range (while reading field User.age)");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[cfg(feature = "json")]
    #[test]
    fn jsonb_version_byte() {
        assert_eq!(__private::json_text(b"\x01{}", true).unwrap(), b"{}");
        assert!(__private::json_text(b"\x02{}", true).is_err());
        assert!(__private::json_text(b"", true).is_err());
        assert_eq!(__private::json_text(b"{}", false).unwrap(), b"{}");
    }
}
