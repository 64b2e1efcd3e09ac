//! The pieces container binary formats share: a bounds-checked reader over a value's bytes and
//! the length-prefixed (`-1` for NULL) encoding of nested values. Every read checks its length.

use bytes::{BufMut, BytesMut};

use super::{BoxError, Encode, IsNull, PgType};

/// A container value's bytes ended before its format said they would, or had bytes left over.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Fewer bytes than the format requires.
    #[error("invalid {what}: value ends early (needed {needed} more bytes, {left} left)")]
    Truncated {
        /// What was being read (`array`, `range`, `record`).
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes left.
        left: usize,
    },
    /// Bytes left after the last part.
    #[error("invalid {what}: {left} bytes left over after the value")]
    TrailingBytes {
        /// What was being read.
        what: &'static str,
        /// Bytes left.
        left: usize,
    },
    /// A negative length other than -1 (NULL).
    #[error("invalid {what}: negative length {len}")]
    NegativeLength {
        /// What was being read.
        what: &'static str,
        /// The length read.
        len: i32,
    },
    /// Records and arrays nested deeper than [`MAX_NESTING`](super::MAX_NESTING) levels.
    #[error("value nested more than {max} levels deep")]
    TooDeep {
        /// The limit.
        max: u8,
    },
    /// A nested value longer than the format can say (2 GiB).
    #[error("{what} part of {len} bytes is too large for PostgreSQL")]
    TooLarge {
        /// What was being written.
        what: &'static str,
        /// Its length.
        len: usize,
    },
}

/// Reads big-endian integers and length-prefixed values, never past the end.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, a value of the container named `what` (used in errors).
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { buf, what }
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if n > self.buf.len() {
            return Err(WireError::Truncated {
                what: self.what,
                needed: n,
                left: self.buf.len(),
            });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// One byte.
    pub(crate) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.array::<1>()?[0])
    }

    /// A big-endian `i32`.
    pub(crate) fn i32(&mut self) -> Result<i32, WireError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// A big-endian `u32` (an OID).
    pub(crate) fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A big-endian `u64`.
    pub(crate) fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A value prefixed by its `i32` length; `None` for NULL (-1).
    pub(crate) fn value(&mut self) -> Result<Option<&'a [u8]>, WireError> {
        let len = self.i32()?;
        if len == -1 {
            return Ok(None);
        }
        let n = usize::try_from(len).map_err(|_| WireError::NegativeLength {
            what: self.what,
            len,
        })?;
        self.take(n).map(Some)
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// An error unless every byte was read.
    pub(crate) fn finish(&self) -> Result<(), WireError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(WireError::TrailingBytes {
                what: self.what,
                left: self.buf.len(),
            })
        }
    }
}

/// Appends `value` encoded as `ty`, prefixed by its `i32` length (-1 for NULL).
pub(crate) fn put_value<T: Encode + ?Sized>(
    value: &T,
    ty: &PgType,
    buf: &mut BytesMut,
    what: &'static str,
) -> Result<IsNull, BoxError> {
    let start = buf.len();
    buf.put_i32(0);
    let is_null = value.encode(ty, buf)?;
    match is_null {
        IsNull::Yes => {
            buf.truncate(start);
            buf.put_i32(-1);
        }
        IsNull::No => {
            let len = buf.len() - start - 4;
            let len = i32::try_from(len).map_err(|_| WireError::TooLarge { what, len })?;
            if let Some(slot) = buf.get_mut(start..start + 4) {
                slot.copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(is_null)
}

/// A count as the `i32` PostgreSQL formats use.
pub(crate) fn count(n: usize, what: &'static str) -> Result<i32, WireError> {
    i32::try_from(n).map_err(|_| WireError::TooLarge { what, len: n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_checks_every_length() {
        let mut r = Reader::new(&[0, 0, 0, 2, 9], "array");
        assert!(r.value().is_err());
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff], "array");
        assert_eq!(r.value().unwrap(), None);
        r.finish().unwrap();
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xfe], "array");
        assert!(r.value().is_err());
    }

    #[test]
    fn put_value_prefixes_length_and_null() {
        let int4 = PgType::resolve(23);
        let mut buf = BytesMut::new();
        put_value(&5i32, &int4, &mut buf, "array").unwrap();
        put_value(&None::<i32>, &int4, &mut buf, "array").unwrap();
        assert_eq!(&buf[..], &[0, 0, 0, 4, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff]);
    }
}
