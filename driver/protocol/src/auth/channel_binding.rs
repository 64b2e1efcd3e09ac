//! `tls-server-end-point` channel binding data (RFC 5929 §4.1): a hash of the server's
//! end-entity certificate, taken with the hash function of the certificate's own signature
//! algorithm (MD5 and SHA-1 upgraded to SHA-256).

use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::der::asn1::ContextSpecific;
use x509_cert::der::{Decode, DecodeValue, FixedTag, Header, Reader, Tag, TagNumber};
use x509_cert::spki::{AlgorithmIdentifierOwned, ObjectIdentifier};

use crate::auth::error::AuthError;

/// Computes the `tls-server-end-point` channel binding data from the DER bytes of the
/// server's end-entity certificate.
///
/// RSA (PKCS#1 v1.5 and PSS), ECDSA and DSA signatures are supported. Ed25519 and Ed448
/// define no separate hash, so certificates signed with them cannot be bound
/// ([`AuthError::ChannelBindingUnsupportedCert`]); neither can any unknown algorithm.
///
/// ```no_run
/// # fn server_certificate() -> Vec<u8> { Vec::new() }
/// use quarry_protocol::auth::{tls_server_end_point, ChannelBindingData};
///
/// let cert_der = server_certificate(); // from the TLS session's peer certificates
/// let hash = tls_server_end_point(&cert_der)?;
/// let binding = ChannelBindingData::TlsServerEndPoint(hash);
/// # Ok::<(), quarry_protocol::auth::AuthError>(())
/// ```
pub fn tls_server_end_point(cert_der: &[u8]) -> Result<Vec<u8>, AuthError> {
    let cert = Certificate::from_der(cert_der).map_err(|_| AuthError::InvalidCertificate)?;
    let algorithm = &cert.signature_algorithm;
    let hash = match signature_hash(algorithm.oid) {
        Some(hash) => hash,
        None if algorithm.oid == RSASSA_PSS => pss_hash(algorithm)?,
        None => {
            return Err(AuthError::ChannelBindingUnsupportedCert {
                algorithm: algorithm.oid.to_string(),
            });
        }
    };
    Ok(hash.digest(cert_der))
}

/// A hash function usable for channel binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// The hash of a signature algorithm that names its hash in its OID, upgraded per RFC 5929.
fn signature_hash(oid: ObjectIdentifier) -> Option<Hash> {
    const TABLE: &[(&str, Hash)] = &[
        // RSA PKCS#1 v1.5: md5, sha1 (both upgraded), sha224, sha256, sha384, sha512.
        ("1.2.840.113549.1.1.4", Hash::Sha256),
        ("1.2.840.113549.1.1.5", Hash::Sha256),
        ("1.2.840.113549.1.1.14", Hash::Sha224),
        ("1.2.840.113549.1.1.11", Hash::Sha256),
        ("1.2.840.113549.1.1.12", Hash::Sha384),
        ("1.2.840.113549.1.1.13", Hash::Sha512),
        // ECDSA: sha1 (upgraded), sha224, sha256, sha384, sha512.
        ("1.2.840.10045.4.1", Hash::Sha256),
        ("1.2.840.10045.4.3.1", Hash::Sha224),
        ("1.2.840.10045.4.3.2", Hash::Sha256),
        ("1.2.840.10045.4.3.3", Hash::Sha384),
        ("1.2.840.10045.4.3.4", Hash::Sha512),
        // DSA: sha1 (upgraded), sha224, sha256.
        ("1.2.840.10040.4.3", Hash::Sha256),
        ("2.16.840.1.101.3.4.3.1", Hash::Sha224),
        ("2.16.840.1.101.3.4.3.2", Hash::Sha256),
    ];
    let text = oid.to_string();
    TABLE
        .iter()
        .find(|(dotted, _)| *dotted == text)
        .map(|(_, hash)| *hash)
}

/// The hash named by a hash algorithm OID (as in RSASSA-PSS parameters), upgraded per RFC 5929.
fn digest_hash(oid: ObjectIdentifier) -> Option<Hash> {
    match oid.to_string().as_str() {
        "1.2.840.113549.2.5" | "1.3.14.3.2.26" => Some(Hash::Sha256), // md5, sha1
        "2.16.840.1.101.3.4.2.4" => Some(Hash::Sha224),
        "2.16.840.1.101.3.4.2.1" => Some(Hash::Sha256),
        "2.16.840.1.101.3.4.2.2" => Some(Hash::Sha384),
        "2.16.840.1.101.3.4.2.3" => Some(Hash::Sha512),
        _ => None,
    }
}

/// The hash of an RSASSA-PSS signature: the `hashAlgorithm` of its parameters (RFC 4055),
/// SHA-1 (so SHA-256 after the upgrade) when absent.
fn pss_hash(algorithm: &AlgorithmIdentifierOwned) -> Result<Hash, AuthError> {
    let unsupported = || AuthError::ChannelBindingUnsupportedCert {
        algorithm: algorithm.oid.to_string(),
    };
    let Some(parameters) = &algorithm.parameters else {
        return Ok(Hash::Sha256);
    };
    let parameters: PssParameters = parameters.decode_as().map_err(|_| unsupported())?;
    match parameters.hash_algorithm {
        None => Ok(Hash::Sha256),
        Some(hash) => digest_hash(hash).ok_or_else(unsupported),
    }
}

/// The part of `RSASSA-PSS-params` channel binding needs:
/// `SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, ... }`.
struct PssParameters {
    hash_algorithm: Option<ObjectIdentifier>,
}

impl FixedTag for PssParameters {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for PssParameters {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> x509_cert::der::Result<Self> {
        reader.read_nested(header.length, |reader| {
            let hash = ContextSpecific::<AlgorithmIdentifierOwned>::decode_explicit(
                reader,
                TagNumber::N0,
            )?;
            // The mask generation function, salt length and trailer field do not matter here.
            let rest = reader.remaining_len();
            reader.read_slice(rest)?;
            Ok(PssParameters {
                hash_algorithm: hash.map(|field| field.value.oid),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_invalid_certificate() {
        assert_eq!(
            tls_server_end_point(b""),
            Err(AuthError::InvalidCertificate)
        );
        assert_eq!(
            tls_server_end_point(&[0x30, 0x03, 0x02, 0x01]),
            Err(AuthError::InvalidCertificate)
        );
    }

    #[test]
    fn hash_tables() {
        let oid = ObjectIdentifier::new_unwrap;
        assert_eq!(
            signature_hash(oid("1.2.840.113549.1.1.5")),
            Some(Hash::Sha256)
        );
        assert_eq!(
            signature_hash(oid("1.2.840.113549.1.1.12")),
            Some(Hash::Sha384)
        );
        assert_eq!(
            signature_hash(oid("1.2.840.10045.4.3.4")),
            Some(Hash::Sha512)
        );
        assert_eq!(signature_hash(oid("1.3.101.112")), None); // Ed25519
        assert_eq!(digest_hash(oid("1.3.14.3.2.26")), Some(Hash::Sha256));
        assert_eq!(
            digest_hash(oid("2.16.840.1.101.3.4.2.2")),
            Some(Hash::Sha384)
        );
    }

    #[test]
    fn pss_parameters() {
        use x509_cert::der::Any;
        let pss = |params: Option<&[u8]>| AlgorithmIdentifierOwned {
            oid: RSASSA_PSS,
            parameters: params.map(|der| Any::from_der(der).unwrap()),
        };
        // No parameters, or an empty SEQUENCE: SHA-1 by default, upgraded to SHA-256.
        assert_eq!(pss_hash(&pss(None)), Ok(Hash::Sha256));
        assert_eq!(pss_hash(&pss(Some(&[0x30, 0x00]))), Ok(Hash::Sha256));
        // [0] { SEQUENCE { OID sha384, NULL } }, then [2] { INTEGER 48 }.
        let sha384: &[u8] = &[
            0x30, 0x16, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
            0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30,
        ];
        assert_eq!(pss_hash(&pss(Some(sha384))), Ok(Hash::Sha384));
        // Not a SEQUENCE.
        assert!(pss_hash(&pss(Some(&[0x05, 0x00]))).is_err());
    }

    /// Real certificates, generated with rcgen.
    #[test]
    fn generated_certificates() {
        fn cert(alg: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
            let key = rcgen::KeyPair::generate_for(alg).unwrap();
            let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
            params.self_signed(&key).unwrap().der().to_vec()
        }
        let p256 = cert(&rcgen::PKCS_ECDSA_P256_SHA256);
        assert_eq!(
            tls_server_end_point(&p256).unwrap(),
            Sha256::digest(&p256).to_vec()
        );
        let p384 = cert(&rcgen::PKCS_ECDSA_P384_SHA384);
        assert_eq!(
            tls_server_end_point(&p384).unwrap(),
            Sha384::digest(&p384).to_vec()
        );
        let ed25519 = cert(&rcgen::PKCS_ED25519);
        assert_eq!(
            tls_server_end_point(&ed25519),
            Err(AuthError::ChannelBindingUnsupportedCert {
                algorithm: "1.3.101.112".into()
            })
        );
    }
}
