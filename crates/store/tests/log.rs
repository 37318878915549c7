//! Behaviour of the event log: idempotency, order, persistence, append-only triggers, migrations, replay.

use std::path::Path;

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

#[test]
fn empty_log() {
    let log = EventLog::open_in_memory().unwrap();
    assert_eq!(log.schema_version().unwrap(), 1);
    assert_eq!(log.last_seq().unwrap(), 0);
    assert_eq!(log.count().unwrap(), 0);
    assert_eq!(log.get_by_key("nope").unwrap(), None);
    assert!(all(&log).is_empty());
}

#[test]
fn repeated_keys_return_the_first_seq_and_write_nothing() {
    let mut log = EventLog::open_in_memory().unwrap();
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
}

#[test]
fn seqs_follow_append_order_and_fields_round_trip() {
    let mut log = EventLog::open_in_memory().unwrap();
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
}

#[test]
fn empty_batch_is_a_no_op() {
    let mut log = EventLog::open_in_memory().unwrap();
    assert_eq!(log.append(&[]).unwrap(), vec![]);
    assert_eq!(log.count().unwrap(), 0);
}

#[test]
fn one_invalid_event_rejects_the_whole_batch() {
    let mut log = EventLog::open_in_memory().unwrap();
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
    }
    assert_eq!(log.count().unwrap(), 0);
}

#[test]
fn reopened_log_keeps_everything_and_continues_the_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    {
        let mut log = EventLog::open(&path).unwrap();
        log.append(&[event("a", 1), event("b", 2)]).unwrap();
        log.append(&[event("c", 3)]).unwrap();
    }
    let mut log = EventLog::open(&path).unwrap();
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

    // WAL mode and the single recorded migration are on disk.
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
fn two_logs_on_one_file_share_one_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let mut a = EventLog::open(&path).unwrap();
    let mut b = EventLog::open(&path).unwrap();
    assert_eq!(a.append(&[event("x", 1)]).unwrap(), vec![(1, true)]);
    assert_eq!(
        b.append(&[event("x", 1), event("y", 2)]).unwrap(),
        vec![(1, false), (2, true)]
    );
    assert_eq!(a.get_by_key("y").unwrap().unwrap().seq, 2);
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
        Err(StoreError::SchemaTooNew { found: 2, known: 1 }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
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
        Err(StoreError::Migration { version: 1, .. }) => {}
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
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    std::fs::write(&path, vec![b'x'; 8192]).unwrap();
    assert!(matches!(EventLog::open(&path), Err(StoreError::Sqlite(_))));
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
    assert_eq!(seen, [1]);
}

#[test]
fn for_each_since_streams_from_the_cursor_and_stops_on_error() {
    let mut log = EventLog::open_in_memory().unwrap();
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
    assert!(matches!(err, StoreError::Corrupt { seq: 5, ref message } if message == "stop here"));

    // Appending between walks is fine: each walk sees what was committed before it.
    log.append(&[event("late", 0)]).unwrap();
    let mut last = 0;
    log.for_each_since(999, |e| {
        last = e.seq;
        Ok(())
    })
    .unwrap();
    assert_eq!(last, 1001);
}
