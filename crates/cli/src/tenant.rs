//! `bylaw tenant`: permission checks that explain themselves, and changes to
//! directory and admins, over a tenant file or the database's event log.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use bylaw_rulebook::Rulebook;
use bylaw_tenant::file::{Command as Change, TenantFile};
use bylaw_tenant::journal::{Entry, Journal};
use bylaw_tenant::{
    Action, AppRight, Decision, DeviceScope, Limits, Registry, Resource, Rights, ScopeItem,
    SpendRule, SuperKind, Tenant,
};
use clap::{Args, Subcommand};

use crate::books::{ApprovalCommand, BalanceCommand, ContactsCommand};
use serde_json::json;

/// Arguments of `bylaw tenant`.
#[derive(Debug, Args)]
pub struct TenantArgs {
    /// A tenant file (TOML or JSON); changes are written back to it.
    #[arg(long, global = true, conflicts_with = "db")]
    pub file: Option<PathBuf>,
    /// The database: tenant changes are events of its append-only log.
    #[arg(long, global = true, env = "BYLAW_DB")]
    pub db: Option<PathBuf>,
    /// The tenant (default: the only one).
    #[arg(long, global = true)]
    pub tenant: Option<String>,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: TenantCommand,
}

/// Rights on the command line.
#[derive(Debug, Args, Clone, Default)]
pub struct RightsArgs {
    /// A department subtree (repeatable).
    #[arg(long = "dept")]
    pub depts: Vec<String>,
    /// The admin's own departments and below.
    #[arg(long)]
    pub own_departments: bool,
    /// An app right, APP=send or APP=manage (repeatable).
    #[arg(long = "app")]
    pub apps: Vec<String>,
    /// The right to bind new devices.
    #[arg(long)]
    pub bind_devices: bool,
    /// Manage devices: `all` or a comma-separated list.
    #[arg(long)]
    pub manage_devices: Option<String>,
}

impl RightsArgs {
    fn rights(&self) -> Result<Rights> {
        let mut r = Rights::default();
        for d in &self.depts {
            r.directory.insert(ScopeItem::Subtree(d.clone()));
        }
        if self.own_departments {
            r.directory.insert(ScopeItem::OwnDepartments);
        }
        for a in &self.apps {
            let (app, right) = a.split_once('=').ok_or_else(|| {
                anyhow!("--app {a}: 应写成 APP=send 或 APP=manage (expected APP=send|manage)")
            })?;
            let right = match right {
                "send" => AppRight::Send,
                "manage" => AppRight::Manage,
                x => bail!("--app {a}: 未知权限 unknown right `{x}` (send|manage)"),
            };
            r.apps.insert(app.to_string(), right);
        }
        r.devices.bind_new = self.bind_devices;
        r.devices.manage = self.manage_devices.as_deref().map(|m| {
            if m == "all" {
                DeviceScope::All
            } else {
                DeviceScope::Listed(m.split(',').map(|s| s.trim().to_string()).collect())
            }
        });
        if r.is_empty() {
            bail!("没有给出任何权限 no rights given (--dept, --own-departments, --app, --bind-devices, --manage-devices)");
        }
        Ok(r)
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// The prepaid balance: top-ups, payments, refunds, acquisition usage
    /// and auto-deduction, low-balance alerts, the statement (needs --db).
    Balance {
        /// The time of the command (RFC 3339; default: now).
        #[arg(long, global = true)]
        at: Option<String>,
        #[command(subcommand)]
        command: BalanceCommand,
    },
    /// The external-contact quota: adds, deletions, groups, plans (needs --db).
    Contacts {
        /// The time of the command (RFC 3339; default: now).
        #[arg(long, global = true)]
        at: Option<String>,
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Approval flows: templates, forms and their steps (needs --db).
    Approval {
        /// The time of the command (RFC 3339; default: now).
        #[arg(long, global = true)]
        at: Option<String>,
        #[command(subcommand)]
        command: ApprovalCommand,
    },
    /// Import a tenant file into the database.
    Import {
        /// The file.
        path: PathBuf,
    },
    /// Print the tenant as a tenant file (TOML).
    Export,
    /// Data-migration eligibility of two tenants and the documents required
    /// (`wecom-admin/migration.*`), from a request file (JSON or TOML).
    Migration {
        /// The request: source, destination, relationship.
        request: PathBuf,
    },
    /// The business-category taxonomy (`wecom-admin/business-category.*`);
    /// with a query, the matching category.
    Categories {
        /// An id or Chinese name to look up.
        query: Option<String>,
    },
    /// Whether ACTOR may do ACTION on RESOURCE: exit 0 allowed, 1 denied.
    ///
    /// RESOURCE: tenant, dept:ID, member:ID, app:ID, message:APP:member:ID,
    /// message:APP:dept:ID, device:ID, feature:名称, seat:产品:成员.
    Check {
        /// Who.
        actor: String,
        /// manage-directory, send-message, manage-app, bind-device,
        /// manage-device, manage-admins, transfer-creator, spend-balance,
        /// manage-spend-rules, buy-security-feature,
        /// select-business-category, assign-seat, remove-seat.
        action: String,
        /// On what.
        resource: String,
    },
    /// Like check, with every role of the actor and every failed requirement.
    Explain {
        /// Who.
        actor: String,
        /// The action.
        action: String,
        /// On what.
        resource: String,
    },
    /// Everyone who may do ACTION on RESOURCE, and on what basis.
    WhoCan {
        /// The action.
        action: String,
        /// On what.
        resource: String,
    },
    /// Everything ACTOR may do on RESOURCE.
    List {
        /// Who.
        actor: String,
        /// On what.
        resource: String,
    },
    /// Grant rights to a scoped admin (a grantor below super admin grants
    /// only part of what it holds).
    Grant {
        /// Who grants.
        actor: String,
        /// Who receives.
        grantee: String,
        #[command(flatten)]
        rights: RightsArgs,
    },
    /// Take rights back from a scoped admin.
    Revoke {
        /// Who.
        actor: String,
        /// From whom.
        grantee: String,
        #[command(flatten)]
        rights: RightsArgs,
    },
    /// Transfer the creator role.
    TransferCreator {
        /// The creator.
        actor: String,
        /// The new creator.
        to: String,
    },
    /// Add a department.
    AddDepartment {
        /// Who.
        actor: String,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Parent id.
        #[arg(long, default_value = "root")]
        parent: String,
    },
    /// Move a department (with its subtree); scopes follow.
    MoveDepartment {
        /// Who.
        actor: String,
        /// The department.
        id: String,
        /// The new parent.
        parent: String,
    },
    /// Remove an empty department.
    RemoveDepartment {
        /// Who.
        actor: String,
        /// The department.
        id: String,
    },
    /// Add a member.
    AddMember {
        /// Who.
        actor: String,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Departments (repeatable).
        #[arg(long = "dept", required = true)]
        depts: Vec<String>,
    },
    /// Remove a member (an internal super admin loses the role, seats are released).
    RemoveMember {
        /// Who.
        actor: String,
        /// The member.
        id: String,
    },
    /// Appoint a super admin.
    AddSuperAdmin {
        /// Who.
        actor: String,
        /// The person.
        id: String,
        /// External (代运营, need not be a member).
        #[arg(long)]
        external: bool,
    },
    /// Remove a super admin.
    RemoveSuperAdmin {
        /// Who.
        actor: String,
        /// The person.
        id: String,
    },
    /// Add or replace a custom balance rule: MEMBERS may pay ITEMS from the
    /// balance (super admins; `recharge.spend-permission.custom`).
    SpendRule {
        /// Who.
        actor: String,
        /// The rule's id.
        id: String,
        /// A member (repeatable).
        #[arg(long = "member", required = true)]
        members: Vec<String>,
        /// An item, e.g. 获客助手 (repeatable).
        #[arg(long = "item", required = true)]
        items: Vec<String>,
    },
    /// Delete a custom balance rule (the default rule cannot be).
    DeleteSpendRule {
        /// Who.
        actor: String,
        /// The rule's id.
        id: String,
    },
    /// Select or change the business category; it goes under the platform's review.
    SelectCategory {
        /// Who (a super admin or the business owner).
        actor: String,
        /// Category id or Chinese name.
        category: String,
    },
    /// The platform approves the category under review.
    ApproveCategory,
    /// Appoint a scoped admin, optionally in an admin group.
    AddScopedAdmin {
        /// Who.
        actor: String,
        /// The member.
        member: String,
        /// Its admin group.
        #[arg(long)]
        group: Option<String>,
    },
}

fn limits(rb: &Rulebook) -> Result<Limits> {
    Limits::from_rulebook(rb).map_err(|e| anyhow!("{e}"))
}

/// Where tenants come from and changes go to.
enum Source {
    File(PathBuf),
    Db(Box<Journal>),
}

fn load(a: &TenantArgs, rb: &Rulebook) -> Result<(Source, Registry)> {
    let limits = limits(rb)?;
    let mut reg = Registry::new();
    if let Some(path) = &a.file {
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let f = TenantFile::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let t = f
            .build(limits)
            .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        reg.insert(t).map_err(|e| anyhow!("{e}"))?;
        return Ok((Source::File(path.clone()), reg));
    }
    let db =
        a.db.clone()
            .ok_or_else(|| anyhow!("需要 --file 或 --db (give --file TENANT.toml or --db DB)"))?;
    let j = Journal::open(&db, rb).map_err(|e| anyhow!("{}: {e}", db.display()))?;
    let reg = j.registry().clone();
    Ok((Source::Db(Box::new(j)), reg))
}

fn pick<'a>(a: &TenantArgs, reg: &'a Registry) -> Result<&'a Tenant> {
    match &a.tenant {
        Some(id) => reg.get(id).map_err(|e| anyhow!("{e}")),
        None => {
            let mut all = reg.tenants();
            match (all.next(), all.next()) {
                (Some(t), None) => Ok(t),
                (None, _) => bail!("没有企业 no tenant: import one first"),
                (Some(_), Some(_)) => {
                    bail!("有多个企业，请用 --tenant 指定 several tenants: give --tenant")
                }
            }
        }
    }
}

fn print_decision(
    actor: &str,
    action: Action,
    r: &Resource,
    d: &Decision,
    json: bool,
    explain: bool,
    t: &Tenant,
) {
    if json {
        println!(
            "{}",
            json!({ "actor": actor, "action": action, "resource": r.to_string(), "decision": d })
        );
        return;
    }
    if d.allowed {
        println!("允许 allow: {actor} {action} {r}");
        println!("  {}", d.zh);
        println!("  {}", d.en);
        println!("  [{}]", d.rule);
    } else {
        println!("拒绝 deny: {actor} {action} {r}");
        for f in &d.failed {
            println!("  - {} [{}]", f.zh, f.rule);
            println!("    {}", f.en);
        }
    }
    if explain {
        let mut roles = Vec::new();
        if t.creator() == actor {
            roles.push("创建者 creator".to_string());
        }
        if let Some(s) = t.super_admins().iter().find(|s| s.id == actor) {
            roles.push(format!("超级管理员 super admin ({:?})", s.kind));
        }
        if let Some(a) = t.scoped_admins().get(actor) {
            roles.push(format!(
                "分级管理员 scoped admin{}",
                a.group
                    .as_ref()
                    .map(|g| format!(", group {g}"))
                    .unwrap_or_default()
            ));
            if let Some(r) = t.rights_of(actor) {
                roles.push(format!(
                    "rights: {}",
                    serde_json::to_string(&r).unwrap_or_default()
                ));
            }
        }
        if t.business_owners().contains(actor) {
            roles.push("业务负责人 business owner".into());
        }
        if roles.is_empty() {
            roles.push(if t.directory().is_member(actor) {
                "成员 member (no admin role)".into()
            } else {
                "不是成员 not a member".into()
            });
        }
        println!("roles of {actor}:");
        for r in roles {
            println!("  {r}");
        }
    }
}

/// Runs a command; returns the exit code (1: denied or refused).
pub fn run(a: TenantArgs, rb: &Rulebook) -> Result<u8> {
    let limits = limits(rb)?;
    if let TenantCommand::Import { path } = &a.command {
        let Some(db) = &a.db else {
            bail!("import 需要 --db (import writes to --db)");
        };
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let f = TenantFile::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let mut j = Journal::open(db, rb).map_err(|e| anyhow!("{}: {e}", db.display()))?;
        let change = Change::Import { file: Box::new(f) };
        let id = change.tenant().to_string();
        if let Err(e) = j.submit_one(Entry::Tenant(change))? {
            eprintln!("拒绝 refused: {e}");
            return Ok(1);
        }
        println!("已导入 imported tenant {id}");
        return Ok(0);
    }
    match &a.command {
        TenantCommand::Migration { request } => return migration(request, a.json),
        TenantCommand::Categories { query } => return categories(query.as_deref(), a.json),
        _ => {}
    }
    let (source, mut reg) = load(&a, rb)?;
    let t = pick(&a, &reg)?;
    let tid = t.id.clone();
    if matches!(
        a.command,
        TenantCommand::Balance { .. }
            | TenantCommand::Contacts { .. }
            | TenantCommand::Approval { .. }
    ) {
        let Source::Db(mut j) = source else {
            bail!("balance/contacts/approval 需要 --db (they live in the database's event log: give --db)");
        };
        return match &a.command {
            TenantCommand::Balance { at, command } => {
                crate::books::run(&mut j, &tid, command, at.as_deref(), a.json)
            }
            TenantCommand::Contacts { at, command } => {
                crate::books::contacts(&mut j, &tid, command, at.as_deref(), a.json)
            }
            TenantCommand::Approval { at, command } => {
                crate::books::approval(&mut j, &tid, command, at.as_deref(), a.json)
            }
            _ => Ok(0),
        };
    }
    let parse = |action: &str, resource: &str| -> Result<(Action, Resource)> {
        Ok((
            action.parse().map_err(|e| anyhow!("{e}"))?,
            resource.parse().map_err(|e| anyhow!("{e}"))?,
        ))
    };
    let change = match &a.command {
        TenantCommand::Import { .. }
        | TenantCommand::Balance { .. }
        | TenantCommand::Contacts { .. }
        | TenantCommand::Approval { .. }
        | TenantCommand::Migration { .. }
        | TenantCommand::Categories { .. } => return Ok(0),
        TenantCommand::Export => {
            let f = TenantFile::from_tenant(t);
            print!("{}", f.to_toml().map_err(|e| anyhow!("{e}"))?);
            return Ok(0);
        }
        TenantCommand::Check {
            actor,
            action,
            resource,
        }
        | TenantCommand::Explain {
            actor,
            action,
            resource,
        } => {
            let (act, r) = parse(action, resource)?;
            let d = t.check(actor, act, &r);
            let explain = matches!(a.command, TenantCommand::Explain { .. });
            print_decision(actor, act, &r, &d, a.json, explain, t);
            return Ok(if d.allowed { 0 } else { 1 });
        }
        TenantCommand::WhoCan { action, resource } => {
            let (act, r) = parse(action, resource)?;
            let who = t.who_can(act, &r);
            if a.json {
                let v: Vec<_> = who
                    .iter()
                    .map(|(p, d)| json!({ "actor": p, "decision": d }))
                    .collect();
                println!(
                    "{}",
                    json!({ "action": act, "resource": r.to_string(), "who": v })
                );
            } else {
                for (p, d) in &who {
                    println!("{p}\t{}\t[{}]", d.zh, d.rule);
                }
            }
            return Ok(0);
        }
        TenantCommand::List { actor, resource } => {
            let r: Resource = resource.parse().map_err(|e| anyhow!("{e}"))?;
            let can = t.allowed_actions(actor, &r);
            if a.json {
                let v: Vec<_> = can
                    .iter()
                    .map(|(x, d)| json!({ "action": x, "decision": d }))
                    .collect();
                println!(
                    "{}",
                    json!({ "actor": actor, "resource": r.to_string(), "allowed": v })
                );
            } else {
                for (x, d) in &can {
                    println!("{x}\t{}\t[{}]", d.zh, d.rule);
                }
            }
            return Ok(0);
        }
        TenantCommand::Grant {
            actor,
            grantee,
            rights,
        } => Change::Grant {
            tenant: tid,
            actor: actor.clone(),
            grantee: grantee.clone(),
            rights: rights.rights()?,
        },
        TenantCommand::Revoke {
            actor,
            grantee,
            rights,
        } => Change::Revoke {
            tenant: tid,
            actor: actor.clone(),
            grantee: grantee.clone(),
            rights: rights.rights()?,
        },
        TenantCommand::TransferCreator { actor, to } => Change::TransferCreator {
            tenant: tid,
            actor: actor.clone(),
            to: to.clone(),
        },
        TenantCommand::AddDepartment {
            actor,
            id,
            name,
            parent,
        } => Change::AddDepartment {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
            name: name.clone(),
            parent: parent.clone(),
        },
        TenantCommand::MoveDepartment { actor, id, parent } => Change::MoveDepartment {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
            parent: parent.clone(),
        },
        TenantCommand::RemoveDepartment { actor, id } => Change::RemoveDepartment {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
        },
        TenantCommand::AddMember {
            actor,
            id,
            name,
            depts,
        } => Change::AddMember {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
            name: name.clone(),
            departments: depts.clone(),
        },
        TenantCommand::RemoveMember { actor, id } => Change::RemoveMember {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
        },
        TenantCommand::AddSuperAdmin {
            actor,
            id,
            external,
        } => Change::AddSuperAdmin {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
            kind: if *external {
                SuperKind::External
            } else {
                SuperKind::Internal
            },
        },
        TenantCommand::RemoveSuperAdmin { actor, id } => Change::RemoveSuperAdmin {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
        },
        TenantCommand::SpendRule {
            actor,
            id,
            members,
            items,
        } => Change::PutSpendRule {
            tenant: tid,
            actor: actor.clone(),
            rule: SpendRule {
                id: id.clone(),
                members: members.iter().cloned().collect(),
                items: items.iter().cloned().collect(),
            },
        },
        TenantCommand::DeleteSpendRule { actor, id } => Change::DeleteSpendRule {
            tenant: tid,
            actor: actor.clone(),
            id: id.clone(),
        },
        TenantCommand::SelectCategory { actor, category } => Change::SelectCategory {
            tenant: tid,
            actor: actor.clone(),
            category: category.clone(),
        },
        TenantCommand::ApproveCategory => Change::ApproveCategory { tenant: tid },
        TenantCommand::AddScopedAdmin {
            actor,
            member,
            group,
        } => Change::AddScopedAdmin {
            tenant: tid,
            actor: actor.clone(),
            member: member.clone(),
            group: group.clone(),
        },
    };
    let notes = match source {
        Source::File(path) => {
            let notes = match change.apply(&mut reg, &limits) {
                Ok(n) => n,
                Err(e) => return Ok(refused(a.json, &e.to_string())),
            };
            let t = reg.get(change.tenant()).map_err(|e| anyhow!("{e}"))?;
            write_atomically(
                &path,
                &TenantFile::from_tenant(t)
                    .to_toml()
                    .map_err(|e| anyhow!("{e}"))?,
            )?;
            notes
        }
        Source::Db(mut j) => match j.submit_one(Entry::Tenant(change))? {
            Ok(applied) => applied.notes,
            Err(e) => return Ok(refused(a.json, &e.to_string())),
        },
    };
    if a.json {
        println!("{}", json!({ "ok": true, "notes": notes }));
    } else {
        println!("完成 done");
        for n in notes {
            println!("  {n}");
        }
    }
    Ok(0)
}

/// Prints a refusal; returns exit code 1.
pub(crate) fn refused(json: bool, e: &str) -> u8 {
    if json {
        println!("{}", json!({ "ok": false, "error": e }));
    } else {
        eprintln!("拒绝 refused: {e}");
    }
    1
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Writes through a temporary file and a rename, so a crash leaves either
/// the old file or the new one.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())?;
    Ok(())
}

fn migration(path: &Path, json: bool) -> Result<u8> {
    use bylaw_tenant::migration::{self, Request};
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let req = if text.trim_start().starts_with('{') {
        Request::from_json(&text)
    } else {
        Request::from_toml(&text)
    }
    .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let e = migration::assess(&req);
    if json {
        println!("{}", serde_json::to_string(&e)?);
    } else {
        println!(
            "{}",
            if e.eligible {
                "可以迁移 eligible"
            } else {
                "不可迁移 not eligible"
            }
        );
        for f in &e.reasons {
            println!("  [{:?}] {} [{}]", f.status, f.zh, f.rule);
        }
        if !e.documents.is_empty() {
            println!("所需材料 documents required:");
            for d in &e.documents {
                println!("  - {} ({}) [{}]", d.zh, d.en, d.rule);
            }
        }
        for n in &e.notices {
            println!("  * {} [{}]", n.zh, n.rule);
        }
    }
    Ok(if e.eligible { 0 } else { 1 })
}

fn categories(query: Option<&str>, json: bool) -> Result<u8> {
    use bylaw_tenant::category::Catalog;
    let c = Catalog::embedded().map_err(|e| anyhow!("{e}"))?;
    let list: Vec<_> = match query {
        Some(q) => vec![c.lookup(q).map_err(|e| anyhow!("{e}"))?],
        None => c.categories().iter().collect(),
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for cat in list {
        let line = if json {
            serde_json::to_string(cat)?
        } else {
            format!("{}\t{}\t{}", cat.id, cat.zh(), cat.en)
        };
        // A closed pipe (`| head`) ends the listing quietly.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(0)
}
