//! NULL and indirection: `Option<T>` is NULL-able, `&T`, `Box<T>` and friends encode like `T`.

use bytes::BytesMut;

use super::{BoxError, Decode, Encode, Format, IsNull, Oid};

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Some(value) => value.encode(buf),
            None => Ok(IsNull::Yes),
        }
    }
    fn accepts(&self, oid: Oid) -> bool {
        match self {
            Some(value) => value.accepts(oid),
            // A NULL fits any parameter type, but only when `T` itself could be sent there:
            // without a value we cannot ask, so NULL is accepted everywhere.
            None => true,
        }
    }
    fn rust_type(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}

impl<'r, T: Decode<'r>> Decode<'r> for Option<T> {
    fn accepts(oid: Oid, format: Format) -> bool {
        T::accepts(oid, format)
    }
    fn decode(raw: Option<&'r [u8]>, format: Format, oid: Oid) -> Result<Self, BoxError> {
        match raw {
            Some(_) => T::decode(raw, format, oid).map(Some),
            None => Ok(None),
        }
    }
    fn rust_type() -> &'static str {
        std::any::type_name::<Self>()
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        (**self).encode(buf)
    }
    fn accepts(&self, oid: Oid) -> bool {
        (**self).accepts(oid)
    }
    fn rust_type(&self) -> &'static str {
        (**self).rust_type()
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        (**self).encode(buf)
    }
    fn accepts(&self, oid: Oid) -> bool {
        (**self).accepts(oid)
    }
    fn rust_type(&self) -> &'static str {
        (**self).rust_type()
    }
}
