//! The per-connection type registry: user types (enums, composites, domains, ranges,
//! multiranges, arrays of them, extension types) looked up by one introspection query and cached
//! by OID, and the custom codecs registered for types by name.
//!
//! Pure: this file builds the introspection query and turns its rows into [`PgType`]s; the
//! connection (`connection/introspect.rs`) runs it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Field, Kind, Oid, PgType, TypeCodec};

/// PostgreSQL's `FirstNormalObjectId`: every built-in type has a smaller OID.
const FIRST_NORMAL_OID: Oid = 16_384;

/// Whether `oid` belongs to a user or extension type (never to a built-in one).
pub(crate) fn is_user_oid(oid: Oid) -> bool {
    oid >= FIRST_NORMAL_OID
}

/// Nesting deeper than this (a domain over an array of a composite of ...) is left unresolved.
const MAX_DEPTH: usize = 32;

/// User types and codecs known to one connection.
#[derive(Debug, Default)]
pub(crate) struct TypeRegistry {
    /// Types looked up by introspection.
    types: HashMap<Oid, Arc<PgType>>,
    /// Types with a custom codec attached; these win over `types` and the built-ins.
    codecs: HashMap<Oid, Arc<PgType>>,
}

impl TypeRegistry {
    /// The type as this connection knows it: with its codec, introspected, or built-in.
    ///
    /// Containers (arrays, domains, ranges, multiranges, composites) whose parts have a custom
    /// codec get those parts with the codec attached, so `Vec<Custom<T>>` and derived composites
    /// holding a `Custom<T>` field go through the codec too.
    pub(crate) fn resolve(&self, oid: Oid) -> Arc<PgType> {
        let ty = self
            .codecs
            .get(&oid)
            .or_else(|| self.types.get(&oid))
            .cloned()
            .unwrap_or_else(|| PgType::resolve(oid));
        if self.codecs.is_empty() {
            ty
        } else {
            self.with_codecs(&ty, 0)
        }
    }

    /// `ty` with the registered codecs attached to its parts (the type itself keeps its own).
    fn with_codecs(&self, ty: &Arc<PgType>, depth: usize) -> Arc<PgType> {
        if depth > MAX_DEPTH {
            return ty.clone();
        }
        let part = |p: &Arc<PgType>| match self.codecs.get(&p.oid()) {
            Some(with_codec) => self.with_codecs(with_codec, depth + 1),
            None => self.with_codecs(p, depth + 1),
        };
        let kind = match ty.kind() {
            Kind::Array(elem) => Kind::Array(part(elem)),
            Kind::Domain(base) => Kind::Domain(part(base)),
            Kind::Range(sub) => Kind::Range(part(sub)),
            Kind::Multirange(range) => Kind::Multirange(part(range)),
            Kind::Composite(fields) => Kind::Composite(
                fields
                    .iter()
                    .map(|f| Field {
                        name: f.name.clone(),
                        ty: part(&f.ty),
                    })
                    .collect(),
            ),
            _ => return ty.clone(),
        };
        if kind == *ty.kind() {
            ty.clone()
        } else {
            Arc::new(ty.with_kind(kind))
        }
    }

    /// The user-type OIDs among `oids` this connection has not looked up yet (sorted, unique).
    /// Built-in types never need a lookup.
    pub(crate) fn missing(&self, oids: impl IntoIterator<Item = Oid>) -> Vec<Oid> {
        let mut out: Vec<Oid> = oids
            .into_iter()
            .filter(|oid| {
                is_user_oid(*oid) && !self.types.contains_key(oid) && !self.codecs.contains_key(oid)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Attaches `codec` to the type `oid` (already resolved), replacing any codec it had.
    pub(crate) fn set_codec(&mut self, oid: Oid, codec: Arc<TypeCodec>) {
        let base = self
            .types
            .get(&oid)
            .cloned()
            .unwrap_or_else(|| PgType::resolve(oid));
        self.codecs
            .insert(oid, Arc::new(base.with_codec(Some(codec))));
    }

    /// Removes the codec of type `oid`; returns whether there was one.
    pub(crate) fn remove_codec(&mut self, oid: Oid) -> bool {
        self.codecs.remove(&oid).is_some()
    }

    /// Forgets every introspected type (`reload_schema_state`). Codecs stay registered.
    pub(crate) fn clear_types(&mut self) {
        self.types.clear();
    }

    /// Adds the types an introspection query returned.
    pub(crate) fn insert(&mut self, rows: &[IntrospectRow]) {
        let mut raw: HashMap<Oid, RawType> = HashMap::new();
        for row in rows {
            match row {
                IntrospectRow::Type(t) => {
                    raw.entry(t.oid).or_default().info = Some(t.clone());
                }
                IntrospectRow::Label { oid, label } => {
                    raw.entry(*oid).or_default().labels.push(label.clone());
                }
                IntrospectRow::Attribute {
                    oid,
                    name,
                    type_oid,
                } => raw
                    .entry(*oid)
                    .or_default()
                    .fields
                    .push((name.clone(), *type_oid)),
            }
        }
        let oids: Vec<Oid> = raw.keys().copied().collect();
        let mut visiting = HashSet::new();
        for oid in oids {
            self.build(oid, &raw, &mut visiting, 0);
        }
    }

    fn build(
        &mut self,
        oid: Oid,
        raw: &HashMap<Oid, RawType>,
        visiting: &mut HashSet<Oid>,
        depth: usize,
    ) -> Arc<PgType> {
        if let Some(known) = self.types.get(&oid) {
            return known.clone();
        }
        let Some(info) = raw.get(&oid).and_then(|r| r.info.as_ref()) else {
            return PgType::resolve(oid);
        };
        if depth > MAX_DEPTH || !visiting.insert(oid) {
            return PgType::resolve(oid);
        }
        let mut child =
            |this: &mut TypeRegistry, child: Oid| this.build(child, raw, visiting, depth + 1);
        let kind = match info.typtype {
            'e' => Kind::Enum(raw.get(&oid).map(|r| r.labels.clone()).unwrap_or_default()),
            'c' => {
                let fields = raw.get(&oid).map(|r| r.fields.clone()).unwrap_or_default();
                Kind::Composite(
                    fields
                        .into_iter()
                        .map(|(name, ty)| Field {
                            name,
                            ty: child(self, ty),
                        })
                        .collect(),
                )
            }
            'd' => Kind::Domain(child(self, info.base)),
            'r' => Kind::Range(child(self, info.range_subtype)),
            'm' => Kind::Multirange(child(self, info.multirange_range)),
            'p' => Kind::Pseudo,
            _ if info.category == 'A' && info.elem != 0 => Kind::Array(child(self, info.elem)),
            _ => Kind::Base,
        };
        let ty = Arc::new(PgType::new(
            oid,
            info.name.clone(),
            info.schema.clone(),
            kind,
        ));
        visiting.remove(&oid);
        self.types.insert(oid, ty.clone());
        ty
    }
}

#[derive(Debug, Default)]
struct RawType {
    info: Option<TypeInfo>,
    labels: Vec<String>,
    fields: Vec<(String, Oid)>,
}

/// One `pg_type` row of the introspection query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeInfo {
    pub(crate) oid: Oid,
    pub(crate) name: String,
    pub(crate) schema: String,
    /// `typtype`: b(ase), c(omposite), d(omain), e(num), p(seudo), r(ange), m(ultirange).
    pub(crate) typtype: char,
    /// `typcategory`: `A` for arrays.
    pub(crate) category: char,
    pub(crate) elem: Oid,
    pub(crate) base: Oid,
    pub(crate) range_subtype: Oid,
    pub(crate) multirange_range: Oid,
}

/// A row of the introspection query, by its first column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IntrospectRow {
    /// `T`: a type.
    Type(TypeInfo),
    /// `E`: an enum label, in order.
    Label { oid: Oid, label: String },
    /// `A`: a composite's attribute, in order.
    Attribute {
        oid: Oid,
        name: String,
        type_oid: Oid,
    },
}

/// Why an introspection row could not be read.
#[derive(Debug, thiserror::Error)]
#[error("malformed type introspection row: {0}")]
pub(crate) struct BadRow(&'static str);

impl IntrospectRow {
    /// Reads one row of [`introspection_query`]'s 10 text columns.
    pub(crate) fn parse(cols: &[Option<&str>]) -> Result<IntrospectRow, BadRow> {
        let text = |i: usize| cols.get(i).copied().flatten().unwrap_or("");
        let oid = |i: usize| -> Result<Oid, BadRow> {
            let t = text(i);
            if t.is_empty() {
                return Ok(0);
            }
            t.parse().map_err(|_| BadRow("an OID is not a number"))
        };
        let first_char = |i: usize| text(i).chars().next().unwrap_or(' ');
        match text(0) {
            "T" => Ok(IntrospectRow::Type(TypeInfo {
                oid: oid(1)?,
                name: text(2).to_owned(),
                schema: text(3).to_owned(),
                typtype: first_char(4),
                category: first_char(5),
                elem: oid(6)?,
                base: oid(7)?,
                range_subtype: oid(8)?,
                multirange_range: oid(9)?,
            })),
            "E" => Ok(IntrospectRow::Label {
                oid: oid(1)?,
                label: text(2).to_owned(),
            }),
            "A" => Ok(IntrospectRow::Attribute {
                oid: oid(1)?,
                name: text(2).to_owned(),
                type_oid: oid(3)?,
            }),
            _ => Err(BadRow("unknown row kind")),
        }
    }
}

/// The one query that describes the types `oids` and every user type they depend on
/// (array elements, domain bases, range subtypes, multiranges' ranges, composite fields).
///
/// Text columns: kind (`T`/`E`/`A`), type OID, then per kind: name, schema, typtype, typcategory,
/// typelem, typbasetype, range subtype, multirange's range — or the label — or the attribute's
/// name and type OID. Ordered so labels and attributes come in declaration order.
/// `multiranges` is false before PostgreSQL 14 (no `pg_range.rngmultitypid`).
pub(crate) fn introspection_query(oids: &[Oid], multiranges: bool) -> String {
    let list = oids
        .iter()
        .map(Oid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let (mr_dep, mr_join, mr_col) = if multiranges {
        (
            "UNION ALL SELECT m.rngtypid FROM pg_catalog.pg_range m WHERE m.rngmultitypid = t.oid",
            "LEFT JOIN pg_catalog.pg_range m ON m.rngmultitypid = t.oid",
            "coalesce(m.rngtypid, 0)",
        )
    } else {
        ("", "", "0")
    };
    format!(
        "WITH RECURSIVE wanted(oid) AS (
    SELECT unnest('{{{list}}}'::pg_catalog.oid[])
  UNION
    SELECT d.dep FROM wanted w
    JOIN pg_catalog.pg_type t ON t.oid = w.oid
    CROSS JOIN LATERAL (
        SELECT t.typelem WHERE t.typcategory = 'A'
        UNION ALL SELECT t.typbasetype
        UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid
        {mr_dep}
        UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a
            WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS d(dep)
    WHERE d.dep >= {FIRST_NORMAL_OID}
), types AS (
    SELECT t.* FROM pg_catalog.pg_type t JOIN wanted w ON t.oid = w.oid
)
SELECT 'T' AS k, t.oid::text, t.typname::text, n.nspname::text, t.typtype::text,
       t.typcategory::text, t.typelem::text, t.typbasetype::text,
       coalesce(r.rngsubtype, 0)::text, {mr_col}::text, 0::float8 AS ord
FROM types t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
{mr_join}
UNION ALL
SELECT 'E', e.enumtypid::text, e.enumlabel::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       e.enumsortorder::float8
FROM types t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
UNION ALL
SELECT 'A', t.oid::text, a.attname::text, a.atttypid::text, NULL, NULL, NULL, NULL, NULL, NULL,
       a.attnum::float8
FROM types t JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid
WHERE t.typrelid <> 0 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, 11"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn type_row(oid: Oid, name: &str, typtype: char, category: char) -> TypeInfo {
        TypeInfo {
            oid,
            name: name.into(),
            schema: "public".into(),
            typtype,
            category,
            elem: 0,
            base: 0,
            range_subtype: 0,
            multirange_range: 0,
        }
    }

    #[test]
    fn builds_nested_types() {
        let mut reg = TypeRegistry::default();
        let rows = vec![
            IntrospectRow::Type(type_row(20_000, "mood", 'e', 'E')),
            IntrospectRow::Label {
                oid: 20_000,
                label: "sad".into(),
            },
            IntrospectRow::Label {
                oid: 20_000,
                label: "very happy".into(),
            },
            IntrospectRow::Type(TypeInfo {
                elem: 20_000,
                ..type_row(20_001, "_mood", 'b', 'A')
            }),
            IntrospectRow::Type(type_row(20_002, "pair", 'c', 'C')),
            IntrospectRow::Attribute {
                oid: 20_002,
                name: "m".into(),
                type_oid: 20_000,
            },
            IntrospectRow::Attribute {
                oid: 20_002,
                name: "n".into(),
                type_oid: oid::INT4,
            },
            IntrospectRow::Type(TypeInfo {
                base: oid::TEXT,
                ..type_row(20_003, "email", 'd', 'S')
            }),
            IntrospectRow::Type(TypeInfo {
                range_subtype: oid::FLOAT8,
                ..type_row(20_004, "floatrange", 'r', 'R')
            }),
            IntrospectRow::Type(TypeInfo {
                multirange_range: 20_004,
                ..type_row(20_005, "floatmultirange", 'm', 'R')
            }),
            IntrospectRow::Type(type_row(20_006, "hstore", 'b', 'U')),
        ];
        reg.insert(&rows);
        assert_eq!(
            *reg.resolve(20_000).kind(),
            Kind::Enum(vec!["sad".into(), "very happy".into()])
        );
        let Kind::Array(elem) = reg.resolve(20_001).kind().clone() else {
            panic!("not an array")
        };
        assert_eq!(elem.name(), "mood");
        let Kind::Composite(fields) = reg.resolve(20_002).kind().clone() else {
            panic!("not a composite")
        };
        assert_eq!(fields[0].ty.name(), "mood");
        assert_eq!(fields[1].ty.name(), "int4");
        assert!(matches!(reg.resolve(20_003).kind(), Kind::Domain(b) if b.name() == "text"));
        assert!(matches!(reg.resolve(20_004).kind(), Kind::Range(s) if s.name() == "float8"));
        assert!(
            matches!(reg.resolve(20_005).kind(), Kind::Multirange(r) if r.name() == "floatrange")
        );
        assert_eq!(*reg.resolve(20_006).kind(), Kind::Base);
        assert_eq!(reg.resolve(20_006).schema(), "public");
        assert_eq!(
            reg.missing([20_000, 23, 30_000, 30_000, 20_006]),
            vec![30_000]
        );
        reg.clear_types();
        assert_eq!(*reg.resolve(20_000).kind(), Kind::Unknown);
    }

    #[test]
    fn codecs_win_and_reset() {
        let mut reg = TypeRegistry::default();
        let codec = Arc::new(TypeCodec::text(
            |x: &f64| -> Result<String, crate::types::BoxError> { Ok(x.to_string()) },
            |s: &str| -> Result<f64, crate::types::BoxError> { Ok(s.parse()?) },
        ));
        reg.set_codec(oid::NUMERIC, codec);
        assert!(reg.resolve(oid::NUMERIC).codec().is_some());
        assert_eq!(reg.resolve(oid::NUMERIC).name(), "numeric");
        assert!(reg.remove_codec(oid::NUMERIC));
        assert!(reg.resolve(oid::NUMERIC).codec().is_none());
        assert!(!reg.remove_codec(oid::NUMERIC));
    }

    #[test]
    fn containers_get_their_parts_codecs() {
        let mut reg = TypeRegistry::default();
        reg.insert(&[
            IntrospectRow::Type(TypeInfo {
                base: oid::NUMERIC,
                ..type_row(20_200, "money_d", 'd', 'N')
            }),
            IntrospectRow::Type(TypeInfo {
                elem: 20_200,
                ..type_row(20_201, "_money_d", 'b', 'A')
            }),
        ]);
        let codec = Arc::new(TypeCodec::binary(
            |x: &i32| -> Result<Vec<u8>, crate::types::BoxError> { Ok(x.to_be_bytes().to_vec()) },
            |raw: &[u8]| -> Result<i32, crate::types::BoxError> {
                Ok(i32::from_be_bytes(raw.try_into()?))
            },
        ));
        reg.set_codec(oid::NUMERIC, codec);
        let array = reg.resolve(oid::NUMERIC_ARRAY);
        let Kind::Array(elem) = array.kind() else {
            panic!("not an array")
        };
        assert!(elem.codec().is_some());
        assert!(array.has_binary_codec());
        let Kind::Range(sub) = reg.resolve(oid::NUMRANGE).kind().clone() else {
            panic!("not a range")
        };
        assert!(sub.codec().is_some());
        // A domain uses its base's codec; an array of the domain reaches it too.
        assert!(reg.resolve(20_200).codec().is_some());
        let Kind::Array(elem) = reg.resolve(20_201).kind().clone() else {
            panic!("not an array")
        };
        assert!(elem.codec().is_some());
        assert!(reg.remove_codec(oid::NUMERIC));
        let Kind::Array(elem) = reg.resolve(oid::NUMERIC_ARRAY).kind().clone() else {
            panic!("not an array")
        };
        assert!(elem.codec().is_none());
    }

    #[test]
    fn cycles_and_missing_rows_do_not_hang() {
        let mut reg = TypeRegistry::default();
        reg.insert(&[
            IntrospectRow::Type(TypeInfo {
                base: 20_101,
                ..type_row(20_100, "a", 'd', 'S')
            }),
            IntrospectRow::Type(TypeInfo {
                base: 20_100,
                ..type_row(20_101, "b", 'd', 'S')
            }),
            IntrospectRow::Type(TypeInfo {
                base: 29_999,
                ..type_row(20_102, "c", 'd', 'S')
            }),
        ]);
        assert!(
            matches!(reg.resolve(20_102).kind(), Kind::Domain(b) if *b.kind() == Kind::Unknown)
        );
        assert!(matches!(reg.resolve(20_100).kind(), Kind::Domain(_)));
    }

    #[test]
    fn parses_rows() {
        let row = IntrospectRow::parse(&[
            Some("T"),
            Some("16500"),
            Some("hstore"),
            Some("public"),
            Some("b"),
            Some("U"),
            Some("0"),
            Some("0"),
            Some("0"),
            Some("0"),
            Some("0"),
        ])
        .unwrap();
        assert!(matches!(row, IntrospectRow::Type(t) if t.name == "hstore" && t.typtype == 'b'));
        let row = IntrospectRow::parse(&[Some("A"), Some("1"), Some("x"), Some("23")]).unwrap();
        assert_eq!(
            row,
            IntrospectRow::Attribute {
                oid: 1,
                name: "x".into(),
                type_oid: 23
            }
        );
        assert!(IntrospectRow::parse(&[Some("T"), Some("x")]).is_err());
        assert!(IntrospectRow::parse(&[Some("Z")]).is_err());
        assert!(IntrospectRow::parse(&[]).is_err());
    }

    #[test]
    fn query_mentions_oids() {
        let q = introspection_query(&[16_500, 16_501], true);
        assert!(q.contains("'{16500,16501}'"));
        assert!(q.contains("rngmultitypid"));
        assert!(!introspection_query(&[1], false).contains("rngmultitypid"));
    }
}
