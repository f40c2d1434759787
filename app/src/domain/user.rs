//! The signed-in user as the UI sees it.

use super::Role;
use serde::{Deserialize, Serialize};

/// Who is signed in: enough for the app shell (user menu, navigation by role).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub username: String,
    pub role: Role,
    pub organization_id: String,
    pub organization_name: String,
}

/// What the dashboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub organizations: u64,
    pub users: u64,
    pub recent: Vec<ActivityItem>,
}

/// One line of recent activity (an audit event, summarised).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ActivityItem {
    pub id: String,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}
