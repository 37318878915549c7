//! End-to-end: the server on a loopback port, driven over HTTP.

mod common;

use common::{assert_error, Server};
use serde_json::json;

#[test]
fn health_metrics_openapi_and_docs_need_no_key() {
    let s = Server::start();
    let h = s.get("/healthz", "");
    assert_eq!(h.status, 200);
    assert!(h.json["rulebook_version"].as_str().is_some());
    assert_eq!(s.get("/readyz", "").status, 200);
    let doc = s.get("/v1/openapi.json", "");
    assert_eq!(doc.status, 200);
    assert!(doc.json["paths"]["/v1/scan"]["post"].is_object());
    let params = &doc.json["paths"]["/v1/enforcement/subjects"]["post"]["parameters"];
    let idem = params
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "Idempotency-Key"))
        .expect("writes document their Idempotency-Key");
    assert_eq!(idem["in"], "header");
    assert_eq!(idem["schema"]["maxLength"], 200);
    let page = s.get("/v1/docs", "");
    assert_eq!(page.status, 200);
    assert!(page.text.contains("/v1/scan"));
    let m = s.get("/metrics", "");
    assert!(m.text.contains("bylaw_http_requests_total"));
    assert!(m.text.contains("bylaw_queue_depth{queue=\"audit\"}"));
}

#[test]
fn v1_routes_need_a_valid_key() {
    let s = Server::start();
    assert_error(&s.get("/v1/rules", ""), 401, "unauthenticated");
    assert_error(
        &s.get("/v1/rules", "bylaw_nope_nope"),
        401,
        "unauthenticated",
    );
    let ok = s.get("/v1/rules", "scanner");
    assert_eq!(ok.status, 200);
    assert!(ok.headers.contains_key("x-request-id"));
}

#[test]
fn scan_judges_and_names_versions() {
    let s = Server::start();
    let a = s.post(
        "/v1/scan",
        "scanner",
        json!({"text": "加微信 abc12345 买枪", "scene": "comment"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_ne!(a.json["verdict"], "pass");
    assert!(a.json["hits"][0]["rule"].as_str().is_some());
    assert!(a.json["rulebook_version"].as_str().is_some());
    assert!(a.json["lexicon_version"].as_str().is_some());
    let b = s.post(
        "/v1/scan/batch",
        "scanner",
        json!({"items": [{"id": "1", "text": "你好"}, {"id": "2", "text": "加微信 abc12345"}]}),
    );
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.json["results"][0]["verdict"], "pass");
    assert_eq!(b.json["results"][1]["id"], "2");
    let w = s.post(
        "/v1/wxa/msg_sec_check",
        "scanner",
        json!({"content": "加微信 abc12345", "version": 2, "scene": 2, "openid": "o"}),
    );
    assert_eq!(w.status, 200, "{}", w.text);
    assert_eq!(w.json["errcode"], 0);
    assert!(w.json["result"]["suggest"].as_str().is_some());
}

#[test]
fn bad_input_gets_clean_4xx() {
    let s = Server::start();
    assert_error(
        &s.raw(
            "POST",
            "/v1/scan",
            "scanner",
            "application/json",
            Some(b"{\"text\":"),
        ),
        400,
        "bad-json",
    );
    assert_error(
        &s.raw(
            "POST",
            "/v1/scan",
            "scanner",
            "application/json",
            Some(b"{\"text\":\"\xff\xfe\"}"),
        ),
        400,
        "bad-utf8",
    );
    let wrong = s.post("/v1/scan", "scanner", json!({"text": 5}));
    assert_error(&wrong, 422, "bad-field");
    assert_eq!(wrong.json["error"]["field"], "text");
    assert_error(
        &s.raw("POST", "/v1/scan", "scanner", "text/plain", Some(b"hi")),
        415,
        "unsupported-media-type",
    );
    let long = "好".repeat(10_001);
    let a = s.post("/v1/scan", "scanner", json!({"text": long}));
    assert_error(&a, 413, "too-large");
    assert_eq!(a.json["error"]["field"], "text");
    let big = vec![b' '; (1 << 20) + 1024];
    assert_eq!(
        s.raw(
            "POST",
            "/v1/scan",
            "scanner",
            "application/json",
            Some(&big)
        )
        .status,
        413
    );
    let items: Vec<_> = (0..101).map(|i| json!({"text": format!("t{i}")})).collect();
    assert_error(
        &s.post("/v1/scan/batch", "scanner", json!({"items": items})),
        413,
        "too-large",
    );
    assert_error(
        &s.post("/v1/scan", "scanner", json!({"text": "x", "scene": "moon"})),
        422,
        "bad-field",
    );
}

#[test]
fn rules_list_show_search() {
    let s = Server::start();
    let l = s.get("/v1/rules?book=miniprogram", "scanner");
    assert_eq!(l.status, 200);
    assert!(l.json["rules"].as_array().unwrap().len() > 10);
    assert_error(&s.get("/v1/rules?book=nope", "scanner"), 404, "not-found");
    let r = s.get("/v1/rules/miniprogram/5.7", "scanner");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["rule"]["id"], "miniprogram/5.7");
    assert!(r.json["rule"]["quote"]
        .as_str()
        .is_some_and(|q| !q.is_empty()));
    assert_error(
        &s.get("/v1/rules/miniprogram/99.99", "scanner"),
        404,
        "not-found",
    );
    let q = s.get("/v1/rules/search?q=%E8%B5%8C%E5%8D%9A", "scanner");
    assert_eq!(q.status, 200);
    assert!(!q.json["rules"].as_array().unwrap().is_empty());
}

#[test]
fn admin_is_operator_only_and_keys_round_trip() {
    let s = Server::start();
    for k in ["reviewer", "scanner", "provider-a", "tenant-a"] {
        assert_error(&s.post("/v1/admin/reload", k, json!({})), 403, "forbidden");
        assert_error(&s.get("/v1/admin/keys", k), 403, "forbidden");
    }
    let r = s.post("/v1/admin/reload", "operator", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let made = s.post(
        "/v1/admin/keys",
        "operator",
        json!({"role": "scanner", "label": "bot"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let token = made.json["token"].as_str().unwrap().to_string();
    let id = made.json["id"].as_str().unwrap().to_string();
    assert_eq!(s.get("/v1/rules", &token).status, 200);
    let list = s.get("/v1/admin/keys", "operator");
    assert!(!list.text.contains(&token), "a listing shows no secret");
    assert_eq!(
        s.call("DELETE", &format!("/v1/admin/keys/{id}"), "operator", None)
            .status,
        204
    );
    assert_error(&s.get("/v1/rules", &token), 401, "unauthenticated");
    assert_error(
        &s.post("/v1/admin/keys", "operator", json!({"role": "provider"})),
        422,
        "bad-field",
    );
}

#[test]
fn writes_are_audited_and_questions_are_not() {
    let s = Server::start();
    assert_eq!(
        s.post("/v1/scan", "scanner", json!({"text": "你好"}))
            .status,
        200
    );
    assert_eq!(
        s.post("/v1/admin/keys", "operator", json!({"role": "scanner"}))
            .status,
        201
    );
    // A refused write is audited too.
    assert_eq!(s.post("/v1/admin/reload", "scanner", json!({})).status, 403);
    let state = s.state.clone();
    let db = s.dir.as_ref().unwrap().path().join("bylaw.db");
    s.stop_keeping_dir(|| {
        state.flush();
        let log = bylaw_store::EventLog::open(&db).unwrap();
        let mut routes = Vec::new();
        log.for_each_since(0, |e| {
            if e.kind == "audit.write" {
                let v: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
                routes.push((
                    v["route"].as_str().unwrap().to_string(),
                    v["status"].as_u64().unwrap(),
                ));
            }
            Ok(())
        })
        .unwrap();
        routes.sort();
        assert_eq!(
            routes,
            vec![
                ("/v1/admin/keys".to_string(), 201),
                ("/v1/admin/reload".to_string(), 403)
            ]
        );
    });
}

#[test]
fn each_key_has_its_own_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bylaw.db").display());
    let s = Server::start_on(&url, |c| {
        c.rate = 2.0;
        c.burst = 5.0;
    });
    let statuses: Vec<u16> = (0..8)
        .map(|_| s.get("/v1/rules/search?q=x", "scanner").status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    let limited = s.get("/v1/rules/search?q=x", "scanner");
    assert_error(&limited, 429, "rate-limited");
    assert!(limited.headers.contains_key("retry-after"));
    // Another key is not held back by the first one's bucket.
    assert_eq!(s.get("/v1/rules/search?q=x", "reviewer").status, 200);
}

#[test]
fn a_reload_picks_up_a_new_lexicon_and_verdicts_name_it() {
    let lex = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bylaw.db").display());
    let lexicons = lex.path().to_path_buf();
    let s = Server::start_on(&url, |c| c.sourcing.lexicons = Some(lexicons));
    let text = "蓝莓果酱暗号";
    let before = s.post("/v1/scan", "scanner", json!({"text": text}));
    assert_eq!(before.json["verdict"], "pass", "{}", before.text);
    let v1 = before.json["lexicon_version"].clone();
    // A lexicon line: term, category, severity, rule (docs/TEXTGUARD.md).
    std::fs::write(
        lex.path().join("extra.tsv"),
        "蓝莓果酱暗号\tcontraband\tblock\twecom-account/3.5.8.1.2\n",
    )
    .unwrap();
    let r = s.post("/v1/admin/reload", "operator", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let after = s.post("/v1/scan", "scanner", json!({"text": text}));
    assert_ne!(after.json["lexicon_version"], v1);
    assert_eq!(after.json["lexicon_version"], r.json["lexicon_version"]);
    assert_eq!(after.json["verdict"], "block", "{}", after.text);
    let m = s.get("/metrics", "");
    assert!(
        m.text.contains("bylaw_reloads_total{result=\"ok\"} 1"),
        "{}",
        m.text
    );
}
