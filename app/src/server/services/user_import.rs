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
use chrono::{DateTime, Utc};
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
/// Rows checked and written together: one lookup of their emails, one of their usernames, and
/// one multi-row INSERT each for their users, invitations and emails. 500 users of 24 columns stay
/// far below SQLite's limit of bound parameters.
const CHUNK: usize = 500;

/// A checked row, ready to write.
enum Planned {
    Create(ValidUser),
    Update { id: String, valid: ValidUser },
}

#[derive(sqlx::FromRow)]
struct Holder {
    id: String,
    value: String,
}

/// Checks the file a chunk of rows at a time; with `dry_run` it writes nothing and answers the
/// report. Otherwise it checks inside one write transaction and writes each clean chunk as it
/// goes: the first bad row stops the writing (the rest is still checked, so that the report names
/// every bad row) and the transaction is rolled back, so it is all rows or none. Memory stays at
/// one chunk of rows plus the file's own emails and usernames, whatever the file's size.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, dry_run))]
pub async fn import_users(
    db: &Db,
    config: &Config,
    principal: &Principal,
    file: &[u8],
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    if principal.role == Role::User {
        return Err(AppError::Forbidden(
            "Only an Admin can import users.".into(),
        ));
    }
    let text = std::str::from_utf8(file)
        .map_err(|_| AppError::invalid("file", "is not UTF-8 text (save it as \"CSV UTF-8\")"))?;
    let mut records = csv::Records::new(text);
    let header: Vec<String> = records
        .next()
        .ok_or_else(|| AppError::invalid("file", "is empty: it needs a header line and rows"))?
        .map_err(|m| AppError::invalid("file", m))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let columns = check_header(&header)?;
    // A first read that only counts: a file that is unreadable or too long is refused whole,
    // before any row is looked up.
    let mut row_count = 0;
    for record in records.clone() {
        if is_blank(&record.map_err(|m| AppError::invalid("file", m))?) {
            continue;
        }
        row_count += 1;
    }
    if row_count == 0 {
        return Err(AppError::invalid("file", "has a header but no rows"));
    }
    if row_count > MAX_ROWS {
        return Err(AppError::invalid(
            "file",
            format!("has {row_count} rows; import at most {MAX_ROWS} at a time"),
        ));
    }
    // Numbered as lines of a file without quoted line breaks: the header is row 1.
    let mut rows = records
        .enumerate()
        .filter_map(|(i, record)| record.ok().map(|record| (i + 2, record)))
        .filter(|(_, record)| !is_blank(record));
    let mut check = Check::new(principal, header.len(), columns);

    if dry_run {
        let mut conn = db.conn().await?;
        let mut exec = conn.exec();
        while let Some(chunk) = next_chunk(&mut rows) {
            check.chunk(&mut exec, chunk).await?;
        }
        return Ok(check.finish());
    }

    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let mut names = OrganizationNames::default();
    let at = now();
    while let Some(chunk) = next_chunk(&mut rows) {
        let plans = check.chunk(&mut exec, chunk).await?;
        if check.report.errors.is_empty() {
            write_chunk(&mut exec, config, principal, plans, &mut names, at).await?;
        }
    }
    let report = check.finish();
    if !report.errors.is_empty() {
        // Dropping the transaction rolls back what the clean chunks before the first error wrote.
        return Ok(report);
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
    Ok(report)
}

fn is_blank(record: &[String]) -> bool {
    record.iter().all(|cell| cell.trim().is_empty())
}

fn next_chunk(
    rows: &mut impl Iterator<Item = (usize, Vec<String>)>,
) -> Option<Vec<(usize, Vec<String>)>> {
    let chunk: Vec<_> = rows.take(CHUNK).collect();
    (!chunk.is_empty()).then_some(chunk)
}

/// A row as read from the file, before the database is asked about it.
struct ReadRow {
    row: usize,
    email: String,
    input: UserInput,
    /// No error so far (cells, formulas, the email's first appearance in the file).
    ok: bool,
}

/// A row that passed the checks before its username's: written unless that one fails.
struct Candidate {
    row: usize,
    /// The user the row updates.
    current_id: Option<String>,
    valid: ValidUser,
    /// Whether its username is looked up (a clean row, not already the file's duplicate).
    look_up_username: bool,
    errors: Vec<(&'static str, String)>,
    ok: bool,
}

/// What the check carries from chunk to chunk: the file's own emails and usernames (a duplicate
/// is named with the row it first appeared on), the organizations already looked up, the report.
struct Check<'a> {
    principal: &'a Principal,
    header_len: usize,
    columns: Vec<Option<&'static str>>,
    first_row_of_email: HashMap<String, usize>,
    first_row_of_username: HashMap<String, usize>,
    visible_organizations: HashMap<String, bool>,
    report: ImportReport,
}

impl<'a> Check<'a> {
    fn new(
        principal: &'a Principal,
        header_len: usize,
        columns: Vec<Option<&'static str>>,
    ) -> Self {
        Check {
            principal,
            header_len,
            columns,
            first_row_of_email: HashMap::new(),
            first_row_of_username: HashMap::new(),
            visible_organizations: HashMap::new(),
            report: ImportReport::default(),
        }
    }

    fn finish(mut self) -> ImportReport {
        self.report.errors.sort_by_key(|e| e.row);
        self.report
    }

    fn error(&mut self, row: usize, field: &str, message: impl Into<String>) {
        self.report.errors.push(RowError {
            row,
            field: field.into(),
            message: message.into(),
        });
    }

    /// The cells of one row, and whether its email already appeared in the file.
    fn read(&mut self, row: usize, record: Vec<String>) -> ReadRow {
        let mut input = UserInput::default();
        let mut ok = true;
        if record.len() > self.header_len {
            let message = format!(
                "has {} cells; the header has {}",
                record.len(),
                self.header_len
            );
            self.error(row, "file", message);
            ok = false;
        }
        for (i, cell) in record.iter().enumerate() {
            let Some(Some(key)) = self.columns.get(i).copied() else {
                continue;
            };
            // A blank cell says nothing: the default for a new user, the current value otherwise.
            if cell.trim().is_empty() {
                continue;
            }
            match csv::unguard_cell(cell) {
                Ok(value) => input.set(key, value),
                Err(message) => {
                    self.error(row, key, message);
                    ok = false;
                }
            }
        }
        let email = input.get("email").unwrap_or("").trim().to_lowercase();
        if !email.is_empty() {
            if let Some(first) = self.first_row_of_email.get(&email) {
                let message = format!("appears twice in the file (row {first} too)");
                self.error(row, "email", message);
                ok = false;
            } else {
                self.first_row_of_email.insert(email.clone(), row);
            }
        }
        ReadRow {
            row,
            email,
            input,
            ok,
        }
    }

    /// Checks one chunk of rows: its errors go into the report, its clean rows come back planned.
    async fn chunk(
        &mut self,
        exec: &mut Exec<'_>,
        chunk: Vec<(usize, Vec<String>)>,
    ) -> Result<Vec<Planned>, AppError> {
        let read: Vec<ReadRow> = chunk
            .into_iter()
            .map(|(row, record)| self.read(row, record))
            .collect();
        // A duplicate's email is already refused; during an import it could also name a user
        // that an earlier chunk of this same file created.
        let emails: Vec<String> = read
            .iter()
            .filter(|r| {
                !r.email.is_empty() && self.first_row_of_email.get(&r.email) == Some(&r.row)
            })
            .map(|r| r.email.clone())
            .collect();
        let existing = holders(exec, "email", emails).await?;

        let mut candidates = Vec::with_capacity(read.len());
        for read in read {
            if let Some(candidate) = self.check_row(exec, read, &existing).await? {
                candidates.push(candidate);
            }
        }

        let usernames: Vec<String> = candidates
            .iter()
            .filter(|c| c.look_up_username)
            .filter_map(|c| c.valid.get("username"))
            .map(str::to_lowercase)
            .collect();
        let taken = holders(exec, "username", usernames).await?;
        let mut plans = Vec::with_capacity(candidates.len());
        for mut candidate in candidates {
            if candidate.look_up_username {
                let username = candidate
                    .valid
                    .get("username")
                    .unwrap_or_default()
                    .to_lowercase();
                if taken
                    .get(&username)
                    .is_some_and(|owner| Some(owner) != candidate.current_id.as_ref())
                {
                    candidate
                        .errors
                        .push(("username", "has already been taken".to_string()));
                }
            }
            if !candidate.errors.is_empty() {
                for (field, message) in candidate.errors {
                    self.error(candidate.row, field, message);
                }
                continue;
            }
            if !candidate.ok {
                continue;
            }
            match candidate.current_id {
                Some(id) => {
                    self.report.updated += 1;
                    plans.push(Planned::Update {
                        id,
                        valid: candidate.valid,
                    });
                }
                None => {
                    self.report.created += 1;
                    plans.push(Planned::Create(candidate.valid));
                }
            }
        }
        Ok(plans)
    }

    /// The checks of one row up to its username's (which the chunk looks up at once); `None` when
    /// it already failed in a way that says all there is to say.
    async fn check_row(
        &mut self,
        exec: &mut Exec<'_>,
        read: ReadRow,
        existing: &HashMap<String, String>,
    ) -> Result<Option<Candidate>, AppError> {
        let ReadRow {
            row,
            email,
            input,
            ok,
        } = read;
        let principal = self.principal;
        let current = match existing.get(&email) {
            Some(id) => match users::manageable(exec, principal, id).await? {
                Some(user) => Some(user),
                None => {
                    // Someone else's user, or one the caller may not change: the address is taken.
                    self.error(row, "email", "has already been taken");
                    return Ok(None);
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
                self.report.errors.extend(
                    errors
                        .into_iter()
                        .filter(|e| !(derived && e.field == "user.username"))
                        .map(|e| row_error(row, e)),
                );
                return Ok(None);
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
            let visible = match self.visible_organizations.get(organization_id) {
                Some(visible) => *visible,
                None => {
                    let visible = uuid::Uuid::parse_str(organization_id).is_ok()
                        && organizations::is_visible(exec, principal, organization_id).await?;
                    self.visible_organizations
                        .insert(organization_id.to_string(), visible);
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
        let mut look_up_username = false;
        if !ok {
            // Its email is already refused (a duplicate's username is the same duplicate).
        } else if let Some(first) = self.first_row_of_username.get(&username) {
            errors.push((
                "username",
                format!("appears twice in the file (row {first} too)"),
            ));
        } else {
            self.first_row_of_username.insert(username, row);
            look_up_username = true;
        }
        Ok(Some(Candidate {
            row,
            current_id: current.map(|user| user.id),
            valid,
            look_up_username,
            errors,
            ok,
        }))
    }
}

/// Which users hold these lower-cased values of `column` (`email` or `username`, both indexed on
/// `lower(..)`): value to user id, in one lookup.
async fn holders(
    exec: &mut Exec<'_>,
    column: &'static str,
    values: Vec<String>,
) -> Result<HashMap<String, String>, AppError> {
    if values.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(format!(
        "SELECT id, {column} AS value FROM users WHERE lower({column}) IN ("
    ));
    push_list(&mut sql, values);
    Ok(exec
        .fetch_all::<Holder>(&sql)
        .await?
        .into_iter()
        .map(|row| (row.value.to_lowercase(), row.id))
        .collect())
}

/// `$1, $2, …)`: the bound values of an `IN (` list, and its end.
fn push_list(sql: &mut Sql, values: Vec<String>) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push_bind(value);
    }
    sql.push(")");
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

/// The names of the organizations invitations are sent for, looked up once each.
#[derive(Default)]
struct OrganizationNames(HashMap<String, String>);

impl OrganizationNames {
    async fn get(&mut self, exec: &mut Exec<'_>, id: &str) -> Result<&str, AppError> {
        if !self.0.contains_key(id) {
            let (name,): (String,) = exec
                .fetch_optional(&Sql::new("SELECT name FROM organizations WHERE id = $1").bind(id))
                .await?
                .ok_or_else(|| AppError::not_found("Organization"))?;
            self.0.insert(id.to_string(), name);
        }
        Ok(&self.0[id])
    }
}

/// Writes one chunk's rows: the updates one by one, the new users, their invitation tokens and
/// their invitation emails a statement each.
async fn write_chunk(
    exec: &mut Exec<'_>,
    config: &Config,
    principal: &Principal,
    plans: Vec<Planned>,
    names: &mut OrganizationNames,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut created = Vec::new();
    for plan in plans {
        match plan {
            Planned::Update { id, valid } => users::write_attributes(exec, &id, &valid, at).await?,
            Planned::Create(valid) => created.push((new_id(), valid)),
        }
    }
    if created.is_empty() {
        return Ok(());
    }
    let accounts: Vec<_> = created
        .iter()
        .map(|(id, valid)| {
            let account = users::NewAccount {
                id,
                password_hash: None,
                confirmed_at: None,
                invited_by: Some(&principal.user_id),
                at,
            };
            (account, valid)
        })
        .collect();
    users::insert_many(exec, &accounts).await?;
    let user_ids: Vec<&str> = created.iter().map(|(id, _)| id.as_str()).collect();
    let tokens = account_tokens::issue_for_new_users(exec, &user_ids, Purpose::Invitation).await?;
    let full_names: Vec<String> = created
        .iter()
        .map(|(_, valid)| {
            [valid.get("first_name"), valid.get("last_name")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut invitations = Vec::with_capacity(created.len());
    for (i, (id, valid)) in created.iter().enumerate() {
        let (raw, name) = (&tokens[i], &full_names[i]);
        let organization_id = valid.get("organization_id").unwrap_or_default();
        let organization = names.get(exec, organization_id).await?.to_string();
        let link = config.link(&format!("{}{raw}", Purpose::Invitation.page()));
        invitations.push(emails::invitation(
            &Recipient {
                user_id: id,
                organization_id,
                email: valid.get("email").unwrap_or_default(),
                name: Some(name),
            },
            &principal.email,
            &organization,
            valid.role().as_str(),
            &link,
        ));
    }
    outbox::enqueue_many(exec, invitations).await?;
    Ok(())
}
