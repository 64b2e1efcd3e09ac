//! The round-trip suite: every value of every built-in type the server has with binary I/O (read
//! from `pg_type`) and of the seed's conversion table is fetched, decoded, sent back as a
//! parameter and rendered by the server, and the two renderings (`::text`) must be identical —
//! through the table's Rust type (and its lossless `value` type where it has one), through
//! `String` for types without a codec, and through `Value`. NULL round-trips as NULL for every
//! type and its array type. Samples include extremes and special values (NaN, ±Infinity, -0,
//! infinite dates), arrays of 1 to 6 dimensions with lower bounds other than 1 and NULL
//! elements, ranges and multiranges with every kind of bound, domains, enums with odd labels and
//! composites.
//!
//! A Rust type that decodes a value must send it back exactly; the only exceptions are the
//! documented lossy ones in [`LOSSY`].

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Debug;

use quarry::types::table::{self, Row, Visit};
use quarry::types::{Array, Decode, Encode, Kind, Multirange, PgType, Range, Type};
use quarry::{Connection, Record, Result};

/// Rust types that read a type but may not give every value back (README's Types table).
const LOSSY: &[(&str, &str)] = &[
    // serde_json::Value reorders keys, drops whitespace and rounds numbers to f64.
    ("json", "serde_json::value::Value"),
    ("jsonb", "serde_json::value::Value"),
];

/// Built-in types and values of each, as the text of an SQL literal (`'text'::type`). The type
/// may carry a modifier (`bit(3)`).
const SCALARS: &[(&str, &[&str])] = &[
    ("bool", &["t", "f"]),
    ("bytea", &[r"\x", r"\x00ff7f80"]),
    ("\"char\"", &["a", "", r"\"]),
    ("name", &["n", "ünï", "a\"b"]),
    (
        "int8",
        &["-9223372036854775808", "9223372036854775807", "0"],
    ),
    ("int2", &["-32768", "32767", "0"]),
    ("int4", &["-2147483648", "2147483647", "0"]),
    ("regproc", &["now", "-"]),
    (
        "text",
        &["", "ünïcødé ✓", r#"a"b\c"#, "line\nbreak", "NULL"],
    ),
    ("oid", &["0", "4294967295"]),
    ("tid", &["(0,0)", "(4294967295,65535)"]),
    ("xid", &["0", "4294967295"]),
    ("cid", &["0", "4294967295"]),
    ("json", &[r#"{"a": [1, 2.5, null, "x\"y"]}"#, "[]", "null"]),
    ("xml", &[r#"<a b="c">x</a>"#, "plain text"]),
    ("point", &["(1.5,-2)", "(0,0)", "(1e+300,-1e-300)"]),
    ("lseg", &["[(1,2),(3,4)]"]),
    ("path", &["[(1,2),(3,4)]", "((1,2),(3,4),(5,6))"]),
    ("box", &["(3,4),(1,2)"]),
    ("polygon", &["((1,2),(3,4),(5,0))"]),
    ("line", &["{1,2,3}"]),
    ("cidr", &["10.0.0.0/8", "2001:db8::/32", "192.168.1.5/32"]),
    (
        "float4",
        &[
            "NaN",
            "Infinity",
            "-Infinity",
            "-0",
            "1e-45",
            "3.4028235e+38",
            "0.1",
        ],
    ),
    (
        "float8",
        &[
            "NaN",
            "Infinity",
            "-Infinity",
            "-0",
            "5e-324",
            "1.7976931348623157e+308",
            "0.1",
        ],
    ),
    ("circle", &["<(1,2),3>"]),
    ("macaddr8", &["08:00:2b:01:02:03:04:05"]),
    (
        "money",
        &[
            "-92233720368547758.08",
            "92233720368547758.07",
            "0",
            "12.34",
        ],
    ),
    ("macaddr", &["08:00:2b:01:02:03", "ff:ff:ff:ff:ff:ff"]),
    (
        "inet",
        &[
            "192.168.0.1",
            "192.168.0.1/24",
            "::1",
            "2001:db8::1/64",
            "::ffff:1.2.3.4",
        ],
    ),
    ("bpchar", &["ab", ""]),
    ("character(4)", &["ab"]),
    ("varchar", &["", "v"]),
    ("varchar(3)", &["abc"]),
    (
        "date",
        &[
            "2024-02-29",
            "4713-01-01 BC",
            "262142-12-31",
            "infinity",
            "-infinity",
        ],
    ),
    (
        "time",
        // 24:00:00 has no NaiveTime: `time_24_00_is_a_clear_error` below.
        &["00:00:00", "23:59:59.999999", "12:34:56.5"],
    ),
    (
        "timestamp",
        &[
            "2000-01-01 00:00:00",
            "4713-11-24 00:00:00 BC",
            "262142-12-31 23:59:59.999999",
            "infinity",
            "-infinity",
            "2024-02-29 12:34:56.123456",
        ],
    ),
    (
        "timestamptz",
        &[
            "2000-01-01 00:00:00+00",
            "2024-06-01 12:00:00+05:30",
            "infinity",
            "-infinity",
            "1900-01-01 00:00:00.000001+00",
        ],
    ),
    (
        "interval",
        &[
            "1 year 2 mons 3 days 04:05:06.789",
            "-178000000 years",
            "178000000 years",
            "1 day -00:00:01",
            "0",
            "00:00:00.000001",
        ],
    ),
    (
        "timetz",
        &["12:34:56+02", "00:00:00-15:59", "23:59:59.999999+15:59"],
    ),
    ("bit(3)", &["101"]),
    ("bit(11)", &["10101010101"]),
    (
        "varbit",
        &[
            "",
            "1",
            "10110",
            "1011001110001111000011111000001111110000001111111",
        ],
    ),
    (
        "numeric",
        &[
            "0",
            "NaN",
            "Infinity",
            "-Infinity",
            "1.500",
            "-123456789012345678901234567890.123456789",
            "0.000000000000000000001",
            "99999999999999999999999999999999999999",
        ],
    ),
    ("refcursor", &["cur", ""]),
    ("regprocedure", &["now()", "-"]),
    ("regoper", &["||/"]),
    ("regoperator", &["+(integer,integer)"]),
    ("regclass", &["pg_class", "-"]),
    ("regtype", &["integer", "-"]),
    (
        "uuid",
        &[
            "00000000-0000-0000-0000-000000000000",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ],
    ),
    ("txid_snapshot", &["10:20:10,14,15", "1:1:"]),
    ("pg_lsn", &["0/0", "FFFFFFFF/FFFFFFFF", "16/B374D848"]),
    ("tsvector", &["a fat cat:1A sat:2B,3", ""]),
    ("tsquery", &["fat & (rat | cat)", "!a <-> b:*"]),
    ("regconfig", &["simple"]),
    ("regdictionary", &["simple"]),
    (
        "jsonb",
        &[r#"{"a": [1, 2.5, null]}"#, "1e-20", "[]", r#""ünï""#],
    ),
    (
        "jsonpath",
        &["$.a[*] ? (@ > 1)", r#"$."a\"b""#, "strict $.x"],
    ),
    ("regnamespace", &["pg_catalog"]),
    ("regrole", &["postgres"]),
    ("regcollation", &["\"default\"", "\"C\""]),
    ("pg_snapshot", &["10:20:10,14,15", "1:1:"]),
    ("xid8", &["0", "18446744073709551615"]),
    ("int2vector", &["1 2 3", "", "-32768"]),
    ("oidvector", &["1 2", ""]),
];

/// Range and multirange types, with every kind of bound.
const RANGES: &[(&str, &[&str])] = &[
    (
        "int4range",
        &[
            "empty",
            "[1,5)",
            "(,5)",
            "[1,)",
            "(,)",
            "[-2147483648,2147483647)",
        ],
    ),
    ("int8range", &["empty", "[1,5)", "(,)"]),
    (
        "numrange",
        &[
            "empty",
            "[1.5,2.5]",
            "(1.5,2.5)",
            "(,2.5]",
            "[1.5,)",
            "(,)",
            "[1,1]",
            "(-Infinity,Infinity)",
        ],
    ),
    (
        "daterange",
        &[
            "empty",
            "[2024-01-01,2024-02-01)",
            "[-infinity,infinity)",
            "(,2024-01-01)",
        ],
    ),
    (
        "tsrange",
        &[
            "empty",
            "[\"2024-01-01 00:00:00\",\"2024-01-02 00:00:00\"]",
            "(\"2024-01-01 00:00:00\",)",
            "(,infinity]",
            "[-infinity,)",
        ],
    ),
    (
        "tstzrange",
        &[
            "[\"2024-01-01 00:00:00+00\",\"2024-01-02 00:00:00+00\")",
            "(,)",
        ],
    ),
    ("int4multirange", &["{}", "{[1,3),[5,7)}", "{(,1),[3,)}"]),
    ("int8multirange", &["{[1,2)}"]),
    ("nummultirange", &["{[1.5,2.5],(3,)}", "{}"]),
    (
        "datemultirange",
        &["{[2024-01-01,2024-02-01),[2024-03-01,)}"],
    ),
    ("tsmultirange", &["{}", "{[\"2024-01-01 00:00:00\",)}"]),
    ("tstzmultirange", &["{(,)}"]),
];

/// User types: domains, an enum with odd labels, composites (ones without binary I/O in Quarry:
/// `comp`'s `jsonpath` field, `textonly` nesting every text-only type), a range over float8.
const SCHEMA: &str = r#"
CREATE TYPE odd AS ENUM ('a b', 'quote"d', 'back\slash', 'ünï', 'NULL', ' lead', 'comma,brace{}');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE DOMAIN label AS text;
CREATE DOMAIN cents AS numeric(10,2);
CREATE DOMAIN ints AS int4[];
CREATE TYPE comp AS (i int4, t text, e odd, j jsonpath, d posint);
CREATE TYPE bincomp AS (i int4, t text, f float8[], e odd);
CREATE TYPE textonly AS (j jsonpath, v tsvector, q tsquery, s txid_snapshot, p pg_snapshot,
    r refcursor, m money, x xml, iv int2vector, c comp);
CREATE TYPE floatrange AS RANGE (subtype = float8);
"#;

const USER: &[(&str, &[&str])] = &[
    (
        "odd",
        &[
            "a b",
            "quote\"d",
            "back\\slash",
            "ünï",
            "NULL",
            " lead",
            "comma,brace{}",
        ],
    ),
    ("posint", &["5"]),
    ("label", &["x\"y"]),
    ("cents", &["12.50"]),
    ("ints", &["{1,NULL,3}", "[0:1]={1,2}"]),
    (
        "comp",
        &[r#"(1,"a ""q""","a b","$.""a\\""b""",5)"#, "(,,,,)"],
    ),
    ("bincomp", &[r#"(1,"x,y","{1.5,NaN,NULL}",NULL)"#, "(,,,)"]),
    (
        "textonly",
        &[
            r#"("$.a ? (@ == ""x"")","'a':1 b:2B","'a' & !'b'","10:20:10,14","10:20:10,14",cur,12.34,"<x a=""1"">y</x>","1 2","(1,x,""a b"",$,5)")"#,
            "(,,,,,,,,,)",
        ],
    ),
    (
        "textonly[]",
        &[r#"{"(\"$.a\",a:1,a,1:1:,1:1:,c,0,<x/>,1,)",NULL}"#],
    ),
    ("floatrange", &["[1.5,2.5)", "empty", "(,)"]),
    ("floatmultirange", &["{[1,2),[3,)}"]),
    ("odd[]", &[r#"{"a b","quote\"d",NULL,"back\\slash"}"#]),
    ("comp[]", &[r#"{"(1,x,\"a b\",$,5)",NULL}"#]),
    ("bincomp[]", &[r#"{"(1,x,{2},\"ünï\")",NULL}"#]),
    ("posint[]", &["[2:3]={7,NULL}"]),
];

/// A decoded value ready to be sent back.
type Sender = Box<dyn Fn(&Record) -> Result<Box<dyn Encode + Send + Sync>> + Send + Sync>;

/// The Rust types a PostgreSQL type round-trips through, lossless (`value`) type first.
#[derive(Default)]
struct Senders {
    scalar: HashMap<&'static str, Vec<(&'static str, Sender)>>,
    array: HashMap<&'static str, Vec<(&'static str, Sender)>>,
    range: HashMap<&'static str, Vec<(&'static str, Sender)>>,
    multirange: HashMap<&'static str, Vec<(&'static str, Sender)>>,
    range_array: HashMap<&'static str, Vec<(&'static str, Sender)>>,
    multirange_array: HashMap<&'static str, Vec<(&'static str, Sender)>>,
}

fn sender<T>() -> (&'static str, Sender)
where
    T: for<'r> Decode<'r> + Encode + Type + Send + Sync + 'static,
{
    (
        std::any::type_name::<T>(),
        Box::new(
            |r: &Record| Ok(Box::new(r.get::<Option<T>>(0)?) as Box<dyn Encode + Send + Sync>),
        ),
    )
}

impl Senders {
    fn add<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
    {
        self.scalar.entry(row.name).or_default().push(sender::<T>());
        self.array
            .entry(row.name)
            .or_default()
            .push(sender::<Array<Option<T>>>());
        self.range
            .entry(row.name)
            .or_default()
            .push(sender::<Range<T>>());
        self.multirange
            .entry(row.name)
            .or_default()
            .push(sender::<Multirange<T>>());
        self.range_array
            .entry(row.name)
            .or_default()
            .push(sender::<Array<Option<Range<T>>>>());
        self.multirange_array
            .entry(row.name)
            .or_default()
            .push(sender::<Array<Option<Multirange<T>>>>());
    }
}

impl Visit for Senders {
    fn row(&mut self, _row: Row) {}
    fn rust<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
    {
        self.add::<T>(row);
    }
    fn reads<T>(&mut self, _row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static,
    {
    }
    fn decodes<T>(&mut self, _row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static,
    {
    }
    fn sends<T>(&mut self, _row: Row)
    where
        T: Type + ?Sized,
    {
    }
    fn value<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
    {
        // The lossless type goes first: it must hold every value.
        self.add::<T>(row);
        for list in [
            &mut self.scalar,
            &mut self.array,
            &mut self.range,
            &mut self.multirange,
            &mut self.range_array,
            &mut self.multirange_array,
        ] {
            if let Some(senders) = list.get_mut(row.name) {
                let last = senders.len() - 1;
                senders.swap(0, last);
            }
        }
    }
}

/// The subtype of a range type's ranges, and of a multirange type's.
fn subtype(ty: &PgType) -> Option<&PgType> {
    match ty.kind() {
        Kind::Range(sub) => Some(sub.base()),
        Kind::Multirange(range) => subtype(range),
        Kind::Domain(base) => subtype(base),
        _ => None,
    }
}

/// The Rust types a column of `ty` goes through: the table's, else `String` (or an array of
/// `String`) for types received in text.
fn typed<'s>(
    senders: &'s Senders,
    ty: &PgType,
    text: &'s [(&'static str, Sender)],
) -> &'s [(&'static str, Sender)] {
    let (string, string_array) = text.split_at(1);
    let sub = subtype(ty).map(PgType::name);
    match ty.kind() {
        Kind::Domain(base) => typed(senders, base, text),
        Kind::Array(elem) => {
            let elem = elem.base();
            let sub = subtype(elem).map(PgType::name);
            match elem.kind() {
                Kind::Range(_) => sub
                    .and_then(|s| senders.range_array.get(s))
                    .map_or(&[][..], Vec::as_slice),
                Kind::Multirange(_) => sub
                    .and_then(|s| senders.multirange_array.get(s))
                    .map_or(&[][..], Vec::as_slice),
                // Arrays of binary records have no Rust type here (the derive tests cover them).
                Kind::Composite(_) if elem.has_binary_codec() => &[],
                Kind::Enum(_) | Kind::Composite(_) => string_array,
                _ => senders
                    .array
                    .get(elem.name())
                    .map_or(string_array, Vec::as_slice),
            }
        }
        Kind::Range(_) => sub
            .and_then(|s| senders.range.get(s))
            .map_or(&[][..], Vec::as_slice),
        Kind::Multirange(_) => sub
            .and_then(|s| senders.multirange.get(s))
            .map_or(&[][..], Vec::as_slice),
        Kind::Composite(_) if ty.has_binary_codec() => &[],
        _ => senders.scalar.get(ty.name()).map_or(string, Vec::as_slice),
    }
}

/// Text-format types go through `String`, arrays of them through `Array<Option<String>>`.
fn text_senders() -> Vec<(&'static str, Sender)> {
    vec![sender::<String>(), sender::<Array<Option<String>>>()]
}

/// The SQL literal `'text'::ty`.
fn literal(text: &str, ty: &str) -> String {
    format!("'{}'::{ty}", text.replace('\'', "''"))
}

struct Suite {
    conn: Connection,
    senders: Senders,
    text: Vec<(&'static str, Sender)>,
    failures: Vec<String>,
    casts: HashMap<(u32, i32), String>,
    seen: BTreeSet<String>,
    /// Round trips made: (value, Rust type) pairs.
    trips: usize,
}

impl Suite {
    async fn new() -> Suite {
        let mut conn = common::connect().await;
        conn.execute(SCHEMA, &[]).await.unwrap();
        let mut senders = Senders::default();
        table::visit(&mut senders);
        Suite {
            conn,
            senders,
            text: text_senders(),
            failures: Vec::new(),
            casts: HashMap::new(),
            seen: BTreeSet::new(),
            trips: 0,
        }
    }

    /// The server's text of `$1::cast` with `param`.
    async fn send_back(
        &mut self,
        cast: &str,
        param: &(dyn Encode + Sync),
    ) -> Result<Option<String>> {
        let sql = format!("SELECT ($1::{cast})::text");
        self.conn.fetch_val(sql.as_str(), &[param]).await
    }

    /// Fetches `expr`, and sends it back through `Value` and every Rust type of its type.
    async fn check(&mut self, expr: &str) {
        let sql = format!("SELECT {expr}, ({expr})::text");
        let record = match self.conn.fetch_row(sql.as_str(), &[]).await {
            Ok(Some(record)) => record,
            other => {
                self.failures
                    .push(format!("{expr}: could not fetch: {other:?}"));
                return;
            }
        };
        let original: Option<String> = record.get(1).unwrap();
        let column = &record.columns()[0];
        let key = (column.type_oid(), column.type_modifier());
        if !self.casts.contains_key(&key) {
            let cast: String = self
                .conn
                .fetch_val("SELECT format_type($1, $2)", &[&key.0, &key.1])
                .await
                .unwrap();
            self.casts.insert(key, cast);
        }
        let cast = self.casts[&key].clone();
        let ty = column.pg_type().clone();
        if original.is_some() {
            self.seen.insert(ty.name().to_owned());
        }
        let mut outcomes = Vec::new();
        match record.value(0) {
            Ok(value) => outcomes.push(("Value", Some(self.send_back(&cast, &value).await))),
            Err(e) => self
                .failures
                .push(format!("{expr}: does not decode into Value: {e}")),
        }
        let text = std::mem::take(&mut self.text);
        let senders = std::mem::take(&mut self.senders);
        for (i, (rust, send)) in typed(&senders, &ty, &text).iter().enumerate() {
            match send(&record) {
                Ok(param) => {
                    outcomes.push((*rust, Some(self.send_back(&cast, &*param).await)));
                }
                // The lossless type must read every value; another may refuse (out of range).
                Err(e) if i == 0 => self
                    .failures
                    .push(format!("{expr}: does not decode into {rust}: {e}")),
                Err(_) => outcomes.push((*rust, None)),
            }
        }
        self.text = text;
        self.senders = senders;
        for (rust, back) in outcomes {
            let Some(back) = back else { continue };
            self.trips += 1;
            let lossy = LOSSY.iter().any(|(pg, lossy)| {
                rust.contains(lossy) && ty.name().trim_start_matches('_') == *pg
            });
            match back {
                Ok(back) if back == original || lossy => {}
                Ok(back) => self.failures.push(format!(
                    "{expr} through {rust}: the server reads back {back:?}, not {original:?}"
                )),
                Err(e) => self
                    .failures
                    .push(format!("{expr} through {rust}: not sent back: {e}")),
            }
        }
    }

    /// Fails with every round trip that did not come back identical; `at_least` round trips
    /// must have been made.
    fn finish(self, at_least: usize) {
        assert!(self.trips >= at_least, "only {} round trips", self.trips);
        assert!(
            self.failures.is_empty(),
            "{} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// Array expressions of an element type from two of its values: 1-D with NULLs, 2-D and 6-D
/// with lower bounds other than 1, and empty.
fn arrays(ty: &str, a: &str, b: &str) -> Vec<String> {
    let (a, b) = (literal(a, ty), literal(b, ty));
    let array = format!("{ty}[]");
    vec![
        format!("ARRAY[{a}, NULL, {b}]"),
        format!("('[-3:-2][0:1]=' || ARRAY[[{a}, NULL], [NULL, {b}]]::text)::{array}"),
        format!("('[1:1][2:2][3:3][4:4][5:5][-1:0]=' || ARRAY[[[[[[{a}, {b}]]]]]]::text)::{array}"),
        format!("'{{}}'::{array}"),
    ]
}

#[tokio::test]
async fn scalars() {
    let mut suite = Suite::new().await;
    for (ty, values) in SCALARS {
        for v in *values {
            suite.check(&literal(v, ty)).await;
        }
    }
    suite.check("pg_sleep(0)").await;
    suite.finish(340);
}

#[tokio::test]
async fn arrays_of_every_dimension() {
    let mut suite = Suite::new().await;
    for (ty, values) in SCALARS.iter().chain(RANGES) {
        if matches!(*ty, "int2vector" | "oidvector") {
            continue; // their arrays are of vectors; the 1-D values above cover them
        }
        let (a, b) = (values[0], values[values.len() - 1]);
        for expr in arrays(ty, a, b) {
            suite.check(&expr).await;
        }
    }
    suite.finish(600);
}

#[tokio::test]
async fn ranges_and_multiranges() {
    let mut suite = Suite::new().await;
    for (ty, values) in RANGES {
        for v in *values {
            suite.check(&literal(v, ty)).await;
        }
    }
    suite.finish(90);
}

#[tokio::test]
async fn domains_enums_and_composites() {
    let mut suite = Suite::new().await;
    for (ty, values) in USER {
        for v in *values {
            suite.check(&literal(v, ty)).await;
        }
    }
    suite.finish(40);
}

/// `time` 24:00:00 is a valid PostgreSQL time that chrono's `NaiveTime` cannot hold: reading it
/// is an error naming the value, never a wrong time.
#[tokio::test]
async fn time_24_00_is_a_clear_error() {
    let mut conn = common::connect().await;
    for sql in ["SELECT '24:00:00'::time", "SELECT '24:00:00+02'::timetz"] {
        let row = conn.fetch_row(sql, &[]).await.unwrap().unwrap();
        let err = row.value(0).unwrap_err();
        assert!(err.to_string().contains("24:00:00"), "{err}");
    }
}

/// Every built-in type with binary I/O has samples above, and NULL of it and of its array type
/// round-trips as NULL.
#[tokio::test]
async fn every_type_and_null() {
    let mut suite = Suite::new().await;
    let types: Vec<(String, String)> = suite
        .conn
        .fetch(
            "SELECT t.typname::text, a.typname::text FROM pg_type t \
             LEFT JOIN pg_type a ON a.oid = t.typarray \
             WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typsend <> 0 \
             AND t.typreceive <> 0 AND t.typtype IN ('b', 'r', 'm') AND t.typelem = 0 \
             AND (t.typname NOT LIKE 'pg\\_%' OR t.typname IN ('pg_lsn', 'pg_snapshot')) \
             ORDER BY t.oid",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get(0).unwrap(),
                r.get::<Option<String>>(1).unwrap().unwrap_or_default(),
            )
        })
        .collect();
    assert!(types.len() > 60, "{types:?}");
    for (name, array) in &types {
        suite.check(&format!("NULL::pg_catalog.\"{name}\"")).await;
        if !array.is_empty() {
            suite.check(&format!("NULL::pg_catalog.\"{array}\"")).await;
        }
    }
    // Samples exist for every one of them.
    for (ty, values) in SCALARS.iter().chain(RANGES) {
        suite.check(&literal(values[0], ty)).await;
    }
    let missing: Vec<&String> = types
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !suite.seen.contains(*name) && name.as_str() != "unknown")
        .collect();
    assert!(missing.is_empty(), "no samples for {missing:?}");
    suite.finish(400);
}
