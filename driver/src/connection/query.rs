//! The query flows: simple protocol for parameterless `execute`, the extended protocol
//! (Parse/Describe once per cached statement, then Bind/Execute/Sync) for everything else, and
//! the pipelined batch behind `execute_many` (the public pipeline is `pipeline/`).

use bytes::BytesMut;

use super::Connection;
use super::reply::ExecuteReply;
use crate::error::{Error, Result};
use crate::record::Record;
use crate::statement::Statement;
use crate::types::{Encode, Oid};
use quarry_protocol::backend::{CommandTag, FieldDescription, Message};
use quarry_protocol::{Format, IsNull, ProtocolError, TransactionStatus, frontend};

/// One query parameter: any value whose type implements [`Encode`].
pub type Param<'a> = &'a (dyn Encode + Sync);

/// The parameter list of a slice of values of one type, such as a row of
/// [`Value`](crate::types::Value)s read earlier.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::types::Value;
/// let row = conn.fetch_row("SELECT 1::int2, 'a'::text", &[]).await?.unwrap();
/// let values: Vec<Value> = (0..row.len()).map(|i| row.value(i)).collect::<Result<_, _>>()?;
/// conn.execute("INSERT INTO t(n, s) VALUES ($1, $2)", &quarry_driver::params(&values)).await?;
/// # Ok(()) }
/// ```
pub fn params<T: Encode + Sync>(values: &[T]) -> Vec<Param<'_>> {
    values.iter().map(|v| v as Param<'_>).collect()
}

/// Something that can be run as a query: SQL text or a prepared [`Statement`].
pub trait AsQuery: Sync {
    /// The SQL text.
    fn sql(&self) -> &str;
    /// The prepared statement, when this is one.
    fn statement(&self) -> Option<&Statement> {
        None
    }
}

impl AsQuery for str {
    fn sql(&self) -> &str {
        self
    }
}

impl AsQuery for String {
    fn sql(&self) -> &str {
        self
    }
}

impl AsQuery for Statement {
    fn sql(&self) -> &str {
        Statement::sql(self)
    }
    fn statement(&self) -> Option<&Statement> {
        Some(self)
    }
}

impl<T: AsQuery + ?Sized> AsQuery for &T {
    fn sql(&self) -> &str {
        (**self).sql()
    }
    fn statement(&self) -> Option<&Statement> {
        (**self).statement()
    }
}

/// Bytes of pipelined Bind/Execute written before `execute_many` reads the answers so far.
const BATCH_CHUNK: usize = 64 * 1024;

/// SQLSTATE 0A000 with this text: the statement's result type changed under a cached plan.
const STALE_PLAN_MESSAGE: &str = "cached plan must not change result type";

impl Connection {
    /// `execute`: the simple protocol when there are no parameters and the query is text.
    pub(super) async fn execute_now(
        &mut self,
        query: &impl AsQuery,
        params: &[super::Param<'_>],
    ) -> Result<CommandTag> {
        if params.is_empty() && query.statement().is_none() {
            if let Some(feature) = super::session_feature(query.sql()) {
                self.require_own_session(feature).await?;
            }
            return self.simple_query(query.sql()).await;
        }
        self.run_extended(query, params, 0, &mut Rows::Discard)
            .await
    }

    /// Runs `sql` with the simple protocol; returns the last command's tag.
    pub(crate) async fn simple_query(&mut self, sql: &str) -> Result<CommandTag> {
        self.ready().await?;
        self.simple_query_ready(sql).await
    }

    /// [`Connection::simple_query`] on a connection `ready()` was just called on. `sql` is
    /// written before the first await, so a caller that set state right before calling this
    /// knows the query goes out with it.
    pub(crate) async fn simple_query_ready(&mut self, sql: &str) -> Result<CommandTag> {
        self.session_dirty |= mentions_session_functions(sql);
        frontend::query(sql, &mut self.io.write_buf)?;
        self.wire.wrote_query();
        self.send().await?;
        let mut tag = None;
        let mut error = None;
        // Every statement of the string ends with CommandComplete, EmptyQueryResponse or an
        // error: a ReadyForQuery before any of them is a leftover, not this query's answer.
        let mut answered = false;
        loop {
            match self.recv().await? {
                Message::CommandComplete { tag: t } => {
                    answered = true;
                    self.set_last_rows(t.rows());
                    // SET, LISTEN, DECLARE... sent as text change the session too.
                    self.session_dirty |= changes_session(&t);
                    tag = Some(t);
                }
                Message::RowDescription { .. } | Message::DataRow(_) => {}
                Message::EmptyQueryResponse => answered = true,
                Message::ErrorResponse(fields) => {
                    answered = true;
                    error = Some(self.db_error(&fields, Some(sql)));
                }
                Message::CopyInResponse(_) => {
                    frontend::copy_fail(
                        "COPY FROM STDIN is not available through execute()",
                        &mut self.io.write_buf,
                    )?;
                    self.send().await?;
                }
                Message::CopyOutResponse(_) | Message::CopyData { .. } | Message::CopyDone => {}
                Message::ReadyForQuery { status } => {
                    if !answered {
                        self.wire.set_broken();
                        return Err(Error::LostSync {
                            detail: String::from(
                                "the server sent a ReadyForQuery before any result of the query",
                            ),
                        });
                    }
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("a simple query's results", &other)),
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(tag.unwrap_or_else(CommandTag::empty)),
        }
    }

    /// Runs one statement through the extended protocol and hands each row to `sink`.
    /// `max_rows` 0 means all rows. A stale cached plan is re-prepared and retried once when
    /// that is safe (no transaction open).
    pub(super) async fn run_extended(
        &mut self,
        query: &impl AsQuery,
        params: &[super::Param<'_>],
        max_rows: i32,
        rows: &mut Rows<'_>,
    ) -> Result<CommandTag> {
        check_param_limit(query.sql(), params.len())?;
        self.ready().await?;
        let mut retried = false;
        loop {
            let Bindable { stmt, reparse } = if retried {
                self.bindable(query.sql(), None, false).await?
            } else {
                self.bindable(query.sql(), query.statement(), true).await?
            };
            let before = rows.len();
            let result = self
                .bind_execute(&stmt, reparse, params, max_rows, rows)
                .await;
            match result {
                Err(e) if !retried && rows.len() == before && self.is_stale_statement(&e) => {
                    self.stale_plans += 1;
                    self.forget_statement(stmt.sql());
                    if self.tx_status != TransactionStatus::Idle {
                        return Err(e);
                    }
                    retried = true;
                }
                Err(e) => {
                    // A remembered description (cache off) that failed is not trusted again:
                    // its pinned parameter types may be what failed (a type recreated with a
                    // new OID, a column's type changed); the next run describes afresh.
                    if reparse {
                        self.cache.remove(stmt.sql());
                    }
                    return Err(e);
                }
                ok => return ok,
            }
        }
    }

    /// The statement to bind for `sql`, and whether the unnamed statement must be parsed again
    /// before the Bind: the one place that decides how a statement that may be unnamed (the
    /// statement cache off) is run. In order:
    ///
    /// - `given`, a named statement this session prepared: bound by name;
    /// - `given`, an unnamed statement of this session, or (with `remembered`) the description
    ///   of an unnamed statement kept from an earlier run: parsed again in the same write as
    ///   its Bind ([`write_reparse`]) — no round trip of its own. The unnamed statement on
    ///   the server is whatever was parsed last, so binding to it without a Parse could run
    ///   another query. Readers of a reparsed statement's rows check the description that
    ///   arrives with them (a Describe of the portal) against it ([`Connection::redescribe`]);
    /// - else [`statement_for`](Self::statement_for): from the cache or prepared now (Parse,
    ///   Describe, Flush, no Sync). An unnamed one prepared now needs no second Parse when its
    ///   Bind follows at once; its description is remembered for the next run.
    pub(super) async fn bindable(
        &mut self,
        sql: &str,
        given: Option<&Statement>,
        remembered: bool,
    ) -> Result<Bindable> {
        if let Some(stmt) = given
            && stmt.0.session == self.session_id
        {
            let reparse = stmt.name().is_empty();
            return Ok(Bindable {
                stmt: stmt.clone(),
                reparse,
            });
        }
        if remembered && let Some(stmt) = self.cache.described(sql) {
            return Ok(Bindable {
                stmt,
                reparse: true,
            });
        }
        let stmt = self.statement_for(sql, false).await?;
        self.cache.remember_described(&stmt);
        Ok(Bindable {
            stmt,
            reparse: false,
        })
    }

    /// The statement for `sql`: from the cache, or prepared now (named when the cache admits it,
    /// or when `named` is asked for by `prepare`).
    pub(super) async fn statement_for(&mut self, sql: &str, named: bool) -> Result<Statement> {
        let (hit, expired) = self.cache.get(sql);
        if let Some(expired) = expired {
            self.pending_close.push(expired.name().to_owned());
        }
        if let Some(stmt) = hit {
            return Ok(stmt);
        }
        let cached = self.cache.admits(sql);
        let name = if cached || named {
            self.cache.next_name()
        } else {
            String::new()
        };
        // Boxed: a cache miss is the cold path, and preparing (with type lookups) has a large future.
        let stmt = Box::pin(self.prepare_resolved(name, sql)).await?;
        if cached && let Some(evicted) = self.cache.insert(stmt.clone()) {
            self.pending_close.push(evicted.name().to_owned());
        }
        Ok(stmt)
    }

    /// Parse + Describe + Flush: the statement's description (parameter type OIDs and result
    /// fields), without a Sync so the Bind that follows shares the round trip's transaction. On
    /// error the Sync is sent and awaited. `prepare_resolved` turns it into a [`Statement`].
    pub(super) async fn prepare_now(
        &mut self,
        name: String,
        sql: &str,
    ) -> Result<(Vec<Oid>, Vec<FieldDescription>)> {
        self.write_pending_closes()?;
        let buf = &mut self.io.write_buf;
        frontend::parse(&name, sql, &[], buf)?;
        frontend::describe_statement(&name, buf)?;
        frontend::flush(buf);
        self.wire.wrote_unsynced();
        self.send().await?;
        let mut params = None;
        loop {
            // ParameterDescription always comes before the row description: without it the
            // statement's parameters are unknown, and caching it would be wrong for good.
            match self.recv().await? {
                Message::ParseComplete | Message::CloseComplete => {}
                Message::ParameterDescription { types } if params.is_none() => params = Some(types),
                Message::RowDescription { fields } if params.is_some() => {
                    return Ok((params.unwrap_or_default(), fields));
                }
                Message::NoData if params.is_some() => {
                    return Ok((params.unwrap_or_default(), Vec::new()));
                }
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, Some(sql));
                    self.sync_now().await?;
                    return Err(error);
                }
                other => return Err(self.unexpected("a statement description", &other)),
            }
        }
    }

    /// Bind + Execute + Sync for one statement, then reads to ReadyForQuery. With `reparse`
    /// (an unnamed statement described before), Parse (the parameter types pinned to the
    /// description's) goes first and a Describe of the portal after the Bind, in the same
    /// write: one round trip. The rows are
    /// read with the description that arrives; when it differs from the remembered one (the
    /// schema changed) they are read with the new types in the formats the Bind asked for, and
    /// the remembered description is dropped.
    async fn bind_execute(
        &mut self,
        stmt: &Statement,
        mut reparse: bool,
        params: &[super::Param<'_>],
        max_rows: i32,
        rows: &mut Rows<'_>,
    ) -> Result<CommandTag> {
        check_params(stmt, params)?;
        if let Some(feature) = stmt.0.session_feature {
            // SQL that outlives its transaction, refused through a transaction pooler. Asking
            // the server (the first time) runs a simple query, which drops the unnamed
            // statement: an unnamed one is then parsed again in front of its Bind.
            let asks = self.pooler_detection_pending();
            self.require_own_session(feature).await?;
            reparse |= asks && stmt.name().is_empty();
        }
        self.session_dirty |= stmt.0.changes_session;
        self.write_pending_closes()?;
        let start = self.io.write_buf.len();
        if reparse {
            let buf = &mut self.io.write_buf;
            if let Err(e) = write_reparse(stmt, buf) {
                buf.truncate(start);
                return Err(e);
            }
        }
        let bound = write_bind(stmt, params, &mut self.io.write_buf).and_then(|()| {
            if reparse {
                // The portal's description: the columns as this execution returns them.
                frontend::describe_portal("", &mut self.io.write_buf)?;
            }
            Ok(())
        });
        if let Err(e) = bound {
            // Nothing of this request may stay in the buffer.
            self.io.write_buf.truncate(start);
            return Err(e);
        }
        let mut described = (!reparse).then(|| stmt.clone());
        let buf = &mut self.io.write_buf;
        frontend::execute("", max_rows, buf)?;
        frontend::sync(buf);
        self.wire.wrote_sync();
        self.send().await?;

        let mut tag = None;
        let mut error = None;
        let mut reply = ExecuteReply::new();
        let returns_rows = !stmt.0.columns.is_empty();
        rows.reserve(stmt.rows_hint());
        loop {
            // Rows already buffered are taken straight off the buffer: the per-row fast path.
            while let Some(stmt) = &described
                && !self.wire.answers_queued()
                && let Some(row) = self.io.buffered_data_row()
            {
                self.check_reply(reply.on_row())?;
                if error.is_none() {
                    let record = self.record(stmt, row)?;
                    rows.push(record);
                }
            }
            match self.recv().await? {
                Message::DataRow(row) => {
                    self.check_reply(reply.on_row())?;
                    let Some(stmt) = &described else {
                        self.wire.set_broken();
                        return Err(Error::UnexpectedMessage {
                            expected: "the statement's description",
                            found: "DataRow",
                        });
                    };
                    if error.is_none() {
                        let record = self.record(stmt, row)?;
                        rows.push(record);
                    }
                }
                Message::ParseComplete if reparse => {}
                Message::RowDescription { fields } if reparse && described.is_none() => {
                    described = Some(self.redescribe(stmt, fields));
                }
                Message::NoData if reparse && described.is_none() => {
                    described = Some(self.redescribe(stmt, Vec::new()));
                }
                Message::BindComplete => self.check_reply(reply.on_bind_complete())?,
                Message::CloseComplete => {}
                Message::CommandComplete { tag: t } => {
                    self.check_reply(reply.on_end(Some(&t), returns_rows && max_rows == 0))?;
                    self.session_dirty |= changes_session(&t);
                    tag = Some(t);
                }
                Message::PortalSuspended | Message::EmptyQueryResponse => {
                    self.check_reply(reply.on_end(None, false))?;
                }
                Message::ErrorResponse(fields) => {
                    reply.on_error();
                    error = Some(self.db_error(&fields, Some(stmt.sql())))
                }
                Message::ReadyForQuery { status } => {
                    self.check_reply(reply.on_ready())?;
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("query results", &other)),
            }
        }
        let delivered = usize::try_from(reply.rows()).unwrap_or(usize::MAX);
        stmt.set_rows_hint(delivered);
        let affected = tag.as_ref().map_or(0, CommandTag::rows);
        self.set_last_rows(affected.max(reply.rows()));
        match error {
            Some(e) => Err(e),
            None => Ok(tag.unwrap_or_else(CommandTag::empty)),
        }
    }

    /// The statement to read a reparsed statement's rows with: `stmt` when the description
    /// that arrived matches it, else one with the new column types (and `stmt`'s formats), and
    /// the remembered description is dropped so the next run describes afresh.
    pub(super) fn redescribe(
        &mut self,
        stmt: &Statement,
        fields: Vec<FieldDescription>,
    ) -> Statement {
        let same = fields.len() == stmt.columns().len()
            && fields
                .iter()
                .zip(stmt.columns())
                .all(|(field, column)| field.type_oid == column.type_oid());
        if same {
            return stmt.clone();
        }
        self.cache.remove(stmt.sql());
        // The portal's description says the format each column arrives in (the Bind's codes
        // as the server applied them: one code applies to every column, new ones included).
        let columns = fields
            .into_iter()
            .map(|field| {
                let format = field.format;
                let ty = self.types.resolve(field.type_oid);
                crate::statement::Column::from_field(field, ty).in_format(format)
            })
            .collect();
        stmt.redescribed(columns)
    }

    /// A reply check's verdict: a mismatch breaks the connection.
    pub(super) fn check_reply(&mut self, verdict: Result<()>) -> Result<()> {
        if verdict.is_err() {
            self.wire.set_broken();
        }
        verdict
    }

    /// A record from a DataRow; a row that does not fit its description closes the connection.
    pub(super) fn record(
        &mut self,
        stmt: &Statement,
        row: quarry_protocol::backend::DataRow,
    ) -> Result<Record> {
        Record::from_row(&stmt.0.columns, row).map_err(|e| {
            self.wire.set_broken();
            Error::Protocol(e)
        })
    }

    /// `execute_many` / `fetch_many`: Bind/Execute per row, one Sync at the end. The rows are
    /// taken from the iterator as they are written; the writes go out in chunks followed by
    /// Flush, and each chunk's answers are read before the next, so neither side's socket
    /// buffer can fill and deadlock the exchange.
    pub(super) async fn run_many<'p, R: AsRef<[super::Param<'p>]>>(
        &mut self,
        query: &impl AsQuery,
        rows: impl Iterator<Item = R>,
        mut out: Option<&mut Vec<Record>>,
    ) -> Result<()> {
        let sql = query.sql();
        let mut rows = rows.peekable();
        let Some(first) = rows.peek() else {
            return Ok(());
        };
        check_param_limit(sql, first.as_ref().len())?;
        self.ready().await?;
        self.check_session_sql(query).await?;
        let Bindable { mut stmt, reparse } = self.bindable(sql, query.statement(), true).await?;
        // The first row is checked before anything is sent: a call with parameters that do
        // not fit leaves nothing behind. A later row that does not fit fails the batch on the
        // server (below), so no part of it is committed.
        if let Some(first) = rows.peek()
            && let Err(e) = check_params(&stmt, first.as_ref())
        {
            // A remembered description's pinned types may be what does not fit: not trusted
            // again, as for one statement.
            if reparse {
                self.cache.remove(sql);
            }
            return Err(e);
        }
        self.session_dirty |= stmt.0.changes_session;
        self.write_pending_closes()?;
        if reparse {
            // Before the first Bind; every row binds to it (nothing else is parsed between).
            write_reparse(&stmt, &mut self.io.write_buf)?;
        }
        self.wire.wrote_unsynced_batch();
        let mut in_flight = 0usize;
        let mut error = None;
        let mut reply = ExecuteReply::new();
        // A reparsed statement's columns as this run returns them: described after the first
        // Bind, checked by `read_batch` before any row is read.
        let mut describing = reparse;
        let mut first = true;
        for row in rows {
            let row = row.as_ref();
            let written = check_params(&stmt, row)
                .and_then(|()| write_bind(&stmt, row, &mut self.io.write_buf))
                .and_then(|()| {
                    if reparse && first {
                        frontend::describe_portal("", &mut self.io.write_buf)?;
                    }
                    Ok(())
                });
            first = false;
            if let Err(e) = written {
                // A row that does not fit, or an encoder failed, mid-batch: make the server
                // fail the batch too, so the rows already sent are rolled back with it, then
                // report the row's error.
                frontend::execute("quarry: batch aborted", 0, &mut self.io.write_buf)?;
                error = Some(e);
                break;
            }
            frontend::execute("", 0, &mut self.io.write_buf)?;
            in_flight += 1;
            if self.io.write_buf.len() >= BATCH_CHUNK {
                frontend::flush(&mut self.io.write_buf);
                self.send().await?;
                if let Some(e) = self
                    .read_batch(
                        (&mut stmt, &mut describing),
                        &mut in_flight,
                        &mut reply,
                        out.as_deref_mut(),
                    )
                    .await?
                {
                    error = Some(e);
                    break;
                }
            }
        }
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.send().await?;
        if error.is_none() {
            error = self
                .read_batch(
                    (&mut stmt, &mut describing),
                    &mut in_flight,
                    &mut reply,
                    out,
                )
                .await?;
        }
        // Whatever remains (answers after an error, the abort's error) ends at ReadyForQuery.
        self.drain_to_ready().await?;
        match error {
            Some(e) => {
                // As for one statement: a remembered description that failed is not trusted
                // again (its pinned parameter types may be what failed).
                if reparse {
                    self.cache.remove(sql);
                }
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// Reads the answers of `in_flight` pipelined executions; stops early at a server error
    /// (after which the server skips everything up to Sync). While `describing` (a reparsed
    /// statement), the portal's description is awaited first and replaces `stmt` when the
    /// columns changed.
    async fn read_batch(
        &mut self,
        (stmt, describing): (&mut Statement, &mut bool),
        in_flight: &mut usize,
        reply: &mut ExecuteReply,
        mut out: Option<&mut Vec<Record>>,
    ) -> Result<Option<Error>> {
        while *in_flight > 0 {
            match self.recv().await? {
                Message::BindComplete => self.check_reply(reply.on_bind_complete())?,
                Message::CloseComplete | Message::ParseComplete => {}
                Message::RowDescription { fields } if *describing => {
                    *stmt = self.redescribe(stmt, fields);
                    *describing = false;
                }
                Message::NoData if *describing => {
                    *stmt = self.redescribe(stmt, Vec::new());
                    *describing = false;
                }
                Message::DataRow(_) if *describing => {
                    self.wire.set_broken();
                    return Err(Error::UnexpectedMessage {
                        expected: "the statement's description",
                        found: "DataRow",
                    });
                }
                Message::DataRow(row) => {
                    self.check_reply(reply.on_row())?;
                    if out.is_some() {
                        let record = self.record(stmt, row)?;
                        if let Some(out) = out.as_deref_mut() {
                            out.push(record);
                        }
                    }
                }
                Message::CommandComplete { tag } => {
                    let returns_rows = !stmt.0.columns.is_empty();
                    self.check_reply(reply.on_end(Some(&tag), returns_rows))?;
                    *reply = ExecuteReply::new();
                    *in_flight -= 1;
                }
                Message::EmptyQueryResponse | Message::PortalSuspended => {
                    self.check_reply(reply.on_end(None, false))?;
                    *reply = ExecuteReply::new();
                    *in_flight -= 1;
                }
                Message::ErrorResponse(fields) => {
                    *in_flight = 0;
                    return Ok(Some(self.db_error(&fields, Some(stmt.sql()))));
                }
                other => return Err(self.unexpected("batch results", &other)),
            }
        }
        Ok(None)
    }

    pub(super) fn write_pending_closes(&mut self) -> Result<()> {
        if self.closes_held {
            return Ok(());
        }
        for name in self.pending_close.drain(..) {
            frontend::close_statement(&name, &mut self.io.write_buf)?;
        }
        Ok(())
    }

    /// Drops `sql`'s cached statement (closing it with the next request); whether there was one.
    pub(super) fn forget_statement(&mut self, sql: &str) -> bool {
        match self.cache.remove(sql) {
            Some(stmt) => {
                self.pending_close.push(stmt.name().to_owned());
                true
            }
            None => false,
        }
    }

    /// A cached plan whose result type changed (0A000), or a statement the server no longer has
    /// (26000, e.g. after `DISCARD ALL`).
    pub(super) fn is_stale_statement(&self, error: &Error) -> bool {
        let Some(db) = error.as_db_error() else {
            return false;
        };
        let code = db.code();
        code.code() == "26000"
            || (code.code() == "0A000" && db.message().contains(STALE_PLAN_MESSAGE))
    }
}

/// The most parameters one statement can have: Bind and ParameterDescription count them in 16 bits.
const MAX_PARAMS: usize = u16::MAX as usize;

/// Refuses more parameters than the protocol can carry, before anything is sent (the server's
/// ParameterDescription could not even describe such a statement).
pub(super) fn check_param_limit(sql: &str, params: usize) -> Result<()> {
    if params > MAX_PARAMS {
        return Err(Error::TooManyParameters {
            found: params,
            query: sql.to_owned(),
        });
    }
    Ok(())
}

/// Checks parameter count and types against the statement's description.
pub(super) fn check_params(stmt: &Statement, params: &[super::Param<'_>]) -> Result<()> {
    check_param_types(stmt.sql(), &stmt.0.param_types, params)
}

/// Checks parameter count and types against a statement's parameter types.
pub(super) fn check_param_types(
    sql: &str,
    types: &[std::sync::Arc<crate::types::PgType>],
    params: &[super::Param<'_>],
) -> Result<()> {
    check_param_limit(sql, params.len())?;
    if params.len() != types.len() {
        return Err(Error::ParamCount {
            expected: types.len(),
            found: params.len(),
            query: sql.to_owned(),
        });
    }
    for (i, (param, ty)) in params.iter().zip(types).enumerate() {
        if !param.accepts(ty) {
            return Err(Error::ParamType {
                position: i + 1,
                rust_type: param.rust_type(),
                pg_type: ty.to_string(),
                query: sql.to_owned(),
            });
        }
    }
    Ok(())
}

/// The parameter formats of a Bind: binary for every parameter, unless a value goes through a
/// text-format custom codec.
pub(super) fn param_formats(
    types: &[std::sync::Arc<crate::types::PgType>],
    params: &[super::Param<'_>],
) -> Vec<Format> {
    if params
        .iter()
        .zip(types)
        .any(|(p, ty)| p.format(ty) != Format::Binary)
    {
        params
            .iter()
            .zip(types)
            .map(|(p, ty)| p.format(ty))
            .collect()
    } else {
        vec![Format::Binary]
    }
}

/// Appends a Bind of the unnamed portal; on an encoder error nothing is left in `buf`.
fn write_bind(stmt: &Statement, params: &[super::Param<'_>], buf: &mut BytesMut) -> Result<()> {
    write_bind_to("", stmt, params, buf)
}

/// Appends a Bind of `portal`; on an encoder error nothing is left in `buf`.
pub(super) fn write_bind_to(
    portal: &str,
    stmt: &Statement,
    params: &[super::Param<'_>],
    buf: &mut BytesMut,
) -> Result<()> {
    // Binary for every parameter, unless a value goes through a text-format custom codec.
    let per_param: Vec<Format>;
    let formats: &[Format] = if params
        .iter()
        .zip(stmt.param_types())
        .any(|(p, ty)| p.format(ty) != Format::Binary)
    {
        per_param = params
            .iter()
            .zip(stmt.param_types())
            .map(|(p, ty)| p.format(ty))
            .collect();
        &per_param
    } else {
        &[Format::Binary]
    };
    let result = frontend::bind(
        portal,
        stmt.name(),
        formats,
        params.len(),
        |i, buf| match (params.get(i), stmt.param_types().get(i)) {
            (Some(param), Some(ty)) => param.encode(ty, buf),
            _ => Ok(IsNull::Yes),
        },
        &stmt.0.result_formats,
        buf,
    );
    match result {
        Ok(()) => Ok(()),
        Err(ProtocolError::EncodeParam { index, source }) => {
            let (rust_type, pg_type) = match (params.get(index), stmt.param_types().get(index)) {
                (Some(p), Some(ty)) => (p.rust_type(), ty.to_string()),
                _ => ("?", String::from("?")),
            };
            Err(Error::Encode {
                position: index + 1,
                rust_type,
                pg_type,
                source,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the rows of a query go.
pub(super) enum Rows<'a> {
    /// Nowhere (`execute`).
    Discard,
    /// The first row only (`fetch_row`).
    First(&'a mut Option<Record>),
    /// Every row (`fetch`).
    All(&'a mut Vec<Record>),
}

impl Rows<'_> {
    fn push(&mut self, record: Record) {
        match self {
            Rows::Discard => {}
            Rows::First(first) => {
                first.get_or_insert(record);
            }
            Rows::All(all) => all.push(record),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::Discard => 0,
            Rows::First(first) => usize::from(first.is_some()),
            Rows::All(all) => all.len(),
        }
    }

    fn reserve(&mut self, additional: usize) {
        if let Rows::All(all) = self {
            all.reserve(additional);
        }
    }
}

/// Whether a completed command may have changed session state that a pool's reset undoes
/// (settings, LISTEN, cursors; DO blocks and procedures may do anything).
pub(super) fn changes_session(tag: &CommandTag) -> bool {
    matches!(
        tag.command(),
        "SET" | "LISTEN" | "DECLARE" | "DO" | "CALL" | "LOAD"
    )
}

/// Whether SQL text calls functions that change session state (advisory locks, `set_config`).
/// Functions that do so internally are not seen: a pool's `reset` hook can always reset.
pub(crate) fn mentions_session_functions(sql: &str) -> bool {
    const NEEDLES: [&[u8]; 2] = [b"advisory", b"set_config"];
    let bytes = sql.as_bytes();
    NEEDLES.iter().any(|needle| {
        bytes
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
    })
}

/// A statement to bind, from [`Connection::bindable`].
pub(super) struct Bindable {
    /// The statement (its parameter types and columns as described).
    pub(super) stmt: Statement,
    /// Whether the unnamed statement must be parsed again before the Bind ([`write_reparse`]).
    pub(super) reparse: bool,
}

/// Appends the Parse that makes `stmt`, an unnamed statement described before, the server's
/// unnamed statement again, its parameter types pinned to the description's: written right
/// before the Bind that uses it (by one statement's run, `execute_many` and the pipeline).
pub(super) fn write_reparse(stmt: &Statement, buf: &mut BytesMut) -> Result<()> {
    frontend::parse("", stmt.sql(), &stmt.0.params, buf)?;
    Ok(())
}
