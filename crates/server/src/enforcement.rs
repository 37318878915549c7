//! The enforcement engine kept in step with the shared event log.
//!
//! Reads (`can`, status, timeline) take a read lock on the engine and never
//! touch the database. A write takes the writer's lock, catches up with
//! events other nodes appended, checks the event against that state,
//! appends it durably under its idempotency key, and only then applies it
//! and answers: an acknowledged write is on disk, and a retried one (same
//! key) is answered from the log without being applied twice.

use std::sync::atomic::Ordering;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use bylaw_enforce::time::format;
use bylaw_enforce::{Config, EnforceError, Enforcer, Event};
use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent, StoreError};
use serde::Serialize;
use serde_json::{json, Value};

use crate::metrics::Metrics;

/// Why a write was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The engine refused the transition (409).
    #[error(transparent)]
    Refused(#[from] EnforceError),
    /// The log failed (503 when out of reach).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be decoded.
    #[error("事件 #{seq} 无法解析 (event #{seq} is unreadable): {message}")]
    Corrupt {
        /// Its position.
        seq: u64,
        /// Why.
        message: String,
    },
}

/// What an accepted (or repeated) write did.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// Log position.
    pub seq: u64,
    /// Idempotency key.
    pub key: String,
    /// A retry of an earlier write: nothing changed now.
    pub repeat: bool,
    /// The case after the event, for case events.
    pub case: Option<Value>,
    /// Notices the event caused.
    pub notices: Vec<Value>,
}

struct Writer {
    log: EventLog,
    seen: u64,
}

/// The engine and its writer.
pub struct Enforcement {
    writer: Mutex<Writer>,
    engine: RwLock<Enforcer<'static>>,
}

impl std::fmt::Debug for Enforcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enforcement").finish()
    }
}

fn decode(seq: u64, payload: &str) -> Result<Event, WriteError> {
    serde_json::from_str(payload).map_err(|e| WriteError::Corrupt {
        seq,
        message: e.to_string(),
    })
}

/// Applies every enforcement event after `after`; returns the new cursor.
fn catch_up(log: &EventLog, after: u64, e: &mut Enforcer<'_>) -> Result<u64, WriteError> {
    let mut seen = after;
    let mut bad = None;
    log.for_each_since(after, |ev| {
        seen = ev.seq;
        if Event::is_kind(&ev.kind) {
            match decode(ev.seq, &ev.payload) {
                Ok(event) => e.apply(&event),
                Err(err) => {
                    bad = Some(err);
                    return Err(StoreError::Corrupt {
                        seq: ev.seq,
                        message: "unreadable enforcement event".into(),
                    });
                }
            }
        }
        Ok(())
    })
    .map_err(|err| bad.take().unwrap_or(WriteError::Store(err)))?;
    Ok(seen)
}

/// FNV-1a, for default idempotency keys.
pub fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Enforcement {
    /// Opens a writer connection and replays the log into a fresh engine.
    pub fn open(log: EventLog, rb: &'static Rulebook) -> Result<Enforcement, String> {
        let config = Config::embedded().map_err(|e| format!("enforce.toml: {e}"))?;
        let mut engine = Enforcer::new(rb, config).map_err(|e| format!("enforce.toml: {e}"))?;
        let seen = catch_up(&log, 0, &mut engine).map_err(|e| e.to_string())?;
        Ok(Enforcement {
            writer: Mutex::new(Writer { log, seen }),
            engine: RwLock::new(engine),
        })
    }

    /// Reads the engine.
    pub fn read(&self) -> RwLockReadGuard<'_, Enforcer<'static>> {
        match self.engine.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Writer> {
        match self.writer.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn engine_mut(&self) -> std::sync::RwLockWriteGuard<'_, Enforcer<'static>> {
        match self.engine.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Applies events other nodes appended; returns the cursor.
    pub fn refresh(&self) -> Result<u64, WriteError> {
        let mut w = self.writer();
        let after = w.seen;
        let mut e = self.engine_mut();
        w.seen = catch_up(&w.log, after, &mut e)?;
        Ok(w.seen)
    }

    /// Rebuilds the engine on another rulebook (a reload) by replaying the log.
    pub fn rebind(&self, rb: &'static Rulebook) -> Result<(), String> {
        let config = Config::embedded().map_err(|e| format!("enforce.toml: {e}"))?;
        let mut fresh = Enforcer::new(rb, config).map_err(|e| format!("enforce.toml: {e}"))?;
        let mut w = self.writer();
        let seen = catch_up(&w.log, 0, &mut fresh).map_err(|e| e.to_string())?;
        *self.engine_mut() = fresh;
        w.seen = seen;
        Ok(())
    }

    /// The stored event with this idempotency key, if any (to tell a retry
    /// from a different request that reuses its key).
    pub fn stored(&self, key: &str) -> Result<Option<bylaw_store::StoredEvent>, StoreError> {
        self.writer().log.get_by_key(key)
    }

    /// Checks, stores and applies one event under `key` (default: derived
    /// from the event), durably before answering.
    pub fn submit(
        &self,
        key: Option<String>,
        event: &Event,
        metrics: &Metrics,
    ) -> Result<Written, WriteError> {
        let payload = serde_json::to_string(event).map_err(|e| WriteError::Corrupt {
            seq: 0,
            message: e.to_string(),
        })?;
        let key = key.unwrap_or_else(|| format!("{}:{}", event.kind(), fnv(&payload)));
        metrics.write_queue.fetch_add(1, Ordering::Relaxed);
        let mut guard = self.writer();
        metrics.write_queue.fetch_sub(1, Ordering::Relaxed);
        let w = &mut *guard;
        let engine = &self.engine;
        let mut seen = w.seen;
        // Inside the log's write lock: catch up with what other nodes
        // appended, then decide on that state, then append. Two nodes can
        // therefore never both accept conflicting events.
        let outcome = w.log.write(|tx| {
            let newer = tx.since(seen)?;
            {
                let mut e = match engine.write() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                for ev in &newer {
                    seen = ev.seq;
                    if Event::is_kind(&ev.kind) {
                        e.apply(&decode(ev.seq, &ev.payload)?);
                    }
                }
            }
            if let Some(stored) = tx.get_by_key(&key)? {
                return Ok::<_, WriteError>(Err(stored.seq));
            }
            match engine.read() {
                Ok(g) => g.check(event)?,
                Err(p) => p.into_inner().check(event)?,
            }
            let stored = tx.append(&[NewEvent {
                key: key.clone(),
                at: format(event.at()),
                kind: event.kind().to_string(),
                payload: payload.clone(),
            }])?;
            Ok(Ok(stored))
        });
        // Events of others applied before a failure stay applied: they are committed.
        w.seen = seen;
        let stored = match outcome? {
            Err(seq) => {
                return Ok(Written {
                    seq,
                    key,
                    repeat: true,
                    case: None,
                    notices: Vec::new(),
                })
            }
            Ok(stored) => stored,
        };
        let seq = stored.first().map_or(0, |s| s.0);
        let mut e = self.engine_mut();
        let before = e.notices().len();
        e.apply(event);
        guard.seen = seq.max(guard.seen);
        metrics.applied_seq.store(guard.seen, Ordering::Relaxed);
        let notices = e
            .notices()
            .iter_from(before)
            .map(|n| notice_json(&e, n))
            .collect();
        let case = event_case(event)
            .and_then(|c| e.case_by_id(c))
            .and_then(|c| serde_json::to_value(c).ok());
        Ok(Written {
            seq,
            key,
            repeat: false,
            case,
            notices,
        })
    }
}

/// The case an event is about, if any.
pub fn event_case(ev: &Event) -> Option<&str> {
    match ev {
        Event::Violation { case, .. }
        | Event::Decision { case, .. }
        | Event::Rectified { case, .. }
        | Event::RectificationReviewed { case, .. }
        | Event::Appealed { case, .. }
        | Event::AppealResolved { case, .. } => Some(case),
        _ => None,
    }
}

/// The JSON form of a notice, with the clause it cites.
pub fn notice_json(e: &Enforcer<'_>, n: &bylaw_enforce::Notice) -> Value {
    json!({
        "id": n.id, "at": format(n.at), "target": n.target, "subject": n.subject,
        "case": n.case, "kind": n.kind, "rule": n.rule, "quote": e.quote(&n.rule),
        "text": n.text, "text_en": n.text_en,
    })
}
