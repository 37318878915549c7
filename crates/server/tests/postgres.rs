//! The server on PostgreSQL: the same routes as on SQLite, and two nodes
//! sharing one database — writes on either are linearizable (catch-up under
//! the log's write lock), reads on the other catch up within the poll
//! interval, idempotency keys hold across nodes, and a restarted node
//! replays everything.
//!
//! Skipped with a note when no PostgreSQL can be found or started, unless
//! `BYLAW_REQUIRE_POSTGRES=1` (set by `.ci/run`).

mod common;

use std::time::{Duration, Instant};

use bylaw_store::testing;
use common::Server;
use serde_json::{json, Value};

fn database() -> Option<String> {
    let pg = testing::postgres().expect("PostgreSQL test server")?;
    Some(pg.fresh_url().expect("fresh database"))
}

fn wait_for(mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn register(s: &Server) {
    for (path, body) in [
        (
            "/v1/enforcement/subjects",
            json!({"id": "subj-a", "name": "甲"}),
        ),
        (
            "/v1/enforcement/targets",
            json!({"id": "mp-1", "subject": "subj-a", "kind": "mini-program", "platform": "miniprogram"}),
        ),
    ] {
        let a = s.post(path, "operator", body);
        assert!((200..300).contains(&a.status), "{path}: {}", a.text);
    }
}

#[test]
fn two_nodes_share_one_database() {
    let Some(url) = database() else { return };
    let a = Server::start_on(&url, |_| {});
    // The second node shares the database (and so the keys node a stored).
    let b = Server::start_on(&url, |_| {});
    let op_a = a.key("operator").to_string();
    register(&a);

    // Node b sees node a's writes after its poll.
    assert!(wait_for(|| b
        .get("/v1/enforcement/targets/mp-1/status", &op_a)
        .status
        == 200));

    // A violation on b, a decision on a: the decision sees the case at once
    // (catch-up under the write lock), not after a poll.
    let v = b.post(
        "/v1/enforcement/violations",
        &op_a,
        json!({"case": "c1", "rule": "miniprogram/5.7", "target": "mp-1"}),
    );
    assert!((200..300).contains(&v.status), "{}", v.text);
    let d = a.post(
        "/v1/enforcement/cases/c1/decisions",
        &op_a,
        json!({"branch": "3", "reason": "纯金融类"}),
    );
    assert!((200..300).contains(&d.status), "{}", d.text);

    // The same idempotency key on both nodes: one event.
    let body = json!({"id": "subj-z", "name": "乙"});
    let mut seqs = Vec::new();
    for s in [&a, &b, &a] {
        let r = s.raw(
            "POST",
            "/v1/enforcement/subjects",
            &op_a,
            "application/json",
            Some(body.to_string().as_bytes()),
        );
        assert!((200..300).contains(&r.status), "{}", r.text);
        seqs.push(r.json["seq"].clone());
    }
    assert!(seqs.iter().all(|s| *s == seqs[0]), "{seqs:?}");

    // Concurrent writes on both nodes: every one lands exactly once, in one
    // gapless sequence.
    let mut handles = Vec::new();
    for (n, base) in [(0, a.base.clone()), (1, b.base.clone())] {
        let token = op_a.clone();
        handles.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            for i in 0..40 {
                let body = json!({"id": format!("n{n}-{i}"), "name": "x"});
                let mut r = agent
                    .post(&format!("{base}/v1/enforcement/subjects"))
                    .header("authorization", &format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .send(body.to_string().as_bytes())
                    .unwrap();
                assert!(
                    r.status().is_success(),
                    "{}",
                    r.body_mut().read_to_string().unwrap_or_default()
                );
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    let log = bylaw_store::EventLog::open_url(&url).unwrap();
    let mut last = 0;
    let mut subjects = 0;
    log.for_each_since(0, |e| {
        assert_eq!(e.seq, last + 1, "gapless");
        last = e.seq;
        if e.kind == "subject" {
            subjects += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(subjects, 1 + 1 + 80);

    // Both nodes converge on the same `can` answer.
    let can = |s: &Server| -> Value {
        s.get("/v1/enforcement/can?target=mp-1&capability=search", &op_a)
            .json["allowed"]
            .clone()
    };
    assert!(wait_for(|| can(&a) == can(&b)));

    // A node started later replays everything.
    let c = Server::start_on(&url, |_| {});
    let st = c.get("/v1/enforcement/targets/mp-1/status", &op_a);
    assert_eq!(st.status, 200, "{}", st.text);
    assert_eq!(can(&c), can(&a));
}

#[test]
fn the_api_suite_runs_on_postgres_too() {
    let Some(url) = database() else { return };
    let s = Server::start_on(&url, |_| {});
    register(&s);
    let scan = s.post("/v1/scan", "scanner", json!({"text": "加微信 abc12345"}));
    assert_eq!(scan.status, 200);
    let key = s.post("/v1/admin/keys", "operator", json!({"role": "scanner"}));
    assert_eq!(key.status, 201, "{}", key.text);
    let t = s.post(
        "/v1/tenants",
        "operator",
        json!({"id": "acme", "name": "Acme", "creator": {"id": "zhang", "name": "张三"}}),
    );
    assert!(t.status < 500, "{}", t.text);
    // Audit entries reach the database.
    let log = bylaw_store::EventLog::open_url(&url).unwrap();
    assert!(wait_for(|| {
        let mut n = 0;
        let _ = log.for_each_since(0, |e| {
            if e.kind == "audit.write" {
                n += 1;
            }
            Ok(())
        });
        n >= 3
    }));
}
