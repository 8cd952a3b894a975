//! Resolves the settings a command runs with, once: flags, then `MAILFIX_*` environment variables,
//! then the TOML config file's profile, then defaults (README "Connecting / configuration"). Commands never see raw strings.

mod config;
mod guard;
mod mailbox_plans;
mod paths;
mod resolution;
#[cfg(test)]
mod tests;

pub use guard::GuardSettings;
pub use resolution::{CloudName, CredentialSetting, MAX_CONCURRENCY, Settings, Source, Sourced};
