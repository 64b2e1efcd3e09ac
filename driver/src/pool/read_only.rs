//! Which SQL the pool may pipeline: reads that cannot wait for row locks.
//!
//! A pipelined request waits for the requests ahead of it in its batch. If one of those waited
//! for a row lock held by a transaction of the caller's own task (on another connection), the
//! two would wait for each other forever. So only statements that take no row locks are
//! pipelined: a conservative lexical check, where "not read-only" just means "run on its own
//! checkout".
//!
//! The rule: the first keyword is `SELECT`, `VALUES`, `TABLE` or `WITH`; no `INSERT`, `UPDATE`,
//! `DELETE`, `MERGE` or `INTO` keyword appears anywhere (a data-modifying CTE, `SELECT INTO`);
//! and no locking clause (`FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`).
//! Keywords match case-insensitively on word boundaries; comments, string literals, quoted
//! identifiers and dollar-quoted strings are skipped. Anything the scanner is not sure of (a
//! backslash in a string, whose meaning depends on `standard_conforming_strings`; an unclosed
//! quote or comment; a `$` that is neither a parameter nor a dollar quote) makes the SQL "not
//! read-only".

/// Whether `sql` is a read that can be pipelined (see the module doc).
pub(super) fn is_read_only(sql: &str) -> bool {
    let mut words = Words {
        sql: sql.as_bytes(),
        at: 0,
    };
    let Some(first) = words.next() else {
        return false;
    };
    let Ok(first) = first else {
        return false;
    };
    if !["SELECT", "VALUES", "TABLE", "WITH"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k.as_bytes()))
    {
        return false;
    }
    // The word before the current one: "FOR SHARE" and "KEY SHARE" are locking clauses
    // ("FOR UPDATE" / "NO KEY UPDATE" already fail on UPDATE).
    let mut previous: &[u8] = first;
    for word in words {
        let Ok(word) = word else {
            return false;
        };
        let is = |k: &str| word.eq_ignore_ascii_case(k.as_bytes());
        if is("INSERT") || is("UPDATE") || is("DELETE") || is("MERGE") || is("INTO") {
            return false;
        }
        if is("SHARE")
            && (previous.eq_ignore_ascii_case(b"FOR") || previous.eq_ignore_ascii_case(b"KEY"))
        {
            return false;
        }
        previous = word;
    }
    true
}

/// The unquoted words of SQL text, outside comments and quotes; `Err` when the scanner cannot
/// be sure where a quote or comment ends.
struct Words<'a> {
    sql: &'a [u8],
    at: usize,
}

struct Unsure;

impl<'a> Iterator for Words<'a> {
    type Item = Result<&'a [u8], Unsure>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let c = *self.sql.get(self.at)?;
            let next = self.sql.get(self.at + 1).copied();
            match c {
                b'-' if next == Some(b'-') => {
                    // PostgreSQL's lexer ends a `--` comment at a newline or a carriage return.
                    while let Some(&c) = self.sql.get(self.at) {
                        if c == b'\n' || c == b'\r' {
                            break;
                        }
                        self.at += 1;
                    }
                }
                b'/' if next == Some(b'*') => {
                    if let Err(e) = self.skip_block_comment() {
                        return Some(Err(e));
                    }
                }
                b'\'' | b'"' => {
                    if let Err(e) = self.skip_quoted(c) {
                        return Some(Err(e));
                    }
                }
                b'$' => {
                    if let Err(e) = self.skip_dollar() {
                        return Some(Err(e));
                    }
                }
                c if is_word_start(c) => {
                    let start = self.at;
                    while self.sql.get(self.at).is_some_and(|&c| is_word_char(c)) {
                        self.at += 1;
                    }
                    let word = self.sql.get(start..self.at).unwrap_or_default();
                    return Some(Ok(word));
                }
                _ => self.at += 1,
            }
        }
    }
}

impl Words<'_> {
    /// `/* ... */`, nested as PostgreSQL nests them.
    fn skip_block_comment(&mut self) -> Result<(), Unsure> {
        let mut depth = 0usize;
        loop {
            let c = *self.sql.get(self.at).ok_or(Unsure)?;
            let next = self.sql.get(self.at + 1).copied();
            if c == b'/' && next == Some(b'*') {
                depth += 1;
                self.at += 2;
            } else if c == b'*' && next == Some(b'/') {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// `'...'` or `"..."`, a doubled quote standing for itself. A backslash in a string gives
    /// up: whether it escapes the quote after it depends on the string's prefix and on
    /// `standard_conforming_strings`.
    fn skip_quoted(&mut self, quote: u8) -> Result<(), Unsure> {
        self.at += 1;
        loop {
            let c = *self.sql.get(self.at).ok_or(Unsure)?;
            self.at += 1;
            if c == b'\\' && quote == b'\'' {
                return Err(Unsure);
            }
            if c == quote {
                if self.sql.get(self.at) == Some(&quote) {
                    self.at += 1;
                } else {
                    return Ok(());
                }
            }
        }
    }

    /// `$1` (a parameter) or `$tag$ ... $tag$` (a dollar-quoted string).
    fn skip_dollar(&mut self) -> Result<(), Unsure> {
        let start = self.at;
        self.at += 1;
        if self.sql.get(self.at).is_some_and(u8::is_ascii_digit) {
            while self.sql.get(self.at).is_some_and(u8::is_ascii_digit) {
                self.at += 1;
            }
            return Ok(());
        }
        if self.sql.get(self.at).is_some_and(|&c| is_word_start(c)) {
            while self
                .sql
                .get(self.at)
                .is_some_and(|&c| is_word_start(c) || c.is_ascii_digit())
            {
                self.at += 1;
            }
        }
        if self.sql.get(self.at) != Some(&b'$') {
            return Err(Unsure);
        }
        self.at += 1;
        let tag = self.sql.get(start..self.at).ok_or(Unsure)?;
        let body = self.sql.get(self.at..).ok_or(Unsure)?;
        let end = body
            .windows(tag.len())
            .position(|w| w == tag)
            .ok_or(Unsure)?;
        self.at += end + tag.len();
        Ok(())
    }
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// Identifier characters: a `$` inside a word belongs to it (`a$b`).
fn is_word_char(c: u8) -> bool {
    is_word_start(c) || c.is_ascii_digit() || c == b'$'
}

#[cfg(test)]
mod tests {
    use super::is_read_only;

    #[test]
    fn reads_are_read_only() {
        for sql in [
            "SELECT 1",
            "  select $1::int4 * 2",
            "-- a comment\nSELECT * FROM t WHERE a > $1",
            "/* x /* nested */ y */ SELECT 1",
            "(SELECT 1) UNION (SELECT 2)",
            "VALUES ($1::int4)",
            "TABLE t",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "SELECT 'update me', \"insert\" FROM t -- delete\n",
            "SELECT $$ FOR UPDATE $$, $q$ it's $q$, 'it''s'",
            "SELECT updated_at, inserted, share FROM t",
            "SELECT id FROM t ORDER BY id FOR\nREAD ONLY",
            "SELECT a$b FROM t",
            "SELECT 1 /* for update */",
        ] {
            assert!(is_read_only(sql), "{sql}");
        }
    }

    #[test]
    fn writes_locks_and_doubts_are_not() {
        for sql in [
            "",
            "-- nothing",
            "UPDATE t SET a = $1",
            "INSERT INTO t VALUES ($1)",
            "DELETE FROM t",
            "MERGE INTO t USING s ON true WHEN MATCHED THEN DO NOTHING",
            "BEGIN",
            "SET search_path = x",
            "EXPLAIN ANALYZE UPDATE t SET a = 1",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "with u as (update t set a = 1 returning a) select * from u",
            "SELECT * FROM t FOR UPDATE",
            "SELECT * FROM t for no key update",
            "SELECT * FROM t FOR SHARE",
            "SELECT * FROM t FOR KEY SHARE OF t",
            "SELECT * FROM t FOR  /* c */ SHARE",
            "SELECT * INTO new_t FROM t",
            // A lone carriage return ends a `--` comment.
            "SELECT n FROM c WHERE id = $1 --\rFOR UPDATE",
            "WITH x AS (SELECT 1) --\rDELETE FROM t WHERE id = $1",
            // Unsure: a backslash in a string, unclosed quotes or comments, a lone `$`.
            "SELECT E'\\'' , (SELECT 1) -- '",
            "SELECT 'abc",
            "SELECT \"abc",
            "SELECT 1 /* open",
            "SELECT $q$ never closed",
            "SELECT $ 1",
            "WITH a AS (SELECT $$'$$), b AS (UPDATE t SET x = 1 RETURNING 'z') SELECT 1",
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
