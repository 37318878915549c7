//! Acquisition-assistant usage and auto-deduction (`wecom-admin/auto-deduct.*`).
//!
//! Each customer added through an acquisition link costs one use. A use is
//! taken, in this order (`auto-deduct.consumption-order`):
//! 1. from purchased usage: lots bought from the balance, each valid for 90
//!    days from its purchase (`auto-deduct.quota-validity`), the one that
//!    expires first used first;
//! 2. if auto-deduction is on, by a real-time deduction of the unit price
//!    from the balance (`auto-deduct.billing`, `recharge.auto-deduct.charge`);
//! 3. otherwise the add is refused (`auto-deduct.disable.2`, and
//!    `recharge.no-overdraft` when the balance is short).
//!
//! Every charge is idempotent on the add's id: the same add reported twice
//! is charged once and answers the first outcome. A refused add is not
//! remembered, so it may be retried after a top-up.
//!
//! Who may enable it, and with what category, is checked by
//! [`crate::books::Books`]; this module is the arithmetic.
//!
//! Choices the seed leaves open: several unexpired lots are used by
//! earliest expiry (the seed does not order them); the unit price is the
//! rulebook's (`auto-deduct.unit-price`, marked 限时优惠) unless the caller
//! pins another, and the price actually charged is stored with each charge.

use std::collections::HashMap;

use bylaw_rulebook::Rulebook;
use serde::{Deserialize, Serialize};

use crate::ledger::{Ledger, LedgerError, LedgerRules, Posting};
use crate::money::Fen;
use crate::tenant::Time;

/// Clause ids this module cites.
pub mod rule {
    /// 家校/政务 tenants excluded.
    pub const ELIGIBILITY: &str = "wecom-admin/auto-deduct.eligibility";
    /// ¥1/次.
    pub const UNIT_PRICE: &str = "wecom-admin/auto-deduct.unit-price";
    /// Purchased usage first, then auto-deduction.
    pub const ORDER: &str = "wecom-admin/auto-deduct.consumption-order";
    /// Usage valid 90 days.
    pub const VALIDITY: &str = "wecom-admin/auto-deduct.quota-validity";
    /// Without usage and without auto-deduction, customers cannot add members.
    pub const NO_USAGE: &str = "wecom-admin/auto-deduct.disable.2";
    /// Auto-deduction only for the acquisition assistant.
    pub const FEATURES: &str = "wecom-admin/recharge.auto-deduct";
    /// Who enables and disables.
    pub const WHO: &str = "wecom-admin/recharge.auto-deduct.who";
    /// No overdraft.
    pub const NO_OVERDRAFT: &str = "wecom-admin/recharge.no-overdraft";
}

/// The figures this module reads from the rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquisitionRules {
    /// The item charged (获客助手, `recharge.auto-deduct` list).
    pub item: String,
    /// Price per added customer (`auto-deduct.unit-price`).
    pub unit_price: Fen,
    /// How long purchased usage lasts, in seconds (`auto-deduct.quota-validity`).
    pub validity: Time,
    /// Industries that cannot use auto-deduction (`auto-deduct.eligibility`).
    pub excluded_industries: Vec<String>,
}

/// Why an acquisition operation was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquisitionError {
    /// The rulebook lacks a figure.
    #[error("规则库缺少 {rule} 的 `{name}` (the rulebook lacks `{name}` of {rule})")]
    Rulebook {
        /// The rule.
        rule: &'static str,
        /// What.
        name: &'static str,
    },
    /// No purchased usage left and auto-deduction is off.
    #[error("企业未购买使用量（或已用完、已过期）且未开通自动扣款，客户无法继续添加成员 (no purchased usage left and auto-deduction is off: the customer cannot add the member) [{rule}]", rule = rule::NO_USAGE)]
    NoUsage,
    /// Auto-deduction is on but the balance does not cover the price.
    #[error("余额不足，自动扣款失败：可用余额 {balance}，单价 {price}；企业未购买使用量，客户无法继续添加成员 (insufficient balance for auto-deduction: {balance} available, {price} per customer; no purchased usage left) [{rule}]", rule = rule::NO_OVERDRAFT)]
    Insufficient {
        /// The balance.
        balance: Fen,
        /// The price.
        price: Fen,
    },
    /// A count is zero.
    #[error("count: 购买的使用量必须大于 0 (the usage bought must be positive)")]
    Count,
    /// Already in the state asked for.
    #[error("自动扣款已{state_zh} (auto-deduction is already {state_en})")]
    AlreadySo {
        /// The state, Chinese.
        state_zh: &'static str,
        /// The state, English.
        state_en: &'static str,
    },
    /// The id of an add is empty.
    #[error("add: 添加记录的 id 不能为空 (the add's id must not be empty)")]
    EmptyId,
    /// The ledger refused.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl AcquisitionRules {
    /// Reads the figures from the rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<AcquisitionRules, AcquisitionError> {
        let missing = |rule, name| AcquisitionError::Rulebook { rule, name };
        let item = rb
            .rule(rule::FEATURES)
            .and_then(|r| r.list("auto-deduct-features"))
            .and_then(|l| l.items.first().cloned())
            .ok_or(missing(rule::FEATURES, "auto-deduct-features"))?;
        let price = rb
            .rule(rule::UNIT_PRICE)
            .and_then(|r| r.threshold("price-per-added-customer", None))
            .and_then(|t| t.value)
            .and_then(|v| Fen::from_yuan_f64(v.get()))
            .ok_or(missing(rule::UNIT_PRICE, "price-per-added-customer"))?;
        let days = rb
            .rule(rule::VALIDITY)
            .and_then(|r| r.threshold("usage-validity", None))
            .and_then(|t| t.value)
            .and_then(|v| v.as_i64())
            .ok_or(missing(rule::VALIDITY, "usage-validity"))?;
        let excluded_industries = rb
            .rule(rule::ELIGIBILITY)
            .and_then(|r| r.list("excluded-industries"))
            .map(|l| l.items.clone())
            .ok_or(missing(rule::ELIGIBILITY, "excluded-industries"))?;
        Ok(AcquisitionRules {
            item,
            unit_price: price,
            validity: days * 86_400,
            excluded_industries,
        })
    }
}

/// Usage bought in one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// The order that paid for it.
    pub order: String,
    /// When it was bought.
    pub bought: Time,
    /// When it expires (`bought` + the validity).
    pub expires: Time,
    /// Uses bought.
    pub total: u32,
    /// Uses left.
    pub left: u32,
}

/// How one added customer was paid for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Charge {
    /// One use of a purchased lot.
    Usage {
        /// The lot's order.
        order: String,
        /// Uses left in it.
        left: u32,
        /// When the lot expires.
        expires: Time,
    },
    /// A real-time deduction from the balance.
    Balance {
        /// The ledger movement.
        serial: u64,
        /// The amount.
        amount: Fen,
    },
}

/// The outcome of an added customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    /// The add's id.
    pub add: String,
    /// How it was paid.
    pub charge: Charge,
    /// True when this add had been charged before (nothing charged now).
    pub duplicate: bool,
    /// The rule that decided the source of payment.
    pub rule: &'static str,
}

/// A lot that expired with uses left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expired {
    /// The lot's order.
    pub order: String,
    /// Unused uses lost.
    pub unused: u32,
    /// When it expired.
    pub expires: Time,
    /// `auto-deduct.quota-validity`.
    pub rule: &'static str,
}

/// One tenant's acquisition-assistant state.
#[derive(Debug, Clone, Default)]
pub struct Acquisition {
    enabled: Option<(String, Time)>,
    lots: Vec<Lot>,
    /// Lots before this index are used up.
    live_from: usize,
    adds: HashMap<String, Charge>,
    /// Lots whose expiry was already reported.
    expired_reported: usize,
}

impl Acquisition {
    /// Whether auto-deduction is on, and who turned it on when.
    pub fn auto_deduct(&self) -> Option<(&str, Time)> {
        self.enabled.as_ref().map(|(w, t)| (w.as_str(), *t))
    }

    /// Every lot bought, oldest first.
    pub fn lots(&self) -> &[Lot] {
        &self.lots
    }

    /// Unexpired uses left at `at`.
    pub fn usage_left(&self, at: Time) -> u64 {
        self.lots
            .iter()
            .filter(|l| l.expires > at)
            .map(|l| u64::from(l.left))
            .sum()
    }

    /// Customers charged so far.
    pub fn adds(&self) -> usize {
        self.adds.len()
    }

    /// Turns auto-deduction on (the caller has checked who and the category).
    pub fn enable(&mut self, by: &str, at: Time) -> Result<(), AcquisitionError> {
        if self.enabled.is_some() {
            return Err(AcquisitionError::AlreadySo {
                state_zh: "开通",
                state_en: "on",
            });
        }
        self.enabled = Some((by.to_string(), at));
        Ok(())
    }

    /// Turns auto-deduction off (`auto-deduct.disable`).
    pub fn disable(&mut self) -> Result<(), AcquisitionError> {
        if self.enabled.take().is_none() {
            return Err(AcquisitionError::AlreadySo {
                state_zh: "关闭",
                state_en: "off",
            });
        }
        Ok(())
    }

    /// Buys `count` uses with an order paid from the balance; they expire
    /// `rules.validity` after `at` unless `expires` pins another time.
    #[allow(clippy::too_many_arguments)]
    pub fn buy(
        &mut self,
        ledger: &mut Ledger,
        lrules: &LedgerRules,
        rules: &AcquisitionRules,
        key: &str,
        order: &str,
        count: u32,
        amount: Fen,
        operator: &str,
        at: Time,
    ) -> Result<(u64, bool), AcquisitionError> {
        if count == 0 {
            return Err(AcquisitionError::Count);
        }
        let posted = ledger.post(
            lrules,
            &Posting::Pay {
                key: key.to_string(),
                at,
                order: order.to_string(),
                item: rules.item.clone(),
                amount,
                operator: operator.to_string(),
                detail: format!("购买指定使用量 {count} 次"),
            },
        )?;
        if !posted.duplicate {
            self.lots.push(Lot {
                order: order.to_string(),
                bought: at,
                expires: at.saturating_add(rules.validity),
                total: count,
                left: count,
            });
            // Keep lots ordered by expiry (earliest first) even if bought
            // out of time order.
            let live = &mut self.lots[self.live_from..];
            live.sort_by_key(|l| l.expires);
        }
        Ok((posted.serial, posted.duplicate))
    }

    /// Charges one added customer (`auto-deduct.consumption-order`).
    /// `price` is the unit price to deduct if a deduction is needed.
    pub fn add_customer(
        &mut self,
        ledger: &mut Ledger,
        lrules: &LedgerRules,
        rules: &AcquisitionRules,
        add: &str,
        price: Fen,
        at: Time,
    ) -> Result<Added, AcquisitionError> {
        if add.trim().is_empty() {
            return Err(AcquisitionError::EmptyId);
        }
        if let Some(c) = self.adds.get(add) {
            return Ok(Added {
                add: add.to_string(),
                charge: c.clone(),
                duplicate: true,
                rule: rule::ORDER,
            });
        }
        while self.live_from < self.lots.len() && self.lots[self.live_from].left == 0 {
            self.live_from += 1;
        }
        let lot = self.lots[self.live_from..]
            .iter_mut()
            .find(|l| l.left > 0 && l.expires > at && l.bought <= at);
        let (charge, rule) = match lot {
            Some(l) => {
                l.left -= 1;
                (
                    Charge::Usage {
                        order: l.order.clone(),
                        left: l.left,
                        expires: l.expires,
                    },
                    rule::ORDER,
                )
            }
            None => {
                if self.enabled.is_none() {
                    return Err(AcquisitionError::NoUsage);
                }
                let posted = ledger
                    .post(
                        lrules,
                        &Posting::AutoDeduct {
                            key: format!("acquisition-add:{add}"),
                            at,
                            order: format!("acquisition-add:{add}"),
                            item: rules.item.clone(),
                            amount: price,
                            detail: format!("客户添加 {add}"),
                        },
                    )
                    .map_err(|e| match e {
                        LedgerError::Insufficient { balance, amount } => {
                            AcquisitionError::Insufficient {
                                balance,
                                price: amount,
                            }
                        }
                        e => AcquisitionError::Ledger(e),
                    })?;
                (
                    Charge::Balance {
                        serial: posted.serial,
                        amount: price,
                    },
                    rule::UNIT_PRICE,
                )
            }
        };
        self.adds.insert(add.to_string(), charge.clone());
        Ok(Added {
            add: add.to_string(),
            charge,
            duplicate: false,
            rule,
        })
    }

    /// Lots that have expired with uses left since the last call, for notices.
    pub fn expire(&mut self, at: Time) -> Vec<Expired> {
        let mut out = Vec::new();
        // Lots are ordered by expiry, so the reported ones form a prefix.
        while self.expired_reported < self.lots.len()
            && self.lots[self.expired_reported].expires <= at
        {
            let l = &self.lots[self.expired_reported];
            if l.left > 0 {
                out.push(Expired {
                    order: l.order.clone(),
                    unused: l.left,
                    expires: l.expires,
                    rule: rule::VALIDITY,
                });
            }
            self.expired_reported += 1;
        }
        out
    }
}
