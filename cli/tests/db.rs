//! `quarry db start`: the built binary starts a server we can query, and Ctrl-C (SIGINT) stops it
//! and deletes its files.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `quarry db start` and what it printed.
struct Started {
    child: Child,
    url: String,
    data_dir: PathBuf,
}

impl Drop for Started {
    /// A failed test must not leave the process running.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(extra: &[&str]) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(["db", "start"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quarry");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut url = None;
    let mut data_dir = None;
    while url.is_none() || data_dir.is_none() {
        let Some(line) = lines.next() else {
            let status = child.wait().expect("wait for quarry");
            panic!("quarry exited ({status}) before printing its DSN");
        };
        let line = line.expect("read quarry's stdout");
        if let Some(v) = line.strip_prefix("DATABASE_URL=") {
            url = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("PGDATA=") {
            data_dir = Some(PathBuf::from(v));
        }
    }
    Started {
        child,
        url: url.unwrap(),
        data_dir: data_dir.unwrap(),
    }
}

/// Sends SIGINT as Ctrl-C would, and waits (at most 30 s) for a clean exit.
fn interrupt(started: &mut Started) {
    let pid = started.child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success(), "kill -INT {pid} failed");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = started.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "quarry did not exit after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "quarry exited with {status}");
}

async fn select_one(url: &str) -> i32 {
    let mut conn = quarry_driver::connect(url).await.expect("connect");
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.expect("SELECT 1");
    conn.close().await.expect("close");
    one
}

async fn assert_gone(started: &Started) {
    assert!(
        !started.data_dir.exists(),
        "{} still exists",
        started.data_dir.display()
    );
    let refused = quarry_driver::connect(&started.url).await;
    assert!(refused.is_err(), "the server still accepts connections");
}

#[tokio::test(flavor = "current_thread")]
async fn db_start_serves_until_interrupted() {
    let mut started = start(&[]);
    assert!(started.url.starts_with("postgresql://postgres@127.0.0.1:"));
    assert!(started.data_dir.exists());
    assert_eq!(select_one(&started.url).await, 1);
    interrupt(&mut started);
    assert_gone(&started).await;
}

#[tokio::test(flavor = "current_thread")]
async fn db_start_with_tls_verifies_the_server() {
    let mut started = start(&["--tls"]);
    assert!(started.url.contains("sslmode=verify-full&sslrootcert="));
    assert_eq!(select_one(&started.url).await, 1);
    interrupt(&mut started);
    assert_gone(&started).await;
}

#[tokio::test(flavor = "current_thread")]
async fn db_start_with_migrate_serves_a_migrated_database() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("1_todos.sql"),
        "CREATE TABLE todos(id int8 PRIMARY KEY, title text NOT NULL);",
    )
    .unwrap();
    let source = project.path().to_str().unwrap();
    let mut started = start(&["--migrate", "--source", source]);
    let mut conn = quarry_driver::connect(&started.url).await.expect("connect");
    let version: i64 = conn
        .fetch_val("SELECT max(version) FROM _quarry_migrations", &[])
        .await
        .unwrap();
    assert_eq!(version, 1);
    conn.execute("INSERT INTO todos VALUES (1, 'write tests')", &[])
        .await
        .unwrap();
    conn.close().await.unwrap();
    interrupt(&mut started);
    assert_gone(&started).await;
}
