//! The ordered search index of organization names: the table `organization_search_grams` holds,
//! for every distinct trigram of an organization's lowercased name and company name, one row
//! `(gram, sort_key, organization_id)`, where `sort_key` is the lowercased name — the list's
//! default order. Its primary key is exactly that triple, so the rows of one trigram are stored in
//! list order.
//!
//! Why: a substring search ("wonka") can match thousands of rows, and sorting all of them to show
//! page 3 costs a lookup per match however fast the trigram lookup itself is. Walking one of the
//! search's trigrams in `sort_key` order instead and keeping the rows that really match reaches
//! page 3 after about `3 × per_page` matching rows, whatever the number of matches. The rows are
//! written by the service layer in the same transaction as the organization they describe, and
//! filled from the organizations at start when the table is empty (an upgrade).

use crate::server::db::{Db, Exec, Sql};
use crate::server::AppError;
use std::collections::BTreeSet;

/// How text is compared: Unicode lowercase, on both databases.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The distinct trigrams of `text`, folded.
pub fn trigrams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = fold(text).chars().collect();
    chars
        .windows(3)
        .map(|window| window.iter().collect())
        .collect()
}

/// Every trigram an organization is found by.
fn organization_grams(name: &str, company_name: &str) -> BTreeSet<String> {
    let mut grams = trigrams(name);
    grams.extend(trigrams(company_name));
    grams
}

/// The trigram whose rows the search for `literal` walks: the one least likely to occur in other
/// names, judged by how rare its letters are in English text (a cheap guess that needs no
/// statistics; a common choice only means walking further). `None` below three characters.
pub fn driving_gram(literal: &str) -> Option<String> {
    trigrams(literal)
        .into_iter()
        .max_by_key(|gram| gram.chars().map(rarity).sum::<u32>())
}

/// 0 for a space (in most names), 1 for `e` … 26 for `z`, 20 for digits and anything else.
fn rarity(c: char) -> u32 {
    const BY_FREQUENCY: &str = "etaoinshrdlcumwfgypbvkjxqz";
    match c {
        ' ' => 0,
        c => BY_FREQUENCY.find(c).map(|i| i as u32 + 1).unwrap_or(20),
    }
}

/// Rows per INSERT: three parameters each, well under both databases' limits.
const ROWS_PER_STATEMENT: usize = 1000;

async fn insert_rows(
    exec: &mut Exec<'_>,
    rows: &[(String, String, String)],
) -> Result<(), AppError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(
            "INSERT INTO organization_search_grams (gram, sort_key, organization_id) VALUES ",
        );
        for (i, (gram, sort_key, id)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .push_bind(gram)
                .push(", ")
                .push_bind(sort_key)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        // Two instances filling an empty index at the same start may meet here.
        sql.push(" ON CONFLICT DO NOTHING");
        exec.execute(&sql).await?;
    }
    Ok(())
}

/// Indexes a new organization (or the new names of a renamed one).
pub async fn index_organization(
    exec: &mut Exec<'_>,
    id: &str,
    name: &str,
    company_name: &str,
) -> Result<(), AppError> {
    let sort_key = fold(name);
    let rows: Vec<_> = organization_grams(name, company_name)
        .into_iter()
        .map(|gram| (gram, sort_key.clone(), id.to_string()))
        .collect();
    insert_rows(exec, &rows).await
}

/// Removes the rows of an organization as it was named (before a rename or a delete). Each row is
/// found by its whole key, so this needs no index on `organization_id`.
pub async fn unindex_organization(
    exec: &mut Exec<'_>,
    id: &str,
    name: &str,
    company_name: &str,
) -> Result<(), AppError> {
    let grams: Vec<String> = organization_grams(name, company_name).into_iter().collect();
    for chunk in grams.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new("DELETE FROM organization_search_grams WHERE sort_key = ");
        sql.push_bind(fold(name))
            .push(" AND organization_id = ")
            .push_bind(id)
            .push(" AND gram IN (");
        for (i, gram) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_bind(gram);
        }
        sql.push(")");
        exec.execute(&sql).await?;
    }
    Ok(())
}

/// After a change of `name` or `company_name`: the old rows out, the new ones in.
pub async fn reindex_organization(
    exec: &mut Exec<'_>,
    id: &str,
    before: (&str, &str),
    after: (&str, &str),
) -> Result<(), AppError> {
    if before == after {
        return Ok(());
    }
    unindex_organization(exec, id, before.0, before.1).await?;
    index_organization(exec, id, after.0, after.1).await
}

#[derive(sqlx::FromRow)]
struct Names {
    id: String,
    name: String,
    company_name: String,
}

/// Organizations per transaction while filling the index.
const FILL_BATCH: i64 = 5000;

/// Indexes every organization, in batches ordered by id (the bulk seed, and the first start after
/// the upgrade that added the index); rows that exist already are left alone. Returns how many
/// organizations it went through.
pub async fn fill(db: &Db) -> Result<u64, AppError> {
    let mut after = String::new();
    let mut indexed = 0u64;
    loop {
        let batch = db
            .fetch_all::<Names>(
                &Sql::new(
                    "SELECT id, name, company_name FROM organizations WHERE id > $1 \
                     ORDER BY id LIMIT $2",
                )
                .bind(&after)
                .bind(FILL_BATCH),
            )
            .await?;
        let Some(last) = batch.last() else {
            return Ok(indexed);
        };
        after = last.id.clone();
        let mut rows: Vec<(String, String, String)> = batch
            .iter()
            .flat_map(|o| {
                let sort_key = fold(&o.name);
                organization_grams(&o.name, &o.company_name)
                    .into_iter()
                    .map(move |gram| (gram, sort_key.clone(), o.id.clone()))
            })
            .collect();
        // In key order, each statement appends to a few places of the B-tree instead of many.
        rows.sort_unstable();
        let mut tx = db.begin().await?;
        insert_rows(&mut tx.exec(), &rows).await?;
        tx.commit().await?;
        indexed += batch.len() as u64;
    }
}

/// Fills the index when it is empty but organizations exist (the first start after the upgrade
/// that added it).
pub async fn fill_if_empty(db: &Db) -> Result<(), AppError> {
    let has_rows = db
        .fetch_count(&Sql::new(
            "SELECT COUNT(*) FROM (SELECT 1 FROM organization_search_grams LIMIT 1) g",
        ))
        .await?
        > 0;
    let has_organizations = db
        .fetch_count(&Sql::new(
            "SELECT COUNT(*) FROM (SELECT 1 FROM organizations LIMIT 1) o",
        ))
        .await?
        > 0;
    if !has_rows && has_organizations {
        let indexed = fill(db).await?;
        tracing::info!(
            organizations = indexed,
            "filled the organization search index"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_folded_and_distinct() {
        let grams: Vec<String> = trigrams("Ünïcode ÜNÏ").into_iter().collect();
        assert!(grams.contains(&"ünï".to_string()));
        assert!(grams.contains(&" ün".to_string()));
        assert_eq!(trigrams("ab"), BTreeSet::new());
        assert_eq!(trigrams("aaaa").len(), 1);
    }

    #[test]
    fn the_driving_gram_is_the_rarest_looking() {
        assert_eq!(driving_gram("ab"), None);
        // "xyz" beats the common letters of "corp".
        assert_eq!(driving_gram("xyz corp").as_deref(), Some("xyz"));
        assert!(driving_gram("wonka").is_some());
    }
}
