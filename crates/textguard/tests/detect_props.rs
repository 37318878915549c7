//! Property tests for the detectors (`bylaw_textguard::detect`): they never
//! panic and return sorted, non-overlapping, in-bounds spans on arbitrary
//! input; and evasions (separators, numeral styles, look-alike letters) do
//! not hide what the plain form shows.
//!
//! `CASES=20000 cargo test -p bylaw-textguard --test detect_props` runs a
//! longer search.

use bylaw_textguard::detect::{
    bank_cards, contact_ids, emails, phone_numbers, resident_ids, urls, Span,
};
use proptest::prelude::*;

const CUES: &[&str] = &["加v", "vx", "wx", "微信", "qq", "扣扣", "加我", "私聊"];

fn cases(default: u32) -> u32 {
    std::env::var("CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn well_formed(input: &[char], spans: &[Span]) -> bool {
    let mut prev = 0;
    spans.iter().all(|s| {
        let ok = s.start < s.end && s.end <= input.len() && s.start >= prev;
        prev = s.end;
        ok
    })
}

fn all_ok(v: &[char]) -> bool {
    well_formed(v, &phone_numbers(v))
        && well_formed(v, &contact_ids(v, CUES))
        && well_formed(v, &urls(v))
        && well_formed(v, &emails(v))
        && well_formed(v, &resident_ids(v))
        && well_formed(v, &bank_cards(v))
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn text(v: &[char], s: &Span) -> String {
    v[s.start..s.end].iter().collect()
}

/// `body` followed by its Luhn check digit.
fn with_luhn(body: &[u8]) -> Vec<u8> {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    let mut d = body.to_vec();
    d.push(((10 - sum % 10) % 10) as u8);
    d
}

/// A digit written in one of several styles.
fn styled(d: u8, style: u8) -> char {
    let i = usize::from(d);
    match style {
        0 => char::from(b'0' + d),
        1 => char::from_u32(0xFF10 + u32::from(d)).unwrap_or('0'),
        2 => "零一二三四五六七八九".chars().nth(i).unwrap_or('零'),
        _ => "零壹贰叁肆伍陆柒捌玖".chars().nth(i).unwrap_or('零'),
    }
}

/// Cyrillic and Greek twins of Latin letters.
fn twin(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        'k' => 'к',
        'i' => 'і',
        'j' => 'ј',
        's' => 'ѕ',
        'h' => 'һ',
        'v' => 'ν',
        't' => 'τ',
        _ => return None,
    })
}

/// `s` with the letters picked by `mask` swapped for their twins; the first
/// character of each token is kept, so every token keeps a Latin letter.
fn spoof(s: &str, mask: &[bool]) -> String {
    let mut first = true;
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            let keep = first;
            first = !(c.is_ascii_alphanumeric() || "_-.@".contains(c));
            match twin(c) {
                Some(t) if !keep && mask.get(i % mask.len().max(1)) == Some(&true) => t,
                _ => c,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(600)))]

    #[test]
    fn arbitrary_unicode(v in proptest::collection::vec(any::<char>(), 0..160)) {
        prop_assert!(all_ok(&v));
    }

    #[test]
    fn structured(s in "[0-9０-９一二三六幺零十点 \\-.·_@#xX。wqv信微:/()\\[\\]a-zхуаο\u{200b}\u{2060}]{0,120}") {
        let v = chars(&s);
        prop_assert!(all_ok(&v));
    }

    #[test]
    fn phone_embedded(
        prefix in "[a-z年月日号电话，。 :：+(]{0,5}",
        d in 3u8..10,
        rest in "[0-9]{9}",
        suffix in "[a-z年月日号，。 !?]{0,5}",
    ) {
        let s = format!("{prefix}1{d}{rest}{suffix}");
        let v = chars(&s);
        let hits = phone_numbers(&v);
        let want = format!("1{d}{rest}");
        prop_assert!(hits.iter().any(|h| text(&v, h).ends_with(&want)), "{s:?} {hits:?}");
    }

    /// A valid card (16, 17 or 19 digits: 18 could be a resident ID) is found
    /// whole, in any digit style (one per card) and with any separator between
    /// groups of four.
    #[test]
    fn card_embedded(
        bin in prop::sample::select(vec![
            "622202", "621700", "436742", "601382", "955880", "955990", "411111", "625908",
        ]),
        rest in prop::sample::select(vec![9usize, 10, 12])
            .prop_flat_map(|n| proptest::collection::vec(0u8..10, n)),
        style in 0u8..4,
        sep in prop::sample::select(vec![
            "", " ", "-", ".", "_", "·", "\u{200b}", "\u{2060}", "\u{feff}", "\u{200b} ",
        ]),
        lead in "[卡号是：， ]{0,3}",
        tail in "[，。谢 ]{0,3}",
    ) {
        let mut body: Vec<u8> = bin.bytes().map(|b| b - b'0').collect();
        body.extend(&rest);
        let digits = with_luhn(&body);
        let mut card = String::new();
        for (i, &d) in digits.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                card.push_str(sep);
            }
            card.push(styled(d, style));
        }
        let s = format!("{lead}{card}{tail}");
        let v = chars(&s);
        let hits: Vec<String> = bank_cards(&v).iter().map(|h| text(&v, h)).collect();
        prop_assert_eq!(hits, vec![card.clone()], "{:?}", s);
    }

    /// Chinese prose with numerals never yields a card or ID whose run
    /// touches a numeral that is not a digit.
    #[test]
    fn numeral_prose(s in "[一二三四五六七八九十百千万零两点年月日个第 ，]{0,80}") {
        let v = chars(&s);
        for h in bank_cards(&v).iter().chain(resident_ids(&v).iter()) {
            let before = h.start.checked_sub(1).and_then(|k| v.get(k)).copied();
            let after = v.get(h.end).copied();
            let words = "十百千万点";
            prop_assert!(!before.is_some_and(|c| words.contains(c)), "{s:?} {h:?}");
            prop_assert!(!after.is_some_and(|c| words.contains(c)), "{s:?} {h:?}");
            prop_assert!(v[h.start..h.end].iter().all(|c| !words.contains(*c)), "{s:?} {h:?}");
        }
    }

    /// Look-alike letters in an address or id change nothing: the spans are
    /// those of the plain form (one character for one).
    #[test]
    fn lookalikes_change_nothing(
        // Not starting with a cue ("vx1234…" is an id as well).
        local in "[a-pr-uy-z][a-z0-9]{2,10}",
        domain in "[a-pr-uy-z][a-z0-9]{1,10}",
        tld in prop::sample::select(vec!["com", "cn", "net", "top", "vip"]),
        id in "[a-z][a-z0-9_]{5,15}",
        mask in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        let plain = format!("邮箱 {local}@{domain}.{tld}，网址 {domain}.{tld}/x，vx：{id}。");
        let fake = spoof(&plain, &mask);
        let (p, f) = (chars(&plain), chars(&fake));
        prop_assert_eq!(emails(&p), emails(&f), "{}", fake);
        prop_assert_eq!(urls(&p), urls(&f), "{}", fake);
        prop_assert_eq!(contact_ids(&p, CUES), contact_ids(&f, CUES), "{}", fake);
        prop_assert_eq!(emails(&p).len(), 1);
        prop_assert_eq!(contact_ids(&p, CUES).len(), 1);
    }
}
