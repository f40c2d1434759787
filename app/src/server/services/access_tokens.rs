//! The personal access token (API.md §1, §4: `PUT /v2/user/access_token`, `.../revoke`): one per
//! user, sent as `Authorization: Basic <token>`, valid until revoked or replaced. Only its
//! SHA-256 is stored, so its value is shown once, when it is generated.

use super::audit::{self, AuditEntry};
use super::sessions::refuse_while_impersonating;
use crate::domain::session::{AccessTokenStatus, IssuedAccessToken};
use crate::server::auth::{token, Principal};
use crate::server::db::{now, Db, Exec, Sql};
use crate::server::AppError;
use chrono::{DateTime, Utc};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct StatusRow {
    active: bool,
    access_token_created_at: Option<DateTime<Utc>>,
    access_token_last_used_at: Option<DateTime<Utc>>,
}

pub async fn status(db: &Db, principal: &Principal) -> Result<AccessTokenStatus, AppError> {
    let mut conn = db.conn().await?;
    let row = status_row(&mut conn.exec(), &principal.user_id).await?;
    Ok(AccessTokenStatus {
        active: row.active,
        created_at: row.active.then_some(row.access_token_created_at).flatten(),
        last_used_at: row
            .active
            .then_some(row.access_token_last_used_at)
            .flatten(),
    })
}

async fn status_row(exec: &mut Exec<'_>, user_id: &str) -> Result<StatusRow, AppError> {
    let row: Option<StatusRow> = exec
        .fetch_optional(
            &Sql::new(
                "SELECT access_token_hash IS NOT NULL AS active, access_token_created_at, \
                 access_token_last_used_at FROM users WHERE id = $1",
            )
            .bind(user_id),
        )
        .await?;
    row.ok_or_else(|| AppError::not_found("User"))
}

/// Generates the user's token, replacing (and so revoking) the one they had.
pub async fn generate(db: &Db, principal: &Principal) -> Result<IssuedAccessToken, AppError> {
    refuse_while_impersonating(principal)?;
    let issued = token::generate();
    let at = now();
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let replaced = status_row(&mut exec, &principal.user_id).await?;
    exec.execute(
        &Sql::new(
            "UPDATE users SET access_token_hash = $1, access_token_created_at = $2, \
             access_token_last_used_at = NULL WHERE id = $3",
        )
        .bind(issued.hash)
        .bind(at)
        .bind(principal.user_id.as_str()),
    )
    .await?;
    // The token itself is a secret: the trail says that it changed, never what it is.
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "access_token.generate",
            "users",
            Some(&principal.user_id),
        )
        .with_changes(json!({
            "access_token": {"from": replaced.active.then_some("[hidden]"), "to": "[hidden]"}
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedAccessToken {
        access_token: issued.raw,
        created_at: at,
    })
}

/// Revokes the user's token. Revoking when there is none changes nothing and succeeds: the
/// caller's wish (no token works) holds either way.
pub async fn revoke(db: &Db, principal: &Principal) -> Result<(), AppError> {
    refuse_while_impersonating(principal)?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let revoked = exec
        .execute(
            &Sql::new(
                "UPDATE users SET access_token_hash = NULL, access_token_created_at = NULL, \
                 access_token_last_used_at = NULL WHERE id = $1 AND access_token_hash IS NOT NULL",
            )
            .bind(principal.user_id.as_str()),
        )
        .await?;
    if revoked > 0 {
        audit::record(
            &mut exec,
            AuditEntry::by(
                principal,
                "access_token.revoke",
                "users",
                Some(&principal.user_id),
            )
            .with_changes(json!({"access_token": {"from": "[hidden]", "to": null}})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `raw` is the user's token now: the page shows a just-generated token only while it
/// is still the one that works (not a replaced one, nor whatever a cookie was made to say).
pub async fn is_current(db: &Db, principal: &Principal, raw: &str) -> Result<bool, AppError> {
    let found = db
        .fetch_count(
            &Sql::new("SELECT COUNT(*) FROM users WHERE id = $1 AND access_token_hash = $2")
                .bind(principal.user_id.as_str())
                .bind(token::digest(raw)),
        )
        .await?;
    Ok(found > 0)
}
