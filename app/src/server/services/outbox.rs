//! The outbox (API.md §8): messages are rows written by `enqueue` in the transaction of the change
//! that causes them, so a rolled-back change sends nothing and a crash loses nothing. A worker per
//! instance (`run_worker`) claims due rows with a lease — `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//! SQLite's single writer elsewhere — so instances sharing one database send each message once;
//! a worker that dies mid-send leaves its lease to expire and the message is tried again (delivery
//! is at least once, never zero). Failures are retried with exponential backoff.

use super::text_match;
use crate::domain::list::{ListQuery, ListSpec, Page, PageMeta};
use crate::domain::outbox::{OutboxAttributes, OutboxMessage, OUTBOX_FILTERS, OUTBOX_SORTS};
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Backend, Db, Exec, Sql};
use crate::server::mailer::{Mailer, Outgoing};
use crate::server::AppError;
use chrono::{DateTime, Utc};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Notify;

/// After this many failed attempts a message is `failed` and left alone.
pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claimed message is a worker's before another may try it.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// How many messages one round claims.
const BATCH: i64 = 20;
/// How often an idle worker looks for due messages (other instances' or retries).
const POLL: Duration = Duration::from_secs(1);

/// An email to write into the outbox.
pub struct Email<'a> {
    pub template: &'a str,
    pub to: &'a str,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub user_id: Option<&'a str>,
    pub organization_id: Option<&'a str>,
}

/// Writes the message; it leaves when the surrounding transaction commits (call `wake` then).
pub async fn enqueue(exec: &mut Exec<'_>, email: Email<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    exec.execute(
        &Sql::new(
            "INSERT INTO outbox_messages (id, channel, template, recipient, subject, body_text, body_html, \
             user_id, organization_id, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, 'email', $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)",
        )
        .bind(new_id())
        .bind(email.template)
        .bind(email.to)
        .bind(email.subject)
        .bind(email.text)
        .bind(email.html)
        .bind(email.user_id)
        .bind(email.organization_id)
        .bind(at),
    )
    .await
    .map(|_| ())
}

/// A text message (a 2FA code) to write into the outbox: the SMS sender of API.md §4. Without an
/// SMS gateway it is `stored` and listed at `/outbox`, as an email is without SMTP.
pub struct Sms<'a> {
    pub template: &'a str,
    pub to: &'a str,
    pub text: String,
    pub user_id: &'a str,
    pub organization_id: &'a str,
}

pub async fn enqueue_sms(exec: &mut Exec<'_>, sms: Sms<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    exec.execute(
        &Sql::new(
            "INSERT INTO outbox_messages (id, channel, template, recipient, subject, body_text, body_html, \
             user_id, organization_id, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, 'sms', $2, $3, '', $4, NULL, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(new_id())
        .bind(sms.template)
        .bind(sms.to)
        .bind(sms.text)
        .bind(sms.user_id)
        .bind(sms.organization_id)
        .bind(at),
    )
    .await
    .map(|_| ())
}

/// Rows per INSERT of `enqueue_many`: 9 values each stays far below SQLite's bound-parameter limit.
const ENQUEUE_BATCH: usize = 500;

/// Writes many messages a few hundred rows per statement (an event's fan-out).
pub async fn enqueue_many(exec: &mut Exec<'_>, emails: Vec<Email<'_>>) -> Result<(), sqlx::Error> {
    let at = now();
    let mut emails = emails.into_iter().peekable();
    while emails.peek().is_some() {
        let mut sql = Sql::new(
            "INSERT INTO outbox_messages (id, channel, template, recipient, subject, body_text, body_html, \
             user_id, organization_id, status, attempts, next_attempt_at, created_at) VALUES ",
        );
        for (i, email) in emails.by_ref().take(ENQUEUE_BATCH).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .push_bind(new_id())
                .push(", 'email', ")
                .push_bind(email.template)
                .push(", ")
                .push_bind(email.to)
                .push(", ")
                .push_bind(email.subject)
                .push(", ")
                .push_bind(email.text)
                .push(", ")
                .push_bind(email.html)
                .push(", ")
                .push_bind(email.user_id)
                .push(", ")
                .push_bind(email.organization_id)
                .push(", 'pending', 0, ")
                .push_bind(at)
                .push(", ")
                .push_bind(at)
                .push(")");
        }
        exec.execute(&sql).await?;
    }
    Ok(())
}

static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells this instance's worker that a message is waiting (other instances find it on their next
/// poll).
pub fn wake() {
    WAKE.notify_waiters();
}

/// Delivers until the process ends: a round whenever woken, and at least every `POLL`.
pub async fn run_worker(db: Db, mailer: Mailer) {
    loop {
        let woken = WAKE.notified();
        match deliver_due(&db, &mailer, now()).await {
            // A full batch: there may be more waiting.
            Ok(n) if n as i64 >= BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err.to_api_error().message, "outbox round failed"),
        }
        let _ = tokio::time::timeout(POLL, woken).await;
    }
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: String,
    channel: String,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    attempts: i64,
    lease_until: Option<DateTime<Utc>>,
}

/// One round: claims what is due at `at` and hands it to the mailer. Answers how many messages
/// it handled. Without an SMTP server, due messages are simply marked `stored`.
pub async fn deliver_due(db: &Db, mailer: &Mailer, at: DateTime<Utc>) -> Result<usize, AppError> {
    // A channel without a transport: the outbox is its delivery.
    let stored_channels: Vec<&str> = [
        ("email", mailer.is_smtp()),
        ("sms", mailer.has_sms_gateway()),
    ]
    .into_iter()
    .filter(|(_, live)| !live)
    .map(|(channel, _)| channel)
    .collect();
    let mut stored = 0;
    if !stored_channels.is_empty() {
        let mut sql = Sql::new("UPDATE outbox_messages SET status = 'stored', sent_at = ");
        sql.push_bind(at)
            .push(" WHERE status = 'pending' AND next_attempt_at <= ")
            .push_bind(at)
            .push(" AND channel IN (");
        for (i, channel) in stored_channels.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_bind(*channel);
        }
        sql.push(")");
        stored = db.execute(&sql).await? as usize;
        if stored_channels.len() == 2 {
            return Ok(stored);
        }
    }
    let live_channel = if mailer.is_smtp() && mailer.has_sms_gateway() {
        "channel IN ('email', 'sms')"
    } else if mailer.is_smtp() {
        "channel = 'email'"
    } else {
        "channel = 'sms'"
    };
    let skip_locked = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claimed: Vec<Claimed> = db
        .fetch_all(
            &Sql::new(format!(
                "UPDATE outbox_messages SET lease_until = $1, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM outbox_messages \
                   WHERE status = 'pending' AND {live_channel} AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
                   ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
                 RETURNING id, channel, recipient, subject, body_text, body_html, attempts, lease_until"
            ))
            .bind(at + LEASE)
            .bind(at)
            .bind(BATCH),
        )
        .await?;
    let count = stored + claimed.len();
    for message in claimed {
        let outcome = if message.channel == "sms" {
            mailer
                .send_sms(&message.recipient, &message.body_text)
                .await
        } else {
            mailer
                .send(Outgoing {
                    to: &message.recipient,
                    subject: &message.subject,
                    text: &message.body_text,
                    html: message.body_html.as_deref(),
                })
                .await
        };
        let finished = now().max(at);
        let sql = match outcome {
            Ok(()) => Sql::new(
                "UPDATE outbox_messages SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL \
                 WHERE id = $2 AND lease_until = $3",
            )
            .bind(finished),
            Err(reason) => {
                tracing::warn!(message_id = %message.id, channel = %message.channel, attempt = message.attempts, %reason, "message not delivered");
                let give_up = message.attempts >= MAX_ATTEMPTS;
                Sql::new(
                    "UPDATE outbox_messages SET status = $1, next_attempt_at = $2, lease_until = NULL, last_error = $3 \
                     WHERE id = $4 AND lease_until = $5",
                )
                .bind(if give_up { "failed" } else { "pending" })
                .bind(finished + backoff(message.attempts))
                .bind(reason)
            }
        };
        // Only while the lease is still ours: a worker that took too long doesn't overwrite the
        // outcome of the one that took over.
        db.execute(&sql.bind(message.id).bind(message.lease_until))
            .await?;
    }
    Ok(count)
}

/// 15 s after the first failure, doubling, at most an hour apart.
fn backoff(attempts: i64) -> chrono::Duration {
    let exponent = attempts.clamp(1, 16) as u32 - 1;
    chrono::Duration::seconds((15i64 << exponent).min(3600))
}

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &OUTBOX_FILTERS,
    sorts: &OUTBOX_SORTS,
    default_sort: "created_at",
    default_descending: true,
};

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: String,
    channel: String,
    template: String,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(row: OutboxRow) -> OutboxMessage {
        OutboxMessage {
            id: row.id,
            attributes: OutboxAttributes {
                channel: row.channel,
                template: row.template,
                recipient: row.recipient,
                subject: row.subject,
                body_text: row.body_text,
                body_html: row.body_html,
                status: row.status,
                attempts: row.attempts,
                last_error: row.last_error,
                next_attempt_at: row.next_attempt_at,
                created_at: row.created_at,
                sent_at: row.sent_at,
            },
        }
    }
}

fn push_filters(sql: &mut Sql, backend: Backend, query: &ListQuery) {
    if let Some(search) = &query.search {
        text_match::push_condition(sql, backend, "m", &["recipient", "subject"], search);
    }
    for (field, matcher) in &query.filters {
        // Checked against OUTBOX_FILTERS by the parser; never interpolate anything else.
        if let Some(column) = OUTBOX_FILTERS.iter().find(|f| **f == field.as_str()) {
            text_match::push_condition(sql, backend, "m", &[column], matcher);
        }
    }
    if let Some(from) = query.created_from {
        sql.push(" AND m.created_at >= ").push_bind(from);
    }
    if let Some(to) = query.created_to {
        sql.push(" AND m.created_at <= ").push_bind(to);
    }
}

/// `GET /v2/outbox`: Super Admin only (the messages hold every tenant's links).
pub async fn list_messages(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<OutboxMessage>, AppError> {
    if principal.role != Role::SuperAdmin {
        return Err(AppError::Forbidden(
            "Only a Super Admin can read the outbox.".into(),
        ));
    }
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let order = match query.sort.field.as_str() {
        "recipient" => "lower(m.recipient)",
        "status" => "m.status",
        _ => "m.created_at",
    };
    let mut sql = Sql::new(
        "SELECT m.id, m.channel, m.template, m.recipient, m.subject, m.body_text, m.body_html, m.status, \
         m.attempts, m.last_error, m.next_attempt_at, m.created_at, m.sent_at FROM outbox_messages m WHERE 1 = 1",
    );
    push_filters(&mut sql, db.backend(), query);
    sql.push(&format!(
        " ORDER BY {order} {direction}, m.id {direction} LIMIT "
    ))
    .push_bind(i64::from(query.per_page))
    .push(" OFFSET ")
    .push_bind(query.offset() as i64);
    let rows = db.fetch_all::<OutboxRow>(&sql).await?;
    let mut count = Sql::new("SELECT COUNT(*) FROM outbox_messages m WHERE 1 = 1");
    push_filters(&mut count, db.backend(), query);
    let total = db.fetch_count(&count).await?;
    Ok(Page {
        items: rows.into_iter().map(OutboxMessage::from).collect(),
        meta: PageMeta::new(query.page, query.per_page, total.max(0) as u64),
    })
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 15);
        assert_eq!(backoff(2).num_seconds(), 30);
        assert_eq!(backoff(5).num_seconds(), 240);
        assert_eq!(backoff(9).num_seconds(), 3600);
        assert_eq!(backoff(40).num_seconds(), 3600);
    }
}
