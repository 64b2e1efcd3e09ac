//! The columns of a binary COPY FROM STDIN and the field encoder rows use: each value is
//! type-checked against its column once per Rust type (not once per value), then encoded
//! straight into the output buffer behind a length placeholder that is patched afterwards.

use bytes::{BufMut, BytesMut};

use super::CopyError;
use crate::statement::Column;
use crate::types::Encode;
use quarry_protocol::IsNull;

/// A COPY's columns, in the order row values go, with the Rust type each column last accepted.
///
/// [`CopyRow`](super::CopyRow) implementations write a row with [`CopyColumns::start_row`] and
/// one [`CopyColumns::encode`] per value. `Encode::accepts` is asked once per column and Rust
/// type ([`Encode::rust_type`] names the type, also behind `&dyn Encode`), so it must depend on
/// the type only — as it does for every codec of Quarry.
///
/// ```
/// use bytes::BytesMut;
/// use quarry_driver::copy::{CopyColumns, CopyError};
/// # fn demo(columns: &mut CopyColumns) -> Result<(), CopyError> {
/// let mut buf = BytesMut::new();
/// columns.start_row(2, 1, &mut buf)?;
/// columns.encode(0, &7i32, 1, &mut buf)?;
/// columns.encode(1, "seven", 1, &mut buf)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CopyColumns {
    columns: Vec<Column>,
    /// The Rust type each column accepted last (`Encode::rust_type`).
    accepted: Vec<Option<&'static str>>,
}

impl CopyColumns {
    /// The columns of a COPY, none checked yet.
    pub fn new(columns: Vec<Column>) -> CopyColumns {
        let accepted = vec![None; columns.len()];
        CopyColumns { columns, accepted }
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Appends the field count that starts a row of `found` values; an error when it is not
    /// the COPY's column count. `row` (1-based) is for error messages.
    #[inline]
    pub fn start_row(&self, found: usize, row: u64, buf: &mut BytesMut) -> Result<(), CopyError> {
        match i16::try_from(found) {
            Ok(count) if found == self.columns.len() => {
                buf.put_i16(count);
                Ok(())
            }
            _ => Err(CopyError::ColumnCount {
                row,
                expected: self.columns.len(),
                found,
            }),
        }
    }

    /// Appends value `index` of a row: its length (-1 for NULL) and its binary form for the
    /// column's type. On error nothing is appended.
    #[inline]
    pub fn encode<T: Encode + ?Sized>(
        &mut self,
        index: usize,
        value: &T,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        let (Some(column), Some(accepted)) =
            (self.columns.get(index), self.accepted.get_mut(index))
        else {
            return Err(CopyError::ColumnCount {
                row,
                expected: self.columns.len(),
                found: index + 1,
            });
        };
        let rust_type = value.rust_type();
        if !accepted.is_some_and(|known| same_type(known, rust_type)) {
            check(value, column, row)?;
            *accepted = Some(rust_type);
        }
        put_field(value, column, row, buf)
    }
}

/// Whether two `rust_type` names are the same type (usually the same pointer).
#[inline]
fn same_type(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Whether `value` can go into `column`, as a typed error.
fn check<T: Encode + ?Sized>(value: &T, column: &Column, row: u64) -> Result<(), CopyError> {
    let ty = column.pg_type();
    if value.accepts(ty) {
        Ok(())
    } else {
        Err(CopyError::ColumnType {
            row,
            column: column.name().to_owned(),
            rust_type: value.rust_type(),
            pg_type: ty.to_string(),
        })
    }
}

/// Appends one binary COPY field: its length (-1 for NULL) and its bytes, for `column`'s type,
/// checking first that the value's type fits the column. On error nothing is appended.
///
/// [`CopyColumns::encode`] does the same with the type check done once per column.
///
/// ```
/// use bytes::BytesMut;
/// # fn demo(column: &quarry_driver::Column) -> Result<(), quarry_driver::copy::CopyError> {
/// let mut buf = BytesMut::new();
/// quarry_driver::copy::encode_value(&7i32, column, 1, &mut buf)?;
/// # Ok(()) }
/// ```
pub fn encode_value<T: Encode + ?Sized>(
    value: &T,
    column: &Column,
    row: u64,
    buf: &mut BytesMut,
) -> Result<(), CopyError> {
    check(value, column, row)?;
    put_field(value, column, row, buf)
}

/// Encodes `value` behind a length placeholder, then patches the length in.
#[inline]
fn put_field<T: Encode + ?Sized>(
    value: &T,
    column: &Column,
    row: u64,
    buf: &mut BytesMut,
) -> Result<(), CopyError> {
    let at = buf.len();
    buf.put_i32(-1);
    match value.encode(column.pg_type(), buf) {
        Ok(IsNull::Yes) => {
            buf.truncate(at + 4);
            Ok(())
        }
        Ok(IsNull::No) => {
            let len = buf.len() - at - 4;
            let Ok(len32) = i32::try_from(len) else {
                buf.truncate(at);
                return Err(CopyError::TooLarge { len });
            };
            if let Some(slot) = buf.get_mut(at..at + 4) {
                slot.copy_from_slice(&len32.to_be_bytes());
            }
            Ok(())
        }
        Err(source) => {
            buf.truncate(at);
            let ty = column.pg_type();
            Err(CopyError::Encode {
                row,
                column: column.name().to_owned(),
                rust_type: value.rust_type(),
                pg_type: ty.to_string(),
                source,
            })
        }
    }
}
