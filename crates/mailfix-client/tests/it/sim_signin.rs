//! The three sign-in methods against the simulator over HTTPS: client secret, certificate from PEM
//! and from a PFX built from the simulator's own certificate and key, device code approved through
//! the control plane with the refresh token cached 0600 (and a refused one replaced); and the
//! request logs of all three, which name each request but no secret.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mailfix_client::auth::ClientCertificate;
use mailfix_client::{
    AssertionAlgorithm, Client, Credential, DeviceCodeOptions, Permission, Resource, Secret,
};
use mailfix_sim::scenario::{Scenario, small};
use serde_json::json;

use crate::sim_support::{Sim, user_where};

/// The certificate app's credential, loaded from the simulator's PEM files.
fn pem_credential(sim: &Sim, algorithm: AssertionAlgorithm) -> Credential {
    let info = sim.info();
    let cert = ClientCertificate::load_pem_pair(
        info.cert_pem.as_ref().unwrap(),
        info.key_pem.as_ref().unwrap(),
    )
    .unwrap()
    .with_algorithm(algorithm);
    Credential::Certificate {
        client_id: info.cert_client_id.clone().unwrap(),
        certificate: cert,
    }
}

/// A PKCS#12 archive of the simulator's certificate and key, protected by `password`.
fn pfx_of(cert_pem: &Path, key_pem: &Path, password: &str) -> Vec<u8> {
    let der = |path: &Path| {
        let pem = std::fs::read(path).unwrap();
        x509_parser::pem::Pem::iter_from_buffer(&pem)
            .next()
            .unwrap()
            .unwrap()
            .contents
    };
    let key = p12_keystore::PrivateKey::from_der(&der(key_pem)).unwrap();
    let cert = p12_keystore::Certificate::from_der(&der(cert_pem)).unwrap();
    let chain = p12_keystore::PrivateKeyChain::new(b"mailfix".to_vec(), key, [cert]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "mailfix",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store.writer(password).write().unwrap()
}

/// Writes a PFX file (in `dir`) of the simulator's certificate and key, protected by `password`.
fn write_pfx(sim: &Sim, dir: &Path, password: &Secret) -> PathBuf {
    let info = sim.info();
    let path = dir.join("mailfix.pfx");
    let pfx = pfx_of(
        info.cert_pem.as_ref().unwrap(),
        info.key_pem.as_ref().unwrap(),
        password.expose(),
    );
    std::fs::write(&path, pfx).unwrap();
    path
}

/// The certificate app's credential from a PFX file of the simulator's certificate and key.
fn pfx_credential(sim: &Sim, dir: &Path, password: &Secret) -> Credential {
    let path = write_pfx(sim, dir, password);
    Credential::Certificate {
        client_id: sim.info().cert_client_id.clone().unwrap(),
        certificate: ClientCertificate::load(&path, Some(password)).unwrap(),
    }
}

/// Signs in for both resources and makes one Graph and one Exchange call.
async fn use_both_services(client: &Client) {
    let groups = client.graph().find_groups("All Staff").await.unwrap();
    assert_eq!(groups.len(), 1);
    let domains = client.exo().accepted_domains().await.unwrap();
    assert!(!domains.is_empty());
}

#[tokio::test]
async fn a_client_secret_gets_one_cached_token_per_resource() {
    let sim = Sim::start(small(1)).await;
    let info = sim.info().clone();
    let client = sim.client();
    let graph = client.token_claims(Resource::Graph).await.unwrap();
    let exo = client.token_claims(Resource::Exchange).await.unwrap();
    assert_eq!(graph.aud, "https://graph.microsoft.com");
    assert_eq!(exo.aud, "https://outlook.office365.com");
    for claims in [&graph, &exo] {
        assert_eq!(claims.tid.as_deref(), Some(info.tenant_id.as_str()));
        assert_eq!(claims.appid.as_deref(), Some(info.client_id.as_str()));
        assert!(claims.exp.is_some());
    }
    use_both_services(&client).await;
    use_both_services(&client).await;
    let log = sim.requests(0).await;
    let tokens: Vec<_> = log.iter().filter(|e| e.is_token()).collect();
    assert_eq!(tokens.len(), 2, "one token per resource, then cached");
    assert!(
        tokens
            .iter()
            .all(|e| e.status == 200 && e.app.as_deref() == Some(&*info.client_id))
    );
    // Two rounds of one Graph and one Exchange call, after one Exchange endpoint discovery.
    let discovery = |e: &&crate::sim_support::Entry| e.path.ends_with("/EXOModuleFile");
    assert_eq!(log.iter().filter(discovery).count(), 1);
    assert_eq!(log.iter().filter(|e| e.service != "login").count(), 5);
}

#[tokio::test]
async fn certificate_sign_in_from_pem_and_from_pfx() {
    let sim = Sim::start(small(1)).await;
    let info = sim.info().clone();
    for algorithm in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
        let client = Client::new(sim.config(pem_credential(&sim, algorithm))).unwrap();
        use_both_services(&client).await;
        let claims = client.token_claims(Resource::Exchange).await.unwrap();
        assert_eq!(claims.appid, info.cert_client_id);
    }
    let dir = tempfile::tempdir().unwrap();
    let password = Secret::new("pfx-Passw0rd");
    let path = write_pfx(&sim, dir.path(), &password);
    let from_pfx = ClientCertificate::load(&path, Some(&password)).unwrap();
    let Credential::Certificate {
        certificate: from_pem,
        ..
    } = pem_credential(&sim, AssertionAlgorithm::Ps256)
    else {
        unreachable!()
    };
    assert_eq!(from_pfx.der(), from_pem.der());
    assert_eq!(from_pfx.x5t_s256(), from_pem.x5t_s256());
    assert!(!format!("{from_pfx:?}").contains("PRIVATE"));
    let wrong = ClientCertificate::load(&path, Some(&Secret::new("nope"))).unwrap_err();
    assert!(wrong.message().contains("wrong password"), "{wrong}");
    let client = Client::new(sim.config(Credential::Certificate {
        client_id: info.cert_client_id.clone().unwrap(),
        certificate: from_pfx,
    }))
    .unwrap();
    use_both_services(&client).await;
    let log = sim.requests(0).await;
    let tokens: Vec<_> = log.iter().filter(|e| e.is_token()).collect();
    assert_eq!(tokens.len(), 6, "two resources for each of three clients");
    assert!(
        tokens.iter().all(|e| e.status == 200),
        "no assertion refused"
    );
}

/// `small` whose device-code app was consented the delegated permissions mailfix uses.
fn with_delegated_app() -> Scenario {
    let mut scenario = small(1);
    let device = scenario
        .apps
        .iter_mut()
        .find(|a| a.role == "device")
        .unwrap();
    device.graph_roles = ["User.Read.All", "GroupMember.Read.All"]
        .map(str::to_owned)
        .to_vec();
    device.exchange_roles = vec!["Exchange.Manage".to_owned()];
    scenario
}

/// Device-code options that approve every prompt as `upn` (an Exchange administrator) through
/// the control plane, counting the prompts.
fn approving(sim: &Sim, cache: &Path, upn: &str) -> (DeviceCodeOptions, Arc<AtomicUsize>) {
    let prompts = Arc::new(AtomicUsize::new(0));
    let seen = prompts.clone();
    let approve = sim.approver();
    let upn = upn.to_owned();
    let options = DeviceCodeOptions {
        client_id: sim.app("device").0,
        cache_file: Some(cache.to_owned()),
        prompt: Arc::new(move |prompt| {
            seen.fetch_add(1, Ordering::SeqCst);
            approve(json!({
                "user_code": prompt.user_code,
                "upn": upn,
                "directory_roles": ["Exchange Administrator"],
            }));
        }),
    };
    (options, prompts)
}

/// A simulator of [`with_delegated_app`] and the UPN of an enabled user to approve sign-ins as.
async fn delegated_sim() -> (Sim, String) {
    let scenario = with_delegated_app();
    let upn = user_where(&scenario, |u| u.label == "healthy" && u.enabled);
    (Sim::start(scenario).await, upn)
}

#[tokio::test]
async fn device_code_is_approved_once_and_its_refresh_token_serves_later_runs() {
    let (sim, upn) = delegated_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("state/refresh.json");
    let (options, prompts) = approving(&sim, &cache, &upn);
    let client = Client::new(sim.config(Credential::DeviceCode(options))).unwrap();
    let graph = client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(graph.upn.as_deref(), Some(upn.as_str()));
    assert!(graph.roles.is_empty() && !graph.scp.is_empty(), "{graph:?}");
    use_both_services(&client).await;
    assert_eq!(
        prompts.load(Ordering::SeqCst),
        1,
        "Exchange came from the refresh token"
    );
    assert!(Permission::UserReadAll.granted_by(&graph));
    let exo = client.token_claims(Resource::Exchange).await.unwrap();
    assert!(Permission::ExchangeManageAsApp.granted_by(&exo), "{exo:?}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mark = sim.last_seq().await;
    let (options, later_prompts) = approving(&sim, &cache, &upn);
    let later = Client::new(sim.config(Credential::DeviceCode(options))).unwrap();
    use_both_services(&later).await;
    assert_eq!(later_prompts.load(Ordering::SeqCst), 0, "no new sign-in");
    let log = sim.requests(mark).await;
    assert!(log.iter().all(|e| !e.path.ends_with("/devicecode")));
    assert_eq!(log.iter().filter(|e| e.is_token()).count(), 2);
}

#[tokio::test]
async fn a_refused_cached_refresh_token_falls_back_to_the_device_code() {
    let (sim, upn) = delegated_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("refresh.json");
    let stale = json!({"client_id": sim.app("device").0, "tenant": sim.info().tenant_id,
                       "refresh_token": "a-revoked-refresh-token"});
    std::fs::write(&cache, stale.to_string()).unwrap();
    let (options, prompts) = approving(&sim, &cache, &upn);
    let client = Client::new(sim.config(Credential::DeviceCode(options))).unwrap();
    let claims = client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(claims.upn.as_deref(), Some(upn.as_str()));
    assert_eq!(prompts.load(Ordering::SeqCst), 1);
    let log = sim.requests(0).await;
    let statuses: Vec<(&str, u16)> = log
        .iter()
        .map(|e| (e.path.rsplit('/').next().unwrap(), e.status))
        .collect();
    assert_eq!(
        statuses[0],
        ("token", 400),
        "the cached token is refused: {statuses:?}"
    );
    assert_eq!(statuses[1], ("devicecode", 200));
    assert_eq!(statuses.last(), Some(&("token", 200)));
    assert!(
        !std::fs::read_to_string(&cache)
            .unwrap()
            .contains("a-revoked")
    );
}

#[tokio::test]
async fn request_logs_name_each_request_but_never_a_secret_or_token() {
    let (sim, upn) = delegated_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let password = Secret::new("pfx-Passw0rd-in-no-log");
    let cache = dir.path().join("refresh.json");
    let (device, _) = approving(&sim, &cache, &upn);
    for credential in [
        sim.secret(),
        pfx_credential(&sim, dir.path(), &password),
        Credential::DeviceCode(device),
    ] {
        let client = Client::new(sim.config(credential)).unwrap();
        use_both_services(&client).await;
    }
    let logs = crate::support::logs();
    for needle in [
        "path=/v1.0/groups",
        "status=200",
        "request_id=",
        "duration_ms=",
        "/oauth2/v2.0/token",
    ] {
        assert!(logs.contains(needle), "the logs lack {needle}");
    }
    let cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    let refresh = cached["refresh_token"].as_str().unwrap();
    let key = std::fs::read_to_string(sim.info().key_pem.as_ref().unwrap()).unwrap();
    let key_line = key.lines().nth(3).unwrap();
    for secret in [
        sim.info().client_secret.as_str(),
        password.expose(),
        refresh,
        key_line,
    ] {
        assert!(!logs.contains(secret), "a secret is in the logs");
    }
    // A JWT is `header.payload.signature`, both first parts base64url JSON (`eyJ...`); paging
    // tokens in URLs are base64 JSON too, but a single segment.
    let jwt = logs.lines().find(|line| contains_jwt(line));
    assert!(jwt.is_none(), "a JWT is in the logs: {jwt:?}");
}

/// Whether `text` holds something shaped like a JWT: `eyJ<base64url>.eyJ<base64url>.`.
fn contains_jwt(text: &str) -> bool {
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices("eyJ").any(|(start, _)| {
        let rest = &text[start..];
        let header_len = rest.find(|c: char| !b64(c)).unwrap_or(rest.len());
        rest[header_len..]
            .strip_prefix('.')
            .is_some_and(|payload| payload.starts_with("eyJ"))
    })
}

#[test]
fn the_jwt_detector_tells_tokens_from_paging_tokens() {
    assert!(contains_jwt(
        "token=eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln"
    ));
    assert!(!contains_jwt("$skiptoken=eyJmIjoxMzE4NywiYiI6MTMwfQ&x=1"));
}
