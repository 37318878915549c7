//! The routes, one module per capability.

pub mod admin;
pub mod enforce;
pub mod meta;
pub mod notices;
pub mod review;
pub mod rules;
pub mod scan;
pub mod tenant;

use std::sync::Arc;

use crate::error::ApiError;
use crate::state::AppState;

/// The shared state, as handlers take it.
pub type St = axum::extract::State<Arc<AppState>>;

/// Runs blocking work (the store, replay) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}
