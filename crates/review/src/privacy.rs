//! Privacy-policy checklist (stub until the module lands).

/// Patterns for one checklist rule.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ChecklistItem {
    /// Rule id.
    pub rule: String,
    /// Short Chinese name.
    pub name: String,
    /// Phrases.
    #[serde(default)]
    pub any: Vec<String>,
    /// Context phrases.
    #[serde(default)]
    pub all: Vec<String>,
    /// Judged by a person.
    #[serde(default)]
    pub manual: bool,
}

/// The checklist data.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PrivacyData {
    /// Items.
    #[serde(rename = "item", default)]
    pub items: Vec<ChecklistItem>,
    /// Vague link names.
    #[serde(default)]
    pub vague_link_names: Vec<String>,
}

/// Parses the data.
pub fn load(toml_text: &str) -> Result<PrivacyData, String> {
    toml::from_str(toml_text).map_err(|e| e.to_string())
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemResult {
    /// Rule id.
    pub rule: String,
    /// Short name.
    pub name: String,
    /// Found.
    pub found: bool,
    /// Evidence sentence.
    pub evidence: Option<String>,
    /// Span of the evidence.
    pub span: Option<(usize, usize)>,
    /// Judged by a person.
    pub manual: bool,
}

/// Analyses a policy.
pub fn analyze(_text: &str, _data: &PrivacyData) -> Vec<ItemResult> {
    Vec::new()
}

/// Vague link names.
pub fn vague_links(_text: &str, _data: &PrivacyData) -> Vec<(usize, usize, String)> {
    Vec::new()
}
