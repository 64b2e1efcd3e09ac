//! Sockets: TCP, Unix-domain sockets and TLS (rustls), behind one `Stream` type.
