//! The embedded rulebook against its seeds and against RULE_IDS.md.

use std::path::{Path, PathBuf};

use bylaw_rulebook::coverage;
use bylaw_rulebook::seeds::{self, Seeds};
use bylaw_rulebook::{Action, Ladder, Resolved, Rulebook, Unit, KNOWN_BOOKS};

fn rulebook() -> Rulebook {
    match Rulebook::embedded() {
        Ok(rb) => rb,
        Err(e) => panic!("the embedded rulebook must load:\n{e}"),
    }
}

/// The seed documents; the tests that need them fail (never skip) without.
fn seeds() -> Seeds {
    let dir: PathBuf = Seeds::locate(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|| {
        panic!("seed documents not found: expected shared/seeds beside the repository, or set BYLAW_SEEDS")
    });
    Seeds::load(&dir).expect("seeds load")
}

#[test]
fn embedded_rulebook_loads_every_book_of_rule_ids() {
    let rb = rulebook();
    let keys: Vec<&str> = rb.books().iter().map(|b| b.header.key.as_str()).collect();
    for k in KNOWN_BOOKS {
        assert!(keys.contains(&k), "book {k} of RULE_IDS.md has no file");
        assert!(!rb.book(k).unwrap().is_empty(), "book {k} has no rules");
    }
    assert!(
        rb.rules().len() >= 500,
        "expected several hundred rules, got {}",
        rb.rules().len()
    );
}

#[test]
fn every_quote_is_verbatim_in_its_seed() {
    let rb = rulebook();
    let problems = seeds::verify_quotes(&rb, &seeds());
    let listing: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "{} quotes not verbatim:\n{}",
        problems.len(),
        listing.join("\n")
    );
}

#[test]
fn every_numbered_clause_is_a_rule_or_an_exclusion() {
    let rb = rulebook();
    let cov = coverage::check(&rb, &seeds());
    assert!(
        cov.missing_seeds.is_empty(),
        "seed files missing for {:?}",
        cov.missing_seeds
    );
    let listing: Vec<String> = cov
        .missing
        .iter()
        .map(|c| format!("{}/{} (seed line {}: {})", c.book, c.clause, c.line, c.text))
        .collect();
    assert!(
        cov.missing.is_empty(),
        "{} clauses uncovered:\n{}",
        cov.missing.len(),
        listing.join("\n")
    );
    assert!(
        cov.clauses > 1000,
        "the extractor found only {} numbered clauses",
        cov.clauses
    );
}

#[test]
fn ids_follow_rule_ids_md() {
    let rb = rulebook();
    for r in rb.rules() {
        let (book, clause) = r.id.split_once('/').expect("BOOK/CLAUSE");
        assert!(KNOWN_BOOKS.contains(&book), "{}", r.id);
        assert_eq!(r.book, book);
        assert_eq!(r.clause, clause);
        assert!(
            clause.split('.').all(|s| !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')),
            "{} is not ASCII [a-z0-9-] dot-separated",
            r.id
        );
        if let Some(p) = &r.penalty {
            for b in &p.branches {
                assert!(b.id.starts_with(&format!("{}.penalty.", r.id)), "{}", b.id);
            }
        }
    }
}

#[test]
fn every_rule_has_the_required_fields() {
    let rb = rulebook();
    for r in rb.rules() {
        assert!(!r.title.trim().is_empty(), "{}: title", r.id);
        assert!(
            r.title
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}: title must be Chinese",
            r.id
        );
        assert!(
            !r.summary.trim().is_empty() && !r.summary.contains('\n'),
            "{}: summary",
            r.id
        );
        assert!(!r.applies_to.is_empty(), "{}: applies_to", r.id);
        assert!(!r.checks.is_empty(), "{}: checks", r.id);
        assert!(
            !r.source.seed.is_empty() && !r.source.document.is_empty(),
            "{}: source",
            r.id
        );
    }
}

#[test]
fn miniprogram_5_7_has_four_branches_with_deadlines_and_bans() {
    let rb = rulebook();
    let r = rb.rule("miniprogram/5.7").expect("miniprogram/5.7");
    let p = r.penalty.as_ref().expect("5.7 has a 处理规则");
    let ids: Vec<&str> = p.branches.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "miniprogram/5.7.penalty.1",
            "miniprogram/5.7.penalty.2",
            "miniprogram/5.7.penalty.3",
            "miniprogram/5.7.penalty.4"
        ]
    );
    // 1: pure finance delisted at once; partial finance 3 days then delist.
    let b1 = &p.branches[0];
    assert!(b1
        .steps
        .iter()
        .any(|s| s.action == Action::Delist && s.when.is_some()));
    let rect = b1
        .steps
        .iter()
        .find(|s| s.action == Action::Rectify)
        .expect("rectify");
    assert_eq!(rect.deadline.as_ref().and_then(|d| d.min), Some(3));
    assert_eq!(rect.on_lapse[0].action, Action::Delist);
    // 2: bans share, searchable, payment, open by QR.
    let caps = &p.branches[1].steps[0].capabilities;
    for c in ["share", "searchable", "payment", "open-by-qr"] {
        assert!(caps.iter().any(|x| x == c), "branch 2 bans {c}");
    }
    // 4: 3 days, then the searchable capability is banned.
    let s4 = &p.branches[3].steps[0];
    assert_eq!(s4.action, Action::Rectify);
    assert_eq!(s4.on_lapse[0].action, Action::BanCapability);
    assert_eq!(s4.on_lapse[0].capabilities, ["searchable"]);
    // Branches resolve by id.
    assert!(matches!(
        rb.resolve("miniprogram/5.7.penalty.1"),
        Some(Resolved::Branch(..))
    ));
}

#[test]
fn meeting_plugin_ladder_is_a_repeat_ladder_ending_in_permanent_delisting() {
    let rb = rulebook();
    let r = rb
        .rule("meeting-market/4.plugin-ladder")
        .expect("plugin ladder");
    let p = r.penalty.as_ref().expect("penalty");
    assert_eq!(p.ladder, Ladder::Repeat);
    assert_eq!(p.steps.first().map(|s| s.action), Some(Action::Warning));
    let delists: Vec<String> = p
        .steps
        .iter()
        .filter(|s| s.action == Action::Delist)
        .filter_map(|s| s.duration.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(delists, ["3mo", "6mo", "permanent"]);
}

#[test]
fn meeting_levels_escalate_on_repeat() {
    let rb = rulebook();
    let l3 = rb.rule("meeting-market/4.level3").expect("level3");
    let l2 = rb.rule("meeting-market/4.level2").expect("level2");
    let l1 = rb.rule("meeting-market/4.level1").expect("level1");
    assert_eq!((l3.level, l2.level, l1.level), (Some(3), Some(2), Some(1)));
    let p3 = l3.penalty.as_ref().unwrap();
    assert_eq!(
        p3.escalate_on_repeat.as_deref(),
        Some("meeting-market/4.level2")
    );
    assert_eq!(p3.steps[0].action, Action::Unrecommend);
    assert!(p3.steps[0].until_rectified);
    assert_eq!(p3.steps[0].duration.as_ref().and_then(|d| d.min), Some(15));
    assert_eq!(p3.steps[0].duration.as_ref().and_then(|d| d.max), None);
    let p2 = l2.penalty.as_ref().unwrap();
    assert_eq!(
        p2.escalate_on_repeat.as_deref(),
        Some("meeting-market/4.level1")
    );
    assert_eq!(p2.steps[0].duration.as_ref().and_then(|d| d.min), Some(30));
    assert_eq!(l1.penalty.as_ref().unwrap().steps[0].action, Action::Delist);
}

#[test]
fn meeting_compliance_1_1_limits_are_typed() {
    let rb = rulebook();
    let r = rb.rule("meeting-compliance/1.1").expect("1.1");
    let zh = r
        .thresholds
        .iter()
        .find(|t| t.unit == Unit::ChineseChars)
        .expect("Chinese-character limit");
    let any = r
        .thresholds
        .iter()
        .find(|t| t.unit == Unit::Chars)
        .expect("character limit");
    assert_eq!(zh.max.map(|n| n.get()), Some(10.0));
    assert_eq!(any.max.map(|n| n.get()), Some(20.0));
}

#[test]
fn external_contact_proration_formula_evaluates() {
    let rb = rulebook();
    let r = rb
        .rule("wecom-admin/external-contacts.proration")
        .expect("proration");
    let f = r.formulas.first().expect("formula");
    let e = f.compiled.as_ref().expect("compiled at load");
    // 5,000 (¥500/y) → 20,000 (¥2,000/y) after 65 days: 300 remaining days of the difference.
    let v = e
        .eval(&|name| match name {
            "x" => Some(500.0),
            "y" => Some(2000.0),
            "n" => Some(65.0),
            _ => None,
        })
        .expect("evaluates");
    assert!((v - 1500.0 * 300.0 / 365.0).abs() < 1e-6, "{v}");
    let tiers = rb
        .rule("wecom-admin/external-contacts.tiers")
        .expect("tiers");
    assert!(!tiers.tables.is_empty() && tiers.tables[0].rows.len() >= 6);
}

#[test]
fn conflicting_preview_limits_keep_both_and_the_newest_wins() {
    let rb = rulebook();
    let older: Vec<_> = rb
        .book("meeting-design")
        .unwrap()
        .rules(&rb)
        .flat_map(|r| r.thresholds.iter())
        .filter(|t| t.superseded_by.is_some())
        .collect();
    assert!(
        !older.is_empty(),
        "the design norms' 512 KB preview limit is kept as superseded"
    );
    assert!(older.iter().all(|t| !t.in_force));
    let newer = rb
        .rule("meeting-search/fields.preview")
        .expect("search preview field");
    assert!(newer
        .thresholds
        .iter()
        .any(|t| t.in_force && t.unit == Unit::Mb));
}

#[test]
fn inherited_penalties_walk_up_the_clause_tree() {
    let rb = rulebook();
    // 5.1.3 has no 处理规则 of its own: 5.1's applies.
    let gov = rb
        .penalty_rule("miniprogram/5.1.3")
        .expect("5.1 governs 5.1.3");
    assert_eq!(gov.id, "miniprogram/5.1");
}

#[test]
fn search_finds_chinese_and_english() {
    let rb = rulebook();
    let zh = rb.search("类目不符");
    assert_eq!(
        zh.first().map(|h| h.rule.id.as_str()),
        Some("miniprogram/5.7")
    );
    let en = rb.search("plugin ladder");
    assert!(en
        .iter()
        .any(|h| h.rule.id == "meeting-market/4.plugin-ladder"));
    assert!(rb.search("").is_empty());
}

#[test]
fn version_is_stable_and_content_addressed() {
    let a = rulebook();
    let b = rulebook();
    assert_eq!(a.version(), b.version());
    assert_eq!(a.version().len(), 16);
}
