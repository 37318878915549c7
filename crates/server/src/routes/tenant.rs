//! Tenants over HTTP: creation, the directory and admin roles, permission
//! checks with their explanations, the balance and its statement, the
//! external-contact quota and approval flows (`bylaw_tenant`, docs/TENANT.md).
//!
//! Who may do what:
//! - `operator`: every tenant; it may name any actor, and without one it
//!   acts as the tenant's creator (`wecom-admin/roles.creator`: the highest
//!   authority of a tenant);
//! - `tenant-admin`: its own tenant only (any other tenant id is a 404, so a
//!   key never learns which other tenants exist), and every command and
//!   check runs AS the key's member: the actor is forced to that member (a
//!   body naming another actor is a 403), so the tenant model's roles
//!   (creator, super admins, scoped admins and delegation,
//!   `wecom-admin/roles.*`) further limit what the key can do. Platform
//!   operations (creating tenants, refunds, approving a business category,
//!   acquisition adds and customer-side contact events, letting time pass)
//!   and choosing the time of a command are the operator's;
//! - `reviewer`, `provider`, `scanner`: 403 on every tenant route.
//!
//! Answers: what the request itself gets wrong (its shape, types, a
//! negative amount, an empty id — everything the OpenAPI schema states) is
//! a 400 or 422 naming the field; everything the tenant engine refuses is a
//! 403 `denied` when a permission of the tenant model is missing (with the
//! engine's explanation and rule id), a 404 for an unknown member,
//! department, template, order or form, and otherwise a 409 `refused` with
//! the engine's message (Chinese and English), its rule id and, where the
//! engine names one, the field.
//!
//! The generic routes (`/commands`, `/books`) take the engine's own
//! commands; their request schemas (and the strict decoding in front of the
//! engine) are mirrors of `file::Command` and `books::BookCommand` whose
//! actor, time and ledger key are optional, because the server fills them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use bylaw_tenant::approval::{ApprovalError, Instance, Submission};
use bylaw_tenant::books::{BookCommand, BooksError, StepKind};
use bylaw_tenant::check::rule as tenant_rule;
use bylaw_tenant::contacts::{ContactBook, QuotaError};
use bylaw_tenant::file::{Command, Header, TenantFile};
use bylaw_tenant::journal::{Applied, BookEvent, Entry, Journal, JournalError, Refused};
use bylaw_tenant::ledger::{format_time, statement_csv, LedgerError};
use bylaw_tenant::{Action, Decision, Fen, Resource, SuperKind, Tenant, TenantError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, St};
use crate::auth::{Principal, Role};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{decode, idempotency_key, Json, Query};
use crate::state::{now, AppState};

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

/// Who a request acts for on one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Access {
    /// An operator key: any tenant, any actor.
    Operator {
        /// The key id (the default operator name of platform postings).
        key: String,
    },
    /// A tenant-admin key of this tenant, acting as this member.
    Member(String),
}

fn tenant_not_found(tid: &str) -> ApiError {
    ApiError::not_found("企业 tenant", tid)
}

/// Resolves the caller's access to tenant `tid`: 403 for roles without
/// tenant access, 404 for another tenant's id (its existence is not revealed).
fn access(p: &Principal, tid: &str) -> Result<Access, ApiError> {
    p.require(&[Role::TenantAdmin])?;
    if p.is_operator() {
        return Ok(Access::Operator {
            key: p.key_id.clone(),
        });
    }
    match (&p.owner, &p.member) {
        (Some(owner), Some(member)) if owner == tid => Ok(Access::Member(member.clone())),
        _ => Err(tenant_not_found(tid)),
    }
}

impl Access {
    /// Refuses a tenant-admin key: the operation is the platform's.
    fn operator_only(&self, what_zh: &str, what_en: &str) -> Result<(), ApiError> {
        match self {
            Access::Operator { .. } => Ok(()),
            Access::Member(_) => Err(ApiError::forbidden(
                format!("{what_zh}是平台操作，仅 operator 密钥可执行"),
                format!("{what_en} is a platform operation: operator keys only"),
            )),
        }
    }

    /// The member a tenant-admin key acts as.
    fn member(&self) -> Option<&str> {
        match self {
            Access::Member(m) => Some(m),
            Access::Operator { .. } => None,
        }
    }

    /// The name recorded as the operator of a platform posting.
    fn name(&self) -> String {
        match self {
            Access::Operator { key } => format!("operator:{key}"),
            Access::Member(m) => m.clone(),
        }
    }
}

/// The caller on an existing tenant.
#[derive(Debug, Clone)]
struct Caller {
    /// Its access.
    acc: Access,
    /// The tenant's creator (an operator's default actor).
    creator: String,
}

/// Checks the caller's access to tenant `tid` and that the tenant exists
/// (before anything else about the request is judged).
async fn enter(s: &St, p: &Principal, tid: &str) -> Result<Caller, ApiError> {
    let acc = access(p, tid)?;
    let st = s.0.clone();
    let t = tid.to_string();
    let creator = blocking(move || Ok(tenant(&journal(&st), &t)?.creator().to_string())).await?;
    Ok(Caller { acc, creator })
}

impl Caller {
    /// The actor of a command: the key's member for a tenant-admin key (a
    /// body naming anyone else is refused); for an operator the named actor,
    /// else the tenant's creator.
    fn actor(&self, given: Option<String>, field: &str) -> Result<String, ApiError> {
        match &self.acc {
            Access::Member(m) => match given {
                Some(g) if g != *m => Err(not_yourself(m, &g, field)),
                _ => Ok(m.clone()),
            },
            Access::Operator { .. } => Ok(given.unwrap_or_else(|| self.creator.clone())),
        }
    }

    /// The time of a command: the server's clock; an operator may give one
    /// (seconds since the epoch, years 0000 to 9999), a tenant-admin key not.
    fn at(&self, given: Option<i64>, field: &str) -> Result<i64, ApiError> {
        match (given, &self.acc) {
            (None, _) => Ok(now()),
            (Some(_), Access::Member(_)) => Err(ApiError::forbidden(
                "企业管理员密钥不能指定操作时间，时间由服务器决定",
                "a tenant-admin key may not set the time of a command; the server's clock is used",
            )
            .field(field)),
            (Some(t), Access::Operator { .. }) if (FIRST_TIME..=LAST_TIME).contains(&t) => Ok(t),
            (Some(t), Access::Operator { .. }) => Err(ApiError::invalid(
                field,
                format!("`{field}` 须在 0000 至 9999 年之间（Unix 秒），实际为 {t}"),
                format!("`{field}` must fall in years 0000 to 9999 (Unix seconds), got {t}"),
            )),
        }
    }
}

fn not_yourself(member: &str, other: &str, field: &str) -> ApiError {
    ApiError::forbidden(
        format!(
            "此密钥以成员 `{member}` 的身份操作，不能以 `{other}` 的身份执行（字段 `{field}`）"
        ),
        format!(
            "this key acts as member `{member}` and may not act as `{other}` (field `{field}`)"
        ),
    )
    .field(field)
}

fn journal(s: &AppState) -> MutexGuard<'_, Journal> {
    match s.tenants.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn tenant<'a>(j: &'a Journal, tid: &str) -> Result<&'a Tenant, ApiError> {
    j.registry().get(tid).map_err(|_| tenant_not_found(tid))
}

/// A denied decision as a 403, with its explanation and rule.
fn denied(d: &Decision) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "denied",
        format!("{} [{}]", d.zh, d.rule),
        format!("{} [{}]", d.en, d.rule),
    )
}

/// Checks a tenant-admin key's member for `action` (operators always pass).
fn require(t: &Tenant, acc: &Access, action: Action, r: &Resource) -> Result<(), ApiError> {
    let Some(m) = acc.member() else {
        return Ok(());
    };
    let d = t.check(m, action, r);
    if d.allowed {
        Ok(())
    } else {
        Err(denied(&d))
    }
}

fn journal_error(e: JournalError) -> ApiError {
    match e {
        JournalError::Store(s) => ApiError::store(&s),
        other => ApiError::internal(other),
    }
}

/// The tenant id grammar (also the schema's pattern).
fn check_id(field: &str, v: &str) -> Result<(), ApiError> {
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{field}` 须为 1–64 个 ASCII 字母、数字、`-`、`_` 或 `.`"),
            format!("`{field}` must be 1 to 64 ASCII letters, digits, `-`, `_` or `.`"),
        ))
    }
}

fn nonempty(field: &str, v: &str) -> Result<(), ApiError> {
    if v.is_empty() {
        return Err(ApiError::invalid(
            field,
            format!("`{field}` 不能为空"),
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(())
}

fn positive(field: &str, amount: i64) -> Result<(), ApiError> {
    if amount <= 0 {
        return Err(ApiError::invalid(
            field,
            format!("`{field}` 须为正整数（单位：分），实际为 {amount}"),
            format!("`{field}` must be a positive whole number of fen, got {amount}"),
        ));
    }
    Ok(())
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Converts a request mirror into the engine's type (same JSON shape).
fn engine<T: DeserializeOwned>(field: &str, v: &impl Serialize) -> Result<T, ApiError> {
    serde_json::from_value(to_value(v)).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-field",
            format!("字段 `{field}` 不合要求：{e}"),
            format!("{field}: {e}"),
        )
        .field(field)
    })
}

// ---------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------

/// 0000-01-01T00:00:00Z.
const FIRST_TIME: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z.
const LAST_TIME: i64 = 253_402_300_799;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an RFC 3339 date-time (`2026-11-21T08:00:00Z`, a fraction of a
/// second and any offset allowed; the fraction is dropped).
fn rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
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
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let _ = (h1, h2, m1, m2);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3_600 + om * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3_600 + mm * 60 + ss - offset)
}

fn time_param(field: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    v.map(|s| {
        rfc3339(s).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("`{field}` 须为 RFC 3339 时间（如 2026-11-21T08:00:00Z）：{s}"),
                format!("`{field}`: `{s}` is not an RFC 3339 time like 2026-11-21T08:00:00Z"),
            )
        })
    })
    .transpose()
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

fn refused(msg: String) -> ApiError {
    ApiError::conflict(msg.clone(), msg)
}

fn refused_at(msg: String, field: &str) -> ApiError {
    refused(msg).field(field)
}

fn forbid_engine(msg: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "denied", msg.clone(), msg)
}

fn tenant_error(e: TenantError) -> ApiError {
    match e {
        TenantError::Unknown { what, what_en, id } => ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("未知的{what} `{id}`"),
            format!("unknown {what_en} `{id}`"),
        ),
        TenantError::Exists(what) => {
            ApiError::conflict(format!("已存在：{what}"), format!("already exists: {what}"))
        }
        TenantError::Invalid { field, zh, en } => ApiError::conflict(zh, en).field(field),
        TenantError::Denied { rule, zh, en } => ApiError::new(
            StatusCode::FORBIDDEN,
            "denied",
            format!("{zh} [{rule}]"),
            format!("{en} [{rule}]"),
        ),
        TenantError::Exceeds { missing } => ApiError::new(
            StatusCode::FORBIDDEN,
            "denied",
            format!(
                "授权超出授予者自身权限：{} [{}]",
                missing.join("；"),
                tenant_rule::OWN_RIGHTS_ONLY
            ),
            format!(
                "the grant exceeds the grantor's rights: {} [{}]",
                missing.join("; "),
                tenant_rule::OWN_RIGHTS_ONLY
            ),
        ),
    }
}

fn ledger_error(e: LedgerError) -> ApiError {
    let msg = e.to_string();
    match &e {
        LedgerError::Amount { field, .. } | LedgerError::Empty { field } => refused_at(msg, field),
        LedgerError::Method { .. } => refused_at(msg, "method"),
        LedgerError::Overflow | LedgerError::RefundTooLarge { .. } => refused_at(msg, "amount"),
        LedgerError::UnknownOrder { .. } => {
            ApiError::new(StatusCode::NOT_FOUND, "not-found", msg.clone(), msg).field("order")
        }
        LedgerError::Excluded { .. } | LedgerError::NotPayable { .. } => refused_at(msg, "item"),
        LedgerError::OrderExists { .. } => refused_at(msg, "order"),
        LedgerError::KeyReused { .. } => refused_at(msg, "key"),
        LedgerError::Insufficient { .. } => refused(msg),
        LedgerError::Rulebook { .. } => ApiError::internal(msg),
    }
}

fn approval_error(e: ApprovalError) -> ApiError {
    let msg = e.to_string();
    match &e {
        ApprovalError::Denied { .. } | ApprovalError::NotYourTurn { .. } => forbid_engine(msg),
        ApprovalError::Template { field, .. } => refused_at(msg, &format!("template.{field}")),
        ApprovalError::Input { field, .. } | ApprovalError::NotMember { field, .. } => {
            refused_at(msg, field)
        }
        _ => refused(msg),
    }
}

fn books_error(e: BooksError) -> ApiError {
    use bylaw_tenant::acquisition::AcquisitionError as A;
    use bylaw_tenant::alert::AlertError as Al;
    match e {
        BooksError::Tenant(t) => tenant_error(t),
        BooksError::Ledger(l) => ledger_error(l),
        BooksError::Acquisition(A::Ledger(l)) => ledger_error(l),
        BooksError::Acquisition(a) => {
            let msg = a.to_string();
            match a {
                A::Count => refused_at(msg, "count"),
                A::EmptyId => refused_at(msg, "add"),
                A::Rulebook { .. } => ApiError::internal(msg),
                _ => refused(msg),
            }
        }
        BooksError::Alert(a) => {
            let msg = a.to_string();
            match a {
                Al::Amount(_) => refused_at(msg, "settings.threshold_yuan"),
                Al::NoRecipients | Al::Recipient(_) => refused_at(msg, "settings.recipients"),
                Al::Frequency(_) => refused_at(msg, "settings.frequency"),
                Al::Rulebook { .. } => ApiError::internal(msg),
                Al::Off => refused(msg),
            }
        }
        BooksError::Quota(q) => {
            let msg = q.to_string();
            match q {
                QuotaError::NoPermission { .. } => forbid_engine(msg),
                QuotaError::EmptyId { what } => refused_at(msg, what),
                QuotaError::Rulebook { .. } => ApiError::internal(msg),
                _ => refused(msg),
            }
        }
        BooksError::Approval(a) => approval_error(a),
        BooksError::Category { rule, zh, en } => {
            ApiError::conflict(format!("{zh} [{rule}]"), format!("{en} [{rule}]"))
        }
    }
}

fn refusal(r: Refused) -> ApiError {
    match r {
        Refused::Tenant(t) => tenant_error(t),
        Refused::Books(b) => books_error(b),
    }
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

/// What an accepted write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    /// The command as logged (`add-member`, `books.top-up`, …).
    pub command: String,
    /// The books outcome (books commands): `{zh, en, rule, data, notices, changed}`; amounts in fen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<Value>,
    /// Side effects of a directory or admin change (roles lost, seats freed), each with its rule.
    pub notes: Vec<String>,
    /// The log position it was stored at; absent for a repeat that stored nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// A retry of an earlier request (same Idempotency-Key): nothing was applied now.
    pub repeat: bool,
}

fn done(command: String, a: Applied) -> Done {
    Done {
        command,
        outcome: a.outcome.map(|o| to_value(&o)),
        notes: a.notes,
        seq: a.seq,
        repeat: a.repeat,
    }
}

/// Applies one entry durably on tenant `tid` (which must exist); `idem` is
/// the request's `Idempotency-Key`.
async fn submit(s: &St, tid: &str, idem: Option<String>, entry: Entry) -> Result<Done, ApiError> {
    let st = s.0.clone();
    let tid = tid.to_string();
    blocking(move || {
        let mut j = journal(&st);
        tenant(&j, &tid)?;
        let name = match &entry {
            Entry::Tenant(c) => c.name(),
            Entry::Books(b) => format!("books.{}", b.command.name()),
        };
        // A retried request (same Idempotency-Key on this tenant) is answered
        // from the log: the journal checks the key inside its write lock, so
        // not even two nodes apply it twice.
        // Ledger postings carry their own key (the ledger answers a repeat as
        // `duplicate` and refuses a key reused for another amount), so the
        // journal key is only for commands without one.
        let own_key = matches!(&entry, Entry::Books(b) if b.command.key().is_some());
        let key = idem.filter(|_| !own_key).map(|k| format!("http:{tid}:{k}"));
        let mut results = j.submit_keyed(&[(key, entry)]).map_err(journal_error)?;
        match results.pop() {
            Some(Ok(a)) => Ok(done(name, a)),
            Some(Err(r)) => Err(refusal(r)),
            None => Err(ApiError::internal("empty journal answer")),
        }
    })
    .await
}

async fn submit_tenant(
    s: &St,
    tid: &str,
    idem: Option<String>,
    c: Command,
) -> Result<Done, ApiError> {
    submit(s, tid, idem, Entry::Tenant(c)).await
}

async fn submit_books(
    s: &St,
    tid: &str,
    idem: Option<String>,
    command: BookCommand,
) -> Result<Done, ApiError> {
    let entry = Entry::Books(BookEvent {
        tenant: tid.to_string(),
        command,
    });
    submit(s, tid, idem, entry).await
}

/// A fresh ledger key when neither the body nor the header gives one.
fn fresh_key(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{prefix}:{nanos}:{}:{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The ledger key of a posting: the body's, else the header's, else `default`.
fn ledger_key(
    body: Option<String>,
    header: Option<String>,
    default: impl FnOnce() -> String,
) -> String {
    body.or(header).unwrap_or_else(default)
}

// ---------------------------------------------------------------------------
// Request mirrors of the engine's types (schema and strict decoding)
// ---------------------------------------------------------------------------

/// A department of a new tenant (`file::DeptEntry`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeptIn {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Parent id (`root` for the top level).
    pub parent: String,
}

/// A member of a new tenant (`file::MemberEntry`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Departments.
    pub departments: Vec<String>,
    /// Departments it heads.
    #[serde(default)]
    pub head_of: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Internal (a member) or external (代运营) super admin (`roles.super-admin-internal`, `-external`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SuperKindIn {
    /// Must be a member; loses the role on leaving.
    Internal,
    /// Need not be a member.
    External,
}

impl SuperKindIn {
    fn engine(self) -> SuperKind {
        match self {
            SuperKindIn::Internal => SuperKind::Internal,
            SuperKindIn::External => SuperKind::External,
        }
    }
}

/// A super admin of a new tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuperAdminIn {
    /// The person.
    pub id: String,
    /// Internal or external.
    pub kind: SuperKindIn,
}

/// A part of a directory scope: `{"subtree": DEPT}` or `"own-departments"`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeIn {
    /// A department and everything below it.
    Subtree(String),
    /// The admin's own departments and below.
    OwnDepartments,
}

/// An app right: `send`, or `manage` which implies send (`roles.app-rights.manage-implies-send`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AppRightIn {
    /// 发消息.
    Send,
    /// 管理.
    Manage,
}

/// Which devices a management right covers: `"all"` or `{"listed": [..]}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceScopeIn {
    /// Every device.
    All,
    /// These devices.
    Listed(Vec<String>),
}

/// Device rights (`roles.device-rights`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevicesIn {
    /// Bind new devices.
    #[serde(default)]
    pub bind_new: bool,
    /// Manage all or listed devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage: Option<DeviceScopeIn>,
}

/// Rights of a scoped admin or an admin group (`roles.directory-rights`, `.app-rights`, `.device-rights`).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsIn {
    /// Directory scope.
    #[serde(default)]
    pub directory: Vec<ScopeIn>,
    /// App rights by app id.
    #[serde(default)]
    pub apps: BTreeMap<String, AppRightIn>,
    /// Device rights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<DevicesIn>,
}

/// An admin group of a new tenant (`roles.admin-group`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupIn {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// The rights its members share.
    #[serde(default)]
    pub rights: RightsIn,
}

/// A scoped admin of a new tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopedIn {
    /// The member.
    pub member: String,
    /// Its admin group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its own rights.
    #[serde(default)]
    pub rights: RightsIn,
}

/// A custom balance rule (`recharge.spend-permission.custom`): these members may pay these items.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendRuleIn {
    /// Id.
    pub id: String,
    /// Members.
    pub members: Vec<String>,
    /// Items.
    pub items: Vec<String>,
}

/// Choices the seeds leave open (docs/TENANT.md); absent: the default.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyIn {
    /// The creator pays from the balance like a super admin (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_spends_by_default: Option<bool>,
    /// Device rights may be delegated (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegate_devices: Option<bool>,
    /// Scoped admins assign seats (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoped_admins_assign_seats: Option<bool>,
}

/// A form field's type.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKindIn {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// One or more members.
    Member,
}

/// A template's form field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldIn {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: FieldKindIn,
    /// 必填.
    #[serde(default)]
    pub required: bool,
}

/// Approver (approves or rejects) or handler (confirms handling, `approval.handler`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRoleIn {
    /// 审批人.
    Approver,
    /// 办理人.
    Handler,
}

/// How several people of a node decide: all-sign, any-sign, sequential.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ModeIn {
    /// 会签.
    All,
    /// 或签.
    Any,
    /// 依次审批.
    Sequential,
}

/// Which way department-head levels count.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DirectionIn {
    /// 从下至上.
    BottomUp,
    /// 从上至下.
    TopDown,
}

/// Who a node's people are (`approval.handler-node.types`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AssigneeIn {
    /// Designated members.
    Members {
        /// Member ids.
        members: Vec<String>,
    },
    /// The department head at a level.
    DeptHead {
        /// Level, from 1.
        #[schema(minimum = 0, maximum = 4294967295_i64)]
        level: i64,
        /// Counting direction.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direction: Option<DirectionIn>,
    },
    /// Everyone with a tag.
    Tag {
        /// The tag.
        tag: String,
    },
    /// The applicant.
    Applicant,
    /// Chosen by the applicant.
    ApplicantChoice {
        /// Who may be chosen (absent: anyone).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<Vec<String>>,
        /// Several may be chosen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        multiple: Option<bool>,
    },
    /// The members of a required member field.
    MemberField {
        /// The field.
        field: String,
    },
}

/// One node of a template's flow.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeIn {
    /// Approver (default) or handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<NodeRoleIn>,
    /// Who.
    pub assignee: AssigneeIn,
    /// How several decide (default all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ModeIn>,
}

/// When a node resolves to nobody: `"auto-approve"` or `{"transfer-to": MEMBER}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WhenEmptyIn {
    /// 自动同意.
    AutoApprove,
    /// 转交给指定人员处理.
    TransferTo(String),
}

/// When a node's member left: `"remind-admin"` or `{"hand-over-to": MEMBER}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WhenDepartedIn {
    /// 提醒管理员手动交接.
    RemindAdmin,
    /// 自动交接给指定人员.
    HandOverTo(String),
}

/// Exception handling of one role's nodes (`approval.exceptions`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExceptionsIn {
    /// 成员为空时.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_empty: Option<WhenEmptyIn>,
    /// 成员离职时.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_departed: Option<WhenDepartedIn>,
}

/// The repeated-approver rule (`approval.settings.auto-approve`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RepeatedIn {
    /// 只首个节点需审批.
    FirstNodeOnly,
    /// 仅连续审批时自动同意.
    ConsecutiveOnly,
    /// 每个节点都需要审批.
    EveryNode,
}

/// Who may view a form (`approval.settings.view`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ViewIn {
    /// No restriction.
    Everyone,
    /// Admins, the applicant, approvers, CC, handlers and mentioned members.
    ParticipantsOnly,
}

/// Edit permissions (`approval.settings.edit`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EditIn {
    /// Fixed CC cannot be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_fixed_cc: Option<bool>,
    /// Fixed handlers cannot be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_fixed_handlers: Option<bool>,
    /// Editable after approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_after_approval: Option<bool>,
}

/// A department-head node whose head is the applicant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HeadIsApplicantIn {
    /// The applicant decides.
    SelfApprove,
    /// The node passes.
    Skip,
    /// The nearest head above decides.
    Superior,
}

/// A template's rule settings (规则设置); absent fields keep their defaults.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SettingsIn {
    /// Approver-node exceptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_exceptions: Option<ExceptionsIn>,
    /// Handler-node exceptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler_exceptions: Option<ExceptionsIn>,
    /// Repeated approvers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated_approver: Option<RepeatedIn>,
    /// Approval opinions required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_comment_required: Option<bool>,
    /// Handling opinions required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler_comment_required: Option<bool>,
    /// Signatures required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_required: Option<bool>,
    /// Who may view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewIn>,
    /// Submitting for others allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_for_others: Option<bool>,
    /// Adding approvers allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_approver: Option<bool>,
    /// Edit permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<EditIn>,
    /// A head who is the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_is_applicant: Option<HeadIsApplicantIn>,
}

/// An approval template (`approval::Template`, kebab-case keys as the template files).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TemplateIn {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Form fields.
    #[serde(default)]
    pub fields: Vec<FieldIn>,
    /// The flow, in order.
    pub nodes: Vec<NodeIn>,
    /// Fixed CC.
    #[serde(default)]
    pub cc: Vec<String>,
    /// Rule settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsIn>,
}

/// A form value: text, a number, or member ids.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FormValueIn {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Member ids.
    Members(Vec<String>),
}

/// What is filled in when a form is submitted (`approval::Submission`, kebab-case keys).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SubmissionIn {
    /// The form's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// 申请人 (a tenant-admin key: its member by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant: Option<String>,
    /// Who submits (a tenant-admin key: always its member).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitter: Option<String>,
    /// The applicant's department to submit from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Field values.
    #[serde(default)]
    pub form: BTreeMap<String, FormValueIn>,
    /// Members chosen for applicant-choice nodes, by template node index.
    #[serde(default)]
    pub choices: BTreeMap<usize, Vec<String>>,
    /// @-mentioned members.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// CC recipients (absent: the template's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc: Option<Vec<String>>,
    /// Replacement handlers by template node index.
    #[serde(default)]
    pub handlers: BTreeMap<usize, Vec<String>>,
}

/// A low-balance alert recipient: `{"member": ID}`, `{"department": ID}` or `{"tag": NAME}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientIn {
    /// A member.
    Member(String),
    /// A department and its sub-departments.
    Department(String),
    /// A tag.
    Tag(String),
}

/// How often a low-balance alert repeats.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FrequencyIn {
    /// 按小时.
    Hourly,
    /// 按天.
    Daily,
    /// 按周.
    Weekly,
}

/// Low-balance alert settings (`recharge.low-balance-alert.*`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSettingsIn {
    /// Alert below this many yuan (a natural number).
    pub threshold_yuan: i64,
    /// Who is told.
    pub recipients: Vec<RecipientIn>,
    /// How often (default daily).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyIn>,
}

/// An external-contact event (`external-contacts.*`; the verification comes from the tenant, plans
/// are bought with `buy-plan`). A tenant-admin key records its own member's `add-friend` and
/// `member-deletes` only (`member` defaults to it); the rest are the platform's.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ContactIn {
    /// Grants or revokes a member's add-external-contacts permission.
    SetPermission {
        /// The member.
        member: String,
        /// Granted.
        granted: bool,
    },
    /// A member adds a customer.
    AddFriend {
        /// The member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<String>,
        /// The customer.
        customer: String,
        /// When (operators; Unix seconds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// A customer joins a tenant group chat.
    JoinGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
        /// When (Unix seconds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// A member deletes a customer.
    MemberDeletes {
        /// The member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<String>,
        /// The customer.
        customer: String,
    },
    /// A customer deletes a member.
    CustomerDeletesMember {
        /// The customer.
        customer: String,
        /// The member.
        member: String,
    },
    /// A member left the tenant.
    MemberLeft {
        /// The member.
        member: String,
    },
    /// A customer leaves a group.
    LeaveGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
    },
    /// A group is dissolved.
    DissolveGroup {
        /// The group.
        group: String,
    },
}

/// An approval step: approve, reject (approvers), confirm (handlers), withdraw (applicant or submitter).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StepIn {
    /// 同意.
    Approve,
    /// 驳回.
    Reject,
    /// 确认办理.
    Confirm,
    /// 撤回.
    Withdraw,
}

impl StepIn {
    fn engine(self) -> StepKind {
        match self {
            StepIn::Approve => StepKind::Approve,
            StepIn::Reject => StepKind::Reject,
            StepIn::Confirm => StepKind::Confirm,
            StepIn::Withdraw => StepKind::Withdraw,
        }
    }
}

/// Decodes a JSON object into a mirror type, naming the field at fault.
/// Internally tagged enums lose the path of their errors: an unknown or
/// missing field is named from the message, a bad value by finding the
/// top-level field whose removal changes the error.
fn decode_named<T: DeserializeOwned>(m: &Map<String, Value>) -> Result<T, ApiError> {
    let decode_map = |m: &Map<String, Value>| -> Result<T, ApiError> {
        let bytes = serde_json::to_vec(m).map_err(ApiError::internal)?;
        decode(&bytes)
    };
    let err = match decode_map(m) {
        Ok(v) => return Ok(v),
        Err(e) if e.field.is_some() || e.code != "bad-field" => return Err(e),
        Err(e) => e,
    };
    let named = |f: &str| err.clone().field(f);
    for marker in ["unknown field `", "missing field `"] {
        if let Some(f) = err
            .message_en
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(f, _)| f.to_string())
        {
            return Err(named(&f));
        }
    }
    // The commands have a dozen fields at most: a body with many more is
    // not worth probing (and probing it would cost quadratic time).
    if m.len() > 32 {
        return Err(err);
    }
    for k in m.keys().filter(|k| k.as_str() != "command") {
        let mut rest = m.clone();
        rest.remove(k);
        match decode_map(&rest) {
            Err(e) if e.message_en == err.message_en => {}
            _ => return Err(named(k)),
        }
    }
    Err(err)
}

fn body_object(v: Value) -> Result<Map<String, Value>, ApiError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-field",
            "请求体须为 JSON 对象",
            "the body must be a JSON object",
        )),
    }
}

// ---------------------------------------------------------------------------
// Tenants
// ---------------------------------------------------------------------------

/// A tenant to create (operator). Its registrant, `creator`, becomes the
/// creator (`wecom-admin/roles.creator`: one per tenant, at most 5 tenants
/// per account). Departments, members (with heads and tags), apps, devices
/// and admin groups can only be given here; the rest can also be changed later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// Id: 1 to 64 ASCII letters, digits, `-`, `_`, `.`.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub id: String,
    /// Name (also the root department's).
    #[schema(min_length = 1)]
    pub name: String,
    /// The creator (registrant).
    #[schema(min_length = 1)]
    pub creator: String,
    /// Verified (认证): an unverified tenant serves at most 100 external contacts.
    #[serde(default)]
    pub verified: bool,
    /// Industry (行业), e.g. 家校行业 (auto-deduction excludes some, `auto-deduct.eligibility`).
    #[serde(default)]
    pub industry: Option<String>,
    /// Choices the seeds leave open.
    #[serde(default)]
    pub policy: Option<PolicyIn>,
    /// Apps (e.g. `approval`, `crm`).
    #[serde(default)]
    pub apps: BTreeSet<String>,
    /// Devices.
    #[serde(default)]
    pub devices: BTreeSet<String>,
    /// Departments (`root` is the tenant); any order.
    #[serde(default)]
    pub departments: Vec<DeptIn>,
    /// Members.
    #[serde(default)]
    pub members: Vec<MemberIn>,
    /// Super admins.
    #[serde(default)]
    pub super_admins: Vec<SuperAdminIn>,
    /// Admin groups.
    #[serde(default)]
    pub groups: Vec<GroupIn>,
    /// Scoped admins.
    #[serde(default)]
    pub scoped_admins: Vec<ScopedIn>,
    /// Business owners (业务负责人).
    #[serde(default)]
    pub business_owners: BTreeSet<String>,
    /// Custom balance rules.
    #[serde(default)]
    pub spend_rules: Vec<SpendRuleIn>,
}

/// A tenant in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The creator.
    pub creator: String,
    /// Verified.
    pub verified: bool,
    /// Industry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Business category and its review status (`{status: unset|in-review|approved, category?}`).
    #[schema(value_type = Object)]
    pub category: Value,
    /// Live departments (the root included).
    pub departments: usize,
    /// Current members.
    pub members: usize,
    /// The policy.
    #[schema(value_type = Object)]
    pub policy: Value,
}

fn info(t: &Tenant) -> TenantInfo {
    TenantInfo {
        id: t.id.clone(),
        name: t.name.clone(),
        creator: t.creator().to_string(),
        verified: t.verified,
        industry: t.industry.clone(),
        category: to_value(&t.category),
        departments: t.directory().department_count(),
        members: t.directory().members().count(),
        policy: to_value(t.policy()),
    }
}

/// Creates a tenant (operator only); its creator is the registrant (`wecom-admin/roles.creator`).
/// Everything the engine refuses (a taken id, the creator limit, an unknown parent) is a 409.
#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", request_body = NewTenant,
    params(crate::extract::IdempotencyHeader),
    responses((status = 201, body = TenantInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_tenant(
    s: St,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Json(b): Json<NewTenant>,
) -> Result<(StatusCode, axum::Json<TenantInfo>), ApiError> {
    p.require(&[])?;
    let idem = idempotency_key(&headers)?;
    check_id("id", &b.id)?;
    nonempty("name", &b.name)?;
    nonempty("creator", &b.creator)?;
    let file = TenantFile {
        tenant: Header {
            id: b.id.clone(),
            name: b.name,
            creator: b.creator,
            verified: b.verified,
            industry: b.industry,
            category: Default::default(),
        },
        policy: match &b.policy {
            Some(pol) => engine("policy", pol)?,
            None => Default::default(),
        },
        apps: b.apps,
        devices: b.devices,
        departments: engine("departments", &b.departments)?,
        members: engine("members", &b.members)?,
        super_admins: engine("super_admins", &b.super_admins)?,
        groups: engine("groups", &b.groups)?,
        scoped_admins: engine("scoped_admins", &b.scoped_admins)?,
        business_owners: b.business_owners,
        spend_rules: engine("spend_rules", &b.spend_rules)?,
        seats: Vec::new(),
    };
    let st = s.0.clone();
    let tid = b.id;
    let t = blocking(move || {
        let mut j = journal(&st);
        // A retried creation (same Idempotency-Key) is answered from the
        // log; without a key, a second creation is refused (the tenant exists).
        let key = idem.map(|k| format!("http:tenants:{k}"));
        let r = j
            .submit_keyed(&[(
                key,
                Entry::Tenant(Command::Import {
                    file: Box::new(file),
                }),
            )])
            .map_err(journal_error)?
            .pop()
            .ok_or_else(|| ApiError::internal("empty journal answer"))?;
        match r {
            Ok(_) => Ok(info(tenant(&j, &tid)?)),
            // Whatever the engine refuses here refuses the new tenant's
            // content (the per-account creator limit of
            // `wecom-admin/roles.creator`, a department's unknown parent),
            // not the operator: a conflict.
            Err(Refused::Tenant(e)) => Err(match tenant_error(e) {
                mut a if a.status != StatusCode::CONFLICT => {
                    a.status = StatusCode::CONFLICT;
                    a.code = "refused";
                    a
                }
                a => a,
            }),
            Err(r) => Err(refusal(r)),
        }
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

/// Lists tenants: every one for an operator, its own for a tenant-admin key.
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", responses(
    (status = 200, body = Vec<TenantInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_tenants(
    s: St,
    Extension(p): Extension<Principal>,
) -> Result<axum::Json<Vec<TenantInfo>>, ApiError> {
    p.require(&[Role::TenantAdmin])?;
    let st = s.0.clone();
    // A tenant-admin key sees its own tenant only (none without an owner).
    let own = if p.is_operator() {
        None
    } else {
        Some(p.owner.clone().unwrap_or_default())
    };
    let v = blocking(move || {
        let j = journal(&st);
        Ok(j.registry()
            .tenants()
            .filter(|t| own.as_ref().is_none_or(|o| *o == t.id))
            .map(info)
            .collect())
    })
    .await?;
    Ok(axum::Json(v))
}

/// Runs a read on tenant `tid` (which must exist) under the journal's lock.
async fn read<T: Send + 'static>(
    s: &St,
    tid: &str,
    f: impl FnOnce(&Journal, &Tenant) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = s.0.clone();
    let tid = tid.to_string();
    blocking(move || {
        let j = journal(&st);
        let t = tenant(&j, &tid)?;
        f(&j, t)
    })
    .await
}

/// One tenant in brief.
#[utoipa::path(get, path = "/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id")),
    responses((status = 200, body = TenantInfo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_tenant(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<TenantInfo>, ApiError> {
    access(&p, &id)?;
    Ok(axum::Json(read(&s, &id, |_, t| Ok(info(t))).await?))
}

// ---------------------------------------------------------------------------
// Directory and roles (reads)
// ---------------------------------------------------------------------------

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeptView {
    /// Id (`root` is the tenant).
    pub id: String,
    /// Name.
    pub name: String,
    /// Parent id (absent for the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Path of names from the root.
    pub path: String,
    /// Heads (member ids).
    pub heads: Vec<String>,
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Departments (ids).
    pub departments: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// A tenant's directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryView {
    /// The tenant.
    pub tenant: String,
    /// Live departments, the root first.
    pub departments: Vec<DeptView>,
    /// Current members.
    pub members: Vec<MemberView>,
}

/// The directory: departments (with paths and heads) and members. Any key of the tenant may read it.
#[utoipa::path(get, path = "/v1/tenants/{id}/directory", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id")),
    responses((status = 200, body = DirectoryView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn directory(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<DirectoryView>, ApiError> {
    access(&p, &id)?;
    let v = read(&s, &id, |_, t| {
        let dir = t.directory();
        let departments = dir
            .departments()
            .map(|(ix, d)| DeptView {
                id: d.id.clone(),
                name: d.name.clone(),
                parent: d.parent.map(|p| dir.department(p).id.clone()),
                path: dir.path(ix),
                heads: d
                    .heads
                    .iter()
                    .map(|m| dir.member_rec(*m).id.clone())
                    .collect(),
            })
            .collect();
        let members = dir
            .members()
            .map(|(_, m)| MemberView {
                id: m.id.clone(),
                name: m.name.clone(),
                departments: m
                    .departments
                    .iter()
                    .map(|d| dir.department(*d).id.clone())
                    .collect(),
                tags: m.tags.clone(),
            })
            .collect();
        Ok(DirectoryView {
            tenant: t.id.clone(),
            departments,
            members,
        })
    })
    .await?;
    Ok(axum::Json(v))
}

/// A scoped admin and its rights.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScopedView {
    /// The member.
    pub member: String,
    /// Its admin group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Rights granted to it directly: `{directory, apps, devices}`.
    #[schema(value_type = Object)]
    pub rights: Value,
    /// Its own and its group's rights together.
    #[schema(value_type = Object)]
    pub effective: Value,
}

/// Who holds which admin role (`wecom-admin/roles.*`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RolesView {
    /// The tenant.
    pub tenant: String,
    /// The creator (`roles.creator`).
    pub creator: String,
    /// Super admins `{id, kind}` (`roles.super-admin*`).
    #[schema(value_type = Vec<Object>)]
    pub super_admins: Value,
    /// Scoped admins (`roles.scoped-admin`).
    pub scoped_admins: Vec<ScopedView>,
    /// Admin groups `{id, name, rights}` (`roles.admin-group`).
    #[schema(value_type = Vec<Object>)]
    pub groups: Value,
    /// Business owners (业务负责人).
    pub business_owners: Vec<String>,
    /// Custom balance rules (`recharge.spend-permission.custom`).
    #[schema(value_type = Vec<Object>)]
    pub spend_rules: Value,
    /// Assigned advanced-feature seats (`security.seat-*`).
    #[schema(value_type = Vec<Object>)]
    pub seats: Value,
    /// Apps.
    pub apps: Vec<String>,
    /// Devices.
    pub devices: Vec<String>,
}

/// Admin roles: creator, super admins, scoped admins with their rights, groups, balance rules, seats.
/// Any key of the tenant may read them.
#[utoipa::path(get, path = "/v1/tenants/{id}/roles", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id")),
    responses((status = 200, body = RolesView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn roles(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<RolesView>, ApiError> {
    access(&p, &id)?;
    let v = read(&s, &id, |_, t| {
        Ok(RolesView {
            tenant: t.id.clone(),
            creator: t.creator().to_string(),
            super_admins: to_value(&t.super_admins()),
            scoped_admins: t
                .scoped_admins()
                .iter()
                .map(|(m, a)| ScopedView {
                    member: m.clone(),
                    group: a.group.clone(),
                    rights: to_value(&a.rights),
                    effective: to_value(&t.rights_of(m).unwrap_or_default()),
                })
                .collect(),
            groups: to_value(&t.groups().values().collect::<Vec<_>>()),
            business_owners: t.business_owners().iter().cloned().collect(),
            spend_rules: to_value(&t.spend_rules()),
            seats: to_value(&t.seats()),
            apps: t.apps().iter().cloned().collect(),
            devices: t.devices().iter().cloned().collect(),
        })
    })
    .await?;
    Ok(axum::Json(v))
}

// ---------------------------------------------------------------------------
// Directory and roles (typed writes)
// ---------------------------------------------------------------------------

/// A member to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Who acts (a tenant-admin key: its own member; an operator: the named member, else the creator).
    #[serde(default)]
    pub actor: Option<String>,
    /// Id.
    #[schema(min_length = 1)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Departments (one or more; the actor must manage each, `wecom-admin/roles.directory-rights`).
    #[schema(min_items = 1)]
    pub departments: Vec<String>,
}

/// Adds a member to departments the actor manages (`wecom-admin/roles.directory-rights`).
#[utoipa::path(post, path = "/v1/tenants/{id}/members", tag = "tenants", request_body = NewMember,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn add_member(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewMember>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    nonempty("id", &b.id)?;
    if b.departments.is_empty() {
        return Err(ApiError::invalid(
            "departments",
            "成员至少属于一个部门",
            "a member belongs to at least one department",
        ));
    }
    let cmd = Command::AddMember {
        tenant: id.clone(),
        actor,
        id: b.id,
        name: b.name,
        departments: b.departments,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// The acting member of a DELETE.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActorQuery {
    /// Who acts (a tenant-admin key: its own member; an operator: the named member, else the creator).
    #[serde(default)]
    pub actor: Option<String>,
}

/// Removes a member from the directory: it loses internal super admin and scoped admin roles, balance
/// rules and seats (`roles.super-admin-internal`, `security.seat-release`); its customers stay counted
/// (`external-contacts.release`) and its pending approval tasks follow the departed rule.
#[utoipa::path(delete, path = "/v1/tenants/{id}/members/{member}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ("member" = String, Path, description = "Member id"),
        crate::extract::IdempotencyHeader,
        ActorQuery),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn remove_member(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, member)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<ActorQuery>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(q.actor, "actor")?;
    let cmd = Command::RemoveMember {
        tenant: id.clone(),
        actor,
        id: member,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A department to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Who acts.
    #[serde(default)]
    pub actor: Option<String>,
    /// Id.
    #[schema(min_length = 1)]
    pub id: String,
    /// Name.
    #[schema(min_length = 1)]
    pub name: String,
    /// Parent (`root` for the top level); the actor must manage it.
    pub parent: String,
}

/// Adds a department under a parent the actor manages.
#[utoipa::path(post, path = "/v1/tenants/{id}/departments", tag = "tenants", request_body = NewDepartment,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn add_department(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewDepartment>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    nonempty("id", &b.id)?;
    nonempty("name", &b.name)?;
    let cmd = Command::AddDepartment {
        tenant: id.clone(),
        actor,
        id: b.id,
        name: b.name,
        parent: b.parent,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A department move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveDepartment {
    /// Who acts.
    #[serde(default)]
    pub actor: Option<String>,
    /// The new parent (never the department itself or one of its descendants).
    pub parent: String,
}

/// Moves a department under another parent.
#[utoipa::path(patch, path = "/v1/tenants/{id}/departments/{dept}", tag = "tenants", request_body = MoveDepartment,
    params(("id" = String, Path, description = "Tenant id"), ("dept" = String, Path, description = "Department id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn move_department(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, dept)): Path<(String, String)>,
    headers: HeaderMap,
    Json(b): Json<MoveDepartment>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = Command::MoveDepartment {
        tenant: id.clone(),
        actor,
        id: dept,
        parent: b.parent,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// Removes an empty department.
#[utoipa::path(delete, path = "/v1/tenants/{id}/departments/{dept}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ("dept" = String, Path, description = "Department id"),
        crate::extract::IdempotencyHeader,
        ActorQuery),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn remove_department(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, dept)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<ActorQuery>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(q.actor, "actor")?;
    let cmd = Command::RemoveDepartment {
        tenant: id.clone(),
        actor,
        id: dept,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A super admin to appoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuperAdmin {
    /// Who acts.
    #[serde(default)]
    pub actor: Option<String>,
    /// The person (a member when internal).
    pub id: String,
    /// `internal` (must be a member) or `external` (代运营).
    pub kind: SuperKindIn,
}

/// Appoints a super admin (`wecom-admin/roles.super-admin`, `-internal`, `-external`).
#[utoipa::path(post, path = "/v1/tenants/{id}/super-admins", tag = "tenants", request_body = NewSuperAdmin,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn add_super_admin(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewSuperAdmin>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = Command::AddSuperAdmin {
        tenant: id.clone(),
        actor,
        id: b.id,
        kind: b.kind.engine(),
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// Removes a super admin (`wecom-admin/roles.super-admin.removable`).
#[utoipa::path(delete, path = "/v1/tenants/{id}/super-admins/{person}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ("person" = String, Path, description = "The super admin"),
        crate::extract::IdempotencyHeader,
        ActorQuery),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn remove_super_admin(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, person)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<ActorQuery>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(q.actor, "actor")?;
    let cmd = Command::RemoveSuperAdmin {
        tenant: id.clone(),
        actor,
        id: person,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A scoped admin to appoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScopedAdmin {
    /// Who acts.
    #[serde(default)]
    pub actor: Option<String>,
    /// The member.
    pub member: String,
    /// Its admin group (at most one, `wecom-admin/roles.admin-group`).
    #[serde(default)]
    pub group: Option<String>,
}

/// Appoints a scoped admin, alone or in an admin group (`wecom-admin/roles.scoped-admin`); give it
/// rights with `POST /grants`.
#[utoipa::path(post, path = "/v1/tenants/{id}/scoped-admins", tag = "tenants", request_body = NewScopedAdmin,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn add_scoped_admin(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewScopedAdmin>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = Command::AddScopedAdmin {
        tenant: id.clone(),
        actor,
        member: b.member,
        group: b.group,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// Rights to grant or take back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsChange {
    /// Who acts.
    #[serde(default)]
    pub actor: Option<String>,
    /// The scoped admin.
    pub grantee: String,
    /// The rights.
    pub rights: RightsIn,
}

/// Grants rights to a scoped admin: by the creator or a super admin, or delegated by a scoped admin
/// of an admin group within its own rights (`wecom-admin/roles.scoped-admin.delegate`,
/// `.own-rights-only`); a grant beyond the grantor is refused whole, every missing part named.
#[utoipa::path(post, path = "/v1/tenants/{id}/grants", tag = "tenants", request_body = RightsChange,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn grant(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<RightsChange>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = Command::Grant {
        tenant: id.clone(),
        actor,
        grantee: b.grantee,
        rights: engine("rights", &b.rights)?,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// Takes rights back from a scoped admin (same authority as granting, `wecom-admin/roles.scoped-admin.own-rights-only`).
#[utoipa::path(post, path = "/v1/tenants/{id}/revocations", tag = "tenants", request_body = RightsChange,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn revoke(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<RightsChange>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = Command::Revoke {
        tenant: id.clone(),
        actor,
        grantee: b.grantee,
        rights: engine("rights", &b.rights)?,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A creator transfer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatorTransfer {
    /// Who acts (the creator).
    #[serde(default)]
    pub actor: Option<String>,
    /// The new creator (at most 5 creator roles per account).
    #[schema(min_length = 1)]
    pub to: String,
}

/// Transfers the creator role; only the creator may (`wecom-admin/roles.creator.transfer`), and the
/// new creator must have room under the per-account limit (`wecom-admin/roles.creator`).
#[utoipa::path(post, path = "/v1/tenants/{id}/creator/transfer", tag = "tenants", request_body = CreatorTransfer,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn transfer_creator(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<CreatorTransfer>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    nonempty("to", &b.to)?;
    let cmd = Command::TransferCreator {
        tenant: id.clone(),
        actor,
        to: b.to,
    };
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

// ---------------------------------------------------------------------------
// Generic commands (any `file::Command`, any `BookCommand`)
// ---------------------------------------------------------------------------

/// A directory or admin command (`file::Command`, tagged by `command`; the tenant is the path's).
/// `actor` is forced to a tenant-admin key's member (an operator's default: the creator);
/// `at` (seats, Unix seconds) is the server's clock unless an operator gives it. Tenants are created
/// with `POST /v1/tenants`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "command", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CommandIn {
    /// Grants rights to a scoped admin.
    Grant {
        /// Who grants.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Who receives.
        grantee: String,
        /// What.
        rights: RightsIn,
    },
    /// Takes rights back.
    Revoke {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// From whom.
        grantee: String,
        /// What.
        rights: RightsIn,
    },
    /// Transfers the creator role.
    TransferCreator {
        /// The creator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The new creator.
        to: String,
    },
    /// Adds a department.
    AddDepartment {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Parent.
        parent: String,
    },
    /// Moves a department.
    MoveDepartment {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The department.
        id: String,
        /// The new parent.
        parent: String,
    },
    /// Removes an empty department.
    RemoveDepartment {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The department.
        id: String,
    },
    /// Adds a member.
    AddMember {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Departments.
        departments: Vec<String>,
    },
    /// Removes a member from the directory.
    RemoveMember {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The member.
        id: String,
    },
    /// Appoints a super admin.
    AddSuperAdmin {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The person.
        id: String,
        /// Internal or external.
        kind: SuperKindIn,
    },
    /// Removes a super admin.
    RemoveSuperAdmin {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The person.
        id: String,
    },
    /// Appoints a scoped admin.
    AddScopedAdmin {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The member.
        member: String,
        /// Its admin group.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
    /// Assigns a seat (`security.seat-assignment`).
    AssignSeat {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Product.
        product: String,
        /// Member.
        member: String,
        /// When (operators; Unix seconds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Removes a seat within 7 days of its assignment (`security.seat-removal`).
    RemoveSeat {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Product.
        product: String,
        /// Member.
        member: String,
        /// When (operators; Unix seconds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Adds or replaces a custom balance rule (`recharge.spend-permission.custom`).
    PutSpendRule {
        /// Who (a super admin).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The rule.
        rule: SpendRuleIn,
    },
    /// Deletes a custom balance rule.
    DeleteSpendRule {
        /// Who (a super admin).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The rule's id.
        id: String,
    },
    /// Selects or changes the business category (`business-category.who`, `.review`).
    SelectCategory {
        /// Who (a super admin or the business owner).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The category: id or Chinese name.
        category: String,
    },
    /// The platform approves the category under review (operator only).
    ApproveCategory {},
}

/// Applies the access rules to a directory command and fills what the server decides.
fn fill_command(c: &Caller, cmd: &mut CommandIn) -> Result<(), ApiError> {
    use CommandIn as C;
    let (actor, at) = match cmd {
        C::Grant { actor, .. }
        | C::Revoke { actor, .. }
        | C::TransferCreator { actor, .. }
        | C::AddDepartment { actor, .. }
        | C::MoveDepartment { actor, .. }
        | C::RemoveDepartment { actor, .. }
        | C::AddMember { actor, .. }
        | C::RemoveMember { actor, .. }
        | C::AddSuperAdmin { actor, .. }
        | C::RemoveSuperAdmin { actor, .. }
        | C::AddScopedAdmin { actor, .. }
        | C::PutSpendRule { actor, .. }
        | C::DeleteSpendRule { actor, .. }
        | C::SelectCategory { actor, .. } => (actor, None),
        C::AssignSeat { actor, at, .. } | C::RemoveSeat { actor, at, .. } => (actor, Some(at)),
        C::ApproveCategory {} => {
            return c
                .acc
                .operator_only("审核经营类目", "approving a business category");
        }
    };
    *actor = Some(c.actor(actor.take(), "actor")?);
    if let Some(at) = at {
        *at = Some(c.at(at.take(), "at")?);
    }
    Ok(())
}

/// Runs any directory or admin command (`file::Command`: `grant`, `revoke`, `transfer-creator`,
/// `add-department`, `move-department`, `remove-department`, `add-member`, `remove-member`,
/// `add-super-admin`, `remove-super-admin`, `add-scoped-admin`, `assign-seat`, `remove-seat`,
/// `put-spend-rule`, `delete-spend-rule`, `select-category`, `approve-category`), as the actor the
/// access rules give it; `approve-category` is the platform's review (operator only).
#[utoipa::path(post, path = "/v1/tenants/{id}/commands", tag = "tenants", request_body = CommandIn,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn command(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let mut cmd: CommandIn = decode_named(&body_object(body)?)?;
    fill_command(&c, &mut cmd)?;
    let mut v = to_value(&cmd);
    if let Value::Object(m) = &mut v {
        m.insert("tenant".into(), Value::String(id.clone()));
    }
    let cmd: Command = engine("command", &v)?;
    Ok(axum::Json(submit_tenant(&s, &id, idem, cmd).await?))
}

/// A books command (`books::BookCommand`, tagged by `command`; amounts in fen, times in Unix
/// seconds). `actor` (and `admin` of `hand-over`, the submitter of a form, the member of a contact
/// event) is forced to a tenant-admin key's member (an operator's default: the creator); `at` is the
/// server's clock unless an operator gives it; a missing ledger `key` is the `Idempotency-Key`
/// header, else `pay:ORDER`, `usage:ORDER`, `plan:ORDER` or a fresh one. Refunds, acquisition adds,
/// `tick` and customer-side contact events are the platform's (operator only).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "command", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BookIn {
    /// Tops up the balance (`recharge.entry`, `recharge.sources`).
    TopUp {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// Who (a super admin).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Method.
        method: String,
        /// Amount, fen.
        #[schema(minimum = 1)]
        amount: i64,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Pays an order from the balance (`recharge.spend-permission.pay`).
    Pay {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// Who pays.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Order id.
        order: String,
        /// Item.
        item: String,
        /// Amount, fen.
        #[schema(minimum = 1)]
        amount: i64,
        /// Details.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Refunds a paid order to the balance (platform, `recharge.refund.consumed`).
    Refund {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// The platform operator (default: the key).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operator: Option<String>,
        /// The order.
        order: String,
        /// Amount, fen.
        #[schema(minimum = 1)]
        amount: i64,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Returns unconsumed money (platform, `recharge.refund.unconsumed`).
    RefundUnconsumed {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// The customer-service operator (default: the key).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operator: Option<String>,
        /// Where it goes.
        method: String,
        /// Amount, fen.
        #[schema(minimum = 1)]
        amount: i64,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Buys acquisition-assistant usage from the balance.
    BuyUsage {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Order id.
        order: String,
        /// Uses.
        #[schema(minimum = 0, maximum = 4294967295_i64)]
        count: i64,
        /// Price of the order, fen.
        #[schema(minimum = 1)]
        amount: i64,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Turns auto-deduction on or off (`recharge.auto-deduct.who`).
    SetAutoDeduct {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// On or off.
        on: bool,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// A customer added a member through an acquisition link (platform).
    AddCustomer {
        /// The add's id.
        add: String,
        /// The unit price, fen (default: the rulebook's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = 1)]
        price: Option<i64>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Sets the low-balance alert.
    SetAlert {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The settings.
        settings: AlertSettingsIn,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Disables the low-balance alert.
    DisableAlert {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Lets time pass: due alerts, expired usage (platform).
    Tick {
        /// Now.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// An external-contact event.
    Contact {
        /// The event.
        contact: ContactIn,
    },
    /// Buys or upgrades an external-contact plan, paid from the balance.
    BuyPlan {
        /// Idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// Who pays.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The tier (contacts), e.g. 20000.
        #[schema(minimum = 0)]
        tier: i64,
        /// The order id.
        order: String,
        /// The price, fen (checked against the quote).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = 1)]
        price: Option<i64>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Adds or replaces an approval template.
    PutTemplate {
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The template.
        template: TemplateIn,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Submits a form.
    Submit {
        /// The template.
        template: String,
        /// The form.
        submission: SubmissionIn,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// Resubmits a rejected or withdrawn form.
    Resubmit {
        /// The form.
        submission: SubmissionIn,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// An approval step.
    Step {
        /// The form.
        instance: String,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// What.
        step: StepIn,
        /// Opinion.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        /// Signature.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// An admin hands a departed member's task over.
    HandOver {
        /// The form.
        instance: String,
        /// The admin.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        admin: Option<String>,
        /// The departed member.
        from: String,
        /// The new assignee.
        to: String,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
    /// The approver whose turn it is adds a temporary approver (加签).
    AddApprover {
        /// The form.
        instance: String,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// The added approver.
        member: String,
        /// When.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = -62167219200_i64, maximum = 253402300799_i64)]
        at: Option<i64>,
    },
}

/// The submitter of a form is a tenant-admin key's member: the applicant by
/// default, else a submission on the applicant's behalf
/// (`approval.settings.submit-for-others`). An operator's submission is as given.
fn fill_submission(c: &Caller, sub: &mut SubmissionIn, prefix: &str) -> Result<(), ApiError> {
    let Access::Member(me) = &c.acc else {
        return Ok(());
    };
    if let Some(x) = sub.submitter.as_deref().filter(|x| *x != me) {
        return Err(not_yourself(me, x, &format!("{prefix}submitter")));
    }
    match sub.applicant.as_deref() {
        None => sub.applicant = Some(me.clone()),
        Some(a) if a != me => sub.submitter = Some(me.clone()),
        Some(_) => {}
    }
    Ok(())
}

/// Applies the access rules to a books command and fills what the server decides.
fn fill_books(c: &Caller, header: Option<String>, cmd: &mut BookIn) -> Result<(), ApiError> {
    use BookIn as B;
    let acc = &c.acc;
    let amount_field = if matches!(cmd, B::BuyPlan { .. } | B::AddCustomer { .. }) {
        "price"
    } else {
        "amount"
    };
    let mut forced_actor = None;
    let mut positive_amount = None;
    let at = match cmd {
        B::TopUp {
            key,
            actor,
            amount,
            at,
            ..
        } => {
            forced_actor = Some(actor);
            positive_amount = Some(*amount);
            *key = Some(ledger_key(key.take(), header, || fresh_key("top-up")));
            at
        }
        B::Pay {
            key,
            actor,
            order,
            amount,
            at,
            ..
        } => {
            forced_actor = Some(actor);
            positive_amount = Some(*amount);
            let o = order.clone();
            *key = Some(ledger_key(key.take(), header, || format!("pay:{o}")));
            at
        }
        B::Refund {
            key,
            operator,
            amount,
            at,
            ..
        }
        | B::RefundUnconsumed {
            key,
            operator,
            amount,
            at,
            ..
        } => {
            acc.operator_only("退款", "a refund")?;
            positive_amount = Some(*amount);
            *key = Some(ledger_key(key.take(), header, || fresh_key("refund")));
            if operator.is_none() {
                *operator = Some(acc.name());
            }
            at
        }
        B::BuyUsage {
            key,
            actor,
            order,
            amount,
            at,
            ..
        } => {
            forced_actor = Some(actor);
            positive_amount = Some(*amount);
            let o = order.clone();
            *key = Some(ledger_key(key.take(), header, || format!("usage:{o}")));
            at
        }
        B::BuyPlan {
            key,
            actor,
            order,
            price,
            at,
            ..
        } => {
            forced_actor = Some(actor);
            positive_amount = *price;
            let o = order.clone();
            *key = Some(ledger_key(key.take(), header, || format!("plan:{o}")));
            at
        }
        B::AddCustomer { price, at, .. } => {
            acc.operator_only("获客链接添加客户", "an acquisition-link add")?;
            positive_amount = *price;
            at
        }
        B::Tick { at } => {
            acc.operator_only("推进时间", "letting time pass")?;
            at
        }
        B::SetAutoDeduct { actor, at, .. }
        | B::SetAlert { actor, at, .. }
        | B::DisableAlert { actor, at }
        | B::PutTemplate { actor, at, .. }
        | B::Step { actor, at, .. }
        | B::AddApprover { actor, at, .. } => {
            forced_actor = Some(actor);
            at
        }
        B::HandOver { admin, at, .. } => {
            *admin = Some(c.actor(admin.take(), "admin")?);
            at
        }
        B::Submit { submission, at, .. } | B::Resubmit { submission, at } => {
            fill_submission(c, submission, "submission.")?;
            at
        }
        B::Contact { contact } => {
            return fill_contact(c, contact);
        }
    };
    if let Some(a) = positive_amount {
        positive(amount_field, a)?;
    }
    *at = Some(c.at(at.take(), "at")?);
    if let Some(actor) = forced_actor {
        *actor = Some(c.actor(actor.take(), "actor")?);
    }
    Ok(())
}

/// A tenant-admin key records only its own member's contact events (adding
/// and deleting customers); the rest are the platform's.
fn fill_contact(c: &Caller, ev: &mut ContactIn) -> Result<(), ApiError> {
    match ev {
        ContactIn::AddFriend { member, at, .. } => {
            *member = Some(c.actor(member.take(), "contact.member")?);
            *at = Some(c.at(at.take(), "contact.at")?);
        }
        ContactIn::MemberDeletes { member, .. } => {
            *member = Some(c.actor(member.take(), "contact.member")?);
        }
        ContactIn::JoinGroup { at, .. } => {
            c.acc
                .operator_only("客户入群", "a customer joining a group")?;
            *at = Some(c.at(at.take(), "contact.at")?);
        }
        ContactIn::SetPermission { .. }
        | ContactIn::CustomerDeletesMember { .. }
        | ContactIn::MemberLeft { .. }
        | ContactIn::LeaveGroup { .. }
        | ContactIn::DissolveGroup { .. } => c.acc.operator_only(
            "此外部联系人事件",
            "this external-contact event (customer side or quota settings)",
        )?,
    }
    Ok(())
}

/// Runs any books command (`books::BookCommand`: `top-up`, `pay`, `refund`, `refund-unconsumed`,
/// `buy-usage`, `set-auto-deduct`, `add-customer`, `set-alert`, `disable-alert`, `tick`, `contact`,
/// `buy-plan`, `put-template`, `submit`, `resubmit`, `step`, `hand-over`, `add-approver`), as the
/// actor the access rules give it. Amounts in fen.
#[utoipa::path(post, path = "/v1/tenants/{id}/books", tag = "tenants", request_body = BookIn,
    params(("id" = String, Path, description = "Tenant id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key (the ledger key when the body has none): 1 to 200 visible ASCII characters", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn books(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let mut cmd: BookIn = decode_named(&body_object(body)?)?;
    fill_books(&c, idem.clone(), &mut cmd)?;
    let cmd: BookCommand = engine("command", &cmd)?;
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// An action of the tenant model.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionIn {
    /// 通讯录管理.
    ManageDirectory,
    /// 发消息.
    SendMessage,
    /// 应用管理.
    ManageApp,
    /// 绑定新硬件.
    BindDevice,
    /// 管理硬件.
    ManageDevice,
    /// Appoint or remove admins.
    ManageAdmins,
    /// Transfer the creator role.
    TransferCreator,
    /// Pay from the balance.
    SpendBalance,
    /// Manage custom balance rules.
    ManageSpendRules,
    /// See the balance, top up, read the statement, set alerts.
    ManageBalance,
    /// Buy security advanced features.
    BuySecurityFeature,
    /// Select the business category.
    SelectBusinessCategory,
    /// Assign a seat.
    AssignSeat,
    /// Remove a seat.
    RemoveSeat,
}

impl ActionIn {
    fn engine(self) -> Action {
        match self {
            ActionIn::ManageDirectory => Action::ManageDirectory,
            ActionIn::SendMessage => Action::SendMessage,
            ActionIn::ManageApp => Action::ManageApp,
            ActionIn::BindDevice => Action::BindDevice,
            ActionIn::ManageDevice => Action::ManageDevice,
            ActionIn::ManageAdmins => Action::ManageAdmins,
            ActionIn::TransferCreator => Action::TransferCreator,
            ActionIn::SpendBalance => Action::SpendBalance,
            ActionIn::ManageSpendRules => Action::ManageSpendRules,
            ActionIn::ManageBalance => Action::ManageBalance,
            ActionIn::BuySecurityFeature => Action::BuySecurityFeature,
            ActionIn::SelectBusinessCategory => Action::SelectBusinessCategory,
            ActionIn::AssignSeat => Action::AssignSeat,
            ActionIn::RemoveSeat => Action::RemoveSeat,
        }
    }
}

/// A permission question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Who (a tenant-admin key: its member; an operator: the named member, else the creator).
    #[serde(default)]
    pub actor: Option<String>,
    /// The action.
    pub action: ActionIn,
    /// `tenant` (default), `dept:ID`, `member:ID`, `app:ID`, `message:APP:member:ID`,
    /// `message:APP:dept:ID`, `device:ID`, `feature:NAME`, `seat:PRODUCT:MEMBER`.
    #[serde(default)]
    #[schema(
        pattern = "^(tenant|(dept|department|member|app|device|feature):[\\s\\S]+|message:[^:]*:(dept|department|member):[\\s\\S]+|seat:[^:]*:[\\s\\S]*)$"
    )]
    pub resource: Option<String>,
}

/// One failed requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureView {
    /// The rule that requires it.
    pub rule: String,
    /// In Chinese.
    pub message: String,
    /// In English.
    pub message_en: String,
}

/// A decision with its explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// Who was checked.
    pub actor: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Allowed.
    pub allowed: bool,
    /// The role or grant that allowed it (`{role: creator|super-admin|group|grant|spend-rule|business-owner, …}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub by: Option<Value>,
    /// The rule that decided.
    pub rule: String,
    /// Why, in Chinese.
    pub message: String,
    /// Why, in English.
    pub message_en: String,
    /// Every failed requirement (denials), each with its rule.
    pub failed: Vec<FailureView>,
}

/// Checks whether an actor may do an action on a resource, with the deciding role or grant and
/// rule, or every failed requirement with its rule (`Tenant::check`). A read: nothing is stored.
#[utoipa::path(post, path = "/v1/tenants/{id}/checks", tag = "tenants", request_body = CheckRequest,
    params(("id" = String, Path, description = "Tenant id")),
    responses((status = 200, body = CheckAnswer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    Json(b): Json<CheckRequest>,
) -> Result<axum::Json<CheckAnswer>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let actor = c.actor(b.actor, "actor")?;
    let action = b.action.engine();
    let resource: Resource =
        b.resource
            .as_deref()
            .unwrap_or("tenant")
            .parse()
            .map_err(|e: TenantError| match e {
                TenantError::Invalid { zh, en, .. } => ApiError::invalid("resource", zh, en),
                other => ApiError::invalid("resource", other.to_string(), other.to_string()),
            })?;
    let v = read(&s, &id, move |_, t| {
        // An unknown department, member, app or device is a 404, not a denial.
        if let Err(TenantError::Unknown { what, what_en, id }) =
            t.require(&actor, action, &resource)
        {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("未知的{what} `{id}`"),
                format!("unknown {what_en} `{id}`"),
            )
            .field("resource"));
        }
        let d = t.check(&actor, action, &resource);
        Ok(CheckAnswer {
            actor,
            action: action.name().to_string(),
            resource: resource.to_string(),
            allowed: d.allowed,
            by: d.by.as_ref().map(to_value),
            rule: d.rule.to_string(),
            message: d.zh,
            message_en: d.en,
            failed: d
                .failed
                .into_iter()
                .map(|f| FailureView {
                    rule: f.rule.to_string(),
                    message: f.zh,
                    message_en: f.en,
                })
                .collect(),
        })
    })
    .await?;
    Ok(axum::Json(v))
}

// ---------------------------------------------------------------------------
// Balance
// ---------------------------------------------------------------------------

/// The balance and what surrounds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    /// The tenant.
    pub tenant: String,
    /// Available balance, fen.
    pub balance: i64,
    /// Every account `{account, value}` (debits − credits, summing to 0), fen.
    #[schema(value_type = Vec<Object>)]
    pub accounts: Value,
    /// Number of movements.
    pub movements: usize,
    /// Acquisition-assistant auto-deduction: `{by, since}` when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub auto_deduct: Option<Value>,
    /// Purchased acquisition usage left now.
    pub usage_left: u64,
    /// The low-balance alert settings, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub alert: Option<Value>,
}

/// The available balance, the accounts, usage left, auto-deduction and the alert. Needs
/// `manage-balance` (super admins and the creator, `wecom-admin/recharge.entry`).
#[utoipa::path(get, path = "/v1/tenants/{id}/balance", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id")),
    responses((status = 200, body = BalanceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn balance(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<axum::Json<BalanceView>, ApiError> {
    let acc = access(&p, &id)?;
    let v = read(&s, &id, move |j, t| {
        require(t, &acc, Action::ManageBalance, &Resource::Tenant)?;
        let at = now();
        let Some(b) = j.books(&t.id) else {
            return Ok(BalanceView {
                tenant: t.id.clone(),
                balance: 0,
                accounts: json!([]),
                movements: 0,
                auto_deduct: None,
                usage_left: 0,
                alert: None,
            });
        };
        let rules = &j.rules().ledger;
        Ok(BalanceView {
            tenant: t.id.clone(),
            balance: b.ledger.balance().get(),
            accounts: Value::Array(
                b.ledger
                    .accounts()
                    .into_iter()
                    .map(|(a, f)| json!({ "account": a.name(rules), "value": f }))
                    .collect(),
            ),
            movements: b.ledger.movements().len(),
            auto_deduct: b
                .acquisition
                .auto_deduct()
                .map(|(w, t)| json!({ "by": w, "since": format_time(t) })),
            usage_left: b.acquisition.usage_left(at),
            alert: b.alert.settings().map(to_value),
        })
    })
    .await?;
    Ok(axum::Json(v))
}

/// A statement's format.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StatementFormat {
    /// JSON (default).
    Json,
    /// CSV with the seed's seven columns.
    Csv,
}

/// The statement's column names.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StatementLang {
    /// Chinese (the seed's, default).
    Zh,
    /// English.
    En,
}

/// Statement query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// `json` (default) or `csv`.
    #[serde(default)]
    #[param(inline)]
    pub format: Option<StatementFormat>,
    /// From (RFC 3339, inclusive).
    #[serde(default)]
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// To (RFC 3339, exclusive).
    #[serde(default)]
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// CSV column names: `zh` (default) or `en`.
    #[serde(default)]
    #[param(inline)]
    pub lang: Option<StatementLang>,
}

/// One statement line.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementView {
    /// 交易时间 (RFC 3339, UTC).
    pub time: String,
    /// 交易类型 (`top-up`, `pay`, `auto-deduct`, `refund`, `withdraw`).
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: Value,
    /// The type in Chinese.
    pub type_zh: String,
    /// 购买详情.
    pub detail: String,
    /// 交易金额, fen (positive in, negative out).
    pub amount: i64,
    /// 可用余额 after it, fen.
    pub balance: i64,
    /// 操作者.
    pub operator: String,
    /// 交易流水号.
    pub serial_no: String,
    /// The order, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The idempotency key it was posted with.
    pub key: String,
}

/// The statement (资金明细).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    /// The tenant.
    pub tenant: String,
    /// Movements, oldest first.
    pub movements: Vec<MovementView>,
}

/// The statement (资金明细, `wecom-admin/recharge.statement`) as JSON, or with `?format=csv` as
/// CSV with the seed's seven columns (`lang=en`: English). Needs `manage-balance` (`recharge.entry`).
#[utoipa::path(get, path = "/v1/tenants/{id}/statement", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), StatementQuery),
    responses((status = 200, description = "The statement",
            content((StatementView = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn statement(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    Query(q): Query<StatementQuery>,
) -> Result<Response, ApiError> {
    let acc = access(&p, &id)?;
    let csv = matches!(q.format, Some(StatementFormat::Csv));
    let english = matches!(q.lang, Some(StatementLang::En));
    let from = time_param("from", q.from.as_deref())?;
    let to = time_param("to", q.to.as_deref())?;
    let out = read(&s, &id, move |j, t| {
        require(t, &acc, Action::ManageBalance, &Resource::Tenant)?;
        let rules = &j.rules().ledger;
        let rows: Vec<_> = j
            .books(&t.id)
            .map(|b| b.ledger.statement(from, to).collect())
            .unwrap_or_default();
        if csv {
            return Ok(Err(statement_csv(rules, rows, english)));
        }
        Ok(Ok(StatementView {
            tenant: t.id.clone(),
            movements: rows
                .into_iter()
                .map(|m| MovementView {
                    time: format_time(m.at),
                    kind: to_value(&m.kind),
                    type_zh: m.kind.zh().to_string(),
                    detail: m.detail.clone(),
                    amount: m.amount.get(),
                    balance: m.balance_after.get(),
                    operator: m.operator.clone(),
                    serial_no: m.serial_no(),
                    order: m.order.clone(),
                    key: m.key.clone(),
                })
                .collect(),
        }))
    })
    .await?;
    Ok(match out {
        Ok(v) => axum::Json(v).into_response(),
        Err(text) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response(),
    })
}

/// A top-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Who (super admins and the creator, `wecom-admin/recharge.entry`).
    #[serde(default)]
    pub actor: Option<String>,
    /// Amount, fen.
    #[schema(minimum = 1)]
    pub amount: i64,
    /// 对公转账/汇款, 微信支付, QQ 钱包支付, 网银支付 or `bank-transfer` (default), `wechat-pay`,
    /// `qq-wallet`, `online-banking` (`wecom-admin/recharge.sources`).
    #[serde(default)]
    pub method: Option<String>,
    /// Idempotency key (default: the `Idempotency-Key` header, else a fresh one).
    #[serde(default)]
    pub key: Option<String>,
}

/// Tops up the balance (`wecom-admin/recharge.entry`, `recharge.sources`); the same key again
/// moves nothing and returns the first movement.
#[utoipa::path(post, path = "/v1/tenants/{id}/balance/top-ups", tag = "tenants", request_body = TopUp,
    params(("id" = String, Path, description = "Tenant id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key (the ledger key when the body has none): 1 to 200 visible ASCII characters", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn top_up(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<TopUp>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    positive("amount", b.amount)?;
    let key = ledger_key(b.key, idem.clone(), || fresh_key("top-up"));
    let cmd = BookCommand::TopUp {
        key,
        actor,
        method: b.method.unwrap_or_else(|| "bank-transfer".into()),
        amount: Fen(b.amount),
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

/// A payment from the balance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Who pays (needs the spend permission for the item, `wecom-admin/recharge.spend-permission.*`).
    #[serde(default)]
    pub actor: Option<String>,
    /// The item, e.g. 获客助手, 外部联系人规模, 安全高级功能 (`wecom-admin/recharge.payable`).
    pub item: String,
    /// Amount, fen (never more than the balance, `recharge.no-overdraft`).
    #[schema(minimum = 1)]
    pub amount: i64,
    /// The order id.
    #[schema(min_length = 1)]
    pub order: String,
    /// Purchase details.
    #[serde(default)]
    pub detail: String,
    /// Idempotency key (default: the `Idempotency-Key` header, else `pay:ORDER`).
    #[serde(default)]
    pub key: Option<String>,
}

/// Pays an order from the balance (`wecom-admin/recharge.spend-permission.pay`).
#[utoipa::path(post, path = "/v1/tenants/{id}/balance/payments", tag = "tenants", request_body = Payment,
    params(("id" = String, Path, description = "Tenant id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key (the ledger key when the body has none): 1 to 200 visible ASCII characters", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn pay(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<Payment>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    positive("amount", b.amount)?;
    nonempty("order", &b.order)?;
    let order = b.order.clone();
    let key = ledger_key(b.key, idem.clone(), || format!("pay:{order}"));
    let cmd = BookCommand::Pay {
        key,
        actor,
        order: b.order,
        item: b.item,
        amount: Fen(b.amount),
        detail: b.detail,
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

/// A refund of a paid order (platform).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// The platform operator's name (default: the key).
    #[serde(default)]
    pub operator: Option<String>,
    /// The order.
    pub order: String,
    /// Amount, fen (at most what is left of the order).
    #[schema(minimum = 1)]
    pub amount: i64,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// Idempotency key (default: the `Idempotency-Key` header, else a fresh one).
    #[serde(default)]
    pub key: Option<String>,
}

/// Refunds a paid order to the balance: a platform operation (operator only,
/// `wecom-admin/recharge.refund.consumed`).
#[utoipa::path(post, path = "/v1/tenants/{id}/balance/refunds", tag = "tenants", request_body = Refund,
    params(("id" = String, Path, description = "Tenant id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key (the ledger key when the body has none): 1 to 200 visible ASCII characters", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn refund(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<Refund>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    c.acc.operator_only("退款", "a refund")?;
    positive("amount", b.amount)?;
    let key = ledger_key(b.key, idem.clone(), || fresh_key("refund"));
    let cmd = BookCommand::Refund {
        key,
        operator: b.operator.unwrap_or_else(|| c.acc.name()),
        order: b.order,
        amount: Fen(b.amount),
        reason: b.reason,
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

// ---------------------------------------------------------------------------
// External-contact quota
// ---------------------------------------------------------------------------

/// The external-contact quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsView {
    /// The tenant.
    pub tenant: String,
    /// Customers counted (served), each once.
    pub count: u64,
    /// The capacity now.
    pub limit: u64,
    /// The rule that sets it (free quota, unverified limit or the plan's tier).
    pub rule: String,
    /// Where the limit comes from, in Chinese.
    pub message: String,
    /// Where the limit comes from, in English.
    pub message_en: String,
    /// Verified tenant.
    pub verified: bool,
    /// The plan in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub plan: Option<Value>,
    /// With `?customer=`: `{customer, members, groups}` holding that customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub holders: Option<Value>,
}

/// Contacts query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactsQuery {
    /// A customer whose holders to show.
    #[serde(default)]
    pub customer: Option<String>,
}

/// The external-contact quota: served count, the limit and its rule, the plan
/// (`wecom-admin/external-contacts.*`). Any key of the tenant may read it; contact events and plans
/// go through `POST /books`.
#[utoipa::path(get, path = "/v1/tenants/{id}/contacts", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ContactsQuery),
    responses((status = 200, body = ContactsView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn contacts(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    Query(q): Query<ContactsQuery>,
) -> Result<axum::Json<ContactsView>, ApiError> {
    access(&p, &id)?;
    let v = read(&s, &id, move |j, t| {
        let at = now();
        let mut book = j
            .books(&t.id)
            .and_then(|b| b.contacts.clone())
            .unwrap_or_else(|| ContactBook::new(j.rules().quota.clone()));
        book.set_verified(t.verified);
        let cap = book.capacity(at);
        Ok(ContactsView {
            tenant: t.id.clone(),
            count: book.count(),
            limit: cap.limit,
            rule: cap.rule.to_string(),
            message: cap.zh,
            message_en: cap.en,
            verified: t.verified,
            plan: book.active_plan(at).map(to_value),
            holders: q.customer.as_deref().map(|c| {
                let (members, groups) = book.holders(c);
                json!({ "customer": c, "members": members, "groups": groups })
            }),
        })
    })
    .await?;
    Ok(axum::Json(v))
}

// ---------------------------------------------------------------------------
// Approvals
// ---------------------------------------------------------------------------

/// A form in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormBrief {
    /// The form's id.
    pub form: String,
    /// Its template.
    pub template: String,
    /// The applicant.
    pub applicant: String,
    /// `{status: in-progress, node} | approved | rejected | withdrawn`.
    #[schema(value_type = Object)]
    pub status: Value,
    /// The round (resubmissions).
    pub round: u32,
    /// Members whose turn it is.
    pub pending: Vec<String>,
}

/// Templates and the forms the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalsView {
    /// The tenant.
    pub tenant: String,
    /// The member the list is for (a tenant-admin key's; an operator's `?member=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Templates `{id, name}`.
    #[schema(value_type = Vec<Object>)]
    pub templates: Value,
    /// Forms the member may view (`wecom-admin/approval.settings.view`); every form for an operator.
    pub forms: Vec<FormBrief>,
    /// Forms waiting for the member now.
    pub pending: Vec<String>,
}

/// Approvals query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApprovalsQuery {
    /// Whose view (operators; a tenant-admin key: only its own member).
    #[serde(default)]
    pub member: Option<String>,
}

/// Whether `member` administers approvals: whoever manages app `approval` when the
/// tenant has one, else the creator and super admins (`wecom-admin/approval.handler.add`).
fn approval_admin(t: &Tenant, member: &str) -> bool {
    if t.apps().contains("approval") {
        t.check(member, Action::ManageApp, &Resource::App("approval".into()))
            .allowed
    } else {
        t.check(member, Action::ManageAdmins, &Resource::Tenant)
            .allowed
    }
}

fn brief(i: &Instance) -> FormBrief {
    FormBrief {
        form: i.id().to_string(),
        template: i.template_id().to_string(),
        applicant: i.applicant().to_string(),
        status: to_value(&i.status()),
        round: i.round(),
        pending: i.pending().into_iter().map(String::from).collect(),
    }
}

/// Approval templates, the forms the caller's member may view and those waiting for it.
#[utoipa::path(get, path = "/v1/tenants/{id}/approvals", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ApprovalsQuery),
    responses((status = 200, body = ApprovalsView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn approvals(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    Query(q): Query<ApprovalsQuery>,
) -> Result<axum::Json<ApprovalsView>, ApiError> {
    let acc = access(&p, &id)?;
    let member = match &acc {
        Access::Member(m) => {
            if let Some(other) = q.member.as_deref().filter(|o| *o != m) {
                return Err(not_yourself(m, other, "member"));
            }
            Some(m.clone())
        }
        Access::Operator { .. } => q.member,
    };
    let v = read(&s, &id, move |j, t| {
        let empty = bylaw_tenant::books::Books::default();
        let b = j.books(&t.id).unwrap_or(&empty);
        let admin = member.as_deref().is_some_and(|m| approval_admin(t, m));
        let forms = b
            .instances
            .values()
            .filter(|i| {
                member
                    .as_deref()
                    .is_none_or(|m| i.can_view(m, admin).allowed)
            })
            .map(brief)
            .collect();
        let pending = match member.as_deref() {
            Some(m) => b
                .instances
                .values()
                .filter(|i| i.may_act(m).is_some())
                .map(|i| i.id().to_string())
                .collect(),
            None => Vec::new(),
        };
        Ok(ApprovalsView {
            tenant: t.id.clone(),
            member,
            templates: Value::Array(
                b.templates
                    .values()
                    .map(|tp| json!({ "id": tp.id, "name": tp.name }))
                    .collect(),
            ),
            forms,
            pending,
        })
    })
    .await?;
    Ok(axum::Json(v))
}

/// One form: status, nodes, history — for those who may view it (`wecom-admin/approval.settings.view`).
#[utoipa::path(get, path = "/v1/tenants/{id}/approvals/{form}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id"), ("form" = String, Path, description = "Form id")),
    responses((status = 200, description = "The form (`approval::Instance`)", body = Object), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn approval(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, form)): Path<(String, String)>,
) -> Result<axum::Json<Value>, ApiError> {
    let acc = access(&p, &id)?;
    let v = read(&s, &id, move |j, t| {
        let inst = j
            .books(&t.id)
            .and_then(|b| b.instances.get(&form))
            .ok_or_else(|| ApiError::not_found("审批单 form", &form))?;
        if let Some(m) = acc.member() {
            let d = inst.can_view(m, approval_admin(t, m));
            if !d.allowed {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "denied",
                    format!("{} [{}]", d.zh(), d.rule),
                    format!(
                        "only admins, the applicant, approvers, CC recipients, handlers and members mentioned may view the form [{}]",
                        d.rule
                    ),
                ));
            }
        }
        Ok(to_value(inst))
    })
    .await?;
    Ok(axum::Json(v))
}

/// An approval template to add or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutTemplate {
    /// Who (admins of app `approval`, else the creator and super admins).
    #[serde(default)]
    pub actor: Option<String>,
    /// The template.
    pub template: TemplateIn,
}

/// Adds or replaces an approval template (`wecom-admin/approval.handler.add`); the engine checks
/// it whole (`approval.handler-node.*`) and names the field at fault.
#[utoipa::path(post, path = "/v1/tenants/{id}/approval-templates", tag = "tenants", request_body = PutTemplate,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn put_template(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<PutTemplate>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = BookCommand::PutTemplate {
        actor,
        template: Box::new(engine("template", &b.template)?),
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

/// A form to submit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewForm {
    /// The template.
    pub template: String,
    /// The form's id (chosen by the caller).
    #[schema(min_length = 1)]
    pub id: String,
    /// 申请人 (a tenant-admin key: its member by default; naming another member submits on their
    /// behalf, `wecom-admin/approval.settings.submit-for-others`; an operator: required in effect,
    /// else the creator).
    #[serde(default)]
    pub applicant: Option<String>,
    /// Who submits (operator keys; a tenant-admin key always submits as its member).
    #[serde(default)]
    pub submitter: Option<String>,
    /// The applicant's department to submit from.
    #[serde(default)]
    pub department: Option<String>,
    /// Field values by name: text, a number, or member ids.
    #[serde(default)]
    pub form: BTreeMap<String, FormValueIn>,
    /// Members chosen for applicant-choice nodes, by template node index.
    #[serde(default)]
    pub choices: BTreeMap<usize, Vec<String>>,
    /// Members @-mentioned.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// CC recipients (default: the template's).
    #[serde(default)]
    pub cc: Option<Vec<String>>,
    /// Replacement handlers for fixed-handler nodes, by template node index.
    #[serde(default)]
    pub handlers: BTreeMap<usize, Vec<String>>,
}

/// Submits a form on a template: it resolves every node and enters the first (`wecom-admin/approval.*`).
#[utoipa::path(post, path = "/v1/tenants/{id}/approvals", tag = "tenants", request_body = NewForm,
    params(("id" = String, Path, description = "Tenant id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn submit_form(
    s: St,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<NewForm>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    nonempty("id", &b.id)?;
    let mut sub = SubmissionIn {
        id: Some(b.id),
        applicant: b.applicant,
        submitter: b.submitter,
        department: b.department,
        form: b.form,
        choices: b.choices,
        mentions: b.mentions,
        cc: b.cc,
        handlers: b.handlers,
    };
    match &c.acc {
        Access::Member(_) => fill_submission(&c, &mut sub, "")?,
        Access::Operator { .. } => {
            sub.applicant = Some(c.actor(sub.applicant.take(), "applicant")?);
        }
    }
    let submission: Submission = engine("submission", &sub)?;
    let cmd = BookCommand::Submit {
        template: b.template,
        submission,
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

/// An approval step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStep {
    /// Who (a tenant-admin key: its member).
    #[serde(default)]
    pub actor: Option<String>,
    /// The step.
    pub step: StepIn,
    /// Opinion (审批意见 / 办理意见).
    #[serde(default)]
    pub comment: Option<String>,
    /// Signature (电子签名).
    #[serde(default)]
    pub signature: Option<String>,
}

/// Approves, rejects, confirms or withdraws a form (`wecom-admin/approval.handler`, `.settings.*`).
#[utoipa::path(post, path = "/v1/tenants/{id}/approvals/{form}/steps", tag = "tenants", request_body = NewStep,
    params(("id" = String, Path, description = "Tenant id"), ("form" = String, Path, description = "Form id"),
        crate::extract::IdempotencyHeader),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn step(
    s: St,
    Extension(p): Extension<Principal>,
    Path((id, form)): Path<(String, String)>,
    headers: HeaderMap,
    Json(b): Json<NewStep>,
) -> Result<axum::Json<Done>, ApiError> {
    let c = enter(&s, &p, &id).await?;
    let idem = idempotency_key(&headers)?;
    let actor = c.actor(b.actor, "actor")?;
    let cmd = BookCommand::Step {
        instance: form,
        actor,
        step: b.step.engine(),
        comment: b.comment,
        signature: b.signature,
        at: now(),
    };
    Ok(axum::Json(submit_books(&s, &id, idem, cmd).await?))
}

/// Closes the objects of a request schema: a variant of an enum (utoipa
/// leaves them open) accepts no property beyond its own, as the decoding does.
fn close(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema};
    use utoipa::openapi::RefOr;
    let RefOr::T(s) = schema else {
        return;
    };
    match s {
        Schema::Object(o) => {
            if o.additional_properties.is_none() && !o.properties.is_empty() {
                o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
            o.properties.values_mut().for_each(close);
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                close(items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(close),
        Schema::AllOf(x) => x.items.iter_mut().for_each(close),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(close),
        _ => {}
    }
}

/// The request enums whose variants `close` closes.
const CLOSED: [&str; 9] = [
    "ScopeIn",
    "DeviceScopeIn",
    "AssigneeIn",
    "WhenEmptyIn",
    "WhenDepartedIn",
    "RecipientIn",
    "ContactIn",
    "CommandIn",
    "BookIn",
];

/// The routes.
pub fn routes() -> OpenApiRouter<Arc<AppState>> {
    let mut router = routes_open();
    if let Some(c) = router.get_openapi_mut().components.as_mut() {
        for name in CLOSED {
            if let Some(schema) = c.schemas.get_mut(name) {
                close(schema);
            }
        }
    }
    router
}

fn routes_open() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant, list_tenants))
        .routes(routes!(show_tenant))
        .routes(routes!(directory))
        .routes(routes!(roles))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(add_department))
        .routes(routes!(move_department, remove_department))
        .routes(routes!(add_super_admin))
        .routes(routes!(remove_super_admin))
        .routes(routes!(add_scoped_admin))
        .routes(routes!(grant))
        .routes(routes!(revoke))
        .routes(routes!(transfer_creator))
        .routes(routes!(command))
        .routes(routes!(books))
        .routes(routes!(check))
        .routes(routes!(balance))
        .routes(routes!(statement))
        .routes(routes!(top_up))
        .routes(routes!(pay))
        .routes(routes!(refund))
        .routes(routes!(contacts))
        .routes(routes!(approvals, submit_form))
        .routes(routes!(approval))
        .routes(routes!(put_template))
        .routes(routes!(step))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_reads_offsets_and_fractions() {
        let t = 1_767_571_200; // 2026-01-05T00:00:00Z
        assert_eq!(rfc3339("2026-01-05T00:00:00Z"), Some(t));
        assert_eq!(rfc3339("2026-01-05t00:00:00z"), Some(t));
        assert_eq!(rfc3339("2026-01-05T08:00:00.123+08:00"), Some(t));
        assert_eq!(rfc3339("2026-01-04T19:30:00-04:30"), Some(t));
        assert_eq!(rfc3339("2026-01-05 00:00:00+00:00"), Some(t));
        assert_eq!(rfc3339("0000-01-01T00:00:00Z"), Some(FIRST_TIME));
        assert_eq!(rfc3339("9999-12-31T23:59:59Z"), Some(LAST_TIME));
        for bad in [
            "",
            "yesterday",
            "2026-02-30T00:00:00Z",
            "2026-01-05T24:00:00Z",
            "2026-01-05T00:00:00",
            "2026-01-05T00:00:00.Z",
            "2026-01-05T00:00:00+8:00",
            "2026-01-05T00:00:00Z ",
            "2026-01-05",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn enum_variants_are_closed_in_the_document() {
        let mut r = routes();
        let c = r.get_openapi_mut().components.clone().unwrap_or_default();
        for name in CLOSED {
            let text = serde_json::to_string(&c.schemas[name]).unwrap_or_default();
            assert!(
                text.contains("\"additionalProperties\":false"),
                "{name}: {text}"
            );
        }
    }

    #[test]
    fn the_mirrors_decode_into_the_engine_types() {
        let t: TemplateIn = serde_json::from_value(json!({
            "id": "t", "name": "T",
            "nodes": [{"assignee": {"kind": "dept-head", "level": 1}},
                {"role": "handler", "assignee": {"kind": "applicant-choice", "multiple": true}}],
            "settings": {"approver-exceptions": {"when-empty": {"transfer-to": "boss"}}, "view": "participants-only"}
        }))
        .unwrap();
        let e: bylaw_tenant::approval::Template = engine("template", &t).unwrap();
        assert_eq!(e.nodes.len(), 2);
        let r: RightsIn = serde_json::from_value(json!({
            "directory": [{"subtree": "rd"}, "own-departments"], "apps": {"crm": "manage"},
            "devices": {"bind_new": true, "manage": {"listed": ["k1"]}}
        }))
        .unwrap();
        let e: bylaw_tenant::Rights = engine("rights", &r).unwrap();
        assert_eq!(e.directory.len(), 2);
        let b: BookIn = serde_json::from_value(json!({
            "command": "set-alert", "settings": {"threshold_yuan": 5, "recipients": [{"member": "m"}]}
        }))
        .unwrap();
        let _: BookCommand = serde_json::from_value(json!({
            "command": "set-alert", "actor": "a", "at": 0,
            "settings": to_value(&match b { BookIn::SetAlert { settings, .. } => settings, _ => unreachable!() })
        }))
        .unwrap();
        let p: PolicyIn = serde_json::from_value(json!({"delegate_devices": true})).unwrap();
        let e: bylaw_tenant::Policy = engine("policy", &p).unwrap();
        assert!(e.creator_spends_by_default && e.delegate_devices);
    }
}
