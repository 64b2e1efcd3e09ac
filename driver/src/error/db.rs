//! Errors and notices reported by the server: every field of an ErrorResponse or
//! NoticeResponse, parsed from the protocol's `(field type, value)` pairs.
//!
//! Splitting the message body into fields belongs to `protocol/`; this module only gives the
//! fields names and types.

use std::fmt;

use super::sqlstate::SqlState;

/// An error or notice sent by the server, with every field PostgreSQL filled in.
///
/// ```
/// use quarry_driver::error::{DbError, SqlState};
///
/// let err = DbError::parse([
///     (b'S', "ERROR"),
///     (b'V', "ERROR"),
///     (b'C', "23505"),
///     (b'M', "duplicate key value violates unique constraint \"users_pkey\""),
///     (b'D', "Key (id)=(1) already exists."),
///     (b'n', "users_pkey"),
/// ])?;
/// assert!(err.code().is_unique_violation());
/// assert_eq!(err.constraint(), Some("users_pkey"));
/// assert_eq!(
///     err.to_string(),
///     "ERROR: duplicate key value violates unique constraint \"users_pkey\" (SQLSTATE 23505)\n\
///      DETAIL: Key (id)=(1) already exists."
/// );
/// # Ok::<(), quarry_driver::error::MissingField>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    severity_localized: String,
    severity_nonlocalized: Option<Severity>,
    code: SqlState,
    message: String,
    detail: Option<String>,
    hint: Option<String>,
    position: Option<ErrorPosition>,
    where_: Option<String>,
    schema: Option<String>,
    table: Option<String>,
    column: Option<String>,
    datatype: Option<String>,
    constraint: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    routine: Option<String>,
}

/// How serious a server message is (the `V` field, or `S` on servers older than 9.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `ERROR`: the current command failed.
    Error,
    /// `FATAL`: the session is over.
    Fatal,
    /// `PANIC`: the whole server is restarting.
    Panic,
    /// `WARNING`.
    Warning,
    /// `NOTICE`.
    Notice,
    /// `DEBUG` (any level).
    Debug,
    /// `INFO`.
    Info,
    /// `LOG`.
    Log,
}

/// Where in a query the error was found (1-based character positions, as PostgreSQL counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorPosition {
    /// A position in the query the client sent (`P` field).
    Original(u32),
    /// A position in a query the server generated internally, such as one inside a PL/pgSQL
    /// function (`p` and `q` fields).
    Internal {
        /// The position in `query`.
        position: u32,
        /// The internally generated query.
        query: String,
    },
}

/// A field every ErrorResponse and NoticeResponse must carry was absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MissingField {
    /// No `S` (severity) field.
    #[error("server error message has no severity (S) field")]
    Severity,
    /// No `C` (SQLSTATE code) field.
    #[error("server error message has no SQLSTATE code (C) field")]
    Code,
    /// No `M` (message) field.
    #[error("server error message has no message (M) field")]
    Message,
}

impl DbError {
    /// Builds a `DbError` from the `(field type, value)` pairs of an ErrorResponse or
    /// NoticeResponse. Unknown field types are skipped; a non-numeric position or line is
    /// ignored rather than failing the whole message.
    ///
    /// ```
    /// use quarry_driver::error::{DbError, ErrorPosition, Severity};
    ///
    /// let err = DbError::parse([(b'S', "ERREUR"), (b'V', "ERROR"), (b'C', "42601"),
    ///                           (b'M', "erreur de syntaxe"), (b'P', "8")])?;
    /// assert_eq!(err.severity(), Severity::Error);
    /// assert_eq!(err.severity_localized(), "ERREUR");
    /// assert_eq!(err.position(), Some(&ErrorPosition::Original(8)));
    /// # Ok::<(), quarry_driver::error::MissingField>(())
    /// ```
    pub fn parse<'a>(
        fields: impl IntoIterator<Item = (u8, &'a str)>,
    ) -> Result<DbError, MissingField> {
        let mut severity = None;
        let mut severity_nonlocalized = None;
        let mut code = None;
        let mut message = None;
        let mut original_position = None;
        let mut internal_position = None;
        let mut internal_query = None;
        let mut err = DbError {
            severity_localized: String::new(),
            severity_nonlocalized: None,
            code: SqlState::Other([b'0'; 5]),
            message: String::new(),
            detail: None,
            hint: None,
            position: None,
            where_: None,
            schema: None,
            table: None,
            column: None,
            datatype: None,
            constraint: None,
            file: None,
            line: None,
            routine: None,
        };
        for (field, value) in fields {
            let text = Some(value.to_owned());
            match field {
                b'S' => severity = text,
                b'V' => severity_nonlocalized = Severity::parse(value),
                b'C' => code = Some(SqlState::from_code(value)),
                b'M' => message = text,
                b'D' => err.detail = text,
                b'H' => err.hint = text,
                b'P' => original_position = value.parse::<u32>().ok(),
                b'p' => internal_position = value.parse::<u32>().ok(),
                b'q' => internal_query = text,
                b'W' => err.where_ = text,
                b's' => err.schema = text,
                b't' => err.table = text,
                b'c' => err.column = text,
                b'd' => err.datatype = text,
                b'n' => err.constraint = text,
                b'F' => err.file = text,
                b'L' => err.line = value.parse::<u32>().ok(),
                b'R' => err.routine = text,
                // The protocol says to ignore field types we do not know.
                _ => {}
            }
        }
        err.severity_localized = severity.ok_or(MissingField::Severity)?;
        err.severity_nonlocalized = severity_nonlocalized;
        err.code = code.ok_or(MissingField::Code)?;
        err.message = message.ok_or(MissingField::Message)?;
        err.position = match (original_position, internal_position) {
            (Some(position), _) => Some(ErrorPosition::Original(position)),
            (None, Some(position)) => Some(ErrorPosition::Internal {
                position,
                query: internal_query.unwrap_or_default(),
            }),
            (None, None) => None,
        };
        Ok(err)
    }

    /// How serious the message is: the non-localized `V` field when the server sent one,
    /// else the `S` field read as English. A localized `S` without `V` (servers before 9.6
    /// running in another language) reads as [`Severity::Error`]; see
    /// [`severity_localized`](Self::severity_localized) for the text itself.
    pub fn severity(&self) -> Severity {
        self.severity_nonlocalized
            .or_else(|| Severity::parse(&self.severity_localized))
            .unwrap_or(Severity::Error)
    }

    /// The `S` field as sent, possibly translated (`"ERREUR"`, `"FEHLER"`).
    pub fn severity_localized(&self) -> &str {
        &self.severity_localized
    }

    /// The `V` field: the severity never translated (PostgreSQL 9.6 and later).
    pub fn severity_nonlocalized(&self) -> Option<Severity> {
        self.severity_nonlocalized
    }

    /// The SQLSTATE code (`C` field).
    pub fn code(&self) -> SqlState {
        self.code
    }

    /// The primary message (`M` field).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The detail message (`D` field).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The hint (`H` field): a suggestion what to do about the problem.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Where in the query the error is (`P`, or `p` with `q`).
    pub fn position(&self) -> Option<&ErrorPosition> {
        self.position.as_ref()
    }

    /// The context (`W` field): a call stack of PL functions or internal queries.
    pub fn where_(&self) -> Option<&str> {
        self.where_.as_deref()
    }

    /// The schema of the object involved (`s` field).
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The table involved (`t` field).
    pub fn table(&self) -> Option<&str> {
        self.table.as_deref()
    }

    /// The column involved (`c` field).
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// The data type involved (`d` field).
    pub fn datatype(&self) -> Option<&str> {
        self.datatype.as_deref()
    }

    /// The constraint involved (`n` field).
    pub fn constraint(&self) -> Option<&str> {
        self.constraint.as_deref()
    }

    /// The server source file that reported the error (`F` field).
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The line in [`file`](Self::file) (`L` field).
    pub fn line(&self) -> Option<u32> {
        self.line
    }

    /// The server routine that reported the error (`R` field).
    pub fn routine(&self) -> Option<&str> {
        self.routine.as_deref()
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (SQLSTATE {})",
            self.severity_localized, self.message, self.code
        )?;
        if let Some(detail) = &self.detail {
            write!(f, "\nDETAIL: {detail}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nHINT: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DbError {}

impl Severity {
    /// Reads a non-localized severity word (`"ERROR"`, `"DEBUG1"`, ...).
    ///
    /// ```
    /// use quarry_driver::error::Severity;
    /// assert_eq!(Severity::parse("FATAL"), Some(Severity::Fatal));
    /// assert_eq!(Severity::parse("DEBUG2"), Some(Severity::Debug));
    /// assert_eq!(Severity::parse("ERREUR"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text {
            "ERROR" => Severity::Error,
            "FATAL" => Severity::Fatal,
            "PANIC" => Severity::Panic,
            "WARNING" => Severity::Warning,
            "NOTICE" => Severity::Notice,
            "INFO" => Severity::Info,
            "LOG" => Severity::Log,
            debug if debug.starts_with("DEBUG") => Severity::Debug,
            _ => return None,
        })
    }

    /// The severity as PostgreSQL spells it (`"ERROR"`, `"NOTICE"`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
            Severity::Panic => "PANIC",
            Severity::Warning => "WARNING",
            Severity::Notice => "NOTICE",
            Severity::Debug => "DEBUG",
            Severity::Info => "INFO",
            Severity::Log => "LOG",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Vec<(u8, &'static str)> {
        vec![(b'S', "ERROR"), (b'C', "22012"), (b'M', "division by zero")]
    }

    #[test]
    fn parses_every_field() {
        let err = DbError::parse([
            (b'S', "ERROR"),
            (b'V', "ERROR"),
            (b'C', "23503"),
            (b'M', "insert or update violates foreign key"),
            (b'D', "Key (a)=(1) is not present."),
            (b'H', "Insert the parent first."),
            (b'W', "SQL statement \"...\""),
            (b's', "public"),
            (b't', "child"),
            (b'c', "a"),
            (b'd', "int4"),
            (b'n', "child_a_fkey"),
            (b'F', "ri_triggers.c"),
            (b'L', "2608"),
            (b'R', "ri_ReportViolation"),
            (b'Z', "unknown fields are skipped"),
        ])
        .unwrap();
        assert_eq!(err.severity(), Severity::Error);
        assert_eq!(err.severity_nonlocalized(), Some(Severity::Error));
        assert!(err.code().is_foreign_key_violation());
        assert_eq!(err.message(), "insert or update violates foreign key");
        assert_eq!(err.detail(), Some("Key (a)=(1) is not present."));
        assert_eq!(err.hint(), Some("Insert the parent first."));
        assert_eq!(err.where_(), Some("SQL statement \"...\""));
        assert_eq!(err.schema(), Some("public"));
        assert_eq!(err.table(), Some("child"));
        assert_eq!(err.column(), Some("a"));
        assert_eq!(err.datatype(), Some("int4"));
        assert_eq!(err.constraint(), Some("child_a_fkey"));
        assert_eq!(err.file(), Some("ri_triggers.c"));
        assert_eq!(err.line(), Some(2608));
        assert_eq!(err.routine(), Some("ri_ReportViolation"));
        assert_eq!(err.position(), None);
        assert_eq!(
            err.to_string(),
            "ERROR: insert or update violates foreign key (SQLSTATE 23503)\n\
             DETAIL: Key (a)=(1) is not present.\n\
             HINT: Insert the parent first."
        );
    }

    #[test]
    fn missing_required_fields_are_named() {
        for (drop, missing) in [
            (b'S', MissingField::Severity),
            (b'C', MissingField::Code),
            (b'M', MissingField::Message),
        ] {
            let fields = minimal().into_iter().filter(|(f, _)| *f != drop);
            assert_eq!(DbError::parse(fields), Err(missing));
        }
    }

    #[test]
    fn positions() {
        let mut fields = minimal();
        fields.push((b'P', "15"));
        let err = DbError::parse(fields).unwrap();
        assert_eq!(err.position(), Some(&ErrorPosition::Original(15)));

        let mut fields = minimal();
        fields.extend([(b'p', "3"), (b'q', "SELECT 1/0")]);
        let err = DbError::parse(fields).unwrap();
        assert_eq!(
            err.position(),
            Some(&ErrorPosition::Internal {
                position: 3,
                query: "SELECT 1/0".into()
            })
        );
    }

    #[test]
    fn non_numeric_position_and_line_are_ignored() {
        let mut fields = minimal();
        fields.extend([(b'P', "x"), (b'L', "-1"), (b'p', "")]);
        let err = DbError::parse(fields).unwrap();
        assert_eq!(err.position(), None);
        assert_eq!(err.line(), None);
    }

    #[test]
    fn severity_falls_back_to_localized_then_error() {
        let err = DbError::parse([(b'S', "NOTICE"), (b'C', "00000"), (b'M', "hi")]).unwrap();
        assert_eq!(err.severity(), Severity::Notice);
        assert_eq!(err.to_string(), "NOTICE: hi (SQLSTATE 00000)");
        let err = DbError::parse([(b'S', "FEHLER"), (b'C', "42P01"), (b'M', "x")]).unwrap();
        assert_eq!(err.severity(), Severity::Error);
        assert_eq!(err.severity_localized(), "FEHLER");
        assert_eq!(err.severity_nonlocalized(), None);
    }
}
