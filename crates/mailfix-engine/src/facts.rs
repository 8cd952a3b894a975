//! `UserFacts`: what the rules know about one user, built from the client's Graph models.
//!
//! Rules never look at raw Graph JSON; they read these facts, which normalise the quirks once:
//! an empty or blank `mail` is no `mail`, a mailbox plan is recognised by its `servicePlanId` and
//! `capabilityStatus == "Enabled"` (the table of `mailbox_plans.rs`; `service == "exchange"` also
//! covers EXCHANGE_S_FOUNDATION, which gives no mailbox), and only unresolved Exchange
//! provisioning errors are kept.

use mailfix_client::models::{
    AuthenticationMethod, PhoneType, ProvisioningError, RegistrationDetails, User,
};

pub use crate::mailbox_plans::{MailboxPlan, MailboxPlans};

use crate::finding::UserRef;

/// An unresolved Exchange entry of `serviceProvisioningErrors`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeError {
    /// `createdDateTime`, as Graph returned it.
    pub created: Option<String>,
    /// `serviceInstance`, e.g. `exchange/namprd01-012-01`.
    pub service_instance: String,
    /// The human-readable error (the `ErrorDescription` of the XML detail when there is one).
    pub description: String,
}

/// The SSPR authentication methods a user has (from `/authentication/methods`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodFacts {
    /// The `mobile` phone number.
    pub mobile: Option<String>,
    /// The `alternateMobile` phone number.
    pub alternate_mobile: Option<String>,
    /// The email method's address.
    pub email: Option<String>,
}

impl MethodFacts {
    /// Collects the phone and email methods from a methods listing.
    pub fn from_methods(methods: &[AuthenticationMethod]) -> Self {
        let mut facts = MethodFacts::default();
        for method in methods {
            match method {
                AuthenticationMethod::Phone(p) => match p.phone_type {
                    PhoneType::Mobile => facts.mobile = Some(p.phone_number.clone()),
                    PhoneType::AlternateMobile => {
                        facts.alternate_mobile = Some(p.phone_number.clone())
                    }
                    PhoneType::Office => {}
                },
                AuthenticationMethod::Email(e) => facts.email = Some(e.email_address.clone()),
                AuthenticationMethod::Other => {}
            }
        }
        facts
    }
}

/// The registration report's verdict on a user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrationFacts {
    /// `isSsprRegistered`.
    pub sspr_registered: bool,
    /// `isMfaRegistered`.
    pub mfa_registered: bool,
    /// `methodsRegistered`.
    pub methods: Vec<String>,
}

/// Everything the rules read about one user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFacts {
    /// Who.
    pub user: UserRef,
    /// `mail`, `None` when missing, empty or blank.
    pub mail: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: Option<String>,
    /// `proxyAddresses` as returned (`SMTP:` primary, `smtp:` secondary, others).
    pub proxy_addresses: Vec<String>,
    /// `onPremisesSyncEnabled == true`.
    pub synced: bool,
    /// The enabled Exchange Online mailbox plan, if any.
    pub mailbox_plan: Option<MailboxPlan>,
    /// Unresolved Exchange provisioning errors.
    pub exchange_errors: Vec<ExchangeError>,
    /// Authentication methods, when they were read (`scan --methods`).
    pub methods: Option<MethodFacts>,
    /// Registration report row, when it was read (`scan --registration`).
    pub registration: Option<RegistrationFacts>,
}

impl UserFacts {
    /// Facts from a Graph user, with the default mailbox plans.
    pub fn from_user(user: &User) -> Self {
        Self::from_user_with(user, &MailboxPlans::default())
    }

    /// Facts from a Graph user, recognising mailboxes by `plans`.
    pub fn from_user_with(user: &User, plans: &MailboxPlans) -> Self {
        let upn = user
            .user_principal_name
            .clone()
            .unwrap_or_else(|| user.id.clone());
        UserFacts {
            user: UserRef::new(user.id.clone(), upn),
            mail: user
                .mail
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
            mail_nickname: user.mail_nickname.clone(),
            proxy_addresses: user.proxy_addresses.clone().unwrap_or_default(),
            synced: user.on_premises_sync_enabled == Some(true),
            mailbox_plan: plans
                .find(user.assigned_plans.as_deref().unwrap_or_default())
                .cloned(),
            exchange_errors: user
                .service_provisioning_errors
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter_map(exchange_error)
                .collect(),
            methods: None,
            registration: None,
        }
    }

    /// Adds the user's authentication methods.
    pub fn with_methods(mut self, methods: MethodFacts) -> Self {
        self.methods = Some(methods);
        self
    }

    /// Adds the user's registration report row.
    pub fn with_registration(mut self, details: &RegistrationDetails) -> Self {
        self.registration = Some(RegistrationFacts {
            sspr_registered: details.is_sspr_registered,
            mfa_registered: details.is_mfa_registered,
            methods: details.methods_registered.clone(),
        });
        self
    }

    /// Whether `mail` is missing or blank.
    pub fn mail_is_empty(&self) -> bool {
        self.mail.is_none()
    }

    /// The primary SMTP address (the `SMTP:` entry of `proxyAddresses`), without its prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses
            .iter()
            .find_map(|a| a.strip_prefix("SMTP:"))
            .map(str::trim)
    }
}

/// Keeps an unresolved error of an Exchange service instance.
fn exchange_error(error: &ProvisioningError) -> Option<ExchangeError> {
    let instance = error.service_instance.as_deref().unwrap_or_default();
    if error.is_resolved == Some(true) || !instance.to_ascii_lowercase().starts_with("exchange") {
        return None;
    }
    Some(ExchangeError {
        created: error.created_date_time.clone(),
        service_instance: instance.to_owned(),
        description: error_description(error.error_detail.as_deref().unwrap_or_default()),
    })
}

/// The `<ErrorDescription>` of a `serviceProvisioningXmlError` detail, or the detail with its
/// tags stripped when it has none.
pub fn error_description(xml: &str) -> String {
    const OPEN: &str = "<ErrorDescription>";
    const CLOSE: &str = "</ErrorDescription>";
    let inner = xml
        .find(OPEN)
        .map(|start| &xml[start + OPEN.len()..])
        .and_then(|rest| rest.find(CLOSE).map(|end| rest[..end].to_owned()))
        .unwrap_or_else(|| strip_tags(xml));
    let text = unescape_xml(inner.trim());
    if text.is_empty() {
        "(no detail)".to_owned()
    } else {
        text
    }
}

fn strip_tags(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unescape_xml(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_mail_is_no_mail() {
        let user = User {
            id: "u1".into(),
            mail: Some("  ".into()),
            ..User::default()
        };
        let facts = UserFacts::from_user(&user);
        assert!(facts.mail_is_empty());
        assert_eq!(facts.user.upn, "u1", "the id stands in for a missing UPN");
    }

    #[test]
    fn error_description_prefers_the_xml_element() {
        let xml = "<ServiceInstance><ObjectErrors><ErrorRecord><ErrorCode>ExB10</ErrorCode>\
                   <ErrorDescription>The value &quot;smtp:a@b.com&quot; is used.</ErrorDescription>\
                   </ErrorRecord></ObjectErrors></ServiceInstance>";
        assert_eq!(
            error_description(xml),
            "The value \"smtp:a@b.com\" is used."
        );
        assert_eq!(error_description("<a><b>plain</b> text</a>"), "plain text");
        assert_eq!(error_description(""), "(no detail)");
    }
}
