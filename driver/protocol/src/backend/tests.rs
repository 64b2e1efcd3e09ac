//! Tests of framing and decoding every backend message, plus a never-panic fuzz loop.

use super::*;
use crate::Format;

/// A frame with a correct length header.
fn frame(tag: u8, body: &[u8]) -> BytesMut {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(&[tag]);
    buf.extend_from_slice(&i32::try_from(body.len() + 4).unwrap().to_be_bytes());
    buf.extend_from_slice(body);
    buf
}

/// Decodes one whole frame. A frame whose header is refused (a fixed-size message with another
/// length) is left in the buffer: the connection is lost anyway.
fn decode_one(tag: u8, body: &[u8]) -> Result<Message, ProtocolError> {
    let mut buf = frame(tag, body);
    let msg = parse_message(&mut buf).map(Option::unwrap);
    assert!(buf.is_empty() || matches!(msg, Err(ProtocolError::InvalidLength { .. })));
    msg
}

fn ok(tag: u8, body: &[u8]) -> Message {
    decode_one(tag, body).unwrap()
}

#[test]
fn authentication_messages() {
    assert_eq!(ok(b'R', b"\0\0\0\0"), Message::AuthenticationOk);
    assert_eq!(
        ok(b'R', b"\0\0\0\x03"),
        Message::AuthenticationCleartextPassword
    );
    assert_eq!(
        ok(b'R', b"\0\0\0\x05abcd"),
        Message::AuthenticationMd5Password { salt: *b"abcd" }
    );
    assert_eq!(
        ok(b'R', b"\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"),
        Message::AuthenticationSasl {
            mechanisms: vec!["SCRAM-SHA-256-PLUS".into(), "SCRAM-SHA-256".into()]
        }
    );
    assert_eq!(
        ok(b'R', b"\0\0\0\x0br=abc,s=xyz,i=4096"),
        Message::AuthenticationSaslContinue {
            data: Bytes::from_static(b"r=abc,s=xyz,i=4096")
        }
    );
    assert_eq!(
        ok(b'R', b"\0\0\0\x0cv=sig"),
        Message::AuthenticationSaslFinal {
            data: Bytes::from_static(b"v=sig")
        }
    );
    for code in [2u8, 6, 7, 9] {
        assert_eq!(
            ok(b'R', &[0, 0, 0, code]),
            Message::AuthenticationUnsupported {
                code: i32::from(code)
            }
        );
    }
    assert_eq!(
        ok(b'R', b"\0\0\0\x08token"),
        Message::AuthenticationUnsupported { code: 8 }
    );
    assert!(matches!(
        decode_one(b'R', b"\0\0\0\x04"),
        Err(ProtocolError::UnknownAuthentication { code: 4 })
    ));
    assert!(matches!(
        decode_one(b'R', b"\0\0\0\x05abc"),
        Err(ProtocolError::Truncated { .. })
    ));
    assert!(matches!(
        decode_one(b'R', b"\0\0\0\0x"),
        Err(ProtocolError::TrailingBytes { .. })
    ));
    assert!(matches!(
        decode_one(b'R', b"\0\0\0\x0aSCRAM-SHA-256\0"),
        Err(ProtocolError::MissingNul { .. })
    ));
}

#[test]
fn simple_messages() {
    assert_eq!(
        ok(b'K', b"\0\0\x01\x00\xff\xff\xff\xfe"),
        Message::BackendKeyData {
            process_id: 256,
            secret_key: -2
        }
    );
    assert_eq!(ok(b'2', b""), Message::BindComplete);
    assert_eq!(ok(b'3', b""), Message::CloseComplete);
    assert_eq!(ok(b'c', b""), Message::CopyDone);
    assert_eq!(ok(b'I', b""), Message::EmptyQueryResponse);
    assert_eq!(ok(b'n', b""), Message::NoData);
    assert_eq!(ok(b'1', b""), Message::ParseComplete);
    assert_eq!(ok(b's', b""), Message::PortalSuspended);
    assert!(matches!(
        decode_one(b'1', b"x"),
        Err(ProtocolError::InvalidLength { tag: b'1', len: 5 })
    ));
    assert_eq!(
        ok(b'd', b"1\tx\n"),
        Message::CopyData {
            data: Bytes::from_static(b"1\tx\n")
        }
    );
}

#[test]
fn command_complete() {
    let Message::CommandComplete { tag } = ok(b'C', b"DELETE 7\0") else {
        panic!()
    };
    assert_eq!(tag.as_str(), "DELETE 7");
    assert_eq!(tag.rows(), 7);
    assert!(matches!(
        decode_one(b'C', b"DELETE 7"),
        Err(ProtocolError::MissingNul { .. })
    ));
    assert!(matches!(
        decode_one(b'C', b"\xff\0"),
        Err(ProtocolError::InvalidUtf8 { .. })
    ));
}

#[test]
fn copy_responses() {
    let want = CopyResponse {
        format: Format::Text,
        column_formats: vec![Format::Text],
    };
    assert_eq!(
        ok(b'G', b"\0\0\x01\0\0"),
        Message::CopyInResponse(want.clone())
    );
    assert_eq!(
        ok(b'H', b"\0\0\x01\0\0"),
        Message::CopyOutResponse(want.clone())
    );
    assert_eq!(ok(b'W', b"\0\0\x01\0\0"), Message::CopyBothResponse(want));
}

#[test]
fn data_row() {
    let Message::DataRow(row) = ok(b'D', b"\0\x01\0\0\0\x03abc") else {
        panic!()
    };
    assert_eq!(row.len(), 1);
    let mut out = Vec::new();
    row.ranges(&mut out).unwrap();
    assert_eq!(out, [Some(4..7)]);
    assert!(matches!(
        decode_one(b'D', b"\0"),
        Err(ProtocolError::Truncated { message: "DataRow" })
    ));
}

#[test]
fn error_and_notice() {
    let Message::ErrorResponse(fields) = ok(b'E', b"SFATAL\0C28P01\0Mbad password\0\0") else {
        panic!()
    };
    assert_eq!(fields.get(b'S'), Some("FATAL"));
    assert_eq!(fields.get(b'C'), Some("28P01"));
    let Message::NoticeResponse(fields) = ok(b'N', b"SNOTICE\0Mhi\0\0") else {
        panic!()
    };
    assert_eq!(fields.get(b'M'), Some("hi"));
    assert!(decode_one(b'E', b"SFATAL\0").is_err());
}

#[test]
fn notification_and_status() {
    assert_eq!(
        ok(b'A', b"\0\0\0\x2achan\0payload\0"),
        Message::NotificationResponse {
            process_id: 42,
            channel: "chan".into(),
            payload: "payload".into()
        }
    );
    assert_eq!(
        ok(b'S', b"TimeZone\0UTC\0"),
        Message::ParameterStatus {
            name: "TimeZone".into(),
            value: "UTC".into()
        }
    );
    assert!(matches!(
        decode_one(b'S', b"TimeZone\0UTC\0x"),
        Err(ProtocolError::TrailingBytes { .. })
    ));
}

#[test]
fn parameter_description() {
    assert_eq!(
        ok(b't', b"\0\x02\0\0\0\x17\0\0\0\x19"),
        Message::ParameterDescription {
            types: vec![23, 25]
        }
    );
    assert!(decode_one(b't', b"\xff\xff\0\0\0\x17").is_err());
}

#[test]
fn ready_for_query() {
    for (byte, status) in [
        (b'I', TransactionStatus::Idle),
        (b'T', TransactionStatus::InTransaction),
        (b'E', TransactionStatus::Failed),
    ] {
        assert_eq!(ok(b'Z', &[byte]), Message::ReadyForQuery { status });
    }
    assert!(matches!(
        decode_one(b'Z', b"X"),
        Err(ProtocolError::InvalidTransactionStatus { byte: b'X' })
    ));
    assert!(decode_one(b'Z', b"").is_err());
    assert!(decode_one(b'Z', b"II").is_err());
}

#[test]
fn row_description() {
    let Message::RowDescription { fields } = ok(
        b'T',
        b"\0\x01x\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\x01",
    ) else {
        panic!()
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "x");
    assert_eq!(fields[0].type_oid, 23);
    assert_eq!(fields[0].format, Format::Binary);
}

#[test]
fn negotiate_protocol_version() {
    assert_eq!(
        ok(b'v', b"\0\0\0\0\0\0\0\x01_pq_.foo\0"),
        Message::NegotiateProtocolVersion {
            newest_minor: 0,
            unrecognized: vec!["_pq_.foo".into()]
        }
    );
    assert!(matches!(
        decode_one(b'v', b"\0\0\0\0\xff\xff\xff\xff"),
        Err(ProtocolError::NegativeCount { count: -1, .. })
    ));
    assert!(decode_one(b'v', b"\0\0\0\0\x7f\xff\xff\xff").is_err());
}

#[test]
fn framing() {
    let mut buf = frame(b'Z', b"I");
    buf.extend_from_slice(&frame(b'C', b"SELECT 1\0"));
    let whole = buf.clone();
    // Every strict prefix of the first frame needs more bytes and consumes nothing.
    for cut in 0..6 {
        let mut partial = BytesMut::from(&whole[..cut]);
        assert_eq!(parse_message(&mut partial).unwrap(), None);
        assert_eq!(partial.len(), cut);
    }
    assert!(matches!(
        parse_message(&mut buf).unwrap(),
        Some(Message::ReadyForQuery { .. })
    ));
    assert!(matches!(
        parse_message(&mut buf).unwrap(),
        Some(Message::CommandComplete { .. })
    ));
    assert_eq!(parse_message(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
}

#[test]
fn bad_headers() {
    let mut buf = BytesMut::from(&b"Z\0\0\0\x03"[..]);
    assert!(matches!(
        parse_message(&mut buf),
        Err(ProtocolError::InvalidLength { tag: b'Z', len: 3 })
    ));
    let mut buf = BytesMut::from(&b"D\xff\xff\xff\xff"[..]);
    assert!(matches!(
        parse_message(&mut buf),
        Err(ProtocolError::InvalidLength { len: -1, .. })
    ));
    let mut buf = BytesMut::from(&b"D\x40\0\0\x01"[..]);
    assert!(matches!(
        parse_message(&mut buf),
        Err(ProtocolError::MessageTooLarge { tag: b'D', .. })
    ));
    let mut buf = BytesMut::from(&b"Q\0\0\0\x04"[..]);
    assert!(matches!(
        parse_message(&mut buf),
        Err(ProtocolError::UnknownMessage { tag: b'Q' })
    ));
    assert_eq!(frame_len(b"Z\0\0\0\x05"), Some(6));
    assert_eq!(frame_len(b"Z\0\0\0\x03"), None);
    assert_eq!(frame_len(b"D\x40\0\0\0"), Some(MAX_MESSAGE_LEN + 1));
    assert_eq!(frame_len(b"D\x40\0\0\x01"), None);
}

#[test]
fn fixed_size_messages_with_another_length_are_lost_sync_at_once() {
    // A corrupted length on a message whose size is known fails before its body arrives:
    // nothing waits for (or reserves) the gigabyte it claims.
    for (tag, len) in [
        (b'Z', 0x3fff_ffffu32),
        (b'Z', 6),
        (b'2', 0x3fff_ffff),
        (b'1', 5),
        (b'3', 0x100),
        (b'K', 13),
        (b'I', 8),
        (b'n', 0x1000),
        (b's', 5),
        (b'c', 5),
    ] {
        let mut buf = BytesMut::from(&[tag][..]);
        buf.extend_from_slice(&len.to_be_bytes());
        assert!(
            matches!(
                parse_message(&mut buf),
                Err(ProtocolError::InvalidLength { .. })
            ),
            "{}",
            char::from(tag)
        );
        assert_eq!(frame_len(&buf), None);
    }
}

#[test]
fn short_messages_are_limited_to_their_sane_maximum() {
    // CommandComplete, ParameterStatus, authentication and COPY responses are short by nature.
    for tag in [b'C', b'S', b'R', b'G', b'H', b'W', b'v'] {
        let mut buf = BytesMut::from(&[tag][..]);
        buf.extend_from_slice(&0x3fff_ffffu32.to_be_bytes());
        assert!(
            matches!(
                parse_message(&mut buf),
                Err(ProtocolError::InvalidLength { .. })
            ),
            "{}",
            char::from(tag)
        );
    }
    // Messages that carry data may be long.
    let mut buf = BytesMut::from(&b"T"[..]);
    buf.extend_from_slice(&100_000u32.to_be_bytes());
    assert!(matches!(parse_message(&mut buf), Ok(None)));
    assert_eq!(frame_len(&buf), Some(100_001));
}

/// A tiny deterministic PRNG (xorshift64*), so the fuzz loop is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Decodes everything in `buf`, touching every lazily-validated part; must never panic.
fn drain(mut buf: BytesMut) {
    let mut ranges = Vec::new();
    while let Ok(Some(msg)) = parse_message(&mut buf) {
        match msg {
            Message::DataRow(row) => match row.ranges(&mut ranges) {
                Ok(()) => {
                    assert_eq!(ranges.len(), row.len());
                    for range in ranges.iter().flatten() {
                        assert!(row.body().get(range.clone()).is_some());
                    }
                }
                Err(_) => assert!(ranges.is_empty()),
            },
            Message::ErrorResponse(fields) | Message::NoticeResponse(fields) => {
                assert!(fields.iter().all(|f| f.is_ok()));
                let _ = format!("{fields:?}");
            }
            Message::CommandComplete { tag } => {
                let _ = (tag.rows(), tag.as_str());
            }
            _ => {}
        }
    }
}

#[test]
fn random_frames_never_panic() {
    const TAGS: &[u8] = b"RK23CdcGHWDIEnNAtS1sZTvQx\0";
    const ALPHABET: &[u8] = b"\0\0\0\x01\x02\xff\xfeISCE aZ";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let body_len = rng.below(48);
        let mut body = Vec::with_capacity(body_len);
        for _ in 0..body_len {
            // Mostly bytes that make plausible fields: NULs, small ints, -1, text.
            let b = if rng.below(3) == 0 {
                rng.byte()
            } else {
                ALPHABET[rng.below(ALPHABET.len())]
            };
            body.push(b);
        }
        let tag = TAGS[rng.below(TAGS.len())];
        let mut buf = match round % 4 {
            // Fully random bytes, header included.
            0 => BytesMut::from(&body[..]),
            // A correct header over a random body.
            1 | 2 => frame(tag, &body),
            // A header whose length disagrees with the body.
            _ => {
                let mut buf = frame(tag, &body);
                let declared = i32::try_from(rng.below(64)).unwrap() - 4;
                buf[1..5].copy_from_slice(&declared.to_be_bytes());
                buf
            }
        };
        if round % 7 == 0 {
            let cut = rng.below(buf.len() + 1);
            buf.truncate(cut);
        }
        drain(buf);
    }
}

#[test]
fn every_truncation_of_valid_messages_is_an_error_or_incomplete() {
    let messages: &[(u8, &[u8])] = &[
        (b'R', b"\0\0\0\x0aSCRAM-SHA-256\0\0"),
        (b'R', b"\0\0\0\x05abcd"),
        (b'K', b"\0\0\x01\x00\xff\xff\xff\xfe"),
        (b'C', b"INSERT 0 1\0"),
        (b'G', b"\x01\0\x02\0\x01\0\x01"),
        (b'E', b"SERROR\0C23505\0\0"),
        (b'A', b"\0\0\0\x01ch\0pl\0"),
        (b't', b"\0\x02\0\0\0\x17\0\0\0\x19"),
        (b'S', b"a\0b\0"),
        (
            b'T',
            b"\0\x01x\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\x01",
        ),
        (b'v', b"\0\0\0\0\0\0\0\x01_pq_.foo\0"),
    ];
    for &(tag, body) in messages {
        decode_one(tag, body).unwrap();
        for cut in 0..body.len() {
            // The body is cut but the header says it is complete: a decode error.
            assert!(
                decode_one(tag, &body[..cut]).is_err(),
                "{} cut at {cut}",
                char::from(tag)
            );
            // The frame is cut on the wire: more bytes are needed.
            let mut buf = frame(tag, body);
            buf.truncate(5 + cut);
            assert_eq!(parse_message(&mut buf).unwrap(), None);
        }
    }
}
