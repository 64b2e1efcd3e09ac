//! PostgreSQL types to Rust: the Rust type a column decodes into, and the check a parameter gets
//! (a `quarry::query_macro::check::pg` marker for built-ins, the mapped Rust type for
//! `quarry.toml` entries, only `Encode` for the rest).
//!
//! Built-in types are known by OID, from the driver's table of built-in types
//! (`check::marker_name`): a user's type named like one (`public.box`) is a user type. A
//! built-in column's Rust type is the table's, named through its marker
//! (`<pg::int4 as ColumnType>::Rust`), so this crate keeps no list of its own.

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
    if let Some(marker) = builtin_marker(ty) {
        return Ok(quote!(<#marker as ::quarry::query_macro::check::ColumnType>::Rust));
    }
    if let TypeKind::Base = ty.kind
        && EXTENSION_TEXT.contains(&ty.name.as_str())
    {
        return Ok(quote!(::std::string::String));
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
        TypeKind::Base if ty.name == "citext" && ty.oid.is_none() => {
            Some(quote!(::quarry::query_macro::check::pg::citext))
        }
        _ => builtin_marker(ty),
    }
}

/// Extension types (no fixed OID) whose values are text: their columns are `String`.
const EXTENSION_TEXT: &[&str] = &["citext", "ltree"];

/// The `check::pg` marker of a built-in type that has a Rust type, looked up by OID (the
/// description gives OIDs for `pg_catalog` types only).
fn builtin_marker(ty: &TypeDescription) -> Option<TokenStream> {
    let name = quarry_driver::query_macro::check::marker_name(ty.oid?)?;
    let ident = syn::parse_str::<syn::Ident>(name).ok()?;
    Some(quote!(::quarry::query_macro::check::pg::#ident))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(name: &str, oid: u32) -> TypeDescription {
        TypeDescription {
            name: name.into(),
            schema: "pg_catalog".into(),
            oid: Some(oid),
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
            column_type(&c, &builtin("int4", 23), true)
                .unwrap()
                .to_string(),
            ":: quarry :: query_macro :: check :: ColumnType > :: Rust".replace(
                ":: quarry",
                "< :: quarry :: query_macro :: check :: pg :: int4 as :: quarry"
            )
        );
        let arr = TypeDescription {
            name: "_text".into(),
            kind: TypeKind::Array {
                element: Box::new(builtin("text", 25)),
            },
            ..builtin("_text", 1009)
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
            param_check(&c, &builtin("int4", 23)),
            ParamCheck::Marker(_)
        ));
        assert!(matches!(
            param_check(&c, &builtin("tsvector", 3614)),
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

    #[test]
    fn built_ins_are_known_by_oid_not_by_name() {
        let c = config();
        // A user's `public.box` (described without an OID) is not `pg_catalog.box`.
        let user_box = TypeDescription {
            name: "box".into(),
            schema: "public".into(),
            oid: None,
            kind: TypeKind::Composite { fields: vec![] },
        };
        assert!(column_type(&c, &user_box, true).is_err());
        assert!(marker(&user_box).is_none());
        let user_base = TypeDescription {
            kind: TypeKind::Base,
            ..user_box
        };
        assert!(column_type(&c, &user_base, true).is_err());
        assert!(matches!(
            param_check(&c, &user_base),
            ParamCheck::EncodeOnly
        ));
        let pg_box = builtin("box", 603);
        assert!(
            column_type(&c, &pg_box, true)
                .unwrap()
                .to_string()
                .contains("r#box")
        );
        assert!(marker(&pg_box).is_some());
    }
}
