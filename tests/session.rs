//! Session-level behaviour: server parameters, notices to log listeners, notifications,
//! close and terminate.

mod common;

use std::sync::{Arc, Mutex};

#[tokio::test]
async fn notices_reach_log_listeners() {
    let mut conn = common::connect().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    conn.add_log_listener(move |notice| {
        sink.lock()
            .unwrap()
            .push((notice.severity().to_string(), notice.message().to_owned()));
    });
    conn.execute(
        "DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$",
        &[],
    )
    .await
    .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("NOTICE".to_owned(), "hello 42".to_owned()),
            ("WARNING".to_owned(), "careful".to_owned())
        ]
    );
}

#[tokio::test]
async fn notifications_are_kept() {
    let mut conn = common::connect().await;
    conn.execute("LISTEN chan", &[]).await.unwrap();
    conn.execute("NOTIFY chan, 'payload'", &[]).await.unwrap();
    let got = conn.take_notifications();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].channel, "chan");
    assert_eq!(got[0].payload, "payload");
    assert_eq!(got[0].process_id, conn.server_pid());
}

#[tokio::test]
async fn parameters_follow_the_session() {
    let mut conn = common::connect().await;
    assert_eq!(conn.parameter("client_encoding"), Some("UTF8"));
    assert!(conn.server_version_num().unwrap() >= 150_000);
    conn.execute("SET application_name = 'renamed'", &[])
        .await
        .unwrap();
    assert_eq!(conn.parameter("application_name"), Some("renamed"));
    let pid: i32 = conn
        .fetch_val("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    assert_eq!(pid, conn.server_pid());
}

#[tokio::test]
async fn close_ends_the_session_on_the_server() {
    let db = common::fresh_db().await;
    let mut watcher = db.connect().await;
    for how in ["close", "terminate"] {
        let conn = db.connect().await;
        let pid = conn.server_pid();
        if how == "close" {
            conn.close().await.unwrap();
        } else {
            conn.terminate();
        }
        let mut gone = false;
        for _ in 0..100 {
            let alive: i64 = watcher
                .fetch_val(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                    &[&pid],
                )
                .await
                .unwrap();
            if alive == 0 {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(gone, "backend {pid} still there after {how}");
    }
}
