//! Health, readiness, metrics, the OpenAPI document and its browsable page.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::St;
use crate::state::AppState;

/// Liveness and the versions in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Rulebook version.
    pub rulebook_version: String,
    /// Lexicon version.
    pub lexicon_version: String,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, body = Health)))]
pub async fn healthz(s: St) -> axum::Json<Health> {
    let v = s.version.get();
    axum::Json(Health {
        status: "ok".into(),
        rulebook_version: v.rulebook_version().into(),
        lexicon_version: v.lexicon_version().into(),
    })
}

/// The node can serve: rules loaded and the database answering.
#[utoipa::path(get, path = "/readyz", tag = "meta", responses(
    (status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(s: St) -> Response {
    let st = s.0.clone();
    let ok = tokio::task::spawn_blocking(move || st.refresh_server())
        .await
        .map(|r| r.map_err(|e| e.to_string()))
        .unwrap_or_else(|e| Err(e.to_string()));
    match ok {
        Ok(()) => healthz(s).await.into_response(),
        Err(e) => crate::error::ApiError::unavailable(e).into_response(),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "meta", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(s: St) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

/// The documented routes of this module.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Completes the document: every `/v1` operation (but the document and its
/// page) needs a key and may answer 401, 429 and 503; every operation with
/// a body may answer 400, 413, 415 and 422; closed value sets are listed.
pub fn secure(api: &mut OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |what: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
                        .build(),
                )
                .build(),
        )
    };
    let kinds: Vec<&str> = bylaw_rulebook::Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    for (path, item) in api.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let r = &mut op.responses.responses;
            if path.starts_with("/v1/") {
                op.security = Some(vec![SecurityRequirement::new(
                    "api_key",
                    Vec::<String>::new(),
                )]);
                r.entry("401".into())
                    .or_insert_with(|| error("No or unknown API key"));
                r.entry("429".into())
                    .or_insert_with(|| error("Rate limit of the key reached"));
                r.entry("503".into())
                    .or_insert_with(|| error("Storage unavailable; retry"));
            }
            if op.request_body.is_some() {
                r.entry("400".into())
                    .or_insert_with(|| error("Malformed body (JSON, UTF-8)"));
                r.entry("413".into())
                    .or_insert_with(|| error("Body, text or batch over its limit"));
                r.entry("415".into())
                    .or_insert_with(|| error("Unsupported content type"));
                r.entry("422".into())
                    .or_insert_with(|| error("A field of the wrong type or value"));
            }
            for p in op.parameters.iter_mut().flatten() {
                if path == "/v1/rules" && p.name == "kind" {
                    p.schema = Some(RefOr::T(utoipa::openapi::schema::Schema::Object(
                        utoipa::openapi::schema::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::String)
                            .enum_values(Some(kinds.clone()))
                            .build(),
                    )));
                }
            }
        }
    }
}

/// `/v1/openapi.json` and `/v1/docs` (a page built from the document, with
/// no script and nothing fetched from elsewhere).
pub fn docs(doc: Arc<OpenApi>) -> Router<Arc<AppState>> {
    let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let page = page(&doc);
    Router::new()
        .route(
            "/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json) }
            }),
        )
        .route(
            "/v1/docs",
            get(move || {
                let page = page.clone();
                async move { (StatusCode::OK, Html(page)) }
            }),
        )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(doc: &OpenApi) -> String {
    let mut out = String::from(
        "<!doctype html><meta charset=utf-8><title>bylaw API</title>\
         <style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}\
         code{background:#f4f4f4;padding:0 .2em}.m{display:inline-block;width:4.5em;font-weight:bold}\
         details{margin:.3em 0}summary{cursor:pointer}pre{background:#f8f8f8;padding:.5em;overflow:auto}</style>",
    );
    let _ = write!(
        out,
        "<h1>bylaw API {}</h1><p>{}</p><p>Machine-readable: <a href=\"/v1/openapi.json\">/v1/openapi.json</a></p>",
        esc(&doc.info.version),
        esc(doc.info.description.as_deref().unwrap_or(""))
    );
    let mut tags: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (path, item) in &doc.paths.paths {
        for (m, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ] {
            let Some(op) = op else { continue };
            let tag = op
                .tags
                .as_ref()
                .and_then(|t| t.first().cloned())
                .unwrap_or_else(|| "other".into());
            let mut s = format!(
                "<details><summary><span class=m>{m}</span><code>{}</code> {}</summary>",
                esc(path),
                esc(op.summary.as_deref().unwrap_or(""))
            );
            if let Some(d) = &op.description {
                let _ = write!(s, "<p>{}</p>", esc(d));
            }
            if let Some(params) = &op.parameters {
                s.push_str("<ul>");
                for p in params {
                    let _ = write!(
                        s,
                        "<li><code>{}</code> ({}) {}</li>",
                        esc(&p.name),
                        serde_json::to_string(&p.parameter_in).unwrap_or_default(),
                        esc(p.description.as_deref().unwrap_or(""))
                    );
                }
                s.push_str("</ul>");
            }
            if let Ok(j) = serde_json::to_string_pretty(&op.responses) {
                let _ = write!(s, "<pre>{}</pre>", esc(&j));
            }
            s.push_str("</details>");
            tags.entry(tag).or_default().push(s);
        }
    }
    for (tag, ops) in tags {
        let _ = write!(out, "<h2>{}</h2>", esc(&tag));
        for o in ops {
            out.push_str(&o);
        }
    }
    out
}
