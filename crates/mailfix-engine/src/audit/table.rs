//! The contingency table class × `mail` empty/set (README "Audit") and its one-line reading, which tells
//! a transient outage (failing users look like everyone else) from the per-user defect (failing
//! users are exactly the ones with an empty `mail`).

use serde::Serialize;

use super::classify::{AuditClass, UserHistory};
use crate::finding::UserRef;

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// The class.
    pub class: AuditClass,
    /// Users of the class whose `mail` is empty.
    pub mail_empty: u64,
    /// Users of the class whose `mail` is set.
    pub mail_set: u64,
    /// Users of the class not found in the directory (deleted since).
    pub mail_unknown: u64,
}

impl TableRow {
    /// Users of the class whose `mail` is known.
    pub fn known(&self) -> u64 {
        self.mail_empty + self.mail_set
    }
}

/// The table, one row per class in [`AuditClass::ALL`] order, and its reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contingency {
    /// The rows.
    pub table: Vec<TableRow>,
    /// E.g. "37 of 37 failing users have an empty `mail`; 0 of 263 completed users do".
    pub reading: String,
}

impl Contingency {
    /// The row of one class.
    pub fn row(&self, class: AuditClass) -> &TableRow {
        self.table
            .iter()
            .find(|r| r.class == class)
            .expect("the table has a row for every class")
    }
}

/// Builds the table. `mail_empty` tells for a user whether `mail` is empty (`None`: not found).
pub fn contingency(
    users: &[UserHistory],
    mail_empty: impl Fn(&UserRef) -> Option<bool>,
) -> Contingency {
    let mut table: Vec<TableRow> = AuditClass::ALL
        .iter()
        .map(|&class| TableRow {
            class,
            mail_empty: 0,
            mail_set: 0,
            mail_unknown: 0,
        })
        .collect();
    for user in users {
        if let Some(row) = table.iter_mut().find(|r| r.class == user.class) {
            match mail_empty(&user.user) {
                Some(true) => row.mail_empty += 1,
                Some(false) => row.mail_set += 1,
                None => row.mail_unknown += 1,
            }
        }
    }
    let reading = reading(&table);
    Contingency { table, reading }
}

fn reading(table: &[TableRow]) -> String {
    let row = |class| table.iter().find(|r| r.class == class);
    let (Some(failing), Some(completed)) = (row(AuditClass::Failing), row(AuditClass::Completed))
    else {
        return String::new();
    };
    let completed_part = format!(
        "{} of {} completed {} {}",
        completed.mail_empty,
        completed.known(),
        users(completed.known()),
        if completed.mail_empty == 1 {
            "does"
        } else {
            "do"
        },
    );
    if failing.known() == 0 {
        return format!("No user is failing registration; {completed_part} have an empty `mail`");
    }
    format!(
        "{} of {} failing {} {} an empty `mail`; {completed_part}",
        failing.mail_empty,
        failing.known(),
        users(failing.known()),
        if failing.known() == 1 { "has" } else { "have" },
    )
}

fn users(n: u64) -> &'static str {
    if n == 1 { "user" } else { "users" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: usize, class: AuditClass) -> UserHistory {
        UserHistory {
            user: UserRef::new(format!("id{n}"), format!("u{n}@c.com")),
            class,
            attempts: 0,
            failures: 0,
            successes: 0,
            failure_reasons: vec![],
            related_events: 0,
            first: None,
            last: None,
        }
    }

    #[test]
    fn counts_each_class_by_mail_and_reads_it() {
        let mut users: Vec<UserHistory> = (0..37).map(|n| user(n, AuditClass::Failing)).collect();
        users.extend((100..363).map(|n| user(n, AuditClass::Completed)));
        users.push(user(999, AuditClass::NoAttempt));
        let failing_ids: Vec<String> = (0..37).map(|n| format!("id{n}")).collect();
        let table = contingency(&users, |u| {
            (u.id != "id999").then(|| failing_ids.contains(&u.id))
        });
        assert_eq!(table.row(AuditClass::Failing).mail_empty, 37);
        assert_eq!(table.row(AuditClass::Completed).mail_set, 263);
        assert_eq!(table.row(AuditClass::NoAttempt).mail_unknown, 1);
        assert_eq!(
            table.reading,
            "37 of 37 failing users have an empty `mail`; 0 of 263 completed users do"
        );
    }

    #[test]
    fn reading_without_failures_and_singulars() {
        let users = [user(1, AuditClass::Completed)];
        assert_eq!(
            contingency(&users, |_| Some(true)).reading,
            "No user is failing registration; 1 of 1 completed user does have an empty `mail`"
        );
        let users = [user(1, AuditClass::Failing)];
        assert_eq!(
            contingency(&users, |_| Some(false)).reading,
            "0 of 1 failing user has an empty `mail`; 0 of 0 completed users do"
        );
    }
}
