//! `--help` of every command as a new user reads it: the command's own options first, then its
//! scope, then the connection and global options under their own headings; every option that
//! takes a value shows its default (or says there is none to show); the exit codes at the end;
//! one style of value names. `sim` and `demo` neither list nor take the options they would ignore.

use crate::support::{run, stderr, stdout};

/// Every command whose help is checked.
const COMMANDS: &[&[&str]] = &[
    &["scan"],
    &["fix"],
    &["cleanup"],
    &["seed"],
    &["audit"],
    &["runs"],
    &["runs", "show"],
    &["auth"],
    &["auth", "check"],
    &["sim"],
    &["demo"],
];

/// Options that take a value and have nothing to default to: whom to act on, files to write,
/// credentials, names.
const NO_DEFAULT: &[&str] = &[
    "--group",
    "--user",
    "--users-file",
    "--tenant",
    "--client-id",
    "--certificate",
    "--certificate-key",
    "--run",
    "--report",
    "--from-file",
    "--failing-users-file",
    "--info-file",
    "--alias-domain",
];

/// The value names in use; anything else is a new style.
const VALUE_NAMES: &[&str] = &[
    "<N>",
    "<PATH>",
    "<DURATION>",
    "<NAME>",
    "<NAME|ID>",
    "<UPN|ID>",
    "<URL>",
    "<ID>",
    "<CLOUD>",
    "<TENANT>",
    "<FORMAT>",
    "<LEVEL>",
    "<ACTION>",
    "<TEMPLATE>",
    "<DOMAIN>",
    "<RUN>",
    "<MAP>",
    "<CHAR>",
    "<REGION>",
    "<TIME>",
    "<FILE>",
    "<SHARE>",
    "<FACTOR>",
    "<ADDR>",
    "<COMMAND>",
    "<MS>",
    "<RATE>",
    "<MIN..MAX>",
    "<small|small-gov|enterprise|PATH>",
];

async fn help(command: &[&str]) -> String {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
    cmd.env_clear()
        .env("COLUMNS", "100")
        .args(command)
        .arg("--help");
    let out = run(&mut cmd).await;
    assert_eq!(out.status.code(), Some(0), "{command:?}: {}", stderr(&out));
    stdout(&out)
}

/// The option lines of a help text by section heading (`Options`, `Scope`, ...): each entry is
/// the option's first line and the text that continues it.
fn sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_suffix(':').filter(|h| !h.starts_with(' ')) {
            out.push((heading.to_owned(), Vec::new()));
            continue;
        }
        let Some((_, options)) = out.last_mut() else {
            continue;
        };
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && (2..=6).contains(&indent) {
            options.push(trimmed.to_owned());
        } else if let Some(last) = options.last_mut()
            && !trimmed.is_empty()
        {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    out
}

fn headings(text: &str) -> Vec<String> {
    sections(text).into_iter().map(|(h, _)| h).collect()
}

#[tokio::test]
async fn each_command_lists_its_own_options_first_and_the_connection_options_apart() {
    for command in [&["scan"][..], &["fix"], &["cleanup"], &["seed"], &["audit"]] {
        let text = help(command).await;
        let headings = headings(&text);
        let at = |h: &str| headings.iter().position(|x| x == h);
        let (own, connection, global) = (
            at("Options"),
            at("Connection options"),
            at("Global options"),
        );
        assert!(
            own.is_some() && connection.is_some() && global.is_some(),
            "{command:?}: {headings:?}"
        );
        assert!(
            own < connection && connection < global,
            "{command:?}: {headings:?}"
        );
        if let Some(scope) = at("Scope") {
            assert!(
                own < Some(scope) && Some(scope) < connection,
                "{command:?}: {headings:?}"
            );
        }
        let sections = sections(&text);
        let connection_options = &sections[connection.unwrap()].1;
        assert!(
            connection_options.iter().any(|o| o.starts_with("--tenant")),
            "{command:?}: {connection_options:?}"
        );
        let own_options = &sections[own.unwrap()].1;
        assert!(
            !own_options
                .iter()
                .any(|o| o.starts_with("--tenant") || o.starts_with("--journal")),
            "{command:?}: {own_options:?}"
        );
    }
}

#[tokio::test]
async fn every_option_with_a_value_shows_its_default_and_names_its_value_alike() {
    for command in COMMANDS {
        let text = help(command).await;
        for (heading, options) in sections(&text) {
            for option in options {
                let name = option.split([' ', ',', '=']).find(|w| w.starts_with("--"));
                let Some(name) = name else { continue };
                let value = option
                    .split_whitespace()
                    .take(3)
                    .find(|w| w.starts_with('<'));
                let Some(value) = value else { continue };
                let value = value.trim_end_matches("...");
                assert!(
                    VALUE_NAMES.contains(&value),
                    "{command:?} {name}: value name {value} is not one of {VALUE_NAMES:?}"
                );
                if NO_DEFAULT.contains(&name) || heading == "Arguments" {
                    continue;
                }
                assert!(
                    option.contains("[default: "),
                    "{command:?} {name} shows no default: {option}"
                );
            }
        }
    }
}

#[tokio::test]
async fn each_command_ends_its_help_with_its_exit_codes() {
    for command in COMMANDS {
        let text = help(command).await;
        let codes = text
            .split("Exit codes:")
            .nth(1)
            .unwrap_or_else(|| panic!("{command:?} has no exit codes:\n{text}"));
        assert!(codes.contains("  0 "), "{command:?}: {codes}");
        assert!(codes.contains("  2 "), "{command:?}: {codes}");
    }
    let fix = help(&["fix"]).await;
    assert!(fix.contains("  4    some targets not fixed"), "{fix}");
    assert!(fix.contains("  130  interrupted"), "{fix}");
    let scan = help(&["scan"]).await;
    assert!(
        scan.contains("  3    findings at or above --fail-on"),
        "{scan}"
    );
}

#[tokio::test]
async fn sim_and_demo_neither_list_nor_take_options_they_would_ignore() {
    for command in ["sim", "demo"] {
        let text = help(&[command]).await;
        for option in ["--tenant", "--client-id", "--journal", "--output"] {
            assert!(
                !text.contains(option),
                "{command} --help lists {option}:\n{text}"
            );
        }
    }
    for args in [
        &["demo", "-o", "json"][..],
        &["sim", "--tenant", "contoso.com"],
        &["sim", "-o", "json"],
    ] {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
        cmd.env_clear().args(args);
        let out = run(&mut cmd).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains(&format!("mailfix {} does not take --", args[0])),
            "{args:?}: {message}"
        );
        assert!(message.contains("hint: "), "{args:?}: {message}");
        assert!(stdout(&out).is_empty(), "{args:?} printed data");
    }
}

#[tokio::test]
async fn the_help_of_fix_reads_as_recorded() {
    let text = help(&["fix"]).await;
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("fix_help", text);
    });
}
