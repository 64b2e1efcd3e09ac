//! Value codecs: how Rust values become PostgreSQL parameters ([`Encode`]) and how column values
//! become Rust values ([`Decode`]).
//!
//! Parameters are sent in binary, except a `String` (or `Value::Text`) for a type without a binary
//! codec, which goes in text (formats are per parameter), and a composite or array holding one,
//! sent as a record or array literal (`text_out.rs` renders its other values as text). Columns arrive in binary when
//! [`PgType::has_binary_codec`] says so and as text otherwise, so an unknown type still decodes
//! into a `String` and is sent back from one.
//! One file per family of types; the connection and [`crate::Record`] only see the two traits.

mod array;
mod array_text;
mod bits;
mod builtin;
mod bytea;
mod codec;
mod composite;
#[cfg(feature = "chrono")]
mod datetime;
mod geometric;
mod hstore;
#[cfg(feature = "json")]
mod json;
mod misc;
mod money;
mod multirange;
mod network;
mod numeric;
mod option;
mod pg_type;
mod primitives;
#[cfg(test)]
mod proptests;
mod range;
mod record_text;
mod text;
mod text_out;
mod tuple;
#[cfg(feature = "uuid")]
mod uuid;
mod value;
mod value_encode;
mod wire;

pub mod oid;
pub(crate) mod registry;
// Public for the test that holds the table to the codecs and a server; not API.
#[doc(hidden)]
pub mod table;

use std::error::Error as StdError;

use bytes::BytesMut;

pub use bits::{BitString, BitStringError};
pub use quarry_protocol::{Format, IsNull, Oid};
// `Box` here is the geometric type: write `std::boxed::Box` in this module.
pub(crate) use array::element_format;
pub use array::{Array, ArrayError, Dimension};
pub use codec::{AnyValue, BuiltinCodec, Custom, NoCodec, TypeCodec};
pub use composite::{CompositeDecoder, CompositeEncoder, CompositeError};
pub(crate) use composite::{binary_record, composite_fields};
pub use geometric::{Box, Circle, GeometryError, Line, LineSegment, Path, Point, Polygon};
pub use hstore::HstoreError;
#[cfg(feature = "json")]
pub use json::Json;
pub use misc::{Cid, InvalidSystemValue, PgLsn, Tid, Xid, Xid8};
pub use multirange::Multirange;
pub use network::{IpNetwork, MacAddr, MacAddr8, NetworkError};
pub use pg_type::{Field, Kind, PgType};
pub use range::{Range, RangeError};
pub use text::NulInText;
pub use value::Value;
pub use value_encode::ValueEncodeError;
pub use wire::WireError;

#[cfg(feature = "chrono")]
pub use datetime::{DateTimeError, Infinite, Interval, IntervalError, TimeTz};
pub use money::Money;
pub use numeric::{Numeric, NumericError, NumericF64, NumericValue};

/// The error type codecs return; the connection wraps it with the column or parameter it concerns.
pub type BoxError = std::boxed::Box<dyn StdError + Send + Sync>;

/// The PostgreSQL types a Rust type maps to, known without a value in hand.
///
/// Containers use it (an empty `Vec<T>` or a `None` still needs to know what `T` fits).
///
/// ```
/// use quarry_driver::types::{PgType, Type};
/// assert!(<i32 as Type>::accepts(&PgType::resolve(23)));
/// assert!(<i32 as Type>::accepts(&PgType::resolve(20))); // widened to int8
/// assert!(!<i32 as Type>::accepts(&PgType::resolve(21))); // never narrowed to int2
/// ```
pub trait Type {
    /// Whether values of this Rust type can be sent as, and decoded from, `ty`.
    fn accepts(ty: &PgType) -> bool;
}

/// A Rust value that can be sent as a query parameter.
///
/// The trait is object safe so parameter lists can mix types: `&[&dyn Encode]`.
///
/// ```
/// use quarry_driver::types::{Encode, PgType};
/// assert!(42i32.accepts(&PgType::resolve(23)));
/// assert!(!"text".accepts(&PgType::resolve(23)));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to PostgreSQL as a query parameter",
    note = "implement `quarry::types::Encode` for it, or pass a type that has a codec (i32, String, &str, NaiveDate, Option<T>, ...)"
)]
pub trait Encode {
    /// Appends the binary wire form of the value for a parameter of type `ty`, or reports NULL.
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError>;

    /// Whether this value can be sent as a parameter of type `ty`.
    fn accepts(&self, ty: &PgType) -> bool;

    /// The Rust type's name, used in error messages.
    fn rust_type(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// The format the value is sent in for a parameter of type `ty`: binary, except for values
    /// encoded by a text-format [`TypeCodec`].
    fn format(&self, _ty: &PgType) -> Format {
        Format::Binary
    }

    /// Whether the value is SQL NULL whatever the parameter's type (`None`): a `query!` with
    /// optional fragments leaves out each fragment whose parameters hold NULL. An `Encode`
    /// that can answer [`IsNull::Yes`] must say so here too (wrappers forward it).
    ///
    /// ```
    /// use quarry_driver::types::Encode;
    /// assert!(None::<i32>.is_null());
    /// assert!(!Some(1).is_null());
    /// ```
    fn is_null(&self) -> bool {
        false
    }
}

/// One column value as received: its bytes (`None` for NULL), format and type.
#[derive(Debug, Clone, Copy)]
pub struct ValueRef<'r> {
    bytes: Option<&'r [u8]>,
    format: Format,
    ty: &'r PgType,
    /// How many records and arrays this value is nested in (0 for a column).
    depth: u8,
}

/// How many levels records and arrays may nest within one column value. An anonymous record's
/// field types come from the data, so a corrupted or hostile row could nest `record` in `record`
/// (12 bytes a level) until decoding overflows the stack; real values are far shallower.
pub const MAX_NESTING: u8 = 100;

impl<'r> ValueRef<'r> {
    /// A value of type `ty` received in `format`.
    #[inline]
    pub fn new(bytes: Option<&'r [u8]>, format: Format, ty: &'r PgType) -> ValueRef<'r> {
        ValueRef {
            bytes,
            format,
            ty,
            depth: 0,
        }
    }

    /// A value nested in this one (a record field, an array element), one level deeper; an
    /// error past [`MAX_NESTING`] levels.
    #[inline]
    pub(crate) fn nested<'a>(
        &self,
        bytes: Option<&'a [u8]>,
        format: Format,
        ty: &'a PgType,
    ) -> Result<ValueRef<'a>, WireError>
    where
        'r: 'a,
    {
        if self.depth >= MAX_NESTING {
            return Err(WireError::TooDeep { max: MAX_NESTING });
        }
        Ok(ValueRef {
            bytes,
            format,
            ty,
            depth: self.depth + 1,
        })
    }

    /// The same value seen as another type at the same depth (a domain's value as its base
    /// type's).
    #[inline]
    pub(crate) fn with_ty(&self, ty: &'r PgType) -> ValueRef<'r> {
        ValueRef { ty, ..*self }
    }

    /// The bytes, `None` for NULL.
    #[inline]
    pub fn bytes(&self) -> Option<&'r [u8]> {
        self.bytes
    }

    /// The bytes of a non-NULL value, or an [`UnexpectedNull`] error.
    #[inline]
    pub fn non_null(&self) -> Result<&'r [u8], BoxError> {
        self.bytes
            .ok_or_else(|| std::boxed::Box::new(UnexpectedNull) as BoxError)
    }

    /// Whether the value is SQL NULL.
    #[inline]
    pub fn is_null(&self) -> bool {
        self.bytes.is_none()
    }

    /// The format the value arrived in.
    #[inline]
    pub fn format(&self) -> Format {
        self.format
    }

    /// The value's PostgreSQL type.
    #[inline]
    pub fn ty(&self) -> &'r PgType {
        self.ty
    }
}

/// A Rust type a column value can be decoded into, possibly borrowing from the row (`&'r str`).
///
/// ```
/// use quarry_driver::types::{Decode, Format, PgType, ValueRef};
/// let raw = 7i32.to_be_bytes();
/// let int4 = PgType::resolve(23);
/// let v = i32::decode(ValueRef::new(Some(&raw), Format::Binary, &int4)).unwrap();
/// assert_eq!(v, 7);
/// ```
#[diagnostic::on_unimplemented(
    message = "a PostgreSQL value cannot be decoded into `{Self}`",
    note = "implement `quarry::types::Decode` for it, or ask for a type that has a codec (i32, String, NaiveDate, Option<T>, ...)"
)]
pub trait Decode<'r>: Sized {
    /// Whether a column of type `ty`, received in `format`, can be decoded into `Self`.
    fn accepts(ty: &PgType, format: Format) -> bool;

    /// Decodes one value.
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError>;

    /// Decodes a value whose bytes live only for this call: an element of a text-format array
    /// written with escapes, unescaped into a copy. Owned types decode it as usual; types that
    /// borrow from the row (`&str`) cannot, and return [`BorrowedCopy`].
    ///
    /// ```
    /// use quarry_driver::types::{Decode, Format, PgType, ValueRef, oid};
    /// let text = PgType::resolve(oid::TEXT);
    /// let copy = b"a\"b".to_vec();
    /// let v = String::decode_copy(ValueRef::new(Some(&copy), Format::Text, &text)).unwrap();
    /// assert_eq!(v, "a\"b");
    /// assert!(<&str>::decode_copy(ValueRef::new(Some(&copy), Format::Text, &text)).is_err());
    /// ```
    fn decode_copy(value: ValueRef<'_>) -> Result<Self, BoxError> {
        let _ = value;
        Err(std::boxed::Box::new(BorrowedCopy {
            rust_type: Self::rust_type(),
        }))
    }

    /// The Rust type's name, used in error messages.
    fn rust_type() -> &'static str {
        std::any::type_name::<Self>()
    }
}

/// An array element written with escapes is unescaped into a copy, which a Rust type borrowing
/// from the row cannot hold; ask for an owned type (`String` rather than `&str`).
#[derive(Debug, thiserror::Error)]
#[error(
    "{rust_type} borrows from the row, but this value was unescaped into a copy; decode it into an owned type (String rather than &str)"
)]
pub struct BorrowedCopy {
    /// The Rust type asked for.
    pub rust_type: &'static str,
}

/// Implements [`Decode::decode_copy`] for an owned type as its `decode`.
macro_rules! decode_copy_owned {
    () => {
        fn decode_copy(
            value: $crate::types::ValueRef<'_>,
        ) -> Result<Self, $crate::types::BoxError> {
            <Self as $crate::types::Decode<'_>>::decode(value)
        }
    };
}
pub(crate) use decode_copy_owned;

/// A NULL reached a Rust type that cannot hold it; ask for `Option<T>` instead.
#[derive(Debug, thiserror::Error)]
#[error("unexpected NULL: use Option<T> to accept NULL values")]
pub struct UnexpectedNull;

/// The value's bytes did not have the length its type requires.
#[derive(Debug, thiserror::Error)]
#[error("invalid value length: expected {expected} bytes, got {found}")]
pub struct InvalidLength {
    /// Bytes the binary format of the type has.
    pub expected: usize,
    /// Bytes received.
    pub found: usize,
}

/// Converts a value received in text format to `&str`.
pub(crate) fn text(raw: &[u8]) -> Result<&str, BoxError> {
    Ok(std::str::from_utf8(raw)?)
}
