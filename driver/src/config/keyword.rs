//! `keyword_enum!`: the one place that maps a settings enum to its libpq spellings.
//!
//! Each enum gets `as_str`, `Display` and `FromStr` from a single table, so a spelling is
//! written once.

/// Declares `as_str`, `Display` and `FromStr` for a fieldless enum from a
/// `Variant => "spelling"` table. `FromStr` is ASCII-case-insensitive, as libpq is for these words.
macro_rules! keyword_enum {
    ($ty:ident, key = $key:literal, expected = $expected:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The libpq spelling of this value, as written in a DSN.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::config::ConfigError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($text) {
                    return Ok($ty::$variant);
                })+
                Err($crate::config::ConfigError::InvalidValue {
                    key: $key.to_owned(),
                    value: s.to_owned(),
                    expected: $expected,
                })
            }
        }
    };
}

pub(crate) use keyword_enum;
