//! Property tests: the optimised tenant core (pre-order intervals, compiled
//! scopes searched by bisection) against a plain reference model written
//! here: departments as parent pointers, members as lists of departments,
//! admin rights as sets, and "is department d within the subtree of r"
//! answered by walking parent pointers from d — no intervals anywhere.
//!
//! Every command goes through the public API of [`Tenant`]; the model
//! predicts whether it succeeds, and after each command the live directory
//! and the admin roster must agree with the model; at checkpoints every
//! `check` of every actor on every resource must agree with it too.
//!
//! Rules exercised: `wecom-admin/roles.directory-rights`,
//! `wecom-admin/roles.scoped-admin.delegate`,
//! `wecom-admin/roles.scoped-admin.own-rights-only`,
//! `wecom-admin/roles.super-admin-internal`,
//! `wecom-admin/roles.app-rights.manage-implies-send`,
//! `wecom-admin/roles.creator`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use bylaw_rulebook::Rulebook;
use bylaw_tenant::{
    Action, AdminGroup, AppRight, DeviceScope, Limits, Policy, Registry, Resource, Rights,
    ScopeItem, SuperKind, Tenant, TenantError,
};
use proptest::collection::vec;
use proptest::prelude::*;

const CREATOR: &str = "boss";
const APPS: [&str; 3] = ["a0", "a1", "a2"];
const DEVICE: &str = "k0";
const GROUPS: [&str; 3] = ["g0", "g1", "g2"];
const EXTERNALS: [&str; 2] = ["x0", "x1"];
/// Member ids are `m0` … `m9` (a left member may come back).
const POOL: usize = 10;
const MAX_DEPTS: usize = 30;

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("the embedded rulebook loads"))
}

/// A tenant with the three apps, one device, and the creator as a member
/// of the root department (so that removing the creator can be tried).
fn new_tenant() -> Tenant {
    let limits = Limits::from_rulebook(rulebook()).expect("limits from the rulebook");
    let mut t = Tenant::new("t1", "公司", CREATOR, limits, Policy::default()).expect("tenant");
    for a in APPS {
        t.add_app(CREATOR, a).expect("app");
    }
    t.add_device(CREATOR, DEVICE).expect("device");
    t.add_member(CREATOR, CREATOR, "创建者", &["root".to_string()])
        .expect("creator as a member");
    t
}

// ----- the reference model ---------------------------------------------------

/// Rights as plain sets. An app right is a set of (app, right) pairs; a
/// manage grant puts both (app, Manage) and (app, Send) in the set
/// (`roles.app-rights.manage-implies-send`), so "holds" is membership.
#[derive(Debug, Clone, Default)]
struct RefRights {
    subtrees: BTreeSet<String>,
    own: bool,
    apps: BTreeSet<(String, AppRight)>,
}

impl RefRights {
    fn of(r: &Rights) -> RefRights {
        let mut out = RefRights::default();
        for item in &r.directory {
            match item {
                ScopeItem::Subtree(d) => {
                    out.subtrees.insert(d.clone());
                }
                ScopeItem::OwnDepartments => out.own = true,
            }
        }
        for (app, right) in &r.apps {
            out.apps.insert((app.clone(), AppRight::Send));
            if *right == AppRight::Manage {
                out.apps.insert((app.clone(), AppRight::Manage));
            }
        }
        out
    }

    fn union(&mut self, o: &RefRights) {
        self.subtrees.extend(o.subtrees.iter().cloned());
        self.own |= o.own;
        self.apps.extend(o.apps.iter().cloned());
    }
}

#[derive(Debug, Clone, Default)]
struct RefAdmin {
    group: Option<String>,
    rights: RefRights,
}

#[derive(Debug, Clone)]
struct Model {
    /// Live departments and their parents.
    parent: BTreeMap<String, Option<String>>,
    /// Removed departments (ids are never reused).
    dead: Vec<String>,
    next_dept: usize,
    /// Live members and their departments.
    members: BTreeMap<String, BTreeSet<String>>,
    supers: BTreeMap<String, SuperKind>,
    groups: BTreeMap<String, RefRights>,
    scoped: BTreeMap<String, RefAdmin>,
}

impl Model {
    fn new() -> Model {
        Model {
            parent: [("root".to_string(), None)].into(),
            dead: Vec::new(),
            next_dept: 0,
            members: [(CREATOR.to_string(), ["root".to_string()].into())].into(),
            supers: BTreeMap::new(),
            groups: BTreeMap::new(),
            scoped: BTreeMap::new(),
        }
    }

    fn live_depts(&self) -> Vec<String> {
        self.parent.keys().cloned().collect()
    }

    fn live_members(&self) -> Vec<String> {
        self.members.keys().cloned().collect()
    }

    /// Whether `d` is `r` or below it: walk parent pointers up from `d`.
    fn within(&self, d: &str, r: &str) -> bool {
        let mut cur = Some(d.to_string());
        while let Some(c) = cur {
            if c == r {
                return true;
            }
            cur = self.parent.get(&c).cloned().flatten();
        }
        false
    }

    /// Creator or super admin (`roles.creator`, `roles.super-admin`).
    fn is_top(&self, a: &str) -> bool {
        a == CREATOR || self.supers.contains_key(a)
    }

    /// A scoped admin's own rights and its group's.
    fn effective(&self, a: &str) -> Option<RefRights> {
        let adm = self.scoped.get(a)?;
        let mut r = adm.rights.clone();
        if let Some(g) = adm.group.as_ref().and_then(|g| self.groups.get(g)) {
            r.union(g);
        }
        Some(r)
    }

    /// The departments whose subtrees a scoped admin manages.
    fn roots(&self, a: &str) -> Vec<String> {
        let Some(r) = self.effective(a) else {
            return Vec::new();
        };
        let mut out: Vec<String> = r
            .subtrees
            .iter()
            .filter(|d| self.parent.contains_key(*d))
            .cloned()
            .collect();
        if r.own {
            if let Some(ds) = self.members.get(a) {
                out.extend(ds.iter().cloned());
            }
        }
        out
    }

    fn dept_in_scope(&self, a: &str, d: &str) -> bool {
        self.parent.contains_key(d) && self.roots(a).iter().any(|r| self.within(d, r))
    }

    fn member_in_scope(&self, a: &str, m: &str) -> bool {
        self.members
            .get(m)
            .is_some_and(|ds| ds.iter().any(|d| self.dept_in_scope(a, d)))
    }

    fn in_scope(&self, a: &str, target: &Resource) -> bool {
        match target {
            Resource::Department(d) => self.dept_in_scope(a, d),
            Resource::Member(m) => self.member_in_scope(a, m),
            _ => false,
        }
    }

    fn holds(&self, a: &str, app: &str, r: AppRight) -> bool {
        self.effective(a)
            .is_some_and(|e| e.apps.contains(&(app.to_string(), r)))
    }

    fn exists(&self, res: &Resource) -> bool {
        match res {
            Resource::Tenant => true,
            Resource::Department(d) => self.parent.contains_key(d),
            Resource::Member(m) => self.members.contains_key(m),
            Resource::App(a) => APPS.contains(&a.as_str()),
            Resource::Message { app, to } => APPS.contains(&app.as_str()) && self.exists(to),
            other => panic!("not modelled: {other}"),
        }
    }

    /// The reference decision (`roles.directory-rights`, `roles.app-rights`,
    /// `roles.directory-rights.scoped-messaging`).
    fn allowed(&self, actor: &str, action: Action, res: &Resource) -> bool {
        if !self.exists(res) {
            return false;
        }
        let top = self.is_top(actor);
        match (action, res) {
            (Action::ManageDirectory, Resource::Department(_) | Resource::Member(_)) => {
                top || self.in_scope(actor, res)
            }
            (Action::SendMessage, Resource::Message { app, to }) => {
                top || (self.holds(actor, app, AppRight::Send) && self.in_scope(actor, to))
            }
            (Action::SendMessage, Resource::App(app)) => {
                top || self.holds(actor, app, AppRight::Send)
            }
            (Action::ManageApp, Resource::App(app)) => {
                top || self.holds(actor, app, AppRight::Manage)
            }
            (Action::ManageAdmins, Resource::Tenant) => top,
            (a, r) => panic!("not modelled: {a} on {r}"),
        }
    }

    fn may_manage_dept(&self, actor: &str, d: &str) -> bool {
        self.allowed(
            actor,
            Action::ManageDirectory,
            &Resource::Department(d.into()),
        )
    }

    /// Parts of `wanted` a grantor does not hold (`roles.scoped-admin.delegate`,
    /// `roles.scoped-admin.own-rights-only`): one per subtree outside its
    /// scope, one per app right it does not hold, one for "own departments"
    /// (it follows the grantee, so no scope of the grantor can contain it:
    /// only the creator or a super admin grants it), one for device rights
    /// (not delegable under the default policy).
    fn missing(&self, grantor: &str, wanted: &Rights) -> usize {
        if self.is_top(grantor) {
            return 0;
        }
        let Some(held) = self.effective(grantor) else {
            return 1;
        };
        let mut n = 0;
        for item in &wanted.directory {
            match item {
                ScopeItem::Subtree(d) => n += usize::from(!self.dept_in_scope(grantor, d)),
                ScopeItem::OwnDepartments => n += 1,
            }
        }
        for (app, r) in &wanted.apps {
            n += usize::from(!held.apps.contains(&(app.clone(), *r)));
        }
        if wanted.devices.bind_new || wanted.devices.manage.is_some() {
            n += 1;
        }
        n
    }

    fn grant_outcome(&self, grantor: &str, grantee: &str, wanted: &Rights) -> Outcome {
        // Every id in `wanted` exists by construction.
        if !self.scoped.contains_key(grantee) {
            return Outcome::Refused;
        }
        if !self.is_top(grantor) {
            let Some(a) = self.scoped.get(grantor) else {
                return Outcome::Denied;
            };
            if a.group.is_none() || grantor == grantee {
                return Outcome::Denied;
            }
            let n = self.missing(grantor, wanted);
            if n > 0 {
                return Outcome::Exceeds(n);
            }
        }
        Outcome::Ok
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Denied,
    Exceeds(usize),
    Refused,
}

fn classify(r: &Result<(), TenantError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Ok,
        Err(TenantError::Denied { .. }) => Outcome::Denied,
        Err(TenantError::Exceeds { missing }) => Outcome::Exceeds(missing.len()),
        Err(_) => Outcome::Refused,
    }
}

// ----- operations ------------------------------------------------------------

/// A selector, resolved modulo the length of a list known only at run time.
type Sel = usize;

fn pick<T: Clone>(items: &[T], s: Sel) -> Option<T> {
    (!items.is_empty()).then(|| items[s % items.len()].clone())
}

#[derive(Debug, Clone, Copy)]
enum Who {
    Creator,
    Member(usize),
    External(usize),
}

impl Who {
    fn id(self) -> String {
        match self {
            Who::Creator => CREATOR.to_string(),
            Who::Member(i) => format!("m{}", i % POOL),
            Who::External(i) => EXTERNALS[i % EXTERNALS.len()].to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum GroupSel {
    None,
    /// One of the groups that exist.
    Existing(Sel),
    /// A group id that may or may not exist.
    Named(usize),
}

/// Whom an admin operation targets.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// One of those the operation is about (scoped admins to grant to or
    /// remove, super admins to remove).
    Existing(Sel),
    /// Anyone (often refused).
    Id(Who),
}

impl Target {
    fn resolve(self, existing: Vec<String>) -> Option<String> {
        match self {
            Target::Existing(s) => pick(&existing, s),
            Target::Id(w) => Some(w.id()),
        }
    }
}

#[derive(Debug, Clone)]
struct RightsSpec {
    depts: Vec<Sel>,
    own: bool,
    apps: Vec<(usize, bool)>,
    /// 0 none, 1 bind new, 2 manage listed, 3 manage all.
    devices: u8,
}

#[derive(Debug, Clone)]
enum Op {
    AddDept {
        by: Who,
        parent: Sel,
        dup: bool,
    },
    /// A move under a non-descendant, or (`under_descendant`) an invalid one.
    MoveDept {
        by: Who,
        dept: Sel,
        parent: Sel,
        under_descendant: bool,
    },
    /// Removes a department: an empty leaf if there is one and `empty_leaf`.
    RemoveDept {
        by: Who,
        dept: Sel,
        empty_leaf: bool,
    },
    AddMember {
        by: Who,
        id: usize,
        depts: Vec<Sel>,
    },
    SetMemberDepts {
        by: Who,
        member: Sel,
        depts: Vec<Sel>,
    },
    RemoveMember {
        by: Who,
        member: Sel,
    },
    AddGroup {
        by: Who,
        id: usize,
        rights: RightsSpec,
    },
    AddScoped {
        by: Who,
        member: Who,
        group: GroupSel,
    },
    Grant {
        by: Who,
        grantee: Target,
        rights: RightsSpec,
    },
    AddSuper {
        by: Who,
        who: Who,
        internal: bool,
    },
    RemoveSuper {
        by: Who,
        who: Target,
    },
    RemoveScoped {
        by: Who,
        who: Target,
    },
}

fn sel() -> impl Strategy<Value = Sel> {
    0usize..1024
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => Just(Who::Creator),
        4 => (0..POOL).prop_map(Who::Member),
        1 => (0..EXTERNALS.len()).prop_map(Who::External),
    ]
}

/// Admin operations are mostly done by the creator; sometimes by anyone
/// (then only a creator or super admin may: `roles.creator`).
fn admin_actor() -> impl Strategy<Value = Who> {
    prop_oneof![6 => Just(Who::Creator), 1 => who()]
}

fn devices() -> impl Strategy<Value = u8> {
    prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)]
}

fn rights_spec(with_devices: bool) -> impl Strategy<Value = RightsSpec> {
    let devices = if with_devices {
        devices().boxed()
    } else {
        Just(0u8).boxed()
    };
    (
        vec(sel(), 0..3),
        prop::bool::weighted(0.2),
        vec((0..APPS.len(), any::<bool>()), 0..3),
        devices,
    )
        .prop_map(|(depts, own, apps, devices)| RightsSpec {
            depts,
            own,
            apps,
            devices,
        })
}

fn group_sel() -> impl Strategy<Value = GroupSel> {
    prop_oneof![
        2 => Just(GroupSel::None),
        3 => sel().prop_map(GroupSel::Existing),
        1 => (0..GROUPS.len()).prop_map(GroupSel::Named),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![4 => sel().prop_map(Target::Existing), 1 => who().prop_map(Target::Id)]
}

/// Who edits the directory: the creator, the setup's scoped admins
/// (`m0`…`m3`), anyone.
fn editor() -> impl Strategy<Value = Who> {
    prop_oneof![
        3 => Just(Who::Creator),
        3 => (0..4usize).prop_map(Who::Member),
        2 => who(),
    ]
}

/// One random command: directory edits by anyone (refused outside the
/// actor's scope), admin operations mostly by the creator.
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (editor(), sel(), prop::bool::weighted(0.1))
            .prop_map(|(by, parent, dup)| Op::AddDept { by, parent, dup }),
        4 => (editor(), sel(), sel(), prop::bool::weighted(0.25)).prop_map(
            |(by, dept, parent, under_descendant)| Op::MoveDept {
                by,
                dept,
                parent,
                under_descendant,
            }
        ),
        2 => (editor(), sel(), prop::bool::weighted(0.8))
            .prop_map(|(by, dept, empty_leaf)| Op::RemoveDept { by, dept, empty_leaf }),
        2 => (editor(), 0..POOL, vec(sel(), 1..=3))
            .prop_map(|(by, id, depts)| Op::AddMember { by, id, depts }),
        2 => (editor(), sel(), vec(sel(), 1..=3))
            .prop_map(|(by, member, depts)| Op::SetMemberDepts { by, member, depts }),
        1 => (editor(), sel()).prop_map(|(by, member)| Op::RemoveMember { by, member }),
        1 => (admin_actor(), 0..GROUPS.len(), rights_spec(true))
            .prop_map(|(by, id, rights)| Op::AddGroup { by, id, rights }),
        2 => (admin_actor(), who(), group_sel())
            .prop_map(|(by, member, group)| Op::AddScoped { by, member, group }),
        3 => (who(), target(), rights_spec(true))
            .prop_map(|(by, grantee, rights)| Op::Grant { by, grantee, rights }),
        1 => (admin_actor(), who(), any::<bool>())
            .prop_map(|(by, who, internal)| Op::AddSuper { by, who, internal }),
        1 => (admin_actor(), target()).prop_map(|(by, who)| Op::RemoveSuper { by, who }),
        1 => (admin_actor(), target()).prop_map(|(by, who)| Op::RemoveScoped { by, who }),
    ]
}

/// A starting state built by the creator in at most 20 commands: a few
/// departments, members `m0…`, groups `g0…` (always at least one), scoped
/// admins `m0…` (the first always in a group) each with a grant of its own.
fn setup() -> impl Strategy<Value = Vec<Op>> {
    (
        vec(sel(), 2..7),
        vec(vec(sel(), 1..=3), 4..7),
        vec(rights_spec(false), 1..3),
        vec((prop::option::of(sel()), rights_spec(false)), 2..4),
    )
        .prop_map(|(depts, members, groups, admins)| {
            let mut ops = Vec::new();
            for parent in depts {
                ops.push(Op::AddDept {
                    by: Who::Creator,
                    parent,
                    dup: false,
                });
            }
            for (id, depts) in members.into_iter().enumerate() {
                ops.push(Op::AddMember {
                    by: Who::Creator,
                    id,
                    depts,
                });
            }
            for (id, rights) in groups.into_iter().enumerate() {
                ops.push(Op::AddGroup {
                    by: Who::Creator,
                    id,
                    rights,
                });
            }
            for (i, (g, rights)) in admins.into_iter().enumerate() {
                let group = match (i, g) {
                    (0, g) => GroupSel::Existing(g.unwrap_or(0)),
                    (_, Some(g)) => GroupSel::Existing(g),
                    (_, None) => GroupSel::None,
                };
                ops.push(Op::AddScoped {
                    by: Who::Creator,
                    member: Who::Member(i),
                    group,
                });
                ops.push(Op::Grant {
                    by: Who::Creator,
                    grantee: Target::Id(Who::Member(i)),
                    rights,
                });
            }
            ops
        })
}

fn resolve_rights(m: &Model, s: &RightsSpec) -> Rights {
    let depts = m.live_depts();
    let mut r = Rights::default();
    for d in &s.depts {
        if let Some(d) = pick(&depts, *d) {
            r.directory.insert(ScopeItem::Subtree(d));
        }
    }
    if s.own {
        r.directory.insert(ScopeItem::OwnDepartments);
    }
    for (a, manage) in &s.apps {
        let right = if *manage {
            AppRight::Manage
        } else {
            AppRight::Send
        };
        r.apps.insert(APPS[a % APPS.len()].to_string(), right);
    }
    set_devices(&mut r, s.devices);
    r
}

fn set_devices(r: &mut Rights, devices: u8) {
    match devices {
        1 => r.devices.bind_new = true,
        2 => r.devices.manage = Some(DeviceScope::Listed([DEVICE.to_string()].into())),
        3 => r.devices.manage = Some(DeviceScope::All),
        _ => {}
    }
}

fn resolve_depts(m: &Model, sels: &[Sel]) -> Vec<String> {
    let depts = m.live_depts();
    sels.iter().filter_map(|s| pick(&depts, *s)).collect()
}

/// Everything observable about the tenant's state except the compiled
/// scopes (a hash map): refused commands must leave it unchanged.
fn snapshot(t: &Tenant) -> String {
    let dir = t.directory();
    let depts: Vec<String> = dir
        .departments()
        .map(|(i, d)| format!("{i}:{d:?}"))
        .collect();
    let members: Vec<String> = dir.members().map(|(i, m)| format!("{i}:{m:?}")).collect();
    format!(
        "{depts:?}\n{members:?}\ngeneration {}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
        dir.generation(),
        t.super_admins(),
        t.scoped_admins(),
        t.groups(),
        t.apps(),
        t.creator()
    )
}

/// The live directory and the roster agree with the model; the creator
/// exists exactly once (`roles.creator`).
fn check_structure(t: &Tenant, m: &Model) -> Result<(), TestCaseError> {
    let dir = t.directory();
    let depts: BTreeMap<String, Option<String>> = dir
        .departments()
        .map(|(_, d)| (d.id.clone(), d.parent.map(|p| dir.department(p).id.clone())))
        .collect();
    prop_assert_eq!(&depts, &m.parent);
    let members: BTreeMap<String, BTreeSet<String>> = dir
        .members()
        .map(|(_, r)| {
            let ds = r
                .departments
                .iter()
                .map(|d| dir.department(*d).id.clone())
                .collect();
            (r.id.clone(), ds)
        })
        .collect();
    prop_assert_eq!(&members, &m.members);
    let supers: BTreeMap<String, SuperKind> = t
        .super_admins()
        .iter()
        .map(|s| (s.id.clone(), s.kind))
        .collect();
    prop_assert_eq!(
        supers.len(),
        t.super_admins().len(),
        "a super admin listed twice"
    );
    prop_assert_eq!(&supers, &m.supers);
    let scoped: BTreeMap<String, Option<String>> = t
        .scoped_admins()
        .iter()
        .map(|(k, a)| (k.clone(), a.group.clone()))
        .collect();
    let want: BTreeMap<String, Option<String>> = m
        .scoped
        .iter()
        .map(|(k, a)| (k.clone(), a.group.clone()))
        .collect();
    prop_assert_eq!(scoped, want);
    let groups: Vec<&String> = t.groups().keys().collect();
    let want: Vec<&String> = m.groups.keys().collect();
    prop_assert_eq!(groups, want);
    // roles.creator: exactly one creator, never also a super admin.
    prop_assert_eq!(t.creator(), CREATOR);
    prop_assert!(!supers.contains_key(CREATOR));
    Ok(())
}

/// Runs one command on the tenant and the model: the model predicts
/// success; a refused command changes nothing.
fn run_op(t: &mut Tenant, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let before = snapshot(t);
    let md = Action::ManageDirectory;
    let mut exact = false;
    let (expected, result): (Outcome, Result<(), TenantError>) = match op {
        Op::AddDept { by, parent, dup } => {
            if !dup && m.parent.len() >= MAX_DEPTS {
                return Ok(());
            }
            let actor = by.id();
            let p = pick(&m.live_depts(), *parent).expect("root is live");
            let id = if *dup {
                p.clone()
            } else {
                format!("d{}", m.next_dept)
            };
            let ok = !dup && m.may_manage_dept(&actor, &p);
            let r = t.add_department(&actor, &id, &format!("部门{id}"), &p);
            if ok {
                m.parent.insert(id, Some(p));
                m.next_dept += 1;
            }
            (ok.into(), r)
        }
        Op::MoveDept {
            by,
            dept,
            parent,
            under_descendant,
        } => {
            let actor = by.id();
            let depts = m.live_depts();
            let d = pick(&depts, *dept).expect("root is live");
            let (below, elsewhere): (Vec<String>, Vec<String>) =
                depts.iter().cloned().partition(|x| m.within(x, &d));
            let p = if *under_descendant {
                pick(&below, *parent).expect("d is below itself")
            } else {
                match pick(&elsewhere, *parent) {
                    Some(p) => p,
                    None => return Ok(()), // d is the root
                }
            };
            let ok = m.may_manage_dept(&actor, &d)
                && m.may_manage_dept(&actor, &p)
                && d != "root"
                && !m.within(&p, &d);
            if *under_descendant {
                // roles.directory-rights: no cycles; the refused move changes no check.
                prop_assert!(!ok);
                let qs = queries(m);
                let before = answers(t, &qs);
                let r = t.move_department(&actor, &d, &p);
                prop_assert!(
                    r.is_err(),
                    "moving {} under its descendant {} was accepted",
                    d,
                    p
                );
                prop_assert_eq!(&answers(t, &qs), &before, "a refused move changed a check");
                (Outcome::Refused, r)
            } else {
                let r = t.move_department(&actor, &d, &p);
                if ok {
                    m.parent.insert(d, Some(p));
                }
                (ok.into(), r)
            }
        }
        Op::RemoveDept {
            by,
            dept,
            empty_leaf,
        } => {
            let actor = by.id();
            let has_child = |d: &String| m.parent.values().any(|p| p.as_ref() == Some(d));
            let has_member = |d: &String| m.members.values().any(|ds| ds.contains(d));
            let depts = m.live_depts();
            let leaves: Vec<String> = depts
                .iter()
                .filter(|d| *d != "root" && !has_child(d) && !has_member(d))
                .cloned()
                .collect();
            let d = match pick(&leaves, *dept) {
                Some(d) if *empty_leaf => d,
                _ => pick(&depts, *dept).expect("root is live"),
            };
            let ok =
                m.may_manage_dept(&actor, &d) && d != "root" && !has_child(&d) && !has_member(&d);
            let r = t.remove_department(&actor, &d).map(|_| ());
            if ok {
                m.parent.remove(&d);
                m.dead.push(d);
            }
            (ok.into(), r)
        }
        Op::AddMember { by, id, depts } => {
            let actor = by.id();
            let id = Who::Member(*id).id();
            let ds = resolve_depts(m, depts);
            let ok = !ds.is_empty()
                && ds.iter().all(|d| m.may_manage_dept(&actor, d))
                && !m.members.contains_key(&id);
            let r = t.add_member(&actor, &id, &format!("成员{id}"), &ds);
            if ok {
                m.members.insert(id, ds.into_iter().collect());
            }
            (ok.into(), r)
        }
        Op::SetMemberDepts { by, member, depts } => {
            let actor = by.id();
            let id = pick(&m.live_members(), *member).expect("the creator is live");
            let ds = resolve_depts(m, depts);
            let ok = !ds.is_empty()
                && m.allowed(&actor, md, &Resource::Member(id.clone()))
                && ds.iter().all(|d| m.may_manage_dept(&actor, d));
            let r = t.set_member_departments(&actor, &id, &ds);
            if ok {
                m.members.insert(id, ds.into_iter().collect());
            }
            (ok.into(), r)
        }
        Op::RemoveMember { by, member } => {
            let actor = by.id();
            let id = pick(&m.live_members(), *member).expect("the creator is live");
            // roles.creator: the creator can be transferred, never removed.
            // A scoped admin cannot push a super admin out of the directory
            // (roles.scoped-admin.own-rights-only).
            let ok = m.allowed(&actor, md, &Resource::Member(id.clone()))
                && id != CREATOR
                && (m.is_top(&actor) || !m.supers.contains_key(&id));
            let r = t.remove_member(&actor, &id).map(|_| ());
            if ok {
                m.members.remove(&id);
                // roles.super-admin-internal: an internal super admin who
                // leaves the directory loses the role; an external one keeps it.
                if m.supers.get(&id) == Some(&SuperKind::Internal) {
                    m.supers.remove(&id);
                }
                m.scoped.remove(&id);
            }
            (ok.into(), r)
        }
        Op::AddGroup { by, id, rights } => {
            let actor = by.id();
            let gid = GROUPS[id % GROUPS.len()].to_string();
            let rights = resolve_rights(m, rights);
            let ok = m.is_top(&actor)
                && !m.groups.contains_key(&gid)
                && !rights.devices.bind_new
                && rights.devices.manage.is_none();
            let g = AdminGroup {
                id: gid.clone(),
                name: format!("管理组{gid}"),
                rights: rights.clone(),
            };
            let r = t.create_group(&actor, g);
            if ok {
                m.groups.insert(gid, RefRights::of(&rights));
            }
            (ok.into(), r)
        }
        Op::AddScoped { by, member, group } => {
            let actor = by.id();
            let id = member.id();
            let group = match group {
                GroupSel::None => None,
                GroupSel::Existing(s) => pick(&m.groups.keys().cloned().collect::<Vec<_>>(), *s),
                GroupSel::Named(i) => Some(GROUPS[i % GROUPS.len()].to_string()),
            };
            let ok = m.is_top(&actor)
                && m.members.contains_key(&id)
                && !m.is_top(&id)
                && group.as_ref().is_none_or(|g| m.groups.contains_key(g));
            let r = t.add_scoped_admin(&actor, &id, group.as_deref());
            if ok {
                m.scoped.entry(id).or_default().group = group;
            }
            (ok.into(), r)
        }
        Op::Grant {
            by,
            grantee,
            rights,
        } => {
            let actor = by.id();
            let Some(grantee) = grantee.resolve(m.scoped.keys().cloned().collect()) else {
                return Ok(());
            };
            let rights = resolve_rights(m, rights);
            let expected = m.grant_outcome(&actor, &grantee, &rights);
            let r = t.grant(&actor, &grantee, &rights);
            if expected == Outcome::Ok {
                let add = RefRights::of(&rights);
                m.scoped
                    .get_mut(&grantee)
                    .expect("scoped")
                    .rights
                    .union(&add);
            }
            exact = true;
            (expected, r)
        }
        Op::AddSuper { by, who, internal } => {
            let actor = by.id();
            let id = who.id();
            let kind = if *internal {
                SuperKind::Internal
            } else {
                SuperKind::External
            };
            // roles.super-admin-internal: an internal super admin is a member.
            let ok = m.is_top(&actor)
                && (!*internal || m.members.contains_key(&id))
                && id != CREATOR
                && !m.supers.contains_key(&id);
            let r = t.add_super_admin(&actor, &id, kind);
            if ok {
                m.supers.insert(id.clone(), kind);
                m.scoped.remove(&id);
            }
            (ok.into(), r)
        }
        Op::RemoveSuper { by, who } => {
            let actor = by.id();
            let Some(id) = who.resolve(m.supers.keys().cloned().collect()) else {
                return Ok(());
            };
            let ok = m.is_top(&actor) && id != CREATOR && m.supers.contains_key(&id);
            let r = t.remove_super_admin(&actor, &id);
            if ok {
                m.supers.remove(&id);
            }
            (ok.into(), r)
        }
        Op::RemoveScoped { by, who } => {
            let actor = by.id();
            let Some(id) = who.resolve(m.scoped.keys().cloned().collect()) else {
                return Ok(());
            };
            let ok = m.is_top(&actor) && m.scoped.contains_key(&id);
            let r = t.remove_scoped_admin(&actor, &id);
            if ok {
                m.scoped.remove(&id);
            }
            (ok.into(), r)
        }
    };
    let got = classify(&result);
    if exact {
        prop_assert_eq!(got, expected, "{:?}: {:?}", op, result);
    } else {
        prop_assert_eq!(
            got == Outcome::Ok,
            expected == Outcome::Ok,
            "{:?}: {:?}",
            op,
            result
        );
    }
    if expected != Outcome::Ok {
        prop_assert_eq!(snapshot(t), before, "refused {:?} changed the tenant", op);
    }
    check_structure(t, m)
}

impl From<bool> for Outcome {
    fn from(ok: bool) -> Outcome {
        if ok {
            Outcome::Ok
        } else {
            Outcome::Refused
        }
    }
}

// ----- the check matrix ------------------------------------------------------

fn actors() -> Vec<String> {
    let mut out = vec![CREATOR.to_string()];
    out.extend((0..POOL).map(|i| Who::Member(i).id()));
    out.extend(EXTERNALS.iter().map(|x| x.to_string()));
    out
}

/// Every department (live or removed) and every member id (live or not).
fn targets(m: &Model) -> Vec<Resource> {
    let mut out: Vec<Resource> = m
        .parent
        .keys()
        .chain(&m.dead)
        .cloned()
        .map(Resource::Department)
        .collect();
    out.push(Resource::Member(CREATOR.to_string()));
    out.extend((0..POOL).map(|i| Resource::Member(Who::Member(i).id())));
    out
}

/// ManageDirectory on every department and member, SendMessage from every
/// app to each of them and to nobody in particular, ManageApp on every
/// app, ManageAdmins on the tenant.
fn queries(m: &Model) -> Vec<(Action, Resource)> {
    let ts = targets(m);
    let mut qs: Vec<(Action, Resource)> = ts
        .iter()
        .map(|r| (Action::ManageDirectory, r.clone()))
        .collect();
    for app in APPS {
        qs.push((Action::ManageApp, Resource::App(app.into())));
        qs.push((Action::SendMessage, Resource::App(app.into())));
        for r in &ts {
            let to = Box::new(r.clone());
            qs.push((
                Action::SendMessage,
                Resource::Message {
                    app: app.into(),
                    to,
                },
            ));
        }
    }
    qs.push((Action::ManageAdmins, Resource::Tenant));
    qs
}

fn answers(t: &Tenant, qs: &[(Action, Resource)]) -> Vec<Vec<bool>> {
    actors()
        .iter()
        .map(|a| {
            qs.iter()
                .map(|(act, r)| t.check(a, *act, r).allowed)
                .collect()
        })
        .collect()
}

/// `check` agrees with the model on every (actor, action, resource).
fn compare_all(t: &Tenant, m: &Model) -> Result<(), TestCaseError> {
    let qs = queries(m);
    for a in actors() {
        for (act, r) in &qs {
            let got = t.check(&a, *act, r).allowed;
            let want = m.allowed(&a, *act, r);
            prop_assert_eq!(
                got,
                want,
                "check({}, {}, {}) disagrees with the reference\n{:#?}",
                a,
                act,
                r,
                m
            );
        }
    }
    Ok(())
}

fn run_all(
    t: &mut Tenant,
    m: &mut Model,
    ops: &[Op],
    checkpoint: usize,
) -> Result<(), TestCaseError> {
    for (i, op) in ops.iter().enumerate() {
        run_op(t, m, op)?;
        if checkpoint > 0 && (i + 1) % checkpoint == 0 {
            compare_all(t, m)?;
        }
    }
    Ok(())
}

// ----- delegation ------------------------------------------------------------

#[derive(Debug, Clone)]
struct Delegation {
    /// Any scoped admin as grantor (else one in an admin group).
    any_grantor: bool,
    /// The grantor grants itself (else another scoped admin if any).
    itself: bool,
    grantor: Sel,
    grantee: Sel,
    /// (inside the grantor's scope if possible, which)
    depts: Vec<(bool, Sel)>,
    own: bool,
    /// (one the grantor holds if possible, which app, manage)
    apps: Vec<(bool, Sel, bool)>,
    devices: u8,
}

fn delegation() -> impl Strategy<Value = Delegation> {
    (
        (prop::bool::weighted(0.15), prop::bool::weighted(0.05)),
        sel(),
        sel(),
        vec((prop::bool::weighted(0.75), sel()), 0..3),
        prop::bool::weighted(0.1),
        vec((prop::bool::weighted(0.75), sel(), any::<bool>()), 0..3),
        devices(),
    )
        .prop_map(
            |((any_grantor, itself), grantor, grantee, depts, own, apps, devices)| Delegation {
                any_grantor,
                itself,
                grantor,
                grantee,
                depts,
                own,
                apps,
                devices,
            },
        )
}

/// The indexes of the parts a query needs: a message needs the app's send
/// right and the recipient in scope; other queries are their own part.
fn parts(qs: &[(Action, Resource)]) -> Vec<Vec<usize>> {
    let ix = |a: Action, r: &Resource| {
        qs.iter()
            .position(|(x, y)| *x == a && y == r)
            .expect("query listed")
    };
    qs.iter()
        .enumerate()
        .map(|(i, (_, r))| match r {
            Resource::Message { app, to } => vec![
                ix(Action::SendMessage, &Resource::App(app.clone())),
                ix(Action::ManageDirectory, to),
            ],
            _ => vec![i],
        })
        .collect()
}

// ----- the properties --------------------------------------------------------

/// One case of [`roles_directory_rights_check_matches_reference`].
fn roles_directory_rights_check_matches_reference_case(
    setup: Vec<Op>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let mut t = new_tenant();
    let mut m = Model::new();
    run_all(&mut t, &mut m, &setup, 0)?;
    compare_all(&t, &m)?;
    run_all(&mut t, &mut m, &ops, 6)?;
    compare_all(&t, &m)?;
    Ok(())
}

/// One case of [`roles_scoped_admin_delegate_never_escalates`].
fn roles_scoped_admin_delegate_never_escalates_case(
    setup: Vec<Op>,
    attempts: Vec<Delegation>,
) -> Result<(), TestCaseError> {
    let mut t = new_tenant();
    let mut m = Model::new();
    run_all(&mut t, &mut m, &setup, 0)?;
    let qs = queries(&m);
    let parts = parts(&qs);
    let actors = actors();
    let row = |a: &str| actors.iter().position(|x| x == a).expect("actor listed");
    for d in &attempts {
        let all: Vec<String> = m.scoped.keys().cloned().collect();
        let grouped: Vec<String> = m
            .scoped
            .iter()
            .filter(|(_, a)| a.group.is_some())
            .map(|(k, _)| k.clone())
            .collect();
        let pool = if d.any_grantor { &all } else { &grouped };
        let Some(grantor) = pick(pool, d.grantor) else {
            continue;
        };
        let others: Vec<String> = all.iter().filter(|x| **x != grantor).cloned().collect();
        let grantee = match pick(&others, d.grantee) {
            Some(g) if !d.itself => g,
            _ => grantor.clone(),
        };
        // What to ask for: mostly parts the grantor holds.
        let depts = m.live_depts();
        let inside: Vec<String> = depts
            .iter()
            .filter(|x| m.dept_in_scope(&grantor, x))
            .cloned()
            .collect();
        let held: Vec<(String, AppRight)> = m
            .effective(&grantor)
            .map(|e| e.apps.into_iter().collect())
            .unwrap_or_default();
        let mut wanted = Rights::default();
        for (want_inside, s) in &d.depts {
            let from = if *want_inside && !inside.is_empty() {
                &inside
            } else {
                &depts
            };
            wanted
                .directory
                .insert(ScopeItem::Subtree(pick(from, *s).expect("non-empty")));
        }
        if d.own {
            wanted.directory.insert(ScopeItem::OwnDepartments);
        }
        for (want_held, s, manage) in &d.apps {
            let (app, right) = match pick(&held, *s) {
                Some(h) if *want_held => h,
                _ => (
                    APPS[s % APPS.len()].to_string(),
                    if *manage {
                        AppRight::Manage
                    } else {
                        AppRight::Send
                    },
                ),
            };
            wanted.apps.insert(app, right);
        }
        set_devices(&mut wanted, d.devices);

        let expected = m.grant_outcome(&grantor, &grantee, &wanted);
        let before = answers(&t, &qs);
        let snap = snapshot(&t);
        let r = t.grant(&grantor, &grantee, &wanted);
        let got = classify(&r);
        prop_assert_eq!(
            got,
            expected,
            "grant {} -> {} of {:?}: {:?}",
            grantor,
            grantee,
            wanted,
            r
        );
        let after = answers(&t, &qs);
        if expected == Outcome::Ok {
            m.scoped
                .get_mut(&grantee)
                .expect("scoped")
                .rights
                .union(&RefRights::of(&wanted));
            let (g, r0, e) = (row(&grantee), row(&grantor), &before);
            for (i, q) in qs.iter().enumerate() {
                if after[g][i] {
                    let covered = parts[i].iter().all(|&p| e[g][p] || e[r0][p]);
                    prop_assert!(
                        covered,
                        "after {} granted {:?}, {} may {} {} beyond both",
                        grantor,
                        wanted,
                        grantee,
                        q.0,
                        q.1
                    );
                }
            }
            // Nobody but the grantee changed.
            for (k, a) in actors.iter().enumerate() {
                if *a != grantee {
                    prop_assert_eq!(&after[k], &before[k], "grant changed the checks of {}", a);
                }
            }
            compare_all(&t, &m)?;
        } else {
            prop_assert!(
                matches!(got, Outcome::Exceeds(_) | Outcome::Denied),
                "{:?}",
                r
            );
            prop_assert_eq!(&after, &before, "a refused grant changed a check");
            prop_assert_eq!(snapshot(&t), snap, "a refused grant changed the tenant");
        }
        check_structure(&t, &m)?;
    }
    Ok(())
}

/// One case of [`roles_super_admin_internal_loses_role_creator_stays`].
fn roles_super_admin_internal_loses_role_creator_stays_case(
    setup: Vec<Op>,
    supers: Vec<(usize, bool)>,
    removals: Vec<(Who, usize)>,
    heir: Who,
) -> Result<(), TestCaseError> {
    let mut t = new_tenant();
    let mut m = Model::new();
    run_all(&mut t, &mut m, &setup, 0)?;
    run_op(
        &mut t,
        &mut m,
        &Op::AddSuper {
            by: Who::Creator,
            who: Who::External(0),
            internal: false,
        },
    )?;
    for (i, internal) in &supers {
        run_op(
            &mut t,
            &mut m,
            &Op::AddSuper {
                by: Who::Creator,
                who: Who::Member(*i),
                internal: *internal,
            },
        )?;
    }
    let admins = Resource::Tenant;
    for s in t.super_admins() {
        prop_assert!(t.check(&s.id, Action::ManageAdmins, &admins).allowed);
    }
    for (by, i) in &removals {
        let id = Who::Member(*i).id();
        let kind = m.supers.get(&id).copied();
        let Some(pos) = m.live_members().iter().position(|x| *x == id) else {
            continue;
        };
        run_op(
            &mut t,
            &mut m,
            &Op::RemoveMember {
                by: *by,
                member: pos,
            },
        )?;
        if !t.directory().is_member(&id) {
            let keeps = t.check(&id, Action::ManageAdmins, &admins).allowed;
            match kind {
                Some(SuperKind::Internal) => {
                    prop_assert!(
                        !keeps,
                        "internal super admin {} kept the role after leaving",
                        id
                    );
                    prop_assert!(t.super_admins().iter().all(|s| s.id != id));
                    // Coming back does not restore the role.
                    run_op(
                        &mut t,
                        &mut m,
                        &Op::AddMember {
                            by: Who::Creator,
                            id: *i,
                            depts: vec![0],
                        },
                    )?;
                    prop_assert!(!t.check(&id, Action::ManageAdmins, &admins).allowed);
                }
                Some(SuperKind::External) => {
                    prop_assert!(
                        keeps,
                        "external super admin {} lost the role with its membership",
                        id
                    );
                }
                None => prop_assert!(!keeps),
            }
        }
        // roles.creator: removing the creator is refused, whoever asks.
        let r = t.remove_member(&by.id(), CREATOR);
        prop_assert!(r.is_err(), "the creator was removed");
        prop_assert!(t.directory().is_member(CREATOR));
        let creators: Vec<String> = t
            .who_can(Action::TransferCreator, &admins)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        prop_assert_eq!(creators, vec![CREATOR.to_string()]);
        prop_assert!(t.check(CREATOR, Action::ManageAdmins, &admins).allowed);
        prop_assert!(t.remove_super_admin(CREATOR, CREATOR).is_err());
        prop_assert!(t
            .add_super_admin(CREATOR, CREATOR, SuperKind::Internal)
            .is_err());
        prop_assert!(t.add_scoped_admin(CREATOR, CREATOR, None).is_err());
        check_structure(&t, &m)?;
    }
    compare_all(&t, &m)?;

    // roles.creator (transfer): after a transfer there is still exactly
    // one creator, the heir, holding no other role; the old one keeps none.
    let heir = heir.id();
    let mut reg = Registry::new();
    reg.insert(t).expect("room for one tenant");
    let r = reg.transfer_creator("t1", CREATOR, &heir);
    let t = reg.get("t1").expect("tenant");
    if heir == CREATOR {
        prop_assert!(r.is_err(), "transfer to oneself was accepted");
        prop_assert_eq!(t.creator(), CREATOR);
    } else {
        prop_assert!(r.is_ok(), "transfer to {}: {:?}", heir, r);
        prop_assert_eq!(t.creator(), heir.as_str());
        let creators: Vec<String> = t
            .who_can(Action::TransferCreator, &admins)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        prop_assert_eq!(creators, vec![heir.clone()]);
        prop_assert!(t.super_admins().iter().all(|s| s.id != heir));
        prop_assert!(!t.scoped_admins().contains_key(&heir));
        prop_assert!(t.check(&heir, Action::ManageAdmins, &admins).allowed);
        prop_assert!(!t.check(CREATOR, Action::ManageAdmins, &admins).allowed);
        let mut t = t.clone();
        if t.directory().is_member(&heir) {
            prop_assert!(
                t.remove_member(&heir, &heir).is_err(),
                "the new creator was removed"
            );
        }
        prop_assert!(
            t.remove_member(&heir, CREATOR).is_ok(),
            "the old creator is an ordinary member"
        );
    }
    Ok(())
}

/// One case of [`roles_app_rights_manage_implies_send`].
fn roles_app_rights_manage_implies_send_case(
    setup: Vec<Op>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let mut t = new_tenant();
    let mut m = Model::new();
    run_all(&mut t, &mut m, &setup, 0)?;
    run_all(&mut t, &mut m, &ops, 0)?;
    let ts = targets(&m);
    let admins: Vec<String> = t.scoped_admins().keys().cloned().collect();
    for a in &admins {
        for app in APPS {
            if !t
                .check(a, Action::ManageApp, &Resource::App(app.into()))
                .allowed
            {
                continue;
            }
            prop_assert!(
                t.check(a, Action::SendMessage, &Resource::App(app.into()))
                    .allowed,
                "{} manages {} but may not send from it",
                a,
                app
            );
            for to in &ts {
                if t.check(a, Action::ManageDirectory, to).allowed {
                    let msg = Resource::Message {
                        app: app.into(),
                        to: Box::new(to.clone()),
                    };
                    prop_assert!(
                        t.check(a, Action::SendMessage, &msg).allowed,
                        "{} manages {} and {} is in scope, yet {} is denied",
                        a,
                        app,
                        to,
                        msg
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `wecom-admin/roles.directory-rights` (with `roles.app-rights`,
    /// `roles.scoped-admin.delegate`, `roles.super-admin-internal`,
    /// `roles.creator`): random directory edits by random actors, interleaved
    /// with admin operations, never let `check` disagree with the reference
    /// model on any actor × (ManageDirectory on every department and member,
    /// SendMessage from every app to each, ManageApp on every app,
    /// ManageAdmins); every command succeeds exactly when the model says so,
    /// and a refused one (a move under a descendant included) changes nothing.
    #[test]
    fn roles_directory_rights_check_matches_reference(
        setup in setup(),
        ops in vec(op(), 1..=20),
    ) {
        roles_directory_rights_check_matches_reference_case(setup, ops)?;
    }

    /// `wecom-admin/roles.scoped-admin.delegate` and
    /// `roles.scoped-admin.own-rights-only`: a scoped admin in an admin group
    /// grants only what it holds. The grant succeeds iff the reference finds
    /// every part held; a refusal is `Exceeds` naming each missing part (or
    /// `Denied` for a grantor outside any group or granting itself) and
    /// changes no check; after an accepted grant the grantee can do nothing
    /// that neither it before nor the grantor could (a message, part by part:
    /// the app's send right and the recipient in scope).
    #[test]
    fn roles_scoped_admin_delegate_never_escalates(
        setup in setup(),
        attempts in vec(delegation(), 1..=10),
    ) {
        roles_scoped_admin_delegate_never_escalates_case(setup, attempts)?;
    }

    /// `wecom-admin/roles.super-admin-internal` and `roles.creator`: internal
    /// super admins removed from the directory lose the role (ManageAdmins on
    /// the tenant goes from allowed to denied, and stays denied if they come
    /// back), external ones keep it; the creator exists exactly once
    /// throughout, can never be removed from the directory, and after a
    /// transfer (through the registry) the heir is the one creator.
    #[test]
    fn roles_super_admin_internal_loses_role_creator_stays(
        setup in setup(),
        supers in vec((0..POOL, any::<bool>()), 0..5),
        removals in vec((who(), 0..POOL), 1..8),
        heir in who(),
    ) {
        roles_super_admin_internal_loses_role_creator_stays_case(setup, supers, removals, heir)?;
    }

    /// `wecom-admin/roles.app-rights.manage-implies-send`: for any scoped
    /// admin and app, if ManageApp is allowed then SendMessage from that app
    /// is allowed, to nobody in particular and to every recipient (department
    /// or member) inside the admin's directory scope.
    #[test]
    fn roles_app_rights_manage_implies_send(
        setup in setup(),
        ops in vec(op(), 0..=16),
    ) {
        roles_app_rights_manage_implies_send_case(setup, ops)?;
    }
}
