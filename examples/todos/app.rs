//! The todos API: JSON in and out, one `quarry::Pool` in the axum state.
//!
//! | request                     | success                          | errors                 |
//! |-----------------------------|----------------------------------|------------------------|
//! | `GET /todos`                | 200, the todos by id             |                        |
//! | `POST /todos {"title": ..}` | 201, the new todo, `Location`    | 400, 415, 422          |
//! | `GET /todos/{id}`           | 200, the todo                    | 404                    |
//! | `POST /todos/{id}/toggle`   | 200, the todo with `done` flipped| 404                    |
//! | `DELETE /todos/{id}`        | 204                              | 404                    |
//!
//! Errors are `{"error": "..."}`; a database error is logged and answered with a bare 500.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use quarry::Pool;
use serde::{Deserialize, Serialize};

/// A todo as stored and as sent.
#[derive(Debug, Serialize, quarry::FromRecord)]
pub(crate) struct Todo {
    id: i64,
    title: String,
    done: bool,
}

/// The body of `POST /todos`.
#[derive(Debug, Deserialize)]
pub(crate) struct NewTodo {
    title: String,
}

/// The routes, on a pool.
pub(crate) fn router(pool: Pool) -> Router {
    Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/{id}", get(show).delete(remove))
        .route("/todos/{id}/toggle", post(toggle))
        .with_state(pool)
}

/// Applies the schema's migrations (the folder `quarry.toml` names, embedded at build time);
/// those already applied are skipped, so every start runs it.
pub(crate) async fn migrate(pool: &Pool) -> Result<(), quarry::migrate::MigrateError> {
    quarry::migrate!().run(pool).await?;
    Ok(())
}

async fn list(State(pool): State<Pool>) -> Result<Json<Vec<Todo>>, ApiError> {
    let todos = quarry::query_as!(Todo, "SELECT id, title, done FROM todos ORDER BY id")
        .fetch(&pool)
        .await?;
    Ok(Json(todos))
}

async fn create(
    State(pool): State<Pool>,
    body: Result<Json<NewTodo>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body?;
    let title = new.title.trim();
    if title.is_empty() {
        return Err(ApiError::Invalid("title must not be empty"));
    }
    let todo = quarry::query_as!(
        Todo,
        "INSERT INTO todos (title) VALUES ($1) RETURNING id, title, done",
        title
    )
    .fetch_one(&pool)
    .await?;
    let location = format!("/todos/{}", todo.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(todo),
    ))
}

async fn show(State(pool): State<Pool>, Path(id): Path<i64>) -> Result<Json<Todo>, ApiError> {
    let todo = quarry::query_as!(Todo, "SELECT id, title, done FROM todos WHERE id = $1", id)
        .fetch_row(&pool)
        .await?;
    todo.map(Json).ok_or(ApiError::NotFound)
}

async fn toggle(State(pool): State<Pool>, Path(id): Path<i64>) -> Result<Json<Todo>, ApiError> {
    let todo = quarry::query_as!(
        Todo,
        "UPDATE todos SET done = NOT done WHERE id = $1 RETURNING id, title, done",
        id
    )
    .fetch_row(&pool)
    .await?;
    todo.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(pool): State<Pool>, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    let deleted = quarry::query!("DELETE FROM todos WHERE id = $1", id)
        .execute(&pool)
        .await?;
    if deleted.rows() == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Why a request failed; each maps to a status code and a JSON body.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// No todo has that id.
    NotFound,
    /// The body is not the JSON expected (its status: 400 bad syntax, 415 not JSON, 422 wrong
    /// fields).
    Body(JsonRejection),
    /// The JSON is well formed but its content is not acceptable.
    Invalid(&'static str),
    /// The database failed: logged, not shown to the client.
    Database(quarry::Error),
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        ApiError::Body(rejection)
    }
}

impl From<quarry::Error> for ApiError {
    fn from(error: quarry::Error) -> ApiError {
        ApiError::Database(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "no such todo".to_owned()),
            ApiError::Body(rejection) => (rejection.status(), rejection.body_text()),
            ApiError::Invalid(why) => (StatusCode::UNPROCESSABLE_ENTITY, why.to_owned()),
            ApiError::Database(error) => {
                eprintln!("todos: database error: {error}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error".to_owned(),
                )
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}
