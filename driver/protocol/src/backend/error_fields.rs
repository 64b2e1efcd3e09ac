//! `ErrorFields`: the body of ErrorResponse and NoticeResponse, a list of (field type, value)
//! pairs validated once at parse time and iterated without allocation.

use std::fmt;

use bytes::Bytes;

use super::reader::Reader;
use crate::ProtocolError;

/// The fields of an ErrorResponse or NoticeResponse: severity (`S`, `V`), SQLSTATE (`C`),
/// message (`M`), detail (`D`), hint (`H`), position (`P`) and the others the server sends.
///
/// ```
/// use bytes::BytesMut;
/// use quarry_protocol::backend::{parse_message, Message};
///
/// let mut buf = BytesMut::from(&b"E\0\0\0\x13SERROR\0C42P01\0\0"[..]);
/// let Some(Message::ErrorResponse(fields)) = parse_message(&mut buf)? else { panic!() };
/// assert_eq!(fields.get(b'C'), Some("42P01"));
/// for field in fields.iter() {
///     let (code, value) = field?;
///     println!("{} = {value}", char::from(code));
/// }
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorFields(Bytes);

impl ErrorFields {
    /// Validates `body` (pairs of a type byte and a UTF-8 C string, ended by a 0 byte).
    pub(super) fn parse(body: Bytes, message: &'static str) -> Result<ErrorFields, ProtocolError> {
        let mut reader = Reader::new(&body, message);
        loop {
            if reader.u8()? == 0 {
                break;
            }
            reader.cstr()?;
        }
        reader.finish()?;
        Ok(ErrorFields(body))
    }

    /// The fields in the order the server sent them, as (field type byte, value).
    pub fn iter(&self) -> ErrorFieldIter<'_> {
        ErrorFieldIter {
            reader: Reader::new(&self.0, "ErrorResponse"),
            done: false,
        }
    }

    /// The value of the first field of type `code` (for example `b'C'` for the SQLSTATE).
    pub fn get(&self, code: u8) -> Option<&str> {
        self.iter()
            .filter_map(Result::ok)
            .find(|&(c, _)| c == code)
            .map(|(_, value)| value)
    }
}

impl fmt::Debug for ErrorFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for field in self.iter() {
            match field {
                Ok((code, value)) => map.entry(&char::from(code), &value),
                Err(e) => map.entry(&"error", &e),
            };
        }
        map.finish()
    }
}

/// Iterator over the fields of [`ErrorFields`]: yields `(field type, value)`.
pub struct ErrorFieldIter<'a> {
    reader: Reader<'a>,
    done: bool,
}

impl<'a> Iterator for ErrorFieldIter<'a> {
    type Item = Result<(u8, &'a str), ProtocolError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let field = match self.reader.u8() {
            Ok(0) => {
                self.done = true;
                return None;
            }
            Ok(code) => self.reader.cstr().map(|value| (code, value)),
            Err(e) => Err(e),
        };
        if field.is_err() {
            self.done = true;
        }
        Some(field)
    }
}

impl fmt::Debug for ErrorFieldIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorFieldIter")
            .field("offset", &self.reader.position())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &'static [u8]) -> Result<ErrorFields, ProtocolError> {
        ErrorFields::parse(Bytes::from_static(body), "ErrorResponse")
    }

    #[test]
    fn iterates_fields() {
        let f = parse(b"SERROR\0C23505\0Mduplicate key\0\0").unwrap();
        let all: Vec<_> = f.iter().map(Result::unwrap).collect();
        assert_eq!(
            all,
            [(b'S', "ERROR"), (b'C', "23505"), (b'M', "duplicate key")]
        );
        assert_eq!(f.get(b'M'), Some("duplicate key"));
        assert_eq!(f.get(b'D'), None);
        assert_eq!(
            format!("{f:?}"),
            r#"{'S': "ERROR", 'C': "23505", 'M': "duplicate key"}"#
        );
    }

    #[test]
    fn empty_list() {
        let f = parse(b"\0").unwrap();
        assert_eq!(f.iter().count(), 0);
    }

    #[test]
    fn malformed() {
        assert!(matches!(parse(b""), Err(ProtocolError::Truncated { .. })));
        assert!(matches!(
            parse(b"SERROR\0"),
            Err(ProtocolError::Truncated { .. })
        ));
        assert!(matches!(
            parse(b"SERROR"),
            Err(ProtocolError::MissingNul { .. })
        ));
        assert!(matches!(
            parse(b"S\xff\0\0"),
            Err(ProtocolError::InvalidUtf8 { .. })
        ));
        assert!(matches!(
            parse(b"\0x"),
            Err(ProtocolError::TrailingBytes { .. })
        ));
    }
}
