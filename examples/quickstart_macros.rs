//! The quickstart with compile-time checked queries: the same users table, written with
//! `quarry::query!`. The queries are checked at build time against the committed `.quarry/`
//! cache (or against `DATABASE_URL` when it is set at build time), so this builds on a fresh
//! machine without a database.
//!
//! Uses `DATABASE_URL` at run time when it is set; otherwise starts a throwaway local server.
//!
//! ```text
//! cargo run --example quickstart_macros
//! ```

use quarry_driver::ephemeral::EphemeralServer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (dsn, _server) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = EphemeralServer::start()?;
            (server.dsn(), Some(server))
        }
    };
    let mut conn = quarry::connect(&dsn).await?;
    // The schema the queries were checked against.
    conn.execute(
        include_str!("../tests/sql/migrations/0001_macros_schema.sql"),
        &[],
    )
    .await?;

    let id = quarry::query_scalar!(
        "INSERT INTO macro_users(name, email) VALUES ($1, $2) RETURNING id AS \"id!\"",
        "Bob",
        Some("bob@example.com")
    )
    .fetch_one(&mut conn)
    .await?;

    let bob = quarry::query!(
        "SELECT id AS \"id!\", name AS \"name!\", email FROM macro_users WHERE id = $1",
        id
    )
    .fetch_one(&mut conn)
    .await?;
    println!("{bob:?}"); // Record { id: 1, name: "Bob", email: Some("bob@example.com") }
    assert_eq!(bob.name, "Bob");

    conn.close().await?;
    Ok(())
}
