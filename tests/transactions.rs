//! Transactions: options checked through `current_setting`, commit, rollback, savepoints, and
//! the rollback of a transaction dropped without commit.

mod common;

use quarry::IsolationLevel;

async fn setting(conn: &mut quarry::Connection, name: &str) -> String {
    conn.fetch_val(format!("SELECT current_setting('{name}')"), &[])
        .await
        .unwrap()
}

#[tokio::test]
async fn options_reach_the_server() {
    let mut conn = common::connect().await;
    let cases = [
        (IsolationLevel::Serializable, "serializable"),
        (IsolationLevel::RepeatableRead, "repeatable read"),
        (IsolationLevel::ReadCommitted, "read committed"),
        (IsolationLevel::ReadUncommitted, "read uncommitted"),
    ];
    for (level, expected) in cases {
        let mut tx = conn
            .build_transaction()
            .isolation(level)
            .start()
            .await
            .unwrap();
        assert_eq!(setting(&mut tx, "transaction_isolation").await, expected);
        tx.commit().await.unwrap();
    }
    let mut tx = conn
        .build_transaction()
        .isolation(IsolationLevel::Serializable)
        .read_only(true)
        .deferrable(true)
        .start()
        .await
        .unwrap();
    assert_eq!(setting(&mut tx, "transaction_read_only").await, "on");
    assert_eq!(setting(&mut tx, "transaction_deferrable").await, "on");
    let err = tx
        .execute("CREATE TABLE nope(a int4)", &[])
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "25006", "{err}");
    tx.rollback().await.unwrap();
    assert!(!conn.is_in_transaction());
}

#[tokio::test]
async fn commit_and_rollback() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();

    let mut tx = conn.transaction().await.unwrap();
    assert!(tx.is_in_transaction());
    tx.execute("INSERT INTO t VALUES ($1)", &[&1i32])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES ($1)", &[&2i32])
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let values: Vec<i32> = conn
        .fetch("SELECT a FROM t ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(values, [1]);
}

#[tokio::test]
async fn nested_transactions_are_savepoints() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();

    let mut outer = conn.transaction().await.unwrap();
    outer
        .execute("INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap();
    {
        let mut inner = outer.transaction().await.unwrap();
        assert_eq!(inner.depth(), 2);
        inner
            .execute("INSERT INTO t VALUES (2)", &[])
            .await
            .unwrap();
        {
            let mut innermost = inner.transaction().await.unwrap();
            innermost
                .execute("INSERT INTO t VALUES (3)", &[])
                .await
                .unwrap();
            innermost.commit().await.unwrap();
        }
        // Rolling back the middle level undoes 2 and 3, keeps 1.
        inner.rollback().await.unwrap();
    }
    {
        let mut inner = outer.transaction().await.unwrap();
        // A failing statement inside a savepoint does not doom the outer transaction.
        assert!(inner.execute("SELECT 1/0", &[]).await.is_err());
        inner.rollback().await.unwrap();
    }
    outer
        .execute("INSERT INTO t VALUES (4)", &[])
        .await
        .unwrap();
    outer.commit().await.unwrap();

    let values: Vec<i32> = conn
        .fetch("SELECT a FROM t ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(values, [1, 4]);
}

#[tokio::test]
async fn dropped_transactions_roll_back() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();
    {
        let mut tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
        // Dropped without commit.
    }
    {
        let mut tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
        {
            let mut sp = tx.transaction().await.unwrap();
            sp.execute("INSERT INTO t VALUES (3)", &[]).await.unwrap();
            // The savepoint is dropped: only 3 goes.
        }
        tx.commit().await.unwrap();
    }
    let values: Vec<i32> = conn
        .fetch("SELECT a FROM t ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(values, [2]);
    assert!(!conn.is_in_transaction());
}
