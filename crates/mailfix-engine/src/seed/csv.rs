//! Reading an HR export: a CSV with a header row, as HR systems really produce it — a UTF-8 BOM,
//! quoted fields with commas and newlines, `;` instead of `,`, blank lines, stray whitespace.
//! Columns are found by `--map` or by common header names; every row keeps its line. The file is
//! read record by record ([`HrReader`]), never whole.

use std::io::{BufRead as _, BufReader, Read};

use csv::{ReaderBuilder, StringRecord, Trim};

use super::columns::{ColumnMap, Field, resolve_columns};
use super::lines::{Lines, Recorder};

/// How to read the file.
#[derive(Clone, Debug, Default)]
pub struct CsvOptions {
    /// The delimiter; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Column names given with `--map`.
    pub map: ColumnMap,
}

/// One data row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HrRow {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The user, as given.
    pub upn: String,
    /// Mobile number, as given.
    pub mobile: Option<String>,
    /// Alternate mobile number, as given.
    pub alternate_mobile: Option<String>,
    /// Personal email, as given.
    pub email: Option<String>,
}

/// A row that could not be used at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// The parsed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HrFile {
    /// The delimiter used.
    pub delimiter: u8,
    /// The header each field was read from.
    pub columns: Vec<(Field, String)>,
    /// Data rows, in file order.
    pub rows: Vec<HrRow>,
    /// Rows without a user.
    pub problems: Vec<RowProblem>,
}

/// Why the file as a whole cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HrCsvError {
    /// Reading failed.
    #[error("cannot read the HR file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not UTF-8.
    #[error("the HR file is not UTF-8 text (save it as CSV UTF-8)")]
    NotUtf8,
    /// The CSV is malformed.
    #[error("the HR file is not valid CSV near line {line}: {message}")]
    Malformed {
        /// Line of the error.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// No header row.
    #[error("the HR file is empty; it needs a header row")]
    Empty,
    /// A `--map` column is not in the header.
    #[error("--map {field}={column}: no such column; the header has: {headers}")]
    MappedColumnMissing {
        /// The field.
        field: &'static str,
        /// The column asked for.
        column: String,
        /// The header row.
        headers: String,
    },
    /// No column for the user.
    #[error(
        "no user column: none of the headers ({headers}) is one of upn, userPrincipalName, email; name it with --map upn=COLUMN"
    )]
    NoUserColumn {
        /// The header row.
        headers: String,
    },
    /// Neither a phone nor an email column.
    #[error(
        "nothing to seed: no mobile or personal email column among ({headers}); name them with --map mobile=COLUMN,email=COLUMN"
    )]
    NothingToSeed {
        /// The header row.
        headers: String,
    },
}

/// One record of the file: a row, or a row that names no user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HrRecord {
    /// A row with a user.
    Row(HrRow),
    /// A row without one.
    Problem(RowProblem),
}

impl HrRecord {
    /// The record's line.
    pub fn line(&self) -> u64 {
        match self {
            HrRecord::Row(row) => row.line,
            HrRecord::Problem(problem) => problem.line,
        }
    }
}

/// The size of the buffer the header row is looked for in (to detect the delimiter).
const HEADER_BUFFER: usize = 64 * 1024;

/// An HR export read record by record: memory stays flat however long the file is.
pub struct HrReader<R: Read> {
    records: csv::Reader<Recorder<BufReader<R>>>,
    lines: Lines,
    delimiter: u8,
    columns: Vec<(Field, usize, String)>,
    record: StringRecord,
}

impl<R: Read> HrReader<R> {
    /// Reads the header row (a UTF-8 BOM skipped, the delimiter detected unless given) and finds
    /// the columns.
    pub fn new(input: R, options: &CsvOptions) -> Result<Self, HrCsvError> {
        let mut input = BufReader::with_capacity(HEADER_BUFFER, input);
        let head = input.fill_buf()?;
        let bom = head.starts_with("\u{feff}".as_bytes());
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| detect_delimiter(&String::from_utf8_lossy(head)));
        if bom {
            input.consume(3);
        }
        let (recorder, lines) = Recorder::new(input);
        let mut records = ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .trim(Trim::All)
            .from_reader(recorder);
        let headers = records.headers().map_err(malformed)?.clone();
        if headers.iter().all(str::is_empty) {
            return Err(HrCsvError::Empty);
        }
        let columns = resolve_columns(&headers, &options.map)?;
        Ok(HrReader {
            records,
            lines,
            delimiter,
            columns,
            record: StringRecord::new(),
        })
    }

    /// The delimiter used.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The header each field is read from.
    pub fn columns(&self) -> Vec<(Field, String)> {
        self.columns
            .iter()
            .map(|(f, _, h)| (*f, h.clone()))
            .collect()
    }

    /// The next record (blank lines skipped), or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<HrRecord>, HrCsvError> {
        loop {
            if !self
                .records
                .read_record(&mut self.record)
                .map_err(malformed)?
            {
                return Ok(None);
            }
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            let line = self
                .record
                .position()
                .map_or(0, |p| p.line() + self.lines.skipped_at(p.byte()));
            return Ok(Some(
                match row_from_record(&self.record, line, &self.columns) {
                    Ok(row) => HrRecord::Row(row),
                    Err(problem) => HrRecord::Problem(problem),
                },
            ));
        }
    }
}

/// Reads a whole HR export into memory (for small files and tests; `seed` streams with
/// [`HrReader`]).
pub fn read_hr_csv(input: impl Read, options: &CsvOptions) -> Result<HrFile, HrCsvError> {
    let mut reader = HrReader::new(input, options)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    while let Some(record) = reader.next_record()? {
        match record {
            HrRecord::Row(row) => rows.push(row),
            HrRecord::Problem(problem) => problems.push(problem),
        }
    }
    Ok(HrFile {
        delimiter: reader.delimiter(),
        columns: reader.columns(),
        rows,
        problems,
    })
}

/// The row of one record, or a problem when it names no user.
fn row_from_record(
    record: &StringRecord,
    line: u64,
    columns: &[(Field, usize, String)],
) -> Result<HrRow, RowProblem> {
    let value = |field: Field| {
        columns
            .iter()
            .find(|(f, _, _)| *f == field)
            .and_then(|(_, index, _)| record.get(*index))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let upn = value(Field::Upn).ok_or_else(|| RowProblem {
        line,
        reason: "no user: the user column is empty".to_owned(),
    })?;
    Ok(HrRow {
        line,
        upn,
        mobile: value(Field::Mobile),
        alternate_mobile: value(Field::AlternateMobile),
        email: value(Field::Email),
    })
}

fn malformed(e: csv::Error) -> HrCsvError {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => HrCsvError::NotUtf8,
        csv::ErrorKind::Io(_) => match e.into_kind() {
            csv::ErrorKind::Io(io) => HrCsvError::Io(io),
            _ => HrCsvError::NotUtf8,
        },
        _ => HrCsvError::Malformed {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        },
    }
}

/// The most frequent of `,`, `;` and tab outside quotes on the first non-blank line.
fn detect_delimiter(text: &str) -> u8 {
    let header = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> HrFile {
        read_hr_csv(text.as_bytes(), &CsvOptions::default()).unwrap()
    }

    #[test]
    fn semicolons_bom_blank_lines_and_whitespace() {
        let file = read(
            "\u{feff}UPN ; Mobile Phone ; Personal_Email\n\n a@c.com ; 0412 345 678 ; x@y.com \n;;\r\n\r\nb@c.com;;\n",
        );
        assert_eq!(file.delimiter, b';');
        assert_eq!(file.rows.len(), 2);
        assert_eq!(file.rows[0].line, 3);
        assert_eq!(file.rows[0].upn, "a@c.com");
        assert_eq!(file.rows[0].mobile.as_deref(), Some("0412 345 678"));
        assert_eq!(file.rows[0].email.as_deref(), Some("x@y.com"));
        assert_eq!(file.rows[1].line, 6);
        assert_eq!(file.rows[1].mobile, None);
    }

    #[test]
    fn quoted_fields_keep_commas_and_newlines_and_lines_stay_right() {
        let file = read(
            "upn,mobile,personal_email,note\na@c.com,\"+61 412 345 678\",x@y.com,\"Smith, Jane\nsecond line\"\nb@c.com,+1 206 555 0100,,\n",
        );
        assert_eq!(file.delimiter, b',');
        assert_eq!(file.rows[0].line, 2);
        assert_eq!(
            file.rows[1].line, 4,
            "the quoted newline moved the next row down"
        );
    }

    #[test]
    fn map_names_columns_and_missing_ones_are_reported() {
        let text = "Email,Mobile,PersonalEmail\na@c.com,1,x@y.com\n";
        let map: ColumnMap = "upn=Email,mobile=Mobile,email=PersonalEmail"
            .parse()
            .unwrap();
        let file = read_hr_csv(
            text.as_bytes(),
            &CsvOptions {
                delimiter: None,
                map,
            },
        )
        .unwrap();
        assert_eq!(file.rows[0].email.as_deref(), Some("x@y.com"));
        let map: ColumnMap = "mobile=Cell".parse().unwrap();
        let err = read_hr_csv(
            text.as_bytes(),
            &CsvOptions {
                delimiter: None,
                map,
            },
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("--map mobile=Cell: no such column"),
            "{err}"
        );
        assert!("upn".parse::<ColumnMap>().is_err());
        assert!("phone=X".parse::<ColumnMap>().is_err());
    }

    #[test]
    fn file_without_user_or_values_is_refused() {
        let none =
            read_hr_csv("name,mobile\nx,1\n".as_bytes(), &CsvOptions::default()).unwrap_err();
        assert!(matches!(none, HrCsvError::NoUserColumn { .. }), "{none}");
        let nothing =
            read_hr_csv("upn,name\na@c.com,x\n".as_bytes(), &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(nothing, HrCsvError::NothingToSeed { .. }),
            "{nothing}"
        );
        let empty = read_hr_csv("".as_bytes(), &CsvOptions::default()).unwrap_err();
        assert!(matches!(empty, HrCsvError::Empty), "{empty}");
    }

    #[test]
    fn row_without_user_is_a_problem_not_an_error() {
        let file = read("upn,mobile\n,0412345678\na@c.com,1\n");
        assert_eq!(
            file.problems,
            [RowProblem {
                line: 2,
                reason: "no user: the user column is empty".into()
            }]
        );
        assert_eq!(file.rows.len(), 1);
    }
}
