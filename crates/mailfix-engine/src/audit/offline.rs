//! `audit --from-file`: the Entra admin center's audit log download (Monitoring & health → Audit
//! logs → Download), in either of its two formats, read into [`RegistrationEvent`]s.
//!
//! What the formats are, and where that is known from:
//! - Microsoft documents that the download is offered as CSV or JSON, with UTC timestamps, up to
//!   250,000 records (entra-docs `docs/identity/monitoring-health/howto-download-logs.md`); it
//!   does not document the columns.
//! - **CSV**: a header row `Date (UTC), CorrelationId, Service, Category, Activity, Result,
//!   ResultReason, [User Agent,] ActorType, ActorDisplayName, ActorObjectId,
//!   ActorUserPrincipalName, IPAddress, ActorHomeTenantId, ..., Target1Type, Target1DisplayName,
//!   Target1ObjectId, Target1UserPrincipalName, Target1ModifiedProperty1Name ..., Target2... ,
//!   Target3..., AdditionalDetail1Key ... AdditionalDetail6Value`, written with a UTF-8 BOM. This is
//!   the header that public scripts processing real downloads read (bitpusher2k
//!   `ProcessEntraAuditLog.ps1`, a Timesketch converter opening the file as `utf-8-sig`). The date
//!   column's title is localised with the portal language (`Data (UTC)` seen in an Italian export),
//!   so it is found as the first column, or any column titled `... (UTC)`; the others are property
//!   names and are matched by name, ignoring case. Dates are ISO 8601 in UTC; the US display form
//!   is accepted too.
//! - **JSON**: an array of audit records with the same camelCase properties as Graph's
//!   `directoryAudit` (`activityDateTime`, `loggedByService`, `activityDisplayName`, `result`,
//!   `resultReason`, `initiatedBy.user`, `targetResources[]`). A Graph response saved to a file
//!   (`{"value": [...]}`) is read the same way. UNCONFIRMED beyond these property names: no public
//!   sample of a full portal JSON download was found, so unknown properties are ignored.
//!
//! A malformed record (an unreadable date, a JSON record of the wrong shape) does not stop the
//! others: it is left out and listed in [`AuditFile::problems`]. A file that is neither format
//! (no JSON document, no CSV header with the portal's columns, binary content) is refused.

use std::io::Read;

use csv::{ReaderBuilder, StringRecord, Trim};
use mailfix_client::models::DirectoryAudit;
use serde::Serialize;

use super::events::{AuditResult, RegistrationEvent, non_empty, parse_audit_time};

/// The two download formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditFileFormat {
    /// JSON array (or a Graph page with `value`).
    Json,
    /// CSV with the portal's header.
    Csv,
}

impl AuditFileFormat {
    /// JSON when the first non-blank character (after a BOM) is `[` or `{`, else CSV.
    pub fn detect(bytes: &[u8]) -> AuditFileFormat {
        let text = strip_bom(bytes);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[' | b'{') => AuditFileFormat::Json,
            _ => AuditFileFormat::Csv,
        }
    }
}

/// A record left out of the events, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordProblem {
    /// CSV line, or JSON record number (1-based).
    pub record: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// What a download holds: its events and the records that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFile {
    /// The format read.
    pub format: AuditFileFormat,
    /// The readable events, in file order.
    pub events: Vec<RegistrationEvent>,
    /// Records left out.
    pub problems: Vec<RecordProblem>,
}

/// Why an audit file cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditFileError {
    /// Reading failed.
    #[error("cannot read the audit file: {0}")]
    Io(#[from] std::io::Error),
    /// Neither of the portal's formats.
    #[error("the file is not an audit log download: {0}")]
    UnknownFormat(String),
    /// Malformed JSON or not an array of audit records.
    #[error("the audit file is not an audit log JSON download: {0}")]
    Json(String),
    /// Malformed CSV.
    #[error("the audit file is not valid CSV near line {line}: {message}")]
    Csv {
        /// Line.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A CSV header lacks a column.
    #[error("the audit CSV has no '{0}' column; is it an Entra audit log download?")]
    MissingColumn(&'static str),
    /// Records exist but none could be read.
    #[error("none of the {count} records of the audit file could be read (first: record {}: {})", first.record, first.reason)]
    NoReadableRecord {
        /// Records seen.
        count: usize,
        /// The first problem.
        first: RecordProblem,
    },
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Reads a download in either format (detected from the content).
pub fn read_audit_file(mut input: impl Read) -> Result<AuditFile, AuditFileError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    match AuditFileFormat::detect(&bytes) {
        AuditFileFormat::Json => read_audit_json(&bytes),
        AuditFileFormat::Csv => read_audit_csv(&bytes),
    }
}

/// Refuses a file where nothing was readable although records were there.
fn finish(format: AuditFileFormat, file: AuditFile) -> Result<AuditFile, AuditFileError> {
    match file.problems.first() {
        Some(first) if file.events.is_empty() => Err(AuditFileError::NoReadableRecord {
            count: file.problems.len(),
            first: first.clone(),
        }),
        _ => Ok(AuditFile { format, ..file }),
    }
}

/// Reads the JSON download.
pub fn read_audit_json(bytes: &[u8]) -> Result<AuditFile, AuditFileError> {
    let value: serde_json::Value = serde_json::from_slice(strip_bom(bytes))
        .map_err(|e| AuditFileError::Json(e.to_string()))?;
    let records = match value {
        serde_json::Value::Object(mut page) => page.remove("value").unwrap_or_default(),
        array => array,
    };
    let serde_json::Value::Array(records) = records else {
        return Err(AuditFileError::Json(
            "expected an array of audit records (or an object with 'value')".into(),
        ));
    };
    let mut file = AuditFile {
        format: AuditFileFormat::Json,
        events: Vec::with_capacity(records.len()),
        problems: Vec::new(),
    };
    for (i, record) in records.into_iter().enumerate() {
        let event = serde_json::from_value::<DirectoryAudit>(record)
            .map_err(|e| e.to_string())
            .and_then(|audit| {
                RegistrationEvent::from_directory_audit(&audit).map_err(|e| e.to_string())
            });
        match event {
            Ok(event) => file.events.push(event),
            Err(reason) => file.problems.push(RecordProblem {
                record: i as u64 + 1,
                reason,
            }),
        }
    }
    finish(AuditFileFormat::Json, file)
}
/// Column positions in the CSV header.
struct Columns {
    date: usize,
    service: usize,
    activity: usize,
    result: usize,
    reason: Option<usize>,
    actor_id: Option<usize>,
    actor_upn: Option<usize>,
    target_type: Option<usize>,
    target_id: Option<usize>,
    target_upn: Option<usize>,
}

impl Columns {
    fn find(headers: &StringRecord) -> Result<Columns, AuditFileError> {
        let names: Vec<String> = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let opt = |name: &str| names.iter().position(|n| n == &name.to_ascii_lowercase());
        let req = |name: &'static str| opt(name).ok_or(AuditFileError::MissingColumn(name));
        if ["service", "activity", "result"]
            .iter()
            .all(|n| !names.iter().any(|h| h == n))
        {
            return Err(AuditFileError::UnknownFormat(
                "neither JSON nor a CSV with the portal's columns (Date (UTC), Service, Activity, Result, ...)"
                    .into(),
            ));
        }
        let date = names
            .iter()
            .position(|n| n.ends_with("(utc)") || n == "date" || n == "activitydatetime")
            .unwrap_or(0);
        Ok(Columns {
            date,
            service: req("Service")?,
            activity: req("Activity")?,
            result: req("Result")?,
            reason: opt("ResultReason"),
            actor_id: opt("ActorObjectId"),
            actor_upn: opt("ActorUserPrincipalName"),
            target_type: opt("Target1Type"),
            target_id: opt("Target1ObjectId"),
            target_upn: opt("Target1UserPrincipalName"),
        })
    }
}

/// Reads the CSV download.
pub fn read_audit_csv(bytes: &[u8]) -> Result<AuditFile, AuditFileError> {
    let bytes = strip_bom(bytes);
    if bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        return Err(AuditFileError::UnknownFormat(
            "binary content (the portal's downloads are UTF-8 JSON or CSV)".into(),
        ));
    }
    let mut reader = ReaderBuilder::new()
        .flexible(true)
        .trim(Trim::All)
        .from_reader(bytes);
    let csv_error = |e: csv::Error| AuditFileError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let columns = Columns::find(reader.headers().map_err(csv_error)?)?;
    let mut file = AuditFile {
        format: AuditFileFormat::Csv,
        events: Vec::new(),
        problems: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        match csv_event(&record, &columns) {
            Ok(event) => file.events.push(event),
            Err(problem) => file.problems.push(problem),
        }
    }
    finish(AuditFileFormat::Csv, file)
}

fn csv_event(record: &StringRecord, c: &Columns) -> Result<RegistrationEvent, RecordProblem> {
    let get = |i: Option<usize>| non_empty(i.and_then(|i| record.get(i)));
    let needed = [c.date, c.service, c.activity, c.result];
    if let Some(&last) = needed.iter().max()
        && record.len() <= last
    {
        return Err(RecordProblem {
            record: record.position().map_or(0, |p| p.line()),
            reason: format!("too few fields ({}; the header has more)", record.len()),
        });
    }
    let date = record.get(c.date).unwrap_or_default();
    let time = parse_audit_time(date).ok_or_else(|| RecordProblem {
        record: record.position().map_or(0, |p| p.line()),
        reason: if date.is_empty() {
            "no date".to_owned()
        } else {
            format!("unreadable date '{date}'")
        },
    })?;
    let target_is_user = get(c.target_type).is_some_and(|t| t.eq_ignore_ascii_case("user"))
        && (get(c.target_id).is_some() || get(c.target_upn).is_some());
    let (user_id, upn) = if target_is_user {
        (get(c.target_id), get(c.target_upn))
    } else {
        (get(c.actor_id), get(c.actor_upn))
    };
    Ok(RegistrationEvent {
        time,
        service: get(Some(c.service)).unwrap_or_default(),
        activity: get(Some(c.activity)).unwrap_or_default(),
        result: AuditResult::parse(record.get(c.result).unwrap_or_default()),
        reason: get(c.reason),
        user_id,
        upn,
    })
}
