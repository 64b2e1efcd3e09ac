//! `CopyOptions`: every option of the COPY statement as a builder, and the COPY statement text
//! built from a target, a direction and the options (identifiers and literals quoted).

use std::sync::Arc;

use super::CopyError;
use super::sql::{ident, ident_list, literal};
use crate::types::PgType;

/// The data format of a COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CopyFormat {
    /// PostgreSQL's text format: tab-separated, `\N` for NULL (the server's default).
    #[default]
    Text,
    /// Comma-separated values.
    Csv,
    /// PostgreSQL's binary COPY format.
    Binary,
}

impl CopyFormat {
    fn keyword(self) -> &'static str {
        match self {
            CopyFormat::Text => "text",
            CopyFormat::Csv => "csv",
            CopyFormat::Binary => "binary",
        }
    }
}

/// Which columns `FORCE_QUOTE` applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum ForceQuote {
    #[default]
    None,
    All,
    Columns(Vec<String>),
}

/// Options of a COPY: format, columns, schema and every `WITH (...)` option, plus `WHERE`.
///
/// Unset options are left out of the statement, so the server's defaults apply.
///
/// ```
/// use quarry_driver::copy::{CopyFormat, CopyOptions};
/// let opts = CopyOptions::new()
///     .format(CopyFormat::Csv)
///     .columns(["id", "name"])
///     .header(true)
///     .null("NULL");
/// assert_eq!(
///     opts.statement_from("users").unwrap(),
///     "COPY \"users\" (\"id\", \"name\") FROM STDIN (FORMAT csv, NULL E'NULL', HEADER true)"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    format: Option<CopyFormat>,
    columns: Vec<String>,
    schema: Option<String>,
    freeze: Option<bool>,
    delimiter: Option<char>,
    null: Option<String>,
    header: Option<bool>,
    quote: Option<char>,
    escape: Option<char>,
    force_quote: ForceQuote,
    force_not_null: Vec<String>,
    force_null: Vec<String>,
    encoding: Option<String>,
    where_: Option<String>,
    column_types: Vec<Arc<PgType>>,
}

impl CopyOptions {
    /// No options: text format, every column.
    pub fn new() -> CopyOptions {
        CopyOptions::default()
    }

    /// Options with `FORMAT csv`.
    pub fn csv() -> CopyOptions {
        CopyOptions::new().format(CopyFormat::Csv)
    }

    /// Options with `FORMAT binary`.
    pub fn binary() -> CopyOptions {
        CopyOptions::new().format(CopyFormat::Binary)
    }

    /// `FORMAT`: text, csv or binary.
    pub fn format(mut self, format: CopyFormat) -> CopyOptions {
        self.format = Some(format);
        self
    }

    /// The columns to copy, in this order (all columns when empty).
    pub fn columns<I, S>(mut self, columns: I) -> CopyOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The PostgreSQL types of [`columns`](Self::columns), in the same order, for typed binary
    /// COPY (`binary_copy_in`, `copy_records_to_table`): given, they spare the round trip that
    /// looks them up in the table. They must be the columns' types; a wrong one is the server's
    /// error when the data arrives.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::copy::CopyOptions;
    /// use quarry_driver::types::{PgType, oid};
    /// let options = CopyOptions::new()
    ///     .columns(["id", "name"])
    ///     .column_types([PgType::resolve(oid::INT4), PgType::resolve(oid::TEXT)]);
    /// conn.copy_records_to_table_with("t", [(1i32, "a"), (2, "b")], &options).await?;
    /// # Ok(()) }
    /// ```
    pub fn column_types(mut self, types: impl IntoIterator<Item = Arc<PgType>>) -> CopyOptions {
        self.column_types = types.into_iter().collect();
        self
    }

    /// The schema of the table (the search path decides when unset).
    pub fn schema(mut self, schema: impl Into<String>) -> CopyOptions {
        self.schema = Some(schema.into());
        self
    }

    /// `FREEZE`: rows are written frozen (COPY FROM into a table created or truncated in the
    /// same transaction).
    pub fn freeze(mut self, freeze: bool) -> CopyOptions {
        self.freeze = Some(freeze);
        self
    }

    /// `DELIMITER`: the column separator.
    pub fn delimiter(mut self, delimiter: char) -> CopyOptions {
        self.delimiter = Some(delimiter);
        self
    }

    /// `NULL`: the string that stands for NULL.
    pub fn null(mut self, null: impl Into<String>) -> CopyOptions {
        self.null = Some(null.into());
        self
    }

    /// `HEADER`: a first line with the column names (csv and, since PostgreSQL 15, text).
    pub fn header(mut self, header: bool) -> CopyOptions {
        self.header = Some(header);
        self
    }

    /// `QUOTE` (csv): the quoting character.
    pub fn quote(mut self, quote: char) -> CopyOptions {
        self.quote = Some(quote);
        self
    }

    /// `ESCAPE` (csv): the character that escapes a quote inside a quoted value.
    pub fn escape(mut self, escape: char) -> CopyOptions {
        self.escape = Some(escape);
        self
    }

    /// `FORCE_QUOTE (columns)` (csv, COPY TO): always quote these columns' non-NULL values.
    pub fn force_quote<I, S>(mut self, columns: I) -> CopyOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.force_quote = ForceQuote::Columns(columns.into_iter().map(Into::into).collect());
        self
    }

    /// `FORCE_QUOTE *` (csv, COPY TO): quote every non-NULL value.
    pub fn force_quote_all(mut self) -> CopyOptions {
        self.force_quote = ForceQuote::All;
        self
    }

    /// `FORCE_NOT_NULL (columns)` (csv, COPY FROM): never read these columns' values as NULL.
    pub fn force_not_null<I, S>(mut self, columns: I) -> CopyOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.force_not_null = columns.into_iter().map(Into::into).collect();
        self
    }

    /// `FORCE_NULL (columns)` (csv, COPY FROM): read these columns' quoted NULL strings as NULL.
    pub fn force_null<I, S>(mut self, columns: I) -> CopyOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.force_null = columns.into_iter().map(Into::into).collect();
        self
    }

    /// `ENCODING`: the encoding of the data (the client encoding when unset).
    pub fn encoding(mut self, encoding: impl Into<String>) -> CopyOptions {
        self.encoding = Some(encoding.into());
        self
    }

    /// `WHERE condition` (COPY FROM): only rows for which the SQL condition holds are inserted.
    /// The condition is SQL, sent as written.
    pub fn where_clause(mut self, condition: impl Into<String>) -> CopyOptions {
        self.where_ = Some(condition.into());
        self
    }

    /// The options of `copy_records_to_table(table, records, columns, where_)`: those columns,
    /// and the condition when there is one.
    pub(crate) fn for_records(columns: &[&str], where_: Option<&str>) -> CopyOptions {
        let options = CopyOptions::new().columns(columns.iter().copied());
        match where_ {
            Some(condition) => options.where_clause(condition),
            None => options,
        }
    }

    /// The data format these options ask for.
    pub fn data_format(&self) -> CopyFormat {
        self.format.unwrap_or_default()
    }

    /// The schema named, if any.
    pub fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The `WHERE` condition, if any.
    pub fn where_condition(&self) -> Option<&str> {
        self.where_.as_deref()
    }

    /// The columns named (empty for all).
    pub fn column_names(&self) -> &[String] {
        &self.columns
    }

    /// The columns' types given up front (empty: looked up).
    pub fn column_type_list(&self) -> &[Arc<PgType>] {
        &self.column_types
    }

    /// `COPY [schema.]table [(columns)] FROM STDIN (...) [WHERE ...]`.
    ///
    /// ```
    /// use quarry_driver::copy::CopyOptions;
    /// let sql = CopyOptions::binary().schema("s").statement_from("t").unwrap();
    /// assert_eq!(sql, "COPY \"s\".\"t\" FROM STDIN (FORMAT binary)");
    /// ```
    pub fn statement_from(&self, table: &str) -> Result<String, CopyError> {
        let mut sql = format!("COPY {} FROM STDIN", self.target(table)?);
        self.push_options(&mut sql)?;
        if let Some(condition) = &self.where_ {
            if condition.contains('\0') {
                return Err(CopyError::Nul { what: "WHERE" });
            }
            sql.push_str(" WHERE ");
            sql.push_str(condition);
        }
        Ok(sql)
    }

    /// `COPY [schema.]table [(columns)] TO STDOUT (...)`.
    ///
    /// ```
    /// use quarry_driver::copy::CopyOptions;
    /// let sql = CopyOptions::csv().force_quote_all().statement_to("t").unwrap();
    /// assert_eq!(sql, "COPY \"t\" TO STDOUT (FORMAT csv, FORCE_QUOTE *)");
    /// ```
    pub fn statement_to(&self, table: &str) -> Result<String, CopyError> {
        let mut sql = format!("COPY {} TO STDOUT", self.target(table)?);
        self.push_options(&mut sql)?;
        Ok(sql)
    }

    /// `COPY (query) TO STDOUT (...)`; the columns and schema options do not apply.
    ///
    /// ```
    /// use quarry_driver::copy::CopyOptions;
    /// let sql = CopyOptions::new().delimiter('|').statement_query("SELECT 1").unwrap();
    /// assert_eq!(sql, "COPY (SELECT 1) TO STDOUT (DELIMITER E'|')");
    /// ```
    pub fn statement_query(&self, query: &str) -> Result<String, CopyError> {
        if query.contains('\0') {
            return Err(CopyError::Nul { what: "query" });
        }
        let mut sql = format!("COPY ({query}) TO STDOUT");
        self.push_options(&mut sql)?;
        Ok(sql)
    }

    /// `[schema.]table [(columns)]`, quoted.
    fn target(&self, table: &str) -> Result<String, CopyError> {
        let mut target = String::new();
        if let Some(schema) = &self.schema {
            target.push_str(&ident(schema, "schema")?);
            target.push('.');
        }
        target.push_str(&ident(table, "table")?);
        if !self.columns.is_empty() {
            target.push_str(" (");
            target.push_str(&ident_list(&self.columns, "column")?);
            target.push(')');
        }
        Ok(target)
    }

    /// ` (FORMAT csv, ...)` when any option is set.
    fn push_options(&self, sql: &mut String) -> Result<(), CopyError> {
        let mut opts: Vec<String> = Vec::new();
        if let Some(format) = self.format {
            opts.push(format!("FORMAT {}", format.keyword()));
        }
        if let Some(freeze) = self.freeze {
            opts.push(format!("FREEZE {freeze}"));
        }
        if let Some(d) = self.delimiter {
            opts.push(format!("DELIMITER {}", char_literal(d, "DELIMITER")?));
        }
        if let Some(null) = &self.null {
            opts.push(format!("NULL {}", literal(null, "NULL")?));
        }
        if let Some(header) = self.header {
            opts.push(format!("HEADER {header}"));
        }
        if let Some(q) = self.quote {
            opts.push(format!("QUOTE {}", char_literal(q, "QUOTE")?));
        }
        if let Some(e) = self.escape {
            opts.push(format!("ESCAPE {}", char_literal(e, "ESCAPE")?));
        }
        match &self.force_quote {
            ForceQuote::None => {}
            ForceQuote::All => opts.push("FORCE_QUOTE *".to_owned()),
            ForceQuote::Columns(cols) => {
                opts.push(format!(
                    "FORCE_QUOTE ({})",
                    ident_list(cols, "FORCE_QUOTE column")?
                ));
            }
        }
        if !self.force_not_null.is_empty() {
            let cols = ident_list(&self.force_not_null, "FORCE_NOT_NULL column")?;
            opts.push(format!("FORCE_NOT_NULL ({cols})"));
        }
        if !self.force_null.is_empty() {
            let cols = ident_list(&self.force_null, "FORCE_NULL column")?;
            opts.push(format!("FORCE_NULL ({cols})"));
        }
        if let Some(encoding) = &self.encoding {
            opts.push(format!("ENCODING {}", literal(encoding, "ENCODING")?));
        }
        if !opts.is_empty() {
            sql.push_str(" (");
            sql.push_str(&opts.join(", "));
            sql.push(')');
        }
        Ok(())
    }
}

fn char_literal(c: char, what: &'static str) -> Result<String, CopyError> {
    literal(c.encode_utf8(&mut [0; 4]), what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option() {
        let opts = CopyOptions::csv()
            .schema("my schema")
            .columns(["a", "b\"c"])
            .freeze(true)
            .delimiter(';')
            .null("\\N")
            .header(true)
            .quote('\'')
            .escape('\\')
            .force_not_null(["a"])
            .force_null(["b\"c"])
            .encoding("UTF8")
            .where_clause("a > 1");
        assert_eq!(
            opts.statement_from("t").unwrap(),
            "COPY \"my schema\".\"t\" (\"a\", \"b\"\"c\") FROM STDIN (FORMAT csv, FREEZE true, \
             DELIMITER E';', NULL E'\\\\N', HEADER true, QUOTE E'''', ESCAPE E'\\\\', \
             FORCE_NOT_NULL (\"a\"), FORCE_NULL (\"b\"\"c\"), ENCODING E'UTF8') WHERE a > 1"
        );
        let to = CopyOptions::csv()
            .force_quote(["a"])
            .statement_to("t")
            .unwrap();
        assert_eq!(to, "COPY \"t\" TO STDOUT (FORMAT csv, FORCE_QUOTE (\"a\"))");
        assert_eq!(
            CopyOptions::new().statement_to("t").unwrap(),
            "COPY \"t\" TO STDOUT"
        );
        assert!(CopyOptions::new().null("\0").statement_to("t").is_err());
        assert!(CopyOptions::new().statement_to("t\0").is_err());
    }
}
