//! The rules over a fixture of Graph users (one per defect the scenarios label), snapshotted, and
//! the rules' own documentation.

use std::collections::HashSet;

use mailfix_client::models::{AuthenticationMethod, EmailMethod, RegistrationDetails, User};
use mailfix_engine::facts::{MethodFacts, UserFacts};
use mailfix_engine::rules::{self, RULES};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    label: String,
    user: User,
}

fn fixture() -> Vec<Labelled> {
    serde_json::from_str(include_str!("../fixtures/rules/users.json")).expect("fixture parses")
}

#[test]
fn findings_for_the_fixture_users() {
    let findings: Vec<(String, Vec<mailfix_engine::Finding>)> = fixture()
        .into_iter()
        .map(|l| (l.label, rules::check_all(&UserFacts::from_user(&l.user))))
        .collect();
    insta::assert_json_snapshot!(findings);
}

#[test]
fn empty_mail_rules_are_mutually_exclusive() {
    for labelled in fixture() {
        let facts = UserFacts::from_user(&labelled.user);
        let hits = ["MF001", "MF002", "MF003"]
            .iter()
            .filter(|id| rules::find(id).unwrap().check(&facts).is_some())
            .count();
        let expected = usize::from(facts.mail_is_empty());
        assert_eq!(hits, expected, "{}", labelled.label);
    }
}

#[test]
fn methods_and_registration_rules_use_what_was_read() {
    let user = fixture().remove(0).user;
    let methods = [
        AuthenticationMethod::Other,
        AuthenticationMethod::Email(EmailMethod {
            id: None,
            email_address: "h@gmail.com".into(),
        }),
    ];
    let facts = UserFacts::from_user(&user)
        .with_methods(MethodFacts::from_methods(&methods))
        .with_registration(&RegistrationDetails {
            id: user.id.clone(),
            is_sspr_registered: true,
            is_mfa_registered: false,
            ..RegistrationDetails::default()
        });
    let found: Vec<(String, String)> = rules::check_all(&facts)
        .into_iter()
        .map(|f| (f.rule, f.detail))
        .collect();
    assert_eq!(
        found,
        [
            ("MF006".to_owned(), "no mobile phone method".to_owned()),
            ("MF007".to_owned(), "not MFA-registered".to_owned())
        ]
    );
}

#[test]
fn every_rule_is_documented_and_identified_once() {
    let ids: HashSet<&str> = RULES.iter().map(|r| r.id).collect();
    let names: HashSet<&str> = RULES.iter().map(|r| r.name).collect();
    assert_eq!((ids.len(), names.len()), (8, 8));
    for (n, rule) in RULES.iter().enumerate() {
        assert_eq!(rule.id, format!("MF{:03}", n + 1), "registry in id order");
        for heading in ["What it checks", "Why it matters", "Remedy"] {
            let section = rule.section(heading).unwrap_or_default();
            assert!(section.len() > 20, "{} lacks '## {heading}'", rule.id);
        }
        assert!(
            !rule.doc().contains("\n "),
            "{}: doc lines keep no comment indent",
            rule.id
        );
        assert_eq!(rules::find(rule.name).map(|r| r.id), Some(rule.id));
        assert_eq!(
            rules::find(&rule.id.to_lowercase()).map(|r| r.id),
            Some(rule.id)
        );
    }
}

#[test]
fn rule_table_lists_every_rule_with_its_remedy() {
    let table = rules::markdown_table(&RULES);
    assert_eq!(table.lines().count(), 2 + RULES.len());
    for rule in RULES {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", rule.id)))
            .unwrap();
        assert!(
            row.contains(rule.name) && row.contains(rule.remedy),
            "{row}"
        );
        assert!(row.contains(rule.severity.as_str()), "{row}");
    }
}
