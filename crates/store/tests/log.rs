//! Behaviour of the event log: idempotency, order, persistence, append-only triggers, migrations, replay, several writers.
//!
//! Most tests run on every backend: SQLite in memory, SQLite in a file, and
//! PostgreSQL when `bylaw_store::testing` finds a server (else they print
//! `skipped: no PostgreSQL (…)` for that backend and pass, unless
//! `BYLAW_REQUIRE_POSTGRES=1`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bylaw_store::testing::{self, PgTest};
use bylaw_store::{EventLog, NewEvent, StoreError, StoredEvent};

fn event(key: &str, n: u32) -> NewEvent {
    NewEvent {
        key: key.to_string(),
        at: format!("2026-11-21T08:{:02}:{:02}Z", (n / 60) % 60, n % 60),
        kind: "violation.recorded".to_string(),
        payload: format!(r#"{{"n":{n},"key":"{key}"}}"#),
    }
}

fn all(log: &EventLog) -> Vec<StoredEvent> {
    let mut out = Vec::new();
    log.for_each_since(0, |e| {
        out.push(e);
        Ok(())
    })
    .expect("read the log");
    out
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open raw connection")
}

/// The PostgreSQL server for tests, if any (a missing one is an error under `BYLAW_REQUIRE_POSTGRES=1`).
fn pg() -> Option<PgTest> {
    testing::postgres().unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh, empty database of one backend.
struct Db {
    /// The backend, for messages.
    name: &'static str,
    /// What `EventLog::open_url` takes.
    url: String,
    /// Keeps a SQLite file's folder alive.
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    fn sqlite_file() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("events.db").display());
        Db {
            name: "sqlite file",
            url,
            _dir: Some(dir),
        }
    }

    fn postgres(pg: &PgTest) -> Db {
        Db {
            name: "postgres",
            url: pg.fresh_url().unwrap(),
            _dir: None,
        }
    }

    /// Opens the database (in memory: a new one each time).
    fn open(&self) -> EventLog {
        EventLog::open_url(&self.url).unwrap_or_else(|e| panic!("{}: open: {e}", self.name))
    }

    /// The PostgreSQL database name (the URL's last path segment).
    fn pg_name(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or_default()
    }

    /// A raw PostgreSQL connection to the database, for SQL the log would never run.
    fn pg_raw(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

/// Runs `body` on SQLite in memory, SQLite in a file, and PostgreSQL when there is one.
fn each_backend(body: impl Fn(&Db)) {
    let memory = Db {
        name: "sqlite memory",
        url: "sqlite::memory:".into(),
        _dir: None,
    };
    for db in [memory, Db::sqlite_file()] {
        eprintln!("backend: {}", db.name);
        body(&db);
    }
    each_shared_postgres(body);
}

/// Runs `body` on the backends one database of which can be opened several times: a SQLite file, and PostgreSQL when there is one.
fn each_shared_backend(body: impl Fn(&Db)) {
    let db = Db::sqlite_file();
    eprintln!("backend: {}", db.name);
    body(&db);
    each_shared_postgres(body);
}

/// Runs `body` on a fresh PostgreSQL database when there is a server.
fn each_shared_postgres(body: impl Fn(&Db)) {
    if let Some(pg) = pg() {
        let db = Db::postgres(&pg);
        eprintln!("backend: {} ({})", db.name, db.url);
        body(&db);
    }
}

#[test]
fn empty_log() {
    each_backend(|db| {
        let log = db.open();
        assert_eq!(log.schema_version().unwrap(), 1);
        assert_eq!(log.last_seq().unwrap(), 0);
        assert_eq!(log.count().unwrap(), 0);
        assert_eq!(log.get_by_key("nope").unwrap(), None);
        assert!(all(&log).is_empty());
    });
}

#[test]
fn repeated_keys_return_the_first_seq_and_write_nothing() {
    each_backend(|db| {
        let mut log = db.open();
        let first = log.append(&[event("a", 1), event("b", 2)]).unwrap();
        assert_eq!(first, vec![(1, true), (2, true)]);

        // A retry of the same batch: same seqs, nothing written.
        let again = log.append(&[event("a", 1), event("b", 2)]).unwrap();
        assert_eq!(again, vec![(1, false), (2, false)]);
        assert_eq!(log.count().unwrap(), 2);

        // Same key, different content: the stored event wins, untouched.
        let changed = log.append(&[event("a", 99)]).unwrap();
        assert_eq!(changed, vec![(1, false)]);
        assert_eq!(
            log.get_by_key("a").unwrap().unwrap().payload,
            event("a", 1).payload
        );

        // Mixed batch: old, new, repeated within the batch, new.
        let mixed = log
            .append(&[
                event("b", 2),
                event("c", 3),
                event("c", 3),
                event("d", 4),
                event("a", 1),
            ])
            .unwrap();
        assert_eq!(
            mixed,
            vec![(2, false), (3, true), (3, false), (4, true), (1, false)]
        );
        assert_eq!(log.count().unwrap(), 4);
        assert_eq!(log.last_seq().unwrap(), 4);
    });
}

#[test]
fn seqs_follow_append_order_and_fields_round_trip() {
    each_backend(|db| {
        let mut log = db.open();
        let mut expected = Vec::new();
        for batch in 0..5u32 {
            let events: Vec<NewEvent> = (0..7)
                .map(|i| event(&format!("k{batch}-{i}"), batch * 7 + i))
                .collect();
            let acks = log.append(&events).unwrap();
            for (e, (seq, appended)) in events.iter().zip(acks) {
                assert!(appended);
                expected.push(StoredEvent {
                    seq,
                    key: e.key.clone(),
                    at: e.at.clone(),
                    kind: e.kind.clone(),
                    payload: e.payload.clone(),
                });
            }
        }
        let seqs: Vec<u64> = expected.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=35).collect::<Vec<u64>>());
        assert_eq!(all(&log), expected);
        assert_eq!(
            log.get_by_key("k3-4").unwrap().as_ref(),
            Some(&expected[3 * 7 + 4])
        );

        // Payload text is kept byte for byte, unicode and whitespace included.
        let odd = NewEvent {
            key: "unicode".into(),
            at: "2026-11-21T08:00:00.250Z".into(),
            kind: "appeal.filed".into(),
            payload: "{ \"reason\" : \"误判\\n\",  \"n\": [1, 2] }".into(),
        };
        log.append(std::slice::from_ref(&odd)).unwrap();
        let back = log.get_by_key("unicode").unwrap().unwrap();
        assert_eq!((back.seq, back.at, back.payload), (36, odd.at, odd.payload));
    });
}

#[test]
fn empty_batch_is_a_no_op() {
    each_backend(|db| {
        let mut log = db.open();
        assert_eq!(log.append(&[]).unwrap(), vec![]);
        assert_eq!(log.count().unwrap(), 0);
    });
}

#[test]
fn one_invalid_event_rejects_the_whole_batch() {
    each_backend(|db| {
        let mut log = db.open();
        let bad_cases = [
            NewEvent {
                payload: "{not json".into(),
                ..event("x", 1)
            },
            NewEvent {
                at: "2026-11-21 08:00:00".into(),
                ..event("x", 1)
            },
            NewEvent {
                at: "2026-11-21T16:00:00+08:00".into(),
                ..event("x", 1)
            },
            NewEvent {
                key: String::new(),
                ..event("x", 1)
            },
            NewEvent {
                kind: String::new(),
                ..event("x", 1)
            },
        ];
        for bad in bad_cases {
            let err = log.append(&[event("ok", 0), bad.clone()]).unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid { ref key, .. } if *key == bad.key),
                "{err}"
            );
            assert!(!err.is_unavailable());
        }
        assert_eq!(log.count().unwrap(), 0);
    });
}

#[test]
fn reopened_log_keeps_everything_and_continues_the_sequence() {
    each_shared_backend(|db| {
        {
            let mut log = db.open();
            log.append(&[event("a", 1), event("b", 2)]).unwrap();
            log.append(&[event("c", 3)]).unwrap();
        }
        let mut log = db.open();
        assert_eq!(log.schema_version().unwrap(), 1);
        assert_eq!(log.count().unwrap(), 3);
        assert_eq!(log.last_seq().unwrap(), 3);
        assert_eq!(
            log.get_by_key("b").unwrap().unwrap().payload,
            event("b", 2).payload
        );
        assert_eq!(
            log.append(&[event("a", 1), event("d", 4)]).unwrap(),
            vec![(1, false), (4, true)]
        );
        let keys: Vec<String> = all(&log).into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["a", "b", "c", "d"]);
    });
}

#[test]
fn sqlite_file_is_in_wal_mode_with_one_recorded_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    EventLog::open(&path).unwrap();
    EventLog::open(&path).unwrap();
    let conn = raw(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let applied: Vec<(i64, String)> = conn
        .prepare("SELECT version, applied_at FROM schema_migrations")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].0, 1);
    assert!(applied[0].1.ends_with('Z'), "{}", applied[0].1);
}

#[test]
fn postgres_records_one_migration() {
    each_shared_postgres(|db| {
        db.open();
        db.open();
        let mut conn = db.pg_raw();
        let rows = conn
            .query("SELECT version, applied_at FROM schema_migrations", &[])
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<_, i32>(0), 1);
        let at: String = rows[0].get(1);
        assert!(at.ends_with('Z') && at.len() == 20, "{at}");
    });
}

#[test]
fn two_logs_on_one_database_share_one_sequence() {
    each_shared_backend(|db| {
        let mut a = db.open();
        let mut b = db.open();
        assert_eq!(a.append(&[event("x", 1)]).unwrap(), vec![(1, true)]);
        assert_eq!(
            b.append(&[event("x", 1), event("y", 2)]).unwrap(),
            vec![(1, false), (2, true)]
        );
        assert_eq!(a.get_by_key("y").unwrap().unwrap().seq, 2);
    });
}

#[test]
fn open_url_takes_paths_and_urls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let mut log = EventLog::open_url(&format!("sqlite://{}", path.display())).unwrap();
    assert_eq!(log.backend(), "sqlite");
    log.append(&[event("a", 1)]).unwrap();
    // The same file as a bare path and as sqlite:PATH.
    let bare = EventLog::open_url(path.to_str().unwrap()).unwrap();
    assert_eq!(bare.count().unwrap(), 1);
    let short = EventLog::open_url(&format!("sqlite:{}", path.display())).unwrap();
    assert_eq!(short.count().unwrap(), 1);
    let memory = EventLog::open_url("sqlite::memory:").unwrap();
    assert_eq!(memory.count().unwrap(), 0);
    match EventLog::open_url("mysql://root:hunter2@localhost/bylaw") {
        Err(e @ StoreError::Url { .. }) => {
            let text = e.to_string();
            assert!(text.contains("unknown scheme `mysql`"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!e.is_unavailable());
        }
        other => panic!("expected a URL error, got {other:?}"),
    }
    match EventLog::open_url("postgres://h/db?sslmode=nonsense") {
        Err(StoreError::Url { .. }) => {}
        other => panic!("expected a URL error, got {other:?}"),
    }
}

#[test]
fn triggers_reject_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let mut log = EventLog::open(&path).unwrap();
    log.append(&[event("a", 1), event("b", 2)]).unwrap();

    let conn = raw(&path);
    for sql in [
        "UPDATE events SET payload = '{}' WHERE key = 'a'",
        "UPDATE events SET seq = 10 WHERE key = 'b'",
        "DELETE FROM events WHERE key = 'a'",
        "DELETE FROM events",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // INSERT OR REPLACE would delete the old row without a DELETE trigger firing.
    for sql in [
        "INSERT OR REPLACE INTO events (key, at, kind, payload) VALUES ('a', '2026-01-01T00:00:00Z', 'x', '{}')",
        "INSERT OR REPLACE INTO events (seq, key, at, kind, payload) VALUES (2, 'z', '2026-01-01T00:00:00Z', 'x', '{}')",
        "REPLACE INTO events (key, at, kind, payload) VALUES ('b', '2026-01-01T00:00:00Z', 'x', '{}')",
        "INSERT INTO events (key, at, kind, payload) VALUES ('a', '2026-01-01T00:00:00Z', 'x', '{}') ON CONFLICT (key) DO UPDATE SET payload = excluded.payload",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    assert_eq!(log.count().unwrap(), 2);
    assert_eq!(
        log.get_by_key("a").unwrap().unwrap().payload,
        event("a", 1).payload
    );
}

#[test]
fn postgres_triggers_reject_update_delete_and_truncate() {
    each_shared_postgres(|db| {
        let mut log = db.open();
        log.append(&[event("a", 1), event("b", 2)]).unwrap();
        let mut conn = db.pg_raw();
        for sql in [
            "UPDATE events SET payload = '{}' WHERE key = 'a'",
            "UPDATE events SET seq = 10 WHERE key = 'b'",
            "UPDATE events SET payload = '{}' WHERE false",
            "DELETE FROM events WHERE key = 'a'",
            "DELETE FROM events",
            "TRUNCATE events",
            "INSERT INTO events (seq, key, at, kind, payload) VALUES (9, 'a', '2026-01-01T00:00:00Z', 'x', '{}') ON CONFLICT (key) DO UPDATE SET payload = excluded.payload",
        ] {
            let err = conn.batch_execute(sql).unwrap_err();
            let text = err.as_db_error().map(|d| d.message().to_string()).unwrap_or_default();
            assert!(text.contains("append-only"), "{sql}: {err:?}");
        }
        drop(conn);
        assert_eq!(log.count().unwrap(), 2);
        assert_eq!(
            log.get_by_key("a").unwrap().unwrap().payload,
            event("a", 1).payload
        );
    });
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    EventLog::open(&path).unwrap();
    raw(&path)
        .execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (2, '2099-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    match EventLog::open(&path) {
        Err(e @ StoreError::SchemaTooNew { found: 2, known: 1 }) => assert!(!e.is_unavailable()),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    each_shared_postgres(|db| {
        db.open();
        db.pg_raw()
            .batch_execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (2, '2099-01-01T00:00:00Z')",
            )
            .unwrap();
        match EventLog::open_url(&db.url) {
            Err(StoreError::SchemaTooNew { found: 2, known: 1 }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    });
}

#[test]
fn a_failing_migration_leaves_nothing_behind() {
    // A table named `events` that the code did not create makes step 1 fail;
    // the step's transaction rolls back and no version is recorded.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    raw(&path)
        .execute_batch("CREATE TABLE events (x INTEGER)")
        .unwrap();
    match EventLog::open(&path) {
        Err(e @ StoreError::Migration { version: 1, .. }) => assert!(!e.is_unavailable()),
        other => panic!("expected Migration, got {other:?}"),
    }
    let conn = raw(&path);
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let triggers: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);

    each_shared_postgres(|db| {
        db.pg_raw()
            .batch_execute("CREATE TABLE events (x INTEGER)")
            .unwrap();
        match EventLog::open_url(&db.url) {
            Err(StoreError::Migration { version: 1, .. }) => {}
            other => panic!("expected Migration, got {other:?}"),
        }
        let mut conn = db.pg_raw();
        let count = |conn: &mut postgres::Client, sql: &str| -> i64 {
            conn.query_one(sql, &[]).unwrap().get(0)
        };
        assert_eq!(
            count(&mut conn, "SELECT COUNT(*) FROM schema_migrations"),
            0
        );
        assert_eq!(
            count(
                &mut conn,
                "SELECT COUNT(*) FROM pg_proc WHERE proname = 'events_append_only'"
            ),
            0
        );
        assert_eq!(
            count(
                &mut conn,
                "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal"
            ),
            0
        );
    });
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    std::fs::write(&path, vec![b'x'; 8192]).unwrap();
    match EventLog::open(&path) {
        Err(e @ StoreError::Sqlite(_)) => assert!(!e.is_unavailable(), "{e}"),
        other => panic!("expected Sqlite, got {other:?}"),
    }
}

#[test]
fn wrongly_typed_rows_read_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let mut log = EventLog::open(&path).unwrap();
    log.append(&[event("a", 1)]).unwrap();
    raw(&path)
        .execute(
            "INSERT INTO events (key, at, kind, payload) VALUES ('b', '2026-11-21T08:00:00Z', 'k', x'00ff')",
            [],
        )
        .unwrap();
    match log.get_by_key("b") {
        Err(StoreError::Corrupt { seq: 2, message }) => {
            assert!(message.starts_with("payload"), "{message}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let mut seen = Vec::new();
    let err = log
        .for_each_since(0, |e| {
            seen.push(e.seq);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { seq: 2, .. }));
    assert!(!err.is_unavailable());
    assert_eq!(seen, [1]);
}

#[test]
fn for_each_since_streams_from_the_cursor_and_stops_on_error() {
    each_backend(|db| {
        let mut log = db.open();
        let batch: Vec<NewEvent> = (0..1000).map(|n| event(&format!("k{n}"), n)).collect();
        for chunk in batch.chunks(100) {
            log.append(chunk).unwrap();
        }

        let mut seqs = Vec::new();
        log.for_each_since(990, |e| {
            seqs.push(e.seq);
            Ok(())
        })
        .unwrap();
        assert_eq!(seqs, (991..=1000).collect::<Vec<u64>>());

        let mut n = 0;
        log.for_each_since(1000, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        log.for_each_since(u64::MAX, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 0);

        // The callback's error stops the walk and comes back unchanged.
        let mut visited = 0;
        let err = log
            .for_each_since(0, |e| {
                visited += 1;
                if e.seq == 5 {
                    return Err(StoreError::Corrupt {
                        seq: e.seq,
                        message: "stop here".into(),
                    });
                }
                Ok(())
            })
            .unwrap_err();
        assert_eq!(visited, 5);
        assert!(
            matches!(err, StoreError::Corrupt { seq: 5, ref message } if message == "stop here")
        );

        // Appending between walks is fine: each walk sees what was committed before it.
        log.append(&[event("late", 0)]).unwrap();
        let mut last = 0;
        let mut walked = 0;
        log.for_each_since(0, |e| {
            walked += 1;
            assert_eq!(e.seq, last + 1);
            last = e.seq;
            Ok(())
        })
        .unwrap();
        assert_eq!((walked, last), (1001, 1001));
    });
}

// ---- write transactions ---------------------------------------------------

/// Why a test's write closure stopped.
#[derive(Debug)]
enum Stop {
    /// The store failed.
    Store(StoreError),
    /// The closure chose to roll back.
    Changed,
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

#[test]
fn write_commits_on_ok_and_rolls_back_on_err() {
    each_backend(|db| {
        let mut log = db.open();
        log.append(&[event("a", 1)]).unwrap();

        let out: Result<(), Stop> = log.write(|tx| {
            assert_eq!(
                tx.append(&[event("b", 2), event("c", 3), event("a", 1)])?,
                vec![(2, true), (3, true), (1, false)]
            );
            // The transaction sees its own appends.
            assert_eq!(tx.get_by_key("c")?.map(|e| e.seq), Some(3));
            let keys: Vec<String> = tx.since(1)?.into_iter().map(|e| e.key).collect();
            assert_eq!(keys, ["b", "c"]);
            Err(Stop::Changed)
        });
        match out {
            Err(Stop::Changed) => {}
            Err(Stop::Store(e)) => panic!("the store failed: {e}"),
            Ok(()) => panic!("the closure returned Err"),
        }
        assert_eq!(log.count().unwrap(), 1);
        assert_eq!(log.get_by_key("b").unwrap(), None);

        // The rollback left no gap: the next event gets seq 2.
        assert_eq!(log.append(&[event("d", 4)]).unwrap(), vec![(2, true)]);

        // Ok commits, and the closure's value comes back.
        let (newer, acks) = log
            .write(|tx| -> Result<_, StoreError> {
                let newer = tx.since(1)?;
                let acks = tx.append(&[event("e", 5)])?;
                tx.append(&[event("f", 6)])?;
                Ok((newer, acks))
            })
            .unwrap();
        assert_eq!(newer.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
        assert_eq!(acks, vec![(3, true)]);
        assert_eq!(log.last_seq().unwrap(), 4);

        // An invalid event inside a transaction fails it like append does.
        let bad = NewEvent {
            at: "yesterday".into(),
            ..event("g", 7)
        };
        let err = log
            .write(|tx| tx.append(std::slice::from_ref(&bad)))
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
        assert_eq!(log.count().unwrap(), 4);
    });
}

/// Four threads on two handles append through `write`, each catching up with the others first: seqs are gapless, each writer sees every earlier event once.
#[test]
fn concurrent_writers_catch_up_inside_the_lock() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 200;
    each_shared_backend(|db| {
        let started = Instant::now();
        let handles = [
            Arc::new(Mutex::new(db.open())),
            Arc::new(Mutex::new(db.open())),
        ];
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let log = Arc::clone(&handles[(t % 2) as usize]);
                std::thread::spawn(move || {
                    // Every seq this writer saw (others') or wrote (its own), in order.
                    let mut seen: Vec<u64> = Vec::new();
                    let mut mine: Vec<(u64, String)> = Vec::new();
                    let mut i = 0;
                    while i < PER_THREAD {
                        let n = (1 + (i + t) % 3).min(PER_THREAD - i);
                        let batch: Vec<NewEvent> = (i..i + n)
                            .map(|k| event(&format!("w{t}-{k}"), k as u32))
                            .collect();
                        let my_seen = seen.last().copied().unwrap_or(0);
                        let (newer, acks) = log
                            .lock()
                            .unwrap()
                            .write(|tx| -> Result<_, StoreError> {
                                let newer = tx.since(my_seen)?;
                                let acks = tx.append(&batch)?;
                                Ok((newer, acks))
                            })
                            .unwrap();
                        for e in newer {
                            assert!(
                                !e.key.starts_with(&format!("w{t}-")),
                                "own event {e:?} seen again"
                            );
                            seen.push(e.seq);
                        }
                        for ((seq, written), e) in acks.into_iter().zip(&batch) {
                            assert!(written, "{} not written", e.key);
                            seen.push(seq);
                            mine.push((seq, e.key.clone()));
                        }
                        i += n;
                    }
                    (seen, mine)
                })
            })
            .collect();
        let total = THREADS * PER_THREAD;
        let mut owners = vec![None; total as usize + 1];
        for (t, thread) in threads.into_iter().enumerate() {
            let (seen, mine) = thread.join().unwrap();
            let last = *seen.last().unwrap();
            assert_eq!(
                seen,
                (1..=last).collect::<Vec<u64>>(),
                "writer {t} did not see 1..={last} exactly once each"
            );
            for (seq, key) in mine {
                assert!(
                    owners[seq as usize].replace(key).is_none(),
                    "seq {seq} twice"
                );
            }
        }
        assert!(owners[1..].iter().all(Option::is_some), "a seq is missing");
        let log = handles[0].lock().unwrap();
        let events = all(&log);
        assert_eq!(events.len() as u64, total);
        assert_eq!(log.last_seq().unwrap(), total);
        let mut keys: Vec<&str> = events.iter().map(|e| e.key.as_str()).collect();
        for (e, owner) in events.iter().zip(&owners[1..]) {
            assert_eq!(Some(&e.key), owner.as_ref());
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len() as u64, total, "a key was stored twice");
        eprintln!(
            "{}: {total} events by {THREADS} writers in {:?}",
            db.name,
            started.elapsed()
        );
    });
}

// ---- unavailability and reconnection -----------------------------------------

#[test]
fn read_only_sqlite_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    EventLog::open(&path)
        .unwrap()
        .append(&[event("a", 1)])
        .unwrap();

    // A read-only connection (root ignores file modes, so this works for everyone).
    let uri = format!("file:{}?mode=ro", path.display());
    match EventLog::open(Path::new(&uri)) {
        Ok(mut log) => {
            assert_eq!(log.count().unwrap(), 1);
            let err = log.append(&[event("b", 2)]).unwrap_err();
            assert!(err.is_unavailable(), "{err:?}");
            assert!(err.to_string().contains("readonly"), "{err}");
        }
        Err(err) => {
            assert!(err.is_unavailable(), "{err:?}");
            assert!(err.to_string().contains("readonly"), "{err}");
        }
    }

    // Read-only files, where file modes apply (not to root).
    let running_as_root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false);
    if !running_as_root {
        use std::os::unix::fs::PermissionsExt;
        let mut log = EventLog::open(&path).unwrap();
        for file in ["events.db", "events.db-wal", "events.db-shm"] {
            let p = dir.path().join(file);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
            }
        }
        let err = log.append(&[event("c", 3)]).unwrap_err();
        assert!(err.is_unavailable(), "{err:?}");
    }

    // A folder that is not there cannot be opened.
    let err = EventLog::open(&dir.path().join("missing/events.db")).unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
}

#[test]
fn postgres_on_a_closed_port_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = EventLog::open_url(&format!("postgres://bylaw@127.0.0.1:{port}/bylaw")).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(err.is_unavailable());
}

/// Terminates every other connection to `db`'s database and waits until they are gone.
fn kick_connections(pg: &PgTest, db: &Db) {
    let mut admin = postgres::Client::connect(pg.server_url(), postgres::NoTls).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&db.pg_name()],
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left: i64 = admin
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1",
                &[&db.pg_name()],
            )
            .unwrap()
            .get(0);
        if left == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "connections were not terminated");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn postgres_reconnects_after_the_connection_is_killed() {
    let Some(pg) = pg() else {
        return;
    };
    let db = Db::postgres(&pg);
    let mut log = db.open();
    log.append(&[event("a", 1)]).unwrap();

    // Between calls: reads and writes get a new connection and carry on.
    kick_connections(&pg, &db);
    assert_eq!(log.count().unwrap(), 1);
    kick_connections(&pg, &db);
    assert_eq!(log.append(&[event("b", 2)]).unwrap(), vec![(2, true)]);

    // In the middle of a transaction: it fails as unavailable and stores nothing.
    let out = log.write(|tx| -> Result<_, StoreError> {
        tx.append(&[event("c", 3)])?;
        kick_connections(&pg, &db);
        tx.append(&[event("d", 4)])
    });
    match out {
        Err(e) => assert!(e.is_unavailable(), "{e:?}"),
        Ok(v) => panic!("the transaction outlived its connection: {v:?}"),
    }
    // The next call reconnects.
    assert_eq!(log.count().unwrap(), 2);
    assert_eq!(log.get_by_key("c").unwrap(), None);
    assert_eq!(log.append(&[event("c", 3)]).unwrap(), vec![(3, true)]);
}

/// Whether the connections of `db`'s log (application `bylaw`) use TLS.
fn log_connections_use_tls(pg: &PgTest, db: &str) -> Vec<bool> {
    let mut admin = postgres::Client::connect(pg.server_url(), postgres::NoTls).unwrap();
    admin
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.datname = $1 AND a.application_name = 'bylaw'",
            &[&db],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn postgres_tls_follows_libpq_sslmode_and_sslrootcert() {
    let Some(pg) = pg() else {
        return;
    };
    let Some(ca) = pg.tls_root() else {
        assert!(
            std::env::var(testing::URL_ENV).is_ok(),
            "the test cluster has no TLS: delete target/pgtest to remake it"
        );
        eprintln!("skipped: the server of {} has no test CA", testing::URL_ENV);
        return;
    };
    let db = Db::postgres(&pg);
    let name = db.pg_name();
    let ca = ca.display().to_string();
    // The certificate is for localhost, not for 127.0.0.1.
    let by_name = db.url.replacen("127.0.0.1", "localhost", 1);
    assert_ne!(by_name, db.url, "the test server is at 127.0.0.1");
    let with = |base: &str, query: &str| format!("{base}?{query}");
    let opens = |url: String, tls: bool| {
        let log = EventLog::open_url(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        log.count().unwrap();
        assert_eq!(log_connections_use_tls(&pg, name), vec![tls], "{url}");
        drop(log);
        // The connection is closed before the next case counts.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !log_connections_use_tls(&pg, name).is_empty() {
            assert!(Instant::now() < deadline, "{url}: the connection stayed");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // Encrypted by default (prefer) and with require; plain with disable.
    opens(db.url.clone(), true);
    opens(with(&db.url, "sslmode=require"), true);
    opens(with(&db.url, "sslmode=disable"), false);
    // verify-full checks the chain and the name; verify-ca only the chain.
    opens(
        with(&by_name, &format!("sslmode=verify-full&sslrootcert={ca}")),
        true,
    );
    opens(
        with(&db.url, &format!("sslmode=verify-ca&sslrootcert={ca}")),
        true,
    );
    let refused = |url: String, why: &str| {
        let e = EventLog::open_url(&url)
            .err()
            .unwrap_or_else(|| panic!("{url} opened"));
        assert!(e.to_string().contains(why), "{url}: {e}");
    };
    refused(
        with(&db.url, &format!("sslmode=verify-full&sslrootcert={ca}")),
        "certificate not valid for name \"127.0.0.1\"",
    );
    // Another CA's certificate does not vouch for this server.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other-ca.crt");
    std::fs::write(&other, testing::test_pki(&["localhost"]).unwrap().ca_pem).unwrap();
    let other = other.display().to_string();
    refused(
        with(
            &by_name,
            &format!("sslmode=verify-full&sslrootcert={other}"),
        ),
        "invalid peer certificate",
    );
    refused(
        with(&db.url, &format!("sslmode=require&sslrootcert={other}")),
        "invalid peer certificate",
    );
    // Bad parameters are errors about the URL, naming what is wrong.
    for (query, why) in [
        (
            "sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
            "/nonexistent/ca.crt",
        ),
        ("sslmode=allow", "sslmode=allow"),
    ] {
        let e = EventLog::open_url(&with(&db.url, query)).unwrap_err();
        assert!(matches!(e, StoreError::Url { .. }), "{query}: {e:?}");
        assert!(e.to_string().contains(why), "{query}: {e}");
    }
}
