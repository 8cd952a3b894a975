//! Where seed's rows go as the engine hands them over, so that no output holds every row: stdout in
//! the chosen format (one JSON document written row by row, NDJSON, CSV; a table lists the rows
//! that need attention, the first few hundred) and the `--report` CSV file, written privately
//! (0600, a new temporary file renamed over the path at the end: it holds personal data).

use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use mailfix_engine::RunId;
use mailfix_engine::seed::{RowReport, RowSink};
use serde::Serialize;
use tempfile::NamedTempFile;

use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::output::spreadsheet_safe;
use crate::printer::Printer;

/// The columns of the CSV output and of the `--report` file.
pub const CSV_HEADER: [&str; 5] = ["line", "user", "action", "result", "reason"];
/// Rows that need attention listed in a table; the others are counted.
pub const TABLE_ROWS: usize = 200;
/// Output buffered before it is written.
const FLUSH_AT: usize = 64 * 1024;

/// The rows of a table: those that need attention, up to [`TABLE_ROWS`].
#[derive(Debug, Default)]
pub struct Attention {
    /// line, user, result, reason.
    pub rows: Vec<Vec<String>>,
    /// Rows that need attention beyond the listed ones.
    pub more: u64,
    /// Every row, kept only for `--html` (its report lists them all).
    pub kept: Option<Vec<RowReport>>,
}

/// The stdout and `--report` writer of one seed.
pub struct ReportSink<'a> {
    printer: &'a Printer,
    format: OutputFormat,
    dry_run: bool,
    /// Whether the output has begun (the rows' run is known).
    begun: bool,
    buffer: String,
    rows: u64,
    report: Option<(PathBuf, csv::Writer<BufWriter<NamedTempFile>>)>,
    /// The table's rows.
    pub attention: Attention,
}

impl<'a> ReportSink<'a> {
    /// A sink for `format`; `report` (the `--report` path) is created now, so that an unwritable
    /// path fails before any request.
    pub fn new(
        printer: &'a Printer,
        format: OutputFormat,
        dry_run: bool,
        report: Option<&Path>,
    ) -> Result<Self, CliError> {
        let report = report
            .map(|path| open_report(path).map(|w| (path.to_owned(), w)))
            .transpose()?;
        Ok(ReportSink {
            printer,
            format,
            dry_run,
            begun: false,
            buffer: String::new(),
            rows: 0,
            report,
            attention: Attention::default(),
        })
    }

    /// Keeps every row for the HTML report (`--html`): the one case where seed holds its rows.
    pub fn keep_rows(&mut self) {
        self.attention.kept = Some(Vec::new());
    }

    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            self.printer.data(&self.buffer);
            self.buffer.clear();
        }
    }

    /// Ends the output: the JSON document's last fields (`tail`, an object), and the `--report`
    /// file put in place. Returns the table's rows.
    pub fn finish(mut self, tail: &impl Serialize) -> Result<Attention, CliError> {
        if self.format == OutputFormat::Json {
            let end = if self.rows == 0 { "],\n" } else { "\n  ],\n" };
            self.buffer.push_str(end);
            let tail = fields(tail)
                .map_err(|e| CliError::runtime("cannot render JSON output").cause(e))?;
            self.buffer.push_str(&tail);
            self.buffer.push_str("\n}\n");
        }
        self.flush();
        if let Some((path, writer)) = self.report.take() {
            let fail = |e: io::Error| {
                CliError::runtime(format!("cannot write the report {}", path.display())).cause(e)
            };
            let file = writer
                .into_inner()
                .map_err(|e| fail(e.into_error()))?
                .into_inner()
                .map_err(|e| fail(e.into_error()))?;
            file.persist(&path).map_err(|e| fail(e.error))?;
        }
        Ok(self.attention)
    }

    /// Ends a JSON document cut short by `error` with the error, so that it stays one document;
    /// returns the error.
    pub fn abort(mut self, error: CliError) -> CliError {
        if self.begun && self.format == OutputFormat::Json {
            let end = if self.rows == 0 { "],\n" } else { "\n  ],\n" };
            self.buffer.push_str(end);
            let error = serde_json::json!({ "error": error.headline });
            self.buffer.push_str(&fields(&error).unwrap_or_default());
            self.buffer.push_str("\n}\n");
        }
        self.flush();
        error
    }
}

impl RowSink for ReportSink<'_> {
    fn begin(&mut self, run: Option<&RunId>) -> io::Result<()> {
        self.begun = true;
        match self.format {
            OutputFormat::Json => {
                let head = Head {
                    run,
                    dry_run: self.dry_run,
                };
                self.buffer.push_str("{\n");
                self.buffer
                    .push_str(&fields(&head).map_err(io::Error::other)?);
                self.buffer.push_str(",\n  \"rows\": [");
            }
            OutputFormat::Csv => self.buffer.push_str(&csv_line(&CSV_HEADER)?),
            OutputFormat::Table | OutputFormat::Ndjson => {}
        }
        Ok(())
    }

    fn row(&mut self, row: &RowReport) -> io::Result<()> {
        if let Some(kept) = &mut self.attention.kept {
            kept.push(row.clone());
        }
        if let Some((_, writer)) = &mut self.report {
            writer
                .write_record(csv_fields(row))
                .map_err(io::Error::from)?;
        }
        match self.format {
            OutputFormat::Json => {
                let text = serde_json::to_string_pretty(row).map_err(io::Error::other)?;
                self.buffer
                    .push_str(if self.rows == 0 { "\n" } else { ",\n" });
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        self.buffer.push('\n');
                    }
                    self.buffer.push_str("    ");
                    self.buffer.push_str(line);
                }
            }
            OutputFormat::Ndjson => {
                self.buffer
                    .push_str(&serde_json::to_string(row).map_err(io::Error::other)?);
                self.buffer.push('\n');
            }
            OutputFormat::Csv => self.buffer.push_str(&csv_line(&csv_fields(row))?),
            OutputFormat::Table if !row.result.is_done() => {
                match self.attention.rows.len() < TABLE_ROWS {
                    true => self.attention.rows.push(vec![
                        row.line.to_string(),
                        row.upn.clone(),
                        row.result.as_str().to_owned(),
                        row.reason.clone().unwrap_or_default(),
                    ]),
                    false => self.attention.more += 1,
                }
            }
            OutputFormat::Table => {}
        }
        self.rows += 1;
        if self.buffer.len() >= FLUSH_AT {
            self.flush();
        }
        Ok(())
    }
}

/// The JSON document's first fields.
#[derive(Serialize)]
struct Head<'r> {
    run: Option<&'r RunId>,
    dry_run: bool,
}

/// line, user, action, result, reason; each cell safe to open in a spreadsheet
/// ([`crate::output::spreadsheet_safe`]).
fn csv_fields(row: &RowReport) -> [String; 5] {
    [
        row.line.to_string(),
        row.upn.clone(),
        row.action.clone(),
        row.result.as_str().to_owned(),
        row.reason.clone().unwrap_or_default(),
    ]
    .map(|cell| spreadsheet_safe(&cell).into_owned())
}

/// One CSV line (quoted as needed).
fn csv_line<S: AsRef<[u8]>>(fields: &[S]) -> io::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).map_err(io::Error::from)?;
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

/// The fields of an object as a pretty JSON document shows them, without its braces.
fn fields(object: &impl Serialize) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string_pretty(object)?;
    let inner: Vec<&str> = text.lines().collect();
    Ok(inner[1..inner.len().saturating_sub(1)].join("\n"))
}

/// The `--report` file: a new private temporary file beside the path, and its header row.
fn open_report(path: &Path) -> Result<csv::Writer<BufWriter<NamedTempFile>>, CliError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file = NamedTempFile::new_in(dir).map_err(|e| {
        CliError::usage(format!("cannot write the report {}", path.display()))
            .cause(e)
            .hint("check that the directory exists and is writable")
    })?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    writer.write_record(CSV_HEADER).map_err(|e| {
        CliError::runtime(format!("cannot write the report {}", path.display())).cause(e)
    })?;
    Ok(writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_the_inside_of_a_pretty_object() {
        let text = fields(&Head {
            run: None,
            dry_run: true,
        })
        .unwrap();
        assert_eq!(text, "  \"run\": null,\n  \"dry_run\": true");
    }
}
