//! The coverage test: every numbered clause of a book's part of its seed must
//! be a rule, a penalty branch, or an explicit exclusion.
//!
//! Clauses are extracted from the seed text by the numbering styles the book
//! enables (`[book.numbering]`): dotted numbers at line start (`3.5.11.5`),
//! top-level numbers (`1. 应用基本信息`), parenthesised items under the nearest
//! heading (`(7)` under `2.3` → `2.3.7`), lettered items under those
//! (`a.` → `2.3.10.a`), numbered items of a 处理规则 block (`5.7.penalty.1`),
//! articles (`第三条` → `3`) and Markdown lists under Chinese-numbered sections
//! (`四、` then the 4th `1.` → `4.4`). A number that repeats within a book (a
//! typo in the seed) is reported the second time as `N-b`, the third as `N-c`.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::{BookHeader, Numbering};
use crate::seeds::Seeds;
use crate::Rulebook;

/// A numbered clause found in a seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedClause {
    /// Book key.
    pub book: String,
    /// Clause (after `BOOK/`).
    pub clause: String,
    /// 1-based line in the seed.
    pub line: usize,
    /// The line's text (trimmed, shortened).
    pub text: String,
}

/// The result of comparing a rulebook with its seeds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Numbered clauses found in the seeds.
    pub clauses: usize,
    /// Clauses that are neither a rule, a branch nor an exclusion.
    pub missing: Vec<SeedClause>,
    /// Books whose seed file could not be found.
    pub missing_seeds: Vec<String>,
    /// Exclusions (book, clause) that match no numbered clause of the seed:
    /// harmless, but often a typo in the clause.
    pub unmatched_exclusions: Vec<(String, String)>,
}

fn chinese_numeral(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// Strips list bullets, Markdown heading marks and emphasis from a line start.
fn strip_marks(line: &str) -> &str {
    let mut t = line.trim();
    loop {
        let before = t;
        t = t
            .trim_start_matches(['-', '*', '•', '#', '>', '·'])
            .trim_start();
        if t == before {
            return t;
        }
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// `3.5.11.5 …` → "3.5.11.5" when followed by a space, a CJK character or an
/// opening bracket, with no zero segment (so `3.5MB` and `1.0.0` never count).
fn dotted(t: &str) -> Option<String> {
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let num = t[..end].trim_end_matches('.');
    if !num.contains('.') || num.split('.').any(|seg| seg.is_empty() || seg == "0") {
        return None;
    }
    let next = t[end..].chars().next();
    let ok = match next {
        None => true,
        Some(c) => c.is_whitespace() || is_cjk(c) || "（(【“《".contains(c),
    };
    ok.then(|| num.to_string())
}

/// `1. 标题` / `1、标题` / `1．标题` → 1.
fn top_level(t: &str) -> Option<u32> {
    let end = t.find(|c: char| !c.is_ascii_digit())?;
    if end == 0 {
        return None;
    }
    let rest = &t[end..];
    let mut cs = rest.chars();
    let sep = cs.next()?;
    if !".、．".contains(sep) {
        return None;
    }
    let after = cs.next();
    if after.is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    t[..end].parse().ok()
}

/// `(7)` / `（7）` → 7.
fn parenthesised(t: &str) -> Option<u32> {
    let t = t.strip_prefix('(').or_else(|| t.strip_prefix('（'))?;
    let end = t.find(|c: char| !c.is_ascii_digit())?;
    let rest = &t[end..];
    if !(rest.starts_with(')') || rest.starts_with('）')) {
        return None;
    }
    t[..end].parse().ok()
}

/// `a. …` / `a、…` → 'a'.
fn lettered(t: &str) -> Option<char> {
    let mut cs = t.chars();
    let c = cs.next()?;
    let sep = cs.next()?;
    (c.is_ascii_lowercase() && ".、．)".contains(sep)).then_some(c)
}

/// `第三条 …` → 3.
fn article(t: &str) -> Option<u32> {
    let rest = t.strip_prefix('第')?;
    let end = rest.find('条')?;
    chinese_numeral(&rest[..end])
}

/// `一、原则` → 1.
fn chinese_section(t: &str) -> Option<u32> {
    let end = t.find('、')?;
    chinese_numeral(&t[..end])
}

/// `1、…` → 1 (the items of a 处理规则 block use the enumeration comma; a
/// `6. 标题` after the block is the next heading, not an item).
fn penalty_item(t: &str) -> Option<u32> {
    let end = t.find(|c: char| !c.is_ascii_digit())?;
    (end > 0 && t[end..].starts_with('、'))
        .then(|| t[..end].parse().ok())
        .flatten()
}

/// Where the extractor is in the numbering of one line range.
#[derive(Debug, Default)]
struct State {
    /// Slug prefix of the current unnumbered section, if any.
    prefix: Option<String>,
    /// The nearest numbered heading (full clause).
    heading: Option<String>,
    /// The heading a 违规内容 block belongs to (owner of its 处理规则).
    owner: Option<String>,
    /// The rule whose 处理规则 items are being read.
    penalty_of: Option<String>,
    /// The last parenthesised item (full clause) and its number.
    paren: Option<String>,
    paren_last: Option<u32>,
    /// The last top-level number.
    top_last: Option<u32>,
    /// Markdown-list section and item counter.
    section: Option<u32>,
    item: u32,
}

impl State {
    fn prefixed(&self, clause: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{p}.{clause}"),
            None => clause.to_string(),
        }
    }

    fn set_heading(&mut self, clause: String) {
        // A sub-clause (5.13.1) stays inside its owner's block (5.13), whose
        // 处理规则 follows the sub-clauses.
        let inside_owner = self
            .owner
            .as_ref()
            .is_some_and(|o| clause.starts_with(&format!("{o}.")));
        if !inside_owner {
            self.owner = None;
        }
        self.heading = Some(clause);
        self.paren = None;
        self.paren_last = None;
        self.penalty_of = None;
    }

    /// A top-level `N.` line. When it continues the top-level sequence (or
    /// starts it) it is the next top-level clause; otherwise it is an item of
    /// the current heading: a list restarted under it (`2. ICP 备案` then
    /// `1. …` → `2.1`) or a `(n)` run the seed wrote as `2.`.
    fn top_level(
        &mut self,
        k: u32,
        lineno: usize,
        t: &str,
        out: &mut Vec<SeedClause>,
        push: &mut impl FnMut(String, usize, &str, &mut Vec<SeedClause>) -> String,
    ) {
        let next_top = self.top_last.is_none_or(|l| k == l + 1);
        if !next_top {
            if let Some(h) = self.heading.clone() {
                let c = push(format!("{h}.{k}"), lineno, t, out);
                self.paren = Some(c);
                self.paren_last = Some(k);
                return;
            }
        }
        let c = push(self.prefixed(&k.to_string()), lineno, t, out);
        self.set_heading(c);
        self.top_last = Some(k);
    }
}

/// Extracts the numbered clauses of one book from its seed text.
pub fn extract(header: &BookHeader, seed_text: &str) -> Vec<SeedClause> {
    let n: &Numbering = &header.numbering;
    if n.none {
        return Vec::new();
    }
    let lines: Vec<&str> = seed_text.lines().collect();
    let ranges: Vec<[usize; 2]> = if header.lines.is_empty() {
        vec![[1, lines.len()]]
    } else {
        header.lines.clone()
    };
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |clause: String, line: usize, text: &str, out: &mut Vec<SeedClause>| {
        let mut c = clause.clone();
        let mut suffix = b'b';
        while !seen.insert(c.clone()) {
            c = format!("{clause}-{}", suffix as char);
            suffix += 1;
        }
        out.push(SeedClause {
            book: header.key.clone(),
            clause: c.clone(),
            line,
            text: text.chars().take(40).collect(),
        });
        c
    };
    for [from, to] in ranges {
        let mut st = State::default();
        for (i, raw) in lines
            .iter()
            .enumerate()
            .take(to.min(lines.len()))
            .skip(from.saturating_sub(1))
        {
            let lineno = i + 1;
            let t = strip_marks(raw).replace("**", "");
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            if let Some(sec) = n
                .sections
                .iter()
                .find(|s| t.starts_with(s.heading.as_str()))
            {
                st = State {
                    prefix: Some(sec.prefix.clone()),
                    heading: Some(sec.prefix.clone()),
                    ..State::default()
                };
                continue;
            }
            if t.starts_with("违规内容") {
                st.owner = st.heading.clone();
                continue;
            }
            if n.penalty_items && t.starts_with("处理规则") {
                st.penalty_of = st.owner.clone().or_else(|| st.heading.clone());
                continue;
            }
            if n.markdown_lists {
                if let Some(s) = chinese_section(t) {
                    st.section = Some(s);
                    st.item = 0;
                    continue;
                }
                if let (Some(s), Some(_)) = (st.section, top_level(t)) {
                    st.item += 1;
                    push(format!("{s}.{}", st.item), lineno, t, &mut out);
                    continue;
                }
            }
            if n.articles {
                if let Some(a) = article(t) {
                    let c = push(a.to_string(), lineno, t, &mut out);
                    st.set_heading(c);
                    continue;
                }
            }
            if n.dotted {
                if let Some(d) = dotted(t) {
                    let c = push(st.prefixed(&d), lineno, t, &mut out);
                    st.set_heading(c);
                    continue;
                }
            }
            if let Some(rule) = &st.penalty_of {
                if let Some(k) = penalty_item(t) {
                    push(format!("{rule}.penalty.{k}"), lineno, t, &mut out);
                    continue;
                }
            }
            if n.top_level && !n.markdown_lists {
                if let Some(k) = top_level(t) {
                    st.top_level(k, lineno, t, &mut out, &mut push);
                    continue;
                }
            }
            if n.parenthesised {
                if let (Some(k), Some(h)) = (parenthesised(t), st.heading.clone()) {
                    let c = push(format!("{h}.{k}"), lineno, t, &mut out);
                    st.paren = Some(c);
                    st.paren_last = Some(k);
                    continue;
                }
            }
            if n.lettered {
                if let (Some(l), Some(p)) = (lettered(t), &st.paren) {
                    push(format!("{p}.{l}"), lineno, t, &mut out);
                }
            }
        }
    }
    out
}

/// Compares every book of the rulebook with its seed.
pub fn check(book: &Rulebook, seeds: &Seeds) -> Coverage {
    let mut cov = Coverage::default();
    for b in book.books() {
        let Some(seed) = seeds.get(&b.header.seed) else {
            cov.missing_seeds.push(b.header.key.clone());
            continue;
        };
        let covered: HashSet<String> = b
            .rules(book)
            .flat_map(|r| {
                let branches = r
                    .penalty
                    .iter()
                    .flat_map(|p| p.branches.iter().map(|br| br.id.clone()))
                    .collect::<Vec<_>>();
                std::iter::once(r.id.clone()).chain(branches)
            })
            .filter_map(|id| id.split_once('/').map(|(_, c)| c.to_string()))
            .chain(b.exclusions.iter().map(|e| e.clause.clone()))
            .collect();
        let found = extract(&b.header, &seed.text);
        let found_clauses: HashSet<&str> = found.iter().map(|c| c.clause.as_str()).collect();
        if !b.header.numbering.none {
            for e in &b.exclusions {
                if !found_clauses.contains(e.clause.as_str()) {
                    cov.unmatched_exclusions
                        .push((b.header.key.clone(), e.clause.clone()));
                }
            }
        }
        for c in found {
            cov.clauses += 1;
            if !covered.contains(&c.clause) {
                cov.missing.push(c);
            }
        }
    }
    cov
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(numbering: Numbering) -> BookHeader {
        BookHeader {
            key: "t".into(),
            title: "t".into(),
            title_en: "t".into(),
            seed: "s.txt".into(),
            date: None,
            scope: None,
            lines: Vec::new(),
            numbering,
        }
    }

    fn clauses(numbering: Numbering, text: &str) -> Vec<String> {
        extract(&header(numbering), text)
            .into_iter()
            .map(|c| c.clause)
            .collect()
    }

    #[test]
    fn numbering_styles() {
        let text = "1. 应用基本信息\n- (1) 名称\n- (2) 简介\n2.3 禁止赌博\n- (10) 若应用\n - a. 投入\n - b. 奖励\n大小在3.5MB以内\n1.0.0 版本\n5.7 类目不符行为\n处理规则\n1、金融类：\n2、红包类：\n5.8 游戏测试行为\n  5.8.1 不允许\n(3) 重复\n(3) 重复";
        assert_eq!(
            clauses(Numbering::default(), text),
            [
                "1",
                "1.1",
                "1.2",
                "2.3",
                "2.3.10",
                "2.3.10.a",
                "2.3.10.b",
                "5.7",
                "5.7.penalty.1",
                "5.7.penalty.2",
                "5.8",
                "5.8.1",
                "5.8.1.3",
                "5.8.1.3-b"
            ]
        );
    }

    #[test]
    fn restarted_lists_and_penalty_owners() {
        let text = "1. ICP 许可证\n2. ICP 备案\n1. 证明\n2. 流程\n3. 常见 FAQ\n3.1 什么是\n4.2.9 深度合成\n2.合作协议\n(3) 评估报告\n5.13 虚拟支付行为\n违规内容\n  5.13.1 付费购买\n处理规则\n1、限期3天整改\n4. 信息内容规范";
        assert_eq!(
            clauses(Numbering::default(), text),
            [
                "1",
                "2",
                "2.1",
                "2.2",
                "3",
                "3.1",
                "4.2.9",
                "4.2.9.2",
                "4.2.9.3",
                "5.13",
                "5.13.1",
                "5.13.penalty.1",
                "4"
            ]
        );
    }

    #[test]
    fn articles_and_markdown_lists() {
        let n = Numbering {
            articles: true,
            top_level: false,
            ..Numbering::default()
        };
        assert_eq!(
            clauses(n, "第十二条 通则\n- 12.1 定义\n第三条 账号"),
            ["12", "12.1", "3"]
        );
        let n = Numbering {
            markdown_lists: true,
            ..Numbering::default()
        };
        assert_eq!(
            clauses(
                n,
                "###### **一、原则**\n1. 为维护\n1. 本规则\n###### **四、处理**\n1. 一\n1. 二"
            ),
            ["1.1", "1.2", "4.1", "4.2"]
        );
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_numeral("三"), Some(3));
        assert_eq!(chinese_numeral("十"), Some(10));
        assert_eq!(chinese_numeral("十二"), Some(12));
        assert_eq!(chinese_numeral("二十"), Some(20));
        assert_eq!(chinese_numeral("二十三"), Some(23));
        assert_eq!(chinese_numeral("甲"), None);
    }
}
