//! Prometheus metrics, kept by hand: a few counters and histograms do not
//! need a metrics framework.
//!
//! - `bylaw_http_requests_total{route,method,status}`
//! - `bylaw_http_request_duration_seconds{route}` (histogram)
//! - `bylaw_verdicts_total{kind,verdict}` (scan and review verdicts, enforcement `can`)
//! - `bylaw_queue_depth{queue}` (audit entries waiting, webhook deliveries pending,
//!   writes waiting for the store)
//! - `bylaw_store_events` (the newest seq this node has applied)
//! - `bylaw_reloads_total{result}`

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Every metric of one node.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    verdicts: Mutex<BTreeMap<(&'static str, String), u64>>,
    reloads: Mutex<BTreeMap<&'static str, u64>>,
    /// Audit entries accepted but not yet stored.
    pub audit_queue: AtomicI64,
    /// Webhook deliveries not yet acknowledged by their receiver.
    pub webhook_queue: AtomicI64,
    /// Writes waiting for the store.
    pub write_queue: AtomicI64,
    /// The newest log position applied.
    pub applied_seq: AtomicU64,
}

impl Metrics {
    /// Counts one request and its latency.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    /// Counts a verdict (`kind`: scan, review, can).
    pub fn verdict(&self, kind: &'static str, verdict: &str) {
        if let Ok(mut m) = self.verdicts.lock() {
            *m.entry((kind, verdict.to_string())).or_default() += 1;
        }
    }

    /// Counts a reload (`ok` or `failed`).
    pub fn reload(&self, result: &'static str) {
        if let Ok(mut m) = self.reloads.lock() {
            *m.entry(result).or_default() += 1;
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP bylaw_http_requests_total HTTP requests by route, method and status.\n# TYPE bylaw_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, method, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "bylaw_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    esc(route),
                    esc(method)
                );
            }
        }
        out.push_str("# HELP bylaw_http_request_duration_seconds Request latency by route.\n# TYPE bylaw_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                let r = esc(route);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "bylaw_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "bylaw_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "bylaw_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "bylaw_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP bylaw_verdicts_total Verdicts by kind (scan, review, can) and outcome.\n# TYPE bylaw_verdicts_total counter\n");
        if let Ok(m) = self.verdicts.lock() {
            for ((kind, v), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "bylaw_verdicts_total{{kind=\"{kind}\",verdict=\"{}\"}} {n}",
                    esc(v)
                );
            }
        }
        out.push_str(
            "# HELP bylaw_queue_depth Items waiting, by queue.\n# TYPE bylaw_queue_depth gauge\n",
        );
        for (q, v) in [
            ("audit", &self.audit_queue),
            ("webhooks", &self.webhook_queue),
            ("writes", &self.write_queue),
        ] {
            let _ = writeln!(
                out,
                "bylaw_queue_depth{{queue=\"{q}\"}} {}",
                v.load(Ordering::Relaxed).max(0)
            );
        }
        out.push_str("# HELP bylaw_store_events The newest event log position this node has applied.\n# TYPE bylaw_store_events gauge\n");
        let _ = writeln!(
            out,
            "bylaw_store_events {}",
            self.applied_seq.load(Ordering::Relaxed)
        );
        out.push_str("# HELP bylaw_reloads_total Rulebook and lexicon reloads by result.\n# TYPE bylaw_reloads_total counter\n");
        if let Ok(m) = self.reloads.lock() {
            for (r, n) in m.iter() {
                let _ = writeln!(out, "bylaw_reloads_total{{result=\"{r}\"}} {n}");
            }
        }
        out
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.request("/v1/scan", "POST", 200, 0.0007);
        m.request("/v1/scan", "POST", 200, 0.02);
        m.verdict("scan", "block");
        let text = m.render();
        assert!(text.contains(
            "bylaw_http_requests_total{route=\"/v1/scan\",method=\"POST\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.001\"} 1"));
        assert!(text.contains("le=\"0.025\"} 2"));
        assert!(text.contains("bylaw_verdicts_total{kind=\"scan\",verdict=\"block\"} 1"));
    }
}
