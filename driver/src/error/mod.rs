//! The one error type of Quarry and its parts.
