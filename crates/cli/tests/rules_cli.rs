//! The `bylaw rules` commands as a user runs them.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn bylaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(args)
        .env_remove("BYLAW_RULEBOOKS")
        .output()
        .expect("run bylaw")
}

fn ok_json(args: &[&str]) -> Value {
    let out = bylaw(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_explains_each_command() {
    let out = bylaw(&["rules", "--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for cmd in ["list", "show", "search", "check", "stats", "coverage"] {
        assert!(text.contains(cmd), "rules --help mentions {cmd}:\n{text}");
    }
}

#[test]
fn show_miniprogram_5_7_gives_four_branches() {
    let v = ok_json(&["rules", "show", "miniprogram/5.7", "--json"]);
    let branches = v["penalty"]["branches"].as_array().expect("branches");
    assert_eq!(branches.len(), 4);
    assert_eq!(branches[0]["id"], "miniprogram/5.7.penalty.1");
    let rect = &branches[0]["steps"][1];
    assert_eq!(rect["action"], "rectify");
    assert_eq!(rect["deadline"]["min"], 3);
    assert_eq!(rect["on_lapse"][0]["action"], "delist");
    assert_eq!(branches[1]["steps"][0]["action"], "ban-capability");
    assert_eq!(
        branches[3]["steps"][0]["on_lapse"][0]["capabilities"][0],
        "searchable"
    );
    assert!(v["quote"].as_str().unwrap().contains("小程序当前所选类目"));
    assert_eq!(v["source"]["seed"], "002_9d39087505b31ff6.txt");
}

#[test]
fn show_a_branch_by_its_id() {
    let v = ok_json(&["rules", "show", "miniprogram/5.7.penalty.2", "--json"]);
    assert_eq!(v["rule"], "miniprogram/5.7");
    assert_eq!(v["branch"]["steps"][0]["action"], "ban-capability");
}

#[test]
fn show_plugin_ladder_gives_the_whole_ladder() {
    let v = ok_json(&["rules", "show", "meeting-market/4.plugin-ladder", "--json"]);
    let p = &v["penalty"];
    assert_eq!(p["ladder"], "repeat");
    let steps = p["steps"].as_array().unwrap();
    let delists: Vec<&str> = steps
        .iter()
        .filter(|s| s["action"] == "delist")
        .map(|s| s["duration"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(delists, ["3mo", "6mo", "permanent"]);
    assert_eq!(steps[0]["action"], "warning");
}

#[test]
fn show_meeting_compliance_1_1_gives_typed_limits() {
    let v = ok_json(&["rules", "show", "meeting-compliance/1.1", "--json"]);
    let t = v["thresholds"].as_array().unwrap();
    assert!(t
        .iter()
        .any(|x| x["unit"] == "chinese-chars" && x["max"] == 10));
    assert!(t.iter().any(|x| x["unit"] == "chars" && x["max"] == 20));
}

#[test]
fn show_proration_gives_the_formula() {
    let v = ok_json(&[
        "rules",
        "show",
        "wecom-admin/external-contacts.proration",
        "--json",
    ]);
    let f = &v["formulas"][0];
    let expr = f["expression"].as_str().unwrap();
    for var in ["x", "y", "n", "365"] {
        assert!(expr.contains(var), "{expr}");
    }
    assert_eq!(f["variables"].as_array().unwrap().len(), 3);
}

#[test]
fn show_text_prints_quote_thresholds_and_inherited_penalty() {
    let out = bylaw(&["rules", "show", "miniprogram/5.1.3"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("原文 quote"), "{text}");
    assert!(text.contains("inherited from miniprogram/5.1"), "{text}");
}

#[test]
fn unknown_rule_is_a_clear_error() {
    let out = bylaw(&["rules", "show", "miniprogram/99.9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("miniprogram/99.9"), "{err}");
}

#[test]
fn list_filters_by_book_and_kind() {
    let v = ok_json(&[
        "rules",
        "list",
        "--book",
        "meeting-market",
        "--kind",
        "sanction",
        "--json",
    ]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"meeting-market/4.level1"), "{ids:?}");
    assert!(ids.iter().all(|i| i.starts_with("meeting-market/")));
    let out = bylaw(&["rules", "list", "--kind", "nonsense"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonsense"));
}

#[test]
fn search_in_chinese_and_english() {
    let v = ok_json(&["rules", "search", "赌博", "--json"]);
    assert!(!v.as_array().unwrap().is_empty());
    let v = ok_json(&["rules", "search", "privacy", "policy", "--json"]);
    assert!(v.as_array().unwrap().iter().any(|r| r["id"]
        .as_str()
        .unwrap()
        .starts_with("meeting-compliance/5.2")));
}

#[test]
fn stats_counts_per_book_and_kind() {
    let v = ok_json(&["rules", "stats", "--json"]);
    assert!(v["rules"].as_u64().unwrap() >= 500);
    assert_eq!(v["by_book"].as_object().unwrap().len(), 14);
    let out = bylaw(&["rules", "stats"]);
    assert!(stdout(&out).contains("miniprogram"));
}

#[test]
fn check_passes_on_the_embedded_rulebook() {
    let out = bylaw(&["rules", "check"]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_reports_every_problem_with_file_and_line_and_exits_1() {
    let dir: PathBuf = std::env::temp_dir().join(format!("bylaw-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_, text) = bylaw_rulebook::Rulebook::embedded_files()
        .iter()
        .find(|(n, _)| *n == "meeting-market.toml")
        .unwrap();
    let broken = text
        .replacen("kind = \"sanction\"", "kind = \"sanctions\"", 1)
        .replacen("ladder = \"repeat\"", "ladder = \"sometimes\"", 1);
    std::fs::write(dir.join("meeting-market.toml"), broken).unwrap();
    let out = bylaw(&["rules", "check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("meeting-market.toml:"), "{text}");
    assert!(
        text.contains("sanctions") || text.contains("sometimes"),
        "{text}"
    );
    let line: usize = text
        .split("meeting-market.toml:")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .expect("a line number");
    assert!(line > 1);
    let v = {
        let out = bylaw(&["rules", "check", dir.to_str().unwrap(), "--json"]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(v["ok"], false);
    assert!(v["problems"][0]["field"].is_string());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_catches_a_quote_that_is_not_verbatim() {
    let dir: PathBuf = std::env::temp_dir().join(format!("bylaw-cli-quote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_, text) = bylaw_rulebook::Rulebook::embedded_files()
        .iter()
        .find(|(n, _)| *n == "meeting-compliance.toml")
        .unwrap();
    let broken = text.replacen(
        "应用名称超过10个汉字或20个字符",
        "应用名称超过12个汉字或20个字符",
        1,
    );
    assert_ne!(&broken, text);
    std::fs::write(dir.join("meeting-compliance.toml"), broken).unwrap();
    let out = bylaw(&["rules", "check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("meeting-compliance/1.1") && text.contains("quote not found"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
