//! Organizations (API.md §3): who may see and change which, the list with its filters, and the
//! writes, each with its audit event in the same transaction.

use super::audit::{self, diff, AuditEntry};
use super::export::{self, ExportBudget};
use super::precondition::{lock_for_update, ExpectedVersion, Locked};
use super::search_index;
use super::text_match;
use crate::domain::list::{Choice, ListQuery, ListSpec, Page, PageMeta, TextMatch};
use crate::domain::organization::{
    Organization, OrganizationInput, OrganizationSummary, ValidOrganization, ORGANIZATION_FIELDS,
    ORGANIZATION_FILTERS, ORGANIZATION_SORTS,
};
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Backend, Db, Exec, Row, Sql};
use crate::server::AppError;
use futures::Stream;
use serde_json::json;
use std::sync::OnceLock;

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &ORGANIZATION_FILTERS,
    sorts: &ORGANIZATION_SORTS,
    default_sort: "name",
    default_descending: false,
};

/// Columns filled by the trigram index (SQLite FTS5 / PostgreSQL pg_trgm).
const INDEXED_TEXT: [&str; 2] = ["name", "company_name"];

/// The read model's select list (the `Organization` row), users counted through their index.
fn columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let fields: Vec<String> = ORGANIZATION_FIELDS
            .iter()
            .map(|f| format!("o.{}", f.key))
            .collect();
        format!(
            "o.id, o.lock_version, {}, o.partner_organization_id, \
             (SELECT COUNT(*) FROM users u WHERE u.organization_id = o.id) AS users_count, \
             o.created_at, o.updated_at",
            fields.join(", ")
        )
    })
}

/// What a row of the organizations screen shows (`OrganizationSummary`).
const SUMMARY_COLUMNS: &str = "o.id, o.name, o.company_name, o.city, o.country, \
     (SELECT COUNT(*) FROM users u WHERE u.organization_id = o.id) AS users_count, o.created_at";

/// What the principal may see: everything (Super Admin), their organization and its customers
/// (Admin), or their own organization (User).
fn push_visibility(sql: &mut Sql, principal: &Principal) {
    match principal.role {
        Role::SuperAdmin => {}
        Role::Admin => {
            sql.push(" AND (o.id = ")
                .push_bind(&principal.organization_id)
                .push(" OR o.partner_organization_id = ")
                .push_bind(&principal.organization_id)
                .push(")");
        }
        Role::User => {
            sql.push(" AND o.id = ")
                .push_bind(&principal.organization_id);
        }
    }
}

/// Whether the principal may change this (visible) organization.
fn may_manage(principal: &Principal, organization: &Organization) -> bool {
    match principal.role {
        Role::SuperAdmin => true,
        Role::Admin => {
            organization.id == principal.organization_id
                || organization.attributes.partner_organization_id.as_deref()
                    == Some(principal.organization_id.as_str())
        }
        Role::User => false,
    }
}

/// An FTS5 query over the trigram index: every literal run of three or more characters must occur
/// in one of `columns`. `None` when no run is long enough for trigrams (the LIKE alone decides).
fn fts_query(columns: &[&str], literals: &[String]) -> Option<String> {
    let colset = format!("{{{}}}", columns.join(" "));
    let phrases: Vec<String> = literals
        .iter()
        .filter(|literal| literal.chars().count() >= 3)
        .map(|literal| format!("{colset} : \"{}\"", literal.replace('"', "\"\"")))
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" AND "))
}

/// A case-insensitive match of any of `columns` against `matcher`, using the trigram index for
/// patterns on the name columns and the `lower()` indexes for exact values.
fn push_text_match(sql: &mut Sql, backend: Backend, columns: &[&str], matcher: &TextMatch) {
    push_text_narrowing(sql, backend, columns, matcher);
    text_match::push_condition(sql, backend, "o", columns, matcher);
}

/// What only steers SQLite to an index for a pattern (the condition itself decides).
fn push_text_narrowing(sql: &mut Sql, backend: Backend, columns: &[&str], matcher: &TextMatch) {
    let TextMatch::Pattern { like, literals } = matcher else {
        return;
    };
    let indexed = columns.iter().all(|c| INDEXED_TEXT.contains(c));
    let prefix = text_match::literal_prefix(like);
    // (Only for ASCII prefixes: the `lower()` index folds nothing else.)
    let ascii_prefix = prefix.as_deref().filter(|p| p.is_ascii());
    if let (Backend::Sqlite, [column], Some((low, high))) = (
        backend,
        columns,
        ascii_prefix.and_then(text_match::prefix_range),
    ) {
        // `acme*`: a range on the lower(column) index (SQLite compares bytewise, so the
        // range holds exactly the strings with that prefix); the LIKE still decides.
        sql.push(&format!(" AND lower(o.{column}) >= "))
            .push_bind(low)
            .push(&format!(" AND lower(o.{column}) < "))
            .push_bind(high);
    } else if backend == Backend::Sqlite && indexed {
        if let Some(query) = fts_query(columns, literals) {
            sql.push(
                " AND o.rowid IN (SELECT rowid FROM organizations_search WHERE organizations_search MATCH ",
            )
            .push_bind(query)
            .push(")");
        }
    }
}

/// How the free-text search finds its rows.
#[derive(Clone, Copy, PartialEq)]
enum SearchAccess {
    /// Through the trigram index (FTS5 / pg_trgm), every match at once.
    Indexed,
    /// Row by row from the ordered search index, which the query drives (see `walk_page_sql`).
    Walked,
}

fn push_filters(sql: &mut Sql, backend: Backend, principal: &Principal, query: &ListQuery) {
    push_filters_with(sql, backend, principal, query, SearchAccess::Indexed);
}

fn push_filters_with(
    sql: &mut Sql,
    backend: Backend,
    principal: &Principal,
    query: &ListQuery,
    search_access: SearchAccess,
) {
    push_visibility(sql, principal);
    if let Some(search) = &query.search {
        match search_access {
            SearchAccess::Indexed => push_text_match(sql, backend, &INDEXED_TEXT, search),
            SearchAccess::Walked => {
                text_match::push_condition(sql, backend, "o", &INDEXED_TEXT, search)
            }
        }
    }
    for (field, matcher) in &query.filters {
        // `field` was checked against ORGANIZATION_FILTERS by the parser; never interpolate otherwise.
        if let Some(column) = ORGANIZATION_FILTERS.iter().find(|f| **f == field.as_str()) {
            push_text_match(sql, backend, &[column], matcher);
        }
    }
    if let Some(from) = query.created_from {
        sql.push(" AND o.created_at >= ").push_bind(from);
    }
    if let Some(to) = query.created_to {
        sql.push(" AND o.created_at <= ").push_bind(to);
    }
}

fn order_by(query: &ListQuery) -> String {
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let expression = match query.sort.field.as_str() {
        "company_name" => "lower(o.company_name)",
        "country" => "lower(o.country)",
        "created_at" => "o.created_at",
        "updated_at" => "o.updated_at",
        _ => "lower(o.name)",
    };
    // Both databases put NULLs last, and the id breaks ties so pages never overlap.
    let nulls = if query.sort.field == "country" {
        " NULLS LAST"
    } else {
        ""
    };
    format!(" ORDER BY {expression} {direction}{nulls}, o.id {direction}")
}

fn select_sql(backend: Backend, principal: &Principal, query: &ListQuery) -> Sql {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM organizations o WHERE 1 = 1",
        columns()
    ));
    push_filters(&mut sql, backend, principal, query);
    sql.push(&order_by(query));
    sql
}

/// One page. The rows are picked first and only then decorated with their user counts, so a
/// search matching thousands of rows counts users for 25 of them, not for all. With
/// `with_total`, the same pass also counts every match (`COUNT(*) OVER ()`), so a filtered list
/// filters once instead of twice.
fn page_sql(
    backend: Backend,
    columns: &str,
    principal: &Principal,
    query: &ListQuery,
    with_total: bool,
) -> Sql {
    let total = if with_total {
        ", COUNT(*) OVER () AS total_count"
    } else {
        ", CAST(0 AS BIGINT) AS total_count"
    };
    let mut sql = Sql::new(format!(
        "SELECT o.*{total} FROM organizations o WHERE 1 = 1"
    ));
    push_filters(&mut sql, backend, principal, query);
    let order = order_by(query);
    sql.push(&order);
    decorated_page(sql, columns, query, &order)
}

/// Limits `picked` (already ordered) to the query's page, then selects `columns` of just those
/// rows (users counted for 25 rows, not for every match), in `order` again.
fn decorated_page(mut picked: Sql, columns: &str, query: &ListQuery, order: &str) -> Sql {
    picked
        .push(" LIMIT ")
        .push_bind(i64::from(query.per_page))
        .push(" OFFSET ")
        .push_bind(query.offset() as i64);
    Sql {
        text: format!(
            "SELECT {columns}, o.total_count FROM ({}) o{order}",
            picked.text
        ),
        args: picked.args,
    }
}

/// The trigram a substring search sorted by name walks in the ordered search index, when that is
/// how this query is served (see `search_index`): the UI's search box on the default order.
fn walked_gram(query: &ListQuery) -> Option<String> {
    if query.sort.field != "name" {
        return None;
    }
    let Some(TextMatch::Pattern { literals, .. }) = &query.search else {
        return None;
    };
    let longest = literals.iter().max_by_key(|l| l.chars().count())?;
    search_index::driving_gram(longest)
}

/// One page of a search, walking `gram`'s rows of the ordered search index in list order and
/// keeping those whose row matches every filter; the database stops at the page's last row.
fn walk_page_sql(
    backend: Backend,
    columns: &str,
    principal: &Principal,
    query: &ListQuery,
    gram: &str,
) -> Sql {
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    // CROSS JOIN: SQLite keeps this join order (the index drives); PostgreSQL plans it freely.
    let mut sql = Sql::new(
        "SELECT o.*, g.sort_key AS search_sort_key, CAST(0 AS BIGINT) AS total_count \
         FROM organization_search_grams g CROSS JOIN organizations o \
         WHERE g.gram = ",
    );
    sql.push_bind(gram).push(" AND o.id = g.organization_id");
    push_filters_with(&mut sql, backend, principal, query, SearchAccess::Walked);
    sql.push(&format!(
        " ORDER BY g.sort_key {direction}, g.organization_id {direction}"
    ));
    decorated_page(
        sql,
        columns,
        query,
        &format!(" ORDER BY o.search_sort_key {direction}, o.id {direction}"),
    )
}

/// The number of matches of a search, counting no further than `limit` when one is given (then
/// `(limit, true)` means "more than that"). A Super Admin's plain substring search on SQLite is
/// counted in the FTS5 index alone, which stops at the limit.
async fn count_matches(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
    limit: Option<u64>,
) -> Result<(u64, bool), AppError> {
    let fts_only = db.backend() == Backend::Sqlite
        && principal.role == Role::SuperAdmin
        && query.filters.is_empty()
        && query.created_from.is_none()
        && query.created_to.is_none();
    let inner = match (&query.search, fts_only) {
        // Exactly "contains this one literal" (the search box), as `TextMatch::contains` builds it.
        (Some(search @ TextMatch::Pattern { literals, .. }), true)
            if literals.len() == 1
                && TextMatch::contains(&literals[0]).as_ref() == Some(search) =>
        {
            match fts_query(&INDEXED_TEXT, literals) {
                Some(fts) => Sql::new(
                    "SELECT rowid FROM organizations_search WHERE organizations_search MATCH $1",
                )
                .bind(fts),
                None => generic_match_sql(db.backend(), principal, query),
            }
        }
        _ => generic_match_sql(db.backend(), principal, query),
    };
    Ok(super::paging::count_up_to(db, inner, limit).await?)
}

fn generic_match_sql(backend: Backend, principal: &Principal, query: &ListQuery) -> Sql {
    let mut sql = Sql::new("SELECT 1 FROM organizations o WHERE 1 = 1");
    push_filters(&mut sql, backend, principal, query);
    sql
}

/// A page's row and, in a windowed page, the number of every match.
#[derive(sqlx::FromRow)]
struct PageRow<T> {
    #[sqlx(flatten)]
    item: T,
    total_count: i64,
}

/// Whether every match has to be read and sorted anyway (a substring or suffix search, which no
/// ordered index serves): then counting in the same pass is free. A prefix or exact match walks an
/// index in order and stops at the page, and a separate index-only count is cheaper.
fn must_sort_every_match(query: &ListQuery) -> bool {
    let unordered = |m: &TextMatch| match m {
        TextMatch::Exact(_) => false,
        TextMatch::Pattern { like, .. } => text_match::literal_prefix(like).is_none(),
    };
    query.search.is_some() || query.filters.iter().any(|(_, m)| unordered(m))
}

/// Whether the total is simply every organization (a Super Admin's unfiltered list).
fn counts_everything(principal: &Principal, query: &ListQuery) -> bool {
    principal.role == Role::SuperAdmin
        && query.search.is_none()
        && query.filters.is_empty()
        && query.created_from.is_none()
        && query.created_to.is_none()
}

/// One page of the organizations the principal may see, as the API shows them.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn list_organizations(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<Organization>, AppError> {
    list_page(db, columns(), principal, query).await
}

/// The same page as [`list_organizations`], each organization as the organizations screen shows it.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn list_organization_summaries(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<OrganizationSummary>, AppError> {
    list_page(db, SUMMARY_COLUMNS, principal, query).await
}

/// One page of `columns`, read as `T`: both lists share every filter, order and count.
async fn list_page<T>(
    db: &Db,
    columns: &str,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<T>, AppError>
where
    PageRow<T>: Row,
{
    if let Some(gram) = walked_gram(query) {
        return list_walked(db, columns, principal, query, &gram).await;
    }
    let counted = counts_everything(principal, query);
    let windowed = !counted && must_sort_every_match(query);
    let rows = db
        .fetch_all::<PageRow<T>>(&page_sql(db.backend(), columns, principal, query, windowed))
        .await?;
    let total = if counted {
        db.fetch_count(&Sql::new(
            "SELECT count FROM row_counts WHERE table_name = 'organizations'",
        ))
        .await?
    } else if let (true, Some(row)) = (windowed, rows.first()) {
        row.total_count
    } else if windowed && query.page == 1 {
        0
    } else {
        // An index-ordered page, or a page past the last one (no row to carry the total).
        let mut count = Sql::new("SELECT COUNT(*) FROM organizations o WHERE 1 = 1");
        push_filters(&mut count, db.backend(), principal, query);
        db.fetch_count(&count).await?
    };
    Ok(Page {
        items: rows.into_iter().map(|row| row.item).collect(),
        meta: PageMeta::new(query.page, query.per_page, total.max(0) as u64),
    })
}

/// A search page served by the ordered search index. Its total is exact when the page shows the
/// last matches, and otherwise counted (up to `query.count_limit`, when the caller set one).
async fn list_walked<T>(
    db: &Db,
    columns: &str,
    principal: &Principal,
    query: &ListQuery,
    gram: &str,
) -> Result<Page<T>, AppError>
where
    PageRow<T>: Row,
{
    let rows = db
        .fetch_all::<PageRow<T>>(&walk_page_sql(
            db.backend(),
            columns,
            principal,
            query,
            gram,
        ))
        .await?;
    let shown = rows.len() as u64;
    let (total, capped) = if shown < u64::from(query.per_page) && (shown > 0 || query.page == 1) {
        (query.offset() + shown, false)
    } else {
        count_matches(db, principal, query, query.count_limit).await?
    };
    let mut meta = PageMeta::new(query.page, query.per_page, total);
    meta.total_capped = capped;
    Ok(Page {
        items: rows.into_iter().map(|row| row.item).collect(),
        meta,
    })
}

/// Every matching row, in list order, as a stream: the CSV export never holds the table in memory
/// (nor a connection while the client dawdles, see `export`).
pub async fn export_organizations(
    db: &Db,
    budget: &ExportBudget,
    principal: &Principal,
    query: &ListQuery,
) -> Result<impl Stream<Item = Result<Organization, AppError>> + Send + 'static, AppError> {
    let sql = select_sql(db.backend(), principal, query);
    export::stream_rows(db.clone(), budget, sql).await
}

async fn find_visible(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<Organization, AppError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(AppError::not_found("Organization"));
    }
    let mut sql = Sql::new(format!(
        "SELECT {} FROM organizations o WHERE o.id = ",
        columns()
    ));
    sql.push_bind(id.to_ascii_lowercase());
    push_visibility(&mut sql, principal);
    exec.fetch_optional::<Organization>(&sql)
        .await?
        .ok_or_else(|| AppError::not_found("Organization"))
}

/// Where the principal may move a user who is in `current`, by name, for the user page's picker:
/// the organizations they see, or nothing when that is only `current` (an Admin without
/// customers). At most 500: beyond that the API moves users
/// (`PUT /v2/organizations/change_user_organization`, `PUT /v2/users/{id}`).
pub async fn move_targets(
    db: &Db,
    principal: &Principal,
    current: Choice,
) -> Result<Vec<Choice>, AppError> {
    if principal.role == Role::User {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT o.id, o.name FROM organizations o WHERE 1 = 1");
    push_visibility(&mut sql, principal);
    sql.push(" ORDER BY o.name, o.id LIMIT 500");
    let rows: Vec<(String, String)> = db.fetch_all(&sql).await?;
    let mut choices: Vec<Choice> = rows
        .into_iter()
        .map(|(id, label)| Choice { id, label })
        .collect();
    if !choices.iter().any(|c| c.id == current.id) {
        choices.insert(0, current);
    }
    if choices.len() < 2 {
        choices.clear();
    }
    Ok(choices)
}

/// The organization behind `id` when the principal may administer it (its Admin, its partner's
/// Admin, a Super Admin): 404 when they can't see it, 403 when they see it but may not change it.
pub async fn find_manageable(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<Organization, AppError> {
    let organization = find_visible(exec, principal, id).await?;
    if may_manage(principal, &organization) {
        Ok(organization)
    } else {
        Err(AppError::Forbidden(
            "You are not allowed to change this organization.".into(),
        ))
    }
}

/// Whether an organization with this id exists at all (ZITADEL's `x-zitadel-orgid` tells "not
/// yours", 403, from "no such organization", 404).
pub async fn exists(exec: &mut Exec<'_>, id: &str) -> Result<bool, AppError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Ok(false);
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM organizations WHERE id = ");
    sql.push_bind(id.to_ascii_lowercase());
    Ok(exec.fetch_count(&sql).await? > 0)
}

/// Whether the organization exists and the principal may see it (a user moved into it, say).
pub async fn is_visible(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<bool, AppError> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM organizations o WHERE o.id = ");
    sql.push_bind(id.to_ascii_lowercase());
    push_visibility(&mut sql, principal);
    Ok(exec.fetch_count(&sql).await? > 0)
}

pub async fn get_organization(
    db: &Db,
    principal: &Principal,
    id: &str,
) -> Result<Organization, AppError> {
    let mut conn = db.conn().await?;
    find_visible(&mut conn.exec(), principal, id).await
}

#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn create_organization(
    db: &Db,
    principal: &Principal,
    input: OrganizationInput,
) -> Result<Organization, AppError> {
    let partner = partner_of_new(principal)?;
    let valid = input.parse_new().map_err(AppError::Invalid)?;
    let mut tx = db.begin().await?;
    let created =
        insert_organization(&mut tx.exec(), principal, &new_id(), &valid, partner).await?;
    tx.commit().await?;
    Ok(created)
}

/// Who a new organization belongs to: a partner Admin's is their customer (theirs to manage), a
/// Super Admin's stands alone; nobody else creates one.
pub fn partner_of_new(principal: &Principal) -> Result<Option<NewPartner>, AppError> {
    match principal.role {
        Role::SuperAdmin => Ok(None),
        Role::Admin if principal.partner => Ok(Some(NewPartner {
            organization_id: principal.organization_id.clone(),
            user_id: principal.user_id.clone(),
        })),
        _ => Err(AppError::Forbidden(
            "Only a Super Admin or a partner Admin can create organizations.".into(),
        )),
    }
}

/// The partner organization and the partner user a customer organization is created under.
pub struct NewPartner {
    pub organization_id: String,
    pub user_id: String,
}

/// Writes a validated new organization with its search index and audit event, inside the
/// caller's transaction (`POST /v2/users/customer` adds its first Admin in the same one).
pub async fn insert_organization(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
    valid: &ValidOrganization,
    partner: Option<NewPartner>,
) -> Result<Organization, AppError> {
    let (partner_organization_id, partner_user_id) = match partner {
        Some(p) => (Some(p.organization_id), Some(p.user_id)),
        None => (None, None),
    };
    let at = now();
    let mut sql = Sql::new("INSERT INTO organizations (id");
    for spec in ORGANIZATION_FIELDS {
        sql.push(", ").push(spec.key);
    }
    sql.push(", partner_organization_id, partner_user_id, lock_version, created_at, updated_at) VALUES (")
        .push_bind(id);
    for spec in ORGANIZATION_FIELDS {
        sql.push(", ").push_bind(valid.get(spec.key));
    }
    sql.push(", ")
        .push_bind(partner_organization_id)
        .push(", ")
        .push_bind(partner_user_id)
        .push(", 1, ")
        .push_bind(at)
        .push(", ")
        .push_bind(at)
        .push(")");
    exec.execute(&sql).await?;
    let created = find_visible(exec, principal, id).await?;
    search_index::index_organization(
        exec,
        id,
        &created.attributes.name,
        &created.attributes.company_name,
    )
    .await?;
    audit::record(
        exec,
        AuditEntry::by(principal, "organization.create", "organizations", Some(id))
            .in_organization(Some(id))
            .with_changes(diff(&json!({}), &json!(valid.as_input()))),
    )
    .await?;
    Ok(created)
}

/// Applies the attributes present in `input`. With `expected_version` (the `If-Match` header or the
/// form's hidden version) a change made in between answers 412 and writes nothing.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, organization_id = %id))]
pub async fn update_organization(
    db: &Db,
    principal: &Principal,
    id: &str,
    input: OrganizationInput,
    expected_version: ExpectedVersion,
) -> Result<Organization, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Organizations, id).await?;
    let current = find_visible(&mut exec, principal, id).await?;
    if !may_manage(principal, &current) {
        return Err(AppError::Forbidden(
            "You are not allowed to change this organization.".into(),
        ));
    }
    let before = current.to_input();
    // A malformed body is a 422 whatever the version: the precondition is about what it would change.
    let valid = input.parse_update(&before).map_err(AppError::Invalid)?;
    expected_version.check(current.lock_version, "organization")?;
    let changes = diff(&json!(before), &json!(valid.as_input()));
    if changes.as_object().is_some_and(|c| c.is_empty()) {
        return Ok(current);
    }

    let mut sql = Sql::new("UPDATE organizations SET ");
    for spec in ORGANIZATION_FIELDS {
        sql.push(spec.key)
            .push(" = ")
            .push_bind(valid.get(spec.key))
            .push(", ");
    }
    sql.push("lock_version = lock_version + 1, updated_at = ")
        .push_bind(now())
        .push(" WHERE id = ")
        .push_bind(&current.id)
        .push(" AND lock_version = ")
        .push_bind(current.lock_version);
    if exec.execute(&sql).await? == 0 {
        // Unreachable while the row lock is held; kept as a guard so a write never lands on a
        // version it didn't read.
        return Err(AppError::Internal(
            "the organization's version moved under its row lock".into(),
        ));
    }
    let updated = find_visible(&mut exec, principal, id).await?;
    search_index::reindex_organization(
        &mut exec,
        &current.id,
        (&current.attributes.name, &current.attributes.company_name),
        (&updated.attributes.name, &updated.attributes.company_name),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "organization.update",
            "organizations",
            Some(&current.id),
        )
        .in_organization(Some(&current.id))
        .with_changes(changes),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Super Admin only; refused (409) while the organization still has users.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, organization_id = %id))]
pub async fn delete_organization(
    db: &Db,
    principal: &Principal,
    id: &str,
    expected_version: ExpectedVersion,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Organizations, id).await?;
    let current = find_visible(&mut exec, principal, id).await?;
    if principal.role != Role::SuperAdmin {
        return Err(AppError::Forbidden(
            "Only a Super Admin can delete organizations.".into(),
        ));
    }
    expected_version.check(current.lock_version, "organization")?;
    let users = current.attributes.users_count;
    if users > 0 {
        return Err(AppError::Conflict(format!(
            "{} still has {users} user{}; move or delete them first.",
            current.attributes.name,
            if users == 1 { "" } else { "s" }
        )));
    }
    exec.execute(&Sql::new("DELETE FROM organizations WHERE id = $1").bind(&current.id))
        .await
        .map_err(|e| {
            AppError::from_constraint(
                e,
                "The organization still has users; move or delete them first.",
            )
        })?;
    search_index::unindex_organization(
        &mut exec,
        &current.id,
        &current.attributes.name,
        &current.attributes.company_name,
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "organization.delete",
            "organizations",
            Some(&current.id),
        )
        .in_organization(Some(&current.id))
        .with_changes(diff(&json!(current.to_input()), &json!({}))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's own organization (`GET /v2/user/organization`).
pub async fn get_own_organization(
    db: &Db,
    principal: &Principal,
) -> Result<Organization, AppError> {
    get_organization(db, principal, &principal.organization_id).await
}

/// `PUT /v2/user/organization`: Admin (or Super Admin) of that organization only.
pub async fn update_own_organization(
    db: &Db,
    principal: &Principal,
    input: OrganizationInput,
    expected_version: ExpectedVersion,
) -> Result<Organization, AppError> {
    if !principal.is_admin() {
        return Err(AppError::Forbidden(
            "Only an Admin can change the organization.".into(),
        ));
    }
    let id = principal.organization_id.clone();
    update_organization(db, principal, &id, input, expected_version).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_needs_three_characters() {
        assert_eq!(
            fts_query(&["name"], &["wonka".into(), "ab".into()]),
            Some("{name} : \"wonka\"".into())
        );
        assert_eq!(fts_query(&["name"], &["ab".into()]), None);
        assert_eq!(
            fts_query(&["name", "company_name"], &["a\"bc".into()]),
            Some("{name company_name} : \"a\"\"bc\"".into())
        );
    }
}
