//! MF006 `sspr-methods-missing`: no mobile phone method, or no email method.

use super::rule::{Input, declare_rule, joined};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// With `scan --methods`: the user has no `mobile` phone authentication method, or no email
    /// authentication method.
    ///
    /// ## Why it matters
    /// Before their first password reset, new employees need a phone and an alternate email
    /// registered; without them SSPR cannot verify the user and registration starts from nothing.
    ///
    /// ## Remedy
    /// `mailfix seed HR.csv` pre-seeds the mobile number and the personal email from the HR export.
    pub static SSPR_METHODS_MISSING = Rule {
        id: "MF006",
        name: "sspr-methods-missing",
        severity: Severity::Warning,
        fixable: true,
        remedy: "mailfix seed",
        input: Input::Methods,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    let methods = facts.methods.as_ref()?;
    joined(&[
        methods.mobile.is_none().then_some("no mobile phone method"),
        methods.email.is_none().then_some("no email method"),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::facts::MethodFacts;

    fn with(mobile: Option<&str>, email: Option<&str>) -> UserFacts {
        facts(healthy()).with_methods(MethodFacts {
            mobile: mobile.map(str::to_owned),
            alternate_mobile: None,
            email: email.map(str::to_owned),
        })
    }

    #[test]
    fn names_what_is_missing() {
        let detail = |f: UserFacts| SSPR_METHODS_MISSING.check(&f).map(|f| f.detail);
        assert_eq!(
            detail(with(None, Some("a@b.com"))).as_deref(),
            Some("no mobile phone method")
        );
        assert_eq!(
            detail(with(Some("+61 412345678"), None)).as_deref(),
            Some("no email method")
        );
        assert_eq!(
            detail(with(None, None)).as_deref(),
            Some("no mobile phone method and no email method")
        );
        assert_eq!(detail(with(Some("+61 412345678"), Some("a@b.com"))), None);
    }

    #[test]
    fn silent_when_methods_were_not_read() {
        assert!(SSPR_METHODS_MISSING.check(&facts(healthy())).is_none());
    }
}
