//! Nullability of described queries: the shared table of queries (tests/nullability_cases)
//! through `quarry_describe::describe`, on an empty database and on a populated,
//! ANALYZEd one (the answers must be the same), plus a check against real rows that every
//! column claimed NOT NULL holds no NULL; the same for array elements; and NOT NULL parameter
//! targets.

mod common;
mod nullability_cases;

use nullability_cases::{CASES, DATA, ELEMENT_CASES, SCHEMA, TARGETS, runnable};
use quarry::Connection;
use quarry_describe::{ColumnDescription, Describer, describe};

async fn setup(populate: bool) -> Connection {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute(SCHEMA, &[]).await.unwrap();
    if populate {
        conn.execute(DATA, &[]).await.unwrap();
    }
    conn
}

/// Checks a table of queries: `flag` picks what each column is checked for (`nullable`,
/// `element_nullable`). With `shared`, one `Describer` serves every query (catalog facts
/// remembered across queries must give the same answers), else a fresh `describe` each.
async fn check_table(
    conn: &mut Connection,
    label: &str,
    table: &[(&str, &[bool])],
    flag: fn(&ColumnDescription) -> bool,
    shared: bool,
) {
    let mut failures = Vec::new();
    let mut describer = Describer::new();
    for (sql, expected) in table {
        let d = if shared {
            describer.describe(conn, sql).await
        } else {
            describe(conn, sql).await
        };
        let d = d.unwrap_or_else(|e| panic!("{label}: describe {sql}: {e}"));
        let got: Vec<bool> = d.columns.iter().map(flag).collect();
        if got != *expected {
            failures.push(format!(
                "{label}: {sql}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn nullable(c: &ColumnDescription) -> bool {
    c.nullable
}

fn element_nullable(c: &ColumnDescription) -> bool {
    c.element_nullable
}

#[tokio::test]
async fn nullability_table_on_an_empty_database() {
    let mut conn = setup(false).await;
    assert!(CASES.len() >= 60);
    check_table(&mut conn, "empty", CASES, nullable, false).await;
}

#[tokio::test]
async fn nullability_table_on_a_populated_analyzed_database() {
    let mut conn = setup(true).await;
    check_table(&mut conn, "populated, one describer", CASES, nullable, true).await;
}

/// Soundness against real rows: no column described NOT NULL ever returns NULL.
#[tokio::test]
async fn not_null_claims_hold_on_real_rows() {
    let mut conn = setup(true).await;
    for (sql, expected) in CASES.iter().filter(|(sql, _)| runnable(sql)) {
        let Ok(rows) = conn.fetch(*sql, &[]).await else {
            continue;
        };
        for row in &rows {
            for (i, nullable) in expected.iter().enumerate() {
                if !nullable {
                    assert!(
                        row.raw(i).unwrap().is_some(),
                        "{sql}: column {i} is described NOT NULL but returned NULL"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn element_nullability_on_empty_and_populated_databases() {
    let mut empty = setup(false).await;
    check_table(&mut empty, "empty", ELEMENT_CASES, element_nullable, false).await;
    let mut populated = setup(true).await;
    check_table(
        &mut populated,
        "populated",
        ELEMENT_CASES,
        element_nullable,
        true,
    )
    .await;
}

/// Soundness against real rows: no array described with NOT NULL elements holds a NULL one.
#[tokio::test]
async fn not_null_element_claims_hold_on_real_rows() {
    let mut conn = setup(true).await;
    let mut checked = 0;
    for (sql, expected) in ELEMENT_CASES.iter().filter(|(sql, _)| runnable(sql)) {
        for (i, nullable) in expected.iter().enumerate() {
            if *nullable {
                continue;
            }
            let names: Vec<String> = (0..expected.len()).map(|c| format!("c{c}")).collect();
            let check = format!(
                "SELECT count(*) FROM ({sql}) AS q({}) \
                 WHERE EXISTS (SELECT 1 FROM unnest(q.c{i}) AS e WHERE e IS NULL)",
                names.join(", ")
            );
            let with_null: i64 = conn.fetch_val(check.as_str(), &[]).await.unwrap();
            assert_eq!(with_null, 0, "{sql}: column {i} has NULL elements");
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} claims checked");
}

#[tokio::test]
async fn parameters_flowing_into_not_null_columns() {
    let mut conn = setup(false).await;
    for (sql, expected) in TARGETS {
        let d = describe(&mut conn, sql).await.unwrap();
        let got: Vec<(usize, String)> = d
            .parameters
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.not_null_target.as_ref().map(|t| (i, t.column.clone())))
            .collect();
        let want: Vec<(usize, String)> = expected
            .iter()
            .map(|(i, c)| (*i, (*c).to_owned()))
            .collect();
        assert_eq!(got, want, "{sql}");
    }
}

#[tokio::test]
async fn outer_joined_columns_keep_their_origin() {
    let mut conn = setup(false).await;
    let d = describe(
        &mut conn,
        "SELECT p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id",
    )
    .await
    .unwrap();
    let origin = d.columns[0].origin.as_ref().unwrap();
    assert_eq!(
        (origin.table.as_str(), origin.column.as_str()),
        ("posts", "title")
    );
    assert!(d.columns[0].nullable);
}
