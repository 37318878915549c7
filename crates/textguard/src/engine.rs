//! The compiled engine: one automaton per lexicon build, the homophone
//! automaton, detectors and the scene policy, and `scan` that turns a text
//! into a verdict.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use serde::Serialize;

use crate::cache;
use crate::detect;
use crate::fold::Tables;
use crate::lexicon::{self, Category, Entry, LexiconError, Pattern, Scene, Severity};
use crate::normalize::Normalizer;
use crate::policy::{DetectorId, Policy};

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A data file (policy, tables) is malformed.
    #[error("{file}: {message}")]
    Data {
        /// File name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The automaton could not be built.
    #[error("cannot build the automaton: {0}")]
    Automaton(String),
}

/// The data an engine is built from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Lexicon files (name, text).
    pub lexicons: Vec<(String, String)>,
    /// Allowlist files (name, text).
    pub allow: Vec<(String, String)>,
    /// `lookalike.tsv`.
    pub lookalike: String,
    /// `chaizi.tsv`.
    pub chaizi: String,
    /// `cues.txt`.
    pub cues: String,
    /// `policy.toml`.
    pub policy: String,
}

impl Sources {
    /// A content hash naming this exact set of data.
    pub fn version(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |s: &str| {
            for b in s.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (n, t) in self.lexicons.iter().chain(&self.allow) {
            feed(n);
            feed(t);
        }
        for t in [&self.lookalike, &self.chaizi, &self.cues, &self.policy] {
            feed(t);
        }
        feed(env!("CARGO_PKG_VERSION"));
        format!("{h:016x}")
    }
}

/// Buffers reused across scans on one thread.
#[derive(Default)]
struct Scratch {
    folded: Vec<(char, u32, u32, bool)>,
    compact: crate::normalize::Compact,
    sound: crate::normalize::Sound,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// What a pattern of the main automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Term(u32),
    Allow,
    Part(u32),
}

/// How a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A lexicon term in the compact channel.
    Lexicon,
    /// A lexicon term by sound (pinyin channel).
    Homophone,
    /// A co-occurrence entry.
    Cooccurrence,
    /// A detector.
    Detector(DetectorId),
}

/// One finding, located in the original text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Rulebook id it rests on.
    pub rule: Option<Arc<str>>,
    /// Category.
    pub label: Category,
    /// Severity after the scene policy.
    pub severity: Severity,
    /// Start, in Unicode scalar values of the original text.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The original text of the span.
    pub text: String,
    /// The lexicon term (or detector id) that matched.
    pub term: Arc<str>,
    /// How it was found.
    pub source: Source,
}

/// pass, review or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Nothing found.
    Pass,
    /// A human should look.
    Review,
    /// Refuse.
    Block,
}

impl Decision {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pass => "pass",
            Decision::Review => "review",
            Decision::Block => "block",
        }
    }
}

/// A label of the verdict: a category with the rules its hits cite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    /// Category.
    pub label: Category,
    /// Highest severity among its hits.
    pub severity: Severity,
    /// Rule ids cited.
    pub rules: Vec<Arc<str>>,
}

/// The judgement of one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// pass, review or block.
    pub verdict: Decision,
    /// 0 (clean) to 1 (certainly bad).
    pub score: f64,
    /// Categories found.
    pub labels: Vec<Label>,
    /// Every hit, by start.
    pub hits: Vec<Hit>,
    /// The scene it was judged in.
    pub scene: Scene,
    /// Rulebook version.
    pub rulebook_version: String,
    /// Lexicon version.
    pub lexicon_version: String,
}

/// The compiled engine.
pub struct Engine {
    norm: Normalizer,
    entries: Vec<Entry>,
    ac: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    roles: Vec<Vec<Role>>,
    pinyin_ac: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    pinyin_entries: Vec<Vec<u32>>,
    cooccur: Vec<u32>,
    part_ids: HashMap<String, u32>,
    policy: Policy,
    cues: Vec<String>,
    version: String,
    rulebook_version: String,
    /// Per entry: its rule and term as shared strings, so hits copy no text.
    shared: Vec<(Option<Arc<str>>, Arc<str>)>,
    /// Per detector: its rule and id as shared strings.
    detector_shared: Vec<(Arc<str>, Arc<str>)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("entries", &self.entries.len())
            .field("version", &self.version)
            .finish()
    }
}

/// Parses `a<TAB>b` pairs, skipping comments.
fn pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut it = l.split('\t');
            Some((it.next()?.trim().to_string(), it.next()?.trim().to_string()))
        })
        .collect()
}

fn single(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl Engine {
    /// Builds an engine. Malformed lexicon lines and lines citing unknown
    /// rules are returned as errors and left out; everything else is kept.
    pub fn build(
        sources: &Sources,
        rulebook: &bylaw_rulebook::Rulebook,
    ) -> Result<(Engine, Vec<LexiconError>), BuildError> {
        let mut engine = Self::prepare(sources, rulebook)?;
        let mut errors = Vec::new();
        for (name, text) in &sources.lexicons {
            let (es, errs) = lexicon::parse(name, text);
            errors.extend(errs);
            for e in es {
                if let Some(r) = &e.rule {
                    if rulebook.resolve(r).is_none() {
                        let (file, line) = e.origin.rsplit_once(':').unwrap_or((&e.origin, "0"));
                        errors.push(LexiconError {
                            file: file.to_string(),
                            line: line.parse().unwrap_or(0),
                            message: format!("unknown rule `{r}` (not in the rulebook)"),
                        });
                        continue;
                    }
                }
                engine.entries.push(e);
            }
        }
        let allow: Vec<String> = sources
            .allow
            .iter()
            .flat_map(|(_, t)| lexicon::parse_allow(t))
            .collect();
        engine.compile(&allow)?;
        Ok((engine, errors))
    }

    /// Builds the engine, reading the compiled automata from `dir` when a
    /// cache of this exact lexicon and rulebook is there, and writing one
    /// when it is not. A cache that cannot be written is not an error.
    pub fn build_cached(
        sources: &Sources,
        rulebook: &bylaw_rulebook::Rulebook,
        dir: &std::path::Path,
    ) -> Result<(Engine, Vec<LexiconError>, bool), BuildError> {
        let path = cache::cache_path(dir, &sources.version(), rulebook.version());
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok((engine, errors)) = Self::from_cache(&bytes, sources, rulebook) {
                return Ok((engine, errors, true));
            }
        }
        let (engine, errors) = Self::build(sources, rulebook)?;
        let bytes = engine.to_cache(&errors);
        if std::fs::create_dir_all(dir).is_ok() {
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        Ok((engine, errors, false))
    }

    /// Everything but the lexicon: folding tables, policy, cue words.
    fn prepare(
        sources: &Sources,
        rulebook: &bylaw_rulebook::Rulebook,
    ) -> Result<Engine, BuildError> {
        let lookalike: HashMap<char, char> = pairs(&sources.lookalike)
            .into_iter()
            .filter_map(|(a, b)| Some((single(&a)?, single(&b)?)))
            .collect();
        let chaizi: Vec<(String, char)> = pairs(&sources.chaizi)
            .into_iter()
            .filter_map(|(a, b)| Some((a, single(&b)?)))
            .collect();
        let norm = Normalizer::new(Tables::build(lookalike), &chaizi);
        let policy: Policy = toml::from_str(&sources.policy).map_err(|e| BuildError::Data {
            file: "policy.toml".into(),
            message: e.to_string(),
        })?;
        for d in &policy.detectors {
            if rulebook.rule(&d.rule).is_none() {
                return Err(BuildError::Data {
                    file: "policy.toml".into(),
                    message: format!("detector {} cites unknown rule `{}`", d.id.as_str(), d.rule),
                });
            }
        }
        let cues = lexicon::parse_allow(&sources.cues)
            .into_iter()
            .map(|c| c.to_lowercase())
            .collect();
        Ok(Engine {
            norm,
            entries: Vec::new(),
            ac: None,
            roles: Vec::new(),
            pinyin_ac: None,
            pinyin_entries: Vec::new(),
            cooccur: Vec::new(),
            part_ids: HashMap::new(),
            detector_shared: DetectorId::ALL
                .iter()
                .map(|d| {
                    let rule = policy.detector(*d).map_or("", |p| p.rule.as_str());
                    (Arc::from(rule), Arc::from(d.as_str()))
                })
                .collect(),
            policy,
            cues,
            version: sources.version(),
            rulebook_version: rulebook.version().to_string(),
            shared: Vec::new(),
        })
    }

    /// The compiled lexicon as cache bytes (with the lexicon errors found
    /// while building, so a cached start still reports them).
    pub fn to_cache(&self, errors: &[LexiconError]) -> Vec<u8> {
        let mut w = cache::Writer::default();
        cache::header(&mut w, &self.version, &self.rulebook_version);
        w.u32(errors.len() as u32);
        for e in errors {
            w.str(&e.file);
            w.u32(e.line as u32);
            w.str(&e.message);
        }
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            cache::write_entry(&mut w, e);
        }
        w.u32(self.roles.len() as u32);
        for roles in &self.roles {
            w.u8(roles.len().min(255) as u8);
            for r in roles.iter().take(255) {
                let (tag, v) = match *r {
                    Role::Term(i) => (0, i),
                    Role::Allow => (1, 0),
                    Role::Part(i) => (2, i),
                };
                w.u8(tag);
                w.u32(v);
            }
        }
        w.u32(self.pinyin_entries.len() as u32);
        for v in &self.pinyin_entries {
            w.u32(v.len() as u32);
            v.iter().for_each(|x| w.u32(*x));
        }
        w.u32(self.cooccur.len() as u32);
        self.cooccur.iter().for_each(|x| w.u32(*x));
        w.u32(self.part_ids.len() as u32);
        for (k, v) in &self.part_ids {
            w.str(k);
            w.u32(*v);
        }
        w.bytes(&self.ac.as_ref().map(|a| a.serialize()).unwrap_or_default());
        w.bytes(
            &self
                .pinyin_ac
                .as_ref()
                .map(|a| a.serialize())
                .unwrap_or_default(),
        );
        cache::seal(w.0)
    }

    /// Rebuilds an engine from cache bytes written for these sources.
    pub fn from_cache(
        bytes: &[u8],
        sources: &Sources,
        rulebook: &bylaw_rulebook::Rulebook,
    ) -> Result<(Engine, Vec<LexiconError>), Box<dyn std::error::Error + Send + Sync>> {
        let mut r = cache::Reader::new(cache::unseal(bytes)?);
        cache::check_header(&mut r, &sources.version(), rulebook.version())?;
        let mut engine = Self::prepare(sources, rulebook)?;
        let n = r.u32()? as usize;
        let mut errors = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            errors.push(LexiconError {
                file: r.str()?.to_string(),
                line: r.u32()? as usize,
                message: r.str()?.to_string(),
            });
        }
        let n = r.u32()? as usize;
        engine.entries.reserve(n.min(1 << 24));
        for _ in 0..n {
            engine.entries.push(cache::read_entry(&mut r)?);
        }
        let entries = engine.entries.len() as u32;
        let n = r.u32()? as usize;
        for _ in 0..n {
            let k = r.u8()? as usize;
            let mut roles = Vec::with_capacity(k);
            for _ in 0..k {
                let (tag, v) = (r.u8()?, r.u32()?);
                roles.push(match tag {
                    0 if v < entries => Role::Term(v),
                    1 => Role::Allow,
                    2 => Role::Part(v),
                    _ => return Err(Box::new(cache::CacheError::Corrupt("role"))),
                });
            }
            engine.roles.push(roles);
        }
        let n = r.u32()? as usize;
        for _ in 0..n {
            let k = r.u32()? as usize;
            let v = (0..k)
                .map(|_| {
                    r.u32().and_then(|x| {
                        if x < entries {
                            Ok(x)
                        } else {
                            Err(cache::CacheError::Corrupt("entry"))
                        }
                    })
                })
                .collect::<Result<Vec<u32>, _>>()?;
            engine.pinyin_entries.push(v);
        }
        let n = r.u32()? as usize;
        for _ in 0..n {
            let x = r.u32()?;
            if x >= entries {
                return Err(Box::new(cache::CacheError::Corrupt("entry")));
            }
            engine.cooccur.push(x);
        }
        let n = r.u32()? as usize;
        for _ in 0..n {
            let k = r.str()?.to_string();
            engine.part_ids.insert(k, r.u32()?);
        }
        let ac = r.bytes()?;
        if !ac.is_empty() {
            let (a, _) = CharwiseDoubleArrayAhoCorasick::<u32>::deserialize(ac)
                .map_err(|e| e.to_string())?;
            engine.ac = Some(a);
        }
        let pac = r.bytes()?;
        if !pac.is_empty() {
            let (a, _) = CharwiseDoubleArrayAhoCorasick::<u32>::deserialize(pac)
                .map_err(|e| e.to_string())?;
            engine.pinyin_ac = Some(a);
        }
        engine.share();
        // Every automaton value must index a role list.
        let roles = engine.roles.len() as u32;
        let pys = engine.pinyin_entries.len() as u32;
        if engine.ac.is_some() && roles == 0 || engine.pinyin_ac.is_some() && pys == 0 {
            return Err(Box::new(cache::CacheError::Corrupt(
                "automaton without values",
            )));
        }
        Ok((engine, errors))
    }

    fn share(&mut self) {
        self.shared = self
            .entries
            .iter()
            .map(|e| (e.rule.as_deref().map(Arc::from), Arc::from(e.term.as_str())))
            .collect();
    }

    fn compile(&mut self, allow: &[String]) -> Result<(), BuildError> {
        self.share();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut roles: Vec<Vec<Role>> = Vec::new();
        let mut add = |norm: String, role: Role, roles: &mut Vec<Vec<Role>>| {
            if norm.is_empty() {
                return;
            }
            let id = *ids.entry(norm).or_insert_with(|| {
                roles.push(Vec::new());
                (roles.len() - 1) as u32
            });
            roles[id as usize].push(role);
        };
        let mut pinyin_ids: HashMap<String, u32> = HashMap::new();
        let mut pinyin_entries: Vec<Vec<u32>> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let i = i as u32;
            match &e.pattern {
                Pattern::Term(t) => {
                    let n = self.norm.term(t);
                    if let Some((py, syllables)) = self.norm.term_sound(&n) {
                        let h = &self.policy.homophones;
                        let eligible = match e.pinyin {
                            Some(forced) => forced && syllables >= 2,
                            None => {
                                h.enabled
                                    && syllables >= h.min_syllables
                                    && (h.categories.is_empty()
                                        || h.categories.contains(&e.category))
                            }
                        };
                        if eligible {
                            let id = *pinyin_ids.entry(py).or_insert_with(|| {
                                pinyin_entries.push(Vec::new());
                                (pinyin_entries.len() - 1) as u32
                            });
                            pinyin_entries[id as usize].push(i);
                        }
                    }
                    add(n, Role::Term(i), &mut roles);
                }
                Pattern::Cooccur { all, none, .. } => {
                    self.cooccur.push(i);
                    for p in all.iter().chain(none) {
                        let n = self.norm.term(p);
                        let next = self.part_ids.len() as u32;
                        let pid = *self.part_ids.entry(n.clone()).or_insert(next);
                        if pid == next {
                            add(n, Role::Part(pid), &mut roles);
                        }
                    }
                }
            }
        }
        for a in allow {
            add(self.norm.term(a), Role::Allow, &mut roles);
        }
        if !ids.is_empty() {
            let patvals: Vec<(String, u32)> = ids.into_iter().collect();
            let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build_with_values(patvals)
                .map_err(|e| BuildError::Automaton(e.to_string()))?;
            self.ac = Some(ac);
        }
        self.roles = roles;
        if !pinyin_ids.is_empty() {
            let patvals: Vec<(String, u32)> = pinyin_ids.into_iter().collect();
            let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build_with_values(patvals)
                .map_err(|e| BuildError::Automaton(e.to_string()))?;
            self.pinyin_ac = Some(ac);
        }
        self.pinyin_entries = pinyin_entries;
        Ok(())
    }

    /// The lexicon version (content hash of the sources).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The rulebook version the engine was built against.
    pub fn rulebook_version(&self) -> &str {
        &self.rulebook_version
    }

    /// The lexicon entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The normaliser.
    pub fn normalizer(&self) -> &Normalizer {
        &self.norm
    }

    /// The scene policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Judges `text` in `scene`.
    pub fn scan(&self, text: &str, scene: Scene) -> Verdict {
        let hits = self.hits(text, scene);
        self.verdict(hits, scene)
    }

    /// Every hit of `text` in `scene`, by start.
    pub fn hits(&self, text: &str, scene: Scene) -> Vec<Hit> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.hits_with(text, scene, &mut scratch),
            Err(_) => self.hits_with(text, scene, &mut Scratch::default()),
        })
    }

    fn hits_with(&self, text: &str, scene: Scene, scratch: &mut Scratch) -> Vec<Hit> {
        let Scratch {
            folded,
            compact,
            sound,
        } = scratch;
        self.norm.compact_into(text, folded, compact);
        let compact = &*compact;
        let s = &compact.text;
        let mut raw: Vec<(usize, usize, u32, Source)> = Vec::new();
        let mut allowed: Vec<(usize, usize)> = Vec::new();
        let mut parts: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
        if let Some(ac) = &self.ac {
            for m in ac.leftmost_find_iter(s) {
                let (a, b) = (compact.char_index(m.start()), compact.char_index(m.end()));
                let roles = self
                    .roles
                    .get(m.value() as usize)
                    .map_or(&[][..], Vec::as_slice);
                for role in roles {
                    match *role {
                        Role::Allow => allowed.push((a, b)),
                        Role::Term(e) => {
                            // A term that starts or ends with a Latin letter (a digit)
                            // must start or end a Latin word (a number): "tmd" is
                            // not in "format md", "第一" (第1) not in "第12届".
                            let class = |i: usize| {
                                compact.chars.get(i).and_then(|c| {
                                    if c.is_ascii_lowercase() {
                                        Some(1)
                                    } else if c.is_ascii_digit() {
                                        Some(2)
                                    } else {
                                        None
                                    }
                                })
                            };
                            let joined = |x: usize, y: usize| {
                                class(x).is_some() && class(x) == class(y) && !compact.gap_before[y]
                            };
                            let cut_before = a > 0 && joined(a - 1, a);
                            let cut_after = b > 0 && b < compact.chars.len() && joined(b - 1, b);
                            if !cut_before && !cut_after {
                                raw.push((a, b, e, Source::Lexicon));
                            }
                        }
                        Role::Part(p) => parts.entry(p).or_default().push((a, b)),
                    }
                }
            }
        }
        if !allowed.is_empty() {
            raw.retain(|(a, b, _, _)| !allowed.iter().any(|(x, y)| x <= a && b <= y));
        }
        if let Some(pac) = &self.pinyin_ac {
            self.norm.sound_into(compact, sound);
            let mut direct: Option<HashSet<(u32, usize)>> = None;
            for m in pac.leftmost_find_iter(&sound.text) {
                let (i, j) = (sound.index(m.start()), sound.index(m.end()));
                let last = j.checked_sub(1).and_then(|k| sound.spans.get(k));
                let (Some(first), Some(last)) = (sound.spans.get(i), last) else {
                    continue;
                };
                let (a, b) = (first.0 as usize, last.1 as usize);
                if allowed.iter().any(|(x, y)| a < *y && *x < b) {
                    continue;
                }
                let entries = self
                    .pinyin_entries
                    .get(m.value() as usize)
                    .map_or(&[][..], Vec::as_slice);
                for &e in entries {
                    let direct = direct
                        .get_or_insert_with(|| raw.iter().map(|(a, _, e, _)| (*e, *a)).collect());
                    if !direct.contains(&(e, a)) {
                        raw.push((a, b, e, Source::Homophone));
                    }
                }
            }
        }
        for &ci in &self.cooccur {
            let e = &self.entries[ci as usize];
            let Pattern::Cooccur { all, none, within } = &e.pattern else {
                continue;
            };
            let pos = |p: &String| {
                self.part_ids
                    .get(&self.norm.term(p))
                    .and_then(|id| parts.get(id))
                    .cloned()
                    .unwrap_or_default()
            };
            if none.iter().any(|p| !pos(p).is_empty()) {
                continue;
            }
            let found: Vec<Vec<(usize, usize)>> = all.iter().map(pos).collect();
            if found.iter().any(Vec::is_empty) {
                continue;
            }
            // Earliest occurrence of each part; span from the first to the last.
            let firsts: Vec<(usize, usize)> = found.iter().map(|v| v[0]).collect();
            let a = firsts.iter().map(|x| x.0).min().unwrap_or(0);
            let b = firsts.iter().map(|x| x.1).max().unwrap_or(0);
            if within.is_some_and(|w| b - a > w as usize) {
                continue;
            }
            raw.push((a, b, ci, Source::Cooccurrence));
        }
        let mut byte_of: Option<Vec<usize>> = None;
        let mut out = Vec::new();
        let mut orig_text = |start: usize, end: usize| -> String {
            let offsets = byte_of.get_or_insert_with(|| {
                let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
                v.push(text.len());
                v
            });
            let a = offsets.get(start).copied().unwrap_or(text.len());
            let b = offsets.get(end).copied().unwrap_or(text.len());
            text.get(a..b).unwrap_or("").to_string()
        };
        for (a, b, ei, source) in raw {
            let e = &self.entries[ei as usize];
            let Some((rule, term)) = self.shared.get(ei as usize) else {
                continue;
            };
            if !e.scenes.is_empty() && !e.scenes.contains(&scene) {
                continue;
            }
            if !self.policy.category_applies(e.category, scene) {
                continue;
            }
            let (start, end) = compact.original_span(a, b);
            let severity = match source {
                Source::Homophone => Severity::Review,
                _ => e.severity,
            };
            out.push(Hit {
                rule: rule.clone(),
                label: e.category,
                severity,
                start,
                end,
                text: orig_text(start, end),
                term: term.clone(),
                source,
            });
        }
        let mut light: Option<Vec<char>> = None;
        for d in DetectorId::ALL {
            let Some(severity) = self.policy.setting(d, scene).severity() else {
                continue;
            };
            let Some(p) = self.policy.detector(d) else {
                continue;
            };
            let light = light.get_or_insert_with(|| self.norm.light(text));
            let spans = match d {
                DetectorId::PhoneNumber => detect::phone_numbers(light),
                DetectorId::ContactId => {
                    let cues: Vec<&str> = self.cues.iter().map(String::as_str).collect();
                    detect::contact_ids(light, &cues)
                }
                DetectorId::Url => detect::urls(light),
                DetectorId::Email => detect::emails(light),
                DetectorId::ResidentId => detect::resident_ids(light),
                DetectorId::BankCard => detect::bank_cards(light),
            };
            let (rule, term) = &self.detector_shared[d as usize];
            for sp in spans {
                out.push(Hit {
                    rule: Some(rule.clone()),
                    label: p.category,
                    severity,
                    start: sp.start,
                    end: sp.end,
                    text: orig_text(sp.start, sp.end),
                    term: term.clone(),
                    source: Source::Detector(d),
                });
            }
        }
        out.sort_by_key(|h| (h.start, h.end));
        out
    }

    /// Turns hits into a verdict.
    pub fn verdict(&self, hits: Vec<Hit>, scene: Scene) -> Verdict {
        let mut labels: BTreeMap<Category, Label> = BTreeMap::new();
        for h in &hits {
            let l = labels.entry(h.label).or_insert_with(|| Label {
                label: h.label,
                severity: h.severity,
                rules: Vec::new(),
            });
            l.severity = l.severity.max(h.severity);
            if let Some(r) = &h.rule {
                if !l.rules.iter().any(|x| x == r) {
                    l.rules.push(r.clone());
                }
            }
        }
        let worst = hits.iter().map(|h| h.severity).max();
        let verdict = match worst {
            None => Decision::Pass,
            Some(Severity::Review) => Decision::Review,
            Some(Severity::Block) => Decision::Block,
        };
        let base: f64 = match worst {
            None => 0.0,
            Some(Severity::Review) => 0.6,
            Some(Severity::Block) => 0.9,
        };
        let extra = (hits.len().saturating_sub(1) as f64) * 0.02;
        let score = if hits.is_empty() {
            0.0
        } else {
            (base + extra).min(0.99)
        };
        Verdict {
            verdict,
            score: (score * 100.0).round() / 100.0,
            labels: labels.into_values().collect(),
            hits,
            scene,
            rulebook_version: self.rulebook_version.clone(),
            lexicon_version: self.version.clone(),
        }
    }
}
