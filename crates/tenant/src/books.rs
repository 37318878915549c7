//! One tenant's money, quota and workflow state, and the commands that change it.
//!
//! [`Books`] gathers the ledger ([`crate::ledger`]), acquisition-assistant
//! usage and auto-deduction ([`crate::acquisition`]), the low-balance alert
//! ([`crate::alert`]), the external-contact quota ([`crate::contacts`]) and
//! approval flows ([`crate::approval`]). [`Books::apply`] is a pure function
//! of the books, the tenant (who may do what, from [`Tenant::check`]), the
//! rules read from the rulebook and a [`BookCommand`]: it checks the actor,
//! applies the command or refuses it with nothing changed, and returns an
//! [`Outcome`] with the figures, the rule ids and the notices to send.
//!
//! Commands are data (serde, tagged by `command`), so the journal can log
//! them and replay them. A command whose effect depends on a rulebook figure
//! (the unit price of an added customer, the price of a plan, the expiry of
//! bought usage) comes back from `apply` *pinned*: the figure used is written
//! into it, and the pinned command is what the journal stores, so a replay
//! after a rulebook change reproduces the same money.

use std::collections::BTreeMap;

use bylaw_rulebook::Rulebook;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::acquisition::{Acquisition, AcquisitionError, AcquisitionRules, Expired};
use crate::alert::{Alert, AlertError, AlertNotice, AlertRules, AlertSettings};
use crate::approval::{self, ApprovalError, Instance, Submission, Template};
use crate::category::{Catalog, CategoryError, Feature};
use crate::check::{Action, Resource};
use crate::contacts::{ContactBook, ContactCommand, QuotaError, QuotaLimits};
use crate::error::TenantError;
use crate::ledger::{Ledger, LedgerError, LedgerRules, Posting};
use crate::money::Fen;
use crate::tenant::{Tenant, Time};

/// Everything the books read from the rulebook.
#[derive(Debug, Clone)]
pub struct BookRules {
    /// Top-up methods, payable items, statement columns.
    pub ledger: LedgerRules,
    /// Acquisition-assistant figures.
    pub acquisition: AcquisitionRules,
    /// Alert intervals.
    pub alerts: AlertRules,
    /// Business categories and the features they gate.
    pub catalog: Catalog,
    /// External-contact quota figures.
    pub quota: QuotaLimits,
    /// The item that pays for the external-contact quota (外部联系人规模).
    pub quota_item: String,
}

/// Why the rules could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// Ledger lists.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Acquisition figures.
    #[error(transparent)]
    Acquisition(#[from] AcquisitionError),
    /// Alert intervals.
    #[error(transparent)]
    Alert(#[from] AlertError),
    /// Category catalog.
    #[error(transparent)]
    Category(#[from] CategoryError),
    /// Quota figures.
    #[error(transparent)]
    Quota(#[from] QuotaError),
}

/// The payable item that buys the external-contact quota.
const QUOTA_ITEM: &str = "外部联系人规模";

impl BookRules {
    /// Reads every figure from the rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<BookRules, RulesError> {
        Ok(BookRules {
            ledger: LedgerRules::from_rulebook(rb)?,
            acquisition: AcquisitionRules::from_rulebook(rb)?,
            alerts: AlertRules::from_rulebook(rb)?,
            catalog: Catalog::from_rulebook(rb)?,
            quota: QuotaLimits::from_rulebook(rb)?,
            quota_item: {
                let lr = LedgerRules::from_rulebook(rb)?;
                lr.item(QUOTA_ITEM)?;
                QUOTA_ITEM.to_string()
            },
        })
    }
}

/// Why a command was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BooksError {
    /// The actor may not (with the deciding rule), or an id names nothing.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The ledger refused.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Acquisition usage or auto-deduction refused.
    #[error(transparent)]
    Acquisition(#[from] AcquisitionError),
    /// Alert settings refused.
    #[error(transparent)]
    Alert(#[from] AlertError),
    /// The external-contact quota refused.
    #[error(transparent)]
    Quota(#[from] QuotaError),
    /// An approval step refused.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The business category blocks the operation.
    #[error("{zh} ({en}) [{rule}]")]
    Category {
        /// The rule.
        rule: String,
        /// Why, Chinese.
        zh: String,
        /// Why, English.
        en: String,
    },
}

/// A command on one tenant's books.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BookCommand {
    /// Tops up the balance (`recharge.entry`, `recharge.sources`).
    TopUp {
        /// Idempotency key.
        key: String,
        /// Who (a super admin).
        actor: String,
        /// Method.
        method: String,
        /// Amount.
        amount: Fen,
        /// When.
        at: Time,
    },
    /// Pays an order from the balance (`recharge.spend-permission.pay`).
    Pay {
        /// Idempotency key.
        key: String,
        /// Who pays (needs the spend permission for the item).
        actor: String,
        /// Order id.
        order: String,
        /// Item.
        item: String,
        /// Amount.
        amount: Fen,
        /// Details.
        #[serde(default)]
        detail: String,
        /// When.
        at: Time,
    },
    /// Refunds a paid order to the balance, by the platform (`recharge.refund.consumed`).
    Refund {
        /// Idempotency key.
        key: String,
        /// The platform operator.
        operator: String,
        /// The order.
        order: String,
        /// Amount.
        amount: Fen,
        /// Why.
        #[serde(default)]
        reason: String,
        /// When.
        at: Time,
    },
    /// Returns unconsumed money through customer service (`recharge.refund.unconsumed`).
    RefundUnconsumed {
        /// Idempotency key.
        key: String,
        /// The customer-service operator.
        operator: String,
        /// Where it goes.
        method: String,
        /// Amount.
        amount: Fen,
        /// Why.
        #[serde(default)]
        reason: String,
        /// When.
        at: Time,
    },
    /// Buys acquisition-assistant usage from the balance (`recharge.spend-permission.acquisition-assistant` a).
    BuyUsage {
        /// Idempotency key.
        key: String,
        /// Who.
        actor: String,
        /// Order id.
        order: String,
        /// Uses.
        count: u32,
        /// Price of the order.
        amount: Fen,
        /// When.
        at: Time,
    },
    /// Turns acquisition-assistant auto-deduction on or off (`recharge.auto-deduct.who`).
    SetAutoDeduct {
        /// Who.
        actor: String,
        /// On or off.
        on: bool,
        /// When.
        at: Time,
    },
    /// A customer added a member through an acquisition link (`auto-deduct.consumption-order`).
    AddCustomer {
        /// The add's id (idempotency).
        add: String,
        /// The unit price deducted if needed; filled from the rulebook when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<Fen>,
        /// When.
        at: Time,
    },
    /// Sets or changes the low-balance alert (`recharge.low-balance-alert.*`).
    SetAlert {
        /// Who.
        actor: String,
        /// The settings.
        settings: AlertSettings,
        /// When.
        at: Time,
    },
    /// Disables the low-balance alert (`recharge.low-balance-alert.adjust`).
    DisableAlert {
        /// Who.
        actor: String,
        /// When.
        at: Time,
    },
    /// Lets time pass: due alerts, expired usage.
    Tick {
        /// Now.
        at: Time,
    },
    /// An external-contact event (`external-contacts.*`): a member adds or
    /// deletes a customer, a customer joins or leaves a group, … The
    /// tenant's verification is taken from the tenant, plans are bought
    /// with `buy-plan`.
    Contact {
        /// The event.
        contact: ContactCommand,
    },
    /// Buys or upgrades an external-contact plan, paid from the balance
    /// (`external-contacts.tiers`, `.proration`).
    BuyPlan {
        /// Idempotency key.
        key: String,
        /// Who pays (needs the spend permission for 外部联系人规模).
        actor: String,
        /// The tier (contacts), e.g. 20000.
        tier: u64,
        /// The order id.
        order: String,
        /// The price charged; filled from the quote when absent, and checked against it when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<Fen>,
        /// When.
        at: Time,
    },
    /// Adds or replaces an approval template (admins of the approval app; `approval.handler.add`).
    PutTemplate {
        /// Who.
        actor: String,
        /// The template.
        template: Box<Template>,
        /// When.
        at: Time,
    },
    /// Submits a form on a template.
    Submit {
        /// The template.
        template: String,
        /// The form.
        submission: Submission,
        /// When.
        at: Time,
    },
    /// Resubmits a rejected or withdrawn form (a new round).
    Resubmit {
        /// The form.
        submission: Submission,
        /// When.
        at: Time,
    },
    /// An approval step on a form: approve, reject, confirm, withdraw.
    Step {
        /// The form.
        instance: String,
        /// Who.
        actor: String,
        /// What.
        step: StepKind,
        /// Opinion (审批意见 / 办理意见).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        /// Signature (电子签名).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        /// When.
        at: Time,
    },
    /// An admin hands a departed member's task over (`approval.exceptions.departed`).
    HandOver {
        /// The form.
        instance: String,
        /// The admin.
        admin: String,
        /// The departed member.
        from: String,
        /// The new assignee.
        to: String,
        /// When.
        at: Time,
    },
    /// The approver whose turn it is adds a temporary approver (加签, `approval.settings.add-approver`).
    AddApprover {
        /// The form.
        instance: String,
        /// Who.
        actor: String,
        /// The added approver.
        member: String,
        /// When.
        at: Time,
    },
}

/// An approval step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// 同意 (approvers).
    Approve,
    /// 驳回 (approvers only; `approval.handler`).
    Reject,
    /// 确认办理 (handlers).
    Confirm,
    /// 撤回 (the applicant or submitter).
    Withdraw,
}

impl BookCommand {
    /// The command's name (`top-up`, …).
    pub fn name(&self) -> &'static str {
        match self {
            BookCommand::TopUp { .. } => "top-up",
            BookCommand::Pay { .. } => "pay",
            BookCommand::Refund { .. } => "refund",
            BookCommand::RefundUnconsumed { .. } => "refund-unconsumed",
            BookCommand::BuyUsage { .. } => "buy-usage",
            BookCommand::SetAutoDeduct { .. } => "set-auto-deduct",
            BookCommand::AddCustomer { .. } => "add-customer",
            BookCommand::SetAlert { .. } => "set-alert",
            BookCommand::DisableAlert { .. } => "disable-alert",
            BookCommand::Tick { .. } => "tick",
            BookCommand::Contact { .. } => "contact",
            BookCommand::BuyPlan { .. } => "buy-plan",
            BookCommand::PutTemplate { .. } => "put-template",
            BookCommand::Submit { .. } => "submit",
            BookCommand::Resubmit { .. } => "resubmit",
            BookCommand::Step { .. } => "step",
            BookCommand::HandOver { .. } => "hand-over",
            BookCommand::AddApprover { .. } => "add-approver",
        }
    }

    /// The idempotency key the command carries, if any.
    pub fn key(&self) -> Option<String> {
        match self {
            BookCommand::TopUp { key, .. }
            | BookCommand::Pay { key, .. }
            | BookCommand::Refund { key, .. }
            | BookCommand::RefundUnconsumed { key, .. }
            | BookCommand::BuyUsage { key, .. }
            | BookCommand::BuyPlan { key, .. } => Some(key.clone()),
            BookCommand::AddCustomer { add, .. } => Some(format!("acquisition-add:{add}")),
            _ => None,
        }
    }

    /// When.
    pub fn at(&self) -> Time {
        match self {
            BookCommand::TopUp { at, .. }
            | BookCommand::Pay { at, .. }
            | BookCommand::Refund { at, .. }
            | BookCommand::RefundUnconsumed { at, .. }
            | BookCommand::BuyUsage { at, .. }
            | BookCommand::SetAutoDeduct { at, .. }
            | BookCommand::AddCustomer { at, .. }
            | BookCommand::SetAlert { at, .. }
            | BookCommand::DisableAlert { at, .. }
            | BookCommand::BuyPlan { at, .. }
            | BookCommand::PutTemplate { at, .. }
            | BookCommand::Submit { at, .. }
            | BookCommand::Resubmit { at, .. }
            | BookCommand::Step { at, .. }
            | BookCommand::HandOver { at, .. }
            | BookCommand::AddApprover { at, .. }
            | BookCommand::Tick { at } => *at,
            BookCommand::Contact { contact } => match contact {
                ContactCommand::AddFriend { at, .. }
                | ContactCommand::JoinGroup { at, .. }
                | ContactCommand::Commit { at, .. } => *at,
                _ => 0,
            },
        }
    }
}

/// A message the books ask to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Notice {
    /// A low-balance alert.
    LowBalance(AlertNotice),
    /// Purchased usage expired unused.
    UsageExpired(Expired),
    /// An approval to-do or hand-over reminder.
    Approval {
        /// The notice.
        notice: approval::Notice,
        /// Its text, Chinese.
        zh: String,
        /// Its text, English.
        en: String,
    },
}

fn approval_notices(v: Vec<approval::Notice>) -> Vec<Notice> {
    v.into_iter()
        .map(|n| Notice::Approval {
            zh: n.zh(),
            en: n.en(),
            notice: n,
        })
        .collect()
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Summary, Chinese.
    pub zh: String,
    /// Summary, English.
    pub en: String,
    /// The rule that decided.
    pub rule: &'static str,
    /// Figures (serial, balance, …).
    pub data: serde_json::Value,
    /// Messages to send.
    pub notices: Vec<Notice>,
    /// False when the command repeated an earlier one and changed nothing.
    pub changed: bool,
}

/// One tenant's books.
#[derive(Debug, Clone, Default)]
pub struct Books {
    /// The ledger.
    pub ledger: Ledger,
    /// Acquisition-assistant usage.
    pub acquisition: Acquisition,
    /// The low-balance alert.
    pub alert: Alert,
    /// The external-contact quota (made on first use).
    pub contacts: Option<ContactBook>,
    /// Approval templates by id.
    pub templates: BTreeMap<String, Template>,
    /// Approval forms by id.
    pub instances: BTreeMap<String, Instance>,
    /// How many commands of each kind changed the books, for reports.
    applied: BTreeMap<&'static str, u64>,
}

fn require(t: &Tenant, actor: &str, action: Action, r: &Resource) -> Result<(), BooksError> {
    let d = t.check(actor, action, r);
    if d.allowed {
        return Ok(());
    }
    let (rule, zh, en) = match d.failed.first() {
        Some(f) => (f.rule.to_string(), f.zh.clone(), f.en.clone()),
        None => (d.rule.to_string(), d.zh.clone(), d.en.clone()),
    };
    Err(BooksError::Tenant(TenantError::Denied { rule, zh, en }))
}

/// Admins of the approval app: whoever manages app `approval` when the
/// tenant has one, else the creator and super admins (`approval.handler.add`).
fn approval_admin(t: &Tenant, actor: &str) -> Result<(), BooksError> {
    if t.apps().contains("approval") {
        return require(
            t,
            actor,
            Action::ManageApp,
            &Resource::App("approval".into()),
        );
    }
    require(t, actor, Action::ManageAdmins, &Resource::Tenant)
}

fn gate(t: &Tenant, rules: &BookRules, f: Feature) -> Result<(), BooksError> {
    let v = rules.catalog.feature_allowed(&t.category, f);
    if v.allowed {
        return Ok(());
    }
    Err(BooksError::Category {
        rule: v.rule,
        zh: v.zh,
        en: v.en,
    })
}

impl Books {
    /// Empty books.
    pub fn new() -> Books {
        Books::default()
    }

    /// How many commands of each kind changed the books.
    pub fn applied(&self) -> &BTreeMap<&'static str, u64> {
        &self.applied
    }

    /// Applies a command for `tenant`; returns what it did and the command
    /// as it should be logged (rulebook figures pinned). On error nothing
    /// changed.
    pub fn apply(
        &mut self,
        tenant: &Tenant,
        rules: &BookRules,
        cmd: &BookCommand,
    ) -> Result<(Outcome, BookCommand), BooksError> {
        let mut pinned = cmd.clone();
        let lr = &rules.ledger;
        let before = self.ledger.balance();
        let mut out = match cmd {
            BookCommand::TopUp {
                key,
                actor,
                method,
                amount,
                at,
            } => {
                require(tenant, actor, Action::ManageBalance, &Resource::Tenant)?;
                let p = self.ledger.post(
                    lr,
                    &Posting::TopUp {
                        key: key.clone(),
                        at: *at,
                        method: method.clone(),
                        amount: *amount,
                        operator: actor.clone(),
                    },
                )?;
                self.money_outcome(p.serial, p.duplicate, crate::ledger::rule::SOURCES)
            }
            BookCommand::Pay {
                key,
                actor,
                order,
                item,
                amount,
                detail,
                at,
            } => {
                lr.item(item)?;
                require(
                    tenant,
                    actor,
                    Action::SpendBalance,
                    &Resource::Feature(item.clone()),
                )?;
                if *item == rules.acquisition.item {
                    gate(tenant, rules, Feature::AcquisitionPurchase)?;
                }
                let p = self.ledger.post(
                    lr,
                    &Posting::Pay {
                        key: key.clone(),
                        at: *at,
                        order: order.clone(),
                        item: item.clone(),
                        amount: *amount,
                        operator: actor.clone(),
                        detail: detail.clone(),
                    },
                )?;
                self.money_outcome(p.serial, p.duplicate, crate::ledger::rule::PAY)
            }
            BookCommand::Refund {
                key,
                operator,
                order,
                amount,
                reason,
                at,
            } => {
                let p = self.ledger.post(
                    lr,
                    &Posting::Refund {
                        key: key.clone(),
                        at: *at,
                        order: order.clone(),
                        amount: *amount,
                        operator: operator.clone(),
                        reason: reason.clone(),
                    },
                )?;
                self.money_outcome(p.serial, p.duplicate, crate::ledger::rule::REFUND_CONSUMED)
            }
            BookCommand::RefundUnconsumed {
                key,
                operator,
                method,
                amount,
                reason,
                at,
            } => {
                let p = self.ledger.post(
                    lr,
                    &Posting::Withdraw {
                        key: key.clone(),
                        at: *at,
                        method: method.clone(),
                        amount: *amount,
                        operator: operator.clone(),
                        reason: reason.clone(),
                    },
                )?;
                self.money_outcome(
                    p.serial,
                    p.duplicate,
                    crate::ledger::rule::REFUND_UNCONSUMED,
                )
            }
            BookCommand::BuyUsage {
                key,
                actor,
                order,
                count,
                amount,
                at,
            } => {
                let item = rules.acquisition.item.clone();
                require(
                    tenant,
                    actor,
                    Action::SpendBalance,
                    &Resource::Feature(item),
                )?;
                gate(tenant, rules, Feature::AcquisitionPurchase)?;
                let (serial, duplicate) = self.acquisition.buy(
                    &mut self.ledger,
                    lr,
                    &rules.acquisition,
                    key,
                    order,
                    *count,
                    *amount,
                    actor,
                    *at,
                )?;
                let mut o =
                    self.money_outcome(serial, duplicate, crate::acquisition::rule::VALIDITY);
                if let Some(l) = self.acquisition.lots().iter().find(|l| l.order == *order) {
                    o.data["lot"] = json!(l);
                }
                o
            }
            BookCommand::SetAutoDeduct { actor, on, at } => {
                let item = rules.acquisition.item.clone();
                require(
                    tenant,
                    actor,
                    Action::SpendBalance,
                    &Resource::Feature(item),
                )?;
                if *on {
                    if let Some(ind) = tenant
                        .industry
                        .as_deref()
                        .filter(|i| rules.acquisition.excluded_industries.iter().any(|x| x == i))
                    {
                        return Err(BooksError::Category {
                            rule: crate::acquisition::rule::ELIGIBILITY.into(),
                            zh: format!("{ind}企业暂不支持获客助手自动扣款"),
                            en: format!("tenants of the {ind} industry cannot use auto-deduction"),
                        });
                    }
                    gate(tenant, rules, Feature::AutoDeductEnable)?;
                    self.acquisition.enable(actor, *at)?;
                } else {
                    self.acquisition.disable()?;
                }
                Outcome {
                    zh: if *on {
                        "已开通获客助手自动扣款：每成功添加一个客户，先消耗已购买的使用量，再从余额实时扣款".into()
                    } else {
                        "已关闭自动扣款：不再通过企业余额扣款；未购买使用量时客户将无法继续添加成员"
                            .into()
                    },
                    en: if *on {
                        "auto-deduction on: each added customer uses purchased usage first, then is charged to the balance".into()
                    } else {
                        "auto-deduction off: no more charges to the balance; without purchased usage customers cannot add members".into()
                    },
                    rule: crate::acquisition::rule::WHO,
                    data: json!({ "on": on }),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::AddCustomer { add, price, at } => {
                let price = price.unwrap_or(rules.acquisition.unit_price);
                if let BookCommand::AddCustomer { price: p, .. } = &mut pinned {
                    *p = Some(price);
                }
                let a = self.acquisition.add_customer(
                    &mut self.ledger,
                    lr,
                    &rules.acquisition,
                    add,
                    price,
                    *at,
                )?;
                let (zh, en) = match &a.charge {
                    crate::acquisition::Charge::Usage { order, left, .. } => (
                        format!("消耗已购买使用量（订单 {order}，剩余 {left} 次）"),
                        format!("one use of purchased usage (order {order}, {left} left)"),
                    ),
                    crate::acquisition::Charge::Balance { amount, .. } => (
                        format!("自动扣款 {amount}"),
                        format!("auto-deducted {amount}"),
                    ),
                };
                Outcome {
                    zh,
                    en,
                    rule: a.rule,
                    data: json!({ "add": a.add, "charge": a.charge, "balance": self.ledger.balance() }),
                    notices: Vec::new(),
                    changed: !a.duplicate,
                }
            }
            BookCommand::SetAlert {
                actor, settings, ..
            } => {
                require(tenant, actor, Action::ManageBalance, &Resource::Tenant)?;
                self.alert.set(settings.clone(), tenant.directory())?;
                Outcome {
                    zh: format!(
                        "已设置余额预警：低于 ¥{} 时{}提醒",
                        settings.threshold_yuan,
                        settings.frequency.zh()
                    ),
                    en: format!(
                        "low-balance alert set: below ¥{}, {}",
                        settings.threshold_yuan,
                        settings.frequency.variant()
                    ),
                    rule: crate::alert::rule::ALERT,
                    data: json!({ "settings": settings }),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::DisableAlert { actor, .. } => {
                require(tenant, actor, Action::ManageBalance, &Resource::Tenant)?;
                self.alert.disable()?;
                Outcome {
                    zh: "已停用余额预警".into(),
                    en: "low-balance alert disabled".into(),
                    rule: crate::alert::rule::ADJUST,
                    data: json!({}),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::Contact { contact } => {
                if matches!(
                    contact,
                    ContactCommand::SetVerified { .. } | ContactCommand::Commit { .. }
                ) {
                    return Err(BooksError::Tenant(TenantError::Invalid {
                        field: "contact.op".into(),
                        zh: "认证状态来自企业，规模订单请用 buy-plan".into(),
                        en: "verification comes from the tenant; buy plans with buy-plan".into(),
                    }));
                }
                let book = self.contact_book(tenant, rules);
                let ev = book.apply(contact)?;
                let count = book.count();
                let cap = book.capacity(cmd.at());
                Outcome {
                    zh: format!("外部联系人规模：已服务 {count} 位，上限 {}", cap.limit),
                    en: format!("external contacts: {count} served, limit {}", cap.limit),
                    rule: crate::contacts::RULE_COUNTING,
                    data: json!({ "event": ev, "count": count, "limit": cap.limit, "limit_rule": cap.rule }),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::BuyPlan {
                key,
                actor,
                tier,
                order,
                price,
                at,
            } => {
                if let Some(m) = self.ledger.by_key(key) {
                    // A repeat: the plan was bought with this key already.
                    return Ok((
                        self.money_outcome(m.serial, true, crate::contacts::RULE_TIERS),
                        pinned,
                    ));
                }
                require(
                    tenant,
                    actor,
                    Action::SpendBalance,
                    &Resource::Feature(rules.quota_item.clone()),
                )?;
                let quote = self.contact_book(tenant, rules).quote(*tier, *at)?;
                if let Some(p) = price {
                    if *p != quote.price {
                        return Err(BooksError::Tenant(TenantError::Invalid {
                            field: "price".into(),
                            zh: format!("价格 {p} 与当前报价 {} 不符", quote.price),
                            en: format!("price {p} differs from the current quote {}", quote.price),
                        }));
                    }
                }
                if let BookCommand::BuyPlan { price: p, .. } = &mut pinned {
                    *p = Some(quote.price);
                }
                // Check the commit on a copy before any money moves, so a
                // refused commit never leaves a payment behind.
                let mut trial = self.contact_book(tenant, rules).clone();
                trial.commit(&quote, order, *at)?;
                let serial = if quote.price > Fen::ZERO {
                    let p = self.ledger.post(
                        lr,
                        &Posting::Pay {
                            key: key.clone(),
                            at: *at,
                            order: order.clone(),
                            item: rules.quota_item.clone(),
                            amount: quote.price,
                            operator: actor.clone(),
                            detail: quote.zh.clone(),
                        },
                    )?;
                    Some(p.serial)
                } else {
                    None
                };
                self.contacts = Some(trial);
                Outcome {
                    zh: format!("{}，可用余额 {}", quote.zh, self.ledger.balance()),
                    en: format!("{}, balance {}", quote.en, self.ledger.balance()),
                    rule: if quote.upgrade.is_some() {
                        crate::contacts::RULE_PRORATION
                    } else {
                        crate::contacts::RULE_TIERS
                    },
                    data: json!({ "quote": quote, "serial": serial, "balance": self.ledger.balance() }),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::PutTemplate {
                actor, template, ..
            } => {
                approval_admin(tenant, actor)?;
                template.validate()?;
                self.templates
                    .insert(template.id.clone(), (**template).clone());
                Outcome {
                    zh: format!("已保存审批模板「{}」", template.name),
                    en: format!("approval template {} saved", template.id),
                    rule: approval::RULE_HANDLER_ADD,
                    data: json!({ "template": template.id }),
                    notices: Vec::new(),
                    changed: true,
                }
            }
            BookCommand::Submit {
                template,
                submission,
                at,
            } => {
                if self.instances.contains_key(&submission.id) {
                    return Err(BooksError::Tenant(TenantError::Exists(format!(
                        "审批单 form {}",
                        submission.id
                    ))));
                }
                let tpl = self.templates.get(template).ok_or_else(|| {
                    TenantError::unknown("审批模板", "approval template", template)
                })?;
                let (inst, notices) =
                    Instance::submit(tpl, tenant.directory(), submission.clone(), *at)?;
                let out = self.form_outcome(&inst, approval_notices(notices));
                self.instances.insert(inst.id().to_string(), inst);
                out
            }
            BookCommand::Resubmit { submission, at } => {
                let inst = self.instance(&submission.id)?;
                let tpl = self.templates.get(inst.template_id()).ok_or_else(|| {
                    TenantError::unknown("审批模板", "approval template", inst.template_id())
                })?;
                let mut next = inst.clone();
                let notices = next.resubmit(tpl, tenant.directory(), submission.clone(), *at)?;
                let out = self.form_outcome(&next, approval_notices(notices));
                self.instances.insert(next.id().to_string(), next);
                out
            }
            BookCommand::Step {
                instance,
                actor,
                step,
                comment,
                signature,
                at,
            } => {
                let mut next = self.instance(instance)?.clone();
                let dir = tenant.directory();
                let c = comment.as_deref();
                let notices = match step {
                    StepKind::Approve => next.approve(dir, actor, c, signature.as_deref(), *at)?,
                    StepKind::Reject => {
                        next.reject(dir, actor, c, *at)?;
                        Vec::new()
                    }
                    StepKind::Confirm => next.confirm(dir, actor, c, *at)?,
                    StepKind::Withdraw => {
                        next.withdraw(actor, *at)?;
                        Vec::new()
                    }
                };
                let out = self.form_outcome(&next, approval_notices(notices));
                self.instances.insert(instance.clone(), next);
                out
            }
            BookCommand::HandOver {
                instance,
                admin,
                from,
                to,
                at,
            } => {
                approval_admin(tenant, admin)?;
                let mut next = self.instance(instance)?.clone();
                let notices = next.hand_over(tenant.directory(), admin, from, to, *at)?;
                let out = self.form_outcome(&next, approval_notices(notices));
                self.instances.insert(instance.clone(), next);
                out
            }
            BookCommand::AddApprover {
                instance,
                actor,
                member,
                at,
            } => {
                let mut next = self.instance(instance)?.clone();
                next.add_approver(tenant.directory(), actor, member, *at)?;
                let out = self.form_outcome(&next, Vec::new());
                self.instances.insert(instance.clone(), next);
                out
            }
            BookCommand::Tick { at } => {
                let mut notices: Vec<Notice> = self
                    .acquisition
                    .expire(*at)
                    .into_iter()
                    .map(Notice::UsageExpired)
                    .collect();
                if let Some(n) = self.alert.evaluate(
                    self.ledger.balance(),
                    *at,
                    tenant.directory(),
                    &rules.alerts,
                ) {
                    notices.push(Notice::LowBalance(n));
                }
                return Ok((
                    Outcome {
                        zh: format!("{} 条通知", notices.len()),
                        en: format!("{} notices", notices.len()),
                        rule: crate::alert::rule::TRIGGER,
                        data: json!({ "balance": self.ledger.balance() }),
                        changed: !notices.is_empty(),
                        notices,
                    },
                    pinned,
                ));
            }
        };
        // Any command that moved money, or changed the alert, may start or
        // end a low-balance episode (`recharge.low-balance-alert.trigger`).
        if out.changed
            && (self.ledger.balance() != before || matches!(cmd, BookCommand::SetAlert { .. }))
        {
            if let Some(n) = self.alert.evaluate(
                self.ledger.balance(),
                cmd.at(),
                tenant.directory(),
                &rules.alerts,
            ) {
                out.notices.push(Notice::LowBalance(n));
            }
        }
        if out.changed {
            *self.applied.entry(cmd.name()).or_default() += 1;
        }
        Ok((out, pinned))
    }

    /// The contact book, made on first use, with the tenant's verification.
    fn contact_book(&mut self, tenant: &Tenant, rules: &BookRules) -> &mut ContactBook {
        let book = self
            .contacts
            .get_or_insert_with(|| ContactBook::new(rules.quota.clone()));
        if book.is_verified() != tenant.verified {
            book.set_verified(tenant.verified);
        }
        book
    }

    /// A member left the tenant (`dir` is the directory after the
    /// departure): its customers stay counted (`external-contacts.release`),
    /// and its pending approval tasks follow the template's departed rule
    /// (`approval.exceptions.departed`). Returns the notices.
    pub fn member_left(
        &mut self,
        dir: &crate::directory::Directory,
        member: &str,
        at: Time,
    ) -> Vec<Notice> {
        if let Some(b) = self.contacts.as_mut() {
            let _ = b.member_left(member);
        }
        let mut out = Vec::new();
        for inst in self.instances.values_mut() {
            if matches!(inst.status(), approval::Status::InProgress { .. }) {
                if let Ok(n) = inst.member_left(dir, member, at) {
                    out.extend(approval_notices(n));
                }
            }
        }
        out
    }

    fn instance(&self, id: &str) -> Result<&Instance, BooksError> {
        self.instances
            .get(id)
            .ok_or_else(|| BooksError::Tenant(TenantError::unknown("审批单", "approval form", id)))
    }

    fn form_outcome(&self, inst: &Instance, notices: Vec<Notice>) -> Outcome {
        let status = inst.status();
        let pending = inst.pending();
        let (zh, en) = match status {
            approval::Status::InProgress { node } => (
                format!(
                    "审批中：第 {} 个节点，待处理 {}",
                    node + 1,
                    pending.join("、")
                ),
                format!(
                    "in progress at node {}, waiting for {}",
                    node + 1,
                    pending.join(", ")
                ),
            ),
            approval::Status::Approved => ("已通过".into(), "approved".into()),
            approval::Status::Rejected => ("已驳回".into(), "rejected".into()),
            approval::Status::Withdrawn => ("已撤回".into(), "withdrawn".into()),
        };
        Outcome {
            zh: format!("审批单 {}：{zh}", inst.id()),
            en: format!("form {}: {en}", inst.id()),
            rule: approval::RULE_HANDLER,
            data: json!({ "form": inst.id(), "status": status, "round": inst.round(), "pending": pending }),
            notices,
            changed: true,
        }
    }

    fn money_outcome(&self, serial: u64, duplicate: bool, rule: &'static str) -> Outcome {
        let m = self.ledger.movement(serial);
        let (zh, en) = match m {
            Some(m) if duplicate => (
                format!("重复请求，未重复记账：流水 {}", m.serial_no()),
                format!(
                    "repeated request, nothing posted again: movement {}",
                    m.serial_no()
                ),
            ),
            Some(m) => (
                format!(
                    "{} {} {}，可用余额 {}",
                    m.kind.zh(),
                    m.detail,
                    m.amount,
                    m.balance_after
                ),
                format!(
                    "{} {} {}, balance {}",
                    m.kind.en(),
                    m.detail,
                    m.amount,
                    m.balance_after
                ),
            ),
            None => (String::new(), String::new()),
        };
        Outcome {
            zh,
            en,
            rule,
            data: json!({
                "serial": serial,
                "serial_no": m.map(|m| m.serial_no()),
                "amount": m.map(|m| m.amount),
                "balance": self.ledger.balance(),
                "duplicate": duplicate,
            }),
            notices: Vec::new(),
            changed: !duplicate,
        }
    }
}
