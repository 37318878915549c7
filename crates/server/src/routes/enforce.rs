//! enforce routes.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
}
