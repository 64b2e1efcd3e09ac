//! Type resolution for statements and the public type-registry surface: user types named by a
//! statement's description are looked up with one introspection query (JIT off, in its own small
//! transaction or savepoint) before the statement is handed out; `set_type_codec`,
//! `set_builtin_type_codec`, `reset_type_codec` and `reload_schema_state` manage the
//! per-connection registry (`types::registry`).

use std::sync::Arc;

use super::phase::UndoWhen;
use super::{Connection, timeout};
use crate::error::{Error, Result};
use crate::statement::Statement;
use crate::types::registry::{IntrospectRow, introspection_query};
use crate::types::{BuiltinCodec, Oid, TypeCodec};
use quarry_protocol::TransactionStatus;
use quarry_protocol::backend::{FieldDescription, Message};
use quarry_protocol::frontend;

/// The savepoint introspection uses inside a transaction the user opened.
const SAVEPOINT: &str = "quarry_introspect";

impl Connection {
    /// Parse + Describe, then — when the description names user types this connection has not
    /// looked up — introspect them and, for the unnamed statement (which the introspection query
    /// destroys), prepare again. Built-in types never trigger a lookup.
    pub(super) async fn prepare_resolved(&mut self, name: String, sql: &str) -> Result<Statement> {
        let (mut params, mut fields) = self.prepare_now(name.clone(), sql).await?;
        let missing = self.types.missing(
            params
                .iter()
                .copied()
                .chain(fields.iter().map(|f| f.type_oid)),
        );
        if !missing.is_empty() {
            self.sync_now().await?;
            if let Err(e) = self.introspect(&missing).await {
                if !name.is_empty() {
                    self.pending_close.push(name);
                }
                return Err(e);
            }
            if name.is_empty() {
                (params, fields) = self.prepare_now(name.clone(), sql).await?;
            }
        }
        Ok(self.build_statement(name, sql, params, fields))
    }

    fn build_statement(
        &self,
        name: String,
        sql: &str,
        params: Vec<Oid>,
        fields: Vec<FieldDescription>,
    ) -> Statement {
        let param_types = params.iter().map(|oid| self.types.resolve(*oid)).collect();
        let column_types = fields
            .iter()
            .map(|f| self.types.resolve(f.type_oid))
            .collect();
        Statement::new(
            self.session_id,
            name,
            sql.to_owned(),
            params,
            param_types,
            fields,
            column_types,
        )
    }

    /// Looks up `oids` (and the user types they depend on) with one query and caches them.
    async fn introspect(&mut self, oids: &[Oid]) -> Result<()> {
        let multiranges = self.server_version_num().is_none_or(|v| v >= 140_000);
        let query = introspection_query(oids, multiranges);
        let rows = self.run_without_jit(&query).await?;
        let mut parsed = Vec::with_capacity(rows.len());
        for row in &rows {
            let cols: Vec<Option<&str>> = row.iter().map(Option::as_deref).collect();
            let row = IntrospectRow::parse(&cols).map_err(|e| Error::TypeIntrospection {
                reason: e.to_string(),
            })?;
            parsed.push(row);
        }
        self.types.insert(&parsed);
        Ok(())
    }

    /// Runs one catalog query with JIT off (a slow first query otherwise), in a transaction of
    /// its own or in a savepoint of the user's, so the setting does not outlive the query.
    async fn run_without_jit(&mut self, query: &str) -> Result<Vec<Vec<Option<String>>>> {
        let jit = if self.server_version_num().is_none_or(|v| v >= 110_000) {
            "SET LOCAL jit = off; "
        } else {
            ""
        };
        let in_tx = self.tx_status != TransactionStatus::Idle;
        let (begin, end, undo) = if in_tx {
            (
                format!("SAVEPOINT {SAVEPOINT}; "),
                format!("; ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"),
                format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"),
            )
        } else {
            (
                "BEGIN; ".to_owned(),
                "; COMMIT".to_owned(),
                "ROLLBACK".to_owned(),
            )
        };
        let sql = format!("{begin}{jit}{query}{end}");
        self.ready().await?;
        // Dropped before the answer (a timeout cancelling the query, say), the caller cannot
        // undo a failed lookup below: the next request does.
        self.wire.undo_if_abandoned(undo.clone(), UndoWhen::Failed);
        let result = self.simple_rows_ready(&sql).await;
        self.wire.answer_seen();
        if let Err(e) = &result
            && !e.is_fatal()
            && self.tx_status == TransactionStatus::Failed
            && let Err(undo_error) = self.simple_query(&undo).await
        {
            tracing::warn!(target: "quarry", "could not undo a failed type lookup: {undo_error}");
        }
        result
    }

    /// Runs `sql` with the simple protocol and returns every row, as text.
    pub(super) async fn simple_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        self.ready().await?;
        self.simple_rows_ready(sql).await
    }

    /// [`Connection::simple_rows`] on a connection `ready()` was just called on: `sql` is
    /// written before the first await.
    async fn simple_rows_ready(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        frontend::query(sql, &mut self.io.write_buf)?;
        self.wire.wrote_query();
        self.send().await?;
        let mut rows = Vec::new();
        let mut ranges = Vec::new();
        let mut error = None;
        loop {
            match self.recv().await? {
                Message::DataRow(row) => {
                    row.ranges(&mut ranges)?;
                    let body = row.body();
                    let values = ranges
                        .iter()
                        .map(|range| {
                            range
                                .clone()
                                .and_then(|r| body.get(r))
                                .map(|raw| String::from_utf8_lossy(raw).into_owned())
                        })
                        .collect();
                    rows.push(values);
                }
                Message::RowDescription { .. }
                | Message::CommandComplete { .. }
                | Message::EmptyQueryResponse => {}
                Message::ErrorResponse(fields) => {
                    error.get_or_insert_with(|| self.db_error(&fields, Some(sql)));
                }
                Message::ReadyForQuery { status } => {
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("a catalog query's results", &other)),
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(rows),
        }
    }

    /// The OID of the type `name` (`"json"`, `"public.geometry"`, `"double precision"`),
    /// resolved like a cast in SQL (the search path applies to unqualified names).
    async fn type_oid_by_name(&mut self, name: &str) -> Result<Oid> {
        let not_found = || Error::TypeNotFound {
            name: name.to_owned(),
        };
        if name.contains('\0') {
            return Err(not_found());
        }
        let literal = name.replace('\\', "\\\\").replace('\'', "''");
        let rows = self
            .simple_rows(&format!(
                "SELECT pg_catalog.to_regtype(E'{literal}')::pg_catalog.oid"
            ))
            .await?;
        rows.first()
            .and_then(|row| row.first())
            .and_then(|v| v.as_deref())
            .and_then(|v| v.parse::<Oid>().ok())
            .ok_or_else(not_found)
    }

    /// Resolves `name` to a type this connection knows (introspecting a user type).
    async fn known_type(&mut self, name: &str) -> Result<Oid> {
        self.ready().await?;
        let oid = self.type_oid_by_name(name).await?;
        let missing = self.types.missing([oid]);
        if !missing.is_empty() {
            self.introspect(&missing).await?;
        }
        Ok(oid)
    }

    /// Closes every cached statement (their column formats and types may have changed).
    fn drop_statement_cache(&mut self) {
        let names = self.cache.clear();
        self.pending_close.extend(names);
    }

    /// Registers a codec for the type `name` on this connection (asyncpg's `set_type_codec`).
    ///
    /// `name` may be schema-qualified (`"pg_catalog.json"`); otherwise the search path applies.
    /// Columns of the type are then requested in the codec's format, [`crate::Record::value`] and
    /// Record's Debug decode through it (a [`crate::types::Value::Custom`]), and
    /// [`crate::types::Custom<T>`] sends and receives `T` through it. A type that implements
    /// `Decode` itself keeps working with `row.get::<T>()`. The statement cache is emptied.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::types::{BoxError, Custom, TypeCodec};
    /// conn.set_type_codec(
    ///     "pg_catalog.numeric",
    ///     TypeCodec::text(
    ///         |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
    ///         |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
    ///     ),
    /// )
    /// .await?;
    /// let Custom(x): Custom<f64> = conn.fetch_val("SELECT $1::numeric", &[&Custom(11.123)]).await?;
    /// assert_eq!(x, 11.123);
    /// # Ok(()) }
    /// ```
    pub async fn set_type_codec(&mut self, name: &str, codec: TypeCodec) -> Result<()> {
        let timeout = self.command_timeout;
        timeout::run(self, timeout, name, async |c: &mut Connection| {
            let oid = c.known_type(name).await?;
            c.types.set_codec(oid, Arc::new(codec));
            c.drop_statement_cache();
            Ok(())
        })
        .await
    }

    /// Gives the type `name` one of Quarry's built-in codecs (asyncpg's `set_builtin_type_codec`),
    /// e.g. the `hstore` extension's type its binary codec.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::types::BuiltinCodec;
    /// conn.execute("CREATE EXTENSION IF NOT EXISTS hstore", &[]).await?;
    /// conn.set_builtin_type_codec("hstore", BuiltinCodec::Hstore).await?;
    /// let row = conn.fetch_row("SELECT 'a=>1,b=>2'::hstore AS h", &[]).await?.unwrap();
    /// println!("{row:?}"); // Record(h={"a": Some("1"), "b": Some("2")})
    /// # Ok(()) }
    /// ```
    pub async fn set_builtin_type_codec(&mut self, name: &str, codec: BuiltinCodec) -> Result<()> {
        self.set_type_codec(name, codec.codec()).await
    }

    /// Removes the codec registered for the type `name` (asyncpg's `reset_type_codec`); its values
    /// decode as before. Removing a codec that was not set is no error.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.reset_type_codec("numeric").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_type_codec(&mut self, name: &str) -> Result<()> {
        let timeout = self.command_timeout;
        timeout::run(self, timeout, name, async |c: &mut Connection| {
            c.ready().await?;
            let oid = c.type_oid_by_name(name).await?;
            if c.types.remove_codec(oid) {
                c.drop_statement_cache();
            }
            Ok(())
        })
        .await
    }

    /// Forgets the user types looked up so far and empties the statement cache, after the schema
    /// changed (a type altered, dropped or recreated). Registered codecs stay.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.execute("ALTER TYPE mood ADD VALUE 'meh'", &[]).await?;
    /// conn.reload_schema_state();
    /// # Ok(()) }
    /// ```
    pub fn reload_schema_state(&mut self) {
        self.types.clear_types();
        self.drop_statement_cache();
    }
}
