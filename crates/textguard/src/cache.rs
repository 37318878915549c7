//! A compiled lexicon as bytes, so a large lexicon starts without rebuilding
//! its automata.
//!
//! The cache holds what is expensive to compute (the automata, the parsed
//! entries and their pattern roles) and is keyed by the lexicon version (a
//! hash of every source file and the crate version) and the rulebook version.
//! The folding tables, the policy and the cue words are rebuilt from the
//! sources at load: that takes milliseconds.

use std::path::{Path, PathBuf};

use crate::lexicon::{Category, Entry, Pattern, Scene, Severity};

const MAGIC: &[u8; 8] = b"BYLAWTG\x02";

/// Why a cache could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Not a cache file, or from another version of the data.
    #[error("stale or foreign cache: {0}")]
    Stale(&'static str),
    /// The bytes end early or hold an impossible value.
    #[error("corrupt cache: {0}")]
    Corrupt(&'static str),
}

/// Appends values in a fixed little-endian layout.
#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub(crate) fn strs(&mut self, v: &[String]) {
        self.u32(v.len() as u32);
        for s in v {
            self.str(s);
        }
    }
}

/// Reads what [`Writer`] wrote, never panicking on bad bytes.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], CacheError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(CacheError::Corrupt("length"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(CacheError::Corrupt("truncated"))?;
        self.pos = end;
        Ok(s)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, CacheError> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32, CacheError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], CacheError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub(crate) fn str(&mut self) -> Result<&'a str, CacheError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| CacheError::Corrupt("utf-8"))
    }
    pub(crate) fn strs(&mut self) -> Result<Vec<String>, CacheError> {
        let n = self.u32()? as usize;
        (0..n).map(|_| self.str().map(str::to_string)).collect()
    }
}

/// FNV-1a 64 of a byte slice.
fn checksum(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Seals the bytes with a checksum, so a damaged file is never trusted: the
/// automata are only deserialised from bytes that are exactly as written.
pub(crate) fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// Checks and strips the checksum.
pub(crate) fn unseal(bytes: &[u8]) -> Result<&[u8], CacheError> {
    let n = bytes
        .len()
        .checked_sub(8)
        .ok_or(CacheError::Corrupt("truncated"))?;
    let (body, sum) = bytes.split_at(n);
    let mut b = [0u8; 8];
    b.copy_from_slice(sum);
    if checksum(body) != u64::from_le_bytes(b) {
        return Err(CacheError::Corrupt("checksum"));
    }
    Ok(body)
}

/// Writes the header.
pub(crate) fn header(w: &mut Writer, version: &str, rulebook: &str) {
    w.0.extend_from_slice(MAGIC);
    w.str(version);
    w.str(rulebook);
}

/// Checks the header against the expected versions.
pub(crate) fn check_header(
    r: &mut Reader<'_>,
    version: &str,
    rulebook: &str,
) -> Result<(), CacheError> {
    if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
        return Err(CacheError::Stale("not a textguard cache of this format"));
    }
    if r.str()? != version {
        return Err(CacheError::Stale("lexicon version differs"));
    }
    if r.str()? != rulebook {
        return Err(CacheError::Stale("rulebook version differs"));
    }
    Ok(())
}

pub(crate) fn write_entry(w: &mut Writer, e: &Entry) {
    w.str(&e.term);
    match &e.pattern {
        Pattern::Term(_) => w.u8(0),
        Pattern::Cooccur { all, none, within } => {
            w.u8(1);
            w.strs(all);
            w.strs(none);
            w.u32(within.unwrap_or(u32::MAX));
        }
    }
    w.u8(Category::ALL
        .iter()
        .position(|c| *c == e.category)
        .unwrap_or(0) as u8);
    w.u8(matches!(e.severity, Severity::Block) as u8);
    w.str(e.rule.as_deref().unwrap_or(""));
    w.u8(match e.pinyin {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    });
    w.u8(e.scenes.len() as u8);
    for s in &e.scenes {
        w.u8(Scene::ALL.iter().position(|x| x == s).unwrap_or(0) as u8);
    }
    w.str(&e.origin);
}

pub(crate) fn read_entry(r: &mut Reader<'_>) -> Result<Entry, CacheError> {
    let term = r.str()?.to_string();
    let pattern = match r.u8()? {
        0 => Pattern::Term(term.clone()),
        1 => {
            let all = r.strs()?;
            let none = r.strs()?;
            let w = r.u32()?;
            Pattern::Cooccur {
                all,
                none,
                within: (w != u32::MAX).then_some(w),
            }
        }
        _ => return Err(CacheError::Corrupt("pattern tag")),
    };
    let category = *Category::ALL
        .get(r.u8()? as usize)
        .ok_or(CacheError::Corrupt("category"))?;
    let severity = if r.u8()? == 1 {
        Severity::Block
    } else {
        Severity::Review
    };
    let rule = Some(r.str()?.to_string()).filter(|s| !s.is_empty());
    let pinyin = match r.u8()? {
        0 => None,
        1 => Some(true),
        _ => Some(false),
    };
    let n = r.u8()? as usize;
    let scenes = (0..n)
        .map(|_| {
            r.u8().and_then(|i| {
                Scene::ALL
                    .get(i as usize)
                    .copied()
                    .ok_or(CacheError::Corrupt("scene"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let origin = r.str()?.to_string();
    Ok(Entry {
        term,
        pattern,
        category,
        severity,
        rule,
        pinyin,
        scenes,
        origin,
    })
}

/// The cache file for a lexicon and rulebook version under `dir`.
pub fn cache_path(dir: &Path, version: &str, rulebook: &str) -> PathBuf {
    dir.join(format!("textguard-{version}-{rulebook}.bin"))
}

/// The default cache directory: `$BYLAW_CACHE`, else `$XDG_CACHE_HOME/bylaw`,
/// else `~/.cache/bylaw`, else the system temporary directory.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BYLAW_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("bylaw");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("bylaw");
    }
    std::env::temp_dir().join("bylaw")
}
