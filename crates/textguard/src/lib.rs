//! textguard: a Chinese-first content-safety engine that resists cheap
//! evasion (design: `docs/TEXTGUARD.md`).
//!
//! A text is read in three channels: a *light* channel (one folded
//! character per original character) for the detectors, a *compact* channel
//! (folded, noise removed, repeats collapsed, split characters joined) for
//! the lexicon automaton, and a *pinyin* channel for homophones. Every hit
//! maps back to the span of the original text, and every label cites the
//! rulebook rule it rests on.

#![forbid(unsafe_code)]

pub mod cache;
pub mod detect;
mod engine;
pub mod fold;
pub mod lexicon;
pub mod normalize;
pub mod policy;
pub mod wechat;

pub use engine::{BuildError, Decision, Engine, Hit, Label, Source, Sources, Verdict};
pub use lexicon::{Category, Entry, LexiconError, Scene, Severity};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));
}

/// The embedded starter data: every `lexicons/*.tsv` except the tables,
/// `allow*.tsv` as allowlists, and the tables and policy by name.
pub fn starter_sources() -> Sources {
    let mut s = Sources::default();
    for (name, text) in embedded::EMBEDDED {
        let text = text.to_string();
        match *name {
            "lookalike.tsv" => s.lookalike = text,
            "chaizi.tsv" => s.chaizi = text,
            "cues.txt" => s.cues = text,
            "policy.toml" => s.policy = text,
            n if n.starts_with("allow") => s.allow.push((n.to_string(), text)),
            n if n.ends_with(".tsv") => s.lexicons.push((n.to_string(), text)),
            _ => {}
        }
    }
    s
}
