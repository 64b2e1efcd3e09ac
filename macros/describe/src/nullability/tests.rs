use super::catalog::{Catalog, Column, Relation, parse_one};
use super::*;

fn table(name: &str, cols: &[(&str, bool)]) -> Relation {
    Relation {
        oid: 0,
        schema: "public".into(),
        name: name.into(),
        columns: cols
            .iter()
            .enumerate()
            .map(|(i, (c, n))| Column {
                name: (*c).to_owned(),
                attnum: i16::try_from(i + 1).unwrap(),
                not_null: *n,
                not_null_here: *n,
                is_array: false,
                generated: None,
                category: b'X',
                domain: false,
            })
            .collect(),
        view: None,
        is_view: false,
        has_system_columns: true,
        has_children: false,
        keys_hold_in_scans: true,
        row_security: false,
        plain_writes: false,
        checks: Vec::new(),
        foreign_keys: Vec::new(),
    }
}

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.insert(
        "\"users\"".into(),
        Some(table(
            "users",
            &[("id", true), ("name", true), ("email", false)],
        )),
    );
    c.insert(
        "\"posts\"".into(),
        Some(table(
            "posts",
            &[("id", true), ("user_id", true), ("body", false)],
        )),
    );
    let mut view = table("v", &[("id", false), ("email", false)]);
    view.is_view = true;
    view.has_system_columns = false;
    view.view = parse_one("SELECT users.id, users.email FROM users;").map(Box::new);
    c.insert("\"v\"".into(), Some(view));
    c
}

fn nulls(sql: &str) -> Option<Vec<bool>> {
    let mut c = catalog();
    let st = parse_one(sql).unwrap();
    for _ in 0..4 {
        let (a, missing) = run(&st, &c);
        if missing.is_empty() {
            return a
                .columns
                .map(|cols| cols.iter().map(|c| c.nullable).collect());
        }
        for m in missing {
            c.insert(m, None);
        }
    }
    None
}

#[test]
fn tables_views_joins() {
    assert_eq!(nulls("SELECT * FROM users"), Some(vec![false, false, true]));
    assert_eq!(nulls("SELECT id, email FROM v"), Some(vec![false, true]));
    assert_eq!(
        nulls("SELECT u.id, p.id FROM users u LEFT JOIN posts p ON p.user_id = u.id"),
        Some(vec![false, true])
    );
    assert_eq!(
        nulls("SELECT u.id, p.id FROM users u RIGHT JOIN posts p ON p.user_id = u.id"),
        Some(vec![true, false])
    );
    assert_eq!(
        nulls("SELECT u.id, p.id FROM (users u FULL JOIN posts p ON true)"),
        Some(vec![true, true])
    );
    assert_eq!(
        nulls("SELECT email FROM users WHERE email IS NOT NULL"),
        Some(vec![false])
    );
    assert_eq!(nulls("SELECT * FROM nope"), None);
}

#[test]
fn expressions_and_aggregates() {
    assert_eq!(
        nulls(
            "SELECT 1, NULL, $1, id + 1, email || 'x', coalesce(email, name), count(*) FROM users GROUP BY 1"
        ),
        Some(vec![false, true, true, false, true, false, false])
    );
    assert_eq!(
        nulls("SELECT max(id), count(email) FROM users"),
        Some(vec![true, false])
    );
    assert_eq!(
        nulls("SELECT max(id) FROM users GROUP BY name"),
        Some(vec![false])
    );
    assert_eq!(
        nulls("SELECT name, max(id) FROM users GROUP BY ROLLUP(name)"),
        Some(vec![true, true])
    );
    assert_eq!(
        nulls(
            "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n FROM t"
        ),
        Some(vec![false])
    );
    assert_eq!(
        nulls("SELECT (SELECT count(*) FROM posts), (SELECT id FROM posts LIMIT 1)"),
        Some(vec![false, true])
    );
}

#[test]
fn parameter_targets() {
    let c = catalog();
    let st = parse_one("INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id").unwrap();
    let (a, missing) = run(&st, &c);
    assert!(missing.is_empty());
    assert_eq!(a.targets.len(), 1);
    assert_eq!(a.targets[0].0, 0);
    assert_eq!(a.targets[0].1.column, "name");
    let st = parse_one("UPDATE users SET name = $2::text, email = $1 WHERE id = $3").unwrap();
    let (a, _) = run(&st, &c);
    assert_eq!(a.targets.iter().map(|t| t.0).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn unknown_relations_hide_outer_columns() {
    assert_eq!(
        nulls(
            "SELECT (SELECT count(*) FROM posts WHERE id = 1), (SELECT id FROM users, nope LIMIT 1) FROM users"
        ),
        Some(vec![false, true])
    );
    assert_eq!(
        nulls("SELECT u.id, (SELECT max(name) FROM some_fn() f GROUP BY 1) FROM users u"),
        Some(vec![false, true])
    );
}
