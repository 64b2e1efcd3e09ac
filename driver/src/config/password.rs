//! `Password`: a secret that never shows up in `Debug` output, logs or errors.

use std::fmt;

/// A password. `Debug` prints `Password(<redacted>)`; there is no `Display`.
///
/// ```
/// use quarry_driver::config::Password;
///
/// let password = Password::new("s3cret");
/// assert_eq!(password.as_str(), "s3cret");
/// assert_eq!(format!("{password:?}"), "Password(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The password as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The password's UTF-8 bytes, as authentication hashes them.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl From<String> for Password {
    fn from(password: String) -> Password {
        Password(password)
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Password {
        Password(password.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let p = Password::from("hunter2");
        assert!(!format!("{p:?}").contains("hunter2"));
        assert_eq!(p.as_bytes(), b"hunter2");
    }
}
