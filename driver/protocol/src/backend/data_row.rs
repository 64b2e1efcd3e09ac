//! `DataRow`: one result row as received, its columns located on demand without copying.

use std::ops::Range;

use bytes::Bytes;

use crate::ProtocolError;

/// One DataRow message: the column count and the body after it, a cheap `Bytes` slice of the
/// receive buffer. Column values are located with [`DataRow::ranges`].
///
/// ```
/// use bytes::BytesMut;
/// use quarry_protocol::backend::{parse_message, Message};
///
/// // Two columns: "hi" and NULL.
/// let mut buf = BytesMut::from(&b"D\0\0\0\x10\0\x02\0\0\0\x02hi\xff\xff\xff\xff"[..]);
/// let Some(Message::DataRow(row)) = parse_message(&mut buf)? else { panic!() };
/// let mut ranges = Vec::new();
/// row.ranges(&mut ranges)?;
/// assert_eq!(ranges, [Some(4..6), None]);
/// assert_eq!(&row.body()[4..6], b"hi");
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRow {
    len: u16,
    body: Bytes,
}

impl DataRow {
    /// A row of `len` columns whose values (each an i32 length then bytes) are `body`.
    pub(super) fn new(len: u16, body: Bytes) -> DataRow {
        DataRow { len, body }
    }

    /// The number of columns the server declared.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The body after the column count: for each column an i32 length (-1 for NULL) then the value.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Takes the body out of the row.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// Calls `visit(column, position)` for each column with the position in [`DataRow::body`] of
    /// the column's i32 length word, after checking every length against the body (the same
    /// checks as [`DataRow::ranges`]). Nothing is allocated.
    pub fn visit_columns(&self, mut visit: impl FnMut(usize, u32)) -> Result<(), ProtocolError> {
        const TRUNCATED: ProtocolError = ProtocolError::Truncated { message: "DataRow" };
        let body: &[u8] = &self.body;
        if u32::try_from(body.len()).is_err() {
            return Err(ProtocolError::MessageTooLarge {
                tag: b'D',
                len: body.len(),
            });
        }
        let mut pos = 0usize;
        for column in 0..self.len() {
            let Some(&[a, b, c, d]) = body.get(pos..pos.saturating_add(4)) else {
                return Err(TRUNCATED);
            };
            // In range: the body length fits in u32 (checked above) and pos < body length.
            #[allow(clippy::cast_possible_truncation)]
            visit(column, pos as u32);
            pos += 4;
            let len = i32::from_be_bytes([a, b, c, d]);
            if len == -1 {
                continue;
            }
            let n = usize::try_from(len)
                .map_err(|_| ProtocolError::InvalidValueLength { column, len })?;
            pos = pos
                .checked_add(n)
                .filter(|&end| end <= body.len())
                .ok_or(TRUNCATED)?;
        }
        if pos == body.len() {
            Ok(())
        } else {
            Err(ProtocolError::TrailingBytes { message: "DataRow" })
        }
    }

    /// Clears `out` and fills it with one entry per column: the value's byte range in
    /// [`DataRow::body`], or `None` for NULL.
    ///
    /// Fails if a length runs past the body, is negative other than -1, or bytes are left after
    /// the last column; `out` is then left empty.
    pub fn ranges(&self, out: &mut Vec<Option<Range<usize>>>) -> Result<(), ProtocolError> {
        out.clear();
        let result = self.fill(out);
        if result.is_err() {
            out.clear();
        }
        result
    }

    fn fill(&self, out: &mut Vec<Option<Range<usize>>>) -> Result<(), ProtocolError> {
        const TRUNCATED: ProtocolError = ProtocolError::Truncated { message: "DataRow" };
        out.reserve(self.len());
        let body: &[u8] = &self.body;
        let mut pos = 0usize;
        for column in 0..self.len() {
            let Some(&[a, b, c, d]) = body.get(pos..pos.saturating_add(4)) else {
                return Err(TRUNCATED);
            };
            pos += 4;
            let len = i32::from_be_bytes([a, b, c, d]);
            if len == -1 {
                out.push(None);
                continue;
            }
            let n = usize::try_from(len)
                .map_err(|_| ProtocolError::InvalidValueLength { column, len })?;
            let end = pos.checked_add(n).filter(|&end| end <= body.len());
            let Some(end) = end else {
                return Err(TRUNCATED);
            };
            out.push(Some(pos..end));
            pos = end;
        }
        if pos == body.len() {
            Ok(())
        } else {
            Err(ProtocolError::TrailingBytes { message: "DataRow" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(len: u16, body: &'static [u8]) -> DataRow {
        DataRow::new(len, Bytes::from_static(body))
    }

    #[test]
    fn valid_and_null() {
        let r = row(3, b"\0\0\0\x01a\xff\xff\xff\xff\0\0\0\0");
        let mut out = vec![None];
        r.ranges(&mut out).unwrap();
        assert_eq!(out, [Some(4..5), None, Some(13..13)]);
        assert_eq!(r.len(), 3);
        assert!(!r.is_empty());
    }

    #[test]
    fn empty_row() {
        let mut out = Vec::new();
        row(0, b"").ranges(&mut out).unwrap();
        assert!(out.is_empty());
        assert!(row(0, b"x").ranges(&mut out).is_err());
    }

    #[test]
    fn truncated() {
        let mut out = Vec::new();
        let err = row(2, b"\0\0\0\x01a\0\0").ranges(&mut out).unwrap_err();
        assert!(matches!(err, ProtocolError::Truncated { .. }));
        assert!(out.is_empty());
        let err = row(1, b"\0\0\0\x05ab").ranges(&mut out).unwrap_err();
        assert!(matches!(err, ProtocolError::Truncated { .. }));
        let err = row(1, b"\x7f\xff\xff\xffab").ranges(&mut out).unwrap_err();
        assert!(matches!(err, ProtocolError::Truncated { .. }));
    }

    #[test]
    fn trailing_bytes() {
        let mut out = Vec::new();
        let err = row(1, b"\0\0\0\x01ab").ranges(&mut out).unwrap_err();
        assert!(matches!(err, ProtocolError::TrailingBytes { .. }));
        assert!(out.is_empty());
    }

    #[test]
    fn negative_length() {
        let mut out = Vec::new();
        let err = row(2, b"\xff\xff\xff\xff\xff\xff\xff\xfe")
            .ranges(&mut out)
            .unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::InvalidValueLength { column: 1, len: -2 }
        ));
    }
}
