//! Extractors shared by the Graph handlers: the simulator state ([`Sim`]), and [`Authorized`],
//! which verifies the bearer token for the Graph audience (401 `InvalidAuthenticationToken`) and
//! that the caller holds one of the permissions the operation accepts (403
//! `Authorization_RequestDenied`).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::GraphError;
use crate::identity::{Audience, Caller};
use crate::state::AppState;

/// The simulator state, put into the request extensions by the Graph dispatcher.
pub struct Sim(pub AppState);

impl<S: Send + Sync> FromRequestParts<S> for Sim {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, GraphError> {
        parts
            .extensions
            .get::<AppState>()
            .cloned()
            .map(Sim)
            .ok_or_else(|| GraphError::internal("the Graph router was called without its state"))
    }
}

/// A set of permissions, any one of which allows an operation (broader ones are implied, see
/// [`Caller::has`]).
pub trait Permission: Send + Sync + 'static {
    /// The accepted permissions, least privileged first.
    const ANY_OF: &'static [&'static str];
}

/// Verifies the token and the permission `P`; gives the caller and the state.
pub struct Authorized<P> {
    /// Who called.
    pub caller: Caller,
    /// The simulator state.
    pub state: AppState,
    _permission: PhantomData<P>,
}

impl<S: Send + Sync, P: Permission> FromRequestParts<S> for Authorized<P> {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, GraphError> {
        let Sim(state) = Sim::from_request_parts(parts, s).await?;
        let caller = authenticate(&state, parts)?;
        if !P::ANY_OF.iter().any(|p| caller.has(p)) {
            return Err(GraphError::forbidden());
        }
        Ok(Self {
            caller,
            state,
            _permission: PhantomData,
        })
    }
}

/// Verifies the `Authorization` header for the Graph audience at the simulated time.
pub fn authenticate(state: &AppState, parts: &Parts) -> Result<Caller, GraphError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state
        .identity
        .verify(header, Audience::Graph, state.clock.now())
        .map_err(|e| GraphError::unauthenticated(&e))
}

/// `directoryAudits` needs `Directory.Read.All` beside `AuditLog.Read.All` ("AuditLog.Read.All and
/// Directory.Read.All", microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/permissions/directoryaudit-list-permissions.md`), unless the
/// switch `graph.audit_needs_directory_read` is 0.
pub fn require_directory_read_for_audit(
    state: &AppState,
    caller: &Caller,
) -> Result<(), GraphError> {
    let enforced = state
        .throttle
        .limits()
        .get("graph.audit_needs_directory_read")
        > 0.0;
    if enforced && !caller.has("Directory.Read.All") {
        return Err(GraphError::forbidden());
    }
    Ok(())
}

macro_rules! permission {
    ($(#[$doc:meta])* $name:ident = [$($p:literal),+ $(,)?]) => {
        $(#[$doc])*
        pub struct $name;
        impl Permission for $name {
            const ANY_OF: &'static [&'static str] = &[$($p),+];
        }
    };
}

permission!(
    /// Reading users (list, get, `$count`, delta).
    UsersRead = ["User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All", "Directory.Read.All"]
);
permission!(
    /// Updating users.
    UsersWrite = ["User.ReadWrite.All", "Directory.ReadWrite.All"]
);
permission!(
    /// Reading groups (list, get, `$count`).
    GroupsRead = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"]
);
permission!(
    /// Reading group members and transitive members.
    MembersRead = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"]
);
permission!(
    /// Reading authentication methods.
    MethodsRead = ["UserAuthenticationMethod.Read.All"]
);
permission!(
    /// Creating, updating and deleting authentication methods.
    MethodsWrite = ["UserAuthenticationMethod.ReadWrite.All"]
);
permission!(
    /// The registration report and the directory audit log.
    AuditRead = ["AuditLog.Read.All"]
);
