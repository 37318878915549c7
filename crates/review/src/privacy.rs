//! Privacy-policy text checks: the 《隐私政策内容审核规范》 checklist
//! (`meeting-compliance/5.2.checklist.*`) and meaningful hyperlink names
//! (`meeting-compliance/5.2.5`).
//!
//! Why it works this way:
//!
//! - Reviewers read a policy looking for the sentence that discloses each
//!   item (who runs the app, where data is stored, how to delete the
//!   account, …). The precheck does the same: it splits the policy into
//!   sentences and, per item, reports the first sentence that discloses it,
//!   with its character span, so a developer sees *why* an item counts as
//!   present and a missing one stands out.
//! - The phrases live in `data/privacy.toml`, not in code, so the wording
//!   can be reviewed and extended like the rulebook. An item is found when a
//!   sentence holds one phrase of `any` and (if given) one of `all`; the
//!   second list carries the context that keeps false positives down (a bare
//!   删除 or 电子邮箱 says nothing; 删除 with the user as actor and 个人信息
//!   as object is a deletion channel). A “…” inside a phrase is an ordered
//!   gap within one clause, which is how “您可以在…中删除” is expressed.
//! - A rule whose clause lists several disclosures has one item per
//!   disclosure, all sharing the rule id; the rule is met when all are found.
//! - Rows about typography and plain language (5.2.checklist.2 and .3) can't
//!   be judged from text. They are items with `manual = true`: `analyze`
//!   reports them with `manual: true`, `found: false` and no evidence. They
//!   are not "found" because nothing was checked, and the `manual` flag
//!   tells the caller to route them to a person instead of reporting them
//!   as missing.
//! - Text is matched case-insensitively for Latin letters, full-width ASCII
//!   forms match their half-width twins (“：” matches “:”), and 你 matches 您
//!   (WeChat-style policies address the user as 你). Folding maps one char
//!   to one char, so spans stay valid for the original text.
//! - The input is the policy as plain text (HTML already reduced to text,
//!   block elements to line breaks); evidence is the first disclosing
//!   sentence in document order, often a section heading.

use serde::{Deserialize, Serialize};

/// The pattern data shipped with the crate (`data/privacy.toml`).
pub const DATA: &str = include_str!("../data/privacy.toml");

/// Patterns for one checklist rule (or one disclosure of it), from data/privacy.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Rulebook id, e.g. `meeting-compliance/5.2.checklist.4.storage`.
    pub rule: String,
    /// Chinese short name of what must be disclosed.
    pub name: String,
    /// Phrases: one must occur in a sentence…
    #[serde(default)]
    pub any: Vec<String>,
    /// …together with one of these, if non-empty.
    #[serde(default)]
    pub all: Vec<String>,
    /// True when the row can't be judged from text (it has no phrases).
    #[serde(default)]
    pub manual: bool,
}

/// The pattern file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    #[serde(rename = "item")]
    items: Vec<ChecklistItem>,
    vague_link_names: Vec<String>,
}

/// The pattern file, validated and compiled for matching (see [`load`]).
#[derive(Debug, Clone)]
pub struct PrivacyData {
    items: Vec<ChecklistItem>,
    vague_link_names: Vec<String>,
    index: Index,
}

impl PrivacyData {
    /// Checklist items, in report order.
    pub fn items(&self) -> &[ChecklistItem] {
        &self.items
    }

    /// Hyperlink names that don't say what they link to (rule 5.2.5).
    pub fn vague_link_names(&self) -> &[String] {
        &self.vague_link_names
    }
}

/// The phrases compiled once, so that a policy is read once per sentence
/// instead of once per phrase: one Aho-Corasick automaton finds which
/// phrases' first pieces occur in a sentence, and only those phrases are
/// then matched in full. (A phrase can only match where its first piece
/// occurs, so the results are exactly those of matching every phrase.)
#[derive(Debug, Clone)]
struct Index {
    /// Every phrase of every item.
    phrases: Vec<Phrase>,
    /// Per phrase: the id of its first piece, a pattern of `firsts`.
    first_of: Vec<usize>,
    /// Per item: the phrase ids of its `any` and of its `all`.
    items: Vec<(Vec<usize>, Vec<usize>)>,
    /// The distinct first pieces.
    firsts: aho_corasick::AhoCorasick,
    /// How many distinct first pieces there are.
    first_count: usize,
    /// Comparison keys ([`link_key`]) of the vague link names.
    vague: std::collections::HashSet<String>,
}

impl Index {
    fn new(raw: &RawData) -> Result<Index, String> {
        let mut phrases = Vec::new();
        let mut first_of = Vec::new();
        let mut firsts: Vec<String> = Vec::new();
        let mut first_ids: std::collections::HashMap<String, usize> = Default::default();
        let mut items = Vec::with_capacity(raw.items.len());
        for item in &raw.items {
            let mut lists = [Vec::new(), Vec::new()];
            for (list, texts) in lists.iter_mut().zip([&item.any, &item.all]) {
                for text in texts {
                    let phrase = Phrase::new(text);
                    let first = phrase.pieces.first().cloned().unwrap_or_default();
                    let next = firsts.len();
                    let id = *first_ids.entry(first.clone()).or_insert(next);
                    if id == next {
                        firsts.push(first);
                    }
                    list.push(phrases.len());
                    phrases.push(phrase);
                    first_of.push(id);
                }
            }
            let [any, all] = lists;
            items.push((any, all));
        }
        let first_count = firsts.len();
        let firsts = aho_corasick::AhoCorasick::new(&firsts)
            .map_err(|e| format!("privacy data: cannot compile the phrases: {e}"))?;
        let vague = raw.vague_link_names.iter().map(|n| link_key(n)).collect();
        Ok(Index {
            phrases,
            first_of,
            items,
            firsts,
            first_count,
            vague,
        })
    }

    /// Which first pieces occur in `hay`, as a bit set over their ids.
    fn present(&self, hay: &str) -> Vec<u64> {
        let mut bits = vec![0u64; self.first_count.div_ceil(64)];
        for m in self.firsts.find_overlapping_iter(hay) {
            let id = m.pattern().as_usize();
            if let Some(word) = bits.get_mut(id / 64) {
                *word |= 1 << (id % 64);
            }
        }
        bits
    }

    /// True when one of the phrases `ids` matches the sentence whose
    /// first pieces are `bits`.
    fn any_matches(&self, ids: &[usize], folded: &str, bits: &[u64]) -> bool {
        ids.iter().any(|&p| {
            let first = self.first_of.get(p).copied().unwrap_or(usize::MAX);
            let present = bits
                .get(first / 64)
                .is_some_and(|w| w & (1 << (first % 64)) != 0);
            present && self.phrases.get(p).is_some_and(|ph| ph.matches(folded))
        })
    }
}

/// Parses, validates and compiles pattern data (e.g. [`DATA`]); the error
/// names the bad item.
pub fn load(toml_text: &str) -> Result<PrivacyData, String> {
    let raw: RawData =
        toml::from_str(toml_text).map_err(|e| format!("privacy data: {}", e.message()))?;
    validate(&raw)?;
    let index = Index::new(&raw)?;
    Ok(PrivacyData {
        items: raw.items,
        vague_link_names: raw.vague_link_names,
        index,
    })
}

/// Rejects data the analyzer would silently misread.
fn validate(data: &RawData) -> Result<(), String> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, item) in data.items.iter().enumerate() {
        let at = format!("privacy data: item {} ({})", i + 1, item.rule);
        if item.rule.trim().is_empty() || item.name.trim().is_empty() {
            return Err(format!("{at}: rule and name must not be empty"));
        }
        if seen.contains(&(item.rule.as_str(), item.name.as_str())) {
            return Err(format!("{at}: duplicate item {}", item.name));
        }
        seen.push((item.rule.as_str(), item.name.as_str()));
        if item.manual {
            if !item.any.is_empty() || !item.all.is_empty() {
                return Err(format!("{at}: a manual item takes no phrases"));
            }
            continue;
        }
        if item.any.is_empty() {
            return Err(format!(
                "{at}: `any` must not be empty (or set manual = true)"
            ));
        }
        for phrase in item.any.iter().chain(&item.all) {
            let pieces = Phrase::new(phrase).pieces;
            if pieces.is_empty() {
                return Err(format!("{at}: empty phrase {phrase:?}"));
            }
            if pieces.iter().skip(1).any(|p| p.contains(',')) {
                return Err(format!("{at}: no comma after a gap in {phrase:?}"));
            }
        }
    }
    if let Some(bad) = data
        .vague_link_names
        .iter()
        .find(|n| link_key(n).is_empty())
    {
        return Err(format!("privacy data: empty vague link name {bad:?}"));
    }
    Ok(())
}

/// What the analyzer found for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    /// Rulebook id.
    pub rule: String,
    /// Chinese short name.
    pub name: String,
    /// True when a sentence discloses the item (always false for manual items).
    pub found: bool,
    /// The disclosing sentence, as written.
    pub evidence: Option<String>,
    /// Char offsets (start, end exclusive) of the evidence sentence in the policy text.
    pub span: Option<(usize, usize)>,
    /// True when the item needs a person (not judged; `found` is false).
    pub manual: bool,
}

/// Checks the policy text against every item, one result per item in data order.
pub fn analyze(text: &str, data: &PrivacyData) -> Vec<ItemResult> {
    let ix = &data.index;
    let sentences = sentences(text);
    let present: Vec<Vec<u64>> = sentences.iter().map(|s| ix.present(&s.folded)).collect();
    data.items
        .iter()
        .zip(&ix.items)
        .map(|(item, (any, all))| {
            let hit = if item.manual {
                None
            } else {
                sentences
                    .iter()
                    .zip(&present)
                    .find(|(s, bits)| {
                        ix.any_matches(any, &s.folded, bits)
                            && (all.is_empty() || ix.any_matches(all, &s.folded, bits))
                    })
                    .map(|(s, _)| s)
            };
            ItemResult {
                rule: item.rule.clone(),
                name: item.name.clone(),
                found: hit.is_some(),
                evidence: hit.map(|s| s.text.clone()),
                span: hit.map(|s| (s.start, s.end)),
                manual: item.manual,
            }
        })
        .collect()
}

/// Bracketed names that are vague as hyperlink text, as (start, end exclusive, text) in chars.
///
/// Looks at text in 《》〈〉【】[]［］「」『』〔〕“”‘’ and straight double quotes:
/// the form hyperlinks take in policy text. The returned text includes the
/// brackets. A quoted name followed by 页/按钮/菜单… is a UI label
/// (“在“详情”页中”), not a link, and is skipped; unbracketed prose
/// (“点击这里查看”) can't be told from a link and is not reported.
pub fn vague_links(text: &str, data: &PrivacyData) -> Vec<(usize, usize, String)> {
    let vague = &data.index.vague;
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(close) = closer(chars[i]) else {
            i += 1;
            continue;
        };
        let open = chars[i];
        let limit = chars.len().min(i + 2 + MAX_LINK_NAME);
        let end = (i + 1..limit)
            .take_while(|&j| chars[j] != '\n' && (chars[j] != open || open == close))
            .find(|&j| chars[j] == close);
        let Some(j) = end else {
            i += 1;
            continue;
        };
        let name: String = chars[i + 1..j].iter().collect();
        if vague.contains(&link_key(&name)) && !ui_label_follows(&chars[j + 1..]) {
            out.push((i, j + 1, chars[i..=j].iter().collect()));
        }
        i = j + 1;
    }
    out
}

/// Longest bracketed text considered a link name.
const MAX_LINK_NAME: usize = 30;

/// The closing bracket for an opening one.
fn closer(c: char) -> Option<char> {
    Some(match c {
        '《' => '》',
        '〈' => '〉',
        '【' => '】',
        '[' => ']',
        '［' => '］',
        '「' => '」',
        '『' => '』',
        '〔' => '〕',
        '“' => '”',
        '‘' => '’',
        '"' => '"',
        _ => return None,
    })
}

/// Words after a quoted name that make it a UI label rather than a link.
const UI_WORDS: &[&str] = &[
    "页", "按钮", "按键", "界面", "菜单", "选项", "标签", "栏", "入口", "模块", "板块", "区域",
    "窗口", "弹窗", "图标", "tab",
];

/// True when the text right after a closing bracket names a UI element.
fn ui_label_follows(rest: &[char]) -> bool {
    let head: String = rest.iter().take(4).map(|&c| fold(c)).collect();
    UI_WORDS.iter().any(|w| head.starts_with(w))
}

/// Comparison key of a link name: folded, brackets, whitespace, a leading 请
/// and trailing numbering (附件一, 附件2：) removed.
fn link_key(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(fold)
        .filter(|c| !c.is_whitespace() && closer(*c).is_none() && !is_closer(*c))
        .collect();
    let key = folded.strip_prefix('请').unwrap_or(&folded);
    key.trim_end_matches(|c: char| {
        c.is_ascii_digit() || "一二三四五六七八九十零〇、.:-_#()".contains(c)
    })
    .to_string()
}

/// True for a closing bracket or quote.
fn is_closer(c: char) -> bool {
    "》〉】]］」』〕”’\"".contains(c)
}

/// One phrase, folded and cut at its “…” gaps.
#[derive(Debug, Clone)]
struct Phrase {
    /// Pieces that must occur in order within one clause.
    pieces: Vec<String>,
}

impl Phrase {
    /// Folds the phrase and splits it at “…”.
    fn new(phrase: &str) -> Phrase {
        let folded: String = phrase.chars().map(fold).collect();
        let pieces = folded
            .split('…')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        Phrase { pieces }
    }

    /// True when the folded sentence holds the pieces in order, with no
    /// comma between the first piece and the last.
    fn matches(&self, hay: &str) -> bool {
        let Some((first, rest)) = self.pieces.split_first() else {
            return false;
        };
        let mut from = 0;
        while let Some(pos) = hay[from..].find(first.as_str()) {
            let after = from + pos + first.len();
            let clause_end = hay[after..].find(',').map_or(hay.len(), |k| after + k);
            if in_order(&hay[after..clause_end], rest) {
                return true;
            }
            from += pos + first.chars().next().map_or(1, char::len_utf8);
        }
        false
    }
}

/// True when the pieces occur in `hay` one after another.
fn in_order(mut hay: &str, pieces: &[String]) -> bool {
    for p in pieces {
        match hay.find(p.as_str()) {
            Some(i) => hay = &hay[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// One sentence of the policy.
struct Sentence {
    /// Char offset of its first char.
    start: usize,
    /// Char offset just past its last char.
    end: usize,
    /// As written.
    text: String,
    /// Folded for matching.
    folded: String,
}

/// Splits at 。！？；!?; ｡ line breaks and “. ” (a dot before a space or the
/// end, so e-mail addresses and decimals stay whole); trims whitespace.
fn sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        let boundary = match chars.get(i) {
            None
            | Some(
                '。' | '！' | '？' | '；' | '!' | '?' | ';' | '｡' | '\n' | '\r' | '\u{2028}'
                | '\u{2029}',
            ) => true,
            Some('.') => chars.get(i + 1).is_none_or(|c| c.is_whitespace()),
            Some(_) => false,
        };
        if !boundary {
            continue;
        }
        let (mut s, mut e) = (start, i);
        while s < e && chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if s < e {
            let text: String = chars[s..e].iter().collect();
            let folded = text.chars().map(fold).collect();
            out.push(Sentence {
                start: s,
                end: e,
                text,
                folded,
            });
        }
        start = i + 1;
    }
    out
}

/// Maps one char to its matching form: full-width ASCII to half-width,
/// ideographic space to space, 你 to 您, then lower case when that is a
/// single char.
fn fold(c: char) -> char {
    let c = match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ if c == '你' => '您',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete policy, in Chinese only, disclosing every automatic item.
    const COMPLETE: &str = "云笺会议助手隐私政策
更新日期：2024年5月1日
生效日期：2024年5月8日

引言
云笺会议助手（以下简称“本应用”）是由深圳市云笺信息技术有限公司（以下简称“我们”）开发和运营的腾讯会议第三方应用。
我们深知个人信息对您的重要性，并会尽全力保护您的个人信息安全。
请您在使用本应用前仔细阅读并充分理解本政策，重点内容我们已采用加粗方式特别提示。

一、我们如何收集和使用您的个人信息
当您使用会议纪要功能时，我们需要收集您在会议中的发言音频和文字转写内容，用于生成会议纪要。
当您使用日程同步功能时，我们会申请读取日历权限，以便将会议日程写入您的系统日历。
为实现会议签到功能，我们会收集您的姓名、所在部门和签到时间，用于向会议主持人展示签到结果。
如您拒绝提供上述信息，您将无法使用相应功能，但不影响您使用本应用的其他功能。

二、我们如何存储您的个人信息
我们在中华人民共和国境内运营中收集和产生的个人信息，将存储在中华人民共和国境内的服务器上。
我们不会将您的个人信息传输至境外。
我们仅在实现本政策所述目的所必需的最短期限内保存您的个人信息，其中会议纪要的保存期限为一年。
超出上述保存期限后，我们将对您的个人信息进行删除或匿名化处理。

三、敏感个人信息的处理
会议中的发言音频属于敏感个人信息，我们仅在取得您的单独同意后收集，并在本政策中以加粗字体标识。

四、我们如何保护您的个人信息
我们采用传输层安全协议加密传输您的个人信息，并对存储的数据进行加密和去标识化处理。
我们建立了访问控制和身份鉴别机制，仅授权人员可以访问个人信息，并定期开展安全审计。

五、我们如何共享、转让、公开披露您的个人信息
我们不会与本公司以外的任何公司、组织和个人共享您的个人信息，但获得您的明确同意或法律法规另有规定的除外。
为实现语音转写，本应用接入了第三方语音识别服务，接收方名称、联系方式、处理目的及个人信息种类详见《第三方信息共享清单》。
我们不会公开披露您的个人信息，除非获得您的单独同意。

六、您的权利
按照相关法律法规，您对自己的个人信息享有知情权和决定权。
您可以通过“我的-个人资料”页面查阅您的姓名、头像和手机号码等个人信息。
您可以在“我的-数据导出”页面申请导出您的个人信息副本。
您可以在“我的-个人资料”页面更正或补充您的个人信息。
您可以在“会议纪要”列表中删除您的会议纪要，也可以联系我们要求删除您的其他个人信息。
您可以在手机系统设置中关闭麦克风、日历等权限，从而撤回您此前作出的授权同意。
您可以通过“我的-设置-账号与安全-注销账号”申请注销账号，我们将在十五个工作日内完成核查和处理。
对于您的上述请求，我们将在十五个工作日内答复。

七、未成年人的个人信息保护
本应用主要面向成年人，如您是未满十四周岁的未成年人，请在监护人的陪同下阅读本政策，并在取得监护人同意后使用本应用。
若我们发现在未事先获得监护人同意的情况下收集了未成年人的个人信息，我们会尽快删除相关数据。

八、投诉与举报
如您对我们的个人信息处理行为有任何投诉或举报，可以通过本政策第九条所列的联系方式与我们联系，我们将在十五个工作日内受理并反馈处理结果。
如您对我们的答复不满意，还可以向网信、公安等监管部门投诉举报。

九、如何联系我们
如您对本政策有任何疑问、意见或建议，可以通过以下方式与我们联系：
公司名称：深圳市云笺信息技术有限公司
注册地址：广东省深圳市南山区粤海街道科技园科苑路十五号
联系电话：0755-86013388

十、政策更新
我们可能会适时修订本政策，修订后的政策将在本应用内显著位置公布。
";

    /// The shipped data.
    fn data() -> PrivacyData {
        match load(DATA) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    /// The results of `text` that are automatic and not found, as rule ids.
    fn missing(text: &str) -> Vec<String> {
        let mut rules: Vec<String> = analyze(text, &data())
            .into_iter()
            .filter(|r| !r.manual && !r.found)
            .map(|r| r.rule)
            .collect();
        rules.dedup();
        rules
    }

    /// The evidence found for the item `name`.
    fn evidence(results: &[ItemResult], name: &str) -> String {
        results
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.evidence.clone())
            .unwrap_or_default()
    }

    /// Every rule id of `meeting-compliance/5.2.checklist.*` in the rulebook.
    const CHECKLIST_RULES: &[&str] = &[
        "meeting-compliance/5.2.checklist.1",
        "meeting-compliance/5.2.checklist.2",
        "meeting-compliance/5.2.checklist.3",
        "meeting-compliance/5.2.checklist.4",
        "meeting-compliance/5.2.checklist.4.purposes",
        "meeting-compliance/5.2.checklist.4.storage",
        "meeting-compliance/5.2.checklist.4.cross-border",
        "meeting-compliance/5.2.checklist.5",
        "meeting-compliance/5.2.checklist.6",
        "meeting-compliance/5.2.checklist.7",
        "meeting-compliance/5.2.checklist.8",
        "meeting-compliance/5.2.checklist.8.access",
        "meeting-compliance/5.2.checklist.8.copy",
        "meeting-compliance/5.2.checklist.8.correction",
        "meeting-compliance/5.2.checklist.8.deletion",
        "meeting-compliance/5.2.checklist.8.withdraw-consent",
        "meeting-compliance/5.2.checklist.8.account-deletion",
        "meeting-compliance/5.2.checklist.9",
        "meeting-compliance/5.2.checklist.10",
    ];

    #[test]
    fn data_covers_every_checklist_rule() {
        let d = data();
        for rule in CHECKLIST_RULES {
            assert!(
                d.items().iter().any(|i| i.rule == *rule),
                "no item for {rule}"
            );
        }
        for item in d.items() {
            assert!(
                CHECKLIST_RULES.contains(&item.rule.as_str()),
                "unknown rule {}",
                item.rule
            );
        }
        let manual: Vec<&str> = d
            .items
            .iter()
            .filter(|i| i.manual)
            .map(|i| i.rule.as_str())
            .collect();
        assert_eq!(
            manual,
            [
                "meeting-compliance/5.2.checklist.2",
                "meeting-compliance/5.2.checklist.3"
            ]
        );
    }

    #[test]
    fn test_policies_are_chinese_only() {
        assert!(!COMPLETE.chars().any(|c| c.is_ascii_alphabetic()));
        assert!(
            COMPLETE
                .split(['。', '\n'])
                .filter(|s| !s.trim().is_empty())
                .count()
                >= 40
        );
    }

    #[test]
    fn complete_policy_finds_every_automatic_item() {
        let results = analyze(COMPLETE, &data());
        assert_eq!(results.len(), data().items().len());
        for r in &results {
            if r.manual {
                assert!(
                    !r.found && r.evidence.is_none() && r.span.is_none(),
                    "{r:?}"
                );
            } else {
                assert!(r.found, "not found: {} {}", r.rule, r.name);
            }
        }
        let ev = |name| evidence(&results, name);
        assert!(ev("运营主体名称").contains("深圳市云笺信息技术有限公司"));
        assert!(ev("联系方式").starts_with("注册地址"));
        assert!(ev("个人信息处理规则").contains("我们如何收集和使用"));
        assert!(ev("逐项列明功能所需信息").contains("会议纪要功能"));
        assert!(ev("存储地点").contains("存储在中华人民共和国境内"));
        assert!(ev("存储期限").contains("最短期限"));
        assert!(ev("超期处理方式").starts_with("超出上述保存期限后"));
        assert!(ev("个人信息出境情况").contains("传输至境外"));
        assert!(ev("敏感个人信息处理规则").contains("敏感个人信息的处理"));
        assert!(ev("安全保护措施").contains("加密"));
        assert!(ev("共享、转让、公开披露规则").contains("共享、转让、公开披露"));
        assert!(ev("接收方名称、目的及信息种类").contains("接收方名称"));
        assert!(ev("知情权、决定权").starts_with("六、您的权利"));
        assert!(ev("查阅渠道").contains("查阅您的姓名"));
        assert!(ev("复制渠道").contains("导出您的个人信息副本"));
        assert!(ev("更正、补充渠道").contains("更正或补充"));
        assert!(ev("删除渠道").contains("删除您的会议纪要"));
        assert!(ev("撤回同意渠道").contains("撤回您此前作出的授权同意"));
        assert!(ev("账号注销渠道").contains("申请注销账号"));
        assert!(ev("投诉、举报渠道").contains("投诉或举报"));
        assert!(ev("受理反馈时限").contains("十五个工作日内答复"));
        assert!(ev("未成年人个人信息保护规则").contains("未成年人的个人信息保护"));
    }

    #[test]
    fn spans_point_at_the_evidence() {
        for r in analyze(COMPLETE, &data()) {
            if let (Some((s, e)), Some(ev)) = (r.span, &r.evidence) {
                let slice: String = COMPLETE.chars().skip(s).take(e - s).collect();
                assert_eq!(&slice, ev);
            }
        }
    }

    #[test]
    fn missing_account_deletion_and_minors_are_exactly_reported() {
        let text: String = COMPLETE
            .lines()
            .filter(|l| !l.contains("注销") && !l.contains("未成年人") && !l.contains("监护人"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!text.contains("七、未成年人"));
        assert_eq!(
            missing(&text),
            [
                "meeting-compliance/5.2.checklist.8.account-deletion",
                "meeting-compliance/5.2.checklist.10",
            ]
        );
    }

    #[test]
    fn empty_policy_misses_everything() {
        let results = analyze("", &data());
        assert!(results.iter().all(|r| !r.found && r.evidence.is_none()));
        assert_eq!(missing("   \n\n").len(), CHECKLIST_RULES.len() - 2);
    }

    #[test]
    fn weak_wording_is_not_enough() {
        let found = |text: &str, name: &str| {
            analyze(text, &data())
                .into_iter()
                .any(|r| r.name == name && r.found)
        };
        // storage expiry, not a user's deletion channel
        assert!(!found(
            "超出保存期限后，我们将删除您的个人信息。",
            "删除渠道"
        ));
        assert!(!found("您注销账号后，我们将删除您的个人信息。", "删除渠道"));
        assert!(!found(
            "您可以注销账号，注销后我们会删除您的个人信息。",
            "删除渠道"
        ));
        // data collected, not the operator's contact
        assert!(!found(
            "注册时我们会收集您的手机号码和电子邮箱。",
            "联系方式"
        ));
        // a feature named 共享
        assert!(!found(
            "当您使用屏幕共享功能时，其他参会者可以看到您的屏幕。",
            "共享、转让、公开披露规则"
        ));
        // a third party's company, not the operator
        assert!(!found(
            "本应用集成了北京某某科技有限公司的推送服务。",
            "运营主体名称"
        ));
        // a third party named, but no recipient details
        assert!(!found(
            "对从第三方获取的与本软件名称相同的安装程序，我们不予负责。",
            "接收方名称、目的及信息种类"
        ));
        // account deletion mentioned without a channel
        assert!(!found(
            "您注销账号后，我们将停止为您提供服务。",
            "账号注销渠道"
        ));
        // 境内 alone says nothing about export
        assert!(!found(
            "您的个人信息存储于中华人民共和国境内。",
            "个人信息出境情况"
        ));
        // and the positive twins
        assert!(found("您有权要求我们删除您的个人信息。", "删除渠道"));
        assert!(found(
            "如需注销账号，您可以联系我们提交申请。",
            "账号注销渠道"
        ));
        assert!(found(
            "我们可能会向境外提供您的个人信息，届时将单独告知。",
            "个人信息出境情况"
        ));
        // the content-moderation clause of a user agreement is no deletion channel
        assert!(!found(
            "本平台有权直接删除用户在本平台发布的任何信息。",
            "删除渠道"
        ));
        // an export ban is no copy channel
        assert!(!found("我们不会将您的个人信息转移至境外。", "复制渠道"));
        // a change list naming the complaint channel states no channel
        assert!(!found(
            "重大变更包括：我们的联系方式及投诉渠道发生变化。",
            "投诉、举报渠道"
        ));
        // a storage period with deletion on account closure is no expiry rule
        assert!(!found(
            "当您注销账户后，我们将对您的个人信息进行删除或匿名化处理。",
            "超期处理方式"
        ));
    }

    #[test]
    fn common_real_world_wordings_are_found() {
        let found = |text: &str, name: &str| {
            analyze(text, &data())
                .into_iter()
                .any(|r| r.name == name && r.found)
        };
        let cases = [
            (
                "本平台由深圳市某某数字科技有限公司负责运营。",
                "运营主体名称",
            ),
            (
                "您可以通过拨打我们的客服电话、邮寄函件等方式与我们联系。",
                "联系方式",
            ),
            ("电子邮箱：【某某】", "联系方式"),
            (
                "当您使用实名认证功能时，您需要向我们提供您的姓名和身份证号码。",
                "逐项列明功能所需信息",
            ),
            (
                "我们只会在达成本政策所述目的所需的期限内保留您的个人信息。",
                "存储期限",
            ),
            ("保存期限届满后将立即销毁相关记录。", "超期处理方式"),
            (
                "本政策中涉及的个人敏感信息包括：身份证件号码、人脸信息。",
                "敏感个人信息处理规则",
            ),
            (
                "我们设置了严格的访问权限控制和监控机制保护您的个人信息。",
                "安全保护措施",
            ),
            (
                "点击《第三方SDK类服务商目录》可查看我们接入的合作伙伴。",
                "接收方名称、目的及信息种类",
            ),
            ("您有权随时访问和更正您的个人信息。", "查阅渠道"),
            (
                "你可以在“设置-个人信息”中查看你的头像和昵称信息。",
                "查阅渠道",
            ),
            ("您有权获取您的个人信息副本。", "复制渠道"),
            (
                "用户可以通过上述邮箱申请查询、更正或删除账号相关信息。",
                "删除渠道",
            ),
            (
                "您可以通过本政策载明的方式向我们提出删除信息的请求。",
                "删除渠道",
            ),
            ("您关闭权限即代表您取消了这些授权。", "撤回同意渠道"),
            ("您可以与我们联系提交账号注销申请。", "账号注销渠道"),
            (
                "你可以在“我-设置-账号与安全-注销账号”中申请注销。",
                "账号注销渠道",
            ),
            (
                "可通过反馈渠道或客服方式向我们进行投诉或举报。",
                "投诉、举报渠道",
            ),
            (
                "我们将在收到您反馈并验证您的身份后的十五个日历天内答复您的请求。",
                "受理反馈时限",
            ),
            (
                "若您是十四周岁以下的儿童，请在监护人同意后使用本服务。",
                "未成年人个人信息保护规则",
            ),
        ];
        for (text, name) in cases {
            assert!(found(text, name), "{name} not found in {text}");
        }
    }

    #[test]
    fn latin_is_case_insensitive_and_full_width_folds() {
        let d = data();
        let found = |text: &str, name: &str| {
            analyze(text, &d)
                .into_iter()
                .any(|r| r.name == name && r.found)
        };
        assert!(found("我们使用https协议传输您的数据。", "安全保护措施"));
        assert!(found(
            "我们使用ＨＴＴＰＳ协议传输您的数据。",
            "安全保护措施"
        ));
        assert!(found(
            "接入的第三方sdk名称及使用目的详见下表。",
            "接收方名称、目的及信息种类"
        ));
    }

    #[test]
    fn sentences_split_and_keep_emails_whole() {
        let s = sentences("第一句。第二句；\n 第三句 \r\n邮箱 privacy@example.com. 第五句");
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "第一句",
                "第二句",
                "第三句",
                "邮箱 privacy@example.com",
                "第五句"
            ]
        );
        assert_eq!((s[2].start, s[2].end), (10, 13));
    }

    #[test]
    fn gaps_stay_within_a_clause() {
        let p = Phrase::new("您可以…删除");
        assert!(p.matches("您可以在设置中删除记录"));
        assert!(!p.matches("您可以注销,我们会删除"));
        assert!(p.matches("您可以注销,您可以删除"));
        assert!(!Phrase::new("……").matches("任何文字"));
    }

    #[test]
    fn vague_link_names_are_reported() {
        let d = data();
        let text = "第三方SDK的具体情况请见《附件》。\
            更多规则详见《详情》和《附件一》。\
            收集清单：[点击这里](https://example.com/list)。\
            请查看【详情】。\
            请\"点此查看\"。\
            英文版见[Click Here]。";
        let found: Vec<String> = vague_links(text, &d)
            .into_iter()
            .map(|(_, _, n)| n)
            .collect();
        assert_eq!(
            found,
            [
                "《附件》",
                "《详情》",
                "《附件一》",
                "[点击这里]",
                "【详情】",
                "\"点此查看\"",
                "[Click Here]"
            ]
        );
        let (s, e, _) = vague_links(text, &d)[0];
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[s..e].iter().collect::<String>(), "《附件》");
        assert!(vague_links("详情请“点此查看”", &d).len() == 1);
    }

    #[test]
    fn meaningful_link_names_and_ui_labels_pass() {
        let d = data();
        let text =
            "请阅读《隐私政策》《第三方SDK目录》《个人信息保护政策》《第三方 SDK 名称信息》。\
            依据《中华人民共和国个人信息保护法》。\
            您可以在“详情”页面中查看，或点击“更多”按钮。\
            参考文献[1]。\
            未闭合的《附件\n后文》。\
            点击这里查看。";
        assert_eq!(vague_links(text, &d), Vec::new());
    }

    /// `analyze` without the index: every phrase of every item matched
    /// against every sentence, as the data reads.
    fn analyze_every_phrase(text: &str, data: &PrivacyData) -> Vec<Option<(usize, usize)>> {
        let sentences = sentences(text);
        data.items()
            .iter()
            .map(|item| {
                let any: Vec<Phrase> = item.any.iter().map(|p| Phrase::new(p)).collect();
                let all: Vec<Phrase> = item.all.iter().map(|p| Phrase::new(p)).collect();
                sentences
                    .iter()
                    .find(|s| {
                        any.iter().any(|p| p.matches(&s.folded))
                            && (all.is_empty() || all.iter().any(|p| p.matches(&s.folded)))
                    })
                    .map(|s| (s.start, s.end))
            })
            .collect()
    }

    #[test]
    fn the_index_finds_exactly_what_matching_every_phrase_finds() {
        let d = data();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
        let mut texts = vec![COMPLETE.to_string(), String::new()];
        for dir in std::fs::read_dir(root).unwrap() {
            let policy = dir.unwrap().path().join("privacy-policy.md");
            if let Ok(t) = std::fs::read_to_string(&policy) {
                texts.push(t);
            }
        }
        assert!(texts.len() >= 5, "the example policies are read");
        // Variants: every second line dropped, and the lines reversed, so
        // items are found in other sentences or not at all.
        for t in texts.clone() {
            let lines: Vec<&str> = t.lines().collect();
            texts.push(
                lines
                    .iter()
                    .step_by(2)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            texts.push(lines.iter().rev().copied().collect::<Vec<_>>().join("\n"));
        }
        let mut found = 0;
        for t in &texts {
            let fast: Vec<Option<(usize, usize)>> =
                analyze(t, &d).into_iter().map(|r| r.span).collect();
            assert_eq!(fast, analyze_every_phrase(t, &d), "{t}");
            found += fast.iter().flatten().count();
        }
        assert!(found > 100, "the texts disclose items: {found}");
    }

    #[test]
    fn load_rejects_bad_data() {
        assert!(load("vague_link_names = []").is_err());
        let manual_with_phrases = "vague_link_names = []\n[[item]]\nrule = \"r\"\nname = \"n\"\nmanual = true\nany = [\"x\"]";
        assert!(load(manual_with_phrases).is_err());
        let no_phrases = "vague_link_names = []\n[[item]]\nrule = \"r\"\nname = \"n\"";
        assert!(load(no_phrases).is_err());
        let empty_phrase =
            "vague_link_names = []\n[[item]]\nrule = \"r\"\nname = \"n\"\nany = [\"…\"]";
        assert!(load(empty_phrase).is_err());
        let dup = "vague_link_names = []\n[[item]]\nrule = \"r\"\nname = \"n\"\nany = [\"x\"]\n[[item]]\nrule = \"r\"\nname = \"n\"\nany = [\"y\"]";
        assert!(load(dup).is_err());
        assert!(load("not toml [").is_err());
        let ok =
            "vague_link_names = [\"附件\"]\n[[item]]\nrule = \"r\"\nname = \"n\"\nany = [\"x\"]";
        assert!(load(ok).is_ok());
    }
}
