//! Benchmark for `bench/tenant`: builds a WeCom tenant (100k members, 10k
//! departments 12 levels deep, 2k admins) through the public API, then
//! measures `Tenant::check` latency, department moves with re-scoping and
//! resident memory, and runs the same queries through Cedar
//! (`cedar-policy`) on the same model, counting every disagreement.
//!
//! ```text
//! tenant-bench [--members N] [--depts N] [--admins N] [--apps N]
//!              [--queries N] [--cedar-queries N] [--moves N]
//!              [--cedar-moves N] [--verify N] [--seed N]
//! ```
//!
//! `--queries` is per action (ManageDirectory, SendMessage); Cedar runs the
//! first `--cedar-queries` of them (default: all). See README.md beside
//! `bench/tenant/run.sh`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The allocator the `bylaw` binary uses, so the figures are the shipped ones.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use bylaw_rulebook::Rulebook;
use bylaw_tenant::{
    Action, AdminGroup, AppRight, Limits, Policy, Resource, Rights, ScopeItem, SuperKind, Tenant,
};
use cedar_policy as cedar;

type Res<T> = Result<T, Box<dyn Error>>;

/// Queries are generated, translated and checked in chunks of this size, so
/// both engines see the same queries with the same cache state.
const CHUNK: usize = 10_000;
/// Member index of the creator.
const CREATOR: u32 = 0;
/// Super admins: this many internal (members m1..), plus two external.
const SUPERS_INTERNAL: usize = 18;
const SUPERS_EXTERNAL: usize = 2;
/// Admin groups.
const GROUPS: usize = 40;
/// Delegations by admins in groups to other scoped admins.
const DELEGATIONS: usize = 150;
/// Share of department counts per depth 1..=12 (sums to 10,000).
const DEPTH_SHARE: [usize; 12] = [
    8, 40, 120, 300, 600, 900, 1200, 1400, 1500, 1500, 1300, 1132,
];

/// The Cedar policies: the same rules `Tenant::check` applies for
/// ManageDirectory and SendMessage.
const POLICIES: &str = r#"
// roles.creator, roles.super-admin: the whole directory and every app.
permit(principal in Role::"creator", action, resource);
permit(principal in Role::"superAdmin", action, resource);

// roles.directory-rights: a scoped admin manages the subtrees granted to it
// or to its admin group (roles.admin-group).
permit(principal, action == Action::"manageDirectory", resource)
when { principal has scopes && resource in principal.scopes };
permit(principal, action == Action::"manageDirectory", resource)
when { principal has group && resource in principal.group.scopes };

// roles.app-rights (manage implies send) and
// roles.directory-rights.scoped-messaging: the app's send right, own or of
// the group, and the recipient inside the directory scope.
permit(principal, action == Action::"sendMessage", resource)
when {
  principal has scopes &&
  (resource in principal.scopes ||
   (principal has group && resource in principal.group.scopes)) &&
  (principal.sendApps.contains(context.app) ||
   principal.manageApps.contains(context.app) ||
   (principal has group &&
    (principal.group.sendApps.contains(context.app) ||
     principal.group.manageApps.contains(context.app))))
};
"#;

// ----- configuration, rng, stats ---------------------------------------------

struct Config {
    members: usize,
    depts: usize,
    admins: usize,
    apps: usize,
    queries: usize,
    cedar_queries: usize,
    moves: usize,
    cedar_moves: usize,
    verify: usize,
    seed: u64,
}

impl Config {
    fn from_args() -> Res<Config> {
        let mut c = Config {
            members: 100_000,
            depts: 10_000,
            admins: 2_000,
            apps: 50,
            queries: 1_000_000,
            cedar_queries: usize::MAX,
            moves: 50,
            cedar_moves: usize::MAX,
            verify: 100_000,
            seed: 0x9E37_79B9_7F4A_7C15,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let v: u64 = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .replace('_', "")
                .parse()?;
            let n = v as usize;
            match flag.as_str() {
                "--members" => c.members = n.max(SUPERS_INTERNAL + 2),
                "--depts" => c.depts = n.max(DEPTH_SHARE.len()),
                "--admins" => c.admins = n.max(SUPERS_INTERNAL + SUPERS_EXTERNAL + 2),
                "--apps" => c.apps = n.max(1),
                "--queries" => c.queries = n.max(1),
                "--cedar-queries" => c.cedar_queries = n,
                "--moves" => c.moves = n,
                "--cedar-moves" => c.cedar_moves = n,
                "--verify" => c.verify = n,
                "--seed" => c.seed = v.max(1),
                _ => return Err(format!("unknown flag {flag}").into()),
            }
        }
        c.cedar_queries = c.cedar_queries.min(c.queries);
        if c.admins - 1 - SUPERS_INTERNAL - SUPERS_EXTERNAL > c.members - 1 - SUPERS_INTERNAL {
            return Err("more scoped admins than members".into());
        }
        Ok(c)
    }
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Latencies in nanoseconds.
#[derive(Default)]
struct Lat(Vec<u32>);

impl Lat {
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_nanos().min(u32::MAX as u128) as u32);
    }

    fn summary(&mut self) -> String {
        if self.0.is_empty() {
            return "n=0".into();
        }
        self.0.sort_unstable();
        let q = |p: f64| self.0[((self.0.len() - 1) as f64 * p).round() as usize];
        format!(
            "n={:>8}  p50 {:>7}  p90 {:>7}  p99 {:>7}  p99.9 {:>7}  max {:>9}",
            self.0.len(),
            ns(q(0.50)),
            ns(q(0.90)),
            ns(q(0.99)),
            ns(q(0.999)),
            ns(*self.0.last().unwrap_or(&0)),
        )
    }

    fn p(&mut self, p: f64) -> u32 {
        self.0.sort_unstable();
        self.0
            .get(((self.0.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0)
    }
}

fn ns(v: u32) -> String {
    if v < 10_000 {
        format!("{v} ns")
    } else if v < 10_000_000 {
        format!("{:.1} µs", v as f64 / 1e3)
    } else {
        format!("{:.1} ms", v as f64 / 1e6)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Resident memory of this process in MiB (0 where /proc is missing).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0.0, |pages| (pages * 4096) as f64 / (1 << 20) as f64)
}

// ----- the model the bench keeps beside the tenant ---------------------------

/// What one scoped admin or admin group holds.
#[derive(Clone, Default)]
struct Grant {
    /// Subtree roots (department indexes).
    scopes: Vec<u32>,
    /// App index → right (the stronger one wins, as `Rights::merge`).
    apps: BTreeMap<u32, AppRight>,
}

impl Grant {
    fn rights(&self, m: &Model) -> Rights {
        let mut r = Rights::default();
        for d in &self.scopes {
            r.directory
                .insert(ScopeItem::Subtree(m.dept_ids[*d as usize].clone()));
        }
        for (a, right) in &self.apps {
            r.apps.insert(m.app_ids[*a as usize].clone(), *right);
        }
        r
    }

    fn merge(&mut self, other: &Grant) {
        for d in &other.scopes {
            if !self.scopes.contains(d) {
                self.scopes.push(*d);
            }
        }
        for (a, r) in &other.apps {
            let e = self.apps.entry(*a).or_insert(*r);
            *e = (*e).max(*r);
        }
    }
}

struct Admin {
    /// What the creator granted it.
    granted: Grant,
    /// What it holds itself: `granted` and the delegations to it.
    own: Grant,
    group: Option<usize>,
}

/// The directory and the admins as plain indexes: used to generate queries,
/// to build the Cedar entities, and as a third oracle (walks parents).
struct Model {
    dept_ids: Vec<String>,
    member_ids: Vec<String>,
    app_ids: Vec<String>,
    parent: Vec<u32>,
    depth: Vec<u32>,
    children: Vec<Vec<u32>>,
    by_depth: Vec<Vec<u32>>,
    member_depts: Vec<Vec<u32>>,
    dept_members: Vec<Vec<u32>>,
    /// Principals: the creator, the super admins, then the scoped admins.
    principals: Vec<String>,
    /// Number of leading principals that are creator or super admin.
    tops: usize,
    /// `scoped[i]` is principal `tops + i`.
    scoped: Vec<Admin>,
    groups: Vec<(String, Grant)>,
    /// (from, to, part): scoped admin `from` (in a group) grants `part` to `to`.
    delegations: Vec<(usize, usize, Grant)>,
}

impl Model {
    fn effective(&self, admin: &Admin) -> Grant {
        let mut g = admin.own.clone();
        if let Some(i) = admin.group {
            g.merge(&self.groups[i].1);
        }
        g
    }

    fn within(&self, mut d: u32, root: u32) -> bool {
        loop {
            if d == root {
                return true;
            }
            if d == 0 {
                return false;
            }
            d = self.parent[d as usize];
        }
    }

    /// The expected answer, by walking parents.
    fn oracle(&self, q: &Query) -> bool {
        if q.principal < self.tops {
            return true;
        }
        let g = self.effective(&self.scoped[q.principal - self.tops]);
        let in_scope = self.member_depts[q.member as usize]
            .iter()
            .any(|d| g.scopes.iter().any(|r| self.within(*d, *r)));
        match q.action {
            Action::ManageDirectory => in_scope,
            _ => in_scope && g.apps.contains_key(&q.app),
        }
    }

    /// A member inside one of the subtrees `roots` (a random walk down),
    /// or any member when that subtree has none where the walk ends.
    fn member_below(&self, rng: &mut Rng, roots: &[u32]) -> u32 {
        if roots.is_empty() {
            return rng.below(self.member_ids.len()) as u32;
        }
        let mut d = *rng.pick(roots);
        for _ in 0..rng.range(0, 5) {
            let c = &self.children[d as usize];
            if c.is_empty() {
                break;
            }
            d = *rng.pick(c);
        }
        for _ in 0..12 {
            let ms = &self.dept_members[d as usize];
            if !ms.is_empty() {
                return *rng.pick(ms);
            }
            let c = &self.children[d as usize];
            if c.is_empty() {
                break;
            }
            d = *rng.pick(c);
        }
        rng.below(self.member_ids.len()) as u32
    }
}

/// A random scope root: a department at depth 2..=8.
fn scope_root(rng: &mut Rng, by_depth: &[Vec<u32>]) -> u32 {
    let depth = rng.range(2, 8.min(by_depth.len() - 1));
    *rng.pick(&by_depth[depth])
}

fn random_apps(rng: &mut Rng, apps: usize, lo: usize, hi: usize) -> BTreeMap<u32, AppRight> {
    let mut out = BTreeMap::new();
    for _ in 0..rng.range(lo, hi) {
        let r = if rng.chance(30) {
            AppRight::Manage
        } else {
            AppRight::Send
        };
        out.insert(rng.below(apps) as u32, r);
    }
    out
}

// ----- building the tenant -----------------------------------------------------

/// Generates the workload: the directory, the admins, their grants and
/// the delegations, as plain indexes (nothing of the tenant yet).
fn generate(cfg: &Config, rng: &mut Rng) -> Model {
    // Departments: depth 1..=12, each under a random department one level up.
    let total_share: usize = DEPTH_SHARE.iter().sum();
    let mut m = Model {
        dept_ids: vec!["root".to_string()],
        member_ids: Vec::with_capacity(cfg.members),
        app_ids: (0..cfg.apps).map(|i| format!("app{i}")).collect(),
        parent: vec![u32::MAX],
        depth: vec![0],
        children: vec![Vec::new()],
        by_depth: vec![vec![0]],
        member_depts: Vec::with_capacity(cfg.members),
        dept_members: Vec::new(),
        principals: vec![format!("m{CREATOR}")],
        tops: 0,
        scoped: Vec::new(),
        groups: Vec::new(),
        delegations: Vec::new(),
    };
    for (k, share) in DEPTH_SHARE.iter().enumerate() {
        let n = (cfg.depts * share / total_share).max(1);
        let mut level = Vec::with_capacity(n);
        for _ in 0..n {
            let ix = m.dept_ids.len() as u32;
            let p = *rng.pick(&m.by_depth[k]);
            m.dept_ids.push(format!("d{ix}"));
            m.parent.push(p);
            m.depth.push(k as u32 + 1);
            m.children.push(Vec::new());
            m.children[p as usize].push(ix);
            level.push(ix);
        }
        m.by_depth.push(level);
    }
    // Members: one random department each, one in ten in a second one.
    let nd = m.dept_ids.len();
    m.dept_members = vec![Vec::new(); nd];
    for i in 0..cfg.members {
        let mut ds = vec![rng.range(1, nd - 1) as u32];
        if rng.chance(10) {
            let d2 = rng.range(1, nd - 1) as u32;
            if d2 != ds[0] {
                ds.push(d2);
            }
        }
        for d in &ds {
            m.dept_members[*d as usize].push(i as u32);
        }
        m.member_ids.push(format!("m{i}"));
        m.member_depts.push(ds);
    }
    // The creator is m0; super admins m1.. and two external ones.
    for i in 0..SUPERS_INTERNAL {
        m.principals.push(m.member_ids[i + 1].clone());
    }
    for i in 0..SUPERS_EXTERNAL {
        m.principals.push(format!("ext-ops-{i}"));
    }
    m.tops = m.principals.len();
    for g in 0..GROUPS {
        let mut grant = Grant::default();
        for _ in 0..rng.range(1, 3) {
            let r = scope_root(rng, &m.by_depth);
            if !grant.scopes.contains(&r) {
                grant.scopes.push(r);
            }
        }
        grant.apps = random_apps(rng, cfg.apps, 2, 6);
        m.groups.push((format!("group{g}"), grant));
    }
    // Scoped admins: distinct members that are not super admins.
    let n_scoped = cfg.admins - m.tops;
    let mut taken: HashSet<u32> = (0..=SUPERS_INTERNAL as u32).collect();
    while m.scoped.len() < n_scoped {
        let member = rng.below(cfg.members) as u32;
        if !taken.insert(member) {
            continue;
        }
        let group = rng.chance(30).then(|| rng.below(GROUPS));
        let mut own = Grant::default();
        for _ in 0..rng.range(1, 5) {
            let r = scope_root(rng, &m.by_depth);
            if !own.scopes.contains(&r) {
                own.scopes.push(r);
            }
        }
        own.apps = random_apps(rng, cfg.apps, 1, 6);
        m.principals.push(m.member_ids[member as usize].clone());
        m.scoped.push(Admin {
            granted: own.clone(),
            own,
            group,
        });
    }
    // Delegation (roles.scoped-admin.delegate): an admin in a group hands
    // another scoped admin a subtree inside its scope and one of its apps.
    while m.delegations.len() < DELEGATIONS && m.scoped.iter().any(|a| a.group.is_some()) {
        let from = rng.below(m.scoped.len());
        let to = rng.below(m.scoped.len());
        if from == to || m.scoped[from].group.is_none() {
            continue;
        }
        let held = m.effective(&m.scoped[from]);
        let mut part = Grant::default();
        let mut d = *rng.pick(&held.scopes);
        for _ in 0..rng.range(0, 2) {
            if let Some(c) = m.children[d as usize].first() {
                d = *c;
            }
        }
        part.scopes.push(d);
        if let Some((a, r)) = held.apps.iter().nth(rng.below(held.apps.len().max(1))) {
            part.apps.insert(*a, *r);
        }
        m.scoped[to].own.merge(&part);
        m.delegations.push((from, to, part));
    }
    m
}

/// Builds the tenant from the model through the public API, the creator
/// acting (the delegations by the admins who hold the rights).
fn build(m: &Model) -> Res<Tenant> {
    let limits = Limits::from_rulebook(&Rulebook::embedded()?)?;
    let actor = m.principals[0].as_str();
    let mut t = Tenant::new("bench", "基准企业", actor, limits, Policy::default())?;

    let t0 = Instant::now();
    for d in 1..m.dept_ids.len() {
        let p = m.parent[d] as usize;
        t.add_department(actor, &m.dept_ids[d], &format!("部门{d}"), &m.dept_ids[p])?;
    }
    let t_depts = t0.elapsed();

    let t0 = Instant::now();
    let mut names: Vec<String> = Vec::with_capacity(2);
    for (i, ds) in m.member_depts.iter().enumerate() {
        names.clear();
        names.extend(ds.iter().map(|d| m.dept_ids[*d as usize].clone()));
        t.add_member(actor, &m.member_ids[i], &format!("成员{i}"), &names)?;
    }
    let t_members = t0.elapsed();

    let t0 = Instant::now();
    for a in &m.app_ids {
        t.add_app(actor, a)?;
    }
    for (i, id) in m.principals[1..m.tops].iter().enumerate() {
        let kind = if i < SUPERS_INTERNAL {
            SuperKind::Internal
        } else {
            SuperKind::External
        };
        t.add_super_admin(actor, id, kind)?;
    }
    for (id, grant) in &m.groups {
        t.create_group(
            actor,
            AdminGroup {
                id: id.clone(),
                name: format!("管理组 {id}"),
                rights: grant.rights(m),
            },
        )?;
    }
    for (i, a) in m.scoped.iter().enumerate() {
        let id = &m.principals[m.tops + i];
        t.add_scoped_admin(actor, id, a.group.map(|g| m.groups[g].0.as_str()))?;
        t.grant(actor, id, &a.granted.rights(m))?;
    }
    for (from, to, part) in &m.delegations {
        t.grant(
            &m.principals[m.tops + from],
            &m.principals[m.tops + to],
            &part.rights(m),
        )?;
    }
    let t_admins = t0.elapsed();
    println!(
        "build      departments {} ({} levels) in {}, members {} in {}, admins {} (creator, {} super, {} scoped, {} groups, {} delegations) in {}",
        m.dept_ids.len() - 1,
        m.by_depth.len() - 1,
        ms(t_depts),
        m.member_ids.len(),
        ms(t_members),
        m.principals.len(),
        m.tops - 1,
        m.scoped.len(),
        m.groups.len(),
        m.delegations.len(),
        ms(t_admins),
    );
    let in_group = m.scoped.iter().filter(|a| a.group.is_some()).count();
    let scopes: usize = m.scoped.iter().map(|a| m.effective(a).scopes.len()).sum();
    println!(
        "           {} scoped admins in groups; {:.1} subtree scopes and {:.1} apps per scoped admin (own + group)",
        in_group,
        scopes as f64 / m.scoped.len() as f64,
        m.scoped.iter().map(|a| m.effective(a).apps.len()).sum::<usize>() as f64 / m.scoped.len() as f64,
    );
    Ok(t)
}

// ----- Cedar -------------------------------------------------------------------

struct CedarSide {
    policies: cedar::PolicySet,
    entities: cedar::Entities,
    authorizer: cedar::Authorizer,
    principals: Vec<cedar::EntityUid>,
    members: Vec<cedar::EntityUid>,
    apps: Vec<cedar::EntityUid>,
    manage_directory: cedar::EntityUid,
    send_message: cedar::EntityUid,
}

fn uid(ty: &str, id: &str) -> Res<cedar::EntityUid> {
    Ok(cedar::EntityUid::from_type_name_and_id(
        cedar::EntityTypeName::from_str(ty)?,
        cedar::EntityId::new(id),
    ))
}

fn set_of(uids: impl IntoIterator<Item = cedar::EntityUid>) -> cedar::RestrictedExpression {
    cedar::RestrictedExpression::new_set(
        uids.into_iter()
            .map(cedar::RestrictedExpression::new_entity_uid),
    )
}

/// Entity uids reused for every build.
struct Uids {
    depts: Vec<cedar::EntityUid>,
    members: Vec<cedar::EntityUid>,
    apps: Vec<cedar::EntityUid>,
    principals: Vec<cedar::EntityUid>,
    groups: Vec<cedar::EntityUid>,
    creator: cedar::EntityUid,
    super_admin: cedar::EntityUid,
}

impl Uids {
    fn new(m: &Model) -> Res<Uids> {
        Ok(Uids {
            depts: m
                .dept_ids
                .iter()
                .map(|d| uid("Department", d))
                .collect::<Res<_>>()?,
            members: m
                .member_ids
                .iter()
                .map(|d| uid("Member", d))
                .collect::<Res<_>>()?,
            apps: m
                .app_ids
                .iter()
                .map(|d| uid("App", d))
                .collect::<Res<_>>()?,
            principals: m
                .principals
                .iter()
                .map(|d| uid("Admin", d))
                .collect::<Res<_>>()?,
            groups: m
                .groups
                .iter()
                .map(|(d, _)| uid("AdminGroup", d))
                .collect::<Res<_>>()?,
            creator: uid("Role", "creator")?,
            super_admin: uid("Role", "superAdmin")?,
        })
    }

    fn dept_entity(&self, m: &Model, d: usize) -> cedar::Entity {
        let parents = if d == 0 {
            HashSet::new()
        } else {
            HashSet::from([self.depts[m.parent[d] as usize].clone()])
        };
        cedar::Entity::new_no_attrs(self.depts[d].clone(), parents)
    }

    fn grant_attrs(&self, g: &Grant) -> HashMap<String, cedar::RestrictedExpression> {
        let apps = |want: AppRight| {
            set_of(
                g.apps
                    .iter()
                    .filter(|(_, r)| **r == want)
                    .map(|(a, _)| self.apps[*a as usize].clone()),
            )
        };
        HashMap::from([
            (
                "scopes".to_string(),
                set_of(g.scopes.iter().map(|d| self.depts[*d as usize].clone())),
            ),
            ("sendApps".to_string(), apps(AppRight::Send)),
            ("manageApps".to_string(), apps(AppRight::Manage)),
        ])
    }

    /// Every entity of the model.
    fn entities(&self, m: &Model) -> Res<Vec<cedar::Entity>> {
        let mut out =
            Vec::with_capacity(m.dept_ids.len() + m.member_ids.len() + m.principals.len() + 100);
        for d in 0..m.dept_ids.len() {
            out.push(self.dept_entity(m, d));
        }
        for (i, ds) in m.member_depts.iter().enumerate() {
            let parents = ds.iter().map(|d| self.depts[*d as usize].clone()).collect();
            out.push(cedar::Entity::new_no_attrs(
                self.members[i].clone(),
                parents,
            ));
        }
        for a in &self.apps {
            out.push(cedar::Entity::new_no_attrs(a.clone(), HashSet::new()));
        }
        out.push(cedar::Entity::new_no_attrs(
            self.creator.clone(),
            HashSet::new(),
        ));
        out.push(cedar::Entity::new_no_attrs(
            self.super_admin.clone(),
            HashSet::new(),
        ));
        for (i, (_, g)) in m.groups.iter().enumerate() {
            out.push(cedar::Entity::new(
                self.groups[i].clone(),
                self.grant_attrs(g),
                HashSet::new(),
            )?);
        }
        for (i, p) in self.principals.iter().enumerate() {
            if i < m.tops {
                let role = if i == 0 {
                    &self.creator
                } else {
                    &self.super_admin
                };
                out.push(cedar::Entity::new_no_attrs(
                    p.clone(),
                    HashSet::from([role.clone()]),
                ));
                continue;
            }
            let a = &m.scoped[i - m.tops];
            let mut attrs = self.grant_attrs(&a.own);
            if let Some(g) = a.group {
                attrs.insert(
                    "group".to_string(),
                    cedar::RestrictedExpression::new_entity_uid(self.groups[g].clone()),
                );
            }
            out.push(cedar::Entity::new(p.clone(), attrs, HashSet::new())?);
        }
        Ok(out)
    }
}

/// Builds the Cedar entity store; returns it with (entity building, store
/// building with transitive closure) times.
fn cedar_store(u: &Uids, m: &Model) -> Res<(cedar::Entities, Duration, Duration)> {
    let t0 = Instant::now();
    let list = u.entities(m)?;
    let t_list = t0.elapsed();
    let t0 = Instant::now();
    let entities = cedar::Entities::from_entities(list, None)?;
    Ok((entities, t_list, t0.elapsed()))
}

// ----- queries -------------------------------------------------------------------

struct Query {
    principal: usize,
    action: Action,
    member: u32,
    app: u32,
}

/// Where query resources come from.
#[derive(Clone, Copy)]
enum Mix {
    /// Half inside the principal's scope, half uniform.
    Normal,
    /// A third from moved subtrees, a third in scope, a third uniform.
    Moved,
}

fn gen_query(m: &Model, rng: &mut Rng, action: Action, mix: Mix, moved: &[u32]) -> Query {
    // One query in a hundred by the creator or a super admin.
    let principal = if rng.chance(1) {
        rng.below(m.tops)
    } else {
        m.tops + rng.below(m.scoped.len())
    };
    let g = (principal >= m.tops).then(|| m.effective(&m.scoped[principal - m.tops]));
    let scopes = g.as_ref().map_or(&[][..], |g| &g.scopes[..]);
    let member = match (mix, rng.below(6)) {
        (Mix::Moved, 0 | 1) if !moved.is_empty() => m.member_below(rng, moved),
        (Mix::Normal, 0..=2) | (Mix::Moved, 2 | 3) => m.member_below(rng, scopes),
        _ => rng.below(m.member_ids.len()) as u32,
    };
    let app = match g.as_ref().map(|g| &g.apps) {
        Some(apps) if !apps.is_empty() && rng.chance(70) => {
            *apps.keys().nth(rng.below(apps.len())).unwrap_or(&0)
        }
        _ => rng.below(m.app_ids.len()) as u32,
    };
    Query {
        principal,
        action,
        member,
        app,
    }
}

fn resource(m: &Model, q: &Query) -> Resource {
    let to = Resource::Member(m.member_ids[q.member as usize].clone());
    match q.action {
        Action::SendMessage => Resource::Message {
            app: m.app_ids[q.app as usize].clone(),
            to: Box::new(to),
        },
        _ => to,
    }
}

fn cedar_request(c: &CedarSide, q: &Query) -> Res<cedar::Request> {
    let (action, context) = match q.action {
        Action::SendMessage => (
            c.send_message.clone(),
            cedar::Context::from_pairs([(
                "app".to_string(),
                cedar::RestrictedExpression::new_entity_uid(c.apps[q.app as usize].clone()),
            )])?,
        ),
        _ => (c.manage_directory.clone(), cedar::Context::empty()),
    };
    Ok(cedar::Request::new(
        c.principals[q.principal].clone(),
        action,
        c.members[q.member as usize].clone(),
        context,
        None,
    )?)
}

#[derive(Default)]
struct Outcome {
    bylaw: Lat,
    bylaw_allow: Lat,
    bylaw_deny: Lat,
    cedar: Lat,
    allowed: usize,
    compared: usize,
    disagree: usize,
    bylaw_vs_oracle: usize,
    cedar_vs_oracle: usize,
    cedar_errors: usize,
    examples: Vec<String>,
}

/// Runs `n` queries of `action` through bylaw (timed), the first `n_cedar`
/// also through Cedar (timed), and compares every answer with the other
/// engine and the oracle.
#[allow(clippy::too_many_arguments)]
fn run(
    t: &Tenant,
    m: &Model,
    c: &CedarSide,
    rng: &mut Rng,
    action: Action,
    n: usize,
    n_cedar: usize,
    mix: Mix,
    moved: &[u32],
) -> Res<Outcome> {
    let mut o = Outcome::default();
    o.bylaw.0.reserve(n);
    o.cedar.0.reserve(n_cedar);
    let mut done = 0;
    let mut queries = Vec::with_capacity(CHUNK);
    let mut resources = Vec::with_capacity(CHUNK);
    let mut requests = Vec::with_capacity(CHUNK);
    let mut answers = Vec::with_capacity(CHUNK);
    while done < n {
        let k = CHUNK.min(n - done);
        let k_cedar = k.min(n_cedar.saturating_sub(done));
        queries.clear();
        resources.clear();
        requests.clear();
        answers.clear();
        for _ in 0..k {
            let q = gen_query(m, rng, action, mix, moved);
            resources.push(resource(m, &q));
            queries.push(q);
        }
        for q in &queries[..k_cedar] {
            requests.push(cedar_request(c, q)?);
        }
        // bylaw: the resource is built, the actor id is a &str at hand.
        for (q, r) in queries.iter().zip(&resources) {
            let actor = m.principals[q.principal].as_str();
            let t0 = Instant::now();
            let allowed = black_box(t.check(black_box(actor), action, black_box(r))).allowed;
            let d = t0.elapsed();
            o.bylaw.push(d);
            if allowed {
                o.bylaw_allow.push(d);
                o.allowed += 1;
            } else {
                o.bylaw_deny.push(d);
            }
            answers.push(allowed);
        }
        // Cedar: the request is built, the store pre-built.
        for (i, req) in requests.iter().enumerate() {
            let t0 = Instant::now();
            let resp = black_box(c.authorizer.is_authorized(
                black_box(req),
                &c.policies,
                &c.entities,
            ));
            let allowed = resp.decision() == cedar::Decision::Allow;
            let errors = resp.diagnostics().errors().count();
            drop(resp);
            o.cedar.push(t0.elapsed());
            o.compared += 1;
            o.cedar_errors += errors;
            let q = &queries[i];
            let expected = m.oracle(q);
            if allowed != answers[i] {
                o.disagree += 1;
                if o.examples.len() < 5 {
                    let why = t.check(&m.principals[q.principal], action, &resources[i]);
                    o.examples.push(format!(
                        "{} {action} {}: bylaw {} cedar {} oracle {} — bylaw says: {}",
                        m.principals[q.principal],
                        resources[i],
                        answers[i],
                        allowed,
                        expected,
                        why.en
                    ));
                }
            }
            o.bylaw_vs_oracle += usize::from(answers[i] != expected);
            o.cedar_vs_oracle += usize::from(allowed != expected);
        }
        for (q, a) in queries.iter().zip(&answers).skip(k_cedar) {
            o.bylaw_vs_oracle += usize::from(*a != m.oracle(q));
        }
        done += k;
    }
    Ok(o)
}

fn report(name: &str, o: &mut Outcome) -> (u32, u32) {
    let n = o.bylaw.0.len();
    println!(
        "\n{name}: {n} queries, {:.1}% allowed",
        100.0 * o.allowed as f64 / n.max(1) as f64
    );
    println!("  bylaw check      {}", o.bylaw.summary());
    println!("    allowed        {}", o.bylaw_allow.summary());
    println!("    denied         {}", o.bylaw_deny.summary());
    println!("  cedar            {}", o.cedar.summary());
    let (b50, b99) = (o.bylaw.p(0.5), o.bylaw.p(0.99));
    let (c50, c99) = (o.cedar.p(0.5), o.cedar.p(0.99));
    if o.compared > 0 {
        println!(
            "  ratio bylaw/cedar  p50 {:.2}  p99 {:.2}",
            b50 as f64 / c50.max(1) as f64,
            b99 as f64 / c99.max(1) as f64
        );
    }
    agreement(o);
    (b99, c99)
}

fn agreement(o: &Outcome) {
    println!(
        "  agreement        {} compared with cedar, {} disagree; vs oracle: bylaw {} wrong, cedar {} wrong; cedar evaluation errors {}",
        o.compared, o.disagree, o.bylaw_vs_oracle, o.cedar_vs_oracle, o.cedar_errors
    );
    for e in &o.examples {
        println!("    ! {e}");
    }
}

// ----- main --------------------------------------------------------------------

fn main() -> Res<()> {
    let cfg = Config::from_args()?;
    let mut rng = Rng(cfg.seed);
    // The floor: what timing an empty region costs on this machine.
    let mut floor = Lat::default();
    for _ in 0..1_000_000 {
        let t0 = Instant::now();
        black_box(());
        floor.push(t0.elapsed());
    }
    println!("timer      empty timed region {}", floor.summary());
    let rss0 = rss_mib();
    let mut m = generate(&cfg, &mut rng);
    let rss_model = rss_mib();
    let t0 = Instant::now();
    let mut t = build(&m)?;
    let t_build = t0.elapsed();
    let rss_bylaw = rss_mib();
    println!(
        "           tenant built in {}; resident memory {:.0} MiB: {:.0} MiB process and bench model, +{:.0} MiB the tenant",
        ms(t_build),
        rss_bylaw,
        rss_model,
        rss_bylaw - rss_model
    );

    // Cedar on the same model.
    let t0 = Instant::now();
    let u = Uids::new(&m)?;
    let policies = cedar::PolicySet::from_str(POLICIES)?;
    let (entities, t_list, t_store) = cedar_store(&u, &m)?;
    let rss_cedar = rss_mib();
    println!(
        "cedar      cedar-policy {}: {} policies; {} entities made in {}, Entities::from_entities (transitive closure) {}; total {}; resident memory now {:.0} MiB (+{:.0} MiB)",
        cedar::get_sdk_version(),
        policies.policies().count(),
        entities.iter().count(),
        ms(t_list),
        ms(t_store),
        ms(t0.elapsed()),
        rss_cedar,
        rss_cedar - rss_bylaw
    );
    let mut c = CedarSide {
        policies,
        entities,
        authorizer: cedar::Authorizer::new(),
        principals: u.principals.clone(),
        members: u.members.clone(),
        apps: u.apps.clone(),
        manage_directory: uid("Action", "manageDirectory")?,
        send_message: uid("Action", "sendMessage")?,
    };

    // 1 + 3: check latency, Cedar side by side.
    let mut dir = run(
        &t,
        &m,
        &c,
        &mut rng,
        Action::ManageDirectory,
        cfg.queries,
        cfg.cedar_queries,
        Mix::Normal,
        &[],
    )?;
    let (b99d, _) = report("ManageDirectory on a member", &mut dir);
    let mut msg = run(
        &t,
        &m,
        &c,
        &mut rng,
        Action::SendMessage,
        cfg.queries,
        cfg.cedar_queries,
        Mix::Normal,
        &[],
    )?;
    let (b99m, _) = report("SendMessage (Message{app, to: Member})", &mut msg);
    let (dir_agree, msg_agree) = (dir.disagree, msg.disagree);

    // 2: department moves with re-scoping.
    let mids: Vec<u32> = (3..=7.min(m.by_depth.len() - 1))
        .flat_map(|k| m.by_depth[k].clone())
        .collect();
    let mut moves = Lat::default();
    let mut moved = Vec::new();
    let mut subtree_sizes = 0usize;
    while moved.len() < cfg.moves && !mids.is_empty() {
        let d = *rng.pick(&mids);
        let old = m.parent[d as usize];
        let level = &m.by_depth[m.depth[old as usize] as usize];
        let p = *rng.pick(level);
        if p == old || m.within(p, d) {
            continue;
        }
        let t0 = Instant::now();
        t.move_department(
            &m.principals[0],
            &m.dept_ids[d as usize],
            &m.dept_ids[p as usize],
        )?;
        moves.push(t0.elapsed());
        m.children[old as usize].retain(|x| *x != d);
        m.children[p as usize].push(d);
        m.parent[d as usize] = p;
        let mut stack = vec![d];
        while let Some(x) = stack.pop() {
            subtree_sizes += 1;
            stack.extend(&m.children[x as usize]);
        }
        moved.push((d, p));
    }
    // Cedar's equivalent, replayed afterwards (so neither engine's moves run
    // on caches the other just flushed): upsert the department with its new
    // parent; the store repairs the transitive closure.
    let mut cedar_moves = Lat::default();
    for (d, p) in moved.iter().take(cfg.cedar_moves) {
        let e = cedar::Entity::new_no_attrs(
            u.depts[*d as usize].clone(),
            HashSet::from([u.depts[*p as usize].clone()]),
        );
        let t0 = Instant::now();
        let store = std::mem::replace(&mut c.entities, cedar::Entities::empty());
        c.entities = store.upsert_entities([e], None)?;
        cedar_moves.push(t0.elapsed());
    }
    let moved: Vec<u32> = moved.into_iter().map(|(d, _)| d).collect();
    let n_moves = moved.len();
    let (move50, move_max) = (moves.p(0.5), moves.p(1.0));
    println!(
        "\nmoves: {n_moves} mid-level departments (depth 3..7, {:.0} departments per moved subtree) under another department one level up, by the creator",
        subtree_sizes as f64 / n_moves.max(1) as f64
    );
    println!("  bylaw move_department   {}", moves.summary());
    println!(
        "  cedar upsert_entities   {}   (first {} moves; the store repairs the transitive closure)",
        cedar_moves.summary(),
        cedar_moves.0.len()
    );
    let rss_moves = rss_mib();
    let mut total_disagree = dir_agree + msg_agree;

    // After the moves: bylaw against the updated Cedar store (if every move
    // went through it) and against a store rebuilt from scratch.
    if cfg.verify > 0 {
        let upserted_all = cfg.cedar_moves >= n_moves;
        if upserted_all {
            let mut o = run(
                &t,
                &m,
                &c,
                &mut rng,
                Action::ManageDirectory,
                cfg.verify,
                cfg.verify,
                Mix::Moved,
                &moved,
            )?;
            let mut o2 = run(
                &t,
                &m,
                &c,
                &mut rng,
                Action::SendMessage,
                cfg.verify,
                cfg.verify,
                Mix::Moved,
                &moved,
            )?;
            println!("\nafter the moves, cedar store updated by upsert_entities (a third of the members from moved subtrees):");
            print!("  ManageDirectory ");
            agreement(&o);
            print!("  SendMessage     ");
            agreement(&o2);
            println!(
                "  bylaw check after the moves: p99 {} (ManageDirectory) / {} (SendMessage)",
                ns(o.bylaw.p(0.99)),
                ns(o2.bylaw.p(0.99))
            );
            total_disagree += o.disagree + o2.disagree;
        }
        let (entities, t_list, t_store) = cedar_store(&u, &m)?;
        c.entities = entities;
        println!(
            "\nafter the moves, cedar store rebuilt from scratch ({} + {}):",
            ms(t_list),
            ms(t_store)
        );
        let o = run(
            &t,
            &m,
            &c,
            &mut rng,
            Action::ManageDirectory,
            cfg.verify,
            cfg.verify,
            Mix::Moved,
            &moved,
        )?;
        let o2 = run(
            &t,
            &m,
            &c,
            &mut rng,
            Action::SendMessage,
            cfg.verify,
            cfg.verify,
            Mix::Moved,
            &moved,
        )?;
        print!("  ManageDirectory ");
        agreement(&o);
        print!("  SendMessage     ");
        agreement(&o2);
        total_disagree += o.disagree + o2.disagree;
    }

    // 4: memory.
    println!(
        "\nmemory (resident, /proc/self/statm): {:.0} MiB at start, {:.0} MiB with the bench model, {:.0} MiB with the tenant (+{:.0} MiB), {:.0} MiB with the Cedar store too (+{:.0} MiB), {:.0} MiB after the moves",
        rss0,
        rss_model,
        rss_bylaw,
        rss_bylaw - rss_model,
        rss_cedar,
        rss_cedar - rss_bylaw,
        rss_moves
    );

    println!(
        "\nsummary: check p99 {} (ManageDirectory) / {} (SendMessage), target ≤ 5 µs: {}; move median {} max {}, target ≤ 10 ms: {}; bylaw/cedar disagreements {} (all comparisons)",
        ns(b99d),
        ns(b99m),
        if b99d.max(b99m) <= 5_000 { "met" } else { "MISSED" },
        ns(move50),
        ns(move_max),
        if move_max <= 10_000_000 { "met" } else { "MISSED" },
        total_disagree
    );
    Ok(())
}
