//! One tenant: its directory, admins and grants, and the checks over them.
//!
//! Every mutation takes the acting person and is refused (state unchanged)
//! unless a check allows it; every check is a pure function of the state.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bylaw_rulebook::Rulebook;
use serde::{Deserialize, Serialize};

use crate::category::CategoryState;
use crate::check::{fail, rule, Action, Decision, Failure, Resource};
use crate::directory::{DeptIx, Directory, MemberIx};
use crate::error::TenantError;
use crate::roles::{
    AdminGroup, AppRight, Basis, DeviceScope, Rights, ScopeItem, ScopedAdmin, SuperKind,
};

/// Seconds since the Unix epoch (the injected clock of seat operations).
pub type Time = i64;

/// Figures and lists the checks need, read from the rulebook (never
/// constants of this crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Tenants one account may be creator of (`roles.creator`: 5).
    pub creator_tenants: u32,
    /// Seconds after assignment during which a seat may be removed
    /// (`security.seat-removal`: 7 days).
    pub seat_removal_window: Time,
    /// Items payable from the balance (`recharge.payable`).
    pub payable: BTreeSet<String>,
    /// Items never payable from the balance (`recharge.payable.excluded`).
    pub excluded: BTreeSet<String>,
    /// The security advanced features product (`security.*`).
    pub security_product: String,
}

impl Limits {
    /// Reads the limits from the rulebook.
    pub fn from_rulebook(rb: &Rulebook) -> Result<Limits, TenantError> {
        let missing = |what: &str| TenantError::Invalid {
            field: "rulebook".into(),
            zh: format!("规则库缺少 {what}"),
            en: format!("the rulebook lacks {what}"),
        };
        let get = |id: &str| rb.rule(id).ok_or_else(|| missing(id));
        let creator = get(rule::CREATOR)?
            .threshold("creator-tenants-per-wechat-account", None)
            .and_then(|t| t.max)
            .ok_or_else(|| missing("roles.creator creator-tenants-per-wechat-account"))?;
        let window = get(rule::SEAT_REMOVAL)?
            .threshold("removal-window", None)
            .and_then(|t| t.max)
            .ok_or_else(|| missing("security.seat-removal removal-window"))?;
        let list = |id: &str, name: &str| -> Result<BTreeSet<String>, TenantError> {
            Ok(get(id)?
                .list(name)
                .ok_or_else(|| missing(&format!("{id} {name}")))?
                .items
                .iter()
                .cloned()
                .collect())
        };
        Ok(Limits {
            creator_tenants: creator.get() as u32,
            seat_removal_window: (window.get() * 86_400.0) as Time,
            payable: list(rule::PAYABLE, "payable-items")?,
            excluded: list(rule::PAYABLE_EXCLUDED, "excluded-items")?,
            security_product: "安全高级功能".into(),
        })
    }
}

/// Choices the seeds leave open, each configurable (see docs/TENANT.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// The balance default rule names 所有超级管理员 only
    /// (`recharge.spend-permission.default`); the creator holds the highest
    /// authority (`roles.creator`), so by default it is covered too.
    pub creator_spends_by_default: bool,
    /// `roles.scoped-admin.delegate` names directory and app rights only:
    /// by default device rights cannot be delegated.
    pub delegate_devices: bool,
    /// Who may assign and remove seats: the seed says 管理员 without
    /// saying which; by default the creator and super admins.
    pub scoped_admins_assign_seats: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            creator_spends_by_default: true,
            delegate_devices: false,
            scoped_admins_assign_seats: false,
        }
    }
}

/// A super admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuperAdmin {
    /// The person (a member id when internal).
    pub id: String,
    /// Internal or external.
    pub kind: SuperKind,
}

/// A custom balance rule: these members may pay these items from the balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendRule {
    /// Id.
    pub id: String,
    /// Members allowed (允许以下成员).
    pub members: BTreeSet<String>,
    /// Items they may buy (使用余额购买).
    pub items: BTreeSet<String>,
}

/// An assigned advanced-feature seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seat {
    /// The product.
    pub product: String,
    /// The member.
    pub member: String,
    /// When it was assigned.
    pub assigned: Time,
}

/// What changed as a side effect of a command (roles lost, seats freed…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Effects {
    /// Each effect, in Chinese, with its rule.
    pub notes: Vec<(String, &'static str)>,
}

/// One tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Verified (认证).
    pub verified: bool,
    /// Industry (行业), when known; auto-deduction excludes some (`auto-deduct.eligibility`).
    pub industry: Option<String>,
    /// The business category (`business-category.*`).
    pub category: CategoryState,
    dir: Directory,
    creator: String,
    supers: Vec<SuperAdmin>,
    groups: BTreeMap<String, AdminGroup>,
    scoped: BTreeMap<String, ScopedAdmin>,
    apps: BTreeSet<String>,
    devices: BTreeSet<String>,
    business_owners: BTreeSet<String>,
    spend_rules: Vec<SpendRule>,
    seats: Vec<Seat>,
    policy: Policy,
    limits: Limits,
    /// Compiled directory scope of each scoped admin: sorted, disjoint
    /// pre-order intervals.
    compiled: HashMap<String, Vec<(u32, u32)>>,
    /// The same scopes as text for explanations, built with them.
    scope_text: HashMap<String, String>,
}

impl Tenant {
    /// A tenant with its root department and its creator (the registrant,
    /// `roles.creator` a).
    pub fn new(
        id: &str,
        name: &str,
        creator: &str,
        limits: Limits,
        policy: Policy,
    ) -> Result<Tenant, TenantError> {
        if creator.trim().is_empty() {
            return Err(TenantError::Invalid {
                field: "creator".into(),
                zh: "企业必须有且仅有一个创建者".into(),
                en: "a tenant has exactly one creator".into(),
            });
        }
        Ok(Tenant {
            id: id.into(),
            name: name.into(),
            verified: false,
            industry: None,
            category: CategoryState::Unset,
            dir: Directory::new("root", name),
            creator: creator.into(),
            supers: Vec::new(),
            groups: BTreeMap::new(),
            scoped: BTreeMap::new(),
            apps: BTreeSet::new(),
            devices: BTreeSet::new(),
            business_owners: BTreeSet::new(),
            spend_rules: Vec::new(),
            seats: Vec::new(),
            policy,
            limits,
            compiled: HashMap::new(),
            scope_text: HashMap::new(),
        })
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.dir
    }

    /// The creator.
    pub fn creator(&self) -> &str {
        &self.creator
    }

    /// The super admins.
    pub fn super_admins(&self) -> &[SuperAdmin] {
        &self.supers
    }

    /// The scoped admins, by member id.
    pub fn scoped_admins(&self) -> &BTreeMap<String, ScopedAdmin> {
        &self.scoped
    }

    /// The admin groups.
    pub fn groups(&self) -> &BTreeMap<String, AdminGroup> {
        &self.groups
    }

    /// The apps.
    pub fn apps(&self) -> &BTreeSet<String> {
        &self.apps
    }

    /// The devices.
    pub fn devices(&self) -> &BTreeSet<String> {
        &self.devices
    }

    /// Custom balance rules.
    pub fn spend_rules(&self) -> &[SpendRule] {
        &self.spend_rules
    }

    /// Assigned seats.
    pub fn seats(&self) -> &[Seat] {
        &self.seats
    }

    /// Business owners (业务负责人).
    pub fn business_owners(&self) -> &BTreeSet<String> {
        &self.business_owners
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    // ----- roles of an actor -------------------------------------------------

    fn super_kind(&self, actor: &str) -> Option<SuperKind> {
        self.supers.iter().find(|s| s.id == actor).map(|s| s.kind)
    }

    /// The top role of an actor: creator or super admin.
    fn top(&self, actor: &str) -> Option<Basis> {
        if actor == self.creator {
            return Some(Basis::Creator);
        }
        self.super_kind(actor)
            .map(|kind| Basis::SuperAdmin { kind })
    }

    /// The effective rights of a scoped admin: its group's and its own.
    pub fn rights_of(&self, admin: &str) -> Option<Rights> {
        let a = self.scoped.get(admin)?;
        let mut r = a.rights.clone();
        if let Some(g) = a.group.as_ref().and_then(|g| self.groups.get(g)) {
            r.merge(&g.rights);
        }
        Some(r)
    }

    /// A scoped admin's right on one app (own or its group's, the stronger),
    /// without building its whole rights.
    fn app_right(&self, admin: &str, app: &str) -> Option<AppRight> {
        let a = self.scoped.get(admin)?;
        let own = a.rights.apps.get(app).copied();
        let group = a
            .group
            .as_ref()
            .and_then(|g| self.groups.get(g))
            .and_then(|g| g.rights.apps.get(app).copied());
        own.max(group)
    }

    fn scoped_basis(&self, admin: &str) -> Basis {
        match self.scoped.get(admin).and_then(|a| a.group.clone()) {
            Some(group) => Basis::Group { group },
            None => Basis::Grant,
        }
    }

    // ----- compiled scopes ---------------------------------------------------

    /// Recompiles every scoped admin's directory scope into intervals.
    fn recompile(&mut self) {
        let mut out = HashMap::with_capacity(self.scoped.len());
        let mut text = HashMap::with_capacity(self.scoped.len());
        for id in self.scoped.keys() {
            out.insert(id.clone(), self.compile(id));
            text.insert(id.clone(), self.describe_scope(id));
        }
        self.compiled = out;
        self.scope_text = text;
    }

    fn recompile_one(&mut self, id: &str) {
        if self.scoped.contains_key(id) {
            let c = self.compile(id);
            self.compiled.insert(id.to_string(), c);
            let t = self.describe_scope(id);
            self.scope_text.insert(id.to_string(), t);
        } else {
            self.compiled.remove(id);
            self.scope_text.remove(id);
        }
    }

    fn compile(&self, id: &str) -> Vec<(u32, u32)> {
        let Some(r) = self.rights_of(id) else {
            return Vec::new();
        };
        let mut iv: Vec<(u32, u32)> = Vec::new();
        for item in &r.directory {
            match item {
                ScopeItem::Subtree(d) => {
                    if let Ok(d) = self.dir.dept(d) {
                        iv.push(self.dir.interval(d));
                    }
                }
                ScopeItem::OwnDepartments => {
                    if let Ok(m) = self.dir.member(id) {
                        for d in &self.dir.member_rec(m).departments {
                            iv.push(self.dir.interval(*d));
                        }
                    }
                }
            }
        }
        iv.sort_unstable();
        // Nested subtrees collapse into the outer one (intervals of a tree
        // never partially overlap).
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(iv.len());
        for (a, b) in iv {
            match merged.last() {
                Some(&(_, pb)) if a <= pb => {}
                _ => merged.push((a, b)),
            }
        }
        merged
    }

    /// Whether department `d` lies in the compiled scope of `admin`:
    /// a binary search, never a walk of the tree.
    fn in_scope(&self, admin: &str, d: DeptIx) -> bool {
        let Some(iv) = self.compiled.get(admin) else {
            return false;
        };
        let p = self.dir.pre(d);
        let k = iv.partition_point(|(a, _)| *a <= p);
        k > 0 && p <= iv[k - 1].1
    }

    fn member_in_scope(&self, admin: &str, m: MemberIx) -> bool {
        self.dir
            .member_rec(m)
            .departments
            .iter()
            .any(|d| self.in_scope(admin, *d))
    }

    fn scope_names(&self, admin: &str) -> &str {
        self.scope_text.get(admin).map_or("无", String::as_str)
    }

    fn describe_scope(&self, admin: &str) -> String {
        let names: Vec<String> = self
            .rights_of(admin)
            .map(|r| {
                r.directory
                    .iter()
                    .map(|i| match i {
                        ScopeItem::Subtree(d) => self
                            .dir
                            .dept(d)
                            .map(|x| self.dir.path(x))
                            .unwrap_or_else(|_| d.clone()),
                        ScopeItem::OwnDepartments => "本部门及下级".into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            "无".into()
        } else {
            names.join("、")
        }
    }

    // ----- checks ------------------------------------------------------------

    /// Whether `actor` may do `action` on `resource`, with the role or grant
    /// that allows it or every requirement that fails.
    pub fn check(&self, actor: &str, action: Action, resource: &Resource) -> Decision {
        match self.try_check(actor, action, resource) {
            Ok(d) => d,
            Err(e) => Decision::deny(vec![fail(rule::DIRECTORY, e.to_string(), e.to_string())]),
        }
    }

    fn try_check(
        &self,
        actor: &str,
        action: Action,
        resource: &Resource,
    ) -> Result<Decision, TenantError> {
        if !action.applies_to(resource) {
            return Ok(Decision::deny(vec![fail(
                rule::ADMIN_CONDUCT,
                format!("操作 {action} 不适用于 {resource}"),
                format!("{action} does not apply to {resource}"),
            )]));
        }
        // Resolve the resource first: an unknown id is an error, not a deny.
        self.validate(resource)?;
        let top = self.top(actor);
        match action {
            Action::ManageDirectory => Ok(self.directory_check(actor, top, resource)),
            Action::SendMessage => Ok(self.message_check(actor, top, resource)),
            Action::ManageApp => Ok(self.app_check(actor, top, resource, AppRight::Manage)),
            Action::BindDevice | Action::ManageDevice => {
                Ok(self.device_check(actor, top, action, resource))
            }
            Action::ManageAdmins => Ok(match top {
                Some(b) => Decision::allow(
                    b.clone(),
                    rule::SUPER_ADMIN,
                    format!("{}拥有企业最高管理权限，可设置管理员", b.zh()),
                    format!("{} holds the tenant's highest authority and may appoint admins", b.en()),
                ),
                None => Decision::deny(vec![fail(
                    rule::OWN_RIGHTS_ONLY,
                    "只有创建者或超级管理员可以设置管理员；分级管理员只能分配其拥有的部分权限",
                    "only the creator or a super admin appoints admins; scoped admins only delegate what they hold",
                )]),
            }),
            Action::TransferCreator => Ok(if actor == self.creator {
                Decision::allow(
                    Basis::Creator,
                    rule::CREATOR_TRANSFER,
                    "创建者可以转让创建者身份".into(),
                    "the creator may transfer the role".into(),
                )
            } else {
                Decision::deny(vec![fail(
                    rule::CREATOR_TRANSFER,
                    "只有创建者本人可以转让创建者身份",
                    "only the creator transfers the creator role",
                )])
            }),
            Action::SpendBalance => Ok(self.spend_check(actor, top, resource)),
            Action::ManageSpendRules => Ok(match top {
                Some(Basis::SuperAdmin { kind }) => Decision::allow(
                    Basis::SuperAdmin { kind },
                    rule::SPEND_CUSTOM,
                    "所有超级管理员可添加、修改、删除自定义规则".into(),
                    "every super admin may add, edit and delete custom rules".into(),
                ),
                Some(Basis::Creator) if self.policy.creator_spends_by_default => Decision::allow(
                    Basis::Creator,
                    rule::SPEND_CUSTOM,
                    "创建者拥有最高权限（策略：视同超级管理员）".into(),
                    "the creator holds the highest authority (policy: as a super admin)".into(),
                ),
                _ => Decision::deny(vec![fail(
                    rule::SPEND_CUSTOM,
                    "只有超级管理员可以管理余额使用自定义规则",
                    "only super admins manage custom balance rules",
                )]),
            }),
            Action::ManageBalance => Ok(self.super_only(
                top,
                rule::BALANCE_ENTRY,
                ("管理企业余额", "manage the balance"),
                "企业超级管理员可以查看可用余额、充值、资金明细与余额预警",
                "super admins see the balance, top up, read the statement and set low-balance alerts",
            )),
            Action::BuySecurityFeature => Ok(self.super_only(
                top,
                rule::SECURITY_BUY,
                ("购买安全高级功能", "buy security advanced features"),
                "安全高级功能仅支持超级管理员购买，成员、分级管理员暂不支持",
                "only super admins buy security advanced features; members and scoped admins cannot",
            )),
            Action::SelectBusinessCategory => {
                if let Some(b) = top.clone().filter(|b| !matches!(b, Basis::Creator)) {
                    return Ok(Decision::allow(
                        b.clone(),
                        rule::CATEGORY_WHO,
                        format!("{}可以选择经营类目", b.zh()),
                        format!("{} may select the business category", b.en()),
                    ));
                }
                if self.business_owners.contains(actor) {
                    return Ok(Decision::allow(
                        Basis::BusinessOwner,
                        rule::CATEGORY_WHO,
                        "业务负责人可以选择经营类目".into(),
                        "the business owner may select the business category".into(),
                    ));
                }
                if top == Some(Basis::Creator) && self.policy.creator_spends_by_default {
                    return Ok(Decision::allow(
                        Basis::Creator,
                        rule::CATEGORY_WHO,
                        "创建者拥有最高权限（策略：视同超级管理员）".into(),
                        "the creator holds the highest authority (policy: as a super admin)".into(),
                    ));
                }
                Ok(Decision::deny(vec![fail(
                    rule::CATEGORY_WHO,
                    "目前仅超级管理员或业务负责人可以选择经营类目，请联系管理员",
                    "only super admins or the business owner select the business category",
                )]))
            }
            Action::AssignSeat | Action::RemoveSeat => Ok(self.seat_check(actor, top, resource)),
        }
    }

    fn validate(&self, r: &Resource) -> Result<(), TenantError> {
        match r {
            Resource::Department(d) => self.dir.dept(d).map(|_| ()),
            Resource::Member(m) => self.dir.member(m).map(|_| ()),
            Resource::App(a) => self.app(a),
            Resource::Message { app, to } => {
                self.app(app)?;
                self.validate(to)
            }
            Resource::Device(d) => {
                if self.devices.contains(d) {
                    Ok(())
                } else {
                    Err(TenantError::unknown("设备", "device", d))
                }
            }
            Resource::Seat { member, .. } => self.dir.member(member).map(|_| ()),
            Resource::Feature(_) | Resource::Tenant => Ok(()),
        }
    }

    fn app(&self, a: &str) -> Result<(), TenantError> {
        if self.apps.contains(a) {
            Ok(())
        } else {
            Err(TenantError::unknown("应用", "app", a))
        }
    }

    fn super_only(
        &self,
        top: Option<Basis>,
        r: &'static str,
        what: (&str, &str),
        zh: &str,
        en: &str,
    ) -> Decision {
        match top {
            Some(Basis::SuperAdmin { kind }) => Decision::allow(
                Basis::SuperAdmin { kind },
                r,
                format!("超级管理员可以{}", what.0),
                format!("super admins may {}", what.1),
            ),
            Some(Basis::Creator) if self.policy.creator_spends_by_default => Decision::allow(
                Basis::Creator,
                r,
                "创建者拥有最高权限（策略：视同超级管理员）".into(),
                "the creator holds the highest authority (policy: as a super admin)".into(),
            ),
            _ => Decision::deny(vec![fail(r, zh, en)]),
        }
    }

    /// Directory scope: the whole directory for the creator and super
    /// admins, the granted subtrees for a scoped admin.
    fn directory_check(&self, actor: &str, top: Option<Basis>, target: &Resource) -> Decision {
        if let Some(b) = top {
            return Decision::allow(
                b.clone(),
                rule::DIRECTORY,
                format!("{}拥有全局通讯录管理权限", b.zh()),
                format!("{} manages the whole directory", b.en()),
            );
        }
        if !self.scoped.contains_key(actor) {
            return Decision::deny(vec![fail(
                rule::DIRECTORY,
                format!("{actor} 不是管理员，没有通讯录管理权限"),
                format!("{actor} is not an admin and has no directory rights"),
            )]);
        }
        match self.scope_failure(actor, target) {
            None => {
                let b = self.scoped_basis(actor);
                Decision::allow(
                    b.clone(),
                    rule::DIRECTORY,
                    format!(
                        "{target} 在{}的通讯录管理范围（{}）内",
                        b.zh(),
                        self.scope_names(actor)
                    ),
                    format!("{target} is inside the directory scope of {}", b.en()),
                )
            }
            Some(f) => Decision::deny(vec![f]),
        }
    }

    /// `None` when `target` (department or member) is inside the scoped
    /// admin's directory scope; else the failure naming it.
    fn scope_failure(&self, admin: &str, target: &Resource) -> Option<Failure> {
        match target {
            Resource::Department(d) => {
                let d = self.dir.dept(d).ok()?;
                (!self.in_scope(admin, d)).then(|| {
                    fail(
                        rule::DIRECTORY,
                        format!(
                            "部门「{}」不在 {admin} 的通讯录管理范围（{}）内",
                            self.dir.path(d),
                            self.scope_names(admin)
                        ),
                        format!(
                            "department {} is outside the subtrees {admin} manages",
                            self.dir.department(d).id
                        ),
                    )
                })
            }
            Resource::Member(m) => {
                let mi = self.dir.member(m).ok()?;
                (!self.member_in_scope(admin, mi)).then(|| {
                    let depts: Vec<String> = self
                        .dir
                        .member_rec(mi)
                        .departments
                        .iter()
                        .map(|d| self.dir.path(*d))
                        .collect();
                    fail(
                        rule::DIRECTORY,
                        format!(
                            "成员 {m}（{}）不在 {admin} 的通讯录管理范围（{}）内",
                            depts.join("、"),
                            self.scope_names(admin)
                        ),
                        format!("member {m} is outside the subtrees {admin} manages"),
                    )
                })
            }
            _ => None,
        }
    }

    fn app_check(
        &self,
        actor: &str,
        top: Option<Basis>,
        r: &Resource,
        wanted: AppRight,
    ) -> Decision {
        let Resource::App(app) = r else {
            return Decision::deny(vec![]);
        };
        if let Some(b) = top {
            return Decision::allow(
                b.clone(),
                rule::APP,
                format!("{}拥有全部应用的管理权限", b.zh()),
                format!("{} manages every app", b.en()),
            );
        }
        match self.app_failure(actor, app, wanted) {
            None => {
                let b = self.scoped_basis(actor);
                let r = if wanted == AppRight::Send {
                    rule::MANAGE_IMPLIES_SEND
                } else {
                    rule::APP
                };
                Decision::allow(
                    b.clone(),
                    r,
                    format!("{}拥有应用 {app} 的{}", b.zh(), wanted.zh()),
                    format!("{} holds {wanted:?} on app {app}", b.en()),
                )
            }
            Some(f) => Decision::deny(vec![f]),
        }
    }

    fn app_failure(&self, actor: &str, app: &str, wanted: AppRight) -> Option<Failure> {
        let held = self.app_right(actor, app);
        match held {
            Some(h) if h.covers(wanted) => None,
            Some(h) => Some(fail(
                rule::APP,
                format!("{actor} 对应用 {app} 只有{}，缺少{}", h.zh(), wanted.zh()),
                format!("{actor} holds only {h:?} on app {app}, not {wanted:?}"),
            )),
            None => Some(fail(
                rule::APP,
                format!("{actor} 没有应用 {app} 的{}", wanted.zh()),
                format!("{actor} lacks {wanted:?} on app {app}"),
            )),
        }
    }

    /// Messaging needs the app's send right (manage implies it) and the
    /// recipient inside the directory scope (`scoped-messaging`).
    fn message_check(&self, actor: &str, top: Option<Basis>, r: &Resource) -> Decision {
        let (app, to) = match r {
            Resource::Message { app, to } => (app.as_str(), Some(&**to)),
            Resource::App(app) => (app.as_str(), None),
            _ => return Decision::deny(vec![]),
        };
        if let Some(b) = top {
            return Decision::allow(
                b.clone(),
                rule::APP,
                format!("{}拥有全部应用与全局通讯录的权限", b.zh()),
                format!("{} holds every app and the whole directory", b.en()),
            );
        }
        let mut failed = Vec::new();
        if let Some(f) = self.app_failure(actor, app, AppRight::Send) {
            failed.push(f);
        }
        if let Some(to) = to {
            if let Some(mut f) = self.scope_failure(actor, to) {
                f.rule = rule::SCOPED_MESSAGING;
                f.zh = format!("发消息只能在通讯录管理范围内：{}", f.zh);
                f.en = format!("messages stay inside the directory scope: {}", f.en);
                failed.push(f);
            }
        }
        if failed.is_empty() {
            let b = self.scoped_basis(actor);
            Decision::allow(
                b.clone(),
                rule::SCOPED_MESSAGING,
                format!(
                    "{}拥有应用 {app} 的发消息权限，且接收人在其通讯录管理范围内",
                    b.zh()
                ),
                format!(
                    "{} may message from {app} and the recipient is in scope",
                    b.en()
                ),
            )
        } else {
            Decision::deny(failed)
        }
    }

    fn device_check(
        &self,
        actor: &str,
        top: Option<Basis>,
        action: Action,
        r: &Resource,
    ) -> Decision {
        if let Some(b) = top {
            return Decision::allow(
                b.clone(),
                rule::DEVICE,
                format!("{}拥有全部硬件的管理权限", b.zh()),
                format!("{} manages every device", b.en()),
            );
        }
        let rights = self.rights_of(actor).unwrap_or_default();
        let ok = match (action, r) {
            (Action::BindDevice, _) => rights.devices.bind_new,
            (_, Resource::Device(d)) => rights.devices.manage.as_ref().is_some_and(|m| m.covers(d)),
            _ => false,
        };
        if ok {
            let b = self.scoped_basis(actor);
            Decision::allow(
                b.clone(),
                rule::DEVICE,
                format!("{}拥有相应的硬件权限", b.zh()),
                format!("{} holds the device right", b.en()),
            )
        } else if action == Action::BindDevice {
            Decision::deny(vec![fail(
                rule::DEVICE,
                format!("{actor} 没有绑定新硬件设备权限"),
                format!("{actor} may not bind new devices"),
            )])
        } else {
            Decision::deny(vec![fail(
                rule::DEVICE,
                format!("{actor} 没有管理 {r} 的硬件权限"),
                format!("{actor} may not manage {r}"),
            )])
        }
    }

    fn spend_check(&self, actor: &str, top: Option<Basis>, r: &Resource) -> Decision {
        let Resource::Feature(item) = r else {
            return Decision::deny(vec![]);
        };
        if self.limits.excluded.contains(item) {
            return Decision::deny(vec![fail(
                rule::PAYABLE_EXCLUDED,
                format!("「{item}」不支持使用余额购买"),
                format!("{item} cannot be paid from the balance"),
            )]);
        }
        if !self.limits.payable.contains(item) {
            return Decision::deny(vec![fail(
                rule::PAYABLE,
                format!(
                    "「{item}」不在可使用余额购买的项目内（{}）",
                    self.limits
                        .payable
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                format!("{item} is not payable from the balance"),
            )]);
        }
        match top {
            Some(Basis::SuperAdmin { kind }) => {
                return Decision::allow(
                    Basis::SuperAdmin { kind },
                    rule::SPEND_DEFAULT,
                    "默认规则：所有超级管理员可使用余额购买所有高级功能及支付认证费用".into(),
                    "default rule: every super admin may pay every payable item from the balance"
                        .into(),
                )
            }
            Some(Basis::Creator) if self.policy.creator_spends_by_default => {
                return Decision::allow(
                    Basis::Creator,
                    rule::SPEND_DEFAULT,
                    "默认规则覆盖创建者（策略 creator_spends_by_default）".into(),
                    "the default rule covers the creator (policy creator_spends_by_default)".into(),
                )
            }
            _ => {}
        }
        if let Some(sr) = self
            .spend_rules
            .iter()
            .find(|s| s.members.contains(actor) && s.items.contains(item))
        {
            return Decision::allow(
                Basis::SpendRule {
                    rule: sr.id.clone(),
                },
                rule::SPEND_CUSTOM,
                format!("自定义规则「{}」允许 {actor} 使用余额购买「{item}」", sr.id),
                format!(
                    "custom rule {} lets {actor} pay {item} from the balance",
                    sr.id
                ),
            );
        }
        Decision::deny(vec![fail(
            rule::SPEND_CUSTOM,
            format!("{actor} 没有使用余额购买「{item}」的权限（默认规则仅限超级管理员，且无自定义规则允许）"),
            format!("{actor} may not pay {item} from the balance: not a super admin and no custom rule allows it"),
        )])
    }

    fn seat_check(&self, actor: &str, top: Option<Basis>, r: &Resource) -> Decision {
        if let Some(b) = top {
            return Decision::allow(
                b.clone(),
                rule::SEAT_ASSIGN,
                format!("{}可以分配高级功能使用人", b.zh()),
                format!("{} may assign advanced-feature seats", b.en()),
            );
        }
        if self.policy.scoped_admins_assign_seats {
            if let Resource::Seat { member, .. } = r {
                if self.scoped.contains_key(actor)
                    && self
                        .scope_failure(actor, &Resource::Member(member.clone()))
                        .is_none()
                {
                    let b = self.scoped_basis(actor);
                    return Decision::allow(
                        b.clone(),
                        rule::SEAT_ASSIGN,
                        format!(
                            "{}可为其通讯录范围内的成员分配（策略 scoped_admins_assign_seats）",
                            b.zh()
                        ),
                        format!("{} may assign seats in its scope (policy)", b.en()),
                    );
                }
            }
        }
        Decision::deny(vec![fail(
            rule::SEAT_ASSIGN,
            format!("{actor} 不能分配或移除高级功能使用人（仅创建者与超级管理员）"),
            format!("{actor} may not assign or remove seats (creator and super admins only)"),
        )])
    }

    /// Every action `actor` may do on `resource`, each with its decision.
    pub fn allowed_actions(&self, actor: &str, resource: &Resource) -> Vec<(Action, Decision)> {
        Action::ALL
            .into_iter()
            .filter(|a| a.applies_to(resource))
            .map(|a| (a, self.check(actor, a, resource)))
            .filter(|(_, d)| d.allowed)
            .collect()
    }

    /// Everyone who may do `action` on `resource`, with the basis.
    pub fn who_can(&self, action: Action, resource: &Resource) -> Vec<(String, Decision)> {
        let mut people: BTreeSet<&str> = BTreeSet::new();
        people.insert(&self.creator);
        people.extend(self.supers.iter().map(|s| s.id.as_str()));
        people.extend(self.scoped.keys().map(String::as_str));
        people.extend(self.business_owners.iter().map(String::as_str));
        for r in &self.spend_rules {
            people.extend(r.members.iter().map(String::as_str));
        }
        people
            .into_iter()
            .map(|p| (p.to_string(), self.check(p, action, resource)))
            .filter(|(_, d)| d.allowed)
            .collect()
    }

    /// Checks, turning a deny into [`TenantError::Denied`] with the deciding rule.
    pub fn require(
        &self,
        actor: &str,
        action: Action,
        r: &Resource,
    ) -> Result<Decision, TenantError> {
        self.validate(r)?;
        let d = self.check(actor, action, r);
        if d.allowed {
            Ok(d)
        } else {
            Err(TenantError::Denied {
                rule: d.rule.to_string(),
                zh: d.zh,
                en: d.en,
            })
        }
    }

    // ----- directory edits (checked against the actor's scope) -------------

    /// Adds a department under `parent` (the actor must manage `parent`).
    pub fn add_department(
        &mut self,
        actor: &str,
        id: &str,
        name: &str,
        parent: &str,
    ) -> Result<(), TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(parent.into()),
        )?;
        self.dir.add_department(id, name, parent)?;
        self.recompile();
        Ok(())
    }

    /// Renames a department.
    pub fn rename_department(
        &mut self,
        actor: &str,
        id: &str,
        name: &str,
    ) -> Result<(), TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(id.into()),
        )?;
        self.dir.rename_department(id, name)?;
        // Explanations name departments by path.
        self.recompile();
        Ok(())
    }

    /// Moves a department (the actor must manage it and the new parent);
    /// every scope follows in the same call.
    pub fn move_department(
        &mut self,
        actor: &str,
        id: &str,
        parent: &str,
    ) -> Result<(), TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(id.into()),
        )?;
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(parent.into()),
        )?;
        self.dir.move_department(id, parent)?;
        self.recompile();
        Ok(())
    }

    /// Removes an empty department; scopes naming it lose it (reported).
    pub fn remove_department(&mut self, actor: &str, id: &str) -> Result<Effects, TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(id.into()),
        )?;
        self.dir.remove_department(id)?;
        let mut fx = Effects::default();
        let item = ScopeItem::Subtree(id.to_string());
        for (admin, a) in self.scoped.iter_mut() {
            if a.rights.directory.remove(&item) {
                fx.notes.push((
                    format!("{admin} 的通讯录范围移除了已删除的部门 {id}"),
                    rule::DIRECTORY,
                ));
            }
        }
        for (g, grp) in self.groups.iter_mut() {
            if grp.rights.directory.remove(&item) {
                fx.notes.push((
                    format!("管理组 {g} 的通讯录范围移除了已删除的部门 {id}"),
                    rule::GROUP,
                ));
            }
        }
        self.recompile();
        Ok(fx)
    }

    /// Adds a member (the actor must manage every department given).
    pub fn add_member(
        &mut self,
        actor: &str,
        id: &str,
        name: &str,
        departments: &[String],
    ) -> Result<(), TenantError> {
        for d in departments {
            self.require(
                actor,
                Action::ManageDirectory,
                &Resource::Department(d.clone()),
            )?;
        }
        self.dir.add_member(id, name, departments)?;
        Ok(())
    }

    /// Moves a member to other departments (the actor must manage the
    /// member and every new department).
    pub fn set_member_departments(
        &mut self,
        actor: &str,
        id: &str,
        departments: &[String],
    ) -> Result<(), TenantError> {
        self.require(actor, Action::ManageDirectory, &Resource::Member(id.into()))?;
        for d in departments {
            self.require(
                actor,
                Action::ManageDirectory,
                &Resource::Department(d.clone()),
            )?;
        }
        self.dir.set_member_departments(id, departments)?;
        // "Own department and below" scopes follow the admin.
        self.recompile_one(id);
        Ok(())
    }

    /// Removes a member from the directory. An internal super admin loses
    /// the role (`roles.super-admin-internal`), a scoped admin its grants,
    /// its seats are released (`security.seat-release`), and it leaves
    /// balance rules and business ownership.
    pub fn remove_member(&mut self, actor: &str, id: &str) -> Result<Effects, TenantError> {
        self.require(actor, Action::ManageDirectory, &Resource::Member(id.into()))?;
        if id == self.creator {
            return Err(TenantError::Denied {
                rule: rule::CREATOR_TRANSFER.into(),
                zh: "创建者不可以被删除，请先转让创建者身份".into(),
                en: "the creator cannot be deleted; transfer the role first".into(),
            });
        }
        if self.super_kind(id).is_some() && self.top(actor).is_none() {
            return Err(TenantError::Denied {
                rule: rule::OWN_RIGHTS_ONLY.into(),
                zh: format!("{id} 是超级管理员，分级管理员不能将其移出通讯录"),
                en: format!(
                    "{id} is a super admin; a scoped admin cannot remove it from the directory"
                ),
            });
        }
        self.dir.remove_member(id)?;
        let mut fx = Effects::default();
        let before = self.supers.len();
        self.supers
            .retain(|s| !(s.id == id && s.kind == SuperKind::Internal));
        if self.supers.len() != before {
            fx.notes.push((
                format!("{id} 已离开通讯录，其内部超级管理员身份同时删除"),
                rule::SUPER_INTERNAL,
            ));
        }
        if self.scoped.remove(id).is_some() {
            self.compiled.remove(id);
            fx.notes.push((
                format!("{id} 已离开通讯录，其分级管理员权限同时删除"),
                rule::SCOPED,
            ));
        }
        let seats = self.seats.len();
        self.seats.retain(|s| s.member != id);
        if self.seats.len() != seats {
            fx.notes.push((
                format!("{id} 离职，释放其高级功能使用人名额"),
                rule::SEAT_RELEASE,
            ));
        }
        for r in &mut self.spend_rules {
            r.members.remove(id);
        }
        self.business_owners.remove(id);
        self.recompile();
        Ok(fx)
    }

    /// Makes a member head of a department (or not).
    pub fn set_head(
        &mut self,
        actor: &str,
        dept: &str,
        member: &str,
        head: bool,
    ) -> Result<(), TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Department(dept.into()),
        )?;
        self.dir.set_head(dept, member, head)
    }

    /// Tags a member (or removes the tag).
    pub fn tag(
        &mut self,
        actor: &str,
        member: &str,
        tag: &str,
        on: bool,
    ) -> Result<(), TenantError> {
        self.require(
            actor,
            Action::ManageDirectory,
            &Resource::Member(member.into()),
        )?;
        self.dir.tag(member, tag, on)
    }

    /// Registers an app of the tenant.
    pub fn add_app(&mut self, actor: &str, app: &str) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        self.apps.insert(app.into());
        Ok(())
    }

    /// Registers a device (the actor needs the bind-new right).
    pub fn add_device(&mut self, actor: &str, device: &str) -> Result<(), TenantError> {
        self.require(actor, Action::BindDevice, &Resource::Tenant)?;
        self.devices.insert(device.into());
        Ok(())
    }

    // ----- admins ------------------------------------------------------------

    /// Appoints a super admin: internal ones must be members
    /// (`roles.super-admin-internal`), external ones need not
    /// (`roles.super-admin-external`).
    pub fn add_super_admin(
        &mut self,
        actor: &str,
        id: &str,
        kind: SuperKind,
    ) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        if kind == SuperKind::Internal && !self.dir.is_member(id) {
            return Err(TenantError::Denied {
                rule: rule::SUPER_INTERNAL.into(),
                zh: format!("内部超级管理员必须在企业的通讯录内：{id} 不是成员"),
                en: format!("an internal super admin must be a member: {id} is not"),
            });
        }
        if id == self.creator || self.super_kind(id).is_some() {
            return Err(TenantError::Exists(format!("admin {id}")));
        }
        // Creator and super admins belong only to the super admin group.
        if let Some(a) = self.scoped.remove(id) {
            let _ = a;
            self.compiled.remove(id);
        }
        self.supers.push(SuperAdmin {
            id: id.into(),
            kind,
        });
        Ok(())
    }

    /// Removes a super admin (`roles.super-admin.removable`); the creator
    /// cannot be removed (`roles.creator.transfer`).
    pub fn remove_super_admin(&mut self, actor: &str, id: &str) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        if id == self.creator {
            return Err(TenantError::Denied {
                rule: rule::CREATOR_TRANSFER.into(),
                zh: "创建者可以转让但不可以被删除".into(),
                en: "the creator can be transferred but never deleted".into(),
            });
        }
        let before = self.supers.len();
        self.supers.retain(|s| s.id != id);
        if before == self.supers.len() {
            return Err(TenantError::unknown("超级管理员", "super admin", id));
        }
        Ok(())
    }

    /// Creates an admin group with shared directory and app rights.
    pub fn create_group(&mut self, actor: &str, group: AdminGroup) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        if self.groups.contains_key(&group.id) {
            return Err(TenantError::Exists(format!("admin group {}", group.id)));
        }
        self.check_rights_exist(&group.rights)?;
        if !group.rights.devices.is_empty() {
            return Err(TenantError::Invalid {
                field: "rights.devices".into(),
                zh: "管理组聚合的是通讯录权限及应用权限，硬件权限单独授予".into(),
                en: "an admin group shares directory and app rights; devices are granted per admin"
                    .into(),
            });
        }
        self.groups.insert(group.id.clone(), group);
        Ok(())
    }

    /// Appoints a scoped admin (a member), optionally in one admin group
    /// (`roles.admin-group`: one group or none).
    pub fn add_scoped_admin(
        &mut self,
        actor: &str,
        member: &str,
        group: Option<&str>,
    ) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        self.dir.member(member)?;
        if self.top(member).is_some() {
            return Err(TenantError::Denied {
                rule: rule::SUPER_GROUP.into(),
                zh: format!("{member} 是创建者或超级管理员，只能属于超级管理组"),
                en: format!("{member} is the creator or a super admin and belongs only to the super admin group"),
            });
        }
        if let Some(g) = group {
            if !self.groups.contains_key(g) {
                return Err(TenantError::unknown("管理组", "admin group", g));
            }
        }
        let a = self.scoped.entry(member.into()).or_default();
        a.group = group.map(str::to_string);
        self.recompile_one(member);
        Ok(())
    }

    /// Removes a scoped admin.
    pub fn remove_scoped_admin(&mut self, actor: &str, member: &str) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        if self.scoped.remove(member).is_none() {
            return Err(TenantError::unknown("分级管理员", "scoped admin", member));
        }
        self.compiled.remove(member);
        Ok(())
    }

    fn check_rights_exist(&self, r: &Rights) -> Result<(), TenantError> {
        for item in &r.directory {
            if let ScopeItem::Subtree(d) = item {
                self.dir.dept(d)?;
            }
        }
        for app in r.apps.keys() {
            self.app(app)?;
        }
        if let Some(DeviceScope::Listed(ds)) = &r.devices.manage {
            for d in ds {
                if !self.devices.contains(d) {
                    return Err(TenantError::unknown("设备", "device", d));
                }
            }
        }
        Ok(())
    }

    /// What part of `wanted` the grantor does not hold (empty: all held).
    /// The creator and super admins hold everything.
    pub fn missing(&self, grantor: &str, wanted: &Rights) -> Vec<String> {
        if self.top(grantor).is_some() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let Some(held) = self.rights_of(grantor) else {
            out.push(format!("{grantor} 不是管理员 is not an admin"));
            return out;
        };
        for item in &wanted.directory {
            match item {
                ScopeItem::Subtree(d) => {
                    let Ok(di) = self.dir.dept(d) else {
                        out.push(format!("未知部门 unknown department {d}"));
                        continue;
                    };
                    if !self.in_scope(grantor, di) {
                        out.push(format!(
                            "部门「{}」不在你的通讯录管理范围（{}）内 department {d} is outside your scope",
                            self.dir.path(di),
                            self.scope_names(grantor)
                        ));
                    }
                }
                ScopeItem::OwnDepartments => out.push(
                    "「本部门及下级」须由创建者或超级管理员授予 own-department scope is granted by the creator or a super admin"
                        .into(),
                ),
            }
        }
        for (app, r) in &wanted.apps {
            match held.apps.get(app) {
                Some(h) if h.covers(*r) => {}
                Some(h) => out.push(format!(
                    "应用 {app}：你只有{}，不能授予{} app {app}: you hold {h:?}, not {r:?}",
                    h.zh(),
                    r.zh()
                )),
                None => out.push(format!(
                    "应用 {app}：你没有该应用的权限 app {app}: you hold no right on it"
                )),
            }
        }
        if !wanted.devices.is_empty() {
            if !self.policy.delegate_devices {
                out.push(
                    "硬件权限不在可分配的通讯录或应用权限之列 device rights are not delegable (roles.scoped-admin.delegate names directory and app rights)"
                        .into(),
                );
            } else {
                if wanted.devices.bind_new && !held.devices.bind_new {
                    out.push("你没有绑定新硬件设备权限 you may not bind new devices".into());
                }
                match (&wanted.devices.manage, &held.devices.manage) {
                    (None, _) | (Some(_), Some(DeviceScope::All)) => {}
                    (Some(DeviceScope::Listed(w)), Some(DeviceScope::Listed(h))) => {
                        for d in w.difference(h) {
                            out.push(format!("你不能管理设备 {d} you do not manage device {d}"));
                        }
                    }
                    _ => out.push("你没有对应的硬件管理权限 you lack that device right".into()),
                }
            }
        }
        out
    }

    /// Grants rights to a scoped admin. The creator and super admins grant
    /// anything; a scoped admin in an admin group grants part of its own
    /// directory and app rights (`roles.scoped-admin.delegate`), never
    /// more (`roles.scoped-admin.own-rights-only`): a grant that exceeds
    /// the grantor is refused whole, naming every missing part.
    pub fn grant(
        &mut self,
        grantor: &str,
        grantee: &str,
        rights: &Rights,
    ) -> Result<(), TenantError> {
        self.check_rights_exist(rights)?;
        if !self.scoped.contains_key(grantee) {
            return Err(TenantError::unknown("分级管理员", "scoped admin", grantee));
        }
        if self.top(grantor).is_none() {
            let Some(a) = self.scoped.get(grantor) else {
                return Err(TenantError::Denied {
                    rule: rule::DELEGATE.into(),
                    zh: format!("{grantor} 不是管理员，不能分配权限"),
                    en: format!("{grantor} is not an admin and cannot grant"),
                });
            };
            if a.group.is_none() {
                return Err(TenantError::Denied {
                    rule: rule::DELEGATE.into(),
                    zh: "只有存在管理组中的分级管理员可以给分级管理员分配权限".into(),
                    en: "only a scoped admin in an admin group may grant to other scoped admins"
                        .into(),
                });
            }
            if grantor == grantee {
                return Err(TenantError::Denied {
                    rule: rule::OWN_RIGHTS_ONLY.into(),
                    zh: "不能给自己分配权限".into(),
                    en: "an admin cannot grant to itself".into(),
                });
            }
            let missing = self.missing(grantor, rights);
            if !missing.is_empty() {
                return Err(TenantError::Exceeds { missing });
            }
        }
        if let Some(a) = self.scoped.get_mut(grantee) {
            a.rights.merge(rights);
        }
        self.recompile_one(grantee);
        Ok(())
    }

    /// Takes rights back from a scoped admin (same authority as granting).
    pub fn revoke(
        &mut self,
        actor: &str,
        grantee: &str,
        rights: &Rights,
    ) -> Result<(), TenantError> {
        if self.top(actor).is_none() {
            // The same authority as granting: a scoped admin in an admin
            // group, on another admin, over rights it holds itself.
            let in_group = self.scoped.get(actor).is_some_and(|a| a.group.is_some());
            if !in_group || actor == grantee {
                return Err(TenantError::Denied {
                    rule: rule::DELEGATE.into(),
                    zh: "只有存在管理组中的分级管理员可以设置其他分级管理员的权限".into(),
                    en: "only a scoped admin in an admin group sets other scoped admins' rights"
                        .into(),
                });
            }
            let mut missing = self.missing(actor, rights);
            // Taking an app right away takes the grantee's whole right on
            // that app: the actor must hold at least as much.
            if let Some(g) = self.scoped.get(grantee) {
                for app in rights.apps.keys() {
                    if let Some(theirs) = g.rights.apps.get(app) {
                        if !self
                            .app_right(actor, app)
                            .is_some_and(|h| h.covers(*theirs))
                        {
                            missing.push(format!(
                                "应用 {app}：{grantee} 持有{}，超出你的权限 app {app}: {grantee} holds {theirs:?}, more than you",
                                theirs.zh()
                            ));
                        }
                    }
                }
            }
            if !missing.is_empty() {
                return Err(TenantError::Exceeds { missing });
            }
        }
        let a = self
            .scoped
            .get_mut(grantee)
            .ok_or_else(|| TenantError::unknown("分级管理员", "scoped admin", grantee))?;
        for d in &rights.directory {
            a.rights.directory.remove(d);
        }
        for app in rights.apps.keys() {
            a.rights.apps.remove(app);
        }
        if rights.devices.bind_new {
            a.rights.devices.bind_new = false;
        }
        if rights.devices.manage.is_some() {
            a.rights.devices.manage = None;
        }
        self.recompile_one(grantee);
        Ok(())
    }

    /// Hands the creator role to `to` (called by [`crate::Registry`], which
    /// checks the per-account limit).
    pub(crate) fn set_creator(&mut self, to: &str) {
        // The new creator is in the super admin group only.
        self.supers.retain(|s| s.id != to);
        self.scoped.remove(to);
        self.compiled.remove(to);
        self.creator = to.into();
    }

    // ----- balance rights, business owner, seats ----------------------------

    /// Adds or replaces a custom balance rule (super admins only).
    pub fn put_spend_rule(&mut self, actor: &str, r: SpendRule) -> Result<(), TenantError> {
        self.require(actor, Action::ManageSpendRules, &Resource::Tenant)?;
        for item in &r.items {
            if !self.limits.payable.contains(item) {
                return Err(TenantError::Invalid {
                    field: "items".into(),
                    zh: format!("「{item}」不在可使用余额购买的项目内 ({})", rule::PAYABLE),
                    en: format!("{item} is not payable from the balance"),
                });
            }
        }
        for m in &r.members {
            self.dir.member(m)?;
        }
        self.spend_rules.retain(|x| x.id != r.id);
        self.spend_rules.push(r);
        Ok(())
    }

    /// Deletes a custom balance rule (the default rule has no id and cannot be deleted).
    pub fn delete_spend_rule(&mut self, actor: &str, id: &str) -> Result<(), TenantError> {
        self.require(actor, Action::ManageSpendRules, &Resource::Tenant)?;
        let before = self.spend_rules.len();
        self.spend_rules.retain(|x| x.id != id);
        if before == self.spend_rules.len() {
            return Err(TenantError::unknown("自定义规则", "custom rule", id));
        }
        Ok(())
    }

    /// Names a member business owner (业务负责人) or not. The seed does not
    /// define who appoints one; the creator and super admins do here.
    pub fn set_business_owner(
        &mut self,
        actor: &str,
        member: &str,
        on: bool,
    ) -> Result<(), TenantError> {
        self.require(actor, Action::ManageAdmins, &Resource::Tenant)?;
        self.dir.member(member)?;
        if on {
            self.business_owners.insert(member.into());
        } else {
            self.business_owners.remove(member);
        }
        Ok(())
    }

    /// Assigns an advanced-feature seat to a member at `at`.
    pub fn assign_seat(
        &mut self,
        actor: &str,
        product: &str,
        member: &str,
        at: Time,
    ) -> Result<(), TenantError> {
        let r = Resource::Seat {
            product: product.into(),
            member: member.into(),
        };
        self.require(actor, Action::AssignSeat, &r)?;
        if self
            .seats
            .iter()
            .any(|s| s.product == product && s.member == member)
        {
            return Err(TenantError::Exists(format!("seat {product} of {member}")));
        }
        self.seats.push(Seat {
            product: product.into(),
            member: member.into(),
            assigned: at,
        });
        Ok(())
    }

    /// Removes a seat: only before 7 days from the moment of assignment
    /// (`security.seat-removal`).
    pub fn remove_seat(
        &mut self,
        actor: &str,
        product: &str,
        member: &str,
        at: Time,
    ) -> Result<(), TenantError> {
        let r = Resource::Seat {
            product: product.into(),
            member: member.into(),
        };
        self.require(actor, Action::RemoveSeat, &r)?;
        let i = self
            .seats
            .iter()
            .position(|s| s.product == product && s.member == member)
            .ok_or_else(|| {
                TenantError::unknown("高级功能使用人", "seat", &format!("{product}:{member}"))
            })?;
        let until = self.seats[i].assigned + self.limits.seat_removal_window;
        if at >= until {
            return Err(TenantError::Denied {
                rule: rule::SEAT_REMOVAL.into(),
                zh: format!(
                    "超过 {} 天后不支持移除：分配于 {}，须在 {} 之前移除",
                    self.limits.seat_removal_window / 86_400,
                    self.seats[i].assigned,
                    until
                ),
                en: "a seat can be removed only within 7 days of its assignment".into(),
            });
        }
        self.seats.remove(i);
        Ok(())
    }
}
