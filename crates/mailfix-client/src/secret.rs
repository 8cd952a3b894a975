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

    /// Reads a secret from a file; surrounding whitespace (a trailing newline) is dropped. When no
    /// such file exists and the "path" looks like a secret itself (pasted where the path goes), the
    /// error says so without printing it.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound && looks_like_secret(path) {
                return Error::config(
                    "the secret file's path names no file, and it looks like a secret itself \
                     (not shown)",
                )
                .with_hint(
                    "put the secret's Value in a file and pass that file's path with \
                     --client-secret-file, or set MAILFIX_CLIENT_SECRET. A secret typed on a \
                     command line stays in the shell's history: consider rotating it",
                );
            }
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

/// Whether a path given for a secret file looks like a secret value instead: one name (no
/// directory), at least 24 characters, upper and lower case letters and digits mixed, no spaces,
/// and no file extension (`.txt`). Client secret values are 40 such characters.
pub fn looks_like_secret(path: &Path) -> bool {
    let Some(text) = path.to_str() else {
        return false;
    };
    let has = |f: fn(&char) -> bool| text.chars().any(|c| f(&c));
    let extension = text.rsplit_once('.').is_some_and(|(_, ext)| {
        (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_lowercase())
    });
    text.chars().count() >= 24
        && !has(|c| *c == '/' || *c == '\\' || c.is_whitespace())
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit)
        && !extension
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
    fn a_secret_pasted_as_the_path_is_recognised_and_never_shown() {
        let pasted = "2S8Q~kD7wq.Xb4nR_vT1yLm9ZpA3eF6hJ0cUoN5i";
        assert!(looks_like_secret(Path::new(pasted)));
        for path in [
            "/etc/mailfix/secret",
            "secret.txt",
            "client-secret-prod-2024.txt",
            "ProductionClientSecret2024",
            "./2S8Q~kD7wq.Xb4nR_vT1yLm9ZpA3eF6hJ0cUoN5i",
        ] {
            let flagged = looks_like_secret(Path::new(path));
            assert_eq!(flagged, path == "ProductionClientSecret2024", "{path}");
        }
        let err = Secret::from_file(Path::new(pasted)).unwrap_err();
        let shown = format!("{err} {err:?} {}", err.hint().unwrap_or_default());
        assert!(!shown.contains("kD7wq"), "{shown}");
        assert!(shown.contains("looks like a secret itself"), "{shown}");
        let plain = Secret::from_file(Path::new("/nonexistent/secret.txt")).unwrap_err();
        assert!(
            plain.to_string().contains("/nonexistent/secret.txt"),
            "{plain}"
        );
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
