//! The HTTP surface: sign-in, Graph v1.0, the Exchange admin API and the `/_sim/` control plane, each a
//! router of its own, merged here and wrapped in the request log / fault / throttle middleware.

pub mod control;
pub mod exo;
pub mod fault_answer;
pub mod graph;
pub mod login;
pub mod middleware;

use axum::Router;

use crate::state::AppState;

/// The whole simulator as one router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(login::router())
        .merge(graph::router())
        .merge(exo::router())
        .merge(control::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}
