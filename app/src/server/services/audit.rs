//! Audit events: one row per change, written in the same transaction as the change itself, so a
//! change without its record (or the reverse) can't exist; and read back by administrators
//! (`/v2/audit/events`, `/audit`): a Super Admin reads every event, an Admin their organization's,
//! a User none (403). An event out of the caller's sight is a 404, like a missing one.

use super::text_match;
use crate::domain::audit::{
    mask_secrets, AuditAttributes, AuditEvent, AuditParty, AUDIT_FILTERS, AUDIT_SORTS,
};
use crate::domain::list::{ListQuery, ListSpec, Page, PageMeta};
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Backend, Db, Exec, Sql};
use crate::server::request::RequestMeta;
use crate::server::AppError;
use chrono::{DateTime, Utc};
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

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &AUDIT_FILTERS,
    sorts: &AUDIT_SORTS,
    default_sort: "created_at",
    default_descending: true,
};

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    action: String,
    actor_id: Option<String>,
    actor_email: Option<String>,
    impersonator_id: Option<String>,
    impersonator_email: Option<String>,
    organization_id: Option<String>,
    target_type: String,
    target_id: Option<String>,
    target_name: Option<String>,
    changes: String,
    ip: Option<String>,
    user_agent: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> AuditEvent {
        let party =
            |id: Option<String>, email: Option<String>| id.map(|id| AuditParty { id, email });
        // A row that isn't JSON (it can't be: the writer serializes a Value) still reads.
        let changes = serde_json::from_str(&row.changes).unwrap_or(Value::Object(Map::new()));
        AuditEvent {
            id: row.id,
            attributes: AuditAttributes {
                action: row.action,
                actor: party(row.actor_id, row.actor_email),
                impersonator: party(row.impersonator_id, row.impersonator_email),
                organization_id: row.organization_id,
                target_type: row.target_type,
                target_id: row.target_id,
                target_name: row.target_name,
                changes: mask_secrets(changes),
                ip: row.ip,
                user_agent: row.user_agent,
                created_at: row.created_at,
            },
        }
    }
}

const SELECT_EVENTS: &str = "SELECT e.id, e.action, e.actor_id, a.email AS actor_email, \
     e.impersonator_id, i.email AS impersonator_email, e.organization_id, e.target_type, e.target_id, \
     CASE e.target_type WHEN 'organizations' THEN o.name WHEN 'users' THEN tu.email END AS target_name, \
     e.changes, e.ip, e.user_agent, e.created_at \
     FROM audit_events e LEFT JOIN users a ON a.id = e.actor_id \
     LEFT JOIN users i ON i.id = e.impersonator_id \
     LEFT JOIN organizations o ON e.target_type = 'organizations' AND o.id = e.target_id \
     LEFT JOIN users tu ON e.target_type = 'users' AND tu.id = e.target_id WHERE 1 = 1";

/// Who may read the trail, and the part of it they see.
fn push_scope(sql: &mut Sql, principal: &Principal) -> Result<(), AppError> {
    match principal.role {
        Role::SuperAdmin => {}
        Role::Admin => {
            sql.push(" AND e.organization_id = ")
                .push_bind(principal.organization_id.as_str());
        }
        Role::User => {
            return Err(AppError::Forbidden(
                "Only administrators can read the audit trail.".into(),
            ))
        }
    }
    Ok(())
}

fn push_filters(sql: &mut Sql, backend: Backend, query: &ListQuery) {
    if let Some(search) = &query.search {
        text_match::push_condition(sql, backend, "e", &["action", "target_type"], search);
    }
    for (field, matcher) in &query.filters {
        // Checked against AUDIT_FILTERS by the parser; never interpolate anything else.
        if let Some(column) = AUDIT_FILTERS.iter().find(|f| **f == field.as_str()) {
            text_match::push_condition(sql, backend, "e", &[column], matcher);
        }
    }
    if let Some(from) = query.created_from {
        sql.push(" AND e.created_at >= ").push_bind(from);
    }
    if let Some(to) = query.created_to {
        sql.push(" AND e.created_at <= ").push_bind(to);
    }
}

/// `GET /v2/audit/events`: newest first by default. The screens count up to `count_limit`
/// ("more than 1,000"); the API counts every match.
pub async fn list(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<AuditEvent>, AppError> {
    let mut sql = Sql::new(SELECT_EVENTS);
    push_scope(&mut sql, principal)?;
    push_filters(&mut sql, db.backend(), query);
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let order = match query.sort.field.as_str() {
        "action" => "e.action",
        "target_type" => "e.target_type",
        _ => "e.created_at",
    };
    sql.push(&format!(
        " ORDER BY {order} {direction}, e.id {direction} LIMIT "
    ))
    .push_bind(i64::from(query.per_page))
    .push(" OFFSET ")
    .push_bind(query.offset() as i64);
    let rows: Vec<AuditRow> = db.fetch_all(&sql).await?;
    let shown = rows.len() as u64;
    let (total, capped) = if shown < u64::from(query.per_page) && (shown > 0 || query.page == 1) {
        // The last page: what came before it and what it shows.
        (query.offset() + shown, false)
    } else {
        let mut matches = Sql::new("SELECT 1 FROM audit_events e WHERE 1 = 1");
        push_scope(&mut matches, principal)?;
        push_filters(&mut matches, db.backend(), query);
        super::paging::count_up_to(db, matches, query.count_limit).await?
    };
    let mut meta = PageMeta::new(query.page, query.per_page, total);
    meta.total_capped = capped;
    Ok(Page {
        items: rows.into_iter().map(AuditEvent::from).collect(),
        meta,
    })
}

/// `GET /v2/audit/events/{id}`.
pub async fn find(db: &Db, principal: &Principal, id: &str) -> Result<AuditEvent, AppError> {
    // A malformed id is a missing one (and never reaches PostgreSQL, which refuses NUL bytes).
    let id = uuid::Uuid::parse_str(id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::not_found("Audit event"))?;
    let mut sql = Sql::new(SELECT_EVENTS);
    sql.push(" AND e.id = ").push_bind(id);
    push_scope(&mut sql, principal)?;
    let row: Option<AuditRow> = db.fetch_optional(&sql).await?;
    row.map(AuditEvent::from)
        .ok_or_else(|| AppError::not_found("Audit event"))
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
