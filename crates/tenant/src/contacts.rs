//! The external-contact quota (外部联系人规模) of a tenant: how many customers
//! it serves, how many it may serve, and what a larger quota costs
//! (`wecom-admin/external-contacts.*`, seed 003, the 外部联系人规模 articles).
//!
//! # The model
//!
//! A [`ContactBook`] holds, for each customer, the members who hold it as a
//! friend and the tenant group chats it is in. A customer is *counted*
//! (已服务) while at least one member holds it or it is in at least one
//! group: the billed figure is the deduplicated total of customers added as
//! friends by members plus customers in group chats who are not friends
//! (`external-contacts.counting`); the same customer added by several
//! members, or in several groups, counts once (`external-contacts.dedup`).
//! The running count is kept up to date by every operation, so
//! [`ContactBook::count`] is O(1).
//!
//! Releasing a slot (`external-contacts.release`,
//! `external-contacts.release.all`):
//!
//! * a member's own deletion of the customer ([`ContactBook::member_deletes`])
//!   removes that member's hold;
//! * the customer deleting the member one-way
//!   ([`ContactBook::customer_deletes_member`]) removes nothing: the hold is
//!   remembered as one-way and still counts;
//! * a member leaving the tenant ([`ContactBook::member_left`]) removes
//!   nothing: every customer the member holds stays counted;
//! * the customer leaving a group ([`ContactBook::leave_group`]) or the tenant
//!   dissolving it ([`ContactBook::dissolve_group`]) removes that group;
//! * the slot is released only when no member holds the customer *and* it
//!   is in no group any more: in the seed's example, customer A added by
//!   members B and C and in groups D and F is released only once B and C
//!   have both deleted A and A has left D and F (or they were dissolved).
//!
//! # Capacity
//!
//! [`ContactBook::capacity`] is the number of customers that may be counted
//! at a moment: the free quota (`external-contacts.free-quota`, threshold
//! `free-quota`), or the tier of the plan in force (`external-contacts.tiers`,
//! table `tiers`), capped for an unverified tenant by
//! `external-contacts.unverified-limit` (threshold `unverified-customers`).
//! Only a customer that is not yet counted needs a slot; adding a member's
//! hold or a group to a counted customer never does (`external-contacts.dedup`).
//! No operation ever removes a counted customer because capacity fell: a plan
//! past its expiry stops counting, capacity falls back to the free quota,
//! the customers already counted stay counted, and new ones are refused while
//! the count is at or above the limit.
//!
//! # Plans and prices
//!
//! [`ContactBook::quote`] prices a tier: a new purchase costs the tier's
//! yearly price and lasts the validity (`external-contacts.tiers`, threshold
//! `validity`, 1 year of `days-per-year` days); while a lower tier is in force,
//! an upgrade costs the rulebook formula `upgrade-price` of
//! `external-contacts.proration` with x = the current tier's yearly price,
//! y = the new tier's, n = the whole days used of the current order, rounded
//! half away from zero to the fen. [`ContactBook::commit`] applies a quote
//! after re-checking that it is still current, so the caller can debit the
//! balance in between.
//!
//! Every figure (2000, 100, the tiers, 1 year, 365 days, the formula) is read
//! from the rulebook by [`QuotaLimits::from_rulebook`]; none is a constant of
//! this module.
//!
//! # Logging and replay
//!
//! Every operation has a [`ContactCommand`]; [`ContactBook::apply`] runs one
//! and [`ContactBook::replay`] rebuilds a book from a log. The book itself
//! also serialises (limits, plans, orders and a snapshot of the roster keyed
//! by the caller's ids); deserialising validates the snapshot and rebuilds the
//! indices and the count.
//!
//! # Choices the seed leaves open
//!
//! 1. **A plan replaces the free quota, it does not add to it.** The purchase
//!    screen offers totals (5000位, 2万位 …) against 当前已有 X 位客户, so a
//!    5000 plan allows 5000 customers, not 7000.
//! 2. **Verification caps every quota.** An unverified tenant is limited to
//!    `min(unverified-customers, quota)` even with a plan; buying a plan
//!    while unverified is allowed (the seed does not forbid it).
//! 3. **Departed members.** A member who left keeps every hold (the seed: 离职
//!    does not release). What can later release them is a deletion on the
//!    departed member's behalf through [`ContactBook::member_deletes`]
//!    (an admin cleaning up, or after 离职继承); this is
//!    [`QuotaOptions::departed_deletable`] (default on). A departed member
//!    cannot add customers, and a member id is never reused.
//! 4. **One-way deletions.** After the customer deleted a member, the hold
//!    is remembered as one-way and still counts; the member may later delete
//!    the customer (which releases the hold, it is the member's own deletion)
//!    or add the customer again (which restores the friendship and takes no
//!    new slot).
//! 5. **Groups.** A dissolved group cannot be joined again; dissolving a group
//!    this book has never seen records it as dissolved.
//! 6. **Days and years.** A day is 86,400 s. n, the days used, is the number
//!    of whole days elapsed since the current order's effective time (floor),
//!    or, with [`DayCount::CalendarDates`], the difference of calendar dates
//!    in a given UTC offset (the seed's 当前日期 − 生效日期). A year of
//!    validity is `days-per-year` days (365), not a calendar year.
//! 7. **Upgrades continue the current term.** The formula charges only the
//!    days left of the current order (365 − n), so the upgraded order keeps
//!    the current order's effective date and expiry; a second upgrade in the
//!    same term therefore counts n from the term's start and again charges
//!    only what is left. [`Plan::since`] records when the tier took effect.
//! 8. **Only upgrades are priced.** While a plan is in force a tier at or
//!    below it (renewal, downgrade) is refused: the seed prices only 增购 to
//!    a 更高档位. Once the plan has expired any tier may be bought anew.
//! 9. **Only the table's tiers.** An amount that is not a row of `tiers` is
//!    refused with the valid tiers listed, not rounded up; an amount beyond
//!    the largest row is the unpriced 更大规模 option (list
//!    `unpriced-options`) and is refused.
//! 10. **Quotes go stale.** A quote may be committed only while the plan in
//!     force is the one it was priced against, the day count is the same and
//!     the price is unchanged.
//! 11. **Permission.** Who may add external contacts
//!     (`external-contacts.permission`) is decided by the tenant's permission
//!     checks; this book enforces its own grants only when
//!     [`QuotaOptions::enforce_permission`] is set (default off).
//! 12. **Time.** Quotes and commits refuse a time before the moment the plan
//!     in force took effect.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use bylaw_rulebook::{Cell, Expr, Rule, Rulebook, Threshold, Unit};
use serde::{Deserialize, Serialize};

use crate::ledger::format_time;
use crate::money::Fen;

/// `wecom-admin/external-contacts.free-quota`: 2000 external contacts free of charge.
pub const RULE_FREE_QUOTA: &str = "wecom-admin/external-contacts.free-quota";
/// `wecom-admin/external-contacts.unverified-limit`: at most 100 customers before verification.
pub const RULE_UNVERIFIED: &str = "wecom-admin/external-contacts.unverified-limit";
/// `wecom-admin/external-contacts.dedup`: the same customer counts once.
pub const RULE_DEDUP: &str = "wecom-admin/external-contacts.dedup";
/// `wecom-admin/external-contacts.permission`: members need the add-external-contacts permission.
pub const RULE_PERMISSION: &str = "wecom-admin/external-contacts.permission";
/// `wecom-admin/external-contacts.counting`: friends plus non-friend group customers, deduplicated.
pub const RULE_COUNTING: &str = "wecom-admin/external-contacts.counting";
/// `wecom-admin/external-contacts.release`: only a member's own deletion releases.
pub const RULE_RELEASE: &str = "wecom-admin/external-contacts.release";
/// `wecom-admin/external-contacts.release.all`: released only when every member deleted it and it left every group.
pub const RULE_RELEASE_ALL: &str = "wecom-admin/external-contacts.release.all";
/// `wecom-admin/external-contacts.tiers`: yearly price tiers, valid 1 year.
pub const RULE_TIERS: &str = "wecom-admin/external-contacts.tiers";
/// `wecom-admin/external-contacts.proration`: the upgrade price formula.
pub const RULE_PRORATION: &str = "wecom-admin/external-contacts.proration";

/// Every rule id this module implements.
pub const RULES: [&str; 9] = [
    RULE_FREE_QUOTA,
    RULE_UNVERIFIED,
    RULE_DEDUP,
    RULE_PERMISSION,
    RULE_COUNTING,
    RULE_RELEASE,
    RULE_RELEASE_ALL,
    RULE_TIERS,
    RULE_PRORATION,
];

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The variables of the `upgrade-price` formula (`external-contacts.proration`).
const FORMULA_VARS: [&str; 3] = ["x", "y", "n"];

/// Why a quota operation failed; messages are Chinese first, then English,
/// with the rule id. A failed operation leaves the book unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    /// A figure, table or formula is missing from the rulebook or malformed.
    #[error("规则库中外部联系人规模的数据缺失或无效：{what} the rulebook's external-contact data is missing or invalid: {what} ({rule})")]
    Rulebook {
        /// The rule that should hold it.
        rule: &'static str,
        /// What is wrong.
        what: String,
    },
    /// A new customer would exceed the capacity.
    #[error("外部联系人规模已满：已服务 {counted} 位，上限 {limit} 位（{zh}），不能再添加新客户 external-contact quota full: {counted} counted, limit {limit} ({en}); no new customer can be added ({rule})")]
    Full {
        /// Customers counted now.
        counted: u64,
        /// The capacity now.
        limit: u64,
        /// The rule that sets the limit (free quota, unverified limit or tiers).
        rule: &'static str,
        /// Where the limit comes from, in Chinese.
        zh: String,
        /// Where the limit comes from, in English.
        en: String,
    },
    /// An id is empty.
    #[error("{what}标识为空 empty {what} id")]
    EmptyId {
        /// Which id (`member`, `customer`, `group`, `order`).
        what: &'static str,
    },
    /// The member has not been granted the permission (only with [`QuotaOptions::enforce_permission`]).
    #[error("成员 `{member}` 未配置添加外部联系人权限 member `{member}` has not been granted the add-external-contacts permission ({rule})")]
    NoPermission {
        /// The member.
        member: String,
        /// `external-contacts.permission`.
        rule: &'static str,
    },
    /// The member has left the tenant.
    #[error("成员 `{member}` 已离职（已从通讯录删除），不能再{zh} member `{member}` has left the tenant and cannot {en} ({rule})")]
    MemberDeparted {
        /// The member.
        member: String,
        /// What was attempted, in Chinese.
        zh: &'static str,
        /// What was attempted, in English.
        en: &'static str,
        /// `external-contacts.release`.
        rule: &'static str,
    },
    /// The member does not hold the customer as a friend.
    #[error("成员 `{member}` 的好友中没有客户 `{customer}` member `{member}` does not hold customer `{customer}` ({rule})")]
    NotHeld {
        /// The member.
        member: String,
        /// The customer.
        customer: String,
        /// `external-contacts.release`.
        rule: &'static str,
    },
    /// The customer is not in the group.
    #[error("客户 `{customer}` 不在群 `{group}` 中 customer `{customer}` is not in group `{group}` ({rule})")]
    NotInGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
        /// `external-contacts.release.all`.
        rule: &'static str,
    },
    /// The group was dissolved.
    #[error("群 `{group}` 已解散 group `{group}` has been dissolved ({rule})")]
    GroupDissolved {
        /// The group.
        group: String,
        /// `external-contacts.release.all`.
        rule: &'static str,
    },
    /// The amount is not a tier of the table.
    #[error("没有 {asked} 位的外部联系人规模档位，可选：{valid} no external-contact tier of {asked}; the tiers are {valid} ({rule})")]
    UnknownTier {
        /// The amount asked for.
        asked: u64,
        /// The valid tiers, comma-separated.
        valid: String,
        /// `external-contacts.tiers`.
        rule: &'static str,
    },
    /// The amount is beyond the largest priced tier.
    #[error("{asked} 位超过最大的定价档位 {largest} 位，属于未定价的「{options}」选项 {asked} exceeds the largest priced tier {largest}; it falls under the unpriced option(s) {options} ({rule})")]
    BeyondTiers {
        /// The amount asked for.
        asked: u64,
        /// The largest priced tier.
        largest: u64,
        /// The unpriced options (更大规模).
        options: String,
        /// `external-contacts.tiers`.
        rule: &'static str,
    },
    /// A tier at or below the plan in force was asked for.
    #[error("当前订单 `{order_id}` 的 {active} 位规模仍在有效期内（至 {expires}），只能增购更高档位，不能购买 {asked} 位 the plan of order `{order_id}` ({active} contacts, until {expires}) is in force; only a higher tier can be bought, not {asked} ({rule})")]
    NotAnUpgrade {
        /// The amount asked for.
        asked: u64,
        /// The tier in force.
        active: u64,
        /// Its order.
        order_id: String,
        /// When it expires (unix seconds).
        expires: i64,
        /// `external-contacts.proration`.
        rule: &'static str,
    },
    /// The quote no longer matches the book.
    #[error("报价已失效：{zh} the quote is stale: {en} ({rule})")]
    StaleQuote {
        /// What changed, in Chinese.
        zh: String,
        /// What changed, in English.
        en: String,
        /// The rule the quote was priced under.
        rule: &'static str,
    },
    /// An order with this id was already committed.
    #[error("订单 `{order_id}` 已存在 order `{order_id}` already exists")]
    DuplicateOrder {
        /// The order id.
        order_id: String,
    },
    /// The time is before the plan in force took effect.
    #[error("时间 {at} 早于当前订单 `{order_id}` 的生效时间 {since} time {at} is before order `{order_id}` took effect at {since}")]
    ClockBehind {
        /// The time given.
        at: i64,
        /// When the plan in force took effect.
        since: i64,
        /// Its order.
        order_id: String,
    },
    /// A time is out of range.
    #[error("时间 {at} 超出范围 time {at} is out of range")]
    Time {
        /// The time given.
        at: i64,
    },
    /// The price formula could not be evaluated.
    #[error(
        "增购价格公式无法计算：{message} the upgrade price formula failed: {message} ({rule})"
    )]
    Formula {
        /// `external-contacts.proration`.
        rule: &'static str,
        /// Why.
        message: String,
    },
    /// A serialised book is inconsistent.
    #[error("外部联系人快照无效：{what} invalid external-contact snapshot: {what}")]
    Snapshot {
        /// What is wrong.
        what: String,
    },
}

/// One priced row of `tiers` (`external-contacts.tiers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// External contacts the tier allows (column `contacts`).
    pub contacts: u64,
    /// Yearly price (column `price`, yuan per year, in fen).
    pub price: Fen,
}

/// How n, the days used of the current order, is counted (`external-contacts.proration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum DayCount {
    /// Whole days elapsed since the effective time (floor of seconds / 86,400).
    #[default]
    Elapsed,
    /// Difference of calendar dates at this UTC offset (28,800 for Beijing time).
    CalendarDates {
        /// Seconds east of UTC.
        utc_offset_s: i64,
    },
}

/// Choices the seed leaves open, each configurable (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaOptions {
    /// How the days used are counted (default: whole days elapsed).
    pub days_used: DayCount,
    /// Whether the book enforces its own add-external-contacts grants (default off).
    pub enforce_permission: bool,
    /// Whether a departed member's holds may be deleted on its behalf (default on).
    pub departed_deletable: bool,
}

impl Default for QuotaOptions {
    fn default() -> Self {
        QuotaOptions {
            days_used: DayCount::Elapsed,
            enforce_permission: false,
            departed_deletable: true,
        }
    }
}

/// Every figure of `external-contacts.*`, read from the rulebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LimitsData", into = "LimitsData")]
pub struct QuotaLimits {
    /// Free quota (`external-contacts.free-quota`, threshold `free-quota`).
    pub free_quota: u64,
    /// Cap before verification (`external-contacts.unverified-limit`, threshold `unverified-customers`).
    pub unverified_cap: u64,
    /// Priced tiers, ascending (`external-contacts.tiers`, table `tiers`).
    pub tiers: Vec<Tier>,
    /// Options without a price (`external-contacts.tiers`, list `unpriced-options`).
    pub unpriced_options: Vec<String>,
    /// Validity of an order in days (threshold `validity` × `days-per-year`).
    pub validity_days: i64,
    /// Days of a year (`external-contacts.proration`, threshold `days-per-year`).
    pub days_per_year: i64,
    /// The `upgrade-price` expression as the rulebook writes it.
    pub upgrade_expression: String,
    /// The compiled `upgrade-price` expression (kept in step with `upgrade_expression`).
    pub upgrade_price: Expr,
    /// Choices the seed leaves open.
    pub options: QuotaOptions,
}

/// The serialised form of [`QuotaLimits`] (the formula as text).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LimitsData {
    free_quota: u64,
    unverified_cap: u64,
    tiers: Vec<Tier>,
    #[serde(default)]
    unpriced_options: Vec<String>,
    validity_days: i64,
    days_per_year: i64,
    upgrade_expression: String,
    #[serde(default)]
    options: QuotaOptions,
}

impl From<QuotaLimits> for LimitsData {
    fn from(l: QuotaLimits) -> Self {
        LimitsData {
            free_quota: l.free_quota,
            unverified_cap: l.unverified_cap,
            tiers: l.tiers,
            unpriced_options: l.unpriced_options,
            validity_days: l.validity_days,
            days_per_year: l.days_per_year,
            upgrade_expression: l.upgrade_expression,
            options: l.options,
        }
    }
}

impl TryFrom<LimitsData> for QuotaLimits {
    type Error = QuotaError;

    fn try_from(d: LimitsData) -> Result<Self, QuotaError> {
        let upgrade_price = compile(&d.upgrade_expression)?;
        let mut tiers = d.tiers;
        tiers.sort_by_key(|t| t.contacts);
        check_tiers(&tiers)?;
        if d.validity_days <= 0 || d.days_per_year <= 0 {
            return Err(bad(
                RULE_TIERS,
                "validity and days-per-year must be positive",
            ));
        }
        Ok(QuotaLimits {
            free_quota: d.free_quota,
            unverified_cap: d.unverified_cap,
            tiers,
            unpriced_options: d.unpriced_options,
            validity_days: d.validity_days,
            days_per_year: d.days_per_year,
            upgrade_expression: d.upgrade_expression,
            upgrade_price,
            options: d.options,
        })
    }
}

fn bad(rule: &'static str, what: impl Into<String>) -> QuotaError {
    QuotaError::Rulebook {
        rule,
        what: what.into(),
    }
}

/// Parses the upgrade formula and checks it uses only x, y and n.
fn compile(expression: &str) -> Result<Expr, QuotaError> {
    let e =
        Expr::parse(expression).map_err(|e| bad(RULE_PRORATION, format!("upgrade-price: {e}")))?;
    check_formula_vars(&e)?;
    Ok(e)
}

fn check_formula_vars(e: &Expr) -> Result<(), QuotaError> {
    if let Some(v) = e
        .variables()
        .into_iter()
        .find(|v| !FORMULA_VARS.contains(&v.as_str()))
    {
        return Err(bad(
            RULE_PRORATION,
            format!("upgrade-price uses unknown variable `{v}` (expected x, y, n)"),
        ));
    }
    Ok(())
}

fn check_tiers(tiers: &[Tier]) -> Result<(), QuotaError> {
    if tiers.is_empty() {
        return Err(bad(RULE_TIERS, "table `tiers` has no rows"));
    }
    for w in tiers.windows(2) {
        if let [a, b] = w {
            if a.contacts == b.contacts {
                return Err(bad(
                    RULE_TIERS,
                    format!("tier {} appears twice", a.contacts),
                ));
            }
            if b.price <= a.price {
                return Err(bad(
                    RULE_TIERS,
                    format!("tier {} is not dearer than tier {}", b.contacts, a.contacts),
                ));
            }
        }
    }
    if tiers
        .iter()
        .any(|t| t.price <= Fen::ZERO || t.contacts == 0)
    {
        return Err(bad(RULE_TIERS, "every tier needs contacts and a price > 0"));
    }
    Ok(())
}

/// A whole, non-negative figure of a threshold.
fn whole(
    rule: &'static str,
    name: &str,
    n: Option<bylaw_rulebook::Num>,
) -> Result<u64, QuotaError> {
    let n = n.ok_or_else(|| bad(rule, format!("threshold `{name}` has no figure")))?;
    n.as_i64()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| {
            bad(
                rule,
                format!("threshold `{name}` is not a whole number ≥ 0: {n}"),
            )
        })
}

fn threshold<'a>(r: &'a Rule, rule: &'static str, name: &str) -> Result<&'a Threshold, QuotaError> {
    r.threshold(name, None)
        .ok_or_else(|| bad(rule, format!("no threshold `{name}` in force")))
}

fn number(rule: &'static str, c: Option<&Cell>, what: &str) -> Result<f64, QuotaError> {
    match c {
        Some(Cell::Number(n)) => Ok(n.get()),
        _ => Err(bad(rule, format!("{what} is not a number"))),
    }
}

impl QuotaLimits {
    /// Reads every figure from `external-contacts.*` of the rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<QuotaLimits, QuotaError> {
        let get = |id: &'static str| rb.rule(id).ok_or_else(|| bad(id, "rule missing"));
        let free_quota = whole(
            RULE_FREE_QUOTA,
            "free-quota",
            threshold(get(RULE_FREE_QUOTA)?, RULE_FREE_QUOTA, "free-quota")?.value,
        )?;
        let unverified_cap = whole(
            RULE_UNVERIFIED,
            "unverified-customers",
            threshold(
                get(RULE_UNVERIFIED)?,
                RULE_UNVERIFIED,
                "unverified-customers",
            )?
            .max,
        )?;

        let pro = get(RULE_PRORATION)?;
        let dpy = whole(
            RULE_PRORATION,
            "days-per-year",
            threshold(pro, RULE_PRORATION, "days-per-year")?.value,
        )?;
        let days_per_year = i64::try_from(dpy)
            .ok()
            .filter(|d| *d > 0)
            .ok_or_else(|| bad(RULE_PRORATION, "days-per-year must be positive"))?;
        let formula = pro
            .formula("upgrade-price")
            .ok_or_else(|| bad(RULE_PRORATION, "no formula `upgrade-price`"))?;
        let upgrade_price = match &formula.compiled {
            Some(e) => {
                check_formula_vars(e)?;
                e.clone()
            }
            None => compile(&formula.expression)?,
        };

        let t = get(RULE_TIERS)?;
        let validity = threshold(t, RULE_TIERS, "validity")?;
        let v = whole(RULE_TIERS, "validity", validity.value)?;
        let v = i64::try_from(v).map_err(|_| bad(RULE_TIERS, "validity out of range"))?;
        let validity_days = match validity.unit {
            Unit::Years => v.checked_mul(days_per_year),
            Unit::Days => Some(v),
            other => {
                return Err(bad(
                    RULE_TIERS,
                    format!("validity unit {other:?} is not years or days"),
                ))
            }
        }
        .filter(|d| *d > 0)
        .ok_or_else(|| bad(RULE_TIERS, "validity must be positive"))?;

        let table = t
            .tables
            .iter()
            .find(|tb| tb.name == "tiers")
            .ok_or_else(|| bad(RULE_TIERS, "no table `tiers`"))?;
        let col = |name: &str| {
            table
                .columns
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| bad(RULE_TIERS, format!("table `tiers` has no column `{name}`")))
        };
        let (ci, pi) = (col("contacts")?, col("price")?);
        if let Some(u) = table.columns.get(pi).and_then(|c| c.unit) {
            if u != Unit::YuanPerYear && u != Unit::Yuan {
                return Err(bad(
                    RULE_TIERS,
                    format!("price column unit {u:?} is not yuan"),
                ));
            }
        }
        let mut tiers = Vec::with_capacity(table.rows.len());
        for (i, row) in table.rows.iter().enumerate() {
            let contacts = number(RULE_TIERS, row.get(ci), &format!("row {i} contacts"))?;
            let price = number(RULE_TIERS, row.get(pi), &format!("row {i} price"))?;
            let contacts = bylaw_rulebook::Num(contacts)
                .as_i64()
                .and_then(|c| u64::try_from(c).ok())
                .ok_or_else(|| bad(RULE_TIERS, format!("row {i}: contacts not whole")))?;
            let price = Fen::from_yuan_f64(price)
                .ok_or_else(|| bad(RULE_TIERS, format!("row {i}: price out of range")))?;
            tiers.push(Tier { contacts, price });
        }
        tiers.sort_by_key(|t| t.contacts);
        check_tiers(&tiers)?;
        let unpriced_options = t
            .list("unpriced-options")
            .map(|l| l.items.clone())
            .unwrap_or_default();

        Ok(QuotaLimits {
            free_quota,
            unverified_cap,
            tiers,
            unpriced_options,
            validity_days,
            days_per_year,
            upgrade_expression: formula.expression.clone(),
            upgrade_price,
            options: QuotaOptions::default(),
        })
    }

    /// The same limits with other options.
    pub fn with_options(mut self, options: QuotaOptions) -> QuotaLimits {
        self.options = options;
        self
    }

    /// The tier of exactly this many contacts.
    pub fn tier(&self, contacts: u64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.contacts == contacts)
    }

    /// The validity of an order in seconds.
    pub fn validity_s(&self) -> Option<i64> {
        self.validity_days.checked_mul(DAY)
    }

    /// Whole days used from `effective` to `at` under [`QuotaOptions::days_used`].
    pub fn days_used(&self, effective: i64, at: i64) -> i64 {
        match self.options.days_used {
            DayCount::Elapsed => at.saturating_sub(effective).div_euclid(DAY),
            DayCount::CalendarDates { utc_offset_s } => {
                let day = |t: i64| t.saturating_add(utc_offset_s).div_euclid(DAY);
                day(at).saturating_sub(day(effective))
            }
        }
    }
}

/// The quota that applies at a moment, and the rule it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capacity {
    /// How many customers may be counted.
    pub limit: u64,
    /// The rule that sets it.
    pub rule: &'static str,
    /// Where it comes from, in Chinese.
    pub zh: String,
    /// Where it comes from, in English.
    pub en: String,
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {} ({})",
            self.limit, self.rule, self.zh, self.en
        )
    }
}

/// A purchased quota in force (`external-contacts.tiers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The order that set it.
    pub order_id: String,
    /// The tier's contacts.
    pub contacts: u64,
    /// The tier's yearly price.
    pub yearly_price: Fen,
    /// The order's effective time (生效日期), from which n is counted; an upgrade keeps the term's.
    pub effective: i64,
    /// When this tier took effect (the purchase or the upgrade).
    pub since: i64,
    /// When it stops counting (exclusive).
    pub expires: i64,
}

impl Plan {
    /// Whether the plan counts at `at` (`since ≤ at < expires`).
    pub fn active_at(&self, at: i64) -> bool {
        self.since <= at && at < self.expires
    }
}

/// A new purchase or an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteKind {
    /// A new order at the tier's yearly price (`external-contacts.tiers`).
    Purchase,
    /// An upgrade priced by the formula (`external-contacts.proration`).
    Upgrade,
}

/// The order an upgrade is priced against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeBasis {
    /// The current order.
    pub order_id: String,
    /// Its tier's contacts.
    pub contacts: u64,
    /// x: its yearly price.
    pub yearly_price: Fen,
    /// Its effective time.
    pub effective: i64,
    /// n: whole days used.
    pub days_used: i64,
}

/// A priced order, ready to be paid and committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Purchase or upgrade.
    pub kind: QuoteKind,
    /// The tier's contacts.
    pub contacts: u64,
    /// y: the tier's yearly price.
    pub yearly_price: Fen,
    /// The amount to pay.
    pub price: Fen,
    /// When it was priced.
    pub at: i64,
    /// The order's effective time (the quote time for a purchase, the term's for an upgrade).
    pub effective: i64,
    /// When the order would expire.
    pub expires: i64,
    /// For an upgrade, the order it replaces.
    pub upgrade: Option<UpgradeBasis>,
    /// The rules applied.
    pub rules: Vec<String>,
    /// How the price was reached, in Chinese.
    pub zh: String,
    /// How the price was reached, in English.
    pub en: String,
}

/// A committed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The order id.
    pub order_id: String,
    /// Purchase or upgrade.
    pub kind: QuoteKind,
    /// The plan it put in force.
    pub plan: Plan,
    /// What was paid.
    pub paid: Fen,
    /// For an upgrade, the order it replaced.
    pub replaces: Option<String>,
    /// When it was committed.
    pub at: i64,
}

/// What adding a friend or a group membership did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AddOutcome {
    /// Whether the customer took a new slot.
    pub new_slot: bool,
    /// Whether the friendship or membership already existed.
    pub existed: bool,
    /// Customers counted after the operation.
    pub count: u64,
    /// The capacity at the time.
    pub limit: u64,
    /// `external-contacts.counting` for a new slot, `external-contacts.dedup` otherwise.
    pub rule: &'static str,
}

impl AddOutcome {
    /// What happened, in Chinese.
    pub fn zh(&self) -> String {
        if self.new_slot {
            format!(
                "新客户占用 1 个名额：已服务 {}/{} 位",
                self.count, self.limit
            )
        } else {
            format!(
                "该客户已计入外部联系人规模，自动去重，不重复计算：已服务 {}/{} 位",
                self.count, self.limit
            )
        }
    }

    /// What happened, in English.
    pub fn en(&self) -> String {
        if self.new_slot {
            format!(
                "a new customer takes a slot: {} of {} counted",
                self.count, self.limit
            )
        } else {
            format!(
                "the customer is already counted and is not counted twice: {} of {} counted",
                self.count, self.limit
            )
        }
    }
}

/// What a deletion or a leave did to a customer's slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseOutcome {
    /// The customer.
    pub customer: String,
    /// Whether its slot was released.
    pub released: bool,
    /// Members that still hold it (one-way and departed included).
    pub members: Vec<String>,
    /// Groups it is still in.
    pub groups: Vec<String>,
    /// Customers counted after the operation.
    pub count: u64,
    /// The rule that decided.
    pub rule: &'static str,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

/// What a member leaving the tenant did (nothing to the count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOutcome {
    /// The member.
    pub member: String,
    /// Customers the member still holds, all still counted through it.
    pub still_held: u64,
    /// Customers counted (unchanged).
    pub count: u64,
    /// `external-contacts.release`.
    pub rule: &'static str,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

/// What dissolving a group did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DissolveOutcome {
    /// The group.
    pub group: String,
    /// Customers that were in it.
    pub customers: u64,
    /// Customers whose slot was released, in order of first appearance.
    pub released: Vec<String>,
    /// Customers counted after the operation.
    pub count: u64,
    /// `external-contacts.release.all`.
    pub rule: &'static str,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

/// One operation on a [`ContactBook`], as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ContactCommand {
    /// [`ContactBook::set_verified`].
    SetVerified {
        /// Verified or not.
        verified: bool,
    },
    /// [`ContactBook::set_permission`].
    SetPermission {
        /// The member.
        member: String,
        /// Granted or revoked.
        granted: bool,
    },
    /// [`ContactBook::add_friend`].
    AddFriend {
        /// The member.
        member: String,
        /// The customer.
        customer: String,
        /// When.
        at: i64,
    },
    /// [`ContactBook::join_group`].
    JoinGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
        /// When.
        at: i64,
    },
    /// [`ContactBook::member_deletes`].
    MemberDeletes {
        /// The member.
        member: String,
        /// The customer.
        customer: String,
    },
    /// [`ContactBook::customer_deletes_member`].
    CustomerDeletesMember {
        /// The customer.
        customer: String,
        /// The member.
        member: String,
    },
    /// [`ContactBook::member_left`].
    MemberLeft {
        /// The member.
        member: String,
    },
    /// [`ContactBook::leave_group`].
    LeaveGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
    },
    /// [`ContactBook::dissolve_group`].
    DissolveGroup {
        /// The group.
        group: String,
    },
    /// [`ContactBook::commit`].
    Commit {
        /// The quote paid for.
        quote: Quote,
        /// The order id.
        order_id: String,
        /// When.
        at: i64,
    },
}

/// What [`ContactBook::apply`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum ContactEvent {
    /// The verified flag was set.
    Verified {
        /// The new flag.
        verified: bool,
    },
    /// A permission was granted or revoked.
    Permission {
        /// The member.
        member: String,
        /// The new grant.
        granted: bool,
    },
    /// A friend or a group membership was added.
    Added(AddOutcome),
    /// A hold or a membership was removed (or, one-way, marked).
    Released(ReleaseOutcome),
    /// A member left.
    Left(LeftOutcome),
    /// A group was dissolved.
    Dissolved(DissolveOutcome),
    /// An order was committed.
    Ordered(Order),
}

// ---------------------------------------------------------------------------
// The roster: interned ids and the counted set.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hold {
    member: u32,
    /// The customer deleted the member one-way (`external-contacts.release`: no release).
    customer_deleted: bool,
}

#[derive(Debug, Clone, Default)]
struct CustomerRec {
    id: String,
    holds: Vec<Hold>,
    groups: Vec<u32>,
}

impl CustomerRec {
    fn counted(&self) -> bool {
        !self.holds.is_empty() || !self.groups.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
struct MemberRec {
    id: String,
    departed: bool,
    permitted: bool,
    held: u64,
}

#[derive(Debug, Clone, Default)]
struct GroupRec {
    id: String,
    dissolved: bool,
    customers: IxSet,
}

/// A fast, FxHash-style hasher for the id maps. The ids are the tenant's
/// own (its members, customers and groups), so speed matters more here than
/// resistance to deliberately colliding keys.
#[derive(Debug, Default, Clone, Copy)]
struct IdHasher(u64);

impl IdHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, w: u64) {
        self.0 = self.0.wrapping_add(w).wrapping_mul(Self::K);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

type IdMap = HashMap<String, u32, BuildHasherDefault<IdHasher>>;
type IxSet = HashSet<u32, BuildHasherDefault<IdHasher>>;

/// Customers, members and groups by compact index, and the running count.
#[derive(Debug, Clone, Default)]
struct Roster {
    member_ix: IdMap,
    members: Vec<MemberRec>,
    customer_ix: IdMap,
    customers: Vec<CustomerRec>,
    group_ix: IdMap,
    groups: Vec<GroupRec>,
    counted: u64,
}

fn intern<T>(
    ix: &mut IdMap,
    recs: &mut Vec<T>,
    id: &str,
    make: impl FnOnce(String) -> T,
) -> Result<u32, QuotaError> {
    if let Some(&i) = ix.get(id) {
        return Ok(i);
    }
    let i = u32::try_from(recs.len()).map_err(|_| QuotaError::Snapshot {
        what: "more than 2^32 ids".into(),
    })?;
    ix.insert(id.to_string(), i);
    recs.push(make(id.to_string()));
    Ok(i)
}

impl Roster {
    fn member(&self, id: &str) -> Option<(u32, &MemberRec)> {
        let i = *self.member_ix.get(id)?;
        Some((i, self.members.get(i as usize)?))
    }

    fn customer(&self, id: &str) -> Option<(u32, &CustomerRec)> {
        let i = *self.customer_ix.get(id)?;
        Some((i, self.customers.get(i as usize)?))
    }

    fn group(&self, id: &str) -> Option<(u32, &GroupRec)> {
        let i = *self.group_ix.get(id)?;
        Some((i, self.groups.get(i as usize)?))
    }

    fn intern_member(&mut self, id: &str) -> Result<u32, QuotaError> {
        intern(&mut self.member_ix, &mut self.members, id, |id| MemberRec {
            id,
            ..MemberRec::default()
        })
    }

    fn intern_customer(&mut self, id: &str) -> Result<u32, QuotaError> {
        intern(&mut self.customer_ix, &mut self.customers, id, |id| {
            CustomerRec {
                id,
                ..CustomerRec::default()
            }
        })
    }

    fn intern_group(&mut self, id: &str) -> Result<u32, QuotaError> {
        intern(&mut self.group_ix, &mut self.groups, id, |id| GroupRec {
            id,
            ..GroupRec::default()
        })
    }

    fn member_name(&self, i: u32) -> String {
        self.members
            .get(i as usize)
            .map(|m| m.id.clone())
            .unwrap_or_default()
    }

    fn group_name(&self, i: u32) -> String {
        self.groups
            .get(i as usize)
            .map(|g| g.id.clone())
            .unwrap_or_default()
    }

    /// Who still holds customer `c` and which groups it is in.
    fn holders(&self, c: u32) -> (Vec<String>, Vec<String>) {
        match self.customers.get(c as usize) {
            Some(r) => (
                r.holds.iter().map(|h| self.member_name(h.member)).collect(),
                r.groups.iter().map(|&g| self.group_name(g)).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn is_counted(&self, c: u32) -> bool {
        self.customers
            .get(c as usize)
            .is_some_and(CustomerRec::counted)
    }
}

/// The serialised roster: ids as the caller wrote them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterData {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    members: Vec<MemberData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<GroupData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    customers: Vec<CustomerData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberData {
    id: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    departed: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    permitted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupData {
    id: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    dissolved: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerData {
    id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    friends: Vec<FriendData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FriendData {
    member: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    customer_deleted: bool,
}

impl From<&Roster> for RosterData {
    fn from(r: &Roster) -> Self {
        RosterData {
            members: r
                .members
                .iter()
                .map(|m| MemberData {
                    id: m.id.clone(),
                    departed: m.departed,
                    permitted: m.permitted,
                })
                .collect(),
            groups: r
                .groups
                .iter()
                .map(|g| GroupData {
                    id: g.id.clone(),
                    dissolved: g.dissolved,
                })
                .collect(),
            customers: r
                .customers
                .iter()
                .filter(|c| c.counted())
                .map(|c| CustomerData {
                    id: c.id.clone(),
                    friends: c
                        .holds
                        .iter()
                        .map(|h| FriendData {
                            member: r.member_name(h.member),
                            customer_deleted: h.customer_deleted,
                        })
                        .collect(),
                    groups: c.groups.iter().map(|&g| r.group_name(g)).collect(),
                })
                .collect(),
        }
    }
}

impl TryFrom<RosterData> for Roster {
    type Error = QuotaError;

    fn try_from(d: RosterData) -> Result<Self, QuotaError> {
        let snap = |what: String| QuotaError::Snapshot { what };
        let mut r = Roster::default();
        for m in d.members {
            nonempty(&m.id, "member")?;
            if r.member_ix.contains_key(&m.id) {
                return Err(snap(format!("member `{}` listed twice", m.id)));
            }
            let i = r.intern_member(&m.id)?;
            if let Some(rec) = r.members.get_mut(i as usize) {
                rec.departed = m.departed;
                rec.permitted = m.permitted;
            }
        }
        for g in d.groups {
            nonempty(&g.id, "group")?;
            if r.group_ix.contains_key(&g.id) {
                return Err(snap(format!("group `{}` listed twice", g.id)));
            }
            let i = r.intern_group(&g.id)?;
            if let Some(rec) = r.groups.get_mut(i as usize) {
                rec.dissolved = g.dissolved;
            }
        }
        for c in d.customers {
            nonempty(&c.id, "customer")?;
            if r.customer_ix.contains_key(&c.id) {
                return Err(snap(format!("customer `{}` listed twice", c.id)));
            }
            let ci = r.intern_customer(&c.id)?;
            let mut holds: Vec<Hold> = Vec::with_capacity(c.friends.len());
            for f in &c.friends {
                nonempty(&f.member, "member")?;
                let m = r.intern_member(&f.member)?;
                if holds.iter().any(|h| h.member == m) {
                    return Err(snap(format!(
                        "customer `{}` lists member `{}` twice",
                        c.id, f.member
                    )));
                }
                holds.push(Hold {
                    member: m,
                    customer_deleted: f.customer_deleted,
                });
                if let Some(rec) = r.members.get_mut(m as usize) {
                    rec.held += 1;
                }
            }
            let mut groups: Vec<u32> = Vec::with_capacity(c.groups.len());
            for g in &c.groups {
                nonempty(g, "group")?;
                let gi = r.intern_group(g)?;
                let Some(rec) = r.groups.get_mut(gi as usize) else {
                    continue;
                };
                if rec.dissolved {
                    return Err(snap(format!(
                        "customer `{}` is in dissolved group `{g}`",
                        c.id
                    )));
                }
                if !rec.customers.insert(ci) {
                    return Err(snap(format!("customer `{}` lists group `{g}` twice", c.id)));
                }
                groups.push(gi);
            }
            if let Some(rec) = r.customers.get_mut(ci as usize) {
                rec.holds = holds;
                rec.groups = groups;
                if rec.counted() {
                    r.counted += 1;
                }
            }
        }
        Ok(r)
    }
}

impl Serialize for Roster {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RosterData::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Roster {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Roster::try_from(RosterData::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn nonempty(id: &str, what: &'static str) -> Result<(), QuotaError> {
    if id.is_empty() {
        Err(QuotaError::EmptyId { what })
    } else {
        Ok(())
    }
}

/// A yuan figure without the sign: `500`, `1089.04`.
fn yuan(f: Fen) -> String {
    let v = f.get();
    let a = v.unsigned_abs();
    let sign = if v < 0 { "-" } else { "" };
    if a % 100 == 0 {
        format!("{sign}{}", a / 100)
    } else {
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

fn fen_to_yuan_f64(f: Fen) -> f64 {
    f.get() as f64 / 100.0
}

/// The expression text with every variable replaced by its value.
fn substitute(expression: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(expression.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            match value(word) {
                Some(v) => out.push_str(&v),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    for ch in expression.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            if word.is_empty() && ch.is_ascii_digit() {
                out.push(ch);
            } else {
                word.push(ch);
            }
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

// ---------------------------------------------------------------------------
// The book.

/// A tenant's external contacts, quota and plan orders.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactBook {
    limits: QuotaLimits,
    verified: bool,
    plan: Option<Plan>,
    #[serde(default)]
    orders: Vec<Order>,
    #[serde(default)]
    roster: Roster,
}

impl ContactBook {
    /// An empty, unverified book without a plan.
    pub fn new(limits: QuotaLimits) -> ContactBook {
        ContactBook {
            limits,
            verified: false,
            plan: None,
            orders: Vec::new(),
            roster: Roster::default(),
        }
    }

    /// Rebuilds a book by applying a log; fails with the index of the first command refused.
    pub fn replay<'a>(
        limits: QuotaLimits,
        log: impl IntoIterator<Item = &'a ContactCommand>,
    ) -> Result<ContactBook, (usize, QuotaError)> {
        let mut book = ContactBook::new(limits);
        for (i, cmd) in log.into_iter().enumerate() {
            book.apply(cmd).map_err(|e| (i, e))?;
        }
        Ok(book)
    }

    /// Runs one logged command.
    pub fn apply(&mut self, cmd: &ContactCommand) -> Result<ContactEvent, QuotaError> {
        Ok(match cmd {
            ContactCommand::SetVerified { verified } => {
                self.set_verified(*verified);
                ContactEvent::Verified {
                    verified: *verified,
                }
            }
            ContactCommand::SetPermission { member, granted } => {
                self.set_permission(member, *granted)?;
                ContactEvent::Permission {
                    member: member.clone(),
                    granted: *granted,
                }
            }
            ContactCommand::AddFriend {
                member,
                customer,
                at,
            } => ContactEvent::Added(self.add_friend(member, customer, *at)?),
            ContactCommand::JoinGroup {
                customer,
                group,
                at,
            } => ContactEvent::Added(self.join_group(customer, group, *at)?),
            ContactCommand::MemberDeletes { member, customer } => {
                ContactEvent::Released(self.member_deletes(member, customer)?)
            }
            ContactCommand::CustomerDeletesMember { customer, member } => {
                ContactEvent::Released(self.customer_deletes_member(customer, member)?)
            }
            ContactCommand::MemberLeft { member } => ContactEvent::Left(self.member_left(member)?),
            ContactCommand::LeaveGroup { customer, group } => {
                ContactEvent::Released(self.leave_group(customer, group)?)
            }
            ContactCommand::DissolveGroup { group } => {
                ContactEvent::Dissolved(self.dissolve_group(group)?)
            }
            ContactCommand::Commit {
                quote,
                order_id,
                at,
            } => ContactEvent::Ordered(self.commit(quote, order_id, *at)?),
        })
    }

    /// The limits the book applies.
    pub fn limits(&self) -> &QuotaLimits {
        &self.limits
    }

    /// Customers counted now (已服务 X 位, `external-contacts.counting`), O(1).
    pub fn count(&self) -> u64 {
        self.roster.counted
    }

    /// Whether the tenant is verified (`external-contacts.unverified-limit`).
    pub fn is_verified(&self) -> bool {
        self.verified
    }

    /// Sets the verified flag (`external-contacts.unverified-limit`).
    pub fn set_verified(&mut self, verified: bool) {
        self.verified = verified;
    }

    /// Grants or revokes a member's add-external-contacts permission (`external-contacts.permission`).
    pub fn set_permission(&mut self, member: &str, granted: bool) -> Result<(), QuotaError> {
        nonempty(member, "member")?;
        let m = self.roster.intern_member(member)?;
        if let Some(rec) = self.roster.members.get_mut(m as usize) {
            rec.permitted = granted;
        }
        Ok(())
    }

    /// The latest plan, in force or expired.
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref()
    }

    /// The plan in force at `at`, if any.
    pub fn active_plan(&self, at: i64) -> Option<&Plan> {
        self.plan.as_ref().filter(|p| p.active_at(at))
    }

    /// Every committed order, oldest first.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// Whether customer `customer` is counted now.
    pub fn is_counted(&self, customer: &str) -> bool {
        self.roster
            .customer(customer)
            .is_some_and(|(_, c)| c.counted())
    }

    /// Members that hold the customer (one-way and departed included) and groups it is in.
    pub fn holders(&self, customer: &str) -> (Vec<String>, Vec<String>) {
        match self.roster.customer(customer) {
            Some((c, _)) => self.roster.holders(c),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// Whether `member` has left the tenant.
    pub fn is_departed(&self, member: &str) -> bool {
        self.roster.member(member).is_some_and(|(_, m)| m.departed)
    }

    /// The limit and its rule at `at`, without the explanation (the hot path).
    fn limit_at(&self, at: i64) -> (u64, &'static str) {
        let (base, rule) = match self.active_plan(at) {
            Some(p) => (p.contacts, RULE_TIERS),
            None => (self.limits.free_quota, RULE_FREE_QUOTA),
        };
        if self.verified {
            (base, rule)
        } else {
            (base.min(self.limits.unverified_cap), RULE_UNVERIFIED)
        }
    }

    /// How many customers may be counted at `at`, and why.
    pub fn capacity(&self, at: i64) -> Capacity {
        let (limit, rule) = self.limit_at(at);
        let (base_zh, base_en) =
            match (self.active_plan(at), self.plan.as_ref()) {
                (Some(p), _) => (
                    format!(
                        "已购外部联系人规模 {} 位（订单 `{}`，有效期至 {}）",
                        p.contacts,
                        p.order_id,
                        format_time(p.expires)
                    ),
                    format!(
                        "the purchased quota of {} contacts (order `{}`, valid until {})",
                        p.contacts,
                        p.order_id,
                        format_time(p.expires)
                    ),
                ),
                (None, Some(p)) if at >= p.expires => (
                    format!(
                        "免费提供的 {} 人规模（订单 `{}` 已于 {} 到期，已购规模不再计入）",
                        self.limits.free_quota,
                        p.order_id,
                        format_time(p.expires)
                    ),
                    format!(
                    "the free quota of {} (order `{}` expired at {}; its quota no longer applies)",
                    self.limits.free_quota, p.order_id, format_time(p.expires)
                ),
                ),
                _ => (
                    format!("免费提供的 {} 人规模", self.limits.free_quota),
                    format!("the free quota of {}", self.limits.free_quota),
                ),
            };
        let (zh, en) = if self.verified {
            (base_zh, base_en)
        } else {
            (
                format!(
                    "企业未认证，只能添加 {} 个客户（认证后为{}）",
                    self.limits.unverified_cap, base_zh
                ),
                format!(
                    "unverified tenant: at most {} customers ({} once verified)",
                    self.limits.unverified_cap, base_en
                ),
            )
        };
        Capacity {
            limit,
            rule,
            zh,
            en,
        }
    }

    fn full(&self, at: i64) -> QuotaError {
        let cap = self.capacity(at);
        QuotaError::Full {
            counted: self.count(),
            limit: cap.limit,
            rule: cap.rule,
            zh: cap.zh,
            en: cap.en,
        }
    }

    /// `member` adds `customer` as a friend at `at` (`external-contacts.counting`,
    /// `.dedup`); a customer not yet counted needs a free slot.
    pub fn add_friend(
        &mut self,
        member: &str,
        customer: &str,
        at: i64,
    ) -> Result<AddOutcome, QuotaError> {
        nonempty(member, "member")?;
        nonempty(customer, "customer")?;
        let m = self.roster.member(member);
        if let Some((_, rec)) = m {
            if rec.departed {
                return Err(QuotaError::MemberDeparted {
                    member: member.into(),
                    zh: "添加客户",
                    en: "add customers",
                    rule: RULE_RELEASE,
                });
            }
        }
        if self.limits.options.enforce_permission && !m.is_some_and(|(_, r)| r.permitted) {
            return Err(QuotaError::NoPermission {
                member: member.into(),
                rule: RULE_PERMISSION,
            });
        }
        let (limit, _) = self.limit_at(at);
        let mi = m.map(|(i, _)| i);
        let c = self.roster.customer(customer);
        if let (Some(mi), Some((ci, rec))) = (mi, c) {
            if let Some(pos) = rec.holds.iter().position(|h| h.member == mi) {
                // Already held: a one-way deletion is undone, nothing is counted again.
                if let Some(h) = self
                    .roster
                    .customers
                    .get_mut(ci as usize)
                    .and_then(|r| r.holds.get_mut(pos))
                {
                    h.customer_deleted = false;
                }
                return Ok(AddOutcome {
                    new_slot: false,
                    existed: true,
                    count: self.count(),
                    limit,
                    rule: RULE_DEDUP,
                });
            }
        }
        let new_slot = !c.is_some_and(|(_, r)| r.counted());
        if new_slot && self.roster.counted >= limit {
            return Err(self.full(at));
        }
        let ci = c.map(|(i, _)| i);
        let mi = match mi {
            Some(i) => i,
            None => self.roster.intern_member(member)?,
        };
        let ci = match ci {
            Some(i) => i,
            None => self.roster.intern_customer(customer)?,
        };
        if let Some(rec) = self.roster.customers.get_mut(ci as usize) {
            rec.holds.push(Hold {
                member: mi,
                customer_deleted: false,
            });
        }
        if let Some(rec) = self.roster.members.get_mut(mi as usize) {
            rec.held += 1;
        }
        if new_slot {
            self.roster.counted += 1;
        }
        Ok(AddOutcome {
            new_slot,
            existed: false,
            count: self.count(),
            limit,
            rule: if new_slot { RULE_COUNTING } else { RULE_DEDUP },
        })
    }

    /// `customer` joins tenant group `group` at `at`; a customer not yet counted
    /// needs a free slot (`external-contacts.counting`, `.dedup`).
    pub fn join_group(
        &mut self,
        customer: &str,
        group: &str,
        at: i64,
    ) -> Result<AddOutcome, QuotaError> {
        nonempty(customer, "customer")?;
        nonempty(group, "group")?;
        let g = self.roster.group(group);
        if let Some((_, rec)) = g {
            if rec.dissolved {
                return Err(QuotaError::GroupDissolved {
                    group: group.into(),
                    rule: RULE_RELEASE_ALL,
                });
            }
        }
        let (limit, _) = self.limit_at(at);
        let c = self.roster.customer(customer);
        if let (Some((gi, _)), Some((_, rec))) = (g, c) {
            if rec.groups.contains(&gi) {
                return Ok(AddOutcome {
                    new_slot: false,
                    existed: true,
                    count: self.count(),
                    limit,
                    rule: RULE_DEDUP,
                });
            }
        }
        let new_slot = !c.is_some_and(|(_, r)| r.counted());
        if new_slot && self.roster.counted >= limit {
            return Err(self.full(at));
        }
        let (gi, ci) = (g.map(|(i, _)| i), c.map(|(i, _)| i));
        let gi = match gi {
            Some(i) => i,
            None => self.roster.intern_group(group)?,
        };
        let ci = match ci {
            Some(i) => i,
            None => self.roster.intern_customer(customer)?,
        };
        if let Some(rec) = self.roster.customers.get_mut(ci as usize) {
            rec.groups.push(gi);
        }
        if let Some(rec) = self.roster.groups.get_mut(gi as usize) {
            rec.customers.insert(ci);
        }
        if new_slot {
            self.roster.counted += 1;
        }
        Ok(AddOutcome {
            new_slot,
            existed: false,
            count: self.count(),
            limit,
            rule: if new_slot { RULE_COUNTING } else { RULE_DEDUP },
        })
    }

    /// The outcome for customer `c` after a hold or a membership went away.
    fn after_removal(
        &mut self,
        c: u32,
        customer: &str,
        what_zh: &str,
        what_en: &str,
    ) -> ReleaseOutcome {
        let released = !self.roster.is_counted(c);
        if released {
            self.roster.counted = self.roster.counted.saturating_sub(1);
        }
        let (members, groups) = self.roster.holders(c);
        let (rule, zh, en) = if released {
            (
                RULE_RELEASE_ALL,
                format!("{what_zh}；没有成员再持有客户 `{customer}`，它也不在任何群中，释放名额占用"),
                format!("{what_en}; no member holds customer `{customer}` and it is in no group, so its slot is released"),
            )
        } else {
            (
                RULE_RELEASE_ALL,
                format!(
                    "{what_zh}；客户 `{customer}` 仍被成员 [{}] 持有、仍在群 [{}] 中，需全部删除并退出所有群（或群解散）才会释放额度",
                    members.join("、"),
                    groups.join("、")
                ),
                format!(
                    "{what_en}; customer `{customer}` is still held by members [{}] and in groups [{}]; it is released only when every member deleted it and it left every group (or they were dissolved)",
                    members.join(", "),
                    groups.join(", ")
                ),
            )
        };
        ReleaseOutcome {
            customer: customer.into(),
            released,
            members,
            groups,
            count: self.count(),
            rule,
            zh,
            en,
        }
    }

    /// `member` deletes `customer` (企业成员主动删除, `external-contacts.release`):
    /// the hold goes; the slot is released once nothing else holds it (`.release.all`).
    pub fn member_deletes(
        &mut self,
        member: &str,
        customer: &str,
    ) -> Result<ReleaseOutcome, QuotaError> {
        let not_held = || QuotaError::NotHeld {
            member: member.into(),
            customer: customer.into(),
            rule: RULE_RELEASE,
        };
        let (mi, mrec) = self.roster.member(member).ok_or_else(not_held)?;
        if mrec.departed && !self.limits.options.departed_deletable {
            return Err(QuotaError::MemberDeparted {
                member: member.into(),
                zh: "删除客户",
                en: "delete customers",
                rule: RULE_RELEASE,
            });
        }
        let (ci, crec) = self.roster.customer(customer).ok_or_else(not_held)?;
        let pos = crec
            .holds
            .iter()
            .position(|h| h.member == mi)
            .ok_or_else(not_held)?;
        if let Some(rec) = self.roster.customers.get_mut(ci as usize) {
            rec.holds.swap_remove(pos);
        }
        if let Some(rec) = self.roster.members.get_mut(mi as usize) {
            rec.held = rec.held.saturating_sub(1);
        }
        Ok(self.after_removal(
            ci,
            customer,
            &format!("成员 `{member}` 主动删除了客户 `{customer}`"),
            &format!("member `{member}` deleted customer `{customer}`"),
        ))
        .map(|mut o| {
            if o.released {
                o.rule = RULE_RELEASE;
            }
            o
        })
    }

    /// `customer` deletes `member` one-way (客户单方面删除): nothing is released
    /// (`external-contacts.release`); the hold is remembered as one-way.
    pub fn customer_deletes_member(
        &mut self,
        customer: &str,
        member: &str,
    ) -> Result<ReleaseOutcome, QuotaError> {
        let not_held = || QuotaError::NotHeld {
            member: member.into(),
            customer: customer.into(),
            rule: RULE_RELEASE,
        };
        let (mi, _) = self.roster.member(member).ok_or_else(not_held)?;
        let (ci, crec) = self.roster.customer(customer).ok_or_else(not_held)?;
        let pos = crec
            .holds
            .iter()
            .position(|h| h.member == mi)
            .ok_or_else(not_held)?;
        if let Some(h) = self
            .roster
            .customers
            .get_mut(ci as usize)
            .and_then(|r| r.holds.get_mut(pos))
        {
            h.customer_deleted = true;
        }
        let (members, groups) = self.roster.holders(ci);
        Ok(ReleaseOutcome {
            customer: customer.into(),
            released: false,
            members,
            groups,
            count: self.count(),
            rule: RULE_RELEASE,
            zh: format!(
                "客户 `{customer}` 单方面删除了成员 `{member}` 的好友，不会释放名额占用；成员 `{member}` 仍持有该客户"
            ),
            en: format!(
                "customer `{customer}` deleted member `{member}` one-way; this releases no slot and member `{member}` still holds the customer"
            ),
        })
    }

    /// `member` leaves the tenant (在通讯录被删除): nothing is released
    /// (`external-contacts.release`); its customers stay counted until
    /// deleted on its behalf through [`ContactBook::member_deletes`].
    pub fn member_left(&mut self, member: &str) -> Result<LeftOutcome, QuotaError> {
        nonempty(member, "member")?;
        if self.is_departed(member) {
            return Err(QuotaError::MemberDeparted {
                member: member.into(),
                zh: "再次离职",
                en: "leave again",
                rule: RULE_RELEASE,
            });
        }
        let m = self.roster.intern_member(member)?;
        let mut still_held = 0;
        if let Some(rec) = self.roster.members.get_mut(m as usize) {
            rec.departed = true;
            still_held = rec.held;
        }
        Ok(LeftOutcome {
            member: member.into(),
            still_held,
            count: self.count(),
            rule: RULE_RELEASE,
            zh: format!(
                "成员 `{member}` 在通讯录被删除（离职），不会释放名额占用：其持有的 {still_held} 位客户仍计入规模"
            ),
            en: format!(
                "member `{member}` was removed from the directory (left); no slot is released: the {still_held} customers it holds stay counted"
            ),
        })
    }

    /// `customer` leaves group `group` (`external-contacts.release.all`).
    pub fn leave_group(
        &mut self,
        customer: &str,
        group: &str,
    ) -> Result<ReleaseOutcome, QuotaError> {
        let not_in = || QuotaError::NotInGroup {
            customer: customer.into(),
            group: group.into(),
            rule: RULE_RELEASE_ALL,
        };
        let (gi, _) = self.roster.group(group).ok_or_else(not_in)?;
        let (ci, crec) = self.roster.customer(customer).ok_or_else(not_in)?;
        let pos = crec
            .groups
            .iter()
            .position(|&g| g == gi)
            .ok_or_else(not_in)?;
        if let Some(rec) = self.roster.customers.get_mut(ci as usize) {
            rec.groups.swap_remove(pos);
        }
        if let Some(rec) = self.roster.groups.get_mut(gi as usize) {
            rec.customers.remove(&ci);
        }
        Ok(self.after_removal(
            ci,
            customer,
            &format!("客户 `{customer}` 退出了群 `{group}`"),
            &format!("customer `{customer}` left group `{group}`"),
        ))
    }

    /// The tenant dissolves group `group`: every customer leaves it
    /// (`external-contacts.release.all`: a dissolved group counts as left).
    pub fn dissolve_group(&mut self, group: &str) -> Result<DissolveOutcome, QuotaError> {
        nonempty(group, "group")?;
        if let Some((_, g)) = self.roster.group(group) {
            if g.dissolved {
                return Err(QuotaError::GroupDissolved {
                    group: group.into(),
                    rule: RULE_RELEASE_ALL,
                });
            }
        }
        let gi = self.roster.intern_group(group)?;
        let mut members: Vec<u32> = match self.roster.groups.get_mut(gi as usize) {
            Some(rec) => {
                rec.dissolved = true;
                std::mem::take(&mut rec.customers).into_iter().collect()
            }
            None => Vec::new(),
        };
        members.sort_unstable();
        let mut released = Vec::new();
        for &ci in &members {
            if let Some(rec) = self.roster.customers.get_mut(ci as usize) {
                rec.groups.retain(|&g| g != gi);
                if !rec.counted() {
                    released.push(rec.id.clone());
                }
            }
        }
        self.roster.counted = self.roster.counted.saturating_sub(released.len() as u64);
        let n = members.len() as u64;
        let r = released.len();
        Ok(DissolveOutcome {
            group: group.into(),
            customers: n,
            zh: format!(
                "企业解散了群 `{group}`，视为其中 {n} 位客户都已退群；其中 {r} 位不再被任何成员持有、也不在其他群中，释放名额占用"
            ),
            en: format!(
                "the tenant dissolved group `{group}`, which counts as its {n} customers leaving; {r} of them are held by no member and in no other group, so their slots are released"
            ),
            released,
            count: self.count(),
            rule: RULE_RELEASE_ALL,
        })
    }

    /// Prices `tier_contacts` at `at`: a new purchase, or, while a lower tier
    /// is in force, an upgrade by the rulebook formula (`external-contacts.tiers`, `.proration`).
    pub fn quote(&self, tier_contacts: u64, at: i64) -> Result<Quote, QuotaError> {
        let l = &self.limits;
        let Some(tier) = l.tier(tier_contacts).copied() else {
            let largest = l.tiers.iter().map(|t| t.contacts).max().unwrap_or(0);
            if tier_contacts > largest {
                return Err(QuotaError::BeyondTiers {
                    asked: tier_contacts,
                    largest,
                    options: if l.unpriced_options.is_empty() {
                        "—".into()
                    } else {
                        l.unpriced_options.join("、")
                    },
                    rule: RULE_TIERS,
                });
            }
            return Err(QuotaError::UnknownTier {
                asked: tier_contacts,
                valid: l
                    .tiers
                    .iter()
                    .map(|t| t.contacts.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                rule: RULE_TIERS,
            });
        };
        if let Some(p) = &self.plan {
            if at < p.since {
                return Err(QuotaError::ClockBehind {
                    at,
                    since: p.since,
                    order_id: p.order_id.clone(),
                });
            }
        }
        let Some(p) = self.active_plan(at) else {
            let expires = l
                .validity_s()
                .and_then(|v| at.checked_add(v))
                .ok_or(QuotaError::Time { at })?;
            return Ok(Quote {
                kind: QuoteKind::Purchase,
                contacts: tier.contacts,
                yearly_price: tier.price,
                price: tier.price,
                at,
                effective: at,
                expires,
                upgrade: None,
                rules: vec![RULE_TIERS.into()],
                zh: format!(
                    "新购外部联系人规模 {} 位：{}/年，有效期 {} 天，自 {} 至 {}，应付 {}",
                    tier.contacts, tier.price, l.validity_days, format_time(at), format_time(expires), tier.price
                ),
                en: format!(
                    "new purchase of {} contacts: {} a year, valid {} days, from {} to {}; to pay {}",
                    tier.contacts, tier.price, l.validity_days, format_time(at), format_time(expires), tier.price
                ),
            });
        };
        if tier.contacts <= p.contacts {
            return Err(QuotaError::NotAnUpgrade {
                asked: tier.contacts,
                active: p.contacts,
                order_id: p.order_id.clone(),
                expires: p.expires,
                rule: RULE_PRORATION,
            });
        }
        let n = l.days_used(p.effective, at);
        let (x, y) = (fen_to_yuan_f64(p.yearly_price), fen_to_yuan_f64(tier.price));
        let formula_err = |message: String| QuotaError::Formula {
            rule: RULE_PRORATION,
            message,
        };
        let value = l
            .upgrade_price
            .eval(&|v: &str| match v {
                "x" => Some(x),
                "y" => Some(y),
                "n" => Some(n as f64),
                _ => None,
            })
            .map_err(|e| formula_err(e.to_string()))?;
        let price = Fen::from_yuan_f64(value)
            .ok_or_else(|| formula_err(format!("result {value} is not a finite amount")))?;
        if price < Fen::ZERO {
            return Err(formula_err(format!(
                "the price {price} is negative (n = {n} days)"
            )));
        }
        let substituted = substitute(&l.upgrade_expression, &|v| match v {
            "x" => Some(yuan(p.yearly_price)),
            "y" => Some(yuan(tier.price)),
            "n" => Some(n.to_string()),
            _ => None,
        });
        let zh = format!(
            "增购：原规模 {} 位（x = {}/年，订单 `{}`）已使用 n = {n} 天，升级至 {} 位（y = {}/年），按剩余时间核算：{} = {} = {price}；新订单沿用原订单的生效日期 {} 与到期时间 {}",
            p.contacts,
            p.yearly_price,
            p.order_id,
            tier.contacts,
            tier.price,
            l.upgrade_expression,
            substituted,
            format_time(p.effective),
            format_time(p.expires)
        );
        let en = format!(
            "upgrade: the current {} contacts (x = {} a year, order `{}`) used n = {n} days; moving to {} contacts (y = {} a year) charges the remaining time: {} = {} = {price}; the new order keeps the current order's effective date {} and expiry {}",
            p.contacts,
            p.yearly_price,
            p.order_id,
            tier.contacts,
            tier.price,
            l.upgrade_expression,
            substituted,
            format_time(p.effective),
            format_time(p.expires)
        );
        Ok(Quote {
            kind: QuoteKind::Upgrade,
            contacts: tier.contacts,
            yearly_price: tier.price,
            price,
            at,
            effective: p.effective,
            expires: p.expires,
            upgrade: Some(UpgradeBasis {
                order_id: p.order_id.clone(),
                contacts: p.contacts,
                yearly_price: p.yearly_price,
                effective: p.effective,
                days_used: n,
            }),
            rules: vec![RULE_TIERS.into(), RULE_PRORATION.into()],
            zh,
            en,
        })
    }

    /// Applies a paid quote as order `order_id` at `at`, after checking it is
    /// still current (same plan, same day count, same price).
    pub fn commit(&mut self, quote: &Quote, order_id: &str, at: i64) -> Result<Order, QuotaError> {
        nonempty(order_id, "order")?;
        if self.orders.iter().any(|o| o.order_id == order_id) {
            return Err(QuotaError::DuplicateOrder {
                order_id: order_id.into(),
            });
        }
        let fresh = self.quote(quote.contacts, at)?;
        let rule = match quote.kind {
            QuoteKind::Purchase => RULE_TIERS,
            QuoteKind::Upgrade => RULE_PRORATION,
        };
        let stale = |zh: String, en: String| QuotaError::StaleQuote { zh, en, rule };
        match (&quote.upgrade, &fresh.upgrade) {
            (None, Some(b)) => {
                return Err(stale(
                    format!(
                        "报价时没有生效中的订单，现在订单 `{}` 已生效，请重新报价",
                        b.order_id
                    ),
                    format!(
                        "no plan was in force when quoted; order `{}` is in force now, quote again",
                        b.order_id
                    ),
                ))
            }
            (Some(a), None) => {
                return Err(stale(
                    format!(
                        "报价所依据的订单 `{}` 已不在有效期内，请重新报价",
                        a.order_id
                    ),
                    format!(
                    "order `{}` the quote was priced against is no longer in force; quote again",
                    a.order_id
                ),
                ))
            }
            (Some(a), Some(b)) if a.order_id != b.order_id => {
                return Err(stale(
                    format!(
                        "报价依据订单 `{}`，当前订单为 `{}`，请重新报价",
                        a.order_id, b.order_id
                    ),
                    format!(
                    "the quote was priced against order `{}`, the current one is `{}`; quote again",
                    a.order_id, b.order_id
                ),
                ))
            }
            (Some(a), Some(b)) if a.days_used != b.days_used => {
                return Err(stale(
                    format!(
                        "报价时已使用 {} 天，现在已使用 {} 天，请重新报价",
                        a.days_used, b.days_used
                    ),
                    format!(
                        "the quote counted {} days used, now it is {}; quote again",
                        a.days_used, b.days_used
                    ),
                ))
            }
            _ => {}
        }
        if fresh.kind != quote.kind
            || fresh.price != quote.price
            || fresh.yearly_price != quote.yearly_price
        {
            return Err(stale(
                format!(
                    "报价 {} 与当前价格 {} 不符，请重新报价",
                    quote.price, fresh.price
                ),
                format!(
                    "the quoted {} differs from the current price {}; quote again",
                    quote.price, fresh.price
                ),
            ));
        }
        let plan = Plan {
            order_id: order_id.into(),
            contacts: fresh.contacts,
            yearly_price: fresh.yearly_price,
            effective: fresh.effective,
            since: at,
            expires: fresh.expires,
        };
        let order = Order {
            order_id: order_id.into(),
            kind: fresh.kind,
            plan: plan.clone(),
            paid: fresh.price,
            replaces: fresh.upgrade.map(|b| b.order_id),
            at,
        };
        self.plan = Some(plan);
        self.orders.push(order.clone());
        Ok(order)
    }
}
