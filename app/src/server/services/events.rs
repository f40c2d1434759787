//! Events (API.md §5): `POST /v2/events` by an administrator of the organization. The event,
//! the set-based match of the organization's users against their effective preferences, the
//! in-app notifications and the queued emails are one transaction, so the 202 promises only
//! what is already stored (a server killed right after it delivers everything on restart, through
//! the outbox worker). An `Idempotency-Key` makes a retried request create nothing twice.

use super::audit::{self, AuditEntry};
use super::emails::{self, Recipient};
use super::inbox::{self, NewNotification};
use super::{organizations, outbox};
use crate::domain::event::NewEvent;
use crate::domain::notification::Channels;
use crate::domain::FieldError;
use crate::server::auth::{token, Principal};
use crate::server::config::Config;
use crate::server::db::{new_id, now, Backend, Db, Exec, Sql};
use crate::server::AppError;
use serde_json::json;

/// The answer of `POST /v2/events`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    pub id: String,
    /// Users who got a notification, an email or both.
    pub recipients: u64,
    /// An earlier request with the same `Idempotency-Key` created it; this one created nothing.
    pub replayed: bool,
}

/// The header that makes a retry safe.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// 1 to 255 visible ASCII characters (a UUID, say).
pub fn check_idempotency_key(raw: &str) -> Result<String, AppError> {
    let key = raw.trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid(
            IDEMPOTENCY_KEY,
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(key.to_string())
}

/// What identifies a request's content, to tell a retry from another request under the same key.
fn digest(event: &NewEvent) -> String {
    token::digest(
        &json!([
            event.event_type,
            event.organization_id,
            event.status,
            event.result,
            event.severity,
            event.title,
            event.url
        ])
        .to_string(),
    )
}

#[derive(sqlx::FromRow)]
struct EarlierEvent {
    id: String,
    request_digest: String,
    recipients: i64,
}

/// The event an earlier request under `key` created, as this request's answer: the same when
/// the body is the same, else 422 (the key was reused for something else).
async fn earlier(
    exec: &mut Exec<'_>,
    principal: &Principal,
    key: &str,
    digest: &str,
) -> Result<Option<Posted>, AppError> {
    let earlier: Option<EarlierEvent> = exec
        .fetch_optional(
            &Sql::new(
                "SELECT id, request_digest, recipients FROM events \
                 WHERE created_by_id = $1 AND idempotency_key = $2",
            )
            .bind(&principal.user_id)
            .bind(key),
        )
        .await?;
    match earlier {
        None => Ok(None),
        Some(e) if e.request_digest == digest => Ok(Some(Posted {
            id: e.id,
            recipients: e.recipients.max(0) as u64,
            replayed: true,
        })),
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(
            IDEMPOTENCY_KEY,
            "was already used for a different event",
        )])),
    }
}

#[derive(sqlx::FromRow)]
struct Match {
    user_id: String,
    email: String,
    first_name: Option<String>,
    channels: Option<String>,
}

/// The organization's confirmed users whose effective preference of the event's type is on and
/// whose params pass (each non-empty list contains the event's value), in one query: the user's
/// own choice, else the organization's default; a locked default is on whatever they chose.
fn matching_users(backend: Backend, event: &NewEvent) -> Sql {
    let condition = |list: &str, placeholder: &str, cast: &str| {
        match backend {
        Backend::Sqlite => format!(
            "(COALESCE(json_array_length(c.params, '$.{list}'), 0) = 0 \
             OR EXISTS (SELECT 1 FROM json_each(c.params, '$.{list}') j WHERE j.value = {placeholder}))"
        ),
        Backend::Postgres => format!(
            "(COALESCE(jsonb_array_length(c.params::jsonb -> '{list}'), 0) = 0 \
             OR (c.params::jsonb -> '{list}') @> jsonb_build_array({placeholder}::{cast}))"
        ),
    }
    };
    Sql::new(format!(
        "SELECT c.user_id, c.email, c.first_name, c.channels FROM ( \
           SELECT u.id AS user_id, u.email, u.first_name, p.channels, \
             (COALESCE(d.locked, FALSE) OR COALESCE(p.enabled, d.enabled, FALSE)) AS enabled, \
             COALESCE(p.params, d.params, '{{}}') AS params \
           FROM users u \
           LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.name = $1 \
           LEFT JOIN notification_defaults d ON d.organization_id = u.organization_id AND d.name = $1 \
           WHERE u.organization_id = $2 AND u.confirmed_at IS NOT NULL \
         ) c WHERE c.enabled AND {} AND {} AND {} ORDER BY c.user_id",
        condition("when_status", "$3", "text"),
        condition("if_completed", "$4", "text"),
        condition("if_severity", "$5", "int"),
    ))
    .bind(event.event_type.as_str())
    .bind(event.organization_id.as_str())
    .bind(event.status.clone())
    .bind(event.result.clone())
    .bind(crate::server::db::Arg::Int(event.severity.map(i64::from)))
}

/// `POST /v2/events`.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, organization_id = %event.organization_id))]
pub async fn post(
    db: &Db,
    config: &Config,
    principal: &Principal,
    event: NewEvent,
    idempotency_key: Option<&str>,
) -> Result<Posted, AppError> {
    let key = idempotency_key.map(check_idempotency_key).transpose()?;
    let digest = digest(&event);
    if let Some(key) = &key {
        let mut conn = db.conn().await?;
        if let Some(posted) = earlier(&mut conn.exec(), principal, key, &digest).await? {
            return Ok(posted);
        }
    }

    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    // Users see their organization but don't post to it (403); another tenant's is a 404.
    let organization =
        organizations::find_manageable(&mut exec, principal, &event.organization_id).await?;
    if db.backend() == Backend::Postgres {
        // Two events for one organization fan out one after the other: their updates of the
        // same users' counters can't deadlock.
        exec.execute(
            &Sql::new("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
                .bind(&organization.id),
        )
        .await?;
    }
    let matches: Vec<Match> = exec
        .fetch_all(&matching_users(db.backend(), &event))
        .await?;
    let channels: Vec<Channels> = matches
        .iter()
        .map(|m| {
            m.channels
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default()
        })
        .collect();
    let recipients = channels.iter().filter(|c| c.email || c.in_app).count() as u64;

    let id = new_id();
    let inserted = exec
        .execute(
            &Sql::new(
                "INSERT INTO events (id, organization_id, event_type, status, result, severity, title, url, \
                 created_by_id, idempotency_key, request_digest, recipients, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (created_by_id, idempotency_key) DO NOTHING",
            )
            .bind(id.as_str())
            .bind(organization.id.as_str())
            .bind(event.event_type.as_str())
            .bind(event.status.clone())
            .bind(event.result.clone())
            .bind(crate::server::db::Arg::Int(event.severity.map(i64::from)))
            .bind(event.title.as_str())
            .bind(event.url.clone())
            .bind(principal.user_id.as_str())
            .bind(key.clone())
            .bind(digest.as_str())
            .bind(recipients as i64)
            .bind(now()),
        )
        .await?;
    if inserted == 0 {
        // A parallel request with the same key got there first (PostgreSQL waited for it to
        // commit): answer what it created.
        drop(tx);
        let mut conn = db.conn().await?;
        let key = key.unwrap_or_default();
        return earlier(&mut conn.exec(), principal, &key, &digest)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("A request with this Idempotency-Key is still running.".into())
            });
    }

    let summary = event.summary();
    let link = match event.url.as_deref() {
        Some(path) if path.starts_with('/') => config.link(path),
        Some(url) => url.to_string(),
        None => config.link("/notifications"),
    };
    let notifications: Vec<NewNotification> = matches
        .iter()
        .zip(&channels)
        .filter(|(_, c)| c.in_app)
        .map(|(m, _)| NewNotification {
            user_id: &m.user_id,
            event_id: Some(&id),
            notification_type: &event.event_type,
            title: &event.title,
            body: &summary,
            url: event.url.as_deref(),
        })
        .collect();
    inbox::deliver(&mut exec, &notifications).await?;
    let mail: Vec<_> = matches
        .iter()
        .zip(&channels)
        .filter(|(_, c)| c.email)
        .map(|(m, _)| {
            emails::event_notification(
                &Recipient {
                    user_id: &m.user_id,
                    organization_id: &organization.id,
                    email: &m.email,
                    name: m.first_name.as_deref(),
                },
                &event.title,
                &summary,
                &link,
            )
        })
        .collect();
    let emailed = !mail.is_empty();
    outbox::enqueue_many(&mut exec, mail).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "event.create", "events", Some(&id))
            .in_organization(Some(&organization.id))
            .with_changes(json!({
                "type": {"from": null, "to": event.event_type},
                "title": {"from": null, "to": event.title},
                "recipients": {"from": null, "to": recipients},
            })),
    )
    .await?;
    tx.commit().await?;
    if emailed {
        outbox::wake();
    }
    Ok(Posted {
        id,
        recipients,
        replayed: false,
    })
}
