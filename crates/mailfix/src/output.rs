//! Rendering helpers shared by the commands' output formats: tables, JSON, NDJSON and CSV.

use serde::Serialize;

use crate::error::CliError;
use crate::table::{self, Column};

/// A table with a header row, laid out for the terminal (`crate::table`: words never split).
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let columns: Vec<Column<'_>> = header.iter().map(|h| Column::Text(h)).collect();
    table_of(&columns, rows)
}

/// A table whose columns say how they may wrap (a command column never does).
pub fn table_of(columns: &[Column<'_>], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    table::render(columns, rows.into_iter().collect(), table::width())
}

/// `n` and the noun in the number `n` asks for: `count(1, "alias", "aliases")` is `1 alias`.
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    match n.try_into().unwrap_or(u64::MAX) {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
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
    fn counts_agree_with_their_noun() {
        assert_eq!(
            count(1, "temporary alias", "temporary aliases"),
            "1 temporary alias"
        );
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(2, "row", "rows"), "2 rows");
    }

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
