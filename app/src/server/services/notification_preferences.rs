//! Notification preferences (API.md §5): each user's own choices, their organization's defaults,
//! and the effective preference computed from both (`domain::notification::effective`). A user
//! changes only their own; an organization's defaults are its administrators' (its Admins, its
//! partner's Admins, Super Admins).

use super::audit::{self, AuditEntry};
use super::organizations;
use crate::domain::notification::{
    effective, is_notification_name, ChannelsChange, NotificationDefault, NotificationPreference,
    OwnChoice, PreferenceParams, NOTIFICATION_NAMES,
};
use crate::domain::FieldError;
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::AppError;
use chrono::{DateTime, Utc};
use serde_json::json;

/// What a request changes in one preference; `None` leaves that part as it is.
#[derive(Clone, Debug, Default)]
pub struct PreferenceChange {
    pub enabled: Option<bool>,
    pub params: Option<PreferenceParams>,
    pub channels: Option<ChannelsChange>,
}

/// What a request changes in one organization default; `None` leaves that part as it is.
#[derive(Clone, Debug, Default)]
pub struct DefaultChange {
    pub enabled: Option<bool>,
    pub params: Option<PreferenceParams>,
    pub locked: Option<bool>,
}

/// 422 naming `name` unless it is one of the four.
pub fn check_name(name: &str) -> Result<(), AppError> {
    if is_notification_name(name) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "name",
            format!("must be one of {}", NOTIFICATION_NAMES.join(", ")),
        ))
    }
}

#[derive(sqlx::FromRow)]
struct DefaultRow {
    name: String,
    enabled: bool,
    params: String,
    locked: bool,
    updated_at: DateTime<Utc>,
}

/// The organization's four defaults, in the canonical order; an unset one is off, unlocked.
pub async fn defaults_of(
    exec: &mut Exec<'_>,
    organization_id: &str,
) -> Result<Vec<NotificationDefault>, AppError> {
    let rows: Vec<DefaultRow> = exec
        .fetch_all(
            &Sql::new(
                "SELECT name, enabled, params, locked, updated_at FROM notification_defaults \
                 WHERE organization_id = $1",
            )
            .bind(organization_id),
        )
        .await?;
    Ok(NOTIFICATION_NAMES
        .iter()
        .map(|name| match rows.iter().find(|r| r.name == *name) {
            Some(row) => NotificationDefault {
                name: row.name.clone(),
                enabled: row.enabled,
                params: serde_json::from_str(&row.params).unwrap_or_default(),
                locked: row.locked,
                updated_at: Some(row.updated_at),
            },
            None => NotificationDefault {
                name: name.to_string(),
                enabled: false,
                params: PreferenceParams::default(),
                locked: false,
                updated_at: None,
            },
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PreferenceRow {
    id: String,
    name: String,
    enabled: Option<bool>,
    params: Option<String>,
    channels: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PreferenceRow {
    fn own(&self) -> OwnChoice {
        OwnChoice {
            enabled: self.enabled,
            params: self
                .params
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok()),
            channels: self
                .channels
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
        }
    }

    fn resolve(&self, default: &NotificationDefault) -> NotificationPreference {
        let own = self.own();
        let (enabled, params, channels) = effective(&own, default);
        NotificationPreference {
            id: self.id.clone(),
            name: self.name.clone(),
            enabled,
            params,
            channels,
            locked: default.locked,
            customized: own.enabled.is_some() || own.params.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn select_own(user_id: &str) -> Sql {
    Sql::new(
        "SELECT id, name, enabled, params, channels, created_at, updated_at \
         FROM notification_preferences WHERE user_id = $1",
    )
    .bind(user_id)
}

/// The user's rows, every name present: a missing one is created (following the defaults).
async fn own_rows(exec: &mut Exec<'_>, user_id: &str) -> Result<Vec<PreferenceRow>, AppError> {
    let select = select_own(user_id);
    let rows: Vec<PreferenceRow> = exec.fetch_all(&select).await?;
    if rows.len() == NOTIFICATION_NAMES.len() {
        return Ok(rows);
    }
    let at = now();
    for name in NOTIFICATION_NAMES {
        if rows.iter().any(|r| r.name == name) {
            continue;
        }
        // A parallel first read may create it too: whoever is second keeps the first one's row.
        exec.execute(
            &Sql::new(
                "INSERT INTO notification_preferences (id, user_id, name, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, name) DO NOTHING",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(name)
            .bind(at)
            .bind(at),
        )
        .await?;
    }
    Ok(exec.fetch_all(&select).await?)
}

fn in_order(mut preferences: Vec<NotificationPreference>) -> Vec<NotificationPreference> {
    preferences.sort_by_key(|p| NOTIFICATION_NAMES.iter().position(|n| *n == p.name));
    preferences
}

/// `GET /v2/user/preferences/notifications`: the four, as they apply to the signed-in user.
pub async fn list_mine(
    db: &Db,
    principal: &Principal,
) -> Result<Vec<NotificationPreference>, AppError> {
    // Reads don't take the write lock once the rows exist (every read after the first).
    let (rows, defaults) = {
        let mut conn = db.conn().await?;
        let mut exec = conn.exec();
        let rows: Vec<PreferenceRow> = exec.fetch_all(&select_own(&principal.user_id)).await?;
        (
            rows,
            defaults_of(&mut exec, &principal.organization_id).await?,
        )
    };
    let rows = if rows.len() == NOTIFICATION_NAMES.len() {
        rows
    } else {
        let mut tx = db.begin().await?;
        let rows = own_rows(&mut tx.exec(), &principal.user_id).await?;
        tx.commit().await?;
        rows
    };
    Ok(in_order(
        rows.iter()
            .filter_map(|row| {
                let default = defaults.iter().find(|d| d.name == row.name)?;
                Some(row.resolve(default))
            })
            .collect(),
    ))
}

/// `PUT .../{name}/enable` and `.../disable` (and the cards of `/me/notifications`): records the
/// user's own choice. A preference the organization locked can't be turned off (403).
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, name = %name))]
pub async fn set_mine(
    db: &Db,
    principal: &Principal,
    name: &str,
    change: PreferenceChange,
) -> Result<NotificationPreference, AppError> {
    check_name(name)?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let rows = own_rows(&mut exec, &principal.user_id).await?;
    let defaults = defaults_of(&mut exec, &principal.organization_id).await?;
    let (Some(row), Some(default)) = (
        rows.iter().find(|r| r.name == name),
        defaults.iter().find(|d| d.name == name),
    ) else {
        return Err(AppError::not_found("Notification preference"));
    };
    if default.locked && change.enabled == Some(false) {
        return Err(AppError::Forbidden(format!(
            "Your organization keeps \"{name}\" notifications on; an administrator can unlock them."
        )));
    }
    let before = row.resolve(default);
    let own = row.own();
    let enabled = change.enabled.or(own.enabled);
    let params = change.params.clone().or(own.params);
    let channels = match change.channels {
        Some(change) => Some(change.apply(own.channels.unwrap_or_default())),
        None => own.channels,
    };
    exec.execute(
        &Sql::new(
            "UPDATE notification_preferences SET enabled = $1, params = $2, channels = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(enabled)
        .bind(params.map(|p| json!(p).to_string()))
        .bind(channels.map(|c| json!(c).to_string()))
        .bind(now())
        .bind(&row.id),
    )
    .await?;
    let rows = own_rows(&mut exec, &principal.user_id).await?;
    let after = rows
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.resolve(default))
        .ok_or_else(|| AppError::not_found("Notification preference"))?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "notification_preference.update",
            "notification_preferences",
            Some(&after.id),
        )
        .with_changes(changes_between(
            &json!({"enabled": before.enabled, "params": before.params, "channels": before.channels}),
            &json!({"enabled": after.enabled, "params": after.params, "channels": after.channels}),
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// `{"field": {"from", "to"}}` for each top-level key that differs.
fn changes_between(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut changes = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (key, to) in a {
            let from = b.get(key).cloned().unwrap_or_default();
            if &from != to {
                changes.insert(key.clone(), json!({"from": from, "to": to}));
            }
        }
    }
    serde_json::Value::Object(changes)
}

/// `GET /v2/organizations/{id}/notification_defaults`.
pub async fn get_defaults(
    db: &Db,
    principal: &Principal,
    organization_id: &str,
) -> Result<Vec<NotificationDefault>, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let organization =
        organizations::find_manageable(&mut exec, principal, organization_id).await?;
    defaults_of(&mut exec, &organization.id).await
}

/// `PUT /v2/organizations/{id}/notification_defaults` (and the organization's "Notification
/// defaults" page): the named defaults change, the others stay. Users who chose for themselves
/// keep their choice; a locked default is on for everyone.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, organization_id = %organization_id))]
pub async fn set_defaults(
    db: &Db,
    principal: &Principal,
    organization_id: &str,
    changes: Vec<(String, DefaultChange)>,
) -> Result<Vec<NotificationDefault>, AppError> {
    let mut errors = Vec::new();
    for (name, _) in &changes {
        if !is_notification_name(name) {
            errors.push(FieldError::new(
                format!("notification_defaults.{name}"),
                format!("is not a preference ({})", NOTIFICATION_NAMES.join(", ")),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let organization =
        organizations::find_manageable(&mut exec, principal, organization_id).await?;
    let before = defaults_of(&mut exec, &organization.id).await?;
    let at = now();
    for (name, change) in &changes {
        let Some(current) = before.iter().find(|d| d.name == *name) else {
            continue;
        };
        let enabled = change.enabled.unwrap_or(current.enabled);
        let params = change
            .params
            .clone()
            .unwrap_or_else(|| current.params.clone());
        let locked = change.locked.unwrap_or(current.locked);
        exec.execute(
            &Sql::new(
                "INSERT INTO notification_defaults (organization_id, name, enabled, params, locked, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (organization_id, name) DO UPDATE SET enabled = $3, params = $4, \
                 locked = $5, updated_at = $6",
            )
            .bind(&organization.id)
            .bind(name.as_str())
            .bind(enabled)
            .bind(json!(params).to_string())
            .bind(locked)
            .bind(at),
        )
        .await?;
    }
    let after = defaults_of(&mut exec, &organization.id).await?;
    let view = |defaults: &[NotificationDefault]| {
        json!(defaults
            .iter()
            .map(|d| (
                d.name.clone(),
                json!({"enabled": d.enabled, "params": d.params, "locked": d.locked})
            ))
            .collect::<serde_json::Map<_, _>>())
    };
    let changed = changes_between(&view(&before), &view(&after));
    if changed.as_object().is_some_and(|c| !c.is_empty()) {
        audit::record(
            &mut exec,
            AuditEntry::by(
                principal,
                "notification_defaults.update",
                "organizations",
                Some(&organization.id),
            )
            .in_organization(Some(&organization.id))
            .with_changes(changed),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}
