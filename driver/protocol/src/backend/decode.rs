//! Decoding one complete frame body into a [`Message`], by message type byte.

use bytes::Bytes;

use super::reader::Reader;
use super::{CommandTag, DataRow, ErrorFields, Message, describe};
use crate::{ProtocolError, TransactionStatus};

/// Whether `tag` is a message type the server may send.
pub(super) fn is_known_tag(tag: u8) -> bool {
    matches!(
        tag,
        b'R' | b'K'
            | b'2'
            | b'3'
            | b'C'
            | b'd'
            | b'c'
            | b'G'
            | b'H'
            | b'W'
            | b'D'
            | b'I'
            | b'E'
            | b'n'
            | b'N'
            | b'A'
            | b't'
            | b'S'
            | b'1'
            | b's'
            | b'Z'
            | b'T'
            | b'v'
    )
}

/// The transaction status byte of a ReadyForQuery.
pub(super) fn transaction_status(byte: u8) -> Result<TransactionStatus, ProtocolError> {
    match byte {
        b'I' => Ok(TransactionStatus::Idle),
        b'T' => Ok(TransactionStatus::InTransaction),
        b'E' => Ok(TransactionStatus::Failed),
        byte => Err(ProtocolError::InvalidTransactionStatus { byte }),
    }
}

/// Decodes the body of a message of type `tag`.
pub(super) fn decode(tag: u8, body: Bytes) -> Result<Message, ProtocolError> {
    let message = match tag {
        b'R' => authentication(body)?,
        b'K' => {
            let mut r = Reader::new(&body, "BackendKeyData");
            let process_id = r.i32()?;
            let secret_key = r.i32()?;
            r.finish()?;
            Message::BackendKeyData {
                process_id,
                secret_key,
            }
        }
        b'2' => empty(&body, "BindComplete", Message::BindComplete)?,
        b'3' => empty(&body, "CloseComplete", Message::CloseComplete)?,
        b'C' => {
            let mut r = Reader::new(&body, "CommandComplete");
            let len = r.cstr_bytes()?.len();
            r.finish()?;
            Message::CommandComplete {
                tag: CommandTag::new(body.slice(..len))?,
            }
        }
        b'd' => Message::CopyData { data: body },
        b'c' => empty(&body, "CopyDone", Message::CopyDone)?,
        b'G' => Message::CopyInResponse(describe::copy_response(&body, "CopyInResponse")?),
        b'H' => Message::CopyOutResponse(describe::copy_response(&body, "CopyOutResponse")?),
        b'W' => Message::CopyBothResponse(describe::copy_response(&body, "CopyBothResponse")?),
        b'D' => {
            let mut r = Reader::new(&body, "DataRow");
            let len = r.u16()?;
            let skip = r.position();
            let mut body = body;
            // Advancing keeps the one reference to the receive buffer (no refcount traffic per row).
            bytes::Buf::advance(&mut body, skip);
            Message::DataRow(DataRow::new(len, body))
        }
        b'I' => empty(&body, "EmptyQueryResponse", Message::EmptyQueryResponse)?,
        b'E' => Message::ErrorResponse(ErrorFields::parse(body, "ErrorResponse")?),
        b'n' => empty(&body, "NoData", Message::NoData)?,
        b'N' => Message::NoticeResponse(ErrorFields::parse(body, "NoticeResponse")?),
        b'A' => {
            let mut r = Reader::new(&body, "NotificationResponse");
            let process_id = r.i32()?;
            let channel = r.cstr()?.to_owned();
            let payload = r.cstr()?.to_owned();
            r.finish()?;
            Message::NotificationResponse {
                process_id,
                channel,
                payload,
            }
        }
        b't' => {
            let mut r = Reader::new(&body, "ParameterDescription");
            let count = usize::from(r.u16()?);
            let mut types = Vec::with_capacity(count.min(r.remaining() / 4));
            for _ in 0..count {
                types.push(r.u32()?);
            }
            r.finish()?;
            Message::ParameterDescription { types }
        }
        b'S' => {
            let mut r = Reader::new(&body, "ParameterStatus");
            let name = r.cstr()?.to_owned();
            let value = r.cstr()?.to_owned();
            r.finish()?;
            Message::ParameterStatus { name, value }
        }
        b'1' => empty(&body, "ParseComplete", Message::ParseComplete)?,
        b's' => empty(&body, "PortalSuspended", Message::PortalSuspended)?,
        b'Z' => {
            let mut r = Reader::new(&body, "ReadyForQuery");
            let status = transaction_status(r.u8()?)?;
            r.finish()?;
            Message::ReadyForQuery { status }
        }
        b'T' => Message::RowDescription {
            fields: describe::row_description(&body)?,
        },
        b'v' => negotiate_protocol_version(&body)?,
        tag => return Err(ProtocolError::UnknownMessage { tag }),
    };
    Ok(message)
}

/// A message without a body: anything after the header is an error.
fn empty(body: &[u8], name: &'static str, message: Message) -> Result<Message, ProtocolError> {
    Reader::new(body, name).finish()?;
    Ok(message)
}

/// Decodes the Authentication* family, keyed by its request code.
fn authentication(body: Bytes) -> Result<Message, ProtocolError> {
    const NAME: &str = "Authentication";
    let mut r = Reader::new(&body, NAME);
    let code = r.i32()?;
    let message = match code {
        0 => Message::AuthenticationOk,
        3 => Message::AuthenticationCleartextPassword,
        5 => Message::AuthenticationMd5Password { salt: r.array()? },
        10 => {
            let mut mechanisms = Vec::new();
            loop {
                let mechanism = r.cstr()?;
                if mechanism.is_empty() {
                    break;
                }
                mechanisms.push(mechanism.to_owned());
            }
            Message::AuthenticationSasl { mechanisms }
        }
        11 => Message::AuthenticationSaslContinue {
            data: body.slice(r.position()..),
        },
        12 => Message::AuthenticationSaslFinal {
            data: body.slice(r.position()..),
        },
        // Kerberos V5, SCM credentials, GSSAPI, GSSAPI continue, SSPI.
        2 | 6 | 7 | 8 | 9 => return Ok(Message::AuthenticationUnsupported { code }),
        code => return Err(ProtocolError::UnknownAuthentication { code }),
    };
    if !matches!(
        message,
        Message::AuthenticationSaslContinue { .. } | Message::AuthenticationSaslFinal { .. }
    ) {
        r.finish()?;
    }
    Ok(message)
}

/// Decodes a NegotiateProtocolVersion.
fn negotiate_protocol_version(body: &[u8]) -> Result<Message, ProtocolError> {
    const NAME: &str = "NegotiateProtocolVersion";
    let mut r = Reader::new(body, NAME);
    let newest_minor = r.i32()?;
    let count = r.i32()?;
    let count = usize::try_from(count).map_err(|_| ProtocolError::NegativeCount {
        message: NAME,
        count,
    })?;
    let mut unrecognized = Vec::with_capacity(count.min(r.remaining()));
    for _ in 0..count {
        unrecognized.push(r.cstr()?.to_owned());
    }
    r.finish()?;
    Ok(Message::NegotiateProtocolVersion {
        newest_minor,
        unrecognized,
    })
}
