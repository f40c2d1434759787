//! One-time tokens in `user_tokens`: invitation, email confirmation, password reset and the
//! revert token of an impersonation. Only the
//! SHA-256 of a token is stored; a token works once (spending it is one conditional `UPDATE`, so two
//! parallel uses can't both succeed) and expires. A new token of a purpose replaces the user's
//! unspent ones of that purpose: only the latest link works.

use crate::server::auth::token;
use crate::server::db::{new_id, now, Exec, Sql};
use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    Confirmation,
    PasswordReset,
    /// Held by the admin who impersonates; names the impersonation's session in `data`.
    ImpersonationRevert,
    /// The `otp_session_state` between a right password and the second factor; `data` holds the
    /// keyed hash of an SMS code sent for it.
    OtpSession,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::Confirmation => "confirmation",
            Purpose::PasswordReset => "password_reset",
            Purpose::ImpersonationRevert => "impersonation_revert",
            Purpose::OtpSession => "otp_session",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Purpose::Invitation => chrono::Duration::days(7),
            Purpose::Confirmation => chrono::Duration::days(3),
            Purpose::PasswordReset => chrono::Duration::hours(2),
            Purpose::ImpersonationRevert => IMPERSONATION_LIFETIME,
            Purpose::OtpSession => chrono::Duration::minutes(5),
        }
    }

    /// The UI page the emailed link opens.
    pub fn page(self) -> &'static str {
        match self {
            Purpose::Invitation => "/invitation/",
            Purpose::Confirmation => "/confirm/",
            Purpose::PasswordReset => "/password/reset/",
            // Never emailed: the browser keeps it in a cookie, an API client in its answer.
            Purpose::ImpersonationRevert => "/",
            Purpose::OtpSession => "/login",
        }
    }
}

/// How long an impersonation lasts at the most (its session and its revert token).
pub const IMPERSONATION_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// A fresh token for `user_id` (the raw value, to put in a link) and when it expires.
pub async fn issue(
    exec: &mut Exec<'_>,
    user_id: &str,
    purpose: Purpose,
) -> Result<(String, DateTime<Utc>), sqlx::Error> {
    issue_with_data(exec, user_id, purpose, None).await
}

/// The same, with what the token is about (`data`, read back by `find`).
pub async fn issue_with_data(
    exec: &mut Exec<'_>,
    user_id: &str,
    purpose: Purpose,
    data: Option<&str>,
) -> Result<(String, DateTime<Utc>), sqlx::Error> {
    let at = now();
    exec.execute(
        &Sql::new(
            "DELETE FROM user_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(purpose.as_str()),
    )
    .await?;
    let new = token::generate();
    let expires_at = at + purpose.lifetime();
    exec.execute(
        &Sql::new(
            "INSERT INTO user_tokens (id, user_id, purpose, token_hash, data, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(new.hash)
        .bind(data)
        .bind(expires_at)
        .bind(at),
    )
    .await?;
    Ok((new.raw, expires_at))
}

/// Fresh tokens of `purpose` for users created in this same transaction, in one statement (an
/// import's invitations): they have no earlier token to replace. Answers the raw values in the
/// order of `user_ids`.
pub async fn issue_for_new_users(
    exec: &mut Exec<'_>,
    user_ids: &[&str],
    purpose: Purpose,
) -> Result<Vec<String>, sqlx::Error> {
    let at = now();
    let expires_at = at + purpose.lifetime();
    let mut raws = Vec::new();
    let mut sql = Sql::new(
        "INSERT INTO user_tokens (id, user_id, purpose, token_hash, data, expires_at, created_at) VALUES ",
    );
    for (i, user_id) in user_ids.iter().enumerate() {
        let new = token::generate();
        sql.push(if i == 0 { "(" } else { ", (" })
            .push_bind(new_id())
            .push(", ")
            .push_bind(*user_id)
            .push(", ")
            .push_bind(purpose.as_str())
            .push(", ")
            .push_bind(new.hash)
            .push(", NULL, ")
            .push_bind(expires_at)
            .push(", ")
            .push_bind(at)
            .push(")");
        raws.push(new.raw);
    }
    if !raws.is_empty() {
        exec.execute(&sql).await?;
    }
    Ok(raws)
}

/// A live token: unspent and unexpired.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveToken {
    pub id: String,
    pub user_id: String,
    pub data: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// The live token of `purpose` behind `raw`, if any. Malformed input (too long, control
/// characters) is simply no token.
pub async fn find(
    exec: &mut Exec<'_>,
    raw: &str,
    purpose: Purpose,
) -> Result<Option<LiveToken>, sqlx::Error> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 128 || raw.chars().any(char::is_control) {
        return Ok(None);
    }
    exec.fetch_optional(
        &Sql::new(
            "SELECT id, user_id, data, expires_at FROM user_tokens \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token::digest(raw))
        .bind(purpose.as_str())
        .bind(now()),
    )
    .await
}

/// Marks the token used. `false` when someone spent it first (a parallel request).
pub async fn spend(exec: &mut Exec<'_>, token: &LiveToken) -> Result<bool, sqlx::Error> {
    let spent = exec
        .execute(
            &Sql::new("UPDATE user_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now())
                .bind(&token.id),
        )
        .await?;
    Ok(spent == 1)
}
