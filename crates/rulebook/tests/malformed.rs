//! Malformed rulebook data yields errors naming the file, the line and the field.

use bylaw_rulebook::{LoadError, Problem, Rulebook};

const CATALOGUE: &str = r#"
[[capability]]
id = "share"
name = "分享"
summary = "Share."

[[check]]
id = "manual"
crate = "review"
summary = "Human review."
"#;

const GOOD: &str = r#"[book]
key = "minigame"
title = "小游戏特别规范"
title_en = "Mini game norms"
seed = "002.txt"

[[rule]]
id = "minigame/1.1"
title = "类目"
summary = "Pick the right category."
kind = "listing"
applies_to = ["mini-game"]
checks = ["manual"]
quote = "类目"
"#;

fn load(book: &str) -> Result<Rulebook, LoadError> {
    Rulebook::from_files([
        ("catalogue.toml".to_string(), CATALOGUE.to_string()),
        ("minigame.toml".to_string(), book.to_string()),
    ])
}

fn problems(book: &str) -> Vec<Problem> {
    match load(book) {
        Ok(_) => panic!("malformed data loaded"),
        Err(e) => e.problems().to_vec(),
    }
}

fn only(book: &str) -> Problem {
    let p = problems(book);
    assert_eq!(p.len(), 1, "{p:#?}");
    p.into_iter().next().unwrap()
}

#[test]
fn good_data_loads() {
    let rb = load(GOOD).expect("loads");
    assert_eq!(rb.rules().len(), 1);
    assert_eq!(rb.rules()[0].clause, "1.1");
}

#[test]
fn unknown_enum_value_names_file_line_and_field() {
    let p = only(&GOOD.replace("kind = \"listing\"", "kind = \"listings\""));
    assert_eq!(p.file, "minigame.toml");
    assert_eq!(p.line, Some(11));
    assert_eq!(p.field.as_deref(), Some("kind"));
    assert_eq!(p.rule.as_deref(), Some("minigame/1.1"));
    assert!(p.message.contains("listings"), "{}", p.message);
    let shown = p.to_string();
    assert!(shown.starts_with("minigame.toml:11:"), "{shown}");
}

#[test]
fn missing_field_is_named() {
    let p = only(&GOOD.replace("quote = \"类目\"\n", ""));
    assert_eq!(p.field.as_deref(), Some("quote"));
    assert!(p.line.is_some());
    assert!(p.message.contains("missing field"), "{}", p.message);
}

#[test]
fn unknown_field_is_named() {
    let p = only(&GOOD.replace("kind = \"listing\"", "kind = \"listing\"\nseverity = 3"));
    assert_eq!(p.field.as_deref(), Some("severity"));
    assert_eq!(p.line, Some(12));
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let p = only(&GOOD.replace("title = \"类目\"", "title = \"类目"));
    assert_eq!(p.line, Some(9));
    assert!(p.column.is_some());
}

#[test]
fn bad_duration_is_located() {
    let book = format!(
        "{GOOD}\n[rule.penalty]\nquote = \"类目\"\nsteps = [{{ action = \"delist\", duration = \"3 weeks\" }}]\n"
    );
    let p = only(&book);
    assert!(p.message.contains("invalid duration"), "{}", p.message);
    assert_eq!(p.line, Some(18));
}

#[test]
fn semantic_problems_are_all_reported_with_lines() {
    let book = format!(
        "{GOOD}
[[rule.thresholds]]
name = \"name-length\"
min = 6
max = 2
unit = \"chinese-chars\"

[rule.penalty]
quote = \"类目\"
see = \"minigame/9.9\"
steps = [{{ action = \"ban-capability\", capabilities = [\"teleport\"] }}]

[[rule]]
id = \"minigame/1.1\"
title = \"重复\"
summary = \"Duplicate.\"
kind = \"listing\"
applies_to = [\"mini-game\"]
checks = [\"telepathy\"]
quote = \"重复\"
"
    );
    let p = problems(&book);
    let has = |field: &str, text: &str| {
        p.iter().any(|x| {
            x.field.as_deref() == Some(field) && x.message.contains(text) && x.line.is_some()
        })
    };
    assert!(has("thresholds", "exceeds max"), "{p:#?}");
    assert!(has("penalty", "unknown rule `minigame/9.9`"), "{p:#?}");
    assert!(
        has("capabilities", "unknown capability `teleport`"),
        "{p:#?}"
    );
    assert!(has("checks", "unknown check `telepathy`"), "{p:#?}");
    assert!(
        p.iter().any(|x| x.message.contains("duplicate id")),
        "{p:#?}"
    );
}

#[test]
fn id_must_belong_to_the_book_and_the_book_to_rule_ids() {
    let p = only(&GOOD.replace("id = \"minigame/1.1\"", "id = \"miniprogram/1.1\""));
    assert_eq!(p.field.as_deref(), Some("id"));
    assert_eq!(p.line, Some(8));
    let p = problems(&GOOD.replace("key = \"minigame\"", "key = \"mini-game\""));
    assert!(
        p.iter()
            .any(|x| x.field.as_deref() == Some("book.key") && x.line == Some(2)),
        "{p:#?}"
    );
}

#[test]
fn formulas_are_parsed_and_their_variables_declared() {
    let book = format!(
        "{GOOD}\n[[rule.formulas]]\nname = \"price\"\nexpression = \"y / 365 * (365 - n) - z\"\nvariables = [{{ name = \"y\", description = \"new\" }}, {{ name = \"n\", description = \"days\" }}]\n"
    );
    let p = only(&book);
    assert!(
        p.message.contains("undeclared variable `z`"),
        "{}",
        p.message
    );
    let book = book.replace("- z\"", "- \"");
    let p = only(&book);
    assert!(p.message.contains("syntax error"), "{}", p.message);
}

#[test]
fn repeat_ladders_number_their_offences() {
    let book = format!(
        "{GOOD}\n[rule.penalty]\nquote = \"类目\"\nladder = \"repeat\"\nsteps = [{{ action = \"warning\", offence = 1 }}, {{ action = \"delist\", offence = 3 }}]\n"
    );
    let p = only(&book);
    assert_eq!(p.field.as_deref(), Some("offence"));
}

#[test]
fn override_directory_replaces_embedded_files() {
    let dir = std::env::temp_dir().join(format!("bylaw-override-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let embedded = Rulebook::embedded().expect("embedded loads");
    let (_, text) = Rulebook::embedded_files()
        .iter()
        .find(|(n, _)| *n == "minigame.toml")
        .expect("minigame.toml is embedded");
    // Replace the minigame book with a one-rule book of the same key.
    let header_end = text.find("[[").unwrap();
    let one = format!(
        "{}\n[[rule]]\nid = \"minigame/1\"\ntitle = \"类目\"\nsummary = \"S.\"\nkind = \"listing\"\napplies_to = [\"mini-game\"]\nchecks = [\"manual\"]\nquote = \"类目\"\n",
        &text[..header_end]
    );
    std::fs::write(dir.join("minigame.toml"), one).unwrap();
    let rb = Rulebook::load_dir(&dir).expect("override loads");
    assert_eq!(rb.book("minigame").unwrap().len(), 1);
    assert_eq!(rb.books().len(), embedded.books().len());
    assert_ne!(rb.version(), embedded.version());
    std::fs::write(dir.join("minigame.toml"), "[book\nkey = 1").unwrap();
    let err = Rulebook::load_dir(&dir).expect_err("broken override");
    assert!(err
        .problems()
        .iter()
        .any(|p| p.file == "minigame.toml" && p.line == Some(1)));
    std::fs::remove_dir_all(&dir).ok();
}
