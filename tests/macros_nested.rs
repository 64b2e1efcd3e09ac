//! Nested results: a column aggregating rows — `array_agg(ROW(...))`, `array_agg(t)`,
//! `json_agg(json_build_object(...))`, `jsonb_agg(jsonb_build_object(...))`, `json_agg(t)`,
//! `jsonb_agg(t)` — read by `query!` as `"col: Vec<Child>"`, the child's fields checked at build
//! time against the rows' fields.
//!
//! Checked against `tests/sql/migrations/0001_macros_schema.sql` and `0004_nested_json.sql`
//! (live with `DATABASE_URL`, else from `.quarry/`).

mod common;

async fn db() -> quarry::Connection {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    for schema in [
        include_str!("sql/migrations/0001_macros_schema.sql"),
        include_str!("sql/migrations/0004_nested_json.sql"),
    ] {
        conn.execute(schema, &[]).await.unwrap();
    }
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

/// A post as `json_agg(p)` writes it: every column of the table, keys named after them.
#[derive(quarry::FromRecord, serde::Deserialize, Debug, PartialEq)]
struct PostObject {
    id: i32,
    author: i32,
    title: String,
    score: Option<f64>,
}

/// `json_agg(t)` / `jsonb_agg(t.*)`: the rows of a table as JSON objects, their keys and types
/// the table's, checked like `array_agg(t)`; in a scalar subquery with `coalesce(..., '[]')`
/// an author without posts has an empty `Vec`.
#[tokio::test]
async fn json_agg_of_table_rows_reads_children() {
    let mut conn = db().await;
    let row = quarry::query!(
        "SELECT u.id, json_agg(p ORDER BY p.id) AS \"posts: Vec<PostObject>\"
         FROM macro_users u JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let posts: Vec<PostObject> = row.posts;
    assert_eq!(
        posts,
        [
            PostObject {
                id: 1,
                author: 1,
                title: "first".into(),
                score: Some(1.5)
            },
            PostObject {
                id: 2,
                author: 1,
                title: "second".into(),
                score: None
            },
        ]
    );

    let rows = quarry::query!(
        "SELECT u.name,
                (SELECT coalesce(jsonb_agg(p.* ORDER BY p.id), '[]')
                   FROM macro_posts p WHERE p.author = u.id) AS \"posts: Vec<PostObject>\"
         FROM macro_users u ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    let posts: &Vec<PostObject> = &rows[0].posts;
    assert_eq!(posts[1].title, "second");
    assert_eq!(posts[1].score, None);
    assert!(rows[1].posts.is_empty(), "Bob has no posts");
}

/// `json_agg(t)` over an outer join's nullable side: an author without posts has one JSON
/// `null` (`Vec<Option<_>>`), and the rows' fields count as nullable.
#[tokio::test]
async fn json_agg_of_outer_join_rows_has_null_children() {
    #[derive(quarry::FromRecord, serde::Deserialize, Debug)]
    struct PostTitle {
        id: Option<i32>,
        title: Option<String>,
    }
    let mut conn = db().await;
    let rows = quarry::query!(
        "SELECT u.id, json_agg(p ORDER BY p.id) AS \"posts: Vec<Option<PostTitle>>\"
         FROM macro_users u LEFT JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    let ann: &Vec<Option<PostTitle>> = &rows[0].posts;
    assert_eq!(ann.len(), 2);
    assert_eq!(ann[0].as_ref().unwrap().id, Some(1));
    assert_eq!(ann[1].as_ref().unwrap().title.as_deref(), Some("second"));
    assert_eq!(rows[1].posts.len(), 1);
    assert!(rows[1].posts[0].is_none(), "Bob's group holds one NULL row");
}

/// A row type's array column stays an array (`array_agg` of an array adds a dimension, not a
/// type, so the probe alone would not tell `text[]` from `text`): `array_agg(u)` and
/// `json_agg(u)` of users with `tags text[]`.
#[tokio::test]
async fn row_types_keep_their_array_columns() {
    #[derive(quarry::FromRecord, serde::Deserialize, Debug, PartialEq)]
    struct UserTags {
        id: i32,
        tags: Vec<Option<String>>,
    }
    let mut conn = db().await;
    conn.execute("UPDATE macro_users SET tags = '{x,NULL}' WHERE id = 1", &[])
        .await
        .unwrap();
    let row = quarry::query!(
        "SELECT array_agg(u ORDER BY u.id) AS \"rows: Vec<UserTags>\",
                json_agg(u ORDER BY u.id) AS \"objects: Vec<UserTags>\"
         FROM macro_users u"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let expected = [
        UserTags {
            id: 1,
            tags: vec![Some("x".into()), None],
        },
        UserTags {
            id: 2,
            tags: vec![],
        },
    ];
    assert_eq!(row.rows.unwrap(), expected);
    assert_eq!(row.objects.unwrap(), expected);
}

/// Anonymous rows' array fields stay arrays too: `ROW(u.id, u.tags)` and
/// `json_build_object('id', u.id, 'tags', u.tags)` (each field is also typed by a parameter of
/// the probe, `coalesce(field, $n)`, which the server types as the field exactly); a scalar
/// beside them stays a scalar.
#[tokio::test]
async fn anonymous_rows_keep_their_array_fields() {
    #[derive(quarry::FromRecord, serde::Deserialize, Debug, PartialEq)]
    struct Tagged {
        id: i32,
        tags: Vec<Option<String>>,
        email: Option<String>,
    }
    let mut conn = db().await;
    conn.execute("UPDATE macro_users SET tags = '{x,NULL}' WHERE id = 1", &[])
        .await
        .unwrap();
    let row = quarry::query!(
        "SELECT array_agg(ROW(u.id, u.tags, u.email) ORDER BY u.id) AS \"rows: Vec<Tagged>\",
                json_agg(json_build_object('id', u.id, 'tags', u.tags, 'email', u.email)
                         ORDER BY u.id) AS \"objects: Vec<Tagged>\"
         FROM macro_users u WHERE u.id > $1",
        0i32
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let expected = [
        Tagged {
            id: 1,
            tags: vec![Some("x".into()), None],
            email: Some("ann@example.com".into()),
        },
        Tagged {
            id: 2,
            tags: vec![],
            email: None,
        },
    ];
    assert_eq!(row.rows.unwrap(), expected);
    assert_eq!(row.objects.unwrap(), expected);
}

/// An event as `json_agg(e)` writes it: a timestamptz and a date as ISO strings (chrono's serde
/// reads them), a numeric as a number (`f64`), a bytea as `\x...` hex (`String`), an int8 as
/// an exact number, a text[] as an array, a jsonb as itself.
#[derive(quarry::FromRecord, serde::Deserialize, Debug, PartialEq)]
struct Event {
    id: i32,
    post: Option<i32>,
    at: chrono::DateTime<chrono::Utc>,
    day: Option<chrono::NaiveDate>,
    amount: Option<f64>,
    payload: Option<String>,
    ratio: Option<f64>,
    big: Option<i64>,
    tags: Option<Vec<Option<String>>>,
    meta: Option<serde_json::Value>,
}

#[tokio::test]
async fn json_agg_of_rows_reads_what_to_json_writes() {
    let mut conn = db().await;
    conn.execute(
        "SET TIME ZONE 'Europe/Paris';
         INSERT INTO macro_events VALUES
           (1, 1, '2024-01-02 03:04:05.123456+00', '2024-02-29', 0.1, '\\x01ff', 2.5,
            9223372036854775807, '{a,NULL}', '{\"k\": [1, null]}'),
           (2, NULL, '1999-12-31 23:59:59+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        &[],
    )
    .await
    .unwrap();
    let events = quarry::query!(
        "SELECT coalesce(json_agg(e ORDER BY e.id), '[]') AS \"events: Vec<Event>\"
         FROM macro_events e"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .events;
    use chrono::TimeZone;
    assert_eq!(
        events[0],
        Event {
            id: 1,
            post: Some(1),
            at: chrono::Utc
                .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
                .unwrap()
                .checked_add_signed(chrono::Duration::microseconds(123_456))
                .unwrap(),
            day: chrono::NaiveDate::from_ymd_opt(2024, 2, 29),
            amount: Some(0.1),
            payload: Some("\\x01ff".into()),
            ratio: Some(2.5),
            big: Some(i64::MAX),
            tags: Some(vec![Some("a".into()), None]),
            meta: Some(serde_json::json!({"k": [1, null]})),
        }
    );
    assert_eq!(
        events[1],
        Event {
            id: 2,
            post: None,
            at: chrono::Utc
                .with_ymd_and_hms(1999, 12, 31, 23, 59, 59)
                .unwrap(),
            day: None,
            amount: None,
            payload: None,
            ratio: None,
            big: None,
            tags: None,
            meta: None,
        }
    );

    // A value no JSON number holds is a string: `NaN` fails to read, naming the element.
    conn.execute("UPDATE macro_events SET ratio = 'NaN' WHERE id = 2", &[])
        .await
        .unwrap();
    let err = quarry::query!(
        "SELECT coalesce(json_agg(e ORDER BY e.id), '[]') AS \"events: Vec<Event>\"
         FROM macro_events e"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("element 1"), "{err}");
}

/// `query_as!` with `#[quarry(nested)]` fields: an array of composites (`array_agg(ROW(...))`,
/// `array_agg(t)`) read by the child's `FromRecord`, the `ROW(...)`'s field names handed over
/// by the macro; checked at build time like the `query!` form.
#[tokio::test]
async fn query_as_reads_nested_fields() {
    #[derive(quarry::FromRecord, Debug)]
    struct Author {
        name: String,
        #[quarry(nested)]
        posts: Vec<Post>,
    }
    #[derive(quarry::FromRecord, Debug)]
    struct PostTitle {
        id: Option<i32>,
        title: Option<String>,
    }
    #[derive(quarry::FromRecord, Debug)]
    struct Everyone {
        name: String,
        #[quarry(nested)]
        maybe: Option<Vec<Post>>,
        #[quarry(nested)]
        joined: Vec<Option<PostTitle>>,
    }
    let mut conn = db().await;
    let authors = quarry::query_as!(
        Author,
        "SELECT u.name, array_agg(ROW(p.id, p.title, p.score) ORDER BY p.id) AS posts
         FROM macro_users u JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(authors.len(), 1);
    assert_eq!(authors[0].name, "Ann");
    assert_eq!(
        authors[0].posts,
        [
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

    // Empty groups and an outer join's NULL rows.
    let rows = quarry::query_as!(
        Everyone,
        "SELECT u.name,
                (SELECT array_agg(ROW(q.id, q.title, q.score) ORDER BY q.id)
                   FROM macro_posts q WHERE q.author = u.id) AS maybe,
                array_agg(p ORDER BY p.id) AS joined
         FROM macro_users u LEFT JOIN macro_posts p ON p.author = u.id
         GROUP BY u.id ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    let (ann, bob) = (&rows[0], &rows[1]);
    assert_eq!(ann.maybe.as_ref().map(Vec::len), Some(2));
    assert_eq!(ann.joined.len(), 2);
    assert_eq!(
        ann.joined[1].as_ref().unwrap().title.as_deref(),
        Some("second")
    );
    assert_eq!(ann.joined[0].as_ref().unwrap().id, Some(1));
    assert_eq!(bob.name, "Bob");
    assert!(
        bob.maybe.is_none(),
        "no posts: the subquery's aggregate is NULL"
    );
    assert_eq!(bob.joined.len(), 1);
    assert!(bob.joined[0].is_none(), "Bob's group holds one NULL row");
}

/// `query_as!` with `#[quarry(nested, json)]` fields: `json_agg(t)` and
/// `jsonb_agg(jsonb_build_object(...))` read by serde, their keys checked at build time.
#[tokio::test]
async fn query_as_reads_nested_json_fields() {
    #[derive(quarry::FromRecord, Debug)]
    struct Author {
        name: String,
        #[quarry(nested, json)]
        posts: Vec<PostObject>,
        #[quarry(nested, json, rename = "titles")]
        built: Option<Vec<Post>>,
    }
    let mut conn = db().await;
    let rows = quarry::query_as!(
        Author,
        "SELECT u.name,
                (SELECT coalesce(json_agg(p ORDER BY p.id), '[]')
                   FROM macro_posts p WHERE p.author = u.id) AS posts,
                (SELECT jsonb_agg(jsonb_build_object('id', p.id, 'title', upper(p.title),
                                                     'score', p.score) ORDER BY p.id)
                   FROM macro_posts p WHERE p.author = u.id) AS titles
         FROM macro_users u ORDER BY u.id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    let (ann, bob) = (&rows[0], &rows[1]);
    assert_eq!((ann.name.as_str(), bob.name.as_str()), ("Ann", "Bob"));
    assert_eq!(ann.posts.len(), 2);
    assert_eq!(ann.posts[0].score, Some(1.5));
    assert_eq!(ann.posts[1].author, 1);
    assert_eq!(ann.built.as_ref().unwrap()[1].title, "SECOND");
    assert!(bob.posts.is_empty());
    assert!(bob.built.is_none());
}
