//! The prepaid balance: ledger properties, spend permissions, auto-deduction,
//! low-balance alerts and the statement, one test per statement of
//! `wecom-admin/recharge.*` and `wecom-admin/auto-deduct.*`.

use std::sync::{Arc, Mutex};

use bylaw_rulebook::Rulebook;
use bylaw_store::EventLog;
use bylaw_tenant::acquisition::{AcquisitionError, Charge};
use bylaw_tenant::alert::{AlertSettings, Frequency, Recipient};
use bylaw_tenant::books::{BookCommand, BookRules, Books, BooksError, Notice};
use bylaw_tenant::file::{Command, TenantFile};
use bylaw_tenant::journal::{BookEvent, Entry, Journal};
use bylaw_tenant::ledger::{self, Account, Kind, Ledger, LedgerError, LedgerRules, Posting};
use bylaw_tenant::{Fen, Limits, Tenant, TenantError};
use proptest::prelude::*;

const DAY: i64 = 86_400;
const T0: i64 = 1_795_248_000; // 2026-11-21T08:00:00Z

pub const TENANT: &str = r#"
[tenant]
id = "acme"
name = "示例科技"
creator = "boss"
verified = true
category = { status = "approved", category = "it-internet.software" }

[[department]]
id = "fin"
name = "财务"
parent = "root"

[[department]]
id = "ap"
name = "应付"
parent = "fin"

[[member]]
id = "boss"
departments = ["root"]

[[member]]
id = "admin"
departments = ["root"]

[[member]]
id = "cashier"
departments = ["ap"]
tags = ["finance"]

[[member]]
id = "sales"
departments = ["root"]

[[member]]
id = "marketer"
departments = ["root"]

[[super_admin]]
id = "admin"
kind = "internal"

[[spend_rule]]
id = "growth"
members = ["marketer"]
items = ["获客助手"]
"#;

fn rb() -> &'static Rulebook {
    static RB: std::sync::OnceLock<Rulebook> = std::sync::OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().unwrap())
}

fn rules() -> BookRules {
    BookRules::from_rulebook(rb()).unwrap()
}

fn tenant_with(edit: impl FnOnce(&mut String)) -> Tenant {
    let mut text = TENANT.to_string();
    edit(&mut text);
    let f = TenantFile::parse(&text).unwrap();
    f.build(Limits::from_rulebook(rb()).unwrap()).unwrap()
}

fn tenant() -> Tenant {
    tenant_with(|_| {})
}

fn top_up(key: &str, yuan: i64, at: i64) -> BookCommand {
    BookCommand::TopUp {
        key: key.into(),
        actor: "admin".into(),
        method: "wechat-pay".into(),
        amount: Fen::yuan(yuan),
        at,
    }
}

fn pay(key: &str, actor: &str, item: &str, fen: i64, at: i64) -> BookCommand {
    BookCommand::Pay {
        key: key.into(),
        actor: actor.into(),
        order: format!("o-{key}"),
        item: item.into(),
        amount: Fen(fen),
        detail: String::new(),
        at,
    }
}

fn sum(l: &Ledger) -> i64 {
    l.accounts().iter().map(|(_, f)| f.get()).sum()
}

// ---- recharge.sources ------------------------------------------------

/// wecom-admin/recharge.sources: four methods, by the seed's name or an alias; others refused.
#[test]
fn recharge_sources_four_methods() {
    let lr = LedgerRules::from_rulebook(rb()).unwrap();
    assert_eq!(lr.methods.len(), 4);
    let mut l = Ledger::new();
    for (i, m) in [
        "对公转账/汇款",
        "wechat-pay",
        "QQ 钱包支付",
        "online-banking",
    ]
    .iter()
    .enumerate()
    {
        let p = Posting::TopUp {
            key: format!("t{i}"),
            at: T0,
            method: m.to_string(),
            amount: Fen::yuan(10),
            operator: "admin".into(),
        };
        l.post(&lr, &p).unwrap();
    }
    assert_eq!(l.balance(), Fen::yuan(40));
    let bad = Posting::TopUp {
        key: "t9".into(),
        at: T0,
        method: "对外收款余额".into(),
        amount: Fen::yuan(10),
        operator: "admin".into(),
    };
    let e = l.post(&lr, &bad).unwrap_err();
    assert!(matches!(e, LedgerError::Method { .. }));
    assert!(e.to_string().contains("recharge.sources"));
    assert_eq!(l.movements().len(), 4);
}

// ---- recharge.payable / .excluded ---------------------------------------

/// wecom-admin/recharge.payable and .payable.excluded: payable items only; the four excluded are refused by name.
#[test]
fn recharge_payable_and_excluded_items() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 1000, T0)).unwrap();
    for item in &r.ledger.payable {
        b.apply(&t, &r, &pay(&format!("p-{item}"), "admin", item, 100, T0))
            .unwrap();
    }
    for item in ["会议高级功能", "会话内容存档", "数据保障计划", "公费电话"] {
        let e = b
            .apply(&t, &r, &pay(&format!("x-{item}"), "admin", item, 100, T0))
            .unwrap_err();
        assert!(
            matches!(e, BooksError::Ledger(LedgerError::Excluded { .. })),
            "{item}: {e}"
        );
        assert!(e.to_string().contains("recharge.payable.excluded"));
    }
    let e = b
        .apply(&t, &r, &pay("x-other", "admin", "别家企业的订单", 100, T0))
        .unwrap_err();
    assert!(matches!(
        e,
        BooksError::Ledger(LedgerError::NotPayable { .. })
    ));
    assert_eq!(b.ledger.movements().len(), 1 + r.ledger.payable.len());
}

// ---- recharge.no-overdraft --------------------------------------------

/// wecom-admin/recharge.no-overdraft: a spend larger than the balance fails and changes nothing.
#[test]
fn no_overdraft_changes_nothing() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 100, T0)).unwrap();
    let before = b.ledger.clone();
    let e = b
        .apply(&t, &r, &pay("big", "admin", "邮件高级功能", 10_001, T0))
        .unwrap_err();
    match &e {
        BooksError::Ledger(LedgerError::Insufficient { balance, amount }) => {
            assert_eq!(*balance, Fen::yuan(100));
            assert_eq!(*amount, Fen(10_001));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("recharge.no-overdraft"));
    assert_eq!(b.ledger.movements(), before.movements());
    assert_eq!(b.ledger.balance(), before.balance());
    // The exact balance may be spent.
    b.apply(&t, &r, &pay("all", "admin", "邮件高级功能", 10_000, T0))
        .unwrap();
    assert_eq!(b.ledger.balance(), Fen::ZERO);
}

// ---- spend permission ---------------------------------------------------

/// wecom-admin/recharge.spend-permission.default and .custom: super admins pay everything; a custom rule allows its items only; others are refused.
#[test]
fn spend_permission_default_and_custom_rules() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 1000, T0)).unwrap();
    b.apply(&t, &r, &pay("a", "admin", "文档高级功能", 100, T0))
        .unwrap();
    b.apply(&t, &r, &pay("m", "marketer", "获客助手", 100, T0))
        .unwrap();
    let e = b
        .apply(&t, &r, &pay("m2", "marketer", "文档高级功能", 100, T0))
        .unwrap_err();
    assert!(
        matches!(e, BooksError::Tenant(TenantError::Denied { .. })),
        "{e}"
    );
    let e = b
        .apply(&t, &r, &pay("s", "sales", "获客助手", 100, T0))
        .unwrap_err();
    assert!(matches!(e, BooksError::Tenant(TenantError::Denied { .. })));
    // recharge.entry: only super admins top up.
    let e = b
        .apply(
            &t,
            &r,
            &BookCommand::TopUp {
                key: "t2".into(),
                actor: "cashier".into(),
                method: "wechat-pay".into(),
                amount: Fen::yuan(1),
                at: T0,
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("recharge.entry"), "{e}");
}

// ---- refunds ----------------------------------------------------------------

/// wecom-admin/recharge.refund.consumed: a paid order refunds to the balance, partially, never beyond what was paid; .refund.unconsumed goes back out through customer service.
#[test]
fn refunds_of_paid_orders_and_unconsumed_money() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 100, T0)).unwrap();
    b.apply(&t, &r, &pay("p", "admin", "微盘高级功能", 6_000, T0))
        .unwrap();
    let refund = |key: &str, fen: i64| BookCommand::Refund {
        key: key.into(),
        operator: "客服".into(),
        order: "o-p".into(),
        amount: Fen(fen),
        reason: "按退款说明".into(),
        at: T0 + 10,
    };
    b.apply(&t, &r, &refund("r1", 2_000)).unwrap();
    assert_eq!(b.ledger.balance(), Fen(6_000));
    let e = b.apply(&t, &r, &refund("r2", 4_001)).unwrap_err();
    assert!(matches!(
        e,
        BooksError::Ledger(LedgerError::RefundTooLarge {
            refundable: Fen(4_000),
            ..
        })
    ));
    b.apply(&t, &r, &refund("r3", 4_000)).unwrap();
    assert_eq!(b.ledger.balance(), Fen(10_000));
    let e = b.apply(&t, &r, &refund("r4", 1)).unwrap_err();
    assert!(matches!(
        e,
        BooksError::Ledger(LedgerError::RefundTooLarge { .. })
    ));
    let back = BookCommand::RefundUnconsumed {
        key: "w".into(),
        operator: "客服".into(),
        method: "bank-transfer".into(),
        amount: Fen::yuan(100),
        reason: String::new(),
        at: T0 + 20,
    };
    b.apply(&t, &r, &back).unwrap();
    assert_eq!(b.ledger.balance(), Fen::ZERO);
    assert_eq!(sum(&b.ledger), 0);
    let consumed = b.ledger.consumed(&r.ledger);
    assert!(consumed.iter().all(|(_, f)| *f == Fen::ZERO));
}

// ---- idempotency -----------------------------------------------------------

/// A repeated key posts nothing twice; a key reused for another amount is refused.
#[test]
fn idempotent_keys() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    let (o1, _) = b.apply(&t, &r, &top_up("t", 100, T0)).unwrap();
    let (o2, _) = b.apply(&t, &r, &top_up("t", 100, T0)).unwrap();
    assert!(o1.changed && !o2.changed);
    assert_eq!(b.ledger.balance(), Fen::yuan(100));
    let e = b.apply(&t, &r, &top_up("t", 99, T0)).unwrap_err();
    assert!(matches!(
        e,
        BooksError::Ledger(LedgerError::KeyReused { serial: 1, .. })
    ));
}

// ---- statement ------------------------------------------------------------------

/// wecom-admin/recharge.statement: every movement with time, type, details, amount, balance after, operator and serial number; CSV with the seed's columns.
#[test]
fn statement_columns_and_csv() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 980, T0)).unwrap();
    b.apply(
        &t,
        &r,
        &BookCommand::Pay {
            key: "p".into(),
            actor: "admin".into(),
            order: "A-1".into(),
            item: "安全高级功能".into(),
            amount: Fen(12_345),
            detail: "=防泄密 10 席".into(),
            at: T0 + 60,
        },
    )
    .unwrap();
    let csv = ledger::statement_csv(&r.ledger, b.ledger.statement(None, None), false);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "交易时间,交易类型,购买详情,交易金额 (元),可用余额 (元),操作者,交易流水号"
    );
    assert_eq!(
        lines[1],
        "2026-11-21T08:00:00Z,充值,微信支付,980.00,980.00,admin,202611210000000001"
    );
    assert_eq!(
        lines[2],
        "2026-11-21T08:01:00Z,余额支付,安全高级功能：=防泄密 10 席,-123.45,856.55,admin,202611210000000002"
    );
    let en = ledger::statement_csv(&r.ledger, b.ledger.statement(Some(T0 + 1), None), true);
    assert!(en.starts_with("time,type,details,amount (yuan),balance (yuan),operator,serial number"));
    assert_eq!(en.lines().count(), 2);
    assert!(en.contains(",payment,"));
}

// ---- auto-deduction ---------------------------------------------------------

fn add(id: &str, at: i64) -> BookCommand {
    BookCommand::AddCustomer {
        add: id.into(),
        price: None,
        at,
    }
}

fn auto(actor: &str, on: bool) -> BookCommand {
    BookCommand::SetAutoDeduct {
        actor: actor.into(),
        on,
        at: T0,
    }
}

/// wecom-admin/recharge.auto-deduct.who, auto-deduct.eligibility, business-category.unset.blocked: who and which tenants may enable auto-deduction.
#[test]
fn auto_deduct_enable_requires_permission_category_and_industry() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    let e = b.apply(&t, &r, &auto("sales", true)).unwrap_err();
    assert!(matches!(e, BooksError::Tenant(TenantError::Denied { .. })));
    b.apply(&t, &r, &auto("marketer", true)).unwrap();
    b.apply(&t, &r, &auto("admin", false)).unwrap();

    let unset = tenant_with(|s| {
        *s = s.replace(
            "category = { status = \"approved\", category = \"it-internet.software\" }\n",
            "",
        )
    });
    let e = Books::new()
        .apply(&unset, &r, &auto("admin", true))
        .unwrap_err();
    assert!(
        e.to_string().contains("business-category.unset.blocked"),
        "{e}"
    );

    let school = tenant_with(|s| {
        *s = s.replace(
            "verified = true",
            "verified = true\nindustry = \"家校行业\"",
        )
    });
    let e = Books::new()
        .apply(&school, &r, &auto("admin", true))
        .unwrap_err();
    assert!(e.to_string().contains("auto-deduct.eligibility"), "{e}");
}

/// wecom-admin/auto-deduct.consumption-order and .quota-validity: purchased usage first (expiring first), lots expire after 90 days, then the unit price from the balance; with neither, refused.
#[test]
fn auto_deduct_uses_lots_then_balance_then_refuses() {
    let r = rules();
    let t = tenant();
    let validity = 90 * DAY;
    assert_eq!(r.acquisition.validity, validity);
    assert_eq!(r.acquisition.unit_price, Fen::yuan(1));
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 3, T0)).unwrap();
    // Without usage and without auto-deduction: refused (auto-deduct.disable.2).
    let e = b.apply(&t, &r, &add("c0", T0)).unwrap_err();
    assert!(matches!(
        e,
        BooksError::Acquisition(AcquisitionError::NoUsage)
    ));
    assert!(e.to_string().contains("auto-deduct.disable.2"));
    let buy = |key: &str, count: u32, at: i64| BookCommand::BuyUsage {
        key: key.into(),
        actor: "marketer".into(),
        order: format!("lot-{key}"),
        count,
        amount: Fen(1),
        at,
    };
    b.apply(&t, &r, &buy("a", 1, T0)).unwrap();
    b.apply(&t, &r, &buy("b", 2, T0 + 10 * DAY)).unwrap();
    b.apply(&t, &r, &auto("marketer", true)).unwrap();
    // Oldest lot first.
    let (o, _) = b.apply(&t, &r, &add("c1", T0 + 20 * DAY)).unwrap();
    assert_eq!(o.data["charge"]["order"], "lot-a");
    // Lot a is used up; lot b next.
    let (o, _) = b.apply(&t, &r, &add("c2", T0 + 20 * DAY)).unwrap();
    assert_eq!(o.data["charge"]["order"], "lot-b");
    // Day 100: lot b (bought day 10) expired at day 100 exactly.
    let at = T0 + 10 * DAY + validity;
    let balance = b.ledger.balance();
    let (o, _) = b.apply(&t, &r, &add("c3", at)).unwrap();
    assert_eq!(o.data["charge"]["from"], "balance");
    assert_eq!(b.ledger.balance(), Fen(balance.get() - 100));
    let last = b.ledger.movements().last().unwrap();
    assert_eq!(last.kind, Kind::AutoDeduction);
    // Idempotent on the add id.
    let (o, _) = b.apply(&t, &r, &add("c3", at)).unwrap();
    assert!(!o.changed);
    assert_eq!(b.ledger.balance(), Fen(balance.get() - 100));
    // Drain the balance, then refused with the figures (recharge.no-overdraft).
    while b.ledger.balance() >= Fen::yuan(1) {
        let n = b.ledger.movements().len();
        b.apply(&t, &r, &add(&format!("d{n}"), at)).unwrap();
    }
    let e = b.apply(&t, &r, &add("z", at)).unwrap_err();
    assert!(matches!(
        e,
        BooksError::Acquisition(AcquisitionError::Insufficient { .. })
    ));
    assert!(e.to_string().contains("recharge.no-overdraft"));
    // A refused add is not remembered: it succeeds after a top-up.
    b.apply(&t, &r, &top_up("t2", 1, at)).unwrap();
    let (o, _) = b.apply(&t, &r, &add("z", at)).unwrap();
    assert!(matches!(
        serde_json::from_value::<Charge>(o.data["charge"].clone()).unwrap(),
        Charge::Balance { .. }
    ));
    // Turned off: no more deductions (auto-deduct.disable.1).
    b.apply(&t, &r, &top_up("t3", 5, at)).unwrap();
    b.apply(&t, &r, &auto("admin", false)).unwrap();
    assert!(b.apply(&t, &r, &add("y", at)).is_err());
}

/// wecom-admin/auto-deduct.quota-validity: a lot expiring unused is reported once by the tick.
#[test]
fn expired_usage_is_reported() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 10, T0)).unwrap();
    b.apply(
        &t,
        &r,
        &BookCommand::BuyUsage {
            key: "u".into(),
            actor: "admin".into(),
            order: "lot".into(),
            count: 5,
            amount: Fen::yuan(5),
            at: T0,
        },
    )
    .unwrap();
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + 89 * DAY })
        .unwrap();
    assert!(o.notices.is_empty());
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + 90 * DAY })
        .unwrap();
    assert!(matches!(&o.notices[0], Notice::UsageExpired(e) if e.unused == 5));
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + 91 * DAY })
        .unwrap();
    assert!(o.notices.is_empty());
}

/// The price charged is pinned into the logged command, so a replay after a price change charges the same.
#[test]
fn add_customer_is_pinned_with_its_price() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 10, T0)).unwrap();
    b.apply(&t, &r, &auto("admin", true)).unwrap();
    let (_, pinned) = b.apply(&t, &r, &add("c", T0)).unwrap();
    assert_eq!(
        pinned,
        BookCommand::AddCustomer {
            add: "c".into(),
            price: Some(Fen::yuan(1)),
            at: T0
        }
    );
}

// ---- low-balance alerts ---------------------------------------------------------

fn alert(threshold: i64, freq: Frequency, recipients: Vec<Recipient>) -> BookCommand {
    BookCommand::SetAlert {
        actor: "admin".into(),
        settings: AlertSettings {
            threshold_yuan: threshold,
            recipients,
            frequency: freq,
        },
        at: T0,
    }
}

fn low(o: &bylaw_tenant::books::Outcome) -> Option<&bylaw_tenant::alert::AlertNotice> {
    o.notices.iter().find_map(|n| match n {
        Notice::LowBalance(a) => Some(a),
        _ => None,
    })
}

/// wecom-admin/recharge.low-balance-alert.*: off by default; below (not equal) alerts; repeats at the frequency; stops on recovery; adjustable and disableable.
#[test]
fn low_balance_alert_lifecycle() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 100, T0)).unwrap();
    // Off by default: spending below anything sends nothing.
    let (o, _) = b
        .apply(&t, &r, &pay("p0", "admin", "邮件高级功能", 9_000, T0))
        .unwrap();
    assert!(low(&o).is_none());
    // Set at 50 yuan, daily (default), to a member, a department and a tag.
    let (o, _) = b
        .apply(
            &t,
            &r,
            &alert(
                50,
                Frequency::default(),
                vec![
                    Recipient::Member("boss".into()),
                    Recipient::Department("fin".into()),
                    Recipient::Tag("finance".into()),
                ],
            ),
        )
        .unwrap();
    let n = low(&o).expect("balance 10 < 50 alerts at once");
    assert_eq!(
        n.recipients,
        vec!["boss".to_string(), "cashier".to_string()]
    );
    assert_eq!(n.next_at, T0 + DAY);
    assert!(n.zh.contains("低于预警金额"));
    // Within the day: silent; after a day: again.
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + DAY - 1 })
        .unwrap();
    assert!(low(&o).is_none());
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + DAY })
        .unwrap();
    assert!(low(&o).is_some());
    // Recovery to exactly the amount (not below) stops the alerts.
    b.apply(&t, &r, &top_up("t2", 40, T0 + DAY + 5)).unwrap();
    assert_eq!(b.ledger.balance(), Fen::yuan(50));
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + 3 * DAY })
        .unwrap();
    assert!(low(&o).is_none());
    // Dropping again alerts at once (a new episode).
    let (o, _) = b
        .apply(
            &t,
            &r,
            &pay("p1", "admin", "邮件高级功能", 1, T0 + 3 * DAY + 1),
        )
        .unwrap();
    assert!(low(&o).is_some());
    // Hourly.
    b.apply(
        &t,
        &r,
        &alert(
            50,
            Frequency::Hourly,
            vec![Recipient::Member("admin".into())],
        ),
    )
    .unwrap();
    let (o, _) = b
        .apply(
            &t,
            &r,
            &BookCommand::Tick {
                at: T0 + 3 * DAY + 3_601,
            },
        )
        .unwrap();
    assert!(low(&o).is_some());
    // Weekly.
    let (o, _) = b
        .apply(
            &t,
            &r,
            &alert(
                50,
                Frequency::Weekly,
                vec![Recipient::Member("admin".into())],
            ),
        )
        .unwrap();
    let n = low(&o).unwrap();
    assert_eq!(n.next_at - n.at, 7 * DAY);
    // Disabled: nothing more.
    b.apply(
        &t,
        &r,
        &BookCommand::DisableAlert {
            actor: "admin".into(),
            at: T0,
        },
    )
    .unwrap();
    let (o, _) = b
        .apply(&t, &r, &BookCommand::Tick { at: T0 + 30 * DAY })
        .unwrap();
    assert!(low(&o).is_none());
}

/// wecom-admin/recharge.low-balance-alert.amount and .recipients: bad settings are refused naming the field.
#[test]
fn low_balance_alert_validation() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    let e = b
        .apply(
            &t,
            &r,
            &alert(-1, Frequency::Daily, vec![Recipient::Member("boss".into())]),
        )
        .unwrap_err();
    assert!(e.to_string().starts_with("threshold_yuan"), "{e}");
    let e = b
        .apply(&t, &r, &alert(0, Frequency::Daily, vec![]))
        .unwrap_err();
    assert!(e.to_string().starts_with("recipients"), "{e}");
    let e = b
        .apply(
            &t,
            &r,
            &alert(0, Frequency::Daily, vec![Recipient::Tag("nobody".into())]),
        )
        .unwrap_err();
    assert!(e.to_string().contains("tag:nobody"), "{e}");
    let e = b
        .apply(
            &t,
            &r,
            &BookCommand::SetAlert {
                actor: "cashier".into(),
                settings: AlertSettings {
                    threshold_yuan: 1,
                    recipients: vec![Recipient::Member("boss".into())],
                    frequency: Frequency::Daily,
                },
                at: T0,
            },
        )
        .unwrap_err();
    assert!(matches!(e, BooksError::Tenant(TenantError::Denied { .. })));
    assert!("monthly".parse::<Frequency>().is_err());
}

// ---- properties ---------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    TopUp(i64),
    Pay(usize, i64),
    Refund(usize, i64),
    Back(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..50_000).prop_map(Op::TopUp),
        (0usize..7, 1i64..80_000).prop_map(|(i, a)| Op::Pay(i, a)),
        (0usize..40, 1i64..30_000).prop_map(|(i, a)| Op::Refund(i, a)),
        (1i64..50_000).prop_map(Op::Back),
    ]
}

fn posting(lr: &LedgerRules, i: usize, op: &Op) -> Posting {
    let key = format!("k{i}");
    match op {
        Op::TopUp(a) => Posting::TopUp {
            key,
            at: T0 + i as i64,
            method: "wechat-pay".into(),
            amount: Fen(*a),
            operator: "admin".into(),
        },
        Op::Pay(item, a) => Posting::Pay {
            key,
            at: T0 + i as i64,
            order: format!("o{i}"),
            item: lr.payable[*item % lr.payable.len()].clone(),
            amount: Fen(*a),
            operator: "admin".into(),
            detail: String::new(),
        },
        Op::Refund(o, a) => Posting::Refund {
            key,
            at: T0 + i as i64,
            order: format!("o{o}"),
            amount: Fen(*a),
            operator: "客服".into(),
            reason: String::new(),
        },
        Op::Back(a) => Posting::Withdraw {
            key,
            at: T0 + i as i64,
            method: "bank-transfer".into(),
            amount: Fen(*a),
            operator: "客服".into(),
            reason: String::new(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The entries always sum to zero, the balance is never negative, a refused posting changes nothing, and replaying the accepted postings gives the same ledger.
    #[test]
    fn ledger_invariants(ops in proptest::collection::vec(op(), 1..120)) {
        let lr = LedgerRules::from_rulebook(rb()).unwrap();
        let mut l = Ledger::new();
        let mut accepted = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            let p = posting(&lr, i, o);
            let before = (l.balance(), l.movements().len(), l.accounts());
            match l.post(&lr, &p) {
                Ok(_) => accepted.push(p),
                Err(_) => prop_assert_eq!(before, (l.balance(), l.movements().len(), l.accounts())),
            }
            prop_assert_eq!(sum(&l), 0);
            prop_assert!(l.balance() >= Fen::ZERO);
            let bal = l.accounts().into_iter().find(|(a, _)| *a == Account::Balance).map_or(Fen::ZERO, |x| x.1);
            prop_assert_eq!(bal, l.balance());
        }
        prop_assert!(l.movements().iter().all(|m| m.balance_after >= Fen::ZERO));
        let mut again = Ledger::new();
        for p in &accepted {
            prop_assert!(!again.post(&lr, p).unwrap().duplicate);
        }
        prop_assert_eq!(again.movements(), l.movements());
        prop_assert_eq!(again.accounts(), l.accounts());
        // Posting everything a second time moves nothing.
        for p in &accepted {
            prop_assert!(l.post(&lr, p).unwrap().duplicate);
        }
        prop_assert_eq!(again.movements(), l.movements());
    }
}

fn import(j: &mut Journal) {
    let f = TenantFile::parse(TENANT).unwrap();
    j.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
        .unwrap()
        .unwrap();
}

fn book(cmd: BookCommand) -> Entry {
    Entry::Books(BookEvent {
        tenant: "acme".into(),
        command: cmd,
    })
}

/// Threads spending at random through one journal never take the balance below zero, and reopening the log gives the same books.
#[test]
fn concurrent_spends_never_overdraw_and_replay_matches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bylaw.db");
    let mut j = Journal::open(&path, rb()).unwrap();
    import(&mut j);
    j.submit_one(book(top_up("seed", 500, T0)))
        .unwrap()
        .unwrap();
    let j = Arc::new(Mutex::new(j));
    let threads: Vec<_> = (0..8)
        .map(|th| {
            let j = Arc::clone(&j);
            std::thread::spawn(move || {
                let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ th;
                let mut refused = 0;
                for i in 0..60 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let amount = (x % 9_000) as i64 + 1;
                    let cmd = if x % 10 == 0 {
                        top_up(&format!("t{th}-{i}"), (x % 50) as i64 + 1, T0 + i)
                    } else {
                        pay(
                            &format!("p{th}-{i}"),
                            "admin",
                            "邮件高级功能",
                            amount,
                            T0 + i,
                        )
                    };
                    let batch = [book(cmd)];
                    let mut g = j.lock().unwrap();
                    if g.submit(&batch).unwrap()[0].is_err() {
                        refused += 1;
                    }
                }
                refused
            })
        })
        .collect();
    let refused: i32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(
        refused > 0,
        "the test should drive the balance to its floor"
    );
    let j = Arc::try_unwrap(j).unwrap().into_inner().unwrap();
    let l = &j.books("acme").unwrap().ledger;
    assert!(l.movements().iter().all(|m| m.balance_after >= Fen::ZERO));
    assert_eq!(sum(l), 0);
    let (balance, movements, accounts) = (l.balance(), l.movements().to_vec(), l.accounts());
    drop(j);
    let again = Journal::open(&path, rb()).unwrap();
    let l2 = &again.books("acme").unwrap().ledger;
    assert_eq!(l2.balance(), balance);
    assert_eq!(l2.movements(), &movements[..]);
    assert_eq!(l2.accounts(), accounts);
    assert_eq!(again.skipped(), 0);
}

/// A batch is stored in one transaction; a retried batch posts nothing twice.
#[test]
fn journal_batches_are_idempotent() {
    let log = EventLog::open_in_memory().unwrap();
    let mut j = Journal::from_log(log, rb()).unwrap();
    import(&mut j);
    let batch: Vec<Entry> = (0..100)
        .map(|i| book(top_up(&format!("k{i}"), 1, T0 + i)))
        .collect();
    let r1 = j.submit(&batch).unwrap();
    assert!(r1.iter().all(|r| r.as_ref().unwrap().seq.is_some()));
    let r2 = j.submit(&batch).unwrap();
    assert!(r2.iter().all(|r| r.as_ref().unwrap().seq.is_none()));
    assert_eq!(j.books("acme").unwrap().ledger.balance(), Fen::yuan(100));
    assert_eq!(j.log().count().unwrap(), 101);
}

// ---- external-contact plans paid from the balance ------------------------

fn contact(op: serde_json::Value) -> BookCommand {
    BookCommand::Contact {
        contact: serde_json::from_value(op).unwrap(),
    }
}

fn plan(key: &str, tier: u64, at: i64) -> BookCommand {
    BookCommand::BuyPlan {
        key: key.into(),
        actor: "admin".into(),
        tier,
        order: format!("plan-{key}"),
        price: None,
        at,
    }
}

/// wecom-admin/external-contacts.tiers and .proration: a plan is paid from the balance; an upgrade after 100 days costs (2000 − 500) × 265 / 365 = ¥1089.04.
#[test]
fn plans_are_paid_from_the_balance_with_proration() {
    let r = rules();
    let t = tenant();
    let mut b = Books::new();
    b.apply(&t, &r, &top_up("t", 2_000, T0)).unwrap();
    let (o, pinned) = b.apply(&t, &r, &plan("p1", 5_000, T0)).unwrap();
    assert_eq!(o.rule, "wecom-admin/external-contacts.tiers");
    assert!(matches!(pinned, BookCommand::BuyPlan { price: Some(p), .. } if p == Fen::yuan(500)));
    assert_eq!(b.ledger.balance(), Fen::yuan(1_500));
    let (o, _) = b
        .apply(&t, &r, &plan("p2", 20_000, T0 + 100 * DAY))
        .unwrap();
    assert_eq!(o.rule, "wecom-admin/external-contacts.proration");
    assert_eq!(b.ledger.balance(), Fen(150_000 - 108_904));
    // Not enough money for the next upgrade: refused, and no plan change.
    let e = b
        .apply(&t, &r, &plan("p3", 1_000_000, T0 + 101 * DAY))
        .unwrap_err();
    assert!(
        matches!(e, BooksError::Ledger(LedgerError::Insufficient { .. })),
        "{e}"
    );
    let cap = b.contacts.as_ref().unwrap().capacity(T0 + 101 * DAY);
    assert_eq!(cap.limit, 20_000);
    // A repeat of a bought plan moves nothing.
    let (o, _) = b
        .apply(&t, &r, &plan("p2", 20_000, T0 + 100 * DAY))
        .unwrap();
    assert!(!o.changed);
    // Only members allowed to spend on 外部联系人规模 buy plans.
    let e = b
        .apply(
            &t,
            &r,
            &BookCommand::BuyPlan {
                key: "p4".into(),
                actor: "marketer".into(),
                tier: 50_000,
                order: "x".into(),
                price: None,
                at: T0 + 102 * DAY,
            },
        )
        .unwrap_err();
    assert!(matches!(e, BooksError::Tenant(TenantError::Denied { .. })));
}

/// wecom-admin/external-contacts.unverified-limit: verification comes from the tenant; the 101st customer of an unverified tenant is refused with the figures.
#[test]
fn contact_quota_follows_the_tenants_verification() {
    let r = rules();
    let unverified = tenant_with(|s| *s = s.replace("verified = true", "verified = false"));
    let mut b = Books::new();
    for i in 0..100 {
        b.apply(
            &unverified,
            &r,
            &contact(serde_json::json!({"op": "add-friend", "member": "sales", "customer": format!("c{i}"), "at": T0})),
        )
        .unwrap();
    }
    let e = b
        .apply(
            &unverified,
            &r,
            &contact(serde_json::json!({"op": "add-friend", "member": "sales", "customer": "c100", "at": T0})),
        )
        .unwrap_err();
    assert!(e.to_string().contains("100"), "{e}");
    assert!(
        e.to_string().contains("external-contacts.unverified-limit"),
        "{e}"
    );
    let verified = tenant();
    let (o, _) = b
        .apply(
            &verified,
            &r,
            &contact(serde_json::json!({"op": "add-friend", "member": "sales", "customer": "c100", "at": T0})),
        )
        .unwrap();
    assert_eq!(o.data["count"], 101);
    assert_eq!(o.data["limit"], 2000);
}
