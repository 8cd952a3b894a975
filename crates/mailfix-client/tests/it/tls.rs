//! Configurations refused before anything is sent: a CA file that is not PEM, plain HTTP to a
//! remote host. (HTTPS through the simulator's CA, and without it, is in `sim_auth.rs`.)

use mailfix_client::{Client, ErrorKind};

use crate::support;

#[tokio::test]
async fn a_ca_file_that_is_not_pem_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.der");
    std::fs::write(&path, b"\x30\x82\x01\x0a").unwrap();
    let mut config = support::config("https://127.0.0.1:1");
    config.extra_ca = Some(path);
    let err = Client::new(config).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Config);
    assert!(err.message().contains("not a PEM certificate"), "{err}");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_at_start() {
    let config = support::config("http://graph.example.com");
    let err = Client::new(config).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Config);
    assert!(err.message().contains("HTTPS is required"), "{err}");
}
