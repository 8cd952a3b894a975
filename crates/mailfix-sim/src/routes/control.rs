//! control routes (skeleton).

use axum::Router;

use crate::state::AppState;

/// The control routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
