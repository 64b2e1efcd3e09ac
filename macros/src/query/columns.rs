//! Column overrides written in a column's alias: `"col!"` (NOT NULL), `"col?"` (nullable),
//! `"col: Type"`, `"col!: Type"`, `"col?: Type"` and `"col: _"` (type left to inference).

/// The type part of an override.
#[derive(Debug)]
pub(crate) enum TypeOverride {
    /// No `: ...`.
    None,
    /// `: _`.
    Infer,
    /// `: Type`.
    Rust(Box<syn::Type>),
}

/// One column's field name and overrides.
#[derive(Debug)]
pub(crate) struct ColumnSpec {
    /// The name without override syntax.
    pub(crate) name: String,
    /// `Some(false)` for `!`, `Some(true)` for `?`.
    pub(crate) nullable: Option<bool>,
    /// The type override.
    pub(crate) ty: TypeOverride,
}

impl ColumnSpec {
    /// Whether the alias used any override syntax.
    pub(crate) fn has_override(&self) -> bool {
        self.nullable.is_some() || !matches!(self.ty, TypeOverride::None)
    }
}

/// Parses a column name with its overrides. A name that is not an identifier followed by
/// override syntax (`?column?`, `count(*)`) is taken as it is.
pub(crate) fn parse(column: &str) -> Result<ColumnSpec, String> {
    let stem = column.split(':').next().unwrap_or(column).trim_end();
    let stem = stem.strip_suffix(['!', '?']).unwrap_or(stem);
    if field_ident(stem).is_err() {
        return Ok(ColumnSpec {
            name: column.to_owned(),
            nullable: None,
            ty: TypeOverride::None,
        });
    }
    let (head, ty) = match column.split_once(':') {
        Some((head, ty)) => {
            let ty = ty.trim();
            let ty = if ty == "_" {
                TypeOverride::Infer
            } else {
                let parsed = syn::parse_str(ty)
                    .map_err(|e| format!("column `{column}`: `{ty}` is not a Rust type ({e})"))?;
                TypeOverride::Rust(Box::new(parsed))
            };
            (head.trim_end(), ty)
        }
        None => (column, TypeOverride::None),
    };
    let (name, nullable) = if let Some(name) = head.strip_suffix('!') {
        (name, Some(false))
    } else if let Some(name) = head.strip_suffix('?') {
        (name, Some(true))
    } else {
        (head, None)
    };
    Ok(ColumnSpec {
        name: name.to_owned(),
        nullable,
        ty,
    })
}

/// The Rust field name for a column, or why there is none.
pub(crate) fn field_ident(name: &str) -> Result<syn::Ident, String> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c == '_' || c.is_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!(
            "column `{name}` is not a valid Rust field name: give it an alias (`... AS my_name`)"
        ));
    }
    syn::parse_str::<syn::Ident>(name)
        .or_else(|_| syn::parse_str::<syn::Ident>(&format!("r#{name}")))
        .map_err(|_| format!("column `{name}` cannot be a Rust field name: give it an alias"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_override_form() {
        let c = parse("id").unwrap();
        assert_eq!(
            (c.name.as_str(), c.nullable, c.has_override()),
            ("id", None, false)
        );
        assert_eq!(parse("id!").unwrap().nullable, Some(false));
        assert_eq!(parse("id?").unwrap().nullable, Some(true));
        let c = parse("id!: UserId").unwrap();
        assert_eq!((c.name.as_str(), c.nullable), ("id", Some(false)));
        assert!(matches!(c.ty, TypeOverride::Rust(_)));
        let c = parse("id?: i64").unwrap();
        assert_eq!(c.nullable, Some(true));
        assert!(matches!(parse("id: _").unwrap().ty, TypeOverride::Infer));
        assert!(parse("id: 3x").is_err());
        let c = parse("?column?").unwrap();
        assert_eq!((c.name.as_str(), c.nullable), ("?column?", None));
    }

    #[test]
    fn field_names() {
        assert_eq!(field_ident("user_id").unwrap().to_string(), "user_id");
        assert_eq!(field_ident("type").unwrap().to_string(), "r#type");
        assert!(field_ident("?column?").is_err());
        assert!(field_ident("count(*)").is_err());
        assert!(field_ident("1a").is_err());
    }
}
