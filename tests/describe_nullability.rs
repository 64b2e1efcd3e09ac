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

/// A parameter of a NOT NULL domain refuses NULL (the server does at Bind): described as such,
/// through a domain over a NOT NULL domain too; a plain `int` parameter or a nullable domain's
/// is not.
#[tokio::test]
async fn parameters_of_not_null_domains() {
    let mut conn = setup(false).await;
    conn.execute("CREATE DOMAIN maybe_int AS int", &[])
        .await
        .unwrap();
    let d = describe(
        &mut conn,
        "SELECT $1::nn_int, $2::nn_int2, $3::int, $4::maybe_int",
    )
    .await
    .unwrap();
    let got: Vec<Option<&str>> = d
        .parameters
        .iter()
        .map(|p| p.not_null_domain.as_deref())
        .collect();
    assert_eq!(
        got,
        [Some("public.nn_int"), Some("public.nn_int2"), None, None]
    );
    assert!(d.columns.iter().take(2).all(|c| !c.nullable));
}

/// A cast done by a user's function may give NULL for a value (here always): such a cast is
/// nullable; and once one may run unwritten (AS ASSIGNMENT), a value written by INSERT or UPDATE
/// is not known to arrive as is, so RETURNING keeps to the table's constraints.
#[tokio::test]
async fn casts_by_user_functions_may_be_null() {
    let mut conn = setup(true).await;
    conn.execute(
        "CREATE TYPE cast_t AS (v int);
         CREATE FUNCTION cast_t_null(int) RETURNS cast_t LANGUAGE sql AS 'SELECT NULL::cast_t';
         CREATE CAST (int AS cast_t) WITH FUNCTION cast_t_null(int)",
        &[],
    )
    .await
    .unwrap();
    let sql = "SELECT id::cast_t, id::text FROM users";
    let d = Describer::new().describe(&mut conn, sql).await.unwrap();
    let nullable: Vec<bool> = d.columns.iter().map(|c| c.nullable).collect();
    assert_eq!(nullable, [true, false]);
    let nulls: i64 = conn
        .fetch_val("SELECT count(*) FROM users WHERE id::cast_t IS NULL", &[])
        .await
        .unwrap();
    assert!(nulls > 0);
    let update = "UPDATE users SET email = 'x' WHERE id = 1 RETURNING email";
    let d = Describer::new().describe(&mut conn, update).await.unwrap();
    assert!(!d.columns[0].nullable);
    conn.execute(
        "CREATE FUNCTION text_null(cast_t) RETURNS text LANGUAGE sql AS 'SELECT NULL::text';
         CREATE CAST (cast_t AS text) WITH FUNCTION text_null(cast_t) AS ASSIGNMENT",
        &[],
    )
    .await
    .unwrap();
    let d = Describer::new().describe(&mut conn, update).await.unwrap();
    assert!(d.columns[0].nullable);
    let email: Option<String> = conn
        .fetch_val(
            "UPDATE users SET email = ROW(1)::cast_t WHERE id = 1 RETURNING email",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(email, None);
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

/// Every nullable claim of a runnable case has a witness: a row where the column really is
/// NULL, on the populated database or the empty one (aggregates over no rows). The claims
/// without one are listed with the reason the analysis cannot do better.
#[tokio::test]
async fn nullable_claims_have_witnesses() {
    let mut empty = setup(false).await;
    let mut populated = setup(true).await;
    let mut missing = Vec::new();
    let mut witnessed = 0;
    for (sql, expected) in CASES.iter().filter(|(sql, _)| runnable(sql)) {
        let names: Vec<String> = (0..expected.len()).map(|c| format!("c{c}")).collect();
        for (i, nullable) in expected.iter().enumerate() {
            if !nullable {
                continue;
            }
            let check = format!(
                "SELECT count(*) FROM ({sql}) AS q({}) WHERE q.c{i} IS NULL",
                names.join(", ")
            );
            let mut found = false;
            for conn in [&mut populated, &mut empty] {
                match conn.fetch_val::<i64>(check.as_str(), &[]).await {
                    Ok(n) => found |= n > 0,
                    Err(e) => panic!("{check}: {e}"),
                }
            }
            if found {
                witnessed += 1;
            } else if !nullability_cases::UNWITNESSED.contains(&(*sql, i)) {
                missing.push(format!("{sql}: column {i}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no NULL witness:\n{}",
        missing.join("\n")
    );
    assert!(witnessed >= 50, "only {witnessed} witnesses");
}

/// A deferrable foreign key proves nothing: inside a transaction an orphan row exists, and the
/// join the key would have covered misses.
#[tokio::test]
async fn a_deferrable_key_can_miss_inside_a_transaction() {
    let mut conn = setup(true).await;
    let sql = "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.late_id";
    let d = describe(&mut conn, sql).await.unwrap();
    assert!(d.columns[1].nullable);
    conn.execute("BEGIN", &[]).await.unwrap();
    conn.execute("INSERT INTO orders VALUES (1000, 1, NULL, 999999)", &[])
        .await
        .unwrap();
    let nulls: i64 = conn
        .fetch_val(
            format!("SELECT count(*) FROM ({sql}) q(id, name) WHERE name IS NULL").as_str(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(nulls, 1);
    conn.execute("ROLLBACK", &[]).await.unwrap();
}

/// The functions taken to be strict are strict in every overload `pg_catalog` has.
#[tokio::test]
async fn strict_functions_are_strict_in_pg_proc() {
    let mut conn = setup(false).await;
    let names: Vec<String> = quarry_describe::functions::STRICT
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let rows = conn
        .fetch(
            "SELECT n, coalesce(bool_and(p.proisstrict), false) FROM unnest($1::text[]) AS n \
             LEFT JOIN pg_proc p ON p.proname = n AND p.pronamespace = 'pg_catalog'::regnamespace \
             GROUP BY n",
            &[&names],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), names.len());
    // `extract` is SQL syntax for `date_part`, which is what pg_proc has.
    let not_strict: Vec<String> = rows
        .iter()
        .filter(|r| !r.get::<bool>(1).unwrap())
        .map(|r| r.get::<String>(0).unwrap())
        .filter(|n| n != "extract")
        .collect();
    assert!(not_strict.is_empty(), "not strict: {not_strict:?}");
}

/// A function of the user's named like a built-in may be the one a call resolves to: nothing
/// built-in is assumed of that name, and a filter on it proves nothing.
#[tokio::test]
async fn a_user_function_named_like_a_built_in_is_not_trusted() {
    let mut conn = setup(true).await;
    conn.execute(
        "CREATE FUNCTION public.length(int) RETURNS int LANGUAGE sql AS 'SELECT NULL::int'",
        &[],
    )
    .await
    .unwrap();
    for sql in [
        "SELECT length(id) FROM users",
        "SELECT length(name) FROM users",
        "SELECT email FROM users WHERE length(email) > 0",
    ] {
        let d = describe(&mut conn, sql).await.unwrap();
        assert!(d.columns[0].nullable, "{sql}");
    }
    let nulls: i64 = conn
        .fetch_val("SELECT count(*) FROM users WHERE length(id) IS NULL", &[])
        .await
        .unwrap();
    assert!(nulls > 0);
}

/// A foreign table (a child or a partition) does not enforce the CHECK constraints it
/// inherits: they prove nothing of a scan of its parent. The wrapper has no handler, so the
/// tables are only described (the claim is what is checked), never scanned.
#[tokio::test]
async fn a_foreign_child_does_not_enforce_inherited_checks() {
    let mut conn = setup(false).await;
    conn.execute(
        "CREATE FOREIGN DATA WRAPPER dummy_fdw;
         CREATE SERVER dummy_srv FOREIGN DATA WRAPPER dummy_fdw;
         CREATE TABLE ck_parent (id int NOT NULL, a int CHECK (a IS NOT NULL));
         CREATE FOREIGN TABLE ck_foreign () INHERITS (ck_parent) SERVER dummy_srv;
         CREATE TABLE ck_part (id int NOT NULL, a int CHECK (a IS NOT NULL)) PARTITION BY RANGE (id);
         CREATE FOREIGN TABLE ck_part_f PARTITION OF ck_part FOR VALUES FROM (0) TO (10)
             SERVER dummy_srv;
         CREATE TABLE ck_plain (id int NOT NULL, a int CHECK (a IS NOT NULL));",
        &[],
    )
    .await
    .unwrap();
    for (sql, nullable) in [
        ("SELECT a FROM ck_parent", true),
        ("SELECT a FROM ck_part", true),
        ("SELECT a FROM ck_plain", false),
    ] {
        let d = describe(&mut conn, sql).await.unwrap();
        assert_eq!(d.columns[0].nullable, nullable, "{sql}");
    }
}

/// The function facts are the catalog's: every `pg_catalog` overload of a function they name is
/// covered by a fact with the same argument categories (polymorphic ones by the family they
/// take), whether it returns an array, and whether it returns a set.
#[tokio::test]
async fn function_facts_cover_every_overload_in_pg_proc() {
    use quarry_describe::functions::FACTS;
    let mut conn = setup(false).await;
    let mut names: Vec<String> = FACTS.iter().map(|f| f.name.to_owned()).collect();
    names.dedup();
    let rows = conn
        .fetch(
            "SELECT p.proname::text, \
                    coalesce(string_agg(CASE \
                        WHEN t.typname IN ('anyelement', 'anynonarray', 'anycompatible', \
                             'anycompatiblenonarray', 'any') THEN '*' \
                        WHEN t.typname IN ('anyarray', 'anycompatiblearray') THEN 'A' \
                        WHEN t.typname IN ('anyrange', 'anycompatiblerange', 'anymultirange', \
                             'anycompatiblemultirange') THEN 'R' \
                        WHEN t.typname = 'anyenum' THEN 'E' \
                        ELSE t.typcategory::text END, '' ORDER BY a.n), ''), \
                    r.typcategory = 'A' OR r.typname IN ('anyarray', 'anycompatiblearray'), \
                    p.proretset, p.oid::regprocedure::text \
             FROM pg_proc p \
             JOIN pg_type r ON r.oid = p.prorettype \
             LEFT JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, n) ON true \
             LEFT JOIN pg_type t ON t.oid = a.t \
             WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY($1) \
             GROUP BY p.oid, p.proname, r.typcategory, r.typname, p.proretset",
            &[&names],
        )
        .await
        .unwrap();
    assert!(rows.len() >= names.len(), "{} overloads", rows.len());
    let mut uncovered = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for row in &rows {
        let name: String = row.get(0).unwrap();
        let cats: String = row.get(1).unwrap();
        let array: bool = row.get(2).unwrap();
        let set: bool = row.get(3).unwrap();
        let signature: String = row.get(4).unwrap();
        let covered = FACTS.iter().any(|f| {
            f.name == name
                && f.array == array
                && f.set == set
                && f.args.is_none_or(|want| {
                    want.len() == cats.len()
                        && want
                            .bytes()
                            .zip(cats.bytes())
                            .all(|(w, c)| w == b'*' || w == c)
                })
        });
        if !covered {
            uncovered.push(format!("{signature} ({cats}, array {array}, set {set})"));
        }
        seen.push(name);
    }
    assert!(
        uncovered.is_empty(),
        "not covered by a fact:\n{}",
        uncovered.join("\n")
    );
    let unknown: Vec<&String> = names.iter().filter(|n| !seen.contains(n)).collect();
    assert!(
        unknown.is_empty(),
        "facts about functions pg_catalog lacks: {unknown:?}"
    );
}

/// An operator of the user's with a built-in's symbol may be the one an expression uses: a
/// non-strict one proves nothing in a filter, and no user operator's result is assumed non-NULL.
#[tokio::test]
async fn a_user_operator_named_like_a_built_in_is_not_trusted() {
    let mut conn = setup(true).await;
    conn.execute(
        "CREATE FUNCTION public.text_eq_int(text, int) RETURNS bool LANGUAGE sql \
             CALLED ON NULL INPUT AS 'SELECT CASE WHEN $1 IS NULL THEN true END'; \
         CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = int, FUNCTION = public.text_eq_int)",
        &[],
    )
    .await
    .unwrap();
    let filtered = "SELECT email FROM users WHERE email = 1";
    let d = describe(&mut conn, filtered).await.unwrap();
    assert!(d.columns[0].nullable, "{filtered}");
    let nulls: i64 = conn
        .fetch_val(
            format!("SELECT count(*) FROM ({filtered}) q WHERE email IS NULL").as_str(),
            &[],
        )
        .await
        .unwrap();
    assert!(nulls > 0);
    let compared = "SELECT name = 1 FROM users";
    let d = describe(&mut conn, compared).await.unwrap();
    assert!(d.columns[0].nullable, "{compared}");
    let nulls: i64 = conn
        .fetch_val(
            format!("SELECT count(*) FROM ({compared}) q(c) WHERE c IS NULL").as_str(),
            &[],
        )
        .await
        .unwrap();
    assert!(nulls > 0);
}
