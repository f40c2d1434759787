//! What every list's page needs beyond its rows: how many rows match, counted no further than
//! the screens ask (`ListQuery::count_limit`: "more than 1,000"), since counting every match of a
//! broad filter is the one part of a page that grows with the table.

use crate::server::db::{Db, Sql};

/// Counts the rows `matches` selects (one row per match, any columns), up to `limit` when set.
/// Answers the count and whether it stopped at the limit.
pub async fn count_up_to(
    db: &Db,
    mut matches: Sql,
    limit: Option<u64>,
) -> Result<(u64, bool), sqlx::Error> {
    if let Some(limit) = limit {
        matches.push(" LIMIT ").push_bind(limit as i64 + 1);
    }
    let mut count = Sql::new(format!("SELECT COUNT(*) FROM ({}) matches", matches.text));
    count.args = matches.args;
    let n = db.fetch_count(&count).await?.max(0) as u64;
    Ok(match limit {
        Some(limit) if n > limit => (limit, true),
        _ => (n, false),
    })
}
