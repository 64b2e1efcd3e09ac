//! Custom codecs: user encoder/decoder pairs registered per connection for a PostgreSQL type by
//! name (`Connection::set_type_codec`), the built-in codecs a type can be aliased to
//! (`Connection::set_builtin_type_codec`), and [`Custom<T>`], the typed way to send and receive
//! values through a registered codec.
//!
//! A codec is attached to the connection's [`PgType`] of its type, so it decides the format
//! columns of that type are requested in, and [`Value`](super::Value) (hence `Record`'s Debug)
//! decodes through it into a [`Value::Custom`](super::Value::Custom).

use std::any::{Any, TypeId, type_name};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef};

type EncodeFn = dyn Fn(&dyn Any, &mut BytesMut) -> Result<(), BoxError> + Send + Sync;
type DecodeFn = dyn Fn(&[u8]) -> Result<Box<dyn Any + Send + Sync>, BoxError> + Send + Sync;
type FmtFn = fn(&(dyn Any + Send + Sync), &mut fmt::Formatter<'_>) -> fmt::Result;

/// An encoder/decoder pair for one PostgreSQL type, working on the Rust type `T` it was built for.
///
/// Text codecs exchange PostgreSQL's text form (`Fn(&T) -> String`, `Fn(&str) -> T`); binary
/// codecs its binary wire form. The format also decides how columns of the type are requested.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::types::{BoxError, Custom, TypeCodec};
/// conn.set_type_codec(
///     "numeric",
///     TypeCodec::text(
///         |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
///         |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
///     ),
/// )
/// .await?;
/// let Custom(x): Custom<f64> = conn.fetch_val("SELECT $1::numeric", &[&Custom(11.123f64)]).await?;
/// # Ok(()) }
/// ```
pub struct TypeCodec {
    format: Format,
    type_id: TypeId,
    rust_type: &'static str,
    encode: Box<EncodeFn>,
    decode: Box<DecodeFn>,
    fmt: FmtFn,
}

impl TypeCodec {
    /// A codec exchanging the type's text form.
    ///
    /// ```
    /// use quarry_driver::types::{BoxError, Format, TypeCodec};
    /// let codec = TypeCodec::text(
    ///     |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
    ///     |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
    /// );
    /// assert_eq!(codec.format(), Format::Text);
    /// ```
    pub fn text<T, E, D>(encoder: E, decoder: D) -> TypeCodec
    where
        T: fmt::Debug + Send + Sync + 'static,
        E: Fn(&T) -> Result<String, BoxError> + Send + Sync + 'static,
        D: Fn(&str) -> Result<T, BoxError> + Send + Sync + 'static,
    {
        TypeCodec::build::<T>(
            Format::Text,
            Box::new(move |value, buf| {
                let text = encoder(downcast::<T>(value)?)?;
                buf.put_slice(text.as_bytes());
                Ok(())
            }),
            Box::new(move |raw| {
                let text = std::str::from_utf8(raw)?;
                Ok(Box::new(decoder(text)?))
            }),
        )
    }

    /// A codec exchanging the type's binary wire form (what the type's `send`/`recv` functions use).
    ///
    /// ```
    /// use quarry_driver::types::{BoxError, Format, TypeCodec};
    /// let codec = TypeCodec::binary(
    ///     |x: &i32| -> Result<Vec<u8>, BoxError> { Ok(x.to_be_bytes().to_vec()) },
    ///     |raw: &[u8]| -> Result<i32, BoxError> { Ok(i32::from_be_bytes(raw.try_into()?)) },
    /// );
    /// assert_eq!(codec.format(), Format::Binary);
    /// ```
    pub fn binary<T, E, D>(encoder: E, decoder: D) -> TypeCodec
    where
        T: fmt::Debug + Send + Sync + 'static,
        E: Fn(&T) -> Result<Vec<u8>, BoxError> + Send + Sync + 'static,
        D: Fn(&[u8]) -> Result<T, BoxError> + Send + Sync + 'static,
    {
        TypeCodec::build::<T>(
            Format::Binary,
            Box::new(move |value, buf| {
                let bytes = encoder(downcast::<T>(value)?)?;
                buf.put_slice(&bytes);
                Ok(())
            }),
            Box::new(move |raw| Ok(Box::new(decoder(raw)?))),
        )
    }

    fn build<T: fmt::Debug + Send + Sync + 'static>(
        format: Format,
        encode: Box<EncodeFn>,
        decode: Box<DecodeFn>,
    ) -> TypeCodec {
        TypeCodec {
            format,
            type_id: TypeId::of::<T>(),
            rust_type: type_name::<T>(),
            encode,
            decode,
            fmt: debug_any::<T>,
        }
    }

    /// The format values are exchanged in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The Rust type the codec converts to and from.
    pub fn rust_type(&self) -> &'static str {
        self.rust_type
    }

    /// Whether the codec converts to and from `T`.
    pub fn handles<T: Any>(&self) -> bool {
        self.type_id == TypeId::of::<T>()
    }

    /// Whether the codec converts to and from the Rust type with this id.
    pub(crate) fn handles_id(&self, id: TypeId) -> bool {
        self.type_id == id
    }

    /// Encodes a value of the codec's Rust type (an error for any other type).
    pub(crate) fn encode_any(&self, value: &dyn Any, buf: &mut BytesMut) -> Result<(), BoxError> {
        (self.encode)(value, buf)
    }

    /// Decodes one non-NULL value into the codec's Rust type.
    pub(crate) fn decode_any(&self, raw: &[u8]) -> Result<Box<dyn Any + Send + Sync>, BoxError> {
        (self.decode)(raw)
    }

    /// Decodes one value (NULL included) into a dynamic [`Value`](super::Value).
    pub(crate) fn decode_value(&self, value: ValueRef<'_>) -> Result<super::Value, BoxError> {
        match value.bytes() {
            None => Ok(super::Value::Null),
            Some(raw) => Ok(super::Value::Custom(AnyValue {
                value: Arc::from(self.decode_any(raw)?),
                rust_type: self.rust_type,
                fmt: self.fmt,
            })),
        }
    }
}

impl fmt::Debug for TypeCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypeCodec")
            .field("format", &self.format)
            .field("rust_type", &self.rust_type)
            .finish_non_exhaustive()
    }
}

/// A codec as a [`PgType`] holds it: compared by identity, so types stay `Eq`.
#[derive(Clone)]
pub(crate) struct CodecRef(pub(crate) Arc<TypeCodec>);

impl PartialEq for CodecRef {
    fn eq(&self, other: &CodecRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CodecRef {}

impl fmt::Debug for CodecRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The built-in codecs a type can be aliased to with `Connection::set_builtin_type_codec`.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::types::BuiltinCodec;
/// conn.set_builtin_type_codec("hstore", BuiltinCodec::Hstore).await?;
/// println!("{:?}", conn.fetch_row("SELECT 'a=>1'::hstore AS h", &[]).await?);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuiltinCodec {
    /// The `hstore` extension's binary format, as `BTreeMap<String, Option<String>>`.
    Hstore,
}

impl BuiltinCodec {
    /// The codec as a [`TypeCodec`].
    pub fn codec(self) -> TypeCodec {
        match self {
            BuiltinCodec::Hstore => super::hstore::codec(),
        }
    }
}

/// A value converted by the codec registered for its PostgreSQL type.
///
/// Wrap a parameter in it to encode through the codec, or decode a column into it:
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::types::Custom;
/// let Custom(x): Custom<f64> = conn.fetch_val("SELECT 1.5::numeric", &[]).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Custom<T>(pub T);

impl<T> Custom<T> {
    /// The wrapped value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Custom<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Custom<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

fn codec_for<T: Any>(ty: &PgType) -> Option<&TypeCodec> {
    ty.codec().filter(|c| c.handles::<T>())
}

impl<T: Any> Type for Custom<T> {
    fn accepts(ty: &PgType) -> bool {
        codec_for::<T>(ty).is_some()
    }
}

impl<T: Any> Encode for Custom<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        let codec = codec_for::<T>(ty).ok_or_else(|| no_codec::<T>(ty))?;
        codec.encode_any(&self.0, buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        codec_for::<T>(ty).is_some()
    }
    fn format(&self, ty: &PgType) -> Format {
        codec_for::<T>(ty).map_or(Format::Binary, TypeCodec::format)
    }
}

impl<'r, T: Any> Decode<'r> for Custom<T> {
    fn accepts(ty: &PgType, format: Format) -> bool {
        codec_for::<T>(ty).is_some_and(|c| c.format() == format)
    }
    super::decode_copy_owned!();
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let codec = codec_for::<T>(value.ty()).ok_or_else(|| no_codec::<T>(value.ty()))?;
        let decoded = codec.decode_any(value.non_null()?)?;
        match decoded.downcast::<T>() {
            Ok(v) => Ok(Custom(*v)),
            Err(_) => Err(no_codec::<T>(value.ty())),
        }
    }
}

/// A [`Custom<T>`] met a type without a codec for `T`.
#[derive(Debug, thiserror::Error)]
#[error("no codec for {rust_type} is registered for type {pg_type}")]
pub struct NoCodec {
    /// The Rust type asked for.
    pub rust_type: &'static str,
    /// The PostgreSQL type.
    pub pg_type: String,
}

fn no_codec<T>(ty: &PgType) -> BoxError {
    Box::new(NoCodec {
        rust_type: type_name::<T>(),
        pg_type: ty.name().to_owned(),
    })
}

fn downcast<T: Any>(value: &dyn Any) -> Result<&T, BoxError> {
    value.downcast_ref::<T>().ok_or_else(|| {
        Box::new(NoCodec {
            rust_type: type_name::<T>(),
            pg_type: String::from("(a codec for another Rust type)"),
        }) as BoxError
    })
}

fn debug_any<T: fmt::Debug + 'static>(
    value: &(dyn Any + Send + Sync),
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match value.downcast_ref::<T>() {
        Some(v) => fmt::Debug::fmt(v, f),
        None => f.write_str("<?>"),
    }
}

/// A value a user codec produced, held by [`Value::Custom`](super::Value::Custom).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::types::Value;
/// let row = conn.fetch_row("SELECT 1.5::numeric", &[]).await?.unwrap();
/// if let Value::Custom(v) = row.value(0)? {
///     let x: Option<&f64> = v.downcast_ref();
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AnyValue {
    value: Arc<dyn Any + Send + Sync>,
    rust_type: &'static str,
    fmt: FmtFn,
}

impl AnyValue {
    /// Wraps a value (printed with its Debug).
    ///
    /// ```
    /// use quarry_driver::types::AnyValue;
    /// let v = AnyValue::new(1.5f64);
    /// assert_eq!(v.downcast_ref::<f64>(), Some(&1.5));
    /// assert_eq!(format!("{v:?}"), "1.5");
    /// ```
    pub fn new<T: fmt::Debug + Send + Sync + 'static>(value: T) -> AnyValue {
        AnyValue {
            value: Arc::new(value),
            rust_type: type_name::<T>(),
            fmt: debug_any::<T>,
        }
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref::<T>()
    }

    /// The name of the value's Rust type.
    pub fn rust_type(&self) -> &'static str {
        self.rust_type
    }

    /// The value as `dyn Any`, for a codec to downcast.
    pub(crate) fn as_any(&self) -> &dyn Any {
        &*self.value
    }
}

impl PartialEq for AnyValue {
    /// Values are equal when they are the same decoded value (codecs need not implement `PartialEq`).
    fn eq(&self, other: &AnyValue) -> bool {
        Arc::ptr_eq(&self.value, &other.value)
    }
}

impl fmt::Debug for AnyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.fmt)(&*self.value, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Kind, Value};

    fn float_codec() -> TypeCodec {
        TypeCodec::text(
            |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
            |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
        )
    }

    fn numeric_with(codec: TypeCodec) -> PgType {
        PgType::new(1700, "numeric", "pg_catalog", Kind::Base).with_codec(Some(Arc::new(codec)))
    }

    #[test]
    fn text_codec_round_trip() {
        let ty = numeric_with(float_codec());
        assert!(!ty.has_binary_codec());
        let mut buf = BytesMut::new();
        assert!(Custom(11.123f64).accepts(&ty));
        assert_eq!(Custom(11.123f64).format(&ty), Format::Text);
        Custom(11.123f64).encode(&ty, &mut buf).unwrap();
        assert_eq!(&buf[..], b"11.123");
        let v = Custom::<f64>::decode(ValueRef::new(Some(&buf), Format::Text, &ty)).unwrap();
        assert_eq!(v.0, 11.123);
        let value = Value::decode(ValueRef::new(Some(b"2.5"), Format::Text, &ty)).unwrap();
        assert_eq!(value.to_string(), "2.5");
        let Value::Custom(any) = value else {
            panic!("not custom")
        };
        assert_eq!(any.downcast_ref::<f64>(), Some(&2.5));
        assert_eq!(any.rust_type(), "f64");
    }

    #[test]
    fn wrong_rust_type_is_refused() {
        let ty = numeric_with(float_codec());
        assert!(!Custom(1i32).accepts(&ty));
        assert!(!<Custom<i32> as Decode>::accepts(&ty, Format::Text));
        let plain = PgType::new(1700, "numeric", "pg_catalog", Kind::Base);
        assert!(!Custom(1.0f64).accepts(&plain));
        let err = Custom::<f64>::decode(ValueRef::new(Some(b"1"), Format::Text, &plain));
        assert!(err.unwrap_err().to_string().contains("no codec"));
    }

    #[test]
    fn decoder_errors_are_returned() {
        let ty = numeric_with(float_codec());
        assert!(Custom::<f64>::decode(ValueRef::new(Some(b"x"), Format::Text, &ty)).is_err());
        assert!(Custom::<f64>::decode(ValueRef::new(Some(&[0xff]), Format::Text, &ty)).is_err());
        assert!(Custom::<f64>::decode(ValueRef::new(None, Format::Text, &ty)).is_err());
        assert_eq!(
            Value::decode(ValueRef::new(None, Format::Text, &ty)).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn binary_codec() {
        let codec = TypeCodec::binary(
            |x: &i32| -> Result<Vec<u8>, BoxError> { Ok(x.to_be_bytes().to_vec()) },
            |raw: &[u8]| -> Result<i32, BoxError> { Ok(i32::from_be_bytes(raw.try_into()?)) },
        );
        let ty =
            PgType::new(16_400, "thing", "public", Kind::Base).with_codec(Some(Arc::new(codec)));
        assert!(ty.has_binary_codec());
        let mut buf = BytesMut::new();
        Custom(7i32).encode(&ty, &mut buf).unwrap();
        let v = Custom::<i32>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(*v, 7);
        assert!(Custom::<i32>::decode(ValueRef::new(Some(&[1]), Format::Binary, &ty)).is_err());
    }
}
