//! `PgType`: what a connection knows about a PostgreSQL type — its OID, name and kind. Codecs
//! decide from it whether they fit a parameter or column, so user types (whose OIDs differ per
//! database) are matched by name and kind, not by OID.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::codec::CodecRef;
use super::{Oid, TypeCodec, oid};

/// A PostgreSQL type as described to codecs.
///
/// ```
/// use quarry_driver::types::PgType;
/// let int4 = PgType::resolve(23);
/// assert_eq!(int4.name(), "int4");
/// assert!(PgType::resolve(999_999).name().contains("999999"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgType {
    oid: Oid,
    name: Cow<'static, str>,
    schema: Cow<'static, str>,
    kind: Kind,
    /// The custom codec registered on this connection for the type, if any.
    codec: Option<CodecRef>,
}

/// What sort of type a [`PgType`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A scalar built-in or extension type.
    Base,
    /// An array of the element type.
    Array(Arc<PgType>),
    /// An enum with its labels in order.
    Enum(Vec<String>),
    /// A composite (row) type with its fields in order.
    Composite(Vec<Field>),
    /// A domain over the base type.
    Domain(Arc<PgType>),
    /// A range over the subtype.
    Range(Arc<PgType>),
    /// A multirange of the range type.
    Multirange(Arc<PgType>),
    /// A pseudo-type (`record`, `void`, `anyelement`, ...).
    Pseudo,
    /// A type this connection has not looked up (decoded as text; sent only as text-like values).
    Unknown,
}

/// A field of a composite type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// The field's type.
    pub ty: Arc<PgType>,
}

impl PgType {
    /// A type with the given parts (used by type registries).
    pub fn new(
        oid: Oid,
        name: impl Into<Cow<'static, str>>,
        schema: impl Into<Cow<'static, str>>,
        kind: Kind,
    ) -> PgType {
        PgType {
            oid,
            name: name.into(),
            schema: schema.into(),
            kind,
            codec: None,
        }
    }

    /// This type with `codec` attached (or removed, with `None`): values of the type are then
    /// exchanged in the codec's format, and [`super::Value`] decodes through it.
    pub fn with_codec(&self, codec: Option<Arc<TypeCodec>>) -> PgType {
        PgType {
            codec: codec.map(CodecRef),
            ..self.clone()
        }
    }

    /// The custom codec registered for the type on this connection, if any.
    pub fn codec(&self) -> Option<&TypeCodec> {
        self.codec.as_ref().map(|c| &*c.0)
    }

    /// The type's OID in this database.
    pub fn oid(&self) -> Oid {
        self.oid
    }

    /// The type's name (`int4`, `_text` for `text[]`, a user type's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema the type lives in (`pg_catalog` for built-ins).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// What sort of type this is.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// Whether Quarry asks for values of this type in binary format.
    pub fn has_binary_codec(&self) -> bool {
        match &self.codec {
            Some(codec) => codec.0.format() == super::Format::Binary,
            None => oid::has_binary_codec(self.oid),
        }
    }

    /// The built-in type with this OID, or a placeholder of kind [`Kind::Unknown`].
    pub fn resolve(oid: Oid) -> Arc<PgType> {
        builtins()
            .get(&oid)
            .cloned()
            .unwrap_or_else(|| Arc::new(PgType::new(oid, format!("oid {oid}"), "", Kind::Unknown)))
    }
}

impl std::fmt::Display for PgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

fn builtins() -> &'static HashMap<Oid, Arc<PgType>> {
    static BUILTINS: OnceLock<HashMap<Oid, Arc<PgType>>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        oid::NAMES
            .iter()
            .map(|(oid, name)| {
                (
                    *oid,
                    Arc::new(PgType::new(*oid, *name, "pg_catalog", Kind::Base)),
                )
            })
            .collect()
    })
}
