//! MF007 `not-registered`: the registration report says not SSPR- or not MFA-registered.

use super::rule::{Input, declare_rule, joined};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// With `scan --registration`: the authentication methods registration report says the user is
    /// not registered for SSPR, or not registered for MFA.
    ///
    /// ## Why it matters
    /// It is context for the other findings: an unregistered user with an empty `mail` is one who
    /// will hit the failing registration interrupt; one with `mail` set simply has not tried yet.
    ///
    /// ## Remedy
    /// None; the user registers at their next sign-in.
    pub static NOT_REGISTERED = Rule {
        id: "MF007",
        name: "not-registered",
        severity: Severity::Info,
        fixable: false,
        remedy: "none; context",
        input: Input::Registration,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    let reg = facts.registration.as_ref()?;
    joined(&[
        (!reg.sspr_registered).then_some("not SSPR-registered"),
        (!reg.mfa_registered).then_some("not MFA-registered"),
    ])
}

#[cfg(test)]
mod tests {
    use mailfix_client::models::RegistrationDetails;

    use super::super::fixtures::*;
    use super::*;

    fn with(sspr: bool, mfa: bool) -> UserFacts {
        facts(healthy()).with_registration(&RegistrationDetails {
            id: "u".into(),
            is_sspr_registered: sspr,
            is_mfa_registered: mfa,
            ..RegistrationDetails::default()
        })
    }

    #[test]
    fn reports_each_missing_registration() {
        let detail = |f: UserFacts| NOT_REGISTERED.check(&f).map(|f| f.detail);
        assert_eq!(detail(with(true, true)), None);
        assert_eq!(
            detail(with(false, true)).as_deref(),
            Some("not SSPR-registered")
        );
        assert_eq!(
            detail(with(true, false)).as_deref(),
            Some("not MFA-registered")
        );
        assert_eq!(
            detail(with(false, false)).as_deref(),
            Some("not SSPR-registered and not MFA-registered")
        );
    }

    #[test]
    fn silent_when_report_was_not_read() {
        assert!(NOT_REGISTERED.check(&facts(healthy())).is_none());
    }
}
