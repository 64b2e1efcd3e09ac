//! `Record`: a row built from a RowDescription and a DataRow as a connection builds it (framing
//! checked once), then every column read back: `raw`, `value` (dynamic decode by type), `get`
//! as text and bytes, by index and by name, and the whole row's Debug.
//!
//! Input: one byte for the column count (0 to 31: past 12 the offsets move to the heap), four
//! bytes per column with its type's OID (as in `decode_value`), one byte of flags (bit 0: the DataRow declares one column
//! too many), then the DataRow body (the column values, each an i32 length then the bytes).
#![no_main]

use bytes::{BufMut, BytesMut};
use libfuzzer_sys::fuzz_target;
use quarry_driver::fuzz;
use quarry_driver::protocol::Format;
use quarry_driver::protocol::backend::{self, FieldDescription, Message};
use quarry_driver_fuzz::type_by_oid;

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    let count = usize::from(count % 32);
    let Some((selectors, rest)) = rest.split_at_checked(count * 4) else {
        return;
    };
    let Some((&flags, body)) = rest.split_first() else {
        return;
    };
    let Some(types) = selectors
        .chunks_exact(4)
        .map(|s| type_by_oid(u32::from_be_bytes([s[0], s[1], s[2], s[3]])).cloned())
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let fields = types
        .iter()
        .enumerate()
        .map(|(i, ty)| FieldDescription {
            // Some names repeat: a name picks the last column that has it.
            name: format!("c{}", i % 5),
            table_oid: 0,
            column_id: 0,
            type_oid: ty.oid(),
            type_size: -1,
            type_modifier: -1,
            format: Format::Binary,
        })
        .collect();
    let declared = u16::try_from(count + usize::from(flags & 1)).unwrap();
    // The DataRow as it arrives: 'D', the length, the column count, the body.
    let mut frame = BytesMut::new();
    frame.put_u8(b'D');
    let Ok(len) = i32::try_from(body.len() + 6) else {
        return;
    };
    frame.put_i32(len);
    frame.put_u16(declared);
    frame.put_slice(body);
    let Ok(Some(Message::DataRow(row))) = backend::parse_message(&mut frame) else {
        return;
    };
    let Ok(record) = fuzz::record(fields, types, row) else {
        return;
    };
    assert_eq!(record.len(), count);
    let _ = format!("{record:?}");
    for i in 0..record.len() {
        let _ = record.raw(i);
        let _ = record.value(i);
        let _ = record.get::<Option<String>>(i);
        let _ = record.get::<Option<&[u8]>>(i);
    }
    for name in ["c0", "c4", "missing"] {
        let _ = record.value(name);
    }
});
