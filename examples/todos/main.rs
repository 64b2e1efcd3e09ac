//! A first application: a JSON "todos" service in axum, on a `quarry::Pool`, with its schema
//! in migrations applied at startup and every query checked at build time.
//!
//! ```text
//! cargo run --example todos                 # then:
//! curl -d '{"title":"buy milk"}' -H 'content-type: application/json' http://127.0.0.1:8080/todos
//! curl http://127.0.0.1:8080/todos
//! curl -X POST http://127.0.0.1:8080/todos/1/toggle
//! curl -X DELETE http://127.0.0.1:8080/todos/1
//! ```
//!
//! It listens on 127.0.0.1:$PORT (default 8080; 0 picks a free port) and uses `DATABASE_URL`, or
//! starts a throwaway local server when that is not set. The API is in `app.rs`; its tests, over
//! real HTTP with a database each (`#[quarry::test]`), are in `tests/todos_app.rs`.
//!
//! Where its migrations live: a project of its own keeps them in `migrations/` next to its
//! `Cargo.toml` (see "Start a new project" in the README). In this repository one folder, the one
//! `quarry.toml` names (`tests/sql/migrations`), is the schema every `query!` of the workspace is
//! checked against by `quarry prepare`; the todos table is a migration there
//! (`0002_todos.sql`), so that a single copy of the schema serves the application at startup
//! (`quarry::migrate!()` embeds that folder), its tests (`#[quarry::test]` clones a database
//! migrated from it) and the build-time checks. A second folder for the application would need
//! the same table in both, one of them a copy that could drift.

mod app;

use quarry_driver::ephemeral::EphemeralServer;

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
    app::migrate(&pool).await?;

    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|e| format!("PORT={port:?}: {e}"))?,
        Err(_) => 8080,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app::router(pool)).await?;
    Ok(())
}
