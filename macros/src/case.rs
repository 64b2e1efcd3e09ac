//! `rename_all` rules: turning a Rust field or variant name into a column, field or label name.

/// A case convention accepted by `#[quarry(rename_all = "...")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Snake,
    Camel,
    Pascal,
    ScreamingSnake,
    Kebab,
    Lower,
    Upper,
}

/// The spellings accepted, for error messages.
pub(crate) const RULE_NAMES: &str = "\"snake_case\", \"camelCase\", \"PascalCase\", \"SCREAMING_SNAKE_CASE\", \"kebab-case\", \"lowercase\", \"UPPERCASE\"";

impl RenameRule {
    /// The rule spelled `name`, if any.
    pub(crate) fn from_name(name: &str) -> Option<RenameRule> {
        Some(match name {
            "snake_case" => RenameRule::Snake,
            "camelCase" => RenameRule::Camel,
            "PascalCase" => RenameRule::Pascal,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            _ => return None,
        })
    }

    /// `ident` (snake_case field or PascalCase variant) in this case.
    pub(crate) fn apply(self, ident: &str) -> String {
        let words = words(ident);
        match self {
            RenameRule::Snake => join(&words, "_", str::to_lowercase),
            RenameRule::ScreamingSnake => join(&words, "_", str::to_uppercase),
            RenameRule::Kebab => join(&words, "-", str::to_lowercase),
            RenameRule::Lower => join(&words, "", str::to_lowercase),
            RenameRule::Upper => join(&words, "", str::to_uppercase),
            RenameRule::Pascal => join(&words, "", capitalize),
            RenameRule::Camel => {
                let mut out = String::new();
                for (i, w) in words.iter().enumerate() {
                    out.push_str(&if i == 0 {
                        w.to_lowercase()
                    } else {
                        capitalize(w)
                    });
                }
                out
            }
        }
    }
}

/// Splits `HttpRequest`, `http_request` or `HTTPRequest` into words.
fn words(ident: &str) -> Vec<String> {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let chars: Vec<char> = ident.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars.get(i.wrapping_sub(1)).copied().unwrap_or('_');
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // A new word starts at `aB` and at the last capital of an acronym (`HTTPRequest`).
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn join(words: &[String], sep: &str, f: impl Fn(&str) -> String) -> String {
    words.iter().map(|w| f(w)).collect::<Vec<_>>().join(sep)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_fields() {
        assert_eq!(RenameRule::Camel.apply("user_id"), "userId");
        assert_eq!(RenameRule::Pascal.apply("user_id"), "UserId");
        assert_eq!(RenameRule::ScreamingSnake.apply("user_id"), "USER_ID");
        assert_eq!(RenameRule::Kebab.apply("user_id"), "user-id");
        assert_eq!(RenameRule::Lower.apply("user_id"), "userid");
        assert_eq!(RenameRule::Upper.apply("user_id"), "USERID");
        assert_eq!(RenameRule::Snake.apply("r#type"), "type");
    }

    #[test]
    fn from_variants() {
        assert_eq!(RenameRule::Snake.apply("VeryHappy"), "very_happy");
        assert_eq!(RenameRule::Snake.apply("HTTPRequest"), "http_request");
        assert_eq!(RenameRule::Camel.apply("VeryHappy"), "veryHappy");
        assert_eq!(RenameRule::Kebab.apply("VeryHappy"), "very-happy");
        assert_eq!(RenameRule::Snake.apply("Mood"), "mood");
        assert_eq!(RenameRule::Snake.apply("Ipv4Addr"), "ipv4_addr");
    }

    #[test]
    fn names() {
        assert_eq!(RenameRule::from_name("camelCase"), Some(RenameRule::Camel));
        assert_eq!(RenameRule::from_name("camelcase"), None);
    }
}
