//! The seed documents: loading them and checking that every quote is a
//! verbatim excerpt.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{LoadError, Problem};
use crate::Rulebook;

/// Folds text for quote comparison: removes all whitespace and the Markdown
/// emphasis marker `**`. Nothing else is forgiven.
pub fn fold(text: &str) -> String {
    text.replace("**", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The seed files, by file name.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    files: HashMap<String, Seed>,
}

/// One seed file.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Raw text.
    pub text: String,
    folded: String,
}

impl Seeds {
    /// Where the seeds are expected: `$BYLAW_SEEDS`, else `../shared/seeds`
    /// beside the repository (found by walking up from `start`).
    pub fn locate(start: &Path) -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("BYLAW_SEEDS") {
            return Some(PathBuf::from(p));
        }
        start
            .ancestors()
            .map(|a| a.join("shared").join("seeds"))
            .find(|p| p.is_dir())
    }

    /// Loads every `*.txt` file of a directory.
    pub fn load(dir: &Path) -> Result<Seeds, LoadError> {
        let io = |e: std::io::Error| LoadError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|x| x == "txt") {
                let text = std::fs::read_to_string(&path).map_err(|e| LoadError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                files.insert(name, Seed::new(text));
            }
        }
        Ok(Seeds { files })
    }

    /// Builds a seed set from (name, text) pairs.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Seeds {
        Seeds {
            files: texts
                .into_iter()
                .map(|(n, t)| (n.to_string(), Seed::new(t.to_string())))
                .collect(),
        }
    }

    /// The seed with this file name.
    pub fn get(&self, name: &str) -> Option<&Seed> {
        self.files.get(name)
    }
}

impl Seed {
    fn new(text: String) -> Seed {
        let folded = fold(&text);
        Seed { text, folded }
    }

    /// Whether `quote` occurs in the seed after folding both.
    pub fn contains(&self, quote: &str) -> bool {
        let q = fold(quote);
        !q.is_empty() && self.folded.contains(&q)
    }
}

/// Checks every quote of the rulebook (rules, penalties, branches) against its
/// seed. Returns one problem per quote that is not found.
pub fn verify_quotes(book: &Rulebook, seeds: &Seeds) -> Vec<Problem> {
    let mut problems = Vec::new();
    for b in book.books() {
        let Some(seed) = seeds.get(&b.header.seed) else {
            problems.push(Problem {
                file: b.file.clone(),
                line: None,
                column: None,
                rule: None,
                field: Some("book.seed".into()),
                message: format!("seed file `{}` not found", b.header.seed),
            });
            continue;
        };
        for rule in b.rules(book) {
            let mut quotes = vec![(rule.id.as_str(), "quote", rule.quote.as_str())];
            if let Some(p) = &rule.penalty {
                if let Some(q) = &p.quote {
                    quotes.push((rule.id.as_str(), "penalty", q.as_str()));
                }
                for br in &p.branches {
                    quotes.push((br.id.as_str(), "quote", br.quote.as_str()));
                }
            }
            for (id, field, q) in quotes {
                if !seed.contains(q) {
                    let short: String = q.chars().take(24).collect();
                    problems.push(book.problem_at(
                        &b.file,
                        id,
                        field,
                        format!("quote not found verbatim in {}: “{short}…”", b.header.seed),
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_whitespace_and_emphasis_only() {
        let seed = Seed::new("一、**原则**\n  1. 为维护 绿色网络环境，".into());
        assert!(seed.contains("原则 1. 为维护绿色网络环境，"));
        assert!(seed.contains("**原则**"));
        assert!(
            !seed.contains("为维护绿色网络环境,"),
            "ASCII comma is not the seed's full-width comma"
        );
        assert!(!seed.contains("   "), "an empty quote matches nothing");
    }
}
