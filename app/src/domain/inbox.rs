//! In-app notifications (API.md §6): a user's inbox. Events fan out into it (see
//! `domain::event`), and so do the notification policy's account triggers.

use super::list::PageMeta;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The list's `q[...]` keys and `sort_by` fields.
pub const INBOX_FILTERS: [&str; 3] = ["read", "seen", "notification_type"];
pub const INBOX_SORTS: [&str; 2] = ["created_at", "notification_type"];

/// The kinds of notification the policy's triggers write (events write the preference names).
pub const ACCOUNT_NOTIFICATION_TYPES: [&str; 4] = [
    "password_change",
    "email_change",
    "second_factor_removed",
    "account_locked",
];

/// What the inbox calls a notification type.
pub fn type_label(notification_type: &str) -> &'static str {
    match notification_type {
        "password_change" => "Password changed",
        "email_change" => "Email address changed",
        "second_factor_removed" => "Two-factor authentication turned off",
        "account_locked" => "Account locked",
        other => super::notification::describe(other).0,
    }
}

/// One notification as `GET /v2/notifications` and `/notifications` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InboxAttributes {
    /// A preference name (`scan_event`, ...) for an event's, or an account trigger
    /// (`password_change`, `email_change`, `second_factor_removed`, `account_locked`).
    pub notification_type: String,
    pub title: String,
    pub body: String,
    /// Where it leads: an http(s) URL or a path of this site.
    pub url: Option<String>,
    pub read: bool,
    pub seen: bool,
    #[serde(with = "crate::domain::time::millis_option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::domain::time::millis_option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub seen_at: Option<DateTime<Utc>>,
    /// The event it came from, if any.
    pub event_id: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxNotification {
    pub id: String,
    pub attributes: InboxAttributes,
}

/// A page of the inbox and the user's counts (the list's `meta` adds them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<InboxNotification>,
    pub meta: PageMeta,
    pub unread_count: u64,
    pub unseen_count: u64,
}

/// The bell's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts {
    pub total: u64,
    pub unread: u64,
    pub unseen: u64,
}
