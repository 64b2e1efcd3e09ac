//! Every typed `Decode` impl in `driver/src/types/` over arbitrary bytes, in binary and text
//! format and as NULL: ints, floats, numeric, money, text, bytea, dates/times/intervals,
//! json/jsonb, uuid, network types, bits, geometric types, system ids, ranges and multiranges,
//! arrays (`Vec<T>` and `Array<T>`), composites as tuples, hstore and custom codecs.
//!
//! Input: the PostgreSQL type's OID (4 bytes, big-endian; the user types of the crate's lib are
//! 70001 and up), one byte choosing among the Rust types tried on it, one byte of flags (bit 0:
//! text format, bit 1: NULL), then the value's bytes. A pair is decoded only when the Rust type
//! `accepts` the PostgreSQL type, as `Record::get` does; a decoded value is printed (`Debug`).
#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use quarry_driver::types::{
    Array, BitString, Box, Cid, Circle, Custom, Decode, Format, Infinite, Interval, IpNetwork,
    Json, Line, LineSegment, MacAddr, MacAddr8, Money, Multirange, Numeric, NumericF64, Path,
    PgLsn, PgType, Point, Polygon, Range, Tid, TimeTz, Value, ValueRef, Xid, Xid8, oid,
};
use quarry_driver_fuzz::{hstore_with_codec, user_type};
use rust_decimal::Decimal;
use uuid::Uuid;

/// One PostgreSQL type and the decoder of one Rust type to try on it.
struct Case {
    ty: Arc<PgType>,
    decode: fn(ValueRef<'_>),
}

fn decode<'r, T: Decode<'r> + Debug>(value: ValueRef<'r>) {
    if !T::accepts(value.ty(), value.format()) {
        return;
    }
    if let Ok(v) = T::decode(value) {
        let _ = format!("{v:?}");
    }
}

/// `(type, [Rust types])` lists into [`Case`]s, each Rust type also as `Option<T>`.
macro_rules! cases {
    ($($ty:expr => [$($rust:ty),+ $(,)?]),+ $(,)?) => {{
        let mut cases = Vec::new();
        $(
            let ty: Arc<PgType> = $ty;
            $(
                cases.push(Case { ty: ty.clone(), decode: |v| decode::<$rust>(v) });
                cases.push(Case { ty: ty.clone(), decode: |v| decode::<Option<$rust>>(v) });
            )+
        )+
        cases
    }};
}

fn b(o: u32) -> Arc<PgType> {
    PgType::resolve(o)
}

type Hstore = BTreeMap<String, Option<String>>;

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        cases![
            // Numbers.
            b(oid::BOOL) => [bool],
            b(oid::CHAR) => [i8],
            b(oid::INT2) => [i16, i32, i64],
            b(oid::INT4) => [i32, i64],
            b(oid::INT8) => [i64],
            b(oid::OID) => [u32],
            b(oid::REGCLASS) => [u32],
            b(oid::FLOAT4) => [f32, f64],
            b(oid::FLOAT8) => [f64],
            b(oid::NUMERIC) => [Numeric, NumericF64, Decimal],
            b(oid::MONEY) => [Money],
            // Text and bytes.
            b(oid::TEXT) => [String, &str],
            b(oid::VARCHAR) => [String],
            b(oid::BPCHAR) => [String],
            b(oid::NAME) => [&str],
            b(oid::UNKNOWN) => [String],
            b(oid::BYTEA) => [Vec<u8>, &[u8], Bytes],
            // Dates and times.
            b(oid::DATE) => [NaiveDate, Infinite<NaiveDate>],
            b(oid::TIMESTAMP) => [NaiveDateTime, Infinite<NaiveDateTime>],
            b(oid::TIMESTAMPTZ) => [
                DateTime<Utc>,
                DateTime<FixedOffset>,
                DateTime<Local>,
                Infinite<DateTime<Utc>>,
            ],
            b(oid::TIME) => [NaiveTime],
            b(oid::TIMETZ) => [TimeTz],
            b(oid::INTERVAL) => [Interval, TimeDelta],
            // JSON.
            b(oid::JSON) => [serde_json::Value, Json<serde_json::Value>, String],
            b(oid::JSONB) => [
                serde_json::Value,
                Json<HashMap<String, i64>>,
                Json<Vec<Option<String>>>,
                String,
            ],
            b(oid::UUID) => [Uuid],
            // Network.
            b(oid::INET) => [IpNetwork, IpAddr],
            b(oid::CIDR) => [IpNetwork],
            b(oid::MACADDR) => [MacAddr],
            b(oid::MACADDR8) => [MacAddr8],
            // Bits, geometry, system values.
            b(oid::BIT) => [BitString],
            b(oid::VARBIT) => [BitString],
            b(oid::POINT) => [Point],
            b(oid::LINE) => [Line],
            b(oid::LSEG) => [LineSegment],
            b(oid::BOX) => [Box],
            b(oid::PATH) => [Path],
            b(oid::POLYGON) => [Polygon],
            b(oid::CIRCLE) => [Circle],
            b(oid::XID) => [Xid],
            b(oid::XID8) => [Xid8],
            b(oid::CID) => [Cid],
            b(oid::PG_LSN) => [PgLsn],
            b(oid::TID) => [Tid],
            b(oid::VOID) => [()],
            // Ranges and multiranges.
            b(oid::INT4RANGE) => [Range<i32>],
            b(oid::INT8RANGE) => [Range<i64>],
            b(oid::NUMRANGE) => [Range<Numeric>, Range<Decimal>],
            b(oid::DATERANGE) => [Range<NaiveDate>, Range<Infinite<NaiveDate>>],
            b(oid::TSRANGE) => [Range<NaiveDateTime>],
            b(oid::TSTZRANGE) => [Range<DateTime<Utc>>],
            b(oid::INT4MULTIRANGE) => [Multirange<i32>],
            b(oid::NUMMULTIRANGE) => [Multirange<Numeric>],
            b(oid::DATEMULTIRANGE) => [Multirange<NaiveDate>],
            user_type("positive_range") => [Range<i32>],
            // Arrays.
            b(oid::BOOL_ARRAY) => [Vec<bool>],
            b(oid::INT2_ARRAY) => [Vec<i16>],
            b(oid::INT4_ARRAY) => [Vec<i32>, Vec<Option<i32>>, Array<i32>, Array<Option<i32>>],
            b(oid::INT8_ARRAY) => [Vec<Option<i64>>, Array<Option<i64>>],
            b(oid::FLOAT8_ARRAY) => [Vec<Option<f64>>],
            b(oid::TEXT_ARRAY) => [Vec<Option<String>>, Vec<&str>, Array<Option<String>>],
            b(oid::BYTEA_ARRAY) => [Vec<Option<Vec<u8>>>],
            b(oid::NUMERIC_ARRAY) => [Vec<Option<Numeric>>, Array<Option<Numeric>>],
            b(oid::DATE_ARRAY) => [Vec<Option<NaiveDate>>],
            b(oid::TIMESTAMPTZ_ARRAY) => [Vec<Option<DateTime<Utc>>>],
            b(oid::INTERVAL_ARRAY) => [Vec<Option<Interval>>],
            b(oid::JSONB_ARRAY) => [Vec<Option<serde_json::Value>>],
            b(oid::UUID_ARRAY) => [Vec<Option<Uuid>>],
            b(oid::INET_ARRAY) => [Vec<Option<IpNetwork>>],
            b(oid::BIT_ARRAY) => [Vec<Option<BitString>>],
            b(oid::POINT_ARRAY) => [Vec<Option<Point>>],
            b(oid::INT4RANGE_ARRAY) => [Vec<Option<Range<i32>>>],
            b(oid::RECORD_ARRAY) => [Vec<Option<(Option<i32>, Option<String>)>>],
            user_type("_pair") => [Vec<Option<(Option<i32>, Option<String>)>>, Array<Value>],
            user_type("_mood") => [Vec<Option<String>>],
            user_type("_positive") => [Vec<Option<i32>>],
            // Composites.
            b(oid::RECORD) => [
                (Option<i32>,),
                (Option<i32>, Option<String>),
                (Option<i64>, Option<String>, Option<Vec<Option<i32>>>, Option<Numeric>),
                (Value, Value, Value, Value, Value, Value, Value, Value),
            ],
            user_type("pair") => [(Option<i32>, Option<String>), (i32, &str)],
            user_type("nested") => [(
                Option<(Option<i32>, Option<String>)>,
                Option<Vec<Option<(i32, String)>>>,
                Option<String>,
                Option<(Value,)>,
            )],
            user_type("mood") => [String, &str],
            user_type("positive") => [i32, i64],
            // hstore.
            user_type("hstore") => [Hstore, HashMap<String, Option<String>>],
            hstore_with_codec() => [Custom<Hstore>, Hstore],
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let [o1, o2, o3, o4, which, flags, raw @ ..] = data else {
        return;
    };
    let cases = cases();
    // The cases for the type with this OID (user types are 70001 and up), or any case.
    let type_oid = u32::from_be_bytes([*o1, *o2, *o3, *o4]);
    let of_type: Vec<&Case> = cases.iter().filter(|c| c.ty.oid() == type_oid).collect();
    let case = if of_type.is_empty() {
        cases.get(type_oid as usize % cases.len())
    } else {
        of_type.get(usize::from(*which) % of_type.len()).copied()
    };
    let Some(case) = case else {
        return;
    };
    let format = if flags & 1 == 0 {
        Format::Binary
    } else {
        Format::Text
    };
    let bytes = (flags & 2 == 0).then_some(raw);
    (case.decode)(ValueRef::new(bytes, format, &case.ty));
});
