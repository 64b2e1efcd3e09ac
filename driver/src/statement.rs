//! Prepared statements and the descriptions of their parameters and result columns.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::connection::{Connection, Param};
use crate::error::Result;
use crate::executor::Executor;
use crate::record::Record;
use crate::types::{Oid, PgType};
use quarry_protocol::Format;
use quarry_protocol::backend::CommandTag;
use quarry_protocol::backend::FieldDescription;

/// A statement prepared on one connection: its SQL, parameter types and result columns.
///
/// Cheap to clone. Run it by passing it where a query goes:
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let stmt = conn.prepare("SELECT $1::int4 + 1 AS n").await?;
/// assert_eq!(stmt.params(), &[quarry_driver::types::oid::INT4]);
/// let n: i32 = conn.fetch_val(&stmt, &[&41i32]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Statement(pub(crate) Arc<StatementInner>);

#[derive(Debug)]
pub(crate) struct StatementInner {
    /// The connection it was prepared on: statement names mean nothing on another one.
    pub(crate) session: u64,
    pub(crate) name: String,
    pub(crate) sql: String,
    pub(crate) params: Vec<Oid>,
    pub(crate) param_types: Vec<Arc<PgType>>,
    pub(crate) columns: Arc<[Column]>,
    /// The format requested for each column: binary where Quarry has a codec.
    pub(crate) result_formats: Vec<Format>,
    /// Rows the last execution returned, to size the next result's vector at once.
    rows_hint: AtomicUsize,
    /// The SQL calls functions that change session state (a pool resets after it).
    pub(crate) changes_session: bool,
    /// What in the SQL outlives its transaction (a session `SET`, a session advisory lock),
    /// refused through a transaction pooler.
    pub(crate) session_feature: Option<&'static str>,
}

/// Running a prepared statement, asyncpg style: `stmt.fetch(&mut conn, &[..])`. Each call is the
/// same as passing the statement to the executor's method.
impl Statement {
    /// Runs the statement; returns its command tag.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let insert = conn.prepare("INSERT INTO t VALUES ($1)").await?;
    /// for i in 0..3i32 {
    ///     insert.execute(&mut *conn, &[&i]).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn execute(&self, on: impl Executor, params: &[Param<'_>]) -> Result<CommandTag> {
        on.execute(self, params).await
    }

    /// Runs the statement and returns all rows.
    pub async fn fetch(&self, on: impl Executor, params: &[Param<'_>]) -> Result<Vec<Record>> {
        on.fetch(self, params).await
    }

    /// Runs the statement and returns its first row, if any.
    pub async fn fetch_row(
        &self,
        on: impl Executor,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        on.fetch_row(self, params).await
    }

    /// The statement's plan as PostgreSQL's JSON; with `analyze` the statement runs.
    pub async fn explain(
        &self,
        conn: &mut Connection,
        params: &[Param<'_>],
        analyze: bool,
    ) -> Result<String> {
        conn.explain(self, params, analyze).await
    }
}

impl Statement {
    /// A statement from its description, with the parameter and column types as the connection
    /// resolved them (built-ins, looked-up user types, types with a custom codec).
    pub(crate) fn new(
        session: u64,
        name: String,
        sql: String,
        params: Vec<Oid>,
        param_types: Vec<Arc<PgType>>,
        fields: Vec<FieldDescription>,
        column_types: Vec<Arc<PgType>>,
    ) -> Statement {
        let columns: Arc<[Column]> = fields
            .into_iter()
            .zip(column_types)
            .map(|(field, ty)| Column::from_field(field, ty))
            .collect();
        let result_formats = columns.iter().map(Column::format).collect();
        let changes_session = crate::connection::mentions_session_functions(&sql);
        let session_feature = crate::connection::session_feature(&sql);
        Statement(Arc::new(StatementInner {
            session,
            name,
            sql,
            params,
            param_types,
            columns,
            result_formats,
            changes_session,
            session_feature,
            rows_hint: AtomicUsize::new(0),
        }))
    }

    /// This statement with other result columns (a later description of its SQL, from the
    /// portal, whose formats are the ones the rows arrive in).
    pub(crate) fn redescribed(&self, columns: Vec<Column>) -> Statement {
        let columns: Arc<[Column]> = columns.into();
        Statement(Arc::new(StatementInner {
            session: self.0.session,
            name: self.0.name.clone(),
            sql: self.0.sql.clone(),
            params: self.0.params.clone(),
            param_types: self.0.param_types.clone(),
            columns,
            result_formats: self.0.result_formats.clone(),
            changes_session: self.0.changes_session,
            session_feature: self.0.session_feature,
            rows_hint: AtomicUsize::new(0),
        }))
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.0.sql
    }

    /// The PostgreSQL types of the parameters `$1`, `$2`, ...
    pub fn params(&self) -> &[Oid] {
        &self.0.params
    }

    /// The types of the parameters, as this connection knows them.
    pub fn param_types(&self) -> &[Arc<PgType>] {
        &self.0.param_types
    }

    /// The result columns (empty for statements that return no rows).
    pub fn columns(&self) -> &[Column] {
        &self.0.columns
    }

    pub(crate) fn rows_hint(&self) -> usize {
        self.0.rows_hint.load(Ordering::Relaxed)
    }

    pub(crate) fn set_rows_hint(&self, rows: usize) {
        // Bounded so one huge result does not make every later one reserve that much.
        self.0.rows_hint.store(rows.min(1 << 16), Ordering::Relaxed);
    }

    pub(crate) fn name(&self) -> &str {
        &self.0.name
    }
}

/// A result column: name, type and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    name: String,
    ty: Arc<PgType>,
    type_modifier: i32,
    table_oid: Option<Oid>,
    column_id: Option<i16>,
    format: Format,
}

impl Column {
    /// The column read in `format` (as a portal's description reports it).
    pub(crate) fn in_format(mut self, format: Format) -> Column {
        self.format = format;
        self
    }

    /// A column of a table known by name and type only (a typed COPY given its types).
    pub(crate) fn named(name: &str, ty: Arc<PgType>) -> Column {
        let format = if ty.has_binary_codec() {
            Format::Binary
        } else {
            Format::Text
        };
        Column {
            name: name.to_owned(),
            ty,
            type_modifier: -1,
            table_oid: None,
            column_id: None,
            format,
        }
    }

    /// A field of a composite value seen as a column: its bytes are in `format`.
    pub(crate) fn field(name: &str, ty: Arc<PgType>, format: Format) -> Column {
        Column {
            name: name.to_owned(),
            ty,
            type_modifier: -1,
            table_oid: None,
            column_id: None,
            format,
        }
    }

    /// The same column under another name.
    pub(crate) fn renamed(mut self, name: &str) -> Column {
        name.clone_into(&mut self.name);
        self
    }

    pub(crate) fn from_field(field: FieldDescription, ty: Arc<PgType>) -> Column {
        let format = if ty.has_binary_codec() {
            Format::Binary
        } else {
            Format::Text
        };
        Column {
            name: field.name,
            ty,
            type_modifier: field.type_modifier,
            table_oid: (field.table_oid != 0).then_some(field.table_oid),
            column_id: (field.column_id != 0).then_some(field.column_id),
            format,
        }
    }

    /// The column's name (its alias when the query gives one).
    #[inline]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The OID of the column's PostgreSQL type.
    #[inline]
    pub fn type_oid(&self) -> Oid {
        self.ty.oid()
    }

    /// The column's PostgreSQL type.
    #[inline]
    pub fn pg_type(&self) -> &PgType {
        &self.ty
    }

    /// The type modifier (`atttypmod`), e.g. the length of a `varchar(n)`; -1 when none.
    pub fn type_modifier(&self) -> i32 {
        self.type_modifier
    }

    /// The table the column comes from, when it is a plain table column.
    pub fn table_oid(&self) -> Option<Oid> {
        self.table_oid
    }

    /// The column's attribute number in that table.
    pub fn column_id(&self) -> Option<i16> {
        self.column_id
    }

    /// The format the values arrive in.
    #[inline]
    pub fn format(&self) -> Format {
        self.format
    }
}
