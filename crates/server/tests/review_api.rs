//! `POST /v1/review` end to end: JSON and multipart/form-data over real HTTP,
//! against the example listings and their images.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_error, Answer, Server};
use serde_json::{json, Value};

const BOUNDARY: &str = "bylaw-test-boundary-7MA4YWxkTrZu0gW";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn read(dir: &str, file: &str) -> Vec<u8> {
    std::fs::read(examples().join(dir).join(file))
        .unwrap_or_else(|e| panic!("examples/{dir}/{file}: {e}"))
}

fn text(dir: &str, file: &str) -> String {
    String::from_utf8(read(dir, file)).unwrap()
}

/// One form part: name, optional filename, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

/// A multipart/form-data body, built by hand.
fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn send_form(s: &Server, key: &str, parts: &[Part<'_>]) -> Answer {
    s.raw(
        "POST",
        "/v1/review",
        key,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        Some(&form(parts)),
    )
}

/// The listing file of an example directory.
fn listing_file(dir: &str) -> &'static str {
    if examples().join(dir).join("listing.toml").is_file() {
        "listing.toml"
    } else {
        "listing.json"
    }
}

/// An example as a form: the listing, then every image and text file beside
/// it, each part named by its path.
fn example_parts(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(examples().join(dir))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png") || n.ends_with(".md"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let b = read(dir, &n);
            (n, b)
        })
        .collect()
}

fn review_example(s: &Server, dir: &str, key: &str) -> Answer {
    let file = listing_file(dir);
    let files = example_parts(dir);
    let mut parts: Vec<Part<'_>> = vec![("listing", Some(file), read(dir, file))];
    for (n, b) in &files {
        parts.push((n.as_str(), None, b.clone()));
    }
    send_form(s, key, &parts)
}

/// `severity<TAB>rule<TAB>field` lines, sorted and deduplicated, as the
/// golden files of examples/ hold them.
fn finding_lines(report: &Value) -> String {
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {report}"))
        .iter()
        .map(|f| {
            format!(
                "{}\t{}\t{}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["field"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    format!("{}\n", lines.join("\n"))
}

fn rules_on(report: &Value, field: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == field)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_example_over_multipart_matches_its_golden_findings() {
    let s = Server::start();
    let mut seen = 0;
    for dir in [
        "meeting-bad",
        "meeting-listing",
        "meeting-search",
        "meeting-showcase",
        "miniprogram",
        "wecom-isv",
    ] {
        let a = review_example(&s, dir, "reviewer");
        assert_eq!(a.status, 200, "{dir}: {}", a.text);
        let want = text(dir, "expected-findings.tsv");
        let got = finding_lines(&a.json);
        let got = if got == "\n" { "\n".to_string() } else { got };
        assert_eq!(got.trim(), want.trim(), "{dir}: {}", a.text);
        assert!(a.json["rulebook_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()));
        assert!(a.json["lexicon_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()));
        seen += 1;
    }
    assert_eq!(seen, 6);
}

#[test]
fn a_clean_listing_passes_and_a_bad_one_fails_with_its_rules() {
    let s = Server::start();
    let good = review_example(&s, "meeting-listing", "reviewer");
    assert_eq!(good.status, 200, "{}", good.text);
    assert_eq!(good.json["verdict"], "pass", "{}", good.text);
    assert_eq!(good.json["platform"], "meeting");
    assert_eq!(good.json["level"], "listing");
    assert_eq!(good.json["findings"], json!([]));

    let bad = review_example(&s, "meeting-bad", "reviewer");
    assert_eq!(bad.status, 200, "{}", bad.text);
    assert_eq!(bad.json["verdict"], "fail");
    let name = rules_on(&bad.json, "name");
    for r in [
        "meeting-compliance/1.1",
        "meeting-compliance/1.6",
        "meeting-compliance/2.8.2",
    ] {
        assert!(name.contains(&r.to_string()), "{r} on name: {name:?}");
    }
    // The image checks saw the bytes: a QR-code logo, an oversized company
    // logo, a duplicated screenshot.
    assert_eq!(
        rules_on(&bad.json, "logo"),
        ["meeting-design/logo.safety.qr-code"]
    );
    assert_eq!(
        rules_on(&bad.json, "company.logo"),
        ["meeting-listing/fields.company-logo"]
    );
    assert_eq!(
        rules_on(&bad.json, "previews.desktop[1]"),
        ["meeting-compliance/1.10"]
    );
    let f = &bad.json["findings"][0];
    for k in [
        "rule",
        "severity",
        "field",
        "message",
        "message_en",
        "remediation",
    ] {
        assert!(f[k].as_str().is_some_and(|v| !v.is_empty()), "{k} of {f}");
    }
    let span = bad.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["span"].is_array())
        .expect("a finding with a span");
    assert_eq!(span["span"].as_array().unwrap().len(), 2);

    let m = s.get("/metrics", "");
    assert!(
        m.text
            .contains("bylaw_verdicts_total{kind=\"review\",verdict=\"pass\"} 1"),
        "{}",
        m.text
    );
    assert!(m
        .text
        .contains("bylaw_verdicts_total{kind=\"review\",verdict=\"fail\"} 1"));
}

#[test]
fn images_are_decoded_and_matched_by_field_path_or_filename() {
    let s = Server::start();
    let dir = "meeting-listing";
    let listing = read(dir, "listing.toml");
    let policy = read(dir, "privacy-policy.md");
    // Parts named by field, by path and by filename; the QR code of
    // meeting-bad as the logo, a JPEG-less garbage file as a preview.
    let a = send_form(
        &s,
        "reviewer",
        &[
            ("listing", Some("listing.toml"), listing.clone()),
            (
                "logo",
                Some("whatever.png"),
                read("meeting-bad", "logo.png"),
            ),
            ("company.logo", None, read(dir, "company-logo.png")),
            (
                "previews.desktop[0]",
                None,
                read(dir, "preview-desktop-1.png"),
            ),
            (
                "preview-desktop-2.png",
                None,
                b"not an image at all".to_vec(),
            ),
            (
                "file",
                Some("preview-desktop-3.png"),
                read(dir, "preview-desktop-3.png"),
            ),
            ("privacy_policy", None, policy.clone()),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["verdict"], "fail");
    assert_eq!(
        rules_on(&a.json, "logo"),
        ["meeting-design/logo.safety.qr-code"]
    );
    let broken: Vec<&Value> = a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == "previews.desktop[1]")
        .collect();
    assert_eq!(broken.len(), 1, "{}", a.text);
    assert!(broken[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("无法读取图片"));
    assert_eq!(broken[0]["value"], "preview-desktop-2.png");
    assert!(rules_on(&a.json, "company.logo").is_empty());
    assert!(rules_on(&a.json, "previews.desktop[0]").is_empty());
    assert!(rules_on(&a.json, "previews.desktop[2]").is_empty());

    // An image the listing names but the form lacks is an error on its field.
    let missing = send_form(
        &s,
        "reviewer",
        &[
            ("listing", Some("listing.toml"), listing),
            ("privacy-policy.md", None, policy),
        ],
    );
    assert_eq!(missing.status, 200, "{}", missing.text);
    assert_eq!(missing.json["verdict"], "fail");
    let logo: Vec<&Value> = missing.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == "logo")
        .collect();
    assert_eq!(logo.len(), 1);
    assert!(logo[0]["message"]
        .as_str()
        .unwrap()
        .contains("not uploaded"));
    assert_eq!(logo[0]["severity"], "error");
}

#[test]
fn a_part_named_by_an_empty_image_field_fills_it() {
    let s = Server::start();
    // The listing names no logo and no previews; the parts supply them.
    let a = send_form(
        &s,
        "reviewer",
        &[
            (
                "listing",
                None,
                "platform = \"meeting\"\nname = \"青禾纪要\"\n"
                    .as_bytes()
                    .to_vec(),
            ),
            ("logo", Some("qr.png"), read("meeting-bad", "logo.png")),
            (
                "previews.desktop[1]",
                None,
                read("meeting-bad", "preview-desktop-2.png"),
            ),
            (
                "previews.desktop[0]",
                None,
                read("meeting-bad", "preview-desktop-1.png"),
            ),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let logo: Vec<&Value> = a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == "logo")
        .collect();
    assert_eq!(logo.len(), 1, "{}", a.text);
    assert_eq!(logo[0]["rule"], "meeting-design/logo.safety.qr-code");
    assert_eq!(logo[0]["value"], "qr.png");
    // The two previews are the same screenshot: the second is a duplicate.
    assert_eq!(
        rules_on(&a.json, "previews.desktop[1]"),
        ["meeting-compliance/1.10"]
    );
    // The required-field errors for logo and previews are gone.
    assert!(!rules_on(&a.json, "logo").contains(&"meeting-listing/fields.logo".to_string()));
}

#[test]
fn json_is_a_text_only_review() {
    let s = Server::start();
    let toml = text("meeting-listing", "listing.toml");
    let policy = text("meeting-listing", "privacy-policy.md");
    // The listing as its TOML text: the images are reported not uploaded.
    let a = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": toml, "privacy_policy": policy}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["verdict"], "fail");
    let fields: Vec<&str> = a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(
                f["message"].as_str().unwrap().contains("not uploaded"),
                "{f}"
            );
            f["field"].as_str().unwrap()
        })
        .collect();
    assert!(fields.contains(&"logo") && fields.contains(&"previews.desktop[2]"));
    assert!(a.json["lexicon_version"].as_str().is_some());

    // skip_images: the same findings become notes and the text passes.
    let b = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": toml, "privacy_policy": policy, "skip_images": true}),
    );
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.json["verdict"], "pass", "{}", b.text);
    assert!(b.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "info"
            && f["message_en"].as_str().unwrap().contains("not checked")));

    // The listing as an object, with a catalogue of existing names.
    let listing: Value = serde_json::from_str(&text("meeting-search", "listing.json")).unwrap();
    let c = s.post(
        "/v1/review",
        "provider-a",
        json!({
            "listing": listing,
            "privacy_policy": text("meeting-search", "privacy-policy.md"),
            "catalog": ["墨點白板", {"name": "日程小帮手"}],
            "skip_images": true
        }),
    );
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.json["verdict"], "warn", "{}", c.text);
    assert_eq!(rules_on(&c.json, "name"), ["meeting-compliance/2.8.2"]);

    // A text-only listing without images and policy: the mini program passes.
    let mp = text("miniprogram", "listing.toml").replace("privacy_policy_file", "# ");
    let d = s.post("/v1/review", "reviewer", json!({"listing": mp}));
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.json["platform"], "miniprogram");
    assert_eq!(d.json["verdict"], "pass", "{}", d.text);

    // A bad text-only listing fails with its rule ids.
    let bad = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": {"platform": "miniprogram", "name": "微信红包助手", "intro": "全网最低价，免费领取"}}),
    );
    assert_eq!(bad.status, 200, "{}", bad.text);
    assert_eq!(bad.json["verdict"], "fail", "{}", bad.text);
    assert!(rules_on(&bad.json, "name").contains(&"miniprogram/2.4".to_string()));
}

#[test]
fn unusable_listings_name_the_line() {
    let s = Server::start();
    // A typo in the object: 422, the field and the line.
    let a = s.raw(
        "POST",
        "/v1/review",
        "reviewer",
        "application/json",
        Some("{\"listing\": {\n  \"platform\": \"meeting\",\n  \"nme\": \"x\"\n}}".as_bytes()),
    );
    assert_error(&a, 422, "bad-field");
    assert!(a.json["error"]["field"]
        .as_str()
        .unwrap()
        .starts_with("listing"));
    assert!(
        a.json["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{}",
        a.text
    );
    // TOML text with a syntax error on line 2.
    let b = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": "platform = \"meeting\"\nname = \n"}),
    );
    assert_error(&b, 422, "bad-listing");
    assert_eq!(b.json["error"]["field"], "listing");
    assert!(
        b.json["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("listing:2"),
        "{}",
        b.text
    );
    // The same in a form part, with the filename in the message.
    let c = send_form(
        &s,
        "reviewer",
        &[(
            "listing",
            Some("app.toml"),
            b"platform = \"meeting\"\n\nlevel = 3\n".to_vec(),
        )],
    );
    assert_error(&c, 422, "bad-listing");
    assert!(
        c.json["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("app.toml:3"),
        "{}",
        c.text
    );
    // An unknown platform.
    let d = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": {"platform": "moon"}}),
    );
    assert_error(&d, 422, "bad-field");
    // A policy file the request does not carry.
    let e = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": text("meeting-listing", "listing.toml")}),
    );
    assert_error(&e, 422, "missing-policy");
    assert!(e.json["error"]["message_en"]
        .as_str()
        .unwrap()
        .contains("privacy-policy.md"));
}

#[test]
fn malformed_bodies_get_clean_4xx() {
    let s = Server::start();
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    // JSON: syntax, UTF-8, unknown key, wrong type.
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "reviewer",
            "application/json",
            Some(b"{\"listing\":"),
        ),
        400,
        "bad-json",
    );
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "reviewer",
            "application/json",
            Some(b"{\"listing\": \"\xff\xfe\"}"),
        ),
        400,
        "bad-utf8",
    );
    assert_error(
        &s.post(
            "/v1/review",
            "reviewer",
            json!({"listing": {"platform": "meeting"}, "extra": 1}),
        ),
        422,
        "bad-field",
    );
    assert_error(
        &s.post("/v1/review", "reviewer", json!({"listing": 5})),
        422,
        "bad-field",
    );
    assert_error(
        &s.post(
            "/v1/review",
            "reviewer",
            json!({"listing": {"platform": "meeting"}, "catalog": [1]}),
        ),
        422,
        "bad-field",
    );
    // Neither JSON nor a form.
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "reviewer",
            "text/plain",
            Some(b"platform = 1"),
        ),
        415,
        "unsupported-media-type",
    );
    // A form without a boundary, truncated, or with the wrong boundary.
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "reviewer",
            "multipart/form-data",
            Some(b"x"),
        ),
        400,
        "bad-multipart",
    );
    let mut cut = form(&[("listing", None, b"platform = \"meeting\"".to_vec())]);
    cut.truncate(cut.len() - 30);
    assert_error(
        &s.raw("POST", "/v1/review", "reviewer", &multipart, Some(&cut)),
        400,
        "bad-multipart",
    );
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "reviewer",
            "multipart/form-data; boundary=other",
            Some(&form(&[(
                "listing",
                None,
                b"platform = \"meeting\"".to_vec(),
            )])),
        ),
        400,
        "bad-multipart",
    );
    // No listing part; a listing that is not UTF-8; a repeated listing.
    let no = send_form(&s, "reviewer", &[("privacy_policy", None, b"x".to_vec())]);
    assert_error(&no, 400, "invalid");
    assert_eq!(no.json["error"]["field"], "listing");
    let utf = send_form(
        &s,
        "reviewer",
        &[("listing", None, b"platform = \"\xff\"".to_vec())],
    );
    assert_error(&utf, 400, "bad-utf8");
    assert_eq!(utf.json["error"]["field"], "listing");
    let twice = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, b"platform = \"wecom-isv\"".to_vec()),
            ("listing", None, b"platform = \"wecom-isv\"".to_vec()),
        ],
    );
    assert_error(&twice, 400, "invalid");
    // A part the listing does not name.
    let unknown = send_form(
        &s,
        "reviewer",
        &[
            (
                "listing",
                None,
                b"platform = \"meeting\"\nlogo = \"logo.png\"\n".to_vec(),
            ),
            (
                "lgoo",
                Some("lgoo.png"),
                read("meeting-listing", "logo.png"),
            ),
        ],
    );
    assert_error(&unknown, 400, "unknown-part");
    assert_eq!(unknown.json["error"]["field"], "lgoo");
    assert!(unknown.json["error"]["message_en"]
        .as_str()
        .unwrap()
        .contains("logo / logo.png"));
    // A preview index that does not follow the listing's previews.
    let gap = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, b"platform = \"meeting\"\n".to_vec()),
            (
                "previews.desktop[1]",
                None,
                read("meeting-listing", "preview-desktop-1.png"),
            ),
        ],
    );
    assert_error(&gap, 400, "unknown-part");
    assert_eq!(gap.json["error"]["field"], "previews.desktop[1]");
    // A catalogue part that is neither a JSON array nor lines.
    assert_error(
        &send_form(
            &s,
            "reviewer",
            &[
                ("listing", None, b"platform = \"wecom-isv\"".to_vec()),
                ("catalog", None, b"[\"a\",".to_vec()),
            ],
        ),
        422,
        "bad-catalog",
    );
    // A catalogue as lines works.
    let lines = send_form(
        &s,
        "reviewer",
        &[
            (
                "listing",
                None,
                "platform = \"wecom-isv\"\nname = \"云展会\"\n"
                    .as_bytes()
                    .to_vec(),
            ),
            ("catalog", None, "# existing\n云展會\n".as_bytes().to_vec()),
        ],
    );
    assert_eq!(lines.status, 200, "{}", lines.text);
    assert_eq!(lines.json["verdict"], "warn", "{}", lines.text);
}

#[test]
fn limits_answer_413_naming_the_part() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bylaw.db").display());
    let mut s = Server::start_on(&url, |c| {
        c.limits.upload_bytes = 40 << 10;
        c.limits.image_bytes = 4 << 10;
        c.limits.images = 2;
        c.limits.body_bytes = 16 << 10;
    });
    s.dir = Some(dir);
    let listing = b"platform = \"meeting\"\nlogo = \"logo.png\"\npreviews = { desktop = [\"a.png\", \"b.png\"] }\n".to_vec();
    // One image over image_bytes (preview-desktop-1.png is 6.6 KB).
    let big = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, listing.clone()),
            (
                "a.png",
                None,
                read("meeting-listing", "preview-desktop-1.png"),
            ),
        ],
    );
    assert_error(&big, 413, "too-large");
    assert_eq!(big.json["error"]["field"], "a.png");
    // A third image over the count.
    let logo = read("meeting-listing", "logo.png");
    let many = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, listing.clone()),
            ("logo", None, logo.clone()),
            ("a.png", None, logo.clone()),
            ("b.png", None, logo.clone()),
        ],
    );
    assert_error(&many, 413, "too-large");
    assert_eq!(many.json["error"]["field"], "b.png");
    // The whole upload over upload_bytes (40 KiB), each part under its own
    // limit (16 KiB for text parts).
    let mut padded = listing.clone();
    padded.extend_from_slice(&[b'#'; 15 << 10]);
    let whole = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, padded),
            ("catalog", None, vec![b'#'; 15 << 10]),
            ("privacy_policy", None, vec![b'x'; 15 << 10]),
        ],
    );
    assert_error(&whole, 413, "too-large");
    assert_eq!(whole.json["error"]["field"], "body");
    // Within the limits the same route answers 200: the upload limit, not
    // the JSON one (16 KiB), applies to forms.
    let ok = send_form(
        &s,
        "reviewer",
        &[
            ("listing", None, listing.clone()),
            ("catalog", None, vec![b'#'; 12 << 10]),
            ("privacy_policy", None, vec![b'x'; 12 << 10]),
            ("logo", None, logo.clone()),
            ("a.png", None, logo.clone()),
        ],
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    // A JSON body over body_bytes.
    let long = "好".repeat(8 << 10);
    let j = s.post(
        "/v1/review",
        "reviewer",
        json!({"listing": {"platform": "wecom-isv", "description": long}}),
    );
    assert_error(&j, 413, "too-large");
}

#[test]
fn only_operator_reviewer_and_provider_may_review() {
    let s = Server::start();
    let body = json!({"listing": {"platform": "wecom-isv", "name": "云展会"}});
    for key in ["operator", "reviewer", "provider-a"] {
        let a = s.post("/v1/review", key, body.clone());
        assert_eq!(a.status, 200, "{key}: {}", a.text);
    }
    for key in ["scanner", "tenant-a"] {
        assert_error(&s.post("/v1/review", key, body.clone()), 403, "forbidden");
    }
    // Refused before the body is read: a forbidden form is 403, not 400.
    assert_error(
        &s.raw(
            "POST",
            "/v1/review",
            "scanner",
            "multipart/form-data",
            Some(b"x"),
        ),
        403,
        "forbidden",
    );
    assert_error(&s.post("/v1/review", "", body), 401, "unauthenticated");
}

#[test]
fn openapi_documents_both_content_types() {
    let s = Server::start();
    let doc = s.get("/v1/openapi.json", "");
    let op = &doc.json["paths"]["/v1/review"]["post"];
    assert!(op.is_object(), "{}", doc.text);
    let content = &op["requestBody"]["content"];
    assert!(content["application/json"].is_object(), "{content}");
    assert!(content["multipart/form-data"].is_object(), "{content}");
    for code in ["200", "400", "403", "413", "415", "422"] {
        assert!(op["responses"][code].is_object(), "{code}: {op}");
    }
    assert!(doc.json["components"]["schemas"]["ReviewReport"].is_object());
    assert!(doc.json["components"]["schemas"]["ReviewForm"].is_object());
}
