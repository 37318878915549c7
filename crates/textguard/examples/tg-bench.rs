//! Throughput harness for `bench/textguard/`: builds an engine from a
//! lexicon, scans a corpus, prints one JSON line.
//!
//! ```text
//! tg-bench --lexicon data/lex-10k.tsv --corpus data/corpus.txt [--raw] [--latency]
//! ```
//! The lexicon is bylaw TSV (`term<TAB>category<TAB>severity`) or one term per
//! line. `--raw` times exact matching only (the automaton over the raw terms,
//! overlapping find-all, no normalisation). `--latency` also scans the corpus
//! as 200-character messages and reports p50 / p99 microseconds per message.
//! `--no-sound` turns off matching by sound (the pinyin channel).

use std::time::Instant;

use bylaw_textguard::{Engine, Scene, Sources};
use daachorse::CharwiseDoubleArrayAhoCorasick;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let lex_path = arg(&args, "--lexicon").ok_or("--lexicon PATH")?;
    let corpus_path = arg(&args, "--corpus").ok_or("--corpus PATH")?;
    let raw = args.iter().any(|a| a == "--raw");
    let latency = args.iter().any(|a| a == "--latency");
    let no_sound = args.iter().any(|a| a == "--no-sound");
    let lex = std::fs::read_to_string(&lex_path)?;
    let corpus = std::fs::read_to_string(&corpus_path)?;
    let tsv: String = lex
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            if l.contains('\t') {
                format!("{l}\n")
            } else {
                format!("{l}\tother\treview\n")
            }
        })
        .collect();
    let terms: Vec<&str> = tsv.lines().filter_map(|l| l.split('\t').next()).collect();
    let n_terms = terms.len();
    if raw {
        let t0 = Instant::now();
        let mut uniq: Vec<&str> = terms.clone();
        uniq.sort_unstable();
        uniq.dedup();
        let ac = CharwiseDoubleArrayAhoCorasick::<u32>::new(uniq).map_err(|e| e.to_string())?;
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let matches = ac.find_overlapping_iter(&corpus).count();
        let scan = t1.elapsed().as_secs_f64();
        if args.iter().any(|a| a == "--ll") {
            let mut uniq2: Vec<&str> = terms.clone();
            uniq2.sort_unstable();
            uniq2.dedup();
            let ll = daachorse::CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(daachorse::MatchKind::LeftmostLongest)
                .build::<_, _, u32>(uniq2)
                .map_err(|e| e.to_string())?;
            let t2 = Instant::now();
            let n: usize = corpus
                .lines()
                .map(|l| ll.leftmost_find_iter(l).count())
                .sum();
            eprintln!(
                "leftmost-longest per line: {n} matches in {:.4}s",
                t2.elapsed().as_secs_f64()
            );
        }
        println!(
            "{{\"tool\":\"bylaw-raw\",\"terms\":{n_terms},\"build_s\":{build:.4},\"scan_s\":{scan:.4},\"bytes\":{},\"matches\":{matches},\"mb_per_s\":{:.2}}}",
            corpus.len(),
            corpus.len() as f64 / 1e6 / scan
        );
        return Ok(());
    }
    let rb = bylaw_rulebook::Rulebook::embedded()?;
    let starter = bylaw_textguard::starter_sources();
    let sources = Sources {
        lexicons: vec![("bench.tsv".into(), tsv.clone())],
        allow: Vec::new(),
        lookalike: starter.lookalike,
        chaizi: starter.chaizi,
        cues: starter.cues,
        policy: if no_sound {
            "[homophones]\nenabled = false\n".to_string()
        } else {
            String::new()
        },
    };
    let t0 = Instant::now();
    let (engine, errors) = Engine::build(&sources, &rb)?;
    let build = t0.elapsed().as_secs_f64();
    // A second start reads the compiled lexicon from its cache bytes.
    let bytes = engine.to_cache(&errors);
    let t = Instant::now();
    let (engine, _) = Engine::from_cache(&bytes, &sources, &rb).map_err(|e| e.to_string())?;
    let cache_load = t.elapsed().as_secs_f64();
    if !errors.is_empty() {
        eprintln!(
            "{} lexicon lines rejected, first: {}",
            errors.len(),
            errors[0]
        );
    }
    if args.iter().any(|a| a == "--stages") {
        let norm = engine.normalizer();
        let lines: Vec<&str> = corpus.lines().collect();
        let t = Instant::now();
        let compacts: Vec<_> = lines.iter().map(|l| norm.compact(l)).collect();
        eprintln!("compact: {:.4}s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let n: usize = compacts.iter().map(|c| norm.sound(c).spans.len()).sum();
        eprintln!("sound: {:.4}s ({n})", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let n: usize = lines.iter().map(|l| norm.light(l).len()).sum();
        eprintln!("light: {:.4}s ({n})", t.elapsed().as_secs_f64());
    }
    let t1 = Instant::now();
    let mut matches = 0usize;
    // Scan line by line, as a moderation service sees messages.
    for line in corpus.lines() {
        matches += engine.hits(line, Scene::Chat).len();
    }
    let scan = t1.elapsed().as_secs_f64();
    let mut extra = String::new();
    if latency {
        let chars: Vec<char> = corpus.chars().collect();
        let mut times: Vec<f64> = Vec::new();
        for chunk in chars.chunks(200).take(20_000) {
            let msg: String = chunk.iter().collect();
            let t = Instant::now();
            std::hint::black_box(engine.scan(&msg, Scene::Chat));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
        extra = format!(",\"p50_us\":{:.1},\"p99_us\":{:.1}", p(0.5), p(0.99));
    }
    let tool = if no_sound {
        "bylaw-chain-nosound"
    } else {
        "bylaw-chain"
    };
    println!(
        "{{\"tool\":\"{tool}\",\"terms\":{n_terms},\"build_s\":{build:.4},\"cache_load_s\":{cache_load:.4},\"cache_bytes\":{},\"scan_s\":{scan:.4},\"bytes\":{},\"matches\":{matches},\"mb_per_s\":{:.2}{extra}}}",
        bytes.len(),
        corpus.len(),
        corpus.len() as f64 / 1e6 / scan
    );
    Ok(())
}
