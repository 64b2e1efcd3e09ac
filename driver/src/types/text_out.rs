//! The text form of values that travel inside a record or array sent in text: a composite with a
//! field that can only go in text (a `String` for `tsvector`, `tsquery` or `money`, a text-format
//! custom codec) is sent whole as a record literal, so each of its other fields, encoded by its
//! Rust type in binary, is rendered here as the text its PostgreSQL type's input function reads
//! back as the same value. The binary form is decoded into a [`Value`] (the one decoder every
//! type has) and printed; the quoting of record, array and range literals lives here too.
//!
//! Dates and timestamps print in ISO style with `BC`, `timestamptz` in UTC with `+00`, so the
//! server's `DateStyle` and `TimeZone` do not matter. `money` prints with two fractional digits
//! (`lc_monetary` locales with cents), which only a `String` can avoid.

use std::fmt::Write;

use bytes::{BufMut, BytesMut};

use super::array::{element_format, element_type, is_vector};
use super::array_text::delimiter;
use super::composite::composite_fields;
use super::range::subtype;
use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Range, Value, ValueRef, oid};

/// A value that has no text form Quarry can write, which a record or array sent in text needs.
#[derive(Debug, thiserror::Error)]
#[error(
    "a {kind} has no text form for {pg_type} here, which a record or array sent in text (it holds a field that only goes in text) needs"
)]
pub(crate) struct NoTextForm {
    kind: &'static str,
    pg_type: String,
}

/// Whether a value must go in text for `ty`: its Rust type sends it in text, and Quarry cannot
/// turn that text into the type's binary form exactly (it can for `jsonpath`, `macaddr`,
/// `macaddr8`, `refcursor` and the snapshot types, see `composite.rs`).
pub(crate) fn needs_text<T: Encode + ?Sized>(value: &T, ty: &PgType) -> bool {
    value.format(ty) == Format::Text && !has_binary_from_text(ty)
}

/// Whether a value of `ty` sent in text can be converted into its binary form exactly.
pub(crate) fn has_binary_from_text(ty: &PgType) -> bool {
    ty.codec().is_none()
        && matches!(
            ty.base_oid(),
            oid::MACADDR
                | oid::MACADDR8
                | oid::JSONPATH
                | oid::REFCURSOR
                | oid::TXID_SNAPSHOT
                | oid::PG_SNAPSHOT
        )
}

/// Appends the text form of `value` as type `ty`: its own encoding when it goes in text, else
/// its binary form rendered as text. Nothing is written for NULL.
pub(crate) fn put_text<T: Encode + ?Sized>(
    value: &T,
    ty: &PgType,
    buf: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    if value.format(ty) == Format::Text {
        return value.encode(ty, buf);
    }
    let mut binary = BytesMut::new();
    if let IsNull::Yes = value.encode(ty, &mut binary)? {
        return Ok(IsNull::Yes);
    }
    let format = element_format(ty, Format::Binary);
    let decoded = Value::decode(ValueRef::new(Some(&binary), format, ty))?;
    let mut text = String::new();
    write_value(&decoded, ty, &mut text)?;
    buf.put_slice(text.as_bytes());
    Ok(IsNull::No)
}

/// Appends `text` as a field of a record literal, quoted as `record_out` does: in `"` when empty
/// or holding `"`, `\`, `(`, `)`, `,` or whitespace, with `"` and `\` doubled.
pub(crate) fn put_record_field(text: &[u8], buf: &mut BytesMut) {
    let quote = text.is_empty()
        || text
            .iter()
            .any(|b| matches!(b, b'"' | b'\\' | b'(' | b')' | b',') || b.is_ascii_whitespace());
    put_quoted(text, quote, false, buf);
}

/// Appends `text` as an element of an array literal, quoted as `array_out` does: in `"` when
/// empty, `NULL`, or holding `"`, `\`, `{`, `}`, the delimiter or whitespace, with `"` and `\`
/// escaped by `\`.
pub(crate) fn put_array_element(text: &[u8], delim: u8, buf: &mut BytesMut) {
    let quote = text.is_empty()
        || text.eq_ignore_ascii_case(b"NULL")
        || text.iter().any(|&b| {
            matches!(b, b'"' | b'\\' | b'{' | b'}') || b == delim || b.is_ascii_whitespace()
        });
    put_quoted(text, quote, true, buf);
}

fn put_quoted(text: &[u8], quote: bool, backslash: bool, buf: &mut BytesMut) {
    if !quote {
        buf.put_slice(text);
        return;
    }
    buf.put_u8(b'"');
    for &b in text {
        if b == b'"' || b == b'\\' {
            buf.put_u8(if backslash { b'\\' } else { b });
        }
        buf.put_u8(b);
    }
    buf.put_u8(b'"');
}

/// Writes the text form of a non-NULL `value` as type `ty`.
fn write_value(value: &Value, ty: &PgType, out: &mut String) -> Result<(), BoxError> {
    let no_text = || NoTextForm {
        kind: value.kind(),
        pg_type: ty.name().to_owned(),
    };
    match value {
        Value::Null => return Err(no_text().into()),
        Value::Text(s) => out.push_str(s),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Int(i) => write!(out, "{i}")?,
        Value::Char(0) => {}
        Value::Char(c) if c.is_ascii() => out.push(char::from(*c)),
        Value::Char(c) => write!(out, "\\{c:03o}")?,
        Value::Float(x) if x.is_nan() => out.push_str("NaN"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" });
        }
        // Rust prints the shortest text that reads back as the same float.
        Value::Float(x) => write!(out, "{x:?}")?,
        Value::Numeric(v) => write!(out, "{v}")?,
        Value::Xid8(v) => write!(out, "{v}")?,
        Value::MacAddr(v) => write!(out, "{v}")?,
        Value::MacAddr8(v) => write!(out, "{v}")?,
        Value::Money(v) => write!(out, "{v}")?,
        Value::Network(v) => write!(out, "{v}")?,
        Value::Point(v) => write!(out, "{v}")?,
        Value::Line(v) => write!(out, "{v}")?,
        Value::LineSegment(v) => write!(out, "{v}")?,
        Value::Box(v) => write!(out, "{v}")?,
        Value::Path(v) => write!(out, "{v}")?,
        Value::Polygon(v) => write!(out, "{v}")?,
        Value::Circle(v) => write!(out, "{v}")?,
        Value::Bits(v) => write!(out, "{v}")?,
        Value::Tid(v) => write!(out, "{v}")?,
        Value::Lsn(v) => write!(out, "{v}")?,
        #[cfg(feature = "uuid")]
        Value::Uuid(v) => write!(out, "{v}")?,
        Value::Void => {}
        Value::Bytes(bytes) => {
            out.push_str("\\x");
            for b in bytes {
                write!(out, "{b:02x}")?;
            }
        }
        Value::Hstore(map) => {
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                hstore_quoted(k, out);
                out.push_str("=>");
                match v {
                    Some(v) => hstore_quoted(v, out),
                    None => out.push_str("NULL"),
                }
            }
        }
        #[cfg(feature = "chrono")]
        Value::Date(_)
        | Value::Time(_)
        | Value::TimeTz(_)
        | Value::Timestamp(_)
        | Value::TimestampTz(_)
        | Value::Interval(_) => datetime::write(value, out),
        // `int2vector`, `oidvector`: the elements separated by spaces.
        Value::Array(array) if is_vector(ty) => {
            for (i, v) in array.elements.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write!(out, "{}", text_of(v, ty)?)?;
            }
        }
        Value::Array(array) => {
            let elem = element_type(ty).ok_or_else(no_text)?;
            let delim = delimiter(elem);
            let mut buf = BytesMut::new();
            if array.dims.iter().any(|d| d.lower_bound != 1) {
                for d in &array.dims {
                    let upper = i64::from(d.lower_bound) + i64::from(d.len) - 1;
                    write!(out, "[{}:{upper}]", d.lower_bound)?;
                }
                out.push('=');
            }
            let mut elements = array.elements.iter();
            write_level(&array.dims, &mut elements, elem, delim, &mut buf)?;
            out.push_str(std::str::from_utf8(&buf)?);
        }
        Value::Range(range) => write_range(range, subtype(ty).ok_or_else(no_text)?, out)?,
        Value::Multirange(ranges) => {
            let sub = super::multirange::range_subtype(ty).ok_or_else(no_text)?;
            out.push('{');
            for (i, range) in ranges.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_range(range, sub, out)?;
            }
            out.push('}');
        }
        Value::Record(fields) => {
            let types = composite_fields(ty).ok_or_else(no_text)?;
            let mut buf = BytesMut::new();
            buf.put_u8(b'(');
            for (i, ((_, v), field)) in fields.iter().zip(types).enumerate() {
                if i > 0 {
                    buf.put_u8(b',');
                }
                if !matches!(v, Value::Null) {
                    let mut text = String::new();
                    write_value(v, &field.ty, &mut text)?;
                    put_record_field(text.as_bytes(), &mut buf);
                }
            }
            buf.put_u8(b')');
            out.push_str(std::str::from_utf8(&buf)?);
        }
        Value::Custom(any) => {
            let codec = ty
                .codec()
                .filter(|c| c.format() == Format::Text)
                .ok_or_else(no_text)?;
            let mut buf = BytesMut::new();
            codec.encode_any(any.as_any(), &mut buf)?;
            out.push_str(std::str::from_utf8(&buf)?);
        }
        #[allow(unreachable_patterns)] // every variant is handled when all features are on
        _ => return Err(no_text().into()),
    }
    Ok(())
}

/// The text of a vector's element (an integer).
fn text_of(value: &Value, ty: &PgType) -> Result<String, BoxError> {
    let elem = element_type(ty).ok_or("a vector type has an element type")?;
    let mut text = String::new();
    write_value(value, elem, &mut text)?;
    Ok(text)
}

/// One level of an array literal's braces, its elements rendered and quoted.
fn write_level(
    dims: &[super::Dimension],
    elements: &mut std::slice::Iter<'_, Value>,
    elem: &PgType,
    delim: u8,
    buf: &mut BytesMut,
) -> Result<(), BoxError> {
    buf.put_u8(b'{');
    if let Some((d, inner)) = dims.split_first() {
        for i in 0..d.len {
            if i > 0 {
                buf.put_u8(delim);
            }
            if !inner.is_empty() {
                write_level(inner, elements, elem, delim, buf)?;
                continue;
            }
            match elements.next() {
                None => return Err("fewer array elements than its dimensions hold".into()),
                Some(Value::Null) => buf.put_slice(b"NULL"),
                Some(v) => {
                    let mut text = String::new();
                    write_value(v, elem, &mut text)?;
                    put_array_element(text.as_bytes(), delim, buf);
                }
            }
        }
    }
    buf.put_u8(b'}');
    Ok(())
}

/// `empty`, or `[`/`(`, the bounds (quoted as `range_out` does, empty when infinite), `]`/`)`.
fn write_range(range: &Range<Value>, sub: &PgType, out: &mut String) -> Result<(), BoxError> {
    use std::ops::Bound;
    let Range::NonEmpty { lower, upper } = range else {
        out.push_str("empty");
        return Ok(());
    };
    out.push(if matches!(lower, Bound::Included(_)) {
        '['
    } else {
        '('
    });
    for (i, bound) in [lower, upper].into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Bound::Included(v) | Bound::Excluded(v) = bound {
            let mut text = String::new();
            write_value(v, sub, &mut text)?;
            let quote = text.is_empty()
                || text.chars().any(|c| {
                    matches!(c, '"' | '\\' | '(' | ')' | '[' | ']' | ',') || c.is_whitespace()
                });
            if quote {
                out.push('"');
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        out.push(c);
                    }
                    out.push(c);
                }
                out.push('"');
            } else {
                out.push_str(&text);
            }
        }
    }
    out.push(if matches!(upper, Bound::Included(_)) {
        ']'
    } else {
        ')'
    });
    Ok(())
}

/// An hstore key or value in `"`, with `"` and `\` escaped by `\`.
fn hstore_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(feature = "chrono")]
mod datetime {
    //! Dates and times in ISO style, years before 1 as `BC`, `timestamptz` in UTC.

    use std::fmt::Write;

    use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

    use super::Value;
    use crate::types::Infinite;

    pub(super) fn write(value: &Value, out: &mut String) {
        match value {
            Value::Date(d) => infinite(d, out, |d, out| {
                date(*d, out);
                bc(d.year(), out);
            }),
            Value::Time(t) => time(*t, out),
            Value::TimeTz(t) => {
                let _ = write!(out, "{t}");
            }
            Value::Timestamp(ts) => infinite(ts, out, |ts, out| timestamp(ts, "", out)),
            Value::TimestampTz(ts) => {
                infinite(ts, out, |ts, out| timestamp(&ts.naive_utc(), "+00", out));
            }
            Value::Interval(i) => {
                let _ = write!(out, "{i}");
            }
            _ => {}
        }
    }

    fn infinite<T>(v: &Infinite<T>, out: &mut String, finite: impl FnOnce(&T, &mut String)) {
        match v {
            Infinite::Value(v) => finite(v, out),
            other => out.push_str(other.infinity_name().unwrap_or("infinity")),
        }
    }

    fn timestamp(ts: &NaiveDateTime, offset: &str, out: &mut String) {
        date(ts.date(), out);
        out.push(' ');
        time(ts.time(), out);
        out.push_str(offset);
        bc(ts.year(), out);
    }

    /// `YYYY-MM-DD`, the year counted from 1 BC backwards before year 1 (chrono's year 0).
    fn date(d: NaiveDate, out: &mut String) {
        let year = if d.year() <= 0 {
            1 - i64::from(d.year())
        } else {
            i64::from(d.year())
        };
        let _ = write!(out, "{year:04}-{:02}-{:02}", d.month(), d.day());
    }

    fn bc(year: i32, out: &mut String) {
        if year <= 0 {
            out.push_str(" BC");
        }
    }

    fn time(t: NaiveTime, out: &mut String) {
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}.{:06}",
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1000
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_field(s: &str) -> String {
        let mut buf = BytesMut::new();
        put_record_field(s.as_bytes(), &mut buf);
        String::from_utf8(buf.to_vec()).unwrap()
    }

    #[test]
    fn quotes_like_record_out_and_array_out() {
        assert_eq!(record_field("abc"), "abc");
        assert_eq!(record_field(""), r#""""#);
        assert_eq!(record_field(r#"a "b" \c"#), r#""a ""b"" \\c""#);
        assert_eq!(record_field("(1,2)"), r#""(1,2)""#);
        let mut buf = BytesMut::new();
        put_array_element(b"null", b',', &mut buf);
        put_array_element(br#"a"\"#, b',', &mut buf);
        assert_eq!(&buf[..], br#""null""a\"\\""#);
    }

    #[test]
    fn renders_binary_values_as_their_text() {
        let text = |v: &dyn Encode, oid| {
            let mut buf = BytesMut::new();
            put_text(v, &PgType::resolve(oid), &mut buf).unwrap();
            String::from_utf8(buf.to_vec()).unwrap()
        };
        assert_eq!(text(&-5i16, oid::INT2), "-5");
        assert_eq!(text(&true, oid::BOOL), "t");
        assert_eq!(text(&0.1f32, oid::FLOAT4), "0.10000000149011612");
        assert_eq!(text(&f64::NEG_INFINITY, oid::FLOAT8), "-Infinity");
        assert_eq!(text(&vec![0u8, 255], oid::BYTEA), "\\x00ff");
        assert_eq!(
            text(&vec![Some("a b"), None, Some("")], oid::TEXT_ARRAY),
            r#"{"a b",NULL,""}"#
        );
        assert_eq!(text(&super::Range::from(1..5), oid::INT4RANGE), "[1,5)");
        #[cfg(feature = "chrono")]
        {
            let d = chrono::NaiveDate::from_ymd_opt(-43, 3, 15).unwrap();
            assert_eq!(text(&d, oid::DATE), "0044-03-15 BC");
            let ts = d.and_hms_micro_opt(1, 2, 3, 4).unwrap().and_utc();
            assert_eq!(
                text(&ts, oid::TIMESTAMPTZ),
                "0044-03-15 01:02:03.000004+00 BC"
            );
        }
        let mut buf = BytesMut::new();
        assert_eq!(
            put_text(&None::<i32>, &PgType::resolve(oid::INT4), &mut buf).unwrap(),
            IsNull::Yes
        );
    }
}
