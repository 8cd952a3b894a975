//! The simulator's integration tests: everything through HTTP(S) on loopback.
#![allow(clippy::unwrap_used, reason = "test helpers, like tests, fail loudly")]

mod conformance;
mod conformance_cases;
mod conformance_seed;
mod conformance_shape;
mod conformance_special;
mod control;
#[path = "../../examples/support/scenario.rs"]
mod example_scenario;
mod exo;
mod faults;
mod faults_malformed;
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
mod hire;
mod login_assertion;
mod login_client_credentials;
mod login_device_code;
mod login_discovery;
mod login_errors;
mod login_support;
mod realtenant;
mod registration;
mod scenario;
mod support;
mod throttle;
mod writeback;
