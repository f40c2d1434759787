//! Sign-in, sign-out and turning a presented token back into a principal (API.md §2).

use super::account_tokens;
use super::audit::{self, AuditEntry};
use super::blocked_addresses;
use super::emails::Recipient;
use super::notification_policy::{self, AccountChange};
use super::rate_limit;
use super::two_factor::{self, Challenge, SecondFactor};
use crate::domain::two_factor::OtpMethod;
use crate::domain::{FieldError, Role};
use crate::server::auth::{password, token, Credential, Principal};
use crate::server::db::{new_id, now, Db, Sql};
use crate::server::request::RequestMeta;
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Wrong password and unknown user read the same (no account enumeration).
pub const INVALID_CREDENTIALS: &str = "Invalid email or password.";

#[derive(sqlx::FromRow)]
struct SignInCandidate {
    id: String,
    organization_id: String,
    organization_name: String,
    username: String,
    password_hash: Option<String>,
    role: String,
    timezone: String,
    confirmed_at: Option<DateTime<Utc>>,
    email: String,
    first_name: Option<String>,
}

/// A successful sign-in: the raw token (shown once) and what the sign-in body reports.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub token: String,
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub timezone: String,
    pub sign_in_count: i64,
    pub verified: bool,
    pub organization_id: String,
    pub organization_name: String,
    pub expires_in_secs: u64,
}

/// What the first step of sign-in leads to: a session, or (2FA) the second step.
#[derive(Clone, Debug)]
pub enum SignInOutcome {
    SignedIn(SignedIn),
    SecondFactorRequired(Challenge),
}

/// A wrong, reused or expired second factor (and a locked account at the second step: the same).
pub const INVALID_SECOND_FACTOR: &str = "Invalid two-factor code.";

pub async fn sign_in(
    db: &Db,
    config: &Config,
    username: &str,
    password_attempt: &str,
    meta: &RequestMeta,
) -> Result<SignInOutcome, AppError> {
    let user = verify_password(db, config, username, password_attempt, meta).await?;
    let otp = {
        let mut conn = db.conn().await?;
        two_factor::otp_row(&mut conn.exec(), &user.id).await?
    };
    if otp.enabled() {
        return two_factor::start_challenge(db, config, &otp)
            .await
            .map(SignInOutcome::SecondFactorRequired);
    }
    start_session(db, config, &user.id, meta)
        .await
        .map(SignInOutcome::SignedIn)
}

/// `POST /auth/check_2fa`: whether the account behind these credentials asks for a second
/// factor, and which first. The password is checked (and counted) exactly as a sign-in's.
pub async fn check_2fa(
    db: &Db,
    config: &Config,
    username: &str,
    password_attempt: &str,
    meta: &RequestMeta,
) -> Result<(bool, Option<OtpMethod>), AppError> {
    let user = verify_password(db, config, username, password_attempt, meta).await?;
    let mut conn = db.conn().await?;
    let otp = two_factor::otp_row(&mut conn.exec(), &user.id).await?;
    Ok((
        otp.enabled(),
        otp.enabled().then(|| otp.default_method()).flatten(),
    ))
}

/// The second step: the `otp_session_state` of the first and a code (TOTP or SMS) or a recovery
/// code. A wrong factor counts toward the account's lockout and the address's rate limit exactly
/// as a wrong password does.
pub async fn sign_in_second_step(
    db: &Db,
    config: &Config,
    otp_session_state: &str,
    factor: SecondFactor<'_>,
    meta: &RequestMeta,
) -> Result<SignedIn, AppError> {
    let mut missing = Vec::new();
    if otp_session_state.trim().is_empty() {
        missing.push(FieldError::new("otp_session_state", "can't be blank"));
    }
    let (field, value) = match factor {
        SecondFactor::Otp(code) => ("otp_attempt", code),
        SecondFactor::RecoveryCode(code) => ("recovery_code", code),
    };
    if value.trim().is_empty() {
        missing.push(FieldError::new(field, "can't be blank"));
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let at = now();
    let (ip_key, ip_reservation) = reserve_address_attempt(db, config, meta, at).await?;
    let challenge = two_factor::find_challenge(db, otp_session_state).await?;
    let user = candidate_by_id(db, &challenge.user_id)
        .await?
        .ok_or_else(two_factor::expired_challenge)?;
    let Some(attempt) = reserve_account_attempt(db, config, &user.id, at).await? else {
        return Err(AppError::Unauthorized(INVALID_SECOND_FACTOR.into()));
    };
    let otp = {
        let mut conn = db.conn().await?;
        two_factor::otp_row(&mut conn.exec(), &user.id).await?
    };
    let right =
        otp.enabled() && two_factor::check_factor(db, config, &otp, &challenge, factor).await?;
    if !right {
        record_failure(db, config, &user, attempt, meta, "user.2fa_failed").await?;
        return Err(AppError::Unauthorized(INVALID_SECOND_FACTOR.into()));
    }
    rate_limit::refund(db, &ip_key, &ip_reservation).await?;
    release_account_attempt(db, &user.id, attempt).await?;
    // Single use: of two parallel right answers only one signs in.
    let spent = {
        let mut conn = db.conn().await?;
        account_tokens::spend(&mut conn.exec(), &challenge).await?
    };
    if !spent {
        return Err(two_factor::expired_challenge());
    }
    start_session(db, config, &user.id, meta).await
}

/// Reserves this attempt against the client's address before anything is verified (API.md §2:
/// failed sign-ins are rate-limited per IP). A successful attempt refunds it.
async fn reserve_address_attempt(
    db: &Db,
    config: &Config,
    meta: &RequestMeta,
    at: DateTime<Utc>,
) -> Result<(String, rate_limit::Reservation), AppError> {
    let ip_key = blocked_addresses::counter_key(meta);
    let reservation = rate_limit::reserve(
        db,
        &ip_key,
        config.sign_in_rate_limit,
        config.sign_in_rate_window,
        at,
    )
    .await?;
    if !reservation.allowed {
        blocked_addresses::record_if_just_blocked(
            db,
            meta,
            reservation.count,
            config.sign_in_rate_limit,
        )
        .await?;
        return Err(AppError::TooManyRequests {
            message: "Too many failed sign-in attempts from this address. Try again later.".into(),
            retry_after_secs: reservation.retry_after_secs,
        });
    }
    Ok((ip_key, reservation))
}

const CANDIDATE_SELECT: &str =
    "SELECT u.id, u.organization_id, o.name AS organization_name, u.username, u.password_hash, \
     u.role, u.timezone, u.confirmed_at, u.email, u.first_name \
     FROM users u JOIN organizations o ON o.id = u.organization_id";

async fn candidate_by_id(db: &Db, user_id: &str) -> Result<Option<SignInCandidate>, AppError> {
    Ok(db
        .fetch_optional(&Sql::new(format!("{CANDIDATE_SELECT} WHERE u.id = $1")).bind(user_id))
        .await?)
}

/// The first factor: the user behind a right password, counted against the lockout and the
/// address's limit as API.md §2 says.
async fn verify_password(
    db: &Db,
    config: &Config,
    username: &str,
    password_attempt: &str,
    meta: &RequestMeta,
) -> Result<SignInCandidate, AppError> {
    let username = username.trim();
    let mut missing = Vec::new();
    if username.is_empty() {
        missing.push(FieldError::new("username", "can't be blank"));
    }
    if username.chars().any(char::is_control) {
        // PostgreSQL can't even compare a NUL: say so instead of failing.
        missing.push(FieldError::new("username", "contains control characters"));
    }
    if password_attempt.is_empty() {
        missing.push(FieldError::new("password", "can't be blank"));
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let at = now();

    // 1. The address's reservation; a correct password refunds it below.
    let (ip_key, ip_reservation) = reserve_address_attempt(db, config, meta, at).await?;

    let candidate: Option<SignInCandidate> = db
        .fetch_optional(
            &Sql::new(format!(
                "{CANDIDATE_SELECT} \
                 WHERE lower(u.email) = lower($1) OR lower(u.username) = lower($1) \
                 ORDER BY CASE WHEN lower(u.email) = lower($1) THEN 0 ELSE 1 END LIMIT 1"
            ))
            .bind(username),
        )
        .await?;

    // 2. Reserve an attempt on the account. A locked account gets no verification at all, but the
    //    same work (a dummy hash) and the same answer as a wrong password.
    let attempt = match &candidate {
        Some(user) => reserve_account_attempt(db, config, &user.id, at).await?,
        None => None,
    };
    let hash = match (&candidate, attempt) {
        (Some(user), Some(_)) => user.password_hash.clone(),
        _ => None,
    };
    let matches = password::verify(password_attempt.to_string(), hash).await?;

    let (Some(user), Some(attempt)) = (candidate, attempt) else {
        return Err(AppError::Unauthorized(INVALID_CREDENTIALS.into()));
    };
    if !matches {
        record_failure(db, config, &user, attempt, meta, "user.sign_in_failed").await?;
        return Err(AppError::Unauthorized(INVALID_CREDENTIALS.into()));
    }
    // The right password is not a failed attempt: give both reservations back.
    rate_limit::refund(db, &ip_key, &ip_reservation).await?;
    release_account_attempt(db, &user.id, attempt).await?;
    if user.confirmed_at.is_none() {
        return Err(AppError::Unauthorized(
            "You have to confirm your email address before continuing.".into(),
        ));
    }
    Ok(user)
}

/// Opens a session for a user whose identity is proven (a right password, an accepted
/// invitation): the token, the sign-in count and the audit event, in one transaction.
pub async fn start_session(
    db: &Db,
    config: &Config,
    user_id: &str,
    meta: &RequestMeta,
) -> Result<SignedIn, AppError> {
    let at = now();
    let new_token = token::generate();
    let expires_at = at
        + chrono::Duration::from_std(config.session_absolute_timeout)
            .unwrap_or(chrono::Duration::days(7));
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let user: SignInCandidate = exec
        .fetch_optional(&Sql::new(format!("{CANDIDATE_SELECT} WHERE u.id = $1")).bind(user_id))
        .await?
        .ok_or_else(|| AppError::Unauthorized(INVALID_CREDENTIALS.into()))?;
    exec.execute(
        &Sql::new(
            "INSERT INTO sessions (id, user_id, token_hash, impersonator_id, ip, user_agent, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $6, $7)",
        )
        .bind(new_id())
        .bind(&user.id)
        .bind(new_token.hash)
        .bind(meta.ip.clone())
        .bind(meta.user_agent.clone())
        .bind(at)
        .bind(expires_at),
    )
    .await?;
    let sign_in_count = exec
        .fetch_count(
            &Sql::new(
                "UPDATE users SET sign_in_count = sign_in_count + 1, last_sign_in_at = $1, last_sign_in_ip = $2 \
                 WHERE id = $3 RETURNING sign_in_count",
            )
            .bind(at)
            .bind(meta.ip.clone())
            .bind(&user.id),
        )
        .await?;
    audit::record(
        &mut exec,
        AuditEntry::of_account(&user.id, &user.organization_id, "user.sign_in", meta),
    )
    .await?;
    tx.commit().await?;

    Ok(SignedIn {
        token: new_token.raw,
        user_id: user.id,
        username: user.username,
        role: Role::parse(&user.role).map_err(AppError::Internal)?,
        timezone: user.timezone,
        sign_in_count,
        verified: user.confirmed_at.is_some(),
        organization_id: user.organization_id,
        organization_name: user.organization_name,
        expires_in_secs: config.session_absolute_timeout.as_secs(),
    })
}

/// Reserves one attempt on an account: one atomic statement that counts it and, at the threshold,
/// locks the account. Answers the attempt's number, or `None` when the account is locked (nothing
/// is counted then). In a burst, exactly `lockout_attempts` attempts get a number; PostgreSQL
/// re-checks the `WHERE` on the row it waited for, and SQLite runs the statement under its write
/// lock. An expired lock starts a new series.
async fn reserve_account_attempt(
    db: &Db,
    config: &Config,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let lock_until = at
        + chrono::Duration::from_std(config.lockout_duration)
            .unwrap_or(chrono::Duration::minutes(15));
    let next = "CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 THEN 1 ELSE failed_attempts + 1 END";
    let attempt: Option<AttemptRow> = db
        .fetch_optional(
            &Sql::new(format!(
                "UPDATE users SET failed_attempts = {next}, \
                 locked_until = CASE WHEN {next} >= $2 THEN $3 ELSE NULL END \
                 WHERE id = $4 AND (locked_until IS NULL OR locked_until <= $1) \
                 RETURNING failed_attempts"
            ))
            .bind(at)
            .bind(config.lockout_attempts)
            .bind(lock_until)
            .bind(user_id),
        )
        .await?;
    Ok(attempt.map(|row| row.failed_attempts))
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    failed_attempts: i64,
}

/// After the right password: forget the failures counted up to and including this attempt. Those
/// reserved after it (a burst still in flight) stay counted, and so does a lock while any of them
/// remain; only a sign-in with no failure after it clears the lock.
async fn release_account_attempt(db: &Db, user_id: &str, attempt: i64) -> Result<(), AppError> {
    db.execute(
        &Sql::new(
            "UPDATE users SET \
             failed_attempts = CASE WHEN failed_attempts > $1 THEN failed_attempts - $1 ELSE 0 END, \
             locked_until = CASE WHEN failed_attempts > $1 THEN locked_until ELSE NULL END \
             WHERE id = $2",
        )
        .bind(attempt)
        .bind(user_id),
    )
    .await?;
    Ok(())
}

/// Audits a failed attempt (already counted by its reservation) as `failed_action`; the attempt
/// that reached the threshold is the one that locked the account.
async fn record_failure(
    db: &Db,
    config: &Config,
    user: &SignInCandidate,
    attempt: i64,
    meta: &RequestMeta,
    failed_action: &'static str,
) -> Result<(), AppError> {
    let action = if attempt == config.lockout_attempts {
        "user.locked"
    } else {
        failed_action
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    audit::record(
        &mut exec,
        AuditEntry {
            actor_id: None,
            impersonator_id: None,
            organization_id: Some(&user.organization_id),
            action,
            target_type: "users",
            target_id: Some(&user.id),
            changes: json!({ "failed_attempts": attempt }),
            meta,
        },
    )
    .await?;
    if action == "user.locked" {
        let to = Recipient {
            user_id: &user.id,
            organization_id: &user.organization_id,
            email: &user.email,
            name: user.first_name.as_deref(),
        };
        notification_policy::account_changed(&mut exec, config, &to, AccountChange::Locked).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends the session the principal is using. Access tokens have no session and are revoked
/// elsewhere (`PUT /v2/user/access_token/revoke`).
pub async fn sign_out(db: &Db, principal: &Principal) -> Result<(), AppError> {
    let Some(session_id) = principal.session_id.as_deref() else {
        return Err(AppError::BadRequest(
            "This request is authenticated with an access token, not a session; revoke the token instead.".into(),
        ));
    };
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(&Sql::new("DELETE FROM sessions WHERE id = $1").bind(session_id))
        .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.sign_out",
            "users",
            Some(&principal.user_id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    session_id: Option<String>,
    impersonator_id: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    user_id: String,
    organization_id: String,
    organization_name: String,
    role: String,
    email: String,
    username: String,
    partner: bool,
    locked_until: Option<DateTime<Utc>>,
}

impl PrincipalRow {
    fn into_principal(
        self,
        credential: Credential,
        meta: RequestMeta,
    ) -> Result<Principal, AppError> {
        Ok(Principal {
            user_id: self.user_id,
            organization_id: self.organization_id,
            organization_name: self.organization_name,
            role: Role::parse(&self.role).map_err(AppError::Internal)?,
            email: self.email,
            username: self.username,
            partner: self.partner,
            session_id: self.session_id,
            impersonator_id: self.impersonator_id,
            credential,
            meta,
        })
    }
}

const PRINCIPAL_COLUMNS: &str =
    "u.id AS user_id, u.organization_id, o.name AS organization_name, u.role, u.email, \
     u.username, u.partner, u.locked_until";

/// The principal behind a session token, or `None` when the token is unknown, idle too long or
/// past its absolute lifetime (an expired session is deleted on sight). Activity is written back
/// at most once a minute, so reads don't turn into writes.
pub async fn authenticate_session(
    db: &Db,
    config: &Config,
    raw_token: &str,
    credential: Credential,
    meta: RequestMeta,
) -> Result<Option<Principal>, AppError> {
    let row: Option<PrincipalRow> = db
        .fetch_optional(
            &Sql::new(format!(
                "SELECT s.id AS session_id, s.impersonator_id, s.last_seen_at, s.expires_at, {PRINCIPAL_COLUMNS} \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 JOIN organizations o ON o.id = u.organization_id WHERE s.token_hash = $1"
            ))
            .bind(token::digest(raw_token)),
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let at = now();
    let idle = chrono::Duration::from_std(config.session_idle_timeout)
        .unwrap_or(chrono::Duration::hours(12));
    let last_seen = row.last_seen_at.unwrap_or(at);
    let expired = row.expires_at.is_none_or(|end| end <= at) || last_seen + idle <= at;
    if expired || row.locked_until.is_some_and(|until| until > at) {
        if expired {
            db.execute(
                &Sql::new("DELETE FROM sessions WHERE id = $1").bind(row.session_id.clone()),
            )
            .await?;
        }
        return Ok(None);
    }
    if at - last_seen > chrono::Duration::minutes(1) {
        db.execute(
            &Sql::new("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(at)
                .bind(row.session_id.clone()),
        )
        .await?;
    }
    row.into_principal(credential, meta).map(Some)
}

/// The principal behind a personal access token (`Authorization: Basic <token>`).
pub async fn authenticate_access_token(
    db: &Db,
    raw_token: &str,
    meta: RequestMeta,
) -> Result<Option<Principal>, AppError> {
    let row: Option<PrincipalRow> = db
        .fetch_optional(
            &Sql::new(format!(
                "SELECT NULL AS session_id, NULL AS impersonator_id, \
                 u.access_token_last_used_at AS last_seen_at, NULL AS expires_at, \
                 {PRINCIPAL_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
                 WHERE u.access_token_hash = $1"
            ))
            .bind(token::digest(raw_token)),
        )
        .await?;
    let at = now();
    match row {
        Some(row) if row.locked_until.is_none_or(|until| until <= at) => {
            // Last use is written back at most once a minute, as a session's activity is.
            if row
                .last_seen_at
                .is_none_or(|last| at - last > chrono::Duration::minutes(1))
            {
                db.execute(
                    &Sql::new("UPDATE users SET access_token_last_used_at = $1 WHERE id = $2")
                        .bind(at)
                        .bind(row.user_id.as_str()),
                )
                .await?;
            }
            row.into_principal(Credential::AccessToken, meta).map(Some)
        }
        _ => Ok(None),
    }
}
