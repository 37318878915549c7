//! Human and JSON renderings of rules for the `rules` commands.

use std::fmt::Write as _;

use bylaw_rulebook::{Action, Ladder, Penalty, Resolved, Rule, Rulebook, Stats, Step};
use serde_json::{json, Value};

fn action_zh(a: Action) -> &'static str {
    match a {
        Action::Warning => "警告",
        Action::Rectify => "限期整改",
        Action::LimitFeatures => "限制功能",
        Action::BanCapability => "封禁能力",
        Action::RemoveContent => "删除内容",
        Action::Demote => "降权",
        Action::Unrecommend => "取消推荐",
        Action::Unsearchable => "取消搜索",
        Action::Delist => "下架",
        Action::Reject => "审核不通过",
        Action::BanAccount => "封号",
        Action::SuspendService => "暂停服务",
        Action::Terminate => "终止服务",
        Action::RefuseService => "拒绝提供服务",
        Action::Blacklist => "黑名单",
        Action::RevokeVerification => "撤销认证",
        Action::WithholdSettlement => "暂停结算",
        Action::DeductCredit => "扣减信用分",
        Action::ClaimDamages => "追究赔偿",
        Action::ReportToAuthorities => "移交有关部门",
        Action::Other => "其他",
    }
}

fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn ladder_zh(l: Ladder) -> &'static str {
    match l {
        Ladder::Graduated => "阶梯 graduated",
        Ladder::All => "并处 all",
        Ladder::Repeat => "按次数 repeat",
        Ladder::ByCase => "按情形 by-case",
        Ladder::Choice => "任选 choice",
    }
}

fn step_line(rb: &Rulebook, s: &Step) -> String {
    let mut out = format!("{} {}", action_zh(s.action), name_of(&s.action));
    if !s.capabilities.is_empty() {
        let caps: Vec<String> = s
            .capabilities
            .iter()
            .map(|c| match rb.catalogue().capability(c) {
                Some(cap) => format!("{}({c})", cap.name),
                None => c.clone(),
            })
            .collect();
        let _ = write!(out, " [{}]", caps.join(", "));
    }
    if let Some(d) = &s.duration {
        let _ = write!(out, " 期限 for {d}");
    }
    if s.until_rectified {
        out.push_str(" 直至整改完成 until rectified");
    }
    if let Some(a) = &s.after {
        let _ = write!(out, " 于 after {a}");
    }
    if let Some(d) = &s.deadline {
        let _ = write!(out, " 期限 deadline {d}");
    }
    if let Some(sc) = &s.scope {
        let _ = write!(out, " 范围 scope {}", name_of(sc));
    }
    if !s.fields.is_empty() {
        let _ = write!(out, " fields [{}]", s.fields.join(", "));
    }
    if let Some(w) = &s.when {
        out = format!("当 when {w}: {out}");
    }
    if let Some(n) = s.offence {
        out = format!("第{n}次 offence {n}: {out}");
    }
    if let Some(n) = &s.note {
        let _ = write!(out, " — {n}");
    }
    out
}

fn steps_text(rb: &Rulebook, out: &mut String, steps: &[Step], indent: usize) {
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(out, "{:indent$}{}. {}", "", i + 1, step_line(rb, s));
        if !s.on_lapse.is_empty() {
            let _ = writeln!(out, "{:indent$}   逾期未整改 on lapse:", "");
            steps_text(rb, out, &s.on_lapse, indent + 6);
        }
    }
}

fn penalty_text(rb: &Rulebook, out: &mut String, p: &Penalty) {
    if p.see.is_some() && p.steps.is_empty() && p.branches.is_empty() {
        if let Some(s) = &p.see {
            let _ = writeln!(out, "  参见 see: {s}");
        }
        return;
    }
    let _ = writeln!(
        out,
        "  方式 ladder: {}{}{}",
        ladder_zh(p.ladder),
        if p.discretionary {
            ", 视情节 discretionary"
        } else {
            ""
        },
        if p.affiliates {
            ", 含关联主体 affiliates"
        } else {
            ""
        }
    );
    if let Some(q) = &p.quote {
        let _ = writeln!(out, "  原文 quote: {q}");
    }
    if let Some(s) = &p.see {
        let _ = writeln!(out, "  参见 see: {s}");
    }
    steps_text(rb, out, &p.steps, 2);
    for b in &p.branches {
        let _ = writeln!(
            out,
            "  [{}] {} ({})",
            b.id,
            b.condition,
            ladder_zh(b.ladder)
        );
        let _ = writeln!(out, "    原文 quote: {}", b.quote);
        steps_text(rb, out, &b.steps, 4);
    }
    if let Some(e) = &p.escalate_on_repeat {
        let _ = writeln!(out, "  再犯升级 on repeat: {e}");
    }
    if let Some(n) = &p.note {
        let _ = writeln!(out, "  注 note: {n}");
    }
}

/// The text form of `rules show`.
pub fn show_text(rb: &Rulebook, found: Resolved<'_>) -> String {
    let mut out = String::new();
    match found {
        Resolved::Branch(rule, b) => {
            let _ = writeln!(out, "{}  {}", b.id, b.condition);
            let _ = writeln!(out, "所属规则 rule: {} {}", rule.id, rule.title);
            let _ = writeln!(out, "原文 quote: {}", b.quote);
            let _ = writeln!(out, "方式 ladder: {}", ladder_zh(b.ladder));
            steps_text(rb, &mut out, &b.steps, 0);
        }
        Resolved::Rule(r) => rule_text(rb, &mut out, r),
    }
    out
}

fn rule_text(rb: &Rulebook, out: &mut String, r: &Rule) {
    let _ = writeln!(out, "{}  {}", r.id, r.title);
    let _ = writeln!(out, "{}", r.summary);
    let kinds: Vec<String> = r.applies_to.iter().map(name_of).collect();
    let _ = writeln!(
        out,
        "类型 kind: {}   对象 applies to: {}",
        r.kind.as_str(),
        kinds.join(", ")
    );
    let _ = writeln!(out, "检查 checks: {}", r.checks.join(", "));
    let _ = writeln!(
        out,
        "来源 source: {} 《{}》{}{}",
        r.source.seed,
        r.source.document,
        r.source
            .date
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default(),
        if r.in_force {
            ""
        } else {
            " (已被取代 superseded)"
        }
    );
    let _ = writeln!(out, "原文 quote: {}", r.quote);
    if !r.thresholds.is_empty() {
        let _ = writeln!(out, "阈值 thresholds:");
        for t in &r.thresholds {
            let mut line = format!("  {}", t.name);
            if let Some(v) = &t.variant {
                let _ = write!(line, " [{v}]");
            }
            if let Some(v) = t.min {
                let _ = write!(line, " min {v}");
            }
            if let Some(v) = t.max {
                let _ = write!(line, " max {v}");
            }
            if t.exclusive {
                line.push_str(" (exclusive)");
            }
            if let Some(v) = t.value {
                let _ = write!(line, " = {v}");
            }
            let _ = write!(line, " {}", name_of(&t.unit));
            if !t.in_force {
                let _ = write!(
                    line,
                    " (not in force; superseded by {})",
                    t.superseded_by
                        .as_deref()
                        .or(r.superseded_by.as_deref())
                        .unwrap_or("?")
                );
            }
            if let Some(n) = &t.note {
                let _ = write!(line, " — {n}");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    for l in &r.lists {
        let req = l
            .require
            .map(|q| format!(" ({})", name_of(&q)))
            .unwrap_or_default();
        let _ = writeln!(out, "列表 list {}{req}: {}", l.name, l.items.join("、"));
        if let Some(n) = &l.note {
            let _ = writeln!(out, "  注 note: {n}");
        }
    }
    for t in &r.tables {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| match c.unit {
                Some(u) => format!("{} ({})", c.name, name_of(&u)),
                None => c.name.clone(),
            })
            .collect();
        let _ = writeln!(out, "表 table {}: {}", t.name, cols.join(" | "));
        for row in &t.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    bylaw_rulebook::Cell::Number(n) => n.to_string(),
                    bylaw_rulebook::Cell::Text(s) => s.clone(),
                })
                .collect();
            let _ = writeln!(out, "  {}", cells.join(" | "));
        }
    }
    for f in &r.formulas {
        let _ = writeln!(out, "公式 formula {}: {}", f.name, f.expression);
        for v in &f.variables {
            let _ = writeln!(out, "  {} — {}", v.name, v.description);
        }
    }
    match (&r.penalty, rb.penalty_rule(&r.id)) {
        (Some(p), _) => {
            let _ = writeln!(out, "处理 penalty:");
            penalty_text(rb, out, p);
            if let Some(target) = p.see.as_deref().and_then(|_| rb.penalty_rule(&r.id)) {
                if let Some(tp) = &target.penalty {
                    let _ = writeln!(out, "处理 penalty of {}:", target.id);
                    penalty_text(rb, out, tp);
                }
            }
        }
        (None, Some(parent)) => {
            let _ = writeln!(out, "处理 penalty (继承自 inherited from {}):", parent.id);
            if let Some(p) = &parent.penalty {
                penalty_text(rb, out, p);
            }
        }
        (None, None) => {}
    }
    if !r.related.is_empty() {
        let _ = writeln!(out, "相关 related: {}", r.related.join(", "));
    }
    if let Some(n) = &r.note {
        let _ = writeln!(out, "注 note: {n}");
    }
}

/// The JSON form of `rules show`: the rule (or branch) as data, plus the
/// penalty that governs it when it is inherited or referenced.
pub fn show_json(rb: &Rulebook, found: Resolved<'_>) -> Value {
    match found {
        Resolved::Branch(rule, b) => json!({
            "id": b.id,
            "rule": rule.id,
            "branch": b,
            "rulebook_version": rb.version(),
        }),
        Resolved::Rule(r) => {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let (Some(obj), Some(gov)) = (v.as_object_mut(), rb.penalty_rule(&r.id)) {
                if gov.id != r.id {
                    obj.insert(
                        "governing_penalty".into(),
                        json!({ "from": gov.id, "penalty": gov.penalty }),
                    );
                }
            }
            if let Some(obj) = v.as_object_mut() {
                obj.insert("rulebook_version".into(), json!(rb.version()));
            }
            v
        }
    }
}

/// The text form of `rules stats`.
pub fn stats_text(rb: &Rulebook, s: &Stats) -> String {
    let mut out = String::new();
    let kinds: Vec<&String> = s.by_kind.keys().collect();
    let _ = write!(out, "{:<20} {:>6}", "book", "rules");
    for k in &kinds {
        let short: String = k.chars().take(6).collect();
        let _ = write!(out, " {short:>6}");
    }
    let _ = writeln!(out);
    for b in rb.books() {
        let key = &b.header.key;
        let _ = write!(
            out,
            "{key:<20} {:>6}",
            s.by_book.get(key).copied().unwrap_or(0)
        );
        for k in &kinds {
            let n = s
                .by_book_and_kind
                .get(key)
                .and_then(|m| m.get(*k))
                .copied()
                .unwrap_or(0);
            let _ = write!(out, " {n:>6}");
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "{:<20} {:>6}", "total", s.rules);
    for k in &kinds {
        let _ = write!(out, " {:>6}", s.by_kind[*k]);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "\n{} rules, {} penalty branches, {} exclusions; {} with a penalty, {} with thresholds, {} with an automated check",
        s.rules, s.branches, s.exclusions, s.with_penalty, s.with_thresholds, s.automated
    );
    let _ = writeln!(out, "rulebook version {}", rb.version());
    out
}
