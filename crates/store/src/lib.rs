//! Append-only, durable event log on SQLite.
//!
//! The enforcement engine is a pure function of its history: every violation,
//! decision, sanction, appeal and restoration is an event, and the current
//! state is what replaying those events yields. This crate keeps that history.
//! It knows nothing about the engine's types: an event is an idempotency key,
//! a time, a kind and a JSON payload, and the engine decodes the payload.
//!
//! Why it is built this way:
//!
//! - **Append-only.** The history is an audit trail: a sanction must be
//!   explainable from the events that led to it, years later. Rows are never
//!   updated or deleted, and SQLite triggers abort any `UPDATE`, `DELETE` or
//!   replacing `INSERT` on the `events` table, so a hand-typed SQL statement
//!   cannot rewrite the past either (short of dropping the triggers).
//! - **Idempotency keys.** Callers retry (a timeout, a crash between commit and
//!   reply). Each event carries a unique key chosen by the caller; appending a
//!   key that is already stored writes nothing and returns the stored event's
//!   sequence number, so a retry is harmless and tells the caller where the
//!   original landed.
//! - **Sequence numbers.** `seq` is assigned by the store, strictly increasing
//!   and without gaps; it is the replay cursor (`for_each_since`) and the
//!   order in which the engine must apply events.
//! - **Durable before acknowledged.** The database runs in WAL mode with
//!   `synchronous=FULL`, and [`EventLog::append`] returns only after `COMMIT`,
//!   that is after the write-ahead log has been synced to disk. A batch is one
//!   transaction: after a crash either the whole batch is there or none of it
//!   is, and every acknowledged event is there.
//! - **Batches.** An fsync costs about as much for one event as for a
//!   thousand, so callers that have many events append them together.
//! - **Versioned migrations.** The schema is a numbered list of SQL steps,
//!   each applied once inside its own transaction and recorded in
//!   `schema_migrations`. A database written by a newer version of the code is
//!   refused rather than misread.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

/// How long a call waits for another connection's lock before failing with [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One schema step: its version and the SQL that takes the schema there from the previous version.
struct Migration {
    /// The version the schema has after this step.
    version: u32,
    /// The statements of this step, run as one batch inside one transaction.
    sql: &'static str,
}

/// The schema history, oldest first; versions are 1, 2, 3, … without gaps.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sql: "
        CREATE TABLE events (
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            key     TEXT NOT NULL UNIQUE,
            at      TEXT NOT NULL,
            kind    TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
        END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
        END;
        -- INSERT OR REPLACE deletes the clashing row without firing DELETE
        -- triggers (recursive_triggers is off by default): refuse it first.
        CREATE TRIGGER events_no_replace BEFORE INSERT ON events
        WHEN EXISTS (SELECT 1 FROM events WHERE key = NEW.key OR seq = NEW.seq)
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only: the key or seq is already stored');
        END;
    ",
}];

/// The newest schema version this code knows.
const LATEST_VERSION: u32 = 1;

/// Errors from the event log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error (I/O, constraint, a file that is not a database, …).
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// Another connection held the database lock for longer than the busy timeout.
    #[error("database is busy: another connection held the lock for more than {} s", BUSY_TIMEOUT.as_secs())]
    Busy,
    /// A stored row could not be read back as an event.
    #[error("corrupt event at seq {seq}: {message}")]
    Corrupt {
        /// The sequence number of the row (0 when the row's own seq is unreadable).
        seq: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A schema migration failed; nothing of that step was applied.
    #[error("schema migration to version {version} failed: {message}")]
    Migration {
        /// The version the failed step would have reached.
        version: u32,
        /// Why it failed.
        message: String,
    },
    /// The database was written by a newer version of this code.
    #[error(
        "database schema version {found} is newer than this build knows ({known}); upgrade bylaw"
    )]
    SchemaTooNew {
        /// The version recorded in the database.
        found: u32,
        /// The newest version this code knows.
        known: u32,
    },
    /// An event given to `append` is malformed; nothing of its batch was written.
    #[error("invalid event {key:?}: {message}")]
    Invalid {
        /// The idempotency key of the offending event.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(e.to_string()),
        }
    }
}

/// An event to append: the store assigns its `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Idempotency key, unique across the whole log, chosen by the caller.
    pub key: String,
    /// When it happened, RFC 3339 in UTC, e.g. `2026-11-21T08:00:00Z`.
    pub at: String,
    /// The event's type, interpreted by the caller.
    pub kind: String,
    /// The event's data as JSON text.
    pub payload: String,
}

/// An event as stored, with the sequence number the store gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Position in the log: 1 for the first event, then +1 for each.
    pub seq: u64,
    /// Idempotency key given at append.
    pub key: String,
    /// When it happened, RFC 3339 in UTC.
    pub at: String,
    /// The event's type.
    pub kind: String,
    /// The event's data as JSON text, byte for byte as appended.
    pub payload: String,
}

/// The append-only event log, one SQLite connection.
pub struct EventLog {
    /// The open connection, migrated to [`LATEST_VERSION`].
    conn: Connection,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl EventLog {
    /// Opens (creating if needed) the log at `path`, in WAL mode with `synchronous=FULL`, and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Sqlite(format!(
                "could not switch {} to WAL mode (journal mode is {mode})",
                path.display()
            )));
        }
        Self::setup(conn)
    }

    /// Opens a fresh log held in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    /// Applies the settings common to every connection, then the migrations.
    fn setup(mut conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn)?;
        Ok(EventLog { conn })
    }

    /// The schema version recorded in the database (0 for an empty one).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        recorded_version(&self.conn)
    }

    /// Appends a batch in ONE transaction, durable (committed to disk) before returning.
    ///
    /// Returns, for each event in order, its `seq` and whether it was written
    /// now. An event whose key is already stored (earlier, or earlier in the
    /// same batch) is not written again: its stored `seq` is returned with
    /// `false`, whatever its other fields. Every event is checked before
    /// anything is written; one malformed event fails the whole batch.
    pub fn append(&mut self, batch: &[NewEvent]) -> Result<Vec<(u64, bool)>, StoreError> {
        for event in batch {
            validate(event)?;
        }
        let mut out = Vec::with_capacity(batch.len());
        if batch.is_empty() {
            return Ok(out);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut find = tx.prepare_cached("SELECT seq FROM events WHERE key = ?1")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (key, at, kind, payload) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for event in batch {
                let existing: Option<i64> =
                    find.query_row([&event.key], |r| r.get(0)).optional()?;
                match existing {
                    Some(seq) => out.push((to_seq(seq)?, false)),
                    None => {
                        insert.execute(params![event.key, event.at, event.kind, event.payload])?;
                        out.push((to_seq(tx.last_insert_rowid())?, true));
                    }
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The stored event with this idempotency key, if any.
    pub fn get_by_key(&self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, key, at, kind, payload FROM events WHERE key = ?1")?;
        let mut rows = stmt.query([key])?;
        match rows.next()? {
            Some(row) => Ok(Some(read_event(row)?)),
            None => Ok(None),
        }
    }

    /// All events with seq > after, in seq order, streamed one at a time to `f`; an error from `f` stops the walk and is returned.
    pub fn for_each_since(
        &self,
        after: u64,
        mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Past i64::MAX there is nothing: seqs are positive i64 values.
        let Ok(after) = i64::try_from(after) else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, key, at, kind, payload FROM events WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([after])?;
        while let Some(row) = rows.next()? {
            f(read_event(row)?)?;
        }
        Ok(())
    }

    /// The seq of the newest event, 0 when the log is empty.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        let seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        if seq == 0 {
            return Ok(0);
        }
        to_seq(seq)
    }

    /// The number of stored events.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        u64::try_from(n).map_err(|_| StoreError::Sqlite(format!("negative row count {n}")))
    }
}

/// Brings the schema to [`LATEST_VERSION`], one step per transaction, refusing a newer schema.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT
        )",
    )?;
    check_not_newer(recorded_version(conn)?)?;
    for step in MIGRATIONS {
        let failed = |e: rusqlite::Error| StoreError::Migration {
            version: step.version,
            message: e.to_string(),
        };
        // IMMEDIATE: two processes opening the same new file at once must not
        // both apply a step; the second waits, then sees it recorded.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let current = recorded_version(&tx)?;
        check_not_newer(current)?;
        if current >= step.version {
            continue;
        }
        if current + 1 != step.version {
            return Err(StoreError::Migration {
                version: step.version,
                message: format!(
                    "schema is at version {current}, expected {}",
                    step.version - 1
                ),
            });
        }
        tx.execute_batch(step.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at)
             VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [step.version],
        )
        .map_err(failed)?;
        tx.commit().map_err(StoreError::from)?;
    }
    Ok(())
}

/// Fails with [`StoreError::SchemaTooNew`] when `found` is past [`LATEST_VERSION`].
fn check_not_newer(found: u32) -> Result<(), StoreError> {
    if found > LATEST_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: LATEST_VERSION,
        });
    }
    Ok(())
}

/// The highest version in `schema_migrations`, 0 when none.
fn recorded_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    u32::try_from(v).map_err(|_| StoreError::Migration {
        version: 0,
        message: format!("schema_migrations holds an impossible version {v}"),
    })
}

/// Turns a stored rowid into a seq, rejecting the non-positive values AUTOINCREMENT never gives.
fn to_seq(seq: i64) -> Result<u64, StoreError> {
    match u64::try_from(seq) {
        Ok(s) if s > 0 => Ok(s),
        _ => Err(StoreError::Corrupt {
            seq: 0,
            message: format!("seq {seq} is not positive"),
        }),
    }
}

/// Reads one `seq, key, at, kind, payload` row, reporting a row of the wrong shape as corrupt.
fn read_event(row: &rusqlite::Row<'_>) -> Result<StoredEvent, StoreError> {
    let seq = to_seq(row.get(0)?)?;
    let text = |i: usize, name: &str| -> Result<String, StoreError> {
        row.get::<_, String>(i).map_err(|e| StoreError::Corrupt {
            seq,
            message: format!("{name}: {e}"),
        })
    };
    Ok(StoredEvent {
        seq,
        key: text(1, "key")?,
        at: text(2, "at")?,
        kind: text(3, "kind")?,
        payload: text(4, "payload")?,
    })
}

/// Checks an event before it is written: non-empty key and kind, an RFC 3339 UTC time, a JSON payload.
fn validate(event: &NewEvent) -> Result<(), StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        key: event.key.clone(),
        message,
    };
    if event.key.is_empty() {
        return Err(invalid("the idempotency key is empty".into()));
    }
    if event.kind.is_empty() {
        return Err(invalid("the kind is empty".into()));
    }
    if !is_rfc3339_utc(&event.at) {
        return Err(invalid(format!(
            "time {:?} is not RFC 3339 UTC like 2026-11-21T08:00:00Z",
            event.at
        )));
    }
    serde_json::from_str::<serde::de::IgnoredAny>(&event.payload)
        .map_err(|e| invalid(format!("payload is not JSON: {e}")))?;
    Ok(())
}

/// Whether `s` reads `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with fields in range (leap seconds allowed).
fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let part = b.get(from..to)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let shape = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    let fraction = &b[19..b.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() >= 2
            && fraction[0] == b'.'
            && fraction[1..].iter().all(u8::is_ascii_digit));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    shape
        && fraction_ok
        && (1..=days_in_month).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_utc_shapes() {
        for ok in [
            "2026-11-21T08:00:00Z",
            "2024-02-29T23:59:59.123456Z",
            "2016-12-31T23:59:60Z",
        ] {
            assert!(is_rfc3339_utc(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-21",
            "2026-11-21T08:00:00",
            "2026-11-21T08:00:00+08:00",
            "2026-11-21 08:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-21T24:00:00Z",
            "2026-11-21T08:00:00.Z",
            "2026-11-21T08:0a:00Z",
            "２026-11-21T08:00:00Z",
        ] {
            assert!(!is_rfc3339_utc(bad), "{bad}");
        }
    }

    #[test]
    fn migrations_are_numbered_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(LATEST_VERSION));
    }
}
