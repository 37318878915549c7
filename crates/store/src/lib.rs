//! Append-only, durable event log on SQLite or PostgreSQL.
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
//!   updated or deleted, and triggers abort any `UPDATE`, `DELETE` (and on
//!   SQLite a replacing `INSERT`, on PostgreSQL a `TRUNCATE`) on the `events`
//!   table, so a hand-typed SQL statement cannot rewrite the past either
//!   (short of dropping the triggers).
//! - **Idempotency keys.** Callers retry (a timeout, a crash between commit and
//!   reply). Each event carries a unique key chosen by the caller; appending a
//!   key that is already stored writes nothing and returns the stored event's
//!   sequence number, so a retry is harmless and tells the caller where the
//!   original landed.
//! - **Sequence numbers.** `seq` is assigned by the store, strictly increasing
//!   and without gaps, in commit order; it is the replay cursor
//!   (`for_each_since`) and the order in which the engine must apply events.
//! - **Several writers, one lock.** A deployment may run several nodes (or
//!   several processes) on one database. Each keeps the state it replayed in
//!   memory, so before it decides anything it must first apply what the
//!   others committed, and nobody may commit in between. [`EventLog::write`]
//!   runs a closure holding the log's write lock (SQLite: `BEGIN IMMEDIATE`;
//!   PostgreSQL: a transaction-scoped advisory lock): inside it
//!   [`WriteTx::since`] returns what others committed, the caller brings its
//!   state up to date, decides, and [`WriteTx::append`]s; the commit releases
//!   the lock. Because writers are serialised, seq order is commit order and
//!   a reader that follows the cursor never skips an event committed late.
//! - **PostgreSQL for several nodes, SQLite for one.** [`EventLog::open_url`]
//!   takes `sqlite://PATH`, `sqlite::memory:`, a bare path, or
//!   `postgres://…`. On PostgreSQL the schema is the same; `seq` is `max+1`
//!   taken under the advisory lock (a `bigserial` would leave gaps on rollback
//!   and could commit out of order). The client is synchronous: callers run
//!   it on blocking threads. After a connection error the next call
//!   reconnects, so a node recovers when the database comes back.
//! - **Errors a server can act on.** [`StoreError::is_unavailable`] tells a
//!   database that cannot be reached or written right now (answer 503, retry
//!   later) from corrupt, invalid or too-new data (a bug or an operator's job).
//! - **Durable before acknowledged.** SQLite runs in WAL mode with
//!   `synchronous=FULL`, PostgreSQL with `synchronous_commit` on (a session
//!   on a server configured `off` turns it back on), and
//!   [`EventLog::append`] returns only after `COMMIT`, that is after the
//!   write-ahead log has been synced to disk. A batch is one transaction:
//!   after a crash either the whole batch is there or none of it is, and every
//!   acknowledged event is there.
//! - **Batches.** An fsync costs about as much for one event as for a
//!   thousand, so callers that have many events append them together.
//! - **Versioned migrations.** The schema is a numbered list of SQL steps,
//!   each applied once inside its own transaction and recorded in
//!   `schema_migrations`. A database written by a newer version of the code is
//!   refused rather than misread.

use std::path::Path;
use std::time::Duration;

mod pg;
mod pg_tls;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

/// How long a call waits for another writer's lock before failing with [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The newest schema version this code knows (both backends).
const LATEST_VERSION: u32 = 1;

/// Errors from the event log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error (constraint, a file that is not a database, …).
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// PostgreSQL reported an error (a refused statement, a type mismatch, authentication, …).
    #[error("postgres: {0}")]
    Postgres(String),
    /// The database cannot be reached or written right now (I/O error, disk full, read-only, connection lost, server shutting down); a later retry may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Another writer held the database lock for longer than the busy timeout.
    #[error("database is busy: another connection held the lock for more than {} s", BUSY_TIMEOUT.as_secs())]
    Busy,
    /// The database URL given to [`EventLog::open_url`] cannot be used.
    #[error("database URL {url:?}: {message}")]
    Url {
        /// The URL, with any password masked.
        url: String,
        /// What is wrong with it.
        message: String,
    },
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

impl StoreError {
    /// Whether the database cannot be reached or written right now (busy, read-only, I/O, disk full, connection lost): answer "try again later", not "bad request".
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Busy)
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

/// The open database behind a log.
enum Backend {
    /// One SQLite connection.
    Sqlite(sqlite::Log),
    /// One PostgreSQL connection, reopened after it breaks (boxed: its configuration is large).
    Postgres(Box<pg::Log>),
}

/// The append-only event log: one connection to SQLite or PostgreSQL.
pub struct EventLog {
    /// The database, migrated to [`LATEST_VERSION`].
    backend: Backend,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Sqlite(log) => f
                .debug_struct("EventLog")
                .field("sqlite", &log.path())
                .finish(),
            Backend::Postgres(log) => f
                .debug_struct("EventLog")
                .field("postgres", &log.describe())
                .finish(),
        }
    }
}

impl EventLog {
    /// Opens (creating if needed) the SQLite log at `path`, in WAL mode with `synchronous=FULL`, and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(EventLog {
            backend: Backend::Sqlite(sqlite::Log::open(path)?),
        })
    }

    /// Opens a fresh SQLite log held in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Ok(EventLog {
            backend: Backend::Sqlite(sqlite::Log::open_in_memory()?),
        })
    }

    /// Opens the log a URL names: `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:`, a bare file path, or `postgres://…` / `postgresql://…`; migrates it.
    ///
    /// `sqlite://./bylaw.db` and `sqlite://bylaw.db` are relative to the
    /// working directory, `sqlite:///var/lib/bylaw.db` is absolute. A
    /// PostgreSQL URL is handed to the `postgres` client as it is
    /// (`postgres://user:password@host:port/database?connect_timeout=10`),
    /// except `sslmode` and `sslrootcert`, which mean what they mean to libpq
    /// (`prefer` by default; `verify-full` with `sslrootcert=PATH|system`
    /// checks the server's certificate and name; see the `pg_tls` module).
    pub fn open_url(url: &str) -> Result<Self, StoreError> {
        match parse_url(url)? {
            Target::Memory => EventLog::open_in_memory(),
            Target::File(path) => EventLog::open(Path::new(path)),
            Target::Postgres => Ok(EventLog {
                backend: Backend::Postgres(Box::new(pg::Log::open(url)?)),
            }),
        }
    }

    /// The name of the backend: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The schema version recorded in the database (0 for an empty one).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        match &self.backend {
            Backend::Sqlite(log) => log.schema_version(),
            Backend::Postgres(log) => log.schema_version(),
        }
    }

    /// Runs `f` holding the write lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: advisory xact lock); commits durably when `f` returns Ok, rolls back on Err.
    ///
    /// Nobody else can append while `f` runs, so what [`WriteTx::since`]
    /// returns is everything committed before, and what `f` appends gets the
    /// next seqs. Keep `f` short: other writers wait for it (at most the busy
    /// timeout, then they fail with [`StoreError::Busy`]). A failed commit is
    /// returned as an error and nothing of the transaction is stored. Once
    /// a statement inside has failed, the transaction can only roll back:
    /// if `f` ignores the error and returns Ok, `write` still fails.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match &mut self.backend {
            Backend::Sqlite(log) => log.write(f),
            Backend::Postgres(log) => log.write(f),
        }
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
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx| tx.append_valid(batch))
    }

    /// The stored event with this idempotency key, if any.
    pub fn get_by_key(&self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        match &self.backend {
            Backend::Sqlite(log) => log.get_by_key(key),
            Backend::Postgres(log) => log.get_by_key(key),
        }
    }

    /// All events with seq > after, in seq order, streamed to `f`; an error from `f` stops the walk and is returned.
    ///
    /// On PostgreSQL the events are fetched in pages and `f` runs between
    /// fetches, so it may call this log again.
    pub fn for_each_since(
        &self,
        after: u64,
        f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(log) => log.for_each_since(after, f),
            Backend::Postgres(log) => log.for_each_since(after, f),
        }
    }

    /// The seq of the newest event, 0 when the log is empty.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Sqlite(log) => log.last_seq(),
            Backend::Postgres(log) => log.last_seq(),
        }
    }

    /// The number of stored events.
    pub fn count(&self) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Sqlite(log) => log.count(),
            Backend::Postgres(log) => log.count(),
        }
    }
}

/// A write transaction holding the log's write lock.
pub struct WriteTx<'a> {
    /// The backend's open transaction.
    inner: TxInner<'a>,
    /// Whether a statement failed (the transaction can then only roll back).
    failed: bool,
}

/// The backend transaction under a [`WriteTx`].
enum TxInner<'a> {
    /// A SQLite `BEGIN IMMEDIATE` transaction.
    Sqlite(rusqlite::Transaction<'a>),
    /// A PostgreSQL transaction holding the advisory write lock.
    Postgres(pg::Tx<'a>),
}

impl WriteTx<'_> {
    /// Events committed after `after` (by any writer), in seq order.
    pub fn since(&mut self, after: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let mut out = Vec::new();
        let read = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::for_each_since(tx, after, |e| {
                out.push(e);
                Ok(())
            }),
            TxInner::Postgres(tx) => tx.since(after).map(|events| out = events),
        };
        self.note(read)?;
        Ok(out)
    }

    /// The stored event with this key, if any (sees this tx's own appends).
    pub fn get_by_key(&mut self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        let found = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::get_by_key(tx, key),
            TxInner::Postgres(tx) => tx.get_by_key(key),
        };
        self.note(found)
    }

    /// Appends like `EventLog::append` but inside this transaction.
    pub fn append(&mut self, batch: &[NewEvent]) -> Result<Vec<(u64, bool)>, StoreError> {
        for event in batch {
            validate(event)?;
        }
        self.append_valid(batch)
    }

    /// [`WriteTx::append`] for a batch already validated.
    fn append_valid(&mut self, batch: &[NewEvent]) -> Result<Vec<(u64, bool)>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let acks = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::append(tx, batch),
            TxInner::Postgres(tx) => tx.append(batch),
        };
        self.note(acks)
    }

    /// Remembers that the database failed a statement: the transaction may then only roll back.
    fn note<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(e) = &result {
            // A half-done append must not be committed even if the caller
            // ignores the error (SQLite would keep the statements before it;
            // PostgreSQL would turn COMMIT into a silent rollback).
            if !matches!(e, StoreError::Invalid { .. } | StoreError::Corrupt { .. }) {
                self.failed = true;
            }
        }
        result
    }

    /// Commits the transaction durably, releasing the write lock; refuses (rolling back) after a failed statement.
    fn commit(self) -> Result<(), StoreError> {
        if self.failed {
            let message =
                "a statement of this transaction failed, so it was rolled back, not committed";
            return Err(match self.inner {
                TxInner::Sqlite(_) => StoreError::Sqlite(message.into()),
                TxInner::Postgres(_) => StoreError::Postgres(message.into()),
            });
        }
        match self.inner {
            TxInner::Sqlite(tx) => Ok(tx.commit()?),
            TxInner::Postgres(mut tx) => tx.commit(),
        }
    }
}

/// What a database URL names.
#[derive(Debug, PartialEq, Eq)]
enum Target<'a> {
    /// A fresh SQLite database in memory.
    Memory,
    /// A SQLite file.
    File(&'a str),
    /// A PostgreSQL database (the URL is passed to the client unchanged).
    Postgres,
}

/// Reads the scheme of a database URL; see [`EventLog::open_url`].
fn parse_url(url: &str) -> Result<Target<'_>, StoreError> {
    let bad = |message: String| StoreError::Url {
        url: redact(url),
        message,
    };
    if url.trim().is_empty() {
        return Err(bad("the URL is empty".into()));
    }
    if url == "sqlite::memory:" || url == "sqlite://:memory:" || url == ":memory:" {
        return Ok(Target::Memory);
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(bad("the sqlite URL names no file (sqlite://PATH)".into()));
        }
        if path.contains('?') {
            return Err(bad(
                "the sqlite URL takes no query parameters (sqlite://PATH)".into(),
            ));
        }
        return Ok(Target::File(path));
    }
    let scheme = url
        .split_once("://")
        .map(|(s, _)| s)
        .filter(|s| is_scheme(s))
        .or_else(|| {
            // `postgres:x` without slashes is a malformed URL, not a file name.
            url.split_once(':').map(|(s, _)| s).filter(|s| {
                s.eq_ignore_ascii_case("postgres") || s.eq_ignore_ascii_case("postgresql")
            })
        });
    match scheme {
        None => Ok(Target::File(url)),
        Some(s) if s == "postgres" || s == "postgresql" => {
            if url.starts_with(&format!("{s}://")) {
                Ok(Target::Postgres)
            } else {
                Err(bad(format!("the {s} URL must start with {s}://")))
            }
        }
        Some(s) => Err(bad(format!(
            "unknown scheme `{s}` (expected sqlite://PATH, sqlite::memory:, postgres://… or postgresql://…, or a file path)"
        ))),
    }
}

/// Whether `s` has the shape of a URL scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The URL with the password of `scheme://user:password@host` masked.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let (userinfo, host) = authority.split_at(at);
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{host}{tail}"),
        None => url.to_string(),
    }
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

/// Fails with [`StoreError::Migration`] when step `version` does not follow `current` directly.
fn check_next_step(current: u32, version: u32) -> Result<(), StoreError> {
    if current + 1 != version {
        return Err(StoreError::Migration {
            version,
            message: format!("schema is at version {current}, expected {}", version - 1),
        });
    }
    Ok(())
}

/// Turns a stored seq into a `u64`, rejecting the non-positive values the store never gives.
fn to_seq(seq: i64) -> Result<u64, StoreError> {
    match u64::try_from(seq) {
        Ok(s) if s > 0 => Ok(s),
        _ => Err(StoreError::Corrupt {
            seq: 0,
            message: format!("seq {seq} is not positive"),
        }),
    }
}

/// The highest recorded schema version as a `u32`, refusing impossible values.
fn to_version(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Migration {
        version: 0,
        message: format!("schema_migrations holds an impossible version {v}"),
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
        for versions in [sqlite::migration_versions(), pg::migration_versions()] {
            for (i, v) in versions.iter().enumerate() {
                assert_eq!(*v as usize, i + 1);
            }
            assert_eq!(versions.last().copied(), Some(LATEST_VERSION));
        }
    }

    #[test]
    fn url_forms() {
        assert_eq!(parse_url("sqlite::memory:").unwrap(), Target::Memory);
        assert_eq!(
            parse_url("sqlite://./bylaw.db").unwrap(),
            Target::File("./bylaw.db")
        );
        assert_eq!(
            parse_url("sqlite://bylaw.db").unwrap(),
            Target::File("bylaw.db")
        );
        assert_eq!(
            parse_url("sqlite:///var/lib/bylaw.db").unwrap(),
            Target::File("/var/lib/bylaw.db")
        );
        assert_eq!(parse_url("sqlite:x.db").unwrap(), Target::File("x.db"));
        assert_eq!(
            parse_url("/tmp/a:b/c.db").unwrap(),
            Target::File("/tmp/a:b/c.db")
        );
        assert_eq!(parse_url("bylaw.db").unwrap(), Target::File("bylaw.db"));
        assert_eq!(parse_url("postgres://u@h/db").unwrap(), Target::Postgres);
        assert_eq!(
            parse_url("postgresql://h:5432/db?connect_timeout=3").unwrap(),
            Target::Postgres
        );
        for (bad, part) in [
            ("", "empty"),
            ("   ", "empty"),
            ("sqlite://", "names no file"),
            ("sqlite://x.db?mode=ro", "query"),
            ("mysql://u:secret@h/db", "unknown scheme `mysql`"),
            ("postgres:h/db", "must start with postgres://"),
        ] {
            match parse_url(bad) {
                Err(StoreError::Url { url, message }) => {
                    assert!(message.contains(part), "{bad}: {message}");
                    assert!(!url.contains("secret"), "{url}");
                }
                other => panic!("{bad}: expected a URL error, got {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            redact("postgres://bylaw:s3cret@db:5432/bylaw?x=1"),
            "postgres://bylaw:***@db:5432/bylaw?x=1"
        );
        assert_eq!(redact("postgres://bylaw@db/x"), "postgres://bylaw@db/x");
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact("a/b.db"), "a/b.db");
    }
}
