//! Crash test: a writer process killed with SIGKILL mid-stream loses no acknowledged event.
//!
//! The test binary re-executes itself (`std::env::current_exe()`) running only
//! `writer_child_process`, with `BYLAW_STORE_CRASH_WRITER` naming the database
//! (a SQLite file, or a PostgreSQL URL when `bylaw_store::testing` finds a
//! server: there the killed client's open transaction must roll back).
//! That child resumes after the last stored event, appends batches until
//! killed and prints `ack <seq> <n>` for every event after `append` returned,
//! flushing each batch. The parent reads a few hundred acks, kills the child
//! (SIGKILL on Unix), drains what the child had already printed, reopens the
//! database and checks that every acknowledged event of every round is there
//! with its payload, that batches are all-or-nothing, and that the log is
//! contiguous and readable. It does this for several rounds on the same file,
//! so later rounds also recover a WAL left behind by a killed writer.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bylaw_store::{testing, EventLog, NewEvent};

/// Names the database the child writes to; its presence makes the child test act as the writer.
const WRITER_ENV: &str = "BYLAW_STORE_CRASH_WRITER";
/// Events per batch written by the child.
const BATCH: u64 = 25;
/// Acks the parent waits for before killing the child.
const KILL_AFTER: usize = 300;
/// Writers started and killed, one after another, on the same database.
const ROUNDS: usize = 4;

/// The `n`th event the child writes; the parent rebuilds it to compare.
fn nth_event(n: u64) -> NewEvent {
    NewEvent {
        key: format!("crash-{n}"),
        at: format!("2026-11-21T08:{:02}:{:02}Z", (n / 60) % 60, n % 60),
        kind: "crash.test".to_string(),
        payload: format!(
            r#"{{"n":{n},"pad":"{}"}}"#,
            "x".repeat((n % 97) as usize * 10)
        ),
    }
}

/// The writer: a no-op in a normal test run, the crash victim when the parent starts it.
#[test]
fn writer_child_process() {
    let Ok(url) = std::env::var(WRITER_ENV) else {
        return;
    };
    let mut log = EventLog::open_url(&url).expect("child: open");
    let stdout = std::io::stdout();
    let started = Instant::now();
    // Seq n+1 holds event n and batches are whole, so the next event is last_seq.
    let mut n = log.last_seq().expect("child: last_seq");
    // Bounded so an orphaned child cannot run on: the parent kills it long before.
    while started.elapsed() < Duration::from_secs(60) {
        let batch: Vec<NewEvent> = (n..n + BATCH).map(nth_event).collect();
        let acks = log.append(&batch).expect("child: append");
        let mut out = stdout.lock();
        for (i, (seq, appended)) in acks.into_iter().enumerate() {
            assert!(appended);
            if writeln!(out, "ack {seq} {}", n + i as u64).is_err() {
                return; // The parent went away.
            }
        }
        if out.flush().is_err() {
            return;
        }
        n += BATCH;
    }
}

#[test]
fn killed_writer_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    killed_writers(path.to_str().unwrap());
}

#[test]
fn killed_postgres_writer_loses_no_acknowledged_event() {
    let Some(pg) = testing::postgres().unwrap_or_else(|e| panic!("{e}")) else {
        return;
    };
    killed_writers(&pg.fresh_url().unwrap());
}

/// Kills [`ROUNDS`] writers one after another on the database `url` names, checking the log after each.
fn killed_writers(url: &str) {
    // seq -> n, for every event a child saw committed, over all rounds.
    let mut acked: BTreeMap<u64, u64> = BTreeMap::new();
    for round in 0..ROUNDS {
        let before = acked.len();
        // A different kill point each round, not always on a batch boundary.
        kill_a_writer(url, KILL_AFTER + round * 37, &mut acked);
        let stored = check_log(url, &acked);
        eprintln!(
            "crash round {round}: {} events acked, {stored} stored after SIGKILL",
            acked.len() - before
        );
    }

    // The log takes writes again, and a retry of an acked event is recognised.
    let mut log = EventLog::open_url(url).unwrap();
    let stored = log.last_seq().unwrap();
    let retry = log.append(&[nth_event(0), nth_event(stored)]).unwrap();
    assert_eq!(retry, vec![(1, false), (stored + 1, true)]);
}

/// Starts a writer, reads at least `kill_after` acks, SIGKILLs it, and adds every ack it printed to `acked`.
fn kill_a_writer(url: &str, kill_after: usize, acked: &mut BTreeMap<u64, u64>) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "writer_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER_ENV, url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut this_round = 0;
    while this_round < kill_after {
        match read_ack(&mut out) {
            Some(Some((seq, n))) => {
                assert!(acked.insert(seq, n).is_none(), "seq {seq} acked twice");
                this_round += 1;
            }
            Some(None) => {}
            None => panic!("the child stopped early after {this_round} acks"),
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the child was killed, not finished: {status:?}"
    );
    // Acks already in the pipe were printed after their commit: they count too.
    while let Some(line) = read_ack(&mut out) {
        if let Some((seq, n)) = line {
            assert!(acked.insert(seq, n).is_none(), "seq {seq} acked twice");
        }
    }
}

/// Reads one line from the child: `None` at the end, `Some(None)` for a line that is not a whole ack, else the ack's seq and n.
fn read_ack(out: &mut impl BufRead) -> Option<Option<(u64, u64)>> {
    let mut line = String::new();
    if out.read_line(&mut line).unwrap() == 0 {
        return None;
    }
    // libtest prints its own lines ("running 1 test", …), and a line the kill
    // cut short has no newline: neither is an ack.
    let Some(rest) = line.strip_prefix("ack ").and_then(|l| l.strip_suffix('\n')) else {
        return Some(None);
    };
    let (seq, n) = rest.split_once(' ').unwrap();
    Some(Some((seq.parse().unwrap(), n.parse().unwrap())))
}

/// Reopens the log and checks it against the acks; returns the number of stored events.
fn check_log(url: &str, acked: &BTreeMap<u64, u64>) -> u64 {
    let log = EventLog::open_url(url).unwrap();
    for (&seq, &n) in acked {
        let want = nth_event(n);
        let got = log
            .get_by_key(&want.key)
            .unwrap()
            .unwrap_or_else(|| panic!("acked event {n} (seq {seq}) lost"));
        assert_eq!(got.seq, seq);
        assert_eq!(
            (got.at, got.kind, got.payload),
            (want.at, want.kind, want.payload)
        );
    }

    // Contiguous from 1, every row readable and exactly what the child wrote
    // (seq n+1 holds event n), and whole batches only.
    let mut expected_seq = 1;
    log.for_each_since(0, |e| {
        assert_eq!(e.seq, expected_seq, "gap in the log");
        let want = nth_event(e.seq - 1);
        assert_eq!(
            (e.key, e.at, e.kind, e.payload),
            (want.key, want.at, want.kind, want.payload)
        );
        expected_seq += 1;
        Ok(())
    })
    .unwrap();
    let stored = expected_seq - 1;
    assert_eq!(log.count().unwrap(), stored);
    assert_eq!(log.last_seq().unwrap(), stored);
    assert!(stored >= *acked.keys().last().unwrap());
    assert_eq!(
        stored % BATCH,
        0,
        "a batch was torn: {stored} events stored"
    );
    stored
}
