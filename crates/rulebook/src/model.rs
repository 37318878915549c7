//! The typed shape of the rulebook: what a book file deserialises into.
//!
//! Field names follow `docs/RULEBOOK.md`; every enum is written in kebab-case
//! in the data. Fields computed at load time (a rule's `book`, `clause`,
//! `source`, a threshold's `in_force`) are never read from the data.

use serde::{Deserialize, Serialize};

use crate::duration::Duration;
use crate::formula::Expr;
use crate::num::Num;

/// One `rulebooks/<book>.toml` file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookFile {
    /// The header: which book, which seed it quotes.
    pub book: BookHeader,
    /// Numbered clauses that state no rule of their own.
    #[serde(default, rename = "exclude")]
    pub exclusions: Vec<Exclusion>,
    /// The rules of the book, in document order.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

/// The `[book]` table: identity and provenance of a book.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookHeader {
    /// Book key from RULE_IDS.md (`miniprogram`, `meeting-market`, …).
    pub key: String,
    /// The document's own (Chinese) title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// Seed file name the quotes come from.
    pub seed: String,
    /// Document date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Which part of the seed file the book covers, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// 1-based inclusive line ranges of the seed this book covers (for the
    /// coverage test); the whole file when absent.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "line_ranges"
    )]
    pub lines: Vec<[usize; 2]>,
    /// How numbered clauses are found in the seed for the coverage test.
    #[serde(default)]
    pub numbering: Numbering,
}

/// Which numbering styles of the seed count as clauses for the coverage test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbering {
    /// Dotted numbers at line start (`3.5.11.5`, `5.7`).
    #[serde(default = "yes")]
    pub dotted: bool,
    /// Single top-level numbers (`1. 应用基本信息`).
    #[serde(default = "yes")]
    pub top_level: bool,
    /// Parenthesised items `(n)` under the nearest numbered heading.
    #[serde(default = "yes")]
    pub parenthesised: bool,
    /// Lettered items `a.` under the nearest parenthesised item.
    #[serde(default = "yes")]
    pub lettered: bool,
    /// Numbered items `1、` of a 处理规则 block.
    #[serde(default = "yes")]
    pub penalty_items: bool,
    /// Articles `第N条` (Chinese numeral) → clause `N`.
    #[serde(default)]
    pub articles: bool,
    /// Markdown lists under Chinese-numbered sections: `一、` sets section 1,
    /// each `N.` item below it is the next item → clause `1.k` (Markdown
    /// renumbers lists, so the written number is ignored).
    #[serde(default)]
    pub markdown_lists: bool,
    /// Unnumbered headings whose numbered items get a slug prefix
    /// (`{ heading = "附：ICP 许可证及备案流程", prefix = "appendix-icp" }`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionPrefix>,
    /// Skip coverage for this book entirely (help-center articles have no numbering).
    #[serde(default)]
    pub none: bool,
}

/// A heading line of the seed that starts a slug-prefixed numbering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionPrefix {
    /// The heading line as the seed writes it (bullets and `**` ignored).
    pub heading: String,
    /// The clause prefix of its items.
    pub prefix: String,
}

fn yes() -> bool {
    true
}

/// Accepts one range `[a, b]` or a list of ranges `[[a, b], [c, d]]`.
fn line_ranges<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<[usize; 2]>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        One([usize; 2]),
        Many(Vec<[usize; 2]>),
    }
    Ok(match Repr::deserialize(d)? {
        Repr::One(r) => vec![r],
        Repr::Many(v) => v,
    })
}

impl Default for Numbering {
    fn default() -> Self {
        Numbering {
            dotted: true,
            top_level: true,
            parenthesised: true,
            lettered: true,
            penalty_items: true,
            articles: false,
            markdown_lists: false,
            sections: Vec::new(),
            none: false,
        }
    }
}

/// A numbered clause that states no rule, with the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The clause as it would follow `BOOK/`.
    pub clause: String,
    /// Why it carries no rule (heading, principle, disclaimer, …).
    pub reason: String,
}

/// Where a rule's text comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Seed file name.
    pub seed: String,
    /// Document (or help-center article) title.
    pub document: String,
    /// Document date, if it states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One rule: a clause of a seed that states a rule, obligation, threshold,
/// sanction or workflow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// `BOOK/CLAUSE`, stable forever.
    pub id: String,
    /// Book key (computed from the id).
    #[serde(default, skip_deserializing)]
    pub book: String,
    /// Clause within the book (computed from the id).
    #[serde(default, skip_deserializing)]
    pub clause: String,
    /// Chinese title from the source.
    pub title: String,
    /// One English sentence.
    pub summary: String,
    /// What sort of rule it is.
    pub kind: Kind,
    /// Whom or what it binds.
    pub applies_to: Vec<Target>,
    /// How it is verified: check ids from the catalogue.
    pub checks: Vec<String>,
    /// Verbatim excerpt of the seed.
    pub quote: String,
    /// Provenance (computed from the book and the overrides below).
    #[serde(default, skip_deserializing)]
    pub source: Source,
    /// Whether the rule is in force (false when superseded; computed).
    #[serde(default, skip_deserializing)]
    pub in_force: bool,
    /// Document title override for multi-article books.
    #[serde(default, skip_serializing)]
    pub document: Option<String>,
    /// Date override.
    #[serde(default, skip_serializing)]
    pub date: Option<String>,
    /// A newer rule that replaces this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// Rules this one refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Level in a sanction-level table (Meeting market: 1 most severe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// Typed limits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
    /// Named item lists (words, documents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<ItemList>,
    /// Typed tables (price tiers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    /// Arithmetic formulas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formulas: Vec<Formula>,
    /// What follows a violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Penalty>,
    /// Free remark by the encoder (a judgement call, a gap in the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Threshold {
    /// Whether `x` lies within the bounds (`min`/`max`, strict when `exclusive`).
    /// A threshold with only `value` bounds nothing and admits every `x`.
    pub fn admits(&self, x: f64) -> bool {
        let above = self.min.is_none_or(|m| {
            if self.exclusive {
                x > m.get()
            } else {
                x >= m.get()
            }
        });
        let below = self.max.is_none_or(|m| {
            if self.exclusive {
                x < m.get()
            } else {
                x <= m.get()
            }
        });
        above && below
    }
}

impl Rule {
    /// The threshold called `name` (and `variant`, if given) that is in force.
    pub fn threshold(&self, name: &str, variant: Option<&str>) -> Option<&Threshold> {
        self.thresholds
            .iter()
            .filter(|t| t.name == name && (variant.is_none() || t.variant.as_deref() == variant))
            .find(|t| t.in_force)
    }

    /// The list called `name`.
    pub fn list(&self, name: &str) -> Option<&ItemList> {
        self.lists.iter().find(|l| l.name == name)
    }

    /// The formula called `name`.
    pub fn formula(&self, name: &str) -> Option<&Formula> {
        self.formulas.iter().find(|f| f.name == name)
    }
}

/// What sort of rule a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Forbidden or required content.
    Content,
    /// Forbidden conduct (inducement, fraud, fake traffic…).
    Behaviour,
    /// Listing fields and their form.
    Listing,
    /// Licences and documents to supply.
    Qualification,
    /// Personal-information handling and privacy policies.
    Privacy,
    /// Data security and data use.
    Data,
    /// Technical implementation and quality.
    Technical,
    /// Visual and interaction design.
    Design,
    /// Registration and account set-up.
    Registration,
    /// Enterprise administration (roles, permissions).
    Admin,
    /// Balance, prices and billing.
    Billing,
    /// Payments inside apps.
    Payment,
    /// A process with steps and states.
    Workflow,
    /// A duty that is neither content nor conduct.
    Obligation,
    /// A sanction level or ladder.
    Sanction,
    /// A definition other rules rest on.
    Definition,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 16] = [
        Kind::Content,
        Kind::Behaviour,
        Kind::Listing,
        Kind::Qualification,
        Kind::Privacy,
        Kind::Data,
        Kind::Technical,
        Kind::Design,
        Kind::Registration,
        Kind::Admin,
        Kind::Billing,
        Kind::Payment,
        Kind::Workflow,
        Kind::Obligation,
        Kind::Sanction,
        Kind::Definition,
    ];

    /// The kebab-case name used in the data.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Content => "content",
            Kind::Behaviour => "behaviour",
            Kind::Listing => "listing",
            Kind::Qualification => "qualification",
            Kind::Privacy => "privacy",
            Kind::Data => "data",
            Kind::Technical => "technical",
            Kind::Design => "design",
            Kind::Registration => "registration",
            Kind::Admin => "admin",
            Kind::Billing => "billing",
            Kind::Payment => "payment",
            Kind::Workflow => "workflow",
            Kind::Obligation => "obligation",
            Kind::Sanction => "sanction",
            Kind::Definition => "definition",
        }
    }

    /// Parses the kebab-case name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whom or what a rule binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// A user account (企业微信账号, 帐号).
    Account,
    /// An end user of a platform or app.
    EndUser,
    /// An enterprise administrator.
    Admin,
    /// A group chat.
    Group,
    /// An enterprise using WeCom.
    Tenant,
    /// The legal entity behind accounts.
    Subject,
    /// A service provider or developer.
    Provider,
    /// A third-party app.
    App,
    /// A WeChat mini program.
    MiniProgram,
    /// A WeChat mini game.
    MiniGame,
    /// A mini-program plugin or Meeting plugin.
    Plugin,
    /// A market listing (name, logo, intro…).
    Listing,
    /// The platform operator itself.
    Platform,
}

/// A typed limit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Slug naming what is limited.
    pub name: String,
    /// Which case (desktop, mobile, a tier…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Lower bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Num>,
    /// Upper bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Num>,
    /// Exact or nominal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Num>,
    /// Unit of the numbers.
    pub unit: Unit,
    /// Whether `min`/`max` are strict bounds (小于 3 秒: `max = 3`, `exclusive = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A newer rule whose threshold replaces this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// Whether this figure is in force (computed: newest document wins).
    #[serde(default, skip_deserializing)]
    pub in_force: bool,
    /// Date of the document that states it (computed).
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Unit of a threshold, column or variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Characters of any script (Unicode scalar values).
    Chars,
    /// Chinese characters (a Latin letter or digit counts as half, where the seed says so).
    ChineseChars,
    /// Bytes.
    Bytes,
    /// Kilobytes (1024 bytes).
    Kb,
    /// Megabytes (1024 KB).
    Mb,
    /// Pixels.
    Px,
    /// A count of things.
    Count,
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Natural days.
    Days,
    /// Working days.
    WorkingDays,
    /// Calendar months.
    Months,
    /// Years.
    Years,
    /// Chinese yuan.
    Yuan,
    /// Chinese yuan per year.
    YuanPerYear,
    /// Percent.
    Percent,
    /// People.
    People,
}

/// Whether all or any of a list's items are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Require {
    /// Every item must be supplied.
    All,
    /// One item suffices.
    Any,
}

/// A named list of items (words, documents, symbols).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemList {
    /// Slug.
    pub name: String,
    /// For lists of documents: all or any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<Require>,
    /// The items, as the seed writes them.
    pub items: Vec<String>,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A typed table such as price tiers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Slug.
    pub name: String,
    /// Column definitions.
    pub columns: Vec<Column>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<Cell>>,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A table column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Slug.
    pub name: String,
    /// Unit; a column with a unit holds numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// A number.
    Number(Num),
    /// Text.
    Text(String),
}

/// An arithmetic formula over named variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    /// Slug.
    pub name: String,
    /// The expression, e.g. `y / 365 * (365 - n) - x / 365 * (365 - n)`.
    pub expression: String,
    /// Unit of the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Declared variables.
    pub variables: Vec<Variable>,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The parsed expression (filled at load).
    #[serde(skip)]
    pub compiled: Option<Expr>,
}

/// A formula variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Name used in the expression.
    pub name: String,
    /// Unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// What it stands for.
    pub description: String,
}

/// How the steps of a penalty relate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ladder {
    /// Steps in rising severity; the operator or the history picks one.
    #[default]
    Graduated,
    /// Every step applies together.
    All,
    /// Step n applies at the n-th offence.
    Repeat,
    /// Each step or branch applies under its own condition.
    ByCase,
    /// The operator picks any of the steps.
    Choice,
}

/// What follows a violation of a rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Penalty {
    /// Verbatim sanction text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// How the steps relate.
    #[serde(default)]
    pub ladder: Ladder,
    /// Whether the operator chooses (视情节, 根据违规程度).
    #[serde(default)]
    pub discretionary: bool,
    /// Ordered steps, least severe first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Numbered sub-rules of a 处理规则.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// A rule whose penalty applies instead (a level of a level table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub see: Option<String>,
    /// The rule whose penalty applies when the same level is violated again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_on_repeat: Option<String>,
    /// Whether history and sanctions extend to affiliated subjects.
    #[serde(default)]
    pub affiliates: bool,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A numbered item of a 处理规则 (`RULE.penalty.n`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// `RULE.penalty.n`.
    pub id: String,
    /// When it applies (Chinese, from the seed).
    pub condition: String,
    /// Verbatim text.
    pub quote: String,
    /// How its steps relate.
    #[serde(default)]
    pub ladder: Ladder,
    /// Whether the operator chooses.
    #[serde(default)]
    pub discretionary: bool,
    /// Ordered steps.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One sanction step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What is done.
    pub action: Action,
    /// Capabilities taken away (for `ban-capability`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// How long it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    /// Lasts until the rectification is accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_rectified: bool,
    /// Takes effect this long after the finding (并于15天后自动下架).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Duration>,
    /// In a `repeat` ladder: the offence (1-based) this step answers; steps
    /// with the same number apply together, and the last offence's steps
    /// apply to every later offence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offence: Option<u32>,
    /// Rectification deadline (for `rectify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Duration>,
    /// Steps that apply when the deadline lapses (for `rectify`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_lapse: Vec<Step>,
    /// Who is affected beyond the target (subject, affiliates, all apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Which fields are cleared (for `remove-content`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Condition in a `by-case` ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A sanction action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// 警告.
    Warning,
    /// 限期整改: fix by a deadline or the `on_lapse` steps apply.
    Rectify,
    /// 限制功能 without naming which.
    LimitFeatures,
    /// 封禁 … 能力.
    BanCapability,
    /// 删除 / 清空 content or fields.
    RemoveContent,
    /// 降权.
    Demote,
    /// 取消推荐 / 应用列表不推荐.
    Unrecommend,
    /// 取消搜索 / 禁搜.
    Unsearchable,
    /// 下架.
    Delist,
    /// Submission refused (审核不通过 / 将被拒绝).
    Reject,
    /// 封号.
    BanAccount,
    /// 暂停服务.
    SuspendService,
    /// 终止服务 / 终止合作.
    Terminate,
    /// 拒绝提供服务 / 拒绝准入.
    RefuseService,
    /// 黑名单.
    Blacklist,
    /// 撤销认证.
    RevokeVerification,
    /// 暂停结算 / 扣除结算资金.
    WithholdSettlement,
    /// 扣减信用分.
    DeductCredit,
    /// 追究赔偿.
    ClaimDamages,
    /// 移交 / 配合有关部门.
    ReportToAuthorities,
    /// Anything else; needs a note.
    Other,
}

/// Who a step reaches beyond its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The subject only.
    Subject,
    /// The subject and all its affiliated subjects.
    SubjectAndAffiliates,
    /// Every app of the target's provider (期间服务商所有应用…).
    AllApps,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: Option<f64>, max: Option<f64>, exclusive: bool) -> Threshold {
        Threshold {
            name: "x".into(),
            variant: None,
            min: min.map(Num),
            max: max.map(Num),
            value: None,
            unit: Unit::Seconds,
            exclusive,
            note: None,
            superseded_by: None,
            in_force: true,
            date: None,
        }
    }

    #[test]
    fn bounds_inclusive_and_strict() {
        assert!(t(Some(2.0), Some(6.0), false).admits(6.0));
        assert!(t(Some(2.0), Some(6.0), false).admits(2.0));
        assert!(!t(Some(2.0), Some(6.0), false).admits(7.0));
        assert!(!t(None, Some(3.0), true).admits(3.0));
        assert!(t(None, Some(3.0), true).admits(2.99));
        assert!(t(None, None, false).admits(1e9));
    }
}
