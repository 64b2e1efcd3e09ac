//! Multiranges (PostgreSQL 14+): [`Multirange<T>`], a list of [`Range<T>`], for `int4multirange`
//! and friends and user multiranges (the range type comes from [`Kind::Multirange`]).
//!
//! Binary format: the range count, then each range's binary form prefixed by its length.

use bytes::{BufMut, BytesMut};

use super::range::{
    RangeError, decode_range, decode_range_copy, encode_range, parse_text, subtype,
};
use super::wire::{Reader, count};
use super::{BoxError, Decode, Encode, Format, IsNull, Kind, PgType, Range, Type, ValueRef};

/// A PostgreSQL multirange: ordered, non-overlapping ranges (PostgreSQL normalises them).
///
/// ```
/// use quarry_driver::types::{Multirange, Range};
/// let m = Multirange(vec![Range::from(1..3), Range::from(5..7)]);
/// assert_eq!(m.0.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Multirange<T>(pub Vec<Range<T>>);

/// The range type and subtype of a multirange type.
fn parts(ty: &PgType) -> Option<(&PgType, &PgType)> {
    match ty.kind() {
        Kind::Multirange(range) => subtype(range).map(|sub| (&**range, sub)),
        Kind::Domain(base) => parts(base),
        _ => None,
    }
}

fn not_a_multirange(ty: &PgType) -> BoxError {
    format!("{} is not a multirange type", ty.name()).into()
}

impl<T: Type> Type for Multirange<T> {
    fn accepts(ty: &PgType) -> bool {
        parts(ty).is_some_and(|(_, sub)| T::accepts(sub))
    }
}

/// The subtype of a multirange type's ranges.
pub(crate) fn range_subtype(ty: &PgType) -> Option<&PgType> {
    parts(ty).map(|(_, sub)| sub)
}

/// Appends the binary form of a multirange of type `ty` holding `ranges`.
pub(crate) fn encode_multirange<T: Encode>(
    ranges: &[Range<T>],
    ty: &PgType,
    buf: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let (_, sub) = parts(ty).ok_or_else(|| not_a_multirange(ty))?;
    buf.put_i32(count(ranges.len(), "multirange")?);
    for range in ranges {
        let start = buf.len();
        buf.put_i32(0);
        encode_range(range, sub, buf)?;
        let len = count(buf.len() - start - 4, "multirange")?;
        if let Some(slot) = buf.get_mut(start..start + 4) {
            slot.copy_from_slice(&len.to_be_bytes());
        }
    }
    Ok(IsNull::No)
}

impl<T: Encode + Type> Encode for Multirange<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_multirange(&self.0, ty, buf)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Self as Type>::accepts(ty)
    }
}

impl<'r, T: Decode<'r>> Decode<'r> for Multirange<T> {
    fn accepts(ty: &PgType, format: Format) -> bool {
        parts(ty).is_some_and(|(_, sub)| T::accepts(sub, format))
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let ty = value.ty();
        let (_, sub) = parts(ty).ok_or_else(|| not_a_multirange(ty))?;
        each_range(value.non_null()?, value.format(), |part, format| {
            decode_range(part, format, sub)
        })
        .map(Multirange)
    }
    fn decode_copy(value: ValueRef<'_>) -> Result<Self, BoxError> {
        let ty = value.ty();
        let (_, sub) = parts(ty).ok_or_else(|| not_a_multirange(ty))?;
        each_range(value.non_null()?, value.format(), |part, format| {
            decode_range_copy(part, format, sub)
        })
        .map(Multirange)
    }
}

/// Each range of a multirange value, in text or binary, read by `range`.
fn each_range<'a, R>(
    raw: &'a [u8],
    format: Format,
    mut range: impl FnMut(&'a [u8], Format) -> Result<R, BoxError>,
) -> Result<Vec<R>, BoxError> {
    if format == Format::Text {
        return split_text(raw)?
            .into_iter()
            .map(|part| range(part, Format::Text))
            .collect();
    }
    let mut r = Reader::new(raw, "multirange");
    let n = usize::try_from(r.i32()?).map_err(|_| RangeError::Text("negative count"))?;
    let mut ranges = Vec::with_capacity(n.min(r.remaining() / 5));
    for _ in 0..n {
        let part = r.value()?.ok_or(RangeError::NullBound)?;
        ranges.push(range(part, Format::Binary)?);
    }
    r.finish()?;
    Ok(ranges)
}

/// Splits `{[1,3),(5,7]}` into its ranges' text, respecting quoted bounds.
fn split_text(s: &[u8]) -> Result<Vec<&[u8]>, RangeError> {
    let inner = s
        .trim_ascii()
        .strip_prefix(b"{")
        .and_then(|s| s.strip_suffix(b"}"))
        .ok_or(RangeError::Text("a multirange is written {...}"))?;
    let mut parts = Vec::new();
    let mut rest = inner.trim_ascii();
    while !rest.is_empty() {
        let end = range_end(rest).ok_or(RangeError::Text("unterminated range"))?;
        let (part, tail) = rest.split_at(end + 1);
        // Validate early so the error points at the multirange.
        parse_text(part)?;
        parts.push(part);
        rest = tail.trim_ascii();
        if let Some(tail) = rest.strip_prefix(b",") {
            rest = tail.trim_ascii();
        } else if !rest.is_empty() {
            return Err(RangeError::Text("expected ',' between ranges"));
        }
    }
    Ok(parts)
}

/// Where the range at the start of `s` ends: its closing `]` or `)`, outside quotes and not
/// taken literally after a `\\`.
fn range_end(s: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    s.iter().position(|&b| {
        if escaped {
            escaped = false;
            return false;
        }
        match b {
            b'\\' => escaped = true,
            b'"' => quoted = !quoted,
            _ => {}
        }
        !quoted && (b == b']' || b == b')')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    #[test]
    fn round_trips_binary_and_text() {
        let ty = PgType::resolve(oid::INT4MULTIRANGE);
        let m = Multirange(vec![Range::from(1..3), Range::from(5..)]);
        let mut buf = BytesMut::new();
        m.encode(&ty, &mut buf).unwrap();
        let back = Multirange::<i32>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty));
        assert_eq!(back.unwrap(), m);
        for cut in 0..buf.len() {
            let r =
                Multirange::<i32>::decode(ValueRef::new(Some(&buf[..cut]), Format::Binary, &ty));
            assert!(r.is_err());
        }
        let text =
            Multirange::<i32>::decode(ValueRef::new(Some(b"{[1,3), [5,)}"), Format::Text, &ty));
        assert_eq!(text.unwrap(), m);
        let text = Multirange::<i32>::decode_copy(ValueRef::new(
            Some(br#"{["1",3), [5,)}"#),
            Format::Text,
            &ty,
        ));
        assert_eq!(text.unwrap(), m);
        let empty = Multirange::<i32>::decode(ValueRef::new(Some(b"{}"), Format::Text, &ty));
        assert_eq!(empty.unwrap(), Multirange(vec![]));
    }
}
