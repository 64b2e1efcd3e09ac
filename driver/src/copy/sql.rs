//! SQL text for COPY: quoted identifiers and literals, and query parameters inlined as literals
//! (COPY cannot take bind parameters, so `copy_from_query` sends their values quoted by the
//! server itself, the way asyncpg does).

use super::CopyError;

/// `name` as a quoted identifier ([`crate::quote_ident`]), refused with an error naming `what`
/// when it holds a NUL.
pub(crate) fn ident(name: &str, what: &'static str) -> Result<String, CopyError> {
    if name.contains('\0') {
        return Err(CopyError::Nul { what });
    }
    Ok(crate::quote_ident(name))
}

/// `value` as a string literal ([`crate::quote_literal`]), refused with an error naming `what`
/// when it holds a NUL.
pub(crate) fn literal(value: &str, what: &'static str) -> Result<String, CopyError> {
    if value.contains('\0') {
        return Err(CopyError::Nul { what });
    }
    Ok(crate::quote_literal(value))
}

/// A comma-separated list of quoted identifiers.
pub(crate) fn ident_list(names: &[String], what: &'static str) -> Result<String, CopyError> {
    let quoted: Result<Vec<String>, CopyError> = names.iter().map(|n| ident(n, what)).collect();
    Ok(quoted?.join(", "))
}

/// Replaces each `$n` placeholder outside literals, quoted identifiers and comments with
/// `literals[n - 1]`. Placeholders past the end are left as they are (the server rejects them).
pub(crate) fn inline_params(sql: &str, literals: &[String]) -> String {
    let bytes = sql.as_bytes();
    let mut out =
        String::with_capacity(sql.len() + literals.iter().map(String::len).sum::<usize>());
    let mut i = 0;
    let mut copied = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' | b'"' => {
                let escapes = b == b'\'' && i > 0 && matches!(bytes.get(i - 1), Some(b'E' | b'e'));
                i = skip_quoted(bytes, i + 1, b, escapes);
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + n + 4);
            }
            b'$' => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if digits > 0 {
                    let end = i + 1 + digits;
                    let literal = sql
                        .get(i + 1..end)
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|n| literals.get(n));
                    if let Some(literal) = literal {
                        out.push_str(&sql[copied..i]);
                        out.push_str(literal);
                        copied = end;
                    }
                    i = end;
                } else {
                    i = skip_dollar_quoted(bytes, i);
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(sql.get(copied..).unwrap_or(""));
    out
}

/// The index after the closing `quote` of a literal or identifier starting at `i` (doubled
/// quotes stay inside; `escapes` for E'' strings, where a backslash escapes too).
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8, escapes: bool) -> usize {
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == quote {
            if bytes.get(i) == Some(&quote) {
                i += 1;
            } else {
                return i;
            }
        } else if b == b'\\' && escapes {
            // E'' strings escape the next character with a backslash.
            i += 1;
        }
    }
    bytes.len()
}

/// After a `$tag$ ... $tag$` string starting at `i`, or `i + 1` when `$` starts none.
fn skip_dollar_quoted(bytes: &[u8], i: usize) -> usize {
    let rest = &bytes[i + 1..];
    let tag_len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if rest.get(tag_len) != Some(&b'$') {
        return i + 1;
    }
    let tag = &bytes[i..i + tag_len + 2];
    let body = i + tag_len + 2;
    memchr::memmem::find(&bytes[body..], tag).map_or(bytes.len(), |n| body + n + tag.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("a", "table").unwrap(), "\"a\"");
        assert!(ident("a\0", "table").is_err());
        assert_eq!(literal("", "null").unwrap(), "E''");
        assert!(literal("\0", "null").is_err());
    }

    #[test]
    fn inlining() {
        let lits = vec!["E'x'".to_owned(), "5".to_owned()];
        assert_eq!(
            inline_params(
                "SELECT $1, '$2', \"$1\", $2 -- $1\n, $$ $1 $$, $t$ $2 $t$ /* $1 */ $10",
                &lits
            ),
            "SELECT E'x', '$2', \"$1\", 5 -- $1\n, $$ $1 $$, $t$ $2 $t$ /* $1 */ $10"
        );
        assert_eq!(
            inline_params("SELECT 'it''s $1', $1", &lits),
            "SELECT 'it''s $1', E'x'"
        );
        assert_eq!(
            inline_params("SELECT 'a\\', $1", &lits),
            "SELECT 'a\\', E'x'"
        );
        assert_eq!(
            inline_params("SELECT E'a\\' $1', $2", &lits),
            "SELECT E'a\\' $1', 5"
        );
    }
}
