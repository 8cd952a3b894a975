//! Custom scenarios from JSON files (the format is [`Scenario`]; `COVERAGE.md` documents it and
//! `scenarios/example.json` shows it). A file is checked completely on load, so a mistake is reported
//! with its file, line and cause before the simulator starts.

use std::path::{Path, PathBuf};

use super::build::{BuildError, build_tenant};
use super::spec::Scenario;
use crate::throttle::{Limits, UnknownLimit};

/// Why a scenario file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read the scenario file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a scenario in the documented JSON format.
    #[error(
        "the scenario file {path} is not valid at line {line}, column {column}: {message} \
         (the format is described in crates/mailfix-sim/COVERAGE.md)"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file's `behaviour.limits` names an unknown key.
    #[error("the scenario file {path} has an unknown limit: {source}")]
    Limits {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: UnknownLimit,
    },
    /// The file parses but describes an inconsistent tenant.
    #[error("the scenario file {path} is inconsistent: {source}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: BuildError,
    },
}

/// Reads and checks a scenario file.
pub fn load(path: impl AsRef<Path>) -> Result<Scenario, LoadError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses and checks scenario JSON; `path` only names the source in errors.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, LoadError> {
    let scenario: Scenario = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        // serde_json appends " at line L column C"; the error names the position itself.
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m);
        LoadError::Parse {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: message.to_owned(),
        }
    })?;
    Limits::from_map(&scenario.behaviour.limits).map_err(|source| LoadError::Limits {
        path: path.to_owned(),
        source,
    })?;
    // Building it once is the complete consistency check (members, licences, duplicate UPNs).
    build_tenant(&scenario, 0, chrono::Utc::now()).map_err(|source| LoadError::Inconsistent {
        path: path.to_owned(),
        source,
    })?;
    Ok(scenario)
}
