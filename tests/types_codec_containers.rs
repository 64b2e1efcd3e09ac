//! Custom codecs reach the containers of their type: arrays (1-D and N-D, as parameters and
//! columns), ranges, domains, composites and dynamic `Value`s, for text and binary codecs — and
//! with PostGIS, arrays of `geometry` through a WKB-style binary codec.

mod common;

use quarry::types::{Array, BoxError, Custom, Dimension, Range, TypeCodec, Value};

fn float_codec() -> TypeCodec {
    TypeCodec::text(
        |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
        |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
    )
}

/// A Rust type of our own for `int4`, through a binary codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Count(u16);

fn count_codec() -> TypeCodec {
    TypeCodec::binary(
        |x: &Count| -> Result<Vec<u8>, BoxError> { Ok(i32::from(x.0).to_be_bytes().to_vec()) },
        |raw: &[u8]| -> Result<Count, BoxError> {
            Ok(Count(u16::try_from(i32::from_be_bytes(raw.try_into()?))?))
        },
    )
}

#[tokio::test]
async fn text_codec_elements_of_arrays_ranges_and_domains() {
    let mut conn = common::connect().await;
    conn.execute("CREATE DOMAIN amount AS numeric", &[])
        .await
        .unwrap();
    conn.set_type_codec("numeric", float_codec()).await.unwrap();

    // Columns: arrays (with NULLs, 2-D), ranges and arrays of a domain over numeric.
    let row = conn
        .fetch_row(
            "SELECT ARRAY[1.5, NULL, 2.25]::numeric[] AS a, '[1.5,2.5)'::numrange AS r,
                    ARRAY[[1, 2], [3, 4]]::numeric[] AS grid, ARRAY[0.5]::amount[] AS d",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let a: Vec<Option<Custom<f64>>> = row.get("a").unwrap();
    assert_eq!(a, vec![Some(Custom(1.5)), None, Some(Custom(2.25))]);
    let r: Range<Custom<f64>> = row.get("r").unwrap();
    assert_eq!(
        r,
        Range::NonEmpty {
            lower: std::ops::Bound::Included(Custom(1.5)),
            upper: std::ops::Bound::Excluded(Custom(2.5)),
        }
    );
    let grid: Array<Custom<f64>> = row.get("grid").unwrap();
    assert_eq!(grid.dims.len(), 2);
    assert_eq!(
        grid.elements.iter().map(|c| c.0).collect::<Vec<_>>(),
        [1.0, 2.0, 3.0, 4.0]
    );
    let d: Vec<Custom<f64>> = row.get("d").unwrap();
    assert_eq!(d, vec![Custom(0.5)]);
    // Dynamic values go through the codec too.
    let Value::Array(array) = row.value("a").unwrap() else {
        panic!("an array")
    };
    let items = array.elements;
    assert!(matches!(&items[0], Value::Custom(v) if v.downcast_ref::<f64>() == Some(&1.5)));
    assert_eq!(items[1], Value::Null);

    // Parameters: a text-codec array is sent in text, NULLs, 2-D and lower bounds included.
    let sent = vec![Some(Custom(0.1f64)), None, Some(Custom(-3.0e-5))];
    let row = conn
        .fetch_row("SELECT $1::numeric[]::text, $1::numeric[]", &[&sent])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<String>(0).unwrap(), "{0.1,NULL,-0.00003}");
    assert_eq!(
        row.get::<Vec<Option<Custom<f64>>>>(1).unwrap(),
        vec![Some(Custom(0.1)), None, Some(Custom(-0.00003))]
    );
    let shifted = Array::new(
        vec![
            Dimension {
                len: 2,
                lower_bound: 0,
            },
            Dimension {
                len: 1,
                lower_bound: -3,
            },
        ],
        vec![Custom(1.25f64), Custom(2.0)],
    )
    .unwrap();
    let text: String = conn
        .fetch_val("SELECT $1::numeric[]::text", &[&shifted])
        .await
        .unwrap();
    assert_eq!(text, "[0:1][-3:-3]={{1.25},{2}}");
    let back: Array<Custom<f64>> = conn
        .fetch_val("SELECT $1::numeric[]", &[&shifted])
        .await
        .unwrap();
    assert_eq!(back, shifted);
    let empty: String = conn
        .fetch_val("SELECT $1::numeric[]::text", &[&Vec::<Custom<f64>>::new()])
        .await
        .unwrap();
    assert_eq!(empty, "{}");
    // A domain parameter over numeric takes the codec's type.
    let x: String = conn
        .fetch_val("SELECT $1::amount::text", &[&Custom(7.5f64)])
        .await
        .unwrap();
    assert_eq!(x, "7.5");

    // After reset_type_codec, containers decode with the built-in codec again.
    conn.reset_type_codec("numeric").await.unwrap();
    let v: Vec<rust_decimal::Decimal> = conn
        .fetch_val("SELECT ARRAY[1.5]::numeric[]", &[])
        .await
        .unwrap();
    assert_eq!(v, vec![rust_decimal::Decimal::new(15, 1)]);
}

#[tokio::test]
async fn binary_codec_elements_of_arrays_ranges_and_composites() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE counted AS (n int4, label text)", &[])
        .await
        .unwrap();
    conn.set_type_codec("int4", count_codec()).await.unwrap();
    let row = conn
        .fetch_row(
            "SELECT ARRAY[1, 2, NULL] AS a, int4range(3, 9) AS r, ROW(5, 'x')::counted AS c,
                    $1::int4[] AS sent",
            &[&vec![Custom(Count(7)), Custom(Count(8))]],
        )
        .await
        .unwrap()
        .unwrap();
    let a: Vec<Option<Custom<Count>>> = row.get("a").unwrap();
    assert_eq!(
        a,
        vec![Some(Custom(Count(1))), Some(Custom(Count(2))), None]
    );
    let r: Range<Custom<Count>> = row.get("r").unwrap();
    assert_eq!(
        r,
        Range::NonEmpty {
            lower: std::ops::Bound::Included(Custom(Count(3))),
            upper: std::ops::Bound::Excluded(Custom(Count(9))),
        }
    );
    let c: (Custom<Count>, String) = row.get("c").unwrap();
    assert_eq!(c, (Custom(Count(5)), "x".to_owned()));
    let sent: Vec<Custom<Count>> = row.get("sent").unwrap();
    assert_eq!(sent, vec![Custom(Count(7)), Custom(Count(8))]);
    let debug = format!("{row:?}");
    assert!(
        debug.contains("Count(1)") && debug.contains("Count(5)"),
        "{debug}"
    );
    // A value the codec refuses is an error naming the element; the connection stays usable.
    let err = conn
        .fetch_val::<Vec<Custom<Count>>>("SELECT ARRAY[1, -1]", &[])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("element 1"), "{err}");
    let ok: i64 = conn.fetch_val("SELECT 1::int8", &[]).await.unwrap();
    assert_eq!(ok, 1);
}

/// A 2-D point read from (E)WKB, enough for `ST_MakePoint`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

fn point_codec() -> TypeCodec {
    TypeCodec::binary(
        |p: &Point| -> Result<Vec<u8>, BoxError> {
            let mut out = vec![1];
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&p.x.to_le_bytes());
            out.extend_from_slice(&p.y.to_le_bytes());
            Ok(out)
        },
        |raw: &[u8]| -> Result<Point, BoxError> {
            // Little-endian WKB point, no SRID: 1 + 4 + 8 + 8 bytes.
            let raw: &[u8; 21] = raw.try_into()?;
            let f = |at: usize| -> Result<f64, BoxError> {
                Ok(f64::from_le_bytes(raw[at..at + 8].try_into()?))
            };
            Ok(Point {
                x: f(5)?,
                y: f(13)?,
            })
        },
    )
}

#[tokio::test]
async fn arrays_of_postgis_geometry_through_a_codec() {
    let mut conn = common::connect().await;
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis", &[])
        .await
        .expect("PostGIS must be installed on the test server (scripts/test installs it)");
    conn.set_type_codec("geometry", point_codec())
        .await
        .unwrap();
    let row = conn
        .fetch_row(
            "SELECT ARRAY[ST_MakePoint(1, 2), ST_MakePoint(-73.985661, 40.748447)] AS pts,
                    $1::geometry[] AS sent, ST_AsText(($1::geometry[])[2]) AS second",
            &[&vec![
                Custom(Point { x: 0.5, y: 1.5 }),
                Custom(Point { x: 3.0, y: 4.0 }),
            ]],
        )
        .await
        .unwrap()
        .unwrap();
    let pts: Vec<Custom<Point>> = row.get("pts").unwrap();
    assert_eq!(
        pts[1].0,
        Point {
            x: -73.985661,
            y: 40.748447
        }
    );
    let sent: Vec<Custom<Point>> = row.get("sent").unwrap();
    assert_eq!(sent[0].0, Point { x: 0.5, y: 1.5 });
    assert_eq!(row.get::<String>("second").unwrap(), "POINT(3 4)");
}
