//! The text form of records (`(1,"a ""b""",,x)`), for composites received in text: those with a
//! field whose type has no binary codec in Quarry or no binary I/O on the server. Fields are
//! borrowed from the row; a field written with escapes (`""`, `\`) is unescaped into a copy,
//! which only owned Rust types decode ([`Decode::decode_copy`](super::Decode::decode_copy)).
//!
//! The grammar is the server's `record_in`: `(`, the fields separated by `,`, `)`; an empty field
//! is NULL; `"` starts and ends quoted stretches (in which `,` and `)` are data and `""` is one
//! `"`), `\` takes the next byte literally; `""` alone is the empty string.

use std::borrow::Cow;

use super::composite::CompositeError;

/// Splits a record's text into its fields (`None` for NULL). `expected` is the number of fields
/// of the composite type: `()` is one NULL field of a one-field type and no field of a
/// zero-field type, which the text alone cannot tell apart.
pub(crate) fn parse(
    s: &[u8],
    expected: usize,
) -> Result<Vec<Option<Cow<'_, [u8]>>>, CompositeError> {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let mut p = Parser { s, pos: start };
    p.expect(b'(')?;
    let mut fields = Vec::with_capacity(expected.min(s.len()));
    for i in 0..expected {
        if i > 0 {
            p.expect(b',')?;
        }
        fields.push(p.field()?);
    }
    p.expect(b')')?;
    if s.get(p.pos..)
        .is_some_and(|rest| rest.iter().any(|b| !b.is_ascii_whitespace()))
    {
        return Err(CompositeError::Text("text after the closing parenthesis"));
    }
    Ok(fields)
}

struct Parser<'r> {
    s: &'r [u8],
    pos: usize,
}

impl<'r> Parser<'r> {
    fn expect(&mut self, b: u8) -> Result<(), CompositeError> {
        match self.s.get(self.pos) {
            Some(&c) if c == b => {
                self.pos += 1;
                Ok(())
            }
            Some(b')') if b == b',' => Err(CompositeError::Text("fewer fields than the type has")),
            Some(b',') if b == b')' => Err(CompositeError::Text("more fields than the type has")),
            Some(_) if b == b'(' => Err(CompositeError::Text("a record starts with '('")),
            Some(_) => Err(CompositeError::Text("malformed record")),
            None => Err(CompositeError::Text("unterminated record")),
        }
    }

    /// One field: `None` when empty (NULL), borrowed when written without escapes (bare, or
    /// quoted as a whole), else unescaped into a copy.
    fn field(&mut self) -> Result<Option<Cow<'r, [u8]>>, CompositeError> {
        let start = self.pos;
        if matches!(self.s.get(start), Some(b',' | b')')) {
            return Ok(None);
        }
        let mut copy = Vec::new();
        let mut in_quotes = false;
        // Whether the field is its bytes as written, less one pair of quotes around all of it.
        let mut plain = true;
        let mut quotes = 0usize;
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err(CompositeError::Text("unterminated record"));
            };
            if !in_quotes && (c == b',' || c == b')') {
                break;
            }
            self.pos += 1;
            match c {
                b'\\' => {
                    let Some(&next) = self.s.get(self.pos) else {
                        return Err(CompositeError::Text("unterminated record"));
                    };
                    self.pos += 1;
                    copy.push(next);
                    plain = false;
                }
                b'"' if !in_quotes => {
                    in_quotes = true;
                    quotes += 1;
                }
                b'"' if self.s.get(self.pos) == Some(&b'"') => {
                    self.pos += 1;
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
        let raw = self.s.get(start..self.pos).unwrap_or_default();
        if plain && quotes == 0 {
            return Ok(Some(Cow::Borrowed(raw)));
        }
        if plain
            && quotes == 2
            && raw.len() >= 2
            && raw.first() == Some(&b'"')
            && raw.last() == Some(&b'"')
        {
            return Ok(Some(Cow::Borrowed(
                raw.get(1..raw.len() - 1).unwrap_or_default(),
            )));
        }
        Ok(Some(Cow::Owned(copy)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str, n: usize) -> Vec<Option<String>> {
        parse(s.as_bytes(), n)
            .unwrap()
            .into_iter()
            .map(|f| f.map(|f| String::from_utf8(f.into_owned()).unwrap()))
            .collect()
    }

    #[test]
    fn parses_what_record_out_prints() {
        assert_eq!(
            fields(r#"(1,"a ""q""","a b","$.""a\\""b""",5)"#, 5),
            [
                Some("1".into()),
                Some(r#"a "q""#.into()),
                Some("a b".into()),
                Some(r#"$."a\"b""#.into()),
                Some("5".into()),
            ]
        );
        assert_eq!(fields("(,,)", 3), [None, None, None]);
        assert_eq!(
            fields(r#"("",x)"#, 2),
            [Some(String::new()), Some("x".into())]
        );
        assert_eq!(fields("()", 1), [None]);
        assert_eq!(fields("()", 0), Vec::<Option<String>>::new());
        assert_eq!(fields(r#" (a"b,c"d) "#, 1), [Some("ab,cd".into())]);
        assert_eq!(fields(r#"("(1,""x"")")"#, 1), [Some(r#"(1,"x")"#.into())]);
    }

    #[test]
    fn borrows_fields_without_escapes() {
        let parsed = parse(br#"(abc,"d e",f""g)"#, 3).unwrap();
        assert!(matches!(parsed[0], Some(Cow::Borrowed(b"abc"))));
        assert!(matches!(parsed[1], Some(Cow::Borrowed(b"d e"))));
        assert!(matches!(parsed[2], Some(Cow::Owned(_))));
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "1,2",
            "(1,2",
            "(1)",
            "(1,2,3)",
            r#"("1,2)"#,
            r"(1\",
            "(1,2)x",
        ] {
            assert!(parse(bad.as_bytes(), 2).is_err(), "{bad:?}");
        }
    }
}
