//! API keys and roles.
//!
//! A key reads `bylaw_<id>_<secret>`. The log keeps only the id, the role,
//! the owner and the SHA-256 of the secret (`server.key.created`), never the
//! secret, so a copy of the database lets nobody in. A request's key is
//! found by id and its secret's digest compared in constant time. Keys are
//! revoked with `server.key.revoked`; both events are replayed at start and
//! picked up from other nodes like every other event.
//!
//! Roles (the five):
//! - `operator`: everything;
//! - `reviewer`: listing review and enforcement decisions;
//! - `provider`: its own subject's targets (submit, rectify, appeal, withdraw,
//!   read its status and notices);
//! - `tenant-admin`: its own tenant, further limited by its member's role in
//!   the tenant model (every tenant action is checked as that member);
//! - `scanner`: text scanning only.

use std::collections::HashMap;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::ApiError;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything.
    Operator,
    /// Listing review and enforcement decisions.
    Reviewer,
    /// Its own subject's apps: submit, rectify, appeal, read its notices.
    Provider,
    /// Its own tenant, as one of its members.
    TenantAdmin,
    /// Text scanning only.
    Scanner,
}

impl Role {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Reviewer => "reviewer",
            Role::Provider => "provider",
            Role::TenantAdmin => "tenant-admin",
            Role::Scanner => "scanner",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Operator => "运营",
            Role::Reviewer => "审核员",
            Role::Provider => "服务商",
            Role::TenantAdmin => "企业管理员",
            Role::Scanner => "内容检测",
        }
    }
}

/// A stored key (the secret's digest only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Public id (the part after `bylaw_`).
    pub id: String,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// Role.
    pub role: Role,
    /// Provider: its subject id; tenant admin: its tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Tenant admin: the member it acts as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// A label for people.
    #[serde(default)]
    pub label: String,
}

/// Who is calling: the key's id, role and ownership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Key id.
    pub key_id: String,
    /// Role.
    pub role: Role,
    /// Provider: subject; tenant admin: tenant.
    pub owner: Option<String>,
    /// Tenant admin: the member it acts as.
    pub member: Option<String>,
}

impl Principal {
    /// Refuses unless the key has one of `roles` (an operator always passes).
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.role == Role::Operator || roles.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::forbidden(
            format!(
                "角色 {}（{}）无权执行此操作，需要：operator, {}",
                self.role.as_str(),
                self.role.name_zh(),
                names.join(", ")
            ),
            format!(
                "role {} may not do this; it needs operator or {}",
                self.role.as_str(),
                names.join(", ")
            ),
        ))
    }

    /// Whether the key is an operator.
    pub fn is_operator(&self) -> bool {
        self.role == Role::Operator
    }
}

/// A key's digest, hex.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Random hex from the operating system.
fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex(&buf))
}

/// A new key: the token to hand out once, and the record to store.
pub fn generate(
    role: Role,
    owner: Option<String>,
    member: Option<String>,
    label: &str,
) -> Result<(String, KeyRecord), String> {
    match role {
        Role::Provider if owner.is_none() => {
            return Err("a provider key needs --owner (its subject id)".into())
        }
        Role::TenantAdmin if owner.is_none() || member.is_none() => {
            return Err("a tenant-admin key needs --owner (its tenant) and --member".into())
        }
        _ => {}
    }
    let id = random_hex(6)?;
    let secret = random_hex(24)?;
    let token = format!("bylaw_{id}_{secret}");
    Ok((
        token,
        KeyRecord {
            id,
            hash: digest(&secret),
            role,
            owner,
            member,
            label: label.to_string(),
        },
    ))
}

/// The event kind of a created key.
pub const KEY_CREATED: &str = "server.key.created";
/// The event kind of a revoked key.
pub const KEY_REVOKED: &str = "server.key.revoked";

/// The keys known to this node, from the log.
#[derive(Debug, Default)]
pub struct KeyStore {
    keys: RwLock<HashMap<String, KeyRecord>>,
}

impl KeyStore {
    /// Applies a stored `server.key.*` event; other kinds are ignored.
    pub fn apply(&self, kind: &str, payload: &str) -> Result<(), String> {
        let mut keys = self.keys.write().map_err(|_| "key store poisoned")?;
        match kind {
            KEY_CREATED => {
                let rec: KeyRecord = serde_json::from_str(payload).map_err(|e| e.to_string())?;
                keys.insert(rec.id.clone(), rec);
            }
            KEY_REVOKED => {
                #[derive(Deserialize)]
                struct Revoked {
                    id: String,
                }
                let r: Revoked = serde_json::from_str(payload).map_err(|e| e.to_string())?;
                keys.remove(&r.id);
            }
            _ => {}
        }
        Ok(())
    }

    /// The number of live keys.
    pub fn len(&self) -> usize {
        self.keys.read().map(|k| k.len()).unwrap_or(0)
    }

    /// Whether there are no live keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every live key's record (no secrets: there are none to show).
    pub fn list(&self) -> Vec<KeyRecord> {
        let mut v: Vec<KeyRecord> = self
            .keys
            .read()
            .map(|k| k.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Finds the principal of a presented token.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        let rest = token.strip_prefix("bylaw_")?;
        let (id, secret) = rest.split_once('_')?;
        let presented = digest(secret);
        let keys = self.keys.read().ok()?;
        match keys.get(id) {
            Some(rec) if constant_time_eq(presented.as_bytes(), rec.hash.as_bytes()) => {
                Some(Principal {
                    key_id: rec.id.clone(),
                    role: rec.role,
                    owner: rec.owner.clone(),
                    member: rec.member.clone(),
                })
            }
            Some(_) => None,
            None => {
                // Same work as a wrong secret, so timing does not tell ids apart.
                let _ = constant_time_eq(presented.as_bytes(), presented.as_bytes());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_authenticates_and_a_changed_one_does_not() {
        let store = KeyStore::default();
        let (token, rec) = generate(Role::Scanner, None, None, "t").unwrap();
        store
            .apply(KEY_CREATED, &serde_json::to_string(&rec).unwrap())
            .unwrap();
        assert_eq!(store.authenticate(&token).unwrap().role, Role::Scanner);
        let mut bad = token.clone();
        bad.pop();
        bad.push('x');
        assert!(store.authenticate(&bad).is_none() || bad == token);
        assert!(store.authenticate("bylaw_nope_nope").is_none());
        assert!(store.authenticate("garbage").is_none());
        assert!(!serde_json::to_string(&rec).unwrap().contains(&token[20..]));
        store
            .apply(KEY_REVOKED, &format!("{{\"id\":\"{}\"}}", rec.id))
            .unwrap();
        assert!(store.authenticate(&token).is_none());
    }

    #[test]
    fn owners_are_required_where_the_role_needs_one() {
        assert!(generate(Role::Provider, None, None, "").is_err());
        assert!(generate(Role::TenantAdmin, Some("t".into()), None, "").is_err());
        assert!(generate(Role::TenantAdmin, Some("t".into()), Some("m".into()), "").is_ok());
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
