//! Audit events: one row per change, written in the same transaction as the change itself, so a
//! change without its record (or the reverse) can't exist.

use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Exec, Sql};
use crate::server::request::RequestMeta;
use serde_json::{json, Map, Value};

pub struct AuditEntry<'a> {
    pub actor_id: Option<&'a str>,
    pub impersonator_id: Option<&'a str>,
    pub organization_id: Option<&'a str>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<&'a str>,
    pub changes: Value,
    pub meta: &'a RequestMeta,
}

impl<'a> AuditEntry<'a> {
    /// An action a signed-in principal took (naming the impersonator, if any).
    pub fn by(
        principal: &'a Principal,
        action: &'a str,
        target_type: &'a str,
        target_id: Option<&'a str>,
    ) -> Self {
        AuditEntry {
            actor_id: Some(&principal.user_id),
            impersonator_id: principal.impersonator_id.as_deref(),
            organization_id: Some(&principal.organization_id),
            action,
            target_type,
            target_id,
            changes: json!({}),
            meta: &principal.meta,
        }
    }

    /// What a user did to their own account without a session yet (accepting an invitation,
    /// confirming, resetting the password, signing in): they are actor and target.
    pub fn of_account(
        user_id: &'a str,
        organization_id: &'a str,
        action: &'a str,
        meta: &'a RequestMeta,
    ) -> Self {
        AuditEntry {
            actor_id: Some(user_id),
            impersonator_id: None,
            organization_id: Some(organization_id),
            action,
            target_type: "users",
            target_id: Some(user_id),
            changes: json!({}),
            meta,
        }
    }

    pub fn in_organization(mut self, organization_id: Option<&'a str>) -> Self {
        self.organization_id = organization_id;
        self
    }

    pub fn with_changes(mut self, changes: Value) -> Self {
        self.changes = changes;
        self
    }
}

pub async fn record(exec: &mut Exec<'_>, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    exec.execute(
        &Sql::new(
            "INSERT INTO audit_events (id, actor_id, impersonator_id, organization_id, action, \
             target_type, target_id, changes, ip, user_agent, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(new_id())
        .bind(entry.actor_id)
        .bind(entry.impersonator_id)
        .bind(entry.organization_id)
        .bind(entry.action)
        .bind(entry.target_type)
        .bind(entry.target_id)
        .bind(entry.changes.to_string())
        .bind(entry.meta.ip.clone())
        .bind(entry.meta.user_agent.clone())
        .bind(now()),
    )
    .await
    .map(|_| ())
}

/// `{"field": {"from": old, "to": new}}` for the keys whose values differ.
pub fn diff(before: &Value, after: &Value) -> Value {
    let mut changes = Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (key, new) in after {
            let old = before.get(key).unwrap_or(&Value::Null);
            if old != new {
                changes.insert(key.clone(), json!({ "from": old, "to": new }));
            }
        }
    }
    Value::Object(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_only_changed_keys() {
        let before = json!({"name": "Acme", "city": "Berlin", "phone": null});
        let after = json!({"name": "Acme", "city": "Paris", "phone": "+33"});
        assert_eq!(
            diff(&before, &after),
            json!({"city": {"from": "Berlin", "to": "Paris"}, "phone": {"from": null, "to": "+33"}})
        );
    }
}
