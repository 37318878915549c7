//! Notice acknowledgements and webhooks: registrations, deliveries.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::state::ServerEvents;

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
        WEBHOOK_DELIVERED => {
            if let Ok(d) = serde_json::from_str::<Delivered>(payload) {
                s.delivered.insert((d.webhook, d.notice));
            }
        }
        _ => {}
    }
}
