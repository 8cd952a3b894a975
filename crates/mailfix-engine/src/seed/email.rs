//! Alternate email addresses for the `emailMethods` API: syntax checked with `email_address`, and
//! never one of the tenant's own domains (the alternate email must reach the user outside it).

use email_address::{EmailAddress, Options};

/// Why an alternate email is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmailError {
    /// Nothing was given.
    #[error("empty email address")]
    Empty,
    /// Not an address.
    #[error("'{address}' is not a valid email address ({reason})")]
    Invalid {
        /// The input.
        address: String,
        /// The parser's reason.
        reason: String,
    },
    /// In the tenant's own domain.
    #[error(
        "'{address}' is in the tenant's own domain {domain}; an alternate email must be outside the tenant"
    )]
    TenantDomain {
        /// The input.
        address: String,
        /// The tenant domain it falls in.
        domain: String,
    },
}

/// Validates an alternate email and returns it with a lowercase domain.
///
/// `tenant_domains` are the tenant's verified (or accepted) domains; an address in one of them or
/// in a subdomain of one is refused.
pub fn validate_alternate_email(
    raw: &str,
    tenant_domains: &[String],
) -> Result<String, EmailError> {
    let address = raw.trim();
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    let options = Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        ..Options::default()
    };
    let parsed =
        EmailAddress::parse_with_options(address, options).map_err(|e| EmailError::Invalid {
            address: address.to_owned(),
            reason: e.to_string(),
        })?;
    let domain = parsed.domain().to_ascii_lowercase();
    if let Some(tenant) = tenant_domains.iter().find(|t| in_domain(&domain, t)) {
        return Err(EmailError::TenantDomain {
            address: address.to_owned(),
            domain: tenant.to_ascii_lowercase(),
        });
    }
    Ok(format!("{}@{domain}", parsed.local_part()))
}

/// `domain` is `tenant` or a subdomain of it.
fn in_domain(domain: &str, tenant: &str) -> bool {
    let tenant = tenant.trim().trim_end_matches('.').to_ascii_lowercase();
    !tenant.is_empty() && (domain == tenant || domain.ends_with(&format!(".{tenant}")))
}

/// Whether two addresses are the same (case-insensitive, as mail systems treat them in practice).
pub fn same_email(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Vec<String> {
        vec!["contoso.com".into(), "Contoso.onmicrosoft.com".into()]
    }

    #[test]
    fn accepts_outside_addresses_and_lowercases_the_domain() {
        assert_eq!(
            validate_alternate_email(" Jane.Doe@Gmail.COM ", &tenant()).unwrap(),
            "Jane.Doe@gmail.com"
        );
        assert_eq!(
            validate_alternate_email("x@notcontoso.com", &tenant()).unwrap(),
            "x@notcontoso.com"
        );
    }

    #[test]
    fn refuses_tenant_domains_and_their_subdomains() {
        for address in [
            "a@contoso.com",
            "a@CONTOSO.onmicrosoft.com",
            "a@mail.contoso.com",
        ] {
            let err = validate_alternate_email(address, &tenant()).unwrap_err();
            assert!(
                matches!(err, EmailError::TenantDomain { .. }),
                "{address}: {err}"
            );
        }
    }

    #[test]
    fn refuses_malformed_addresses_with_a_reason() {
        for address in [
            "jane",
            "jane@localhost",
            "Jane <jane@gmail.com>",
            "a@@b.com",
            "a@[10.0.0.1]",
        ] {
            let err = validate_alternate_email(address, &tenant()).unwrap_err();
            assert!(
                matches!(err, EmailError::Invalid { .. }),
                "{address}: {err}"
            );
        }
        assert_eq!(
            validate_alternate_email("", &tenant()),
            Err(EmailError::Empty)
        );
    }
}
