//! Nested results: a column aggregating rows — `array_agg(ROW(...))`, `array_agg(t)`,
//! `json_agg(json_build_object(...))`, `jsonb_agg(jsonb_build_object(...))` — read by `query!` as
//! `"col: Vec<Child>"`, the child's fields checked at build time against the rows' fields.
//!
//! Checked against `tests/sql/migrations/0001_macros_schema.sql` (live with `DATABASE_URL`,
//! else from `.quarry/`).

mod common;

async fn db() -> quarry::Connection {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute(include_str!("sql/migrations/0001_macros_schema.sql"), &[])
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO macro_users(name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', NULL);
         INSERT INTO macro_posts(author, title, score) VALUES (1, 'first', 1.5), (1, 'second', NULL)",
        &[],
    )
    .await
    .unwrap();
    conn
}

/// A post as a `ROW(p.id, p.title, p.score)`: fields named after the columns they read.
#[derive(quarry::FromRecord, serde::Deserialize, Debug, PartialEq)]
struct Post {
    id: i32,
    title: String,
    score: Option<f64>,
}

#[tokio::test]
async fn array_agg_of_row_reads_children() {
    let mut conn = db().await;
    let rows = quarry::query!(
        "SELECT u.name, array_agg(ROW(p.id, p.title, p.score) ORDER BY p.id) AS \"posts: Vec<Post>\"
         FROM macro_users u JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    // A group is never empty: the column is `Vec<Post>`, not an `Option`.
    let posts: &Vec<Post> = &rows[0].posts;
    assert_eq!(
        posts,
        &[
            Post {
                id: 1,
                title: "first".into(),
                score: Some(1.5)
            },
            Post {
                id: 2,
                title: "second".into(),
                score: None
            },
        ]
    );
}

/// `array_agg(p)`: the rows of a table, fields named and typed by the table's row type.
#[tokio::test]
async fn array_agg_of_table_rows_reads_children() {
    #[derive(quarry::FromRecord, Debug, PartialEq)]
    struct PostRow {
        id: i32,
        author: i32,
        title: String,
        score: Option<f64>,
    }
    let mut conn = db().await;
    let row = quarry::query!(
        "SELECT u.id, array_agg(p ORDER BY p.id) AS \"posts: Vec<PostRow>\"
         FROM macro_users u JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(row.posts.len(), 2);
    assert_eq!(
        row.posts[1],
        PostRow {
            id: 2,
            author: 1,
            title: "second".into(),
            score: None
        }
    );
}

/// `json_agg(json_build_object(...))` and `jsonb_agg(jsonb_build_object(...))`: the child is
/// `Deserialize` (what reads it) and `FromRecord` (what the macro checks its fields with).
#[tokio::test]
async fn json_agg_of_objects_reads_children() {
    let mut conn = db().await;
    let row = quarry::query!(
        "SELECT json_agg(json_build_object('id', p.id, 'title', p.title, 'score', p.score) ORDER BY p.id)
                AS \"posts: Vec<Post>\"
         FROM macro_posts p WHERE p.author = 1"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    // No GROUP BY: over no rows the aggregate is NULL, so the column is an `Option`.
    let posts: Vec<Post> = row.posts.unwrap();
    assert_eq!(posts[0].title, "first");
    assert_eq!(posts[1].score, None);

    let row = quarry::query!(
        "SELECT jsonb_agg(jsonb_build_object('id', p.id, 'title', p.title || '!', 'score', p.score)
                          ORDER BY p.id) AS \"posts: Vec<Post>\"
         FROM macro_posts p WHERE p.author = 1"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(row.posts.unwrap()[1].title, "second!");
}

/// An empty group: a scalar subquery's aggregate over no rows is NULL (`Option<Vec<_>>`), and
/// `coalesce(..., '{}')` / `coalesce(..., '[]')` make it an empty `Vec`.
#[tokio::test]
async fn no_children_is_none_or_empty() {
    let mut conn = db().await;
    let rows = quarry::query!(
        "SELECT u.name,
                (SELECT array_agg(ROW(p.id, p.title, p.score) ORDER BY p.id)
                   FROM macro_posts p WHERE p.author = u.id) AS \"maybe: Vec<Post>\",
                (SELECT coalesce(array_agg(ROW(p.id, p.title, p.score) ORDER BY p.id), '{}')
                   FROM macro_posts p WHERE p.author = u.id) AS \"posts: Vec<Post>\",
                (SELECT coalesce(json_agg(json_build_object('id', p.id, 'title', p.title,
                                                            'score', p.score)), '[]')
                   FROM macro_posts p WHERE p.author = u.id) AS \"json: Vec<Post>\"
         FROM macro_users u ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    let ann = &rows[0];
    let maybe: &Option<Vec<Post>> = &ann.maybe;
    assert_eq!(maybe.as_ref().map(Vec::len), Some(2));
    let posts: &Vec<Post> = &ann.posts;
    assert_eq!(posts.len(), 2);
    assert_eq!(ann.json.len(), 2);
    let bob = &rows[1];
    assert_eq!(bob.maybe, None);
    assert!(bob.posts.is_empty());
    assert!(bob.json.is_empty());
}

/// The rows of an outer join's nullable side: elements may be NULL, so `Vec<Option<_>>` (and
/// their fields count as nullable: the analysis does not tell a NULL row from a row of NULLs).
#[tokio::test]
async fn outer_join_rows_are_optional_elements() {
    #[derive(quarry::FromRecord, Debug)]
    struct PostRow {
        id: Option<i32>,
        title: Option<String>,
    }
    let mut conn = db().await;
    let rows = quarry::query!(
        "SELECT u.id, array_agg(p ORDER BY p.id) AS \"posts: Vec<Option<PostRow>>\"
         FROM macro_users u LEFT JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows[0].posts.len(), 2);
    assert_eq!(
        rows[0].posts[0].as_ref().unwrap().title.as_deref(),
        Some("first")
    );
    assert!(rows[1].posts[0].is_none(), "Bob's group holds one NULL row");
    let _ = rows[0].posts[1].as_ref().unwrap().id;
}
