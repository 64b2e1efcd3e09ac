//! trybuild cases for the `query!` family (`macros/tests/ui/query/`): every form compiles, and
//! each kind of mistake gives its message — a SQL error with a caret, a wrong parameter type,
//! a wrong number of arguments, an unknown type, a nullability mismatch.
//!
//! The cases are checked live against a fresh database holding `tests/sql/migrations/0001_macros_schema.sql`
//! and `0003_nullability_schema.sql`.
//! The test re-runs itself as a child process with `DATABASE_URL` set (the environment of this
//! process cannot be changed safely), and the child runs trybuild. Regenerate the expected
//! output with `TRYBUILD=overwrite`.

mod common;

use std::process::Command;

#[tokio::test]
async fn query_macro_cases() {
    if let Ok(url) = std::env::var("QUARRY_UI_DATABASE_URL") {
        assert_eq!(std::env::var("DATABASE_URL").ok(), Some(url));
        let t = trybuild::TestCases::new();
        t.pass("macros/tests/ui/query/pass/*.rs");
        t.compile_fail("macros/tests/ui/query/fail/*.rs");
        return;
    }
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute(include_str!("sql/migrations/0001_macros_schema.sql"), &[])
        .await
        .unwrap();
    // The NOT NULL domains (`nn_int`) of the nullability schema.
    conn.execute(
        include_str!("sql/migrations/0003_nullability_schema.sql"),
        &[],
    )
    .await
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let status = Command::new(exe)
        .args(["query_macro_cases", "--exact", "--nocapture"])
        .env("QUARRY_UI_DATABASE_URL", db.dsn())
        .env("DATABASE_URL", db.dsn())
        .env_remove("QUARRY_OFFLINE")
        .status()
        .unwrap();
    assert!(status.success(), "the trybuild cases failed (see above)");
}
