//! Impersonation (API.md §2, seed `002_*`): an admin acts as a user to see what they see. A Super
//! Admin may impersonate anyone but a Super Admin; an Admin only Users of their own organization;
//! nobody themselves, and nobody while already impersonating. Starting writes a session of the
//! user that names the admin (`sessions.impersonator_id`, so every audited action done with it
//! names both) and a single-use revert token held by the admin and bound to that session; both
//! end within the hour. Stopping spends the token, ends the impersonation's session and signs the
//! admin in again. Start and stop are audited with both identities.

use super::account_tokens::{self, Purpose, IMPERSONATION_LIFETIME};
use super::audit::{self, AuditEntry};
use super::auth::{start_session, SignedIn};
use super::users;
use crate::domain::user::User;
use crate::domain::{text, FieldError, Role};
use crate::server::auth::{token, Principal};
use crate::server::db::{new_id, now, Db, Sql};
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;

/// What starting answers: the user's session (seed `002_*`'s body) and the admin's way back.
pub struct Impersonation {
    pub token: String,
    pub username: String,
    pub role: Role,
    pub timezone: String,
    pub revert_token: String,
    pub user_created_at: DateTime<Utc>,
    pub user_updated_at: DateTime<Utc>,
    pub expires_in_secs: u64,
}

/// The longest reason kept.
const MAX_REASON: usize = 500;

/// Whether the principal may impersonate this user, whom they can see (the user's page offers
/// "Impersonate" only then).
pub fn may_impersonate(principal: &Principal, user: &User) -> bool {
    check(principal, user).is_ok()
}

fn check(principal: &Principal, user: &User) -> Result<(), AppError> {
    if principal.impersonator_id.is_some() {
        return Err(AppError::Forbidden(
            "You are impersonating already: stop first.".into(),
        ));
    }
    if user.id == principal.user_id {
        return Err(AppError::Forbidden(
            "You can't impersonate yourself.".into(),
        ));
    }
    match principal.role {
        Role::SuperAdmin if user.attributes.role == Role::SuperAdmin => Err(AppError::Forbidden(
            "A Super Admin can't be impersonated.".into(),
        )),
        Role::SuperAdmin => Ok(()),
        Role::Admin
            if user.attributes.role == Role::User
                && user.attributes.organization.id == principal.organization_id =>
        {
            Ok(())
        }
        Role::Admin => Err(AppError::Forbidden(
            "An Admin can impersonate only Users of their own organization.".into(),
        )),
        Role::User => Err(AppError::Forbidden(
            "Only administrators can impersonate.".into(),
        )),
    }?;
    if !user.attributes.verified {
        return Err(AppError::Conflict(
            "This user hasn't confirmed their address yet, so there is nothing to see as them."
                .into(),
        ));
    }
    Ok(())
}

pub async fn start(
    db: &Db,
    principal: &Principal,
    user_id: &str,
    reason: Option<&str>,
) -> Result<Impersonation, AppError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(reason) = reason {
        if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "reason",
                format!("must be at most {MAX_REASON} characters, without control characters"),
            )]));
        }
    }
    if !text::is_uuid(user_id.trim()) {
        return Err(AppError::not_found("User"));
    }
    // Out of sight is a 404, exactly like a missing user.
    let user = users::get_user(db, principal, user_id.trim()).await?;
    check(principal, &user)?;
    let target_role = user.attributes.role;

    let at = now();
    let expires_at = at + IMPERSONATION_LIFETIME;
    let session = token::generate();
    let session_id = new_id();
    let meta = &principal.meta;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(
        &Sql::new(
            "INSERT INTO sessions (id, user_id, token_hash, impersonator_id, ip, user_agent, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind(session_id.as_str())
        .bind(user.id.as_str())
        .bind(session.hash)
        .bind(principal.user_id.as_str())
        .bind(meta.ip.clone())
        .bind(meta.user_agent.clone())
        .bind(at)
        .bind(expires_at),
    )
    .await?;
    let (revert_token, _) = account_tokens::issue_with_data(
        &mut exec,
        &principal.user_id,
        Purpose::ImpersonationRevert,
        Some(&session_id),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.impersonate", "users", Some(&user.id))
            .in_organization(Some(&user.attributes.organization.id))
            .with_changes(json!({ "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(Impersonation {
        token: session.raw,
        username: user.attributes.username,
        role: target_role,
        timezone: user.attributes.timezone,
        revert_token,
        user_created_at: user.attributes.created_at,
        user_updated_at: user.attributes.updated_at,
        expires_in_secs: IMPERSONATION_LIFETIME.num_seconds() as u64,
    })
}

/// Ends the impersonation this request rides on and signs its admin in again. The revert token
/// must be the one issued with this very session: used twice, expired, or presented by anyone
/// else, it is a 422 naming it and changes nothing.
pub async fn stop(
    db: &Db,
    config: &Config,
    principal: &Principal,
    revert_token: &str,
) -> Result<SignedIn, AppError> {
    let refused = || {
        AppError::Invalid(vec![FieldError::new(
            "impersonator_revert_token",
            "is invalid, was already used, or doesn't belong to this impersonation",
        )])
    };
    let (Some(admin_id), Some(session_id)) = (
        principal.impersonator_id.as_deref(),
        principal.session_id.as_deref(),
    ) else {
        return Err(refused());
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let live = account_tokens::find(&mut exec, revert_token, Purpose::ImpersonationRevert)
        .await?
        .filter(|t| t.user_id == admin_id && t.data.as_deref() == Some(session_id))
        .ok_or_else(refused)?;
    if !account_tokens::spend(&mut exec, &live).await? {
        return Err(refused());
    }
    exec.execute(&Sql::new("DELETE FROM sessions WHERE id = $1").bind(session_id))
        .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.stop_impersonating",
            "users",
            Some(&principal.user_id),
        ),
    )
    .await?;
    tx.commit().await?;
    start_session(db, config, admin_id, &principal.meta).await
}

/// The email of the admin acting as the principal, when impersonating (for the banner).
pub async fn impersonator_email(
    db: &Db,
    principal: &Principal,
) -> Result<Option<String>, AppError> {
    let Some(admin_id) = principal.impersonator_id.as_deref() else {
        return Ok(None);
    };
    let row: Option<(String,)> = db
        .fetch_optional(&Sql::new("SELECT email FROM users WHERE id = $1").bind(admin_id))
        .await?;
    Ok(row.map(|(email,)| email))
}
