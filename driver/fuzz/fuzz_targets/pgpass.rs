//! The `.pgpass` parser: the first line of a password file matching a target, database and
//! user, with `*` wildcards, `\:` and `\\` escapes and comments.
//!
//! Input: one byte choosing the lookup (TCP host or socket directory, port, database, user from
//! a small set, so lines in the corpus can match), then the file's text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry_driver::config::{Host, Target};
use quarry_driver::fuzz;

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let Ok(content) = std::str::from_utf8(text) else {
        return;
    };
    let host = match which & 3 {
        0 => Host::Tcp("localhost".to_owned()),
        1 => Host::Tcp("db.example.com".to_owned()),
        2 => Host::Tcp("::1".to_owned()),
        _ => Host::Unix("/var/run/postgresql".into()),
    };
    let port = if which & 4 == 0 { 5432 } else { 6543 };
    let dbname = ["app", "*", "db:name"][usize::from(which >> 3) % 3];
    let user = ["alice", "bob\\", ""][usize::from(which >> 5) % 3];
    let target = Target { host, port };
    if let Some(password) = fuzz::pgpass_password(content, &target, dbname, user) {
        let _ = password.as_str().len();
    }
});
