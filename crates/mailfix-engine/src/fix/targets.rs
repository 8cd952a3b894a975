//! Step 1 of `fix` (SPEC §4): read the scope and pick the targets, the MF001 users. Users whose
//! `mail` is empty for a reason a temporary alias cannot cure (MF002 no mailbox, MF003 synced) are
//! reported as skipped with the rule's remedy; other members left out are counted by reason.

use futures::StreamExt as _;
use serde::Serialize;

use super::FixError;
use crate::events::{Event, Phase, Reporter};
use crate::facts::{MailboxPlans, UserFacts};
use crate::finding::UserRef;
use crate::rules::mf001_empty_mail::EMPTY_MAIL;
use crate::rules::mf002_empty_mail_no_mailbox::EMPTY_MAIL_NO_MAILBOX;
use crate::rules::mf003_empty_mail_synced::EMPTY_MAIL_SYNCED;
use crate::scope::{Scope, ScopeItem, SkipCounts};

/// The user properties the target rules read.
pub const TARGET_FIELDS: [&str; 6] = [
    "mail",
    "mailNickname",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "assignedPlans",
    "displayName",
];

/// A user in scope that is not fixed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedUser {
    /// The user.
    #[serde(flatten)]
    pub user: UserRef,
    /// Why: the rule that applies and its remedy.
    pub reason: String,
}

/// What the scan of the scope found.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    /// The scope, described for reports.
    pub scope: String,
    /// Users read.
    pub scanned: u64,
    /// The MF001 users, in scope order.
    pub users: Vec<UserFacts>,
    /// Users with an empty `mail` that a temporary alias cannot fix.
    pub skipped: Vec<SkippedUser>,
    /// Members left out by the scope (non-users, disabled, guests, not found), by reason.
    pub skipped_members: SkipCounts,
}

/// Reads every user of `scope` (one pass, no per-user requests) and sorts them into targets and
/// skipped users.
pub async fn find_targets(
    client: &mailfix_client::Client,
    scope: &Scope,
    plans: &MailboxPlans,
    reporter: &dyn Reporter,
) -> Result<Targets, FixError> {
    reporter.report(&Event::Phase { phase: Phase::Scan });
    let mut targets = Targets {
        scope: scope.describe(),
        ..Targets::default()
    };
    let mut users = scope.users(client, &TARGET_FIELDS);
    while let Some(item) = users.next().await {
        match item? {
            ScopeItem::User(user) => {
                targets.scanned += 1;
                targets.sort(UserFacts::from_user_with(&user, plans));
            }
            ScopeItem::Skipped(reason) => *targets.skipped_members.entry(reason).or_default() += 1,
        }
        if (targets.scanned + targets.skipped_count()).is_multiple_of(100) {
            targets.report_progress(reporter);
        }
    }
    targets.report_progress(reporter);
    Ok(targets)
}

impl Targets {
    fn sort(&mut self, facts: UserFacts) {
        if EMPTY_MAIL.check(&facts).is_some() {
            self.users.push(facts);
            return;
        }
        let other = [&EMPTY_MAIL_SYNCED, &EMPTY_MAIL_NO_MAILBOX]
            .into_iter()
            .find(|rule| rule.check(&facts).is_some());
        if let Some(rule) = other {
            self.skipped.push(SkippedUser {
                user: facts.user,
                reason: format!("{} {}: {}", rule.id, rule.name, rule.remedy),
            });
        }
    }

    /// Members the scope left out.
    pub fn skipped_count(&self) -> u64 {
        self.skipped_members.values().sum()
    }

    fn report_progress(&self, reporter: &dyn Reporter) {
        reporter.report(&Event::Scanned {
            read: self.scanned,
            skipped: self.skipped_count(),
        });
    }
}
