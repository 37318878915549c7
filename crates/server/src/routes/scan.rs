//! Content scan (textguard): one text, a batch, and the WeChat
//! msgSecCheck-compatible route. Any key may scan; a scanner key may do
//! nothing else.

use std::sync::Arc;

use bylaw_textguard::{Scene, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::St;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::gate::RequestId;
use crate::state::AppState;

/// One text to judge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// The text.
    pub text: String,
    /// Where it is shown (default chat).
    #[serde(default)]
    pub scene: Option<SceneName>,
}

/// The judgement of one text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanVerdict {
    /// `pass`, `review` or `block`.
    pub verdict: String,
    /// 0 (clean) to 1 (certainly bad).
    pub score: f64,
    /// The scene it was judged in.
    pub scene: String,
    /// Categories found, with the rules their hits cite.
    #[schema(value_type = Vec<Object>)]
    pub labels: Value,
    /// Every hit, located in the original text (Unicode scalar offsets).
    #[schema(value_type = Vec<Object>)]
    pub hits: Value,
    /// Rulebook version that produced the verdict.
    pub rulebook_version: String,
    /// Lexicon version that produced the verdict.
    pub lexicon_version: String,
    /// The caller's id of the text (batch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

fn to_wire(v: &Verdict, id: Option<String>) -> ScanVerdict {
    ScanVerdict {
        verdict: v.verdict.as_str().into(),
        score: v.score,
        scene: v.scene.as_str().into(),
        labels: serde_json::to_value(&v.labels).unwrap_or(Value::Null),
        hits: serde_json::to_value(&v.hits).unwrap_or(Value::Null),
        rulebook_version: v.rulebook_version.clone(),
        lexicon_version: v.lexicon_version.clone(),
        id,
    }
}

/// Where a text is shown.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SceneName {
    /// Nickname, avatar text, signature.
    Profile,
    /// Comments.
    Comment,
    /// Forum posts.
    Forum,
    /// Social feeds.
    Social,
    /// Chat messages.
    Chat,
    /// App or mini-program listings and ads.
    Listing,
    /// Search terms.
    Search,
}

impl From<SceneName> for Scene {
    fn from(s: SceneName) -> Scene {
        match s {
            SceneName::Profile => Scene::Profile,
            SceneName::Comment => Scene::Comment,
            SceneName::Forum => Scene::Forum,
            SceneName::Social => Scene::Social,
            SceneName::Chat => Scene::Chat,
            SceneName::Listing => Scene::Listing,
            SceneName::Search => Scene::Search,
        }
    }
}

fn scene(s: Option<SceneName>) -> Scene {
    s.map_or(Scene::Chat, Scene::from)
}

fn check_len(s: &AppState, field: &str, text: &str) -> Result<(), ApiError> {
    let max = s.config.limits.text_chars;
    if text.chars().count() > max {
        return Err(ApiError::too_large(
            field,
            "文本长度（字符）",
            "text length (characters)",
            max,
        ));
    }
    Ok(())
}

/// Judges one text: pass, review or block, every hit tied to its rule.
#[utoipa::path(post, path = "/v1/scan", tag = "scan", request_body = ScanRequest, responses(
    (status = 200, body = ScanVerdict), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
    (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn scan(s: St, Json(r): Json<ScanRequest>) -> Result<axum::Json<ScanVerdict>, ApiError> {
    check_len(&s, "text", &r.text)?;
    let sc = scene(r.scene);
    let v = s.version.get();
    let verdict = v.guard.scan(&r.text, sc);
    s.metrics.verdict("scan", verdict.verdict.as_str());
    Ok(axum::Json(to_wire(&verdict, None)))
}

/// One text of a batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    /// The caller's id, echoed back.
    #[serde(default)]
    pub id: Option<String>,
    /// The text.
    pub text: String,
    /// Scene (default: the batch's, else chat).
    #[serde(default)]
    pub scene: Option<SceneName>,
}

/// Several texts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The texts (at most the batch limit, 100 by default).
    pub items: Vec<BatchItem>,
    /// Default scene.
    #[serde(default)]
    pub scene: Option<SceneName>,
}

/// The verdicts, in the order of the items.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One verdict per item.
    pub results: Vec<ScanVerdict>,
}

/// Judges a batch of texts (all checked before any is judged).
#[utoipa::path(post, path = "/v1/scan/batch", tag = "scan", request_body = BatchRequest, responses(
    (status = 200, body = BatchResponse), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
pub async fn batch(
    s: St,
    Json(r): Json<BatchRequest>,
) -> Result<axum::Json<BatchResponse>, ApiError> {
    let max = s.config.limits.batch;
    if r.items.len() > max {
        return Err(ApiError::too_large("items", "批量条数", "batch size", max));
    }
    let default = scene(r.scene);
    let mut scenes = Vec::with_capacity(r.items.len());
    for (i, it) in r.items.iter().enumerate() {
        check_len(&s, &format!("items[{i}].text"), &it.text)?;
        scenes.push(it.scene.map_or(default, Scene::from));
    }
    let v = s.version.get();
    let st = s.0.clone();
    let results = super::blocking(move || {
        Ok(r.items
            .into_iter()
            .zip(scenes)
            .map(|(it, sc)| {
                let verdict = v.guard.scan(&it.text, sc);
                st.metrics.verdict("scan", verdict.verdict.as_str());
                to_wire(&verdict, it.id)
            })
            .collect())
    })
    .await?;
    Ok(axum::Json(BatchResponse { results }))
}

/// The WeChat msgSecCheck v2 request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MsgSecCheck {
    /// The text.
    pub content: String,
    /// API version; only 2 is supported.
    #[serde(default = "two")]
    #[schema(minimum = 2, maximum = 2)]
    pub version: u32,
    /// 1 profile, 2 comment, 3 forum, 4 social log.
    #[schema(minimum = 1, maximum = 4)]
    pub scene: u32,
    /// The user's openid (accepted, not used).
    #[serde(default)]
    pub openid: Option<String>,
    /// Title (judged with the content).
    #[serde(default)]
    pub title: Option<String>,
    /// Nickname (judged with the content).
    #[serde(default)]
    pub nickname: Option<String>,
    /// Signature (judged with the content).
    #[serde(default)]
    pub signature: Option<String>,
}

fn two() -> u32 {
    2
}

/// The WeChat msgSecCheck v2 response.
#[derive(Debug, Serialize, ToSchema)]
pub struct MsgSecCheckResponse {
    /// 0.
    pub errcode: i32,
    /// `ok`.
    pub errmsg: String,
    /// `{suggest: pass|review|risky, label}`.
    #[schema(value_type = Object)]
    pub result: Value,
    /// One entry per hit.
    #[schema(value_type = Vec<Object>)]
    pub detail: Value,
    /// The request id.
    pub trace_id: String,
    /// Rulebook version that produced the verdict.
    pub rulebook_version: String,
    /// Lexicon version that produced the verdict.
    pub lexicon_version: String,
}

/// msgSecCheck-compatible: the WeChat v2 request and response shapes, so a
/// mini program's backend can switch its URL and keep its code.
#[utoipa::path(post, path = "/v1/wxa/msg_sec_check", tag = "scan", request_body = MsgSecCheck, responses(
    (status = 200, body = MsgSecCheckResponse), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn msg_sec_check(
    s: St,
    rid: axum::Extension<RequestId>,
    Json(r): Json<MsgSecCheck>,
) -> Result<axum::Json<MsgSecCheckResponse>, ApiError> {
    if r.version != 2 {
        return Err(ApiError::invalid(
            "version",
            "仅支持 version=2",
            "only version 2 is supported",
        ));
    }
    let sc = match r.scene {
        1 => Scene::Profile,
        2 => Scene::Comment,
        3 => Scene::Forum,
        4 => Scene::Social,
        n => {
            return Err(ApiError::invalid(
                "scene",
                format!("场景值 {n} 无效（1 资料、2 评论、3 论坛、4 社交日志）"),
                format!("scene {n} is not 1 (profile), 2 (comment), 3 (forum) or 4 (social log)"),
            ))
        }
    };
    let text: String = [&r.title, &r.nickname, &r.signature]
        .into_iter()
        .flatten()
        .chain(std::iter::once(&r.content))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    check_len(&s, "content", &text)?;
    let v = s.version.get();
    let verdict = v.guard.scan(&text, sc);
    s.metrics.verdict("scan", verdict.verdict.as_str());
    let w = bylaw_textguard::wechat::msg_sec_check(&verdict, &rid.0 .0);
    Ok(axum::Json(MsgSecCheckResponse {
        errcode: 0,
        errmsg: "ok".into(),
        result: w["result"].clone(),
        detail: w["detail"].clone(),
        trace_id: rid.0 .0.clone(),
        rulebook_version: verdict.rulebook_version,
        lexicon_version: verdict.lexicon_version,
    }))
}

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(scan))
        .routes(routes!(batch))
        .routes(routes!(msg_sec_check))
}
