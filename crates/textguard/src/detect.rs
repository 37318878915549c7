//! Detectors (stub until the detector module lands).

/// A detector hit: char offsets into the input slice, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// Phone numbers.
pub fn phone_numbers(_light: &[char]) -> Vec<Span> {
    Vec::new()
}
/// Contact ids.
pub fn contact_ids(_light: &[char], _cues: &[&str]) -> Vec<Span> {
    Vec::new()
}
/// URLs.
pub fn urls(_light: &[char]) -> Vec<Span> {
    Vec::new()
}
/// E-mails.
pub fn emails(_light: &[char]) -> Vec<Span> {
    Vec::new()
}
/// Resident ids.
pub fn resident_ids(_light: &[char]) -> Vec<Span> {
    Vec::new()
}
/// Bank cards.
pub fn bank_cards(_light: &[char]) -> Vec<Span> {
    Vec::new()
}
