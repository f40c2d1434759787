//! Addresses blocked from signing in: the per-IP limit of failed sign-ins (API.md §2) as a
//! resource a Super Admin can see and lift. The counters themselves live in `rate_limits`
//! (`rate_limit::reserve`); this module names their keys, audits the moment an address goes over
//! the limit, lists the addresses over it now, and lifts one.
//!
//! Only a Super Admin: an address is shared by every tenant (an office, a VPN, an attacker trying
//! every organization's users), so lifting it is an instance-wide decision. Admins unlock their
//! own users (`users::unlock`).

use super::audit::{self, AuditEntry};
use super::rate_limit;
use crate::domain::blocked_address::BlockedAddress;
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{now, Db, Sql};
use crate::server::request::RequestMeta;
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;

const KEY_PREFIX: &str = "sign_in_failures:ip:";

/// The counter of failed sign-ins from the request's address.
pub fn counter_key(meta: &RequestMeta) -> String {
    format!("{KEY_PREFIX}{}", meta.ip.as_deref().unwrap_or("unknown"))
}

/// Records `address.blocked` once per window: for the attempt that went one over the limit (the
/// counter is atomic, so exactly one attempt sees that count). No actor, no organization: only a
/// Super Admin reads it.
pub async fn record_if_just_blocked(
    db: &Db,
    meta: &RequestMeta,
    count: i64,
    limit: i64,
) -> Result<(), sqlx::Error> {
    if count != limit + 1 {
        return Ok(());
    }
    let address = meta.ip.as_deref().unwrap_or("unknown");
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx.exec(),
        AuditEntry {
            actor_id: None,
            impersonator_id: None,
            organization_id: None,
            action: "address.blocked",
            target_type: "addresses",
            target_id: Some(address),
            changes: json!({ "failed_attempts": limit }),
            meta,
        },
    )
    .await?;
    tx.commit().await
}

fn require_super_admin(principal: &Principal) -> Result<(), AppError> {
    if principal.role == Role::SuperAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only a Super Admin can see or lift blocked addresses.".into(),
        ))
    }
}

#[derive(sqlx::FromRow)]
struct CounterRow {
    key: String,
    count: i64,
    window_start: DateTime<Utc>,
}

fn window_length(config: &Config) -> chrono::Duration {
    rate_limit::window_length(config.sign_in_rate_window)
}

/// `GET /v2/blocked_addresses`: the addresses over the limit in their current window, the most
/// attempts first.
pub async fn list(
    db: &Db,
    config: &Config,
    principal: &Principal,
) -> Result<Vec<BlockedAddress>, AppError> {
    require_super_admin(principal)?;
    let length = window_length(config);
    let rows: Vec<CounterRow> = db
        .fetch_all(
            &Sql::new(
                "SELECT key, count, window_start FROM rate_limits \
                 WHERE key LIKE $1 AND count > $2 AND window_start >= $3 \
                 ORDER BY count DESC, key LIMIT 1000",
            )
            .bind(format!("{KEY_PREFIX}%"))
            .bind(config.sign_in_rate_limit)
            .bind(now() - length),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| BlockedAddress {
            address: row.key[KEY_PREFIX.len()..].to_string(),
            failed_attempts: row.count,
            blocked_until: row.window_start + length,
        })
        .collect())
}

/// `DELETE /v2/blocked_addresses/{address}`: the address may sign in again now, with a new count.
/// One conditional `DELETE` decides, so of two Super Admins lifting it at once one gets the 404.
/// Audited as `address.unblocked` with the count it cleared.
pub async fn lift(
    db: &Db,
    config: &Config,
    principal: &Principal,
    address: &str,
) -> Result<(), AppError> {
    require_super_admin(principal)?;
    let not_blocked = || AppError::not_found("Blocked address");
    let address = address.trim();
    // An address is short and printable; anything else was never counted (and PostgreSQL refuses
    // a NUL in text).
    if address.is_empty() || address.len() > 64 || address.chars().any(char::is_control) {
        return Err(not_blocked());
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let cleared: Option<(i64,)> = exec
        .fetch_optional(
            &Sql::new(
                "DELETE FROM rate_limits WHERE key = $1 AND count > $2 AND window_start >= $3 \
                 RETURNING count",
            )
            .bind(format!("{KEY_PREFIX}{address}"))
            .bind(config.sign_in_rate_limit)
            .bind(now() - window_length(config)),
        )
        .await?;
    let Some((count,)) = cleared else {
        return Err(not_blocked());
    };
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "address.unblocked", "addresses", Some(address))
            .in_organization(None)
            .with_changes(json!({ "failed_attempts": { "from": count, "to": 0 } })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
