//! The text form of arrays (`{1,2,NULL}`, `[0:1]={a,b}`, `{{1,2},{3,4}}`), for arrays whose
//! element type has no binary codec. Elements are borrowed from the row; an element written with
//! backslash escapes (`"a \"b\""`) is unescaped into a copy, which only owned Rust types
//! decode ([`Decode::decode_copy`](super::Decode::decode_copy)).

use std::borrow::Cow;

use bytes::{BufMut, BytesMut};

use super::array::{ArrayError, Dimension};
use super::{BoxError, Encode, IsNull, PgType, oid};

/// A parsed array: dimensions and elements (`None` for NULL) in row-major order.
pub(crate) struct Parsed<'r> {
    pub(crate) dims: Vec<Dimension>,
    pub(crate) elements: Vec<Option<Cow<'r, [u8]>>>,
}

/// The element delimiter of the element type (`;` for `box`, `,` for every other built-in).
pub(crate) fn delimiter(elem: &PgType) -> u8 {
    if elem.oid() == oid::BOX { b';' } else { b',' }
}

/// Appends the text form of an array whose elements are sent in text (an element going through a
/// text-format custom codec, or a record that goes in text; the others are rendered as their
/// type's text by `text_out.rs`): `[lb:ub]...=` when a lower bound is not 1, nested braces, every
/// element quoted with `"` and `\` escaped, NULL unquoted.
pub(crate) fn write<'a, T, I>(
    elem: &PgType,
    dims: &[Dimension],
    elements: I,
    buf: &mut BytesMut,
) -> Result<(), BoxError>
where
    T: Encode + 'a + ?Sized,
    I: Iterator<Item = &'a T>,
{
    if dims.iter().any(|d| d.lower_bound != 1) {
        for d in dims {
            let upper = i64::from(d.lower_bound) + i64::from(d.len) - 1;
            buf.put_slice(format!("[{}:{upper}]", d.lower_bound).as_bytes());
        }
        buf.put_u8(b'=');
    }
    let delim = delimiter(elem);
    let mut elements = elements.enumerate();
    write_level(elem, dims, &mut elements, delim, buf)?;
    if elements.next().is_some() {
        return Err(ArrayError::Text("more elements than the dimensions hold").into());
    }
    Ok(())
}

fn write_level<'a, T, I>(
    elem: &PgType,
    dims: &[Dimension],
    elements: &mut I,
    delim: u8,
    buf: &mut BytesMut,
) -> Result<(), BoxError>
where
    T: Encode + 'a + ?Sized,
    I: Iterator<Item = (usize, &'a T)>,
{
    buf.put_u8(b'{');
    let Some((d, inner)) = dims.split_first() else {
        buf.put_u8(b'}');
        return Ok(());
    };
    for i in 0..d.len {
        if i > 0 {
            buf.put_u8(delim);
        }
        if !inner.is_empty() {
            write_level(elem, inner, elements, delim, buf)?;
            continue;
        }
        let (index, value) = elements
            .next()
            .ok_or(ArrayError::Text("fewer elements than the dimensions hold"))?;
        let mut text = BytesMut::new();
        let is_null = super::text_out::put_text(value, elem, &mut text)
            .map_err(|source| ArrayError::Element { index, source })?;
        if let IsNull::Yes = is_null {
            buf.put_slice(b"NULL");
            continue;
        }
        buf.put_u8(b'"');
        for &b in text.iter() {
            if b == b'"' || b == b'\\' {
                buf.put_u8(b'\\');
            }
            buf.put_u8(b);
        }
        buf.put_u8(b'"');
    }
    buf.put_u8(b'}');
    Ok(())
}

struct Parser<'r> {
    s: &'r [u8],
    pos: usize,
    delim: u8,
    lens: Vec<Option<usize>>,
    elements: Vec<Option<Cow<'r, [u8]>>>,
}

/// Parses the text form of an array.
pub(crate) fn parse(s: &[u8], delim: u8) -> Result<Parsed<'_>, ArrayError> {
    let mut p = Parser {
        s,
        pos: 0,
        delim,
        lens: Vec::new(),
        elements: Vec::new(),
    };
    p.skip_ws();
    let explicit = if p.peek() == Some(b'[') {
        Some(p.bounds()?)
    } else {
        None
    };
    p.expect(b'{')?;
    p.level(0)?;
    p.skip_ws();
    if p.pos != s.len() {
        return Err(ArrayError::Text("junk after the closing brace"));
    }
    let counted = p
        .lens
        .iter()
        .map(|len| {
            let len = len.unwrap_or(0);
            let len = i32::try_from(len).map_err(|_| ArrayError::Text("too many elements"))?;
            Ok(Dimension {
                len,
                lower_bound: 1,
            })
        })
        .collect::<Result<Vec<_>, ArrayError>>()?;
    let dims = if p.elements.is_empty() {
        Vec::new()
    } else if let Some(explicit) = explicit {
        if explicit
            .iter()
            .map(|d| d.len)
            .ne(counted.iter().map(|d| d.len))
        {
            return Err(ArrayError::Text("dimensions disagree with the elements"));
        }
        explicit
    } else {
        counted
    };
    Ok(Parsed {
        dims,
        elements: p.elements,
    })
}

impl<'r> Parser<'r> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), ArrayError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ArrayError::Text("unexpected character"))
        }
    }

    fn int(&mut self) -> Result<i32, ArrayError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        std::str::from_utf8(self.s.get(start..self.pos).unwrap_or_default())
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or(ArrayError::Text("invalid dimension bound"))
    }

    /// `[lb:ub][lb:ub]=`
    fn bounds(&mut self) -> Result<Vec<Dimension>, ArrayError> {
        let mut dims = Vec::new();
        while self.peek() == Some(b'[') {
            self.pos += 1;
            let lower = self.int()?;
            self.expect(b':')?;
            let upper = self.int()?;
            self.expect(b']')?;
            let len = upper
                .checked_sub(lower)
                .and_then(|d| d.checked_add(1))
                .ok_or(ArrayError::Text("invalid dimension bound"))?;
            dims.push(Dimension {
                len,
                lower_bound: lower,
            });
            self.skip_ws();
        }
        self.expect(b'=')?;
        Ok(dims)
    }

    /// The inside of a `{...}` at `depth`, up to and including its `}`.
    fn level(&mut self, depth: usize) -> Result<(), ArrayError> {
        if depth >= 6 {
            return Err(ArrayError::Text("more than 6 dimensions"));
        }
        if self.lens.len() <= depth {
            self.lens.push(None);
        }
        self.skip_ws();
        let mut n = 0usize;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.peek() == Some(b'{') {
                    self.pos += 1;
                    self.level(depth + 1)?;
                } else {
                    let item = self.item()?;
                    self.elements.push(item);
                }
                n += 1;
                self.skip_ws();
                match self.peek() {
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    Some(b) if b == self.delim => self.pos += 1,
                    _ => return Err(ArrayError::Text("expected a delimiter or '}'")),
                }
            }
        }
        match self.lens.get_mut(depth) {
            Some(slot @ None) => *slot = Some(n),
            Some(Some(len)) if *len == n => {}
            _ => return Err(ArrayError::Text("sub-arrays of different lengths")),
        }
        Ok(())
    }

    /// One element: quoted, or bare up to the delimiter (`NULL` unquoted is NULL).
    fn item(&mut self) -> Result<Option<Cow<'r, [u8]>>, ArrayError> {
        if self.peek() == Some(b'"') {
            let start = self.pos + 1;
            let rest = self.s.get(start..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or(ArrayError::Text("unterminated quoted element"))?;
            if rest.get(len) == Some(&b'\\') {
                let (value, used) = unescape(rest)?;
                self.pos = start + used;
                return Ok(Some(Cow::Owned(value)));
            }
            self.pos = start + len + 1;
            return Ok(rest.get(..len).map(Cow::Borrowed));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b != self.delim && b != b'}' && b != b'{' && b != b'"' && b != b'\\')
        {
            self.pos += 1;
        }
        if matches!(self.peek(), Some(b'{' | b'"' | b'\\')) {
            return Err(ArrayError::Text("unexpected character in an element"));
        }
        let raw = self.s.get(start..self.pos).unwrap_or_default().trim_ascii();
        if raw.is_empty() {
            return Err(ArrayError::Text("empty element"));
        }
        Ok((!raw.eq_ignore_ascii_case(b"NULL")).then_some(Cow::Borrowed(raw)))
    }
}

/// The value of a quoted element with escapes, from just after its opening quote: its unescaped
/// bytes and how many input bytes it took, closing quote included.
fn unescape(rest: &[u8]) -> Result<(Vec<u8>, usize), ArrayError> {
    let mut value = Vec::with_capacity(rest.len());
    let mut bytes = rest.iter().enumerate();
    while let Some((i, &b)) = bytes.next() {
        match b {
            b'"' => return Ok((value, i + 1)),
            b'\\' => {
                let (_, &escaped) = bytes
                    .next()
                    .ok_or(ArrayError::Text("unterminated quoted element"))?;
                value.push(escaped);
            }
            _ => value.push(b),
        }
    }
    Err(ArrayError::Text("unterminated quoted element"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_postgres_prints() {
        let p = parse(b"{1,NULL,\"a b\",\"NULL\"}", b',').unwrap();
        assert_eq!(
            p.dims,
            [Dimension {
                len: 4,
                lower_bound: 1
            }]
        );
        let want: [Option<&[u8]>; 4] = [Some(b"1"), None, Some(b"a b"), Some(b"NULL")];
        assert!(p.elements.iter().map(Option::as_deref).eq(want));
        let p = parse(b"[0:1][2:3]={{1,2},{3,4}}", b',').unwrap();
        assert_eq!(
            p.dims[0],
            Dimension {
                len: 2,
                lower_bound: 0
            }
        );
        assert_eq!(
            p.dims[1],
            Dimension {
                len: 2,
                lower_bound: 2
            }
        );
        assert_eq!(p.elements.len(), 4);
        assert!(parse(b"{}", b',').unwrap().dims.is_empty());
        assert_eq!(
            parse(b"{(1,1),(0,0);(2,2),(1,1)}", b';')
                .unwrap()
                .elements
                .len(),
            2
        );
    }

    #[test]
    fn unescapes_quoted_elements() {
        let p = parse(br#"{"a\"b","c\\\\d",x,"\"\""}"#, b',').unwrap();
        let want: [Option<&[u8]>; 4] = [Some(br#"a"b"#), Some(br"c\\d"), Some(b"x"), Some(b"\"\"")];
        assert!(
            p.elements.iter().map(Option::as_deref).eq(want),
            "{:?}",
            p.elements
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            &b"{1,2"[..],
            b"{{1},{2,3}}",
            b"{1}x",
            b"{\"a\\\"b}",
            b"[1:3]={1}",
            b"",
            b"{,}",
        ] {
            assert!(
                parse(bad, b',').is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
