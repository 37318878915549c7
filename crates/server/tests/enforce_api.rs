//! Enforcement over HTTP: the whole flow, idempotent retries, refusals,
//! and who may call what (roles, and providers confined to their own
//! subject's targets and cases).

mod common;

use std::time::Duration;

use bylaw_enforce::time::format;
use common::{assert_error, Answer, Server};
use serde_json::{json, Value};

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A time `days` after a start 30 days ago (so a provider, who acts now,
/// comes after everything set up in the past).
fn day(t0: i64, days: i64) -> String {
    format(t0 + days * DAY)
}

/// POST with an `Idempotency-Key`.
fn post_keyed(s: &Server, path: &str, key: &str, idem: &str, body: Value) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&format!("{}{path}", s.base))
        .header("authorization", &format!("Bearer {}", s.key(key)))
        .header("content-type", "application/json")
        .header("idempotency-key", idem)
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Default::default(),
    }
}

/// A request without a key, on a connection of its own: the server answers
/// 401 before reading the body and then closes that connection, which must
/// not be one a later request reuses.
fn anonymous(s: &Server, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}{path}", s.base);
    let result = match (method, body) {
        ("GET", _) => agent.get(&url).call(),
        ("DELETE", _) => agent.delete(&url).call(),
        (_, b) => agent
            .post(&url)
            .header("content-type", "application/json")
            .send(b.map(Value::to_string).unwrap_or_default().as_bytes()),
    };
    let mut resp = result.unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Default::default(),
    }
}

fn ok(a: &Answer, status: u16) -> &Value {
    assert_eq!(a.status, status, "{}", a.text);
    &a.json
}

/// Subjects subj-a (mini program mp-a, Meeting app app-a) and subj-b (mp-b).
fn parties(s: &Server, t0: i64) {
    let at = day(t0, 0);
    for (id, name) in [("subj-a", "示例科技"), ("subj-b", "另一家公司")] {
        ok(
            &s.post(
                "/v1/enforcement/subjects",
                "operator",
                json!({"id": id, "name": name, "at": at}),
            ),
            201,
        );
    }
    for (id, subject, kind, platform) in [
        ("mp-a", "subj-a", "mini-program", "miniprogram"),
        ("app-a", "subj-a", "app", "meeting"),
        ("mp-b", "subj-b", "mini-program", "miniprogram"),
    ] {
        ok(
            &s.post(
                "/v1/enforcement/targets",
                "operator",
                json!({"id": id, "subject": subject, "kind": kind, "platform": platform, "at": at}),
            ),
            201,
        );
    }
}

/// Case c1 on mp-a: miniprogram/5.7 branch 3 (3 days to rectify, then a
/// delisting), decided and lapsed on day 3.
fn lapsed_case(s: &Server, t0: i64) {
    ok(
        &s.post(
            "/v1/enforcement/violations",
            "reviewer",
            json!({"case": "c1", "rule": "miniprogram/5.7", "target": "mp-a",
                "evidence": "直播未选直播类目", "at": day(t0, 0)}),
        ),
        201,
    );
    ok(
        &s.post(
            "/v1/enforcement/cases/c1/decisions",
            "reviewer",
            json!({"branch": "3", "at": day(t0, 0)}),
        ),
        200,
    );
    ok(
        &s.post(
            "/v1/enforcement/tick",
            "operator",
            json!({"now": day(t0, 3)}),
        ),
        200,
    );
}

fn can(s: &Server, key: &str, target: &str, cap: &str, at: &str) -> Answer {
    s.get(
        &format!("/v1/enforcement/can?target={target}&capability={cap}&at={at}"),
        key,
    )
}

#[test]
fn the_whole_flow_over_http() {
    let s = Server::start();
    let t0 = now() - 30 * DAY;
    parties(&s, t0);
    ok(
        &s.post(
            "/v1/enforcement/subjects",
            "operator",
            json!({"id": "subj-c", "at": day(t0, 0)}),
        ),
        201,
    );
    let aff = s.post(
        "/v1/enforcement/affiliations",
        "operator",
        json!({"a": "subj-b", "b": "subj-c", "kind": "parent-subsidiary", "at": day(t0, 0)}),
    );
    assert_eq!(ok(&aff, 201)["event"], "affiliated");

    let v = s.post(
        "/v1/enforcement/violations",
        "reviewer",
        json!({"case": "c1", "rule": "miniprogram/5.7", "target": "mp-a",
            "origin": "review", "evidence": "直播未选直播类目", "at": day(t0, 0)}),
    );
    let v = ok(&v, 201);
    assert_eq!(v["case"]["status"], "open");
    assert!(v["rulebook_version"]
        .as_str()
        .is_some_and(|x| !x.is_empty()));
    // miniprogram/5.7 has four branches: the reviewer must pick one.
    let refused = s.post(
        "/v1/enforcement/cases/c1/decisions",
        "reviewer",
        json!({"at": day(t0, 0)}),
    );
    assert_error(&refused, 409, "refused");
    assert!(
        refused.text.contains("miniprogram/5.7.penalty.3"),
        "{}",
        refused.text
    );
    let d = s.post(
        "/v1/enforcement/cases/c1/decisions",
        "reviewer",
        json!({"branch": "3", "at": day(t0, 0), "reason": "高危类目未申请"}),
    );
    let d = ok(&d, 200);
    assert_eq!(d["case"]["status"], "decided");
    assert_eq!(d["case"]["decided"], day(t0, 0));
    assert!(d["notices"][0]["text"]
        .as_str()
        .unwrap()
        .contains("限期整改"));
    // Deciding again is a refused transition.
    assert_error(
        &s.post(
            "/v1/enforcement/cases/c1/decisions",
            "reviewer",
            json!({"branch": "3", "at": day(t0, 1)}),
        ),
        409,
        "refused",
    );
    let a = can(&s, "provider-a", "mp-a", "searchable", &day(t0, 1));
    assert_eq!(ok(&a, 200)["allowed"], true);
    let t = s.post(
        "/v1/enforcement/tick",
        "operator",
        json!({"now": day(t0, 3)}),
    );
    assert_eq!(ok(&t, 200)["notices"][0]["kind"], "deadline-lapsed");
    // Denied, with the reason, as of day 4; allowed as of day 1 still.
    let a = can(&s, "provider-a", "mp-a", "searchable", &day(t0, 4));
    let a = ok(&a, 200);
    assert_eq!(a["allowed"], false);
    assert_eq!(a["target"], "mp-a");
    assert_eq!(a["at"], day(t0, 4));
    assert_eq!(a["reasons"][0]["rule"], "miniprogram/5.7.penalty.3");
    assert_eq!(a["reasons"][0]["case"], "c1");
    assert_eq!(a["reasons"][0]["holder"]["kind"], "target");
    assert!(a["rulebook_version"].as_str().is_some());
    let a = can(&s, "reviewer", "mp-a", "searchable", &day(t0, 1));
    assert_eq!(ok(&a, 200)["allowed"], true);
    let m = s.get("/metrics", "");
    assert!(m
        .text
        .contains("bylaw_verdicts_total{kind=\"can\",verdict=\"denied\"} 1"));
    assert!(m
        .text
        .contains("bylaw_verdicts_total{kind=\"can\",verdict=\"allowed\"} 2"));

    let st = s.get(
        &format!("/v1/enforcement/targets/mp-a/status?at={}", day(t0, 4)),
        "reviewer",
    );
    let st = ok(&st, 200);
    assert_eq!(st["subject"], "subj-a");
    assert_eq!(st["platform"], "miniprogram");
    assert!(st["denied"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "existing-installs"));
    assert_eq!(st["cases"][0]["status"], "decided");
    assert_eq!(st["deadlines"][0]["state"], "lapsed");
    assert!(st["rulebook_version"].as_str().is_some());

    // The provider reports its rectification now (it cannot backdate it).
    let back = s.post(
        "/v1/enforcement/cases/c1/rectifications",
        "provider-a",
        json!({"report": "已更换类目", "at": day(t0, 2)}),
    );
    assert_error(&back, 403, "forbidden");
    assert_eq!(back.json["error"]["field"], "at");
    let r = s.post(
        "/v1/enforcement/cases/c1/rectifications",
        "provider-a",
        json!({"report": "已更换类目"}),
    );
    assert_eq!(ok(&r, 200)["case"]["status"], "rectifying");
    let r = s.post(
        "/v1/enforcement/cases/c1/rectifications/review",
        "reviewer",
        json!({"accepted": true, "reason": "类目已更正"}),
    );
    assert_eq!(ok(&r, 200)["case"]["status"], "restored");
    let later = format(now() + 60);
    assert_eq!(
        ok(
            &can(&s, "provider-a", "mp-a", "existing-installs", &later),
            200
        )["allowed"],
        true
    );
    assert_eq!(
        ok(&can(&s, "provider-a", "mp-a", "searchable", &later), 200)["allowed"],
        false,
        "search needs a fresh application"
    );
    let r = s.post(
        "/v1/enforcement/reinstatements",
        "provider-a",
        json!({"target": "mp-a", "capability": "searchable"}),
    );
    assert_eq!(ok(&r, 200)["event"], "reinstated");
    assert_eq!(
        ok(&can(&s, "provider-a", "mp-a", "searchable", &later), 200)["allowed"],
        true
    );

    let r = s.post(
        "/v1/enforcement/cases/c1/appeals",
        "provider-a",
        json!({"reason": "类目本已选对"}),
    );
    assert_eq!(ok(&r, 200)["case"]["appeal_pending"], true);
    assert_error(
        &s.post(
            "/v1/enforcement/cases/c1/appeals",
            "provider-a",
            json!({"reason": "再次申诉"}),
        ),
        409,
        "refused",
    );
    let r = s.post(
        "/v1/enforcement/cases/c1/appeals/resolve",
        "reviewer",
        json!({"overturned": false, "reason": "维持原处理"}),
    );
    let r = ok(&r, 200);
    assert_eq!(r["case"]["appeal_pending"], false);
    assert_eq!(r["case"]["appeals"], 1);

    let w = s.post(
        "/v1/enforcement/withdrawals",
        "provider-a",
        json!({"target": "app-a", "rule": "meeting-market/4.withdrawal"}),
    );
    assert_eq!(ok(&w, 200)["event"], "withdrawn");
    assert_eq!(
        ok(&can(&s, "provider-a", "app-a", "new-installs", &later), 200)["allowed"],
        false,
        "Meeting: after a withdrawal new enterprises cannot install"
    );
    assert_eq!(
        ok(
            &can(&s, "provider-a", "app-a", "existing-installs", &later),
            200
        )["allowed"],
        true
    );
    let t = s.post(
        "/v1/enforcement/tick",
        "operator",
        json!({"now": format(now() + 3600)}),
    );
    assert_eq!(ok(&t, 200)["event"], "tick");

    let tl = s.get("/v1/enforcement/targets/mp-a/timeline", "provider-a");
    let tl = ok(&tl, 200);
    let kinds: Vec<&str> = tl["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[..3],
        ["violation", "decision", "deadline-lapsed"],
        "{kinds:?}"
    );
    assert!(kinds.contains(&"restored"), "{kinds:?}");
    assert!(tl["rulebook_version"].as_str().is_some());

    let c = s.get("/v1/enforcement/cases/c1", "provider-a");
    let c = ok(&c, 200);
    assert_eq!(c["case"]["id"], "c1");
    assert_eq!(c["case"]["opened"], day(t0, 0));
    assert!(!c["sanctions"].as_array().unwrap().is_empty());
    assert_eq!(c["deadlines"][0]["state"], "lapsed");
    assert!(c["notices"][0]["quote"]
        .as_str()
        .is_some_and(|q| !q.is_empty()));
    assert!(c["rulebook_version"].as_str().is_some());

    // Everything above survives a restart: the log is replayed.
    let before = s.state.enforce.read().fingerprint();
    let url = s.state.config.database.clone();
    let s2 = Server::start_on(&url, |_| {});
    assert_eq!(s2.state.enforce.read().fingerprint(), before);
}

#[test]
fn retries_with_the_same_idempotency_key_apply_once() {
    let s = Server::start();
    let t0 = now() - 30 * DAY;
    parties(&s, t0);
    let body = json!({"case": "c1", "rule": "miniprogram/5.7", "target": "mp-a", "at": day(t0, 0)});
    let first = post_keyed(
        &s,
        "/v1/enforcement/violations",
        "reviewer",
        "report-42",
        body.clone(),
    );
    let first = ok(&first, 201).clone();
    assert_eq!(first["repeat"], false);
    let again = post_keyed(
        &s,
        "/v1/enforcement/violations",
        "reviewer",
        "report-42",
        body,
    );
    let again = ok(&again, 200);
    assert_eq!(again["repeat"], true);
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(again["case"]["status"], "open");
    assert_eq!(again["notices"], json!([]));
    // The same key on a different request is refused, and nothing changes.
    let other = post_keyed(
        &s,
        "/v1/enforcement/violations",
        "reviewer",
        "report-42",
        json!({"case": "c2", "rule": "miniprogram/5.7", "target": "mp-a", "at": day(t0, 0)}),
    );
    assert_error(&other, 409, "idempotency-conflict");
    assert_eq!(other.json["error"]["field"], "Idempotency-Key");
    assert_error(
        &s.get("/v1/enforcement/cases/c2", "operator"),
        404,
        "not-found",
    );
    // Keys are per API key: another key's "report-42" is its own.
    let op = post_keyed(
        &s,
        "/v1/enforcement/violations",
        "operator",
        "report-42",
        json!({"case": "c3", "rule": "miniprogram/5.7", "target": "mp-b", "at": day(t0, 0)}),
    );
    assert_eq!(ok(&op, 201)["repeat"], false);

    // A decision retried a second later without `at` (stamped anew) is the
    // same request: applied once.
    let events = s.state.enforce.read().events();
    let d1 = post_keyed(
        &s,
        "/v1/enforcement/cases/c1/decisions",
        "reviewer",
        "decide-c1",
        json!({"branch": "3"}),
    );
    let d1 = ok(&d1, 200).clone();
    assert_eq!(d1["notices"].as_array().unwrap().len(), 1);
    std::thread::sleep(Duration::from_millis(1100));
    let d2 = post_keyed(
        &s,
        "/v1/enforcement/cases/c1/decisions",
        "reviewer",
        "decide-c1",
        json!({"branch": "3"}),
    );
    let d2 = ok(&d2, 200);
    assert_eq!(d2["repeat"], true);
    assert_eq!(d2["seq"], d1["seq"]);
    assert_eq!(s.state.enforce.read().events(), events + 1);
    let c = s.get("/v1/enforcement/cases/c1", "reviewer");
    let decisions = ok(&c, 200)["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "decision")
        .count();
    assert_eq!(decisions, 1);

    // Bad keys and bad input.
    let long = "k".repeat(201);
    let a = post_keyed(
        &s,
        "/v1/enforcement/tick",
        "operator",
        &long,
        json!({"now": day(t0, 1)}),
    );
    assert_error(&a, 400, "invalid");
    assert_eq!(a.json["error"]["field"], "Idempotency-Key");
    let a = s.post(
        "/v1/enforcement/violations",
        "reviewer",
        json!({"case": "c9", "rule": "miniprogram/5.7", "target": "mp-a", "at": "yesterday"}),
    );
    assert_error(&a, 400, "invalid");
    assert_eq!(a.json["error"]["field"], "at");
    let a = s.post(
        "/v1/enforcement/targets",
        "operator",
        json!({"id": "x", "subject": "subj-a", "kind": "spaceship"}),
    );
    assert_error(&a, 422, "bad-field");
    assert_eq!(a.json["error"]["field"], "kind");
    assert_error(
        &s.post("/v1/enforcement/subjects", "operator", json!({"id": "a/b"})),
        400,
        "invalid",
    );
    assert_error(
        &s.post(
            "/v1/enforcement/subjects",
            "operator",
            json!({"id": "s9", "colour": "red"}),
        ),
        422,
        "bad-field",
    );
    assert_error(
        &s.post("/v1/enforcement/tick", "operator", json!({"now": "soon"})),
        400,
        "invalid",
    );
    assert_error(
        &can(&s, "reviewer", "mp-a", "teleport", &day(t0, 1)),
        404,
        "not-found",
    );
    assert_error(
        &s.get("/v1/enforcement/can?target=mp-a", "reviewer"),
        400,
        "bad-query",
    );
    // Unknown ids are 404, in a path or in a body.
    assert_error(
        &s.post(
            "/v1/enforcement/cases/nope/rectifications",
            "operator",
            json!({"report": "x"}),
        ),
        404,
        "not-found",
    );
    assert_error(
        &s.post(
            "/v1/enforcement/violations",
            "reviewer",
            json!({"case": "c8", "rule": "miniprogram/5.7", "target": "ghost"}),
        ),
        404,
        "not-found",
    );
    assert_error(
        &s.get("/v1/enforcement/targets/ghost/status", "reviewer"),
        404,
        "not-found",
    );
    // Refused transitions: an undecided case has nothing to rectify or appeal.
    assert_error(
        &s.post(
            "/v1/enforcement/cases/c3/rectifications",
            "operator",
            json!({"report": "x"}),
        ),
        409,
        "refused",
    );
    assert_error(
        &s.post(
            "/v1/enforcement/cases/c3/appeals/resolve",
            "reviewer",
            json!({"overturned": true}),
        ),
        409,
        "refused",
    );
    // Time cannot run backwards.
    assert_error(
        &s.post(
            "/v1/enforcement/subjects",
            "operator",
            json!({"id": "s-old", "at": "2000-01-01T00:00:00Z"}),
        ),
        409,
        "refused",
    );
}

/// One route: method, path, body, and whether reviewer and provider may call it.
struct Route {
    method: &'static str,
    path: String,
    body: Option<Value>,
    reviewer: bool,
    provider: bool,
}

fn call(s: &Server, r: &Route, key: &str) -> Answer {
    s.call(r.method, &r.path, key, r.body.as_ref())
}

fn routes(t0: i64) -> Vec<Route> {
    let r = |method, path: &str, body: Option<Value>, reviewer, provider| Route {
        method,
        path: path.to_string(),
        body,
        reviewer,
        provider,
    };
    let q = format!("?target=mp-a&capability=searchable&at={}", day(t0, 4));
    vec![
        r(
            "POST",
            "/v1/enforcement/subjects",
            Some(json!({"id": "x-s"})),
            false,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/affiliations",
            Some(json!({"a": "subj-a", "b": "subj-b", "kind": "declared"})),
            false,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/targets",
            Some(json!({"id": "x-t", "subject": "subj-a", "kind": "app", "platform": "meeting"})),
            false,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/violations",
            Some(json!({"case": "x-c", "rule": "miniprogram/5.7", "target": "mp-a"})),
            true,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/cases/c1/decisions",
            Some(json!({"branch": "3"})),
            true,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/cases/c1/rectifications",
            Some(json!({"report": "已整改"})),
            false,
            true,
        ),
        r(
            "POST",
            "/v1/enforcement/cases/c1/rectifications/review",
            Some(json!({"accepted": true})),
            true,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/cases/c1/appeals",
            Some(json!({"reason": "申诉"})),
            false,
            true,
        ),
        r(
            "POST",
            "/v1/enforcement/cases/c1/appeals/resolve",
            Some(json!({"overturned": true})),
            true,
            false,
        ),
        r(
            "POST",
            "/v1/enforcement/withdrawals",
            Some(json!({"target": "app-a", "rule": "meeting-market/4.withdrawal"})),
            false,
            true,
        ),
        r(
            "POST",
            "/v1/enforcement/reinstatements",
            Some(json!({"target": "mp-a", "capability": "searchable"})),
            false,
            true,
        ),
        r(
            "POST",
            "/v1/enforcement/tick",
            Some(json!({"now": format(now())})),
            false,
            false,
        ),
        r("GET", &format!("/v1/enforcement/can{q}"), None, true, true),
        r(
            "GET",
            "/v1/enforcement/targets/mp-a/status",
            None,
            true,
            true,
        ),
        r(
            "GET",
            "/v1/enforcement/targets/mp-a/timeline",
            None,
            true,
            true,
        ),
        r("GET", "/v1/enforcement/cases/c1", None, true, true),
    ]
}

#[test]
fn every_route_refuses_the_roles_it_must_and_providers_see_only_their_own() {
    let s = Server::start();
    let t0 = now() - 30 * DAY;
    parties(&s, t0);
    lapsed_case(&s, t0);
    let table = routes(t0);
    // Every route is in the OpenAPI document.
    let doc = s.get("/v1/openapi.json", "");
    for r in &table {
        let path = r.path.split('?').next().unwrap().replace("c1", "{case}");
        let path = if path.starts_with("/v1/enforcement/cases/{case}") && r.method == "GET" {
            "/v1/enforcement/cases/{id}".to_string()
        } else {
            path.replace("targets/mp-a", "targets/{id}")
        };
        assert!(
            doc.json["paths"][&path][r.method.to_lowercase()].is_object(),
            "{} {path} not documented",
            r.method
        );
    }
    let events = || s.state.enforce.read().events();
    let before = events();
    for r in &table {
        let mut refused = vec!["scanner", "tenant-a", "tenant-b"];
        if !r.reviewer {
            refused.push("reviewer");
        }
        if !r.provider {
            refused.extend(["provider-a", "provider-b"]);
        }
        for key in refused {
            let a = call(&s, r, key);
            assert_error(&a, 403, "forbidden");
            assert!(
                a.json["error"]["message_en"]
                    .as_str()
                    .unwrap()
                    .contains("may not"),
                "{} {} as {key}: {}",
                r.method,
                r.path,
                a.text
            );
        }
        if r.provider {
            // Another subject's target or case: exactly as if it did not exist.
            let a = call(&s, r, "provider-b");
            assert_error(&a, 404, "not-found");
            let ghost = Route {
                method: r.method,
                path: r.path.replace("mp-a", "zz-zz").replace("c1", "zz"),
                body: r.body.as_ref().map(|b| {
                    serde_json::from_str(
                        &b.to_string()
                            .replace("mp-a", "zz-zz")
                            .replace("app-a", "zz-zz"),
                    )
                    .unwrap()
                }),
                reviewer: r.reviewer,
                provider: r.provider,
            };
            let g = call(&s, &ghost, "provider-b");
            assert_error(&g, 404, "not-found");
            let strip = |a: &Answer| {
                a.json["error"]["message_en"]
                    .as_str()
                    .unwrap()
                    .split('`')
                    .next()
                    .unwrap()
                    .to_string()
            };
            assert_eq!(strip(&a), strip(&g), "{} {}", r.method, r.path);
        }
    }
    assert_eq!(events(), before, "no refused call changed anything");
    // The owner's reads work.
    for r in table.iter().filter(|r| r.method == "GET") {
        assert_eq!(call(&s, r, "provider-a").status, 200, "{}", r.path);
        assert_eq!(call(&s, r, "reviewer").status, 200, "{}", r.path);
    }
    // And provider-b reads its own.
    let a = can(&s, "provider-b", "mp-b", "searchable", &day(t0, 4));
    assert_eq!(ok(&a, 200)["allowed"], true);
    assert_eq!(
        s.get("/v1/enforcement/targets/mp-b/status", "provider-b")
            .status,
        200
    );
    // No key at all: 401 everywhere.
    for r in &table {
        assert_error(
            &anonymous(&s, r.method, &r.path, r.body.as_ref()),
            401,
            "unauthenticated",
        );
    }
}
