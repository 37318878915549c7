//! The rulebook: every clause of the seed documents as typed, validated data.
//!
//! Books live in `rulebooks/*.toml` (format: `docs/RULEBOOK.md`) and are
//! embedded into this crate at build time, so every binary carries the
//! rulebook it was built with. A directory of the same layout can override
//! any file at run time ([`Rulebook::load_dir`]).
//!
//! Loading validates everything that can be checked without the seeds (ids,
//! references, catalogue entries, shapes of thresholds, tables, formulas and
//! ladders) and reports *every* problem with its file, line and field. The
//! checks that need the seed texts — verbatim quotes and clause coverage — are
//! in [`seeds::verify_quotes`] and [`coverage::check`].

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod coverage;
pub mod duration;
mod error;
pub mod formula;
mod load;
pub mod model;
mod num;
pub mod search;
pub mod seeds;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub use catalogue::{Capability, Catalogue, CheckDef};
pub use duration::{Duration, TimeUnit};
pub use error::{LoadError, Problem};
pub use formula::{Expr, FormulaError};
pub use load::{CATALOGUE_FILE, KNOWN_BOOKS};
pub use model::*;
pub use num::Num;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// A loaded book: its header, exclusions and the indices of its rules.
#[derive(Debug, Clone)]
pub struct Book {
    /// File name the book came from.
    pub file: String,
    /// The `[book]` header.
    pub header: BookHeader,
    /// Clauses that state no rule.
    pub exclusions: Vec<Exclusion>,
    rule_range: std::ops::Range<usize>,
    text: String,
}

impl Book {
    /// The book's rules, in document order.
    pub fn rules<'a>(&self, book: &'a Rulebook) -> impl Iterator<Item = &'a Rule> + use<'a> {
        book.rules[self.rule_range.clone()].iter()
    }

    /// How many rules the book has.
    pub fn len(&self) -> usize {
        self.rule_range.len()
    }

    /// Whether the book has no rules.
    pub fn is_empty(&self) -> bool {
        self.rule_range.is_empty()
    }
}

/// What an id names: a rule, or a numbered branch of a rule's penalty.
#[derive(Debug, Clone, Copy)]
pub enum Resolved<'a> {
    /// A rule.
    Rule(&'a Rule),
    /// A penalty branch and the rule it belongs to.
    Branch(&'a Rule, &'a Branch),
}

impl<'a> Resolved<'a> {
    /// The rule (the owner, for a branch).
    pub fn rule(self) -> &'a Rule {
        match self {
            Resolved::Rule(r) | Resolved::Branch(r, _) => r,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Rule(usize),
    Branch(usize, usize),
}

/// The whole rulebook: every book, the catalogue, and an index by id.
#[derive(Debug, Clone)]
pub struct Rulebook {
    books: Vec<Book>,
    rules: Vec<Rule>,
    catalogue: Catalogue,
    index: HashMap<String, Slot>,
    version: String,
}

/// Counts per book and per kind.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Total rules.
    pub rules: usize,
    /// Total penalty branches.
    pub branches: usize,
    /// Total exclusions.
    pub exclusions: usize,
    /// Rules per book.
    pub by_book: BTreeMap<String, usize>,
    /// Rules per kind.
    pub by_kind: BTreeMap<String, usize>,
    /// Rules per book and kind.
    pub by_book_and_kind: BTreeMap<String, BTreeMap<String, usize>>,
    /// Rules with a penalty (own or inherited from an ancestor clause).
    pub with_penalty: usize,
    /// Rules with at least one typed threshold.
    pub with_thresholds: usize,
    /// Rules checked by at least one automated detector.
    pub automated: usize,
}

impl Rulebook {
    /// The rulebook embedded at build time.
    pub fn embedded() -> Result<Rulebook, LoadError> {
        Self::from_files(
            embedded::EMBEDDED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        )
    }

    /// The embedded files, as (file name, text).
    pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
        embedded::EMBEDDED
    }

    /// The embedded rulebook with every `*.toml` of `dir` replacing the
    /// embedded file of the same name (or adding a book).
    pub fn load_dir(dir: &Path) -> Result<Rulebook, LoadError> {
        let io = |path: &Path, e: std::io::Error| LoadError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                files.insert(name, text);
            }
        }
        Self::from_files(files)
    }

    /// Builds a rulebook from (file name, text) pairs: `catalogue.toml` and
    /// one `<book>.toml` per book.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Rulebook, LoadError> {
        let mut files: Vec<(String, String)> = files.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut problems = Vec::new();
        let mut catalogue = None;
        let mut parsed = Vec::new();
        for (name, text) in &files {
            if name == CATALOGUE_FILE {
                match load::parse_catalogue(name, text) {
                    Ok(c) => catalogue = Some(c),
                    Err(p) => problems.extend(p),
                }
            } else {
                match load::parse_book(name, text) {
                    Ok(b) => parsed.push((name.clone(), text.clone(), b)),
                    Err(p) => problems.extend(p),
                }
            }
        }
        let Some(catalogue) = catalogue else {
            if problems.is_empty() {
                problems.push(Problem {
                    file: CATALOGUE_FILE.into(),
                    line: None,
                    column: None,
                    rule: None,
                    field: None,
                    message: "the catalogue file is missing".into(),
                });
            }
            return Err(LoadError::Invalid(problems));
        };
        problems.extend(load::validate(&parsed, &catalogue));
        if !problems.is_empty() {
            return Err(LoadError::Invalid(problems));
        }
        let version = version_of(&files);
        let mut books = Vec::new();
        let mut rules = Vec::new();
        let mut index = HashMap::new();
        for (file, text, bf) in parsed {
            let start = rules.len();
            for rule in bf.rules {
                let i = rules.len();
                index.insert(rule.id.clone(), Slot::Rule(i));
                if let Some(p) = &rule.penalty {
                    for (j, b) in p.branches.iter().enumerate() {
                        index.insert(b.id.clone(), Slot::Branch(i, j));
                    }
                }
                rules.push(rule);
            }
            books.push(Book {
                file,
                header: bf.book,
                exclusions: bf.exclusions,
                rule_range: start..rules.len(),
                text,
            });
        }
        Ok(Rulebook {
            books,
            rules,
            catalogue,
            index,
            version,
        })
    }

    /// Content hash of every file, naming this exact rulebook in verdicts.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every book, sorted by file name.
    pub fn books(&self) -> &[Book] {
        &self.books
    }

    /// The book with this key.
    pub fn book(&self, key: &str) -> Option<&Book> {
        self.books.iter().find(|b| b.header.key == key)
    }

    /// Every rule, book by book in document order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The catalogue of capabilities and checks.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The rule with this id (not a branch).
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        match self.index.get(id)? {
            Slot::Rule(i) => self.rules.get(*i),
            Slot::Branch(..) => None,
        }
    }

    /// The rule or branch with this id.
    pub fn resolve(&self, id: &str) -> Option<Resolved<'_>> {
        Some(match *self.index.get(id)? {
            Slot::Rule(i) => Resolved::Rule(&self.rules[i]),
            Slot::Branch(i, j) => {
                let r = &self.rules[i];
                Resolved::Branch(r, r.penalty.as_ref()?.branches.get(j)?)
            }
        })
    }

    /// The rule whose penalty governs `id`: the rule itself if it has one,
    /// else the nearest ancestor clause that has one (`5.1.3` → `5.1`).
    /// `see` references are followed. Definitions and workflows describe
    /// rather than forbid, so they inherit no penalty from their ancestors.
    pub fn penalty_rule(&self, id: &str) -> Option<&Rule> {
        let own = self.rule(id)?;
        if own.penalty.is_none() && matches!(own.kind, Kind::Definition | Kind::Workflow) {
            return None;
        }
        let mut current = id.to_string();
        loop {
            if let Some(r) = self.rule(&current) {
                if let Some(p) = &r.penalty {
                    return match &p.see {
                        Some(target) if target != &r.id => self.penalty_rule(target),
                        _ => Some(r),
                    };
                }
            }
            let cut = current.rfind('.')?;
            current.truncate(cut);
        }
    }

    /// Counts per book and kind.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for b in &self.books {
            s.exclusions += b.exclusions.len();
            for r in b.rules(self) {
                s.rules += 1;
                s.branches += r.penalty.as_ref().map_or(0, |p| p.branches.len());
                *s.by_book.entry(b.header.key.clone()).or_default() += 1;
                *s.by_kind.entry(r.kind.as_str().into()).or_default() += 1;
                *s.by_book_and_kind
                    .entry(b.header.key.clone())
                    .or_default()
                    .entry(r.kind.as_str().into())
                    .or_default() += 1;
                if self.penalty_rule(&r.id).is_some() {
                    s.with_penalty += 1;
                }
                if !r.thresholds.is_empty() {
                    s.with_thresholds += 1;
                }
                if r.checks.iter().any(|c| c != "manual") {
                    s.automated += 1;
                }
            }
        }
        s
    }

    /// Locates a problem about `id`'s `field` in the file it came from.
    pub(crate) fn problem_at(&self, file: &str, id: &str, field: &str, message: String) -> Problem {
        let text = self
            .books
            .iter()
            .find(|b| b.file == file)
            .map(|b| b.text.as_str())
            .unwrap_or("");
        load::Locator::new(file, text).problem(Some(id), Some(field), message)
    }
}

/// FNV-1a 64 over names and contents: a short, stable rulebook version.
fn version_of(files: &[(String, String)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in files {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
