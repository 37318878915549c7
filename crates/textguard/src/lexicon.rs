//! Lexicon files: parsing and validation (format in `docs/TEXTGUARD.md`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A content category of the taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// 涉政.
    Politics,
    /// 色情.
    Porn,
    /// 低俗.
    Vulgar,
    /// 辱骂.
    Abuse,
    /// 暴力血腥.
    Violence,
    /// 恐怖主义.
    Terror,
    /// 赌博.
    Gambling,
    /// 毒品.
    Drugs,
    /// 违禁品 (weapons, counterfeit, organs…).
    Contraband,
    /// 欺诈.
    Fraud,
    /// 广告.
    Ad,
    /// 导流 (contact ids, phone numbers, links, QR codes).
    Diversion,
    /// 诱导分享.
    InducedSharing,
    /// 广告法极限词.
    Absolute,
    /// 侵权.
    Copyright,
    /// 个人隐私.
    Privacy,
    /// 未成年人.
    Minors,
    /// 封建迷信.
    Superstition,
    /// 宗教.
    Religion,
    /// 谣言.
    Rumor,
    /// 其他.
    Other,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 21] = [
        Category::Politics,
        Category::Porn,
        Category::Vulgar,
        Category::Abuse,
        Category::Violence,
        Category::Terror,
        Category::Gambling,
        Category::Drugs,
        Category::Contraband,
        Category::Fraud,
        Category::Ad,
        Category::Diversion,
        Category::InducedSharing,
        Category::Absolute,
        Category::Copyright,
        Category::Privacy,
        Category::Minors,
        Category::Superstition,
        Category::Religion,
        Category::Rumor,
        Category::Other,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Politics => "politics",
            Category::Porn => "porn",
            Category::Vulgar => "vulgar",
            Category::Abuse => "abuse",
            Category::Violence => "violence",
            Category::Terror => "terror",
            Category::Gambling => "gambling",
            Category::Drugs => "drugs",
            Category::Contraband => "contraband",
            Category::Fraud => "fraud",
            Category::Ad => "ad",
            Category::Diversion => "diversion",
            Category::InducedSharing => "induced-sharing",
            Category::Absolute => "absolute",
            Category::Copyright => "copyright",
            Category::Privacy => "privacy",
            Category::Minors => "minors",
            Category::Superstition => "superstition",
            Category::Religion => "religion",
            Category::Rumor => "rumor",
            Category::Other => "other",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Category::Politics => "涉政",
            Category::Porn => "色情",
            Category::Vulgar => "低俗",
            Category::Abuse => "辱骂",
            Category::Violence => "暴力",
            Category::Terror => "恐怖",
            Category::Gambling => "赌博",
            Category::Drugs => "毒品",
            Category::Contraband => "违禁品",
            Category::Fraud => "欺诈",
            Category::Ad => "广告",
            Category::Diversion => "导流",
            Category::InducedSharing => "诱导分享",
            Category::Absolute => "极限用语",
            Category::Copyright => "侵权",
            Category::Privacy => "隐私",
            Category::Minors => "未成年人",
            Category::Superstition => "封建迷信",
            Category::Religion => "宗教",
            Category::Rumor => "谣言",
            Category::Other => "其他",
        }
    }

    /// The WeChat msgSecCheck v2 label of this category.
    pub fn wechat_label(self) -> u32 {
        match self {
            Category::Politics => 20001,
            Category::Porn => 20002,
            Category::Abuse => 20003,
            Category::Violence
            | Category::Terror
            | Category::Gambling
            | Category::Drugs
            | Category::Contraband => 20006,
            Category::Fraud => 20008,
            Category::Vulgar => 20012,
            Category::Copyright => 20013,
            Category::Ad | Category::Diversion | Category::InducedSharing | Category::Absolute => {
                10001
            }
            Category::Privacy
            | Category::Minors
            | Category::Superstition
            | Category::Religion
            | Category::Rumor
            | Category::Other => 21000,
        }
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                format!("unknown category `{s}` (one of {})", all.join(", "))
            })
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A human should look.
    Review,
    /// Refuse the text.
    Block,
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "review" => Ok(Severity::Review),
            "block" => Ok(Severity::Block),
            _ => Err(format!("unknown severity `{s}` (block or review)")),
        }
    }
}

/// Where a text is shown; changes which detectors and categories apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scene {
    /// Nickname, avatar text, signature.
    Profile,
    /// Comments.
    Comment,
    /// Forum posts.
    Forum,
    /// Social feeds (moments).
    Social,
    /// Chat messages.
    Chat,
    /// App or mini-program listings and ads.
    Listing,
    /// Search terms.
    Search,
}

impl Scene {
    /// Every scene.
    pub const ALL: [Scene; 7] = [
        Scene::Profile,
        Scene::Comment,
        Scene::Forum,
        Scene::Social,
        Scene::Chat,
        Scene::Listing,
        Scene::Search,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scene::Profile => "profile",
            Scene::Comment => "comment",
            Scene::Forum => "forum",
            Scene::Social => "social",
            Scene::Chat => "chat",
            Scene::Listing => "listing",
            Scene::Search => "search",
        }
    }
}

impl FromStr for Scene {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scene::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown scene `{s}` (profile, comment, forum, social, chat, listing, search)"
                )
            })
    }
}

/// What an entry looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// One term.
    Term(String),
    /// Every `all` part, none of the `none` parts; `within` bounds the
    /// distance between the first and last required part.
    Cooccur {
        /// Parts that must occur.
        all: Vec<String>,
        /// Parts that must not occur.
        none: Vec<String>,
        /// Maximum compact-character distance between required parts.
        within: Option<u32>,
    },
}

/// One lexicon line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The term as written (for co-occurrence, the whole `A&B` text).
    pub term: String,
    /// What to look for.
    pub pattern: Pattern,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// Rulebook id the term rests on.
    pub rule: Option<String>,
    /// Homophone matching: forced on, forced off, or by length.
    pub pinyin: Option<bool>,
    /// Scenes the entry is limited to (empty: every scene).
    pub scenes: Vec<Scene>,
    /// File and line it came from.
    pub origin: String,
}

/// A problem in a lexicon file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a lexicon file. Every malformed line is reported with its number;
/// good lines are kept.
pub fn parse(file: &str, text: &str) -> (Vec<Entry>, Vec<LexiconError>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        match parse_line(l) {
            Ok(mut e) => {
                e.origin = format!("{file}:{line}");
                entries.push(e);
            }
            Err(message) => errors.push(LexiconError {
                file: file.to_string(),
                line,
                message,
            }),
        }
    }
    (entries, errors)
}

fn parse_line(l: &str) -> Result<Entry, String> {
    let cols: Vec<&str> = l.split('\t').collect();
    if cols.len() < 3 {
        return Err(format!(
            "expected `term<TAB>category<TAB>severity[<TAB>rule[<TAB>flags]]`, found {} column(s)",
            cols.len()
        ));
    }
    if cols.len() > 5 {
        return Err(format!("at most 5 columns, found {}", cols.len()));
    }
    let term = cols[0].trim();
    if term.is_empty() {
        return Err("empty term".into());
    }
    let category: Category = cols[1].trim().parse()?;
    let severity: Severity = cols[2].trim().parse()?;
    let rule = cols
        .get(3)
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let mut pinyin = None;
    let mut scenes = Vec::new();
    let mut within = None;
    for flag in cols.get(4).map_or("", |f| f.trim()).split(',') {
        let flag = flag.trim();
        if flag.is_empty() {
            continue;
        }
        match flag.split_once('=') {
            None if flag == "pinyin" => pinyin = Some(true),
            None if flag == "nopinyin" => pinyin = Some(false),
            Some(("scene", v)) => {
                for s in v.split('|') {
                    scenes.push(s.trim().parse::<Scene>()?);
                }
            }
            Some(("within", v)) => {
                within = Some(
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("within=`{v}` is not a whole number"))?,
                )
            }
            _ => {
                return Err(format!(
                    "unknown flag `{flag}` (pinyin, nopinyin, scene=a|b, within=N)"
                ))
            }
        }
    }
    let pattern = if term.contains('&') {
        let mut all = Vec::new();
        let mut none = Vec::new();
        for part in term.split('&') {
            let part = part.trim();
            match part.strip_prefix('!') {
                Some(p) if !p.trim().is_empty() => none.push(p.trim().to_string()),
                None if !part.is_empty() => all.push(part.to_string()),
                _ => return Err(format!("empty part in `{term}`")),
            }
        }
        if all.is_empty() {
            return Err(format!("`{term}` needs at least one part without `!`"));
        }
        Pattern::Cooccur { all, none, within }
    } else {
        if within.is_some() {
            return Err("within=N applies to `A&B` entries only".into());
        }
        Pattern::Term(term.to_string())
    };
    Ok(Entry {
        term: term.to_string(),
        pattern,
        category,
        severity,
        rule,
        pinyin,
        scenes,
        origin: String::new(),
    })
}

/// Parses an allowlist: one term per line, `#` comments; a tab ends the term.
pub fn parse_allow(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('\t').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_cooccurrence_and_flags() {
        let text = "# comment\n六合彩\tgambling\tblock\tmeeting-compliance/2.3.7\n最\tabsolute\treview\t\tscene=listing|search\n代开&发票\tfraud\tblock\t\twithin=10\n兼职&!正规\tfraud\treview\n";
        let (e, errs) = parse("x.tsv", text);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].rule.as_deref(), Some("meeting-compliance/2.3.7"));
        assert_eq!(e[0].origin, "x.tsv:2");
        assert_eq!(e[1].scenes, [Scene::Listing, Scene::Search]);
        assert!(
            matches!(&e[2].pattern, Pattern::Cooccur { all, within: Some(10), .. } if all.len() == 2)
        );
        assert!(matches!(&e[3].pattern, Pattern::Cooccur { none, .. } if none == &["正规"]));
    }

    #[test]
    fn bad_lines_are_reported_with_numbers_and_skipped() {
        let text = "好词\tgambling\tblock\n坏词\tgamble\tblock\n只有一列\n词\tporn\tsevere\n词\tporn\tblock\t\tloud\n";
        let (e, errs) = parse("y.tsv", text);
        assert_eq!(e.len(), 1);
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(errs[0]
            .to_string()
            .starts_with("y.tsv:2: unknown category `gamble`"));
    }
}
