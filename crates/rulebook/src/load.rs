//! Parsing book files and validating them, with every problem located by file,
//! line and field.

use std::collections::{HashMap, HashSet};

use crate::catalogue::Catalogue;
use crate::error::Problem;
use crate::formula::Expr;
use crate::model::{Action, BookFile, Cell, Ladder, Penalty, Rule, Step};

/// Book keys of RULE_IDS.md.
pub const KNOWN_BOOKS: [&str; 14] = [
    "wecom-account",
    "wecom-isv",
    "miniprogram",
    "minigame",
    "wecom-admin",
    "meeting-user",
    "meeting-market",
    "meeting-design",
    "meeting-dev",
    "meeting-compliance",
    "meeting-partner",
    "meeting-listing",
    "meeting-search",
    "meeting-showcase",
];

/// The catalogue's file name.
pub const CATALOGUE_FILE: &str = "catalogue.toml";

/// Maps byte offsets and ids of one file's text to lines.
pub(crate) struct Locator<'a> {
    file: &'a str,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locator {
            file,
            text,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset.min(self.text.len())]
            .chars()
            .count()
            + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// Line of the `id = "ID"` (or `id = 'ID'`) that declares a rule or branch.
    pub(crate) fn id_line(&self, id: &str) -> Option<usize> {
        for quoted in [format!("\"{id}\""), format!("'{id}'")] {
            for (off, _) in self.text.match_indices(&quoted) {
                let (line, _) = self.position(off);
                let before = self.line_text(line).split(&quoted).next().unwrap_or("");
                let key = before.trim_end().trim_end_matches('=').trim();
                if key == "id" || key.ends_with(" id") || key.ends_with("{ id") || key == "{id" {
                    return Some(line);
                }
            }
        }
        None
    }

    /// Line of `field` inside the rule declared by `id`: the first line after
    /// the id whose key is `field` (or a sub-table named after it), before the
    /// next `[[rule]]`.
    pub(crate) fn field_line(&self, id: &str, field: &str) -> Option<usize> {
        let start = self.id_line(id)?;
        let block_start = (1..=start)
            .rev()
            .find(|&l| self.line_text(l).trim_start().starts_with("[[rule]]"))
            .unwrap_or(start);
        let last = self.line_starts.len();
        for l in block_start..=last {
            let t = self.line_text(l).trim_start();
            if l > block_start && t.starts_with("[[rule]]") {
                break;
            }
            let key_match = t
                .strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            let table_match = t.starts_with(&format!("[rule.{field}"))
                || t.starts_with(&format!("[[rule.{field}"))
                || t.starts_with(&format!("[[rule.penalty.{field}"))
                || t.starts_with(&format!("[rule.penalty.{field}"));
            let inline_match = t.contains(&format!("{field} = ")) && !t.starts_with('#');
            if key_match || table_match || (l >= start && inline_match) {
                return Some(l);
            }
        }
        Some(start)
    }

    /// Builds a problem at the rule's (or field's) line.
    pub(crate) fn problem(
        &self,
        rule: Option<&str>,
        field: Option<&str>,
        message: String,
    ) -> Problem {
        let line = match (rule, field) {
            (Some(r), Some(f)) => self.field_line(r, f),
            (Some(r), None) => self.id_line(r),
            _ => None,
        };
        Problem {
            file: self.file.to_string(),
            line,
            column: None,
            rule: rule.map(str::to_string),
            field: field.map(str::to_string),
            message,
        }
    }

    /// Converts a TOML parse or type error into a located problem.
    pub(crate) fn toml_problem(&self, err: &toml::de::Error) -> Problem {
        let message = err.message().trim().to_string();
        let (line, column, rule, mut field) = match err.span() {
            Some(span) => {
                let (line, col) = self.position(span.start);
                let inside = &self.text[span.start..span.end.min(self.text.len())];
                let rule = find_id(inside).or_else(|| {
                    (1..=line)
                        .rev()
                        .map(|l| self.line_text(l))
                        .take_while(|t| !t.trim_start().starts_with("[[rule]]") || t.contains("id"))
                        .find_map(find_id)
                        .or_else(|| {
                            (1..=line)
                                .rev()
                                .map(|l| self.line_text(l))
                                .find_map(find_id)
                        })
                });
                let key = self
                    .line_text(line)
                    .split_once('=')
                    .map(|(k, _)| k.trim().trim_start_matches('{').trim().to_string())
                    .filter(|k| !k.is_empty() && !k.contains(' ') && !k.starts_with('['));
                (Some(line), Some(col), rule, key)
            }
            None => (None, None, None, None),
        };
        if let Some(name) = backticked(&message) {
            if message.starts_with("missing field") || message.starts_with("unknown field") {
                field = Some(name);
            }
        }
        Problem {
            file: self.file.to_string(),
            line,
            column,
            rule,
            field,
            message,
        }
    }
}

fn find_id(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let t = l.trim_start();
        let rest = t.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        let q = rest.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        rest[1..].split(q).next().map(str::to_string)
    })
}

fn backticked(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_string())
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_simple_slug(s: &str) -> bool {
    is_slug(s) && !s.contains('.')
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// Parses the catalogue and checks its ids.
pub(crate) fn parse_catalogue(file: &str, text: &str) -> Result<Catalogue, Vec<Problem>> {
    let loc = Locator::new(file, text);
    let cat: Catalogue = toml::from_str(text).map_err(|e| vec![loc.toml_problem(&e)])?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let ids = cat
        .capabilities
        .iter()
        .map(|c| ("capability", &c.id))
        .chain(cat.checks.iter().map(|c| ("check", &c.id)));
    for (what, id) in ids {
        let mut p = |message: String| {
            problems.push(Problem {
                file: file.to_string(),
                line: loc.id_line(id),
                column: None,
                rule: None,
                field: Some("id".into()),
                message,
            })
        };
        if !is_simple_slug(id) {
            p(format!("{what} id `{id}` must be a slug of [a-z0-9-]"));
        }
        if !seen.insert((what, id.clone())) {
            p(format!("duplicate {what} id `{id}`"));
        }
    }
    if problems.is_empty() {
        Ok(cat)
    } else {
        Err(problems)
    }
}

/// Parses one book file and fills the computed fields of its rules.
pub(crate) fn parse_book(file: &str, text: &str) -> Result<BookFile, Vec<Problem>> {
    let loc = Locator::new(file, text);
    let mut book: BookFile = toml::from_str(text).map_err(|e| vec![loc.toml_problem(&e)])?;
    let mut problems = Vec::new();
    let key = book.book.key.clone();
    let header = |field: &str, message: String| Problem {
        file: file.to_string(),
        line: text
            .lines()
            .position(|l| l.trim_start().starts_with(field))
            .map(|i| i + 1),
        column: None,
        rule: None,
        field: Some(format!("book.{field}")),
        message,
    };
    let stem = file.strip_suffix(".toml").unwrap_or(file);
    if key != stem {
        problems.push(header(
            "key",
            format!("book key `{key}` must equal the file name `{stem}`"),
        ));
    }
    if !KNOWN_BOOKS.contains(&key.as_str()) {
        problems.push(header(
            "key",
            format!(
                "unknown book `{key}`; RULE_IDS.md names: {}",
                KNOWN_BOOKS.join(", ")
            ),
        ));
    }
    for (field, value) in [
        ("title", &book.book.title),
        ("title_en", &book.book.title_en),
        ("seed", &book.book.seed),
    ] {
        if value.trim().is_empty() {
            problems.push(header(field, "must not be empty".into()));
        }
    }
    if let Some(d) = &book.book.date {
        if !is_date(d) {
            problems.push(header("date", format!("`{d}` is not a date YYYY-MM-DD")));
        }
    }
    for &[a, b] in &book.book.lines {
        if a == 0 || a > b {
            problems.push(header(
                "lines",
                format!("[{a}, {b}] is not a 1-based range"),
            ));
        }
    }
    let prefix = format!("{key}/");
    for ex in &book.exclusions {
        if !is_slug(&ex.clause) {
            problems.push(Problem {
                file: file.to_string(),
                line: text
                    .lines()
                    .position(|l| l.contains(&format!("\"{}\"", ex.clause)))
                    .map(|i| i + 1),
                column: None,
                rule: None,
                field: Some("exclude.clause".into()),
                message: format!("`{}` is not a clause (dot-separated [a-z0-9-])", ex.clause),
            });
        }
        if ex.reason.trim().is_empty() {
            problems.push(Problem {
                file: file.to_string(),
                line: None,
                column: None,
                rule: None,
                field: Some("exclude.reason".into()),
                message: format!("exclusion of clause `{}` needs a reason", ex.clause),
            });
        }
    }
    for rule in &mut book.rules {
        match rule.id.strip_prefix(&prefix) {
            Some(clause) if is_slug(clause) => {
                rule.book = key.clone();
                rule.clause = clause.to_string();
            }
            _ => problems.push(loc.problem(
                Some(&rule.id),
                Some("id"),
                format!("id must be `{key}/CLAUSE` with a dot-separated clause of [a-z0-9-]"),
            )),
        }
        rule.source.seed = book.book.seed.clone();
        rule.source.document = rule
            .document
            .clone()
            .unwrap_or_else(|| book.book.title.clone());
        rule.source.date = rule.date.clone().or_else(|| book.book.date.clone());
        rule.in_force = rule.superseded_by.is_none();
        for t in &mut rule.thresholds {
            t.in_force = rule.in_force && t.superseded_by.is_none();
            t.date = rule.source.date.clone();
        }
        for f in &mut rule.formulas {
            if let Ok(e) = Expr::parse(&f.expression) {
                f.compiled = Some(e);
            }
        }
        if let Some(d) = &rule.date {
            if !is_date(d) {
                problems.push(loc.problem(
                    Some(&rule.id),
                    Some("date"),
                    format!("`{d}` is not a date YYYY-MM-DD"),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(book)
    } else {
        Err(problems)
    }
}

/// Cross-file validation: uniqueness, references, catalogue ids, shapes.
pub(crate) fn validate(
    books: &[(String, String, BookFile)],
    catalogue: &Catalogue,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut ids: HashMap<&str, &str> = HashMap::new();
    let dates: HashMap<&str, Option<&str>> = books
        .iter()
        .flat_map(|(_, _, b)| b.rules.iter())
        .map(|r| (r.id.as_str(), r.source.date.as_deref()))
        .collect();
    for (file, _, book) in books {
        for rule in &book.rules {
            let branch_ids = rule
                .penalty
                .iter()
                .flat_map(|p| p.branches.iter().map(|b| b.id.as_str()));
            for id in std::iter::once(rule.id.as_str()).chain(branch_ids) {
                if let Some(prev) = ids.insert(id, file) {
                    problems.push(Problem {
                        file: file.clone(),
                        line: None,
                        column: None,
                        rule: Some(id.to_string()),
                        field: Some("id".into()),
                        message: format!("duplicate id (also in {prev})"),
                    });
                }
            }
        }
    }
    for (file, text, book) in books {
        let loc = Locator::new(file, text);
        let rule_clauses: HashSet<&str> = book.rules.iter().map(|r| r.clause.as_str()).collect();
        for ex in &book.exclusions {
            if rule_clauses.contains(ex.clause.as_str()) {
                problems.push(Problem {
                    file: file.clone(),
                    line: None,
                    column: None,
                    rule: None,
                    field: Some("exclude.clause".into()),
                    message: format!("clause `{}` is both a rule and an exclusion", ex.clause),
                });
            }
        }
        for rule in &book.rules {
            let mut v = RuleValidator {
                loc: &loc,
                rule,
                ids: &ids,
                dates: &dates,
                catalogue,
                problems: &mut problems,
            };
            v.run();
        }
    }
    problems
}

struct RuleValidator<'a> {
    loc: &'a Locator<'a>,
    rule: &'a Rule,
    ids: &'a HashMap<&'a str, &'a str>,
    dates: &'a HashMap<&'a str, Option<&'a str>>,
    catalogue: &'a Catalogue,
    problems: &'a mut Vec<Problem>,
}

impl RuleValidator<'_> {
    fn report(&mut self, field: &str, message: String) {
        let p = self.loc.problem(Some(&self.rule.id), Some(field), message);
        self.problems.push(p);
    }

    fn report_at(&mut self, id: &str, field: &str, message: String) {
        let p = self.loc.problem(Some(id), Some(field), message);
        self.problems.push(p);
    }

    fn reference(&mut self, field: &str, target: &str) {
        if !self.ids.contains_key(target) {
            self.report(field, format!("refers to unknown rule `{target}`"));
        }
        if target == self.rule.id {
            self.report(field, "refers to the rule itself".into());
        }
    }

    /// A figure may only be superseded by one of a document at least as new.
    fn newer(&mut self, field: &str, target: &str) {
        let own = self.rule.source.date.as_deref();
        if let (Some(own), Some(Some(theirs))) = (own, self.dates.get(target)) {
            if *theirs < own {
                self.report(
                    field,
                    format!("superseded by `{target}` of {theirs}, which is older than this rule's {own}: the newest document wins"),
                );
            }
        }
    }

    fn run(&mut self) {
        let r = self.rule;
        for (field, value) in [
            ("title", &r.title),
            ("summary", &r.summary),
            ("quote", &r.quote),
        ] {
            if value.trim().is_empty() {
                self.report(field, "must not be empty".into());
            }
        }
        if r.summary.contains('\n') {
            self.report("summary", "must be one sentence on one line".into());
        }
        if r.applies_to.is_empty() {
            self.report("applies_to", "must name at least one target".into());
        }
        if r.checks.is_empty() {
            self.report(
                "checks",
                "must name at least one check (`manual` for human review)".into(),
            );
        }
        for c in &r.checks {
            if self.catalogue.check(c).is_none() {
                self.report(
                    "checks",
                    format!("unknown check `{c}` (not in catalogue.toml)"),
                );
            }
        }
        if let Some(s) = &r.superseded_by {
            self.reference("superseded_by", s);
            self.newer("superseded_by", s);
        }
        for rel in &r.related {
            self.reference("related", rel);
        }
        let mut names = HashSet::new();
        for t in &r.thresholds {
            let label = match &t.variant {
                Some(v) => format!("{} ({v})", t.name),
                None => t.name.clone(),
            };
            if !is_simple_slug(&t.name) || t.variant.as_deref().is_some_and(|v| !is_simple_slug(v))
            {
                self.report(
                    "thresholds",
                    format!("threshold `{label}`: name and variant must be slugs of [a-z0-9-]"),
                );
            }
            if !names.insert((t.name.clone(), t.variant.clone(), t.superseded_by.clone())) {
                self.report("thresholds", format!("threshold `{label}` appears twice"));
            }
            if t.min.is_none() && t.max.is_none() && t.value.is_none() {
                self.report(
                    "thresholds",
                    format!("threshold `{label}` needs min, max or value"),
                );
            }
            if let (Some(a), Some(b)) = (t.min, t.max) {
                if a.get() > b.get() {
                    self.report(
                        "thresholds",
                        format!("threshold `{label}`: min {a} exceeds max {b}"),
                    );
                }
            }
            if let Some(s) = &t.superseded_by {
                self.reference("thresholds", s);
                self.newer("thresholds", s);
            }
        }
        let mut list_names = HashSet::new();
        for l in &r.lists {
            if !is_simple_slug(&l.name) {
                self.report("lists", format!("list name `{}` must be a slug", l.name));
            }
            if !list_names.insert(&l.name) {
                self.report("lists", format!("list `{}` appears twice", l.name));
            }
            if l.items.is_empty() || l.items.iter().any(|i| i.trim().is_empty()) {
                self.report("lists", format!("list `{}` needs non-empty items", l.name));
            }
        }
        for t in &r.tables {
            if t.columns.is_empty() {
                self.report("tables", format!("table `{}` has no columns", t.name));
            }
            for (i, row) in t.rows.iter().enumerate() {
                if row.len() != t.columns.len() {
                    self.report(
                        "tables",
                        format!(
                            "table `{}` row {}: {} cells for {} columns",
                            t.name,
                            i + 1,
                            row.len(),
                            t.columns.len()
                        ),
                    );
                    continue;
                }
                for (cell, col) in row.iter().zip(&t.columns) {
                    if col.unit.is_some() && !matches!(cell, Cell::Number(_)) {
                        self.report(
                            "tables",
                            format!(
                                "table `{}` row {}: column `{}` has a unit and needs a number",
                                t.name,
                                i + 1,
                                col.name
                            ),
                        );
                    }
                }
            }
        }
        for f in &r.formulas {
            match Expr::parse(&f.expression) {
                Err(e) => self.report("formulas", format!("formula `{}`: {e}", f.name)),
                Ok(e) => {
                    let declared: HashSet<&str> =
                        f.variables.iter().map(|v| v.name.as_str()).collect();
                    for used in e.variables() {
                        if !declared.contains(used.as_str()) {
                            self.report(
                                "formulas",
                                format!("formula `{}` uses undeclared variable `{used}`", f.name),
                            );
                        }
                    }
                    let used = e.variables();
                    for d in &declared {
                        if !used.contains(*d) {
                            self.report(
                                "formulas",
                                format!("formula `{}` declares `{d}` but never uses it", f.name),
                            );
                        }
                    }
                }
            }
        }
        if let Some(p) = &r.penalty {
            self.penalty(p);
        }
    }

    fn penalty(&mut self, p: &Penalty) {
        if p.see.is_none() && p.quote.as_deref().is_none_or(|q| q.trim().is_empty()) {
            self.report(
                "penalty",
                "needs a `quote` (or `see` pointing at the rule whose penalty applies)".into(),
            );
        }
        if p.see.is_none() && p.steps.is_empty() && p.branches.is_empty() && !p.discretionary {
            self.report(
                "penalty",
                "needs `steps`, `branches` or `see` (or `discretionary = true` where the seed names no measure)".into(),
            );
        }
        if let Some(s) = &p.see {
            self.reference("penalty", s);
        }
        if let Some(s) = &p.escalate_on_repeat {
            self.reference("penalty", s);
        }
        let id = self.rule.id.clone();
        self.steps(&id, p.ladder, &p.steps);
        for b in &p.branches {
            let ok =
                b.id.strip_prefix(&format!("{}.penalty.", self.rule.id))
                    .is_some_and(is_slug);
            if !ok {
                self.report_at(
                    &b.id,
                    "id",
                    format!("branch id must be `{}.penalty.N`", self.rule.id),
                );
            }
            if b.quote.trim().is_empty() || b.condition.trim().is_empty() {
                self.report_at(
                    &b.id,
                    "quote",
                    "branch needs a condition and a quote".into(),
                );
            }
            if b.steps.is_empty() {
                self.report_at(&b.id, "steps", "branch needs steps".into());
            }
            self.steps(&b.id, b.ladder, &b.steps);
        }
    }

    fn steps(&mut self, at: &str, ladder: Ladder, steps: &[Step]) {
        for s in steps {
            self.step(at, ladder, s);
        }
        if ladder == Ladder::Repeat {
            let offences: Vec<Option<u32>> = steps.iter().map(|s| s.offence).collect();
            if offences.iter().any(Option::is_some) {
                let ok = offences.iter().all(Option::is_some)
                    && offences.first().copied().flatten() == Some(1)
                    && offences.windows(2).all(
                        |w| matches!((w[0], w[1]), (Some(a), Some(b)) if b == a || b == a + 1),
                    );
                if !ok {
                    self.report_at(
                        at,
                        "offence",
                        "in a `repeat` ladder, give every step an `offence`, starting at 1 and rising by at most 1".into(),
                    );
                }
            }
        } else if steps.iter().any(|s| s.offence.is_some()) {
            self.report_at(
                at,
                "offence",
                "`offence` belongs to `repeat` ladders only".into(),
            );
        }
    }

    fn step(&mut self, at: &str, ladder: Ladder, s: &Step) {
        let name = serde_json::to_value(s.action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        for c in &s.capabilities {
            if self.catalogue.capability(c).is_none() {
                self.report_at(
                    at,
                    "capabilities",
                    format!("unknown capability `{c}` (not in catalogue.toml)"),
                );
            }
        }
        if s.action == Action::BanCapability && s.capabilities.is_empty() {
            self.report_at(
                at,
                "capabilities",
                "`ban-capability` needs capabilities".into(),
            );
        }
        if s.action != Action::BanCapability
            && !s.capabilities.is_empty()
            && s.action != Action::LimitFeatures
        {
            self.report_at(
                at,
                "capabilities",
                format!("`{name}` takes no capabilities"),
            );
        }
        if s.action != Action::Rectify && (s.deadline.is_some() || !s.on_lapse.is_empty()) {
            self.report_at(
                at,
                "deadline",
                format!("`{name}` takes no deadline or on_lapse"),
            );
        }
        if s.action == Action::Other && s.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            self.report_at(
                at,
                "note",
                "`other` needs a note saying what is done".into(),
            );
        }
        if ladder == Ladder::ByCase && s.when.is_none() {
            self.report_at(
                at,
                "when",
                "every step of a `by-case` ladder needs `when`".into(),
            );
        }
        for l in &s.on_lapse {
            self.step(at, Ladder::All, l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_dates() {
        assert!(is_slug("3.5.11.5"));
        assert!(is_slug("fields.name"));
        assert!(is_slug("5.1.3-b"));
        assert!(!is_slug("5..1"));
        assert!(!is_slug("Fields.Name"));
        assert!(!is_slug(""));
        assert!(is_date("2024-03-08"));
        assert!(!is_date("2024-13-08"));
        assert!(!is_date("2024/03/08"));
    }

    #[test]
    fn locator_finds_ids_and_fields() {
        let text = "[book]\nkey = \"x\"\n\n[[rule]]\nid = \"x/1\"\ntitle = \"t\"\nkind = \"bad\"\n\n[[rule]]\nid = \"x/2\"\nkind = \"c\"\n";
        let loc = Locator::new("x.toml", text);
        assert_eq!(loc.id_line("x/1"), Some(5));
        assert_eq!(loc.field_line("x/1", "kind"), Some(7));
        assert_eq!(loc.field_line("x/2", "kind"), Some(11));
        assert_eq!(find_id("id = \"x/2\""), Some("x/2".into()));
    }
}
