//! The todos example application (`examples/todos`) over real HTTP: each test serves the app's
//! router on 127.0.0.1:0 in front of its own database (`#[quarry::test]`, migrated from the
//! folder `quarry.toml` names, which holds the todos table) and talks HTTP/1.1 to it.

#[path = "../examples/todos/app.rs"]
mod app;

use quarry::Pool;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves the app on a free port; returns its address. The server lives as long as the test's
/// runtime.
async fn serve(pool: Pool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app::router(pool)).await.unwrap() });
    addr
}

/// A response: status, headers (lower-cased names) and body.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`, so the body is the rest of
/// the stream). `body` is sent with `content_type` when given.
async fn request(addr: &str, method: &str, path: &str, body: Option<(&str, &str)>) -> Response {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    let payload = match body {
        Some((content_type, payload)) => {
            request += &format!("Content-Type: {content_type}\r\n");
            payload
        }
        None => "",
    };
    request += &format!("Content-Length: {}\r\n\r\n{payload}", payload.len());
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    socket.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {raw:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {raw:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn post_json(addr: &str, path: &str, json: &str) -> Response {
    request(addr, "POST", path, Some(("application/json", json))).await
}

#[quarry::test]
async fn create_list_toggle_and_delete(pool: Pool) {
    let addr = serve(pool).await;
    assert_eq!(
        request(&addr, "GET", "/todos", None).await.json(),
        json!([])
    );

    let created = post_json(&addr, "/todos", r#"{"title": "write the app"}"#).await;
    assert_eq!(created.status, 201, "{created:?}");
    let todo = created.json();
    assert_eq!(todo["title"], "write the app");
    assert_eq!(todo["done"], false);
    let id = todo["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(&*format!("/todos/{id}")));
    assert_eq!(
        created.header("content-type"),
        Some("application/json"),
        "{created:?}"
    );
    let second = post_json(&addr, "/todos", r#"{"title": "test it"}"#).await;
    assert_eq!(second.status, 201);

    let listed = request(&addr, "GET", "/todos", None).await;
    assert_eq!(listed.status, 200);
    let titles: Vec<Value> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(titles, [json!("write the app"), json!("test it")]);

    let toggled = request(&addr, "POST", &format!("/todos/{id}/toggle"), None).await;
    assert_eq!(toggled.status, 200);
    assert_eq!(
        toggled.json(),
        json!({"id": id, "title": "write the app", "done": true})
    );
    let shown = request(&addr, "GET", &format!("/todos/{id}"), None).await;
    assert_eq!(shown.json()["done"], true);
    let toggled = request(&addr, "POST", &format!("/todos/{id}/toggle"), None).await;
    assert_eq!(toggled.json()["done"], false);

    let deleted = request(&addr, "DELETE", &format!("/todos/{id}"), None).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    let listed = request(&addr, "GET", "/todos", None).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["title"], "test it");
}

#[quarry::test]
async fn a_missing_todo_is_404(pool: Pool) {
    let addr = serve(pool).await;
    for (method, path) in [
        ("GET", "/todos/42"),
        ("POST", "/todos/42/toggle"),
        ("DELETE", "/todos/42"),
    ] {
        let response = request(&addr, method, path, None).await;
        assert_eq!(response.status, 404, "{method} {path}: {response:?}");
        assert_eq!(response.json(), json!({"error": "no such todo"}));
    }
}

#[quarry::test]
async fn bad_bodies_are_client_errors(pool: Pool) {
    let addr = serve(pool).await;
    // Not JSON at all: 400.
    let response = post_json(&addr, "/todos", r#"{"title": "#).await;
    assert_eq!(response.status, 400, "{response:?}");
    assert!(
        response.json()["error"].as_str().unwrap().contains("JSON"),
        "{response:?}"
    );
    // JSON of the wrong shape: 422.
    for body in [r#"{"name": "x"}"#, r#"{"title": 7}"#, "[]"] {
        let response = post_json(&addr, "/todos", body).await;
        assert_eq!(response.status, 422, "{body}: {response:?}");
        assert!(response.json()["error"].is_string());
    }
    // Acceptable JSON, unacceptable content: 422 with the reason.
    let response = post_json(&addr, "/todos", r#"{"title": "  "}"#).await;
    assert_eq!(response.status, 422);
    assert_eq!(response.json(), json!({"error": "title must not be empty"}));
    // Not declared as JSON: 415.
    let response = request(
        &addr,
        "POST",
        "/todos",
        Some(("text/plain", r#"{"title": "x"}"#)),
    )
    .await;
    assert_eq!(response.status, 415, "{response:?}");
    // Nothing was created.
    assert_eq!(
        request(&addr, "GET", "/todos", None).await.json(),
        json!([])
    );
}

/// What `main` does at startup, on an empty database: the migrations create the schema, and a
/// second start finds nothing to apply.
#[quarry::test(migrations = false)]
async fn startup_migrates_an_empty_database(pool: Pool) {
    app::migrate(&pool).await.unwrap();
    app::migrate(&pool).await.unwrap();
    let addr = serve(pool).await;
    let created = post_json(&addr, "/todos", r#"{"title": "first"}"#).await;
    assert_eq!(created.status, 201, "{created:?}");
}
