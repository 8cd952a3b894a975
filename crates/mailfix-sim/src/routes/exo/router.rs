//! The Exchange admin API's routes: `InvokeCommand` and the front door's `EXOModuleFile`, under
//! `/adminapi/` and `/AdminApi/`; anything else there is not emulated.

use axum::Router;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::routing::{get, post};

use super::error::ExoError;
use super::invoke::invoke;
use crate::state::AppState;

/// The Exchange routes.
pub fn router() -> Router<AppState> {
    let adminapi = || {
        Router::new()
            .route("/{version}/{tenant}/InvokeCommand", post(invoke))
            .route(
                "/{version}/{tenant}/EXOModuleFile",
                get(super::discovery::module_file),
            )
            .fallback(not_emulated)
    };
    // Clients write the front door's discovery path `/AdminApi/...` (ScubaGear) and cmdlet paths
    // `/adminapi/...`.
    Router::new()
        .nest("/adminapi", adminapi())
        .nest("/AdminApi", adminapi())
}

/// Anything else under `/adminapi/` (`$batch`, ...) is not emulated.
async fn not_emulated(OriginalUri(uri): OriginalUri) -> ExoError {
    ExoError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!(
            "The simulator does not emulate '{}': only POST .../InvokeCommand (see COVERAGE.md).",
            uri.path()
        ),
        "Microsoft.Exchange.Admin.OData.ResourceNotFoundException",
    )
}
