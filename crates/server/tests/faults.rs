//! Faults: the database locked against writes for longer than the busy
//! timeout answers 503 (nothing half-written, reads still served) and
//! recovers when the lock goes; retrying with the same idempotency key then
//! applies the write exactly once.

mod common;

use std::time::Duration;

use common::{assert_error, Server};
use serde_json::json;

fn subject(s: &Server, id: &str, key: &str) -> common::Answer {
    let body = json!({"id": id, "name": id});
    let url = format!("{}/v1/enforcement/subjects", s.base);
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = a
        .post(&url)
        .header("authorization", &format!("Bearer {}", s.key("operator")))
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    common::Answer {
        status,
        json: serde_json::from_str(&text).unwrap_or_default(),
        text,
        headers: Default::default(),
    }
}

#[test]
fn a_locked_database_answers_503_then_recovers_without_double_writes() {
    let s = Server::start();
    let db = s.dir.as_ref().unwrap().path().join("bylaw.db");
    assert!((200..300).contains(&subject(&s, "before", "k-before").status));

    // Another process takes the write lock and holds it past the busy timeout.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(7));
        c.execute_batch("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    let during = subject(&s, "during", "k-during");
    assert_error(&during, 503, "unavailable");
    // Reads go on while writes cannot.
    assert_eq!(
        s.post("/v1/scan", "scanner", json!({"text": "你好"}))
            .status,
        200
    );
    holder.join().unwrap();

    // The lock is gone: the retry with the same key is applied, once.
    let retry = subject(&s, "during", "k-during");
    assert!((200..300).contains(&retry.status), "{}", retry.text);
    assert_eq!(retry.json["repeat"], false);
    let again = subject(&s, "during", "k-during");
    assert_eq!(again.json["repeat"], true);
    assert_eq!(again.json["seq"], retry.json["seq"]);

    let c = rusqlite::Connection::open(s.dir.as_ref().unwrap().path().join("bylaw.db")).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'subject'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}
