//! [`Infinite`]: `date`, `timestamp` and `timestamptz` values with PostgreSQL's `±infinity`, and
//! the macro giving a chrono type and its `Infinite` wrapper their codecs.

use std::fmt;

/// A value that may also be PostgreSQL's `-infinity` or `infinity` (`date`, `timestamp`,
/// `timestamptz`). Ordered like PostgreSQL orders them.
///
/// ```
/// use chrono::NaiveDate;
/// use quarry_driver::types::Infinite;
/// let d = Infinite::Value(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// assert!(Infinite::NegInfinity < d && d < Infinite::Infinity);
/// assert_eq!(d.value(), Some(&NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
/// assert_eq!(Infinite::<NaiveDate>::Infinity.to_string(), "infinity");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Infinite<T> {
    /// `-infinity`: before every value.
    NegInfinity,
    /// A finite value.
    Value(T),
    /// `infinity`: after every value.
    Infinity,
}

impl<T> Infinite<T> {
    /// The finite value, if it is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Infinite::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The finite value, if it is one.
    pub fn into_value(self) -> Option<T> {
        match self {
            Infinite::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `infinity` or `-infinity` as PostgreSQL writes them, `None` for a finite value.
    pub fn infinity_name(&self) -> Option<&'static str> {
        match self {
            Infinite::NegInfinity => Some("-infinity"),
            Infinite::Value(_) => None,
            Infinite::Infinity => Some("infinity"),
        }
    }
}

impl<T> From<T> for Infinite<T> {
    fn from(v: T) -> Infinite<T> {
        Infinite::Value(v)
    }
}

impl<T: fmt::Display> fmt::Display for Infinite<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infinite::Value(v) => v.fmt(f),
            other => f.pad(other.infinity_name().unwrap_or("infinity")),
        }
    }
}

/// Codecs for a chrono type `$t` and `Infinite<$t>`, from the PostgreSQL types it fits and two
/// functions: `$encode(&Infinite<$t>, &mut BytesMut)` and `$decode(&ValueRef) -> Infinite<$t>`.
macro_rules! infinite_codecs {
    ($t:ty, $pg_name:literal, $fits:expr, $encode:path, $decode:path) => {
        impl $crate::types::Type for $t {
            fn accepts(ty: &$crate::types::PgType) -> bool {
                ($fits)(ty.base_oid())
            }
        }

        impl $crate::types::Encode for $t {
            fn encode(
                &self,
                _ty: &$crate::types::PgType,
                buf: &mut bytes::BytesMut,
            ) -> Result<$crate::types::IsNull, $crate::types::BoxError> {
                $encode(&Infinite::Value(self.clone()), buf)?;
                Ok($crate::types::IsNull::No)
            }
            fn accepts(&self, ty: &$crate::types::PgType) -> bool {
                <$t as $crate::types::Type>::accepts(ty)
            }
        }

        impl<'r> $crate::types::Decode<'r> for $t {
            crate::types::decode_copy_owned!();
            fn accepts(ty: &$crate::types::PgType, _format: $crate::types::Format) -> bool {
                <$t as $crate::types::Type>::accepts(ty)
            }
            fn decode(value: $crate::types::ValueRef<'r>) -> Result<Self, $crate::types::BoxError> {
                match $decode(&value)? {
                    Infinite::Value(v) => Ok(v),
                    other => Err($crate::types::datetime::DateTimeError::Infinite {
                        pg_type: $pg_name,
                        value: other.infinity_name().unwrap_or("infinity"),
                        rust_type: <$t as $crate::types::Decode>::rust_type(),
                    }
                    .into()),
                }
            }
            fn rust_type() -> &'static str {
                stringify!($t)
            }
        }

        impl $crate::types::Type for Infinite<$t> {
            fn accepts(ty: &$crate::types::PgType) -> bool {
                ($fits)(ty.base_oid())
            }
        }

        impl $crate::types::Encode for Infinite<$t> {
            fn encode(
                &self,
                _ty: &$crate::types::PgType,
                buf: &mut bytes::BytesMut,
            ) -> Result<$crate::types::IsNull, $crate::types::BoxError> {
                $encode(self, buf)?;
                Ok($crate::types::IsNull::No)
            }
            fn accepts(&self, ty: &$crate::types::PgType) -> bool {
                <Infinite<$t> as $crate::types::Type>::accepts(ty)
            }
        }

        impl<'r> $crate::types::Decode<'r> for Infinite<$t> {
            crate::types::decode_copy_owned!();
            fn accepts(ty: &$crate::types::PgType, _format: $crate::types::Format) -> bool {
                <Infinite<$t> as $crate::types::Type>::accepts(ty)
            }
            fn decode(value: $crate::types::ValueRef<'r>) -> Result<Self, $crate::types::BoxError> {
                $decode(&value)
            }
        }
    };
}

pub(super) use infinite_codecs;
