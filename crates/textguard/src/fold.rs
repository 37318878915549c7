//! Per-character folding tables, built once per process.
//!
//! Folding is per character so that every output character keeps the span of
//! the input character it came from. Two tables are built for the Basic
//! Multilingual Plane (where nearly all Chinese text lives); characters above
//! it are folded on the fly by the same function.
//!
//! - **light** folds one character to exactly one: NFKC when that yields a
//!   single character (full-width `１` → `1`, `＠` → `@`), then lower case.
//!   Detectors run on it, so their offsets are the original offsets.
//! - **compact** folds one character to zero, one or several: NFKC, lower
//!   case, Unicode confusable prototypes for non-ASCII letters (Cyrillic `а`
//!   → `a`), traditional → simplified (OpenCC's character table), Chinese and
//!   financial numerals → digits, the look-alike table, and noise
//!   (punctuation, symbols, spaces, control, zero-width, emoji) → nothing.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// What one character folds to in the compact channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fold {
    /// Noise: dropped.
    Drop,
    /// One character.
    One(char),
    /// Several characters (`⑴` → `1`, `ﬁ` → `fi`).
    Many(Box<[char]>),
}

/// Chinese numerals, financial numerals and variants → ASCII digits.
fn numeral(c: char) -> Option<char> {
    Some(match c {
        '〇' | '零' => '0',
        '一' | '壹' | '幺' => '1',
        '二' | '贰' | '貳' | '两' | '兩' => '2',
        '三' | '叁' | '參' => '3',
        '四' | '肆' => '4',
        '五' | '伍' => '5',
        '六' | '陆' | '陸' => '6',
        '七' | '柒' => '7',
        '八' | '捌' => '8',
        '九' | '玖' => '9',
        _ => return None,
    })
}

/// Whether `c` is a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}')
}

fn lower(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// The UTS 39 prototype of a confusable letter when it is one ASCII letter
/// or digit (Cyrillic `М` → `M`, Greek `Κ` → `K`).
fn confusable(c: char) -> Option<char> {
    let mut buf = [0; 4];
    let mut sk = unicode_security::skeleton(c.encode_utf8(&mut buf));
    match (sk.next(), sk.next()) {
        (Some(x), None) if x.is_ascii_alphanumeric() => Some(x),
        _ => None,
    }
}

/// The light fold of one character (one in, one out): NFKC when it yields
/// one character, a confusable letter's ASCII prototype, lower case.
pub fn light_slow(c: char) -> char {
    let mut n = std::iter::once(c).nfkc();
    let single = match (n.next(), n.next()) {
        (Some(x), None) => x,
        _ => c,
    };
    let single = if !single.is_ascii() && single.is_alphabetic() && !is_cjk(single) {
        confusable(single).unwrap_or(single)
    } else {
        single
    };
    lower(single)
}

/// Folding tables: light and compact, plus the traditional → simplified map
/// and the look-alike map they were built from.
#[derive(Debug, Clone)]
pub struct Tables {
    light: Vec<char>,
    compact: Vec<Fold>,
    t2s: HashMap<char, char>,
    lookalike: HashMap<char, char>,
}

impl Tables {
    /// Builds the tables with a look-alike map (`lexicons/lookalike.tsv`).
    pub fn build(lookalike: HashMap<char, char>) -> Tables {
        let t2s = t2s_table();
        let mut t = Tables {
            light: Vec::with_capacity(0x10000),
            compact: Vec::with_capacity(0x10000),
            t2s,
            lookalike,
        };
        for u in 0u32..0x10000 {
            let c = char::from_u32(u).unwrap_or('\u{fffd}');
            t.light.push(light_slow(c));
            let f = t.compact_slow(c);
            t.compact.push(f);
        }
        t
    }

    /// The light fold of `c`.
    #[inline]
    pub fn light(&self, c: char) -> char {
        match self.light.get(c as usize) {
            Some(&l) => l,
            None => light_slow(c),
        }
    }

    /// The compact fold of `c`.
    #[inline]
    pub fn compact(&self, c: char) -> Fold {
        match self.compact.get(c as usize) {
            Some(f) => f.clone(),
            None => self.compact_slow(c),
        }
    }

    /// Calls `f` with every character `c` folds to in the compact channel.
    #[inline]
    pub fn compact_each(&self, c: char, mut f: impl FnMut(char)) {
        match self.compact.get(c as usize) {
            Some(Fold::One(x)) => f(*x),
            Some(Fold::Drop) => {}
            Some(Fold::Many(xs)) => xs.iter().for_each(|x| f(*x)),
            None => match self.compact_slow(c) {
                Fold::One(x) => f(x),
                Fold::Drop => {}
                Fold::Many(xs) => xs.iter().for_each(|x| f(*x)),
            },
        }
    }

    fn one(&self, c: char) -> Option<char> {
        // The look-alike table first: many look-alikes (CJK radicals such as
        // ⻢ for 马) are symbols that would otherwise be dropped as noise.
        let c = self.lookalike.get(&c).copied().unwrap_or(c);
        if !c.is_alphanumeric() {
            return None;
        }
        let c = if !c.is_ascii() && !is_cjk(c) {
            confusable(c).unwrap_or(c)
        } else {
            c
        };
        let c = lower(c);
        let c = self.t2s.get(&c).copied().unwrap_or(c);
        let c = self.lookalike.get(&c).copied().unwrap_or(c);
        Some(numeral(c).unwrap_or(c))
    }

    fn compact_slow(&self, c: char) -> Fold {
        let out: Vec<char> = std::iter::once(c)
            .nfkc()
            .filter_map(|x| self.one(x))
            .collect();
        match out.as_slice() {
            [] => Fold::Drop,
            [x] => Fold::One(*x),
            _ => Fold::Many(out.into_boxed_slice()),
        }
    }
}

/// OpenCC's traditional → simplified character table, read through
/// `ferrous-opencc` by converting every CJK character of the BMP in one call
/// (one per line, so phrase rules cannot join them).
fn t2s_table() -> HashMap<char, char> {
    let mut map = HashMap::new();
    let Ok(cc) = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
    else {
        return map;
    };
    let chars: Vec<char> = ('\u{3400}'..='\u{9fff}')
        .chain('\u{f900}'..='\u{faff}')
        .filter(|c| is_cjk(*c))
        .collect();
    let mut input = String::with_capacity(chars.len() * 4);
    for c in &chars {
        input.push(*c);
        input.push('\n');
    }
    let output = cc.convert(&input);
    for (from, to) in chars.iter().zip(output.split('\n')) {
        let mut it = to.chars();
        if let (Some(s), None) = (it.next(), it.next()) {
            if s != *from {
                map.insert(*from, s);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(t: &Tables, s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            t.compact_each(c, |x| out.push(x));
        }
        out
    }

    #[test]
    fn folds() {
        let t = Tables::build(HashMap::from([('氺', '水'), ('⻢', '马')]));
        assert_eq!(compact(&t, "ＡＢＣ１２３"), "abc123");
        assert_eq!(compact(&t, "賭博"), "赌博");
        assert_eq!(compact(&t, "六合彩"), "6合彩");
        assert_eq!(compact(&t, "陆合彩"), "6合彩");
        assert_eq!(compact(&t, "①⑴㈠"), "111");
        assert_eq!(compact(&t, "赌 * 博\u{200b}!"), "赌博");
        assert_eq!(compact(&t, "𝐀𝐁"), "ab");
        assert_eq!(compact(&t, "аpple"), "apple", "Cyrillic а");
        assert_eq!(compact(&t, "МDМА Κ"), "mdmak", "Cyrillic М, Greek Κ");
        assert_eq!(t.light('х'), 'x', "Cyrillic х in the light channel");
        assert_eq!(t.light('中'), '中');
        assert_eq!(compact(&t, "氺"), "水");
        assert_eq!(
            compact(&t, "赌⻢"),
            "赌马",
            "a radical look-alike is not noise"
        );
        assert_eq!(compact(&t, "😀赌"), "赌");
        assert_eq!(t.light('Ｑ'), 'q');
        assert_eq!(t.light('⑴'), '⑴', "light stays one-to-one");
        assert_eq!(t.light('１'), '1');
    }
}
