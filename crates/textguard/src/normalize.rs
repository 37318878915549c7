//! Normalisation that keeps offsets.
//!
//! [`Normalizer::compact`] turns a text into the compact channel: folded
//! characters with noise removed, repeats collapsed and split characters
//! joined, where every character remembers the span of original characters
//! (Unicode scalar offsets) it came from. [`Normalizer::pinyin`] turns a
//! compact channel into its toneless pinyin, with a map back to compact
//! characters. Lexicon terms go through the same functions, so a term and its
//! evasions meet in one normal form.

use std::collections::HashMap;

use pinyin::ToPinyin;

use crate::fold::{is_cjk, Tables};

/// The compact channel of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compact {
    /// Folded characters.
    pub chars: Vec<char>,
    /// For each character, the original span `[start, end)` in chars.
    pub spans: Vec<(u32, u32)>,
    /// For each character, whether noise (a space, a symbol) preceded it.
    pub gap_before: Vec<bool>,
}

impl Compact {
    /// The characters as a string.
    pub fn as_string(&self) -> String {
        self.chars.iter().collect()
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

/// The pinyin channel of a compact text.
#[derive(Debug, Clone, Default)]
pub struct Pinyin {
    /// ASCII letters and digits.
    pub text: String,
    /// For each byte of `text` that starts a compact character, its index;
    /// `u32::MAX` elsewhere. One extra entry marks the end.
    pub starts: Vec<u32>,
}

/// Toneless pinyin of a digit, so `6合彩` still reads `liuhecai`.
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

/// The pinyin syllable of one compact character, or the character itself
/// for Latin letters; `None` for anything else.
pub fn syllable(c: char) -> Option<Syllable> {
    if c.is_ascii_lowercase() {
        return Some(Syllable::Letter(c));
    }
    if let Some(p) = digit_pinyin(c) {
        return Some(Syllable::Sound(p));
    }
    if is_cjk(c) {
        return c.to_pinyin().map(|p| Syllable::Sound(p.plain()));
    }
    None
}

/// What a compact character reads as in the pinyin channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syllable {
    /// A Latin letter, kept as typed.
    Letter(char),
    /// The toneless pinyin of a character or digit.
    Sound(&'static str),
}

/// Folding plus the split-character table.
#[derive(Debug, Clone)]
pub struct Normalizer {
    tables: Tables,
    /// First component → (remaining components, joined character), longest first.
    chaizi: HashMap<char, Vec<(Vec<char>, char)>>,
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
        for v in map.values_mut() {
            v.sort_by(|a, b| b.0.len().cmp(&a.0.len()));
        }
        Normalizer {
            tables,
            chaizi: map,
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
        // 1. fold, drop noise, remember gaps.
        let mut folded: Vec<(char, u32, u32, bool)> = Vec::with_capacity(text.len() / 2);
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
        let mut out = Compact {
            chars: Vec::with_capacity(folded.len()),
            spans: Vec::with_capacity(folded.len()),
            gap_before: Vec::with_capacity(folded.len()),
        };
        let mut i = 0;
        while i < folded.len() {
            let (mut c, start, mut end, gap) = folded[i];
            let mut next = i + 1;
            if let Some(cands) = self.chaizi.get(&c) {
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
                    out.chars.push(c);
                    out.spans.push((start, end));
                    out.gap_before.push(gap);
                }
            }
            i = next;
        }
        out
    }

    /// The compact form of a lexicon term, as a string.
    pub fn term(&self, term: &str) -> String {
        self.compact(term).as_string()
    }

    /// The pinyin channel of a compact text.
    pub fn pinyin(&self, compact: &Compact) -> Pinyin {
        let mut p = Pinyin {
            text: String::with_capacity(compact.chars.len() * 4),
            starts: Vec::with_capacity(compact.chars.len() * 4 + 1),
        };
        for (i, &c) in compact.chars.iter().enumerate() {
            let before = p.text.len();
            match syllable(c) {
                Some(Syllable::Letter(l)) => p.text.push(l),
                Some(Syllable::Sound(s)) => p.text.push_str(s),
                None => p.text.push('\u{1}'),
            }
            p.starts.push(i as u32);
            for _ in before + 1..p.text.len() {
                p.starts.push(u32::MAX);
            }
        }
        p.starts.push(compact.chars.len() as u32);
        p
    }

    /// The pinyin of a term (syllables concatenated) and its syllable count,
    /// or `None` if some character has no reading.
    pub fn term_pinyin(&self, norm: &str) -> Option<(String, usize)> {
        let mut out = String::new();
        let mut n = 0;
        for c in norm.chars() {
            match syllable(c)? {
                Syllable::Letter(l) => out.push(l),
                Syllable::Sound(s) => {
                    out.push_str(s);
                    n += 1;
                }
            }
        }
        Some((out, n))
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
    fn pinyin_channel_maps_back() {
        let n = norm();
        let c = n.compact("六和彩");
        let p = n.pinyin(&c);
        assert_eq!(p.text, "liuhecai");
        assert_eq!(p.starts[0], 0);
        assert_eq!(p.starts[3], 1);
        assert_eq!(p.starts[5], 2);
        assert_eq!(*p.starts.last().unwrap(), 3);
        assert_eq!(n.term_pinyin("6合彩"), Some(("liuhecai".into(), 3)));
    }
}
