//! quarry-describe: query description for the `query!` macros and `quarry describe` — what a
//! `$n` query takes and returns: parameter types, column names and types, and whether each
//! column can be NULL. Build-time code: programs never link it at run time.
//!
//! This crate owns the description format and the offline cache (`.quarry/query-<sha256>.json`,
//! see [`cache`]); the macros and the CLI only call into it, so the format has one owner. It
//! reaches the database through `quarry-driver`'s public API only.
//! Nullability is decided in `nullability/`: sound first (a column is NOT NULL only when that is
//! certain), then as precise as possible.

pub mod cache;
mod nested;
mod nullability;

/// What the nullability analysis assumes of built-in functions: exported so that a test can
/// check it against `pg_proc`.
#[doc(hidden)]
pub mod functions {
    pub use crate::nullability::{FACTS, Fact, Rule, STRICT};
}

pub use nested::{FieldDescription, NestedDescription, NestedForm};

use serde::{Deserialize, Serialize};

use quarry_driver::Connection;
use quarry_driver::Result;
use quarry_driver::types::{Kind, PgType};

/// The version of the description format written to the offline cache.
pub const FORMAT_VERSION: u32 = 1;

/// Everything the macros need to know about one query.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let d = quarry_describe::describe(conn, "SELECT id, name FROM users WHERE id = $1").await?;
/// assert_eq!(d.parameters[0].ty.name, "int4");
/// println!("{} nullable: {}", d.columns[1].name, d.columns[1].nullable);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDescription {
    /// [`FORMAT_VERSION`] at the time of writing.
    pub version: u32,
    /// The SQL text, exactly as given.
    pub sql: String,
    /// `$1`, `$2`, ... in order.
    pub parameters: Vec<ParamDescription>,
    /// Result columns in order (empty for statements without a result).
    pub columns: Vec<ColumnDescription>,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamDescription {
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeDescription,
    /// The NOT NULL table column the parameter flows into directly (`INSERT ... VALUES ($1)`,
    /// `UPDATE ... SET c = $1`), if any: an `Option<T>` argument there is a compile error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_target: Option<ColumnOrigin>,
    /// The NOT NULL domain that is the parameter's type (`schema.name`), if it is one: binding
    /// NULL to it is an error whatever the query does with it, so an `Option<T>` argument is a
    /// compile error too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_domain: Option<String>,
}

impl ParamDescription {
    /// Whether NULL is refused: the parameter flows into a NOT NULL column or its type is a
    /// NOT NULL domain.
    ///
    /// ```
    /// # use quarry_describe::{ParamDescription, TypeDescription};
    /// let ty = TypeDescription { name: "int4".into(), schema: "pg_catalog".into(), oid: Some(23), kind: Default::default() };
    /// let p = ParamDescription { ty, not_null_target: None, not_null_domain: Some("public.posint".into()) };
    /// assert!(p.refuses_null());
    /// ```
    pub fn refuses_null(&self) -> bool {
        self.not_null_target.is_some() || self.not_null_domain.is_some()
    }
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDescription {
    /// The column's name (its alias when the query gives one).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeDescription,
    /// Whether the column can be NULL. `false` only when that is certain.
    pub nullable: bool,
    /// For an array column: whether its elements can be NULL (`false` only when that is
    /// certain: the catalog says nothing about elements, so only arrays the query builds from
    /// non-NULL values qualify). Always `true` for other columns.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub element_nullable: bool,
    /// The table column it comes from, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ColumnOrigin>,
    /// For a column that aggregates rows (`array_agg(ROW(...))`, `array_agg(t)`,
    /// `json_agg(json_build_object(...))`, ...): the fields of those rows, so that the macros
    /// can check a `Vec<Child>` read of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested: Option<NestedDescription>,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ColumnOrigin {
    /// Schema of the table.
    pub schema: String,
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
}

/// A type, by name (OIDs of user types differ between databases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeDescription {
    /// `pg_type.typname`: `int4`, `_int4` for `int4[]`, a user type's name.
    pub name: String,
    /// The type's schema (`pg_catalog` for built-ins).
    pub schema: String,
    /// The OID, for built-in types only (stable across databases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<u32>,
    /// What sort of type it is, with the details user types need.
    #[serde(default, skip_serializing_if = "TypeKind::is_base")]
    pub kind: TypeKind,
}

/// The sort of a described type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    /// A scalar type.
    #[default]
    Base,
    /// An array of the element type.
    Array {
        /// The element type.
        element: Box<TypeDescription>,
    },
    /// An enum with its labels.
    Enum {
        /// Labels in order.
        labels: Vec<String>,
    },
    /// A composite type with its fields.
    Composite {
        /// Fields in order: name and type.
        fields: Vec<(String, TypeDescription)>,
    },
    /// A domain over a base type.
    Domain {
        /// The base type.
        base: Box<TypeDescription>,
    },
    /// A range over a subtype.
    Range {
        /// The subtype.
        subtype: Box<TypeDescription>,
    },
    /// A multirange of a range type.
    Multirange {
        /// The range type.
        range: Box<TypeDescription>,
    },
    /// A pseudo-type (`record`, `void`, ...).
    Pseudo,
}

impl TypeKind {
    fn is_base(&self) -> bool {
        matches!(self, TypeKind::Base)
    }
}

impl TypeDescription {
    /// Whether values of this type are arrays (domains over arrays too).
    pub fn is_array(&self) -> bool {
        match &self.kind {
            TypeKind::Array { .. } => true,
            TypeKind::Domain { base } => base.is_array(),
            _ => false,
        }
    }
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_true(b: &bool) -> bool {
    *b
}

impl TypeDescription {
    /// Describes a type the connection resolved.
    pub fn from_pg_type(ty: &PgType) -> TypeDescription {
        let builtin = ty.schema() == "pg_catalog" && ty.oid() < 10_000;
        TypeDescription {
            name: ty.name().to_owned(),
            schema: ty.schema().to_owned(),
            oid: builtin.then_some(ty.oid()),
            kind: match ty.kind() {
                Kind::Array(element) => TypeKind::Array {
                    element: Box::new(TypeDescription::from_pg_type(element)),
                },
                Kind::Enum(labels) => TypeKind::Enum {
                    labels: labels.clone(),
                },
                Kind::Composite(fields) => TypeKind::Composite {
                    fields: fields
                        .iter()
                        .map(|f| (f.name.clone(), TypeDescription::from_pg_type(&f.ty)))
                        .collect(),
                },
                Kind::Domain(base) => TypeKind::Domain {
                    base: Box::new(TypeDescription::from_pg_type(base)),
                },
                Kind::Range(subtype) => TypeKind::Range {
                    subtype: Box::new(TypeDescription::from_pg_type(subtype)),
                },
                Kind::Multirange(range) => TypeKind::Multirange {
                    range: Box::new(TypeDescription::from_pg_type(range)),
                },
                Kind::Pseudo => TypeKind::Pseudo,
                _ => TypeKind::Base,
            },
        }
    }
}

/// Describes `sql` on a live connection: prepares it (without running it), resolves every type
/// by name, and works out each column's nullability. To describe many queries, keep a
/// [`Describer`]: it remembers the catalog facts it read.
pub async fn describe(conn: &mut Connection, sql: &str) -> Result<QueryDescription> {
    Describer::new().describe(conn, sql).await
}

/// Describes queries one after another, remembering what it read from the catalog (relations,
/// view definitions, which table column a result column is) so each fact costs one round trip
/// per `Describer`, not one per query. The facts are not refreshed: keep a `Describer` for one
/// batch of queries (a build, a `quarry prepare`), not across schema changes.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let mut describer = quarry_describe::Describer::new();
/// for sql in ["SELECT id FROM users", "SELECT name FROM users WHERE id = $1"] {
///     let d = describer.describe(conn, sql).await?;
///     println!("{sql}: {} columns", d.columns.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Describer {
    facts: nullability::Facts,
}

impl Describer {
    /// A describer that knows nothing yet.
    pub fn new() -> Describer {
        Describer::default()
    }

    /// Describes `sql` on `conn` (see [`describe`]).
    pub async fn describe(&mut self, conn: &mut Connection, sql: &str) -> Result<QueryDescription> {
        let mut description = self.describe_columns(conn, sql).await?;
        // Columns of nested rows: their fields are described by one probe statement, after
        // another for the row types of `json_agg(t)` columns when there are some.
        let mut row_types = Vec::new();
        if let Some(rows) = nested::rows_probe(sql, &description.columns) {
            match self.describe_columns(conn, &rows.probe).await {
                Ok(probe) => row_types = nested::row_types(&rows, &probe),
                Err(e) if conn.is_closed() => return Err(e),
                Err(_) => {}
            }
        }
        let params = description.parameters.len();
        if let Some(plan) = nested::plan(sql, &description.columns, params, &row_types) {
            match self.describe_columns(conn, &plan.probe).await {
                Ok(probe) => nested::apply(&plan, &probe, &mut description.columns),
                Err(e) if conn.is_closed() => return Err(e),
                // The probe is ours, not the user's: without it the fields stay unknown.
                Err(_) => {}
            }
        }
        Ok(description)
    }

    /// Parameters and columns with their nullability, without nested rows' fields.
    async fn describe_columns(
        &mut self,
        conn: &mut Connection,
        sql: &str,
    ) -> Result<QueryDescription> {
        let stmt = conn.prepare(sql).await?;
        let parameters = stmt
            .param_types()
            .iter()
            .map(|ty| ParamDescription {
                ty: TypeDescription::from_pg_type(ty),
                not_null_target: None,
                not_null_domain: None,
            })
            .collect();
        let mut columns: Vec<ColumnDescription> = stmt
            .columns()
            .iter()
            .map(|c| ColumnDescription {
                name: c.name().to_owned(),
                ty: TypeDescription::from_pg_type(c.pg_type()),
                nullable: true,
                element_nullable: true,
                origin: None,
                nested: None,
            })
            .collect();
        let mut description = QueryDescription {
            version: FORMAT_VERSION,
            sql: sql.to_owned(),
            parameters,
            columns: Vec::new(),
        };
        self.facts
            .analyse(conn, &stmt, &mut columns, &mut description.parameters)
            .await?;
        description.columns = columns;
        Ok(description)
    }
}
