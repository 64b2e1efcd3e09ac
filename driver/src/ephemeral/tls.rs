//! Test certificates for an ephemeral server: a CA, a server certificate signed by it, and client
//! certificates (CN = role name) issued on demand, all generated with rcgen.
//!
//! One CA signs both sides: clients verify the server with [`TlsFiles::ca_cert`], and the server
//! (`ssl_ca_file`) verifies client certificates against the same file.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::account::{self, RunAs};
use super::error::EphemeralError;

/// The TLS files of a server started with [`ServerBuilder::tls(true)`](super::ServerBuilder::tls).
///
/// ```no_run
/// use quarry_driver::ephemeral::EphemeralServer;
/// let server = EphemeralServer::builder().tls(true).start()?;
/// let tls = server.tls().expect("TLS was enabled");
/// let (cert, key) = tls.client_cert_for("postgres")?;
/// println!("sslrootcert={} sslcert={} sslkey={}", tls.ca_cert.display(), cert.display(), key.display());
/// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
/// ```
pub struct TlsFiles {
    /// The CA certificate (PEM): the root to trust for the server, and the issuer of client certificates.
    pub ca_cert: PathBuf,
    /// The server certificate (PEM), SANs `localhost`, `127.0.0.1`, `::1`.
    pub server_cert: PathBuf,
    /// The server's private key (PEM, mode 0600, owned by the server's OS account).
    pub server_key: PathBuf,
    client_dir: PathBuf,
    issuer: Issuer<'static, KeyPair>,
    issuing: Mutex<()>,
}

impl fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsFiles")
            .field("ca_cert", &self.ca_cert)
            .field("server_cert", &self.server_cert)
            .field("server_key", &self.server_key)
            .field("client_dir", &self.client_dir)
            .finish_non_exhaustive()
    }
}

impl TlsFiles {
    /// Generates the CA and server certificate into `server_dir` (given to the server's
    /// account); client certificates will go to `client_dir` (owned by us).
    pub(crate) fn generate(
        server_dir: &Path,
        client_dir: &Path,
        run_as: Option<RunAs>,
    ) -> Result<Self, EphemeralError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Quarry ephemeral test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut params = CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &issuer)?;

        let files = Self {
            ca_cert: server_dir.join("ca.crt"),
            server_cert: server_dir.join("server.crt"),
            server_key: server_dir.join("server.key"),
            client_dir: client_dir.to_path_buf(),
            issuer,
            issuing: Mutex::new(()),
        };
        write_file(&files.ca_cert, ca_cert.pem().as_bytes(), 0o644)?;
        write_file(&files.server_cert, cert.pem().as_bytes(), 0o644)?;
        write_file(&files.server_key, key.serialize_pem().as_bytes(), 0o600)?;
        for path in [&files.ca_cert, &files.server_cert, &files.server_key] {
            account::give(path, run_as)?;
        }
        Ok(files)
    }

    /// A client certificate and key (PEM) with CN = `user`, signed by the CA; generated on the
    /// first call for a user and reused afterwards. The key file has mode 0600.
    pub fn client_cert_for(&self, user: &str) -> Result<(PathBuf, PathBuf), EphemeralError> {
        let stem = format!("client-{}", hex(user.as_bytes()));
        let cert_path = self.client_dir.join(format!("{stem}.crt"));
        let key_path = self.client_dir.join(format!("{stem}.key"));
        let _guard = self
            .issuing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cert_path.is_file() && key_path.is_file() {
            return Ok((cert_path, key_path));
        }
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, user);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        write_file(&key_path, key.serialize_pem().as_bytes(), 0o600)?;
        write_file(&cert_path, cert.pem().as_bytes(), 0o644)?;
        Ok((cert_path, key_path))
    }
}

/// Writes a file with the given mode, replacing any previous content.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), EphemeralError> {
    let what = || format!("write {}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(EphemeralError::io(what()))?;
    file.write_all(bytes).map_err(EphemeralError::io(what()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generates_and_caches_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles::generate(dir.path(), dir.path(), None).unwrap();
        let ca = std::fs::read_to_string(&files.ca_cert).unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        let mode = std::fs::metadata(&files.server_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (cert, key) = files.client_cert_for("alice").unwrap();
        let first = std::fs::read(&cert).unwrap();
        let again = files.client_cert_for("alice").unwrap();
        assert_eq!(again, (cert.clone(), key.clone()));
        assert_eq!(std::fs::read(&cert).unwrap(), first);
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(format!("{files:?}").contains("ca_cert"));
    }
}
