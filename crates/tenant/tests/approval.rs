//! Scenario tests of `bylaw_tenant::approval` against `wecom-admin/approval.*`
//! (seed 003, article 如何设置审批办理人). Every test is named after the rule it
//! covers and names the clause id in a comment.

use std::sync::OnceLock;

use bylaw_rulebook::{Rule, Rulebook};
use bylaw_tenant::approval::*;
use bylaw_tenant::Directory;

const T0: i64 = 1_700_000_000;

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook loads"))
}

fn rule(id: &str) -> &'static Rule {
    rulebook().rule(id).expect("rule in the rulebook")
}

fn list(id: &str, name: &str) -> Vec<String> {
    rule(id).list(name).expect("list in the rule").items.clone()
}

/// 公司(root: ceo) ─ 研发(rd: cto) ─ 后端(be: lead1, lead2) ─ 存储(st: no head)
///                 └ 财务(fin: cfo)
fn dir() -> Directory {
    let mut d = Directory::new("root", "公司");
    for (id, name, parent) in [
        ("rd", "研发", "root"),
        ("be", "后端", "rd"),
        ("st", "存储", "be"),
        ("fin", "财务", "root"),
    ] {
        d.add_department(id, name, parent).unwrap();
    }
    for (id, depts) in [
        ("ceo", &["root"][..]),
        ("cto", &["rd"]),
        ("lead1", &["be"]),
        ("lead2", &["be"]),
        ("dev", &["st"]),
        ("dev2", &["be"]),
        ("cfo", &["fin"]),
        ("cashier", &["fin"]),
        ("cashier2", &["fin"]),
        ("alice", &["rd"]),
        ("bob", &["rd"]),
        ("carol", &["rd"]),
        ("hr", &["root"]),
        ("multi", &["st", "fin"]),
    ] {
        let ds: Vec<String> = depts.iter().map(|s| s.to_string()).collect();
        d.add_member(id, id, &ds).unwrap();
    }
    for (dept, head) in [
        ("root", "ceo"),
        ("rd", "cto"),
        ("be", "lead1"),
        ("be", "lead2"),
        ("fin", "cfo"),
    ] {
        d.set_head(dept, head, true).unwrap();
    }
    d.tag("cashier", "出纳", true).unwrap();
    d.tag("cashier2", "出纳", true).unwrap();
    d
}

fn strings(ms: &[&str]) -> Vec<String> {
    ms.iter().map(|s| s.to_string()).collect()
}

fn members(ms: &[&str]) -> Assignee {
    Assignee::Members {
        members: strings(ms),
    }
}

fn approver(ms: &[&str], mode: Mode) -> NodeSpec {
    NodeSpec::approver(members(ms), mode)
}

fn handler(ms: &[&str], mode: Mode) -> NodeSpec {
    NodeSpec::handler(members(ms), mode)
}

fn head(level: u32, direction: Direction) -> Assignee {
    Assignee::DeptHead { level, direction }
}

fn tpl(nodes: Vec<NodeSpec>) -> Template {
    Template::new(
        "expense",
        "报销",
        vec![
            Field::new("amount", FieldKind::Number, true),
            Field::new("payee", FieldKind::Member, true),
            Field::new("note", FieldKind::Text, false),
        ],
        nodes,
    )
}

fn with(mut t: Template, f: impl FnOnce(&mut Settings)) -> Template {
    f(&mut t.settings);
    t
}

fn sub(applicant: &str) -> Submission {
    Submission::new("f1", applicant)
        .field("amount", Value::Number(100.0))
        .members("payee", &["cashier"])
}

fn submit(t: &Template, d: &Directory, s: Submission) -> (Instance, Vec<Notice>) {
    Instance::submit(t, d, s, T0).expect("submits")
}

fn slots(inst: &Instance, i: usize) -> Vec<&str> {
    inst.nodes()[i]
        .slots
        .iter()
        .map(|s| s.member.as_str())
        .collect()
}

fn approve(inst: &mut Instance, d: &Directory, who: &str, at: i64) -> Vec<Notice> {
    inst.approve(d, who, None, None, at).expect("approves")
}

fn to_handle(notices: &[Notice]) -> Vec<&str> {
    notices
        .iter()
        .filter(|n| n.kind == NoticeKind::ToHandle)
        .filter_map(|n| match &n.to {
            Recipient::Member(m) => Some(m.as_str()),
            Recipient::Admins => None,
        })
        .collect()
}

fn actions(inst: &Instance) -> Vec<&Action> {
    inst.history().iter().map(|e| &e.action).collect()
}

fn rule_of(e: &ApprovalError) -> Option<&'static str> {
    match e {
        ApprovalError::Template { rule, .. }
        | ApprovalError::Input { rule, .. }
        | ApprovalError::NotMember { rule, .. }
        | ApprovalError::State { rule, .. }
        | ApprovalError::NotYourTurn { rule, .. }
        | ApprovalError::Denied { rule, .. } => *rule,
        ApprovalError::HandlerCannotReject { rule, .. }
        | ApprovalError::NotAnApprover { rule, .. }
        | ApprovalError::NotAHandler { rule, .. }
        | ApprovalError::CommentRequired { rule }
        | ApprovalError::SignatureRequired { rule }
        | ApprovalError::Disabled { rule, .. } => Some(*rule),
    }
}

fn field_of(e: &ApprovalError) -> &str {
    match e {
        ApprovalError::Template { field, .. }
        | ApprovalError::Input { field, .. }
        | ApprovalError::NotMember { field, .. } => field,
        _ => "",
    }
}

// ---------------------------------------------------------------------------
// The rule ids and the rulebook's lists
// ---------------------------------------------------------------------------

#[test]
fn every_rule_id_is_in_the_rulebook() {
    // wecom-admin/approval.* (all clauses this module names)
    for id in RULES {
        assert!(rulebook().rule(id).is_some(), "{id} missing");
        assert!(id.starts_with("wecom-admin/approval."));
    }
}

#[test]
fn handler_node_types_are_the_six_kinds_of_the_seed() {
    // wecom-admin/approval.handler-node.types
    let kinds = [
        NodeKind::Members,
        NodeKind::DeptHead,
        NodeKind::Tag,
        NodeKind::Applicant,
        NodeKind::ApplicantChoice,
        NodeKind::MemberField,
    ];
    let names: Vec<String> = kinds.iter().map(|k| k.zh().unwrap().to_string()).collect();
    assert_eq!(names, list(RULE_NODE_TYPES, "node-types"));
    for k in kinds {
        assert!(rulebook().rule(k.rule()).is_some());
    }
}

#[test]
fn multi_person_modes_per_kind_are_the_seeds_lists() {
    // wecom-admin/approval.handler-node.member, .dept-head.multiple, .tag, .applicant-choice.count
    for (kind, id) in [
        (NodeKind::Members, RULE_NODE_MEMBER),
        (NodeKind::DeptHead, RULE_DEPT_HEAD_MULTIPLE),
        (NodeKind::Tag, RULE_NODE_TAG),
        (NodeKind::ApplicantChoice, RULE_APPLICANT_CHOICE_COUNT),
    ] {
        let modes: Vec<String> = kind
            .modes()
            .unwrap()
            .iter()
            .map(|m| m.zh().to_string())
            .collect();
        assert_eq!(modes, list(id, "multi-handler-modes"), "{kind:?}");
        assert_eq!(kind.mode_rule(), id);
    }
}

#[test]
fn dept_head_directions_are_the_seeds() {
    // wecom-admin/approval.handler-node.dept-head.direction
    assert_eq!(
        vec![Direction::BottomUp.zh(), Direction::TopDown.zh()],
        list(RULE_DEPT_HEAD_DIRECTION, "directions")
    );
    // wecom-admin/approval.handler-node.dept-head: one level per node
    let t = rule(RULE_NODE_DEPT_HEAD)
        .threshold("levels-per-node", None)
        .unwrap();
    assert_eq!(t.value.unwrap().as_i64(), Some(1));
}

#[test]
fn exception_options_are_the_seeds() {
    // wecom-admin/approval.exceptions, .exceptions.empty, .exceptions.departed, .settings.approver-exceptions
    assert_eq!(
        list(RULE_EXCEPTIONS, "exception-cases"),
        vec!["办理人为空时", "办理人离职时"]
    );
    assert_eq!(
        vec![
            WhenEmpty::AutoApprove.zh(),
            WhenEmpty::TransferTo("x".into()).zh()
        ],
        list(RULE_EXCEPTIONS_EMPTY, "options")
    );
    assert_eq!(
        vec![
            WhenEmpty::AutoApprove.zh(),
            WhenEmpty::TransferTo("x".into()).zh()
        ],
        list(RULE_APPROVER_EXCEPTIONS, "when-empty")
    );
    assert_eq!(
        vec![
            WhenDeparted::RemindAdmin.zh(),
            WhenDeparted::HandOverTo("x".into()).zh()
        ],
        list(RULE_EXCEPTIONS_DEPARTED, "options")
    );
    // the defaults are the first option the seed lists
    let s = Settings::default();
    for role in [Role::Approver, Role::Handler] {
        assert_eq!(s.exceptions(role).when_empty, WhenEmpty::AutoApprove);
        assert_eq!(s.exceptions(role).when_departed, WhenDeparted::RemindAdmin);
    }
}

#[test]
fn auto_approve_options_are_the_seeds() {
    // wecom-admin/approval.settings.auto-approve
    assert_eq!(
        vec![
            Repeated::FirstNodeOnly.zh(),
            Repeated::ConsecutiveOnly.zh(),
            Repeated::EveryNode.zh()
        ],
        list(RULE_AUTO_APPROVE, "options")
    );
}

#[test]
fn view_viewers_are_the_seeds_list() {
    // wecom-admin/approval.settings.view
    let viewers = [
        Viewer::Admin,
        Viewer::Applicant,
        Viewer::Approver,
        Viewer::Cc,
        Viewer::Handler,
        Viewer::Mentioned,
    ];
    let names: Vec<&str> = viewers.iter().map(|v| v.zh()).collect();
    assert_eq!(names, list(RULE_VIEW, "viewers"));
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler — handlers confirm, never reject
// ---------------------------------------------------------------------------

#[test]
fn handler_cannot_reject() {
    // wecom-admin/approval.handler
    let d = dir();
    let t = tpl(vec![handler(&["cashier"], Mode::All)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let before = inst.clone();
    let err = inst
        .reject(&d, "cashier", Some("不付"), T0 + 1)
        .unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::HandlerCannotReject {
            rule: RULE_HANDLER,
            ..
        }
    ));
    assert!(err
        .to_string()
        .starts_with("办理人只能确认办理，无法驳回审批单"));
    assert!(err.to_string().contains(RULE_HANDLER));
    assert_eq!(inst, before, "unchanged on error");
    assert_eq!(
        list(RULE_HANDLER, "handler-forbidden-actions"),
        vec!["驳回"]
    );
}

#[test]
fn handler_confirms_and_does_not_approve() {
    // wecom-admin/approval.handler (handler-actions: 确认办理)
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let err = inst.confirm(&d, "alice", None, T0 + 1).unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::NotAHandler {
            rule: RULE_HANDLER,
            ..
        }
    ));
    approve(&mut inst, &d, "alice", T0 + 1);
    let before = inst.clone();
    let err = inst.approve(&d, "cashier", None, None, T0 + 2).unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::NotAnApprover {
            rule: RULE_HANDLER,
            ..
        }
    ));
    assert_eq!(inst, before);
    inst.confirm(&d, "cashier", None, T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Approved);
    assert_eq!(inst.nodes()[1].slots[0].state, SlotState::Confirmed);
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler.notice — the handler's to-do
// ---------------------------------------------------------------------------

#[test]
fn handler_notice_to_do_when_the_flow_reaches_the_handler_node() {
    // wecom-admin/approval.handler.notice
    let d = dir();
    let t = tpl(vec![
        approver(&["cfo"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, notices) = submit(&t, &d, sub("dev"));
    assert!(
        to_handle(&notices).is_empty(),
        "not yet at the handler node"
    );
    let notices = approve(&mut inst, &d, "cfo", T0 + 10);
    assert_eq!(to_handle(&notices), vec!["cashier"]);
    assert_eq!(notices[0].rule, RULE_HANDLER_NOTICE);
    assert_eq!(notices[0].node, 1);
    assert!(notices[0].zh().contains("确认办理"));
    assert!(notices[0].en().contains("confirm handling"));
    assert_eq!(inst.may_act("cashier"), Some(Role::Handler));
    // the handling opinion is optional (按需) by default
    inst.confirm(&d, "cashier", None, T0 + 20).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn handler_notice_sequential_handlers_are_notified_in_turn() {
    // wecom-admin/approval.handler.notice, wecom-admin/approval.handler-node.member (依次审批)
    let d = dir();
    let t = tpl(vec![handler(&["cashier", "cashier2"], Mode::Sequential)]);
    let (mut inst, notices) = submit(&t, &d, sub("dev"));
    assert_eq!(to_handle(&notices), vec!["cashier"]);
    let notices = inst.confirm(&d, "cashier", Some("已打款"), T0 + 1).unwrap();
    assert_eq!(to_handle(&notices), vec!["cashier2"]);
    let notices = inst.confirm(&d, "cashier2", None, T0 + 2).unwrap();
    assert!(notices.is_empty());
    assert_eq!(inst.status(), Status::Approved);
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.member — designated members
// ---------------------------------------------------------------------------

#[test]
fn member_node_is_the_same_for_every_applicant() {
    // wecom-admin/approval.handler-node.member
    let d = dir();
    let t = tpl(vec![approver(&["alice", "bob"], Mode::All)]);
    let (a, _) = submit(&t, &d, sub("dev"));
    let (b, _) = submit(
        &t,
        &d,
        Submission {
            id: "f2".into(),
            ..sub("cfo")
        },
    );
    assert_eq!(slots(&a, 0), vec!["alice", "bob"]);
    assert_eq!(slots(&a, 0), slots(&b, 0));
    assert_eq!(a.nodes()[0].kind, NodeKind::Members);
}

#[test]
fn member_all_sign_needs_everyone() {
    // wecom-admin/approval.handler-node.member (会签)
    let d = dir();
    let t = tpl(vec![approver(&["alice", "bob"], Mode::All)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.pending(), vec!["alice", "bob"]);
    approve(&mut inst, &d, "bob", T0 + 1);
    assert_eq!(inst.status(), Status::InProgress { node: 0 });
    assert_eq!(inst.pending(), vec!["alice"]);
    approve(&mut inst, &d, "alice", T0 + 2);
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn member_any_sign_completes_on_the_first_approval() {
    // wecom-admin/approval.handler-node.member (或签)
    let d = dir();
    let t = tpl(vec![
        approver(&["alice", "bob"], Mode::Any),
        approver(&["carol"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "bob", T0 + 1);
    assert_eq!(inst.status(), Status::InProgress { node: 1 });
    assert_eq!(inst.nodes()[0].slots[0].state, SlotState::Skipped);
    assert_eq!(inst.nodes()[0].state, NodeState::Passed);
    let err = inst.approve(&d, "alice", None, None, T0 + 2).unwrap_err();
    assert!(matches!(err, ApprovalError::NotYourTurn { node: 1, .. }));
}

#[test]
fn member_sequential_goes_person_by_person() {
    // wecom-admin/approval.handler-node.member (依次审批)
    let d = dir();
    let t = tpl(vec![approver(&["alice", "bob", "carol"], Mode::Sequential)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.pending(), vec!["alice"]);
    let before = inst.clone();
    let err = inst.approve(&d, "bob", None, None, T0 + 1).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_NODE_MEMBER), "bob waits for alice");
    assert_eq!(inst, before);
    approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(inst.pending(), vec!["bob"]);
    approve(&mut inst, &d, "bob", T0 + 2);
    approve(&mut inst, &d, "carol", T0 + 3);
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn member_node_needs_a_member() {
    // wecom-admin/approval.handler-node.member
    let t = tpl(vec![approver(&[], Mode::All)]);
    let err = t.validate().unwrap_err();
    assert_eq!(field_of(&err), "nodes[0].assignee.members");
    assert_eq!(rule_of(&err), Some(RULE_NODE_MEMBER));
    let t = tpl(vec![approver(&["alice", "alice"], Mode::All)]);
    assert_eq!(
        field_of(&t.validate().unwrap_err()),
        "nodes[0].assignee.members[1]"
    );
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.dept-head (+ .direction, .multiple)
// ---------------------------------------------------------------------------

fn head_of(d: &Directory, applicant: &str, level: u32, direction: Direction) -> Vec<String> {
    let t = tpl(vec![NodeSpec::approver(head(level, direction), Mode::Any)]);
    let (inst, _) = submit(&t, d, sub(applicant));
    inst.nodes()[0]
        .slots
        .iter()
        .map(|s| s.member.clone())
        .collect()
}

#[test]
fn dept_head_bottom_up_counts_from_the_applicants_department_upward() {
    // wecom-admin/approval.handler-node.dept-head.direction (从下至上)
    let d = dir();
    // dev2 is in 后端 (be) ⊂ 研发 (rd) ⊂ 公司 (root)
    assert_eq!(
        head_of(&d, "dev2", 1, Direction::BottomUp),
        vec!["lead1", "lead2"]
    );
    assert_eq!(head_of(&d, "dev2", 2, Direction::BottomUp), vec!["cto"]);
    assert_eq!(head_of(&d, "dev2", 3, Direction::BottomUp), vec!["ceo"]);
}

#[test]
fn dept_head_top_down_counts_from_the_topmost_head_downward() {
    // wecom-admin/approval.handler-node.dept-head.direction (从上至下)
    let d = dir();
    assert_eq!(head_of(&d, "dev2", 1, Direction::TopDown), vec!["ceo"]);
    assert_eq!(head_of(&d, "dev2", 2, Direction::TopDown), vec!["cto"]);
    assert_eq!(
        head_of(&d, "dev2", 3, Direction::TopDown),
        vec!["lead1", "lead2"]
    );
    // dev is one level deeper (存储 under 后端): top-down level 3 is still 后端
    assert_eq!(
        head_of(&d, "dev", 3, Direction::TopDown),
        vec!["lead1", "lead2"]
    );
    assert_eq!(
        head_of(&d, "dev", 2, Direction::BottomUp),
        vec!["lead1", "lead2"]
    );
}

#[test]
fn dept_head_multiple_heads_sign_by_all_or_any() {
    // wecom-admin/approval.handler-node.dept-head.multiple
    let d = dir();
    let all = tpl(vec![NodeSpec::approver(
        head(1, Direction::BottomUp),
        Mode::All,
    )]);
    let (mut inst, _) = submit(&all, &d, sub("dev2"));
    approve(&mut inst, &d, "lead1", T0 + 1);
    assert_eq!(inst.pending(), vec!["lead2"], "会签: both heads");
    approve(&mut inst, &d, "lead2", T0 + 2);
    assert_eq!(inst.status(), Status::Approved);

    let any = tpl(vec![NodeSpec::approver(
        head(1, Direction::BottomUp),
        Mode::Any,
    )]);
    let (mut inst, _) = submit(&any, &d, sub("dev2"));
    approve(&mut inst, &d, "lead2", T0 + 1);
    assert_eq!(inst.status(), Status::Approved, "或签: one head");
}

#[test]
fn dept_head_sequential_is_not_a_mode_of_the_seed() {
    // wecom-admin/approval.handler-node.dept-head.multiple (会签 / 或签 only)
    let t = tpl(vec![NodeSpec::handler(
        head(1, Direction::BottomUp),
        Mode::Sequential,
    )]);
    let err = t.validate().unwrap_err();
    assert_eq!(field_of(&err), "nodes[0].mode");
    assert_eq!(rule_of(&err), Some(RULE_DEPT_HEAD_MULTIPLE));
    assert!(err.to_string().contains("会签、或签"));
}

#[test]
fn dept_head_level_starts_at_one() {
    // wecom-admin/approval.handler-node.dept-head
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        NodeSpec::approver(head(0, Direction::TopDown), Mode::All),
    ]);
    let err = t.validate().unwrap_err();
    assert_eq!(field_of(&err), "nodes[1].assignee.level");
    assert_eq!(rule_of(&err), Some(RULE_NODE_DEPT_HEAD));
    assert!(err
        .to_string()
        .starts_with("模板字段 `nodes[1].assignee.level`："));
}

#[test]
fn dept_head_missing_level_is_an_empty_node() {
    // wecom-admin/approval.handler-node.dept-head, wecom-admin/approval.settings.approver-exceptions
    let d = dir();
    // 存储 has no head: bottom-up level 1 for dev is empty
    assert!(head_of(&d, "dev", 1, Direction::BottomUp).is_empty());
    // beyond the root
    assert!(head_of(&d, "dev2", 4, Direction::BottomUp).is_empty());
    assert!(head_of(&d, "dev2", 4, Direction::TopDown).is_empty());
    let t = with(
        tpl(vec![NodeSpec::approver(
            head(5, Direction::BottomUp),
            Mode::All,
        )]),
        |s| s.approver_exceptions.when_empty = WhenEmpty::TransferTo("hr".into()),
    );
    let (inst, _) = submit(&t, &d, sub("dev2"));
    assert_eq!(slots(&inst, 0), vec!["hr"]);
    assert_eq!(
        inst.nodes()[0].empty,
        Some(Empty::TransferredTo("hr".into()))
    );
}

#[test]
fn dept_head_applicant_as_head_goes_to_the_superior_by_default() {
    // wecom-admin/approval.handler-node.dept-head (choice: HeadIsApplicant::Superior)
    let d = dir();
    assert_eq!(
        Settings::default().head_is_applicant,
        HeadIsApplicant::Superior
    );
    assert_eq!(head_of(&d, "cto", 1, Direction::BottomUp), vec!["ceo"]);
    // a co-head: the other head of the level takes it
    assert_eq!(head_of(&d, "lead1", 1, Direction::BottomUp), vec!["lead2"]);
    // top-down level 2 of cto is 研发, whose only head is cto: one level up is 公司
    assert_eq!(head_of(&d, "cto", 2, Direction::TopDown), vec!["ceo"]);
    // the top head applying: nobody above, an empty node
    assert!(head_of(&d, "ceo", 1, Direction::BottomUp).is_empty());
}

#[test]
fn dept_head_applicant_as_head_skip_or_self_approve() {
    // wecom-admin/approval.handler-node.dept-head (choice: HeadIsApplicant::Skip / SelfApprove)
    let d = dir();
    let node = || vec![NodeSpec::approver(head(1, Direction::BottomUp), Mode::All)];
    let skip = with(tpl(node()), |s| s.head_is_applicant = HeadIsApplicant::Skip);
    let (inst, _) = submit(&skip, &d, sub("cto"));
    assert_eq!(inst.status(), Status::Approved);
    assert_eq!(inst.nodes()[0].empty, Some(Empty::HeadSkipped));
    let auto = &inst.history()[1];
    assert_eq!(auto.action, Action::AutoApproved { member: None });
    assert_eq!(auto.rule.as_deref(), Some(RULE_NODE_DEPT_HEAD));

    let own = with(tpl(node()), |s| {
        s.head_is_applicant = HeadIsApplicant::SelfApprove
    });
    let (mut inst, _) = submit(&own, &d, sub("cto"));
    assert_eq!(inst.pending(), vec!["cto"]);
    approve(&mut inst, &d, "cto", T0 + 1);
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn dept_head_uses_the_department_submitted_from() {
    // wecom-admin/approval.handler-node.dept-head (按员工所在部门)
    let d = dir();
    let t = tpl(vec![NodeSpec::approver(
        head(1, Direction::BottomUp),
        Mode::Any,
    )]);
    // multi is in 存储 (no head) and 财务 (cfo); the first department is the default
    let (inst, _) = submit(&t, &d, sub("multi"));
    assert!(slots(&inst, 0).is_empty());
    let (inst, _) = submit(&t, &d, sub("multi").from_department("fin"));
    assert_eq!(slots(&inst, 0), vec!["cfo"]);
    assert_eq!(inst.department(), Some("fin"));
    let err = Instance::submit(&t, &d, sub("multi").from_department("rd"), T0).unwrap_err();
    assert_eq!(field_of(&err), "department");
    assert_eq!(rule_of(&err), Some(RULE_NODE_DEPT_HEAD));
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.tag
// ---------------------------------------------------------------------------

#[test]
fn tag_node_takes_every_member_of_the_tag_any_sign() {
    // wecom-admin/approval.handler-node.tag (或签)
    let d = dir();
    let t = tpl(vec![NodeSpec::handler(
        Assignee::Tag {
            tag: "出纳".into()
        },
        Mode::Any,
    )]);
    let (mut inst, notices) = submit(&t, &d, sub("dev"));
    assert_eq!(slots(&inst, 0), vec!["cashier", "cashier2"]);
    assert_eq!(to_handle(&notices), vec!["cashier", "cashier2"]);
    inst.confirm(&d, "cashier2", None, T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn tag_node_all_sign() {
    // wecom-admin/approval.handler-node.tag (会签)
    let d = dir();
    let t = tpl(vec![NodeSpec::handler(
        Assignee::Tag {
            tag: "出纳".into()
        },
        Mode::All,
    )]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    inst.confirm(&d, "cashier2", None, T0 + 1).unwrap();
    assert_eq!(inst.pending(), vec!["cashier"]);
    inst.confirm(&d, "cashier", None, T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn tag_node_one_tag_and_no_sequential() {
    // wecom-admin/approval.handler-node.tag (指定一个标签; 或签 / 会签)
    let t = tpl(vec![NodeSpec::handler(
        Assignee::Tag { tag: " ".into() },
        Mode::Any,
    )]);
    let err = t.validate().unwrap_err();
    assert_eq!(field_of(&err), "nodes[0].assignee.tag");
    assert_eq!(rule_of(&err), Some(RULE_NODE_TAG));
    let t = tpl(vec![NodeSpec::handler(
        Assignee::Tag {
            tag: "出纳".into()
        },
        Mode::Sequential,
    )]);
    assert_eq!(rule_of(&t.validate().unwrap_err()), Some(RULE_NODE_TAG));
    // several tags cannot even be written
    let src = r#"
        id = "x"
        name = "x"
        [[nodes]]
        assignee = { kind = "tag", tag = ["a", "b"] }
    "#;
    assert!(Template::from_toml(src).is_err());
    let t = rule(RULE_NODE_TAG)
        .threshold("tags-per-node", None)
        .unwrap();
    assert_eq!(t.value.unwrap().as_i64(), Some(1));
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.applicant
// ---------------------------------------------------------------------------

#[test]
fn applicant_node_is_the_applicant() {
    // wecom-admin/approval.handler-node.applicant
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        NodeSpec::handler(Assignee::Applicant, Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let notices = approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(to_handle(&notices), vec!["dev"]);
    assert_eq!(slots(&inst, 1), vec!["dev"]);
    inst.confirm(&d, "dev", None, T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.applicant-choice (+ .count)
// ---------------------------------------------------------------------------

fn choice(range: Option<&[&str]>, multiple: bool, mode: Mode) -> NodeSpec {
    NodeSpec::handler(
        Assignee::ApplicantChoice {
            range: range.map(strings),
            multiple,
        },
        mode,
    )
}

#[test]
fn applicant_choice_unlimited_any_member() {
    // wecom-admin/approval.handler-node.applicant-choice (不限范围)
    let d = dir();
    let t = tpl(vec![choice(None, false, Mode::All)]);
    let (inst, notices) = submit(&t, &d, sub("dev").choose(0, &["hr"]));
    assert_eq!(slots(&inst, 0), vec!["hr"]);
    assert_eq!(to_handle(&notices), vec!["hr"]);
    let err = Instance::submit(&t, &d, sub("dev"), T0).unwrap_err();
    assert_eq!(field_of(&err), "choices[0]", "a choice is needed");
    assert_eq!(rule_of(&err), Some(RULE_NODE_APPLICANT_CHOICE));
    let err = Instance::submit(&t, &d, sub("dev").choose(0, &["ghost"]), T0).unwrap_err();
    assert!(matches!(err, ApprovalError::NotMember { .. }));
    assert_eq!(field_of(&err), "choices[0][0]");
}

#[test]
fn applicant_choice_limited_range() {
    // wecom-admin/approval.handler-node.applicant-choice (限定范围)
    let d = dir();
    let t = tpl(vec![choice(
        Some(&["cashier", "cashier2"]),
        false,
        Mode::All,
    )]);
    let (inst, _) = submit(&t, &d, sub("dev").choose(0, &["cashier2"]));
    assert_eq!(slots(&inst, 0), vec!["cashier2"]);
    let err = Instance::submit(&t, &d, sub("dev").choose(0, &["hr"]), T0).unwrap_err();
    assert_eq!(field_of(&err), "choices[0][0]");
    assert_eq!(rule_of(&err), Some(RULE_NODE_APPLICANT_CHOICE));
    let empty = tpl(vec![choice(Some(&[]), false, Mode::All)]);
    assert_eq!(
        field_of(&empty.validate().unwrap_err()),
        "nodes[0].assignee.range"
    );
}

#[test]
fn applicant_choice_single_is_exactly_one() {
    // wecom-admin/approval.handler-node.applicant-choice.count (单选, threshold handlers/single)
    let th = rule(RULE_APPLICANT_CHOICE_COUNT)
        .threshold("handlers", Some("single"))
        .unwrap();
    assert_eq!(th.value.unwrap().as_i64(), Some(SINGLE_CHOICE_MAX as i64));
    let d = dir();
    let t = tpl(vec![choice(None, false, Mode::All)]);
    let before = sub("dev").choose(0, &["alice", "bob"]);
    let err = Instance::submit(&t, &d, before, T0).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_APPLICANT_CHOICE_COUNT));
    assert!(err.to_string().contains("单选"));
    // the same person twice is one person
    let (inst, _) = submit(&t, &d, sub("dev").choose(0, &["alice", "alice"]));
    assert_eq!(slots(&inst, 0), vec!["alice"]);
}

#[test]
fn applicant_choice_multiple_by_any_all_or_sequential() {
    // wecom-admin/approval.handler-node.applicant-choice.count (多选: 或签 / 会签 / 依次审批)
    let d = dir();
    let t = tpl(vec![choice(None, true, Mode::Sequential)]);
    let (mut inst, notices) = submit(&t, &d, sub("dev").choose(0, &["bob", "alice"]));
    assert_eq!(to_handle(&notices), vec!["bob"]);
    let err = inst.confirm(&d, "alice", None, T0 + 1).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_APPLICANT_CHOICE_COUNT));
    inst.confirm(&d, "bob", None, T0 + 1).unwrap();
    inst.confirm(&d, "alice", None, T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Approved);

    let t = tpl(vec![choice(None, true, Mode::Any)]);
    let (mut inst, _) = submit(&t, &d, sub("dev").choose(0, &["bob", "alice"]));
    inst.confirm(&d, "alice", None, T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn applicant_choice_only_for_choice_nodes() {
    // wecom-admin/approval.handler-node.applicant-choice
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let err = Instance::submit(&t, &d, sub("dev").choose(0, &["bob"]), T0).unwrap_err();
    assert_eq!(field_of(&err), "choices[0]");
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.handler-node.member-field
// ---------------------------------------------------------------------------

#[test]
fn member_field_people_become_the_nodes_handlers() {
    // wecom-admin/approval.handler-node.member-field
    let d = dir();
    let t = tpl(vec![NodeSpec::handler(
        Assignee::MemberField {
            field: "payee".into(),
        },
        Mode::All,
    )]);
    let (mut inst, notices) = submit(&t, &d, sub("dev").members("payee", &["cashier", "cfo"]));
    assert_eq!(slots(&inst, 0), vec!["cashier", "cfo"]);
    assert_eq!(to_handle(&notices), vec!["cashier", "cfo"]);
    inst.confirm(&d, "cfo", None, T0 + 1).unwrap();
    inst.confirm(&d, "cashier", None, T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Approved);
    // the field is required: leaving it empty is refused, with the rule
    let mut s = sub("dev");
    s.form.remove("payee");
    let err = Instance::submit(&t, &d, s, T0).unwrap_err();
    assert_eq!(field_of(&err), "form.payee");
    assert_eq!(rule_of(&err), Some(RULE_NODE_MEMBER_FIELD));
    let err = Instance::submit(&t, &d, sub("dev").members("payee", &["ghost"]), T0).unwrap_err();
    assert_eq!(field_of(&err), "form.payee[0]");
    assert_eq!(rule_of(&err), Some(RULE_NODE_MEMBER_FIELD));
}

#[test]
fn member_field_must_be_a_required_member_field() {
    // wecom-admin/approval.handler-node.member-field (模板中必填的成员控件)
    let link = |field: &str| {
        tpl(vec![NodeSpec::handler(
            Assignee::MemberField {
                field: field.into(),
            },
            Mode::All,
        )])
    };
    let mut optional = link("payee");
    optional.fields[1].required = false;
    for (t, why) in [
        (optional, "必填"),
        (link("note"), "不是成员控件"),
        (link("nope"), "没有控件"),
    ] {
        let err = t.validate().unwrap_err();
        assert_eq!(field_of(&err), "nodes[0].assignee.field");
        assert_eq!(rule_of(&err), Some(RULE_NODE_MEMBER_FIELD));
        assert!(err.to_string().contains(why), "{err}");
    }
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.exceptions.empty and .settings.approver-exceptions (empty)
// ---------------------------------------------------------------------------

#[test]
fn exceptions_empty_handler_node_auto_approves() {
    // wecom-admin/approval.exceptions.empty (自动同意)
    let d = dir();
    let t = tpl(vec![
        NodeSpec::handler(
            Assignee::Tag {
                tag: "无人".into()
            },
            Mode::Any,
        ),
        approver(&["alice"], Mode::All),
    ]);
    let (inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.status(), Status::InProgress { node: 1 });
    assert_eq!(inst.nodes()[0].empty, Some(Empty::AutoApprove));
    let e = &inst.history()[1];
    assert_eq!(e.action, Action::AutoApproved { member: None });
    assert_eq!(e.rule.as_deref(), Some(RULE_EXCEPTIONS_EMPTY));
    assert_eq!(e.node, Some(0));
}

#[test]
fn exceptions_empty_handler_node_is_transferred() {
    // wecom-admin/approval.exceptions.empty (转交给指定人员处理)
    let d = dir();
    let t = with(
        tpl(vec![NodeSpec::handler(
            Assignee::Tag {
                tag: "无人".into()
            },
            Mode::Any,
        )]),
        |s| s.handler_exceptions.when_empty = WhenEmpty::TransferTo("cfo".into()),
    );
    let (mut inst, notices) = submit(&t, &d, sub("dev"));
    assert_eq!(slots(&inst, 0), vec!["cfo"]);
    assert_eq!(to_handle(&notices), vec!["cfo"]);
    let e = &inst.history()[1];
    assert_eq!(e.action, Action::Transferred { to: "cfo".into() });
    assert_eq!(e.rule.as_deref(), Some(RULE_EXCEPTIONS_EMPTY));
    inst.confirm(&d, "cfo", None, T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn approver_exceptions_empty_node_uses_the_approver_settings() {
    // wecom-admin/approval.settings.approver-exceptions (成员为空时)
    let d = dir();
    let node = || {
        vec![NodeSpec::approver(
            Assignee::Tag {
                tag: "无人".into()
            },
            Mode::Any,
        )]
    };
    // handler settings do not apply to approver nodes
    let t = with(tpl(node()), |s| {
        s.handler_exceptions.when_empty = WhenEmpty::TransferTo("cfo".into())
    });
    let (inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.status(), Status::Approved);
    assert_eq!(
        inst.history()[1].rule.as_deref(),
        Some(RULE_APPROVER_EXCEPTIONS)
    );
    let t = with(tpl(node()), |s| {
        s.approver_exceptions.when_empty = WhenEmpty::TransferTo("hr".into())
    });
    let (inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.pending(), vec!["hr"]);
    assert_eq!(
        inst.history()[1].rule.as_deref(),
        Some(RULE_APPROVER_EXCEPTIONS)
    );
}

#[test]
fn exceptions_empty_transfer_target_who_left_goes_through_the_departed_rule() {
    // wecom-admin/approval.exceptions.empty, wecom-admin/approval.exceptions.departed
    let mut d = dir();
    d.remove_member("hr").unwrap();
    let t = with(
        tpl(vec![NodeSpec::handler(
            Assignee::Tag {
                tag: "无人".into()
            },
            Mode::Any,
        )]),
        |s| s.handler_exceptions.when_empty = WhenEmpty::TransferTo("hr".into()),
    );
    let (inst, notices) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.awaiting_hand_over(), vec!["hr"]);
    assert!(inst.pending().is_empty());
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].to, Recipient::Admins);
    assert_eq!(notices[0].rule, RULE_EXCEPTIONS_DEPARTED);
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.exceptions.departed and .settings.approver-exceptions (departed)
// ---------------------------------------------------------------------------

#[test]
fn exceptions_departed_reminds_the_admin_then_manual_hand_over() {
    // wecom-admin/approval.exceptions.departed (提醒管理员手动交接)
    let mut d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    d.remove_member("cashier").unwrap();
    let notices = inst.member_left(&d, "cashier", T0 + 2).unwrap();
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert_eq!(n.to, Recipient::Admins);
    assert_eq!(n.rule, RULE_EXCEPTIONS_DEPARTED);
    assert!(n.zh().contains("请手动交接"));
    assert!(n.en().contains("hand the task over"));
    assert_eq!(inst.awaiting_hand_over(), vec!["cashier"]);
    assert!(inst.pending().is_empty(), "the node is stuck");
    assert_eq!(inst.status(), Status::InProgress { node: 1 });
    // the departed member cannot act
    assert!(inst.confirm(&d, "cashier", None, T0 + 3).is_err());
    // the admin hands over
    let before = inst.clone();
    let err = inst
        .hand_over(&d, "admin", "cashier", "ghost", T0 + 3)
        .unwrap_err();
    assert!(matches!(err, ApprovalError::NotMember { .. }));
    assert_eq!(inst, before);
    let notices = inst
        .hand_over(&d, "admin", "cashier", "cashier2", T0 + 4)
        .unwrap();
    assert_eq!(to_handle(&notices), vec!["cashier2"]);
    let e = inst.history().last().unwrap();
    assert_eq!(e.actor.as_deref(), Some("admin"));
    assert_eq!(
        e.action,
        Action::HandedOver {
            from: "cashier".into(),
            to: "cashier2".into()
        }
    );
    assert_eq!(e.rule.as_deref(), Some(RULE_EXCEPTIONS_DEPARTED));
    inst.confirm(&d, "cashier2", None, T0 + 5).unwrap();
    assert_eq!(inst.status(), Status::Approved);
    // nothing left to hand over
    let err = inst
        .hand_over(&d, "admin", "cashier", "cfo", T0 + 6)
        .unwrap_err();
    assert!(matches!(err, ApprovalError::State { .. }));
}

#[test]
fn exceptions_departed_hands_over_automatically() {
    // wecom-admin/approval.exceptions.departed (自动交接给指定人员)
    let mut d = dir();
    let t = with(tpl(vec![handler(&["cashier"], Mode::All)]), |s| {
        s.handler_exceptions.when_departed = WhenDeparted::HandOverTo("cfo".into())
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    d.remove_member("cashier").unwrap();
    let notices = inst.member_left(&d, "cashier", T0 + 1).unwrap();
    assert_eq!(to_handle(&notices), vec!["cfo"]);
    assert_eq!(inst.pending(), vec!["cfo"]);
    let e = inst.history().last().unwrap();
    assert_eq!(e.actor, None, "automatic");
    assert_eq!(e.rule.as_deref(), Some(RULE_EXCEPTIONS_DEPARTED));
    assert_eq!(inst.nodes()[0].slots[1].from.as_deref(), Some("cashier"));
    inst.confirm(&d, "cfo", None, T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn exceptions_departed_at_submission() {
    // wecom-admin/approval.exceptions.departed, wecom-admin/approval.settings.approver-exceptions
    let mut d = dir();
    d.remove_member("bob").unwrap();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        approver(&["bob", "carol"], Mode::All),
    ]);
    let (mut inst, notices) = submit(&t, &d, sub("dev"));
    assert_eq!(notices.len(), 1, "the admin is reminded at submission");
    assert_eq!(notices[0].rule, RULE_APPROVER_EXCEPTIONS);
    assert_eq!(notices[0].node, 1);
    assert_eq!(inst.nodes()[1].slots[0].state, SlotState::Departed);
    // the admin may hand over ahead of time
    inst.hand_over(&d, "admin", "bob", "hr", T0 + 1).unwrap();
    assert_eq!(slots(&inst, 1), vec!["bob", "hr", "carol"]);
    approve(&mut inst, &d, "alice", T0 + 2);
    approve(&mut inst, &d, "carol", T0 + 3);
    approve(&mut inst, &d, "hr", T0 + 4);
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn approver_exceptions_departed_hand_over_to_someone_already_in_the_node() {
    // wecom-admin/approval.settings.approver-exceptions (成员离职时: 自动交给指定人员)
    let mut d = dir();
    let t = with(tpl(vec![approver(&["alice", "bob"], Mode::All)]), |s| {
        s.approver_exceptions.when_departed = WhenDeparted::HandOverTo("alice".into())
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    d.remove_member("bob").unwrap();
    inst.member_left(&d, "bob", T0 + 2).unwrap();
    // alice already approved: bob's task merges into hers and the node passes
    assert_eq!(inst.status(), Status::Approved);
    assert!(inst
        .history()
        .iter()
        .any(|e| e.rule.as_deref() == Some(RULE_APPROVER_EXCEPTIONS)));
}

#[test]
fn exceptions_departed_target_gone_falls_back_to_the_admin() {
    // wecom-admin/approval.exceptions.departed
    let mut d = dir();
    let t = with(tpl(vec![handler(&["cashier"], Mode::All)]), |s| {
        s.handler_exceptions.when_departed = WhenDeparted::HandOverTo("cfo".into())
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    d.remove_member("cfo").unwrap();
    d.remove_member("cashier").unwrap();
    let notices = inst.member_left(&d, "cashier", T0 + 1).unwrap();
    assert_eq!(
        notices[0].kind,
        NoticeKind::HandOver {
            member: "cashier".into(),
            configured: Some("cfo".into())
        }
    );
    assert!(notices[0].zh().contains("cfo"));
    assert_eq!(inst.awaiting_hand_over(), vec!["cashier"]);
}

#[test]
fn exceptions_departed_detected_when_the_node_is_entered() {
    // wecom-admin/approval.exceptions.departed
    let mut d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    d.remove_member("cashier").unwrap(); // nobody called member_left
    let notices = approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].to, Recipient::Admins);
    assert_eq!(inst.awaiting_hand_over(), vec!["cashier"]);
}

#[test]
fn exceptions_departed_member_left_is_checked() {
    // wecom-admin/approval.exceptions.departed
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let err = inst.member_left(&d, "alice", T0).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_EXCEPTIONS_DEPARTED));
    let err = inst.hand_over(&d, "admin", "alice", "bob", T0).unwrap_err();
    assert_eq!(field_of(&err), "from", "alice has not left");
}

#[test]
fn exceptions_departed_any_sign_others_still_decide() {
    // wecom-admin/approval.exceptions.departed, wecom-admin/approval.handler-node.member (或签)
    let mut d = dir();
    let t = tpl(vec![approver(&["alice", "bob"], Mode::Any)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    d.remove_member("bob").unwrap();
    inst.member_left(&d, "bob", T0 + 1).unwrap();
    approve(&mut inst, &d, "alice", T0 + 2);
    assert_eq!(inst.status(), Status::Approved);
    assert!(inst.awaiting_hand_over().is_empty());
}

// ---------------------------------------------------------------------------
// Opinions and signature
// ---------------------------------------------------------------------------

#[test]
fn handling_opinion_required_when_enabled() {
    // wecom-admin/approval.handling-opinion
    let d = dir();
    let t = with(tpl(vec![handler(&["cashier"], Mode::All)]), |s| {
        s.handler_comment_required = true
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let before = inst.clone();
    for c in [None, Some("  ")] {
        let err = inst.confirm(&d, "cashier", c, T0 + 1).unwrap_err();
        assert_eq!(
            err,
            ApprovalError::CommentRequired {
                rule: RULE_HANDLING_OPINION
            }
        );
        assert!(err.to_string().starts_with("必须填写办理意见"));
    }
    assert_eq!(inst, before);
    inst.confirm(&d, "cashier", Some("已打款"), T0 + 1).unwrap();
    let e = inst
        .history()
        .iter()
        .find(|e| e.action == Action::Confirmed)
        .unwrap();
    assert_eq!(e.comment.as_deref(), Some("已打款"));
}

#[test]
fn approval_opinion_required_on_approve_and_reject() {
    // wecom-admin/approval.settings.approval-opinion
    let d = dir();
    let t = with(tpl(vec![approver(&["alice", "bob"], Mode::All)]), |s| {
        s.approver_comment_required = true
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let want = ApprovalError::CommentRequired {
        rule: RULE_APPROVAL_OPINION,
    };
    assert_eq!(
        inst.approve(&d, "alice", None, None, T0 + 1),
        Err(want.clone())
    );
    assert_eq!(inst.reject(&d, "alice", Some(""), T0 + 1), Err(want));
    inst.approve(&d, "alice", Some("同意"), None, T0 + 1)
        .unwrap();
    inst.reject(&d, "bob", Some("金额不对"), T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Rejected);
    // handlers are not bound by the approval opinion
    let t = with(tpl(vec![handler(&["cashier"], Mode::All)]), |s| {
        s.approver_comment_required = true
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    inst.confirm(&d, "cashier", None, T0 + 1).unwrap();
}

#[test]
fn signature_required_when_approving() {
    // wecom-admin/approval.settings.signature
    let d = dir();
    let t = with(tpl(vec![approver(&["alice", "bob"], Mode::All)]), |s| {
        s.signature_required = true
    });
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let err = inst
        .approve(&d, "alice", Some("同意"), None, T0 + 1)
        .unwrap_err();
    assert_eq!(
        err,
        ApprovalError::SignatureRequired {
            rule: RULE_SIGNATURE
        }
    );
    assert!(err.to_string().contains(RULE_SIGNATURE));
    inst.approve(&d, "alice", None, Some("sig:alice"), T0 + 1)
        .unwrap();
    let e = inst.history().last().unwrap();
    assert_eq!(e.signature.as_deref(), Some("sig:alice"));
    // no signature is needed to reject (审批人同意时需签名)
    inst.reject(&d, "bob", None, T0 + 2).unwrap();
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.settings.auto-approve — repeated approvers
// ---------------------------------------------------------------------------

fn repeated(r: Repeated, nodes: Vec<NodeSpec>) -> Template {
    with(tpl(nodes), |s| s.repeated_approver = r)
}

#[test]
fn auto_approve_first_node_only() {
    // wecom-admin/approval.settings.auto-approve (只首个节点需审批，其余自动同意)
    let d = dir();
    let t = repeated(
        Repeated::FirstNodeOnly,
        vec![
            approver(&["alice"], Mode::All),
            approver(&["bob"], Mode::All),
            approver(&["alice", "carol"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    approve(&mut inst, &d, "bob", T0 + 2);
    assert_eq!(inst.pending(), vec!["carol"], "alice approved on node 0");
    assert_eq!(inst.nodes()[2].slots[0].state, SlotState::AutoApproved);
    let e = inst
        .history()
        .iter()
        .find(|e| {
            e.action
                == Action::AutoApproved {
                    member: Some("alice".into()),
                }
        })
        .unwrap();
    assert_eq!(e.rule.as_deref(), Some(RULE_AUTO_APPROVE));
    assert_eq!(e.at, T0 + 2);
    assert_eq!(e.node, Some(2));
}

#[test]
fn auto_approve_consecutive_only() {
    // wecom-admin/approval.settings.auto-approve (仅连续审批时自动同意)
    let d = dir();
    let t = repeated(
        Repeated::ConsecutiveOnly,
        vec![
            approver(&["alice"], Mode::All),
            approver(&["alice"], Mode::All),
            approver(&["bob"], Mode::All),
            approver(&["alice"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(
        inst.status(),
        Status::InProgress { node: 2 },
        "node 1 consecutive"
    );
    approve(&mut inst, &d, "bob", T0 + 2);
    assert_eq!(inst.pending(), vec!["alice"], "node 3 is not consecutive");
    approve(&mut inst, &d, "alice", T0 + 3);
    assert_eq!(inst.status(), Status::Approved);
}

#[test]
fn auto_approve_every_node_needs_approval() {
    // wecom-admin/approval.settings.auto-approve (每个节点都需要审批)
    assert_eq!(Settings::default().repeated_approver, Repeated::EveryNode);
    let d = dir();
    let t = repeated(
        Repeated::EveryNode,
        vec![
            approver(&["alice"], Mode::All),
            approver(&["alice"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(inst.pending(), vec!["alice"]);
    approve(&mut inst, &d, "alice", T0 + 2);
    assert_eq!(inst.status(), Status::Approved);
    assert!(!actions(&inst)
        .iter()
        .any(|a| matches!(a, Action::AutoApproved { .. })));
}

#[test]
fn auto_approve_counts_approvals_not_handling() {
    // wecom-admin/approval.settings.auto-approve (同一个审批人重复审批)
    let d = dir();
    // a handler node in between breaks "consecutive"; a confirmation is not an approval
    let t = repeated(
        Repeated::ConsecutiveOnly,
        vec![
            approver(&["alice"], Mode::All),
            handler(&["alice"], Mode::All),
            approver(&["alice"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    assert_eq!(
        inst.may_act("alice"),
        Some(Role::Handler),
        "handlers confirm in person"
    );
    inst.confirm(&d, "alice", None, T0 + 2).unwrap();
    assert_eq!(inst.may_act("alice"), Some(Role::Approver));
    let t = repeated(
        Repeated::FirstNodeOnly,
        vec![
            handler(&["alice"], Mode::All),
            approver(&["alice"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    inst.confirm(&d, "alice", None, T0 + 1).unwrap();
    assert_eq!(inst.pending(), vec!["alice"]);
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.settings.submit-for-others
// ---------------------------------------------------------------------------

#[test]
fn submit_for_others_needs_the_option() {
    // wecom-admin/approval.settings.submit-for-others
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let err = Instance::submit(&t, &d, sub("dev").by("hr"), T0).unwrap_err();
    assert_eq!(
        err,
        ApprovalError::Disabled {
            setting: "submit-for-others",
            rule: RULE_SUBMIT_FOR_OTHERS
        }
    );
    let t = with(t, |s| s.submit_for_others = true);
    let (mut inst, _) = submit(&t, &d, sub("dev").by("hr"));
    assert_eq!(inst.applicant(), "dev");
    assert_eq!(inst.submitter(), "hr");
    assert_eq!(inst.history()[0].actor.as_deref(), Some("hr"));
    // the submitter may withdraw too
    inst.withdraw("hr", T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Withdrawn);
    let err = Instance::submit(&t, &d, sub("dev").by("ghost"), T0).unwrap_err();
    assert_eq!(field_of(&err), "submitter");
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.settings.view
// ---------------------------------------------------------------------------

#[test]
fn view_unrestricted_by_default() {
    // wecom-admin/approval.settings.view (option off)
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let (inst, _) = submit(&t, &d, sub("dev"));
    let v = inst.can_view("carol", false);
    assert!(v.allowed);
    assert_eq!(v.viewer, Some(Viewer::Everyone));
    assert_eq!(v.rule, RULE_VIEW);
}

#[test]
fn view_participants_only() {
    // wecom-admin/approval.settings.view (仅管理员、申请人、审批人、抄送人、办理人和单据中被@的成员)
    let d = dir();
    let t = with(
        tpl(vec![
            approver(&["alice"], Mode::All),
            approver(&["bob"], Mode::All),
            handler(&["cashier"], Mode::All),
        ]),
        |s| {
            s.view = View::ParticipantsOnly;
            s.submit_for_others = true;
        },
    );
    let (inst, _) = submit(&t, &d, sub("dev").by("lead1").cc(&["cfo"]).mention("carol"));
    for (who, admin, want) in [
        ("ceo", true, Some(Viewer::Admin)),
        ("dev", false, Some(Viewer::Applicant)),
        ("alice", false, Some(Viewer::Approver)),
        ("bob", false, Some(Viewer::Approver)), // a later node
        ("cfo", false, Some(Viewer::Cc)),
        ("cashier", false, Some(Viewer::Handler)),
        ("carol", false, Some(Viewer::Mentioned)),
        ("hr", false, None),
        ("lead1", false, None), // submitted on dev's behalf; not in the seed's list
    ] {
        let v = inst.can_view(who, admin);
        assert_eq!(v.viewer, want, "{who}");
        assert_eq!(v.allowed, want.is_some(), "{who}");
        assert_eq!(v.rule, RULE_VIEW);
    }
    assert!(inst.can_view("hr", false).zh().contains("仅管理员"));
}

#[test]
fn view_mentions_must_be_members() {
    // wecom-admin/approval.settings.view (单据中被@的成员)
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let err = Instance::submit(&t, &d, sub("dev").mention("ghost"), T0).unwrap_err();
    assert_eq!(field_of(&err), "mentions[0]");
    assert_eq!(rule_of(&err), Some(RULE_VIEW));
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.settings.edit
// ---------------------------------------------------------------------------

#[test]
fn edit_fixed_cc_locked() {
    // wecom-admin/approval.settings.edit (提交申请时，员工不可修改固定抄送人)
    let d = dir();
    let mut t = tpl(vec![approver(&["alice"], Mode::All)]);
    t.cc = strings(&["cfo"]);
    let (inst, _) = submit(&t, &d, sub("dev"));
    assert_eq!(inst.cc(), ["cfo"]);
    let (inst, _) = submit(&t, &d, sub("dev").cc(&["hr"]));
    assert_eq!(inst.cc(), ["hr"], "not locked: replaced");
    let t = with(t, |s| s.edit.lock_fixed_cc = true);
    let err = Instance::submit(&t, &d, sub("dev").cc(&["hr"]), T0).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_EDIT));
    let (inst, _) = submit(&t, &d, sub("dev").cc(&["cfo", "hr"]));
    assert_eq!(inst.cc(), ["cfo", "hr"], "adding is fine");
}

#[test]
fn edit_fixed_handlers_locked() {
    // wecom-admin/approval.settings.edit (提交申请时，员工不可修改固定办理人)
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (inst, _) = submit(&t, &d, sub("dev").handlers(1, &["cashier2"]));
    assert_eq!(slots(&inst, 1), vec!["cashier2"]);
    let err = Instance::submit(&t, &d, sub("dev").handlers(0, &["bob"]), T0).unwrap_err();
    assert_eq!(field_of(&err), "handlers[0]", "node 0 is an approver node");
    let t = with(t, |s| s.edit.lock_fixed_handlers = true);
    let err = Instance::submit(&t, &d, sub("dev").handlers(1, &["cashier2"]), T0).unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::Denied {
            rule: Some(RULE_EDIT),
            ..
        }
    ));
}

#[test]
fn edit_after_approval_needs_approvers_and_handlers_consent() {
    // wecom-admin/approval.settings.edit (审批通过后，经审批人和办理人同意可编辑申请)
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    inst.confirm(&d, "cashier", None, T0 + 2).unwrap();
    let mut form = inst.form().clone();
    form.insert("amount".into(), Value::Number(120.0));
    let err = inst
        .request_edit(&t, &d, "dev", form.clone(), T0 + 3)
        .unwrap_err();
    assert_eq!(
        err,
        ApprovalError::Disabled {
            setting: "edit.edit-after-approval",
            rule: RULE_EDIT
        }
    );
    // the option is read from the settings snapshot: resubmit under a template that enables it
    let t = with(t, |s| s.edit.edit_after_approval = true);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    inst.confirm(&d, "cashier", None, T0 + 2).unwrap();
    assert!(inst
        .request_edit(&t, &d, "bob", form.clone(), T0 + 3)
        .is_err());
    inst.request_edit(&t, &d, "dev", form.clone(), T0 + 3)
        .unwrap();
    assert_eq!(
        inst.edit_request().unwrap().needed,
        strings(&["alice", "cashier"])
    );
    inst.consent_edit("alice", T0 + 4).unwrap();
    assert_eq!(inst.form().get("amount"), Some(&Value::Number(100.0)));
    assert!(inst.consent_edit("alice", T0 + 4).is_err(), "once");
    inst.consent_edit("cashier", T0 + 5).unwrap();
    assert_eq!(inst.form().get("amount"), Some(&Value::Number(120.0)));
    assert_eq!(inst.history().last().unwrap().action, Action::Edited);
    // a decline drops the request
    form.insert("amount".into(), Value::Number(1.0));
    inst.request_edit(&t, &d, "dev", form, T0 + 6).unwrap();
    inst.decline_edit("cashier", T0 + 7).unwrap();
    assert!(inst.edit_request().is_none());
    assert_eq!(inst.form().get("amount"), Some(&Value::Number(120.0)));
}

// ---------------------------------------------------------------------------
// wecom-admin/approval.settings.add-approver
// ---------------------------------------------------------------------------

#[test]
fn add_approver_needs_the_option() {
    // wecom-admin/approval.settings.add-approver
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let err = inst.add_approver(&d, "alice", "hr", T0 + 1).unwrap_err();
    assert_eq!(
        err,
        ApprovalError::Disabled {
            setting: "add-approver",
            rule: RULE_ADD_APPROVER
        }
    );
}

#[test]
fn add_approver_inserts_a_node_after_the_current_one() {
    // wecom-admin/approval.settings.add-approver (允许在审批单中增加临时审批人)
    let d = dir();
    let t = with(
        tpl(vec![
            approver(&["alice"], Mode::All),
            handler(&["cashier"], Mode::All),
        ]),
        |s| s.add_approver = true,
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    inst.add_approver(&d, "alice", "hr", T0 + 1).unwrap();
    assert_eq!(inst.nodes().len(), 3);
    assert_eq!(inst.nodes()[1].kind, NodeKind::Added);
    assert_eq!(inst.nodes()[1].added_by.as_deref(), Some("alice"));
    let e = inst.history().last().unwrap();
    assert_eq!(e.rule.as_deref(), Some(RULE_ADD_APPROVER));
    assert_eq!(inst.pending(), vec!["alice"], "alice still decides");
    approve(&mut inst, &d, "alice", T0 + 2);
    assert_eq!(inst.pending(), vec!["hr"]);
    let notices = approve(&mut inst, &d, "hr", T0 + 3);
    assert_eq!(to_handle(&notices), vec!["cashier"]);
    // only the approver whose turn it is may add; handlers may not
    assert!(matches!(
        inst.add_approver(&d, "alice", "bob", T0 + 4).unwrap_err(),
        ApprovalError::NotYourTurn { .. }
    ));
    let err = inst.add_approver(&d, "cashier", "bob", T0 + 4).unwrap_err();
    assert_eq!(rule_of(&err), Some(RULE_ADD_APPROVER));
    let err = {
        let (mut other, _) = submit(&t, &d, sub("dev"));
        other.add_approver(&d, "alice", "ghost", T0).unwrap_err()
    };
    assert_eq!(field_of(&err), "member");
}

// ---------------------------------------------------------------------------
// Withdraw, reject, resubmit; history
// ---------------------------------------------------------------------------

#[test]
fn withdraw_then_resubmit_starts_a_new_round() {
    // wecom-admin/approval.handler-node.dept-head (nodes resolved again), approval flow lifecycle
    let mut d = dir();
    let t = tpl(vec![
        NodeSpec::approver(head(1, Direction::BottomUp), Mode::Any),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev2"));
    assert_eq!(slots(&inst, 0), vec!["lead1", "lead2"]);
    let err = inst.withdraw("hr", T0 + 1).unwrap_err();
    assert!(matches!(err, ApprovalError::Denied { .. }));
    inst.withdraw("dev2", T0 + 1).unwrap();
    assert_eq!(inst.status(), Status::Withdrawn);
    assert!(inst.approve(&d, "lead1", None, None, T0 + 2).is_err());
    // the directory changed in between: lead2 is no longer a head
    d.set_head("be", "lead2", false).unwrap();
    let notices = inst
        .resubmit(&t, &d, sub("dev2").text("note", "补充说明"), T0 + 100)
        .unwrap();
    assert!(notices.is_empty());
    assert_eq!(inst.round(), 2);
    assert_eq!(slots(&inst, 0), vec!["lead1"]);
    assert_eq!(inst.status(), Status::InProgress { node: 0 });
    assert_eq!(
        inst.form().get("note"),
        Some(&Value::Text("补充说明".into()))
    );
    let rounds: Vec<(u32, &Action)> = inst
        .history()
        .iter()
        .map(|e| (e.round, &e.action))
        .collect();
    assert_eq!(
        rounds,
        vec![
            (1, &Action::Submitted),
            (1, &Action::Withdrawn),
            (2, &Action::Resubmitted)
        ]
    );
}

#[test]
fn reject_then_resubmit() {
    // wecom-admin/approval.settings.approval-opinion (驳回), approval flow lifecycle
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        approver(&["bob"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    inst.reject(&d, "bob", Some("金额超标"), T0 + 2).unwrap();
    assert_eq!(inst.status(), Status::Rejected);
    assert_eq!(inst.nodes()[1].state, NodeState::Rejected);
    assert!(inst.withdraw("dev", T0 + 3).is_err());
    // only the applicant or the submitter resubmits
    let err = inst
        .resubmit(&t, &d, sub("dev").by("hr"), T0 + 3)
        .unwrap_err();
    assert!(matches!(err, ApprovalError::Denied { .. }));
    inst.resubmit(&t, &d, sub("dev"), T0 + 4).unwrap();
    assert_eq!(inst.round(), 2);
    assert_eq!(inst.pending(), vec!["alice"], "every node again");
    approve(&mut inst, &d, "alice", T0 + 5);
    approve(&mut inst, &d, "bob", T0 + 6);
    assert_eq!(inst.status(), Status::Approved);
    let err = inst.resubmit(&t, &d, sub("dev"), T0 + 7).unwrap_err();
    assert!(matches!(err, ApprovalError::State { .. }));
    let other = Template {
        id: "other".into(),
        ..t.clone()
    };
    let (mut inst2, _) = submit(&t, &d, sub("dev"));
    inst2.withdraw("dev", T0).unwrap();
    assert_eq!(
        field_of(&inst2.resubmit(&other, &d, sub("dev"), T0).unwrap_err()),
        "template.id"
    );
}

#[test]
fn history_records_times_from_the_injected_clock() {
    // wecom-admin/approval.handler.notice, wecom-admin/approval.settings.approval-opinion (history of actions)
    let d = dir();
    let t = tpl(vec![
        approver(&["alice"], Mode::All),
        handler(&["cashier"], Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    inst.approve(&d, "alice", Some("同意"), None, 1_700_000_100)
        .unwrap();
    inst.confirm(&d, "cashier", Some("已付"), 1_700_000_200)
        .unwrap();
    let h: Vec<(i64, Option<&str>, &Action, Option<usize>)> = inst
        .history()
        .iter()
        .map(|e| (e.at, e.actor.as_deref(), &e.action, e.node))
        .collect();
    assert_eq!(
        h,
        vec![
            (T0, Some("dev"), &Action::Submitted, None),
            (1_700_000_100, Some("alice"), &Action::Approved, Some(0)),
            (1_700_000_200, Some("cashier"), &Action::Confirmed, Some(1)),
            (1_700_000_200, None, &Action::Completed, None),
        ]
    );
    assert_eq!(inst.history()[1].comment.as_deref(), Some("同意"));
}

// ---------------------------------------------------------------------------
// Templates as data; errors
// ---------------------------------------------------------------------------

#[test]
fn templates_read_from_toml_in_kebab_case() {
    // wecom-admin/approval.handler.add (nodes set in the template's rule settings)
    let src = r#"
        id = "pay"
        name = "付款"
        cc = ["cfo"]

        [[fields]]
        name = "payee"
        kind = "member"
        required = true

        [[nodes]]
        assignee = { kind = "dept-head", level = 2, direction = "top-down" }
        mode = "any"

        [[nodes]]
        role = "handler"
        assignee = { kind = "member-field", field = "payee" }

        [[nodes]]
        role = "handler"
        assignee = { kind = "applicant-choice", range = ["cashier", "cashier2"], multiple = true }
        mode = "sequential"

        [settings]
        repeated-approver = "consecutive-only"
        handler-comment-required = true
        view = "participants-only"
        head-is-applicant = "skip"
        handler-exceptions = { when-empty = { transfer-to = "cfo" }, when-departed = { hand-over-to = "hr" } }
        edit = { lock-fixed-cc = true }
    "#;
    let t = Template::from_toml(src).unwrap();
    assert_eq!(t.nodes[0].role, Role::Approver);
    assert_eq!(t.nodes[0].assignee, head(2, Direction::TopDown));
    assert_eq!(t.nodes[1].mode, Mode::All, "default mode 会签");
    assert_eq!(t.settings.repeated_approver, Repeated::ConsecutiveOnly);
    assert_eq!(
        t.settings.handler_exceptions.when_departed,
        WhenDeparted::HandOverTo("hr".into())
    );
    assert!(t.settings.edit.lock_fixed_cc);
    // JSON round trip
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(Template::from_json(&json).unwrap(), t);
    // unknown keys are refused
    let err = Template::from_toml(&src.replace("mode = \"any\"", "mood = \"any\"")).unwrap_err();
    assert_eq!(field_of(&err), "template");
}

#[test]
fn instances_round_trip_as_json() {
    // wecom-admin/approval.settings.auto-approve (auto approvals kept with their rule)
    let d = dir();
    let t = repeated(
        Repeated::FirstNodeOnly,
        vec![
            approver(&["alice"], Mode::All),
            approver(&["alice", "bob"], Mode::All),
        ],
    );
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    approve(&mut inst, &d, "alice", T0 + 1);
    let json = serde_json::to_string(&inst).unwrap();
    let back: Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inst);
    assert!(json.contains(RULE_AUTO_APPROVE));
    let mut back = back;
    approve(&mut back, &d, "bob", T0 + 2);
    assert_eq!(back.status(), Status::Approved);
}

#[test]
fn template_needs_nodes_and_unique_fields() {
    // wecom-admin/approval.handler.add (a flow is made of nodes)
    let t = tpl(vec![]);
    assert_eq!(field_of(&t.validate().unwrap_err()), "nodes");
    let mut t = tpl(vec![approver(&["alice"], Mode::All)]);
    t.fields.push(Field::new("amount", FieldKind::Text, false));
    assert_eq!(field_of(&t.validate().unwrap_err()), "fields[3].name");
    let t = with(tpl(vec![approver(&["alice"], Mode::All)]), |s| {
        s.handler_exceptions.when_empty = WhenEmpty::TransferTo(" ".into())
    });
    let err = t.validate().unwrap_err();
    assert_eq!(
        field_of(&err),
        "settings.handler-exceptions.when-empty.transfer-to"
    );
    assert_eq!(rule_of(&err), Some(RULE_EXCEPTIONS_EMPTY));
}

#[test]
fn form_values_are_checked_against_the_fields() {
    // wecom-admin/approval.handler-node.member-field (form input)
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let err = Instance::submit(&t, &d, sub("dev").text("amount", "一百"), T0).unwrap_err();
    assert_eq!(field_of(&err), "form.amount");
    let err = Instance::submit(&t, &d, sub("dev").text("nope", "x"), T0).unwrap_err();
    assert_eq!(field_of(&err), "form.nope");
    let mut s = sub("dev");
    s.form.remove("amount");
    let err = Instance::submit(&t, &d, s, T0).unwrap_err();
    assert_eq!(field_of(&err), "form.amount");
    assert!(err
        .to_string()
        .starts_with("输入字段 `form.amount`：必填控件"));
    let err = Instance::submit(&t, &d, sub("ghost"), T0).unwrap_err();
    assert_eq!(field_of(&err), "applicant");
    let err = Instance::submit(
        &t,
        &d,
        Submission {
            id: "".into(),
            ..sub("dev")
        },
        T0,
    )
    .unwrap_err();
    assert_eq!(field_of(&err), "id");
}

#[test]
fn errors_read_chinese_first_then_english_with_the_rule() {
    // wecom-admin/approval.handler, wecom-admin/approval.settings.signature
    let e = ApprovalError::HandlerCannotReject {
        actor: "cashier".into(),
        rule: RULE_HANDLER,
    };
    let s = e.to_string();
    let zh = s.find("办理人").unwrap();
    let en = s.find("handler").unwrap();
    assert!(zh < en);
    assert!(s.ends_with(&format!("({RULE_HANDLER})")));
}

#[test]
fn not_your_turn_for_strangers_and_finished_forms() {
    // wecom-admin/approval.handler-node.member
    let d = dir();
    let t = tpl(vec![approver(&["alice"], Mode::All)]);
    let (mut inst, _) = submit(&t, &d, sub("dev"));
    let err = inst.approve(&d, "hr", None, None, T0).unwrap_err();
    assert_eq!(
        err,
        ApprovalError::NotYourTurn {
            actor: "hr".into(),
            node: 0,
            rule: None
        }
    );
    approve(&mut inst, &d, "alice", T0 + 1);
    let err = inst.approve(&d, "alice", None, None, T0 + 2).unwrap_err();
    assert!(matches!(err, ApprovalError::State { .. }));
    assert!(err.to_string().contains("已通过"));
    assert!(inst.pending().is_empty());
    assert_eq!(inst.may_act("alice"), None);
}

#[test]
fn a_five_node_flow_runs_to_approval() {
    // wecom-admin/approval.handler-node.types (every kind in one flow)
    let d = dir();
    let t = tpl(vec![
        NodeSpec::approver(head(1, Direction::BottomUp), Mode::Any),
        approver(&["alice", "bob"], Mode::Sequential),
        NodeSpec::approver(
            Assignee::ApplicantChoice {
                range: None,
                multiple: false,
            },
            Mode::All,
        ),
        NodeSpec::handler(
            Assignee::Tag {
                tag: "出纳".into()
            },
            Mode::Any,
        ),
        NodeSpec::handler(Assignee::Applicant, Mode::All),
    ]);
    let (mut inst, _) = submit(&t, &d, sub("dev2").choose(2, &["cfo"]));
    let mut at = T0;
    let mut steps = 0;
    while let Some(i) = inst.active_node() {
        at += 1;
        let who = inst.pending()[0].to_string();
        if inst.nodes()[i].role == Role::Approver {
            inst.approve(&d, &who, None, None, at).unwrap();
        } else {
            inst.confirm(&d, &who, None, at).unwrap();
        }
        steps += 1;
        assert!(steps < 10);
    }
    assert_eq!(inst.status(), Status::Approved);
    assert_eq!(steps, 6);
}
