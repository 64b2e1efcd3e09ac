//! COPY FROM STDIN messages sent by the client: CopyData, CopyDone and CopyFail.

use bytes::{BufMut, BytesMut};

use super::writer::{cstr, fixed, len_i32, message as write_message};
use crate::ProtocolError;

/// Appends a CopyData carrying `data` (any chunk of the COPY stream).
///
/// ```
/// use bytes::BytesMut;
/// let mut buf = BytesMut::new();
/// quarry_protocol::frontend::copy_data(b"1\tx\n", &mut buf)?;
/// assert_eq!(&buf[..], b"d\0\0\0\x081\tx\n");
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn copy_data(data: &[u8], buf: &mut BytesMut) -> Result<(), ProtocolError> {
    write_message(b'd', buf, |buf| {
        len_i32(data.len())?;
        buf.put_slice(data);
        Ok(())
    })
}

/// Appends a CopyDone: the COPY stream is complete.
pub fn copy_done(buf: &mut BytesMut) {
    fixed(b'c', &[], buf);
}

/// Appends a CopyFail: abort the COPY with `message` as the reason.
pub fn copy_fail(message: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    write_message(b'f', buf, |buf| {
        cstr(message.as_bytes(), "COPY failure message", buf)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_bytes() {
        let mut buf = BytesMut::new();
        copy_data(b"ab", &mut buf).unwrap();
        copy_done(&mut buf);
        copy_fail("no", &mut buf).unwrap();
        assert_eq!(&buf[..], b"d\0\0\0\x06abc\0\0\0\x04f\0\0\0\x07no\0");
        assert!(copy_fail("\0", &mut buf).is_err());
    }
}
