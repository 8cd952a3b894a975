//! TESTING.md names only tests that exist: every test named in a table's `test` column, or in a
//! section's opening paragraph, is a `#[test]`/`#[tokio::test]` function in the file it names.
//!
//! How names resolve: a backticked `path.rs` (with a `/`: from the repository root; without: in the
//! section's directory) is the file for the names after it in the cell; `module::name` is
//! `module.rs` in the section's directory, or in `crates/mailfix-engine/tests/it/` when the word
//! "engine" precedes it; a bare `name` is in the cell's file, else in one of the files the
//! section's opening paragraph names. A cell saying "same" repeats the row above.

use std::path::{Path, PathBuf};

const BINARY_TESTS: &str = "crates/mailfix/tests/it";
const ENGINE_TESTS: &str = "crates/mailfix-engine/tests/it";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn every_test_testing_md_names_exists() {
    let root = repo_root();
    let doc = std::fs::read_to_string(root.join("TESTING.md")).unwrap();
    let problems = check(&doc, &root);
    assert!(problems.is_empty(), "TESTING.md:\n{}", problems.join("\n"));
}

#[test]
fn a_missing_test_file_or_name_is_reported() {
    let root = repo_root();
    let doc = "# t\n## s\n\nTests in `crates/mailfix/tests/it/errors.rs`.\n\n\
        | input | test |\n|---|---|\n\
        | a | `errors::no_such_test_here` |\n\
        | b | `no_such_file.rs` |\n\
        | c | same |\n\
        | d | `unknown_group_names_the_group` |\n\
        | e | engine `fix::resume_settles_intents_from_what_exchange_holds_and_finishes` |\n\
        | f | to do |\n";
    let problems = check(doc, &root);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("no_such_test_here"), "{}", problems[0]);
    assert!(problems[1].contains("no_such_file.rs"), "{}", problems[1]);
    assert!(problems[2].contains("names no test"), "{}", problems[2]);
}

/// One `## ` section: its directory, the files its opening paragraph names, and its text.
struct Section<'a> {
    title: &'a str,
    dir: PathBuf,
    files: Vec<PathBuf>,
    body: &'a str,
}

/// Every problem found, one line each.
fn check(doc: &str, root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for chunk in doc.split("\n## ").skip(1) {
        let section = section(chunk, root);
        let intro: String = section
            .body
            .lines()
            .take_while(|l| !l.starts_with('|'))
            .collect::<Vec<_>>()
            .join(" ");
        let mut cell_problems = check_cell(&section, &intro);
        cell_problems.retain(|p| !p.contains("names no test"));
        problems.extend(cell_problems);
        problems.extend(check_table(&section));
    }
    problems
}

fn section<'a>(chunk: &'a str, root: &Path) -> Section<'a> {
    let (title, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
    let intro = body.split("\n|").next().unwrap_or_default();
    let paths: Vec<&str> = backticked(intro)
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| t.ends_with(".rs"))
        .collect();
    let dir = paths
        .iter()
        .find_map(|p| Path::new(p).parent().filter(|d| !d.as_os_str().is_empty()))
        .map_or_else(|| root.join(BINARY_TESTS), |d| root.join(d));
    let files = paths.iter().map(|p| resolve(root, &dir, p)).collect();
    Section {
        title,
        dir,
        files,
        body,
    }
}

fn resolve(root: &Path, dir: &Path, path: &str) -> PathBuf {
    if path.contains('/') {
        root.join(path)
    } else {
        dir.join(path)
    }
}

/// The `test` column of each table row (the last column).
fn check_table(section: &Section<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_table = false;
    for line in section.body.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        let last = cells.last().map_or("", |c| c.trim());
        if !in_table {
            in_table = true;
            if last != "test" {
                problems.push(format!(
                    "## {}: the last column is not `test`",
                    section.title
                ));
            }
            continue;
        }
        if last.starts_with("---") || last == "same" {
            continue;
        }
        problems.extend(check_cell(section, last));
    }
    problems
}

/// Checks each name in one cell.
fn check_cell(section: &Section<'_>, cell: &str) -> Vec<String> {
    let root = repo_root();
    let mut problems = Vec::new();
    let mut file: Option<PathBuf> = None;
    let names = backticked(cell);
    if names.is_empty() && !cell.starts_with("same") {
        problems.push(format!("## {}: `{cell}` names no test", section.title));
    }
    for (before, name) in names {
        if name.ends_with(".rs") {
            let path = resolve(&root, &section.dir, name);
            if !path.is_file() {
                problems.push(format!("## {}: no file {name}", section.title));
            }
            file = Some(path);
        } else if let Some((module, test)) = name.rsplit_once("::") {
            let dir = if before.contains("engine") {
                root.join(ENGINE_TESTS)
            } else {
                section.dir.clone()
            };
            let path = dir.join(format!("{}.rs", module.replace("::", "/")));
            problems.extend(find_test(section, &[path], test));
        } else if is_identifier(name) {
            let files = file
                .clone()
                .map_or_else(|| section.files.clone(), |f| vec![f]);
            problems.extend(find_test(section, &files, name));
        }
    }
    problems
}

fn is_identifier(text: &str) -> bool {
    text.contains('_')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `Some(problem)` unless one of `files` has a test function `name`.
fn find_test(section: &Section<'_>, files: &[PathBuf], name: &str) -> Option<String> {
    let found = files
        .iter()
        .any(|f| std::fs::read_to_string(f).is_ok_and(|text| has_test_fn(&text, name)));
    let shown: Vec<String> = files.iter().map(|f| short(f)).collect();
    (!found).then(|| {
        format!(
            "## {}: no test fn {name} in {}",
            section.title,
            shown.join(" or ")
        )
    })
}

fn short(path: &Path) -> String {
    let text = path.display().to_string();
    match text.find("crates/") {
        Some(i) => text[i..].to_owned(),
        None => text,
    }
}

/// Whether `text` defines `fn name(` under a `#[...test...]` attribute.
fn has_test_fn(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        let line = line.trim_start();
        let defines = line.starts_with(&format!("fn {name}("))
            || line.starts_with(&format!("async fn {name}("));
        defines
            && lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim_start())
                .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
                .any(|l| l.starts_with("#[") && l.contains("test"))
    })
}

/// Each backticked span with the text between it and the previous span.
fn backticked(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        out.push((&rest[..start], &rest[start + 1..start + 1 + len]));
        rest = &rest[start + len + 2..];
    }
    out
}
