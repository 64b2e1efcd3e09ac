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
    fn accepts(ty: &PgType, format: Format) -> bool {
        ty.base_oid() == oid::BYTEA && format == Format::Binary
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        value.non_null().map(Bytes::copy_from_slice)
    }
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
    }
}
