//! The outbox (API.md §8): every email (and, with the security screens, SMS) Steward sends, with
//! what became of it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One message as `GET /v2/outbox` and `/outbox` show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutboxAttributes {
    /// `email` or `sms`.
    pub channel: String,
    /// What it is: `invitation`, `confirmation`, `password_reset`, ...
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// `pending` (waiting for an attempt), `sent` (the SMTP server took it), `stored` (no SMTP
    /// server is configured: the outbox is the delivery), `failed` (given up after retries).
    pub status: String,
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub next_attempt_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis_option")]
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub attributes: OutboxAttributes,
}

/// The list's `q[...]` keys and `sort_by` fields.
pub const OUTBOX_FILTERS: [&str; 4] = ["recipient", "status", "template", "channel"];
pub const OUTBOX_SORTS: [&str; 3] = ["created_at", "recipient", "status"];
pub const OUTBOX_STATUSES: [&str; 4] = ["pending", "sent", "stored", "failed"];
