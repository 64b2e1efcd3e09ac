//! Value codecs: how Rust values become PostgreSQL parameters ([`Encode`]) and how column values
//! become Rust values ([`Decode`]).
//!
//! Parameters are always sent in binary. Columns arrive in binary when [`oid::has_binary_codec`]
//! knows the type and as text otherwise, so an unknown type still decodes into a `String`.
//! One file per family of types; the connection and [`crate::Record`] only see the two traits.

mod datetime;
mod option;
mod primitives;
mod text;
mod value;

pub mod oid;

use std::error::Error as StdError;

use bytes::BytesMut;

pub use crate::protocol::{Format, IsNull, Oid};
pub use value::Value;

/// The error type codecs return; the connection wraps it with the column or parameter it concerns.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// A Rust value that can be sent as a query parameter.
///
/// The trait is object safe so parameter lists can mix types: `&[&dyn Encode]`.
///
/// ```
/// use quarry_driver::types::{Encode, oid};
/// assert!(42i32.accepts(oid::INT4));
/// assert!(!"text".accepts(oid::INT4));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to PostgreSQL as a query parameter",
    note = "implement `quarry::types::Encode` for it, or pass a type that has a codec (i32, String, &str, NaiveDate, Option<T>, ...)"
)]
pub trait Encode {
    /// Appends the binary wire form of the value to `buf`, or reports NULL.
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError>;

    /// Whether this value can be sent as a parameter whose PostgreSQL type is `oid`.
    fn accepts(&self, oid: Oid) -> bool;

    /// The Rust type's name, used in error messages.
    fn rust_type(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}

/// A Rust type a column value can be decoded into, possibly borrowing from the row (`&'r str`).
///
/// ```
/// use quarry_driver::types::{Decode, Format, oid};
/// let raw = 7i32.to_be_bytes();
/// let v = <i32 as Decode>::decode(Some(&raw), Format::Binary, oid::INT4).unwrap();
/// assert_eq!(v, 7);
/// ```
#[diagnostic::on_unimplemented(
    message = "a PostgreSQL value cannot be decoded into `{Self}`",
    note = "implement `quarry::types::Decode` for it, or ask for a type that has a codec (i32, String, NaiveDate, Option<T>, ...)"
)]
pub trait Decode<'r>: Sized {
    /// Whether a column of PostgreSQL type `oid`, received in `format`, can be decoded into `Self`.
    fn accepts(oid: Oid, format: Format) -> bool;

    /// Decodes one value; `None` is SQL NULL.
    fn decode(raw: Option<&'r [u8]>, format: Format, oid: Oid) -> Result<Self, BoxError>;

    /// The Rust type's name, used in error messages.
    fn rust_type() -> &'static str {
        std::any::type_name::<Self>()
    }
}

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

/// Returns the bytes of a non-NULL value or [`UnexpectedNull`].
pub(crate) fn non_null(raw: Option<&[u8]>) -> Result<&[u8], BoxError> {
    raw.ok_or_else(|| Box::new(UnexpectedNull) as BoxError)
}

/// Converts a value received in text format to `&str`.
pub(crate) fn text(raw: &[u8]) -> Result<&str, BoxError> {
    Ok(std::str::from_utf8(raw)?)
}
