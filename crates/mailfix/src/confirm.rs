//! Confirmation before remote writes (README "Fix" step 3): asked on a terminal (y/N), refused without
//! one unless `--yes`. Shared by the commands that write.

use std::io::{BufRead as _, IsTerminal as _};

use crate::cli::WriteArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Asks `question` (e.g. "Add 36 temporary aliases?") unless `--yes`; without a terminal on
/// stdin, refuses with a usage error that names `--yes`. A "no" (or anything but y/yes) is a usage
/// error too (exit 2, "declined"), so that a script can tell it from a run that did its work.
pub fn confirm(printer: &Printer, write: &WriteArgs, question: &str) -> Result<(), CliError> {
    if write.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::usage(format!(
            "{question} Refusing to go ahead without confirmation: stdin is not a terminal"
        ))
        .hint("pass --yes to confirm without a prompt, or --dry-run to see the plan only"));
    }
    printer.prompt(&format!("{question} [y/N] "));
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::runtime("cannot read the answer").cause(e))?;
    match is_yes(&answer) {
        true => Ok(()),
        false => Err(CliError::usage("declined: nothing was changed")),
    }
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_y_or_yes_proceeds() {
        for yes in ["y", "Y\n", " yes \n", "YES"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "sure"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
