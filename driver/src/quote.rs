//! Quoting for the SQL text Quarry builds itself (LISTEN channels, cursor names, COPY options,
//! database names): one quoter for identifiers and one for literals. A NUL byte cannot be quoted;
//! SQL containing one is refused when it is sent ([`Error::Protocol`](crate::Error::Protocol)).

/// `name` as a quoted SQL identifier (`"` doubled inside), so it keeps its case and cannot
/// inject SQL.
///
/// ```
/// use quarry_driver::quote_ident;
/// assert_eq!(quote_ident("jobs"), "\"jobs\"");
/// assert_eq!(quote_ident("my \"t\""), "\"my \"\"t\"\"\"");
/// ```
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `value` as a string literal that means the same whatever `standard_conforming_strings` is:
/// `E'it''s \\ here'`.
///
/// ```
/// use quarry_driver::quote_literal;
/// assert_eq!(quote_literal("it's"), "E'it''s'");
/// assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
/// ```
pub fn quote_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 3);
    out.push_str("E'");
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::{quote_ident, quote_literal};

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("jobs"), "\"jobs\"");
        assert_eq!(quote_ident("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(quote_ident("a\"b; DROP"), "\"a\"\"b; DROP\"");
        assert_eq!(quote_ident(""), "\"\"");
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(quote_literal(""), "E''");
        assert_eq!(quote_literal("it's"), "E'it''s'");
        assert_eq!(quote_literal("a\\b'c"), "E'a\\\\b''c'");
    }
}
