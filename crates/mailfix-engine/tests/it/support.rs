//! Shared test setup: a client configured for a running simulator.

use mailfix_client::{Client, ClientConfig, Cloud, Credential, Endpoints, Secret};
use mailfix_sim::RunningSim;

/// The configuration of a client that signs in to `sim` with its app secret and sends every
/// request (sign-in, Graph, Exchange) to it.
pub fn sim_config(sim: &RunningSim) -> ClientConfig {
    let info = &sim.info;
    let credential = Credential::Secret {
        client_id: info.client_id.clone(),
        secret: Secret::new(info.client_secret.clone()),
    };
    let mut config = ClientConfig::new(info.tenant_id.clone(), credential);
    config.endpoints = Endpoints::for_cloud(Cloud::Global)
        .with_login(&info.login_url)
        .with_graph(&info.graph_url)
        .with_exchange(&info.exo_url);
    config
}

/// A client for `sim` (see [`sim_config`]).
pub fn sim_client(sim: &RunningSim) -> Client {
    Client::new(sim_config(sim)).expect("client")
}
