//! The alias domain (README "Fix" step 2): the tenant's initial `*.onmicrosoft.com` domain, which is
//! always accepted, or `--alias-domain` checked against Exchange's accepted domains, so that no
//! user fails with "domain not accepted" half-way through a run.

use mailfix_client::Client;
use mailfix_client::models::AcceptedDomain;

use super::FixError;

/// Reads the accepted domains (`Get-AcceptedDomain`) and picks the alias domain.
pub async fn alias_domain(client: &Client, requested: Option<&str>) -> Result<String, FixError> {
    let accepted = client.exo().accepted_domains().await?;
    choose(&accepted, requested)
}

/// The requested domain if it is accepted, else the initial domain.
pub fn choose(accepted: &[AcceptedDomain], requested: Option<&str>) -> Result<String, FixError> {
    if let Some(domain) = requested {
        let domain = domain.trim().trim_start_matches('@');
        return accepted
            .iter()
            .find(|d| d.domain_name.eq_ignore_ascii_case(domain))
            .map(|d| d.domain_name.to_ascii_lowercase())
            .ok_or_else(|| FixError::DomainNotAccepted {
                domain: domain.to_owned(),
                accepted: accepted.iter().map(|d| d.domain_name.clone()).collect(),
            });
    }
    accepted
        .iter()
        .find(|d| d.initial_domain == Some(true))
        .or_else(|| {
            accepted.iter().find(|d| {
                d.domain_name
                    .to_ascii_lowercase()
                    .ends_with(".onmicrosoft.com")
            })
        })
        .map(|d| d.domain_name.to_ascii_lowercase())
        .ok_or(FixError::NoInitialDomain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(name: &str, initial: bool) -> AcceptedDomain {
        AcceptedDomain {
            domain_name: name.to_owned(),
            initial_domain: Some(initial),
            ..AcceptedDomain::default()
        }
    }

    #[test]
    fn initial_domain_by_default_and_requested_domain_must_be_accepted() {
        let accepted = [
            domain("contoso.com", false),
            domain("Contoso.onmicrosoft.com", true),
        ];
        assert_eq!(choose(&accepted, None).unwrap(), "contoso.onmicrosoft.com");
        assert_eq!(
            choose(&accepted, Some("CONTOSO.com")).unwrap(),
            "contoso.com"
        );
        let err = choose(&accepted, Some("fabrikam.com")).unwrap_err();
        assert!(
            matches!(err, FixError::DomainNotAccepted { ref domain, .. } if domain == "fabrikam.com")
        );
        assert!(err.hint().unwrap().contains("contoso.com"));
        assert!(matches!(
            choose(&[domain("contoso.com", false)], None),
            Err(FixError::NoInitialDomain)
        ));
    }
}
