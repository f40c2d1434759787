//! Users (API.md §4): the first Super Admin, who may see and change which user, the list with its
//! filters, and the writes, each with its audit event in the same transaction. Roles and tenancy
//! are decided here and nowhere else: Admins manage their organization's users and their
//! customers'; nobody raises a role above their own; the last Super Admin stays; an organization
//! with users keeps an Admin.

use super::audit::{self, diff, AuditEntry};
use super::export::{self, ExportBudget};
use super::organizations;
use super::precondition::{lock_for_update, ExpectedVersion, Locked};
use super::search_index;
use super::text_match;
use crate::domain::list::{ListQuery, ListSpec, Page, PageMeta, TextMatch};
use crate::domain::text::is_email;
use crate::domain::user::{
    CanDelete, CurrentUser, TwoFactorSummary, User, UserAttributes, UserInput, UserOrganization,
    UserSummary, ValidUser, USER_FIELDS, USER_FILTERS, USER_SORTS,
};
use crate::domain::{FieldError, Role};
use crate::server::auth::{password, Principal};
use crate::server::db::{new_id, now, Backend, Db, Exec, Row, Sql};
use crate::server::request::RequestMeta;
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use rand::Rng;
use serde_json::json;

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@steward.local";

/// The first Super Admin, as created at start-up.
#[derive(Debug)]
pub struct FirstAdmin {
    pub email: String,
    /// Present when the password was generated: shown once, never stored in clear.
    pub generated_password: Option<String>,
}

/// When the database has no user, creates the first Super Admin in an organization of its own.
/// Several instances starting together race harmlessly: the unique email index lets one win.
pub async fn ensure_first_super_admin(
    db: &Db,
    email: Option<&str>,
    password_value: Option<&str>,
) -> Result<Option<FirstAdmin>, AppError> {
    if db
        .fetch_count(&Sql::new("SELECT COUNT(*) FROM users"))
        .await?
        > 0
    {
        return Ok(None);
    }
    let email = email.unwrap_or(DEFAULT_ADMIN_EMAIL).trim().to_string();
    if !is_email(&email) {
        return Err(AppError::invalid(
            "STEWARD_ADMIN_EMAIL",
            "is not a valid email address",
        ));
    }
    let (password_value, generated) = match password_value {
        Some(given) => {
            password::check_strength(given)
                .map_err(|m| AppError::invalid("STEWARD_ADMIN_PASSWORD", m))?;
            (given.to_string(), None)
        }
        None => {
            let generated = random_password();
            (generated.clone(), Some(generated))
        }
    };
    let hash = password::hash(password_value).await?;
    let at = now();
    let organization_id = new_id();
    let user_id = new_id();
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(
        &Sql::new(
            "INSERT INTO organizations (id, name, company_name, lock_version, created_at, updated_at) \
             VALUES ($1, 'Steward', 'Steward', 1, $2, $2)",
        )
        .bind(&organization_id)
        .bind(at),
    )
    .await?;
    search_index::index_organization(&mut exec, &organization_id, "Steward", "Steward").await?;
    let inserted = insert_user(
        &mut exec,
        NewUserRow {
            id: &user_id,
            organization_id: &organization_id,
            email: &email,
            username: email.split('@').next().unwrap_or("admin"),
            password_hash: Some(&hash),
            role: Role::SuperAdmin,
            first_name: Some("Super"),
            last_name: Some("Admin"),
            confirmed: true,
        },
    )
    .await;
    if let Err(err) = inserted {
        if err
            .as_database_error()
            .is_some_and(|e| e.is_unique_violation())
        {
            return Ok(None);
        }
        return Err(err.into());
    }
    audit::record(
        &mut exec,
        AuditEntry {
            actor_id: None,
            impersonator_id: None,
            organization_id: Some(&organization_id),
            action: "user.bootstrap_super_admin",
            target_type: "users",
            target_id: Some(&user_id),
            changes: json!({ "email": { "from": null, "to": email } }),
            meta: &RequestMeta::default(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(FirstAdmin {
        email,
        generated_password: generated,
    }))
}

pub struct NewUserRow<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub email: &'a str,
    pub username: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub confirmed: bool,
}

pub async fn insert_user(exec: &mut Exec<'_>, user: NewUserRow<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    exec.execute(
        &Sql::new(
            "INSERT INTO users (id, organization_id, email, username, password_hash, role, first_name, last_name, \
             confirmed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(user.id)
        .bind(user.organization_id)
        .bind(user.email)
        .bind(user.username)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.first_name)
        .bind(user.last_name)
        .bind(user.confirmed.then_some(at))
        .bind(at),
    )
    .await
    .map(|_| ())
}

/// What a new `users` row carries besides its attributes.
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub password_hash: Option<&'a str>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Set for an invitation (a pending one is handed over with `inherit`).
    pub invited_by: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// The column value of one writable attribute: the NOT NULL ones with a default get it back when
/// blank.
fn column_value(valid: &ValidUser, key: &str) -> Option<String> {
    let value = valid.get(key).map(str::to_string);
    match key {
        "locale" => Some(value.unwrap_or_else(|| "en".into())),
        "timezone" => Some(value.unwrap_or_else(|| "UTC".into())),
        _ => value,
    }
}

/// Inserts a user with every attribute of `valid` (create, invite).
pub async fn insert_attributes(
    exec: &mut Exec<'_>,
    account: NewAccount<'_>,
    valid: &ValidUser,
) -> Result<(), sqlx::Error> {
    insert_many(exec, &[(account, valid)]).await
}

/// Inserts users with every attribute, in one statement (an import writes a few hundred at a
/// time: 24 bound values a row).
pub async fn insert_many(
    exec: &mut Exec<'_>,
    users: &[(NewAccount<'_>, &ValidUser)],
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(
        "INSERT INTO users (id, password_hash, confirmed_at, invited_by_id, created_at, updated_at",
    );
    for spec in USER_FIELDS {
        sql.push(", ").push(spec.key);
    }
    sql.push(") VALUES ");
    for (i, (account, valid)) in users.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .push_bind(account.id)
            .push(", ")
            .push_bind(account.password_hash)
            .push(", ")
            .push_bind(account.confirmed_at)
            .push(", ")
            .push_bind(account.invited_by)
            .push(", ")
            .push_bind(account.at)
            .push(", ")
            .push_bind(account.at);
        for spec in USER_FIELDS {
            sql.push(", ").push_bind(column_value(valid, spec.key));
        }
        sql.push(")");
    }
    exec.execute(&sql).await.map(|_| ())
}

/// Writes every attribute of `valid` onto user `id`, with a new version (update, import).
pub async fn write_attributes(
    exec: &mut Exec<'_>,
    id: &str,
    valid: &ValidUser,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET ");
    for spec in USER_FIELDS {
        sql.push(spec.key)
            .push(" = ")
            .push_bind(column_value(valid, spec.key))
            .push(", ");
    }
    sql.push("lock_version = lock_version + 1, updated_at = ")
        .push_bind(at)
        .push(" WHERE id = ")
        .push_bind(id);
    exec.execute(&sql).await.map(|_| ())
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The shell's view of the signed-in user (the principal already carries it all).
pub fn current_user(principal: &Principal) -> CurrentUser {
    CurrentUser {
        id: principal.user_id.clone(),
        email: principal.email.clone(),
        username: principal.username.clone(),
        role: principal.role,
        organization_id: principal.organization_id.clone(),
        organization_name: principal.organization_name.clone(),
        partner: principal.partner,
        unread_notifications: 0,
        impersonator_email: None,
    }
}

pub const LIST_SPEC: ListSpec = ListSpec {
    filters: &USER_FILTERS,
    sorts: &USER_SORTS,
    default_sort: "email",
    default_descending: false,
};

/// The free-text search (`q`, the UI's search box) looks in these.
const SEARCHED: [&str; 4] = ["email", "username", "first_name", "last_name"];

const COLUMNS: &str = "u.id, u.lock_version, u.username, u.email, u.role, u.first_name, u.last_name, \
     u.organization_id, o.name AS organization_name, u.locale, u.timezone, u.phone, u.mobile_phone, \
     u.url, u.title, u.address, u.city, u.state, u.country, u.zipcode, u.comment, u.partner, \
     u.confirmed_at, u.active_product, u.created_at, u.updated_at, u.last_sign_in_at, \
     u.last_sign_in_ip, u.sign_in_count, u.locked_until, u.otp_totp_enabled, u.otp_sms_enabled, \
     u.otp_phone, u.otp_default_method";

/// What a row of the users screen shows (`UserSummary`).
const SUMMARY_COLUMNS: &str =
    "u.id, u.email, u.role, u.first_name, u.last_name, u.organization_id, \
     o.name AS organization_name, u.created_at, u.last_sign_in_at";

#[derive(sqlx::FromRow)]
struct UserSummaryRow {
    id: String,
    email: String,
    role: String,
    first_name: Option<String>,
    last_name: Option<String>,
    organization_id: String,
    organization_name: String,
    created_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
}

impl From<UserSummaryRow> for UserSummary {
    fn from(row: UserSummaryRow) -> UserSummary {
        UserSummary {
            id: row.id,
            email: row.email,
            role: Role::parse(&row.role).unwrap_or(Role::User),
            first_name: row.first_name,
            last_name: row.last_name,
            organization: UserOrganization {
                id: row.organization_id,
                name: row.organization_name,
            },
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
        }
    }
}

/// One `users` row joined with its organization's name.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    lock_version: i64,
    username: String,
    email: String,
    role: String,
    first_name: Option<String>,
    last_name: Option<String>,
    organization_id: String,
    organization_name: String,
    locale: String,
    timezone: String,
    phone: Option<String>,
    mobile_phone: Option<String>,
    url: Option<String>,
    title: Option<String>,
    address: Option<String>,
    city: Option<String>,
    state: Option<String>,
    country: Option<String>,
    zipcode: Option<String>,
    comment: Option<String>,
    partner: bool,
    confirmed_at: Option<DateTime<Utc>>,
    active_product: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
    last_sign_in_ip: Option<String>,
    sign_in_count: i64,
    locked_until: Option<DateTime<Utc>>,
    otp_totp_enabled: bool,
    otp_sms_enabled: bool,
    otp_phone: Option<String>,
    otp_default_method: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        User {
            id: row.id,
            lock_version: row.lock_version,
            attributes: UserAttributes {
                username: row.username,
                email: row.email,
                // The column's CHECK constraint admits only the three spellings.
                role: Role::parse(&row.role).unwrap_or(Role::User),
                first_name: row.first_name,
                last_name: row.last_name,
                organization: UserOrganization {
                    id: row.organization_id,
                    name: row.organization_name,
                },
                locale: row.locale,
                timezone: row.timezone,
                phone: row.phone,
                mobile_phone: row.mobile_phone,
                url: row.url,
                title: row.title,
                address: row.address,
                city: row.city,
                state: row.state,
                country: row.country,
                zipcode: row.zipcode,
                comment: row.comment,
                partner: row.partner,
                verified: row.confirmed_at.is_some(),
                active_product: row.active_product,
                created_at: row.created_at,
                updated_at: row.updated_at,
                last_sign_in_at: row.last_sign_in_at,
                last_sign_in_ip: row.last_sign_in_ip,
                sign_in_count: row.sign_in_count,
                // A lock that has run out is no lock (the next attempt clears the column).
                locked_until: row.locked_until.filter(|until| *until > now()),
                two_factor_authentication: TwoFactorSummary {
                    enabled: row.otp_totp_enabled || row.otp_sms_enabled,
                    otp_sms_enabled: row.otp_sms_enabled,
                    otp_totp_enabled: row.otp_totp_enabled,
                    otp_phone: row.otp_phone,
                    otp_default_method: row.otp_default_method,
                },
            },
        }
    }
}

/// What the principal may see: every user (Super Admin), the users of their organization and of
/// its customers (Admin), or themselves (User).
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
            sql.push(" AND u.id = ").push_bind(&principal.user_id);
        }
    }
}

fn push_filters(sql: &mut Sql, backend: Backend, principal: &Principal, query: &ListQuery) {
    push_visibility(sql, principal);
    if let Some(search) = &query.search {
        text_match::push_condition(sql, backend, "u", &SEARCHED, search);
    }
    for (field, matcher) in &query.filters {
        match field.as_str() {
            // Exact by nature: a role or an id isn't searched for by pattern.
            "role" | "organization_id" => {
                let value = match matcher {
                    TextMatch::Exact(value) => value.clone(),
                    TextMatch::Pattern { literals, .. } => literals.concat(),
                };
                let value = match field.as_str() {
                    "role" => Role::parse(&value)
                        .map(|r| r.as_str().to_string())
                        .unwrap_or(value),
                    _ => value.to_ascii_lowercase(),
                };
                sql.push(&format!(" AND u.{field} = ")).push_bind(value);
            }
            // Checked against USER_FILTERS by the parser; never interpolate anything else.
            other => {
                if let Some(column) = USER_FILTERS.iter().find(|f| **f == other) {
                    push_prefix_range(sql, backend, column, matcher);
                    text_match::push_condition(sql, backend, "u", &[column], matcher);
                }
            }
        }
    }
    if let Some(from) = query.created_from {
        sql.push(" AND u.created_at >= ").push_bind(from);
    }
    if let Some(to) = query.created_to {
        sql.push(" AND u.created_at <= ").push_bind(to);
    }
}

/// `q[email]=ada*` on SQLite: a range on the `lower(email)` index narrows the rows first (the
/// LIKE still decides). PostgreSQL plans the LIKE on its own.
fn push_prefix_range(sql: &mut Sql, backend: Backend, column: &str, matcher: &TextMatch) {
    let TextMatch::Pattern { like, .. } = matcher else {
        return;
    };
    if backend != Backend::Sqlite || !matches!(column, "email" | "username" | "last_name") {
        return;
    }
    let prefix = text_match::literal_prefix(like).filter(|p| p.is_ascii());
    if let Some((low, high)) = prefix.as_deref().and_then(text_match::prefix_range) {
        sql.push(&format!(" AND lower(u.{column}) >= "))
            .push_bind(low)
            .push(&format!(" AND lower(u.{column}) < "))
            .push_bind(high);
    }
}

fn order_by(query: &ListQuery) -> String {
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    let (expression, nulls) = match query.sort.field.as_str() {
        "last_name" => ("lower(u.last_name)", " NULLS LAST"),
        "role" => ("u.role", ""),
        "created_at" => ("u.created_at", ""),
        "last_sign_in_at" => ("u.last_sign_in_at", " NULLS LAST"),
        // Unique (`users_email_idx`), so it needs no tie-break. With one, SQLite sorted the
        // rows of each email by id in a temporary B-tree on every page.
        _ => return format!(" ORDER BY lower(u.email) {direction}"),
    };
    format!(" ORDER BY {expression} {direction}{nulls}, u.id {direction}")
}

fn select_sql(backend: Backend, columns: &str, principal: &Principal, query: &ListQuery) -> Sql {
    let mut sql = Sql::new(format!(
        "SELECT {columns} FROM users u JOIN organizations o ON o.id = u.organization_id WHERE 1 = 1"
    ));
    push_filters(&mut sql, backend, principal, query);
    sql.push(&order_by(query));
    sql
}

/// Whether the total is simply every user (a Super Admin's unfiltered list).
fn counts_everything(principal: &Principal, query: &ListQuery) -> bool {
    principal.role == Role::SuperAdmin
        && query.search.is_none()
        && query.filters.is_empty()
        && query.created_from.is_none()
        && query.created_to.is_none()
}

/// One page of the users the principal may see, as the API shows them.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn list_users(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<User>, AppError> {
    list_page::<UserRow, User>(db, COLUMNS, principal, query).await
}

/// The same page as [`list_users`], each user as the users screen shows it.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn list_user_summaries(
    db: &Db,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<UserSummary>, AppError> {
    list_page::<UserSummaryRow, UserSummary>(db, SUMMARY_COLUMNS, principal, query).await
}

async fn list_page<R, T>(
    db: &Db,
    columns: &str,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Page<T>, AppError>
where
    R: Row,
    T: From<R>,
{
    let mut sql = select_sql(db.backend(), columns, principal, query);
    sql.push(" LIMIT ")
        .push_bind(i64::from(query.per_page))
        .push(" OFFSET ")
        .push_bind(query.offset() as i64);
    let rows = db.fetch_all::<R>(&sql).await?;
    let shown = rows.len() as u64;
    let (total, capped) = if counts_everything(principal, query) {
        // A Super Admin's unfiltered list: the trigger-kept row count, not a scan of every user.
        let n = db
            .fetch_count(&Sql::new(
                "SELECT count FROM row_counts WHERE table_name = 'users'",
            ))
            .await?;
        (n.max(0) as u64, false)
    } else if shown < u64::from(query.per_page) && (shown > 0 || query.page == 1) {
        // The last page: what came before it and what it shows.
        (query.offset() + shown, false)
    } else {
        let mut matches = Sql::new(
            "SELECT 1 FROM users u JOIN organizations o ON o.id = u.organization_id WHERE 1 = 1",
        );
        push_filters(&mut matches, db.backend(), principal, query);
        // The screens count up to `count_limit` ("more than 1,000"); the API counts every match.
        super::paging::count_up_to(db, matches, query.count_limit).await?
    };
    let mut meta = PageMeta::new(query.page, query.per_page, total);
    meta.total_capped = capped;
    Ok(Page {
        items: rows.into_iter().map(T::from).collect(),
        meta,
    })
}

/// Every matching user, in list order, streamed (see `export`).
pub async fn export_users(
    db: &Db,
    budget: &ExportBudget,
    principal: &Principal,
    query: &ListQuery,
) -> Result<impl Stream<Item = Result<User, AppError>> + Send + 'static, AppError> {
    let sql = select_sql(db.backend(), COLUMNS, principal, query);
    let rows = export::stream_rows::<UserRow>(db.clone(), budget, sql).await?;
    Ok(rows.map(|row| row.map(User::from)))
}

async fn find_visible(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<User, AppError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(AppError::not_found("User"));
    }
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = "
    ));
    sql.push_bind(id.to_ascii_lowercase());
    push_visibility(&mut sql, principal);
    exec.fetch_optional::<UserRow>(&sql)
        .await?
        .map(User::from)
        .ok_or_else(|| AppError::not_found("User"))
}

pub async fn get_user(db: &Db, principal: &Principal, id: &str) -> Result<User, AppError> {
    let mut conn = db.conn().await?;
    find_visible(&mut conn.exec(), principal, id).await
}

/// Whether the principal may change this (visible) user at all: an Admin manages the users of
/// the organizations they see, but not a Super Admin; a User only themselves.
fn may_manage(principal: &Principal, user: &User) -> bool {
    match principal.role {
        Role::SuperAdmin => true,
        Role::Admin => user.attributes.role != Role::SuperAdmin,
        Role::User => user.id == principal.user_id,
    }
}

async fn count_users(exec: &mut Exec<'_>, sql: Sql) -> Result<i64, AppError> {
    Ok(exec.fetch_count(&sql).await?)
}

/// The other Admins (and Super Admins) of `organization_id` besides `user_id`, and its other users.
async fn organization_staffing(
    exec: &mut Exec<'_>,
    organization_id: &str,
    user_id: &str,
) -> Result<(i64, i64), AppError> {
    let admins = count_users(
        exec,
        Sql::new("SELECT COUNT(*) FROM users WHERE organization_id = $1 AND id <> $2 AND role IN ('Admin', 'Super Admin')")
            .bind(organization_id)
            .bind(user_id),
    )
    .await?;
    let others = count_users(
        exec,
        Sql::new("SELECT COUNT(*) FROM users WHERE organization_id = $1 AND id <> $2")
            .bind(organization_id)
            .bind(user_id),
    )
    .await?;
    Ok((admins, others))
}

/// Whether `user` is the only Super Admin.
async fn is_last_super_admin(exec: &mut Exec<'_>, user: &User) -> Result<bool, AppError> {
    if user.attributes.role != Role::SuperAdmin {
        return Ok(false);
    }
    let others = count_users(
        exec,
        Sql::new("SELECT COUNT(*) FROM users WHERE role = 'Super Admin' AND id <> $1")
            .bind(&user.id),
    )
    .await?;
    Ok(others == 0)
}

/// Why the organization would be left without an Admin if `user` went (or lost the role): it
/// still has other users and none of them is an Admin.
async fn strands_organization(
    exec: &mut Exec<'_>,
    user: &User,
) -> Result<Option<String>, AppError> {
    let a = &user.attributes;
    if a.role < Role::Admin {
        return Ok(None);
    }
    let (admins, others) = organization_staffing(exec, &a.organization.id, &user.id).await?;
    Ok((admins == 0 && others > 0).then(|| {
        format!(
            "They are the last Admin of {}, which still has {others} other user{}.",
            a.organization.name,
            if others == 1 { "" } else { "s" }
        )
    }))
}

/// Why `user` can't be deleted: nothing when it can.
async fn deletion_blockers(exec: &mut Exec<'_>, user: &User) -> Result<Vec<String>, AppError> {
    let mut reasons = Vec::new();
    if is_last_super_admin(exec, user).await? {
        reasons.push("They are the last Super Admin.".to_string());
    }
    reasons.extend(strands_organization(exec, user).await?);
    let customers = super::partners::customers_managed_by(exec, &user.id).await?;
    if customers > 0 {
        reasons.push(format!(
            "They manage {customers} customer organization{}; hand them over to another partner first.",
            if customers == 1 { "" } else { "s" }
        ));
    }
    Ok(reasons)
}

/// `GET /v2/users/{id}/can_delete`: whether the caller may delete this user now, and why not.
pub async fn can_delete_user(
    db: &Db,
    principal: &Principal,
    id: &str,
) -> Result<CanDelete, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let user = find_visible(&mut exec, principal, id).await?;
    let mut reasons = Vec::new();
    if user.id == principal.user_id {
        reasons.push("You can't delete yourself here; use \"Delete my account\".".to_string());
    } else if principal.role == Role::User || !may_manage(principal, &user) {
        reasons.push("You are not allowed to delete this user.".to_string());
    }
    reasons.extend(deletion_blockers(&mut exec, &user).await?);
    Ok(CanDelete {
        can_delete: reasons.is_empty(),
        reasons,
    })
}

/// A `timezone` that isn't an IANA zone name (blank is the default, UTC).
fn timezone_error(zone: Option<&str>) -> Option<FieldError> {
    let zone = zone.map(str::trim).filter(|z| !z.is_empty())?;
    zone.parse::<chrono_tz::Tz>().is_err().then(|| {
        FieldError::new(
            "user.timezone",
            "is not a known time zone (e.g. Europe/Athens, UTC)",
        )
    })
}

/// Checks what needs the database: the zone name, the organization (visible to the caller), the
/// role (never above the caller's), and that email and username are free.
async fn check_references(
    exec: &mut Exec<'_>,
    principal: &Principal,
    user_id: Option<&str>,
    valid: &ValidUser,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if let Some(zone) = valid.get("timezone") {
        if zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::new(
                "user.timezone",
                "is not a known time zone (e.g. Europe/Athens, UTC)",
            ));
        }
    }
    if valid.role() > principal.role {
        return Err(AppError::Forbidden(format!(
            "You can't give a role above your own ({}).",
            principal.role
        )));
    }
    if let Some(organization_id) = valid.get("organization_id") {
        if !organizations::is_visible(exec, principal, organization_id).await? {
            return Err(AppError::not_found("Organization"));
        }
    }
    for key in ["email", "username"] {
        let Some(value) = valid.get(key) else {
            continue;
        };
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) FROM users WHERE lower({key}) = lower("
        ));
        sql.push_bind(value).push(")");
        if let Some(id) = user_id {
            sql.push(" AND id <> ").push_bind(id);
        }
        if exec.fetch_count(&sql).await? > 0 {
            errors.push(FieldError::new(
                format!("user.{key}"),
                "has already been taken",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Applies the attributes present in `input` (`PUT /v2/users/{id}`, the edit form). With
/// `expected_version` a change made in between answers 412 and writes nothing.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, target = %id))]
pub async fn update_user(
    db: &Db,
    config: &Config,
    principal: &Principal,
    id: &str,
    input: UserInput,
    expected_version: ExpectedVersion,
) -> Result<User, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, id).await?;
    let current = find_visible(&mut exec, principal, id).await?;
    if !may_manage(principal, &current) {
        return Err(AppError::Forbidden(
            "You are not allowed to change this user.".into(),
        ));
    }
    let before = current.to_input();
    let valid = input.merge_onto(&before).map_err(|mut errors| {
        // Every invalid field at once: the zone check needs the server's zone table.
        errors.extend(timezone_error(input.get("timezone")));
        AppError::Invalid(errors)
    })?;
    // A malformed body is a 422 whatever the version: the precondition is about what it would change.
    expected_version.check(current.lock_version, "user")?;
    let role_changed = valid.role() != current.attributes.role;
    let moved = valid.get("organization_id") != Some(current.attributes.organization.id.as_str());
    if principal.role == Role::User && (role_changed || moved) {
        return Err(AppError::Forbidden(
            "Only an Admin can change a role or an organization.".into(),
        ));
    }
    check_references(&mut exec, principal, Some(&current.id), &valid).await?;
    // Losing a role or leaving the organization must not strand it (or the instance).
    let mut errors = Vec::new();
    if role_changed
        && valid.role() < Role::SuperAdmin
        && is_last_super_admin(&mut exec, &current).await?
    {
        errors.push("They are the last Super Admin.".to_string());
    }
    if moved || (role_changed && valid.role() < Role::Admin) {
        if let Some(reason) = strands_organization(&mut exec, &current).await? {
            errors.push(reason);
        }
    }
    if !errors.is_empty() {
        // The request is fine; the state of the organization (or instance) refuses it.
        return Err(AppError::Conflict(errors.join(" ")));
    }
    let changes = diff(
        &json!(input_map(&before)),
        &json!(input_map(valid.as_input())),
    );
    if changes.as_object().is_some_and(|c| c.is_empty()) {
        return Ok(current);
    }
    write_attributes(&mut exec, &current.id, &valid, now())
        .await
        .map_err(|e| {
            AppError::from_constraint(e, "That email or username has already been taken.")
        })?;
    if (moved || role_changed) && current.id != principal.user_id {
        // A user who changes hands or power signs in again (not the caller, mid-request).
        exec.execute(&Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(&current.id))
            .await?;
    }
    let updated = find_visible(&mut exec, principal, id).await?;
    if !updated
        .attributes
        .email
        .eq_ignore_ascii_case(&current.attributes.email)
    {
        let name = current.attributes.first_name.clone();
        let to = super::emails::Recipient {
            user_id: &current.id,
            organization_id: &updated.attributes.organization.id,
            email: &current.attributes.email,
            name: name.as_deref(),
        };
        super::notification_policy::account_changed(
            &mut exec,
            config,
            &to,
            super::notification_policy::AccountChange::Email {
                new_email: &updated.attributes.email,
            },
        )
        .await?;
    }
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.update", "users", Some(&current.id))
            .in_organization(Some(&updated.attributes.organization.id))
            .with_changes(changes),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

fn input_map(input: &UserInput) -> serde_json::Map<String, serde_json::Value> {
    input
        .0
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect()
}

/// `DELETE /v2/users/{id}`: 409 with the reasons when `can_delete` says no.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, target = %id))]
pub async fn delete_user(
    db: &Db,
    principal: &Principal,
    id: &str,
    expected_version: ExpectedVersion,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, id).await?;
    let current = find_visible(&mut exec, principal, id).await?;
    if principal.role == Role::User || !may_manage(principal, &current) {
        return Err(AppError::Forbidden(
            "You are not allowed to delete this user.".into(),
        ));
    }
    expected_version.check(current.lock_version, "user")?;
    if current.id == principal.user_id {
        return Err(AppError::Conflict(
            "You can't delete yourself here; use \"Delete my account\".".into(),
        ));
    }
    let reasons = deletion_blockers(&mut exec, &current).await?;
    if !reasons.is_empty() {
        return Err(AppError::Conflict(reasons.join(" ")));
    }
    exec.execute(&Sql::new("DELETE FROM users WHERE id = $1").bind(&current.id))
        .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.delete", "users", Some(&current.id))
            .in_organization(Some(&current.attributes.organization.id))
            .with_changes(diff(&json!(input_map(&current.to_input())), &json!({}))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /v2/user/me`: the signed-in user.
pub async fn get_me(db: &Db, principal: &Principal) -> Result<User, AppError> {
    get_user(db, principal, &principal.user_id).await
}

/// `PUT /v2/user/me`: the profile (seed `003_*`). Its `role` and `organization_id` may be sent as
/// they are (the seed's body carries them) but not changed: an admin does that on the user's page.
pub async fn update_me(
    db: &Db,
    config: &Config,
    principal: &Principal,
    input: UserInput,
    expected_version: ExpectedVersion,
) -> Result<User, AppError> {
    let current = get_me(db, principal).await?;
    let changes_role = input
        .get("role")
        .and_then(|role| Role::parse(role).ok())
        .is_some_and(|role| role != current.attributes.role);
    let moves = input.get("organization_id").is_some_and(|id| {
        !id.trim()
            .eq_ignore_ascii_case(&current.attributes.organization.id)
    });
    if changes_role || moves {
        return Err(AppError::Forbidden(
            "Your own role and organization are changed by an admin, on your user page.".into(),
        ));
    }
    let id = principal.user_id.clone();
    update_user(db, config, principal, &id, input, expected_version).await
}

/// Whether `attempt` is the signed-in user's password (what proves it is them, not someone at an
/// unlocked screen, before a password change or deleting the account).
pub(crate) async fn is_own_password(
    db: &Db,
    principal: &Principal,
    attempt: &str,
) -> Result<bool, AppError> {
    let stored: Option<String> = db
        .fetch_optional::<(Option<String>,)>(
            &Sql::new("SELECT password_hash FROM users WHERE id = $1").bind(&principal.user_id),
        )
        .await?
        .and_then(|(hash,)| hash);
    password::verify(attempt.to_string(), stored).await
}

/// `PUT /v2/user/password`: the current password proves it is the user (not someone at an
/// unlocked screen); every other session of the user ends, this one stays.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn change_password(
    db: &Db,
    config: &Config,
    principal: &Principal,
    current: &str,
    new: &str,
    confirmation: &str,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if !is_own_password(db, principal, current).await? {
        errors.push(FieldError::new("current_password", "is incorrect"));
    }
    if let Err(message) = password::check_strength(new) {
        errors.push(FieldError::new("password", message));
    } else if new != confirmation {
        errors.push(FieldError::new(
            "password_confirmation",
            "doesn't match the new password",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = password::hash(new.to_string()).await?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(
        &Sql::new("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now())
            .bind(&principal.user_id),
    )
    .await?;
    let mut end_sessions = Sql::new("DELETE FROM sessions WHERE user_id = ");
    end_sessions.push_bind(&principal.user_id);
    if let Some(session_id) = &principal.session_id {
        end_sessions.push(" AND id <> ").push_bind(session_id);
    }
    exec.execute(&end_sessions).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.password_change",
            "users",
            Some(&principal.user_id),
        )
        .in_organization(Some(&principal.organization_id)),
    )
    .await?;
    let recipient = super::emails::Recipient {
        user_id: &principal.user_id,
        organization_id: &principal.organization_id,
        email: &principal.email,
        name: None,
    };
    super::notification_policy::account_changed(
        &mut exec,
        config,
        &recipient,
        super::notification_policy::AccountChange::Password,
    )
    .await?;
    tx.commit().await?;
    super::outbox::wake();
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_are_long_and_unambiguous() {
        let password = super::random_password();
        assert_eq!(password.len(), 20);
        assert!(!password.contains(['0', 'O', 'l', '1', 'I']));
    }
}

/// How a new user gets in: an invitation (they choose their password on `/invitation/{token}`),
/// a confirmation email (created without a password: they confirm and choose one), or at once
/// (created with a password).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Onboarding {
    Invite,
    Create,
}

/// `POST /v2/users` and `POST /v2/users/invite` (and `/users/new`): a user in an organization the
/// caller manages, with a role no higher than theirs. Absent attributes take their defaults: the
/// caller's organization, role User, the email as username. The email that lets them in is written
/// to the outbox in the same transaction.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn create_user(
    db: &Db,
    config: &Config,
    principal: &Principal,
    input: UserInput,
    password_value: Option<&str>,
    onboarding: Onboarding,
) -> Result<User, AppError> {
    if principal.role == Role::User {
        return Err(AppError::Forbidden("Only an Admin can add users.".into()));
    }
    let mut defaults = UserInput::default();
    defaults.set("role", Role::User.as_str());
    defaults.set("organization_id", &principal.organization_id);
    let new = NewUser::check(&input, defaults, password_value, onboarding)
        .map_err(AppError::Invalid)?
        .hashed()
        .await?;
    let mut tx = db.begin().await?;
    let user = insert_new_user(&mut tx.exec(), config, principal, &new).await?;
    tx.commit().await?;
    super::outbox::wake();
    Ok(user)
}

/// A new user's attributes, checked on top of their defaults, and how they get in.
pub struct NewUser {
    valid: ValidUser,
    password: Option<String>,
    hash: Option<String>,
    onboarding: Onboarding,
}

impl NewUser {
    /// `input` over `defaults` (plus locale, time zone, and the email as username), with every
    /// field error at once.
    pub fn check(
        input: &UserInput,
        mut defaults: UserInput,
        password_value: Option<&str>,
        onboarding: Onboarding,
    ) -> Result<NewUser, Vec<FieldError>> {
        defaults.set("locale", "en");
        defaults.set("timezone", "UTC");
        if let Some(email) = input.get("email") {
            defaults.set("username", email.trim());
        }
        let password_value = password_value.filter(|p| !p.is_empty());
        let mut errors = Vec::new();
        let valid = match input.merge_onto(&defaults) {
            Ok(valid) => Some(valid),
            Err(field_errors) => {
                // A username nobody typed comes from the email: its error is the email's.
                let derived = input.get("username").is_none();
                errors.extend(
                    field_errors
                        .into_iter()
                        .filter(|e| !(derived && e.field == "user.username")),
                );
                errors.extend(timezone_error(input.get("timezone")));
                None
            }
        };
        if onboarding == Onboarding::Create {
            if let Some(Err(message)) = password_value.map(password::check_strength) {
                errors.push(FieldError::new("user.password", message));
            }
        }
        match valid.filter(|_| errors.is_empty()) {
            Some(valid) => Ok(NewUser {
                valid,
                password: password_value
                    .filter(|_| onboarding == Onboarding::Create)
                    .map(str::to_string),
                hash: None,
                onboarding,
            }),
            None => Err(errors),
        }
    }

    /// Hashes the password, if there is one (slow on purpose: outside any transaction).
    pub async fn hashed(mut self) -> Result<NewUser, AppError> {
        if let Some(given) = self.password.take() {
            self.hash = Some(password::hash(given).await?);
        }
        Ok(self)
    }

    pub fn role(&self) -> Role {
        self.valid.role()
    }
}

/// Writes a checked new user with the email that lets them in and the audit event, inside the
/// caller's transaction (`POST /v2/users/customer` creates their organization in the same one).
pub async fn insert_new_user(
    exec: &mut Exec<'_>,
    config: &Config,
    principal: &Principal,
    new: &NewUser,
) -> Result<User, AppError> {
    let valid = &new.valid;
    check_references(exec, principal, None, valid).await?;
    let id = new_id();
    let organization_id = valid.get("organization_id").unwrap_or_default().to_string();
    let at = now();
    let account = NewAccount {
        id: &id,
        password_hash: new.hash.as_deref(),
        confirmed_at: new.hash.is_some().then_some(at),
        invited_by: (new.onboarding == Onboarding::Invite).then_some(principal.user_id.as_str()),
        at,
    };
    insert_attributes(exec, account, valid).await.map_err(|e| {
        AppError::from_constraint(e, "That email or username has already been taken.")
    })?;
    let user = find_visible(exec, principal, &id).await?;
    let action = match new.onboarding {
        Onboarding::Invite => "user.invite",
        Onboarding::Create => "user.create",
    };
    if new.hash.is_none() {
        send_welcome(exec, config, principal, &user, new.onboarding).await?;
    }
    audit::record(
        exec,
        AuditEntry::by(principal, action, "users", Some(&id))
            .in_organization(Some(&organization_id))
            .with_changes(diff(&json!({}), &json!(input_map(&user.to_input())))),
    )
    .await?;
    Ok(user)
}

/// The email that lets a user without a password in: an invitation or a confirmation link.
async fn send_welcome(
    exec: &mut Exec<'_>,
    config: &Config,
    principal: &Principal,
    user: &User,
    onboarding: Onboarding,
) -> Result<(), AppError> {
    use super::account_tokens::{self, Purpose};
    use super::emails::{self, Recipient};
    let purpose = match onboarding {
        Onboarding::Invite => Purpose::Invitation,
        Onboarding::Create => Purpose::Confirmation,
    };
    let (raw, _) = account_tokens::issue(exec, &user.id, purpose).await?;
    let link = config.link(&format!("{}{raw}", purpose.page()));
    let a = &user.attributes;
    let name = user.display_name();
    let to = Recipient {
        user_id: &user.id,
        organization_id: &a.organization.id,
        email: &a.email,
        name: (name != a.email).then_some(name.as_str()),
    };
    let email = match purpose {
        Purpose::Invitation => emails::invitation(
            &to,
            &principal.email,
            &a.organization.name,
            a.role.as_str(),
            &link,
        ),
        _ => emails::confirmation(&to, &link),
    };
    super::outbox::enqueue(exec, email).await?;
    Ok(())
}

/// `POST /v2/users/{id}/resend_confirmation`: a new link (the old one stops working) for a user
/// who hasn't confirmed yet — the invitation again when they were invited.
pub async fn resend_confirmation(
    db: &Db,
    config: &Config,
    principal: &Principal,
    id: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, id).await?;
    let user = find_visible(&mut exec, principal, id).await?;
    if principal.role == Role::User || !may_manage(principal, &user) {
        return Err(AppError::Forbidden(
            "You are not allowed to manage this user.".into(),
        ));
    }
    if user.attributes.verified {
        return Err(AppError::Conflict(
            "This user has already confirmed their email address.".into(),
        ));
    }
    let invited: Option<(Option<String>,)> = exec
        .fetch_optional(&Sql::new("SELECT invited_by_id FROM users WHERE id = $1").bind(&user.id))
        .await?;
    let onboarding = match invited {
        Some((Some(_),)) => Onboarding::Invite,
        _ => Onboarding::Create,
    };
    send_welcome(&mut exec, config, principal, &user, onboarding).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.resend_confirmation",
            "users",
            Some(&user.id),
        )
        .in_organization(Some(&user.attributes.organization.id)),
    )
    .await?;
    tx.commit().await?;
    super::outbox::wake();
    Ok(())
}

/// `GET /v2/user/can_delete`: whether the signed-in user may delete their own account, and why not.
pub async fn can_delete_me(db: &Db, principal: &Principal) -> Result<CanDelete, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let me = find_visible(&mut exec, principal, &principal.user_id).await?;
    let reasons = deletion_blockers(&mut exec, &me).await?;
    Ok(CanDelete {
        can_delete: reasons.is_empty(),
        reasons,
    })
}

/// `DELETE /v2/user/me`: the password proves it is the user; refused (409, with the reasons) when
/// the account holds the instance or an organization together. Every session ends with it.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn delete_me(
    db: &Db,
    principal: &Principal,
    password_attempt: &str,
) -> Result<(), AppError> {
    if password_attempt.is_empty() {
        return Err(AppError::invalid("password", "can't be blank"));
    }
    if !is_own_password(db, principal, password_attempt).await? {
        return Err(AppError::invalid("password", "is incorrect"));
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, &principal.user_id).await?;
    let me = find_visible(&mut exec, principal, &principal.user_id).await?;
    let reasons = deletion_blockers(&mut exec, &me).await?;
    if !reasons.is_empty() {
        return Err(AppError::Conflict(reasons.join(" ")));
    }
    exec.execute(&Sql::new("DELETE FROM users WHERE id = $1").bind(&me.id))
        .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.delete_self", "users", Some(&me.id))
            .with_changes(diff(&json!(input_map(&me.to_input())), &json!({}))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `PUT` / `DELETE /v2/users/{id}/partner`: a partner Admin creates customer organizations
/// (`POST /v2/users/customer`). Only a Super Admin hands that power out; only an Admin can hold
/// it; the last partner of an organization with customers keeps it until they are handed over.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, target = %id))]
pub async fn set_partner(
    db: &Db,
    principal: &Principal,
    id: &str,
    partner: bool,
) -> Result<User, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, id).await?;
    let user = find_visible(&mut exec, principal, id).await?;
    if principal.role != Role::SuperAdmin {
        return Err(AppError::Forbidden(
            "Only a Super Admin makes a user a partner.".into(),
        ));
    }
    if user.attributes.partner == partner {
        return Ok(user);
    }
    if partner && user.attributes.role < Role::Admin {
        return Err(AppError::Conflict(
            "Only an Admin can be a partner: give them the Admin role first.".into(),
        ));
    }
    if !partner {
        let blockers = deletion_blockers(&mut exec, &user).await?;
        if let Some(reason) = blockers.into_iter().find(|r| r.contains("customer")) {
            return Err(AppError::Conflict(reason));
        }
    }
    exec.execute(
        &Sql::new("UPDATE users SET partner = $1, lock_version = lock_version + 1, updated_at = $2 WHERE id = $3")
            .bind(partner)
            .bind(now())
            .bind(&user.id),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.update", "users", Some(&user.id))
            .in_organization(Some(&user.attributes.organization.id))
            .with_changes(json!({"partner": {"from": !partner, "to": partner}})),
    )
    .await?;
    let updated = find_visible(&mut exec, principal, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// `PUT /v2/users/{id}/unlock`: an Admin who manages the user (or a Super Admin) lets them sign
/// in again before their lock runs out, and their failed attempts start from zero. Unlocking a
/// user who isn't locked changes nothing and is no audit event.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, target_id = %id))]
pub async fn unlock(db: &Db, principal: &Principal, id: &str) -> Result<User, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    lock_for_update(&mut exec, Locked::Users, id).await?;
    let user = find_manageable(&mut exec, principal, id).await?;
    let Some(locked_until) = user.attributes.locked_until else {
        return Ok(user);
    };
    exec.execute(
        &Sql::new(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, \
             lock_version = lock_version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now())
        .bind(&user.id),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.unlock", "users", Some(&user.id))
            .in_organization(Some(&user.attributes.organization.id))
            .with_changes(json!({"locked_until": {"from": locked_until, "to": null}})),
    )
    .await?;
    let updated = find_visible(&mut exec, principal, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// The user behind `id` when the principal may change them: 404 when they can't see them, 403
/// when they see them but may not manage them.
pub async fn find_manageable(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<User, AppError> {
    let user = find_visible(exec, principal, id).await?;
    if principal.role >= Role::Admin && may_manage(principal, &user) {
        Ok(user)
    } else {
        Err(AppError::Forbidden(
            "You are not allowed to manage this user.".into(),
        ))
    }
}

/// The user behind `id` when the principal may see and change them (an import's update), else
/// `None`.
pub async fn manageable(
    exec: &mut Exec<'_>,
    principal: &Principal,
    id: &str,
) -> Result<Option<User>, AppError> {
    match find_visible(exec, principal, id).await {
        Ok(user) if principal.role >= Role::Admin && may_manage(principal, &user) => Ok(Some(user)),
        Ok(_) | Err(AppError::NotFound(_)) => Ok(None),
        Err(err) => Err(err),
    }
}
