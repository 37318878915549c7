//! Scene policy: which detector runs in which scene, how severe its hits
//! are, and which rule it cites (`lexicons/policy.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lexicon::{Category, Scene, Severity};

/// A detector's setting in one scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// The detector does not run.
    Off,
    /// Hits ask for review.
    Review,
    /// Hits block.
    Block,
}

impl Setting {
    /// The severity of hits, or `None` when off.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Setting::Off => None,
            Setting::Review => Some(Severity::Review),
            Setting::Block => Some(Severity::Block),
        }
    }
}

/// The detectors textguard has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectorId {
    /// Mainland mobile and landline numbers.
    PhoneNumber,
    /// WeChat / QQ ids after cue words.
    ContactId,
    /// URLs and bare domains.
    Url,
    /// E-mail addresses.
    Email,
    /// Resident ID numbers.
    ResidentId,
    /// Bank card numbers.
    BankCard,
}

impl DetectorId {
    /// Every detector.
    pub const ALL: [DetectorId; 6] = [
        DetectorId::PhoneNumber,
        DetectorId::ContactId,
        DetectorId::Url,
        DetectorId::Email,
        DetectorId::ResidentId,
        DetectorId::BankCard,
    ];

    /// The id, equal to the rulebook catalogue's check id.
    pub fn as_str(self) -> &'static str {
        match self {
            DetectorId::PhoneNumber => "phone-number",
            DetectorId::ContactId => "contact-id",
            DetectorId::Url => "url",
            DetectorId::Email => "email",
            DetectorId::ResidentId => "resident-id",
            DetectorId::BankCard => "bank-card",
        }
    }
}

/// One detector's policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorPolicy {
    /// Which detector.
    pub id: DetectorId,
    /// The rulebook rule its hits cite.
    pub rule: String,
    /// The category its hits carry.
    pub category: Category,
    /// Setting in scenes not listed in `scenes`.
    pub default: Setting,
    /// Per-scene settings.
    #[serde(default)]
    pub scenes: BTreeMap<Scene, Setting>,
}

/// `lexicons/policy.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Detector settings.
    #[serde(default, rename = "detector")]
    pub detectors: Vec<DetectorPolicy>,
    /// Categories that apply only in the listed scenes (`absolute = ["listing"]`).
    #[serde(default)]
    pub category_scenes: BTreeMap<Category, Vec<Scene>>,
    /// Matching by sound.
    #[serde(default)]
    pub homophones: Homophones,
}

/// Which lexicon terms are also matched by sound (pinyin channel).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Homophones {
    /// Whether terms are matched by sound at all (a term's `pinyin` flag
    /// overrides this).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Fewest syllables a term needs: two-syllable homophones collide with
    /// ordinary words (大麻 / 打骂).
    #[serde(default = "three")]
    pub min_syllables: usize,
    /// Only terms of these categories (empty: all).
    #[serde(default)]
    pub categories: Vec<Category>,
}

fn yes() -> bool {
    true
}

fn three() -> usize {
    3
}

impl Default for Homophones {
    fn default() -> Self {
        Homophones {
            enabled: true,
            min_syllables: 3,
            categories: Vec::new(),
        }
    }
}

impl Policy {
    /// The setting of `d` in `scene`.
    pub fn setting(&self, d: DetectorId, scene: Scene) -> Setting {
        self.detectors
            .iter()
            .find(|p| p.id == d)
            .map_or(Setting::Off, |p| {
                p.scenes.get(&scene).copied().unwrap_or(p.default)
            })
    }

    /// The policy of `d`.
    pub fn detector(&self, d: DetectorId) -> Option<&DetectorPolicy> {
        self.detectors.iter().find(|p| p.id == d)
    }

    /// Whether category `c` applies in `scene`.
    pub fn category_applies(&self, c: Category, scene: Scene) -> bool {
        self.category_scenes
            .get(&c)
            .is_none_or(|scenes| scenes.contains(&scene))
    }
}
