//! MF008 `exchange-provisioning-error`: an unresolved Exchange provisioning error.

use super::rule::{Input, declare_rule};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// `serviceProvisioningErrors` holds an entry of an Exchange service instance that is not marked
    /// resolved.
    ///
    /// ## Why it matters
    /// Exchange could not provision the object (often a proxy address already used by another
    /// object), so the mailbox and the directory disagree and a write-back may never come.
    ///
    /// ## Remedy
    /// Resolve the error the detail shows (for a duplicate address: remove it from the other
    /// object), then scan again.
    pub static EXCHANGE_PROVISIONING_ERROR = Rule {
        id: "MF008",
        name: "exchange-provisioning-error",
        severity: Severity::Error,
        fixable: false,
        remedy: "resolve the Exchange provisioning error shown in the detail",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    let errors: Vec<String> = facts
        .exchange_errors
        .iter()
        .map(|e| format!("{}: {}", e.service_instance, e.description))
        .collect();
    (!errors.is_empty()).then(|| format!("Exchange provisioning error: {}", errors.join("; ")))
}

#[cfg(test)]
mod tests {
    use mailfix_client::models::ProvisioningError;

    use super::super::fixtures::*;
    use super::*;

    fn error(instance: &str, resolved: Option<bool>) -> ProvisioningError {
        ProvisioningError {
            created_date_time: Some("2024-05-01T10:00:00Z".into()),
            is_resolved: resolved,
            service_instance: Some(instance.into()),
            error_detail: Some(
                "<ErrorRecord><ErrorDescription>The value &quot;smtp:anna@contoso.com&quot; \
                 is used by another recipient object.</ErrorDescription></ErrorRecord>"
                    .into(),
            ),
        }
    }

    #[test]
    fn shows_the_error_description() {
        let mut user = healthy();
        user.service_provisioning_errors = Some(vec![error("exchange/eurprd01-001", Some(false))]);
        let finding = EXCHANGE_PROVISIONING_ERROR
            .check(&facts(user))
            .expect("finding");
        assert_eq!(
            finding.detail,
            "Exchange provisioning error: exchange/eurprd01-001: The value \"smtp:anna@contoso.com\" \
             is used by another recipient object."
        );
    }

    #[test]
    fn ignores_resolved_and_other_services() {
        let mut user = healthy();
        user.service_provisioning_errors = Some(vec![
            error("exchange/eurprd01-001", Some(true)),
            error("SharePoint/x", Some(false)),
        ]);
        assert!(EXCHANGE_PROVISIONING_ERROR.check(&facts(user)).is_none());
    }
}
