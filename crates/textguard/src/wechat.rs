//! The WeChat msgSecCheck v2 response shape, for callers migrating from it.

use serde_json::{json, Value};

use crate::{Decision, Verdict};

/// The WeChat msgSecCheck v2 shape of a verdict.
pub fn msg_sec_check(v: &Verdict, trace_id: &str) -> Value {
    let suggest = |d: Decision| match d {
        Decision::Pass => "pass",
        Decision::Review => "review",
        Decision::Block => "risky",
    };
    let worst = v
        .hits
        .iter()
        .max_by_key(|h| (h.severity, std::cmp::Reverse(h.start)));
    let label = worst.map_or(100, |h| h.label.wechat_label());
    let detail: Vec<Value> = v
        .hits
        .iter()
        .map(|h| {
            json!({
                "strategy": "keyword",
                "errcode": 0,
                "suggest": match h.severity {
                    crate::Severity::Block => "risky",
                    crate::Severity::Review => "review",
                },
                "label": h.label.wechat_label(),
                "keyword": h.text,
                "prob": (v.score * 100.0).round() as u32,
            })
        })
        .collect();
    json!({
        "errcode": 0,
        "errmsg": "ok",
        "result": { "suggest": suggest(v.verdict), "label": label },
        "detail": detail,
        "trace_id": trace_id,
    })
}
