//! The one error shape of the API: `{"error": {code, message, message_en, field?}}`.
//!
//! Every failure a client can cause is a 4xx with a stable `code`, a Chinese
//! `message`, its English `message_en` and, where one field is at fault, its
//! JSON path in `field`. Storage that cannot be written right now is a 503
//! (`unavailable`), which a client may retry with the same idempotency key.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An API error: status, stable code, bilingual message and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (`bad-json`, `forbidden`, …).
    pub code: &'static str,
    /// Message in Chinese.
    pub message: String,
    /// Message in English.
    pub message_en: String,
    /// JSON path of the offending field, if one is at fault.
    pub field: Option<String>,
}

/// The body of an error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    pub code: String,
    /// Message in Chinese.
    pub message: String,
    /// Message in English.
    pub message_en: String,
    /// JSON path of the offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a status, code and both messages.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: zh.into(),
            message_en: en.into(),
            field: None,
        }
    }

    /// The same error, naming the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 400: a field has a bad value.
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", zh, en).field(field)
    }

    /// 401: no or unknown API key.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "缺少或无效的 API 密钥（Authorization: Bearer <key>）",
            "missing or invalid API key (Authorization: Bearer <key>)",
        )
    }

    /// 403: the key's role or ownership does not allow this.
    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", zh, en)
    }

    /// 404: no such resource.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("未找到{what} `{id}`"),
            format!("no {what} `{id}`"),
        )
    }

    /// 409: the request conflicts with the current state (a refused transition).
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "refused", zh, en)
    }

    /// 413: a body, text, image or batch over its limit.
    pub fn too_large(field: &str, what_zh: &str, what_en: &str, limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("{what_zh}超过上限 {limit}"),
            format!("{what_en} over the limit of {limit}"),
        )
        .field(field)
    }

    /// 503: storage cannot be written right now; retry with the same key.
    pub fn unavailable(detail: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("存储暂不可用，请稍后用同一幂等键重试：{detail}"),
            format!("storage unavailable, retry later with the same idempotency key: {detail}"),
        )
    }

    /// 500: a fault of the server (logged with the request id).
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("服务器内部错误：{detail}"),
            format!("internal error: {detail}"),
        )
    }

    /// Maps a storage error: 503 when the database is out of reach, else 500.
    pub fn store(e: &bylaw_store::StoreError) -> ApiError {
        if store_unavailable(e) {
            ApiError::unavailable(e)
        } else {
            ApiError::internal(e)
        }
    }
}

/// Whether a storage error means "out of reach right now" (503) rather than a fault.
pub fn store_unavailable(e: &bylaw_store::StoreError) -> bool {
    e.is_unavailable()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message_en, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                message_en: self.message_en,
                field: self.field,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message_en
        )
    }
}

impl std::error::Error for ApiError {}
