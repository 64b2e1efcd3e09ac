//! Records and composites against a real server: anonymous records into tuples, NULL fields,
//! nested records, dynamic values, and (with the type registry) user composites both ways.

mod common;

use quarry::types::Value;

#[tokio::test]
async fn anonymous_records_into_tuples() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT (1, 'a') AS pair, ROW(2, NULL::text, ROW(3, 'x'), ARRAY[4, 5]) AS nested",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<(i32, String)>("pair").unwrap(),
        (1, "a".to_owned())
    );
    let nested: (i32, Option<String>, (i32, &str), Vec<i32>) = row.get("nested").unwrap();
    assert_eq!(nested, (2, None, (3, "x"), vec![4, 5]));
    assert_eq!(
        row.value("nested").unwrap().to_string(),
        "(2, None, (3, 'x'), [4, 5])"
    );
    assert_eq!(
        row.value("pair").unwrap(),
        Value::Record(vec![(None, Value::Int(1)), (None, Value::Text("a".into()))])
    );
}

#[tokio::test]
async fn record_errors_name_the_field_and_the_connection_survives() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT ROW(1, NULL::int4) AS r", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<(i32, i32)>("r").unwrap_err().to_string();
    assert!(err.contains("#1") && err.contains("NULL"), "{err}");
    let err = row.get::<(i32, i32, i32)>("r").unwrap_err().to_string();
    assert!(err.contains("2 fields"), "{err}");
    let err = row.get::<(bool, Option<i32>)>("r").unwrap_err().to_string();
    assert!(err.contains("#0") && err.contains("int4"), "{err}");
    assert_eq!(row.get::<(i32, Option<i32>)>("r").unwrap(), (1, None));
    // PostgreSQL cannot receive an anonymous record parameter: a clear error, not a broken connection.
    assert!(
        conn.fetch_row("SELECT $1::record", &[&(1i32,)])
            .await
            .is_err()
    );
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn records_with_fields_without_binary_codec() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT ROW(1, 'a:1'::tsvector) AS r", &[])
        .await
        .unwrap()
        .unwrap();
    // Fields arrive in binary; one Quarry cannot decode stays raw in a dynamic Value.
    let Value::Record(fields) = row.value("r").unwrap() else {
        panic!("a record")
    };
    assert_eq!(fields.first().map(|f| &f.1), Some(&Value::Int(1)));
    assert_eq!(fields.len(), 2);
}

/// User composites get a `Kind::Composite` from the type registry (merged separately).
#[tokio::test]
async fn user_composites_both_ways() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE inner_t AS (x int4, label text)", &[])
        .await
        .unwrap();
    conn.execute(
        "CREATE TYPE outer_t AS (id int8, inr inner_t, tags text[])",
        &[],
    )
    .await
    .unwrap();
    let value = (7i64, (1i32, Some("a b")), vec!["t"]);
    let row = conn
        .fetch_row(
            "SELECT $1::outer_t, $1::outer_t::text, ROW(8, NULL, '{}')::outer_t",
            &[&value],
        )
        .await
        .unwrap()
        .unwrap();
    let back: (i64, (i32, Option<String>), Vec<String>) = row.get(0).unwrap();
    assert_eq!(back, (7, (1, Some("a b".to_owned())), vec!["t".to_owned()]));
    assert_eq!(row.get::<String>(1).unwrap(), r#"(7,"(1,""a b"")",{t})"#);
    type Outer = (i64, Option<(i32, Option<String>)>, Vec<String>);
    let with_null: Outer = row.get(2).unwrap();
    assert_eq!(with_null, (8, None, vec![]));
    assert_eq!(
        row.value(2).unwrap().to_string(),
        "<Record id=8 inr=None tags=[]>"
    );
}

/// The round-trip suite's `comp`: a `jsonpath` field (no binary codec in Quarry), an enum with
/// odd labels and a domain.
const COMP: &str = r#"
CREATE TYPE odd AS ENUM ('a b', 'quote"d', 'back\slash');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE TYPE comp AS (i int4, t text, e odd, j jsonpath, d posint);
"#;

#[derive(Debug, PartialEq, Clone, quarry::Type)]
struct Comp {
    i: Option<i32>,
    t: Option<String>,
    e: Option<String>,
    j: Option<String>,
    d: Option<i32>,
}

/// A composite with a field Quarry has no binary codec for arrives in text; tuples and derived
/// structs read it field by field (alone and in arrays, escapes included) and send it back.
#[tokio::test]
async fn composites_with_text_only_fields_both_ways() {
    let mut conn = common::connect().await;
    conn.execute(COMP, &[]).await.unwrap();
    let literal = r#"'(1,"a ""q"" \\ b","quote""d","$.""a\\""b""",5)'::comp"#;
    let sql = format!(
        "SELECT {literal} AS c, ARRAY[{literal}, NULL, '(,,,,)'::comp] AS cs, \
         ({literal})::text AS c_text, (ARRAY[{literal}, NULL, '(,,,,)'::comp])::text AS cs_text"
    );
    let row = conn.fetch_row(sql.as_str(), &[]).await.unwrap().unwrap();
    let want = Comp {
        i: Some(1),
        t: Some(r#"a "q" \ b"#.into()),
        e: Some(r#"quote"d"#.into()),
        j: Some(r#"$."a\"b""#.into()),
        d: Some(5),
    };
    type Tuple = (i32, String, String, String, i32);
    let tuple: Tuple = row.get("c").unwrap();
    assert_eq!(
        tuple,
        (
            1,
            want.t.clone().unwrap(),
            want.e.clone().unwrap(),
            want.j.clone().unwrap(),
            5
        )
    );
    assert_eq!(row.get::<Comp>("c").unwrap(), want);
    let empty = Comp {
        i: None,
        t: None,
        e: None,
        j: None,
        d: None,
    };
    let structs: Vec<Option<Comp>> = row.get("cs").unwrap();
    assert_eq!(structs, [Some(want.clone()), None, Some(empty.clone())]);
    type Nullable = (
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i32>,
    );
    let tuples: Vec<Option<Nullable>> = row.get("cs").unwrap();
    assert_eq!(tuples[2], Some((None, None, None, None, None)));
    // Sent back (in binary, the jsonpath field in its binary form), identical.
    let c_text: String = row.get("c_text").unwrap();
    let cs_text: String = row.get("cs_text").unwrap();
    for param in [&tuple as quarry::Param, &want] {
        let back: String = conn
            .fetch_val("SELECT $1::comp::text", &[param])
            .await
            .unwrap();
        assert_eq!(back, c_text);
    }
    for param in [&structs as quarry::Param, &tuples] {
        let back: String = conn
            .fetch_val("SELECT $1::comp[]::text", &[param])
            .await
            .unwrap();
        assert_eq!(back, cs_text);
    }
    // Value still reads and sends it (as its text).
    let value = row.value("c").unwrap();
    let back: String = conn
        .fetch_val("SELECT $1::comp::text", &[&value])
        .await
        .unwrap();
    assert_eq!(back, c_text);
}

/// A field whose text has no exact binary form Quarry can write (`tsvector`, `tsquery`, `money`)
/// sends the whole composite in text, as a record literal; without one, it goes in binary (the
/// snapshot converted into its binary form).
#[tokio::test]
async fn text_only_fields_send_the_record_in_text() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TYPE doc AS (id int4, words tsvector, snap txid_snapshot)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT '(1,"a:1 b:2","10:20:10,14")'::doc"#;
    let doc: (i32, String, String) = conn.fetch_val(sql, &[]).await.unwrap();
    assert_eq!(doc, (1, "'a':1 'b':2".to_owned(), "10:20:10,14".to_owned()));
    let back: String = conn
        .fetch_val("SELECT $1::doc::text", &[&doc])
        .await
        .unwrap();
    assert_eq!(back, r#"(1,"'a':1 'b':2","10:20:10,14")"#);
    // Without the tsvector, the snapshot goes in its binary form.
    let back: String = conn
        .fetch_val(
            "SELECT $1::doc::text",
            &[&(2i32, None::<String>, "10:20:10,14")],
        )
        .await
        .unwrap();
    assert_eq!(back, r#"(2,,"10:20:10,14")"#);
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

const NOTE: &str = r#"
CREATE TYPE mood AS ENUM ('ok', 'so "so"');
CREATE TYPE note AS (
    id int8, words tsvector, q tsquery, price money, body text, at timestamptz, day date,
    span int4range, tags text[], m mood, raw bytea, amount numeric, ok bool, f float8,
    pair_ip inet, dur interval, maybe int4
);
"#;

#[derive(Debug, PartialEq, Clone, quarry::Type)]
struct Note {
    id: i64,
    words: String,
    q: Option<String>,
    price: String,
    body: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
    day: chrono::NaiveDate,
    span: quarry::types::Range<i32>,
    tags: Vec<Option<String>>,
    m: String,
    raw: Vec<u8>,
    amount: quarry::types::Numeric,
    ok: bool,
    f: f64,
    pair_ip: quarry::types::IpNetwork,
    dur: quarry::types::Interval,
    maybe: Option<i32>,
}

/// A tuple or derived struct with a `String` for `tsvector`, `tsquery` or `money` goes as a record
/// literal in text (every other field rendered as its type's text, quoted by `record_in`'s
/// rules), alone, NULL-filled and in arrays; what the server reads back prints as the original.
#[tokio::test]
async fn records_with_text_only_fields_are_sent_in_text() {
    use chrono::TimeZone;
    let mut conn = common::connect().await;
    conn.execute(NOTE, &[]).await.unwrap();
    let note = Note {
        id: -9_000_000_000,
        words: "'a':1 'b c':2 'it''s':3".into(),
        q: Some("'x' & !'y'".into()),
        price: "$1,234.50".into(),
        body: Some("a (b), \"c\" \\ d\te ".into()),
        at: chrono::Utc
            .with_ymd_and_hms(2001, 2, 3, 4, 5, 6)
            .unwrap()
            .checked_add_signed(chrono::Duration::microseconds(7))
            .unwrap(),
        day: chrono::NaiveDate::from_ymd_opt(-44, 3, 15).unwrap(),
        span: quarry::types::Range::from(1..10),
        tags: vec![
            Some("x y".into()),
            None,
            Some(String::new()),
            Some("NULL".into()),
        ],
        m: "so \"so\"".into(),
        raw: vec![0, 1, 0xfe, b'\\'],
        amount: "-12.3400".parse().unwrap(),
        ok: true,
        f: 0.1,
        pair_ip: "10.1.2.3/8".parse().unwrap(),
        dur: quarry::types::Interval {
            months: 14,
            days: -3,
            microseconds: -3_723_000_004,
        },
        maybe: None,
    };
    conn.execute("SET TimeZone = 'Asia/Kolkata'", &[])
        .await
        .unwrap();
    let sent: String = conn
        .fetch_val("SELECT $1::note::text", &[&note])
        .await
        .unwrap();
    // The server's own rendering of the same value, read back from it.
    let read: Note = conn
        .fetch_val("SELECT $1::text::note", &[&sent])
        .await
        .unwrap();
    assert_eq!(read, note);
    let again: String = conn
        .fetch_val("SELECT $1::note::text", &[&read])
        .await
        .unwrap();
    assert_eq!(again, sent);
    assert!(
        sent.contains("$1,234.50") && sent.contains("'x' & !'y'"),
        "{sent}"
    );
    // Arrays of such records (array literal of record literals), NULL elements included.
    let notes = vec![Some(note.clone()), None, Some(note.clone())];
    let back: Vec<Option<Note>> = conn
        .fetch_val("SELECT $1::note[]", &[&notes])
        .await
        .unwrap();
    assert_eq!(back, notes);
    // A tuple in text too, with NULLs and an empty string.
    type Small = (i32, Option<String>, String);
    conn.execute("CREATE TYPE small AS (i int4, w tsvector, t text)", &[])
        .await
        .unwrap();
    for small in [
        (1, None, String::new()),
        (2, Some("'a'".to_owned()), "(,)".to_owned()),
    ] {
        let text: String = conn
            .fetch_val("SELECT $1::small::text", &[&small])
            .await
            .unwrap();
        let back: Small = conn
            .fetch_val("SELECT $1::text::small", &[&text])
            .await
            .unwrap();
        assert_eq!(back, small);
    }
    let text: String = conn
        .fetch_val("SELECT $1::small::text", &[&(1, None::<String>, "")])
        .await
        .unwrap();
    assert_eq!(text, r#"(1,,"")"#);
}

/// A composite that arrives in text reads into `Value::Record`, each field as the `Value` its
/// type reads (text-only fields as `Value::Text`), and is sent back (in text) unchanged.
#[tokio::test]
async fn text_composites_are_value_records_both_ways() {
    let mut conn = common::connect().await;
    conn.execute(NOTE, &[]).await.unwrap();
    let literal = r#"'(7,"a:1 b:2","x & y","$3.00","a ""b"" \\ c","2001-02-03 04:05:06.000007+00",2020-01-02,"[1,5)","{a,NULL,""b c""}","so ""so""","\\x00ff",1.50,t,0.1,10.0.0.1/8,"1 mon 2 days 00:00:03",)'::note"#;
    let row = conn
        .fetch_row(
            format!("SELECT {literal} AS n, ({literal})::text AS t, ARRAY[{literal}, NULL] AS ns, (ARRAY[{literal}, NULL])::text AS ts").as_str(),
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let Value::Record(fields) = row.value("n").unwrap() else {
        panic!("a record: {:?}", row.value("n"))
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("id"), Value::Int(7));
    assert_eq!(field("words"), Value::Text("'a':1 'b':2".into()));
    assert_eq!(field("body"), Value::Text(r#"a "b" \ c"#.into()));
    assert!(
        matches!(field("at"), Value::TimestampTz(_)),
        "{:?}",
        field("at")
    );
    assert!(matches!(field("day"), Value::Date(_)));
    assert!(
        matches!(field("span"), Value::Range(_)),
        "{:?}",
        field("span")
    );
    assert!(matches!(field("tags"), Value::Array(_)));
    assert_eq!(field("m"), Value::Text(r#"so "so""#.into()));
    assert_eq!(field("raw"), Value::Bytes(vec![0, 0xff]));
    assert!(matches!(field("amount"), Value::Numeric(_)));
    assert_eq!(field("ok"), Value::Bool(true));
    assert_eq!(field("f"), Value::Float(0.1));
    assert!(matches!(field("pair_ip"), Value::Network(_)));
    assert!(matches!(field("dur"), Value::Interval(_)));
    assert_eq!(field("maybe"), Value::Null);
    // Binary composites read into the same variants: the representation depends on the type.
    let binary = conn
        .fetch_row(
            "SELECT ROW(7, 1.50::numeric, '[1,5)'::int4range, '2020-01-02'::date)",
            &[],
        )
        .await
        .unwrap()
        .unwrap()
        .value(0)
        .unwrap();
    let Value::Record(binary) = binary else {
        panic!("a record")
    };
    assert_eq!(binary[0].1, field("id"));
    assert_eq!(binary[1].1, field("amount"));
    assert_eq!(binary[2].1, field("span"));
    assert_eq!(binary[3].1, field("day"));
    // Sent back: the same text.
    let t: String = row.get("t").unwrap();
    let back: String = conn
        .fetch_val("SELECT $1::note::text", &[&row.value("n").unwrap()])
        .await
        .unwrap();
    assert_eq!(back, t);
    let ts: String = row.get("ts").unwrap();
    let back: String = conn
        .fetch_val("SELECT $1::note[]::text", &[&row.value("ns").unwrap()])
        .await
        .unwrap();
    assert_eq!(back, ts);
}

/// Arrays of composites holding `citext` and `hstore` (no codec registered) read and go back.
#[tokio::test]
async fn arrays_of_records_with_citext_and_hstore_fields() {
    use std::collections::BTreeMap;
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore; \
         CREATE TYPE tagged2 AS (id int4, name citext, attrs hstore)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT ARRAY[ROW(7, 'Mixed "Case"', 'a=>1, b=>NULL')::tagged2, NULL,
                 ROW(NULL, NULL, NULL)::tagged2]"#;
    type Tagged = (
        Option<i32>,
        Option<String>,
        Option<BTreeMap<String, Option<String>>>,
    );
    let tagged: Vec<Option<Tagged>> = conn.fetch_val(sql, &[]).await.unwrap();
    let attrs = BTreeMap::from([
        ("a".to_owned(), Some("1".to_owned())),
        ("b".to_owned(), None),
    ]);
    assert_eq!(
        tagged,
        [
            Some((Some(7), Some(r#"Mixed "Case""#.to_owned()), Some(attrs))),
            None,
            Some((None, None, None)),
        ]
    );
    let same: bool = conn
        .fetch_val(
            format!("SELECT $1::tagged2[]::text = ({sql})::text").as_str(),
            &[&tagged],
        )
        .await
        .unwrap();
    assert!(same);
}
