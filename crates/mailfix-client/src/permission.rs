//! The permissions and roles mailfix needs (SPEC.md §13), which operation needs which, and the
//! hint a 403 carries: the missing permission and how to grant it.

use std::fmt;

use crate::auth::TokenClaims;

/// An application permission (or role) an operation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Graph `User.Read.All`: read users.
    UserReadAll,
    /// Graph `GroupMember.Read.All`: read groups and their members.
    GroupMemberReadAll,
    /// Graph `UserAuthenticationMethod.Read.All`: read phone and email methods.
    AuthMethodReadAll,
    /// Graph `UserAuthenticationMethod.ReadWrite.All`: create and update methods.
    AuthMethodReadWriteAll,
    /// Graph `AuditLog.Read.All`: directory audits and the registration report.
    AuditLogReadAll,
    /// Graph `Directory.Read.All`: directory audits need it beside `AuditLog.Read.All`.
    DirectoryReadAll,
    /// Exchange `Exchange.ManageAsApp` plus the Exchange Administrator role.
    ExchangeManageAsApp,
}

/// Exchange Administrator role template id (as in a token's `wids`).
const EXCHANGE_ADMIN_ROLE: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
/// Directory roles that may change mailbox addresses, by template id (a token's `wids` carries
/// template ids, never names), with their names.
const EXCHANGE_ROLES: [(&str, &str); 3] = [
    (EXCHANGE_ADMIN_ROLE, "Exchange Administrator"),
    (
        "31392ffb-586c-42d1-9346-e59415a2cc4e",
        "Exchange Recipient Administrator",
    ),
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
];

/// The name of a directory role mailfix knows, from its template id (a token's `wids` entry).
pub fn directory_role_name(template_id: &str) -> Option<&'static str> {
    EXCHANGE_ROLES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(template_id))
        .map(|(_, name)| *name)
}

impl Permission {
    /// Every permission, in the README's order.
    pub const ALL: [Permission; 7] = [
        Permission::UserReadAll,
        Permission::GroupMemberReadAll,
        Permission::AuthMethodReadWriteAll,
        Permission::AuthMethodReadAll,
        Permission::AuditLogReadAll,
        Permission::DirectoryReadAll,
        Permission::ExchangeManageAsApp,
    ];

    /// The permission's name as the portal shows it.
    pub fn name(self) -> &'static str {
        match self {
            Permission::UserReadAll => "User.Read.All",
            Permission::GroupMemberReadAll => "GroupMember.Read.All",
            Permission::AuthMethodReadAll => "UserAuthenticationMethod.Read.All",
            Permission::AuthMethodReadWriteAll => "UserAuthenticationMethod.ReadWrite.All",
            Permission::AuditLogReadAll => "AuditLog.Read.All",
            Permission::DirectoryReadAll => "Directory.Read.All",
            Permission::ExchangeManageAsApp => "Exchange.ManageAsApp",
        }
    }

    /// The API the permission belongs to.
    pub fn api(self) -> &'static str {
        match self {
            Permission::ExchangeManageAsApp => "Office 365 Exchange Online",
            _ => "Microsoft Graph",
        }
    }

    /// Permissions that include this one.
    fn implied_by(self) -> &'static [&'static str] {
        match self {
            Permission::UserReadAll => &[
                "User.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::GroupMemberReadAll => &[
                "GroupMember.ReadWrite.All",
                "Group.Read.All",
                "Group.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::AuthMethodReadAll => &["UserAuthenticationMethod.ReadWrite.All"],
            Permission::DirectoryReadAll => &["Directory.ReadWrite.All"],
            _ => &[],
        }
    }

    /// Whether a token's claims carry this permission (application `roles` or delegated `scp`),
    /// and for Exchange also the Exchange Administrator (or Exchange Recipient Administrator, or
    /// Global Administrator) role in `wids`.
    pub fn granted_by(self, claims: &TokenClaims) -> bool {
        let held = claims.roles.iter().chain(&claims.scp);
        let has = held
            .clone()
            .any(|p| p == self.name() || self.implied_by().contains(&p.as_str()));
        if self != Permission::ExchangeManageAsApp {
            return has;
        }
        let admin = claims.wids.iter().any(|w| directory_role_name(w).is_some());
        (has || !claims.scp.is_empty()) && admin
    }

    /// How to grant it, for the hint of a 403.
    pub fn hint(self) -> String {
        match self {
            Permission::ExchangeManageAsApp => "the app needs the Office 365 Exchange Online \
                application permission Exchange.ManageAsApp (Entra admin center > App registrations > \
                your app > API permissions > Add a permission > APIs my organization uses > \
                Office 365 Exchange Online > Application permissions > Exchange.ManageAsApp, then \
                Grant admin consent) and the Exchange Administrator role for its service principal \
                (Roles and administrators > Exchange Administrator > Add assignments)"
                .to_owned(),
            p => format!(
                "the app needs the Microsoft Graph application permission {name} (Entra admin \
                 center > App registrations > your app > API permissions > Add a permission > \
                 Microsoft Graph > Application permissions > {name}, then Grant admin consent)",
                name = p.name()
            ),
        }
    }
}

impl Permission {
    /// The hint of a 403 for a request that needs all of `permissions` (`None` for none).
    pub fn hint_all(permissions: &[Permission]) -> Option<String> {
        match permissions {
            [] => None,
            [one] => Some(one.hint()),
            several => {
                let names: Vec<&str> = several.iter().map(|p| p.name()).collect();
                let names = names.join(" and ");
                Some(format!(
                    "the app needs the Microsoft Graph application permissions {names}, all of them \
                     (Entra admin center > App registrations > your app > API permissions > Add a \
                     permission > Microsoft Graph > Application permissions, then Grant admin \
                     consent)"
                ))
            }
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(roles: &[&str], wids: &[&str]) -> TokenClaims {
        TokenClaims {
            roles: roles.iter().map(|s| s.to_string()).collect(),
            wids: wids.iter().map(|s| s.to_string()).collect(),
            ..TokenClaims::default()
        }
    }

    #[test]
    fn hints_name_the_permission_and_how_to_grant_it() {
        for p in Permission::ALL {
            let h = p.hint();
            assert!(h.contains(p.name()), "{h}");
            assert!(h.contains("admin consent"), "{h}");
        }
        assert!(
            Permission::ExchangeManageAsApp
                .hint()
                .contains("Exchange Administrator")
        );
    }

    #[test]
    fn broader_permissions_imply_narrower_ones() {
        let c = claims(
            &[
                "Directory.Read.All",
                "UserAuthenticationMethod.ReadWrite.All",
            ],
            &[],
        );
        assert!(Permission::UserReadAll.granted_by(&c));
        assert!(Permission::GroupMemberReadAll.granted_by(&c));
        assert!(Permission::AuthMethodReadAll.granted_by(&c));
        assert!(!Permission::AuditLogReadAll.granted_by(&c));
        assert!(Permission::DirectoryReadAll.granted_by(&c));
    }

    #[test]
    fn a_request_that_needs_two_permissions_names_both() {
        let hint =
            Permission::hint_all(&[Permission::AuditLogReadAll, Permission::DirectoryReadAll])
                .unwrap();
        assert!(
            hint.contains("AuditLog.Read.All and Directory.Read.All"),
            "{hint}"
        );
        assert!(hint.contains("admin consent"));
        assert_eq!(Permission::hint_all(&[]), None);
    }

    #[test]
    fn exchange_needs_the_role_as_well_as_the_permission() {
        let no_role = claims(&["Exchange.ManageAsApp"], &[]);
        assert!(!Permission::ExchangeManageAsApp.granted_by(&no_role));
        let with_role = claims(&["Exchange.ManageAsApp"], &[EXCHANGE_ADMIN_ROLE]);
        assert!(Permission::ExchangeManageAsApp.granted_by(&with_role));
        let recipient_admin = claims(&["Exchange.ManageAsApp"], &[EXCHANGE_ROLES[1].0]);
        assert!(Permission::ExchangeManageAsApp.granted_by(&recipient_admin));
        // Tokens name roles by template id; a display name is not a role.
        let by_name = claims(&["Exchange.ManageAsApp"], &["Exchange Administrator"]);
        assert!(!Permission::ExchangeManageAsApp.granted_by(&by_name));
    }
}
