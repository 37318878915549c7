//! Request extractors that answer bad input with the API's error shape.
//!
//! axum's own `Json` answers a malformed body with plain text; ours checks
//! the content type, the UTF-8, the JSON syntax and the types, and names the
//! JSON path of the first field at fault (`items[3].text`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, decoded with field-level errors.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("application/json") || v.contains("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "请求体须为 JSON（Content-Type: application/json）",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
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
        })?;
        decode(&bytes).map(Json)
    }
}

/// Decodes a JSON document, naming the field at fault.
///
/// The text is parsed first (syntax errors carry line and column), then
/// integer-valued numbers written with a fraction (`4.0`) are read as the
/// integers they are, as JSON Schema counts them, and only then is the
/// value decoded into `T` (type errors carry the JSON path of the field).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-utf8",
            format!("请求体不是有效的 UTF-8（第 {} 字节）", e.valid_up_to()),
            format!("the body is not valid UTF-8 (at byte {})", e.valid_up_to()),
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|inner| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-json",
            format!(
                "JSON 格式错误（第 {} 行第 {} 列）：{inner}",
                inner.line(),
                inner.column()
            ),
            format!(
                "malformed JSON at line {} column {}: {inner}",
                inner.line(),
                inner.column()
            ),
        )
    })?;
    integral(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." { String::new() } else { path };
        let err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-field",
            if field.is_empty() {
                format!("请求体不合要求：{inner}")
            } else {
                format!("字段 `{field}` 不合要求：{inner}")
            },
            format!(
                "{}: {inner}",
                if field.is_empty() {
                    "the body"
                } else {
                    field.as_str()
                }
            ),
        );
        if field.is_empty() {
            err
        } else {
            err.field(field)
        }
    })
}

/// Rewrites integer-valued floats (`4.0`) as integers, everywhere in `v`.
fn integral(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(integral),
        Value::Object(o) => o.values_mut().for_each(integral),
        _ => {}
    }
}

/// A query string, decoded with field-level errors.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad-query",
                    format!("查询参数错误 `{q}`：{}", e.body_text()),
                    format!("bad query `{q}`: {}", e.body_text()),
                )
            })
    }
}

/// The `Idempotency-Key` header as the OpenAPI document describes it, for
/// the `params(...)` of every write that honours one.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Retry key: 1 to 200 visible ASCII characters. A retry with the same
    /// key changes nothing and answers with the original result's position.
    #[serde(rename = "Idempotency-Key")]
    #[param(min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")]
    pub key: Option<String>,
}

/// The longest `Idempotency-Key` accepted.
pub const MAX_KEY: usize = 200;

/// The `Idempotency-Key` header, checked: 1 to 200 visible ASCII characters.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let b = v.as_bytes();
    if b.is_empty() || b.len() > MAX_KEY || !b.iter().all(|c| (b'!'..=b'~').contains(c)) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            format!("Idempotency-Key 须为 1 到 {MAX_KEY} 个可见 ASCII 字符"),
            format!("Idempotency-Key must be 1 to {MAX_KEY} visible ASCII characters"),
        ));
    }
    Ok(Some(String::from_utf8_lossy(b).into_owned()))
}
