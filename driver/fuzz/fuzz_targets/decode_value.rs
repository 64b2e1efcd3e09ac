//! `Value`: a column decoded by its type alone, as `Record::value` and `Record`'s Debug do, for
//! every built-in type and the user types of the crate's lib (composites, enums, domains, arrays
//! and ranges of them, hstore with its codec) in binary and text format. Reaches every container
//! path: arrays (nested into `Value::Array`s), ranges, multiranges, anonymous records whose field
//! OIDs come from the data, composites.
//!
//! Input: the type's OID (4 bytes, big-endian; the user types of the crate's lib are 70001 and
//! up, any other number picks a type by position), one byte of flags (bit 0: text format, bit 1:
//! NULL), then the value's bytes. A decoded value is printed (`Display`, as `Record`'s Debug prints it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry_driver::types::{Decode, Format, Value, ValueRef};
use quarry_driver_fuzz::type_by_oid;

fuzz_target!(|data: &[u8]| {
    let [o1, o2, o3, o4, flags, raw @ ..] = data else {
        return;
    };
    let Some(ty) = type_by_oid(u32::from_be_bytes([*o1, *o2, *o3, *o4])) else {
        return;
    };
    let format = if flags & 1 == 0 {
        Format::Binary
    } else {
        Format::Text
    };
    let bytes = (flags & 2 == 0).then_some(raw);
    if let Ok(value) = Value::decode(ValueRef::new(bytes, format, ty)) {
        let _ = value.to_string();
    }
});
