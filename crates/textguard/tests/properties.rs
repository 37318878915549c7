//! Properties that hold for every input: spans lie inside the text, a
//! lexicon hit's original span normalises to its term, nothing panics.

use bylaw_rulebook::Rulebook;
use bylaw_textguard::{Engine, Scene, Source};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let rb = Rulebook::embedded().expect("rulebook");
        Engine::build(&bylaw_textguard::starter_sources(), &rb)
            .expect("engine")
            .0
    })
}

/// Text built from lexicon terms, noise and arbitrary characters.
fn texty() -> impl Strategy<Value = String> {
    let terms: Vec<String> = engine()
        .entries()
        .iter()
        .map(|e| e.term.clone())
        .filter(|t| !t.contains('&'))
        .take(400)
        .collect();
    let piece = prop_oneof![
        proptest::sample::select(terms),
        "[ *·。\u{200b}\u{3000}！？-]{1,3}",
        "[\u{4e00}-\u{4e80}]{1,4}",
        "[0-9a-zA-Z]{1,6}",
        any::<String>().prop_map(|s| s.chars().take(4).collect()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn spans_are_inside_and_normalise_to_the_term(text in texty(), scene in 0usize..7) {
        let e = engine();
        let scene = Scene::ALL[scene];
        let n = text.chars().count();
        for h in e.hits(&text, scene) {
            prop_assert!(h.start <= h.end && h.end <= n, "{h:?} outside {n}");
            let span: String = text.chars().skip(h.start).take(h.end - h.start).collect();
            prop_assert_eq!(&span, &h.text);
            if h.source == Source::Lexicon {
                let norm = e.normalizer();
                prop_assert_eq!(norm.term(&span), norm.term(&h.term), "span {} for term {}", span, h.term);
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_unicode(text in any::<String>()) {
        let _ = engine().scan(&text, Scene::Chat);
        let _ = engine().scan(&text, Scene::Listing);
    }
}
