//! Tenants together: the per-account limit on creator roles
//! (`roles.creator` d: one WeChat account may be creator of at most 5
//! tenants) binds across tenants, so creation and transfer go through here.

use std::collections::BTreeMap;

use crate::check::{rule, Action, Resource};
use crate::error::TenantError;
use crate::tenant::{Limits, Policy, Tenant};

/// Every tenant, by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    tenants: BTreeMap<String, Tenant>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Tenants whose creator is `account`.
    pub fn created_by(&self, account: &str) -> usize {
        self.tenants
            .values()
            .filter(|t| t.creator() == account)
            .count()
    }

    fn room_for(&self, account: &str, limits: &Limits) -> Result<(), TenantError> {
        let n = self.created_by(account);
        if n as u32 >= limits.creator_tenants {
            return Err(TenantError::Denied {
                rule: rule::CREATOR.into(),
                zh: format!(
                    "一个微信账号下最多可以有 {} 个不同的企业创建者身份：{account} 已是 {n} 个企业的创建者",
                    limits.creator_tenants
                ),
                en: format!(
                    "one account may be creator of at most {} tenants; {account} already is of {n}",
                    limits.creator_tenants
                ),
            });
        }
        Ok(())
    }

    /// Registers a tenant; its registrant becomes the creator.
    pub fn create(
        &mut self,
        id: &str,
        name: &str,
        creator: &str,
        limits: Limits,
        policy: Policy,
    ) -> Result<&mut Tenant, TenantError> {
        if self.tenants.contains_key(id) {
            return Err(TenantError::Exists(format!("tenant {id}")));
        }
        self.room_for(creator, &limits)?;
        let t = Tenant::new(id, name, creator, limits, policy)?;
        Ok(self.tenants.entry(id.to_string()).or_insert(t))
    }

    /// Adds a tenant built elsewhere (a loaded file), checking the limit.
    pub fn insert(&mut self, t: Tenant) -> Result<(), TenantError> {
        if self.tenants.contains_key(&t.id) {
            return Err(TenantError::Exists(format!("tenant {}", t.id)));
        }
        self.room_for(t.creator(), t.limits())?;
        self.tenants.insert(t.id.clone(), t);
        Ok(())
    }

    /// A tenant.
    pub fn get(&self, id: &str) -> Result<&Tenant, TenantError> {
        self.tenants
            .get(id)
            .ok_or_else(|| TenantError::unknown("企业", "tenant", id))
    }

    /// A tenant, mutably.
    pub fn get_mut(&mut self, id: &str) -> Result<&mut Tenant, TenantError> {
        self.tenants
            .get_mut(id)
            .ok_or_else(|| TenantError::unknown("企业", "tenant", id))
    }

    /// Transfers the creator role of `tenant` from `actor` (the creator) to
    /// `to`: the tenant keeps exactly one creator, and `to` must have room
    /// under the per-account limit.
    pub fn transfer_creator(
        &mut self,
        tenant: &str,
        actor: &str,
        to: &str,
    ) -> Result<(), TenantError> {
        let t = self.get(tenant)?;
        let d = t.check(actor, Action::TransferCreator, &Resource::Tenant);
        if !d.allowed {
            return Err(TenantError::Denied {
                rule: d.rule.into(),
                zh: d.zh,
                en: d.en,
            });
        }
        if to == actor {
            return Err(TenantError::Invalid {
                field: "to".into(),
                zh: "不能转让给自己".into(),
                en: "cannot transfer to oneself".into(),
            });
        }
        let limits = t.limits().clone();
        self.room_for(to, &limits)?;
        self.get_mut(tenant)?.set_creator(to);
        Ok(())
    }

    /// Every tenant.
    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.values()
    }
}
