//! The binary's error: a headline, the cause chain, a hint, and the exit code it maps to.

use std::fmt;

use crate::exit::Exit;

/// An error as the user sees it.
#[derive(Debug)]
pub struct CliError {
    /// One line saying what failed.
    pub headline: String,
    /// Underlying causes, outermost first.
    pub causes: Vec<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The exit code.
    pub exit: Exit,
}

impl CliError {
    /// A usage or configuration error (exit 2).
    pub fn usage(headline: impl Into<String>) -> Self {
        Self {
            headline: headline.into(),
            causes: Vec::new(),
            hint: None,
            exit: Exit::Usage,
        }
    }

    /// A runtime error (exit 1).
    pub fn runtime(headline: impl Into<String>) -> Self {
        Self {
            headline: headline.into(),
            causes: Vec::new(),
            hint: None,
            exit: Exit::Runtime,
        }
    }

    /// Output written to stdout was lost (not a closed pipe: that ends quietly).
    pub fn output_lost(failure: std::io::Error) -> Self {
        Self::runtime("cannot write the output to stdout")
            .cause(failure)
            .hint(
                "stdout goes somewhere that refused the data (a full disk?): free space or send \
                 the output elsewhere, and run the command again (what fix, cleanup and seed \
                 changed is recorded: `mailfix runs` shows it)",
            )
    }

    /// Adds a cause line.
    pub fn cause(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// Adds the causes of an error's `source()` chain (the error itself included).
    pub fn chain(mut self, error: &(dyn std::error::Error + 'static)) -> Self {
        let mut next = Some(error);
        while let Some(e) = next {
            let text = e.to_string();
            if self.causes.last() != Some(&text) && text != self.headline {
                self.causes.push(text);
            }
            next = e.source();
        }
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The text printed on stderr: `error: headline`, `  caused by: ...` lines, `  hint: ...`.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.headline);
        for cause in &self.causes {
            out.push_str(&format!("  caused by: {cause}\n"));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  hint: {hint}\n"));
        }
        out
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl std::error::Error for CliError {}

impl From<mailfix_client::Error> for CliError {
    fn from(error: mailfix_client::Error) -> Self {
        let exit = match error.kind() {
            mailfix_client::ErrorKind::Config => Exit::Usage,
            _ => Exit::Runtime,
        };
        let mut out = CliError {
            headline: error.to_string(),
            causes: Vec::new(),
            hint: None,
            exit,
        };
        if let Some(source) = std::error::Error::source(&error) {
            out = out.chain(source);
        }
        match error.hint() {
            Some(hint) => out.hint(hint),
            None => match network_hint(&error) {
                Some(hint) => out.hint(hint),
                None => out,
            },
        }
    }
}

/// For a service that could not be reached: the setting that names its address.
fn network_hint(error: &mailfix_client::Error) -> Option<String> {
    use mailfix_client::{ErrorKind, Service};
    if error.kind() != &ErrorKind::Network {
        return None;
    }
    let (flag, var) = match error.service()? {
        Service::Login => ("--login-url", "MAILFIX_LOGIN_URL"),
        Service::Graph => ("--graph-url", "MAILFIX_GRAPH_URL"),
        Service::Exchange => ("--exo-url", "MAILFIX_EXO_URL"),
    };
    Some(format!(
        "check the address ({flag} or {var}; by default the --cloud's endpoint), that the service \
         is running, and the network or proxy in between"
    ))
}

impl From<mailfix_engine::journal::JournalError> for CliError {
    fn from(error: mailfix_engine::journal::JournalError) -> Self {
        use mailfix_engine::journal::ErrorKind as K;
        let exit = match error.kind() {
            K::NoStateDir
            | K::Missing(_)
            | K::Empty(_)
            | K::NotAFile(_)
            | K::Foreign(_)
            | K::Damaged { .. }
            | K::TooNew { .. }
            | K::Locked { .. }
            | K::UnknownRun(_) => Exit::Usage,
            _ => Exit::Runtime,
        };
        let hint = match error.kind() {
            K::Damaged { path, .. } => Some(journal_aside_hint(path.as_deref(), "damaged")),
            K::Foreign(path) => Some(journal_aside_hint(Some(path), "other")),
            _ => None,
        };
        let headline = error.to_string();
        let mut out = CliError {
            headline,
            causes: Vec::new(),
            hint,
            exit,
        };
        if let Some(source) = std::error::Error::source(&error).and_then(std::error::Error::source)
        {
            out = out.chain(source);
        }
        out
    }
}

/// How to go on from a journal mailfix cannot use: move it aside (a new one starts in its place);
/// the temporary aliases its runs left can still be found by a sweep.
fn journal_aside_hint(path: Option<&std::path::Path>, suffix: &str) -> String {
    let moved = match path {
        Some(path) => format!("`mv {0} {0}.{suffix}`", path.display()),
        None => "rename the journal file".to_owned(),
    };
    format!(
        "move it aside ({moved}) and run the command again: a new journal starts in its place. \
         The runs recorded in the old one are no longer listed, but temporary aliases they left \
         on mailboxes can still be found and removed with `mailfix cleanup --sweep --all-users`"
    )
}

impl From<mailfix_engine::scope::ScopeError> for CliError {
    fn from(error: mailfix_engine::scope::ScopeError) -> Self {
        use mailfix_engine::scope::ScopeError as S;
        let hint = error.hint();
        let mut out = match error {
            S::Client(e) => return CliError::from(e),
            S::UsersFile { ref source, .. } => {
                let headline = error.to_string();
                CliError::usage(headline).cause(source)
            }
            other => CliError::usage(other.to_string()),
        };
        out.hint = hint;
        out
    }
}

impl From<mailfix_engine::fix::FixError> for CliError {
    fn from(error: mailfix_engine::fix::FixError) -> Self {
        use mailfix_engine::fix::FixError as F;
        let hint = error.hint();
        let usage = error.is_usage();
        let mut out = match error {
            F::Scope(e) => return CliError::from(e),
            F::Client(e) => return CliError::from(e),
            F::Journal(e) => return CliError::from(e),
            other if usage => CliError::usage(other.to_string()),
            other => CliError::runtime(other.to_string()),
        };
        out.hint = hint;
        out
    }
}

impl From<mailfix_engine::guard::GuardError> for CliError {
    fn from(error: mailfix_engine::guard::GuardError) -> Self {
        use mailfix_engine::guard::GuardError as G;
        match error {
            G::Scope(e) => CliError::from(e),
            G::Client(e) => CliError::from(e),
            G::Journal(e) => CliError::from(e),
            G::Fix(e) => CliError::from(e),
            other => CliError::runtime(other.to_string()),
        }
    }
}

impl From<mailfix_engine::scan::ScanError> for CliError {
    fn from(error: mailfix_engine::scan::ScanError) -> Self {
        use mailfix_engine::scan::ScanError as S;
        match error {
            S::Scope(e) => CliError::from(e),
            S::Client(e) => CliError::from(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_headline_causes_and_hint() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = CliError::usage("cannot read users file 'u.txt'")
            .chain(&io)
            .hint("check the path");
        assert_eq!(
            err.render(),
            "error: cannot read users file 'u.txt'\n  caused by: no such file\n  hint: check the path\n"
        );
        assert_eq!(err.exit.code(), 2);
    }
}
