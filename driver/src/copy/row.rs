//! One row of a binary COPY: [`CopyRow`] for tuples of [`Encode`] values (up to 12) and for
//! slices of parameters, and [`encode_value`], the field encoder they share.

use bytes::{BufMut, BytesMut};

use super::CopyError;
use crate::protocol::IsNull;
use crate::statement::Column;
use crate::types::Encode;

/// A row that can be written to a binary COPY: its values, in the COPY's column order.
///
/// Implemented for tuples of up to 12 [`Encode`] values and for slices, arrays and vectors of
/// parameters (`&dyn Encode`).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let rows = vec![(1i32, "a"), (2, "b")];
/// conn.copy_records_to_table("t", rows, &["id", "name"], None).await?;
/// # Ok(()) }
/// ```
pub trait CopyRow {
    /// Appends the row in binary COPY form (field count, then each field) for `columns`;
    /// `row` (1-based) is for error messages.
    fn encode_row(&self, columns: &[Column], row: u64, buf: &mut BytesMut)
    -> Result<(), CopyError>;
}

/// Appends one binary COPY field: its length (-1 for NULL) and its bytes, for `column`'s type.
/// On error nothing is appended.
///
/// ```
/// use bytes::BytesMut;
/// # fn demo(column: &quarry_driver::Column) -> Result<(), quarry_driver::copy::CopyError> {
/// let mut buf = BytesMut::new();
/// quarry_driver::copy::encode_value(&7i32, column, 1, &mut buf)?;
/// # Ok(()) }
/// ```
#[inline]
pub fn encode_value<T: Encode + ?Sized>(
    value: &T,
    column: &Column,
    row: u64,
    buf: &mut BytesMut,
) -> Result<(), CopyError> {
    let ty = column.pg_type();
    if !value.accepts(ty) {
        return Err(CopyError::ColumnType {
            row,
            column: column.name().to_owned(),
            rust_type: value.rust_type(),
            pg_type: ty.to_string(),
        });
    }
    let at = buf.len();
    buf.put_i32(-1);
    match value.encode(ty, buf) {
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

/// The field count that starts a row; an error when it differs from the COPY's columns.
#[inline]
fn start_row(
    found: usize,
    columns: &[Column],
    row: u64,
    buf: &mut BytesMut,
) -> Result<(), CopyError> {
    let count = i16::try_from(found).ok().filter(|_| found == columns.len());
    match count {
        Some(count) => {
            buf.put_i16(count);
            Ok(())
        }
        None => Err(CopyError::ColumnCount {
            row,
            expected: columns.len(),
            found,
        }),
    }
}

macro_rules! copy_row_tuple {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: Encode),+> CopyRow for ($($t,)+) {
            #[inline]
            fn encode_row(&self, columns: &[Column], row: u64, buf: &mut BytesMut) -> Result<(), CopyError> {
                let at = buf.len();
                start_row($n, columns, row, buf)?;
                let result = (|| {
                    $(
                        let column = columns.get($i).ok_or(CopyError::ColumnCount { row, expected: columns.len(), found: $n })?;
                        encode_value(&self.$i, column, row, buf)?;
                    )+
                    Ok(())
                })();
                if result.is_err() {
                    buf.truncate(at);
                }
                result
            }
        }
    };
}

copy_row_tuple!(1: A 0);
copy_row_tuple!(2: A 0, B 1);
copy_row_tuple!(3: A 0, B 1, C 2);
copy_row_tuple!(4: A 0, B 1, C 2, D 3);
copy_row_tuple!(5: A 0, B 1, C 2, D 3, E 4);
copy_row_tuple!(6: A 0, B 1, C 2, D 3, E 4, F 5);
copy_row_tuple!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
copy_row_tuple!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
copy_row_tuple!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
copy_row_tuple!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
copy_row_tuple!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
copy_row_tuple!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

impl<T: Encode> CopyRow for [T] {
    fn encode_row(
        &self,
        columns: &[Column],
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        let at = buf.len();
        start_row(self.len(), columns, row, buf)?;
        for (value, column) in self.iter().zip(columns) {
            if let Err(e) = encode_value(value, column, row, buf) {
                buf.truncate(at);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl<T: Encode, const N: usize> CopyRow for [T; N] {
    fn encode_row(
        &self,
        columns: &[Column],
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        self.as_slice().encode_row(columns, row, buf)
    }
}

impl<T: Encode> CopyRow for Vec<T> {
    fn encode_row(
        &self,
        columns: &[Column],
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        self.as_slice().encode_row(columns, row, buf)
    }
}

impl<R: CopyRow + ?Sized> CopyRow for &R {
    fn encode_row(
        &self,
        columns: &[Column],
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        (**self).encode_row(columns, row, buf)
    }
}
