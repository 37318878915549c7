//! `bylaw.toml`: per-rule levels (error, warning, info, off).
//!
//! ```toml
//! [rules]
//! "meeting-compliance/1.4" = "off"        # one rule
//! "meeting-design/*" = "warning"          # every rule of a book or prefix
//! ```
//! The most specific key wins (an exact id over the longest prefix).

use std::collections::BTreeMap;

use bylaw_rulebook::Rulebook;
use serde::Deserialize;

use crate::Severity;

/// A configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as information.
    Info,
    /// Do not report.
    Off,
}

/// The configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule id or `prefix*` → level.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
}

impl Config {
    /// Parses a config file.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Checks that every key names a rule or a prefix of some rule.
    pub fn validate(&self, rb: &Rulebook) -> Result<(), String> {
        for key in self.rules.keys() {
            let ok = match key.strip_suffix('*') {
                Some(prefix) => rb.rules().iter().any(|r| r.id.starts_with(prefix)),
                None => rb.resolve(key).is_some(),
            };
            if !ok {
                return Err(format!("[rules] `{key}` names no rule of the rulebook"));
            }
        }
        Ok(())
    }

    /// `None`: off; `Some(None)`: keep the finding's own severity;
    /// `Some(Some(s))`: use `s`.
    pub fn level_of(&self, rule: &str) -> Option<Option<Severity>> {
        let exact = self.rules.get(rule);
        let prefixed = || {
            self.rules
                .iter()
                .filter_map(|(k, v)| k.strip_suffix('*').map(|p| (p, v)))
                .filter(|(p, _)| rule.starts_with(p))
                .max_by_key(|(p, _)| p.len())
                .map(|(_, v)| v)
        };
        match exact.or_else(prefixed) {
            None => Some(None),
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Some(Severity::Error)),
            Some(Level::Warning) => Some(Some(Severity::Warning)),
            Some(Level::Info) => Some(Some(Severity::Info)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_wins() {
        let c = Config::parse("[rules]\n\"meeting-design/*\" = \"warning\"\n\"meeting-design/logo.size\" = \"off\"\n\"meeting-*\" = \"error\"\n").unwrap();
        assert_eq!(c.level_of("meeting-design/logo.size"), None);
        assert_eq!(
            c.level_of("meeting-design/logo.bytes"),
            Some(Some(Severity::Warning))
        );
        assert_eq!(
            c.level_of("meeting-compliance/1.1"),
            Some(Some(Severity::Error))
        );
        assert_eq!(c.level_of("miniprogram/2.3"), Some(None));
        assert!(Config::parse("[rules]\nx = \"loud\"\n").is_err());
    }
}
