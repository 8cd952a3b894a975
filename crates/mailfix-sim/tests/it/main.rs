//! Integration tests of the simulator, over HTTP on loopback.

// Test helpers outside `#[test]` functions unwrap too; a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod conformance;
mod conformance_cases;
mod conformance_seed;
mod conformance_shape;
mod conformance_special;
mod graph_auth;
mod graph_batch;
mod graph_delta;
mod graph_filters;
mod graph_members;
mod graph_methods;
mod graph_paging;
mod graph_reports;
mod graph_routes;
mod graph_support;
mod graph_users;
