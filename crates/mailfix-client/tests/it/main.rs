//! Integration tests of mailfix-client against small axum servers on loopback.

// The test servers and helpers are test code too: a broken invariant there should panic.
#![allow(clippy::unwrap_used)]

mod batch;
mod exchange;
mod graph_ops;
mod methods;
mod network;
mod pace;
mod paging;
mod retry;
mod signin;
mod support;
mod tls;
mod tokens;
