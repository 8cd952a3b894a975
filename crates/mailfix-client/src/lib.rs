//! Typed async client for Microsoft identity sign-in, Graph v1.0 and the Exchange Online admin API.
//!
//! One [`Client`] per run: [`Client::graph`] and [`Client::exo`] give typed operations; every
//! request goes through [`Client::execute`] (token per resource, pacing, retries, typed errors);
//! [`Client::counters`] says how many requests it took.
#![warn(missing_docs)]

pub mod auth;
pub mod batch;
mod body;
mod client;
pub mod cloud;
pub mod config;
mod counters;
pub mod error;
mod execute;
pub mod exo;
pub mod graph;
pub mod ids;
mod methods_batch;
mod methods_pace;
pub mod models;
pub mod pace;
pub mod page;
pub mod permission;
pub mod private_file;
pub mod query;
pub mod request;
mod resolver;
pub mod retry;
pub mod secret;
pub mod trace;
mod unreachable;

pub use auth::{
    AssertionAlgorithm, ClientCertificate, Credential, DeviceCodeOptions, DeviceCodePrompt,
    TokenClaims,
};
pub use batch::{BatchRequest, BatchResponse};
pub use client::Client;
pub use cloud::{Cloud, Endpoints, Resource};
pub use config::ClientConfig;
pub use counters::CountersSnapshot;
pub use error::{Error, ErrorKind, Service, SignInKind};
pub use exo::{AddressChange, AddressOutcome, Exchange, ExchangeEndpoint, MailboxIdentity};
pub use graph::{DeltaItem, DeltaStart, Graph, Membership, needs_resync};
pub use ids::{GroupId, UserId, UserKey};
pub use pace::{ConcurrencyReport, Limits};
pub use page::{Items, Page};
pub use permission::Permission;
pub use query::{Filter, Query};
pub use request::{Request, Response};
pub use retry::{RetryMode, RetryPolicy};
pub use secret::Secret;
pub use trace::Trace;
pub use unreachable::{ConnectRetry, OnConnectRetry};
