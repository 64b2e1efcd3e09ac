//! `quarry describe --json`: the built binary, run on the shared nullability table
//! (tests/nullability_cases), prints exactly one compact object whose nullability matches the
//! table — on an empty database and on a populated, ANALYZEd one.

#[path = "../../tests/nullability_cases/mod.rs"]
mod nullability_cases;

use std::process::Command;

use nullability_cases::{CASES, DATA, SCHEMA};
use quarry_driver::ephemeral::EphemeralServer;

fn run(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .arg("describe")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run quarry");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `nullable` values of the `columns` of the compact JSON, in order.
fn nullables(json: &str) -> Vec<bool> {
    let columns = json.split("\"columns\":").nth(1).unwrap_or_default();
    columns
        .match_indices("\"nullable\":")
        .map(|(i, m)| columns[i + m.len()..].starts_with("true"))
        .collect()
}

fn check(server: &EphemeralServer, db: &str, populate: bool) {
    server
        .psql(&format!("CREATE DATABASE {db}"))
        .expect("create database");
    let url = format!("{}?sslmode=disable", server.dsn_for("postgres", None, db));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = quarry_driver::connect(&url).await.unwrap();
        conn.execute(SCHEMA, &[]).await.unwrap();
        if populate {
            conn.execute(DATA, &[]).await.unwrap();
        }
    });
    let mut failures = Vec::new();
    for (sql, expected) in CASES {
        let (ok, stdout, stderr) = run(&url, &["--json", sql]);
        assert!(ok, "{sql}: {stderr}");
        assert_eq!(
            stdout.lines().count(),
            1,
            "{sql}: one line of JSON: {stdout}"
        );
        assert!(stdout.starts_with("{\"parameters\":["), "{stdout}");
        if nullables(&stdout) != *expected {
            failures.push(format!(
                "{db}: {sql}\n  expected {expected:?}\n  got      {stdout}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn describe_json_matches_the_table_on_empty_and_populated_databases() {
    let server = EphemeralServer::start().expect("start server");
    check(&server, "empty_db", false);
    check(&server, "full_db", true);
}

#[test]
fn describe_prints_a_table_and_reads_files() {
    let server = EphemeralServer::start().expect("start server");
    let url = format!("{}?sslmode=disable", server.dsn());
    let (ok, stdout, stderr) = run(&url, &["SELECT 1 AS one, $1::int4[] AS arr"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("$1  _int4"), "{stdout}");
    assert!(
        stdout.contains("one") && stdout.contains("NOT NULL"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.sql");
    std::fs::write(&file, "SELECT 'x'::text AS t").unwrap();
    let (ok, stdout, _) = run(&url, &["--json", "--file", file.to_str().unwrap()]);
    assert!(ok);
    assert_eq!(
        stdout.trim(),
        r#"{"parameters":[],"columns":[{"name":"t","type":"text","nullable":false}]}"#
    );

    let (ok, _, stderr) = run(&url, &["SELEC 1"]);
    assert!(!ok);
    assert!(stderr.contains("syntax error"), "{stderr}");
}
