//! The three method slots `seed` fills (mobile, alternate mobile, alternate email), and reading what
//! users already have: `GET /users/{id}/authentication/methods` for many users in `$batch`es of 20,
//! one request per 20 users for phones and email together.

use std::fmt;

use mailfix_client::models::{AuthenticationMethod, EmailMethod, PhoneMethod, PhoneType};
use mailfix_client::page::Page;
use mailfix_client::{BatchRequest, Client, Error, Permission, UserId, UserKey};
use serde::Serialize;

use crate::collect::with_permission_hint;
use crate::journal::ItemKind;

/// The fixed id of the email method (PROTOCOL §3), for an update when the listing gave none.
pub const EMAIL_METHOD_ID: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";

/// A method slot `seed` writes. Ordered as they are applied: a `mobile` must exist before an
/// `alternateMobile` (PROTOCOL §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodKind {
    /// The `mobile` phone method.
    Mobile,
    /// The `alternateMobile` phone method.
    AlternateMobile,
    /// The email method (the personal address).
    Email,
}

impl MethodKind {
    /// The spelling in reports and the journal: `mobile`, `alternate-mobile`, `email`.
    pub fn as_str(self) -> &'static str {
        self.item_kind().as_str()
    }

    /// The journal's item kind.
    pub fn item_kind(self) -> ItemKind {
        match self {
            MethodKind::Mobile => ItemKind::Mobile,
            MethodKind::AlternateMobile => ItemKind::AlternateMobile,
            MethodKind::Email => ItemKind::Email,
        }
    }

    /// The phone slot, for phone kinds.
    pub fn phone_type(self) -> Option<PhoneType> {
        match self {
            MethodKind::Mobile => Some(PhoneType::Mobile),
            MethodKind::AlternateMobile => Some(PhoneType::AlternateMobile),
            MethodKind::Email => None,
        }
    }
}

impl fmt::Display for MethodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The phone and email methods a user has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserMethods {
    /// Phone methods (any type).
    pub phones: Vec<PhoneMethod>,
    /// Email methods (at most one).
    pub emails: Vec<EmailMethod>,
}

impl UserMethods {
    /// Keeps the phone and email methods of a `/methods` listing.
    pub fn from_list(list: Vec<AuthenticationMethod>) -> Self {
        let mut methods = UserMethods::default();
        for method in list {
            match method {
                AuthenticationMethod::Phone(p) => methods.phones.push(p),
                AuthenticationMethod::Email(e) => methods.emails.push(e),
                AuthenticationMethod::Other => {}
            }
        }
        methods
    }

    /// Whether a `mobile` phone method is registered.
    pub fn has_mobile(&self) -> bool {
        self.phones
            .iter()
            .any(|p| p.phone_type == PhoneType::Mobile)
    }

    /// The registered value of a slot, if any.
    pub fn value(&self, kind: MethodKind) -> Option<&str> {
        match kind.phone_type() {
            Some(t) => self
                .phones
                .iter()
                .find(|p| p.phone_type == t)
                .map(|p| p.phone_number.as_str()),
            None => self.emails.first().map(|e| e.email_address.as_str()),
        }
    }
}

/// Reads the methods of one user (one request; used to settle a write of unknown outcome).
pub async fn read_user_methods(client: &Client, user: &UserId) -> Result<UserMethods, Error> {
    let list = client.graph().auth_methods(&UserKey::from(user)).await?;
    Ok(UserMethods::from_list(list))
}

/// Reads the methods of many users through `$batch` (20 per request); one result per user, in
/// order. The outer error is a failure of a whole batch request; a user's own failure (gone,
/// forbidden) is that user's `Err`.
pub async fn read_methods(
    client: &Client,
    users: &[UserId],
) -> Result<Vec<Result<UserMethods, Error>>, Error> {
    let requests: Vec<BatchRequest> = users
        .iter()
        .map(|id| {
            BatchRequest::get(format!(
                "{}/authentication/methods",
                UserKey::from(id).path()
            ))
        })
        .collect();
    let answers = client.graph().batch(&requests).await?;
    let mut read = Vec::with_capacity(answers.len());
    for answer in answers {
        let all = match answer
            .and_then(|a| a.into_result::<Page<AuthenticationMethod>>("methods.list"))
        {
            Ok(page) => crate::collect::rest_of_pages(client, page).await,
            Err(e) => Err(e),
        };
        read.push(
            all.map(UserMethods::from_list)
                .map_err(|e| with_permission_hint(e, Permission::AuthMethodReadAll)),
        );
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_methods_listing_keeps_phones_and_email() {
        let list: Vec<AuthenticationMethod> = serde_json::from_value(serde_json::json!([
            {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "p"},
            {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "m",
             "phoneNumber": "+61 412345678", "phoneType": "mobile"},
            {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "e",
             "emailAddress": "a@example.org"}
        ]))
        .unwrap();
        let methods = UserMethods::from_list(list);
        assert!(methods.has_mobile());
        assert_eq!(methods.value(MethodKind::Mobile), Some("+61 412345678"));
        assert_eq!(methods.value(MethodKind::AlternateMobile), None);
        assert_eq!(methods.value(MethodKind::Email), Some("a@example.org"));
        assert_eq!(MethodKind::AlternateMobile.as_str(), "alternate-mobile");
    }
}
