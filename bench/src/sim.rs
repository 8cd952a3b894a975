//! The simulator a measured run talks to: started in the harness's own process over HTTPS on
//! loopback, one fresh instance per run, so that mailfix and the baseline meet the same tenant
//! (same scenario and seed) and each log holds one program's requests only. In-process, the
//! harness reads the request log and the tenant directly (counting requests, checking outcomes,
//! watching write-backs) instead of through the control plane; the programs see only HTTPS.

use std::net::SocketAddr;

use anyhow::Context as _;
use mailfix_sim::scenario::Scenario;
use mailfix_sim::state::AppState;
use mailfix_sim::{RunningSim, SimOptions};
use serde_json::Value;

use crate::counts::SimLogCounts;

/// How to start a simulator for one run.
#[derive(Clone, Debug)]
pub struct Setup {
    pub scenario: Scenario,
    /// Seed of the scenario and the behaviour.
    pub seed: u64,
    /// Simulated seconds per real second.
    pub time_scale: f64,
    /// Real milliseconds added to each Graph answer.
    pub graph_latency_ms: u64,
    /// Real milliseconds added to each Exchange answer.
    pub exo_latency_ms: u64,
    /// Write-back delay range, simulated seconds (the scenario's when `None`).
    pub writeback_s: Option<(f64, f64)>,
}

impl Setup {
    /// The scenario in real time, without latency.
    pub fn new(scenario: Scenario, seed: u64) -> Self {
        Self {
            scenario,
            seed,
            time_scale: 1.0,
            graph_latency_ms: 0,
            exo_latency_ms: 0,
            writeback_s: None,
        }
    }

    /// How `mailfix sim` would serve the same (for the reproduce notes).
    pub fn sim_flags(&self) -> String {
        let mut flags = format!("--seed {}", self.seed);
        if self.time_scale != 1.0 {
            flags.push_str(&format!(" --time-scale {}", self.time_scale));
        }
        if self.graph_latency_ms > 0 {
            flags.push_str(&format!(" --graph-latency {}", self.graph_latency_ms));
        }
        if self.exo_latency_ms > 0 {
            flags.push_str(&format!(" --exo-latency {}", self.exo_latency_ms));
        }
        if let Some((min, max)) = self.writeback_s {
            flags.push_str(&format!(" --writeback-delay {min}s..{max}s"));
        }
        flags
    }
}

/// A running simulator and the scratch directory of the run (journal, HOME).
pub struct Sim {
    running: RunningSim,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Sim {
    /// Starts a simulator for `setup`, with the run's scratch directory (journal, HOME) under
    /// `scratch`.
    pub async fn start(setup: &Setup, scratch: &std::path::Path) -> anyhow::Result<Self> {
        let options = SimOptions {
            seed: setup.seed,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: false,
            time_scale: setup.time_scale,
            state_dir: None,
            graph_latency_ms: Some(setup.graph_latency_ms),
            exo_latency_ms: Some(setup.exo_latency_ms),
            writeback_delay_s: setup.writeback_s,
            ..SimOptions::new(setup.scenario.clone())
        };
        let running = mailfix_sim::start(options)
            .await
            .context("the simulator did not start")?;
        let mut http = reqwest::Client::builder();
        if let Some(ca) = &running.info.ca_file {
            let pem = std::fs::read(ca)?;
            http = http.tls_certs_merge([reqwest::Certificate::from_pem(&pem)?]);
        }
        Ok(Self {
            running,
            dir: tempfile::tempdir_in(scratch)?,
            http: http.build()?,
        })
    }

    /// The simulator's state (tenant, clock, log).
    pub fn state(&self) -> &AppState {
        &self.running.state
    }

    /// The tenant's initial domain.
    pub fn domain(&self) -> &str {
        &self.running.info.tenant_domain
    }

    /// The environment that points mailfix (and the baseline, which reads the same variables) at
    /// this simulator as its main app, with a private journal and no user configuration.
    pub fn env(&self) -> Vec<(String, String)> {
        let info = &self.running.info;
        let dir = self.dir.path();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let mut env = vec![
            ("HOME".to_owned(), path("")),
            ("XDG_CONFIG_HOME".to_owned(), path("config")),
            ("XDG_STATE_HOME".to_owned(), path("state")),
            ("MAILFIX_JOURNAL".to_owned(), path("journal.db")),
            ("MAILFIX_TENANT".to_owned(), info.tenant_id.clone()),
            ("MAILFIX_CLIENT_ID".to_owned(), info.client_id.clone()),
            (
                "MAILFIX_CLIENT_SECRET".to_owned(),
                info.client_secret.clone(),
            ),
            ("MAILFIX_LOGIN_URL".to_owned(), info.login_url.clone()),
            ("MAILFIX_GRAPH_URL".to_owned(), info.graph_url.clone()),
            ("MAILFIX_EXO_URL".to_owned(), info.exo_url.clone()),
        ];
        if let Some(ca) = &info.ca_file {
            env.push((
                "MAILFIX_CA_FILE".to_owned(),
                ca.to_string_lossy().into_owned(),
            ));
        }
        env
    }

    /// `POST`s JSON to a control-plane path (`/_sim/...`).
    pub async fn control_post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.running.base_url);
        let resp = self.http.post(&url).json(&body).send().await?;
        anyhow::ensure!(resp.status().is_success(), "POST {path}: {}", resp.status());
        Ok(resp.json().await?)
    }

    /// Requests by service since the simulator started (control plane left out).
    pub fn counts(&self) -> SimLogCounts {
        SimLogCounts::of(&self.state().log.since(0))
    }

    /// The write-back delay the simulator gives the user `upn` (simulated seconds; a function of
    /// the seed and the user, the same in every fresh simulator of the setup).
    pub fn writeback_delay_s(&self, upn: &str) -> Option<f64> {
        let id = {
            let tenant = self.state().read_tenant();
            let idx = tenant.user_by_upn(upn)?;
            tenant.users[idx as usize].id.to_string()
        };
        let delay = self.state().writeback_delay(&id);
        Some(delay.num_milliseconds() as f64 / 1000.0)
    }

    /// Stops the simulator.
    pub async fn stop(self) {
        self.running.shutdown().await;
    }
}
