//! Rendering helpers shared by the commands' output formats: tables, JSON, NDJSON and CSV.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::error::CliError;

/// Writes a file the user named that holds personal data (a report, a list of users) as a private
/// file (`mailfix_client::private_file`), in a directory that must exist already: a mistyped
/// directory is an error, not created.
pub fn write_private(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir.filter(|d| !d.is_dir()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no directory {}", dir.display()),
        ));
    }
    mailfix_client::private_file::replace(path, contents)
}

/// A table with a header row, laid out for the terminal.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(header.iter().copied());
    for row in rows {
        table.add_row(row);
    }
    format!("{table}\n")
}

/// One pretty JSON document followed by a newline.
pub fn json<T: Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| CliError::runtime("cannot render JSON output").cause(e))
}

/// One compact JSON object per line.
pub fn ndjson<T: Serialize>(items: impl IntoIterator<Item = T>) -> Result<String, CliError> {
    let mut out = String::new();
    for item in items {
        out.push_str(
            &serde_json::to_string(&item)
                .map_err(|e| CliError::runtime("cannot render NDJSON output").cause(e))?,
        );
        out.push('\n');
    }
    Ok(out)
}

/// A cell as CSV writes it, safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be read as a formula (CSV injection, see OWASP's "CSV
/// Injection"), so it gets a leading `'`, which makes spreadsheets show it as text. A negative
/// number (`-5`, `-0.25`: a minus, digits, at most one decimal point) stays as it is: it cannot
/// hold a formula. `+61412345678` is prefixed like any other text: mailfix's numbers are never
/// written with a plus sign, phone numbers always are.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_negative_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn is_negative_number(cell: &str) -> bool {
    let Some(digits) = cell.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
}

/// CSV with a header row; every cell [`spreadsheet_safe`].
pub fn csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<String, CliError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| CliError::runtime("cannot render CSV output").cause(e);
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        let safe = row.iter().map(|cell| spreadsheet_safe(cell));
        writer
            .write_record(safe.map(|c| c.into_owned()))
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::runtime("cannot render CSV output").cause(e))?;
    String::from_utf8(bytes).map_err(|e| CliError::runtime("cannot render CSV output").cause(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_with_commas() {
        let out = csv(&["a", "b"], vec![vec!["x,y".to_owned(), "z".to_owned()]]).unwrap();
        assert_eq!(out, "a,b\n\"x,y\",z\n");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_written_as_text() {
        let cells = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+61 412 345 678", "'+61 412 345 678"),
            ("+61412345678", "'+61412345678"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("-5", "-5"),
            ("-0.25", "-0.25"),
            ("-.5", "'-.5"),
            ("ana@contoso.com", "ana@contoso.com"),
            ("3", "3"),
            ("a=b", "a=b"),
        ];
        for (cell, want) in cells {
            assert_eq!(spreadsheet_safe(cell), want, "{cell:?}");
        }
        let out = csv(&["a"], vec![vec!["=1+1".to_owned()], vec!["-5".to_owned()]]).unwrap();
        assert_eq!(out, "a\n'=1+1\n-5\n");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let out = ndjson([serde_json::json!({"a":1}), serde_json::json!({"a":2})]).unwrap();
        assert_eq!(out, "{\"a\":1}\n{\"a\":2}\n");
    }
}
