//! Test helpers: a freshly generated RSA certificate as PEM.

use super::certificate::ClientCertificate;

/// A new self-signed RSA certificate: the loaded credential, the certificate PEM, the key PEM.
pub(crate) fn pem_certificate() -> (ClientCertificate, String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["mailfix-test".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let cert_pem = cert.pem();
    let key_pem = key.serialize_pem();
    let both = format!("{cert_pem}\n{key_pem}");
    let loaded = ClientCertificate::from_pem(both.as_bytes()).unwrap();
    (loaded, cert_pem, key_pem)
}
