//! Optimistic concurrency (API.md §1 "Concurrency"): the versions a write may apply to, and the
//! row lock a read-modify-write takes.

use crate::server::db::{Backend, Exec, Sql};
use crate::server::AppError;

/// The versions a client saw: `If-Match` (one or several ETags) or the version an edit form was
/// opened at. Empty means "no precondition": the write applies on top of whatever is current.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedVersion(Vec<i64>);

impl ExpectedVersion {
    /// No precondition (no `If-Match`, or `If-Match: *`).
    pub fn any() -> ExpectedVersion {
        ExpectedVersion(Vec::new())
    }

    pub fn exactly(version: i64) -> ExpectedVersion {
        ExpectedVersion(vec![version])
    }

    /// `"3"`, `W/"3"`, `"1", "2"` or `*`. A well-formed tag we never issued matches nothing
    /// (RFC 9110 §13.1.1: the list matches when any of its tags does); a header that isn't a list
    /// of entity tags at all is the client's mistake, `Err`, not a failed precondition.
    pub fn from_if_match(header: &str) -> Result<ExpectedVersion, String> {
        let header = header.trim();
        // An empty list names no version: no precondition, as if the header were absent.
        if header == "*" || header.is_empty() {
            return Ok(ExpectedVersion::any());
        }
        let malformed =
            || "must be `*` or a comma-separated list of quoted ETags (\"3\")".to_string();
        // Tag by tag: a quoted tag may itself contain a comma.
        let mut versions = Vec::new();
        let mut rest = header;
        loop {
            let quoted = rest.strip_prefix("W/").unwrap_or(rest);
            let after_quote = quoted.strip_prefix('"').ok_or_else(malformed)?;
            let end = after_quote.find('"').ok_or_else(malformed)?;
            let inner = &after_quote[..end];
            // etagc (RFC 9110 §8.8.3): visible ASCII but the quote, and obs-text.
            if !inner
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
            {
                return Err(malformed());
            }
            versions.push(inner.parse().unwrap_or(-1));
            rest = after_quote[end + 1..].trim_start();
            if rest.is_empty() {
                break;
            }
            rest = rest.strip_prefix(',').ok_or_else(malformed)?.trim_start();
        }
        Ok(ExpectedVersion(versions))
    }

    pub fn admits(&self, current: i64) -> bool {
        self.0.is_empty() || self.0.contains(&current)
    }

    /// `Ok` when the record's `current` version is one the client saw; else the 412 that names it
    /// ("This organization was changed …").
    pub fn check(&self, current: i64, noun: &str) -> Result<(), AppError> {
        if self.admits(current) {
            Ok(())
        } else {
            Err(AppError::PreconditionFailed(format!(
                "This {noun} was changed by someone else since you loaded it. Reload to see the latest version."
            )))
        }
    }
}

/// The tables whose rows `lock_for_update` locks (never interpolate anything else).
#[derive(Clone, Copy)]
pub enum Locked {
    Organizations,
    Users,
}

/// Takes the row lock before a read-modify-write. On PostgreSQL (read committed) a parallel writer
/// then waits for this transaction and reads what it wrote, so a write without a precondition
/// applies on top of the current row instead of failing; SQLite's `BEGIN IMMEDIATE` already
/// serializes writers.
pub async fn lock_for_update(exec: &mut Exec<'_>, table: Locked, id: &str) -> Result<(), AppError> {
    if exec.backend() == Backend::Postgres && uuid::Uuid::parse_str(id).is_ok() {
        let table = match table {
            Locked::Organizations => "organizations",
            Locked::Users => "users",
        };
        exec.execute(
            &Sql::new(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
                .bind(id.to_ascii_lowercase()),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_tag_of_the_list_may_match() {
        let parse = |header| ExpectedVersion::from_if_match(header).unwrap();
        assert!(parse("\"1\", \"2\"").admits(2));
        assert!(parse("W/\"2\"").admits(2));
        assert!(!parse("\"1\", \"2\"").admits(3));
        assert!(!parse("\"abc\"").admits(1));
        assert!(parse("*").admits(7));
        assert!(parse("W/\"a,b\" , \"4\"").admits(4));
        assert!(ExpectedVersion::any().admits(7));
        assert!(!ExpectedVersion::exactly(1).admits(2));
    }

    #[test]
    fn a_header_that_is_not_a_list_of_etags_is_refused() {
        for header in ["3", "\"3", "\"1\",", "W/3", "\"a\"b\"", ","] {
            assert!(
                ExpectedVersion::from_if_match(header).is_err(),
                "{header:?} is not an If-Match value"
            );
        }
    }
}
