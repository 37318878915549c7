//! In-process timing of `bylaw review` for `bench/review/` (see its README).
//!
//! ```text
//! cargo run --release -p bylaw-review --example review-bench -- \
//!     [--listing examples/meeting-search/listing.json] [--runs 20] [--secs 2] [--json]
//! ```
//!
//! Loads the rulebook and builds the textguard engine once, then
//!
//! 1. reviews the image-heavy listing `--runs` times and prints the median
//!    milliseconds, once with the files read on every run (what the CLI does
//!    after start-up) and once with the bytes already in memory (decoding,
//!    hashing and QR scanning included: a review decodes its images afresh);
//! 2. reviews text-only listings (the text fields of the examples, images
//!    removed) in a loop for `--secs` seconds on this one thread and prints
//!    listings per second: the review alone, with JSON parsing of the listing,
//!    and with the privacy-policy text checked too.
//!
//! Targets: ≤ 150 ms per image-heavy listing; ≥ 5,000 text-only listings/s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bylaw_review::{Config, Listing, Reviewer, Severity, Submission};
use bylaw_rulebook::Rulebook;
use bylaw_textguard::Engine;

const TARGET_MS: f64 = 150.0;
const TARGET_PER_S: f64 = 5000.0;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Reads a listing and everything it names, as the CLI does.
fn load(path: &Path) -> Result<Submission, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let listing = Listing::parse(&path.display().to_string(), &text)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut images = HashMap::new();
    for (_, p) in listing.image_paths() {
        images.insert(
            p.clone(),
            std::fs::read(base.join(&p)).map_err(|e| e.to_string()),
        );
    }
    let policy_text = match (&listing.privacy_policy, &listing.privacy_policy_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(f)) => {
            Some(std::fs::read_to_string(base.join(f)).map_err(|e| format!("{f}: {e}"))?)
        }
        _ => None,
    };
    Ok(Submission {
        listing,
        images,
        policy_text,
        catalog: Vec::new(),
        online: HashMap::new(),
    })
}

/// The same listing without images (and, unless `policy`, without its policy text).
fn text_only(sub: &Submission, policy: bool) -> Submission {
    let mut listing = sub.listing.clone();
    listing.logo = None;
    listing.previews = Default::default();
    listing.company.logo = None;
    if !policy {
        listing.privacy_policy = None;
        listing.privacy_policy_file = None;
    }
    Submission {
        listing,
        images: HashMap::new(),
        policy_text: if policy {
            sub.policy_text.clone()
        } else {
            None
        },
        catalog: Vec::new(),
        online: HashMap::new(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs `f` round-robin over `items` for `secs` seconds; returns calls per second.
fn throughput<T>(items: &[T], secs: f64, mut f: impl FnMut(&T) -> usize) -> (f64, usize) {
    let budget = Duration::from_secs_f64(secs);
    let t0 = Instant::now();
    let mut n = 0usize;
    let mut sink = 0usize;
    while t0.elapsed() < budget {
        // Check the clock every 64 calls, not on every one.
        for _ in 0..64 {
            sink = sink.wrapping_add(f(&items[n % items.len()]));
            n += 1;
        }
    }
    std::hint::black_box(sink);
    (n as f64 / t0.elapsed().as_secs_f64(), n)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let root = workspace_root();
    let listing_path = arg(&args, "--listing")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("examples/meeting-search/listing.json"));
    let runs: usize = arg(&args, "--runs").map_or(Ok(20), |s| s.parse())?;
    let secs: f64 = arg(&args, "--secs").map_or(Ok(2.0), |s| s.parse())?;
    let json = args.iter().any(|a| a == "--json");

    let t0 = Instant::now();
    let rulebook = Rulebook::embedded().map_err(|e| format!("rulebook: {e:?}"))?;
    let (engine, _) = Engine::build(&bylaw_textguard::starter_sources(), &rulebook)?;
    let reviewer = Reviewer::new(&rulebook, &engine, Config::default())?;
    let setup_ms = t0.elapsed().as_secs_f64() * 1e3;

    // (a) the image-heavy listing.
    let sub = load(&listing_path)?;
    let n_images = sub.listing.image_paths().len();
    let image_bytes: usize = sub
        .images
        .values()
        .map(|r| r.as_ref().map_or(0, Vec::len))
        .sum();
    let first = reviewer.review(&sub);
    let errors = first
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let mut with_io = Vec::with_capacity(runs);
    let mut in_memory = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let s = load(&listing_path)?;
        std::hint::black_box(reviewer.review(&s));
        with_io.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        std::hint::black_box(reviewer.review(&sub));
        in_memory.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let heavy_ms = median(with_io);
    let heavy_mem_ms = median(in_memory);

    // Where the image time goes: `images::inspect` (decode, QR scan, hash) per image.
    let mut per_image: Vec<(String, f64)> = Vec::new();
    for (field, path) in sub.listing.image_paths() {
        if let Some(Ok(bytes)) = sub.images.get(&path) {
            let mut t = Vec::with_capacity(runs);
            for _ in 0..runs.max(1) {
                let t0 = Instant::now();
                let _ = std::hint::black_box(bylaw_review::images::inspect(bytes));
                t.push(t0.elapsed().as_secs_f64() * 1e3);
            }
            per_image.push((field, median(t)));
        }
    }
    let inspect_ms: f64 = per_image.iter().map(|(_, t)| t).sum();

    // (b) text-only listings: the text of every example, images removed.
    let examples = root.join("examples");
    let mut texts: Vec<(Submission, String)> = Vec::new();
    for dir in [
        "meeting-listing/listing.toml",
        "meeting-search/listing.json",
        "meeting-showcase/listing.toml",
        "miniprogram/listing.toml",
        "wecom-isv/listing.json",
        "meeting-bad/listing.toml",
    ] {
        let p = examples.join(dir);
        if let Ok(s) = load(&p) {
            let t = text_only(&s, false);
            let as_json = serde_json::to_string(&t.listing)?;
            texts.push((t, as_json));
        }
    }
    if texts.is_empty() {
        texts.push((text_only(&sub, false), serde_json::to_string(&sub.listing)?));
    }
    let subs: Vec<Submission> = texts.iter().map(|(s, _)| s.clone()).collect();
    let (per_s, n_text) = throughput(&subs, secs, |s| reviewer.review(s).findings.len());
    let (per_s_parse, _) = throughput(&texts, secs, |(_, j)| {
        let listing = Listing::parse("listing.json", j).expect("listing");
        let s = Submission {
            listing,
            images: HashMap::new(),
            policy_text: None,
            catalog: Vec::new(),
            online: HashMap::new(),
        };
        reviewer.review(&s).findings.len()
    });
    let with_policy: Vec<Submission> = [
        "meeting-listing/listing.toml",
        "meeting-search/listing.json",
        "meeting-showcase/listing.toml",
    ]
    .iter()
    .filter_map(|p| load(&examples.join(p)).ok())
    .map(|s| text_only(&s, true))
    .collect();
    let per_s_policy = if with_policy.is_empty() {
        None
    } else {
        Some(throughput(&with_policy, secs, |s| reviewer.review(s).findings.len()).0)
    };

    if json {
        println!(
            "{}",
            serde_json::json!({
                "setup_ms": setup_ms,
                "listing": listing_path.display().to_string(),
                "images": n_images,
                "image_bytes": image_bytes,
                "errors": errors,
                "runs": runs,
                "heavy_median_ms": heavy_ms,
                "heavy_in_memory_median_ms": heavy_mem_ms,
                "inspect_ms_total": inspect_ms,
                "inspect_ms": per_image.iter().map(|(f, t)| (f.clone(), *t)).collect::<std::collections::BTreeMap<_, _>>(),
                "target_ms": TARGET_MS,
                "text_listings_per_s": per_s,
                "text_listings_per_s_with_parse": per_s_parse,
                "text_listings_per_s_with_policy": per_s_policy,
                "text_reviews": n_text,
                "target_per_s": TARGET_PER_S,
            })
        );
        return Ok(());
    }
    let ok = |b: bool| if b { "ok" } else { "MISSED" };
    println!("rulebook + textguard engine, built once: {setup_ms:.0} ms");
    println!(
        "(a) image-heavy listing {} ({n_images} images, {:.0} KB, {errors} errors):",
        listing_path
            .strip_prefix(&root)
            .unwrap_or(&listing_path)
            .display(),
        image_bytes as f64 / 1024.0
    );
    println!(
        "    median {heavy_ms:.2} ms per review with file reads, {heavy_mem_ms:.2} ms from memory, over {runs} runs \
         (target ≤ {TARGET_MS:.0} ms: {})",
        ok(heavy_ms <= TARGET_MS)
    );
    let slowest = per_image
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, t)| format!(", slowest {f} {t:.2} ms"))
        .unwrap_or_default();
    println!(
        "    of which images::inspect (decode, QR scan, hash): {inspect_ms:.2} ms for {} images{slowest}",
        per_image.len()
    );
    println!(
        "(b) text-only listings on one thread: {per_s:.0}/s ({n_text} reviews of {} listings in {secs} s) \
         (target ≥ {TARGET_PER_S:.0}/s: {})",
        subs.len(),
        ok(per_s >= TARGET_PER_S)
    );
    println!("    with JSON parsing of each listing: {per_s_parse:.0}/s");
    if let Some(p) = per_s_policy {
        println!("    with the privacy-policy text checked too (Meeting examples): {p:.0}/s");
    }
    Ok(())
}
