//! Geometric types: `point`, `line`, `lseg`, `box`, `path`, `polygon`, `circle`.
//!
//! All are sequences of big-endian `float8` in binary (`path` adds a closed flag and a point
//! count, `polygon` a point count). Text forms are parsed too: every number in order, with the
//! first bracket telling an open path (`[`) from a closed one.

use std::fmt;

use bytes::{Buf, BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid, text};

/// A geometric value had the wrong shape.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum GeometryError {
    /// The binary value had the wrong number of bytes for its type.
    #[error("invalid binary {ty} value of {len} bytes")]
    InvalidBinary {
        /// The PostgreSQL type.
        ty: &'static str,
        /// Bytes received.
        len: usize,
    },
    /// The text value was not of the type's form.
    #[error("invalid {ty} text {text:?}")]
    InvalidText {
        /// The PostgreSQL type.
        ty: &'static str,
        /// The text received.
        text: String,
    },
    /// A path or polygon has more points than the wire format can count.
    #[error("too many points ({0}) for a path or polygon")]
    TooManyPoints(usize),
}

/// A `point`: `(x,y)`.
///
/// ```
/// use quarry_driver::types::Point;
/// assert_eq!(Point { x: 1.0, y: -2.5 }.to_string(), "(1,-2.5)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// The x coordinate.
    pub x: f64,
    /// The y coordinate.
    pub y: f64,
}

/// A `line`: the infinite line `a·x + b·y + c = 0`, printed `{a,b,c}`.
///
/// ```
/// use quarry_driver::types::Line;
/// assert_eq!(Line { a: 1.0, b: -1.0, c: 0.0 }.to_string(), "{1,-1,0}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Line {
    /// Coefficient of x.
    pub a: f64,
    /// Coefficient of y.
    pub b: f64,
    /// The constant.
    pub c: f64,
}

/// An `lseg`: the segment between two points, printed `[(x1,y1),(x2,y2)]`.
///
/// ```
/// use quarry_driver::types::{LineSegment, Point};
/// let s = LineSegment { start: Point { x: 0.0, y: 0.0 }, end: Point { x: 1.0, y: 1.0 } };
/// assert_eq!(s.to_string(), "[(0,0),(1,1)]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LineSegment {
    /// The first end point.
    pub start: Point,
    /// The second end point.
    pub end: Point,
}

/// A `box`: a rectangle given by two opposite corners, printed `(high),(low)`.
///
/// PostgreSQL reorders the corners so that `high` is the upper right one; a box read back
/// from the server always has `high.x >= low.x` and `high.y >= low.y`.
///
/// ```
/// use quarry_driver::types::{Box, Point};
/// let b = Box { high: Point { x: 2.0, y: 2.0 }, low: Point { x: 0.0, y: 0.0 } };
/// assert_eq!(b.to_string(), "(2,2),(0,0)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Box {
    /// The upper right corner.
    pub high: Point,
    /// The lower left corner.
    pub low: Point,
}

/// A `path`: points joined in order, open (`[...]`) or closed (`(...)`).
///
/// ```
/// use quarry_driver::types::{Path, Point};
/// let p = Path { points: vec![Point { x: 0.0, y: 0.0 }, Point { x: 1.0, y: 0.0 }], closed: false };
/// assert_eq!(p.to_string(), "[(0,0),(1,0)]");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    /// The points in order.
    pub points: Vec<Point>,
    /// Whether the last point joins the first.
    pub closed: bool,
}

/// A `polygon`: a closed figure through its points, printed `((x1,y1),...)`.
///
/// ```
/// use quarry_driver::types::{Point, Polygon};
/// let p = Polygon { points: vec![Point { x: 0.0, y: 0.0 }, Point { x: 1.0, y: 1.0 }] };
/// assert_eq!(p.to_string(), "((0,0),(1,1))");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    /// The vertices in order.
    pub points: Vec<Point>,
}

/// A `circle`: centre and radius, printed `<(x,y),r>`.
///
/// ```
/// use quarry_driver::types::{Circle, Point};
/// let c = Circle { center: Point { x: 1.0, y: 2.0 }, radius: 3.0 };
/// assert_eq!(c.to_string(), "<(1,2),3>");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Circle {
    /// The centre.
    pub center: Point,
    /// The radius.
    pub radius: f64,
}

/// Writes a float the way PostgreSQL prints it: `Infinity`, `NaN`, shortest round-trip digits,
/// in exponent form (`1e-05`, `1.5e+15`) when the exponent is below -4 or at least 15.
fn float(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_nan() {
        return f.write_str("NaN");
    }
    if v.is_infinite() {
        return f.write_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    }
    let sci = format!("{v:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return write!(f, "{v}");
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if v == 0.0 || (-4..15).contains(&exp) {
        write!(f, "{v}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        write!(f, "{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

fn points(f: &mut fmt::Formatter<'_>, points: &[Point]) -> fmt::Result {
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{p}")?;
    }
    Ok(())
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        float(f, self.x)?;
        f.write_str(",")?;
        float(f, self.y)?;
        f.write_str(")")
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        float(f, self.a)?;
        f.write_str(",")?;
        float(f, self.b)?;
        f.write_str(",")?;
        float(f, self.c)?;
        f.write_str("}")
    }
}

impl fmt::Display for LineSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{},{}]", self.start, self.end)
    }
}

impl fmt::Display for Box {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.high, self.low)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (open, close) = if self.closed { ("(", ")") } else { ("[", "]") };
        f.write_str(open)?;
        points(f, &self.points)?;
        f.write_str(close)
    }
}

impl fmt::Display for Polygon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        points(f, &self.points)?;
        f.write_str(")")
    }
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{},", self.center)?;
        float(f, self.radius)?;
        f.write_str(">")
    }
}

/// How one geometric type goes to and from the wire.
trait Geometry: Sized {
    const OID: u32;
    const NAME: &'static str;
    /// Appends the binary form.
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError>;
    /// Reads the binary form from all of `raw`.
    fn get(raw: &[u8]) -> Option<Self>;
    /// Builds the value from the text form's numbers (and whether it opened with `[`).
    fn from_numbers(numbers: &[f64], bracket: bool) -> Option<Self>;
}

fn put_point(p: &Point, buf: &mut BytesMut) {
    buf.put_f64(p.x);
    buf.put_f64(p.y);
}

/// Reads `N` floats that must be exactly all of `raw`.
fn floats<const N: usize>(mut raw: &[u8]) -> Option<[f64; N]> {
    if raw.len() != N * 8 {
        return None;
    }
    let mut out = [0.0; N];
    for slot in &mut out {
        *slot = raw.get_f64();
    }
    Some(out)
}

/// Reads a point count then exactly that many points.
fn counted_points(raw: &[u8]) -> Option<Vec<Point>> {
    let (count, mut rest) = raw.split_first_chunk::<4>()?;
    let count = usize::try_from(i32::from_be_bytes(*count)).ok()?;
    if rest.len() != count.checked_mul(16)? {
        return None;
    }
    let mut points = Vec::with_capacity(count);
    for _ in 0..count {
        points.push(Point {
            x: rest.get_f64(),
            y: rest.get_f64(),
        });
    }
    Some(points)
}

fn put_counted_points(points: &[Point], buf: &mut BytesMut) -> Result<(), GeometryError> {
    let count =
        i32::try_from(points.len()).map_err(|_| GeometryError::TooManyPoints(points.len()))?;
    buf.put_i32(count);
    for p in points {
        put_point(p, buf);
    }
    Ok(())
}

fn pairs(numbers: &[f64]) -> Option<Vec<Point>> {
    let chunks = numbers.chunks_exact(2);
    if !chunks.remainder().is_empty() {
        return None;
    }
    Some(chunks.map(|c| Point { x: c[0], y: c[1] }).collect())
}

impl Geometry for Point {
    const OID: u32 = oid::POINT;
    const NAME: &'static str = "point";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        put_point(self, buf);
        Ok(())
    }
    fn get(raw: &[u8]) -> Option<Self> {
        let [x, y] = floats(raw)?;
        Some(Point { x, y })
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        match *n {
            [x, y] => Some(Point { x, y }),
            _ => None,
        }
    }
}

impl Geometry for Line {
    const OID: u32 = oid::LINE;
    const NAME: &'static str = "line";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        buf.put_f64(self.a);
        buf.put_f64(self.b);
        buf.put_f64(self.c);
        Ok(())
    }
    fn get(raw: &[u8]) -> Option<Self> {
        let [a, b, c] = floats(raw)?;
        Some(Line { a, b, c })
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        match *n {
            [a, b, c] => Some(Line { a, b, c }),
            _ => None,
        }
    }
}

impl Geometry for LineSegment {
    const OID: u32 = oid::LSEG;
    const NAME: &'static str = "lseg";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        put_point(&self.start, buf);
        put_point(&self.end, buf);
        Ok(())
    }
    fn get(raw: &[u8]) -> Option<Self> {
        LineSegment::from_numbers(&floats::<4>(raw)?, false)
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        match *n {
            [x1, y1, x2, y2] => Some(LineSegment {
                start: Point { x: x1, y: y1 },
                end: Point { x: x2, y: y2 },
            }),
            _ => None,
        }
    }
}

impl Geometry for Box {
    const OID: u32 = oid::BOX;
    const NAME: &'static str = "box";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        put_point(&self.high, buf);
        put_point(&self.low, buf);
        Ok(())
    }
    fn get(raw: &[u8]) -> Option<Self> {
        Box::from_numbers(&floats::<4>(raw)?, false)
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        match *n {
            [x1, y1, x2, y2] => Some(Box {
                high: Point { x: x1, y: y1 },
                low: Point { x: x2, y: y2 },
            }),
            _ => None,
        }
    }
}

impl Geometry for Path {
    const OID: u32 = oid::PATH;
    const NAME: &'static str = "path";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        buf.put_u8(u8::from(self.closed));
        put_counted_points(&self.points, buf)
    }
    fn get(raw: &[u8]) -> Option<Self> {
        let (closed, rest) = raw.split_first()?;
        Some(Path {
            closed: *closed != 0,
            points: counted_points(rest)?,
        })
    }
    fn from_numbers(n: &[f64], bracket: bool) -> Option<Self> {
        Some(Path {
            points: pairs(n)?,
            closed: !bracket,
        })
    }
}

impl Geometry for Polygon {
    const OID: u32 = oid::POLYGON;
    const NAME: &'static str = "polygon";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        put_counted_points(&self.points, buf)
    }
    fn get(raw: &[u8]) -> Option<Self> {
        Some(Polygon {
            points: counted_points(raw)?,
        })
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        Some(Polygon { points: pairs(n)? })
    }
}

impl Geometry for Circle {
    const OID: u32 = oid::CIRCLE;
    const NAME: &'static str = "circle";
    fn put(&self, buf: &mut BytesMut) -> Result<(), GeometryError> {
        put_point(&self.center, buf);
        buf.put_f64(self.radius);
        Ok(())
    }
    fn get(raw: &[u8]) -> Option<Self> {
        Circle::from_numbers(&floats::<3>(raw)?, false)
    }
    fn from_numbers(n: &[f64], _bracket: bool) -> Option<Self> {
        match *n {
            [x, y, radius] => Some(Circle {
                center: Point { x, y },
                radius,
            }),
            _ => None,
        }
    }
}

/// Parses a geometric text form: every number in order, and whether the first bracket is `[`.
fn parse_text<G: Geometry>(s: &str) -> Result<G, GeometryError> {
    let invalid = || GeometryError::InvalidText {
        ty: G::NAME,
        text: s.to_owned(),
    };
    let bracket = s.trim_start().starts_with('[');
    let numbers = s
        .split(['(', ')', '[', ']', '{', '}', '<', '>', ','])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::parse::<f64>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid())?;
    G::from_numbers(&numbers, bracket).ok_or_else(invalid)
}

fn decode<G: Geometry>(value: &ValueRef<'_>) -> Result<G, BoxError> {
    let raw = value.non_null()?;
    match value.format() {
        Format::Text => Ok(parse_text(text(raw)?)?),
        Format::Binary => G::get(raw).ok_or_else(|| {
            GeometryError::InvalidBinary {
                ty: G::NAME,
                len: raw.len(),
            }
            .into()
        }),
    }
}

macro_rules! codec {
    ($($ty:ty),+) => {$(
        impl Type for $ty {
            fn accepts(ty: &PgType) -> bool {
                ty.base_oid() == <$ty as Geometry>::OID
            }
        }

        impl Encode for $ty {
            fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                self.put(buf)?;
                Ok(IsNull::No)
            }
            fn accepts(&self, ty: &PgType) -> bool {
                <$ty as Type>::accepts(ty)
            }
        }

        impl<'r> Decode<'r> for $ty {
            crate::types::decode_copy_owned!();
            fn accepts(ty: &PgType, _format: Format) -> bool {
                <$ty as Type>::accepts(ty)
            }
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                decode(&value)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = GeometryError;
            /// Parses PostgreSQL's text form of the type.
            fn from_str(s: &str) -> Result<Self, GeometryError> {
                parse_text(s)
            }
        }
    )+};
}

codec!(Point, Line, LineSegment, Box, Path, Polygon, Circle);

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

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn text_forms_parse_and_print_back() {
        for s in [
            "(1,2)",
            "(-1.5,Infinity)",
            "(1e-05,1.5e+15)",
            "(-0,123456789012345)",
            "(1e+300,0.0001)",
        ] {
            assert_eq!(s.parse::<Point>().unwrap().to_string(), s);
        }
        assert_eq!("{1,-1,0}".parse::<Line>().unwrap().to_string(), "{1,-1,0}");
        assert_eq!(
            "[(0,0),(1,1)]".parse::<LineSegment>().unwrap().end,
            p(1.0, 1.0)
        );
        assert_eq!("(2,2),(0,0)".parse::<Box>().unwrap().high, p(2.0, 2.0));
        assert!(!"[(0,0),(1,1)]".parse::<Path>().unwrap().closed);
        assert!("((0,0),(1,1))".parse::<Path>().unwrap().closed);
        assert_eq!(
            "((0,0),(1,1),(2,0))"
                .parse::<Polygon>()
                .unwrap()
                .points
                .len(),
            3
        );
        assert_eq!("<(1,2),3>".parse::<Circle>().unwrap().radius, 3.0);
        assert!("(1,2,3)".parse::<Point>().is_err());
        assert!("((0,0),(1))".parse::<Polygon>().is_err());
        assert!("(a,b)".parse::<Point>().is_err());
    }

    #[test]
    fn bad_binary_is_an_error() {
        let ty = PgType::resolve(oid::PATH);
        // Claims 2 points but carries one.
        let mut raw = vec![1, 0, 0, 0, 2];
        raw.extend_from_slice(&[0; 16]);
        assert!(Path::decode(ValueRef::new(Some(&raw), Format::Binary, &ty)).is_err());
        let raw = [0, 0xff, 0xff, 0xff, 0xff];
        assert!(Path::decode(ValueRef::new(Some(&raw), Format::Binary, &ty)).is_err());
        let ty = PgType::resolve(oid::POINT);
        assert!(Point::decode(ValueRef::new(Some(&[0; 15]), Format::Binary, &ty)).is_err());
    }

    #[test]
    fn compound_round_trips() {
        let path = Path {
            points: vec![p(0.0, 0.0), p(1.0, f64::INFINITY)],
            closed: true,
        };
        assert_eq!(round_trip(&path, oid::PATH), path);
        let poly = Polygon { points: vec![] };
        assert_eq!(round_trip(&poly, oid::POLYGON), poly);
        let b = Box {
            high: p(3.0, 4.0),
            low: p(1.0, 2.0),
        };
        assert_eq!(round_trip(&b, oid::BOX), b);
        let c = Circle {
            center: p(1.0, 2.0),
            radius: 0.5,
        };
        assert_eq!(round_trip(&c, oid::CIRCLE), c);
        let s = LineSegment {
            start: p(1.0, 2.0),
            end: p(-1.0, -2.0),
        };
        assert_eq!(round_trip(&s, oid::LSEG), s);
    }

    proptest! {
        #[test]
        fn point_and_line_round_trip(x in any::<f64>(), y in any::<f64>(), c in any::<f64>()) {
            let back = round_trip(&p(x, y), oid::POINT);
            prop_assert_eq!(back.x.to_bits(), x.to_bits());
            prop_assert_eq!(back.y.to_bits(), y.to_bits());
            let line = Line { a: x, b: y, c };
            let back = round_trip(&line, oid::LINE);
            prop_assert_eq!(back.c.to_bits(), c.to_bits());
        }

        #[test]
        fn polygon_round_trip(pts in proptest::collection::vec((-1e9f64..1e9, -1e9f64..1e9), 0..20)) {
            let poly = Polygon { points: pts.into_iter().map(|(x, y)| p(x, y)).collect() };
            prop_assert_eq!(&round_trip(&poly, oid::POLYGON), &poly);
            prop_assert_eq!(&poly.to_string().parse::<Polygon>().unwrap(), &poly);
        }
    }
}
