//! pg_hba.conf for an ephemeral server: the added users' lines, then trust for the superuser.
//!
//! Pure text generation; the server module writes the result into the data directory.

use super::error::EphemeralError;

/// How a role added with [`ServerBuilder::user`](super::ServerBuilder::user) authenticates.
///
/// ```
/// use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};
/// let builder = EphemeralServer::builder().user("alice", Some("secret"), AuthMethod::ScramSha256);
/// # drop(builder);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// No password asked (`trust`).
    Trust,
    /// Cleartext password (`password`); the stored password is SCRAM.
    Password,
    /// `md5`; the password is stored as an md5 hash.
    Md5,
    /// `scram-sha-256`; the password is stored as a SCRAM verifier.
    ScramSha256,
    /// TLS client certificate whose CN is the user's name (`hostssl ... cert`); needs TLS.
    Cert,
}

impl AuthMethod {
    /// The method's keyword in pg_hba.conf.
    pub fn hba_keyword(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Password => "password",
            Self::Md5 => "md5",
            Self::ScramSha256 => "scram-sha-256",
            Self::Cert => "cert",
        }
    }

    /// The `password_encryption` used when storing this user's password.
    pub(crate) fn password_encryption(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            _ => "scram-sha-256",
        }
    }
}

/// A role added by the builder.
#[derive(Debug, Clone)]
pub(crate) struct UserSpec {
    pub(crate) name: String,
    pub(crate) password: Option<String>,
    pub(crate) method: AuthMethod,
}

const LOOPBACKS: [&str; 2] = ["127.0.0.1/32", "::1/128"];

/// Checks a role name can be written (double-quoted) into pg_hba.conf and SQL.
pub(crate) fn check_role_name(name: &str) -> Result<(), EphemeralError> {
    if name.is_empty() || name.contains(['"', '\0', '\n', '\r']) {
        return Err(EphemeralError::InvalidRoleName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// The whole pg_hba.conf: raw extra lines, user lines, superuser trust.
pub(crate) fn render(
    extra: &[String],
    users: &[UserSpec],
    superuser: &str,
    tls: bool,
) -> Result<String, EphemeralError> {
    let mut out = String::from("# Written by quarry's ephemeral server.\n");
    for line in extra {
        out.push_str(line);
        out.push('\n');
    }
    for user in users {
        check_role_name(&user.name)?;
        let name = format!("\"{}\"", user.name);
        let method = user.method.hba_keyword();
        if user.method == AuthMethod::Cert {
            if !tls {
                return Err(EphemeralError::CertWithoutTls {
                    user: user.name.clone(),
                });
            }
            for addr in LOOPBACKS {
                out.push_str(&format!("hostssl all {name} {addr} cert\n"));
            }
            continue;
        }
        for kind in if tls {
            &["hostssl", "host"][..]
        } else {
            &["host"][..]
        } {
            for addr in LOOPBACKS {
                out.push_str(&format!("{kind} all {name} {addr} {method}\n"));
            }
        }
        out.push_str(&format!("local all {name} {method}\n"));
    }
    out.push_str(&format!("local all {superuser} trust\n"));
    for addr in LOOPBACKS {
        out.push_str(&format!("host all {superuser} {addr} trust\n"));
    }
    // For EphemeralServer::start_replica: pg_basebackup and the standby stream over the socket.
    out.push_str(&format!("local replication {superuser} trust\n"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, method: AuthMethod) -> UserSpec {
        UserSpec {
            name: name.into(),
            password: None,
            method,
        }
    }

    #[test]
    fn orders_extra_then_users_then_superuser() {
        let text = render(
            &["host all all 10.0.0.0/8 reject".into()],
            &[user("md", AuthMethod::Md5), user("c", AuthMethod::Cert)],
            "postgres",
            true,
        )
        .unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(lines[0], "host all all 10.0.0.0/8 reject");
        assert_eq!(lines[1], "hostssl all \"md\" 127.0.0.1/32 md5");
        assert_eq!(lines[3], "host all \"md\" 127.0.0.1/32 md5");
        assert_eq!(lines[5], "local all \"md\" md5");
        assert_eq!(lines[6], "hostssl all \"c\" 127.0.0.1/32 cert");
        assert_eq!(lines[7], "hostssl all \"c\" ::1/128 cert");
        assert_eq!(lines[8], "local all postgres trust");
        assert_eq!(lines[11], "local replication postgres trust");
        assert_eq!(lines.len(), 12);
    }

    #[test]
    fn without_tls_no_hostssl() {
        let text = render(
            &[],
            &[user("s", AuthMethod::ScramSha256)],
            "postgres",
            false,
        )
        .unwrap();
        assert!(!text.contains("hostssl"));
        assert!(text.contains("host all \"s\" ::1/128 scram-sha-256"));
    }

    #[test]
    fn rejects_cert_without_tls_and_bad_names() {
        assert!(matches!(
            render(&[], &[user("c", AuthMethod::Cert)], "postgres", false),
            Err(EphemeralError::CertWithoutTls { .. })
        ));
        assert!(matches!(
            render(&[], &[user("a\"b", AuthMethod::Trust)], "postgres", false),
            Err(EphemeralError::InvalidRoleName { .. })
        ));
    }
}
