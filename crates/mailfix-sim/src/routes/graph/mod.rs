//! Graph v1.0 routes (skeleton).

use axum::Router;

use crate::state::AppState;

/// The Graph routes, under `/v1.0`.
pub fn router() -> Router<AppState> {
    Router::new()
}
