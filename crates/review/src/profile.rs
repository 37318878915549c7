//! Which rules apply to which platform, level and field (`data/profiles.toml`).

use std::collections::BTreeMap;

use bylaw_rulebook::Rulebook;
use serde::Deserialize;

use crate::listing::{Level, Platform};
use crate::SetupError;

/// A rule and the fields it governs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Rule id.
    pub rule: String,
    /// Listing fields.
    pub fields: Vec<String>,
    /// Evaluate only the rule's superseded thresholds (as information).
    #[serde(default)]
    pub superseded_only: bool,
}

/// A named set of assignments shared by several profiles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Assignments.
    pub rules: Vec<Assignment>,
}

/// One platform (and level).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Platform.
    pub platform: Platform,
    /// Meeting level.
    pub level: Option<Level>,
    /// Prefix of the field-table rules (`meeting-search/fields.`).
    pub field_rules: Option<String>,
    /// Groups included.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Own assignments.
    #[serde(default)]
    pub rules: Vec<Assignment>,
}

/// Protected marks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marks {
    /// Rule protecting the marks on Meeting.
    pub meeting: String,
    /// On mini programs.
    pub miniprogram: String,
    /// On WeCom ISV apps.
    #[serde(rename = "wecom-isv")]
    pub wecom_isv: String,
    /// The marks.
    pub words: Vec<String>,
}

/// Qualification settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualifications {
    /// Rows every Meeting listing needs.
    pub meeting: Vec<String>,
    /// Prefix of the special-qualification rows.
    pub special: String,
}

/// Catalogue settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Similarity from which two names count as the same.
    pub threshold: f64,
}

/// `data/profiles.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    /// `fields.<slug>` → listing field.
    pub fields: BTreeMap<String, String>,
    /// Shared groups.
    #[serde(default, rename = "group")]
    pub groups: Vec<Group>,
    /// Profiles.
    #[serde(rename = "profile")]
    pub profiles: Vec<Profile>,
    /// Protected marks.
    pub marks: Marks,
    /// Feature → qualification rows.
    pub features: BTreeMap<String, Vec<String>>,
    /// Qualification settings.
    pub qualifications: Qualifications,
    /// Catalogue settings.
    pub catalog: Catalog,
    /// Per platform: content category → the platform's own rule.
    #[serde(default)]
    pub content: BTreeMap<Platform, BTreeMap<bylaw_textguard::Category, String>>,
}

impl Profiles {
    /// The rule a content finding cites on `platform`: the platform's own
    /// rule for the category, else the lexicon term's rule.
    pub fn content_rule<'s>(
        &'s self,
        platform: Platform,
        category: bylaw_textguard::Category,
        lexicon_rule: Option<&'s str>,
    ) -> Option<&'s str> {
        self.content
            .get(&platform)
            .and_then(|m| m.get(&category))
            .map(String::as_str)
            .or(lexicon_rule)
    }

    /// The shipped profiles, checked against the rulebook.
    pub fn embedded(rb: &Rulebook) -> Result<Profiles, SetupError> {
        Self::parse(include_str!("../data/profiles.toml"), rb)
    }

    /// Parses profiles and checks every rule id they name.
    pub fn parse(text: &str, rb: &Rulebook) -> Result<Profiles, SetupError> {
        let err = |message: String| SetupError::Data {
            file: "profiles.toml".into(),
            message,
        };
        let p: Profiles = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut ids: Vec<&String> = Vec::new();
        for g in &p.groups {
            ids.extend(g.rules.iter().map(|a| &a.rule));
        }
        for pr in &p.profiles {
            ids.extend(pr.rules.iter().map(|a| &a.rule));
            for g in &pr.groups {
                if !p.groups.iter().any(|x| &x.name == g) {
                    return Err(err(format!("unknown group `{g}`")));
                }
            }
        }
        ids.extend(p.features.values().flatten());
        ids.extend(&p.qualifications.meeting);
        ids.extend([&p.marks.meeting, &p.marks.miniprogram, &p.marks.wecom_isv]);
        ids.extend(p.content.values().flat_map(|m| m.values()));
        for id in ids {
            if rb.rule(id).is_none() {
                return Err(err(format!("unknown rule `{id}`")));
            }
        }
        Ok(p)
    }

    /// The profile for a platform and level (Meeting defaults to `listing`).
    pub fn profile(&self, platform: Platform, level: Option<Level>) -> Option<&Profile> {
        let level = match platform {
            Platform::Meeting => Some(level.unwrap_or(Level::Listing)),
            _ => None,
        };
        self.profiles
            .iter()
            .find(|p| p.platform == platform && p.level == level)
    }

    /// Every assignment of a profile, groups included.
    pub fn assignments<'p>(
        &'p self,
        profile: &'p Profile,
    ) -> impl Iterator<Item = &'p Assignment> + 'p {
        profile
            .groups
            .iter()
            .filter_map(|g| self.groups.iter().find(|x| &x.name == g))
            .flat_map(|g| g.rules.iter())
            .chain(profile.rules.iter())
    }

    /// The rule protecting marks on a platform.
    pub fn mark_rule(&self, platform: Platform) -> &str {
        match platform {
            Platform::Meeting => &self.marks.meeting,
            Platform::Miniprogram => &self.marks.miniprogram,
            Platform::WecomIsv => &self.marks.wecom_isv,
        }
    }
}
