//! The demo's stage: the embedded simulator (scenario `small`, a fixed seed, a compressed clock,
//! HTTPS with its generated CA), the settings that point the commands at it with the client secret
//! held in memory, the temporary journal, and the simulated users' own actions (Exchange releasing
//! held write-backs, users retrying their registration).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailfix_sim::routes::control::registration::{AttemptsRequest, run_attempts};
use mailfix_sim::scenario;
use mailfix_sim::{RunningSim, SimOptions};

use crate::cli::OutputFormat;
use crate::connect::Context;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{CloudName, CredentialSetting, Settings, Source, Sourced};

/// The scenario's seed: the same tenant every time (and the one `mailfix sim` serves by default).
pub const SEED: u64 = 1;

/// Simulated seconds per real second: a minute in the tenant is a second here.
pub const TIME_SCALE: f64 = 60.0;

/// The running simulator and everything the commands need to talk to it.
pub struct Stage {
    /// The simulator.
    pub sim: RunningSim,
    /// Settings and printer, as every command gets them.
    pub ctx: Context,
    /// Users in the scenario.
    pub users: usize,
    /// Holds the journal; removed when the demo ends.
    _dir: tempfile::TempDir,
}

impl Stage {
    /// Starts the simulator on a free loopback port and prepares a private journal.
    pub async fn start(
        printer: Arc<Printer>,
        verbose: u8,
        trace: Option<Arc<mailfix_client::Trace>>,
    ) -> Result<Self, CliError> {
        let options = SimOptions {
            seed: SEED,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: false,
            time_scale: TIME_SCALE,
            state_dir: None,
            ..SimOptions::new(scenario::small(SEED))
        };
        let users = options.scenario.users.len();
        let sim = mailfix_sim::start(options)
            .await
            .map_err(|e| CliError::runtime("the demo's simulator did not start").chain(&e))?;
        let dir = tempfile::Builder::new()
            .prefix("mailfix-demo-")
            .tempdir()
            .map_err(|e| {
                CliError::runtime("cannot create a temporary directory for the journal").cause(e)
            })?;
        let settings = settings(&sim, dir.path().to_path_buf(), verbose);
        Ok(Self {
            sim,
            ctx: Context {
                settings,
                printer,
                trace,
            },
            users,
            _dir: dir,
        })
    }

    /// The journal the commands write.
    pub fn journal(&self) -> PathBuf {
        self.ctx.settings.journal.value.clone()
    }

    /// Exchange releases the write-backs it held back (`POST /_sim/unstick`); the number of users.
    pub fn release_held_writebacks(&self) -> usize {
        self.sim.state.unstick().0
    }

    /// Lets `simulated` time pass in the tenant at once (`POST /_sim/clock/advance`).
    pub fn let_time_pass(&self, simulated: Duration) {
        self.sim.state.clock.advance(simulated);
    }

    /// `upns` try to register their security info now (`POST /_sim/registration/attempts`);
    /// returns how many succeeded.
    pub fn registration_attempts(&self, upns: Vec<String>) -> Result<usize, CliError> {
        let request = AttemptsRequest {
            users: Some(upns),
            count: Some(1),
            spread_s: None,
        };
        run_attempts(&self.sim.state, &request)
            .map(|answer| answer.succeeded)
            .map_err(|e| CliError::runtime("the simulated users could not try again").cause(e.1))
    }

    /// Stops the simulator; the journal's directory goes with `self`.
    pub async fn shutdown(self) {
        self.sim.shutdown().await;
    }
}

/// The client's pacing window for the reports lane against this clock.
pub fn reports_window() -> Duration {
    crate::commands::sim_banner::reports_window(TIME_SCALE)
}

/// Settings for the embedded simulator: its tenant, main app, endpoints and CA; the client
/// secret in memory; a journal in `dir`; tables on stdout whatever stdout is.
fn settings(sim: &RunningSim, dir: PathBuf, verbose: u8) -> Settings {
    let info = &sim.info;
    let built_in = |value: String| {
        Some(Sourced {
            value,
            source: Source::Default,
        })
    };
    Settings {
        profile: None,
        config_path: None,
        cloud: Sourced {
            value: CloudName::Global,
            source: Source::Default,
        },
        tenant: built_in(info.tenant_id.clone()),
        client_id: built_in(info.client_id.clone()),
        credential: CredentialSetting::Inline(mailfix_client::Secret::new(
            info.client_secret.clone(),
        )),
        login_url: built_in(info.login_url.clone()),
        graph_url: built_in(info.graph_url.clone()),
        exo_url: built_in(info.exo_url.clone()),
        ca_file: info.ca_file.clone().map(|value| Sourced {
            value,
            source: Source::Default,
        }),
        journal: Sourced {
            value: dir.join("journal.db"),
            source: Source::Default,
        },
        reports_window: Some(Sourced {
            value: reports_window(),
            source: Source::Default,
        }),
        token_cache: dir.join("token-cache.json"),
        concurrency: None,
        retry_max_elapsed: None,
        mailbox_plans: None,
        dual_write_retry: None,
        trace: None,
        trace_unmasked: false,
        output: OutputFormat::Table,
        verbose,
        guard: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_window_is_never_shorter_than_the_simulated_one() {
        let simulated = 10.0 / TIME_SCALE;
        let window = reports_window().as_secs_f64();
        assert!(window >= simulated, "{window} < {simulated}");
        assert!(window < simulated + 0.001, "{window}");
    }
}
