//! `POST /v2/users/import` (API.md §4): a CSV of users, checked as a whole first (every bad row
//! and field named at once, nothing written), then applied in one transaction — all rows or none.
//! A row whose email belongs to a user the caller manages updates that user; any other row
//! creates an invited user (the invitation email goes out through the outbox with the rows). A
//! blank cell keeps the current value (or the default).

use super::account_tokens::{self, Purpose};
use super::audit::{self, AuditEntry};
use super::emails::{self, Recipient};
use super::{organizations, outbox, users};
use crate::domain::user::{ImportReport, RowError, UserInput, ValidUser, USER_FIELDS};
use crate::domain::{FieldError, Role};
use crate::server::auth::Principal;
use crate::server::csv;
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::{AppError, Config};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Rows one file may hold (more is a 422 before anything is checked).
pub const MAX_ROWS: usize = 100_000;
/// Columns of our own export that an import reads past (matching is by email).
const IGNORED_COLUMNS: [&str; 5] = [
    "id",
    "organization_name",
    "created_at",
    "updated_at",
    "last_sign_in_at",
];
/// Emails looked up per query.
const CHUNK: usize = 500;

/// A checked row, ready to write.
enum Planned {
    Create(ValidUser),
    Update { id: String, valid: ValidUser },
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: String,
    email: String,
}

/// Checks the file; with `dry_run` (or any error) writes nothing and answers the report, else
/// applies every row in one transaction.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, dry_run))]
pub async fn import_users(
    db: &Db,
    config: &Config,
    principal: &Principal,
    text: &str,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    if principal.role == Role::User {
        return Err(AppError::Forbidden(
            "Only an Admin can import users.".into(),
        ));
    }
    let records = csv::parse(text).map_err(|m| AppError::invalid("file", m))?;
    let mut records = records.into_iter();
    let header: Vec<String> = records
        .next()
        .ok_or_else(|| AppError::invalid("file", "is empty: it needs a header line and rows"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let columns = check_header(&header)?;
    let rows: Vec<(usize, Vec<String>)> = records
        .enumerate()
        .map(|(i, record)| (i + 2, record))
        .filter(|(_, record)| record.iter().any(|cell| !cell.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(AppError::invalid("file", "has a header but no rows"));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::invalid(
            "file",
            format!(
                "has {} rows; import at most {MAX_ROWS} at a time",
                rows.len()
            ),
        ));
    }

    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let mut report = ImportReport::default();
    let mut plans = Vec::with_capacity(rows.len());
    let mut parsed = Vec::with_capacity(rows.len());
    let mut first_row_of_email: HashMap<String, usize> = HashMap::new();
    for (row, record) in rows {
        let mut input = UserInput::default();
        let mut row_ok = true;
        if record.len() > header.len() {
            report.errors.push(RowError {
                row,
                field: "file".into(),
                message: format!(
                    "has {} cells; the header has {}",
                    record.len(),
                    header.len()
                ),
            });
            row_ok = false;
        }
        for (cell, column) in record.iter().zip(&columns) {
            let Some(key) = column else { continue };
            // A blank cell says nothing: the default for a new user, the current value otherwise.
            if cell.trim().is_empty() {
                continue;
            }
            match csv::unguard_cell(cell) {
                Ok(value) => input.set(key, value),
                Err(message) => {
                    report.errors.push(RowError {
                        row,
                        field: key.to_string(),
                        message,
                    });
                    row_ok = false;
                }
            }
        }
        let email = input.get("email").unwrap_or("").trim().to_lowercase();
        if !email.is_empty() {
            if let Some(first) = first_row_of_email.get(&email) {
                report.errors.push(RowError {
                    row,
                    field: "email".into(),
                    message: format!("appears twice in the file (row {first} too)"),
                });
                row_ok = false;
            } else {
                first_row_of_email.insert(email.clone(), row);
            }
        }
        parsed.push((row, email, input, row_ok));
    }

    // Who the emails already belong to, a chunk at a time (an index lookup each).
    let emails: Vec<&str> = parsed
        .iter()
        .map(|(_, email, _, _)| email.as_str())
        .filter(|e| !e.is_empty())
        .collect();
    let mut existing: HashMap<String, String> = HashMap::new();
    for chunk in emails.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT id, email FROM users WHERE lower(email) IN (");
        for (i, email) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_bind(*email);
        }
        sql.push(")");
        for row in exec.fetch_all::<Existing>(&sql).await? {
            existing.insert(row.email.to_lowercase(), row.id);
        }
    }

    let mut visible_organizations: HashMap<String, bool> = HashMap::new();
    let mut usernames: HashMap<String, usize> = HashMap::new();
    for (row, email, input, row_ok) in parsed {
        let current = match existing.get(&email) {
            Some(id) => match users::manageable(&mut exec, principal, id).await? {
                Some(user) => Some(user),
                None => {
                    // Someone else's user, or one the caller may not change: the address is taken.
                    report.errors.push(RowError {
                        row,
                        field: "email".into(),
                        message: "has already been taken".into(),
                    });
                    continue;
                }
            },
            None => None,
        };
        let base = match &current {
            Some(user) => user.to_input(),
            None => {
                let mut defaults = UserInput::default();
                defaults.set("role", Role::User.as_str());
                defaults.set("organization_id", &principal.organization_id);
                defaults.set("locale", "en");
                defaults.set("timezone", "UTC");
                defaults.set("username", &email);
                defaults
            }
        };
        let valid = match input.merge_onto(&base) {
            Ok(valid) => valid,
            Err(errors) => {
                // A username the row doesn't give comes from the email: its error is the email's.
                let derived = input.get("username").is_none();
                report.errors.extend(
                    errors
                        .into_iter()
                        .filter(|e| !(derived && e.field == "user.username"))
                        .map(|e| row_error(row, e)),
                );
                continue;
            }
        };
        let mut errors = Vec::new();
        if let Some(zone) = valid.get("timezone") {
            if zone.parse::<chrono_tz::Tz>().is_err() {
                errors.push((
                    "timezone",
                    "is not a known time zone (e.g. Europe/Athens, UTC)".to_string(),
                ));
            }
        }
        if valid.role() > principal.role {
            errors.push(("role", format!("is above your own ({})", principal.role)));
        }
        if let Some(user) = &current {
            // Roles and organizations of existing users change on their page, where the rules
            // that keep an organization administered are shown with the reasons.
            if valid.role() != user.attributes.role
                || valid.get("organization_id") != Some(user.attributes.organization.id.as_str())
            {
                errors.push((
                    "role",
                    "of an existing user is changed on their page, not by import".to_string(),
                ));
            }
        }
        if let Some(organization_id) = valid.get("organization_id") {
            let visible = match visible_organizations.get(organization_id) {
                Some(visible) => *visible,
                None => {
                    let visible = uuid::Uuid::parse_str(organization_id).is_ok()
                        && organizations::is_visible(&mut exec, principal, organization_id).await?;
                    visible_organizations.insert(organization_id.to_string(), visible);
                    visible
                }
            };
            if !visible {
                errors.push((
                    "organization_id",
                    "is not an organization you can see".to_string(),
                ));
            }
        }
        let username = valid.get("username").unwrap_or_default().to_lowercase();
        if !row_ok {
            // Its email is already refused (a duplicate's username is the same duplicate).
        } else if let Some(first) = usernames.get(&username) {
            errors.push((
                "username",
                format!("appears twice in the file (row {first} too)"),
            ));
        } else {
            usernames.insert(username.clone(), row);
            let mut taken = Sql::new("SELECT COUNT(*) FROM users WHERE lower(username) = ");
            taken.push_bind(&username);
            if let Some(user) = &current {
                taken.push(" AND id <> ").push_bind(&user.id);
            }
            if exec.fetch_count(&taken).await? > 0 {
                errors.push(("username", "has already been taken".to_string()));
            }
        }
        if !errors.is_empty() {
            report
                .errors
                .extend(errors.into_iter().map(|(field, message)| RowError {
                    row,
                    field: field.into(),
                    message,
                }));
            continue;
        }
        if !row_ok {
            continue;
        }
        match current {
            Some(user) => {
                report.updated += 1;
                plans.push(Planned::Update { id: user.id, valid });
            }
            None => {
                report.created += 1;
                plans.push(Planned::Create(valid));
            }
        }
    }
    // The reading connection goes back to the pool before the write transaction takes one.
    drop(conn);
    report.errors.sort_by_key(|e| e.row);
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    apply(db, config, principal, plans, &report).await?;
    Ok(report)
}

/// Which user attribute each column fills (`None`: a column of our export that is read past).
fn check_header(header: &[String]) -> Result<Vec<Option<&'static str>>, AppError> {
    let mut seen = HashSet::new();
    let mut columns = Vec::with_capacity(header.len());
    let mut errors = Vec::new();
    for name in header {
        if !seen.insert(name.as_str()) {
            errors.push(FieldError::new(
                "file",
                format!("has the column '{name}' twice"),
            ));
        }
        match USER_FIELDS.iter().find(|spec| spec.key == name) {
            Some(spec) => columns.push(Some(spec.key)),
            None if IGNORED_COLUMNS.contains(&name.as_str()) => columns.push(None),
            None => errors.push(FieldError::new(
                "file",
                format!(
                    "has an unknown column '{}' (columns: {})",
                    name.chars().take(40).collect::<String>(),
                    USER_FIELDS
                        .iter()
                        .map(|s| s.key)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    if !header.iter().any(|h| h == "email") {
        errors.push(FieldError::new("file", "needs an 'email' column"));
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn row_error(row: usize, error: FieldError) -> RowError {
    RowError {
        row,
        field: error.field.trim_start_matches("user.").to_string(),
        message: error.message,
    }
}

/// Writes every planned row, their invitations and one audit event, in one transaction.
async fn apply(
    db: &Db,
    config: &Config,
    principal: &Principal,
    plans: Vec<Planned>,
    report: &ImportReport,
) -> Result<(), AppError> {
    let at = now();
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let mut organization_names: HashMap<String, String> = HashMap::new();
    for plan in plans {
        match plan {
            Planned::Update { id, valid } => {
                users::write_attributes(&mut exec, &id, &valid, at).await?;
            }
            Planned::Create(valid) => {
                let id = new_id();
                let account = users::NewAccount {
                    id: &id,
                    password_hash: None,
                    confirmed_at: None,
                    invited_by: Some(&principal.user_id),
                    at,
                };
                users::insert_attributes(&mut exec, account, &valid).await?;
                invite(
                    &mut exec,
                    config,
                    principal,
                    &id,
                    &valid,
                    &mut organization_names,
                )
                .await?;
            }
        }
    }
    audit::record(
        &mut exec,
        AuditEntry::by(principal, "user.import", "users", None).with_changes(json!({
            "created": report.created,
            "updated": report.updated,
        })),
    )
    .await?;
    tx.commit().await?;
    outbox::wake();
    Ok(())
}

/// The invitation of an imported user.
async fn invite(
    exec: &mut Exec<'_>,
    config: &Config,
    principal: &Principal,
    user_id: &str,
    valid: &ValidUser,
    organization_names: &mut HashMap<String, String>,
) -> Result<(), AppError> {
    let organization_id = valid.get("organization_id").unwrap_or_default().to_string();
    if !organization_names.contains_key(&organization_id) {
        let (name,): (String,) = exec
            .fetch_optional(
                &Sql::new("SELECT name FROM organizations WHERE id = $1").bind(&organization_id),
            )
            .await?
            .ok_or_else(|| AppError::not_found("Organization"))?;
        organization_names.insert(organization_id.clone(), name);
    }
    let (raw, _) = account_tokens::issue(exec, user_id, Purpose::Invitation).await?;
    let link = config.link(&format!("{}{raw}", Purpose::Invitation.page()));
    let name = [valid.get("first_name"), valid.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let email = emails::invitation(
        &Recipient {
            user_id,
            organization_id: &organization_id,
            email: valid.get("email").unwrap_or_default(),
            name: Some(&name),
        },
        &principal.email,
        &organization_names[&organization_id],
        valid.role().as_str(),
        &link,
    );
    outbox::enqueue(exec, email).await?;
    Ok(())
}
