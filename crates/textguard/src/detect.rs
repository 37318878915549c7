//! Detectors for contact details and personal identifiers (phone numbers,
//! WeChat / QQ ids, URLs, e-mail, resident ID numbers, bank cards).
//!
//! # Why these are code and not lexicon entries
//!
//! A lexicon can list words, but it cannot list every phone number. What the
//! seeds forbid here (`wecom-account/3.5.11.5`: diversion through ids, links
//! and numbers; personal data in public places) is a *shape*: eleven digits
//! that start with `1[3-9]`, a domain that ends in a real TLD, a number that
//! passes a checksum. Each detector recognises one shape, and the evasions
//! people use to hide it from naive filters:
//!
//! * digits broken up by separators, emoji or invisible characters
//!   (`138-1234 5678`, `1🌸3🌸8…`, zero-width spaces) or written as Chinese
//!   numerals (`一三八`, `壹叁捌`, `幺` for 1);
//! * dots disguised as `。`, `点`, `dot`, `[.]` and at-signs as `#`, `艾特`,
//!   `(at)`;
//! * Cyrillic or Greek look-alikes of Latin letters in ids, domains and
//!   addresses (`vх`, `luckу88.com` with Cyrillic х, у).
//!
//! # Why the rules are this strict
//!
//! Every evasion we accept widens the door for false positives, and a
//! content-safety engine that flags order numbers, prices, dates or the word
//! 第一 is worse than useless. So each detector checks the *context* of a
//! candidate, not just its digits:
//!
//! * a number never matches inside a longer run of digits (order numbers, ID
//!   numbers and card numbers contain phone-shaped substrings);
//! * a number assembled from separated groups is rejected when the same
//!   separator also joins it to more digits (`6222 0213 1381 2345 678` is a
//!   card, not a phone), unless the whole run splits cleanly into numbers;
//! * lists, thousands groupings and IP addresses are recognised and skipped;
//! * disguised dots only count before the TLDs that spam actually uses, and
//!   only after a label with a letter in it (`8点live` is a time, not a link);
//! * resident IDs must carry a real date and a valid MOD 11-2 check digit,
//!   bank cards a real issuer prefix and a valid Luhn digit; Chinese numerals
//!   count as their digits only when the whole run of numerals does (the run
//!   in `一二三四五六七八九十` ends in 十, so it is counting, not a number);
//! * look-alike letters are read as Latin only inside a token that also has
//!   real Latin letters: Russian or Greek words stay what they are.
//!
//! # Contract
//!
//! Input is the engine's *light* channel: one folded character per original
//! character, so offsets are offsets of the original text. The detectors fold
//! once more on their own (full-width ASCII → ASCII, ASCII lower case, and
//! per detector digits → ASCII digits or look-alike letters → Latin, all
//! one to one), so they also behave on raw text. Every function runs in time linear in the
//! input (each inner scan is bounded by a small constant), never panics, and
//! returns non-overlapping spans sorted by start.

/// A detector hit: char offsets into the input slice, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First character of the hit.
    pub start: usize,
    /// One past the last character of the hit.
    pub end: usize,
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Folds full-width ASCII to ASCII and ASCII to lower case (one to one).
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// The input folded one to one, so indices stay the caller's indices.
fn folded(light: &[char]) -> Vec<char> {
    light.iter().map(|&c| fold(c)).collect()
}

/// The ASCII letter (lower case) that a Cyrillic or Greek letter is drawn
/// like, if any.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' | 'Ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'Ε' => 'e',
        'н' | 'Н' | 'һ' | 'Һ' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' => 'i',
        'ј' | 'Ј' | 'ϳ' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'υ' => 'u',
        'ν' | 'ѵ' | 'Ѵ' => 'v',
        'ԝ' | 'Ԝ' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'ү' | 'Ү' | 'Υ' => 'y',
        'Ζ' => 'z',
        _ => return None,
    })
}

/// Characters of a token that may be a spoofed id, domain or address:
/// ASCII letters and digits, `_ - . @`, and Cyrillic or Greek letters.
fn is_token_char(c: char) -> bool {
    is_alnum(c)
        || matches!(c, '_' | '-' | '.' | '@')
        || (c.is_alphabetic()
            && matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{052F}' | '\u{1F00}'..='\u{1FFF}'))
}

/// The input folded as by [`folded`], with Cyrillic and Greek look-alikes of
/// Latin letters replaced by those letters (one to one) inside tokens that
/// mix them with real Latin letters (`vх`, `luckу88.com`). A token written
/// wholly in Cyrillic or Greek, or holding a letter with no Latin twin, is
/// prose and stays as it is.
fn folded_latin(light: &[char]) -> Vec<char> {
    let mut t = folded(light);
    let n = t.len();
    let mut i = 0;
    while i < n {
        if !is_token_char(t[i]) {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && is_token_char(t[i]) {
            i += 1;
        }
        let run = &mut t[s..i];
        let latin = run.iter().any(char::is_ascii_alphabetic);
        let foreign = run.iter().filter(|c| !c.is_ascii()).count();
        let twins = run
            .iter()
            .filter(|&&c| latin_lookalike(c).is_some())
            .count();
        if latin && foreign > 0 && twins == foreign {
            for c in run.iter_mut() {
                if let Some(l) = latin_lookalike(*c) {
                    *c = l;
                }
            }
        }
    }
    t
}

/// Sorts spans and keeps a non-overlapping subset (earliest first, then
/// longest), dropping empty ones.
fn finish(mut v: Vec<Span>) -> Vec<Span> {
    v.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(v.len());
    for s in v {
        if s.start >= s.end {
            continue;
        }
        match out.last() {
            Some(l) if s.start < l.end => {}
            _ => out.push(s),
        }
    }
    out
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn at(t: &[char], i: usize) -> Option<char> {
    t.get(i).copied()
}

/// Whether `t[i..]` starts with the ASCII/Unicode string `s`.
fn starts_with(t: &[char], i: usize, s: &str) -> bool {
    (i..).zip(s.chars()).all(|(k, c)| at(t, k) == Some(c))
}

/// The written style of a digit: Arabic (incl. circled and styled digits) or
/// a Chinese numeral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Arabic,
    Han,
}

/// The value and style of a digit character, Chinese numerals included.
fn digit(c: char) -> Option<(u8, Kind)> {
    use Kind::{Arabic, Han};
    let u = c as u32;
    let arabic = |v: u32| Some(((v % 10) as u8, Arabic));
    match c {
        '0'..='9' => arabic(u - '0' as u32),
        // ① … ⑨, ⑴ … ⑼, ⒈ … ⒐
        '\u{2460}'..='\u{2468}' => arabic(u - 0x2460 + 1),
        '\u{2474}'..='\u{247C}' => arabic(u - 0x2474 + 1),
        '\u{2488}'..='\u{2490}' => arabic(u - 0x2488 + 1),
        '\u{24EA}' => arabic(0),
        // ⓵ … ⓽, ❶ … ❾, ➀ … ➈, ➊ … ➒
        '\u{24F5}'..='\u{24FD}' => arabic(u - 0x24F5 + 1),
        '\u{2776}'..='\u{277E}' => arabic(u - 0x2776 + 1),
        '\u{2780}'..='\u{2788}' => arabic(u - 0x2780 + 1),
        '\u{278A}'..='\u{2792}' => arabic(u - 0x278A + 1),
        // Mathematical bold / double-struck / sans-serif / monospace digits.
        '\u{1D7CE}'..='\u{1D7FF}' => arabic(u - 0x1D7CE),
        '〇' | '零' | '○' => Some((0, Han)),
        '一' | '壹' | '幺' | '弌' => Some((1, Han)),
        '二' | '贰' | '貳' | '两' | '兩' | '弍' => Some((2, Han)),
        '三' | '叁' | '參' | '弎' => Some((3, Han)),
        '四' | '肆' => Some((4, Han)),
        '五' | '伍' => Some((5, Han)),
        '六' | '陆' | '陸' => Some((6, Han)),
        '七' | '柒' => Some((7, Han)),
        '八' | '捌' => Some((8, Han)),
        '九' | '玖' => Some((9, Han)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------

/// Most separator characters allowed between two digit groups of a phone.
const MAX_SEP: usize = 3;

/// Characters that may be put between the digits of a phone number to hide
/// it: spaces, dashes, dots, slashes, bars, brackets, list punctuation, and
/// symbols / emoji (digits are tested before this is consulted).
fn is_phone_sep(c: char) -> bool {
    c.is_whitespace()
        || "-~_.。·・•∙/\\|,，、*()（）[]【】\u{2212}\u{2060}\u{FEFF}\u{FE0F}".contains(c)
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2010}'..='\u{2015}')
        || is_symbol(c)
}

/// Arrows, shapes, dingbats and emoji: decoration people insert to break up
/// a number or to point at an id (digit-like dingbats are tested first).
fn is_symbol(c: char) -> bool {
    matches!(
        c,
        '\u{2190}'..='\u{21FF}'
            | '\u{25A0}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{1F000}'..='\u{1FAFF}'
            | '\u{FE0F}'
            | '\u{200D}'
    )
}

/// A maximal run of digits of one style inside a chain.
#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    kind: Kind,
    /// Range of this unit's digit values in the chain's digit buffer.
    d0: usize,
    d1: usize,
}

impl Unit {
    fn len(&self) -> usize {
        self.d1 - self.d0
    }
}

/// How two units are joined: directly (a change of digit style), by
/// whitespace only, or by a separator symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinClass {
    Tight,
    Space,
    Sym(char),
}

/// The separator characters between unit `k` and unit `k + 1`.
#[derive(Debug, Clone, Copy)]
struct Join {
    start: usize,
    end: usize,
}

impl Join {
    fn class(&self, t: &[char]) -> JoinClass {
        if self.start == self.end {
            return JoinClass::Tight;
        }
        for &c in &t[self.start..self.end] {
            if !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
            {
                return JoinClass::Sym(c);
            }
        }
        JoinClass::Space
    }

    fn single(&self, t: &[char]) -> Option<char> {
        if self.end == self.start + 1 {
            at(t, self.start)
        } else {
            None
        }
    }

    fn contains(&self, t: &[char], pred: impl Fn(char) -> bool) -> bool {
        t[self.start..self.end].iter().any(|&c| pred(c))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhoneKind {
    Mobile,
    Landline,
}

/// A phone candidate covering units `a..b`; units `a..core` hold only the
/// country prefix.
#[derive(Debug, Clone, Copy)]
struct Cand {
    a: usize,
    b: usize,
    core: usize,
    kind: PhoneKind,
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1])
}

/// Length of the landline area code (with its 0) if `d` is a landline.
fn landline_area(d: &[u8]) -> Option<usize> {
    if d.len() < 10 || d[0] != 0 {
        return None;
    }
    let area = match d[1] {
        1 if d[2] == 0 => 3,
        2 => 3,
        3..=9 => 4,
        _ => return None,
    };
    let local = d.len() - area;
    let ok_len = if area == 3 {
        local == 8
    } else {
        local == 7 || local == 8
    };
    if ok_len && d[area] != 0 {
        Some(area)
    } else {
        None
    }
}

/// A chain: digit units joined by short separator strings.
struct Chain<'a> {
    t: &'a [char],
    units: Vec<Unit>,
    joins: Vec<Join>,
    digits: Vec<u8>,
}

impl Chain<'_> {
    fn digits_of(&self, a: usize, b: usize) -> &[u8] {
        &self.digits[self.units[a].d0..self.units[b - 1].d1]
    }

    /// Index of the first unit not entirely inside a prefix of `plen` digits.
    fn core_after(&self, a: usize, b: usize, plen: usize) -> usize {
        let mut u = a;
        let mut cum = 0;
        while u < b && cum + self.units[u].len() <= plen {
            cum += self.units[u].len();
            u += 1;
        }
        u
    }

    /// The candidate covering exactly units `a..b`, if they spell a phone.
    fn candidate(&self, a: usize, b: usize) -> Option<Cand> {
        let d = self.digits_of(a, b);
        let mobile = |core: usize| {
            Some(Cand {
                a,
                b,
                core,
                kind: PhoneKind::Mobile,
            })
        };
        match d.len() {
            11 if is_mobile(d) => return mobile(a),
            13 if d[..2] == [8, 6] && is_mobile(&d[2..]) => {
                return mobile(self.core_after(a, b, 2))
            }
            15 if d[..4] == [0, 0, 8, 6] && is_mobile(&d[4..]) => {
                return mobile(self.core_after(a, b, 4))
            }
            _ => {}
        }
        let arabic = self.units[a..b].iter().all(|u| u.kind == Kind::Arabic);
        if !arabic {
            return None;
        }
        let landline = |a: usize, b: usize| -> bool {
            let d = self.digits_of(a, b);
            match landline_area(d) {
                Some(area) => b - a == 1 || (self.units[a].len() == area && b - a <= 3),
                None => false,
            }
        };
        let cand = Cand {
            a,
            b,
            core: a,
            kind: PhoneKind::Landline,
        };
        if landline(a, b) {
            return Some(cand);
        }
        // An extension: "010-12345678-8001".
        if b - a >= 2
            && self.units[b - 1].len() <= 4
            && self.joins[b - 2].single(self.t) == Some('-')
            && landline(a, b - 1)
        {
            return Some(cand);
        }
        None
    }

    /// Shapes that are phone-length but are something else: numbers glued to
    /// a numeral word, decimals, thousands groupings (`13,456,789,012`), IP
    /// addresses, lists of small numbers.
    fn looks_like_other_number(&self, c: &Cand) -> bool {
        let units = &self.units[c.a..c.b];
        let joins = &self.joins[c.a..c.b - 1];
        if units.len() < 2 {
            return false;
        }
        // A numeral word glued to the number: "1381234567八折", "…一起".
        let word = |u: &Unit, j: &Join| u.kind == Kind::Han && u.len() <= 2 && j.start == j.end;
        if word(&units[0], &joins[0]) || word(&units[units.len() - 1], &joins[joins.len() - 1]) {
            return true;
        }
        let single = |j: &Join| j.single(self.t);
        // A decimal number: "13.812345678".
        if units.len() == 2 && single(&joins[0]) == Some('.') && units[0].len() <= 2 {
            return true;
        }
        let all_single = |ch: char| joins.iter().all(|j| single(j) == Some(ch));
        for ch in [',', '.', '，'] {
            if all_single(ch) && units[0].len() <= 3 && units[1..].iter().all(|u| u.len() == 3) {
                return true;
            }
        }
        if all_single('.') && units.len() == 4 && units.iter().all(|u| u.len() <= 3) {
            return true;
        }
        units.len() >= 4
            && joins
                .iter()
                .any(|j| j.contains(self.t, |ch| matches!(ch, ',' | '，' | '、')))
    }

    /// Whether a candidate made of separated groups stands on its own: the
    /// separators that join its groups must not also join it to more digits.
    fn stands_alone(&self, c: &Cand) -> bool {
        if c.core + 1 >= c.b {
            return true;
        }
        // The usual 3-4-4 / 3-8 grouping of a mobile never occurs inside
        // the 4-groupings of cards or the 6-8-4 grouping of IDs.
        let sizes: Vec<usize> = self.units[c.core..c.b].iter().map(Unit::len).collect();
        let spaced = self.joins[c.core..c.b - 1].iter().all(|j| j.start < j.end);
        if c.kind == PhoneKind::Mobile && spaced && (sizes == [3, 4, 4] || sizes == [3, 8]) {
            return true;
        }
        let inner: Vec<JoinClass> = self.joins[c.core..c.b - 1]
            .iter()
            .map(|j| j.class(self.t))
            .collect();
        let left = if c.a > 0 {
            Some(self.joins[c.a - 1].class(self.t))
        } else {
            None
        };
        let right = self.joins.get(c.b - 1).map(|j| j.class(self.t));
        ![left, right]
            .iter()
            .flatten()
            .any(|cls| inner.contains(cls))
    }

    fn span(&self, c: &Cand) -> Span {
        let mut start = self.units[c.a].start;
        let end = self.units[c.b - 1].end;
        let prefixed = c.kind == PhoneKind::Mobile && self.digits_of(c.a, c.b).len() > 11;
        if prefixed && start > 0 && self.t[start - 1] == '+' {
            start -= 1;
        }
        let closes =
            c.b - c.a >= 2 && self.joins[c.a].contains(self.t, |ch| matches!(ch, ')' | '）'));
        if closes && start > 0 && matches!(self.t[start - 1], '(' | '（') {
            start -= 1;
        }
        Span { start, end }
    }

    /// The phones of this chain.
    fn phones(&self, out: &mut Vec<Span>) {
        let n = self.units.len();
        // All candidates starting at each unit, longest first.
        let mut starts: Vec<Vec<Cand>> = Vec::with_capacity(n);
        for a in 0..n {
            let mut here = Vec::new();
            let mut sum = 0;
            let mut b = a;
            while b < n {
                sum += self.units[b].len();
                b += 1;
                if sum > 16 {
                    break;
                }
                if sum >= 10 {
                    if let Some(c) = self.candidate(a, b) {
                        if !self.looks_like_other_number(&c) {
                            here.push(c);
                        }
                    }
                }
            }
            here.reverse();
            starts.push(here);
        }
        // If the whole chain splits into phones, take that split.
        let mut reach = vec![false; n + 1];
        reach[n] = true;
        for a in (0..n).rev() {
            reach[a] = starts[a].iter().any(|c| reach[c.b]);
        }
        if reach[0] {
            let mut a = 0;
            while a < n {
                match starts[a].iter().find(|c| reach[c.b]) {
                    Some(c) => {
                        out.push(self.span(c));
                        a = c.b;
                    }
                    None => break,
                }
            }
            return;
        }
        // Otherwise take, left to right, candidates that stand alone.
        let mut a = 0;
        while a < n {
            match starts[a].iter().find(|c| self.stands_alone(c)) {
                Some(c) => {
                    out.push(self.span(c));
                    a = c.b;
                }
                None => a += 1,
            }
        }
    }
}

/// Mainland mobile numbers (optionally `+86`/`0086`) and landlines, also with
/// separators between the digits or digits written as Chinese numerals.
pub fn phone_numbers(light: &[char]) -> Vec<Span> {
    let t = folded(light);
    let n = t.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if digit(t[i]).is_none() {
            i += 1;
            continue;
        }
        let mut chain = Chain {
            t: &t,
            units: Vec::new(),
            joins: Vec::new(),
            digits: Vec::new(),
        };
        let mut p = i;
        while let Some((_, kind)) = at(&t, p).and_then(digit) {
            let (start, d0) = (p, chain.digits.len());
            while let Some((v, k)) = at(&t, p).and_then(digit) {
                if k != kind {
                    break;
                }
                chain.digits.push(v);
                p += 1;
            }
            chain.units.push(Unit {
                start,
                end: p,
                kind,
                d0,
                d1: chain.digits.len(),
            });
            if p < n && digit(t[p]).is_some() {
                chain.joins.push(Join { start: p, end: p });
                continue;
            }
            let mut q = p;
            while q < n && q - p < MAX_SEP && digit(t[q]).is_none() && is_phone_sep(t[q]) {
                q += 1;
            }
            if q > p && q < n && digit(t[q]).is_some() {
                chain.joins.push(Join { start: p, end: q });
                p = q;
                continue;
            }
            break;
        }
        chain.phones(&mut out);
        i = p.max(i + 1);
    }
    finish(out)
}

// ---------------------------------------------------------------------------
// Contact ids
// ---------------------------------------------------------------------------

/// Most filler characters between a cue and its id.
const MAX_GAP: usize = 6;

/// Length of a filler (punctuation or a small word) that may stand between
/// a cue word and the id it announces.
fn filler_at(t: &[char], i: usize) -> Option<usize> {
    let c = at(t, i)?;
    if c.is_whitespace()
        || is_symbol(c)
        || ":：号是为码加我的群-—=~>》→()（）[]【】「」『』\"“”'‘’,，、;；".contains(c)
    {
        return Some(1);
    }
    for w in ["账号", "帐号", "搜索", "添加"] {
        if starts_with(t, i, w) {
            return Some(w.chars().count());
        }
    }
    if starts_with(t, i, "id") && !at(t, i + 2).is_some_and(|c| is_alnum(c) || c == '_') {
        return Some(2);
    }
    None
}

fn is_id_char(c: char) -> bool {
    is_alnum(c) || c == '_' || c == '-'
}

/// End of the id (WeChat id, QQ number or phone) starting at `q`, if any.
/// `glued` says the id follows a Latin-letter cue with nothing between.
fn id_at(t: &[char], q: usize, glued: bool, phones: &[Span]) -> Option<usize> {
    let c = at(t, q)?;
    // A phone number (its span may start with '+' or '(').
    if let Ok(k) = phones.binary_search_by(|s| s.start.cmp(&q)) {
        return Some(phones[k].end);
    }
    // A QQ number: 5–11 digits, not starting with 0; groups shorter than
    // five digits may be spread out with separators ("1 2 3 4 5 6").
    if let Some((v, _)) = digit(c) {
        let run = |k: usize| {
            let mut e = k;
            while at(t, e).and_then(digit).is_some() {
                e += 1;
            }
            e
        };
        let mut e = run(q);
        let mut count = e - q;
        if count < 5 {
            while count <= 11 {
                let mut k = e;
                while k - e < 2 && at(t, k).is_some_and(|c| digit(c).is_none() && is_phone_sep(c)) {
                    k += 1;
                }
                if k == e || at(t, k).and_then(digit).is_none() {
                    break;
                }
                let next = run(k);
                count += next - k;
                e = next;
            }
        }
        let next_ok = !at(t, e).is_some_and(|c| is_alnum(c) || c == '_');
        return if v != 0 && (5..=11).contains(&count) && next_ok {
            Some(e)
        } else {
            None
        };
    }
    // A WeChat id: a letter, then 5–19 letters, digits, '_' or '-'.
    if !c.is_ascii_lowercase() || glued {
        return None;
    }
    let mut e = q;
    while at(t, e).is_some_and(is_id_char) {
        e += 1;
    }
    if !(6..=20).contains(&(e - q)) {
        return None;
    }
    // An all-letter token followed by more Latin words is English prose.
    if t[q..e].iter().all(|c| c.is_ascii_lowercase()) {
        let mut k = e;
        while at(t, k) == Some(' ') {
            k += 1;
        }
        if k > e && at(t, k).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
    }
    Some(e)
}

/// WeChat / QQ ids announced by a cue word (加v, vx, 微信, 扣扣 …; matched
/// case-insensitively), plus bare `wxid_…` ids; a span covers cue and id.
pub fn contact_ids(light: &[char], cues: &[&str]) -> Vec<Span> {
    let t = folded_latin(light);
    let n = t.len();
    let cues: Vec<Vec<char>> = cues
        .iter()
        .map(|c| c.chars().map(fold).collect::<Vec<char>>())
        .filter(|c| !c.is_empty())
        .collect();
    // Mark every character covered by a cue occurrence.
    let mut cover = vec![false; n];
    for i in 0..n {
        for cue in &cues {
            let fits = t.get(i..i + cue.len()).is_some_and(|w| w == cue.as_slice());
            // A Latin cue must not start inside a Latin word ("aqq", "nvx").
            let boundary = !(is_alnum(cue[0]) && i > 0 && is_alnum(t[i - 1]));
            if fits && boundary {
                cover[i..i + cue.len()].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    let phones = phone_numbers(light);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !cover[i] {
            i += 1;
            continue;
        }
        let start = i;
        let mut p = i;
        let mut next = i + 1;
        loop {
            while p < n && cover[p] {
                p += 1;
            }
            let cue_end = p;
            next = next.max(cue_end);
            let mut q = p;
            while let Some(l) = filler_at(&t, q) {
                if q + l - cue_end > MAX_GAP {
                    break;
                }
                q += l;
            }
            let glued = q == cue_end && t[cue_end - 1].is_ascii_alphabetic();
            if let Some(e) = id_at(&t, q, glued, &phones) {
                // A cue word that is really the start of the id ("wx: wxabc1").
                let mut cue_run = q;
                while cue_run < n && cover[cue_run] {
                    cue_run += 1;
                }
                if q == cue_end || !cover[q] || e > cue_run {
                    out.push(Span { start, end: e });
                    next = e;
                    break;
                }
            }
            if q > cue_end && q < n && cover[q] {
                p = q;
                continue;
            }
            break;
        }
        i = next.max(start + 1);
    }
    // Bare "wxid_…" ids are WeChat's own default ids: a cue by themselves.
    let mut i = 0;
    while i < n {
        let boundary = i == 0 || !is_id_char(t[i - 1]);
        if boundary && starts_with(&t, i, "wxid_") {
            let mut e = i + 5;
            while at(&t, e).is_some_and(is_id_char) {
                e += 1;
            }
            if e - i >= 8 {
                out.push(Span { start: i, end: e });
                i = e;
                continue;
            }
        }
        i += 1;
    }
    finish(out)
}

// ---------------------------------------------------------------------------
// Domains, URLs and e-mail
// ---------------------------------------------------------------------------

/// How a dot between two labels was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dot {
    /// A real '.'.
    Plain,
    /// A look-alike punctuation mark ('。', '·', '丶') or the word 点.
    Soft,
    /// A deliberate defang: `[.]`, `(.)`, ` dot `, `[dot]`.
    Defang,
}

/// TLDs that spam and diversion actually use: also accepted after a
/// disguised dot.
const CORE_TLDS: &[&str] = &[
    "com", "cn", "net", "org", "top", "xyz", "vip", "cc", "io", "me", "info", "biz", "co", "tv",
    "club", "site", "shop", "wang", "ltd", "link", "icu", "asia", "xin", "ren", "hk", "tw", "mo",
    "bet", "casino", "xxx", "cyou", "buzz", "vin", "kim",
];

/// Further TLDs, accepted only after a real or defanged dot. Words that are
/// common identifiers in code (`user.name`, `app.run`, `obj.id`) are left out.
const MORE_TLDS: &[&str] = &[
    "online", "store", "fun", "pro", "mobi", "live", "life", "art", "love", "win", "loan", "poker",
    "porn", "sex", "adult", "fans", "guru", "lol", "mom", "gov", "edu", "int", "jp", "kr", "uk",
    "de", "ru", "fr", "es", "nl", "eu", "au", "ca", "br", "mx", "sg", "ph", "th", "vn", "nz", "su",
    "ws", "tk", "ml", "ga", "cf", "gq", "pw", "bz", "ai", "gg", "ly", "im", "la", "vc",
];

/// Abbreviations written like a domain ("mr.wang").
const NOT_DOMAINS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "prof", "mt",
];

fn label_is(t: &[char], (s, e): (usize, usize), word: &str) -> bool {
    e - s == word.chars().count() && starts_with(t, s, word)
}

fn is_core_tld(t: &[char], l: (usize, usize)) -> bool {
    CORE_TLDS.iter().any(|w| label_is(t, l, w))
}

fn is_tld(t: &[char], l: (usize, usize)) -> bool {
    is_core_tld(t, l) || MORE_TLDS.iter().any(|w| label_is(t, l, w))
}

/// A dot (or disguised dot) at `p`: its end and how it was written.
fn dot_at(t: &[char], p: usize) -> Option<(usize, Dot)> {
    let c = at(t, p)?;
    match c {
        '.' => return Some((p + 1, Dot::Plain)),
        '。' | '｡' | '．' | '·' | '・' | '丶' | '﹒' => return Some((p + 1, Dot::Soft)),
        _ => {}
    }
    let mut q = p;
    let spaced = c == ' ';
    if spaced {
        q += 1;
    }
    let skip_space = |k: usize| if at(t, k) == Some(' ') { k + 1 } else { k };
    // 点 / 點, optionally with spaces around.
    if matches!(at(t, q), Some('点' | '點')) {
        return Some((skip_space(q + 1), Dot::Soft));
    }
    // " dot ": spaces required on both sides.
    if spaced && starts_with(t, q, "dot") && at(t, q + 3) == Some(' ') {
        return Some((q + 4, Dot::Defang));
    }
    // Brackets around '.', '。', 点 or "dot".
    let close = match at(t, q)? {
        '[' => ']',
        '(' => ')',
        '（' => '）',
        '【' => '】',
        '{' => '}',
        '<' => '>',
        _ => return None,
    };
    let inner = skip_space(q + 1);
    let inner_end = match at(t, inner)? {
        '.' | '。' | '点' | '點' => inner + 1,
        'd' if starts_with(t, inner, "dot") => inner + 3,
        _ => return None,
    };
    let e = skip_space(inner_end);
    if at(t, e) == Some(close) {
        Some((skip_space(e + 1), Dot::Defang))
    } else {
        None
    }
}

/// End of the DNS label starting at `p` (letters, digits, inner '-').
fn label_at(t: &[char], p: usize) -> Option<usize> {
    if !at(t, p).is_some_and(is_alnum) {
        return None;
    }
    let mut e = p;
    while at(t, e).is_some_and(|c| is_alnum(c) || c == '-') {
        e += 1;
        if e - p > 63 {
            return None;
        }
    }
    while t[e - 1] == '-' {
        e -= 1;
    }
    Some(e)
}

/// Labels (start, end) and the dots between them, starting at `p`.
struct Domain {
    labels: Vec<(usize, usize)>,
    dots: Vec<Dot>,
}

/// Longest run of labels and dots starting at `p` (at most 253 chars).
fn parse_domain(t: &[char], p: usize) -> Domain {
    let mut d = Domain {
        labels: Vec::new(),
        dots: Vec::new(),
    };
    let Some(e) = label_at(t, p) else { return d };
    d.labels.push((p, e));
    let mut end = e;
    while let Some((de, dot)) = dot_at(t, end) {
        let Some(le) = label_at(t, de) else { break };
        if le - p > 253 {
            break;
        }
        d.labels.push((de, le));
        d.dots.push(dot);
        end = le;
    }
    d
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DomainUse {
    /// A bare domain or URL host.
    Url,
    /// The domain of an e-mail with a real '@'.
    EmailPlain,
    /// The domain of an e-mail with a disguised '@'.
    EmailEvasive,
}

/// Index of the label that ends the domain (its TLD), if there is one.
fn domain_end(t: &[char], d: &Domain, usage: DomainUse) -> Option<usize> {
    let www = d.labels.first().is_some_and(|&l| label_is(t, l, "www"));
    for k in (1..d.labels.len()).rev() {
        let (s, e) = d.labels[k];
        if !t[s..e].iter().all(|c| c.is_ascii_lowercase()) {
            continue;
        }
        let dots = &d.dots[..k];
        let soft = dots.contains(&Dot::Soft);
        let ok = if soft {
            let (ps, pe) = d.labels[k - 1];
            let lettered = t[ps..pe].iter().any(|c| c.is_ascii_alphabetic());
            is_core_tld(t, (s, e)) && (lettered || www || usage != DomainUse::Url)
        } else if usage == DomainUse::EmailPlain && dots.iter().all(|&x| x == Dot::Plain) {
            (2..=24).contains(&(e - s))
        } else {
            is_tld(t, (s, e))
        };
        if !ok {
            continue;
        }
        if usage == DomainUse::Url
            && k == 1
            && dots[0] == Dot::Plain
            && NOT_DOMAINS.iter().any(|w| label_is(t, d.labels[0], w))
        {
            continue;
        }
        return Some(k);
    }
    // "www.example.something": www and two more labels.
    if usage == DomainUse::Url && www && d.labels.len() >= 3 {
        let k = d.labels.len() - 1;
        let (s, e) = d.labels[k];
        if (2..=24).contains(&(e - s)) && t[s..e].iter().all(|c| c.is_ascii_lowercase()) {
            return Some(k);
        }
    }
    None
}

fn is_url_char(c: char) -> bool {
    is_alnum(c) || "-._~:/?#[]@!$&()*+;=%".contains(c)
}

/// Drops trailing punctuation that belongs to the sentence, not the URL.
fn trim_url_end(t: &[char], start: usize, mut end: usize) -> usize {
    let count = |ch: char| t[start..end].iter().filter(|&&x| x == ch).count();
    let (mut open_p, mut close_p) = (count('('), count(')'));
    let (mut open_b, mut close_b) = (count('['), count(']'));
    while end > start {
        let drop = match t[end - 1] {
            '.' | ':' | ';' | '!' | '?' | '-' | '_' | '~' => true,
            ')' => close_p > open_p,
            ']' => close_b > open_b,
            _ => false,
        };
        if !drop {
            break;
        }
        match t[end - 1] {
            ')' => close_p -= 1,
            ']' => close_b -= 1,
            '(' => open_p -= 1,
            '[' => open_b -= 1,
            _ => {}
        }
        end -= 1;
    }
    end
}

/// End of a path / query (and port) after a host ending at `e`.
fn path_end(t: &[char], e: usize) -> usize {
    let mut end = e;
    if at(t, end) == Some(':') {
        let mut k = end + 1;
        while at(t, k).is_some_and(|c| c.is_ascii_digit()) && k - end <= 6 {
            k += 1;
        }
        if (2..=6).contains(&(k - end)) {
            end = k;
        }
    }
    if matches!(at(t, end), Some('/' | '?' | '#')) {
        let mut k = end;
        while at(t, k).is_some_and(is_url_char) {
            k += 1;
        }
        end = trim_url_end(t, end, k);
    }
    end
}

/// The end of "http://…" starting at `p`, if a scheme URL starts there.
fn scheme_url_at(t: &[char], p: usize) -> Option<usize> {
    if p > 0 && t[p - 1].is_ascii_alphabetic() {
        return None;
    }
    let after = ["https://", "http://", "hxxps://", "hxxp://", "ftp://"]
        .iter()
        .find(|s| starts_with(t, p, s))
        .map(|s| p + s.len())?;
    let mut q = after;
    loop {
        match at(t, q) {
            Some(c) if is_url_char(c) => q += 1,
            Some(_) => match dot_at(t, q) {
                Some((e, Dot::Soft | Dot::Defang)) if at(t, e).is_some_and(is_alnum) => q = e,
                _ => break,
            },
            None => break,
        }
    }
    let end = trim_url_end(t, after, q);
    if t[after..end].iter().any(|&c| is_alnum(c)) {
        Some(end)
    } else {
        None
    }
}

/// Links: `http(s)://…`, `www.…` and bare domains with a known TLD, also with
/// the dot disguised (`baidu点com`, `xx。cn`, `site[.]com`).
pub fn urls(light: &[char]) -> Vec<Span> {
    let t = folded_latin(light);
    let n = t.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if let Some(e) = scheme_url_at(&t, i) {
            out.push(Span { start: i, end: e });
            i = e;
            continue;
        }
        let boundary = i == 0 || !(is_alnum(t[i - 1]) || matches!(t[i - 1], '_' | '-' | '.' | '@'));
        if !boundary || !is_alnum(t[i]) {
            i += 1;
            continue;
        }
        let d = parse_domain(&t, i);
        let last = d.labels.last().map_or(i + 1, |l| l.1);
        match domain_end(&t, &d, DomainUse::Url) {
            Some(k) => {
                let end = path_end(&t, d.labels[k].1);
                out.push(Span { start: i, end });
                i = end;
            }
            None => i = last.max(i + 1),
        }
    }
    // A domain that is the tail of an e-mail address is the e-mail's hit.
    let mails = emails(light);
    let mut out = finish(out);
    let mut k = 0;
    out.retain(|u| {
        while k < mails.len() && mails[k].end <= u.start {
            k += 1;
        }
        !matches!(mails.get(k), Some(m) if m.start < u.end)
    });
    out
}

/// An at-sign (or disguised one) at `p`: its end and whether it was disguised.
fn at_sign_at(t: &[char], p: usize) -> Option<(usize, bool)> {
    match at(t, p)? {
        '@' => return Some((p + 1, false)),
        '#' => return Some((p + 1, true)),
        _ => {}
    }
    if starts_with(t, p, "艾特") {
        return Some((p + 2, true));
    }
    for s in ["(at)", "[at]", "（at）", "【at】", "{at}", "<at>"] {
        if starts_with(t, p, s) {
            return Some((p + 4, true));
        }
    }
    None
}

fn is_local_char(c: char) -> bool {
    is_alnum(c) || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// E-mail addresses, also with '@' written as `#`, `艾特`, `(at)`, `[at]` and the
/// dot disguised as for URLs.
pub fn emails(light: &[char]) -> Vec<Span> {
    let t = folded_latin(light);
    let n = t.len();
    let mut out = Vec::new();
    let mut p = 0;
    while p < n {
        let Some((mut dstart, evasive)) = at_sign_at(&t, p) else {
            p += 1;
            continue;
        };
        // The local part, read backwards (a disguised '@' may be spaced).
        let mut lend = p;
        if evasive && t[p] != '#' && lend > 0 && t[lend - 1] == ' ' {
            lend -= 1;
        }
        let mut ls = lend;
        while ls > 0 && is_local_char(t[ls - 1]) && lend - ls <= 64 {
            ls -= 1;
        }
        let local_ok = lend - ls <= 64 && !(ls > 0 && is_local_char(t[ls - 1]));
        while ls < lend && t[ls] == '.' {
            ls += 1;
        }
        let local = &t[ls..lend];
        let local_ok = local_ok
            && local.iter().any(|&c| is_alnum(c))
            && local.last().is_some_and(|&c| c != '.');
        if evasive && t[p] != '#' && at(&t, dstart) == Some(' ') {
            dstart += 1;
        }
        if local_ok {
            let d = parse_domain(&t, dstart);
            let usage = if evasive {
                DomainUse::EmailEvasive
            } else {
                DomainUse::EmailPlain
            };
            if let Some(k) = domain_end(&t, &d, usage) {
                let end = d.labels[k].1;
                out.push(Span { start: ls, end });
                p = end;
                continue;
            }
        }
        p += 1;
    }
    finish(out)
}

// ---------------------------------------------------------------------------
// Resident IDs and bank cards
// ---------------------------------------------------------------------------

/// Invisible format characters slipped between digits (zero-width space,
/// non-joiner, joiner, word joiner, BOM).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Numerals that are not digits: a run of digits next to one of these is
/// part of a written-out number or a decimal (`一二三…九十`, `三点一四…`),
/// not a digit string.
fn is_numeral_word(c: char) -> bool {
    "十拾百佰千仟万萬亿億廿卅点點".contains(c)
}

/// The input folded as by [`folded`], with every digit (circled, styled or
/// a Chinese numeral) replaced by its ASCII digit, one to one.
fn digitized(light: &[char]) -> Vec<char> {
    light
        .iter()
        .map(|&c| {
            let c = fold(c);
            match digit(c) {
                Some((v, _)) => char::from(b'0' + v),
                None => c,
            }
        })
        .collect()
}

/// A run of ASCII digits, possibly ending in the ID check letter 'x'.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    x: bool,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// The characters between two digit groups: one visible separator (`key`:
/// ' ' for any space, '-', or one of the weak separators `. _ ·`) and/or
/// invisible characters (`key` ' ' and `invisible` when there are only
/// those).
#[derive(Debug, Clone, Copy)]
struct GroupJoin {
    key: char,
    invisible: bool,
}

impl GroupJoin {
    /// Separators that also occur in decimals, versions and identifiers:
    /// accepted only between groups of four.
    fn weak(&self) -> bool {
        matches!(self.key, '.' | '_' | '·')
    }
}

/// The join key of a visible separator between digit groups.
fn group_sep(c: char) -> Option<char> {
    match c {
        ' ' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => Some(' '),
        '-' | '\u{2010}' | '\u{2011}' | '\u{2212}' => Some('-'),
        '.' => Some('.'),
        '_' => Some('_'),
        '·' | '・' | '\u{2027}' => Some('·'),
        _ => None,
    }
}

/// The join after a group ending at `p`: its end and kind, if digits follow.
fn group_join_at(t: &[char], p: usize) -> Option<(usize, GroupJoin)> {
    let mut q = p;
    let mut key = None;
    while q - p < 3 {
        match at(t, q) {
            Some(c) if is_invisible(c) => q += 1,
            Some(c) if key.is_none() && group_sep(c).is_some() => {
                key = group_sep(c);
                q += 1;
            }
            _ => break,
        }
    }
    if q == p || !at(t, q).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let join = GroupJoin {
        key: key.unwrap_or(' '),
        invisible: key.is_none(),
    };
    Some((q, join))
}

/// Digit groups joined by short separator strings.
struct NumChain {
    groups: Vec<Group>,
    joins: Vec<GroupJoin>,
    /// The chain is glued on the left / right to Latin letters (it is part
    /// of a code such as a parcel number, "YT4111…") or to a numeral that
    /// is not a digit (it is part of a written-out number).
    glued: (bool, bool),
}

/// Whether a digit run next to `c` is part of something else.
fn glues(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic() || is_numeral_word(c))
}

/// All maximal chains of ASCII digit groups (in digitized text).
fn num_chains(t: &[char]) -> Vec<NumChain> {
    let n = t.len();
    let mut chains = Vec::new();
    let mut i = 0;
    while i < n {
        if !t[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut ch = NumChain {
            groups: Vec::new(),
            joins: Vec::new(),
            glued: (i > 0 && glues(Some(t[i - 1])), false),
        };
        let mut p = i;
        loop {
            let s = p;
            while at(t, p).is_some_and(|c| c.is_ascii_digit()) {
                p += 1;
            }
            let x = at(t, p) == Some('x') && !at(t, p + 1).is_some_and(is_alnum);
            if x {
                p += 1;
            }
            ch.groups.push(Group {
                start: s,
                end: p,
                x,
            });
            match group_join_at(t, p) {
                Some((q, j)) if !x => {
                    ch.joins.push(j);
                    p = q;
                }
                _ => {
                    ch.glued.1 = glues(at(t, p));
                    break;
                }
            }
        }
        chains.push(ch);
        i = p.max(i + 1);
    }
    chains
}

impl NumChain {
    /// Hits among the groups of this chain, left to right; at each group the
    /// first that `check` accepts (it receives the digits without
    /// separators) of:
    ///
    /// * the group alone, unless invisible characters join it to more
    ///   digits;
    /// * the longest run of groups joined only by invisible characters (they
    ///   read as one solid number), starting here;
    /// * a window of groups whose sizes match one of `patterns` and that
    ///   stands alone: one separator inside, a different one or none
    ///   outside; weak separators only between groups of four.
    ///
    /// Windows touching a glued end are skipped.
    fn find(
        &self,
        t: &[char],
        patterns: &[&[usize]],
        mut check: impl FnMut(&[char]) -> bool,
        out: &mut Vec<Span>,
    ) {
        let n = self.groups.len();
        let mut buf: Vec<char> = Vec::new();
        let free = |a: usize, b: usize| !((a == 0 && self.glued.0) || (b == n && self.glued.1));
        let invisible_after = |k: usize| self.joins.get(k).is_some_and(|j| j.invisible);
        let fill = |buf: &mut Vec<char>, a: usize, b: usize| {
            buf.clear();
            for g in &self.groups[a..b] {
                buf.extend_from_slice(&t[g.start..g.end]);
            }
        };
        let mut a = 0;
        while a < n {
            let mut hit = None;
            let invisible_before = a > 0 && invisible_after(a - 1);
            // The group alone.
            if !invisible_before && !invisible_after(a) && free(a, a + 1) {
                fill(&mut buf, a, a + 1);
                if check(&buf) {
                    hit = Some(a + 1);
                }
            }
            // Groups split only by invisible characters.
            if hit.is_none() && !invisible_before && invisible_after(a) {
                let mut b = a + 1;
                while invisible_after(b - 1) && b - a <= 20 {
                    b += 1;
                }
                if b - a <= 20 && !invisible_after(b - 1) && free(a, b) {
                    fill(&mut buf, a, b);
                    if check(&buf) {
                        hit = Some(b);
                    }
                }
            }
            for pat in patterns {
                if hit.is_some() {
                    break;
                }
                let b = a + pat.len();
                if pat.len() < 2 || b > n || !free(a, b) {
                    continue;
                }
                let sizes = self.groups[a..b].iter().map(Group::len);
                if !sizes.eq(pat.iter().copied()) {
                    continue;
                }
                if self.groups[a..b - 1].iter().any(|g| g.x) {
                    continue;
                }
                let sep = self.joins[a].key;
                let inner_same = self.joins[a..b - 1].iter().all(|j| j.key == sep);
                let left_other = a == 0 || self.joins[a - 1].key != sep;
                let right_other = b == n || self.joins[b - 1].key != sep;
                let fours = pat[..pat.len() - 1].iter().all(|&s| s == 4);
                if !(inner_same && left_other && right_other) || (self.joins[a].weak() && !fours) {
                    continue;
                }
                fill(&mut buf, a, b);
                if check(&buf) {
                    hit = Some(b);
                }
            }
            match hit {
                Some(b) => {
                    out.push(Span {
                        start: self.groups[a].start,
                        end: self.groups[b - 1].end,
                    });
                    a = b;
                }
                None => a += 1,
            }
        }
    }
}

fn digits_of(s: &[char]) -> Option<Vec<u8>> {
    s.iter().map(|c| c.to_digit(10).map(|d| d as u8)).collect()
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    if !(1900..=2099).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    // Divisible by 4; of the century years in range, 2000 is a leap year
    // (divisible by 400) and 1900 is not.
    let leap = y.trailing_zeros() >= 2 && y != 1900;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + u32::from(x))
}

/// An 18-character resident ID: region, birth date, MOD 11-2 check.
fn valid_id18(s: &[char]) -> bool {
    if s.len() != 18 {
        return false;
    }
    let Some(d) = digits_of(&s[..17]) else {
        return false;
    };
    if !(1..=8).contains(&d[0]) || !valid_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14])) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let check = ['1', '0', 'x', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    s[17] == check
}

/// A 15-digit legacy resident ID: region and a 19YY birth date.
fn valid_id15(s: &[char]) -> bool {
    let Some(d) = digits_of(s) else { return false };
    d.len() == 15
        && (1..=8).contains(&d[0])
        && valid_date(1900 + num(&d[6..8]), num(&d[8..10]), num(&d[10..12]))
}

/// Chinese resident ID numbers: 18 characters with a valid MOD 11-2 check, or
/// the 15-digit legacy form, each with a real birth date; solid, in the usual
/// groups, split by invisible characters, or in Chinese numerals.
pub fn resident_ids(light: &[char]) -> Vec<Span> {
    let t = digitized(light);
    let mut out = Vec::new();
    let patterns: &[&[usize]] = &[&[6, 8, 4], &[6, 4, 4, 4], &[6, 6, 3]];
    for ch in num_chains(&t) {
        ch.find(&t, patterns, |s| valid_id18(s) || valid_id15(s), &mut out);
    }
    finish(out)
}

/// The Luhn check: the last digit equals the check digit computed from the
/// others (every second digit from the right doubled, digits summed).
fn luhn(d: &[u8]) -> bool {
    let Some((&last, body)) = d.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            match (i % 2, x * 2) {
                (0, y) if y > 9 => y - 9,
                (0, y) => y,
                _ => x,
            }
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(last)
}

/// Issuer numbers of Chinese banks' domestic cards outside the UnionPay 62
/// range (older debit cards): Bank of China 601382, Bank of Communications
/// 601428, Ping An 602907, city banks 603367 / 603506 / 603601 / 603694 /
/// 603708, China Merchants 690755, Postal Savings 955100, Shenzhen
/// Development / Ping An 998800–998802, CITIC 968807–968809, SPD 984301 /
/// 984303.
const CN_BINS: &[u32] = &[
    601382, 601428, 602907, 603367, 603506, 603601, 603694, 603708, 690755, 955100, 968807, 968808,
    968809, 984301, 984303, 998800, 998801, 998802,
];

/// Whether the prefix and length fit a card network or a Chinese issuer.
fn issuer_ok(d: &[u8]) -> bool {
    let len = d.len();
    if len < 13 {
        return false;
    }
    let p2 = num(&d[..2]);
    let p3 = num(&d[..3]);
    let p4 = num(&d[..4]);
    let p5 = num(&d[..5]);
    let p6 = num(&d[..6]);
    // Chinese banks issue 16- to 19-digit cards.
    let domestic = (16..=19).contains(&len);
    match d[0] {
        4 => (13..=19).contains(&len),
        2 | 5 => len == 16 && ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)),
        3 => match p2 {
            34 | 37 => len == 15,
            35 => (16..=19).contains(&len),
            _ => false,
        },
        // UnionPay 62, Discover 6011 / 644–649 / 65, and Chinese issuers.
        6 => {
            domestic
                && (p2 == 62
                    || p2 == 65
                    || p4 == 6011
                    || (644..=649).contains(&p3)
                    || CN_BINS.contains(&p6))
        }
        // ICBC 9558, China Merchants 95555, Agricultural Bank 95595–95599,
        // and Chinese issuers.
        9 => {
            domestic
                && (p4 == 9558
                    || p5 == 95555
                    || (95595..=95599).contains(&p5)
                    || CN_BINS.contains(&p6))
        }
        _ => false,
    }
}

fn valid_card(s: &[char]) -> bool {
    match digits_of(s) {
        Some(d) => {
            (13..=19).contains(&d.len())
                && issuer_ok(&d)
                && luhn(&d)
                && !valid_id18(s)
                && !valid_id15(s)
        }
        None => false,
    }
}

/// Bank card numbers: 13–19 digits (solid, in groups of four joined by one
/// kind of separator, or split by invisible characters; Arabic, full-width,
/// circled or Chinese numerals), a known issuer prefix and a valid Luhn check
/// digit, and not a resident ID.
pub fn bank_cards(light: &[char]) -> Vec<Span> {
    let t = digitized(light);
    let mut out = Vec::new();
    let patterns: &[&[usize]] = &[
        &[4, 4, 4, 4, 3],
        &[4, 4, 4, 4, 2],
        &[4, 4, 4, 4, 1],
        &[4, 4, 4, 4],
        &[4, 4, 4, 3],
        &[4, 4, 4, 2],
        &[4, 4, 4, 1],
        &[4, 6, 5],
        &[6, 13],
    ];
    for ch in num_chains(&t) {
        ch.find(&t, patterns, valid_card, &mut out);
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn texts(s: &str, spans: &[Span]) -> Vec<String> {
        let c = chars(s);
        spans
            .iter()
            .map(|sp| c[sp.start..sp.end].iter().collect())
            .collect()
    }

    fn phones(s: &str) -> Vec<String> {
        texts(s, &phone_numbers(&chars(s)))
    }

    const CUES: &[&str] = &[
        "加v", "vx", "wx", "微信", "薇信", "威信", "微x", "v信", "扣扣", "qq", "企鹅", "加我",
        "私聊", "加V",
    ];

    fn ids(s: &str) -> Vec<String> {
        texts(s, &contact_ids(&chars(s), CUES))
    }

    fn links(s: &str) -> Vec<String> {
        texts(s, &urls(&chars(s)))
    }

    fn mails(s: &str) -> Vec<String> {
        texts(s, &emails(&chars(s)))
    }

    fn rids(s: &str) -> Vec<String> {
        texts(s, &resident_ids(&chars(s)))
    }

    fn cards(s: &str) -> Vec<String> {
        texts(s, &bank_cards(&chars(s)))
    }

    /// Appends the MOD 11-2 check character to 17 digits.
    fn make_id(d17: &str) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = d17
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
        format!("{d17}{check}")
    }

    /// Appends the Luhn check digit.
    fn make_card(body: &str) -> String {
        (0..10)
            .map(|k| format!("{body}{k}"))
            .find(|s| luhn(&digits_of(&chars(s)).unwrap_or_default()))
            .unwrap_or_default()
    }

    // --- phone numbers ----------------------------------------------------

    #[test]
    fn phone_plain_and_prefixed() {
        assert_eq!(phones("电话13812345678"), ["13812345678"]);
        assert_eq!(phones("13812345678"), ["13812345678"]);
        assert_eq!(phones("call +8613912345678 now"), ["+8613912345678"]);
        assert_eq!(phones("+86 139 1234 5678"), ["+86 139 1234 5678"]);
        assert_eq!(phones("+86-13912345678"), ["+86-13912345678"]);
        assert_eq!(phones("8613912345678"), ["8613912345678"]);
        assert_eq!(phones("0086 13912345678"), ["0086 13912345678"]);
        assert_eq!(phones("(+86)13912345678"), ["(+86)13912345678"]);
        assert_eq!(phones("１３８１２３４５６７８"), ["１３８１２３４５６７８"]);
        for p in [
            "13012345678",
            "14512345678",
            "16612345678",
            "17712345678",
            "19912345678",
        ] {
            assert_eq!(phones(p), [p]);
        }
    }

    #[test]
    fn phone_separators() {
        for s in [
            "138-1234-5678",
            "138 1234 5678",
            "138.1234.5678",
            "138·1234·5678",
            "138_1234_5678",
            "138/1234/5678",
            "138|1234|5678",
            "138 - 1234 - 5678",
            "1 3 8 1 2 3 4 5 6 7 8",
            "1-3-8-1-2-3-4-5-6-7-8",
            "138 12 34 56 78",
            "1🌸3🌸8🌸1🌸2🌸3🌸4🌸5🌸6🌸7🌸8",
            "138\u{200b}1234\u{200b}5678",
            "1381234 5678",
            "138　1234　5678",
        ] {
            assert_eq!(phones(&format!("联系我{s}谢谢")), [s], "{s}");
        }
    }

    #[test]
    fn phone_chinese_numerals() {
        for s in [
            "一三八一二三四五六七八",
            "幺三八幺二三四五六七八",
            "壹叁捌壹贰叁肆伍陆柒捌",
            "一三八 1234 五六七八",
            "一三八1234五六七八",
            "13八12345六78",
            "一三九〇〇〇〇〇〇〇〇",
            "一三九零两两两两两两两",
            "①③⑧①②③④⑤⑥⑦⑧",
        ] {
            assert_eq!(phones(&format!("电话{s}。")), [s], "{s}");
        }
    }

    #[test]
    fn phone_landlines() {
        for s in [
            "010-12345678",
            "(010)12345678",
            "（010）12345678",
            "010 12345678",
            "021-87654321",
            "0755-88888888",
            "0755 8888 8888",
            "0571-8765432",
            "01012345678",
            "010-12345678-8001",
        ] {
            assert_eq!(phones(&format!("座机：{s}。")), [s], "{s}");
        }
        // Area code 010/02x needs an 8-digit number; local numbers never start 0.
        assert!(phones("010-1234567").is_empty());
        assert!(phones("0755-01234567").is_empty());
        assert!(phones("011-12345678").is_empty());
    }

    #[test]
    fn phone_lists() {
        assert_eq!(
            phones("13812345678,13987654321"),
            ["13812345678", "13987654321"]
        );
        assert_eq!(
            phones("13812345678 13987654321"),
            ["13812345678", "13987654321"]
        );
        assert_eq!(
            phones("138 1234 5678 139 8765 4321"),
            ["138 1234 5678", "139 8765 4321"]
        );
        assert_eq!(phones("电话138-1234-5678 3月8日前"), ["138-1234-5678"]);
        assert_eq!(phones("加我13812345678一起玩"), ["13812345678"]);
        assert_eq!(phones("电话 138 1234 5678 2024年"), ["138 1234 5678"]);
        assert_eq!(phones("电话 138 12345678 8点前"), ["138 12345678"]);
        assert_eq!(
            phones("手机:138 1234 5678，座机:010-12345678"),
            ["138 1234 5678", "010-12345678"]
        );
    }

    #[test]
    fn phone_inside_longer_numbers() {
        for s in [
            "订单号2024030813812345678",
            "订单号 202403081381234567890",
            "138123456789",
            "013812345678",
            "身份证110105199003071234",
            "卡号6222021381234567890",
            "6222 0213 1381 2345 678",
            "2024-0308-1381-2345-678",
            "110105 19491231 002X",
            "一三八一二三四五六七八九",
            "1381234567813987654321",
        ] {
            assert!(phones(s).is_empty(), "{s}: {:?}", phones(s));
        }
    }

    #[test]
    fn phone_false_positive_traps() {
        for s in [
            "第一次见面",
            "一二三四五",
            "三五成群",
            "一五一十",
            "二〇二四年三月八日",
            "2024年3月8日",
            "12:30",
            "¥1,299.00",
            "价格13,456,789,012元",
            "13.138.123.145",
            "13、14、15、16、17、1",
            "1.0.0",
            "3.14159265358979",
            "2024-03-08 13:45:00",
            "五六七八九十一二三四",
            "一一一一一",
            "我们两三个人去",
            "1314520",
            "1380013800",
            "打1381234567八折",
            "坐标13.812345678",
            "12345678912一起",
        ] {
            assert!(phones(s).is_empty(), "{s}: {:?}", phones(s));
        }
    }

    // --- contact ids --------------------------------------------------------

    #[test]
    fn contact_wechat_ids() {
        assert_eq!(ids("加v：abc123456"), ["加v：abc123456"]);
        assert_eq!(ids("加V abc_12345"), ["加V abc_12345"]);
        assert_eq!(ids("vx:zhangsan666 谢谢"), ["vx:zhangsan666"]);
        assert_eq!(ids("VX: Zhang_San-01"), ["VX: Zhang_San-01"]);
        assert_eq!(ids("微信号是 hello_world8"), ["微信号是 hello_world8"]);
        assert_eq!(ids("薇信：abcdef1"), ["薇信：abcdef1"]);
        assert_eq!(ids("威信-xiaomei88"), ["威信-xiaomei88"]);
        assert_eq!(ids("微x abcdefg"), ["微x abcdefg"]);
        assert_eq!(ids("v信 qwerty12"), ["v信 qwerty12"]);
        assert_eq!(ids("加我微信：abc123456"), ["加我微信：abc123456"]);
        assert_eq!(ids("加vx:abc123456"), ["加vx:abc123456"]);
        assert_eq!(ids("wx: wxabc12345"), ["wx: wxabc12345"]);
        assert_eq!(ids("私聊我 微信abc12345"), ["私聊我 微信abc12345"]);
        assert_eq!(ids("我的wxid_abc12345"), ["wxid_abc12345"]);
        assert_eq!(ids("微信账号：abc12345"), ["微信账号：abc12345"]);
        assert_eq!(ids("vx👉abc123456"), ["vx👉abc123456"]);
        assert_eq!(ids("加qq群：123456789"), ["qq群：123456789"]);
    }

    #[test]
    fn contact_qq_and_phone() {
        assert_eq!(ids("qq 12345678"), ["qq 12345678"]);
        assert_eq!(ids("QQ：1234567890"), ["QQ：1234567890"]);
        assert_eq!(ids("扣扣号:987654321"), ["扣扣号:987654321"]);
        assert_eq!(ids("企鹅 一二三四五六七"), ["企鹅 一二三四五六七"]);
        assert_eq!(ids("qq12345"), ["qq12345"]);
        assert_eq!(ids("扣扣 1 2 3 4 5 6 7 8"), ["扣扣 1 2 3 4 5 6 7 8"]);
        assert_eq!(ids("qq 123-456-789"), ["qq 123-456-789"]);
        assert_eq!(ids("qq 12345 2024年"), ["qq 12345"]);
        assert_eq!(ids("加我 138 1234 5678"), ["加我 138 1234 5678"]);
        assert_eq!(ids("vx13812345678"), ["vx13812345678"]);
        assert_eq!(ids("加v：+86 138 1234 5678"), ["加v：+86 138 1234 5678"]);
        assert_eq!(
            ids("加v：abc123456，qq 12345678"),
            ["加v：abc123456", "qq 12345678"]
        );
    }

    #[test]
    fn contact_traps() {
        for s in [
            "微信支付成功",
            "加我好友吧",
            "qq音乐",
            "QQ空间",
            "私聊",
            "加我 2个",
            "qq: 01234567",
            "qq 1234",
            "qq 1 2 3 4",
            "qq 1 2 3 4 5 6 7 8 9 0 1 2",
            "qq 123456789012345",
            "vxworks123",
            "加vip12345",
            "aqq 12345678",
            "微信: abc",
            "加我 friends on facebook",
            "微信群里聊",
            "wx",
            "",
        ] {
            assert!(ids(s).is_empty(), "{s}: {:?}", ids(s));
        }
        assert!(contact_ids(&chars("vx abc12345"), &[]).is_empty());
        assert!(contact_ids(&chars("vx abc12345"), &[""]).is_empty());
    }

    // --- urls ---------------------------------------------------------------

    #[test]
    fn url_schemes_and_www() {
        assert_eq!(
            links("看 https://example.com/a?b=1 吧"),
            ["https://example.com/a?b=1"]
        );
        assert_eq!(links("http://1.2.3.4:8080/x"), ["http://1.2.3.4:8080/x"]);
        assert_eq!(links("(见http://a.cn/x)"), ["http://a.cn/x"]);
        assert_eq!(links("HTTPS://WWW.BAIDU.COM."), ["HTTPS://WWW.BAIDU.COM"]);
        assert_eq!(links("hxxp://evil.xyz"), ["hxxp://evil.xyz"]);
        assert_eq!(links("http://baidu点com"), ["http://baidu点com"]);
        assert_eq!(links("去www.baidu.com看看"), ["www.baidu.com"]);
        assert_eq!(links("www.example.zz"), ["www.example.zz"]);
        assert_eq!(links("www点58点com"), ["www点58点com"]);
    }

    #[test]
    fn url_bare_domains() {
        for s in [
            "baidu.com",
            "t.cn/abc123",
            "a.b.com.cn",
            "58.com",
            "163.com",
            "abc.top",
            "xx.vip",
            "site.io",
            "my-shop.shop",
            "good.wang",
            "example.org:8080/path",
            "sina.com.cn/news?id=1",
            "baidu点com",
            "baidu點com",
            "xx。cn",
            "xx．cn",
            "xx·cn",
            "baidu dot com",
            "baidu[.]com",
            "baidu(.)com",
            "baidu [dot] com",
            "baidu（.）com",
            "baidu 点 com",
            "evil[.]xyz",
        ] {
            assert_eq!(links(&format!("请访问{s} 谢谢")), [s], "{s}");
        }
        assert_eq!(links("a.com,b.net"), ["a.com", "b.net"]);
    }

    #[test]
    fn url_traps() {
        for s in [
            "report.pdf",
            "index.html",
            "photo.jpg",
            "1.0.0",
            "v1.2.3",
            "3.14",
            "e.g. this",
            "i.e.",
            "mr.wang",
            "今晚8点live直播",
            "12点top榜",
            "a.m.",
            "node.js",
            "user.name = app.run(obj.id)",
            "完成了。好的",
            "abc@qq.com",
            "abc#qq.com",
            "www.baidu",
            "http://",
            "baidu点pdf",
            "..com",
            ".com",
        ] {
            assert!(links(s).is_empty(), "{s}: {:?}", links(s));
        }
    }

    // --- emails -------------------------------------------------------------

    #[test]
    fn emails_plain_and_evasive() {
        for s in [
            "abc@qq.com",
            "12345678@qq.com",
            "john.doe+tag@mail.example.co.uk",
            "abc@example.museum",
            "abc＠qq.com",
            "abc#qq.com",
            "abc艾特qq.com",
            "abc(at)qq.com",
            "abc[at]qq.com",
            "abc [at] qq [dot] com",
            "abc 艾特 qq 点 com",
            "abc@163点com",
            "abc艾特163。com",
        ] {
            assert_eq!(mails(&format!("邮箱：{s}。")), [s], "{s}");
        }
        assert_eq!(mails(".abc@qq.com"), ["abc@qq.com"]);
        assert_eq!(mails("a@b.com,c@d.cn"), ["a@b.com", "c@d.cn"]);
    }

    #[test]
    fn email_traps() {
        for s in [
            "@someone hi",
            "abc@",
            "abc@localhost",
            "abc@qq",
            "c#.net",
            "#话题#",
            "abc#qq.zzz",
            "a@b.c",
            "abc@.com",
            "@.com",
            "艾特qq.com",
            "...@qq.com",
        ] {
            assert!(mails(s).is_empty(), "{s}: {:?}", mails(s));
        }
    }

    // --- resident ids -------------------------------------------------------

    #[test]
    fn resident_id_valid() {
        assert_eq!(make_id("11010519491231002"), "11010519491231002X");
        assert_eq!(rids("身份证11010519491231002X"), ["11010519491231002X"]);
        assert_eq!(rids("身份证11010519491231002x"), ["11010519491231002x"]);
        let id = make_id("44030120000229123");
        assert_eq!(rids(&format!("号码:{id}。")), [id.as_str()]);
        let grouped = format!("{} {} {}", &id[..6], &id[6..14], &id[14..]);
        assert_eq!(rids(&grouped), [grouped.as_str()]);
        let grouped = format!("{}-{}-{}-{}", &id[..6], &id[6..10], &id[10..14], &id[14..]);
        assert_eq!(rids(&grouped), [grouped.as_str()]);
        assert_eq!(rids("旧身份证110105491231002"), ["110105491231002"]);
        assert_eq!(
            rids("１１０１０５１９４９１２３１００２Ｘ"),
            ["１１０１０５１９４９１２３１００２Ｘ"]
        );
    }

    #[test]
    fn resident_id_invalid() {
        let good = make_id("44030120000229123");
        let mut bad_check = good.clone();
        bad_check.pop();
        bad_check.push(if good.ends_with('0') { '1' } else { '0' });
        for s in [
            bad_check,
            make_id("44030119990229123"), // 1999 was not a leap year
            make_id("44030120001301123"), // month 13
            make_id("44030118991231123"), // year before 1900
            make_id("94030120000101123"), // region 9
            make_id("04030120000101123"), // region 0
            format!("9{good}"),           // inside a longer run
            format!("{good}1"),
            format!("{}x", &good[..17]).replace('x', "xy"),
            "110105491331002".to_string(),  // month 13 (legacy)
            "1101054912310021".to_string(), // 16 digits
            "123456789012345678".to_string(),
            format!("SF{good}"),
            format!("{} {} {} 1234", &good[..6], &good[6..14], &good[14..]),
        ] {
            assert!(rids(&s).is_empty(), "{s}: {:?}", rids(&s));
        }
    }

    // --- bank cards ---------------------------------------------------------

    #[test]
    fn bank_cards_valid() {
        let up16 = make_card("621700123456789");
        let up19 = make_card("622202123456789012");
        for s in [
            "4111111111111111".to_string(),
            "4111 1111 1111 1111".to_string(),
            "4111-1111-1111-1111".to_string(),
            "5500000000000004".to_string(),
            "5555 5555 5555 4444".to_string(),
            "2221000000000009".to_string(),
            "378282246310005".to_string(),
            "3782 822463 10005".to_string(),
            "6011111111111117".to_string(),
            "3530111333300000".to_string(),
            "4222222222222".to_string(),
            up16.clone(),
            up19.clone(),
            format!(
                "{} {} {} {} {}",
                &up19[..4],
                &up19[4..8],
                &up19[8..12],
                &up19[12..16],
                &up19[16..]
            ),
            format!("{} {}", &up19[..6], &up19[6..]),
        ] {
            assert_eq!(cards(&format!("卡号：{s}，")), [s.as_str()], "{s}");
        }
    }

    #[test]
    fn bank_card_traps() {
        let id = make_id("62010119900307123");
        let id_is_card = valid_card(&chars(&id));
        assert!(!id_is_card);
        for s in [
            "4111111111111112".to_string(),              // Luhn fails
            "94111111111111111".to_string(),             // no issuer 9
            "1234567812345670".to_string(),              // Luhn ok, no issuer
            "04111111111111111".to_string(),             // longer run
            "41111111111111110".to_string(),             // 17 digits but Luhn-bad
            "4111 1111 1111 1111 1111 1111".to_string(), // too long
            "1234 4111 1111 1111 1111".to_string(),      // part of a longer grouping
            "4111 1111-1111 1111".to_string(),           // mixed separators
            "411 1111 1111 1111 1".to_string(),          // odd grouping
            "13812345678".to_string(),
            "YT4111111111111111".to_string(), // part of a parcel code
            "4111111111111111abc".to_string(),
            id,
        ] {
            assert!(cards(&s).is_empty(), "{s}: {:?}", cards(&s));
        }
        assert!(phones("4111 1111 1111 1111").is_empty());
    }

    /// Writes ASCII digits as Chinese numerals (`0` as 零).
    fn han(s: &str) -> String {
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => "零一二三四五六七八九".chars().nth(d as usize).unwrap_or(c),
                None => c,
            })
            .collect()
    }

    /// Writes ASCII digits as financial numerals (`0` as 零).
    fn han_financial(s: &str) -> String {
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => "零壹贰叁肆伍陆柒捌玖".chars().nth(d as usize).unwrap_or(c),
                None => c,
            })
            .collect()
    }

    #[test]
    fn bank_card_issuers_of_chinese_banks() {
        assert_eq!(make_card("601382712345678"), "6013827123456780");
        for body in [
            "601382712345678",    // Bank of China (Great Wall debit)
            "601382081234567890", // the 19-digit form
            "601428123456789",    // Bank of Communications
            "955880123456789012", // ICBC
            "955990123456789012", // Agricultural Bank
            "955550123456789",    // China Merchants
            "690755123456789",    // China Merchants
            "955100123456789012", // Postal Savings
            "998801123456789",    // Ping An
            "644012345678901",    // Discover
        ] {
            let card = make_card(body);
            assert_eq!(cards(&format!("卡号{card}")), [card.as_str()], "{card}");
        }
        assert_eq!(
            cards("６０１３８２７１２３４５６７８０"),
            ["６０１３８２７１２３４５６７８０"]
        );
        // No issuer: other 60 / 9 prefixes, and domestic BINs at a short length.
        for body in [
            "601234123456789",
            "609999123456789",
            "900000123456789",
            "955770123456789",
            "941111111111111",
            "601382123456",
        ] {
            let card = make_card(body);
            assert!(cards(&card).is_empty(), "{card}");
        }
    }

    #[test]
    fn bank_card_separators() {
        let card = "4367421234567896";
        assert!(luhn(&digits_of(&chars(card)).unwrap_or_default()));
        let groups = [&card[..4], &card[4..8], &card[8..12], &card[12..]];
        for sep in [
            "\u{200b}",
            "\u{200c}",
            "\u{200d}",
            "\u{2060}",
            "\u{feff}",
            "\u{200b}\u{200b}",
            " \u{200b}",
            "·",
            "・",
            ".",
            "．",
            "_",
            "\u{a0}",
        ] {
            let s = groups.join(sep);
            assert_eq!(cards(&format!("卡号{s}，")), [s.as_str()], "{sep:?}");
        }
        let up19 = make_card("622202123456789012");
        let dotted = format!(
            "{}.{}.{}.{}.{}",
            &up19[..4],
            &up19[4..8],
            &up19[8..12],
            &up19[12..16],
            &up19[16..]
        );
        assert_eq!(cards(&dotted), [dotted.as_str()]);
        // Invisible characters anywhere: the digits read as one number.
        for s in [
            "43\u{200b}674212345\u{200b}67896",
            "4367\u{200b}4212 3456 7896",
            "\u{feff}4367421234567896",
        ] {
            let want = s.trim_start_matches('\u{feff}');
            assert_eq!(cards(s), [want], "{s:?}");
        }
    }

    #[test]
    fn bank_card_separator_traps() {
        for s in [
            "4367\u{200b}4212\u{200b}3456\u{200b}7896\u{200b}1234", // one longer number
            "4367421234567896\u{200b}12",
            "12\u{200b}4367421234567896",
            "3782.822463.10005",             // weak separator, not groups of four
            "4367.4212-3456.7896",           // mixed separators
            "4367.4212.3456.7896.1234.5678", // too long
            "1.4367.4212.3456.7896",
            "4367 4212 3456\u{200b}78961",
            "v4367.4212.3456.7896",
            "2024.0308.1234.5678",
            "1234_5678_9012_3456",
        ] {
            assert!(cards(s).is_empty(), "{s:?}: {:?}", cards(s));
        }
        let id = make_id("11010519491231002");
        let dotted = format!("{}.{}.{}", &id[..6], &id[6..14], &id[14..]);
        assert!(rids(&dotted).is_empty(), "{dotted}");
        let zw = format!("{}\u{200b}{}\u{200b}{}", &id[..6], &id[6..14], &id[14..]);
        assert_eq!(rids(&zw), [zw.as_str()]);
    }

    #[test]
    fn bank_cards_in_chinese_numerals() {
        assert_eq!(
            cards("卡号六二二一五零一二三四五六七八九零一二九"),
            ["六二二一五零一二三四五六七八九零一二九"]
        );
        let up19 = make_card("622202123456789012");
        let visa = "4111111111111111";
        for s in [
            han(&up19),
            han_financial(&up19),
            han(visa),
            han_financial(visa),
            han(visa).replace('一', "幺"),
            format!("{}{}", &up19[..8], han(&up19[8..])),
            format!(
                "{} {} {} {}",
                han(&visa[..4]),
                &visa[4..8],
                han(&visa[8..12]),
                &visa[12..]
            ),
            "④①①①①①①①①①①①①①①①".to_string(),
        ] {
            assert_eq!(cards(&format!("卡号：{s}。")), [s.as_str()], "{s}");
        }
    }

    #[test]
    fn chinese_numeral_traps() {
        let up19 = make_card("622202123456789012");
        for s in [
            "一二三四五六七八九十".to_string(),
            "一二三四五六七八九十一二三四五六七八九十".to_string(),
            "三点一四一五九二六五三五八九七九三二三八四六二六".to_string(),
            "二〇二四年三月八日".to_string(),
            "一一一一一一一一一一一一一一一一".to_string(),
            "六六六六六六六六六六六六六六六六".to_string(),
            format!("{}十", han(&up19)),
            format!("{}万", han(&up19)),
            format!("点{}", han(&up19)),
            format!("一{}", han(&up19)),
            // One numeral in the run is not a digit: the run does not convert.
            han(&up19).replacen('二', "十", 2),
            format!("{}十{}", han(&up19[..9]), han(&up19[10..])),
        ] {
            assert!(cards(&s).is_empty(), "{s}: {:?}", cards(&s));
            assert!(rids(&s).is_empty(), "{s}: {:?}", rids(&s));
        }
    }

    #[test]
    fn resident_ids_in_chinese_numerals() {
        let id = make_id("44030120000229123");
        for s in [
            han(&id),
            han_financial(&id),
            format!("{} {} {}", han(&id[..6]), han(&id[6..14]), han(&id[14..])),
        ] {
            assert_eq!(rids(&format!("身份证{s}。")), [s.as_str()], "{s}");
        }
        let old = make_id("11010519491231002");
        assert_eq!(han(&old), "一一零一零五一九四九一二三一零零二X");
        assert_eq!(rids(&han(&old)), [han(&old)]);
        assert!(rids(&format!("{}千", han(&id))).is_empty());
    }

    #[test]
    fn confusable_latin_in_ids_and_addresses() {
        // Cyrillic х, у, а, е, о, с, к, Greek ο, ν, Α, Κ.
        assert_eq!(ids("vх：abc_123456"), ["vх：abc_123456"]);
        assert_eq!(ids("VХ: аbc_12345"), ["VХ: аbc_12345"]);
        assert_eq!(ids("wх abcdef12"), ["wх abcdef12"]);
        assert_eq!(ids("qq：kеfu888"), ["qq：kеfu888"]);
        assert_eq!(ids("νx abcdef12"), ["νx abcdef12"]);
        assert_eq!(ids("加v：zhаngsаn_01"), ["加v：zhаngsаn_01"]);
        assert_eq!(mails("联系 kefu@luckу88.com"), ["kefu@luckу88.com"]);
        assert_eq!(mails("kеfu@lucky88.соm"), ["kеfu@lucky88.соm"]);
        assert_eq!(mails("ΑDMIN@ΚΑSINO.com"), ["ΑDMIN@ΚΑSINO.com"]);
        assert_eq!(links("www.еxаmple-bet.com"), ["www.еxаmple-bet.com"]);
        assert_eq!(links("去 lucky88.сом 看"), ["lucky88.сом"]);
        assert_eq!(links("gοοgle.com"), ["gοοgle.com"]);
        assert_eq!(links("https://bеt.xyz/a"), ["https://bеt.xyz/a"]);
        let s = "中文vх：abc_123456";
        assert_eq!(
            contact_ids(&chars(s), CUES),
            [Span {
                start: 2,
                end: s.chars().count()
            }]
        );
    }

    #[test]
    fn cyrillic_and_greek_prose_traps() {
        for s in [
            "vx: привет мир",
            "加我 Москва",
            "qq Мама",
            "微信 Καλημέρα κόσμε",
            "vx сосок",
            "vx: abcд12345",
            "Моя почта: нет",
            "Он сказал: ок.",
            "ΚΑΤΟ ΑΠΟ ΤΗΝ ΚΟΣΜΟ",
            "сайт.рф",
            "сосок.сом",
            "Привет.Мир",
            "Привет.com",
            "почта@сайт.ру",
            "ΑΒΓ.ΕΖΗ",
            "Ηλεκτρονική διεύθυνση: ο@ο.ο",
        ] {
            assert!(ids(s).is_empty(), "{s}: {:?}", ids(s));
            assert!(links(s).is_empty(), "{s}: {:?}", links(s));
            assert!(mails(s).is_empty(), "{s}: {:?}", mails(s));
        }
    }

    #[test]
    fn order_numbers_and_dates_are_not_cards() {
        for s in [
            "订单号：2024030812345678901",
            "订单号 20240308 1234 5678",
            "单号SF1234567890123",
            "2024-03-08 13:45:00",
            "2024.03.08",
            "2024年03月08日",
            "二〇二四年三月八日",
            "流水号 0000 1234 5678 9012",
            "1234-5678-9012-3456",
            "价格 ¥4,111,111,111,111,111",
        ] {
            assert!(cards(s).is_empty(), "{s}: {:?}", cards(s));
            assert!(rids(s).is_empty(), "{s}: {:?}", rids(s));
        }
    }

    // --- robustness -----------------------------------------------------------

    /// A tiny deterministic generator (xorshift64*), so the test needs no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const ALPHABET: &str = "0123456789０１２一二三四五六七八九〇零壹贰幺两①⑨ \
        -._/|·,，、。()（）[]【】:：@#+xX艾特点dot wwwhttps:/qqvx微信加我\
        comcnnettopabcxyz\u{200b}\u{2060}\u{feff}🌸好的年月日¥$%&*~！？\
        хуаеосΑΚον十万点陆贰壹";

    fn random_text(rng: &mut Rng, alphabet: &[char]) -> Vec<char> {
        let len = rng.below(120);
        (0..len)
            .map(|_| {
                if rng.below(8) == 0 {
                    // Any scalar value (surrogates are not chars).
                    loop {
                        let u = (rng.next() % 0x11_0000) as u32;
                        if let Some(c) = char::from_u32(u) {
                            break c;
                        }
                    }
                } else {
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect()
    }

    fn check_spans(input: &[char], spans: &[Span]) {
        let mut prev_end = 0;
        for s in spans {
            assert!(s.start < s.end && s.end <= input.len(), "{s:?}");
            assert!(s.start >= prev_end, "overlap {spans:?}");
            prev_end = s.end;
        }
    }

    fn run_all(input: &[char]) {
        check_spans(input, &phone_numbers(input));
        check_spans(input, &contact_ids(input, CUES));
        check_spans(input, &urls(input));
        check_spans(input, &emails(input));
        check_spans(input, &resident_ids(input));
        check_spans(input, &bank_cards(input));
    }

    #[test]
    fn random_inputs_never_panic_and_spans_are_well_formed() {
        let alphabet = chars(ALPHABET);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let input = random_text(&mut rng, &alphabet);
            run_all(&input);
        }
    }

    #[test]
    fn adversarial_long_inputs_finish() {
        let n = 20_000;
        let inputs: Vec<Vec<char>> = vec![
            "1 ".repeat(n).chars().collect(),
            "1".repeat(n).chars().collect(),
            "一".repeat(n).chars().collect(),
            "a点".repeat(n).chars().collect(),
            "a.".repeat(n).chars().collect(),
            "a@".repeat(n).chars().collect(),
            "a#a.".repeat(n).chars().collect(),
            "qq ".repeat(n).chars().collect(),
            "微信".repeat(n).chars().collect(),
            "1234 ".repeat(n).chars().collect(),
            "http://".repeat(n).chars().collect(),
            "a".repeat(n).chars().collect(),
            "(".repeat(n).chars().collect(),
            "4367\u{200b}".repeat(n).chars().collect(),
            "六二".repeat(n).chars().collect(),
            "aх".repeat(n).chars().collect(),
            "а.a@".repeat(n).chars().collect(),
        ];
        for input in &inputs {
            run_all(input);
        }
    }

    #[test]
    fn offsets_are_char_offsets() {
        let s = "中文🌸13812345678";
        let sp = phone_numbers(&chars(s));
        assert_eq!(sp, [Span { start: 3, end: 14 }]);
    }
}
