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

use std::io::Read;

use csv::{ReaderBuilder, StringRecord, Trim};
use mailfix_client::models::DirectoryAudit;

use super::events::{AuditResult, RegistrationEvent, non_empty, parse_audit_time};

/// The two download formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditFileFormat {
    /// JSON array (or a Graph page with `value`).
    Json,
    /// CSV with the portal's header.
    Csv,
}

impl AuditFileFormat {
    /// JSON when the first non-blank character (after a BOM) is `[` or `{`, else CSV.
    pub fn detect(bytes: &[u8]) -> AuditFileFormat {
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[' | b'{') => AuditFileFormat::Json,
            _ => AuditFileFormat::Csv,
        }
    }
}

/// Why an audit file cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditFileError {
    /// Reading failed.
    #[error("cannot read the audit file: {0}")]
    Io(#[from] std::io::Error),
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
    /// An unreadable date.
    #[error("the audit file has an unreadable date '{time}' (record {record})")]
    BadTime {
        /// Line (CSV) or index (JSON) of the record.
        record: u64,
        /// The date text.
        time: String,
    },
}

/// Reads a download in either format (detected from the content).
pub fn read_audit_file(mut input: impl Read) -> Result<Vec<RegistrationEvent>, AuditFileError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    match AuditFileFormat::detect(&bytes) {
        AuditFileFormat::Json => read_audit_json(&bytes),
        AuditFileFormat::Csv => read_audit_csv(&bytes),
    }
}

/// Reads the JSON download.
pub fn read_audit_json(bytes: &[u8]) -> Result<Vec<RegistrationEvent>, AuditFileError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AuditFileError::Json(e.to_string()))?;
    let records = match value {
        serde_json::Value::Object(mut page) => page.remove("value").unwrap_or_default(),
        array => array,
    };
    let audits: Vec<DirectoryAudit> =
        serde_json::from_value(records).map_err(|e| AuditFileError::Json(e.to_string()))?;
    audits
        .iter()
        .enumerate()
        .map(|(i, audit)| {
            RegistrationEvent::from_directory_audit(audit).map_err(|e| AuditFileError::BadTime {
                record: i as u64 + 1,
                time: e.time,
            })
        })
        .collect()
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
pub fn read_audit_csv(bytes: &[u8]) -> Result<Vec<RegistrationEvent>, AuditFileError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = ReaderBuilder::new()
        .flexible(true)
        .trim(Trim::All)
        .from_reader(bytes);
    let csv_error = |e: csv::Error| AuditFileError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let columns = Columns::find(reader.headers().map_err(csv_error)?)?;
    let mut events = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        events.push(csv_event(&record, &columns)?);
    }
    Ok(events)
}

fn csv_event(record: &StringRecord, c: &Columns) -> Result<RegistrationEvent, AuditFileError> {
    let get = |i: Option<usize>| non_empty(i.and_then(|i| record.get(i)));
    let date = record.get(c.date).unwrap_or_default();
    let time = parse_audit_time(date).ok_or_else(|| AuditFileError::BadTime {
        record: record.position().map_or(0, |p| p.line()),
        time: date.to_owned(),
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
