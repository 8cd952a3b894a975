//! The one place that writes to the terminal: data to stdout, status and errors to stderr.
//!
//! A closed stdout pipe (`mailfix scan | head`) is not an error: writes stop quietly. Any other
//! failed write to stdout (a full disk, `> /dev/full`) stops the writes too and is kept, for
//! `main` to turn into an error: output that was lost is never a success.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::OutputFormat;

/// Whether the data on stdout is for a machine: `-o json|ndjson|csv`, or no `-o` and stdout not a
/// terminal (then the default is JSON).
fn is_machine_output(output: Option<OutputFormat>, stdout_is_terminal: bool) -> bool {
    OutputFormat::or_default(output, stdout_is_terminal) != OutputFormat::Table
}

/// Writes data and status lines, honouring `-q` and terminal detection.
#[derive(Debug)]
pub struct Printer {
    quiet: bool,
    stdout_closed: AtomicBool,
    stdout_failure: Mutex<Option<std::io::Error>>,
    stderr_is_terminal: bool,
    stdout_is_terminal: bool,
    machine_output: bool,
    color: bool,
    stdout_color: bool,
}

impl Printer {
    /// A printer for this process's stdout and stderr; `output` is the `-o` flag.
    pub fn new(quiet: bool, output: Option<OutputFormat>) -> Self {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            quiet,
            stdout_closed: AtomicBool::new(false),
            stdout_failure: Mutex::new(None),
            stderr_is_terminal,
            stdout_is_terminal,
            machine_output: is_machine_output(output, stdout_is_terminal),
            color: stderr_is_terminal && !no_color,
            stdout_color: stdout_is_terminal && !no_color,
        }
    }

    /// Whether stdout is a terminal (decides the default output format).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_is_terminal
    }

    /// Whether progress displays may be drawn: stderr is a terminal, not `-q`, and the data is
    /// for people (a table), not a machine format (STYLE.md).
    pub fn progress_allowed(&self) -> bool {
        self.stderr_is_terminal && !self.quiet && !self.machine_output
    }

    /// Whether `-q` was given.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Writes data (tables, JSON, CSV) to stdout, as given.
    pub fn data(&self, text: &str) {
        if self.stdout_closed.load(Ordering::Relaxed) {
            return;
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            self.stdout_closed.store(true, Ordering::Relaxed);
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let mut failure = self
                    .stdout_failure
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                failure.get_or_insert(e);
            }
        }
    }

    /// The first failed write to stdout other than a closed pipe, if any (taken once).
    pub fn take_stdout_failure(&self) -> Option<std::io::Error> {
        self.stdout_failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// Writes a status line to stderr unless `-q`.
    pub fn status(&self, line: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// Writes a heading (bold on a terminal) to stderr unless `-q`.
    pub fn heading(&self, line: &str) {
        if self.color {
            self.status(&format!("\x1b[1m{line}\x1b[0m"));
        } else {
            self.status(line);
        }
    }

    /// Writes a heading of `mailfix demo`'s story to stdout (the story is the demo's output),
    /// bold when stdout is a terminal.
    pub fn story_heading(&self, line: &str) {
        if self.stdout_color {
            self.data(&format!("\x1b[1m{line}\x1b[0m\n"));
        } else {
            self.data(&format!("{line}\n"));
        }
    }

    /// Writes a line to stderr even with `-q`: something the user must act on (a sign-in code).
    pub fn notice(&self, line: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    /// Writes a question to stderr without a line break, even with `-q` (the answer follows).
    pub fn prompt(&self, question: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err
            .write_all(question.as_bytes())
            .and_then(|()| err.flush());
    }

    /// Writes an error to stderr, always.
    pub fn error(&self, error: &crate::error::CliError) {
        let _ = std::io::stderr()
            .lock()
            .write_all(error.render().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_formats_are_json_ndjson_csv_and_the_default_off_a_terminal() {
        assert!(!is_machine_output(Some(OutputFormat::Table), false));
        assert!(is_machine_output(Some(OutputFormat::Json), true));
        assert!(is_machine_output(Some(OutputFormat::Ndjson), true));
        assert!(is_machine_output(Some(OutputFormat::Csv), true));
        assert!(!is_machine_output(None, true));
        assert!(is_machine_output(None, false));
    }
}
