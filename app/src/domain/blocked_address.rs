//! Addresses blocked from signing in (API.md §2: failed sign-ins are rate-limited per IP): what a
//! Super Admin sees on `/blocked_addresses` and `GET /v2/blocked_addresses`, and lifts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One address over the limit of failed sign-ins in the current window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BlockedAddress {
    /// The client's IP address as Steward saw it (`unknown` when it had none).
    pub address: String,
    /// Failed sign-ins (and refused attempts) counted in the window.
    pub failed_attempts: i64,
    /// When the window ends and the address may try again by itself.
    #[serde(with = "crate::domain::time::millis")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub blocked_until: DateTime<Utc>,
}
