//! `bylaw`: the command line of the bylaw rulebook engine.

mod books;
mod enforce;
mod render;
mod review;
mod scan;
mod serve;
mod tenant;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bylaw_rulebook::coverage;
use bylaw_rulebook::seeds::{self, Seeds};
use bylaw_rulebook::{Kind, LoadError, Problem, Rulebook};
use clap::{Parser, Subcommand};

/// mimalloc: the enforcement projections hold millions of small records,
/// and it allocates and frees them faster than the system allocator (see
/// bench/enforce).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// bylaw makes platform rulebooks executable: every clause of the WeCom,
/// WeChat mini-program and Tencent Meeting rules as data, with stable ids,
/// verbatim quotes, typed thresholds and sanction ladders.
#[derive(Debug, Parser)]
#[command(name = "bylaw", version, about, long_about = None)]
struct Cli {
    /// Directory of rulebook files that replace the embedded ones of the same name.
    #[arg(long, global = true, value_name = "DIR", env = "BYLAW_RULEBOOKS")]
    rulebooks: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Browse, search and validate the rulebook (规则库).
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Judge texts for forbidden content (内容安全): pass, review or block, with
    /// every hit mapped to its rule and to its span in the original text.
    ///
    /// Resists full-width, traditional characters, homophones, inserted
    /// symbols, look-alikes and split characters; detects phone numbers,
    /// WeChat/QQ ids, links, e-mail, ID and bank card numbers.
    Scan(scan::ScanArgs),
    /// Precheck an app or mini-program listing against every norm (上架预审),
    /// reporting every problem at once, each tied to its clause.
    ///
    /// Exit code 0: no errors; 1: errors found; 2: unusable input.
    Review(review::ReviewArgs),
    /// Enforcement (处罚): violations, decisions from the rulebook's ladders,
    /// rectification, appeals, withdrawal, time, and `can` queries, on a
    /// durable append-only event log (--db, SQLite).
    Enforce(enforce::EnforceArgs),
    /// Tenant administration (企业权限): directory, creator / super admins /
    /// scoped admins, delegation, and checks that explain themselves, over a
    /// tenant file (--file) or the database (--db).
    ///
    /// Exit code 0: allowed / done; 1: denied / refused; 2: unusable input.
    Tenant(tenant::TenantArgs),
    /// Serve everything over HTTP under /v1 (JSON, API keys, OpenAPI at
    /// /v1/openapi.json, docs at /v1/docs, metrics at /metrics), on SQLite
    /// by default or PostgreSQL.
    Serve(serve::ServeArgs),
    /// API keys of the server: add (prints the token once), list, revoke.
    Keys(serve::KeysArgs),
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// List rules, optionally of one book or kind.
    List {
        /// Only this book (e.g. miniprogram, meeting-compliance).
        #[arg(long)]
        book: Option<String>,
        /// Only this kind (content, behaviour, listing, qualification, privacy, …).
        #[arg(long)]
        kind: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one rule or penalty branch: quote, thresholds, lists, formulas and ladder.
    Show {
        /// Rule id, e.g. miniprogram/5.7 or miniprogram/5.7.penalty.1.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Search rules by Chinese or English text (every term must match).
    Search {
        /// Search terms.
        #[arg(required = true)]
        text: Vec<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a rulebook directory (default: the embedded rulebook); exit 1 on any problem.
    ///
    /// Reports every problem with file, line and field: syntax, types, ids,
    /// references, catalogue entries, and — when the seeds are found — quotes
    /// that are not verbatim and numbered clauses with neither rule nor exclusion.
    Check {
        /// Directory whose *.toml files replace the embedded ones.
        dir: Option<PathBuf>,
        /// Seed directory (default: $BYLAW_SEEDS or shared/seeds beside the repository).
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Count rules per book and per kind.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List numbered clauses of the seeds that are neither a rule nor an exclusion.
    Coverage {
        /// Only this book.
        #[arg(long)]
        book: Option<String>,
        /// Seed directory (default: $BYLAW_SEEDS or shared/seeds beside the repository).
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
        /// Print every extracted clause, covered or not.
        #[arg(long)]
        all: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load(dir: Option<&Path>) -> Result<Rulebook, LoadError> {
    match dir {
        Some(d) => Rulebook::load_dir(d),
        None => Rulebook::embedded(),
    }
}

fn load_or_report(dir: Option<&Path>) -> Result<Rulebook> {
    load(dir).map_err(|e| anyhow::anyhow!("{e}"))
}

fn find_seeds(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| Seeds::locate(&std::env::current_dir().ok()?))
        .or_else(|| Seeds::locate(Path::new(env!("CARGO_MANIFEST_DIR"))))
}

fn run(cli: Cli) -> Result<ExitCode> {
    let over = cli.rulebooks.as_deref();
    let cmd = match cli.command {
        Command::Rules(cmd) => cmd,
        Command::Scan(args) => {
            let rb = load_or_report(over)?;
            return Ok(ExitCode::from(scan::run(args, &rb)?));
        }
        Command::Enforce(args) => {
            let rb = load_or_report(over)?;
            return Ok(ExitCode::from(enforce::run(args, &rb)?));
        }
        Command::Serve(args) => {
            serve::serve(args, over.map(Path::to_path_buf))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Keys(args) => {
            serve::keys(args)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Tenant(args) => {
            let rb = load_or_report(over)?;
            return match tenant::run(args, &rb) {
                Ok(code) => Ok(ExitCode::from(code)),
                Err(e) => {
                    eprintln!("错误 error: {e:#}");
                    Ok(ExitCode::from(2))
                }
            };
        }
        Command::Review(args) => {
            let rb = load_or_report(over)?;
            return match review::run(args, &rb) {
                Ok(code) => Ok(ExitCode::from(code)),
                Err(e) if review::is_unusable(&e) => {
                    eprintln!("错误 error: {e:#}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e),
            };
        }
    };
    match cmd {
        RulesCommand::List { book, kind, json } => {
            let rb = load_or_report(over)?;
            if let Some(b) = &book {
                if rb.book(b).is_none() {
                    bail!(
                        "没有这个规则册 no such book `{b}`; books: {}",
                        book_keys(&rb)
                    );
                }
            }
            let kind = match kind.as_deref() {
                Some(k) => Some(Kind::parse(k).with_context(|| {
                    let all: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    format!("没有这个类型 no such kind `{k}`; kinds: {}", all.join(", "))
                })?),
                None => None,
            };
            let rules: Vec<_> = rb
                .rules()
                .iter()
                .filter(|r| book.as_ref().is_none_or(|b| &r.book == b))
                .filter(|r| kind.is_none_or(|k| r.kind == k))
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rules)?);
            } else {
                for r in &rules {
                    println!("{:<44} {:<13} {}", r.id, r.kind.as_str(), r.title);
                }
                eprintln!("{} 条规则 rules", rules.len());
            }
        }
        RulesCommand::Show { id, json } => {
            let rb = load_or_report(over)?;
            let Some(found) = rb.resolve(&id) else {
                let hint = rb
                    .search(id.rsplit('/').next().unwrap_or(&id))
                    .into_iter()
                    .take(5)
                    .map(|h| h.rule.id.clone())
                    .collect::<Vec<_>>();
                bail!(
                    "没有这条规则 no rule `{id}`{}",
                    if hint.is_empty() {
                        String::new()
                    } else {
                        format!("; similar: {}", hint.join(", "))
                    }
                );
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&render::show_json(&rb, found))?
                );
            } else {
                print!("{}", render::show_text(&rb, found));
            }
        }
        RulesCommand::Search { text, limit, json } => {
            let rb = load_or_report(over)?;
            let hits = rb.search(&text.join(" "));
            let hits: Vec<_> = hits.into_iter().take(limit).collect();
            if json {
                let v: Vec<_> = hits.iter().map(|h| h.rule).collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for h in &hits {
                    println!("{:<44} {}  — {}", h.rule.id, h.rule.title, h.rule.summary);
                }
                eprintln!("{} 条结果 results", hits.len());
            }
        }
        RulesCommand::Check { dir, seeds, json } => {
            let dir = dir.as_deref().or(over);
            return check(dir, seeds.as_deref(), json);
        }
        RulesCommand::Stats { json } => {
            let rb = load_or_report(over)?;
            let s = rb.stats();
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print!("{}", render::stats_text(&rb, &s));
            }
        }
        RulesCommand::Coverage { book, seeds, all } => {
            let rb = load_or_report(over)?;
            let dir = find_seeds(seeds.as_deref())
                .context("找不到种子文档 seeds not found: pass --seeds DIR or set BYLAW_SEEDS")?;
            let s = Seeds::load(&dir)?;
            if all {
                for b in rb.books() {
                    if book.as_ref().is_some_and(|k| k != &b.header.key) {
                        continue;
                    }
                    if let Some(seed) = s.get(&b.header.seed) {
                        for c in coverage::extract(&b.header, &seed.text) {
                            println!("{}/{}\tline {}\t{}", c.book, c.clause, c.line, c.text);
                        }
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let cov = coverage::check(&rb, &s);
            let missing: Vec<_> = cov
                .missing
                .iter()
                .filter(|c| book.as_ref().is_none_or(|k| &c.book == k))
                .collect();
            for c in &missing {
                println!(
                    "{}/{}\t{}:{}\t{}",
                    c.book,
                    c.clause,
                    seed_of(&rb, &c.book),
                    c.line,
                    c.text
                );
            }
            eprintln!(
                "{} 个编号条款, {} 个未覆盖 numbered clauses, {} not covered",
                cov.clauses,
                missing.len(),
                missing.len()
            );
            if !missing.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn seed_of(rb: &Rulebook, book: &str) -> String {
    rb.book(book)
        .map(|b| b.header.seed.clone())
        .unwrap_or_default()
}

fn book_keys(rb: &Rulebook) -> String {
    rb.books()
        .iter()
        .map(|b| b.header.key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check(dir: Option<&Path>, seeds_dir: Option<&Path>, json: bool) -> Result<ExitCode> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut notes = Vec::new();
    match load(dir) {
        Err(LoadError::Invalid(p)) => problems = p,
        Err(e) => return Err(e.into()),
        Ok(rb) => match find_seeds(seeds_dir) {
            Some(sd) => {
                let s = Seeds::load(&sd)?;
                problems.extend(seeds::verify_quotes(&rb, &s));
                let cov = coverage::check(&rb, &s);
                for c in cov.missing {
                    let file = rb
                        .book(&c.book)
                        .map(|b| b.file.clone())
                        .unwrap_or_default();
                    problems.push(Problem {
                        file,
                        line: None,
                        column: None,
                        rule: Some(format!("{}/{}", c.book, c.clause)),
                        field: None,
                        message: format!(
                            "numbered clause at {}:{} (“{}”) is neither a rule nor an [[exclude]]",
                            seed_of(&rb, &c.book),
                            c.line,
                            c.text
                        ),
                    });
                }
                for (book, clause) in &cov.unmatched_exclusions {
                    notes.push(format!(
                        "exclusion {book}/{clause} matches no numbered clause of the seed (a typo?)"
                    ));
                }
                for k in cov.missing_seeds {
                    notes.push(format!("book {k}: its seed file was not found"));
                }
                notes.push(format!(
                    "{} rules checked against the seeds in {}",
                    rb.rules().len(),
                    sd.display()
                ));
            }
            None => notes.push(
                "seeds not found (pass --seeds DIR or set BYLAW_SEEDS): quotes and coverage not checked"
                    .into(),
            ),
        },
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "ok": problems.is_empty(), "problems": problems, "notes": notes })
            )?
        );
    } else {
        for p in &problems {
            println!("{p}");
        }
        for n in &notes {
            eprintln!("note: {n}");
        }
        if problems.is_empty() {
            eprintln!("规则库有效 rulebook OK");
        } else {
            eprintln!("{} 个问题 problem(s)", problems.len());
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
