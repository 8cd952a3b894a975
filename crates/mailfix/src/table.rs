//! Tables for people, laid out for a width: `COLUMNS` when set; else on a terminal its width, or
//! 100 when it reports none (a pseudo-terminal of size 0×0, as `script` and `docker exec -t`
//! give); off a terminal (`-o table > file`) no limit.
//!
//! Cells wrap between words, and a word is never split (UPNs, addresses, ids, times, rule names),
//! except in prose columns (details, reasons), where a word longer than the column may be. In a
//! column of remedies a command (`mailfix ...`) is never wrapped at all; when the table would not
//! fit with it, the column's cells become numbered notes printed once below the table. A table
//! that still does not fit is printed as one block of `header: value` lines per row.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ColumnConstraint, ContentArrangement, Width};
use unicode_width::UnicodeWidthStr;

/// The width used on a terminal that reports none.
pub const FALLBACK_WIDTH: usize = 100;
/// The narrowest a prose column gets before its long words are split.
const PROSE_MIN: usize = 10;

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column<'a> {
    /// Text that wraps between words; a word is never split.
    Text(&'a str),
    /// Prose that wraps between words; a word longer than the column may be split.
    Prose(&'a str),
    /// Remedies: a cell that is a command (`mailfix ...`) stays on one line to be copied; other
    /// cells wrap between words.
    Command(&'a str),
}

impl Column<'_> {
    fn header(&self) -> &str {
        match self {
            Column::Text(h) | Column::Prose(h) | Column::Command(h) => h,
        }
    }
}

/// The width tables are laid out for (see the module documentation).
pub fn width() -> usize {
    use std::io::IsTerminal as _;
    let columns = std::env::var("COLUMNS").ok();
    let on_terminal = std::io::stdout().is_terminal();
    let reported =
        terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0));
    choose_width(columns.as_deref(), on_terminal.then_some(reported))
}

/// `COLUMNS` when it is a positive number; on a terminal (`Some`) its width when above zero, else
/// the fallback; off a terminal no limit.
fn choose_width(columns: Option<&str>, terminal: Option<Option<usize>>) -> usize {
    let columns = columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0);
    match (columns, terminal) {
        (Some(columns), _) => columns,
        (None, Some(reported)) => reported.filter(|w| *w > 0).unwrap_or(FALLBACK_WIDTH),
        (None, None) => usize::MAX,
    }
}

/// Renders `rows` under `columns` within `width` characters (see the module documentation).
pub fn render(columns: &[Column<'_>], rows: Vec<Vec<String>>, width: usize) -> String {
    if fits(columns, &rows, width) {
        return draw(columns, rows, width);
    }
    if columns.iter().any(|c| matches!(c, Column::Command(_))) {
        let (rows, notes) = commands_as_notes(columns, rows);
        let columns: Vec<Column<'_>> = columns
            .iter()
            .map(|c| match c {
                Column::Command(h) => Column::Text(h),
                other => *other,
            })
            .collect();
        let table = match fits(&columns, &rows, width) {
            true => draw(&columns, rows, width),
            false => records(&columns, &rows),
        };
        return table + &notes;
    }
    records(columns, &rows)
}

/// The narrowest each column may be: its longest word (text) or its longest cell (commands).
fn min_widths(columns: &[Column<'_>], rows: &[Vec<String>]) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let cells = rows.iter().filter_map(|r| r.get(i)).map(String::as_str);
            std::iter::once(column.header())
                .chain(cells)
                .map(|cell| match column {
                    Column::Command(_) if is_command(cell) => longest_line(cell),
                    Column::Prose(_) => longest_word(cell).min(PROSE_MIN),
                    _ => longest_word(cell),
                })
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Whether a cell is a command to copy.
fn is_command(cell: &str) -> bool {
    cell.starts_with("mailfix ")
}

fn longest_word(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| w.width())
        .max()
        .unwrap_or(0)
}

fn longest_line(text: &str) -> usize {
    text.lines().map(|l| l.width()).max().unwrap_or(0)
}

/// Whether the table fits in `width` without splitting a word or a command: the columns' minimum
/// widths plus the borders and padding (`│ a ┆ b │`: three characters per column, one more).
fn fits(columns: &[Column<'_>], rows: &[Vec<String>], width: usize) -> bool {
    let content: usize = min_widths(columns, rows).iter().sum();
    content.saturating_add(3 * columns.len() + 1) <= width
}

fn draw(columns: &[Column<'_>], rows: Vec<Vec<String>>, width: usize) -> String {
    let mins = min_widths(columns, &rows);
    let mut table = comfy_table::Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    match u16::try_from(width) {
        Ok(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        // No limit: every cell on one line.
        Err(_) => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header(columns.iter().map(Column::header));
    for row in rows {
        table.add_row(row);
    }
    for (column, min) in table.column_iter_mut().zip(mins) {
        // The constraint counts the padding (one space on each side).
        let min = u16::try_from(min + 2).unwrap_or(u16::MAX);
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(min)));
    }
    format!("{table}\n")
}

/// The command columns' cells replaced by `[n]`, each distinct command numbered once, and the
/// notes that list them.
fn commands_as_notes(columns: &[Column<'_>], rows: Vec<Vec<String>>) -> (Vec<Vec<String>>, String) {
    let mut notes: Vec<String> = Vec::new();
    let rows = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(columns)
                .map(|(cell, column)| match column {
                    Column::Command(_) if !cell.is_empty() => {
                        let n = match notes.iter().position(|n| *n == cell) {
                            Some(at) => at + 1,
                            None => {
                                notes.push(cell);
                                notes.len()
                            }
                        };
                        format!("[{n}]")
                    }
                    _ => cell,
                })
                .collect()
        })
        .collect();
    let text: String = notes
        .iter()
        .enumerate()
        .map(|(i, note)| format!("[{}] {note}\n", i + 1))
        .collect();
    (rows, text)
}

/// One block per row: `header: value` lines, the values never wrapped.
fn records(columns: &[Column<'_>], rows: &[Vec<String>]) -> String {
    let label = columns
        .iter()
        .map(|c| c.header().width())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for row in rows {
        for (column, cell) in columns.iter().zip(row) {
            let header = column.header();
            let pad = " ".repeat(label - header.width());
            out.push_str(&format!("{header}:{pad} {cell}\n"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    fn widest_line(text: &str) -> usize {
        text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
    }

    #[test]
    fn columns_wins_then_the_terminal_then_100() {
        assert_eq!(choose_width(Some("120"), Some(Some(80))), 120);
        assert_eq!(choose_width(Some("120"), None), 120);
        assert_eq!(choose_width(None, Some(Some(80))), 80);
        assert_eq!(choose_width(None, Some(Some(0))), FALLBACK_WIDTH);
        assert_eq!(choose_width(None, Some(None)), FALLBACK_WIDTH);
        assert_eq!(choose_width(Some("0"), Some(Some(0))), FALLBACK_WIDTH);
        assert_eq!(choose_width(Some("wide"), Some(Some(90))), 90);
        assert_eq!(
            choose_width(None, None),
            usize::MAX,
            "off a terminal: no limit"
        );
    }

    #[test]
    fn prose_may_split_a_long_word_other_text_never() {
        let address = "smtp:ivy.novak6.mailfix-ddgo7r@contoso.onmicrosoft.com";
        let rows = rows(&[&["ivy.novak6@contoso.com", &format!("left behind: {address}")]]);
        let prose = render(
            &[Column::Text("user"), Column::Prose("detail")],
            rows.clone(),
            50,
        );
        assert!(widest_line(&prose) <= 50, "{prose}");
        assert!(prose.contains("ivy.novak6@contoso.com"), "{prose}");
        let words = render(&[Column::Text("user"), Column::Text("detail")], rows, 50);
        assert!(words.contains(address), "records keep it whole: {words}");
    }

    #[test]
    fn words_wrap_but_are_never_split() {
        let long = "the user has an Exchange Online mailbox but an empty mail attribute";
        let out = render(
            &[Column::Text("user"), Column::Text("detail")],
            rows(&[&["amelia.nguyen295@contoso.com", long]]),
            60,
        );
        assert!(widest_line(&out) <= 60, "{out}");
        assert!(out.contains("amelia.nguyen295@contoso.com"), "{out}");
        for word in long.split(' ') {
            assert!(out.contains(word), "{word} split in\n{out}");
        }
    }

    #[test]
    fn commands_stay_whole_in_the_table_or_become_notes_below_it() {
        let cmd = "mailfix fix --user amelia.nguyen295@contoso.com";
        let columns = [Column::Text("user"), Column::Command("remedy")];
        let prose = "set mail in on-premises AD and sync; a cloud-side fix does not stick";
        let data = rows(&[
            &["amelia.nguyen295@contoso.com", cmd],
            &["b@contoso.com", prose],
        ]);
        let wide = render(&columns, data.clone(), 90);
        assert!(wide.contains(cmd), "{wide}");
        assert!(!wide.contains(prose), "prose wraps between words: {wide}");
        assert!(!wide.contains("[1]"), "{wide}");

        let narrow = render(&columns, data, 60);
        assert!(
            widest_line(narrow.split("[1] ").next().unwrap()) <= 60,
            "{narrow}"
        );
        assert!(narrow.contains(&format!("[1] {cmd}\n")), "{narrow}");
        assert!(narrow.contains(&format!("[2] {prose}\n")), "{narrow}");
    }

    #[test]
    fn a_table_that_cannot_fit_becomes_records() {
        let out = render(
            &[Column::Text("user"), Column::Text("alias")],
            rows(&[&[
                "a.very.long.user.principal.name@contoso.com",
                "a.very.long.alias.mailfix-r7f3k2@contoso.onmicrosoft.com",
            ]]),
            40,
        );
        assert!(
            out.contains("user:  a.very.long.user.principal.name@contoso.com\n"),
            "{out}"
        );
        assert!(
            out.contains("alias: a.very.long.alias.mailfix-r7f3k2@"),
            "{out}"
        );
    }
}
