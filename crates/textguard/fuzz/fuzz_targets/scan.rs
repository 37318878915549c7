//! Fuzzes `Engine::scan` with arbitrary bytes read as (lossy) UTF-8, in every
//! scene, checking that every span lies inside the text.
#![no_main]

use std::sync::OnceLock;

use bylaw_textguard::{Engine, Scene};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let rb = bylaw_rulebook::Rulebook::embedded().expect("rulebook");
        Engine::build(&bylaw_textguard::starter_sources(), &rb).expect("engine").0
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let n = text.chars().count();
    for scene in Scene::ALL {
        for h in engine().hits(&text, scene) {
            assert!(h.start <= h.end && h.end <= n);
        }
    }
});
