//! `mailfix scan`: resolve the scope, read what the rules need, print the findings in the chosen
//! format, and exit 3 when a finding reaches `--fail-on` (README "Scan", the table in `exit.rs`).

mod render;
mod run;

pub use run::{run, scan_and_print};
