//! The middleware every routed request passes.
//!
//! In order: a request id (the caller's `x-request-id` when it is sane,
//! else a fresh one, echoed in the response); for `/v1` routes other than
//! the OpenAPI document and its page, the API key (401 without a valid
//! one) and its rate limit (429 with `retry-after`); then the handler; then
//! the metrics, one structured log line, and for every write (any method
//! but GET and HEAD, whatever its outcome, except the POSTs that only ask a
//! question: scan, review, tenant checks) an audit entry on the log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bylaw_store::NewEvent;
use serde_json::json;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::{now, AppState};

/// The request id of the request being served (a request extension).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn boot_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let mut b = [0u8; 4];
        if getrandom::fill(&mut b).is_err() {
            b = (now() as u32).to_le_bytes();
        }
        format!("{:08x}", u32::from_le_bytes(b))
    })
}

fn next_id() -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    format!("{}-{:x}", boot_tag(), N.fetch_add(1, Ordering::Relaxed))
}

fn sane_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
    .then(|| s.to_string())
}

/// POST routes that judge without changing anything: not audited as writes
/// (a scan is a question, not a change; auditing each one would put an
/// fsync'd append behind every moderation call).
const QUESTIONS: [&str; 5] = [
    "/v1/scan",
    "/v1/scan/batch",
    "/v1/wxa/msg_sec_check",
    "/v1/review",
    "/v1/tenants/{id}/checks",
];

/// Whether a request changes state, and so gets an audit entry.
fn is_write(method: &Method, route: &str) -> bool {
    *method != Method::GET && *method != Method::HEAD && !QUESTIONS.contains(&route)
}

/// Paths that need no key.
fn public(path: &str) -> bool {
    !path.starts_with("/v1/") || path == "/v1/openapi.json" || path == "/v1/docs"
}

/// The token presented: `Authorization: Bearer …` or `x-api-key`.
fn token(req: &Request) -> Option<&str> {
    let h = req.headers();
    if let Some(v) = h.get("authorization").and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(t.trim());
        }
    }
    h.get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The middleware.
pub async fn gate(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(sane_id)
        .unwrap_or_else(next_id);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    req.extensions_mut().insert(RequestId(rid.clone()));
    let mut principal: Option<Principal> = None;
    let mut response = if public(&path) {
        next.run(req).await
    } else {
        match token(&req).and_then(|t| state.keys.authenticate(t)) {
            None => ApiError::unauthenticated().into_response(),
            Some(p) => {
                let cfg = &state.config;
                match state.limiter.take(&p.key_id, cfg.rate, cfg.burst) {
                    Err(wait) => {
                        let mut r = ApiError::new(
                            StatusCode::TOO_MANY_REQUESTS,
                            "rate-limited",
                            format!("请求过于频繁：每个密钥每秒至多 {} 次", cfg.rate),
                            format!("too many requests: at most {} per second per key", cfg.rate),
                        )
                        .into_response();
                        if let Ok(v) = HeaderValue::from_str(&format!("{}", wait.ceil().max(1.0))) {
                            r.headers_mut().insert("retry-after", v);
                        }
                        principal = Some(p);
                        r
                    }
                    Ok(()) => {
                        req.extensions_mut().insert(p.clone());
                        principal = Some(p);
                        next.run(req).await
                    }
                }
            }
        }
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        response.headers_mut().insert("x-request-id", v);
    }
    let status = response.status().as_u16();
    let secs = start.elapsed().as_secs_f64();
    state.metrics.request(&route, method.as_str(), status, secs);
    let key = principal.as_ref().map_or("-", |p| p.key_id.as_str());
    tracing::info!(
        request_id = %rid, method = %method, route = %route, status,
        key, micros = (secs * 1e6) as u64, "request"
    );
    if is_write(&method, &route) && !public(&path) {
        let entry = json!({
            "request_id": rid, "key": principal.as_ref().map(|p| &p.key_id),
            "role": principal.as_ref().map(|p| p.role.as_str()),
            "method": method.as_str(), "path": path, "route": route, "status": status,
        });
        state.audit(NewEvent {
            key: format!("audit:{}:{}", rid, next_id()),
            at: bylaw_enforce::time::format(now()),
            kind: "audit.write".into(),
            payload: entry.to_string(),
        });
    }
    response
}
