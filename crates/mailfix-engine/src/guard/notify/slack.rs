//! The notice as a Slack incoming-webhook message: Block Kit `header`, `context`, `section` and
//! `divider` blocks, with `text` as the notification fallback. Slack's limits are kept: at most 50
//! blocks, a header of at most 150 characters, section texts of at most 3,000; `&`, `<` and `>` are
//! escaped as Slack's `mrkdwn` requires.

use serde_json::{Value, json};

use super::{LIST_LIMIT, Notice};
use crate::finding::Finding;

/// Slack's limit on a `header` block's text.
const HEADER_MAX: usize = 150;
/// Slack's limit on a `section` block's text.
const SECTION_MAX: usize = 3000;
/// Slack's limit on blocks per message.
const BLOCKS_MAX: usize = 50;

/// The Slack message for `notice`.
pub fn slack(notice: &Notice) -> Value {
    let mut blocks = vec![
        json!({"type": "header",
               "text": {"type": "plain_text", "text": cut(&notice.headline(), HEADER_MAX)}}),
        json!({"type": "context",
               "elements": [{"type": "mrkdwn", "text": escape(&notice.context_line())}]}),
    ];
    let fixes = &notice.fixes;
    let sections = fixes.sections();
    for (title, lines) in sections {
        if lines.is_empty() {
            continue;
        }
        let items = lines
            .iter()
            .map(|l| (l.user.upn.as_str(), l.detail.as_str()));
        blocks.push(section(
            &format!("*{title}* ({})", lines.len()),
            items,
            lines.len(),
        ));
    }
    if fixes.deferred > 0 {
        blocks.push(mrkdwn(&format!(
            "{} more MF001 users wait for the next cycle (`--max-changes-per-cycle`).",
            fixes.deferred
        )));
    }
    for (first, group) in notice.by_rule() {
        if blocks.len() + 2 > BLOCKS_MAX {
            break;
        }
        blocks.push(json!({"type": "divider"}));
        let title = format!(
            "*{} {}* ({}): {} · _Remedy:_ {}",
            first.rule,
            first.name,
            first.severity,
            count(group.len()),
            escape(&first.remedy)
        );
        let items = group
            .iter()
            .map(|f: &&Finding| (f.user.upn.as_str(), f.detail.as_str()));
        blocks.push(section(&title, items, group.len()));
    }
    json!({"text": notice.headline(), "blocks": blocks})
}

fn count(n: usize) -> String {
    format!("{n} {}", if n == 1 { "user" } else { "users" })
}

fn mrkdwn(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_MAX)}})
}

/// A section: the title, then one bullet per user (at most [`LIST_LIMIT`], then "and N more").
fn section<'a>(
    title: &str,
    items: impl Iterator<Item = (&'a str, &'a str)>,
    total: usize,
) -> Value {
    let mut text = title.to_owned();
    for (upn, detail) in items.take(LIST_LIMIT) {
        text.push_str(&format!("\n• {} — {}", escape(upn), escape(detail)));
    }
    if total > LIST_LIMIT {
        text.push_str(&format!("\n… and {} more", total - LIST_LIMIT));
    }
    mrkdwn(&text)
}

/// Slack `mrkdwn` escaping: `&`, `<` and `>` are control characters.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `max` characters, the last one an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_cut_to_slacks_limits() {
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        let long = "x".repeat(200);
        let cut = cut(&long, HEADER_MAX);
        assert_eq!(cut.chars().count(), HEADER_MAX);
        assert!(cut.ends_with('…'));
    }
}
