//! `mailfix auth`: `check` (settings, tokens, permissions, what each command can do) and `login`
//! (delegated sign-in with the device code flow; the refresh token is cached for later runs).

mod check;
mod needs;
mod probes;
mod render;
mod run;

pub use run::run;
