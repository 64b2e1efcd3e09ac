//! Shared by the fuzz targets: the PostgreSQL types they decode values of. Built-in types come
//! from the driver's table; user types (composite, enum, domain, range over a domain, hstore with
//! and without its codec) are built here the way a connection's registry would describe them.

use std::sync::{Arc, OnceLock};

use quarry_driver::types::{BuiltinCodec, Field, Kind, PgType, oid};

/// The OID given to the first user type; the others follow.
const FIRST_USER_OID: u32 = 70_000;

/// Every built-in type the driver knows, then the user types of [`user_types`].
pub fn all_types() -> &'static [Arc<PgType>] {
    static TYPES: OnceLock<Vec<Arc<PgType>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut types: Vec<Arc<PgType>> = (0..10_000)
            .filter(|&o| oid::type_name(o).is_some())
            .map(PgType::resolve)
            .collect();
        types.extend(user_types().iter().cloned());
        types
    })
}

/// The type with this OID among [`all_types`], or for an OID none has, the type at that
/// position (modulo their count), so any four bytes pick some type.
pub fn type_by_oid(type_oid: u32) -> Option<&'static Arc<PgType>> {
    let types = all_types();
    types
        .iter()
        .find(|ty| ty.oid() == type_oid)
        .or_else(|| types.get(type_oid as usize % types.len()))
}

/// Types a connection would look up by name: a composite `pair(a int4, b text)` and arrays of
/// it, a composite nesting it, an enum, a domain over int4 and an array and a range over that
/// domain, and hstore (plain, and with the built-in hstore codec attached).
pub fn user_types() -> &'static [Arc<PgType>] {
    static TYPES: OnceLock<Vec<Arc<PgType>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut next = FIRST_USER_OID;
        let mut new = |name: &'static str, kind: Kind| {
            next += 1;
            Arc::new(PgType::new(next, name, "public", kind))
        };
        let field = |name: &str, ty: Arc<PgType>| Field {
            name: name.to_owned(),
            ty,
        };
        let pair = new(
            "pair",
            Kind::Composite(vec![
                field("a", PgType::resolve(oid::INT4)),
                field("b", PgType::resolve(oid::TEXT)),
            ]),
        );
        let pairs = new("_pair", Kind::Array(pair.clone()));
        let mood = new(
            "mood",
            Kind::Enum(vec!["sad".to_owned(), "ok".to_owned(), "happy".to_owned()]),
        );
        let moods = new("_mood", Kind::Array(mood.clone()));
        let nested = new(
            "nested",
            Kind::Composite(vec![
                field("p", pair.clone()),
                field("ps", pairs.clone()),
                field("m", mood.clone()),
                field("r", PgType::resolve(oid::RECORD)),
            ]),
        );
        let positive = new("positive", Kind::Domain(PgType::resolve(oid::INT4)));
        let positives = new("_positive", Kind::Array(positive.clone()));
        let positive_range = new("positive_range", Kind::Range(positive.clone()));
        let hstore = new("hstore", Kind::Base);
        let hstore_codec =
            Arc::new(hstore.with_codec(Some(Arc::new(BuiltinCodec::Hstore.codec()))));
        let hstores = new("_hstore", Kind::Array(hstore_codec.clone()));
        vec![
            pair,
            pairs,
            mood,
            moods,
            nested,
            positive,
            positives,
            positive_range,
            hstore,
            hstore_codec,
            hstores,
        ]
    })
}

/// The user type named `name` (panics for a name [`user_types`] does not define).
pub fn user_type(name: &str) -> Arc<PgType> {
    user_types()
        .iter()
        .find(|ty| ty.name() == name && (name != "hstore" || ty.codec().is_none()))
        .cloned()
        .unwrap_or_else(|| panic!("no user type {name}"))
}

/// The hstore type with the built-in hstore codec attached.
pub fn hstore_with_codec() -> Arc<PgType> {
    user_types()
        .iter()
        .find(|ty| ty.name() == "hstore" && ty.codec().is_some())
        .cloned()
        .expect("hstore with its codec is a user type")
}
