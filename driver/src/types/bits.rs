//! `bit(n)` and `varbit` as [`BitString`]: a length in bits and the bits packed most significant
//! first, the last byte padded with zero bits (the binary format is that length as `int4`, then
//! the bytes).

use std::fmt;
use std::str::FromStr;

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid, text};

/// A string of bits, the value of a `bit(n)` or `varbit` column.
///
/// ```
/// use quarry_driver::types::BitString;
/// let mut bits: BitString = "1011".parse().unwrap();
/// assert_eq!(bits.len(), 4);
/// assert_eq!(bits.get(0), Some(true));
/// assert_eq!(bits.get(1), Some(false));
/// assert_eq!(bits.get(4), None);
/// bits.push(true);
/// assert_eq!(bits.to_string(), "10111");
/// assert_eq!(bits.as_bytes(), &[0b1011_1000]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BitString {
    len: usize,
    bytes: Vec<u8>,
}

/// A bit string was malformed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum BitStringError {
    /// The bytes do not hold exactly the number of bits given.
    #[error("{bytes} bytes cannot hold exactly {len} bits")]
    LengthMismatch {
        /// The bit length.
        len: usize,
        /// The number of bytes.
        bytes: usize,
    },
    /// The binary value was too short or had a negative length.
    #[error("invalid binary bit string of {0} bytes")]
    InvalidBinary(usize),
    /// A character other than `0` or `1`.
    #[error("invalid bit string text {0:?}: only '0' and '1' are allowed")]
    InvalidText(String),
    /// An index past the end.
    #[error("bit index {index} is out of range for a bit string of length {len}")]
    OutOfRange {
        /// The index asked for.
        index: usize,
        /// The bit string's length.
        len: usize,
    },
    /// The string is longer than PostgreSQL's wire format can count.
    #[error("bit string of {0} bits is too long")]
    TooLong(usize),
}

impl BitString {
    /// An empty bit string.
    pub fn new() -> BitString {
        BitString::default()
    }

    /// `len` bits packed most significant first in `bytes`, which must have exactly
    /// `len.div_ceil(8)` bytes; padding bits are cleared.
    ///
    /// ```
    /// use quarry_driver::types::BitString;
    /// let bits = BitString::from_bytes(vec![0xff], 3).unwrap();
    /// assert_eq!(bits.to_string(), "111");
    /// assert!(BitString::from_bytes(vec![0xff, 0], 3).is_err());
    /// ```
    pub fn from_bytes(mut bytes: Vec<u8>, len: usize) -> Result<BitString, BitStringError> {
        if bytes.len() != len.div_ceil(8) {
            return Err(BitStringError::LengthMismatch {
                len,
                bytes: bytes.len(),
            });
        }
        let used = len % 8;
        if used != 0
            && let Some(last) = bytes.last_mut()
        {
            *last &= 0xffu8 << (8 - used);
        }
        Ok(BitString { len, bytes })
    }

    /// The number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed bytes (most significant bit first, padding bits zero).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bit at `index` (0 = leftmost), `None` past the end.
    pub fn get(&self, index: usize) -> Option<bool> {
        if index >= self.len {
            return None;
        }
        let byte = self.bytes.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index`; an error past the end.
    ///
    /// ```
    /// use quarry_driver::types::BitString;
    /// let mut bits: BitString = "000".parse().unwrap();
    /// bits.set(2, true).unwrap();
    /// assert_eq!(bits.to_string(), "001");
    /// assert!(bits.set(3, true).is_err());
    /// ```
    pub fn set(&mut self, index: usize, bit: bool) -> Result<(), BitStringError> {
        let len = self.len;
        let out_of_range = BitStringError::OutOfRange { index, len };
        if index >= len {
            return Err(out_of_range);
        }
        let byte = self.bytes.get_mut(index / 8).ok_or(out_of_range)?;
        let mask = 0x80 >> (index % 8);
        if bit {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    /// Appends a bit.
    pub fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        self.len += 1;
        // The bit was just made room for, so `set` cannot fail.
        let _ = self.set(self.len - 1, bit);
    }

    /// The bits from left to right.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).filter_map(|i| self.get(i))
    }
}

impl FromIterator<bool> for BitString {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> BitString {
        let mut bits = BitString::new();
        for bit in iter {
            bits.push(bit);
        }
        bits
    }
}

impl FromStr for BitString {
    type Err = BitStringError;

    /// A string of `0` and `1`.
    fn from_str(s: &str) -> Result<BitString, BitStringError> {
        s.chars()
            .map(|c| match c {
                '0' => Ok(false),
                '1' => Ok(true),
                _ => Err(BitStringError::InvalidText(s.to_owned())),
            })
            .collect()
    }
}

impl fmt::Display for BitString {
    /// The bits as `0` and `1`, as PostgreSQL prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for bit in self.iter() {
            f.write_str(if bit { "1" } else { "0" })?;
        }
        Ok(())
    }
}

fn is_bits(ty: &PgType) -> bool {
    matches!(ty.base_oid(), oid::BIT | oid::VARBIT)
}

impl Type for BitString {
    fn accepts(ty: &PgType) -> bool {
        is_bits(ty)
    }
}

impl Encode for BitString {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        let len = i32::try_from(self.len).map_err(|_| BitStringError::TooLong(self.len))?;
        buf.put_i32(len);
        buf.put_slice(&self.bytes);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_bits(ty)
    }
}

impl<'r> Decode<'r> for BitString {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_bits(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        if value.format() == Format::Text {
            return Ok(text(raw)?.parse()?);
        }
        let invalid = || BitStringError::InvalidBinary(raw.len());
        let (len, bytes) = raw.split_first_chunk::<4>().ok_or_else(invalid)?;
        let len = usize::try_from(i32::from_be_bytes(*len)).map_err(|_| invalid())?;
        Ok(BitString::from_bytes(bytes.to_vec(), len)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(raw: &[u8]) -> Result<BitString, BoxError> {
        let ty = PgType::resolve(oid::VARBIT);
        BitString::decode(ValueRef::new(Some(raw), Format::Binary, &ty))
    }

    #[test]
    fn binary_layout() {
        let bits: BitString = "101000001".parse().unwrap();
        let mut buf = BytesMut::new();
        bits.encode(&PgType::resolve(oid::BIT), &mut buf).unwrap();
        assert_eq!(&buf[..], &[0, 0, 0, 9, 0b1010_0000, 0b1000_0000]);
        assert_eq!(decode(&buf).unwrap(), bits);
    }

    #[test]
    fn malformed_is_an_error() {
        assert!(decode(&[0, 0, 0]).is_err());
        assert!(decode(&[0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode(&[0, 0, 0, 9, 0]).is_err());
        assert!("102".parse::<BitString>().is_err());
        assert_eq!(decode(&[0, 0, 0, 0]).unwrap(), BitString::new());
    }

    #[test]
    fn padding_is_cleared() {
        let bits = decode(&[0, 0, 0, 2, 0xff]).unwrap();
        assert_eq!(bits.as_bytes(), &[0b1100_0000]);
        assert_eq!(bits, "11".parse().unwrap());
    }

    proptest! {
        #[test]
        fn round_trip(s in "[01]{0,100}") {
            let bits: BitString = s.parse().unwrap();
            prop_assert_eq!(bits.to_string(), s.clone());
            let mut buf = BytesMut::new();
            bits.encode(&PgType::resolve(oid::VARBIT), &mut buf).unwrap();
            prop_assert_eq!(decode(&buf).unwrap(), bits);
        }
    }
}
