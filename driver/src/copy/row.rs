//! One row of a binary COPY: [`CopyRow`] for tuples of [`Encode`] values (up to 12) and for
//! slices of parameters, written field by field through [`CopyColumns`].

use bytes::BytesMut;

use super::{CopyColumns, CopyError};
use crate::types::Encode;

/// A row that can be written to a binary COPY: its values, in the COPY's column order.
///
/// Implemented for tuples of up to 12 [`Encode`] values and for slices, arrays and vectors of
/// parameters (`&dyn Encode`). For a struct of your own, write the field count then each field:
///
/// ```
/// use bytes::BytesMut;
/// use quarry_driver::copy::{CopyColumns, CopyError, CopyRow};
/// struct User { id: i32, name: String }
/// impl CopyRow for User {
///     fn encode_row(&self, columns: &mut CopyColumns, row: u64, buf: &mut BytesMut) -> Result<(), CopyError> {
///         columns.start_row(2, row, buf)?;
///         columns.encode(0, &self.id, row, buf)?;
///         columns.encode(1, &self.name, row, buf)
///     }
/// }
/// ```
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let rows = vec![(1i32, "a"), (2, "b")];
/// conn.copy_records_to_table("t", rows, &["id", "name"], None).await?;
/// # Ok(()) }
/// ```
pub trait CopyRow {
    /// Appends the row in binary COPY form (field count, then each field) for `columns`;
    /// `row` (1-based) is for error messages. On error the caller drops what was appended.
    fn encode_row(
        &self,
        columns: &mut CopyColumns,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError>;
}

/// Encodes `row`, leaving `buf` as it was when it fails.
#[inline]
pub(super) fn encode_whole<R: CopyRow + ?Sized>(
    row: &R,
    columns: &mut CopyColumns,
    number: u64,
    buf: &mut BytesMut,
) -> Result<(), CopyError> {
    let at = buf.len();
    let result = row.encode_row(columns, number, buf);
    if result.is_err() {
        buf.truncate(at);
    }
    result
}

macro_rules! copy_row_tuple {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: Encode),+> CopyRow for ($($t,)+) {
            #[inline]
            fn encode_row(&self, columns: &mut CopyColumns, row: u64, buf: &mut BytesMut) -> Result<(), CopyError> {
                columns.start_row($n, row, buf)?;
                $( columns.encode($i, &self.$i, row, buf)?; )+
                Ok(())
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
        columns: &mut CopyColumns,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        columns.start_row(self.len(), row, buf)?;
        for (index, value) in self.iter().enumerate() {
            columns.encode(index, value, row, buf)?;
        }
        Ok(())
    }
}

impl<T: Encode, const N: usize> CopyRow for [T; N] {
    fn encode_row(
        &self,
        columns: &mut CopyColumns,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        self.as_slice().encode_row(columns, row, buf)
    }
}

impl<T: Encode> CopyRow for Vec<T> {
    fn encode_row(
        &self,
        columns: &mut CopyColumns,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        self.as_slice().encode_row(columns, row, buf)
    }
}

impl<R: CopyRow + ?Sized> CopyRow for &R {
    #[inline]
    fn encode_row(
        &self,
        columns: &mut CopyColumns,
        row: u64,
        buf: &mut BytesMut,
    ) -> Result<(), CopyError> {
        (**self).encode_row(columns, row, buf)
    }
}
