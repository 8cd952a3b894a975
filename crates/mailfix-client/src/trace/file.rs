//! The trace file: created private (mode 0600 on Unix, `private_file`) and never through a
//! symbolic link, and kept a complete HAR document after every entry (the closing brackets are rewritten behind each
//! new entry), so that a run that is interrupted still leaves a file that parses.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::har::{Answer, Entry};
use super::redact::Personal;
use crate::error::Error;
use crate::execute::Sent;
use crate::request::Request;

const TRAILER: &[u8] = b"\n]}}\n";

/// A HAR 1.2 trace being written.
pub struct Trace {
    path: PathBuf,
    personal: Personal,
    file: Mutex<Option<Open>>,
}

struct Open {
    file: File,
    entries: usize,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn cannot(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::config(format!("cannot {what} the trace file {}", path.display()))
        .with_source(e)
        .with_hint("give --trace a path in a directory you can write to")
}

/// Creates `path` as a private file (`private_file::create_new`: 0600, never through a link),
/// first removing a file or a symbolic link already there (the link itself, not its target); a
/// directory there is refused.
fn create_private(path: &Path) -> Result<File, Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(
                Error::config(format!("the trace path {} is a directory", path.display()))
                    .with_hint("give --trace a file name, e.g. mailfix-trace.har"),
            );
        }
        Ok(_) => std::fs::remove_file(path).map_err(|e| cannot(path, "replace", e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(cannot(path, "inspect", e)),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_file::create_dir(dir).map_err(|e| cannot(path, "create", e))?;
    }
    crate::private_file::create_new(path).map_err(|e| cannot(path, "create", e))
}

impl Trace {
    /// Starts a trace at `path`; phone numbers and personal emails are masked unless `unmasked`.
    pub fn create(path: &Path, unmasked: bool) -> Result<Self, Error> {
        let mut file = create_private(path)?;
        let creator = serde_json::json!({"name": "mailfix", "version": env!("CARGO_PKG_VERSION")});
        // The document up to its entries, then the trailer: the file parses from the start.
        let head = format!("{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"entries\":[");
        file.write_all(head.as_bytes())
            .and_then(|()| file.write_all(TRAILER))
            .map_err(|e| cannot(path, "write", e))?;
        Ok(Self {
            path: path.to_owned(),
            personal: if unmasked {
                Personal::Unmasked
            } else {
                Personal::Masked
            },
            file: Mutex::new(Some(Open { file, entries: 0 })),
        })
    }

    /// Where the trace is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one exchange. A write failure stops the trace (with a warning), never the run.
    pub(crate) fn record(
        &self,
        req: &Request,
        bearer: bool,
        answer: &Answer<'_>,
        started: chrono::DateTime<chrono::Utc>,
        took_ms: f64,
    ) {
        let entry = Entry::new(req, bearer, answer, started, took_ms, self.personal);
        let Ok(text) = serde_json::to_string(&entry) else {
            return;
        };
        let mut guard = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(open) = guard.as_mut() else {
            return;
        };
        let separator: &[u8] = if open.entries == 0 { b"\n" } else { b",\n" };
        let written = open
            .file
            .seek(SeekFrom::End(-(TRAILER.len() as i64)))
            .and_then(|_| open.file.write_all(separator))
            .and_then(|()| open.file.write_all(text.as_bytes()))
            .and_then(|()| open.file.write_all(TRAILER));
        match written {
            Ok(()) => open.entries += 1,
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "the trace stopped: cannot write");
                *guard = None;
            }
        }
    }
}

impl Trace {
    /// Records one send of the client's request path: its answer, or why there is none.
    pub(crate) fn record_send(
        &self,
        req: &Request,
        bearer: bool,
        sent: &Result<Sent, Error>,
        wall: chrono::DateTime<chrono::Utc>,
        took: Duration,
    ) {
        let answer = match sent {
            Ok(Sent::Response(r)) => Answer::Response {
                status: r.status.as_u16(),
                headers: &r.headers,
                body: &r.body,
            },
            Ok(Sent::Unsent(e) | Sent::Lost(e)) => Answer::Failed(e.to_string()),
            Err(e) => Answer::Failed(e.to_string()),
        };
        self.record(req, bearer, &answer, wall, took.as_secs_f64() * 1000.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Service;

    fn entry_count(path: &Path) -> usize {
        let text = std::fs::read_to_string(path).unwrap();
        let har: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(har["log"]["version"], "1.2");
        har["log"]["entries"].as_array().unwrap().len()
    }

    #[test]
    fn the_file_is_private_parses_after_every_entry_and_hides_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.har");
        std::fs::write(&path, "old").unwrap();
        let trace = Trace::create(&path, false).unwrap();
        assert_eq!(entry_count(&path), 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let url = url::Url::parse("https://login.example/t/oauth2/v2.0/token").unwrap();
        let req = Request::new(Service::Login, http::Method::POST, url, "token")
            .header(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body("client_id=a&client_secret=hunter2&scope=x");
        let headers = http::HeaderMap::new();
        let body = br#"{"access_token":"eyJa.eyJb.c2ln","token_type":"Bearer"}"#;
        for _ in 0..2 {
            let answer = Answer::Response {
                status: 200,
                headers: &headers,
                body,
            };
            trace.record(&req, true, &answer, chrono::Utc::now(), 1.5);
        }
        trace.record(
            &req,
            false,
            &Answer::Failed("connection reset".to_owned()),
            chrono::Utc::now(),
            0.0,
        );
        assert_eq!(entry_count(&path), 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("eyJa.eyJb"),
            "{text}"
        );
        assert!(text.contains("connection reset"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_replaced_not_followed_and_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("trace.har");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        Trace::create(&link, false).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(entry_count(&link), 0);
        let err = Trace::create(dir.path(), false).unwrap_err();
        assert!(err.message().contains("is a directory"), "{err}");
    }
}
