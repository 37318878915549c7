//! Data-migration eligibility between two tenants (数据迁移服务-企业准入要求,
//! seed 003; rules `wecom-admin/migration.*`).
//!
//! [`assess`] is a pure function of a [`Request`] (the source and destination
//! tenants, their verification, their declared relationship) that answers
//! whether the pair may migrate, every condition with its rule id in Chinese
//! and English, the exact documents the relationship requires and the facts of
//! the process (templates, Tencent's review).
//!
//! The relationships and every document list are read from the rulebook
//! (lists of `wecom-admin/migration.relationship` and
//! `wecom-admin/migration.materials.*`); `data/migration.toml` adds English
//! names and the place of each document in the seed's two numbered items, and
//! is checked against the rulebook when loaded.
//!
//! Choices where the seed is silent, each repeated where it is made:
//! * `eligible` is true only when every condition is met; a condition that
//!   cannot be decided from the request (a missing short name or licence name)
//!   is [`Status::Unknown`] and makes the pair not (yet) eligible.
//! * The short-name condition governs the five licensing relationships, not
//!   同一企业全称 (the rulebook's reading of the merged cell, see the note of
//!   `wecom-admin/migration.short-name`); for 同一企业全称 the full names are compared.
//! * Names are compared after removing whitespace, folding full-width
//!   parentheses to half-width and lowercasing ASCII letters.
//! * The final decision is Tencent's manual review (`wecom-admin/migration.review`);
//!   this is a precheck.

use std::fmt;
use std::sync::OnceLock;

use bylaw_rulebook::{Require, Rule, Rulebook};
use serde::{Deserialize, Serialize};

/// `wecom-admin/migration.verification`: every migrating tenant is within its verification validity period.
pub const RULE_VERIFICATION: &str = "wecom-admin/migration.verification";
/// `wecom-admin/migration.relationship`: the tenants stand in one of the listed relationships.
pub const RULE_RELATIONSHIP: &str = "wecom-admin/migration.relationship";
/// `wecom-admin/migration.short-name`: external short names contain the same naming field.
pub const RULE_SHORT_NAME: &str = "wecom-admin/migration.short-name";
/// `wecom-admin/migration.subject-consistency`: verified subject equals the licence name and does not change.
pub const RULE_SUBJECT_CONSISTENCY: &str = "wecom-admin/migration.subject-consistency";
/// `wecom-admin/migration.templates`: templates come from the data service team.
pub const RULE_TEMPLATES: &str = "wecom-admin/migration.templates";
/// `wecom-admin/migration.review`: Tencent reviews first, stamped paper copies are mailed after approval.
pub const RULE_REVIEW: &str = "wecom-admin/migration.review";

/// Every rule id of this module, the six materials rules included.
pub const RULES: [&str; 12] = [
    RULE_VERIFICATION,
    RULE_RELATIONSHIP,
    RULE_SHORT_NAME,
    "wecom-admin/migration.materials.brand",
    "wecom-admin/migration.materials.trademark",
    "wecom-admin/migration.materials.product",
    "wecom-admin/migration.materials.website",
    "wecom-admin/migration.materials.app",
    "wecom-admin/migration.materials.same-name",
    RULE_SUBJECT_CONSISTENCY,
    RULE_TEMPLATES,
    RULE_REVIEW,
];

/// The shipped data file (`data/migration.toml`).
pub const DATA: &str = include_str!("../data/migration.toml");

/// Why the migration rules could not be loaded or a request read; Chinese first, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// A relationship that is not in the seed's list.
    #[error("迁移企业关系不在所列关系中 unknown migration relationship `{name}` ({rule})")]
    UnknownRelationship {
        /// The name given.
        name: String,
        /// The rule (`migration.relationship`).
        rule: &'static str,
    },
    /// A request file could not be parsed.
    #[error("迁移申请格式有误 invalid migration request: {0}")]
    Request(String),
    /// The data file is malformed or disagrees with the rulebook.
    #[error("数据迁移数据有误 invalid migration data: {0}")]
    Data(String),
    /// The embedded rulebook failed to load.
    #[error("规则库加载失败 the rulebook failed to load: {0}")]
    Rulebook(String),
}

/// A relationship between the source and destination tenants, as the seed lists them (`migration.relationship`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// 品牌持有方与被授权方或同一品牌被授权方.
    Brand,
    /// 商标持有方与被授权方或同一商标被授权方.
    Trademark,
    /// 产品生产方与被授权方或同一产品被授权方.
    Product,
    /// 网站持有方与被授权方或同一网站被授权方.
    Website,
    /// App持有方与被授权方 (the seed writes 或同一网站被授权方).
    App,
    /// 同一企业全称.
    SameName,
}

impl Relationship {
    /// Every relationship, in the seed's order.
    pub const ALL: [Relationship; 6] = [
        Relationship::Brand,
        Relationship::Trademark,
        Relationship::Product,
        Relationship::Website,
        Relationship::App,
        Relationship::SameName,
    ];

    /// The kebab-case slug (`same-name`).
    pub fn slug(self) -> &'static str {
        match self {
            Relationship::Brand => "brand",
            Relationship::Trademark => "trademark",
            Relationship::Product => "product",
            Relationship::Website => "website",
            Relationship::App => "app",
            Relationship::SameName => "same-name",
        }
    }

    /// The rule listing its documents (`wecom-admin/migration.materials.<slug>`).
    pub fn rule(self) -> &'static str {
        match self {
            Relationship::Brand => "wecom-admin/migration.materials.brand",
            Relationship::Trademark => "wecom-admin/migration.materials.trademark",
            Relationship::Product => "wecom-admin/migration.materials.product",
            Relationship::Website => "wecom-admin/migration.materials.website",
            Relationship::App => "wecom-admin/migration.materials.app",
            Relationship::SameName => "wecom-admin/migration.materials.same-name",
        }
    }

    /// Whether it is one of the five licensing rows, to which the short-name condition applies (`migration.short-name`).
    pub fn licensing(self) -> bool {
        self != Relationship::SameName
    }
}

/// Which of the two tenants a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// 迁出企业: the tenant the data leaves.
    Source,
    /// 迁入企业: the tenant the data goes to.
    Destination,
}

impl Side {
    /// 迁出企业 / 迁入企业.
    pub fn zh(self) -> &'static str {
        match self {
            Side::Source => "迁出企业",
            Side::Destination => "迁入企业",
        }
    }

    /// `source tenant` / `destination tenant`.
    pub fn en(self) -> &'static str {
        match self {
            Side::Source => "source tenant",
            Side::Destination => "destination tenant",
        }
    }
}

/// A tenant's WeCom verification (企业微信认证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Verification {
    /// Verified and within the validity period.
    Verified {
        /// The verified subject (认证主体).
        subject: String,
    },
    /// Verified once, validity period lapsed.
    Expired {
        /// The subject that was verified.
        subject: String,
    },
    /// Never verified.
    Unverified,
}

impl Verification {
    /// The verified subject, if the tenant was ever verified.
    pub fn subject(&self) -> Option<&str> {
        match self {
            Verification::Verified { subject } | Verification::Expired { subject } => Some(subject),
            Verification::Unverified => None,
        }
    }
}

/// One of the two tenants of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// 企业全称 (compared for the 同一企业全称 relationship).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// 企业微信对外简称 (the short-name condition, `migration.short-name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Verification status and subject (`migration.verification`).
    pub verification: Verification,
    /// Name on the business licence supplied (`migration.subject-consistency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_name: Option<String>,
    /// Whether the verified subject is to change during the migration (forbidden by `migration.subject-consistency`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub subject_change_planned: bool,
}

/// A migration to assess; reads from JSON or TOML so a CLI can take it from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// 迁出企业.
    pub source: Party,
    /// 迁入企业.
    pub destination: Party,
    /// The declared relationship: a slug (`brand`, `trademark`, `product`, `website`, `app`,
    /// `same-name`) or the seed's Chinese wording of the row.
    pub relationship: String,
    /// The naming field both short names contain (`唐云`), where the declarer names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_field: Option<String>,
}

impl Request {
    /// Reads a request from JSON.
    pub fn from_json(text: &str) -> Result<Request, MigrationError> {
        serde_json::from_str(text).map_err(|e| MigrationError::Request(e.to_string()))
    }

    /// Reads a request from TOML.
    pub fn from_toml(text: &str) -> Result<Request, MigrationError> {
        toml::from_str(text).map_err(|e| MigrationError::Request(e.to_string()))
    }
}

/// Whether a condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The condition holds.
    Met,
    /// The condition fails.
    Unmet,
    /// The request lacks what is needed to decide (counts against eligibility).
    Unknown,
    /// A fact of the process, not a condition.
    Info,
}

/// One condition or fact, with its rule, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Met, unmet, unknown or info.
    pub status: Status,
    /// Which tenant it is about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self.status {
            Status::Met => "met",
            Status::Unmet => "unmet",
            Status::Unknown => "unknown",
            Status::Info => "info",
        };
        write!(f, "{s} [{}] {} ({})", self.rule, self.zh, self.en)
    }
}

/// Where a document sits in the seed's two numbered items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// Item 1: the scanned mandate letter.
    Mandate,
    /// Attached (附上) to the mandate letter.
    Attachment,
    /// Item 2: the scanned business licence.
    Licence,
}

/// A document name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// As the seed writes it.
    pub zh: String,
    /// English.
    pub en: String,
}

/// A document to supply (`migration.materials.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The materials rule that requires it.
    pub rule: String,
    /// As the seed writes it (alternatives joined with ` / `).
    pub zh: String,
    /// English.
    pub en: String,
    /// Its place in the seed's items.
    pub part: Part,
    /// When non-empty, any one of these suffices (the rulebook list has `require = "any"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Named>,
    /// Whether the data service team provides a template (`migration.templates`).
    pub template: bool,
}

/// The answer to a migration request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    /// True when every condition in `reasons` is met.
    pub eligible: bool,
    /// The relationship recognised, if any.
    pub relationship: Option<Relationship>,
    /// Every condition checked, met or not.
    pub reasons: Vec<Finding>,
    /// The documents the relationship requires, in the seed's order.
    pub documents: Vec<Document>,
    /// Facts of the process: templates and Tencent's review.
    pub notices: Vec<Finding>,
}

impl Eligibility {
    /// The conditions that keep the pair from being eligible (unmet or unknown).
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.reasons
            .iter()
            .filter(|f| matches!(f.status, Status::Unmet | Status::Unknown))
    }
}

// ---------------------------------------------------------------------------
// Data file
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[serde(rename = "relationship")]
    relationships: Vec<RelationshipData>,
    #[serde(rename = "document")]
    documents: Vec<DocumentData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelationshipData {
    slug: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentData {
    zh: String,
    en: String,
    part: Part,
    #[serde(default)]
    template: Option<String>,
}

#[derive(Debug, Clone)]
struct RelationshipInfo {
    relationship: Relationship,
    zh: String,
    en: String,
    documents: Vec<Document>,
}

/// The migration rules, read from the rulebook and `data/migration.toml`.
#[derive(Debug, Clone)]
pub struct Assessor {
    relationships: Vec<RelationshipInfo>,
    templates: Finding,
    review: Finding,
}

fn data_err(msg: impl Into<String>) -> MigrationError {
    MigrationError::Data(msg.into())
}

fn rule<'a>(rb: &'a Rulebook, id: &str) -> Result<&'a Rule, MigrationError> {
    rb.rule(id)
        .ok_or_else(|| data_err(format!("规则不存在 rule `{id}` is not in the rulebook")))
}

/// Removes whitespace, folds full-width parentheses and lowercases ASCII, for comparing names.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Assessor {
    /// The shipped rules: the embedded rulebook and `data/migration.toml`.
    pub fn embedded() -> Result<Assessor, MigrationError> {
        let rb = Rulebook::embedded().map_err(|e| MigrationError::Rulebook(e.to_string()))?;
        Assessor::from_rulebook(&rb)
    }

    /// The shipped data file checked against (and completed from) this rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<Assessor, MigrationError> {
        Assessor::load(rb, DATA)
    }

    /// Rules from a data file in the layout of `data/migration.toml`, checked against the rulebook.
    pub fn load(rb: &Rulebook, data: &str) -> Result<Assessor, MigrationError> {
        let data: DataFile = toml::from_str(data).map_err(|e| data_err(e.to_string()))?;
        for id in RULES {
            rule(rb, id)?;
        }
        let listed = rule(rb, RULE_RELATIONSHIP)?
            .list("relationships")
            .ok_or_else(|| {
                data_err(format!(
                    "规则 `{RULE_RELATIONSHIP}` 没有列表 relationships rule has no list"
                ))
            })?;
        if listed.items.len() != Relationship::ALL.len()
            || data.relationships.len() != Relationship::ALL.len()
        {
            return Err(data_err(format!(
                "迁移关系数量不符 relationships: rulebook {}, data {}, code {}",
                listed.items.len(),
                data.relationships.len(),
                Relationship::ALL.len()
            )));
        }
        let templates_rule = rule(rb, RULE_TEMPLATES)?;
        let mut relationships = Vec::new();
        for ((rel, zh), d) in Relationship::ALL
            .into_iter()
            .zip(&listed.items)
            .zip(&data.relationships)
        {
            if d.slug != rel.slug() {
                return Err(data_err(format!(
                    "迁移关系顺序不符 relationship `{}` where `{}` is expected",
                    d.slug,
                    rel.slug()
                )));
            }
            relationships.push(RelationshipInfo {
                relationship: rel,
                zh: zh.clone(),
                en: d.en.clone(),
                documents: documents(rb, rel, &data.documents, templates_rule)?,
            });
        }
        let review = rule(rb, RULE_REVIEW)?;
        Ok(Assessor {
            relationships,
            templates: Finding {
                rule: RULE_TEMPLATES.into(),
                status: Status::Info,
                side: None,
                zh: templates_rule.quote.clone(),
                en: templates_rule.summary.clone(),
            },
            review: Finding {
                rule: RULE_REVIEW.into(),
                status: Status::Info,
                side: None,
                zh: review.quote.clone(),
                en: review.summary.clone(),
            },
        })
    }

    fn info(&self, rel: Relationship) -> Option<&RelationshipInfo> {
        self.relationships.iter().find(|r| r.relationship == rel)
    }

    /// A relationship by slug (`brand`) or by the seed's wording of its row (`同一企业全称`).
    pub fn relationship(&self, name: &str) -> Result<Relationship, MigrationError> {
        let name = name.trim();
        self.relationships
            .iter()
            .find(|r| r.relationship.slug() == name || r.zh == name)
            .map(|r| r.relationship)
            .ok_or_else(|| MigrationError::UnknownRelationship {
                name: name.to_string(),
                rule: RULE_RELATIONSHIP,
            })
    }

    /// The seed's wording of a relationship (read from the rulebook list).
    pub fn relationship_zh(&self, rel: Relationship) -> &str {
        self.info(rel).map_or("", |r| r.zh.as_str())
    }

    /// The English name of a relationship.
    pub fn relationship_en(&self, rel: Relationship) -> &str {
        self.info(rel).map_or("", |r| r.en.as_str())
    }

    /// The documents a relationship requires, in the seed's order (`migration.materials.*`).
    pub fn documents(&self, rel: Relationship) -> &[Document] {
        self.info(rel).map_or(&[], |r| r.documents.as_slice())
    }

    /// Whether the pair may migrate, why, and what to supply.
    pub fn assess(&self, req: &Request) -> Eligibility {
        let parties = [
            (Side::Source, &req.source),
            (Side::Destination, &req.destination),
        ];
        let mut reasons: Vec<Finding> = parties
            .iter()
            .map(|(side, p)| verification(*side, p))
            .collect();
        let rel = self.relationship(&req.relationship).ok();
        match rel {
            Some(r) => {
                reasons.push(Finding {
                    rule: RULE_RELATIONSHIP.into(),
                    status: Status::Met,
                    side: None,
                    zh: format!(
                        "迁移企业关系为「{}」，在所列关系中",
                        self.relationship_zh(r)
                    ),
                    en: format!(
                        "the tenants are {} ({}), one of the listed relationships",
                        self.relationship_en(r),
                        r.slug()
                    ),
                });
                reasons.push(if r.licensing() {
                    short_name(req)
                } else {
                    same_name(req)
                });
            }
            None => reasons.push(self.unknown_relationship(&req.relationship)),
        }
        for (side, p) in parties {
            reasons.extend(subject_consistency(side, p));
        }
        let documents = rel.map(|r| self.documents(r).to_vec()).unwrap_or_default();
        let mut notices = Vec::new();
        if rel.is_some() {
            if documents.iter().any(|d| d.template) {
                notices.push(self.templates.clone());
            }
            notices.push(self.review.clone());
        }
        Eligibility {
            eligible: reasons.iter().all(|f| f.status == Status::Met),
            relationship: rel,
            reasons,
            documents,
            notices,
        }
    }

    fn unknown_relationship(&self, name: &str) -> Finding {
        let zh: Vec<&str> = self.relationships.iter().map(|r| r.zh.as_str()).collect();
        let en: Vec<&str> = Relationship::ALL.iter().map(|r| r.slug()).collect();
        Finding {
            rule: RULE_RELATIONSHIP.into(),
            status: Status::Unmet,
            side: None,
            zh: format!(
                "迁移企业关系「{}」不在所列关系中：{}",
                name.trim(),
                zh.join("；")
            ),
            en: format!(
                "relationship `{}` is not one of the listed relationships: {}",
                name.trim(),
                en.join(", ")
            ),
        }
    }
}

/// The documents of one relationship from its materials rule, ordered mandate, attachments, licence.
fn documents(
    rb: &Rulebook,
    rel: Relationship,
    data: &[DocumentData],
    templates: &Rule,
) -> Result<Vec<Document>, MigrationError> {
    let r = rule(rb, rel.rule())?;
    let find = |zh: &str| -> Result<&DocumentData, MigrationError> {
        if !r.quote.contains(zh) {
            return Err(data_err(format!(
                "「{zh}」不在规则原文中 `{zh}` is not in the quote of `{}`",
                r.id
            )));
        }
        let d = data.iter().find(|d| d.zh == zh).ok_or_else(|| {
            data_err(format!(
                "材料「{zh}」没有英文名 document `{zh}` of `{}` has no entry in the data",
                r.id
            ))
        })?;
        if let Some(t) = &d.template {
            if !templates.quote.contains(t.as_str()) {
                return Err(data_err(format!(
                    "模版「{t}」不在规则原文中 template `{t}` is not in the quote of `{RULE_TEMPLATES}`"
                )));
            }
        }
        Ok(d)
    };
    let mut out: Vec<Document> = Vec::new();
    for list in &r.lists {
        if list.require == Some(Require::Any) {
            let ds = list
                .items
                .iter()
                .map(|zh| find(zh))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Document {
                rule: r.id.clone(),
                zh: list.items.join(" / "),
                en: ds
                    .iter()
                    .map(|d| d.en.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
                part: ds.first().map_or(Part::Attachment, |d| d.part),
                one_of: ds
                    .iter()
                    .map(|d| Named {
                        zh: d.zh.clone(),
                        en: d.en.clone(),
                    })
                    .collect(),
                template: ds.iter().any(|d| d.template.is_some()),
            });
        } else {
            for zh in &list.items {
                let d = find(zh)?;
                out.push(Document {
                    rule: r.id.clone(),
                    zh: d.zh.clone(),
                    en: d.en.clone(),
                    part: d.part,
                    one_of: Vec::new(),
                    template: d.template.is_some(),
                });
            }
        }
    }
    // Stable: keeps list order within each part.
    out.sort_by_key(|d| match d.part {
        Part::Mandate => 0,
        Part::Attachment => 1,
        Part::Licence => 2,
    });
    Ok(out)
}

/// `migration.verification`: the tenant is within its verification validity period.
fn verification(side: Side, p: &Party) -> Finding {
    let (status, zh, en) = match &p.verification {
        Verification::Verified { subject } => (
            Status::Met,
            format!("{}在认证有效期内（认证主体「{subject}」）", side.zh()),
            format!(
                "the {} is within its verification validity period (verified subject `{subject}`)",
                side.en()
            ),
        ),
        Verification::Expired { subject } => (
            Status::Unmet,
            format!(
                "{}（认证主体「{subject}」）已过认证有效期，参与迁移的企业均需要在认证有效期内",
                side.zh()
            ),
            format!(
                "the {} (verified subject `{subject}`) is past its verification validity period; every migrating tenant must be within it",
                side.en()
            ),
        ),
        Verification::Unverified => (
            Status::Unmet,
            format!("{}未认证，参与迁移的企业均需要在认证有效期内", side.zh()),
            format!(
                "the {} is not verified; every migrating tenant must be within its verification validity period",
                side.en()
            ),
        ),
    };
    Finding {
        rule: RULE_VERIFICATION.into(),
        status,
        side: Some(side),
        zh,
        en,
    }
}

/// `migration.short-name`: both external short names contain the same naming field.
///
/// With `shared_field` given, both names must contain it. Without it, one
/// name containing the other (唐云科技 / 唐云) meets the condition, names with
/// no character in common fail it, and anything else is left to the reviewer
/// ([`Status::Unknown`]): the seed gives no rule for what a naming field is.
fn short_name(req: &Request) -> Finding {
    let finding = |status, zh: String, en: String| Finding {
        rule: RULE_SHORT_NAME.into(),
        status,
        side: None,
        zh,
        en,
    };
    let (Some(a), Some(b)) = (
        present(&req.source.short_name),
        present(&req.destination.short_name),
    ) else {
        return finding(
            Status::Unknown,
            "未提供迁出企业或迁入企业的对外简称，无法核对对外简称是否含相同命名字段".into(),
            "the external short name of the source or destination tenant is missing; cannot check that they contain the same naming field".into(),
        );
    };
    let (na, nb) = (norm(a), norm(b));
    if let Some(field) = present(&req.shared_field) {
        let nf = norm(field);
        let missing: Vec<&str> = [(a, &na), (b, &nb)]
            .iter()
            .filter(|(_, n)| !n.contains(nf.as_str()))
            .map(|(s, _)| *s)
            .collect();
        return if missing.is_empty() {
            finding(
                Status::Met,
                format!("对外简称「{a}」「{b}」均含命名字段「{field}」"),
                format!("the external short names `{a}` and `{b}` both contain the naming field `{field}`"),
            )
        } else {
            finding(
                Status::Unmet,
                format!(
                    "对外简称「{}」不含命名字段「{field}」",
                    missing.join("」「")
                ),
                format!(
                    "the external short name `{}` does not contain the naming field `{field}`",
                    missing.join("`, `")
                ),
            )
        };
    }
    if na.contains(nb.as_str()) || nb.contains(na.as_str()) {
        let field = if na.chars().count() <= nb.chars().count() {
            a
        } else {
            b
        };
        finding(
            Status::Met,
            format!("对外简称「{a}」「{b}」均含命名字段「{field}」"),
            format!(
                "the external short names `{a}` and `{b}` both contain the naming field `{field}`"
            ),
        )
    } else if !na.chars().any(|c| nb.contains(c)) {
        finding(
            Status::Unmet,
            format!("对外简称「{a}」「{b}」没有相同命名字段"),
            format!("the external short names `{a}` and `{b}` share no naming field"),
        )
    } else {
        finding(
            Status::Unknown,
            format!("无法判断对外简称「{a}」「{b}」是否含相同命名字段，请写明相同的命名字段（shared_field）"),
            format!("cannot tell whether `{a}` and `{b}` contain the same naming field; declare it in `shared_field`"),
        )
    }
}

/// `migration.materials.same-name`: both tenants have the same full enterprise name.
fn same_name(req: &Request) -> Finding {
    let rule = Relationship::SameName.rule().to_string();
    match (
        present(&req.source.full_name),
        present(&req.destination.full_name),
    ) {
        (Some(a), Some(b)) if norm(a) == norm(b) => Finding {
            rule,
            status: Status::Met,
            side: None,
            zh: format!("迁出企业与迁入企业为同一企业全称「{a}」"),
            en: format!("the source and destination tenants have the same full name `{a}`"),
        },
        (Some(a), Some(b)) => Finding {
            rule,
            status: Status::Unmet,
            side: None,
            zh: format!("迁出企业全称「{a}」与迁入企业全称「{b}」不同，不是同一企业全称"),
            en: format!("the full names `{a}` and `{b}` differ: not the same full name"),
        },
        _ => Finding {
            rule,
            status: Status::Unknown,
            side: None,
            zh: "未提供迁出企业或迁入企业的企业全称，无法核对是否为同一企业全称".into(),
            en: "the full name of the source or destination tenant is missing; cannot check the same-full-name relationship".into(),
        },
    }
}

/// `migration.subject-consistency`: the verified subject equals the licence name and is not to change.
fn subject_consistency(side: Side, p: &Party) -> Vec<Finding> {
    let finding = |status, zh: String, en: String| Finding {
        rule: RULE_SUBJECT_CONSISTENCY.into(),
        status,
        side: Some(side),
        zh,
        en,
    };
    let (s, e) = (side.zh(), side.en());
    let mut out = vec![match (p.verification.subject(), present(&p.licence_name)) {
        (None, _) => finding(
            Status::Unknown,
            format!("{s}没有认证主体，无法与营业执照名称核对"),
            format!("the {e} has no verified subject to compare with the business licence"),
        ),
        (Some(_), None) => finding(
            Status::Unknown,
            format!("未提供{s}的营业执照名称，无法核对认证主体"),
            format!("the business-licence name of the {e} is missing; cannot check the verified subject"),
        ),
        (Some(subject), Some(licence)) if norm(subject) == norm(licence) => finding(
            Status::Met,
            format!("{s}认证主体「{subject}」与营业执照名称一致"),
            format!("the verified subject of the {e} `{subject}` matches the business licence"),
        ),
        (Some(subject), Some(licence)) => finding(
            Status::Unmet,
            format!("{s}认证主体「{subject}」与营业执照名称「{licence}」不一致"),
            format!("the verified subject of the {e} `{subject}` differs from the business-licence name `{licence}`"),
        ),
    }];
    if p.subject_change_planned {
        out.push(finding(
            Status::Unmet,
            format!("{s}计划变更认证主体，迁移期间不能变更认证主体"),
            format!("the {e} plans to change its verified subject; it must not change during the migration"),
        ));
    }
    out
}

/// Assesses a request with the shipped rules (loaded once).
///
/// Should the embedded rules fail to load (a build with broken data; the
/// tests rule it out), the answer is not eligible with one finding saying so.
pub fn assess(req: &Request) -> Eligibility {
    static SHIPPED: OnceLock<Result<Assessor, MigrationError>> = OnceLock::new();
    match SHIPPED.get_or_init(Assessor::embedded) {
        Ok(a) => a.assess(req),
        Err(e) => Eligibility {
            eligible: false,
            relationship: None,
            reasons: vec![Finding {
                rule: RULE_RELATIONSHIP.into(),
                status: Status::Unknown,
                side: None,
                zh: format!("无法加载数据迁移规则：{e}"),
                en: format!("the migration rules could not be loaded: {e}"),
            }],
            documents: Vec::new(),
            notices: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_after_folding() {
        assert_eq!(norm(" 唐云（深圳）科技 "), norm("唐云(深圳)科技"));
        assert_eq!(norm("TangYun"), norm("tangyun"));
    }

    #[test]
    fn blank_is_absent() {
        assert_eq!(present(&Some("  ".into())), None);
        assert_eq!(present(&Some(" a ".into())), Some("a"));
        assert_eq!(present(&None), None);
    }
}
