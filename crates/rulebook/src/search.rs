//! Free-text search over rules, in Chinese or English.
//!
//! Each query term must occur (case-insensitively, after folding full-width
//! ASCII to half-width) in some field of the rule; rules are ranked by where
//! the terms occur: id and title weigh most, then summary, then lists and the
//! quote.

use crate::{Rule, Rulebook};

/// A search hit.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The rule.
    pub rule: &'a Rule,
    /// Higher is better.
    pub score: u32,
}

/// Lower-cases and folds full-width ASCII (Ａ-Ｚ, ０-９, ！-～) and the
/// ideographic space to their half-width forms.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

impl Rulebook {
    /// Rules matching every whitespace-separated term of `query`, best first.
    pub fn search(&self, query: &str) -> Vec<Hit<'_>> {
        let terms: Vec<String> = normalise(query)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit<'_>> = self
            .rules()
            .iter()
            .filter_map(|rule| {
                let fields: [(u32, String); 5] = [
                    (8, normalise(&rule.id)),
                    (6, normalise(&rule.title)),
                    (4, normalise(&rule.summary)),
                    (
                        2,
                        normalise(
                            &rule
                                .lists
                                .iter()
                                .flat_map(|l| l.items.iter().map(String::as_str))
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                    ),
                    (1, normalise(&rule.quote)),
                ];
                let mut score = 0;
                for t in &terms {
                    let best = fields
                        .iter()
                        .filter(|(_, f)| f.contains(t.as_str()))
                        .map(|(w, _)| *w)
                        .max()?;
                    score += best;
                }
                Some(Hit { rule, score })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.rule.id.cmp(&b.rule.id))
        });
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(normalise("ＷｅＣｈａｔ　１２３"), "wechat 123");
        assert_eq!(normalise("微信"), "微信");
    }
}
