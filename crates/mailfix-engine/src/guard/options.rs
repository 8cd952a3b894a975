//! What guard is told: the mode, how often a cycle runs, how many fixes a cycle may start, and the
//! fix options its remediation uses.

use std::time::Duration;

use serde::Serialize;

use crate::fix::FixOptions;

/// What guard does with what it finds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Findings are logged.
    #[default]
    Report,
    /// Logged, and one notification per cycle that found something.
    Alert,
    /// Alerts, and MF001 users are fixed (alias, watch, remove) through the journal.
    Remediate,
}

impl Mode {
    /// The spelling of the flag and the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Report => "report",
            Mode::Alert => "alert",
            Mode::Remediate => "remediate",
        }
    }
}

/// The default `--interval`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// The default `--full-scan-every`.
pub const DEFAULT_FULL_EVERY: Duration = Duration::from_secs(24 * 3600);
/// The default `--max-changes-per-cycle`.
pub const DEFAULT_MAX_CHANGES_PER_CYCLE: usize = 50;

/// Everything a guard needs besides its scope, client and journal.
#[derive(Clone, Debug)]
pub struct GuardOptions {
    /// What to do with findings.
    pub mode: Mode,
    /// Time between the starts of two cycles; `None` runs one cycle (`--once`).
    pub interval: Option<Duration>,
    /// MF001 users one cycle may start fixing; the rest wait for the next cycle.
    pub max_changes_per_cycle: usize,
    /// How remediation fixes (alias template and domain, concurrency, watching).
    pub fix: FixOptions,
    /// A full read of the scope at least this often (picks up users added to a scope group
    /// without any change of their own); `None`: only the first cycle and resyncs read everything.
    pub full_every: Option<Duration>,
    /// The tenant as configured, for notices.
    pub tenant: String,
}
