//! bylaw over HTTP.
//!
//! One node is an axum server in front of the pure engines (rulebook,
//! textguard, review, enforce, tenant) and the shared event log
//! (`bylaw-store`: SQLite by default, PostgreSQL for several nodes). The
//! engines decide; this crate authenticates, limits, decodes, stores and
//! answers:
//!
//! - [`state::AppState`]: the loaded rules ([`version`]), the enforcement
//!   engine ([`enforcement`]), the tenant journal, API keys ([`auth`]),
//!   metrics, rate limits and the audit writer;
//! - [`routes`]: one module per capability, every handler documented in the
//!   OpenAPI document served at `/v1/openapi.json`;
//! - [`gate`]: the middleware every `/v1` request passes: request id,
//!   authentication, rate limit, metrics, structured log and audit entry.
//!
//! Writes are durable before they are acknowledged and carry idempotency
//! keys, so a client retrying after a timeout or a crash applies nothing
//! twice.

pub mod auth;
pub mod enforcement;
pub mod error;
pub mod extract;
pub mod gate;
pub mod metrics;
pub mod routes;
pub mod state;
pub mod version;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use state::{AppState, Limits, ServeConfig};
pub use version::Sourcing;

/// The OpenAPI document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "bylaw",
        description = "Executable platform rulebooks: rules, content scan, listing review, enforcement and tenants. Errors are `{error: {code, message, message_en, field?}}`. Authenticate with `Authorization: Bearer bylaw_<id>_<secret>`.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&Security),
    components(schemas(error::ErrorBody, error::ErrorDetail, auth::Role))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The application's routes and the OpenAPI document describing them.
pub fn app(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    let limits = state.config.limits.clone();
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::meta::routes())
        .merge(routes::rules::routes())
        .merge(routes::scan::routes())
        .merge(routes::admin::routes())
        .merge(routes::enforce::routes())
        .merge(routes::tenant::routes())
        .merge(routes::review::routes(&limits))
        .merge(routes::notices::routes())
        .split_for_parts();
    routes::meta::secure(&mut api);
    let doc = Arc::new(api.clone());
    let router = router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .merge(routes::meta::docs(doc))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .with_state(state);
    (router, api)
}

/// Runs a node until SIGINT or SIGTERM: stops accepting, finishes requests
/// in flight, stores the queued audit entries. SIGHUP reloads the rules.
pub async fn serve(state: Arc<AppState>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let (router, _) = app(state.clone());
    let poller = tokio::spawn(poll(state.clone()));
    let webhooks = routes::notices::start_deliveries(state.clone());
    #[cfg(unix)]
    let hup = tokio::spawn(reload_on_hup(state.clone()));
    let result = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    poller.abort();
    webhooks.abort();
    #[cfg(unix)]
    hup.abort();
    let s = state.clone();
    let _ = tokio::task::spawn_blocking(move || s.flush()).await;
    tracing::info!("stopped");
    result
}

async fn poll(state: Arc<AppState>) {
    let every = state.config.poll.max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || s.refresh()).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "could not pick up new events"),
            Err(e) => tracing::warn!(error = %e, "poller task failed"),
            Ok(Ok(())) => {}
        }
    }
}

#[cfg(unix)]
async fn reload_on_hup(state: Arc<AppState>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        return;
    };
    while hup.recv().await.is_some() {
        let s = state.clone();
        let _ = tokio::task::spawn_blocking(move || s.reload()).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
