//! The seed's "decoding numeric columns as floats" example: a text codec for `numeric` that
//! encodes an `f64` with `to_string` and decodes with `parse`.
//!
//! Uses `DATABASE_URL` when it is set; otherwise starts a throwaway local PostgreSQL server.
//!
//! ```text
//! cargo run --example numeric_float
//! ```

use quarry::types::{BoxError, Custom, TypeCodec, Value};
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
        "pg_catalog.numeric",
        TypeCodec::text(
            |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
            |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
        ),
    )
    .await?;

    // Typed: the value comes back as an f64.
    let Custom(res): Custom<f64> = conn
        .fetch_val("SELECT $1::numeric", &[&Custom(11.123f64)])
        .await?;
    // Dynamically: Record::value() decodes through the codec too.
    let row = conn
        .fetch_row("SELECT $1::numeric AS n", &[&Custom(res)])
        .await?
        .ok_or("no row")?;
    let Value::Custom(value) = row.value("n")? else {
        return Err("numeric was not decoded by the codec".into());
    };
    println!("{res} {}", value.rust_type());

    conn.close().await?;
    Ok(())
}
