//! Rendering helpers shared by the commands' output formats: tables, JSON, NDJSON and CSV.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::error::CliError;

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

/// CSV with a header row.
pub fn csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<String, CliError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| CliError::runtime("cannot render CSV output").cause(e);
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(&row).map_err(fail)?;
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
    fn ndjson_is_one_object_per_line() {
        let out = ndjson([serde_json::json!({"a":1}), serde_json::json!({"a":2})]).unwrap();
        assert_eq!(out, "{\"a\":1}\n{\"a\":2}\n");
    }
}
