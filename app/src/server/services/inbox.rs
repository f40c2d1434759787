//! In-app notifications (API.md §6): written in bulk by events and the policy's account
//! triggers (`deliver`), and read, marked and deleted by their one owner. Another user's
//! notification is a 404, like a missing one. Each user's totals per type live in
//! `notification_type_counts`, kept by triggers, so the bell and the list's `meta` (filtered to a
//! type or not) never count a long inbox.

use super::text_match;
use crate::domain::inbox::{
    InboxAttributes, InboxCounts, InboxNotification, InboxPage, INBOX_FILTERS, INBOX_SORTS,
};
use crate::domain::list::{ListQuery, ListSpec, PageMeta, TextMatch};
use crate::domain::FieldError;
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::AppError;
use chrono::{DateTime, Utc};

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &INBOX_FILTERS,
    sorts: &INBOX_SORTS,
    default_sort: "created_at",
    default_descending: true,
};

/// A notification to write.
pub struct NewNotification<'a> {
    pub user_id: &'a str,
    pub event_id: Option<&'a str>,
    pub notification_type: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub url: Option<&'a str>,
}

/// Rows per INSERT: 7 values each stays far below SQLite's 32,766 bound parameters.
const INSERT_BATCH: usize = 500;

/// Writes the notifications in the caller's transaction, a few hundred rows per statement.
pub async fn deliver(
    exec: &mut Exec<'_>,
    notifications: &[NewNotification<'_>],
) -> Result<(), sqlx::Error> {
    let at = now();
    for batch in notifications.chunks(INSERT_BATCH) {
        let mut sql = Sql::new(
            "INSERT INTO notifications (id, user_id, event_id, notification_type, title, body, url, created_at) VALUES ",
        );
        for (i, n) in batch.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .push_bind(new_id())
                .push(", ")
                .push_bind(n.user_id)
                .push(", ")
                .push_bind(n.event_id)
                .push(", ")
                .push_bind(n.notification_type)
                .push(", ")
                .push_bind(n.title)
                .push(", ")
                .push_bind(n.body)
                .push(", ")
                .push_bind(n.url)
                .push(", ")
                .push_bind(at)
                .push(")");
        }
        exec.execute(&sql).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InboxRow {
    id: String,
    notification_type: String,
    title: String,
    body: String,
    url: Option<String>,
    read_at: Option<DateTime<Utc>>,
    seen_at: Option<DateTime<Utc>>,
    event_id: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<InboxRow> for InboxNotification {
    fn from(row: InboxRow) -> InboxNotification {
        InboxNotification {
            id: row.id,
            attributes: InboxAttributes {
                notification_type: row.notification_type,
                title: row.title,
                body: row.body,
                url: row.url,
                read: row.read_at.is_some(),
                seen: row.seen_at.is_some(),
                read_at: row.read_at,
                seen_at: row.seen_at,
                event_id: row.event_id,
                created_at: row.created_at,
            },
        }
    }
}

const COLUMNS: &str =
    "n.id, n.notification_type, n.title, n.body, n.url, n.read_at, n.seen_at, n.event_id, n.created_at";

/// `q[read]` and `q[seen]`: `true` or `false`.
fn flag(field: &str, matcher: &TextMatch) -> Result<bool, FieldError> {
    match matcher {
        TextMatch::Exact(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        TextMatch::Exact(value) if value.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(FieldError::new(
            format!("q[{field}]"),
            "must be true or false",
        )),
    }
}

/// The parsed filters of a list request.
#[derive(Default)]
struct Filters<'q> {
    read: Option<bool>,
    seen: Option<bool>,
    notification_type: Option<&'q TextMatch>,
}

impl<'q> Filters<'q> {
    fn of(query: &'q ListQuery) -> Result<Filters<'q>, AppError> {
        let mut filters = Filters::default();
        let mut errors = Vec::new();
        for (field, matcher) in &query.filters {
            match field.as_str() {
                "read" => match flag(field, matcher) {
                    Ok(read) => filters.read = Some(read),
                    Err(e) => errors.push(e),
                },
                "seen" => match flag(field, matcher) {
                    Ok(seen) => filters.seen = Some(seen),
                    Err(e) => errors.push(e),
                },
                "notification_type" => filters.notification_type = Some(matcher),
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(filters)
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    fn push(&self, sql: &mut Sql, db: &Db, query: &ListQuery) {
        if let Some(read) = self.read {
            sql.push(if read {
                " AND n.read_at IS NOT NULL"
            } else {
                " AND n.read_at IS NULL"
            });
        }
        if let Some(seen) = self.seen {
            sql.push(if seen {
                " AND n.seen_at IS NOT NULL"
            } else {
                " AND n.seen_at IS NULL"
            });
        }
        match self.notification_type {
            // Types are lower-case ASCII: a plain comparison keeps the (user, type) index.
            Some(TextMatch::Exact(_)) => {
                sql.push(" AND n.notification_type = ")
                    .push_bind(self.exact_type());
            }
            Some(pattern) => {
                text_match::push_condition(sql, db.backend(), "n", &["notification_type"], pattern)
            }
            None => {}
        }
        if let Some(search) = &query.search {
            text_match::push_condition(sql, db.backend(), "n", &["title", "body"], search);
        }
        if let Some(from) = query.created_from {
            sql.push(" AND n.created_at >= ").push_bind(from);
        }
        if let Some(to) = query.created_to {
            sql.push(" AND n.created_at <= ").push_bind(to);
        }
    }

    /// The exact type the list is filtered to, as the counters key it.
    fn exact_type(&self) -> Option<String> {
        match self.notification_type {
            Some(TextMatch::Exact(value)) => Some(value.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// The total from the counters when the filters allow it: `counts` are the user's, or those
    /// of the one type the list is filtered to.
    fn total_from(&self, query: &ListQuery, counts: InboxCounts) -> Option<u64> {
        let plain = matches!(self.notification_type, None | Some(TextMatch::Exact(_)))
            && query.search.is_none()
            && query.created_from.is_none()
            && query.created_to.is_none();
        if !plain {
            return None;
        }
        // A read notification is seen (reading one sees it): the read are among the seen, and
        // the unseen among the unread.
        let read = counts.total.saturating_sub(counts.unread);
        Some(match (self.read, self.seen) {
            (None, None) => counts.total,
            (Some(false), None) => counts.unread,
            (Some(true), None) | (Some(true), Some(true)) => read,
            (None, Some(false)) | (Some(false), Some(false)) => counts.unseen,
            (None, Some(true)) => counts.total.saturating_sub(counts.unseen),
            (Some(true), Some(false)) => 0,
            (Some(false), Some(true)) => counts.unread.saturating_sub(counts.unseen),
        })
    }
}

/// A counters row's three sums.
fn inbox_counts(total: i64, unread: i64, unseen: i64) -> InboxCounts {
    InboxCounts {
        total: total.max(0) as u64,
        unread: unread.max(0) as u64,
        unseen: unseen.max(0) as u64,
    }
}

/// The user's totals, and those of `notification_type` (zero without one), in one statement over
/// the user's few rows of `notification_type_counts` (one per type they have had).
async fn counts_with_type(
    exec: &mut Exec<'_>,
    user_id: &str,
    notification_type: Option<&str>,
) -> Result<(InboxCounts, InboxCounts), sqlx::Error> {
    let row: Option<(i64, i64, i64, i64, i64, i64)> = exec
        .fetch_optional(
            &Sql::new(
                "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(unread), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(unseen), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN notification_type = $2 THEN total END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN notification_type = $2 THEN unread END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN notification_type = $2 THEN unseen END), 0) AS BIGINT) \
                 FROM notification_type_counts WHERE user_id = $1",
            )
            .bind(user_id)
            .bind(notification_type),
        )
        .await?;
    let (total, unread, unseen, type_total, type_unread, type_unseen) = row.unwrap_or_default();
    Ok((
        inbox_counts(total, unread, unseen),
        inbox_counts(type_total, type_unread, type_unseen),
    ))
}

/// The user's totals (the bell).
pub async fn counts_of(exec: &mut Exec<'_>, user_id: &str) -> Result<InboxCounts, sqlx::Error> {
    Ok(counts_with_type(exec, user_id, None).await?.0)
}

/// The bell: the signed-in user's counts.
pub async fn counts(db: &Db, principal: &Principal) -> Result<InboxCounts, AppError> {
    let mut conn = db.conn().await?;
    Ok(counts_of(&mut conn.exec(), &principal.user_id).await?)
}

/// `GET /v2/notifications`: the signed-in user's, newest first unless sorted otherwise.
pub async fn list(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<InboxPage, AppError> {
    let filters = Filters::of(query)?;
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let order = match query.sort.field.as_str() {
        "notification_type" => format!("n.notification_type {direction}, n.created_at {direction}"),
        _ => format!("n.created_at {direction}"),
    };
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let exact_type = filters.exact_type();
    let (counts, type_counts) =
        counts_with_type(&mut exec, &principal.user_id, exact_type.as_deref()).await?;
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM notifications n WHERE n.user_id = "
    ));
    sql.push_bind(&principal.user_id);
    filters.push(&mut sql, db, query);
    sql.push(&format!(" ORDER BY {order}, n.id {direction} LIMIT "))
        .push_bind(i64::from(query.per_page))
        .push(" OFFSET ")
        .push_bind(query.offset() as i64);
    let rows: Vec<InboxRow> = exec.fetch_all(&sql).await?;
    let counted = if exact_type.is_some() {
        type_counts
    } else {
        counts
    };
    let total = match filters.total_from(query, counted) {
        Some(total) => total,
        None => {
            let mut count = Sql::new("SELECT COUNT(*) FROM notifications n WHERE n.user_id = ");
            count.push_bind(&principal.user_id);
            filters.push(&mut count, db, query);
            exec.fetch_count(&count).await?.max(0) as u64
        }
    };
    Ok(InboxPage {
        items: rows.into_iter().map(InboxNotification::from).collect(),
        meta: PageMeta::new(query.page, query.per_page, total),
        unread_count: counts.unread,
        unseen_count: counts.unseen,
    })
}

/// A notification id as the database holds it, or 404 (a malformed id is a missing one).
fn canonical_id(id: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::not_found("Notification"))
}

/// `GET /v2/notifications/{id}`: one of the user's own.
pub async fn find(db: &Db, principal: &Principal, id: &str) -> Result<InboxNotification, AppError> {
    let id = canonical_id(id)?;
    let row: Option<InboxRow> = db
        .fetch_optional(
            &Sql::new(format!(
                "SELECT {COLUMNS} FROM notifications n WHERE n.id = $1 AND n.user_id = $2"
            ))
            .bind(id)
            .bind(&principal.user_id),
        )
        .await?;
    row.map(InboxNotification::from)
        .ok_or_else(|| AppError::not_found("Notification"))
}

/// What `mark` sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Read (and so seen).
    Read,
    Seen,
    /// Back to unread (the inbox's "Mark unread"); it stays seen.
    Unread,
}

impl Mark {
    fn set(self) -> &'static str {
        match self {
            Mark::Read => "read_at = COALESCE(read_at, $1), seen_at = COALESCE(seen_at, $1)",
            Mark::Seen => "seen_at = COALESCE(seen_at, $1)",
            Mark::Unread => "read_at = NULL, seen_at = COALESCE(seen_at, $1)",
        }
    }

    /// Only rows that change: the counters' triggers see no idle updates.
    fn pending(self) -> &'static str {
        match self {
            Mark::Read => "(read_at IS NULL OR seen_at IS NULL)",
            Mark::Seen => "seen_at IS NULL",
            Mark::Unread => "read_at IS NOT NULL",
        }
    }
}

/// `PUT /v2/notifications/{id}/read` and `/seen`: one of the user's own (marking twice is no error).
pub async fn mark(db: &Db, principal: &Principal, id: &str, mark: Mark) -> Result<(), AppError> {
    let id = canonical_id(id)?;
    let changed = db
        .execute(
            &Sql::new(format!(
                "UPDATE notifications SET {} WHERE id = $2 AND user_id = $3 AND {}",
                mark.set(),
                mark.pending()
            ))
            .bind(now())
            .bind(&id)
            .bind(&principal.user_id),
        )
        .await?;
    if changed > 0 {
        return Ok(());
    }
    // Nothing changed: already marked (no error), or not the user's to mark (404).
    let mine = db
        .fetch_count(
            &Sql::new("SELECT COUNT(*) FROM notifications WHERE id = $1 AND user_id = $2")
                .bind(&id)
                .bind(&principal.user_id),
        )
        .await?;
    if mine == 0 {
        return Err(AppError::not_found("Notification"));
    }
    Ok(())
}

/// `PUT /v2/notifications/read_all` and `/seen_all`: every one of the user's. Answers how many
/// changed.
pub async fn mark_all(db: &Db, principal: &Principal, mark: Mark) -> Result<u64, AppError> {
    if mark == Mark::Unread {
        return Err(AppError::BadRequest(
            "Notifications are marked unread one at a time.".into(),
        ));
    }
    let changed = db
        .execute(
            &Sql::new(format!(
                "UPDATE notifications SET {} WHERE user_id = $2 AND {}",
                mark.set(),
                mark.pending()
            ))
            .bind(now())
            .bind(&principal.user_id),
        )
        .await?;
    Ok(changed)
}

/// `DELETE /v2/notifications/{id}`: one of the user's own.
pub async fn delete(db: &Db, principal: &Principal, id: &str) -> Result<(), AppError> {
    let id = canonical_id(id)?;
    let deleted = db
        .execute(
            &Sql::new("DELETE FROM notifications WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(&principal.user_id),
        )
        .await?;
    if deleted == 0 {
        return Err(AppError::not_found("Notification"));
    }
    Ok(())
}
