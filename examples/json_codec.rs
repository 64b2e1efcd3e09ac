//! The seed's "automatic JSON conversion" example: a text codec for `json` built on serde_json,
//! so a `serde_json::Value` goes in as a parameter and comes back decoded.
//!
//! Uses `DATABASE_URL` when it is set; otherwise starts a throwaway local PostgreSQL server.
//!
//! ```text
//! cargo run --example json_codec
//! ```

use quarry::types::{BoxError, Custom, TypeCodec};
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

    conn.set_type_codec(
        "pg_catalog.json",
        TypeCodec::text(
            |v: &serde_json::Value| -> Result<String, BoxError> { Ok(serde_json::to_string(v)?) },
            |s: &str| -> Result<serde_json::Value, BoxError> { Ok(serde_json::from_str(s)?) },
        ),
    )
    .await?;

    let data = serde_json::json!({"foo": "bar", "spam": 1});
    let Custom(res): Custom<serde_json::Value> = conn
        .fetch_val("SELECT $1::json", &[&Custom(data.clone())])
        .await?;
    assert_eq!(res, data);
    println!("{res}");

    conn.close().await?;
    Ok(())
}
