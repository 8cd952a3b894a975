//! Integration tests of the `mailfix` binary against the simulator, over HTTPS on loopback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(
    dead_code,
    reason = "support helpers are shared by test modules that each use a part"
)]

mod audit;
mod audit_inputs;
mod auth;
mod auth_inputs;
mod cleanup;
mod cleanup_crash;
mod config_inputs;
mod csv_output;
mod demo;
mod errors;
mod expected;
mod fault_matrix;
mod fix;
mod fix_crash;
mod fix_integrity;
mod fix_speed;
mod fix_watch;
mod guard;
mod guard_cost;
mod guard_crash;
mod guard_inputs;
mod help;
mod html_report;
mod journal_inputs;
mod lost_output;
mod methods_paging;
mod named_users;
mod reach;
mod realtenant_delegated;
mod realtenant_exchange;
mod realtenant_graph;
mod realtenant_inputs;
mod realtenant_pace;
mod runs;
mod scan;
mod scan_output;
mod seed;
mod seed_crash;
mod seed_flags;
mod seed_inputs;
mod seed_resume;
mod seed_scale;
mod server_answers;
mod sign_in_inputs;
mod sim_command;
mod support;
mod tenant;
mod terminal;
mod testing_doc;
mod trace;
mod verbose;
mod write_inputs;
