//! LISTEN/NOTIFY: callbacks, the `Listener` stream, notifications during queries, the
//! reconnecting listener and termination listeners.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use quarry::{Config, Listener, ListenerEvent, Notification, ReconnectingListener};

const WAIT: Duration = Duration::from_secs(60);

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .expect("timed out waiting")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_notifications_across_ten_channels_none_lost() {
    let db = common::fresh_db().await;
    let config = Config::from_dsn(&db.dsn()).unwrap();
    let mut listener = Listener::connect(&config).await.unwrap();
    let channels: Vec<String> = (0..10).map(|i| format!("ch{i}")).collect();
    listener
        .listen_all(channels.iter().map(String::as_str))
        .await
        .unwrap();
    assert_eq!(listener.channels().count(), 10);

    let dsn = db.dsn();
    let sender = tokio::spawn(async move {
        let mut conn = quarry::connect(&dsn).await.unwrap();
        // In batches of 1000 (each one transaction), 10,000 in all.
        for batch in 0..10i32 {
            conn.execute(
                "SELECT pg_notify('ch' || (n % 10), n::text) FROM generate_series($1::int4 * 1000 + 1, $1::int4 * 1000 + 1000) AS n",
                &[&batch],
            )
            .await
            .unwrap();
        }
    });

    let mut seen = vec![false; 10_001];
    let mut per_channel: HashMap<String, usize> = HashMap::new();
    let mut received = 0;
    while received < 10_000 {
        let n = within(listener.next()).await.unwrap().unwrap();
        let value: usize = n.payload.parse().unwrap();
        assert!(!seen[value], "notification {value} twice");
        seen[value] = true;
        assert_eq!(n.channel, format!("ch{}", value % 10));
        *per_channel.entry(n.channel).or_default() += 1;
        received += 1;
    }
    sender.await.unwrap();
    assert!(seen[1..].iter().all(|s| *s));
    assert_eq!(per_channel.len(), 10);
    assert!(per_channel.values().all(|&c| c == 1000));
}

#[tokio::test]
async fn notifications_during_a_query_are_not_lost() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("LISTEN busy", &[]).await.unwrap();
    let got = Arc::new(Mutex::new(Vec::<Notification>::new()));
    let sink = Arc::clone(&got);
    conn.add_listener("with_callback", move |n| {
        sink.lock().unwrap().push(n.clone())
    })
    .await
    .unwrap();

    let dsn = db.dsn();
    let sender = tokio::spawn(async move {
        let mut other = quarry::connect(&dsn).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        for i in 0..5 {
            other
                .execute(&format!("NOTIFY busy, 'q{i}'"), &[])
                .await
                .unwrap();
            other
                .execute(&format!("NOTIFY with_callback, 'c{i}'"), &[])
                .await
                .unwrap();
        }
    });
    // The notifications arrive while this query runs.
    conn.execute("SELECT pg_sleep(1)", &[]).await.unwrap();
    sender.await.unwrap();
    // One more round trip so every notification has been read.
    conn.execute("SELECT 1", &[]).await.unwrap();

    let callbacks: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|n| n.payload.clone())
        .collect();
    assert_eq!(callbacks, ["c0", "c1", "c2", "c3", "c4"]);

    // The queued ones come out of the listener first, in order.
    let mut listener = conn.into_listener();
    for i in 0..5 {
        let n = within(listener.recv()).await.unwrap();
        assert_eq!(n.channel, "busy");
        assert_eq!(n.payload, format!("q{i}"));
    }
    assert!(listener.try_recv().is_none());

    // A query on the listener's connection, then more notifications: still delivered.
    listener
        .connection()
        .execute("NOTIFY busy, 'self'", &[])
        .await
        .unwrap();
    let n = within(listener.recv()).await.unwrap();
    assert_eq!(n.payload, "self");
    assert_eq!(n.process_id, listener.connection().server_pid());
}

#[tokio::test]
async fn listener_callbacks_and_remove_listener() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    // Quoted identifiers: case and odd characters survive.
    let channel = "Mixed \"Case\" chan";
    conn.add_listener(channel, move |n| {
        assert_eq!(n.payload, "hi");
        c.fetch_add(1, Ordering::SeqCst);
    })
    .await
    .unwrap();
    conn.execute("SELECT pg_notify('Mixed \"Case\" chan', 'hi')", &[])
        .await
        .unwrap();
    conn.execute("SELECT 1", &[]).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);

    conn.remove_listener(channel).await.unwrap();
    conn.execute("SELECT pg_notify('Mixed \"Case\" chan', 'hi')", &[])
        .await
        .unwrap();
    conn.execute("SELECT 1", &[]).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(conn.take_notifications().is_empty());
}

#[tokio::test]
async fn dropped_wait_leaves_the_listener_usable() {
    let db = common::fresh_db().await;
    let mut listener = db.connect().await.into_listener();
    listener.listen("idle").await.unwrap();
    // Waiting with nothing to receive, abandoned.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), listener.next())
            .await
            .is_err()
    );
    listener
        .connection()
        .execute("NOTIFY idle, 'x'", &[])
        .await
        .unwrap();
    let n = within(listener.next()).await.unwrap().unwrap();
    assert_eq!(n.payload, "x");
}

async fn terminate_others(dsn: &str) -> i64 {
    let mut admin = quarry::connect(dsn).await.unwrap();
    let rows = admin
        .fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            &[],
        )
        .await
        .unwrap();
    i64::try_from(rows.len()).unwrap()
}

#[tokio::test]
async fn reconnecting_listener_reports_the_gap() {
    let db = common::fresh_db().await;
    let config = Config::from_dsn(&db.dsn()).unwrap();
    let mut listener = ReconnectingListener::connect(config).await.unwrap();
    listener.listen("events").await.unwrap();
    listener.listen("Other").await.unwrap();

    let mut sender = db.connect().await;
    sender
        .execute("NOTIFY events, 'before'", &[])
        .await
        .unwrap();
    match within(listener.recv()).await {
        ListenerEvent::Notification(n) => assert_eq!(n.payload, "before"),
        other => panic!("expected a notification, got {other:?}"),
    }

    assert!(terminate_others(&db.dsn()).await >= 1);
    match within(listener.recv()).await {
        ListenerEvent::Disconnected { error } => {
            assert_eq!(
                error.code().map(|c| c.code().to_owned()).as_deref(),
                Some("57P01")
            );
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    match within(listener.recv()).await {
        ListenerEvent::Reconnected { attempts, .. } => assert!(attempts >= 1),
        other => panic!("expected Reconnected, got {other:?}"),
    }

    // Subscribed again to both channels.
    let mut sender = db.connect().await;
    sender.execute("NOTIFY events, 'after'", &[]).await.unwrap();
    sender
        .execute("NOTIFY \"Other\", 'other'", &[])
        .await
        .unwrap();
    let mut payloads = Vec::new();
    for _ in 0..2 {
        match within(listener.recv()).await {
            ListenerEvent::Notification(n) => payloads.push(n.payload),
            other => panic!("expected a notification, got {other:?}"),
        }
    }
    assert_eq!(payloads, ["after", "other"]);
}

#[tokio::test]
async fn plain_listener_stream_ends_when_the_backend_is_terminated() {
    let db = common::fresh_db().await;
    let mut listener = db.connect().await.into_listener();
    listener.listen("x").await.unwrap();
    let terminated = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&terminated);
    listener.connection().add_termination_listener(move |_| {
        t.fetch_add(1, Ordering::SeqCst);
    });
    terminate_others(&db.dsn()).await;
    let item = within(listener.next()).await.unwrap();
    assert!(item.is_err());
    assert!(within(listener.next()).await.is_none());
    assert_eq!(terminated.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn termination_listener_fires_once_when_the_server_ends_the_session() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&errors);
    conn.add_termination_listener(move |e| sink.lock().unwrap().push(e.to_string()));
    conn.execute("SELECT 1", &[]).await.unwrap();
    assert!(errors.lock().unwrap().is_empty());

    terminate_others(&db.dsn()).await;
    assert!(conn.execute("SELECT 1", &[]).await.is_err());
    assert!(conn.is_closed());
    assert!(conn.execute("SELECT 1", &[]).await.is_err());
    assert_eq!(errors.lock().unwrap().len(), 1);

    // A graceful close is not a termination.
    let mut conn = db.connect().await;
    let sink = Arc::clone(&errors);
    conn.add_termination_listener(move |e| sink.lock().unwrap().push(e.to_string()));
    conn.close().await.unwrap();
    assert_eq!(errors.lock().unwrap().len(), 1);
}
