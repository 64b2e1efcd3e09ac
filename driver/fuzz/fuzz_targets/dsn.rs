//! The DSN parsers (`driver/src/config/`): the URL form (`postgres://...`) and the `key=value`
//! form, through `Config::parse` as `connect` calls it, then everything derived from a parsed
//! config (targets, passwords per target, Debug, which must never print the password).
//!
//! Input: one byte choosing the form (0: as given, 1: forced URL, 2: forced URL with a host
//! list, 3: forced `key=value`), then the DSN text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry_driver::config::Config;

fuzz_target!(|data: &[u8]| {
    let Some((&form, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let dsn = match form % 4 {
        0 => text.to_owned(),
        1 => format!("postgresql://{text}"),
        2 => format!("postgres://u:p@h1,h2:5433/db?{text}"),
        // A leading space keeps the text from being taken for a URL.
        _ => format!(" {text}"),
    };
    let Ok(config) = Config::parse(&dsn) else {
        return;
    };
    if let Some(password) = config.get_password() {
        // Debug never prints the password: it reads the same with another one.
        let other = config.clone().password(format!("{}x", password.as_str()));
        assert_eq!(
            format!("{config:?}"),
            format!("{other:?}"),
            "Debug printed the password"
        );
    }
    let _ = (config.user_or_default(), config.dbname_or_default());
    let _ = (
        config.get_sslmode(),
        config.get_connect_timeout(),
        config.server_settings(),
    );
    // With no host, `targets` looks for socket files on disk: not this target's business.
    if !config.get_hosts().is_empty() {
        for target in config.targets() {
            let _ = config.sslmode_for(&target);
            let _ = config.password_for(&target);
        }
    }
});
