//! Connection settings: DSN and key=value parsing, PG* environment variables, .pgpass, hosts.
