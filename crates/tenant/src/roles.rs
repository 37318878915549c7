//! Roles and rights, as `wecom-admin/roles.*` states them: the creator,
//! super admins (internal or external), scoped admins alone or in admin
//! groups, and what a grant may carry (directory subtrees, app rights per
//! app, device rights).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A right on one app (`wecom-admin/roles.app-rights`): messaging, or
/// management, which implies messaging (`roles.app-rights.manage-implies-send`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppRight {
    /// 发消息权限.
    Send,
    /// 管理权限 (includes 发消息).
    Manage,
}

impl AppRight {
    /// Whether holding `self` covers `wanted` (manage covers send).
    pub fn covers(self, wanted: AppRight) -> bool {
        self >= wanted
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            AppRight::Send => "发消息权限",
            AppRight::Manage => "管理权限",
        }
    }
}

/// Which devices a management right covers (`wecom-admin/roles.device-rights`: 管理部分硬件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceScope {
    /// Every device of the tenant.
    All,
    /// Only these devices.
    Listed(BTreeSet<String>),
}

impl DeviceScope {
    /// Whether it covers `device`.
    pub fn covers(&self, device: &str) -> bool {
        match self {
            DeviceScope::All => true,
            DeviceScope::Listed(s) => s.contains(device),
        }
    }
}

/// Device rights: binding new devices and managing (all or listed) devices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRights {
    /// 绑定新硬件设备权限.
    #[serde(default)]
    pub bind_new: bool,
    /// 管理硬件权限, over all or listed devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage: Option<DeviceScope>,
}

impl DeviceRights {
    /// Whether it grants nothing.
    pub fn is_empty(&self) -> bool {
        !self.bind_new && self.manage.is_none()
    }
}

/// One part of a directory scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeItem {
    /// A department and everything below it.
    Subtree(String),
    /// The admin's own departments and everything below them (follows the
    /// admin when it moves).
    OwnDepartments,
}

/// What a scoped admin or an admin group holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rights {
    /// Directory scope: subtrees (通讯录管理范围).
    #[serde(default)]
    pub directory: BTreeSet<ScopeItem>,
    /// App rights, per app id.
    #[serde(default)]
    pub apps: BTreeMap<String, AppRight>,
    /// Device rights.
    #[serde(default, skip_serializing_if = "DeviceRights::is_empty")]
    pub devices: DeviceRights,
}

impl Rights {
    /// Adds `other` to these rights (union; the stronger app right wins).
    pub fn merge(&mut self, other: &Rights) {
        self.directory.extend(other.directory.iter().cloned());
        for (app, r) in &other.apps {
            let e = self.apps.entry(app.clone()).or_insert(*r);
            *e = (*e).max(*r);
        }
        self.devices.bind_new |= other.devices.bind_new;
        self.devices.manage = match (self.devices.manage.take(), &other.devices.manage) {
            (Some(DeviceScope::All), _) | (_, Some(DeviceScope::All)) => Some(DeviceScope::All),
            (Some(DeviceScope::Listed(mut a)), Some(DeviceScope::Listed(b))) => {
                a.extend(b.iter().cloned());
                Some(DeviceScope::Listed(a))
            }
            (a, None) => a,
            (None, Some(b)) => Some(b.clone()),
        };
    }

    /// Whether it grants nothing.
    pub fn is_empty(&self) -> bool {
        self.directory.is_empty() && self.apps.is_empty() && self.devices.is_empty()
    }
}

/// How a super admin relates to the directory (`roles.super-admin-internal`
/// / `roles.super-admin-external`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuperKind {
    /// 内部超级管理员: must be a member; loses the role when removed.
    Internal,
    /// 外部超级管理员 (代运营): need not be a member.
    External,
}

/// An admin group (管理组): admins sharing directory and app rights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminGroup {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// The rights its members share (directory and apps).
    #[serde(default)]
    pub rights: Rights,
}

/// A scoped admin (分级管理员): a member with its own grants and at most
/// one admin group (`roles.admin-group`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedAdmin {
    /// Its admin group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Rights granted to it directly (including by delegation).
    #[serde(default)]
    pub rights: Rights,
}

/// The role an actor holds in a tenant, as a check reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum Basis {
    /// 创建者.
    Creator,
    /// 超级管理员.
    SuperAdmin {
        /// Internal or external.
        kind: SuperKind,
    },
    /// 分级管理员, through its admin group.
    Group {
        /// The group.
        group: String,
    },
    /// 分级管理员, through a grant of its own.
    Grant,
    /// A custom balance rule (余额使用权限自定义规则).
    SpendRule {
        /// The rule.
        rule: String,
    },
    /// 业务负责人.
    BusinessOwner,
}

impl Basis {
    /// Chinese description.
    pub fn zh(&self) -> String {
        match self {
            Basis::Creator => "创建者".into(),
            Basis::SuperAdmin {
                kind: SuperKind::Internal,
            } => "内部超级管理员".into(),
            Basis::SuperAdmin {
                kind: SuperKind::External,
            } => "外部超级管理员（代运营）".into(),
            Basis::Group { group } => format!("管理组「{group}」的分级管理员"),
            Basis::Grant => "分级管理员（单独授权）".into(),
            Basis::SpendRule { rule } => format!("余额使用自定义规则「{rule}」"),
            Basis::BusinessOwner => "业务负责人".into(),
        }
    }

    /// English description.
    pub fn en(&self) -> String {
        match self {
            Basis::Creator => "the creator".into(),
            Basis::SuperAdmin {
                kind: SuperKind::Internal,
            } => "an internal super admin".into(),
            Basis::SuperAdmin {
                kind: SuperKind::External,
            } => "an external super admin (outsourced operator)".into(),
            Basis::Group { group } => format!("a scoped admin of admin group {group}"),
            Basis::Grant => "a scoped admin (own grant)".into(),
            Basis::SpendRule { rule } => format!("custom balance rule {rule}"),
            Basis::BusinessOwner => "the business owner".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_implies_send() {
        // wecom-admin/roles.app-rights.manage-implies-send
        assert!(AppRight::Manage.covers(AppRight::Send));
        assert!(!AppRight::Send.covers(AppRight::Manage));
    }

    #[test]
    fn merge_keeps_the_stronger_right() {
        let mut a = Rights::default();
        a.apps.insert("x".into(), AppRight::Send);
        let mut b = Rights::default();
        b.apps.insert("x".into(), AppRight::Manage);
        b.devices.manage = Some(DeviceScope::Listed(["d1".to_string()].into()));
        a.merge(&b);
        assert_eq!(a.apps["x"], AppRight::Manage);
        assert!(a.devices.manage.as_ref().is_some_and(|m| m.covers("d1")));
    }
}
