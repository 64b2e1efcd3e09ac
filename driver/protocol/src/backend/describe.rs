//! Result and COPY shapes: `FieldDescription` (one RowDescription column) and `CopyResponse`
//! (the formats announced by CopyIn/CopyOut/CopyBothResponse).

use super::reader::Reader;
use crate::{Format, Oid, ProtocolError};

/// One column of a RowDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDescription {
    /// The column name (or alias).
    pub name: String,
    /// The OID of the table the column comes from, or 0.
    pub table_oid: Oid,
    /// The column's attribute number in that table, or 0.
    pub column_id: i16,
    /// The OID of the column's type.
    pub type_oid: Oid,
    /// The type's size (`pg_type.typlen`); negative for variable-width types.
    pub type_size: i16,
    /// The type modifier (`pg_attribute.atttypmod`), for example a varchar length; -1 if none.
    pub type_modifier: i32,
    /// The format the column's values will arrive in.
    pub format: Format,
}

/// The smallest encoding of a field: an empty name plus 18 bytes of fixed fields.
const MIN_FIELD_LEN: usize = 19;

/// Decodes the body of a RowDescription.
pub(super) fn row_description(body: &[u8]) -> Result<Vec<FieldDescription>, ProtocolError> {
    let mut r = Reader::new(body, "RowDescription");
    let count = usize::from(r.u16()?);
    let mut fields = Vec::with_capacity(count.min(r.remaining() / MIN_FIELD_LEN));
    for _ in 0..count {
        fields.push(FieldDescription {
            name: r.cstr()?.to_owned(),
            table_oid: r.u32()?,
            column_id: r.i16()?,
            type_oid: r.u32()?,
            type_size: r.i16()?,
            type_modifier: r.i32()?,
            format: r.format()?,
        });
    }
    r.finish()?;
    Ok(fields)
}

/// The formats of a COPY operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyResponse {
    /// The overall format: text (rows separated by newlines) or binary.
    pub format: Format,
    /// The format of each column (all text when `format` is text).
    pub column_formats: Vec<Format>,
}

/// Decodes the body of a CopyInResponse, CopyOutResponse or CopyBothResponse.
pub(super) fn copy_response(
    body: &[u8],
    message: &'static str,
) -> Result<CopyResponse, ProtocolError> {
    let mut r = Reader::new(body, message);
    let code = i16::from(r.u8()?);
    let format = Format::from_code(code).ok_or(ProtocolError::InvalidFormat { message, code })?;
    let count = usize::from(r.u16()?);
    let mut column_formats = Vec::with_capacity(count.min(r.remaining() / 2));
    for _ in 0..count {
        column_formats.push(r.format()?);
    }
    r.finish()?;
    Ok(CopyResponse {
        format,
        column_formats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_description_two_fields() {
        let body: &[u8] = b"\0\x02\
            id\0\0\0\x40\0\0\x01\0\0\0\x17\0\x04\xff\xff\xff\xff\0\x01\
            n\0\0\0\0\0\0\0\0\0\0\x19\xff\xff\0\0\0\x0a\0\0";
        let fields = row_description(body).unwrap();
        assert_eq!(
            fields,
            [
                FieldDescription {
                    name: "id".into(),
                    table_oid: 0x4000,
                    column_id: 1,
                    type_oid: 23,
                    type_size: 4,
                    type_modifier: -1,
                    format: Format::Binary,
                },
                FieldDescription {
                    name: "n".into(),
                    table_oid: 0,
                    column_id: 0,
                    type_oid: 25,
                    type_size: -1,
                    type_modifier: 10,
                    format: Format::Text,
                },
            ]
        );
    }

    #[test]
    fn row_description_errors() {
        assert!(matches!(
            row_description(b"\0\x01a\0\0\0\0\0\0\0\0\0\0\x19\xff\xff\0\0\0\x0a\0\x02"),
            Err(ProtocolError::InvalidFormat { code: 2, .. })
        ));
        assert!(matches!(
            row_description(b"\0\x01a\0\0\0"),
            Err(ProtocolError::Truncated { .. })
        ));
        assert!(matches!(
            row_description(b"\xff\xff"),
            Err(ProtocolError::MissingNul { .. })
        ));
        assert!(matches!(
            row_description(b"\0\0x"),
            Err(ProtocolError::TrailingBytes { .. })
        ));
    }

    #[test]
    fn copy_response_formats() {
        let r = copy_response(b"\x01\0\x02\0\x01\0\x01", "CopyOutResponse").unwrap();
        assert_eq!(r.format, Format::Binary);
        assert_eq!(r.column_formats, [Format::Binary, Format::Binary]);
        let r = copy_response(b"\0\0\0", "CopyInResponse").unwrap();
        assert_eq!(r.column_formats, []);
        assert!(copy_response(b"\x02\0\0", "CopyInResponse").is_err());
        assert!(copy_response(b"\0\0\x01\0", "CopyInResponse").is_err());
    }
}
