//! Through a stock pgbouncer (started by the tests in front of a throwaway server), in session
//! and transaction pooling mode: connecting needs no pgbouncer settings, session-only features
//! are refused with an error naming the pooler, and under transaction pooling every other API
//! works for 32 concurrent tasks with each answer checked.

mod common;

use quarry::{Error, Pool, PoolerSeen};
use quarry_driver::ephemeral::PoolMode;

#[tokio::test]
async fn a_stock_pgbouncer_accepts_quarry_in_both_modes() {
    let db = common::fresh_db().await;
    for mode in [PoolMode::Session, PoolMode::Transaction] {
        let mut conn = quarry::connect(&db.dsn_through(mode))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e}\n{}",
                    mode.as_str(),
                    common::pooler::bouncer(mode).log_tail()
                )
            });
        let got: i64 = conn
            .fetch_val("SELECT $1::int8 * 2", &[&21i64])
            .await
            .unwrap();
        assert_eq!(got, 42, "{}", mode.as_str());
        // Floats come back exact without extra_float_digits at startup (binary format, and
        // shortest-exact text on PostgreSQL 12+).
        let third: f64 = conn.fetch_val("SELECT 1::float8 / 3", &[]).await.unwrap();
        assert_eq!(third, 1.0 / 3.0);
        let text: String = conn
            .fetch_val("SELECT (1::float8 / 3)::text", &[])
            .await
            .unwrap();
        assert_eq!(text.parse::<f64>().unwrap(), 1.0 / 3.0, "{text}");
        assert!(conn.behind_pooler().await.unwrap(), "{}", mode.as_str());
        conn.close().await.unwrap();
    }
    let mut direct = db.connect().await;
    assert!(!direct.behind_pooler().await.unwrap());
}

fn assert_refused(result: quarry::Result<()>, want: impl Fn(&PoolerSeen) -> bool, what: &str) {
    match result {
        Err(
            ref e @ Error::SessionFeatureThroughPooler {
                feature,
                ref pooler,
            },
        ) => {
            assert_eq!(feature, "LISTEN", "{what}");
            assert!(want(pooler), "{what}: {e}");
            let text = e.to_string();
            assert!(
                text.contains("LISTEN") && text.contains("pooler"),
                "{what}: {text}"
            );
        }
        other => panic!("{what}: LISTEN through a pooler gave {other:?}"),
    }
}

#[tokio::test]
async fn listen_through_a_transaction_pooler_is_an_error_naming_it() {
    let db = common::fresh_db().await;
    let dsn = db.dsn_through(PoolMode::Transaction);
    let detected = |p: &PoolerSeen| matches!(p, PoolerSeen::Detected { .. });

    let mut conn = quarry::connect(&dsn).await.unwrap();
    assert_refused(
        conn.add_listener("jobs", |_| {}).await,
        detected,
        "add_listener",
    );
    // The connection stays usable after the refusal.
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);

    let mut listener = quarry::Listener::connect(&dsn.parse().unwrap())
        .await
        .unwrap();
    assert_refused(listener.listen("jobs").await, detected, "Listener::listen");
    assert_refused(
        listener.listen_all(["a", "b"]).await,
        detected,
        "Listener::listen_all",
    );

    let pool = Pool::builder().max_size(2).build(&dsn).await.unwrap();
    let mut listener = pool.listener().await.unwrap();
    assert_refused(listener.listen("jobs").await, detected, "pool.listener()");

    // Declared in the DSN: refused without asking the server.
    let declared = format!("{dsn}&pooler=transaction");
    let mut conn = quarry::connect(&declared).await.unwrap();
    assert_refused(
        conn.add_listener("jobs", |_| {}).await,
        |p| *p == PoolerSeen::Declared,
        "pooler=transaction",
    );
}

#[tokio::test]
async fn listen_through_a_session_pooler_works_when_declared() {
    let db = common::fresh_db().await;
    let dsn = db.dsn_through(PoolMode::Session);
    // Undeclared, a session pooler cannot be told from a transaction pooler: refused.
    let mut listener = quarry::Listener::connect(&dsn.parse().unwrap())
        .await
        .unwrap();
    assert_refused(
        listener.listen("jobs").await,
        |p| matches!(p, PoolerSeen::Detected { .. }),
        "session pooler, pooler=auto",
    );
    let declared = format!("{dsn}&pooler=session");
    let mut listener = quarry::Listener::connect(&declared.parse().unwrap())
        .await
        .unwrap();
    listener.listen("jobs").await.unwrap();
    let mut direct = db.connect().await;
    direct
        .execute("NOTIFY jobs, 'through the pooler'", &[])
        .await
        .unwrap();
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
        .await
        .expect("the notification arrives through a session pooler")
        .unwrap();
    assert_eq!(
        (n.channel.as_str(), n.payload.as_str()),
        ("jobs", "through the pooler")
    );
}
