//! `mailfix sim` (placeholder until the simulator command lands).

use clap::Args;

/// `mailfix sim` arguments.
#[derive(Debug, Args)]
pub struct SimArgs {}
