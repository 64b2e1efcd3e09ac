//! NULL and indirection: `Option<T>` is NULL-able, `&T`, `Box<T>` and friends encode like `T`.

use bytes::BytesMut;

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef};

impl<T: Type> Type for Option<T> {
    fn accepts(ty: &PgType) -> bool {
        <T as Type>::accepts(ty)
    }
}

impl<T: Encode + Type> Encode for Option<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Some(value) => value.encode(ty, buf),
            None => Ok(IsNull::Yes),
        }
    }
    fn accepts(&self, ty: &PgType) -> bool {
        // A NULL is checked like a value would be: `None::<i32>` is no `text` parameter.
        <T as Type>::accepts(ty)
    }
    fn rust_type(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
    fn format(&self, ty: &PgType) -> Format {
        match self {
            Some(value) => value.format(ty),
            None => Format::Binary,
        }
    }
    fn is_null(&self) -> bool {
        match self {
            Some(value) => value.is_null(),
            None => true,
        }
    }
}

impl<'r, T: Decode<'r>> Decode<'r> for Option<T> {
    fn accepts(ty: &PgType, format: Format) -> bool {
        T::accepts(ty, format)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        if value.is_null() {
            Ok(None)
        } else {
            T::decode(value).map(Some)
        }
    }
    fn decode_copy(value: ValueRef<'_>) -> Result<Self, BoxError> {
        if value.is_null() {
            Ok(None)
        } else {
            T::decode_copy(value).map(Some)
        }
    }
    fn rust_type() -> &'static str {
        std::any::type_name::<Self>()
    }
}

impl<T: Type + ?Sized> Type for &T {
    fn accepts(ty: &PgType) -> bool {
        <T as Type>::accepts(ty)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        (**self).encode(ty, buf)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        (**self).accepts(ty)
    }
    fn rust_type(&self) -> &'static str {
        (**self).rust_type()
    }
    fn format(&self, ty: &PgType) -> Format {
        (**self).format(ty)
    }
    fn is_null(&self) -> bool {
        (**self).is_null()
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        (**self).encode(ty, buf)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        (**self).accepts(ty)
    }
    fn rust_type(&self) -> &'static str {
        (**self).rust_type()
    }
    fn format(&self, ty: &PgType) -> Format {
        (**self).format(ty)
    }
    fn is_null(&self) -> bool {
        (**self).is_null()
    }
}
