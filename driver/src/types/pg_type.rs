//! `PgType`: what a connection knows about a PostgreSQL type — its OID, name and kind. Codecs
//! decide from it whether they fit a parameter or column, so user types (whose OIDs differ per
//! database) are matched by name and kind, not by OID.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::builtin::{BUILTINS as BUILTINS_TABLE, BuiltinKind};
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

    /// This type with another kind (the registry uses it to hand containers the element types
    /// that carry custom codecs).
    pub(crate) fn with_kind(&self, kind: Kind) -> PgType {
        PgType {
            kind,
            ..self.clone()
        }
    }

    /// The custom codec registered for the type on this connection, if any. A domain without a
    /// codec of its own uses its base type's (values of a domain are exchanged as the base type's).
    pub fn codec(&self) -> Option<&TypeCodec> {
        match (&self.codec, &self.kind) {
            (Some(c), _) => Some(&c.0),
            (None, Kind::Domain(base)) => base.codec(),
            (None, _) => None,
        }
    }

    /// The type with every domain stripped: a domain's base type (through domains over domains),
    /// or the type itself. Values of a domain have their base type's format.
    ///
    /// ```
    /// use quarry_driver::types::{Kind, PgType};
    /// let positive = PgType::new(20_000, "positive", "public", Kind::Domain(PgType::resolve(23)));
    /// assert_eq!(positive.base().name(), "int4");
    /// assert_eq!(positive.base_oid(), 23);
    /// ```
    #[inline]
    pub fn base(&self) -> &PgType {
        let mut ty = self;
        while let Kind::Domain(base) = &ty.kind {
            ty = base;
        }
        ty
    }

    /// The OID of [`PgType::base`]: what scalar codecs match on, so a domain over `int4` decodes
    /// into `i32` and takes an `i32` parameter.
    #[inline]
    pub fn base_oid(&self) -> Oid {
        self.base().oid
    }

    /// The type's OID in this database.
    #[inline]
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
    #[inline]
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// Whether Quarry asks for values of this type in binary format.
    ///
    /// Containers are binary when their parts are: an array of `int4`, a range of `date`, a
    /// composite whose fields all have binary codecs. Anonymous records are always binary (their
    /// fields carry their OIDs).
    #[inline]
    pub fn has_binary_codec(&self) -> bool {
        if let Some(codec) = self.codec() {
            return codec.format() == super::Format::Binary;
        }
        match &self.kind {
            Kind::Array(elem) => elem.has_binary_codec() || matches!(elem.kind(), Kind::Enum(_)),
            Kind::Range(subtype) => subtype.has_binary_codec(),
            Kind::Multirange(range) => range.has_binary_codec(),
            Kind::Domain(base) => base.has_binary_codec(),
            // hstore has binary I/O (and its codec reads it) but is received alone in text, so
            // that `String` reads it; inside a record it comes in binary with the record.
            Kind::Composite(fields) => fields.iter().all(|f| {
                f.ty.has_binary_codec()
                    || matches!(f.ty.kind(), Kind::Enum(_))
                    || (super::hstore::is_hstore(&f.ty) && f.ty.codec().is_none())
            }),
            // citext's binary form is its text, which `String` reads.
            Kind::Base => oid::has_binary_codec(self.oid) || super::text::is_citext(self),
            _ => oid::has_binary_codec(self.oid),
        }
    }

    /// The built-in type with this OID, or a placeholder of kind [`Kind::Unknown`].
    ///
    /// ```
    /// use quarry_driver::types::{Kind, PgType};
    /// let ints = PgType::resolve(1007); // int4[]
    /// assert!(matches!(ints.kind(), Kind::Array(elem) if elem.name() == "int4"));
    /// assert!(matches!(PgType::resolve(3904).kind(), Kind::Range(sub) if sub.oid() == 23));
    /// ```
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

/// The built-in type with this OID, borrowed for as long as the program runs (codecs that resolve
/// a field's OID hand it out in a `ValueRef`).
pub(crate) fn builtin(oid: Oid) -> Option<&'static PgType> {
    builtins().get(&oid).map(|ty| &**ty)
}

fn builtins() -> &'static HashMap<Oid, Arc<PgType>> {
    static BUILTINS: OnceLock<HashMap<Oid, Arc<PgType>>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let mut map = HashMap::with_capacity(BUILTINS_TABLE.len());
        // Kinds point at other entries: scalars first, then ranges (of scalars), multiranges (of
        // ranges) and arrays (of any of those).
        for pass in 0..4 {
            for b in BUILTINS_TABLE {
                let kind = match (pass, b.kind) {
                    (0, BuiltinKind::Base) => Kind::Base,
                    (0, BuiltinKind::Pseudo) => Kind::Pseudo,
                    (1, BuiltinKind::Range(of)) => Kind::Range(part(&map, of)),
                    (2, BuiltinKind::Multirange(of)) => Kind::Multirange(part(&map, of)),
                    (3, BuiltinKind::Array(of)) => Kind::Array(part(&map, of)),
                    _ => continue,
                };
                map.insert(
                    b.oid,
                    Arc::new(PgType::new(b.oid, b.name, "pg_catalog", kind)),
                );
            }
        }
        map
    })
}

/// An entry an earlier pass made (every part of a built-in is itself built in).
fn part(map: &HashMap<Oid, Arc<PgType>>, oid: Oid) -> Arc<PgType> {
    map.get(&oid)
        .cloned()
        .unwrap_or_else(|| Arc::new(PgType::new(oid, format!("oid {oid}"), "", Kind::Unknown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_table_gives_kinds() {
        assert_eq!(*PgType::resolve(oid::INT4).kind(), Kind::Base);
        assert_eq!(*PgType::resolve(oid::RECORD).kind(), Kind::Pseudo);
        let Kind::Array(elem) = PgType::resolve(oid::INT4_ARRAY).kind().clone() else {
            panic!("int4[] is an array")
        };
        assert_eq!(elem.oid(), oid::INT4);
        let Kind::Multirange(range) = PgType::resolve(oid::INT4MULTIRANGE).kind().clone() else {
            panic!("int4multirange is a multirange")
        };
        assert!(matches!(range.kind(), Kind::Range(sub) if sub.oid() == oid::INT4));
        assert!(PgType::resolve(oid::INT4_ARRAY).has_binary_codec());
        assert!(PgType::resolve(oid::INT4RANGE).has_binary_codec());
        assert_eq!(*PgType::resolve(999_999).kind(), Kind::Unknown);
    }

    #[test]
    fn records_with_hstore_and_citext_fields_come_in_binary() {
        let user = |oid, name: &'static str| Arc::new(PgType::new(oid, name, "public", Kind::Base));
        let record = |field: Arc<PgType>| {
            let fields = vec![Field {
                name: "f".into(),
                ty: field,
            }];
            PgType::new(16_500, "r", "public", Kind::Composite(fields))
        };
        let hstore = user(16_400, "hstore");
        assert!(
            !hstore.has_binary_codec(),
            "hstore alone comes in text, for String"
        );
        assert!(record(Arc::clone(&hstore)).has_binary_codec());
        assert!(user(16_401, "citext").has_binary_codec());
        // A text codec registered for hstore decodes text only: the record comes in text.
        let codec = crate::types::TypeCodec::text(
            |s: &String| -> Result<String, crate::types::BoxError> { Ok(s.clone()) },
            |s: &str| -> Result<String, crate::types::BoxError> { Ok(s.to_owned()) },
        );
        let with_codec = Arc::new(hstore.with_codec(Some(Arc::new(codec))));
        assert!(!record(with_codec).has_binary_codec());
        assert!(!record(user(16_402, "jsonpath_like")).has_binary_codec());
    }
}
