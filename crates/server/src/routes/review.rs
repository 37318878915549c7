//! Listing review routes.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;

use crate::state::{AppState, Limits};

/// The routes.
pub fn routes(_limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
}
