//! `audit` end to end: read the events (Graph or a portal download), classify the users (within a
//! scope when given), read their current directory facts once each, and build the report.

use std::path::PathBuf;
use std::time::Instant;

use mailfix_client::Client;

use super::join::{Directory, read_directory, read_scope};
use super::offline::{AuditFileError, read_audit_file};
use super::online::{AUDIT_PAGE_SIZE, read_online};
use super::report::{AuditReport, SourceKind, build_users};
use super::window::AuditWindow;
use super::{AuditFileFormat, RegistrationEvent, UserHistory, attempts_per_day, classify};
use crate::events::{Command, Event, Phase, Reporter};
use crate::finding::UserRef;
use crate::scope::{Scope, ScopeError, ScopeSpec, SkipCounts};

/// Where `audit` reads events from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditInput {
    /// Graph, `page_size` records per request.
    Graph {
        /// `$top`.
        page_size: u32,
    },
    /// A portal download (JSON or CSV).
    File(PathBuf),
}

impl Default for AuditInput {
    fn default() -> Self {
        AuditInput::Graph {
            page_size: AUDIT_PAGE_SIZE,
        }
    }
}

/// What `audit` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditOptions {
    /// The events' source.
    pub input: AuditInput,
    /// The period (a file is read whole with [`AuditWindow::all`]).
    pub window: AuditWindow,
}

/// Why `audit` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The download could not be read.
    #[error("cannot use the audit file {}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: AuditFileError,
    },
    /// The scope could not be read.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A service call failed.
    #[error(transparent)]
    Client(#[from] mailfix_client::Error),
}

impl AuditError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            AuditError::File {
                source: AuditFileError::Io(_),
                ..
            } => Some("check the path and that the file is readable".into()),
            AuditError::File { .. } => Some(
                "download the log from the Entra admin center (Monitoring & health → Audit logs → \
                 Download) as JSON or CSV and pass that file unchanged"
                    .into(),
            ),
            AuditError::Scope(e) => e.hint(),
            AuditError::Client(e) => e.hint().map(str::to_owned),
        }
    }
}

/// The events in the period and where they came from.
struct Events {
    source: SourceKind,
    events: Vec<RegistrationEvent>,
    problems: Vec<super::RecordProblem>,
}

/// Events not read yet (Graph, with this page size) or read already (a file).
enum Pending {
    Read(Events),
    Graph(u32),
}

/// Reads and filters a portal download.
fn read_file(
    path: &std::path::Path,
    window: &AuditWindow,
    reporter: &dyn Reporter,
) -> Result<Events, AuditError> {
    let file = std::fs::File::open(path)
        .map_err(AuditFileError::Io)
        .and_then(read_audit_file)
        .map_err(|source| AuditError::File {
            path: path.to_owned(),
            source,
        })?;
    for problem in &file.problems {
        reporter.report(&Event::Warning {
            message: format!(
                "{}: record {} left out: {}",
                path.display(),
                problem.record,
                problem.reason
            ),
        });
    }
    let events = file
        .events
        .into_iter()
        .filter(|e| e.is_registration_service() && window.contains(e.time))
        .collect();
    let source = match file.format {
        AuditFileFormat::Json => SourceKind::Json,
        AuditFileFormat::Csv => SourceKind::Csv,
    };
    Ok(Events {
        source,
        events,
        problems: file.problems,
    })
}

/// Pages Graph's audit log.
async fn read_graph(
    client: &Client,
    window: &AuditWindow,
    page_size: u32,
    reporter: &dyn Reporter,
) -> Result<Events, AuditError> {
    reporter.report(&Event::Phase {
        phase: Phase::Audit,
    });
    let online = read_online(client, window, page_size, reporter).await?;
    Ok(Events {
        source: SourceKind::Graph,
        events: online.events,
        problems: Vec::new(),
    })
}

/// Runs `audit`. Whatever can fail on the user's input fails before the long part: a file is read
/// before the scope is resolved, the scope is resolved before Graph's audit log is paged (at 5
/// requests per 10 s). Then the scope's users, or the users the events name, are read once each.
pub async fn run_audit(
    client: &Client,
    options: &AuditOptions,
    scope: Option<ScopeSpec>,
    reporter: &dyn Reporter,
) -> Result<AuditReport, AuditError> {
    let started = Instant::now();
    reporter.report(&Event::RunStarted {
        command: Command::Audit,
        run: None,
        targets: None,
    });
    // A file is read (and refused) before anything is sent; Graph is paged after the scope.
    let pending = match &options.input {
        AuditInput::File(path) => Pending::Read(read_file(path, &options.window, reporter)?),
        AuditInput::Graph { page_size } => Pending::Graph(*page_size),
    };
    let scope = match scope.filter(|s| !s.is_empty()) {
        Some(spec) => Some(Scope::resolve(client, spec).await?),
        None => None,
    };
    let read = match pending {
        Pending::Read(read) => read,
        Pending::Graph(page_size) => {
            read_graph(client, &options.window, page_size, reporter).await?
        }
    };
    reporter.report(&Event::Phase {
        phase: Phase::Scope,
    });
    let (histories, directory, skipped) =
        join(client, &read.events, scope.as_ref(), reporter).await?;
    let (table, reading, users) = build_users(&histories, &directory);
    let days = attempts_per_day(&read.events, &users, &options.window);
    let report = AuditReport {
        source: read.source,
        since: options.window.from,
        until: options.window.to,
        events: read.events.len() as u64,
        scope: scope.as_ref().map(Scope::describe),
        skipped,
        table,
        reading,
        users,
        days,
        problems: read.problems,
    };
    let failing = report.failing().count() as u64;
    reporter.report(&Event::RunFinished {
        run: None,
        elapsed: started.elapsed(),
        done: report.users.len() as u64 - failing,
        not_done: failing,
    });
    Ok(report)
}

/// The users classified (within the scope when given) with their directory facts, and the
/// scope's skip counts.
async fn join(
    client: &Client,
    events: &[RegistrationEvent],
    scope: Option<&Scope>,
    reporter: &dyn Reporter,
) -> Result<(Vec<UserHistory>, Directory, SkipCounts), AuditError> {
    match scope {
        Some(scope) => {
            let (directory, skipped) = read_scope(client, scope, reporter).await?;
            let users: Vec<UserRef> = directory.users().map(|f| f.user.clone()).collect();
            Ok((classify(events, Some(&users)), directory, skipped))
        }
        None => {
            let histories = classify(events, None);
            let named: Vec<UserRef> = histories.iter().map(|h| h.user.clone()).collect();
            let directory = read_directory(client, &named, reporter).await?;
            Ok((histories, directory, SkipCounts::new()))
        }
    }
}
