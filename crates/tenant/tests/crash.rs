//! A SIGKILL during a burst of spends loses no acknowledged movement and
//! applies none twice.
//!
//! The test re-runs its own binary as a child (`crash_child`, active only
//! with `BYLAW_CRASH_DB` set) that posts spends through the journal in
//! batches and prints `ack KEY SERIAL` for each once `submit` returns. The
//! parent kills it with SIGKILL mid-burst, reopens the log, checks every
//! acknowledged key is there exactly once, then retries the whole burst and
//! checks that each spend is applied exactly once in the end.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command as Proc, Stdio};

use bylaw_rulebook::Rulebook;
use bylaw_tenant::books::BookCommand;
use bylaw_tenant::file::{Command, TenantFile};
use bylaw_tenant::journal::{BookEvent, Entry, Journal};
use bylaw_tenant::Fen;

const T0: i64 = 1_795_248_000;
const SPENDS: usize = 12_000;
const BATCH: usize = 50;

const TENANT: &str = r#"
[tenant]
id = "acme"
name = "示例科技"
creator = "boss"

[[member]]
id = "boss"
departments = ["root"]

[[member]]
id = "admin"
departments = ["root"]

[[super_admin]]
id = "admin"
kind = "internal"
"#;

fn spend(i: usize) -> Entry {
    Entry::Books(BookEvent {
        tenant: "acme".into(),
        command: BookCommand::Pay {
            key: format!("spend-{i}"),
            actor: "admin".into(),
            order: format!("order-{i}"),
            item: "文档高级功能".into(),
            amount: Fen(100 + (i as i64 % 7)),
            detail: String::new(),
            at: T0 + i as i64,
        },
    })
}

fn expected_total() -> i64 {
    (0..SPENDS).map(|i| 100 + (i as i64 % 7)).sum()
}

fn burst(j: &mut Journal, out: &mut impl Write) {
    for start in (0..SPENDS).step_by(BATCH) {
        let batch: Vec<Entry> = (start..(start + BATCH).min(SPENDS)).map(spend).collect();
        let results = j.submit(&batch).unwrap();
        for (i, r) in (start..).zip(results) {
            let a = r.unwrap();
            let serial = a.outcome.as_ref().unwrap().data["serial"].as_u64().unwrap();
            writeln!(out, "ack spend-{i} {serial}").unwrap();
        }
        out.flush().unwrap();
    }
}

/// The child: posts the burst (only when run by `sigkill_during_a_burst`).
#[test]
fn crash_child() {
    let Ok(db) = std::env::var("BYLAW_CRASH_DB") else {
        return;
    };
    let rb = Rulebook::embedded().unwrap();
    let mut j = Journal::open(std::path::Path::new(&db), &rb).unwrap();
    let stdout = std::io::stdout();
    burst(&mut j, &mut stdout.lock());
}

#[test]
fn sigkill_during_a_burst() {
    if std::env::var("BYLAW_CRASH_DB").is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bylaw.db");
    let rb = Rulebook::embedded().unwrap();
    {
        let mut j = Journal::open(&db, &rb).unwrap();
        let f = TenantFile::parse(TENANT).unwrap();
        j.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
            .unwrap()
            .unwrap();
        j.submit_one(Entry::Books(BookEvent {
            tenant: "acme".into(),
            command: BookCommand::TopUp {
                key: "seed".into(),
                actor: "admin".into(),
                method: "bank-transfer".into(),
                amount: Fen::yuan(100_000),
                at: T0,
            },
        }))
        .unwrap()
        .unwrap();
    }
    let mut child = Proc::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("BYLAW_CRASH_DB", &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked: Vec<(String, u64)> = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    // Kill somewhere in the middle of the burst, between two batches'
    // acknowledgements or while a batch is being written.
    let kill_after = SPENDS / 3 + 17;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("ack ") {
            let (k, s) = rest.split_once(' ').unwrap();
            acked.push((k.to_string(), s.parse().unwrap()));
            if acked.len() == kill_after {
                child.kill().unwrap(); // SIGKILL on Unix
                break;
            }
        }
    }
    // Drain what was already printed: acknowledged too.
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(rest) = line.strip_prefix("ack ") {
            let (k, s) = rest.split_once(' ').unwrap();
            acked.push((k.to_string(), s.parse().unwrap()));
        }
    }
    child.wait().unwrap();
    assert!(acked.len() >= kill_after);

    // Every acknowledged spend is there, once, at its serial.
    let mut j = Journal::open(&db, &rb).unwrap();
    let l = &j.books("acme").unwrap().ledger;
    for (k, serial) in &acked {
        let m = l
            .by_key(k)
            .unwrap_or_else(|| panic!("acknowledged {k} lost"));
        assert_eq!(m.serial, *serial);
    }
    let n = l.movements().len();
    assert!(
        n > acked.len(),
        "seed plus at least the acknowledged spends"
    );
    assert!(n < 1 + SPENDS, "the kill landed before the burst ended");
    let mut keys: Vec<&str> = l.movements().iter().map(|m| m.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), n, "no movement applied twice");

    // Retry the whole burst: what was stored is recognised, the rest posted.
    burst(&mut j, &mut std::io::sink());
    let l = &j.books("acme").unwrap().ledger;
    assert_eq!(l.movements().len(), 1 + SPENDS);
    assert_eq!(l.balance(), Fen(100_000 * 100 - expected_total()));
    let sum: i64 = l.accounts().iter().map(|(_, f)| f.get()).sum();
    assert_eq!(sum, 0);
    drop(j);
    let j = Journal::open(&db, &rb).unwrap();
    assert_eq!(
        j.books("acme").unwrap().ledger.balance(),
        Fen(100_000 * 100 - expected_total())
    );
}
