//! `bylaw scan`: judge texts with textguard.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use bylaw_rulebook::Rulebook;
use bylaw_textguard::{Decision, Engine, Scene, Sources, Verdict};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};

/// Output formats of `bylaw scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Verdict and the text with its hits highlighted.
    Text,
    /// One JSON object per text.
    Json,
    /// The WeChat msgSecCheck v2 response shape.
    Wechat,
}

/// Arguments of `bylaw scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Texts to scan (each argument is one text).
    pub texts: Vec<String>,
    /// Scan the whole file as one text (`-` for standard input); repeatable.
    #[arg(long = "file", value_name = "F")]
    pub files: Vec<PathBuf>,
    /// Scan a JSONL batch: each line a JSON string or {"text": …, "scene"?: …, "id"?: …}.
    #[arg(long, value_name = "F")]
    pub jsonl: Option<PathBuf>,
    /// Where the text is shown: profile, comment, forum, social, chat, listing, search.
    #[arg(long, default_value = "chat")]
    pub scene: String,
    /// Extra lexicon files (TSV, see docs/TEXTGUARD.md); repeatable.
    #[arg(long = "lexicon", value_name = "F")]
    pub lexicons: Vec<PathBuf>,
    /// Extra allowlist files (one term per line); repeatable.
    #[arg(long = "allow", value_name = "F")]
    pub allow: Vec<PathBuf>,
    /// Do not load the starter lexicons shipped with bylaw (keeps tables and policy).
    #[arg(long)]
    pub no_starter: bool,
    /// Scene policy file replacing the shipped lexicons/policy.toml.
    #[arg(long, value_name = "F")]
    pub policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Directory of compiled-lexicon caches (default: $BYLAW_CACHE or ~/.cache/bylaw).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Build the lexicon without reading or writing a cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Worker threads for --jsonl (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

fn read_utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        anyhow::anyhow!("{}:{line}: 无效的 UTF-8 invalid UTF-8", path.display())
    })
}

fn build_engine(a: &ScanArgs, rb: &Rulebook) -> Result<Engine> {
    let mut sources: Sources = bylaw_textguard::starter_sources();
    if a.no_starter {
        sources.lexicons.clear();
        sources.allow.clear();
    }
    for p in &a.lexicons {
        let text = read_utf8(
            p,
            std::fs::read(p).with_context(|| format!("{}", p.display()))?,
        )?;
        sources.lexicons.push((p.display().to_string(), text));
    }
    for p in &a.allow {
        let text = read_utf8(
            p,
            std::fs::read(p).with_context(|| format!("{}", p.display()))?,
        )?;
        sources.allow.push((p.display().to_string(), text));
    }
    if let Some(p) = &a.policy {
        sources.policy = read_utf8(
            p,
            std::fs::read(p).with_context(|| format!("{}", p.display()))?,
        )?;
    }
    let (engine, errors) = if a.no_cache {
        Engine::build(&sources, rb)?
    } else {
        let dir = a
            .cache
            .clone()
            .unwrap_or_else(bylaw_textguard::cache::default_dir);
        let (e, errs, _) = Engine::build_cached(&sources, rb, &dir)?;
        (e, errs)
    };
    for e in &errors {
        eprintln!("警告 warning: {e}");
    }
    Ok(engine)
}

/// The JSON form of a verdict.
pub fn verdict_json(v: &Verdict) -> Value {
    json!({
        "verdict": v.verdict,
        "score": v.score,
        "scene": v.scene,
        "labels": v.labels,
        "hits": v.hits.iter().map(|h| json!({
            "rule": h.rule,
            "label": h.label,
            "severity": h.severity,
            "start": h.start,
            "end": h.end,
            "text": h.text,
            "term": h.term,
            "source": h.source,
        })).collect::<Vec<_>>(),
        "rulebook_version": v.rulebook_version,
        "lexicon_version": v.lexicon_version,
    })
}

fn highlight(text: &str, v: &Verdict, color: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    for h in &v.hits {
        if h.start < i || h.end > chars.len() {
            continue;
        }
        out.extend(&chars[i..h.start]);
        let seg: String = chars[h.start..h.end].iter().collect();
        if color {
            out.push_str(&format!("\x1b[1;31m{seg}\x1b[0m"));
        } else {
            out.push_str(&format!("【{seg}】"));
        }
        i = h.end;
    }
    out.extend(&chars[i.min(chars.len())..]);
    out
}

fn decision_zh(d: Decision) -> &'static str {
    match d {
        Decision::Pass => "通过 PASS",
        Decision::Review => "复审 REVIEW",
        Decision::Block => "拦截 BLOCK",
    }
}

fn print_one(
    out: &mut impl Write,
    text: &str,
    v: &Verdict,
    format: Format,
    color: bool,
    id: &str,
) -> Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", verdict_json(v))?,
        Format::Wechat => writeln!(out, "{}", bylaw_textguard::wechat::msg_sec_check(v, id))?,
        Format::Text => {
            writeln!(
                out,
                "{} {:.2}  {}",
                decision_zh(v.verdict),
                v.score,
                highlight(text, v, color)
            )?;
            for h in &v.hits {
                writeln!(
                    out,
                    "  [{}..{}) {} → {} {}（{}） {}",
                    h.start,
                    h.end,
                    h.text,
                    h.label,
                    h.label.name_zh(),
                    match h.severity {
                        bylaw_textguard::Severity::Block => "block",
                        bylaw_textguard::Severity::Review => "review",
                    },
                    h.rule.as_deref().unwrap_or("-"),
                )?;
            }
        }
    }
    Ok(())
}

/// Runs `bylaw scan`; returns the process exit code.
pub fn run(a: ScanArgs, rb: &Rulebook) -> Result<u8> {
    let scene: Scene = a
        .scene
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--scene: {e}"))?;
    let engine = build_engine(&a, rb)?;
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut n = 0usize;
    for t in &a.texts {
        n += 1;
        let v = engine.scan(t, scene);
        print_one(&mut out, t, &v, a.format, color, &format!("arg-{n}"))?;
    }
    for f in &a.files {
        let bytes = if f.as_os_str() == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
            b
        } else {
            match std::fs::read(f) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("错误 error: {}: {e}", f.display());
                    failed = true;
                    continue;
                }
            }
        };
        match read_utf8(f, bytes) {
            Ok(text) => {
                let v = engine.scan(&text, scene);
                print_one(
                    &mut out,
                    &text,
                    &v,
                    a.format,
                    color,
                    &f.display().to_string(),
                )?;
            }
            Err(e) => {
                eprintln!("错误 error: {e}");
                failed = true;
            }
        }
    }
    out.flush()?;
    drop(out);
    if let Some(path) = &a.jsonl {
        let format = if a.format == Format::Text {
            Format::Json
        } else {
            a.format
        };
        failed |= batch(&engine, path, scene, format, a.threads)?;
    }
    if a.texts.is_empty() && a.files.is_empty() && a.jsonl.is_none() {
        anyhow::bail!(
            "没有输入 nothing to scan: give TEXT, --file F or --jsonl F (see bylaw scan --help)"
        );
    }
    Ok(u8::from(failed))
}

/// A scanned batch line: line number, output or error, decision.
type Outcome = (usize, Result<Value, String>, Option<Decision>);

/// One record of a JSONL batch, parsed.
enum Record {
    Ok {
        text: String,
        scene: Option<Scene>,
        id: Value,
    },
    Bad(String),
}

fn parse_record(bytes: &[u8]) -> Record {
    let Ok(line) = std::str::from_utf8(bytes) else {
        return Record::Bad("无效的 UTF-8 invalid UTF-8".into());
    };
    match serde_json::from_str::<Value>(line) {
        Ok(Value::String(text)) => Record::Ok {
            text,
            scene: None,
            id: Value::Null,
        },
        Ok(Value::Object(o)) => {
            let Some(text) = o.get("text").and_then(Value::as_str) else {
                return Record::Bad(
                    "字段 text 缺失或不是字符串 field `text` missing or not a string".into(),
                );
            };
            let scene = match o.get("scene").and_then(Value::as_str) {
                Some(s) => match s.parse::<Scene>() {
                    Ok(sc) => Some(sc),
                    Err(e) => return Record::Bad(format!("field `scene`: {e}")),
                },
                None => None,
            };
            Record::Ok {
                text: text.to_string(),
                scene,
                id: o.get("id").cloned().unwrap_or(Value::Null),
            }
        }
        Ok(_) => {
            Record::Bad("每行应为字符串或对象 each line must be a JSON string or object".into())
        }
        Err(e) => Record::Bad(format!("无效的 JSON invalid JSON: {e}")),
    }
}

/// Scans a JSONL file on every core, in input order; returns whether any
/// record was bad.
fn batch(
    engine: &Engine,
    path: &Path,
    scene: Scene,
    format: Format,
    threads: Option<usize>,
) -> Result<bool> {
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for l in std::io::BufReader::new(file).split(b'\n') {
        let mut l = l?;
        if l.last() == Some(&b'\r') {
            l.pop();
        }
        lines.push(l);
    }
    let total = lines.len();
    let bytes: usize = lines.iter().map(Vec::len).sum();
    let workers = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 64);
    let started = Instant::now();
    let done = AtomicUsize::new(0);
    let progress = std::io::stderr().is_terminal();
    let chunk = total.div_ceil(workers).max(1);
    let results: Vec<Vec<Outcome>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                let done = &done;
                s.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    for (k, raw) in part.iter().enumerate() {
                        let lineno = ci * chunk + k + 1;
                        if raw.iter().all(u8::is_ascii_whitespace) {
                            done.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        match parse_record(raw) {
                            Record::Ok {
                                text,
                                scene: sc,
                                id,
                            } => {
                                let v = engine.scan(&text, sc.unwrap_or(scene));
                                let mut j = match format {
                                    Format::Wechat => bylaw_textguard::wechat::msg_sec_check(
                                        &v,
                                        &format!("{}:{lineno}", path.display()),
                                    ),
                                    _ => verdict_json(&v),
                                };
                                if !id.is_null() {
                                    if let Some(o) = j.as_object_mut() {
                                        o.insert("id".into(), id);
                                    }
                                }
                                out.push((lineno, Ok(j), Some(v.verdict)));
                            }
                            Record::Bad(msg) => out.push((lineno, Err(msg), None)),
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    out
                })
            })
            .collect();
        if progress {
            while handles.iter().any(|h| !h.is_finished()) {
                let d = done.load(Ordering::Relaxed);
                eprint!(
                    "\r扫描中 scanning {d}/{total} ({:.0}%)",
                    100.0 * d as f64 / total.max(1) as f64
                );
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprint!("\r\x1b[2K");
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut pass, mut review, mut block, mut bad) = (0, 0, 0, 0);
    for (lineno, r, d) in results.into_iter().flatten() {
        match r {
            Ok(j) => {
                writeln!(out, "{j}")?;
                match d {
                    Some(Decision::Pass) => pass += 1,
                    Some(Decision::Review) => review += 1,
                    Some(Decision::Block) => block += 1,
                    None => {}
                }
            }
            Err(msg) => {
                bad += 1;
                eprintln!("错误 error: {}:{lineno}: {msg}", path.display());
            }
        }
    }
    out.flush()?;
    eprintln!(
        "共 {} 条 items: 通过 pass {pass}, 复审 review {review}, 拦截 block {block}, 错误 bad {bad}; {:.1} 条/秒 items/s, {:.2} MB/s, {workers} 线程 threads",
        pass + review + block + bad,
        (pass + review + block + bad) as f64 / secs.max(1e-9),
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
    Ok(bad > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        assert!(matches!(parse_record(br#""hi""#), Record::Ok { .. }));
        assert!(matches!(
            parse_record(br#"{"text":"hi","scene":"listing","id":7}"#),
            Record::Ok {
                scene: Some(Scene::Listing),
                ..
            }
        ));
        assert!(matches!(parse_record(br#"{"txt":"hi"}"#), Record::Bad(_)));
        assert!(matches!(
            parse_record(br#"{"text":"hi","scene":"moon"}"#),
            Record::Bad(_)
        ));
        assert!(matches!(parse_record(b"\xff\xfe"), Record::Bad(_)));
        assert!(matches!(parse_record(b"[1]"), Record::Bad(_)));
    }
}
