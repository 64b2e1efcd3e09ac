//! The seed's web service example: started on a free port against a fresh database, answering
//! real HTTP requests.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Kills the example when the test ends, even on failure.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn get(addr: &str, path: &str) -> (u16, String) {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[tokio::test]
async fn answers_powers_of_two() {
    let db = common::fresh_db().await;
    let binary = tokio::task::spawn_blocking(|| common::examples::example_binary("web_service"))
        .await
        .unwrap();
    let mut child = Command::new(&binary)
        .env("DATABASE_URL", db.dsn())
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let line = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        }),
    )
    .await
    .unwrap()
    .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    assert_eq!(get(&addr, "/10").await, (200, "2 ^ 10 is 1024".to_owned()));
    assert_eq!(get(&addr, "/").await, (200, "2 ^ 10 is 1024".to_owned()));
    assert_eq!(get(&addr, "/3").await, (200, "2 ^ 3 is 8".to_owned()));
    assert_eq!(get(&addr, "/abc").await.0, 404);
    assert_eq!(get(&addr, "/10/x").await.0, 404);
    drop(running);
}
