//! The checks, chosen by each rule's `checks` and parameterised by its
//! thresholds and lists.

use std::collections::HashMap;

use bylaw_rulebook::{Rule, Rulebook, Threshold, Unit};
use bylaw_textguard::{Engine, Scene};

use crate::images::{self, ImageInfo};
use crate::listing::Platform;
use crate::names;
use crate::privacy::{self, PrivacyData};
use crate::profile::{Assignment, Profiles};
use crate::{Finding, Severity, Submission, UrlCheck};

/// Review state: inputs, decoded images, findings.
pub(crate) struct Ctx<'a> {
    pub rb: &'a Rulebook,
    pub guard: &'a Engine,
    pub profiles: &'a Profiles,
    pub privacy: &'a PrivacyData,
    pub sub: &'a Submission,
    pub findings: Vec<Finding>,
    pub images: HashMap<String, Result<ImageInfo, String>>,
}

/// The words of a finding.
struct Msg {
    zh: String,
    en: String,
    value: Option<String>,
    span: Option<(usize, usize)>,
    fix: String,
}

struct F<'r> {
    rule: &'r str,
    field: String,
}

impl Ctx<'_> {
    /// Records a finding of `rule` on `field`.
    fn report(&mut self, rule: &str, field: String, severity: Severity, m: Msg) {
        let at = F { rule, field };
        self.push(&at, severity, m);
    }

    fn push(&mut self, at: &F<'_>, severity: Severity, m: Msg) {
        self.findings.push(Finding {
            rule: at.rule.to_string(),
            severity,
            field: at.field.clone(),
            message: m.zh,
            message_en: m.en,
            value: m.value,
            span: m.span,
            remediation: m.fix,
        });
    }

    /// The text of a text field.
    fn text(&self, field: &str) -> Option<String> {
        let l = &self.sub.listing;
        let v = match field {
            "name" => l.name.clone(),
            "category" => l.category.clone(),
            "intro" => l.intro.clone(),
            "description" => l.description.clone(),
            "version" => l.version.clone(),
            "release_notes" => l.release_notes.clone(),
            "privacy_url" => l.privacy_url.clone(),
            "terms_url" => l.terms_url.clone(),
            "privacy_policy" => self.sub.policy_text.clone(),
            "company.name" => l.company.name.clone(),
            "company.website" => l.company.website.clone(),
            "company.support_phone" => l.company.support_phone.clone(),
            "keywords" => (!l.keywords.is_empty()).then(|| l.keywords.join("、")),
            _ => None,
        };
        v.filter(|s| !s.trim().is_empty())
    }

    /// Image paths of an image field, with their finding field names.
    fn image_paths(&self, field: &str) -> Vec<(String, String)> {
        let l = &self.sub.listing;
        match field {
            "logo" => l
                .logo
                .iter()
                .map(|p| ("logo".to_string(), p.clone()))
                .collect(),
            "company.logo" => l
                .company
                .logo
                .iter()
                .map(|p| ("company.logo".to_string(), p.clone()))
                .collect(),
            "previews.desktop" => indexed("previews.desktop", &l.previews.desktop),
            "previews.mobile" => indexed("previews.mobile", &l.previews.mobile),
            "previews" => {
                let mut v = indexed("previews.desktop", &l.previews.desktop);
                v.extend(indexed("previews.mobile", &l.previews.mobile));
                v
            }
            _ => Vec::new(),
        }
    }

    fn present(&self, field: &str) -> bool {
        self.text(field).is_some() || !self.image_paths(field).is_empty()
    }

    fn image(&mut self, path: &str) -> Result<ImageInfo, String> {
        if let Some(r) = self.images.get(path) {
            return r.clone();
        }
        let r = match self.sub.images.get(path) {
            Some(Ok(bytes)) => images::inspect(bytes).map_err(|e| e.to_string()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("not read".to_string()),
        };
        self.images.insert(path.to_string(), r.clone());
        r
    }

    /// Inspects every image of the listing on all cores; logos are also
    /// searched for QR codes.
    fn inspect_all(&mut self) {
        let l = &self.sub.listing;
        let logos: Vec<&String> = l.logo.iter().chain(l.company.logo.iter()).collect();
        let mut jobs: Vec<(String, bool)> = l
            .image_paths()
            .into_iter()
            .map(|(_, p)| {
                let qr = logos.contains(&&p);
                (p, qr)
            })
            .collect();
        jobs.sort();
        jobs.dedup_by(|a, b| a.0 == b.0);
        let sub = self.sub;
        let inspect = move |(p, qr): &(String, bool)| {
            let r = match sub.images.get(p) {
                Some(Ok(bytes)) => images::inspect_with(bytes, *qr).map_err(|e| e.to_string()),
                Some(Err(e)) => Err(e.clone()),
                None => Err("not read".to_string()),
            };
            (p.clone(), r)
        };
        // Only images with bytes cost anything (decoding, QR scan, hash);
        // threads are started for those alone, and only when there are two
        // or more (a text-only listing starts none).
        let (decode, cheap): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .partition(|(p, _)| matches!(sub.images.get(p), Some(Ok(_))));
        let mut results: Vec<(String, Result<ImageInfo, String>)> =
            cheap.iter().map(inspect).collect();
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(decode.len());
        if workers <= 1 {
            results.extend(decode.iter().map(inspect));
        } else {
            let chunk = decode.len().div_ceil(workers).max(1);
            std::thread::scope(|s| {
                let handles: Vec<_> = decode
                    .chunks(chunk)
                    .map(|part| s.spawn(move || part.iter().map(inspect).collect::<Vec<_>>()))
                    .collect();
                for h in handles {
                    results.extend(h.join().unwrap_or_default());
                }
            });
        }
        self.images.extend(results);
    }
}

fn indexed(prefix: &str, paths: &[String]) -> Vec<(String, String)> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{prefix}[{i}]"), p.clone()))
        .collect()
}

fn is_cjk(c: char) -> bool {
    bylaw_textguard::fold::is_cjk(c)
}

/// Length as the seeds count it: `chars` counts every character;
/// `chinese-chars` counts a Chinese character as one and any other visible
/// character as half (10 个汉字 = 20 个字符).
fn measure(text: &str, unit: Unit) -> Option<f64> {
    match unit {
        Unit::Chars => Some(text.chars().count() as f64),
        Unit::ChineseChars => {
            let cjk = text.chars().filter(|c| is_cjk(*c)).count();
            let other = text
                .chars()
                .filter(|c| !is_cjk(*c) && !c.is_whitespace())
                .count();
            Some(cjk as f64 + (other as f64 / 2.0).ceil())
        }
        _ => None,
    }
}

fn unit_zh(unit: Unit) -> &'static str {
    match unit {
        Unit::Chars => "个字符",
        Unit::ChineseChars => "个汉字",
        Unit::Px => "像素",
        Unit::Kb => "KB",
        Unit::Mb => "MB",
        Unit::Count => "个",
        _ => "",
    }
}

fn bytes_of(n: f64, unit: Unit) -> Option<f64> {
    match unit {
        Unit::Bytes => Some(n),
        Unit::Kb => Some(n * 1024.0),
        Unit::Mb => Some(n * 1024.0 * 1024.0),
        _ => None,
    }
}

fn bounds(t: &Threshold) -> String {
    let u = unit_zh(t.unit);
    match (t.min, t.max, t.value) {
        (Some(a), Some(b), _) => format!("{a}–{b}{u}"),
        (None, Some(b), _) if t.exclusive => format!("小于 {b}{u}"),
        (None, Some(b), _) => format!("不超过 {b}{u}"),
        (Some(a), None, _) => format!("至少 {a}{u}"),
        (None, None, Some(v)) => format!("{v}{u}"),
        _ => String::new(),
    }
}

fn admits(t: &Threshold, x: f64) -> bool {
    match (t.min, t.max, t.value) {
        (None, None, Some(v)) => (x - v.get()).abs() < 1e-9,
        _ => t.admits(x),
    }
}

/// Runs every check of the profile.
pub(crate) fn run(ctx: &mut Ctx<'_>) {
    ctx.inspect_all();
    let listing = &ctx.sub.listing;
    let Some(profile) = ctx.profiles.profile(listing.platform, listing.level) else {
        return;
    };
    if listing.platform != Platform::Meeting && listing.level.is_some() {
        ctx.report(
            ctx.profiles.mark_rule(listing.platform),
            "level".into(),
            Severity::Info,
            Msg {
                zh: "只有腾讯会议应用市场区分上线、搜索、展示级别，已忽略 level".into(),
                en: "only Tencent Meeting listings have levels; `level` was ignored".into(),
                value: None,
                span: None,
                fix: "删除 level 字段".into(),
            },
        );
    }
    let rb = ctx.rb;
    let mut work: Vec<(&Rule, String, bool)> = Vec::new();
    if let Some(prefix) = &profile.field_rules {
        for r in rb
            .rules()
            .iter()
            .filter(|r| r.id.starts_with(prefix.as_str()))
        {
            let slug = &r.id[prefix.len()..];
            if let Some(field) = ctx.profiles.fields.get(slug) {
                work.push((r, field.clone(), false));
            }
        }
    }
    let assignments: Vec<&Assignment> = ctx.profiles.assignments(profile).collect();
    for a in assignments {
        if let Some(r) = rb.rule(&a.rule) {
            for f in &a.fields {
                work.push((r, f.clone(), a.superseded_only));
            }
        }
    }
    for (rule, field, superseded_only) in work {
        for check in &rule.checks {
            dispatch(ctx, check, rule, &field, superseded_only);
        }
    }
    scan_texts(ctx);
    if listing.platform == Platform::Meeting {
        qualifications(ctx);
        privacy_policy(ctx);
    }
    online(ctx, profile.field_rules.as_deref());
}

fn dispatch(ctx: &mut Ctx<'_>, check: &str, rule: &Rule, field: &str, superseded_only: bool) {
    if superseded_only {
        if check == "image-format" {
            image_format(ctx, rule, field, true);
        }
        return;
    }
    match check {
        "required-fields" => required(ctx, rule, field),
        "name-length" | "text-length" => lengths(ctx, rule, field),
        "name-symbols" => name_symbols(ctx, rule, field),
        "text-symbols" => text_symbols(ctx, rule, field),
        "generic-name" => generic_name(ctx, rule, field),
        "image-format" => image_format(ctx, rule, field, false),
        "image-duplicate" => duplicates(ctx, rule, field),
        "qr-code" => qr_codes(ctx, rule, field),
        "trademark-lookalike" => marks(ctx, rule, field),
        "duplicate-listing" => catalog(ctx, rule, field),
        "keyword-stuffing" => stuffing(ctx, rule, field),
        "field-format" | "url-reachable" => formats(ctx, rule, field),
        "relevance" if field == "intro" => relevance(ctx, rule),
        "privacy-policy" if field == "privacy_policy" => vague_links(ctx, rule),
        _ => {}
    }
}

fn required(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(t) = rule.threshold("required", None) else {
        return;
    };
    if t.value.map(|v| v.get()) != Some(1.0) || ctx.present(field) {
        return;
    }
    ctx.report(
        &rule.id,
        field.to_string(),
        Severity::Error,
        Msg {
            zh: format!("缺少必填项「{}」", rule.title),
            en: format!("required field `{field}` ({}) is missing", rule.title),
            value: None,
            span: None,
            fix: format!("按《{}》填写「{}」", rule.source.document, rule.title),
        },
    );
}

fn lengths(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    for t in rule
        .thresholds
        .iter()
        .filter(|t| t.in_force && t.name.ends_with("-length"))
    {
        let Some(n) = measure(&text, t.unit) else {
            continue;
        };
        if admits(t, n) {
            continue;
        }
        let advice = t.name.starts_with("recommended");
        ctx.report(
            &rule.id,
            field.to_string(),
            if advice {
                Severity::Info
            } else {
                Severity::Error
            },
            Msg {
                zh: format!(
                    "长度为 {n}{}，{}{}",
                    unit_zh(t.unit),
                    if advice { "建议" } else { "要求" },
                    bounds(t)
                ),
                en: format!(
                    "length {n} {:?}; the rule {} {}",
                    t.unit,
                    if advice { "recommends" } else { "requires" },
                    bounds(t)
                ),
                value: Some(text.clone()),
                span: None,
                fix: format!("调整为{}", bounds(t)),
            },
        );
    }
}

fn name_symbols(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    let forbidden: Vec<String> = rule
        .lists
        .iter()
        .filter(|l| {
            l.name.contains("forbidden") || l.name.contains("symbols") || l.name.contains("styles")
        })
        .flat_map(|l| l.items.clone())
        .collect();
    let at = F {
        rule: &rule.id,
        field: field.to_string(),
    };
    for (i, c) in text.chars().enumerate() {
        let listed = forbidden
            .iter()
            .any(|f| f.chars().count() == 1 && f.starts_with(c));
        let special = !(c.is_alphanumeric() || is_cjk(c));
        if listed || special {
            let what = if c.is_whitespace() {
                "空格"
            } else {
                "特殊符号"
            };
            ctx.push(
                &at,
                Severity::Error,
                Msg {
                    zh: format!("含有{what}「{c}」"),
                    en: format!(
                        "contains a {} `{c}`",
                        if c.is_whitespace() {
                            "space"
                        } else {
                            "special symbol"
                        }
                    ),
                    value: Some(text.clone()),
                    span: Some((i, i + 1)),
                    fix: "删除空格和特殊符号，只用汉字、字母和数字".into(),
                },
            );
        }
    }
}

fn text_symbols(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    let symbols: Vec<String> = rule
        .lists
        .iter()
        .filter(|l| l.name.contains("symbol"))
        .flat_map(|l| l.items.clone())
        .collect();
    let at = F {
        rule: &rule.id,
        field: field.to_string(),
    };
    let chars: Vec<char> = text.chars().collect();
    for s in &symbols {
        let pat: Vec<char> = s.chars().collect();
        if pat.is_empty() {
            continue;
        }
        let mut i = 0;
        while i + pat.len() <= chars.len() {
            if chars[i..i + pat.len()] == pat[..] {
                ctx.push(
                    &at,
                    Severity::Error,
                    Msg {
                        zh: format!("含有特殊符号「{s}」"),
                        en: format!("contains the special symbol `{s}`"),
                        value: Some(text.clone()),
                        span: Some((i, i + pat.len())),
                        fix: format!("删除「{s}」"),
                    },
                );
                i += pat.len();
            } else {
                i += 1;
            }
        }
    }
}

fn generic_name(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    let norm = ctx.guard.normalizer();
    let name = norm.term(&text);
    let words: Vec<String> = rule
        .lists
        .iter()
        .filter(|l| l.name.contains("generic"))
        .flat_map(|l| l.items.clone())
        .collect();
    for w in words {
        let nw = norm.term(&w);
        if nw.is_empty() || !name.contains(&nw) {
            continue;
        }
        let rest = name.chars().count() - nw.chars().count();
        if rest <= 2 {
            ctx.report(
                &rule.id,
                field.to_string(),
                Severity::Error,
                Msg {
                    zh: format!("以泛化词「{w}」命名，缺乏识别性"),
                    en: format!("named after the generic word `{w}`"),
                    value: Some(text.clone()),
                    span: None,
                    fix: "使用品牌名或「品牌名 + 功能场景」".into(),
                },
            );
        }
    }
}

/// Which device a finding field is on, and the thresholds' variant for it.
fn variant_of(field: &str) -> Option<&'static str> {
    if field.starts_with("previews.desktop") {
        Some("desktop")
    } else if field.starts_with("previews.mobile") {
        Some("mobile")
    } else {
        None
    }
}

fn image_format(ctx: &mut Ctx<'_>, rule: &Rule, field: &str, superseded_only: bool) {
    let paths = ctx.image_paths(field);
    let formats: Vec<String> = rule
        .lists
        .iter()
        .filter(|l| l.name == "formats")
        .flat_map(|l| l.items.iter().map(|i| i.to_lowercase()))
        .collect();
    let wanted = |t: &&Threshold| t.in_force != superseded_only;
    for (fname, path) in &paths {
        let at = F {
            rule: &rule.id,
            field: fname.clone(),
        };
        let info = match ctx.image(path) {
            Ok(i) => i,
            Err(e) => {
                if !superseded_only {
                    ctx.push(
                        &at,
                        Severity::Error,
                        Msg {
                            zh: format!("无法读取图片：{e}"),
                            en: format!("cannot read the image: {e}"),
                            value: Some(path.clone()),
                            span: None,
                            fix: "提供可打开的 PNG/JPEG/GIF 图片".into(),
                        },
                    );
                }
                continue;
            }
        };
        let variant = variant_of(fname);
        if !superseded_only
            && !formats.is_empty()
            && !info
                .format
                .names()
                .iter()
                .any(|n| formats.iter().any(|f| f == n))
        {
            ctx.push(
                &at,
                Severity::Error,
                Msg {
                    zh: format!(
                        "图片实际格式为 {}，要求 {}",
                        info.format.names()[0],
                        formats.join("/")
                    ),
                    en: format!(
                        "the image is {}; the rule allows {}",
                        info.format.names()[0],
                        formats.join("/")
                    ),
                    value: Some(path.clone()),
                    span: None,
                    fix: format!(
                        "转换为 {} 格式（按文件内容判断，不看扩展名）",
                        formats.join("/")
                    ),
                },
            );
        }
        let applies = |t: &Threshold| t.variant.is_none() || t.variant.as_deref() == variant;
        let ts: Vec<Threshold> = rule
            .thresholds
            .iter()
            .filter(wanted)
            .filter(|t| applies(t))
            .cloned()
            .collect();
        for t in &ts {
            let (x, what_zh, what_en) = match t.name.as_str() {
                "width" => (info.width as f64, "宽度", "width"),
                "height" => (info.height as f64, "高度", "height"),
                "file-size" => {
                    let Some(limit_bytes) = t.max.and_then(|m| bytes_of(m.get(), t.unit)) else {
                        continue;
                    };
                    if (info.bytes as f64) <= limit_bytes {
                        continue;
                    }
                    let (sev, zh, en) = if superseded_only {
                        (
                            Severity::Info,
                            format!(
                                "图片 {:.1} KB，超过旧规范（{}）的 {}{}；现行规范为 {}",
                                info.bytes as f64 / 1024.0,
                                t.date.as_deref().unwrap_or("较早"),
                                t.max.map(|m| m.to_string()).unwrap_or_default(),
                                unit_zh(t.unit),
                                t.superseded_by.as_deref().unwrap_or("较新的规范")
                            ),
                            format!(
                                "{:.1} KB exceeds the older figure {}{:?} (superseded by {})",
                                info.bytes as f64 / 1024.0,
                                t.max.map(|m| m.to_string()).unwrap_or_default(),
                                t.unit,
                                t.superseded_by.as_deref().unwrap_or("a newer rule")
                            ),
                        )
                    } else {
                        (
                            Severity::Error,
                            format!(
                                "图片大小 {:.1} KB，超过 {}",
                                info.bytes as f64 / 1024.0,
                                bounds(t)
                            ),
                            format!("{} bytes exceeds {}", info.bytes, bounds(t)),
                        )
                    };
                    ctx.push(
                        &at,
                        sev,
                        Msg {
                            zh,
                            en,
                            value: Some(path.clone()),
                            span: None,
                            fix: format!("压缩到{}", bounds(t)),
                        },
                    );
                    continue;
                }
                _ => continue,
            };
            if !admits(t, x) {
                ctx.push(
                    &at,
                    if superseded_only {
                        Severity::Info
                    } else {
                        Severity::Error
                    },
                    Msg {
                        zh: format!("图片{what_zh} {x} 像素，要求 {}", bounds(t)),
                        en: format!("image {what_en} {x} px; the rule requires {}", bounds(t)),
                        value: Some(format!("{path} ({}×{})", info.width, info.height)),
                        span: None,
                        fix: format!("导出为{}", bounds(t)),
                    },
                );
            }
        }
    }
    if superseded_only || !field.starts_with("previews") {
        return;
    }
    // Counts per device, and how many devices are provided.
    let l = &ctx.sub.listing;
    let counts = [
        ("desktop", l.previews.desktop.len()),
        ("mobile", l.previews.mobile.len()),
    ];
    for (variant, n) in counts {
        if let Some(t) = rule.threshold("images", Some(variant)) {
            if !admits(t, n as f64) {
                ctx.report(
                    &rule.id,
                    format!("previews.{variant}"),
                    Severity::Error,
                    Msg {
                        zh: format!("{variant} 预览图 {n} 张，要求{}", bounds(t)),
                        en: format!("{n} {variant} previews; the rule allows {}", bounds(t)),
                        value: None,
                        span: None,
                        fix: format!("保留{}", bounds(t)),
                    },
                );
            }
        }
    }
    if let Some(t) = rule.threshold("variants-provided", None) {
        let provided = counts.iter().filter(|(_, n)| *n > 0).count();
        if !admits(t, provided as f64) {
            ctx.report(
                &rule.id,
                "previews".into(),
                Severity::Error,
                Msg {
                    zh: "至少需要提供一端（桌面端或移动端）的预览图".into(),
                    en: "previews for at least one device are required".into(),
                    value: None,
                    span: None,
                    fix: "提供桌面端或移动端预览图".into(),
                },
            );
        }
    }
}

fn duplicates(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let paths = ctx.image_paths(field);
    let mut seen: Vec<(String, ImageInfo)> = Vec::new();
    for (fname, path) in paths {
        let Ok(info) = ctx.image(&path) else {
            continue;
        };
        if let Some((other, _)) = seen.iter().find(|(_, o)| images::same_picture(o, &info)) {
            let at = F {
                rule: &rule.id,
                field: fname.clone(),
            };
            let other = other.clone();
            ctx.push(
                &at,
                Severity::Error,
                Msg {
                    zh: format!("与 {other} 是重复的截图"),
                    en: format!("duplicate of {other}"),
                    value: Some(path.clone()),
                    span: None,
                    fix: "换成展示其他功能的截图".into(),
                },
            );
        }
        seen.push((fname, info));
    }
}

fn qr_codes(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    for (fname, path) in ctx.image_paths(field) {
        if let Ok(ImageInfo {
            qr: Some(content), ..
        }) = ctx.image(&path)
        {
            ctx.report(
                &rule.id,
                fname,
                Severity::Error,
                Msg {
                    zh: "图片是二维码".into(),
                    en: format!("the image is a QR code ({content})"),
                    value: Some(path.clone()),
                    span: None,
                    fix: "使用图形化的品牌 logo，不要使用二维码".into(),
                },
            );
        }
    }
}

fn marks(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    let marks: Vec<names::Mark> = ctx
        .profiles
        .marks
        .words
        .iter()
        .map(|w| names::Mark {
            text: w.clone(),
            rule: rule.id.clone(),
        })
        .collect();
    let all = names::lookalikes(&text, &marks, ctx.guard.normalizer());
    // 腾迅 inside 腾迅会议 is the same imitation.
    let hits: Vec<names::MarkHit> = all
        .iter()
        .filter(|h| {
            !all.iter().any(|o| {
                o.start <= h.start && h.end <= o.end && (o.end - o.start) > (h.end - h.start)
            })
        })
        .cloned()
        .collect();
    for h in hits {
        let at = F {
            rule: &rule.id,
            field: field.to_string(),
        };
        let how = match h.how {
            names::How::Exact => "使用了",
            names::How::Skeleton => "变形使用了",
            names::How::Sound => "谐音仿冒",
            names::How::Edit => "近似仿冒",
        };
        ctx.push(
            &at,
            Severity::Error,
            Msg {
                zh: format!("「{}」{how}受保护的商标「{}」", h.text, h.mark),
                en: format!(
                    "`{}` imitates the protected mark `{}` ({:?})",
                    h.text, h.mark, h.how
                ),
                value: Some(text.clone()),
                span: Some((h.start, h.end)),
                fix: "未经授权不得使用或仿冒腾讯及其产品的名称、商标".into(),
            },
        );
    }
}

fn catalog(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    if ctx.sub.catalog.is_empty() {
        return;
    }
    let Some(text) = ctx.text(field) else {
        return;
    };
    let similar = names::most_similar(
        &text,
        &ctx.sub.catalog,
        ctx.guard.normalizer(),
        ctx.profiles.catalog.threshold,
    );
    for s in similar.into_iter().take(3) {
        ctx.report(
            &rule.id,
            field.to_string(),
            Severity::Warning,
            Msg {
                zh: format!("与已有的「{}」高度相似（{:.0}%）", s.name, s.score * 100.0),
                en: format!(
                    "{:.0}% similar to the existing listing `{}`",
                    s.score * 100.0,
                    s.name
                ),
                value: Some(text.clone()),
                span: None,
                fix: "使用可区分的名称，避免重复或同质化".into(),
            },
        );
    }
}

fn stuffing(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    if let Some(reason) = names::stuffing(&text, &ctx.sub.listing.keywords, ctx.guard.normalizer())
    {
        ctx.report(
            &rule.id,
            field.to_string(),
            Severity::Warning,
            Msg {
                zh: format!("疑似堆砌搜索热词：{reason}"),
                en: format!("looks like keyword stuffing: {reason}"),
                value: Some(text.clone()),
                span: None,
                fix: "名称只保留品牌名和核心功能".into(),
            },
        );
    }
}

/// Characters that carry meaning (not function words or punctuation).
fn content_chars(s: &str) -> std::collections::HashSet<char> {
    const FUNCTION: &str =
        "的了和与及在是为等一个我你您们这那有对把被让就都也而或中上下用可以能会将";
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| (is_cjk(*c) && !FUNCTION.contains(*c)) || c.is_ascii_alphanumeric())
        .collect()
}

/// Name, intro and category that share nothing at all cannot be related
/// (a warning: only a person can judge relevance for sure).
fn relevance(ctx: &mut Ctx<'_>, rule: &Rule) {
    let (Some(name), Some(intro)) = (ctx.text("name"), ctx.text("intro")) else {
        return;
    };
    let intro_chars = content_chars(&intro);
    if intro_chars.len() < 6 {
        return;
    }
    let mut topic = content_chars(&name);
    if let Some(c) = ctx.text("category") {
        topic.extend(content_chars(&c));
    }
    if let Some(d) = ctx.text("description") {
        topic.extend(content_chars(&d));
    }
    if topic.is_empty() || !intro_chars.is_disjoint(&topic) {
        return;
    }
    ctx.report(
        &rule.id,
        "intro".into(),
        Severity::Warning,
        Msg {
            zh: "简介与名称、类目、描述没有任何共同的词，看不出关联".into(),
            en: "the intro shares no word with the name, category or description".into(),
            value: Some(intro.clone()),
            span: None,
            fix: "简介应说明名称所指的核心功能".into(),
        },
    );
}

fn valid_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && !s.chars().any(char::is_whitespace)
}

/// Mobile, landline (with or without +86, with an extension), 400/800 or
/// 95xxx service numbers.
fn valid_phone(s: &str) -> bool {
    let s = s.trim();
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || " -+()转#".contains(c))
    {
        return false;
    }
    // An extension after 转, # or a final -group of 1–5 digits.
    let main = s.split(['转', '#']).next().unwrap_or(s);
    let (international, rest) = if let Some(r) = main.strip_prefix("+86") {
        (true, r)
    } else if let Some(r) = main.strip_prefix("0086") {
        (true, r)
    } else {
        (false, main)
    };
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let groups: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let without_ext = |d: &str| -> Vec<String> {
        let mut v = vec![d.to_string()];
        if let Some(last) = groups.last() {
            if groups.len() > 1 && (1..=5).contains(&last.len()) {
                v.push(d[..d.len() - last.len()].to_string());
            }
        }
        v
    };
    without_ext(&digits).iter().any(|d| {
        let mobile = d.len() == 11 && d.starts_with('1');
        let landline = if international && !d.starts_with('0') {
            (9..=11).contains(&d.len()) && !d.starts_with('1')
        } else {
            d.starts_with('0') && (10..=12).contains(&d.len())
        };
        let service = (d.starts_with("400") || d.starts_with("800")) && d.len() == 10;
        let short = !international && d.len() == 5 && d.starts_with("95");
        mobile || landline || service || short
    })
}

fn valid_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 6 && p.chars().all(|c| c.is_ascii_digit()))
}

fn formats(ctx: &mut Ctx<'_>, rule: &Rule, field: &str) {
    let Some(text) = ctx.text(field) else {
        return;
    };
    let (ok, zh, en, fix) = if field.ends_with("url") || field.ends_with("website") {
        (
            valid_url(text.trim()),
            "不是有效的网址",
            "is not a valid http(s) URL",
            "填写以 https:// 开头的完整地址",
        )
    } else if field.ends_with("phone") {
        (
            valid_phone(text.trim()),
            "不是有效的电话号码",
            "is not a valid phone number",
            "填写手机号、带区号的座机或 400/800 号码",
        )
    } else if field == "version" {
        (
            valid_version(text.trim()),
            "版本号格式不对",
            "is not a version like 1.0.0",
            "使用 1.0.0 这样的格式",
        )
    } else {
        return;
    };
    if !ok {
        ctx.report(
            &rule.id,
            field.to_string(),
            Severity::Error,
            Msg {
                zh: format!("「{text}」{zh}"),
                en: format!("`{text}` {en}"),
                value: Some(text.clone()),
                span: None,
                fix: fix.into(),
            },
        );
    }
}

/// Every text field through textguard in the `listing` scene.
fn scan_texts(ctx: &mut Ctx<'_>) {
    for field in [
        "name",
        "intro",
        "description",
        "keywords",
        "release_notes",
        "category",
        "company.name",
    ] {
        let Some(text) = ctx.text(field) else {
            continue;
        };
        let all = ctx.guard.hits(&text, Scene::Listing);
        // A hit inside a longer hit citing the same rule says nothing new.
        let hits: Vec<_> = all
            .iter()
            .filter(|h| {
                !all.iter().any(|o| {
                    !std::ptr::eq(*h, o)
                        && o.rule == h.rule
                        && o.start <= h.start
                        && h.end <= o.end
                        && (o.end - o.start) > (h.end - h.start)
                })
            })
            .cloned()
            .collect();
        for h in hits {
            let platform = ctx.sub.listing.platform;
            let Some(rule) = ctx
                .profiles
                .content_rule(platform, h.label, h.rule.as_deref())
            else {
                continue;
            };
            let severity = match h.severity {
                bylaw_textguard::Severity::Block => Severity::Error,
                bylaw_textguard::Severity::Review => Severity::Warning,
            };
            let at = F {
                rule,
                field: field.to_string(),
            };
            ctx.push(
                &at,
                severity,
                Msg {
                    zh: format!("含有{}内容「{}」", h.label.name_zh(), h.text),
                    en: format!("contains {} content `{}`", h.label, h.text),
                    value: Some(text.clone()),
                    span: Some((h.start, h.end)),
                    fix: format!("删除或改写「{}」", h.text),
                },
            );
        }
    }
}

fn doc_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !"《》<>“”\"'（）()".contains(*c))
        .collect::<String>()
        .to_lowercase()
}

/// 4.1 for every Meeting listing, 4.2 rows by declared business or feature.
fn qualifications(ctx: &mut Ctx<'_>) {
    let rb = ctx.rb;
    let l = &ctx.sub.listing;
    let have: Vec<String> = l.qualifications.iter().map(|q| doc_key(&q.kind)).collect();
    let mut rows: Vec<&Rule> = ctx
        .profiles
        .qualifications
        .meeting
        .iter()
        .filter_map(|id| rb.rule(id))
        .collect();
    let special = ctx.profiles.qualifications.special.clone();
    for b in &l.businesses {
        let key = doc_key(b);
        let matched: Vec<&Rule> = rb
            .rules()
            .iter()
            .filter(|r| r.id.starts_with(&special) && r.kind == bylaw_rulebook::Kind::Qualification)
            .filter(|r| {
                let title = doc_key(&r.title);
                !key.is_empty()
                    && (title == key || title.split(['、', '/', '，']).any(|t| t == key))
            })
            .collect();
        if matched.is_empty() {
            let at = F {
                rule: "meeting-compliance/4.2",
                field: "businesses".into(),
            };
            if rb.rule("meeting-compliance/4.2").is_some() {
                ctx.push(
                    &at,
                    Severity::Info,
                    Msg {
                        zh: format!("「{b}」不是资质表中的业务类别，无法判断所需资质"),
                        en: format!("`{b}` is no business kind of the qualification tables"),
                        value: Some(b.clone()),
                        span: None,
                        fix: "使用 4.2 资质表中的业务类别名称".into(),
                    },
                );
            }
        }
        rows.extend(matched);
    }
    for f in &l.features {
        if let Some(ids) = ctx.profiles.features.get(f) {
            rows.extend(ids.iter().filter_map(|id| rb.rule(id)));
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.dedup_by(|a, b| a.id == b.id);
    for r in rows {
        for list in r
            .lists
            .iter()
            .filter(|x| x.name.starts_with("qualifications"))
        {
            let present: Vec<bool> = list
                .items
                .iter()
                .map(|i| {
                    let k = doc_key(i);
                    have.iter().any(|h| {
                        *h == k || (k.len() > 6 && (h.contains(&k) || k.contains(h.as_str())))
                    })
                })
                .collect();
            let any = list.require == Some(bylaw_rulebook::Require::Any);
            let missing: Vec<&String> = list
                .items
                .iter()
                .zip(&present)
                .filter(|(_, p)| !**p)
                .map(|(i, _)| i)
                .collect();
            let ok = if any {
                present.iter().any(|p| *p)
            } else {
                missing.is_empty()
            };
            if ok {
                continue;
            }
            let at = F {
                rule: &r.id,
                field: "qualifications".into(),
            };
            let need = if any {
                format!("以下之一：{}", list.items.join("、"))
            } else {
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            ctx.push(
                &at,
                Severity::Error,
                Msg {
                    zh: format!("「{}」需要资质：{need}", r.title),
                    en: format!("`{}` needs: {need}", r.title),
                    value: None,
                    span: None,
                    fix: format!("提交{need}"),
                },
            );
        }
    }
}

fn privacy_policy(ctx: &mut Ctx<'_>) {
    let Some(text) = ctx.sub.policy_text.clone() else {
        return;
    };
    for r in privacy::analyze(&text, ctx.privacy) {
        if r.found || r.manual {
            continue;
        }
        ctx.report(
            &r.rule,
            "privacy_policy".into(),
            Severity::Error,
            Msg {
                zh: format!("隐私政策未见「{}」", r.name),
                en: format!("the privacy policy does not show `{}`", r.name),
                value: None,
                span: None,
                fix: format!("在隐私政策中补充「{}」", r.name),
            },
        );
    }
}

fn vague_links(ctx: &mut Ctx<'_>, rule: &Rule) {
    let Some(text) = ctx.sub.policy_text.clone() else {
        return;
    };
    for (a, b, name) in privacy::vague_links(&text, ctx.privacy) {
        ctx.report(
            &rule.id,
            "privacy_policy".into(),
            Severity::Error,
            Msg {
                zh: format!("超链接名称「{name}」不能说明内容"),
                en: format!("the hyperlink name `{name}` does not say what it links to"),
                value: Some(name.clone()),
                span: Some((a, b)),
                fix: "超链接名称须包含关键信息，如《第三方 SDK 目录》".into(),
            },
        );
    }
}

/// URL answers from `--online`.
fn online(ctx: &mut Ctx<'_>, field_rules: Option<&str>) {
    if ctx.sub.online.is_empty() {
        return;
    }
    let l = &ctx.sub.listing;
    let fields = [
        ("privacy_url", "privacy-url", l.privacy_url.clone()),
        ("terms_url", "terms-url", l.terms_url.clone()),
        ("company.website", "website", l.company.website.clone()),
    ];
    for (field, slug, url) in fields {
        let Some(url) = url else {
            continue;
        };
        let Some(result) = ctx.sub.online.get(&url).cloned() else {
            continue;
        };
        let rule = field_rules
            .map(|p| format!("{p}{slug}"))
            .filter(|id| ctx.rb.rule(id).is_some())
            .unwrap_or_else(|| ctx.profiles.mark_rule(l.platform).to_string());
        let problem = match result {
            UrlCheck::Status(200) => continue,
            UrlCheck::Status(s) => format!("HTTP {s}"),
            UrlCheck::Failed(e) => e,
        };
        ctx.report(
            &rule,
            field.to_string(),
            Severity::Error,
            Msg {
                zh: format!("地址无法正常打开：{problem}"),
                en: format!("the URL does not open: {problem}"),
                value: Some(url.clone()),
                span: None,
                fix: "确保地址可公开访问并返回 200".into(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_as_the_seeds_count() {
        assert_eq!(measure("会议纪要", Unit::ChineseChars), Some(4.0));
        assert_eq!(measure("会议AI", Unit::ChineseChars), Some(3.0));
        assert_eq!(measure("会议ABC", Unit::ChineseChars), Some(4.0));
        assert_eq!(measure("会议ABC", Unit::Chars), Some(5.0));
    }

    #[test]
    fn formats() {
        assert!(valid_url("https://example.com/privacy"));
        assert!(!valid_url("example.com"));
        assert!(!valid_url("https://exa mple.com"));
        assert!(valid_phone("0755-86013388"));
        assert!(valid_phone("13800138000"));
        assert!(valid_phone("400-910-0000"));
        assert!(!valid_phone("12345"));
        assert!(valid_phone("+86 571 8601 2345"));
        assert!(valid_phone("0571-86012345-8001"));
        assert!(valid_phone("0571-86012345转8001"));
        assert!(valid_phone("+86 138 0013 8000"));
        assert!(!valid_phone("+86 12345"));
        assert!(!valid_phone("call me"));
        assert!(valid_version("1.0.0"));
        assert!(!valid_version("v1"));
        assert!(!valid_version("1..0"));
    }
}
