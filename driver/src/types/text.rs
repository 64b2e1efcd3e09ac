//! Text and bytes: `String`/`&str` for text-like types (and any type received as text),
//! `Vec<u8>`/`&[u8]` for `bytea`.
//!
//! `json` and `jsonb` are text too: raw JSON goes in and out as `String`/`&str` (`jsonb`'s binary
//! form is a version byte, 1, then the text). `citext` (an extension type, matched by name) is
//! text-like.

use bytes::{BufMut, BytesMut};

use super::{
    BoxError, Decode, Encode, Format, IsNull, Kind, MacAddr, MacAddr8, Oid, PgType, Type, ValueRef,
    oid, text,
};

/// Text parameters go to text-like types, json and xml (whose binary input is text), and to
/// types this connection has not looked up, whose binary input is commonly their text form.
fn encodes_text(ty: &PgType) -> bool {
    oid::is_text_like(ty.base_oid())
        || matches!(ty.base_oid(), oid::JSON | oid::JSONB | oid::XML)
        || is_citext(ty)
        || match ty.kind() {
            Kind::Unknown | Kind::Enum(_) => true,
            Kind::Domain(base) => encodes_text(base),
            // Extension types looked up by name (citext, ...) keep being sent as text, as when
            // they were unknown; hstore has its own codec.
            Kind::Base => super::registry::is_user_oid(ty.base_oid()) && ty.name() != "hstore",
            _ => false,
        }
}

/// A type Quarry has no binary codec for (`jsonpath`, `txid_snapshot`, `money`, a composite
/// with such a field, ...), or one whose binary form is not its text but which `String` reads
/// (`macaddr`, `macaddr8`): a `String` is sent to it in text format, as it is read.
fn encodes_as_text(ty: &PgType) -> bool {
    ty.codec().is_none()
        && (!ty.has_binary_codec() || renders_binary(ty.base_oid()))
        && !encodes_text(ty)
}

/// Built-in types received in binary that a `String` reads by printing the value as the server
/// would (their text form depends on no setting), and sends in text.
fn renders_binary(oid: Oid) -> bool {
    matches!(oid, oid::MACADDR | oid::MACADDR8)
}

/// The format a text parameter of type `ty` is sent in.
fn text_format(ty: &PgType) -> Format {
    if encodes_as_text(ty) {
        Format::Text
    } else {
        Format::Binary
    }
}

/// A `String` or `&str` decodes any column received in text format, and text-like and JSON
/// columns in binary.
fn decodes_text(ty: &PgType, format: Format) -> bool {
    format == Format::Text
        || oid::is_text_like(ty.base_oid())
        || matches!(ty.base_oid(), oid::JSON | oid::JSONB)
        || is_citext(ty)
}

/// `citext`, an extension type with a per-database OID, is recognised by name.
pub(crate) fn is_citext(ty: &PgType) -> bool {
    ty.name() == "citext"
}

/// The version byte that starts `jsonb`'s binary form.
pub(super) const JSONB_VERSION: u8 = 1;

/// The JSON text of a `json`/`jsonb` value (without `jsonb`'s binary version byte).
pub(super) fn json_text<'r>(value: &ValueRef<'r>) -> Result<&'r [u8], BoxError> {
    let raw = value.non_null()?;
    if value.format() == Format::Binary && value.ty().base_oid() == oid::JSONB {
        match raw.split_first() {
            Some((&JSONB_VERSION, rest)) => Ok(rest),
            Some((version, _)) => Err(format!("unsupported jsonb binary version {version}").into()),
            None => Err("empty jsonb binary value".into()),
        }
    } else {
        Ok(raw)
    }
}

impl Type for str {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        encodes_text(ty) || encodes_as_text(ty)
    }
}

impl Type for String {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        encodes_text(ty) || encodes_as_text(ty)
    }
}

/// A text parameter held a NUL byte, which no PostgreSQL text type can store.
///
/// ```
/// use bytes::BytesMut;
/// use quarry_driver::types::{Encode, PgType};
/// let err = "a\0b".encode(&PgType::resolve(25), &mut BytesMut::new()).unwrap_err();
/// assert!(err.to_string().contains("NUL"));
/// ```
#[derive(Debug, thiserror::Error)]
#[error(
    "text value contains a NUL byte (\\0) at byte {position}: PostgreSQL text types cannot hold NUL; send such data as bytea"
)]
pub struct NulInText {
    /// The byte offset of the first NUL.
    pub position: usize,
}

/// The position of the first NUL byte. Short strings (most values) are scanned inline: the
/// vectorised search only pays off on longer ones.
fn find_nul(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 64 {
        bytes.iter().position(|&b| b == 0)
    } else {
        memchr::memchr(0, bytes)
    }
}

impl Encode for str {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        if let Some(position) = find_nul(self.as_bytes()) {
            return Err(Box::new(NulInText { position }));
        }
        if ty.base_oid() == oid::JSONB {
            buf.put_u8(JSONB_VERSION);
        }
        buf.put_slice(self.as_bytes());
        Ok(IsNull::No)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        <str as Type>::accepts(ty)
    }
    fn rust_type(&self) -> &'static str {
        "&str"
    }
    #[inline]
    fn format(&self, ty: &PgType) -> Format {
        text_format(ty)
    }
}

impl Encode for String {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.as_str().encode(ty, buf)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        <str as Type>::accepts(ty)
    }
    #[inline]
    fn format(&self, ty: &PgType) -> Format {
        text_format(ty)
    }
}

impl<'r> Decode<'r> for &'r str {
    #[inline]
    fn accepts(ty: &PgType, format: Format) -> bool {
        decodes_text(ty, format)
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        text(json_text(&value)?)
    }
}

impl<'r> Decode<'r> for String {
    #[inline]
    fn accepts(ty: &PgType, format: Format) -> bool {
        decodes_text(ty, format) || renders_binary(ty.base_oid())
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        if value.format() == Format::Binary {
            match value.ty().base_oid() {
                oid::MACADDR => return MacAddr::decode(value).map(|mac| mac.to_string()),
                oid::MACADDR8 => return MacAddr8::decode(value).map(|mac| mac.to_string()),
                _ => {}
            }
        }
        text(json_text(&value)?).map(str::to_owned)
    }
    super::decode_copy_owned!();
}

impl Type for [u8] {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
}

impl Type for Vec<u8> {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
}

impl Encode for [u8] {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_slice(self);
        Ok(IsNull::No)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
    fn rust_type(&self) -> &'static str {
        "&[u8]"
    }
}

impl Encode for Vec<u8> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.as_slice().encode(ty, buf)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
}

impl<'r> Decode<'r> for &'r [u8] {
    #[inline]
    fn accepts(ty: &PgType, format: Format) -> bool {
        ty.base_oid() == oid::BYTEA && format == Format::Binary
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        value.non_null()
    }
}

impl<'r> Decode<'r> for Vec<u8> {
    crate::types::decode_copy_owned!();
    #[inline]
    fn accepts(ty: &PgType, _format: Format) -> bool {
        ty.base_oid() == oid::BYTEA
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        if value.format() == Format::Text {
            return super::bytea::parse_text(value.non_null()?);
        }
        value.non_null().map(<[u8]>::to_vec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_decodes_any_text_format_column() {
        let numeric = PgType::resolve(oid::NUMERIC);
        let int4 = PgType::resolve(oid::INT4);
        let text_ty = PgType::resolve(oid::TEXT);
        assert!(<String as Decode>::accepts(&numeric, Format::Text));
        assert!(!<String as Decode>::accepts(&int4, Format::Binary));
        let s = <&str>::decode(ValueRef::new(Some(b"hi"), Format::Binary, &text_ty)).unwrap();
        assert_eq!(s, "hi");
        assert!(String::decode(ValueRef::new(Some(&[0xff]), Format::Binary, &text_ty)).is_err());
    }
}
