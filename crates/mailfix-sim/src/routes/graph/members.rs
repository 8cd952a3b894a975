//! `/groups/{id}/members` and `/groups/{id}/transitiveMembers`, with and without an OData cast
//! (`/microsoft.graph.user`, `/graph.user`, ...), and their `/$count`. Transitive members are the
//! group's cached closure (nested groups flattened, cycles tolerated, duplicates removed); a cast or
//! a `$filter`/`$search`/`$orderby` on transitive members needs advanced query parameters.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::auth::{Authorized, MembersRead};
use super::groups::group_by_key;
use super::listing::{Page, count_query, null_default, order_key, page_of};
use super::object_view::MemberRow;
use super::respond::{self, context, with_select};
use crate::error::GraphError;
use crate::model::ObjectRef;
use crate::model::directory::ObjectKind;
use crate::odata::eval::{Fields, Val};
use crate::odata::schemas::{self, GROUP_KNOWN, USER_KNOWN};
use crate::odata::{QueryOptions, advanced_required, rules::Schema};
use crate::state::AppState;

/// An OData cast on a member list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cast {
    User,
    Group,
    Other(ObjectKind),
}

impl Cast {
    fn parse(segment: &str) -> Result<Self, GraphError> {
        Ok(match segment {
            "microsoft.graph.user" => Cast::User,
            "microsoft.graph.group" => Cast::Group,
            "microsoft.graph.device" => Cast::Other(ObjectKind::Device),
            "microsoft.graph.orgContact" => Cast::Other(ObjectKind::OrgContact),
            "microsoft.graph.servicePrincipal" => Cast::Other(ObjectKind::ServicePrincipal),
            other => return Err(GraphError::segment_not_found(other)),
        })
    }

    fn entity_set(cast: Option<Self>) -> &'static str {
        match cast {
            Some(Cast::User) => "users",
            Some(Cast::Group) => "groups",
            Some(Cast::Other(ObjectKind::Device)) => "devices",
            Some(Cast::Other(ObjectKind::OrgContact)) => "contacts",
            Some(Cast::Other(ObjectKind::ServicePrincipal)) => "servicePrincipals",
            None => "directoryObjects",
        }
    }

    fn admits(cast: Option<Self>, member: ObjectRef, others: &[crate::model::OtherObject]) -> bool {
        match (cast, member) {
            (None, _) | (Some(Cast::User), ObjectRef::User(_)) => true,
            (Some(Cast::Group), ObjectRef::Group(_)) => true,
            (Some(Cast::Other(kind)), ObjectRef::Other(o)) => {
                others.get(o as usize).is_some_and(|x| x.kind == kind)
            }
            _ => false,
        }
    }
}

/// What a member-list request names.
struct Target {
    transitive: bool,
    cast: Option<Cast>,
    count_only: bool,
}

macro_rules! member_routes {
    ($($(#[$doc:meta])* $name:ident: $transitive:literal, $cast:ident, $count:literal;)+) => {$(
        $(#[$doc])*
        pub async fn $name(
            auth: Authorized<MembersRead>,
            Path(params): Path<Vec<String>>,
            headers: HeaderMap,
            uri: Uri,
        ) -> Result<Response, GraphError> {
            let cast = member_routes!(@cast $cast, params);
            let target = Target { transitive: $transitive, cast, count_only: $count };
            serve(&auth.state, &params[0], target, &headers, &uri)
        }
    )+};
    (@cast none, $p:ident) => { None };
    (@cast some, $p:ident) => { Some(Cast::parse(&$p[1])?) };
}

member_routes! {
    /// `GET /groups/{id}/members`.
    members: false, none, false;
    /// `GET /groups/{id}/members/$count`.
    members_count: false, none, true;
    /// `GET /groups/{id}/members/{cast}`.
    members_cast: false, some, false;
    /// `GET /groups/{id}/members/{cast}/$count`.
    members_cast_count: false, some, true;
    /// `GET /groups/{id}/transitiveMembers`.
    transitive: true, none, false;
    /// `GET /groups/{id}/transitiveMembers/$count`.
    transitive_count: true, none, true;
    /// `GET /groups/{id}/transitiveMembers/{cast}`.
    transitive_cast: true, some, false;
    /// `GET /groups/{id}/transitiveMembers/{cast}/$count`.
    transitive_cast_count: true, some, true;
}

fn serve(
    state: &AppState,
    group: &str,
    target: Target,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Response, GraphError> {
    let (q, select) = validate(state, &target, headers, uri)?;
    let order = order_key(&q, &[("displayName", true)])?;
    let page = Page::new(state, uri.path(), q, 100, 999)?;
    let tenant = state.read_tenant();
    let g = group_by_key(&tenant, group)?;
    let closure = target.transitive.then(|| tenant.transitive_members(g));
    let refs: &[ObjectRef] = match &closure {
        Some(c) => &c.members,
        None => &tenant.groups[g as usize].members,
    };
    let subset: Option<&[u32]> = match (&closure, target.cast) {
        (Some(c), Some(Cast::User)) => Some(&c.user_positions),
        _ => None,
    };
    let len = subset.map_or(refs.len(), <[u32]>::len);
    let at = |p: usize| refs[subset.map_or(p, |s| s[p] as usize)];
    let eventual = page.eventual_at(state.clock.now());
    let row = |p: usize| MemberRow::new(&tenant, at(p), eventual);
    let keep = |p: usize| {
        Cast::admits(target.cast, at(p), &tenant.others) && row(p).is_some_and(|r| page.keeps(&r))
    };
    let operation = if target.transitive {
        respond::op("groups.transitiveMembers")
    } else {
        respond::op("groups.members")
    };
    if target.count_only {
        return Ok(respond::count(
            (0..len).filter(|&p| keep(p)).count(),
            operation,
        ));
    }
    let (positions, next) = page_of(&page, len, keep, order, |p| Sortable(row(p)), |p| p);
    let rows: Vec<MemberRow<'_>> = positions.into_iter().filter_map(row).collect();
    let typed = target.cast.is_none();
    let value: Vec<_> = rows
        .iter()
        .map(|r| r.out_as(select.as_deref(), typed))
        .collect();
    let set = with_select(Cast::entity_set(target.cast), select.as_deref());
    let body = page.collection(context(state, &set), value, next, || {
        (0..len).filter(|&p| keep(p)).count()
    });
    Ok(respond::json(StatusCode::OK, &body, operation))
}

/// Reads and checks the query: `$count` segments need the header, transitive lists need advanced
/// query parameters for casts and query options, and filters follow the directory rules.
fn validate(
    state: &AppState,
    target: &Target,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<(QueryOptions, Option<Vec<&'static str>>), GraphError> {
    let mut q = if target.count_only {
        count_query(uri, headers)?
    } else {
        QueryOptions::parse(uri.query(), headers)?
    };
    let (known, schema): (&'static [&'static str], &Schema) = match target.cast {
        Some(Cast::Group) => (GROUP_KNOWN, &schemas::GROUP),
        Some(Cast::User) => (USER_KNOWN, &schemas::USER),
        _ => (USER_KNOWN, &schemas::DIRECTORY_OBJECT),
    };
    let object = "microsoft.graph.directoryObject";
    let select = q
        .selected(known, object)
        .or_else(|e| q.selected(GROUP_KNOWN, object).map_err(|_| e))?;
    if target.transitive && !q.advanced() {
        let needs = [
            (target.cast.is_some(), "OfType"),
            (q.filter.is_some(), "$filter"),
            (q.search.is_some(), "$search"),
            (!q.orderby.is_empty(), "$orderby"),
        ];
        if let Some((_, what)) = needs.iter().find(|(present, _)| *present) {
            return Err(advanced_required(what));
        }
    }
    q.check_directory(schema, &null_default(state))?;
    Ok((q, select))
}

/// A member row that sorts (`keep` has dropped deleted users before sorting).
struct Sortable<'a>(Option<MemberRow<'a>>);

impl Fields for Sortable<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        self.0.as_ref().map_or(Val::Null, |r| r.field(path))
    }
}
