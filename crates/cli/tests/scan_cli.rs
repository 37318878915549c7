//! `bylaw scan` as a user runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bylaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(args)
        .arg("--no-cache")
        .env_remove("BYLAW_RULEBOOKS")
        .output()
        .expect("run bylaw")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bylaw-scan-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn json_output_has_the_documented_shape() {
    let out = bylaw(&["scan", "--format", "json", "来玩六合彩", "今天开会"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["verdict"], "block");
    let hit = &v[0]["hits"][0];
    assert_eq!(hit["label"], "gambling");
    assert_eq!(hit["start"], 2);
    assert_eq!(hit["end"], 5);
    assert_eq!(hit["text"], "六合彩");
    assert!(hit["rule"].as_str().unwrap().contains('/'));
    assert!(v[0]["rulebook_version"].is_string() && v[0]["lexicon_version"].is_string());
    assert_eq!(v[1]["verdict"], "pass");
}

#[test]
fn wechat_format_follows_msgseccheck_v2() {
    let out = bylaw(&["scan", "--format", "wechat", "来玩六合彩", "你好"]);
    let v = json_lines(&out);
    assert_eq!(v[0]["errcode"], 0);
    assert_eq!(v[0]["result"]["suggest"], "risky");
    assert_eq!(v[0]["result"]["label"], 20006);
    assert_eq!(v[0]["detail"][0]["keyword"], "六合彩");
    assert_eq!(v[1]["result"]["suggest"], "pass");
    assert_eq!(v[1]["result"]["label"], 100);
}

#[test]
fn text_format_marks_the_spans() {
    let out = bylaw(&["scan", "来玩六 合 彩吧"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("【六 合 彩】"), "{text}");
    assert!(text.contains("BLOCK"), "{text}");
}

#[test]
fn scenes_change_what_applies() {
    let chat = json_lines(&bylaw(&[
        "scan",
        "--format",
        "json",
        "--scene",
        "chat",
        "全网最低价",
    ]));
    let listing = json_lines(&bylaw(&[
        "scan",
        "--format",
        "json",
        "--scene",
        "listing",
        "全网最低价",
    ]));
    assert_eq!(chat[0]["verdict"], "pass");
    assert_ne!(listing[0]["verdict"], "pass");
    let out = bylaw(&["scan", "--scene", "moon", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("moon"));
}

#[test]
fn jsonl_batch_reports_bad_records_by_line_and_goes_on() {
    let path = tmp("batch.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all("\"来玩六合彩\"\n{\"text\":\"你好\",\"id\":7}\nnot json\n".as_bytes())
        .unwrap();
    f.write_all(b"\"\xff\xfe\"\n").unwrap();
    f.write_all("{\"text\":\"全网最低价\",\"scene\":\"listing\"}\n{\"txt\":1}\n".as_bytes())
        .unwrap();
    drop(f);
    let out = bylaw(&["scan", "--jsonl", path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad records make the exit code 1"
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 3, "three good records are scanned");
    assert_eq!(v[0]["verdict"], "block");
    assert_eq!(v[1]["id"], 7);
    assert_ne!(v[2]["verdict"], "pass");
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [":3:", ":4:", ":6:"] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(err.contains("items"), "summary: {err}");
}

#[test]
fn custom_lexicon_and_bad_lines() {
    let lex = tmp("mine.tsv");
    std::fs::write(&lex, "独角兽\tother\treview\n坏行\tnope\tblock\n").unwrap();
    let out = bylaw(&[
        "scan",
        "--format",
        "json",
        "--lexicon",
        lex.to_str().unwrap(),
        "一只独角兽",
    ]);
    assert!(out.status.success());
    let v = json_lines(&out);
    assert_eq!(v[0]["hits"][0]["text"], "独角兽");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.tsv:2"), "{err}");
}

#[test]
fn invalid_utf8_file_is_reported_with_its_line() {
    let path = tmp("bad.txt");
    std::fs::write(&path, b"line one\nline two \xff\n").unwrap();
    let out = bylaw(&["scan", "--file", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt:2"));
}

#[test]
fn stdin_is_a_file_too() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(["scan", "--no-cache", "--format", "json", "--file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("加微信 abc12345 领红包".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v = json_lines(&out);
    assert_ne!(v[0]["verdict"], "pass");
}
