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
    /// The target's name (an organization's name, a user's email) while it still exists.
    pub target_name: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ActivityItem {
    /// What happened, as the dashboard says it: "created the organization", "signed in".
    pub fn verb(&self) -> &'static str {
        match self.action.as_str() {
            "user.sign_in" => "signed in",
            "user.sign_out" => "signed out",
            "user.sign_in_failed" => "failed sign-in for",
            "user.locked" => "locked after failed sign-ins:",
            "user.bootstrap_super_admin" => "created the first Super Admin,",
            "organization.create" => "created the organization",
            "organization.update" => "updated the organization",
            "organization.delete" => "deleted the organization",
            _ => "changed",
        }
    }

    /// Who did it: their email, Steward itself for what happens at start-up, else "Someone" (a
    /// user deleted since).
    pub fn actor_label(&self) -> String {
        match (&self.actor, self.action.as_str()) {
            (Some(actor), _) => actor.clone(),
            (None, "user.bootstrap_super_admin") => "Steward".into(),
            (None, _) => "Someone".into(),
        }
    }

    /// Whether the sentence names the target ("signed in" is about the actor themselves).
    pub fn names_target(&self) -> bool {
        !matches!(self.action.as_str(), "user.sign_in" | "user.sign_out")
    }

    /// The page of the target, while it exists and has one.
    pub fn target_href(&self) -> Option<String> {
        match (
            self.target_type.as_str(),
            &self.target_id,
            &self.target_name,
        ) {
            ("organizations", Some(id), Some(_)) => Some(format!("/organizations/{id}")),
            _ => None,
        }
    }

    /// The target in words: its name, or what it was.
    pub fn target_label(&self) -> String {
        match (&self.target_name, self.target_type.as_str()) {
            (Some(name), _) => name.clone(),
            (None, "organizations") => "a deleted organization".into(),
            (None, "users") => "a deleted user".into(),
            (None, other) => other.trim_end_matches('s').to_string(),
        }
    }
}
