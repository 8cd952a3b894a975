//! `mailfix scan`: resolve the scope, read what the rules need, print the findings in the chosen
//! format, and exit 3 when a finding reaches `--fail-on` (SPEC §3, §12).

mod render;
mod run;

pub use run::{run, scan_and_print};
