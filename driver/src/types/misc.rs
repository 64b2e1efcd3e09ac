//! System types: `tid` ([`Tid`]), `xid` ([`Xid`]), `xid8` ([`Xid8`]), `cid` ([`Cid`]),
//! `pg_lsn` ([`PgLsn`]), and `void` as `()`.
//!
//! All are fixed-size big-endian integers in binary; their text forms are parsed too.
//! (`tsvector`/`tsquery` have no codec here: they are received as text and decode into `String`.)

use std::fmt;
use std::str::FromStr;

use bytes::{BufMut, BytesMut};

use super::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

/// A system value's text form could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid {ty} text {text:?}")]
pub struct InvalidSystemValue {
    /// The PostgreSQL type.
    pub ty: &'static str,
    /// The text received.
    pub text: String,
}

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into().map_err(|_| {
        Box::new(InvalidLength {
            expected: N,
            found: raw.len(),
        }) as BoxError
    })
}

/// A `tid`: the physical location of a row version (`ctid`), printed `(block,offset)`.
///
/// ```
/// use quarry_driver::types::Tid;
/// let tid: Tid = "(0,1)".parse().unwrap();
/// assert_eq!(tid, Tid { block: 0, offset: 1 });
/// assert_eq!(tid.to_string(), "(0,1)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Tid {
    /// The block number.
    pub block: u32,
    /// The tuple's index within the block (1-based).
    pub offset: u16,
}

/// An `xid`: a 32-bit transaction id (wraps around).
///
/// ```
/// use quarry_driver::types::Xid;
/// assert_eq!(Xid(42).to_string(), "42");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Xid(pub u32);

/// An `xid8`: a 64-bit transaction id (`pg_current_xact_id()`), never wrapping.
///
/// ```
/// use quarry_driver::types::Xid8;
/// assert_eq!(Xid8(1 << 40).to_string(), "1099511627776");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Xid8(pub u64);

/// A `cid`: a command id within a transaction.
///
/// ```
/// use quarry_driver::types::Cid;
/// assert_eq!(Cid(3).to_string(), "3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Cid(pub u32);

/// A `pg_lsn`: a position in the write-ahead log, printed as two hex halves.
///
/// ```
/// use quarry_driver::types::PgLsn;
/// let lsn: PgLsn = "16/B374D848".parse().unwrap();
/// assert_eq!(lsn, PgLsn(0x16_B374_D848));
/// assert_eq!(lsn.to_string(), "16/B374D848");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PgLsn(pub u64);

impl fmt::Display for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.block, self.offset)
    }
}

impl fmt::Display for PgLsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xffff_ffff)
    }
}

impl FromStr for Tid {
    type Err = InvalidSystemValue;
    fn from_str(s: &str) -> Result<Tid, InvalidSystemValue> {
        let parse = || -> Option<Tid> {
            let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
            let (block, offset) = inner.split_once(',')?;
            Some(Tid {
                block: block.trim().parse().ok()?,
                offset: offset.trim().parse().ok()?,
            })
        };
        parse().ok_or_else(|| InvalidSystemValue {
            ty: "tid",
            text: s.to_owned(),
        })
    }
}

impl FromStr for PgLsn {
    type Err = InvalidSystemValue;
    fn from_str(s: &str) -> Result<PgLsn, InvalidSystemValue> {
        let parse = || -> Option<PgLsn> {
            let (hi, lo) = s.split_once('/')?;
            let hi = u32::from_str_radix(hi, 16).ok()?;
            let lo = u32::from_str_radix(lo, 16).ok()?;
            Some(PgLsn((u64::from(hi) << 32) | u64::from(lo)))
        };
        parse().ok_or_else(|| InvalidSystemValue {
            ty: "pg_lsn",
            text: s.to_owned(),
        })
    }
}

/// Type, Encode and Decode for a wrapper of an integer sent big-endian, printed in decimal.
macro_rules! id {
    ($name:ident, $int:ty, $oid:path, $pg:literal) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidSystemValue;
            fn from_str(s: &str) -> Result<$name, InvalidSystemValue> {
                s.parse().map($name).map_err(|_| InvalidSystemValue {
                    ty: $pg,
                    text: s.to_owned(),
                })
            }
        }

        codec!($name, $int, $oid);
    };
}

/// Type, Encode and Decode for a value with `to_be`/`from_be` conversions and `FromStr`.
macro_rules! codec {
    ($name:ident, $wire:ty, $oid:path) => {
        impl Type for $name {
            fn accepts(ty: &PgType) -> bool {
                ty.base_oid() == $oid
            }
        }

        impl Encode for $name {
            fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                buf.put_slice(&<$wire>::from(*self).to_be_bytes());
                Ok(IsNull::No)
            }
            fn accepts(&self, ty: &PgType) -> bool {
                ty.base_oid() == $oid
            }
        }

        impl<'r> Decode<'r> for $name {
            crate::types::decode_copy_owned!();
            fn accepts(ty: &PgType, _format: Format) -> bool {
                ty.base_oid() == $oid
            }
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                let raw = value.non_null()?;
                match value.format() {
                    Format::Text => Ok(text(raw)?.parse::<$name>()?),
                    Format::Binary => Ok($name::from(<$wire>::from_be_bytes(fixed(raw)?))),
                }
            }
        }
    };
}

macro_rules! newtype_conversions {
    ($($name:ident($int:ty)),+) => {$(
        impl From<$name> for $int {
            fn from(v: $name) -> $int {
                v.0
            }
        }
        impl From<$int> for $name {
            fn from(v: $int) -> $name {
                $name(v)
            }
        }
    )+};
}

newtype_conversions!(Xid(u32), Xid8(u64), Cid(u32), PgLsn(u64));

id!(Xid, u32, oid::XID, "xid");
id!(Xid8, u64, oid::XID8, "xid8");
id!(Cid, u32, oid::CID, "cid");
codec!(PgLsn, u64, oid::PG_LSN);

impl Type for Tid {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::TID
    }
}

impl Encode for Tid {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_u32(self.block);
        buf.put_u16(self.offset);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Tid as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Tid {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Tid as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        if value.format() == Format::Text {
            return Ok(text(raw)?.parse()?);
        }
        let [b0, b1, b2, b3, o0, o1] = fixed::<6>(raw)?;
        Ok(Tid {
            block: u32::from_be_bytes([b0, b1, b2, b3]),
            offset: u16::from_be_bytes([o0, o1]),
        })
    }
}

impl Type for () {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::VOID
    }
}

/// `()` is sent as a `void` value (which has no bytes).
impl Encode for () {
    fn encode(&self, _ty: &PgType, _buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        ty.base_oid() == oid::VOID
    }
}

/// `()` decodes a `void` result (`SELECT pg_sleep(0)`), whatever its bytes.
impl<'r> Decode<'r> for () {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        ty.base_oid() == oid::VOID
    }
    fn decode(_value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip<T: Encode + for<'r> Decode<'r>>(v: &T, oid: u32) -> T {
        let ty = PgType::resolve(oid);
        let mut buf = BytesMut::new();
        v.encode(&ty, &mut buf).unwrap();
        T::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap()
    }

    fn text_decode<T: for<'r> Decode<'r>>(s: &str, oid: u32) -> Result<T, BoxError> {
        let ty = PgType::resolve(oid);
        T::decode(ValueRef::new(Some(s.as_bytes()), Format::Text, &ty))
    }

    #[test]
    fn text_forms() {
        assert_eq!(
            text_decode::<Tid>("(12,3)", oid::TID).unwrap(),
            Tid {
                block: 12,
                offset: 3
            }
        );
        assert!(text_decode::<Tid>("(12)", oid::TID).is_err());
        assert_eq!(text_decode::<Xid>("7", oid::XID).unwrap(), Xid(7));
        assert!(text_decode::<Xid>("-1", oid::XID).is_err());
        assert_eq!(text_decode::<PgLsn>("0/0", oid::PG_LSN).unwrap(), PgLsn(0));
        assert!(text_decode::<PgLsn>("G/0", oid::PG_LSN).is_err());
        assert_eq!(PgLsn(u64::MAX).to_string(), "FFFFFFFF/FFFFFFFF");
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let ty = PgType::resolve(oid::TID);
        assert!(Tid::decode(ValueRef::new(Some(&[0; 5]), Format::Binary, &ty)).is_err());
        let ty = PgType::resolve(oid::XID8);
        assert!(Xid8::decode(ValueRef::new(Some(&[0; 4]), Format::Binary, &ty)).is_err());
        let void = PgType::resolve(oid::VOID);
        <()>::decode(ValueRef::new(Some(b""), Format::Binary, &void)).unwrap();
    }

    proptest! {
        #[test]
        fn round_trips(block in any::<u32>(), offset in any::<u16>(), big in any::<u64>()) {
            let tid = Tid { block, offset };
            prop_assert_eq!(round_trip(&tid, oid::TID), tid);
            prop_assert_eq!(tid.to_string().parse::<Tid>().unwrap(), tid);
            prop_assert_eq!(round_trip(&Xid(block), oid::XID), Xid(block));
            prop_assert_eq!(round_trip(&Cid(block), oid::CID), Cid(block));
            prop_assert_eq!(round_trip(&Xid8(big), oid::XID8), Xid8(big));
            prop_assert_eq!(round_trip(&PgLsn(big), oid::PG_LSN), PgLsn(big));
            prop_assert_eq!(PgLsn(big).to_string().parse::<PgLsn>().unwrap(), PgLsn(big));
        }
    }
}
