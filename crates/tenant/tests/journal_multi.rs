//! Several journals on one log (several nodes on one database): each
//! catches up inside the log's write lock before it decides, so together
//! they never overdraw, and after `refresh` they all show the same books.
//!
//! Runs on a SQLite file, and on PostgreSQL when `bylaw_store::testing`
//! finds a server (else it prints `skipped: no PostgreSQL (…)`, unless
//! `BYLAW_REQUIRE_POSTGRES=1` makes that a failure).

use std::sync::{Arc, Barrier};

use bylaw_rulebook::Rulebook;
use bylaw_store::testing;
use bylaw_tenant::books::BookCommand;
use bylaw_tenant::file::{Command, TenantFile};
use bylaw_tenant::journal::{Applied, BookEvent, Entry, Journal, Refused};
use bylaw_tenant::ledger::Ledger;
use bylaw_tenant::Fen;

const T0: i64 = 1_795_248_000; // 2026-11-21T08:00:00Z

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

fn rb() -> &'static Rulebook {
    static RB: std::sync::OnceLock<Rulebook> = std::sync::OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().unwrap())
}

fn book(command: BookCommand) -> Entry {
    Entry::Books(BookEvent {
        tenant: "acme".into(),
        command,
    })
}

fn top_up(key: &str, yuan: i64, at: i64) -> Entry {
    book(BookCommand::TopUp {
        key: key.into(),
        actor: "admin".into(),
        method: "wechat-pay".into(),
        amount: Fen::yuan(yuan),
        at,
    })
}

fn pay(key: &str, fen: i64, at: i64) -> Entry {
    book(BookCommand::Pay {
        key: key.into(),
        actor: "admin".into(),
        order: format!("o-{key}"),
        item: "文档高级功能".into(),
        amount: Fen(fen),
        detail: String::new(),
        at,
    })
}

fn ledger(j: &Journal) -> &Ledger {
    &j.books("acme").expect("acme has books").ledger
}

/// The ledger's visible state: balance, movements, accounts.
fn snapshot(
    j: &Journal,
) -> (
    Fen,
    Vec<bylaw_tenant::ledger::Movement>,
    Vec<(bylaw_tenant::ledger::Account, Fen)>,
) {
    let l = ledger(j);
    (l.balance(), l.movements().to_vec(), l.accounts())
}

fn assert_sound(l: &Ledger) {
    assert!(
        l.movements().iter().all(|m| m.balance_after >= Fen::ZERO),
        "the balance went below zero"
    );
    assert_eq!(l.accounts().iter().map(|(_, f)| f.get()).sum::<i64>(), 0);
}

/// Runs `body` with a way to open journals on one fresh database: a SQLite file, then PostgreSQL when there is one.
fn each_database(body: impl Fn(&dyn Fn() -> Journal)) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bylaw.db");
    eprintln!("backend: sqlite file");
    body(&|| Journal::open(&path, rb()).unwrap());
    match testing::postgres() {
        Ok(Some(pg)) => {
            let url = pg.fresh_url().unwrap();
            eprintln!("backend: postgres ({url})");
            body(&|| Journal::open_url(&url, rb()).unwrap());
        }
        Ok(None) => {}
        Err(e) => panic!("{e}"),
    }
}

/// Two journals take turns without refreshing: each submit first applies the other's events, so no spend is decided on a stale balance.
#[test]
fn interleaved_journals_never_overdraw_and_converge() {
    each_database(|open| {
        let mut a = open();
        let mut b = open();
        let f = TenantFile::parse(TENANT).unwrap();
        a.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
            .unwrap()
            .unwrap();
        // b has not seen the tenant, yet its top-up works: it catches up first.
        assert!(b.registry().get("acme").is_err());
        b.submit_one(top_up("seed", 100, T0)).unwrap().unwrap();

        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let (mut paid, mut refused) = (0, 0);
        for i in 0..300i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let j = if x % 2 == 0 { &mut a } else { &mut b };
            let entry = if x % 7 == 0 {
                top_up(&format!("t{i}"), (x % 30) as i64 + 1, T0 + i)
            } else {
                pay(&format!("p{i}"), (x % 4_000) as i64 + 1, T0 + i)
            };
            match j.submit_one(entry).unwrap() {
                Ok(applied) => {
                    assert!(applied.seq.is_some() && !applied.repeat);
                    paid += 1;
                }
                Err(Refused::Books(_)) => refused += 1,
                Err(other) => panic!("unexpected refusal: {other}"),
            }
            assert_sound(ledger(j));
        }
        assert!(
            refused > 0,
            "the test should drive the balance to its floor"
        );
        assert!(paid > 0);

        // The same ledger key through the other journal is a duplicate, not a second spend.
        let before = snapshot(&a);
        let dup = b.submit_one(pay("p-dup", 1, T0 + 999)).unwrap().unwrap();
        let again = a.submit_one(pay("p-dup", 1, T0 + 999)).unwrap().unwrap();
        assert!(dup.seq.is_some());
        assert_eq!(again.seq, None, "a ledger duplicate stores nothing");
        assert_eq!(ledger(&a).balance(), Fen(before.0.get() - 1));

        a.refresh().unwrap();
        b.refresh().unwrap();
        assert_eq!(a.seen(), b.seen());
        assert_eq!(a.seen(), a.log().last_seq().unwrap());
        assert_eq!(snapshot(&a), snapshot(&b));
        let fresh = open();
        assert_eq!(snapshot(&fresh), snapshot(&a));
        assert_eq!(fresh.skipped(), 0);
    });
}

/// Two journals on two threads spend concurrently through one log: never below zero, and identical after `refresh`.
#[test]
fn concurrent_journals_never_overdraw_and_converge() {
    each_database(|open| {
        let mut setup = open();
        let f = TenantFile::parse(TENANT).unwrap();
        setup
            .submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
            .unwrap()
            .unwrap();
        setup.submit_one(top_up("seed", 200, T0)).unwrap().unwrap();
        let journals = [open(), open()];
        let start = Arc::new(Barrier::new(2));
        let threads: Vec<_> = journals
            .into_iter()
            .enumerate()
            .map(|(n, mut j)| {
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    let mut x: u64 = 0xD1B5_4A32_D192_ED03 ^ n as u64;
                    let mut refused = 0;
                    for i in 0..120i64 {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        let batch = [if x % 9 == 0 {
                            top_up(&format!("t{n}-{i}"), (x % 20) as i64 + 1, T0 + i)
                        } else {
                            pay(&format!("p{n}-{i}"), (x % 6_000) as i64 + 1, T0 + i)
                        }];
                        if j.submit(&batch).unwrap()[0].is_err() {
                            refused += 1;
                        }
                        assert_sound(ledger(&j));
                    }
                    (j, refused)
                })
            })
            .collect();
        let mut done: Vec<(Journal, i32)> =
            threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(
            done.iter().map(|(_, r)| r).sum::<i32>() > 0,
            "the test should drive the balance to its floor"
        );
        for (j, _) in &mut done {
            j.refresh().unwrap();
        }
        setup.refresh().unwrap();
        assert_eq!(snapshot(&done[0].0), snapshot(&done[1].0));
        assert_eq!(snapshot(&done[0].0), snapshot(&setup));
        assert_sound(ledger(&setup));
        assert_eq!(snapshot(&open()), snapshot(&setup));
    });
}

/// A client idempotency key is applied once, whichever journal sees it again.
#[test]
fn client_keys_are_applied_once_across_journals() {
    each_database(|open| {
        let mut a = open();
        let mut b = open();
        let f = TenantFile::parse(TENANT).unwrap();
        a.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
            .unwrap()
            .unwrap();
        let first = a
            .submit_keyed(&[(Some("req-1".into()), top_up("t1", 50, T0))])
            .unwrap()
            .pop()
            .unwrap()
            .unwrap();
        let seq = first.seq.expect("stored");
        assert!(!first.repeat);
        assert_eq!(
            a.log()
                .get_by_key("client-key req-1")
                .unwrap()
                .map(|e| e.seq),
            Some(seq)
        );

        // The same key through the other journal, even with another ledger
        // key, is a repeat: nothing applied, the original's position back.
        let results = b
            .submit_keyed(&[
                (Some("req-1".into()), top_up("t1-retry", 50, T0 + 1)),
                (Some("req-2".into()), pay("p1", 1_000, T0 + 2)),
                (Some("req-2".into()), pay("p1-again", 1_000, T0 + 3)),
                (None, pay("p2", 500, T0 + 4)),
                (Some(String::new()), pay("p3", 1, T0 + 5)),
            ])
            .unwrap();
        let ok: Vec<&Applied> = results[..4].iter().map(|r| r.as_ref().unwrap()).collect();
        assert!(ok[0].repeat);
        assert_eq!(ok[0].seq, Some(seq));
        assert!(!ok[1].repeat);
        assert!(ok[2].repeat, "a key repeated within the batch");
        assert_eq!(ok[2].seq, ok[1].seq);
        assert!(!ok[3].repeat && ok[3].seq.is_some());
        assert!(
            matches!(results[4], Err(Refused::Tenant(_))),
            "an empty key is refused"
        );
        assert_eq!(ledger(&b).balance(), Fen(5_000 - 1_500));

        // Both see the same books.
        a.refresh().unwrap();
        assert_eq!(snapshot(&a), snapshot(&b));
        assert_eq!(ledger(&a).movements().len(), 3);
        // And a repeat through a, after refresh, still applies nothing.
        let again = a
            .submit_keyed(&[(Some("req-2".into()), pay("p1-third", 1_000, T0 + 6))])
            .unwrap();
        assert!(again[0].as_ref().unwrap().repeat);
        assert_eq!(ledger(&a).balance(), Fen(5_000 - 1_500));
    });
}
