//! Rust tuples (up to 12 elements) as records: they decode anonymous records (`SELECT (1, 'a')`
//! into `(i32, String)`) and composites with as many fields, and encode as composite parameters
//! (PostgreSQL cannot receive an anonymous `record` parameter), in binary or, when an element can
//! only go in text, as a record literal ([`CompositeEncoder::format_for`]).

use bytes::BytesMut;

use super::composite::{CompositeDecoder, CompositeEncoder, CompositeError, composite_fields};
use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid};

macro_rules! tuple {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: Type),+> Type for ($($t,)+) {
            fn accepts(ty: &PgType) -> bool {
                composite_fields(ty).is_some_and(|f| {
                    f.len() == $n $(&& f.get($i).is_some_and(|f| <$t as Type>::accepts(&f.ty)))+
                })
            }
        }

        impl<$($t: Encode + Type),+> Encode for ($($t,)+) {
            fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                let format = Encode::format(self, ty);
                let mut enc = CompositeEncoder::with_format(ty, format, buf)?;
                $(enc.field(stringify!($i), &self.$i)?;)+
                enc.finish()
            }
            fn accepts(&self, ty: &PgType) -> bool {
                <Self as Type>::accepts(ty)
            }
            fn format(&self, ty: &PgType) -> Format {
                CompositeEncoder::format_for(ty, &[$(&self.$i as &dyn Encode),+])
            }
        }

        impl<'r, $($t: Decode<'r>),+> Decode<'r> for ($($t,)+) {
            fn accepts(ty: &PgType, _format: Format) -> bool {
                // An anonymous record's field types are only known from the data.
                ty.base_oid() == oid::RECORD
                    || composite_fields(ty).is_some_and(|f| f.len() == $n)
            }
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                let mut dec = CompositeDecoder::new(value)?;
                check_count(&dec, value.ty(), $n)?;
                Ok(($(dec.field::<$t>(concat!("#", stringify!($i)))?,)+))
            }
            fn decode_copy(value: ValueRef<'_>) -> Result<Self, BoxError> {
                let mut dec = CompositeDecoder::new(value)?;
                check_count(&dec, value.ty(), $n)?;
                Ok(($(dec.field_copy::<$t>(concat!("#", stringify!($i)))?,)+))
            }
        }
    };
}

/// A tuple of `n` elements reads a record of `n` fields only.
fn check_count(dec: &CompositeDecoder<'_>, ty: &PgType, n: usize) -> Result<(), BoxError> {
    if dec.remaining() != n {
        return Err(CompositeError::FieldCount {
            ty: ty.name().to_owned(),
            expected: dec.remaining(),
            found: n,
        }
        .into());
    }
    Ok(())
}

tuple!(1: A 0);
tuple!(2: A 0, B 1);
tuple!(3: A 0, B 1, C 2);
tuple!(4: A 0, B 1, C 2, D 3);
tuple!(5: A 0, B 1, C 2, D 3, E 4);
tuple!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

#[cfg(test)]
mod tests {
    use bytes::BufMut;

    use super::*;
    use crate::types::{Field, Kind};

    #[test]
    fn anonymous_record_into_tuple() {
        let mut raw = BytesMut::new();
        raw.put_i32(2);
        raw.put_u32(oid::INT4);
        raw.put_i32(4);
        raw.put_i32(1);
        raw.put_u32(oid::TEXT);
        raw.put_i32(1);
        raw.put_u8(b'a');
        let record = PgType::resolve(oid::RECORD);
        let value = ValueRef::new(Some(&raw), Format::Binary, &record);
        assert_eq!(<(i32, String)>::decode(value).unwrap(), (1, "a".to_owned()));
        assert!(<(i32, String, i32)>::decode(value).is_err());
        let err = <(i32, i32)>::decode(value).unwrap_err().to_string();
        assert!(err.contains("#1") && err.contains("text"), "{err}");
    }

    #[test]
    fn tuple_encodes_as_composite() {
        let ty = PgType::new(
            90_001,
            "pair",
            "public",
            Kind::Composite(vec![
                Field {
                    name: "a".into(),
                    ty: PgType::resolve(oid::INT8),
                },
                Field {
                    name: "b".into(),
                    ty: PgType::resolve(oid::TEXT),
                },
            ]),
        );
        assert!(<(i64, &str) as Type>::accepts(&ty));
        assert!(!<(bool, &str) as Type>::accepts(&ty));
        let mut buf = BytesMut::new();
        (7i64, "x").encode(&ty, &mut buf).unwrap();
        let back = <(i64, String)>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(back, (7, "x".to_owned()));
    }
}
