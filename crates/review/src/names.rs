//! Name checks (stub until the module lands).

use bylaw_textguard::normalize::Normalizer;

/// A protected mark and the rule that protects it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mark {
    /// The mark.
    pub text: String,
    /// Rule id.
    pub rule: String,
}

/// How a look-alike was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// Exactly.
    Exact,
    /// By confusable skeleton.
    Skeleton,
    /// By sound.
    Sound,
    /// By edit distance.
    Edit,
}

/// A look-alike of a mark in a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkHit {
    /// The mark.
    pub mark: String,
    /// Rule id.
    pub rule: String,
    /// How.
    pub how: How,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// Text.
    pub text: String,
}

/// Look-alikes of marks in a name.
pub fn lookalikes(_name: &str, _marks: &[Mark], _norm: &Normalizer) -> Vec<MarkHit> {
    Vec::new()
}

/// Similarity of two names, 0..1.
pub fn similarity(a: &str, b: &str, norm: &Normalizer) -> f64 {
    if norm.term(a) == norm.term(b) {
        1.0
    } else {
        0.0
    }
}

/// A similar catalogue entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Similar {
    /// Name.
    pub name: String,
    /// Score.
    pub score: f64,
}

/// Catalogue entries at least `threshold` similar.
pub fn most_similar(
    name: &str,
    catalog: &[String],
    norm: &Normalizer,
    threshold: f64,
) -> Vec<Similar> {
    catalog
        .iter()
        .map(|c| Similar {
            name: c.clone(),
            score: similarity(name, c, norm),
        })
        .filter(|s| s.score >= threshold)
        .collect()
}

/// Hot-word stuffing.
pub fn stuffing(_name: &str, _keywords: &[String], _norm: &Normalizer) -> Option<String> {
    None
}
