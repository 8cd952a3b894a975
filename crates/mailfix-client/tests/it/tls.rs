//! HTTPS on loopback: trusted through the extra CA, refused (once, with a hint) without it; a CA
//! file that is not PEM is a configuration error.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use axum_server::tls_rustls::RustlsConfig;
use mailfix_client::{Client, ErrorKind, Service, UserRef};
use serde_json::json;

use crate::support::{self, reply};

struct Tls {
    url: String,
    ca_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// A local CA, a server certificate for 127.0.0.1 signed by it, and an HTTPS server.
async fn https_server() -> Tls {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let leaf = params.signed_by(&key, &issuer).unwrap();
    let config = RustlsConfig::from_pem(leaf.pem().into_bytes(), key.serialize_pem().into_bytes())
        .await
        .unwrap();
    let router = Router::new()
        .route(
            "/v1.0/users/{id}",
            get(|| async { reply(200, &[], json!({"id": "u1"})) }),
        )
        .merge(support::token_endpoint(3599));
    let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let server = axum_server::from_tcp_rustls(listener, config).unwrap();
    tokio::spawn(server.serve(router.into_make_service()));
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    Tls {
        url,
        ca_file,
        _dir: dir,
    }
}

#[tokio::test]
async fn https_works_with_the_extra_ca_and_fails_clearly_without_it() {
    let tls = https_server().await;
    let mut config = support::config(&tls.url);
    config.extra_ca = Some(tls.ca_file.clone());
    let client = Client::new(config).unwrap();
    let user = client
        .graph()
        .get_user(&UserRef::parse("u1"), &["id"])
        .await
        .unwrap();
    assert_eq!(user.id, "u1");

    let untrusting = support::client(&tls.url);
    let err = untrusting
        .graph()
        .get_user(&UserRef::parse("u1"), &["id"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Network);
    assert!(err.message().contains("not trusted"), "{err}");
    assert!(err.hint().unwrap().contains("--ca-file"));
    assert_eq!(
        untrusting.counters().requests_to(Service::Login),
        1,
        "not retried"
    );
}

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
