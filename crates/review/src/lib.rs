//! review: precheck a listing against every norm of the rulebook, before the
//! platform rejects it.
//!
//! One pass reports every problem at once, each tied to its clause. Which
//! rules apply to which platform and field is data (`data/profiles.toml`);
//! which check runs is chosen by the rule's own `checks` (catalogue ids);
//! every threshold and word list is read from the rule. The review itself is
//! a pure function of the listing, the image bytes, the policy text, the
//! catalogue and (optionally) the results of online URL checks: the caller
//! does the I/O.

#![forbid(unsafe_code)]

mod checks;
pub mod config;
pub mod images;
pub mod listing;
pub mod names;
pub mod privacy;
pub mod profile;
pub mod sarif;

use std::collections::HashMap;

use bylaw_rulebook::Rulebook;
use bylaw_textguard::Engine;
use serde::Serialize;

pub use config::{Config, Level as ConfigLevel};
pub use listing::{Level, Listing, Platform};
pub use profile::Profiles;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// For information (an older figure, a recommendation).
    Info,
    /// Likely to be questioned; fix if you can.
    Warning,
    /// Will be rejected.
    Error,
}

/// One problem, tied to its clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Severity (after the config).
    pub severity: Severity,
    /// Listing field (`name`, `previews.desktop[2]`, `company.logo`…).
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// What is wrong, in English.
    pub message_en: String,
    /// The offending value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Offending span in the field's text (Unicode scalar offsets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
    /// How to fix it, in Chinese.
    pub remediation: String,
}

/// pass (no findings above info), warn (warnings only), fail (errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing to fix.
    Pass,
    /// Warnings only.
    Warn,
    /// At least one error.
    Fail,
}

/// The result of a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Overall verdict.
    pub verdict: Verdict,
    /// Platform reviewed for.
    pub platform: Platform,
    /// Meeting level, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Rulebook version.
    pub rulebook_version: String,
    /// Every finding, by field then rule.
    pub findings: Vec<Finding>,
}

/// The result of fetching a URL (`--online`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlCheck {
    /// Final HTTP status after redirects.
    Status(u16),
    /// Could not connect, timed out, …
    Failed(String),
}

/// Everything a review looks at, read by the caller.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The listing.
    pub listing: Listing,
    /// Image bytes by the path written in the listing (or the read error).
    pub images: HashMap<String, Result<Vec<u8>, String>>,
    /// Privacy-policy text (inline or from its file).
    pub policy_text: Option<String>,
    /// Names of existing listings to compare with.
    pub catalog: Vec<String>,
    /// Online check results by URL (empty without `--online`).
    pub online: HashMap<String, UrlCheck>,
}

/// Why a reviewer could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A data file is malformed or cites an unknown rule.
    #[error("{file}: {message}")]
    Data {
        /// Which file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// What a review checks a listing against besides the rulebook and the
/// content engine: the listing profiles and the privacy-policy patterns,
/// parsed, validated against one rulebook and compiled. Building them is
/// most of [`Reviewer::new`]; a long-lived caller (a server) builds them
/// once per rulebook and lends them to a cheap [`Reviewer::with_norms`]
/// per request.
#[derive(Debug, Clone)]
pub struct Norms {
    rulebook_version: String,
    profiles: Profiles,
    privacy: privacy::PrivacyData,
}

impl Norms {
    /// The shipped profiles and privacy patterns, checked against `rulebook`.
    pub fn embedded(rulebook: &Rulebook) -> Result<Norms, SetupError> {
        let profiles = Profiles::embedded(rulebook)?;
        let privacy = privacy::load(privacy::DATA).map_err(|message| SetupError::Data {
            file: "privacy.toml".into(),
            message,
        })?;
        for item in privacy.items() {
            if rulebook.rule(&item.rule).is_none() {
                return Err(SetupError::Data {
                    file: "privacy.toml".into(),
                    message: format!("unknown rule `{}`", item.rule),
                });
            }
        }
        Ok(Norms {
            rulebook_version: rulebook.version().to_string(),
            profiles,
            privacy,
        })
    }

    /// The version of the rulebook these norms were checked against.
    pub fn rulebook_version(&self) -> &str {
        &self.rulebook_version
    }
}

/// A reviewer: the rulebook, the content engine, the norms and the config.
pub struct Reviewer<'a> {
    rulebook: &'a Rulebook,
    guard: &'a Engine,
    norms: std::borrow::Cow<'a, Norms>,
    config: Config,
}

impl<'a> Reviewer<'a> {
    /// A reviewer with the shipped profiles and privacy patterns.
    pub fn new(
        rulebook: &'a Rulebook,
        guard: &'a Engine,
        config: Config,
    ) -> Result<Self, SetupError> {
        let norms = Norms::embedded(rulebook)?;
        Self::build(rulebook, guard, std::borrow::Cow::Owned(norms), config)
    }

    /// A reviewer over norms built earlier for the same rulebook (an
    /// error names the two versions when they differ); costs only the
    /// config's validation.
    pub fn with_norms(
        rulebook: &'a Rulebook,
        guard: &'a Engine,
        norms: &'a Norms,
        config: Config,
    ) -> Result<Self, SetupError> {
        if norms.rulebook_version != rulebook.version() {
            return Err(SetupError::Data {
                file: "norms".into(),
                message: format!(
                    "built for rulebook {}, not {}",
                    norms.rulebook_version,
                    rulebook.version()
                ),
            });
        }
        Self::build(rulebook, guard, std::borrow::Cow::Borrowed(norms), config)
    }

    fn build(
        rulebook: &'a Rulebook,
        guard: &'a Engine,
        norms: std::borrow::Cow<'a, Norms>,
        config: Config,
    ) -> Result<Self, SetupError> {
        config
            .validate(rulebook)
            .map_err(|message| SetupError::Data {
                file: "config".into(),
                message,
            })?;
        Ok(Reviewer {
            rulebook,
            guard,
            norms,
            config,
        })
    }

    /// Reviews a submission.
    pub fn review(&self, sub: &Submission) -> Report {
        let mut ctx = checks::Ctx {
            rb: self.rulebook,
            guard: self.guard,
            profiles: &self.norms.profiles,
            privacy: &self.norms.privacy,
            sub,
            findings: Vec::new(),
            images: HashMap::new(),
        };
        checks::run(&mut ctx);
        let mut findings: Vec<Finding> = ctx
            .findings
            .into_iter()
            .filter_map(|mut f| {
                let level = self.config.level_of(&f.rule)?;
                if let Some(s) = level {
                    f.severity = s;
                }
                Some(f)
            })
            .collect();
        findings.sort_by(|a, b| {
            (
                field_order(&a.field),
                &a.field,
                std::cmp::Reverse(a.severity),
                &a.rule,
            )
                .cmp(&(
                    field_order(&b.field),
                    &b.field,
                    std::cmp::Reverse(b.severity),
                    &b.rule,
                ))
        });
        findings.dedup_by(|a, b| a.rule == b.rule && a.field == b.field && a.message == b.message);
        let verdict = if findings.iter().any(|f| f.severity == Severity::Error) {
            Verdict::Fail
        } else if findings.iter().any(|f| f.severity == Severity::Warning) {
            Verdict::Warn
        } else {
            Verdict::Pass
        };
        Report {
            verdict,
            platform: sub.listing.platform,
            level: sub.listing.level,
            rulebook_version: self.rulebook.version().to_string(),
            findings,
        }
    }
}

/// Fields in the order a listing form shows them.
fn field_order(field: &str) -> usize {
    const ORDER: [&str; 17] = [
        "platform",
        "name",
        "logo",
        "category",
        "intro",
        "description",
        "keywords",
        "previews",
        "version",
        "release_notes",
        "privacy_url",
        "terms_url",
        "privacy_policy",
        "company",
        "features",
        "businesses",
        "qualifications",
    ];
    ORDER
        .iter()
        .position(|f| {
            field == *f
                || field.starts_with(&format!("{f}."))
                || field.starts_with(&format!("{f}["))
        })
        .unwrap_or(ORDER.len())
}
