//! Build-time error texts: a PostgreSQL error shown with the SQL, a caret under the server's
//! error position, and the detail and hint.

use quarry_driver::error::ErrorPosition;

/// Renders a describe failure. Server errors get the SQL with a caret; others their message.
pub(crate) fn server_error(sql: &str, error: &quarry_driver::Error) -> String {
    let Some(db) = error.as_db_error() else {
        return format!("could not describe the query: {error}");
    };
    let mut text = format!("PostgreSQL: {} ({})", db.message(), db.code().code());
    if let Some(ErrorPosition::Original(position)) = db.position() {
        text.push('\n');
        text.push_str(&caret(sql, *position));
    }
    if let Some(detail) = db.detail() {
        text.push_str(&format!("\ndetail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("\nhint: {hint}"));
    }
    text
}

/// The line of `sql` holding the 1-based character `position`, with a caret under it.
pub(crate) fn caret(sql: &str, position: u32) -> String {
    let target = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    let mut seen = 0usize;
    let lines: Vec<&str> = sql.split('\n').collect();
    let last = lines.len().saturating_sub(1);
    for (n, line) in lines.iter().enumerate() {
        let len = line.chars().count();
        if target <= seen + len || n == last {
            let column = target.saturating_sub(seen).min(len);
            let number = format!("{:>3} | ", n + 1);
            let pad = " ".repeat(number.chars().count() + column);
            return format!("{number}{line}\n{pad}^");
        }
        seen += len + 1;
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_the_position() {
        assert_eq!(caret("SELEC 1", 1), "  1 | SELEC 1\n      ^");
        assert_eq!(
            caret("SELECT 1\nFROM nowhere", 15),
            "  2 | FROM nowhere\n           ^"
        );
        // Out of range positions stay on the last line.
        assert!(caret("SELECT", 99).ends_with('^'));
    }
}
