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
