//! One test per statement of `wecom-admin/roles.*` (and the balance, seat
//! and category rights the tenant core holds), written from the seed's words.

use std::sync::OnceLock;

use bylaw_rulebook::Rulebook;
use bylaw_tenant::{
    Action, AdminGroup, AppRight, Basis, DeviceScope, Limits, Policy, Registry, Resource, Rights,
    ScopeItem, SpendRule, SuperKind, Tenant, TenantError,
};

fn limits() -> Limits {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    let rb = RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook"));
    Limits::from_rulebook(rb).expect("limits")
}

const BOSS: &str = "boss";

/// 公司 ─ 研发(rd) ─ 后端(be) ─ 存储(st)
///      └ 销售(sales) ─ 华东(east)
fn tenant() -> Tenant {
    let mut t = Tenant::new("t1", "示例科技", BOSS, limits(), Policy::default()).unwrap();
    for (id, name, parent) in [
        ("rd", "研发", "root"),
        ("be", "后端", "rd"),
        ("st", "存储", "be"),
        ("sales", "销售", "root"),
        ("east", "华东", "sales"),
    ] {
        t.add_department(BOSS, id, name, parent).unwrap();
    }
    for (id, depts) in [
        ("alice", vec!["rd"]),
        ("bob", vec!["be"]),
        ("carol", vec!["st"]),
        ("dave", vec!["east"]),
        ("erin", vec!["sales", "st"]),
        ("frank", vec!["rd"]),
    ] {
        let d: Vec<String> = depts.into_iter().map(String::from).collect();
        t.add_member(BOSS, id, id, &d).unwrap();
    }
    t.add_app(BOSS, "crm").unwrap();
    t.add_app(BOSS, "hr").unwrap();
    t.add_device(BOSS, "kiosk-1").unwrap();
    t.add_device(BOSS, "kiosk-2").unwrap();
    t
}

fn subtree(d: &str) -> Rights {
    let mut r = Rights::default();
    r.directory.insert(ScopeItem::Subtree(d.into()));
    r
}

fn dept(d: &str) -> Resource {
    Resource::Department(d.into())
}

fn member(m: &str) -> Resource {
    Resource::Member(m.into())
}

fn msg(app: &str, to: Resource) -> Resource {
    Resource::Message {
        app: app.into(),
        to: Box::new(to),
    }
}

#[test]
fn roles_kinds_creator_super_and_scoped() {
    // wecom-admin/roles.kinds: 创建者、超级管理员、分级管理员
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    t.add_scoped_admin(BOSS, "bob", None).unwrap();
    assert_eq!(
        t.check(BOSS, Action::ManageAdmins, &Resource::Tenant).by,
        Some(Basis::Creator)
    );
    assert_eq!(
        t.check("alice", Action::ManageAdmins, &Resource::Tenant).by,
        Some(Basis::SuperAdmin {
            kind: SuperKind::Internal
        })
    );
    assert!(
        !t.check("bob", Action::ManageAdmins, &Resource::Tenant)
            .allowed
    );
}

#[test]
fn roles_creator_exactly_one_transferable_never_deleted_at_most_5() {
    // wecom-admin/roles.creator a–d and roles.creator.transfer
    let mut reg = Registry::new();
    for i in 0..5 {
        reg.create(
            &format!("t{i}"),
            "企业",
            "wx-boss",
            limits(),
            Policy::default(),
        )
        .unwrap();
    }
    let err = reg
        .create("t5", "企业", "wx-boss", limits(), Policy::default())
        .unwrap_err();
    assert!(
        matches!(&err, TenantError::Denied { rule, .. } if rule == "wecom-admin/roles.creator"),
        "{err}"
    );
    assert!(err.to_string().contains("5"), "{err}");
    // Transfer: exactly one creator before and after; only the creator transfers.
    reg.create("other", "企业", "wx-new", limits(), Policy::default())
        .unwrap();
    assert!(reg.transfer_creator("t0", "wx-new", "wx-x").is_err());
    reg.transfer_creator("t0", "wx-boss", "wx-new").unwrap();
    assert_eq!(reg.get("t0").unwrap().creator(), "wx-new");
    assert_eq!(reg.created_by("wx-boss"), 4);
    // The receiving account is bound by the same limit.
    for i in 0..3 {
        reg.create(
            &format!("n{i}"),
            "企业",
            "wx-new",
            limits(),
            Policy::default(),
        )
        .unwrap();
    }
    assert_eq!(reg.created_by("wx-new"), 5);
    assert!(reg.transfer_creator("t1", "wx-boss", "wx-new").is_err());
    // Never deleted: not as a super admin, not as a member.
    let mut t = tenant();
    t.add_member(BOSS, BOSS, "老板", &["root".into()]).unwrap();
    assert!(t.remove_super_admin(BOSS, BOSS).is_err());
    let err = t.remove_member(BOSS, BOSS).unwrap_err();
    assert!(err.to_string().contains("创建者"), "{err}");
    assert_eq!(t.creator(), BOSS);
}

#[test]
fn roles_super_admin_many_with_the_highest_authority() {
    // wecom-admin/roles.super-admin: 可以有多个，同样拥有企业的最高管理权限
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    t.add_super_admin(BOSS, "ext-ops", SuperKind::External)
        .unwrap();
    t.add_super_admin("alice", "frank", SuperKind::Internal)
        .unwrap();
    for a in ["alice", "ext-ops", "frank"] {
        assert!(t.check(a, Action::ManageDirectory, &dept("st")).allowed);
        assert!(
            t.check(a, Action::ManageApp, &Resource::App("crm".into()))
                .allowed
        );
        assert!(
            t.check(a, Action::ManageDevice, &Resource::Device("kiosk-2".into()))
                .allowed
        );
        assert!(t.check(a, Action::BindDevice, &Resource::Tenant).allowed);
    }
}

#[test]
fn roles_super_admin_internal_must_be_a_member_and_leaves_with_it() {
    // wecom-admin/roles.super-admin-internal
    let mut t = tenant();
    let err = t
        .add_super_admin(BOSS, "stranger", SuperKind::Internal)
        .unwrap_err();
    assert!(
        matches!(&err, TenantError::Denied { rule, .. } if rule.ends_with("super-admin-internal"))
    );
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    assert!(
        t.check("alice", Action::ManageAdmins, &Resource::Tenant)
            .allowed
    );
    let fx = t.remove_member(BOSS, "alice").unwrap();
    assert!(fx
        .notes
        .iter()
        .any(|(_, r)| r.ends_with("super-admin-internal")));
    assert!(
        !t.check("alice", Action::ManageAdmins, &Resource::Tenant)
            .allowed
    );
    assert!(t.super_admins().is_empty());
}

#[test]
fn roles_super_admin_external_needs_no_membership() {
    // wecom-admin/roles.super-admin-external (代运营)
    let mut t = tenant();
    t.add_super_admin(BOSS, "agency", SuperKind::External)
        .unwrap();
    assert!(!t.directory().is_member("agency"));
    assert!(
        t.check("agency", Action::ManageDirectory, &member("dave"))
            .allowed
    );
}

#[test]
fn roles_super_admin_removable() {
    // wecom-admin/roles.super-admin.removable
    let mut t = tenant();
    t.add_super_admin(BOSS, "agency", SuperKind::External)
        .unwrap();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    t.remove_super_admin(BOSS, "agency").unwrap();
    t.remove_super_admin("alice", "alice").unwrap();
    assert!(t.super_admins().is_empty());
}

#[test]
fn roles_directory_rights_global_for_top_roles_partial_for_scoped() {
    // wecom-admin/roles.directory-rights a, b
    let mut t = tenant();
    t.add_scoped_admin(BOSS, "alice", None).unwrap();
    t.grant(BOSS, "alice", &subtree("be")).unwrap();
    assert!(
        t.check(BOSS, Action::ManageDirectory, &dept("east"))
            .allowed
    );
    assert!(
        t.check("alice", Action::ManageDirectory, &dept("st"))
            .allowed
    );
    assert!(
        t.check("alice", Action::ManageDirectory, &member("carol"))
            .allowed
    );
    let d = t.check("alice", Action::ManageDirectory, &dept("east"));
    assert!(!d.allowed);
    assert_eq!(d.rule, "wecom-admin/roles.directory-rights");
    assert!(d.zh.contains("示例科技/销售/华东"), "{}", d.zh);
    assert!(
        d.zh.contains("示例科技/研发/后端"),
        "names the subtrees: {}",
        d.zh
    );
    // A member in two departments is in scope through either.
    assert!(
        t.check("alice", Action::ManageDirectory, &member("erin"))
            .allowed
    );
    assert!(
        !t.check("alice", Action::ManageDirectory, &member("dave"))
            .allowed
    );
    // Scoped edits are checked too.
    assert!(t.add_department("alice", "x", "新组", "st").is_ok());
    let err = t.add_department("alice", "y", "新组", "east").unwrap_err();
    assert!(matches!(err, TenantError::Denied { .. }));
}

#[test]
fn roles_scoped_messaging_stays_inside_the_directory_scope() {
    // wecom-admin/roles.directory-rights.scoped-messaging
    let mut t = tenant();
    t.add_scoped_admin(BOSS, "alice", None).unwrap();
    let mut r = subtree("be");
    r.apps.insert("crm".into(), AppRight::Send);
    t.grant(BOSS, "alice", &r).unwrap();
    assert!(
        t.check("alice", Action::SendMessage, &msg("crm", member("carol")))
            .allowed
    );
    let d = t.check("alice", Action::SendMessage, &msg("crm", member("dave")));
    assert!(!d.allowed);
    assert_eq!(
        d.rule,
        "wecom-admin/roles.directory-rights.scoped-messaging"
    );
    // Both failures are named when both fail.
    let d = t.check("alice", Action::SendMessage, &msg("hr", dept("east")));
    assert_eq!(d.failed.len(), 2, "{:?}", d.failed);
}

#[test]
fn roles_app_rights_per_app_and_manage_implies_send() {
    // wecom-admin/roles.app-rights, roles.app-rights.manage-implies-send
    let mut t = tenant();
    t.add_scoped_admin(BOSS, "bob", None).unwrap();
    let mut r = subtree("rd");
    r.apps.insert("crm".into(), AppRight::Manage);
    r.apps.insert("hr".into(), AppRight::Send);
    t.grant(BOSS, "bob", &r).unwrap();
    assert!(
        t.check("bob", Action::ManageApp, &Resource::App("crm".into()))
            .allowed
    );
    let send = t.check("bob", Action::SendMessage, &msg("crm", member("alice")));
    assert!(send.allowed, "manage implies send: {}", send.zh);
    assert!(
        t.check("bob", Action::SendMessage, &msg("hr", member("alice")))
            .allowed
    );
    let d = t.check("bob", Action::ManageApp, &Resource::App("hr".into()));
    assert!(!d.allowed);
    assert!(d.zh.contains("只有发消息权限"), "{}", d.zh);
    // Creator and super admins manage every app.
    assert!(
        t.check(BOSS, Action::ManageApp, &Resource::App("hr".into()))
            .allowed
    );
}

#[test]
fn roles_device_rights_bind_and_manage_all_or_listed() {
    // wecom-admin/roles.device-rights a–c
    let mut t = tenant();
    t.add_scoped_admin(BOSS, "carol", None).unwrap();
    let mut r = Rights::default();
    r.devices.manage = Some(DeviceScope::Listed(["kiosk-1".to_string()].into()));
    t.grant(BOSS, "carol", &r).unwrap();
    assert!(
        t.check(
            "carol",
            Action::ManageDevice,
            &Resource::Device("kiosk-1".into())
        )
        .allowed
    );
    assert!(
        !t.check(
            "carol",
            Action::ManageDevice,
            &Resource::Device("kiosk-2".into())
        )
        .allowed
    );
    assert!(
        !t.check("carol", Action::BindDevice, &Resource::Tenant)
            .allowed
    );
    let mut r = Rights::default();
    r.devices.bind_new = true;
    t.grant(BOSS, "carol", &r).unwrap();
    assert!(
        t.check("carol", Action::BindDevice, &Resource::Tenant)
            .allowed
    );
    assert!(t.add_device("carol", "kiosk-3").is_ok());
}

#[test]
fn roles_admin_group_shares_rights_and_one_group_at_most() {
    // wecom-admin/roles.admin-group
    let mut t = tenant();
    let mut rights = subtree("sales");
    rights.apps.insert("crm".into(), AppRight::Send);
    t.create_group(
        BOSS,
        AdminGroup {
            id: "g-sales".into(),
            name: "销售管理组".into(),
            rights,
        },
    )
    .unwrap();
    t.create_group(
        BOSS,
        AdminGroup {
            id: "g-rd".into(),
            name: "研发管理组".into(),
            rights: subtree("rd"),
        },
    )
    .unwrap();
    t.add_scoped_admin(BOSS, "dave", Some("g-sales")).unwrap();
    t.add_scoped_admin(BOSS, "erin", Some("g-sales")).unwrap();
    for a in ["dave", "erin"] {
        let d = t.check(a, Action::SendMessage, &msg("crm", member("dave")));
        assert!(d.allowed);
        assert_eq!(
            d.by,
            Some(Basis::Group {
                group: "g-sales".into()
            })
        );
    }
    // Joining another group replaces the first: one group or none.
    t.add_scoped_admin(BOSS, "dave", Some("g-rd")).unwrap();
    assert_eq!(t.scoped_admins()["dave"].group.as_deref(), Some("g-rd"));
    assert!(
        !t.check("dave", Action::ManageDirectory, &dept("east"))
            .allowed
    );
    assert!(
        t.check("dave", Action::ManageDirectory, &dept("st"))
            .allowed
    );
}

#[test]
fn roles_admin_group_super_creator_and_super_admins_only_in_the_super_group() {
    // wecom-admin/roles.admin-group.super
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    let err = t.add_scoped_admin(BOSS, "alice", None).unwrap_err();
    assert!(
        matches!(&err, TenantError::Denied { rule, .. } if rule.ends_with("admin-group.super"))
    );
}

#[test]
fn roles_scoped_admin_delegates_only_part_of_what_it_holds() {
    // wecom-admin/roles.scoped-admin b, c; roles.scoped-admin.delegate,
    // roles.scoped-admin.own-rights-only
    let mut t = tenant();
    let mut rights = subtree("rd");
    rights.apps.insert("crm".into(), AppRight::Send);
    t.create_group(
        BOSS,
        AdminGroup {
            id: "g".into(),
            name: "研发".into(),
            rights,
        },
    )
    .unwrap();
    t.add_scoped_admin(BOSS, "alice", Some("g")).unwrap();
    t.add_scoped_admin(BOSS, "bob", None).unwrap();
    t.add_scoped_admin(BOSS, "frank", None).unwrap();
    // A part of its directory scope: allowed.
    t.grant("alice", "bob", &subtree("st")).unwrap();
    assert!(t.check("bob", Action::ManageDirectory, &dept("st")).allowed);
    assert!(!t.check("bob", Action::ManageDirectory, &dept("be")).allowed);
    // More than it holds: refused, naming each missing part; nothing changes.
    let mut too_much = subtree("east");
    too_much.apps.insert("crm".into(), AppRight::Manage);
    too_much.apps.insert("hr".into(), AppRight::Send);
    let err = t.grant("alice", "bob", &too_much).unwrap_err();
    let TenantError::Exceeds { missing } = &err else {
        panic!("{err}");
    };
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing.iter().any(|m| m.contains("华东")));
    assert!(missing
        .iter()
        .any(|m| m.contains("crm") && m.contains("管理权限")));
    assert!(missing.iter().any(|m| m.contains("hr")));
    assert!(
        !t.check("bob", Action::ManageDirectory, &dept("east"))
            .allowed
    );
    // Device rights are not among what may be delegated (policy default).
    let mut dev = Rights::default();
    dev.devices.bind_new = true;
    assert!(matches!(
        t.grant("alice", "bob", &dev),
        Err(TenantError::Exceeds { .. })
    ));
    // A scoped admin outside any group may not delegate at all.
    t.grant(BOSS, "bob", &subtree("be")).unwrap();
    let err = t.grant("bob", "frank", &subtree("st")).unwrap_err();
    assert!(
        matches!(&err, TenantError::Denied { rule, .. } if rule.ends_with("scoped-admin.delegate"))
    );
}

#[test]
fn scopes_follow_moves_and_own_department_follows_the_admin() {
    // wecom-admin/roles.directory-rights: scopes are subtrees, whatever moves
    let mut t = tenant();
    t.add_scoped_admin(BOSS, "alice", None).unwrap();
    t.grant(BOSS, "alice", &subtree("be")).unwrap();
    assert!(
        !t.check("alice", Action::ManageDirectory, &dept("east"))
            .allowed
    );
    t.move_department(BOSS, "east", "st").unwrap();
    assert!(
        t.check("alice", Action::ManageDirectory, &dept("east"))
            .allowed
    );
    assert!(
        t.check("alice", Action::ManageDirectory, &member("dave"))
            .allowed
    );
    t.move_department(BOSS, "st", "sales").unwrap();
    assert!(
        !t.check("alice", Action::ManageDirectory, &dept("east"))
            .allowed
    );
    // "Own department and below" follows the admin when it changes department.
    t.add_scoped_admin(BOSS, "frank", None).unwrap();
    let mut own = Rights::default();
    own.directory.insert(ScopeItem::OwnDepartments);
    t.grant(BOSS, "frank", &own).unwrap();
    assert!(
        t.check("frank", Action::ManageDirectory, &member("bob"))
            .allowed
    );
    t.set_member_departments(BOSS, "frank", &["sales".into()])
        .unwrap();
    assert!(
        !t.check("frank", Action::ManageDirectory, &member("bob"))
            .allowed
    );
    assert!(
        t.check("frank", Action::ManageDirectory, &member("dave"))
            .allowed
    );
    // Removing a department drops it from every scope, reported.
    t.grant(BOSS, "alice", &subtree("east")).unwrap();
    t.remove_member(BOSS, "dave").unwrap();
    let fx = t.remove_department(BOSS, "east").unwrap();
    assert!(!fx.notes.is_empty());
}

#[test]
fn balance_default_rule_super_admins_and_custom_rules() {
    // wecom-admin/recharge.spend-permission.default / .custom / recharge.payable(.excluded)
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    let f = |x: &str| Resource::Feature(x.into());
    assert!(
        t.check("alice", Action::SpendBalance, &f("获客助手"))
            .allowed
    );
    let d = t.check("alice", Action::SpendBalance, &f("会议高级功能"));
    assert!(!d.allowed);
    assert_eq!(d.rule, "wecom-admin/recharge.payable.excluded");
    assert!(!t.check("bob", Action::SpendBalance, &f("获客助手")).allowed);
    t.put_spend_rule(
        "alice",
        SpendRule {
            id: "r1".into(),
            members: ["bob".to_string()].into(),
            items: ["获客助手".to_string()].into(),
        },
    )
    .unwrap();
    let d = t.check("bob", Action::SpendBalance, &f("获客助手"));
    assert_eq!(d.by, Some(Basis::SpendRule { rule: "r1".into() }));
    assert!(
        !t.check("bob", Action::SpendBalance, &f("安全高级功能"))
            .allowed
    );
    // Only super admins manage custom rules.
    assert!(t.delete_spend_rule("bob", "r1").is_err());
    // An excluded item cannot enter a custom rule.
    let err = t
        .put_spend_rule(
            "alice",
            SpendRule {
                id: "r2".into(),
                members: ["bob".to_string()].into(),
                items: ["公费电话".to_string()].into(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, TenantError::Invalid { .. }));
    t.delete_spend_rule("alice", "r1").unwrap();
    assert!(!t.check("bob", Action::SpendBalance, &f("获客助手")).allowed);
}

#[test]
fn security_features_bought_by_super_admins_only() {
    // wecom-admin/security.purchase.super-admin-only
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    t.add_scoped_admin(BOSS, "bob", None).unwrap();
    let r = Resource::Tenant;
    assert!(t.check("alice", Action::BuySecurityFeature, &r).allowed);
    assert!(!t.check("bob", Action::BuySecurityFeature, &r).allowed);
    assert!(!t.check("carol", Action::BuySecurityFeature, &r).allowed);
}

#[test]
fn business_category_by_super_admin_or_business_owner() {
    // wecom-admin/business-category.who
    let mut t = tenant();
    t.add_super_admin(BOSS, "alice", SuperKind::Internal)
        .unwrap();
    t.set_business_owner(BOSS, "dave", true).unwrap();
    let r = Resource::Tenant;
    assert!(t.check("alice", Action::SelectBusinessCategory, &r).allowed);
    assert_eq!(
        t.check("dave", Action::SelectBusinessCategory, &r).by,
        Some(Basis::BusinessOwner)
    );
    let d = t.check("carol", Action::SelectBusinessCategory, &r);
    assert!(!d.allowed && d.zh.contains("联系管理员"));
}

#[test]
fn seats_removable_within_7_days_and_released_on_leaving() {
    // wecom-admin/security.seat-removal, security.seat-release
    let mut t = tenant();
    // 2022-01-01 14:38 (UTC+8) as in the seed's example.
    let assigned: i64 = 1_641_019_080;
    t.assign_seat(BOSS, "安全高级功能", "bob", assigned)
        .unwrap();
    t.assign_seat(BOSS, "安全高级功能", "carol", assigned)
        .unwrap();
    let just_before = assigned + 7 * 86_400 - 60;
    t.remove_seat(BOSS, "安全高级功能", "bob", just_before)
        .unwrap();
    let err = t
        .remove_seat(BOSS, "安全高级功能", "carol", assigned + 7 * 86_400)
        .unwrap_err();
    assert!(matches!(&err, TenantError::Denied { rule, .. } if rule.ends_with("seat-removal")));
    // Leaving frees the seat at any time.
    let fx = t.remove_member(BOSS, "carol").unwrap();
    assert!(fx.notes.iter().any(|(_, r)| r.ends_with("seat-release")));
    assert!(t.seats().is_empty());
}

#[test]
fn who_can_and_what_may_be_done() {
    let mut t = tenant();
    t.add_super_admin(BOSS, "agency", SuperKind::External)
        .unwrap();
    t.add_scoped_admin(BOSS, "alice", None).unwrap();
    t.grant(BOSS, "alice", &subtree("be")).unwrap();
    t.add_scoped_admin(BOSS, "dave", None).unwrap();
    t.grant(BOSS, "dave", &subtree("sales")).unwrap();
    let who: Vec<String> = t
        .who_can(Action::ManageDirectory, &dept("st"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(who, vec!["agency", "alice", "boss"]);
    let can: Vec<Action> = t
        .allowed_actions("alice", &dept("st"))
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(can, vec![Action::ManageDirectory]);
    assert!(t.allowed_actions("alice", &dept("east")).is_empty());
}

#[test]
fn unknown_ids_are_errors_not_panics() {
    let mut t = tenant();
    let d = t.check(BOSS, Action::ManageDirectory, &dept("nowhere"));
    assert!(!d.allowed && d.zh.contains("nowhere"));
    assert!(t.grant(BOSS, "ghost", &subtree("rd")).is_err());
    assert!(t.move_department(BOSS, "rd", "st").is_err(), "no cycles");
    assert!(t.add_member(BOSS, "bad id", "x", &["rd".into()]).is_err());
    assert!(t.add_member(BOSS, "nobody", "x", &[]).is_err());
}

#[test]
fn revoking_needs_the_authority_of_granting() {
    // wecom-admin/roles.scoped-admin.delegate, roles.scoped-admin.own-rights-only
    let mut t = tenant();
    t.create_group(
        BOSS,
        AdminGroup {
            id: "g".into(),
            name: "研发".into(),
            rights: subtree("rd"),
        },
    )
    .unwrap();
    t.add_scoped_admin(BOSS, "alice", Some("g")).unwrap();
    t.add_scoped_admin(BOSS, "bob", None).unwrap();
    t.add_scoped_admin(BOSS, "frank", None).unwrap();
    let mut send = subtree("rd");
    send.apps.insert("crm".into(), AppRight::Send);
    t.grant(BOSS, "bob", &send).unwrap();
    t.grant(BOSS, "alice", &send).unwrap();
    let mut manage = subtree("be");
    manage.apps.insert("crm".into(), AppRight::Manage);
    t.grant(BOSS, "frank", &manage).unwrap();
    // Outside any group: no revoking either.
    assert!(matches!(
        t.revoke("bob", "frank", &subtree("be")),
        Err(TenantError::Denied { .. })
    ));
    // In a group, but the grantee holds more on crm than the revoker.
    let mut crm = Rights::default();
    crm.apps.insert("crm".into(), AppRight::Send);
    assert!(matches!(
        t.revoke("alice", "frank", &crm),
        Err(TenantError::Exceeds { .. })
    ));
    assert!(
        t.check("frank", Action::ManageApp, &Resource::App("crm".into()))
            .allowed
    );
    // What it holds, it may take back.
    t.revoke("alice", "frank", &subtree("be")).unwrap();
    assert!(
        !t.check("frank", Action::ManageDirectory, &dept("be"))
            .allowed
    );
}

#[test]
fn a_scoped_admin_cannot_remove_a_super_admin_from_the_directory() {
    // wecom-admin/roles.scoped-admin.own-rights-only
    let mut t = tenant();
    t.add_super_admin(BOSS, "bob", SuperKind::Internal).unwrap();
    t.add_scoped_admin(BOSS, "alice", None).unwrap();
    t.grant(BOSS, "alice", &subtree("be")).unwrap();
    assert!(matches!(
        t.remove_member("alice", "bob"),
        Err(TenantError::Denied { .. })
    ));
    assert!(
        t.check("bob", Action::ManageAdmins, &Resource::Tenant)
            .allowed
    );
    t.remove_member(BOSS, "bob").unwrap();
}
