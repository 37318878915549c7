//! The loaded rulebook and lexicons: one immutable [`Version`] at a time.
//!
//! A request takes the current version (an `Arc`) when it starts and keeps
//! it to the end, so a reload never changes the rules under a request in
//! flight. Every verdict names the rulebook and lexicon version it came from.
//!
//! The enforcement engine borrows its rulebook for as long as it lives, so a
//! rulebook is kept for the life of the process once loaded. A reload that
//! leaves the rulebook unchanged (the usual case: a lexicon update) reuses
//! the one already loaded; only a changed rulebook costs its memory again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bylaw_review::{Config as ReviewConfig, Norms, Reviewer};
use bylaw_rulebook::Rulebook;
use bylaw_textguard::{Engine, Sources};

/// Where the rules come from: the embedded ones, overridden by directories.
#[derive(Debug, Clone, Default)]
pub struct Sourcing {
    /// Rulebook files that replace the embedded ones of the same name.
    pub rulebooks: Option<PathBuf>,
    /// Extra lexicons (`*.tsv`), allowlists (`allow*.tsv`) and `policy.toml`.
    pub lexicons: Option<PathBuf>,
    /// Compiled-lexicon cache directory (`None`: build without a cache).
    pub cache: Option<PathBuf>,
}

/// One loaded rulebook and lexicon set.
pub struct Version {
    /// The rulebook (kept for the life of the process).
    pub rulebook: &'static Rulebook,
    /// The content engine.
    pub guard: Engine,
    /// The reviewer's per-rule levels.
    pub review: ReviewConfig,
    /// The reviewer's profiles and privacy patterns, built once for the
    /// rulebook (shared with the next version when the rulebook is unchanged).
    pub norms: Arc<Norms>,
    /// Lexicon lines left out when loading (`file:line: message`).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Version")
            .field("rulebook", &self.rulebook.version())
            .field("lexicon", &self.guard.version())
            .finish()
    }
}

impl Version {
    /// The rulebook version.
    pub fn rulebook_version(&self) -> &str {
        self.rulebook.version()
    }

    /// The lexicon version.
    pub fn lexicon_version(&self) -> &str {
        self.guard.version()
    }

    /// A reviewer over this version (cheap: the norms are already built).
    pub fn reviewer(&self) -> Result<Reviewer<'_>, String> {
        Reviewer::with_norms(self.rulebook, &self.guard, &self.norms, self.review.clone())
            .map_err(|e| e.to_string())
    }

    /// Loads a version; `previous` lends its rulebook when it is unchanged.
    pub fn load(src: &Sourcing, previous: Option<&Version>) -> Result<Version, String> {
        let fresh = match &src.rulebooks {
            Some(d) => Rulebook::load_dir(d).map_err(|e| format!("{}: {e}", d.display()))?,
            None => Rulebook::embedded().map_err(|e| e.to_string())?,
        };
        let (rulebook, norms): (&'static Rulebook, Arc<Norms>) = match previous {
            Some(p) if p.rulebook.version() == fresh.version() => (p.rulebook, p.norms.clone()),
            _ => {
                let norms = Norms::embedded(&fresh).map_err(|e| e.to_string())?;
                (Box::leak(Box::new(fresh)), Arc::new(norms))
            }
        };
        let sources = read_sources(src.lexicons.as_deref())?;
        let (guard, errors) = match &src.cache {
            Some(dir) => {
                let (e, errs, _) =
                    Engine::build_cached(&sources, rulebook, dir).map_err(|e| e.to_string())?;
                (e, errs)
            }
            None => Engine::build(&sources, rulebook).map_err(|e| e.to_string())?,
        };
        Ok(Version {
            rulebook,
            guard,
            review: ReviewConfig::default(),
            norms,
            warnings: errors.iter().map(|e| e.to_string()).collect(),
        })
    }
}

/// The starter lexicons plus the files of `dir`.
fn read_sources(dir: Option<&Path>) -> Result<Sources, String> {
    let mut sources = bylaw_textguard::starter_sources();
    let Some(dir) = dir else {
        return Ok(sources);
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let Some(name) = p.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        let read = || std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
        if name == "policy.toml" {
            sources.policy = read()?;
        } else if name.starts_with("allow") && name.ends_with(".tsv") {
            sources.allow.push((p.display().to_string(), read()?));
        } else if name.ends_with(".tsv") {
            sources.lexicons.push((p.display().to_string(), read()?));
        }
    }
    Ok(sources)
}

/// The current version, swapped whole on reload.
#[derive(Debug)]
pub struct Current {
    inner: std::sync::RwLock<Arc<Version>>,
}

impl Current {
    /// Starts with `v`.
    pub fn new(v: Version) -> Current {
        Current {
            inner: std::sync::RwLock::new(Arc::new(v)),
        }
    }

    /// The version to use for one request.
    pub fn get(&self) -> Arc<Version> {
        match self.inner.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Makes `v` current; requests already holding the old one keep it.
    pub fn set(&self, v: Version) {
        let v = Arc::new(v);
        match self.inner.write() {
            Ok(mut g) => *g = v,
            Err(p) => *p.into_inner() = v,
        }
    }
}
