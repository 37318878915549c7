//! Operator administration: reload the rules, manage API keys.

use std::sync::Arc;

use axum::extract::Path;
use axum::Extension;
use bylaw_store::NewEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, St};
use crate::auth::{generate, Principal, Role, KEY_REVOKED};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::{now, AppState};

/// The versions now in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    /// Rulebook version.
    pub rulebook_version: String,
    /// Lexicon version.
    pub lexicon_version: String,
    /// Lexicon lines left out (`file:line: message`).
    pub warnings: Vec<String>,
}

/// Reloads rulebook and lexicons without a restart (also on SIGHUP).
/// Requests in flight finish on the old version; a failed reload keeps it.
#[utoipa::path(post, path = "/v1/admin/reload", tag = "admin", responses(
    (status = 200, body = Reloaded), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reload(
    s: St,
    Extension(p): Extension<Principal>,
) -> Result<axum::Json<Reloaded>, ApiError> {
    p.require(&[])?;
    let st = s.0.clone();
    let v = blocking(move || {
        st.reload().map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "reload-failed",
                format!("重新加载失败，仍使用当前版本：{e}"),
                format!("reload failed, the current version stays: {e}"),
            )
        })
    })
    .await?;
    Ok(axum::Json(Reloaded {
        rulebook_version: v.rulebook_version().into(),
        lexicon_version: v.lexicon_version().into(),
        warnings: v.warnings.clone(),
    }))
}

/// A key to create: its role, and the owner the role needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum NewKey {
    /// Everything.
    Operator {
        /// A label for people.
        #[serde(default)]
        label: String,
    },
    /// Listing review and enforcement decisions.
    Reviewer {
        /// A label for people.
        #[serde(default)]
        label: String,
    },
    /// Text scanning only.
    Scanner {
        /// A label for people.
        #[serde(default)]
        label: String,
    },
    /// A provider: its own subject's targets.
    Provider {
        /// Its subject id.
        owner: String,
        /// A label for people.
        #[serde(default)]
        label: String,
    },
    /// A tenant administrator acting as one member of its tenant.
    TenantAdmin {
        /// Its tenant id.
        owner: String,
        /// The member it acts as.
        member: String,
        /// A label for people.
        #[serde(default)]
        label: String,
    },
}

impl NewKey {
    fn parts(self) -> (Role, Option<String>, Option<String>, String) {
        match self {
            NewKey::Operator { label } => (Role::Operator, None, None, label),
            NewKey::Reviewer { label } => (Role::Reviewer, None, None, label),
            NewKey::Scanner { label } => (Role::Scanner, None, None, label),
            NewKey::Provider { owner, label } => (Role::Provider, Some(owner), None, label),
            NewKey::TenantAdmin {
                owner,
                member,
                label,
            } => (Role::TenantAdmin, Some(owner), Some(member), label),
        }
    }
}

/// A key (never its secret, except once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyInfo {
    /// Id.
    pub id: String,
    /// Role.
    pub role: Role,
    /// Owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Label.
    pub label: String,
    /// The token, shown once at creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Creates an API key; the token is in this response only (the store keeps its hash).
#[utoipa::path(post, path = "/v1/admin/keys", tag = "admin", request_body = NewKey, responses(
    (status = 201, body = KeyInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_key(
    s: St,
    Extension(p): Extension<Principal>,
    Json(k): Json<NewKey>,
) -> Result<(axum::http::StatusCode, axum::Json<KeyInfo>), ApiError> {
    p.require(&[])?;
    let (role, owner, member, label) = k.parts();
    let (token, rec) = generate(role, owner, member, &label)
        .map_err(|e| ApiError::invalid("owner", format!("缺少归属：{e}"), e))?;
    let st = s.0.clone();
    let stored = rec.clone();
    blocking(move || st.add_key(&stored).map_err(|e| ApiError::store(&e))).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(KeyInfo {
            id: rec.id,
            role: rec.role,
            owner: rec.owner,
            member: rec.member,
            label: rec.label,
            token: Some(token),
        }),
    ))
}

/// Lists keys (ids, roles, owners; no secrets).
#[utoipa::path(get, path = "/v1/admin/keys", tag = "admin", responses(
    (status = 200, body = Vec<KeyInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_keys(
    s: St,
    Extension(p): Extension<Principal>,
) -> Result<axum::Json<Vec<KeyInfo>>, ApiError> {
    p.require(&[])?;
    Ok(axum::Json(
        s.keys
            .list()
            .into_iter()
            .map(|r| KeyInfo {
                id: r.id,
                role: r.role,
                owner: r.owner,
                member: r.member,
                label: r.label,
                token: None,
            })
            .collect(),
    ))
}

/// Revokes a key at once on this node, and on the others at their next poll.
#[utoipa::path(delete, path = "/v1/admin/keys/{id}", tag = "admin",
    params(("id" = String, Path, description = "Key id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_key(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    p.require(&[])?;
    if !s.keys.list().iter().any(|k| k.id == id) {
        return Err(ApiError::not_found("密钥 key", &id));
    }
    if id == p.key_id {
        return Err(ApiError::conflict(
            "不能吊销正在使用的密钥（请用另一个运营密钥）",
            "a key cannot revoke itself (use another operator key)",
        ));
    }
    let st = s.0.clone();
    blocking(move || {
        st.append_server(&[NewEvent {
            key: format!("{KEY_REVOKED}:{id}"),
            at: bylaw_enforce::time::format(now()),
            kind: KEY_REVOKED.into(),
            payload: serde_json::json!({ "id": id }).to_string(),
        }])
        .map_err(|e| ApiError::store(&e))
    })
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(reload))
        .routes(routes!(create_key, list_keys))
        .routes(routes!(revoke_key))
}
