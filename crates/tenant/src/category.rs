//! Business categories (经营类目) of a tenant: the taxonomy, one category per
//! tenant, what is blocked without one or while it is under review, changing
//! it, and the businesses that must pick a specific category
//! (`wecom-admin/business-category.*`, seed 003, articles 什么是经营类目 and
//! 经营类目适用范围).
//!
//! Everything the rulebook holds is read from it: the Chinese names and
//! scopes of the categories (table `categories` of
//! `wecom-admin/business-category.scope`), the blocked operations (list
//! `blocked-operations` of `wecom-admin/business-category.unset.blocked`), the
//! one-category limit (threshold `categories` of
//! `wecom-admin/business-category.single`) and the review sources (list
//! `review-sources` of `wecom-admin/business-category.review`).
//! `data/categories.toml` adds only what the rulebook lacks (slug ids, English
//! names, the grouping of rows into first-level classes, the redirects'
//! targets) and is checked against the rulebook when it is loaded.
//!
//! Who may select or change a category (`wecom-admin/business-category.who`:
//! super admins or the business owner) is decided by the permission checks
//! elsewhere in this crate; this module only names the rule ([`RULE_WHO`]).

use std::collections::HashSet;
use std::fmt;

use bylaw_rulebook::{Cell, Rule, Rulebook};
use serde::{Deserialize, Serialize};

/// `wecom-admin/business-category.definition`: a public field visible to customers and members.
pub const RULE_DEFINITION: &str = "wecom-admin/business-category.definition";
/// `wecom-admin/business-category.single`: only one category may be selected.
pub const RULE_SINGLE: &str = "wecom-admin/business-category.single";
/// `wecom-admin/business-category.effects`: what selecting a category does.
pub const RULE_EFFECTS: &str = "wecom-admin/business-category.effects";
/// `wecom-admin/business-category.unset`: unknown label and incomplete profile without a category.
pub const RULE_UNSET: &str = "wecom-admin/business-category.unset";
/// `wecom-admin/business-category.unset.blocked`: operations blocked without a category.
pub const RULE_UNSET_BLOCKED: &str = "wecom-admin/business-category.unset.blocked";
/// `wecom-admin/business-category.unset.in-review`: operations 1 and 2 allowed while under review.
pub const RULE_UNSET_IN_REVIEW: &str = "wecom-admin/business-category.unset.in-review";
/// `wecom-admin/business-category.review`: the platform reviews the chosen category.
pub const RULE_REVIEW: &str = "wecom-admin/business-category.review";
/// `wecom-admin/business-category.unique`: the category is unique (the main offering).
pub const RULE_UNIQUE: &str = "wecom-admin/business-category.unique";
/// `wecom-admin/business-category.change`: a changed offering requires changing the category.
pub const RULE_CHANGE: &str = "wecom-admin/business-category.change";
/// `wecom-admin/business-category.who`: only super admins or the business owner select or change it.
pub const RULE_WHO: &str = "wecom-admin/business-category.who";
/// `wecom-admin/business-category.scope`: the taxonomy and each category's scope.
pub const RULE_SCOPE: &str = "wecom-admin/business-category.scope";

/// Every rule id of this module other than the redirects (which come from the data).
pub const RULES: [&str; 11] = [
    RULE_DEFINITION,
    RULE_SINGLE,
    RULE_EFFECTS,
    RULE_UNSET,
    RULE_UNSET_BLOCKED,
    RULE_UNSET_IN_REVIEW,
    RULE_REVIEW,
    RULE_UNIQUE,
    RULE_CHANGE,
    RULE_WHO,
    RULE_SCOPE,
];

/// The shipped data file (`data/categories.toml`).
pub const DATA: &str = include_str!("../data/categories.toml");

/// How the seed writes a category path in its redirects: `文娱—游戏`.
const PATH_SEP: char = '—';

/// Shown (by us, not the seed) for the first level of the catering rows, which the seed leaves unlabelled.
const UNLABELLED_ZH: &str = "（一级类目未注明）";

/// Why a category operation failed; messages are Chinese first, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    /// No category has this id or Chinese name.
    #[error("未知的经营类目 unknown business category `{0}`")]
    Unknown(String),
    /// A Chinese name matches several categories (`其他`, `烟/酒/茶`, …).
    #[error("经营类目名称有歧义，可能是 {candidates} ambiguous business category `{name}`, candidates: {candidates}")]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// Ids of the matching categories, comma-separated.
        candidates: String,
    },
    /// A first-level class that has second-level categories was named instead of one of them.
    #[error("一级类目「{zh}」下有二级类目，请选择其中一个 first-level class `{id}` has second-level categories; choose one of them ({rule})")]
    NotSelectable {
        /// Class id.
        id: String,
        /// Chinese name of the class.
        zh: String,
        /// The rule (`business-category.scope`).
        rule: &'static str,
    },
    /// No category given where one is needed.
    #[error("未选择经营类目 no business category selected ({rule})")]
    NoneSelected {
        /// The rule (`business-category.single`).
        rule: &'static str,
    },
    /// More categories than the rulebook allows.
    #[error("仅支持选择 {max} 个类目，实际选择了 {count} 个 only {max} business category may be selected, got {count} ({rule})")]
    TooMany {
        /// How many were given.
        count: usize,
        /// The limit read from the rulebook.
        max: usize,
        /// The rule (`business-category.single`).
        rule: &'static str,
    },
    /// The tenant already has a category; selecting another one is a change.
    #[error("企业已选择经营类目 `{current}`，经营类目是唯一的，请更换而非再选择 the tenant already has business category `{current}`; it is unique, change it instead ({rule})")]
    AlreadySelected {
        /// The current category.
        current: String,
        /// The rule (`business-category.unique`).
        rule: &'static str,
    },
    /// A change was asked for a tenant without a category.
    #[error(
        "企业尚未选择经营类目，无可更换 the tenant has no business category to change ({rule})"
    )]
    NothingToChange {
        /// The rule (`business-category.change`).
        rule: &'static str,
    },
    /// The new category equals the current one.
    #[error(
        "新经营类目与当前经营类目相同 `{0}` the new business category equals the current one `{0}`"
    )]
    Unchanged(String),
    /// Approval was asked for a category that is not under review.
    #[error("经营类目不在审核中 the business category is not under review ({rule})")]
    NotInReview {
        /// The rule (`business-category.review`).
        rule: &'static str,
    },
    /// A business slug with no redirect.
    #[error("未知的业务类型 unknown business `{0}`")]
    UnknownBusiness(String),
    /// A feature name that is not one of the blocked operations.
    #[error("未知的功能 unknown feature `{name}` ({rule})")]
    UnknownFeature {
        /// The name asked for.
        name: String,
        /// The rule (`business-category.unset.blocked`).
        rule: &'static str,
    },
    /// The data file is malformed or disagrees with the rulebook.
    #[error("经营类目数据有误 invalid business-category data: {0}")]
    Data(String),
    /// The embedded rulebook failed to load.
    #[error("规则库加载失败 the rulebook failed to load: {0}")]
    Rulebook(String),
}

/// Stable slug id of a selectable category: `entertainment.games`, or `transport` for a class without second level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryId(String);

impl CategoryId {
    /// Wraps a slug (not checked against any catalog).
    pub fn new(id: impl Into<String>) -> Self {
        CategoryId(id.into())
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CategoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CategoryId {
    fn from(s: &str) -> Self {
        CategoryId(s.to_string())
    }
}

/// A first-level class (一级类目) of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class {
    /// Slug id (`entertainment`).
    pub id: String,
    /// Chinese name as the seed writes it; `None` for the catering rows, which the seed leaves unlabelled.
    pub zh: Option<String>,
    /// English name (ours).
    pub en: String,
    /// Why the grouping was read this way, where the seed is ambiguous.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its selectable categories in the seed's order (the class itself when it has no second level).
    pub categories: Vec<CategoryId>,
}

/// A selectable category: a second-level category, or a first-level class without second level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Slug id (`entertainment.games`).
    pub id: CategoryId,
    /// Id of its first-level class.
    pub class: String,
    /// Chinese first-level name; `None` where the seed writes none.
    pub first_level: Option<String>,
    /// Chinese second-level name; `None` where the seed writes — (no second level).
    pub second_level: Option<String>,
    /// English name of the category itself (ours).
    pub en: String,
    /// English name of its class (ours).
    pub class_en: String,
    /// 适用范围 as the rulebook quotes it (`business-category.scope`).
    pub scope: String,
}

impl Category {
    /// Chinese path as the seed writes it in its redirects: `文娱—游戏`, or `交通服务`.
    pub fn zh(&self) -> String {
        let first = self.first_level.as_deref().unwrap_or(UNLABELLED_ZH);
        match &self.second_level {
            Some(second) => format!("{first}{PATH_SEP}{second}"),
            None => first.to_string(),
        }
    }

    /// English path: `Culture and entertainment — Games`, or `Transport services`.
    pub fn en_path(&self) -> String {
        match &self.second_level {
            Some(_) => format!("{} — {}", self.class_en, self.en),
            None => self.en.clone(),
        }
    }
}

/// A business that must pick one specific category (`business-category.redirect.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// Rule id (`wecom-admin/business-category.redirect.online-game`).
    pub rule: String,
    /// Slug a caller declares (`online-game`).
    pub business: String,
    /// What the business is, in the seed's words (`与网络游戏相关`).
    pub zh: String,
    /// What the business is, in English.
    pub en: String,
    /// The category whose scope carries the 注意.
    pub noted_under: CategoryId,
    /// The category the business must pick.
    pub target: CategoryId,
}

/// One of the operations blocked without a category, numbered as the seed numbers them (`business-category.unset.blocked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// 1、查看客户总数/今日新增.
    CustomerTotals,
    /// 2、获客助手查看获客数据.
    AcquisitionData,
    /// 3、获客助手购买时.
    AcquisitionPurchase,
    /// 4、获客助手授权给第三方或代开发时.
    AcquisitionAuthorise,
    /// 5、获客助手自动扣款->开通.
    AutoDeductEnable,
}

impl Feature {
    /// Every feature, in the seed's order.
    pub const ALL: [Feature; 5] = [
        Feature::CustomerTotals,
        Feature::AcquisitionData,
        Feature::AcquisitionPurchase,
        Feature::AcquisitionAuthorise,
        Feature::AutoDeductEnable,
    ];

    /// The seed's number of the item (1 to 5).
    pub fn position(self) -> usize {
        match self {
            Feature::CustomerTotals => 1,
            Feature::AcquisitionData => 2,
            Feature::AcquisitionPurchase => 3,
            Feature::AcquisitionAuthorise => 4,
            Feature::AutoDeductEnable => 5,
        }
    }

    /// The kebab-case slug (`auto-deduct-enable`).
    pub fn slug(self) -> &'static str {
        match self {
            Feature::CustomerTotals => "customer-totals",
            Feature::AcquisitionData => "acquisition-data",
            Feature::AcquisitionPurchase => "acquisition-purchase",
            Feature::AcquisitionAuthorise => "acquisition-authorise",
            Feature::AutoDeductEnable => "auto-deduct-enable",
        }
    }
}

/// A tenant's category: none, one under the platform's review, or one approved — never more than one (`business-category.single`, `.unique`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CategoryState {
    /// No category selected (`business-category.unset`).
    #[default]
    Unset,
    /// A category selected and under review (`business-category.unset.in-review`, `.review`).
    InReview {
        /// The selected category.
        category: CategoryId,
    },
    /// A category selected and approved.
    Approved {
        /// The category.
        category: CategoryId,
    },
}

impl CategoryState {
    /// The selected category, if any.
    pub fn category(&self) -> Option<&CategoryId> {
        match self {
            CategoryState::Unset => None,
            CategoryState::InReview { category } | CategoryState::Approved { category } => {
                Some(category)
            }
        }
    }

    /// The platform approves the category under review (`business-category.review`).
    ///
    /// The seed says the platform reviews the choice; it says nothing of a
    /// rejection, so no reject transition is offered.
    pub fn approve(&self) -> Result<CategoryState, CategoryError> {
        match self {
            CategoryState::InReview { category } => Ok(CategoryState::Approved {
                category: category.clone(),
            }),
            _ => Err(CategoryError::NotInReview { rule: RULE_REVIEW }),
        }
    }
}

/// A statement tied to its rule, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Rule id.
    pub rule: String,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {} ({})", self.rule, self.zh, self.en)
    }
}

/// Whether a feature may be used in a category state, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Allowed or blocked.
    pub allowed: bool,
    /// The feature asked about.
    pub feature: Feature,
    /// The rule that decided.
    pub rule: String,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = if self.allowed { "allow" } else { "deny" };
        write!(f, "{word} [{}] {} ({})", self.rule, self.zh, self.en)
    }
}

/// What the 客户联系 page and the external profile show for a tenant's category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The rule (`business-category.unset` without a category, `.definition` with one).
    pub rule: String,
    /// The text shown, in Chinese (`未知`, or the category path).
    pub zh: String,
    /// The text shown, in English.
    pub en: String,
    /// Whether a red question mark is shown (`business-category.unset`).
    pub question_mark: bool,
    /// Whether the external profile shows 企业未完善 because of the category (`business-category.unset`).
    pub profile_incomplete: bool,
    /// Whether the category shown is still under review.
    pub in_review: bool,
}

/// The result of selecting or changing a category: the new state and what the tenant is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The new state.
    pub state: CategoryState,
    /// Facts that apply, each with its rule.
    pub notices: Vec<Explanation>,
}

// ---------------------------------------------------------------------------
// Data file
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    taxonomy: TaxonomyData,
    #[serde(rename = "class")]
    classes: Vec<ClassData>,
    #[serde(rename = "redirect", default)]
    redirects: Vec<RedirectData>,
    blocked: BlockedData,
    in_review: InReviewData,
    unset: UnsetData,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyData {
    rule: String,
    table: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassData {
    id: String,
    #[serde(default)]
    zh: Option<String>,
    en: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    categories: Vec<SubData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubData {
    id: String,
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedirectData {
    rule: String,
    business: String,
    zh: String,
    en: String,
    noted_under: String,
    target: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockedData {
    rule: String,
    list: String,
    en: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InReviewData {
    rule: String,
    allowed: Vec<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsetData {
    rule: String,
    label: String,
    label_en: String,
    profile: String,
    profile_en: String,
}

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

/// The category taxonomy, the redirects and the feature rules, read from the rulebook and `data/categories.toml`.
#[derive(Debug, Clone)]
pub struct Catalog {
    classes: Vec<Class>,
    categories: Vec<Category>,
    redirects: Vec<Redirect>,
    features_zh: Vec<String>,
    features_en: Vec<String>,
    in_review_allowed: Vec<usize>,
    max_categories: usize,
    review_sources: Vec<String>,
    unset: UnsetData,
    effects_quote: String,
    effects_summary: String,
    review_summary: String,
}

fn data_err(msg: impl Into<String>) -> CategoryError {
    CategoryError::Data(msg.into())
}

fn rule<'a>(rb: &'a Rulebook, id: &str) -> Result<&'a Rule, CategoryError> {
    rb.rule(id)
        .ok_or_else(|| data_err(format!("规则不存在 rule `{id}` is not in the rulebook")))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn cell_text(cell: Option<&Cell>) -> Option<&str> {
    match cell {
        Some(Cell::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Folds the dash variants people type for the seed's `—` path separator.
fn normalise_query(q: &str) -> String {
    q.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '-' | '－' | '–' | '―' => PATH_SEP,
            c => c,
        })
        .collect()
}

impl Catalog {
    /// The shipped catalog: the embedded rulebook and `data/categories.toml`.
    pub fn embedded() -> Result<Catalog, CategoryError> {
        let rb = Rulebook::embedded().map_err(|e| CategoryError::Rulebook(e.to_string()))?;
        Catalog::from_rulebook(&rb)
    }

    /// The shipped data file checked against (and completed from) this rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<Catalog, CategoryError> {
        Catalog::load(rb, DATA)
    }

    /// A catalog from a data file in the layout of `data/categories.toml`, checked against the rulebook.
    pub fn load(rb: &Rulebook, data: &str) -> Result<Catalog, CategoryError> {
        let data: DataFile = toml::from_str(data).map_err(|e| data_err(e.to_string()))?;
        for id in RULES {
            rule(rb, id)?;
        }
        let (classes, categories) = taxonomy(rb, &data)?;
        let redirects = redirects(rb, &data.redirects, &categories)?;

        // business-category.unset.blocked: the Chinese names of the blocked operations.
        let blocked = rule(rb, &data.blocked.rule)?;
        let list = blocked.list(&data.blocked.list).ok_or_else(|| {
            data_err(format!(
                "规则 `{}` 没有列表 `{}` rule has no list",
                data.blocked.rule, data.blocked.list
            ))
        })?;
        if list.items.len() != Feature::ALL.len() || data.blocked.en.len() != list.items.len() {
            return Err(data_err(format!(
                "被拦截操作数量不符 blocked operations: rulebook {}, English names {}, features {}",
                list.items.len(),
                data.blocked.en.len(),
                Feature::ALL.len()
            )));
        }

        // business-category.unset.in-review: 第1点和第2点.
        let in_review = rule(rb, &data.in_review.rule)?;
        for n in &data.in_review.allowed {
            if *n == 0 || *n > list.items.len() || !in_review.quote.contains(&format!("第{n}点"))
            {
                return Err(data_err(format!(
                    "审核中放行的第{n}点不在规则原文中 item {n} is not named by `{}`",
                    data.in_review.rule
                )));
            }
        }

        // business-category.unset: the words shown.
        let unset = rule(rb, &data.unset.rule)?;
        for word in [&data.unset.label, &data.unset.profile] {
            if !unset.quote.contains(word.as_str()) {
                return Err(data_err(format!(
                    "「{word}」不在规则原文中 `{word}` is not in the quote of `{}`",
                    data.unset.rule
                )));
            }
        }

        // business-category.single: at most `max` categories.
        let single = rule(rb, RULE_SINGLE)?;
        let max_categories = single
            .threshold("categories", None)
            .and_then(|t| t.max)
            .and_then(|m| m.as_i64())
            .and_then(|m| usize::try_from(m).ok())
            .filter(|m| *m >= 1)
            .ok_or_else(|| {
                data_err(format!(
                    "规则 `{RULE_SINGLE}` 缺少阈值 categories rule has no `categories` max"
                ))
            })?;

        let review = rule(rb, RULE_REVIEW)?;
        let review_sources = review
            .list("review-sources")
            .map(|l| l.items.clone())
            .ok_or_else(|| {
                data_err(format!(
                    "规则 `{RULE_REVIEW}` 没有列表 review-sources rule has no list"
                ))
            })?;
        let effects = rule(rb, RULE_EFFECTS)?;

        Ok(Catalog {
            classes,
            categories,
            redirects,
            features_zh: list.items.clone(),
            features_en: data.blocked.en.clone(),
            in_review_allowed: data.in_review.allowed.clone(),
            max_categories,
            review_sources,
            unset: data.unset,
            effects_quote: effects.quote.clone(),
            effects_summary: effects.summary.clone(),
            review_summary: review.summary.clone(),
        })
    }

    /// Every first-level class, in the seed's order.
    pub fn classes(&self) -> &[Class] {
        &self.classes
    }

    /// Every selectable category, in the seed's order (`business-category.scope`).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Every redirect (`business-category.redirect.*`).
    pub fn redirects(&self) -> &[Redirect] {
        &self.redirects
    }

    /// How many categories a tenant may select, read from `business-category.single`.
    pub fn max_categories(&self) -> usize {
        self.max_categories
    }

    /// What the platform reviews a choice against (`business-category.review`).
    pub fn review_sources(&self) -> &[String] {
        &self.review_sources
    }

    /// The positions (1-based) of the operations allowed while under review (`business-category.unset.in-review`).
    pub fn in_review_allowed(&self) -> &[usize] {
        &self.in_review_allowed
    }

    /// The Chinese name of a feature, as the rulebook lists it (`business-category.unset.blocked`).
    pub fn feature_zh(&self, feature: Feature) -> &str {
        self.features_zh
            .get(feature.position() - 1)
            .map_or("", String::as_str)
    }

    /// The English name of a feature.
    pub fn feature_en(&self, feature: Feature) -> &str {
        self.features_en
            .get(feature.position() - 1)
            .map_or("", String::as_str)
    }

    /// A feature by slug (`auto-deduct-enable`) or by the rulebook's Chinese name (`获客助手购买时`).
    pub fn feature(&self, name: &str) -> Result<Feature, CategoryError> {
        let name = name.trim();
        Feature::ALL
            .into_iter()
            .find(|f| f.slug() == name || self.feature_zh(*f) == name)
            .ok_or_else(|| CategoryError::UnknownFeature {
                name: name.to_string(),
                rule: RULE_UNSET_BLOCKED,
            })
    }

    /// The first-level class with this id.
    pub fn class(&self, id: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.id == id)
    }

    /// The category with this id; a class id with second levels is [`CategoryError::NotSelectable`].
    pub fn get(&self, id: &str) -> Result<&Category, CategoryError> {
        let id = id.trim();
        if let Some(c) = self.categories.iter().find(|c| c.id.as_str() == id) {
            return Ok(c);
        }
        match self.class(id) {
            Some(class) => Err(self.not_selectable(class)),
            None => Err(CategoryError::Unknown(id.to_string())),
        }
    }

    /// The category with this Chinese name: a path `文娱—游戏` (`-` also accepted), a class
    /// without second level `交通服务`, or a second-level name that is unique (`游戏`).
    pub fn by_zh(&self, name: &str) -> Result<&Category, CategoryError> {
        let q = normalise_query(name);
        if let Some(c) = self.categories.iter().find(|c| c.zh() == q) {
            return Ok(c);
        }
        if q.contains(PATH_SEP) {
            return Err(CategoryError::Unknown(name.trim().to_string()));
        }
        let matches: Vec<&Category> = self
            .categories
            .iter()
            .filter(|c| c.second_level.as_deref() == Some(q.as_str()))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => match self
                .classes
                .iter()
                .find(|c| c.zh.as_deref() == Some(q.as_str()))
            {
                Some(class) => Err(self.not_selectable(class)),
                None => Err(CategoryError::Unknown(name.trim().to_string())),
            },
            many => Err(CategoryError::Ambiguous {
                name: name.trim().to_string(),
                candidates: many
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The category named by an id or a Chinese name.
    pub fn lookup(&self, query: &str) -> Result<&Category, CategoryError> {
        match self.get(query) {
            Ok(c) => Ok(c),
            Err(CategoryError::Unknown(_)) if !query.is_ascii() => self.by_zh(query),
            Err(e) => Err(e),
        }
    }

    fn not_selectable(&self, class: &Class) -> CategoryError {
        CategoryError::NotSelectable {
            id: class.id.clone(),
            zh: class
                .zh
                .clone()
                .unwrap_or_else(|| UNLABELLED_ZH.to_string()),
            rule: RULE_SCOPE,
        }
    }

    /// Checks a submitted selection: at least one and at most the rulebook's limit (1, `business-category.single`), every one known; returns the first.
    pub fn validate_selection(&self, ids: &[&str]) -> Result<&Category, CategoryError> {
        match ids {
            [] => Err(CategoryError::NoneSelected { rule: RULE_SINGLE }),
            _ if ids.len() > self.max_categories => Err(CategoryError::TooMany {
                count: ids.len(),
                max: self.max_categories,
                rule: RULE_SINGLE,
            }),
            [first, rest @ ..] => {
                let chosen = self.lookup(first)?;
                for id in rest {
                    self.lookup(id)?;
                }
                Ok(chosen)
            }
        }
    }

    /// A tenant without a category selects one: it goes under the platform's review
    /// (`business-category.review`); a tenant that has one must change it instead
    /// (`business-category.unique`).
    pub fn select(
        &self,
        state: &CategoryState,
        category: &str,
    ) -> Result<Transition, CategoryError> {
        let chosen = self.lookup(category)?;
        if let Some(current) = state.category() {
            return Err(CategoryError::AlreadySelected {
                current: current.to_string(),
                rule: RULE_UNIQUE,
            });
        }
        Ok(Transition {
            state: CategoryState::InReview {
                category: chosen.id.clone(),
            },
            notices: vec![self.review_notice(), self.effects_notice()],
        })
    }

    /// A tenant changes its category (`business-category.change`).
    ///
    /// The seed says the platform reviews the chosen category
    /// (`business-category.review`) without distinguishing a first choice from a
    /// change; we read a change as a new choice, so the new category is under
    /// review and the in-review rule applies to it (only operations 1 and 2).
    pub fn change(
        &self,
        state: &CategoryState,
        category: &str,
    ) -> Result<Transition, CategoryError> {
        let chosen = self.lookup(category)?;
        let Some(current) = state.category() else {
            return Err(CategoryError::NothingToChange { rule: RULE_CHANGE });
        };
        if *current == chosen.id {
            return Err(CategoryError::Unchanged(current.to_string()));
        }
        let from = self.display_zh(current);
        Ok(Transition {
            state: CategoryState::InReview {
                category: chosen.id.clone(),
            },
            notices: vec![
                Explanation {
                    rule: RULE_CHANGE.into(),
                    zh: format!(
                        "经营类目由「{from}」更换为「{}」；更换后，部分功能可能会有些差异，详细变化可关注相关功能的通知",
                        chosen.zh()
                    ),
                    en: format!(
                        "business category changed from `{current}` to `{}`; some features may differ after the change, see the notices of those features",
                        chosen.id
                    ),
                },
                self.review_notice(),
            ],
        })
    }

    /// Whether the tenant must change its category because the category fitting its main
    /// offering is now `offered` (`business-category.change`); `None` when no change is needed
    /// or the tenant has no category yet.
    pub fn change_required(
        &self,
        state: &CategoryState,
        offered: &str,
    ) -> Result<Option<Explanation>, CategoryError> {
        let offered = self.lookup(offered)?;
        Ok(match state.category() {
            Some(current) if *current != offered.id => Some(Explanation {
                rule: RULE_CHANGE.into(),
                zh: format!(
                    "企业在企业微信中向客户提供的产品或服务已变化（适用「{}」），需要更换经营类目「{}」",
                    offered.zh(),
                    self.display_zh(current)
                ),
                en: format!(
                    "the products or services offered to customers have changed (they fit `{}`): business category `{current}` must be changed",
                    offered.id
                ),
            }),
            _ => None,
        })
    }

    /// Whether `feature` may be used in `state` (`business-category.unset.blocked`, `.unset.in-review`).
    pub fn feature_allowed(&self, state: &CategoryState, feature: Feature) -> Verdict {
        let zh_name = self.feature_zh(feature);
        let en_name = self.feature_en(feature);
        let n = feature.position();
        match state {
            CategoryState::Unset => Verdict {
                allowed: false,
                feature,
                rule: RULE_UNSET_BLOCKED.into(),
                zh: format!("企业没有设置经营类目，第{n}点「{zh_name}」会被拦截使用"),
                en: format!("the tenant has no business category: item {n} ({en_name}) is blocked"),
            },
            CategoryState::InReview { .. } if self.in_review_allowed.contains(&n) => Verdict {
                allowed: true,
                feature,
                rule: RULE_UNSET_IN_REVIEW.into(),
                zh: format!("已选择经营类目且在审核中，第{n}点「{zh_name}」可以正常查看"),
                en: format!(
                    "a business category is selected and under review: item {n} ({en_name}) is allowed"
                ),
            },
            CategoryState::InReview { .. } => {
                let allowed = self
                    .in_review_allowed
                    .iter()
                    .map(|i| format!("第{i}点"))
                    .collect::<Vec<_>>()
                    .join("和");
                let allowed_en = self
                    .in_review_allowed
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(" and ");
                Verdict {
                    allowed: false,
                    feature,
                    rule: RULE_UNSET_IN_REVIEW.into(),
                    zh: format!(
                        "经营类目在审核中，仅{allowed}可以正常查看，第{n}点「{zh_name}」仍被拦截"
                    ),
                    en: format!(
                        "the business category is under review: only items {allowed_en} are allowed, item {n} ({en_name}) stays blocked"
                    ),
                }
            }
            CategoryState::Approved { .. } => Verdict {
                allowed: true,
                feature,
                rule: RULE_UNSET_BLOCKED.into(),
                zh: format!("企业已设置经营类目，第{n}点「{zh_name}」不再拦截"),
                en: format!(
                    "the tenant has a business category: item {n} ({en_name}) is not blocked"
                ),
            },
        }
    }

    /// What the tenant's category shows as (`business-category.unset` without one;
    /// `business-category.definition` with one).
    ///
    /// The seed does not say what is shown while a category is under review; we
    /// show the selected category, flagged `in_review`.
    pub fn label(&self, state: &CategoryState) -> Result<Label, CategoryError> {
        match state {
            CategoryState::Unset => Ok(Label {
                rule: self.unset.rule.clone(),
                zh: self.unset.label.clone(),
                en: self.unset.label_en.clone(),
                question_mark: true,
                profile_incomplete: true,
                in_review: false,
            }),
            CategoryState::InReview { category } | CategoryState::Approved { category } => {
                let c = self.get(category.as_str())?;
                Ok(Label {
                    rule: RULE_DEFINITION.into(),
                    zh: c.zh(),
                    en: c.en_path(),
                    question_mark: false,
                    profile_incomplete: false,
                    in_review: matches!(state, CategoryState::InReview { .. }),
                })
            }
        }
    }

    /// The words the external profile shows without a category (`企业未完善`, `business-category.unset`).
    pub fn incomplete_profile_text(&self) -> (&str, &str) {
        (&self.unset.profile, &self.unset.profile_en)
    }

    /// The redirect for a business slug (`online-game`, `game-top-up`, `medical-beauty`, …).
    pub fn redirect(&self, business: &str) -> Result<&Redirect, CategoryError> {
        self.redirects
            .iter()
            .find(|r| r.business == business.trim())
            .ok_or_else(|| CategoryError::UnknownBusiness(business.trim().to_string()))
    }

    /// The redirects a choice violates, given what the business does (`business-category.redirect.*`).
    ///
    /// Each redirect binds its business whatever category it picked (the seed
    /// writes 请选择 X with no condition on the current choice), not only when it
    /// picked the category whose scope carries the 注意.
    pub fn redirect_findings(
        &self,
        chosen: &str,
        businesses: &[&str],
    ) -> Result<Vec<Explanation>, CategoryError> {
        let chosen = self.lookup(chosen)?;
        let mut out = Vec::new();
        for b in businesses {
            let r = self.redirect(b)?;
            if r.target != chosen.id {
                let target = self.display_zh(&r.target);
                out.push(Explanation {
                    rule: r.rule.clone(),
                    zh: format!("{}的企业请选择「{target}」，而非「{}」", r.zh, chosen.zh()),
                    en: format!(
                        "a business {} must choose `{}`, not `{}`",
                        r.en, r.target, chosen.id
                    ),
                });
            }
        }
        Ok(out)
    }

    fn display_zh(&self, id: &CategoryId) -> String {
        self.get(id.as_str())
            .map_or_else(|_| id.to_string(), Category::zh)
    }

    fn review_notice(&self) -> Explanation {
        Explanation {
            rule: RULE_REVIEW.into(),
            zh: format!(
                "平台将根据{}等信息综合判断并审核",
                self.review_sources.join("、")
            ),
            en: self.review_summary.clone(),
        }
    }

    fn effects_notice(&self) -> Explanation {
        Explanation {
            rule: RULE_EFFECTS.into(),
            zh: self.effects_quote.clone(),
            en: self.effects_summary.clone(),
        }
    }
}

/// Builds classes and categories, checking every row against the rulebook table.
fn taxonomy(rb: &Rulebook, data: &DataFile) -> Result<(Vec<Class>, Vec<Category>), CategoryError> {
    let r = rule(rb, &data.taxonomy.rule)?;
    let table = r
        .tables
        .iter()
        .find(|t| t.name == data.taxonomy.table)
        .ok_or_else(|| {
            data_err(format!(
                "规则 `{}` 没有表 `{}` rule has no table",
                data.taxonomy.rule, data.taxonomy.table
            ))
        })?;
    let mut rows = table.rows.iter().enumerate();
    let mut classes = Vec::new();
    let mut categories: Vec<Category> = Vec::new();
    let mut class_ids = HashSet::new();
    for cd in &data.classes {
        if !is_slug(&cd.id) || cd.id.contains('.') || !class_ids.insert(cd.id.as_str()) {
            return Err(data_err(format!(
                "一级类目 id 无效或重复 class id `{}` is not a unique slug",
                cd.id
            )));
        }
        // (second-level name or None for —, id, English name) in order.
        let subs: Vec<(Option<&str>, String, &str)> = if cd.categories.is_empty() {
            vec![(None, cd.id.clone(), cd.en.as_str())]
        } else {
            cd.categories
                .iter()
                .map(|s| {
                    (
                        Some(s.zh.as_str()),
                        format!("{}.{}", cd.id, s.id),
                        s.en.as_str(),
                    )
                })
                .collect()
        };
        let mut labels = 0;
        let mut ids = Vec::new();
        for (second, id, en) in subs {
            let (i, row) = rows.next().ok_or_else(|| {
                data_err(format!(
                    "数据比规则库表格多 `{id}`: more rows in the data than in the rulebook table"
                ))
            })?;
            let (Some(first_cell), Some(second_cell), Some(scope)) = (
                cell_text(row.first()),
                cell_text(row.get(1)),
                cell_text(row.get(2)),
            ) else {
                return Err(data_err(format!(
                    "表格第{}行不是三个文本 row {} is not three texts",
                    i + 1,
                    i + 1
                )));
            };
            let expected_second = second.unwrap_or("—");
            if second_cell != expected_second {
                return Err(data_err(format!(
                    "第{}行二级类目不符 row {}: rulebook `{second_cell}`, data `{expected_second}` ({id})",
                    i + 1,
                    i + 1
                )));
            }
            if !first_cell.is_empty() {
                if Some(first_cell) != cd.zh.as_deref() {
                    return Err(data_err(format!(
                        "第{}行一级类目不符 row {}: rulebook label `{first_cell}` in class `{}`",
                        i + 1,
                        i + 1,
                        cd.id
                    )));
                }
                labels += 1;
            }
            if !is_slug(&id) || categories.iter().any(|c| c.id.as_str() == id) {
                return Err(data_err(format!(
                    "类目 id 无效或重复 category id `{id}` is not a unique slug"
                )));
            }
            let id = CategoryId(id);
            ids.push(id.clone());
            categories.push(Category {
                id,
                class: cd.id.clone(),
                first_level: cd.zh.clone(),
                second_level: second.map(str::to_string),
                en: en.to_string(),
                class_en: cd.en.clone(),
                scope: scope.to_string(),
            });
        }
        let want = usize::from(cd.zh.is_some());
        if labels != want {
            return Err(data_err(format!(
                "一级类目 `{}` 在规则库表格中出现 {labels} 次 class label appears {labels} times, expected {want}",
                cd.id
            )));
        }
        classes.push(Class {
            id: cd.id.clone(),
            zh: cd.zh.clone(),
            en: cd.en.clone(),
            note: cd.note.clone(),
            categories: ids,
        });
    }
    if let Some((i, _)) = rows.next() {
        return Err(data_err(format!(
            "规则库表格第{}行起没有对应数据 rulebook rows from {} have no data",
            i + 1,
            i + 1
        )));
    }
    Ok((classes, categories))
}

fn redirects(
    rb: &Rulebook,
    data: &[RedirectData],
    categories: &[Category],
) -> Result<Vec<Redirect>, CategoryError> {
    let find = |id: &str| {
        categories
            .iter()
            .find(|c| c.id.as_str() == id)
            .ok_or_else(|| {
                data_err(format!(
                    "未知的经营类目 unknown category `{id}` in a redirect"
                ))
            })
    };
    let mut out: Vec<Redirect> = Vec::new();
    for d in data {
        let r = rule(rb, &d.rule)?;
        let noted = find(&d.noted_under)?;
        let target = find(&d.target)?;
        let target_path = format!("「{}」", target.zh());
        if !noted.scope.contains(&r.quote)
            || !r.quote.contains(&target_path)
            || !r.quote.contains(&d.zh)
        {
            return Err(data_err(format!(
                "跳转与规则原文不符 redirect `{}` disagrees with its quote, the scope of `{}` or the target {target_path}",
                d.rule, d.noted_under
            )));
        }
        if !is_slug(&d.business) || out.iter().any(|o| o.business == d.business) {
            return Err(data_err(format!(
                "业务 slug 无效或重复 business `{}` is not a unique slug",
                d.business
            )));
        }
        out.push(Redirect {
            rule: d.rule.clone(),
            business: d.business.clone(),
            zh: d.zh.clone(),
            en: d.en.clone(),
            noted_under: noted.id.clone(),
            target: target.id.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("it-internet.other"));
        assert!(is_slug("transport"));
        assert!(!is_slug("IT"));
        assert!(!is_slug("a..b"));
        assert!(!is_slug(""));
    }

    #[test]
    fn dash_variants_fold_to_the_seed_separator() {
        assert_eq!(normalise_query(" 文娱 - 游戏 "), "文娱—游戏");
        assert_eq!(normalise_query("文娱－游戏"), "文娱—游戏");
    }
}
