//! enforce: violations, graduated sanctions, rectification deadlines,
//! appeals and restoration, run from the rulebook's ladders.
//!
//! The engine is a fold over an append-only event log: every command is an
//! [`Event`] that is first checked against the state ([`Enforcer::check`]),
//! then written to the log by the caller, then applied
//! ([`Enforcer::apply`]). Replaying the same log gives the same state; time
//! is an input ([`Event::Tick`]), so deadlines lapse deterministically.
//! Queries ([`Enforcer::can`]) take a time and answer as of then.

#![forbid(unsafe_code)]

pub mod config;
mod engine;
pub mod model;
pub mod seg;
pub mod time;

pub use config::Config;
pub use engine::{EnforceError, Enforcer};
pub use model::*;
pub use seg::Seg;
