//! PostgreSQL types to Rust: the Rust type a column decodes into, and the check a parameter gets
//! (a `quarry::query_macro::check::pg` marker for built-ins, the mapped Rust type for
//! `quarry.toml` entries, only `Encode` for the rest).

use proc_macro2::TokenStream;
use quarry_describe::{TypeDescription, TypeKind};
use quote::quote;

use super::config::Config;

/// How a parameter is checked at compile time.
pub(crate) enum ParamCheck {
    /// Against a built-in type's marker, e.g. `pg::int4` or `pg::Array<pg::text>`.
    Marker(TokenStream),
    /// Against the Rust type `quarry.toml` maps the PostgreSQL type to.
    Mapped(TokenStream),
    /// Only "it has a codec" (user types without a mapping, rare built-ins).
    EncodeOnly,
}

/// The Rust type a column of type `ty` decodes into (without `Option`); an array's elements are
/// `Option`s when `element_nullable`.
pub(crate) fn column_type(
    config: &Config,
    ty: &TypeDescription,
    element_nullable: bool,
) -> Result<TokenStream, String> {
    if let Some(path) = config.mapped(&ty.schema, &ty.name) {
        return syn::parse_str::<syn::Type>(path)
            .map(|t| quote!(#t))
            .map_err(|e| format!("quarry.toml maps `{}` to `{path}`: {e}", ty.name));
    }
    if let Some(rust) = builtin_rust(&ty.name) {
        return syn::parse_str::<syn::Type>(rust)
            .map(|t| quote!(#t))
            .map_err(|e| e.to_string());
    }
    match &ty.kind {
        TypeKind::Array { element } => {
            let inner = column_type(config, element, true)?;
            Ok(if element_nullable {
                quote!(::std::vec::Vec<::core::option::Option<#inner>>)
            } else {
                quote!(::std::vec::Vec<#inner>)
            })
        }
        TypeKind::Domain { base } => column_type(config, base, element_nullable),
        TypeKind::Enum { .. } => Ok(quote!(::std::string::String)),
        TypeKind::Range { subtype } => {
            let inner = column_type(config, subtype, true)?;
            Ok(quote!(::quarry::types::Range<#inner>))
        }
        _ => Err(format!(
            "no Rust type is known for the PostgreSQL type `{}.{}`: map it in `quarry.toml` \
             (`[types]\n\"{}\" = \"crate::MyType\"`) or give the column a type in its alias \
             (`AS \"col: MyType\"`)",
            ty.schema, ty.name, ty.name
        )),
    }
}

/// How a parameter of type `ty` is checked.
pub(crate) fn param_check(config: &Config, ty: &TypeDescription) -> ParamCheck {
    if let Some(path) = config.mapped(&ty.schema, &ty.name)
        && let Ok(t) = syn::parse_str::<syn::Type>(path)
    {
        return ParamCheck::Mapped(quote!(#t));
    }
    match marker(ty) {
        Some(m) => ParamCheck::Marker(m),
        None => ParamCheck::EncodeOnly,
    }
}

/// The `check::pg` marker a column of a built-in type is checked with: [`marker`], except that
/// an array whose elements may be NULL is `pg::ArrayWithNulls<_>`.
pub(crate) fn column_marker(ty: &TypeDescription, element_nullable: bool) -> Option<TokenStream> {
    match &ty.kind {
        TypeKind::Array { element } if element_nullable => {
            let inner = marker(element)?;
            Some(quote!(::quarry::query_macro::check::pg::ArrayWithNulls<#inner>))
        }
        TypeKind::Domain { base } => column_marker(base, element_nullable),
        _ => marker(ty),
    }
}

/// The `check::pg` marker of a built-in type (arrays and domains of them too).
pub(crate) fn marker(ty: &TypeDescription) -> Option<TokenStream> {
    match &ty.kind {
        TypeKind::Array { element } => {
            let inner = marker(element)?;
            Some(quote!(::quarry::query_macro::check::pg::Array<#inner>))
        }
        TypeKind::Domain { base } => marker(base),
        TypeKind::Base if ty.schema == "pg_catalog" || ty.name == "citext" => {
            let name = quarry_driver::query_macro::check::pg::TYPE_NAMES
                .iter()
                .find(|m| **m == ty.name)?;
            let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
            Some(quote!(::quarry::query_macro::check::pg::#ident))
        }
        _ => None,
    }
}

/// The Rust type of a built-in PostgreSQL type, by `typname`.
fn builtin_rust(name: &str) -> Option<&'static str> {
    Some(match name {
        "bool" => "bool",
        "int2" => "i16",
        "int4" => "i32",
        "int8" => "i64",
        "float4" => "f32",
        "float8" => "f64",
        "oid" | "regclass" | "regtype" | "regproc" | "regprocedure" | "regoper"
        | "regnamespace" | "regrole" => "u32",
        "char" => "i8",
        "text" | "varchar" | "bpchar" | "name" | "citext" | "xml" | "unknown" | "ltree" => {
            "::std::string::String"
        }
        "bytea" => "::std::vec::Vec<u8>",
        "numeric" => "::quarry::query_macro::deps::rust_decimal::Decimal",
        "money" => "::quarry::types::Money",
        "uuid" => "::quarry::query_macro::deps::uuid::Uuid",
        "json" | "jsonb" => "::quarry::query_macro::deps::serde_json::Value",
        "date" => "::quarry::query_macro::deps::chrono::NaiveDate",
        "time" => "::quarry::query_macro::deps::chrono::NaiveTime",
        "timestamp" => "::quarry::query_macro::deps::chrono::NaiveDateTime",
        "timestamptz" => {
            "::quarry::query_macro::deps::chrono::DateTime<::quarry::query_macro::deps::chrono::Utc>"
        }
        "timetz" => "::quarry::types::TimeTz",
        "interval" => "::quarry::types::Interval",
        "inet" | "cidr" => "::quarry::types::IpNetwork",
        "macaddr" => "::quarry::types::MacAddr",
        "macaddr8" => "::quarry::types::MacAddr8",
        "bit" | "varbit" => "::quarry::types::BitString",
        "point" => "::quarry::types::Point",
        "line" => "::quarry::types::Line",
        "lseg" => "::quarry::types::LineSegment",
        "box" => "::quarry::types::Box",
        "path" => "::quarry::types::Path",
        "polygon" => "::quarry::types::Polygon",
        "circle" => "::quarry::types::Circle",
        "tid" => "::quarry::types::Tid",
        "xid" => "::quarry::types::Xid",
        "xid8" => "::quarry::types::Xid8",
        "cid" => "::quarry::types::Cid",
        "pg_lsn" => "::quarry::types::PgLsn",
        "void" => "()",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(name: &str) -> TypeDescription {
        TypeDescription {
            name: name.into(),
            schema: "pg_catalog".into(),
            oid: None,
            kind: TypeKind::Base,
        }
    }

    fn config() -> Config {
        Config {
            crate_dir: Default::default(),
            database_url: None,
            offline_dirs: vec![],
            timeout: std::time::Duration::from_secs(1),
            prepare_dir: None,
            type_map: [("mood".to_owned(), "crate::Mood".to_owned())].into(),
            problems: vec![],
        }
    }

    #[test]
    fn maps_columns() {
        let c = config();
        assert_eq!(
            column_type(&c, &builtin("int4"), true).unwrap().to_string(),
            "i32"
        );
        let arr = TypeDescription {
            name: "_text".into(),
            kind: TypeKind::Array {
                element: Box::new(builtin("text")),
            },
            ..builtin("_text")
        };
        let with_nulls = column_type(&c, &arr, true).unwrap().to_string();
        assert!(with_nulls.contains("Vec") && with_nulls.contains("Option"));
        let without = column_type(&c, &arr, false).unwrap().to_string();
        assert!(without.contains("Vec") && !without.contains("Option"));
        assert!(
            column_marker(&arr, true)
                .unwrap()
                .to_string()
                .contains("ArrayWithNulls")
        );
        let mood = TypeDescription {
            name: "mood".into(),
            schema: "public".into(),
            oid: None,
            kind: TypeKind::Enum { labels: vec![] },
        };
        assert_eq!(
            column_type(&c, &mood, true).unwrap().to_string(),
            "crate :: Mood"
        );
        let comp = TypeDescription {
            name: "pair".into(),
            schema: "public".into(),
            oid: None,
            kind: TypeKind::Composite { fields: vec![] },
        };
        assert!(
            column_type(&c, &comp, true)
                .unwrap_err()
                .contains("quarry.toml")
        );
    }

    #[test]
    fn checks_params() {
        let c = config();
        assert!(matches!(
            param_check(&c, &builtin("int4")),
            ParamCheck::Marker(_)
        ));
        assert!(matches!(
            param_check(&c, &builtin("tsvector")),
            ParamCheck::EncodeOnly
        ));
        let mood = TypeDescription {
            name: "mood".into(),
            schema: "public".into(),
            oid: None,
            kind: TypeKind::Enum { labels: vec![] },
        };
        assert!(matches!(param_check(&c, &mood), ParamCheck::Mapped(_)));
    }
}
