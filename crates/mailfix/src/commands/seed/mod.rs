//! `mailfix seed`: pre-seed SSPR methods from an HR export. Resolves the command's own
//! flags, plans through the engine, shows the plan, asks for confirmation (refused without a
//! terminal unless `--yes`), applies under the journal with Ctrl-C handling, and renders the report.

mod render;
mod run;
mod sink;

pub use run::run;
