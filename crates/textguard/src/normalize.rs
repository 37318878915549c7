//! Normalisation that keeps offsets.
//!
//! [`Normalizer::compact`] turns a text into the compact channel: folded
//! characters with noise removed, repeats collapsed and split characters
//! joined, where every character remembers the span of original characters
//! (Unicode scalar offsets) it came from. [`Normalizer::sound`] turns a
//! compact channel into syllable symbols, with a map back to compact
//! characters. Lexicon terms go through the same functions, so a term and its
//! evasions meet in one normal form.

use std::collections::HashMap;

use pinyin::ToPinyin;

use crate::fold::Tables;

/// The compact channel of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compact {
    /// Folded characters.
    pub chars: Vec<char>,
    /// For each character, the original span `[start, end)` in chars.
    pub spans: Vec<(u32, u32)>,
    /// For each character, whether noise (a space, a symbol) preceded it.
    pub gap_before: Vec<bool>,
    /// The characters as a string.
    pub text: String,
    /// Byte offset in `text` of each character.
    pub bytes: Vec<u32>,
}

impl Compact {
    /// The characters as a string.
    pub fn as_string(&self) -> String {
        self.text.clone()
    }

    /// The character index of byte offset `b` of `text` (the end maps to
    /// the character count).
    pub fn char_index(&self, b: usize) -> usize {
        match self.bytes.binary_search(&(b as u32)) {
            Ok(i) => i,
            Err(i) => i,
        }
    }

    /// The original span covered by compact characters `[from, to)`.
    pub fn original_span(&self, from: usize, to: usize) -> (usize, usize) {
        let start = self.spans.get(from).map_or(0, |s| s.0 as usize);
        let end = to
            .checked_sub(1)
            .and_then(|i| self.spans.get(i))
            .map_or(start, |s| s.1 as usize);
        (start, end.max(start))
    }
}

/// The sound channel of a compact text: one symbol per syllable.
///
/// Each CJK character (and digit) becomes the symbol of its toneless pinyin
/// syllable; each run of Latin letters that segments into pinyin syllables
/// (`liuhecai` → liu·he·cai) becomes their symbols; anything else becomes a
/// separator that no pattern crosses. Symbols are private-use characters, so
/// a character-wise automaton matches sound patterns over a small alphabet.
#[derive(Debug, Clone, Default)]
pub struct Sound {
    /// Symbols as a string.
    pub text: String,
    /// Byte offset of each symbol in `text`.
    pub bytes: Vec<u32>,
    /// Compact-character span `[start, end)` of each symbol.
    pub spans: Vec<(u32, u32)>,
}

impl Sound {
    /// The symbol index of byte offset `b` of `text`.
    pub fn index(&self, b: usize) -> usize {
        match self.bytes.binary_search(&(b as u32)) {
            Ok(i) | Err(i) => i,
        }
    }
}

/// The separator symbol.
const SEPARATOR: char = '\u{e000}';

/// Toneless pinyin of a digit, so `6合彩` still sounds `liuhecai`.
fn digit_pinyin(c: char) -> Option<&'static str> {
    Some(match c {
        '0' => "ling",
        '1' => "yi",
        '2' => "er",
        '3' => "san",
        '4' => "si",
        '5' => "wu",
        '6' => "liu",
        '7' => "qi",
        '8' => "ba",
        '9' => "jiu",
        _ => return None,
    })
}

/// Syllable ids: every toneless pinyin syllable gets a private-use symbol.
#[derive(Debug, Clone)]
struct Syllables {
    /// BMP character → symbol id (0: none).
    of_char: Vec<u16>,
    /// Syllable text → symbol id.
    by_text: HashMap<&'static str, u16>,
    /// Longest syllable, in letters.
    longest: usize,
}

impl Syllables {
    fn build() -> Syllables {
        let mut by_text: HashMap<&'static str, u16> = HashMap::new();
        let mut of_char = vec![0u16; 0x10000];
        let id = |t: &'static str, by_text: &mut HashMap<&'static str, u16>| {
            let next = by_text.len() as u16 + 1;
            *by_text.entry(t).or_insert(next)
        };
        for d in '0'..='9' {
            if let Some(p) = digit_pinyin(d) {
                of_char[d as usize] = id(p, &mut by_text);
            }
        }
        for u in 0x3400u32..0xa000 {
            if let Some(c) = char::from_u32(u) {
                if let Some(p) = c.to_pinyin() {
                    of_char[u as usize] = id(p.plain(), &mut by_text);
                }
            }
        }
        let longest = by_text.keys().map(|k| k.len()).max().unwrap_or(6);
        Syllables {
            of_char,
            by_text,
            longest,
        }
    }

    fn symbol(id: u16) -> char {
        char::from_u32(0xe000 + u32::from(id)).unwrap_or(SEPARATOR)
    }

    /// Splits a run of Latin letters into the fewest pinyin syllables;
    /// `None` if it does not segment.
    fn segment(&self, letters: &[char]) -> Option<Vec<(u16, usize, usize)>> {
        let n = letters.len();
        if n > 64 {
            return None;
        }
        let text: String = letters.iter().collect();
        // best[i]: (syllables, cut, symbol) of the best split of letters[..i].
        let mut best: Vec<Option<(usize, usize, u16)>> = vec![None; n + 1];
        best[0] = Some((0, 0, 0));
        for i in 0..n {
            let Some((count, _, _)) = best[i] else {
                continue;
            };
            for len in 1..=self.longest.min(n - i) {
                let Some(piece) = text.get(i..i + len) else {
                    continue;
                };
                if let Some(&sym) = self.by_text.get(piece) {
                    if best[i + len].is_none_or(|(c, _, _)| count + 1 < c) {
                        best[i + len] = Some((count + 1, i, sym));
                    }
                }
            }
        }
        best[n]?;
        let mut out = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start, sym) = best[end]?;
            out.push((sym, start, end));
            end = start;
        }
        out.reverse();
        Some(out)
    }
}

/// Folding plus the split-character table.
#[derive(Debug, Clone)]
pub struct Normalizer {
    tables: Tables,
    /// First component → (remaining components, joined character), longest first.
    chaizi: HashMap<char, Vec<(Vec<char>, char)>>,
    /// Whether a BMP character starts some split-character sequence.
    chaizi_first: Vec<bool>,
    syllables: Syllables,
}

impl Normalizer {
    /// Builds a normaliser from folding tables and split-character pairs
    /// (`"氵去"` → `'法'`); the components are folded like any text.
    pub fn new(tables: Tables, chaizi: &[(String, char)]) -> Normalizer {
        let mut map: HashMap<char, Vec<(Vec<char>, char)>> = HashMap::new();
        for (parts, joined) in chaizi {
            let mut folded = Vec::new();
            for c in parts.chars() {
                tables.compact_each(c, |x| folded.push(x));
            }
            let mut joined_folded = Vec::new();
            tables.compact_each(*joined, |x| joined_folded.push(x));
            if folded.len() < 2 || joined_folded.len() != 1 {
                continue;
            }
            map.entry(folded[0])
                .or_default()
                .push((folded[1..].to_vec(), joined_folded[0]));
        }
        let mut first = vec![false; 0x10000];
        for (k, v) in map.iter_mut() {
            v.sort_by_key(|x| std::cmp::Reverse(x.0.len()));
            if let Some(f) = first.get_mut(*k as usize) {
                *f = true;
            }
        }
        Normalizer {
            tables,
            chaizi: map,
            chaizi_first: first,
            syllables: Syllables::build(),
        }
    }

    /// The folding tables.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The light channel: one folded character per original character.
    pub fn light(&self, text: &str) -> Vec<char> {
        text.chars().map(|c| self.tables.light(c)).collect()
    }

    /// The compact channel of `text`.
    pub fn compact(&self, text: &str) -> Compact {
        let mut out = Compact::default();
        self.compact_into(text, &mut Vec::new(), &mut out);
        out
    }

    /// The compact channel of `text` into `out`, reusing its buffers and the
    /// scratch vector `folded` (no allocation once they are large enough).
    pub fn compact_into(
        &self,
        text: &str,
        folded: &mut Vec<(char, u32, u32, bool)>,
        out: &mut Compact,
    ) {
        // 1. fold, drop noise, remember gaps.
        folded.clear();
        let mut gap = false;
        for (i, c) in text.chars().enumerate() {
            let i = i as u32;
            let before = folded.len();
            self.tables
                .compact_each(c, |x| folded.push((x, i, i + 1, false)));
            if folded.len() == before {
                gap = true;
            } else {
                if gap {
                    folded[before].3 = true;
                }
                gap = false;
            }
        }
        // 2. join split characters, 3. collapse repeats.
        out.chars.clear();
        out.spans.clear();
        out.gap_before.clear();
        out.text.clear();
        out.bytes.clear();
        let mut i = 0;
        while i < folded.len() {
            let (mut c, start, mut end, gap) = folded[i];
            let mut next = i + 1;
            let maybe = self.chaizi_first.get(c as usize).copied().unwrap_or(true);
            if let Some(cands) = maybe.then(|| self.chaizi.get(&c)).flatten() {
                for (rest, joined) in cands {
                    let fits = rest.len() + i < folded.len()
                        && rest
                            .iter()
                            .enumerate()
                            .all(|(k, r)| folded[i + 1 + k].0 == *r);
                    if fits {
                        c = *joined;
                        end = folded[i + rest.len()].2;
                        next = i + 1 + rest.len();
                        break;
                    }
                }
            }
            match out.chars.last() {
                Some(&last) if last == c => {
                    if let Some(s) = out.spans.last_mut() {
                        s.1 = end;
                    }
                }
                _ => {
                    out.bytes.push(out.text.len() as u32);
                    out.text.push(c);
                    out.chars.push(c);
                    out.spans.push((start, end));
                    out.gap_before.push(gap);
                }
            }
            i = next;
        }
    }

    /// The compact form of a lexicon term, as a string.
    pub fn term(&self, term: &str) -> String {
        self.compact(term).as_string()
    }

    /// The sound channel of a compact text.
    pub fn sound(&self, compact: &Compact) -> Sound {
        let mut out = Sound::default();
        self.sound_into(compact, &mut out);
        out
    }

    /// The sound channel of a compact text into `out`, reusing its buffers.
    pub fn sound_into(&self, compact: &Compact, out: &mut Sound) {
        let n = compact.chars.len();
        out.text.clear();
        out.bytes.clear();
        out.spans.clear();
        let push = |sym: char, a: usize, b: usize, out: &mut Sound| {
            out.bytes.push(out.text.len() as u32);
            out.text.push(sym);
            out.spans.push((a as u32, b as u32));
        };
        let mut i = 0;
        while i < n {
            let c = compact.chars[i];
            if c.is_ascii_lowercase() {
                // A Latin run ends at a non-letter or where the original had noise.
                let mut j = i + 1;
                while j < n && compact.chars[j].is_ascii_lowercase() && !compact.gap_before[j] {
                    j += 1;
                }
                match self.syllables.segment(&compact.chars[i..j]) {
                    Some(parts) => {
                        for (sym, a, b) in parts {
                            push(Syllables::symbol(sym), i + a, i + b, out);
                        }
                    }
                    None => push(SEPARATOR, i, j, out),
                }
                i = j;
                continue;
            }
            let id = self.syllables.of_char.get(c as usize).copied().unwrap_or(0);
            let sym = if id == 0 {
                SEPARATOR
            } else {
                Syllables::symbol(id)
            };
            push(sym, i, i + 1, out);
            i += 1;
        }
    }

    /// The sound pattern of a term (already compact) and its syllable count,
    /// or `None` if some part of it has no reading.
    pub fn term_sound(&self, norm: &str) -> Option<(String, usize)> {
        let c = self.compact(norm);
        let s = self.sound(&c);
        if s.text.is_empty() || s.text.contains(SEPARATOR) {
            return None;
        }
        let n = s.spans.len();
        Some((s.text, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normalizer {
        Normalizer::new(
            Tables::build(HashMap::new()),
            &[("氵去".to_string(), '法'), ("弓长".to_string(), '张')],
        )
    }

    #[test]
    fn spans_point_at_the_original() {
        let n = norm();
        let text = "买 賭**賭博 吧";
        let c = n.compact(text);
        assert_eq!(c.as_string(), "买赌博吧");
        // 赌 comes from 賭**賭 (chars 2..6), 博 from char 6.
        assert_eq!(c.spans[1], (2, 6));
        assert_eq!(c.spans[2], (6, 7));
        assert_eq!(c.original_span(1, 3), (2, 7));
        assert_eq!(c.gap_before, [false, true, false, true]);
    }

    #[test]
    fn split_characters_join() {
        let n = norm();
        let c = n.compact("非氵去集资");
        assert_eq!(c.as_string(), "非法集资");
        assert_eq!(c.spans[1], (1, 3));
    }

    #[test]
    fn sound_channel_maps_back() {
        let n = norm();
        let c = n.compact("买六和彩");
        let s = n.sound(&c);
        assert_eq!(s.spans, [(0, 1), (1, 2), (2, 3), (3, 4)]);
        let (pat, syllables) = n.term_sound("6合彩").unwrap();
        assert_eq!(syllables, 3);
        assert_eq!(s.text.chars().skip(1).collect::<String>(), pat);
        let c = n.compact("play liuhecai now");
        let s = n.sound(&c);
        let sym: String = s.text.chars().skip(1).take(3).collect();
        assert_eq!(sym, n.term_sound("六合彩").unwrap().0);
        assert_eq!(s.spans[1], (4, 7));
        let c = n.compact("qualiuhecaix");
        assert_eq!(n.sound(&c).spans.len(), 1, "one unsegmentable run");
    }
}
