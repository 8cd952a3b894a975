//! A stateful local simulator of Microsoft identity sign-in, Graph v1.0 and the Exchange Online admin API.
//!
//! Start one with [`start`]; it serves everything on one loopback address and returns a
//! [`RunningSim`] whose [`SimInfo`] says how to connect.
#![warn(missing_docs)]

pub mod clock;
pub mod delta_tokens;
pub mod error;
pub mod faults;
pub mod identity;
pub mod log;
pub mod model;
pub mod odata;
pub mod paging;
pub mod routes;
pub mod scenario;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod webhooks;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::oneshot;

use crate::clock::SimClock;
use crate::identity::Identity;
use crate::scenario::Scenario;
use crate::state::{AppState, SimState};

/// How to start a simulator.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// The scenario to load.
    pub scenario: Scenario,
    /// Seed for ids and behaviour.
    pub seed: u64,
    /// Address to listen on; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// Serve plain HTTP instead of HTTPS.
    pub http: bool,
    /// Simulated seconds per real second.
    pub time_scale: f64,
    /// Where to write the CA and certificate PEM files; a temporary directory when `None`.
    pub state_dir: Option<PathBuf>,
    /// Overrides the scenario's `fault_rate` (share of Graph and Exchange requests answered with a
    /// random 429, 503, 504 or reset).
    pub fault_rate: Option<f64>,
    /// Overrides the scenario's Graph latency (real milliseconds).
    pub graph_latency_ms: Option<u64>,
    /// Overrides the scenario's Exchange latency (real milliseconds).
    pub exo_latency_ms: Option<u64>,
    /// Overrides the scenario's write-back delay range (simulated seconds, min and max).
    pub writeback_delay_s: Option<(f64, f64)>,
    /// Overrides the scenario's share of stuck users.
    pub stuck_share: Option<f64>,
    /// The cloud whose resources (token audiences) sign-in, Graph and Exchange accept.
    pub cloud: identity::SimCloud,
    /// New starters per simulated hour (`scenario::hire`), from the start on.
    pub hire_rate: Option<f64>,
}

impl SimOptions {
    /// The given scenario served over HTTPS on a free loopback port (`127.0.0.1:0`), seed 1, in
    /// real time, its PEM files in a temporary directory, with the scenario's own behaviour.
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            seed: 1,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: false,
            time_scale: 1.0,
            state_dir: None,
            fault_rate: None,
            graph_latency_ms: None,
            exo_latency_ms: None,
            writeback_delay_s: None,
            stuck_share: None,
            cloud: identity::SimCloud::Global,
            hire_rate: None,
        }
    }

    /// Options for a test: [`SimOptions::new`], but plain HTTP.
    pub fn for_test(scenario: Scenario) -> Self {
        Self {
            http: true,
            ..Self::new(scenario)
        }
    }

    /// Writes the command-line overrides into the scenario's behaviour.
    pub fn apply_overrides(&mut self) {
        let behaviour = &mut self.scenario.behaviour;
        if let Some(rate) = self.fault_rate {
            behaviour.fault_rate = rate;
        }
        if let Some(ms) = self.graph_latency_ms {
            behaviour.graph_latency_ms = ms;
        }
        if let Some(ms) = self.exo_latency_ms {
            behaviour.exo_latency_ms = ms;
        }
        if let Some((min, max)) = self.writeback_delay_s {
            behaviour.writeback_min_s = min;
            behaviour.writeback_max_s = max;
        }
        if let Some(share) = self.stuck_share {
            behaviour.stuck_share = share;
        }
    }
}

/// What a client needs to connect (printed at start and written by `--info-file`). Its `Debug`
/// output leaves the secrets out.
#[derive(Clone, Default, Serialize)]
pub struct SimInfo {
    /// Tenant id.
    pub tenant_id: String,
    /// Initial domain.
    pub tenant_domain: String,
    /// Main app's client id.
    pub client_id: String,
    /// Main app's client secret.
    pub client_secret: String,
    /// CA certificate PEM path (HTTPS only).
    pub ca_file: Option<PathBuf>,
    /// Sign-in base URL (authority host).
    pub login_url: String,
    /// Graph base URL (without `/v1.0`).
    pub graph_url: String,
    /// Exchange base URL.
    pub exo_url: String,
    /// The cloud played (`global`, `usgov-high`, `usgov-dod`, `china`): mailfix's `--cloud`
    /// preset whose token resources this simulator accepts.
    pub cloud: String,
    /// Group display name → id (of one of them, when groups share a name: see `group_list`).
    pub groups: BTreeMap<String, String>,
    /// Every group in the scenario's order, groups that share a name included.
    pub group_list: Vec<SimGroup>,
    /// Certificate app's client id.
    pub cert_client_id: Option<String>,
    /// Certificate app's certificate PEM path.
    pub cert_pem: Option<PathBuf>,
    /// Certificate app's private key PEM path.
    pub key_pem: Option<PathBuf>,
    /// Limited app's client id.
    pub limited_client_id: Option<String>,
    /// Limited app's client secret.
    pub limited_client_secret: Option<String>,
    /// The public client app's id (device-code sign-in, `mailfix auth login`); it has no secret.
    pub device_client_id: Option<String>,
    /// Group display name → number of distinct users among its transitive members (what
    /// `/groups/{id}/transitiveMembers/microsoft.graph.user` lists), from the directory model.
    pub group_user_counts: BTreeMap<String, usize>,
}

/// A group of the scenario, as [`SimInfo::group_list`] lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SimGroup {
    /// Display name.
    pub name: String,
    /// Object id.
    pub id: String,
}

impl std::fmt::Debug for SimInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimInfo")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("login_url", &self.login_url)
            .field("ca_file", &self.ca_file)
            .field("cert_client_id", &self.cert_client_id)
            .field("limited_client_id", &self.limited_client_id)
            .field("device_client_id", &self.device_client_id)
            .finish_non_exhaustive()
    }
}

/// A running simulator.
pub struct RunningSim {
    /// How to connect.
    pub info: SimInfo,
    /// The base URL (`http(s)://127.0.0.1:PORT`).
    pub base_url: String,
    /// The shared state, for in-process tests.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    hiring: tokio::task::JoinHandle<()>,
    /// Keeps the state directory (and a temporary one's files) alive.
    _prepared: tls::Prepared,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The scenario is inconsistent.
    #[error("the scenario cannot be built: {0}")]
    Scenario(#[from] scenario::build::BuildError),
    /// The scenario's behaviour names an unknown limit.
    #[error(transparent)]
    Limits(#[from] throttle::UnknownLimit),
    /// The signing key could not be made.
    #[error(transparent)]
    Key(#[from] identity::tokens::KeyError),
    /// TLS or certificate material could not be made or written.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// Starts a simulator and serves it until [`RunningSim::shutdown`] or drop.
pub async fn start(mut options: SimOptions) -> Result<RunningSim, StartError> {
    options.apply_overrides();
    let clock = SimClock::new(options.time_scale);
    let identity = Identity::generate()?.with_cloud(options.cloud);
    let scenario = Arc::new(std::mem::take(&mut options.scenario));
    let state: AppState = Arc::new(
        SimState::from_scenario(scenario.clone(), options.seed, clock, identity).map_err(|e| {
            match e {
                state::StateError::Build(e) => StartError::Scenario(e),
                state::StateError::Limits(e) => StartError::Limits(e),
            }
        })?,
    );
    let prepared = {
        let mut tenant = state.write_tenant();
        tls::prepare(
            &scenario,
            &mut tenant.apps,
            options.state_dir.as_deref(),
            options.http,
        )?
    };
    // The identity keeps the certificates too, so they survive `/_sim/reset` rebuilding the tenant.
    for app in &prepared.certificate_apps {
        state
            .identity
            .sign_in
            .register_certificate(&app.client_id, app.der.clone());
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: options.listen,
        source,
    })?;
    let scheme = if prepared.server.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{addr}");
    let _ = state.base_url.set(base_url.clone());
    let info = connection_info(&state, &base_url, &prepared);
    if let Some(per_hour) = options.hire_rate {
        state.hiring.set(per_hour, state.clock.now());
    }
    let hiring = tokio::spawn(scenario::hire::keep_hiring(state.clone()));
    let app = routes::router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = match &prepared.server {
        Some(server) => {
            let config = server.rustls_config()?;
            tls::serve_https(listener, app, config, rx)
                .map_err(|source| StartError::Bind { addr, source })?
        }
        None => tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        }),
    };
    Ok(RunningSim {
        info,
        base_url,
        state,
        shutdown: Some(tx),
        task,
        hiring,
        _prepared: prepared,
    })
}

fn connection_info(state: &SimState, base_url: &str, prepared: &tls::Prepared) -> SimInfo {
    let tenant = state.read_tenant();
    let app = |role: &str| tenant.apps.iter().find(|a| a.role == role);
    let secret = |role: &str| app(role).and_then(|a| a.secrets.first().cloned());
    let cert = app("cert")
        .and_then(|a| {
            prepared
                .certificate_apps
                .iter()
                .find(|c| c.client_id == a.client_id)
        })
        .or_else(|| prepared.certificate_apps.first());
    SimInfo {
        tenant_id: tenant.id.to_string(),
        tenant_domain: tenant.initial_domain.clone(),
        client_id: app("main").map(|a| a.client_id.clone()).unwrap_or_default(),
        client_secret: secret("main").unwrap_or_default(),
        ca_file: prepared.server.as_ref().map(|s| s.ca_file.clone()),
        login_url: base_url.to_owned(),
        graph_url: base_url.to_owned(),
        exo_url: base_url.to_owned(),
        cloud: state.identity.cloud().name().to_owned(),
        groups: tenant
            .groups
            .iter()
            .map(|g| (g.display_name.clone(), g.id.to_string()))
            .collect(),
        group_list: tenant
            .groups
            .iter()
            .map(|g| SimGroup {
                name: g.display_name.clone(),
                id: g.id.to_string(),
            })
            .collect(),
        cert_client_id: cert.map(|c| c.client_id.clone()),
        cert_pem: cert.map(|c| c.cert_pem.clone()),
        key_pem: cert.map(|c| c.key_pem.clone()),
        limited_client_id: app("limited").map(|a| a.client_id.clone()),
        limited_client_secret: secret("limited"),
        device_client_id: app("device").map(|a| a.client_id.clone()),
        group_user_counts: group_user_counts(&tenant),
    }
}

/// For each group, the number of distinct live users reachable through nested memberships (cycles
/// and devices included in the walk, counted once / not at all).
fn group_user_counts(tenant: &model::Tenant) -> BTreeMap<String, usize> {
    use model::ObjectRef;
    let mut counts = BTreeMap::new();
    for (start, group) in tenant.groups.iter().enumerate() {
        let mut seen_groups = std::collections::HashSet::from([start]);
        let mut users = std::collections::HashSet::new();
        let mut queue = vec![start];
        while let Some(g) = queue.pop() {
            for member in &tenant.groups[g].members {
                match *member {
                    ObjectRef::User(u) if !tenant.users[u as usize].deleted => {
                        users.insert(u);
                    }
                    ObjectRef::Group(n) if seen_groups.insert(n as usize) => queue.push(n as usize),
                    _ => {}
                }
            }
        }
        counts.insert(group.display_name.clone(), users.len());
    }
    counts
}

impl RunningSim {
    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        self.hiring.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.hiring.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
