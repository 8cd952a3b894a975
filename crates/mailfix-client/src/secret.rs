//! A string that must never be printed: client secrets, certificate passwords, tokens.
//!
//! `Debug` is redacted and there is no `Display`; the value is reached only through
//! [`Secret::expose`], at the one place it goes on the wire.

use std::fmt;
use std::path::Path;

use crate::error::Error;

/// A secret string with a redacted `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads a secret from an environment variable (e.g. `MAILFIX_CLIENT_SECRET`).
    pub fn from_env(var: &str) -> Result<Self, Error> {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Self(v.trim().to_owned())),
            _ => Err(Error::config(format!(
                "environment variable {var} is not set or empty"
            ))),
        }
    }

    /// Reads a secret from a file; surrounding whitespace (a trailing newline) is dropped.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!("cannot read secret file {}", path.display())).with_source(e)
        })?;
        let value = text.trim();
        if value.is_empty() {
            return Err(Error::config(format!(
                "secret file {} is empty",
                path.display()
            )));
        }
        Ok(Self(value.to_owned()))
    }

    /// The secret value, for the one place it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn file_secret_is_trimmed_and_empty_file_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "abc\n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), "abc");
        std::fs::write(&path, "\n").unwrap();
        let err = Secret::from_file(&path).unwrap_err();
        assert!(err.message().contains("empty"));
        assert!(!format!("{err:?}").contains("abc"));
    }
}
