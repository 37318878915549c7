//! `bylaw enforce`: the enforcement flow over the durable event log.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use bylaw_enforce::time::{self, Time};
use bylaw_enforce::{Affiliation, Choice, Config, Enforcer, Event, Origin, TargetKind};
use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

/// Arguments of `bylaw enforce`.
#[derive(Debug, Args)]
pub struct EnforceArgs {
    /// The database (created if missing).
    #[arg(long, global = true, default_value = "bylaw.db", env = "BYLAW_DB")]
    pub db: PathBuf,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Idempotency key: a repeated command with the same key changes nothing
    /// (default: derived from the command and its time).
    #[arg(long, global = true)]
    pub key: Option<String>,
    /// When the command happens (RFC 3339, default: now).
    #[arg(long, global = true, value_name = "TIME")]
    pub at: Option<String>,
    #[command(subcommand)]
    pub command: EnforceCommand,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum EnforceCommand {
    /// Register a subject (legal entity).
    Subject {
        /// Id.
        id: String,
        /// Name.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Declare two subjects affiliated.
    Affiliate {
        /// One subject.
        a: String,
        /// The other.
        b: String,
        /// parent-subsidiary, control, vie or declared.
        #[arg(long, default_value = "declared")]
        kind: String,
    },
    /// Register a target (account, app, mini program, …) of a subject.
    Target {
        /// Id.
        id: String,
        /// Owner.
        #[arg(long)]
        subject: String,
        /// account, app, mini-program, mini-game, provider or tenant.
        #[arg(long)]
        kind: String,
        /// Platform: meeting, miniprogram, minigame, wecom, wecom-isv.
        #[arg(long, default_value = "")]
        platform: String,
    },
    /// Report a violation: opens a case.
    Violation {
        /// Case id.
        case: String,
        /// Rule (or penalty branch) id.
        #[arg(long)]
        rule: String,
        /// Target id.
        #[arg(long)]
        target: String,
        /// review, textguard, complaint or operator.
        #[arg(long, default_value = "operator")]
        origin: String,
        /// Evidence.
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// Decide a case: the ladder step from the rulebook and the history.
    Decide {
        /// Case id.
        case: String,
        /// Penalty branch (number or id) where the rule has several.
        #[arg(long)]
        branch: Option<String>,
        /// Step index (0-based) where the seed leaves the step to discretion; repeatable.
        #[arg(long = "step")]
        steps: Vec<usize>,
        /// Case of a by-case ladder (its condition text).
        #[arg(long = "case")]
        when: Option<String>,
        /// Length within a range or above an open minimum (in the step's unit).
        #[arg(long)]
        length: Option<u32>,
        /// Capabilities for a `limit-features` step; repeatable.
        #[arg(long = "capability")]
        capabilities: Vec<String>,
        /// Why (required where the seed leaves it to discretion).
        #[arg(long, default_value = "")]
        reason: String,
        /// Operator.
        #[arg(long, default_value = "")]
        by: String,
    },
    /// Report a rectification.
    Rectify {
        /// Case id.
        case: String,
        /// The report.
        #[arg(long, default_value = "")]
        report: String,
    },
    /// Accept the rectification report: restoration as the rule says.
    Accept {
        /// Case id.
        case: String,
    },
    /// Reject the rectification report.
    Reject {
        /// Case id.
        case: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Appeal a decision.
    Appeal {
        /// Case id.
        case: String,
        /// Grounds.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Resolve an appeal: --overturn reverts everything the case caused.
    ResolveAppeal {
        /// Case id.
        case: String,
        /// Overturn the decision.
        #[arg(long, conflicts_with = "uphold")]
        overturn: bool,
        /// Uphold the decision.
        #[arg(long)]
        uphold: bool,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Withdraw a target from recommendation of its own accord.
    Withdraw {
        /// Target id.
        target: String,
        /// The withdrawal rule (meeting-market/4.withdrawal, wecom-isv/4.3).
        #[arg(long)]
        rule: String,
    },
    /// Restore a capability on a fresh application (recommendation, search).
    Reinstate {
        /// Target id.
        target: String,
        /// Capability.
        #[arg(long)]
        capability: String,
    },
    /// Let time pass: every deadline due by --now lapses.
    Tick {
        /// The clock.
        #[arg(long)]
        now: String,
    },
    /// May TARGET use CAPABILITY (at --at)? With every reason it may not.
    Can {
        /// Target id.
        target: String,
        /// Capability id.
        capability: String,
    },
    /// A target's denied capabilities, active sanctions, deadlines and credit.
    Status {
        /// Target id.
        target: String,
    },
    /// A target's cases and notices in time order.
    Timeline {
        /// Target id.
        target: String,
    },
    /// The notice outbox.
    Notices {
        /// Only notices after this id.
        #[arg(long, default_value_t = 0)]
        since: usize,
    },
}

fn parse_enum<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> Result<T> {
    serde_json::from_value(Value::String(v.to_string()))
        .map_err(|_| anyhow!("{what}: unknown value `{v}`"))
}

fn now_time() -> Time {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// FNV-1a, for default idempotency keys.
fn hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Opens the log and replays it into an engine.
fn load<'r>(rb: &'r Rulebook, db: &std::path::Path) -> Result<(EventLog, Enforcer<'r>)> {
    let log = EventLog::open(db).map_err(|e| anyhow!("{}: {e}", db.display()))?;
    let config = Config::embedded().map_err(|e| anyhow!("enforce.toml: {e}"))?;
    let mut e = Enforcer::new(rb, config).map_err(|e| anyhow!("enforce.toml: {e}"))?;
    log.for_each_since(0, |ev| {
        // The log also holds tenant changes (`bylaw tenant --db`) and the
        // server's audit and key events.
        if !Event::is_kind(&ev.kind) {
            return Ok(());
        }
        let event: Event =
            serde_json::from_str(&ev.payload).map_err(|err| bylaw_store::StoreError::Corrupt {
                seq: ev.seq,
                message: err.to_string(),
            })?;
        e.apply(&event);
        Ok(())
    })
    .map_err(|e| anyhow!("{}: {e}", db.display()))?;
    Ok((log, e))
}

/// Runs a command; returns the exit code (1: refused transition).
pub fn run(a: EnforceArgs, rb: &Rulebook) -> Result<u8> {
    let at = match &a.at {
        Some(t) => time::parse(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => now_time(),
    };
    let (mut log, mut e) = load(rb, &a.db)?;
    let event = match &a.command {
        EnforceCommand::Can { target, capability } => {
            let v = e.can(target, capability, at)?;
            let out = json!({ "target": target, "capability": capability, "at": time::format(at), "allowed": v.allowed, "reasons": v.reasons.iter().map(|r| json!({
                "case": r.case, "rule": r.rule, "action": r.action, "capability": r.capability, "holder": r.holder,
                "since": time::format(r.since), "until": r.until.map(time::format), "until_rectified": r.until_rectified,
            })).collect::<Vec<_>>() });
            if a.json {
                println!("{out}");
            } else if v.allowed {
                println!(
                    "允许 allowed: {target} may use {capability} at {}",
                    time::format(at)
                );
            } else {
                println!(
                    "禁止 denied: {target} may not use {capability} at {}",
                    time::format(at)
                );
                for r in &v.reasons {
                    println!(
                        "  case {} rule {} ({}) on {:?} since {} until {}",
                        r.case,
                        r.rule,
                        r.action,
                        r.holder,
                        time::format(r.since),
                        match (r.until, r.until_rectified) {
                            (Some(u), _) => time::format(u),
                            (None, true) => "整改完成 rectified".into(),
                            (None, false) => "永久 permanent".into(),
                        }
                    );
                }
            }
            return Ok(0);
        }
        EnforceCommand::Status { target } => {
            let denied = e.denied(target, at)?;
            let cases = e.cases_of(target);
            let deadlines: Vec<Value> = e
                .pending_deadlines()
                .filter(|d| cases.iter().any(|c| *c.id == *d.case))
                .map(|d| json!({ "case": d.case, "rule": d.rule, "due": time::format(d.due) }))
                .collect();
            let subject = cases.first().map(|_| ()).and(None::<String>);
            let _ = subject;
            let out = json!({
                "target": target, "at": time::format(at), "denied": denied,
                "cases": cases.iter().map(|c| json!({ "case": c.id, "rule": c.rule, "status": c.status, "penalty_rule": c.penalty_rule, "offence": c.offence })).collect::<Vec<_>>(),
                "deadlines": deadlines,
            });
            if a.json {
                println!("{out}");
            } else {
                println!("{target} at {}", time::format(at));
                println!(
                    "  禁止 denied: {}",
                    if denied.is_empty() {
                        "—".into()
                    } else {
                        denied.join(", ")
                    }
                );
                for c in &cases {
                    println!(
                        "  case {} {} {:?} → {} (offence {})",
                        c.id,
                        c.rule,
                        c.status,
                        c.penalty_rule.as_deref().unwrap_or("-"),
                        c.offence
                    );
                }
                for d in out["deadlines"].as_array().into_iter().flatten() {
                    println!("  deadline {} {} due {}", d["case"], d["rule"], d["due"]);
                }
            }
            return Ok(0);
        }
        EnforceCommand::Timeline { target } => {
            let mut rows: Vec<(Time, Value)> = Vec::new();
            for c in e.cases_of(target) {
                rows.push((c.opened, json!({ "at": time::format(c.opened), "kind": "violation", "case": c.id, "rule": c.rule })));
            }
            for n in e.notices().iter().filter(|n| *n.target == **target) {
                rows.push((n.at, json!({ "at": time::format(n.at), "kind": n.kind, "case": n.case, "rule": n.rule, "text": n.text })));
            }
            rows.sort_by_key(|r| r.0);
            if a.json {
                println!("{}", Value::Array(rows.into_iter().map(|r| r.1).collect()));
            } else {
                for (_, r) in rows {
                    println!(
                        "{} {:<22} {} {} {}",
                        r["at"].as_str().unwrap_or(""),
                        r["kind"].as_str().unwrap_or(""),
                        r["case"].as_str().unwrap_or(""),
                        r["rule"].as_str().unwrap_or(""),
                        r["text"].as_str().unwrap_or("")
                    );
                }
            }
            return Ok(0);
        }
        EnforceCommand::Notices { since } => {
            let notices: Vec<Value> = e
                .notices()
                .iter()
                .filter(|n| n.id >= *since)
                .map(|n| json!({ "id": n.id, "at": time::format(n.at), "target": n.target, "subject": n.subject, "case": n.case, "kind": n.kind, "rule": n.rule, "quote": e.quote(&n.rule), "text": n.text, "text_en": n.text_en }))
                .collect();
            if a.json {
                println!("{}", Value::Array(notices));
            } else {
                for n in notices {
                    println!(
                        "#{} {} → {}: {}",
                        n["id"],
                        n["at"].as_str().unwrap_or(""),
                        n["target"].as_str().unwrap_or(""),
                        n["text"].as_str().unwrap_or("")
                    );
                }
            }
            return Ok(0);
        }
        EnforceCommand::Subject { id, name } => Event::Subject {
            id: id.clone(),
            name: name.clone(),
            at,
        },
        EnforceCommand::Affiliate { a: x, b, kind } => Event::Affiliated {
            a: x.clone(),
            b: b.clone(),
            kind: parse_enum::<Affiliation>("--kind", kind)?,
            at,
        },
        EnforceCommand::Target {
            id,
            subject,
            kind,
            platform,
        } => Event::Target {
            id: id.clone(),
            kind: parse_enum::<TargetKind>("--kind", kind)?,
            subject: subject.clone(),
            platform: platform.clone(),
            at,
        },
        EnforceCommand::Violation {
            case,
            rule,
            target,
            origin,
            evidence,
        } => Event::Violation {
            case: case.clone(),
            rule: rule.clone(),
            target: target.clone(),
            origin: parse_enum::<Origin>("--origin", origin)?,
            evidence: evidence.clone(),
            at,
        },
        EnforceCommand::Decide {
            case,
            branch,
            steps,
            when,
            length,
            capabilities,
            reason,
            by,
        } => Event::Decision {
            case: case.clone(),
            choice: Choice {
                branch: branch.clone(),
                steps: steps.clone(),
                case: when.clone(),
                length: *length,
                capabilities: capabilities.clone(),
            },
            reason: reason.clone(),
            by: by.clone(),
            at,
        },
        EnforceCommand::Rectify { case, report } => Event::Rectified {
            case: case.clone(),
            report: report.clone(),
            at,
        },
        EnforceCommand::Accept { case } => Event::RectificationReviewed {
            case: case.clone(),
            accepted: true,
            reason: String::new(),
            at,
        },
        EnforceCommand::Reject { case, reason } => Event::RectificationReviewed {
            case: case.clone(),
            accepted: false,
            reason: reason.clone(),
            at,
        },
        EnforceCommand::Appeal { case, reason } => Event::Appealed {
            case: case.clone(),
            reason: reason.clone(),
            at,
        },
        EnforceCommand::ResolveAppeal {
            case,
            overturn,
            uphold,
            reason,
        } => {
            if overturn == uphold {
                return Err(anyhow!("resolve-appeal: give --overturn or --uphold"));
            }
            Event::AppealResolved {
                case: case.clone(),
                overturned: *overturn,
                reason: reason.clone(),
                at,
            }
        }
        EnforceCommand::Withdraw { target, rule } => Event::Withdrawn {
            target: target.clone(),
            rule: rule.clone(),
            at,
        },
        EnforceCommand::Reinstate { target, capability } => Event::Reinstated {
            target: target.clone(),
            capability: capability.clone(),
            at,
        },
        EnforceCommand::Tick { now } => Event::Tick {
            now: time::parse(now).map_err(|e| anyhow!("--now: {e}"))?,
        },
    };
    let payload = serde_json::to_string(&event)?;
    let key = a
        .key
        .clone()
        .unwrap_or_else(|| format!("{}:{}", event.kind(), hash(&payload)));
    if let Some(existing) = log.get_by_key(&key).map_err(|e| anyhow!("{e}"))? {
        let out = json!({ "ok": true, "idempotent": true, "seq": existing.seq, "key": key });
        if a.json {
            println!("{out}");
        } else {
            println!(
                "已记录过（幂等）already recorded as event #{} (key {key}); nothing changed",
                existing.seq
            );
        }
        return Ok(0);
    }
    if let Err(err) = e.check(&event) {
        if a.json {
            println!("{}", json!({ "ok": false, "error": err.to_string() }));
        }
        eprintln!("错误 error: {err}");
        return Ok(1);
    }
    let notices_before = e.notices().len();
    let stored = log
        .append(&[NewEvent {
            key: key.clone(),
            at: time::format(event.at()),
            kind: event.kind().to_string(),
            payload,
        }])
        .map_err(|e| anyhow!("{e}"))?;
    e.apply(&event);
    let seq = stored.first().map_or(0, |s| s.0);
    let new_notices: Vec<Value> = e
        .notices()
        .iter_from(notices_before)
        .map(|n| json!({ "id": n.id, "kind": n.kind, "target": n.target, "case": n.case, "rule": n.rule, "text": n.text, "text_en": n.text_en }))
        .collect();
    let case = match &event {
        Event::Violation { case, .. }
        | Event::Decision { case, .. }
        | Event::Rectified { case, .. }
        | Event::RectificationReviewed { case, .. }
        | Event::Appealed { case, .. }
        | Event::AppealResolved { case, .. } => e
            .case_by_id(case)
            .map(|c| serde_json::to_value(c).unwrap_or(Value::Null)),
        _ => None,
    };
    if a.json {
        println!(
            "{}",
            json!({ "ok": true, "seq": seq, "key": key, "case": case, "notices": new_notices })
        );
    } else {
        println!("已记录 recorded event #{seq} ({})", event.kind());
        for n in &new_notices {
            println!("  通知 notice: {}", n["text"].as_str().unwrap_or(""));
        }
    }
    Ok(0)
}
