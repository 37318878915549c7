//! Durable append and replay throughput of the event log.
//!
//! ```text
//! cargo run --release -p bylaw-store --example append-bench -- [N] [B] [DIR]
//! ```
//!
//! Appends `N` events (default 200000) in batches of `B` (default 1000) to a
//! new database file in a temporary folder under `DIR` (default: the system's
//! temporary folder; it must be on a real disk for fsync to cost what it
//! costs), then reads them all back with `for_each_since`. Each batch is one
//! durable commit, so the append rate is bounded by fsyncs per second times `B`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use bylaw_store::{EventLog, NewEvent, StoreError};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("append-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| -> Result<usize, String> {
        match args.get(i) {
            None => Ok(default),
            Some(a) => match a.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("argument {a:?} is not a positive whole number")),
            },
        }
    };
    let total = number(0, 200_000)?;
    let batch = number(1, 1000)?;
    let parent = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&parent)
        .map_err(|e| format!("temp folder in {}: {e}", parent.display()))?;
    let path = dir.path().join("events.db");
    let mut log = EventLog::open(&path).map_err(|e| e.to_string())?;

    // Payloads of a realistic size: a violation record of ~200 bytes.
    let event = |n: usize| NewEvent {
        key: format!("bench-{n:09}"),
        at: format!(
            "2026-11-21T{:02}:{:02}:{:02}Z",
            (n / 3600) % 24,
            (n / 60) % 60,
            n % 60
        ),
        kind: "violation.recorded".to_string(),
        payload: format!(
            r#"{{"subject":"app-{}","rule":"wechat.mp.4.2.1","evidence":"sha256:{:064x}","severity":"major","n":{n}}}"#,
            n % 5000,
            n
        ),
    };

    let started = Instant::now();
    let mut commits = 0usize;
    let mut next = 0;
    while next < total {
        let end = (next + batch).min(total);
        let events: Vec<NewEvent> = (next..end).map(event).collect();
        log.append(&events).map_err(|e| e.to_string())?;
        commits += 1;
        next = end;
    }
    let append_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut read = 0u64;
    let mut bytes = 0usize;
    log.for_each_since(0, |e| {
        read += 1;
        bytes += e.payload.len();
        Ok::<(), StoreError>(())
    })
    .map_err(|e| e.to_string())?;
    let read_s = started.elapsed().as_secs_f64();
    if read != total as u64 {
        return Err(format!("read back {read} events, appended {total}"));
    }

    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let db_bytes = size(path.clone()) + size(path.with_extension("db-wal"));
    println!(
        "events {total}, batch {batch}, commits {commits}, file {:.1} MiB",
        db_bytes as f64 / 1048576.0
    );
    println!(
        "append: {append_s:.2} s, {:.0} durable appends/s, {:.0} commits/s",
        total as f64 / append_s,
        commits as f64 / append_s
    );
    println!(
        "replay: {read_s:.2} s, {:.0} events/s ({:.1} MiB of payload)",
        read as f64 / read_s,
        bytes as f64 / 1048576.0
    );
    Ok(())
}
