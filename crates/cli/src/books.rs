//! `bylaw tenant balance`: the prepaid balance, acquisition-assistant usage
//! and auto-deduction, low-balance alerts and the statement, on the
//! database's event log (`--db`, shared with `bylaw enforce`).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use bylaw_tenant::alert::{AlertSettings, Frequency, Recipient};
use bylaw_tenant::books::{BookCommand, Notice, Outcome};
use bylaw_tenant::journal::{Applied, BookEvent, Entry, Journal, Refused};
use bylaw_tenant::ledger::{format_time, statement_csv};
use bylaw_tenant::Fen;
use clap::Subcommand;
use serde_json::json;

use crate::tenant::refused;

/// `bylaw tenant balance` commands.
#[derive(Debug, Subcommand)]
pub enum BalanceCommand {
    /// The balance, the accounts, usage left, auto-deduction and the alert.
    Show,
    /// Top up (super admins; `recharge.entry`, `recharge.sources`).
    TopUp {
        /// Who.
        actor: String,
        /// Yuan, e.g. 1000 or 99.50.
        amount: Fen,
        /// 对公转账/汇款, 微信支付, QQ 钱包支付, 网银支付 or bank-transfer, wechat-pay, qq-wallet, online-banking.
        #[arg(long, default_value = "bank-transfer")]
        method: String,
        /// Idempotency key (default: generated; give one to retry safely).
        #[arg(long)]
        key: Option<String>,
    },
    /// Pay an order from the balance (`recharge.spend-permission.pay`).
    Pay {
        /// Who (needs the spend permission for the item).
        actor: String,
        /// The item, e.g. 获客助手, 外部联系人规模, 安全高级功能.
        item: String,
        /// Yuan.
        amount: Fen,
        /// The order id.
        #[arg(long)]
        order: String,
        /// Purchase details.
        #[arg(long, default_value = "")]
        detail: String,
        /// Idempotency key (default: pay:ORDER).
        #[arg(long)]
        key: Option<String>,
    },
    /// Refund a paid order to the balance, as the platform (`recharge.refund.consumed`).
    Refund {
        /// The platform operator.
        operator: String,
        /// The order.
        order: String,
        /// Yuan.
        amount: Fen,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Idempotency key.
        #[arg(long)]
        key: Option<String>,
    },
    /// Return unconsumed money through customer service (`recharge.refund.unconsumed`).
    RefundUnconsumed {
        /// The customer-service operator.
        operator: String,
        /// Yuan.
        amount: Fen,
        /// Where it goes back to.
        #[arg(long, default_value = "bank-transfer")]
        method: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Idempotency key.
        #[arg(long)]
        key: Option<String>,
    },
    /// Buy acquisition-assistant usage from the balance (valid 90 days; `auto-deduct.quota-validity`).
    BuyUsage {
        /// Who.
        actor: String,
        /// Uses.
        count: u32,
        /// Price of the order, yuan.
        amount: Fen,
        /// The order id.
        #[arg(long)]
        order: String,
        /// Idempotency key (default: usage:ORDER).
        #[arg(long)]
        key: Option<String>,
    },
    /// Turn acquisition-assistant auto-deduction on or off (`recharge.auto-deduct.who`).
    AutoDeduct {
        /// Who.
        actor: String,
        /// on or off.
        state: OnOff,
    },
    /// A customer added a member through an acquisition link: charge it (idempotent on ADD).
    AddCustomer {
        /// The add's id.
        add: String,
    },
    /// Set or change the low-balance alert (`recharge.low-balance-alert.*`).
    Alert {
        /// Who.
        actor: String,
        /// Alert below this many yuan (a whole number, 0 or more).
        #[arg(long)]
        threshold: i64,
        /// member:ID, dept:ID or tag:NAME (repeatable).
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// hourly, daily or weekly.
        #[arg(long, default_value = "daily")]
        frequency: String,
    },
    /// Disable the low-balance alert.
    AlertOff {
        /// Who.
        actor: String,
    },
    /// Let time pass: due low-balance alerts, expired usage.
    Tick,
    /// The statement (资金明细): every movement; CSV with --csv.
    Statement {
        /// From (RFC 3339, inclusive).
        #[arg(long)]
        from: Option<String>,
        /// To (RFC 3339, exclusive).
        #[arg(long)]
        to: Option<String>,
        /// CSV (the seed's columns).
        #[arg(long)]
        csv: bool,
        /// English column names and types.
        #[arg(long)]
        english: bool,
    },
    /// Post many commands from a JSON-lines file (one books command per
    /// line, e.g. {"command":"pay",...}), in durable batches; prints
    /// `ack KEY SERIAL` (or `refused KEY REASON`) per line once stored.
    Post {
        /// The file (- for standard input).
        #[arg(value_name = "FILE")]
        postings: PathBuf,
        /// Commands per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
}

/// On or off.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

fn parse_time(s: &str) -> Result<i64> {
    bylaw_enforce::time::parse(s).map_err(|e| anyhow!("--at/--from/--to `{s}`: {e}"))
}

/// The command's time: `--at`, or now.
fn resolve_at(at: Option<&str>) -> Result<i64> {
    Ok(match at {
        Some(s) => parse_time(s)?,
        None => crate::tenant::now(),
    })
}

fn generated_key(prefix: &str, at: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}:{at}:{}:{nanos}", std::process::id())
}

fn print_notices(notices: &[Notice]) {
    for n in notices {
        match n {
            Notice::LowBalance(a) => println!(
                "  通知 notice → {}: {} [{}]",
                a.recipients.join(","),
                a.zh,
                a.rule
            ),
            Notice::Approval { zh, en, .. } => println!("  通知 notice: {zh} ({en})"),
            Notice::UsageExpired(e) => println!(
                "  通知 notice: 订单 {} 的 {} 次使用量已于 {} 过期 (usage expired unused) [{}]",
                e.order,
                e.unused,
                format_time(e.expires),
                e.rule
            ),
        }
    }
}

fn report(json: bool, r: Result<Applied, Refused>) -> u8 {
    match r {
        Ok(a) => {
            let o: Option<Outcome> = a.outcome;
            if json {
                println!("{}", json!({ "ok": true, "outcome": o, "seq": a.seq }));
            } else if let Some(o) = o {
                println!("{} ({}) [{}]", o.zh, o.en, o.rule);
                print_notices(&o.notices);
            }
            0
        }
        Err(e) => refused(json, &e.to_string()),
    }
}

/// Runs a balance command on the journal for tenant `tid`.
pub fn run(
    j: &mut Journal,
    tid: &str,
    cmd: &BalanceCommand,
    at: Option<&str>,
    json: bool,
) -> Result<u8> {
    let at = resolve_at(at)?;
    let command = match cmd {
        BalanceCommand::Show => return show(j, tid, at, json),
        BalanceCommand::Statement {
            from,
            to,
            csv,
            english,
        } => {
            let from = from.as_deref().map(parse_time).transpose()?;
            let to = to.as_deref().map(parse_time).transpose()?;
            let Some(b) = j.books(tid) else {
                if *csv {
                    print!("{}", statement_csv(&j.rules().ledger, [], *english));
                }
                return Ok(0);
            };
            let rows = b.ledger.statement(from, to);
            if *csv {
                print!("{}", statement_csv(&j.rules().ledger, rows, *english));
            } else if json {
                let v: Vec<_> = rows
                    .map(|m| {
                        json!({
                            "time": format_time(m.at), "type": m.kind, "detail": m.detail,
                            "amount": m.amount, "balance": m.balance_after,
                            "operator": m.operator, "serial_no": m.serial_no(), "key": m.key,
                        })
                    })
                    .collect();
                println!("{}", json!({ "tenant": tid, "movements": v }));
            } else {
                for m in rows {
                    println!("{m}");
                }
            }
            return Ok(0);
        }
        BalanceCommand::Post { postings, batch } => return post(j, tid, postings, *batch),
        BalanceCommand::TopUp {
            actor,
            amount,
            method,
            key,
        } => BookCommand::TopUp {
            key: key.clone().unwrap_or_else(|| generated_key("top-up", at)),
            actor: actor.clone(),
            method: method.clone(),
            amount: *amount,
            at,
        },
        BalanceCommand::Pay {
            actor,
            item,
            amount,
            order,
            detail,
            key,
        } => BookCommand::Pay {
            key: key.clone().unwrap_or_else(|| format!("pay:{order}")),
            actor: actor.clone(),
            order: order.clone(),
            item: item.clone(),
            amount: *amount,
            detail: detail.clone(),
            at,
        },
        BalanceCommand::Refund {
            operator,
            order,
            amount,
            reason,
            key,
        } => BookCommand::Refund {
            key: key.clone().unwrap_or_else(|| generated_key("refund", at)),
            operator: operator.clone(),
            order: order.clone(),
            amount: *amount,
            reason: reason.clone(),
            at,
        },
        BalanceCommand::RefundUnconsumed {
            operator,
            amount,
            method,
            reason,
            key,
        } => BookCommand::RefundUnconsumed {
            key: key
                .clone()
                .unwrap_or_else(|| generated_key("refund-unconsumed", at)),
            operator: operator.clone(),
            method: method.clone(),
            amount: *amount,
            reason: reason.clone(),
            at,
        },
        BalanceCommand::BuyUsage {
            actor,
            count,
            amount,
            order,
            key,
        } => BookCommand::BuyUsage {
            key: key.clone().unwrap_or_else(|| format!("usage:{order}")),
            actor: actor.clone(),
            order: order.clone(),
            count: *count,
            amount: *amount,
            at,
        },
        BalanceCommand::AutoDeduct { actor, state } => BookCommand::SetAutoDeduct {
            actor: actor.clone(),
            on: matches!(state, OnOff::On),
            at,
        },
        BalanceCommand::AddCustomer { add } => BookCommand::AddCustomer {
            add: add.clone(),
            price: None,
            at,
        },
        BalanceCommand::Alert {
            actor,
            threshold,
            to,
            frequency,
        } => BookCommand::SetAlert {
            actor: actor.clone(),
            settings: AlertSettings {
                threshold_yuan: *threshold,
                recipients: to
                    .iter()
                    .map(|r| r.parse::<Recipient>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| anyhow!("--to: {e}"))?,
                frequency: frequency
                    .parse::<Frequency>()
                    .map_err(|e| anyhow!("--frequency: {e}"))?,
            },
            at,
        },
        BalanceCommand::AlertOff { actor } => BookCommand::DisableAlert {
            actor: actor.clone(),
            at,
        },
        BalanceCommand::Tick => BookCommand::Tick { at },
    };
    let r = j.submit_one(Entry::Books(BookEvent {
        tenant: tid.to_string(),
        command,
    }))?;
    Ok(report(json, r))
}

fn show(j: &Journal, tid: &str, at: i64, json: bool) -> Result<u8> {
    let rules = j.rules();
    let Some(b) = j.books(tid) else {
        if json {
            println!("{}", json!({ "tenant": tid, "balance": Fen::ZERO }));
        } else {
            println!("可用余额 balance: {}", Fen::ZERO);
        }
        return Ok(0);
    };
    let accounts: Vec<_> = b
        .ledger
        .accounts()
        .into_iter()
        .map(|(a, f)| (a.name(&rules.ledger), f))
        .collect();
    let auto = b.acquisition.auto_deduct();
    if json {
        println!(
            "{}",
            json!({
                "tenant": tid,
                "balance": b.ledger.balance(),
                "accounts": accounts.iter().map(|(n, f)| json!({ "account": n, "value": f })).collect::<Vec<_>>(),
                "movements": b.ledger.movements().len(),
                "auto_deduct": auto.map(|(w, t)| json!({ "by": w, "since": format_time(t) })),
                "usage_left": b.acquisition.usage_left(at),
                "lots": b.acquisition.lots(),
                "alert": b.alert.settings(),
            })
        );
        return Ok(0);
    }
    println!("可用余额 balance: {}", b.ledger.balance());
    println!("账户 accounts (debits − credits, sum 0):");
    for (n, f) in &accounts {
        println!("  {n}\t{f}");
    }
    match auto {
        Some((w, t)) => println!(
            "获客助手自动扣款 auto-deduction: 已开通 on (by {w}, {})",
            format_time(t)
        ),
        None => println!("获客助手自动扣款 auto-deduction: 未开通 off"),
    }
    println!(
        "已购买使用量剩余 usage left: {}",
        b.acquisition.usage_left(at)
    );
    match b.alert.settings() {
        Some(s) => println!(
            "余额预警 alert: 低于 ¥{} {}提醒 → {:?}",
            s.threshold_yuan,
            s.frequency.zh(),
            s.recipients
        ),
        None => println!("余额预警 alert: 未开启 off"),
    }
    Ok(0)
}

fn post(j: &mut Journal, tid: &str, file: &PathBuf, batch: usize) -> Result<u8> {
    if batch == 0 {
        bail!("--batch: 必须大于 0 (must be positive)");
    }
    let reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(file).with_context(|| file.display().to_string())?,
        ))
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut pending: Vec<(String, Entry)> = Vec::with_capacity(batch);
    let mut refusals = 0u64;
    let flush =
        |j: &mut Journal, pending: &mut Vec<(String, Entry)>, out: &mut dyn Write| -> Result<u64> {
            let entries: Vec<Entry> = pending.iter().map(|(_, e)| e.clone()).collect();
            let results = j.submit(&entries)?;
            let mut refused = 0;
            for ((key, _), r) in pending.iter().zip(results) {
                match r {
                    Ok(a) => {
                        let serial = a
                            .outcome
                            .as_ref()
                            .and_then(|o| o.data.get("serial").and_then(|s| s.as_u64()))
                            .unwrap_or(0);
                        writeln!(out, "ack {key} {serial}")?;
                    }
                    Err(e) => {
                        refused += 1;
                        writeln!(out, "refused {key} {e}")?;
                    }
                }
            }
            out.flush()?;
            pending.clear();
            Ok(refused)
        };
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let command: BookCommand = serde_json::from_str(&line)
            .map_err(|e| anyhow!("{}:{}: {e}", file.display(), n + 1))?;
        let key = command.key().unwrap_or_else(|| format!("line-{}", n + 1));
        pending.push((
            key,
            Entry::Books(BookEvent {
                tenant: tid.to_string(),
                command,
            }),
        ));
        if pending.len() == batch {
            refusals += flush(j, &mut pending, &mut out)?;
        }
    }
    if !pending.is_empty() {
        refusals += flush(j, &mut pending, &mut out)?;
    }
    Ok(u8::from(refusals > 0))
}

/// `bylaw tenant contacts` commands (`wecom-admin/external-contacts.*`).
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Served count, the limit and its rule, the plan; with CUSTOMER, who holds it.
    Show {
        /// A customer.
        customer: Option<String>,
    },
    /// MEMBER adds CUSTOMER as a friend (refused beyond the quota, with the figures).
    AddFriend {
        /// The member.
        member: String,
        /// The customer.
        customer: String,
    },
    /// CUSTOMER joins a tenant GROUP chat.
    JoinGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
    },
    /// MEMBER deletes CUSTOMER (releases the slot only when nobody holds it).
    Delete {
        /// The member.
        member: String,
        /// The customer.
        customer: String,
    },
    /// CUSTOMER deletes MEMBER (releases nothing).
    CustomerDeletes {
        /// The customer.
        customer: String,
        /// The member.
        member: String,
    },
    /// CUSTOMER leaves GROUP.
    LeaveGroup {
        /// The customer.
        customer: String,
        /// The group.
        group: String,
    },
    /// The tenant dissolves GROUP.
    DissolveGroup {
        /// The group.
        group: String,
    },
    /// The price of a tier now: a new plan or an upgrade by the proration formula.
    Quote {
        /// Contacts of the tier, e.g. 20000.
        tier: u64,
    },
    /// Buy or upgrade a plan, paid from the balance.
    BuyPlan {
        /// Who pays.
        actor: String,
        /// Contacts of the tier.
        tier: u64,
        /// The order id.
        #[arg(long)]
        order: String,
        /// Idempotency key (default: plan:ORDER).
        #[arg(long)]
        key: Option<String>,
    },
}

/// Runs a contacts command.
pub fn contacts(
    j: &mut Journal,
    tid: &str,
    cmd: &ContactsCommand,
    at: Option<&str>,
    json: bool,
) -> Result<u8> {
    use bylaw_tenant::contacts::ContactCommand as C;
    let at = resolve_at(at)?;
    let op = match cmd {
        ContactsCommand::Show { customer } => {
            let book = contact_view(j, tid)?;
            let cap = book.capacity(at);
            let holders = customer.as_deref().map(|c| book.holders(c));
            if json {
                println!(
                    "{}",
                    json!({ "count": book.count(), "limit": cap.limit, "rule": cap.rule,
                        "plan": book.active_plan(at), "holders": holders })
                );
            } else {
                println!(
                    "已服务 served: {} / 上限 limit {}  {} ({}) [{}]",
                    book.count(),
                    cap.limit,
                    cap.zh,
                    cap.en,
                    cap.rule
                );
                if let Some(p) = book.active_plan(at) {
                    println!(
                        "规模 plan: {} 位, 生效 {} 至 {}",
                        p.contacts,
                        format_time(p.effective),
                        format_time(p.expires)
                    );
                }
                if let (Some(c), Some((m, g))) = (customer, holders) {
                    println!("{c}: 成员 members {m:?}, 群 groups {g:?}");
                }
            }
            return Ok(0);
        }
        ContactsCommand::Quote { tier } => {
            let book = contact_view(j, tid)?;
            return Ok(match book.quote(*tier, at) {
                Ok(q) => {
                    if json {
                        println!("{}", json!({ "ok": true, "quote": q }));
                    } else {
                        println!("{} ({})", q.zh, q.en);
                    }
                    0
                }
                Err(e) => refused(json, &e.to_string()),
            });
        }
        ContactsCommand::BuyPlan {
            actor,
            tier,
            order,
            key,
        } => BookCommand::BuyPlan {
            key: key.clone().unwrap_or_else(|| format!("plan:{order}")),
            actor: actor.clone(),
            tier: *tier,
            order: order.clone(),
            price: None,
            at,
        },
        ContactsCommand::AddFriend { member, customer } => contact(C::AddFriend {
            member: member.clone(),
            customer: customer.clone(),
            at,
        }),
        ContactsCommand::JoinGroup { customer, group } => contact(C::JoinGroup {
            customer: customer.clone(),
            group: group.clone(),
            at,
        }),
        ContactsCommand::Delete { member, customer } => contact(C::MemberDeletes {
            member: member.clone(),
            customer: customer.clone(),
        }),
        ContactsCommand::CustomerDeletes { customer, member } => {
            contact(C::CustomerDeletesMember {
                customer: customer.clone(),
                member: member.clone(),
            })
        }
        ContactsCommand::LeaveGroup { customer, group } => contact(C::LeaveGroup {
            customer: customer.clone(),
            group: group.clone(),
        }),
        ContactsCommand::DissolveGroup { group } => contact(C::DissolveGroup {
            group: group.clone(),
        }),
    };
    let r = j.submit_one(Entry::Books(BookEvent {
        tenant: tid.to_string(),
        command: op,
    }))?;
    Ok(report(json, r))
}

/// The tenant's contact book as it stands (empty if none yet), with the tenant's verification.
fn contact_view(j: &Journal, tid: &str) -> Result<bylaw_tenant::contacts::ContactBook> {
    let t = j.registry().get(tid).map_err(|e| anyhow!("{e}"))?;
    let mut book = j
        .books(tid)
        .and_then(|b| b.contacts.clone())
        .unwrap_or_else(|| bylaw_tenant::contacts::ContactBook::new(j.rules().quota.clone()));
    book.set_verified(t.verified);
    Ok(book)
}

fn contact(c: bylaw_tenant::contacts::ContactCommand) -> BookCommand {
    BookCommand::Contact { contact: c }
}

/// `bylaw tenant approval` commands (`wecom-admin/approval.*`).
#[derive(Debug, Subcommand)]
pub enum ApprovalCommand {
    /// Add or replace a template from a TOML or JSON file (admins).
    PutTemplate {
        /// Who.
        actor: String,
        /// The template file.
        #[arg(value_name = "TEMPLATE_FILE")]
        template_file: PathBuf,
    },
    /// Submit a form: FORM id, TEMPLATE, the applicant, field values.
    Submit {
        /// The form's id.
        form: String,
        /// The template.
        template: String,
        /// The applicant.
        applicant: String,
        /// Submitted on the applicant's behalf by this member.
        #[arg(long)]
        by: Option<String>,
        /// A field: NAME=TEXT, NAME=NUMBER or NAME=@m1,m2 for members (repeatable).
        #[arg(long = "field")]
        fields: Vec<String>,
        /// Members chosen for an applicant-choice node: NODE=m1,m2 (repeatable).
        #[arg(long = "choose")]
        choices: Vec<String>,
        /// The applicant's department to submit from.
        #[arg(long)]
        department: Option<String>,
    },
    /// Resubmit a rejected or withdrawn form with the same fields.
    Resubmit {
        /// The form.
        form: String,
    },
    /// Approve (审批人).
    Approve {
        /// The form.
        form: String,
        /// Who.
        actor: String,
        /// Opinion.
        #[arg(long)]
        comment: Option<String>,
        /// Signature.
        #[arg(long)]
        signature: Option<String>,
    },
    /// Reject (审批人 only; a handler cannot).
    Reject {
        /// The form.
        form: String,
        /// Who.
        actor: String,
        /// Opinion.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Confirm handling (办理人).
    Confirm {
        /// The form.
        form: String,
        /// Who.
        actor: String,
        /// Handling opinion.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Withdraw (the applicant or submitter).
    Withdraw {
        /// The form.
        form: String,
        /// Who.
        actor: String,
    },
    /// An admin hands a departed member's task to another member.
    HandOver {
        /// The form.
        form: String,
        /// The admin.
        admin: String,
        /// The departed member.
        from: String,
        /// The new assignee.
        to: String,
    },
    /// Add a temporary approver after the current node (加签).
    AddApprover {
        /// The form.
        form: String,
        /// The approver whose turn it is.
        actor: String,
        /// The added approver.
        member: String,
    },
    /// A form: status, nodes, history; or every form with no FORM.
    Show {
        /// The form.
        form: Option<String>,
    },
}

fn field_value(s: &str) -> Result<(String, bylaw_tenant::approval::Value)> {
    use bylaw_tenant::approval::Value;
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("--field {s}: 应写成 NAME=VALUE (expected NAME=VALUE)"))?;
    let value = if let Some(m) = v.strip_prefix('@') {
        Value::Members(m.split(',').map(|x| x.trim().to_string()).collect())
    } else if let Ok(n) = v.parse::<f64>() {
        Value::Number(n)
    } else {
        Value::Text(v.to_string())
    };
    Ok((k.to_string(), value))
}

/// Runs an approval command.
pub fn approval(
    j: &mut Journal,
    tid: &str,
    cmd: &ApprovalCommand,
    at: Option<&str>,
    json: bool,
) -> Result<u8> {
    use bylaw_tenant::approval::{Submission, Template};
    use bylaw_tenant::books::StepKind;
    let at = resolve_at(at)?;
    let step = |form: &str,
                actor: &str,
                step: StepKind,
                comment: &Option<String>,
                signature: &Option<String>| {
        BookCommand::Step {
            instance: form.to_string(),
            actor: actor.to_string(),
            step,
            comment: comment.clone(),
            signature: signature.clone(),
            at,
        }
    };
    let command = match cmd {
        ApprovalCommand::Show { form } => {
            let Some(b) = j.books(tid) else {
                bail!("没有审批单 no forms");
            };
            match form {
                Some(f) => {
                    let inst = b
                        .instances
                        .get(f)
                        .ok_or_else(|| anyhow!("未知的审批单 unknown form `{f}`"))?;
                    if json {
                        println!("{}", serde_json::to_string(inst)?);
                    } else {
                        println!(
                            "{} [{}] 申请人 {} 第 {} 轮 {:?} 待处理 {:?}",
                            inst.id(),
                            inst.template_id(),
                            inst.applicant(),
                            inst.round(),
                            inst.status(),
                            inst.pending()
                        );
                        for e in inst.history() {
                            println!(
                                "  {} {} {:?} {}{}",
                                format_time(e.at),
                                e.actor.as_deref().unwrap_or("系统 system"),
                                e.action,
                                e.comment.as_deref().unwrap_or(""),
                                e.rule
                                    .as_ref()
                                    .map(|r| format!(" [{r}]"))
                                    .unwrap_or_default()
                            );
                        }
                    }
                }
                None => {
                    for (id, inst) in &b.instances {
                        if json {
                            println!(
                                "{}",
                                json!({ "form": id, "status": inst.status(), "pending": inst.pending() })
                            );
                        } else {
                            println!("{id}\t{:?}\t{:?}", inst.status(), inst.pending());
                        }
                    }
                }
            }
            return Ok(0);
        }
        ApprovalCommand::PutTemplate {
            actor,
            template_file: file,
        } => {
            let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
            let t = if file.extension().is_some_and(|e| e == "json") {
                Template::from_json(&text)
            } else {
                Template::from_toml(&text)
            };
            let t = match t {
                Ok(t) => t,
                Err(e) => return Ok(refused(json, &format!("{}: {e}", file.display()))),
            };
            BookCommand::PutTemplate {
                actor: actor.clone(),
                template: Box::new(t),
                at,
            }
        }
        ApprovalCommand::Submit {
            form,
            template,
            applicant,
            by,
            fields,
            choices,
            department,
        } => {
            let mut s = Submission::new(form, applicant);
            s.submitter = by.clone();
            s.department = department.clone();
            for f in fields {
                let (k, v) = field_value(f)?;
                s.form.insert(k, v);
            }
            for c in choices {
                let (n, ms) = c.split_once('=').ok_or_else(|| {
                    anyhow!("--choose {c}: 应写成 NODE=m1,m2 (expected NODE=m1,m2)")
                })?;
                let n: usize = n
                    .parse()
                    .map_err(|_| anyhow!("--choose {c}: NODE 是模板节点序号 (a node index)"))?;
                s.choices
                    .insert(n, ms.split(',').map(|x| x.trim().to_string()).collect());
            }
            BookCommand::Submit {
                template: template.clone(),
                submission: s,
                at,
            }
        }
        ApprovalCommand::Resubmit { form } => {
            let inst = j
                .books(tid)
                .and_then(|b| b.instances.get(form))
                .ok_or_else(|| anyhow!("未知的审批单 unknown form `{form}`"))?;
            let mut s = Submission::new(form, inst.applicant());
            if inst.submitter() != inst.applicant() {
                s.submitter = Some(inst.submitter().to_string());
            }
            s.department = inst.department().map(String::from);
            s.form = inst.form().clone();
            BookCommand::Resubmit { submission: s, at }
        }
        ApprovalCommand::Approve {
            form,
            actor,
            comment,
            signature,
        } => step(form, actor, StepKind::Approve, comment, signature),
        ApprovalCommand::Reject {
            form,
            actor,
            comment,
        } => step(form, actor, StepKind::Reject, comment, &None),
        ApprovalCommand::Confirm {
            form,
            actor,
            comment,
        } => step(form, actor, StepKind::Confirm, comment, &None),
        ApprovalCommand::Withdraw { form, actor } => {
            step(form, actor, StepKind::Withdraw, &None, &None)
        }
        ApprovalCommand::HandOver {
            form,
            admin,
            from,
            to,
        } => BookCommand::HandOver {
            instance: form.clone(),
            admin: admin.clone(),
            from: from.clone(),
            to: to.clone(),
            at,
        },
        ApprovalCommand::AddApprover {
            form,
            actor,
            member,
        } => BookCommand::AddApprover {
            instance: form.clone(),
            actor: actor.clone(),
            member: member.clone(),
            at,
        },
    };
    let r = j.submit_one(Entry::Books(BookEvent {
        tenant: tid.to_string(),
        command,
    }))?;
    Ok(report(json, r))
}
