//! Events (the log), the state folded from them, and the answers of queries.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::time::Time;

/// What kind of thing a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A user or admin account.
    Account,
    /// A third-party app.
    App,
    /// A mini program.
    MiniProgram,
    /// A mini game.
    MiniGame,
    /// A provider (developer) account.
    Provider,
    /// An enterprise tenant.
    Tenant,
}

/// How two subjects are affiliated (关联主体).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Affiliation {
    /// 母子公司.
    ParentSubsidiary,
    /// 控制关系.
    Control,
    /// VIE.
    Vie,
    /// Declared by the subjects or found by the operator.
    Declared,
}

/// Where a violation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The listing precheck.
    Review,
    /// The content engine.
    Textguard,
    /// A user complaint.
    Complaint,
    /// An operator.
    Operator,
}

/// The operator's picks where the ladder leaves a choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Which branch of a 处理规则 (`miniprogram/5.7.penalty.1`, or its last segment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Which steps (0-based) of a discretionary, by-case or choice ladder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<usize>,
    /// Which case of a by-case ladder, by its `when` text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Length chosen within a range (`3-30d`) or above an open minimum (`15d+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Capabilities for a `limit-features` step, which the seed leaves open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// A legal entity.
    Subject {
        /// Id.
        id: String,
        /// Name.
        #[serde(default)]
        name: String,
        /// When.
        at: Time,
    },
    /// Two subjects are affiliated.
    Affiliated {
        /// One subject.
        a: String,
        /// The other.
        b: String,
        /// How.
        kind: Affiliation,
        /// When.
        at: Time,
    },
    /// A thing a subject owns.
    Target {
        /// Id.
        id: String,
        /// Kind.
        kind: TargetKind,
        /// Owner.
        subject: String,
        /// Platform (meeting, miniprogram, minigame, wecom, wecom-isv).
        #[serde(default)]
        platform: String,
        /// When.
        at: Time,
    },
    /// A violation is reported: a case opens.
    Violation {
        /// Case id.
        case: String,
        /// Rule (or penalty branch) id.
        rule: String,
        /// Target id.
        target: String,
        /// Where it came from.
        origin: Origin,
        /// Evidence.
        #[serde(default)]
        evidence: String,
        /// When.
        at: Time,
    },
    /// The case is decided: the ladder step is picked and applied.
    Decision {
        /// Case id.
        case: String,
        /// The operator's picks.
        #[serde(default)]
        choice: Choice,
        /// Why (required where the seed leaves it to discretion).
        #[serde(default)]
        reason: String,
        /// Who.
        #[serde(default)]
        by: String,
        /// When.
        at: Time,
    },
    /// The target reports its rectification.
    Rectified {
        /// Case id.
        case: String,
        /// The report.
        #[serde(default)]
        report: String,
        /// When.
        at: Time,
    },
    /// The operator accepts or rejects the rectification report.
    RectificationReviewed {
        /// Case id.
        case: String,
        /// Accepted.
        accepted: bool,
        /// Why.
        #[serde(default)]
        reason: String,
        /// When.
        at: Time,
    },
    /// The target appeals the decision.
    Appealed {
        /// Case id.
        case: String,
        /// Grounds.
        #[serde(default)]
        reason: String,
        /// When.
        at: Time,
    },
    /// The appeal is decided: an overturn reverts everything the case caused.
    AppealResolved {
        /// Case id.
        case: String,
        /// Overturned (else upheld).
        overturned: bool,
        /// Why.
        #[serde(default)]
        reason: String,
        /// When.
        at: Time,
    },
    /// The target withdraws from recommendation of its own accord.
    Withdrawn {
        /// Target id.
        target: String,
        /// The withdrawal rule.
        rule: String,
        /// When.
        at: Time,
    },
    /// A fresh application restores a capability that restoration alone does
    /// not (recommendation, search).
    Reinstated {
        /// Target id.
        target: String,
        /// Capability.
        capability: String,
        /// When.
        at: Time,
    },
    /// Time passes: every deadline due by `now` lapses.
    Tick {
        /// The clock.
        now: Time,
    },
}

impl Event {
    /// The event's time.
    pub fn at(&self) -> Time {
        match self {
            Event::Subject { at, .. }
            | Event::Affiliated { at, .. }
            | Event::Target { at, .. }
            | Event::Violation { at, .. }
            | Event::Decision { at, .. }
            | Event::Rectified { at, .. }
            | Event::RectificationReviewed { at, .. }
            | Event::Appealed { at, .. }
            | Event::AppealResolved { at, .. }
            | Event::Withdrawn { at, .. }
            | Event::Reinstated { at, .. } => *at,
            Event::Tick { now } => *now,
        }
    }

    /// Every event kind, as [`Event::kind`] names them.
    pub const KINDS: [&'static str; 12] = [
        "subject",
        "affiliated",
        "target",
        "violation",
        "decision",
        "rectified",
        "rectification-reviewed",
        "appealed",
        "appeal-resolved",
        "withdrawn",
        "reinstated",
        "tick",
    ];

    /// Whether a stored event kind is an enforcement event (the shared log
    /// also holds tenant, audit and server events).
    pub fn is_kind(kind: &str) -> bool {
        Self::KINDS.contains(&kind)
    }

    /// The kebab-case kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Subject { .. } => "subject",
            Event::Affiliated { .. } => "affiliated",
            Event::Target { .. } => "target",
            Event::Violation { .. } => "violation",
            Event::Decision { .. } => "decision",
            Event::Rectified { .. } => "rectified",
            Event::RectificationReviewed { .. } => "rectification-reviewed",
            Event::Appealed { .. } => "appealed",
            Event::AppealResolved { .. } => "appeal-resolved",
            Event::Withdrawn { .. } => "withdrawn",
            Event::Reinstated { .. } => "reinstated",
            Event::Tick { .. } => "tick",
        }
    }
}

/// Who a sanction binds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Holder {
    /// One target.
    Target(Arc<str>),
    /// Every target of a subject.
    Subject(Arc<str>),
    /// Every target of a subject and of its affiliates.
    Group(Arc<str>),
}

/// Who a sanction binds, borrowed from the state (what [`Reason`] carries,
/// so answering `can` copies nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum HolderRef<'a> {
    /// One target.
    Target(&'a str),
    /// Every target of a subject.
    Subject(&'a str),
    /// Every target of a subject and of its affiliates.
    Group(&'a str),
}

/// A capability taken away for a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sanction {
    /// Index in the state.
    pub id: usize,
    /// The case.
    pub case: Arc<str>,
    /// The rule whose ladder gave it.
    pub rule: Arc<str>,
    /// The step's action (`ban-capability`, `delist`…).
    pub action: Arc<str>,
    /// Who is bound.
    pub holder: Holder,
    /// The capability (`*` for all).
    pub capability: Arc<str>,
    /// From.
    pub start: Time,
    /// Until (exclusive); `None`: permanent or until rectified.
    pub end: Option<Time>,
    /// Lasts until the rectification is accepted (and at least to `min_end`).
    pub until_rectified: bool,
    /// Earliest end of an until-rectified sanction.
    pub min_end: Option<Time>,
    /// Ended early (overturned, restored).
    pub revoked_at: Option<Time>,
    /// Whether only a fresh application restores it.
    pub needs_application: bool,
    /// Recorded only (shadow mode).
    pub shadow: bool,
    /// Applied because a rectification deadline lapsed.
    pub from_lapse: bool,
}

impl Sanction {
    /// Whether it binds at `t`.
    pub fn active_at(&self, t: Time) -> bool {
        !self.shadow
            && self.start <= t
            && self.end.is_none_or(|e| t < e)
            && self.revoked_at.is_none_or(|r| t < r)
    }
}

/// A rectification deadline: if it lapses, its steps apply.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// Index in the state.
    pub id: usize,
    /// The case.
    pub case: Arc<str>,
    /// The rule.
    pub rule: Arc<str>,
    /// The case's target.
    pub target: Arc<str>,
    /// When it lapses.
    pub due: Time,
    /// What applies then (as JSON of rulebook steps).
    #[serde(skip)]
    pub on_lapse: std::sync::Arc<[bylaw_rulebook::Step]>,
    /// Already lapsed.
    pub lapsed: bool,
    /// Cancelled (rectification accepted, appeal overturned).
    pub cancelled: bool,
    /// Recorded only.
    pub shadow: bool,
    /// Index of the case in the state.
    #[serde(skip)]
    pub(crate) cix: u32,
    /// Index of the target in the state.
    #[serde(skip)]
    pub(crate) tix: u32,
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseStatus {
    /// Reported, not decided.
    Open,
    /// Decided; sanctions or deadlines run.
    Decided,
    /// Rectification reported, awaiting review.
    Rectifying,
    /// Rectification accepted; restored.
    Restored,
    /// Overturned on appeal.
    Overturned,
}

/// One case: a violation and everything that followed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Id.
    pub id: String,
    /// The rule violated.
    pub rule: String,
    /// The target.
    pub target: String,
    /// Where it came from.
    pub origin: Origin,
    /// Evidence.
    pub evidence: String,
    /// Opened.
    pub opened: Time,
    /// Status.
    pub status: CaseStatus,
    /// The rule whose penalty applied (after `see`, inheritance and escalation).
    pub penalty_rule: Option<String>,
    /// The branch applied.
    pub branch: Option<String>,
    /// Which offence this was for its ladder (1-based).
    pub offence: u32,
    /// The steps applied, described.
    pub steps: Vec<String>,
    /// Decided.
    pub decided: Option<Time>,
    /// Recorded only.
    pub shadow: bool,
    /// Appeals filed.
    pub appeals: u32,
    /// An appeal awaits resolution.
    pub appeal_pending: bool,
    /// Sanctions it caused.
    pub sanctions: Vec<usize>,
    /// Deadlines it set.
    pub deadlines: Vec<usize>,
    /// The decision's reason.
    pub reason: String,
    /// Index of the case in the state.
    #[serde(skip)]
    pub(crate) cix: u32,
    /// Index of the target in the state.
    #[serde(skip)]
    pub(crate) tix: u32,
    /// The id, shared by the records that name the case.
    #[serde(skip)]
    pub(crate) key: std::sync::Arc<str>,
}

/// A message to a target or subject, waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Sequence number.
    pub id: usize,
    /// When.
    pub at: Time,
    /// Recipient target.
    pub target: Arc<str>,
    /// Recipient subject.
    pub subject: Arc<str>,
    /// The case.
    pub case: Arc<str>,
    /// What happened (`decision`, `deadline-lapsed`, `restored`, …).
    pub kind: &'static str,
    /// The rule (its clause: [`crate::Enforcer::quote`]).
    pub rule: Arc<str>,
    /// The message, in Chinese.
    pub text: Arc<str>,
    /// The message, in English.
    pub text_en: Arc<str>,
}

/// One reason a capability is denied (borrowed from the state: answering
/// copies nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason<'a> {
    /// The sanction.
    pub sanction: usize,
    /// The case.
    pub case: &'a str,
    /// The rule.
    pub rule: &'a str,
    /// The action.
    pub action: &'a str,
    /// The capability banned (`*` for all).
    pub capability: &'a str,
    /// Who it binds.
    pub holder: HolderRef<'a>,
    /// Since.
    pub since: Time,
    /// Until (`None`: permanent, or until rectified).
    pub until: Option<Time>,
    /// Until the rectification is accepted.
    pub until_rectified: bool,
}

/// The answer of `can`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict<'a> {
    /// Allowed.
    pub allowed: bool,
    /// Why not (every binding sanction).
    pub reasons: Vec<Reason<'a>>,
}
