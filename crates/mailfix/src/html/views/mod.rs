//! What each report shows, built from the engine's report structs: rows of text, counts and the
//! figures. The templates only lay these out.

mod audit;
mod cleanup;
mod common;
mod guard;
mod run;
mod scan;
mod seed;

pub use audit::AuditView;
pub use cleanup::CleanupView;
pub use common::Tile;
pub use guard::{GuardCycle, GuardView};
pub use run::RunView;
pub use scan::ScanView;
pub use seed::SeedView;
