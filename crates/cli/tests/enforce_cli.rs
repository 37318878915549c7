//! `bylaw enforce` as an operator runs it: the whole flow on a database,
//! idempotent commands, refused transitions, JSON output, and replay on
//! every start.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

struct Db(PathBuf);

impl Db {
    fn new(name: &str) -> Db {
        let d = std::env::temp_dir().join(format!("bylaw-enforce-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("bylaw.db");
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
        }
        Db(p)
    }

    fn run(&self, at: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_bylaw"))
            .arg("enforce")
            .args(["--db", self.0.to_str().unwrap(), "--at", at])
            .args(args)
            .env_remove("BYLAW_DB")
            .output()
            .expect("run bylaw")
    }

    fn ok(&self, at: &str, args: &[&str]) -> String {
        let out = self.run(at, args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, at: &str, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(at, &a)).expect("JSON")
    }
}

const T0: &str = "2026-01-05T00:00:00Z";

fn setup(db: &Db) {
    db.ok(T0, &["subject", "s1", "--name", "示例科技"]);
    db.ok(
        T0,
        &[
            "target",
            "mp1",
            "--subject",
            "s1",
            "--kind",
            "mini-program",
            "--platform",
            "miniprogram",
        ],
    );
}

#[test]
fn the_whole_flow_and_queries() {
    let db = Db::new("flow");
    setup(&db);
    db.ok(
        T0,
        &[
            "violation",
            "c1",
            "--rule",
            "miniprogram/5.7",
            "--target",
            "mp1",
            "--evidence",
            "直播未选直播类目",
        ],
    );
    let out = db.run(T0, &["decide", "c1"]);
    assert_eq!(out.status.code(), Some(1), "5.7 needs a branch");
    assert!(String::from_utf8_lossy(&out.stderr).contains("miniprogram/5.7.penalty.3"));
    let v = db.json(T0, &["decide", "c1", "--branch", "3"]);
    assert_eq!(v["case"]["status"], "decided");
    assert!(v["notices"][0]["text"]
        .as_str()
        .unwrap()
        .contains("限期整改"));
    let v = db.json("2026-01-06T00:00:00Z", &["can", "mp1", "searchable"]);
    assert_eq!(v["allowed"], true);
    db.ok(T0, &["tick", "--now", "2026-01-09T00:00:00Z"]);
    let v = db.json("2026-01-09T00:00:00Z", &["can", "mp1", "searchable"]);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reasons"][0]["rule"], "miniprogram/5.7.penalty.3");
    // As of a past time, it was allowed.
    let v = db.json("2026-01-06T00:00:00Z", &["can", "mp1", "searchable"]);
    assert_eq!(v["allowed"], true);
    let v = db.json("2026-01-10T00:00:00Z", &["status", "mp1"]);
    assert!(v["denied"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "existing-installs"));
    let v = db.json(T0, &["timeline", "mp1"]);
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["violation", "decision", "deadline-lapsed"]);
    let v = db.json(T0, &["notices"]);
    assert!(v[0]["quote"].as_str().unwrap().contains("高危类"));
    // Appeal, overturn: everything reverts.
    db.ok(
        "2026-01-10T00:00:00Z",
        &["appeal", "c1", "--reason", "类目已选对"],
    );
    db.ok(
        "2026-01-11T00:00:00Z",
        &["resolve-appeal", "c1", "--overturn"],
    );
    let v = db.json("2026-01-12T00:00:00Z", &["can", "mp1", "searchable"]);
    assert_eq!(v["allowed"], true);
}

#[test]
fn repeated_commands_are_idempotent_and_refusals_change_nothing() {
    let db = Db::new("idem");
    setup(&db);
    let first = db.json(
        T0,
        &[
            "violation",
            "c1",
            "--rule",
            "miniprogram/5.13",
            "--target",
            "mp1",
            "--key",
            "report-42",
        ],
    );
    let again = db.json(
        T0,
        &[
            "violation",
            "c1",
            "--rule",
            "miniprogram/5.13",
            "--target",
            "mp1",
            "--key",
            "report-42",
        ],
    );
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["seq"], first["seq"]);
    db.ok(T0, &["decide", "c1"]);
    // Rectifying an undecided or unknown case, a second appeal, appeals after a window: refused.
    assert_eq!(db.run(T0, &["rectify", "nope"]).status.code(), Some(1));
    db.ok("2026-01-06T00:00:00Z", &["appeal", "c1"]);
    // The same command again is idempotent; a different one is refused.
    assert_eq!(
        db.run("2026-01-06T00:00:00Z", &["appeal", "c1"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        db.run(
            "2026-01-06T00:00:00Z",
            &["appeal", "c1", "--reason", "再次"]
        )
        .status
        .code(),
        Some(1),
        "one pending at a time"
    );
    db.ok(
        "2026-01-07T00:00:00Z",
        &["resolve-appeal", "c1", "--uphold"],
    );
    assert_eq!(
        db.run("2026-01-08T00:00:00Z", &["appeal", "c1"])
            .status
            .code(),
        Some(1),
        "one appeal per case"
    );
    assert_eq!(
        db.run(T0, &["accept", "c1"]).status.code(),
        Some(1),
        "no report to review"
    );
    // Bad input is a clear error.
    let out = db.run(
        T0,
        &["target", "x", "--subject", "s1", "--kind", "spaceship"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("spaceship"));
    let out = db.run("yesterday", &["can", "mp1", "share"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("yesterday"));
}
