//! The Graph route table: the outer `/v1.0` and `/beta` routes and the inner router every request
//! and `$batch` item runs through.

use std::sync::OnceLock;

use axum::Router;
use axum::routing::{MethodRouter, any, get, post};

use super::{
    audit, batch, check_member, delta, dispatch, groups, members, methods, reports, users,
};
use crate::state::AppState;

/// The Graph routes: `/v1.0/**` and `/beta/**`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1.0", any(dispatch::v1))
        .route("/v1.0/", any(dispatch::v1))
        .route("/v1.0/{*rest}", any(dispatch::v1))
        .route("/beta", any(dispatch::beta))
        .route("/beta/{*rest}", any(dispatch::beta))
}

struct Table {
    router: Router,
    paths: Vec<&'static str>,
}

impl Table {
    fn at(mut self, path: &'static str, route: MethodRouter) -> Self {
        self.router = self.router.route(path, route);
        self.paths.push(path);
        self
    }
}

static INNER: OnceLock<Table> = OnceLock::new();

fn table() -> &'static Table {
    INNER.get_or_init(|| {
        let table = Table {
            router: Router::new(),
            paths: Vec::new(),
        }
        .at("/$batch", post(batch::batch))
        .at("/users", get(users::list))
        .at("/users/$count", get(users::count))
        .at("/users/delta", get(delta::delta))
        .at("/users/{key}", get(users::get).patch(users::update))
        .at(
            "/users/{key}/checkMemberGroups",
            post(check_member::check_member_groups),
        )
        .at(
            "/users/{key}/authentication/methods",
            get(methods::list_all),
        )
        .at(
            "/users/{key}/authentication/methods/{id}",
            get(methods::get_any),
        )
        .at(
            "/users/{key}/authentication/phoneMethods",
            get(methods::list_phones).post(methods::add_phone),
        )
        .at(
            "/users/{key}/authentication/phoneMethods/{id}",
            get(methods::get_phone)
                .patch(methods::update_phone)
                .delete(methods::delete_phone),
        )
        .at(
            "/users/{key}/authentication/emailMethods",
            get(methods::list_emails).post(methods::add_email),
        )
        .at(
            "/users/{key}/authentication/emailMethods/{id}",
            get(methods::get_email)
                .patch(methods::update_email)
                .delete(methods::delete_email),
        )
        .at("/groups", get(groups::list))
        .at("/groups/$count", get(groups::count))
        .at("/groups/{id}", get(groups::get))
        .at("/groups/{id}/members", get(members::members))
        .at("/groups/{id}/members/$count", get(members::members_count))
        .at("/groups/{id}/members/{cast}", get(members::members_cast))
        .at(
            "/groups/{id}/members/{cast}/$count",
            get(members::members_cast_count),
        )
        .at("/groups/{id}/transitiveMembers", get(members::transitive))
        .at(
            "/groups/{id}/transitiveMembers/$count",
            get(members::transitive_count),
        )
        .at(
            "/groups/{id}/transitiveMembers/{cast}",
            get(members::transitive_cast),
        )
        .at(
            "/groups/{id}/transitiveMembers/{cast}/$count",
            get(members::transitive_cast_count),
        )
        .at(
            "/reports/authenticationMethods/userRegistrationDetails",
            get(reports::list),
        )
        .at(
            "/reports/authenticationMethods/userRegistrationDetails/{id}",
            get(reports::get),
        )
        .at("/auditLogs/directoryAudits", get(audit::list))
        .at("/auditLogs/directoryAudits/{id}", get(audit::get));
        Table {
            router: table.router.fallback(dispatch::unknown_route),
            paths: table.paths,
        }
    })
}

/// The inner router (paths without `/v1.0`; state in the request extensions).
pub(crate) fn inner() -> &'static Router {
    &table().router
}

/// The inner router's path patterns, for naming the unknown segment of a bad URL.
pub(crate) fn patterns() -> &'static [&'static str] {
    &table().paths
}
