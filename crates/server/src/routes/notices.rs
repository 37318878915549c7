//! The notice outbox and webhooks.
//!
//! - `GET /v1/notices`: operator and reviewer see every notice; a provider
//!   only those addressed to its own subject. Each notice is shown as the
//!   engine writes it (recipient, case, rule and its clause, text in
//!   Chinese and English) with `acked`.
//! - `POST /v1/notices/{id}/ack`: operator, or a provider for its own
//!   subject's notice; stored once (`server.notice.acked:{id}`), so a repeat
//!   changes nothing. Acknowledging is for the outbox reader; it does not
//!   stop or repeat webhook deliveries.
//! - `POST /v1/webhooks`, `GET /v1/webhooks`, `DELETE /v1/webhooks/{id}`:
//!   operator (its webhooks receive every notice, and it sees and deletes
//!   every webhook) or provider (its webhooks receive only its subject's
//!   notices; it sees and deletes only its own). Delivery, signatures and
//!   retries: [`crate::webhooks`].
//!
//! As everywhere in enforcement, another subject's notice or webhook does
//! not exist for a provider: 404, exactly as for an unknown id.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use bylaw_store::NewEvent;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, St};
use crate::auth::{Principal, Role};
use crate::enforcement::{fnv, notice_json};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::{now, AppState};
use crate::webhooks::{
    random_hex, server_events, Policy, Webhook, NOTICE_ACKED, WEBHOOK_DELETED, WEBHOOK_REGISTERED,
};

/// Most notices one page holds.
const MAX_PAGE: usize = 10_000;
/// Notices per page unless `limit` says otherwise.
const DEFAULT_PAGE: usize = 1_000;
/// Longest webhook URL.
const MAX_URL: usize = 2_048;

/// The subject a provider is confined to (`None`: operator or reviewer, who see all).
fn confined(p: &Principal) -> Option<&str> {
    (p.role == Role::Provider).then(|| p.owner.as_deref().unwrap_or(""))
}

/// Which notices to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// Only notices with this id or a later one (ids start at 0; pass the
    /// previous page's `next` to read on).
    #[param(minimum = 0, maximum = 4294967295_u64)]
    pub since: Option<u32>,
    /// Only notices not yet acknowledged.
    pub unacked: Option<bool>,
    /// Most notices to return (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
}

/// A page of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeList {
    /// Notices, oldest first, each with `acked`.
    #[schema(value_type = Vec<Object>)]
    pub notices: Vec<Value>,
    /// The `since` of the next page, when there is more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<usize>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

/// The notice outbox (a provider: its own subject's notices only).
#[utoipa::path(get, path = "/v1/notices", tag = "notices", params(NoticeQuery), responses(
    (status = 200, body = NoticeList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    s: St,
    Extension(p): Extension<Principal>,
    Query(q): Query<NoticeQuery>,
) -> Result<axum::Json<NoticeList>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let limit = q.limit.map_or(DEFAULT_PAGE, |n| n as usize);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::invalid(
            "limit",
            format!("limit 须在 1 到 {MAX_PAGE} 之间"),
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
    }
    let owner = confined(&p).map(str::to_string);
    let (since, unacked) = (
        q.since.map_or(0, |n| n as usize),
        q.unacked.unwrap_or(false),
    );
    let st = s.0.clone();
    let (notices, next) = blocking(move || {
        // Engine first, then the server events (the lock order of `webhooks`).
        let e = st.enforce.read();
        let server = server_events(&st);
        let mut out = Vec::new();
        let mut next = None;
        for n in e.notices().iter_from(since) {
            if owner.as_deref().is_some_and(|o| o != &*n.subject) {
                continue;
            }
            let acked = server.acked.contains(&n.id);
            if unacked && acked {
                continue;
            }
            if out.len() == limit {
                next = Some(n.id);
                break;
            }
            let mut v = notice_json(&e, n);
            if let Value::Object(o) = &mut v {
                o.insert("acked".into(), Value::Bool(acked));
            }
            out.push(v);
        }
        Ok((out, next))
    })
    .await?;
    Ok(axum::Json(NoticeList {
        notices,
        next,
        rulebook_version: s.version.get().rulebook_version().to_string(),
    }))
}

/// A request body read to its end and ignored, so that the connection
/// stays reusable (hyper may close one whose body was left unread).
#[derive(Debug)]
pub struct Drained;

impl<S: Send + Sync> axum::extract::FromRequest<S> for Drained {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(|_| Drained)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too-large",
                        "请求体超过大小上限",
                        "the body is over the size limit",
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "bad-body",
                        format!("无法读取请求体：{e}"),
                        format!("cannot read the body: {e}"),
                    )
                }
            })
    }
}

/// An acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AckAnswer {
    /// The notice.
    pub id: usize,
    /// Always true.
    pub acked: bool,
    /// It was already acknowledged: nothing changed now.
    pub repeat: bool,
}

/// Acknowledges a notice (operator; a provider its own subject's).
#[utoipa::path(post, path = "/v1/notices/{id}/ack", tag = "notices",
    params(("id" = String, Path, description = "Notice id (digits)")),
    responses((status = 200, body = AckAnswer), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn ack(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    _body: Drained,
) -> Result<axum::Json<AckAnswer>, ApiError> {
    p.require(&[Role::Provider])?;
    let missing = || ApiError::not_found("通知 notice", &id);
    let n: usize = id.parse().map_err(|_| missing())?;
    {
        let e = s.enforce.read();
        let notice = e.notices().get(n).ok_or_else(missing)?;
        if confined(&p).is_some_and(|o| o != &*notice.subject) {
            return Err(missing());
        }
    }
    let st = s.0.clone();
    let by = p.key_id.clone();
    let stored = blocking(move || {
        st.append_server(&[NewEvent {
            key: format!("{NOTICE_ACKED}:{n}"),
            at: bylaw_enforce::time::format(now()),
            kind: NOTICE_ACKED.into(),
            payload: json!({ "notice": n, "by": by }).to_string(),
        }])
        .map_err(|e| ApiError::store(&e))
    })
    .await?;
    Ok(axum::Json(AckAnswer {
        id: n,
        acked: true,
        repeat: !stored.first().is_some_and(|s| s.1),
    }))
}

/// A webhook to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where notices are POSTed: `http://host[:port][/path][?query]` only, at
    /// a public address unless the server allows private ones
    /// (`--webhook-allow-private`).
    #[schema(
        max_length = 2048,
        pattern = "^http://[A-Za-z0-9.-]+(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?([/?][A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"
    )]
    pub url: String,
    /// The signing secret (16 to 256 characters; generated when absent).
    #[serde(default)]
    #[schema(min_length = 16, max_length = 256)]
    pub secret: Option<String>,
}

/// A webhook (its secret only in the answer that registered it).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookInfo {
    /// Id.
    pub id: String,
    /// Where notices are POSTed.
    pub url: String,
    /// Provider webhooks: the subject whose notices it receives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The signing secret, shown when registering only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// A retry of an earlier registration (same `Idempotency-Key`): nothing changed now.
    pub repeat: bool,
}

fn info(w: &Webhook, secret: bool, repeat: bool) -> WebhookInfo {
    WebhookInfo {
        id: w.id.clone(),
        url: w.url.clone(),
        owner: w.owner.clone(),
        secret: secret.then(|| w.secret.clone()),
        repeat,
    }
}

/// Whether `url` reads `http://host[:port][/path][?query]`, exactly as the
/// schema's pattern says: a host of ASCII letters, digits, `.` and `-`; a
/// port from 1 to 65535; then RFC 3986 path and query characters.
fn plain_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && !p.starts_with('0')
            && p.bytes().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    });
    let tail_ok = tail
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"._~!$&'()*+,;=:@%/?-".contains(&c));
    host_ok && port_ok && tail_ok
}

/// The host of a URL [`plain_http`] accepted.
fn host_of(url: &str) -> &str {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let end = rest.find([':', '/', '?']).unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest)
}

fn check_url(url: &str, allow_private: bool) -> Result<(), ApiError> {
    if url.chars().count() > MAX_URL {
        return Err(ApiError::invalid(
            "url",
            format!("URL 长度超过 {MAX_URL}"),
            format!("the URL is longer than {MAX_URL}"),
        ));
    }
    if !plain_http(url) {
        return Err(ApiError::invalid(
            "url",
            format!("URL `{url}` 不可用：只支持 http://主机[:端口][/路径]（本服务没有 TLS 客户端）"),
            format!("URL `{url}` cannot be used: only http://host[:port][/path] (there is no TLS client here)"),
        ));
    }
    if allow_private {
        return Ok(());
    }
    // Names are checked again at every delivery, on the addresses they
    // resolve to then (crate::webhooks::non_public); literals and
    // `localhost` can be refused now.
    let host = host_of(url).trim_end_matches('.').to_ascii_lowercase();
    let why = match host.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => crate::webhooks::non_public(ip.into()),
        Err(_) if host == "localhost" || host.ends_with(".localhost") => {
            crate::webhooks::non_public(std::net::Ipv4Addr::LOCALHOST.into())
        }
        Err(_) => None,
    };
    match why {
        Some(why) => Err(ApiError::invalid(
            "url",
            format!(
                "URL `{url}` 指向{}地址：webhook 只能发往公网地址（服务端以 --webhook-allow-private 启动时除外）",
                why.zh
            ),
            format!(
                "URL `{url}` points to a {} address: webhooks reach public addresses only (unless the server runs with --webhook-allow-private)",
                why.en
            ),
        )),
        None => Ok(()),
    }
}

/// Registers a webhook: 201 with its id and signing secret (shown this once).
/// With `Idempotency-Key`, a retry answers 200 with the same webhook.
#[utoipa::path(post, path = "/v1/webhooks", tag = "notices", request_body = NewWebhook,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = WebhookInfo), (status = 200, body = WebhookInfo),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn register(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewWebhook>,
) -> Result<(StatusCode, axum::Json<WebhookInfo>), ApiError> {
    p.require(&[Role::Provider])?;
    let retry = crate::extract::idempotency_key(&headers)?;
    check_url(&b.url, s.config.webhook_private)?;
    let secret = match b.secret {
        Some(x) if (16..=256).contains(&x.chars().count()) => x,
        Some(_) => {
            return Err(ApiError::invalid(
                "secret",
                "签名密钥须为 16 到 256 个字符",
                "the signing secret must be 16 to 256 characters",
            ))
        }
        None => random_hex(24).map_err(ApiError::internal)?,
    };
    let id = match &retry {
        Some(k) => format!("wh_{}", fnv(&format!("{}:{k}", p.key_id))),
        None => format!("wh_{}", random_hex(8).map_err(ApiError::internal)?),
    };
    let hook = Webhook {
        id: id.clone(),
        url: b.url,
        secret,
        owner: confined(&p).map(str::to_string),
    };
    let payload = serde_json::to_string(&hook).map_err(ApiError::internal)?;
    let st = s.0.clone();
    let stored = blocking(move || {
        st.append_server(&[NewEvent {
            key: format!("{WEBHOOK_REGISTERED}:{id}"),
            at: bylaw_enforce::time::format(now()),
            kind: WEBHOOK_REGISTERED.into(),
            payload,
        }])
        .map_err(|e| ApiError::store(&e))
    })
    .await?;
    if stored.first().is_some_and(|s| s.1) {
        return Ok((StatusCode::CREATED, axum::Json(info(&hook, true, false))));
    }
    // A retry: answer with what the first registration stored.
    let earlier = server_events(&s).webhooks.get(&hook.id).cloned();
    match earlier {
        Some(w) if w.url == hook.url => Ok((StatusCode::OK, axum::Json(info(&w, true, true)))),
        Some(_) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency-conflict",
            "该 Idempotency-Key 已用于另一个请求",
            "this Idempotency-Key was used for a different request",
        )
        .field("Idempotency-Key")),
        None => Err(ApiError::conflict(
            "以该 Idempotency-Key 注册的 webhook 已被删除",
            "the webhook registered with this Idempotency-Key has been deleted",
        )),
    }
}

/// The webhooks this key may see: an operator all, a provider its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Webhooks, by id (no secrets).
    pub webhooks: Vec<WebhookInfo>,
}

/// Lists webhooks (operator: all; provider: its own).
#[utoipa::path(get, path = "/v1/webhooks", tag = "notices", responses(
    (status = 200, body = WebhookList), (status = 403, body = ErrorBody)))]
pub async fn list_webhooks(
    s: St,
    Extension(p): Extension<Principal>,
) -> Result<axum::Json<WebhookList>, ApiError> {
    p.require(&[Role::Provider])?;
    let owner = confined(&p);
    let mut webhooks: Vec<WebhookInfo> = server_events(&s)
        .webhooks
        .values()
        .filter(|w| owner.is_none() || w.owner.as_deref() == owner)
        .map(|w| info(w, false, false))
        .collect();
    webhooks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(axum::Json(WebhookList { webhooks }))
}

/// Deletes a webhook (operator: any; provider: its own); deliveries stop.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "notices",
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn delete_webhook(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    p.require(&[Role::Provider])?;
    let mine = {
        let server = server_events(&s);
        server
            .webhooks
            .get(&id)
            .is_some_and(|w| match confined(&p) {
                None => true,
                Some(o) => w.owner.as_deref() == Some(o),
            })
    };
    if !mine {
        return Err(ApiError::not_found("webhook", &id));
    }
    let st = s.0.clone();
    blocking(move || {
        st.append_server(&[NewEvent {
            key: format!("{WEBHOOK_DELETED}:{id}"),
            at: bylaw_enforce::time::format(now()),
            kind: WEBHOOK_DELETED.into(),
            payload: json!({ "id": id }).to_string(),
        }])
        .map_err(|e| ApiError::store(&e))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(ack))
        .routes(routes!(register, list_webhooks))
        .routes(routes!(delete_webhook))
}

/// Starts the webhook deliverer ([`crate::webhooks`]); abort the task to stop it.
pub fn start_deliveries(state: Arc<AppState>) -> tokio::task::JoinHandle<()> {
    let policy = Policy {
        allow_private: state.config.webhook_private,
        ..Policy::default()
    };
    crate::webhooks::start(state, policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_url_open(url: &str) -> Result<(), ApiError> {
        check_url(url, true)
    }

    #[test]
    fn non_public_literals_and_localhost_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://10.1.2.3/",
            "http://172.20.0.1/",
            "http://192.168.1.1:8080/x",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://localhost:8080/",
            "http://LocalHost/",
            "http://api.localhost/",
            "http://localhost./",
        ] {
            let e = check_url(url, false).expect_err(url);
            assert_eq!(e.field.as_deref(), Some("url"), "{url}");
            assert!(e.message.contains("公网"), "{url}: {}", e.message);
            assert!(check_url(url, true).is_ok(), "{url} with private allowed");
        }
        for url in [
            "http://8.8.8.8/hook",
            "http://172.32.0.1/",
            "http://hooks.example.com:8080/a?b=1",
            "http://localhost.example.com/",
        ] {
            assert!(check_url(url, false).is_ok(), "{url}");
        }
        assert_eq!(host_of("http://h:1/p"), "h");
        assert_eq!(host_of("http://h?x"), "h");
        assert_eq!(host_of("http://h"), "h");
    }

    #[test]
    fn only_plain_http_urls_with_a_host() {
        assert!(check_url_open("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url_open("http://hooks.example.com/a/b?x=1&y=%20").is_ok());
        assert!(check_url_open("http://h:65535").is_ok());
        assert!(check_url_open("http://h:65536/").is_err());
        assert!(check_url_open("http://h:0/").is_err());
        assert!(check_url_open("http://h:08/").is_err());
        assert!(check_url_open("http://h:1:2/").is_err());
        assert!(check_url_open("http://").is_err());
        assert!(check_url_open("http://h/a b").is_err());
        assert!(check_url_open("http://h/#frag").is_err());
        assert!(check_url_open("http://[::1]/").is_err());
        assert!(check_url_open("https://example.com/hook").is_err());
        assert!(check_url_open("ftp://example.com/").is_err());
        assert!(check_url_open("not a url").is_err());
        assert!(check_url_open("/relative").is_err());
        assert!(check_url_open(&format!("http://h/{}", "a".repeat(MAX_URL))).is_err());
    }
}
