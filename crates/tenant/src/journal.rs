//! The durable shell around tenants and their books: every accepted change
//! is an event of the append-only log (`bylaw-store`), the same log
//! `enforce` uses, and the state in memory is what replaying the log gives.
//!
//! A batch of entries is applied in memory one after the other (each sees
//! the ones before it), and the accepted ones are appended in ONE
//! transaction, durable before [`Journal::submit`] returns. Only then are
//! the results handed back, so an acknowledged movement is on disk. If the
//! append fails, the memory is rebuilt from the log, so it never runs ahead
//! of the disk. Each event carries an idempotency key (the ledger key of a
//! posting), so a retried batch after a crash posts nothing twice: the
//! ledger answers `duplicate` for what the log already holds.
//!
//! Several journals (nodes, processes) may share one log. Each remembers
//! the last log position it applied ([`Journal::seen`]). A submit runs
//! inside the log's write lock ([`EventLog::write`]): it first applies what
//! the others committed since, then decides the batch on that up-to-date
//! state and appends it, so two nodes cannot both spend the same balance.
//! [`Journal::refresh`] catches up without writing, for reads.
//!
//! Clients may give their own idempotency key per entry
//! ([`Journal::submit_keyed`]): the entry is stored under `client-key KEY`
//! (ledger event keys start with a tenant id, and neither tenant ids nor
//! generated keys carry a space, so this cannot clash with them), and a key
//! already in the log, checked inside the lock, answers
//! `repeat` with the stored position instead of applying the entry again.
//!
//! Event kinds: `tenant.<command>` for directory and admin changes
//! ([`Command`]), `tenant.books.<command>` for the books ([`BookCommand`]).

use std::collections::HashMap;
use std::path::Path;

use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent, StoreError, StoredEvent, WriteTx};
use serde::{Deserialize, Serialize};

use crate::books::{BookCommand, BookRules, Books, BooksError, Outcome, RulesError};
use crate::error::TenantError;
use crate::file::Command;
use crate::ledger::{format_time, parse_time};
use crate::registry::Registry;
use crate::tenant::Limits;

/// Why the journal could not work; distinct from a refused command.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The log failed.
    #[error("事件日志错误 event log: {0}")]
    Store(#[from] StoreError),
    /// The rulebook lacks a figure.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The tenant limits could not be read.
    #[error(transparent)]
    Limits(#[from] TenantError),
    /// A stored event could not be read.
    #[error("事件 #{seq} 无法解析 (event #{seq} is unreadable): {message}")]
    Corrupt {
        /// Its position.
        seq: u64,
        /// Why.
        message: String,
    },
    /// An event to store has a key the log already holds for something else; nothing of the batch was stored.
    #[error("事件键已被占用 (the event key is taken): {key} (#{seq})")]
    KeyTaken {
        /// The key.
        key: String,
        /// Where the other event is.
        seq: u64,
    },
}

/// A books event as stored: the tenant and the (pinned) command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookEvent {
    /// The tenant.
    pub tenant: String,
    /// The command.
    #[serde(flatten)]
    pub command: BookCommand,
}

/// One change to submit.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A directory or admin change.
    Tenant(Command),
    /// A command on a tenant's books.
    Books(BookEvent),
}

/// Why one entry of a batch was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refused {
    /// A directory or admin change refused.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// A books command refused.
    #[error(transparent)]
    Books(#[from] BooksError),
}

/// What an accepted entry did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// The books outcome (for books commands).
    pub outcome: Option<Outcome>,
    /// Notes (for tenant changes).
    pub notes: Vec<String>,
    /// The log position it was stored at (`None`: nothing stored, e.g. a ledger duplicate).
    pub seq: Option<u64>,
    /// The client's idempotency key was already in the log: nothing was applied now, and `seq` is where the original is.
    pub repeat: bool,
}

/// An event to store: kind, key (empty: generated), payload, time.
type Stored = (String, String, String, i64);

/// The prefix of the event key a client's idempotency key is stored under.
const CLIENT_KEY_PREFIX: &str = "client-key ";

/// Tenants and their books, kept in step with the event log.
pub struct Journal {
    /// The event log, possibly shared with other journals.
    log: EventLog,
    /// What the log's events up to `state.seen` give.
    state: State,
}

/// What replaying the log gives: the journal minus its log.
struct State {
    /// The tenants.
    reg: Registry,
    /// Each tenant's books.
    books: HashMap<String, Books>,
    /// The books' rules, from the rulebook.
    rules: BookRules,
    /// The tenant limits, from the rulebook.
    limits: Limits,
    /// Logged entries refused at replay.
    skipped: u64,
    /// The time of the entry being applied: now at submit, the event's at replay.
    clock: i64,
    /// The last log position applied (any kind of event).
    seen: u64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("log", &self.log)
            .field("tenants", &self.state.books.len())
            .field("seen", &self.state.seen)
            .finish()
    }
}

impl Journal {
    /// Opens the log at `path` and replays it.
    pub fn open(path: &Path, rb: &Rulebook) -> Result<Journal, JournalError> {
        Journal::from_log(EventLog::open(path)?, rb)
    }

    /// Opens the log a URL names (`sqlite://PATH`, `postgres://…`, see [`EventLog::open_url`]) and replays it.
    pub fn open_url(url: &str, rb: &Rulebook) -> Result<Journal, JournalError> {
        Journal::from_log(EventLog::open_url(url)?, rb)
    }

    /// Replays an open log.
    pub fn from_log(log: EventLog, rb: &Rulebook) -> Result<Journal, JournalError> {
        let mut j = Journal {
            log,
            state: State {
                reg: Registry::new(),
                books: HashMap::new(),
                rules: BookRules::from_rulebook(rb)?,
                limits: Limits::from_rulebook(rb)?,
                skipped: 0,
                clock: 0,
                seen: 0,
            },
        };
        j.replay()?;
        Ok(j)
    }

    /// Forgets the state and applies the whole log again. If reading fails,
    /// the state stays empty with `seen` 0, so the next submit or refresh
    /// rebuilds it.
    fn replay(&mut self) -> Result<(), JournalError> {
        self.state.reg = Registry::new();
        self.state.books.clear();
        self.state.skipped = 0;
        self.state.seen = 0;
        apply_from_log(&self.log, &mut self.state)?;
        Ok(())
    }

    /// Applies the events other writers appended since [`Journal::seen`]; returns how many of them were tenant events.
    pub fn refresh(&mut self) -> Result<u64, JournalError> {
        apply_from_log(&self.log, &mut self.state)
    }

    /// The last log position applied to this journal's state.
    pub fn seen(&self) -> u64 {
        self.state.seen
    }

    /// Entries of the log refused at replay (a rule changed since).
    pub fn skipped(&self) -> u64 {
        self.state.skipped
    }

    /// The tenants.
    pub fn registry(&self) -> &Registry {
        &self.state.reg
    }

    /// A tenant's books (empty books if it has none yet).
    pub fn books(&self, tenant: &str) -> Option<&Books> {
        self.state.books.get(tenant)
    }

    /// The rules read from the rulebook.
    pub fn rules(&self) -> &BookRules {
        &self.state.rules
    }

    /// The log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// Applies a batch and stores the accepted entries in one durable
    /// transaction; returns each entry's result once they are on disk.
    pub fn submit(
        &mut self,
        batch: &[Entry],
    ) -> Result<Vec<Result<Applied, Refused>>, JournalError> {
        let keyed: Vec<(Option<String>, Entry)> = batch.iter().map(|e| (None, e.clone())).collect();
        self.submit_keyed(&keyed)
    }

    /// Like [`Journal::submit`], each entry with an optional client idempotency key.
    ///
    /// Inside the log's write lock: first the events others committed are
    /// applied, then each entry in order. An entry whose key is already in
    /// the log (or earlier in this batch) is not applied again and answers
    /// `Ok(Applied { repeat: true, seq: Some(where the original is), .. })`.
    /// Otherwise an accepted entry that changes something is stored under
    /// its key (instead of its ledger key or a generated one). An empty key
    /// is refused. On any error nothing is stored and the state is rebuilt
    /// from the log.
    pub fn submit_keyed(
        &mut self,
        batch: &[(Option<String>, Entry)],
    ) -> Result<Vec<Result<Applied, Refused>>, JournalError> {
        let state = &mut self.state;
        let out = self.log.write(|tx| state.submit_locked(tx, batch));
        match out {
            Ok(results) => Ok(results),
            Err(e) => {
                // Memory may have run ahead of the disk: rebuild it from the log.
                self.replay()?;
                Err(e)
            }
        }
    }

    /// Applies one entry durably.
    pub fn submit_one(&mut self, e: Entry) -> Result<Result<Applied, Refused>, JournalError> {
        let mut v = self.submit(std::slice::from_ref(&e))?;
        Ok(v.pop().unwrap_or(Err(Refused::Tenant(TenantError::Invalid {
            field: "batch".into(),
            zh: "空批次".into(),
            en: "empty batch".into(),
        }))))
    }
}

/// Applies the log's events after `state.seen` to `state`; returns how many were tenant events.
fn apply_from_log(log: &EventLog, state: &mut State) -> Result<u64, JournalError> {
    let mut applied = 0;
    let mut failure = None;
    let walked = log.for_each_since(state.seen, |ev| match state.apply_stored(&ev) {
        Ok(tenant) => {
            applied += u64::from(tenant);
            Ok(())
        }
        Err(e) => {
            // Stop the walk; the journal's own error is returned below.
            failure = Some(e);
            Err(StoreError::Corrupt {
                seq: ev.seq,
                message: "unreadable tenant event".into(),
            })
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    walked?;
    Ok(applied)
}

impl State {
    /// Applies one event of the log (a `tenant.*` one; others only move `seen`); returns whether it was a tenant event.
    fn apply_stored(&mut self, ev: &StoredEvent) -> Result<bool, JournalError> {
        if !ev.kind.starts_with("tenant.") {
            self.seen = ev.seq;
            return Ok(false);
        }
        let corrupt = |e: serde_json::Error| JournalError::Corrupt {
            seq: ev.seq,
            message: e.to_string(),
        };
        let entry = if ev.kind.starts_with("tenant.books.") {
            Entry::Books(serde_json::from_str(&ev.payload).map_err(corrupt)?)
        } else {
            Entry::Tenant(serde_json::from_str(&ev.payload).map_err(corrupt)?)
        };
        self.clock = parse_time(&ev.at);
        // Logged entries were accepted when written; one refused now
        // (a rule changed) is counted and skipped, not fatal.
        if self.apply_one(&entry).is_err() {
            self.skipped += 1;
        }
        self.seen = ev.seq;
        Ok(true)
    }

    /// The body of [`Journal::submit_keyed`], run holding the log's write lock.
    fn submit_locked(
        &mut self,
        tx: &mut WriteTx<'_>,
        batch: &[(Option<String>, Entry)],
    ) -> Result<Vec<Result<Applied, Refused>>, JournalError> {
        // What others committed since this journal last looked.
        for ev in tx.since(self.seen)? {
            self.apply_stored(&ev)?;
        }
        // Under the lock `seen` is the last seq, so new events get seen+1, …
        let base = self.seen;
        self.clock = now();
        let mut results = Vec::with_capacity(batch.len());
        let mut events: Vec<NewEvent> = Vec::new();
        // For each event: the result it belongs to.
        let mut slots = Vec::new();
        // Client event keys stored by this batch: key -> index in `events`.
        let mut batch_keys: HashMap<String, usize> = HashMap::new();
        // Repeats of keys stored by this batch: (result, index in `events`).
        let mut repeats = Vec::new();
        for (client_key, entry) in batch {
            let client_key = match client_key.as_deref() {
                Some("") => {
                    results.push(Err(Refused::Tenant(TenantError::Invalid {
                        field: "key".into(),
                        zh: "幂等键不能为空".into(),
                        en: "the idempotency key is empty".into(),
                    })));
                    continue;
                }
                Some(k) => Some(format!("{CLIENT_KEY_PREFIX}{k}")),
                None => None,
            };
            if let Some(key) = &client_key {
                if let Some(&i) = batch_keys.get(key) {
                    repeats.push((results.len(), i));
                    results.push(Ok(Applied::repeat(None)));
                    continue;
                }
                if let Some(stored) = tx.get_by_key(key)? {
                    results.push(Ok(Applied::repeat(Some(stored.seq))));
                    continue;
                }
            }
            match self.apply_one(entry) {
                Ok((applied, Some((kind, own_key, payload, at)))) => {
                    let key = match client_key {
                        Some(key) => {
                            batch_keys.insert(key.clone(), events.len());
                            key
                        }
                        None if !own_key.is_empty() => own_key,
                        None => format!("{kind}:{}", base + events.len() as u64 + 1),
                    };
                    events.push(NewEvent {
                        key,
                        at: format_time(if at == 0 { now() } else { at }),
                        kind,
                        payload,
                    });
                    slots.push(results.len());
                    results.push(Ok(applied));
                }
                Ok((applied, None)) => results.push(Ok(applied)),
                Err(r) => results.push(Err(r)),
            }
        }
        if events.is_empty() {
            return Ok(results);
        }
        let acks = tx.append(&events)?;
        for ((slot, (seq, written)), event) in slots.into_iter().zip(&acks).zip(&events) {
            if !written {
                // The state applied an entry the log would not store: abort.
                return Err(JournalError::KeyTaken {
                    key: event.key.clone(),
                    seq: *seq,
                });
            }
            if let Some(Ok(a)) = results.get_mut(slot) {
                a.seq = Some(*seq);
            }
        }
        for (slot, i) in repeats {
            if let (Some(Ok(a)), Some((seq, _))) = (results.get_mut(slot), acks.get(i)) {
                a.seq = Some(*seq);
            }
        }
        if let Some(&(last, _)) = acks.iter().max() {
            self.seen = self.seen.max(last);
        }
        Ok(results)
    }

    /// Applies one entry in memory; returns the result and the event to store.
    fn apply_one(&mut self, e: &Entry) -> Result<(Applied, Option<Stored>), Refused> {
        match e {
            Entry::Tenant(c) => {
                let mut notes = c.apply(&mut self.reg, &self.limits)?;
                if let Command::RemoveMember { tenant, id, .. } = c {
                    // Quota holds and pending approvals follow the member's departure.
                    if let (Some(b), Ok(t)) = (self.books.get_mut(tenant), self.reg.get(tenant)) {
                        for n in b.member_left(t.directory(), id, self.clock) {
                            if let crate::books::Notice::Approval { zh, en, .. } = n {
                                notes.push(format!("{zh} ({en})"));
                            }
                        }
                    }
                }
                let payload = serde_json::to_string(c).map_err(|err| TenantError::Invalid {
                    field: "command".into(),
                    zh: err.to_string(),
                    en: err.to_string(),
                })?;
                let kind = format!("tenant.{}", c.name());
                Ok((
                    Applied {
                        outcome: None,
                        notes,
                        seq: None,
                        repeat: false,
                    },
                    Some((kind, String::new(), payload, 0)),
                ))
            }
            Entry::Books(ev) => {
                let tenant = self.reg.get(&ev.tenant)?;
                let books = self.books.entry(ev.tenant.clone()).or_default();
                let (outcome, pinned) = books.apply(tenant, &self.rules, &ev.command)?;
                let store = outcome.changed;
                let event = if store {
                    let kind = format!("tenant.books.{}", pinned.name());
                    let key = match pinned.key() {
                        Some(k) => format!("{}/{k}", ev.tenant),
                        None => String::new(),
                    };
                    let at = pinned.at();
                    let payload = serde_json::to_string(&BookEvent {
                        tenant: ev.tenant.clone(),
                        command: pinned,
                    })
                    .map_err(|err| TenantError::Invalid {
                        field: "command".into(),
                        zh: err.to_string(),
                        en: err.to_string(),
                    })?;
                    Some((kind, key, payload, at))
                } else {
                    None
                };
                Ok((
                    Applied {
                        outcome: Some(outcome),
                        notes: Vec::new(),
                        seq: None,
                        repeat: false,
                    },
                    event,
                ))
            }
        }
    }
}

impl Applied {
    /// The answer for a client key already in the log (or earlier in the batch).
    fn repeat(seq: Option<u64>) -> Applied {
        Applied {
            outcome: None,
            notes: Vec::new(),
            seq,
            repeat: true,
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_time_inverts_format_time() {
        for t in [0, 951_782_400, 1_795_248_000, 1_795_248_000 + 86_399] {
            assert_eq!(crate::ledger::parse_time(&crate::ledger::format_time(t)), t);
        }
    }
}
