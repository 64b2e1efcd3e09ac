//! Where the parts of a URL DSN begin and end, in the text after `://`:
//! `[user[:password]@][host[:port][,...]][/dbname][?query]`.
//!
//! Reserved characters left unescaped in a password make the split ambiguous, and this module
//! offers the readings `parse_into` chooses from. libpq ends the userinfo at the first `@`
//! before the first `/`; [`split`] ends it at the last one, so that `@` in a password works as
//! well as `:`, `?`, `#`, `&` and spaces (after an `@`, libpq takes the rest of the password for
//! the host).
//! A `/` in a password looks like the start of the database name: [`slash_readings`] lists the
//! readings that put it in the password instead, one per `@` after the first `/`.
//! [`password_span`] says where a password may lie when no reading parses, so that errors do not
//! quote it.

use std::ops::Range;

/// A slice of the text after `://`, with its byte offset there.
#[derive(Clone, Copy, Debug)]
pub(super) struct Part<'a> {
    pub(super) text: &'a str,
    start: usize,
}

impl<'a> Part<'a> {
    /// `range` of `rest`; every range here starts and ends at an ASCII delimiter.
    fn of(rest: &'a str, range: Range<usize>) -> Part<'a> {
        Part {
            text: rest.get(range.clone()).unwrap_or(""),
            start: range.start,
        }
    }

    /// Where the part lies in the text after `://`.
    pub(super) fn range(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }

    /// The parts before and after the first `c`.
    pub(super) fn split_once(self, c: char) -> Option<(Part<'a>, Part<'a>)> {
        let (before, after) = self.text.split_once(c)?;
        let after_start = self.start + before.len() + c.len_utf8();
        Some((
            Part {
                text: before,
                start: self.start,
            },
            Part {
                text: after,
                start: after_start,
            },
        ))
    }

    /// The parts between the `c`s.
    pub(super) fn split(self, c: char) -> impl Iterator<Item = Part<'a>> {
        let mut start = self.start;
        self.text.split(c).map(move |text| {
            let part = Part { text, start };
            start += text.len() + c.len_utf8();
            part
        })
    }
}

/// One reading of a URL DSN.
#[derive(Debug)]
pub(super) struct Parts<'a> {
    /// `user[:password]`, without its `@`.
    pub(super) userinfo: Option<Part<'a>>,
    pub(super) hostlist: Part<'a>,
    pub(super) dbname: Part<'a>,
    pub(super) query: Part<'a>,
}

/// The usual reading: the userinfo ends at the last `@` before the first `/`, unless that `@`
/// belongs to a query (`h?user=me@corp`, `h:5432?application_name=a@b&sslmode=require`).
pub(super) fn split(rest: &str) -> Parts<'_> {
    let region = rest.find('/').unwrap_or(rest.len());
    if let Some(at) = rest.get(..region).and_then(|r| r.rfind('@'))
        && ends_userinfo(rest, at)
    {
        return after_userinfo(rest, at);
    }
    from_hostlist(rest, 0, None)
}

/// The readings with a `/` in the password (`user:pa/ss@host/db`), in order: one for each
/// `@` after the first `/` that a host list follows, up to the first `=` or `&` of a query.
/// None unless a `:` comes before the first `/` (a password starts after the first `:`). An
/// `@` in a query's pairs is not tried: `h:5432/d?application_name=me@corp` is common, a
/// password with `/`, `?` and `=` is not.
pub(super) fn slash_readings(rest: &str) -> impl Iterator<Item = Parts<'_>> {
    let candidates = match rest.find('/') {
        Some(slash) if colon_before_slash(rest) => {
            let after = rest.get(slash + 1..).unwrap_or("");
            let pairs = after
                .find('?')
                .and_then(|q| Some(q + after.get(q..)?.find(['=', '&'])?));
            slash + 1..slash + 1 + pairs.unwrap_or(after.len())
        }
        _ => 0..0,
    };
    let from = candidates.start;
    rest.get(candidates)
        .unwrap_or("")
        .match_indices('@')
        .map(move |(i, _)| from + i)
        .filter(move |&at| ends_userinfo(rest, at))
        .map(move |at| after_userinfo(rest, at))
}

/// Whether a `:` comes before the first `/`, so that a raw `@` after the first `/` may end a
/// password holding a `/` as well as belong to the database name or the query.
pub(super) fn colon_before_slash(rest: &str) -> bool {
    match (rest.find(':'), rest.find('/')) {
        (Some(colon), Some(slash)) => colon < slash,
        _ => false,
    }
}

/// Where a password may lie in a URL that did not parse, so that no error quotes text from
/// there: from the first `:` before the first `/` (a password starts after it) to the last
/// `@`. Without an `@`, `user:password` reads as `host:port`, so a port of the first host that
/// is not a number counts too. A `:` inside a leading `[...]` is an IPv6 address's.
pub(super) fn password_span(rest: &str) -> Option<Range<usize>> {
    let skip = match rest.strip_prefix('[') {
        Some(bracketed) => bracketed.find(']').map_or(rest.len(), |i| i + 2),
        None => 0,
    };
    let colon = skip + rest.get(skip..)?.find(':')?;
    if rest.find('/').is_some_and(|slash| slash < colon) {
        return None;
    }
    let start = colon + 1;
    match rest.rfind('@') {
        Some(at) if at > colon => Some(start..at),
        Some(_) => None,
        None => {
            let after = rest.get(start..)?;
            let end = start + after.find([',', '/', '?']).unwrap_or(after.len());
            let port = rest.get(start..end)?;
            (!port.bytes().all(|b| b.is_ascii_digit())).then_some(start..end)
        }
    }
}

/// Whether the `@` at `at` can end a userinfo: the user name before it does not run into a
/// query (a `?` before any `:`), and a host list follows it (up to `/` or `?`, no `@`, `=` or
/// `&`).
fn ends_userinfo(rest: &str, at: usize) -> bool {
    let userinfo = rest.get(..at).unwrap_or("");
    let query_first = match (userinfo.find('?'), userinfo.find(':')) {
        (Some(question), Some(colon)) => question < colon,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let after = rest.get(at + 1..).unwrap_or("");
    let host = after
        .get(..after.find(['/', '?']).unwrap_or(after.len()))
        .unwrap_or("");
    !query_first && !host.contains(['@', '=', '&'])
}

fn after_userinfo(rest: &str, at: usize) -> Parts<'_> {
    from_hostlist(rest, at + 1, Some(Part::of(rest, 0..at)))
}

/// The parts from the host list on, which starts at `start`.
fn from_hostlist<'a>(rest: &'a str, start: usize, userinfo: Option<Part<'a>>) -> Parts<'a> {
    let len = rest.len();
    let after = rest.get(start..).unwrap_or("");
    let host_end = start + after.find(['/', '?']).unwrap_or(after.len());
    let (dbname, query) = match rest.get(host_end..).and_then(|r| r.chars().next()) {
        Some('/') => {
            let db_start = host_end + 1;
            let after_db = rest.get(db_start..).unwrap_or("");
            match after_db.find('?') {
                Some(q) => (db_start..db_start + q, db_start + q + 1..len),
                None => (db_start..len, len..len),
            }
        }
        Some('?') => (host_end..host_end, host_end + 1..len),
        _ => (len..len, len..len),
    };
    Parts {
        userinfo,
        hostlist: Part::of(rest, start..host_end),
        dbname: Part::of(rest, dbname),
        query: Part::of(rest, query),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reading as text: userinfo, host list, database name, query.
    type Texts<'a> = (Option<&'a str>, &'a str, &'a str, &'a str);

    fn texts<'a>(parts: &Parts<'a>) -> Texts<'a> {
        (
            parts.userinfo.map(|u| u.text),
            parts.hostlist.text,
            parts.dbname.text,
            parts.query.text,
        )
    }

    #[test]
    fn usual_reading() {
        let cases: &[(&str, Texts<'_>)] = &[
            ("u:p@h:1,g/d?x=1", (Some("u:p"), "h:1,g", "d", "x=1")),
            ("u:p@ss@h/d", (Some("u:p@ss"), "h", "d", "")),
            ("u:p?s#s@h?x=1", (Some("u:p?s#s"), "h", "", "x=1")),
            ("h?user=me@corp", (None, "h", "", "user=me@corp")),
            ("h:5432?a=b@c&d=e", (None, "h:5432", "", "a=b@c&d=e")),
            ("h/d@x?y=1", (None, "h", "d@x", "y=1")),
            ("", (None, "", "", "")),
            ("/d", (None, "", "d", "")),
        ];
        for (rest, want) in cases {
            assert_eq!(texts(&split(rest)), *want, "{rest}");
        }
    }

    #[test]
    fn readings_with_a_slash_in_the_password() {
        let all = |rest| slash_readings(rest).map(|p| texts(&p)).collect::<Vec<_>>();
        assert_eq!(
            all("u:a/b@c@h/d"),
            [(Some("u:a/b@c"), "h", "d", "")],
            "the host part has no `@`"
        );
        assert_eq!(
            all("u:a/b/c@h?x=1@y"),
            [(Some("u:a/b/c"), "h", "", "x=1@y")],
            "an `@` in a query pair is not tried"
        );
        assert_eq!(
            all("u:a/b?c@h/d?x=1"),
            [(Some("u:a/b?c"), "h", "d", "x=1")],
            "an `@` after a `?` but before any pair is"
        );
        assert_eq!(
            all("u:a/@/b@h/d"),
            [
                (Some("u:a/"), "", "b@h/d", ""),
                (Some("u:a/@/b"), "h", "d", "")
            ]
        );
        assert!(all("h/d@x").is_empty(), "no `:` before the first `/`");
        assert!(all("u@h/d:x@y").is_empty(), "no `:` before the first `/`");
    }

    #[test]
    fn where_a_password_may_be() {
        let span = |rest: &'static str| password_span(rest).map(|r| &rest[r]);
        assert_eq!(span("u:p/a@s@h:1/d@x?y"), Some("p/a@s@h:1/d"));
        assert_eq!(span("u:secret"), Some("secret"));
        assert_eq!(span("u:secret,h2/d"), Some("secret"));
        assert_eq!(span("h:99999/d"), None, "a number is a port");
        assert_eq!(span("u@h:x/d"), None, "the `@` comes first");
        assert_eq!(span("h/d:x@y"), None, "the `:` is after the first `/`");
        assert_eq!(span("[::1]:x"), Some("x"));
        assert_eq!(span("[::1"), None);
    }
}
