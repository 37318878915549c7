//! Listing review (上架预审) over HTTP: `POST /v1/review`.
//!
//! Two ways to send a listing:
//!
//! - `application/json`: `{listing, privacy_policy?, catalog?, skip_images?}`,
//!   a text-only review. `listing` is the listing object of docs/LISTING.md,
//!   or its JSON or TOML text as a string. No image travels with it, so every
//!   image the listing names is reported the way `bylaw review` reports a
//!   file it cannot open: an error finding on its field (`无法读取图片：未上传
//!   not uploaded`), and the verdict cannot be `pass` for a listing whose
//!   images were never seen. With `skip_images: true` those findings become
//!   notes (`未检查 not checked`) and the verdict covers the text only.
//! - `multipart/form-data`: a part `listing` (JSON or TOML text), one part per
//!   image, optional `privacy_policy` and `catalog` parts. An image part is
//!   matched to the listing by its part name — the field (`logo`,
//!   `company.logo`, `previews.desktop[0]`) or the path the listing writes
//!   (`logo.png`) — or else by its filename (`curl -F file=@logo.png`). The
//!   privacy policy may also come as a part named by `privacy_policy_file`.
//!   A part named by an image field the listing leaves empty fills it
//!   (`logo`, `company.logo`, the next `previews.desktop[i]`), so a form can
//!   carry a listing without paths. An image the listing names but the
//!   request lacks is an error finding, as above; a part that matches
//!   nothing is refused (400), so a typo in a part name never goes unnoticed.
//!
//! The privacy policy is taken, as the CLI does, from the listing's inline
//! `privacy_policy`, else from the request; a listing that names a
//! `privacy_policy_file` the request does not carry is unusable (422), as
//! the CLI's missing file is. Images are decoded on a blocking thread.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::Extension;
use bylaw_review::{Finding, Listing, Report, Severity, Submission};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, St};
use crate::auth::{Principal, Role};
use crate::error::{ApiError, ErrorBody};
use crate::state::{AppState, Limits};

/// What the reviewer is told about an image the request did not carry.
const NOT_UPLOADED: &str = "未上传 not uploaded";

/// A listing as the JSON body carries it: an object, or its JSON/TOML text.
#[derive(Debug, Clone)]
pub enum ListingInput {
    /// The listing object.
    Doc(Box<Listing>),
    /// The listing file's text (JSON or TOML, sniffed).
    Text(String),
}

impl<'de> Deserialize<'de> for ListingInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListingInput;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a listing object, or its JSON or TOML text")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ListingInput, E> {
                Ok(ListingInput::Text(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<ListingInput, E> {
                Ok(ListingInput::Text(s))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ListingInput, A::Error> {
                Listing::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|l| ListingInput::Doc(Box::new(l)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The listing's platform.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformDoc {
    /// 腾讯会议应用市场.
    Meeting,
    /// 微信小程序.
    Miniprogram,
    /// 企业微信第三方应用.
    WecomIsv,
}

/// How far a Meeting listing goes.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LevelDoc {
    /// 上线 (`meeting-listing`, the default).
    Listing,
    /// 应用市场搜索 (`meeting-search`).
    Search,
    /// 应用市场展示 (`meeting-showcase`).
    Showcase,
}

/// Preview image paths per device.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewsDoc {
    /// Desktop previews, in display order.
    #[serde(default)]
    pub desktop: Vec<String>,
    /// Mobile previews, in display order.
    #[serde(default)]
    pub mobile: Vec<String>,
}

/// The company behind the listing.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyDoc {
    /// 企业名称.
    pub name: Option<String>,
    /// 企业 LOGO (the path its image part is named by).
    pub logo: Option<String>,
    /// 应用官网.
    pub website: Option<String>,
    /// 客服电话.
    pub support_phone: Option<String>,
}

/// A declared qualification document.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationDoc {
    /// The document's name as the norms write it (`《营业执照》`).
    pub kind: String,
    /// Licence or filing number.
    pub number: Option<String>,
    /// Holder.
    pub holder: Option<String>,
}

/// A listing (docs/LISTING.md). Image fields hold the paths the form's image
/// parts are named by. `privacy_policy_file` is accepted as well (not shown
/// here): the request must then carry the policy's text, as `privacy_policy`
/// or as a form part named by that path, or it is refused (422).
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingDoc {
    /// The market.
    pub platform: PlatformDoc,
    /// Meeting level (default `listing`).
    pub level: Option<LevelDoc>,
    /// 应用名称.
    pub name: Option<String>,
    /// 应用 LOGO (path).
    pub logo: Option<String>,
    /// 应用类目.
    pub category: Option<String>,
    /// 应用简介.
    pub intro: Option<String>,
    /// 详细描述.
    pub description: Option<String>,
    /// 预览页图片.
    #[serde(default)]
    pub previews: PreviewsDoc,
    /// 应用版本号.
    pub version: Option<String>,
    /// 更新说明.
    pub release_notes: Option<String>,
    /// 隐私协议地址.
    pub privacy_url: Option<String>,
    /// 使用条款地址.
    pub terms_url: Option<String>,
    /// The privacy policy's text, inline.
    pub privacy_policy: Option<String>,
    /// 企业信息.
    #[serde(default)]
    pub company: CompanyDoc,
    /// 搜索关键词.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Declared features (`login`, `payment`, `ai-generation`…).
    #[serde(default)]
    pub features: Vec<String>,
    /// Declared business kinds (业务类别).
    #[serde(default)]
    pub businesses: Vec<String>,
    /// Declared qualification documents.
    #[serde(default)]
    pub qualifications: Vec<QualificationDoc>,
}

/// An existing listing's name, or an object with a `name`.
#[derive(Debug, ToSchema)]
#[serde(untagged)]
pub enum CatalogEntryDoc {
    /// The name.
    Name(String),
    /// An object with the name (other keys are ignored).
    Entry {
        /// The name.
        name: String,
    },
}

/// A text-only review (`application/json`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewJson {
    /// The listing (docs/LISTING.md) as an object; its JSON or TOML text as a
    /// string is read as well.
    #[schema(value_type = ListingDoc)]
    pub listing: ListingInput,
    /// The privacy policy's text (when the listing has no inline `privacy_policy`).
    #[serde(default)]
    pub privacy_policy: Option<String>,
    /// Existing listing names to compare the name with (strings or `{name}` objects).
    #[serde(default)]
    #[schema(value_type = Option<Vec<CatalogEntryDoc>>)]
    pub catalog: Option<Vec<Value>>,
    /// Report the listing's images as notes (`not checked`) instead of errors
    /// (`not uploaded`), so the verdict covers the text only.
    #[serde(default)]
    pub skip_images: bool,
}

/// A review with images (`multipart/form-data`). Image parts are named by
/// the listing field (`logo`, `company.logo`, `previews.desktop[0]`,
/// `previews.mobile[1]`…) or by the path the listing writes for them
/// (`logo.png`), else matched by filename. A part named by an image field
/// the listing leaves empty fills it (`logo`, `company.logo`, the next
/// `previews.desktop[i]` or `previews.mobile[i]`). Any other part is refused.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    /// The listing: JSON (as here) or TOML text (a filename ending `.json` or `.toml` decides, else sniffed).
    pub listing: ListingDoc,
    /// The privacy policy's text (or a part named by the listing's `privacy_policy_file`).
    pub privacy_policy: Option<String>,
    /// Existing listing names: a JSON array, or one name per line (`#` comments).
    pub catalog: Option<String>,
    /// The logo image.
    #[schema(value_type = Option<String>, format = Binary)]
    pub logo: Option<Vec<u8>>,
    /// The company logo image.
    #[serde(rename = "company.logo")]
    #[schema(value_type = Option<String>, format = Binary)]
    pub company_logo: Option<Vec<u8>>,
    /// The first desktop preview (and so on: `previews.desktop[1]`…).
    #[serde(rename = "previews.desktop[0]")]
    #[schema(value_type = Option<String>, format = Binary)]
    pub preview_desktop: Option<Vec<u8>>,
    /// The first mobile preview (and so on: `previews.mobile[1]`…).
    #[serde(rename = "previews.mobile[0]")]
    #[schema(value_type = Option<String>, format = Binary)]
    pub preview_mobile: Option<Vec<u8>>,
}

/// One problem, tied to its clause.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewFinding {
    /// Rule id (`GET /v1/rules/{id}` shows it).
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Listing field: `name`, `logo`, `previews.desktop[2]`, `company.support_phone`…
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// What is wrong, in English.
    pub message_en: String,
    /// The offending value (text, image path, document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `[start, end)` of the offending part of `value`, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Vec<usize>>,
    /// How to fix it, in Chinese.
    pub remediation: String,
}

/// The review's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewReport {
    /// `pass`, `warn` (warnings only) or `fail` (at least one error).
    pub verdict: String,
    /// The platform reviewed for: `meeting`, `miniprogram`, `wecom-isv`.
    pub platform: String,
    /// The Meeting level as the listing gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Every finding, by field (form order), then severity, then rule.
    pub findings: Vec<ReviewFinding>,
    /// Rulebook version that produced the report.
    pub rulebook_version: String,
    /// Lexicon version that produced the report.
    pub lexicon_version: String,
}

/// A value's serde name (`wecom-isv`, `fail`).
fn wire_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn to_wire(f: Finding) -> ReviewFinding {
    ReviewFinding {
        rule: f.rule,
        severity: wire_name(&f.severity),
        field: f.field,
        message: f.message,
        message_en: f.message_en,
        value: f.value,
        span: f.span.map(|(a, b)| vec![a, b]),
        remediation: f.remediation,
    }
}

/// Turns the "not uploaded" findings into notes and recomputes the verdict.
fn skip_images(report: &mut Report) {
    for f in &mut report.findings {
        if f.message.ends_with(NOT_UPLOADED) {
            f.severity = Severity::Info;
            f.message = "未检查：请求中没有这张图片".into();
            f.message_en = "not checked: the request carried no image".into();
            f.remediation = "以 multipart/form-data 上传图片即可检查".into();
        }
    }
    report.verdict = if report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        bylaw_review::Verdict::Fail
    } else if report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Warning)
    {
        bylaw_review::Verdict::Warn
    } else {
        bylaw_review::Verdict::Pass
    };
}

fn bad_listing(e: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad-listing",
        format!("清单无法解析：{e}"),
        format!("listing unusable: {e}"),
    )
    .field("listing")
}

fn utf8(part: &str, bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-utf8",
            format!("`{part}` 不是有效的 UTF-8（第 {at} 字节）"),
            format!("`{part}` is not valid UTF-8 (at byte {at})"),
        )
        .field(part)
    })
}

/// Catalogue names from JSON values: strings or objects with a `name`.
fn catalog_names(items: &[Value]) -> Result<Vec<String>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_str()
                .or_else(|| x.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "bad-field",
                        format!("`catalog[{i}]` 须为名称或带 name 的对象"),
                        format!("`catalog[{i}]` must be a name or an object with a `name`"),
                    )
                    .field(format!("catalog[{i}]"))
                })
        })
        .collect()
}

/// A catalogue part: a JSON array, or one name per line (`#` comments).
fn catalog_text(text: &str) -> Result<Vec<String>, ApiError> {
    if text.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(text).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-catalog",
                format!(
                    "catalog 无法解析（第 {} 行第 {} 列）：{e}",
                    e.line(),
                    e.column()
                ),
                format!(
                    "catalog unusable at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
            .field("catalog")
        })?;
        return catalog_names(&items);
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

fn missing_policy(file: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing-policy",
        format!(
            "清单写了 privacy_policy_file `{file}`，但请求中没有隐私政策：请附上 privacy_policy（JSON 字段或表单部分）或名为 `{file}` 的表单部分"
        ),
        format!(
            "the listing names privacy_policy_file `{file}` but the request carries no privacy policy: send `privacy_policy` (a JSON field or a form part) or a form part named `{file}`"
        ),
    )
    .field("privacy_policy")
}

/// The policy text: the listing's inline text, else the request's, else an
/// error when the listing names a file.
fn policy(listing: &Listing, sent: Option<String>) -> Result<Option<String>, ApiError> {
    match (&listing.privacy_policy, sent, &listing.privacy_policy_file) {
        (Some(t), _, _) => Ok(Some(t.clone())),
        (None, Some(t), _) => Ok(Some(t)),
        (None, None, Some(f)) => Err(missing_policy(f)),
        (None, None, None) => Ok(None),
    }
}

/// The image map: what was sent by path, "not uploaded" for the rest.
fn images_for(
    listing: &Listing,
    mut sent: HashMap<String, Vec<u8>>,
) -> HashMap<String, Result<Vec<u8>, String>> {
    let mut out = HashMap::new();
    for (_, path) in listing.image_paths() {
        let r = sent.remove(&path).ok_or_else(|| NOT_UPLOADED.to_string());
        out.entry(path).or_insert(r);
    }
    out
}

fn too_large_body(limit: usize) -> ApiError {
    ApiError::too_large("body", "请求体（字节）", "the body (bytes)", limit)
}

/// Adds the line and column of a field error, which the shared decoder
/// (it decodes a parsed value) does not know, by decoding the text again.
fn with_line(mut e: ApiError, bytes: &[u8]) -> ApiError {
    if e.code != "bad-field" {
        return e;
    }
    if let Err(j) = serde_json::from_slice::<ReviewJson>(bytes) {
        let at = format!(" at line {} column {}", j.line(), j.column());
        let text = j.to_string();
        let same = text
            .strip_suffix(&at)
            .is_some_and(|m| e.message_en.ends_with(m));
        if j.line() > 0 && same {
            e.message
                .push_str(&format!("（第 {} 行第 {} 列）", j.line(), j.column()));
            e.message_en.push_str(&at);
        }
    }
    e
}

/// Reads and decodes the JSON form.
async fn from_json(req: Request, limits: &Limits) -> Result<(Submission, bool), ApiError> {
    let bytes = axum::body::to_bytes(req.into_body(), limits.body_bytes)
        .await
        .map_err(|e| {
            // `to_bytes` wraps http-body-util's `LengthLimitError`, which
            // this crate does not name; it is told apart by its message.
            if e.to_string().contains("length limit exceeded") {
                too_large_body(limits.body_bytes)
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad-body",
                    format!("无法读取请求体：{e}"),
                    format!("cannot read the body: {e}"),
                )
            }
        })?;
    let r: ReviewJson = crate::extract::decode(&bytes).map_err(|e| with_line(e, &bytes))?;
    let listing = match r.listing {
        ListingInput::Doc(l) => *l,
        ListingInput::Text(t) => Listing::parse("listing", &t).map_err(|e| bad_listing(&e))?,
    };
    let catalog = match &r.catalog {
        Some(items) => catalog_names(items)?,
        None => Vec::new(),
    };
    let policy_text = policy(&listing, r.privacy_policy)?;
    let images = images_for(&listing, HashMap::new());
    Ok((
        Submission {
            listing,
            images,
            policy_text,
            catalog,
            online: HashMap::new(),
        },
        r.skip_images,
    ))
}

fn multipart_error(e: &MultipartError, limits: &Limits) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large(
            "body",
            "上传内容（字节）",
            "the upload (bytes)",
            limits.upload_bytes,
        );
    }
    let detail = e.body_text();
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad-multipart",
        format!("multipart/form-data 格式错误：{detail}"),
        format!("malformed multipart/form-data: {detail}"),
    )
}

/// One part of the form.
struct Part {
    name: String,
    file_name: Option<String>,
    bytes: Bytes,
}

const RESERVED: [&str; 3] = ["listing", "privacy_policy", "catalog"];

/// Reads the form, enforcing the per-part limits while streaming.
async fn read_parts(req: Request, limits: &Limits) -> Result<Vec<Part>, ApiError> {
    let mut mp = Multipart::from_request(req, &()).await.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-multipart",
            format!("multipart/form-data 格式错误：{}", e.body_text()),
            format!("malformed multipart/form-data: {}", e.body_text()),
        )
    })?;
    let mut parts: Vec<Part> = Vec::new();
    let mut images = 0usize;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, limits))?
    {
        let Some(name) = field.name().filter(|n| !n.is_empty()).map(str::to_string) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-multipart",
                "表单部分缺少名称（Content-Disposition: form-data; name=…）",
                "a form part has no name (Content-Disposition: form-data; name=…)",
            ));
        };
        let file_name = field.file_name().map(str::to_string);
        if parts.iter().any(|p| p.name == name) && RESERVED.contains(&name.as_str()) {
            return Err(ApiError::invalid(
                &name,
                format!("表单部分 `{name}` 重复"),
                format!("the form part `{name}` is given twice"),
            ));
        }
        let (limit, what_zh, what_en) = if RESERVED.contains(&name.as_str()) {
            (
                limits.body_bytes,
                "文本部分（字节）",
                "the text part (bytes)",
            )
        } else {
            images += 1;
            if images > limits.images {
                return Err(ApiError::too_large(
                    &name,
                    "图片数量",
                    "the number of images",
                    limits.images,
                ));
            }
            (limits.image_bytes, "图片（字节）", "the image (bytes)")
        };
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| multipart_error(&e, limits))?
        {
            if buf.len() + chunk.len() > limit {
                return Err(ApiError::too_large(&name, what_zh, what_en, limit));
            }
            buf.extend_from_slice(&chunk);
        }
        parts.push(Part {
            name,
            file_name,
            bytes: Bytes::from(buf),
        });
    }
    Ok(parts)
}

/// An image field a part may fill when the listing leaves it empty:
/// `logo`, `company.logo`, `previews.desktop[i]`, `previews.mobile[i]`.
fn fillable(name: &str) -> Option<(&'static str, usize)> {
    match name {
        "logo" => return Some(("logo", 0)),
        "company.logo" => return Some(("company.logo", 0)),
        _ => {}
    }
    for kind in ["previews.desktop", "previews.mobile"] {
        let index = name
            .strip_prefix(kind)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(i) = index {
            return Some((kind, i));
        }
    }
    None
}

/// Points an empty image field of the listing at `path`; false when the
/// field is taken or the preview index is not the next one.
fn fill(listing: &mut Listing, field: &str, index: usize, path: &str) -> bool {
    let slot = match field {
        "logo" => &mut listing.logo,
        "company.logo" => &mut listing.company.logo,
        kind => {
            let list = if kind == "previews.desktop" {
                &mut listing.previews.desktop
            } else {
                &mut listing.previews.mobile
            };
            if index != list.len() {
                return false;
            }
            list.push(path.to_string());
            return true;
        }
    };
    if slot.is_some() {
        return false;
    }
    *slot = Some(path.to_string());
    true
}

fn unknown_part(listing: &Listing, part: &str) -> ApiError {
    let mut expected: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    for (f, path) in listing.image_paths() {
        expected.push(format!("{f} / {path}"));
    }
    if let Some(f) = &listing.privacy_policy_file {
        expected.push(f.clone());
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "unknown-part",
        format!(
            "未知的表单部分 `{part}`：清单中没有这个字段或路径（可用：{}）",
            expected.join("，")
        ),
        format!(
            "unknown form part `{part}`: the listing names no such field or path (expected: {})",
            expected.join(", ")
        ),
    )
    .field(part)
}

/// Keeps an image part's bytes under its path; a path given twice is refused.
fn put(sent: &mut HashMap<String, Vec<u8>>, part: &Part, path: String) -> Result<(), ApiError> {
    if sent.insert(path.clone(), part.bytes.to_vec()).is_some() {
        return Err(ApiError::invalid(
            &part.name,
            format!("图片 `{path}` 上传了两次"),
            format!("the image `{path}` is uploaded twice"),
        ));
    }
    Ok(())
}

/// Reads the multipart form and matches its parts to the listing.
async fn from_form(req: Request, limits: &Limits) -> Result<Submission, ApiError> {
    let parts = read_parts(req, limits).await?;
    let Some(lp) = parts.iter().find(|p| p.name == "listing") else {
        return Err(ApiError::invalid(
            "listing",
            "缺少表单部分 `listing`（清单的 JSON 或 TOML 文本）",
            "the form part `listing` is missing (the listing's JSON or TOML text)",
        ));
    };
    let text = utf8("listing", &lp.bytes)?;
    let listing_name = lp.file_name.clone().unwrap_or_else(|| "listing".into());
    let mut listing = Listing::parse(&listing_name, &text).map_err(|e| bad_listing(&e))?;
    let mut policy_sent = None;
    let mut catalog = Vec::new();
    let mut sent: HashMap<String, Vec<u8>> = HashMap::new();
    let mut policy_file = None;
    // First the parts the listing names: by field, by path, by filename.
    let fields: HashMap<String, String> = listing.image_paths().into_iter().collect();
    let named = |x: &str| fields.values().any(|p| p == x);
    let mut rest: Vec<&Part> = Vec::new();
    for p in &parts {
        match p.name.as_str() {
            "listing" => continue,
            "privacy_policy" => {
                policy_sent = Some(utf8("privacy_policy", &p.bytes)?);
                continue;
            }
            "catalog" => {
                catalog = catalog_text(&utf8("catalog", &p.bytes)?)?;
                continue;
            }
            _ => {}
        }
        let path = fields
            .get(&p.name)
            .cloned()
            .or_else(|| named(&p.name).then(|| p.name.clone()))
            .or_else(|| p.file_name.clone().filter(|f| named(f)));
        if let Some(path) = path {
            put(&mut sent, p, path)?;
            continue;
        }
        let file = listing.privacy_policy_file.as_deref();
        if file.is_some() && (file == Some(p.name.as_str()) || file == p.file_name.as_deref()) {
            policy_file = Some(utf8(&p.name, &p.bytes)?);
            continue;
        }
        rest.push(p);
    }
    // Then the parts that fill an image field the listing leaves empty, in
    // field and index order; anything else is unknown.
    let mut fills: Vec<(&str, usize, &Part)> = Vec::new();
    for p in rest {
        match fillable(&p.name) {
            Some((field, i)) => fills.push((field, i, p)),
            None => return Err(unknown_part(&listing, &p.name)),
        }
    }
    fills.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (field, i, p) in fills {
        let path = p
            .file_name
            .clone()
            .filter(|f| !f.is_empty() && !sent.contains_key(f))
            .unwrap_or_else(|| p.name.clone());
        if !fill(&mut listing, field, i, &path) {
            return Err(unknown_part(&listing, &p.name));
        }
        put(&mut sent, p, path)?;
    }
    let policy_text = policy(&listing, policy_sent.or(policy_file))?;
    let images = images_for(&listing, sent);
    Ok(Submission {
        listing,
        images,
        policy_text,
        catalog,
        online: HashMap::new(),
    })
}

/// Prechecks a listing against the rulebook: every problem at once, each
/// tied to its clause, with Chinese and English messages. JSON for a
/// text-only review; multipart/form-data to send the images too.
#[utoipa::path(post, path = "/v1/review", tag = "review",
    request_body(
        description = "The listing (docs/LISTING.md) with its privacy policy and catalogue: JSON for a text-only review (every image the listing names is reported `not uploaded`, or a note with `skip_images`), multipart/form-data with one part per image, named by its listing field or path.",
        content((ReviewJson = "application/json"), (ReviewForm = "multipart/form-data"))),
    responses(
        (status = 200, description = "The report (a failing listing is still 200 with verdict `fail`)", body = ReviewReport),
        (status = 400, description = "Malformed JSON or form, bad UTF-8, an unknown or repeated part", body = ErrorBody),
        (status = 403, description = "Only operator, reviewer and provider keys may review", body = ErrorBody),
        (status = 413, description = "The body, an image or the number of images over its limit", body = ErrorBody),
        (status = 415, description = "Neither JSON nor multipart/form-data", body = ErrorBody),
        (status = 422, description = "The listing, catalogue or policy cannot be used", body = ErrorBody)))]
pub async fn review(
    s: St,
    Extension(p): Extension<Principal>,
    req: Request,
) -> Result<axum::Json<ReviewReport>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let limits = s.config.limits.clone();
    let (sub, skip) = if ct.starts_with("multipart/form-data") {
        (from_form(req, &limits).await?, false)
    } else if ct.starts_with("application/json") || ct.contains("+json") {
        from_json(req, &limits).await?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "请求体须为 JSON（application/json）或表单（multipart/form-data）",
            "the body must be JSON (application/json) or a form (multipart/form-data)",
        ));
    };
    let v = s.version.get();
    let report = blocking(move || {
        let reviewer = v.reviewer().map_err(ApiError::internal)?;
        let mut report = reviewer.review(&sub);
        if skip {
            skip_images(&mut report);
        }
        Ok(ReviewReport {
            verdict: wire_name(&report.verdict),
            platform: wire_name(&report.platform),
            level: report.level.as_ref().map(wire_name),
            findings: report.findings.into_iter().map(to_wire).collect(),
            rulebook_version: report.rulebook_version,
            lexicon_version: v.lexicon_version().to_string(),
        })
    })
    .await?;
    match report.verdict.as_str() {
        "pass" => s.metrics.verdict("review", "pass"),
        "warn" => s.metrics.verdict("review", "warn"),
        _ => s.metrics.verdict("review", "fail"),
    }
    Ok(axum::Json(report))
}

/// The routes: the review, with the upload limit instead of the JSON one.
pub fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(review))
        .layer(DefaultBodyLimit::max(limits.upload_bytes))
}
