//! Scenarios written from the seeds' own words, one platform after another.

use std::sync::OnceLock;

use bylaw_enforce::time::{add, parse, Time};
use bylaw_enforce::{
    CaseStatus, Choice, Config, EnforceError, Enforcer, Event, Origin, TargetKind,
};
use bylaw_rulebook::{Rulebook, TimeUnit};

fn rb() -> &'static Rulebook {
    static R: OnceLock<Rulebook> = OnceLock::new();
    R.get_or_init(|| Rulebook::embedded().expect("rulebook"))
}

fn t0() -> Time {
    parse("2026-01-05T00:00:00Z").unwrap()
}

fn day(n: u32) -> Time {
    add(t0(), n, TimeUnit::Days)
}

struct World {
    e: Enforcer<'static>,
    cases: u32,
}

impl World {
    fn new() -> Self {
        Self::with(Config::embedded().unwrap())
    }

    fn with(config: Config) -> Self {
        World {
            e: Enforcer::new(rb(), config).unwrap(),
            cases: 0,
        }
    }

    fn ok(&mut self, ev: Event) {
        if let Err(e) = self.e.execute(&ev) {
            panic!("{ev:?}: {e}");
        }
    }

    fn subject(&mut self, id: &str) {
        self.ok(Event::Subject {
            id: id.into(),
            name: id.into(),
            at: t0(),
        });
    }

    fn target(&mut self, id: &str, subject: &str, kind: TargetKind, platform: &str) {
        self.ok(Event::Target {
            id: id.into(),
            kind,
            subject: subject.into(),
            platform: platform.into(),
            at: t0(),
        });
    }

    fn violate(&mut self, rule: &str, target: &str, at: Time) -> String {
        self.cases += 1;
        let case = format!("c{}", self.cases);
        self.ok(Event::Violation {
            case: case.clone(),
            rule: rule.into(),
            target: target.into(),
            origin: Origin::Operator,
            evidence: "test".into(),
            at,
        });
        case
    }

    fn decide(&mut self, case: &str, choice: Choice, at: Time) {
        self.ok(Event::Decision {
            case: case.into(),
            choice,
            reason: "情节较轻 test".into(),
            by: "op".into(),
            at,
        });
    }

    fn tick(&mut self, at: Time) {
        self.ok(Event::Tick { now: at });
    }

    fn can(&self, target: &str, cap: &str, at: Time) -> bool {
        self.e.can(target, cap, at).unwrap().allowed
    }
}

fn branch(b: &str) -> Choice {
    Choice {
        branch: Some(b.into()),
        ..Choice::default()
    }
}

#[test]
fn miniprogram_5_7_high_risk_category_gets_3_days_then_delisting() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.7", "mp", day(0));
    // 5.7 has four branches by case: the operator must say which.
    let err =
        w.e.check(&Event::Decision {
            case: c.clone(),
            choice: Choice::default(),
            reason: String::new(),
            by: String::new(),
            at: day(0),
        })
        .unwrap_err();
    assert!(matches!(err, EnforceError::ChoiceNeeded(_)), "{err}");
    w.decide(&c, branch("3"), day(0));
    assert!(
        w.can("mp", "searchable", day(2)),
        "within the 3 days nothing is banned"
    );
    w.tick(day(3));
    for cap in [
        "searchable",
        "new-installs",
        "existing-installs",
        "recommendation",
    ] {
        assert!(!w.can("mp", cap, day(3)), "{cap} after the deadline lapsed");
    }
    let v = w.e.can("mp", "searchable", day(4)).unwrap();
    assert_eq!(v.reasons[0].rule, "miniprogram/5.7.penalty.3");
    assert_eq!(v.reasons[0].case, c);
    // As of before the lapse, it was allowed.
    assert!(w.can("mp", "searchable", day(1)));
    assert!(w
        .e
        .notices()
        .iter()
        .any(|n| n.kind == "deadline-lapsed" && *n.case == *c));
}

#[test]
fn miniprogram_5_13_ios_payment_and_search_after_3_days_ios_open_after_7() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.13", "mp", day(0));
    w.decide(&c, Choice::default(), day(0));
    w.tick(day(3));
    assert!(!w.can("mp", "ios-payment", day(3)));
    assert!(!w.can("mp", "ios-search", day(3)));
    assert!(
        w.can("mp", "ios-open", day(3)),
        "iOS opening holds until day 7"
    );
    w.tick(day(7));
    assert!(!w.can("mp", "ios-open", day(7)));
    // A second tick at the same time changes nothing.
    let before = w.e.fingerprint();
    w.tick(day(7));
    assert_eq!(before, w.e.fingerprint());
}

#[test]
fn rectification_in_time_prevents_the_lapse_and_acceptance_restores() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.7", "mp", day(0));
    w.decide(&c, branch("4"), day(0));
    w.ok(Event::Rectified {
        case: c.clone(),
        report: "已修改类目".into(),
        at: day(1),
    });
    w.ok(Event::RectificationReviewed {
        case: c.clone(),
        accepted: true,
        reason: String::new(),
        at: day(2),
    });
    w.tick(day(5));
    assert!(
        w.can("mp", "searchable", day(5)),
        "a rectified case never lapses"
    );
    assert_eq!(w.e.case_by_id(&c).unwrap().status, CaseStatus::Restored);
    // Rectifying a closed case is refused and changes nothing.
    let err = w.e.execute(&Event::Rectified {
        case: c.clone(),
        report: String::new(),
        at: day(6),
    });
    assert!(matches!(err, Err(EnforceError::NotAllowed(_))));
}

#[test]
fn meeting_provider_with_two_level_3_incidents_ends_at_level_2() {
    let mut w = World::new();
    w.subject("prov");
    w.target("app", "prov", TargetKind::App, "meeting");
    let tech = "meeting-market/3.1.tech-quality";
    let pick = Choice {
        steps: vec![0],
        length: Some(15),
        ..Choice::default()
    };
    let c1 = w.violate(tech, "app", day(0));
    w.decide(&c1, pick.clone(), day(0));
    assert_eq!(
        w.e.case_by_id(&c1).unwrap().penalty_rule.as_deref(),
        Some("meeting-market/4.level3")
    );
    // Level 3: unrecommended for at least 15 days and until rectified; still installable by link.
    assert!(!w.can("app", "recommendation", day(1)));
    assert!(w.can("app", "new-installs", day(1)));
    let c2 = w.violate(tech, "app", day(40));
    w.decide(
        &c2,
        Choice {
            steps: vec![0],
            length: Some(30),
            ..Choice::default()
        },
        day(40),
    );
    assert_eq!(
        w.e.case_by_id(&c2).unwrap().penalty_rule.as_deref(),
        Some("meeting-market/4.level2")
    );
}

#[test]
fn plugin_ladder_warning_then_3_months_then_6_then_permanent() {
    let mut w = World::new();
    w.subject("prov");
    w.target("app", "prov", TargetKind::App, "meeting");
    w.target("app2", "prov", TargetKind::App, "meeting");
    let rule = "meeting-market/3.1.no-unauthorised-plugins";
    let c1 = w.violate(rule, "app", day(0));
    w.decide(&c1, Choice::default(), day(0));
    assert!(
        w.can("app", "existing-installs", day(14)),
        "the warning comes first"
    );
    assert!(
        !w.can("app", "existing-installs", day(15)),
        "delisted 15 days later"
    );
    assert!(
        !w.can("app2", "searchable", day(20)),
        "all the provider's apps unsearchable meanwhile"
    );
    let back = add(day(15), 3, TimeUnit::Months);
    assert!(w.can("app", "existing-installs", back), "3 months");
    let c2 = w.violate(rule, "app", day(200));
    w.decide(&c2, Choice::default(), day(200));
    assert!(!w.can(
        "app",
        "existing-installs",
        add(day(200), 5, TimeUnit::Months)
    ));
    assert!(
        w.can(
            "app",
            "existing-installs",
            add(day(200), 6, TimeUnit::Months)
        ),
        "6 months"
    );
    let c3 = w.violate(rule, "app", day(500));
    w.decide(&c3, Choice::default(), day(500));
    assert!(
        !w.can(
            "app",
            "existing-installs",
            add(day(500), 10, TimeUnit::Years)
        ),
        "permanent"
    );
    let c4 = w.violate(rule, "app", day(600));
    w.decide(&c4, Choice::default(), day(600));
    assert_eq!(w.e.case_by_id(&c4).unwrap().offence, 4);
}

#[test]
fn paid_voting_repeat_after_rectification_bans_permanently_and_reaches_the_subject() {
    let mut w = World::new();
    w.subject("s");
    for i in 0..3 {
        w.target(
            &format!("mp{i}"),
            "s",
            TargetKind::MiniProgram,
            "miniprogram",
        );
    }
    let c1 = w.violate("miniprogram/5.24", "mp0", day(0));
    w.decide(&c1, branch("account"), day(0));
    w.ok(Event::Rectified {
        case: c1.clone(),
        report: "已下线投票".into(),
        at: day(1),
    });
    w.ok(Event::RectificationReviewed {
        case: c1.clone(),
        accepted: true,
        reason: String::new(),
        at: day(2),
    });
    assert!(w.can("mp0", "payment", day(10)));
    let c2 = w.violate("miniprogram/5.24", "mp0", day(30));
    w.decide(&c2, branch("account"), day(30));
    assert!(
        !w.can("mp0", "login", add(day(30), 50, TimeUnit::Years)),
        "second offence: permanent ban"
    );
    // Several accounts of one subject: the subject branch reaches every account.
    let c3 = w.violate("miniprogram/5.24", "mp1", day(40));
    w.decide(
        &c3,
        Choice {
            branch: Some("subject".into()),
            steps: vec![1],
            ..Choice::default()
        },
        day(40),
    );
    for t in ["mp0", "mp1", "mp2"] {
        assert!(!w.can(t, "register", day(41)), "{t}");
    }
}

#[test]
fn appeals_once_within_the_window_and_overturn_restores_exactly() {
    let mut w = World::new();
    w.subject("g");
    w.target("game", "g", TargetKind::MiniGame, "minigame");
    let before = w.e.denied("game", day(0)).unwrap();
    let c = w.violate("minigame/2.9.1", "game", day(0));
    w.decide(
        &c,
        Choice {
            steps: vec![0],
            length: Some(7),
            ..Choice::default()
        },
        day(0),
    );
    assert!(!w.e.denied("game", day(1)).unwrap().is_empty());
    assert!(w.e.credit("g").unwrap() < 100, "credit deducted");
    // minigame/5.2: one appeal, within 5 natural days.
    let late = w.e.check(&Event::Appealed {
        case: c.clone(),
        reason: String::new(),
        at: day(6),
    });
    assert!(matches!(late, Err(EnforceError::NotAllowed(_))), "{late:?}");
    w.ok(Event::Appealed {
        case: c.clone(),
        reason: "误判".into(),
        at: day(2),
    });
    w.ok(Event::AppealResolved {
        case: c.clone(),
        overturned: true,
        reason: String::new(),
        at: day(3),
    });
    assert_eq!(
        w.e.denied("game", day(3)).unwrap(),
        before,
        "overturn restores the exact prior set"
    );
    assert_eq!(w.e.credit("g"), Some(100));
    let again = w.e.check(&Event::Appealed {
        case: c.clone(),
        reason: String::new(),
        at: day(4),
    });
    assert!(
        matches!(again, Err(EnforceError::NotAllowed(_))),
        "{again:?}"
    );
}

#[test]
fn refusal_reaches_the_subject_and_its_affiliates() {
    let mut w = World::new();
    for s in ["parent", "child", "stranger"] {
        w.subject(s);
    }
    w.ok(Event::Affiliated {
        a: "parent".into(),
        b: "child".into(),
        kind: bylaw_enforce::Affiliation::ParentSubsidiary,
        at: t0(),
    });
    w.target("mp", "parent", TargetKind::MiniProgram, "miniprogram");
    w.target("mp-child", "child", TargetKind::MiniProgram, "miniprogram");
    w.target(
        "mp-other",
        "stranger",
        TargetKind::MiniProgram,
        "miniprogram",
    );
    let c = w.violate("miniprogram/complaints.affiliates", "mp", day(0));
    // 不再提供申诉渠道 (0) and 拒绝再为该等主体提供服务 (1): the operator picks both.
    w.decide(
        &c,
        Choice {
            steps: vec![0, 1],
            ..Choice::default()
        },
        day(0),
    );
    assert!(!w.can("mp-child", "appeal", day(1)));
    assert!(!w.can("mp", "register", day(1)));
    assert!(
        !w.can("mp-child", "register", day(1)),
        "affiliate refused too"
    );
    assert!(w.can("mp-other", "register", day(1)));
}

#[test]
fn wecom_isv_4_4_blacklists_the_provider_permanently() {
    let mut w = World::new();
    w.subject("isv");
    w.target("a1", "isv", TargetKind::App, "wecom-isv");
    w.target("a2", "isv", TargetKind::App, "wecom-isv");
    let c = w.violate("wecom-isv/4.4", "a1", day(0));
    w.decide(&c, Choice::default(), day(0));
    for t in ["a1", "a2"] {
        assert!(
            !w.can(t, "new-installs", add(day(0), 20, TimeUnit::Years)),
            "{t}"
        );
        assert!(
            !w.can(t, "register", add(day(0), 20, TimeUnit::Years)),
            "{t}"
        );
    }
    // WeCom ISV: delisted apps keep serving installed tenants.
    assert!(w.can("a1", "existing-installs", day(1)));
}

#[test]
fn withdrawal_follows_each_platform() {
    let mut w = World::new();
    w.subject("s");
    w.target("meet", "s", TargetKind::App, "meeting");
    w.target("isv", "s", TargetKind::App, "wecom-isv");
    w.ok(Event::Withdrawn {
        target: "meet".into(),
        rule: "meeting-market/4.withdrawal".into(),
        at: day(0),
    });
    w.ok(Event::Withdrawn {
        target: "isv".into(),
        rule: "wecom-isv/4.3".into(),
        at: day(0),
    });
    assert!(
        !w.can("meet", "new-installs", day(1)),
        "Meeting: new enterprises cannot install"
    );
    assert!(w.can("meet", "existing-installs", day(1)));
    assert!(w.can("isv", "new-installs", day(1)) || !w.can("isv", "recommendation", day(1)));
    assert!(!w.can("isv", "recommendation", day(1)));
    w.ok(Event::Reinstated {
        target: "meet".into(),
        capability: "recommendation".into(),
        at: day(5),
    });
    assert!(w.can("meet", "recommendation", day(5)));
}

#[test]
fn shadow_mode_records_but_applies_nothing() {
    let mut config = Config::embedded().unwrap();
    config.shadow.rules = vec!["miniprogram/5.*".into()];
    let mut w = World::with(config);
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.7", "mp", day(0));
    w.decide(&c, branch("2"), day(0));
    assert!(w.can("mp", "share", day(1)));
    assert!(w.e.case_by_id(&c).unwrap().shadow);
    assert!(w.e.notices().iter().any(|n| n.text.contains("试运行")));
    // A shadow case does not count as history.
    let c2 = w.violate("miniprogram/5.7", "mp", day(2));
    w.decide(&c2, branch("2"), day(2));
    assert_eq!(w.e.case_by_id(&c2).unwrap().offence, 1);
}

#[test]
fn invalid_transitions_change_nothing() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let fp = w.e.fingerprint();
    assert!(w
        .e
        .execute(&Event::Rectified {
            case: "nope".into(),
            report: String::new(),
            at: day(0)
        })
        .is_err());
    assert!(w
        .e
        .execute(&Event::Violation {
            case: "x".into(),
            rule: "nowhere/1".into(),
            target: "mp".into(),
            origin: Origin::Operator,
            evidence: String::new(),
            at: day(0)
        })
        .is_err());
    assert!(w
        .e
        .execute(&Event::Violation {
            case: "x".into(),
            rule: "miniprogram/5.7".into(),
            target: "ghost".into(),
            origin: Origin::Operator,
            evidence: String::new(),
            at: day(0)
        })
        .is_err());
    assert_eq!(fp, w.e.fingerprint());
    let c = w.violate("miniprogram/5.7", "mp", day(1));
    assert!(
        w.e.execute(&Event::Appealed {
            case: c.clone(),
            reason: String::new(),
            at: day(1)
        })
        .is_err(),
        "nothing decided yet"
    );
    assert!(
        w.e.execute(&Event::Violation {
            case: c,
            rule: "miniprogram/5.7".into(),
            target: "mp".into(),
            origin: Origin::Operator,
            evidence: String::new(),
            at: day(1)
        })
        .is_err(),
        "duplicate case id"
    );
}

#[test]
fn a_report_filed_in_time_suspends_the_deadline_until_reviewed() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.7", "mp", day(0));
    w.decide(&c, branch("4"), day(0));
    w.ok(Event::Rectified {
        case: c.clone(),
        report: "已调整".into(),
        at: day(2),
    });
    w.tick(day(5));
    assert!(w.can("mp", "searchable", day(5)), "under review: no lapse");
    w.ok(Event::RectificationReviewed {
        case: c.clone(),
        accepted: false,
        reason: "仍不符".into(),
        at: day(6),
    });
    assert!(
        !w.can("mp", "searchable", day(6)),
        "rejected after the due date: lapses at once"
    );
    assert!(
        w.can("mp", "searchable", day(5)),
        "and not before the rejection"
    );
}

/// A delisting takes five capabilities in one step (they share one slot of
/// the `can` index). Acceptance lifts those a rectification restores, while
/// recommendation and search wait for a fresh application, each on its own
/// (miniprogram/5.7, restoration per `restore.needs_application`).
#[test]
fn restoring_part_of_a_delisting_keeps_the_rest_and_the_past() {
    let mut w = World::new();
    w.subject("s");
    w.target("mp", "s", TargetKind::MiniProgram, "miniprogram");
    let c = w.violate("miniprogram/5.7", "mp", day(0));
    w.decide(&c, branch("3"), day(0));
    w.tick(day(3));
    let delisted = w.e.denied("mp", day(4)).unwrap();
    for cap in [
        "recommendation",
        "searchable",
        "new-installs",
        "existing-installs",
    ] {
        assert!(delisted.iter().any(|d| d == cap), "{cap} in {delisted:?}");
    }
    w.ok(Event::Rectified {
        case: c.clone(),
        report: "已更换类目".into(),
        at: day(5),
    });
    w.ok(Event::RectificationReviewed {
        case: c.clone(),
        accepted: true,
        reason: String::new(),
        at: day(6),
    });
    assert!(w.can("mp", "existing-installs", day(6)));
    assert!(w.can("mp", "new-installs", day(6)));
    assert!(
        !w.can("mp", "recommendation", day(6)),
        "needs a fresh application"
    );
    assert!(
        !w.can("mp", "searchable", day(6)),
        "needs a fresh application"
    );
    // As of before the acceptance, the whole delisting held.
    assert_eq!(w.e.denied("mp", day(5)).unwrap(), delisted);
    w.ok(Event::Reinstated {
        target: "mp".into(),
        capability: "recommendation".into(),
        at: day(8),
    });
    assert!(w.can("mp", "recommendation", day(8)));
    assert!(!w.can("mp", "searchable", day(8)), "reinstated one by one");
    assert!(!w.can("mp", "recommendation", day(7)));
    // The public records agree with the index.
    let open: Vec<String> =
        w.e.sanctions()
            .filter(|s| s.active_at(day(8)))
            .map(|s| s.capability.to_string())
            .collect();
    assert!(open.iter().any(|c| c == "searchable"), "{open:?}");
    assert!(!open.iter().any(|c| c == "recommendation"), "{open:?}");
}
