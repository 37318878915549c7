//! The engine on a small, known lexicon: every evasion path and the span
//! mapping back to the original text.

use bylaw_rulebook::Rulebook;
use bylaw_textguard::{Decision, Engine, Scene, Severity, Source, Sources};

const LEX: &str = "# term\tcategory\tseverity\trule\tflags
六合彩\tgambling\tblock\tmeeting-compliance/2.3.7
赌博\tgambling\tblock\tmeeting-compliance/2.3.7
大麻\tdrugs\tblock
非法集资\tfraud\tblock
tmd\tvulgar\treview
第一\tabsolute\treview\t\tscene=listing
最\tabsolute\treview\tminiprogram/2.3\tscene=listing
代开&发票\tfraud\tblock\t\twithin=6
兼职&!正规\tfraud\treview
";

const POLICY: &str = r#"
[category_scenes]
absolute = ["listing"]
"#;

fn engine() -> Engine {
    let rb = Rulebook::embedded().expect("rulebook");
    let sources = Sources {
        lexicons: vec![("test.tsv".into(), LEX.into())],
        allow: vec![("allow.tsv".into(), "大麻烦\n最近\n".into())],
        lookalike: "氺\t水\n".into(),
        chaizi: "氵去\t法\n".into(),
        cues: String::new(),
        policy: POLICY.into(),
    };
    let (e, errors) = Engine::build(&sources, &rb).expect("builds");
    assert!(errors.is_empty(), "{errors:?}");
    e
}

fn terms(e: &Engine, text: &str, scene: Scene) -> Vec<String> {
    e.hits(text, scene)
        .into_iter()
        .map(|h| h.term.to_string())
        .collect()
}

#[test]
fn plain_and_evasions_hit_with_original_spans() {
    let e = engine();
    for text in [
        "来玩六合彩",
        "来玩六 合 彩",
        "来玩六*合*彩",
        "来玩六\u{200b}合彩",
        "来玩陆合彩",
        "来玩六合合彩",
        "来玩６合彩",
        "来玩⑥合彩",
    ] {
        let hits = e.hits(text, Scene::Chat);
        assert_eq!(hits.len(), 1, "{text}: {hits:?}");
        let h = &hits[0];
        assert_eq!(&*h.term, "六合彩");
        assert_eq!(h.rule.as_deref(), Some("meeting-compliance/2.3.7"));
        let chars: Vec<char> = text.chars().collect();
        let span: String = chars[h.start..h.end].iter().collect();
        assert_eq!(span, h.text, "{text}");
        assert_eq!(h.start, 2, "{text}");
        assert_eq!(h.end, chars.len(), "{text}");
    }
    assert_eq!(terms(&e, "賭博", Scene::Chat), ["赌博"]);
    assert_eq!(terms(&e, "非氵去集资", Scene::Chat), ["非法集资"]);
}

#[test]
fn homophones_need_three_syllables_and_are_reviewed() {
    let e = engine();
    let hits = e.hits("六和彩开奖", Scene::Chat);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].source, Source::Homophone);
    assert_eq!(hits[0].severity, Severity::Review);
    assert_eq!((hits[0].start, hits[0].end), (0, 3));
    assert_eq!(terms(&e, "play liuhecai now", Scene::Chat), ["六合彩"]);
    assert!(
        terms(&e, "qualiuhecaix", Scene::Chat).is_empty(),
        "inside a Latin word"
    );
    assert!(
        terms(&e, "打骂", Scene::Chat).is_empty(),
        "two syllables never match by sound"
    );
}

#[test]
fn latin_terms_match_whole_words_only() {
    let e = engine();
    assert_eq!(terms(&e, "你tmd", Scene::Chat), ["tmd"]);
    assert_eq!(terms(&e, "t.m.d 滚", Scene::Chat), ["tmd"]);
    assert!(terms(&e, "format md", Scene::Chat).is_empty());
    assert!(terms(&e, "xtmdx", Scene::Chat).is_empty());
    assert_eq!(terms(&e, "行业第一", Scene::Listing), ["第一"]);
    assert!(
        terms(&e, "第12届大会", Scene::Listing).is_empty(),
        "第1 is not in 第12"
    );
}

#[test]
fn allowlist_suppresses_hits_inside_it() {
    let e = engine();
    assert!(terms(&e, "真是大麻烦", Scene::Chat).is_empty());
    assert_eq!(terms(&e, "大麻烦不如大麻", Scene::Chat), ["大麻"]);
}

#[test]
fn scenes_limit_categories() {
    let e = engine();
    assert!(terms(&e, "最好的工具", Scene::Chat).is_empty());
    assert_eq!(terms(&e, "最好的工具", Scene::Listing), ["最"]);
    assert!(terms(&e, "最近上线", Scene::Listing).is_empty());
}

#[test]
fn cooccurrence_rules() {
    let e = engine();
    assert_eq!(terms(&e, "代开各类发票", Scene::Chat), ["代开&发票"]);
    assert!(
        terms(&e, "代开会议，会后开发票给财务部门", Scene::Chat).is_empty(),
        "too far apart"
    );
    assert_eq!(terms(&e, "招兼职日结", Scene::Chat), ["兼职&!正规"]);
    assert!(terms(&e, "正规兼职", Scene::Chat).is_empty());
}

#[test]
fn verdicts_and_versions() {
    let e = engine();
    let v = e.scan("来玩六合彩", Scene::Chat);
    assert_eq!(v.verdict, Decision::Block);
    assert!(v.score >= 0.9);
    assert_eq!(v.labels.len(), 1);
    assert_eq!(&*v.labels[0].rules[0], "meeting-compliance/2.3.7");
    assert_eq!(v.labels[0].rules.len(), 1);
    assert_eq!(v.lexicon_version, e.version());
    assert_eq!(v.rulebook_version, e.rulebook_version());
    let clean = e.scan("今天开会讨论方案", Scene::Chat);
    assert_eq!(clean.verdict, Decision::Pass);
    assert_eq!(clean.score, 0.0);
}

#[test]
fn bad_lexicon_lines_and_unknown_rules_are_reported_not_fatal() {
    let rb = Rulebook::embedded().unwrap();
    let sources = Sources {
        lexicons: vec![(
            "mine.tsv".into(),
            "好词\tgambling\tblock\n坏词\tgamble\tblock\n假规则\tfraud\tblock\tnowhere/1.1\n"
                .into(),
        )],
        ..Sources::default()
    };
    let (e, errors) = Engine::build(&sources, &rb).unwrap();
    assert_eq!(e.entries().len(), 1);
    let lines: Vec<(String, usize)> = errors.iter().map(|x| (x.file.clone(), x.line)).collect();
    assert_eq!(
        lines,
        [("mine.tsv".to_string(), 2), ("mine.tsv".to_string(), 3)]
    );
}

#[test]
fn cache_round_trip_gives_the_same_hits_and_rejects_bad_bytes() {
    let rb = Rulebook::embedded().unwrap();
    let sources = Sources {
        lexicons: vec![("test.tsv".into(), format!("{LEX}坏行\tnope\tblock\n"))],
        allow: vec![("allow.tsv".into(), "大麻烦\n".into())],
        chaizi: "氵去\t法\n".into(),
        policy: POLICY.into(),
        ..Sources::default()
    };
    let dir = std::env::temp_dir().join(format!("bylaw-tg-cache-{}", std::process::id()));
    let (built, errors, from_cache) = Engine::build_cached(&sources, &rb, &dir).unwrap();
    assert!(!from_cache);
    assert_eq!(errors.len(), 1);
    let (cached, errors2, from_cache) = Engine::build_cached(&sources, &rb, &dir).unwrap();
    assert!(from_cache, "second start reads the cache");
    assert_eq!(errors2, errors, "lexicon errors survive the cache");
    for text in [
        "来玩六和彩",
        "非氵去集资",
        "真是大麻烦不如大麻",
        "代开各类发票",
        "今天天气好",
    ] {
        assert_eq!(
            built.hits(text, Scene::Chat),
            cached.hits(text, Scene::Chat),
            "{text}"
        );
    }
    let bytes = built.to_cache(&errors);
    // Other sources: stale. Truncated or scrambled bytes: errors, never panics.
    let other = Sources {
        policy: String::new(),
        ..sources.clone()
    };
    assert!(Engine::from_cache(&bytes, &other, &rb).is_err());
    for cut in [0, 8, 40, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            Engine::from_cache(&bytes[..cut], &sources, &rb).is_err(),
            "cut at {cut}"
        );
    }
    let mut scrambled = bytes.clone();
    let n = scrambled.len();
    for i in (n / 3..n).step_by(7) {
        scrambled[i] ^= 0x5a;
    }
    assert!(
        Engine::from_cache(&scrambled, &sources, &rb).is_err(),
        "checksum catches damage"
    );
    std::fs::remove_dir_all(&dir).ok();
}
