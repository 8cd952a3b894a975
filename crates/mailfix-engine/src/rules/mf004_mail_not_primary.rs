//! MF004 `mail-not-primary`: `mail` differs from the mailbox's primary SMTP address.

use super::rule::{Input, declare_rule};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// The user's `mail` is set but differs (ignoring case) from the primary `SMTP:` entry of
    /// `proxyAddresses`.
    ///
    /// ## Why it matters
    /// Exchange keeps `mail` equal to the primary address. A difference means the write-back from
    /// Exchange did not land or was overwritten, and sign-in or registration may use a stale value.
    ///
    /// ## Remedy
    /// Check the mailbox's primary address in Exchange; a write-back (`mailfix fix --rule MF004`,
    /// when available) makes `mail` follow it.
    pub static MAIL_NOT_PRIMARY = Rule {
        id: "MF004",
        name: "mail-not-primary",
        severity: Severity::Warning,
        fixable: false,
        remedy: "check the mailbox's primary address",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    let mail = facts.mail.as_deref()?;
    let primary = facts.primary_smtp()?;
    (!mail.eq_ignore_ascii_case(primary))
        .then(|| format!("`mail` is {mail} but the primary SMTP address is {primary}"))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn fires_when_mail_differs_from_primary() {
        let mut user = healthy();
        user.mail = Some("old@contoso.com".to_owned());
        let finding = MAIL_NOT_PRIMARY.check(&facts(user)).expect("finding");
        assert!(finding.detail.contains("old@contoso.com"));
        assert!(finding.detail.contains("anna@contoso.com"));
    }

    #[test]
    fn case_differences_and_missing_values_are_fine() {
        let mut user = healthy();
        user.mail = Some("ANNA@Contoso.com".to_owned());
        assert!(MAIL_NOT_PRIMARY.check(&facts(user)).is_none());
        let mut no_proxies = healthy();
        no_proxies.proxy_addresses = None;
        assert!(MAIL_NOT_PRIMARY.check(&facts(no_proxies)).is_none());
        assert!(MAIL_NOT_PRIMARY.check(&facts(empty_mail())).is_none());
    }
}
