//! `uuid` as `uuid::Uuid`: sixteen bytes in binary, the hyphenated form in text.

use bytes::{BufMut, BytesMut};
use uuid::Uuid;

use super::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

impl Type for Uuid {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::UUID
    }
}

impl Encode for Uuid {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_slice(self.as_bytes());
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Uuid as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Uuid {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Uuid as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        match value.format() {
            Format::Text => Ok(Uuid::parse_str(text(raw)?)?),
            Format::Binary => Uuid::from_slice(raw).map_err(|_| {
                Box::new(InvalidLength {
                    expected: 16,
                    found: raw.len(),
                }) as BoxError
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trip(bytes in any::<[u8; 16]>()) {
            let ty = PgType::resolve(oid::UUID);
            let id = Uuid::from_bytes(bytes);
            let mut buf = BytesMut::new();
            id.encode(&ty, &mut buf).unwrap();
            prop_assert_eq!(Uuid::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(), id);
            let s = id.to_string();
            prop_assert_eq!(Uuid::decode(ValueRef::new(Some(s.as_bytes()), Format::Text, &ty)).unwrap(), id);
        }
    }

    #[test]
    fn wrong_length_is_an_error() {
        let ty = PgType::resolve(oid::UUID);
        assert!(Uuid::decode(ValueRef::new(Some(&[0; 15]), Format::Binary, &ty)).is_err());
        assert!(Uuid::decode(ValueRef::new(Some(b"nope"), Format::Text, &ty)).is_err());
    }
}
