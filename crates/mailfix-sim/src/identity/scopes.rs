//! The `scope` parameter: which resource a token is for and which permissions it asks for.
//!
//! Client credentials take exactly one `{resource}/.default`. Delegated flows (device code, refresh)
//! take a space-separated list of OpenID scopes (`openid`, `profile`, `email`, `offline_access`),
//! resource-qualified permissions (`https://graph.microsoft.com/User.Read.All`), bare Graph
//! permissions (`User.Read`) or `{resource}/.default`, all for one resource.

use super::aadsts::AadError;
use super::cloud::SimCloud;
use super::tokens::Audience;

/// The OpenID Connect scopes, which name no resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// A parsed delegated `scope`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestedScopes {
    /// The resource.
    pub audience: Audience,
    /// Permission names without the resource prefix (`User.Read.All`).
    pub permissions: Vec<String>,
    /// Whether `{resource}/.default` was asked for (all granted permissions).
    pub default: bool,
    /// The OpenID scopes asked for, in request order.
    pub oidc: Vec<String>,
}

impl RequestedScopes {
    /// Whether `openid` was asked for (an `id_token` is returned).
    pub fn openid(&self) -> bool {
        self.oidc.iter().any(|s| s == "openid")
    }

    /// Whether `offline_access` was asked for (a refresh token is returned).
    pub fn offline(&self) -> bool {
        self.oidc.iter().any(|s| s == "offline_access")
    }
}

/// The audience of a client-credentials `scope`: exactly one `{resource}/.default` of `cloud`.
pub fn client_credentials_scope(scope: &str, cloud: SimCloud) -> Result<Audience, AadError> {
    let mut parts = scope.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(one), None) if one.ends_with("/.default") => {
            Audience::from_scope(one, cloud).ok_or_else(|| AadError::invalid_scope(scope))
        }
        _ => Err(AadError::invalid_scope(scope)),
    }
}

/// Parses a delegated `scope` (resources of `cloud`); without a resource scope the token is for
/// Graph.
pub fn delegated_scopes(scope: &str, cloud: SimCloud) -> Result<RequestedScopes, AadError> {
    let mut audience = None;
    let mut requested = RequestedScopes {
        audience: Audience::Graph,
        permissions: Vec::new(),
        default: false,
        oidc: Vec::new(),
    };
    for item in scope.split_whitespace() {
        if OIDC_SCOPES.iter().any(|s| s.eq_ignore_ascii_case(item)) {
            requested.oidc.push(item.to_ascii_lowercase());
            continue;
        }
        let (resource, permission) = match item.rsplit_once('/') {
            Some((resource, permission)) => (
                Audience::from_resource(resource, cloud)
                    .ok_or_else(|| AadError::invalid_scope(item))?,
                permission,
            ),
            None => (Audience::Graph, item),
        };
        if audience.is_some_and(|a| a != resource) || permission.is_empty() {
            return Err(AadError::invalid_scope(scope));
        }
        audience = Some(resource);
        if permission == ".default" {
            requested.default = true;
        } else if !requested.permissions.iter().any(|p| p == permission) {
            requested.permissions.push(permission.to_owned());
        }
    }
    requested.audience = audience.unwrap_or(Audience::Graph);
    Ok(requested)
}

/// The permissions to put in `scp`: all of `granted` for `.default`, else the requested ones, which
/// must all be granted (else `None`: consent is missing).
pub fn consented(requested: &RequestedScopes, granted: &[String]) -> Option<Vec<String>> {
    let has = |p: &str| granted.iter().any(|g| g.eq_ignore_ascii_case(p));
    if requested.permissions.iter().any(|p| !has(p)) {
        return None;
    }
    let mut scp: Vec<String> = requested.permissions.clone();
    if requested.default {
        for g in granted {
            if !scp.iter().any(|p| p.eq_ignore_ascii_case(g)) {
                scp.push(g.clone());
            }
        }
    }
    if scp.is_empty() {
        // Only OpenID scopes were asked for: the token is a Graph token for the user's profile.
        scp = requested.oidc.clone();
        scp.retain(|s| s != "offline_access");
    }
    Some(scp)
}

/// The `scope` a delegated token response reports: Graph permissions by name, other resources'
/// permissions with their resource prefix, then the OpenID scopes except `offline_access`.
pub fn response_scope(
    audience: Audience,
    cloud: SimCloud,
    scp: &[String],
    oidc: &[String],
) -> String {
    let mut out: Vec<String> = scp
        .iter()
        .filter(|p| !OIDC_SCOPES.contains(&p.as_str()))
        .map(|p| match audience {
            Audience::Graph => p.clone(),
            other => format!("{}/{p}", cloud.resource(other)),
        })
        .collect();
    out.extend(oidc.iter().filter(|s| *s != "offline_access").cloned());
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_credentials_need_one_default_scope() {
        let graph =
            client_credentials_scope("https://graph.microsoft.com/.default", SimCloud::Global);
        assert_eq!(graph, Ok(Audience::Graph));
        for bad in [
            "https://graph.microsoft.com/User.Read.All",
            "https://graph.microsoft.com/.default https://outlook.office365.com/.default",
            "https://foo.microsoft.com/.default",
            "",
        ] {
            assert_eq!(
                client_credentials_scope(bad, SimCloud::Global).map_err(|e| e.code),
                Err(70011)
            );
        }
    }

    #[test]
    fn delegated_scopes_name_one_resource() {
        let s = delegated_scopes(
            "https://outlook.office365.com/Exchange.Manage offline_access openid",
            SimCloud::Global,
        )
        .unwrap();
        assert_eq!(s.audience, Audience::Exchange);
        assert_eq!(s.permissions, ["Exchange.Manage"]);
        assert!(s.offline() && s.openid());
        let bare = delegated_scopes("User.Read profile", SimCloud::Global).unwrap();
        assert_eq!(bare.audience, Audience::Graph);
        let dod = delegated_scopes(
            "https://outlook-dod.office365.us/Exchange.Manage",
            SimCloud::UsGovDod,
        )
        .unwrap();
        assert_eq!(dod.audience, Audience::Exchange);
        assert!(
            delegated_scopes(
                "https://graph.microsoft.com/User.Read https://outlook.office365.com/x",
                SimCloud::Global,
            )
            .is_err()
        );
    }

    #[test]
    fn consent_covers_requested_permissions_only() {
        let granted = vec!["User.Read.All".to_owned(), "AuditLog.Read.All".to_owned()];
        let asked =
            delegated_scopes("https://graph.microsoft.com/.default", SimCloud::Global).unwrap();
        assert_eq!(consented(&asked, &granted), Some(granted.clone()));
        let missing = delegated_scopes("Mail.Send", SimCloud::Global).unwrap();
        assert_eq!(consented(&missing, &granted), None);
    }
}
