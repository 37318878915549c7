//! `bylaw review` as a user runs it: exit codes, formats, config, online
//! checks against a local server, and the golden findings of every example.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bylaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(args)
        .env_remove("BYLAW_RULEBOOKS")
        .env("BYLAW_CACHE", std::env::temp_dir().join("bylaw-test-cache"))
        .output()
        .expect("run bylaw")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bylaw-review-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const TEXT_ONLY: &str = r#"
platform = "miniprogram"
name = "会议纪要"
intro = "自动整理会议纪要"
"#;

#[test]
fn exit_codes_zero_one_two() {
    let d = dir("codes");
    let good = d.join("good.toml");
    std::fs::write(&good, TEXT_ONLY).unwrap();
    assert_eq!(
        bylaw(&["review", good.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let bad = d.join("bad.toml");
    std::fs::write(&bad, TEXT_ONLY.replace("会议纪要\"", "微信会议纪要\"")).unwrap();
    let out = bylaw(&["review", bad.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let broken = d.join("broken.toml");
    std::fs::write(&broken, "platform = \"moon\"\n").unwrap();
    let out = bylaw(&["review", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.toml"));
    assert_eq!(
        bylaw(&["review", d.join("missing.toml").to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    let out = bylaw(&["review", good.to_str().unwrap(), "--level", "top"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_and_sarif_shapes() {
    let d = dir("formats");
    let f = d.join("l.json");
    std::fs::write(
        &f,
        r#"{"platform":"miniprogram","name":"微信小助手","intro":"最低价"}"#,
    )
    .unwrap();
    let out = bylaw(&["review", f.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["verdict"], "fail");
    assert!(v["rulebook_version"].is_string());
    let finding = &v["findings"][0];
    for k in ["rule", "severity", "field", "message", "remediation"] {
        assert!(finding.get(k).is_some(), "{k} in {finding}");
    }
    let out = bylaw(&["review", f.to_str().unwrap(), "--format", "sarif"]);
    let s: Value = serde_json::from_slice(&out.stdout).expect("SARIF JSON");
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "bylaw");
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
}

#[test]
fn config_beside_the_listing_is_used() {
    let d = dir("config");
    let f = d.join("l.toml");
    std::fs::write(&f, TEXT_ONLY.replace("会议纪要\"", "微信会议纪要\"")).unwrap();
    std::fs::write(
        d.join("bylaw.toml"),
        "[rules]\n\"miniprogram/*\" = \"warning\"\n\"wecom-account/*\" = \"off\"\n",
    )
    .unwrap();
    let out = bylaw(&["review", f.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::write(
        d.join("bylaw.toml"),
        "[rules]\n\"miniprogram/99\" = \"off\"\n",
    )
    .unwrap();
    assert_eq!(
        bylaw(&["review", f.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

/// A tiny HTTP server on loopback: /ok → 200, /gone → 404, /moved → 302 to /ok.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(32) {
            let Ok(mut s) = stream else { continue };
            let mut line = String::new();
            let mut r = BufReader::new(s.try_clone().unwrap());
            if r.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let resp = match path {
                "/ok" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_string(),
                "/moved" => format!("HTTP/1.1 302 Found\r\nLocation: http://{addr}/ok\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
            };
            let _ = s.write_all(resp.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn online_checks_follow_redirects_and_report_failures() {
    let base = serve();
    let d = dir("online");
    let f = d.join("l.toml");
    std::fs::write(
        &f,
        format!(
            "platform = \"meeting\"\nname = \"会议纪要\"\nprivacy_url = \"{base}/gone\"\nterms_url = \"{base}/moved\"\ncompany = {{ website = \"{base}/ok\" }}\n"
        ),
    )
    .unwrap();
    let out = bylaw(&[
        "review",
        f.to_str().unwrap(),
        "--online",
        "--timeout",
        "5",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let online: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            x["message_en"]
                .as_str()
                .unwrap_or("")
                .contains("does not open")
        })
        .collect();
    assert_eq!(online.len(), 1, "{online:#?}");
    assert_eq!(online[0]["field"], "privacy_url");
    assert!(online[0]["message"].as_str().unwrap().contains("404"));
    // Without --online nothing is fetched.
    let out = bylaw(&["review", f.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["message_en"]
            .as_str()
            .unwrap_or("")
            .contains("does not open")));
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Every example's findings (severity, rule, field) match its golden file;
/// `BYLAW_BLESS=1` rewrites the golden files.
#[test]
fn golden_examples() {
    let root = examples_dir();
    let Ok(entries) = std::fs::read_dir(&root) else {
        panic!("examples/ is missing");
    };
    let mut seen = 0;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let listing = ["listing.toml", "listing.json"]
            .iter()
            .map(|n| d.join(n))
            .find(|p| p.is_file());
        let Some(listing) = listing else { continue };
        seen += 1;
        let out = bylaw(&["review", listing.to_str().unwrap(), "--format", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: {}",
                listing.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let mut lines: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
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
        let got = format!("{}\n", lines.join("\n"));
        let golden = d.join("expected-findings.tsv");
        if std::env::var_os("BYLAW_BLESS").is_some() {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{} is missing; run with BYLAW_BLESS=1", golden.display()));
        assert_eq!(
            got,
            want,
            "{}: findings changed (BYLAW_BLESS=1 to accept)",
            listing.display()
        );
        let clean = !d.file_name().unwrap().to_string_lossy().contains("bad");
        assert_eq!(
            out.status.code(),
            Some(if clean { 0 } else { 1 }),
            "{}: good examples pass, bad ones fail",
            listing.display()
        );
    }
    assert!(
        seen >= 5,
        "expected an example per platform and level, found {seen}"
    );
}
