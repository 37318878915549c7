//! The state one node shares between its requests, and the background
//! work around it: the poller that picks up other nodes' events, the audit
//! writer, and reloads.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bylaw_store::{EventLog, NewEvent, StoreError};
use bylaw_tenant::journal::Journal;

use crate::auth::{KeyRecord, KeyStore, KEY_CREATED};
use crate::enforcement::Enforcement;
use crate::metrics::Metrics;
use crate::version::{Current, Sourcing, Version};

/// Limits on what one request may carry.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON body, bytes.
    pub body_bytes: usize,
    /// Largest multipart upload (a listing with its images), bytes.
    pub upload_bytes: usize,
    /// Longest text to scan, characters.
    pub text_chars: usize,
    /// Most texts in one batch scan.
    pub batch: usize,
    /// Largest image, bytes.
    pub image_bytes: usize,
    /// Most images with one listing.
    pub images: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 1 << 20,
            upload_bytes: 32 << 20,
            text_chars: 10_000,
            batch: 100,
            image_bytes: 5 << 20,
            images: 20,
        }
    }
}

/// How one node runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub addr: std::net::SocketAddr,
    /// `sqlite://PATH` or `postgres://…`.
    pub database: String,
    /// Where the rules come from.
    pub sourcing: Sourcing,
    /// Request limits.
    pub limits: Limits,
    /// Requests per second per key (0: no limit).
    pub rate: f64,
    /// Burst above the rate, requests.
    pub burst: f64,
    /// How often to pick up other nodes' events.
    pub poll: Duration,
    /// Let webhooks reach loopback, private, link-local and other
    /// non-public addresses ([`crate::webhooks::non_public`]). Off: such URLs
    /// are refused at registration and such addresses at delivery, so a
    /// provider cannot make the server call into its own network.
    pub webhook_private: bool,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "sqlite://./bylaw.db".into(),
            sourcing: Sourcing::default(),
            limits: Limits::default(),
            rate: 0.0,
            burst: 0.0,
            poll: Duration::from_millis(500),
            webhook_private: false,
        }
    }
}

/// Opens the event log a database URL names.
pub fn open_log(url: &str) -> Result<EventLog, StoreError> {
    EventLog::open_url(url)
}

/// Per-key token buckets.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    /// Takes one token for `key`; `Err(seconds to wait)` when there is none.
    pub fn take(&self, key: &str, rate: f64, burst: f64) -> Result<(), f64> {
        if rate <= 0.0 {
            return Ok(());
        }
        let cap = burst.max(1.0);
        let now = Instant::now();
        let mut b = match self.buckets.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let (tokens, last) = b.entry(key.to_string()).or_insert((cap, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(cap);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - *tokens) / rate)
        }
    }
}

/// Server events of the log (keys, acknowledgements, webhooks), applied.
#[derive(Debug, Default)]
pub struct ServerEvents {
    /// Acknowledged notice ids.
    pub acked: HashSet<usize>,
    /// Webhooks by id.
    pub webhooks: HashMap<String, crate::webhooks::Webhook>,
    /// Delivered (webhook, notice) pairs, and those given up on.
    pub delivered: HashSet<(String, usize)>,
}

/// The server-event writer: keys, acknowledgements, webhooks.
pub struct ServerLog {
    log: EventLog,
    seen: u64,
}

/// Everything one node shares between its requests.
pub struct AppState {
    /// Configuration.
    pub config: ServeConfig,
    /// Rulebook and lexicons.
    pub version: Current,
    /// The enforcement engine.
    pub enforce: Enforcement,
    /// Tenants and their books.
    pub tenants: Mutex<Journal>,
    /// API keys.
    pub keys: KeyStore,
    /// Server events applied.
    pub server: Mutex<ServerEvents>,
    server_log: Mutex<ServerLog>,
    /// Metrics.
    pub metrics: Metrics,
    /// Rate limits.
    pub limiter: Limiter,
    audit: Mutex<Option<mpsc::Sender<NewEvent>>>,
    audit_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    reload_lock: Mutex<()>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("database", &self.config.database)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl AppState {
    /// Loads the rules, opens the log (creating it) and replays it.
    pub fn open(config: ServeConfig) -> Result<Arc<AppState>, String> {
        let db = |e: StoreError| format!("{}: {e}", config.database);
        let version = Version::load(&config.sourcing, None)?;
        for w in &version.warnings {
            tracing::warn!(warning = %w, "lexicon line left out");
        }
        let enforce = Enforcement::open(open_log(&config.database).map_err(db)?, version.rulebook)?;
        let journal = Journal::from_log(open_log(&config.database).map_err(db)?, version.rulebook)
            .map_err(|e| e.to_string())?;
        let server_log = ServerLog {
            log: open_log(&config.database).map_err(db)?,
            seen: 0,
        };
        let audit_log = open_log(&config.database).map_err(db)?;
        let (tx, rx) = mpsc::channel();
        let state = Arc::new(AppState {
            config,
            version: Current::new(version),
            enforce,
            tenants: Mutex::new(journal),
            keys: KeyStore::default(),
            server: Mutex::new(ServerEvents::default()),
            server_log: Mutex::new(server_log),
            metrics: Metrics::default(),
            limiter: Limiter::default(),
            audit: Mutex::new(Some(tx)),
            audit_thread: Mutex::new(None),
            reload_lock: Mutex::new(()),
        });
        state.refresh_server().map_err(|e| e.to_string())?;
        let weak = Arc::downgrade(&state);
        let handle = std::thread::Builder::new()
            .name("bylaw-audit".into())
            .spawn(move || audit_loop(audit_log, rx, weak))
            .map_err(|e| e.to_string())?;
        *lock(&state.audit_thread) = Some(handle);
        Ok(state)
    }

    /// Applies server events other nodes (or the CLI) appended.
    pub fn refresh_server(&self) -> Result<(), StoreError> {
        let mut sl = lock(&self.server_log);
        let after = sl.seen;
        let mut seen = after;
        let mut events = Vec::new();
        sl.log.for_each_since(after, |ev| {
            seen = ev.seq;
            if ev.kind.starts_with("server.") {
                events.push(ev);
            }
            Ok(())
        })?;
        sl.seen = seen;
        drop(sl);
        for ev in events {
            self.apply_server_event(&ev.kind, &ev.payload);
        }
        Ok(())
    }

    fn apply_server_event(&self, kind: &str, payload: &str) {
        if kind.starts_with("server.key.") {
            if let Err(e) = self.keys.apply(kind, payload) {
                tracing::warn!(kind, error = %e, "unreadable key event");
            }
            return;
        }
        let mut s = lock(&self.server);
        crate::webhooks::apply(&mut s, kind, payload);
    }

    /// Appends server events (keys, acks, webhooks) durably and applies them.
    pub fn append_server(&self, events: &[NewEvent]) -> Result<Vec<(u64, bool)>, StoreError> {
        let out = lock(&self.server_log).log.append(events)?;
        self.refresh_server()?;
        Ok(out)
    }

    /// Stores a new key.
    pub fn add_key(&self, rec: &KeyRecord) -> Result<(), StoreError> {
        let payload = serde_json::to_string(rec).map_err(|e| StoreError::Invalid {
            key: rec.id.clone(),
            message: e.to_string(),
        })?;
        self.append_server(&[NewEvent {
            key: format!("{KEY_CREATED}:{}", rec.id),
            at: bylaw_enforce::time::format(now()),
            kind: KEY_CREATED.into(),
            payload,
        }])?;
        Ok(())
    }

    /// Picks up everything other nodes appended.
    pub fn refresh(&self) -> Result<(), String> {
        self.refresh_server().map_err(|e| e.to_string())?;
        let seq = self.enforce.refresh().map_err(|e| e.to_string())?;
        self.metrics.applied_seq.store(seq, Ordering::Relaxed);
        lock(&self.tenants).refresh().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Reloads rulebook and lexicons; requests in flight keep the old ones.
    pub fn reload(&self) -> Result<Arc<Version>, String> {
        let _one = lock(&self.reload_lock);
        let old = self.version.get();
        let result = (|| {
            let fresh = Version::load(&self.config.sourcing, Some(&old))?;
            if !std::ptr::eq(fresh.rulebook, old.rulebook) {
                self.enforce.rebind(fresh.rulebook)?;
                let j = Journal::from_log(
                    open_log(&self.config.database).map_err(|e| e.to_string())?,
                    fresh.rulebook,
                )
                .map_err(|e| e.to_string())?;
                *lock(&self.tenants) = j;
            }
            Ok::<Version, String>(fresh)
        })();
        match result {
            Ok(v) => {
                self.version.set(v);
                self.metrics.reload("ok");
                let v = self.version.get();
                tracing::info!(
                    rulebook = v.rulebook_version(),
                    lexicon = v.lexicon_version(),
                    "reloaded"
                );
                Ok(v)
            }
            Err(e) => {
                self.metrics.reload("failed");
                tracing::error!(error = %e, "reload failed; keeping the current version");
                Err(e)
            }
        }
    }

    /// Queues an audit entry (stored in batches by the audit writer).
    pub fn audit(&self, entry: NewEvent) {
        if let Some(tx) = lock(&self.audit).as_ref() {
            if tx.send(entry).is_ok() {
                self.metrics.audit_queue.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Stores every queued audit entry and stops the writer (at shutdown).
    pub fn flush(&self) {
        lock(&self.audit).take();
        if let Some(h) = lock(&self.audit_thread).take() {
            let _ = h.join();
        }
    }
}

/// The seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Stores audit entries in batches; retries a failed batch until it is
/// stored or the process ends (entries are never dropped on an error).
fn audit_loop(mut log: EventLog, rx: mpsc::Receiver<NewEvent>, state: std::sync::Weak<AppState>) {
    let mut pending: Vec<NewEvent> = Vec::new();
    loop {
        if pending.is_empty() {
            match rx.recv() {
                Ok(e) => pending.push(e),
                Err(_) => return,
            }
        }
        let mut closed = false;
        while pending.len() < 1000 {
            match rx.try_recv() {
                Ok(e) => pending.push(e),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        match log.append(&pending) {
            Ok(_) => {
                if let Some(s) = state.upgrade() {
                    s.metrics
                        .audit_queue
                        .fetch_sub(pending.len() as i64, Ordering::Relaxed);
                }
                pending.clear();
                if closed {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, entries = pending.len(), "audit entries not stored yet; retrying");
                if closed {
                    // Shutting down: one last try after a pause, then give up loudly.
                    std::thread::sleep(Duration::from_millis(200));
                    if log.append(&pending).is_err() {
                        tracing::error!(entries = pending.len(), "audit entries lost at shutdown");
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
}
