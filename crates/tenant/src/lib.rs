//! tenant: the enterprise side of WeCom as an authorisation core.
//!
//! A tenant's directory (a department tree of any depth, members in one or
//! more departments, department heads, tags), its administrators (one
//! creator, super admins, scoped admins alone or in admin groups) and their
//! grants are state; [`Tenant::check`] is a pure function of that state
//! that answers allow or deny with the role or grant that decided it, or
//! every requirement that failed, each with the clause of
//! `wecom-admin/roles.*` it comes from. Scopes are precomputed as
//! pre-order intervals of the department tree and relabelled when the tree
//! changes, so a check never walks the tree.

#![forbid(unsafe_code)]

pub mod acquisition;
pub mod alert;
pub mod approval;
pub mod books;
pub mod category;
pub mod check;
pub mod contacts;
pub mod directory;
pub mod error;
pub mod file;
pub mod journal;
pub mod ledger;
pub mod migration;
pub mod money;
pub mod registry;
pub mod roles;
pub mod tenant;

pub use check::{Action, Decision, Failure, Resource};
pub use directory::Directory;
pub use error::TenantError;
pub use money::Fen;
pub use registry::Registry;
pub use roles::{
    AdminGroup, AppRight, Basis, DeviceRights, DeviceScope, Rights, ScopeItem, ScopedAdmin,
    SuperKind,
};
pub use tenant::{Effects, Limits, Policy, Seat, SpendRule, SuperAdmin, Tenant, Time};
