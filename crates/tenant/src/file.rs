//! Tenant files and commands.
//!
//! A tenant file (TOML or JSON) describes a tenant declaratively: its
//! departments, members, apps, devices, admins, groups, balance rules and
//! seats. Loading it replays it through the same checked API as every
//! other change (as the creator), so a file can never hold a state the
//! rules forbid. Changes are [`Command`]s: applied to a loaded tenant and
//! written back to the file, or appended to the event log of the database
//! and replayed from it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::category::{Catalog, CategoryError, CategoryState};
use crate::check::{Action, Resource};
use crate::error::TenantError;
use crate::registry::Registry;
use crate::roles::{AdminGroup, Rights, ScopedAdmin, SuperKind};
use crate::tenant::{Limits, Policy, Seat, SpendRule, SuperAdmin, Tenant, Time};

/// The header of a tenant file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Id.
    pub id: String,
    /// Name (also the root department's).
    pub name: String,
    /// The creator.
    pub creator: String,
    /// Verified.
    #[serde(default)]
    pub verified: bool,
    /// Industry (行业), e.g. 家校行业; some features exclude industries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// The business category and its review status.
    #[serde(default, skip_serializing_if = "is_unset")]
    pub category: CategoryState,
}

fn is_unset(c: &CategoryState) -> bool {
    *c == CategoryState::Unset
}

/// A department in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeptEntry {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Parent id (`root` for the top level).
    pub parent: String,
}

/// A member in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberEntry {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Departments.
    pub departments: Vec<String>,
    /// Departments it heads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub head_of: Vec<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A scoped admin in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedEntry {
    /// The member.
    pub member: String,
    /// Its admin group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its own rights.
    #[serde(default)]
    pub rights: Rights,
}

/// A whole tenant file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    /// The tenant.
    pub tenant: Header,
    /// Choices the seeds leave open.
    #[serde(default)]
    pub policy: Policy,
    /// Apps.
    #[serde(default)]
    pub apps: BTreeSet<String>,
    /// Devices.
    #[serde(default)]
    pub devices: BTreeSet<String>,
    /// Departments (any order; parents are resolved).
    #[serde(default, rename = "department")]
    pub departments: Vec<DeptEntry>,
    /// Members.
    #[serde(default, rename = "member")]
    pub members: Vec<MemberEntry>,
    /// Super admins.
    #[serde(default, rename = "super_admin")]
    pub super_admins: Vec<SuperAdmin>,
    /// Admin groups.
    #[serde(default, rename = "group")]
    pub groups: Vec<AdminGroup>,
    /// Scoped admins.
    #[serde(default, rename = "scoped_admin")]
    pub scoped_admins: Vec<ScopedEntry>,
    /// Business owners.
    #[serde(default)]
    pub business_owners: BTreeSet<String>,
    /// Custom balance rules.
    #[serde(default, rename = "spend_rule")]
    pub spend_rules: Vec<SpendRule>,
    /// Seats.
    #[serde(default, rename = "seat")]
    pub seats: Vec<Seat>,
}

impl TenantFile {
    /// Reads a file's text: JSON when it starts with `{`, else TOML.
    pub fn parse(text: &str) -> Result<TenantFile, TenantError> {
        let bad = |e: String| TenantError::Invalid {
            field: "file".into(),
            zh: format!("企业文件无法读取：{e}"),
            en: "cannot read the tenant file".into(),
        };
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| bad(e.to_string()))
        } else {
            toml::from_str(text).map_err(|e| bad(e.to_string()))
        }
    }

    /// Builds the tenant through the checked API, acting as the creator.
    pub fn build(&self, limits: Limits) -> Result<Tenant, TenantError> {
        let h = &self.tenant;
        let mut t = Tenant::new(&h.id, &h.name, &h.creator, limits, self.policy.clone())?;
        t.verified = h.verified;
        t.industry = h.industry.clone();
        t.category = h.category.clone();
        let me = h.creator.clone();
        for a in &self.apps {
            t.add_app(&me, a)?;
        }
        for d in &self.devices {
            t.add_device(&me, d)?;
        }
        // Parents first, whatever the order in the file.
        let mut left: Vec<&DeptEntry> = self.departments.iter().collect();
        while !left.is_empty() {
            let before = left.len();
            let mut rest = Vec::new();
            for d in left {
                if t.directory().dept(&d.parent).is_ok() {
                    t.add_department(&me, &d.id, &d.name, &d.parent)?;
                } else {
                    rest.push(d);
                }
            }
            if rest.len() == before {
                let d = rest[0];
                return Err(TenantError::Invalid {
                    field: format!("department.{}.parent", d.id),
                    zh: format!("部门 {} 的上级 {} 不存在（或成环）", d.id, d.parent),
                    en: format!(
                        "department {}: parent {} does not exist (or forms a cycle)",
                        d.id, d.parent
                    ),
                });
            }
            left = rest;
        }
        for m in &self.members {
            t.add_member(&me, &m.id, &m.name, &m.departments)?;
            for d in &m.head_of {
                t.set_head(&me, d, &m.id, true)?;
            }
            for tag in &m.tags {
                t.tag(&me, &m.id, tag, true)?;
            }
        }
        for s in &self.super_admins {
            t.add_super_admin(&me, &s.id, s.kind)?;
        }
        for g in &self.groups {
            t.create_group(&me, g.clone())?;
        }
        for s in &self.scoped_admins {
            t.add_scoped_admin(&me, &s.member, s.group.as_deref())?;
            t.grant(&me, &s.member, &s.rights)?;
        }
        for b in &self.business_owners {
            t.set_business_owner(&me, b, true)?;
        }
        for r in &self.spend_rules {
            t.put_spend_rule(&me, r.clone())?;
        }
        for s in &self.seats {
            t.assign_seat(&me, &s.product, &s.member, s.assigned)?;
        }
        Ok(t)
    }

    /// The file describing `t`.
    pub fn from_tenant(t: &Tenant) -> TenantFile {
        let dir = t.directory();
        let departments = dir
            .departments()
            .filter(|(i, _)| *i != dir.root())
            .map(|(_, d)| DeptEntry {
                id: d.id.clone(),
                name: d.name.clone(),
                parent: d
                    .parent
                    .map(|p| dir.department(p).id.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let members = dir
            .members()
            .map(|(mi, m)| MemberEntry {
                id: m.id.clone(),
                name: m.name.clone(),
                departments: m
                    .departments
                    .iter()
                    .map(|d| dir.department(*d).id.clone())
                    .collect(),
                head_of: dir
                    .departments()
                    .filter(|(_, d)| d.heads.contains(&mi))
                    .map(|(_, d)| d.id.clone())
                    .collect(),
                tags: m.tags.clone(),
            })
            .collect();
        let scoped_admins = t
            .scoped_admins()
            .iter()
            .map(|(m, a): (&String, &ScopedAdmin)| ScopedEntry {
                member: m.clone(),
                group: a.group.clone(),
                rights: a.rights.clone(),
            })
            .collect();
        TenantFile {
            tenant: Header {
                id: t.id.clone(),
                name: t.name.clone(),
                creator: t.creator().to_string(),
                verified: t.verified,
                industry: t.industry.clone(),
                category: t.category.clone(),
            },
            policy: t.policy().clone(),
            apps: t.apps().clone(),
            devices: t.devices().clone(),
            departments,
            members,
            super_admins: t.super_admins().to_vec(),
            groups: t.groups().values().cloned().collect(),
            scoped_admins,
            business_owners: t.business_owners().clone(),
            spend_rules: t.spend_rules().to_vec(),
            seats: t.seats().to_vec(),
        }
    }

    /// The file as TOML.
    pub fn to_toml(&self) -> Result<String, TenantError> {
        toml::to_string_pretty(self).map_err(|e| TenantError::Invalid {
            field: "file".into(),
            zh: format!("无法写出企业文件：{e}"),
            en: format!("cannot write the tenant file: {e}"),
        })
    }
}

/// A change to a tenant, by an actor: what the CLI applies and the
/// database log stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    /// Registers a tenant from a file.
    Import {
        /// The file.
        file: Box<TenantFile>,
    },
    /// Grants rights to a scoped admin.
    Grant {
        /// The tenant.
        tenant: String,
        /// Who grants.
        actor: String,
        /// Who receives.
        grantee: String,
        /// What.
        rights: Rights,
    },
    /// Takes rights back.
    Revoke {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// From whom.
        grantee: String,
        /// What.
        rights: Rights,
    },
    /// Transfers the creator role.
    TransferCreator {
        /// The tenant.
        tenant: String,
        /// The creator.
        actor: String,
        /// The new creator.
        to: String,
    },
    /// Adds a department.
    AddDepartment {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Parent.
        parent: String,
    },
    /// Moves a department.
    MoveDepartment {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The department.
        id: String,
        /// The new parent.
        parent: String,
    },
    /// Removes an empty department.
    RemoveDepartment {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The department.
        id: String,
    },
    /// Adds a member.
    AddMember {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Departments.
        departments: Vec<String>,
    },
    /// Removes a member from the directory.
    RemoveMember {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The member.
        id: String,
    },
    /// Appoints a super admin.
    AddSuperAdmin {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The person.
        id: String,
        /// Internal or external.
        kind: SuperKind,
    },
    /// Removes a super admin.
    RemoveSuperAdmin {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The person.
        id: String,
    },
    /// Appoints a scoped admin.
    AddScopedAdmin {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// The member.
        member: String,
        /// Its admin group.
        group: Option<String>,
    },
    /// Assigns a seat.
    AssignSeat {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// Product.
        product: String,
        /// Member.
        member: String,
        /// When.
        at: Time,
    },
    /// Removes a seat.
    RemoveSeat {
        /// The tenant.
        tenant: String,
        /// Who.
        actor: String,
        /// Product.
        product: String,
        /// Member.
        member: String,
        /// When.
        at: Time,
    },
    /// Adds or replaces a custom balance rule (`recharge.spend-permission.custom`).
    PutSpendRule {
        /// The tenant.
        tenant: String,
        /// Who (a super admin).
        actor: String,
        /// The rule.
        rule: SpendRule,
    },
    /// Deletes a custom balance rule.
    DeleteSpendRule {
        /// The tenant.
        tenant: String,
        /// Who (a super admin).
        actor: String,
        /// The rule's id.
        id: String,
    },
    /// Selects or changes the business category; it goes under review (`business-category.review`).
    SelectCategory {
        /// The tenant.
        tenant: String,
        /// Who (a super admin or the business owner, `business-category.who`).
        actor: String,
        /// The category: id or Chinese name.
        category: String,
    },
    /// The platform approves the category under review.
    ApproveCategory {
        /// The tenant.
        tenant: String,
    },
}

impl Command {
    /// The command's name as logged (`grant`, `add-member`, …).
    pub fn name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("command")?.as_str().map(String::from))
            .unwrap_or_else(|| "change".into())
    }

    /// The tenant it changes.
    pub fn tenant(&self) -> &str {
        match self {
            Command::Import { file } => &file.tenant.id,
            Command::Grant { tenant, .. }
            | Command::Revoke { tenant, .. }
            | Command::TransferCreator { tenant, .. }
            | Command::AddDepartment { tenant, .. }
            | Command::MoveDepartment { tenant, .. }
            | Command::RemoveDepartment { tenant, .. }
            | Command::AddMember { tenant, .. }
            | Command::RemoveMember { tenant, .. }
            | Command::AddSuperAdmin { tenant, .. }
            | Command::RemoveSuperAdmin { tenant, .. }
            | Command::AddScopedAdmin { tenant, .. }
            | Command::AssignSeat { tenant, .. }
            | Command::RemoveSeat { tenant, .. }
            | Command::PutSpendRule { tenant, .. }
            | Command::DeleteSpendRule { tenant, .. }
            | Command::SelectCategory { tenant, .. }
            | Command::ApproveCategory { tenant } => tenant,
        }
    }

    /// Applies the command; on error nothing changes (the tenant is edited
    /// on a copy and swapped in only on success).
    pub fn apply(&self, reg: &mut Registry, limits: &Limits) -> Result<Vec<String>, TenantError> {
        if let Command::Import { file } = self {
            let t = file.build(limits.clone())?;
            reg.insert(t)?;
            return Ok(Vec::new());
        }
        if let Command::TransferCreator { tenant, actor, to } = self {
            reg.transfer_creator(tenant, actor, to)?;
            return Ok(Vec::new());
        }
        let mut t = reg.get(self.tenant())?.clone();
        let mut notes = Vec::new();
        match self {
            Command::Grant {
                actor,
                grantee,
                rights,
                ..
            } => t.grant(actor, grantee, rights)?,
            Command::Revoke {
                actor,
                grantee,
                rights,
                ..
            } => t.revoke(actor, grantee, rights)?,
            Command::AddDepartment {
                actor,
                id,
                name,
                parent,
                ..
            } => t.add_department(actor, id, name, parent)?,
            Command::MoveDepartment {
                actor, id, parent, ..
            } => t.move_department(actor, id, parent)?,
            Command::RemoveDepartment { actor, id, .. } => notes.extend(
                t.remove_department(actor, id)?
                    .notes
                    .into_iter()
                    .map(|(n, r)| format!("{n} [{r}]")),
            ),
            Command::AddMember {
                actor,
                id,
                name,
                departments,
                ..
            } => t.add_member(actor, id, name, departments)?,
            Command::RemoveMember { actor, id, .. } => notes.extend(
                t.remove_member(actor, id)?
                    .notes
                    .into_iter()
                    .map(|(n, r)| format!("{n} [{r}]")),
            ),
            Command::AddSuperAdmin {
                actor, id, kind, ..
            } => t.add_super_admin(actor, id, *kind)?,
            Command::RemoveSuperAdmin { actor, id, .. } => t.remove_super_admin(actor, id)?,
            Command::AddScopedAdmin {
                actor,
                member,
                group,
                ..
            } => t.add_scoped_admin(actor, member, group.as_deref())?,
            Command::AssignSeat {
                actor,
                product,
                member,
                at,
                ..
            } => t.assign_seat(actor, product, member, *at)?,
            Command::RemoveSeat {
                actor,
                product,
                member,
                at,
                ..
            } => t.remove_seat(actor, product, member, *at)?,
            Command::PutSpendRule { actor, rule, .. } => t.put_spend_rule(actor, rule.clone())?,
            Command::DeleteSpendRule { actor, id, .. } => t.delete_spend_rule(actor, id)?,
            Command::SelectCategory {
                actor, category, ..
            } => {
                t.require(actor, Action::SelectBusinessCategory, &Resource::Tenant)?;
                let catalog = Catalog::embedded().map_err(category_error)?;
                let tr = if t.category.category().is_some() {
                    catalog.change(&t.category, category)
                } else {
                    catalog.select(&t.category, category)
                }
                .map_err(category_error)?;
                t.category = tr.state;
                notes.extend(tr.notices.iter().map(|n| n.to_string()));
            }
            Command::ApproveCategory { .. } => {
                t.category = t.category.approve().map_err(category_error)?;
            }
            Command::Import { .. } | Command::TransferCreator { .. } => {}
        }
        *reg.get_mut(self.tenant())? = t;
        Ok(notes)
    }
}

fn category_error(e: CategoryError) -> TenantError {
    TenantError::Invalid {
        field: "category".into(),
        zh: e.to_string(),
        en: e.to_string(),
    }
}
