//! login routes (skeleton).

use axum::Router;

use crate::state::AppState;

/// The login routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
