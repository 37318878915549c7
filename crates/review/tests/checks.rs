//! Each check with a listing that passes and one that fails; images are
//! generated here.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::OnceLock;

use bylaw_review::{Config, Finding, Listing, Reviewer, Severity, Submission, Verdict};
use bylaw_rulebook::Rulebook;
use bylaw_textguard::Engine;
use image::{ImageFormat, Rgb, RgbImage};

fn rulebook() -> &'static Rulebook {
    static R: OnceLock<Rulebook> = OnceLock::new();
    R.get_or_init(|| Rulebook::embedded().expect("rulebook"))
}

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::build(&bylaw_textguard::starter_sources(), rulebook())
            .expect("engine")
            .0
    })
}

/// A simple UI-like picture; `seed` changes the layout so pictures differ.
fn picture(w: u32, h: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let band = ((x * (seed + 2)) / w.max(1) + (y * (seed % 5 + 1)) / h.max(1)) % 4;
        let v = [240u8, 200, 120, 60][band as usize];
        Rgb([v, (v / 2).wrapping_add((seed * 37) as u8), 255 - v])
    })
}

fn encode(img: &RgbImage, fmt: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, fmt).expect("encode");
    out.into_inner()
}

/// Noise, so PNG cannot compress it (to exceed byte limits).
fn noisy(w: u32, h: u32) -> RgbImage {
    let mut s: u32 = 0x1234_5678;
    RgbImage::from_fn(w, h, |_, _| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        Rgb([s as u8, (s >> 8) as u8, (s >> 16) as u8])
    })
}

const QUALIFICATIONS: &str = r#"
qualifications = [
  { kind = "《营业执照》" },
  { kind = "ICP 备案" },
  { kind = "《计算机软件著作权证书》" },
  { kind = "《腾讯会议开放平台应用发布承诺函》" },
  { kind = "《腾讯会议开放平台授权委托书》" },
  { kind = "法定代表人身份证复印件" },
  { kind = "授权委托书中被授权人身份证复印件" },
]
"#;

fn good_listing() -> String {
    format!(
        r#"
platform = "meeting"
level = "search"
name = "会议纪要"
logo = "logo.png"
category = "效率办公"
intro = "自动生成会议纪要"
description = "在会议中实时记录发言，会后自动整理成纪要并分享给参会人。"
version = "1.2.0"
release_notes = "支持导出为文档"
privacy_url = "https://example.com/privacy"
terms_url = "https://example.com/terms"
previews = {{ desktop = ["d1.png", "d2.png"], mobile = ["m1.png"] }}
company = {{ name = "示例科技有限公司", logo = "company.png", website = "https://example.com", support_phone = "0755-86013388" }}
{QUALIFICATIONS}
"#
    )
}

fn good_images() -> HashMap<String, Result<Vec<u8>, String>> {
    let mut m = HashMap::new();
    m.insert(
        "logo.png".into(),
        Ok(encode(&picture(128, 128, 1), ImageFormat::Png)),
    );
    m.insert(
        "company.png".into(),
        Ok(encode(&picture(128, 128, 2), ImageFormat::Png)),
    );
    m.insert(
        "d1.png".into(),
        Ok(encode(&picture(1920, 1080, 3), ImageFormat::Png)),
    );
    m.insert(
        "d2.png".into(),
        Ok(encode(&picture(1920, 1080, 9), ImageFormat::Png)),
    );
    m.insert(
        "m1.png".into(),
        Ok(encode(&picture(750, 1628, 5), ImageFormat::Png)),
    );
    m
}

fn submission(toml: &str) -> Submission {
    Submission {
        listing: Listing::parse("listing.toml", toml).expect("listing parses"),
        images: good_images(),
        policy_text: None,
        catalog: Vec::new(),
        online: HashMap::new(),
    }
}

fn review_with(sub: &Submission, config: Config) -> Vec<Finding> {
    let r = Reviewer::new(rulebook(), engine(), config).expect("reviewer");
    r.review(sub).findings
}

fn review(sub: &Submission) -> Vec<Finding> {
    review_with(sub, Config::default())
}

fn errors(f: &[Finding]) -> Vec<(String, String)> {
    f.iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| (x.rule.clone(), x.field.clone()))
        .collect()
}

fn has(f: &[Finding], rule: &str, field: &str) -> bool {
    f.iter()
        .any(|x| x.rule == rule && x.field == field && x.severity == Severity::Error)
}

#[test]
fn a_good_listing_has_no_errors() {
    let f = review(&submission(&good_listing()));
    assert!(errors(&f).is_empty(), "{f:#?}");
}

#[test]
fn name_length_is_counted_in_chinese_characters() {
    let f = review(&submission(
        &good_listing().replace("会议纪要\"", "会议纪要自动整理助手\""),
    ));
    assert!(has(&f, "meeting-search/fields.name", "name"), "{f:#?}");
    let f = review(&submission(
        &good_listing().replace("\"会议纪要\"", "\"会议纪要AI\""),
    ));
    assert!(
        !has(&f, "meeting-search/fields.name", "name"),
        "会议纪要AI is 5 Chinese characters: {f:#?}"
    );
}

#[test]
fn name_symbols_and_generic_names() {
    let f = review(&submission(
        &good_listing().replace("\"会议纪要\"", "\"会议-纪要\""),
    ));
    assert!(has(&f, "meeting-compliance/1.1", "name"), "{f:#?}");
    let f = review(&submission(
        &good_listing().replace("\"会议纪要\"", "\"电话\""),
    ));
    assert!(has(&f, "meeting-compliance/1.3", "name"), "{f:#?}");
}

#[test]
fn intro_symbols_and_absolutes() {
    let f = review(&submission(
        &good_listing().replace("自动生成会议纪要\"", "最好的纪要#工具\""),
    ));
    assert!(has(&f, "meeting-compliance/1.11", "intro"), "{f:#?}");
    assert!(
        f.iter()
            .any(|x| x.field == "intro" && x.message.contains("最")),
        "{f:#?}"
    );
}

#[test]
fn required_fields_and_formats() {
    let f = review(&submission(
        &good_listing()
            .replace("version = \"1.2.0\"", "version = \"v1\"")
            .replace("https://example.com/terms", "example.com/terms")
            .replace("0755-86013388", "12345")
            .replace("category = \"效率办公\"\n", ""),
    ));
    assert!(
        has(&f, "meeting-search/fields.version", "version"),
        "{f:#?}"
    );
    assert!(
        has(&f, "meeting-search/fields.terms-url", "terms_url"),
        "{f:#?}"
    );
    assert!(
        has(
            &f,
            "meeting-search/fields.support-phone",
            "company.support_phone"
        ),
        "{f:#?}"
    );
    assert!(
        has(&f, "meeting-search/fields.category", "category"),
        "{f:#?}"
    );
}

#[test]
fn logo_size_bytes_and_format_are_read_from_the_bytes() {
    let mut sub = submission(&good_listing());
    sub.images.insert(
        "logo.png".into(),
        Ok(encode(&noisy(128, 128), ImageFormat::Png)),
    );
    let f = review(&sub);
    assert!(
        f.iter()
            .any(|x| x.field == "logo" && x.message.contains("KB")),
        "25 KB+ logo: {f:#?}"
    );
    sub.images.insert(
        "logo.png".into(),
        Ok(encode(&picture(100, 100, 1), ImageFormat::Png)),
    );
    let f = review(&sub);
    assert!(
        f.iter()
            .any(|x| x.field == "logo" && x.message.contains("宽度")),
        "{f:#?}"
    );
    sub.images.insert(
        "logo.png".into(),
        Ok(encode(&picture(128, 128, 1), ImageFormat::Jpeg)),
    );
    let f = review(&sub);
    assert!(
        f.iter()
            .any(|x| x.field == "logo" && x.message.contains("jpg")),
        "a JPEG named .png: {f:#?}"
    );
    sub.images
        .insert("logo.png".into(), Ok(b"not an image".to_vec()));
    let f = review(&sub);
    assert!(
        f.iter()
            .any(|x| x.field == "logo" && x.severity == Severity::Error),
        "{f:#?}"
    );
}

#[test]
fn preview_sizes_counts_and_duplicates() {
    let mut sub = submission(&good_listing());
    sub.images.insert(
        "d2.png".into(),
        Ok(encode(&picture(1280, 720, 9), ImageFormat::Png)),
    );
    let f = review(&sub);
    assert!(
        has(&f, "meeting-search/fields.preview", "previews.desktop[1]"),
        "{f:#?}"
    );
    let mut sub = submission(&good_listing());
    sub.images.insert(
        "d2.png".into(),
        Ok(encode(&picture(1920, 1080, 3), ImageFormat::Jpeg)),
    );
    let f = review(&sub);
    assert!(
        has(&f, "meeting-compliance/1.10", "previews.desktop[1]"),
        "duplicate: {f:#?}"
    );
    let six: Vec<String> = (0..6).map(|i| format!("\"d{i}.png\"")).collect();
    let mut sub = submission(&good_listing().replace("\"d1.png\", \"d2.png\"", &six.join(", ")));
    for i in 0..6 {
        sub.images.insert(
            format!("d{i}.png"),
            Ok(encode(&picture(1920, 1080, 10 + i * 7), ImageFormat::Png)),
        );
    }
    let f = review(&sub);
    assert!(
        has(&f, "meeting-search/fields.preview", "previews.desktop"),
        "six previews: {f:#?}"
    );
}

#[test]
fn an_older_byte_limit_is_reported_as_information() {
    // Over the design norms' 512 KB (2024-03-29) but within 3.5 MB (2024-11-22).
    let mut sub = submission(&good_listing());
    let mut img = picture(1920, 1080, 3);
    image::imageops::replace(&mut img, &noisy(420, 420), 100, 100);
    sub.images
        .insert("d1.png".into(), Ok(encode(&img, ImageFormat::Png)));
    let f = review(&sub);
    let old: Vec<&Finding> = f
        .iter()
        .filter(|x| x.rule == "meeting-design/preview.desktop")
        .collect();
    assert!(!old.is_empty(), "{f:#?}");
    assert!(old.iter().all(|x| x.severity == Severity::Info));
    let bytes = sub.images["d1.png"].as_ref().unwrap().len();
    assert!(
        bytes > 512 * 1024 && bytes < 3_670_016,
        "fixture size {bytes}"
    );
}

#[test]
fn qualifications_follow_business_and_features() {
    let f = review(&submission(&good_listing().replace(
        "category = \"效率办公\"",
        "category = \"金融\"\nbusinesses = [\"贷款业务\"]\nfeatures = [\"ai-generation\"]",
    )));
    assert!(
        has(&f, "meeting-compliance/4.2.1.loans", "qualifications"),
        "{f:#?}"
    );
    assert!(
        has(&f, "meeting-compliance/4.2.9.1", "qualifications"),
        "{f:#?}"
    );
    let more = good_listing()
        .replace("category = \"效率办公\"", "category = \"金融\"\nbusinesses = [\"贷款业务\"]")
        .replace(
            "  { kind = \"《营业执照》\" },",
            "  { kind = \"《营业执照》\" },\n  { kind = \"《金融许可证》\" },\n  { kind = \"与第三方支付平台或银行签署的资金托管协议\" },\n  { kind = \"《小额贷款公司经营许可证》\" },",
        );
    let f = review(&submission(&more));
    assert!(
        !has(&f, "meeting-compliance/4.2.1.loans", "qualifications"),
        "{f:#?}"
    );
    let f = review(&submission(
        &good_listing().replace("  { kind = \"ICP 备案\" },\n", ""),
    ));
    assert!(
        has(&f, "meeting-compliance/4.1.icp", "qualifications"),
        "{f:#?}"
    );
}

#[test]
fn content_in_text_fields_is_scanned_in_the_listing_scene() {
    let f = review(&submission(
        &good_listing().replace("会后自动整理成纪要", "会后加微信 abc12345 领取六合彩资料"),
    ));
    assert!(
        f.iter()
            .any(|x| x.field == "description" && x.rule == "meeting-compliance/2.3.7"),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|x| x.field == "description" && x.span.is_some()),
        "{f:#?}"
    );
}

#[test]
fn unrelated_intro_is_a_warning() {
    let f = review(&submission(
        &good_listing()
            .replace("自动生成会议纪要\"", "专业宠物美容预约服务\"")
            .replace(
                "在会议中实时记录发言，会后自动整理成纪要并分享给参会人。",
                "",
            ),
    ));
    assert!(
        f.iter()
            .any(|x| x.rule == "meeting-compliance/1.5" && x.severity == Severity::Warning),
        "{f:#?}"
    );
    let f = review(&submission(&good_listing()));
    assert!(
        !f.iter().any(|x| x.rule == "meeting-compliance/1.5"),
        "{f:#?}"
    );
}

#[test]
fn catalogue_similarity() {
    let mut sub = submission(&good_listing());
    sub.catalog = vec!["会议纪要".into(), "日程助手".into()];
    let f = review(&sub);
    assert!(
        f.iter()
            .any(|x| x.rule == "meeting-compliance/2.8.2" && x.message.contains("会议纪要")),
        "{f:#?}"
    );
}

#[test]
fn config_turns_rules_off_or_down() {
    let sub = submission(&good_listing().replace("version = \"1.2.0\"", "version = \"v1\""));
    let off = Config::parse("[rules]\n\"meeting-search/fields.version\" = \"off\"\n").unwrap();
    assert!(!review_with(&sub, off)
        .iter()
        .any(|x| x.rule == "meeting-search/fields.version"));
    let warn = Config::parse("[rules]\n\"meeting-search/*\" = \"warning\"\n").unwrap();
    let f = review_with(&sub, warn);
    assert!(f
        .iter()
        .any(|x| x.rule == "meeting-search/fields.version" && x.severity == Severity::Warning));
    let bad = Config::parse("[rules]\n\"nowhere/1\" = \"off\"\n").unwrap();
    assert!(Reviewer::new(rulebook(), engine(), bad).is_err());
}

#[test]
fn verdict_and_versions() {
    let r = Reviewer::new(rulebook(), engine(), Config::default()).unwrap();
    let report = r.review(&submission(&good_listing()));
    assert_ne!(report.verdict, Verdict::Fail);
    assert_eq!(report.rulebook_version, rulebook().version());
    let report = r.review(&submission(
        &good_listing().replace("version = \"1.2.0\"", "version = \"v1\""),
    ));
    assert_eq!(report.verdict, Verdict::Fail);
}

#[test]
fn norms_built_once_review_alike_and_belong_to_one_rulebook() {
    let norms = bylaw_review::Norms::embedded(rulebook()).unwrap();
    assert_eq!(norms.rulebook_version(), rulebook().version());
    let fresh = Reviewer::new(rulebook(), engine(), Config::default()).unwrap();
    let lent = Reviewer::with_norms(rulebook(), engine(), &norms, Config::default()).unwrap();
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/meeting-bad/privacy-policy.md"
    ))
    .unwrap();
    for listing in [
        good_listing(),
        good_listing().replace("version = \"1.2.0\"", "version = \"v1\""),
    ] {
        let mut sub = submission(&listing);
        sub.policy_text = Some(policy.clone());
        let (a, b) = (fresh.review(&sub), lent.review(&sub));
        assert_eq!(a, b);
        assert!(
            a.findings.iter().any(|f| f.field == "privacy_policy"),
            "the policy is checked: {a:#?}"
        );
    }
    // Norms of another rulebook (one byte changed) are refused, naming both.
    let other = Rulebook::from_files(Rulebook::embedded_files().iter().map(|(n, t)| {
        let t = if *n == "miniprogram.toml" {
            format!("{t}\n# changed\n")
        } else {
            t.to_string()
        };
        (n.to_string(), t)
    }))
    .unwrap();
    assert_ne!(other.version(), rulebook().version());
    let err = Reviewer::with_norms(&other, engine(), &norms, Config::default())
        .err()
        .expect("norms of another rulebook");
    assert!(err.to_string().contains(other.version()), "{err}");
    assert!(err.to_string().contains(rulebook().version()), "{err}");
}

#[test]
fn miniprogram_and_wecom_profiles() {
    let mp = "platform = \"miniprogram\"\nname = \"免费自助餐\"\nintro = \"最低价美食团购\"\n";
    let f = review(&submission(mp));
    assert!(f.iter().any(|x| x.field == "name"), "{f:#?}");
    let isv = "platform = \"wecom-isv\"\nname = \"客户管理\"\nintro = \"加微信 abc12345 开通\"\n";
    let f = review(&submission(isv));
    assert!(f.iter().any(|x| x.field == "intro"), "{f:#?}");
}
