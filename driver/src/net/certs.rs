//! Reading certificates and keys: PEM files, the system store, and libpq's default files
//! under `~/.postgresql/`. No TLS policy here; [`config`](super::config) decides what to load.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::error::NetError;
use crate::config::SslRootCert;

/// `~/.postgresql/<name>`, when the home directory is known.
pub(super) fn default_file(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(Path::new(&home).join(".postgresql").join(name))
}

/// `~/.postgresql/<name>` if that file exists.
pub(super) fn existing_default_file(name: &str) -> Option<PathBuf> {
    default_file(name).filter(|p| p.is_file())
}

fn open(path: &Path) -> Result<BufReader<File>, NetError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| NetError::ReadCert {
            path: path.to_owned(),
            source,
        })
}

/// Every certificate in a PEM file; an error when the file has none.
pub(super) fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, NetError> {
    let mut reader = open(path)?;
    let certs = rustls_pemfile::certs(&mut reader)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| NetError::ReadCert {
            path: path.to_owned(),
            source,
        })?;
    if certs.is_empty() {
        return Err(NetError::NoCertsInFile {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) in a PEM file.
pub(super) fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, NetError> {
    let mut reader = open(path)?;
    rustls_pemfile::private_key(&mut reader)
        .map_err(|source| NetError::ReadCert {
            path: path.to_owned(),
            source,
        })?
        .ok_or_else(|| NetError::InvalidKey {
            path: path.to_owned(),
        })
}

/// A root store from `source`.
pub(super) fn load_roots(source: &SslRootCert) -> Result<RootCertStore, NetError> {
    let mut roots = RootCertStore::empty();
    match source {
        SslRootCert::File(path) => {
            for cert in load_certs(path)? {
                roots
                    .add(cert)
                    .map_err(|source| NetError::InvalidRootCert {
                        path: path.clone(),
                        source,
                    })?;
            }
        }
        SslRootCert::System => {
            let found = rustls_native_certs::load_native_certs();
            for e in &found.errors {
                tracing::debug!(error = %e, "skipping unreadable system certificate");
            }
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                tracing::debug!("no usable system root certificates; using webpki-roots");
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
        }
    }
    Ok(roots)
}

/// The client certificate chain and key to present, if any: the explicit files, else
/// `~/.postgresql/postgresql.crt` / `.key` when the certificate exists.
pub(super) fn load_client_identity(
    cert: Option<&Path>,
    key: Option<&Path>,
) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, NetError> {
    let cert_path = match cert {
        Some(p) => p.to_owned(),
        None => match existing_default_file("postgresql.crt") {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let key_path = match key {
        Some(p) => p.to_owned(),
        None => {
            existing_default_file("postgresql.key").ok_or_else(|| NetError::MissingClientKey {
                cert: cert_path.clone(),
            })?
        }
    };
    let chain = load_certs(&cert_path)?;
    let key = load_key(&key_path)?;
    Ok(Some((chain, key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.crt");
        let err = load_certs(&missing).unwrap_err();
        assert!(matches!(err, NetError::ReadCert { .. }));
        assert!(err.to_string().contains("nope.crt"));

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a pem\n").unwrap();
        assert!(matches!(
            load_certs(&empty).unwrap_err(),
            NetError::NoCertsInFile { .. }
        ));
        assert!(matches!(
            load_key(&empty).unwrap_err(),
            NetError::InvalidKey { .. }
        ));
    }

    #[test]
    fn loads_generated_cert_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = dir.path().join("c.pem");
        let key = dir.path().join("k.pem");
        std::fs::write(&cert, ck.cert.pem()).unwrap();
        std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
        assert_eq!(load_certs(&cert).unwrap().len(), 1);
        load_key(&key).unwrap();
        let roots = load_roots(&SslRootCert::File(cert.clone())).unwrap();
        assert_eq!(roots.len(), 1);
        let id = load_client_identity(Some(&cert), Some(&key)).unwrap();
        assert!(id.is_some());
    }

    #[test]
    fn system_roots_are_never_empty() {
        let roots = load_roots(&SslRootCert::System).unwrap();
        assert!(!roots.is_empty());
    }
}
