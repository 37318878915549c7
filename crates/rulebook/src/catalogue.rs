//! The catalogues rules refer to by id: capabilities and checks.

use serde::{Deserialize, Serialize};

/// `rulebooks/catalogue.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// What a sanction can take away.
    #[serde(default, rename = "capability")]
    pub capabilities: Vec<Capability>,
    /// How rules are verified.
    #[serde(default, rename = "check")]
    pub checks: Vec<CheckDef>,
}

/// A capability a sanction can ban (封禁 … 能力).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// Stable id (`share`, `searchable`, …).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// One English sentence.
    pub summary: String,
}

/// A way of verifying a rule: an automated detector or `manual` review.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    /// Stable id (`phone-number`, `name-length`, `manual`, …).
    pub id: String,
    /// The crate that implements it.
    #[serde(rename = "crate")]
    pub krate: String,
    /// One English sentence.
    pub summary: String,
}

impl Catalogue {
    /// The capability with this id.
    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&CheckDef> {
        self.checks.iter().find(|c| c.id == id)
    }
}
