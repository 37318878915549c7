//! Tests of `bylaw_tenant::migration` against `wecom-admin/migration.*`.
//! Every test names the rule it exercises.

use std::sync::OnceLock;

use bylaw_rulebook::{Require, Rulebook};
use bylaw_tenant::migration::{
    assess, Assessor, Eligibility, MigrationError, Part, Party, Relationship, Request, Side,
    Status, Verification, DATA, RULES, RULE_RELATIONSHIP, RULE_REVIEW, RULE_SHORT_NAME,
    RULE_SUBJECT_CONSISTENCY, RULE_TEMPLATES, RULE_VERIFICATION,
};
use proptest::prelude::*;

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook loads"))
}

fn assessor() -> &'static Assessor {
    static A: OnceLock<Assessor> = OnceLock::new();
    A.get_or_init(|| Assessor::from_rulebook(rulebook()).expect("shipped data loads"))
}

fn party(full: &str, short: &str) -> Party {
    Party {
        full_name: Some(full.into()),
        short_name: Some(short.into()),
        verification: Verification::Verified {
            subject: full.into(),
        },
        licence_name: Some(full.into()),
        subject_change_planned: false,
    }
}

/// The seed's example: 迁出企业 唐云科技, 迁入企业 唐云.
fn request(rel: &str) -> Request {
    Request {
        source: party("深圳唐云科技有限公司", "唐云科技"),
        destination: party("唐云（广州）贸易有限公司", "唐云"),
        relationship: rel.into(),
        shared_field: None,
    }
}

fn finding<'a>(
    e: &'a Eligibility,
    rule: &str,
    side: Option<Side>,
) -> &'a bylaw_tenant::migration::Finding {
    e.reasons
        .iter()
        .find(|f| f.rule == rule && f.side == side)
        .unwrap_or_else(|| panic!("no finding {rule} {side:?} in {:#?}", e.reasons))
}

fn doc_names(e: &Eligibility) -> Vec<&str> {
    e.documents.iter().map(|d| d.zh.as_str()).collect()
}

#[test]
fn every_rule_id_exists() {
    // wecom-admin/migration.*
    for id in RULES {
        assert!(rulebook().rule(id).is_some(), "{id}");
    }
    let in_book: Vec<&str> = rulebook()
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with("wecom-admin/migration."))
        .collect();
    assert_eq!(in_book, RULES.to_vec(), "every migration rule is covered");
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.verification
// ---------------------------------------------------------------------------

#[test]
fn verification_both_verified_is_met() {
    // wecom-admin/migration.verification
    let e = assessor().assess(&request("brand"));
    assert!(e.eligible, "{:#?}", e.reasons);
    for side in [Side::Source, Side::Destination] {
        assert_eq!(
            finding(&e, RULE_VERIFICATION, Some(side)).status,
            Status::Met
        );
    }
}

#[test]
fn verification_unverified_tenant_is_not_eligible() {
    // wecom-admin/migration.verification: failure case
    let mut r = request("brand");
    r.destination.verification = Verification::Unverified;
    let e = assessor().assess(&r);
    assert!(!e.eligible);
    let f = finding(&e, RULE_VERIFICATION, Some(Side::Destination));
    assert_eq!(f.status, Status::Unmet);
    assert!(f.zh.contains("迁入企业未认证"), "{}", f.zh);
    assert_eq!(
        finding(&e, RULE_VERIFICATION, Some(Side::Source)).status,
        Status::Met
    );
}

#[test]
fn verification_expired_tenant_is_not_eligible() {
    // wecom-admin/migration.verification: 认证有效期内
    let mut r = request("brand");
    r.source.verification = Verification::Expired {
        subject: "深圳唐云科技有限公司".into(),
    };
    let e = assessor().assess(&r);
    assert!(!e.eligible);
    let f = finding(&e, RULE_VERIFICATION, Some(Side::Source));
    assert_eq!(f.status, Status::Unmet);
    assert!(f.zh.contains("已过认证有效期"));
    assert_eq!(e.blocking().count(), 1);
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.relationship
// ---------------------------------------------------------------------------

#[test]
fn relationship_list_is_the_rulebook_list() {
    // wecom-admin/migration.relationship: list `relationships`
    let list = rulebook()
        .rule(RULE_RELATIONSHIP)
        .unwrap()
        .list("relationships")
        .unwrap();
    let ours: Vec<&str> = Relationship::ALL
        .iter()
        .map(|r| assessor().relationship_zh(*r))
        .collect();
    assert_eq!(
        ours,
        list.items.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for (r, zh) in Relationship::ALL.iter().zip(&list.items) {
        assert_eq!(assessor().relationship(zh).unwrap(), *r);
        assert_eq!(assessor().relationship(r.slug()).unwrap(), *r);
        assert!(!assessor().relationship_en(*r).is_empty());
    }
}

#[test]
fn relationship_not_in_the_list_is_not_eligible() {
    // wecom-admin/migration.relationship: failure case
    let e = assessor().assess(&request("partner"));
    assert!(!e.eligible);
    assert_eq!(e.relationship, None);
    let f = finding(&e, RULE_RELATIONSHIP, None);
    assert_eq!(f.status, Status::Unmet);
    assert!(f.zh.contains("「partner」不在所列关系中"));
    assert!(f.zh.contains("同一企业全称"));
    assert!(
        e.documents.is_empty(),
        "no documents without a relationship"
    );
    assert!(e.notices.is_empty());
    let err = assessor().relationship("partner").unwrap_err();
    assert_eq!(
        err,
        MigrationError::UnknownRelationship {
            name: "partner".into(),
            rule: RULE_RELATIONSHIP
        }
    );
    assert!(err.to_string().starts_with("迁移企业关系不在所列关系中"));
}

#[test]
fn relationship_recognised_is_met() {
    // wecom-admin/migration.relationship
    let e = assessor().assess(&request("同一企业全称"));
    assert_eq!(e.relationship, Some(Relationship::SameName));
    assert_eq!(finding(&e, RULE_RELATIONSHIP, None).status, Status::Met);
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.short-name
// ---------------------------------------------------------------------------

#[test]
fn short_name_seed_example_is_met() {
    // wecom-admin/migration.short-name: 迁出企业：唐云科技，迁入企业：唐云
    let e = assessor().assess(&request("trademark"));
    let f = finding(&e, RULE_SHORT_NAME, None);
    assert_eq!(f.status, Status::Met);
    assert!(f.zh.contains("「唐云」"));
}

#[test]
fn short_name_declared_field_must_be_in_both() {
    // wecom-admin/migration.short-name
    let mut r = request("product");
    r.source.short_name = Some("唐云科技".into());
    r.destination.short_name = Some("唐云网络".into());
    assert_eq!(
        finding(&assessor().assess(&r), RULE_SHORT_NAME, None).status,
        Status::Unknown,
        "shared characters, no containment, no declared field: left to the reviewer"
    );
    r.shared_field = Some("唐云".into());
    let e = assessor().assess(&r);
    assert_eq!(finding(&e, RULE_SHORT_NAME, None).status, Status::Met);
    assert!(e.eligible);
    r.shared_field = Some("科技".into());
    let e = assessor().assess(&r);
    let f = finding(&e, RULE_SHORT_NAME, None);
    assert_eq!(f.status, Status::Unmet);
    assert!(f.zh.contains("唐云网络"));
    assert!(!e.eligible);
}

#[test]
fn short_name_with_nothing_in_common_fails() {
    // wecom-admin/migration.short-name: failure case
    let mut r = request("website");
    r.destination.short_name = Some("星河".into());
    let e = assessor().assess(&r);
    assert_eq!(finding(&e, RULE_SHORT_NAME, None).status, Status::Unmet);
    assert!(!e.eligible);
}

#[test]
fn short_name_missing_is_unknown() {
    // wecom-admin/migration.short-name: failure case
    let mut r = request("app");
    r.source.short_name = None;
    let e = assessor().assess(&r);
    assert_eq!(finding(&e, RULE_SHORT_NAME, None).status, Status::Unknown);
    assert!(!e.eligible);
}

#[test]
fn short_name_does_not_govern_same_full_name() {
    // wecom-admin/migration.short-name (note: not the 同一企业全称 row)
    let mut r = request("same-name");
    r.destination = party("深圳唐云科技有限公司", "星河");
    let e = assessor().assess(&r);
    assert!(e.reasons.iter().all(|f| f.rule != RULE_SHORT_NAME));
    assert!(e.eligible, "{:#?}", e.reasons);
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.materials.*
// ---------------------------------------------------------------------------

#[test]
fn materials_brand() {
    // wecom-admin/migration.materials.brand
    let e = assessor().assess(&request("brand"));
    assert_eq!(
        doc_names(&e),
        [
            "数据迁移委托函扫描件",
            "《品牌授权书》",
            "《代理授权书》",
            "主体营业执照扫描件"
        ]
    );
    assert!(e
        .documents
        .iter()
        .all(|d| d.rule == "wecom-admin/migration.materials.brand"));
}

#[test]
fn materials_trademark_has_a_one_of() {
    // wecom-admin/migration.materials.trademark: 《商标授权书》 /《商标使用许可备案通知书》
    let e = assessor().assess(&request("trademark"));
    assert_eq!(
        doc_names(&e),
        [
            "数据迁移委托函扫描件",
            "《商标注册证》",
            "《商标授权书》 / 《商标使用许可备案通知书》",
            "主体营业执照扫描件"
        ]
    );
    let choice = &e.documents[2];
    assert_eq!(choice.part, Part::Attachment);
    let alts: Vec<&str> = choice.one_of.iter().map(|n| n.zh.as_str()).collect();
    assert_eq!(alts, ["《商标授权书》", "《商标使用许可备案通知书》"]);
    assert!(e
        .documents
        .iter()
        .all(|d| d.rule == "wecom-admin/migration.materials.trademark"));
}

#[test]
fn materials_product() {
    // wecom-admin/migration.materials.product
    let e = assessor().assess(&request("product"));
    assert_eq!(
        doc_names(&e),
        [
            "数据迁移委托函扫描件",
            "《计算机软件著作权登记证》",
            "《名称使用授权书》",
            "主体营业执照扫描件"
        ]
    );
}

#[test]
fn materials_website() {
    // wecom-admin/migration.materials.website
    let e = assessor().assess(&request("website"));
    assert_eq!(
        doc_names(&e),
        [
            "数据迁移委托函扫描件",
            "ICP备案截图",
            "《名称使用授权书》",
            "主体营业执照扫描件"
        ]
    );
}

#[test]
fn materials_app() {
    // wecom-admin/migration.materials.app
    let e = assessor().assess(&request("app"));
    assert_eq!(
        doc_names(&e),
        [
            "数据迁移委托函扫描件",
            "APP Store或应用宝归属信息截图",
            "《名称使用授权书》",
            "主体营业执照扫描件"
        ]
    );
}

#[test]
fn materials_same_name() {
    // wecom-admin/migration.materials.same-name
    let mut r = request("same-name");
    r.destination = party("深圳唐云科技有限公司", "唐云");
    let e = assessor().assess(&r);
    assert!(e.eligible, "{:#?}", e.reasons);
    assert_eq!(
        doc_names(&e),
        ["数据迁移委托函扫描件", "主体营业执照扫描件"]
    );
    let f = finding(&e, "wecom-admin/migration.materials.same-name", None);
    assert_eq!(f.status, Status::Met);
}

#[test]
fn materials_same_name_needs_the_same_full_name() {
    // wecom-admin/migration.materials.same-name: failure cases
    let e = assessor().assess(&request("same-name"));
    assert_eq!(
        finding(&e, "wecom-admin/migration.materials.same-name", None).status,
        Status::Unmet
    );
    assert!(!e.eligible);
    let mut r = request("same-name");
    r.source.full_name = None;
    let e = assessor().assess(&r);
    assert_eq!(
        finding(&e, "wecom-admin/migration.materials.same-name", None).status,
        Status::Unknown
    );
}

#[test]
fn materials_every_rulebook_item_is_listed_once() {
    // wecom-admin/migration.materials.*: documents read from the rulebook lists
    for rel in Relationship::ALL {
        let rule = rulebook().rule(rel.rule()).unwrap();
        let mut expected: Vec<String> = Vec::new();
        for l in &rule.lists {
            if l.require == Some(Require::Any) {
                expected.push(l.items.join(" / "));
            } else {
                expected.extend(l.items.iter().cloned());
            }
        }
        let mut ours: Vec<String> = assessor()
            .documents(rel)
            .iter()
            .map(|d| d.zh.clone())
            .collect();
        expected.sort();
        ours.sort();
        assert_eq!(ours, expected, "{rel:?}");
        let docs = assessor().documents(rel);
        assert_eq!(docs.first().unwrap().part, Part::Mandate, "{rel:?}");
        assert_eq!(docs.last().unwrap().part, Part::Licence, "{rel:?}");
        assert!(docs.iter().all(|d| !d.en.is_empty()));
    }
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.subject-consistency
// ---------------------------------------------------------------------------

#[test]
fn subject_consistency_match_is_met_after_folding() {
    // wecom-admin/migration.subject-consistency: full-width and half-width parentheses fold.
    let mut r = request("brand");
    r.destination.licence_name = Some("唐云(广州)贸易有限公司".into());
    let e = assessor().assess(&r);
    for side in [Side::Source, Side::Destination] {
        assert_eq!(
            finding(&e, RULE_SUBJECT_CONSISTENCY, Some(side)).status,
            Status::Met
        );
    }
}

#[test]
fn subject_consistency_mismatch_is_not_eligible() {
    // wecom-admin/migration.subject-consistency: failure case
    let mut r = request("brand");
    r.source.licence_name = Some("深圳唐云网络有限公司".into());
    let e = assessor().assess(&r);
    assert!(!e.eligible);
    let f = finding(&e, RULE_SUBJECT_CONSISTENCY, Some(Side::Source));
    assert_eq!(f.status, Status::Unmet);
    assert!(f.zh.contains("不一致"));
}

#[test]
fn subject_consistency_missing_licence_name_is_unknown() {
    // wecom-admin/migration.subject-consistency
    let mut r = request("brand");
    r.destination.licence_name = None;
    let e = assessor().assess(&r);
    assert!(!e.eligible);
    assert_eq!(
        finding(&e, RULE_SUBJECT_CONSISTENCY, Some(Side::Destination)).status,
        Status::Unknown
    );
}

#[test]
fn subject_consistency_no_change_during_migration() {
    // wecom-admin/migration.subject-consistency: 不能在迁移期间变更认证主体
    let mut r = request("brand");
    r.source.subject_change_planned = true;
    let e = assessor().assess(&r);
    assert!(!e.eligible);
    assert!(e.reasons.iter().any(|f| f.rule == RULE_SUBJECT_CONSISTENCY
        && f.status == Status::Unmet
        && f.zh.contains("迁移期间不能变更认证主体")));
}

#[test]
fn subject_consistency_unverified_has_no_subject() {
    // wecom-admin/migration.subject-consistency with wecom-admin/migration.verification
    let mut r = request("brand");
    r.source.verification = Verification::Unverified;
    let e = assessor().assess(&r);
    assert_eq!(
        finding(&e, RULE_SUBJECT_CONSISTENCY, Some(Side::Source)).status,
        Status::Unknown
    );
}

// ---------------------------------------------------------------------------
// wecom-admin/migration.templates / .review
// ---------------------------------------------------------------------------

#[test]
fn templates_for_the_mandate_letter_and_the_name_use_authorisation() {
    // wecom-admin/migration.templates
    let e = assessor().assess(&request("product"));
    let with_template: Vec<&str> = e
        .documents
        .iter()
        .filter(|d| d.template)
        .map(|d| d.zh.as_str())
        .collect();
    assert_eq!(
        with_template,
        ["数据迁移委托函扫描件", "《名称使用授权书》"]
    );
    let n = e.notices.iter().find(|n| n.rule == RULE_TEMPLATES).unwrap();
    assert_eq!(n.status, Status::Info);
    assert_eq!(n.zh, rulebook().rule(RULE_TEMPLATES).unwrap().quote);
    // The brand row has no name-use authorisation: only the mandate letter has a template.
    let e = assessor().assess(&request("brand"));
    assert_eq!(e.documents.iter().filter(|d| d.template).count(), 1);
}

#[test]
fn review_tencent_reviews_then_paper_copies() {
    // wecom-admin/migration.review
    for rel in Relationship::ALL {
        let e = assessor().assess(&request(rel.slug()));
        let n = e.notices.iter().find(|n| n.rule == RULE_REVIEW).unwrap();
        assert!(n.zh.contains("审核通过后，再邮寄盖章纸质版材料"));
    }
}

// ---------------------------------------------------------------------------
// Requests from files; the free function; the data file
// ---------------------------------------------------------------------------

#[test]
fn request_from_toml_and_json() {
    // wecom-admin/migration.relationship / .verification: a CLI reads the request from a file.
    let toml = r#"
relationship = "brand"
shared_field = "唐云"

[source]
full_name = "深圳唐云科技有限公司"
short_name = "唐云科技"
licence_name = "深圳唐云科技有限公司"
verification = { status = "verified", subject = "深圳唐云科技有限公司" }

[destination]
short_name = "唐云"
licence_name = "唐云（广州）贸易有限公司"
verification = { status = "verified", subject = "唐云（广州）贸易有限公司" }
"#;
    let r = Request::from_toml(toml).unwrap();
    let e = assess(&r);
    assert!(e.eligible, "{:#?}", e.reasons);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(Request::from_json(&json).unwrap(), r);
    let out = serde_json::to_value(&e).unwrap();
    assert_eq!(out["relationship"], "brand");
    assert_eq!(out["reasons"][0]["rule"], RULE_VERIFICATION);
    assert_eq!(out["reasons"][0]["status"], "met");
}

#[test]
fn request_malformed_is_an_error() {
    // wecom-admin/migration.verification: a status outside verified / expired / unverified
    let bad = r#"{"relationship":"brand","source":{"verification":{"status":"pending"}},
                  "destination":{"verification":{"status":"unverified"}}}"#;
    assert!(matches!(
        Request::from_json(bad),
        Err(MigrationError::Request(_))
    ));
    let unknown_field = r#"{"relationship":"brand","colour":"red",
        "source":{"verification":{"status":"unverified"}},
        "destination":{"verification":{"status":"unverified"}}}"#;
    let e = Request::from_json(unknown_field).unwrap_err();
    assert!(e.to_string().starts_with("迁移申请格式有误"));
}

#[test]
fn free_function_matches_the_assessor() {
    let r = request("website");
    assert_eq!(assess(&r), assessor().assess(&r));
    assert_eq!(Assessor::embedded().unwrap().assess(&r), assess(&r));
}

fn load_modified(from: &str, to: &str) -> Result<Assessor, MigrationError> {
    assert!(DATA.contains(from), "{from}");
    Assessor::load(rulebook(), &DATA.replacen(from, to, 1))
}

#[test]
fn data_document_without_entry_is_rejected() {
    // wecom-admin/migration.materials.website: every rulebook item needs an entry
    let e = load_modified("zh = \"ICP备案截图\"", "zh = \"ICP截图\"").unwrap_err();
    assert!(matches!(e, MigrationError::Data(_)), "{e}");
}

#[test]
fn data_template_not_in_quote_is_rejected() {
    // wecom-admin/migration.templates
    let e =
        load_modified("template = \"名称使用授权书\"", "template = \"品牌授权书\"").unwrap_err();
    assert!(matches!(e, MigrationError::Data(_)), "{e}");
}

#[test]
fn data_relationship_order_is_checked() {
    // wecom-admin/migration.relationship
    let e = load_modified("slug = \"brand\"", "slug = \"trademark\"").unwrap_err();
    assert!(matches!(e, MigrationError::Data(_)), "{e}");
    assert!(matches!(
        Assessor::load(rulebook(), "[[nope]]"),
        Err(MigrationError::Data(_))
    ));
}

fn any_verification() -> impl Strategy<Value = Verification> {
    prop_oneof![
        Just(Verification::Verified {
            subject: "深圳唐云科技有限公司".into()
        }),
        Just(Verification::Expired {
            subject: "深圳唐云科技有限公司".into()
        }),
        Just(Verification::Unverified),
    ]
}

proptest! {
    #[test]
    fn eligible_only_when_both_are_verified_and_everything_is_met(
        v1 in any_verification(),
        v2 in any_verification(),
        rel in proptest::sample::select(vec!["brand", "trademark", "product", "website", "app", "same-name", "other", ""]),
        short in proptest::option::of("[唐云星河科技]{1,4}"),
        change in any::<bool>(),
    ) {
        // wecom-admin/migration.verification, .relationship, .short-name, .subject-consistency
        let mut r = request(rel);
        r.source.verification = v1.clone();
        r.destination.verification = v2.clone();
        r.destination.short_name = short;
        r.source.subject_change_planned = change;
        let e = assessor().assess(&r);
        let verified = |v: &Verification| matches!(v, Verification::Verified { .. });
        if e.eligible {
            prop_assert!(verified(&v1) && verified(&v2));
            prop_assert!(!change);
            prop_assert!(e.relationship.is_some());
            prop_assert!(!e.documents.is_empty());
            prop_assert!(e.reasons.iter().all(|f| f.status == Status::Met));
        }
        prop_assert_eq!(e.relationship.is_some(), !e.documents.is_empty());
        prop_assert!(e.reasons.iter().chain(&e.notices).all(|f| f.rule.starts_with("wecom-admin/migration.")));
    }
}
