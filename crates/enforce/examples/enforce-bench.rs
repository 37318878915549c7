//! Benchmark for `bench/enforce`: builds a log of TARGETS targets and about
//! EVENTS events, then measures `can` latency, `tick` over the pending
//! deadlines, projection rebuild (from memory and from JSON), and durable
//! appends with batching.
//!
//! ```text
//! enforce-bench [TARGETS] [EVENTS] [--store-events N]
//! ```

use std::time::Instant;

/// The allocator the `bylaw` binary uses, so the figures are the shipped ones.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use bylaw_enforce::time::{add, parse, Time};
use bylaw_enforce::{Choice, Config, Enforcer, Event, Origin, TargetKind};
use bylaw_rulebook::{Rulebook, TimeUnit};

/// Resident memory of this process in MiB (0 where /proc is missing).
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1 << 20))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let targets: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let events_goal: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let store_events: usize = args
        .iter()
        .position(|a| a == "--store-events")
        .and_then(|i| args.get(i + 1))
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let rb = Rulebook::embedded()?;
    let t0: Time = parse("2026-01-05T00:00:00Z")?;
    let day = |n: u32| add(t0, n, TimeUnit::Days);
    // The log: subjects, targets, then violations and decisions.
    let subjects = targets / 4;
    let mut log: Vec<Event> = Vec::with_capacity(events_goal + 10);
    for s in 0..subjects {
        log.push(Event::Subject {
            id: format!("s{s}"),
            name: String::new(),
            at: t0,
        });
    }
    for t in 0..targets {
        log.push(Event::Target {
            id: format!("t{t}"),
            kind: TargetKind::MiniProgram,
            subject: format!("s{}", t % subjects.max(1)),
            platform: "miniprogram".into(),
            at: t0,
        });
    }
    let mixes: [(&str, Option<&str>); 4] = [
        ("miniprogram/5.7", Some("3")),
        ("miniprogram/5.13", None),
        ("miniprogram/5.7", Some("2")),
        ("miniprogram/5.24", Some("account")),
    ];
    let mut i = 0usize;
    while log.len() + 2 <= events_goal {
        let (rule, branch) = mixes[i % mixes.len()];
        let case = format!("c{i}");
        let target = format!("t{}", (i * 7919) % targets);
        log.push(Event::Violation {
            case: case.clone(),
            rule: rule.into(),
            target,
            origin: Origin::Review,
            evidence: String::new(),
            at: day(1),
        });
        log.push(Event::Decision {
            case,
            choice: Choice {
                branch: branch.map(str::to_string),
                ..Choice::default()
            },
            reason: "bench".into(),
            by: String::new(),
            at: day(1),
        });
        i += 1;
    }
    let n_events = log.len();
    // Rebuild from memory.
    let t = Instant::now();
    let mut e = Enforcer::new(&rb, Config::embedded()?)?;
    for ev in &log {
        e.apply(ev);
    }
    let rebuild = t.elapsed().as_secs_f64();
    let pending = e.pending_deadlines().count();
    // can(): random targets and capabilities.
    let caps = [
        "share",
        "searchable",
        "payment",
        "ios-payment",
        "ios-open",
        "existing-installs",
        "login",
    ];
    let mut lat: Vec<f64> = Vec::with_capacity(1_000_000);
    let mut denied = 0usize;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    // The id is written into one buffer per query, as a server has it
    // just parsed from the request (not read cold from a table of ids).
    let mut target = String::with_capacity(16);
    for q in 0..1_000_000usize {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        target.clear();
        {
            use std::fmt::Write;
            let _ = write!(target, "t{}", (x as usize) % targets);
        }
        let target = target.as_str();
        let cap = caps[q % caps.len()];
        let at = day(2 + (q % 20) as u32);
        let s = Instant::now();
        let v = e.can(target, cap, at)?;
        lat.push(s.elapsed().as_nanos() as f64);
        denied += usize::from(!v.allowed);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize] / 1000.0;
    // tick over every pending deadline.
    let rss_before_tick = rss_mib();
    let t = Instant::now();
    e.apply(&Event::Tick { now: day(30) });
    let tick = t.elapsed().as_secs_f64();
    let rss_after_tick = rss_mib();
    let still = e.pending_deadlines().count();
    // Rebuild from JSON (as the store keeps events), on a sample.
    let sample = n_events.min(1_000_000);
    let json: Vec<String> = log[..sample]
        .iter()
        .map(|ev| serde_json::to_string(ev).unwrap_or_default())
        .collect();
    let t = Instant::now();
    let mut e2 = Enforcer::new(&rb, Config::embedded()?)?;
    for j in &json {
        let ev: Event = serde_json::from_str(j)?;
        e2.apply(&ev);
    }
    let json_rate = sample as f64 / t.elapsed().as_secs_f64();
    // Durable appends with batching.
    let dir = std::env::temp_dir().join(format!("enforce-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.db");
    let mut store = bylaw_store::EventLog::open(&path)?;
    let t = Instant::now();
    for (k, chunk) in log[..store_events.min(n_events)].chunks(1000).enumerate() {
        let batch: Vec<bylaw_store::NewEvent> = chunk
            .iter()
            .enumerate()
            .map(|(j, ev)| bylaw_store::NewEvent {
                key: format!("k{k}-{j}"),
                at: bylaw_enforce::time::format(ev.at()),
                kind: ev.kind().to_string(),
                payload: serde_json::to_string(ev).unwrap_or_default(),
            })
            .collect();
        store.append(&batch)?;
    }
    let appends = store_events.min(n_events) as f64 / t.elapsed().as_secs_f64();
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
    println!("targets {targets}, events {n_events}, cases {i}");
    println!(
        "rebuild from memory: {rebuild:.2} s ({:.0} events/s)",
        n_events as f64 / rebuild
    );
    println!("rebuild from JSON: {json_rate:.0} events/s (sample of {sample})");
    println!("can(): p50 {:.2} µs, p99 {:.2} µs, max {:.1} µs over 1M queries ({denied} denied) — target p99 ≤ 2 µs", pct(0.5), pct(0.99), pct(1.0));
    println!(
        "tick over {pending} pending deadlines: {tick:.2} s ({:.2} s per 1M; {still} left) — target ≤ 2 s for 1M",
        tick * 1e6 / pending.max(1) as f64
    );
    println!("resident memory: {rss_before_tick} MiB before tick, {rss_after_tick} MiB after");
    println!("durable appends, batches of 1000: {appends:.0}/s — target ≥ 20,000/s");
    Ok(())
}
