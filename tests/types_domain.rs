//! Domains against a real server: a domain over a scalar type decodes into (and is sent from) the
//! base type's Rust types — a domain over `int4` is an `i32`, over `numeric` a `Decimal`, over
//! `timestamptz` a `DateTime<Utc>` — through domains over domains, arrays of domains and domains
//! over arrays; a CHECK violation is a server error that leaves the connection usable.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use quarry::types::{Kind, Value};
use rust_decimal::Decimal;

async fn with_domains(conn: &mut quarry::Connection) {
    conn.execute(
        "CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
         CREATE DOMAIN posint_too AS posint;
         CREATE DOMAIN price AS numeric(12, 2);
         CREATE DOMAIN moment AS timestamptz;
         CREATE DOMAIN day AS date;
         CREATE DOMAIN label AS text;
         CREATE DOMAIN flags AS bool;
         CREATE DOMAIN ints AS int4[];
         CREATE TYPE line_item AS (qty posint, price price, at moment);",
        &[],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn domains_over_scalars_decode_as_their_base_type() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    with_domains(&mut conn).await;
    let row = conn
        .fetch_row(
            "SELECT 5::posint AS p, 7::posint_too AS pp, 12.50::price AS price,
                    '2024-03-10 07:00:00+00'::moment AS m, '2000-02-29'::day AS d,
                    'hi'::label AS l, true::flags AS f, '{1,2}'::ints AS ints,
                    ARRAY[3, 4]::posint[] AS arr",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    // Result columns of a domain are described with the base type; arrays of a domain (and
    // composite fields, below) carry the domain itself.
    assert_eq!(row.columns()[0].pg_type().name(), "int4");
    let Kind::Array(elem) = row.columns()[8].pg_type().kind() else {
        panic!("posint[] is an array")
    };
    assert!(matches!(elem.kind(), Kind::Domain(base) if base.name() == "int4"));
    assert_eq!(row.get::<i32>("p").unwrap(), 5);
    assert_eq!(row.get::<i64>("p").unwrap(), 5);
    assert_eq!(row.get::<i32>("pp").unwrap(), 7);
    assert_eq!(row.get::<Decimal>("price").unwrap(), Decimal::new(1250, 2));
    assert_eq!(row.get::<Decimal>("price").unwrap().to_string(), "12.50");
    let moment: DateTime<Utc> = "2024-03-10T07:00:00Z".parse().unwrap();
    assert_eq!(row.get::<DateTime<Utc>>("m").unwrap(), moment);
    assert_eq!(
        row.get::<NaiveDate>("d").unwrap(),
        NaiveDate::from_ymd_opt(2000, 2, 29).unwrap()
    );
    assert_eq!(row.get::<&str>("l").unwrap(), "hi");
    assert!(row.get::<bool>("f").unwrap());
    assert_eq!(row.get::<Vec<i32>>("ints").unwrap(), vec![1, 2]);
    assert_eq!(row.get::<Vec<i32>>("arr").unwrap(), vec![3, 4]);
    // Dynamic values see through the domain too.
    assert_eq!(row.value("p").unwrap(), Value::Int(5));
    assert_eq!(row.value("pp").unwrap(), Value::Int(7));
    assert_eq!(row.value("m").unwrap(), Value::TimestampTz(moment.into()));
    assert_eq!(
        row.value("ints").unwrap(),
        Value::Array(quarry::types::Array::from_vec(vec![
            Value::Int(1),
            Value::Int(2)
        ]))
    );
    let debug = format!("{row:?}");
    assert!(debug.contains("p=5") && debug.contains("l='hi'"), "{debug}");
    // A wrong Rust type still names the column and both types.
    let err = row.get::<String>("arr").unwrap_err().to_string();
    assert!(err.contains("_posint") && err.contains("String"), "{err}");
}

#[tokio::test]
async fn domain_parameters_take_base_type_values() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    with_domains(&mut conn).await;
    let moment: DateTime<Utc> = "1999-12-31T23:59:59.5Z".parse().unwrap();
    let price = Decimal::new(-99_999, 2);
    let row = conn
        .fetch_row(
            "SELECT $1::posint, $1::posint::text, $2::price, $2::price::text, $3::moment,
                    $4::posint[], $5::ints, $6::label",
            &[&41i32, &price, &moment, &vec![1i32, 2], &vec![3i32], &"x y"],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<i32>(0).unwrap(), 41);
    assert_eq!(row.get::<String>(1).unwrap(), "41");
    assert_eq!(row.get::<Decimal>(2).unwrap(), price);
    assert_eq!(row.get::<String>(3).unwrap(), "-999.99");
    assert_eq!(row.get::<DateTime<Utc>>(4).unwrap(), moment);
    assert_eq!(row.get::<Vec<i32>>(5).unwrap(), vec![1, 2]);
    assert_eq!(row.get::<Vec<i32>>(6).unwrap(), vec![3]);
    assert_eq!(row.get::<String>(7).unwrap(), "x y");

    // The domain's CHECK is the server's to enforce; the connection survives the violation.
    let err = conn
        .fetch_val::<i32>("SELECT $1::posint", &[&-1i32])
        .await
        .unwrap_err();
    assert!(err.as_db_error().is_some(), "{err}");
    let err = conn
        .fetch_val::<Vec<i32>>("SELECT $1::posint[]", &[&vec![1i32, 0]])
        .await
        .unwrap_err();
    assert!(err.as_db_error().is_some(), "{err}");
    let back: i32 = conn.fetch_val("SELECT $1::posint", &[&3i32]).await.unwrap();
    assert_eq!(back, 3);
}

#[tokio::test]
async fn composite_fields_of_domain_types() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    with_domains(&mut conn).await;
    let at: DateTime<Utc> = "2024-11-03T06:30:00Z".parse().unwrap();
    let item = (2i32, Decimal::new(999, 2), at);
    let row = conn
        .fetch_row(
            "SELECT ROW(3, 1.5, '2024-11-03 06:30:00+00')::line_item AS lit, $1::line_item AS sent,
                    ARRAY[ROW(1, 2, NULL)::line_item] AS many",
            &[&item],
        )
        .await
        .unwrap()
        .unwrap();
    let lit: (i32, Decimal, DateTime<Utc>) = row.get("lit").unwrap();
    assert_eq!(lit, (3, Decimal::new(15, 1), at));
    assert_eq!(
        row.get::<(i32, Decimal, DateTime<Utc>)>("sent").unwrap(),
        item
    );
    let many: Vec<(i64, Decimal, Option<DateTime<Utc>>)> = row.get("many").unwrap();
    assert_eq!(many, vec![(1, Decimal::new(2, 0), None)]);
    let Value::Record(fields) = row.value("lit").unwrap() else {
        panic!("a record")
    };
    assert_eq!(fields[0], (Some("qty".to_owned()), Value::Int(3)));
}
