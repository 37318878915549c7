//! The PostgreSQL backend: one synchronous connection, reopened after it breaks; a transaction-scoped advisory lock as the write lock.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use postgres::{Client, Config, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{
    check_next_step, check_not_newer, redact, to_seq, to_version, NewEvent, StoreError,
    StoredEvent, TxInner, WriteTx, BUSY_TIMEOUT,
};

/// The advisory lock key every writer of the log takes (`bylaw_ev` in ASCII).
const WRITE_LOCK: i64 = 0x6279_6c61_775f_6576;
/// The advisory lock key taken while the schema is checked or migrated (`bylaw_mg` in ASCII).
const MIGRATE_LOCK: i64 = 0x6279_6c61_775f_6d67;
/// How long a connection attempt may take when the URL does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Events fetched per round trip by `for_each_since`.
const PAGE: i64 = 1000;

/// One schema step: its version and the SQL that takes the schema there from the previous version.
struct Migration {
    /// The version the schema has after this step.
    version: u32,
    /// The statements of this step, run as one batch inside one transaction.
    sql: &'static str,
}

/// The schema history, oldest first; the same versions as on SQLite.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sql: "
        CREATE TABLE events (
            seq     BIGINT PRIMARY KEY CHECK (seq > 0),
            key     TEXT NOT NULL UNIQUE,
            at      TEXT NOT NULL,
            kind    TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
        END;
        $$;
        -- Statement-level: fires even when no row matches, and for the
        -- UPDATE half of INSERT ... ON CONFLICT DO UPDATE.
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
    ",
}];

/// The versions of [`MIGRATIONS`], in order.
#[cfg(test)]
pub(crate) fn migration_versions() -> Vec<u32> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

/// Whether a SQLSTATE means the database cannot be reached or written right now.
fn unavailable_code(code: &str) -> bool {
    code.starts_with("08") // connection exception
        || code.starts_with("53") // insufficient resources: disk full, out of memory, too many connections
        || matches!(
            code,
            "57P01" // admin shutdown
                | "57P02" // crash shutdown
                | "57P03" // cannot connect now (starting up, shutting down, recovering)
                | "57P05" // idle session timeout
                | "25006" // read-only transaction (a standby, default_transaction_read_only)
                | "25P03" // idle-in-transaction timeout
                | "58030" // I/O error
        )
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let mut text = format!("{}: {} (SQLSTATE {code})", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            return if code == "55P03" {
                // lock_timeout ran out waiting for another writer.
                StoreError::Busy
            } else if unavailable_code(code) {
                StoreError::Unavailable(format!("postgres: {text}"))
            } else {
                StoreError::Postgres(text)
            };
        }
        let source = std::error::Error::source(&e);
        let text = match source {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        };
        let lost = e.is_closed()
            || source.is_some_and(|s| s.is::<std::io::Error>())
            || text.starts_with("timeout waiting for server")
            || text.starts_with("error connecting to server");
        if lost {
            StoreError::Unavailable(format!("postgres: {text}"))
        } else {
            StoreError::Postgres(text)
        }
    }
}

/// How to (re)connect: the client's settings and the TLS connector.
struct Dialer {
    config: Config,
    tls: MakeRustlsConnect,
}

/// An open PostgreSQL log.
pub(crate) struct Log {
    /// How to (re)connect.
    dialer: Dialer,
    /// Host, port and database, for `Debug` and messages (no password).
    shown: String,
    /// The connection; `None` after it broke, until the next call reconnects.
    client: Mutex<Option<Client>>,
}

impl Drop for Log {
    /// Closes the connection on a thread of its own: the synchronous client
    /// closes by blocking on its private runtime, which panics when the log
    /// is dropped on an async runtime's thread (a server shutting down).
    fn drop(&mut self) {
        let client = match self.client.get_mut() {
            Ok(c) => c.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(client) = client {
            if let Ok(h) = std::thread::Builder::new()
                .name("bylaw-pg-close".into())
                .spawn(move || drop(client))
            {
                let _ = h.join();
            }
        }
    }
}

impl Log {
    /// Connects to the database `url` names and migrates it.
    pub(crate) fn open(url: &str) -> Result<Log, StoreError> {
        let bad_url = |message: String| StoreError::Url {
            url: redact(url),
            message,
        };
        let (client_url, tls) = crate::pg_tls::split_url(url).map_err(bad_url)?;
        let mut config: Config = client_url
            .parse()
            .map_err(|e: postgres::Error| bad_url(e.to_string()))?;
        let tls = crate::pg_tls::connector(&tls).map_err(bad_url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("bylaw");
        }
        let shown = describe(&config);
        let dialer = Dialer { config, tls };
        let mut client = connect(&dialer)?;
        migrate(&mut client)?;
        Ok(Log {
            dialer,
            shown,
            client: Mutex::new(Some(client)),
        })
    }

    /// Host, port and database of the connection.
    pub(crate) fn describe(&self) -> &str {
        &self.shown
    }

    /// Runs a read on the connection, reconnecting first if it is gone; a connection that went stale since the last call is replaced and the read tried once more.
    fn read<T>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        let reused = slot.as_ref().is_some_and(|c| !c.is_closed());
        let first = ensure(&self.dialer, &mut slot).and_then(&mut f);
        match first {
            Err(StoreError::Unavailable(message)) => {
                *slot = None;
                if !reused {
                    return Err(StoreError::Unavailable(message));
                }
                let again = ensure(&self.dialer, &mut slot).and_then(&mut f);
                if matches!(again, Err(StoreError::Unavailable(_))) {
                    *slot = None;
                }
                again
            }
            other => other,
        }
    }

    /// The recorded schema version.
    pub(crate) fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(recorded_version)
    }

    /// Runs `f` in a transaction holding the advisory write lock; commits on Ok, rolls back on Err.
    pub(crate) fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let slot = self
            .client
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let mut retried = false;
        loop {
            let reused = slot.as_ref().is_some_and(|c| !c.is_closed());
            let started = ensure(&self.dialer, slot).and_then(begin_locked);
            match started {
                Ok(()) => break,
                Err(e @ StoreError::Unavailable(_)) => {
                    *slot = None;
                    // Nothing ran yet: a connection that went stale since
                    // the last call is replaced and the start tried again.
                    if reused && !retried {
                        retried = true;
                        continue;
                    }
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let mut wtx = WriteTx {
            inner: TxInner::Postgres(Tx {
                slot,
                next: None,
                open: true,
            }),
            failed: false,
        };
        // On Err the transaction is dropped, which rolls it back.
        let out = f(&mut wtx)?;
        wtx.commit()?;
        Ok(out)
    }

    /// The stored event with this key.
    pub(crate) fn get_by_key(&self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        self.read(|c| get_by_key(c, key))
    }

    /// Streams the events after `after` to `f`, one page per round trip, calling `f` between round trips.
    pub(crate) fn for_each_since(
        &self,
        after: u64,
        mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Past i64::MAX there is nothing: seqs are positive i64 values.
        let Ok(mut cursor) = i64::try_from(after) else {
            return Ok(());
        };
        loop {
            let page = self.read(|c| {
                let rows = c.query(
                    "SELECT seq, key, at, kind, payload FROM events
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&cursor, &PAGE],
                )?;
                rows.iter().map(read_event).collect::<Result<Vec<_>, _>>()
            })?;
            let full = page.len() as i64 == PAGE;
            for event in page {
                cursor = i64::try_from(event.seq).unwrap_or(i64::MAX);
                f(event)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// The newest seq, 0 when empty.
    pub(crate) fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let seq: i64 = c
                .query_one("SELECT COALESCE(MAX(seq), 0)::BIGINT FROM events", &[])?
                .try_get(0)?;
            if seq == 0 {
                return Ok(0);
            }
            to_seq(seq)
        })
    }

    /// The number of events.
    pub(crate) fn count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c
                .query_one("SELECT COUNT(*) FROM events", &[])?
                .try_get(0)?;
            u64::try_from(n).map_err(|_| StoreError::Postgres(format!("negative row count {n}")))
        })
    }
}

/// An open transaction holding the advisory write lock.
pub(crate) struct Tx<'a> {
    /// The log's connection slot; emptied when the connection breaks, so the next call reconnects.
    slot: &'a mut Option<Client>,
    /// The seq the next appended event gets, once read inside this transaction.
    next: Option<i64>,
    /// Whether the transaction still has to be committed or rolled back.
    open: bool,
}

impl Tx<'_> {
    /// Runs `f` on the connection; a connection error empties the slot.
    fn run<T>(
        &mut self,
        f: impl FnOnce(&mut Client, &mut Option<i64>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Some(client) = self.slot.as_mut() else {
            return Err(StoreError::Unavailable(
                "postgres: the connection broke during the transaction".into(),
            ));
        };
        let out = f(client, &mut self.next);
        if matches!(out, Err(StoreError::Unavailable(_))) {
            *self.slot = None;
            self.open = false;
        }
        out
    }

    /// Events with seq > after, in seq order.
    pub(crate) fn since(&mut self, after: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        self.run(|c, _| {
            let rows = c.query(
                "SELECT seq, key, at, kind, payload FROM events WHERE seq > $1 ORDER BY seq",
                &[&after],
            )?;
            rows.iter().map(read_event).collect()
        })
    }

    /// The stored event with this key, this transaction's appends included.
    pub(crate) fn get_by_key(&mut self, key: &str) -> Result<Option<StoredEvent>, StoreError> {
        self.run(|c, _| get_by_key(c, key))
    }

    /// Appends a validated, non-empty batch, giving each new event `max(seq) + 1`.
    pub(crate) fn append(&mut self, batch: &[NewEvent]) -> Result<Vec<(u64, bool)>, StoreError> {
        self.run(|c, next| {
            let find = c.prepare("SELECT seq FROM events WHERE key = $1")?;
            let insert = c.prepare(
                "INSERT INTO events (seq, key, at, kind, payload) VALUES ($1, $2, $3, $4, $5)",
            )?;
            let mut seq = match *next {
                Some(n) => n,
                None => {
                    let last: i64 = c
                        .query_one("SELECT COALESCE(MAX(seq), 0)::BIGINT FROM events", &[])?
                        .try_get(0)?;
                    last + 1
                }
            };
            let mut out = Vec::with_capacity(batch.len());
            for event in batch {
                match c.query_opt(&find, &[&event.key])? {
                    Some(row) => out.push((to_seq(row.try_get(0)?)?, false)),
                    None => {
                        c.execute(
                            &insert,
                            &[&seq, &event.key, &event.at, &event.kind, &event.payload],
                        )?;
                        out.push((to_seq(seq)?, true));
                        seq += 1;
                    }
                }
            }
            *next = Some(seq);
            Ok(out)
        })
    }

    /// Commits durably, releasing the lock.
    pub(crate) fn commit(&mut self) -> Result<(), StoreError> {
        let out = self.run(|c, _| Ok(c.batch_execute("COMMIT")?));
        self.open = false;
        out
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            if let Some(client) = self.slot.as_mut() {
                if client.batch_execute("ROLLBACK").is_err() {
                    *self.slot = None;
                }
            }
        }
    }
}

/// The open connection in `slot`, connecting first when there is none or it closed.
fn ensure<'a>(dialer: &Dialer, slot: &'a mut Option<Client>) -> Result<&'a mut Client, StoreError> {
    if slot.as_ref().is_some_and(Client::is_closed) {
        *slot = None;
    }
    if slot.is_none() {
        *slot = Some(connect(dialer)?);
    }
    slot.as_mut()
        .ok_or_else(|| StoreError::Unavailable("postgres: not connected".into()))
}

/// Opens a connection with the session settings the log relies on.
fn connect(dialer: &Dialer) -> Result<Client, StoreError> {
    let mut client = dialer.config.connect(dialer.tls.clone())?;
    client.batch_execute(&format!(
        "SET lock_timeout = '{}ms'",
        BUSY_TIMEOUT.as_millis()
    ))?;
    // Durable before acknowledged: a server configured with
    // synchronous_commit=off could lose acknowledged commits in a crash.
    let sync: String = client
        .query_one("SHOW synchronous_commit", &[])?
        .try_get(0)?;
    if sync == "off" {
        client.batch_execute("SET synchronous_commit = on")?;
    }
    Ok(client)
}

/// Starts a transaction and waits for the write lock; on failure nothing is left open.
fn begin_locked(client: &mut Client) -> Result<(), StoreError> {
    client.batch_execute("BEGIN")?;
    if let Err(e) = client.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]) {
        let e = StoreError::from(e);
        if !e.is_unavailable() || matches!(e, StoreError::Busy) {
            // The transaction is aborted but the connection is fine: end it.
            client.batch_execute("ROLLBACK")?;
        }
        return Err(e);
    }
    Ok(())
}

/// Brings the schema to the latest version, one locked step per transaction, refusing a newer schema.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT
            )",
        )?;
        let current = recorded_version_in(&mut tx)?;
        check_not_newer(current)?;
        tx.commit()?;
    }
    for step in MIGRATIONS {
        let failed = |e: postgres::Error| match StoreError::from(e) {
            // A database that cannot be reached or written now is not a broken step.
            e if e.is_unavailable() => e,
            e => StoreError::Migration {
                version: step.version,
                message: e.to_string(),
            },
        };
        // The lock makes two nodes starting on a new database apply each
        // step once: the second waits, then sees it recorded.
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
        let current = recorded_version_in(&mut tx)?;
        check_not_newer(current)?;
        if current >= step.version {
            continue;
        }
        check_next_step(current, step.version)?;
        let version = i32::try_from(step.version).map_err(|_| StoreError::Migration {
            version: step.version,
            message: "version out of range".into(),
        })?;
        tx.batch_execute(step.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at)
             VALUES ($1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
            &[&version],
        )
        .map_err(failed)?;
        tx.commit()?;
    }
    Ok(())
}

/// The highest version in `schema_migrations`, 0 when none.
fn recorded_version(client: &mut Client) -> Result<u32, StoreError> {
    let v: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    to_version(v)
}

/// [`recorded_version`] inside a transaction.
fn recorded_version_in(tx: &mut postgres::Transaction<'_>) -> Result<u32, StoreError> {
    let v: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    to_version(v)
}

/// The stored event with this key, read through `client`.
fn get_by_key(client: &mut Client, key: &str) -> Result<Option<StoredEvent>, StoreError> {
    let row = client.query_opt(
        "SELECT seq, key, at, kind, payload FROM events WHERE key = $1",
        &[&key],
    )?;
    row.as_ref().map(read_event).transpose()
}

/// Reads one `seq, key, at, kind, payload` row, reporting a row of the wrong shape as corrupt.
fn read_event(row: &Row) -> Result<StoredEvent, StoreError> {
    let seq = to_seq(row.try_get(0).map_err(|e| StoreError::Corrupt {
        seq: 0,
        message: format!("seq: {e}"),
    })?)?;
    let text = |i: usize, name: &str| -> Result<String, StoreError> {
        row.try_get::<_, String>(i)
            .map_err(|e| StoreError::Corrupt {
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

/// `host:port/database` of a connection configuration.
fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    format!(
        "{}:{}/{}",
        hosts.join(","),
        ports.join(","),
        config.get_dbname().unwrap_or("")
    )
}
