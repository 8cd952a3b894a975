//! Reading what the rules need, in the fewest requests: the user properties to `$select`, the
//! authentication methods of many users through `$batch` (20 per request), and the registration
//! report read in bulk, filtered server-side to the users it has something to say about.

use std::collections::HashMap;
use std::time::Duration;

use futures::TryStreamExt as _;
use mailfix_client::models::AuthenticationMethod;
use mailfix_client::{
    BatchRequest, Client, Error, ErrorKind, Filter, Page, Permission, UserId, UserKey,
};

use crate::facts::{MethodFacts, RegistrationFacts};
use crate::finding;

/// The user properties the directory rules (MF001–MF005, MF008) read, plus what scope resolution
/// needs to skip disabled accounts and guests. Nothing else is selected.
pub const USER_FIELDS: [&str; 10] = [
    "id",
    "userPrincipalName",
    "accountEnabled",
    "userType",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "assignedPlans",
    "serviceProvisioningErrors",
];

/// How many times an item of a methods `$batch` that failed transiently (500, 504, or a 429/503
/// the batch's own retries gave up on) is sent again before the scan fails.
const ITEM_ROUNDS: u32 = 6;

/// One user's methods read, or why not.
#[derive(Debug)]
pub enum MethodsRead {
    /// The phone and email methods found.
    Read(MethodFacts),
    /// The user no longer exists (deleted between the listing and this read).
    Gone,
}

/// Reads the authentication methods of `users` through `$batch` (20 sub-requests per request, the
/// batches in flight within Graph's concurrency cap). One answer per user, in order.
///
/// Items that fail transiently are sent again (only those); a missing permission fails the whole
/// read with the hint to grant `UserAuthenticationMethod.Read.All`.
pub async fn methods(
    client: &Client,
    users: &[finding::UserRef],
) -> Result<Vec<MethodsRead>, Error> {
    let mut answers: Vec<Option<MethodsRead>> = users.iter().map(|_| None).collect();
    let mut todo: Vec<usize> = (0..users.len()).collect();
    let mut round = 1;
    while !todo.is_empty() {
        let requests: Vec<BatchRequest> = todo
            .iter()
            .map(|&i| BatchRequest::get(methods_url(&users[i].id)))
            .collect();
        let replies = client.graph().batch(&requests).await?;
        let mut again = Vec::new();
        for (&i, reply) in todo.iter().zip(replies) {
            let page =
                reply.and_then(|r| r.into_result::<Page<AuthenticationMethod>>("methods.list"));
            let all = match page {
                Ok(page) => rest_of_pages(client, page).await,
                Err(e) => Err(e),
            };
            match all {
                Ok(all) => answers[i] = Some(MethodsRead::Read(MethodFacts::from_methods(&all))),
                Err(e) if e.is_not_found() => answers[i] = Some(MethodsRead::Gone),
                Err(e) if e.is_transient() && round < ITEM_ROUNDS => again.push(i),
                Err(e) => return Err(with_permission_hint(e, Permission::AuthMethodReadAll)),
            }
        }
        if !again.is_empty() {
            tokio::time::sleep(Duration::from_millis(250 * u64::from(round))).await;
        }
        todo = again;
        round += 1;
    }
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or(MethodsRead::Gone))
        .collect())
}

fn methods_url(id: &str) -> String {
    format!(
        "{}/authentication/methods",
        UserKey::from(UserId(id.to_owned())).path()
    )
}

/// A user's methods rarely fill a page; when they do, the rest is read behind the page's next
/// link (outside `$batch`).
pub(crate) async fn rest_of_pages(
    client: &Client,
    page: Page<AuthenticationMethod>,
) -> Result<Vec<AuthenticationMethod>, Error> {
    client
        .graph()
        .rest_of_pages(page, "methods.list", Permission::AuthMethodReadAll)
        .await
}

/// A 403 gets the hint that names the permission (a `$batch` item carries none of its own).
pub(crate) fn with_permission_hint(error: Error, permission: Permission) -> Error {
    if error.is_forbidden() && error.hint().is_none() {
        error.with_hint(permission.hint())
    } else {
        error
    }
}

/// The rows of the registration report that say a user is not SSPR- or not MFA-registered, by user
/// id. Users the report calls fully registered are not kept (they produce no finding), so memory
/// follows the number of findings, not the size of the tenant.
#[derive(Debug, Default)]
pub struct Registrations {
    rows: HashMap<String, RegistrationFacts>,
}

impl Registrations {
    /// The report's verdict on a user, when it has an incomplete one.
    pub fn get(&self, id: &str) -> Option<&RegistrationFacts> {
        self.rows.get(id)
    }

    /// How many users the report says are not fully registered.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the report says every user is registered.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Reads the registration report in bulk, once per scan, filtered server-side to the rows that say
/// "not SSPR-registered" or "not MFA-registered": one listing with
/// `isSsprRegistered eq false or isMfaRegistered eq false`. Each `eq` is documented as supported
/// (PROTOCOL.md §4.1) but their `or` is not, so a service that refuses it (400) is asked twice,
/// once per filter (a user in both is one row). Listings instead of one request per user, because
/// reports share a limit of 5 requests per 10 s.
pub async fn registrations(client: &Client) -> Result<Registrations, Error> {
    let mut rows = HashMap::new();
    let either = not_registered("isSsprRegistered").or(not_registered("isMfaRegistered"));
    match read_report(client, either, &mut rows).await {
        Err(e) if e.kind() == &ErrorKind::BadRequest && rows.is_empty() => {
            for property in ["isSsprRegistered", "isMfaRegistered"] {
                read_report(client, not_registered(property), &mut rows).await?;
            }
        }
        other => other?,
    }
    Ok(Registrations { rows })
}

fn not_registered(property: &str) -> Filter {
    Filter::eq_bool(property, false)
}

async fn read_report(
    client: &Client,
    filter: Filter,
    rows: &mut HashMap<String, RegistrationFacts>,
) -> Result<(), Error> {
    let mut listing = client.graph().registration_details(Some(filter));
    while let Some(row) = listing
        .try_next()
        .await
        .map_err(|e| with_permission_hint(e, Permission::AuditLogReadAll))?
    {
        rows.entry(row.id.clone())
            .or_insert_with(|| RegistrationFacts {
                sspr_registered: row.is_sspr_registered,
                mfa_registered: row.is_mfa_registered,
                methods: row.methods_registered,
            });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_read_by_object_id() {
        assert_eq!(
            methods_url("0a1b-2c"),
            "/users/0a1b-2c/authentication/methods"
        );
    }

    #[test]
    fn every_rule_input_is_selected() {
        for field in [
            "mail",
            "proxyAddresses",
            "assignedPlans",
            "onPremisesSyncEnabled",
            "serviceProvisioningErrors",
        ] {
            assert!(USER_FIELDS.contains(&field), "{field}");
        }
        for field in crate::scope::SCOPE_FIELDS {
            assert!(USER_FIELDS.contains(&field), "{field}");
        }
    }
}
