//! The public account flows (API.md §2), reached by a link from an email rather than a session:
//! accepting an invitation, confirming an email address, and resetting a forgotten password. Each
//! spends its one-time token in the transaction that applies it, so a token works once even when
//! the link is opened twice at the same moment, and a bad token changes nothing.

use super::account_tokens::{self, LiveToken, Purpose};
use super::audit::{self, AuditEntry};
use super::auth::{self as auth_service, SignedIn};
use super::emails::{self, Recipient};
use super::{outbox, rate_limit};
use crate::domain::{FieldError, Role};
use crate::server::auth::password;
use crate::server::db::{now, Db, Exec, Sql};
use crate::server::request::RequestMeta;
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::time::Duration;

/// What the invitation page shows before it is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationDetails {
    pub email: String,
    pub organization_id: String,
    pub organization_name: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// What the confirmation page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationDetails {
    pub email: String,
    pub confirmed: bool,
    /// Created without a password: confirming sets one.
    pub needs_password: bool,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    email: String,
    role: String,
    first_name: Option<String>,
    last_name: Option<String>,
    organization_id: String,
    organization_name: String,
    has_password: bool,
    confirmed_at: Option<DateTime<Utc>>,
}

async fn account(exec: &mut Exec<'_>, user_id: &str) -> Result<AccountRow, AppError> {
    exec.fetch_optional(
        &Sql::new(
            "SELECT u.id, u.email, u.role, u.first_name, u.last_name, u.organization_id, \
             o.name AS organization_name, u.password_hash IS NOT NULL AS has_password, u.confirmed_at \
             FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = $1",
        )
        .bind(user_id),
    )
    .await?
    .ok_or_else(|| AppError::not_found("User"))
}

/// The live token behind `raw`, or the error that names the field it came in.
async fn live_token(
    exec: &mut Exec<'_>,
    raw: &str,
    purpose: Purpose,
    field: &str,
) -> Result<LiveToken, AppError> {
    account_tokens::find(exec, raw, purpose)
        .await?
        .ok_or_else(|| AppError::invalid(field, "is invalid, was already used, or has expired"))
}

/// The new password and its confirmation, checked together (errors name `password` and
/// `password_confirmation`).
fn password_errors(new: &str, confirmation: &str) -> Vec<FieldError> {
    if let Err(message) = password::check_strength(new) {
        vec![FieldError::new("password", message)]
    } else if new != confirmation {
        vec![FieldError::new(
            "password_confirmation",
            "doesn't match the password",
        )]
    } else {
        Vec::new()
    }
}

/// The live token behind `raw` and its account, for a page that shows what the link is for
/// before it is used; 404 (naming `what`) when there is none.
async fn token_account(
    db: &Db,
    raw: &str,
    purpose: Purpose,
    what: &str,
) -> Result<(LiveToken, AccountRow), AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let token = account_tokens::find(&mut exec, raw, purpose)
        .await?
        .ok_or_else(|| AppError::not_found(what))?;
    let row = account(&mut exec, &token.user_id).await?;
    Ok((token, row))
}

/// `GET /auth/invitation`: the invitation behind a token, for the page that accepts it. An
/// unknown, used or expired token is a 404.
pub async fn invitation_details(db: &Db, raw: &str) -> Result<InvitationDetails, AppError> {
    let (token, row) = token_account(db, raw, Purpose::Invitation, "Invitation").await?;
    Ok(InvitationDetails {
        email: row.email,
        organization_id: row.organization_id,
        organization_name: row.organization_name,
        role: Role::parse(&row.role).unwrap_or(Role::User),
        expires_at: token.expires_at,
        first_name: row.first_name,
        last_name: row.last_name,
    })
}

/// What accepting an invitation sets.
pub struct Acceptance<'a> {
    pub token: &'a str,
    pub password: &'a str,
    pub password_confirmation: &'a str,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

/// `PUT /auth/invitation`: sets the password (and names), confirms the address, spends the token
/// and signs the new user in.
pub async fn accept_invitation(
    db: &Db,
    config: &Config,
    acceptance: Acceptance<'_>,
    meta: &RequestMeta,
) -> Result<SignedIn, AppError> {
    let mut errors = password_errors(acceptance.password, acceptance.password_confirmation);
    let mut names = Vec::new();
    for (key, value) in [
        ("first_name", acceptance.first_name),
        ("last_name", acceptance.last_name),
    ] {
        match value.map(|v| crate::domain::text::optional(v, crate::domain::text::SHORT_TEXT_MAX)) {
            Some(Ok(v)) => names.push((key, v)),
            Some(Err(message)) => errors.push(FieldError::new(key, message)),
            None => {}
        }
    }
    let hash = if errors.is_empty() {
        Some(password::hash(acceptance.password.to_string()).await?)
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let token = live_token(
        &mut exec,
        acceptance.token,
        Purpose::Invitation,
        "invitation_token",
    )
    .await;
    // Every invalid field at once: the token's and the password's.
    let token = match (token, hash) {
        (Ok(token), Some(hash)) => (token, hash),
        (token, _) => {
            if let Err(AppError::Invalid(token_errors)) = token {
                errors.splice(0..0, token_errors);
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let (token, hash) = token;
    if !account_tokens::spend(&mut exec, &token).await? {
        return Err(AppError::invalid(
            "invitation_token",
            "is invalid, was already used, or has expired",
        ));
    }
    let at = now();
    let mut sql = Sql::new("UPDATE users SET password_hash = ");
    sql.push_bind(hash)
        .push(", confirmed_at = ")
        .push_bind(at)
        .push(", updated_at = ")
        .push_bind(at)
        .push(", lock_version = lock_version + 1");
    for (key, value) in &names {
        sql.push(&format!(", {key} = ")).push_bind(value.clone());
    }
    sql.push(" WHERE id = ").push_bind(&token.user_id);
    exec.execute(&sql).await?;
    let row = account(&mut exec, &token.user_id).await?;
    audit::record(
        &mut exec,
        AuditEntry::of_account(
            &row.id,
            &row.organization_id,
            "user.accept_invitation",
            meta,
        ),
    )
    .await?;
    tx.commit().await?;
    auth_service::start_session(db, config, &row.id, meta).await
}

/// `GET /auth/confirmation`: the address behind a confirmation token (404 when there is none).
pub async fn confirmation_details(db: &Db, raw: &str) -> Result<ConfirmationDetails, AppError> {
    let (_, row) = token_account(db, raw, Purpose::Confirmation, "Confirmation").await?;
    Ok(ConfirmationDetails {
        email: row.email,
        confirmed: row.confirmed_at.is_some(),
        needs_password: !row.has_password,
    })
}

/// `POST /auth/confirmation`: confirms the address. A user created without a password chooses one
/// here (`password` and `password_confirmation` are then required).
pub async fn confirm(
    db: &Db,
    raw: &str,
    new_password: Option<(&str, &str)>,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let hash = match new_password {
        Some((new, confirmation)) if !new.is_empty() || !confirmation.is_empty() => {
            let errors = password_errors(new, confirmation);
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            Some(password::hash(new.to_string()).await?)
        }
        _ => None,
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let token = live_token(&mut exec, raw, Purpose::Confirmation, "confirmation_token").await?;
    let row = account(&mut exec, &token.user_id).await?;
    if !row.has_password && hash.is_none() {
        return Err(AppError::invalid(
            "password",
            "can't be blank (choose a password to finish setting up the account)",
        ));
    }
    if !account_tokens::spend(&mut exec, &token).await? {
        return Err(AppError::invalid(
            "confirmation_token",
            "is invalid, was already used, or has expired",
        ));
    }
    let at = now();
    let mut sql = Sql::new("UPDATE users SET confirmed_at = COALESCE(confirmed_at, ");
    sql.push_bind(at).push("), updated_at = ").push_bind(at);
    if let Some(hash) = hash {
        sql.push(", password_hash = ").push_bind(hash);
    }
    sql.push(" WHERE id = ").push_bind(&row.id);
    exec.execute(&sql).await?;
    audit::record(
        &mut exec,
        AuditEntry::of_account(&row.id, &row.organization_id, "user.confirm", meta),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reset emails per address per hour: more would let anyone flood someone's inbox.
const RESETS_PER_ADDRESS: i64 = 5;
/// Reset requests per client address per hour.
const RESETS_PER_IP: i64 = 30;
const RESET_WINDOW: Duration = Duration::from_secs(3600);

/// `POST /auth/password`: emails a reset link when the address belongs to a user. The answer is
/// the same whether it does or not (no account enumeration); only a client asking too often from
/// one address gets a 429.
pub async fn request_password_reset(
    db: &Db,
    config: &Config,
    email: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let email = email.trim();
    if email.is_empty() {
        return Err(AppError::invalid("email", "can't be blank"));
    }
    if email.chars().count() > 255 || email.chars().any(char::is_control) || !email.contains('@') {
        return Err(AppError::invalid("email", "is not an email address"));
    }
    let at = now();
    let ip_key = format!(
        "password_reset:ip:{}",
        meta.ip.as_deref().unwrap_or("unknown")
    );
    let by_ip = rate_limit::reserve(db, &ip_key, RESETS_PER_IP, RESET_WINDOW, at).await?;
    if !by_ip.allowed {
        return Err(AppError::TooManyRequests {
            message: "Too many password reset requests from this address. Try again later.".into(),
            retry_after_secs: by_ip.retry_after_secs,
        });
    }
    let user: Option<(String,)> = db
        .fetch_optional(
            &Sql::new("SELECT id FROM users WHERE lower(email) = lower($1)").bind(email),
        )
        .await?;
    let Some((user_id,)) = user else {
        return Ok(());
    };
    let address_key = format!("password_reset:user:{user_id}");
    let by_address =
        rate_limit::reserve(db, &address_key, RESETS_PER_ADDRESS, RESET_WINDOW, at).await?;
    if !by_address.allowed {
        tracing::info!(%user_id, "password reset email withheld: too many for this address");
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let row = account(&mut exec, &user_id).await?;
    let (raw, _) = account_tokens::issue(&mut exec, &row.id, Purpose::PasswordReset).await?;
    let link = config.link(&format!("{}{raw}", Purpose::PasswordReset.page()));
    let name = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    outbox::enqueue(
        &mut exec,
        emails::password_reset(
            &Recipient {
                user_id: &row.id,
                organization_id: &row.organization_id,
                email: &row.email,
                name: Some(&name),
            },
            &link,
        ),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry {
            actor_id: None,
            impersonator_id: None,
            organization_id: Some(&row.organization_id),
            action: "user.password_reset_requested",
            target_type: "users",
            target_id: Some(&row.id),
            changes: json!({}),
            meta,
        },
    )
    .await?;
    tx.commit().await?;
    outbox::wake();
    Ok(())
}

/// `PUT /auth/password`: a new password from a reset link. Every session of the user ends, the
/// lockout is lifted, and the address counts as confirmed (the link proved it).
pub async fn reset_password(
    db: &Db,
    config: &Config,
    raw: &str,
    new: &str,
    confirmation: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut errors = password_errors(new, confirmation);
    let hash = if errors.is_empty() {
        Some(password::hash(new.to_string()).await?)
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let token = live_token(
        &mut exec,
        raw,
        Purpose::PasswordReset,
        "reset_password_token",
    )
    .await;
    let (token, hash) = match (token, hash) {
        (Ok(token), Some(hash)) => (token, hash),
        (token, _) => {
            if let Err(AppError::Invalid(token_errors)) = token {
                errors.splice(0..0, token_errors);
            }
            return Err(AppError::Invalid(errors));
        }
    };
    if !account_tokens::spend(&mut exec, &token).await? {
        return Err(AppError::invalid(
            "reset_password_token",
            "is invalid, was already used, or has expired",
        ));
    }
    let at = now();
    exec.execute(
        &Sql::new(
            "UPDATE users SET password_hash = $1, confirmed_at = COALESCE(confirmed_at, $2), \
             failed_attempts = 0, locked_until = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(at)
        .bind(&token.user_id),
    )
    .await?;
    exec.execute(&Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(&token.user_id))
        .await?;
    let row = account(&mut exec, &token.user_id).await?;
    audit::record(
        &mut exec,
        AuditEntry::of_account(&row.id, &row.organization_id, "user.password_reset", meta),
    )
    .await?;
    let name = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let recipient = super::emails::Recipient {
        user_id: &row.id,
        organization_id: &row.organization_id,
        email: &row.email,
        name: Some(name.as_str()).filter(|n| !n.is_empty()),
    };
    super::notification_policy::account_changed(
        &mut exec,
        config,
        &recipient,
        super::notification_policy::AccountChange::Password,
    )
    .await?;
    tx.commit().await?;
    super::outbox::wake();
    Ok(())
}
