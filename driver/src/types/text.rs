//! Text and bytes: `String`/`&str` for text-like types (and any type received as text),
//! `Vec<u8>`/`&[u8]` for `bytea`.

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, Oid, non_null, oid, text};

/// Text parameters go to any text-like type and to `unknown`-typed or user types that the server
/// takes as text input (an `int4` parameter given as `&str` is refused: the server would reject the
/// bytes as binary `int4`).
fn encodes_text(oid: Oid) -> bool {
    oid::is_text_like(oid) || oid == oid::JSON || oid == oid::XML
}

/// A `String` or `&str` decodes any column received in text format, and text-like columns in binary.
fn decodes_text(oid: Oid, format: Format) -> bool {
    format == Format::Text || oid::is_text_like(oid)
}

impl Encode for str {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_slice(self.as_bytes());
        Ok(IsNull::No)
    }
    fn accepts(&self, oid: Oid) -> bool {
        encodes_text(oid)
    }
    fn rust_type(&self) -> &'static str {
        "&str"
    }
}

impl Encode for String {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.as_str().encode(buf)
    }
    fn accepts(&self, oid: Oid) -> bool {
        encodes_text(oid)
    }
}

impl<'r> Decode<'r> for &'r str {
    fn accepts(oid: Oid, format: Format) -> bool {
        decodes_text(oid, format)
    }
    fn decode(raw: Option<&'r [u8]>, _format: Format, _oid: Oid) -> Result<Self, BoxError> {
        text(non_null(raw)?)
    }
}

impl<'r> Decode<'r> for String {
    fn accepts(oid: Oid, format: Format) -> bool {
        decodes_text(oid, format)
    }
    fn decode(raw: Option<&'r [u8]>, _format: Format, _oid: Oid) -> Result<Self, BoxError> {
        text(non_null(raw)?).map(str::to_owned)
    }
}

impl Encode for [u8] {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_slice(self);
        Ok(IsNull::No)
    }
    fn accepts(&self, oid: Oid) -> bool {
        oid == oid::BYTEA
    }
    fn rust_type(&self) -> &'static str {
        "&[u8]"
    }
}

impl Encode for Vec<u8> {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.as_slice().encode(buf)
    }
    fn accepts(&self, oid: Oid) -> bool {
        oid == oid::BYTEA
    }
}

impl<'r> Decode<'r> for &'r [u8] {
    fn accepts(oid: Oid, format: Format) -> bool {
        oid == oid::BYTEA && format == Format::Binary
    }
    fn decode(raw: Option<&'r [u8]>, _format: Format, _oid: Oid) -> Result<Self, BoxError> {
        non_null(raw)
    }
}

impl<'r> Decode<'r> for Vec<u8> {
    fn accepts(oid: Oid, format: Format) -> bool {
        oid == oid::BYTEA && format == Format::Binary
    }
    fn decode(raw: Option<&'r [u8]>, _format: Format, _oid: Oid) -> Result<Self, BoxError> {
        non_null(raw).map(<[u8]>::to_vec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_decodes_any_text_format_column() {
        assert!(<String as Decode>::accepts(oid::NUMERIC, Format::Text));
        assert!(!<String as Decode>::accepts(oid::INT4, Format::Binary));
        let s: &str = Decode::decode(Some(b"hi"), Format::Binary, oid::TEXT).unwrap();
        assert_eq!(s, "hi");
        assert!(<String as Decode>::decode(Some(&[0xff]), Format::Binary, oid::TEXT).is_err());
    }
}
