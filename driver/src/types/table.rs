//! The one table of built-in types Quarry has codecs for: one row per type, from which every
//! other view is generated.
//!
//! A row names the type (`pg_type.typname`, which is also its compile-time marker in
//! `query_macro::check::pg`), its OID constant (from the catalog, `builtin.rs`), whether its
//! columns are received in binary or in text, its Rust type (`rust`: decoded and sent; `reads`:
//! decoded only), and the widenings: further Rust types a value of it `decodes` into and Rust
//! types that can be `sent` as it; `value` names the Rust type a binary value is decoded into
//! for a dynamic [`Value`](super::Value) when that is not the Rust type (`numeric` as the
//! lossless `Numeric`, `date` as `Infinite<NaiveDate>`). Rows come in blocks under one `cfg`
//! (the crate feature their codecs need); a list item may carry its own `cfg`.
//!
//! The codecs keep their own `accepts` (next to the code that writes each type they accept);
//! the unit test below holds them to the rows both ways, so a widening is one row edit plus the
//! codec's, and the test names any that is missing.
//!
//! The views, each a macro handed the rows by `builtin_types!`:
//! - [`oid::has_binary_codec`](super::oid::has_binary_codec): which OIDs are asked for in binary;
//! - `value.rs`: which [`Value`](super::Value) a binary value of a row becomes;
//! - `query_macro::check`: the `pg` markers, which Rust type a `query!` column gets
//!   (`ColumnType`), which marker an OID has (`marker_name`, what the macros look up), and the
//!   `DecodesPg` / `AcceptsPg` impls the `query!` checks rest on;
//! - [`visit`]: every row with its Rust types, for the test that holds the table to the run-time
//!   codecs (`Decode::accepts`, `Type::accepts`) and to a live server's `pg_type` and binary I/O
//!   (`tests/types_table.rs`), so compile time and run time cannot disagree.
//!
//! Adding a built-in type means writing its codec and one row here. Types of extensions (no
//! fixed OID: `citext`, `hstore`) are not rows: they are matched by name at run time.

use std::fmt::Debug;

use super::{Decode, Encode, Oid, Type};

/// Hands every row of the table, normalised, to `$view!`.
///
/// Each row reaches the view as `{ name OID [#[cfg] binary|text] [rust types] [reads types]
/// [decodes types] [sends types] [value type] }`, each type as `{ #[cfg]* Type }`; the Rust type
/// is repeated in the `decodes` and `sends` lists and a `reads` type in `decodes`, and a row
/// whose block's feature is off decodes into `String` (its values then arrive in text).
macro_rules! builtin_types {
    ($view:ident) => {
        $crate::types::table::normalise! { $view;
            // typname = OID constant, wire format, rust Type [, reads Type]
            //     [, decodes [Type, ...]] [, sends [Type, ...]] [, value Type];
            #[cfg(all())] {
                bool = BOOL, binary, rust bool;
                bytea = BYTEA, binary, rust Vec<u8>,
                    decodes [::bytes::Bytes], sends [[u8], ::bytes::Bytes];
                char = CHAR, binary, rust i8;
                name = NAME, binary, rust String, sends [str];
                int8 = INT8, binary, rust i64, sends [i16, i32];
                int2 = INT2, binary, rust i16, decodes [i32, i64];
                int4 = INT4, binary, rust i32, decodes [i64], sends [i16];
                text = TEXT, binary, rust String, sends [str];
                oid = OID, binary, rust u32;
                tid = TID, binary, rust $crate::types::Tid;
                xid = XID, binary, rust $crate::types::Xid;
                cid = CID, binary, rust $crate::types::Cid;
                json = JSON, binary, rust #[cfg(feature = "json")] ::serde_json::Value,
                    decodes [String], sends [String, str], value String;
                xml = XML, text, rust String, sends [str];
                point = POINT, binary, rust $crate::types::Point;
                lseg = LSEG, binary, rust $crate::types::LineSegment;
                path = PATH, binary, rust $crate::types::Path;
                r#box = BOX, binary, rust $crate::types::Box;
                polygon = POLYGON, binary, rust $crate::types::Polygon;
                line = LINE, binary, rust $crate::types::Line;
                cidr = CIDR, binary, rust $crate::types::IpNetwork,
                    decodes [::std::net::IpAddr], sends [::std::net::IpAddr];
                float4 = FLOAT4, binary, rust f32, decodes [f64];
                float8 = FLOAT8, binary, rust f64, sends [i16, i32, f32];
                unknown = UNKNOWN, binary, rust String, sends [str];
                circle = CIRCLE, binary, rust $crate::types::Circle;
                // A `String` reads a binary `macaddr`/`macaddr8` as the server prints it (the
                // text form does not depend on any setting) and is sent in text.
                macaddr8 = MACADDR8, binary, rust $crate::types::MacAddr8, decodes [String],
                    sends [String, str];
                // `money` stays in text: its text depends on the server's `lc_monetary` (the
                // symbol, separators and number of fractional digits), which the client cannot
                // know, so only the server can give a `String` its rendering and read one back.
                // `Money` reads the digits of the text, exact in every locale, and is sent in
                // binary.
                money = MONEY, text, rust $crate::types::Money, decodes [String], sends [String, str];
                macaddr = MACADDR, binary, rust $crate::types::MacAddr, decodes [String],
                    sends [String, str];
                inet = INET, binary, rust $crate::types::IpNetwork,
                    decodes [::std::net::IpAddr], sends [::std::net::IpAddr];
                bpchar = BPCHAR, binary, rust String, sends [str];
                varchar = VARCHAR, binary, rust String, sends [str];
                bit = BIT, binary, rust $crate::types::BitString;
                varbit = VARBIT, binary, rust $crate::types::BitString;
                jsonb = JSONB, binary, rust #[cfg(feature = "json")] ::serde_json::Value,
                    decodes [String], sends [String, str], value String;
                numeric = NUMERIC, binary,
                    rust #[cfg(feature = "rust_decimal")] ::rust_decimal::Decimal,
                    decodes [$crate::types::Numeric, $crate::types::NumericF64],
                    sends [$crate::types::Numeric, $crate::types::NumericF64, i16, i32, i64],
                    value $crate::types::Numeric;
                record = RECORD, binary;
                // `array_agg(ROW(...))`: arrays of anonymous records, read as `Vec<Record>`
                // (and `Vec<Child>` by `query!`'s nested results).
                _record = RECORD_ARRAY, binary;
                void = VOID, binary, rust ();
                pg_lsn = PG_LSN, binary, rust $crate::types::PgLsn;
                xid8 = XID8, binary, rust $crate::types::Xid8;
                // `oid` and its aliases are a `u32` on the wire; in text a `reg*` value is a
                // name, so they are always received in binary.
                regproc = REGPROC, binary, rust u32;
                regprocedure = REGPROCEDURE, binary, rust u32;
                regoper = REGOPER, binary, rust u32;
                regoperator = REGOPERATOR, binary, rust u32;
                regclass = REGCLASS, binary, rust u32;
                regtype = REGTYPE, binary, rust u32;
                regconfig = REGCONFIG, binary, rust u32;
                regdictionary = REGDICTIONARY, binary, rust u32;
                regnamespace = REGNAMESPACE, binary, rust u32;
                regrole = REGROLE, binary, rust u32;
                regcollation = REGCOLLATION, binary, rust u32;
            }
            #[cfg(feature = "chrono")] {
                date = DATE, binary, rust ::chrono::NaiveDate,
                    decodes [$crate::types::Infinite<::chrono::NaiveDate>],
                    sends [$crate::types::Infinite<::chrono::NaiveDate>],
                    value $crate::types::Infinite<::chrono::NaiveDate>;
                time = TIME, binary, rust ::chrono::NaiveTime;
                timestamp = TIMESTAMP, binary, rust ::chrono::NaiveDateTime,
                    decodes [$crate::types::Infinite<::chrono::NaiveDateTime>],
                    sends [$crate::types::Infinite<::chrono::NaiveDateTime>],
                    value $crate::types::Infinite<::chrono::NaiveDateTime>;
                timestamptz = TIMESTAMPTZ, binary, rust ::chrono::DateTime<::chrono::Utc>,
                    decodes [
                        ::chrono::DateTime<::chrono::FixedOffset>,
                        ::chrono::DateTime<::chrono::Local>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::Utc>>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::FixedOffset>>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::Local>>,
                    ],
                    sends [
                        ::chrono::DateTime<::chrono::FixedOffset>,
                        ::chrono::DateTime<::chrono::Local>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::Utc>>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::FixedOffset>>,
                        $crate::types::Infinite<::chrono::DateTime<::chrono::Local>>,
                    ],
                    value $crate::types::Infinite<::chrono::DateTime<::chrono::Utc>>;
                interval = INTERVAL, binary, rust $crate::types::Interval,
                    decodes [::chrono::Duration], sends [::chrono::Duration];
                timetz = TIMETZ, binary, rust $crate::types::TimeTz;
            }
            #[cfg(feature = "uuid")] {
                uuid = UUID, binary, rust ::uuid::Uuid;
            }
        }
    };
}
pub(crate) use builtin_types;

/// Parses the rows as written in [`builtin_types!`] and hands them to the view in one shape.
macro_rules! normalise {
    ($view:ident; $(
        #[cfg($cfg:meta)] {$(
            $name:ident = $oid:ident, $wire:ident
            $(, rust $(#[$rust_cfg:meta])* $rust:ty)?
            $(, reads $reads:ty)?
            $(, decodes [$($(#[$dec_cfg:meta])* $dec:ty),* $(,)?])?
            $(, sends [$($(#[$send_cfg:meta])* $send:ty),* $(,)?])?
            $(, value $value:ty)?
        ;)*}
    )*) => {
        $view! {$($({
            $name $oid [#[cfg($cfg)] $wire]
            [$({ #[cfg($cfg)] $(#[$rust_cfg])* $rust })?]
            [$({ #[cfg($cfg)] $reads })?]
            [
                $({ #[cfg($cfg)] $(#[$rust_cfg])* $rust })?
                $({ #[cfg($cfg)] $reads })?
                $($({ #[cfg($cfg)] $(#[$dec_cfg])* $dec })*)?
                // Without its codec, a type arrives in text, which `String` decodes.
                { #[cfg(not($cfg))] String }
            ]
            [
                $({ #[cfg($cfg)] $(#[$rust_cfg])* $rust })?
                $($({ #[cfg($cfg)] $(#[$send_cfg])* $send })*)?
            ]
            [$({ #[cfg($cfg)] $value })?]
        })*)*}
    };
}
pub(crate) use normalise;

/// `true` for a row received in binary, `false` for one received in text.
macro_rules! is_binary {
    (binary) => {
        true
    };
    (text) => {
        false
    };
}
pub(crate) use is_binary;

/// The [`visit`] view.
macro_rules! visit_rows {
    ($({
        $name:ident $oid:ident [#[$cfg:meta] $wire:ident]
        [$({ $(#[$rust_cfg:meta])* $rust:ty })*]
        [$({ $(#[$reads_cfg:meta])* $reads:ty })*]
        [$({ $(#[$dec_cfg:meta])* $dec:ty })*]
        [$({ $(#[$send_cfg:meta])* $send:ty })*]
        [$({ #[$value_cfg:meta] $value:ty })*]
    })*) => {
        fn visit_rows(visitor: &mut impl Visit) {
            $({
                let row = Row {
                    name: stringify!($name).trim_start_matches("r#"),
                    oid: $crate::types::oid::$oid,
                    binary: $crate::types::oid::has_binary_codec($crate::types::oid::$oid),
                };
                visitor.row(row);
                $( $(#[$rust_cfg])* visitor.rust::<$rust>(row); )*
                $( $(#[$reads_cfg])* visitor.reads::<$reads>(row); )*
                $( $(#[$dec_cfg])* visitor.decodes::<$dec>(row); )*
                $( $(#[$send_cfg])* visitor.sends::<$send>(row); )*
                $( #[$value_cfg] visitor.value::<$value>(row); )*
            })*
        }
    };
}

/// One row of the table, as [`visit`] shows it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// `pg_type.typname`.
    pub name: &'static str,
    /// The type's OID.
    pub oid: Oid,
    /// Whether its columns are received in binary (in this build: the feature its codec
    /// needs is on).
    pub binary: bool,
}

/// What [`visit`] shows of each row: the row, then each of its Rust types.
#[doc(hidden)]
pub trait Visit {
    /// A row of the table.
    fn row(&mut self, row: Row);
    /// The row's Rust type: what a `query!` column of it is, decoded and sent.
    fn rust<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static;
    /// The row's Rust type when it is only decoded (`void` as `()`).
    fn reads<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static;
    /// A Rust type values of the row decode into (the Rust type too).
    fn decodes<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Debug + 'static;
    /// A Rust type that can be sent as the row's type (the Rust type too).
    fn sends<T>(&mut self, row: Row)
    where
        T: Type + ?Sized;
    /// The lossless Rust type of the row when it is not the Rust type (`numeric` as `Numeric`,
    /// `date` as `Infinite<NaiveDate>`): what a dynamic `Value` holds.
    fn value<T>(&mut self, row: Row)
    where
        T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
    {
        let _ = row;
    }
}

/// Shows every row of the table and its Rust types to `visitor`: what the test of the table
/// against the run-time codecs walks.
#[doc(hidden)]
pub fn visit(visitor: &mut impl Visit) {
    builtin_types!(visit_rows);
    visit_rows(visitor);
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::types::{Format, PgType};

    type Accepts = fn(&PgType, Format) -> bool;

    /// Every Rust type of the table with its run-time `accepts` and the rows that list it.
    #[derive(Default)]
    struct Listed {
        rows: Vec<Row>,
        decodes: BTreeMap<&'static str, (Accepts, BTreeSet<Oid>)>,
        sends: BTreeMap<&'static str, (Accepts, BTreeSet<Oid>)>,
    }

    impl Visit for Listed {
        fn row(&mut self, row: Row) {
            self.rows.push(row);
        }
        fn rust<T>(&mut self, _row: Row)
        where
            T: for<'r> Decode<'r> + Encode + Type + Debug + Send + Sync + 'static,
        {
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
            let accepts: Accepts = |ty, format| <T as Decode<'_>>::accepts(ty, format);
            let entry = self.decodes.entry(std::any::type_name::<T>());
            let (_, oids) = entry.or_insert((accepts, BTreeSet::new()));
            assert!(oids.insert(row.oid), "{} lists a type twice", row.name);
        }
        fn sends<T>(&mut self, row: Row)
        where
            T: Type + ?Sized,
        {
            let accepts: Accepts = |ty, _format| <T as Type>::accepts(ty);
            let entry = self.sends.entry(std::any::type_name::<T>());
            let (_, oids) = entry.or_insert((accepts, BTreeSet::new()));
            assert!(oids.insert(row.oid), "{} lists a type twice", row.name);
        }
    }

    /// Compile time (the lists) and run time (`Decode::accepts`, `Type::accepts`) agree on every
    /// row for every Rust type of the table: a type decodes or is sent as a row's type exactly
    /// when the row lists it.
    #[test]
    fn rows_agree_with_the_codecs_both_ways() {
        let mut listed = Listed::default();
        visit(&mut listed);
        let mut disagreements = Vec::new();
        for (direction, types) in [("decodes", &listed.decodes), ("sends", &listed.sends)] {
            for (rust, (accepts, oids)) in types {
                for row in &listed.rows {
                    let format = if row.binary {
                        Format::Binary
                    } else {
                        Format::Text
                    };
                    let runtime = accepts(&PgType::resolve(row.oid), format);
                    if runtime != oids.contains(&row.oid) {
                        disagreements.push(format!(
                            "{rust} {direction} {}: run time says {runtime}, the table {}",
                            row.name, !runtime
                        ));
                    }
                }
            }
        }
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }

    #[test]
    fn rows_name_their_oids() {
        let mut listed = Listed::default();
        visit(&mut listed);
        let mut seen = BTreeSet::new();
        for row in &listed.rows {
            assert_eq!(super::super::oid::type_name(row.oid), Some(row.name));
            assert!(seen.insert(row.oid), "two rows for {}", row.name);
        }
    }
}
