//! `bylaw review`: precheck a listing file.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use bylaw_review::{Config, Listing, Report, Reviewer, Severity, Submission, UrlCheck};
use bylaw_rulebook::Rulebook;
use clap::{Args, ValueEnum};

/// Output formats of `bylaw review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings grouped by field.
    Text,
    /// `{verdict, rulebook_version, findings}`.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Arguments of `bylaw review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The listing file (JSON or TOML; see docs/LISTING.md).
    pub file: PathBuf,
    /// Override the listing's platform: meeting, miniprogram, wecom-isv.
    #[arg(long)]
    pub platform: Option<String>,
    /// Override the Meeting level: listing, search, showcase.
    #[arg(long)]
    pub level: Option<String>,
    /// Existing listings to compare names with (one name per line, or a JSON array).
    #[arg(long, value_name = "F")]
    pub catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Per-rule levels (default: bylaw.toml beside the listing, if any).
    #[arg(long, value_name = "F")]
    pub config: Option<PathBuf>,
    /// Also check that the privacy, terms and website URLs answer 200.
    #[arg(long)]
    pub online: bool,
    /// Timeout of each online check, in seconds.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

/// An error that makes the input unusable (exit code 2).
#[derive(Debug)]
pub struct Unusable(pub String);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

fn unusable(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Unusable(msg.into()))
}

fn read_catalog(path: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| unusable(format!("{}: {e}", path.display())))?;
    if text.trim_start().starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| unusable(format!("{}: {e}", path.display())))?;
        let names = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .or_else(|| x.get("name").and_then(|n| n.as_str()).map(str::to_string))
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok(names);
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

fn check_url(url: &str, timeout: Duration) -> UrlCheck {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .build()
        .into();
    match agent.get(url).call() {
        Ok(resp) => UrlCheck::Status(resp.status().as_u16()),
        Err(e) => UrlCheck::Failed(e.to_string()),
    }
}

/// Reads everything the review needs and runs it; returns the exit code.
pub fn run(a: ReviewArgs, rb: &Rulebook) -> Result<u8> {
    let text =
        std::fs::read(&a.file).map_err(|e| unusable(format!("{}: {e}", a.file.display())))?;
    let text = String::from_utf8(text)
        .map_err(|_| unusable(format!("{}: 无效的 UTF-8 invalid UTF-8", a.file.display())))?;
    let name = a.file.display().to_string();
    let mut listing = Listing::parse(&name, &text)
        .map_err(|e| unusable(format!("清单无法解析 listing unusable: {e}")))?;
    if let Some(p) = &a.platform {
        listing.platform =
            serde_json::from_value(serde_json::Value::String(p.clone())).map_err(|_| {
                unusable(format!(
                    "--platform: unknown platform `{p}` (meeting, miniprogram, wecom-isv)"
                ))
            })?;
    }
    if let Some(l) = &a.level {
        listing.level = Some(
            serde_json::from_value(serde_json::Value::String(l.clone())).map_err(|_| {
                unusable(format!(
                    "--level: unknown level `{l}` (listing, search, showcase)"
                ))
            })?,
        );
    }
    let base = a.file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut images = HashMap::new();
    for (_, p) in listing.image_paths() {
        let bytes = std::fs::read(base.join(&p)).map_err(|e| e.to_string());
        images.insert(p, bytes);
    }
    let policy_text = match (&listing.privacy_policy, &listing.privacy_policy_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(f)) => Some(
            std::fs::read_to_string(base.join(f))
                .map_err(|e| unusable(format!("privacy_policy_file {f}: {e}")))?,
        ),
        _ => None,
    };
    let catalog = match &a.catalog {
        Some(p) => read_catalog(p)?,
        None => Vec::new(),
    };
    let config_path = a.config.clone().or_else(|| {
        let p = base.join("bylaw.toml");
        p.is_file().then_some(p)
    });
    let config = match &config_path {
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .map_err(|e| unusable(format!("{}: {e}", p.display())))?;
            Config::parse(&t).map_err(|e| unusable(format!("{}: {e}", p.display())))?
        }
        None => Config::default(),
    };
    let mut online = HashMap::new();
    if a.online {
        let urls = [
            &listing.privacy_url,
            &listing.terms_url,
            &listing.company.website,
        ];
        for u in urls.into_iter().flatten() {
            online
                .entry(u.clone())
                .or_insert_with(|| check_url(u, Duration::from_secs(a.timeout)));
        }
    }
    let sources = bylaw_textguard::starter_sources();
    let dir = bylaw_textguard::cache::default_dir();
    let (guard, _, _) = bylaw_textguard::Engine::build_cached(&sources, rb, &dir)?;
    let reviewer = Reviewer::new(rb, &guard, config).map_err(|e| unusable(e.to_string()))?;
    let sub = Submission {
        listing,
        images,
        policy_text,
        catalog,
        online,
    };
    let report = reviewer.review(&sub);
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match a.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Sarif => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&bylaw_review::sarif::to_sarif(&report, rb, &name))?
        )?,
        Format::Text => print_text(&mut out, &report, &name, color)?,
    }
    out.flush()?;
    Ok(u8::from(
        report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error),
    ))
}

fn print_text(out: &mut impl Write, report: &Report, name: &str, color: bool) -> Result<()> {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let level = report
        .level
        .map(|l| {
            format!(
                " / {}",
                serde_json::to_value(l)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let platform = serde_json::to_value(report.platform)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    writeln!(
        out,
        "{name} — {platform}{level}: {} 个错误 errors, {} 个警告 warnings, {} 条提示 notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )?;
    let mut last = String::new();
    for f in &report.findings {
        let group = f
            .field
            .split(['[', '.'])
            .next()
            .unwrap_or(&f.field)
            .to_string();
        if group != last {
            writeln!(out, "\n{group}")?;
            last = group;
        }
        let (mark, label) = match f.severity {
            Severity::Error => ("✗", "错误 error"),
            Severity::Warning => ("!", "警告 warning"),
            Severity::Info => ("i", "提示 note"),
        };
        let (on, off) = if color {
            match f.severity {
                Severity::Error => ("\x1b[31m", "\x1b[0m"),
                Severity::Warning => ("\x1b[33m", "\x1b[0m"),
                Severity::Info => ("\x1b[36m", "\x1b[0m"),
            }
        } else {
            ("", "")
        };
        writeln!(
            out,
            "  {on}{mark} {label}{off} [{}] {}: {}",
            f.rule, f.field, f.message
        )?;
        if let Some(v) = &f.value {
            let shown: String = v
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(80)
                .collect();
            writeln!(
                out,
                "      值 value: {shown}{}",
                if v.chars().count() > 80 { "…" } else { "" }
            )?;
        }
        writeln!(out, "      改进 fix: {}", f.remediation)?;
    }
    if report.findings.is_empty() {
        writeln!(out, "\n通过 all checks passed")?;
    }
    Ok(())
}

/// Whether an error means unusable input (exit code 2).
pub fn is_unusable(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Unusable>().is_some()
}

/// Builds the JSON report of `bylaw review` for an in-memory listing (tests).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_formats() {
        let d = std::env::temp_dir().join(format!("bylaw-cat-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let a = d.join("a.txt");
        std::fs::write(&a, "# names\n会议纪要助手\n\n日程小帮手\n").unwrap();
        assert_eq!(read_catalog(&a).unwrap(), ["会议纪要助手", "日程小帮手"]);
        let b = d.join("b.json");
        std::fs::write(&b, r#"["甲", {"name": "乙"}]"#).unwrap();
        assert_eq!(read_catalog(&b).unwrap(), ["甲", "乙"]);
        std::fs::remove_dir_all(&d).ok();
    }
}
