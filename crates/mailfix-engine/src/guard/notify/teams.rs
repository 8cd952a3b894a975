//! The notice as a Microsoft Teams message: one Adaptive Card (version 1.5, the highest Teams
//! renders) in the attachment envelope that Teams workflows ("Post to a channel when a webhook
//! request is received") and incoming webhooks accept. Only elements of the 1.5 schema are used:
//! `TextBlock` and `FactSet` (no host-specific extensions, which the schema does not allow).

use serde_json::{Value, json};

use super::{LIST_LIMIT, Notice};
use crate::finding::Finding;

/// The Teams message for `notice`.
pub fn teams(notice: &Notice) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card(notice),
        }],
    })
}

/// The Adaptive Card itself.
pub fn card(notice: &Notice) -> Value {
    let mut body = vec![
        json!({"type": "TextBlock", "text": notice.headline(), "size": "Medium",
               "weight": "Bolder", "wrap": true}),
        json!({"type": "TextBlock", "text": notice.context_line(), "isSubtle": true,
               "wrap": true, "spacing": "None"}),
    ];
    let fixes = &notice.fixes;
    let sections = fixes.sections();
    for (title, lines) in sections {
        if lines.is_empty() {
            continue;
        }
        body.push(heading(&format!("{title} ({})", lines.len())));
        let facts = lines
            .iter()
            .map(|l| (l.user.upn.as_str(), l.detail.as_str()));
        push_facts(&mut body, facts, lines.len());
    }
    if fixes.deferred > 0 {
        body.push(text(&format!(
            "{} more MF001 users wait for the next cycle (--max-changes-per-cycle).",
            fixes.deferred
        )));
    }
    for (first, group) in notice.by_rule() {
        body.push(heading(&rule_title(first, group.len())));
        body.push(text(&format!("Remedy: {}", first.remedy)));
        let facts = group
            .iter()
            .map(|f| (f.user.upn.as_str(), f.detail.as_str()));
        push_facts(&mut body, facts, group.len());
    }
    json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "fallbackText": notice.headline(),
        "body": body,
    })
}

fn rule_title(finding: &Finding, count: usize) -> String {
    format!(
        "{} {} ({}): {count} {}",
        finding.rule,
        finding.name,
        finding.severity,
        if count == 1 { "user" } else { "users" }
    )
}

fn heading(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": true,
           "separator": true, "spacing": "Medium"})
}

fn text(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "wrap": true, "spacing": "Small"})
}

/// A `FactSet` of at most [`LIST_LIMIT`] users, then "and N more".
fn push_facts<'a>(
    body: &mut Vec<Value>,
    facts: impl Iterator<Item = (&'a str, &'a str)>,
    total: usize,
) {
    let facts: Vec<Value> = facts
        .take(LIST_LIMIT)
        .map(|(title, value)| json!({"title": title, "value": value}))
        .collect();
    body.push(json!({"type": "FactSet", "facts": facts}));
    if total > LIST_LIMIT {
        body.push(text(&format!("… and {} more", total - LIST_LIMIT)));
    }
}
