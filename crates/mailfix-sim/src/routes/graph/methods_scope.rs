//! What a delegated Authentication Administrator may see and do with other users' authentication
//! methods. Graph's `phoneAuthenticationMethod` get page: "the authentication administrator only
//! sees masked phone numbers" (switch `graph.mask_phones_for_auth_admin`); Entra's role reference:
//! an Authentication Administrator manages the methods of non-administrators and of a few reader
//! roles only, so a user who holds another admin role answers 403 for that caller (switch
//! `graph.auth_admin_scope`; roles through `POST /_sim/users/{key}/roles`). The mask's format is
//! UNCONFIRMED: country code and last two digits kept, the other digits `X`.

use crate::error::GraphError;
use crate::identity::Caller;
use crate::model::{Tenant, UserIdx};
use crate::state::AppState;

/// Roles whose holders may manage any user's methods.
const PRIVILEGED: &[&str] = &[
    "Global Administrator",
    "Privileged Authentication Administrator",
];

/// Roles an Authentication Administrator may still manage the methods of.
const MANAGEABLE: &[&str] = &[
    "Directory Readers",
    "Guest Inviter",
    "Message Center Reader",
    "Reports Reader",
    "Password Administrator",
    "Authentication Administrator",
];

fn holds(caller: &Caller, role: &str) -> bool {
    caller
        .directory_roles
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
}

/// A delegated caller whose only methods role is Authentication Administrator.
fn auth_admin_only(caller: &Caller) -> bool {
    caller.upn.is_some()
        && holds(caller, "Authentication Administrator")
        && !PRIVILEGED.iter().any(|r| holds(caller, r))
}

fn switch(state: &AppState, key: &str) -> bool {
    state.throttle.limits().get(key) > 0.0
}

/// Whether this caller reads masked phone numbers.
pub fn masks_phones(state: &AppState, caller: &Caller) -> bool {
    switch(state, "graph.mask_phones_for_auth_admin") && auth_admin_only(caller)
}

/// 403 when the caller may not manage `target`'s methods.
pub fn check_target(
    state: &AppState,
    tenant: &Tenant,
    caller: &Caller,
    target: UserIdx,
) -> Result<(), GraphError> {
    if !switch(state, "graph.auth_admin_scope") || !auth_admin_only(caller) {
        return Ok(());
    }
    let admin = tenant.user_roles.get(&target).is_some_and(|roles| {
        roles
            .iter()
            .any(|r| !MANAGEABLE.iter().any(|m| m.eq_ignore_ascii_case(r)))
    });
    if admin {
        return Err(GraphError::forbidden());
    }
    Ok(())
}

/// `+61 412345678` → `+61 XXXXXXX78`.
pub fn mask(number: &str) -> String {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let country = number
        .strip_prefix('+')
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).count())
        .unwrap_or(0);
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= country || seen > digits.saturating_sub(2) {
                c
            } else {
                'X'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_country_code_and_the_last_two_digits() {
        assert_eq!(mask("+61 412345678"), "+61 XXXXXXX78");
        assert_eq!(mask("+1 2065550123"), "+1 XXXXXXXX23");
    }
}
