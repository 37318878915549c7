//! Tests of `bylaw_tenant::contacts` against `wecom-admin/external-contacts.*`.
//! Every test names the rule it exercises; every figure is read from the rulebook.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use bylaw_rulebook::{Cell, Rulebook};
use bylaw_tenant::contacts::{
    ContactBook, ContactCommand, DayCount, QuotaError, QuotaLimits, QuotaOptions, QuoteKind, Tier,
    DAY, RULES, RULE_COUNTING, RULE_DEDUP, RULE_FREE_QUOTA, RULE_PERMISSION, RULE_PRORATION,
    RULE_RELEASE, RULE_RELEASE_ALL, RULE_TIERS, RULE_UNVERIFIED,
};
use bylaw_tenant::Fen;
use proptest::prelude::*;

/// 2024-01-01T00:00:00Z, an arbitrary start.
const T0: i64 = 1_704_067_200;

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook loads"))
}

fn limits() -> &'static QuotaLimits {
    static L: OnceLock<QuotaLimits> = OnceLock::new();
    L.get_or_init(|| QuotaLimits::from_rulebook(rulebook()).expect("limits load"))
}

/// A figure of a threshold, straight from the rulebook.
fn figure(rule: &str, name: &str) -> u64 {
    let t = rulebook()
        .rule(rule)
        .and_then(|r| r.threshold(name, None))
        .expect("threshold");
    t.value.or(t.max).expect("figure").get() as u64
}

/// The rows of `tiers` (`external-contacts.tiers`), straight from the rulebook.
fn table_tiers() -> Vec<(u64, f64)> {
    let r = rulebook().rule(RULE_TIERS).expect("tiers rule");
    let t = r.tables.iter().find(|t| t.name == "tiers").expect("table");
    t.rows
        .iter()
        .map(|row| match (&row[0], &row[1]) {
            (Cell::Number(c), Cell::Number(p)) => (c.get() as u64, p.get()),
            _ => panic!("tiers rows are numbers"),
        })
        .collect()
}

fn free() -> u64 {
    figure(RULE_FREE_QUOTA, "free-quota")
}

fn cap() -> u64 {
    figure(RULE_UNVERIFIED, "unverified-customers")
}

fn days_per_year() -> i64 {
    figure(RULE_PRORATION, "days-per-year") as i64
}

fn book() -> ContactBook {
    ContactBook::new(limits().clone())
}

fn verified() -> ContactBook {
    let mut b = book();
    b.set_verified(true);
    b
}

/// Fills the book with `n` customers `c0..`, each added by member `m`.
fn fill(b: &mut ContactBook, n: u64, at: i64) {
    for i in 0..n {
        b.add_friend("m", &format!("c{i}"), at).expect("room");
    }
}

/// Buys tier `contacts` at `at` as order `id`.
fn buy(b: &mut ContactBook, contacts: u64, id: &str, at: i64) -> Fen {
    let q = b.quote(contacts, at).expect("quote");
    b.commit(&q, id, at).expect("commit").paid
}

fn tier(i: usize) -> u64 {
    table_tiers()[i].0
}

#[test]
fn every_rule_id_exists_in_the_rulebook() {
    for id in RULES {
        assert!(rulebook().rule(id).is_some(), "{id} missing");
    }
}

#[test]
fn limits_are_read_from_the_rulebook() {
    // external-contacts.free-quota, .unverified-limit, .tiers, .proration
    let l = limits();
    assert_eq!(l.free_quota, free());
    assert_eq!(l.unverified_cap, cap());
    assert_eq!(l.days_per_year, days_per_year());
    assert_eq!(
        l.validity_days,
        figure(RULE_TIERS, "validity") as i64 * days_per_year()
    );
    let rows: Vec<Tier> = table_tiers()
        .into_iter()
        .map(|(c, p)| Tier {
            contacts: c,
            price: Fen::from_yuan_f64(p).unwrap(),
        })
        .collect();
    assert_eq!(l.tiers, rows);
    assert_eq!(l.unpriced_options, ["更大规模"]);
    let f = rulebook()
        .rule(RULE_PRORATION)
        .and_then(|r| r.formula("upgrade-price"))
        .unwrap();
    assert_eq!(l.upgrade_expression, f.expression);
}

#[test]
fn free_quota_allows_2000_and_refuses_the_2001st_with_figures() {
    // external-contacts.free-quota: 免费提供2000人的外部联系人规模
    let mut b = verified();
    fill(&mut b, free(), T0);
    assert_eq!(b.count(), free());
    let cap = b.capacity(T0);
    assert_eq!((cap.limit, cap.rule), (free(), RULE_FREE_QUOTA));
    let err = b.add_friend("m", "one-more", T0).unwrap_err();
    match &err {
        QuotaError::Full {
            counted,
            limit,
            rule,
            ..
        } => {
            assert_eq!((*counted, *limit, *rule), (free(), free(), RULE_FREE_QUOTA));
        }
        other => panic!("expected Full, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&format!("已服务 {} 位", free())), "{msg}");
    assert!(msg.contains(RULE_FREE_QUOTA), "{msg}");
    // State unchanged: the refused customer is not known.
    assert_eq!(b.count(), free());
    assert!(!b.is_counted("one-more"));
    // A group join of a new customer is refused the same way.
    assert!(matches!(
        b.join_group("one-more", "g", T0),
        Err(QuotaError::Full { .. })
    ));
}

#[test]
fn unverified_tenant_is_capped_at_100_until_verification() {
    // external-contacts.unverified-limit: 否则将会限制只能添加 100 个客户
    let mut b = book();
    fill(&mut b, cap(), T0);
    let err = b.add_friend("m", "c-next", T0).unwrap_err();
    match &err {
        QuotaError::Full {
            counted,
            limit,
            rule,
            zh,
            ..
        } => {
            assert_eq!((*counted, *limit, *rule), (cap(), cap(), RULE_UNVERIFIED));
            assert!(zh.contains("未认证"), "{zh}");
        }
        other => panic!("expected Full, got {other:?}"),
    }
    b.set_verified(true);
    let o = b.add_friend("m", "c-next", T0).unwrap();
    assert!(o.new_slot);
    assert_eq!(o.count, cap() + 1);
    assert_eq!(b.capacity(T0).limit, free());
}

#[test]
fn unverified_cap_applies_even_with_a_plan() {
    // external-contacts.unverified-limit (choice 2: verification caps every quota)
    let mut b = book();
    buy(&mut b, tier(0), "o1", T0);
    let c = b.capacity(T0);
    assert_eq!((c.limit, c.rule), (cap(), RULE_UNVERIFIED));
    b.set_verified(true);
    assert_eq!(b.capacity(T0).limit, tier(0));
}

#[test]
fn a_plan_replaces_the_free_quota() {
    // external-contacts.tiers (choice 1): 5000位 is the total, not 2000 + 5000
    let mut b = verified();
    buy(&mut b, tier(0), "o1", T0);
    let c = b.capacity(T0 + DAY);
    assert_eq!((c.limit, c.rule), (tier(0), RULE_TIERS));
}

#[test]
fn the_same_customer_counts_once_across_members_and_groups() {
    // external-contacts.dedup: 多人反复添加同一个客户不会重复计算
    // external-contacts.counting: friends plus non-friend group customers, deduplicated
    let mut b = verified();
    let o = b.add_friend("B", "A", T0).unwrap();
    assert!(o.new_slot);
    assert_eq!(o.rule, RULE_COUNTING);
    let o = b.add_friend("C", "A", T0).unwrap();
    assert!(!o.new_slot);
    assert_eq!(o.rule, RULE_DEDUP);
    let o = b.add_friend("C", "A", T0).unwrap();
    assert!(o.existed && !o.new_slot);
    b.join_group("A", "D", T0).unwrap();
    b.join_group("A", "F", T0).unwrap();
    assert_eq!(b.count(), 1);
    // A group-only customer counts too (群聊没有添加好友的客户).
    let o = b.join_group("G", "D", T0).unwrap();
    assert!(o.new_slot);
    assert_eq!(b.count(), 2);
    // A counted customer needs no slot even when the quota is full.
    let mut small = book();
    fill(&mut small, cap(), T0);
    assert!(!small.add_friend("other", "c0", T0).unwrap().new_slot);
    assert!(!small.join_group("c0", "g", T0).unwrap().new_slot);
}

#[test]
fn release_all_seed_example_b_and_c_delete_a_leaves_d_and_f() {
    // external-contacts.release.all, verbatim example of the seed:
    let quote = &rulebook().rule(RULE_RELEASE_ALL).unwrap().quote;
    assert!(quote.contains(
        "若 A 客户添加了 B、C 两个企业成员，则需要 B、C 都操作删除了 A 客户才会释放额度"
    ));
    assert!(quote.contains("A 客户加入了企业的 D、F 两个群。则需要 A 客户在 D、F 群都退出（或者企业解散了这两个群）了才会释放额度"));
    let mut b = verified();
    b.add_friend("B", "A", T0).unwrap();
    b.add_friend("C", "A", T0).unwrap();
    b.join_group("A", "D", T0).unwrap();
    b.join_group("A", "F", T0).unwrap();
    assert_eq!(b.count(), 1);

    let o = b.member_deletes("B", "A").unwrap();
    assert!(!o.released);
    assert_eq!(o.rule, RULE_RELEASE_ALL);
    assert_eq!(o.members, ["C"]);
    assert_eq!(o.groups, ["D", "F"]);
    let o = b.member_deletes("C", "A").unwrap();
    assert!(!o.released);
    assert!(o.members.is_empty());
    assert_eq!(o.groups, ["D", "F"]);
    let o = b.leave_group("A", "D").unwrap();
    assert!(!o.released);
    assert_eq!(o.groups, ["F"]);
    assert_eq!(b.count(), 1);
    let o = b.leave_group("A", "F").unwrap();
    assert!(o.released);
    assert_eq!(o.rule, RULE_RELEASE_ALL);
    assert_eq!(b.count(), 0);
    assert!(!b.is_counted("A"));
}

#[test]
fn release_all_seed_example_with_groups_dissolved() {
    // external-contacts.release.all: 或者企业解散了这两个群
    let mut b = verified();
    b.add_friend("B", "A", T0).unwrap();
    b.add_friend("C", "A", T0).unwrap();
    b.join_group("A", "D", T0).unwrap();
    b.join_group("A", "F", T0).unwrap();
    let d = b.dissolve_group("D").unwrap();
    assert!(d.released.is_empty());
    assert_eq!(d.customers, 1);
    let d = b.dissolve_group("F").unwrap();
    assert!(d.released.is_empty(), "B and C still hold A");
    assert_eq!(b.count(), 1);
    b.member_deletes("B", "A").unwrap();
    let o = b.member_deletes("C", "A").unwrap();
    assert!(o.released);
    assert_eq!(o.rule, RULE_RELEASE);
    assert_eq!(b.count(), 0);
    // A dissolved group cannot be joined again (choice 5).
    assert!(matches!(
        b.join_group("A", "D", T0),
        Err(QuotaError::GroupDissolved { .. })
    ));
    assert!(matches!(
        b.dissolve_group("D"),
        Err(QuotaError::GroupDissolved { .. })
    ));
}

#[test]
fn dissolving_a_group_releases_its_group_only_customers() {
    // external-contacts.release.all
    let mut b = verified();
    b.join_group("x", "G", T0).unwrap();
    b.join_group("y", "G", T0).unwrap();
    b.add_friend("m", "y", T0).unwrap();
    b.join_group("z", "G", T0).unwrap();
    b.join_group("z", "H", T0).unwrap();
    let d = b.dissolve_group("G").unwrap();
    assert_eq!(d.customers, 3);
    assert_eq!(d.released, ["x"]);
    assert_eq!(d.rule, RULE_RELEASE_ALL);
    assert_eq!(b.count(), 2);
}

#[test]
fn customer_deleting_the_member_releases_nothing() {
    // external-contacts.release: 客户单方面删除企业成员好友不会释放
    let mut b = verified();
    b.add_friend("B", "A", T0).unwrap();
    let o = b.customer_deletes_member("A", "B").unwrap();
    assert!(!o.released);
    assert_eq!(o.rule, RULE_RELEASE);
    assert_eq!(o.members, ["B"]);
    assert_eq!(b.count(), 1);
    // The member's own deletion still releases it.
    let o = b.member_deletes("B", "A").unwrap();
    assert!(o.released);
    assert_eq!(o.rule, RULE_RELEASE);
    assert_eq!(b.count(), 0);
    // Deleting what is not held is refused.
    assert!(matches!(
        b.member_deletes("B", "A"),
        Err(QuotaError::NotHeld { .. })
    ));
    assert!(matches!(
        b.customer_deletes_member("A", "B"),
        Err(QuotaError::NotHeld { .. })
    ));
}

#[test]
fn re_adding_after_a_one_way_deletion_takes_no_new_slot() {
    // external-contacts.release + .dedup (choice 4)
    let mut b = book();
    fill(&mut b, cap(), T0);
    b.customer_deletes_member("c0", "m").unwrap();
    let o = b.add_friend("m", "c0", T0).unwrap();
    assert!(o.existed && !o.new_slot);
    assert_eq!(b.count(), cap());
}

#[test]
fn member_leaving_releases_nothing_until_deleted_on_its_behalf() {
    // external-contacts.release: 企业成员在通讯录被删除（离职），也不会释放名额占用
    let mut b = verified();
    b.add_friend("B", "A", T0).unwrap();
    b.add_friend("B", "A2", T0).unwrap();
    let o = b.member_left("B").unwrap();
    assert_eq!(o.still_held, 2);
    assert_eq!(o.rule, RULE_RELEASE);
    assert_eq!(b.count(), 2);
    assert!(b.is_departed("B"));
    assert!(matches!(
        b.add_friend("B", "A3", T0),
        Err(QuotaError::MemberDeparted { .. })
    ));
    assert!(matches!(
        b.member_left("B"),
        Err(QuotaError::MemberDeparted { .. })
    ));
    // choice 3: a deletion on the departed member's behalf releases it.
    assert!(b.member_deletes("B", "A").unwrap().released);
    assert_eq!(b.count(), 1);

    // …unless configured off.
    let l = limits().clone().with_options(QuotaOptions {
        departed_deletable: false,
        ..QuotaOptions::default()
    });
    let mut b = ContactBook::new(l);
    b.add_friend("B", "A", T0).unwrap();
    b.member_left("B").unwrap();
    assert!(matches!(
        b.member_deletes("B", "A"),
        Err(QuotaError::MemberDeparted { .. })
    ));
    assert_eq!(b.count(), 1);
}

#[test]
fn each_tier_price_comes_from_the_table() {
    // external-contacts.tiers: 有效期 1 年, price table
    for (contacts, yuan) in table_tiers() {
        let b = verified();
        let q = b.quote(contacts, T0).unwrap();
        assert_eq!(q.kind, QuoteKind::Purchase);
        assert_eq!(q.price, Fen::from_yuan_f64(yuan).unwrap());
        assert_eq!(q.yearly_price, q.price);
        assert_eq!(q.effective, T0);
        assert_eq!(
            q.expires,
            T0 + figure(RULE_TIERS, "validity") as i64 * days_per_year() * DAY
        );
        assert_eq!(q.rules, [RULE_TIERS]);
    }
}

#[test]
fn unknown_tiers_and_larger_scale_are_refused() {
    // external-contacts.tiers: only the table's rows; 更大规模 is unpriced
    let b = verified();
    let err = b.quote(tier(0) + 1, T0).unwrap_err();
    match &err {
        QuotaError::UnknownTier { valid, .. } => {
            for (c, _) in table_tiers() {
                assert!(valid.contains(&c.to_string()), "{valid}");
            }
        }
        other => panic!("expected UnknownTier, got {other:?}"),
    }
    let largest = table_tiers().last().unwrap().0;
    let err = b.quote(largest * 2, T0).unwrap_err();
    assert!(matches!(err, QuotaError::BeyondTiers { .. }));
    assert!(err.to_string().contains("更大规模"), "{err}");
}

#[test]
fn proration_worked_example_5000_to_20000_after_100_days() {
    // external-contacts.proration: (y/365 (365 - n)) - (x/365 (365 - n)),
    // 5000 (¥500) → 20000 (¥2000) after 100 days = (2000 − 500) × 265 / 365 = ¥1089.04
    let mut b = verified();
    assert_eq!(buy(&mut b, tier(0), "o1", T0), Fen::yuan(500));
    let at = T0 + 100 * DAY + 3_600;
    let q = b.quote(tier(1), at).unwrap();
    assert_eq!(q.kind, QuoteKind::Upgrade);
    assert_eq!(q.price, Fen(108_904));
    let basis = q.upgrade.as_ref().unwrap();
    assert_eq!(basis.days_used, 100);
    assert_eq!(basis.yearly_price, Fen::yuan(500));
    assert!(
        q.zh.contains("2000 / 365 * (365 - 100) - 500 / 365 * (365 - 100) = ¥1089.04"),
        "{}",
        q.zh
    );
    assert!(q.en.contains("= ¥1089.04"), "{}", q.en);
    assert_eq!(q.rules, [RULE_TIERS, RULE_PRORATION]);
    // The upgraded order keeps the current order's expiry (choice 7).
    let first_expiry = b.plan().unwrap().expires;
    let o = b.commit(&q, "o2", at).unwrap();
    assert_eq!(o.paid, Fen(108_904));
    assert_eq!(o.replaces.as_deref(), Some("o1"));
    assert_eq!(o.plan.expires, first_expiry);
    assert_eq!(o.plan.effective, T0);
    assert_eq!(b.capacity(at).limit, tier(1));
    assert_eq!(b.orders().len(), 2);
}

#[test]
fn proration_day_0_and_day_364() {
    // external-contacts.proration: n = 0 charges the whole difference, n = 364 one day of it
    let mut b = verified();
    buy(&mut b, tier(0), "o1", T0);
    let q = b.quote(tier(1), T0).unwrap();
    assert_eq!(q.upgrade.as_ref().unwrap().days_used, 0);
    assert_eq!(q.price, Fen::yuan(1500));
    let last = T0 + (days_per_year() - 1) * DAY;
    let q = b.quote(tier(1), last + DAY - 1).unwrap();
    assert_eq!(q.upgrade.as_ref().unwrap().days_used, days_per_year() - 1);
    // 1500 / 365 = 4.1096… → ¥4.11
    assert_eq!(q.price, Fen(411));
    // Day 365: the order has expired; a purchase at the full price.
    let q = b.quote(tier(1), T0 + days_per_year() * DAY).unwrap();
    assert_eq!(q.kind, QuoteKind::Purchase);
    assert_eq!(q.price, Fen::yuan(2000));
}

#[test]
fn a_second_upgrade_counts_days_from_the_terms_start() {
    // external-contacts.proration (choice 7): only the remaining days are charged each time
    let mut b = verified();
    buy(&mut b, tier(0), "o1", T0);
    buy(&mut b, tier(1), "o2", T0 + 100 * DAY);
    let q = b.quote(tier(2), T0 + 200 * DAY).unwrap();
    assert_eq!(q.upgrade.as_ref().unwrap().days_used, 200);
    // (5000 − 2000) × 165 / 365 = 1356.164… → ¥1356.16
    assert_eq!(q.price, Fen(135_616));
}

#[test]
fn calendar_date_day_count_is_configurable() {
    // external-contacts.proration: n = 当前日期 - 当前订单的生效日期 (choice 6)
    let l = limits().clone().with_options(QuotaOptions {
        days_used: DayCount::CalendarDates {
            utc_offset_s: 8 * 3_600,
        },
        ..QuotaOptions::default()
    });
    let mut b = ContactBook::new(l);
    b.set_verified(true);
    // 23:00 Beijing time, then 01:00 the next day: one calendar date later.
    let start = T0 + 15 * 3_600;
    buy(&mut b, tier(0), "o1", start);
    let q = b.quote(tier(1), start + 2 * 3_600).unwrap();
    assert_eq!(q.upgrade.unwrap().days_used, 1);
    let e = verified();
    assert_eq!(e.limits().days_used(start, start + 2 * 3_600), 0);
}

#[test]
fn expired_plan_falls_back_to_the_free_quota() {
    // external-contacts.tiers (有效期 1 年) + .free-quota
    let mut b = verified();
    buy(&mut b, tier(0), "o1", T0);
    fill(&mut b, free() + 10, T0 + DAY);
    let end = b.plan().unwrap().expires;
    assert_eq!(b.capacity(end - 1).limit, tier(0));
    let c = b.capacity(end);
    assert_eq!((c.limit, c.rule), (free(), RULE_FREE_QUOTA));
    assert!(c.zh.contains("到期"), "{}", c.zh);
    // Existing contacts stay counted; new ones are refused.
    assert_eq!(b.count(), free() + 10);
    assert!(matches!(
        b.add_friend("m", "new", end),
        Err(QuotaError::Full { rule, .. }) if rule == RULE_FREE_QUOTA
    ));
    // An already counted customer needs no slot.
    assert!(!b.add_friend("m2", "c0", end).unwrap().new_slot);
    // Releasing below the limit makes room again.
    for i in 0..11 {
        b.member_deletes("m", &format!("c{}", i + 1)).unwrap();
    }
    assert_eq!(b.count(), free() - 1);
    assert!(b.add_friend("m", "new", end).unwrap().new_slot);
}

#[test]
fn downgrade_and_same_tier_are_refused_while_a_plan_is_in_force() {
    // external-contacts.proration: only 更高档位 is priced (choice 8)
    let mut b = verified();
    buy(&mut b, tier(1), "o1", T0);
    for t in [tier(0), tier(1)] {
        match b.quote(t, T0 + DAY).unwrap_err() {
            QuotaError::NotAnUpgrade {
                asked,
                active,
                rule,
                ..
            } => {
                assert_eq!((asked, active, rule), (t, tier(1), RULE_PRORATION));
            }
            other => panic!("expected NotAnUpgrade, got {other:?}"),
        }
    }
    // After expiry any tier may be bought anew.
    let end = b.plan().unwrap().expires;
    let q = b.quote(tier(0), end).unwrap();
    assert_eq!(q.kind, QuoteKind::Purchase);
}

#[test]
fn commit_refuses_a_stale_quote() {
    // external-contacts.proration: a quote holds for its plan and day count only
    let mut b = verified();
    buy(&mut b, tier(0), "o1", T0);
    let day100 = T0 + 100 * DAY;
    let q = b.quote(tier(1), day100).unwrap();
    // Next day: n changed.
    let err = b.commit(&q, "o2", day100 + DAY).unwrap_err();
    assert!(matches!(err, QuotaError::StaleQuote { rule, .. } if rule == RULE_PRORATION));
    assert_eq!(b.orders().len(), 1);
    // Another upgrade committed in between: the plan changed.
    let q3 = b.quote(tier(2), day100).unwrap();
    b.commit(&q, "o2", day100 + 60).unwrap();
    assert!(matches!(
        b.commit(&q3, "o3", day100 + 120),
        Err(QuotaError::StaleQuote { .. })
    ));
    // Duplicate order ids are refused.
    let q4 = b.quote(tier(2), day100 + 180).unwrap();
    assert!(matches!(
        b.commit(&q4, "o2", day100 + 180),
        Err(QuotaError::DuplicateOrder { .. })
    ));
    // A purchase quote goes stale once a plan is in force.
    let mut c = verified();
    let p1 = c.quote(tier(0), T0).unwrap();
    let p2 = c.quote(tier(1), T0).unwrap();
    c.commit(&p1, "a", T0).unwrap();
    assert!(matches!(
        c.commit(&p2, "b", T0),
        Err(QuotaError::StaleQuote { .. })
    ));
    // Time before the plan in force is refused.
    assert!(matches!(
        c.quote(tier(1), T0 - 1),
        Err(QuotaError::ClockBehind { .. })
    ));
}

#[test]
fn permission_is_enforced_when_configured() {
    // external-contacts.permission: 成员使用前 … 已经配置了添加外部联系人权限
    let l = limits().clone().with_options(QuotaOptions {
        enforce_permission: true,
        ..QuotaOptions::default()
    });
    let mut b = ContactBook::new(l);
    assert!(matches!(
        b.add_friend("m", "c", T0),
        Err(QuotaError::NoPermission { rule, .. }) if rule == RULE_PERMISSION
    ));
    b.set_permission("m", true).unwrap();
    assert!(b.add_friend("m", "c", T0).is_ok());
    // Off by default: the tenant's permission checks decide.
    assert!(book().add_friend("m", "c", T0).is_ok());
}

#[test]
fn empty_ids_and_missing_memberships_are_refused() {
    // external-contacts.counting / .release.all
    let mut b = verified();
    assert!(matches!(
        b.add_friend("", "c", T0),
        Err(QuotaError::EmptyId { .. })
    ));
    assert!(matches!(
        b.join_group("c", "", T0),
        Err(QuotaError::EmptyId { .. })
    ));
    assert!(matches!(
        b.leave_group("c", "g"),
        Err(QuotaError::NotInGroup { .. })
    ));
    assert_eq!(b.count(), 0);
}

#[test]
fn the_book_round_trips_through_json_and_replays_from_its_log() {
    // external-contacts.counting: the state is rebuilt exactly
    let mut b = verified();
    let mut log = vec![ContactCommand::SetVerified { verified: true }];
    let mut run = |b: &mut ContactBook, cmd: ContactCommand| {
        b.apply(&cmd).unwrap();
        log.push(cmd);
    };
    run(
        &mut b,
        ContactCommand::AddFriend {
            member: "B".into(),
            customer: "A".into(),
            at: T0,
        },
    );
    run(
        &mut b,
        ContactCommand::JoinGroup {
            customer: "A".into(),
            group: "D".into(),
            at: T0,
        },
    );
    run(
        &mut b,
        ContactCommand::JoinGroup {
            customer: "E".into(),
            group: "D".into(),
            at: T0,
        },
    );
    run(
        &mut b,
        ContactCommand::CustomerDeletesMember {
            customer: "A".into(),
            member: "B".into(),
        },
    );
    run(&mut b, ContactCommand::MemberLeft { member: "B".into() });
    let q = b.quote(tier(0), T0).unwrap();
    run(
        &mut b,
        ContactCommand::Commit {
            quote: q,
            order_id: "o1".into(),
            at: T0,
        },
    );
    let json = serde_json::to_string(&b).unwrap();
    let back: ContactBook = serde_json::from_str(&json).unwrap();
    assert_eq!(back.count(), 2);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert!(back.is_departed("B"));
    assert_eq!(back.holders("A"), (vec!["B".into()], vec!["D".into()]));
    assert_eq!(back.plan(), b.plan());

    let log_json = serde_json::to_string(&log).unwrap();
    let log: Vec<ContactCommand> = serde_json::from_str(&log_json).unwrap();
    let replayed = ContactBook::replay(limits().clone(), &log).unwrap();
    assert_eq!(serde_json::to_string(&replayed).unwrap(), json);

    // A snapshot with a customer in a dissolved group is refused.
    let bad = json.replace(r#""id":"D""#, r#""id":"D","dissolved":true"#);
    assert!(serde_json::from_str::<ContactBook>(&bad).is_err());
}

// ---------------------------------------------------------------------------
// Random sequences against a brute-force recount.

#[derive(Debug, Clone)]
enum Op {
    Verify(bool),
    Add(u8, u8),
    Join(u8, u8),
    MemberDeletes(u8, u8),
    CustomerDeletes(u8, u8),
    Left(u8),
    Leave(u8, u8),
    Dissolve(u8),
    Buy(u8),
    Advance(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => any::<bool>().prop_map(Op::Verify),
        8 => (0..4u8, 0..10u8).prop_map(|(m, c)| Op::Add(m, c)),
        5 => (0..10u8, 0..3u8).prop_map(|(c, g)| Op::Join(c, g)),
        4 => (0..4u8, 0..10u8).prop_map(|(m, c)| Op::MemberDeletes(m, c)),
        2 => (0..10u8, 0..4u8).prop_map(|(c, m)| Op::CustomerDeletes(c, m)),
        1 => (0..4u8).prop_map(Op::Left),
        3 => (0..10u8, 0..3u8).prop_map(|(c, g)| Op::Leave(c, g)),
        1 => (0..3u8).prop_map(Op::Dissolve),
        1 => (0..3u8).prop_map(Op::Buy),
        2 => (0..6u8).prop_map(Op::Advance),
    ]
}

/// Small figures so that random sequences reach every limit.
fn small_limits() -> QuotaLimits {
    let mut l = limits().clone();
    l.free_quota = 4;
    l.unverified_cap = 2;
    l.tiers = vec![
        Tier {
            contacts: 6,
            price: Fen::yuan(500),
        },
        Tier {
            contacts: 8,
            price: Fen::yuan(2000),
        },
    ];
    l.validity_days = 10;
    l
}

#[derive(Default)]
struct Model {
    friends: BTreeSet<(u8, u8)>,
    in_groups: BTreeSet<(u8, u8)>,
    dissolved: BTreeSet<u8>,
    departed: BTreeSet<u8>,
}

impl Model {
    fn counted(&self, c: u8) -> bool {
        self.friends.iter().any(|&(_, x)| x == c) || self.in_groups.iter().any(|&(x, _)| x == c)
    }

    fn count(&self) -> u64 {
        (0..10u8).filter(|&c| self.counted(c)).count() as u64
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// external-contacts.counting, .dedup, .release, .release.all,
    /// .free-quota, .unverified-limit, .tiers: `count()` always equals a
    /// brute-force recount, and a new slot is never taken beyond capacity.
    #[test]
    fn count_matches_a_recount_and_never_exceeds_capacity(ops in prop::collection::vec(op(), 1..80)) {
        let mut b = ContactBook::new(small_limits());
        let mut m = Model::default();
        let mut t = T0;
        let mut orders = 0;
        let name = |p: &str, i: u8| format!("{p}{i}");
        for op in &ops {
            let before = b.count();
            match *op {
                Op::Verify(v) => b.set_verified(v),
                Op::Add(mb, c) => {
                    let was = m.counted(c);
                    let limit = b.capacity(t).limit;
                    match b.add_friend(&name("m", mb), &name("c", c), t) {
                        Ok(o) => {
                            prop_assert!(!m.departed.contains(&mb));
                            prop_assert_eq!(o.new_slot, !was);
                            prop_assert_eq!(o.existed, m.friends.contains(&(mb, c)));
                            m.friends.insert((mb, c));
                            if o.new_slot {
                                prop_assert!(b.count() <= limit, "{} > {}", b.count(), limit);
                            }
                        }
                        Err(QuotaError::Full { counted, limit: l, .. }) => {
                            prop_assert!(!was);
                            prop_assert!(counted >= l);
                            prop_assert_eq!(l, limit);
                        }
                        Err(QuotaError::MemberDeparted { .. }) => prop_assert!(m.departed.contains(&mb)),
                        Err(e) => prop_assert!(false, "unexpected {e}"),
                    }
                }
                Op::Join(c, g) => {
                    let was = m.counted(c);
                    let limit = b.capacity(t).limit;
                    match b.join_group(&name("c", c), &name("g", g), t) {
                        Ok(o) => {
                            prop_assert!(!m.dissolved.contains(&g));
                            prop_assert_eq!(o.new_slot, !was);
                            m.in_groups.insert((c, g));
                            if o.new_slot {
                                prop_assert!(b.count() <= limit);
                            }
                        }
                        Err(QuotaError::Full { .. }) => {
                            prop_assert!(!was);
                            prop_assert!(m.count() >= limit);
                        }
                        Err(QuotaError::GroupDissolved { .. }) => prop_assert!(m.dissolved.contains(&g)),
                        Err(e) => prop_assert!(false, "unexpected {e}"),
                    }
                }
                Op::MemberDeletes(mb, c) => match b.member_deletes(&name("m", mb), &name("c", c)) {
                    Ok(o) => {
                        prop_assert!(m.friends.remove(&(mb, c)));
                        prop_assert_eq!(o.released, !m.counted(c));
                    }
                    Err(QuotaError::NotHeld { .. }) => prop_assert!(!m.friends.contains(&(mb, c))),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                Op::CustomerDeletes(c, mb) => match b.customer_deletes_member(&name("c", c), &name("m", mb)) {
                    Ok(o) => {
                        prop_assert!(m.friends.contains(&(mb, c)));
                        prop_assert!(!o.released);
                    }
                    Err(QuotaError::NotHeld { .. }) => prop_assert!(!m.friends.contains(&(mb, c))),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                Op::Left(mb) => match b.member_left(&name("m", mb)) {
                    Ok(o) => {
                        prop_assert!(m.departed.insert(mb));
                        let held = m.friends.iter().filter(|&&(x, _)| x == mb).count() as u64;
                        prop_assert_eq!(o.still_held, held);
                    }
                    Err(QuotaError::MemberDeparted { .. }) => prop_assert!(m.departed.contains(&mb)),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                Op::Leave(c, g) => match b.leave_group(&name("c", c), &name("g", g)) {
                    Ok(o) => {
                        prop_assert!(m.in_groups.remove(&(c, g)));
                        prop_assert_eq!(o.released, !m.counted(c));
                    }
                    Err(QuotaError::NotInGroup { .. }) => prop_assert!(!m.in_groups.contains(&(c, g))),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                Op::Dissolve(g) => match b.dissolve_group(&name("g", g)) {
                    Ok(o) => {
                        prop_assert!(m.dissolved.insert(g));
                        let inside: Vec<u8> = m.in_groups.iter().filter(|&&(_, x)| x == g).map(|&(c, _)| c).collect();
                        prop_assert_eq!(o.customers, inside.len() as u64);
                        for c in &inside {
                            m.in_groups.remove(&(*c, g));
                        }
                        let released: BTreeSet<String> = inside.iter().filter(|&&c| !m.counted(c)).map(|&c| name("c", c)).collect();
                        prop_assert_eq!(o.released.iter().cloned().collect::<BTreeSet<_>>(), released);
                    }
                    Err(QuotaError::GroupDissolved { .. }) => prop_assert!(m.dissolved.contains(&g)),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                Op::Buy(i) => {
                    let contacts = [6, 8, 7][usize::from(i)];
                    match b.quote(contacts, t) {
                        Ok(q) => {
                            orders += 1;
                            let o = b.commit(&q, &format!("o{orders}"), t);
                            prop_assert!(o.is_ok(), "{:?}", o);
                        }
                        Err(QuotaError::NotAnUpgrade { .. }) => prop_assert!(b.active_plan(t).is_some()),
                        Err(QuotaError::UnknownTier { .. }) => prop_assert_eq!(contacts, 7),
                        Err(e) => prop_assert!(false, "unexpected {e}"),
                    }
                    prop_assert_eq!(b.count(), before);
                }
                Op::Advance(d) => t += i64::from(d) * DAY,
            }
            prop_assert_eq!(b.count(), m.count(), "after {:?}", op);
        }
        // The snapshot rebuilds the same count.
        let json = serde_json::to_string(&b).unwrap();
        let back: ContactBook = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.count(), m.count());
    }
}
