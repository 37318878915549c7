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
//! Event kinds: `tenant.<command>` for directory and admin changes
//! ([`Command`]), `tenant.books.<command>` for the books ([`BookCommand`]).

use std::collections::HashMap;
use std::path::Path;

use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent, StoreError};
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
    /// The log position it was stored at (`None`: a repeat, nothing stored).
    pub seq: Option<u64>,
}

/// An event to store: kind, key (empty: generated), payload, time.
type Stored = (String, String, String, i64);

/// Tenants and their books, kept in step with the event log.
pub struct Journal {
    log: EventLog,
    reg: Registry,
    books: HashMap<String, Books>,
    rules: BookRules,
    limits: Limits,
    skipped: u64,
    /// The time of the entry being applied: now at submit, the event's at replay.
    clock: i64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("log", &self.log)
            .field("tenants", &self.books.len())
            .finish()
    }
}

impl Journal {
    /// Opens the log at `path` and replays it.
    pub fn open(path: &Path, rb: &Rulebook) -> Result<Journal, JournalError> {
        Journal::from_log(EventLog::open(path)?, rb)
    }

    /// Replays an open log.
    pub fn from_log(log: EventLog, rb: &Rulebook) -> Result<Journal, JournalError> {
        let mut j = Journal {
            log,
            reg: Registry::new(),
            books: HashMap::new(),
            rules: BookRules::from_rulebook(rb)?,
            limits: Limits::from_rulebook(rb)?,
            skipped: 0,
            clock: 0,
        };
        j.replay()?;
        Ok(j)
    }

    fn replay(&mut self) -> Result<(), JournalError> {
        self.reg = Registry::new();
        self.books.clear();
        self.skipped = 0;
        let mut events = Vec::new();
        self.log.for_each_since(0, |ev| {
            if ev.kind.starts_with("tenant.") {
                events.push((ev.seq, ev.kind, ev.payload, parse_time(&ev.at)));
            }
            Ok(())
        })?;
        for (seq, kind, payload, at) in events {
            self.clock = at;
            let entry = if kind.starts_with("tenant.books.") {
                Entry::Books(
                    serde_json::from_str(&payload).map_err(|e| JournalError::Corrupt {
                        seq,
                        message: e.to_string(),
                    })?,
                )
            } else {
                Entry::Tenant(serde_json::from_str(&payload).map_err(|e| {
                    JournalError::Corrupt {
                        seq,
                        message: e.to_string(),
                    }
                })?)
            };
            // Logged entries were accepted when written; one refused now
            // (a rule changed) is counted and skipped, not fatal.
            if self.apply_one(&entry).is_err() {
                self.skipped += 1;
            }
        }
        Ok(())
    }

    /// Entries of the log refused at replay (a rule changed since).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The tenants.
    pub fn registry(&self) -> &Registry {
        &self.reg
    }

    /// A tenant's books (empty books if it has none yet).
    pub fn books(&self, tenant: &str) -> Option<&Books> {
        self.books.get(tenant)
    }

    /// The rules read from the rulebook.
    pub fn rules(&self) -> &BookRules {
        &self.rules
    }

    /// The log.
    pub fn log(&self) -> &EventLog {
        &self.log
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
                    },
                    event,
                ))
            }
        }
    }

    /// Applies a batch and stores the accepted entries in one durable
    /// transaction; returns each entry's result once they are on disk.
    pub fn submit(
        &mut self,
        batch: &[Entry],
    ) -> Result<Vec<Result<Applied, Refused>>, JournalError> {
        let mut results = Vec::with_capacity(batch.len());
        let mut events = Vec::new();
        let mut slots = Vec::new();
        let base = self.log.last_seq()?;
        self.clock = now();
        for e in batch {
            match self.apply_one(e) {
                Ok((applied, Some((kind, key, payload, at)))) => {
                    let key = if key.is_empty() {
                        format!("{kind}:{}", base + events.len() as u64 + 1)
                    } else {
                        key
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
        match self.log.append(&events) {
            Ok(seqs) => {
                for (slot, (seq, _)) in slots.into_iter().zip(seqs) {
                    if let Some(Ok(a)) = results.get_mut(slot) {
                        a.seq = Some(seq);
                    }
                }
                Ok(results)
            }
            Err(e) => {
                // Memory ran ahead of the disk: rebuild it from the log.
                self.replay()?;
                Err(e.into())
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
