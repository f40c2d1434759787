//! Fixed-window counters in the database, so every instance behind the load balancer sees the same
//! count. The increment is one atomic upsert: parallel requests can't slip past the limit.

use crate::server::db::{Db, Sql};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Counts one hit against `key` and answers whether it is still within `limit` for the window.
pub async fn hit(
    db: &Db,
    key: &str,
    limit: i64,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(5));
    let stale_before = now - window;
    let count = db
        .fetch_count(
            &Sql::new(
                "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   count = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.count + 1 END, \
                   window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END \
                 RETURNING count",
            )
            .bind(key)
            .bind(now)
            .bind(stale_before),
        )
        .await?;
    Ok(count <= limit)
}

/// How many hits `key` has in the current window (0 when none or expired).
pub async fn current(
    db: &Db,
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(5));
    db.fetch_count(
        &Sql::new(
            "SELECT COALESCE(MAX(count), 0) FROM rate_limits WHERE key = $1 AND window_start >= $2",
        )
        .bind(key)
        .bind(now - window),
    )
    .await
}
