//! Notices outbox and webhooks.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
}

/// Starts the webhook deliverer.
pub fn start_deliveries(state: Arc<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _ = state;
    })
}
