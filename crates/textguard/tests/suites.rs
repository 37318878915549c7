//! The adversarial and clean suites (`tests/data/`), run against the
//! shipped starter lexicons: recall per evasion kind and false positives.
//!
//! `cargo test -p bylaw-textguard --test suites -- --nocapture` prints the
//! report.

use std::collections::BTreeMap;

use bylaw_rulebook::Rulebook;
use bylaw_textguard::{Decision, Engine, Scene, Source};

const ADVERSARIAL: &str = include_str!("data/adversarial.tsv");
const CLEAN: &str = include_str!("data/clean.tsv");

fn engine() -> Engine {
    let rb = Rulebook::embedded().expect("rulebook");
    let (e, errors) = Engine::build(&bylaw_textguard::starter_sources(), &rb).expect("engine");
    assert!(
        errors.is_empty(),
        "starter lexicons have bad lines: {errors:#?}"
    );
    e
}

fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

#[test]
fn adversarial_recall() {
    let e = engine();
    let mut per_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for (line, cols) in rows(ADVERSARIAL) {
        let [kind, scene, text, expect] = cols[..] else {
            panic!("adversarial.tsv:{line}: expected 4 columns");
        };
        let scene: Scene = scene
            .parse()
            .unwrap_or_else(|e| panic!("adversarial.tsv:{line}: {e}"));
        let hits = e.hits(text, scene);
        let found = hits.iter().any(|h| {
            h.label.as_str() == expect
                || matches!(h.source, Source::Detector(d) if d.as_str() == expect)
        });
        let entry = per_kind.entry(kind.to_string()).or_default();
        entry.1 += 1;
        if found {
            entry.0 += 1;
        } else {
            misses.push(format!(
                "  {line}: [{kind}/{scene:?}] {text} — expected {expect}, got {:?}",
                hits.iter()
                    .map(|h| (h.label.as_str(), h.text.as_str()))
                    .collect::<Vec<_>>()
            ));
        }
    }
    let (hit, total) = per_kind
        .values()
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
    println!("adversarial recall per kind:");
    for (k, (h, t)) in &per_kind {
        println!(
            "  {k:<18} {h:>4}/{t:<4} {:>6.1}%",
            100.0 * *h as f64 / *t as f64
        );
    }
    let recall = hit as f64 / total as f64;
    println!(
        "  {:<18} {hit:>4}/{total:<4} {:>6.1}%",
        "total",
        100.0 * recall
    );
    if !misses.is_empty() {
        println!("misses:\n{}", misses.join("\n"));
    }
    assert!(
        total >= 300,
        "the suite needs at least 300 cases, has {total}"
    );
    assert!(recall >= 0.95, "recall {:.1}% < 95%", recall * 100.0);
}

#[test]
fn clean_false_positives() {
    let e = engine();
    let mut total = 0;
    let mut flagged = Vec::new();
    for (line, cols) in rows(CLEAN) {
        let [scene, text] = cols[..] else {
            panic!("clean.tsv:{line}: expected 2 columns");
        };
        let scene: Scene = scene
            .parse()
            .unwrap_or_else(|e| panic!("clean.tsv:{line}: {e}"));
        total += 1;
        let v = e.scan(text, scene);
        if v.verdict != Decision::Pass {
            flagged.push(format!(
                "  {line}: [{scene:?}] {text} — {:?}",
                v.hits
                    .iter()
                    .map(|h| (h.label.as_str(), h.text.as_str(), &*h.term))
                    .collect::<Vec<_>>()
            ));
        }
    }
    let rate = flagged.len() as f64 / total as f64;
    println!(
        "clean suite: {} of {total} flagged ({:.2}%)",
        flagged.len(),
        rate * 100.0
    );
    if !flagged.is_empty() {
        println!("{}", flagged.join("\n"));
    }
    assert!(
        total >= 300,
        "the clean suite needs at least 300 texts, has {total}"
    );
    assert!(rate <= 0.01, "false positives {:.2}% > 1%", rate * 100.0);
}

/// The starter lexicons carry the terms the seeds enumerate, each citing the
/// rule that enumerates it.
#[test]
fn starter_lexicons_carry_the_seed_terms() {
    let rb = Rulebook::embedded().expect("rulebook");
    let e = engine();
    let norm = e.normalizer();
    for (rule, list) in [
        ("meeting-compliance/2.3.7", "gambling-words"),
        ("meeting-compliance/2.9.4", "gambling-names"),
    ] {
        let items = &rb
            .rule(rule)
            .and_then(|r| r.list(list))
            .unwrap_or_else(|| panic!("{rule} has list {list}"))
            .items;
        for item in items {
            let found = e.entries().iter().any(|en| {
                norm.term(&en.term) == norm.term(item)
                    && en
                        .rule
                        .as_deref()
                        .is_some_and(|r| r == rule || r.starts_with(&format!("{rule}.")))
            });
            assert!(
                found,
                "{item} of {rule} is not a starter term citing {rule}"
            );
        }
    }
    // Every rule a lexicon line cites exists (else the build reports it).
    let (_, errors) = Engine::build(&bylaw_textguard::starter_sources(), &rb).expect("engine");
    assert!(errors.is_empty(), "{errors:#?}");
}
