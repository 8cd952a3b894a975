//! The whole simulator as one router, wrapped in the request log / fault / throttle middleware.

use axum::Router;

use super::{control, exo, graph, login, middleware};
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
