//! Notice acknowledgements and webhooks: registrations, signatures and the
//! deliverer.
//!
//! Registrations, acknowledgements, deliveries and give-ups are server
//! events on the shared log (`server.notice.acked`,
//! `server.webhook.registered`, `server.webhook.deleted`,
//! `server.webhook.delivered`, `server.webhook.failed`), replayed at start
//! into [`ServerEvents`] like every other event.
//!
//! The deliverer ([`start`]) wakes every 200 ms, finds for each webhook the
//! notices it may see (an operator's webhook: all; a provider's: its
//! subject's) that are neither delivered nor given up on, and POSTs each as
//! JSON (the notice as `GET /v1/notices` shows it, plus `webhook`) with
//! `X-Bylaw-Notice: <id>` and
//! `X-Bylaw-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! A 2xx answer is a delivery and is stored, so a restart does not deliver
//! it again. Anything else is retried with exponential backoff (0.5 s,
//! doubling, at most 60 s between tries); after 8 attempts the notice is
//! given up on for that webhook and `server.webhook.failed` is stored with
//! the last error.
//!
//! Delivery is at least once: a notice delivered just before a crash (or
//! by two nodes sharing one log, each running a deliverer) can arrive
//! twice, so receivers deduplicate by `X-Bylaw-Notice` (and the `webhook`
//! field). A new webhook receives the backlog of notices it may see,
//! oldest first. Only `http://` URLs are accepted (there is no TLS client
//! here); redirects are not followed and no proxy from the environment is
//! used. The signing secret is kept on the log in the clear, since it is
//! needed to sign.
//!
//! A provider chooses its webhook's URL, so by default a webhook may only
//! reach public addresses: the deliverer resolves the host itself and drops
//! every loopback, private, link-local, shared, multicast or reserved
//! address ([`non_public`]) before it connects, so neither a name that
//! resolves inward nor one that changes its answer between registration
//! and delivery lets a provider make the server call into its own network.
//! Registration already refuses such IP literals and `localhost`. An
//! operator whose receivers live on a private network turns this off with
//! `bylaw serve --webhook-allow-private` ([`Policy::allow_private`]).

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use bylaw_store::NewEvent;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use utoipa::ToSchema;

use crate::state::{now, AppState, ServerEvents};

/// A registered webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// Where notices are POSTed.
    pub url: String,
    /// The HMAC-SHA256 signing secret.
    #[serde(default)]
    pub secret: String,
    /// Provider webhooks: only notices of this subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// The event kind of an acknowledged notice.
pub const NOTICE_ACKED: &str = "server.notice.acked";
/// The event kind of a registered webhook.
pub const WEBHOOK_REGISTERED: &str = "server.webhook.registered";
/// The event kind of a deleted webhook.
pub const WEBHOOK_DELETED: &str = "server.webhook.deleted";
/// The event kind of a delivered notice.
pub const WEBHOOK_DELIVERED: &str = "server.webhook.delivered";
/// The event kind of a notice given up on after its last attempt.
pub const WEBHOOK_FAILED: &str = "server.webhook.failed";

#[derive(Deserialize)]
struct Acked {
    notice: usize,
}

#[derive(Deserialize)]
struct Deleted {
    id: String,
}

#[derive(Deserialize)]
struct Delivered {
    webhook: String,
    notice: usize,
}

/// Applies a stored server event about notices or webhooks.
pub fn apply(s: &mut ServerEvents, kind: &str, payload: &str) {
    match kind {
        NOTICE_ACKED => {
            if let Ok(a) = serde_json::from_str::<Acked>(payload) {
                s.acked.insert(a.notice);
            }
        }
        WEBHOOK_REGISTERED => {
            if let Ok(w) = serde_json::from_str::<Webhook>(payload) {
                s.webhooks.insert(w.id.clone(), w);
            }
        }
        WEBHOOK_DELETED => {
            if let Ok(d) = serde_json::from_str::<Deleted>(payload) {
                s.webhooks.remove(&d.id);
            }
        }
        // A give-up is as final as a delivery: neither is tried again.
        WEBHOOK_DELIVERED | WEBHOOK_FAILED => {
            if let Ok(d) = serde_json::from_str::<Delivered>(payload) {
                s.delivered.insert((d.webhook, d.notice));
            }
        }
        _ => {}
    }
}

/// The server events applied on this node (poison-tolerant lock).
///
/// Lock order: where both are held, the engine's read lock is taken first
/// and this one second, never the other way round.
pub fn server_events(state: &AppState) -> MutexGuard<'_, ServerEvents> {
    match state.server.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Whether a webhook may see a notice addressed to `subject`.
pub fn visible(w: &Webhook, subject: &str) -> bool {
    w.owner.as_deref().is_none_or(|o| o == subject)
}

/// HMAC-SHA256 (RFC 2104) over SHA-256, 64-byte blocks.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The `X-Bylaw-Signature` value of `body` sent at `t` (unix seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let signed = format!("{t}.{body}");
    format!(
        "t={t},v1={}",
        hex(&hmac_sha256(secret.as_bytes(), signed.as_bytes()))
    )
}

/// Random hex from the operating system (`bytes` random bytes).
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex(&buf))
}

/// How the deliverer paces itself.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How often it looks for work.
    pub every: Duration,
    /// Wait after the first failed attempt; doubled after each further one.
    pub first: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
    /// Attempts before giving up.
    pub attempts: u32,
    /// Time limit of one attempt.
    pub timeout: Duration,
    /// Attempts in flight at once.
    pub parallel: usize,
    /// Most deliveries kept pending at once (the rest wait their turn).
    pub queue: usize,
    /// Whether deliveries may reach loopback, private and other non-public
    /// addresses ([`non_public`]); off by default.
    pub allow_private: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            every: Duration::from_millis(200),
            first: Duration::from_millis(500),
            max: Duration::from_secs(60),
            attempts: 8,
            timeout: Duration::from_secs(10),
            parallel: 8,
            queue: 10_000,
            allow_private: false,
        }
    }
}

impl Policy {
    /// The wait after `failed` failed attempts (1 or more).
    pub fn backoff(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(30);
        self.first.saturating_mul(1u32 << doublings).min(self.max)
    }
}

/// Starts the deliverer; it stops at its next pause when the task is
/// aborted (an attempt already in flight finishes on its own thread, and
/// its outcome is dropped: the notice is tried again after a restart).
pub fn start(state: Arc<AppState>, policy: Policy) -> tokio::task::JoinHandle<()> {
    tokio::spawn(Deliverer::new(state, policy).run())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Failed,
}

#[derive(Debug)]
struct Job {
    attempts: u32,
    next: Instant,
    in_flight: bool,
    last_error: String,
    /// Finished, waiting to be stored.
    outcome: Option<Outcome>,
}

struct Attempt {
    webhook: String,
    notice: usize,
    result: Result<(), String>,
}

/// Most notices looked at per webhook scan.
const WINDOW: usize = 20_000;

struct Deliverer {
    state: Arc<AppState>,
    policy: Policy,
    agent: ureq::Agent,
    jobs: BTreeMap<(String, usize), Job>,
    /// Per webhook: every notice below this one is done or not its to see.
    cursors: HashMap<String, usize>,
    tx: mpsc::UnboundedSender<Attempt>,
    rx: mpsc::UnboundedReceiver<Attempt>,
}

impl Deliverer {
    fn new(state: Arc<AppState>, policy: Policy) -> Deliverer {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(policy.timeout))
            .max_redirects(0)
            .proxy(None)
            .user_agent("bylaw-webhooks")
            .build();
        let agent = if policy.allow_private {
            ureq::Agent::new_with_config(config)
        } else {
            ureq::Agent::with_parts(config, DefaultConnector::new(), PublicOnly::default())
        };
        let (tx, rx) = mpsc::unbounded_channel();
        Deliverer {
            state,
            policy,
            agent,
            jobs: BTreeMap::new(),
            cursors: HashMap::new(),
            tx,
            rx,
        }
    }

    async fn run(mut self) {
        loop {
            tokio::time::sleep(self.policy.every).await;
            self.collect();
            self.store().await;
            let hooks = self.scan();
            self.dispatch(&hooks);
            self.state
                .metrics
                .webhook_queue
                .store(self.jobs.len() as i64, Ordering::Relaxed);
        }
    }

    /// Takes in the outcomes of finished attempts.
    fn collect(&mut self) {
        while let Ok(a) = self.rx.try_recv() {
            let Some(job) = self.jobs.get_mut(&(a.webhook.clone(), a.notice)) else {
                continue;
            };
            job.in_flight = false;
            match a.result {
                Ok(()) => job.outcome = Some(Outcome::Delivered),
                Err(e) => {
                    tracing::warn!(
                        webhook = %a.webhook, notice = a.notice, attempt = job.attempts,
                        error = %e, "webhook delivery failed"
                    );
                    job.last_error = e;
                    if job.attempts >= self.policy.attempts {
                        job.outcome = Some(Outcome::Failed);
                    } else {
                        job.next = Instant::now() + self.policy.backoff(job.attempts);
                    }
                }
            }
        }
    }

    /// Stores finished deliveries and give-ups; kept for the next round if
    /// the store is out of reach.
    async fn store(&mut self) {
        let at = bylaw_enforce::time::format(now());
        let mut done = Vec::new();
        let mut events = Vec::new();
        for ((webhook, notice), job) in &self.jobs {
            let (kind, payload) = match job.outcome {
                None => continue,
                Some(Outcome::Delivered) => (
                    WEBHOOK_DELIVERED,
                    json!({ "webhook": webhook, "notice": notice, "attempts": job.attempts }),
                ),
                Some(Outcome::Failed) => {
                    tracing::error!(
                        webhook = %webhook, notice, attempts = job.attempts,
                        error = %job.last_error, "webhook delivery given up"
                    );
                    (
                        WEBHOOK_FAILED,
                        json!({ "webhook": webhook, "notice": notice,
                            "attempts": job.attempts, "last_error": job.last_error }),
                    )
                }
            };
            done.push((webhook.clone(), *notice));
            events.push(NewEvent {
                key: format!("{kind}:{webhook}:{notice}"),
                at: at.clone(),
                kind: kind.into(),
                payload: payload.to_string(),
            });
        }
        if events.is_empty() {
            return;
        }
        let st = self.state.clone();
        match tokio::task::spawn_blocking(move || st.append_server(&events)).await {
            Ok(Ok(_)) => {
                for k in done {
                    self.jobs.remove(&k);
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook outcomes not stored yet; retrying"),
            Err(e) => tracing::warn!(error = %e, "webhook store task failed"),
        }
    }

    /// Finds new deliveries; returns the live webhooks by id.
    fn scan(&mut self) -> HashMap<String, Webhook> {
        let hooks: HashMap<String, Webhook> = server_events(&self.state).webhooks.clone();
        self.jobs.retain(|(w, _), _| hooks.contains_key(w));
        self.cursors.retain(|w, _| hooks.contains_key(w));
        if hooks.is_empty() {
            return hooks;
        }
        let from = hooks
            .keys()
            .map(|w| self.cursors.get(w).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        // Engine first, then the server events: never both at once here.
        let notices: Vec<(usize, Arc<str>)> = {
            let e = self.state.enforce.read();
            e.notices()
                .iter_from(from)
                .take(WINDOW)
                .map(|n| (n.id, n.subject.clone()))
                .collect()
        };
        let server = server_events(&self.state);
        let queued = Instant::now();
        for w in hooks.values() {
            let start = self.cursors.get(&w.id).copied().unwrap_or(0);
            let mut cursor = start;
            let mut advancing = true;
            for (id, subject) in notices.iter().filter(|(id, _)| *id >= start) {
                let done = !visible(w, subject) || server.delivered.contains(&(w.id.clone(), *id));
                if done {
                    if advancing {
                        cursor = id + 1;
                    }
                    // Delivered meanwhile by another node: no need to try again.
                    if !self.jobs.is_empty() {
                        let key = (w.id.clone(), *id);
                        if self
                            .jobs
                            .get(&key)
                            .is_some_and(|j| !j.in_flight && j.outcome.is_none())
                        {
                            self.jobs.remove(&key);
                        }
                    }
                    continue;
                }
                advancing = false;
                let key = (w.id.clone(), *id);
                if !self.jobs.contains_key(&key) && self.jobs.len() < self.policy.queue {
                    self.jobs.insert(
                        key,
                        Job {
                            attempts: 0,
                            next: queued,
                            in_flight: false,
                            last_error: String::new(),
                            outcome: None,
                        },
                    );
                }
            }
            self.cursors.insert(w.id.clone(), cursor);
        }
        hooks
    }

    /// Starts the attempts that are due, each on a thread of its own.
    fn dispatch(&mut self, hooks: &HashMap<String, Webhook>) {
        let busy = self.jobs.values().filter(|j| j.in_flight).count();
        let room = self.policy.parallel.saturating_sub(busy);
        if room == 0 {
            return;
        }
        let now_i = Instant::now();
        let due: Vec<(String, usize)> = self
            .jobs
            .iter()
            .filter(|(_, j)| !j.in_flight && j.outcome.is_none() && j.next <= now_i)
            .map(|(k, _)| k.clone())
            .take(room)
            .collect();
        for (webhook, notice) in due {
            let Some(w) = hooks.get(&webhook) else {
                continue;
            };
            let body = {
                let e = self.state.enforce.read();
                e.notices().get(notice).map(|n| {
                    let mut v = crate::enforcement::notice_json(&e, n);
                    if let Value::Object(o) = &mut v {
                        o.insert("webhook".into(), Value::String(webhook.clone()));
                    }
                    v.to_string()
                })
            };
            let Some(job) = self.jobs.get_mut(&(webhook.clone(), notice)) else {
                continue;
            };
            let Some(body) = body else {
                // The notice is gone (a reload replayed fewer): nothing to send.
                job.outcome = Some(Outcome::Failed);
                job.last_error = "notice not found".into();
                continue;
            };
            job.attempts += 1;
            job.in_flight = true;
            let agent = self.agent.clone();
            let tx = self.tx.clone();
            let (url, secret) = (w.url.clone(), w.secret.clone());
            let hook = webhook.clone();
            let spawned = std::thread::Builder::new()
                .name("bylaw-webhook".into())
                .spawn(move || {
                    let result = post(&agent, &url, &secret, notice, &body);
                    let _ = tx.send(Attempt {
                        webhook: hook,
                        notice,
                        result,
                    });
                });
            if let Err(e) = spawned {
                let _ = self.tx.send(Attempt {
                    webhook,
                    notice,
                    result: Err(format!("no thread: {e}")),
                });
            }
        }
    }
}

/// Why an address is not public, in Chinese and in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonPublic {
    /// The kind of address, in Chinese (e.g. `回环`).
    pub zh: &'static str,
    /// The kind of address, in English (e.g. `loopback`).
    pub en: &'static str,
}

const fn np(zh: &'static str, en: &'static str) -> Option<NonPublic> {
    Some(NonPublic { zh, en })
}

/// Why webhooks may not reach `ip` unless private addresses are allowed:
/// `None` for a public unicast address. Covers the special-purpose blocks
/// of RFC 6890 that a packet can be sent to: this-network, loopback,
/// private (RFC 1918, IPv6 unique local), link-local, shared (RFC 6598),
/// IETF protocol assignments, documentation, benchmarking, multicast and
/// reserved, and IPv4 addresses embedded in IPv6 (mapped, compatible,
/// NAT64) by the IPv4 address inside.
pub fn non_public(ip: IpAddr) -> Option<NonPublic> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let [a, b, ..] = s;
            let embedded = || {
                let o = v6.octets();
                Ipv4Addr::new(o[12], o[13], o[14], o[15])
            };
            if v6.is_unspecified() {
                np("未指定", "unspecified")
            } else if v6.is_loopback() {
                np("回环", "loopback")
            } else if v6.to_ipv4_mapped().is_some()
                || (a == 0x64 && b == 0xff9b && s[2..6] == [0; 4])
                || s[..6] == [0; 6]
            {
                non_public_v4(embedded())
            } else if a & 0xfe00 == 0xfc00 {
                np("私有", "private")
            } else if a & 0xffc0 == 0xfe80 {
                np("链路本地", "link-local")
            } else if a & 0xffc0 == 0xfec0 {
                np("站点本地", "site-local")
            } else if a & 0xff00 == 0xff00 {
                np("组播", "multicast")
            } else if a == 0x2001 && b == 0x0db8 {
                np("文档示例", "documentation")
            } else {
                None
            }
        }
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<NonPublic> {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, ..) => np("未指定", "unspecified"),
        (127, ..) => np("回环", "loopback"),
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => np("私有", "private"),
        (169, 254, _) => np("链路本地", "link-local"),
        (100, 64..=127, _) => np("共享（运营商 NAT）", "shared (carrier-grade NAT)"),
        (192, 0, 0) => np("协议保留", "protocol assignment"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => np("文档示例", "documentation"),
        (198, 18..=19, _) => np("基准测试", "benchmarking"),
        (224..=239, ..) => np("组播", "multicast"),
        (240.., ..) => np("保留", "reserved"),
        _ => None,
    }
}

/// A resolver that keeps only public addresses, so a webhook connects to
/// exactly what was checked (no second lookup a name could answer
/// differently).
#[derive(Debug, Default)]
struct PublicOnly {
    inner: DefaultResolver,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = self.inner.resolve(uri, config, timeout)?;
        let mut kept = self.empty();
        let mut refused = None;
        for addr in all.iter() {
            match non_public(addr.ip()) {
                None => kept.push(*addr),
                Some(why) => refused = Some((addr.ip(), why)),
            }
        }
        match refused {
            Some((ip, why)) if kept.is_empty() => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{ip} is a {} address: webhooks reach public addresses only \
                     (bylaw serve --webhook-allow-private lifts this)",
                    why.en
                ),
            ))),
            _ => Ok(kept),
        }
    }
}

/// One attempt: POSTs the body, signed now; `Ok` on a 2xx answer.
fn post(
    agent: &ureq::Agent,
    url: &str,
    secret: &str,
    notice: usize,
    body: &str,
) -> Result<(), String> {
    let sig = signature(secret, now(), body);
    let answer = agent
        .post(url)
        .header("content-type", "application/json")
        .header("x-bylaw-signature", &sig)
        .header("x-bylaw-notice", &notice.to_string())
        .send(body.as_bytes());
    match answer {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn only_public_unicast_addresses_are_public() {
        let kind = |a: &str| non_public(a.parse().unwrap()).map(|w| w.en);
        for (addr, want) in [
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("10.9.8.7", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.0.1", "private"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("192.0.0.8", "protocol assignment"),
            ("192.0.2.1", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("239.1.1.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("fd00::1", "private"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
        ] {
            assert_eq!(kind(addr), Some(want), "{addr}");
        }
        for addr in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "223.255.255.255",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(kind(addr), None, "{addr}");
        }
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2: a key shorter than the block.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 4.
        assert_eq!(
            hex(&hmac_sha256(
                &unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                &[0xcd; 50]
            )),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signature_signs_time_and_body() {
        let s = signature("k", 1_700_000_000, "{}");
        let mac = hex(&hmac_sha256(b"k", b"1700000000.{}"));
        assert_eq!(s, format!("t=1700000000,v1={mac}"));
    }

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_a_minute() {
        let p = Policy::default();
        let waits: Vec<u128> = (1..=9).map(|n| p.backoff(n).as_millis()).collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]
        );
        assert_eq!(p.backoff(1000), Duration::from_secs(60));
    }

    #[test]
    fn deliveries_and_give_ups_are_both_final() {
        let mut s = ServerEvents::default();
        apply(&mut s, WEBHOOK_DELIVERED, r#"{"webhook":"w","notice":1}"#);
        apply(
            &mut s,
            WEBHOOK_FAILED,
            r#"{"webhook":"w","notice":2,"attempts":8,"last_error":"HTTP 500"}"#,
        );
        assert!(s.delivered.contains(&("w".into(), 1)));
        assert!(s.delivered.contains(&("w".into(), 2)));
    }
}
