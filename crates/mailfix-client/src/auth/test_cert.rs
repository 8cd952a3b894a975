//! Test helpers: a freshly generated RSA certificate as PEM and as PFX.

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

/// A PFX archive holding the certificate and key, protected by `password`.
pub(crate) fn pfx(cert_pem: &str, key_pem: &str, password: &str) -> Vec<u8> {
    let der = |pem: &str| {
        x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
            .next()
            .unwrap()
            .unwrap()
            .contents
    };
    let key = p12_keystore::PrivateKey::from_der(&der(key_pem)).unwrap();
    let cert = p12_keystore::Certificate::from_der(&der(cert_pem)).unwrap();
    let chain = p12_keystore::PrivateKeyChain::new(b"k1".to_vec(), key, [cert]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "mailfix",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store.writer(password).write().unwrap()
}
