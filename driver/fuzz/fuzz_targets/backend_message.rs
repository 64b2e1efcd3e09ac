//! The backend message decoder: `parse_data_row` then `parse_message` over a byte stream, as the
//! connection's read loop calls them, once over the whole stream and once fed in chunks (partial
//! frames, split headers). Both passes must decode the same messages and stop at the same error;
//! every decoded message is then taken apart (DataRow columns, ErrorResponse fields into a
//! `DbError`, command tags).
//!
//! The chunked pass also reserves room for an incomplete frame the way the connection's read
//! loop (`connection/io.rs`, `recv`) does, through the same `backend::read_reserve`; with
//! `-malloc_limit_mb=64`, a corrupt length that made it reserve more than the stream justifies
//! is a failure.
//!
//! Input: one byte choosing the chunk sizes, then the stream.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use quarry_driver::error::DbError;
use quarry_driver::protocol::backend::{self, DataRow, Message};

fuzz_target!(|data: &[u8]| {
    let Some((&split, stream)) = data.split_first() else {
        return;
    };
    let whole = drain(&mut BytesMut::from(stream));
    let chunked = chunked(stream, split);
    assert_eq!(
        whole, chunked,
        "chunked decoding differs from whole-buffer decoding"
    );
});

/// What one pass decoded: each message's Debug form, then the error that stopped it, if any.
type Decoded = (Vec<String>, Option<String>);

/// Feeds `stream` in chunks whose sizes cycle through a pattern chosen by `split`, decoding after
/// each chunk.
fn chunked(stream: &[u8], split: u8) -> Decoded {
    let sizes: &[usize] = match split % 4 {
        0 => &[1],
        1 => &[2, 3, 5, 7],
        2 => &[usize::from(split / 4) + 1],
        _ => &[4, 1, 6, 64],
    };
    let mut buf = BytesMut::new();
    let mut decoded = (Vec::new(), None);
    let mut rest = stream;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        buf.extend_from_slice(chunk);
        let (messages, error) = drain(&mut buf);
        decoded.0.extend(messages);
        if error.is_some() {
            decoded.1 = error;
            break;
        }
        // As `recv` does before reading more (its READ_CHUNK is 16 KiB).
        buf.reserve(backend::read_reserve(&buf, 16 * 1024));
    }
    decoded
}

/// Decodes every complete message in `buf`, the DataRow fast path first as the connection does;
/// stops at the first error or incomplete frame.
fn drain(buf: &mut BytesMut) -> Decoded {
    let mut messages = Vec::new();
    loop {
        if let Some(row) = backend::parse_data_row(buf) {
            check_row(&row);
            messages.push(format!("{:?}", Message::DataRow(row)));
            continue;
        }
        match backend::parse_message(buf) {
            Ok(Some(message)) => {
                check_message(&message);
                messages.push(format!("{message:?}"));
            }
            Ok(None) => {
                // Incomplete means incomplete: a whole frame is in the buffer only if its
                // announced length says more bytes are needed.
                if let Some(total) = backend::frame_len(buf) {
                    assert!(total > buf.len(), "a complete frame was not decoded");
                }
                return (messages, None);
            }
            Err(error) => return (messages, Some(error.to_string())),
        }
    }
}

fn check_row(row: &DataRow) {
    let mut ranges = Vec::new();
    let mut positions = Vec::new();
    let framed = row.ranges(&mut ranges);
    let visited = row.visit_columns(|column, pos| positions.push((column, pos)));
    assert_eq!(framed.is_ok(), visited.is_ok());
    if framed.is_ok() {
        assert_eq!(ranges.len(), row.len());
        assert_eq!(positions.len(), row.len());
        for range in ranges.iter().flatten() {
            assert!(range.end <= row.body().len());
        }
    } else {
        assert!(ranges.is_empty());
    }
}

fn check_message(message: &Message) {
    let _ = message.name();
    match message {
        Message::DataRow(row) => check_row(row),
        Message::ErrorResponse(fields) | Message::NoticeResponse(fields) => {
            let pairs: Vec<(u8, &str)> = fields.iter().filter_map(Result::ok).collect();
            if let Ok(error) = DbError::parse(pairs) {
                let _ = error.to_string();
                let _ = (error.code(), error.position(), error.line());
            }
            let _ = fields.get(b'C');
        }
        Message::CommandComplete { tag } => {
            let _ = (tag.command(), tag.rows(), tag.as_str());
        }
        _ => {}
    }
}
