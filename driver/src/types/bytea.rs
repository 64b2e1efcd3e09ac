//! `bytea` as `bytes::Bytes` (copied out of the row; `Vec<u8>` and `&[u8]` live in types/text.rs).

use bytes::{BufMut, Bytes, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid};

impl Type for Bytes {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
}

impl Encode for Bytes {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_slice(self);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        ty.base_oid() == oid::BYTEA
    }
}

impl<'r> Decode<'r> for Bytes {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        ty.base_oid() == oid::BYTEA
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        if value.format() == Format::Text {
            return parse_text(value.non_null()?).map(Bytes::from);
        }
        value.non_null().map(Bytes::copy_from_slice)
    }
}

/// A `bytea` in text (a field of a composite received in text): `\x` and hex digits, or the
/// older escape format (`\\` for a backslash, `\ooo` for any byte, other bytes as themselves).
pub(crate) fn parse_text(raw: &[u8]) -> Result<Vec<u8>, BoxError> {
    let invalid = || BoxError::from("invalid bytea text");
    if let Some(hex) = raw.strip_prefix(b"\\x") {
        let digit = |b: u8| char::from(b).to_digit(16).ok_or_else(invalid);
        let mut out = Vec::with_capacity(hex.len() / 2);
        let mut digits = hex.iter().filter(|b| !b.is_ascii_whitespace());
        while let Some(&high) = digits.next() {
            let &low = digits.next().ok_or_else(invalid)?;
            out.push(u8::try_from(digit(high)? * 16 + digit(low)?).map_err(|_| invalid())?);
        }
        return Ok(out);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match rest {
            [b'\\', tail @ ..] => {
                out.push(b'\\');
                rest = tail;
            }
            [a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', tail @ ..] => {
                out.push((a - b'0') * 64 + (b - b'0') * 8 + (c - b'0'));
                rest = tail;
            }
            _ => return Err(invalid()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let ty = PgType::resolve(oid::BYTEA);
        let v = Bytes::from_static(b"\x00\xffab");
        let mut buf = BytesMut::new();
        v.encode(&ty, &mut buf).unwrap();
        assert_eq!(
            Bytes::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(),
            v
        );
        assert!(Bytes::decode(ValueRef::new(None, Format::Binary, &ty)).is_err());
        let text = |raw: &[u8]| Bytes::decode(ValueRef::new(Some(raw), Format::Text, &ty));
        assert_eq!(text(b"\\x00ff6162").unwrap(), v);
        assert_eq!(text(b"\\000\\377ab").unwrap(), v);
        assert_eq!(text(b"a\\\\b").unwrap(), Bytes::from_static(b"a\\b"));
        for bad in [&b"\\x0"[..], b"\\xzz", b"\\9", b"a\\"] {
            assert!(text(bad).is_err(), "{bad:?}");
        }
    }
}
