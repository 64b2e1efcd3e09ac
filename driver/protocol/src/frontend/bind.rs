//! The Bind message: parameter values written in place by the caller's encoder, lengths
//! back-patched, format lists written compactly.

use bytes::{BufMut, BytesMut};

use super::writer::{count_u16, cstr, len_i32, message, patch_i32};
use crate::{Format, IsNull, ProtocolError};

/// The error an encoder passed to [`bind`] returns.
type EncodeError = Box<dyn std::error::Error + Send + Sync>;

/// Appends a Bind creating portal `portal` (empty: the unnamed portal) from prepared statement
/// `statement`, with `param_count` parameter values.
///
/// For each parameter `i` in `0..param_count`, `write_param(i, buf)` appends the value's bytes
/// and says whether it is NULL (then anything it wrote is dropped and length -1 is sent).
/// `param_formats` has one format per parameter, or one for all, or none (all text);
/// `result_formats` likewise for the result columns. Both are written compactly.
/// On any error, including [`ProtocolError::EncodeParam`] from an encoder, the buffer is left
/// as it was before the call.
///
/// ```
/// use bytes::{BufMut, BytesMut};
/// use quarry_protocol::{frontend, Format, IsNull};
///
/// let values: [Option<i32>; 2] = [Some(7), None];
/// let mut buf = BytesMut::new();
/// frontend::bind("", "s1", &[Format::Binary], values.len(), |i, buf| match values[i] {
///     Some(v) => { buf.put_i32(v); Ok(IsNull::No) }
///     None => Ok(IsNull::Yes),
/// }, &[Format::Binary], &mut buf)?;
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn bind<F>(
    portal: &str,
    statement: &str,
    param_formats: &[Format],
    param_count: usize,
    mut write_param: F,
    result_formats: &[Format],
    buf: &mut BytesMut,
) -> Result<(), ProtocolError>
where
    F: FnMut(usize, &mut BytesMut) -> Result<IsNull, EncodeError>,
{
    let params = count_u16(param_count, "bind parameters")?;
    let param_formats = compact(param_formats);
    if param_formats.len() > 1 && param_formats.len() != param_count {
        return Err(ProtocolError::FormatCountMismatch {
            formats: param_formats.len(),
            params: param_count,
        });
    }
    let result_formats = compact(result_formats);
    let result_format_count = count_u16(result_formats.len(), "result formats")?;

    message(b'B', buf, |buf| {
        cstr(portal.as_bytes(), "portal name", buf)?;
        cstr(statement.as_bytes(), "statement name", buf)?;
        write_formats(param_formats, buf);
        buf.put_u16(params);
        for index in 0..param_count {
            write_value(index, &mut write_param, buf)?;
        }
        buf.put_u16(result_format_count);
        for format in result_formats {
            buf.put_i16(format.code());
        }
        Ok(())
    })
}

/// Writes one parameter: a length slot, the encoder's bytes, then the patched length.
fn write_value<F>(
    index: usize,
    write_param: &mut F,
    buf: &mut BytesMut,
) -> Result<(), ProtocolError>
where
    F: FnMut(usize, &mut BytesMut) -> Result<IsNull, EncodeError>,
{
    let slot = buf.len();
    buf.put_i32(0);
    let value_start = buf.len();
    let is_null =
        write_param(index, buf).map_err(|source| ProtocolError::EncodeParam { index, source })?;
    let Some(len) = buf.len().checked_sub(value_start) else {
        return Err(ProtocolError::EncodeParam {
            index,
            source: "the parameter encoder removed bytes it did not write".into(),
        });
    };
    match is_null {
        IsNull::Yes => {
            buf.truncate(value_start);
            patch_i32(buf, slot, -1);
        }
        IsNull::No => patch_i32(buf, slot, len_i32(len)?),
    }
    Ok(())
}

/// The shortest equivalent format list: none when all are text, one when all are the same.
fn compact(formats: &[Format]) -> &[Format] {
    match formats.split_first() {
        None => formats,
        Some((first, rest)) if rest.iter().all(|f| f == first) => {
            if *first == Format::Text {
                &[]
            } else {
                std::slice::from_ref(first)
            }
        }
        Some(_) => formats,
    }
}

/// Writes a compacted format list; its length fits in u16 (checked by the caller or by
/// `param_count` bounding it).
fn write_formats(formats: &[Format], buf: &mut BytesMut) {
    let count = u16::try_from(formats.len()).unwrap_or(u16::MAX);
    buf.put_u16(count);
    for format in formats.iter().take(usize::from(count)) {
        buf.put_i16(format.code());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_all(
        values: &[Option<&[u8]>],
    ) -> impl FnMut(usize, &mut BytesMut) -> Result<IsNull, EncodeError> {
        move |i, buf| match values[i] {
            Some(v) => {
                buf.put_slice(v);
                Ok(IsNull::No)
            }
            None => {
                buf.put_slice(b"garbage");
                Ok(IsNull::Yes)
            }
        }
    }

    #[test]
    fn all_text_with_null() {
        let values: [Option<&[u8]>; 2] = [Some(b"42"), None];
        let mut buf = BytesMut::new();
        bind(
            "",
            "",
            &[Format::Text, Format::Text],
            2,
            encode_all(&values),
            &[],
            &mut buf,
        )
        .unwrap();
        let want: &[u8] = b"B\0\0\0\x16\0\0\0\0\0\x02\0\0\0\x0242\xff\xff\xff\xff\0\0";
        assert_eq!(&buf[..], want);
    }

    #[test]
    fn uniform_binary_is_one_code() {
        let values: [Option<&[u8]>; 1] = [Some(&[0, 0, 0, 7])];
        let mut buf = BytesMut::new();
        bind(
            "p",
            "s",
            &[Format::Binary],
            1,
            encode_all(&values),
            &[Format::Binary, Format::Binary],
            &mut buf,
        )
        .unwrap();
        let want: &[u8] = b"B\0\0\0\x1ap\0s\0\0\x01\0\x01\0\x01\0\0\0\x04\0\0\0\x07\0\x01\0\x01";
        assert_eq!(&buf[..], want);
    }

    #[test]
    fn mixed_formats_are_listed() {
        let values: [Option<&[u8]>; 2] = [Some(b"a"), Some(&[1])];
        let mut buf = BytesMut::new();
        bind(
            "",
            "",
            &[Format::Text, Format::Binary],
            2,
            encode_all(&values),
            &[Format::Binary, Format::Text],
            &mut buf,
        )
        .unwrap();
        let want: &[u8] =
            b"B\0\0\0\x1e\0\0\0\x02\0\0\0\x01\0\x02\0\0\0\x01a\0\0\0\x01\x01\0\x02\0\x01\0\0";
        assert_eq!(&buf[..], want);
    }

    #[test]
    fn encoder_error_restores_buffer() {
        let mut buf = BytesMut::from(&b"S\0\0\0\x04"[..]);
        let err = bind(
            "",
            "",
            &[],
            3,
            |i, buf| {
                buf.put_slice(b"xxxx");
                if i == 1 {
                    Err("boom".into())
                } else {
                    Ok(IsNull::No)
                }
            },
            &[],
            &mut buf,
        )
        .unwrap_err();
        match err {
            ProtocolError::EncodeParam { index, source } => {
                assert_eq!(index, 1);
                assert_eq!(source.to_string(), "boom");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(&buf[..], b"S\0\0\0\x04");
    }

    #[test]
    fn shrinking_encoder_is_an_error() {
        let mut buf = BytesMut::new();
        let err = bind(
            "",
            "",
            &[],
            1,
            |_, buf| {
                buf.clear();
                Ok(IsNull::No)
            },
            &[],
            &mut buf,
        )
        .unwrap_err();
        assert!(matches!(err, ProtocolError::EncodeParam { index: 0, .. }));
        assert!(buf.is_empty());
    }

    #[test]
    fn format_count_mismatch() {
        let mut buf = BytesMut::new();
        let err = bind(
            "",
            "",
            &[Format::Text, Format::Binary],
            3,
            |_, _| Ok(IsNull::Yes),
            &[],
            &mut buf,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::FormatCountMismatch {
                formats: 2,
                params: 3
            }
        ));
    }

    #[test]
    fn too_many_params() {
        let mut buf = BytesMut::new();
        let err = bind("", "", &[], 70_000, |_, _| Ok(IsNull::Yes), &[], &mut buf).unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::TooManyValues { count: 70_000, .. }
        ));
        bind("", "", &[], 65_535, |_, _| Ok(IsNull::Yes), &[], &mut buf).unwrap();
    }
}
