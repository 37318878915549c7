//! Name checks: protected look-alikes, catalogue duplicates, hot-word stuffing.
//!
//! Markets reject a listing whose name imitates a protected mark (腾讯,
//! 微信, WeChat …), duplicates or is confusable with an existing app, or
//! stuffs hot search words. Imitations are rarely literal: they swap in
//! full-width or Cyrillic letters, traditional characters, symbols between
//! characters (`微·信`), homophones (腾迅, 疼讯, `weixin`) or a typo
//! (`Tencet`). So every check reads the normaliser's channels instead of the
//! raw text, and reports spans of the original name:
//!
//! - **skeleton**: the compact channel (folded, noise dropped, repeats
//!   collapsed) of the name contains the mark's compact form;
//! - **sound**: the sound channel (one symbol per pinyin syllable, Latin
//!   pinyin included) contains the mark's syllables, *all* of them;
//! - **edit**: a Latin word is within a small restricted Damerau–Levenshtein
//!   distance of a Latin mark, or a CJK run is a Chinese mark with two
//!   neighbours swapped or one character slipped in.
//!
//! Look-alikes are found by these rules, never by a list of known
//! misspellings. False positives cost a developer a needless rename, so every
//! fuzzy rule is fenced: no typo match on Latin marks of fewer than five
//! letters nor one that changes the first letter; short Latin marks (`QQ`)
//! only as whole words; a homophone of a two-character mark only when both
//! syllables match and one character is the mark's own (or spelled in
//! pinyin); no CJK substitutions other than homophones (腾飞会议 is not
//! 腾讯会议); and no typo match on a common English word (`tenant` is not
//! `Tencent`).

use std::collections::HashSet;

use bylaw_textguard::fold::is_cjk;
use bylaw_textguard::normalize::{Compact, Normalizer};

/// A protected mark and the rule that protects it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mark {
    /// The mark as written by its owner (`腾讯会议`, `WeChat`).
    pub text: String,
    /// The rulebook rule id the mark is protected by.
    pub rule: String,
}

/// How a look-alike matched its mark, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// The mark verbatim.
    Exact,
    /// The same compact form (case, width, traditional, confusables, symbols).
    Skeleton,
    /// The same pinyin syllables (homophones, pinyin spelling).
    Sound,
    /// A small edit: a typo of a Latin mark, a swap or insertion in a CJK mark.
    Edit,
}

impl How {
    /// Rank for de-duplication: lower is stronger.
    fn rank(self) -> u8 {
        match self {
            How::Exact => 0,
            How::Skeleton => 1,
            How::Sound => 2,
            How::Edit => 3,
        }
    }
}

/// One look-alike of a protected mark in a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkHit {
    /// The mark imitated, as the mark list writes it.
    pub mark: String,
    /// The rule protecting the mark.
    pub rule: String,
    /// How it matched.
    pub how: How,
    /// Start of the look-alike in the name (char offset).
    pub start: usize,
    /// End of the look-alike in the name (char offset, exclusive).
    pub end: usize,
    /// The look-alike as written in the name.
    pub text: String,
}

/// A catalogue name similar to the checked one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Similar {
    /// The catalogue name.
    pub name: String,
    /// Its [`similarity`] to the checked name.
    pub score: f64,
}

/// Shortest Latin mark (letters, repeats counted) that edit distance 1 applies to.
const EDIT1_MIN: usize = 5;
/// Shortest Latin mark that edit distance 2 applies to.
const EDIT2_MIN: usize = 7;
/// Shortest Latin mark matched inside a word; shorter ones need word boundaries.
const INWORD_MIN: usize = 5;
/// Shortest CJK mark that a swap or an inserted character applies to.
const CJK_EDIT_MIN: usize = 3;
/// Shortest CJK mark that a dropped inner character applies to.
const CJK_DROP_MIN: usize = 5;
/// Weight of a sound-only likeness in [`similarity`], so that a homophone
/// ranks below a true duplicate.
const SOUND_WEIGHT: f64 = 0.9;

/// Common English words that a typo rule must never turn into a mark
/// (`tenant` is two edits from `tencent`); only words of four letters or
/// more matter, since shorter ones are never edit-matched.
const COMMON_WORDS: &[&str] = &[
    "about", "above", "access", "account", "action", "active", "actor", "admin", "advice", "after",
    "again", "agent", "album", "alert", "alarm", "allow", "alpha", "amaze", "anime", "answer",
    "apple", "apply", "argue", "assist", "audio", "author", "auto", "award", "basic", "beach",
    "begin", "being", "below", "better", "bible", "black", "block", "board", "bonus", "books",
    "brain", "brand", "bread", "break", "bring", "brush", "build", "cable", "camera", "cards",
    "catch", "cause", "center", "centre", "chain", "chair", "change", "channel", "chart", "chase",
    "chats", "cheap", "cheat", "check", "chess", "chest", "chief", "child", "china", "choice",
    "chose", "class", "clean", "clear", "click", "client", "clock", "close", "cloud", "coach",
    "coast", "codes", "coins", "color", "colour", "comic", "coming", "common", "concert",
    "connect", "contact", "content", "contest", "context", "control", "cooking", "count", "course",
    "court", "cover", "craft", "cream", "create", "credit", "cross", "crowd", "cycle", "daily",
    "dance", "dates", "dealer", "decent", "delta", "demand", "dental", "design", "detect",
    "device", "dinner", "direct", "doctor", "draft", "drama", "dream", "dress", "drink", "drive",
    "early", "earth", "email", "empty", "energy", "engine", "enjoy", "enter", "entry", "event",
    "every", "exact", "exam", "expert", "extra", "faith", "false", "family", "fancy", "fashion",
    "favor", "field", "fight", "final", "finance", "first", "fitness", "flash", "fleet", "flight",
    "float", "floor", "flower", "focus", "force", "forum", "frame", "fresh", "friend", "front",
    "fruit", "funds", "games", "garden", "gather", "general", "giant", "gifts", "glass", "global",
    "goggle", "golden", "good", "grade", "grand", "graph", "great", "green", "group", "guard",
    "guess", "guest", "guide", "habit", "happy", "health", "heart", "heavy", "hello", "helper",
    "history", "hobby", "home", "honey", "horse", "hotel", "house", "human", "humor", "image",
    "index", "inner", "input", "intent", "invest", "invite", "issue", "joint", "judge", "juice",
    "kids", "kitchen", "label", "labor", "large", "later", "laugh", "layer", "learn", "legal",
    "lemon", "level", "light", "limit", "links", "little", "local", "logic", "lucky", "lunch",
    "magic", "major", "maker", "manage", "manager", "market", "match", "media", "meeting",
    "meetings", "member", "memory", "merit", "message", "metal", "meter", "method", "minor",
    "mobile", "model", "money", "month", "motion", "mouse", "movie", "music", "nature", "network",
    "never", "night", "noble", "noise", "north", "notes", "novel", "nurse", "ocean", "offer",
    "office", "online", "option", "orange", "order", "other", "owner", "paint", "panel", "paper",
    "party", "patent", "peace", "people", "phone", "photo", "piano", "pilot", "pitch", "pixel",
    "place", "plain", "plane", "planet", "plant", "plate", "point", "poker", "power", "press",
    "price", "pride", "print", "prize", "profit", "proof", "proud", "public", "quest", "queue",
    "quick", "quiet", "quiz", "quote", "radio", "raise", "range", "rapid", "reach", "react",
    "ready", "recent", "record", "relax", "remote", "report", "reset", "retail", "review", "rich",
    "right", "river", "robot", "round", "route", "royal", "rural", "safety", "sales", "scale",
    "scene", "school", "score", "screen", "search", "season", "secret", "secure", "select",
    "sense", "serve", "setup", "shape", "share", "sharp", "sheet", "shell", "shift", "shine",
    "shop", "short", "should", "sight", "signal", "silver", "simple", "skill", "sleep", "slide",
    "smart", "smile", "solar", "solid", "sound", "south", "space", "spark", "speak", "speed",
    "spell", "sport", "sports", "staff", "stage", "stamp", "stand", "start", "state", "station",
    "steam", "steps", "stock", "stone", "store", "storm", "story", "study", "style", "sugar",
    "suite", "super", "support", "sweet", "table", "talent", "talks", "taste", "teach", "teacher",
    "teams", "tempo", "tenant", "tencel", "tender", "tennis", "tense", "tenth", "terms", "test",
    "texts", "thank", "theme", "there", "thing", "think", "those", "three", "ticket", "tiger",
    "timer", "title", "today", "token", "tools", "topic", "total", "touch", "tough", "tower",
    "trace", "track", "trade", "train", "travel", "treat", "trend", "trial", "trust", "truth",
    "tutor", "under", "union", "unity", "upper", "urban", "usage", "users", "valid", "value",
    "video", "views", "visit", "vital", "voice", "wallet", "watch", "water", "wealth", "weather",
    "webcam", "webchat", "webinar", "wedding", "weekly", "weight", "welcome", "wheel", "where",
    "which", "white", "whole", "widget", "window", "winner", "woman", "women", "words", "world",
    "worth", "write", "writer", "yield", "young", "youth", "zebra", "zone",
];

/// A name read once: original characters, compact channel and, for each
/// compact character, how many folded characters it collapsed.
struct Reading {
    orig: Vec<char>,
    compact: Compact,
    runs: Vec<usize>,
}

impl Reading {
    fn new(text: &str, norm: &Normalizer) -> Reading {
        let orig: Vec<char> = text.chars().collect();
        let compact = norm.compact(text);
        let runs = compact
            .chars
            .iter()
            .zip(&compact.spans)
            .map(|(&c, &(s, e))| {
                let mut n = 0;
                for &o in orig.get(s as usize..e as usize).unwrap_or(&[]) {
                    norm.tables().compact_each(o, |x| n += usize::from(x == c));
                }
                n.max(1)
            })
            .collect();
        Reading {
            orig,
            compact,
            runs,
        }
    }

    fn len(&self) -> usize {
        self.compact.chars.len()
    }

    /// Whether a word may start before compact character `k` (or end there).
    fn boundary(&self, k: usize) -> bool {
        let chars = &self.compact.chars;
        let (Some(&a), Some(&b)) = (k.checked_sub(1).and_then(|p| chars.get(p)), chars.get(k))
        else {
            return true;
        };
        if !a.is_ascii_alphanumeric() || !b.is_ascii_alphanumeric() {
            return true;
        }
        if a.is_ascii_digit() != b.is_ascii_digit()
            || self.compact.gap_before.get(k).copied().unwrap_or(true)
        {
            return true;
        }
        let at = self.compact.spans.get(k).map_or(0, |s| s.0 as usize);
        camel_at(&self.orig, at)
    }

    /// The original span and text of compact characters `[from, to)`.
    fn original(&self, from: usize, to: usize) -> (usize, usize, String) {
        let (s, e) = self.compact.original_span(from, to);
        (s, e, self.slice(s, e))
    }

    fn slice(&self, s: usize, e: usize) -> String {
        self.orig.get(s..e).unwrap_or(&[]).iter().collect()
    }
}

/// Whether original character `i` starts a camel-case word (`WeChat|Pay`,
/// `QQ|Music`).
fn camel_at(orig: &[char], i: usize) -> bool {
    let (Some(&prev), Some(&c)) = (i.checked_sub(1).and_then(|p| orig.get(p)), orig.get(i)) else {
        return false;
    };
    c.is_uppercase()
        && (prev.is_lowercase()
            || (prev.is_uppercase() && orig.get(i + 1).is_some_and(|n| n.is_lowercase())))
}

/// Restricted Damerau–Levenshtein (optimal string alignment) distance.
fn osa(a: &[char], b: &[char]) -> usize {
    let m = b.len();
    if a.is_empty() {
        return m;
    }
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut v = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
            if i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca) {
                v = v.min(prev2[j - 1] + 1);
            }
            cur[j + 1] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// A mark read once.
struct MarkForm {
    reading: Reading,
    /// Folded characters with repeats kept (`google`, not `gogle`).
    letters: Vec<char>,
    latin: bool,
    cjk: bool,
}

impl MarkForm {
    fn new(text: &str, norm: &Normalizer) -> MarkForm {
        let reading = Reading::new(text, norm);
        let mut letters = Vec::new();
        for &c in &reading.orig {
            norm.tables().compact_each(c, |x| letters.push(x));
        }
        let chars = &reading.compact.chars;
        let latin = !chars.is_empty() && chars.iter().all(|c| c.is_ascii_lowercase());
        let cjk = !chars.is_empty() && chars.iter().all(|&c| is_cjk(c));
        MarkForm {
            reading,
            letters,
            latin,
            cjk,
        }
    }
}

/// Finds look-alikes of protected marks in an app name, each with its span in
/// the name; at most one hit per mark and place (the strongest).
pub fn lookalikes(name: &str, marks: &[Mark], norm: &Normalizer) -> Vec<MarkHit> {
    let reading = Reading::new(name, norm);
    let sound = norm.sound(&reading.compact);
    let pieces = latin_pieces(&reading.orig, norm);
    let mut hits: Vec<(usize, MarkHit)> = Vec::new();
    for (idx, mark) in marks.iter().enumerate() {
        let form = MarkForm::new(&mark.text, norm);
        if form.reading.len() == 0 {
            continue;
        }
        let mut found = Vec::new();
        skeleton_hits(&reading, &form, mark, &mut found);
        sound_hits(&reading, &sound, &form, mark, norm, &mut found);
        if form.latin {
            latin_edit_hits(&reading, &pieces, &form, mark, &mut found);
        } else if form.cjk {
            cjk_edit_hits(&reading, &form, mark, &mut found);
        }
        found.sort_by_key(|h: &MarkHit| (h.how.rank(), h.start, h.end));
        let mut kept: Vec<MarkHit> = Vec::new();
        for h in found {
            if kept.iter().all(|k| h.end <= k.start || k.end <= h.start) {
                kept.push(h);
            }
        }
        hits.extend(kept.into_iter().map(|h| (idx, h)));
    }
    hits.sort_by_key(|(idx, h)| (h.start, std::cmp::Reverse(h.end), *idx));
    hits.into_iter().map(|(_, h)| h).collect()
}

fn hit(mark: &Mark, how: How, (start, end, text): (usize, usize, String)) -> MarkHit {
    MarkHit {
        mark: mark.text.clone(),
        rule: mark.rule.clone(),
        how,
        start,
        end,
        text,
    }
}

/// Exact and skeleton hits: the mark's compact form in the name's, with no
/// repeat the mark has collapsed away (`Q` is not `QQ`) and, for short Latin
/// marks, on word boundaries.
fn skeleton_hits(name: &Reading, form: &MarkForm, mark: &Mark, out: &mut Vec<MarkHit>) {
    let pat = &form.reading.compact.chars;
    let m = pat.len();
    let short_latin = form.letters.len() < INWORD_MIN;
    let fence_start = short_latin && pat.first().is_some_and(|c| c.is_ascii_alphanumeric());
    let fence_end = short_latin && pat.last().is_some_and(|c| c.is_ascii_alphanumeric());
    for i in 0..(name.len() + 1).saturating_sub(m) {
        if name.compact.chars.get(i..i + m) != Some(pat.as_slice()) {
            continue;
        }
        let repeats_kept = form
            .reading
            .runs
            .iter()
            .zip(name.runs.get(i..i + m).unwrap_or(&[]))
            .all(|(want, got)| got >= want);
        if !repeats_kept
            || (fence_start && !name.boundary(i))
            || (fence_end && !name.boundary(i + m))
        {
            continue;
        }
        let (s, e, text) = name.original(i, i + m);
        let literal: Vec<char> = mark.text.chars().collect();
        let exact = (s..e).find(|&p| name.orig.get(p..p + literal.len()) == Some(&literal[..]));
        match exact {
            Some(p) => out.push(hit(
                mark,
                How::Exact,
                (p, p + literal.len(), mark.text.clone()),
            )),
            None => out.push(hit(mark, How::Skeleton, (s, e, text))),
        }
    }
}

/// Sound hits: every syllable of a Chinese mark, in order. A two-syllable
/// mark also needs one of its own characters or a pinyin-spelled syllable
/// (疼讯, `wei信`), and an all-pinyin spelling (`weixin`) must be a whole word.
fn sound_hits(
    name: &Reading,
    sound: &bylaw_textguard::normalize::Sound,
    form: &MarkForm,
    mark: &Mark,
    norm: &Normalizer,
    out: &mut Vec<MarkHit>,
) {
    let mark_chars = &form.reading.compact.chars;
    if !mark_chars.iter().any(|&c| is_cjk(c)) || norm.term_sound(&mark.text).is_none() {
        return;
    }
    let ms = norm.sound(&form.reading.compact);
    let pat: Vec<char> = ms.text.chars().collect();
    let k = pat.len();
    if k < 2 {
        return;
    }
    let syms: Vec<char> = sound.text.chars().collect();
    let chars = &name.compact.chars;
    for i in 0..(syms.len() + 1).saturating_sub(k) {
        if syms.get(i..i + k) != Some(pat.as_slice()) {
            continue;
        }
        let mut own = 0;
        let mut spelled = 0;
        for j in 0..k {
            let (Some(&(a, b)), Some(&(x, y))) = (sound.spans.get(i + j), ms.spans.get(j)) else {
                continue;
            };
            let got = chars.get(a as usize..b as usize).unwrap_or(&[]);
            let want = mark_chars.get(x as usize..y as usize).unwrap_or(&[]);
            if got == want {
                own += 1;
            } else if got.iter().all(|c| c.is_ascii_lowercase()) {
                spelled += 1;
            }
        }
        let (Some(&(from, _)), Some(&(_, to))) = (sound.spans.get(i), sound.spans.get(i + k - 1))
        else {
            continue;
        };
        let (from, to) = (from as usize, to as usize);
        let ok = if spelled == k {
            k >= 3 || (name.boundary(from) && name.boundary(to))
        } else {
            k >= 3 || own + spelled >= 1
        };
        if ok {
            out.push(hit(mark, How::Sound, name.original(from, to)));
        }
    }
}

/// A Latin word piece of the name: letters between noise, non-letters and
/// camel-case boundaries, with the run of letters it belongs to.
struct Piece {
    letters: Vec<char>,
    start: usize,
    end: usize,
    run: usize,
}

/// Splits the name into Latin pieces (folded letters, repeats kept); pieces
/// of one run are separated only by noise or case, so `Ten cet` and
/// `We-Cha` can be joined back.
fn latin_pieces(orig: &[char], norm: &Normalizer) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut cur: Option<Piece> = None;
    let mut run = 0;
    let mut outs = Vec::new();
    for (i, &c) in orig.iter().enumerate() {
        outs.clear();
        norm.tables().compact_each(c, |x| outs.push(x));
        if outs.is_empty() {
            pieces.extend(cur.take());
            continue;
        }
        for (k, &x) in outs.iter().enumerate() {
            if !x.is_ascii_lowercase() {
                pieces.extend(cur.take());
                run += 1;
                continue;
            }
            if k == 0 && camel_at(orig, i) {
                pieces.extend(cur.take());
            }
            match cur.as_mut() {
                Some(p) => {
                    p.letters.push(x);
                    p.end = i + 1;
                }
                None => {
                    cur = Some(Piece {
                        letters: vec![x],
                        start: i,
                        end: i + 1,
                        run,
                    })
                }
            }
        }
    }
    pieces.extend(cur.take());
    pieces
}

/// Edit hits on a Latin mark: one or more adjacent pieces of a run, same
/// first letter, within distance 1 (mark ≥ 5 letters) or 2 (≥ 7), not a
/// common word.
fn latin_edit_hits(
    name: &Reading,
    pieces: &[Piece],
    form: &MarkForm,
    mark: &Mark,
    out: &mut Vec<MarkHit>,
) {
    let want = &form.letters;
    let len = want.len();
    let max = if len >= EDIT2_MIN {
        2
    } else if len >= EDIT1_MIN {
        1
    } else {
        return;
    };
    for (a, first) in pieces.iter().enumerate() {
        let mut cand: Vec<char> = Vec::new();
        for piece in pieces.iter().skip(a).take(4) {
            if piece.run != first.run {
                break;
            }
            cand.extend_from_slice(&piece.letters);
            if cand.len() > len + max {
                break;
            }
            if cand.len() + max < len || cand.first() != want.first() {
                continue;
            }
            let d = osa(&cand, want);
            if d == 0 || d > max {
                continue;
            }
            let word: String = cand.iter().collect();
            if COMMON_WORDS.contains(&word.as_str()) {
                continue;
            }
            let text = name.slice(first.start, piece.end);
            out.push(hit(mark, How::Edit, (first.start, piece.end, text)));
        }
    }
}

/// Edit hits on a Chinese mark of three or more characters: two neighbours
/// swapped (讯腾会议) or one character slipped inside (腾讯X会议); of five or
/// more, also one inner character dropped. Substitutions are left to the
/// sound channel: 腾飞会议 is a different name, 腾迅会议 is not.
fn cjk_edit_hits(name: &Reading, form: &MarkForm, mark: &Mark, out: &mut Vec<MarkHit>) {
    let pat = &form.reading.compact.chars;
    let m = pat.len();
    if m < CJK_EDIT_MIN {
        return;
    }
    let chars = &name.compact.chars;
    let n = chars.len();
    for i in 0..n {
        // Swap of neighbours.
        if let Some(w) = chars.get(i..i + m) {
            let diff: Vec<usize> = (0..m).filter(|&j| w.get(j) != pat.get(j)).collect();
            if let [a, b] = diff[..] {
                if b == a + 1 && w.get(a) == pat.get(b) && w.get(b) == pat.get(a) {
                    out.push(hit(mark, How::Edit, name.original(i, i + m)));
                }
            }
        }
        // One inner character inserted.
        if let Some(w) = chars.get(i..i + m + 1) {
            let inserted =
                (1..m).any(|p| w.get(..p) == pat.get(..p) && w.get(p + 1..) == pat.get(p..));
            if inserted {
                out.push(hit(mark, How::Edit, name.original(i, i + m + 1)));
            }
        }
        // One inner character dropped.
        if m >= CJK_DROP_MIN {
            if let Some(w) = chars.get(i..i + m - 1) {
                let dropped = (1..m - 1)
                    .any(|p| w.get(..p) == pat.get(..p) && w.get(p..) == pat.get(p + 1..));
                if dropped {
                    out.push(hit(mark, How::Edit, name.original(i, i + m - 1)));
                }
            }
        }
    }
}

/// A name read for similarity: compact characters and, when every part has
/// a reading, its syllables.
struct Shape {
    chars: Vec<char>,
    sound: Option<Vec<char>>,
}

impl Shape {
    fn new(text: &str, norm: &Normalizer) -> Shape {
        let compact = norm.compact(text);
        let sound = norm
            .term_sound(&compact.text)
            .map(|(s, _)| s.chars().collect());
        Shape {
            chars: compact.chars,
            sound,
        }
    }

    fn similarity(&self, other: &Shape) -> f64 {
        let by_chars = ratio(&self.chars, &other.chars);
        let by_sound = match (&self.sound, &other.sound) {
            (Some(a), Some(b)) => ratio(a, b) * SOUND_WEIGHT,
            _ => 0.0,
        };
        by_chars.max(by_sound)
    }
}

/// `1 − distance / longer length`; 0 when either side is empty.
fn ratio(a: &[char], b: &[char]) -> f64 {
    let longer = a.len().max(b.len());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    1.0 - osa(a, b) as f64 / longer as f64
}

/// Similarity of two names in `0..=1`: `1 − d / max(len)` with `d` the
/// restricted Damerau–Levenshtein distance between their compact forms (case,
/// width, traditional, symbols folded away), or, if higher, 0.9 × the same
/// over their pinyin syllables, so homophones count; 0 if either is empty.
pub fn similarity(a: &str, b: &str, norm: &Normalizer) -> f64 {
    Shape::new(a, norm).similarity(&Shape::new(b, norm))
}

/// Catalogue names whose [`similarity`] to `name` is at least `threshold`,
/// most similar first (ties by name).
pub fn most_similar(
    name: &str,
    catalog: &[String],
    norm: &Normalizer,
    threshold: f64,
) -> Vec<Similar> {
    let shape = Shape::new(name, norm);
    let mut out: Vec<Similar> = catalog
        .iter()
        .filter_map(|other| {
            let score = shape.similarity(&Shape::new(other, norm));
            (score >= threshold && score > 0.0).then(|| Similar {
                name: other.clone(),
                score,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Distinct hot words a name must contain to read as stuffed.
const STUFF_KEYWORDS: usize = 3;
/// Separated segments (each with a Chinese character) that read as stuffed.
const STUFF_SEGMENTS: usize = 3;

/// Hot-word stuffing: three or more distinct hot words, one hot word
/// repeated, or three or more Chinese terms strung together by separators
/// (`会议-直播-抽奖-红包`); returns a short reason in Chinese.
pub fn stuffing(name: &str, keywords: &[String], norm: &Normalizer) -> Option<String> {
    let reading = Reading::new(name, norm);
    // Hot words, longest first, each place of the name counted once.
    let mut forms: Vec<(&String, MarkForm)> = keywords
        .iter()
        .map(|k| (k, MarkForm::new(k, norm)))
        .filter(|(_, f)| f.reading.len() > 0)
        .collect();
    forms.sort_by_key(|(_, f)| std::cmp::Reverse(f.reading.len()));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    let mut seen_forms: HashSet<Vec<char>> = HashSet::new();
    for (word, form) in &forms {
        let probe = Mark {
            text: (*word).clone(),
            rule: String::new(),
        };
        let mut found = Vec::new();
        skeleton_hits(&reading, form, &probe, &mut found);
        let mut count = 0;
        for h in found {
            if taken.iter().all(|&(s, e)| h.end <= s || e <= h.start) {
                taken.push((h.start, h.end));
                count += 1;
            }
        }
        if count >= 2 && form.reading.len() >= 2 {
            return Some(format!("名称重复使用热词「{word}」，疑似关键词堆砌"));
        }
        if count >= 1 && seen_forms.insert(form.reading.compact.chars.clone()) {
            seen.push(word);
        }
    }
    if seen.len() >= STUFF_KEYWORDS {
        let list: Vec<&str> = seen.iter().map(|s| s.as_str()).collect();
        return Some(format!(
            "名称包含{}个热词（{}），疑似关键词堆砌",
            list.len(),
            list.join("、")
        ));
    }
    // Terms strung together by separators.
    let segments: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let chinese = segments.iter().filter(|s| s.chars().any(is_cjk)).count();
    if chinese >= STUFF_SEGMENTS {
        return Some(format!(
            "名称用分隔符串联{}个词（{}），疑似堆砌不相关的热词",
            segments.len(),
            segments.join("、")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::OnceLock;

    use bylaw_textguard::fold::Tables;

    fn norm() -> &'static Normalizer {
        static N: OnceLock<Normalizer> = OnceLock::new();
        N.get_or_init(|| Normalizer::new(Tables::build(HashMap::new()), &[]))
    }

    fn marks() -> Vec<Mark> {
        [
            "腾讯",
            "微信",
            "Tencent",
            "WeChat",
            "QQ",
            "腾讯会议",
            "腾讯视频",
            "微信支付",
            "Google",
        ]
        .iter()
        .map(|t| Mark {
            text: t.to_string(),
            rule: "test/marks".to_string(),
        })
        .collect()
    }

    fn hits(name: &str) -> Vec<(String, How, String)> {
        lookalikes(name, &marks(), norm())
            .into_iter()
            .map(|h| (h.mark, h.how, h.text))
            .collect()
    }

    fn has(name: &str, mark: &str, how: How) -> bool {
        hits(name).iter().any(|(m, h, _)| m == mark && *h == how)
    }

    #[test]
    fn exact_marks() {
        let h = lookalikes("微信支付助手", &marks(), norm());
        let wx = h
            .iter()
            .find(|h| h.mark == "微信")
            .map(|h| (h.how, h.start, h.end));
        assert_eq!(wx, Some((How::Exact, 0, 2)), "{h:?}");
        assert!(has("WeChatPay", "WeChat", How::Exact));
        assert!(has("QQ音乐", "QQ", How::Exact));
        assert!(has("我的QQMusic", "QQ", How::Exact));
        assert!(has("腾讯会议助手", "腾讯会议", How::Exact));
    }

    #[test]
    fn skeleton_marks() {
        assert!(has("Wechat 小助手", "WeChat", How::Skeleton));
        assert!(has("ＷｅＣｈａｔ工具", "WeChat", How::Skeleton));
        assert!(has("騰訊會議", "腾讯会议", How::Skeleton));
        assert!(has("微·信 群发", "微信", How::Skeleton));
        assert!(has("T-e-n-c-e-n-t", "Tencent", How::Skeleton));
        assert!(has("WеChat", "WeChat", How::Skeleton), "Cyrillic е");
        assert!(has("qq 群管家", "QQ", How::Skeleton));
        let h = lookalikes("用 微 信 登录", &marks(), norm());
        let wx = h
            .iter()
            .find(|h| h.mark == "微信")
            .map(|h| (h.start, h.end, h.text.as_str()));
        assert_eq!(wx, Some((2, 5, "微 信")));
    }

    #[test]
    fn sound_marks() {
        assert!(has("腾迅会议助手", "腾讯会议", How::Sound));
        assert!(has("疼讯", "腾讯", How::Sound));
        assert!(has("腾汛视频", "腾讯", How::Sound));
        assert!(has("weixin 助手", "微信", How::Sound));
        assert!(has("TengXun会议", "腾讯会议", How::Sound));
        assert!(has("腾xun", "腾讯", How::Sound));
        assert!(
            has("疼迅灰衣", "腾讯会议", How::Sound),
            "four syllables need no shared character"
        );
    }

    #[test]
    fn edit_marks() {
        assert!(has("Tencet Meeting", "Tencent", How::Edit));
        let h = lookalikes("Tencet Meeting", &marks(), norm());
        assert_eq!(h.first().map(|h| (h.start, h.end)), Some((0, 6)));
        assert!(has("wecha助手", "WeChat", How::Edit));
        assert!(has("Tencnet云", "Tencent", How::Edit));
        assert!(has("Tecent", "Tencent", How::Edit));
        assert!(has("Ten cet", "Tencent", How::Edit));
        assert!(has("Gogle Maps", "Google", How::Edit));
        assert!(has("讯腾会议", "腾讯会议", How::Edit));
        assert!(has("腾讯云会议", "腾讯会议", How::Edit));
    }

    #[test]
    fn no_false_positives() {
        for name in [
            "会议小助手",
            "Teams助手",
            "腾飞会议",
            "微型信贷",
            "文心一言",
            "Q音乐",
            "Quick Notes",
            "Tenant Portal",
            "Content Hub",
            "Chat助手",
            "资讯视频",
            "微支付",
            "weixing",
            "腾云",
            "",
            "   ",
            "Goggle",
        ] {
            assert_eq!(hits(name), Vec::new(), "{name}");
        }
    }

    #[test]
    fn hits_deduplicate_per_mark() {
        let h = lookalikes("腾讯会议", &marks(), norm());
        let ms: Vec<_> = h.iter().map(|h| (h.mark.as_str(), h.how)).collect();
        assert_eq!(ms, [("腾讯会议", How::Exact), ("腾讯", How::Exact)]);
        let json = serde_json::to_string(&h[0]).unwrap_or_default();
        assert!(json.contains("\"how\":\"exact\""), "{json}");
    }

    #[test]
    fn distance() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(osa(&c("tencent"), &c("tencnet")), 1);
        assert_eq!(osa(&c("tencent"), &c("tencet")), 1);
        assert_eq!(osa(&c("tencent"), &c("tenant")), 2);
        assert_eq!(osa(&c(""), &c("abc")), 3);
        assert_eq!(osa(&c("kitten"), &c("sitting")), 3);
    }

    #[test]
    fn similar_names() {
        let n = norm();
        let s = similarity("会议纪要助手", "会议纪要小助手", n);
        assert!(s >= 0.8, "{s}");
        assert!(similarity("会议纪要助手", "健身打卡", n) < 0.3);
        assert!(similarity("会议纪要助手", "天气预报", n) < 0.3);
        assert_eq!(similarity("會議紀要", "会议纪要", n), 1.0);
        assert!(similarity("腾迅会议", "腾讯会议", n) >= 0.85, "homophone");
        assert!(similarity("Tencent会议", "Zoom会议", n) < 0.5);
        assert_eq!(similarity("", "", n), 0.0);
        let catalog: Vec<String> = ["会议纪要小助手", "会议纪要", "天气预报", "会议纪要助手"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got = most_similar("会议纪要助手", &catalog, n, 0.6);
        let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["会议纪要助手", "会议纪要小助手", "会议纪要"]);
        assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn stuffing_checks() {
        let n = norm();
        let kw: Vec<String> = ["会议", "直播", "抽奖", "红包", "AI"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = stuffing("会议-直播-抽奖-红包", &kw, n);
        assert!(r.as_deref().is_some_and(|r| r.contains("热词")), "{r:?}");
        let r = stuffing("会议直播抽奖助手", &kw, n);
        assert!(r.as_deref().is_some_and(|r| r.contains("3个热词")), "{r:?}");
        let r = stuffing("签到|打卡|投票", &[], n);
        assert!(r.as_deref().is_some_and(|r| r.contains("分隔符")), "{r:?}");
        let r = stuffing("红包红包大放送", &kw, n);
        assert!(r.as_deref().is_some_and(|r| r.contains("重复")), "{r:?}");
        for clean in [
            "会议纪要助手",
            "直播会议",
            "腾讯会议-日程助手",
            "All-in-One Meeting",
            "会议助手（企业版）",
            "Mail会议",
            "",
        ] {
            assert_eq!(stuffing(clean, &kw, n), None, "{clean}");
        }
    }
}
