//! The prepaid balance as a double-entry ledger (`wecom-admin/recharge.*`).
//!
//! Every movement of money is one posting with a debit account, a credit
//! account and a positive amount, so the sum over all accounts is zero by
//! construction and the tenant's available balance is the value of one
//! account ([`Account::Balance`]):
//!
//! | Movement ([`Kind`]) | Debit | Credit | Rule |
//! |---|---|---|---|
//! | top-up (充值) | balance | funding source | `recharge.sources` |
//! | payment of an order (余额支付) | consumed item | balance | `recharge.spend-permission.pay`, `recharge.payable` |
//! | auto-deduction (自动扣款) | consumed item | balance | `recharge.auto-deduct.charge` |
//! | refund of a paid order (退款) | balance | consumed item | `recharge.refund.consumed` |
//! | refund of unconsumed money (未消耗退款) | funding source | balance | `recharge.refund.unconsumed` |
//!
//! A posting that would take the balance below zero is refused and changes
//! nothing (`recharge.no-overdraft`). Items outside the payable list, and the
//! excluded ones, are refused (`recharge.payable`, `recharge.payable.excluded`).
//! Every posting carries an idempotency key: posting the same request twice
//! returns the first result and moves no money, so a client may retry after
//! a timeout without paying twice.
//!
//! The ledger is a pure state machine: time comes in with each request, and
//! the same requests in the same order give the same ledger (replay).
//! Durability is the journal's job (`tenant::journal`).
//!
//! Choices the seed leaves open (documented in docs/TENANT.md):
//! - a refund of a paid order goes back to the available balance, the way
//!   it was paid; it may be partial, and the refunds of one order never
//!   exceed what was paid for it;
//! - a refund of unconsumed money is a platform operation (the seed allows
//!   it only through human customer service), recorded against a funding
//!   source like a top-up in reverse.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use bylaw_rulebook::Rulebook;
use serde::{Deserialize, Serialize};

use crate::money::Fen;
use crate::tenant::Time;

/// Clause ids the ledger cites.
pub mod rule {
    /// 充值方式 (four top-up methods).
    pub const SOURCES: &str = "wecom-admin/recharge.sources";
    /// 购买对象 (the items payable from the balance).
    pub const PAYABLE: &str = "wecom-admin/recharge.payable";
    /// 暂不包括 (items never payable from the balance).
    pub const EXCLUDED: &str = "wecom-admin/recharge.payable.excluded";
    /// 暂不支持欠费.
    pub const NO_OVERDRAFT: &str = "wecom-admin/recharge.no-overdraft";
    /// 余额支付 requires a sufficient balance.
    pub const PAY: &str = "wecom-admin/recharge.spend-permission.pay";
    /// 自动扣款 charges each added customer to the balance.
    pub const AUTO_DEDUCT: &str = "wecom-admin/recharge.auto-deduct.charge";
    /// 已消耗的充值款项退款.
    pub const REFUND_CONSUMED: &str = "wecom-admin/recharge.refund.consumed";
    /// 未消耗的充值款退款 (customer service only).
    pub const REFUND_UNCONSUMED: &str = "wecom-admin/recharge.refund.unconsumed";
    /// 资金明细 (the statement and its columns).
    pub const STATEMENT: &str = "wecom-admin/recharge.statement";
}

/// Why a posting was refused; nothing changed. Messages are Chinese first, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The rulebook lacks a list the ledger needs.
    #[error("规则库缺少 {rule} 的列表 `{list}` (the rulebook lacks list `{list}` of {rule})")]
    Rulebook {
        /// The rule.
        rule: &'static str,
        /// The list.
        list: &'static str,
    },
    /// An amount is zero, negative or too large.
    #[error(
        "{field}: 金额必须大于 0，实际为 {amount} (the amount must be positive, got {amount})"
    )]
    Amount {
        /// The field.
        field: &'static str,
        /// The amount given.
        amount: Fen,
    },
    /// A required text field is empty.
    #[error("{field}: 不能为空 (must not be empty)")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// Not one of the top-up methods.
    #[error("method: 不支持的充值方式「{method}」，支持：{allowed} (unknown top-up method `{method}`; allowed: {allowed}) [{rule}]", rule = rule::SOURCES)]
    Method {
        /// What was given.
        method: String,
        /// The methods, joined.
        allowed: String,
    },
    /// The item is one the balance never pays.
    #[error("item: 「{item}」暂不支持使用余额购买 ({item} cannot be paid from the balance) [{rule}]", rule = rule::EXCLUDED)]
    Excluded {
        /// The item.
        item: String,
    },
    /// The item is not in the payable list.
    #[error("item: 「{item}」不在可使用余额购买的项目内：{allowed} ({item} is not payable from the balance; payable: {allowed}) [{rule}]", rule = rule::PAYABLE)]
    NotPayable {
        /// The item.
        item: String,
        /// The payable items, joined.
        allowed: String,
    },
    /// The balance does not cover the amount.
    #[error("余额不足：可用余额 {balance}，需支付 {amount}，暂不支持欠费 (insufficient balance: {balance} available, {amount} needed; no overdraft) [{rule}]", rule = rule::NO_OVERDRAFT)]
    Insufficient {
        /// The available balance.
        balance: Fen,
        /// The amount asked.
        amount: Fen,
    },
    /// An order id is already taken.
    #[error("order: 订单 `{order}` 已存在 (order `{order}` already exists)")]
    OrderExists {
        /// The order.
        order: String,
    },
    /// No paid order has this id.
    #[error("order: 未知的订单 `{order}` (unknown order `{order}`) [{rule}]", rule = rule::REFUND_CONSUMED)]
    UnknownOrder {
        /// The order.
        order: String,
    },
    /// The refund exceeds what is left of the order.
    #[error("amount: 退款 {amount} 超过订单 `{order}` 可退金额 {refundable} (refund {amount} exceeds the {refundable} refundable on order `{order}`) [{rule}]", rule = rule::REFUND_CONSUMED)]
    RefundTooLarge {
        /// The order.
        order: String,
        /// What may still be refunded.
        refundable: Fen,
        /// What was asked.
        amount: Fen,
    },
    /// An idempotency key was reused for a different request.
    #[error("key: 幂等键 `{key}` 已用于另一笔流水 #{serial} (idempotency key `{key}` was already used by a different movement, #{serial})")]
    KeyReused {
        /// The key.
        key: String,
        /// The movement that holds it.
        serial: u64,
    },
    /// A sum left the range of the ledger.
    #[error("金额超出范围 (amount out of range)")]
    Overflow,
}

/// The lists the ledger reads from the rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRules {
    /// Top-up methods (`recharge.sources`), in the seed's order.
    pub methods: Vec<String>,
    /// Items payable from the balance (`recharge.payable`).
    pub payable: Vec<String>,
    /// Items never payable (`recharge.payable.excluded`).
    pub excluded: BTreeSet<String>,
    /// Columns of the statement (`recharge.statement`).
    pub columns: Vec<String>,
}

/// English aliases accepted for the top-up methods, mapped to the seed's names.
const METHOD_ALIASES: [(&str, &str); 4] = [
    ("bank-transfer", "对公转账/汇款"),
    ("wechat-pay", "微信支付"),
    ("qq-wallet", "QQ 钱包支付"),
    ("online-banking", "网银支付"),
];

/// English names of the statement columns, in the seed's order.
const COLUMNS_EN: [&str; 7] = [
    "time",
    "type",
    "details",
    "amount (yuan)",
    "balance (yuan)",
    "operator",
    "serial number",
];

impl LedgerRules {
    /// Reads the lists from the rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<LedgerRules, LedgerError> {
        let list = |id: &'static str, name: &'static str| -> Result<Vec<String>, LedgerError> {
            rb.rule(id)
                .and_then(|r| r.list(name))
                .map(|l| l.items.clone())
                .ok_or(LedgerError::Rulebook {
                    rule: id,
                    list: name,
                })
        };
        Ok(LedgerRules {
            methods: list(rule::SOURCES, "methods")?,
            payable: list(rule::PAYABLE, "payable-items")?,
            excluded: list(rule::EXCLUDED, "excluded-items")?
                .into_iter()
                .collect(),
            columns: list(rule::STATEMENT, "statement-columns")?,
        })
    }

    /// The index of a top-up method, by the seed's name or an English alias.
    pub fn method(&self, name: &str) -> Result<u8, LedgerError> {
        let name = name.trim();
        let zh = METHOD_ALIASES
            .iter()
            .find(|(en, _)| en.eq_ignore_ascii_case(name))
            .map_or(name, |(_, zh)| zh);
        self.methods
            .iter()
            .position(|m| m == zh)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| LedgerError::Method {
                method: name.to_string(),
                allowed: self.methods_text(),
            })
    }

    fn methods_text(&self) -> String {
        self.methods
            .iter()
            .map(|m| match METHOD_ALIASES.iter().find(|(_, zh)| zh == m) {
                Some((en, _)) => format!("{m} ({en})"),
                None => m.clone(),
            })
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The index of a payable item, or why it is not payable.
    pub fn item(&self, name: &str) -> Result<u8, LedgerError> {
        let name = name.trim();
        if self.excluded.contains(name) {
            return Err(LedgerError::Excluded {
                item: name.to_string(),
            });
        }
        self.payable
            .iter()
            .position(|m| m == name)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| LedgerError::NotPayable {
                item: name.to_string(),
                allowed: self.payable.join("、"),
            })
    }

    /// The statement header in Chinese (from the rulebook) or English.
    pub fn header(&self, english: bool) -> Vec<String> {
        if english {
            COLUMNS_EN.iter().map(|c| c.to_string()).collect()
        } else {
            self.columns.clone()
        }
    }
}

/// An account of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// Money from outside by one top-up method (index into [`LedgerRules::methods`]).
    Funding(u8),
    /// The tenant's available balance (可用余额).
    Balance,
    /// Money consumed on one payable item (index into [`LedgerRules::payable`]).
    Consumed(u8),
}

impl Account {
    /// The account's name, e.g. `funding:微信支付`, `balance`, `consumed:获客助手`.
    pub fn name(self, rules: &LedgerRules) -> String {
        let get = |v: &Vec<String>, i: u8| v.get(i as usize).cloned().unwrap_or_default();
        match self {
            Account::Funding(i) => format!("funding:{}", get(&rules.methods, i)),
            Account::Balance => "balance".into(),
            Account::Consumed(i) => format!("consumed:{}", get(&rules.payable, i)),
        }
    }
}

/// The type of a movement (交易类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// 充值.
    TopUp,
    /// 余额支付 (an order paid from the balance).
    Payment,
    /// 自动扣款 (a real-time deduction, e.g. an added customer).
    AutoDeduction,
    /// 退款 (a paid order refunded to the balance).
    Refund,
    /// 未消耗退款 (unconsumed money returned through customer service).
    Withdrawal,
}

impl Kind {
    /// Chinese name, as the statement shows it.
    pub fn zh(self) -> &'static str {
        match self {
            Kind::TopUp => "充值",
            Kind::Payment => "余额支付",
            Kind::AutoDeduction => "自动扣款",
            Kind::Refund => "退款",
            Kind::Withdrawal => "未消耗退款",
        }
    }

    /// English name.
    pub fn en(self) -> &'static str {
        match self {
            Kind::TopUp => "top-up",
            Kind::Payment => "payment",
            Kind::AutoDeduction => "auto-deduction",
            Kind::Refund => "refund",
            Kind::Withdrawal => "unconsumed refund",
        }
    }
}

/// A request to move money. Every request carries an idempotency `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Posting {
    /// Money in (`recharge.sources`).
    TopUp {
        /// Idempotency key.
        key: String,
        /// When.
        at: Time,
        /// Top-up method: the seed's name or `bank-transfer`, `wechat-pay`, `qq-wallet`, `online-banking`.
        method: String,
        /// Amount.
        amount: Fen,
        /// Who.
        operator: String,
    },
    /// An order paid from the balance (`recharge.spend-permission.pay`).
    Pay {
        /// Idempotency key.
        key: String,
        /// When.
        at: Time,
        /// The order (unique).
        order: String,
        /// What it buys: a payable item.
        item: String,
        /// Amount.
        amount: Fen,
        /// Who pays.
        operator: String,
        /// Purchase details (购买详情).
        #[serde(default)]
        detail: String,
    },
    /// A real-time deduction (`recharge.auto-deduct.charge`).
    AutoDeduct {
        /// Idempotency key.
        key: String,
        /// When.
        at: Time,
        /// The charge's reference (unique), e.g. the added customer's id.
        order: String,
        /// What it pays: a payable item.
        item: String,
        /// Amount.
        amount: Fen,
        /// Details.
        #[serde(default)]
        detail: String,
    },
    /// A paid order refunded to the balance, whole or in part (`recharge.refund.consumed`).
    Refund {
        /// Idempotency key.
        key: String,
        /// When.
        at: Time,
        /// The paid order.
        order: String,
        /// Amount.
        amount: Fen,
        /// Who.
        operator: String,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Unconsumed money returned through customer service (`recharge.refund.unconsumed`).
    Withdraw {
        /// Idempotency key.
        key: String,
        /// When.
        at: Time,
        /// Where it goes back to.
        method: String,
        /// Amount.
        amount: Fen,
        /// The customer-service operator.
        operator: String,
        /// Why.
        #[serde(default)]
        reason: String,
    },
}

impl Posting {
    /// The idempotency key.
    pub fn key(&self) -> &str {
        match self {
            Posting::TopUp { key, .. }
            | Posting::Pay { key, .. }
            | Posting::AutoDeduct { key, .. }
            | Posting::Refund { key, .. }
            | Posting::Withdraw { key, .. } => key,
        }
    }

    /// When.
    pub fn at(&self) -> Time {
        match self {
            Posting::TopUp { at, .. }
            | Posting::Pay { at, .. }
            | Posting::AutoDeduct { at, .. }
            | Posting::Refund { at, .. }
            | Posting::Withdraw { at, .. } => *at,
        }
    }

    /// The amount.
    pub fn amount(&self) -> Fen {
        match self {
            Posting::TopUp { amount, .. }
            | Posting::Pay { amount, .. }
            | Posting::AutoDeduct { amount, .. }
            | Posting::Refund { amount, .. }
            | Posting::Withdraw { amount, .. } => *amount,
        }
    }

    /// The movement type it makes.
    pub fn kind(&self) -> Kind {
        match self {
            Posting::TopUp { .. } => Kind::TopUp,
            Posting::Pay { .. } => Kind::Payment,
            Posting::AutoDeduct { .. } => Kind::AutoDeduction,
            Posting::Refund { .. } => Kind::Refund,
            Posting::Withdraw { .. } => Kind::Withdrawal,
        }
    }
}

/// One movement of the statement (资金明细), as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// Position in this tenant's ledger, from 1; the serial number derives from it.
    pub serial: u64,
    /// When (交易时间).
    pub at: Time,
    /// Type (交易类型).
    pub kind: Kind,
    /// Details (购买详情).
    pub detail: String,
    /// Effect on the available balance: positive in, negative out (交易金额).
    pub amount: Fen,
    /// Available balance after it (可用余额).
    pub balance_after: Fen,
    /// Who (操作者).
    pub operator: String,
    /// The order it pays or refunds, if any.
    pub order: Option<String>,
    /// The account debited.
    pub debit: Account,
    /// The account credited.
    pub credit: Account,
    /// The idempotency key it was posted with.
    pub key: String,
}

impl Movement {
    /// The serial number shown on the statement (交易流水号), unique per tenant.
    pub fn serial_no(&self) -> String {
        format!("{}{:010}", date_digits(self.at), self.serial)
    }
}

/// The result of a posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    /// The movement's serial.
    pub serial: u64,
    /// True when the key had been posted before: nothing moved now.
    pub duplicate: bool,
}

/// What was paid and refunded on one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// The item.
    pub item: u8,
    /// Paid.
    pub paid: Fen,
    /// Refunded so far.
    pub refunded: Fen,
    /// The paying movement.
    pub serial: u64,
}

/// One tenant's ledger.
#[derive(Debug, Clone)]
pub struct Ledger {
    balance: Fen,
    accounts: HashMap<Account, Fen>,
    movements: Vec<Movement>,
    orders: HashMap<String, Order>,
    keys: HashMap<String, u64>,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger::new()
    }
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger {
            balance: Fen::ZERO,
            accounts: HashMap::new(),
            movements: Vec::new(),
            orders: HashMap::new(),
            keys: HashMap::new(),
        }
    }

    /// The available balance (可用余额).
    pub fn balance(&self) -> Fen {
        self.balance
    }

    /// Every movement, oldest first.
    pub fn movements(&self) -> &[Movement] {
        &self.movements
    }

    /// The movement with this serial.
    pub fn movement(&self, serial: u64) -> Option<&Movement> {
        serial
            .checked_sub(1)
            .and_then(|i| self.movements.get(usize::try_from(i).ok()?))
    }

    /// The movement posted with this idempotency key.
    pub fn by_key(&self, key: &str) -> Option<&Movement> {
        self.keys.get(key).and_then(|s| self.movement(*s))
    }

    /// A paid order.
    pub fn order(&self, order: &str) -> Option<&Order> {
        self.orders.get(order)
    }

    /// The value of every account that has moved (debits minus credits); they sum to zero.
    pub fn accounts(&self) -> Vec<(Account, Fen)> {
        let mut v: Vec<(Account, Fen)> = self.accounts.iter().map(|(a, f)| (*a, *f)).collect();
        v.sort();
        v
    }

    /// Total consumed (paid minus refunded) on each item, for invoicing (`recharge.invoice`).
    pub fn consumed(&self, rules: &LedgerRules) -> Vec<(String, Fen)> {
        self.accounts()
            .into_iter()
            .filter_map(|(a, f)| match a {
                Account::Consumed(i) => Some((rules.payable.get(i as usize)?.clone(), f)),
                _ => None,
            })
            .collect()
    }

    /// Checks a request against the ledger without changing it: what it would post.
    pub fn check(&self, rules: &LedgerRules, p: &Posting) -> Result<Option<Movement>, LedgerError> {
        if let Some(serial) = self.keys.get(p.key()) {
            let m = self.movement(*serial).ok_or(LedgerError::Overflow)?;
            let same_order = match p {
                Posting::Pay { order, .. }
                | Posting::AutoDeduct { order, .. }
                | Posting::Refund { order, .. } => m.order.as_deref() == Some(order.as_str()),
                _ => m.order.is_none(),
            };
            if m.kind != p.kind() || m.amount.get().abs() != p.amount().get() || !same_order {
                return Err(LedgerError::KeyReused {
                    key: p.key().to_string(),
                    serial: *serial,
                });
            }
            return Ok(None);
        }
        if p.key().trim().is_empty() {
            return Err(LedgerError::Empty { field: "key" });
        }
        let amount = p.amount();
        if amount.get() <= 0 {
            return Err(LedgerError::Amount {
                field: "amount",
                amount,
            });
        }
        let serial = self.movements.len() as u64 + 1;
        let out = |amount: Fen| -> Result<Fen, LedgerError> {
            if amount > self.balance {
                return Err(LedgerError::Insufficient {
                    balance: self.balance,
                    amount,
                });
            }
            self.balance
                .checked_sub(amount)
                .ok_or(LedgerError::Overflow)
        };
        let m = match p {
            Posting::TopUp {
                key,
                at,
                method,
                operator,
                ..
            } => {
                let mi = rules.method(method)?;
                non_empty("operator", operator)?;
                Movement {
                    serial,
                    at: *at,
                    kind: Kind::TopUp,
                    detail: rules.methods[mi as usize].clone(),
                    amount,
                    balance_after: self
                        .balance
                        .checked_add(amount)
                        .ok_or(LedgerError::Overflow)?,
                    operator: operator.clone(),
                    order: None,
                    debit: Account::Balance,
                    credit: Account::Funding(mi),
                    key: key.clone(),
                }
            }
            Posting::Pay {
                key,
                at,
                order,
                item,
                detail,
                ..
            }
            | Posting::AutoDeduct {
                key,
                at,
                order,
                item,
                detail,
                ..
            } => {
                let ii = rules.item(item)?;
                non_empty("order", order)?;
                if self.orders.contains_key(order.as_str()) {
                    return Err(LedgerError::OrderExists {
                        order: order.clone(),
                    });
                }
                let operator = operator_of(p);
                non_empty("operator", operator)?;
                Movement {
                    serial,
                    at: *at,
                    kind: p.kind(),
                    detail: if detail.trim().is_empty() {
                        rules.payable[ii as usize].clone()
                    } else {
                        format!("{}：{}", rules.payable[ii as usize], detail.trim())
                    },
                    amount: Fen(-amount.get()),
                    balance_after: out(amount)?,
                    operator: operator.to_string(),
                    order: Some(order.clone()),
                    debit: Account::Consumed(ii),
                    credit: Account::Balance,
                    key: key.clone(),
                }
            }
            Posting::Refund {
                key,
                at,
                order,
                operator,
                reason,
                ..
            } => {
                non_empty("operator", operator)?;
                let o =
                    self.orders
                        .get(order.as_str())
                        .ok_or_else(|| LedgerError::UnknownOrder {
                            order: order.clone(),
                        })?;
                let refundable = o
                    .paid
                    .checked_sub(o.refunded)
                    .ok_or(LedgerError::Overflow)?;
                if amount > refundable {
                    return Err(LedgerError::RefundTooLarge {
                        order: order.clone(),
                        refundable,
                        amount,
                    });
                }
                let item = rules
                    .payable
                    .get(o.item as usize)
                    .cloned()
                    .unwrap_or_default();
                Movement {
                    serial,
                    at: *at,
                    kind: Kind::Refund,
                    detail: with_reason(format!("{item}：订单 {order} 退款"), reason),
                    amount,
                    balance_after: self
                        .balance
                        .checked_add(amount)
                        .ok_or(LedgerError::Overflow)?,
                    operator: operator.clone(),
                    order: Some(order.clone()),
                    debit: Account::Balance,
                    credit: Account::Consumed(o.item),
                    key: key.clone(),
                }
            }
            Posting::Withdraw {
                key,
                at,
                method,
                operator,
                reason,
                ..
            } => {
                let mi = rules.method(method)?;
                non_empty("operator", operator)?;
                Movement {
                    serial,
                    at: *at,
                    kind: Kind::Withdrawal,
                    detail: with_reason(
                        format!("退回至{}（人工客服）", rules.methods[mi as usize]),
                        reason,
                    ),
                    amount: Fen(-amount.get()),
                    balance_after: out(amount)?,
                    operator: operator.clone(),
                    order: None,
                    debit: Account::Funding(mi),
                    credit: Account::Balance,
                    key: key.clone(),
                }
            }
        };
        Ok(Some(m))
    }

    /// Posts a request: checks it, then applies it. On error nothing changes;
    /// a request whose key was posted before changes nothing and returns the
    /// earlier movement's serial with `duplicate: true`.
    pub fn post(&mut self, rules: &LedgerRules, p: &Posting) -> Result<Posted, LedgerError> {
        match self.check(rules, p)? {
            None => Ok(Posted {
                serial: self.keys.get(p.key()).copied().unwrap_or_default(),
                duplicate: true,
            }),
            Some(m) => Ok(Posted {
                serial: self.apply(m),
                duplicate: false,
            }),
        }
    }

    /// Applies a checked movement.
    fn apply(&mut self, m: Movement) -> u64 {
        let amount = Fen(m.amount.get().abs());
        *self.accounts.entry(m.debit).or_default() = Fen(self
            .accounts
            .get(&m.debit)
            .map_or(0, |f| f.get())
            .saturating_add(amount.get()));
        *self.accounts.entry(m.credit).or_default() = Fen(self
            .accounts
            .get(&m.credit)
            .map_or(0, |f| f.get())
            .saturating_sub(amount.get()));
        self.balance = m.balance_after;
        match (m.kind, &m.order, m.debit) {
            (Kind::Payment | Kind::AutoDeduction, Some(order), Account::Consumed(item)) => {
                self.orders.insert(
                    order.clone(),
                    Order {
                        item,
                        paid: amount,
                        refunded: Fen::ZERO,
                        serial: m.serial,
                    },
                );
            }
            (Kind::Refund, Some(order), _) => {
                if let Some(o) = self.orders.get_mut(order.as_str()) {
                    o.refunded = Fen(o.refunded.get().saturating_add(amount.get()));
                }
            }
            _ => {}
        }
        let serial = m.serial;
        self.keys.insert(m.key.clone(), serial);
        self.movements.push(m);
        serial
    }

    /// The movements with `from <= at < to`, oldest first.
    pub fn statement(
        &self,
        from: Option<Time>,
        to: Option<Time>,
    ) -> impl Iterator<Item = &Movement> {
        self.movements
            .iter()
            .filter(move |m| from.is_none_or(|f| m.at >= f) && to.is_none_or(|t| m.at < t))
    }
}

fn operator_of(p: &Posting) -> &str {
    match p {
        Posting::TopUp { operator, .. }
        | Posting::Pay { operator, .. }
        | Posting::Refund { operator, .. }
        | Posting::Withdraw { operator, .. } => operator,
        Posting::AutoDeduct { .. } => "系统自动扣款",
    }
}

fn non_empty(field: &'static str, v: &str) -> Result<(), LedgerError> {
    if v.trim().is_empty() {
        return Err(LedgerError::Empty { field });
    }
    Ok(())
}

fn with_reason(detail: String, reason: &str) -> String {
    if reason.trim().is_empty() {
        detail
    } else {
        format!("{detail}（{}）", reason.trim())
    }
}

/// `YYYYMMDD` of a time, in UTC.
fn date_digits(at: Time) -> String {
    let (y, m, d) = civil(at.div_euclid(86_400));
    format!("{y:04}{m:02}{d:02}")
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A time as RFC 3339 in UTC, `2026-11-21T08:00:00Z`.
pub fn format_time(at: Time) -> String {
    let (y, m, d) = civil(at.div_euclid(86_400));
    let s = at.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3_600,
        s / 60 % 60,
        s % 60
    )
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` (as [`format_time`] writes it), the inverse of it; 0 if unreadable.
pub fn parse_time(s: &str) -> i64 {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() < 19 {
        return 0;
    }
    let (Some(y), Some(m), Some(d), Some(hh), Some(mm), Some(ss)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return 0;
    };
    // Days from civil (proleptic Gregorian).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3_600 + mm * 60 + ss
}

/// A yuan figure for the statement: `-12.50`.
fn yuan(f: Fen) -> String {
    let sign = if f.get() < 0 { "-" } else { "" };
    let a = f.get().unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// One CSV field: quoted when needed, and a text cell that a spreadsheet
/// would read as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
fn csv_field(out: &mut String, v: &str, text: bool) {
    let guarded;
    let v = if text && v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{v}");
        guarded.as_str()
    } else {
        v
    };
    if v.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// The statement as CSV (`recharge.statement`): the seed's seven columns
/// (header in Chinese from the rulebook, or in English), one row per
/// movement, amounts in yuan with two decimals.
pub fn statement_csv<'a>(
    rules: &LedgerRules,
    rows: impl IntoIterator<Item = &'a Movement>,
    english: bool,
) -> String {
    let mut out = String::new();
    for (i, h) in rules.header(english).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, h, true);
    }
    out.push_str("\r\n");
    for m in rows {
        csv_field(&mut out, &format_time(m.at), false);
        out.push(',');
        csv_field(
            &mut out,
            if english { m.kind.en() } else { m.kind.zh() },
            true,
        );
        out.push(',');
        csv_field(&mut out, &m.detail, true);
        out.push(',');
        out.push_str(&yuan(m.amount));
        out.push(',');
        out.push_str(&yuan(m.balance_after));
        out.push(',');
        csv_field(&mut out, &m.operator, true);
        out.push(',');
        out.push_str(&m.serial_no());
        out.push_str("\r\n");
    }
    out
}

impl fmt::Display for Movement {
    /// One statement line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} 余额 {} {}",
            self.serial_no(),
            format_time(self.at),
            self.kind.zh(),
            self.detail,
            self.amount,
            self.balance_after,
            self.operator
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(1_795_248_000), "2026-11-21T08:00:00Z");
        assert_eq!(format_time(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn csv_quotes_and_guards() {
        let mut s = String::new();
        csv_field(&mut s, "a,\"b\"", true);
        assert_eq!(s, "\"a,\"\"b\"\"\"");
        let mut s = String::new();
        csv_field(&mut s, "=SUM(A1)", true);
        assert_eq!(s, "'=SUM(A1)");
    }
}
