//! Runs the seed's type-codec examples (`json_codec`, `numeric_float`, `hstore`, `postgis`)
//! against a fresh database of the test server and checks what they print.

mod common;

use std::process::Command;

/// Runs an example with DATABASE_URL set to a fresh database; returns its stdout.
async fn run_example(name: &str) -> String {
    let db = common::fresh_db().await;
    let binary = tokio::task::spawn_blocking({
        let name = name.to_owned();
        move || common::examples::example_binary(&name)
    })
    .await
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&binary)
            .env("DATABASE_URL", db.dsn())
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", binary.display()))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "example {name} failed: {}\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn json_codec() {
    let out = run_example("json_codec").await;
    assert_eq!(out.trim(), r#"{"foo":"bar","spam":1}"#);
}

#[tokio::test]
async fn numeric_float() {
    let out = run_example("numeric_float").await;
    assert_eq!(out.trim(), "11.123 f64");
}

#[tokio::test]
async fn hstore() {
    let out = run_example("hstore").await;
    assert_eq!(out.trim(), r#"{"a": Some("1"), "b": Some("2")}"#);
}

#[tokio::test]
async fn postgis() {
    let mut conn = common::connect().await;
    let available: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'",
            &[],
        )
        .await
        .unwrap();
    // scripts/test installs PostGIS: a missing extension is a broken test machine, not a skip.
    assert!(
        available > 0,
        "the PostGIS extension is not installed on the test server: install Debian's \
         postgresql-<major>-postgis-3 for the server's major version (scripts/test does)"
    );
    let out = run_example("postgis").await;
    assert_eq!(
        out.trim(),
        "Record(name='Empire State Building', coordinates=Point { x: -73.985661, y: 40.748447 })"
    );
}
