//! Ranges: [`Range<T>`] for `int4range`, `int8range`, `numrange`, `daterange`, `tsrange`,
//! `tstzrange` and user ranges, over any subtype codec (the subtype comes from [`Kind::Range`]).
//!
//! Binary format: one flag byte, then the lower and upper bounds that are finite, each prefixed by
//! its length. Ranges whose subtype has no binary codec arrive as text (`[1,5)`, `empty`).

use std::borrow::Cow;
use std::ops::{Bound, RangeBounds};

use bytes::{BufMut, BytesMut};

use super::wire::{Reader, WireError, put_value};
use super::{BoxError, Decode, Encode, Format, IsNull, Kind, PgType, Type, ValueRef};

const EMPTY: u8 = 0x01;
const LB_INC: u8 = 0x02;
const UB_INC: u8 = 0x04;
const LB_INF: u8 = 0x08;
const UB_INF: u8 = 0x10;

/// A PostgreSQL range: empty, or a lower and an upper bound, each inclusive, exclusive or
/// unbounded (`std::ops::Bound`).
///
/// PostgreSQL normalises discrete ranges: `int4range` `[1,3]` comes back as `[1,4)`.
///
/// ```
/// use std::ops::Bound;
/// use quarry_driver::types::Range;
/// let r = Range::from(1..5);
/// assert_eq!(r, Range::new(Bound::Included(1), Bound::Excluded(5)));
/// assert!(r.contains(&4));
/// assert!(Range::<i32>::Empty.is_empty());
/// assert_eq!(Range::from(..=3), Range::new(Bound::Unbounded, Bound::Included(3)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Range<T> {
    /// The empty range.
    Empty,
    /// A range with two bounds.
    NonEmpty {
        /// The lower bound.
        lower: Bound<T>,
        /// The upper bound.
        upper: Bound<T>,
    },
}

impl<T> Range<T> {
    /// A range between two bounds.
    pub fn new(lower: Bound<T>, upper: Bound<T>) -> Range<T> {
        Range::NonEmpty { lower, upper }
    }

    /// Whether this is the empty range.
    pub fn is_empty(&self) -> bool {
        matches!(self, Range::Empty)
    }

    /// The lower bound, `None` for the empty range.
    pub fn lower(&self) -> Option<Bound<&T>> {
        match self {
            Range::Empty => None,
            Range::NonEmpty { lower, .. } => Some(lower.as_ref()),
        }
    }

    /// The upper bound, `None` for the empty range.
    pub fn upper(&self) -> Option<Bound<&T>> {
        match self {
            Range::Empty => None,
            Range::NonEmpty { upper, .. } => Some(upper.as_ref()),
        }
    }

    /// Whether `value` lies in the range.
    pub fn contains(&self, value: &T) -> bool
    where
        T: PartialOrd,
    {
        match self {
            Range::Empty => false,
            Range::NonEmpty { lower, upper } => (lower.as_ref(), upper.as_ref()).contains(value),
        }
    }

    /// Applies `f` to both bounds.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Range<U> {
        match self {
            Range::Empty => Range::Empty,
            Range::NonEmpty { lower, upper } => Range::NonEmpty {
                lower: lower.map(&mut f),
                upper: upper.map(&mut f),
            },
        }
    }
}

macro_rules! from_std {
    ($($std:ty => |$r:ident| ($lower:expr, $upper:expr)),+ $(,)?) => {
        $(impl<T> From<$std> for Range<T> {
            fn from($r: $std) -> Range<T> {
                Range::new($lower, $upper)
            }
        })+
    };
}

from_std! {
    std::ops::Range<T> => |r| (Bound::Included(r.start), Bound::Excluded(r.end)),
    std::ops::RangeFrom<T> => |r| (Bound::Included(r.start), Bound::Unbounded),
    std::ops::RangeTo<T> => |r| (Bound::Unbounded, Bound::Excluded(r.end)),
    std::ops::RangeToInclusive<T> => |r| (Bound::Unbounded, Bound::Included(r.end)),
}

impl<T> From<std::ops::RangeInclusive<T>> for Range<T> {
    fn from(r: std::ops::RangeInclusive<T>) -> Range<T> {
        let (start, end) = r.into_inner();
        Range::new(Bound::Included(start), Bound::Included(end))
    }
}

impl<T> From<std::ops::RangeFull> for Range<T> {
    fn from(_: std::ops::RangeFull) -> Range<T> {
        Range::new(Bound::Unbounded, Bound::Unbounded)
    }
}

/// What was wrong with a range value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RangeError {
    /// The bytes did not follow the range format.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The type is not a range type.
    #[error("{ty} is not a range type")]
    NotARange {
        /// The type's name.
        ty: String,
    },
    /// A bound was NULL.
    #[error("range bound is NULL")]
    NullBound,
    /// A bound failed to decode or encode.
    #[error("range {which} bound: {source}")]
    Bound {
        /// `lower` or `upper`.
        which: &'static str,
        /// What went wrong.
        source: BoxError,
    },
    /// The text form could not be parsed.
    #[error("invalid range text: {0}")]
    Text(&'static str),
}

/// The subtype of a range type (domains over ranges included).
pub(crate) fn subtype(ty: &PgType) -> Option<&PgType> {
    match ty.kind() {
        Kind::Range(sub) => Some(sub),
        Kind::Domain(base) => subtype(base),
        _ => None,
    }
}

/// Appends the binary form of `range` with bounds of type `sub`.
pub(crate) fn encode_range<T: Encode>(
    range: &Range<T>,
    sub: &PgType,
    buf: &mut BytesMut,
) -> Result<(), BoxError> {
    let (lower, upper) = match range {
        Range::Empty => {
            buf.put_u8(EMPTY);
            return Ok(());
        }
        Range::NonEmpty { lower, upper } => (lower, upper),
    };
    let mut flags = 0;
    flags |= match lower {
        Bound::Included(_) => LB_INC,
        Bound::Excluded(_) => 0,
        Bound::Unbounded => LB_INF,
    };
    flags |= match upper {
        Bound::Included(_) => UB_INC,
        Bound::Excluded(_) => 0,
        Bound::Unbounded => UB_INF,
    };
    buf.put_u8(flags);
    for (which, bound) in [("lower", lower), ("upper", upper)] {
        if let Bound::Included(v) | Bound::Excluded(v) = bound {
            let is_null = put_value(v, sub, buf, "range bound")
                .map_err(|source| RangeError::Bound { which, source })?;
            if is_null == IsNull::Yes {
                return Err(RangeError::NullBound.into());
            }
        }
    }
    Ok(())
}

/// Decodes one range of subtype `sub` from its binary (or text) form. A text bound written with
/// escapes is unescaped into a copy, which only owned Rust types decode
/// ([`Decode::decode_copy`]).
pub(crate) fn decode_range<'r, T: Decode<'r>>(
    raw: &'r [u8],
    format: Format,
    sub: &'r PgType,
) -> Result<Range<T>, BoxError> {
    decode_bounds(raw, format, |which, bytes| {
        let decoded = match bytes {
            Cow::Borrowed(bytes) => T::decode(ValueRef::new(Some(bytes), format, sub)),
            Cow::Owned(copy) => T::decode_copy(ValueRef::new(Some(&copy), format, sub)),
        };
        decoded.map_err(|source| RangeError::Bound { which, source })
    })
}

/// [`decode_range`] for a range whose bytes live only for this call (a field or element
/// unescaped into a copy): every bound by [`Decode::decode_copy`].
pub(crate) fn decode_range_copy<'x, T: Decode<'x>>(
    raw: &[u8],
    format: Format,
    sub: &PgType,
) -> Result<Range<T>, BoxError> {
    decode_bounds(raw, format, |which, bytes| {
        T::decode_copy(ValueRef::new(Some(&bytes), format, sub))
            .map_err(|source| RangeError::Bound { which, source })
    })
}

/// Splits a range into its bounds (binary or text) and hands each finite one to `bound`.
fn decode_bounds<'r, T>(
    raw: &'r [u8],
    format: Format,
    mut bound: impl FnMut(&'static str, Cow<'r, [u8]>) -> Result<T, RangeError>,
) -> Result<Range<T>, BoxError> {
    let mut finish = |which, b: TextBound<'r>| -> Result<Bound<T>, RangeError> {
        Ok(match b {
            None => Bound::Unbounded,
            Some((bytes, true)) => Bound::Included(bound(which, bytes)?),
            Some((bytes, false)) => Bound::Excluded(bound(which, bytes)?),
        })
    };
    if format == Format::Text {
        let Some((lower, upper)) = parse_text(raw)? else {
            return Ok(Range::Empty);
        };
        let lower = finish("lower", lower)?;
        let upper = finish("upper", upper)?;
        return Ok(Range::new(lower, upper));
    }
    let mut r = Reader::new(raw, "range");
    let flags = r.u8()?;
    if flags & EMPTY != 0 {
        r.finish()?;
        return Ok(Range::Empty);
    }
    let mut read = |inf, inc| -> Result<TextBound<'r>, RangeError> {
        if flags & inf != 0 {
            return Ok(None);
        }
        let bytes = r.value()?.ok_or(RangeError::NullBound)?;
        Ok(Some((Cow::Borrowed(bytes), flags & inc != 0)))
    };
    let lower = read(LB_INF, LB_INC)?;
    let upper = read(UB_INF, UB_INC)?;
    r.finish()?;
    let lower = finish("lower", lower)?;
    let upper = finish("upper", upper)?;
    Ok(Range::new(lower, upper))
}

/// A bound: its bytes (borrowed, or unescaped into a copy) and whether it is inclusive; `None`
/// when unbounded.
type TextBound<'r> = Option<(Cow<'r, [u8]>, bool)>;

/// Parses a range's text as the server's `range_in` does: `empty`, `[a,b)`, `(,b]`,
/// `["a b",)`, where `"` starts and ends quoted stretches (`""` inside is one `"`), `\` takes the
/// next byte literally, and an empty bound is infinite (`""` is the empty string). `None` for the
/// empty range.
pub(crate) fn parse_text(s: &[u8]) -> Result<Option<(TextBound<'_>, TextBound<'_>)>, RangeError> {
    let s = s.trim_ascii();
    if s.eq_ignore_ascii_case(b"empty") {
        return Ok(None);
    }
    let lower_inc = match s.first() {
        Some(b'[') => true,
        Some(b'(') => false,
        Some(_) => return Err(RangeError::Text("expected '[' or '('")),
        None => return Err(RangeError::Text("empty input")),
    };
    let (lower, pos) = text_bound(s, 1)?;
    if s.get(pos) != Some(&b',') {
        return Err(RangeError::Text("expected ','"));
    }
    let (upper, pos) = text_bound(s, pos + 1)?;
    let upper_inc = match s.get(pos) {
        Some(b']') => true,
        Some(b')') => false,
        _ => return Err(RangeError::Text("expected ']' or ')'")),
    };
    if pos + 1 != s.len() {
        return Err(RangeError::Text("junk after the upper bound"));
    }
    Ok(Some((
        lower.map(|b| (b, lower_inc)),
        upper.map(|b| (b, upper_inc)),
    )))
}

/// A bound's bytes as written in a range's text, `None` when unbounded.
type BoundText<'r> = Option<Cow<'r, [u8]>>;

/// The bound starting at `start` (`None` when absent: unbounded) and where it ends: at the
/// first `,`, `]` or `)` outside quotes. Borrowed when written without escapes (bare, or
/// quoted as a whole), else unescaped into a copy.
fn text_bound(s: &[u8], start: usize) -> Result<(BoundText<'_>, usize), RangeError> {
    let ends = |b: Option<&u8>| matches!(b, Some(b',' | b']' | b')'));
    if ends(s.get(start)) {
        return Ok((None, start));
    }
    let mut copy = Vec::new();
    let mut pos = start;
    let mut in_quotes = false;
    let mut plain = true;
    let mut quotes = 0usize;
    while in_quotes || !ends(s.get(pos)) {
        let Some(&c) = s.get(pos) else {
            return Err(RangeError::Text("unterminated range"));
        };
        pos += 1;
        match c {
            b'\\' => {
                let &next = s.get(pos).ok_or(RangeError::Text("unterminated range"))?;
                pos += 1;
                copy.push(next);
                plain = false;
            }
            b'"' if !in_quotes => {
                in_quotes = true;
                quotes += 1;
            }
            b'"' if s.get(pos) == Some(&b'"') => {
                pos += 1;
                copy.push(b'"');
                plain = false;
            }
            b'"' => {
                in_quotes = false;
                quotes += 1;
            }
            _ => copy.push(c),
        }
    }
    let raw = s.get(start..pos).unwrap_or_default();
    let bound = if plain && quotes == 0 {
        Cow::Borrowed(raw)
    } else if plain && quotes == 2 && raw.first() == Some(&b'"') && raw.last() == Some(&b'"') {
        Cow::Borrowed(raw.get(1..raw.len() - 1).unwrap_or_default())
    } else {
        Cow::Owned(copy)
    };
    Ok((Some(bound), pos))
}

impl<T: Type> Type for Range<T> {
    fn accepts(ty: &PgType) -> bool {
        subtype(ty).is_some_and(T::accepts)
    }
}

impl<T: Encode + Type> Encode for Range<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        let sub = subtype(ty).ok_or_else(|| RangeError::NotARange {
            ty: ty.name().to_owned(),
        })?;
        encode_range(self, sub, buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Self as Type>::accepts(ty)
    }
}

impl<'r, T: Decode<'r>> Decode<'r> for Range<T> {
    fn accepts(ty: &PgType, format: Format) -> bool {
        subtype(ty).is_some_and(|sub| T::accepts(sub, format))
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let ty = value.ty();
        let sub = subtype(ty).ok_or_else(|| RangeError::NotARange {
            ty: ty.name().to_owned(),
        })?;
        decode_range(value.non_null()?, value.format(), sub)
    }
    fn decode_copy(value: ValueRef<'_>) -> Result<Self, BoxError> {
        let ty = value.ty();
        let sub = subtype(ty).ok_or_else(|| RangeError::NotARange {
            ty: ty.name().to_owned(),
        })?;
        decode_range_copy(value.non_null()?, value.format(), sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn round_trip(r: Range<i32>) -> Range<i32> {
        let ty = PgType::resolve(oid::INT4RANGE);
        let mut buf = BytesMut::new();
        r.encode(&ty, &mut buf).unwrap();
        Range::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap()
    }

    #[test]
    fn binary_round_trips() {
        for r in [
            Range::Empty,
            Range::from(1..5),
            Range::from(..),
            Range::from(3..),
            Range::from(..=7),
            Range::new(Bound::Excluded(-1), Bound::Included(9)),
        ] {
            assert_eq!(round_trip(r.clone()), r);
        }
    }

    #[test]
    fn text_forms() {
        let ty = PgType::resolve(oid::INT4RANGE);
        let dec = |s: &'static str| {
            Range::<i32>::decode(ValueRef::new(Some(s.as_bytes()), Format::Text, &ty))
        };
        assert_eq!(dec("[1,5)").unwrap(), Range::from(1..5));
        assert_eq!(dec("empty").unwrap(), Range::Empty);
        assert_eq!(dec("(,5]").unwrap(), Range::from(..=5));
        assert_eq!(dec("[\"2\",)").unwrap(), Range::from(2..));
        assert_eq!(
            dec(" [1,5] ").unwrap(),
            Range::new(Bound::Included(1), Bound::Included(5))
        );
        for bad in [
            "[1,5", "1,5)", "[1;5)", "", "[a,5)", "[1,5)x", "[\"1,5)", "[1\\",
        ] {
            assert!(dec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_bounds_with_escapes_are_copies() {
        let ty = PgType::resolve(oid::TEXT);
        let range = PgType::new(90_010, "textrange", "public", Kind::Range(ty));
        let raw = br#"("a ""b",c\\d]"#;
        let value = ValueRef::new(Some(raw), Format::Text, &range);
        let want = Range::new(
            Bound::Excluded("a \"b".to_owned()),
            Bound::Included("c\\d".to_owned()),
        );
        assert_eq!(Range::<String>::decode(value).unwrap(), want);
        assert_eq!(Range::<String>::decode_copy(value).unwrap(), want);
        assert!(Range::<&str>::decode(value).is_err());
        let plain = ValueRef::new(Some(br#"["",b)"#), Format::Text, &range);
        let r = Range::<&str>::decode(plain).unwrap();
        assert_eq!(r, Range::new(Bound::Included(""), Bound::Excluded("b")));
    }

    #[test]
    fn bad_bytes_are_errors() {
        let ty = PgType::resolve(oid::INT4RANGE);
        let mut buf = BytesMut::new();
        Range::from(1..5).encode(&ty, &mut buf).unwrap();
        for cut in 0..buf.len() {
            let r = Range::<i32>::decode(ValueRef::new(Some(&buf[..cut]), Format::Binary, &ty));
            assert!(r.is_err(), "cut at {cut}");
        }
        assert!(!<Range<i64> as Type>::accepts(&ty));
        assert!(<Range<i64> as Type>::accepts(&PgType::resolve(
            oid::INT8RANGE
        )));
    }

    fn bound() -> impl proptest::strategy::Strategy<Value = Bound<i32>> {
        use proptest::prelude::*;
        prop_oneof![
            any::<i32>().prop_map(Bound::Included),
            any::<i32>().prop_map(Bound::Excluded),
            Just(Bound::Unbounded),
        ]
    }

    proptest::proptest! {
        #[test]
        fn prop_round_trip(lower in bound(), upper in bound()) {
            let r = Range::new(lower, upper);
            proptest::prop_assert_eq!(round_trip(r.clone()), r);
        }

        #[test]
        fn prop_garbage_never_panics(raw in proptest::collection::vec(proptest::num::u8::ANY, 0..32)) {
            let ty = PgType::resolve(oid::INT4RANGE);
            for format in [Format::Binary, Format::Text] {
                let _ = Range::<i32>::decode(ValueRef::new(Some(&raw), format, &ty));
            }
        }
    }
}
