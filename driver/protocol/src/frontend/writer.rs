//! Shared helpers for frontend messages: a tagged frame with a back-patched length, C strings.

use bytes::{BufMut, BytesMut};

use crate::ProtocolError;

/// Appends a message tagged `tag` whose body `body` writes, then back-patches its length.
/// On error the buffer is truncated to where it was.
pub(super) fn message<F>(tag: u8, buf: &mut BytesMut, body: F) -> Result<(), ProtocolError>
where
    F: FnOnce(&mut BytesMut) -> Result<(), ProtocolError>,
{
    let start = buf.len();
    buf.put_u8(tag);
    let result = framed(tag, buf, body);
    if result.is_err() {
        buf.truncate(start);
    }
    result
}

/// Appends a length-prefixed frame (the length counts itself) whose body `body` writes.
/// Used for tagged messages (after the tag) and the untagged startup packets.
/// On error the buffer is truncated to where it was.
pub(super) fn framed<F>(tag: u8, buf: &mut BytesMut, body: F) -> Result<(), ProtocolError>
where
    F: FnOnce(&mut BytesMut) -> Result<(), ProtocolError>,
{
    let start = buf.len();
    buf.put_i32(0);
    if let Err(e) = body(buf) {
        buf.truncate(start);
        return Err(e);
    }
    let len = buf.len() - start;
    let Ok(wire_len) = i32::try_from(len) else {
        buf.truncate(start);
        return Err(ProtocolError::MessageTooLarge { tag, len });
    };
    patch_i32(buf, start, wire_len);
    Ok(())
}

/// Appends a fixed message that cannot fail: tag and a body of known small size.
pub(super) fn fixed(tag: u8, body: &[u8], buf: &mut BytesMut) {
    buf.put_u8(tag);
    // A fixed body is at most a few bytes; its length always fits.
    let len = i32::try_from(body.len() + 4).unwrap_or(i32::MAX);
    buf.put_i32(len);
    buf.put_slice(body);
}

/// Overwrites the 4 bytes at `at` with `value`, big-endian. `at + 4 <= buf.len()` by construction.
pub(super) fn patch_i32(buf: &mut BytesMut, at: usize, value: i32) {
    if let Some(slot) = buf.get_mut(at..at + 4) {
        slot.copy_from_slice(&value.to_be_bytes());
    }
}

/// Appends `s` and a terminating NUL; `what` names the string if it contains a NUL itself.
pub(super) fn cstr(s: &[u8], what: &'static str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    if memchr::memchr(0, s).is_some() {
        return Err(ProtocolError::NulInString { what });
    }
    buf.put_slice(s);
    buf.put_u8(0);
    Ok(())
}

/// Converts a count to the protocol's unsigned 16-bit count.
pub(super) fn count_u16(count: usize, what: &'static str) -> Result<u16, ProtocolError> {
    u16::try_from(count).map_err(|_| ProtocolError::TooManyValues { what, count })
}

/// Converts a payload length to the protocol's i32 length.
pub(super) fn len_i32(len: usize) -> Result<i32, ProtocolError> {
    i32::try_from(len).map_err(|_| ProtocolError::ValueTooLarge { len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_body_leaves_buffer_untouched() {
        let mut buf = BytesMut::from(&b"xy"[..]);
        let r = message(b'Q', &mut buf, |b| cstr(b"a\0b", "SQL text", b));
        assert!(matches!(
            r,
            Err(ProtocolError::NulInString { what: "SQL text" })
        ));
        assert_eq!(&buf[..], b"xy");
    }

    #[test]
    fn length_is_back_patched() {
        let mut buf = BytesMut::new();
        message(b'Q', &mut buf, |b| cstr(b"ab", "SQL text", b)).unwrap();
        assert_eq!(&buf[..], b"Q\0\0\0\x07ab\0");
    }
}
