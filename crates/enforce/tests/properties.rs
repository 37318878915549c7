//! Replay determinism, idempotent ticks, and exact restoration on overturn,
//! over random command sequences.

use std::sync::OnceLock;

use bylaw_enforce::time::{add, parse, Time};
use bylaw_enforce::{Choice, Config, Enforcer, Event, Origin, TargetKind};
use bylaw_rulebook::{Rulebook, TimeUnit};
use proptest::prelude::*;

fn rb() -> &'static Rulebook {
    static R: OnceLock<Rulebook> = OnceLock::new();
    R.get_or_init(|| Rulebook::embedded().expect("rulebook"))
}

fn day(n: u32) -> Time {
    add(parse("2026-01-05T00:00:00Z").unwrap(), n, TimeUnit::Days)
}

/// (rule, choice) pairs that decide without further input.
fn rules() -> Vec<(&'static str, Choice)> {
    let b = |x: &str| Choice {
        branch: Some(x.into()),
        ..Choice::default()
    };
    vec![
        ("miniprogram/5.7", b("1")),
        ("miniprogram/5.7", b("2")),
        ("miniprogram/5.7", b("3")),
        ("miniprogram/5.7", b("4")),
        ("miniprogram/5.13", Choice::default()),
        ("miniprogram/5.24", b("account")),
        (
            "meeting-market/3.1.no-unauthorised-plugins",
            Choice::default(),
        ),
        ("wecom-isv/4.4", Choice::default()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Violate { rule: usize, target: usize },
    Rectify,
    Accept(bool),
    Appeal,
    Resolve(bool),
    Tick(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..8, 0usize..3).prop_map(|(rule, target)| Op::Violate { rule, target }),
        1 => Just(Op::Rectify),
        1 => any::<bool>().prop_map(Op::Accept),
        1 => Just(Op::Appeal),
        1 => any::<bool>().prop_map(Op::Resolve),
        2 => (1u32..12).prop_map(Op::Tick),
    ]
}

/// Runs ops, keeping only the events the engine accepts; returns the log.
fn run(ops: &[Op]) -> (Enforcer<'static>, Vec<Event>) {
    let mut e = Enforcer::new(rb(), Config::embedded().unwrap()).unwrap();
    let mut log = Vec::new();
    let push = |e: &mut Enforcer<'static>, ev: Event, log: &mut Vec<Event>| {
        if e.execute(&ev).is_ok() {
            log.push(ev);
        }
    };
    let t = day(0);
    push(
        &mut e,
        Event::Subject {
            id: "s".into(),
            name: String::new(),
            at: t,
        },
        &mut log,
    );
    let kinds = [
        ("mp", "miniprogram"),
        ("app", "meeting"),
        ("isv", "wecom-isv"),
    ];
    for (id, platform) in kinds {
        push(
            &mut e,
            Event::Target {
                id: id.into(),
                kind: TargetKind::App,
                subject: "s".into(),
                platform: platform.into(),
                at: t,
            },
            &mut log,
        );
    }
    let mut clock = 0u32;
    let mut last_case: Option<String> = None;
    for (i, o) in ops.iter().enumerate() {
        let at = day(clock);
        match o {
            Op::Violate { rule, target } => {
                let (r, choice) = rules()[*rule].clone();
                let case = format!("c{i}");
                push(
                    &mut e,
                    Event::Violation {
                        case: case.clone(),
                        rule: r.into(),
                        target: kinds[*target].0.into(),
                        origin: Origin::Operator,
                        evidence: String::new(),
                        at,
                    },
                    &mut log,
                );
                push(
                    &mut e,
                    Event::Decision {
                        case: case.clone(),
                        choice,
                        reason: "r".into(),
                        by: String::new(),
                        at,
                    },
                    &mut log,
                );
                last_case = Some(case);
            }
            Op::Rectify => {
                if let Some(c) = &last_case {
                    push(
                        &mut e,
                        Event::Rectified {
                            case: c.clone(),
                            report: String::new(),
                            at,
                        },
                        &mut log,
                    );
                }
            }
            Op::Accept(a) => {
                if let Some(c) = &last_case {
                    push(
                        &mut e,
                        Event::RectificationReviewed {
                            case: c.clone(),
                            accepted: *a,
                            reason: String::new(),
                            at,
                        },
                        &mut log,
                    );
                }
            }
            Op::Appeal => {
                if let Some(c) = &last_case {
                    push(
                        &mut e,
                        Event::Appealed {
                            case: c.clone(),
                            reason: String::new(),
                            at,
                        },
                        &mut log,
                    );
                }
            }
            Op::Resolve(o) => {
                if let Some(c) = &last_case {
                    push(
                        &mut e,
                        Event::AppealResolved {
                            case: c.clone(),
                            overturned: *o,
                            reason: String::new(),
                            at,
                        },
                        &mut log,
                    );
                }
            }
            Op::Tick(d) => {
                clock += d;
                push(&mut e, Event::Tick { now: day(clock) }, &mut log);
            }
        }
    }
    (e, log)
}

fn capabilities(e: &Enforcer<'_>, at: Time) -> Vec<Vec<String>> {
    ["mp", "app", "isv"]
        .iter()
        .map(|t| e.denied(t, at).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn replaying_the_log_gives_the_same_projections(ops in proptest::collection::vec(op(), 0..40)) {
        let (live, log) = run(&ops);
        let mut replay = Enforcer::new(rb(), Config::embedded().unwrap()).unwrap();
        for ev in &log {
            replay.apply(ev);
        }
        prop_assert_eq!(live.fingerprint(), replay.fingerprint());
        // Through JSON, as the store keeps them.
        let mut from_json = Enforcer::new(rb(), Config::embedded().unwrap()).unwrap();
        for ev in &log {
            let text = serde_json::to_string(ev).unwrap();
            let back: Event = serde_json::from_str(&text).unwrap();
            from_json.apply(&back);
        }
        prop_assert_eq!(live.fingerprint(), from_json.fingerprint());
    }

    #[test]
    fn tick_twice_equals_tick_once(ops in proptest::collection::vec(op(), 0..30), extra in 1u32..400) {
        let (mut once, _) = run(&ops);
        let at = once.now() + i64::from(extra) * 86_400;
        once.apply(&Event::Tick { now: at });
        let mut twice = once.clone();
        twice.apply(&Event::Tick { now: at });
        prop_assert_eq!(once.fingerprint(), twice.fingerprint());
    }

    #[test]
    fn overturning_restores_the_exact_prior_capability_set(ops in proptest::collection::vec(op(), 0..25), rule in 0usize..8, target in 0usize..3) {
        let (mut e, _) = run(&ops);
        let at = e.now() + 86_400;
        e.apply(&Event::Tick { now: at });
        let before = capabilities(&e, at + 10);
        let (r, choice) = rules()[rule].clone();
        let t = ["mp", "app", "isv"][target];
        let viol = Event::Violation { case: "x".into(), rule: r.into(), target: t.into(), origin: Origin::Operator, evidence: String::new(), at };
        prop_assume!(e.execute(&viol).is_ok());
        prop_assume!(e.execute(&Event::Decision { case: "x".into(), choice, reason: "r".into(), by: String::new(), at }).is_ok());
        prop_assume!(e.execute(&Event::Appealed { case: "x".into(), reason: String::new(), at: at + 5 }).is_ok());
        e.execute(&Event::AppealResolved { case: "x".into(), overturned: true, reason: String::new(), at: at + 10 }).unwrap();
        prop_assert_eq!(before, capabilities(&e, at + 10));
    }
}
