//! Approval flows (审批): templates whose flow is a list of approver (审批人)
//! and handler (办理人) nodes, resolved against the directory when a form is
//! submitted, and the form instance that moves through them
//! (`wecom-admin/approval.*`, seed 003, article 如何设置审批办理人).
//!
//! # Model
//!
//! A [`Template`] holds the form's [`Field`]s, the flow ([`NodeSpec`]s, in
//! order) and the rule settings ([`Settings`]). Each node has a [`Role`]
//! (approvers approve or reject; handlers only confirm handling and cannot
//! reject, `wecom-admin/approval.handler`), an [`Assignee`] kind (the six
//! kinds of `wecom-admin/approval.handler-node.types`) and a multi-person
//! [`Mode`] (会签 all-sign, 或签 any-sign, 依次审批 sequential).
//!
//! [`Instance::submit`] validates the template and the [`Submission`],
//! resolves every node to concrete member ids once (the directory is read,
//! never written), applies the empty-node rule (`approval.exceptions.empty`
//! for handler nodes, `approval.settings.approver-exceptions` for approver
//! nodes) and the departed-member rule (`approval.exceptions.departed` /
//! `approval.settings.approver-exceptions`), and enters the first node. An
//! instance keeps only the resolved nodes and a snapshot of the template's
//! settings, never the template, so a step costs no cloning of it.
//!
//! Each node holds one [`Slot`] per person. All-sign needs every slot done,
//! any-sign completes on the first approval (the other slots become
//! [`SlotState::Skipped`]), sequential goes slot by slot in order. A
//! rejection by any approver rejects the form. When a node is entered the
//! repeated-approver rule (`approval.settings.auto-approve`) may approve
//! some slots automatically; an empty node passes or is transferred; handler
//! nodes send a to-do [`Notice`] (`approval.handler.notice`). When the last
//! node passes the form is [`Status::Approved`].
//!
//! Every operation takes the time as `at` (unix seconds), returns
//! `Result<…, ApprovalError>` and leaves the instance unchanged on error.
//! Every change is appended to the history ([`Entry`]) with the round, the
//! actor and, for automatic steps, the clause that made it.
//!
//! # Choices the seed leaves open
//!
//! The seed states the options; where it is silent this module chooses, and
//! the choice is a setting where that is reasonable.
//!
//! 1. **Approver nodes use the handler-node kinds.** The seed lists node kinds
//!    for handler nodes; approver nodes take the same [`Assignee`] kinds.
//! 2. **Modes per kind.** Designated members and multi-choice nodes allow all
//!    three modes, department-head and tag nodes only 会签 and 或签 (as the
//!    seed lists them, [`NodeKind::modes`]). A member-field node, for which
//!    the seed lists no mode, allows all three. For a single-person node
//!    (applicant, single choice, added approver) the mode does not matter.
//!    The default mode is 会签.
//! 3. **Department-head levels count departments** in the applicant's chain
//!    (own department up to the root). Bottom-up level 1 is the applicant's
//!    own department, level 2 its parent, …; top-down level 1 is the root
//!    (the applicant's topmost department), level 2 the next one down the
//!    applicant's chain, …. A level beyond the chain, or a department there
//!    without heads, is an empty node (exception rule). An applicant in
//!    several departments names one in [`Submission::department`]; by
//!    default the first department of the member record is used.
//! 4. **The applicant is a head at the chosen level** ([`HeadIsApplicant`],
//!    default [`HeadIsApplicant::Superior`]): the other heads of that level
//!    take the node; when the applicant is the only head, `Superior` goes to
//!    the nearest department above with a head other than the applicant
//!    (none: empty node), `Skip` passes the node automatically, and
//!    `SelfApprove` keeps the applicant.
//! 5. **Applicant choice** must name at least one member (exactly one for a
//!    single-choice node, threshold `handlers`/`single` of
//!    `approval.handler-node.applicant-choice.count`, [`SINGLE_CHOICE_MAX`]).
//!    Directory visibility is not modelled: unlimited means any current
//!    member. Repeated names collapse into one.
//! 6. **Exceptions.** The defaults are the first option the seed lists
//!    (auto-approve; remind the admin). A transfer target or an automatic
//!    hand-over target who is no longer a member (or is the departed member
//!    itself) falls back to reminding the admin; the node waits until
//!    [`Instance::hand_over`]. Departed members are detected at submission
//!    (every node), when a node is entered, and by [`Instance::member_left`];
//!    a departed member cannot act. Handing over to someone already in the
//!    node merges the two slots.
//! 7. **Repeated approver** (default [`Repeated::EveryNode`], no automatic
//!    approval) looks at approver nodes of the current round only; approvals
//!    in person and earlier automatic approvals of a person count, handler
//!    confirmations and empty-node auto-approvals do not. It is applied when
//!    a node is entered, to every slot of it, whatever the mode.
//! 8. **Notices** are emitted only where the seed states one: the handler's
//!    to-do ([`NoticeKind::ToHandle`]) and the admin's hand-over reminder
//!    ([`NoticeKind::HandOver`]). Approvers whose turn it is are read from
//!    [`Instance::pending`].
//! 9. **Opinions and signature.** The approval opinion is required on
//!    approve and reject, the signature on approve only, the handling
//!    opinion on confirm (optional, 按需, unless required).
//! 10. **View** ([`View::ParticipantsOnly`]) admits exactly the seed's list:
//!     admins, the applicant, approvers and handlers (anyone assigned to a
//!     node of the current round or who acted in any round), CC recipients
//!     and @-mentioned members. A submitter who submitted on behalf of the
//!     applicant is not in the list and is refused unless in another role.
//! 11. **Withdraw and resubmit.** The applicant or the submitter may withdraw
//!     while the form is in progress (the 撤销权限 option's own text is
//!     missing from the seed, so there is no setting for it), and resubmit
//!     a rejected or withdrawn form: a new round, nodes resolved again, the
//!     template's current settings, the history kept.
//! 12. **Add approver (加签)** is done by the approver whose turn it is, and
//!     inserts a new single-person approver node right after the current
//!     one; the adding approver still decides on the current node.
//! 13. **Edit permission** (`approval.settings.edit`): fixed CC recipients are
//!     [`Template::cc`], fixed handlers are the designated members of a
//!     handler node; an edit after approval needs the consent of every member
//!     who approved or confirmed in person in the final round, other than the
//!     requester, and any one of them declining cancels the request.
//! 14. **Forms.** The seed states no rule on form fields other than the linked
//!     member field; form errors therefore carry no rule id unless the field
//!     is linked to a node. Who is an admin is decided by the permission
//!     checks elsewhere in this crate (the caller passes it in).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::directory::{DeptIx, Directory, MemberIx};

/// `wecom-admin/approval.handler`: a handler only confirms handling and cannot reject.
pub const RULE_HANDLER: &str = "wecom-admin/approval.handler";
/// `wecom-admin/approval.handler.notice`: the handler gets a to-do and confirms, with an optional opinion.
pub const RULE_HANDLER_NOTICE: &str = "wecom-admin/approval.handler.notice";
/// `wecom-admin/approval.handler.add`: admins add handler nodes in the template's rule settings.
pub const RULE_HANDLER_ADD: &str = "wecom-admin/approval.handler.add";
/// `wecom-admin/approval.handler-node.types`: the six node kinds.
pub const RULE_NODE_TYPES: &str = "wecom-admin/approval.handler-node.types";
/// `wecom-admin/approval.handler-node.member`: designated members, with 会签 / 或签 / 依次审批.
pub const RULE_NODE_MEMBER: &str = "wecom-admin/approval.handler-node.member";
/// `wecom-admin/approval.handler-node.dept-head`: the heads at one level of the applicant's departments.
pub const RULE_NODE_DEPT_HEAD: &str = "wecom-admin/approval.handler-node.dept-head";
/// `wecom-admin/approval.handler-node.dept-head.direction`: bottom-up and top-down levels.
pub const RULE_DEPT_HEAD_DIRECTION: &str = "wecom-admin/approval.handler-node.dept-head.direction";
/// `wecom-admin/approval.handler-node.dept-head.multiple`: several heads at a level sign by 会签 or 或签.
pub const RULE_DEPT_HEAD_MULTIPLE: &str = "wecom-admin/approval.handler-node.dept-head.multiple";
/// `wecom-admin/approval.handler-node.tag`: all members of one tag, by 或签 or 会签.
pub const RULE_NODE_TAG: &str = "wecom-admin/approval.handler-node.tag";
/// `wecom-admin/approval.handler-node.applicant`: the applicant handles the node.
pub const RULE_NODE_APPLICANT: &str = "wecom-admin/approval.handler-node.applicant";
/// `wecom-admin/approval.handler-node.applicant-choice`: the applicant chooses, unlimited or within a range.
pub const RULE_NODE_APPLICANT_CHOICE: &str = "wecom-admin/approval.handler-node.applicant-choice";
/// `wecom-admin/approval.handler-node.applicant-choice.count`: single choice (one) or multiple choice.
pub const RULE_APPLICANT_CHOICE_COUNT: &str =
    "wecom-admin/approval.handler-node.applicant-choice.count";
/// `wecom-admin/approval.handler-node.member-field`: a required member field linked to the node.
pub const RULE_NODE_MEMBER_FIELD: &str = "wecom-admin/approval.handler-node.member-field";
/// `wecom-admin/approval.exceptions`: admins set how handler-node exceptions are handled.
pub const RULE_EXCEPTIONS: &str = "wecom-admin/approval.exceptions";
/// `wecom-admin/approval.exceptions.empty`: an empty handler node auto-approves or is transferred.
pub const RULE_EXCEPTIONS_EMPTY: &str = "wecom-admin/approval.exceptions.empty";
/// `wecom-admin/approval.exceptions.departed`: a departed handler: remind the admin or hand over.
pub const RULE_EXCEPTIONS_DEPARTED: &str = "wecom-admin/approval.exceptions.departed";
/// `wecom-admin/approval.handling-opinion`: when enabled, handlers must write an opinion.
pub const RULE_HANDLING_OPINION: &str = "wecom-admin/approval.handling-opinion";
/// `wecom-admin/approval.settings.approver-exceptions`: the same exception options for approver nodes.
pub const RULE_APPROVER_EXCEPTIONS: &str = "wecom-admin/approval.settings.approver-exceptions";
/// `wecom-admin/approval.settings.auto-approve`: the repeated-approver options.
pub const RULE_AUTO_APPROVE: &str = "wecom-admin/approval.settings.auto-approve";
/// `wecom-admin/approval.settings.submit-for-others`: submitting on behalf of others.
pub const RULE_SUBMIT_FOR_OTHERS: &str = "wecom-admin/approval.settings.submit-for-others";
/// `wecom-admin/approval.settings.view`: who may view the form's details.
pub const RULE_VIEW: &str = "wecom-admin/approval.settings.view";
/// `wecom-admin/approval.settings.edit`: fixed CC / handlers, editing after approval.
pub const RULE_EDIT: &str = "wecom-admin/approval.settings.edit";
/// `wecom-admin/approval.settings.add-approver`: adding temporary approvers (加签).
pub const RULE_ADD_APPROVER: &str = "wecom-admin/approval.settings.add-approver";
/// `wecom-admin/approval.settings.approval-opinion`: approvers must write an opinion.
pub const RULE_APPROVAL_OPINION: &str = "wecom-admin/approval.settings.approval-opinion";
/// `wecom-admin/approval.settings.signature`: approvers must sign when approving.
pub const RULE_SIGNATURE: &str = "wecom-admin/approval.settings.signature";

/// Every rule id this module implements or names.
pub const RULES: [&str; 25] = [
    RULE_HANDLER,
    RULE_HANDLER_NOTICE,
    RULE_HANDLER_ADD,
    RULE_NODE_TYPES,
    RULE_NODE_MEMBER,
    RULE_NODE_DEPT_HEAD,
    RULE_DEPT_HEAD_DIRECTION,
    RULE_DEPT_HEAD_MULTIPLE,
    RULE_NODE_TAG,
    RULE_NODE_APPLICANT,
    RULE_NODE_APPLICANT_CHOICE,
    RULE_APPLICANT_CHOICE_COUNT,
    RULE_NODE_MEMBER_FIELD,
    RULE_EXCEPTIONS,
    RULE_EXCEPTIONS_EMPTY,
    RULE_EXCEPTIONS_DEPARTED,
    RULE_HANDLING_OPINION,
    RULE_APPROVER_EXCEPTIONS,
    RULE_AUTO_APPROVE,
    RULE_SUBMIT_FOR_OTHERS,
    RULE_VIEW,
    RULE_EDIT,
    RULE_ADD_APPROVER,
    RULE_APPROVAL_OPINION,
    RULE_SIGNATURE,
];

/// People a single-choice node takes (threshold `handlers`, variant `single`, of `approval.handler-node.applicant-choice.count`).
pub const SINGLE_CHOICE_MAX: usize = 1;

/// A rule id as stored in history entries and notices (borrowed when made, owned when read back).
pub type RuleId = Cow<'static, str>;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

fn suffix(rule: &Option<&'static str>) -> String {
    match rule {
        Some(r) => format!(" ({r})"),
        None => String::new(),
    }
}

/// Why an approval operation was refused; messages are Chinese first, then English. The instance is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// The template is malformed; `field` is its path (`nodes[2].assignee.level`).
    #[error("模板字段 `{field}`：{zh} template field `{field}`: {en}{}", suffix(.rule))]
    Template {
        /// Path of the field.
        field: String,
        /// The problem, in Chinese.
        zh: String,
        /// The problem, in English.
        en: String,
        /// The clause broken (`None`: the seed states no rule on it).
        rule: Option<&'static str>,
    },
    /// The submitted input is not acceptable; `field` is its path (`choices[2]`, `form.payee`).
    #[error("输入字段 `{field}`：{zh} input field `{field}`: {en}{}", suffix(.rule))]
    Input {
        /// Path of the field.
        field: String,
        /// The problem, in Chinese.
        zh: String,
        /// The problem, in English.
        en: String,
        /// The clause broken (`None`: the seed states no rule on it).
        rule: Option<&'static str>,
    },
    /// An id that must name a current member of the directory does not.
    #[error("输入字段 `{field}`：成员 `{id}` 不在通讯录中（未知或已离职） input field `{field}`: `{id}` is not a current member{}", suffix(.rule))]
    NotMember {
        /// Path of the field.
        field: String,
        /// The id given.
        id: String,
        /// The clause that needs a member there (`None`: the seed states none).
        rule: Option<&'static str>,
    },
    /// The form's status does not allow the operation.
    #[error("{zh} {en}{}", suffix(.rule))]
    State {
        /// Why, in Chinese.
        zh: String,
        /// Why, in English.
        en: String,
        /// The clause, where one applies.
        rule: Option<&'static str>,
    },
    /// The actor has no task whose turn it is on the current node.
    #[error("成员 `{actor}` 在当前节点 nodes[{node}] 没有待处理的任务 member `{actor}` has no pending task on the current node nodes[{node}]{}", suffix(.rule))]
    NotYourTurn {
        /// The actor.
        actor: String,
        /// Index of the current node.
        node: usize,
        /// The clause of the node's mode when the actor waits for an earlier person (依次审批).
        rule: Option<&'static str>,
    },
    /// A handler tried to reject.
    #[error("办理人只能确认办理，无法驳回审批单 `{actor}` is a handler: a handler can only confirm handling and cannot reject ({rule})")]
    HandlerCannotReject {
        /// The handler.
        actor: String,
        /// `approval.handler`.
        rule: &'static str,
    },
    /// A handler tried to approve: handlers confirm handling instead.
    #[error("办理人不操作同意，只需确认办理 `{actor}` is a handler: handlers confirm handling instead of approving ({rule})")]
    NotAnApprover {
        /// The handler.
        actor: String,
        /// `approval.handler`.
        rule: &'static str,
    },
    /// An approver tried to confirm handling, which is the handler's action.
    #[error("确认办理是办理人的操作，`{actor}` 是审批人 confirming handling is the handler's action; `{actor}` is an approver ({rule})")]
    NotAHandler {
        /// The approver.
        actor: String,
        /// `approval.handler`.
        rule: &'static str,
    },
    /// An opinion is mandatory and none was given.
    #[error("必须填写{}意见 an opinion is required ({rule})", if *.rule == RULE_HANDLING_OPINION { "办理" } else { "审批" })]
    CommentRequired {
        /// `approval.settings.approval-opinion` or `approval.handling-opinion`.
        rule: &'static str,
    },
    /// A signature is mandatory and none was given.
    #[error("审批人同意时需签名 the approver must sign to approve ({rule})")]
    SignatureRequired {
        /// `approval.settings.signature`.
        rule: &'static str,
    },
    /// The template does not enable the option the operation needs.
    #[error("模板未开启此选项 `{setting}` the template does not enable `{setting}` ({rule})")]
    Disabled {
        /// The setting (`submit-for-others`, `add-approver`, `edit.edit-after-approval`).
        setting: &'static str,
        /// The clause of the option.
        rule: &'static str,
    },
    /// The actor may not do this.
    #[error("`{actor}`：{zh} `{actor}`: {en}{}", suffix(.rule))]
    Denied {
        /// The actor.
        actor: String,
        /// Why, in Chinese.
        zh: String,
        /// Why, in English.
        en: String,
        /// The clause that decides (`None`: the seed states none).
        rule: Option<&'static str>,
    },
}

fn template_err(
    field: impl Into<String>,
    zh: impl Into<String>,
    en: impl Into<String>,
    rule: Option<&'static str>,
) -> ApprovalError {
    ApprovalError::Template {
        field: field.into(),
        zh: zh.into(),
        en: en.into(),
        rule,
    }
}

fn input_err(
    field: impl Into<String>,
    zh: impl Into<String>,
    en: impl Into<String>,
    rule: Option<&'static str>,
) -> ApprovalError {
    ApprovalError::Input {
        field: field.into(),
        zh: zh.into(),
        en: en.into(),
        rule,
    }
}

fn not_member(field: impl Into<String>, id: &str, rule: Option<&'static str>) -> ApprovalError {
    ApprovalError::NotMember {
        field: field.into(),
        id: id.to_string(),
        rule,
    }
}

fn denied(
    actor: &str,
    zh: impl Into<String>,
    en: impl Into<String>,
    rule: Option<&'static str>,
) -> ApprovalError {
    ApprovalError::Denied {
        actor: actor.to_string(),
        zh: zh.into(),
        en: en.into(),
        rule,
    }
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

/// What a node's people do: approvers approve or reject, handlers only confirm handling (`approval.handler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// 审批人: approves or rejects.
    #[default]
    Approver,
    /// 办理人: confirms handling, cannot reject.
    Handler,
}

impl Role {
    /// The Chinese name (审批人 / 办理人).
    pub fn zh(self) -> &'static str {
        match self {
            Role::Approver => "审批人",
            Role::Handler => "办理人",
        }
    }

    /// The clause of the empty-node rule for this role.
    pub fn empty_rule(self) -> &'static str {
        match self {
            Role::Approver => RULE_APPROVER_EXCEPTIONS,
            Role::Handler => RULE_EXCEPTIONS_EMPTY,
        }
    }

    /// The clause of the departed-member rule for this role.
    pub fn departed_rule(self) -> &'static str {
        match self {
            Role::Approver => RULE_APPROVER_EXCEPTIONS,
            Role::Handler => RULE_EXCEPTIONS_DEPARTED,
        }
    }
}

/// How several people of one node decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// 会签: everyone must approve (or confirm).
    #[default]
    All,
    /// 或签: the first approval (or confirmation) completes the node.
    Any,
    /// 依次审批: one after the other, in order.
    Sequential,
}

impl Mode {
    /// The Chinese name, as the seed writes it.
    pub fn zh(self) -> &'static str {
        match self {
            Mode::All => "会签",
            Mode::Any => "或签",
            Mode::Sequential => "依次审批",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            Mode::All => "all-sign",
            Mode::Any => "any-sign",
            Mode::Sequential => "sequential",
        }
    }
}

/// Which way department-head levels are counted (`approval.handler-node.dept-head.direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// 从下至上: level 1 is the applicant's own department, counting upward.
    #[default]
    BottomUp,
    /// 从上至下: level 1 is the applicant's topmost department, counting downward.
    TopDown,
}

impl Direction {
    /// The Chinese name, as the seed writes it.
    pub fn zh(self) -> &'static str {
        match self {
            Direction::BottomUp => "从下至上",
            Direction::TopDown => "从上至下",
        }
    }
}

/// Who a node's people are (`approval.handler-node.types`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
pub enum Assignee {
    /// 指定成员: the same members for every applicant.
    Members {
        /// Member ids.
        members: Vec<String>,
    },
    /// 指定部门负责人: the heads at one level of the applicant's department chain.
    DeptHead {
        /// Level, from 1.
        level: u32,
        /// Counting direction.
        #[serde(default)]
        direction: Direction,
    },
    /// 指定标签: all members carrying one tag.
    Tag {
        /// The tag.
        tag: String,
    },
    /// 申请人本人: the applicant.
    Applicant,
    /// 申请人自选: chosen by the applicant at submission.
    ApplicantChoice {
        /// Members that may be chosen (`None`: 不限范围, any member).
        #[serde(default)]
        range: Option<Vec<String>>,
        /// 多选 (`false`: 单选, exactly one).
        #[serde(default)]
        multiple: bool,
    },
    /// 关联成员控件: the members chosen in a required member field.
    MemberField {
        /// Name of the field.
        field: String,
    },
}

impl Assignee {
    /// The node kind.
    pub fn kind(&self) -> NodeKind {
        match self {
            Assignee::Members { .. } => NodeKind::Members,
            Assignee::DeptHead { .. } => NodeKind::DeptHead,
            Assignee::Tag { .. } => NodeKind::Tag,
            Assignee::Applicant => NodeKind::Applicant,
            Assignee::ApplicantChoice { .. } => NodeKind::ApplicantChoice,
            Assignee::MemberField { .. } => NodeKind::MemberField,
        }
    }

    /// Whether the node always has exactly one person (the mode does not matter).
    fn single_person(&self) -> bool {
        matches!(
            self,
            Assignee::Applicant
                | Assignee::ApplicantChoice {
                    multiple: false,
                    ..
                }
        )
    }
}

/// The kind of a resolved node: the six template kinds and approvers added on the form (加签).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// 指定成员.
    Members,
    /// 指定部门负责人.
    DeptHead,
    /// 指定标签.
    Tag,
    /// 申请人本人.
    Applicant,
    /// 申请人自选.
    ApplicantChoice,
    /// 关联成员控件.
    MemberField,
    /// A temporary approver added on the form (`approval.settings.add-approver`).
    Added,
}

impl NodeKind {
    /// The clause defining this kind.
    pub fn rule(self) -> &'static str {
        match self {
            NodeKind::Members => RULE_NODE_MEMBER,
            NodeKind::DeptHead => RULE_NODE_DEPT_HEAD,
            NodeKind::Tag => RULE_NODE_TAG,
            NodeKind::Applicant => RULE_NODE_APPLICANT,
            NodeKind::ApplicantChoice => RULE_NODE_APPLICANT_CHOICE,
            NodeKind::MemberField => RULE_NODE_MEMBER_FIELD,
            NodeKind::Added => RULE_ADD_APPROVER,
        }
    }

    /// The clause listing this kind's multi-person modes.
    pub fn mode_rule(self) -> &'static str {
        match self {
            NodeKind::DeptHead => RULE_DEPT_HEAD_MULTIPLE,
            NodeKind::ApplicantChoice => RULE_APPLICANT_CHOICE_COUNT,
            k => k.rule(),
        }
    }

    /// The Chinese name, as the seed writes it (`None` for added approvers).
    pub fn zh(self) -> Option<&'static str> {
        match self {
            NodeKind::Members => Some("指定成员审批"),
            NodeKind::DeptHead => Some("指定部门负责人"),
            NodeKind::Tag => Some("指定标签"),
            NodeKind::Applicant => Some("申请人本人"),
            NodeKind::ApplicantChoice => Some("申请人自选"),
            NodeKind::MemberField => Some("关联成员控件"),
            NodeKind::Added => None,
        }
    }

    /// Modes allowed with several people, in the seed's order (`None`: one person, any mode).
    pub fn modes(self) -> Option<&'static [Mode]> {
        const THREE: &[Mode] = &[Mode::All, Mode::Any, Mode::Sequential];
        const THREE_ANY_FIRST: &[Mode] = &[Mode::Any, Mode::All, Mode::Sequential];
        match self {
            NodeKind::Members | NodeKind::MemberField => Some(THREE),
            NodeKind::DeptHead => Some(&[Mode::All, Mode::Any]),
            NodeKind::Tag => Some(&[Mode::Any, Mode::All]),
            NodeKind::ApplicantChoice => Some(THREE_ANY_FIRST),
            NodeKind::Applicant | NodeKind::Added => None,
        }
    }
}

/// One node of a template's flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NodeSpec {
    /// Approver or handler.
    #[serde(default)]
    pub role: Role,
    /// Who the node's people are.
    pub assignee: Assignee,
    /// How several people decide.
    #[serde(default)]
    pub mode: Mode,
}

impl NodeSpec {
    /// An approver node.
    pub fn approver(assignee: Assignee, mode: Mode) -> Self {
        NodeSpec {
            role: Role::Approver,
            assignee,
            mode,
        }
    }

    /// A handler node.
    pub fn handler(assignee: Assignee, mode: Mode) -> Self {
        NodeSpec {
            role: Role::Handler,
            assignee,
            mode,
        }
    }
}

/// The type of a form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// 成员控件: one or more members.
    Member,
}

/// A field (控件) of a template's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Field {
    /// Name, unique in the template.
    pub name: String,
    /// Type.
    pub kind: FieldKind,
    /// 必填.
    #[serde(default)]
    pub required: bool,
}

impl Field {
    /// A field.
    pub fn new(name: &str, kind: FieldKind, required: bool) -> Self {
        Field {
            name: name.to_string(),
            kind,
            required,
        }
    }
}

/// A value filled into a form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Member ids (a member field).
    Members(Vec<String>),
}

impl Value {
    fn kind(&self) -> FieldKind {
        match self {
            Value::Text(_) => FieldKind::Text,
            Value::Number(_) => FieldKind::Number,
            Value::Members(_) => FieldKind::Member,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Value::Text(s) => s.trim().is_empty(),
            Value::Number(n) => n.is_nan(),
            Value::Members(m) => m.is_empty(),
        }
    }
}

/// What happens when a node resolves to nobody (`approval.exceptions.empty`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhenEmpty {
    /// 自动同意: the node passes.
    #[default]
    AutoApprove,
    /// 转交给指定人员处理: the named member takes the node.
    TransferTo(String),
}

impl WhenEmpty {
    /// The Chinese name, as the seed writes it.
    pub fn zh(&self) -> &'static str {
        match self {
            WhenEmpty::AutoApprove => "自动同意",
            WhenEmpty::TransferTo(_) => "转交给指定人员处理",
        }
    }
}

/// What happens when a node's member has left (`approval.exceptions.departed`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhenDeparted {
    /// 提醒管理员手动交接: the admin is reminded and the slot waits for [`Instance::hand_over`].
    #[default]
    RemindAdmin,
    /// 自动交接给指定人员: the named member takes the slot.
    HandOverTo(String),
}

impl WhenDeparted {
    /// The Chinese name, as `approval.exceptions.departed` writes it.
    pub fn zh(&self) -> &'static str {
        match self {
            WhenDeparted::RemindAdmin => "提醒管理员手动交接",
            WhenDeparted::HandOverTo(_) => "自动交接给指定人员",
        }
    }
}

/// Exception handling of one role's nodes (`approval.exceptions`, `approval.settings.approver-exceptions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]
pub struct Exceptions {
    /// 成员为空时.
    pub when_empty: WhenEmpty,
    /// 成员离职时.
    pub when_departed: WhenDeparted,
}

/// When the same approver would approve the same form again (`approval.settings.auto-approve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repeated {
    /// 只首个节点需审批，其余自动同意: approved in any earlier node → auto-approved.
    FirstNodeOnly,
    /// 仅连续审批时自动同意: approved in the immediately preceding node → auto-approved.
    ConsecutiveOnly,
    /// 每个节点都需要审批: never automatic.
    #[default]
    EveryNode,
}

impl Repeated {
    /// The Chinese name, as the seed writes it.
    pub fn zh(self) -> &'static str {
        match self {
            Repeated::FirstNodeOnly => "只首个节点需审批，其余自动同意",
            Repeated::ConsecutiveOnly => "仅连续审批时自动同意",
            Repeated::EveryNode => "每个节点都需要审批",
        }
    }
}

/// Who may view a form's details (`approval.settings.view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    /// The option is off: no restriction by this module.
    #[default]
    Everyone,
    /// 仅管理员、申请人、审批人、抄送人、办理人和单据中被@的成员可查看.
    ParticipantsOnly,
}

/// Edit permissions (`approval.settings.edit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]
pub struct EditSettings {
    /// 提交申请时，员工不可修改固定抄送人.
    pub lock_fixed_cc: bool,
    /// 提交申请时，员工不可修改固定办理人.
    pub lock_fixed_handlers: bool,
    /// 通过后允许编辑: after approval, editable with the consent of approvers and handlers.
    pub edit_after_approval: bool,
}

/// What a department-head node does when the applicant is a head at its level (a choice of this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadIsApplicant {
    /// The applicant decides on their own form.
    SelfApprove,
    /// The node passes automatically when the applicant is the only head.
    Skip,
    /// The nearest department above with a head other than the applicant takes the node.
    #[default]
    Superior,
}

/// A template's rule settings (规则设置).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]
pub struct Settings {
    /// 审批人节点异常处理方式 (`approval.settings.approver-exceptions`).
    pub approver_exceptions: Exceptions,
    /// 办理人节点异常处理方式 (`approval.exceptions`).
    pub handler_exceptions: Exceptions,
    /// 自动审批 (`approval.settings.auto-approve`).
    pub repeated_approver: Repeated,
    /// 审批意见 (`approval.settings.approval-opinion`).
    pub approver_comment_required: bool,
    /// 办理意见 (`approval.handling-opinion`).
    pub handler_comment_required: bool,
    /// 电子签名 (`approval.settings.signature`).
    pub signature_required: bool,
    /// 查看权限 (`approval.settings.view`).
    pub view: View,
    /// 提交权限: 允许代他人提交申请 (`approval.settings.submit-for-others`).
    pub submit_for_others: bool,
    /// 加签权限 (`approval.settings.add-approver`).
    pub add_approver: bool,
    /// 修改权限 (`approval.settings.edit`).
    pub edit: EditSettings,
    /// A department head who is the applicant (choice of this module).
    pub head_is_applicant: HeadIsApplicant,
}

impl Settings {
    /// The exception handling of a role's nodes.
    pub fn exceptions(&self, role: Role) -> &Exceptions {
        match role {
            Role::Approver => &self.approver_exceptions,
            Role::Handler => &self.handler_exceptions,
        }
    }
}

/// An approval template (审批模板): form fields, flow and rule settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Template {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Form fields.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The flow, in order.
    pub nodes: Vec<NodeSpec>,
    /// Fixed CC recipients (固定抄送人).
    #[serde(default)]
    pub cc: Vec<String>,
    /// Rule settings.
    #[serde(default)]
    pub settings: Settings,
}

fn bad_id(id: &str) -> bool {
    id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_member_id(
    field: String,
    id: &str,
    rule: Option<&'static str>,
) -> Result<(), ApprovalError> {
    if bad_id(id) {
        return Err(template_err(
            field,
            format!("成员标识「{id}」不能为空或含空白字符"),
            format!("member id `{id}` must be non-empty without whitespace"),
            rule,
        ));
    }
    Ok(())
}

impl Template {
    /// A template with default settings and no CC.
    pub fn new(id: &str, name: &str, fields: Vec<Field>, nodes: Vec<NodeSpec>) -> Self {
        Template {
            id: id.to_string(),
            name: name.to_string(),
            fields,
            nodes,
            cc: Vec::new(),
            settings: Settings::default(),
        }
    }

    /// Parses a template from TOML and validates it.
    pub fn from_toml(src: &str) -> Result<Template, ApprovalError> {
        let t: Template = toml::from_str(src).map_err(|e| {
            template_err(
                "template",
                "模板无法解析",
                format!("the template does not parse: {e}"),
                None,
            )
        })?;
        t.validate()?;
        Ok(t)
    }

    /// Parses a template from JSON and validates it.
    pub fn from_json(src: &str) -> Result<Template, ApprovalError> {
        let t: Template = serde_json::from_str(src).map_err(|e| {
            template_err(
                "template",
                "模板无法解析",
                format!("the template does not parse: {e}"),
                None,
            )
        })?;
        t.validate()?;
        Ok(t)
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Checks the template; the first problem is named by its field path.
    pub fn validate(&self) -> Result<(), ApprovalError> {
        if bad_id(&self.id) {
            return Err(template_err(
                "id",
                "模板标识不能为空或含空白字符",
                "the template id must be non-empty without whitespace",
                None,
            ));
        }
        if self.name.trim().is_empty() {
            return Err(template_err(
                "name",
                "模板名称不能为空",
                "the template name must not be empty",
                None,
            ));
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.name.trim().is_empty() {
                return Err(template_err(
                    format!("fields[{i}].name"),
                    "控件名称不能为空",
                    "a field name must not be empty",
                    None,
                ));
            }
            if self.fields[..i].iter().any(|g| g.name == f.name) {
                return Err(template_err(
                    format!("fields[{i}].name"),
                    format!("控件名称「{}」重复", f.name),
                    format!("field name `{}` is used twice", f.name),
                    None,
                ));
            }
        }
        if self.nodes.is_empty() {
            return Err(template_err(
                "nodes",
                "审批流程至少需要一个节点",
                "the flow needs at least one node",
                None,
            ));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            self.validate_node(i, n)?;
        }
        for (j, c) in self.cc.iter().enumerate() {
            check_member_id(format!("cc[{j}]"), c, Some(RULE_EDIT))?;
        }
        for role in [Role::Approver, Role::Handler] {
            let ex = self.settings.exceptions(role);
            let key = match role {
                Role::Approver => "settings.approver-exceptions",
                Role::Handler => "settings.handler-exceptions",
            };
            if let WhenEmpty::TransferTo(m) = &ex.when_empty {
                check_member_id(
                    format!("{key}.when-empty.transfer-to"),
                    m,
                    Some(role.empty_rule()),
                )?;
            }
            if let WhenDeparted::HandOverTo(m) = &ex.when_departed {
                check_member_id(
                    format!("{key}.when-departed.hand-over-to"),
                    m,
                    Some(role.departed_rule()),
                )?;
            }
        }
        Ok(())
    }

    fn validate_node(&self, i: usize, n: &NodeSpec) -> Result<(), ApprovalError> {
        let path = |s: &str| format!("nodes[{i}].{s}");
        match &n.assignee {
            Assignee::Members { members } => {
                if members.is_empty() {
                    return Err(template_err(
                        path("assignee.members"),
                        "指定成员节点至少需要一名成员",
                        "a designated-members node needs at least one member",
                        Some(RULE_NODE_MEMBER),
                    ));
                }
                for (j, m) in members.iter().enumerate() {
                    check_member_id(
                        path(&format!("assignee.members[{j}]")),
                        m,
                        Some(RULE_NODE_MEMBER),
                    )?;
                    if members[..j].contains(m) {
                        return Err(template_err(
                            path(&format!("assignee.members[{j}]")),
                            format!("成员「{m}」重复"),
                            format!("member `{m}` is listed twice"),
                            Some(RULE_NODE_MEMBER),
                        ));
                    }
                }
            }
            Assignee::DeptHead { level, .. } => {
                if *level == 0 {
                    return Err(template_err(
                        path("assignee.level"),
                        "负责人层级从 1 开始",
                        "department-head levels start at 1",
                        Some(RULE_NODE_DEPT_HEAD),
                    ));
                }
            }
            Assignee::Tag { tag } => {
                if tag.trim().is_empty() {
                    return Err(template_err(
                        path("assignee.tag"),
                        "需指定一个标签",
                        "a tag node names one tag",
                        Some(RULE_NODE_TAG),
                    ));
                }
            }
            Assignee::Applicant => {}
            Assignee::ApplicantChoice { range, .. } => {
                if let Some(r) = range {
                    if r.is_empty() {
                        return Err(template_err(
                            path("assignee.range"),
                            "限定范围不能为空（不限范围请省略）",
                            "a limited range must name members (omit it for an unlimited range)",
                            Some(RULE_NODE_APPLICANT_CHOICE),
                        ));
                    }
                    for (j, m) in r.iter().enumerate() {
                        check_member_id(
                            path(&format!("assignee.range[{j}]")),
                            m,
                            Some(RULE_NODE_APPLICANT_CHOICE),
                        )?;
                    }
                }
            }
            Assignee::MemberField { field } => {
                let f = self.field(field).ok_or_else(|| {
                    template_err(
                        path("assignee.field"),
                        format!("模板中没有控件「{field}」"),
                        format!("the template has no field `{field}`"),
                        Some(RULE_NODE_MEMBER_FIELD),
                    )
                })?;
                if f.kind != FieldKind::Member {
                    return Err(template_err(
                        path("assignee.field"),
                        format!("控件「{field}」不是成员控件"),
                        format!("field `{field}` is not a member field"),
                        Some(RULE_NODE_MEMBER_FIELD),
                    ));
                }
                if !f.required {
                    return Err(template_err(
                        path("assignee.field"),
                        format!("只有必填的成员控件可以关联为办理人，「{field}」不是必填"),
                        format!(
                            "only a required member field can be linked; `{field}` is optional"
                        ),
                        Some(RULE_NODE_MEMBER_FIELD),
                    ));
                }
            }
        }
        let kind = n.assignee.kind();
        if !n.assignee.single_person() {
            if let Some(modes) = kind.modes() {
                if !modes.contains(&n.mode) {
                    let names: Vec<&str> = modes.iter().map(|m| m.zh()).collect();
                    return Err(template_err(
                        path("mode"),
                        format!(
                            "{}节点只能选择{}，不能选择「{}」",
                            kind.zh().unwrap_or_default(),
                            names.join("、"),
                            n.mode.zh()
                        ),
                        format!(
                            "a {kind:?} node allows {}, not {}",
                            modes.iter().map(|m| m.en()).collect::<Vec<_>>().join(", "),
                            n.mode.en()
                        ),
                        Some(kind.mode_rule()),
                    ));
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Submissions
// ---------------------------------------------------------------------------

/// What is filled in when a form is submitted (or resubmitted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]
pub struct Submission {
    /// Id of the form (chosen by the caller; no randomness here).
    pub id: String,
    /// 申请人.
    pub applicant: String,
    /// Who submits (`None`: the applicant; another member needs `approval.settings.submit-for-others`).
    pub submitter: Option<String>,
    /// The applicant's department the form is submitted from (`None`: the member's first department).
    pub department: Option<String>,
    /// Field values by field name.
    pub form: BTreeMap<String, Value>,
    /// Members chosen for applicant-choice nodes, by template node index.
    pub choices: BTreeMap<usize, Vec<String>>,
    /// Members @-mentioned in the form.
    pub mentions: Vec<String>,
    /// CC recipients (`None`: the template's fixed CC).
    pub cc: Option<Vec<String>>,
    /// Replacement handlers for fixed-handler nodes, by template node index (`approval.settings.edit`).
    pub handlers: BTreeMap<usize, Vec<String>>,
}

fn ids(members: &[&str]) -> Vec<String> {
    members.iter().map(|m| m.to_string()).collect()
}

impl Submission {
    /// A submission of form `id` by `applicant` for themselves.
    pub fn new(id: &str, applicant: &str) -> Self {
        Submission {
            id: id.to_string(),
            applicant: applicant.to_string(),
            ..Submission::default()
        }
    }

    /// Submitted by `submitter` on the applicant's behalf.
    pub fn by(mut self, submitter: &str) -> Self {
        self.submitter = Some(submitter.to_string());
        self
    }

    /// Submitted from department `dept`.
    pub fn from_department(mut self, dept: &str) -> Self {
        self.department = Some(dept.to_string());
        self
    }

    /// Sets a field value.
    pub fn field(mut self, name: &str, value: Value) -> Self {
        self.form.insert(name.to_string(), value);
        self
    }

    /// Sets a text field.
    pub fn text(self, name: &str, text: &str) -> Self {
        self.field(name, Value::Text(text.to_string()))
    }

    /// Sets a member field.
    pub fn members(self, name: &str, members: &[&str]) -> Self {
        self.field(name, Value::Members(ids(members)))
    }

    /// Chooses the people of applicant-choice node `node` (template index).
    pub fn choose(mut self, node: usize, members: &[&str]) -> Self {
        self.choices.insert(node, ids(members));
        self
    }

    /// @-mentions a member.
    pub fn mention(mut self, member: &str) -> Self {
        self.mentions.push(member.to_string());
        self
    }

    /// Sets the CC recipients.
    pub fn cc(mut self, members: &[&str]) -> Self {
        self.cc = Some(ids(members));
        self
    }

    /// Replaces the fixed handlers of handler node `node` (template index).
    pub fn handlers(mut self, node: usize, members: &[&str]) -> Self {
        self.handlers.insert(node, ids(members));
        self
    }

    fn submitter(&self) -> &str {
        self.submitter.as_deref().unwrap_or(&self.applicant)
    }
}

// ---------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------

/// The state of one person's task on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum SlotState {
    /// Waiting for this person (or, in a sequential node, for those before).
    Pending,
    /// Approved in person.
    Approved,
    /// Handling confirmed in person.
    Confirmed,
    /// Rejected in person.
    Rejected,
    /// Approved automatically (`approval.settings.auto-approve`).
    AutoApproved,
    /// The person left; waiting for an admin to hand over.
    Departed,
    /// The person left and the task went to `to`.
    HandedOver {
        /// Who took over.
        to: String,
    },
    /// Not needed: another person of an any-sign node decided.
    Skipped,
}

impl SlotState {
    /// An approval or confirmation (in person or automatic).
    fn positive(&self) -> bool {
        matches!(
            self,
            SlotState::Approved | SlotState::Confirmed | SlotState::AutoApproved
        )
    }

    /// Finished without blocking the node.
    fn done(&self) -> bool {
        self.positive() || matches!(self, SlotState::HandedOver { .. } | SlotState::Skipped)
    }
}

/// One person's task on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Slot {
    /// Member id.
    pub member: String,
    /// State.
    pub state: SlotState,
    /// The departed member this task was handed over from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl Slot {
    fn pending(member: String) -> Self {
        Slot {
            member,
            state: SlotState::Pending,
            from: None,
        }
    }
}

/// Why a node has no people of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Empty {
    /// Resolved to nobody; passes automatically (自动同意).
    AutoApprove,
    /// Resolved to nobody; transferred to this member (转交给指定人员处理).
    TransferredTo(String),
    /// The applicant was the only head at the level and [`HeadIsApplicant::Skip`] applies.
    HeadSkipped,
}

/// Where a node is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeState {
    /// Not reached yet.
    Waiting,
    /// The current node.
    Active,
    /// Completed.
    Passed,
    /// Rejected here.
    Rejected,
    /// The form was withdrawn while here.
    Withdrawn,
}

/// A node resolved for one form: concrete member ids and their states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Node {
    /// Approver or handler.
    pub role: Role,
    /// How several people decide.
    pub mode: Mode,
    /// The node kind.
    pub kind: NodeKind,
    /// Index of the template node it comes from (`None`: added on the form).
    pub template_node: Option<usize>,
    /// Who added it (加签).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    /// Why the node resolved to nobody, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<Empty>,
    /// Where the node is in the flow.
    pub state: NodeState,
    /// One task per person.
    pub slots: Vec<Slot>,
}

impl Node {
    /// Indexes of the slots whose turn it is.
    fn turn(&self) -> impl Iterator<Item = usize> + '_ {
        let first_open = match self.mode {
            Mode::Sequential => self.slots.iter().position(|s| !s.state.done()),
            _ => None,
        };
        self.slots
            .iter()
            .enumerate()
            .filter(move |(j, s)| {
                s.state == SlotState::Pending
                    && (self.mode != Mode::Sequential || first_open == Some(*j))
            })
            .map(|(j, _)| j)
    }

    fn complete(&self) -> bool {
        if self.slots.is_empty() {
            return true;
        }
        match self.mode {
            Mode::Any => {
                self.slots.iter().any(|s| s.state.positive())
                    || self.slots.iter().all(|s| s.state.done())
            }
            Mode::All | Mode::Sequential => self.slots.iter().all(|s| s.state.done()),
        }
    }

    fn has(&self, member: &str) -> bool {
        self.slots.iter().any(|s| s.member == member)
    }
}

/// Where a form stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// In the flow, at node `node`.
    InProgress {
        /// Index of the current node.
        node: usize,
    },
    /// Every node passed.
    Approved,
    /// An approver rejected.
    Rejected,
    /// The applicant (or submitter) withdrew it.
    Withdrawn,
}

impl Status {
    fn zh(self) -> &'static str {
        match self {
            Status::InProgress { .. } => "审批中",
            Status::Approved => "已通过",
            Status::Rejected => "已驳回",
            Status::Withdrawn => "已撤回",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Status::InProgress { .. } => "in progress",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// What a history entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum Action {
    /// The form was submitted.
    Submitted,
    /// The form was submitted again (a new round).
    Resubmitted,
    /// An approver approved.
    Approved,
    /// An approver rejected.
    Rejected,
    /// A handler confirmed handling.
    Confirmed,
    /// Approved automatically (`member`: whose task; `None`: an empty node).
    AutoApproved {
        /// The person approved automatically.
        member: Option<String>,
    },
    /// An empty node was transferred.
    Transferred {
        /// Who took it.
        to: String,
    },
    /// A member of the node has left; the admin was reminded.
    Departed {
        /// Who left.
        member: String,
    },
    /// A departed member's task was handed over.
    HandedOver {
        /// Who left.
        from: String,
        /// Who took over.
        to: String,
    },
    /// A temporary approver was added (加签).
    ApproverAdded {
        /// The added approver.
        member: String,
    },
    /// The form was withdrawn.
    Withdrawn,
    /// The last node passed: the form is approved.
    Completed,
    /// An edit of the approved form was requested.
    EditRequested,
    /// An approver or handler consented to the edit.
    EditConsented,
    /// An approver or handler declined the edit; the request is dropped.
    EditDeclined,
    /// The edit was applied.
    Edited,
}

/// One line of a form's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// When (unix seconds, from the caller's clock).
    pub at: i64,
    /// Round (1 for the first submission).
    pub round: u32,
    /// Who acted (`None`: the flow itself).
    pub actor: Option<String>,
    /// What happened.
    pub action: Action,
    /// The node concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<usize>,
    /// Opinion (审批意见 / 办理意见).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Electronic signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The clause (or setting) that made it happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleId>,
    /// A remark (a choice of this module that applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Cow<'static, str>>,
}

/// Who a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    /// A member.
    Member(String),
    /// The tenant's admins.
    Admins,
}

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum NoticeKind {
    /// 待办理: the flow reached a handler node (`approval.handler.notice`).
    ToHandle,
    /// 提醒管理员手动交接: a member of the node left.
    HandOver {
        /// Who left.
        member: String,
        /// The configured automatic hand-over target who could not take it (also gone).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        configured: Option<String>,
    },
}

/// A message the flow asks the caller to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Notice {
    /// Recipient.
    pub to: Recipient,
    /// The form.
    pub instance: String,
    /// The node.
    pub node: usize,
    /// What it is about.
    pub kind: NoticeKind,
    /// The clause that requires it.
    pub rule: RuleId,
}

impl Notice {
    /// The text in Chinese.
    pub fn zh(&self) -> String {
        match &self.kind {
            NoticeKind::ToHandle => format!(
                "审批单 {} 流转到你的办理节点（第 {} 个节点），请在详情页按需提交办理意见并确认办理",
                self.instance,
                self.node + 1
            ),
            NoticeKind::HandOver { member, configured } => {
                let extra = match configured {
                    Some(t) => format!("（自动交接对象 {t} 也已不在通讯录中）"),
                    None => String::new(),
                };
                format!(
                    "审批单 {} 第 {} 个节点的成员 {member} 已离职{extra}，请手动交接",
                    self.instance,
                    self.node + 1
                )
            }
        }
    }

    /// The text in English.
    pub fn en(&self) -> String {
        match &self.kind {
            NoticeKind::ToHandle => format!(
                "Form {} reached your handler node (node {}): submit an opinion if needed and confirm handling",
                self.instance,
                self.node + 1
            ),
            NoticeKind::HandOver { member, configured } => {
                let extra = match configured {
                    Some(t) => format!(" (the automatic hand-over target {t} is gone too)"),
                    None => String::new(),
                };
                format!(
                    "Member {member} of node {} of form {} has left{extra}; hand the task over manually",
                    self.node + 1,
                    self.instance
                )
            }
        }
    }
}

/// In what capacity someone may view a form (`approval.settings.view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Viewer {
    /// The view option is off.
    Everyone,
    /// 管理员.
    Admin,
    /// 申请人.
    Applicant,
    /// 审批人.
    Approver,
    /// 抄送人.
    Cc,
    /// 办理人.
    Handler,
    /// 单据中被@的成员.
    Mentioned,
}

impl Viewer {
    /// The Chinese name, as the seed writes it.
    pub fn zh(self) -> &'static str {
        match self {
            Viewer::Everyone => "所有人",
            Viewer::Admin => "管理员",
            Viewer::Applicant => "申请人",
            Viewer::Approver => "审批人",
            Viewer::Cc => "抄送人",
            Viewer::Handler => "办理人",
            Viewer::Mentioned => "单据中被@的成员",
        }
    }
}

/// Whether someone may view a form, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ViewDecision {
    /// Allowed.
    pub allowed: bool,
    /// The capacity that allows it (`None`: refused).
    pub viewer: Option<Viewer>,
    /// `approval.settings.view`.
    pub rule: &'static str,
}

impl ViewDecision {
    /// The explanation in Chinese.
    pub fn zh(&self) -> String {
        match self.viewer {
            Some(Viewer::Everyone) => "模板未限制查看权限".to_string(),
            Some(v) => format!("可查看：{}", v.zh()),
            None => "仅管理员、申请人、审批人、抄送人、办理人和单据中被@的成员可查看审批详情"
                .to_string(),
        }
    }
}

/// A pending request to edit an approved form (`approval.settings.edit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EditRequest {
    /// Who asked.
    pub by: String,
    /// When.
    pub at: i64,
    /// The new field values.
    pub form: BTreeMap<String, Value>,
    /// Whose consent is needed.
    pub needed: Vec<String>,
    /// Who has consented.
    pub consented: Vec<String>,
}

/// A submitted form moving through its resolved flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Instance {
    id: String,
    template_id: String,
    settings: Settings,
    applicant: String,
    submitter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    form: BTreeMap<String, Value>,
    mentions: Vec<String>,
    cc: Vec<String>,
    round: u32,
    nodes: Vec<Node>,
    status: Status,
    history: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    edit: Option<EditRequest>,
}

/// Everything a (re)submission resolves before the instance changes.
struct Prepared {
    nodes: Vec<Node>,
    department: Option<String>,
    cc: Vec<String>,
}

enum Heads {
    Found(Vec<MemberIx>),
    Missing,
    Skipped,
}

/// The heads at `level` of the applicant's chain (`approval.handler-node.dept-head*`).
fn dept_heads(
    dir: &Directory,
    applicant: MemberIx,
    dept: DeptIx,
    level: u32,
    direction: Direction,
    policy: HeadIsApplicant,
) -> Heads {
    let mut chain = Vec::with_capacity(8);
    chain.push(dept);
    chain.extend(dir.ancestors(dept));
    let level = level as usize;
    if level == 0 || level > chain.len() {
        return Heads::Missing;
    }
    let pos = match direction {
        Direction::BottomUp => level - 1,
        Direction::TopDown => chain.len() - level,
    };
    let heads_at = |p: usize| -> Vec<MemberIx> {
        chain.get(p).map_or_else(Vec::new, |d| {
            dir.department(*d)
                .heads
                .iter()
                .copied()
                .filter(|h| !dir.member_rec(*h).removed)
                .collect()
        })
    };
    let hs = heads_at(pos);
    if hs.is_empty() {
        return Heads::Missing;
    }
    if policy == HeadIsApplicant::SelfApprove || !hs.contains(&applicant) {
        return Heads::Found(hs);
    }
    let others: Vec<MemberIx> = hs.into_iter().filter(|h| *h != applicant).collect();
    if !others.is_empty() {
        return Heads::Found(others);
    }
    match policy {
        HeadIsApplicant::Skip => Heads::Skipped,
        _ => {
            for p in pos + 1..chain.len() {
                let up: Vec<MemberIx> = heads_at(p)
                    .into_iter()
                    .filter(|h| *h != applicant)
                    .collect();
                if !up.is_empty() {
                    return Heads::Found(up);
                }
            }
            Heads::Missing
        }
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(v.len());
    for m in v {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// Checks form values against the template's fields.
fn validate_form(
    template: &Template,
    dir: &Directory,
    form: &BTreeMap<String, Value>,
) -> Result<(), ApprovalError> {
    let linked = |name: &str| {
        template
            .nodes
            .iter()
            .any(|n| matches!(&n.assignee, Assignee::MemberField { field } if field == name))
    };
    for (name, v) in form {
        let f = template.field(name).ok_or_else(|| {
            input_err(
                format!("form.{name}"),
                format!("模板中没有控件「{name}」"),
                format!("the template has no field `{name}`"),
                None,
            )
        })?;
        if v.kind() != f.kind {
            return Err(input_err(
                format!("form.{name}"),
                format!("控件「{name}」的值类型不符"),
                format!("field `{name}` takes a {:?} value", f.kind),
                None,
            ));
        }
        if let Value::Members(ms) = v {
            let rule = linked(name).then_some(RULE_NODE_MEMBER_FIELD);
            for (j, m) in ms.iter().enumerate() {
                if !dir.is_member(m) {
                    return Err(not_member(format!("form.{name}[{j}]"), m, rule));
                }
            }
        }
    }
    for f in &template.fields {
        if f.required && form.get(&f.name).is_none_or(Value::is_empty) {
            let rule =
                (f.kind == FieldKind::Member && linked(&f.name)).then_some(RULE_NODE_MEMBER_FIELD);
            return Err(input_err(
                format!("form.{}", f.name),
                format!("必填控件「{}」未填写", f.name),
                format!("required field `{}` is empty", f.name),
                rule,
            ));
        }
    }
    Ok(())
}

/// Validates a (re)submission and resolves every node.
fn prepare(
    template: &Template,
    dir: &Directory,
    sub: &Submission,
) -> Result<Prepared, ApprovalError> {
    template.validate()?;
    let settings = &template.settings;
    let applicant = dir
        .member(&sub.applicant)
        .map_err(|_| not_member("applicant", &sub.applicant, None))?;
    let submitter = sub.submitter();
    if submitter != sub.applicant {
        if !dir.is_member(submitter) {
            return Err(not_member(
                "submitter",
                submitter,
                Some(RULE_SUBMIT_FOR_OTHERS),
            ));
        }
        if !settings.submit_for_others {
            return Err(ApprovalError::Disabled {
                setting: "submit-for-others",
                rule: RULE_SUBMIT_FOR_OTHERS,
            });
        }
    }
    validate_form(template, dir, &sub.form)?;
    let rec = dir.member_rec(applicant);
    let dept = match &sub.department {
        Some(d) => {
            let ix = dir.dept(d).map_err(|_| {
                input_err(
                    "department",
                    format!("部门「{d}」不存在"),
                    format!("no department `{d}`"),
                    Some(RULE_NODE_DEPT_HEAD),
                )
            })?;
            if !rec.departments.contains(&ix) {
                return Err(input_err(
                    "department",
                    format!("申请人不在部门「{d}」中"),
                    format!("the applicant is not in department `{d}`"),
                    Some(RULE_NODE_DEPT_HEAD),
                ));
            }
            Some(ix)
        }
        None => rec.departments.first().copied(),
    };
    for (j, m) in sub.mentions.iter().enumerate() {
        if !dir.is_member(m) {
            return Err(not_member(format!("mentions[{j}]"), m, Some(RULE_VIEW)));
        }
    }
    let cc = match &sub.cc {
        Some(list) => {
            for (j, m) in list.iter().enumerate() {
                if !dir.is_member(m) {
                    return Err(not_member(format!("cc[{j}]"), m, Some(RULE_EDIT)));
                }
            }
            if settings.edit.lock_fixed_cc {
                if let Some(f) = template
                    .cc
                    .iter()
                    .find(|f| dir.is_member(f) && !list.contains(f))
                {
                    return Err(denied(
                        submitter,
                        format!("提交申请时不可修改固定抄送人（缺少 {f}）"),
                        format!(
                            "fixed CC recipients cannot be changed at submission (missing {f})"
                        ),
                        Some(RULE_EDIT),
                    ));
                }
            }
            dedup(list.clone())
        }
        None => template
            .cc
            .iter()
            .filter(|m| dir.is_member(m))
            .cloned()
            .collect(),
    };
    for (&k, list) in &sub.choices {
        if !matches!(
            template.nodes.get(k).map(|n| &n.assignee),
            Some(Assignee::ApplicantChoice { .. })
        ) {
            return Err(input_err(
                format!("choices[{k}]"),
                "此节点不是申请人自选节点",
                "this node is not an applicant-choice node",
                Some(RULE_NODE_APPLICANT_CHOICE),
            ));
        }
        for (j, m) in list.iter().enumerate() {
            if !dir.is_member(m) {
                return Err(not_member(
                    format!("choices[{k}][{j}]"),
                    m,
                    Some(RULE_NODE_APPLICANT_CHOICE),
                ));
            }
        }
    }
    for (&k, list) in &sub.handlers {
        let fixed = template.nodes.get(k).is_some_and(|n| {
            n.role == Role::Handler && matches!(n.assignee, Assignee::Members { .. })
        });
        if !fixed {
            return Err(input_err(
                format!("handlers[{k}]"),
                "只有指定成员的办理人节点（固定办理人）可在提交时修改",
                "only a designated-members handler node (fixed handlers) can be changed at submission",
                Some(RULE_EDIT),
            ));
        }
        if settings.edit.lock_fixed_handlers {
            return Err(denied(
                submitter,
                "提交申请时，员工不可修改固定办理人",
                "fixed handlers cannot be changed at submission",
                Some(RULE_EDIT),
            ));
        }
        if list.is_empty() {
            return Err(input_err(
                format!("handlers[{k}]"),
                "至少指定一名办理人",
                "name at least one handler",
                Some(RULE_EDIT),
            ));
        }
        for (j, m) in list.iter().enumerate() {
            if !dir.is_member(m) {
                return Err(not_member(
                    format!("handlers[{k}][{j}]"),
                    m,
                    Some(RULE_EDIT),
                ));
            }
        }
    }

    let mut nodes = Vec::with_capacity(template.nodes.len() + 1);
    for (i, spec) in template.nodes.iter().enumerate() {
        let mut empty = None;
        let members: Vec<String> = match &spec.assignee {
            Assignee::Members { members } => match sub.handlers.get(&i) {
                Some(h) => h.clone(),
                None => members.clone(),
            },
            Assignee::DeptHead { level, direction } => {
                let found = match dept {
                    Some(d) => dept_heads(
                        dir,
                        applicant,
                        d,
                        *level,
                        *direction,
                        settings.head_is_applicant,
                    ),
                    None => Heads::Missing,
                };
                match found {
                    Heads::Found(hs) => hs.iter().map(|h| dir.member_rec(*h).id.clone()).collect(),
                    Heads::Missing => Vec::new(),
                    Heads::Skipped => {
                        empty = Some(Empty::HeadSkipped);
                        Vec::new()
                    }
                }
            }
            Assignee::Tag { tag } => dir
                .tagged(tag)
                .into_iter()
                .map(|m| dir.member_rec(m).id.clone())
                .collect(),
            Assignee::Applicant => vec![sub.applicant.clone()],
            Assignee::ApplicantChoice { range, multiple } => {
                let chosen = dedup(sub.choices.get(&i).cloned().unwrap_or_default());
                if chosen.is_empty() {
                    return Err(input_err(
                        format!("choices[{i}]"),
                        format!("请选择此节点的{}", spec.role.zh()),
                        "choose the people of this applicant-choice node",
                        Some(RULE_NODE_APPLICANT_CHOICE),
                    ));
                }
                if !multiple && chosen.len() > SINGLE_CHOICE_MAX {
                    return Err(input_err(
                        format!("choices[{i}]"),
                        format!(
                            "单选：只能选择 {SINGLE_CHOICE_MAX} 人，实际选择了 {} 人",
                            chosen.len()
                        ),
                        format!(
                            "single choice: exactly {SINGLE_CHOICE_MAX} person, got {}",
                            chosen.len()
                        ),
                        Some(RULE_APPLICANT_CHOICE_COUNT),
                    ));
                }
                if let Some(r) = range {
                    if let Some((j, m)) = chosen.iter().enumerate().find(|(_, m)| !r.contains(m)) {
                        return Err(input_err(
                            format!("choices[{i}][{j}]"),
                            format!("成员 {m} 不在限定范围内"),
                            format!("member `{m}` is outside the limited range"),
                            Some(RULE_NODE_APPLICANT_CHOICE),
                        ));
                    }
                }
                chosen
            }
            Assignee::MemberField { field } => match sub.form.get(field) {
                Some(Value::Members(ms)) => ms.clone(),
                _ => Vec::new(),
            },
        };
        let mut members = dedup(members);
        if members.is_empty() && empty.is_none() {
            empty = Some(match &settings.exceptions(spec.role).when_empty {
                WhenEmpty::AutoApprove => Empty::AutoApprove,
                WhenEmpty::TransferTo(t) => {
                    members.push(t.clone());
                    Empty::TransferredTo(t.clone())
                }
            });
        }
        nodes.push(Node {
            role: spec.role,
            mode: spec.mode,
            kind: spec.assignee.kind(),
            template_node: Some(i),
            added_by: None,
            empty,
            state: NodeState::Waiting,
            slots: members.into_iter().map(Slot::pending).collect(),
        });
    }
    Ok(Prepared {
        nodes,
        department: dept.map(|d| dir.department(d).id.clone()),
        cc,
    })
}

impl Instance {
    /// Submits a form: validates, resolves every node and enters the first one.
    pub fn submit(
        template: &Template,
        dir: &Directory,
        sub: Submission,
        at: i64,
    ) -> Result<(Instance, Vec<Notice>), ApprovalError> {
        if bad_id(&sub.id) {
            return Err(input_err(
                "id",
                "审批单标识不能为空或含空白字符",
                "the form id must be non-empty without whitespace",
                None,
            ));
        }
        let p = prepare(template, dir, &sub)?;
        let submitter = sub.submitter().to_string();
        let mut inst = Instance {
            id: sub.id,
            template_id: template.id.clone(),
            settings: template.settings.clone(),
            applicant: sub.applicant,
            submitter,
            department: p.department,
            form: sub.form,
            mentions: dedup(sub.mentions),
            cc: p.cc,
            round: 1,
            nodes: p.nodes,
            status: Status::InProgress { node: 0 },
            history: Vec::with_capacity(16),
            edit: None,
        };
        let mut notices = Vec::new();
        inst.start(dir, Action::Submitted, at, &mut notices);
        Ok((inst, notices))
    }

    /// Submits a rejected or withdrawn form again: a new round, nodes resolved again, history kept.
    pub fn resubmit(
        &mut self,
        template: &Template,
        dir: &Directory,
        sub: Submission,
        at: i64,
    ) -> Result<Vec<Notice>, ApprovalError> {
        if !matches!(self.status, Status::Rejected | Status::Withdrawn) {
            return Err(ApprovalError::State {
                zh: format!(
                    "只有已驳回或已撤回的审批单可以重新提交（当前：{}）",
                    self.status.zh()
                ),
                en: format!(
                    "only a rejected or withdrawn form can be resubmitted (it is {})",
                    self.status.en()
                ),
                rule: None,
            });
        }
        if template.id != self.template_id {
            return Err(input_err(
                "template.id",
                format!("审批单属于模板 {}", self.template_id),
                format!("the form belongs to template `{}`", self.template_id),
                None,
            ));
        }
        if !sub.id.is_empty() && sub.id != self.id {
            return Err(input_err(
                "id",
                format!("审批单标识应为 {}", self.id),
                format!("the form id is `{}`", self.id),
                None,
            ));
        }
        if sub.applicant != self.applicant {
            return Err(input_err(
                "applicant",
                format!("申请人应为 {}", self.applicant),
                format!("the applicant is `{}`", self.applicant),
                None,
            ));
        }
        let actor = sub.submitter();
        if actor != self.applicant && actor != self.submitter {
            return Err(denied(
                actor,
                "只有申请人或提交人可以重新提交",
                "only the applicant or the submitter may resubmit",
                None,
            ));
        }
        let p = prepare(template, dir, &sub)?;
        let actor = actor.to_string();
        self.round += 1;
        self.settings = template.settings.clone();
        self.submitter = actor;
        self.department = p.department;
        self.form = sub.form;
        self.mentions = dedup(sub.mentions);
        self.cc = p.cc;
        self.nodes = p.nodes;
        self.status = Status::InProgress { node: 0 };
        self.edit = None;
        let mut notices = Vec::new();
        self.start(dir, Action::Resubmitted, at, &mut notices);
        Ok(notices)
    }

    /// An approver approves (with an opinion and a signature when the template requires them).
    pub fn approve(
        &mut self,
        dir: &Directory,
        actor: &str,
        comment: Option<&str>,
        signature: Option<&str>,
        at: i64,
    ) -> Result<Vec<Notice>, ApprovalError> {
        let (i, j) = self.turn_of(dir, actor)?;
        if self.nodes[i].role == Role::Handler {
            return Err(ApprovalError::NotAnApprover {
                actor: actor.to_string(),
                rule: RULE_HANDLER,
            });
        }
        if self.settings.approver_comment_required && blank(comment) {
            return Err(ApprovalError::CommentRequired {
                rule: RULE_APPROVAL_OPINION,
            });
        }
        if self.settings.signature_required && blank(signature) {
            return Err(ApprovalError::SignatureRequired {
                rule: RULE_SIGNATURE,
            });
        }
        self.nodes[i].slots[j].state = SlotState::Approved;
        let e = self.log(at, Some(actor), Action::Approved, Some(i), None);
        e.comment = comment.map(str::to_string);
        e.signature = signature.map(str::to_string);
        let mut notices = Vec::new();
        self.settle(dir, i, at, &mut notices, true);
        Ok(notices)
    }

    /// An approver rejects; the form is rejected. Handlers cannot reject (`approval.handler`).
    pub fn reject(
        &mut self,
        dir: &Directory,
        actor: &str,
        comment: Option<&str>,
        at: i64,
    ) -> Result<(), ApprovalError> {
        let (i, j) = self.turn_of(dir, actor)?;
        if self.nodes[i].role == Role::Handler {
            return Err(ApprovalError::HandlerCannotReject {
                actor: actor.to_string(),
                rule: RULE_HANDLER,
            });
        }
        if self.settings.approver_comment_required && blank(comment) {
            return Err(ApprovalError::CommentRequired {
                rule: RULE_APPROVAL_OPINION,
            });
        }
        self.nodes[i].slots[j].state = SlotState::Rejected;
        self.nodes[i].state = NodeState::Rejected;
        self.status = Status::Rejected;
        let e = self.log(at, Some(actor), Action::Rejected, Some(i), None);
        e.comment = comment.map(str::to_string);
        Ok(())
    }

    /// A handler confirms handling (`approval.handler.notice`; opinion required under `approval.handling-opinion`).
    pub fn confirm(
        &mut self,
        dir: &Directory,
        actor: &str,
        comment: Option<&str>,
        at: i64,
    ) -> Result<Vec<Notice>, ApprovalError> {
        let (i, j) = self.turn_of(dir, actor)?;
        if self.nodes[i].role == Role::Approver {
            return Err(ApprovalError::NotAHandler {
                actor: actor.to_string(),
                rule: RULE_HANDLER,
            });
        }
        if self.settings.handler_comment_required && blank(comment) {
            return Err(ApprovalError::CommentRequired {
                rule: RULE_HANDLING_OPINION,
            });
        }
        self.nodes[i].slots[j].state = SlotState::Confirmed;
        let e = self.log(at, Some(actor), Action::Confirmed, Some(i), None);
        e.comment = comment.map(str::to_string);
        let mut notices = Vec::new();
        self.settle(dir, i, at, &mut notices, true);
        Ok(notices)
    }

    /// The applicant or the submitter withdraws the form while it is in progress.
    pub fn withdraw(&mut self, actor: &str, at: i64) -> Result<(), ApprovalError> {
        let i = self.active()?;
        if actor != self.applicant && actor != self.submitter {
            return Err(denied(
                actor,
                "只有申请人或提交人可以撤回审批单",
                "only the applicant or the submitter may withdraw the form",
                None,
            ));
        }
        self.nodes[i].state = NodeState::Withdrawn;
        self.status = Status::Withdrawn;
        self.log(at, Some(actor), Action::Withdrawn, Some(i), None);
        Ok(())
    }

    /// The approver whose turn it is adds a temporary approver (加签), as a new node right after the current one.
    pub fn add_approver(
        &mut self,
        dir: &Directory,
        actor: &str,
        member: &str,
        at: i64,
    ) -> Result<(), ApprovalError> {
        if !self.settings.add_approver {
            return Err(ApprovalError::Disabled {
                setting: "add-approver",
                rule: RULE_ADD_APPROVER,
            });
        }
        let (i, _) = self.turn_of(dir, actor)?;
        if self.nodes[i].role == Role::Handler {
            return Err(denied(
                actor,
                "办理人不能加签，只有当前审批人可以增加临时审批人",
                "handlers cannot add approvers; only the approver whose turn it is can",
                Some(RULE_ADD_APPROVER),
            ));
        }
        if !dir.is_member(member) {
            return Err(not_member("member", member, Some(RULE_ADD_APPROVER)));
        }
        self.nodes.insert(
            i + 1,
            Node {
                role: Role::Approver,
                mode: Mode::All,
                kind: NodeKind::Added,
                template_node: None,
                added_by: Some(actor.to_string()),
                empty: None,
                state: NodeState::Waiting,
                slots: vec![Slot::pending(member.to_string())],
            },
        );
        self.log(
            at,
            Some(actor),
            Action::ApproverAdded {
                member: member.to_string(),
            },
            Some(i + 1),
            Some(RULE_ADD_APPROVER),
        );
        Ok(())
    }

    /// A member has left (`dir` no longer holds it): its pending tasks go through the departed rule.
    pub fn member_left(
        &mut self,
        dir: &Directory,
        member: &str,
        at: i64,
    ) -> Result<Vec<Notice>, ApprovalError> {
        if dir.is_member(member) {
            return Err(input_err(
                "member",
                format!("成员 {member} 仍在通讯录中"),
                format!("member `{member}` is still in the directory"),
                Some(RULE_EXCEPTIONS_DEPARTED),
            ));
        }
        let mut notices = Vec::new();
        let Ok(start) = self.active() else {
            return Ok(notices);
        };
        for i in start..self.nodes.len() {
            let mut j = 0;
            while j < self.nodes[i].slots.len() {
                let s = &self.nodes[i].slots[j];
                if s.member == member && s.state == SlotState::Pending {
                    self.departed(dir, i, j, at, &mut notices);
                }
                j += 1;
            }
        }
        self.settle(dir, start, at, &mut notices, false);
        Ok(notices)
    }

    /// An admin hands a departed member's tasks over to `to` (提醒管理员手动交接).
    pub fn hand_over(
        &mut self,
        dir: &Directory,
        admin: &str,
        from: &str,
        to: &str,
        at: i64,
    ) -> Result<Vec<Notice>, ApprovalError> {
        let start = self.active()?;
        let stuck = |s: &Slot| {
            s.member == from
                && (s.state == SlotState::Departed
                    || (s.state == SlotState::Pending && !dir.is_member(from)))
        };
        let found = self.nodes[start..]
            .iter()
            .find_map(|n| n.slots.iter().any(stuck).then_some(n.role));
        let Some(role) = found else {
            return Err(input_err(
                "from",
                format!("成员 {from} 没有待交接的审批任务"),
                format!("member `{from}` has no task waiting for hand-over"),
                Some(RULE_EXCEPTIONS_DEPARTED),
            ));
        };
        if from == to {
            return Err(input_err(
                "to",
                "不能交接给离职成员本人",
                "cannot hand over to the departed member",
                Some(role.departed_rule()),
            ));
        }
        if !dir.is_member(to) {
            return Err(not_member("to", to, Some(role.departed_rule())));
        }
        let mut notices = Vec::new();
        for i in start..self.nodes.len() {
            let mut j = 0;
            while j < self.nodes[i].slots.len() {
                if stuck(&self.nodes[i].slots[j]) {
                    let rule = self.nodes[i].role.departed_rule();
                    self.hand_slot(i, j, to, Some(admin), rule, at, &mut notices);
                }
                j += 1;
            }
        }
        self.settle(dir, start, at, &mut notices, false);
        Ok(notices)
    }

    /// The applicant (or submitter) asks to edit an approved form (通过后允许编辑).
    pub fn request_edit(
        &mut self,
        template: &Template,
        dir: &Directory,
        actor: &str,
        form: BTreeMap<String, Value>,
        at: i64,
    ) -> Result<(), ApprovalError> {
        if !self.settings.edit.edit_after_approval {
            return Err(ApprovalError::Disabled {
                setting: "edit.edit-after-approval",
                rule: RULE_EDIT,
            });
        }
        if self.status != Status::Approved {
            return Err(ApprovalError::State {
                zh: format!(
                    "只有已通过的审批单可以申请编辑（当前：{}）",
                    self.status.zh()
                ),
                en: format!(
                    "only an approved form can be edited (it is {})",
                    self.status.en()
                ),
                rule: Some(RULE_EDIT),
            });
        }
        if self.edit.is_some() {
            return Err(ApprovalError::State {
                zh: "已有待同意的编辑申请".into(),
                en: "an edit request is already waiting for consent".into(),
                rule: Some(RULE_EDIT),
            });
        }
        if actor != self.applicant && actor != self.submitter {
            return Err(denied(
                actor,
                "只有申请人或提交人可以申请编辑",
                "only the applicant or the submitter may ask to edit the form",
                Some(RULE_EDIT),
            ));
        }
        if template.id != self.template_id {
            return Err(input_err(
                "template.id",
                format!("审批单属于模板 {}", self.template_id),
                format!("the form belongs to template `{}`", self.template_id),
                None,
            ));
        }
        validate_form(template, dir, &form)?;
        let mut needed: Vec<String> = Vec::new();
        for n in &self.nodes {
            for s in &n.slots {
                if matches!(s.state, SlotState::Approved | SlotState::Confirmed)
                    && s.member != actor
                    && !needed.contains(&s.member)
                {
                    needed.push(s.member.clone());
                }
            }
        }
        self.log(
            at,
            Some(actor),
            Action::EditRequested,
            None,
            Some(RULE_EDIT),
        );
        if needed.is_empty() {
            self.form = form;
            self.log(at, None, Action::Edited, None, Some(RULE_EDIT));
        } else {
            self.edit = Some(EditRequest {
                by: actor.to_string(),
                at,
                form,
                needed,
                consented: Vec::new(),
            });
        }
        Ok(())
    }

    /// An approver or handler consents to the pending edit; the last consent applies it.
    pub fn consent_edit(&mut self, actor: &str, at: i64) -> Result<(), ApprovalError> {
        let req = self.edit_needing(actor)?;
        req.consented.push(actor.to_string());
        let all = req.needed.iter().all(|m| req.consented.contains(m));
        self.log(
            at,
            Some(actor),
            Action::EditConsented,
            None,
            Some(RULE_EDIT),
        );
        if all {
            if let Some(req) = self.edit.take() {
                self.form = req.form;
            }
            self.log(at, None, Action::Edited, None, Some(RULE_EDIT));
        }
        Ok(())
    }

    /// An approver or handler declines the pending edit; the request is dropped.
    pub fn decline_edit(&mut self, actor: &str, at: i64) -> Result<(), ApprovalError> {
        self.edit_needing(actor)?;
        self.edit = None;
        self.log(at, Some(actor), Action::EditDeclined, None, Some(RULE_EDIT));
        Ok(())
    }

    // -- queries ------------------------------------------------------------

    /// The form's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The template's id.
    pub fn template_id(&self) -> &str {
        &self.template_id
    }

    /// The template settings in force for this round.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// 申请人.
    pub fn applicant(&self) -> &str {
        &self.applicant
    }

    /// Who submitted this round.
    pub fn submitter(&self) -> &str {
        &self.submitter
    }

    /// The department the form was submitted from.
    pub fn department(&self) -> Option<&str> {
        self.department.as_deref()
    }

    /// The field values.
    pub fn form(&self) -> &BTreeMap<String, Value> {
        &self.form
    }

    /// The @-mentioned members.
    pub fn mentions(&self) -> &[String] {
        &self.mentions
    }

    /// The CC recipients.
    pub fn cc(&self) -> &[String] {
        &self.cc
    }

    /// The round (1 for the first submission).
    pub fn round(&self) -> u32 {
        self.round
    }

    /// The resolved nodes of this round.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The history, oldest first, every round.
    pub fn history(&self) -> &[Entry] {
        &self.history
    }

    /// The pending edit request, if any.
    pub fn edit_request(&self) -> Option<&EditRequest> {
        self.edit.as_ref()
    }

    /// The current node's index, while in progress.
    pub fn active_node(&self) -> Option<usize> {
        match self.status {
            Status::InProgress { node } => Some(node),
            _ => None,
        }
    }

    /// Members whose turn it is on the current node.
    pub fn pending(&self) -> Vec<&str> {
        match self.active_node().and_then(|i| self.nodes.get(i)) {
            Some(n) => n.turn().map(|j| n.slots[j].member.as_str()).collect(),
            None => Vec::new(),
        }
    }

    /// The role in which `member` may act now (`None`: not their turn).
    pub fn may_act(&self, member: &str) -> Option<Role> {
        let n = self.nodes.get(self.active_node()?)?;
        n.turn()
            .any(|j| n.slots[j].member == member)
            .then_some(n.role)
    }

    /// Departed members whose tasks wait for an admin's hand-over.
    pub fn awaiting_hand_over(&self) -> Vec<&str> {
        let Some(start) = self.active_node() else {
            return Vec::new();
        };
        let mut out: Vec<&str> = Vec::new();
        for n in self.nodes.iter().skip(start) {
            for s in &n.slots {
                if s.state == SlotState::Departed && !out.contains(&s.member.as_str()) {
                    out.push(&s.member);
                }
            }
        }
        out
    }

    /// Whether `member` may view the form's details, and in what capacity (`approval.settings.view`).
    pub fn can_view(&self, member: &str, is_admin: bool) -> ViewDecision {
        let viewer = self.viewer(member, is_admin);
        ViewDecision {
            allowed: viewer.is_some(),
            viewer,
            rule: RULE_VIEW,
        }
    }

    fn viewer(&self, member: &str, is_admin: bool) -> Option<Viewer> {
        if self.settings.view == View::Everyone {
            return Some(Viewer::Everyone);
        }
        if is_admin {
            return Some(Viewer::Admin);
        }
        if member == self.applicant {
            return Some(Viewer::Applicant);
        }
        let in_role = |role: Role| {
            self.nodes
                .iter()
                .any(|n| n.role == role && n.slots.iter().any(|s| s.member == member))
                || self.history.iter().any(|e| {
                    e.actor.as_deref() == Some(member)
                        && match role {
                            Role::Approver => {
                                matches!(e.action, Action::Approved | Action::Rejected)
                            }
                            Role::Handler => e.action == Action::Confirmed,
                        }
                })
        };
        if in_role(Role::Approver) {
            return Some(Viewer::Approver);
        }
        if self.cc.iter().any(|c| c == member) {
            return Some(Viewer::Cc);
        }
        if in_role(Role::Handler) {
            return Some(Viewer::Handler);
        }
        if self.mentions.iter().any(|m| m == member) {
            return Some(Viewer::Mentioned);
        }
        None
    }

    // -- internals ----------------------------------------------------------

    fn active(&self) -> Result<usize, ApprovalError> {
        match self.status {
            Status::InProgress { node } if node < self.nodes.len() => Ok(node),
            s => Err(ApprovalError::State {
                zh: format!("审批单不在审批中（当前：{}）", s.zh()),
                en: format!("the form is not in progress (it is {})", s.en()),
                rule: None,
            }),
        }
    }

    /// The current node and the actor's slot there, if it is their turn and they are still a member.
    fn turn_of(&self, dir: &Directory, actor: &str) -> Result<(usize, usize), ApprovalError> {
        let i = self.active()?;
        let n = &self.nodes[i];
        let Some(j) = n.turn().find(|j| n.slots[*j].member == actor) else {
            let waiting = n
                .slots
                .iter()
                .any(|s| s.member == actor && s.state == SlotState::Pending);
            return Err(ApprovalError::NotYourTurn {
                actor: actor.to_string(),
                node: i,
                rule: waiting.then_some(n.kind.mode_rule()),
            });
        };
        if !dir.is_member(actor) {
            return Err(denied(
                actor,
                "成员已离职，其任务按离职规则交接",
                "the member has left; the task goes through the departed rule",
                Some(n.role.departed_rule()),
            ));
        }
        Ok((i, j))
    }

    fn edit_needing(&mut self, actor: &str) -> Result<&mut EditRequest, ApprovalError> {
        let Some(req) = self.edit.as_mut() else {
            return Err(ApprovalError::State {
                zh: "没有待同意的编辑申请".into(),
                en: "no edit request is waiting for consent".into(),
                rule: Some(RULE_EDIT),
            });
        };
        if !req.needed.iter().any(|m| m == actor) || req.consented.iter().any(|m| m == actor) {
            return Err(denied(
                actor,
                "不是需要同意此编辑的审批人或办理人，或已同意",
                "not an approver or handler whose consent is needed, or already consented",
                Some(RULE_EDIT),
            ));
        }
        Ok(req)
    }

    fn log(
        &mut self,
        at: i64,
        actor: Option<&str>,
        action: Action,
        node: Option<usize>,
        rule: Option<&'static str>,
    ) -> &mut Entry {
        self.history.push(Entry {
            at,
            round: self.round,
            actor: actor.map(str::to_string),
            action,
            node,
            comment: None,
            signature: None,
            rule: rule.map(Cow::Borrowed),
            note: None,
        });
        let last = self.history.len() - 1;
        &mut self.history[last]
    }

    /// Logs the (re)submission and transfers, sweeps departed members, enters the first node.
    fn start(&mut self, dir: &Directory, action: Action, at: i64, notices: &mut Vec<Notice>) {
        let submitter = self.submitter.clone();
        self.log(at, Some(&submitter), action, None, None);
        for i in 0..self.nodes.len() {
            if let Some(Empty::TransferredTo(t)) = &self.nodes[i].empty {
                let to = t.clone();
                let rule = self.nodes[i].role.empty_rule();
                self.log(at, None, Action::Transferred { to }, Some(i), Some(rule));
            }
        }
        for i in 0..self.nodes.len() {
            self.sweep_departed(dir, i, at, notices);
        }
        self.advance(dir, 0, at, notices);
    }

    fn sweep_departed(&mut self, dir: &Directory, i: usize, at: i64, notices: &mut Vec<Notice>) {
        let mut j = 0;
        while j < self.nodes[i].slots.len() {
            let s = &self.nodes[i].slots[j];
            if s.state == SlotState::Pending && !dir.is_member(&s.member) {
                self.departed(dir, i, j, at, notices);
            }
            j += 1;
        }
    }

    /// Applies the departed rule to slot `j` of node `i`.
    fn departed(
        &mut self,
        dir: &Directory,
        i: usize,
        j: usize,
        at: i64,
        notices: &mut Vec<Notice>,
    ) {
        let role = self.nodes[i].role;
        let rule = role.departed_rule();
        let member = self.nodes[i].slots[j].member.clone();
        let target = match &self.settings.exceptions(role).when_departed {
            WhenDeparted::HandOverTo(t) => Some(t.clone()),
            WhenDeparted::RemindAdmin => None,
        };
        match target {
            Some(t) if t != member && dir.is_member(&t) => {
                self.hand_slot(i, j, &t, None, rule, at, notices);
            }
            configured => {
                self.nodes[i].slots[j].state = SlotState::Departed;
                self.log(
                    at,
                    None,
                    Action::Departed {
                        member: member.clone(),
                    },
                    Some(i),
                    Some(rule),
                );
                notices.push(Notice {
                    to: Recipient::Admins,
                    instance: self.id.clone(),
                    node: i,
                    kind: NoticeKind::HandOver { member, configured },
                    rule: Cow::Borrowed(rule),
                });
            }
        }
    }

    /// Hands slot `j` of node `i` over to `to` (merged if `to` is already in the node).
    #[allow(clippy::too_many_arguments)]
    fn hand_slot(
        &mut self,
        i: usize,
        j: usize,
        to: &str,
        actor: Option<&str>,
        rule: &'static str,
        at: i64,
        notices: &mut Vec<Notice>,
    ) {
        let node = &mut self.nodes[i];
        let from = node.slots[j].member.clone();
        let present = node.has(to);
        node.slots[j].state = SlotState::HandedOver { to: to.to_string() };
        if !present {
            node.slots.insert(
                j + 1,
                Slot {
                    member: to.to_string(),
                    state: SlotState::Pending,
                    from: Some(from.clone()),
                },
            );
        }
        let notify = !present
            && node.state == NodeState::Active
            && node.role == Role::Handler
            && node.turn().any(|k| k == j + 1);
        self.log(
            at,
            actor,
            Action::HandedOver {
                from,
                to: to.to_string(),
            },
            Some(i),
            Some(rule),
        );
        if notify {
            notices.push(self.to_handle(i, to));
        }
    }

    fn to_handle(&self, i: usize, member: &str) -> Notice {
        Notice {
            to: Recipient::Member(member.to_string()),
            instance: self.id.clone(),
            node: i,
            kind: NoticeKind::ToHandle,
            rule: Cow::Borrowed(RULE_HANDLER_NOTICE),
        }
    }

    fn notify_turn(&self, i: usize, notices: &mut Vec<Notice>) {
        let n = &self.nodes[i];
        if n.role == Role::Handler {
            for j in n.turn() {
                notices.push(self.to_handle(i, &n.slots[j].member));
            }
        }
    }

    /// After a change on node `i`: pass it and move on if complete, else tell the next handler.
    fn settle(
        &mut self,
        dir: &Directory,
        i: usize,
        at: i64,
        notices: &mut Vec<Notice>,
        notify_turn: bool,
    ) {
        if self.nodes[i].state != NodeState::Active {
            return;
        }
        if self.nodes[i].complete() {
            self.pass(i);
            self.advance(dir, i + 1, at, notices);
        } else if notify_turn && self.nodes[i].mode == Mode::Sequential {
            self.notify_turn(i, notices);
        }
    }

    fn pass(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        n.state = NodeState::Passed;
        for s in &mut n.slots {
            if matches!(s.state, SlotState::Pending | SlotState::Departed) {
                s.state = SlotState::Skipped;
            }
        }
    }

    /// Enters nodes from `start` until one waits for people, or the form is approved.
    fn advance(&mut self, dir: &Directory, start: usize, at: i64, notices: &mut Vec<Notice>) {
        let mut i = start;
        while i < self.nodes.len() {
            self.sweep_departed(dir, i, at, notices);
            self.nodes[i].state = NodeState::Active;
            self.status = Status::InProgress { node: i };
            if self.nodes[i].slots.is_empty() {
                let role = self.nodes[i].role;
                let (rule, note): (&'static str, &'static str) = match self.nodes[i].empty {
                    Some(Empty::HeadSkipped) => (
                        RULE_NODE_DEPT_HEAD,
                        "申请人是该层级唯一的负责人，按设置跳过 the applicant is the only head at this level; skipped (setting head-is-applicant = skip)",
                    ),
                    _ => (
                        role.empty_rule(),
                        "成员为空时自动同意 no one at this node: approved automatically",
                    ),
                };
                let e = self.log(
                    at,
                    None,
                    Action::AutoApproved { member: None },
                    Some(i),
                    Some(rule),
                );
                e.note = Some(Cow::Borrowed(note));
                self.pass(i);
                i += 1;
                continue;
            }
            if self.nodes[i].role == Role::Approver {
                self.apply_repeated(i, at);
            }
            if self.nodes[i].complete() {
                self.pass(i);
                i += 1;
                continue;
            }
            self.notify_turn(i, notices);
            return;
        }
        self.status = Status::Approved;
        self.log(at, None, Action::Completed, None, None);
    }

    /// Auto-approves on node `i` those who already approved (`approval.settings.auto-approve`).
    fn apply_repeated(&mut self, i: usize, at: i64) {
        let approved_in = |n: &Node, m: &str| {
            n.role == Role::Approver
                && n.slots.iter().any(|s| {
                    s.member == m
                        && matches!(s.state, SlotState::Approved | SlotState::AutoApproved)
                })
        };
        let before = &self.nodes[..i];
        let marks: Vec<usize> = self.nodes[i]
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.state == SlotState::Pending
                    && match self.settings.repeated_approver {
                        Repeated::EveryNode => false,
                        Repeated::FirstNodeOnly => before.iter().any(|n| approved_in(n, &s.member)),
                        Repeated::ConsecutiveOnly => {
                            before.last().is_some_and(|n| approved_in(n, &s.member))
                        }
                    }
            })
            .map(|(j, _)| j)
            .collect();
        let note = self.settings.repeated_approver.zh();
        for j in marks {
            self.nodes[i].slots[j].state = SlotState::AutoApproved;
            let member = self.nodes[i].slots[j].member.clone();
            let e = self.log(
                at,
                None,
                Action::AutoApproved {
                    member: Some(member),
                },
                Some(i),
                Some(RULE_AUTO_APPROVE),
            );
            e.note = Some(Cow::Borrowed(note));
        }
    }
}
