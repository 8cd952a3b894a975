//! What a case yields: the rows of measured programs, each run several times, the checks against
//! bounds, and the figures they are written with.

use crate::child::{Finished, Launch};
use crate::counts::SimLogCounts;
use crate::machine::LoadAvg;
use crate::measure::Measurement;
use crate::sim::Sim;
use crate::stats::Spread;

/// One run of a measured program.
#[derive(Clone, Debug)]
pub struct Run {
    /// Process measurement.
    pub measurement: Measurement,
    /// What the simulator saw (`None` where the program talked to no simulator of the harness).
    pub requests: Option<SimLogCounts>,
    /// What it achieved, checked against the simulator where possible.
    pub outcome: String,
    /// The 1-minute load average when it started.
    pub load: f64,
}

impl Run {
    /// A run of a program that talked to `sim`.
    pub fn new(done: &Finished, sim: &Sim, outcome: String, load: f64) -> Self {
        Self {
            measurement: done.measurement.clone(),
            requests: Some(sim.counts()),
            outcome,
            load,
        }
    }
}

/// One measured program of a case, with its runs in the order they ran.
#[derive(Clone, Debug)]
pub struct Row {
    /// `mailfix`, `baseline`, or what was measured.
    pub program: String,
    /// What sets it apart, shown beside its name (its default poll interval, its concurrency).
    pub detail: String,
    /// The command line (environment left out: the simulator's connection).
    pub command: String,
    /// Its runs.
    pub runs: Vec<Run>,
}

impl Row {
    /// A row for `program` run as `launch`.
    pub fn new(program: &str, detail: impl Into<String>, launch: &Launch) -> Self {
        Self {
            program: program.to_owned(),
            detail: detail.into(),
            command: launch.display(),
            runs: Vec::new(),
        }
    }

    /// The spread of a figure over the runs.
    pub fn spread(&self, figure: impl Fn(&Run) -> f64) -> Spread {
        Spread::of(self.runs.iter().map(figure))
    }

    /// Wall time, seconds.
    pub fn wall(&self) -> Spread {
        self.spread(|r| r.measurement.wall_s)
    }

    /// The requests of the run with the median wall time (they differ little between runs).
    pub fn typical(&self) -> Option<&Run> {
        let mut order: Vec<&Run> = self.runs.iter().collect();
        order.sort_by(|a, b| a.measurement.wall_s.total_cmp(&b.measurement.wall_s));
        order.get(order.len().saturating_sub(1) / 2).copied()
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
    /// Heading.
    pub title: String,
    /// Where the case comes from (`issue 4`).
    pub source: &'static str,
    /// How the simulator and the programs were set up, one line each.
    pub setup: Vec<String>,
    /// The command that reproduces the case.
    pub reproduce: String,
    /// Load average when the case started.
    pub load: LoadAvg,
    /// Measured programs; a row named `baseline` is what the others are compared with.
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

    /// Adds `run` to the row of its program, taking `row` as that row at its first run.
    pub fn push(&mut self, row: Row, run: Run) {
        match self.rows.iter_mut().find(|r| r.program == row.program) {
            Some(existing) => existing.runs.push(run),
            None => {
                let mut row = row;
                row.runs.push(run);
                self.rows.push(row);
            }
        }
    }
}

/// The scenario seed every case uses.
pub const SEED: u64 = 1;

/// A ratio formatted with two significant digits below 0.1 (`0.25×`, `0.0011×`), or `n/a`.
pub fn format_ratio(r: Option<f64>) -> String {
    let Some(r) = r.filter(|r| r.is_finite()) else {
        return "n/a".to_owned();
    };
    let decimals = if r >= 0.1 || r <= 0.0 {
        2
    } else {
        (-r.log10().floor()) as usize + 1
    };
    format!("{r:.decimals$}×")
}
