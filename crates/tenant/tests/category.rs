//! Tests of `bylaw_tenant::category` against `wecom-admin/business-category.*`.
//! Every test names the rule it exercises.

use std::sync::OnceLock;

use bylaw_rulebook::{Cell, Rulebook};
use bylaw_tenant::category::{
    Catalog, CategoryError, CategoryId, CategoryState, Feature, DATA, RULES, RULE_CHANGE,
    RULE_DEFINITION, RULE_EFFECTS, RULE_REVIEW, RULE_SCOPE, RULE_SINGLE, RULE_UNIQUE, RULE_UNSET,
    RULE_UNSET_BLOCKED, RULE_UNSET_IN_REVIEW, RULE_WHO,
};
use proptest::prelude::*;

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook loads"))
}

fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| Catalog::from_rulebook(rulebook()).expect("shipped catalog loads"))
}

fn in_review(id: &str) -> CategoryState {
    CategoryState::InReview {
        category: CategoryId::new(id),
    }
}

fn approved(id: &str) -> CategoryState {
    CategoryState::Approved {
        category: CategoryId::new(id),
    }
}

fn text(c: &Cell) -> &str {
    match c {
        Cell::Text(s) => s,
        Cell::Number(_) => "",
    }
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.scope — the taxonomy
// ---------------------------------------------------------------------------

#[test]
fn scope_every_rulebook_row_is_one_category_in_order() {
    // wecom-admin/business-category.scope
    let rule = rulebook().rule(RULE_SCOPE).unwrap();
    let table = rule.tables.iter().find(|t| t.name == "categories").unwrap();
    let cats = catalog().categories();
    assert_eq!(cats.len(), table.rows.len());
    for (c, row) in cats.iter().zip(&table.rows) {
        assert_eq!(c.second_level.as_deref().unwrap_or("—"), text(&row[1]));
        assert_eq!(c.scope, text(&row[2]), "scope read from the rulebook");
        if !text(&row[0]).is_empty() {
            assert_eq!(c.first_level.as_deref(), Some(text(&row[0])));
        }
    }
}

#[test]
fn scope_first_level_classes_as_the_seed_labels_them() {
    // wecom-admin/business-category.scope: 18 labels in the seed + the unlabelled catering rows.
    let labels: Vec<Option<&str>> = catalog()
        .classes()
        .iter()
        .map(|c| c.zh.as_deref())
        .collect();
    assert_eq!(
        labels,
        vec![
            Some("IT互联网"),
            Some("电商"),
            Some("零售/批发"),
            None,
            Some("生活服务"),
            Some("商业服务"),
            Some("广告/设计"),
            Some("文娱"),
            Some("金融服务"),
            Some("旅游服务"),
            Some("汽车服务"),
            Some("医疗服务"),
            Some("房地产"),
            Some("教育服务"),
            Some("交通服务"),
            Some("政务服务"),
            Some("物流服务"),
            Some("非营利机构"),
            Some("其他"),
        ]
    );
    let sizes: Vec<usize> = catalog()
        .classes()
        .iter()
        .map(|c| c.categories.len())
        .collect();
    assert_eq!(
        sizes,
        vec![4, 13, 11, 2, 10, 4, 2, 4, 7, 3, 2, 3, 5, 3, 1, 1, 1, 1, 1]
    );
}

#[test]
fn scope_retail_group_is_the_offline_rows() {
    // wecom-admin/business-category.scope: 零售/批发 is written on row 5 of its group;
    // every row of the group but its closing 其他 is 线下…在线上提供.
    let cat = catalog();
    let retail = cat.class("retail-wholesale").unwrap();
    let (other, rest) = retail.categories.split_last().unwrap();
    assert_eq!(other.as_str(), "retail-wholesale.other");
    for id in rest {
        let c = cat.get(id.as_str()).unwrap();
        assert!(c.scope.starts_with("线下"), "{id}: {}", c.scope);
    }
    for id in &cat.class("e-commerce").unwrap().categories {
        let c = cat.get(id.as_str()).unwrap();
        assert!(!c.scope.starts_with("线下"), "{id}");
    }
}

#[test]
fn scope_unlabelled_catering_rows_have_no_chinese_class_name() {
    // wecom-admin/business-category.scope: the seed writes no first level for 餐饮服务场所/餐饮品牌管理企业.
    let c = catalog().get("catering.restaurants-brands").unwrap();
    assert_eq!(c.first_level, None);
    assert_eq!(
        c.second_level.as_deref(),
        Some("餐饮服务场所/餐饮品牌管理企业")
    );
    assert_eq!(
        catalog().by_zh("餐饮服务场所/餐饮品牌管理企业").unwrap().id,
        c.id
    );
}

#[test]
fn scope_seed_spellings_are_kept() {
    // wecom-admin/business-category.scope: 电商 writes 医疗器械, 零售/批发 writes 医疗器材.
    assert_eq!(
        catalog()
            .get("e-commerce.health-otc-devices")
            .unwrap()
            .second_level
            .as_deref(),
        Some("保健品/非处方药/医疗器械")
    );
    assert_eq!(
        catalog()
            .get("retail-wholesale.health-otc-equipment")
            .unwrap()
            .second_level
            .as_deref(),
        Some("保健品/非处方药/医疗器材")
    );
}

#[test]
fn scope_lookup_by_id_and_chinese_name() {
    // wecom-admin/business-category.scope
    let cat = catalog();
    let games = cat.get("entertainment.games").unwrap();
    assert_eq!(games.zh(), "文娱—游戏");
    assert_eq!(games.en_path(), "Culture and entertainment — Games");
    assert_eq!(cat.by_zh("文娱—游戏").unwrap().id, games.id);
    assert_eq!(cat.by_zh("文娱-游戏").unwrap().id, games.id);
    assert_eq!(
        cat.by_zh("游戏").unwrap().id,
        games.id,
        "unique second level"
    );
    assert_eq!(cat.lookup("文娱 — 游戏").unwrap().id, games.id);
    assert_eq!(cat.lookup("entertainment.games").unwrap().id, games.id);
    // A class without second level (— in the seed) is itself selectable.
    assert_eq!(cat.by_zh("交通服务").unwrap().id.as_str(), "transport");
    assert_eq!(cat.by_zh("其他").unwrap().id.as_str(), "other");
    assert_eq!(
        cat.by_zh("房地产—其他").unwrap().id.as_str(),
        "real-estate.other"
    );
}

#[test]
fn scope_unknown_category_is_an_error() {
    // wecom-admin/business-category.scope: failure case
    let e = catalog().get("x").unwrap_err();
    assert_eq!(e, CategoryError::Unknown("x".into()));
    assert_eq!(
        e.to_string(),
        "未知的经营类目 unknown business category `x`"
    );
    assert!(matches!(
        catalog().by_zh("不存在"),
        Err(CategoryError::Unknown(_))
    ));
    assert!(matches!(
        catalog().by_zh("文娱—不存在"),
        Err(CategoryError::Unknown(_))
    ));
    assert!(matches!(
        catalog().lookup("不存在"),
        Err(CategoryError::Unknown(_))
    ));
}

#[test]
fn scope_ambiguous_second_level_is_an_error() {
    // wecom-admin/business-category.scope: 烟/酒/茶 is under both 电商 and 零售/批发.
    match catalog().by_zh("烟/酒/茶") {
        Err(CategoryError::Ambiguous { candidates, .. }) => {
            assert!(candidates.contains("e-commerce.tobacco-liquor-tea"));
            assert!(candidates.contains("retail-wholesale.tobacco-liquor-tea"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scope_first_level_with_second_levels_is_not_selectable() {
    // wecom-admin/business-category.scope: 文娱 has second levels; one of them is chosen.
    for q in ["文娱", "entertainment"] {
        match catalog().lookup(q) {
            Err(CategoryError::NotSelectable { id, rule, .. }) => {
                assert_eq!(id, "entertainment");
                assert_eq!(rule, RULE_SCOPE);
            }
            other => panic!("{q}: {other:?}"),
        }
    }
}

#[test]
fn scope_every_rule_id_exists() {
    // every wecom-admin/business-category.* rule the module cites exists
    for id in RULES {
        assert!(rulebook().rule(id).is_some(), "{id}");
    }
    for r in catalog().redirects() {
        assert!(rulebook().rule(&r.rule).is_some(), "{}", r.rule);
    }
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.single / .unique
// ---------------------------------------------------------------------------

#[test]
fn single_limit_is_read_from_the_rulebook() {
    // wecom-admin/business-category.single: threshold `categories` max = 1
    let t = rulebook()
        .rule(RULE_SINGLE)
        .unwrap()
        .threshold("categories", None)
        .unwrap();
    assert_eq!(catalog().max_categories() as f64, t.max.unwrap().get());
    assert_eq!(catalog().max_categories(), 1);
}

#[test]
fn single_exactly_one_category_is_selected() {
    // wecom-admin/business-category.single
    let cat = catalog();
    assert_eq!(
        cat.validate_selection(&["entertainment.games"])
            .unwrap()
            .id
            .as_str(),
        "entertainment.games"
    );
    assert_eq!(
        cat.validate_selection(&[]),
        Err(CategoryError::NoneSelected { rule: RULE_SINGLE })
    );
    let e = cat
        .validate_selection(&["entertainment.games", "finance.banks"])
        .unwrap_err();
    assert_eq!(
        e,
        CategoryError::TooMany {
            count: 2,
            max: 1,
            rule: RULE_SINGLE
        }
    );
    assert!(e.to_string().starts_with("仅支持选择 1 个类目"));
    assert!(matches!(
        cat.validate_selection(&["x"]),
        Err(CategoryError::Unknown(_))
    ));
}

#[test]
fn unique_a_second_selection_is_refused() {
    // wecom-admin/business-category.unique: a tenant with a category changes it, never adds one.
    for state in [in_review("finance.banks"), approved("finance.banks")] {
        let e = catalog().select(&state, "entertainment.games").unwrap_err();
        assert_eq!(
            e,
            CategoryError::AlreadySelected {
                current: "finance.banks".into(),
                rule: RULE_UNIQUE
            }
        );
    }
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.definition / .effects / .unset
// ---------------------------------------------------------------------------

#[test]
fn definition_selected_category_is_shown() {
    // wecom-admin/business-category.definition: a public field shown to customers and members.
    let l = catalog().label(&approved("entertainment.games")).unwrap();
    assert_eq!(l.rule, RULE_DEFINITION);
    assert_eq!(l.zh, "文娱—游戏");
    assert!(!l.question_mark && !l.profile_incomplete && !l.in_review);
    let l = catalog().label(&in_review("entertainment.games")).unwrap();
    assert!(l.in_review);
    assert!(matches!(
        catalog().label(&approved("nope")),
        Err(CategoryError::Unknown(_))
    ));
}

#[test]
fn effects_selecting_tells_what_the_category_does() {
    // wecom-admin/business-category.effects
    let t = catalog()
        .select(&CategoryState::Unset, "finance.banks")
        .unwrap();
    let effects = t.notices.iter().find(|n| n.rule == RULE_EFFECTS).unwrap();
    assert_eq!(effects.zh, rulebook().rule(RULE_EFFECTS).unwrap().quote);
    assert!(effects.zh.contains("免费能力和付费能力"));
}

#[test]
fn unset_shows_unknown_and_incomplete() {
    // wecom-admin/business-category.unset: 未知和红色问号 / 企业未完善
    let l = catalog().label(&CategoryState::Unset).unwrap();
    assert_eq!(l.rule, RULE_UNSET);
    assert_eq!(l.zh, "未知");
    assert!(l.question_mark);
    assert!(l.profile_incomplete);
    assert_eq!(catalog().incomplete_profile_text().0, "企业未完善");
    let quote = &rulebook().rule(RULE_UNSET).unwrap().quote;
    assert!(quote.contains(&l.zh) && quote.contains(catalog().incomplete_profile_text().0));
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.unset.blocked / .unset.in-review
// ---------------------------------------------------------------------------

#[test]
fn unset_blocked_features_are_the_rulebook_list() {
    // wecom-admin/business-category.unset.blocked: list `blocked-operations`
    let list = rulebook()
        .rule(RULE_UNSET_BLOCKED)
        .unwrap()
        .list("blocked-operations")
        .unwrap();
    let names: Vec<&str> = Feature::ALL
        .iter()
        .map(|f| catalog().feature_zh(*f))
        .collect();
    assert_eq!(
        names,
        list.items.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for f in Feature::ALL {
        assert!(!catalog().feature_en(f).is_empty());
    }
}

#[test]
fn unset_blocked_every_operation_without_a_category() {
    // wecom-admin/business-category.unset.blocked
    for f in Feature::ALL {
        let v = catalog().feature_allowed(&CategoryState::Unset, f);
        assert!(!v.allowed, "{f:?}");
        assert_eq!(v.rule, RULE_UNSET_BLOCKED);
        assert!(v.zh.contains(catalog().feature_zh(f)));
        assert!(v.to_string().contains(RULE_UNSET_BLOCKED));
    }
}

#[test]
fn unset_in_review_allows_items_1_and_2_only() {
    // wecom-admin/business-category.unset.in-review: 第1点和第2点可以正常查看
    let state = in_review("entertainment.games");
    assert_eq!(catalog().in_review_allowed(), &[1, 2]);
    for f in Feature::ALL {
        let v = catalog().feature_allowed(&state, f);
        assert_eq!(v.rule, RULE_UNSET_IN_REVIEW);
        assert_eq!(v.allowed, f.position() <= 2, "{f:?}");
    }
    let v = catalog().feature_allowed(&state, Feature::AutoDeductEnable);
    assert!(v.zh.contains("仍被拦截"), "{}", v.zh);
    assert!(v.en.contains("stays blocked"));
}

#[test]
fn unset_blocked_lifted_once_approved() {
    // wecom-admin/business-category.unset.blocked: the block is for tenants without a category.
    for f in Feature::ALL {
        let v = catalog().feature_allowed(&approved("finance.banks"), f);
        assert!(v.allowed, "{f:?}");
        assert_eq!(v.rule, RULE_UNSET_BLOCKED);
    }
}

#[test]
fn unset_blocked_features_parse_by_slug_and_chinese_name() {
    // wecom-admin/business-category.unset.blocked
    let cat = catalog();
    assert_eq!(
        cat.feature("auto-deduct-enable").unwrap(),
        Feature::AutoDeductEnable
    );
    assert_eq!(
        cat.feature("获客助手购买时").unwrap(),
        Feature::AcquisitionPurchase
    );
    let e = cat.feature("发消息").unwrap_err();
    assert!(e
        .to_string()
        .starts_with("未知的功能 unknown feature `发消息`"));
    assert!(e.to_string().contains(RULE_UNSET_BLOCKED));
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.review / .change / .who
// ---------------------------------------------------------------------------

#[test]
fn review_selection_goes_under_review_then_approval() {
    // wecom-admin/business-category.review
    let t = catalog().select(&CategoryState::Unset, "游戏").unwrap();
    assert_eq!(t.state, in_review("entertainment.games"));
    let review = t.notices.iter().find(|n| n.rule == RULE_REVIEW).unwrap();
    for source in catalog().review_sources() {
        assert!(review.zh.contains(source.as_str()), "{source}");
    }
    assert_eq!(
        catalog().review_sources(),
        rulebook()
            .rule(RULE_REVIEW)
            .unwrap()
            .list("review-sources")
            .unwrap()
            .items
            .as_slice()
    );
    assert_eq!(t.state.approve().unwrap(), approved("entertainment.games"));
}

#[test]
fn review_approve_needs_a_category_under_review() {
    // wecom-admin/business-category.review: failure cases
    for state in [CategoryState::Unset, approved("finance.banks")] {
        assert_eq!(
            state.approve(),
            Err(CategoryError::NotInReview { rule: RULE_REVIEW })
        );
    }
}

#[test]
fn review_select_unknown_category_fails() {
    // wecom-admin/business-category.review / .scope: failure case
    assert!(matches!(
        catalog().select(&CategoryState::Unset, "x"),
        Err(CategoryError::Unknown(_))
    ));
    assert!(matches!(
        catalog().select(&CategoryState::Unset, "文娱"),
        Err(CategoryError::NotSelectable { .. })
    ));
}

#[test]
fn change_puts_the_new_category_under_review() {
    // wecom-admin/business-category.change
    let t = catalog()
        .change(&approved("finance.banks"), "entertainment.games")
        .unwrap();
    assert_eq!(t.state, in_review("entertainment.games"));
    let n = t.notices.iter().find(|n| n.rule == RULE_CHANGE).unwrap();
    assert!(n.zh.contains("金融服务—银行") && n.zh.contains("文娱—游戏"));
    assert!(n.zh.contains("部分功能可能会有些差异"));
    assert!(t.notices.iter().any(|n| n.rule == RULE_REVIEW));
    // Under review again: only items 1 and 2 (business-category.unset.in-review).
    assert!(
        !catalog()
            .feature_allowed(&t.state, Feature::AcquisitionPurchase)
            .allowed
    );
}

#[test]
fn change_failure_cases() {
    // wecom-admin/business-category.change
    assert_eq!(
        catalog().change(&CategoryState::Unset, "finance.banks"),
        Err(CategoryError::NothingToChange { rule: RULE_CHANGE })
    );
    assert_eq!(
        catalog().change(&approved("finance.banks"), "金融服务—银行"),
        Err(CategoryError::Unchanged("finance.banks".into()))
    );
    assert!(matches!(
        catalog().change(&approved("finance.banks"), "x"),
        Err(CategoryError::Unknown(_))
    ));
}

#[test]
fn change_required_when_the_offering_changes() {
    // wecom-admin/business-category.change: 产品或服务有变化，则需要更换经营类目
    let cat = catalog();
    let n = cat
        .change_required(&approved("finance.banks"), "finance.insurance")
        .unwrap()
        .unwrap();
    assert_eq!(n.rule, RULE_CHANGE);
    assert!(n.zh.contains("需要更换经营类目"));
    assert_eq!(
        cat.change_required(&approved("finance.banks"), "finance.banks")
            .unwrap(),
        None
    );
    assert_eq!(
        cat.change_required(&CategoryState::Unset, "finance.banks")
            .unwrap(),
        None
    );
    assert!(cat
        .change_required(&approved("finance.banks"), "x")
        .is_err());
}

#[test]
fn who_rule_is_exposed_not_enforced_here() {
    // wecom-admin/business-category.who: super admins or the business owner (checked elsewhere).
    let r = rulebook().rule(RULE_WHO).unwrap();
    assert_eq!(
        r.list("selectors").unwrap().items,
        vec!["超级管理员", "业务负责人"]
    );
}

// ---------------------------------------------------------------------------
// wecom-admin/business-category.redirect.*
// ---------------------------------------------------------------------------

#[test]
fn redirects_cover_every_redirect_rule() {
    // wecom-admin/business-category.redirect.*
    let in_book: Vec<&str> = rulebook()
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with("wecom-admin/business-category.redirect."))
        .collect();
    let ours: Vec<&str> = catalog()
        .redirects()
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(ours, in_book);
}

fn redirect_case(business: &str, rule: &str, target: &str, wrong: &str) {
    let cat = catalog();
    let r = cat.redirect(business).unwrap();
    assert_eq!(r.rule, rule);
    assert_eq!(r.target.as_str(), target);
    assert!(cat
        .redirect_findings(target, &[business])
        .unwrap()
        .is_empty());
    let found = cat.redirect_findings(wrong, &[business]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, rule);
    assert!(found[0].zh.contains(&cat.get(target).unwrap().zh()));
}

#[test]
fn redirect_online_game() {
    // wecom-admin/business-category.redirect.online-game
    redirect_case(
        "online-game",
        "wecom-admin/business-category.redirect.online-game",
        "entertainment.games",
        "it-internet.internet-platform",
    );
}

#[test]
fn redirect_game_top_up() {
    // wecom-admin/business-category.redirect.game-top-up
    redirect_case(
        "game-top-up",
        "wecom-admin/business-category.redirect.game-top-up",
        "entertainment.games",
        "e-commerce.virtual-goods",
    );
}

#[test]
fn redirect_medical_beauty() {
    // wecom-admin/business-category.redirect.medical-beauty
    redirect_case(
        "medical-beauty",
        "wecom-admin/business-category.redirect.medical-beauty",
        "medical.private-institutions",
        "lifestyle.beauty",
    );
}

#[test]
fn redirect_housing_rental() {
    // wecom-admin/business-category.redirect.housing-rental
    redirect_case(
        "housing-rental",
        "wecom-admin/business-category.redirect.housing-rental",
        "real-estate.agencies",
        "lifestyle.rental",
    );
}

#[test]
fn redirect_interior_design() {
    // wecom-admin/business-category.redirect.interior-design
    redirect_case(
        "interior-design",
        "wecom-admin/business-category.redirect.interior-design",
        "real-estate.other",
        "advertising-design.advertising-design",
    );
}

#[test]
fn redirect_finance_training() {
    // wecom-admin/business-category.redirect.finance-training
    redirect_case(
        "finance-training",
        "wecom-admin/business-category.redirect.finance-training",
        "finance.finance-training",
        "education.training",
    );
}

#[test]
fn redirect_noted_under_scope_carries_the_quote() {
    // wecom-admin/business-category.redirect.*: each 注意 is in its row's scope.
    for r in catalog().redirects() {
        let quote = &rulebook().rule(&r.rule).unwrap().quote;
        assert!(catalog()
            .get(r.noted_under.as_str())
            .unwrap()
            .scope
            .contains(quote.as_str()));
    }
}

#[test]
fn redirect_failure_cases() {
    // wecom-admin/business-category.redirect.*: unknown business / category
    assert_eq!(
        catalog().redirect("crypto").unwrap_err(),
        CategoryError::UnknownBusiness("crypto".into())
    );
    assert!(catalog()
        .redirect_findings("finance.banks", &["crypto"])
        .is_err());
    assert!(catalog().redirect_findings("x", &["online-game"]).is_err());
    // Two declared businesses, each checked.
    let f = catalog()
        .redirect_findings("lifestyle.beauty", &["medical-beauty", "online-game"])
        .unwrap();
    assert_eq!(f.len(), 2);
}

// ---------------------------------------------------------------------------
// The data file is checked against the rulebook (wecom-admin/business-category.scope)
// ---------------------------------------------------------------------------

fn load_modified(from: &str, to: &str) -> Result<Catalog, CategoryError> {
    assert!(DATA.contains(from), "{from}");
    Catalog::load(rulebook(), &DATA.replacen(from, to, 1))
}

#[test]
fn data_wrong_chinese_name_is_rejected() {
    // wecom-admin/business-category.scope
    let e = load_modified("zh = \"游戏\"", "zh = \"电子游戏\"").unwrap_err();
    assert!(matches!(e, CategoryError::Data(_)), "{e}");
}

#[test]
fn data_wrong_grouping_is_rejected() {
    // wecom-admin/business-category.scope: the label 零售/批发 must fall on a row of its class.
    let e = load_modified("zh = \"零售/批发\"", "zh = \"零售\"").unwrap_err();
    assert!(matches!(e, CategoryError::Data(_)), "{e}");
}

#[test]
fn data_wrong_redirect_target_is_rejected() {
    // wecom-admin/business-category.redirect.medical-beauty
    let e = load_modified(
        "target = \"medical.private-institutions\"",
        "target = \"medical.public-institutions\"",
    )
    .unwrap_err();
    assert!(matches!(e, CategoryError::Data(_)), "{e}");
}

#[test]
fn data_in_review_item_not_in_quote_is_rejected() {
    // wecom-admin/business-category.unset.in-review
    let e = load_modified("allowed = [1, 2]", "allowed = [1, 2, 3]").unwrap_err();
    assert!(matches!(e, CategoryError::Data(_)), "{e}");
}

#[test]
fn data_malformed_is_an_error_not_a_panic() {
    assert!(matches!(
        Catalog::load(rulebook(), "not toml ["),
        Err(CategoryError::Data(_))
    ));
}

#[test]
fn embedded_catalog_loads() {
    let c = Catalog::embedded().unwrap();
    assert_eq!(c.categories().len(), catalog().categories().len());
}

// ---------------------------------------------------------------------------
// Serialisation of the state (a tenant's record)
// ---------------------------------------------------------------------------

#[test]
fn state_serialises_with_a_status_tag() {
    // wecom-admin/business-category.single: one category in the state, by construction.
    let s = in_review("entertainment.games");
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(
        json,
        r#"{"status":"in-review","category":"entertainment.games"}"#
    );
    assert_eq!(serde_json::from_str::<CategoryState>(&json).unwrap(), s);
    assert_eq!(
        serde_json::from_str::<CategoryState>(r#"{"status":"unset"}"#).unwrap(),
        CategoryState::Unset
    );
}

fn any_state() -> impl Strategy<Value = CategoryState> {
    let ids: Vec<String> = catalog()
        .categories()
        .iter()
        .map(|c| c.id.as_str().to_string())
        .collect();
    prop_oneof![
        Just(CategoryState::Unset),
        proptest::sample::select(ids.clone()).prop_map(|id| in_review(&id)),
        proptest::sample::select(ids).prop_map(|id| approved(&id)),
    ]
}

proptest! {
    #[test]
    fn verdict_follows_the_state(state in any_state(), i in 0usize..5) {
        // wecom-admin/business-category.unset.blocked / .unset.in-review
        let f = Feature::ALL[i];
        let v = catalog().feature_allowed(&state, f);
        prop_assert!(v.rule == RULE_UNSET_BLOCKED || v.rule == RULE_UNSET_IN_REVIEW);
        match state {
            CategoryState::Unset => prop_assert!(!v.allowed),
            CategoryState::InReview { .. } => prop_assert_eq!(v.allowed, f.position() <= 2),
            CategoryState::Approved { .. } => prop_assert!(v.allowed),
        }
        prop_assert!(catalog().label(&state).is_ok());
    }

    #[test]
    fn every_category_round_trips_by_id_and_path(i in 0usize..78) {
        // wecom-admin/business-category.scope
        let cats = catalog().categories();
        let c = &cats[i % cats.len()];
        prop_assert_eq!(&catalog().get(c.id.as_str()).unwrap().id, &c.id);
        if c.first_level.is_some() {
            prop_assert_eq!(&catalog().by_zh(&c.zh()).unwrap().id, &c.id);
        }
    }
}
