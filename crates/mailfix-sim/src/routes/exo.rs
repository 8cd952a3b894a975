//! exo routes (skeleton).

use axum::Router;

use crate::state::AppState;

/// The exo routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
