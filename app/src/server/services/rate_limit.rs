//! Fixed-window counters in the database, so every instance behind the load balancer sees the same
//! count. A request *reserves* its place first (one atomic upsert that increments and answers the
//! new count), and only then does the work the counter guards: parallel requests can't all be
//! evaluated before any of them is counted. A reservation that turns out not to count (a
//! successful sign-in) is refunded.

use crate::server::db::{Db, Sql};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The outcome of one reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Within the limit: go ahead.
    pub allowed: bool,
    /// The hits counted in this window, this one included (`limit + 1` is the first refused).
    pub count: i64,
    /// The window this reservation was counted in (what `refund` takes back from).
    pub window_start: DateTime<Utc>,
    /// Seconds until the window ends (the `Retry-After` of a refusal), at least 1.
    pub retry_after_secs: u64,
}

#[derive(sqlx::FromRow)]
struct CounterRow {
    count: i64,
    window_start: DateTime<Utc>,
}

/// A window as chrono counts it (5 minutes if it doesn't fit).
pub(crate) fn window_length(window: Duration) -> chrono::Duration {
    chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(5))
}

/// Counts one hit against `key` and answers whether it is within `limit` for the window.
pub async fn reserve(
    db: &Db,
    key: &str,
    limit: i64,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Reservation, sqlx::Error> {
    let length = window_length(window);
    let row: CounterRow = db
        .fetch_optional(
            &Sql::new(
                "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   count = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.count + 1 END, \
                   window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END \
                 RETURNING count, window_start",
            )
            .bind(key)
            .bind(now)
            .bind(now - length),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let ends = row.window_start + length;
    Ok(Reservation {
        allowed: row.count <= limit,
        count: row.count,
        window_start: row.window_start,
        retry_after_secs: (ends - now).num_seconds().max(1) as u64,
    })
}

/// Takes back one reservation, if its window is still the current one.
pub async fn refund(db: &Db, key: &str, reservation: &Reservation) -> Result<(), sqlx::Error> {
    db.execute(
        &Sql::new(
            "UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0",
        )
        .bind(key)
        .bind(reservation.window_start),
    )
    .await
    .map(|_| ())
}
