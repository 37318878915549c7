//! SARIF 2.1.0 output, so CI systems and code-review tools can show findings.

use serde_json::{json, Value};

use bylaw_rulebook::Rulebook;

use crate::{Report, Severity};

/// The report as a SARIF 2.1.0 log; `uri` names the listing file.
pub fn to_sarif(report: &Report, rb: &Rulebook, uri: &str) -> Value {
    let mut rule_ids: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let r = rb.resolve(id).map(|x| x.rule());
            json!({
                "id": id,
                "name": r.map_or("", |r| r.title.as_str()),
                "shortDescription": { "text": r.map_or("", |r| r.summary.as_str()) },
                "fullDescription": { "text": r.map_or("", |r| r.quote.as_str()) },
                "properties": { "source": r.map(|r| &r.source) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            json!({
                "ruleId": f.rule,
                "ruleIndex": rule_ids.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": level,
                "message": { "text": format!("{}：{}（{}）", f.field, f.message, f.remediation) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": uri } },
                    "logicalLocations": [{ "name": f.field, "kind": "member" }],
                }],
                "properties": { "field": f.field, "value": f.value, "span": f.span, "message_en": f.message_en },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bylaw",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "properties": { "rulebook_version": report.rulebook_version },
            "results": results,
        }],
    })
}
