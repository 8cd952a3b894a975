//! Where `--html PATH` goes. The path is checked before the command sends anything (a report that
//! cannot be written must not be found out after an hour of work): its directory must exist, as for
//! every file the user names (a mistyped directory is an error, not created), and be writable. The
//! page is written as a private file (it names users): `0600`, replaced atomically, never through a
//! symbolic link (`output::write_private`).

use std::path::{Path, PathBuf};

use crate::error::CliError;
use crate::output;

/// The report file of this invocation.
#[derive(Clone, Debug)]
pub struct ReportFile {
    path: PathBuf,
}

impl ReportFile {
    /// Checks `--html PATH` for a command that has not started yet: not a directory, and in an
    /// existing directory that can be written (a file is created there and removed again).
    pub fn check(path: &Path) -> Result<ReportFile, CliError> {
        let refuse = |why: String| {
            CliError::usage(format!("--html {}: {why}", path.display())).hint(
                "name a file in a directory you can write, e.g. --html report.html; nothing was done",
            )
        };
        if path.as_os_str().is_empty() || path.is_dir() {
            return Err(refuse("is a directory, not a file".to_owned()));
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(refuse(format!("there is no directory {}", dir.display())));
        }
        tempfile::Builder::new()
            .prefix(".mailfix-check-")
            .tempfile_in(dir)
            .map_err(|e| refuse(format!("cannot write in its directory ({e})")))?;
        Ok(ReportFile {
            path: path.to_owned(),
        })
    }

    /// The checked file of an optional `--html` flag.
    pub fn from_flag(path: Option<&Path>) -> Result<Option<ReportFile>, CliError> {
        path.map(ReportFile::check).transpose()
    }

    /// The checked file of `--html` for a command that writes: a dry run makes no run to report.
    pub fn for_run(path: Option<&Path>, dry_run: bool) -> Result<Option<ReportFile>, CliError> {
        if dry_run && path.is_some() {
            return Err(
                CliError::usage("--html reports a run; a dry run makes none").hint(
                    "drop --dry-run to carry the change out and report it, or --html to see the plan",
                ),
            );
        }
        ReportFile::from_flag(path)
    }

    /// The file of guard cycle `cycle`: `{cycle}` in the path replaced by its number (without it,
    /// every cycle replaces the same file).
    pub fn for_cycle(&self, cycle: u64) -> ReportFile {
        let path = match self.path.to_str() {
            Some(path) if path.contains("{cycle}") => {
                PathBuf::from(path.replace("{cycle}", &cycle.to_string()))
            }
            _ => self.path.clone(),
        };
        ReportFile { path }
    }

    /// Where the report goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `page`, replacing an earlier report at the path.
    pub fn write(&self, page: &str) -> Result<(), CliError> {
        output::write_private(&self.path, page.as_bytes()).map_err(|e| {
            CliError::runtime(format!(
                "cannot write the HTML report {}",
                self.path.display()
            ))
            .cause(e)
            .hint("check the path and the free space; the run itself is recorded in the journal")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_or_a_missing_directory_is_refused_before_anything_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let err = ReportFile::check(dir.path()).unwrap_err();
        assert!(err.render().contains("is a directory"), "{}", err.render());
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let err = ReportFile::check(&file.join("report.html")).unwrap_err();
        assert!(
            err.render().contains("there is no directory"),
            "{}",
            err.render()
        );
        let missing = dir.path().join("mistyped/report.html");
        let err = ReportFile::check(&missing).unwrap_err();
        assert!(
            err.render().contains("there is no directory"),
            "{}",
            err.render()
        );
        assert!(!dir.path().join("mistyped").exists(), "not created");
    }

    #[test]
    fn the_check_leaves_nothing_behind_and_the_report_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        let file = ReportFile::check(&path).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        file.write("<!DOCTYPE html>").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
