//! Integration tests of mailfix-client: against the simulator (`sim_*`, HTTPS on loopback) for
//! the acceptance of every feature, and against small axum servers for the conditions the
//! simulator cannot produce.

// The test servers and helpers are test code too: a broken invariant there should panic.
#![allow(clippy::unwrap_used)]

mod batch;
mod exchange;
mod graph_ops;
mod network;
mod pace;
mod paging;
mod retry;
mod signin;
mod sim_auth;
mod sim_batch;
mod sim_delta;
mod sim_exchange;
mod sim_faults;
mod sim_graph;
mod sim_paging;
mod sim_realtenant;
mod sim_retry;
mod sim_signin;
mod sim_support;
mod support;
mod tls;
mod tokens;
