//! The seed's web service, in axum: `GET /{power}` (and `GET /` for power 10) answers
//! `2 ^ {power} is {result}`, computed with `select 2 ^ $1` inside a transaction on a pooled
//! connection.
//!
//! ```text
//! cargo run --example web_service          # then: curl http://127.0.0.1:8080/10
//! ```
//!
//! It listens on 127.0.0.1:$PORT (default 8080; 0 picks a free port) and uses `DATABASE_URL`, or
//! starts a throwaway local server when that is not set.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use quarry::Pool;
use quarry_driver::ephemeral::EphemeralServer;

/// Computes 2 ^ power in PostgreSQL, in a transaction on a pooled connection.
async fn power_of_two(pool: &Pool, power: i32) -> Result<String, (StatusCode, String)> {
    let internal = |e: quarry::Error| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut tx = pool.transaction().await.map_err(internal)?;
    let result: f64 = tx
        .fetch_val("select 2 ^ $1", &[&power])
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(format!("2 ^ {power} is {result}"))
}

async fn handle(
    State(pool): State<Pool>,
    Path(power): Path<String>,
) -> Result<String, (StatusCode, String)> {
    // Only digits make a power, as in the seed's route `/{power:\d+}`: anything else is not found.
    if power.is_empty() || !power.bytes().all(|b| b.is_ascii_digit()) {
        return Err((StatusCode::NOT_FOUND, "not found".into()));
    }
    let power = power
        .parse::<i32>()
        .map_err(|_| (StatusCode::NOT_FOUND, "not found".into()))?;
    power_of_two(&pool, power).await
}

async fn handle_default(State(pool): State<Pool>) -> Result<String, (StatusCode, String)> {
    power_of_two(&pool, 10).await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (dsn, _server) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = EphemeralServer::start()?;
            (server.dsn(), Some(server))
        }
    };
    let pool = quarry::create_pool(&dsn).await?;
    let app = Router::new()
        .route("/", get(handle_default))
        .route("/{power}", get(handle))
        .with_state(pool);

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
