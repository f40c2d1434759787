//! The audit trail (API.md §8, `/v2/audit/events`, `/audit`): one event per change made through
//! any surface, with who did it (and who they were acting for, when impersonating), what it
//! touched and each changed field's before and after. Secrets never leave masked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The list's `q[...]` keys and `sort_by` fields.
pub const AUDIT_FILTERS: [&str; 4] = ["action", "actor_id", "target_type", "target_id"];
pub const AUDIT_SORTS: [&str; 3] = ["created_at", "action", "target_type"];

/// Every action Steward records, with what the audit screen calls it. The filter offers these;
/// an action missing here still lists, under its code.
pub const AUDIT_ACTIONS: [(&str, &str); 41] = [
    ("user.sign_in", "Signed in"),
    ("user.sign_out", "Signed out"),
    ("user.sign_in_failed", "Sign-in failed"),
    ("user.locked", "Account locked"),
    ("user.unlock", "Account unlocked"),
    ("address.blocked", "Address blocked from signing in"),
    ("address.unblocked", "Address unblocked"),
    ("user.2fa_enabled", "Two-factor authentication turned on"),
    ("user.2fa_disabled", "Two-factor authentication turned off"),
    ("user.2fa_default_method", "Default second factor changed"),
    ("user.2fa_failed", "Second factor wrong"),
    ("user.recovery_codes_generated", "New recovery codes"),
    ("user.bootstrap_super_admin", "First Super Admin created"),
    ("user.create", "User created"),
    ("user.invite", "User invited"),
    ("user.resend_confirmation", "Confirmation resent"),
    ("user.accept_invitation", "Invitation accepted"),
    ("user.confirm", "Email address confirmed"),
    ("user.update", "User updated"),
    ("user.delete", "User deleted"),
    ("user.delete_self", "Account deleted by its user"),
    ("user.import", "Users imported"),
    ("user.inherit", "Customers handed over"),
    ("user.password_change", "Password changed"),
    ("user.password_reset_requested", "Password reset requested"),
    ("user.password_reset", "Password reset"),
    ("organization.create", "Organization created"),
    ("organization.update", "Organization updated"),
    ("organization.delete", "Organization deleted"),
    (
        "notification_preference.update",
        "Notification preference changed",
    ),
    (
        "notification_defaults.update",
        "Notification defaults changed",
    ),
    ("notification_policy.update", "Notification policy changed"),
    (
        "notification_policy.reset",
        "Notification policy reset to the default",
    ),
    (
        "notification_policy.default_update",
        "Default notification policy changed",
    ),
    ("event.create", "Event posted"),
    ("access_token.generate", "Access token generated"),
    ("access_token.revoke", "Access token revoked"),
    ("session.revoke", "Session signed out"),
    ("session.revoke_others", "Signed out everywhere else"),
    ("user.impersonate", "Impersonation started"),
    ("user.stop_impersonating", "Impersonation ended"),
];

/// What the audit screen calls an action.
pub fn action_label(action: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| action.to_string())
}

/// A user an event names, with their email while they still exist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditParty {
    #[cfg_attr(feature = "ssr", schema(format = Uuid))]
    pub id: String,
    /// `null` once the user is deleted.
    pub email: Option<String>,
}

/// One event as `GET /v2/audit/events` and `/audit` show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditAttributes {
    /// `organization.update`, `user.sign_in`, ...
    pub action: String,
    /// Who did it (`null` for what Steward does itself, such as creating the first Super Admin).
    pub actor: Option<AuditParty>,
    /// The admin acting as `actor` (impersonation), if any.
    pub impersonator: Option<AuditParty>,
    /// The organization it happened in.
    #[cfg_attr(feature = "ssr", schema(format = Uuid))]
    pub organization_id: Option<String>,
    /// `organizations`, `users`, `sessions`, ...
    pub target_type: String,
    pub target_id: Option<String>,
    /// The target's name (an organization's name, a user's email) while it still exists.
    pub target_name: Option<String>,
    /// `{"field": {"from": ..., "to": ...}}` for each changed field, or what else the action
    /// records (`{"rows": 12}`); secrets are `"[hidden]"`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub changes: Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub attributes: AuditAttributes,
}

impl AuditEvent {
    /// The target's page, while the target exists and has one.
    pub fn target_href(&self) -> Option<String> {
        let a = &self.attributes;
        match (a.target_type.as_str(), &a.target_id, &a.target_name) {
            ("organizations", Some(id), Some(_)) => Some(format!("/organizations/{id}")),
            ("users", Some(id), Some(_)) => Some(format!("/users/{id}")),
            ("addresses", Some(_), _) => Some("/blocked_addresses".into()),
            _ => None,
        }
    }

    /// The target in words: its name, or what it was.
    pub fn target_label(&self) -> String {
        let a = &self.attributes;
        match (&a.target_name, a.target_type.as_str()) {
            (Some(name), _) => name.clone(),
            (None, "addresses") => {
                format!("Address {}", a.target_id.as_deref().unwrap_or("unknown"))
            }
            (None, "organizations") => "A deleted organization".into(),
            (None, "users") => "A deleted user".into(),
            (None, other) => other.trim_end_matches('s').replace('_', " "),
        }
    }

    /// One row per changed field: name, before, after (both as text). Other records (counts, ids)
    /// come as a row whose "before" is empty.
    pub fn changed_fields(&self) -> Vec<(String, String, String)> {
        let Some(changes) = self.attributes.changes.as_object() else {
            return Vec::new();
        };
        changes
            .iter()
            .map(|(field, change)| match change.as_object() {
                Some(pair) if pair.contains_key("from") || pair.contains_key("to") => (
                    field.clone(),
                    shown(pair.get("from")),
                    shown(pair.get("to")),
                ),
                _ => (field.clone(), String::new(), shown(Some(change))),
            })
            .collect()
    }
}

/// A value as the detail view prints it: text as itself, `null` as "—", the rest as JSON.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Field names whose values are secrets, wherever they appear in `changes`.
const SECRET_MARKERS: [&str; 6] = ["password", "token", "secret", "otp", "recovery", "hash"];

/// `changes` with every value under a secret-looking key replaced by `"[hidden]"` (a `null`
/// stays `null`: that a secret was unset is no secret). The writers mask already; this is the
/// guard for whatever a future writer forgets.
pub fn mask_secrets(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, inner)| {
                    let lower = key.to_ascii_lowercase();
                    if SECRET_MARKERS.iter().any(|m| lower.contains(m)) {
                        (key, hide(inner))
                    } else {
                        (key, mask_secrets(inner))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_secrets).collect()),
        other => other,
    }
}

fn hide(value: Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, hide(v))).collect()),
        _ => Value::String("[hidden]".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_the_rest_is_kept() {
        let changes = json!({
            "city": {"from": "Berlin", "to": "Paris"},
            "password": {"from": "old one", "to": "new one"},
            "access_token": {"from": null, "to": "abc"},
            "nested": {"otp_secret": "JBSWY3DP", "rows": 3},
        });
        assert_eq!(
            mask_secrets(changes),
            json!({
                "city": {"from": "Berlin", "to": "Paris"},
                "password": {"from": "[hidden]", "to": "[hidden]"},
                "access_token": {"from": null, "to": "[hidden]"},
                "nested": {"otp_secret": "[hidden]", "rows": 3},
            })
        );
    }

    #[test]
    fn changed_fields_read_as_rows() {
        let event = AuditEvent {
            id: "e".into(),
            attributes: AuditAttributes {
                action: "organization.update".into(),
                actor: None,
                impersonator: None,
                organization_id: None,
                target_type: "organizations".into(),
                target_id: None,
                target_name: None,
                changes: json!({"city": {"from": null, "to": "Paris"}, "rows": 12}),
                ip: None,
                user_agent: None,
                created_at: Utc::now(),
            },
        };
        assert_eq!(
            event.changed_fields(),
            vec![
                ("city".to_string(), "—".to_string(), "Paris".to_string()),
                ("rows".to_string(), String::new(), "12".to_string()),
            ]
        );
        assert_eq!(event.target_label(), "A deleted organization");
        assert_eq!(action_label("organization.update"), "Organization updated");
        assert_eq!(action_label("something.new"), "something.new");
    }
}
