//! A bounds-checked cursor over a message body: every read returns a typed error instead of
//! panicking when the body is too short or malformed.

use crate::ProtocolError;

/// Reads big-endian integers and C strings from one message body.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    message: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, the body of the message named `message` (used in errors).
    pub(super) fn new(buf: &'a [u8], message: &'static str) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            message,
        }
    }

    /// The next `n` bytes.
    pub(super) fn bytes(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or(ProtocolError::Truncated {
                message: self.message,
            })?;
        self.pos += n;
        Ok(slice)
    }

    /// The next `N` bytes as an array.
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let slice = self.bytes(N)?;
        <[u8; N]>::try_from(slice).map_err(|_| ProtocolError::Truncated {
            message: self.message,
        })
    }

    /// The next byte.
    pub(super) fn u8(&mut self) -> Result<u8, ProtocolError> {
        let [b] = self.array()?;
        Ok(b)
    }

    /// The next big-endian i16.
    pub(super) fn i16(&mut self) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    /// The next big-endian u16 (PostgreSQL's counts are unsigned 16-bit in practice).
    pub(super) fn u16(&mut self) -> Result<u16, ProtocolError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// The next big-endian i32.
    pub(super) fn i32(&mut self) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// The next big-endian u32.
    pub(super) fn u32(&mut self) -> Result<u32, ProtocolError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// The bytes up to the next NUL, consuming the NUL too.
    pub(super) fn cstr_bytes(&mut self) -> Result<&'a [u8], ProtocolError> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let nul = memchr::memchr(0, rest).ok_or(ProtocolError::MissingNul {
            message: self.message,
        })?;
        let s = self.bytes(nul)?;
        self.pos += 1;
        Ok(s)
    }

    /// The UTF-8 string up to the next NUL, consuming the NUL too.
    pub(super) fn cstr(&mut self) -> Result<&'a str, ProtocolError> {
        let bytes = self.cstr_bytes()?;
        std::str::from_utf8(bytes).map_err(|_| ProtocolError::InvalidUtf8 {
            message: self.message,
        })
    }

    /// A format code (i16), which must be 0 or 1.
    pub(super) fn format(&mut self) -> Result<crate::Format, ProtocolError> {
        let code = self.i16()?;
        crate::Format::from_code(code).ok_or(ProtocolError::InvalidFormat {
            message: self.message,
            code,
        })
    }

    /// How many bytes are left.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The current offset into the body.
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    /// Succeeds only if the whole body was read.
    pub(super) fn finish(&self) -> Result<(), ProtocolError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(ProtocolError::TrailingBytes {
                message: self.message,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let mut r = Reader::new(b"\x00\x01\xff\xff\xff\xffab\0c", "Test");
        assert_eq!(r.i16().unwrap(), 1);
        assert_eq!(r.i32().unwrap(), -1);
        assert_eq!(r.cstr().unwrap(), "ab");
        assert!(matches!(
            r.finish(),
            Err(ProtocolError::TrailingBytes { .. })
        ));
        assert!(matches!(r.cstr(), Err(ProtocolError::MissingNul { .. })));
        assert!(matches!(r.i16(), Err(ProtocolError::Truncated { .. })));
        assert_eq!(r.u8().unwrap(), b'c');
        r.finish().unwrap();
        assert!(matches!(r.u8(), Err(ProtocolError::Truncated { .. })));
    }

    #[test]
    fn invalid_utf8() {
        let mut r = Reader::new(b"\xff\0", "Test");
        assert!(matches!(r.cstr(), Err(ProtocolError::InvalidUtf8 { .. })));
    }
}
