//! Case-insensitive text matching for every list (API.md §1 "Lists"): exact values through the
//! `lower()` indexes, `*` patterns as LIKE (ILIKE on PostgreSQL, where pg_trgm serves it), and on
//! SQLite, whose `lower()` and `LIKE` fold ASCII only, a Unicode fold for everything else.

use super::search_index;
use crate::domain::list::TextMatch;
use crate::server::db::{Backend, Sql};

/// The match itself: exact (through the `lower()` indexes) or a LIKE pattern. On SQLite, whose
/// `lower()` and `LIKE` fold ASCII only, a value with other letters is compared Unicode-folded
/// through `steward_fold()` (see `sqlite_fold`), without an index.
pub fn push_condition(
    sql: &mut Sql,
    backend: Backend,
    alias: &str,
    columns: &[&str],
    matcher: &TextMatch,
) {
    match matcher {
        TextMatch::Exact(value) if backend == Backend::Sqlite && !value.is_ascii() => {
            push_folded(sql, alias, columns, "=", search_index::fold(value));
        }
        TextMatch::Pattern { like, .. } if backend == Backend::Sqlite && !like.is_ascii() => {
            push_folded(sql, alias, columns, "LIKE", search_index::fold(like));
        }
        TextMatch::Exact(value) => {
            sql.push(" AND (");
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(&format!("lower({alias}.{column}) = lower("))
                    .push_bind(value)
                    .push(")");
            }
            sql.push(")");
        }
        TextMatch::Pattern { like, .. } => {
            sql.push(" AND (");
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                match backend {
                    // ILIKE is what the pg_trgm GIN index serves.
                    Backend::Postgres => sql
                        .push(&format!("{alias}.{column} ILIKE "))
                        .push_bind(like),
                    Backend::Sqlite => sql
                        .push(&format!("lower({alias}.{column}) LIKE lower("))
                        .push_bind(like)
                        .push(")"),
                };
                sql.push(" ESCAPE '\\'");
            }
            sql.push(")");
        }
    }
}

/// ` AND (steward_fold(o.a) <op> $v OR steward_fold(o.b) <op> $v ...)`, `value` folded already.
fn push_folded(sql: &mut Sql, alias: &str, columns: &[&str], op: &str, value: String) {
    use crate::server::sqlite_fold::FUNCTION;
    sql.push(" AND (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(&format!("{FUNCTION}({alias}.{column}) {op} "))
            .push_bind(value.clone());
        if op == "LIKE" {
            sql.push(" ESCAPE '\\'");
        }
    }
    sql.push(")");
}

/// The literal text before the first wildcard of a LIKE pattern (escapes undone), if any.
pub fn literal_prefix(like: &str) -> Option<String> {
    let mut prefix = String::new();
    let mut chars = like.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => prefix.push(chars.next()?),
            '%' | '_' => break,
            c => prefix.push(c),
        }
    }
    (!prefix.is_empty()).then_some(prefix)
}

/// `[low, high)` holding every string that starts with `prefix`, lowercased as SQLite's `lower()`
/// does (ASCII only).
pub fn prefix_range(prefix: &str) -> Option<(String, String)> {
    let low = prefix.to_ascii_lowercase();
    let mut high: Vec<char> = low.chars().collect();
    let last = high.pop()?;
    high.push(char::from_u32(last as u32 + 1)?);
    Some((low, high.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_ranges() {
        assert_eq!(literal_prefix("Wonka%"), Some("Wonka".into()));
        assert_eq!(literal_prefix("100\\%\\_%"), Some("100%_".into()));
        assert_eq!(literal_prefix("%@example.com"), None);
        assert_eq!(
            prefix_range("Wonka"),
            Some(("wonka".into(), "wonkb".into()))
        );
    }
}
