//! The seed's first example: create a table, insert Bob, fetch him back, close.
//!
//! Uses `DATABASE_URL` when it is set; otherwise starts a throwaway local PostgreSQL server.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use chrono::NaiveDate;
use quarry_driver::ephemeral::EphemeralServer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the server (if we started one) alive until the end of main.
    let (dsn, _server) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = EphemeralServer::start()?;
            (server.dsn(), Some(server))
        }
    };

    let mut conn = quarry::connect(&dsn).await?;
    conn.execute(
        "CREATE TABLE users(
            id serial PRIMARY KEY,
            name text,
            dob date
        )",
        &[],
    )
    .await?;

    let dob = NaiveDate::from_ymd_opt(1984, 3, 1).ok_or("invalid date")?;
    conn.execute(
        "INSERT INTO users(name, dob) VALUES($1, $2)",
        &[&"Bob", &dob],
    )
    .await?;

    let row = conn
        .fetch_row("SELECT * FROM users WHERE name = $1", &[&"Bob"])
        .await?;
    if let Some(row) = row {
        println!("{row:?}");
    }

    conn.close().await?;
    Ok(())
}
