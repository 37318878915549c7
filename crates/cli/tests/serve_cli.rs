//! `bylaw serve` as a process: bootstrap key, SIGKILL under a write load
//! then restart (every acknowledged write present, none applied twice),
//! graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bylaw_store::EventLog;
use serde_json::{json, Value};

struct Node {
    child: Child,
    base: String,
    token: Option<String>,
}

/// Starts `bylaw serve` on a free port and waits for it to listen.
fn start(db: &Path) -> Node {
    start_with(db, &[])
}

/// Starts `bylaw serve` with extra arguments.
fn start_with(db: &Path, extra: &[&str]) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            &format!("sqlite://{}", db.display()),
            "--poll-ms",
            "100",
        ])
        .args(extra)
        .env("RUST_LOG", "warn")
        .env("BYLAW_CACHE", db.with_extension("cache"))
        .env_remove("BYLAW_DATABASE")
        .env_remove("BYLAW_ADDR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bylaw serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut token = None;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(t) = line
                .split_whitespace()
                .find(|w| w.starts_with("bylaw_") && w.len() > 30)
            {
                token = Some(t.trim_matches('\'').to_string());
            }
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send((addr.to_string(), token.clone()));
            }
        }
    });
    let (base, token) = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("server did not start");
    Node { child, base, token }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn post(a: &ureq::Agent, url: &str, token: &str, key: &str, body: &Value) -> Option<(u16, Value)> {
    let mut r = a
        .post(url)
        .header("authorization", &format!("Bearer {token}"))
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .ok()?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    Some((status, v))
}

#[test]
fn sigkill_under_write_load_loses_no_acknowledged_write_and_applies_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bylaw.db");
    let node = start(&db);
    let token = node.token.clone().expect("bootstrap operator key printed");
    let url = format!("{}/v1/enforcement/subjects", node.base);
    const N: usize = 600;
    let acked: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let killed = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (url, token, acked, killed) =
            (url.clone(), token.clone(), acked.clone(), killed.clone());
        workers.push(std::thread::spawn(move || {
            let a = agent();
            for i in (w..N).step_by(4) {
                if killed.load(Ordering::Relaxed) {
                    break;
                }
                let key = format!("subject-{i}");
                let body = json!({"id": format!("s{i}"), "name": format!("主体{i}")});
                if let Some((status, v)) = post(&a, &url, &token, &key, &body) {
                    if (200..300).contains(&status) {
                        acked.lock().unwrap().push((
                            v["key"].as_str().unwrap_or(&key).to_string(),
                            v["seq"].as_u64().unwrap_or(0),
                        ));
                    }
                }
            }
        }));
    }
    // Kill after about a third of the burst has been acknowledged.
    let began = Instant::now();
    while acked.lock().unwrap().len() < N / 3 && began.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut child = node.child;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    killed.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= N / 3, "only {} acknowledged", acked.len());

    // Every acknowledged write is in the log under the key the server named,
    // at the seq it was acknowledged with.
    {
        let log = EventLog::open(&db).unwrap();
        for (key, seq) in &acked {
            let e = log
                .get_by_key(key)
                .unwrap()
                .unwrap_or_else(|| panic!("{key} lost"));
            assert_eq!(e.seq, *seq, "{key}");
        }
    }

    // Restart and retry the whole burst with the same keys: nothing twice.
    let node = start(&db);
    assert!(node.token.is_none(), "no new bootstrap key when keys exist");
    let url = format!("{}/v1/enforcement/subjects", node.base);
    let a = agent();
    let mut repeats = 0;
    for i in 0..N {
        let key = format!("subject-{i}");
        let body = json!({"id": format!("s{i}"), "name": format!("主体{i}")});
        let (status, v) = post(&a, &url, &token, &key, &body).expect("answer");
        assert!((200..300).contains(&status), "{key}: {status} {v}");
        if v["repeat"] == true {
            repeats += 1;
        }
    }
    assert!(
        repeats >= acked.len(),
        "{repeats} repeats < {} acknowledged",
        acked.len()
    );
    let mut child = node.child;
    child.kill().unwrap();
    let _ = child.wait();
    let log = EventLog::open(&db).unwrap();
    let mut subjects = std::collections::HashMap::new();
    log.for_each_since(0, |e| {
        if e.kind == "subject" {
            *subjects.entry(e.key).or_insert(0) += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(subjects.len(), N, "every subject exactly once");
    assert!(subjects.values().all(|n| *n == 1));
}

#[cfg(unix)]
#[test]
fn sigterm_finishes_and_flushes_audit_entries() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bylaw.db");
    let node = start(&db);
    let token = node.token.clone().expect("bootstrap key");
    let a = agent();
    for i in 0..20 {
        let (status, _) = post(
            &a,
            &format!("{}/v1/admin/reload", node.base),
            &token,
            &format!("r{i}"),
            &json!({}),
        )
        .expect("answer");
        assert_eq!(status, 200);
    }
    let pid = node.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut child = node.child;
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let log = EventLog::open(&db).unwrap();
    let mut audits = 0;
    log.for_each_since(0, |e| {
        if e.kind == "audit.write" {
            audits += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(audits, 20, "every write audited and flushed before exit");
}

#[cfg(unix)]
#[test]
fn sighup_reloads_the_lexicons_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let lex = dir.path().join("lexicons");
    std::fs::create_dir_all(&lex).unwrap();
    let db = dir.path().join("bylaw.db");
    let node = start_with(&db, &["--lexicons", lex.to_str().unwrap()]);
    let a = agent();
    let version = || -> String {
        let mut r = a.get(&format!("{}/healthz", node.base)).call().unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["lexicon_version"].as_str().unwrap().to_string()
    };
    let before = version();
    std::fs::write(
        lex.join("extra.tsv"),
        "蓝莓果酱暗号\tcontraband\tblock\twecom-account/3.5.8.1.2\n",
    )
    .unwrap();
    let pid = node.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    let began = Instant::now();
    while version() == before && began.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_ne!(version(), before, "SIGHUP reloaded the lexicons");
    let mut child = node.child;
    child.kill().unwrap();
    let _ = child.wait();
}
