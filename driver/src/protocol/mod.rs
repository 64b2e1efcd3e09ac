//! The PostgreSQL wire protocol (version 3.0): frontend messages encoded into a buffer, backend messages decoded from one. Pure: no sockets, no async.
