//! The signed-in user's sessions (`/v2/user/sessions`, the "Active sessions" card of
//! `/me/security`): list them, end one, end every other. A user only ever sees and ends their own;
//! another user's session id is a 404, like a missing one. While an admin impersonates a user,
//! that user's sessions are theirs to look at, not to end.

use super::audit::{self, AuditEntry};
use crate::domain::list::{ListQuery, ListSpec, Page, PageMeta};
use crate::domain::session::{describe_device, ActiveSession, SessionAttributes};
use crate::domain::FieldError;
use crate::server::auth::Principal;
use crate::server::db::{now, Db, Sql};
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    ip: Option<String>,
    user_agent: Option<String>,
    impersonator_id: Option<String>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &[],
    sorts: &["last_seen_at", "created_at"],
    default_sort: "last_seen_at",
    default_descending: true,
};

/// The user's sessions that still work (neither past their end nor idle too long), the most
/// recently used first. Every API sign-in is a session, so a busy client's list is paged.
pub async fn list_mine(
    db: &Db,
    config: &Config,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<ActiveSession>, AppError> {
    if query.search.is_some() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "q",
            "sessions have no text to search",
        )]));
    }
    let at = now();
    let idle = chrono::Duration::from_std(config.session_idle_timeout)
        .unwrap_or(chrono::Duration::hours(12));
    let conditions = |sql: &mut Sql| {
        sql.push(" WHERE user_id = ")
            .push_bind(principal.user_id.as_str())
            .push(" AND expires_at > ")
            .push_bind(at)
            .push(" AND last_seen_at > ")
            .push_bind(at - idle);
        if let Some(from) = query.created_from {
            sql.push(" AND created_at >= ").push_bind(from);
        }
        if let Some(to) = query.created_to {
            sql.push(" AND created_at <= ").push_bind(to);
        }
    };
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let order = match query.sort.field.as_str() {
        "created_at" => "created_at",
        _ => "last_seen_at",
    };
    let mut sql = Sql::new(
        "SELECT id, ip, user_agent, impersonator_id, created_at, last_seen_at, expires_at FROM sessions",
    );
    conditions(&mut sql);
    sql.push(&format!(
        " ORDER BY {order} {direction}, id {direction} LIMIT "
    ))
    .push_bind(i64::from(query.per_page))
    .push(" OFFSET ")
    .push_bind(query.offset() as i64);
    let rows: Vec<SessionRow> = db.fetch_all(&sql).await?;
    let mut count = Sql::new("SELECT COUNT(*) FROM sessions");
    conditions(&mut count);
    let total = db.fetch_count(&count).await?;
    let items = rows
        .into_iter()
        .map(|row| ActiveSession {
            attributes: SessionAttributes {
                current: principal.session_id.as_deref() == Some(row.id.as_str()),
                device: describe_device(row.user_agent.as_deref()),
                user_agent: row.user_agent,
                ip: row.ip,
                impersonator_id: row.impersonator_id,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                expires_at: row.expires_at,
            },
            id: row.id,
        })
        .collect();
    Ok(Page {
        items,
        meta: PageMeta::new(query.page, query.per_page, total.max(0) as u64),
    })
}

/// Ends one of the user's sessions (the current one too: that is signing out).
pub async fn revoke_mine(db: &Db, principal: &Principal, id: &str) -> Result<(), AppError> {
    refuse_while_impersonating(principal)?;
    // A malformed id is a missing one (and never reaches PostgreSQL, which refuses NUL bytes).
    let id = uuid::Uuid::parse_str(id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::not_found("Session"))?;
    let id = id.as_str();
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let ended = exec
        .execute(
            &Sql::new("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(principal.user_id.as_str()),
        )
        .await?;
    if ended == 0 {
        return Err(AppError::not_found("Session"));
    }
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "session.revoke", "sessions", Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Sign out everywhere else": ends every session of the user but the one this request rides
/// on (all of them when the caller uses an access token). Answers how many ended.
pub async fn revoke_others(db: &Db, principal: &Principal) -> Result<u64, AppError> {
    refuse_while_impersonating(principal)?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let ended = match principal.session_id.as_deref() {
        Some(current) => {
            exec.execute(
                &Sql::new("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
                    .bind(principal.user_id.as_str())
                    .bind(current),
            )
            .await?
        }
        None => {
            exec.execute(
                &Sql::new("DELETE FROM sessions WHERE user_id = $1")
                    .bind(principal.user_id.as_str()),
            )
            .await?
        }
    };
    if ended > 0 {
        audit::record(
            &mut exec,
            AuditEntry::by(
                principal,
                "session.revoke_others",
                "users",
                Some(&principal.user_id),
            )
            .with_changes(json!({ "sessions_ended": ended })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ended)
}

/// An impersonating admin acts as the user, but the user's credentials stay the user's: ending
/// their sessions or minting a token for them would outlast the impersonation.
pub fn refuse_while_impersonating(principal: &Principal) -> Result<(), AppError> {
    if principal.impersonator_id.is_some() {
        return Err(AppError::Forbidden(
            "Not while impersonating: the user's sessions and access token are theirs to manage."
                .into(),
        ));
    }
    Ok(())
}

/// `GET /v2/user/token/valid`: when the credential of this request stops working at the latest.
/// A session's absolute end, or `None` for an access token (valid until revoked).
pub async fn current_expiry(
    db: &Db,
    principal: &Principal,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(session_id) = principal.session_id.as_deref() else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct Expiry {
        expires_at: DateTime<Utc>,
    }
    let row: Option<Expiry> = db
        .fetch_optional(&Sql::new("SELECT expires_at FROM sessions WHERE id = $1").bind(session_id))
        .await?;
    // Ended between authentication and this read (a parallel sign-out): no longer valid.
    row.map(|row| Some(row.expires_at))
        .ok_or_else(|| AppError::Unauthorized("This session has ended.".into()))
}
