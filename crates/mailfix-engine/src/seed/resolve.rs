//! Who each HR row names: users resolved by UPN or object id in `$batch`es of 20, and the tenant's
//! own domains (for refusing alternate emails inside the tenant), from Exchange's accepted domains
//! and from the domains the resolved members' UPNs and addresses use.

use std::collections::{BTreeSet, HashMap};

use mailfix_client::models::User;
use mailfix_client::{Client, UserId};

use crate::events::{Event, Reporter};
use crate::finding::UserRef;

/// The properties read per user: enough to name it and to learn the tenant's domains.
const SELECT: [&str; 4] = ["id", "userPrincipalName", "userType", "proxyAddresses"];

/// What the directory said about one HR user value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The user.
    Found(UserRef),
    /// No such user.
    Missing,
    /// The lookup failed for this user (after the client's retries), with why.
    Failed(String),
}

/// Lookups by the user value as given (compared trimmed and lowercase).
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    by_key: HashMap<String, Lookup>,
    /// Domains the resolved members' UPNs and SMTP addresses use.
    pub seen_domains: BTreeSet<String>,
}

impl Resolved {
    /// The lookup of a user value.
    pub fn get(&self, upn: &str) -> Option<&Lookup> {
        self.by_key.get(&key(upn))
    }

    /// The resolved user of a value.
    pub fn user(&self, upn: &str) -> Option<&UserRef> {
        match self.get(upn) {
            Some(Lookup::Found(user)) => Some(user),
            _ => None,
        }
    }
}

fn key(upn: &str) -> String {
    upn.trim().to_lowercase()
}

/// Resolves every distinct user value. A user's permission or sign-in failure fails the whole
/// call (every other user would fail the same way).
pub async fn resolve_users<'a>(
    client: &Client,
    upns: impl IntoIterator<Item = &'a str>,
) -> Result<Resolved, mailfix_client::Error> {
    let mut keys: Vec<String> = upns.into_iter().map(key).collect();
    keys.sort();
    keys.dedup();
    let ids: Vec<UserId> = keys.iter().map(|k| UserId(k.clone())).collect();
    let answers = client.graph().get_users(&ids, &SELECT).await?;
    let mut resolved = Resolved::default();
    for (id, answer) in answers {
        let lookup = match answer {
            Ok(user) => {
                collect_domains(&user, &mut resolved.seen_domains);
                let upn = user.user_principal_name.clone().unwrap_or(user.id.clone());
                Lookup::Found(UserRef::new(user.id, upn))
            }
            Err(e) if e.is_not_found() => Lookup::Missing,
            Err(e) if e.is_forbidden() || e.is_unauthorized() => return Err(e),
            Err(e) => Lookup::Failed(e.to_string()),
        };
        resolved.by_key.insert(id.0, lookup);
    }
    Ok(resolved)
}

/// The domains of a member's UPN and SMTP addresses. Guests are left out: their addresses are
/// outside the tenant.
fn collect_domains(user: &User, domains: &mut BTreeSet<String>) {
    if user
        .user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    {
        return;
    }
    let smtp = user.proxy_addresses.iter().flatten().filter_map(|a| {
        a.get(..5)
            .filter(|p| p.eq_ignore_ascii_case("smtp:"))
            .map(|_| &a[5..])
    });
    for address in user.user_principal_name.as_deref().into_iter().chain(smtp) {
        if let Some((_, domain)) = address.rsplit_once('@') {
            domains.insert(domain.to_ascii_lowercase());
        }
    }
}

/// Exchange's accepted domains, lowercase: with the domains seen on members, the tenant's own
/// domains. When Exchange cannot be asked (no permission for it), none, with a warning.
pub async fn accepted_domains(client: &Client, reporter: &dyn Reporter) -> Vec<String> {
    match client.exo().accepted_domains().await {
        Ok(accepted) => accepted
            .into_iter()
            .map(|d| d.domain_name.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect(),
        Err(e) => {
            reporter.report(&Event::Warning {
                message: format!(
                    "cannot read the accepted domains from Exchange ({e}); alternate emails are \
                     checked against the domains of the users' own addresses only"
                ),
            });
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_give_their_domains_and_guests_do_not() {
        let mut domains = BTreeSet::new();
        let member = User {
            id: "1".into(),
            user_principal_name: Some("a@Contoso.com".into()),
            user_type: Some("Member".into()),
            proxy_addresses: Some(vec![
                "SMTP:a@contoso.com".into(),
                "smtp:a@contoso.onmicrosoft.com".into(),
                "SIP:a@lync.contoso.com".into(),
            ]),
            ..User::default()
        };
        let guest = User {
            id: "2".into(),
            user_principal_name: Some("x_gmail.com#EXT#@contoso.onmicrosoft.com".into()),
            user_type: Some("Guest".into()),
            proxy_addresses: Some(vec!["SMTP:x@gmail.com".into()]),
            ..User::default()
        };
        collect_domains(&member, &mut domains);
        collect_domains(&guest, &mut domains);
        assert_eq!(
            domains.into_iter().collect::<Vec<_>>(),
            ["contoso.com", "contoso.onmicrosoft.com"]
        );
    }
}
