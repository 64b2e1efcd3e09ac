//! Throwaway local PostgreSQL servers for tests, examples and `quarry db`.
