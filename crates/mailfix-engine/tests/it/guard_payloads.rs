//! The guard's webhook payloads, checked offline: the Teams message carries an Adaptive Card that
//! validates against the Adaptive Card 1.5 JSON schema (vendored, see
//! `tests/fixtures/schemas/NOTICE.md`), the Slack message validates against Block Kit's rules
//! (blocks, lengths, counts), and the JSON document carries the notice. Each check is also shown
//! to fail on a payload that breaks the rule it enforces.

use chrono::{TimeZone, Utc};
use mailfix_engine::guard::Mode;
use mailfix_engine::guard::notify::{FixLine, Format, LIST_LIMIT, Notice, NoticeFixes};
use mailfix_engine::{Finding, Severity, UserRef};
use serde_json::{Value, json};

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!(
        "{}/tests/fixtures/schemas/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn user(i: usize) -> UserRef {
    UserRef::new(
        format!("id-{i:03}"),
        format!("new.starter{i:03}@contoso.com"),
    )
}

fn finding(rule: &str, name: &str, severity: Severity, i: usize) -> Finding {
    Finding {
        rule: rule.to_owned(),
        name: name.to_owned(),
        severity,
        user: user(i),
        detail: format!("`mail` is empty <{i}> & more"),
        fixable: false,
        remedy: "set mail in on-premises AD & sync".to_owned(),
    }
}

fn line(i: usize, detail: &str) -> FixLine {
    FixLine {
        user: user(i),
        detail: detail.to_owned(),
    }
}

/// A notice with every section, more users than a message lists, and characters that need escaping.
fn busy_notice() -> Notice {
    let mut findings: Vec<Finding> = (0..LIST_LIMIT + 4)
        .map(|i| finding("MF003", "empty-mail-synced", Severity::Error, i))
        .collect();
    findings.push(finding(
        "MF002",
        "empty-mail-no-mailbox",
        Severity::Warning,
        100,
    ));
    findings.push(finding(
        "MF008",
        "exchange-provisioning-error",
        Severity::Error,
        101,
    ));
    Notice {
        tenant: "contoso.onmicrosoft.com".to_owned(),
        scope: "group 'All Staff'".to_owned(),
        mode: Mode::Remediate,
        cycle: 12,
        at: Utc.with_ymd_and_hms(2026, 3, 2, 8, 30, 0).unwrap(),
        checked: 57,
        full: false,
        findings,
        fixes: NoticeFixes {
            run: Some("rab12c".parse().unwrap()),
            fixed: (200..203)
                .map(|i| line(i, "mail written back after 3m 10s"))
                .collect(),
            stuck: vec![line(300, "no write-back within 30m; alias removed")],
            failed: vec![line(400, "no Exchange mailbox found for this user")],
            deferred: 7,
        },
    }
}

fn quiet_notice() -> Notice {
    Notice {
        findings: vec![finding(
            "MF005",
            "leftover-temp-alias",
            Severity::Warning,
            1,
        )],
        fixes: NoticeFixes::default(),
        mode: Mode::Alert,
        full: true,
        ..busy_notice()
    }
}

#[test]
fn the_teams_card_validates_against_the_adaptive_card_1_5_schema() {
    let validator = schema("adaptive-card-1.5.json");
    for notice in [busy_notice(), quiet_notice()] {
        let message = Format::Teams.render(&notice);
        assert_eq!(message["type"], "message");
        let attachment = &message["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!(card["version"], "1.5");
        let problems = errors(&validator, card);
        assert!(problems.is_empty(), "{problems:#?}\n{card:#}");
        let text = card.to_string();
        assert!(text.contains(&notice.headline()), "{text}");
    }
    let card = &Format::Teams.render(&busy_notice())["attachments"][0]["content"];
    let text = card.to_string();
    assert!(
        text.contains("… and 4 more"),
        "the list stops at {LIST_LIMIT}"
    );
    assert!(text.contains("7 more MF001 users wait"));
    assert!(
        text.contains("new.starter300@contoso.com"),
        "the stuck user"
    );
}

#[test]
fn the_adaptive_card_schema_refuses_what_teams_would_not_render() {
    let validator = schema("adaptive-card-1.5.json");
    let mut card = Format::Teams.render(&quiet_notice())["attachments"][0]["content"].clone();
    card["body"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "Marquee", "text": "not an element"}));
    assert!(!errors(&validator, &card).is_empty(), "an unknown element");
    let mut card = Format::Teams.render(&quiet_notice())["attachments"][0]["content"].clone();
    card["msteams"] = json!({"width": "Full"});
    assert!(
        !errors(&validator, &card).is_empty(),
        "a property 1.5 does not have"
    );
}

#[test]
fn the_slack_message_keeps_block_kit_rules() {
    let validator = schema("slack-block-kit-message.json");
    for notice in [busy_notice(), quiet_notice()] {
        let message = Format::Slack.render(&notice);
        let problems = errors(&validator, &message);
        assert!(problems.is_empty(), "{problems:#?}\n{message:#}");
        assert_eq!(
            message["text"],
            notice.headline(),
            "the notification fallback"
        );
    }
    let text = Format::Slack.render(&busy_notice()).to_string();
    assert!(
        text.contains("&lt;3&gt; &amp; more"),
        "mrkdwn escaped: {text}"
    );
    assert!(!text.contains("<3>"));
}

#[test]
fn the_block_kit_schema_refuses_messages_slack_would_reject() {
    let validator = schema("slack-block-kit-message.json");
    let good = Format::Slack.render(&quiet_notice());
    let mut long_header = good.clone();
    long_header["blocks"][0]["text"]["text"] = json!("x".repeat(151));
    assert!(!errors(&validator, &long_header).is_empty());
    let mut many = good.clone();
    many["blocks"] = json!(vec![json!({"type": "divider"}); 51]);
    assert!(!errors(&validator, &many).is_empty());
    let mut mrkdwn_header = good;
    mrkdwn_header["blocks"][0]["text"]["type"] = json!("mrkdwn");
    assert!(!errors(&validator, &mrkdwn_header).is_empty());
}

#[test]
fn a_long_slack_section_is_cut_to_its_limit() {
    let validator = schema("slack-block-kit-message.json");
    let mut notice = quiet_notice();
    notice.findings[0].detail = "d".repeat(2900);
    notice.findings.push(Finding {
        user: user(2),
        ..notice.findings[0].clone()
    });
    let message = Format::Slack.render(&notice);
    assert!(errors(&validator, &message).is_empty(), "{message:#}");
}

#[test]
fn any_other_webhook_gets_the_notice_as_a_json_document() {
    let notice = busy_notice();
    let doc = Format::Json.render(&notice);
    assert_eq!(doc["source"], "mailfix");
    assert_eq!(doc["kind"], "guard.cycle");
    assert_eq!(doc["mode"], "remediate");
    assert_eq!(doc["cycle"], 12);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        notice.findings.len()
    );
    assert_eq!(doc["fixes"]["deferred"], 7);
    assert_eq!(
        doc["fixes"]["stuck"][0]["upn"],
        "new.starter300@contoso.com"
    );
    assert_eq!(doc["headline"], notice.headline());
}
