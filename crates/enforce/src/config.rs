//! `data/enforce.toml`: what each action takes away per platform, and the
//! settings the seeds leave open (appeal limits outside credit scores,
//! credit-score deductions, shadow mode).

use std::collections::BTreeMap;

use bylaw_rulebook::Rulebook;
use serde::Deserialize;

/// Appeal limits taken from a rule's thresholds for rules under a prefix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealRule {
    /// Rule-id prefix.
    pub prefix: String,
    /// Rule whose `appeal-window` (days) and `appeals` (count) thresholds apply.
    pub from: String,
}

/// Appeal settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appeals {
    /// Appeals per case where no rule says.
    pub default_max: u32,
    /// Rules that say.
    #[serde(default, rename = "rule")]
    pub rules: Vec<AppealRule>,
}

/// Credit-score settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// Rule-id prefixes whose cases count.
    pub books: Vec<String>,
    /// Starting score.
    pub initial: i64,
    /// Deduction by the most severe action of a case.
    pub deduct: BTreeMap<String, i64>,
}

/// Restoration settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restore {
    /// Capabilities only a fresh application restores.
    pub needs_application: Vec<String>,
}

/// Shadow-mode settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shadow {
    /// Exact rule ids or `prefix*`.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Platform (or `default`) → action → capabilities.
    pub effects: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Restoration.
    pub restore: Restore,
    /// Appeals.
    pub appeals: Appeals,
    /// Credit scores.
    pub credit: Credit,
    /// Shadow mode.
    #[serde(default)]
    pub shadow: Shadow,
}

impl Config {
    /// The shipped configuration.
    pub fn embedded() -> Result<Config, String> {
        Self::parse(include_str!("../data/enforce.toml"))
    }

    /// Parses a configuration.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Checks rule ids and capability ids against the rulebook.
    pub fn validate(&self, rb: &Rulebook) -> Result<(), String> {
        for (platform, actions) in &self.effects {
            for (action, caps) in actions {
                for c in caps {
                    if c != "*" && rb.catalogue().capability(c).is_none() {
                        return Err(format!(
                            "effects.{platform}.{action}: unknown capability `{c}`"
                        ));
                    }
                }
            }
        }
        for r in &self.appeals.rules {
            if rb.rule(&r.from).is_none() {
                return Err(format!("appeals: unknown rule `{}`", r.from));
            }
        }
        for c in &self.restore.needs_application {
            if rb.catalogue().capability(c).is_none() {
                return Err(format!("restore: unknown capability `{c}`"));
            }
        }
        Ok(())
    }

    /// Capabilities an action takes away on a platform.
    pub fn effect(&self, platform: &str, action: &str) -> Option<&Vec<String>> {
        self.effects
            .get(platform)
            .and_then(|m| m.get(action))
            .or_else(|| self.effects.get("default").and_then(|m| m.get(action)))
    }

    /// Whether decisions on `rule` are shadow-only.
    pub fn is_shadow(&self, rule: &str) -> bool {
        self.shadow.rules.iter().any(|r| match r.strip_suffix('*') {
            Some(p) => rule.starts_with(p),
            None => r == rule,
        })
    }

    /// (window in days, maximum appeals) for cases under `rule`.
    pub fn appeal_limits(&self, rb: &Rulebook, rule: &str) -> (Option<u32>, u32) {
        for r in &self.appeals.rules {
            if rule.starts_with(&r.prefix) {
                if let Some(src) = rb.rule(&r.from) {
                    let window = src
                        .threshold("appeal-window", None)
                        .and_then(|t| t.max.or(t.value))
                        .map(|n| n.get() as u32);
                    let max = src
                        .threshold("appeals", None)
                        .and_then(|t| t.max.or(t.value))
                        .map_or(self.appeals.default_max, |n| n.get() as u32);
                    return (window, max);
                }
            }
        }
        (None, self.appeals.default_max)
    }
}
