//! What a case yields: the rows of measured programs, the checks against bounds, and the
//! figures they are written with.

use crate::child::{Finished, Launch};
use crate::counts::SimLogCounts;
use crate::machine::LoadAvg;
use crate::measure::Measurement;
use crate::sim::Sim;

/// One measured program of a case.
#[derive(Clone, Debug)]
pub struct Row {
    /// `mailfix`, `baseline`, or what was measured.
    pub program: String,
    /// The command line (environment left out: the simulator's connection).
    pub command: String,
    /// Process measurement.
    pub measurement: Measurement,
    /// What the simulator saw (`None` where the program talked to no simulator of the harness).
    pub requests: Option<SimLogCounts>,
    /// What it achieved, checked against the simulator where possible.
    pub outcome: String,
}

impl Row {
    /// A row for a program that ran against `sim`.
    pub fn new(
        program: &str,
        launch: &Launch,
        done: &Finished,
        sim: &Sim,
        outcome: String,
    ) -> Self {
        Self {
            program: program.to_owned(),
            command: launch.display(),
            measurement: done.measurement.clone(),
            requests: Some(sim.counts()),
            outcome,
        }
    }
}

/// A figure against a bound an issue sets, or against a reference it names.
#[derive(Clone, Debug)]
pub struct Check {
    /// The bound or reference, in words.
    pub what: String,
    /// The figure measured.
    pub figure: String,
    /// Whether the figure is within the bound (`None`: a comparison, no bound).
    pub pass: Option<bool>,
}

impl Check {
    /// A figure against a bound.
    pub fn bound(what: impl Into<String>, figure: impl Into<String>, pass: bool) -> Self {
        Self {
            what: what.into(),
            figure: figure.into(),
            pass: Some(pass),
        }
    }

    /// A figure against a reference, with no bound to meet.
    pub fn compare(what: impl Into<String>, figure: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            figure: figure.into(),
            pass: None,
        }
    }
}

/// What one case yields.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Id for `--only`.
    pub id: &'static str,
    pub title: String,
    /// Where the case comes from (`issue 4`).
    pub source: &'static str,
    /// How the simulator and the programs were set up, one line each.
    pub setup: Vec<String>,
    /// The command that reproduces the case.
    pub reproduce: String,
    /// Load average when the case started.
    pub load: LoadAvg,
    /// Measured programs.
    pub rows: Vec<Row>,
    /// Figures against bounds.
    pub checks: Vec<Check>,
    /// Further figures and remarks.
    pub notes: Vec<String>,
    /// How long the case took, seconds.
    pub elapsed_s: f64,
}

impl CaseResult {
    /// An empty result for case `id`.
    pub fn new(id: &'static str, title: String, source: &'static str) -> Self {
        Self {
            id,
            title,
            source,
            setup: Vec::new(),
            reproduce: String::new(),
            load: LoadAvg::now(),
            rows: Vec::new(),
            checks: Vec::new(),
            notes: Vec::new(),
            elapsed_s: 0.0,
        }
    }

    /// The row of `program`.
    pub fn row(&self, program: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.program == program)
    }
}

/// The scenario seed every case uses.
pub const SEED: u64 = 1;

/// `part / whole` formatted as a ratio with two significant digits below 0.1 (`0.25×`,
/// `0.0011×`), or `n/a`.
pub fn ratio(part: f64, whole: f64) -> String {
    let r = part / whole;
    if !(whole > 0.0 && r.is_finite()) {
        return "n/a".to_owned();
    }
    let decimals = if r >= 0.1 || r <= 0.0 {
        2
    } else {
        (-r.log10().floor()) as usize + 1
    };
    format!("{r:.decimals$}×")
}
