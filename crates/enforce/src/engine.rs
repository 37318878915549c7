//! The enforcement engine: a fold of events into state, the ladder
//! interpreter that turns a case into sanctions, and the queries.
//!
//! Nothing here knows a rule by name: which step applies comes from the
//! rule's penalty (own, inherited, `see`, escalated), its ladder kind, the
//! history of the target (or its subject and affiliates), and the operator's
//! recorded choice where the seed leaves one.

use std::collections::BTreeSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use bylaw_rulebook::{Action, Ladder, Penalty, Resolved, Rule, Rulebook, Scope, Step};

use crate::config::Config;
use crate::model::*;
use crate::seg::Seg;
use crate::time::{self, Time};

/// Why a command cannot be applied. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnforceError {
    /// An id names nothing.
    #[error("未知的{what} unknown {what_en} `{id}`")]
    Unknown {
        /// What, in Chinese.
        what: &'static str,
        /// What, in English.
        what_en: &'static str,
        /// The id.
        id: String,
    },
    /// The id is taken.
    #[error("已存在 already exists: {0}")]
    Exists(String),
    /// The rule states no penalty to apply.
    #[error("规则 {0} 没有处理规则，无法裁决 rule {0} states no penalty to apply")]
    NoPenalty(String),
    /// The operator must choose.
    #[error("需要选择 a choice is needed: {0}")]
    ChoiceNeeded(String),
    /// The choice is not one of the options.
    #[error("选择无效 invalid choice: {0}")]
    BadChoice(String),
    /// The transition is not allowed in the case's state.
    #[error("不允许的操作 not allowed: {0}")]
    NotAllowed(String),
    /// Time runs backwards.
    #[error("时间早于已记录的事件 time {given} is before the last event {last}")]
    BackInTime {
        /// Given time.
        given: String,
        /// Last event time.
        last: String,
    },
}

/// A small, fast hasher for the engine's string-keyed indexes (ids are not
/// attacker-chosen keys of a network service here; the server validates them).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        // murmur3's finaliser: every input bit reaches the low bits the table indexes with.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn unknown(what: &'static str, what_en: &'static str, id: &str) -> EnforceError {
    EnforceError::Unknown {
        what,
        what_en,
        id: id.to_string(),
    }
}

/// An id as a hash key: ids up to 24 bytes are stored inline, so a lookup
/// compares keys without following a pointer.
type Key = compact_str::CompactString;

/// A shared list of shared names.
type Names = Arc<[Arc<str>]>;

/// "No index" for the `u32` indexes of cases and targets.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct TargetRec {
    id: Arc<str>,
    kind: TargetKind,
    subject: Arc<str>,
    subject_idx: u32,
    platform: Arc<str>,
    /// The target's own sanctions, as the `can` index keeps them.
    slots: Slots,
    /// Its cases, oldest first (indexes into `State::cases`).
    cases: Vec<u32>,
}

/// The projection of the log. Targets and cases live in vectors and refer
/// to each other by `u32` index; ids are looked up once, at the boundary.
#[derive(Debug, Clone, Default)]
pub struct State {
    subjects: HashMap<String, String>,
    parent: HashMap<String, String>,
    target_ix: HashMap<Key, u32>,
    targets: Seg<TargetRec>,
    case_ix: HashMap<Key, u32>,
    cases: Seg<Case>,
    /// Cases by subject index (the subjects' `subject_index`).
    subject_cases: Vec<Vec<u32>>,
    members: HashMap<String, Vec<String>>,
    sanctions: Seg<Rec>,
    /// Rule ids named by sanctions, by index.
    names: Vec<Arc<str>>,
    name_ix: HashMap<Arc<str>, u32>,
    /// Capability names by interned id (`0` is `*`).
    cap_list: Vec<Arc<str>>,
    /// Action names by interned id.
    action_list: Vec<Arc<str>>,
    action_ix: HashMap<Action, u8>,
    /// Subject ids by subject index.
    subject_names: Vec<Arc<str>>,
    /// Voluntary withdrawals: their pseudo-case ids.
    withdrawal_ids: Vec<Arc<str>>,
    subject_index: HashMap<String, u32>,
    subject_slots: Vec<Slots>,
    by_group: HashMap<Arc<str>, Slots>,
    caps: HashMap<String, u8>,
    /// Notice texts of lapses, by deadline rule: the same for every lapse.
    lapse_texts: HashMap<String, (Arc<str>, Arc<str>)>,
    /// The `on_lapse` steps of deadlines, by rule (shared, not copied).
    lapse_steps: HashMap<Arc<str>, Vec<Arc<[Step]>>>,
    /// Notice texts of expiries, by capability.
    expiry_texts: HashMap<Arc<str>, (Arc<str>, Arc<str>)>,
    cap_names: HashMap<Arc<str>, Arc<str>>,
    /// Capabilities an action takes on a platform (the configured effects).
    effects: HashMap<(Arc<str>, Action), Names>,
    deadlines: Seg<Deadline>,
    pending: BTreeSet<(Time, usize)>,
    expiring: BTreeSet<(Time, usize)>,
    notices: Seg<Notice>,
    now: Time,
    events: u64,
}

/// Sanctions as the `can` index keeps them: up to [`GROUP`] consecutive
/// sanctions with the same term (one step's capabilities, such as the five
/// a delisting takes) share one 32-byte slot, stored inline per holder, so
/// answering touches one or two cache lines and a step adds one slot.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Sanction id of `caps[0]`; `caps[k]` is sanction `first + k`.
    first: u32,
    /// Interned capability ids, [`EMPTY`] after the last.
    caps: [u8; GROUP],
    start: Time,
    until: Time,
}

/// A sanction as the state stores it: 48 bytes of indexes and times. The
/// public [`Sanction`] is built from it when asked for
/// ([`Enforcer::sanction`]); millions of these are what a large deployment
/// holds, so every name is an index into a table of shared names.
#[derive(Debug, Clone, Copy)]
struct Rec {
    start: Time,
    /// [`NEVER`]: no fixed end.
    end: Time,
    /// [`NEVER`]: none.
    min_end: Time,
    /// [`NEVER`]: not revoked.
    revoked: Time,
    /// Case index, or [`WITHDRAWAL`] | index of a withdrawal.
    case: u32,
    /// Index into `State::names`.
    rule: u32,
    /// Target index ([`HOLD_TARGET`]) or subject index.
    holder: u32,
    cap: u8,
    action: u8,
    /// [`HOLD_TARGET`], [`HOLD_SUBJECT`] or [`HOLD_GROUP`].
    kind: u8,
    flags: u8,
}

/// "No such time" in a [`Rec`].
const NEVER: Time = Time::MAX;
/// Marks a [`Rec::case`] that indexes the withdrawals.
const WITHDRAWAL: u32 = 1 << 31;
const HOLD_TARGET: u8 = 0;
const HOLD_SUBJECT: u8 = 1;
const HOLD_GROUP: u8 = 2;
const UNTIL_RECTIFIED: u8 = 1;
const NEEDS_APPLICATION: u8 = 2;
const SHADOW: u8 = 4;
const FROM_LAPSE: u8 = 8;

fn opt(t: Time) -> Option<Time> {
    (t != NEVER).then_some(t)
}

impl Rec {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The end of the term it binds (`NEVER`: open).
    fn until(&self) -> Time {
        self.end.min(self.revoked)
    }
}

/// A holder's slots: the first two stored inline, in the holder's record.
type Slots = smallvec::SmallVec<[Slot; 2]>;

/// Sanctions per slot.
const GROUP: usize = 8;
/// The interned id of `*` (every capability).
const ALL_CAPS: u8 = 0;
/// An unused place in a slot.
const EMPTY: u8 = u8::MAX;
/// A place whose sanction moved to a slot of its own (its term changed).
const MOVED: u8 = u8::MAX - 1;
/// Capabilities the index can tell apart (ids `1..MAX_CAPS`).
const MAX_CAPS: usize = MOVED as usize - 1;

impl Slot {
    fn single(id: usize, cap: u8, start: Time, until: Time) -> Slot {
        let mut caps = [EMPTY; GROUP];
        caps[0] = cap;
        Slot {
            first: id as u32,
            caps,
            start,
            until,
        }
    }
}

/// The parts of a case a step needs.
struct CaseRef {
    id: Arc<str>,
    target: Arc<str>,
    cix: u32,
    tix: u32,
}

/// A step to apply, with the rule (or branch) it came from.
#[derive(Debug, Clone)]
struct Planned {
    step: Step,
    rule: String,
}

/// What a decision will do.
#[derive(Debug, Clone)]
struct Plan {
    penalty_rule: String,
    branch: Option<String>,
    offence: u32,
    steps: Vec<Planned>,
    discretionary: bool,
}

/// The engine: rulebook, configuration and state.
#[derive(Debug, Clone)]
pub struct Enforcer<'r> {
    rb: &'r Rulebook,
    config: Config,
    state: State,
    /// Capability id → Chinese name, for notices.
    cap_zh: HashMap<String, String>,
    /// Capabilities only a fresh application restores.
    needs_application: HashMap<String, ()>,
}

fn action_name(a: Action) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn action_zh(a: &str) -> &'static str {
    match a {
        "warning" => "警告",
        "rectify" => "限期整改",
        "limit-features" => "限制功能",
        "ban-capability" => "封禁能力",
        "remove-content" => "删除内容",
        "demote" => "降权",
        "unrecommend" => "取消推荐",
        "unsearchable" => "取消搜索",
        "delist" => "下架",
        "reject" => "审核不通过",
        "ban-account" => "封号",
        "suspend-service" => "暂停服务",
        "terminate" => "终止服务",
        "refuse-service" => "拒绝提供服务",
        "blacklist" => "列入黑名单",
        "revoke-verification" => "撤销认证",
        "withhold-settlement" => "暂停结算",
        "deduct-credit" => "扣减信用分",
        "claim-damages" => "追究赔偿",
        "report-to-authorities" => "移交有关部门",
        "withdraw" => "主动撤出推荐",
        _ => "其他处理",
    }
}

impl<'r> Enforcer<'r> {
    /// An empty engine.
    pub fn new(rb: &'r Rulebook, config: Config) -> Result<Self, String> {
        config.validate(rb)?;
        let n = rb.catalogue().capabilities.len();
        if n >= MAX_CAPS {
            return Err(format!(
                "the catalogue has {n} capabilities; the `can` index tells at most {} apart",
                MAX_CAPS - 1
            ));
        }
        let cap_zh = rb
            .catalogue()
            .capabilities
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        let needs_application = config
            .restore
            .needs_application
            .iter()
            .map(|c| (c.clone(), ()))
            .collect();
        Ok(Enforcer {
            rb,
            config,
            state: State::default(),
            cap_zh,
            needs_application,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of events applied.
    pub fn events(&self) -> u64 {
        self.state.events
    }

    /// The time of the latest event.
    pub fn now(&self) -> Time {
        self.state.now
    }

    fn find(&self, s: &str) -> String {
        let mut cur = s.to_string();
        let mut hops = 0;
        while let Some(p) = self.state.parent.get(&cur) {
            if *p == cur || hops > 10_000 {
                break;
            }
            cur = p.clone();
            hops += 1;
        }
        cur
    }

    fn target(&self, id: &str) -> Option<&TargetRec> {
        let ix = *self.state.target_ix.get(id)?;
        self.state.targets.get(ix as usize)
    }

    fn case_ref(&self, id: &str) -> Option<&Case> {
        let ix = *self.state.case_ix.get(id)?;
        self.state.cases.get(ix as usize)
    }

    fn case_mut(&mut self, id: &str) -> Option<&mut Case> {
        let ix = *self.state.case_ix.get(id)?;
        self.state.cases.get_mut(ix as usize)
    }

    /// Checks an event against the state without applying it.
    pub fn check(&self, ev: &Event) -> Result<(), EnforceError> {
        if ev.at() < self.state.now && !matches!(ev, Event::Tick { .. }) {
            return Err(EnforceError::BackInTime {
                given: time::format(ev.at()),
                last: time::format(self.state.now),
            });
        }
        match ev {
            Event::Subject { id, .. } => {
                if self.state.subjects.contains_key(id) {
                    return Err(EnforceError::Exists(format!("subject {id}")));
                }
            }
            Event::Affiliated { a, b, .. } => {
                for s in [a, b] {
                    if !self.state.subjects.contains_key(s) {
                        return Err(unknown("主体", "subject", s));
                    }
                }
                if a == b {
                    return Err(EnforceError::NotAllowed(
                        "a subject is not its own affiliate".into(),
                    ));
                }
            }
            Event::Target { id, subject, .. } => {
                if self.state.target_ix.contains_key(id.as_str()) {
                    return Err(EnforceError::Exists(format!("target {id}")));
                }
                if !self.state.subjects.contains_key(subject) {
                    return Err(unknown("主体", "subject", subject));
                }
            }
            Event::Violation {
                case, rule, target, ..
            } => {
                if self.state.case_ix.contains_key(case.as_str()) {
                    return Err(EnforceError::Exists(format!("case {case}")));
                }
                if !self.state.target_ix.contains_key(target.as_str()) {
                    return Err(unknown("对象", "target", target));
                }
                if self.rb.resolve(rule).is_none() {
                    return Err(unknown("规则", "rule", rule));
                }
            }
            Event::Decision {
                case,
                choice,
                reason,
                ..
            } => {
                let c = self.case(case)?;
                if c.status != CaseStatus::Open {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} is already decided"
                    )));
                }
                let plan = self.plan(c, choice)?;
                if plan.discretionary && reason.trim().is_empty() {
                    return Err(EnforceError::ChoiceNeeded(
                        "视情节处理须记录理由 the seed leaves this to discretion: give a reason"
                            .into(),
                    ));
                }
                for p in &plan.steps {
                    if p.step.action == Action::LimitFeatures
                        && p.step.capabilities.is_empty()
                        && choice.capabilities.is_empty()
                    {
                        return Err(EnforceError::ChoiceNeeded(
                            "限制功能须指明能力 `limit-features` needs --capability".into(),
                        ));
                    }
                    for cap in &choice.capabilities {
                        if self.rb.catalogue().capability(cap).is_none() {
                            return Err(unknown("能力", "capability", cap));
                        }
                    }
                    if p.step.action == Action::Rectify
                        && p.step.deadline.is_none()
                        && choice.length.is_none()
                    {
                        return Err(EnforceError::ChoiceNeeded(
                            "规则未给出整改期限 the seed gives no deadline: give --length DAYS"
                                .into(),
                        ));
                    }
                }
            }
            Event::Rectified { case, .. } => {
                let c = self.case(case)?;
                if !matches!(c.status, CaseStatus::Decided) {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} is {:?}: only a decided case can report a rectification",
                        c.status
                    )));
                }
            }
            Event::RectificationReviewed { case, .. } => {
                let c = self.case(case)?;
                if c.status != CaseStatus::Rectifying {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} has no rectification report to review"
                    )));
                }
            }
            Event::Appealed { case, at, .. } => {
                let c = self.case(case)?;
                if matches!(c.status, CaseStatus::Open | CaseStatus::Overturned) {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} is {:?}: nothing to appeal",
                        c.status
                    )));
                }
                if c.appeal_pending {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} already has an appeal pending"
                    )));
                }
                let (window, max) = self.config.appeal_limits(self.rb, &c.rule);
                if c.appeals >= max {
                    return Err(EnforceError::NotAllowed(format!(
                        "申诉次数已用完 case {case} allows {max} appeal(s)"
                    )));
                }
                if let (Some(days), Some(decided)) = (window, c.decided) {
                    let last = time::add(decided, days, bylaw_rulebook::TimeUnit::Days);
                    if *at > last {
                        return Err(EnforceError::NotAllowed(format!(
                            "申诉期已过 the appeal window of {days} days ended {}",
                            time::format(last)
                        )));
                    }
                }
            }
            Event::AppealResolved { case, .. } => {
                let c = self.case(case)?;
                if !c.appeal_pending {
                    return Err(EnforceError::NotAllowed(format!(
                        "case {case} has no pending appeal"
                    )));
                }
            }
            Event::Withdrawn { target, rule, .. } => {
                if !self.state.target_ix.contains_key(target.as_str()) {
                    return Err(unknown("对象", "target", target));
                }
                if self.rb.rule(rule).is_none() {
                    return Err(unknown("规则", "rule", rule));
                }
            }
            Event::Reinstated {
                target,
                capability,
                at,
            } => {
                if !self.state.target_ix.contains_key(target.as_str()) {
                    return Err(unknown("对象", "target", target));
                }
                let blocking = self
                    .binding(target, capability, *at)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|i| {
                        let s = &self.state.sanctions[*i];
                        !s.has(NEEDS_APPLICATION) || !self.restorable(s)
                    });
                if let Some(i) = blocking {
                    let s = &self.state.sanctions[i];
                    return Err(EnforceError::NotAllowed(format!(
                        "{capability} is still banned by case {} ({})",
                        self.case_name(s.case),
                        self.state.names[s.rule as usize]
                    )));
                }
            }
            Event::Tick { .. } => {}
        }
        Ok(())
    }

    fn restorable(&self, s: &Rec) -> bool {
        s.case & WITHDRAWAL != 0
            || self
                .state
                .cases
                .get(s.case as usize)
                .is_some_and(|c| c.status == CaseStatus::Restored)
    }

    /// The id of a sanction's case (or withdrawal).
    fn case_name(&self, case: u32) -> &Arc<str> {
        static NO_CASE: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        let found = if case & WITHDRAWAL != 0 {
            self.state.withdrawal_ids.get((case & !WITHDRAWAL) as usize)
        } else {
            self.state.cases.get(case as usize).map(|c| &c.key)
        };
        found.unwrap_or_else(|| NO_CASE.get_or_init(|| Arc::from("")))
    }

    /// Who a sanction binds.
    fn holder_of(&self, s: &Rec) -> Holder {
        let name = |v: Option<&Arc<str>>| v.cloned().unwrap_or_else(|| Arc::from(""));
        match s.kind {
            HOLD_TARGET => Holder::Target(name(
                self.state.targets.get(s.holder as usize).map(|t| &t.id),
            )),
            HOLD_SUBJECT => Holder::Subject(name(self.state.subject_names.get(s.holder as usize))),
            _ => Holder::Group(name(self.state.subject_names.get(s.holder as usize))),
        }
    }

    /// Who a sanction binds, borrowed.
    fn holder_ref(&self, s: &Rec) -> HolderRef<'_> {
        let subject = || {
            self.state
                .subject_names
                .get(s.holder as usize)
                .map_or("", |n| &**n)
        };
        match s.kind {
            HOLD_TARGET => HolderRef::Target(
                self.state
                    .targets
                    .get(s.holder as usize)
                    .map_or("", |t| &*t.id),
            ),
            HOLD_SUBJECT => HolderRef::Subject(subject()),
            _ => HolderRef::Group(subject()),
        }
    }

    /// The sanction with index `id`, as the public record.
    pub fn sanction(&self, id: usize) -> Option<Sanction> {
        let s = self.state.sanctions.get(id)?;
        Some(Sanction {
            id,
            case: self.case_name(s.case).clone(),
            rule: self.state.names[s.rule as usize].clone(),
            action: self.state.action_list[s.action as usize].clone(),
            holder: self.holder_of(s),
            capability: self.state.cap_list[s.cap as usize].clone(),
            start: s.start,
            end: opt(s.end),
            until_rectified: s.has(UNTIL_RECTIFIED),
            min_end: opt(s.min_end),
            revoked_at: opt(s.revoked),
            needs_application: s.has(NEEDS_APPLICATION),
            shadow: s.has(SHADOW),
            from_lapse: s.has(FROM_LAPSE),
        })
    }

    fn case(&self, id: &str) -> Result<&Case, EnforceError> {
        self.case_ref(id).ok_or_else(|| unknown("案件", "case", id))
    }

    /// Checks and applies an event.
    pub fn execute(&mut self, ev: &Event) -> Result<(), EnforceError> {
        self.check(ev)?;
        self.apply(ev);
        Ok(())
    }

    /// Applies an event from the log (already checked when it was written).
    pub fn apply(&mut self, ev: &Event) {
        self.state.events += 1;
        let at = ev.at();
        match ev {
            Event::Subject { id, name, .. } => {
                self.state.subjects.insert(id.clone(), name.clone());
                self.state.members.insert(id.clone(), vec![id.clone()]);
                let idx = self.state.subject_slots.len() as u32;
                self.state.subject_index.insert(id.clone(), idx);
                self.state.subject_slots.push(Slots::new());
                self.state.subject_cases.push(Vec::new());
                self.state.subject_names.push(Arc::from(id.as_str()));
            }
            Event::Affiliated { a, b, .. } => {
                let (ra, rb_) = (self.find(a), self.find(b));
                if ra != rb_ {
                    // Union by size: the smaller group joins the larger.
                    let (big, small) = if self.state.members.get(&ra).map_or(0, Vec::len)
                        >= self.state.members.get(&rb_).map_or(0, Vec::len)
                    {
                        (ra, rb_)
                    } else {
                        (rb_, ra)
                    };
                    let moved = self.state.members.remove(&small).unwrap_or_default();
                    self.state
                        .members
                        .entry(big.clone())
                        .or_default()
                        .extend(moved);
                    self.state.parent.insert(small, big);
                }
            }
            Event::Target {
                id,
                kind,
                subject,
                platform,
                ..
            } => {
                let ix = self.state.targets.len() as u32;
                self.state.target_ix.insert(Key::from(id.as_str()), ix);
                self.state.targets.push(TargetRec {
                    id: Arc::from(id.as_str()),
                    cases: Vec::new(),
                    kind: *kind,
                    subject: Arc::from(subject.as_str()),
                    subject_idx: self
                        .state
                        .subject_index
                        .get(subject)
                        .copied()
                        .unwrap_or(u32::MAX),
                    platform: Arc::from(platform.as_str()),
                    slots: Slots::new(),
                });
            }
            Event::Violation {
                case,
                rule,
                target,
                origin,
                evidence,
                at,
            } => {
                let cix = self.state.cases.len() as u32;
                let tix = self
                    .state
                    .target_ix
                    .get(target.as_str())
                    .copied()
                    .unwrap_or(NONE);
                self.state.case_ix.insert(Key::from(case.as_str()), cix);
                self.state.cases.push(Case {
                    cix,
                    tix,
                    key: Arc::from(case.as_str()),
                    id: case.clone(),
                    rule: rule.clone(),
                    target: target.clone(),
                    origin: *origin,
                    evidence: evidence.clone(),
                    opened: *at,
                    status: CaseStatus::Open,
                    penalty_rule: None,
                    branch: None,
                    offence: 0,
                    steps: Vec::new(),
                    decided: None,
                    shadow: false,
                    appeals: 0,
                    appeal_pending: false,
                    sanctions: Vec::new(),
                    deadlines: Vec::new(),
                    reason: String::new(),
                });
                if let Some(t) = self.state.targets.get_mut(tix as usize) {
                    t.cases.push(cix);
                    if let Some(v) = self.state.subject_cases.get_mut(t.subject_idx as usize) {
                        v.push(cix);
                    }
                }
            }
            Event::Decision {
                case,
                choice,
                reason,
                ..
            } => self.decide(case, choice, reason, at),
            Event::Rectified { case, .. } => {
                if let Some(c) = self.case_mut(case) {
                    c.status = CaseStatus::Rectifying;
                }
                self.notify(
                    case,
                    "rectification-reported",
                    "已收到整改报告，等待审核",
                    "rectification report received",
                    at,
                );
            }
            Event::RectificationReviewed {
                case,
                accepted,
                reason,
                ..
            } => self.review_rectification(case, *accepted, reason, at),
            Event::Appealed { case, .. } => {
                if let Some(c) = self.case_mut(case) {
                    c.appeals += 1;
                    c.appeal_pending = true;
                }
                self.notify(case, "appeal-filed", "已收到申诉", "appeal received", at);
            }
            Event::AppealResolved {
                case, overturned, ..
            } => self.resolve_appeal(case, *overturned, at),
            Event::Withdrawn { target, rule, .. } => self.withdraw(target, rule, at),
            Event::Reinstated {
                target, capability, ..
            } => {
                let ids = self.binding(target, capability, at).unwrap_or_default();
                for i in ids {
                    let s = &self.state.sanctions[i];
                    if s.has(NEEDS_APPLICATION) && self.restorable(s) {
                        self.state.sanctions[i].revoked = at;
                        self.sync(i);
                    }
                }
                self.notify_target(
                    target,
                    "",
                    "reinstated",
                    &format!("「{capability}」已恢复"),
                    &format!("{capability} reinstated"),
                    at,
                );
            }
            Event::Tick { now } => self.tick(*now),
        }
        self.state.now = self.state.now.max(at);
    }

    /// Cases counted as history for a ladder: decided, not overturned, not shadow.
    fn counted(&self, c: &Case) -> bool {
        c.decided.is_some() && c.status != CaseStatus::Overturned && !c.shadow
    }

    /// Prior counted cases of `rule` (and branch) for the target, or for its
    /// subject and affiliates when `wide`.
    fn prior(&self, tix: u32, wide: bool, matches: impl Fn(&Case) -> bool) -> u32 {
        let Some(t) = self.state.targets.get(tix as usize) else {
            return 0;
        };
        let count = |ids: &[u32]| {
            ids.iter()
                .filter_map(|i| self.state.cases.get(*i as usize))
                .filter(|c| self.counted(c) && matches(c))
                .count() as u32
        };
        if !wide {
            return count(&t.cases);
        }
        let root = self.find(&t.subject);
        self.state
            .members
            .get(&root)
            .into_iter()
            .flatten()
            .filter_map(|s| self.state.subject_index.get(s.as_str()))
            .filter_map(|i| self.state.subject_cases.get(*i as usize))
            .map(|v| count(v))
            .sum()
    }

    fn plan(&self, c: &Case, choice: &Choice) -> Result<Plan, EnforceError> {
        let resolved = self
            .rb
            .resolve(&c.rule)
            .ok_or_else(|| unknown("规则", "rule", &c.rule))?;
        let (owner, named_branch) = match resolved {
            Resolved::Rule(r) => (r, None),
            Resolved::Branch(r, b) => (r, Some(b.id.clone())),
        };
        let mut gov: &Rule = self
            .rb
            .penalty_rule(&owner.id)
            .ok_or_else(|| EnforceError::NoPenalty(c.rule.clone()))?;
        // A repeat of the same level rises one level (subject-wide history).
        let mut guard = 0;
        while let Some(next) = gov
            .penalty
            .as_ref()
            .and_then(|p| p.escalate_on_repeat.clone())
        {
            let here = gov.id.clone();
            if self.prior(c.tix, true, |x| {
                x.penalty_rule.as_deref() == Some(here.as_str())
            }) == 0
                || guard > 10
            {
                break;
            }
            match self.rb.rule(&next) {
                Some(r) => gov = r,
                None => break,
            }
            guard += 1;
        }
        let penalty: &Penalty = gov
            .penalty
            .as_ref()
            .ok_or_else(|| EnforceError::NoPenalty(gov.id.clone()))?;
        let wide = penalty.affiliates;
        let mut plan = Plan {
            penalty_rule: gov.id.clone(),
            branch: None,
            offence: 1,
            steps: Vec::new(),
            discretionary: penalty.discretionary,
        };
        if !penalty.branches.is_empty() {
            let wanted = named_branch.or_else(|| {
                choice.branch.as_ref().map(|b| {
                    if b.contains('/') {
                        b.clone()
                    } else {
                        format!("{}.penalty.{b}", gov.id)
                    }
                })
            });
            let branches: Vec<&bylaw_rulebook::Branch> = match (penalty.ladder, &wanted) {
                (_, Some(w)) => {
                    let b = penalty
                        .branches
                        .iter()
                        .find(|b| &b.id == w)
                        .ok_or_else(|| {
                            EnforceError::BadChoice(format!(
                                "branch {w}; options: {}",
                                penalty
                                    .branches
                                    .iter()
                                    .map(|b| b.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })?;
                    vec![b]
                }
                (Ladder::All, None) => penalty.branches.iter().collect(),
                (_, None) => {
                    return Err(EnforceError::ChoiceNeeded(format!(
                        "which branch (--branch): {}",
                        penalty
                            .branches
                            .iter()
                            .map(|b| format!("{} ({})", b.id, b.condition))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )))
                }
            };
            if branches.len() == 1 {
                plan.branch = Some(branches[0].id.clone());
            }
            for b in branches {
                let bid = b.id.clone();
                let n = self.prior(c.tix, wide, |x| {
                    x.penalty_rule.as_deref() == Some(gov.id.as_str())
                        && x.branch.as_deref() == Some(bid.as_str())
                }) + 1;
                plan.offence = n;
                plan.discretionary |= b.discretionary;
                let picked = self.pick(b.ladder, b.discretionary, &b.steps, n, choice)?;
                plan.steps.extend(picked.into_iter().map(|s| Planned {
                    step: s,
                    rule: b.id.clone(),
                }));
            }
        } else {
            let gid = gov.id.clone();
            let n = self.prior(c.tix, wide, |x| {
                x.penalty_rule.as_deref() == Some(gid.as_str())
            }) + 1;
            plan.offence = n;
            let picked = self.pick(
                penalty.ladder,
                penalty.discretionary,
                &penalty.steps,
                n,
                choice,
            )?;
            plan.steps = picked
                .into_iter()
                .map(|s| Planned {
                    step: s,
                    rule: gid.clone(),
                })
                .collect();
        }
        Ok(plan)
    }

    /// Picks the steps of one ladder for the n-th offence.
    fn pick(
        &self,
        ladder: Ladder,
        discretionary: bool,
        steps: &[Step],
        n: u32,
        choice: &Choice,
    ) -> Result<Vec<Step>, EnforceError> {
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let by_index = |idx: &[usize]| -> Result<Vec<Step>, EnforceError> {
            idx.iter()
                .map(|i| {
                    steps.get(*i).cloned().ok_or_else(|| {
                        EnforceError::BadChoice(format!(
                            "step {i}; the ladder has steps 0..{}",
                            steps.len() - 1
                        ))
                    })
                })
                .collect()
        };
        let options = || {
            steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut d = format!("{i}: {}", action_name(s.action));
                    if let Some(w) = &s.when {
                        d.push_str(&format!(" ({w})"));
                    }
                    if let Some(x) = &s.duration {
                        d.push_str(&format!(" {x}"));
                    }
                    d
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        match ladder {
            Ladder::All => Ok(steps.to_vec()),
            Ladder::Repeat => {
                let max = steps
                    .iter()
                    .filter_map(|s| s.offence)
                    .max()
                    .unwrap_or(steps.len() as u32);
                let k = n.min(max);
                let chosen: Vec<Step> = if steps.iter().any(|s| s.offence.is_some()) {
                    steps
                        .iter()
                        .filter(|s| s.offence == Some(k))
                        .cloned()
                        .collect()
                } else {
                    steps
                        .get((k as usize).saturating_sub(1))
                        .cloned()
                        .into_iter()
                        .collect()
                };
                Ok(chosen)
            }
            Ladder::ByCase => {
                if !choice.steps.is_empty() {
                    return by_index(&choice.steps);
                }
                match &choice.case {
                    Some(w) => {
                        let s: Vec<Step> = steps
                            .iter()
                            .filter(|s| {
                                s.when
                                    .as_deref()
                                    .is_some_and(|x| x.contains(w.as_str()) || w.contains(x))
                            })
                            .cloned()
                            .collect();
                        if s.is_empty() {
                            Err(EnforceError::BadChoice(format!(
                                "case `{w}`; options: {}",
                                options()
                            )))
                        } else {
                            Ok(s)
                        }
                    }
                    None => Err(EnforceError::ChoiceNeeded(format!(
                        "which case (--case or --step): {}",
                        options()
                    ))),
                }
            }
            Ladder::Choice => {
                if choice.steps.is_empty() {
                    Err(EnforceError::ChoiceNeeded(format!(
                        "which step(s) (--step): {}",
                        options()
                    )))
                } else {
                    by_index(&choice.steps)
                }
            }
            Ladder::Graduated => {
                if !choice.steps.is_empty() {
                    return by_index(&choice.steps);
                }
                if discretionary && steps.len() > 1 {
                    return Err(EnforceError::ChoiceNeeded(format!(
                        "根据违规程度选择 the seed leaves the step to discretion (--step N, with --reason): {}",
                        options()
                    )));
                }
                let i = (n as usize).saturating_sub(1).min(steps.len() - 1);
                Ok(vec![steps[i].clone()])
            }
        }
    }

    fn decide(&mut self, case: &str, choice: &Choice, reason: &str, at: Time) {
        let Some(c) = self.case_ref(case).cloned() else {
            return;
        };
        let Ok(plan) = self.plan(&c, choice) else {
            return;
        };
        let shadow = self.config.is_shadow(&c.rule) || self.config.is_shadow(&plan.penalty_rule);
        if let Some(cm) = self.state.cases.get_mut(c.cix as usize) {
            cm.status = CaseStatus::Decided;
            cm.penalty_rule = Some(plan.penalty_rule.clone());
            cm.branch = plan.branch.clone();
            cm.offence = plan.offence;
            cm.decided = Some(at);
            cm.shadow = shadow;
            cm.reason = reason.to_string();
        }
        let mut described = Vec::new();
        let cref = CaseRef {
            id: c.key.clone(),
            target: self
                .state
                .targets
                .get(c.tix as usize)
                .map_or_else(|| Arc::from(c.target.as_str()), |t| t.id.clone()),
            cix: c.cix,
            tix: c.tix,
        };
        for p in &plan.steps {
            let rule: Arc<str> = Arc::from(p.rule.as_str());
            described.extend(self.apply_step(&cref, &p.step, &rule, at, choice, shadow, false));
        }
        if let Some(cm) = self.state.cases.get_mut(c.cix as usize) {
            cm.steps = described.clone();
        }
        let quote_rule = plan.branch.clone().unwrap_or(plan.penalty_rule.clone());
        let (window, max) = self.config.appeal_limits(self.rb, &c.rule);
        let appeal = match window {
            Some(d) => format!("可在 {d} 日内申诉（{max} 次）"),
            None => format!("可申诉（{max} 次）"),
        };
        let text = format!(
            "{}违反 {}（第 {} 次）：{}。{}",
            if shadow {
                "【试运行，未执行】"
            } else {
                ""
            },
            c.rule,
            plan.offence,
            described.join("；"),
            appeal
        );
        let text_en = format!(
            "{}violation of {} (offence {}): {}",
            if shadow { "[shadow, not applied] " } else { "" },
            c.rule,
            plan.offence,
            described.join("; ")
        );
        self.push_notice(&c.target, case, "decision", &quote_rule, text, text_en, at);
    }

    /// Who a step binds: (holder kind, target or subject index).
    fn holder_ix(&self, tix: u32, scope: Option<Scope>) -> (u8, u32) {
        let subject = self
            .state
            .targets
            .get(tix as usize)
            .map_or(NONE, |t| t.subject_idx);
        match scope {
            None => (HOLD_TARGET, tix),
            Some(Scope::Subject) | Some(Scope::AllApps) => (HOLD_SUBJECT, subject),
            Some(Scope::SubjectAndAffiliates) => (HOLD_GROUP, subject),
        }
    }

    /// The steps a deadline of `rule` applies when it lapses, shared by
    /// every deadline with the same steps.
    fn lapse_steps(&mut self, rule: &Arc<str>, steps: &[Step]) -> Arc<[Step]> {
        let known = self.state.lapse_steps.entry(rule.clone()).or_default();
        if let Some(s) = known.iter().find(|s| ***s == *steps) {
            return s.clone();
        }
        let s: Arc<[Step]> = Arc::from(steps);
        known.push(s.clone());
        s
    }

    /// The interned index of a rule id.
    fn name_id(&mut self, name: &Arc<str>) -> u32 {
        if let Some(i) = self.state.name_ix.get(name) {
            return *i;
        }
        let i = self.state.names.len() as u32;
        self.state.names.push(name.clone());
        self.state.name_ix.insert(name.clone(), i);
        i
    }

    /// Applies one step from `start`; returns its description.
    #[allow(clippy::too_many_arguments)]
    fn apply_step(
        &mut self,
        c: &CaseRef,
        step: &Step,
        rule: &Arc<str>,
        start: Time,
        choice: &Choice,
        shadow: bool,
        from_lapse: bool,
    ) -> Vec<String> {
        let describe = !from_lapse || !self.state.lapse_texts.contains_key(&**rule);
        let start = match &step.after {
            Some(a) => time::end_of(start, a, None).unwrap_or(start),
            None => start,
        };
        let platform = self
            .state
            .targets
            .get(c.tix as usize)
            .map(|t| t.platform.clone())
            .unwrap_or_else(|| Arc::from(""));
        match step.action {
            Action::Rectify => {
                let due = match &step.deadline {
                    Some(d) => time::end_of(start, d, None).unwrap_or(start),
                    None => time::add(
                        start,
                        choice.length.unwrap_or(0),
                        bylaw_rulebook::TimeUnit::Days,
                    ),
                };
                let id = self.state.deadlines.len();
                let on_lapse = self.lapse_steps(rule, &step.on_lapse);
                self.state.deadlines.push(Deadline {
                    id,
                    case: c.id.clone(),
                    rule: rule.clone(),
                    target: c.target.clone(),
                    due,
                    on_lapse,
                    lapsed: false,
                    cancelled: false,
                    shadow,
                    cix: c.cix,
                    tix: c.tix,
                });
                if !shadow {
                    self.state.pending.insert((due, id));
                }
                if let Some(cm) = self.state.cases.get_mut(c.cix as usize) {
                    cm.deadlines.push(id);
                }
                let lapse: Vec<String> = step
                    .on_lapse
                    .iter()
                    .map(|s| self.describe(s, &platform, choice))
                    .collect();
                vec![format!(
                    "限期整改至 {}，逾期未整改则{}",
                    time::format(due),
                    if lapse.is_empty() {
                        "按规则处理".to_string()
                    } else {
                        lapse.join("、")
                    }
                )]
            }
            _ => {
                let named = match step.action {
                    Action::BanCapability => Some(&step.capabilities),
                    Action::LimitFeatures if step.capabilities.is_empty() => {
                        Some(&choice.capabilities)
                    }
                    Action::LimitFeatures => Some(&step.capabilities),
                    _ => None,
                };
                let caps: Arc<[Arc<str>]> = match named {
                    Some(v) => v.iter().map(|x| self.cap_name(x)).collect(),
                    None => self.effect_caps(&platform, step.action),
                };
                let mut end = step
                    .duration
                    .as_ref()
                    .and_then(|d| time::end_of(start, d, choice.length));
                let mut min_end = None;
                if step.until_rectified {
                    min_end = end;
                    end = None;
                }
                let rule_ix = self.name_id(rule);
                let action_ix = self.action_id(step.action);
                let (kind, hix) = self.holder_ix(c.tix, step.scope);
                let base = if step.until_rectified {
                    UNTIL_RECTIFIED
                } else {
                    0
                } | if shadow { SHADOW } else { 0 }
                    | if from_lapse { FROM_LAPSE } else { 0 };
                for cap in caps.iter() {
                    let cap_ix = self.cap_id(cap);
                    let needs = if self.needs_application.contains_key(&**cap) {
                        NEEDS_APPLICATION
                    } else {
                        0
                    };
                    let s = Rec {
                        start,
                        end: end.unwrap_or(NEVER),
                        min_end: min_end.unwrap_or(NEVER),
                        revoked: NEVER,
                        case: c.cix,
                        rule: rule_ix,
                        holder: hix,
                        cap: cap_ix,
                        action: action_ix,
                        kind,
                        flags: base | needs,
                    };
                    let id = self.state.sanctions.push(s);
                    if let Some(e) = end {
                        self.state.expiring.insert((e, id));
                    }
                    self.index(id);
                    if let Some(cm) = self.state.cases.get_mut(c.cix as usize) {
                        cm.sanctions.push(id);
                    }
                }
                if describe {
                    vec![self.describe(step, &platform, choice)]
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn describe(&self, step: &Step, platform: &str, choice: &Choice) -> String {
        let action = action_name(step.action);
        let mut d = action_zh(&action).to_string();
        let caps: Vec<String> = match step.action {
            Action::BanCapability => step.capabilities.clone(),
            Action::LimitFeatures if step.capabilities.is_empty() => choice.capabilities.clone(),
            Action::LimitFeatures => step.capabilities.clone(),
            _ => Vec::new(),
        };
        if !caps.is_empty() {
            let names: Vec<String> = caps
                .iter()
                .map(|c| self.cap_zh.get(c).cloned().unwrap_or_else(|| c.clone()))
                .collect();
            d.push_str(&format!("「{}」", names.join("、")));
        } else if let Some(e) = self.config.effect(platform, &action) {
            if !e.is_empty() && step.action != Action::BanCapability {
                d.push_str(&format!("（{}）", e.join(", ")));
            }
        }
        if let Some(x) = &step.duration {
            if x.permanent {
                d.push_str("，永久");
            } else if let Some(len) = choice.length.filter(|_| !x.is_fixed()) {
                d.push_str(&format!(
                    "，{len}{}",
                    x.text
                        .trim_end_matches('+')
                        .trim_start_matches(char::is_numeric)
                        .trim_start_matches('-')
                        .trim_start_matches(char::is_numeric)
                ));
            } else {
                d.push_str(&format!("，{}", x.text));
            }
        }
        if step.until_rectified {
            d.push_str("，直至整改完成");
        }
        if let Some(a) = &step.after {
            d.push_str(&format!("（{a} 后生效）"));
        }
        if let Some(scope) = step.scope {
            d.push_str(match scope {
                Scope::Subject | Scope::AllApps => "，及于同一主体的全部帐号",
                Scope::SubjectAndAffiliates => "，及于主体及其关联主体",
            });
        }
        d
    }

    fn review_rectification(&mut self, case: &str, accepted: bool, reason: &str, at: Time) {
        if !accepted {
            let overdue: Vec<usize> = match self.case_mut(case) {
                Some(c) => {
                    c.status = CaseStatus::Decided;
                    c.deadlines.clone()
                }
                None => Vec::new(),
            };
            // A deadline that passed while the report was under review lapses now.
            for d in overdue {
                let due = self.state.deadlines[d].due;
                if due <= at && self.state.pending.remove(&(due, d)) {
                    self.lapse(d, at);
                }
            }
            let text = format!("整改报告未通过：{reason}");
            self.notify(
                case,
                "rectification-rejected",
                &text,
                &format!("rectification rejected: {reason}"),
                at,
            );
            return;
        }
        let Some(c) = self.case_mut(case) else {
            return;
        };
        c.status = CaseStatus::Restored;
        let sanctions = c.sanctions.clone();
        let deadlines = c.deadlines.clone();
        for d in deadlines {
            let dl = &mut self.state.deadlines[d];
            if !dl.lapsed && !dl.cancelled {
                dl.cancelled = true;
                self.state.pending.remove(&(dl.due, d));
            }
        }
        for i in sanctions {
            let s = &mut self.state.sanctions[i];
            // Restoration ends what waits for the rectification and what a
            // lapsed deadline applied; fixed terms run their course, and
            // recommendation and search need a fresh application.
            let restorable = s.has(UNTIL_RECTIFIED) || s.has(FROM_LAPSE);
            if s.revoked != NEVER || !restorable || s.has(NEEDS_APPLICATION) {
                continue;
            }
            let end = opt(s.min_end).map_or(at, |m| m.max(at));
            if s.has(UNTIL_RECTIFIED) {
                s.end = end;
                self.state.expiring.insert((end, i));
            } else {
                s.revoked = at;
            }
            self.sync(i);
        }
        self.notify(
            case,
            "restored",
            "整改已通过，恢复至处理前状态（推荐与搜索须重新申请）",
            "rectification accepted: restored (recommendation and search need a fresh application)",
            at,
        );
    }

    fn resolve_appeal(&mut self, case: &str, overturned: bool, at: Time) {
        let Some(c) = self.case_mut(case) else {
            return;
        };
        c.appeal_pending = false;
        if !overturned {
            self.notify(
                case,
                "appeal-upheld",
                "申诉未获支持，维持原处理",
                "appeal rejected: decision upheld",
                at,
            );
            return;
        }
        c.status = CaseStatus::Overturned;
        let sanctions = c.sanctions.clone();
        let deadlines = c.deadlines.clone();
        for i in sanctions {
            let s = &mut self.state.sanctions[i];
            if s.revoked == NEVER {
                s.revoked = at.max(s.start);
                self.sync(i);
            }
        }
        for d in deadlines {
            let dl = &mut self.state.deadlines[d];
            if !dl.lapsed {
                dl.cancelled = true;
                self.state.pending.remove(&(dl.due, d));
            }
        }
        self.notify(
            case,
            "appeal-overturned",
            "申诉成立，撤销原处理并恢复",
            "appeal upheld: the decision and all it caused are reverted",
            at,
        );
    }

    fn withdraw(&mut self, target: &str, rule: &str, at: Time) {
        let n = self.state.withdrawal_ids.len();
        let case = format!("withdrawal:{target}:{}", n + 1);
        let tix = self.state.target_ix.get(target).copied().unwrap_or(NONE);
        let platform = self
            .state
            .targets
            .get(tix as usize)
            .map(|t| t.platform.clone())
            .unwrap_or_else(|| Arc::from(""));
        let caps = self
            .config
            .effect(&platform, "withdraw")
            .cloned()
            .unwrap_or_default();
        let case: Arc<str> = Arc::from(case.as_str());
        self.state.withdrawal_ids.push(case.clone());
        let rule_ix = self.name_id(&Arc::from(rule));
        let action = self.action_named("withdraw");
        for cap in caps {
            let cap = self.cap_id(&cap);
            let id = self.state.sanctions.push(Rec {
                start: at,
                end: NEVER,
                min_end: NEVER,
                revoked: NEVER,
                case: WITHDRAWAL | n as u32,
                rule: rule_ix,
                holder: tix,
                cap,
                action,
                kind: HOLD_TARGET,
                flags: NEEDS_APPLICATION,
            });
            self.index(id);
        }
        self.notify_target(
            target,
            &case,
            "withdrawn",
            "已主动撤出推荐；已安装用户可继续使用",
            "withdrawn from recommendation; existing installs keep working",
            at,
        );
    }

    fn tick(&mut self, now: Time) {
        // Everything due by `now`, taken off the queue in one split.
        let later = match now.checked_add(1) {
            Some(n) => self.state.pending.split_off(&(n, 0)),
            None => BTreeSet::new(),
        };
        let due = std::mem::replace(&mut self.state.pending, later);
        for (t, d) in due {
            let status = self
                .state
                .cases
                .get(self.state.deadlines[d].cix as usize)
                .map(|c| c.status);
            // A report filed in time suspends the deadline until it is
            // reviewed: it stays pending, and a rejection lapses it.
            if status == Some(CaseStatus::Rectifying) {
                self.state.pending.insert((t, d));
                continue;
            }
            self.lapse(d, t);
        }
        let later = match now.checked_add(1) {
            Some(n) => self.state.expiring.split_off(&(n, 0)),
            None => BTreeSet::new(),
        };
        let expired = std::mem::replace(&mut self.state.expiring, later);
        for (t, i) in expired {
            let s = self.state.sanctions[i];
            if s.revoked <= t || s.has(SHADOW) || s.end != t {
                continue;
            }
            let tix = if s.kind == HOLD_TARGET {
                s.holder
            } else {
                NONE
            };
            let case = self.case_name(s.case).clone();
            let rule = self.state.names[s.rule as usize].clone();
            let cap = self.state.cap_list[s.cap as usize].clone();
            let target = match self.holder_of(&s) {
                Holder::Target(x) | Holder::Subject(x) | Holder::Group(x) => x,
            };
            let (text, en) = match self.state.expiry_texts.get(&cap) {
                Some(x) => x.clone(),
                None => {
                    let x: (Arc<str>, Arc<str>) = (
                        Arc::from(format!("「{cap}」限制期满")),
                        Arc::from(format!("{cap} restriction ended")),
                    );
                    self.state.expiry_texts.insert(cap, x.clone());
                    x
                }
            };
            self.push_arc(target, tix, case, "expired", rule, text, en, t);
        }
    }

    /// Applies a deadline's steps from `when`, unless it no longer can lapse.
    fn lapse(&mut self, d: usize, when: Time) {
        let (case_id, rule, steps, done) = {
            let dl = &mut self.state.deadlines[d];
            // The steps are shared with every deadline of the same rule.
            let steps = dl.on_lapse.clone();
            (
                dl.case.clone(),
                dl.rule.clone(),
                steps,
                dl.cancelled || dl.lapsed,
            )
        };
        let (cix, tix) = (self.state.deadlines[d].cix, self.state.deadlines[d].tix);
        let Some(c) = self.state.cases.get(cix as usize) else {
            return;
        };
        if done || matches!(c.status, CaseStatus::Restored | CaseStatus::Overturned) {
            return;
        }
        let c = CaseRef {
            id: case_id.clone(),
            target: self.state.deadlines[d].target.clone(),
            cix,
            tix,
        };
        self.state.deadlines[d].lapsed = true;
        let mut described = Vec::new();
        for s in steps.iter() {
            described.extend(self.apply_step(&c, s, &rule, when, &Choice::default(), false, true));
        }
        let (text, en) = match self.state.lapse_texts.get(&*rule) {
            Some(t) => t.clone(),
            None => {
                let t: (Arc<str>, Arc<str>) = (
                    Arc::from(format!("整改期限已过，未见整改：{}", described.join("；"))),
                    Arc::from(format!(
                        "the rectification deadline lapsed: {}",
                        described.join("; ")
                    )),
                );
                self.state.lapse_texts.insert(rule.to_string(), t.clone());
                t
            }
        };
        self.push_arc(
            c.target.clone(),
            c.tix,
            case_id,
            "deadline-lapsed",
            rule,
            text,
            en,
            when,
        );
    }

    fn notify(&mut self, case: &str, kind: &'static str, text: &str, en: &str, at: Time) {
        let Some(c) = self.case_ref(case) else {
            return;
        };
        let (target, rule) = (
            c.target.clone(),
            c.branch
                .clone()
                .or(c.penalty_rule.clone())
                .unwrap_or(c.rule.clone()),
        );
        self.push_notice(&target, case, kind, &rule, text, en, at);
    }

    fn notify_target(
        &mut self,
        target: &str,
        case: &str,
        kind: &'static str,
        text: &str,
        en: &str,
        at: Time,
    ) {
        self.push_notice(target, case, kind, "", text, en, at);
    }

    /// Writes a notice whose strings are already shared.
    #[allow(clippy::too_many_arguments)]
    fn push_arc(
        &mut self,
        target: Arc<str>,
        tix: u32,
        case: Arc<str>,
        kind: &'static str,
        rule: Arc<str>,
        text: Arc<str>,
        text_en: Arc<str>,
        at: Time,
    ) {
        let subject: Arc<str> = match self.state.targets.get(tix as usize) {
            Some(t) => t.subject.clone(),
            None => target.clone(),
        };
        let id = self.state.notices.len();
        self.state.notices.push(Notice {
            id,
            at,
            target,
            subject,
            case,
            kind,
            rule,
            text,
            text_en,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn push_notice(
        &mut self,
        target: &str,
        case: &str,
        kind: &'static str,
        rule: &str,
        text: impl Into<Arc<str>>,
        en: impl Into<Arc<str>>,
        at: Time,
    ) {
        let subject: Arc<str> = match self.target(target) {
            Some(t) => t.subject.clone(),
            None => Arc::from(target),
        };
        let id = self.state.notices.len();
        self.state.notices.push(Notice {
            id,
            at,
            target: Arc::from(target),
            subject,
            case: Arc::from(case),
            kind,
            rule: Arc::from(rule),
            text: text.into(),
            text_en: en.into(),
        });
    }

    /// The interned id of a capability. Capabilities come from the
    /// catalogue (checked in [`Enforcer::new`] to fit the index), so the
    /// last id is only ever shared if that check is bypassed.
    fn cap_id(&mut self, cap: &str) -> u8 {
        if self.state.cap_list.is_empty() {
            self.state.cap_list.push(Arc::from("*"));
        }
        if cap == "*" {
            return ALL_CAPS;
        }
        if let Some(id) = self.state.caps.get(cap) {
            return *id;
        }
        let next = self.state.cap_list.len().min(MAX_CAPS) as u8;
        if usize::from(next) == self.state.cap_list.len() {
            let name = self.cap_name(cap);
            self.state.cap_list.push(name);
        }
        self.state.caps.insert(cap.to_string(), next);
        next
    }

    /// A sanction's capability id and the term it binds (start, until).
    fn term_of(&self, id: usize) -> (u8, Time, Time) {
        let s = &self.state.sanctions[id];
        (s.cap, s.start, s.until())
    }

    /// The shared name of a capability (one allocation per capability, ever).
    fn cap_name(&mut self, cap: &str) -> Arc<str> {
        if let Some(n) = self.state.cap_names.get(cap) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(cap);
        self.state.cap_names.insert(n.clone(), n.clone());
        n
    }

    /// The capabilities `action` takes on `platform`, as configured.
    fn effect_caps(&mut self, platform: &Arc<str>, action: Action) -> Arc<[Arc<str>]> {
        let key = (platform.clone(), action);
        if let Some(v) = self.state.effects.get(&key) {
            return v.clone();
        }
        let name = action_name(action);
        let names: Vec<String> = self
            .config
            .effect(platform, &name)
            .cloned()
            .unwrap_or_default();
        let v: Arc<[Arc<str>]> = names.iter().map(|c| self.cap_name(c)).collect();
        self.state.effects.insert(key, v.clone());
        v
    }

    /// The interned id of an action.
    fn action_id(&mut self, action: Action) -> u8 {
        if let Some(n) = self.state.action_ix.get(&action) {
            return *n;
        }
        let n = self.action_named(&action_name(action));
        self.state.action_ix.insert(action, n);
        n
    }

    /// The interned id of an action name.
    fn action_named(&mut self, name: &str) -> u8 {
        if let Some(i) = self.state.action_list.iter().position(|a| &**a == name) {
            return i as u8;
        }
        self.state.action_list.push(Arc::from(name));
        (self.state.action_list.len() - 1) as u8
    }

    fn slots_mut(&mut self, kind: u8, holder: u32) -> Option<&mut Slots> {
        match kind {
            HOLD_TARGET => self
                .state
                .targets
                .get_mut(holder as usize)
                .map(|r| &mut r.slots),
            HOLD_SUBJECT => self.state.subject_slots.get_mut(holder as usize),
            _ => {
                let s = self.state.subject_names.get(holder as usize)?.clone();
                Some(self.state.by_group.entry(s).or_default())
            }
        }
    }

    fn index(&mut self, id: usize) {
        let Some(s) = self.state.sanctions.get(id).copied() else {
            return;
        };
        if s.has(SHADOW) {
            return;
        }
        let (cap, start, until) = self.term_of(id);
        if let Some(v) = self.slots_mut(s.kind, s.holder) {
            // Joins the previous slot when it holds the sanctions just
            // before this one with the same term.
            if let Some(last) = v.last_mut() {
                if last.start == start && last.until == until {
                    if let Some(k) = last.caps.iter().position(|c| *c == EMPTY) {
                        if last.first as usize + k == id {
                            last.caps[k] = cap;
                            return;
                        }
                    }
                }
            }
            v.push(Slot::single(id, cap, start, until));
        }
    }

    /// Refreshes the index after a sanction's end or revocation changed.
    fn sync(&mut self, id: usize) {
        let s = self.state.sanctions[id];
        if s.has(SHADOW) {
            return;
        }
        let (cap, start, until) = self.term_of(id);
        let Some(v) = self.slots_mut(s.kind, s.holder) else {
            return;
        };
        let place = v.iter().enumerate().find_map(|(n, x)| {
            let k = id.checked_sub(x.first as usize)?;
            (k < GROUP && !matches!(x.caps[k], EMPTY | MOVED)).then_some((n, k))
        });
        let Some((n, k)) = place else {
            return;
        };
        let alone = v[n]
            .caps
            .iter()
            .enumerate()
            .all(|(j, c)| j == k || matches!(*c, EMPTY | MOVED));
        if alone {
            v[n].start = start;
            v[n].until = until;
        } else {
            // Its term now differs from its group's: it gets a slot of its own.
            v[n].caps[k] = MOVED;
            v.push(Slot::single(id, cap, start, until));
        }
    }

    /// Indices of the sanctions binding `target` for `capability` at `at`;
    /// `None` for an unknown target.
    fn binding(&self, target: &str, capability: &str, at: Time) -> Option<Vec<usize>> {
        let t = self.target(target)?;
        let cap = self.state.caps.get(capability).copied().unwrap_or(EMPTY);
        let mut out = Vec::new();
        let mut check = |slots: Option<&Slots>| {
            for x in slots.into_iter().flatten() {
                if x.start <= at && at < x.until {
                    for (k, c) in x.caps.iter().enumerate() {
                        if *c == EMPTY {
                            break;
                        }
                        if *c == cap || *c == ALL_CAPS {
                            out.push(x.first as usize + k);
                        }
                    }
                }
            }
        };
        check(Some(&t.slots));
        check(self.state.subject_slots.get(t.subject_idx as usize));
        if !self.state.by_group.is_empty() {
            let root = self.find(&t.subject);
            for m in self.state.members.get(&root).into_iter().flatten() {
                check(self.state.by_group.get(m.as_str()));
            }
        }
        Some(out)
    }

    /// Whether `target` may use `capability` at `at`, with every reason it may not.
    pub fn can(
        &self,
        target: &str,
        capability: &str,
        at: Time,
    ) -> Result<Verdict<'_>, EnforceError> {
        let reasons: Vec<Reason> = self
            .binding(target, capability, at)
            .ok_or_else(|| unknown("对象", "target", target))?
            .into_iter()
            .map(|i| {
                let s = &self.state.sanctions[i];
                Reason {
                    sanction: i,
                    case: self.case_name(s.case),
                    rule: &self.state.names[s.rule as usize],
                    action: &self.state.action_list[s.action as usize],
                    capability: &self.state.cap_list[s.cap as usize],
                    holder: self.holder_ref(s),
                    since: s.start,
                    until: opt(s.until()),
                    until_rectified: s.has(UNTIL_RECTIFIED) && s.end == NEVER,
                }
            })
            .collect();
        Ok(Verdict {
            allowed: reasons.is_empty(),
            reasons,
        })
    }

    /// Capabilities of the catalogue `target` may not use at `at`.
    pub fn denied(&self, target: &str, at: Time) -> Result<Vec<String>, EnforceError> {
        let mut out = Vec::new();
        for c in &self.rb.catalogue().capabilities {
            if !self.can(target, &c.id, at)?.allowed {
                out.push(c.id.clone());
            }
        }
        Ok(out)
    }

    /// The cases of a target, oldest first.
    pub fn cases_of(&self, target: &str) -> Vec<&Case> {
        self.target(target)
            .map(|t| {
                t.cases
                    .iter()
                    .filter_map(|i| self.state.cases.get(*i as usize))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A case by id.
    pub fn case_by_id(&self, id: &str) -> Option<&Case> {
        self.case_ref(id)
    }

    /// The subject that owns a target (`None`: no such target).
    pub fn subject_of(&self, target: &str) -> Option<&str> {
        self.target(target).map(|t| &*t.subject)
    }

    /// The platform a target is on (`None`: no such target).
    pub fn platform_of(&self, target: &str) -> Option<&str> {
        self.target(target).map(|t| &*t.platform)
    }

    /// A deadline by index (as a case's `deadlines` name them).
    pub fn deadline(&self, id: usize) -> Option<&Deadline> {
        self.state.deadlines.get(id)
    }

    /// The verbatim clause a notice cites (its penalty text where it has one).
    pub fn quote(&self, rule: &str) -> String {
        self.rb
            .resolve(rule)
            .map(|r| match r {
                Resolved::Rule(x) => x
                    .penalty
                    .as_ref()
                    .and_then(|p| p.quote.clone())
                    .unwrap_or(x.quote.clone()),
                Resolved::Branch(_, b) => b.quote.clone(),
            })
            .unwrap_or_default()
    }

    /// Every notice, oldest first (the outbox).
    pub fn notices(&self) -> &Seg<Notice> {
        &self.state.notices
    }

    /// Deadlines not yet lapsed or cancelled.
    pub fn pending_deadlines(&self) -> impl Iterator<Item = &Deadline> {
        self.state
            .pending
            .iter()
            .map(|(_, i)| &self.state.deadlines[*i])
    }

    /// Sanctions (all, including ended ones).
    pub fn sanctions(&self) -> impl Iterator<Item = Sanction> + '_ {
        (0..self.state.sanctions.len()).filter_map(|i| self.sanction(i))
    }

    /// The credit score of a subject, if its rules count toward one.
    pub fn credit(&self, subject: &str) -> Option<i64> {
        let books = &self.config.credit.books;
        let mut involved = false;
        let mut score = self.config.credit.initial;
        {
            let ids = self
                .state
                .subject_index
                .get(subject)
                .and_then(|i| self.state.subject_cases.get(*i as usize));
            for id in ids.into_iter().flatten() {
                let Some(c) = self.state.cases.get(*id as usize) else {
                    continue;
                };
                if !books.iter().any(|b| c.rule.starts_with(b.as_str())) {
                    continue;
                }
                involved = true;
                if !self.counted(c) {
                    continue;
                }
                let worst = c
                    .sanctions
                    .iter()
                    .map(|i| &*self.state.action_list[self.state.sanctions[*i].action as usize])
                    .chain(if c.deadlines.is_empty() {
                        None
                    } else {
                        Some("rectify")
                    })
                    .chain(Some("warning"))
                    .filter_map(|a| self.config.credit.deduct.get(a).copied())
                    .max()
                    .unwrap_or(0);
                score -= worst;
            }
        }
        let platform_counts = self
            .state
            .targets
            .iter()
            .any(|t| &*t.subject == subject && t.kind == TargetKind::MiniGame);
        (involved || platform_counts).then_some(score)
    }

    /// A stable fingerprint of the projections (for replay tests).
    pub fn fingerprint(&self) -> String {
        let mut cases: Vec<&Case> = self.state.cases.iter().collect();
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        serde_json::to_string(&(
            cases,
            self.sanctions().collect::<Vec<_>>(),
            &self.state.deadlines,
            &self.state.notices,
        ))
        .unwrap_or_default()
    }
}
