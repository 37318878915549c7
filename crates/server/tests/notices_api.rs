//! The notice outbox and webhooks over HTTP: listing by owner,
//! acknowledgements, signed deliveries with retries, no redelivery after
//! an acknowledgement or a restart, giving up, and who may call what.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bylaw_enforce::time::format;
use bylaw_enforce::{Choice, Event, Origin};
use bylaw_server::webhooks::{self, Policy, Webhook};
use bylaw_server::{AppState, ServeConfig};
use bylaw_store::NewEvent;
use common::{assert_error, Answer, Server};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
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

/// Subjects subj-a (mp-a) and subj-b (mp-b), 30 days ago.
fn parties(s: &Server) {
    let at = format(now() - 30 * DAY);
    for id in ["subj-a", "subj-b"] {
        ok(
            &s.post(
                "/v1/enforcement/subjects",
                "operator",
                json!({"id": id, "at": at}),
            ),
            201,
        );
    }
    for (id, subject) in [("mp-a", "subj-a"), ("mp-b", "subj-b")] {
        ok(
            &s.post(
                "/v1/enforcement/targets",
                "operator",
                json!({"id": id, "subject": subject, "kind": "mini-program",
                    "platform": "miniprogram", "at": at}),
            ),
            201,
        );
    }
}

/// Reports and decides a case on `target`: one decision notice.
fn decided(s: &Server, case: &str, target: &str) -> Value {
    ok(
        &s.post(
            "/v1/enforcement/violations",
            "reviewer",
            json!({"case": case, "rule": "miniprogram/5.7", "target": target}),
        ),
        201,
    );
    let d = s.post(
        &format!("/v1/enforcement/cases/{case}/decisions"),
        "reviewer",
        json!({"branch": "3"}),
    );
    ok(&d, 200)["notices"][0].clone()
}

fn ids(a: &Answer) -> Vec<u64> {
    a.json["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn the_outbox_is_filtered_by_owner_and_acknowledged() {
    let s = Server::start_with(|c| c.webhook_private = true);
    parties(&s);
    let na = decided(&s, "ca", "mp-a");
    let nb = decided(&s, "cb", "mp-b");
    let (a, b) = (na["id"].as_u64().unwrap(), nb["id"].as_u64().unwrap());
    assert_eq!(nb["subject"], "subj-b");

    for key in ["operator", "reviewer"] {
        let l = s.get("/v1/notices", key);
        assert_eq!(ids(&l), [a, b], "{key}");
        assert!(l.json["rulebook_version"].as_str().is_some());
    }
    let la = s.get("/v1/notices", "provider-a");
    assert_eq!(ids(&la), [a]);
    let n = &la.json["notices"][0];
    assert_eq!(n["subject"], "subj-a");
    assert_eq!(n["acked"], false);
    assert!(n["quote"].as_str().is_some_and(|q| !q.is_empty()));
    assert!(n["text_en"].as_str().is_some_and(|q| !q.is_empty()));
    assert_eq!(ids(&s.get("/v1/notices", "provider-b")), [b]);
    // Paging.
    let p1 = s.get("/v1/notices?limit=1", "operator");
    assert_eq!(ids(&p1), [a]);
    let next = p1.json["next"].as_u64().unwrap();
    let p2 = s.get(&format!("/v1/notices?limit=1&since={next}"), "operator");
    assert_eq!(ids(&p2), [b]);
    assert!(p2.json.get("next").is_none());
    assert_error(&s.get("/v1/notices?limit=0", "operator"), 400, "invalid");
    assert_error(&s.get("/v1/notices?since=x", "operator"), 400, "bad-query");

    // Acknowledge: the owner, once; a repeat changes nothing.
    let k = s.post(&format!("/v1/notices/{a}/ack"), "provider-a", json!({}));
    let k = ok(&k, 200);
    assert_eq!(k["acked"], true);
    assert_eq!(k["repeat"], false);
    let k = s.post(&format!("/v1/notices/{a}/ack"), "operator", json!({}));
    assert_eq!(ok(&k, 200)["repeat"], true);
    assert_error(
        &s.post(&format!("/v1/notices/{a}/ack"), "provider-b", json!({})),
        404,
        "not-found",
    );
    assert_error(
        &s.post("/v1/notices/999/ack", "operator", json!({})),
        404,
        "not-found",
    );
    assert_error(
        &s.post("/v1/notices/abc/ack", "operator", json!({})),
        404,
        "not-found",
    );
    let l = s.get("/v1/notices", "operator");
    assert_eq!(l.json["notices"][0]["acked"], true);
    assert_eq!(l.json["notices"][1]["acked"], false);
    assert_eq!(ids(&s.get("/v1/notices?unacked=true", "operator")), [b]);
    assert!(ids(&s.get("/v1/notices?unacked=true", "provider-a")).is_empty());
    // Stored on the log: a restart keeps it.
    let url = s.state.config.database.clone();
    let s2 = Server::start_on(&url, |c| c.webhook_private = true);
    assert_eq!(ids(&s2.get("/v1/notices?unacked=true", "operator")), [b]);
}

#[test]
fn every_notice_and_webhook_route_refuses_the_roles_it_must() {
    let s = Server::start_with(|c| c.webhook_private = true);
    parties(&s);
    let a = decided(&s, "ca", "mp-a")["id"].as_u64().unwrap();
    let hook = s.post(
        "/v1/webhooks",
        "provider-a",
        json!({"url": "http://127.0.0.1:9/hook"}),
    );
    let hook = ok(&hook, 201)["id"].as_str().unwrap().to_string();
    let body = json!({"url": "http://127.0.0.1:9/other"});
    // (method, path, body, refused keys)
    let table: Vec<(&str, String, Option<Value>, Vec<&str>)> = vec![
        (
            "GET",
            "/v1/notices".into(),
            None,
            vec!["scanner", "tenant-a"],
        ),
        (
            "POST",
            format!("/v1/notices/{a}/ack"),
            Some(json!({})),
            vec!["scanner", "tenant-a", "reviewer"],
        ),
        (
            "POST",
            "/v1/webhooks".into(),
            Some(body.clone()),
            vec!["scanner", "tenant-a", "reviewer"],
        ),
        (
            "GET",
            "/v1/webhooks".into(),
            None,
            vec!["scanner", "tenant-a", "reviewer"],
        ),
        (
            "DELETE",
            format!("/v1/webhooks/{hook}"),
            None,
            vec!["scanner", "tenant-a", "reviewer"],
        ),
    ];
    let doc = s.get("/v1/openapi.json", "");
    for (method, path, body, refused) in &table {
        let documented = path
            .replace(&format!("/{a}/"), "/{id}/")
            .replace(&hook, "{id}");
        assert!(
            doc.json["paths"][&documented][method.to_lowercase()].is_object(),
            "{method} {documented} not documented"
        );
        for key in refused {
            assert_error(&s.call(method, path, key, body.as_ref()), 403, "forbidden");
        }
        assert_error(
            &anonymous(&s, method, path, body.as_ref()),
            401,
            "unauthenticated",
        );
    }
    // provider-b: a's notice and webhook do not exist for it.
    assert_error(
        &s.post(&format!("/v1/notices/{a}/ack"), "provider-b", json!({})),
        404,
        "not-found",
    );
    assert_error(
        &s.call(
            "DELETE",
            &format!("/v1/webhooks/{hook}"),
            "provider-b",
            None,
        ),
        404,
        "not-found",
    );
    assert!(ids(&s.get("/v1/notices", "provider-b")).is_empty());
    let l = s.get("/v1/webhooks", "provider-b");
    assert_eq!(ok(&l, 200)["webhooks"], json!([]));
    // Nothing changed: a's webhook is still there, its notice unacknowledged.
    let l = s.get("/v1/webhooks", "provider-a");
    assert_eq!(ok(&l, 200)["webhooks"][0]["id"], hook.as_str());
    assert!(
        l.json["webhooks"][0].get("secret").is_none(),
        "secret shown once only"
    );
    assert_eq!(
        s.get("/v1/notices", "operator").json["notices"][0]["acked"],
        false
    );
    // Only plain http:// URLs; secrets of a sane length.
    for bad in [
        json!({"url": "https://example.com/hook"}),
        json!({"url": "example.com"}),
        json!({"url": "http://127.0.0.1:9/h", "secret": "short"}),
    ] {
        assert_error(&s.post("/v1/webhooks", "operator", bad), 400, "invalid");
    }
    // The owner deletes its own; an operator sees and deletes any.
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/v1/webhooks/{hook}"),
            "provider-a",
            None
        )
        .status,
        204
    );
    assert_error(
        &s.call("DELETE", &format!("/v1/webhooks/{hook}"), "operator", None),
        404,
        "not-found",
    );
}

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Got {
    headers: HashMap<String, String>,
    body: String,
    answered: u16,
}

/// A webhook receiver on a loopback port; `script(n)` is the status of the
/// n-th request (from 0).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Receiver {
    fn start(script: impl Fn(usize) -> u16 + Send + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let Some((headers, body)) = read_request(&mut stream) else {
                    continue;
                };
                let answered = {
                    let mut g = seen.lock().unwrap();
                    let status = script(g.len());
                    g.push(Got {
                        headers,
                        body,
                        answered: status,
                    });
                    status
                };
                let reason = if answered < 300 { "OK" } else { "Error" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {answered} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver { url, got }
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was received (at most 20 s).
    fn wait(&self, what: &str, done: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        let start = Instant::now();
        loop {
            let g = self.got();
            if done(&g) {
                return g;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out: {what}: {g:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<(HashMap<String, String>, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    Some((headers, body))
}

/// HMAC-SHA256, written out again here so the test does not trust the server's.
fn hmac(key: &[u8], msg: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = {
        let mut h = Sha256::new();
        h.update(k.map(|b| b ^ 0x36));
        h.update(msg);
        h.finalize().to_vec()
    };
    let mut h = Sha256::new();
    h.update(k.map(|b| b ^ 0x5c));
    h.update(&inner);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `X-Bylaw-Signature: t=<unix>,v1=<hex>` against the body.
fn signed(g: &Got, secret: &str) -> bool {
    let Some(sig) = g.headers.get("x-bylaw-signature") else {
        return false;
    };
    let Some((t, v1)) = sig.strip_prefix("t=").and_then(|r| r.split_once(",v1=")) else {
        return false;
    };
    let fresh = t.parse::<i64>().is_ok_and(|t| (t - now()).abs() < 120);
    fresh && hmac(secret.as_bytes(), format!("{t}.{}", g.body).as_bytes()) == v1
}

fn notice_of(g: &Got) -> Value {
    serde_json::from_str(&g.body).unwrap()
}

#[test]
fn webhooks_are_signed_retried_and_not_delivered_again() {
    let receiver = Receiver::start(|n| if n < 2 { 500 } else { 200 });
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bylaw.db").display());
    let s = Server::start_on(&db, |c| c.webhook_private = true);
    let w = s.post("/v1/webhooks", "operator", json!({"url": receiver.url}));
    let w = ok(&w, 201).clone();
    let hook = w["id"].as_str().unwrap().to_string();
    let secret = w["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 48, "generated: 24 random bytes");
    parties(&s);
    let n = decided(&s, "ca", "mp-a")["id"].as_u64().unwrap();

    // 500, 500, then 200: three attempts, each signed, then stored as delivered.
    let got = receiver.wait("a delivery", |g| g.iter().any(|x| x.answered == 200));
    assert_eq!(got.len(), 3, "{got:?}");
    for g in &got {
        assert!(signed(g, &secret), "bad signature: {g:?}");
        assert_eq!(g.headers["x-bylaw-notice"], n.to_string());
        let body = notice_of(g);
        assert_eq!(body["id"], n);
        assert_eq!(body["webhook"], hook.as_str());
        assert_eq!(body["subject"], "subj-a");
        assert!(body["text"]
            .as_str()
            .is_some_and(|t| t.contains("限期整改")));
    }
    let start = Instant::now();
    while !webhooks::server_events(&s.state)
        .delivered
        .contains(&(hook.clone(), n as usize))
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "delivery not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let m = s.get("/metrics", "");
    assert!(m.text.contains("bylaw_queue_depth{queue=\"webhooks\"}"));

    // Acknowledging does not deliver it again.
    ok(
        &s.post(&format!("/v1/notices/{n}/ack"), "operator", json!({})),
        200,
    );
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(receiver.got().len(), 3, "delivered once");

    // Nor does a restart: the delivery is on the log.
    s.stop();
    let s = Server::start_on(&db, |c| c.webhook_private = true);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        receiver.got().len(),
        3,
        "not delivered again after a restart"
    );
    // The restarted deliverer delivers what is new.
    let n2 = decided(&s, "cb", "mp-b")["id"].as_u64().unwrap();
    let got = receiver.wait("the new notice", |g| g.len() == 4);
    assert_eq!(got[3].headers["x-bylaw-notice"], n2.to_string());
    assert!(signed(&got[3], &secret));
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(receiver.got().len(), 4);
}

#[test]
fn a_provider_webhook_receives_only_its_subjects_notices() {
    let all = Receiver::start(|_| 200);
    let mine = Receiver::start(|_| 200);
    let s = Server::start_with(|c| c.webhook_private = true);
    let op = s.post(
        "/v1/webhooks",
        "operator",
        json!({"url": all.url, "secret": "operator-secret-0123456789"}),
    );
    assert_eq!(ok(&op, 201)["secret"], "operator-secret-0123456789");
    assert!(op.json.get("owner").is_none());
    let pa = s.post("/v1/webhooks", "provider-a", json!({"url": mine.url}));
    let pa = ok(&pa, 201).clone();
    assert_eq!(pa["owner"], "subj-a");
    parties(&s);
    let a = decided(&s, "ca", "mp-a")["id"].as_u64().unwrap();
    let b = decided(&s, "cb", "mp-b")["id"].as_u64().unwrap();
    let got = all.wait("both notices", |g| g.len() >= 2);
    let mut seen: Vec<u64> = got
        .iter()
        .map(|g| notice_of(g)["id"].as_u64().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, [a, b]);
    let got = mine.wait("a's notice", |g| !g.is_empty());
    std::thread::sleep(Duration::from_millis(800));
    let got_later = mine.got();
    assert_eq!(got_later.len(), 1, "{got_later:?}");
    assert_eq!(notice_of(&got[0])["id"], a);
    assert_eq!(notice_of(&got[0])["subject"], "subj-a");
    assert!(signed(&got[0], pa["secret"].as_str().unwrap()));
    // Listing: the operator sees both, each provider its own.
    let l = s.get("/v1/webhooks", "operator");
    assert_eq!(ok(&l, 200)["webhooks"].as_array().unwrap().len(), 2);
    let l = s.get("/v1/webhooks", "provider-a");
    assert_eq!(ok(&l, 200)["webhooks"].as_array().unwrap().len(), 1);
    // A retried registration (same Idempotency-Key) is the same webhook.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let register = || {
        let mut r = agent
            .post(&format!("{}/v1/webhooks", s.base))
            .header("authorization", &format!("Bearer {}", s.key("provider-b")))
            .header("content-type", "application/json")
            .header("idempotency-key", "hook-1")
            .send(
                json!({"url": "http://127.0.0.1:9/b"})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        (status, v)
    };
    let (s1, first) = register();
    let (s2, again) = register();
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["secret"], again["secret"]);
    assert_eq!(again["repeat"], true);
    let l = s.get("/v1/webhooks", "provider-b");
    assert_eq!(ok(&l, 200)["webhooks"].as_array().unwrap().len(), 1);
}

/// A server state on a fresh database with one operator webhook,
/// `wh_test`, to `url`, and a mini program `mp` of subject `s`.
fn state_with_hook(url: &str) -> (tempfile::TempDir, Arc<AppState>) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(ServeConfig {
        database: format!("sqlite://{}", dir.path().join("bylaw.db").display()),
        ..ServeConfig::default()
    })
    .unwrap();
    let hook = Webhook {
        id: "wh_test".into(),
        url: url.into(),
        secret: "a-secret-long-enough-to-sign".into(),
        owner: None,
    };
    state
        .append_server(&[NewEvent {
            key: "server.webhook.registered:wh_test".into(),
            at: format(now()),
            kind: webhooks::WEBHOOK_REGISTERED.into(),
            payload: serde_json::to_string(&hook).unwrap(),
        }])
        .unwrap();
    let t = now() - DAY;
    submit(
        &state,
        Event::Subject {
            id: "s".into(),
            name: String::new(),
            at: t,
        },
    );
    submit(
        &state,
        Event::Target {
            id: "mp".into(),
            kind: bylaw_enforce::TargetKind::MiniProgram,
            subject: "s".into(),
            platform: "miniprogram".into(),
            at: t,
        },
    );
    (dir, state)
}

fn submit(state: &AppState, ev: Event) {
    state.enforce.submit(None, &ev, &state.metrics).unwrap();
}

/// Case `c` against `mp`, decided: one notice to its subject.
fn decide_case(state: &AppState, c: &str) {
    let t = now() - DAY;
    submit(
        state,
        Event::Violation {
            case: c.into(),
            rule: "miniprogram/5.7".into(),
            target: "mp".into(),
            origin: Origin::Operator,
            evidence: String::new(),
            at: t,
        },
    );
    submit(
        state,
        Event::Decision {
            case: c.into(),
            choice: Choice {
                branch: Some("3".into()),
                ..Choice::default()
            },
            reason: String::new(),
            by: "op".into(),
            at: t,
        },
    );
}

/// A deliverer that tries fast and gives up after `attempts`.
fn fast(attempts: u32, allow_private: bool) -> Policy {
    Policy {
        every: Duration::from_millis(20),
        first: Duration::from_millis(10),
        max: Duration::from_millis(40),
        attempts,
        allow_private,
        ..Policy::default()
    }
}

/// Waits until `wh_test` is done with notice 0; the stored give-up, if any.
fn wait_done(state: &AppState) -> Option<Value> {
    let start = Instant::now();
    while !webhooks::server_events(state)
        .delivered
        .contains(&("wh_test".to_string(), 0))
    {
        assert!(start.elapsed() < Duration::from_secs(20), "never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    state
        .enforce
        .stored("server.webhook.failed:wh_test:0")
        .unwrap()
        .map(|e| serde_json::from_str(&e.payload).unwrap())
}

#[test]
fn the_deliverer_gives_up_after_its_last_attempt_and_stops_when_aborted() {
    let receiver = Receiver::start(|_| 500);
    let (_dir, state) = state_with_hook(&receiver.url);
    decide_case(&state, "c1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let task = {
        let _guard = rt.enter();
        webhooks::start(state.clone(), fast(3, true))
    };
    let v = wait_done(&state).expect("the give-up is stored");
    assert_eq!(receiver.got().len(), 3, "exactly the 3 attempts");
    assert_eq!(v["attempts"], 3);
    assert_eq!(v["last_error"], "HTTP 500");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.got().len(), 3, "given up: not tried again");

    // Aborted, it stops at once and sends nothing more.
    task.abort();
    let stopped = Instant::now();
    let _ = rt.block_on(task);
    assert!(stopped.elapsed() < Duration::from_millis(500));
    decide_case(&state, "c2");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.got().len(), 3);
    assert_eq!(
        state
            .metrics
            .webhook_queue
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    state.flush();
}

#[test]
fn a_webhook_cannot_reach_a_non_public_address_unless_the_operator_allows_it() {
    let s = Server::start();
    // Literals and localhost are refused at registration, naming the field.
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7:8080/internal",
        "http://localhost:5432/",
    ] {
        let a = s.post("/v1/webhooks", "provider-a", json!({ "url": url }));
        assert_error(&a, 400, "invalid");
        assert_eq!(a.json["error"]["field"], "url", "{url}");
        assert!(
            a.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("公网"),
            "{}",
            a.text
        );
    }
    assert_eq!(
        ok(&s.get("/v1/webhooks", "operator"), 200)["webhooks"],
        json!([])
    );

    // A name is checked on what it resolves to, when delivering: the
    // decimal form of 127.0.0.1 passes registration and is refused at the
    // connection, so the receiver on loopback never hears of the notice.
    let receiver = Receiver::start(|_| 200);
    let port = receiver.url.rsplit(':').next().unwrap();
    let sneaky = format!("http://2130706433:{port}");
    let a = s.post("/v1/webhooks", "provider-a", json!({ "url": sneaky }));
    ok(&a, 201);
    let (_dir, state) = state_with_hook(&sneaky);
    decide_case(&state, "c1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let task = {
        let _guard = rt.enter();
        webhooks::start(state.clone(), fast(2, false))
    };
    let v = wait_done(&state).expect("the give-up is stored");
    assert!(
        v["last_error"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1 is a loopback address"),
        "{v}"
    );
    assert!(receiver.got().is_empty(), "{:?}", receiver.got());
    task.abort();
    let _ = rt.block_on(task);
    state.flush();

    // Allowed, the same URL delivers.
    let (_dir, state) = state_with_hook(&sneaky);
    decide_case(&state, "c1");
    let task = {
        let _guard = rt.enter();
        webhooks::start(state.clone(), fast(2, true))
    };
    assert_eq!(wait_done(&state), None, "delivered, not given up");
    assert_eq!(receiver.got().len(), 1);
    task.abort();
    let _ = rt.block_on(task);
    state.flush();
}
