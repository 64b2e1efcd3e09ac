//! postgresql.conf additions for an ephemeral server: fast, local-only, private socket, TLS files.
//!
//! Pure text generation; values are always single-quoted (PostgreSQL accepts that for every type).

use std::path::Path;

use super::error::EphemeralError;

/// Settings that make a throwaway server fast to start and cheap to run.
const FAST: [(&str, &str); 6] = [
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("shared_buffers", "32MB"),
    ("max_connections", "200"),
    ("logging_collector", "off"),
];

/// The TLS files the server uses.
#[derive(Debug)]
pub(crate) struct ServerTls<'a> {
    pub(crate) cert: &'a Path,
    pub(crate) key: &'a Path,
    pub(crate) ca: &'a Path,
}

/// Checks a user-supplied setting before it is written.
pub(crate) fn check_setting(name: &str, value: &str) -> Result<(), EphemeralError> {
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !name_ok || value.contains(['\n', '\r', '\0']) {
        return Err(EphemeralError::InvalidSetting {
            name: name.to_owned(),
            value: value.to_owned(),
        });
    }
    Ok(())
}

/// Text appended to the initdb-generated postgresql.conf (later lines win).
pub(crate) fn render(
    listen: &[&str],
    socket_dir: &Path,
    tls: Option<&ServerTls<'_>>,
    extra: &[(String, String)],
) -> Result<String, EphemeralError> {
    let mut out = String::from("\n# Added by quarry's ephemeral server.\n");
    let mut push = |name: &str, value: &str| {
        out.push_str(&format!("{name} = '{}'\n", value.replace('\'', "''")));
    };
    for (name, value) in FAST {
        push(name, value);
    }
    push("listen_addresses", &listen.join(","));
    push("unix_socket_directories", &socket_dir.to_string_lossy());
    if let Some(tls) = tls {
        push("ssl", "on");
        push("ssl_cert_file", &tls.cert.to_string_lossy());
        push("ssl_key_file", &tls.key.to_string_lossy());
        push("ssl_ca_file", &tls.ca.to_string_lossy());
    }
    for (name, value) in extra {
        check_setting(name, value)?;
        push(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_quoted_settings() {
        let text = render(
            &["127.0.0.1", "::1"],
            Path::new("/tmp/x/sock"),
            None,
            &[("application_name".into(), "it's".into())],
        )
        .unwrap();
        assert!(text.contains("fsync = 'off'\n"));
        assert!(text.contains("listen_addresses = '127.0.0.1,::1'\n"));
        assert!(text.contains("unix_socket_directories = '/tmp/x/sock'\n"));
        assert!(text.contains("application_name = 'it''s'\n"));
        assert!(!text.contains("ssl"));
    }

    #[test]
    fn renders_tls_and_rejects_bad_settings() {
        let tls = ServerTls {
            cert: Path::new("/c"),
            key: Path::new("/k"),
            ca: Path::new("/a"),
        };
        let text = render(&["127.0.0.1"], Path::new("/s"), Some(&tls), &[]).unwrap();
        assert!(text.contains("ssl = 'on'\nssl_cert_file = '/c'\n"));
        assert!(check_setting("work_mem", "4MB").is_ok());
        assert!(check_setting("a b", "1").is_err());
        assert!(check_setting("x", "1\nfsync=on").is_err());
    }
}
