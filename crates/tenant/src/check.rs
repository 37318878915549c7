//! Actions, resources and decisions: what `check` is asked and answers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::TenantError;
use crate::roles::{AppRight, Basis};

/// Rule ids the checks cite.
pub mod rule {
    /// 创建者：唯一、最高权力、可转让不可删除、一个微信账号最多 5 个企业.
    pub const CREATOR: &str = "wecom-admin/roles.creator";
    /// 创建者可以转让但不可以被删除.
    pub const CREATOR_TRANSFER: &str = "wecom-admin/roles.creator.transfer";
    /// 超级管理员：可多个，拥有最高管理权限.
    pub const SUPER_ADMIN: &str = "wecom-admin/roles.super-admin";
    /// 内部超级管理员须在通讯录内.
    pub const SUPER_INTERNAL: &str = "wecom-admin/roles.super-admin-internal";
    /// 外部超级管理员（代运营）不需在通讯录内.
    pub const SUPER_EXTERNAL: &str = "wecom-admin/roles.super-admin-external";
    /// 超级管理员可以被删除身份.
    pub const SUPER_REMOVABLE: &str = "wecom-admin/roles.super-admin.removable";
    /// 分级管理员.
    pub const SCOPED: &str = "wecom-admin/roles.scoped-admin";
    /// 管理组中的分级管理员可以分配部分通讯录或应用权限.
    pub const DELEGATE: &str = "wecom-admin/roles.scoped-admin.delegate";
    /// 分级管理员只能管辖或设置其拥有的对应权限.
    pub const OWN_RIGHTS_ONLY: &str = "wecom-admin/roles.scoped-admin.own-rights-only";
    /// 通讯录管理权限.
    pub const DIRECTORY: &str = "wecom-admin/roles.directory-rights";
    /// 发消息等操作只能在其通讯录管理权限下进行.
    pub const SCOPED_MESSAGING: &str = "wecom-admin/roles.directory-rights.scoped-messaging";
    /// 应用权限.
    pub const APP: &str = "wecom-admin/roles.app-rights";
    /// 拥有管理权限默认则拥有发消息权限.
    pub const MANAGE_IMPLIES_SEND: &str = "wecom-admin/roles.app-rights.manage-implies-send";
    /// 硬件权限.
    pub const DEVICE: &str = "wecom-admin/roles.device-rights";
    /// 管理组.
    pub const GROUP: &str = "wecom-admin/roles.admin-group";
    /// 创建人、超级管理员只能属于超级管理组.
    pub const SUPER_GROUP: &str = "wecom-admin/roles.admin-group.super";
    /// 余额使用权限：默认规则.
    pub const SPEND_DEFAULT: &str = "wecom-admin/recharge.spend-permission.default";
    /// 余额使用权限：自定义规则.
    pub const SPEND_CUSTOM: &str = "wecom-admin/recharge.spend-permission.custom";
    /// 可使用余额购买的项目.
    pub const PAYABLE: &str = "wecom-admin/recharge.payable";
    /// 不可使用余额购买的项目.
    pub const PAYABLE_EXCLUDED: &str = "wecom-admin/recharge.payable.excluded";
    /// 安全高级功能仅支持超级管理员购买.
    pub const SECURITY_BUY: &str = "wecom-admin/security.purchase.super-admin-only";
    /// 高级功能使用人分配.
    pub const SEAT_ASSIGN: &str = "wecom-admin/security.seat-assignment";
    /// 分配后 7 天内可移除.
    pub const SEAT_REMOVAL: &str = "wecom-admin/security.seat-removal";
    /// 离职释放名额.
    pub const SEAT_RELEASE: &str = "wecom-admin/security.seat-release";
    /// 企业超级管理员可以看到可用余额与充值入口.
    pub const BALANCE_ENTRY: &str = "wecom-admin/recharge.entry";
    /// 仅超级管理员或业务负责人可以选择经营类目.
    pub const CATEGORY_WHO: &str = "wecom-admin/business-category.who";
    /// 管理员须在授权范围内使用管理权限.
    pub const ADMIN_CONDUCT: &str = "wecom-account/3.6.5";
}

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Manage a department or member (通讯录管理).
    ManageDirectory,
    /// Send a message from an app to members (发消息).
    SendMessage,
    /// Manage an app (应用管理).
    ManageApp,
    /// Bind a new device (绑定新硬件).
    BindDevice,
    /// Manage a device (管理硬件).
    ManageDevice,
    /// Appoint or remove admins and admin groups.
    ManageAdmins,
    /// Transfer the creator role.
    TransferCreator,
    /// Pay from the balance for a feature.
    SpendBalance,
    /// Add, edit or delete custom balance rules.
    ManageSpendRules,
    /// See the balance, top up, read the statement, set low-balance alerts.
    ManageBalance,
    /// Buy security advanced features.
    BuySecurityFeature,
    /// Select or change the business category.
    SelectBusinessCategory,
    /// Assign an advanced-feature seat.
    AssignSeat,
    /// Remove an advanced-feature seat.
    RemoveSeat,
}

impl Action {
    /// Every action, for listings.
    pub const ALL: [Action; 14] = [
        Action::ManageDirectory,
        Action::SendMessage,
        Action::ManageApp,
        Action::BindDevice,
        Action::ManageDevice,
        Action::ManageAdmins,
        Action::TransferCreator,
        Action::SpendBalance,
        Action::ManageSpendRules,
        Action::ManageBalance,
        Action::BuySecurityFeature,
        Action::SelectBusinessCategory,
        Action::AssignSeat,
        Action::RemoveSeat,
    ];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Action::ManageDirectory => "manage-directory",
            Action::SendMessage => "send-message",
            Action::ManageApp => "manage-app",
            Action::BindDevice => "bind-device",
            Action::ManageDevice => "manage-device",
            Action::ManageAdmins => "manage-admins",
            Action::TransferCreator => "transfer-creator",
            Action::SpendBalance => "spend-balance",
            Action::ManageSpendRules => "manage-spend-rules",
            Action::ManageBalance => "manage-balance",
            Action::BuySecurityFeature => "buy-security-feature",
            Action::SelectBusinessCategory => "select-business-category",
            Action::AssignSeat => "assign-seat",
            Action::RemoveSeat => "remove-seat",
        }
    }

    /// Whether the action applies to a resource of this kind.
    pub fn applies_to(self, r: &Resource) -> bool {
        use Action::*;
        match r {
            Resource::Department(_) | Resource::Member(_) => matches!(self, ManageDirectory),
            Resource::App(_) => matches!(self, ManageApp | SendMessage),
            Resource::Message { .. } => matches!(self, SendMessage),
            Resource::Device(_) => matches!(self, ManageDevice),
            Resource::Feature(_) => matches!(self, SpendBalance | BuySecurityFeature),
            Resource::Seat { .. } => matches!(self, AssignSeat | RemoveSeat),
            Resource::Tenant => matches!(
                self,
                BindDevice
                    | ManageAdmins
                    | TransferCreator
                    | ManageSpendRules
                    | ManageBalance
                    | SelectBusinessCategory
                    | BuySecurityFeature
            ),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = TenantError;
    fn from_str(s: &str) -> Result<Self, TenantError> {
        Action::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| TenantError::Invalid {
                field: "action".into(),
                zh: format!(
                    "未知操作「{s}」，可用：{}",
                    Action::ALL.map(|a| a.name()).join(", ")
                ),
                en: format!("unknown action `{s}`"),
            })
    }
}

/// What an action is done on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Resource {
    /// The tenant as a whole.
    Tenant,
    /// A department (and what it contains).
    Department(String),
    /// A member.
    Member(String),
    /// An app.
    App(String),
    /// A message from an app to a department or member.
    Message {
        /// The app it is sent from.
        app: String,
        /// The recipient: a department or a member.
        to: Box<Resource>,
    },
    /// A device.
    Device(String),
    /// A paid feature (by its Chinese name as the seed lists it).
    Feature(String),
    /// An advanced-feature seat of a member.
    Seat {
        /// The product.
        product: String,
        /// The member.
        member: String,
    },
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Tenant => write!(f, "tenant"),
            Resource::Department(d) => write!(f, "dept:{d}"),
            Resource::Member(m) => write!(f, "member:{m}"),
            Resource::App(a) => write!(f, "app:{a}"),
            Resource::Message { app, to } => write!(f, "message:{app}:{to}"),
            Resource::Device(d) => write!(f, "device:{d}"),
            Resource::Feature(x) => write!(f, "feature:{x}"),
            Resource::Seat { product, member } => write!(f, "seat:{product}:{member}"),
        }
    }
}

impl FromStr for Resource {
    type Err = TenantError;
    /// `tenant`, `dept:ID`, `member:ID`, `app:ID`, `device:ID`,
    /// `feature:NAME`, `message:APP:dept:ID` / `message:APP:member:ID`,
    /// `seat:PRODUCT:MEMBER`.
    fn from_str(s: &str) -> Result<Self, TenantError> {
        let bad = || {
            TenantError::Invalid {
            field: "resource".into(),
            zh: format!("无法识别的对象「{s}」，格式如 dept:ID、member:ID、app:ID、message:APP:member:ID、device:ID、feature:名称、seat:产品:成员、tenant"),
            en: format!("cannot read resource `{s}`"),
        }
        };
        if s == "tenant" {
            return Ok(Resource::Tenant);
        }
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        if rest.is_empty() {
            return Err(bad());
        }
        Ok(match kind {
            "dept" | "department" => Resource::Department(rest.into()),
            "member" => Resource::Member(rest.into()),
            "app" => Resource::App(rest.into()),
            "device" => Resource::Device(rest.into()),
            "feature" => Resource::Feature(rest.into()),
            "message" => {
                let (app, to) = rest.split_once(':').ok_or_else(bad)?;
                let to: Resource = to.parse()?;
                if !matches!(to, Resource::Department(_) | Resource::Member(_)) {
                    return Err(bad());
                }
                Resource::Message {
                    app: app.into(),
                    to: Box::new(to),
                }
            }
            "seat" => {
                let (product, member) = rest.split_once(':').ok_or_else(bad)?;
                Resource::Seat {
                    product: product.into(),
                    member: member.into(),
                }
            }
            _ => return Err(bad()),
        })
    }
}

/// The answer of a check: allowed or not, on what basis, under which rule,
/// with every failed requirement when denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Allowed.
    pub allowed: bool,
    /// The role or grant that allowed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Basis>,
    /// The rule that decided.
    pub rule: &'static str,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
    /// Every requirement that failed (denials), each with its rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<Failure>,
}

/// One requirement a denied check did not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The rule that requires it.
    pub rule: &'static str,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

impl Decision {
    /// An allow on `by` under `rule`.
    pub fn allow(by: Basis, rule: &'static str, zh: String, en: String) -> Self {
        Decision {
            allowed: true,
            by: Some(by),
            rule,
            zh,
            en,
            failed: Vec::new(),
        }
    }

    /// A deny with its failed requirements (the first gives the rule).
    pub fn deny(failed: Vec<Failure>) -> Self {
        let rule = failed.first().map_or(rule::DIRECTORY, |f| f.rule);
        let zh = failed
            .iter()
            .map(|f| f.zh.as_str())
            .collect::<Vec<_>>()
            .join("；");
        let en = failed
            .iter()
            .map(|f| f.en.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Decision {
            allowed: false,
            by: None,
            rule,
            zh,
            en,
            failed,
        }
    }
}

/// A failed requirement.
pub fn fail(rule: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Failure {
    Failure {
        rule,
        zh: zh.into(),
        en: en.into(),
    }
}

/// Short Chinese form of an app right, for messages.
pub fn right_zh(r: AppRight) -> &'static str {
    r.zh()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_round_trip() {
        for s in [
            "tenant",
            "dept:d1",
            "member:m1",
            "app:crm",
            "message:crm:dept:d1",
            "message:crm:member:m1",
            "device:k1",
            "feature:获客助手",
            "seat:安全高级功能:m1",
        ] {
            let r: Resource = s.parse().unwrap();
            assert_eq!(r.to_string(), s);
        }
        assert!("message:crm:app:x".parse::<Resource>().is_err());
        assert!("dept:".parse::<Resource>().is_err());
        assert!("nothing".parse::<Resource>().is_err());
        assert!("fly".parse::<Action>().is_err());
    }
}
