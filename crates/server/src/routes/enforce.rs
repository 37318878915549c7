//! Enforcement over HTTP: parties, violations, decisions, rectification,
//! appeals, withdrawal and time, and the queries (`can`, a target's status
//! and timeline, a case).
//!
//! Writes. Every write is one engine [`Event`], checked against the state,
//! stored durably and only then applied ([`crate::enforcement`]). The
//! optional `Idempotency-Key` header (1 to 200 visible ASCII characters)
//! names the write, per API key: a retry with the same key answers 200 with
//! `repeat: true` and the original `seq`, and changes nothing; the same key
//! on a different request is refused (409 `idempotency-conflict`). Without
//! the header the key is derived from the event (its time included). A
//! transition the engine refuses is 409 `refused` with the engine's reason
//! (a case decided twice, an appeal out of its window, time running
//! backwards); an id that names nothing (a target, case, subject, rule or
//! catalogue capability) is 404 `not-found`. New ids are 1 to 128 ASCII
//! letters, digits or `-_.:@`.
//!
//! Times. Bodies take an optional `at` (an RFC 3339 date-time, any offset,
//! stored in UTC; a fraction of a second is dropped), default now; `tick`
//! takes the clock `now`. A time outside years 0000 to 9999 in UTC cannot
//! be stored (409). A provider acts now: its `at` may differ from the
//! server's clock by at most 5 minutes (403 otherwise), so a rectification
//! report cannot be backdated into its deadline.
//!
//! Roles. Operator: everything. Reviewer: violations, decisions, reviews
//! of rectification reports, appeal resolutions, and every read. Provider:
//! for its own subject's targets and cases, rectification reports,
//! appeals, withdrawals, reinstatements and every read. Scanner and tenant
//! admin: nothing here (403).
//!
//! Ownership. A provider key's `owner` is a subject id, and a target
//! belongs to the subject it was registered under (a case, to its
//! target's). To a provider, another subject's targets and cases do not
//! exist: every route, read or write, answers 404 exactly as for an unknown
//! id, so a provider cannot even learn that an id is taken. The role is
//! checked first (403 for a role that may never call the route), then
//! ownership. A `can` answer on a provider's own target names every
//! sanction that binds it, including one an affiliate's case put on the
//! whole affiliated group (that is why the target is denied); the case
//! itself stays unreadable to the provider.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use bylaw_enforce::time::{self, Time};
use bylaw_enforce::{
    Affiliation, Case, Choice, Deadline, EnforceError, Enforcer, Event, HolderRef, Origin,
    TargetKind,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, St};
use crate::auth::{Principal, Role};
use crate::enforcement::{event_case, notice_json, WriteError};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{idempotency_key, Json, Query};
use crate::state::{now, AppState};

/// Longest id of a subject, target or case.
const MAX_ID: usize = 128;
/// How far a provider's `at` may be from the server clock, seconds.
const SKEW: i64 = 300;
/// The last second of year 9999: later times cannot be stored.
const LAST_TIME: Time = 253_402_300_799;

fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:@".contains(&c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{field}` 须为 1 到 {MAX_ID} 个 ASCII 字母、数字或 - _ . : @"),
            format!("`{field}` must be 1 to {MAX_ID} ASCII letters, digits or - _ . : @"),
        ))
    }
}

/// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction]` and `Z`
/// or an offset (`+08:00`); a fraction of a second is dropped.
fn rfc3339(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let local = time::parse(&format!("{}T{}Z", &s[..10], &s[11..19])).ok()?;
    Some(local - offset)
}

/// Parses a time given in `field` (400 naming it when it is no RFC 3339 date-time).
fn parse_time(field: &str, s: &str) -> Result<Time, ApiError> {
    rfc3339(s).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("`{field}` 不是 RFC 3339 时间（如 2026-11-21T08:00:00Z）：{s}"),
            format!("`{field}`: `{s}` is not an RFC 3339 time like 2026-11-21T08:00:00Z"),
        )
    })
}

/// The first second of year 0.
const FIRST_TIME: Time = -62_167_219_200;

/// A time to record: it must fall in years 0 to 9999 (UTC), the times the
/// log stores (409 otherwise: valid, but not storable).
fn storable(field: &str, t: Time) -> Result<Time, ApiError> {
    if (FIRST_TIME..=LAST_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(ApiError::conflict(
            format!("`{field}` 换算为 UTC 后超出可记录的范围（0000 至 9999 年）"),
            format!(
                "`{field}` falls outside years 0000 to 9999 in UTC, which the log cannot store"
            ),
        )
        .field(field))
    }
}

/// The time of a write: `at` or now; a provider's within [`SKEW`] of now.
fn when(p: &Principal, at: Option<&str>) -> Result<Time, ApiError> {
    let t = match at {
        None => return Ok(now()),
        Some(s) => storable("at", parse_time("at", s)?)?,
    };
    if p.role == Role::Provider && (t - now()).abs() > SKEW {
        return Err(ApiError::forbidden(
            format!("服务商只能按当前时间操作：`at` 与服务器时间相差不得超过 {SKEW} 秒"),
            format!("a provider acts now: `at` may differ from the server clock by at most {SKEW} seconds"),
        )
        .field("at"));
    }
    Ok(t)
}

/// The subject a provider is confined to (`None`: operator or reviewer).
fn confined(p: &Principal) -> Option<&str> {
    (p.role == Role::Provider).then(|| p.owner.as_deref().unwrap_or(""))
}

fn no_target(id: &str) -> ApiError {
    ApiError::not_found("对象 target", id)
}

fn no_case(id: &str) -> ApiError {
    ApiError::not_found("案件 case", id)
}

/// The subject of a target the caller may see (404 for an unknown target
/// and, for a provider, for another subject's).
fn target_subject<'e>(e: &'e Enforcer<'_>, p: &Principal, id: &str) -> Result<&'e str, ApiError> {
    let subject = e.subject_of(id).ok_or_else(|| no_target(id))?;
    match confined(p) {
        Some(o) if o != subject => Err(no_target(id)),
        _ => Ok(subject),
    }
}

/// A case the caller may see (404 likewise).
fn visible_case<'e>(e: &'e Enforcer<'_>, p: &Principal, id: &str) -> Result<&'e Case, ApiError> {
    let c = e.case_by_id(id).ok_or_else(|| no_case(id))?;
    match (confined(p), e.subject_of(&c.target)) {
        (Some(o), Some(s)) if o == s => Ok(c),
        (Some(_), _) => Err(no_case(id)),
        (None, _) => Ok(c),
    }
}

/// Picks up other nodes' events when this node does not know `id` yet (a
/// target or case created on another node a moment ago). Ownership never
/// changes once known, so only an unknown id needs the store.
async fn catch_up_unless(s: &St, known: bool) {
    if !known {
        let st = s.0.clone();
        let _ = blocking(move || st.enforce.refresh().map_err(write_error)).await;
    }
}

async fn own_target(s: &St, p: &Principal, id: &str) -> Result<(), ApiError> {
    let known = s.enforce.read().subject_of(id).is_some();
    catch_up_unless(s, known).await;
    target_subject(&s.enforce.read(), p, id).map(|_| ())
}

async fn own_case(s: &St, p: &Principal, id: &str) -> Result<(), ApiError> {
    let known = s.enforce.read().case_by_id(id).is_some();
    catch_up_unless(s, known).await;
    visible_case(&s.enforce.read(), p, id).map(|_| ())
}

/// 404 unless the catalogue has this capability.
fn known_capability(v: &crate::version::Version, cap: &str) -> Result<(), ApiError> {
    match v.rulebook.catalogue().capability(cap) {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found("能力 capability", cap)),
    }
}

/// An engine refusal: 404 for an id that names nothing, else 409.
fn refused(e: EnforceError) -> ApiError {
    match e {
        EnforceError::Unknown { what, what_en, id } => ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("未知的{what} `{id}`"),
            format!("unknown {what_en} `{id}`"),
        ),
        other => {
            let m = other.to_string();
            ApiError::conflict(m.clone(), m)
        }
    }
}

fn write_error(e: WriteError) -> ApiError {
    match e {
        WriteError::Refused(r) => refused(r),
        WriteError::Store(s) => ApiError::store(&s),
        WriteError::Corrupt { .. } => ApiError::internal(e),
    }
}

/// The kebab-case name an engine enum serializes to.
fn name_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A case as JSON, its times in RFC 3339.
fn case_json(c: &Case) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("opened".into(), json!(time::format(c.opened)));
        o.insert("decided".into(), json!(c.decided.map(time::format)));
    }
    v
}

/// Whether a stored event is the same request as `event` (its time aside:
/// a retry without `at` is stamped anew).
fn same_request(stored_kind: &str, stored: &str, event: &Event) -> bool {
    let strip = |mut v: Value| {
        if let Value::Object(o) = &mut v {
            o.remove("at");
        }
        v
    };
    let Ok(old) = serde_json::from_str::<Value>(stored) else {
        return false;
    };
    let Ok(new) = serde_json::to_value(event) else {
        return false;
    };
    stored_kind == event.kind() && strip(old) == strip(new)
}

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    /// Log position of the event.
    pub seq: u64,
    /// Its idempotency key as stored.
    pub key: String,
    /// A retry of an earlier write: nothing changed now.
    pub repeat: bool,
    /// The event kind (`violation`, `decision`, …).
    pub event: String,
    /// The case as it stands now, for case events.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Value>,
    /// Notices the event caused (none on a repeat).
    #[schema(value_type = Vec<Object>)]
    pub notices: Vec<Value>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

type Answer = Result<(StatusCode, axum::Json<Recorded>), ApiError>;

/// Stores and applies one event for `p`; `creates`: 201 when new.
async fn record(s: &St, p: &Principal, headers: &HeaderMap, event: Event, creates: bool) -> Answer {
    let key = idempotency_key(headers)?.map(|k| format!("http:{}:{k}", p.key_id));
    let kind = event.kind();
    let st = s.0.clone();
    let (written, case) = blocking(move || {
        let w = st
            .enforce
            .submit(key, &event, &st.metrics)
            .map_err(write_error)?;
        if w.repeat {
            let stored = st.enforce.stored(&w.key).map_err(|e| ApiError::store(&e))?;
            if !stored.is_some_and(|x| same_request(&x.kind, &x.payload, &event)) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency-conflict",
                    "该 Idempotency-Key 已用于另一个请求",
                    "this Idempotency-Key was used for a different request",
                )
                .field("Idempotency-Key"));
            }
        }
        let e = st.enforce.read();
        let case = event_case(&event)
            .and_then(|c| e.case_by_id(c))
            .map(case_json);
        Ok((w, case))
    })
    .await?;
    let status = if creates && !written.repeat {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(Recorded {
            seq: written.seq,
            key: written.key,
            repeat: written.repeat,
            event: kind.to_string(),
            case,
            notices: written.notices,
            rulebook_version: s.version.get().rulebook_version().to_string(),
        }),
    ))
}

/// How two subjects are affiliated (关联主体).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AffiliationKind {
    /// 母子公司.
    ParentSubsidiary,
    /// 控制关系.
    Control,
    /// VIE.
    Vie,
    /// Declared by the subjects or found by the operator.
    Declared,
}

/// What kind of thing a target is.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NewTargetKind {
    /// A user or admin account.
    Account,
    /// A third-party app.
    App,
    /// A mini program.
    MiniProgram,
    /// A mini game.
    MiniGame,
    /// A provider (developer) account.
    Provider,
    /// An enterprise tenant.
    Tenant,
}

/// Where a violation came from.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationOrigin {
    /// The listing precheck.
    Review,
    /// The content engine.
    Textguard,
    /// A user complaint.
    Complaint,
    /// An operator.
    Operator,
}

/// The schema of step indexes: small non-negative integers.
fn step_indexes() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(1000)),
        )
        .max_items(Some(100))
        .build()
}

/// A subject (legal entity) to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// Id (1 to 128 ASCII letters, digits or `-_.:@`).
    #[schema(pattern = "^[A-Za-z0-9._:@-]{1,128}$")]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Registers a subject (operator).
#[utoipa::path(post, path = "/v1/enforcement/subjects", tag = "enforcement", request_body = NewSubject,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = Recorded), (status = 200, body = Recorded, description = "A retry"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn subject(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewSubject>,
) -> Answer {
    p.require(&[])?;
    check_id("id", &b.id)?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Subject {
        id: b.id,
        name: b.name,
        at,
    };
    record(&s, &p, &headers, ev, true).await
}

/// Two subjects to declare affiliated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAffiliation {
    /// One subject.
    pub a: String,
    /// The other.
    pub b: String,
    /// How they are affiliated.
    pub kind: AffiliationKind,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Declares two subjects affiliated (operator): sanctions on a group bind both.
#[utoipa::path(post, path = "/v1/enforcement/affiliations", tag = "enforcement", request_body = NewAffiliation,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = Recorded), (status = 200, body = Recorded, description = "A retry"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn affiliation(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewAffiliation>,
) -> Answer {
    p.require(&[])?;
    let kind = match b.kind {
        AffiliationKind::ParentSubsidiary => Affiliation::ParentSubsidiary,
        AffiliationKind::Control => Affiliation::Control,
        AffiliationKind::Vie => Affiliation::Vie,
        AffiliationKind::Declared => Affiliation::Declared,
    };
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Affiliated {
        a: b.a,
        b: b.b,
        kind,
        at,
    };
    record(&s, &p, &headers, ev, true).await
}

/// A target (account, app, mini program, …) to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTarget {
    /// Id (1 to 128 ASCII letters, digits or `-_.:@`).
    #[schema(pattern = "^[A-Za-z0-9._:@-]{1,128}$")]
    pub id: String,
    /// The subject that owns it.
    pub subject: String,
    /// What it is.
    pub kind: NewTargetKind,
    /// `meeting`, `miniprogram`, `minigame`, `wecom` or `wecom-isv`.
    #[serde(default)]
    pub platform: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Registers a target of a subject (operator); the subject's provider keys own it.
#[utoipa::path(post, path = "/v1/enforcement/targets", tag = "enforcement", request_body = NewTarget,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = Recorded), (status = 200, body = Recorded, description = "A retry"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn target(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewTarget>,
) -> Answer {
    p.require(&[])?;
    check_id("id", &b.id)?;
    let kind = match b.kind {
        NewTargetKind::Account => TargetKind::Account,
        NewTargetKind::App => TargetKind::App,
        NewTargetKind::MiniProgram => TargetKind::MiniProgram,
        NewTargetKind::MiniGame => TargetKind::MiniGame,
        NewTargetKind::Provider => TargetKind::Provider,
        NewTargetKind::Tenant => TargetKind::Tenant,
    };
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Target {
        id: b.id,
        kind,
        subject: b.subject,
        platform: b.platform,
        at,
    };
    record(&s, &p, &headers, ev, true).await
}

/// A violation to report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewViolation {
    /// Case id to open (1 to 128 ASCII letters, digits or `-_.:@`).
    #[schema(pattern = "^[A-Za-z0-9._:@-]{1,128}$")]
    pub case: String,
    /// Rule or penalty branch id (`miniprogram/5.7`).
    pub rule: String,
    /// Target id.
    pub target: String,
    /// Where it came from (default `operator`).
    #[serde(default)]
    pub origin: Option<ViolationOrigin>,
    /// Evidence.
    #[serde(default)]
    pub evidence: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Reports a violation: opens a case (operator, reviewer).
#[utoipa::path(post, path = "/v1/enforcement/violations", tag = "enforcement", request_body = NewViolation,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = Recorded), (status = 200, body = Recorded, description = "A retry"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn violation(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewViolation>,
) -> Answer {
    p.require(&[Role::Reviewer])?;
    check_id("case", &b.case)?;
    let origin = match b.origin {
        Some(ViolationOrigin::Review) => Origin::Review,
        Some(ViolationOrigin::Textguard) => Origin::Textguard,
        Some(ViolationOrigin::Complaint) => Origin::Complaint,
        Some(ViolationOrigin::Operator) | None => Origin::Operator,
    };
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Violation {
        case: b.case,
        rule: b.rule,
        target: b.target,
        origin,
        evidence: b.evidence,
        at,
    };
    record(&s, &p, &headers, ev, true).await
}

/// The decision's picks, where the rule's ladder leaves a choice.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// Penalty branch (number or id) where the rule has several.
    #[serde(default)]
    pub branch: Option<String>,
    /// Steps (0-based) where the seed leaves the step to discretion.
    #[serde(default)]
    #[schema(schema_with = step_indexes)]
    pub steps: Vec<usize>,
    /// Case of a by-case ladder (its condition text).
    #[serde(default)]
    pub when: Option<String>,
    /// Length within a range or above an open minimum (in the step's unit).
    #[serde(default)]
    pub length: Option<u32>,
    /// Capabilities for a `limit-features` step.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Why (required where the seed leaves it to discretion).
    #[serde(default)]
    pub reason: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Decides a case from the rule's ladder and the history (operator,
/// reviewer; recorded as decided by the calling key).
#[utoipa::path(post, path = "/v1/enforcement/cases/{case}/decisions", tag = "enforcement",
    request_body = NewDecision,
    params(("case" = String, Path, description = "Case id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn decide(
    s: St,
    Extension(p): Extension<Principal>,
    Path(case): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewDecision>,
) -> Answer {
    p.require(&[Role::Reviewer])?;
    own_case(&s, &p, &case).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Decision {
        case,
        choice: Choice {
            branch: b.branch,
            steps: b.steps,
            case: b.when,
            length: b.length,
            capabilities: b.capabilities,
        },
        reason: b.reason,
        by: p.key_id.clone(),
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// A rectification report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRectification {
    /// What was done.
    pub report: String,
    /// When (RFC 3339; default now; a provider's within 5 minutes of now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Files a rectification report (the provider owning the case's target,
/// operator); filed in time, it suspends the deadline until reviewed.
#[utoipa::path(post, path = "/v1/enforcement/cases/{case}/rectifications", tag = "enforcement",
    request_body = NewRectification,
    params(("case" = String, Path, description = "Case id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn rectify(
    s: St,
    Extension(p): Extension<Principal>,
    Path(case): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewRectification>,
) -> Answer {
    p.require(&[Role::Provider])?;
    own_case(&s, &p, &case).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Rectified {
        case,
        report: b.report,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// The review of a rectification report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// Accepted (restoration as the rule says) or rejected.
    pub accepted: bool,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Accepts or rejects a rectification report (reviewer, operator).
#[utoipa::path(post, path = "/v1/enforcement/cases/{case}/rectifications/review", tag = "enforcement",
    request_body = NewReview,
    params(("case" = String, Path, description = "Case id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn review(
    s: St,
    Extension(p): Extension<Principal>,
    Path(case): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewReview>,
) -> Answer {
    p.require(&[Role::Reviewer])?;
    own_case(&s, &p, &case).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::RectificationReviewed {
        case,
        accepted: b.accepted,
        reason: b.reason,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// An appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppeal {
    /// Grounds.
    pub reason: String,
    /// When (RFC 3339; default now; a provider's within 5 minutes of now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Appeals a decision (the provider owning the case's target, operator):
/// once per case, within the rule's window where it states one.
#[utoipa::path(post, path = "/v1/enforcement/cases/{case}/appeals", tag = "enforcement",
    request_body = NewAppeal,
    params(("case" = String, Path, description = "Case id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn appeal(
    s: St,
    Extension(p): Extension<Principal>,
    Path(case): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewAppeal>,
) -> Answer {
    p.require(&[Role::Provider])?;
    own_case(&s, &p, &case).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Appealed {
        case,
        reason: b.reason,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// The resolution of an appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResolution {
    /// Overturned (everything the case caused is revoked) or upheld.
    pub overturned: bool,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Resolves a pending appeal (reviewer, operator).
#[utoipa::path(post, path = "/v1/enforcement/cases/{case}/appeals/resolve", tag = "enforcement",
    request_body = NewResolution,
    params(("case" = String, Path, description = "Case id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn resolve(
    s: St,
    Extension(p): Extension<Principal>,
    Path(case): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewResolution>,
) -> Answer {
    p.require(&[Role::Reviewer])?;
    own_case(&s, &p, &case).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::AppealResolved {
        case,
        overturned: b.overturned,
        reason: b.reason,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// A withdrawal from recommendation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWithdrawal {
    /// Target id.
    pub target: String,
    /// The withdrawal rule (`meeting-market/4.withdrawal`, `wecom-isv/4.3`).
    pub rule: String,
    /// When (RFC 3339; default now; a provider's within 5 minutes of now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Withdraws a target from recommendation of its own accord (the provider
/// owning it, operator): the platform's `withdraw` effect.
#[utoipa::path(post, path = "/v1/enforcement/withdrawals", tag = "enforcement", request_body = NewWithdrawal,
    params(crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn withdraw(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewWithdrawal>,
) -> Answer {
    p.require(&[Role::Provider])?;
    own_target(&s, &p, &b.target).await?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Withdrawn {
        target: b.target,
        rule: b.rule,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// A reinstatement on a fresh application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReinstatement {
    /// Target id.
    pub target: String,
    /// The capability (`recommendation`, `searchable`).
    pub capability: String,
    /// When (RFC 3339; default now; a provider's within 5 minutes of now).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Restores a capability that restoration alone does not (the provider
/// owning the target, operator); refused while a sanction still binds it.
#[utoipa::path(post, path = "/v1/enforcement/reinstatements", tag = "enforcement", request_body = NewReinstatement,
    params(crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn reinstate(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewReinstatement>,
) -> Answer {
    p.require(&[Role::Provider])?;
    own_target(&s, &p, &b.target).await?;
    known_capability(&s.version.get(), &b.capability)?;
    let at = when(&p, b.at.as_deref())?;
    let ev = Event::Reinstated {
        target: b.target,
        capability: b.capability,
        at,
    };
    record(&s, &p, &headers, ev, false).await
}

/// The clock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTick {
    /// Now (RFC 3339): every deadline due by then lapses.
    #[schema(format = DateTime)]
    pub now: String,
}

/// Lets time pass (operator): every rectification deadline due by `now`
/// lapses and its steps apply from the due time.
#[utoipa::path(post, path = "/v1/enforcement/tick", tag = "enforcement", request_body = NewTick,
    params(crate::extract::IdempotencyHeader),
    responses((status = 200, body = Recorded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn tick(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewTick>,
) -> Answer {
    p.require(&[])?;
    let now = storable("now", parse_time("now", &b.now)?)?;
    record(&s, &p, &headers, Event::Tick { now }, false).await
}

/// The question `can`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CanQuery {
    /// Target id.
    pub target: String,
    /// Capability id of the catalogue (`searchable`, `new-installs`, …).
    pub capability: String,
    /// As of when (RFC 3339; default now).
    #[param(format = DateTime)]
    pub at: Option<String>,
}

/// Who a sanction binds.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolderInfo {
    /// `target`, `subject` or `group` (the subject and its affiliates).
    pub kind: String,
    /// The target or subject id.
    pub id: String,
}

impl From<HolderRef<'_>> for HolderInfo {
    fn from(h: HolderRef<'_>) -> HolderInfo {
        let (kind, id) = match h {
            HolderRef::Target(x) => ("target", x),
            HolderRef::Subject(x) => ("subject", x),
            HolderRef::Group(x) => ("group", x),
        };
        HolderInfo {
            kind: kind.into(),
            id: id.into(),
        }
    }
}

/// One sanction that denies the capability.
#[derive(Debug, Serialize, ToSchema)]
pub struct CanReason {
    /// The case (or withdrawal).
    pub case: String,
    /// The rule whose ladder gave it.
    pub rule: String,
    /// The step's action (`delist`, `ban-capability`, …).
    pub action: String,
    /// The capability taken (`*`: all).
    pub capability: String,
    /// Who it binds.
    pub holder: HolderInfo,
    /// Since.
    pub since: String,
    /// Until (absent: permanent, or until the rectification is accepted).
    pub until: Option<String>,
    /// Lasts until the rectification is accepted.
    pub until_rectified: bool,
}

/// The answer of `can`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CanAnswer {
    /// Target id.
    pub target: String,
    /// Capability.
    pub capability: String,
    /// As of when.
    pub at: String,
    /// Whether the target may use the capability then.
    pub allowed: bool,
    /// Every sanction that denies it.
    pub reasons: Vec<CanReason>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

/// May a target use a capability at a time? With every reason it may not
/// (operator, reviewer; a provider for its own targets). Answered from
/// memory, without touching the store.
#[utoipa::path(get, path = "/v1/enforcement/can", tag = "enforcement", params(CanQuery),
    responses((status = 200, body = CanAnswer), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn can(
    s: St,
    Extension(p): Extension<Principal>,
    Query(q): Query<CanQuery>,
) -> Result<axum::Json<CanAnswer>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let at = match &q.at {
        Some(a) => parse_time("at", a)?,
        None => now(),
    };
    let v = s.version.get();
    known_capability(&v, &q.capability)?;
    let (allowed, reasons) = {
        let e = s.enforce.read();
        target_subject(&e, &p, &q.target)?;
        let verdict = e.can(&q.target, &q.capability, at).map_err(refused)?;
        let reasons: Vec<CanReason> = verdict
            .reasons
            .iter()
            .map(|r| CanReason {
                case: r.case.into(),
                rule: r.rule.into(),
                action: r.action.into(),
                capability: r.capability.into(),
                holder: r.holder.into(),
                since: time::format(r.since),
                until: r.until.map(time::format),
                until_rectified: r.until_rectified,
            })
            .collect();
        (verdict.allowed, reasons)
    };
    s.metrics
        .verdict("can", if allowed { "allowed" } else { "denied" });
    Ok(axum::Json(CanAnswer {
        target: q.target,
        capability: q.capability,
        at: time::format(at),
        allowed,
        reasons,
        rulebook_version: v.rulebook_version().to_string(),
    }))
}

/// As of when to answer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// RFC 3339; default now.
    #[param(format = DateTime)]
    pub at: Option<String>,
}

/// A case in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBrief {
    /// Case id.
    pub case: String,
    /// The rule violated.
    pub rule: String,
    /// `open`, `decided`, `rectifying`, `restored` or `overturned`.
    pub status: String,
    /// The rule whose penalty applied.
    pub penalty_rule: Option<String>,
    /// The branch applied.
    pub branch: Option<String>,
    /// Which offence this was for its ladder (1-based).
    pub offence: u32,
    /// Opened.
    pub opened: String,
    /// Decided.
    pub decided: Option<String>,
    /// An appeal awaits resolution.
    pub appeal_pending: bool,
    /// Recorded only (shadow mode).
    pub shadow: bool,
}

fn brief(c: &Case) -> CaseBrief {
    CaseBrief {
        case: c.id.clone(),
        rule: c.rule.clone(),
        status: name_of(&c.status),
        penalty_rule: c.penalty_rule.clone(),
        branch: c.branch.clone(),
        offence: c.offence,
        opened: time::format(c.opened),
        decided: c.decided.map(time::format),
        appeal_pending: c.appeal_pending,
        shadow: c.shadow,
    }
}

/// A rectification deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineInfo {
    /// The case.
    pub case: String,
    /// The rule.
    pub rule: String,
    /// When it lapses.
    pub due: String,
    /// `pending`, `lapsed` or `cancelled`.
    pub state: String,
    /// Recorded only (shadow mode).
    pub shadow: bool,
}

fn deadline_info(d: &Deadline) -> DeadlineInfo {
    let state = if d.lapsed {
        "lapsed"
    } else if d.cancelled {
        "cancelled"
    } else {
        "pending"
    };
    DeadlineInfo {
        case: d.case.to_string(),
        rule: d.rule.to_string(),
        due: time::format(d.due),
        state: state.into(),
        shadow: d.shadow,
    }
}

/// Where a target stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetStatus {
    /// Target id.
    pub target: String,
    /// Its subject.
    pub subject: String,
    /// Its platform.
    pub platform: String,
    /// As of when.
    pub at: String,
    /// Capabilities of the catalogue it may not use then.
    pub denied: Vec<String>,
    /// Its cases, oldest first.
    pub cases: Vec<CaseBrief>,
    /// Its cases' rectification deadlines.
    pub deadlines: Vec<DeadlineInfo>,
    /// Its subject's credit score, where its rules count toward one.
    pub credit: Option<i64>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

/// A target's denied capabilities, cases, deadlines and credit (operator,
/// reviewer; a provider for its own targets).
#[utoipa::path(get, path = "/v1/enforcement/targets/{id}/status", tag = "enforcement",
    params(("id" = String, Path, description = "Target id"), AtQuery),
    responses((status = 200, body = TargetStatus), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<axum::Json<TargetStatus>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let at = match &q.at {
        Some(a) => parse_time("at", a)?,
        None => now(),
    };
    let answer = {
        let e = s.enforce.read();
        let subject = target_subject(&e, &p, &id)?.to_string();
        let denied = e.denied(&id, at).map_err(refused)?;
        let cases = e.cases_of(&id);
        let deadlines = cases
            .iter()
            .flat_map(|c| c.deadlines.iter())
            .filter_map(|d| e.deadline(*d))
            .map(deadline_info)
            .collect();
        TargetStatus {
            platform: e.platform_of(&id).unwrap_or_default().to_string(),
            credit: e.credit(&subject),
            subject,
            target: id.clone(),
            at: time::format(at),
            denied,
            cases: cases.into_iter().map(brief).collect(),
            deadlines,
            rulebook_version: String::new(),
        }
    };
    Ok(axum::Json(TargetStatus {
        rulebook_version: s.version.get().rulebook_version().to_string(),
        ..answer
    }))
}

/// One line of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// When.
    pub at: String,
    /// `violation`, or the notice's kind (`decision`, `deadline-lapsed`, …).
    pub kind: String,
    /// The case (or withdrawal).
    pub case: String,
    /// The rule.
    pub rule: String,
    /// The notice id, for notices.
    pub notice: Option<usize>,
    /// The notice, in Chinese.
    pub text: Option<String>,
    /// The notice, in English.
    pub text_en: Option<String>,
}

/// A target's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    /// Target id.
    pub target: String,
    /// Its cases opened and its notices, in time order.
    pub entries: Vec<TimelineEntry>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

/// A target's cases and notices in time order (operator, reviewer; a
/// provider for its own targets).
#[utoipa::path(get, path = "/v1/enforcement/targets/{id}/timeline", tag = "enforcement",
    params(("id" = String, Path, description = "Target id")),
    responses((status = 200, body = Timeline), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<Timeline>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let st = s.0.clone();
    let target = id.clone();
    let entries = blocking(move || {
        let e = st.enforce.read();
        target_subject(&e, &p, &id)?;
        let mut rows: Vec<(Time, TimelineEntry)> = e
            .cases_of(&id)
            .into_iter()
            .map(|c| {
                (
                    c.opened,
                    TimelineEntry {
                        at: time::format(c.opened),
                        kind: "violation".into(),
                        case: c.id.clone(),
                        rule: c.rule.clone(),
                        notice: None,
                        text: None,
                        text_en: None,
                    },
                )
            })
            .collect();
        for n in e.notices().iter().filter(|n| *n.target == *id) {
            rows.push((
                n.at,
                TimelineEntry {
                    at: time::format(n.at),
                    kind: n.kind.into(),
                    case: n.case.to_string(),
                    rule: n.rule.to_string(),
                    notice: Some(n.id),
                    text: Some(n.text.to_string()),
                    text_en: Some(n.text_en.to_string()),
                },
            ));
        }
        rows.sort_by_key(|r| r.0);
        Ok(rows.into_iter().map(|r| r.1).collect())
    })
    .await?;
    Ok(axum::Json(Timeline {
        target,
        entries,
        rulebook_version: s.version.get().rulebook_version().to_string(),
    }))
}

/// A case with everything it caused.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// The case (status, penalty rule, branch, offence, steps, appeals, …).
    #[schema(value_type = Object)]
    pub case: Value,
    /// Its sanctions, ended ones included.
    #[schema(value_type = Vec<Object>)]
    pub sanctions: Vec<Value>,
    /// Its rectification deadlines.
    pub deadlines: Vec<DeadlineInfo>,
    /// Its notices, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub notices: Vec<Value>,
    /// Rulebook version in use.
    pub rulebook_version: String,
}

/// A case, its sanctions, deadlines and notices (operator, reviewer; a
/// provider for its own targets' cases).
#[utoipa::path(get, path = "/v1/enforcement/cases/{id}", tag = "enforcement",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn case(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    p.require(&[Role::Reviewer, Role::Provider])?;
    let st = s.0.clone();
    let mut view = blocking(move || {
        let e = st.enforce.read();
        let c = visible_case(&e, &p, &id)?;
        let sanctions = c
            .sanctions
            .iter()
            .filter_map(|i| e.sanction(*i))
            .map(|x| {
                json!({
                    "id": x.id, "rule": x.rule, "action": x.action, "holder": x.holder,
                    "capability": x.capability, "start": time::format(x.start),
                    "end": x.end.map(time::format), "until_rectified": x.until_rectified,
                    "min_end": x.min_end.map(time::format),
                    "revoked_at": x.revoked_at.map(time::format),
                    "needs_application": x.needs_application, "shadow": x.shadow,
                    "from_lapse": x.from_lapse,
                })
            })
            .collect();
        let deadlines = c
            .deadlines
            .iter()
            .filter_map(|d| e.deadline(*d))
            .map(deadline_info)
            .collect();
        let notices = e
            .notices()
            .iter()
            .filter(|n| *n.case == *c.id)
            .map(|n| notice_json(&e, n))
            .collect();
        Ok(CaseView {
            case: case_json(c),
            sanctions,
            deadlines,
            notices,
            rulebook_version: String::new(),
        })
    })
    .await?;
    view.rulebook_version = s.version.get().rulebook_version().to_string();
    Ok(axum::Json(view))
}

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(subject))
        .routes(routes!(affiliation))
        .routes(routes!(target))
        .routes(routes!(violation))
        .routes(routes!(decide))
        .routes(routes!(rectify))
        .routes(routes!(review))
        .routes(routes!(appeal))
        .routes(routes!(resolve))
        .routes(routes!(withdraw))
        .routes(routes!(reinstate))
        .routes(routes!(tick))
        .routes(routes!(can))
        .routes(routes!(status))
        .routes(routes!(timeline))
        .routes(routes!(case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_are_checked() {
        assert!(check_id("id", "mp-1.a:b@c_d").is_ok());
        assert!(
            check_id("id", "小程序1").is_err(),
            "ASCII only, as the schema says"
        );
        assert!(check_id("id", "").is_err());
        assert!(check_id("id", "a/b").is_err());
        assert!(check_id("id", "a b").is_err());
        assert!(check_id("id", &"x".repeat(MAX_ID + 1)).is_err());
        let t = 1_767_571_200; // 2026-01-05T00:00:00Z
        assert_eq!(rfc3339("2026-01-05T00:00:00Z"), Some(t));
        assert_eq!(rfc3339("2026-01-05t00:00:00z"), Some(t));
        assert_eq!(rfc3339("2026-01-05T08:00:00.123+08:00"), Some(t));
        assert_eq!(rfc3339("2026-01-04T19:30:00-04:30"), Some(t));
        assert_eq!(rfc3339("2026-01-05 00:00:00+00:00"), Some(t));
        for bad in [
            "yesterday",
            "2026-01-05",
            "2026-01-05T00:00:00",
            "2026-01-05T00:00:00.Z",
            "2026-02-30T00:00:00Z",
            "2026-01-05T24:00:00Z",
            "2026-01-05T00:00:00+24:00",
            "10000-01-01T00:00:00Z",
            "２０２６-01-05T00:00:00Z",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
        assert!(storable("at", rfc3339("0000-01-01T00:00:00Z").unwrap()).is_ok());
        assert!(storable("at", rfc3339("0000-01-01T00:00:00+01:00").unwrap()).is_err());
        assert!(storable("at", rfc3339("9999-12-31T23:59:59-01:00").unwrap()).is_err());
    }

    #[test]
    fn a_retry_may_differ_only_in_its_time() {
        let a = Event::Appealed {
            case: "c".into(),
            reason: "r".into(),
            at: 1,
        };
        let stored = serde_json::to_string(&Event::Appealed {
            case: "c".into(),
            reason: "r".into(),
            at: 2,
        })
        .unwrap();
        assert!(same_request("appealed", &stored, &a));
        let other = Event::Appealed {
            case: "c".into(),
            reason: "other".into(),
            at: 1,
        };
        assert!(!same_request("appealed", &stored, &other));
        assert!(!same_request("rectified", &stored, &a));
    }
}
