//! Reading an HR export (SPEC §7): a CSV with a header row, as HR systems really produce it — a
//! UTF-8 BOM, quoted fields with commas and newlines, `;` instead of `,`, blank lines, stray
//! whitespace. Columns are found by `--map` or by common header names; every row keeps its line.

use std::io::Read;

use csv::{ReaderBuilder, StringRecord, Trim};

use super::columns::{ColumnMap, Field, resolve_columns};

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

/// Reads an HR export.
pub fn read_hr_csv(mut input: impl Read, options: &CsvOptions) -> Result<HrFile, HrCsvError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text = String::from_utf8(bytes).map_err(|_| HrCsvError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(malformed)?.clone();
    if headers.iter().all(str::is_empty) {
        return Err(HrCsvError::Empty);
    }
    let columns = resolve_columns(&headers, &options.map)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| record_line(text, p));
        match row_from_record(&record, line, &columns) {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push(problem),
        }
    }
    Ok(HrFile {
        delimiter,
        columns: columns.into_iter().map(|(f, _, h)| (f, h)).collect(),
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

/// The 1-based line where a record starts. The csv crate reports the position just after the
/// previous record, so the blank lines it skipped in between are counted here.
fn record_line(text: &str, position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(text.len());
    let skipped = text.as_bytes()[start..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    position.line() + skipped as u64
}

fn malformed(e: csv::Error) -> HrCsvError {
    HrCsvError::Malformed {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
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
