//! Frontend (client to server) messages. Each message is a function appending one complete
//! message to a caller's `BytesMut`, its length back-patched; a pipeline is several calls on one
//! buffer. A function that fails leaves the buffer as it was.
//!
//! ```
//! use bytes::BytesMut;
//! use quarry_protocol::frontend;
//!
//! let mut buf = BytesMut::new();
//! frontend::parse("", "SELECT $1::int4", &[], &mut buf)?;
//! frontend::describe_statement("", &mut buf)?;
//! frontend::sync(&mut buf);
//! assert_eq!(&buf[buf.len() - 5..], b"S\0\0\0\x04");
//! # Ok::<(), quarry_protocol::ProtocolError>(())
//! ```

mod bind;
mod copy;
mod query;
mod startup;
mod writer;

pub use bind::bind;
pub use copy::{copy_data, copy_done, copy_fail};
pub use query::{
    close_portal, close_statement, describe_portal, describe_statement, execute, flush, parse,
    query, sync, terminate,
};
pub use startup::{
    cancel_request, password, sasl_initial_response, sasl_response, ssl_request, startup,
};
