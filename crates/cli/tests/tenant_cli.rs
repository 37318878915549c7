//! `bylaw tenant` as a tenant administrator runs it: checks with exit codes
//! and explanations, who-can, delegation refused with the missing parts,
//! changes written back to the file, and the same on the database log
//! shared with `bylaw enforce`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tenant/acme.toml")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bylaw-tenant-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn bylaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(args)
        .env_remove("BYLAW_DB")
        .output()
        .expect("run bylaw")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn check_explain_who_can_and_exit_codes() {
    let f = example();
    let f = f.to_str().unwrap();
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "check",
        "lisi",
        "send-message",
        "message:crm:member:wangwu",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Messaging outside the directory scope: denied, with the department path and the rule.
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "explain",
        "lisi",
        "send-message",
        "message:crm:member:zhaoliu",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("示例科技/销售/华东"), "{out}");
    assert!(
        out.contains("wecom-admin/roles.directory-rights.scoped-messaging"),
        "{out}"
    );
    assert!(out.contains("rd-admins"), "explain lists the roles: {out}");
    // JSON.
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "--json",
        "check",
        "zhangsan",
        "manage-directory",
        "dept:east",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"]["allowed"], true);
    assert_eq!(v["decision"]["by"]["role"], "super-admin");
    // who-can.
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "--json",
        "who-can",
        "manage-directory",
        "dept:storage",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let who: Vec<&str> = v["who"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["actor"].as_str().unwrap())
        .collect();
    assert_eq!(who, vec!["agency", "boss", "lisi", "wangwu", "zhangsan"]);
    // Unusable input: exit 2 with the field named.
    let o = bylaw(&["tenant", "--file", f, "check", "lisi", "fly", "dept:rd"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("action"));
}

#[test]
fn grants_are_checked_and_written_back() {
    let dir = scratch("grant");
    let f = dir.join("acme.toml");
    std::fs::copy(example(), &f).unwrap();
    let f = f.to_str().unwrap();
    let before = std::fs::read_to_string(f).unwrap();
    // More than lisi holds: refused, each missing part named, file unchanged.
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "grant",
        "lisi",
        "wangwu",
        "--dept",
        "sales",
        "--app",
        "crm=manage",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(out.contains("销售") && out.contains("crm"), "{out}");
    assert_eq!(std::fs::read_to_string(f).unwrap(), before);
    // Part of what it holds: done and persisted.
    let o = bylaw(&[
        "tenant", "--file", f, "grant", "lisi", "wangwu", "--dept", "storage", "--app", "crm=send",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "check",
        "wangwu",
        "send-message",
        "message:crm:member:wangwu",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Moves re-scope: east under storage puts zhaoliu in wangwu's scope.
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "move-department",
        "boss",
        "east",
        "storage",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "check",
        "wangwu",
        "manage-directory",
        "member:zhaoliu",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Removing an internal super admin from the directory removes the role.
    let o = bylaw(&["tenant", "--file", f, "remove-member", "boss", "zhangsan"]);
    assert!(text(&o).contains("super-admin-internal"), "{}", text(&o));
    let o = bylaw(&[
        "tenant",
        "--file",
        f,
        "check",
        "zhangsan",
        "manage-admins",
        "tenant",
    ]);
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_database_log_holds_tenant_changes_beside_enforcement() {
    let dir = scratch("db");
    let db = dir.join("bylaw.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let db = db.to_str().unwrap();
    let ex = example();
    let o = bylaw(&["tenant", "--db", db, "import", ex.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&["tenant", "--db", db, "transfer-creator", "boss", "zhangsan"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&[
        "tenant",
        "--db",
        db,
        "check",
        "zhangsan",
        "transfer-creator",
        "tenant",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "replayed from the log: {}",
        text(&o)
    );
    let o = bylaw(&[
        "tenant",
        "--db",
        db,
        "check",
        "boss",
        "transfer-creator",
        "tenant",
    ]);
    assert_eq!(o.status.code(), Some(1));
    // Enforcement on the same database skips tenant events.
    let o = bylaw(&["enforce", "--db", db, "subject", "s1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&["tenant", "--db", db, "export"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("creator = \"zhangsan\""));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn migration_and_categories() {
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tenant/migration.toml");
    let o = bylaw(&["tenant", "--json", "migration", ex.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["eligible"], true);
    assert!(!v["documents"].as_array().unwrap().is_empty());
    let o = bylaw(&["tenant", "categories"]);
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() > 50);
    let o = bylaw(&["tenant", "categories", "no-such-category"]);
    assert_eq!(o.status.code(), Some(2));
}
