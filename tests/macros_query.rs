//! The `query!` macro family end to end: every form runs on a connection and a transaction,
//! parameters and overrides work, `query_as!` honours `#[derive(FromRecord)]` attributes.
//!
//! The queries are checked at build time against `tests/sql/migrations/0001_macros_schema.sql`: live with
//! `DATABASE_URL`, otherwise from the committed `.quarry/` cache (`quarry prepare` refreshes it).

mod common;

use futures_util::TryStreamExt;

async fn db() -> quarry::Connection {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute(include_str!("sql/migrations/0001_macros_schema.sql"), &[])
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO macro_users(name, email, age, mood, tags) VALUES \
         ('Ann', 'ann@example.com', 31, 'happy', '{a,b}'), ('Bob', NULL, NULL, NULL, '{}')",
        &[],
    )
    .await
    .unwrap();
    conn
}

#[tokio::test]
async fn query_returns_typed_rows() {
    let mut conn = db().await;
    let min_age = 30i32;
    let rows = quarry::query!(
        "SELECT id AS \"id!\", name AS \"name!\", email, age FROM macro_users WHERE age >= $1",
        min_age
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let ann = &rows[0];
    let id: i32 = ann.id;
    let name: &String = &ann.name;
    assert_eq!((id, name.as_str()), (1, "Ann"));
    assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
    // `age >= $1` filters out NULLs: the analysis knows age is NOT NULL here.
    assert_eq!(ann.age, 31);
    assert!(format!("{ann:?}").contains("Ann"));
}

#[tokio::test]
async fn every_fetch_flavour() {
    let mut conn = db().await;
    let one = quarry::query!(
        "SELECT name AS \"name!\" FROM macro_users WHERE id = $1",
        2i32
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(one.name, "Bob");
    let none = quarry::query!(
        "SELECT name AS \"name!\" FROM macro_users WHERE id = $1",
        99i32
    )
    .fetch_row(&mut conn)
    .await
    .unwrap();
    assert!(none.is_none());
    let missing = quarry::query!(
        "SELECT name AS \"name!\" FROM macro_users WHERE id = $1",
        99i32
    )
    .fetch_one(&mut conn)
    .await;
    assert!(matches!(missing, Err(quarry::Error::RowNotFound { .. })));
    let names: Vec<String> =
        quarry::query_scalar!("SELECT name AS \"name!\" FROM macro_users ORDER BY id")
            .fetch_stream(&mut conn)
            .try_collect()
            .await
            .unwrap();
    assert_eq!(names, ["Ann", "Bob"]);
    let tag = quarry::query!("UPDATE macro_users SET age = age + 1 WHERE age IS NOT NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(tag.rows(), 1);
}

#[tokio::test]
async fn parameters_by_reference_option_and_override() {
    let mut conn = db().await;
    let name = String::from("Cy");
    let email: Option<&str> = None;
    let tags = vec!["x".to_owned()];
    let id = quarry::query_scalar!(
        "INSERT INTO macro_users(name, email, age, tags) VALUES ($1, $2, $3, $4) RETURNING id AS \"id!\"",
        &name,
        email,
        Some(40i32),
        tags
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(id, 3);
    // `as _` skips the parameter check; `as T` asserts the argument's type.
    let n = quarry::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM macro_users WHERE name = $1 OR age = $2",
        "Cy" as _,
        40i32 as i32
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 1i64);
    // Borrowed temporaries live as long as the query value.
    let q = quarry::query_scalar!("SELECT upper($1::text) AS \"u!\"", name.to_lowercase());
    assert_eq!(q.fetch_one(&mut conn).await.unwrap(), "CY");
}

/// A parameter of a NOT NULL domain refuses NULL whatever the query does with it: `query!` takes
/// the value itself (an `Option` is a compile error: macros/tests/ui/query/fail/
/// option_into_not_null_domain.rs), and the server does refuse a NULL, even one never used.
#[tokio::test]
async fn not_null_domain_parameters_take_values() {
    let mut conn = db().await;
    // As in 0003_nullability_schema.sql, which the build-time check sees.
    conn.execute("CREATE DOMAIN nn_int AS int NOT NULL", &[])
        .await
        .unwrap();
    let v: i32 = quarry::query_scalar!("SELECT $1::nn_int AS v", 7i32)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(v, 7);
    // `as _` skips the check: the server refuses the NULL when it is bound.
    let err = quarry::query_scalar!(
        "SELECT CASE WHEN false THEN $1::nn_int END AS v",
        None::<i32> as _
    )
    .fetch_one(&mut conn)
    .await
    .unwrap_err();
    let code = err.code().map(|c| c.code().to_owned());
    assert_eq!(code.as_deref(), Some("23502"), "{err}");
    let one = quarry::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(&mut conn)
        .await;
    assert_eq!(one.unwrap(), 1);
}

#[tokio::test]
async fn column_type_overrides_and_type_mapping() {
    let mut conn = db().await;
    let row = quarry::query!(
        "SELECT age AS \"age?: i64\", id AS \"id!: i64\", mood, tags AS \"tags!\" \
         FROM macro_users WHERE id = 1"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let age: Option<i64> = row.age;
    let id: i64 = row.id;
    assert_eq!((age, id), (Some(31), 1));
    // `macro_mood` (a nullable column) is mapped to `String` in quarry.toml.
    let mood: Option<String> = row.mood;
    assert_eq!(mood.as_deref(), Some("happy"));
    // The catalog says nothing of a `text[]` column's elements: they may be NULL.
    let tags: Vec<Option<String>> = row.tags;
    assert_eq!(tags, [Some("a".to_owned()), Some("b".to_owned())]);
    let happy = String::from("happy");
    let n = quarry::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM macro_users WHERE mood = $1",
        happy
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 1);
}

#[derive(Debug, quarry::FromRecord)]
struct User {
    #[quarry(rename = "user_id", try_from = "i32")]
    id: i64,
    name: String,
    #[quarry(default)]
    nickname: Option<String>,
    age: Option<i32>,
}

#[tokio::test]
async fn query_as_honours_from_record_attributes() {
    let mut conn = db().await;
    let users = quarry::query_as!(
        User,
        "SELECT id AS user_id, name, age FROM macro_users ORDER BY id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!((users[0].id, users[0].name.as_str()), (1, "Ann"));
    assert_eq!(users[0].age, Some(31));
    assert_eq!(users[1].age, None);
    assert!(users[0].nickname.is_none());
}

#[tokio::test]
async fn array_elements_are_options_unless_the_query_proves_them_non_null() {
    let mut conn = db().await;
    conn.execute("UPDATE macro_users SET tags = '{x,NULL}' WHERE id = 2", &[])
        .await
        .unwrap();
    let row = quarry::query!(
        "SELECT (SELECT array_agg(name ORDER BY id) FROM macro_users) AS names, \
         (SELECT array_agg(email ORDER BY id) FROM macro_users) AS emails, \
         ARRAY[1, 2] AS small, ARRAY(SELECT id FROM macro_users ORDER BY id) AS ids, \
         string_to_array('a,b', ',') AS parts, \
         (SELECT tags FROM macro_users WHERE id = 2) AS tags, \
         (SELECT tags FROM macro_users WHERE id = 1) AS \"typed: Vec<String>\""
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    // array_agg over no rows is NULL; its elements are `name`s, which are NOT NULL.
    let names: Option<Vec<String>> = row.names;
    assert_eq!(names.unwrap(), ["Ann", "Bob"]);
    let emails: Option<Vec<Option<String>>> = row.emails;
    assert_eq!(emails.unwrap(), [Some("ann@example.com".to_owned()), None]);
    let small: Vec<i32> = row.small;
    assert_eq!(small, [1, 2]);
    let ids: Vec<i32> = row.ids;
    assert_eq!(ids, [1, 2]);
    let parts: Vec<String> = row.parts;
    assert_eq!(parts, ["a", "b"]);
    // A table column's elements: a NULL element arrives as `None`, not as a decode error.
    let tags: Option<Vec<Option<String>>> = row.tags;
    assert_eq!(tags.unwrap(), [Some("x".to_owned()), None]);
    // An override names the type the user knows is right.
    let typed: Option<Vec<String>> = row.typed;
    assert_eq!(typed.unwrap(), ["a", "b"]);
}

/// A newtype over `i32`, checked by the macros wherever an `i32` would be.
#[derive(Debug, Clone, Copy, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct UserId(i32);

#[derive(Debug, quarry::FromRecord)]
struct UserRef {
    id: UserId,
    name: String,
    age: Option<UserAge>,
}

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct UserAge(i32);

#[tokio::test]
async fn newtypes_are_checked_as_their_field() {
    let mut conn = db().await;
    let users = quarry::query_as!(
        UserRef,
        "SELECT id, name, age FROM macro_users WHERE id >= $1 ORDER BY id",
        UserId(1)
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!((users[0].id, users[0].name.as_str()), (UserId(1), "Ann"));
    assert_eq!(users[0].age, Some(UserAge(31)));
    assert_eq!(users[1].age, None);
    let id = quarry::query_scalar!("SELECT id FROM macro_users WHERE id = $1", &users[1].id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(id, 2);
}

#[tokio::test]
async fn file_forms_and_transactions() {
    let mut conn = db().await;
    let mut tx = conn.transaction().await.unwrap();
    let n = quarry::query_file_scalar!("tests/sql/count_users.sql", 0i32)
        .fetch_one(&mut tx)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let row = quarry::query_file!("tests/sql/count_users.sql", 100i32)
        .fetch_one(&mut tx)
        .await
        .unwrap();
    assert_eq!(row.n, 0);
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn unchecked_forms_skip_parameter_checks() {
    let mut conn = db().await;
    // An `i64` for an `int4` parameter would not compile with `query!`; unchecked, the
    // driver checks at run time.
    let r = quarry::query_unchecked!("SELECT $1::int4 AS \"x!\"", 5i32)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(r.x, 5);
    let wrong = quarry::query_scalar_unchecked!("SELECT $1::int4 AS \"x!\"", 5i64)
        .fetch_one(&mut conn)
        .await;
    assert!(matches!(wrong, Err(quarry::Error::ParamType { .. })));
    let users =
        quarry::query_as_unchecked!(User, "SELECT id AS user_id, name, age FROM macro_users")
            .fetch(&mut conn)
            .await
            .unwrap();
    assert_eq!(users.len(), 2);
}

#[tokio::test]
async fn fetch_streams_rows_one_by_one_and_can_be_dropped_early() {
    use futures_util::StreamExt;
    let mut conn = db().await;
    {
        let mut rows = quarry::query_scalar!(
            "SELECT n AS \"n!\" FROM generate_series(1, $1) AS n",
            100_000i32
        )
        .fetch_stream(&mut conn);
        let mut seen = 0;
        while let Some(n) = rows.next().await {
            seen += 1;
            assert_eq!(n.unwrap(), seen);
            if seen == 3 {
                break; // the rest is drained by the connection's next request
            }
        }
        assert_eq!(seen, 3);
    }
    let n = quarry::query_scalar!("SELECT count(*) AS \"n!\" FROM macro_users")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let all: Vec<i32> =
        quarry::query_scalar!("SELECT n AS \"n!\" FROM generate_series(1, $1) AS n", 5i32)
            .fetch_stream(&mut conn)
            .try_collect()
            .await
            .unwrap();
    assert_eq!(all, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn query_as_widens_exactly_like_record_get() {
    // `Record::get::<i64>` reads an `int4` column, so a `query_as!` field may be an `i64` too.
    #[derive(quarry::FromRecord)]
    struct Wide {
        id: i64,
        age: Option<i64>,
    }
    let mut conn = db().await;
    let rows = quarry::query_as!(Wide, "SELECT id, age FROM macro_users ORDER BY id")
        .fetch(&mut conn)
        .await
        .unwrap();
    assert_eq!((rows[0].id, rows[0].age), (1, Some(31)));
    assert_eq!((rows[1].id, rows[1].age), (2, None));
    let record = conn
        .fetch_row("SELECT id FROM macro_users ORDER BY id", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.get::<i64>(0).unwrap(), rows[0].id);
}

#[tokio::test]
async fn bits_geometry_and_system_types_are_checked_at_compile_time() {
    use quarry::types::{BitString, Cid, PgLsn, Point, Tid, Xid};

    // Parameters of these types are checked against the table (`Point` for `point`, ...), and
    // `query_as!` fields too (a `$1::point` column may be NULL: `Option<Point>`).
    #[derive(quarry::FromRecord)]
    struct System {
        p: Option<Point>,
        bits: Option<BitString>,
        t: Tid,
        x: Xid,
        c: Cid,
        lsn: Option<PgLsn>,
    }
    let mut conn = db().await;
    let point = Point { x: 1.0, y: 2.0 };
    let bits: BitString = "101".parse().unwrap();
    let row = quarry::query_as!(
        System,
        "SELECT $1::point AS p, $2::varbit AS bits, '(3,4)'::tid AS t, '7'::xid AS x, \
         '5'::cid AS c, $3::pg_lsn AS lsn",
        point,
        &bits,
        PgLsn(0x16B_3748)
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(row.p, Some(point));
    assert_eq!(row.bits, Some(bits));
    assert_eq!((row.t.block, row.t.offset), (3, 4));
    assert_eq!(
        (row.x, row.c, row.lsn),
        (Xid(7), Cid(5), Some(PgLsn(0x16B_3748)))
    );
    let anonymous = quarry::query!("SELECT B'11'::bit(2) AS \"b!\", '(1,1),(0,0)'::box AS \"r!\"")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let _: BitString = anonymous.b;
    let _: quarry::types::Box = anonymous.r;
}

#[tokio::test]
async fn a_user_type_named_like_a_built_in_is_not_the_built_in() {
    // `public.box` is a domain over text: its column is a `String`, not `quarry::types::Box`.
    let mut conn = db().await;
    conn.execute("INSERT INTO macro_labels VALUES ('fragile')", &[])
        .await
        .unwrap();
    let row = quarry::query!("SELECT label FROM macro_labels")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let label: String = row.label;
    assert_eq!(label, "fragile");
}

/// Named parameters: `name = value` or the variable in scope, a name used twice bound once,
/// `IN (:list)` / `NOT IN (:list)` over a slice, and text that only looks like a parameter.
#[tokio::test]
async fn named_parameters_bind_by_name() {
    let mut conn = db().await;
    let name = "Ann";
    let rows = quarry::query!(
        "SELECT id, name, ':name' AS \"literal!\" FROM macro_users -- :not_a_parameter
         WHERE (name = :name OR email = :name) AND age >= :min::int4",
        min = 30,
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].name.as_str()), (1, "Ann"));
    assert_eq!(rows[0].literal, ":name");

    let ids = vec![2i32, 3];
    let in_list: Vec<String> =
        quarry::query_scalar!("SELECT name FROM macro_users WHERE id IN (:ids) ORDER BY id")
            .fetch(&mut conn)
            .await
            .unwrap();
    assert_eq!(in_list, ["Bob"]);
    let not_in: Vec<String> = quarry::query_scalar!(
        "SELECT name FROM macro_users WHERE id NOT IN (:ids) ORDER BY id",
        ids = &ids[..1],
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(not_in, ["Ann"]);
    let none: Vec<String> = quarry::query_scalar!(
        "SELECT name FROM macro_users WHERE id IN (:ids)",
        ids = Vec::<i32>::new()
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert!(none.is_empty());
}

/// Many rows in one statement: `VALUES :rows(field, ...)` sends one array per field and
/// inserts them with `UNNEST`, each field checked against its column's type.
#[tokio::test]
async fn a_slice_of_rows_is_inserted_in_one_statement() {
    #[derive(quarry::CopyRow)]
    struct NewUser {
        name: String,
        age: Option<i32>,
    }
    let mut conn = db().await;
    let users: Vec<NewUser> = (0..500)
        .map(|i| NewUser {
            name: format!("user {i}"),
            age: (i % 2 == 0).then_some(i),
        })
        .collect();
    let tag = quarry::query!("INSERT INTO macro_users (name, age) VALUES :users(name, age)")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(tag.rows(), 500);
    let pairs = vec![("x".to_owned(), 7i32), ("y".to_owned(), 8)];
    let ids: Vec<i32> = quarry::query_scalar!(
        "INSERT INTO macro_users (name, age) VALUES :rows(0, 1) RETURNING id",
        rows = &pairs,
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(ids.len(), 2);
    let (count, aged, sum): (i64, i64, i64) = conn
        .fetch_row_as(
            "SELECT count(*), count(age), coalesce(sum(age), 0) FROM macro_users WHERE name LIKE 'user %'",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (count, aged, sum),
        (500, 250, (0..500).step_by(2).sum::<i64>())
    );
    // For large batches, the same rows go through COPY.
    let copied = conn
        .copy_records_to_table("macro_users", &users, &["name", "age"], None)
        .await
        .unwrap();
    assert_eq!(copied, 500);
    let count: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM macro_users WHERE name LIKE 'user %'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(count, 1000);
    let none: Vec<NewUser> = Vec::new();
    let tag = quarry::query!("INSERT INTO macro_users (name, age) VALUES :none(name, age)")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(tag.rows(), 0);
}

/// Optional fragments: `{ ... }` is left out when a parameter in it is `None`; every
/// combination was described and checked at build time, and each runs here.
#[tokio::test]
async fn optional_fragments_run_the_variant_the_values_choose() {
    let mut conn = db().await;
    let cases: [(Option<&str>, Option<i32>, &[&str]); 4] = [
        (None, None, &["Ann", "Bob"]),
        (Some("Ann"), None, &["Ann"]),
        (None, Some(40), &[]),
        (Some("Ann"), Some(30), &["Ann"]),
    ];
    for (name, min_age, expected) in cases {
        let rows: Vec<String> = quarry::query_scalar!(
            "SELECT name FROM macro_users WHERE true
             { AND name = :name }
             { AND age >= :min_age }
             ORDER BY id"
        )
        .fetch(&mut conn)
        .await
        .unwrap();
        assert_eq!(rows, expected, "name {name:?}, min_age {min_age:?}");
        // The same through a stream and a single-row fetch.
        let streamed: Vec<String> = quarry::query_scalar!(
            "SELECT name FROM macro_users WHERE true
             { AND name = :name }
             { AND age >= :min_age }
             ORDER BY id"
        )
        .fetch_stream(&mut conn)
        .try_collect()
        .await
        .unwrap();
        assert_eq!(streamed, expected);
    }
    // A column nullable in one variant is nullable in the row type.
    let ages: Vec<Option<i32>> = quarry::query_scalar!(
        "SELECT age FROM macro_users WHERE true { AND age > :min } ORDER BY id",
        min = None::<i32>,
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(ages, [Some(31), None]);
}

/// `fetch_one` of a query with fragments that finds no row: `RowNotFound` names the SQL of the
/// variant that ran, not the text with every fragment.
#[tokio::test]
async fn no_row_names_the_variant_that_ran() {
    let mut conn = db().await;
    let name = Some("Nobody");
    let min_age: Option<i32> = None;
    let err = quarry::query_scalar!(
        "SELECT name FROM macro_users WHERE true
             { AND name = :name }
             { AND age >= :min_age }
             ORDER BY id"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap_err();
    let quarry::Error::RowNotFound { query } = &err else {
        panic!("not RowNotFound: {err}")
    };
    assert!(
        query.contains("AND name = $1") && !query.contains("age") && !query.contains('{'),
        "{query}"
    );
}

/// Choices: `{:sort => a | b}` runs the alternative an enum deriving `Choice` picks (each
/// described at build time), combined with optional fragments.
#[tokio::test]
async fn choices_pick_the_order_by() {
    #[derive(quarry::Choice, Clone, Copy, Debug)]
    enum Sort {
        Name,
        NewestFirst,
    }
    let mut conn = db().await;
    for (sort, name, expected) in [
        (Sort::Name, None, &["Ann", "Bob"][..]),
        (Sort::NewestFirst, None, &["Bob", "Ann"][..]),
        (Sort::NewestFirst, Some("Bob"), &["Bob"][..]),
    ] {
        let rows: Vec<String> = quarry::query_scalar!(
            "SELECT name FROM macro_users WHERE true { AND name = :name }
             ORDER BY {:sort => name | id DESC}"
        )
        .fetch(&mut conn)
        .await
        .unwrap();
        assert_eq!(rows, expected, "{sort:?} {name:?}");
    }
    // A usize picks too, checked at run time.
    let err = quarry::query_scalar!(
        "SELECT name FROM macro_users ORDER BY {:column => name | id}",
        column = 2usize,
    )
    .fetch(&mut conn)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("2 alternatives"), "{err}");
    let one: Vec<String> = quarry::query_scalar!(
        "SELECT name FROM macro_users ORDER BY {:column => name | id} LIMIT 1",
        column = 1usize,
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(one, ["Ann"]);
}

/// A transparent newtype over an `Option` (`#[derive(Type)]
/// #[quarry(transparent)]`) passes the parameter checks and sends `None` as NULL; its
/// `Encode::is_null` says so too, so the fragment is left out (it stayed in as `AND name =
/// NULL`, returning no rows, before the derive forwarded it).
#[tokio::test]
async fn a_transparent_none_leaves_its_fragment_out() {
    #[derive(quarry::Type)]
    #[quarry(transparent)]
    struct NameFilter(Option<String>);
    let mut conn = db().await;
    let name = NameFilter(None);
    let min_age: Option<i32> = None;
    let rows: Vec<String> = quarry::query_scalar!(
        "SELECT name FROM macro_users WHERE true
             { AND name = :name }
             { AND age >= :min_age }
             ORDER BY id"
    )
    .fetch(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        rows,
        ["Ann", "Bob"],
        "`NameFilter(None)` kept `AND name = NULL`"
    );
}
