//! `bylaw tenant balance | contacts | approval` on the database log, as a
//! tenant administrator runs them: figures, rule ids, exit codes, --json,
//! and state that survives between invocations (replay).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn db(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bylaw-books-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let db = d.join("bylaw.db");
    let o = bylaw(
        &db,
        &[
            "import",
            root().join("examples/tenant/acme.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    db
}

fn bylaw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .arg("tenant")
        .arg("--db")
        .arg(db)
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

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn balance_payments_refusals_statement_and_bulk_post() {
    let db = db("balance");
    let at = ["--at", "2026-11-21T08:00:00Z"];
    let o = bylaw(
        &db,
        &[
            &[
                "balance",
                "top-up",
                "boss",
                "100",
                "--method",
                "wechat-pay",
                "--key",
                "t1",
            ][..],
            &at,
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A scoped admin without a custom rule may not pay (recharge.spend-permission.custom).
    let o = bylaw(
        &db,
        &[
            "--json",
            "balance",
            "pay",
            "lisi",
            "获客助手",
            "30",
            "--order",
            "A1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("recharge.spend-permission"));
    // A super admin adds a custom rule; now lisi may pay for the acquisition assistant…
    let o = bylaw(
        &db,
        &[
            "spend-rule",
            "zhangsan",
            "growth",
            "--member",
            "lisi",
            "--item",
            "获客助手",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // …but not before the tenant has a business category (business-category.unset.blocked).
    let o = bylaw(
        &db,
        &["balance", "pay", "lisi", "获客助手", "30", "--order", "A1"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("business-category.unset.blocked"),
        "{}",
        text(&o)
    );
    let o = bylaw(
        &db,
        &["select-category", "zhangsan", "it-internet.software"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["balance", "auto-deduct", "lisi", "on"]);
    assert_eq!(o.status.code(), Some(1), "still under review: {}", text(&o));
    assert_eq!(bylaw(&db, &["approve-category"]).status.code(), Some(0));
    let o = bylaw(&db, &["balance", "auto-deduct", "lisi", "on"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["balance", "add-customer", "add-1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("自动扣款 ¥1.00"), "{}", text(&o));
    let o = bylaw(&db, &["balance", "auto-deduct", "lisi", "off"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["balance", "add-customer", "add-2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("auto-deduct.disable.2"), "{}", text(&o));
    // Excluded items are refused by name (recharge.payable.excluded).
    let o = bylaw(
        &db,
        &[
            "balance",
            "pay",
            "boss",
            "会议高级功能",
            "30",
            "--order",
            "A2",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("recharge.payable.excluded"));
    // No overdraft, figures named.
    let o = bylaw(
        &db,
        &[
            "balance",
            "pay",
            "boss",
            "文档高级功能",
            "100.01",
            "--order",
            "A3",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("¥99.00"), "{}", text(&o));
    let o = bylaw(
        &db,
        &[
            &[
                "balance",
                "pay",
                "boss",
                "文档高级功能",
                "30",
                "--order",
                "A4",
            ][..],
            &at,
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Retrying the same order posts nothing twice.
    let o = bylaw(
        &db,
        &[
            "--json",
            "balance",
            "pay",
            "boss",
            "文档高级功能",
            "30",
            "--order",
            "A4",
        ],
    );
    assert_eq!(json(&o)["outcome"]["changed"], false);
    // Bulk post: JSON lines, one durable transaction per batch, acks per line.
    let file = db.with_file_name("postings.jsonl");
    let mut lines = String::new();
    for i in 0..25 {
        lines.push_str(&format!(
            "{{\"command\":\"pay\",\"key\":\"bulk-{i}\",\"actor\":\"boss\",\"order\":\"B{i}\",\"item\":\"邮件高级功能\",\"amount\":100,\"at\":1795248000}}\n"
        ));
    }
    std::fs::write(&file, lines).unwrap();
    let o = bylaw(
        &db,
        &["balance", "post", file.to_str().unwrap(), "--batch", "10"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        text(&o)
            .lines()
            .filter(|l| l.starts_with("ack bulk-"))
            .count(),
        25
    );
    let o = bylaw(&db, &["--json", "balance", "show"]);
    let v = json(&o);
    assert_eq!(v["balance"], 10_000 - 3_000 - 100 - 25 * 100);
    let o = bylaw(&db, &["balance", "statement", "--csv"]);
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        csv.starts_with("交易时间,交易类型,购买详情,交易金额 (元),可用余额 (元),操作者,交易流水号")
    );
    assert_eq!(csv.lines().count(), 1 + 3 + 25);
    // The balance needs the database.
    let o = Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args(["tenant", "--file"])
        .arg(root().join("examples/tenant/acme.toml"))
        .args(["balance", "show"])
        .env_remove("BYLAW_DB")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "unusable input");
    assert!(text(&o).contains("--db"));
}

#[test]
fn contacts_and_plans() {
    let db = db("contacts");
    let o = bylaw(&db, &["contacts", "add-friend", "zhaoliu", "c1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["contacts", "add-friend", "lisi", "c1"]);
    assert!(text(&o).contains("已服务 1 位"), "dedup: {}", text(&o));
    let o = bylaw(&db, &["contacts", "join-group", "c1", "g1"]);
    assert_eq!(o.status.code(), Some(0));
    let o = bylaw(&db, &["contacts", "delete", "zhaoliu", "c1"]);
    assert_eq!(o.status.code(), Some(0));
    let o = bylaw(&db, &["--json", "contacts", "show", "c1"]);
    let v = json(&o);
    assert_eq!(v["count"], 1, "still held by lisi and g1");
    assert_eq!(v["limit"], 2000);
    bylaw(&db, &["contacts", "delete", "lisi", "c1"]);
    bylaw(&db, &["contacts", "dissolve-group", "g1"]);
    let v = json(&bylaw(&db, &["--json", "contacts", "show"]));
    assert_eq!(v["count"], 0, "released");
    // A plan paid from the balance, then an upgrade priced by the formula.
    bylaw(
        &db,
        &[
            "balance",
            "top-up",
            "boss",
            "3000",
            "--at",
            "2026-11-21T00:00:00Z",
        ],
    );
    let o = bylaw(
        &db,
        &[
            "contacts",
            "buy-plan",
            "boss",
            "5000",
            "--order",
            "P1",
            "--at",
            "2026-11-21T00:00:00Z",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(
        &db,
        &[
            "--json",
            "contacts",
            "quote",
            "20000",
            "--at",
            "2027-03-01T00:00:00Z",
        ],
    );
    let v = json(&o);
    // n = 100 days: (2000 − 500) × 265 / 365 = ¥1089.04.
    assert_eq!(v["quote"]["price"], 108_904, "{v}");
    let o = bylaw(
        &db,
        &[
            "contacts",
            "buy-plan",
            "boss",
            "20000",
            "--order",
            "P2",
            "--at",
            "2027-03-01T00:00:00Z",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("external-contacts.proration"));
    let v = json(&bylaw(&db, &["--json", "balance", "show"]));
    assert_eq!(v["balance"], 300_000 - 50_000 - 108_904);
    let o = bylaw(
        &db,
        &[
            "contacts",
            "buy-plan",
            "boss",
            "5000",
            "--order",
            "P3",
            "--at",
            "2027-03-02T00:00:00Z",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "no downgrade while in force");
}

#[test]
fn approval_flow_across_invocations() {
    let db = db("approval");
    let tpl = root().join("examples/tenant/payment-approval.toml");
    let o = bylaw(
        &db,
        &["approval", "put-template", "lisi", tpl.to_str().unwrap()],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a scoped admin cannot: {}",
        text(&o)
    );
    let o = bylaw(
        &db,
        &["approval", "put-template", "boss", tpl.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // lisi (backend) applies: the head of backend is missing → auto-approved; then zhangsan; then the payee handles.
    let o = bylaw(
        &db,
        &[
            "approval",
            "submit",
            "f1",
            "payment",
            "lisi",
            "--field",
            "amount=800",
            "--field",
            "payee=@zhaoliu",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("zhangsan"), "{}", text(&o));
    // The handler cannot reject (approval.handler); zhangsan approves.
    let o = bylaw(&db, &["approval", "approve", "f1", "zhangsan"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["approval", "reject", "f1", "zhaoliu"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("approval.handler"), "{}", text(&o));
    // Handling opinion is mandatory (approval.handling-opinion).
    let o = bylaw(&db, &["approval", "confirm", "f1", "zhaoliu"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("approval.handling-opinion"));
    let o = bylaw(
        &db,
        &[
            "approval",
            "confirm",
            "f1",
            "zhaoliu",
            "--comment",
            "已付款",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&bylaw(&db, &["--json", "approval", "show", "f1"]));
    assert_eq!(v["status"]["status"], "approved", "{v}");
    // Reject, then resubmit: a new round.
    bylaw(
        &db,
        &[
            "approval",
            "submit",
            "f2",
            "payment",
            "lisi",
            "--field",
            "amount=1",
            "--field",
            "payee=@zhaoliu",
        ],
    );
    let o = bylaw(
        &db,
        &[
            "approval",
            "reject",
            "f2",
            "zhangsan",
            "--comment",
            "金额不对",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bylaw(&db, &["approval", "resubmit", "f2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&bylaw(&db, &["--json", "approval", "show", "f2"]));
    assert_eq!(v["round"], 2, "{v}");
    // The handler leaves while the form waits at zhangsan: then zhangsan leaves; the template hands approvers over to boss.
    let o = bylaw(&db, &["remove-member", "boss", "zhangsan"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&bylaw(&db, &["--json", "approval", "show", "f2"]));
    let pending = v.to_string();
    assert!(pending.contains("boss"), "handed over to boss: {v}");
    let o = bylaw(&db, &["approval", "approve", "f2", "boss"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
