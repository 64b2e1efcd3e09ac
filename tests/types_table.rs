//! The table of built-in types (`driver/src/types/table.rs`) against a live server: every row's
//! OID and name are the server's `pg_type`; a row received in binary has binary I/O there and
//! arrives in binary; a value of each row decodes into a `Value` and every Rust type the row
//! lists, and its Rust type goes back as a parameter and returns the same value.
//!
//! With the unit test beside the table (every row against `Decode::accepts` and `Type::accepts`,
//! both ways), what the `query!` macros accept at compile time is what runs.

mod common;

use std::collections::HashMap;
use std::fmt::Debug;

use quarry::types::table::{self, Row, Visit};
use quarry::types::{Decode, Encode, Format, Oid, Type, Value};
use quarry::{Record, Result};

/// A value of each row's type, as an SQL expression (rows without a Rust type need none) that
/// every Rust type of the row holds.
fn sample(name: &str) -> Option<&'static str> {
    Some(match name {
        "bool" => "true",
        "bytea" => r"'\x0102'::bytea",
        "char" => "'a'::\"char\"",
        "name" => "'n'::name",
        "int8" => "8::int8",
        "int2" => "2::int2",
        "int4" => "4::int4",
        "text" => "'t'::text",
        "oid" => "26::oid",
        "tid" => "'(3,4)'::tid",
        "xid" => "'7'::xid",
        "cid" => "'5'::cid",
        "json" => "'{\"a\": [1, null]}'::json",
        "jsonb" => "'{\"a\": [1, null]}'::jsonb",
        "xml" => "'<a>x</a>'::xml",
        "point" => "'(1,2)'::point",
        "lseg" => "'[(1,2),(3,4)]'::lseg",
        "path" => "'[(1,2),(3,4),(5,6)]'::path",
        "box" => "'(3,4),(1,2)'::box",
        "polygon" => "'((1,2),(3,4),(5,0))'::polygon",
        "line" => "'{1,2,3}'::line",
        "circle" => "'<(1,2),3>'::circle",
        // Host addresses: `IpAddr` holds no network.
        "cidr" => "'10.1.2.3/32'::cidr",
        "inet" => "'192.168.0.1'::inet",
        "macaddr" => "'08:00:2b:01:02:03'::macaddr",
        "macaddr8" => "'08:00:2b:01:02:03:04:05'::macaddr8",
        "money" => "12.34::money",
        "float4" => "1.5::float4",
        "float8" => "2.25::float8",
        "unknown" => "'u'::unknown",
        "bpchar" => "'ab'::bpchar",
        "varchar" => "'v'::varchar",
        "bit" => "B'101'::bit(3)",
        "varbit" => "B'10110'::varbit",
        "numeric" => "12.5::numeric",
        "void" => "pg_sleep(0)",
        "pg_lsn" => "'0/16B3748'::pg_lsn",
        "xid8" => "'42'::xid8",
        "regproc" => "'now'::regproc",
        "regprocedure" => "'now()'::regprocedure",
        "regoper" => "'||/'::regoper",
        "regoperator" => "'+(int4,int4)'::regoperator",
        "regclass" => "'pg_class'::regclass",
        "regtype" => "'int4'::regtype",
        "regconfig" => "'simple'::regconfig",
        "regdictionary" => "'simple'::regdictionary",
        "regnamespace" => "'pg_catalog'::regnamespace",
        "regrole" => "current_user::text::regrole",
        "regcollation" => "'default'::regcollation",
        "date" => "'2024-01-02'::date",
        "time" => "'12:34:56.5'::time",
        "timetz" => "'12:34:56+02'::timetz",
        "timestamp" => "'2024-01-02 03:04:05.25'::timestamp",
        "timestamptz" => "'2024-01-02 03:04:05+00'::timestamptz",
        "interval" => "'1 day 2 hours'::interval",
        "uuid" => "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
        _ => return None,
    })
}

type Decoder = Box<dyn Fn(&Record) -> Result<String>>;
type Sender = Box<dyn Fn(&Record) -> Result<Box<dyn Encode + Send + Sync>>>;

/// What the table says of each row, as closures over the row's Rust types.
#[derive(Default)]
struct Probes {
    rows: Vec<Row>,
    /// Every Rust type a row decodes into: its name and a decoder printing the value.
    decodes: HashMap<Oid, Vec<(&'static str, Decoder)>>,
    /// The row's Rust type: the value decoded, ready to send back.
    rust: HashMap<Oid, Sender>,
}

impl Visit for Probes {
    fn row(&mut self, row: Row) {
        self.rows.push(row);
    }
    fn rust<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
    {
        let send: Sender = Box::new(|r| Ok(Box::new(r.get::<T>(0)?)));
        self.rust.insert(row.oid, send);
    }
    fn reads<T>(&mut self, _row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static,
    {
    }
    fn decodes<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static,
    {
        let decode: Decoder = Box::new(|r| Ok(format!("{:?}", r.get::<T>(0)?)));
        let name = std::any::type_name::<T>();
        self.decodes
            .entry(row.oid)
            .or_default()
            .push((name, decode));
    }
    fn sends<T>(&mut self, _row: Row)
    where
        T: Type + ?Sized,
    {
    }
}

#[tokio::test]
async fn every_row_matches_the_server_and_its_codecs() {
    let mut conn = common::connect().await;
    let mut probes = Probes::default();
    table::visit(&mut probes);
    assert!(probes.rows.len() > 50, "the table lost rows");
    for row in &probes.rows {
        let name = row.name;
        let catalog = conn
            .fetch_row(
                "SELECT t.typname::text, n.nspname::text, t.typsend::oid <> 0, \
                 t.typreceive::oid <> 0 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE t.oid = $1",
                &[&row.oid],
            )
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("the server has no type with {name}'s OID {}", row.oid));
        assert_eq!(catalog.get::<String>(0).unwrap(), name, "OID {}", row.oid);
        assert_eq!(catalog.get::<String>(1).unwrap(), "pg_catalog", "{name}");
        if row.binary {
            let io = (
                catalog.get::<bool>(2).unwrap(),
                catalog.get::<bool>(3).unwrap(),
            );
            assert_eq!(
                io,
                (true, true),
                "{name} is received in binary: the server must send it so"
            );
        }
        let decoders = probes.decodes.get(&row.oid);
        if decoders.is_none() {
            continue; // no Rust type (`record`): nothing to decode
        }
        let Some(sample) = sample(name) else {
            panic!("no sample value for the row {name}: add one to tests/types_table.rs");
        };
        let sql = format!("SELECT {sample}");
        let record = conn.fetch_row(sql.as_str(), &[]).await.unwrap().unwrap();
        let column = &record.columns()[0];
        if column.type_oid() != row.oid {
            // `unknown` literals come back as text (PostgreSQL 10 and later).
            assert_eq!(name, "unknown", "{sample} is not a {name}");
            continue;
        }
        let format = if row.binary {
            Format::Binary
        } else {
            Format::Text
        };
        assert_eq!(
            column.format(),
            format,
            "{name} arrives in the format the table says"
        );
        match record.value(0) {
            Ok(Value::Bytes(_)) if name != "bytea" => panic!("{name} has no `Value` form"),
            Ok(_) => {}
            Err(e) => panic!("{name}: {sample} does not decode into a `Value`: {e}"),
        }
        for (rust, decode) in decoders.into_iter().flatten() {
            if let Err(e) = decode(&record) {
                panic!("{name}: {sample} does not decode into {rust}: {e}");
            }
        }
        let Some(send) = probes.rust.get(&row.oid) else {
            continue; // read-only (`void`)
        };
        let value = send(&record).unwrap();
        let back = conn
            .fetch_row(
                format!("SELECT $1::pg_catalog.\"{name}\"").as_str(),
                &[&*value],
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: its Rust type is not sent back: {e}"))
            .unwrap();
        let (_, first) = decoders.and_then(|d| d.first()).unwrap();
        assert_eq!(
            first(&back).unwrap(),
            first(&record).unwrap(),
            "{name} round trip"
        );
    }
}
