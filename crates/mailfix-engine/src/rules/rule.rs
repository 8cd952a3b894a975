//! The `Rule` descriptor every rule file declares, and the `declare_rule!` macro that keeps a rule's
//! doc comment and its runtime documentation one text (the README's rule table is built from it).

use crate::facts::UserFacts;
use crate::finding::{Finding, Severity};

/// What a rule needs read beyond the user object itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// The user's directory properties only.
    Directory,
    /// The user's authentication methods (`scan --methods`).
    Methods,
    /// The registration report (`scan --registration`).
    Registration,
}

/// A rule: its stable identity, documentation and check.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, e.g. `MF001`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `empty-mail`.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Whether a mailfix command repairs what it finds.
    pub fixable: bool,
    /// What to do about a finding.
    pub remedy: &'static str,
    /// What must be read for the rule to run.
    pub input: Input,
    /// The doc comment, verbatim (`declare_rule!` fills it).
    pub doc_source: &'static str,
    /// Returns the finding's detail when the rule applies to the user.
    pub detect: fn(&UserFacts) -> Option<String>,
}

impl Rule {
    /// Applies the rule to one user.
    pub fn check(&self, facts: &UserFacts) -> Option<Finding> {
        let detail = (self.detect)(facts)?;
        Some(Finding {
            rule: self.id.to_owned(),
            name: self.name.to_owned(),
            severity: self.severity,
            user: facts.user.clone(),
            detail,
            fixable: self.fixable,
            remedy: self.remedy.to_owned(),
        })
    }

    /// The rule's documentation as Markdown (headings *What it checks*, *Why it matters*, *Remedy*).
    pub fn doc(&self) -> String {
        self.doc_source
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }

    /// The body of one `## heading` section of [`Rule::doc`], joined into one paragraph.
    pub fn section(&self, heading: &str) -> Option<String> {
        let doc = self.doc();
        let marker = format!("## {heading}");
        let start = doc.find(&marker)? + marker.len();
        let body = &doc[start..];
        let end = body.find("\n## ").unwrap_or(body.len());
        let text = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        Some(text)
    }
}

/// The present parts joined with " and "; `None` when there are none (for "no X and no Y").
pub(super) fn joined(parts: &[Option<&str>]) -> Option<String> {
    let present: Vec<&str> = parts.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.join(" and "))
}

/// The README's rule table (Markdown): id, name, severity, what it checks, remedy.
pub fn markdown_table(rules: &[&Rule]) -> String {
    let mut table =
        String::from("| id | name | severity | what it checks | remedy |\n|---|---|---|---|---|\n");
    for rule in rules {
        let checks = rule.section("What it checks").unwrap_or_default();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            rule.id, rule.name, rule.severity, checks, rule.remedy
        ));
    }
    table
}

/// Declares a rule `static` whose doc comment is also its runtime documentation.
///
/// ```text
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub static EMPTY_MAIL = Rule { id: "MF001", ... };
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $name:ident = Rule { $($field:ident : $value:expr),* $(,)? };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            doc_source: concat!($($doc, "\n"),*),
            $($field: $value),*
        };
    };
}

pub(crate) use declare_rule;
