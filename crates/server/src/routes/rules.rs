//! The rulebook: list, show, search. Any key may read it.

use std::sync::Arc;

use axum::extract::Path;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::St;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::state::AppState;

/// Filters of the rule list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this book (`miniprogram`, `meeting-compliance`, …).
    pub book: Option<String>,
    /// Only this kind (`content`, `behaviour`, `listing`, …).
    pub kind: Option<String>,
}

/// One line of the rule list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleLine {
    /// `BOOK/CLAUSE`.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Title (Chinese).
    pub title: String,
    /// Summary (English).
    pub summary: String,
}

/// Rules and the rulebook version they come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    /// The rules.
    pub rules: Vec<RuleLine>,
    /// Rulebook version.
    pub rulebook_version: String,
}

/// Lists rules, optionally of one book or kind.
#[utoipa::path(get, path = "/v1/rules", tag = "rules", params(ListQuery), responses(
    (status = 200, body = RuleList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(s: St, Query(q): Query<ListQuery>) -> Result<axum::Json<RuleList>, ApiError> {
    let v = s.version.get();
    let rb = v.rulebook;
    if let Some(b) = &q.book {
        if rb.book(b).is_none() {
            return Err(ApiError::not_found("规则书 book", b));
        }
    }
    let kind = match &q.kind {
        Some(k) => Some(bylaw_rulebook::Kind::parse(k).ok_or_else(|| {
            ApiError::invalid(
                "kind",
                format!("未知类别 `{k}`"),
                format!("unknown kind `{k}`"),
            )
        })?),
        None => None,
    };
    let rules = rb
        .rules()
        .iter()
        .filter(|r| q.book.as_ref().is_none_or(|b| &r.book == b))
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .map(|r| RuleLine {
            id: r.id.clone(),
            kind: r.kind.as_str().into(),
            title: r.title.clone(),
            summary: r.summary.clone(),
        })
        .collect();
    Ok(axum::Json(RuleList {
        rules,
        rulebook_version: v.rulebook_version().into(),
    }))
}

/// One rule (or penalty branch) with its verbatim quote, thresholds and sanctions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleShown {
    /// The rule as data.
    #[schema(value_type = Object)]
    pub rule: Value,
    /// The penalty branch asked for, when the id names one.
    #[schema(value_type = Object)]
    pub branch: Option<Value>,
    /// Rulebook version.
    pub rulebook_version: String,
}

/// Shows one rule: `GET /v1/rules/miniprogram/5.7`.
#[utoipa::path(get, path = "/v1/rules/{book}/{clause}", tag = "rules",
    params(("book" = String, Path, description = "Book key"), ("clause" = String, Path, description = "Clause, e.g. 5.7")),
    responses((status = 200, body = RuleShown), (status = 404, body = ErrorBody)))]
pub async fn show(
    s: St,
    Path((book, clause)): Path<(String, String)>,
) -> Result<axum::Json<RuleShown>, ApiError> {
    let v = s.version.get();
    let id = format!("{book}/{clause}");
    let found = v
        .rulebook
        .resolve(&id)
        .ok_or_else(|| ApiError::not_found("规则 rule", &id))?;
    let (rule, branch) = match found {
        bylaw_rulebook::Resolved::Rule(r) => (r, None),
        bylaw_rulebook::Resolved::Branch(r, b) => (r, serde_json::to_value(b).ok()),
    };
    Ok(axum::Json(RuleShown {
        rule: serde_json::to_value(rule).map_err(ApiError::internal)?,
        branch,
        rulebook_version: v.rulebook_version().into(),
    }))
}

/// The search text.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Chinese or English terms; every term must match.
    pub q: String,
    /// At most this many results (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Searches rules by Chinese or English text.
#[utoipa::path(get, path = "/v1/rules/search", tag = "rules", params(SearchQuery), responses(
    (status = 200, body = RuleList), (status = 400, body = ErrorBody)))]
pub async fn search(s: St, Query(q): Query<SearchQuery>) -> Result<axum::Json<RuleList>, ApiError> {
    let v = s.version.get();
    let limit = q.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("limit 须在 1 到 200 之间，收到 {limit}"),
            format!("limit must be 1 to 200, got {limit}"),
        ));
    }
    let limit = limit as usize;
    let rules = v
        .rulebook
        .search(&q.q)
        .into_iter()
        .take(limit)
        .map(|h| RuleLine {
            id: h.rule.id.clone(),
            kind: h.rule.kind.as_str().into(),
            title: h.rule.title.clone(),
            summary: h.rule.summary.clone(),
        })
        .collect();
    Ok(axum::Json(RuleList {
        rules,
        rulebook_version: v.rulebook_version().into(),
    }))
}

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(search))
        .routes(routes!(show))
}
