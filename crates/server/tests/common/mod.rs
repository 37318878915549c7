//! Test harness: a real server on a loopback port, keys for every role, and
//! a small HTTP client.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bylaw_server::auth::{generate, Role};
use bylaw_server::{AppState, ServeConfig};
use serde_json::Value;

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The state (for inspection).
    pub state: Arc<AppState>,
    /// Tokens by name: operator, reviewer, scanner, provider-a, provider-b,
    /// tenant-a (acme's creator), tenant-b (other tenant's creator).
    pub keys: HashMap<String, String>,
    /// Keep the database directory alive.
    pub dir: Option<tempfile::TempDir>,
    agent: ureq::Agent,
    rt: Option<tokio::runtime::Runtime>,
}

/// An HTTP answer: status, body as JSON (`Null` when not JSON) and as text.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: u16,
    /// Body, parsed.
    pub json: Value,
    /// Body, raw.
    pub text: String,
    /// Response headers (lower-case names).
    pub headers: HashMap<String, String>,
}

impl Server {
    /// Starts a server on a fresh SQLite database.
    pub fn start() -> Server {
        Server::start_with(|_| {})
    }

    /// Starts a server on a fresh SQLite database, after `tweak` adjusts the config.
    pub fn start_with(tweak: impl FnOnce(&mut ServeConfig)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bylaw.db").display());
        let mut s = Server::start_on(&url, tweak);
        s.dir = Some(dir);
        s
    }

    /// Starts a server on `database`, after `tweak` adjusts the config.
    pub fn start_on(database: &str, tweak: impl FnOnce(&mut ServeConfig)) -> Server {
        let mut cfg = ServeConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            database: database.to_string(),
            poll: Duration::from_millis(100),
            ..ServeConfig::default()
        };
        tweak(&mut cfg);
        let state = AppState::open(cfg).expect("server state");
        let mut keys = HashMap::new();
        for (name, role, owner, member) in [
            ("operator", Role::Operator, None, None),
            ("reviewer", Role::Reviewer, None, None),
            ("scanner", Role::Scanner, None, None),
            ("provider-a", Role::Provider, Some("subj-a"), None),
            ("provider-b", Role::Provider, Some("subj-b"), None),
            ("tenant-a", Role::TenantAdmin, Some("acme"), Some("zhang")),
            ("tenant-b", Role::TenantAdmin, Some("globex"), Some("li")),
        ] {
            let (token, rec) = generate(
                role,
                owner.map(str::to_string),
                member.map(str::to_string),
                name,
            )
            .unwrap();
            state.add_key(&rec).unwrap();
            keys.insert(name.to_string(), token);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let st = state.clone();
        rt.spawn(async move {
            let _ = bylaw_server::serve(st, listener).await;
        });
        // No connection reuse: the server may close a connection whose
        // body it refused unread (401, 413), and a reused one would fail.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Server {
            base,
            state,
            keys,
            dir: None,
            agent,
            rt: Some(rt),
        }
    }

    /// The token of a named key.
    pub fn key(&self, name: &str) -> &str {
        self.keys.get(name).map(String::as_str).unwrap_or("none")
    }

    /// Sends a request; `key` names a key of [`Server::keys`] (or "" for none).
    pub fn call(&self, method: &str, path: &str, key: &str, body: Option<&Value>) -> Answer {
        let raw = body.map(|b| b.to_string().into_bytes());
        self.raw(method, path, key, "application/json", raw.as_deref())
    }

    /// GET with a key.
    pub fn get(&self, path: &str, key: &str) -> Answer {
        self.call("GET", path, key, None)
    }

    /// POST JSON with a key.
    pub fn post(&self, path: &str, key: &str, body: Value) -> Answer {
        self.call("POST", path, key, Some(&body))
    }

    /// Sends raw bytes with a content type.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        key: &str,
        content_type: &str,
        body: Option<&[u8]>,
    ) -> Answer {
        let url = format!("{}{}", self.base, path);
        let token = if key.is_empty() {
            None
        } else {
            Some(format!(
                "Bearer {}",
                self.keys.get(key).map_or(key, String::as_str)
            ))
        };
        let result = match (method, body) {
            ("GET", _) | ("DELETE", None) => {
                let mut r = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                if let Some(t) = &token {
                    r = r.header("authorization", t);
                }
                r.call()
            }
            (m, b) => {
                let mut r = match m {
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    "DELETE" => {
                        return self.raw("DELETE", path, key, content_type, None);
                    }
                    _ => self.agent.post(&url),
                };
                if let Some(t) = &token {
                    r = r.header("authorization", t);
                }
                r = r.header("content-type", content_type);
                r.send(b.unwrap_or(b""))
            }
        };
        let mut resp = result.expect("request");
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            text,
            headers,
        }
    }

    /// Stops the server gracefully, then runs `f` while the database directory still exists.
    pub fn stop_keeping_dir(mut self, f: impl FnOnce()) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
        self.state.flush();
        f();
    }

    /// Stops the server gracefully (finishes requests, flushes audit entries).
    pub fn stop(mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
        self.state.flush();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Asserts an answer has the error shape with this status and code.
pub fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "status of {}", a.text);
    assert_eq!(a.json["error"]["code"], code, "code of {}", a.text);
    assert!(
        a.json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message of {}",
        a.text
    );
}
