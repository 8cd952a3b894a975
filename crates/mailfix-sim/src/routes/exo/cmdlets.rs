//! The emulated cmdlets, run against the tenant: `Get-Mailbox`, `Get-User`, `Get-AcceptedDomain`
//! and the parameter parsing of `Set-Mailbox` (whose change itself is `Tenant::change_mailbox_addresses`).
//! Parameter names are case-insensitive, as in PowerShell.

use serde_json::{Map, Value};

use std::collections::HashSet;

use super::error::ExoError;
use super::paging::Cursor;
use super::{opath, record};
use crate::model::mailboxes::AddressChange;
use crate::model::{Tenant, UserIdx};

/// The warning Exchange gives when a list stops at the default `ResultSize`.
pub const DEFAULT_RESULT_SIZE_WARNING: &str = "By default, only the first 1000 items are returned. \
     Use the ResultSize parameter to specify the number of items returned. To return all items, \
     specify \"-ResultSize unlimited\". Be aware that, depending upon the actual number of items, \
     returning all items can take a long time and consume a large amount of memory. Also, we don't \
     recommend storing the results in a variable. Instead, pipe the results to another task or \
     script to perform batch changes.";

/// The warning when a list stops at an explicit `ResultSize`.
pub const RESULT_SIZE_WARNING: &str = "There are more results available than are currently \
     displayed. To view them, increase the value for the ResultSize parameter.";

/// What a cmdlet returned.
#[derive(Debug, Default)]
pub struct Output {
    /// `value`.
    pub values: Vec<Value>,
    /// `@adminapi.warnings`.
    pub warnings: Vec<String>,
    /// Where the list continues, when it does.
    pub next: Option<Cursor>,
}

/// How a list is read.
#[derive(Clone, Debug)]
pub struct Listing {
    /// Where to start.
    pub cursor: Cursor,
    /// Page size.
    pub page_size: usize,
    /// `ResultSize` when not given (0 = unlimited).
    pub default_result_size: usize,
    /// Whether `-Identity` may be a user's Entra object id (switch `exo.resolve_object_ids`).
    pub object_ids: bool,
}

/// A parameter by case-insensitive name.
pub fn param<'a>(params: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Refuses parameters outside `allowed` (`Confirm`, `ErrorAction` and `WarningAction` are always
/// accepted and ignored).
pub fn check_params(
    cmdlet: &str,
    params: &Map<String, Value>,
    allowed: &[&str],
) -> Result<(), ExoError> {
    const COMMON: &[&str] = &["Confirm", "ErrorAction", "WarningAction", "Force"];
    match params.keys().find(|k| {
        !allowed
            .iter()
            .chain(COMMON)
            .any(|a| a.eq_ignore_ascii_case(k))
    }) {
        Some(unknown) => Err(ExoError::parameter(cmdlet, unknown)),
        None => Ok(()),
    }
}

/// The `Identity` parameter as a string, if given.
pub fn identity(params: &Map<String, Value>) -> Result<Option<String>, ExoError> {
    match param(params, "Identity") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(ExoError::binding(
            "Identity",
            "The argument is null, empty or not a string.",
        )),
    }
}

/// `ResultSize`: `Unlimited` → `None`, a number → `Some(n)`, absent → the default.
fn result_size(params: &Map<String, Value>, default: usize) -> Result<Option<usize>, ExoError> {
    let parsed = match param(params, "ResultSize") {
        None => return Ok((default > 0).then_some(default)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("unlimited") => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<usize>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Some(_) => None,
    };
    parsed
        .filter(|&n| n > 0)
        .map(Some)
        .ok_or_else(|| ExoError::binding("ResultSize", "Use a positive number or \"Unlimited\"."))
}

/// `Get-Mailbox` (`Identity`, `ResultSize`, and `Filter` as far as [`opath`] emulates it).
pub fn get_mailbox(
    tenant: &Tenant,
    params: &Map<String, Value>,
    listing: Listing,
) -> Result<Output, ExoError> {
    check_params("Get-Mailbox", params, &["Identity", "ResultSize", "Filter"])?;
    if let Some(id) = identity(params)? {
        let mailbox = tenant
            .exchange_identity_by(&id, listing.object_ids)
            .and_then(|u| tenant.mailboxes.get(&u))
            .ok_or_else(|| ExoError::not_found(&id))?;
        return Ok(single(record::mailbox(tenant, mailbox)));
    }
    let limit = result_size(params, listing.default_result_size)?;
    // An id that is not a GUID matches no mailbox, as in Exchange.
    let selected: Option<HashSet<uuid::Uuid>> = match param(params, "Filter") {
        None | Some(Value::Null) => None,
        Some(Value::String(filter)) => Some(
            opath::object_ids(filter)?
                .iter()
                .filter_map(|id| id.parse().ok())
                .collect(),
        ),
        Some(_) => return Err(ExoError::binding("Filter", "The filter must be a string.")),
    };
    let has_mailbox = |idx: UserIdx| {
        tenant.mailboxes.contains_key(&idx)
            && selected
                .as_ref()
                .is_none_or(|ids| ids.contains(&tenant.users[idx as usize].id))
    };
    list(tenant, listing, (limit, params), has_mailbox, |idx| {
        tenant
            .mailboxes
            .get(&idx)
            .map(|m| record::mailbox(tenant, m))
    })
}

/// `Get-User` (`Identity`, `ResultSize`).
pub fn get_user(
    tenant: &Tenant,
    params: &Map<String, Value>,
    listing: Listing,
) -> Result<Output, ExoError> {
    check_params("Get-User", params, &["Identity", "ResultSize"])?;
    if let Some(id) = identity(params)? {
        let idx = tenant
            .exchange_identity_by(&id, listing.object_ids)
            .ok_or_else(|| ExoError::not_found(&id))?;
        return Ok(single(record::user(tenant, idx)));
    }
    let limit = result_size(params, listing.default_result_size)?;
    list(
        tenant,
        listing,
        (limit, params),
        |_| true,
        |idx| Some(record::user(tenant, idx)),
    )
}

/// `Get-AcceptedDomain` (no parameters).
pub fn get_accepted_domain(
    tenant: &Tenant,
    params: &Map<String, Value>,
) -> Result<Output, ExoError> {
    check_params("Get-AcceptedDomain", params, &[])?;
    Ok(Output {
        values: tenant
            .domains
            .iter()
            .filter(|d| d.accepted)
            .map(record::accepted_domain)
            .collect(),
        ..Output::default()
    })
}

/// The `EmailAddresses` hashtable of `Set-Mailbox`: `{"@odata.type": "#Exchange.GenericHashTable",
/// "Add": "smtp:a@b" | [..], "Remove": ..}` with case-insensitive keys.
pub fn address_change(params: &Map<String, Value>) -> Result<Option<AddressChange>, ExoError> {
    let table = match param(params, "EmailAddresses") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(table)) => table,
        Some(_) => {
            return Err(ExoError::binding(
                "EmailAddresses",
                "The simulator emulates only the @{Add=...; Remove=...} form \
                 (#Exchange.GenericHashTable), not replacing every address.",
            ));
        }
    };
    let mut change = AddressChange::default();
    for (key, value) in table {
        let target = if key.eq_ignore_ascii_case("add") {
            &mut change.add
        } else if key.eq_ignore_ascii_case("remove") {
            &mut change.remove
        } else if key.starts_with('@') {
            continue;
        } else {
            let reason = format!("The hashtable key '{key}' is not valid: use Add or Remove.");
            return Err(ExoError::binding("EmailAddresses", &reason));
        };
        match value {
            Value::String(s) => target.push(s.clone()),
            Value::Array(items) => {
                for item in items {
                    let s = item.as_str().ok_or_else(|| {
                        ExoError::binding("EmailAddresses", "Addresses must be strings.")
                    })?;
                    target.push(s.to_owned());
                }
            }
            Value::Null => {}
            _ => {
                return Err(ExoError::binding(
                    "EmailAddresses",
                    "Addresses must be strings.",
                ));
            }
        }
    }
    Ok(Some(change))
}

fn single(value: Value) -> Output {
    Output {
        values: vec![value],
        ..Output::default()
    }
}

/// One page of the live users (in index order) that `include` selects, rendered by `render`.
fn list(
    tenant: &Tenant,
    listing: Listing,
    (limit, params): (Option<usize>, &Map<String, Value>),
    include: impl Fn(UserIdx) -> bool,
    render: impl Fn(UserIdx) -> Option<Value>,
) -> Result<Output, ExoError> {
    let mut cursor = listing.cursor;
    let left = limit.map_or(usize::MAX, |l| l.saturating_sub(cursor.returned));
    let take = listing.page_size.min(left);
    let mut output = Output::default();
    let wanted = |i: usize| !tenant.users[i].deleted && include(i as UserIdx);
    let mut i = cursor.next as usize;
    while i < tenant.users.len() && output.values.len() < take {
        if wanted(i)
            && let Some(value) = render(i as UserIdx)
        {
            output.values.push(value);
        }
        i += 1;
    }
    let more = (i..tenant.users.len()).any(wanted);
    cursor.returned += output.values.len();
    cursor.next = u32::try_from(i).unwrap_or(u32::MAX);
    if more && limit.is_some_and(|l| cursor.returned >= l) {
        let explicit = param(params, "ResultSize").is_some();
        let warning = if explicit {
            RESULT_SIZE_WARNING
        } else {
            DEFAULT_RESULT_SIZE_WARNING
        };
        output.warnings.push(warning.to_owned());
    } else if more {
        output.next = Some(cursor);
    }
    Ok(output)
}
