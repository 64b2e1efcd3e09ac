//! The description of a query with optional fragments: every variant is described at build
//! time, and the generated row type must fit them all — the same columns (names and types) in
//! each, nullable where any variant can give NULL; each parameter of the same type wherever it
//! is used.

use quarry_describe::{ParamDescription, QueryDescription};

use super::named::{Dynamic, FragmentKind};

/// One description for all the variants of `dynamic` (described in `descriptions`, in the
/// same order), with `params` parameters in the order of [`Dynamic`]'s indexes.
pub(crate) fn merge(
    full_sql: &str,
    dynamic: &Dynamic,
    descriptions: &[QueryDescription],
    params: usize,
) -> Result<QueryDescription, String> {
    let Some(first) = descriptions.first() else {
        return Err("a query with optional fragments has no variants".to_owned());
    };
    let mut columns = first.columns.clone();
    for (description, (sql, _)) in descriptions.iter().zip(&dynamic.variants).skip(1) {
        let same_shape = description.columns.len() == columns.len()
            && description
                .columns
                .iter()
                .zip(&columns)
                .all(|(a, b)| a.name == b.name && a.ty == b.ty);
        if !same_shape {
            let list = |d: &QueryDescription| {
                d.columns
                    .iter()
                    .map(|c| format!("{} {}", c.name, c.ty.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(format!(
                "every variant of a query with optional fragments must return the same columns; \
                 `{}` returns ({}) but `{sql}` returns ({})",
                first.sql,
                list(first),
                list(description)
            ));
        }
        for (merged, column) in columns.iter_mut().zip(&description.columns) {
            merged.nullable |= column.nullable;
            merged.element_nullable |= column.element_nullable;
            if merged.origin != column.origin {
                merged.origin = None;
            }
            merged.nested = match (merged.nested.take(), &column.nested) {
                (Some(mut a), Some(b))
                    if a.form == b.form
                        && a.fields.len() == b.fields.len()
                        && a.fields
                            .iter()
                            .zip(&b.fields)
                            .all(|(x, y)| x.name == y.name && x.ty == y.ty) =>
                {
                    // Fields nullable where any variant's are.
                    a.elements_nullable |= b.elements_nullable;
                    for (x, y) in a.fields.iter_mut().zip(&b.fields) {
                        x.nullable |= y.nullable;
                    }
                    Some(a)
                }
                // Rows whose fields differ between variants have no one child type.
                _ => None,
            };
        }
    }
    let mut parameters: Vec<Option<ParamDescription>> = vec![None; params];
    for (description, (sql, indexes)) in descriptions.iter().zip(&dynamic.variants) {
        for (param, &index) in description.parameters.iter().zip(indexes) {
            let Some(slot) = parameters.get_mut(index) else {
                return Err(format!("`{sql}` uses a parameter the query does not bind"));
            };
            match slot {
                None => *slot = Some(param.clone()),
                Some(known) if known.ty != param.ty => {
                    return Err(format!(
                        "parameter {} is a `{}` in one variant and a `{}` in `{sql}`: give it one type (a cast)",
                        index + 1,
                        known.ty.name,
                        param.ty.name
                    ));
                }
                Some(known) => {
                    if known.not_null_target != param.not_null_target {
                        known.not_null_target = None;
                    }
                    if known.not_null_domain != param.not_null_domain {
                        known.not_null_domain = None;
                    }
                }
            }
        }
    }
    // A parameter that decides an optional fragment is sent only when it is not NULL: an
    // `Option` is what it is made for, whatever column it goes into.
    for fragment in &dynamic.fragments {
        if let FragmentKind::Optional(deciders) = fragment {
            for &index in deciders {
                if let Some(Some(param)) = parameters.get_mut(index) {
                    param.not_null_target = None;
                    param.not_null_domain = None;
                }
            }
        }
    }
    let parameters = parameters
        .into_iter()
        .enumerate()
        .map(|(index, param)| {
            param.ok_or_else(|| format!("parameter {} is used by no variant", index + 1))
        })
        .collect::<Result<_, _>>()?;
    Ok(QueryDescription {
        version: first.version,
        sql: full_sql.to_owned(),
        parameters,
        columns,
    })
}

/// What an outside review found.
#[cfg(test)]
mod regressions {
    use quarry_describe::{ColumnOrigin, TypeDescription};

    use super::*;

    fn description(sql: &str, params: Vec<ParamDescription>) -> QueryDescription {
        QueryDescription {
            version: 0,
            sql: sql.to_owned(),
            parameters: params,
            columns: Vec::new(),
        }
    }

    /// `UPDATE macro_users SET email = email {, name = :name} WHERE id = :id` — the partial
    /// update optional fragments are made for. `:name` goes into a NOT NULL column, so the
    /// variant with the fragment marks it `not_null_target`, and the merge keeps that: the
    /// expansion then calls `check::accepts_not_null` and refuses `name: Option<String>` at
    /// compile time. But `:name` decides its fragment and is used nowhere else: whenever it is
    /// sent it is not NULL, so the `Option` the feature needs must be accepted.
    #[test]
    fn a_parameter_that_decides_its_fragment_may_be_none() {
        let text = TypeDescription {
            name: "text".to_owned(),
            schema: "pg_catalog".to_owned(),
            oid: Some(25),
            kind: Default::default(),
        };
        let int4 = TypeDescription {
            name: "int4".to_owned(),
            schema: "pg_catalog".to_owned(),
            oid: Some(23),
            kind: Default::default(),
        };
        let name_column = ColumnOrigin {
            schema: "public".to_owned(),
            table: "macro_users".to_owned(),
            column: "name".to_owned(),
        };
        // Parameters by first use: name (0), id (1).
        let dynamic = Dynamic {
            fragments: vec![FragmentKind::Optional(vec![0])],
            variants: vec![
                (
                    "UPDATE macro_users SET email = email  WHERE id = $1".to_owned(),
                    vec![1],
                ),
                (
                    "UPDATE macro_users SET email = email , name = $1 WHERE id = $2".to_owned(),
                    vec![0, 1],
                ),
            ],
        };
        let descriptions = [
            description(
                &dynamic.variants[0].0,
                vec![ParamDescription {
                    ty: int4.clone(),
                    not_null_target: None,
                    not_null_domain: None,
                }],
            ),
            description(
                &dynamic.variants[1].0,
                vec![
                    ParamDescription {
                        ty: text,
                        not_null_target: Some(name_column),
                        not_null_domain: None,
                    },
                    ParamDescription {
                        ty: int4,
                        not_null_target: None,
                        not_null_domain: None,
                    },
                ],
            ),
        ];
        let merged = merge(&dynamic.variants[1].0, &dynamic, &descriptions, 2).unwrap();
        assert_eq!(
            merged.parameters[0].not_null_target, None,
            "`name: Option<String>` is refused although None leaves the SET out"
        );
    }
}
