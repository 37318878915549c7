//! The SQLite backend: one connection, WAL mode, `synchronous=FULL`, `BEGIN IMMEDIATE` as the write lock.

use std::path::Path;

use rusqlite::{params, Connection, ErrorCode, TransactionBehavior};

use crate::{
    check_next_step, check_not_newer, to_seq, to_version, StoreError, StoredEvent, TxInner,
    WriteTx, BUSY_TIMEOUT,
};

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

/// The versions of [`MIGRATIONS`], in order.
#[cfg(test)]
pub(crate) fn migration_versions() -> Vec<u32> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

/// Whether SQLite's error means the database cannot be reached or written right now.
fn unavailable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::ReadOnly
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::FileLockingProtocolFailed
    )
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(code) if unavailable(code) => StoreError::Unavailable(format!("sqlite: {e}")),
            _ => StoreError::Sqlite(e.to_string()),
        }
    }
}

/// An open SQLite log.
pub(crate) struct Log {
    /// The connection, migrated to the latest version.
    conn: Connection,
}

impl Log {
    /// Opens (creating if needed) the file at `path` in WAL mode and migrates it.
    pub(crate) fn open(path: &Path) -> Result<Log, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Sqlite(format!(
                "could not switch {} to WAL mode (journal mode is {mode})",
                path.display()
            )));
        }
        Log::setup(conn)
    }

    /// Opens a fresh database in memory.
    pub(crate) fn open_in_memory() -> Result<Log, StoreError> {
        Log::setup(Connection::open_in_memory()?)
    }

    /// Applies the settings common to every connection, then the migrations.
    fn setup(mut conn: Connection) -> Result<Log, StoreError> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn)?;
        Ok(Log { conn })
    }

    /// The file behind the connection (`None` in memory).
    pub(crate) fn path(&self) -> Option<&str> {
        self.conn.path()
    }

    /// The recorded schema version.
    pub(crate) fn schema_version(&self) -> Result<u32, StoreError> {
        recorded_version(&self.conn)
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction; commits on Ok, rolls back on Err.
    pub(crate) fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut wtx = WriteTx {
            inner: TxInner::Sqlite(tx),
            failed: false,
        };
        // On Err the transaction is dropped, which rolls it back.
        let out = f(&mut wtx)?;
        wtx.commit()?;
        Ok(out)
    }

    /// The stored event with this key.
    pub(crate) fn get_by_key(&self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        get_by_key(&self.conn, key)
    }

    /// Streams the events after `after` to `f`.
    pub(crate) fn for_each_since(
        &self,
        after: u64,
        f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for_each_since(&self.conn, after, f)
    }

    /// The newest seq, 0 when empty.
    pub(crate) fn last_seq(&self) -> Result<u64, StoreError> {
        let seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        if seq == 0 {
            return Ok(0);
        }
        to_seq(seq)
    }

    /// The number of events.
    pub(crate) fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        u64::try_from(n).map_err(|_| StoreError::Sqlite(format!("negative row count {n}")))
    }
}

/// Appends a validated, non-empty batch inside the caller's transaction.
pub(crate) fn append(
    conn: &Connection,
    batch: &[crate::NewEvent],
) -> Result<Vec<(u64, bool)>, StoreError> {
    let mut out = Vec::with_capacity(batch.len());
    let mut find = conn.prepare_cached("SELECT seq FROM events WHERE key = ?1")?;
    let mut insert =
        conn.prepare_cached("INSERT INTO events (key, at, kind, payload) VALUES (?1, ?2, ?3, ?4)")?;
    for event in batch {
        let mut rows = find.query([&event.key])?;
        let existing: Option<i64> = match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        };
        drop(rows);
        match existing {
            Some(seq) => out.push((to_seq(seq)?, false)),
            None => {
                insert.execute(params![event.key, event.at, event.kind, event.payload])?;
                out.push((to_seq(conn.last_insert_rowid())?, true));
            }
        }
    }
    Ok(out)
}

/// The stored event with this key, read through `conn`.
pub(crate) fn get_by_key(conn: &Connection, key: &str) -> Result<Option<StoredEvent>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, key, at, kind, payload FROM events WHERE key = ?1")?;
    let mut rows = stmt.query([key])?;
    match rows.next()? {
        Some(row) => Ok(Some(read_event(row)?)),
        None => Ok(None),
    }
}

/// Streams the events with seq > after, in order, to `f`, reading through `conn`.
pub(crate) fn for_each_since(
    conn: &Connection,
    after: u64,
    mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // Past i64::MAX there is nothing: seqs are positive i64 values.
    let Ok(after) = i64::try_from(after) else {
        return Ok(());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, key, at, kind, payload FROM events WHERE seq > ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([after])?;
    while let Some(row) = rows.next()? {
        f(read_event(row)?)?;
    }
    Ok(())
}

/// Brings the schema to the latest version, one step per transaction, refusing a newer schema.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT
        )",
    )?;
    check_not_newer(recorded_version(conn)?)?;
    for step in MIGRATIONS {
        let failed = |e: rusqlite::Error| match StoreError::from(e) {
            // A database that cannot be written now is not a broken step.
            e if e.is_unavailable() => e,
            e => StoreError::Migration {
                version: step.version,
                message: e.to_string(),
            },
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
        check_next_step(current, step.version)?;
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

/// The highest version in `schema_migrations`, 0 when none.
fn recorded_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    to_version(v)
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
