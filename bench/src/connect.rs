//! A mailfix client for a simulator: the baseline's (from the `MAILFIX_*` environment) and the
//! harness's own (listing users in the scale case).

use std::path::PathBuf;

use mailfix_client::{Client, ClientConfig, Cloud, Credential, Endpoints, Secret};

/// Where a simulator is and how to sign in to it.
pub struct Connection {
    pub login_url: String,
    pub graph_url: String,
    pub exo_url: String,
    pub tenant: String,
    pub client_id: String,
    pub secret: Secret,
    /// The simulator's CA, trusted besides the system's.
    pub ca_file: Option<PathBuf>,
}

/// A client with the default retry policy and limits.
pub fn client(connection: &Connection) -> anyhow::Result<Client> {
    let endpoints = Endpoints::for_cloud(Cloud::Global)
        .with_login(&connection.login_url)
        .with_graph(&connection.graph_url)
        .with_exchange(&connection.exo_url);
    let credential = Credential::Secret {
        client_id: connection.client_id.clone(),
        secret: connection.secret.clone(),
    };
    let mut config = ClientConfig::new(connection.tenant.clone(), credential);
    config.endpoints = endpoints;
    config.extra_ca = connection.ca_file.clone();
    Ok(Client::new(config)?)
}
